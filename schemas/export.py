"""data/aggregate/export.parquet (and its .csv and .jsonl copies): one row per article, the flat table to
hand to a colleague or a spreadsheet."""
from __future__ import annotations

import datetime
from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.aggregate import RELATIONS
from schemas.base import Config as BaseConfig, doc_id_field


class Export(pa.DataFrameModel):
    """One row per clean document: where it came from, its metadata, its body and its story."""

    doc_id: str = doc_id_field(unique=True)
    path: str = pa.Field(unique=True, str_length={"min_value": 1})        # ingest's source_path
    url: Optional[str] = pa.Field(nullable=True)
    site: Optional[str] = pa.Field(nullable=True)
    title: Optional[str] = pa.Field(nullable=True)
    date: Optional[datetime.date] = pa.Field(nullable=True)               # the date printed on the page
    authors: pl.List = pa.Field(dtype_kwargs={"inner": pl.String})        # joined by "; " in CSV and JSONL
    language: str = pa.Field(str_matches=r"^([a-z]{2}|und)$")
    text: str
    story_id: str = pa.Field(str_length={"min_value": 1})
    relation: str = pa.Field(isin=RELATIONS)

    class Config(BaseConfig):
        name = "aggregate/export"
        strict = True
