"""segment: paragraphs and sentences of every clean text, with exact character offsets.

Load the clean documents; split each text into paragraphs (blank lines) and each paragraph into sentences
with the rule engine in `stages.segment.sentences` (documents whose text is unchanged since the last run
reuse their sentences from `segment.cache_dir`); validate and write data/segment/sentences.parquet.
Invariant: `text[start:end] == sentence` for every row.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from schemas.segment import Sentences
from stages.common import (DocumentRowsCache, code_fingerprint, document_keys, load_params, log, progress,
                           read_table, run_stage, write_table)
from stages.segment.sentences import split_paragraphs, split_sentences

STAGE = "segment"
IN_DOCUMENTS = Path("data/clean/documents.parquet")
OUT_SENTENCES = Path("data/segment/sentences.parquet")

SEGMENT_DIR = Path(__file__).resolve().parent
DEFAULT_CACHE_DIR = ".cache/segment"
RUN_ONLY_PARAMS = ("cache", "cache_dir")   # where and whether to cache never changes the sentences

SENTENCE_SCHEMA = {"doc_id": pl.String, "sent_id": pl.String, "paragraph": pl.Int64, "index": pl.Int64,
                   "start": pl.Int64, "end": pl.Int64, "text": pl.String}


def segment_documents(docs: pl.DataFrame, params: dict[str, Any]) -> pl.DataFrame:
    """One row per sentence; offsets are code-point indices into the document's clean text."""
    columns: dict[str, list[Any]] = {name: [] for name in SENTENCE_SCHEMA}
    rows = docs.select("doc_id", "text").iter_rows()
    for doc_id, text in progress(rows, STAGE, "documents", total=docs.height):
        for paragraph, (p_start, p_end) in enumerate(split_paragraphs(text)):
            for index, (s_start, s_end) in enumerate(split_sentences(text[p_start:p_end], params)):
                start, end = p_start + s_start, p_start + s_end
                columns["doc_id"].append(doc_id)
                columns["sent_id"].append(f"{doc_id}:{paragraph}:{index}")
                columns["paragraph"].append(paragraph)
                columns["index"].append(index)
                columns["start"].append(start)
                columns["end"].append(end)
                columns["text"].append(text[start:end])
    return pl.DataFrame(columns, schema=SENTENCE_SCHEMA)


def segment_corpus(docs: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, int]:
    """(sentences of every document, how many documents were segmented afresh): a document whose text was
    segmented in the last run with the same code and params gets its sentences from the cache."""
    cache = DocumentRowsCache(params.get("cache_dir", DEFAULT_CACHE_DIR),
                              code_fingerprint(SEGMENT_DIR, params, RUN_ONLY_PARAMS),
                              enabled=params.get("cache", True))
    keys = document_keys(docs.select("doc_id", "text"))
    return cache.run("sentences", keys,
                     lambda doc_ids: segment_documents(docs.filter(pl.col("doc_id").is_in(doc_ids.implode())), params))


def main() -> None:
    params = load_params(STAGE)
    docs = read_table(IN_DOCUMENTS)
    sentences, n_fresh = segment_corpus(docs, params)
    write_table(sentences, OUT_SENTENCES, Sentences, "segment/sentences",
                sort_by=["doc_id", "paragraph", "index"])
    log(STAGE, f"{docs.height} documents -> {sentences.height} sentences "
               f"({docs.height - n_fresh} documents from the cache)")


if __name__ == "__main__":
    run_stage(STAGE, main)
