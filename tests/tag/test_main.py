"""The tag stage's flow: each distinct sentence is tagged once, only cache misses reach the tagger, offsets
slice the text, extractors reuse each document's rows, fingerprints follow what decides the output."""
from __future__ import annotations

import os
from datetime import date

import polars as pl
import pytest

import stages.tag.__main__ as tag_stage
from stages.common import StageError
from stages.common.executor import InProcess
from stages.tag import ner
from stages.tag.places import load_gazetteer
from stages.tag.registry import EXTRACTORS
from tests.shipped_params import shipped

TEXT = "Prime Minister Benjamin Netanyahu met officials in Rome on Sunday.\n\nMr. Netanyahu returned home."
COPY = "Mr. Netanyahu returned home."
A, B = "aaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbb"


def sentences() -> pl.DataFrame:
    rows = []
    for doc_id, text in ((A, TEXT), (B, COPY)):
        for paragraph, sentence in enumerate(text.split("\n\n")):
            start = text.index(sentence)
            rows.append({"doc_id": doc_id, "sent_id": f"{doc_id}:{paragraph}:0", "paragraph": paragraph,
                         "index": 0, "start": start, "end": start + len(sentence), "text": sentence})
    return pl.DataFrame(rows)


@pytest.fixture(scope="module")
def params():
    return shipped("tag", {"n_process": 1})


@pytest.fixture(scope="module")
def nlp(params):
    return ner.build_nlp(params, None)


class RecordingTagger:
    """A SpanTagger in this process that records the texts it is asked for."""

    def __init__(self, nlp, params) -> None:
        self.nlp, self.params, self.calls = nlp, params, []

    def tag(self, texts: list[str]):
        self.calls.append(list(texts))
        return ner.tag_texts(self.nlp, texts, self.params)

    def executor(self, n_documents: int):
        return InProcess(), 1

    def release_model(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)   # cache manifests are named by the project folder


def test_distinct_texts_are_tagged_once_and_then_come_from_the_cache(tmp_path, nlp, params):
    tagger = RecordingTagger(nlp, params)
    cache_params = shipped("tag", {"cache_dir": str(tmp_path)})
    first = tag_stage.tag_sentences(sentences(), tagger, tag_stage.ner_cache(cache_params))
    assert [len(c) for c in tagger.calls] == [2]   # "Mr. Netanyahu returned home." appears twice, tagged once
    second = tag_stage.tag_sentences(sentences(), tagger, tag_stage.ner_cache(cache_params))
    assert len(tagger.calls) == 1 and second.equals(first)
    texts = {A: TEXT, B: COPY}
    for row in first.iter_rows(named=True):
        assert texts[row["doc_id"]][row["start"]:row["end"]] == row["text"]
    assert {"Benjamin Netanyahu", "Rome"} <= set(first["text"].to_list())
    assert first.columns == tag_stage.MENTION_COLUMNS


def test_only_new_sentences_reach_the_tagger(tmp_path, nlp, params):
    tagger = RecordingTagger(nlp, params)
    cache_params = shipped("tag", {"cache_dir": str(tmp_path)})
    tag_stage.tag_sentences(sentences().filter(pl.col("doc_id") == B), tagger, tag_stage.ner_cache(cache_params))
    both = tag_stage.tag_sentences(sentences(), tagger, tag_stage.ner_cache(cache_params))
    assert tagger.calls == [[COPY], [TEXT.split("\n\n")[0]]]
    uncached = tag_stage.tag_sentences(sentences(), RecordingTagger(nlp, params),
                                       tag_stage.ner_cache(shipped("tag", {"cache": False})))
    assert both.sort("doc_id", "start").equals(uncached.sort("doc_id", "start"))


def test_the_most_recently_used_ner_fingerprints_are_kept(tmp_path, nlp, params):
    tagger = RecordingTagger(nlp, params)
    folders = []
    for words in (4, 5, 6, 7):   # four rule settings, in turn
        run_params = shipped("tag", {"cache_dir": str(tmp_path), "cache_keep": 3,
                                     "entities": {"headline_min_words": words}})
        cache = tag_stage.ner_cache(run_params)
        tag_stage.tag_sentences(sentences(), tagger, cache)
        os.utime(cache.folder, (1_000_000 + words, 1_000_000 + words))
        folders.append(cache.folder.name)
        cache.prune()
    assert sorted(p.name for p in tmp_path.glob("ner-*")) == sorted(folders[1:])
    # switching back to a kept setting tags nothing again
    before = len(tagger.calls)
    back = shipped("tag", {"cache_dir": str(tmp_path), "entities": {"headline_min_words": 5}})
    tag_stage.tag_sentences(sentences(), tagger, tag_stage.ner_cache(back))
    assert len(tagger.calls) == before


def test_ner_fingerprint_follows_the_rule_params_and_the_model_only(params, tmp_path):
    base = tag_stage.ner_fingerprint(params)
    assert tag_stage.ner_fingerprint(shipped("tag", {"entities": {"headline_min_words": 99}})) != base
    assert tag_stage.ner_fingerprint(shipped("tag", {"quotes": {"min_partial_words": 9}})) == base
    same = shipped("tag", {"n_process": 2, "batch_size": 7, "cache_dir": "elsewhere", "cache_keep": 1})
    assert tag_stage.ner_fingerprint(same) == base
    # A model given as a folder: its meta.json (name, version) is part of the fingerprint.
    (tmp_path / "meta.json").write_text('{"name": "core_web_sm", "version": "3.8.0"}')
    other = shipped("tag", {"model": str(tmp_path)})
    first = tag_stage.ner_fingerprint(other)
    (tmp_path / "meta.json").write_text('{"name": "core_web_sm", "version": "3.8.1"}')
    assert tag_stage.ner_fingerprint(other) != first


def test_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(StageError) as failure:
        tag_stage.ner_fingerprint(shipped("tag", {"model": str(tmp_path / "nowhere")}))
    assert "no meta.json" in failure.value.message


QUOTED = ('"We will not leave," Benjamin Netanyahu said on Sunday, as 300 protesters gathered in Rome '
          'on March 3, 2024.')


def extraction_inputs(nlp, params):
    docs = pl.DataFrame({"doc_id": [A, B], "text": [QUOTED, COPY], "published_date": [date(2024, 3, 4), None]})
    sents = pl.DataFrame({"doc_id": [A, B], "sent_id": [f"{A}:0:0", f"{B}:0:0"], "paragraph": [0, 0],
                          "index": [0, 0], "start": [0, 0], "end": [len(QUOTED), len(COPY)], "text": [QUOTED, COPY]})
    mentions = tag_stage.tag_sentences(sents, RecordingTagger(nlp, params),
                                       tag_stage.ner_cache(shipped("tag", {"cache": False})))
    entities = tag_stage.canonicalize(mentions, params.entities, load_gazetteer(params.entities, None))
    return docs, sents, entities


def extract_all(run_params, docs, sents, entities):
    caches: list = []
    text_keys = tag_stage.document_keys(docs, sents)
    here = RecordingTagger(None, run_params)
    tables = tag_stage.run_extractors(run_params, False, text_keys, docs, sents, None, caches, here)
    tables |= tag_stage.run_extractors(run_params, True, tag_stage.entity_keys(text_keys, entities), docs, sents,
                                       entities, caches, here)
    return {extractor.name: rows for extractor, rows in tables.items()}


def test_extractors_reuse_each_documents_rows_with_identical_results(tmp_path, nlp, params, monkeypatch):
    docs, sents, entities = extraction_inputs(nlp, params)
    uncached = extract_all(shipped("tag", {"cache": False}), docs, sents, entities)
    assert all(uncached[name].height for name in ("quotes", "attributions", "counts", "dates"))
    cached = shipped("tag", {"cache_dir": str(tmp_path / "cache")})
    cold = extract_all(cached, docs, sents, entities)
    calls: list[int] = []
    real = tag_stage.run_extractor
    monkeypatch.setattr(tag_stage, "run_extractor",
                        lambda e, p, batch: calls.append(batch.docs.height) or real(e, p, batch))
    warm = extract_all(cached, docs, sents, entities)
    assert calls == []                                   # nothing changed: no document extracted again
    changed = docs.with_columns(text=pl.when(pl.col("doc_id") == B).then(pl.lit("Mr. Netanyahu left."))
                                .otherwise(pl.col("text")))
    extract_all(cached, changed, sents, entities)
    assert calls == [1] * len(EXTRACTORS)                # one document changed: only it is extracted again
    for name, before in uncached.items():
        assert cold[name].equals(before) and warm[name].sort(before.columns).equals(before.sort(before.columns))


def test_extractor_fingerprint_follows_its_own_params_only(params):
    quotes, counts = (next(e for e in EXTRACTORS if e.name == name) for name in ("quotes", "counts"))
    changed = shipped("tag", {"quotes": {"min_partial_words": 9}})
    assert tag_stage.extractor_fingerprint(quotes, changed) != tag_stage.extractor_fingerprint(quotes, params)
    assert tag_stage.extractor_fingerprint(counts, changed) == tag_stage.extractor_fingerprint(counts, params)
    run_only = shipped("tag", {"n_process": 2, "cache_dir": "elsewhere"})
    assert tag_stage.extractor_fingerprint(quotes, run_only) == tag_stage.extractor_fingerprint(quotes, params)


def test_paths_are_the_registry_s_and_dvc_yaml_s():
    import yaml
    assert tag_stage.INPUTS == ["data/clean/documents.parquet", "data/segment/sentences.parquet"]
    assert tag_stage.OUTPUTS == ["data/tag/entities.parquet", *(e.output for e in EXTRACTORS),
                                 "data/tag/faults.parquet"]
    block = yaml.safe_load((tag_stage.ROOT / "dvc.yaml").read_text())["stages"]["tag"]
    assert [dep for dep in block["deps"] if dep.startswith("data/")] == tag_stage.INPUTS
    assert block["outs"] == tag_stage.OUTPUTS
