"""Which entities are named together: pairs of entities that share a sentence.

Each sentence contributes its set of distinct named entities (labels in `aggregate.named_labels`: dates and
numbers are not "who and what"). Every unordered pair in that set is one co-occurrence, stored once with
entity_id_a < entity_id_b. Counts are sentences, documents and independent stories (so a reprinted story
does not inflate `n_stories`), and `pmi` is the pointwise mutual information over sentences,
ln(n_ab * N / (n_a * n_b)) with N the number of sentences: positive when two names appear together more
often than their frequencies alone would predict. Pairs in fewer than `min_sentences` sentences are dropped.
"""
from __future__ import annotations

import polars as pl

from schemas import aggregate as tables
from schemas.base import empty_frame, frame
from schemas.params import Cooccurrence as CooccurrenceParams
from stages.aggregate.entity_stats import entity_names, with_story


def cooccurrence(entities: pl.DataFrame, sentences: pl.DataFrame, stories: pl.DataFrame,
                 params: CooccurrenceParams, labels: list[str]) -> pl.DataFrame:
    """One row per pair of entities (of `labels`) named in at least `min_sentences` common sentences."""
    mentions = (entities.filter(pl.col("label").is_in(labels))
                .select("doc_id", "sent_id", "entity_id", "canonical")
                .unique(["sent_id", "entity_id"]))
    if mentions.is_empty():
        return empty_frame(tables.Cooccurrence)
    n_total = max(sentences.height, mentions["sent_id"].n_unique())
    per_entity = mentions.group_by("entity_id").agg(pl.len().cast(pl.Int64).alias("n"))
    names = entity_names(entities)

    left = mentions.select("doc_id", "sent_id", pl.col("entity_id").alias("entity_id_a"))
    right = mentions.select("sent_id", pl.col("entity_id").alias("entity_id_b"))
    pairs = (left.join(right, on="sent_id")
             .filter(pl.col("entity_id_a") < pl.col("entity_id_b")))
    counted = (with_story(pairs, stories)
               .group_by("entity_id_a", "entity_id_b")
               .agg(pl.col("sent_id").n_unique().cast(pl.Int64).alias("n_sentences"),
                    pl.col("doc_id").n_unique().cast(pl.Int64).alias("n_docs"),
                    pl.col("story_id").n_unique().cast(pl.Int64).alias("n_stories"))
               .filter(pl.col("n_sentences") >= params.min_sentences))
    scored = (counted
              .join(per_entity.rename({"entity_id": "entity_id_a", "n": "n_a"}), on="entity_id_a")
              .join(per_entity.rename({"entity_id": "entity_id_b", "n": "n_b"}), on="entity_id_b")
              .join(names.rename({"entity_id": "entity_id_a", "canonical": "canonical_a"}), on="entity_id_a")
              .join(names.rename({"entity_id": "entity_id_b", "canonical": "canonical_b"}), on="entity_id_b")
              .with_columns((pl.col("n_sentences").cast(pl.Float64) * n_total
                             / (pl.col("n_a") * pl.col("n_b")).cast(pl.Float64)).log().round(6).alias("pmi")))
    return frame(scored, tables.Cooccurrence).sort("entity_id_a", "entity_id_b")


def strongest_pairs(pairs: pl.DataFrame, n: int) -> pl.DataFrame:
    """The `n` pairs shared by the most independent stories, then sentences, then PMI."""
    return (pairs.sort(["n_stories", "n_sentences", "pmi", "entity_id_a", "entity_id_b"],
                       descending=[True, True, True, False, False])
            .head(n))
