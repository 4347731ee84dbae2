"""Dates: temporal expressions, resolved against the document's published_date (the base date).

Each sentence is scanned with a few linear regular expressions (no parser, no dateutil):

| expression                          | granularity | resolution                                             |
| ----------------------------------- | ----------- | ------------------------------------------------------ |
| "May 19, 2024", "19 May 2024", ISO  | day         | absolute (no base date needed)                         |
| "July 2024"                         | month       | absolute                                               |
| "in 2023", "since 2014"             | year        | absolute (a bare year needs a cue word before it)      |
| "Oct. 7", "7 October"               | day         | most recent past one on or before the base date        |
| "Sunday", "on Monday"               | day         | most recent past one on or before the base date, or the|
|                                     |             | next one on or after it when the sentence is future    |
| "in July", "since November"         | month       | most recent past month on or before the base month     |
|                                     |             | (future the same way as weekdays)                      |
| "last/next/this Monday|July"        | day / month | strictly before / strictly after / nearest             |
| "today", "yesterday", "tomorrow"    | day         | base date + offset                                     |
| "last week", "this month", ...      | week/month/year | the period containing base +- one unit             |
| "three weeks ago", "two days ago"   | unit        | base minus N units, reported at the unit's granularity |

Tense rule (news convention with a cheap cue): a bare weekday or month is put in the future only when
the nearest tense marker in its sentence is a future cue ("plans to", "will", "may"), so "On Monday,
Hamas's leadership plans to convene" is the Monday after a Sunday base date, while "Israel said on
Sunday that it will ..." stays in the past. Cue lists are in data/date_words.yaml.

Speed (outputs unchanged): each pattern family (numbers, month names, weekday names, relative words) has
a cheap literal trigger that every match contains; a sentence is scanned only with the patterns whose
trigger it has (most sentences have none), the case-insensitive triggers and tense cues on its lower case.

No invented days: `date` is the first day of the stated period and `date_end` its last day, and
`granularity` says which of them the text pins ("Earlier in July" -> month, 1 to 31 July). A relative
expression in a document without a published date has a null date (resolution "unresolved").
"""
from __future__ import annotations

import calendar
import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import polars as pl
from typing_extensions import TypedDict

from schemas.params import Dates as DatesParams
from schemas.tag import Dates
from stages.tag import data_file_spec
from stages.tag.lexicon import (CASE_UNSAFE_RE, alternation, data_yaml, iter_sentences, lower_set, number_parser,
                                rows_frame)

_FULL_MONTH_NAMES = frozenset(name.lower() for name in calendar.month_name if name)


@data_file_spec
class DateWordsFile(TypedDict):
    """data/date_words.yaml."""
    months: dict[str, int]
    weekdays: dict[str, int]
    month_cues: list[str]
    relative_days: dict[str, int]
    relative_units: list[str]
    ago_numbers: list[str]
    future_cues: list[str]
    past_cues: list[str]


class _DateLexicon:
    def __init__(self) -> None:
        words = data_yaml("date_words.yaml", DateWordsFile)
        self.months: dict[str, int] = {k.lower(): v for k, v in words["months"].items()}
        self.weekdays: dict[str, int] = {k.lower(): v for k, v in words["weekdays"].items()}
        self.relative_days: dict[str, int] = {k.lower(): v for k, v in words["relative_days"].items()}
        self.month_cues = lower_set(words["month_cues"])
        self.weekday_names = [w.title() for w in self.weekdays if len(w) > 3]     # no "Sun", "Sat" alone
        self.patterns = self._patterns(words)
        self._triggers(words)
        self.future_re = _cue_regex(words["future_cues"])
        self.past_re = re.compile(rf"(?:{_cue_regex(words['past_cues']).pattern})|\b[A-Za-z]{{2,}}ed\b",
                                  re.IGNORECASE)
        # the same two on lower-cased text (see CASE_UNSAFE_RE): IGNORECASE scanning is several times slower
        self.future_lower_re = re.compile(_factored_cue_pattern(words["future_cues"]))
        self.past_lower_re = re.compile(rf"{_factored_cue_pattern(words['past_cues'])}|\b[A-Za-z]{{2,}}ed\b")
        # the word ending a text; linear time: an attempt starts only where a letter run starts (the
        # lookbehind) and takes the run and the trailing whitespace whole (possessive, nothing to give back)
        self.prev_word_re = re.compile(r"(?<![A-Za-z])([A-Za-z]++-?)\s*+$")

    def _patterns(self, words: DateWordsFile) -> list[tuple[str, re.Pattern[str]]]:
        """The expressions, most specific first (a later pattern never overlaps an earlier match)."""
        units = alternation(words["relative_units"])
        full_names = [m for m in self.months if m in _FULL_MONTH_NAMES]
        abbreviations = [m for m in self.months if m not in _FULL_MONTH_NAMES]
        # only an abbreviation takes a dot ("Oct. 7"); a full name before a full stop leaves it alone
        month = (rf"(?P<month>(?:{alternation([m.title() for m in full_names])})\b"
                 rf"|(?:{alternation([m.title() for m in abbreviations])})\b\.?)")
        weekday = rf"(?:{alternation(self.weekday_names)})\b"
        day = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?\b"
        year = r"(?P<year>1[89]\d\d|20\d\d)\b"
        ago_numbers = "|".join(re.escape(n) for n in words["ago_numbers"])
        return [
            ("iso", re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})\b")),
            ("month_day", re.compile(rf"(?:{weekday},?\s+)?\b{month}\s+{day}(?:,?\s+{year})?(?!\s*[,.]?\d)")),
            ("day_month", re.compile(rf"(?:{weekday},?\s+)?\b{day}\s+{month}(?:,?\s+{year})?")),
            ("month_year", re.compile(rf"\b{month}(?:,?\s+(?:of\s+)?){year}")),
            ("weekday", re.compile(rf"\b(?:(?P<mod>[Ll]ast|[Nn]ext|[Tt]his)\s+)?(?P<weekday>{weekday})")),
            ("month", re.compile(rf"\b(?:(?P<mod>[Ll]ast|[Nn]ext|[Tt]his)\s+)?{month}")),
            ("year", re.compile(rf"\b{year}(?![\w%]|[,.-]\d)")),
            ("relative_day", re.compile(rf"\b(?P<rel>{alternation(list(self.relative_days))})\b", re.IGNORECASE)),
            ("relative_unit", re.compile(
                rf"\b(?P<mod>last|next|this|earlier\s+this|later\s+this)\s+(?P<unit>{units})\b", re.IGNORECASE)),
            ("ago", re.compile(rf"\b(?P<n>\d+|{ago_numbers})"
                               rf"\s+(?P<unit>day|{units})s?\s+ago\b", re.IGNORECASE)),
        ]

    def _triggers(self, words: DateWordsFile) -> None:
        """Prefilter: every pattern needs a literal trigger of its family somewhere in the sentence; most
        sentences have none, and a sentence is only scanned with the patterns whose trigger it has.
        Case-sensitive triggers run on the text, the IGNORECASE families' triggers on its lower case.
        A family's trigger is a necessary part of each of its patterns' matches (written without \\b)."""
        self.family_of = {"iso": "digits", "year": "digits", "month_day": "month", "day_month": "month",
                          "month_year": "month", "month": "month", "weekday": "weekday",
                          "relative_day": "relative_day", "relative_unit": "relative_unit", "ago": "ago"}
        self.name_gate = re.compile(alternation([m.title() for m in self.months] + self.weekday_names))
        self.month_trigger = re.compile(alternation([m.title() for m in self.months]))
        self.weekday_trigger = re.compile(alternation(self.weekday_names))
        self.digits_trigger = re.compile(r"\d\d\d\d")         # faster than \d{4} in CPython's re
        # the IGNORECASE families, on the lower-cased sentence: substring tests, the fastest scan there is
        self.relative_day_words = tuple(sorted({k.split()[0] for k in self.relative_days}))
        self.unit_words = tuple(sorted({u.lower().split()[0] for u in words["relative_units"]}))
        lower_units = alternation([u.lower() for u in words["relative_units"]])
        # "earlier this" and "later this" end in "this"
        self.unit_trigger = re.compile(rf"(?:last|next|this)\s+(?:{lower_units})")


def _factored_cue_pattern(cues: list[str]) -> str:
    """_cue_regex's alternation for lower-cased text with the word boundaries factored out, so that the
    engine tests one boundary and then the cues' first letters at each position, instead of entering
    every alternative: "(?:\\b(?:cue|...)|(?:'ll|...))\\b". Same matches in the same order: cues of the
    two groups cannot start at the same position (letter or digit vs not), and a common prefix or suffix
    of ordered alternatives can be factored out without changing which one wins."""
    ordered = sorted({c.lower() for c in cues}, key=lambda c: (-len(c), c))
    bodies = {c: r"\s+".join(re.escape(w) for w in c.split()) for c in ordered}
    words = "|".join(bodies[c] for c in ordered if c[0].isalnum())
    others = "|".join(bodies[c] for c in ordered if not c[0].isalnum())
    return rf"(?:\b(?:{words})" + (rf"|(?:{others})" if others else "") + r")\b"


def _cue_regex(cues: list[str], flags: re.RegexFlag = re.IGNORECASE) -> re.Pattern[str]:
    parts = []
    for cue in sorted(set(cues), key=lambda c: (-len(c), c)):
        body = r"\s+".join(re.escape(w) for w in cue.split())
        parts.append((r"\b" if cue[0].isalnum() else "") + body + r"\b")
    return re.compile("|".join(parts), flags)


@functools.lru_cache(maxsize=None)
def _lexicon() -> _DateLexicon:
    return _DateLexicon()


def _month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _shift_month(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _is_future(sentence: str, start: int, end: int, lex: _DateLexicon) -> bool:
    """True when the tense marker nearest to [start, end) in the sentence is a future cue."""
    def distance(m: re.Match[str]) -> int:
        return start - m.end() if m.end() <= start else max(0, m.start() - end)
    if CASE_UNSAFE_RE.search(sentence):
        text, future_re, past_re = sentence, lex.future_re, lex.past_re
    else:                                   # same matches, same offsets, without slow IGNORECASE scanning
        text, future_re, past_re = sentence.lower(), lex.future_lower_re, lex.past_lower_re
    future = [distance(m) for m in future_re.finditer(text)]
    if not future:
        return False
    past = [distance(m) for m in past_re.finditer(text)
            if not (start <= m.start() < end)]
    return min(future) < min(past, default=10**9)


Resolved = tuple[dt.date | None, dt.date | None, str, bool, str]   # date, date_end, granularity, relative, how


@dataclass(slots=True)
class _Match:
    """One match of a pattern, with what resolving it needs: its sentence and the base date."""
    m: re.Match[str]
    groups: dict[str, str | None]
    sentence: str
    base: dt.date | None
    lex: _DateLexicon
    params: DatesParams

    def group(self, name: str) -> str | None:
        return self.groups.get(name)

    def word_before(self) -> str | None:
        """The word right before the match (lower case, a trailing hyphen kept), if any."""
        prev = self.lex.prev_word_re.search(self.sentence[max(0, self.m.start() - 12):self.m.start()])
        return prev.group(1).lower() if prev else None

    def future(self, mod: str) -> bool:
        """A bare weekday or month points forward after "next", or when the nearest tense cue is future."""
        return mod == "next" or (not mod and self.params.use_tense_cues
                                 and _is_future(self.sentence, self.m.start(), self.m.end(), self.lex))


def _day(d: dt.date | None, relative: bool, how: str) -> Resolved | None:
    return (d, d, "day", relative, how) if d else None


def _month_period(year: int, month: int, relative: bool, how: str) -> Resolved:
    return dt.date(year, month, 1), _month_end(year, month), "month", relative, how


def _resolve_iso(x: _Match) -> Resolved | None:
    return _day(_safe_date(int(x.group("year")), int(x.group("mon")), int(x.group("day"))), False, "absolute")


def _resolve_month_day(x: _Match) -> Resolved | None:
    """"Oct. 7", "7 October", "May 19, 2024": absolute with a year, else the most recent past one."""
    month, day = x.lex.months[x.group("month").rstrip(".").lower()], int(x.group("day"))
    if not 1 <= day <= 31:
        return None
    if x.group("year"):
        return _day(_safe_date(int(x.group("year")), month, day), False, "absolute")
    if x.base is None:
        return None, None, "day", True, "unresolved"
    d = _safe_date(x.base.year, month, day)
    if d is None or d > x.base:
        d = _safe_date(x.base.year - 1, month, day)
    return d, d, "day", True, "past"


def _resolve_month_year(x: _Match) -> Resolved | None:
    return _month_period(int(x.group("year")), x.lex.months[x.group("month").rstrip(".").lower()], False, "absolute")


def _resolve_year(x: _Match) -> Resolved | None:
    """"in 2023", "since 2014": a bare year needs a cue word before it."""
    year = int(x.group("year"))
    if not x.params.min_year <= year <= x.params.max_year:
        return None
    before = x.word_before()
    if before is None or before.rstrip("-") not in x.lex.month_cues | {"year"}:
        return None
    return dt.date(year, 1, 1), dt.date(year, 12, 31), "year", False, "absolute"


def _resolve_month(x: _Match) -> Resolved | None:
    """"in July", "last November": the most recent past month (or the next one, when future)."""
    written = x.group("month")
    name = written.rstrip(".").lower()
    if name not in x.lex.months or (len(name) <= 3 and not written.endswith(".") and name != "may"):
        return None                                     # "Mar", "Dec" alone are too ambiguous
    mod = (x.group("mod") or "").lower()
    if not mod and x.word_before() not in x.lex.month_cues:
        return None
    month = x.lex.months[name]
    if x.base is None:
        return None, None, "month", True, "unresolved"
    base = x.base
    if x.future(mod):
        year = base.year if month >= base.month + (1 if mod == "next" else 0) else base.year + 1
        return _month_period(year, month, True, "future")
    strict = mod == "last"
    year = base.year if month < base.month + (0 if strict else 1) else base.year - 1
    return _month_period(year, month, True, "past")


def _resolve_weekday(x: _Match) -> Resolved | None:
    """"Sunday", "on Monday", "next Friday": the most recent past one, or the next one when future."""
    weekday = x.lex.weekdays[x.group("weekday").lower()]
    if x.base is None:
        return None, None, "day", True, "unresolved"
    mod = (x.group("mod") or "").lower()
    if x.future(mod):
        ahead = (weekday - x.base.weekday()) % 7
        return _day(x.base + dt.timedelta(days=ahead or (7 if mod == "next" else 0)), True, "future")
    back = (x.base.weekday() - weekday) % 7
    return _day(x.base - dt.timedelta(days=back or (7 if mod == "last" else 0)), True, "past")


def _resolve_relative_day(x: _Match) -> Resolved | None:
    if x.base is None:
        return None, None, "day", True, "unresolved"
    return _day(x.base + dt.timedelta(days=x.lex.relative_days[x.group("rel").lower()]), True, "offset")


def _unit_offset(x: _Match) -> int:
    """How many units from the base: "three weeks ago" -3, "last month" -1, "this year" 0."""
    if x.group("n") is not None:
        n = x.group("n").lower()
        return -(1 if n in ("a", "an") else number_parser().parse(n) or 0)
    return {"last": -1, "next": 1}.get(" ".join(x.group("mod").lower().split()), 0)


def _resolve_relative_unit(x: _Match) -> Resolved | None:
    """"last week", "this month", "two days ago": the period containing the base shifted by units."""
    unit = x.group("unit").lower()
    by = _unit_offset(x)
    if x.base is None:
        return None, None, unit, True, "unresolved"
    try:
        return _shifted_period(x.base, unit, by)
    except (ValueError, OverflowError):     # outside the calendar ("3000 years ago"): no date, no exception
        return None, None, unit, True, "unresolved"


def _shifted_period(base: dt.date, unit: str, by: int) -> Resolved | None:
    """The day, week, month or year containing `base`, shifted by `by` units (ValueError or OverflowError
    when that lies outside datetime's years 1..9999)."""
    if unit == "day":
        return _day(base + dt.timedelta(days=by), True, "offset")
    if unit == "week":
        monday = base - dt.timedelta(days=base.weekday()) + dt.timedelta(weeks=by)
        return monday, monday + dt.timedelta(days=6), "week", True, "offset"
    if unit == "month":
        return _month_period(*_shift_month(base.year, base.month, by), True, "offset")
    return dt.date(base.year + by, 1, 1), dt.date(base.year + by, 12, 31), "year", True, "offset"


_RESOLVERS: dict[str, Callable[[_Match], Resolved | None]] = {
    "iso": _resolve_iso, "month_day": _resolve_month_day, "day_month": _resolve_month_day,
    "month_year": _resolve_month_year, "year": _resolve_year, "month": _resolve_month,
    "weekday": _resolve_weekday, "relative_day": _resolve_relative_day, "relative_unit": _resolve_relative_unit,
    "ago": _resolve_relative_unit,
}


def _families_in(sentence: str, lex: _DateLexicon) -> set[str]:
    """Pattern families whose trigger occurs in the sentence (a superset of those that can match)."""
    found = set()
    if lex.name_gate.search(sentence):     # one scan for both name families, then which ones
        if lex.month_trigger.search(sentence):
            found.add("month")
        if lex.weekday_trigger.search(sentence):
            found.add("weekday")
    if lex.digits_trigger.search(sentence):
        found.add("digits")
    if CASE_UNSAFE_RE.search(sentence):     # lower() is no proxy for IGNORECASE here
        found.update(("relative_day", "relative_unit", "ago"))
        return found
    lowered = sentence.lower()
    if any(word in lowered for word in lex.relative_day_words):
        found.add("relative_day")
    if any(unit in lowered for unit in lex.unit_words) and lex.unit_trigger.search(lowered):
        found.add("relative_unit")
    if "ago" in lowered:
        found.add("ago")
    return found


def _dates_in_sentence(sentence: str, base: dt.date | None, p: DatesParams
                       ) -> Iterator[tuple[int, int, Resolved]]:
    lex = _lexicon()
    families = _families_in(sentence, lex)
    if not families:
        return
    taken: list[tuple[int, int]] = []
    # patterns are listed most specific first; a later pattern never overlaps an earlier match
    for kind, pattern in lex.patterns:
        if lex.family_of[kind] not in families:
            continue                        # its trigger is absent: it cannot match
        for m in pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e in taken):
                continue
            resolved = _RESOLVERS[kind](_Match(m, m.groupdict(), sentence, base, lex, p))
            if resolved is None:
                continue
            taken.append((m.start(), m.end()))
            yield m.start(), m.end(), resolved


def extract_dates(docs: pl.DataFrame, sentences: pl.DataFrame, params: DatesParams) -> pl.DataFrame:
    """One row per temporal expression (schemas.tag.Dates)."""
    bases = dict(zip(docs["doc_id"].to_list(), docs["published_date"].to_list()))
    rows: list[dict[str, Any]] = []
    for doc_id, sent_id, sent_start, sentence in iter_sentences(docs, sentences):
        base = bases.get(doc_id)
        for start, end, (date, date_end, granularity, relative, how) in _dates_in_sentence(sentence, base, params):
            rows.append({"doc_id": doc_id, "sent_id": sent_id, "start": sent_start + start,
                         "end": sent_start + end, "text": sentence[start:end], "date": date,
                         "date_end": date_end, "granularity": granularity, "relative": relative,
                         "resolved": date is not None, "resolution": how})
    return rows_frame(rows, Dates, ["doc_id", "start", "end"])
