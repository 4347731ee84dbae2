"""The tag stage's flow: each distinct sentence is tagged once, cached by content, offsets slice the text."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest

import stages.tag.__main__ as tag_stage
from stages.common import StageError, load_params
from stages.tag import ner
from stages.tag.ner_process import NerProcess
from stages.tag.cache import SpanCache

TEXT = "Prime Minister Benjamin Netanyahu met officials in Rome on Sunday.\n\nMr. Netanyahu returned home."
COPY = "Mr. Netanyahu returned home."
COPY_AND_TEXT = [("copy", COPY), *(("text", part) for part in TEXT.split("\n\n"))]


def sentences() -> pl.DataFrame:
    rows = []
    for doc_id, text in (("aaaaaaaaaaaaaaaa", TEXT), ("bbbbbbbbbbbbbbbb", COPY)):
        for paragraph, sentence in enumerate(text.split("\n\n")):
            start = text.index(sentence)
            rows.append({"doc_id": doc_id, "sent_id": f"{doc_id}:{paragraph}:0", "paragraph": paragraph,
                         "index": 0, "start": start, "end": start + len(sentence), "text": sentence})
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def nlp_and_params():
    params = load_params("tag")
    return ner.build_nlp(tag_stage.ner_params(params)), params


def tagger(nlp, params, calls: list[list[str]] | None = None):
    """`tag_sentences`' tag function, in this process, recording the texts it is asked for."""
    def tag(texts: list[str]):
        if calls is not None:
            calls.append(list(texts))
        return ner.tag_texts(nlp, texts, tag_stage.ner_params(params))
    return tag


def test_distinct_texts_are_tagged_once_and_then_come_from_the_cache(tmp_path, nlp_and_params):
    nlp, params = nlp_and_params
    calls: list[list[str]] = []
    fingerprint = tag_stage.ner_fingerprint(params)
    cache = SpanCache(tmp_path, fingerprint)
    first = tag_stage.tag_sentences(sentences(), tagger(nlp, params, calls), cache)
    assert [len(c) for c in calls] == [2]  # "Mr. Netanyahu returned home." appears twice, tagged once
    second = tag_stage.tag_sentences(sentences(), tagger(nlp, params, calls), cache)
    assert len(calls) == 1 and second.equals(first)
    texts = {"aaaaaaaaaaaaaaaa": TEXT, "bbbbbbbbbbbbbbbb": COPY}
    for row in first.iter_rows(named=True):
        assert texts[row["doc_id"]][row["start"]:row["end"]] == row["text"]
    assert {"Benjamin Netanyahu", "Rome"} <= set(first["text"].to_list())


def test_fingerprint_changes_with_the_rule_params_and_the_model(nlp_and_params, tmp_path):
    _, params = nlp_and_params
    changed = {**params, "entities": {**params["entities"], "headline_min_words": 99}}
    assert tag_stage.ner_fingerprint(params) != tag_stage.ner_fingerprint(changed)
    same = {**params, "n_process": 1, "batch_size": 7, "cache_dir": "elsewhere"}
    assert tag_stage.ner_fingerprint(params) == tag_stage.ner_fingerprint(same)
    # A model given as a folder: its meta.json (name, version) is part of the fingerprint.
    (tmp_path / "meta.json").write_text('{"name": "core_web_sm", "version": "3.8.0"}')
    other = {**params, "model": str(tmp_path)}
    first = tag_stage.ner_fingerprint(other)
    (tmp_path / "meta.json").write_text('{"name": "core_web_sm", "version": "3.8.1"}')
    assert tag_stage.ner_fingerprint(other) != first


def test_a_missing_model_is_a_clear_error(nlp_and_params, tmp_path):
    _, params = nlp_and_params
    with pytest.raises(StageError) as failure:
        tag_stage.ner_fingerprint({**params, "model": str(tmp_path / "nowhere")})
    assert "no meta.json" in failure.value.message


def test_the_ner_process_tags_like_the_model_in_this_process(nlp_and_params):
    nlp, params = nlp_and_params
    texts = [sentence for _, sentence in COPY_AND_TEXT] + ["", "Rome."]
    process = NerProcess({**tag_stage.ner_params(params), "batch_size": 2})
    try:
        assert process.tag(texts) == ner.tag_texts(nlp, texts, tag_stage.ner_params(params))
        assert process.tag([]) == []
    finally:
        process.close()


def test_a_model_that_fails_to_load_in_the_ner_process_is_a_clear_error(nlp_and_params, tmp_path):
    _, params = nlp_and_params
    process = NerProcess({**tag_stage.ner_params(params), "model": str(tmp_path / "no-model")})
    try:
        with pytest.raises(StageError) as failure:
            process.tag(["Rome."])
        assert "loading the NER model" in failure.value.message and "no-model" in failure.value.message
    finally:
        process.close()


def test_a_dead_ner_process_is_a_clear_error(nlp_and_params):
    _, params = nlp_and_params
    process = NerProcess(tag_stage.ner_params(params))
    process._process.kill()
    with pytest.raises(StageError) as failure:
        process.tag(["Rome."])
    assert "NER process died" in failure.value.message
    process.close()


QUOTED = ('"We will not leave," Benjamin Netanyahu said on Sunday, as 300 protesters gathered in Rome '
          'on March 3, 2024.')


def test_extractors_reuse_each_documents_rows_with_identical_results(tmp_path, nlp_and_params, monkeypatch):
    nlp, params = nlp_and_params
    docs = pl.DataFrame({"doc_id": ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"], "text": [QUOTED, COPY],
                         "published_date": [date(2024, 3, 4), None]})
    sents = pl.DataFrame({"doc_id": ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"],
                          "sent_id": ["aaaaaaaaaaaaaaaa:0:0", "bbbbbbbbbbbbbbbb:0:0"], "paragraph": [0, 0],
                          "index": [0, 0], "start": [0, 0], "end": [len(QUOTED), len(COPY)], "text": [QUOTED, COPY]})
    mentions = tag_stage.tag_sentences(sents, tagger(nlp, params), SpanCache(tmp_path, "ner", enabled=False))
    entities = tag_stage.canonicalize(mentions, params["entities"])
    def extract_all(params_):
        text_keys, from_text = tag_stage.extract_from_text(docs, sents, params_)
        return tag_stage.extract_with_entities(docs, sents, entities, text_keys, params_) + from_text

    uncached = extract_all({**params, "cache": False})
    cached = {**params, "cache_dir": str(tmp_path / "cache")}
    cold = extract_all(cached)
    assert all(table.height for table in uncached[:4])   # a quote, an attribution, a count, a date
    calls: list[int] = []
    real = tag_stage.extract_quotes
    monkeypatch.setattr(tag_stage, "extract_quotes", lambda d, *a: calls.append(d.height) or real(d, *a))
    warm = extract_all(cached)
    assert calls == [0]                                   # nothing changed: no document extracted again
    for before, first, second in zip(uncached, cold, warm):
        assert first.equals(before) or first.sort(first.columns).equals(before.sort(before.columns))
        assert second.sort(second.columns).equals(before.sort(before.columns))


def test_extractor_fingerprint_changes_with_extractor_params_only(nlp_and_params):
    _, params = nlp_and_params
    base = tag_stage.extractor_fingerprint(params)
    assert tag_stage.extractor_fingerprint({**params, "quotes": {**params["quotes"], "min_partial_words": 9}}) != base
    assert tag_stage.extractor_fingerprint({**params, "n_process": 1, "cache_dir": "elsewhere"}) == base


def test_a_bad_rule_param_in_the_ner_process_is_reported_in_words(nlp_and_params):
    _, params = nlp_and_params
    process = NerProcess({**tag_stage.ner_params(params), "gazetteer_min_population": 100})
    try:
        with pytest.raises(StageError) as failure:
            process.tag(["Rome."])
        assert "gazetteer_min_population is 100" in failure.value.message
    finally:
        process.close()
