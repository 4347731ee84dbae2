"""The TIMEX3 grammar of stages/common/timex.py (data/timex_grammar.yaml): type and value of each kind of
expression, the periods they name, tense and direction, and expressions resolved from the period last named."""
import datetime as dt

import polars as pl
import pytest

from schemas.tag import Dates
from tests.tag.test_dates import dates

BASE = dt.date(1989, 11, 2)   # a Thursday in the fourth quarter


def values(text, published=BASE):
    out = dates(text, published)
    Dates.validate(out.with_columns(doc_id=pl.lit("0123456789abcdef"),
                                    sent_id=pl.lit("0123456789abcdef:0:0")), lazy=True)
    return [(row["text"], row["type"], row["value"]) for row in out.iter_rows(named=True)]


@pytest.mark.parametrize("text, expected", [
    ("Citadel posted a third-quarter net loss.", ("third-quarter", "DATE", "1989-Q3")),
    ("Sales rose in the first half of 1990.", ("the first half of 1990", "DATE", "1990-H1")),
    ("Net rose in 1988's fourth quarter.", ("1988's fourth quarter", "DATE", "1988-Q4")),
    ("First-half 1988 profit rose.", ("First-half 1988", "DATE", "1988-H1")),
    ("The vote was on January twenty-first.", ("January twenty-first", "DATE", "1989-01-21")),
    ("It is this coming Sunday, November fifth.", ("this coming Sunday, November fifth", "DATE", "1989-11-05")),
    ("It will last through the first two quarters of 1990.",
     ("the first two quarters of 1990", "DATE", "1990-H1")),
    ("It will grow in the last two quarters of 1990.", ("the last two quarters of 1990", "DATE", "1990-H2")),
    ("Sales rose in the last quarter of 1988.", ("the last quarter of 1988", "DATE", "1988-Q4")),
    ("Sales rose in the final half of next year.", ("the final half of next year", "DATE", "1990-H2")),
    ("Sales fell in the last two quarters.", ("the last two quarters", "DURATION", "P6M")),
    ("It will be done a year from now.", ("a year from now", "DATE", "1990")),
    ("Profit fell in the latest quarter.", ("the latest quarter", "DATE", "1989-Q3")),
    ("It will report this quarter.", ("this quarter", "DATE", "1989-Q4")),
    ("Prices rose last fall.", ("last fall", "DATE", "1988-FA")),
    ("He returns this summer.", ("this summer", "DATE", "1989-SU")),
    ("Rates fell in the late 1970s.", ("the late 1970s", "DATE", "197")),
    ("Net income in fiscal 1989 rose.", ("fiscal 1989", "DATE", "1989")),
    ("Talks stalled over the weekend.", ("over the weekend", "DATE", "1989-W43-WE")),
    ("Talks will resume over the weekend of Nov. 4.", ("the weekend of Nov. 4", "DATE", "1989-W44-WE")),
    ("The weekend of Oct. 28, 1988 was busy.", ("The weekend of Oct. 28, 1988", "DATE", "1988-W43-WE")),
    ("Iraq now controls 20 percent.", ("now", "DATE", "PRESENT_REF")),
    ("The party recently took 13 percent.", ("recently", "DATE", "PAST_REF")),
    ("It may grow in the future.", ("in the future", "DATE", "FUTURE_REF")),
    ("It may placate holders in the short term.", ("the short term", "DATE", "FUTURE_REF")),
    ("He served for five years.", ("five years", "DURATION", "P5Y")),
    ("A two-hour meeting ended.", ("two-hour", "DURATION", "PT2H")),
    ("It took several weeks.", ("several weeks", "DURATION", "PXW")),
    ("The board meets every week.", ("every week", "SET", "P1W")),
    ("Flights leave each Thursday.", ("each Thursday", "SET", "XXXX-WXX-4")),
    ("He spoke on Wednesday night.", ("Wednesday night", "DATE", "1989-11-01")),
    ("Shares fell this morning.", ("this morning", "TIME", "1989-11-02TMO")),
    ("Sales rose in June last year.", ("June last year", "DATE", "1988-06")),
    ("The market crashed on Oct. 19 last year.", ("Oct. 19 last year", "DATE", "1988-10-19")),
    ("He leaves on Friday of next week.", ("Friday of next week", "DATE", "1989-11-10")),
    ("The offer had been set to expire Nov. 6.", ("Nov. 6", "DATE", "1989-11-06")),
    ("Costs rose under the new labor pact effective June 1.", ("June 1", "DATE", "1990-06-01")),
    ("He was named on May 5.", ("May 5", "DATE", "1989-05-05")),
    ("It may close in May.", ("May", "DATE", "1990-05")),
    ("On Tuesday, two hundred workers will strike.", ("Tuesday", "DATE", "1989-11-07")),
    ("The United Nations inspectors return to Iraq in March.", ("March", "DATE", "1990-03")),
])
def test_each_kind_has_its_type_and_value(text, expected):
    assert values(text) == [expected]


def test_the_period_of_a_quarter_and_no_period_for_a_duration():
    out = dates("Sales in the third quarter rose for five years.", BASE)
    quarter, duration = out.iter_rows(named=True)
    assert (quarter["date"], quarter["date_end"], quarter["granularity"]) == (dt.date(1989, 7, 1),
                                                                           dt.date(1989, 9, 30), "month")
    assert (duration["date"], duration["granularity"], duration["resolution"]) == (None, None, "undated")


def test_a_year_earlier_is_the_period_last_named_a_year_back():
    got = values("Net fell in the third quarter. A year earlier, it had a profit.")
    assert got[-1] == ("A year earlier", "DATE", "1988-Q3")
    assert values("A year earlier, it had a profit.")[-1] == ("A year earlier", "DATE", "1988")


def test_the_quarter_is_the_quarter_last_named():
    assert values("Net fell in the second quarter of 1989. For the quarter, sales rose.")[-1] == (
        "the quarter", "DATE", "1989-Q2")


def test_calendar_values_are_derived_from_the_period_and_unresolved_has_none():
    assert values("He left on Monday and returns next week.") == [("Monday", "DATE", "1989-10-30"),
                                                                  ("next week", "DATE", "1989-W45")]
    assert values("He left on Monday.", None) == [("Monday", "DATE", None)]


def test_ago_years_beyond_the_calendar_are_unresolved():
    assert values("Since 3000 years ago.") == [("3000 years ago", "DATE", None)]


@pytest.mark.parametrize("text, expected", [
    # written on Thursday 1989-11-02: no year, no future cue; the coming day is much nearer than the past one
    ("The dividend is payable Dec. 15 to holders of record Nov. 17.", [("Dec. 15", "DATE", "1989-12-15"),
                                                                      ("Nov. 17", "DATE", "1989-11-17")]),
    ("He was named in January.", [("January", "DATE", "1989-01")]),        # the past one is nearer
    ("Elections are due this September.", [("this September", "DATE", "1989-09")]),
    ("Output will fall in the fourth quarter.", [("the fourth quarter", "DATE", "1989-Q4")]),
    ("The Nov. 14 vote ended the strike.", [("Nov. 14", "DATE", "1988-11-14")]),   # a past cue right after
])
def test_a_day_or_month_without_a_year_points_to_the_nearer_one_unless_told(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Net rose for the full year.", [("the full year", "DATE", "1989")]),
    ("For the year ended Sept. 30, net rose.", [("the year", "DURATION", "P1Y"), ("Sept. 30", "DATE", "1989-09-30")]),
    ("It should close by year-end.", [("year-end", "DATE", "1989")]),
    ("In nineteen ninety-one he was convicted.", [("nineteen ninety-one", "DATE", "1991")]),
    ("A goal for the year two thousand.", [("the year two thousand", "DATE", "2000")]),
    ("The 11th century temple stands.", [("The 11th century", "DATE", "10")]),
    ("He was found on Thanksgiving Day.", [("Thanksgiving Day", "DATE", "1988-11-24")]),
    ("A 1996 law tightened the embargo.", [("1996", "DATE", "1996")]),
    ("It cost $1990 in all.", []),
    ("A 52-year-old man, 37 years old, left.", []),
    ("Prices have risen in recent years.", [("recent years", "DURATION", "PXY")]),
    ("Talks have dragged on for months.", [("for months", "DURATION", "PXM")]),
    ("It adds 700 seats a week; he stayed for a week.", [("a week", "DURATION", "P1W")]),   # a rate is none
    ("Trading stopped at 2:30 p.m. yesterday, it said.", [("2:30 p.m. yesterday", "TIME", "1989-11-01T14:30")]),
    ("Talks broke off at noon Thursday.", [("noon Thursday", "TIME", "1989-11-02T12:00")]),
    ("The vote is this coming Sunday.", [("this coming Sunday", "DATE", "1989-11-05")]),
    ('Baker, speaking on ABC News\' "This Week," said so.', []),
    ("He told VOA Today that it was over.", []),
    ("Talks Resume Today In Geneva", [("Today", "DATE", "1989-11-02")]),
])
def test_grammar_additions(text, expected):
    assert values(text) == expected


def test_a_year_earlier_never_chains_and_never_reads_a_forecast():
    got = values("Net fell in the third quarter. A year earlier, it rose. Sales were flat a year earlier.")
    assert [v for _, _, v in got] == ["1989-Q3", "1988-Q3", "1988-Q3"]
    got = values("It sees a loss in the third quarter of 1990. In the year-ago period, it earned $5.")
    assert got[-1][2] == "1988"        # the forecast is not the period referred back to: the base's year back


@pytest.mark.parametrize("text, published, expected", [
    # a modal perfect looks back: the Wednesday before, not the next one
    ("Concern may have been responsible for a drop in trading on Wednesday.", BASE, "1989-11-01"),
    # the governing verb comes before: "will" counts over the nearer "untouched" after the month
    ("Qantas will almost double its flights between Australia and India by August in the search for new markets "
     "untouched by the crisis.", dt.date(1998, 2, 13), "1998-08"),
    # "until" points forward whatever the verb's tense, unless a plain past form follows
    ("Officials postponed until Tuesday morning any action on the boy.", BASE, "1989-11-07"),
    ("Until Monday, they had not called Kopp a suspect.", BASE, "1989-10-30"),
])
def test_tense_is_read_from_the_verb_before_and_forward_words(text, published, expected):
    assert [v for _, _, v in values(text, published)] == [expected]


def test_the_latest_period_and_that_quarter_are_the_part_last_named():
    got = values("Net rose in the fiscal fourth quarter. Sales in the latest period rose. Results for that quarter "
                 "were flat.")
    assert [v for _, _, v in got] == ["1989-Q4", "1989-Q4", "1989-Q4"]
    assert values("Sales in the latest period rose.") == []        # no part named: no period to refer to


@pytest.mark.parametrize("text, expected", [
    ("Numbers fell through the nineties.", [("the nineties", "DATE", "199")]),
    ("Support rose from 35 percent several years ago.", [("several years ago", "DATE", "PAST_REF")]),
    ("It began more than four decades ago.", []),              # a counted span, not "some time ago"
    ("He stays for at least two more weeks.", [("two more weeks", "DURATION", "P2W")]),
    ("They left their third day-long meeting.", [("day-long", "DURATION", "P1D")]),
    ("They will live without it for a while.", [("for a while", "DURATION", "PXX")]),
    ("He arrived in Philadelphia later in the day.", [("later in the day", "DATE", "1989-11-02")]),
])
def test_vague_times_decade_words_and_the_day(text, expected):
    assert values(text) == expected


def test_decade_words_take_the_century_of_the_base():
    assert values("Hits of the twenties.", dt.date(2024, 5, 19)) == [("the twenties", "DATE", "202")]
    assert values("Hits of the nineties.", dt.date(2024, 5, 19)) == [("the nineties", "DATE", "199")]
    assert values("Hits of the nineties.", None) == [("the nineties", "DATE", "199")]


@pytest.mark.parametrize("text, expected", [
    ("He entered his current position in April.", [("current", "DATE", "PRESENT_REF"), ("April", "DATE", "1989-04")]),
    ("Holders buy at the then current price.", [("then current", "DATE", "PAST_REF")]),
    ("It expects sales in the current fiscal year to rise.", [("the current fiscal year", "DATE", "1989")]),
    ("In the year-earlier third quarter, it earned $5.", [("the year-earlier third quarter", "DATE", "1988-Q3")]),
    ("In this year's third quarter, net rose.", [("this year's third quarter", "DATE", "1989-Q3")]),
    ("Unlike last year's fourth quarter.", [("last year's fourth quarter", "DATE", "1988-Q4")]),
])
def test_current_and_a_named_part_a_year_back(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("While optimism surrounds the current round of discussions, complexities remain.", []),   # seed 003
    ("Mr. Blair's current visit to Washington ends today.", [("today", "DATE", "1989-11-02")]),
    ("Gonzalez would travel with his current wife.", [("current", "DATE", "PRESENT_REF")]),
    ("Up from the current four flights.", [("current", "DATE", "PRESENT_REF")]),
])
def test_current_before_an_event_noun_is_no_time(text, expected):
    # grammar data (reference_not_before): "current" before an event going on now is left untagged
    assert values(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("Iraq imports about three-quarters of its food.", []),                   # a fraction
    ("A second group of directors sold.", []),                               # the ordinal
    ("He paused for a second.", [("a second", "DURATION", "PT1S")]),
    ("The past two quarters were weak.", [("The past two quarters", "DURATION", "P6M")]),
    ("The March accession will follow.", [("March", "DATE", "1990-03")]),
    ("It sold itself under a June agreement.", [("June", "DATE", "1989-06")]),
])
def test_fractions_ordinals_and_a_month_after_an_article(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize("text, expected", [
    # a scheduled event in the present tense is the coming one (written on a Thursday)
    ("He and Arafat meet separately Monday with Albright.", [("Monday", "DATE", "1989-11-06")]),
    ("Australians have kept it for almost a hundred years.", [("a hundred years", "DURATION", "P100Y")]),
])
def test_scheduled_present_and_a_hundred(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize("text, published, expected", [
    # a fronted month set off by a comma is governed by the past verb of its main clause, however near
    # the coming January is (written in late October)
    ("In January, the company brought in a new chief executive.", dt.date(1989, 10, 27), "1989-01"),
    ("In January, a week after the anniversary, a bombing killed a guard.", dt.date(1998, 10, 25), "1998-01"),
    # not fronted: the coming month is still the nearer one ("payable in January")
    ("The split was approved and would be paid in January.", dt.date(1989, 10, 26), "1990-01"),
    # fronted, future main verb
    ("In January, the company will name a new chief.", dt.date(1989, 10, 27), "1990-01"),
])
def test_a_fronted_month_takes_the_tense_of_its_main_clause(text, published, expected):
    assert [v for t, _, v in values(text, published) if t == "January"] == [expected]


def test_a_forecast_period_is_read_as_the_last_named_in_its_own_sentence_only():
    base = dt.date(1989, 10, 26)
    got = values("Net fell in the third quarter. Conditions will decline further in the fourth quarter. "
                 "In the year-ago period, it earned $101 million.", base)
    assert got[1] == ("the fourth quarter", "DATE", "1989-Q4")
    assert got[-1][2] == "1988-Q3"
    # in the forecast's own sentence the comparison is with the forecast period a year back
    got = values("Net fell in the third quarter. Profit in the fourth quarter will rise from a year earlier.", base)
    assert got[-1] == ("a year earlier", "DATE", "1988-Q4")


@pytest.mark.parametrize("text, expected", [
    ("The plant would produce about 10,000 units annually.", []),
    ("Sales should rise 8.5% annually through 1992.", [("1992", "DATE", "1992")]),
    ("The board meets monthly.", [("monthly", "SET", "P1M")]),
])
def test_annually_is_no_set_but_monthly_is(text, expected):
    assert values(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("January nineteen ninety-seven. Atlanta again.", ("January nineteen ninety-seven", "DATE", "1997-01")),
    ("In July of nineteen ninety-six, a bomb went off.", ("July of nineteen ninety-six", "DATE", "1996-07")),
    ("Nineteen ninety-six was a bad year.", ("Nineteen ninety-six", "DATE", "1996")),
])
def test_a_month_before_a_spoken_year_is_one_month(text, expected):
    assert values(text) == [expected]


def test_what_is_scheduled_lies_ahead_in_a_past_sentence():
    base = dt.date(1999, 5, 5)                # a Wednesday
    assert values("The U.S. attorney has scheduled a news conference Thursday.", base) == [
        ("Thursday", "DATE", "1999-05-06")]
    # another -ed form stays a past cue
    assert values("The U.S. attorney announced a news conference Thursday.", base) == [
        ("Thursday", "DATE", "1999-04-29")]


@pytest.mark.parametrize("text, expected", [
    ("By mid afternoon, sources said it was over.", ("mid afternoon", "TIME", "1989-11-02TAF")),
    ("In London at mid-afternoon yesterday, shares rose.", ("mid-afternoon yesterday", "TIME", "1989-11-01TAF")),
    ("Yesterday afternoon, shares rose.", ("Yesterday afternoon", "TIME", "1989-11-01TAF")),
])
def test_mid_afternoon_and_a_day_word_after_the_part_of_the_day(text, expected):
    assert values(text) == [expected]


def test_this_past_week_is_last_week():
    assert values("Talks resumed this past week.") == [("this past week", "DATE", "1989-W43")]


@pytest.mark.parametrize("text, expected", [
    ("Shops close on Sundays.", [("Sundays", "SET", "XXXX-WXX-7")]),
    ("Two flights leave on Monday and Tuesday nights.", [("Monday", "SET", "XXXX-WXX-1TNI"),
                                                          ("Tuesday nights", "SET", "XXXX-WXX-2TNI")]),
    # one day is a date, not a set
    ("He spoke Tuesday night, and Sunday and Monday were quiet.", [("Tuesday night", "DATE", "1989-10-31"),
                                                                   ("Sunday", "DATE", "1989-10-29"),
                                                                   ("Monday", "DATE", "1989-10-30")]),
])
def test_a_weekday_in_the_plural_is_a_set(text, expected):
    assert values(text) == expected


def test_the_day_closing_a_named_period_leaves_that_period_the_one_read_next():
    base = dt.date(1989, 10, 26)
    got = values("It earned $4 million for the fiscal-first quarter ended Sept. 30. It lost $2 million a year ago.",
                 base)
    assert got[0][2] == "1989-Q1" and got[-1] == ("a year ago", "DATE", "1988-Q1")
    # no period before "ended": the day is the one
    got = values("For the six months ended Aug. 12, it earned $6 million, against $18 million a year earlier.", base)
    assert got[-1] == ("a year earlier", "DATE", "1988-08-12")
    # only the period named right before "ended": "today" earlier in the sentence is not closed by the day
    got = values("It today reported a loss for the year ended Nov. 30, against a loss a year before.",
                 dt.date(1987, 3, 1))
    assert got[-1] == ("a year before", "DATE", "1985-11-30")


def test_the_year_earlier_nine_months_is_one_duration():
    assert values("Net for the year-earlier nine months included a gain.", dt.date(1989, 10, 26)) == [
        ("the year-earlier nine months", "DURATION", "P9M")]


def test_the_year_earlier_period_after_the_nine_months_is_that_stretch():
    got = values("For the nine months, net rose 5%. In the year-earlier period, it had net of $7 million. "
                 "Net fell in the third quarter. In the year-earlier period, it lost.", dt.date(1989, 10, 26))
    assert [v for _, _, v in got] == ["P9M", "P9M", "1989-Q3", "1988-Q3"]


def test_narrative_anaphora_count_from_the_date_last_named():
    got = values("In March, shareholders urged a sale. The following month, the company put itself up for sale.")
    assert got[-1] == ("The following month", "DATE", "1989-04")
    # a future date named counts too, and "then" after "until" is that date
    got = values("Conversion rights will terminate on Nov. 30. Until then, the stock remains convertible.")
    assert got[-1] == ("then", "DATE", "1989-11-30")
    assert values("He arrived on Oct. 12, 1988. He left the preceding day.")[-1] == ("the preceding day", "DATE",
                                                                                    "1988-10-11")
    assert values("He was arrested on Oct. 12, 1988. He was freed the next day.")[-1] == ("the next day", "DATE",
                                                                                        "1988-10-13")
    # "next" is narrative before "day" only: "over the next month" counts from the creation time
    assert values("He was arrested on Oct. 12, 1988. Prices may rise over the next month.")[-1] == (
        "next month", "DATE", "1989-12")


def test_narrative_anaphora_need_a_date_as_fine_as_their_unit():
    # no date named before, or only a quarter: no "following month" counted from the creation time
    assert values("The following day, he left.") == []
    assert values("Sales rose in the third quarter. The following month they fell.") == [
        ("the third quarter", "DATE", "1989-Q3")]
    # "since then" is a stretch up to now, not the date named
    assert values("The plant opened on Oct. 2. Since then, output doubled.") == [("Oct. 2", "DATE", "1989-10-02")]


def test_the_future_of_a_thing_names_no_time():
    assert values("That is very important to the future of our peoples.") == []
    assert values("Air strikes may continue well into the future.") == [("the future", "DATE", "FUTURE_REF")]


def test_the_second_day_of_a_pair_is_its_own_date():
    assert values("The summit will take place on Nov. 24 and 25.") == [
        ("Nov. 24", "DATE", "1989-11-24"), ("25", "DATE", "1989-11-25")]
    assert values("They met Oct. 2 or 3, he said.") == [("Oct. 2", "DATE", "1989-10-02"), ("3", "DATE", "1989-10-03")]
    # a count after the day is no day
    assert values("On Oct. 24 and 25 people died.") == [("Oct. 24", "DATE", "1989-10-24")]
    # the last day of a range is one too ("Oct. 1 to 15", "Oct. 15-16")
    assert values("It ran from Oct. 1 to 15.") == [("Oct. 1", "DATE", "1989-10-01"), ("15", "DATE", "1989-10-15")]
    assert values("They met Oct. 15-16 in Paris.") == [("Oct. 15", "DATE", "1989-10-15"), ("16", "DATE", "1989-10-16")]


def test_a_participle_after_be_is_no_past_tense():
    # written on Nov. 2, 1989: "will be held" points forward as "will take place" does
    assert values("The summit will be held on Nov. 24.") == [("Nov. 24", "DATE", "1989-11-24")]
    assert values("The summit was held on Oct. 24.") == [("Oct. 24", "DATE", "1989-10-24")]


def test_todays_before_a_generic_noun_is_the_present_age_not_a_day():
    assert values("The chips run many of today's personal computers.") == []
    assert values("The case is for today's youth what the blockade was.") == []
    assert values("The offer, advertised in today's editions, expires.") == [("today", "DATE", "1989-11-02")]
    assert values("Today's vote was close.") == [("Today", "DATE", "1989-11-02")]


def test_a_day_right_after_ended_stays_in_the_past():
    # written on Oct. 27, 1989: Oct. 31 is four days ahead, but a period that "ended" on it is the past one
    assert values("Results for the quarter ended Oct. 31 include a charge.", dt.date(1989, 10, 27))[-1] == (
        "Oct. 31", "DATE", "1988-10-31")
    assert values("The offer expires Oct. 31.", dt.date(1989, 10, 27)) == [("Oct. 31", "DATE", "1989-10-31")]


def test_a_month_in_a_sentence_without_tense_is_the_nearer_one():
    # written on Dec. 5, 1998: the coming April is four months ahead, the last one eight months back
    assert values("They also can take part in planning for the summit in April.", dt.date(1998, 12, 5)) == [
        ("April", "DATE", "1999-04")]
    # a past verb keeps the stricter rule (twice as near): the last March
    assert values("He stepped down as chairman in March.", BASE) == [("March", "DATE", "1989-03")]


def test_a_day_word_after_a_noun_and_of_is_an_age_not_a_day():
    assert values("If I were choosing the people of tomorrow, I would choose them.") == []
    assert values("The price as of today is high.") == [("today", "DATE", "1989-11-02")]
    assert values("It ends by the end of tomorrow.") == [("tomorrow", "DATE", "1989-11-03")]
    assert values("The result of today's vote is in.") == [("today", "DATE", "1989-11-02")]


def test_a_deictic_year_earlier_after_last_year_names_that_year_again():
    assert values("Last year losses totaled $5 million. The year-earlier results have been restated.") == [
        ("Last year", "DATE", "1988"), ("The year-earlier", "DATE", "1988")]
    # "the year before" counts from the year named
    assert values("Sales fell to $300 million last year, down from $450 million the year before.") == [
        ("last year", "DATE", "1988"), ("the year before", "DATE", "1987")]


def test_a_part_of_a_year_named_by_its_offset_is_one_expression():
    assert values("Sales will rise in the first quarter of next year.") == [
        ("the first quarter of next year", "DATE", "1990-Q1")]
    assert values("In the fourth quarter of last year, sales fell.") == [
        ("the fourth quarter of last year", "DATE", "1988-Q4")]
    assert values("Output will fall in the second half of the year.") == [
        ("the second half of the year", "DATE", "1989-H2")]


def test_an_elliptic_last_after_this_year_is_last_year():
    got = values("The gain means nearly twice as high a dividend this year as last.")
    assert got == [("this year", "DATE", "1989"), ("last", "DATE", "1988")]
    assert values("He came in last.") == []


def test_the_last_week_of_a_named_period_is_no_deictic_week():
    # "the last week of October" is a part of October, not the week before the article's date
    assert values("Sales rose in the last week of October.") == [("October", "DATE", "1989-10")]
    assert values("Sales rose last week.") == [("last week", "DATE", "1989-W43")]


def test_a_month_after_any_preposition_or_in_the_possessive_is_the_month():
    assert values("Sales fell 5% for September.") == [("September", "DATE", "1989-09")]
    assert values("Profit rose, compared with August.") == [("August", "DATE", "1989-08")]
    assert values("Sales were below September's level.") == [("September", "DATE", "1989-09")]
    # and the capitalised "May" is no modal for the weekday (the past Tuesday)
    assert values("Tuesday's report on May sales showed a drop.") == [
        ("Tuesday", "DATE", "1989-10-31"), ("May", "DATE", "1989-05")]
    # a capitalised word before the possessive makes it a name's
    assert values("Theresa May's speech was long.") == []


def test_the_part_just_closed_in_a_future_sentence_is_the_one_reported():
    # said on 1989-11-02 (the fourth quarter): the third quarter just closed, not next year's
    assert values("The company will report a loss for the third quarter.") == [
        ("the third quarter", "DATE", "1989-Q3")]
    assert values("The company will report a loss for the second quarter.") == [
        ("the second quarter", "DATE", "1990-Q2")]
    assert values("Sales will rise in the fourth quarter.") == [("the fourth quarter", "DATE", "1989-Q4")]
    # said in January, the quarter just closed is last year's fourth
    assert values("The company will report a loss for the fourth quarter.", dt.date(1990, 1, 20)) == [
        ("the fourth quarter", "DATE", "1989-Q4")]


def test_the_preceding_quarter_is_the_previous_one():
    assert values("Sales fell from the preceding quarter.") == [("the preceding quarter", "DATE", "1989-Q3")]


def test_that_same_day_and_that_year_are_the_date_last_named():
    assert values("He left on Oct. 3, 1985. He returned that same day. That year, sales fell.") == [
        ("Oct. 3, 1985", "DATE", "1985-10-03"), ("that same day", "DATE", "1985-10-03"), ("That year", "DATE", "1985")]
    # nothing named before: left out
    assert values("He returned the same day.") == []


def test_the_following_weekday_counts_from_the_day_last_named():
    # Oct. 3, 1989 is a Tuesday
    assert values("He left on Oct. 3. He returned the following Monday.") == [
        ("Oct. 3", "DATE", "1989-10-03"), ("the following Monday", "DATE", "1989-10-09")]
    assert values("He left on Oct. 3. He had come the previous Sunday.") == [
        ("Oct. 3", "DATE", "1989-10-03"), ("the previous Sunday", "DATE", "1989-10-01")]
    # no day named: the weekday as it is alone (the past one)
    assert values("He came the previous Tuesday.") == [("the previous Tuesday", "DATE", "1989-10-31")]


def test_a_season_after_in_or_over_the_and_this_winter_in_the_autumn():
    assert values("Sales rose in spring.") == [("in spring", "DATE", "1989-SP")]
    assert values("He worked there over the summer.") == [("over the summer", "DATE", "1989-SU")]
    # said in November: the winter about to begin; said in January: the one begun in December
    assert values("Heating costs will rise this winter.") == [("this winter", "DATE", "1989-WI")]
    assert values("Heating costs rose this winter.", dt.date(1990, 1, 15)) == [("this winter", "DATE", "1989-WI")]


def test_narrative_anaphora_past_the_calendar_end_are_left_out_not_a_crash():
    assert values("On 9999-12-31 he left. He returned the following Monday, that same week.") == [
        ("9999-12-31", "DATE", "9999-12-31")]
    assert values("On 0001-01-01 he left. He had come the previous Sunday.") == [("0001-01-01", "DATE", "0001-01-01")]


@pytest.mark.parametrize("text, published", [
    ("in September", dt.date(1, 1, 1)), ("The weekend passed.", dt.date(1, 1, 1)),
    ("He comes next Monday.", dt.date(9999, 12, 31)), ("He comes tomorrow.", dt.date(9999, 12, 31)),
])
def test_a_date_past_the_calendar_ends_is_no_expression_not_a_crash(text, published):
    assert values(text, published) == []


def test_the_weeks_ahead_is_a_vague_duration():
    assert values("Prices will rise in the months ahead.") == [("the months ahead", "DURATION", "PXM")]


@pytest.mark.parametrize("text, expected", [
    ("But a minute and a half later, a pilot called.", ("a minute and a half", "DURATION", "PT1M30S")),
    ("He served two and a half years.", ("two and a half years", "DURATION", "P2Y6M")),
    ("They waited half an hour.", ("half an hour", "DURATION", "PT30M")),
    ("It took half a century.", ("half a century", "DURATION", "P50Y")),
])
def test_a_half_unit_is_part_of_the_duration(text, expected):
    assert values(text) == [expected]
