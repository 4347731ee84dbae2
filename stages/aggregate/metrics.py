"""The run's headline figures (data/metrics.json) and the small tables behind DVC's plots.

`compute_metrics` returns a dict of numbers, at most one level of nesting (what `dvc metrics show`
and `dvc metrics diff` read well; the one string is `faults.doc_ids`, which names the documents an
extractor raised on, so a fault is seen where the headline figures are read), computed from the tables
alone, so two runs on the same data give the same file. Shares are rounded to 4 decimals. `plot_tables`
returns the CSV tables for dvc.yaml's `plots:` (top entities, story sizes, boilerplate share per
document); the HTML report draws the same data itself.
"""
from __future__ import annotations

from typing import Any

import polars as pl

from schemas.params import Report
from stages.aggregate.entity_stats import top_entities

COPY_RELATIONS = {"near_duplicate": "copies", "truncated_copy": "truncated_copies", "rewrite": "rewrites",
                  "original": "originals", "unique": "unique"}
SHARE_DIGITS = 4
FAULT_IDS_SHOWN = 10  # doc_ids named in metrics.json; data/tag/faults.parquet lists them all


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


def _documents(ingest_docs: pl.DataFrame, rejected: pl.DataFrame, clean_docs: pl.DataFrame) -> dict[str, int]:
    return {"inputs": ingest_docs.height + rejected.height, "accepted": ingest_docs.height,
            "rejected": rejected.height, "cleaned": clean_docs.height,
            "truncated": int(clean_docs["is_truncated"].sum()), "empty": int(clean_docs["is_empty"].sum()),
            "input_bytes": int(ingest_docs["n_bytes"].sum())}


def _cleaning(boilerplate: pl.DataFrame, removed: pl.DataFrame) -> dict[str, Any]:
    raw_lines = int(boilerplate["raw_lines"].sum())
    mean_share = round(float(boilerplate["boilerplate_share"].mean()), SHARE_DIGITS) if boilerplate.height else 0.0
    return {"raw_lines": raw_lines, "removed_lines": removed.height, "kept_lines": raw_lines - removed.height,
            "boilerplate_share": _share(removed.height, raw_lines), "mean_document_boilerplate_share": mean_share}


def _stories(stories: pl.DataFrame, alignments: pl.DataFrame, related: pl.DataFrame) -> dict[str, int]:
    relations = dict(stories.group_by("relation").len().iter_rows())
    story_sizes = stories.group_by("story_id").len()["len"]
    return {"stories": stories["story_id"].n_unique(), "documents": stories.height,
            **{name: int(relations.get(relation, 0)) for relation, name in COPY_RELATIONS.items()},
            "largest_story": int(story_sizes.max()) if story_sizes.len() else 0,
            "aligned_sentences": alignments.height, "related_pairs": related.height}


def _faults(faults: pl.DataFrame) -> dict[str, Any]:
    """Documents an extractor raised on (each one lost only that extractor's rows): counts, and the first ids."""
    doc_ids = sorted(faults["doc_id"].unique().to_list())
    shown = " ".join(doc_ids[:FAULT_IDS_SHOWN]) + (f" (+{len(doc_ids) - FAULT_IDS_SHOWN} more)"
                                                    if len(doc_ids) > FAULT_IDS_SHOWN else "")
    return {"documents": len(doc_ids), "rows": faults.height, "doc_ids": shown}


def compute_metrics(*, ingest_docs: pl.DataFrame, rejected: pl.DataFrame, clean_docs: pl.DataFrame,
                    removed: pl.DataFrame, boilerplate: pl.DataFrame, sentences: pl.DataFrame,
                    entities: pl.DataFrame, quotes: pl.DataFrame, dates: pl.DataFrame,
                    tag_rows: dict[str, int], stories: pl.DataFrame, alignments: pl.DataFrame,
                    claims: pl.DataFrame, cooccurrence: pl.DataFrame, timeline: pl.DataFrame,
                    named_labels: list[str], faults: pl.DataFrame, related: pl.DataFrame) -> dict[str, Any]:
    """Headline figures: numbers only, flat or one level deep, deterministic (keys in the report's order).

    `boilerplate` is `boilerplate_by_document(ingest_docs, removed)` (so `ingest_docs` needs no raw_text);
    `tag_rows` the row counts of the tag tables counted only here."""
    reasons = dict(removed.group_by("reason").len().iter_rows())
    return {
        "documents": _documents(ingest_docs, rejected, clean_docs),
        "cleaning": _cleaning(boilerplate, removed),
        "removed_by_reason": {reason: int(reasons[reason]) for reason in sorted(reasons)},
        "sentences": sentences.height,
        "entities": {"mentions": entities.height, "distinct": entities["entity_id"].n_unique(),
                     "named_mentions": int(entities["label"].is_in(named_labels).sum()),
                     "cooccurring_pairs": cooccurrence.height},
        "quotes": {"total": quotes.height, "direct": int((quotes["kind"] == "direct").sum()),
                   "with_speaker": int(quotes["speaker"].is_not_null().sum())},
        "stories": _stories(stories, alignments, related),
        "claims": {"total": claims.height, "corroborated": int((claims["n_stories"] >= 2).sum())},
        "dates": {"mentions": dates.height, "resolved": int(dates["resolved"].sum()),
                  "timeline_events": timeline.height},
        "tags": dict(sorted(tag_rows.items())),
        "faults": _faults(faults),
    }


def plot_tables(entity_stats: pl.DataFrame, stories: pl.DataFrame, boilerplate: pl.DataFrame,
                report: Report, labels: list[str]) -> dict[str, pl.DataFrame]:
    """Data files for DVC plots, by file stem: top_entities (the `report.top_entities` most independently
    reported entities of `labels`), story_sizes (stories per number of documents), boilerplate (share per
    document)."""
    top = (top_entities(entity_stats, report.top_entities, labels)
           .select("canonical", "label", "n_stories", "n_docs", "n_mentions"))
    # A distribution, so the file stays small for any corpus: how many stories have 1, 2, 3 ... documents.
    story_sizes = (stories.group_by("story_id").agg(pl.len().cast(pl.Int64).alias("story_size"))
                   .group_by("story_size").agg(pl.len().cast(pl.Int64).alias("stories"))
                   .with_columns((pl.col("story_size") * pl.col("stories")).alias("documents"))
                   .sort("story_size"))
    shares = boilerplate.select("doc_id", "source_path", "raw_lines", "removed_lines", "boilerplate_share")
    return {"top_entities": top, "story_sizes": story_sizes, "boilerplate": shares}
