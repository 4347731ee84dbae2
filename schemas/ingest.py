"""Tables written by the ingest stage."""
from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.base import Config as BaseConfig, doc_id_field


class IngestDocuments(pa.DataFrameModel):
    """data/ingest/documents.parquet: one row per accepted input document."""

    doc_id: str = doc_id_field(unique=True)
    source_path: str = pa.Field(unique=True, str_length={"min_value": 1})
    source_format: str = pa.Field(isin=["txt", "md", "html", "jsonl"])
    n_bytes: pl.Int64 = pa.Field(gt=0)
    encoding: str = pa.Field(str_length={"min_value": 1})
    raw_text: str = pa.Field(str_length={"min_value": 1})
    meta_authors: pl.List = pa.Field(dtype_kwargs={"inner": pl.String})

    class Config(BaseConfig):
        name = "ingest/documents"


class IngestRejected(pa.DataFrameModel):
    """data/ingest/rejected.parquet: one row per input that could not be used, with a readable reason."""

    source_path: str = pa.Field(unique=True, str_length={"min_value": 1})
    reason: str = pa.Field(str_length={"min_value": 5})

    class Config(BaseConfig):
        name = "ingest/rejected"
