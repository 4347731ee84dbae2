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
"""
from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass
from typing import Any, Iterable, Iterator, Literal, NamedTuple

import polars as pl
from typing_extensions import TypedDict

from schemas.params import Counts as CountsParams
from schemas.tag import Counts
from stages.tag import data_file_spec
from stages.tag.lexicon import (CASE_UNSAFE_RE, alternation, data_yaml, iter_sentences, lower_set, number_parser,
                                rows_frame)

TOKEN_RE = re.compile(r"[A-Za-z][\w’'-]*|\d[\d,.]*\d|\d|[^\w\s]")
_LAST_WORD_RE = re.compile(r"(?<![A-Za-z])([A-Za-z]+)\.?\s*$")  # lookbehind: one try per word, linear
_YEAR_RE = re.compile(r"1[89]\d\d|20\d\d|2100")


@data_file_spec
class CountLexiconFile(TypedDict):
    """data/count_lexicon.yaml."""
    qualifiers: dict[str, Literal["min", "max", "approx"]]
    events: dict[str, list[str]]
    auxiliaries: list[str]
    people_nouns: list[str]
    excluded_units: list[str]
    stop_words: list[str]
    preceding_blockers: list[str]
    year_prepositions: list[str]
    partitive_determiners: list[str]
    conjunctions: list[str]


class _Matchers(NamedTuple):
    """The case-insensitive regexes of a count scan, all applied to one text (see _CountLexicon)."""
    number: re.Pattern[str]
    vague: re.Pattern[str]
    qualifier: re.Pattern[str]
    event_before: re.Pattern[str]
    event_at: re.Pattern[str]
    lowered: bool                           # they expect the lower-cased sentence


def _phrase(text: str) -> str:
    """A phrase as the lexicon keys it: lower case, single spaces."""
    return " ".join(text.lower().split())


class _CountLexicon:
    def __init__(self) -> None:
        lex = data_yaml("count_lexicon.yaml", CountLexiconFile)
        numbers = number_parser()
        self.bounds: dict[str, str] = {_phrase(k): v for k, v in lex["qualifiers"].items()}
        qualifier = rf"(?:^|(?<=[^\w]))({alternation(list(self.bounds))})\s+$"
        self.event_of: dict[str, str] = {_phrase(form): canonical
                                         for canonical, forms in lex["events"].items() for form in forms}
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
        self.auxiliaries = lower_set(lex["auxiliaries"])
        self.people = lower_set(lex["people_nouns"])
        self.excluded_units = lower_set(lex["excluded_units"])
        self.stop_words = lower_set(lex["stop_words"])
        self.blockers = lower_set(lex["preceding_blockers"])
        self.year_preps = lower_set(lex["year_prepositions"])
        self.partitive = lower_set(lex["partitive_determiners"])
        self.conjunctions = lower_set(lex["conjunctions"])


@functools.lru_cache(maxsize=None)
def _lexicon() -> _CountLexicon:
    return _CountLexicon()


@dataclass(slots=True)
class _View:
    """A sentence as the scan reads it: `original` for every text shown, `text` for the regexes `rx`
    (the lower-cased sentence when that is exact, see CASE_UNSAFE_RE)."""
    original: str
    text: str
    rx: _Matchers
    lex: _CountLexicon


def _view(sentence: str) -> _View:
    lex = _lexicon()
    if CASE_UNSAFE_RE.search(sentence):
        return _View(sentence, sentence, lex.ignorecase, lex)
    return _View(sentence, sentence.lower(), lex.lowercase, lex)


class _Candidate(NamedTuple):
    """A number that may be a count: where it is, its value, and "min" for a vague quantity."""
    start: int
    end: int
    value: int
    vague_bound: str | None


class _NounPhrase(NamedTuple):
    """What follows a number: the counted noun (or None), where the phrase ends, an event met first."""
    noun: str | None
    end: int
    event: str | None
    event_text: str | None


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


# ---- phase 1: numbers that may be counts

def _vague_candidates(s: _View, include_vague: bool) -> list[_Candidate]:
    """"hundreds of", "tens of thousands of": the smallest value they can mean, bound "min"."""
    numbers = number_parser()
    # on lower-cased text a vague quantity needs its first word as a substring (a fast test)
    if not include_vague or (s.rx.lowered and not any(w in s.text for w in numbers.vague_first_words)):
        return []
    return [_Candidate(m.start(), m.end(), numbers.vague[_phrase(m.group(0))], "min")
            for m in s.rx.vague.finditer(s.text)]


def _number_candidates(s: _View, vague: list[_Candidate], values: dict[str, int | None]) -> list[_Candidate]:
    """Numbers outside the vague quantities that are neither part of a date or identifier nor a year."""
    numbers = number_parser()
    found = []
    for m in s.rx.number.finditer(s.text):
        if vague and any(v.start <= m.start() < v.end for v in vague):
            continue
        number = m.group(0)
        value = values[number] if number in values else values.setdefault(number, numbers.parse(number))
        if value is None or _is_date_or_identifier(s, m.start(), number):
            continue
        found.append(_Candidate(m.start(), m.end(), value, None))
    return found


def _is_date_or_identifier(s: _View, start: int, number: str) -> bool:
    """"Oct. 7", "Resolution 2334", "in 2024": the word before the number says it is no count."""
    before = _LAST_WORD_RE.search(s.original[max(0, start - 20):start])
    prev_word = before.group(1).lower() if before else ""
    return prev_word in s.lex.blockers or (prev_word in s.lex.year_preps and _YEAR_RE.fullmatch(number) is not None)


# ---- phase 2: the qualifier before the number

def _qualifier(s: _View, c: _Candidate) -> tuple[str | None, str | None, int]:
    """(qualifier, bound, start of the count's span): "at least 12", "hundreds of" (its own qualifier)."""
    qualifier = bound = None
    span_start = c.start
    window_start = max(0, c.start - 30)
    q = _phrase_ending(s.rx.qualifier, s.text[window_start:c.start], s.lex.qualifier_ends, s.rx.lowered)
    if q:
        qualifier = _phrase(q.group(1))
        bound = s.lex.bounds[qualifier]
        span_start = window_start + q.start(1)
    if c.vague_bound:
        # "hundreds of" is its own qualifier, "hundreds"
        qualifier = qualifier or " ".join(s.original[c.start:c.end].lower().split()[:-1])
        bound = bound or c.vague_bound
    return qualifier, bound, span_start


# ---- phase 3: the counted noun, and an event right after the number

def _noun_tokens(s: _View, c: _Candidate) -> Iterable[re.Match[str]] | None:
    """The tokens after the number the noun may be among, read lazily (the scan mostly stops after one or
    two); None when the number is no count: "one of the ..." picks one, "three weeks" is a measure."""
    token_iter = TOKEN_RE.finditer(s.original, c.end, min(len(s.original), c.end + 160))
    head = list(itertools.islice(token_iter, 2))
    skip = 0
    if len(head) >= 2 and head[0].group(0).lower() == "of" and head[1].group(0).lower() in s.lex.partitive:
        if c.value == 1:
            return None
        skip = 2                                                # partitive: "three of the hostages"
    if head and head[0].group(0).lower() in s.lex.excluded_units:
        return None
    return itertools.chain(head[skip:], token_iter)


def _counted_noun(s: _View, c: _Candidate, tokens: Iterable[re.Match[str]], noun_window: int) -> _NounPhrase:
    """The first plural-looking or people word within the window, or an event met before it."""
    lex, event_at = s.lex, s.rx.event_at
    for token in itertools.islice(tokens, noun_window + 2):
        w, end = token.group(0), token.end()
        low = w.lower()
        if not w[0].isalnum():
            break
        event = event_at.match(s.text, token.start()) if low not in lex.people else None
        if event:
            event_text = s.original[event.start(1):event.end(1)]
            return _NounPhrase(None, c.end, lex.event_of[_phrase(event_text)], event_text)
        if low in lex.excluded_units:
            break
        if low in lex.stop_words:
            if low in lex.conjunctions:
                continue
            break
        if w[0].isdigit():
            break
        if low in lex.people or _looks_plural(w) or (c.value == 1 and _ends_phrase(s, end)):
            return _NounPhrase(w, end, None, None)
    return _NounPhrase(None, c.end, None, None)


def _ends_phrase(s: _View, end: int) -> bool:
    """True when the word ending at `end` is followed by punctuation, a stop word or the sentence end."""
    nxt = TOKEN_RE.search(s.original, end)
    return nxt is None or not nxt.group(0)[0].isalnum() or nxt.group(0).lower() in s.lex.stop_words \
        or s.rx.event_at.match(s.text, nxt.start()) is not None


# ---- phase 4: the event after the noun or before the count

def _event_after(s: _View, pos: int, aux_window: int) -> tuple[str | None, str | None]:
    """"people were displaced", "people seeking refuge": an event after the noun, behind auxiliaries."""
    skipped = 0
    for t in TOKEN_RE.finditer(s.original, pos):
        ev = s.rx.event_at.match(s.text, t.start())
        if ev:
            event_text = s.original[ev.start(1):ev.end(1)]
            return s.lex.event_of[_phrase(event_text)], event_text
        if t.group(0).lower() in s.lex.auxiliaries and skipped < aux_window:
            skipped += 1
            continue
        break
    return None, None


def _event_before(s: _View, span_start: int) -> tuple[str, str] | None:
    """"killing three ...", "fired approximately ten rockets": an event governing the count as its object."""
    before_start = max(0, span_start - 40)
    ev = _phrase_ending(s.rx.event_before, s.text[before_start:span_start], s.lex.event_ends, s.rx.lowered)
    if not ev:
        return None
    event_text = s.original[before_start + ev.start(1):before_start + ev.end(1)]
    return s.lex.event_of[_phrase(event_text)], event_text


# ---- one sentence, one document batch

def _count_at(s: _View, c: _Candidate, p: CountsParams) -> dict[str, Any] | None:
    """The count a candidate number makes (offsets into the sentence), or None when it makes none."""
    qualifier, bound, span_start = _qualifier(s, c)
    tokens = _noun_tokens(s, c)
    if tokens is None:
        return None
    noun, noun_end, event, event_text = _counted_noun(s, c, tokens, p.noun_window)
    if noun is not None:
        event, event_text = _event_after(s, noun_end, p.aux_window)
    before = _event_before(s, span_start)
    if before:
        event, event_text = before
    if noun is None and (event is None or p.require_noun):
        return None
    category = None
    if noun is not None:
        category = "people" if (noun.lower() in s.lex.people or (noun[0].isupper() and _looks_plural(noun))) \
            else "thing"
    return {"start": span_start, "end": max(noun_end, c.end), "value": c.value,
            "number_text": s.original[c.start:c.end], "qualifier": qualifier, "bound": bound,
            "noun": noun.lower() if noun else None, "category": category,
            "event": event, "event_text": event_text}


def _count_in_sentence(sentence: str, p: CountsParams, values: dict[str, int | None] | None = None
                       ) -> Iterator[dict[str, Any]]:
    """Counts in one sentence; `values` memoises NumberParser.parse over a call (numbers repeat)."""
    values = {} if values is None else values
    s = _view(sentence)
    vague = _vague_candidates(s, p.include_vague)
    for candidate in sorted(vague + _number_candidates(s, vague, values)):
        row = _count_at(s, candidate, p)
        if row is not None:
            yield row


def extract_counts(docs: pl.DataFrame, sentences: pl.DataFrame, params: CountsParams) -> pl.DataFrame:
    """One row per count of people or things (schemas.tag.Counts)."""
    rows: list[dict[str, Any]] = []
    numbers = number_parser()
    values: dict[str, int | None] = {}
    for doc_id, sent_id, sent_start, sentence in iter_sentences(docs, sentences):
        if not numbers.may_contain_number(sentence):
            continue                        # most sentences: no number, no count
        for row in _count_in_sentence(sentence, params, values):
            rows.append({**row, "doc_id": doc_id, "sent_id": sent_id, "start": sent_start + row["start"],
                         "end": sent_start + row["end"], "text": sentence[row["start"]:row["end"]]})
    return rows_frame(rows, Counts, ["doc_id", "start", "end"])
