"""What the table models share: id fields, span columns with their start-before-end check, the config, and
the bridge from a model to polars (`polars_schema`, `empty_frame`, `frame`) so that a stage builds its
frames from the model itself: one definition per table, no dtype dict of its own to drift from it.
"""
from __future__ import annotations

from typing import Any

import pandera.polars as pa
import polars as pl

DOC_ID_PATTERN = r"^[0-9a-f]{16}$"
SENT_ID_PATTERN = r"^[0-9a-f]{16}:\d+:\d+$"


def doc_id_field(unique: bool = False):
    return pa.Field(str_matches=DOC_ID_PATTERN, unique=unique, nullable=False)


def sent_id_field(unique: bool = False):
    return pa.Field(str_matches=SENT_ID_PATTERN, unique=unique, nullable=False)


def offsets_are_ordered(data: pa.PolarsData) -> pl.LazyFrame:
    """Row-wise: 0 <= start <= end."""
    return data.lazyframe.select((pl.col("start") >= 0) & (pl.col("start") <= pl.col("end")))


class Config:
    strict = False
    coerce = False


class OrderedSpan(pa.DataFrameModel):
    """The start-before-end check of every table with `start`, `end` columns (code-point offsets into a
    document's clean text). It declares no columns, so a model inheriting it keeps its own column order."""

    @pa.dataframe_check
    def start_before_end(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return offsets_are_ordered(data)


class DocumentSpan(OrderedSpan):
    """A span of one document, located by sentence: doc_id, sent_id, start, end (in this order; a model
    inheriting it adds its columns after these)."""

    doc_id: str = doc_id_field()
    sent_id: str = sent_id_field()
    start: pl.Int64 = pa.Field(ge=0)
    end: pl.Int64 = pa.Field(ge=0)


def polars_schema(model: type[pa.DataFrameModel]) -> dict[str, pl.DataType]:
    """The model's columns and polars dtypes, in the model's order."""
    return {name: column.dtype.type for name, column in model.to_schema().columns.items()}


def empty_frame(model: type[pa.DataFrameModel]) -> pl.DataFrame:
    return pl.DataFrame(schema=polars_schema(model))


def frame(data: Any, model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """A frame of the model's columns and dtypes from rows (dicts), columns (a dict of lists) or a frame
    (selected and cast to the model's columns)."""
    schema = polars_schema(model)
    if isinstance(data, pl.DataFrame):
        return data.select(list(schema)).cast(schema)
    return pl.DataFrame(data, schema=schema)
