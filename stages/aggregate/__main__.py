"""aggregate: stories, claims, entity statistics, co-occurrence, a timeline, metrics, plots and a report.

Load the upstream tables. Group documents into stories and align copies and rewrites to their source, then
find the statements several stories make (`search.search_stories`, `claims.find_claims`). Count entities
without double-counting copies (`entity_stats`), pair entities named in one sentence (`cooccurrence`), and
build a timeline of dated events (`timeline`) from the dates of each story (`story_dates`: a document
without a page date resolved against a dated document of its story). Compute the headline figures and the
plot data (`metrics`) and render one self-contained HTML page (`report`). Validate and write the tables
under data/aggregate/, data/metrics.json, the plot CSVs under data/aggregate/plots/ and data/aggregate/report.html.

Memory: each upstream table is read with only the columns this stage uses (the raw text of ingested
documents only long enough to count their lines), sentence signatures and linked sentence types are
computed once for stories and claims, and tables are read when first needed and dropped after their last
use, so the peak (the sentence alignment) runs beside as little as possible.
"""
from __future__ import annotations

import datetime

from pathlib import Path

import polars as pl

from schemas import aggregate as tables
from schemas.params import Aggregate
from stages.aggregate.changes import build_snapshot, compare, content_hashes, input_counts, read_snapshot
from stages.aggregate.changes import snapshot_path, write_snapshot
from stages.aggregate.claims import find_claims
from stages.aggregate.cooccurrence import cooccurrence
from stages.aggregate.entity_stats import entity_stats
from stages.aggregate.export import EXPORT_OUTPUTS, write_export
from stages.aggregate.memory import release_memory
from stages.aggregate.metrics import boilerplate_by_document, compute_metrics, plot_tables
from stages.aggregate.related import find_related
from stages.aggregate.report import render_report
from stages.aggregate.search import Caches, search_stories
from stages.aggregate.story_dates import resolve_story_dates
from stages.aggregate.timeline import build_timeline
from stages.common import (load_section, log, read_params_file, read_table, run_stage, write_json, write_table,
                           write_text_atomic)
from stages.common.run import watch_memory

STAGE = "aggregate"
# Read from other stages' sections (dvc.yaml lists them too): the input folder the report names, and the
# date params the story dates are resolved again with.
OTHER_PARAMS = ["ingest.input_dir", "tag.dates"]
DATA = Path("data")
# What to do when the memory guard stops the stage (stages.common.run.watch_memory).
MEMORY_HINT = ("The story search is the largest step: lower aggregate.stories.max_candidates, run on a machine "
               "with more memory, or split the input folder.")
OUT_DIR = DATA / "aggregate"
# The columns each upstream table is read with: every column any function of this stage looks at (the
# tag tables counted only in the metrics are read with one column).
COLUMNS = {
    "ingest/documents": ["doc_id", "source_path", "n_bytes", "raw_text"],
    "ingest/rejected": ["source_path", "reason"],
    "clean/documents": ["doc_id", "title", "site", "published_date", "text", "is_truncated", "is_empty"],
    "clean/removed": ["doc_id", "line_no", "text", "reason"],
    "segment/sentences": ["doc_id", "sent_id", "paragraph", "index", "start", "text"],
    "tag/entities": ["doc_id", "sent_id", "label", "canonical", "entity_id"],
    "tag/quotes": ["doc_id", "kind", "speaker"],
    "tag/dates": ["doc_id", "sent_id", "start", "end", "text", "type", "value", "date", "date_end", "granularity",
                  "relative", "resolved", "resolution"],
    "tag/attributions": ["doc_id"],
    "tag/counts": ["doc_id", "value"],
    "tag/themes": ["doc_id"],
    "tag/faults": ["doc_id", "extractor"],
}
COUNTED_TAGS = ("attributions", "counts", "themes")
# Tables by file stem, with their model and sort order.
WRITTEN = {"stories": (tables.Stories, ["story_id", "doc_id"]),
           "alignments": (tables.Alignments, ["doc_id", "sent_id", "source_sent_id"]),
           "claims": (tables.Claims, ["claim_id"]),
           "related": (tables.Related, ["story_id_a", "story_id_b"]),
           "entities": (tables.EntityStats, ["entity_id"]),
           "cooccurrence": (tables.Cooccurrence, ["entity_id_a", "entity_id_b"]),
           "timeline": (tables.Timeline, ["date", "date_end", "granularity", "story_id"]),
           "story_dates": (tables.StoryDates, ["doc_id", "start", "end"])}
METRICS = DATA / "metrics.json"
PLOTS_DIR = OUT_DIR / "plots"
REPORT = OUT_DIR / "report.html"

# Paths as dvc.yaml's aggregate block lists them (data deps; outs and the metrics file).
INPUTS = [f"{DATA}/{table}.parquet" for table in COLUMNS]
OUTPUTS = ([f"{OUT_DIR}/{name}.parquet" for name in WRITTEN] + [str(REPORT), str(PLOTS_DIR), str(METRICS)]
           + EXPORT_OUTPUTS)


def read(table: str) -> pl.DataFrame:
    return read_table(DATA / f"{table}.parquet", columns=COLUMNS[table])


def write_tables(written: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Sort, validate and write each table; returns them as written (sorted)."""
    return {name: write_table(frame, OUT_DIR / f"{name}.parquet", WRITTEN[name][0], f"aggregate/{name}",
                              sort_by=WRITTEN[name][1]) for name, frame in written.items()}


def main() -> None:
    params: Aggregate = load_section(STAGE)  # type: ignore[assignment]
    watch_memory(STAGE, params.memory_reserve_mb, MEMORY_HINT)
    # the dates grammar's own params: a story's dates are resolved exactly as the tag stage resolves them
    dates_params = load_section("tag").dates  # type: ignore[attr-defined]
    caches = Caches.of(params)
    clean_docs = read("clean/documents")
    sentences = read("segment/sentences")
    entities = read("tag/entities")

    found = search_stories(clean_docs, sentences, entities, params, caches)
    stories, alignments = found.stories, found.alignments
    hashes = content_hashes(clean_docs)
    clean_docs = clean_docs.drop("text")
    release_memory()
    claims = find_claims(sentences, found.signatures, stories, params.claims, links=found.links,
                         sites=clean_docs.select("doc_id", "site"))
    kinds = found.kinds
    del found
    entity_table = entity_stats(entities, stories, params.named_labels)
    pairs = cooccurrence(entities, sentences, stories, params.cooccurrence, params.named_labels)
    dates = read("tag/dates")
    story_dates = resolve_story_dates(dates, sentences, clean_docs, stories, dates_params)
    timeline = build_timeline(story_dates, sentences, stories, clean_docs, claims, kinds)
    counts = read("tag/counts")
    related = find_related(stories, entities, dates, counts, params.named_labels, params.related)

    ingest_docs = read("ingest/documents")
    removed = read("clean/removed")
    boilerplate = boilerplate_by_document(ingest_docs, removed)
    ingest_docs = ingest_docs.drop("raw_text")
    rejected = read("ingest/rejected")
    metrics = compute_metrics(ingest_docs=ingest_docs, rejected=rejected, clean_docs=clean_docs, removed=removed,
                              boilerplate=boilerplate, sentences=sentences, entities=entities,
                              quotes=read("tag/quotes"), dates=dates,
                              tag_rows={name: (counts if name == "counts" else read(f"tag/{name}")).height
                                        for name in COUNTED_TAGS},
                              stories=stories, alignments=alignments, claims=claims, cooccurrence=pairs,
                              timeline=timeline, named_labels=params.named_labels,
                              faults=read("tag/faults"), related=related)
    del entities, dates, counts
    plots = plot_tables(entity_table, stories, boilerplate, params.report, params.named_labels)

    written = write_tables({"stories": stories, "alignments": alignments, "claims": claims, "related": related,
                            "entities": entity_table, "cooccurrence": pairs, "timeline": timeline,
                            "story_dates": story_dates})
    write_export(written["stories"])
    write_json(metrics, METRICS)
    for name, table in sorted(plots.items()):
        write_text_atomic(table.write_csv(), PLOTS_DIR / f"{name}.csv")
    snapshot = build_snapshot(ingest_docs, hashes, written["stories"])
    changes = compare(read_snapshot(snapshot_path(params.cache_dir)) if params.cache else None, snapshot)
    # Only shown (the check stage validated it): read as written, so a params.yaml of this stage alone works.
    input_dir = (read_params_file().get("ingest") or {}).get("input_dir") or "(not in params.yaml)"
    # When, to the second, in UTC: shown only inside the report's run block (never in a table or metrics).
    built_at = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    run = {"input_dir": str(input_dir), "counts": input_counts(ingest_docs, rejected), "changes": changes,
           "built_at": built_at}
    page = render_report(metrics=metrics, ingest_docs=ingest_docs, rejected=rejected, clean_docs=clean_docs,
                         removed=removed, boilerplate=boilerplate, sentences=sentences,
                         stories=written["stories"], alignments=written["alignments"], claims=written["claims"],
                         entity_stats=written["entities"], cooccurrence=written["cooccurrence"],
                         timeline=written["timeline"], params=params.report, labels=params.named_labels,
                         run=run, related=written["related"])
    write_text_atomic(page, REPORT)
    caches.prune()
    # Last, once the report is written: the next run compares with this one.
    if params.cache:
        warning = write_snapshot(snapshot, snapshot_path(params.cache_dir))
        if warning:
            log(STAGE, f"WARNING: {warning}")
    log(STAGE, f"{clean_docs.height} documents -> {metrics['stories']['stories']} stories "
               f"({metrics['stories']['copies']} copies, {metrics['stories']['truncated_copies']} truncated, "
               f"{metrics['stories']['rewrites']} rewrites), {alignments.height} aligned sentences, "
               f"{claims.height} claims, {related.height} related story pairs, "
               f"{entity_table.height} entities, {pairs.height} co-occurring pairs, "
               f"{timeline.height} timeline events; report {len(page.encode()) // 1024} KiB")
    log(STAGE, f"what changed: {changes.line()}")
    _log_story_dates(story_dates)


def _log_story_dates(story_dates: pl.DataFrame) -> None:
    borrowed = story_dates.filter(pl.col("base_date_from").str.starts_with("story:"))
    if borrowed.height:
        log(STAGE, f"{borrowed['doc_id'].n_unique()} documents without a page date dated by their story: "
                   f"{int(borrowed['resolved'].sum())} of their {borrowed.height} dates resolved")


if __name__ == "__main__":
    run_stage(STAGE, main)
