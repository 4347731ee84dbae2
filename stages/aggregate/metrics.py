"""The run's headline figures (data/metrics.json) and the small tables behind DVC's plots.

`compute_metrics` returns a dict of numbers only, at most one level of nesting (what `dvc metrics show`
and `dvc metrics diff` read well), computed from the tables alone, so two runs on the same data give the
same file. Shares are rounded to 4 decimals. `plot_tables` returns the CSV tables for dvc.yaml's `plots:`
(top entities, story sizes, boilerplate share per document); the HTML report draws the same data itself.
"""
from __future__ import annotations

from typing import Any

import polars as pl

from stages.aggregate.entity_stats import NAMED_LABELS, top_entities

COPY_RELATIONS = {"near_duplicate": "copies", "truncated_copy": "truncated_copies", "rewrite": "rewrites",
                  "original": "originals", "unique": "unique"}
SHARE_DIGITS = 4


def boilerplate_by_document(ingest_docs: pl.DataFrame, removed: pl.DataFrame) -> pl.DataFrame:
    """Per ingested document: non-blank raw lines, lines the clean stage removed, and their share."""
    non_blank = pl.col("raw_text").str.split("\n").list.eval(
        pl.element().str.strip_chars().str.len_chars() > 0).list.sum().cast(pl.Int64)
    removed_per_doc = removed.group_by("doc_id").agg(pl.len().cast(pl.Int64).alias("removed_lines"))
    return (ingest_docs.select("doc_id", "source_path", non_blank.alias("raw_lines"))
            .join(removed_per_doc, on="doc_id", how="left")
            .with_columns(pl.col("removed_lines").fill_null(0))
            .with_columns(pl.when(pl.col("raw_lines") > 0)
                          .then(pl.col("removed_lines") / pl.col("raw_lines")).otherwise(0.0)
                          .clip(0.0, 1.0).round(SHARE_DIGITS).alias("boilerplate_share"))
            .sort("doc_id"))


def _share(part: float, whole: float) -> float:
    return round(part / whole, SHARE_DIGITS) if whole else 0.0


def compute_metrics(*, ingest_docs: pl.DataFrame, rejected: pl.DataFrame, clean_docs: pl.DataFrame,
                    removed: pl.DataFrame, sentences: pl.DataFrame, entities: pl.DataFrame,
                    quotes: pl.DataFrame, dates: pl.DataFrame, stories: pl.DataFrame,
                    alignments: pl.DataFrame, claims: pl.DataFrame, cooccurrence: pl.DataFrame,
                    timeline: pl.DataFrame, extra_tags: dict[str, pl.DataFrame] | None = None,
                    boilerplate: pl.DataFrame | None = None) -> dict[str, Any]:
    """Headline figures: numbers only, flat or one level deep, deterministic.

    `boilerplate` is `boilerplate_by_document(ingest_docs, removed)` when the caller already has it (then
    `ingest_docs` needs no raw_text); of `extra_tags` only the row counts are read."""
    if boilerplate is None:
        boilerplate = boilerplate_by_document(ingest_docs, removed)
    raw_lines = int(boilerplate["raw_lines"].sum())
    relations = dict(stories.group_by("relation").len().iter_rows()) if stories.height else {}
    reasons = dict(removed.group_by("reason").len().iter_rows()) if removed.height else {}
    corroborated = int((claims["n_stories"] >= 2).sum()) if claims.height else 0
    story_sizes = stories.group_by("story_id").len()["len"] if stories.height else pl.Series([], dtype=pl.Int64)
    metrics: dict[str, Any] = {
        "documents": {"inputs": ingest_docs.height + rejected.height, "accepted": ingest_docs.height,
                      "rejected": rejected.height, "cleaned": clean_docs.height,
                      "truncated": int(clean_docs["is_truncated"].sum()) if clean_docs.height else 0,
                      "input_bytes": int(ingest_docs["n_bytes"].sum()) if ingest_docs.height else 0},
        "cleaning": {"raw_lines": raw_lines, "removed_lines": removed.height,
                     "kept_lines": raw_lines - removed.height,
                     "boilerplate_share": _share(removed.height, raw_lines),
                     "mean_document_boilerplate_share":
                         round(float(boilerplate["boilerplate_share"].mean()), SHARE_DIGITS)
                         if boilerplate.height else 0.0},
        "removed_by_reason": {reason: int(reasons[reason]) for reason in sorted(reasons)},
        "sentences": sentences.height,
        "entities": {"mentions": entities.height,
                     "distinct": entities["entity_id"].n_unique() if entities.height else 0,
                     "named_mentions": int(entities["label"].is_in(NAMED_LABELS).sum()) if entities.height else 0,
                     "cooccurring_pairs": cooccurrence.height},
        "quotes": {"total": quotes.height,
                   "direct": int((quotes["kind"] == "direct").sum()) if "kind" in quotes.columns else quotes.height,
                   "with_speaker": int(quotes["speaker"].is_not_null().sum()) if quotes.height else 0},
        "stories": {"stories": int(stories["story_id"].n_unique()) if stories.height else 0,
                    "documents": stories.height,
                    **{name: int(relations.get(relation, 0)) for relation, name in COPY_RELATIONS.items()},
                    "largest_story": int(story_sizes.max()) if story_sizes.len() else 0,
                    "aligned_sentences": alignments.height},
        "claims": {"total": claims.height, "corroborated": corroborated},
        "dates": {"mentions": dates.height,
                  "resolved": int(dates["resolved"].sum()) if dates.height else 0,
                  "timeline_events": timeline.height},
    }
    if extra_tags:
        metrics["tags"] = {name: frame.height for name, frame in sorted(extra_tags.items())}
    return metrics


def plot_tables(entity_stats: pl.DataFrame, stories: pl.DataFrame, boilerplate: pl.DataFrame,
                params: dict[str, Any]) -> dict[str, pl.DataFrame]:
    """Data files for DVC plots, by file stem: top_entities (the `top_entities` most independently reported
    named entities), story_sizes (stories per number of documents), boilerplate (share per document)."""
    n_top = int(params.get("top_entities", 20))
    labels = list(params.get("labels", NAMED_LABELS))
    top = (top_entities(entity_stats, n_top, labels)
           .select("canonical", "label", "n_stories", "n_docs", "n_mentions"))
    # A distribution, so the file stays small for any corpus: how many stories have 1, 2, 3 ... documents.
    story_sizes = (stories.group_by("story_id").agg(pl.len().cast(pl.Int64).alias("story_size"))
                   .group_by("story_size").agg(pl.len().cast(pl.Int64).alias("stories"))
                   .with_columns((pl.col("story_size") * pl.col("stories")).alias("documents"))
                   .sort("story_size"))
    shares = boilerplate.select("doc_id", "source_path", "raw_lines", "removed_lines", "boilerplate_share")
    return {"top_entities": top, "story_sizes": story_sizes, "boilerplate": shares}
