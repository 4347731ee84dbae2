"""Tables written by the tag stage."""
from __future__ import annotations

import datetime
from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.base import Config as BaseConfig, doc_id_field, offsets_are_ordered


class Entities(pa.DataFrameModel):
    """data/tag/entities.parquet: entity mentions with one canonical name per real-world entity."""

    doc_id: str = doc_id_field()
    sent_id: str
    start: pl.Int64 = pa.Field(ge=0)
    end: pl.Int64 = pa.Field(ge=0)
    text: str = pa.Field(str_length={"min_value": 1})
    label: str = pa.Field(str_matches=r"^[A-Z_]+$")
    canonical: str = pa.Field(str_length={"min_value": 1})
    entity_id: str = pa.Field(str_matches=r"^[0-9a-f]{16}$")

    @pa.dataframe_check
    def start_before_end(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return offsets_are_ordered(data)

    class Config(BaseConfig):
        name = "tag/entities"


class Quotes(pa.DataFrameModel):
    """data/tag/quotes.parquet: direct quotations with their speaker and reporting verb."""

    doc_id: str = doc_id_field()
    start: pl.Int64 = pa.Field(ge=0)
    end: pl.Int64 = pa.Field(ge=0)
    quote: str = pa.Field(str_length={"min_value": 1})
    speaker: Optional[str] = pa.Field(nullable=True)
    verb: Optional[str] = pa.Field(nullable=True)

    @pa.dataframe_check
    def start_before_end(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return offsets_are_ordered(data)

    class Config(BaseConfig):
        name = "tag/quotes"


class _SentenceSpan(pa.DataFrameModel):
    """Columns every sentence-level extraction shares: where in the clean text it was found."""

    doc_id: str = doc_id_field()
    sent_id: str
    start: pl.Int64 = pa.Field(ge=0)
    end: pl.Int64 = pa.Field(ge=0)
    text: str = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check
    def start_before_end(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return offsets_are_ordered(data)

    class Config(BaseConfig):
        pass


class Attributions(_SentenceSpan):
    """data/tag/attributions.parquet: sourcing phrases ("according to seven officials ...")."""

    n_sources: Optional[pl.Int64] = pa.Field(nullable=True, ge=1)
    named: bool
    affiliation: Optional[str] = pa.Field(nullable=True)

    class Config(BaseConfig):
        name = "tag/attributions"


class Counts(_SentenceSpan):
    """data/tag/counts.parquet: quantities of people and things and what happened to them."""

    value: pl.Float64 = pa.Field(ge=0)
    unit: str = pa.Field(str_length={"min_value": 1})
    event: Optional[str] = pa.Field(nullable=True)
    qualifier: Optional[str] = pa.Field(nullable=True)

    class Config(BaseConfig):
        name = "tag/counts"


class Dates(_SentenceSpan):
    """data/tag/dates.parquet: temporal expressions resolved against the document's published date."""

    date: Optional[datetime.date] = pa.Field(nullable=True)
    granularity: str = pa.Field(isin=["day", "week", "month", "season", "year", "decade", "unknown"])

    class Config(BaseConfig):
        name = "tag/dates"


class Themes(_SentenceSpan):
    """data/tag/themes.parquet: one row per mention of a theme from the reviewed lexicon."""

    theme: str = pa.Field(str_length={"min_value": 1})

    class Config(BaseConfig):
        name = "tag/themes"
