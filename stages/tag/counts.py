"""Counts: quantities of people and things and what happened to them, in the style of GDELT's counts.

"killed at least 12 people" -> value 12, noun "people", category "people", event "killed", qualifier
"at least" (bound "min"). The approach is a linear scan of each sentence, no parser:

1. find numbers: digits ("182,000", "1.4 million"), number words ("ten", "twenty-five") and vague
   quantities ("tens of thousands of" -> 20000, bound "min"); numbers that belong to a date ("Oct. 7"),
   an identifier ("Resolution 2334"), a year ("in 2024"), a compound adjective ("73-year-old") or a
   measure ("three weeks", "5 percent") are skipped;
2. a qualifier just before the number ("at least", "about", "an estimated") gives its bound;
3. the counted noun is the first plural-looking word (or a listed people noun) within a few words after
   the number, skipping modifiers ("three Israeli soldiers", "eight hot meal kitchens");
4. the event is a listed verb form just before the number ("killing three ...", "fired approximately ten
   rockets") or after the noun, optionally behind auxiliaries ("182,000 people were displaced",
   "1.4 million people seeking refuge"), normalised to a canonical event ("killing" -> "killed").

A number with neither a noun nor an event is not a count. Lexicons live in data/count_lexicon.yaml and
data/number_words.yaml.

Speed (outputs unchanged): a sentence without a digit or a number word is skipped by one cheap test, and
the case-insensitive regexes run on the lower-cased sentence without IGNORECASE (several times faster;
CASE_UNSAFE_RE says when that is exact).

This module also holds the small helpers the other tag extractors share (number parsing, sentence
iteration, data loading).
"""
from __future__ import annotations

import functools
import itertools
import re
from pathlib import Path
from typing import Any, Iterator, NamedTuple

import polars as pl
import yaml

from stages.common import StageError

DATA_DIR = Path(__file__).resolve().parent / "data"

DEFAULT_PARAMS: dict[str, Any] = {
    "noun_window": 4,          # words after the number searched for the counted noun
    "aux_window": 3,           # auxiliaries allowed between noun and event ("have been killed")
    "include_vague": True,     # "hundreds of", "tens of thousands of" as counts with bound "min"
    "require_noun": False,     # keep "about 300 sheltering" (event, no noun) when False
}

COUNT_SCHEMA: dict[str, Any] = {
    "doc_id": pl.Utf8, "sent_id": pl.Utf8, "start": pl.Int64, "end": pl.Int64, "text": pl.Utf8,
    "value": pl.Int64, "number_text": pl.Utf8, "qualifier": pl.Utf8, "bound": pl.Utf8,
    "noun": pl.Utf8, "category": pl.Utf8, "event": pl.Utf8, "event_text": pl.Utf8,
}


# --------------------------------------------------------------------------------------------------
# shared helpers (used by attributions, dates, themes, quotes)

@functools.lru_cache(maxsize=None)
def load_yaml(name: str) -> dict[str, Any]:
    """Read a data file of this package once (read-only afterwards)."""
    path = DATA_DIR / name
    if not path.is_file():   # a lexicon named in params.yaml (tag.themes.lexicon) that is not there
        raise StageError(f"{path} does not exist: data files of the tag stage live in {DATA_DIR}")
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def merged_params(defaults: dict[str, Any], params: dict[str, Any] | None) -> dict[str, Any]:
    unknown = set(params or {}) - set(defaults)
    if unknown:
        raise ValueError(f"unknown parameter(s): {sorted(unknown)}; known: {sorted(defaults)}")
    return {**defaults, **(params or {})}


def alternation(phrases: list[str]) -> str:
    """Regex alternation of literal phrases, longest first (so "at least" wins over "at"), spaces as \\s+."""
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in ordered)


# The only characters outside ASCII that str.lower() turns into (or re.IGNORECASE matches as) ASCII
# letters: U+0130 "İ", U+0131 "ı", U+017F "ſ", U+212A Kelvin sign (checked over all of Unicode in
# tests/tag/test_counts.py). A text without them may be lower-cased for a case-sensitive prefilter whose
# verdict equals that of the IGNORECASE (or lower()-based) rule it guards.
CASE_UNSAFE_RE = re.compile("[\u0130\u0131\u017f\u212a]")


def iter_sentences(docs: pl.DataFrame, sentences: pl.DataFrame) -> Iterator[tuple[str, str, int, str]]:
    """Yield (doc_id, sent_id, start, sentence text sliced from docs.text) in document order."""
    texts = dict(zip(docs["doc_id"].to_list(), docs["text"].to_list()))
    ordered = sentences.select("doc_id", "sent_id", "start", "end").sort(["doc_id", "start"])
    for doc_id, sent_id, start, end in zip(*(ordered[c].to_list() for c in ordered.columns)):
        text = texts.get(doc_id)
        if text is not None:
            yield doc_id, sent_id, start, text[start:end]


def empty_frame(schema: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(schema=schema)


def rows_frame(rows: list[dict[str, Any]], schema: dict[str, Any], sort_by: list[str]) -> pl.DataFrame:
    if not rows:
        return empty_frame(schema)
    return pl.DataFrame(rows, schema=schema).sort(sort_by, maintain_order=True)


class NumberParser:
    """Finds and parses cardinal numbers written with digits, scale words or number words."""

    def __init__(self) -> None:
        words = load_yaml("number_words.yaml")
        self.units: dict[str, int] = {k.lower(): int(v) for k, v in words["units"].items()}
        self.scales: dict[str, int] = {k.lower(): int(v) for k, v in words["scales"].items()}
        self.vague: dict[str, int] = {k.lower(): int(v) for k, v in words["vague"].items()}
        word = alternation(list(self.units) + list(self.scales))
        scale = alternation(list(self.scales))
        digits = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
        # each repetition consumes one number word, separators cannot be confused with words: linear
        word_number = rf"\b(?:{word})(?:(?:-|\s+|\s+and\s+)(?:{word}))*\b"
        self.number_re = re.compile(
            rf"(?<![\w$#£€.,/-])(?:(?:{digits})(?:\s+(?:{scale})\b)?|{word_number})(?![\w%]|-\w|[.,/]\d)",
            re.IGNORECASE)
        self.vague_re = re.compile(rf"\b(?:{alternation(list(self.vague))})(?=\s)", re.IGNORECASE)
        # Prefilter: a sentence can hold a number only if it has a digit or, in lower case, one of the
        # words a word number or a vague quantity starts with (see CASE_UNSAFE_RE for why lower case).
        self.digit_re = re.compile(r"\d")
        first_words = list(self.units) + list(self.scales) + [phrase.split()[0] for phrase in self.vague]
        self.word_trigger_re = re.compile(rf"\b(?:{alternation(first_words)})\b")
        self.vague_first_words = tuple(sorted({phrase.split()[0] for phrase in self.vague}))

    def may_contain_number(self, text: str) -> bool:
        """False only when neither number_re nor vague_re can match in text."""
        return bool(self.digit_re.search(text)) or bool(CASE_UNSAFE_RE.search(text)) \
            or bool(self.word_trigger_re.search(text.lower()))

    def parse(self, text: str) -> int | None:
        """"182,000" -> 182000, "1.4 million" -> 1400000, "twenty-five" -> 25; None when not a number."""
        parts = re.split(r"[-\s]+", text.strip().lower())
        parts = [p for p in parts if p and p != "and"]
        if not parts:
            return None
        if parts[0][0].isdigit():
            try:
                value = float(parts[0].replace(",", ""))
            except ValueError:
                return None
            for p in parts[1:]:
                value *= self.scales.get(p, 1)
            return int(round(value))
        total = current = 0
        for p in parts:
            if p in self.units:
                current += self.units[p]
            elif p == "hundred":
                current = max(current, 1) * 100
            elif p in self.scales:
                total += max(current, 1) * self.scales[p]
                current = 0
            else:
                return None
        return total + current


@functools.lru_cache(maxsize=None)
def number_parser() -> NumberParser:
    return NumberParser()


# --------------------------------------------------------------------------------------------------
# counts

TOKEN_RE = re.compile(r"[A-Za-z][\w’'-]*|\d[\d,.]*\d|\d|[^\w\s]")


class _Matchers(NamedTuple):
    """The case-insensitive regexes of a count scan, all applied to one text (see _CountLexicon)."""
    number: re.Pattern[str]
    vague: re.Pattern[str]
    qualifier: re.Pattern[str]
    event_before: re.Pattern[str]
    event_at: re.Pattern[str]
    lowered: bool                           # they expect the lower-cased sentence


class _CountLexicon:
    def __init__(self) -> None:
        lex = load_yaml("count_lexicon.yaml")
        numbers = number_parser()
        self.bounds: dict[str, str] = {" ".join(k.lower().split()): v for k, v in lex["qualifiers"].items()}
        qualifier = rf"(?:^|(?<=[^\w]))({alternation(list(self.bounds))})\s+$"
        self.event_of: dict[str, str] = {}
        for canonical, forms in lex["events"].items():
            for form in forms:
                self.event_of[" ".join(str(form).lower().split())] = canonical
        events = alternation(list(self.event_of))
        event_before = rf"(?:^|(?<=[^\w]))({events})\s+$"
        event_at = rf"({events})\b"
        # IGNORECASE scanning is several times slower than plain scanning, so a sentence without
        # CASE_UNSAFE_RE characters is scanned in lower case with the same patterns (all their literals
        # are lower case) and no flag: same matches at the same offsets. Texts shown come from the original.
        self.ignorecase = _Matchers(numbers.number_re, numbers.vague_re,
                                    *(re.compile(x, re.IGNORECASE) for x in (qualifier, event_before, event_at)),
                                    lowered=False)
        self.lowercase = _Matchers(*(re.compile(x) for x in (numbers.number_re.pattern, numbers.vague_re.pattern,
                                                             qualifier, event_before, event_at)), lowered=True)
        # the last word of every qualifier / event form: a window can only end in a phrase that ends so
        self.qualifier_ends = tuple(sorted({q.split()[-1] for q in self.bounds}))
        self.event_ends = tuple(sorted({e.split()[-1] for e in self.event_of}))
        self.auxiliaries = frozenset(w.lower() for w in lex["auxiliaries"])
        self.people = frozenset(w.lower() for w in lex["people_nouns"])
        self.excluded_units = frozenset(str(w).lower() for w in lex["excluded_units"])
        self.stop_words = frozenset(w.lower() for w in lex["stop_words"])
        self.blockers = frozenset(w.lower() for w in lex["preceding_blockers"])
        self.year_preps = frozenset(w.lower() for w in lex["year_prepositions"])


@functools.lru_cache(maxsize=None)
def _lexicon() -> _CountLexicon:
    return _CountLexicon()


_LAST_WORD_RE = re.compile(r"(?<![A-Za-z])([A-Za-z]+)\.?\s*$")  # lookbehind: one try per word, linear
_YEAR_RE = re.compile(r"1[89]\d\d|20\d\d|2100")


def _looks_plural(token: str) -> bool:
    low = token.lower()
    return len(low) > 2 and low.endswith("s") and not low.endswith(("ss", "us", "is", "'s", "’s"))


def _phrase_ending(pattern: re.Pattern[str], window: str, last_words: tuple[str, ...], lowered: bool
                   ) -> re.Match[str] | None:
    """pattern.search(window) for a pattern "(phrase)\\s+$"; on lower-cased text, skipped when the window
    does not end in whitespace after one of the phrases' last words (most windows)."""
    if lowered:
        stripped = window.rstrip()          # str.rstrip and \s strip the same characters
        if len(stripped) == len(window) or not stripped.endswith(last_words):
            return None
    return pattern.search(window)


def _count_in_sentence(sentence: str, p: dict[str, Any], values: dict[str, int | None] | None = None
                       ) -> Iterator[dict[str, Any]]:
    """Counts in one sentence; `values` memoises NumberParser.parse over a call (numbers repeat)."""
    lex, numbers = _lexicon(), number_parser()
    values = {} if values is None else values
    if CASE_UNSAFE_RE.search(sentence):
        text, rx = sentence, lex.ignorecase
    else:
        text, rx = sentence.lower(), lex.lowercase
    candidates: list[tuple[int, int, int, str | None]] = []   # start, end, value, vague bound
    vague_spans: list[tuple[int, int]] = []
    # on lower-cased text a vague quantity needs its first word as a substring (a fast test)
    if p["include_vague"] and (not rx.lowered or any(w in text for w in numbers.vague_first_words)):
        for m in rx.vague.finditer(text):
            phrase = " ".join(m.group(0).lower().split())
            candidates.append((m.start(), m.end(), numbers.vague[phrase], "min"))
            vague_spans.append((m.start(), m.end()))
    for m in rx.number.finditer(text):
        if any(s <= m.start() < e for s, e in vague_spans):
            continue
        number = m.group(0)
        value = values[number] if number in values else values.setdefault(number, numbers.parse(number))
        if value is None:
            continue
        before = _LAST_WORD_RE.search(sentence[max(0, m.start() - 20):m.start()])
        prev_word = before.group(1).lower() if before else ""
        if prev_word in lex.blockers:
            continue
        if prev_word in lex.year_preps and _YEAR_RE.fullmatch(number):
            continue
        candidates.append((m.start(), m.end(), value, None))

    noun_window = p["noun_window"]
    for num_start, num_end, value, vague_bound in sorted(candidates):
        number_text = sentence[num_start:num_end]
        window_start = max(0, num_start - 30)
        qualifier = bound = None
        span_start = num_start
        q = _phrase_ending(rx.qualifier, text[window_start:num_start], lex.qualifier_ends, rx.lowered)
        if q:
            qualifier = " ".join(q.group(1).lower().split())
            bound = lex.bounds[qualifier]
            span_start = window_start + q.start(1)
        if vague_bound:
            qualifier = qualifier or " ".join(number_text.lower().split()[:-1])   # "hundreds of" -> "hundreds"
            bound = bound or vague_bound

        # the counted noun: first plural-looking or people word within the window; tokens are read lazily
        # (the scan below mostly stops after one or two)
        token_iter = TOKEN_RE.finditer(sentence, num_end, min(len(sentence), num_end + 160))
        head = list(itertools.islice(token_iter, 2))
        i = 0
        if len(head) >= 2 and head[0].group(0).lower() == "of" and head[1].group(0).lower() in (
                "the", "those", "these", "them", "their", "its", "whom"):
            if value == 1:
                continue                                        # "one of the ..." picks, not counts
            i = 2                                               # partitive: "three of the hostages"
        if head and head[0].group(0).lower() in lex.excluded_units:
            continue
        noun = None
        noun_end = num_end
        event = event_text = None
        for token in itertools.islice(itertools.chain(head[i:], token_iter), noun_window + 2):
            w, s, e = token.group(0), token.start(), token.end()
            low = w.lower()
            if not w[0].isalnum():
                break
            # (noun is still None here: the loop stops when it is found)
            ev = rx.event_at.match(text, s) if low not in lex.people else None
            if ev:
                event_text = sentence[ev.start(1):ev.end(1)]
                event = lex.event_of[" ".join(event_text.lower().split())]
                break
            if low in lex.excluded_units:
                break
            if low in lex.stop_words:
                if low in ("and", "or") and noun is None:
                    continue
                break
            if w[0].isdigit():
                break
            if low in lex.people or _looks_plural(w) or (value == 1 and _ends_phrase(sentence, text, e, lex, rx)):
                noun, noun_end = w, e
                break
        if noun is not None and event is None:
            event, event_text = _event_after(sentence, text, noun_end, lex, rx, p["aux_window"])
        before_start = max(0, span_start - 40)
        ev_before = _phrase_ending(rx.event_before, text[before_start:span_start], lex.event_ends, rx.lowered)
        if ev_before:
            event_text = sentence[before_start + ev_before.start(1):before_start + ev_before.end(1)]
            event = lex.event_of[" ".join(event_text.lower().split())]
        if noun is None and (event is None or p["require_noun"]):
            continue
        category = None
        if noun is not None:
            category = "people" if (noun.lower() in lex.people or
                                    (noun[0].isupper() and _looks_plural(noun))) else "thing"
        yield {
            "start": span_start, "end": max(noun_end, num_end), "value": value,
            "number_text": number_text, "qualifier": qualifier, "bound": bound,
            "noun": noun.lower() if noun else None, "category": category,
            "event": event, "event_text": event_text,
        }


def _ends_phrase(sentence: str, text: str, end: int, lex: _CountLexicon, rx: _Matchers) -> bool:
    """True when the word ending at `end` is followed by punctuation, a stop word or the sentence end."""
    nxt = TOKEN_RE.search(sentence, end)
    return nxt is None or not nxt.group(0)[0].isalnum() or nxt.group(0).lower() in lex.stop_words \
        or rx.event_at.match(text, nxt.start()) is not None


def _event_after(sentence: str, text: str, pos: int, lex: _CountLexicon, rx: _Matchers, aux_window: int
                 ) -> tuple[str | None, str | None]:
    skipped = 0
    for t in TOKEN_RE.finditer(sentence, pos):
        ev = rx.event_at.match(text, t.start())
        if ev:
            event_text = sentence[ev.start(1):ev.end(1)]
            return lex.event_of[" ".join(event_text.lower().split())], event_text
        if t.group(0).lower() in lex.auxiliaries and skipped < aux_window:
            skipped += 1
            continue
        break
    return None, None


def extract_counts(docs: pl.DataFrame, sentences: pl.DataFrame, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """One row per count of people or things; see COUNT_SCHEMA for the columns."""
    p = merged_params(DEFAULT_PARAMS, params)
    rows: list[dict[str, Any]] = []
    numbers = number_parser()
    values: dict[str, int | None] = {}
    for doc_id, sent_id, sent_start, sentence in iter_sentences(docs, sentences):
        if not numbers.may_contain_number(sentence):
            continue                        # most sentences: no number, no count
        for row in _count_in_sentence(sentence, p, values):
            start, end = sent_start + row["start"], sent_start + row["end"]
            rows.append({"doc_id": doc_id, "sent_id": sent_id, **row, "start": start, "end": end,
                         "text": sentence[row["start"]:row["end"]]})
    return rows_frame(rows, COUNT_SCHEMA, ["doc_id", "start", "end"])
