"""aggregate: stories, claims, entity statistics, co-occurrence, a timeline, metrics, plots and a report.

Load every upstream table. Group documents into stories and align copies and rewrites to their source
(`stories.find_stories`), then find the statements several stories make (`claims.find_claims`). Count
entities without double-counting copies (`entity_stats`), pair entities named in one sentence
(`cooccurrence`), and build a timeline of dated events (`timeline`). Compute the headline figures and the
plot data (`metrics`) and render one self-contained HTML page (`report`). Validate and write the tables
under data/aggregate/, data/metrics.json, the plot CSVs under data/aggregate/plots/ and
data/aggregate/report.html.
"""
from __future__ import annotations

from pathlib import Path

from schemas.aggregate import Alignments, Claims, Cooccurrence, EntityStats, Stories, Timeline
from stages.aggregate.claims import find_claims
from stages.aggregate.cooccurrence import cooccurrence
from stages.aggregate.entity_stats import entity_stats
from stages.aggregate.metrics import boilerplate_by_document, compute_metrics, plot_tables
from stages.aggregate.report import render_report
from stages.aggregate.stories import find_stories
from stages.aggregate.timeline import build_timeline
from stages.common import load_params, log, read_table, run_stage, write_json, write_table, write_text_atomic

STAGE = "aggregate"
DATA = Path("data")
OUT_DIR = DATA / "aggregate"
PLOTS_DIR = OUT_DIR / "plots"
METRICS = DATA / "metrics.json"
REPORT = OUT_DIR / "report.html"
# Tag tables only counted in the metrics: read when the tag stage wrote them.
EXTRA_TAGS = ("attributions", "counts", "themes")


def main() -> None:
    params = load_params(STAGE) or {}
    ingest_docs = read_table(DATA / "ingest/documents.parquet")
    rejected = read_table(DATA / "ingest/rejected.parquet")
    clean_docs = read_table(DATA / "clean/documents.parquet")
    removed = read_table(DATA / "clean/removed.parquet")
    sentences = read_table(DATA / "segment/sentences.parquet")
    entities = read_table(DATA / "tag/entities.parquet")
    quotes = read_table(DATA / "tag/quotes.parquet")
    dates = read_table(DATA / "tag/dates.parquet")
    extra_tags = {name: read_table(DATA / f"tag/{name}.parquet") for name in EXTRA_TAGS
                  if (DATA / f"tag/{name}.parquet").exists()}

    stories, alignments = find_stories(clean_docs, sentences, entities, params)
    claims = find_claims(sentences, stories, entities, params)
    entity_table = entity_stats(entities, stories)
    pairs = cooccurrence(entities, sentences, stories, params.get("cooccurrence", {}))
    timeline = build_timeline(dates, sentences, stories, clean_docs)
    boilerplate = boilerplate_by_document(ingest_docs, removed)
    metrics = compute_metrics(ingest_docs=ingest_docs, rejected=rejected, clean_docs=clean_docs, removed=removed,
                              sentences=sentences, entities=entities, quotes=quotes, dates=dates,
                              stories=stories, alignments=alignments, claims=claims, cooccurrence=pairs,
                              timeline=timeline, extra_tags=extra_tags)
    plots = plot_tables(entity_table, stories, boilerplate, params.get("report", {}))

    stories = write_table(stories, OUT_DIR / "stories.parquet", Stories, "aggregate/stories",
                          sort_by=["story_id", "doc_id"])
    alignments = write_table(alignments, OUT_DIR / "alignments.parquet", Alignments, "aggregate/alignments",
                             sort_by=["doc_id", "sent_id", "source_sent_id"])
    claims = write_table(claims, OUT_DIR / "claims.parquet", Claims, "aggregate/claims", sort_by=["claim_id"])
    entity_table = write_table(entity_table, OUT_DIR / "entities.parquet", EntityStats, "aggregate/entities",
                               sort_by=["entity_id"])
    pairs = write_table(pairs, OUT_DIR / "cooccurrence.parquet", Cooccurrence, "aggregate/cooccurrence",
                        sort_by=["entity_id_a", "entity_id_b"])
    timeline = write_table(timeline, OUT_DIR / "timeline.parquet", Timeline, "aggregate/timeline",
                           sort_by=["date", "date_end", "granularity", "story_id"])
    write_json(metrics, METRICS)
    for name, frame in sorted(plots.items()):
        write_text_atomic(frame.write_csv(), PLOTS_DIR / f"{name}.csv")
    page = render_report(metrics=metrics, ingest_docs=ingest_docs, rejected=rejected, clean_docs=clean_docs,
                         removed=removed, boilerplate=boilerplate, sentences=sentences, stories=stories,
                         alignments=alignments, claims=claims, entity_stats=entity_table, cooccurrence=pairs,
                         timeline=timeline, params=params.get("report", {}))
    write_text_atomic(page, REPORT)
    log(STAGE, f"{clean_docs.height} documents -> {stories['story_id'].n_unique()} stories "
               f"({metrics['stories']['copies']} copies, {metrics['stories']['truncated_copies']} truncated, "
               f"{metrics['stories']['rewrites']} rewrites), {alignments.height} aligned sentences, "
               f"{claims.height} claims, {entity_table.height} entities, {pairs.height} co-occurring pairs, "
               f"{timeline.height} timeline events; report {len(page.encode()) // 1024} KiB")


if __name__ == "__main__":
    run_stage(STAGE, main)
