"""Counts: GDELT-style quantities with their noun, event and qualifier."""
import polars as pl

from schemas.base import polars_schema
from schemas.tag import Counts
from stages.tag.counts import _count_in_sentence, extract_counts
from tests.shipped_params import shipped
from tests.tag.sentence_frames import frames

PARAMS = shipped("tag").counts


def counts(text):
    docs, sents = frames(text)
    out = extract_counts(docs, sents, PARAMS)
    for row in out.iter_rows(named=True):
        assert text[row["start"]:row["end"]] == row["text"]
    return out


def one(text, number_text):
    out = counts(text).filter(pl.col("number_text") == number_text)
    assert out.height == 1, out
    return out.row(0, named=True)


def test_seed_killed_at_least_12_people():
    row = one("A rocket from Lebanon on Saturday killed at least 12 people in an Israeli-controlled town.", "12")
    assert (row["value"], row["noun"], row["category"], row["event"], row["qualifier"], row["bound"]) == \
        (12, "people", "people", "killed", "at least", "min")
    assert row["text"] == "at least 12 people"


def test_seed_about_182000_people_were_displaced():
    row = one("About 182,000 people were displaced from the southern city of Khan Younis last week.", "182,000")
    assert (row["value"], row["noun"], row["event"], row["qualifier"]) == (182000, "people", "displaced", "about")


def test_seed_million_people_seeking_refuge():
    row = one("The US urged caution, with an estimated 1.4 million people seeking refuge in Rafah alone.",
              "1.4 million")
    assert (row["value"], row["noun"], row["event"], row["bound"]) == (1400000, "people", "seeking refuge", "approx")


def test_seed_rockets_fired_and_soldiers_killed():
    text = ("Hamas fired approximately ten rockets from the Rafah area, killing three Israeli soldiers near "
            "the Kerem Shalom crossing.")
    rockets, soldiers = one(text, "ten"), one(text, "three")
    assert (rockets["value"], rockets["noun"], rockets["event"], rockets["qualifier"]) == \
        (10, "rockets", "fired", "approximately")
    assert rockets["category"] == "thing"
    assert (soldiers["value"], soldiers["noun"], soldiers["category"], soldiers["event"]) == \
        (3, "soldiers", "people", "killed")


def test_dates_ages_measures_and_years_are_not_counts():
    text = ("Kamel Abu Jamea, 73, said his wife cannot walk five meters since the Oct. 7 attack in 2023, "
            "three weeks ago.")
    assert counts(text).height == 0


def test_vague_quantities_and_number_words():
    out = counts("Tens of thousands of people fled, and twenty-five families were evacuated.")
    assert out.select("value", "noun", "bound").rows() == [(20000, "people", "min"), (25, "families", None)]
    assert out["event"].to_list() == ["fled", "fled"]


def test_empty_schema():
    out = counts("No numbers here.")
    assert out.height == 0 and dict(out.schema) == polars_schema(Counts)


def test_lower_case_scan_equals_ignorecase_scan():
    # a sentence with "ı" is scanned with the IGNORECASE regexes, one without it in lower case: same rows
    for sentence in ["Israeli strikes KILLED At Least 12 people, officials said.",
                     "About 182,000 People Were Displaced and Hundreds Of homes destroyed.",
                     "Up to twenty-five rockets were fired; TEN soldiers have been wounded.",
                     "Nearly 300 sheltering in a school in 2023."]:
        plain = list(_count_in_sentence(sentence, PARAMS))
        unsafe = list(_count_in_sentence(sentence + " Kadıköy", PARAMS))
        assert plain and plain == unsafe
    row = list(_count_in_sentence("Israeli strikes KILLED At Least 12 people.", PARAMS))[0]
    assert (row["event_text"], row["qualifier"], row["value"]) == ("KILLED", "at least", 12)


def test_sentences_without_numbers_are_skipped_but_number_words_are_not():
    out = counts("Officials met in Rome. Someone often attends. TWENTY people were arrested.")
    assert out["value"].to_list() == [20] and out["event"].to_list() == ["arrested"]


def test_partitives_units_and_the_noun_switches():
    out = counts("Three of the hostages were freed. One of the hostages spoke. Five weeks passed.")
    assert out.select("value", "noun", "event").rows() == [(3, "hostages", "released")]
    docs, sents = frames("About 300 sheltering in a school.")
    assert extract_counts(docs, sents, PARAMS)["event"].to_list() == ["seeking refuge"]
    assert extract_counts(docs, sents, shipped("tag", {"counts": {"require_noun": True}}).counts).height == 0
    docs, sents = frames("Hundreds of people fled.")
    assert extract_counts(docs, sents, shipped("tag", {"counts": {"include_vague": False}}).counts).height == 0
