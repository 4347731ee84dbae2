"""Dates: every temporal expression of a document, TIMEX3-typed and resolved against its published date.

The grammar and the resolver are `stages.common.timex` (its data in `stages/common/data/`): the aggregate
stage runs the same resolution again for documents without a page date that take their base date from a
dated copy in their story (`stages.aggregate.story_dates`), and a stage never imports another stage.
"""
from __future__ import annotations

import itertools
from typing import Any

import polars as pl

from schemas.params import Dates as DatesParams
from schemas.tag import Dates
from stages.common.timex import dates_in_document
from stages.tag.lexicon import iter_sentences, rows_frame


def extract_dates(docs: pl.DataFrame, sentences: pl.DataFrame, params: DatesParams) -> pl.DataFrame:
    """One row per temporal expression (schemas.tag.Dates)."""
    bases = dict(zip(docs["doc_id"].to_list(), docs["published_date"].to_list()))
    rows: list[dict[str, Any]] = []
    for doc_id, group in itertools.groupby(iter_sentences(docs, sentences), key=lambda s: s[0]):
        spans = ((sent_id, start, text) for _, sent_id, start, text in group)
        rows.extend({"doc_id": doc_id, **row} for row in dates_in_document(spans, bases.get(doc_id), params))
    return rows_frame(rows, Dates, ["doc_id", "start", "end"])
