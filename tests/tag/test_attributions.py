"""Attributions: source phrase, number of sources, named or anonymous, affiliation."""
import re

import polars as pl

from schemas.base import polars_schema
from schemas.tag import Attributions
from stages.tag.attributions import extract_attributions
from tests.shipped_params import shipped
from tests.tag.sentence_frames import frames

PARAMS = shipped("tag").attributions



def entities(text, mentions):
    rows = []
    for mention, (label, canonical) in mentions.items():
        for m in re.finditer(re.escape(mention), text):
            rows.append({"doc_id": "d1", "sent_id": None, "start": m.start(), "end": m.end(), "text": mention,
                         "label": label, "canonical": canonical, "entity_id": canonical})
    return pl.DataFrame(rows, schema={"doc_id": pl.Utf8, "sent_id": pl.Utf8, "start": pl.Int64, "end": pl.Int64,
                                      "text": pl.Utf8, "label": pl.Utf8, "canonical": pl.Utf8, "entity_id": pl.Utf8})


def attributions(text, mentions=None, params=PARAMS):
    docs, sents = frames(text)
    out = extract_attributions(docs, sents, entities(text, mentions or {}), params)
    for row in out.iter_rows(named=True):
        assert text[row["start"]:row["end"]] == row["text"]
    return out


def by_text(out):
    return {r["text"]: r for r in out.iter_rows(named=True)}


def test_seed_according_to_officials_and_statement():
    text = ("Officials met in Rome on Sunday, according to three officials involved in or briefed on the talks "
            "and a statement from the Israeli government. The talks remain stalled, according to seven "
            "officials involved in or briefed on the talks.")
    rows = by_text(attributions(text, {"Israeli": ("NORP", "Israel")}))
    seven = rows["seven officials involved in or briefed on the talks"]
    assert (seven["n_sources"], seven["named"], seven["cue"]) == (7, False, "according_to")
    statement = rows["a statement from the Israeli government"]
    assert statement["n_sources"] is None and statement["affiliation"] == "Israeli government"
    assert statement["source_type"] == "document"
    assert rows["three officials involved in or briefed on the talks"]["n_sources"] == 3


def test_seed_coordinated_sources_are_split():
    text = ("Israel wants checkpoints, according to four Israeli officials and an official from one of the "
            "mediating countries.")
    rows = by_text(attributions(text))
    four = rows["four Israeli officials"]
    assert (four["n_sources"], four["affiliation"]) == (4, "Israeli")
    other = rows["an official from one of the mediating countries"]
    assert other["n_sources"] == 1 and other["named"] is False


def test_seed_officials_said_and_suggested():
    text = ("Six Israeli officials said that Netanyahu was the main reason. While there are claims of an "
            "impasse, two US officials suggested that parties were still reviewing the details.")
    rows = by_text(attributions(text, {"Netanyahu": ("PERSON", "Benjamin Netanyahu"), "US": ("GPE", "United States")}))
    six, two = rows["Six Israeli officials"], rows["two US officials"]
    assert (six["n_sources"], six["affiliation"], six["verb"], six["named"]) == (6, "Israeli", "said", False)
    assert (two["n_sources"], two["affiliation"], two["verb"]) == (2, "US", "suggested")


def test_named_sources_and_non_sources():
    text = ("Mr. Dekel-Chen said the pledge was made. Kamel Abu Jamea, 73, a Khan Younis resident, said his wife "
            "was sick. Blinken emphasized the necessity of a ceasefire. He said nothing.")
    out = attributions(text, {"Dekel-Chen": ("PERSON", "Jonathan Dekel-Chen"),
                              "Kamel Abu Jamea": ("PERSON", "Kamel Abu Jamea"),
                              "Blinken": ("PERSON", "Antony Blinken")})
    assert out["source_name"].to_list() == ["Jonathan Dekel-Chen", "Kamel Abu Jamea"]
    assert out["text"].to_list() == ["Mr. Dekel-Chen", "Kamel Abu Jamea"]
    assert out["named"].to_list() == [True, True] and out["n_sources"].to_list() == [1, 1]
    assert dict(out.schema) == polars_schema(Attributions)


def test_upper_case_cues_and_case_unsafe_sentences_match_the_same():
    plain = attributions("Six Israeli officials SAID the talks stalled, ACCORDING TO two diplomats.")
    unsafe = attributions("Six Israeli officials SAID the talks stalled in İzmir, ACCORDING TO two diplomats.")
    for out in (plain, unsafe):
        rows = by_text(out)
        assert rows["Six Israeli officials"]["verb"] == "said" and rows["Six Israeli officials"]["n_sources"] == 6
        assert rows["two diplomats"]["cue"] == "according_to"
    assert attributions("The market rose sharply on Monday.").height == 0


def test_verb_words_found_by_find_are_the_verb_words_of_the_word_scan():
    from stages.tag.attributions import WORD_RE, _cues, _verb_forms_in, _verb_words
    cues = _cues()
    text = ("unsaid said_ x-said ésaid said. _said a_said said's said-so 'said -said 9said said,said "
            "told’ “said” (told) says").lower()
    expected = [(m.start(), m.end(), m.group(0)) for m in WORD_RE.finditer(text) if m.group(0) in cues.verbs]
    assert len(expected) >= 8
    assert _verb_words(text, _verb_forms_in(text, cues)) == expected


def test_coordinated_sources_stay_one_when_splitting_is_off():
    text = "Israel wants checkpoints, according to four Israeli officials and an official from Egypt."
    whole = attributions(text, params=shipped("tag", {"attributions": {"split_coordinated": False}}).attributions)
    assert whole["text"].to_list() == ["four Israeli officials and an official from Egypt"]


def test_inverted_sources_and_other_verbs_need_a_complement():
    rows = by_text(attributions("The plan failed, said two senior officials. Officials emphasized the need. "
                                "Three diplomats confirmed that talks resumed."))
    assert rows["two senior officials"]["n_sources"] == 2 and rows["two senior officials"]["cue"] == "verb"
    assert rows["Three diplomats"]["verb"] == "confirmed"
    assert "Officials" not in rows


def test_a_stated_zero_is_no_count_of_sources():
    # found by the totality property test ("0<official/said"): n_sources must be at least 1 or unknown
    out = attributions("0 officials said the plan was dead.")
    assert out.height == 1 and out["n_sources"].to_list() == [None]
