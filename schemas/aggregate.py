"""Tables written by the aggregate stage."""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.base import Config as BaseConfig, doc_id_field

RELATIONS = ["original", "near_duplicate", "truncated_copy", "rewrite", "unique"]


class Stories(pa.DataFrameModel):
    """data/aggregate/stories.parquet: one row per document, its story and how it relates to the original."""

    doc_id: str = doc_id_field(unique=True)
    story_id: str = pa.Field(str_length={"min_value": 1})
    relation: str = pa.Field(isin=RELATIONS)
    source_doc_id: Optional[str] = pa.Field(nullable=True, str_matches=r"^[0-9a-f]{16}$")
    similarity: pl.Float64 = pa.Field(ge=0.0, le=1.0)

    class Config(BaseConfig):
        name = "aggregate/stories"


class EntityStats(pa.DataFrameModel):
    """data/aggregate/entities.parquet: mention, document and independent-story counts per entity."""

    entity_id: str = pa.Field(unique=True, str_matches=r"^[0-9a-f]{16}$")
    canonical: str = pa.Field(str_length={"min_value": 1})
    label: str
    n_mentions: pl.Int64 = pa.Field(ge=1)
    n_docs: pl.Int64 = pa.Field(ge=1)
    n_stories: pl.Int64 = pa.Field(ge=1)

    @pa.dataframe_check
    def counts_nest(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A copy never adds a story: stories <= documents <= mentions."""
        return data.lazyframe.select(
            (pl.col("n_stories") <= pl.col("n_docs")) & (pl.col("n_docs") <= pl.col("n_mentions")))

    class Config(BaseConfig):
        name = "aggregate/entities"
