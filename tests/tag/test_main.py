"""The tag stage's flow: each distinct sentence is tagged once, cached by content, offsets slice the text."""
from __future__ import annotations

from datetime import date

import polars as pl
import pytest

import stages.tag.__main__ as tag_stage
from stages.common import load_params
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
    ner = tag_stage.ner_params(params)
    return tag_stage.build_nlp(ner), params


def test_distinct_texts_are_tagged_once_and_then_come_from_the_cache(tmp_path, monkeypatch, nlp_and_params):
    nlp, params = nlp_and_params
    calls: list[list[str]] = []
    real = tag_stage.tag_texts

    def counting(nlp_, texts, params_, **kwargs):
        calls.append(list(texts))
        return real(nlp_, texts, params_, **kwargs)

    monkeypatch.setattr(tag_stage, "tag_texts", counting)
    fingerprint = tag_stage.ner_fingerprint(nlp, params)
    cache = SpanCache(tmp_path, fingerprint)
    first = tag_stage.tag_sentences(sentences(), nlp, cache, tag_stage.ner_params(params))
    assert [len(c) for c in calls] == [2]  # "Mr. Netanyahu returned home." appears twice, tagged once
    second = tag_stage.tag_sentences(sentences(), nlp, cache, tag_stage.ner_params(params))
    assert len(calls) == 1 and second.equals(first)
    texts = {"aaaaaaaaaaaaaaaa": TEXT, "bbbbbbbbbbbbbbbb": COPY}
    for row in first.iter_rows(named=True):
        assert texts[row["doc_id"]][row["start"]:row["end"]] == row["text"]
    assert {"Benjamin Netanyahu", "Rome"} <= set(first["text"].to_list())


def test_fingerprint_changes_with_the_rule_params(nlp_and_params):
    nlp, params = nlp_and_params
    changed = {**params, "entities": {**params["entities"], "headline_min_words": 99}}
    assert tag_stage.ner_fingerprint(nlp, params) != tag_stage.ner_fingerprint(nlp, changed)
    same = {**params, "n_process": 1, "batch_size": 7, "cache_dir": "elsewhere"}
    assert tag_stage.ner_fingerprint(nlp, params) == tag_stage.ner_fingerprint(nlp, same)


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
    uncached = tag_stage.extract_all(docs, sents, entities, {**params, "cache": False})
    cached = {**params, "cache_dir": str(tmp_path / "cache")}
    cold = tag_stage.extract_all(docs, sents, entities, cached)
    assert all(table.height for table in uncached[:4])   # a quote, an attribution, a count, a date
    calls: list[int] = []
    real = tag_stage.extract_quotes
    monkeypatch.setattr(tag_stage, "extract_quotes", lambda d, *a: calls.append(d.height) or real(d, *a))
    warm = tag_stage.extract_all(docs, sents, entities, cached)
    assert calls == [0]                                   # nothing changed: no document extracted again
    for before, first, second in zip(uncached, cold, warm):
        assert first.equals(before) or first.sort(first.columns).equals(before.sort(before.columns))
        assert second.sort(second.columns).equals(before.sort(before.columns))


def test_extractor_fingerprint_changes_with_extractor_params_only(nlp_and_params):
    _, params = nlp_and_params
    base = tag_stage.extractor_fingerprint(params)
    assert tag_stage.extractor_fingerprint({**params, "quotes": {**params["quotes"], "min_partial_words": 9}}) != base
    assert tag_stage.extractor_fingerprint({**params, "n_process": 1, "cache_dir": "elsewhere"}) == base
