"""Word-list helpers shared by the tag stage's extractors and the aggregate stage's story dates: the shared
data files (`stages/common/data/`: the date words, the TIMEX3 grammar, the number words), read once per
process through the strict loader; regex alternations of word lists; the characters that make lower-casing
no proxy for IGNORECASE; and the number parser (digits, number words, vague quantities).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Any

from pydantic import ConfigDict, with_config

from stages.common.datafiles import load_yaml

# The data files more than one stage reads (the dates grammar runs in tag, and again in aggregate for
# documents that take their base date from a story).
DATA_DIR = Path(__file__).resolve().parent / "data"

# Decorates the spec (a TypedDict) of a YAML data file: a key it does not declare (a typo) is an error.
data_file_spec = with_config(ConfigDict(extra="forbid"))


@functools.lru_cache(maxsize=None)
def common_yaml(name: str, spec: Any) -> Any:
    """A YAML file of stages/common/data/, checked against `spec` (a type); read once, then read-only."""
    return load_yaml(DATA_DIR / name, spec)


def alternation(phrases: list[str]) -> str:
    """Regex alternation of literal phrases, longest first (so "at least" wins over "at"), spaces as \\s+."""
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(r"\s+".join(re.escape(w) for w in p.split()) for p in ordered)


def lower_set(words: list[str]) -> frozenset[str]:
    return frozenset(word.lower() for word in words)


# The only characters outside ASCII that str.lower() turns into (or re.IGNORECASE matches as) ASCII
# letters: U+0130 "İ", U+0131 "ı", U+017F "ſ", U+212A Kelvin sign (checked over all of Unicode in
# tests/tag/test_lexicon.py). A text without them may be lower-cased for a case-sensitive prefilter whose
# verdict equals that of the IGNORECASE (or lower()-based) rule it guards.
CASE_UNSAFE_RE = re.compile("[\u0130\u0131\u017f\u212a]")


# ------------------------------------------------------------------------------------------ numbers

class NumberParser:
    """Finds and parses cardinal numbers written with digits, scale words or number words
    (data/number_words.yaml)."""

    def __init__(self) -> None:
        words = common_yaml("number_words.yaml", dict[str, dict[str, int]])
        self.units: dict[str, int] = {k.lower(): v for k, v in words["units"].items()}
        self.scales: dict[str, int] = {k.lower(): v for k, v in words["scales"].items()}
        self.vague: dict[str, int] = {k.lower(): v for k, v in words["vague"].items()}
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
        parts = [p for p in re.split(r"[-\s]+", text.strip().lower()) if p and p != "and"]
        if not parts:
            return None
        if parts[0][0].isdigit():
            return self._parse_digits(parts)
        return self._parse_words(parts)

    def _parse_digits(self, parts: list[str]) -> int | None:
        try:
            value = float(parts[0].replace(",", ""))
        except ValueError:
            return None
        for p in parts[1:]:
            value *= self.scales.get(p, 1)
        return int(round(value))

    def _parse_words(self, parts: list[str]) -> int | None:
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
