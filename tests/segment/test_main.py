"""The segment stage: the batch task, and sentences reused only while a document's text, the params, the
lexicon and the code are unchanged."""
from __future__ import annotations

import shutil

import polars as pl
import pytest

import stages.segment.__main__ as stage
from schemas.segment import Sentences
from stages.common import DataFileError
from stages.segment.sentences import lexicon_file, load_lexicon
from tests.shipped_params import params_yaml, shipped

DOCS = {"a" * 16: "Mr. Smith went to Washington. He said so.\n\nA new paragraph.",
        "b" * 16: "One sentence only."}


def frame(texts: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame({"doc_id": list(texts), "text": list(texts.values())})


def ordered(sentences: pl.DataFrame) -> pl.DataFrame:
    return sentences.sort("doc_id", "paragraph", "index")


def params_in(tmp_path, **changes):
    return shipped("segment", {"cache_dir": str(tmp_path / "cache"), **changes})


def uncached(texts: dict[str, str], params) -> pl.DataFrame:
    return stage.segment_documents(params, load_lexicon(lexicon_file(params)), frame(texts))


def cached(texts: dict[str, str], params) -> tuple[pl.DataFrame, int]:
    cache = stage.sentences_cache(params)
    result = stage.segment_corpus(frame(texts), params, cache)
    cache.prune()
    return result


def test_the_batch_task_gives_sentences_with_offsets_and_ids():
    sentences = uncached(DOCS, shipped("segment"))
    Sentences.validate(sentences)
    assert sentences.columns == list(Sentences.to_schema().columns)
    assert sentences.filter(pl.col("doc_id") == "a" * 16)["sent_id"].to_list() == \
        [f"{'a' * 16}:0:0", f"{'a' * 16}:0:1", f"{'a' * 16}:1:0"]
    for doc_id, start, end, text in sentences.select("doc_id", "start", "end", "text").iter_rows():
        assert DOCS[doc_id][start:end] == text
    assert uncached({}, shipped("segment")).schema == sentences.schema


def test_cached_sentences_equal_fresh_ones_and_only_changed_documents_are_split(tmp_path):
    params = params_in(tmp_path)
    cold, n_cold = cached(DOCS, params)
    assert n_cold == 2
    assert ordered(cold).equals(ordered(uncached(DOCS, params)))
    warm, n_warm = cached(DOCS, params)
    assert n_warm == 0 and ordered(warm).equals(ordered(cold))
    edited = {**DOCS, "b" * 16: "One sentence only. Now two."}
    grown, n_grown = cached(edited, params)
    assert n_grown == 1
    assert ordered(grown).equals(ordered(uncached(edited, params)))


def test_changed_params_do_not_reuse_sentences_but_the_cache_settings_are_no_input(tmp_path):
    params = params_in(tmp_path)
    cached(DOCS, params)
    shorter = params_in(tmp_path, max_sentence_chars=16)
    assert cached(DOCS, shorter)[1] == 2
    assert cached(DOCS, shorter)[1] == 0
    assert stage.sentences_fingerprint(shorter) == stage.sentences_fingerprint(
        shipped("segment", {"max_sentence_chars": 16, "cache_dir": str(tmp_path / "moved"), "cache": False}))


def test_the_lexicon_is_in_the_fingerprint_whatever_its_suffix(tmp_path, monkeypatch):
    package = tmp_path / "segment"
    shutil.copytree(stage.SEGMENT_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(package / "data" / "abbreviations.yaml", package / "data" / "words.lex")
    monkeypatch.setattr(stage, "SEGMENT_DIR", package)
    monkeypatch.setattr("stages.segment.sentences.DATA_DIR", package / "data")
    params = shipped("segment", {"lexicon": "words.lex"})
    before = stage.sentences_fingerprint(params)
    with open(package / "data" / "words.lex", "a", encoding="utf-8") as fh:
        fh.write("# edited\n")
    assert stage.sentences_fingerprint(params) != before


def test_a_lexicon_outside_the_data_folder_is_refused():
    with pytest.raises(DataFileError):
        stage.sentences_fingerprint(shipped("segment", {"lexicon": "../__main__.py"}))


def test_main_writes_the_table_and_reuses_the_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "params.yaml").write_text(params_yaml("segment", {}), encoding="utf-8")
    (tmp_path / "data" / "clean").mkdir(parents=True)
    frame(DOCS).write_parquet(stage.DOCUMENTS)
    stage.main()
    stage.main()
    assert "2 documents -> 4 sentences (2 documents from the cache)" in capsys.readouterr().err
    written = pl.read_parquet(stage.SENTENCES)
    assert written.equals(ordered(uncached(DOCS, shipped("segment"))))
    assert stage.INPUTS == [stage.DOCUMENTS] and stage.OUTPUTS == [stage.SENTENCES]


def test_the_batch_task_can_be_shipped_to_another_process():
    import pickle
    from functools import partial
    params = shipped("segment")
    task = partial(stage.segment_documents, params, load_lexicon(lexicon_file(params)))
    assert pickle.loads(pickle.dumps(task))(frame(DOCS)).equals(task(frame(DOCS)))
