"""Absolute calendar dates, one parser for every stage: the date a feed or a page's metadata gives
(`parse_date`: the whole value is a date) and the first date written in a line of text (`find_date`).

- `parse_date` reads the formats feeds and pages use, each with `datetime.strptime`, in the order of
  `DATE_FORMATS`: ISO 8601 (a time after the day is ignored), Reuters' "26-FEB-1987 15:01:01.79", "19 May
  2024", "May 19, 2024", RFC 2822's "Sun, 19 May 2024 10:00:00 +0000", "2024/05/19". A `datetime.date`
  is returned as it is (a `datetime` as its day). Anything else is None: no guess.
- `find_date` looks, in this order, for "May 19, 2024", "19 November 2019" (also "19th of November,
  2019"), "2024-05-19" and "19/11/2019" or "19.11.2019" (day first unless that is impossible) anywhere in
  the text, and gives the first that is a real day. `without_dates` blanks every such date out of a line
  (what is left of a dateline must be date words only).

Month names are python-dateutil's (`parserinfo.MONTHS`: "Jan", "January", ..., "Sep", "Sept", "September"),
matched case-insensitively with an optional final "."; the patterns are built on first use, so a stage that
only calls `parse_date` never imports dateutil. dateutil's own parser is not used: it fills a missing day,
month or year from today's date (a rerun on another day would give another date) and reads almost any string
with a number in it as a date, where these functions return None.

Every pattern is linear (no nested quantifiers): `bench/regex_redos.py` times them.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

# The formats of `parse_date`, tried in order.
DATE_FORMATS = ("%Y-%m-%d", "%d-%b-%Y %H:%M:%S.%f", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y", "%Y/%m/%d",
                "%d %B %Y", "%B %d, %Y", "%a, %d %b %Y %H:%M:%S %z")
# Formats of digits and punctuation only: strptime's patterns for these directives match digits,
# whitespace and the literal separators, never an ASCII letter, so text with a letter is not tried
# against them (a failed strptime costs as much as a good one: this halves ingest's date time on Reuters).
NUMERIC_DATE_FORMATS = frozenset(fmt for fmt in DATE_FORMATS
                                 if not re.search(r"[A-Za-z%]", re.sub(r"%[YmdHMSf]", "", fmt)))
ISO_DAY_FIRST = re.compile(r"\d{4}-\d{2}-\d{2}([T ].*)?")
ASCII_LETTER = re.compile(r"[A-Za-z]")


def parse_date(value: Any) -> dt.date | None:
    """The day a date field names (see the module docstring), or None when it is not one."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if ISO_DAY_FIRST.fullmatch(text):
        text = text[:10]
        try:   # what strptime's first format gives, 20x faster (dates from ingest are all ISO)
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    has_letter = ASCII_LETTER.search(text) is not None
    for fmt in DATE_FORMATS:
        if has_letter and fmt in NUMERIC_DATE_FORMATS:
            continue
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


# ---------------------------------------------------------------------------------- dates inside text

@dataclass(frozen=True)
class TextDates:
    """The patterns of dates written in text, in the order `find_date` tries them, and the month names."""
    month_numbers: dict[str, int]   # lower-case month name or abbreviation -> 1..12
    mdy: re.Pattern[str]            # "May 19, 2024"
    dmy: re.Pattern[str]            # "19 November 2019"
    iso: re.Pattern[str]            # "2024-05-19"
    numeric: re.Pattern[str]        # "19/11/2019", "19.11.2019"

    def patterns(self) -> tuple[tuple[re.Pattern[str], str], ...]:
        return ((self.mdy, "mdy"), (self.dmy, "dmy"), (self.iso, "ymd"), (self.numeric, "num"))


@lru_cache(maxsize=1)
def text_dates() -> TextDates:
    from dateutil.parser import parserinfo
    numbers = {name.lower(): number for number, names in enumerate(parserinfo.MONTHS, start=1)
               for name in names}
    month = "(?:" + "|".join(sorted(numbers, key=lambda name: (-len(name), name))) + r")\.?"
    return TextDates(
        month_numbers=numbers,
        mdy=re.compile(rf"\b({month})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE),
        dmy=re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({month}),?\s+(\d{{4}})\b", re.IGNORECASE),
        iso=re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"),
        numeric=re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"),
    )


# Every pattern of `text_dates` holds a four-digit year: a text without four digits in a row has no date.
FOUR_DIGITS = re.compile(r"\d{4}")


def find_date(text: str) -> dt.date | None:
    """The first calendar date written in the text (see the module docstring), or None. When the first
    match of a pattern is not a real day ("February 30, 2024"), the next pattern is tried."""
    if FOUR_DIGITS.search(text) is None:
        return None
    grammar = text_dates()
    for pattern, order in grammar.patterns():
        match = pattern.search(text)
        if match:
            date = _day(order, match.groups(), grammar.month_numbers)
            if date is not None:
                return date
    return None


def _day(order: str, groups: tuple[str, ...], month_numbers: dict[str, int]) -> dt.date | None:
    a, b, c = groups
    try:
        if order == "mdy":
            return dt.date(int(c), month_numbers[a.lower().rstrip(".")], int(b))
        if order == "dmy":
            return dt.date(int(c), month_numbers[b.lower().rstrip(".")], int(a))
        if order == "ymd":
            return dt.date(int(a), int(b), int(c))
        day, month = int(a), int(b)
        if month > 12 >= day:
            day, month = month, day
        return dt.date(int(c), month, day)
    except ValueError:
        return None


def without_dates(text: str) -> str:
    """The text with every date `find_date` could read replaced by a space."""
    for pattern, _ in text_dates().patterns():
        text = pattern.sub(" ", text)
    return text
