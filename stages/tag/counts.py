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
data/number_words.yaml. This module also holds the small helpers the other tag extractors share
(number parsing, sentence iteration, data loading).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any, Iterator

import polars as pl
import yaml

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
    with open(DATA_DIR / name, encoding="utf-8") as fh:
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


class _CountLexicon:
    def __init__(self) -> None:
        lex = load_yaml("count_lexicon.yaml")
        self.bounds: dict[str, str] = {" ".join(k.lower().split()): v for k, v in lex["qualifiers"].items()}
        self.qualifier_re = re.compile(rf"(?:^|(?<=[^\w]))({alternation(list(self.bounds))})\s+$", re.IGNORECASE)
        self.event_of: dict[str, str] = {}
        for canonical, forms in lex["events"].items():
            for form in forms:
                self.event_of[" ".join(str(form).lower().split())] = canonical
        events = alternation(list(self.event_of))
        self.event_before_re = re.compile(rf"(?:^|(?<=[^\w]))({events})\s+$", re.IGNORECASE)
        self.event_at_re = re.compile(rf"({events})\b", re.IGNORECASE)
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


def _looks_plural(token: str) -> bool:
    low = token.lower()
    return len(low) > 2 and low.endswith("s") and not low.endswith(("ss", "us", "is", "'s", "’s"))


def _count_in_sentence(sentence: str, p: dict[str, Any]) -> Iterator[dict[str, Any]]:
    lex, numbers = _lexicon(), number_parser()
    candidates: list[tuple[int, int, int, str | None]] = []   # start, end, value, vague bound
    vague_spans: list[tuple[int, int]] = []
    if p["include_vague"]:
        for m in numbers.vague_re.finditer(sentence):
            phrase = " ".join(m.group(0).lower().split())
            candidates.append((m.start(), m.end(), numbers.vague[phrase], "min"))
            vague_spans.append((m.start(), m.end()))
    for m in numbers.number_re.finditer(sentence):
        if any(s <= m.start() < e for s, e in vague_spans):
            continue
        value = numbers.parse(m.group(0))
        if value is None:
            continue
        before = _LAST_WORD_RE.search(sentence[max(0, m.start() - 20):m.start()])
        prev_word = before.group(1).lower() if before else ""
        if prev_word in lex.blockers:
            continue
        if re.fullmatch(r"1[89]\d\d|20\d\d|2100", m.group(0)) and prev_word in lex.year_preps:
            continue
        candidates.append((m.start(), m.end(), value, None))

    for num_start, num_end, value, vague_bound in sorted(candidates):
        number_text = sentence[num_start:num_end]
        window = sentence[max(0, num_start - 30):num_start]
        qualifier = bound = None
        span_start = num_start
        q = lex.qualifier_re.search(window)
        if q:
            qualifier = " ".join(q.group(1).lower().split())
            bound = lex.bounds[qualifier]
            span_start = num_start - (len(window) - q.start(1))
        if vague_bound:
            qualifier = qualifier or " ".join(number_text.lower().split()[:-1])   # "hundreds of" -> "hundreds"
            bound = bound or vague_bound

        # the counted noun: first plural-looking or people word within the window
        tokens = [(t.group(0), t.start(), t.end())
                  for t in TOKEN_RE.finditer(sentence, num_end, min(len(sentence), num_end + 160))]
        i = 0
        if len(tokens) >= 2 and tokens[0][0].lower() == "of" and tokens[1][0].lower() in (
                "the", "those", "these", "them", "their", "its", "whom"):
            if value == 1:
                continue                                        # "one of the ..." picks, not counts
            i = 2                                               # partitive: "three of the hostages"
        if tokens and tokens[0][0].lower() in lex.excluded_units:
            continue
        noun = None
        noun_end = num_end
        event = event_text = None
        for w, s, e in tokens[i:i + p["noun_window"] + 2]:
            low = w.lower()
            if not w[0].isalnum():
                break
            ev = lex.event_at_re.match(sentence, s)
            if ev and noun is None and low not in lex.people:
                event_text = ev.group(1)
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
            if low in lex.people or _looks_plural(w) or (value == 1 and _ends_phrase(sentence, e, lex)):
                noun, noun_end = w, e
                break
        if noun is not None and event is None:
            event, event_text = _event_after(sentence, noun_end, lex, p["aux_window"])
        ev_before = lex.event_before_re.search(sentence[max(0, span_start - 40):span_start])
        if ev_before:
            event_text = ev_before.group(1)
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


def _ends_phrase(sentence: str, end: int, lex: _CountLexicon) -> bool:
    """True when the word ending at `end` is followed by punctuation, a stop word or the sentence end."""
    nxt = TOKEN_RE.search(sentence, end)
    return nxt is None or not nxt.group(0)[0].isalnum() or nxt.group(0).lower() in lex.stop_words \
        or lex.event_at_re.match(sentence, nxt.start()) is not None


def _event_after(sentence: str, pos: int, lex: _CountLexicon, aux_window: int) -> tuple[str | None, str | None]:
    skipped = 0
    for t in TOKEN_RE.finditer(sentence, pos):
        ev = lex.event_at_re.match(sentence, t.start())
        if ev:
            return lex.event_of[" ".join(ev.group(1).lower().split())], ev.group(1)
        if t.group(0).lower() in lex.auxiliaries and skipped < aux_window:
            skipped += 1
            continue
        break
    return None, None


def extract_counts(docs: pl.DataFrame, sentences: pl.DataFrame, params: dict[str, Any] | None = None) -> pl.DataFrame:
    """One row per count of people or things; see COUNT_SCHEMA for the columns."""
    p = merged_params(DEFAULT_PARAMS, params)
    rows: list[dict[str, Any]] = []
    for doc_id, sent_id, sent_start, sentence in iter_sentences(docs, sentences):
        for row in _count_in_sentence(sentence, p):
            start, end = sent_start + row["start"], sent_start + row["end"]
            rows.append({"doc_id": doc_id, "sent_id": sent_id, **row, "start": start, "end": end,
                         "text": sentence[row["start"]:row["end"]]})
    return rows_frame(rows, COUNT_SCHEMA, ["doc_id", "start", "end"])
