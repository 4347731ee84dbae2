"""Related stories: independent coverage of one event, kept as separate stories and linked.

Two outlets reporting one event write their own text: they share no sentences (so `stories` keeps them
apart, and each counts as an independent story for corroboration) but they name the same people and
organisations, the same days and the same figures. A story's facts are the union over its documents of:
- entities: entity ids of the labels in `named_labels` (who and what);
- days: resolved day-granularity dates (`tag/dates`; a relative "on Monday" resolved against the
  publication date gives the calendar day, so same-day coverage of an event shares it);
- figures: counted quantities (`tag/counts` values) of at least `min_figure` (small numbers are in every
  story).

Candidate story pairs come from an inverted index over facts held by at most `max_fact_stories` stories
(a fact in many stories, "United States", this year's days, proposes no pair: the search stays
near-linear). Each candidate is then scored over all its facts: the IDF-weighted Jaccard of the two fact
sets (idf = ln(1 + stories / stories holding the fact)), and kept when it shares at least
`min_shared_entities` entities, at least `min_shared_facts` days or figures (entities alone make a topic,
not an event) and scores at least `min_score`. Pairs are between stories (their originals name them), so
copies never appear: a copy is in its original's story.
"""
from __future__ import annotations

import polars as pl

from schemas import aggregate as tables
from schemas.base import empty_frame, frame
from schemas.params import Related as RelatedParams

KINDS = ("entity", "day", "figure")


def story_facts(stories: pl.DataFrame, entities: pl.DataFrame, dates: pl.DataFrame, counts: pl.DataFrame,
                named_labels: list[str], params: RelatedParams) -> pl.DataFrame:
    """story_id, kind, fact (a string key), shown (what a reader sees): each story's distinct facts."""
    story_of = stories.select("doc_id", "story_id")
    named = (entities.filter(pl.col("label").is_in(named_labels) & pl.col("entity_id").is_not_null())
             .sort("entity_id", "canonical")
             .select("doc_id", kind=pl.lit("entity"), fact=pl.col("entity_id"),
                     shown=pl.col("canonical").first().over("entity_id")))
    days = (dates.filter((pl.col("granularity") == "day") & pl.col("resolved") & pl.col("date").is_not_null())
            .select("doc_id", kind=pl.lit("day"), fact=pl.col("date").dt.to_string("%Y-%m-%d"),
                    shown=pl.col("date").dt.to_string("%Y-%m-%d")))
    figures = (counts.filter(pl.col("value") >= params.min_figure)
               .select("doc_id", kind=pl.lit("figure"), fact=pl.col("value").cast(pl.String),
                       shown=pl.col("value").cast(pl.String)))
    schema = {"doc_id": pl.String, "kind": pl.String, "fact": pl.String, "shown": pl.String}
    facts = pl.concat([part.cast(schema) for part in (named, days, figures)])  # type: ignore[arg-type]
    return (facts.join(story_of, on="doc_id").select("story_id", "kind", "fact", "shown")
            .unique(["story_id", "kind", "fact"]).sort("story_id", "kind", "fact"))


def _candidates(facts: pl.DataFrame, params: RelatedParams) -> pl.DataFrame:
    """story_id_a < story_id_b of the stories sharing a fact held by at most max_fact_stories stories."""
    rare = facts.filter(pl.len().over("kind", "fact") <= params.max_fact_stories).select("story_id", "kind", "fact")
    return (rare.join(rare, on=["kind", "fact"], suffix="_b")
            .filter(pl.col("story_id") < pl.col("story_id_b"))
            .select(story_id_a="story_id", story_id_b="story_id_b").unique())


def find_related(stories: pl.DataFrame, entities: pl.DataFrame, dates: pl.DataFrame, counts: pl.DataFrame,
                 named_labels: list[str], params: RelatedParams) -> pl.DataFrame:
    """One row per pair of related stories (story_id_a < story_id_b) with their originals, shared facts and
    score (`tables.Related`)."""
    if stories.is_empty():
        return empty_frame(tables.Related)
    facts = story_facts(stories, entities, dates, counts, named_labels, params)
    n_stories = stories["story_id"].n_unique()
    # Weights in millionths, as integers: their sums are exact, so the score is the same on every run
    # (a float sum's last bits depend on how polars splits it).
    facts = facts.with_columns(idf=((1.0 + n_stories / pl.len().over("kind", "fact")).log() * 1e6)
                               .round(0).cast(pl.Int64))
    totals = facts.group_by("story_id").agg(total=pl.col("idf").sum())
    pairs = _candidates(facts, params)
    if pairs.is_empty():
        return empty_frame(tables.Related)
    # Scored on integer fact ids first; the shown lists are built only for the pairs kept (most candidates
    # are not, and their lists of strings were most of the stage's time at 20,000 documents).
    facts = facts.with_columns(fid=pl.struct("kind", "fact").rank("dense").cast(pl.Int64))
    slim = facts.select("story_id", "fid", "kind", "idf")
    shared = (pairs.join(slim, left_on="story_id_a", right_on="story_id")
              .join(slim.select("story_id", "fid"), left_on=["story_id_b", "fid"], right_on=["story_id", "fid"]))
    count = {kind: (pl.col("kind") == kind).sum().cast(pl.Int64) for kind in KINDS}
    scored = (shared.group_by("story_id_a", "story_id_b")
              .agg(n_entities=count["entity"], n_days=count["day"], n_figures=count["figure"],
                   weight=pl.col("idf").sum())
              .join(totals, left_on="story_id_a", right_on="story_id")
              .join(totals.rename({"total": "total_b"}), left_on="story_id_b", right_on="story_id")
              .with_columns(score=(pl.col("weight") / (pl.col("total") + pl.col("total_b") - pl.col("weight")))
                            .clip(0.0, 1.0).round(6))
              .filter((pl.col("n_entities") >= params.min_shared_entities)
                      & (pl.col("n_days") + pl.col("n_figures") >= params.min_shared_facts)
                      & (pl.col("score") >= params.min_score)))
    shown = (scored.select("story_id_a", "story_id_b")
             .join(facts.select("story_id", "fid", "kind", "fact", "shown"), left_on="story_id_a", right_on="story_id")
             .join(facts.select("story_id", "fid"), left_on=["story_id_b", "fid"], right_on=["story_id", "fid"])
             .sort("story_id_a", "story_id_b", "kind", "shown", "fact")
             .group_by("story_id_a", "story_id_b", maintain_order=True)
             .agg(shared_entities=pl.col("shown").filter(pl.col("kind") == "entity"),
                  shared_days=pl.col("shown").filter(pl.col("kind") == "day"),
                  shared_figures=pl.col("shown").filter(pl.col("kind") == "figure")))
    scored = scored.join(shown, on=["story_id_a", "story_id_b"])
    originals = (stories.filter(pl.col("relation").is_in(["original", "unique"]))
                 .sort("doc_id").group_by("story_id").agg(pl.col("doc_id").first()))
    related = (scored.join(originals.rename({"doc_id": "doc_id_a"}), left_on="story_id_a", right_on="story_id")
               .join(originals.rename({"doc_id": "doc_id_b"}), left_on="story_id_b", right_on="story_id")
               .sort("story_id_a", "story_id_b"))
    return frame(related, tables.Related)
