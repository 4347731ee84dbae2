"""Speed of the tag stage's rule-based extractors (counts, dates, themes, attributions, quotes), and a check
that an optimisation leaves their outputs unchanged.

    python bench/tag_extractors.py [--limit 5000] [--repeat 3] [--snapshot DIR] [--compare DIR]

Texts: the bodies of the first `--limit` Reuters-21578 records that have one (../shared/benchmarks/
reuters21578) plus the seed articles (seeds/*.txt, each non-blank line a paragraph). A Reuters body is cut
into paragraphs at a line break followed by 3+ spaces or at a blank line, whitespace is collapsed and the
paragraphs are joined by "\\n\\n" (the clean stage's text layout); sentences come from a plain regex split
(not timed). Every document gets published_date 1987-03-01 so relative dates resolve.

Entities (quotes and attributions read them): a cheap, deterministic stand-in for NER, so that the bench
needs no spaCy: runs of capitalised words not opening a sentence, labelled PERSON (two words), ORG (three
or more) or GPE (one). It only has to exercise the entity code paths the same way in every run.

Each extractor runs `--repeat` times; the best CPU time of this process (time.process_time: on a shared
machine, wall time mostly measures the neighbours) is reported with words/s (words = whitespace tokens of
the texts). `--snapshot DIR` writes every output table (DIR/<extractor>.parquet) and the timings
(DIR/timings.json); `--compare DIR` checks that every output equals the snapshot's (same rows, same order,
same values) and prints the snapshot's timings as the baseline next to this run's figures.
Exit status 1 when a comparison fails.
"""
from __future__ import annotations

import argparse
import datetime as dt
import functools
import gzip
import json
import re
import sys
import time
from pathlib import Path
from typing import Any, Callable

import polars as pl

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
REUTERS = SHARED / "benchmarks" / "reuters21578" / "reuters21578.jsonl.gz"
SEEDS = ROOT / "seeds"
sys.path.insert(0, str(ROOT))

from schemas.params import validate_section  # noqa: E402
from stages.common import read_params_file  # noqa: E402
from stages.tag.registry import EXTRACTORS, DocumentBatch, run_extractor  # noqa: E402

BASE_DATE = dt.date(1987, 3, 1)
PARAGRAPH_BREAK = re.compile(r"\n {3,}|\n[ \t]*\n")
SPACES = re.compile(r"\s+")
SENTENCE = re.compile(r"\S.*?(?:[.!?][\"”’)]*(?=\s|$)|$)")   # lazy dot-star with fixed terminators: linear
CAPITALISED_RUN = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)*")


def load_documents(limit: int) -> list[str]:
    """Clean-stage style texts: Reuters bodies (paragraphs re-joined) followed by the seed articles."""
    if not REUTERS.exists():
        sys.exit(f"bench/tag_extractors.py: {REUTERS} is missing (the ../shared benchmark folder is needed)")
    texts: list[str] = []
    with gzip.open(REUTERS, "rt", encoding="utf-8") as fh:
        for line in fh:
            if len(texts) >= limit:
                break
            body = (json.loads(line).get("body") or "").strip()
            if not body:
                continue
            paragraphs = [SPACES.sub(" ", p).strip() for p in PARAGRAPH_BREAK.split(body)]
            texts.append("\n\n".join(p for p in paragraphs if p))
    for path in sorted(SEEDS.glob("*.txt")):
        paragraphs = [SPACES.sub(" ", p).strip() for p in path.read_text(encoding="utf-8").splitlines()]
        texts.append("\n\n".join(p for p in paragraphs if p))
    return [t for t in texts if t]


def build_frames(texts: list[str]) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """docs (doc_id, text, published_date), sentences (segment contract) and stand-in entities."""
    doc_ids = [f"doc{i:05d}" for i in range(len(texts))]
    sent_cols: dict[str, list[Any]] = {k: [] for k in ("doc_id", "sent_id", "paragraph", "index", "start",
                                                       "end", "text")}
    ent_cols: dict[str, list[Any]] = {k: [] for k in ("doc_id", "sent_id", "start", "end", "text", "label",
                                                      "canonical")}
    for doc_id, text in zip(doc_ids, texts):
        pos = 0
        for paragraph_no, paragraph in enumerate(text.split("\n\n")):
            for index, m in enumerate(SENTENCE.finditer(paragraph)):
                start, end = pos + m.start(), pos + m.end()
                sent_id = f"{doc_id}:{paragraph_no}:{index}"
                for col, value in zip(sent_cols, (doc_id, sent_id, paragraph_no, index, start, end, m.group(0))):
                    sent_cols[col].append(value)
                for e in CAPITALISED_RUN.finditer(m.group(0)):
                    if e.start() == 0:
                        continue
                    n_words = e.group(0).count(" ") + 1
                    label = "GPE" if n_words == 1 else "PERSON" if n_words == 2 else "ORG"
                    for col, value in zip(ent_cols, (doc_id, sent_id, start + e.start(), start + e.end(),
                                                     e.group(0), label, e.group(0))):
                        ent_cols[col].append(value)
            pos += len(paragraph) + 2
    docs = pl.DataFrame({"doc_id": doc_ids, "text": texts, "published_date": [BASE_DATE] * len(texts)})
    sentences = pl.DataFrame(sent_cols, schema={"doc_id": pl.String, "sent_id": pl.String, "paragraph": pl.Int64,
                                                "index": pl.Int64, "start": pl.Int64, "end": pl.Int64,
                                                "text": pl.String})
    entities = pl.DataFrame(ent_cols, schema={k: pl.String if k not in ("start", "end") else pl.Int64
                                              for k in ent_cols})
    return docs, sentences, entities


def extractors(docs: pl.DataFrame, sentences: pl.DataFrame, entities: pl.DataFrame
               ) -> dict[str, Callable[[], pl.DataFrame]]:
    """Each extractor of the stage's registry over the whole corpus, with the shipped params."""
    params = validate_section("tag", read_params_file(ROOT / "params.yaml")["tag"])
    return {extractor.name: functools.partial(
                run_extractor, extractor, extractor.section(params),
                DocumentBatch(docs, sentences, entities if extractor.needs_entities else None))
            for extractor in EXTRACTORS}


def read_baseline(folder: Path, n_words: int) -> dict[str, float]:
    """The snapshot's seconds per extractor (none when it has no timings), for the same corpus only."""
    timings = folder / "timings.json"
    if not timings.exists():
        return {}
    saved = json.loads(timings.read_text())
    if saved.get("n_words") != n_words:
        sys.exit(f"snapshot was taken on {saved.get('n_words')} words, this run has {n_words}: use the same --limit")
    return saved["seconds"]


def best_of(run: Callable[[], pl.DataFrame], repeat: int) -> tuple[pl.DataFrame, float]:
    """The output and the best CPU time of `repeat` runs."""
    best, out = float("inf"), None
    for _ in range(max(1, repeat)):
        t0 = time.process_time()
        out = run()
        best = min(best, time.process_time() - t0)
    assert out is not None
    return out, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=5000, help="Reuters records with a body")
    ap.add_argument("--repeat", type=int, default=5, help="runs per extractor; the best is reported")
    ap.add_argument("--only", nargs="*", help="extractor names to run (default: all)")
    ap.add_argument("--snapshot", type=Path, help="write outputs and timings to this folder")
    ap.add_argument("--compare", type=Path, help="check outputs against this snapshot folder")
    args = ap.parse_args()

    texts = load_documents(args.limit)
    docs, sentences, entities = build_frames(texts)
    n_words = sum(len(t.split()) for t in texts)
    print(f"{docs.height} documents, {sentences.height} sentences, {n_words} words, "
          f"{entities.height} stand-in entity mentions")

    baseline = read_baseline(args.compare, n_words) if args.compare is not None else {}

    seconds: dict[str, float] = {}
    failures: list[str] = []
    if args.snapshot is not None:
        args.snapshot.mkdir(parents=True, exist_ok=True)
    header = f"{'extractor':<13} {'rows':>7} {'seconds':>9} {'words/s':>11}"
    if baseline:
        header += f" {'base s':>9} {'base w/s':>11} {'speed-up':>9} {'output':>10}"
    print(header)
    for name, run in extractors(docs, sentences, entities).items():
        if args.only and name not in args.only:
            continue
        out, best = best_of(run, args.repeat)
        seconds[name] = best
        line = f"{name:<13} {out.height:>7} {best:>9.3f} {n_words / best:>11,.0f}"
        if args.snapshot is not None:
            out.write_parquet(args.snapshot / f"{name}.parquet")
        if args.compare is not None:
            path = args.compare / f"{name}.parquet"
            same = path.exists() and (lambda s: s.schema == out.schema and s.equals(out, null_equal=True))(
                pl.read_parquet(path))
            if not same:
                failures.append(name)
            base = baseline.get(name)
            if base:
                line += f" {base:>9.3f} {n_words / base:>11,.0f} {base / best:>8.1f}x"
            else:
                line += f" {'-':>9} {'-':>11} {'-':>9}"
            line += f" {'identical' if same else 'DIFFERS':>10}"
        print(line)
    total = sum(seconds.values())
    line = f"{'all':<13} {'':>7} {total:>9.3f} {n_words / total:>11,.0f}"
    if baseline and all(n in baseline for n in seconds):
        base_total = sum(baseline[n] for n in seconds)
        line += f" {base_total:>9.3f} {n_words / base_total:>11,.0f} {base_total / total:>8.1f}x"
    print(line)
    if args.snapshot is not None:
        (args.snapshot / "timings.json").write_text(json.dumps({"n_words": n_words, "seconds": seconds}, indent=1))
    if failures:
        print(f"OUTPUTS DIFFER from {args.compare}: {', '.join(failures)}")
        sys.exit(1)
    if args.compare is not None:
        print(f"all outputs identical to {args.compare}")


if __name__ == "__main__":
    main()
