"""The tag stage's flow: each distinct sentence is tagged once, cached by content, offsets slice the text."""
from __future__ import annotations

from concurrent.futures import Future
from datetime import date

import polars as pl
import pytest

import stages.tag.__main__ as tag_stage
from stages.common import StageError, load_params
from stages.tag import ner
from stages.tag.cache import SpanCache

TEXT = "Prime Minister Benjamin Netanyahu met officials in Rome on Sunday.\n\nMr. Netanyahu returned home."
COPY = "Mr. Netanyahu returned home."


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
    return tag_stage.load_model(params), params


def test_distinct_texts_are_tagged_once_and_then_come_from_the_cache(tmp_path, monkeypatch, nlp_and_params):
    nlp, params = nlp_and_params
    calls: list[list[str]] = []
    real = ner.tag_texts

    def counting(nlp_, texts, params_, **kwargs):
        calls.append(list(texts))
        return real(nlp_, texts, params_, **kwargs)

    monkeypatch.setattr(ner, "tag_texts", counting)
    fingerprint = tag_stage.ner_fingerprint(params)
    cache = SpanCache(tmp_path, fingerprint)
    first = tag_stage.tag_sentences(sentences(), nlp, cache, tag_stage.ner_params(params))
    assert [len(c) for c in calls] == [2]  # "Mr. Netanyahu returned home." appears twice, tagged once
    second = tag_stage.tag_sentences(sentences(), nlp, cache, tag_stage.ner_params(params))
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


def test_the_model_future_is_only_waited_for_when_something_is_not_cached(tmp_path, nlp_and_params):
    nlp, params = nlp_and_params
    cache = SpanCache(tmp_path, "ner")
    loaded = Future()
    loaded.set_result(nlp)
    first = tag_stage.tag_sentences(sentences(), loaded, cache, tag_stage.ner_params(params))
    never = Future()   # never resolved: waiting for it would hang the test
    assert tag_stage.tag_sentences(sentences(), never, cache, tag_stage.ner_params(params)).equals(first)


QUOTED = ('"We will not leave," Benjamin Netanyahu said on Sunday, as 300 protesters gathered in Rome '
          'on March 3, 2024.')


def test_extractors_reuse_each_documents_rows_with_identical_results(tmp_path, nlp_and_params, monkeypatch):
    nlp, params = nlp_and_params
    docs = pl.DataFrame({"doc_id": ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"], "text": [QUOTED, COPY],
                         "published_date": [date(2024, 3, 4), None]})
    sents = pl.DataFrame({"doc_id": ["aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"],
                          "sent_id": ["aaaaaaaaaaaaaaaa:0:0", "bbbbbbbbbbbbbbbb:0:0"], "paragraph": [0, 0],
                          "index": [0, 0], "start": [0, 0], "end": [len(QUOTED), len(COPY)], "text": [QUOTED, COPY]})
    mentions = tag_stage.tag_sentences(sents, nlp, SpanCache(tmp_path, "ner", enabled=False),
                                       tag_stage.ner_params(params))
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
