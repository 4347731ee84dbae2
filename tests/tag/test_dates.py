"""Dates: resolution against published_date, granularity, and null without a base date."""
import datetime as dt

import polars as pl

from schemas.base import polars_schema
from schemas.tag import Dates
from stages.tag.dates import extract_dates
from tests.shipped_params import shipped
from tests.tag.sentence_frames import frames

PARAMS = shipped("tag").dates



def dates(text, published=None):
    docs, sents = frames(text)
    docs = docs.with_columns(pl.lit(published, dtype=pl.Date).alias("published_date"))
    out = extract_dates(docs, sents, PARAMS)
    for row in out.iter_rows(named=True):
        assert text[row["start"]:row["end"]] == row["text"]
    return out


SEED_004 = dt.date(2024, 5, 19)   # a Sunday


def test_seed_004_weekdays_with_tense():
    text = ("A technical team departed Cairo on Sunday. On Monday, Hamas's political leadership plans to "
            "convene in Doha. Reports suggest a delegation may return to Cairo on Tuesday. "
            "Hamas officials met on Friday.")
    out = dates(text, SEED_004)
    got = dict(zip(out["text"], out["date"]))
    assert got == {"Sunday": dt.date(2024, 5, 19), "Monday": dt.date(2024, 5, 20),
                   "Tuesday": dt.date(2024, 5, 21), "Friday": dt.date(2024, 5, 17)}
    assert set(out["granularity"]) == {"day"}


def test_tense_cues_can_be_switched_off():
    docs, sents = frames("On Monday, the council plans to convene.")
    docs = docs.with_columns(pl.lit(SEED_004, dtype=pl.Date).alias("published_date"))
    out = extract_dates(docs, sents, shipped("tag", {"dates": {"use_tense_cues": False}}).dates)
    assert out["date"].to_list() == [dt.date(2024, 5, 13)]


def test_month_day_is_most_recent_past_and_month_has_month_granularity():
    out = dates("The Oct. 7 attack started the war. Earlier in July, Israel hardened its position.",
                dt.date(2024, 7, 28))
    rows = {r["text"]: r for r in out.iter_rows(named=True)}
    assert rows["Oct. 7"]["date"] == dt.date(2023, 10, 7) and rows["Oct. 7"]["granularity"] == "day"
    assert rows["July"]["date"] == dt.date(2024, 7, 1) and rows["July"]["date_end"] == dt.date(2024, 7, 31)
    assert rows["July"]["granularity"] == "month"


def test_no_base_date_gives_null_for_relative_but_not_absolute():
    out = dates("During the Hamas-led Oct. 7 attack, on Sunday, talks began. Sunday, May 19, 2024 was quiet.")
    rows = {r["text"]: r for r in out.iter_rows(named=True)}
    assert rows["Oct. 7"]["date"] is None and rows["Oct. 7"]["resolved"] is False
    assert rows["Sunday"]["date"] is None
    assert rows["Sunday, May 19, 2024"]["date"] == dt.date(2024, 5, 19)


def test_years_relative_words_and_modal_may():
    out = dates("Since 2014, prices rose; last week they fell, and yesterday they may rise in May.",
                dt.date(2024, 5, 19))
    rows = {r["text"]: r for r in out.iter_rows(named=True)}
    assert rows["2014"]["granularity"] == "year" and rows["2014"]["date"] == dt.date(2014, 1, 1)
    assert rows["last week"]["date"] == dt.date(2024, 5, 6) and rows["last week"]["granularity"] == "week"
    assert rows["yesterday"]["date"] == dt.date(2024, 5, 18)
    assert rows["May"]["granularity"] == "month"
    assert "may" not in rows
    assert dict(out.schema) == polars_schema(Dates)


def test_upper_case_relative_words_and_case_unsafe_sentences():
    # relative words are matched whatever their case; a sentence with "İ" takes the IGNORECASE path
    text = ("He left YESTERDAY and will return Next Week. Talks ended three weeks AGO in İzmir. "
            "It rose 3.2 pct in March, up from 1,234 last month.")
    out = dates(text, SEED_004)
    got = {r["text"]: (r["date"], r["granularity"]) for r in out.iter_rows(named=True)}
    assert got["YESTERDAY"] == (dt.date(2024, 5, 18), "day")
    assert got["Next Week"] == (dt.date(2024, 5, 20), "week")
    assert got["three weeks AGO"] == (dt.date(2024, 4, 22), "week")   # the week 3 before the base's
    assert got["March"] == (dt.date(2024, 3, 1), "month") and got["last month"] == (dt.date(2024, 4, 1), "month")
    assert len(got) == 5


def test_lower_case_tense_cue_regexes_match_like_the_ignorecase_ones():
    from stages.common.timex import _lexicon
    lex = _lexicon()
    for text in ["He SAID Israel will attack; they're expected   to meet, and she'll go.",
                 "Talks Are Scheduled To resume; officials had warned, and it may rain. Prices jumped.",
                 "We’ll see, he’d said: plans to expand were approved"]:
        for slow, fast in ((lex.future_re, lex.future_lower_re), (lex.past_re, lex.past_lower_re)):
            spans = [m.span() for m in slow.finditer(text)]
            assert spans and spans == [m.span() for m in fast.finditer(text.lower())]


def test_factored_ignorecase_tense_cues_match_like_the_plain_alternation():
    import re

    from stages.common.timex import DateWordsFile, _cue_regex, _lexicon
    from stages.common.words import common_yaml
    lex, words = _lexicon(), common_yaml("date_words.yaml", DateWordsFile)
    plain_future = _cue_regex(words["future_cues"])
    ed_future = "|".join(c for c in words["future_cues"] if c.isalpha() and c.endswith("ed"))     # "scheduled"
    plain_past = re.compile(rf"(?:{_cue_regex(words['past_cues']).pattern})|\b(?!(?:{ed_future})\b)[A-Za-z]{{2,}}ed\b",
                            re.IGNORECASE)
    for text in ["He SAID İsrail WILL attack; they're Expected   To meet, and she'LL go.",
                 "Talks Are Scheduled To resume; officials HAD warned, it May rain. \u212aED, ſaid",
                 "We’ll see, he’d said: plans to expand were approved; 'll 'd ’D"]:
        for plain, factored in ((plain_future, lex.future_re), (plain_past, lex.past_re)):
            assert [m.span() for m in plain.finditer(text)] == [m.span() for m in factored.finditer(text)]


def test_a_clock_time_with_zone_and_day_is_one_expression():
    from stages.common.timex import _dates_in_sentence
    text = "The offer runs until 5 p.m. EST Nov. 9, it said."
    got = [(text[s:e], r[5], r[6]) for s, e, r in _dates_in_sentence(text, dt.date(1989, 11, 2), PARAMS)]
    assert got == [("5 p.m. EST Nov. 9", "TIME", "1989-11-09T17:00")]


def test_a_clock_time_with_a_weekday_and_its_date_is_one_expression():
    # "10 a.m. Friday" alone was the expression, resolved to the Friday before; the date after it decides.
    from stages.common.timex import _dates_in_sentence
    text = "Tickets go on sale at 10 a.m. Friday, Dec. 6, and at noon on Saturday."
    got = [(text[s:e], r[5], r[6]) for s, e, r in _dates_in_sentence(text, dt.date(2019, 11, 19), PARAMS)]
    assert got[0] == ("10 a.m. Friday, Dec. 6", "TIME", "2019-12-06T10:00")
    assert got[1][0] == "noon on Saturday"


def test_every_expression_kind_resolves():
    text = ("The deal of 2024-05-02 was signed on 19 May 2024. In July 2023 and since 2014 they met; "
            "last Friday, next Monday and this week too, and two days ago, in early March and in Feb. He left.")
    out = dates(text, SEED_004)
    got = {r["text"]: (r["date"], r["date_end"], r["granularity"], r["resolution"]) for r in out.iter_rows(named=True)}
    assert got["2024-05-02"] == (dt.date(2024, 5, 2), dt.date(2024, 5, 2), "day", "absolute")
    assert got["19 May 2024"][:3] == (dt.date(2024, 5, 19), dt.date(2024, 5, 19), "day")
    assert got["July 2023"] == (dt.date(2023, 7, 1), dt.date(2023, 7, 31), "month", "absolute")
    assert got["2014"] == (dt.date(2014, 1, 1), dt.date(2014, 12, 31), "year", "absolute")
    assert got["last Friday"] == (dt.date(2024, 5, 17), dt.date(2024, 5, 17), "day", "past")
    assert got["next Monday"] == (dt.date(2024, 5, 20), dt.date(2024, 5, 20), "day", "future")
    assert got["this week"] == (dt.date(2024, 5, 13), dt.date(2024, 5, 19), "week", "offset")
    assert got["two days ago"] == (dt.date(2024, 5, 17), dt.date(2024, 5, 17), "day", "offset")
    assert got["March"] == (dt.date(2024, 3, 1), dt.date(2024, 3, 31), "month", "past")   # nearest cue: "left"
    assert got["Feb."][0] == dt.date(2024, 2, 1)             # an abbreviation with its dot
    assert "Dec" not in dates("Prices fell in Dec and rose.", SEED_004)["text"].to_list()   # without: ambiguous


def test_years_outside_the_params_range_are_ignored():
    docs, sents = frames("Prices rose in 1750 and in 1990.")
    narrow = shipped("tag", {"dates": {"min_year": 1800, "max_year": 1950}}).dates
    assert extract_dates(docs, sents, narrow).height == 0
    assert extract_dates(docs, sents, PARAMS)["text"].to_list() == ["1990"]
