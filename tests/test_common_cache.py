"""The per-document results cache: keys follow content, rows are reused per document, never across
fingerprints, and a damaged or disabled cache only costs time."""
from __future__ import annotations

import polars as pl

from stages.common import DocumentRowsCache, document_keys

ROW_SCHEMA = {"doc_id": pl.String, "start": pl.Int64, "word": pl.String}


def docs_frame(texts: dict[str, str]) -> pl.DataFrame:
    return pl.DataFrame({"doc_id": list(texts), "text": list(texts.values())})


def capitalised_words(docs: pl.DataFrame, calls: list[list[str]]):
    """A toy per-document extractor: every capitalised word; records which documents it was asked for."""
    def extract(doc_ids: pl.Series) -> pl.DataFrame:
        calls.append(sorted(doc_ids.to_list()))
        rows = []
        for doc_id, text in docs.filter(pl.col("doc_id").is_in(doc_ids.implode())).iter_rows():
            offset = 0
            for word in text.split(" "):
                if word[:1].isupper():
                    rows.append({"doc_id": doc_id, "start": offset, "word": word})
                offset += len(word) + 1
        return pl.DataFrame(rows, schema=ROW_SCHEMA)
    return extract


def test_document_keys_follow_content_not_row_order():
    sentences = pl.DataFrame({"doc_id": ["a", "a", "b"], "text": ["One.", "Two.", "Three."]})
    keys = document_keys(docs_frame({"a": "One. Two.", "b": "Three."}), sentences)
    shuffled = document_keys(docs_frame({"b": "Three.", "a": "One. Two."}), sentences.reverse())
    assert keys.sort("doc_id").equals(shuffled.sort("doc_id"))
    edited = document_keys(docs_frame({"a": "One. Two.", "b": "Three."}),
                           sentences.with_columns(pl.when(pl.col("text") == "Two.").then(pl.lit("Too."))
                                                  .otherwise(pl.col("text")).alias("text")))
    changed = keys.join(edited, on="doc_id").filter(pl.col("_doc_key") != pl.col("_doc_key_right"))
    assert changed["doc_id"].to_list() == ["a"]


def test_document_keys_see_every_column_null_lists_and_which_table_a_row_is_in():
    base = pl.DataFrame({"doc_id": ["a", "b"], "title": ["T", None], "authors": [["X"], []]})
    keys = document_keys(base)["_doc_key"].to_list()
    assert len(set(keys)) == 2 and all(len(k) == 64 for k in keys)
    variants = [base.with_columns(pl.Series("title", ["T", ""])),                       # null -> ""
                base.with_columns(pl.Series("authors", [["X"], [""]])),                 # [] -> [""]
                base.with_columns(pl.Series("authors", [["Y"], []]))]                   # another author
    for variant in variants:
        assert document_keys(variant)["_doc_key"].to_list() != keys
    rows = pl.DataFrame({"doc_id": ["a"], "text": ["One."]})
    empty = rows.clear()
    assert document_keys(rows, empty)["_doc_key"].to_list() != document_keys(empty, rows)["_doc_key"].to_list()
    assert document_keys(empty).is_empty()


def test_rows_are_reused_per_document_and_only_new_documents_are_extracted(tmp_path):
    texts = {"a": "Rome and Paris", "b": "nothing here", "c": "Hamas said"}
    calls: list[list[str]] = []
    cache = DocumentRowsCache(tmp_path, "fp")
    docs = docs_frame(texts)
    cold, n_cold = cache.run("words", document_keys(docs), capitalised_words(docs, calls))
    assert n_cold == 3 and calls == [["a", "b", "c"]]
    warm, n_warm = cache.run("words", document_keys(docs), capitalised_words(docs, calls))
    assert n_warm == 0 and calls[-1] == []      # "b" has no rows and is not extracted again either
    assert warm.sort("doc_id", "start").equals(cold.sort("doc_id", "start"))
    docs = docs_frame({**texts, "c": "Hamas and Israel said", "d": "Gaza"})
    grown, n_grown = cache.run("words", document_keys(docs), capitalised_words(docs, calls))
    assert n_grown == 2 and calls[-1] == ["c", "d"]
    fresh, _ = DocumentRowsCache(tmp_path / "cold", "fp").run("words", document_keys(docs),
                                                               capitalised_words(docs, []))
    assert grown.sort("doc_id", "start").equals(fresh.sort("doc_id", "start"))
    assert grown.schema == pl.Schema(ROW_SCHEMA)


def test_another_fingerprint_or_a_damaged_file_means_extracting_again(tmp_path):
    docs = docs_frame({"a": "Rome"})
    calls: list[list[str]] = []
    DocumentRowsCache(tmp_path, "fp1").run("words", document_keys(docs), capitalised_words(docs, calls))
    DocumentRowsCache(tmp_path, "fp2").run("words", document_keys(docs), capitalised_words(docs, calls))
    assert calls == [["a"], ["a"]]
    (tmp_path / "extract-fp2" / "words.parquet").write_bytes(b"not parquet")
    rows, n_fresh = DocumentRowsCache(tmp_path, "fp2").run("words", document_keys(docs),
                                                           capitalised_words(docs, calls))
    assert n_fresh == 1 and rows["word"].to_list() == ["Rome"]


def test_disabled_rows_cache_writes_nothing(tmp_path):
    docs = docs_frame({"a": "Rome"})
    rows, n_fresh = DocumentRowsCache(tmp_path / "c", "fp", enabled=False).run(
        "words", document_keys(docs), capitalised_words(docs, []))
    assert n_fresh == 1 and rows.height == 1 and not (tmp_path / "c").exists()


def test_rows_of_an_older_fingerprint_are_removed_once_a_new_one_is_written(tmp_path):
    docs = docs_frame({"a": "Rome"})
    DocumentRowsCache(tmp_path, "old").run("words", document_keys(docs), capitalised_words(docs, []))
    DocumentRowsCache(tmp_path, "new").run("words", document_keys(docs), capitalised_words(docs, []))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["extract-new"]
