"""TIMEX3 temporal expressions, resolved against a base date: the document's published_date in the tag
stage (`stages.tag.dates`), a dated copy's in aggregate's story dates (`stages.aggregate.story_dates`).

Each sentence is scanned with a few linear regular expressions (no parser, no dateutil):

| expression                          | granularity | resolution                                             |
| ----------------------------------- | ----------- | ------------------------------------------------------ |
| "May 19, 2024", "19 May 2024", ISO  | day         | absolute (no base date needed)                         |
| "July 2024"                         | month       | absolute                                               |
| "in 2023", "the 1996 Olympics"     | year        | absolute (a bare year too; never after "$", "No.")     |
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
Sunday that it will ..." stays in the past. Cue lists are in stages/common/data/date_words.yaml.

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
from typing import Any, Callable, Iterable, Iterator

from typing_extensions import Required, TypedDict

from schemas.params import Dates as DatesParams
from stages.common.words import CASE_UNSAFE_RE, alternation, common_yaml, data_file_spec, lower_set, number_parser

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
    near_past_cues: list[str]
    forward_words: list[str]
    not_past_ed: list[str]


class _Part(TypedDict):
    code: str
    months: int


class _Season(TypedDict):
    code: str
    month: int


class _Unit(TypedDict):
    code: str
    times: int


class _Holiday(TypedDict, total=False):
    month: Required[int]
    day: Required[int]
    weekday: int


@data_file_spec
class TimexGrammarFile(TypedDict):
    """data/timex_grammar.yaml: the words and TIMEX3 values of the normalisation grammar."""
    references: dict[str, str]
    reference_not_before: dict[str, list[str]]
    ordinals: dict[str, int]
    year_parts: dict[str, _Part]
    part_modifiers: dict[str, int]
    part_anaphora: list[str]
    year_offsets: dict[str, int]
    part_of_year: dict[str, int]
    halves_of_quarters: dict[str, int]
    part_anaphora_words: list[str]
    period_anaphora: list[str]
    narrative_steps: dict[str, int]
    narrative_units: list[str]
    narrative_day_steps: dict[str, int]
    narrative_same: list[str]
    then_after: list[str]
    elliptic_last_after: list[str]
    todays_generic_nouns: list[str]
    todays_day_nouns: list[str]
    todays_verbs: list[str]
    generic_days: list[str]
    generic_day_not_after: list[str]
    seasons: dict[str, _Season]
    season_cues: list[str]
    decade_modifiers: list[str]
    decade_words: dict[str, int]
    fiscal_words: list[str]
    weekend_modifiers: dict[str, int]
    weekend_of: list[str]
    times_of_day: dict[str, str]
    time_of_day_days: dict[str, int]
    time_of_day_after: dict[str, int]
    duration_units: dict[str, _Unit]
    duration_numbers: dict[str, int]
    duration_vague: list[str]
    duration_fraction_units: list[str]
    duration_ordinal_units: list[str]
    duration_prefixes: list[str]
    vague_duration_before: list[str]
    vague_duration_after: list[str]
    set_quantifiers: list[str]
    set_words: dict[str, str]
    year_earlier: list[str]
    year_earlier_deictic: list[str]
    this_year: list[str]
    year_duration_after: list[str]
    spoken_centuries: dict[str, int]
    spoken_day_ordinals: dict[str, int]
    spoken_day_tens: dict[str, int]
    spoken_years: dict[str, int]
    century_words: list[str]
    holidays: dict[str, _Holiday]
    time_zones: list[str]


class _DateLexicon:
    def __init__(self) -> None:
        words = common_yaml("date_words.yaml", DateWordsFile)
        self.grammar: TimexGrammarFile = common_yaml("timex_grammar.yaml", TimexGrammarFile)
        self.months: dict[str, int] = {k.lower(): v for k, v in words["months"].items()}
        self.weekdays: dict[str, int] = {k.lower(): v for k, v in words["weekdays"].items()}
        self.relative_days: dict[str, int] = {k.lower(): v for k, v in words["relative_days"].items()}
        self.month_cues = lower_set(words["month_cues"])
        self.forward_words = lower_set(words["forward_words"])
        self.weekday_names = [w.title() for w in self.weekdays if len(w) > 3]     # no "Sun", "Sat" alone
        self.patterns = self._patterns(words)
        self._triggers(words)
        # factored alternations (see _factored_cue_pattern): the same matches as _cue_regex's, 4-5x faster
        # on bench/regex_redos.py's inputs (the unfactored IGNORECASE ones ran past its 5 s cap on a busy host)
        # any "-ed" word is a past cue too, except the future cues written so ("scheduled") and the words of
        # not_past_ed ("two hundred", "need")
        ed_future = alternation([c.lower() for c in words["future_cues"] if c.isalpha() and c.endswith("ed")]
                                + [w.lower() for w in words["not_past_ed"]])
        ed_past = rf"\b(?!(?:{ed_future})\b)[A-Za-z]{{2,}}ed\b" if ed_future else r"\b[A-Za-z]{2,}ed\b"
        self.future_re = re.compile(_factored_cue_pattern(words["future_cues"]), re.IGNORECASE)
        self.past_re = re.compile(rf"{_factored_cue_pattern(words['past_cues'])}|{ed_past}", re.IGNORECASE)
        # the same two on lower-cased text (see CASE_UNSAFE_RE): IGNORECASE scanning is several times slower
        self.future_lower_re = re.compile(_factored_cue_pattern(words["future_cues"]))
        self.past_lower_re = re.compile(rf"{_factored_cue_pattern(words['past_cues'])}|{ed_past}")
        # the word ending a text; linear time: an attempt starts only where a letter run starts (the
        # lookbehind) and takes the run and the trailing whitespace whole (possessive, nothing to give back)
        self.near_past_re = _cue_regex(words["near_past_cues"])
        self.prev_word_re = re.compile(r"(?<![A-Za-z])([A-Za-z]++-?)\s*+$")
        # "the quarter ended Sept. 30": the day that closes the period named right before it, which stays
        # the one an anaphoric expression reads ("... from $623.5 million a year ago": that quarter a year
        # back); after "the six months ended Aug. 12" (no period) the day is the one
        # (linear: a run of spaces is entered only at its start and taken whole)
        # "today's" + (one adjective) + a plural or generic noun, not a verb; "today's" + a day's noun
        # (linear: each letter run and space run is taken whole)
        g = self.grammar
        self.todays_generic_re = re.compile(
            rf"['\u2019]s[ \t]++(?:(?![a-z]*ing\b)[a-z]++[ \t]++)?(?!(?:{alternation(g['todays_verbs'])})\b)"
            rf"(?:[a-z]*s|{alternation(g['todays_generic_nouns'])})\b")
        # "the people of tomorrow": a day word after "of" and a noun (not "as of today"), with no "'s" after it
        self.generic_day_before_re = re.compile(
            rf"(?<![A-Za-z])(?!(?:{alternation(g['generic_day_not_after'])})\s)[A-Za-z]++\s++of\s++$", re.IGNORECASE)
        self.generic_days = lower_set(g["generic_days"])
        self.todays_day_re = re.compile(rf"['\u2019]s\s++(?:{alternation(g['todays_day_nouns'])})\b")
        # "this year as high as last", "this year and last": "this" + a unit, a few words and a connective
        # right before the elliptic "last" (linear: each word and space run is taken whole)
        self.elliptic_last_re = re.compile(
            rf"(?<![A-Za-z])this\s++(?P<unit>{alternation(words['relative_units'])})\b(?:[ \t]++[A-Za-z]++){{0,4}}?"
            rf"[ \t]++(?:{alternation(g['elliptic_last_after'])})[ \t]++$", re.IGNORECASE)
        self.period_end_re = re.compile(rf"(?<!\s)\s++(?:{alternation(self.grammar['year_duration_after'])})\s++",
                                        re.IGNORECASE)

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
        times_of_day = alternation(list(self.grammar["times_of_day"]))
        rel = r"(?P<rel>[Ll]ast|[Tt]his|[Nn]ext)"
        base = {
            "iso": re.compile(r"\b(?P<year>\d{4})-(?P<mon>\d{2})-(?P<day>\d{2})\b"),
            "month_day": re.compile(rf"(?:{weekday},?\s+)?\b{month}\s+{day}(?:,?\s+{year})?(?!\s*[,.]?\d)"),
            "day_month": re.compile(rf"(?:{weekday},?\s+)?\b{day}\s+{month}(?:,?\s+{year})?"),
            # "June last year", "Oct. 19 last year", "March 3 of next year": one expression, in that year
            "month_rel_year": re.compile(rf"\b{month}(?:\s+{day},?)?\s+(?:of\s+)?{rel}\s+year\b(?!['\u2019])"),
            # "March eighth", "this coming Sunday, March eighth", "January twenty-first, 1998" (a full month name)
            "spoken_day": re.compile(
                rf"(?:\b(?:(?:[Tt]his(?:\s+coming)?|[Nn]ext|[Tt]he\s+coming)\s+)?{weekday},?\s+)?"
                rf"\b(?P<month>{alternation([m.title() for m in full_names])})\s+(?:the\s+)?"
                rf"(?i:(?:(?P<tens>{alternation(list(self.grammar['spoken_day_tens']))})[\s-]+)?"
                rf"(?P<sday>{alternation(list(self.grammar['spoken_day_ordinals']))}))\b(?![\w-])"
                rf"(?:,?\s+{year})?"),
            # "Monday of last week": that weekday in that week
            "weekday_rel_week": re.compile(rf"\b(?P<weekday>{weekday})\s+of\s+{rel}\s+week\b"),
            # "the following Monday", "the previous Tuesday": counted from the day last named (narrative)
            "narrative_weekday": re.compile(
                rf"\b[Tt]he\s+(?P<step>{alternation(list(self.grammar['narrative_steps']))})\s+(?P<weekday>{weekday})"),
            # "the weekend of Nov. 4": one expression, the weekend of that day's week (grammar: weekend_of)
            "weekend_of": re.compile(rf"(?i:\b(?:{alternation(self.grammar['weekend_of'])})\s+weekend\s+of\s+)"
                                     rf"{month}\s+{day}(?:,?\s+{year})?(?!\s*[,.]?\d)"),
            "month_year": re.compile(rf"\b{month}(?:,?\s+(?:of\s+)?){year}"),
            "weekday_time": re.compile(rf"\b(?P<weekday>{weekday})\s+(?P<tod>{times_of_day})\b"),
            # "5 p.m. EST Nov. 9", "noon Thursday", "10 p.m. yesterday": a clock time and its day; a weekday
            # followed by its date is one day ("10 a.m. Friday, Dec. 6": the date decides it)
            "clock_day": re.compile(
                rf"(?i:\b(?:(?P<hour>[01]?\d)(?::(?P<minute>[0-5]\d))?\s*(?P<ampm>[ap]\.m\.|[ap]m\b)"
                rf"|(?P<clockword>noon|midnight)\b))(?:\s+(?:{alternation(self.grammar['time_zones'])})\b)?"
                rf"\s+(?:(?:(?:on\s+)?{weekday},?\s+)?{month}\s+{day}(?:,?\s+{year})?"
                rf"|(?:on\s+)?(?P<weekday>{weekday})|(?P<rel>(?i:today|yesterday|tomorrow))\b)"),
            "weekday": re.compile(rf"\b(?:(?P<mod>[Ll]ast|[Nn]ext|[Tt]his(?:\s+coming)?|[Tt]he\s+coming)\s+)?"
                                  rf"(?P<weekday>{weekday})"),
            "month": re.compile(rf"\b(?:(?P<mod>[Ll]ast|[Nn]ext|[Tt]his)\s+)?{month}"),
            "year": re.compile(rf"\b{year}(?![\w%]|[,.-]\d)"),
            "relative_day": re.compile(rf"\b(?P<rel>{alternation(list(self.relative_days))})\b", re.IGNORECASE),
            "relative_unit": re.compile(
                rf"\b(?P<mod>last|next|this\s+past|this|earlier\s+this|later\s+this|the\s+past|the\s+coming)\s+(?P<unit>{units})\b",
                re.IGNORECASE),
            "ago": re.compile(rf"\b(?P<n>\d+|{ago_numbers})"
                              rf"\s+(?P<unit>day|{units})s?\s+(?:ago|(?P<hence>from\s+now))\b", re.IGNORECASE),
        }
        grammar = _grammar_patterns(self.grammar, year)
        self.year_earlier_re = grammar["year_earlier"]
        return [(kind, base[kind] if kind in base else grammar[kind]) for kind in PATTERN_ORDER]

    def _triggers(self, words: DateWordsFile) -> None:
        """Prefilter: every pattern needs a literal trigger of its family somewhere in the sentence; most
        sentences have none, and a sentence is only scanned with the patterns whose trigger it has.
        Case-sensitive triggers run on the text, the IGNORECASE families' triggers on its lower case.
        A family's trigger is a necessary part of each of its patterns' matches (written without \\b)."""
        self.family_of = {"iso": "digits", "year": "digits", "month_day": "month", "day_month": "month",
                          "month_year": "month", "month": "month", "weekend_of": "month", "month_rel_year": "month",
                          "spoken_day": "month",
                          "weekday": "weekday", "weekday_time": "weekday", "weekday_rel_week": "weekday",
                          "narrative_weekday": "weekday",
                          "relative_day": "relative_day",
                          "relative_unit": "relative_unit", "ago": "ago", "clock_day": "clock"}
        # the grammar's patterns: each its own family, triggered by lower-case words every match contains
        self.grammar_triggers = _grammar_triggers(self.grammar)
        self.family_of.update({kind: kind for kind in self.grammar_triggers})
        # a kind is triggered when one of its words is in the lower-cased sentence; a word holding another
        # of its kind's words ("days", "day") is left out, its presence implying the shorter one's. One
        # substring search per word left (~50) is twice as fast as one regex alternation over all of them.
        kinds_of_word: dict[str, set[str]] = {}
        for kind, kind_words in self.grammar_triggers.items():
            for word in kind_words:
                if not any(other != word and other in word for other in kind_words):
                    kinds_of_word.setdefault(word, set()).add(kind)
        self.trigger_words = tuple((word, tuple(sorted(kinds))) for word, kinds in sorted(kinds_of_word.items()))
        self.name_gate = re.compile(alternation([m.title() for m in self.months] + self.weekday_names))
        self.month_trigger = re.compile(alternation([m.title() for m in self.months]))
        self.weekday_trigger = re.compile(alternation(self.weekday_names))
        self.digits_trigger = re.compile(r"\d\d\d\d")         # faster than \d{4} in CPython's re
        # the IGNORECASE families, on the lower-cased sentence: substring tests, the fastest scan there is
        self.relative_day_words = tuple(sorted({k.split()[0] for k in self.relative_days}))
        self.unit_words = tuple(sorted({u.lower().split()[0] for u in words["relative_units"]}))
        lower_units = alternation([u.lower() for u in words["relative_units"]])
        # "earlier this" and "later this" end in "this"
        self.unit_trigger = re.compile(rf"(?:last|next|this|past|coming)\s+(?:{lower_units})")


# Every pattern, most specific first: a later pattern never overlaps an earlier match (so "June last year"
# is one expression, "the third quarter of 1990" is not a quarter plus a year, "two years ago" is no duration).
PATTERN_ORDER = ("iso", "clock_day", "weekend_of", "year_earlier", "year_part", "fiscal_year", "decade", "century",
                 "spoken_year", "set", "holiday", "month_rel_year", "spoken_day", "month_day", "day_month",
                 "month_year", "weekday_rel_week", "narrative_weekday", "weekday_time", "weekday", "month", "season",
                 "weekend", "year", "this_year", "day_time", "relative_day", "relative_part", "narrative",
                 "elliptic_last", "relative_unit", "ago", "vague_ago", "duration", "vague_duration", "reference")


def _words(phrases: Any) -> str:
    return alternation([p.lower() for p in phrases])


def _reference_words(g: TimexGrammarFile) -> str:
    """The reference words' alternation, each word of `reference_not_before` with a lookahead refusing the
    event nouns it does not name a time before ("the current round of talks")."""
    blocked = {w.lower(): nouns for w, nouns in g["reference_not_before"].items()}
    guarded = [rf"{_words([w])}(?!\s+(?:{_words(nouns)})\b)" for w, nouns in sorted(blocked.items())]
    return "|".join([*guarded, _words([w for w in g["references"] if w.lower() not in blocked])])


def _then_lookbehinds(g: TimexGrammarFile) -> str:
    """One fixed-width lookbehind per word of `then_after` ("until then": the expression is "then")."""
    return "|".join(rf"(?<=\b{re.escape(w.lower())}\s)" for w in g["then_after"])


def _grammar_patterns(g: TimexGrammarFile, year: str) -> dict[str, re.Pattern[str]]:
    """The expressions of data/timex_grammar.yaml (IGNORECASE; each repetition consumes a word: linear)."""
    parts, ordinals, seasons = _words(g["year_parts"]), _words(g["ordinals"]), _words(g["seasons"])
    halves = _words([w for w in g["halves_of_quarters"] if w.lower() not in g["ordinals"]])   # "last two quarters"
    fiscal, units = _words(g["fiscal_words"]), _words(g["duration_units"])
    numbers = _words(number_parser().units)                    # "twenty-four", "one hundred": compounds
    alone = _words([*g["duration_numbers"], *g["duration_vague"]])   # "a", "a couple of", "several": alone
    flags = re.IGNORECASE
    return {
        # "the year-earlier third quarter": that part one year back, one expression
        # "the year-earlier nine months": that stretch, a duration (P9M)
        "year_earlier": re.compile(rf"\b(?:the\s+)?(?P<phrase>{_words(g['year_earlier'])})\b(?!-\w)"
                                   rf"(?:\s+(?P<ord>{ordinals})[\s-]+(?P<part>{parts})\b"
                                   rf"|\s+(?P<n>\d+|{numbers})\s+(?P<unit>{units})s\b|(?=\s+(?P<period>period)\b))?",
                                   flags),
        "year_part": re.compile(
            rf"\b(?:the\s+)?(?:(?P<relyear>{_words(g['year_offsets'])})\s+year['\u2019]s\s+)?"
            rf"(?:(?:(?:{fiscal})\s+)?{year.replace('year>', 'pyear>')}(?:['\u2019]s)?\s+)?(?:(?:{fiscal})[\s-]+)?"
            rf"(?:(?P<ord>{ordinals})[\s-]+(?:(?P<two>two)\s+)?|(?P<ord2>{halves})\s+(?:(?P<two2>two)\s+)?)"
            rf"(?:(?:{fiscal})[\s-]+)?(?P<part>{parts})(?(two)s)(?(two2)s)\b(?!-(?:point|hour|mile))"
            # "the first half of 1990", "first-half 1989 profit", "the first half of next year"
            rf"(?:\s+(?:of\s+(?:(?:{fiscal})\s+)?)?{year}(?![\w%]|[,.-]\d)"
            rf"|\s+of\s+(?P<ofrel>{_words(g['part_of_year'])})\s+year\b(?![\w-]))?",
            flags),
        "fiscal_year": re.compile(rf"\b(?:(?P<mod>{_words(g['part_modifiers'])})\s+(?:{fiscal})\s+year\b"
                                  rf"|(?:{fiscal})(?:\s+year)?\s+{year})", flags),
        "decade": re.compile(rf"\b(?:the\s+)?(?:(?:{_words(g['decade_modifiers'])})\s*)?"
                             rf"(?:(?P<decade>1[5-9]\d|20\d)0'?s\b|(?<=the\s)(?P<word>{_words(g['decade_words'])})\b)",
                             flags),
        "season": re.compile(rf"\b(?:(?P<mod>{_words(g['season_cues'])})\s*)?(?P<season>{seasons})\b"
                             rf"(?:\s+(?:of\s+)?{year})?", flags),
        "weekend": re.compile(rf"\b(?P<mod>{_words(g['weekend_modifiers'])})\s+weekend\b", flags),
        # "this morning", "mid-afternoon", "mid-afternoon yesterday"
        "day_time": re.compile(rf"\b(?P<day>{_words(g['time_of_day_days'])})[\s-]+(?P<tod>{_words(g['times_of_day'])})"
                               rf"\b(?:\s+(?P<after>{_words(g['time_of_day_after'])})\b)?", flags),
        "relative_part": re.compile(rf"\b(?P<mod>{_words(g['part_modifiers'])})\s+"
                                    rf"(?P<part>{parts}|{_words(g['part_anaphora_words'])})\b(?![\w-])",
                                    flags),
        "duration": re.compile(
            rf"\b(?:(?P<prefix>{_words(g['duration_prefixes'])})\s+)?(?:(?P<halfof>half)\s+)?"
            rf"(?P<n>\d+(?:\.\d+)?|(?:{alone})|(?:{numbers})(?:[\s-](?:{numbers})){{0,3}})"
            # "two and a half years", "a year and a half", "half an hour"
            rf"(?:\s+(?P<nhalf>and\s+a\s+half))?(?:\s+more)?[\s-]+(?P<unit>{units})s?\b"
            rf"(?:\s+(?P<andhalf>and\s+a\s+half)\b)?(?!\s+ago\b)", flags),
        # "every week", "each July", "daily"; a weekday in the plural: "on Sundays", "Tuesday nights"
        "set": re.compile(rf"\b(?:(?:{_words(g['set_quantifiers'])})\s+(?P<what>{units}|"
                          rf"{_words(_SET_NAMES)})\b|(?P<word>{_words(g['set_words'])})\b"
                          rf"|(?-i:(?P<days>{_DAY_NAMES}))(?:s|\s+(?P<tods>{_words(g['times_of_day'])})s)\b"
                          # the first of two: "Monday and Tuesday nights"
                          rf"|(?-i:(?P<cday>{_DAY_NAMES}))(?=\s+(?:and|or)\s+(?-i:{_DAY_NAMES})\s+"
                          rf"(?P<ctods>{_words(g['times_of_day'])})s\b))", flags),
        "reference": re.compile(rf"\b(?P<ref>{_reference_words(g)})\b(?!-)", flags),
        "vague_ago": re.compile(rf"\b(?:(?:{_words(g['duration_vague'])})\s+)?(?P<unit>{units})s\s+ago\b", flags),
        "vague_duration": re.compile(
            rf"(?:\b(?:{_words(g['vague_duration_before'])})\s+(?P<unit>{units})s\b(?![\w-])"
            rf"|\b(?P<unit_after>{units})s(?=\s*(?:{_words(g['vague_duration_after'])})\b)"
            rf"|\b(?P<unit_one>{units})-long\b)", flags),
        # "for the year" (not "the year 1990", "the year two thousand"); "the year ended Sept. 30": P1Y
        "this_year": re.compile(rf"\b(?P<phrase>{_words(g['this_year'])})\b(?!-\w|\s+(?:\d|two\s+thousand\b))"
                                rf"(?:(?=\s+(?P<ended>{_words(g['year_duration_after'])})\b)|)", flags),
        # "nineteen ninety-six", "January nineteen ninety-seven" (a full month name, capitalised, before it)
        "spoken_year": re.compile(rf"\b(?:(?-i:(?P<month>{_FULL_MONTHS}))\s+(?:of\s+)?)?"
                                  rf"(?:(?P<century>{_words(g['spoken_centuries'])})[\s-]+(?P<tens>{_TENS})"
                                  rf"(?:[\s-]+(?P<unit>{_UNITS}))?|(?P<whole>{_words(g['spoken_years'])}))\b", flags),
        "century": re.compile(rf"\b(?:the\s+)?(?P<n>\d{{1,2}})(?:st|nd|rd|th)[\s-]+(?:{_words(g['century_words'])})\b",
                              flags),
        "holiday": re.compile(rf"\b(?P<holiday>{_words(g['holidays'])})(?![\w'])", flags),
        # "this year as last": "last" alone before punctuation or the end (`_resolve_elliptic_last` reads the
        # words before it)
        "elliptic_last": re.compile(r"(?<![\w-])last\b(?=\s*+(?:[.,;:!?)]|$))", flags),
        # "the following month", "the preceding day"; "then" of "Until then", "by then" (the lookbehinds fixed-width)
        "narrative": re.compile(rf"\bthe\s+(?:(?P<step>{_words(g['narrative_steps'])})\s+"
                                rf"(?P<unit>{_words(g['narrative_units'])})|(?P<day_step>{_words(g['narrative_day_steps'])})"
                                rf"\s+day)\b(?![\w'\u2019-])"
                                rf"|\b(?P<same>{_words(g['narrative_same'])})\s+(?P<sunit>{_words(g['narrative_units'])})"
                                rf"\b(?![\w'\u2019-])"
                                rf"|(?:{_then_lookbehinds(g)})(?P<then>then)\b(?![\w-])",
                                flags),
    }


_TENS_WORDS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
               "ninety": 90}
_UNIT_WORDS = {w: n for n, w in enumerate(("one", "two", "three", "four", "five", "six", "seven", "eight", "nine"), 1)}
_TENS, _UNITS = "|".join(_TENS_WORDS), "|".join(_UNIT_WORDS)
_FULL_MONTHS = "|".join(name for name in calendar.month_name if name)

# the names a set can be of ("each July", "every Thursday"): data/date_words.yaml's full names
_DAY_NAMES = "|".join(calendar.day_name)
_SET_NAMES = [*(name.lower() for name in calendar.month_name if name), *(d.lower() for d in calendar.day_name)]


def _grammar_triggers(g: TimexGrammarFile) -> dict[str, tuple[str, ...]]:
    """For each grammar pattern, lower-case strings of which every match contains one."""
    first = lambda phrases: tuple(sorted({p.lower().split()[0].split("-")[0] for p in phrases}))  # noqa: E731
    last = lambda phrases: tuple(sorted({p.lower().split()[-1].split("-")[-1] for p in phrases}))  # noqa: E731
    units = last(g["duration_units"])
    return {"year_earlier": ("year",), "year_part": last(g["year_parts"]), "fiscal_year": first(g["fiscal_words"]),
            "decade": ("0s", "0's", *last(g["decade_words"])), "season": last(g["seasons"]), "weekend": ("weekend",),
            "day_time": last(g["times_of_day"]), "duration": units,
            "relative_part": (*last(g["year_parts"]), *last(g["part_anaphora_words"])),
            "set": (*first(g["set_quantifiers"]), *last(g["set_words"]), "days",
                    *(f"{t.lower()}s" for t in g["times_of_day"])), "reference": last(g["references"]),
            "this_year": ("year",), "spoken_year": (*first(g["spoken_centuries"]), *last(g["spoken_years"])),
            "century": tuple(w.lower() for w in g["century_words"]), "holiday": last(g["holidays"]),
            "vague_duration": units, "vague_ago": ("ago",), "elliptic_last": ("last",),
            "narrative": (*first(g["narrative_steps"]), *first(g["narrative_day_steps"]), "then",
                          # "that day", "same week": the last word and a unit ("that" and "the" alone are in
                          # most sentences; a line break inside the phrase is missed, a cheap loss)
                          *(f"{w} {u.lower()}" for w in last(g["narrative_same"]) for u in g["narrative_units"]))}


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


_BE_BEFORE_RE = re.compile(r"\bbe\s$", re.IGNORECASE)


def _is_name_word(sentence: str, at: int) -> bool:
    """A capitalised word inside the sentence ("the United States", "Fred"): a name, no verb."""
    return sentence[at:at + 1].isupper() and bool(sentence[:at].strip(" \t\n" + _QUOTES))


def _tense(sentence: str, start: int, end: int, lex: _DateLexicon, after_weight: float = 1.0
           ) -> tuple[str | None, float]:
    """("future", distance) when the tense marker nearest to [start, end) in the sentence is a future cue,
    ("past", distance) when it is a past one, (None, a large number) when the sentence has neither;
    the distance in characters between the marker and the expression, times `after_weight` for a marker
    after it (the verb governing a time adverbial mostly comes before it)."""
    def distance(m: re.Match[str]) -> float:
        return start - m.end() if m.end() <= start else max(0, m.start() - end) * after_weight
    if CASE_UNSAFE_RE.search(sentence):
        text, future_re, past_re = sentence, lex.future_re, lex.past_re
    else:                                   # same matches, same offsets, without slow IGNORECASE scanning
        text, future_re, past_re = sentence.lower(), lex.future_lower_re, lex.past_lower_re
    # a cue inside the expression is none: the month "May" is no modal ("fell in May", "named May 5"); nor is
    # a capitalised "May" elsewhere in the sentence ("said Tuesday that sales in May rose")
    future = [distance(m) for m in future_re.finditer(text)
              if not (start <= m.start() < end) and not sentence.startswith("May", m.start())]
    # a participle after "be" is no past tense: "will be held", "is to be made"
    past = [distance(m) for m in past_re.finditer(text)
            if not (start <= m.start() < end) and not _BE_BEFORE_RE.search(text, max(0, m.start() - 4), m.start())
            and not _is_name_word(sentence, m.start())]
    if not future and not past:
        return None, 10**9
    nearest_future, nearest_past = min(future, default=10**9), min(past, default=10**9)
    return ("future", nearest_future) if nearest_future < nearest_past else ("past", nearest_past)


# date, date_end, granularity, relative, how; the grammar's resolvers add the TIMEX3 type and value
Resolved = tuple[Any, ...]


@dataclass(slots=True)
class _Document:
    """What resolving reads across a document's sentences: the TIMEX3 value last resolved to a period
    ("a year earlier" is that period a year back; "the quarter" is the quarter last named)."""
    last_value: str | None = None
    last_part: str | None = None
    last_stretch: str | None = None     # a stretch of months or weeks named after that period ("the nine months")
    last_named: str | None = None       # the calendar date last named, future ones too ("the following month")
    last_is_year_back: bool = False     # that period was named a year back already ("last year")


@dataclass(slots=True)
class _Match:
    """One match of a pattern, with what resolving it needs: its sentence and the base date."""
    m: re.Match[str]
    groups: dict[str, str | None]
    sentence: str
    base: dt.date | None
    lex: _DateLexicon
    params: DatesParams
    doc: _Document

    def group(self, name: str) -> str | None:
        return self.groups.get(name)

    def word_before(self) -> str | None:
        """The word right before the match (lower case, a trailing hyphen kept), if any."""
        prev = self.lex.prev_word_re.search(self.sentence[max(0, self.m.start() - 12):self.m.start()])
        return prev.group(1).lower() if prev else None

    def opens_sentence(self) -> bool:
        """A fronted time adverbial set off by a comma ("In January, ...", "By Dec. 15, ..."): at most one
        word (its preposition) before it in the sentence and a comma right after it."""
        head = self.sentence[:self.m.start()].strip(" \t\n" + _QUOTES)
        one_word = not head or (head.isascii() and head.isalpha())
        return one_word and self.sentence[self.m.end():self.m.end() + 1] == ","

    def future(self, mod: str) -> bool:
        """A bare weekday or month points forward after "next", or when the nearest tense cue is future."""
        return mod == "next" or (not mod and self.tense()[0] == "future")

    def tense(self) -> tuple[str | None, float]:
        """The sentence's tense around the match (see `_tense`; None when tense cues are switched off)."""
        if not self.params.use_tense_cues:
            return None, 10**9
        # "postponed until Tuesday morning", but not "Until Thursday, they had not called him a suspect"
        if self.word_before() in self.lex.forward_words and not self.lex.near_past_re.search(self.sentence,
                                                                                             self.m.end()):
            return "future", 0
        return _tense(self.sentence, self.m.start(), self.m.end(), self.lex, self.params.after_cue_weight)

    def forward(self, ahead: int, back: int) -> bool:
        """Whether an expression without a year ("Dec. 15", "in January") names the coming one, `ahead`
        days or months after the base, rather than the past one `back` before it: the coming one when the
        nearest tense cue is future, or when it is `future_nearer_by` times nearer than the past one
        ("payable Dec. 15 to holders of record Nov. 17", written on Oct. 26: the past cue "declared" says
        nothing about when the payment falls), unless a past cue follows within `past_cue_chars` ("The
        Oct. 7 attack started the war", written on July 28: the expression is what happened) or a plain past
        form (`near_past_cues`) comes that close before it ("He was named in January")."""
        if not self.params.use_tense_cues:
            return False
        tense = self.tense()[0]
        if tense == "future":
            return True
        if tense == "past" and self.opens_sentence():
            return False                # "In January, American Medical brought in ...": the main verb decides
        start, end, window = self.m.start(), self.m.end(), self.params.past_cue_chars
        after = self.lex.past_re.search(self.sentence, end)      # "The Oct. 7 attack started ..."
        # in the same clause only: "... until Nov. 9, it said" is a report of a coming day
        subject_of_past = (after is not None and after.start() < end + window
                           and not _CLAUSE_BREAK_RE.search(self.sentence, end, after.start()))
        cues_before = list(self.lex.near_past_re.finditer(self.sentence, max(0, start - window), start))
        before = cues_before[-1] if cues_before else None          # the nearest one before
        past_before = before is not None and not _CLAUSE_BREAK_RE.search(self.sentence, before.end(), start)
        # a sentence with no tense cue at all ("for the NATO summit in April") takes the nearer one
        nearer_by = 1.0 if tense is None else self.params.future_nearer_by
        return ahead * nearer_by < back and not subject_of_past and not past_before


_CLAUSE_BREAK_RE = re.compile(r"[,;:()\"\u201c\u201d]")


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
    # the next one on or after the base ("set to expire Nov. 6") and the last one before it
    ahead = _safe_date(x.base.year, month, day)
    if ahead is None or ahead < x.base:
        ahead = _safe_date(x.base.year + 1, month, day)
    back = _safe_date(x.base.year, month, day)
    if back is None or back > x.base:
        back = _safe_date(x.base.year - 1, month, day)
    return _choose_day(x, ahead if ahead != x.base else None, back)


def _resolve_spoken_day(x: _Match) -> Resolved | None:
    """"March eighth", "January twenty-first": resolved as "March 8" would be (`_resolve_month_day`); a tens
    word takes an ordinal up to ninth ("twenty first"), nothing else ("twenty eleventh" is none)."""
    g = x.lex.grammar
    day = g["spoken_day_ordinals"][x.group("sday").lower()]
    if x.group("tens"):
        if day > 9:
            return None
        day += g["spoken_day_tens"][x.group("tens").lower()]
    x.groups["day"] = str(day)
    return _resolve_month_day(x)


def _resolve_month_year(x: _Match) -> Resolved | None:
    return _month_period(int(x.group("year")), x.lex.months[x.group("month").rstrip(".").lower()], False, "absolute")


_NOT_YEAR_BEFORE = ("$", "£", "€", "#", "No.", "no.")


def _resolve_year(x: _Match) -> Resolved | None:
    """"in 2023", "since 2014", "the 1996 Olympics": a year of the params' range, not an amount."""
    year = int(x.group("year"))
    if not x.params.min_year <= year <= x.params.max_year:
        return None
    # A bare year with no cue word is a date too ("its 1988 recapitalization", "the 1996 Olympics": news
    # writes four-digit counts with a comma); an amount ("$1990", "No. 2000") is not.
    if x.sentence[max(0, x.m.start() - 4):x.m.start()].rstrip().endswith(_NOT_YEAR_BEFORE):
        return None
    return dt.date(year, 1, 1), dt.date(year, 12, 31), "year", False, "absolute"


def _resolve_month(x: _Match) -> Resolved | None:
    """"in July", "last November": the most recent past month (or the next one, when future)."""
    written = x.group("month")
    name = written.rstrip(".").lower()
    if name not in x.lex.months or (len(name) <= 3 and not written.endswith(".") and name != "may"):
        return None                                     # "Mar", "Dec" alone are too ambiguous
    mod = (x.group("mod") or "").lower()
    if not mod and x.word_before() not in x.lex.month_cues and not _month_possessive(x):
        return None
    month = x.lex.months[name]
    if x.base is None:
        return None, None, "month", True, "unresolved"
    base = x.base
    if mod == "this":                               # "this September": the base's year
        return _month_period(base.year, month, True, "future" if month > base.month else "past")
    ahead, back = (month - base.month) % 12, (base.month - month) % 12
    if x.future(mod) or (not mod and ahead and x.forward(ahead, back)):
        year = base.year if month >= base.month + (1 if mod == "next" else 0) else base.year + 1
        return _month_period(year, month, True, "future")
    strict = mod == "last"
    year = base.year if month < base.month + (0 if strict else 1) else base.year - 1
    return _month_period(year, month, True, "past")


# a month's possessive ("September's figures", "compared with October's level"), not a name's ("Theresa May's")
_POSSESSIVE_RE = re.compile(r"['\u2019]s\b")
# (linear: an attempt starts only where a word starts, and takes the word and the spaces whole)
_CAPITALISED_BEFORE_RE = re.compile(r"(?<![A-Za-z.])[A-Z][A-Za-z.]*+[ \t]++$")


def _month_possessive(x: _Match) -> bool:
    """A month name in the possessive, the word before it (if any) not capitalised: the month itself."""
    if not _POSSESSIVE_RE.match(x.sentence, x.m.end()):
        return False
    head = x.sentence[max(0, x.m.start() - 30):x.m.start()]
    return not (head.strip() and _CAPITALISED_BEFORE_RE.search(head) and x.sentence[:x.m.start()].strip())


def _resolve_weekday(x: _Match) -> Resolved | None:
    """"Sunday", "on Monday", "next Friday": the most recent past one, or the next one when future."""
    weekday = x.lex.weekdays[x.group("weekday").lower()]
    if x.base is None:
        return None, None, "day", True, "unresolved"
    mod = (x.group("mod") or "").lower()
    if mod.endswith("coming"):                      # "this coming Sunday", "the coming Friday": the next one
        mod = "next"
    if x.future(mod):
        ahead = (weekday - x.base.weekday()) % 7
        return _day(x.base + dt.timedelta(days=ahead or (7 if mod == "next" else 0)), True, "future")
    back = (x.base.weekday() - weekday) % 7
    return _day(x.base - dt.timedelta(days=back or (7 if mod == "last" else 0)), True, "past")


_QUOTES = "\"'\u201c\u201d\u2018\u2019`"
# the word before a capitalised "Today" or "This Week" that makes it a name: all capitals ("VOA Today"), a
# possessive ("ABC's This Week", "ABC News' This Week") or a capitalised word ("Good Morning America Today")
# (linear: an attempt starts only where a letter run starts, and takes the run whole)
_NAME_BEFORE_RE = re.compile(r"(?<![A-Za-z'\u2019])[A-Z][A-Za-z]*+(?:['\u2019]s?+)?+[\s\"\u201c]*+$")


def _is_title(x: _Match) -> bool:
    """A relative expression written as a name: capitalised inside its sentence and either quoted whole
    ("This Week," on ABC) or after a name ("VOA Today", "ABC's This Week")."""
    start, end, sentence = x.m.start(), x.m.end(), x.sentence
    if not sentence[start].isupper() or not sentence[:start].strip(" " + _QUOTES):
        return False
    quoted = sentence[start - 1:start] in tuple(_QUOTES) and sentence[end:end + 1] in tuple(_QUOTES + ",")
    if quoted:
        return True
    words = sentence.split()
    headline = sum(w[:1].isupper() for w in words) * 5 > len(words) * 3      # "Talks Resume Today"
    return not headline and _NAME_BEFORE_RE.search(sentence, max(0, start - 40), start) is not None


def _resolve_relative_day(x: _Match) -> Resolved | None:
    if _is_title(x):
        return None
    if x.group("rel").lower() == "today" and x.lex.todays_generic_re.match(x.sentence, x.m.end()) \
            and not x.lex.todays_day_re.match(x.sentence, x.m.end()):
        return None     # "today's personal computers": the present age (grammar: todays_*)
    if x.group("rel").lower() in x.lex.generic_days and x.sentence[x.m.end():x.m.end() + 1] not in ("'", "\u2019") \
            and x.lex.generic_day_before_re.search(x.sentence[max(0, x.m.start() - 30):x.m.start()]):
        return None     # "the people of tomorrow": the age to come, no day (grammar: generic_days)
    if x.base is None:
        return None, None, "day", True, "unresolved"
    return _day(x.base + dt.timedelta(days=x.lex.relative_days[x.group("rel").lower()]), True, "offset")


def _unit_offset(x: _Match) -> int:
    """How many units from the base: "three weeks ago" -3, "last month" -1, "this year" 0."""
    if x.group("n") is not None:
        n = x.group("n").lower()
        back = -(1 if n in ("a", "an") else number_parser().parse(n) or 0)
        return -back if x.group("hence") else back       # "a year from now": ahead
    return {"last": -1, "next": 1, "the past": -1, "this past": -1, "the coming": 1}.get(
        " ".join(x.group("mod").lower().split()), 0)


# linear: a run of spaces is entered only at its start and taken whole
_OF_AFTER_UNIT_RE = re.compile(r"(?<!\s)\s++of\s")


def _resolve_relative_unit(x: _Match) -> Resolved | None:
    """"last week", "this month", "two days ago": the period containing the base shifted by units; not
    "the last week of October", "the last year of his term" (a part of what follows "of", no deictic week)."""
    if _is_title(x):
        return None
    if x.word_before() == "the" and _OF_AFTER_UNIT_RE.match(x.sentence, x.m.end()):
        return None
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


# ------------------------------------------------------------------ the grammar (data/timex_grammar.yaml)

_VALUE_RE = re.compile(r"(?P<y>\d{4})(?:-(?:W(?P<w>\d\d)(?P<we>-WE)?|(?P<part>[QH])(?P<n>\d)"
                       r"|(?P<season>SP|SU|FA|WI)|(?P<m>\d\d)(?:-(?P<d>\d\d))?))?(?:T[A-Z0-9:]+)?|(?P<decade>\d{3})")
_PART_MONTHS = {"Q": 3, "H": 6}
_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}


def _period(value: str) -> tuple[dt.date, dt.date, str] | None:
    """The calendar period (first day, last day, granularity) a TIMEX3 value names; None for a value that
    names none (PRESENT_REF, P5Y, XXXX-07). Quarters, halves and seasons have month granularity, a decade
    year granularity, a weekend day granularity (their exact extent is in date..date_end and `value`)."""
    m = _VALUE_RE.fullmatch(value)
    if m is None:
        return None
    if m["decade"]:
        return dt.date(int(m["decade"]) * 10, 1, 1), dt.date(int(m["decade"]) * 10 + 9, 12, 31), "year"
    year = int(m["y"])
    if m["w"]:
        monday = dt.date.fromisocalendar(year, int(m["w"]), 1)
        if m["we"]:
            return monday + dt.timedelta(days=5), monday + dt.timedelta(days=6), "day"
        return monday, monday + dt.timedelta(days=6), "week"
    if m["part"] or m["season"]:
        size = _PART_MONTHS.get(m["part"], 3)
        first = (int(m["n"]) - 1) * size + 1 if m["part"] else _SEASON_START[m["season"]]
        end_year, end_month = _shift_month(year, first, size - 1)
        return dt.date(year, first, 1), _month_end(end_year, end_month), "month"
    if m["d"]:
        day = _safe_date(year, int(m["m"]), int(m["d"]))
        return (day, day, "day") if day else None
    if m["m"]:
        return (dt.date(year, int(m["m"]), 1), _month_end(year, int(m["m"])), "month") if 1 <= int(m["m"]) <= 12 \
            else None
    return dt.date(year, 1, 1), dt.date(year, 12, 31), "year"


def _timex(value: str | None, type_: str, relative: bool, how: str) -> Resolved:
    """A row from a TIMEX3 value: its period when it names one (else no date)."""
    period = _period(value) if value else None
    if period is None:
        return None, None, None, relative, how if value is None or how == "unresolved" else "undated", type_, value
    return (*period, relative, how, type_, value)


def _in_years(year: int) -> bool:
    return dt.MINYEAR < year < dt.MAXYEAR


def _resolve_reference(x: _Match) -> Resolved | None:
    value = x.lex.grammar["references"][" ".join(x.group("ref").lower().split())]
    return None, None, None, True, "undated", "DURATION" if re.match(r"P[\dXT]", value) else "DATE", value


def _resolve_this_year(x: _Match) -> Resolved | None:
    """"for the year", "by year-end": the base's year; "the year ended Sept. 30": one year (P1Y)."""
    if x.group("ended"):
        return None, None, None, True, "undated", "DURATION", "P1Y"
    if x.base is None:
        return None, None, "year", True, "unresolved", "DATE", None
    return _timex(str(x.base.year), "DATE", True, "offset")


def _resolve_spoken_year(x: _Match) -> Resolved | None:
    """"nineteen ninety-six" 1996, "the year two thousand" 2000, "January nineteen ninety-seven" 1997-01."""
    g = x.lex.grammar
    if x.group("whole"):
        year = g["spoken_years"][" ".join(x.group("whole").lower().split())]
    else:
        year = (g["spoken_centuries"][x.group("century").lower()] + _TENS_WORDS[x.group("tens").lower()]
                + _UNIT_WORDS.get((x.group("unit") or "").lower(), 0))
    month = x.group("month")
    value = f"{year}-{list(calendar.month_name).index(month):02d}" if month else str(year)
    return _timex(value, "DATE", False, "absolute")


def _resolve_century(x: _Match) -> Resolved | None:
    """"the 20th century": TIMEX3 value 19 (no calendar period: a century is left undated)."""
    n = int(x.group("n"))
    if not 1 <= n <= 21:
        return None
    return None, None, None, False, "undated", "DATE", f"{n - 1:02d}"


def _holiday_on(year: int, holiday: _Holiday) -> dt.date | None:
    if not _in_years(year):
        return None
    day = _safe_date(year, holiday["month"], holiday["day"])
    if day is None or "weekday" not in holiday:
        return day
    return day + dt.timedelta(days=(holiday["weekday"] - day.weekday()) % 7)


def _resolve_holiday(x: _Match) -> Resolved | None:
    """"Thanksgiving Day", "Christmas": the past one, or the coming one (as "Nov. 22" without a year)."""
    if not x.group("holiday")[:1].isupper():
        return None                                  # "thanksgiving" in lower case is not the holiday
    if x.base is None:
        return None, None, "day", True, "unresolved"
    holiday = x.lex.grammar["holidays"][" ".join(x.group("holiday").lower().split())]
    days = [d for d in (_holiday_on(x.base.year + by, holiday) for by in (-1, 0, 1)) if d is not None]
    back = max((d for d in days if d <= x.base), default=None)
    ahead = min((d for d in days if d > x.base), default=None)
    return _choose_day(x, ahead, back)


def _choose_day(x: _Match, ahead: dt.date | None, back: dt.date | None) -> Resolved | None:
    """The coming day or the past one of an expression without a year (`_Match.forward`)."""
    if ahead is not None and (back is None or x.forward((ahead - x.base).days, (x.base - back).days)):
        return ahead, ahead, "day", True, "future"
    return (back, back, "day", True, "past") if back is not None else None


def _part_of(g: TimexGrammarFile, word: str) -> tuple[str, int]:
    part = g["year_parts"][word.lower()]
    return part["code"], 12 // part["months"]


def _named_part(x: _Match) -> tuple[str, int, int] | None:
    """The part word's TIMEX3 letter, parts a year and number: "the third quarter" Q 4 3, "the last quarter
    of 1990" Q 4 4, "the first / last two quarters of 1990" H 2 1 / H 2 2 (that half, only with its year
    named); None for a "last" or "two" part without a year (`relative_part`, a duration)."""
    code, per_year = _part_of(x.lex.grammar, x.group("part"))
    ordinal = (x.group("ord") or x.group("ord2") or "").lower()
    n = x.lex.grammar["ordinals"].get(ordinal, per_year)
    year_named = bool(x.group("year") or x.group("pyear") or x.group("relyear") or x.group("ofrel"))
    if x.group("ord2") and not year_named:
        return None
    if x.group("two") or x.group("two2"):
        halves = x.lex.grammar["halves_of_quarters"]
        if code != "Q" or ordinal not in halves or not year_named:
            return None
        return "H", 2, halves[ordinal]
    return code, per_year, n


def _resolve_year_part(x: _Match) -> Resolved | None:
    """"the third quarter (of 1990)", "first-half": absolute with a year, else the latest one that began on or
    before the base (the next one that begins after it when the sentence is future)."""
    part = _named_part(x)
    if part is None:
        return None
    code, per_year, n = part
    year = x.group("year") or x.group("pyear")
    if n > per_year:
        return None
    if year:
        return _timex(f"{year}-{code}{n}", "DATE", False, "absolute")
    if x.base is None:
        return None, None, "month", True, "unresolved", "DATE", None
    if x.group("relyear") or x.group("ofrel"):    # "this year's third quarter", "the first half of next year"
        by = x.lex.grammar["year_offsets"][x.group("relyear").lower()] if x.group("relyear") else \
            x.lex.grammar["part_of_year"][x.group("ofrel").lower()]
        return _timex(f"{x.base.year + by}-{code}{n}", "DATE", True, "offset") if _in_years(x.base.year + by) else None
    current = (x.base.month - 1) * per_year // 12 + 1
    # "in the fourth quarter" said in October: this one; the part just closed is the one reported next ("will
    # report a loss for the third quarter" said in October; "the fourth quarter" said in January: last year's)
    if x.future(""):
        y = x.base.year - 1 if current == 1 and n == per_year else \
            x.base.year if n >= current - 1 else x.base.year + 1
        return _timex(f"{y}-{code}{n}", "DATE", True, "future")
    y = x.base.year if n <= current else x.base.year - 1
    return _timex(f"{y}-{code}{n}", "DATE", True, "past")


def _resolve_relative_part(x: _Match) -> Resolved | None:
    """"this quarter", "last quarter", "the latest quarter"; bare "the quarter" is the one last named."""
    g = x.lex.grammar
    mod = " ".join(x.group("mod").lower().split())
    last = x.doc.last_part
    if x.group("part").lower() in g["part_anaphora_words"]:      # "the latest period", "that period"
        return _timex(last, "DATE", True, "offset") if last and mod in g["period_anaphora"] else None
    code, per_year = _part_of(g, x.group("part"))
    if mod in g["part_anaphora"] and last and last[5] == code:   # "the quarter", "that quarter"
        return _timex(last, "DATE", True, "offset")
    if x.base is None:
        return None, None, "month", True, "unresolved", "DATE", None
    index = x.base.year * per_year + (x.base.month - 1) * per_year // 12 + x.lex.grammar["part_modifiers"][mod]
    if not _in_years(index // per_year):
        return None
    return _timex(f"{index // per_year}-{code}{index % per_year + 1}", "DATE", True, "offset")


def _resolve_fiscal_year(x: _Match) -> Resolved | None:
    if x.group("year"):
        return _timex(x.group("year"), "DATE", False, "absolute")
    mod = " ".join(x.group("mod").lower().split())
    if mod == "the" or x.base is None:
        return None if mod == "the" else (None, None, "year", True, "unresolved", "DATE", None)
    return _timex(str(x.base.year + x.lex.grammar["part_modifiers"][mod]), "DATE", True, "offset")


def _resolve_decade(x: _Match) -> Resolved | None:
    """"the 1990s" 199; "the nineties" 199 too: the latest such decade begun by the base, or the next one
    when it begins within ten years ("the nineties" written in 1989); the 1900s' without a base."""
    if x.group("decade"):
        return _timex(x.group("decade"), "DATE", False, "absolute")
    tens = x.lex.grammar["decade_words"][x.group("word").lower()]
    century = 19
    if x.base is not None:
        century = x.base.year // 100 - (x.base.year % 100 < tens * 10)
        century += (century + 1) * 100 + tens * 10 - x.base.year <= 10
    return _timex(f"{century}{tens}", "DATE", x.base is not None, "offset" if x.base else "absolute")


def _resolve_season(x: _Match) -> Resolved | None:
    """"this summer", "last fall", "the winter of 1990": a season needs a cue word or a year."""
    code = x.lex.grammar["seasons"][x.group("season").lower()]["code"]
    mod = " ".join((x.group("mod") or "").lower().split())
    if x.group("year"):
        return _timex(f"{x.group('year')}-{code}", "DATE", False, "absolute")
    if not mod:
        return None
    if x.base is None:
        return None, None, "month", True, "unresolved", "DATE", None
    start = _SEASON_START[code]
    began = x.base.year if start <= x.base.month else x.base.year - 1      # the latest one begun by the base
    if mod in ("this", "earlier this", "later this"):      # "this summer" said in March: the base's year's
        # winter begins in December: "this winter" said in October is the coming one, said in January the one begun
        year = x.base.year if code != "WI" or x.base.month >= 9 else x.base.year - 1
    elif mod in ("next", "the coming") or (mod not in ("last", "this past") and x.future("")):
        year = began + 1
    elif mod in ("last", "this past"):
        year = began - 1 if _shift_month(began, start, 2) >= (x.base.year, x.base.month) else began
    else:
        year = began
    return _timex(f"{year}-{code}", "DATE", True, "future" if year > began else "past")


def _resolve_weekend_of(x: _Match) -> Resolved | None:
    """"the weekend of Nov. 4": the day resolved as it would be alone, then the weekend of its ISO week
    (a Saturday or Sunday is in its own weekend, a weekday names the weekend closing its week)."""
    day = _resolve_month_day(x)
    if day is None or day[0] is None:
        return None if day is None else (None, None, "day", True, "unresolved", "DATE", None)
    year, week, _ = day[0].isocalendar()
    return _timex(f"{year}-W{week:02d}-WE", "DATE", day[3], day[4])


def _resolve_weekend(x: _Match) -> Resolved | None:
    if x.base is None:
        return None, None, "day", True, "unresolved", "DATE", None
    by = x.lex.grammar["weekend_modifiers"][" ".join(x.group("mod").lower().split())]
    if by == 0 and x.base.weekday() < 5 and not x.future(""):
        by = -1                                     # "over the weekend", said on a weekday: the one just past
    year, week, _ = (x.base + dt.timedelta(weeks=by)).isocalendar()
    return _timex(f"{year}-W{week:02d}-WE", "DATE", True, "offset")


def _time_value(day: Resolved | None, tod: str, lex: _DateLexicon) -> Resolved | None:
    if day is None or day[0] is None:
        return None if day is None else (None, None, "day", True, "unresolved", "TIME", None)
    return _timex(f"{day[0].isoformat()}T{lex.grammar['times_of_day'][tod.lower()]}", "TIME", True, day[4])


def _resolve_clock_day(x: _Match) -> Resolved | None:
    """"5 p.m. EST Nov. 9" 1989-11-09T17:00, "noon Thursday" ...T12:00: the day resolved as it would be
    alone, the clock time appended."""
    if x.group("clockword"):
        hour, minute = (12, 0) if x.group("clockword").lower() == "noon" else (24, 0)
    else:
        hour, minute = int(x.group("hour")), int(x.group("minute") or 0)
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if x.group("ampm").lower().startswith("p") else 0)
    if x.group("weekday"):
        day = _resolve_weekday(x)
    elif x.group("rel"):
        day = _resolve_relative_day(x)
    else:
        day = _resolve_month_day(x)
    if day is None or day[0] is None:
        return None if day is None else (None, None, "day", True, "unresolved", "TIME", None)
    return _timex(f"{day[0].isoformat()}T{hour:02d}:{minute:02d}", "TIME", day[3], day[4])


def _resolve_weekday_time(x: _Match) -> Resolved | None:
    """"Friday night": the day, a DATE (TimeBank dates 8 of the 10 of the look half's to the day, none to
    a part of it); "this morning", "last night" keep their part of the day (`_resolve_day_time`)."""
    day = _resolve_weekday(x)
    return None if day is None else (*day[:5], "DATE", _value_of(day[0], "day"))


def _resolve_day_time(x: _Match) -> Resolved | None:
    """"this morning", "last night", "yesterday afternoon", "mid-afternoon yesterday"."""
    if x.base is None:
        return None, None, "day", True, "unresolved", "TIME", None
    by = x.lex.grammar["time_of_day_days"][" ".join(x.group("day").lower().split())]
    if x.group("after"):                              # "mid-afternoon yesterday": the day word after it
        by = x.lex.grammar["time_of_day_after"][x.group("after").lower()]
    return _time_value(_day(x.base + dt.timedelta(days=by), True, "offset"), x.group("tod"), x.lex)


def _duration_number(text: str, g: TimexGrammarFile) -> str | None:
    words = " ".join(text.lower().replace("-", " ").split())
    if words in g["duration_vague"]:
        return "X"
    if words in g["duration_numbers"]:
        return str(g["duration_numbers"][words])
    if words[0].isdigit():
        return words
    n = number_parser().parse(words)
    return str(n) if n else None


# a count of things right before "a week" makes a rate ("700 seats a week", "four flights a week")
_RATE_BEFORE_RE = re.compile(r"(?:\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|twice|once|times))"
                             r"(?:\s+[a-z]+){0,2}\s+$")


# linear: a run of spaces is entered only at its start and taken whole
_OF_AFTER_RE = re.compile(r"(?<!\s)\s++of\b")

# linear: a run of spaces is entered only at its start and taken whole
_AGE_AFTER_RE = re.compile(r"(?:(?<!\s)\s++|-)old\b")


def _resolve_duration(x: _Match) -> Resolved | None:
    """"five years", "the past three months", "a two-year contract", "14 days": P5Y, P3M, P2Y, P14D."""
    g = x.lex.grammar
    if x.group("n").lower() in ("a", "an") and not x.group("prefix") and _RATE_BEFORE_RE.search(
            x.sentence, max(0, x.m.start() - 30), x.m.start()):
        return None                                  # a rate: "four flights a week", "24 hours a day"
    n = _duration_number(x.group("n"), g)
    if n is None or len(n) > 6:
        return None
    word = x.group("unit").lower()
    unit = g["duration_units"][word]
    if _no_duration(x, word):
        return None
    if n != "X" and (x.group("halfof") or x.group("nhalf") or x.group("andhalf")):
        return None, None, None, True, "undated", "DURATION", _half_duration(float(n), unit, bool(x.group("halfof")))
    if n != "X" and unit["times"] != 1:
        n = f"{float(n) * unit['times']:g}"
    code = unit["code"]
    value = f"PT{n}{code[1]}" if code.startswith("T") else f"P{n}{code}"
    return None, None, None, True, "undated", "DURATION", value


def _no_duration(x: _Match, word: str) -> bool:
    """A number and a unit that name no stretch of time: an age, a fraction, an ordinal."""
    g = x.lex.grammar
    if _AGE_AFTER_RE.match(x.sentence, x.m.end()):
        return True                                  # an age: "52 years old", "a 6-year-old"
    if word in g["duration_fraction_units"] and not x.group("prefix") and _OF_AFTER_RE.match(x.sentence, x.m.end()):
        return True                                  # a fraction: "three-quarters of its food"
    # the ordinal: "a second group"; "for a second" is one
    return (word in g["duration_ordinal_units"] and x.group("n").lower() in ("a", "an") and not x.group("prefix")
            and x.word_before() not in g["vague_duration_before"])


# a half unit in the next smaller one: "a year and a half" P1Y6M, "an hour and a half" PT1H30M, "half an
# hour" PT30M, "a day and a half" P1DT12H (TimeBank: "a minute and a half" PT1M30S); weeks and months in
# decimals (P1.5W)
_HALF_UNITS = {"Y": ("M", 12), "TH": ("TM", 60), "TM": ("TS", 60), "D": ("TH", 24)}


def _half_duration(n: float, unit: _Unit, half_of: bool) -> str:
    """The TIMEX3 value of "half a <unit>" (`half_of`) or "n and a half <units>"."""
    amount = n * unit["times"] * 0.5 if half_of else (n + 0.5) * unit["times"]
    code = unit["code"]
    whole, rest = int(amount), amount - int(amount)
    if rest and code in _HALF_UNITS:
        small, per = _HALF_UNITS[code]
        parts = [(f"{whole}", code), (f"{rest * per:g}", small)] if whole else [(f"{rest * per:g}", small)]
    else:
        parts = [(f"{amount:g}", code)]
    dated = "".join(f"{k}{c}" for k, c in parts if not c.startswith("T"))
    timed = "".join(f"{k}{c[1]}" for k, c in parts if c.startswith("T"))
    return f"P{dated}" + (f"T{timed}" if timed else "")


def _resolve_vague_ago(x: _Match) -> Resolved | None:
    """"several years ago", "decades ago": some time before, no calendar period (TimeML PAST_REF); not a
    counted "four decades ago"."""
    before = x.word_before()
    if before and (before[0].isdigit() or number_parser().parse(before.rstrip("-"))):
        return None
    return None, None, None, True, "undated", "DATE", "PAST_REF"


def _resolve_vague_duration(x: _Match) -> Resolved | None:
    """"for years" PXY, "months of talks" PXM, "within hours" PTXH; "a day-long meeting" P1D."""
    if (x.group("unit_after") or "").lower() in x.lex.grammar["duration_fraction_units"]:
        return None                                  # "three-quarters of", "quarters of an hour": fractions
    unit = x.lex.grammar["duration_units"][(x.group("unit") or x.group("unit_after") or x.group("unit_one")).lower()]
    code, n = unit["code"], (str(unit["times"]) if x.group("unit_one") else "X")
    value = f"PT{n}{code[1]}" if code.startswith("T") else f"P{n}{code}"
    return None, None, None, True, "undated", "DURATION", value


def _resolve_set(x: _Match) -> Resolved | None:
    """"every week" P1W, "each July" XXXX-07, "every Thursday" XXXX-WXX-4, "daily" P1D, "Sundays" XXXX-WXX-7."""
    g = x.lex.grammar
    if x.group("word"):
        return None, None, None, True, "undated", "SET", g["set_words"][x.group("word").lower()]
    days, tods = x.group("days") or x.group("cday"), x.group("tods") or x.group("ctods")
    if days:                                         # "Sundays" XXXX-WXX-7, "Tuesday nights" XXXX-WXX-2TNI
        tod = f"T{g['times_of_day'][tods.lower()]}" if tods else ""
        return None, None, None, True, "undated", "SET", f"XXXX-WXX-{x.lex.weekdays[days.lower()] + 1}{tod}"
    what = x.group("what").lower()
    if what in g["duration_units"]:
        unit = g["duration_units"][what]
        code = unit["code"]
        value = f"PT{unit['times']}{code[1]}" if code.startswith("T") else f"P{unit['times']}{code}"
    elif what in x.lex.months:
        value = f"XXXX-{x.lex.months[what]:02d}"
    else:
        value = f"XXXX-WXX-{x.lex.weekdays[what] + 1}"
    return None, None, None, True, "undated", "SET", value


def _resolve_month_rel_year(x: _Match) -> Resolved | None:
    """"June last year": the month in the base's year, shifted; "Oct. 19 last year": that day of it."""
    if x.base is None:
        return None, None, "day" if x.group("day") else "month", True, "unresolved", "DATE", None
    year = x.base.year + x.lex.grammar["year_offsets"][x.group("rel").lower()]
    month = x.lex.months[x.group("month").rstrip(".").lower()]
    if not _in_years(year):
        return None
    if x.group("day"):
        day = _safe_date(year, month, int(x.group("day")))
        return None if day is None else _timex(day.isoformat(), "DATE", True, "offset")
    return _timex(f"{year}-{month:02d}", "DATE", True, "offset")


def _resolve_weekday_rel_week(x: _Match) -> Resolved | None:
    """"Monday of last week": that weekday of the base's week shifted by the offset (weeks from Monday)."""
    if x.base is None:
        return None, None, "day", True, "unresolved", "DATE", None
    weeks = x.lex.grammar["year_offsets"][x.group("rel").lower()]
    monday = x.base - dt.timedelta(days=x.base.weekday()) + dt.timedelta(weeks=weeks)
    return _day(monday + dt.timedelta(days=x.lex.weekdays[x.group("weekday").lower()]), True, "offset")


def _year_back(value: str) -> str | None:
    """The same period one year earlier (a TIMEX3 value starting with a year), else None."""
    if not re.match(r"\d{4}(?:-|$)", value) or "T" in value or "W" in value:
        return None
    shifted = f"{int(value[:4]) - 1:04d}{value[4:]}"
    return shifted if _period(shifted) else None


def _resolve_year_earlier(x: _Match) -> Resolved | None:
    """"a year earlier", "year-earlier": the period last named, a year back (the base's year without one);
    "the year-ago third quarter": that quarter (as "the third quarter" resolves) a year back; "the
    year-earlier nine months" is that stretch, a duration (P9M)."""
    if x.group("unit"):
        return _resolve_duration(x)
    if x.group("part"):
        part = _resolve_year_part(x)
        back = _year_back(part[6]) if part is not None and part[6] else None
        return _timex(back, "DATE", True, "offset") if back else part
    if x.group("period") and x.doc.last_stretch:   # "For the nine months, ... In the year-earlier period"
        return None, None, None, True, "undated", "DURATION", x.doc.last_stretch
    if x.doc.last_value and x.doc.last_is_year_back and \
            " ".join(x.group("phrase").lower().split()) in x.lex.grammar["year_earlier_deictic"]:
        return _timex(x.doc.last_value, "DATE", True, "offset")
    back = _year_back(x.doc.last_value) if x.doc.last_value else None
    if back:
        return _timex(back, "DATE", True, "offset")
    if x.base is None:
        return None, None, "year", True, "unresolved", "DATE", None
    return _timex(f"{x.base.year - 1}", "DATE", True, "offset")


# the values a narrative unit counts from: a day from a day, a week from a day or a week, a month from a day
# or a month, a year from any value with a year (not a quarter's first month: "the following month" of a quarter)
_NARRATIVE_FROM = {"day": re.compile(r"\d{4}-\d\d-\d\d"), "week": re.compile(r"\d{4}-(?:\d\d-\d\d|W\d\d)"),
                   "month": re.compile(r"\d{4}-\d\d(?:-\d\d)?"), "year": re.compile(r"\d{4}(?:-[\dWQHSFWI][\w-]*)?")}


def _resolve_narrative(x: _Match) -> Resolved | None:
    """"the following month", "the preceding day": the date last named in the document (`_Document.last_named`)
    a unit on or back, at the unit's granularity ("that same day", "that year": the unit it is in); "until
    then": that date itself. Nothing without a date
    named before that is at least as fine as the unit (left out, not resolved from the base)."""
    named = x.doc.last_named
    period = _period(named) if named else None
    if named is None or period is None:
        return None
    if x.group("then"):
        return _timex(named, "DATE", True, "offset")
    unit = (x.group("unit") or x.group("sunit") or "day").lower()
    if not _NARRATIVE_FROM[unit].fullmatch(named):
        return None                                  # "the following day" after "in March": no day to count from
    g = x.lex.grammar
    by = g["narrative_steps"][x.group("step").lower()] if x.group("step") else \
        0 if x.group("same") else g["narrative_day_steps"][x.group("day_step").lower()]
    try:
        shifted = _shifted_period(period[0], unit, by)
    except (ValueError, OverflowError):
        return None
    return None if shifted is None else (*shifted[:4], "offset")


def _resolve_narrative_weekday(x: _Match) -> Resolved | None:
    """"He left on Oct. 3 (a Tuesday) and returned the following Monday": the first such weekday after the day
    last named (Oct. 9), "the previous Monday" the last one before it; a plain weekday without a day named."""
    named = x.doc.last_named
    if named is None or not _NARRATIVE_FROM["day"].fullmatch(named) or _period(named) is None:
        return _resolve_weekday(x)
    day, weekday = dt.date.fromisoformat(named), x.lex.weekdays[x.group("weekday").lower()]
    if x.lex.grammar["narrative_steps"][x.group("step").lower()] > 0:
        by = (weekday - day.weekday()) % 7 or 7
    else:
        by = -((day.weekday() - weekday) % 7 or 7)
    try:
        return _day(day + dt.timedelta(days=by), True, "offset")
    except OverflowError:                           # past the calendar's ends: no date, no exception
        return None


def _resolve_elliptic_last(x: _Match) -> Resolved | None:
    """"a dividend this year as high as last", "sales this year and last": the unit named before it a unit
    back ("this year ... last" is last year); nothing after any other words ("He came in last.")."""
    m = x.lex.elliptic_last_re.search(x.sentence, max(0, x.m.start() - 80), x.m.start())
    if m is None:
        return None
    unit = m.group("unit").lower()
    if x.base is None:
        return None, None, unit, True, "unresolved"
    try:
        return _shifted_period(x.base, unit, -1)
    except (ValueError, OverflowError):
        return None, None, unit, True, "unresolved"


_RESOLVERS: dict[str, Callable[[_Match], Resolved | None]] = {
    "iso": _resolve_iso, "month_day": _resolve_month_day, "day_month": _resolve_month_day,
    "month_year": _resolve_month_year, "year": _resolve_year, "month": _resolve_month,
    "weekday": _resolve_weekday, "relative_day": _resolve_relative_day, "relative_unit": _resolve_relative_unit,
    "ago": _resolve_relative_unit, "reference": _resolve_reference, "year_part": _resolve_year_part,
    "relative_part": _resolve_relative_part, "fiscal_year": _resolve_fiscal_year, "decade": _resolve_decade,
    "season": _resolve_season, "weekend": _resolve_weekend, "weekend_of": _resolve_weekend_of,
    "weekday_time": _resolve_weekday_time,
    "day_time": _resolve_day_time, "duration": _resolve_duration, "set": _resolve_set,
    "month_rel_year": _resolve_month_rel_year, "spoken_day": _resolve_spoken_day,
    "weekday_rel_week": _resolve_weekday_rel_week, "year_earlier": _resolve_year_earlier,
    "this_year": _resolve_this_year, "spoken_year": _resolve_spoken_year, "century": _resolve_century,
    "holiday": _resolve_holiday, "vague_duration": _resolve_vague_duration, "vague_ago": _resolve_vague_ago,
    "clock_day": _resolve_clock_day, "narrative": _resolve_narrative,
    "narrative_weekday": _resolve_narrative_weekday, "elliptic_last": _resolve_elliptic_last,
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
        found.update(("relative_day", "relative_unit", "ago", "clock", *lex.grammar_triggers))
        return found
    lowered = sentence.lower()
    if any(word in lowered for word in _CLOCK_TRIGGERS):
        found.add("clock")
    for word, kinds in lex.trigger_words:
        if word in lowered:
            found.update(kinds)
    if any(word in lowered for word in lex.relative_day_words):
        found.add("relative_day")
    if any(unit in lowered for unit in lex.unit_words) and lex.unit_trigger.search(lowered):
        found.add("relative_unit")
    if "ago" in lowered or "from now" in lowered:
        found.add("ago")
    return found


# every clock_day match holds one of these in lower case ("a.m." / "am" hold "m"; noon, midnight)
_CLOCK_TRIGGERS = ("a.m", "p.m", "am", "pm", "noon", "midnight")

# resolved after the sentence's other expressions, in text order: they read the period last named
_ANAPHORIC = frozenset({"year_earlier", "relative_part", "narrative", "narrative_weekday"})


def _dates_in_sentence(sentence: str, base: dt.date | None, p: DatesParams, doc: _Document | None = None
                       ) -> Iterator[tuple[int, int, Resolved]]:
    lex = _lexicon()
    doc = doc if doc is not None else _Document()
    families = _families_in(sentence, lex)
    if not families:
        return
    found: list[tuple[int, int, Resolved | _Match]] = []
    # patterns are listed most specific first; a later pattern never overlaps an earlier match
    for kind, pattern in lex.patterns:
        if lex.family_of[kind] not in families:
            continue                        # its trigger is absent: it cannot match
        for m in pattern.finditer(sentence):
            if any(m.start() < e and s < m.end() for s, e, _ in found):
                continue
            x = _Match(m, m.groupdict(), sentence, base, lex, p, doc)
            resolved = x if kind in _ANAPHORIC else _resolved(_RESOLVERS[kind], x)
            if resolved is not None:
                found.append((m.start(), m.end(), resolved))
                if kind == "month_day":
                    found.extend(_second_day(sentence, m.end(), resolved))
    yield from _resolve_in_order(sorted(found, key=lambda f: f[0]), sentence, base, lex, doc)


def _resolved(resolver: Callable[[_Match], Resolved | None], x: _Match) -> Resolved | None:
    """A resolver's result; nothing for a date past the calendar's ends ("next Monday" written on 9999-12-31,
    "in September" in the year 1): an impossible date is no expression, never an exception."""
    try:
        return resolver(x)
    except (ValueError, OverflowError):
        return None


# the second day of "April 24 and 25", "on Nov. 2 or 3", the last of "Oct. 1 to 15", "Oct. 15-16": its own expression
# (TimeML tags each day), in the month of the first; only before punctuation, the end or a preposition
# ("April 24 and 25 percent" is none)
_SECOND_DAY_RE = re.compile(r"(?<!\s)(?:\s++(?:and|or|to|through|thru)\s++|-)(?P<day>[0-3]?\d)(?:st|nd|rd|th)?+\b"
                            r"(?=\s*+(?:[.,;:)]|$)|\s++(?:in|at|on|of|for|to|and|when|after|before)\b)")


def _second_day(sentence: str, end: int, first: Resolved) -> list[tuple[int, int, Resolved]]:
    """The second day after a month-day match ending at `end`, resolved like the first (`_SECOND_DAY_RE`)."""
    m = _SECOND_DAY_RE.match(sentence, end)
    if m is None or first[0] is None or first[2] != "day":
        return []
    day = _safe_date(first[0].year, first[0].month, int(m.group("day")))
    if day is None or day <= first[0]:
        return []
    return [(m.start("day"), m.end("day"), _day(day, first[3], first[4]))]


# a stretch a year-earlier period may name: the months or weeks a report covers ("the nine months", "the
# first six months", "the 13 weeks"; linear: each part is a literal or a letter run taken whole)
_STRETCH_RE = re.compile(r"(?i:the\s++(?:first\s++|past\s++|last\s++)?+(?:\d++|[a-z]++)\s++(?:months|weeks))")


def _resolve_in_order(found: list[tuple[int, int, Resolved | _Match]], sentence: str, base: dt.date | None,
                      lex: _DateLexicon, doc: _Document) -> Iterator[tuple[int, int, Resolved]]:
    """A sentence's expressions in text order, the anaphoric ones resolved now, each period remembered
    for the ones after it (`_remember`)."""
    before: tuple[str | None, str | None] | None = None     # what the document had named before a forecast
    named_end = -1                          # where the period last remembered in this sentence ends
    for start, end, item in found:
        resolved = _resolved(_RESOLVERS[_kind_of(item, lex)], item) if isinstance(item, _Match) else _full(item)
        if resolved is None:
            continue
        resolved = _full(resolved)
        if resolved[5] == "DATE" and resolved[6] and _period(resolved[6]) and "T" not in resolved[6]:
            doc.last_named = resolved[6]
        # "the quarter ended Sept. 30": the day closes the period just named, which stays the one to read
        ends_named = named_end >= 0 and lex.period_end_re.fullmatch(sentence, named_end, start) is not None
        if not (isinstance(item, _Match) and item.m.re is lex.year_earlier_re) and not ends_named:
            state = (doc.last_value, doc.last_part)
            if resolved[5] == "DURATION" and _STRETCH_RE.fullmatch(sentence[start:end]):
                doc.last_stretch = resolved[6]
            elif _remember(doc, resolved[6], base):
                doc.last_stretch = None
                doc.last_is_year_back = _YEAR_BACK_RE.fullmatch(sentence, start, end) is not None
                named_end = end
                before = (before or state) if resolved[4] == "future" else None
        yield start, end, resolved
    if before is not None:      # a forecast is read in its own sentence only (see _remember)
        doc.last_value, doc.last_part = before


# a period named a year back from the base, which a year-earlier expression after it names again
_YEAR_BACK_RE = re.compile(r"(?i:last\s++year)")


def _kind_of(x: _Match, lex: _DateLexicon) -> str:
    return next(kind for kind, pattern in lex.patterns if pattern is x.m.re)


def _full(resolved: Resolved) -> Resolved:
    """(date, date_end, granularity, relative, how, type, value), the value derived from the period when
    the resolver gave none: day YYYY-MM-DD, week YYYY-Www, month YYYY-MM, year YYYY."""
    if len(resolved) == 7:
        return resolved
    date, _, granularity, _, _ = resolved
    return (*resolved, "DATE", _value_of(date, granularity))


def _value_of(date: dt.date | None, granularity: str) -> str | None:
    if date is None:
        return None
    if granularity == "week":
        year, week, _ = date.isocalendar()
        return f"{year}-W{week:02d}"
    return {"day": date.isoformat(), "month": date.isoformat()[:7], "year": date.isoformat()[:4]}[granularity]


def _remember(doc: _Document, value: str | None, base: dt.date | None) -> bool:
    """The period an anaphoric expression may read next (a year-earlier one's own result is never
    remembered: "a year earlier" twice is not two years back; nor is a period that begins after the base:
    "In the year-ago period" after a forecast for "the third quarter of 1990" is a year before this one; and
    a period resolved forward by tense is read in its own sentence only, `_dates_in_sentence`: after "a further
    decline in the fourth quarter" said in October, "In the year-ago period" of the next sentence is the
    third quarter's)."""
    period = _period(value) if value else None
    if not period or (base is not None and period[0] > base):
        return False
    doc.last_value = value
    if re.fullmatch(r"\d{4}-[QH]\d", value):
        doc.last_part = value
    return True


def dates_in_document(sentences: Iterable[tuple[str, int, str]], base: dt.date | None, params: DatesParams
                      ) -> Iterator[dict[str, Any]]:
    """The temporal expressions of one document's sentences ((sent_id, start, text), in text order), each
    resolved against `base` (the document's date; None: relative ones unresolved) as a row of the dates
    table (offsets into the document's text)."""
    doc = _Document()
    for sent_id, sent_start, sentence in sentences:
        for start, end, resolved in _dates_in_sentence(sentence, base, params, doc):
            date, date_end, granularity, relative, how, type_, value = resolved
            yield {"sent_id": sent_id, "start": sent_start + start, "end": sent_start + end,
                   "text": sentence[start:end], "type": type_, "value": value, "date": date, "date_end": date_end,
                   "granularity": granularity, "relative": relative, "resolved": date is not None,
                   "resolution": how}
