"""Tables written by the segment stage."""
from __future__ import annotations

import pandera.polars as pa
import polars as pl

from schemas.base import Config as BaseConfig, OrderedSpan, doc_id_field, sent_id_field


class Sentences(OrderedSpan):
    """data/segment/sentences.parquet: sentences with code-point offsets into the clean text
    (`text[start:end]` of the document is the sentence). The columns keep the stage's order, so the span
    check comes from `OrderedSpan` and the columns are declared here."""

    doc_id: str = doc_id_field()
    sent_id: str = sent_id_field(unique=True)
    paragraph: pl.Int64 = pa.Field(ge=0)
    index: pl.Int64 = pa.Field(ge=0)
    start: pl.Int64 = pa.Field(ge=0)
    end: pl.Int64 = pa.Field(ge=0)
    text: str = pa.Field(str_length={"min_value": 1})

    class Config(BaseConfig):
        name = "segment/sentences"
        strict = True
