"""Tables written by the clean stage: every column, in the order the stage writes it (strict: a column not
declared here fails validation). The stage builds its frames from these models (`schemas.base.frame`)."""
from __future__ import annotations

import datetime
from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.base import Config as BaseConfig, doc_id_field


class CleanDocuments(pa.DataFrameModel):
    """data/clean/documents.parquet: one row per ingested document, the article body and its metadata."""

    doc_id: str = doc_id_field(unique=True)
    title: Optional[str] = pa.Field(nullable=True)
    subtitle: Optional[str] = pa.Field(nullable=True)
    authors: pl.List = pa.Field(dtype_kwargs={"inner": pl.String})
    published_date: Optional[datetime.date] = pa.Field(nullable=True)
    site: Optional[str] = pa.Field(nullable=True)
    # ISO 639-1, or "und" (undetermined) when the body is empty.
    language: str = pa.Field(str_matches=r"^([a-z]{2}|und)$")
    text: str   # the body's paragraphs joined by a blank line
    is_truncated: bool
    # The body is empty: nothing of the document reads as an article (every line is in clean/removed, or
    # is the title / subtitle). The stage's summary line warns with their count.
    is_empty: bool
    # 1-based lines of raw_text: those of the body, the title's and the subtitle's (null when none).
    body_line_nos: pl.List = pa.Field(dtype_kwargs={"inner": pl.Int64})
    title_line_no: Optional[pl.Int64] = pa.Field(nullable=True, ge=1)
    subtitle_line_no: Optional[pl.Int64] = pa.Field(nullable=True, ge=1)
    n_lines: pl.Int64 = pa.Field(ge=0)            # non-blank lines of raw_text
    n_removed: pl.Int64 = pa.Field(ge=0)          # its rows in clean/removed
    boilerplate_share: pl.Float64 = pa.Field(ge=0.0, le=1.0)   # removed characters / non-blank characters

    @pa.dataframe_check
    def removed_lines_are_lines(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """No more lines removed than the document has."""
        return data.lazyframe.select(pl.col("n_removed") <= pl.col("n_lines"))

    class Config(BaseConfig):
        name = "clean/documents"
        strict = True


class CleanRemoved(pa.DataFrameModel):
    """data/clean/removed.parquet: one row per raw line not kept in text, title or subtitle."""

    doc_id: str = doc_id_field()
    line_no: pl.Int64 = pa.Field(ge=1)
    text: str
    reason: str = pa.Field(str_matches=r"^[a-z_]+$")

    class Config(BaseConfig):
        name = "clean/removed"
        unique = ["doc_id", "line_no"]
        strict = True
