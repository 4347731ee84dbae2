"""Tables written by the clean stage."""
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
    text: str
    is_truncated: bool

    class Config(BaseConfig):
        name = "clean/documents"


class CleanRemoved(pa.DataFrameModel):
    """data/clean/removed.parquet: one row per raw line not kept in text, title or subtitle."""

    doc_id: str = doc_id_field()
    line_no: pl.Int64 = pa.Field(ge=1)
    text: str
    reason: str = pa.Field(str_matches=r"^[a-z_]+$")

    class Config(BaseConfig):
        name = "clean/removed"
        unique = ["doc_id", "line_no"]
