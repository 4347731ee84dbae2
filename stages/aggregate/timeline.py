"""A timeline of the corpus: the dated periods its stories mention, each with one sentence to read.

Input is the tag stage's resolved dates (a day, week, month or year, as a period date..date_end). Mentions
are grouped by period and by story, so a date repeated by ten copies of one wire story is one event with
ten documents, not ten events. For each event the sentence shown is the one in the story's original (or
unique) document when it has one, else in the earliest published document, then the lowest doc_id and
the earliest offset: a deterministic choice that prefers the source over its copies. An event is a dated
statement: dates in headings, credits, promos or URLs (`statements`) are not events. `n_stories` counts
the independent stories that carry the event's statement (the claim one of its sentences belongs to,
`claims.find_claims`; 1 when no other story makes it), not those that merely mention the same day.
"""
from __future__ import annotations

import polars as pl

from schemas import aggregate as tables
from schemas.base import empty_frame, frame
from stages.aggregate.entity_stats import with_story
from stages.aggregate.statements import sentence_kinds
from stages.common import sha16

# Which document of a story speaks for it: the source first, verbatim copies next, rewrites last.
RELATION_RANK = {"original": 0, "unique": 0, "near_duplicate": 1, "truncated_copy": 1, "rewrite": 2}
PERIOD = ["date", "date_end", "granularity"]


def _support(claims: pl.DataFrame | None) -> pl.DataFrame:
    """sent_id, support: the independent stories carrying the claim each claimed sentence belongs to."""
    if claims is None or claims.is_empty():
        return pl.DataFrame(schema={"sent_id": pl.String, "support": pl.Int64})
    return (claims.select("sent_ids", support="n_stories").explode("sent_ids").rename({"sent_ids": "sent_id"})
            .group_by("sent_id").agg(pl.col("support").max()))


def build_timeline(dates: pl.DataFrame, sentences: pl.DataFrame, stories: pl.DataFrame,
                   documents: pl.DataFrame, claims: pl.DataFrame | None = None,
                   kinds: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per (period, story) with the representative sentence; sorted by date, then story. `claims`
    (find_claims) give each event its support; without them every event is carried by its story alone.
    `kinds` (statements.sentence_kinds of `sentences`, as the story search has them) saves computing them."""
    if kinds is None:
        kinds = sentence_kinds(sentences.select("sent_id", "text"))
    statements = kinds.filter(pl.col("kind") == "statement")
    resolved = (dates.filter(pl.col("resolved") & pl.col("date").is_not_null())
                .join(statements.select("sent_id"), on="sent_id", how="semi"))
    if resolved.is_empty():
        return empty_frame(tables.Timeline)
    mentions = (with_story(resolved.select("doc_id", "sent_id", "start", pl.col("text").alias("date_text"),
                                           "date", pl.coalesce("date_end", "date").alias("date_end"),
                                           "granularity"), stories)
                .join(stories.select("doc_id", "relation"), on="doc_id", how="left")
                .join(documents.select("doc_id", "published_date"), on="doc_id", how="left")
                .join(sentences.select("sent_id", "text"), on="sent_id", how="left")
                .join(_support(claims), on="sent_id", how="left")
                .with_columns(pl.col("relation").replace_strict(RELATION_RANK, default=len(RELATION_RANK),
                                                                return_dtype=pl.Int64).alias("rank"),
                              pl.col("text").fill_null(pl.col("date_text")))
                .sort(["rank", "published_date", "doc_id", "start"], nulls_last=True))
    events = (mentions.group_by(PERIOD + ["story_id"], maintain_order=True)
              .agg(pl.col("doc_id").first(), pl.col("sent_id").first(), pl.col("date_text").first(),
                   pl.col("text").first(), pl.col("doc_id").unique().sort().alias("doc_ids"),
                   pl.len().cast(pl.Int64).alias("n_mentions"),
                   pl.col("doc_id").n_unique().cast(pl.Int64).alias("n_docs"),
                   n_stories=pl.col("support").max().fill_null(1).cast(pl.Int64)))
    event_ids = [sha16(f"{d}|{e}|{g}|{s}".encode()) for d, e, g, s in
                 events.select(PERIOD + ["story_id"]).iter_rows()]
    return (frame(events.with_columns(pl.Series("event_id", event_ids, dtype=pl.String)), tables.Timeline)
            .sort(["date", "date_end", "granularity", "story_id"]))
