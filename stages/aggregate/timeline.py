"""A timeline of the corpus: the dated periods its stories mention, each with one sentence to read.

Input is the tag stage's resolved dates (a day, week, month or year, as a period date..date_end). Mentions
are grouped by period and by story, so a date repeated by ten copies of one wire story is one event with
ten documents, not ten events. For each event the sentence shown is the one in the story's original (or
unique) document when it has one, else in the earliest published document, then the lowest doc_id and
the earliest offset: a deterministic choice that prefers the source over its copies. `n_stories` counts
the independent stories that mention the same period, this one included: how corroborated the date is.
"""
from __future__ import annotations

import polars as pl

from schemas import aggregate as tables
from schemas.base import empty_frame, frame
from stages.aggregate.entity_stats import with_story
from stages.common import sha16

# Which document of a story speaks for it: the source first, verbatim copies next, rewrites last.
RELATION_RANK = {"original": 0, "unique": 0, "near_duplicate": 1, "truncated_copy": 1, "rewrite": 2}
PERIOD = ["date", "date_end", "granularity"]


def build_timeline(dates: pl.DataFrame, sentences: pl.DataFrame, stories: pl.DataFrame,
                   documents: pl.DataFrame) -> pl.DataFrame:
    """One row per (period, story) with the representative sentence; sorted by date, then story."""
    resolved = dates.filter(pl.col("resolved") & pl.col("date").is_not_null())
    if resolved.is_empty():
        return empty_frame(tables.Timeline)
    mentions = (with_story(resolved.select("doc_id", "sent_id", "start", pl.col("text").alias("date_text"),
                                           "date", pl.coalesce("date_end", "date").alias("date_end"),
                                           "granularity"), stories)
                .join(stories.select("doc_id", "relation"), on="doc_id", how="left")
                .join(documents.select("doc_id", "published_date"), on="doc_id", how="left")
                .join(sentences.select("sent_id", "text"), on="sent_id", how="left")
                .with_columns(pl.col("relation").replace_strict(RELATION_RANK, default=len(RELATION_RANK),
                                                                return_dtype=pl.Int64).alias("rank"),
                              pl.col("text").fill_null(pl.col("date_text")))
                .sort(["rank", "published_date", "doc_id", "start"], nulls_last=True))
    events = (mentions.group_by(PERIOD + ["story_id"], maintain_order=True)
              .agg(pl.col("doc_id").first(), pl.col("sent_id").first(), pl.col("date_text").first(),
                   pl.col("text").first(), pl.col("doc_id").unique().sort().alias("doc_ids"),
                   pl.len().cast(pl.Int64).alias("n_mentions"),
                   pl.col("doc_id").n_unique().cast(pl.Int64).alias("n_docs"))
              .with_columns(pl.col("story_id").n_unique().over(PERIOD).cast(pl.Int64).alias("n_stories")))
    event_ids = [sha16(f"{d}|{e}|{g}|{s}".encode()) for d, e, g, s in
                 events.select(PERIOD + ["story_id"]).iter_rows()]
    return (frame(events.with_columns(pl.Series("event_id", event_ids, dtype=pl.String)), tables.Timeline)
            .sort(["date", "date_end", "granularity", "story_id"]))
