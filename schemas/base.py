"""Field helpers shared by the table models."""
from __future__ import annotations

import pandera.polars as pa
import polars as pl

DOC_ID_PATTERN = r"^[0-9a-f]{16}$"


def doc_id_field(unique: bool = False):
    return pa.Field(str_matches=DOC_ID_PATTERN, unique=unique, nullable=False)


def offsets_are_ordered(data: pa.PolarsData) -> pl.LazyFrame:
    """Row-wise: 0 <= start <= end."""
    return data.lazyframe.select((pl.col("start") >= 0) & (pl.col("start") <= pl.col("end")))


class Config:
    strict = False
    coerce = False
