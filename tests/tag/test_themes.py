"""Themes: lexicon terms matched on lemma keys, one row per theme mention."""
import polars as pl
import pytest

from schemas.base import polars_schema
from schemas.tag import Themes
from stages.common import StageError
from stages.tag.themes import extract_themes, lemma_key
from tests.shipped_params import shipped
from tests.tag.sentence_frames import frames

PARAMS = shipped("tag").themes



def themes(text):
    docs, sents = frames(text)
    out = extract_themes(docs, sents, PARAMS)
    for row in out.iter_rows(named=True):
        assert text[row["start"]:row["end"]] == row["text"]
    return out


def test_inflections_share_a_lemma_key():
    assert lemma_key("cease-fire") == lemma_key("ceasefires") == lemma_key("Ceasefire")
    assert lemma_key("negotiating") == lemma_key("negotiated") == lemma_key("negotiate")
    assert lemma_key("hostages") == lemma_key("hostage")
    assert lemma_key("kidnapping") == lemma_key("kidnap")


def test_theme_mentions_longest_match_and_exact_words():
    out = themes("Negotiators discussed a cease-fire and the release of hostages, and aid groups delivered "
                 "humanitarian aid. The talks stalled; they talked again.")
    got = list(zip(out["text"], out["theme"]))
    assert ("cease-fire", "cease-fire") in got
    assert ("hostages", "hostages") in got
    assert ("humanitarian aid", "humanitarian aid") in got and ("aid", "humanitarian aid") not in got
    assert ("Negotiators", "negotiations") in got and ("talks", "negotiations") in got
    assert not any(t == "talked" for t, _ in got)
    assert dict(out.schema) == polars_schema(Themes)


def test_multiword_terms_do_not_cross_punctuation():
    out = themes("They called for a pause in fighting. A pause, in fighting terms, is rare.")
    assert out.filter(pl.col("theme") == "cease-fire")["text"].to_list() == ["pause in fighting"]


def test_words_repeated_across_sentences_keep_their_keys():
    # word keys are memoised per call: the second sentence must match exactly like the first
    out = themes("Negotiators resumed ceasefire talks. Nothing else happened. Negotiators resumed ceasefire talks.")
    first = out.filter(pl.col("start") < 40).select("theme", "term").sort("theme", "term").rows()
    second = out.filter(pl.col("start") >= 60).select("theme", "term").sort("theme", "term").rows()
    assert first and first == second


@pytest.mark.parametrize("name", ["no_such_lexicon.yaml", "../../../params.yaml", "/etc/passwd"])
def test_a_lexicon_that_is_not_a_data_file_is_a_clear_error(name):
    docs, sents = frames("Hospitals ran out of fuel.")
    with pytest.raises(StageError) as failure:
        extract_themes(docs, sents, shipped("tag", {"themes": {"lexicon": name}}).themes)
    assert "tag.themes.lexicon" in failure.value.message and "is not a file of" in failure.value.message
