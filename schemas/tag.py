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
    # direct and partial quotations; scare quotes and titles are kept so a reader can see why they are not.
    kind: str = pa.Field(isin=["direct", "partial", "scare", "title"])

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

    cue: str = pa.Field(isin=["according_to", "verb", "document"])
    n_sources: Optional[pl.Int64] = pa.Field(nullable=True, ge=1)
    named: bool
    source_type: str = pa.Field(isin=["person", "organization", "document"])
    affiliation: Optional[str] = pa.Field(nullable=True)

    class Config(BaseConfig):
        name = "tag/attributions"


class Counts(_SentenceSpan):
    """data/tag/counts.parquet: quantities of people and things and what happened to them (as GDELT)."""

    value: pl.Int64 = pa.Field(ge=0)
    qualifier: Optional[str] = pa.Field(nullable=True)
    bound: Optional[str] = pa.Field(nullable=True, isin=["min", "max", "approx"])
    noun: Optional[str] = pa.Field(nullable=True)
    category: Optional[str] = pa.Field(nullable=True, isin=["people", "thing"])
    event: Optional[str] = pa.Field(nullable=True)

    class Config(BaseConfig):
        name = "tag/counts"


class Dates(_SentenceSpan):
    """data/tag/dates.parquet: temporal expressions resolved against the document's published date."""

    date: Optional[datetime.date] = pa.Field(nullable=True)
    date_end: Optional[datetime.date] = pa.Field(nullable=True)
    granularity: str = pa.Field(isin=["day", "week", "month", "year"])
    resolved: bool

    @pa.dataframe_check
    def period_is_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("date").is_null() | (pl.col("date") <= pl.col("date_end")))

    class Config(BaseConfig):
        name = "tag/dates"


class Themes(_SentenceSpan):
    """data/tag/themes.parquet: one row per mention of a theme from the reviewed lexicon."""

    theme: str = pa.Field(str_length={"min_value": 1})
    term: str

    class Config(BaseConfig):
        name = "tag/themes"
