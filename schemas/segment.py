"""Tables written by the segment stage."""
from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.base import Config as BaseConfig, doc_id_field, offsets_are_ordered


class Sentences(pa.DataFrameModel):
    """data/segment/sentences.parquet: sentences with offsets into the clean text."""

    doc_id: str = doc_id_field()
    sent_id: str = pa.Field(unique=True, str_matches=r"^[0-9a-f]{16}:\d+:\d+$")
    paragraph: pl.Int64 = pa.Field(ge=0)
    index: pl.Int64 = pa.Field(ge=0)
    start: pl.Int64 = pa.Field(ge=0)
    end: pl.Int64 = pa.Field(ge=0)
    text: str = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check
    def start_before_end(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return offsets_are_ordered(data)

    class Config(BaseConfig):
        name = "segment/sentences"
