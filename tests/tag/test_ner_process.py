"""The local SpanTagger: the model loads in a forked helper process; its spans equal the model's in this
process; a model or rule layer that cannot load, and a dead helper, are clear errors."""
from __future__ import annotations

import pytest

from stages.common import StageError
from stages.tag import ner
from stages.tag.ner_process import ForkedTagger
from tests.shipped_params import shipped

TEXTS = ["Prime Minister Benjamin Netanyahu met officials in Rome on Sunday.", "Mr. Netanyahu returned home.",
         "", "Rome."]


@pytest.fixture(scope="module")
def params():
    return shipped("tag", {"n_process": 1, "batch_size": 2})


def test_the_helper_tags_like_the_model_in_this_process(params):
    expected = ner.tag_texts(ner.build_nlp(params, None), TEXTS, params)
    tagger = ForkedTagger(params, None)
    try:
        assert tagger.tag(TEXTS) == expected
        assert tagger.tag([]) == []
    finally:
        tagger.close()


def test_many_texts_go_to_forked_workers_with_the_same_spans(params):
    many = shipped("tag", {"n_process": 2, "parallel_min_texts": 0, "batch_size": 2})
    expected = ner.tag_texts(ner.build_nlp(params, None), TEXTS * 3, params)
    tagger = ForkedTagger(many, None)
    try:
        assert tagger.tag(TEXTS * 3) == expected
    finally:
        tagger.close()


def test_a_model_that_fails_to_load_is_a_clear_error(tmp_path):
    tagger = ForkedTagger(shipped("tag", {"model": str(tmp_path / "no-model"), "n_process": 1}), None)
    try:
        with pytest.raises(StageError) as failure:
            tagger.tag(["Rome."])
        assert "loading the NER model" in failure.value.message and "no-model" in failure.value.message
    finally:
        tagger.close()


def test_a_rule_layer_that_fails_to_load_is_reported_with_its_cause(params):
    # a value the params model refuses (the stage never gets one), forced in: the rule layer checks it again
    bad = params.model_copy(update={"entities": params.entities.model_copy(update={"gazetteer_min_population": 100})})
    tagger = ForkedTagger(bad, None)
    try:
        with pytest.raises(StageError) as failure:
            tagger.tag(["Rome."])
        assert "loading the NER model" in failure.value.message
        assert "gazetteer_min_population" in failure.value.message
    finally:
        tagger.close()


def test_a_dead_helper_is_a_clear_error(params):
    tagger = ForkedTagger(params, None)
    tagger._process.kill()
    with pytest.raises(StageError) as failure:
        tagger.tag(["Rome."])
    assert "NER process died" in failure.value.message
    tagger.close()
