"""The flat export: one row per article (path, url, site, title, date, authors, language, text, story,
relation) as Parquet, CSV and JSONL under data/aggregate/.

Parquet keeps the types (`authors` a list, `date` a date). CSV and JSONL are for spreadsheets and other
tools: lists joined by "; ", dates as ISO text. The CSV starts with a UTF-8 byte-order mark (so a
spreadsheet reads the accents right), and a text cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
return gets a leading apostrophe, so a scraped title such as `=HYPERLINK(...)` is never run as a formula
(OWASP's advice on CSV injection); the Parquet and JSONL copies keep every value as it is.
"""
from __future__ import annotations

from pathlib import Path

import polars as pl

from schemas.base import frame
from schemas.export import Export
from stages.common import read_table, validate, write_bytes_atomic, write_parquet_atomic

OUT_DIR = Path("data/aggregate")
PARQUET = OUT_DIR / "export.parquet"
CSV = OUT_DIR / "export.csv"
JSONL = OUT_DIR / "export.jsonl"
EXPORT_OUTPUTS = [str(PARQUET), str(CSV), str(JSONL)]
LIST_SEPARATOR = "; "
FORMULA_START = r"^[=+\-@\t\r]"


def export_table(ingest_docs: pl.DataFrame, clean_docs: pl.DataFrame, stories: pl.DataFrame) -> pl.DataFrame:
    """One row per clean document, sorted by path (a pure function of the three tables)."""
    rows = (clean_docs.select("doc_id", "site", "title", "published_date", "authors", "language", "text")
            .join(ingest_docs.select("doc_id", "source_path", "meta_url"), on="doc_id", how="left")
            .join(stories.select("doc_id", "story_id", "relation"), on="doc_id", how="left")
            .rename({"source_path": "path", "meta_url": "url", "published_date": "date"}))
    return frame(rows, Export).sort("path")


def flat(table: pl.DataFrame) -> pl.DataFrame:
    """Lists joined, dates as ISO text: what CSV and JSONL hold."""
    return table.with_columns(pl.col("authors").list.join(LIST_SEPARATOR), pl.col("date").dt.to_string("%Y-%m-%d"))


def spreadsheet_safe(table: pl.DataFrame) -> pl.DataFrame:
    """Text cells a spreadsheet would read as a formula, prefixed with an apostrophe."""
    text = [name for name, dtype in table.schema.items() if dtype == pl.String]
    return table.with_columns(pl.when(pl.col(name).str.contains(FORMULA_START))
                              .then(pl.lit("'") + pl.col(name)).otherwise(pl.col(name)).alias(name)
                              for name in text)


def write_export(stories: pl.DataFrame, data: Path = Path("data"), out_dir: Path = OUT_DIR) -> pl.DataFrame:
    """Read what the export needs from the upstream tables, build, validate and write its three files."""
    ingest_path = data / "ingest" / "documents.parquet"
    has_url = ingest_path.is_file() and "meta_url" in pl.read_parquet_schema(ingest_path)   # not in the contract
    ingest_docs = read_table(ingest_path, columns=["doc_id", "source_path", *(["meta_url"] if has_url else [])])
    if not has_url:
        ingest_docs = ingest_docs.with_columns(meta_url=pl.lit(None, pl.String))
    clean_docs = read_table(data / "clean" / "documents.parquet",
                            columns=["doc_id", "site", "title", "published_date", "authors", "language", "text"])
    table = validate(export_table(ingest_docs, clean_docs, stories), Export, "aggregate/export")
    write_parquet_atomic(table, out_dir / PARQUET.name)
    flattened = flat(table)
    write_bytes_atomic(spreadsheet_safe(flattened).write_csv(include_bom=True).encode("utf-8"), out_dir / CSV.name)
    write_bytes_atomic(flattened.write_ndjson().encode("utf-8"), out_dir / JSONL.name)
    return table
