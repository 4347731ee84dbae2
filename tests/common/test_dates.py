"""stages.common.dates: the one absolute-date parser (a date field; the first date written in a line)."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from hypothesis import given, settings, strategies as st

from stages.common.dates import DATE_FORMATS, find_date, parse_date, without_dates


# ------------------------------------------------------------------------------------------ parse_date

@pytest.mark.parametrize("value,day", [
    ("2024-07-28", dt.date(2024, 7, 28)), ("2024-07-28T10:00:00Z", dt.date(2024, 7, 28)),
    (" 2024-07-28 10:00 ", dt.date(2024, 7, 28)), ("26-FEB-1987 15:01:01.79", dt.date(1987, 2, 26)),
    ("26-Feb-1987", dt.date(1987, 2, 26)), ("2024/07/28", dt.date(2024, 7, 28)),
    ("28 July 2024", dt.date(2024, 7, 28)), ("July 28, 2024", dt.date(2024, 7, 28)),
    ("Sun, 28 Jul 2024 10:00:00 +0000", dt.date(2024, 7, 28)), ("2024-7-8", dt.date(2024, 7, 8)),
    (dt.date(2024, 7, 28), dt.date(2024, 7, 28)), (dt.datetime(2024, 7, 28, 23, 59), dt.date(2024, 7, 28)),
    ("2024/7/x", None), ("2024-02-30", None), ("28/07/2024", None), ("July 2024", None), ("", None),
    (None, None), (20240728, None), (True, None), ("2024-07-28xyz", None),
])
def test_parse_date_reads_the_formats_of_feeds_and_pages_only(value, day):
    assert parse_date(value) == day


def parse_date_every_format(value):
    """parse_date without the shortcut that skips the numeric formats for text with a letter."""
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
        text = text[:10]
    for fmt in DATE_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


DATE_PIECES = ["2024", "1987", "07", "7", " 7", "28", "31", "-", "/", " ", ", ", ":", ".", "79", "FEB", "Feb",
               "february", "July", "Sun", "+0000", "Z", "T", "x", "\u0662\u0660\u0662\u0664", "\xa0"]
FORMATTED_DATES = st.tuples(st.datetimes(), st.sampled_from(DATE_FORMATS)).map(
    lambda date_and_format: date_and_format[0].strftime(date_and_format[1]))


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(DATE_PIECES), max_size=12).map("".join), FORMATTED_DATES,
                 st.text(max_size=20)))
def test_skipping_numeric_formats_for_text_with_letters_changes_nothing(text):
    assert parse_date(text) == parse_date_every_format(text)


# ------------------------------------------------------------------------------------------- find_date

@pytest.mark.parametrize("text,day", [
    ("Sunday, May 19, 2024", dt.date(2024, 5, 19)), ("Updated : 19 November 2019, 09:01 AM", dt.date(2019, 11, 19)),
    ("on the 5th of Sept. 2020 in Rome", dt.date(2020, 9, 5)), ("SEPT 5, 2020", dt.date(2020, 9, 5)),
    ("Posted 2024-05-19 08:00", dt.date(2024, 5, 19)), ("19/11/2019", dt.date(2019, 11, 19)),
    ("11/12/2019", dt.date(2019, 12, 11)), ("12.31.2019", dt.date(2019, 12, 31)),   # day first unless impossible
    ("February 30, 2024 or 2024-03-01", dt.date(2024, 3, 1)),   # not a real day: the next pattern
    ("Mayday 19, 2024", None), ("Sepember 30, 1987", None), ("in 2024", None), ("", None),
])
def test_find_date_gives_the_first_real_day_written_in_the_text(text, day):
    assert find_date(text) == day


def test_without_dates_leaves_the_words_around_the_dates():
    assert without_dates("Updated: May 19, 2024 and 2024-05-20, 9/11/2001.").split() == \
        ["Updated:", "and", ",", "."]


# The parser clean had before (stages/clean/metadata.py), as the oracle: its month pattern also took the
# misspelling "sepember" (one Reuters line has it; not a dateline); the shared one reads real month names only.
OLD_MONTH = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
            r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
OLD_PATTERNS = [
    (re.compile(rf"\b({OLD_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE), "mdy"),
    (re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({OLD_MONTH}),?\s+(\d{{4}})\b", re.IGNORECASE), "dmy"),
    (re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"), "ymd"),
    (re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b"), "num"),
]
OLD_MONTHS = {name: i + 1 for i, name in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep",
                                                     "oct", "nov", "dec"])}


def old_find_date(text):
    for pattern, order in OLD_PATTERNS:
        match = pattern.search(text)
        if not match:
            continue
        a, b, c = match.groups()
        month = lambda name: OLD_MONTHS[name.lower().rstrip(".")[:3]]
        try:
            if order == "mdy":
                return dt.date(int(c), month(a), int(b))
            if order == "dmy":
                return dt.date(int(c), month(b), int(a))
            if order == "ymd":
                return dt.date(int(a), int(b), int(c))
            day, month_ = int(a), int(b)
            if month_ > 12 >= day:
                day, month_ = month_, day
            return dt.date(int(c), month_, day)
        except ValueError:
            continue
    return None


def old_without_dates(text):
    for pattern, _ in OLD_PATTERNS:
        text = pattern.sub(" ", text)
    return text


MONTH_PIECES = ["May", "may.", "Sept", "Sept.", "sep", "SEPTEMBER", "june", "Jun.", "jul", "Mar", "march", "19",
                "5th", "1st", " ", ", ", "of ", "2024", "1987", "-", "/", ".", "12", "31", "30", "02", "13", "feb",
                "February", "Mon", "x", "2024-02-30", "Dec.", "dec"]


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(MONTH_PIECES), max_size=10).map("".join))
def test_find_date_reads_what_the_old_clean_parser_read(text):
    assert find_date(text) == old_find_date(text)
    assert without_dates(text) == old_without_dates(text)


@pytest.mark.parametrize("text", ["Updated May 19, 24", "19 Nov 201", "3:45 PM", "١٩ مايو ٢٠٢٤", "May 19, ２０２４"])
def test_find_date_without_four_digits_in_a_row_is_none_and_unicode_digits_still_count(text):
    from stages.common.dates import FOUR_DIGITS, text_dates
    assert (FOUR_DIGITS.search(text) is None) <= (find_date(text) is None)
    full = next((m for p, _ in text_dates().patterns() for m in [p.search(text)] if m), None)
    assert (full is None) or FOUR_DIGITS.search(text) is not None
