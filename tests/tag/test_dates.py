"""Dates: resolution against published_date, granularity, and null without a base date."""
import datetime as dt

import polars as pl

from stages.tag.dates import DATE_SCHEMA, extract_dates
from tests.tag.sentence_frames import frames



def dates(text, published=None):
    docs, sents = frames(text)
    docs = docs.with_columns(pl.lit(published, dtype=pl.Date).alias("published_date"))
    out = extract_dates(docs, sents, {})
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
    out = extract_dates(docs, sents, {"use_tense_cues": False})
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
    assert dict(out.schema) == DATE_SCHEMA


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
    from stages.tag.dates import _lexicon
    lex = _lexicon()
    for text in ["He SAID Israel will attack; they're expected   to meet, and she'll go.",
                 "Talks Are Scheduled To resume; officials had warned, and it may rain. Prices jumped.",
                 "We’ll see, he’d said: plans to expand were approved"]:
        for slow, fast in ((lex.future_re, lex.future_lower_re), (lex.past_re, lex.past_lower_re)):
            spans = [m.span() for m in slow.finditer(text)]
            assert spans and spans == [m.span() for m in fast.finditer(text.lower())]
