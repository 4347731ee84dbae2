"""clean: the article body of every ingested document, its metadata, and an audit row per dropped line.

Load the ingest documents; classify every raw line as body or boilerplate and extract title, subtitle,
authors, date, site, language and truncation (`stages.clean.document.clean_corpus`); validate and write
data/clean/documents.parquet and data/clean/removed.parquet.
"""
from __future__ import annotations

from pathlib import Path

from schemas.clean import CleanDocuments, CleanRemoved
from stages.clean.document import clean_corpus
from stages.common import load_params, log, read_table, run_stage, write_table

STAGE = "clean"
IN_DOCUMENTS = Path("data/ingest/documents.parquet")
OUT_DIR = Path("data/clean")


def main() -> None:
    params = load_params(STAGE)
    docs = read_table(IN_DOCUMENTS)
    documents, removed = clean_corpus(docs, params)
    write_table(documents, OUT_DIR / "documents.parquet", CleanDocuments, "clean/documents",
                sort_by=["doc_id"])
    write_table(removed, OUT_DIR / "removed.parquet", CleanRemoved, "clean/removed",
                sort_by=["doc_id", "line_no"])
    log(STAGE, f"{docs.height} documents -> {documents.height} cleaned, {removed.height} lines removed, "
               f"{int(documents['is_truncated'].sum())} truncated")


if __name__ == "__main__":
    run_stage(STAGE, main)
