"""Article-body quality and speed of the clean stage, next to the unprocessed text, in one run.

    python bench/clean.py [--html] [--reuters N] [--set key=value ...] [--show-worst K]

Quality: ../shared/benchmarks/article_extraction (111 real pages): `texts/ID.txt` (what a plain-text
scraper returns) or, with --html, `html/ID.html.gz` through `stages.ingest.records.html_to_record` (the frame
ingest would build: trafilatura text + metadata). Every page goes through `clean_corpus` in one call
(corpus repetition counts need the corpus), and the clean `text` is scored against the hand-extracted
body in gold.jsonl with the benchmark's metric (README.md there): multisets of 4-token shingles of `\\w+`
tokens, per-page precision/recall (1 when both sides are empty), averaged, F1 of the averages.

Printed side by side: the unprocessed input (raw_text) and clean's text, on all pages and on two fixed
halves (split by page id: 'tune' = ids whose first hex digit is < 8, 'check' = the rest), so that a setting
tuned on one half can be checked on the other. Speed: MB of raw_text per second of `clean_corpus` after a
one-page warm-up (model loading excluded; run with POLARS_MAX_THREADS=1 for one core), and with --reuters N
also on N Reuters-21578 bodies (the pipeline's scale corpus).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
BENCH = SHARED / "benchmarks" / "article_extraction"
REUTERS = SHARED / "benchmarks" / "reuters21578" / "reuters21578.jsonl.gz"
sys.path.insert(0, str(ROOT))

TOKEN = re.compile(r"\w+")


def shingles(text: str, size: int = 4) -> Counter:
    tokens = TOKEN.findall(text)
    return Counter(tuple(tokens[i:i + size]) for i in range(max(0, len(tokens) - size + 1)))


def page_scores(predicted: str, gold: str) -> tuple[float, float]:
    """(precision, recall) of one page with the benchmark's conventions."""
    pred, true = shingles(predicted), shingles(gold)
    tp = sum((pred & true).values())
    fp = sum((pred - true).values())
    fn = sum((true - pred).values())
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    total = tp + fp + fn
    tp, fp, fn = tp / total, fp / total, fn / total
    precision = 0.0 if tp + fp == 0 else tp / (tp + fp)
    recall = 0.0 if tp + fn == 0 else tp / (tp + fn)
    return precision, recall


def corpus_scores(pairs: list[tuple[str, str]]) -> tuple[float, float, float]:
    if not pairs:
        return 0.0, 0.0, 0.0
    scores = [page_scores(p, g) for p, g in pairs]
    precision = sum(s[0] for s in scores) / len(scores)
    recall = sum(s[1] for s in scores) / len(scores)
    f1 = 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)
    return precision, recall, f1


def parse_value(value: str):
    for cast in (int, float):
        try:
            return cast(value)
        except ValueError:
            pass
    if value.lower() in ("true", "false"):
        return value.lower() == "true"
    return value


def load_pages(use_html: bool) -> tuple[list[dict], dict[str, str]]:
    import polars as pl  # noqa: F401  (imported here so --help works without the venv)
    from stages.ingest.decode import normalise_text
    from stages.ingest.records import empty_meta, html_to_record
    gold = {}
    with open(BENCH / "gold.jsonl", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            gold[record["id"]] = record["article_body"]
    rows = []
    for page_id in sorted(gold):
        if use_html:
            data = gzip.decompress((BENCH / "html" / f"{page_id}.html.gz").read_bytes())
            html = data.decode("utf-8", errors="replace")
            try:
                record = html_to_record(html)
            except Exception as err:  # ingest would reject the page: score it as empty
                print(f"  {page_id[:12]}: ingest rejects it ({err})", file=sys.stderr)
                record = {"raw_text": "", **empty_meta()}
            fmt = "html"
        else:
            data = (BENCH / "texts" / f"{page_id}.txt").read_bytes()
            record = {"raw_text": data.decode("utf-8", errors="replace"), **empty_meta()}
            fmt = "txt"
        rows.append({"doc_id": hashlib.sha256(data).hexdigest()[:16], "source_path": page_id,
                     "source_format": fmt, "n_bytes": len(data), "encoding": "utf-8",
                     **record, "raw_text": normalise_text(record["raw_text"])})
    return rows, gold


def documents_frame(rows: list[dict]):
    """The ingest documents frame clean reads (its INPUT_COLUMNS), from rows holding them."""
    import polars as pl
    from stages.clean.corpus import INPUT_COLUMNS
    schema = {column: pl.List(pl.String) if column == "meta_authors" else pl.String for column in INPUT_COLUMNS}
    return pl.DataFrame([{column: row[column] for column in INPUT_COLUMNS} for row in rows], schema=schema)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--html", action="store_true", help="pages from html/ through ingest's extractor")
    parser.add_argument("--reuters", type=int, default=0, help="also time N Reuters-21578 bodies")
    parser.add_argument("--set", nargs="*", default=[], help="param overrides key=value")
    parser.add_argument("--show-worst", type=int, default=0, help="list the K pages with the lowest F1")
    args = parser.parse_args()
    if not (BENCH / "gold.jsonl").is_file():
        sys.exit(f"benchmark not found: {BENCH} (the shared folder is next to the project)")

    from schemas.params import validate_section
    from stages.clean.corpus import clean_corpus
    from stages.common import read_params_file

    # The shipped params.yaml's clean section, with the --set changes (checked like the stage's own).
    changes = dict(item.partition("=")[::2] for item in args.set)
    params = validate_section("clean", {**read_params_file(ROOT / "params.yaml")["clean"],
                                        **{key: parse_value(value) for key, value in changes.items()}})

    rows, gold = load_pages(args.html)
    docs = documents_frame(rows)
    n_bytes = sum(len(r["raw_text"].encode("utf-8")) for r in rows)
    # Warm-up on one page: loading py3langid's model and the cue file is a one-time cost, not throughput.
    clean_corpus(docs.head(1), params)
    started, cpu_started = time.perf_counter(), time.process_time()
    documents, removed = clean_corpus(docs, params)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    text_of = dict(zip(documents["doc_id"].to_list(), documents["text"].to_list()))

    halves = {"all": lambda pid: True, "tune": lambda pid: pid[0] < "8", "check": lambda pid: pid[0] >= "8"}
    source = "html/ via html_to_record" if args.html else "texts/"
    print(f"article_extraction ({source}), {len(rows)} pages; precision / recall / F1")
    print(f"{'pages':<8}{'n':>5}  {'unprocessed raw_text':>24}  {'clean':>24}")
    for name, keep in halves.items():
        subset = [r for r in rows if keep(r["source_path"])]
        raw = corpus_scores([(r["raw_text"], gold[r["source_path"]]) for r in subset])
        ours = corpus_scores([(text_of[r["doc_id"]], gold[r["source_path"]]) for r in subset])
        print(f"{name:<8}{len(subset):>5}  {raw[0]:>7.3f} {raw[1]:>7.3f} {raw[2]:>8.3f}  "
              f"{ours[0]:>7.3f} {ours[1]:>7.3f} {ours[2]:>8.3f}")
    print(f"speed: {n_bytes / 1e6:.2f} MB in {seconds:.2f} s wall = {n_bytes / 1e6 / seconds:.2f} MB/s; "
          f"{cpu_seconds:.2f} s CPU = {n_bytes / 1e6 / cpu_seconds:.2f} MB/s per CPU second "
          f"({removed.height} lines removed)")
    print("reasons: " + ", ".join(f"{r}={c}" for r, c in
                                  removed.group_by("reason").len().sort("len", descending=True).iter_rows()))
    if args.show_worst:
        scored = []
        for r in rows:
            p, rc = page_scores(text_of[r["doc_id"]], gold[r["source_path"]])
            f = 0.0 if p + rc == 0 else 2 * p * rc / (p + rc)
            scored.append((f, p, rc, r["source_path"]))
        for f, p, rc, pid in sorted(scored)[:args.show_worst]:
            print(f"  F1 {f:.3f}  P {p:.3f}  R {rc:.3f}  {pid}")

    if args.reuters:
        if not REUTERS.is_file():
            sys.exit(f"Reuters corpus not found: {REUTERS}")
        records = []
        with gzip.open(REUTERS, "rt", encoding="utf-8") as handle:
            for line in handle:
                record = json.loads(line)
                if record.get("body"):
                    records.append({"doc_id": hashlib.sha256(line.encode()).hexdigest()[:16],
                                    "source_path": f"reuters#{record['newid']}", "source_format": "jsonl",
                                    "n_bytes": len(line), "encoding": "utf-8", "raw_text": record["body"],
                                    "meta_title": record.get("title"), "meta_description": None,
                                    "meta_authors": [], "meta_date": None, "meta_site": None,
                                    "meta_url": None})
                if len(records) >= args.reuters:
                    break
        frame = documents_frame(records).unique("doc_id", keep="first")
        n_bytes = sum(len(t.encode("utf-8")) for t in frame["raw_text"].to_list())
        started, cpu_started = time.perf_counter(), time.process_time()
        out, removed = clean_corpus(frame, params)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
        kept = sum(len(t) for t in out["text"].to_list())
        raw_chars = sum(len(t) for t in frame["raw_text"].to_list())
        print(f"reuters: {frame.height} bodies, {n_bytes / 1e6:.2f} MB in {seconds:.2f} s wall = "
              f"{n_bytes / 1e6 / seconds:.2f} MB/s, {n_bytes / 1e6 / cpu_seconds:.2f} MB/s per CPU second; "
              f"kept {kept / raw_chars:.1%} of the characters; removed "
              + ", ".join(f"{r}={c}" for r, c in removed.group_by("reason").len()
                          .sort("len", descending=True).head(8).iter_rows()))


if __name__ == "__main__":
    main()
