"""Sentence splitting: accuracy on the Golden Rules and speed on Reuters, ours next to pySBD, in one run.

    python bench/segment.py [--limit 0] [--baseline-limit 1500] [--repeat 3]

Accuracy: the 48 English Golden Rules (../shared/benchmarks/golden_rules/english.jsonl); a case passes when
the list of sentences equals `expected` exactly after stripping whitespace (the benchmark's README).

Speed: the Reuters-21578 bodies (../shared/benchmarks/reuters21578/reuters21578.jsonl.gz, field "body"),
cut into paragraphs at the indented lines, each paragraph's lines joined with spaces into plain prose, the
"Reuter" sign-off dropped. Words are whitespace-separated tokens. pySBD is slow, so both splitters are
timed on the same first `--baseline-limit` bodies (the side-by-side figure and the ratio); ours is also
timed on all bodies (`--limit 0`) as the large-text figure. Timings are the best of `--repeat` runs.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
GOLDEN = SHARED / "benchmarks" / "golden_rules" / "english.jsonl"
REUTERS = SHARED / "benchmarks" / "reuters21578" / "reuters21578.jsonl.gz"
sys.path.insert(0, str(ROOT))

from schemas.params import validate_section  # noqa: E402
from stages.common import read_params_file  # noqa: E402
from stages.segment.sentences import lexicon_file, load_lexicon, split_sentences  # noqa: E402

PARAMS = validate_section("segment", read_params_file(ROOT / "params.yaml")["segment"])   # the shipped params
LEXICON = load_lexicon(lexicon_file(PARAMS))

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]+|\n\s*\n")   # Reuters indents each new paragraph
_SPACES = re.compile(r"\s+")


def load_paragraphs(limit: int) -> list[list[str]]:
    """Paragraphs (plain prose, one line each) of the first `limit` Reuters bodies (0 = all), per body."""
    bodies: list[list[str]] = []
    with gzip.open(REUTERS, "rt", encoding="utf-8") as fh:
        for line in fh:
            body = (json.loads(line).get("body") or "").strip()
            if not body:
                continue
            paragraphs = [_SPACES.sub(" ", p).strip() for p in _PARAGRAPH_BREAK.split(body)]
            bodies.append([p for p in paragraphs if p and p.lower() != "reuter"])
            if limit and len(bodies) >= limit:
                break
    return bodies


def ours(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text, PARAMS, LEXICON)]


def make_pysbd():
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False)
    return lambda text: segmenter.segment(text)


def golden_score(split) -> tuple[int, list[int]]:
    passed, failed = 0, []
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        got = [s.strip() for s in split(case["text"]) if s.strip()]
        if got == [s.strip() for s in case["expected"]]:
            passed += 1
        else:
            failed.append(case["id"])
    return passed, failed


def words_per_second(split, paragraphs: list[str], repeat: int) -> tuple[float, int, float]:
    """(words/s, sentences, seconds): best of `repeat` timed passes over all paragraphs."""
    n_words = sum(len(p.split()) for p in paragraphs)
    best, n_sentences = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        n_sentences = sum(len(split(p)) for p in paragraphs)
        best = min(best, time.perf_counter() - started)
    return n_words / best, n_sentences, best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=0, help="Reuters bodies for our large-text figure (0 = all)")
    parser.add_argument("--baseline-limit", type=int, default=1500, help="bodies timed for both splitters")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for path in (GOLDEN, REUTERS):
        if not path.is_file():
            sys.exit(f"bench/segment.py: {path} not found: the benchmarks live in ../shared next to the project")

    baseline = make_pysbd()
    print("Golden Rules (48 English cases, exact match after stripping)")
    for name, split in (("ours", ours), ("pySBD", baseline)):
        passed, failed = golden_score(split)
        print(f"  {name:6s} {passed}/48   failed: {failed}")

    bodies = load_paragraphs(args.limit)
    everything = [p for body in bodies for p in body]
    shared = [p for body in bodies[:args.baseline_limit] for p in body]
    n_shared_words = sum(len(p.split()) for p in shared)
    print(f"\nSpeed on the first {min(args.baseline_limit, len(bodies))} Reuters bodies "
          f"({len(shared)} paragraphs, {n_shared_words} words), best of {args.repeat}")
    ours_wps, ours_sents, ours_s = words_per_second(ours, shared, args.repeat)
    base_wps, base_sents, base_s = words_per_second(baseline, shared, 1 if args.repeat < 3 else 2)
    print(f"  {'ours':6s} {ours_wps:12,.0f} words/s  {ours_s:7.3f} s  {ours_sents} sentences")
    print(f"  {'pySBD':6s} {base_wps:12,.0f} words/s  {base_s:7.3f} s  {base_sents} sentences")
    print(f"  ours / pySBD: {ours_wps / base_wps:.1f}x words/s")

    all_wps, all_sents, all_s = words_per_second(ours, everything, args.repeat)
    n_words = sum(len(p.split()) for p in everything)
    print(f"\nOurs on all {len(bodies)} Reuters bodies ({len(everything)} paragraphs, {n_words} words): "
          f"{all_wps:,.0f} words/s, {all_s:.3f} s, {all_sents} sentences")


if __name__ == "__main__":
    main()
