"""Dates of a story: a document without a page date takes the base of its relative dates from a dated
document of the same story.

The tag stage resolves "on Sunday" or "last month" against the document's own published date, and leaves
them unresolved when the page gave none (a paywall-cut copy or a rewrite often carries no date). Stories
are only known here, so this is where such a document gets a base: its story's original when that one is
dated, else the earliest dated document of the story (ties: the lowest doc_id). Its sentences are then
resolved again with that base by the same grammar (`stages.common.timex.dates_in_document`, with the
params of `tag.dates`), so each expression gets exactly what the tag stage would have given it had the
page carried the story's date. Every other document keeps its tag rows as they are.

`base_date_from` says where each row's base came from: "page" (the document's own date),
"story:<doc_id>" (that dated document of its story) or null (no base at all: relative dates stay
unresolved). `base_date` is that base.
"""
from __future__ import annotations

import itertools
from typing import Any

import polars as pl

from schemas import aggregate as tables
from schemas.base import frame
from schemas.params import Dates as DatesParams
from stages.common.timex import dates_in_document

SORT = ["doc_id", "start", "end"]


def story_bases(documents: pl.DataFrame, stories: pl.DataFrame) -> pl.DataFrame:
    """doc_id, base_date, base_date_from for every document: its own published date ("page"), else the
    story's dated original, else the story's earliest dated document ("story:<doc_id>"), else nulls."""
    docs = documents.select("doc_id", pl.col("published_date").cast(pl.Date)).join(
        stories.select("doc_id", "story_id", "relation"), on="doc_id", how="left")
    dated = (docs.filter(pl.col("published_date").is_not_null() & pl.col("story_id").is_not_null())
             .sort([pl.col("relation") != "original", "published_date", "doc_id"])
             .group_by("story_id", maintain_order=True).first()
             .select("story_id", story_base=pl.col("published_date"), story_doc=pl.col("doc_id")))
    with_story = docs.join(dated, on="story_id", how="left")
    own = pl.col("published_date").is_not_null()
    from_story = pl.col("story_base").is_not_null()
    return with_story.select(
        "doc_id",
        base_date=pl.when(own).then(pl.col("published_date")).otherwise(pl.col("story_base")),
        base_date_from=pl.when(own).then(pl.lit("page"))
        .when(from_story).then(pl.lit("story:") + pl.col("story_doc")).otherwise(pl.lit(None, pl.String)))


def resolve_story_dates(dates: pl.DataFrame, sentences: pl.DataFrame, documents: pl.DataFrame,
                        stories: pl.DataFrame, params: DatesParams) -> pl.DataFrame:
    """The dates table of every document with its base (schemas.aggregate.StoryDates): tag's rows for
    documents dated by their page or with no base, rows resolved again for those based on their story.
    `sentences`: doc_id, sent_id, start, text (offsets into the clean text, as the tag stage read them)."""
    bases = story_bases(documents, stories)
    borrowed = bases.filter(pl.col("base_date_from").str.starts_with("story:"))
    kept = (dates.join(bases, on="doc_id", how="left")
            .filter(~pl.col("doc_id").is_in(borrowed["doc_id"].implode())))
    again = _resolved_again(sentences, borrowed, params)
    return pl.concat([frame(kept, tables.StoryDates), again]).sort(SORT, maintain_order=True)


def _resolved_again(sentences: pl.DataFrame, borrowed: pl.DataFrame, params: DatesParams) -> pl.DataFrame:
    """The temporal expressions of the `borrowed` documents (doc_id, base_date, base_date_from), resolved
    against their story's base."""
    base_of = {doc_id: (base, source) for doc_id, base, source in borrowed.iter_rows()}
    ordered = (sentences.filter(pl.col("doc_id").is_in(list(base_of)))
               .select("doc_id", "sent_id", "start", "text").sort(["doc_id", "start"]))
    rows: list[dict[str, Any]] = []
    for doc_id, group in itertools.groupby(ordered.iter_rows(), key=lambda row: row[0]):
        base, source = base_of[doc_id]
        spans = ((sent_id, start, text) for _, sent_id, start, text in group)
        rows.extend({"doc_id": doc_id, **row, "base_date": base, "base_date_from": source}
                    for row in dates_in_document(spans, base, params))
    return frame(rows, tables.StoryDates)
