"""aggregate: stories, claims, entity statistics, co-occurrence, a timeline, metrics, plots and a report.

Load every upstream table. Group documents into stories and align copies and rewrites to their source
(`stories.find_stories`), then find the statements several stories make (`claims.find_claims`). Count
entities without double-counting copies (`entity_stats`), pair entities named in one sentence
(`cooccurrence`), and build a timeline of dated events (`timeline`). Compute the headline figures and the
plot data (`metrics`) and render one self-contained HTML page (`report`). Validate and write the tables
under data/aggregate/, data/metrics.json, the plot CSVs under data/aggregate/plots/ and
data/aggregate/report.html.

Memory: each upstream table is read with only the columns this stage uses (the raw text of ingested
documents only long enough to count their lines), sentence signatures are computed once for stories and
claims, and tables are read when first needed and dropped after their last use, so the peak (the sentence
alignment) runs beside as little as possible.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import polars as pl

from schemas.aggregate import Alignments, Claims, Cooccurrence, EntityStats, Stories, Timeline
from stages.aggregate.claims import claims_params, find_claims
from stages.aggregate.cooccurrence import cooccurrence
from stages.aggregate.entity_stats import entity_stats
from stages.aggregate.memory import release_memory
from stages.aggregate.metrics import boilerplate_by_document, compute_metrics, plot_tables
from stages.aggregate.report import render_report
from stages.aggregate.stories import document_cache, find_stories, stories_params
from stages.aggregate.text_features import cached_sentence_signatures, link_types, shared_search
from stages.aggregate.timeline import build_timeline
from stages.common import (StageError, load_params, log, run_stage, write_json, write_table,
                           write_text_atomic)

STAGE = "aggregate"
DATA = Path("data")
OUT_DIR = DATA / "aggregate"
PLOTS_DIR = OUT_DIR / "plots"
METRICS = DATA / "metrics.json"
REPORT = OUT_DIR / "report.html"
# Tag tables only counted in the metrics: read when the tag stage wrote them.
EXTRA_TAGS = ("attributions", "counts", "themes")

# The columns each upstream table is read with: every column any function of this stage looks at.
COLUMNS = {
    "ingest/documents": ["doc_id", "source_path", "n_bytes", "raw_text"],
    "ingest/rejected": ["source_path", "reason", "n_bytes", "doc_id"],
    "clean/documents": ["doc_id", "title", "published_date", "text", "is_truncated"],
    "clean/removed": ["doc_id", "line_no", "text", "reason"],
    "segment/sentences": ["doc_id", "sent_id", "paragraph", "index", "text"],
    "tag/entities": ["doc_id", "sent_id", "label", "canonical", "entity_id"],
    "tag/quotes": ["doc_id", "kind", "speaker"],
    "tag/dates": ["doc_id", "sent_id", "start", "text", "date", "date_end", "granularity", "resolved"],
}


def _source(path: Path) -> str:
    """What to scan for an upstream table: one Parquet file or a folder of part files (as read_table)."""
    if path.is_dir():
        return str(path / "*.parquet")
    if not path.exists():
        raise StageError(f"{path} does not exist: run the upstream stage first (dvc repro)")
    return str(path)


def read_columns(table: str) -> pl.DataFrame:
    """An upstream table with only the columns in COLUMNS[table] that it has (in the file's order)."""
    scan = pl.scan_parquet(_source(DATA / f"{table}.parquet"))
    wanted = set(COLUMNS[table])
    return scan.select([name for name in scan.collect_schema().names() if name in wanted]).collect()


def count_rows(path: Path) -> pl.DataFrame:
    """A frame with as many rows as the table at `path` (the metrics only count extra tag tables)."""
    scan = pl.scan_parquet(_source(path))
    return scan.select(scan.collect_schema().names()[:1]).collect()


def main() -> None:
    params = load_params(STAGE) or {}
    clean_docs = read_columns("clean/documents")
    sentences = read_columns("segment/sentences")
    entities = read_columns("tag/entities")

    # One set of sentence signatures, and one search for linked sentence types, serve both the story and the
    # claim alignment. They are computed (mostly in polars, which releases the GIL) in a thread while
    # find_stories sketches documents in Python: both cores. The signatures and sketches reuse each unchanged
    # document's rows from the last run (`document_cache`).
    cache = document_cache(params)
    with ThreadPoolExecutor(max_workers=1) as background:
        pending = background.submit(cached_sentence_signatures, sentences, entities, cache)
        search = shared_search(stories_params(params), claims_params(params))
        pending_links = background.submit(lambda: link_types(pending.result(), search))
        stories, alignments = find_stories(clean_docs.select(pl.exclude("title")), sentences, entities, params,
                                           signatures=pending, links=pending_links, sketch_cache=cache)
        signatures, links = pending.result(), pending_links.result()
    clean_docs = clean_docs.drop("text", strict=False)
    release_memory()
    claims = find_claims(sentences, stories, entities, params, signatures=signatures, links=links)
    del signatures, links
    entity_table = entity_stats(entities, stories)
    pairs = cooccurrence(entities, sentences, stories, params.get("cooccurrence", {}))
    dates = read_columns("tag/dates")
    timeline = build_timeline(dates, sentences, stories, clean_docs)

    ingest_docs = read_columns("ingest/documents")
    removed = read_columns("clean/removed")
    boilerplate = boilerplate_by_document(ingest_docs, removed)
    ingest_docs = ingest_docs.drop("raw_text", strict=False)
    rejected = read_columns("ingest/rejected")
    quotes = read_columns("tag/quotes")
    extra_tags = {name: count_rows(DATA / f"tag/{name}.parquet") for name in EXTRA_TAGS
                  if (DATA / f"tag/{name}.parquet").exists()}
    metrics = compute_metrics(ingest_docs=ingest_docs, rejected=rejected, clean_docs=clean_docs, removed=removed,
                              sentences=sentences, entities=entities, quotes=quotes, dates=dates,
                              stories=stories, alignments=alignments, claims=claims, cooccurrence=pairs,
                              timeline=timeline, extra_tags=extra_tags, boilerplate=boilerplate)
    del entities, quotes, dates, extra_tags
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
