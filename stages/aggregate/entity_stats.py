"""Per-entity statistics that do not double-count copies.

A wire story reprinted by ten sites names the same people ten times, yet it is one piece of reporting. So
beside the raw counts (mentions, documents) every entity gets `n_stories`: the number of distinct stories
(story_id from the stories table) whose documents name it. A document without a story row counts as a
story of its own, so nothing is lost when the tables disagree.
"""
from __future__ import annotations

import polars as pl

from schemas import aggregate as tables
from schemas.base import empty_frame, frame


def with_story(table: pl.DataFrame, stories: pl.DataFrame) -> pl.DataFrame:
    """Add `story_id` to a frame with `doc_id`; a document missing from `stories` is its own story."""
    story_of = stories.select("doc_id", "story_id")
    return (table.join(story_of, on="doc_id", how="left")
            .with_columns(pl.col("story_id").fill_null(pl.lit("doc:") + pl.col("doc_id"))))


def entity_names(entities: pl.DataFrame) -> pl.DataFrame:
    """(entity_id, canonical): the name each entity is shown by.

    Each document keeps the form it writes ("Joe Biden" in one, "Joseph Biden" in another), while the
    tag stage merges such variants (and a bare surname elsewhere) under one entity_id; the name shown is
    a form of several words if there is one (a full name over a bare surname: "Donald Trump", not "Trump"),
    then the one most mentions carry, then the longest, then the first in order."""
    several_words = pl.col("canonical").str.contains(r"\s")
    return (entities.group_by("entity_id", "canonical").agg(pl.len().alias("n"))
            .sort(["entity_id", several_words, "n", pl.col("canonical").str.len_chars(), "canonical"],
                  descending=[False, True, True, True, False])
            .unique("entity_id", keep="first", maintain_order=True).select("entity_id", "canonical"))


def entity_stats(entities: pl.DataFrame, stories: pl.DataFrame, labels: list[str] | None = None) -> pl.DataFrame:
    """One row per entity_id of the `labels` (all when None; the stage gives `aggregate.named_labels`, so
    "two" and "Monday" do not top a ranking of who and what the corpus names: numbers and dates have their
    own tables in data/tag/): canonical name (`entity_names`), label, mentions, documents and independent
    stories. The label is constant within an entity_id; `first` after sorting keeps it deterministic."""
    if labels is not None:
        entities = entities.filter(pl.col("label").is_in(labels))
    if entities.is_empty():
        return empty_frame(tables.EntityStats)
    counted = (with_story(entities.select("doc_id", "entity_id", "label"), stories)
               .sort("entity_id", "label")
               .group_by("entity_id")
               .agg(pl.col("label").first(),
                    pl.len().cast(pl.Int64).alias("n_mentions"),
                    pl.col("doc_id").n_unique().cast(pl.Int64).alias("n_docs"),
                    pl.col("story_id").n_unique().cast(pl.Int64).alias("n_stories")))
    return frame(counted.join(entity_names(entities), on="entity_id"), tables.EntityStats).sort("entity_id")


def top_entities(stats: pl.DataFrame, n: int, labels: list[str] | None = None) -> pl.DataFrame:
    """The `n` entities named by the most independent stories (then documents, mentions, name)."""
    if labels is not None:
        stats = stats.filter(pl.col("label").is_in(labels))
    return (stats.sort(["n_stories", "n_docs", "n_mentions", "canonical", "entity_id"],
                       descending=[True, True, True, False, False])
            .head(n))
