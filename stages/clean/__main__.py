"""clean: the article body of every ingested document, its metadata, and an audit row per dropped line.

Load the ingest documents; clean them (stages/clean/corpus.py: per-document work through the executor seam,
the corpus-wide line-recurrence counts here on the driver); validate and write data/clean/documents.parquet
and data/clean/removed.parquet.

Reruns: documents cleaned by an earlier run with the same inputs come from the cache (`stages.common.cache`,
params `cache`, `cache_dir`, `cache_max_files`), two `RowsCache`s under one fingerprint (code and data of
this package, the shared date parser, the table models, params, library versions):
- `blocks`: each document's block keys, keyed by its raw text (an unchanged document is not even split);
- `documents`: each document's output row with its removed lines, keyed by its raw text, metadata and its
  blocks' repeat counts capped at the repeat thresholds (`corpus.repeat_cap`), so a new copy of "Reuter" does
  not invalidate the thousands of documents that already share it, while a document whose line a new
  document makes recur is cleaned again.
The cache folder also holds py3langid's model uncompressed (stages/clean/language.py: a load-speed trick).
"""
from __future__ import annotations

from pathlib import Path

import polars as pl

from schemas.clean import CleanDocuments, CleanRemoved
from schemas.params import Clean
from stages.clean.corpus import (INPUT_COLUMNS, clean_rows, documents_and_removed, repeat_counts, split_documents,
                                 with_blocks, with_repeat_counts)
from stages.common import load_section, log, read_table, run_stage, write_table
from stages.common.cache import KEY_COLUMN, RowsCache, document_keys, fingerprint

STAGE = "clean"
INPUTS = ["data/ingest/documents.parquet"]
OUTPUTS = ["data/clean/documents.parquet", "data/clean/removed.parquet"]

ROOT = Path(__file__).resolve().parents[2]
# What a cached result depends on besides its document: this package (code, cues and models), the shared
# date parser, the table models the rows are built from, and these libraries (plus Python, Unicode, polars).
CODE_FOLDERS = [Path(__file__).resolve().parent]
CODE_FILES = [ROOT / "stages" / "common" / "dates.py", ROOT / "schemas" / "clean.py"]
LIBRARIES = ["py3langid", "numpy", "PyYAML", "python-dateutil", "lightgbm"]


def main() -> None:
    params = load_section(STAGE)
    docs = read_table(INPUTS[0], columns=INPUT_COLUMNS)
    rows, n_cleaned, caches = cleaned_rows(docs, params)
    documents, removed = documents_and_removed(rows)
    write_table(documents, OUTPUTS[0], CleanDocuments, "clean/documents", sort_by=["doc_id"])
    write_table(removed, OUTPUTS[1], CleanRemoved, "clean/removed", sort_by=["doc_id", "line_no"])
    for cache in caches:
        cache.prune()
    n_empty = int(documents["is_empty"].sum())
    warning = f"; WARNING: {n_empty} with an empty body (clean/documents is_empty)" if n_empty else ""
    log(STAGE, f"{docs.height} documents -> {documents.height - n_empty} cleaned{warning}, {removed.height} lines "
               f"removed, {int(documents['is_truncated'].sum())} truncated ({docs.height - n_cleaned} from cache)")


def rows_fingerprint(params: Clean) -> str:
    """What both caches' rows depend on besides the document: this package's code and data (the models
    included), the shared date parser, the tables' schema, the params and the libraries that decide rows."""
    return fingerprint(STAGE, params=params, folders=CODE_FOLDERS, files=CODE_FILES, libraries=LIBRARIES)


def cleaned_rows(docs: pl.DataFrame, params: Clean) -> tuple[pl.DataFrame, int, list[RowsCache]]:
    """(corpus.clean_batch rows of every document, how many were cleaned afresh, the caches used): each
    cache asked first, the transforms run on the documents it does not hold. Documents split for their
    block keys in this run are not split again to be cleaned."""
    fingerprint_ = rows_fingerprint(params)
    caches = [RowsCache(params.cache_dir, name, fingerprint_, key=["doc_id", KEY_COLUMN], join_on=["doc_id"],
                        enabled=params.cache, keep=params.cache_max_files, stage=STAGE)
              for name in ("blocks", "documents")]
    split_here: list[pl.DataFrame] = []   # split_documents of the documents the blocks cache lacked

    def split(missing: pl.DataFrame) -> pl.DataFrame:
        split_here.append(split_documents(only(docs, missing), params))
        return split_here[-1].select("doc_id", "block_idx", "key")

    keys, _ = caches[0].run(document_keys(docs.select("doc_id", "raw_text")), split)
    inputs = with_repeat_counts(docs, repeat_counts(keys, params))   # corpus-wide, here on the driver
    model_copy_folder = params.cache_dir if params.cache else None

    def clean(missing: pl.DataFrame) -> pl.DataFrame:
        todo = only(inputs, missing)
        known = only(pl.concat([split_documents(docs.head(0), params), *split_here]), todo)
        rest = todo.join(known.select("doc_id"), on="doc_id", how="anti")
        blocks = pl.concat([known, split_documents(rest, params)]).unique(["doc_id", "block_idx"], keep="first")
        return clean_rows(with_blocks(todo, blocks), params, model_copy_folder)

    rows, n_cleaned = caches[1].run(document_keys(inputs), clean)
    return rows, n_cleaned, caches


def only(frame: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """The rows of `frame` whose doc_id is in `keys`."""
    return frame.join(keys.select("doc_id"), on="doc_id", how="semi", maintain_order="left")


if __name__ == "__main__":
    run_stage(STAGE, main)
