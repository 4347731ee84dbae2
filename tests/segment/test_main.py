"""The segment stage reuses a document's sentences only while its text, the params and the code are unchanged."""
from __future__ import annotations

import polars as pl

from stages.common import code_fingerprint, load_params
from stages.segment.__main__ import RUN_ONLY_PARAMS, SEGMENT_DIR, segment_corpus, segment_documents

DOCS = {"a" * 16: "Mr. Smith went to Washington. He said so.\n\nA new paragraph.",
        "b" * 16: "One sentence only."}


def frame(texts: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame({"doc_id": list(texts), "text": list(texts.values())})


def ordered(sentences: pl.DataFrame) -> pl.DataFrame:
    return sentences.sort("doc_id", "paragraph", "index")


def test_cached_sentences_equal_fresh_ones_and_only_changed_documents_are_split(tmp_path):
    params = {**load_params("segment"), "cache_dir": str(tmp_path)}
    cold, n_cold = segment_corpus(frame(DOCS), params)
    assert n_cold == 2
    assert ordered(cold).equals(ordered(segment_documents(frame(DOCS), params)))
    warm, n_warm = segment_corpus(frame(DOCS), params)
    assert n_warm == 0 and ordered(warm).equals(ordered(cold))
    edited = {**DOCS, "b" * 16: "One sentence only. Now two."}
    grown, n_grown = segment_corpus(frame(edited), params)
    assert n_grown == 1
    assert ordered(grown).equals(ordered(segment_documents(frame(edited), params)))


def test_changed_params_do_not_reuse_sentences(tmp_path):
    params = {**load_params("segment"), "cache_dir": str(tmp_path)}
    segment_corpus(frame(DOCS), params)
    shorter = {**params, "max_sentence_chars": 10}
    _, n_fresh = segment_corpus(frame(DOCS), shorter)
    assert n_fresh == 2
    _, n_again = segment_corpus(frame(DOCS), shorter)
    assert n_again == 0
    moved = tmp_path / "moved"
    assert code_fingerprint(SEGMENT_DIR, shorter, RUN_ONLY_PARAMS) == code_fingerprint(
        SEGMENT_DIR, {**shorter, "cache_dir": str(moved)}, RUN_ONLY_PARAMS)   # where it is kept is no input
