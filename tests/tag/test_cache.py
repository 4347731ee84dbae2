"""The NER cache returns exactly what was stored, survives reopening, and never crosses fingerprints."""
from __future__ import annotations

from stages.tag.cache import MAX_PARTS, SpanCache, fingerprint


def test_round_trip_and_persistence(tmp_path):
    cache = SpanCache(tmp_path, "fp1")
    cache.put_many({"Netanyahu met Blinken.": [(0, 9, "PERSON"), (14, 21, "PERSON")], "Nothing here.": []})
    cache.close()
    again = SpanCache(tmp_path, "fp1")
    got = again.get_many(["Netanyahu met Blinken.", "Nothing here.", "Unseen text."])
    assert got == {"Netanyahu met Blinken.": [(0, 9, "PERSON"), (14, 21, "PERSON")], "Nothing here.": []}


def test_another_fingerprint_sees_nothing(tmp_path):
    SpanCache(tmp_path, "fp1").put_many({"Rome.": [(0, 4, "GPE")]})
    assert SpanCache(tmp_path, "fp2").get_many(["Rome."]) == {}


def test_disabled_cache_stores_nothing(tmp_path):
    cache = SpanCache(tmp_path / "c", "fp", enabled=False)
    cache.put_many({"Rome.": [(0, 4, "GPE")]})
    assert cache.get_many(["Rome."]) == {}
    assert not (tmp_path / "c").exists()


def test_many_runs_are_merged_into_few_parts_and_nothing_is_lost(tmp_path):
    cache = SpanCache(tmp_path, "fp")
    for i in range(MAX_PARTS + 3):
        cache.put_many({f"Sentence {i} about Rome.": [(len(f"Sentence {i} about "), len(f"Sentence {i} about Rome"), "GPE")]})
    assert len(list((tmp_path / "ner-fp").glob("part-*.parquet"))) <= MAX_PARTS
    got = SpanCache(tmp_path, "fp").get_many([f"Sentence {i} about Rome." for i in range(MAX_PARTS + 3)])
    assert len(got) == MAX_PARTS + 3 and all(spans[0][2] == "GPE" for spans in got.values())


def test_a_damaged_part_only_means_tagging_again(tmp_path):
    cache = SpanCache(tmp_path, "fp")
    cache.put_many({"Rome.": [(0, 4, "GPE")]})
    cache.put_many({"Paris.": [(0, 5, "GPE")]})
    damaged = sorted((tmp_path / "ner-fp").glob("part-*.parquet"))[0]
    damaged.write_bytes(b"not parquet")
    found, missing = SpanCache(tmp_path, "fp").lookup(["Rome.", "Paris."])
    assert found.height == 1 and len(missing) == 1


def test_fingerprint_depends_on_every_part_and_its_boundaries():
    assert fingerprint(["ab", "c"]) != fingerprint(["a", "bc"])
    assert fingerprint(["model", "3.8.0"]) != fingerprint(["model", "3.8.1"])
    assert fingerprint(["x"]) == fingerprint([b"x"])


# --------------------------------------------------------------------------- per-document rows cache

import polars as pl  # noqa: E402

from stages.tag.cache import DocumentRowsCache, document_keys  # noqa: E402

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
    (tmp_path / "extract-fp1" / "words.parquet").write_bytes(b"not parquet")
    rows, n_fresh = DocumentRowsCache(tmp_path, "fp1").run("words", document_keys(docs),
                                                           capitalised_words(docs, calls))
    assert n_fresh == 1 and rows["word"].to_list() == ["Rome"]


def test_disabled_rows_cache_writes_nothing(tmp_path):
    docs = docs_frame({"a": "Rome"})
    rows, n_fresh = DocumentRowsCache(tmp_path / "c", "fp", enabled=False).run(
        "words", document_keys(docs), capitalised_words(docs, []))
    assert n_fresh == 1 and rows.height == 1 and not (tmp_path / "c").exists()
