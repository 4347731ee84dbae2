"""Tables written by the ingest stage: every column, in the order the stage writes them."""
from __future__ import annotations

from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.base import DOC_ID_PATTERN, Config as BaseConfig, doc_id_field

ISO_DATE = r"^\d{4}-\d{2}-\d{2}$"


def _text(**checks):
    """A metadata string: absent (null) or non-empty."""
    return pa.Field(nullable=True, str_length={"min_value": 1}, **checks)


class IngestDocuments(pa.DataFrameModel):
    """data/ingest/documents.parquet: one row per accepted input document."""

    doc_id: str = doc_id_field(unique=True)
    source_path: str = pa.Field(unique=True, str_length={"min_value": 1})
    source_format: str = pa.Field(isin=["txt", "md", "html", "jsonl"])
    n_bytes: pl.Int64 = pa.Field(gt=0)
    encoding: str = pa.Field(str_length={"min_value": 1})
    # HTML: which extractors found the article ("trafilatura+readability", "trafilatura", "readability"), or
    # "visible_text" when neither did (raw_text is then the page's visible text, unvoted); null otherwise.
    extractor: Optional[str] = pa.Field(nullable=True, isin=["trafilatura+readability", "trafilatura",
                                                             "readability", "visible_text"])
    raw_text: str = pa.Field(str_length={"min_value": 1})
    # HTML: per line of raw_text, the extractors that keep it (bit 1 trafilatura, bit 2 readability-lxml);
    # empty for other formats.
    line_votes: pl.List = pa.Field(dtype_kwargs={"inner": pl.Int64})
    # HTML: per line of raw_text, where in the page's markup it sits (bits: stages/ingest/html.py's MARKUP:
    # inside a link, in navigation or page chrome, in a comment section, ...); empty for other formats.
    line_markup: pl.List = pa.Field(dtype_kwargs={"inner": pl.Int64})
    meta_title: Optional[str] = _text()
    meta_description: Optional[str] = _text()
    meta_authors: pl.List = pa.Field(dtype_kwargs={"inner": pl.String})
    meta_date: Optional[str] = _text(str_matches=ISO_DATE)
    meta_site: Optional[str] = _text()
    meta_url: Optional[str] = _text()

    class Config(BaseConfig):
        name = "ingest/documents"
        strict = True


class IngestRejected(pa.DataFrameModel):
    """data/ingest/rejected.parquet: one row per input that could not be used, with a readable reason."""

    source_path: str = pa.Field(unique=True, str_length={"min_value": 1})
    reason: str = pa.Field(str_length={"min_value": 5})
    n_bytes: Optional[pl.Int64] = pa.Field(nullable=True, ge=0)       # null: a link or a special file
    doc_id: Optional[str] = pa.Field(nullable=True, str_matches=DOC_ID_PATTERN)   # null: never decoded

    class Config(BaseConfig):
        name = "ingest/rejected"
        strict = True
