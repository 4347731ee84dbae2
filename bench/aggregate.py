"""Duplicate detection quality and speed of the aggregate stage's stories (and claims), on Reuters-21578.

    python bench/aggregate.py [--sizes 5000,10000,20000] [--repeat 2] [--sweep 0.7,0.8,0.9,0.95] [--no-claims]
    python bench/aggregate.py --template 20000 [--max-candidates 100]

--template N (issue 21's hostile case): N template-like short documents instead of Reuters, the bodies of
bench/templates.py's seeded corpus (weather, market ticker, score and obituary templates with seeded slot
values), so that thousands share most of their shingles and sentence features; printed: the story
search's wall seconds, the process's peak RSS, and the stories found. Nothing is checked against a
truth: the point is that one machine degrades gracefully (bounded candidates, near-linear memory).

Corpus: Reuters-21578 records that have a non-blank body (../shared/benchmarks/reuters21578, 19,779 of
them; a size above that takes them all and says so), in file order. Each body's hard line wraps are undone and its
indented lines become paragraphs (joined by a blank line); doc_id is the record's position as 16 hex
digits. Sentences: a plain regex split (punctuation, space, capital); entities: an empty frame. Neither
is timed.

Reference duplicate pairs (built here, from the bodies): `exact` = identical body; `normalised` = equal
after lower-casing and collapsing every run of whitespace/punctuation into one space (exact is a subset).
Predicted duplicate pairs: two documents of one near-duplicate cluster (an original and its
near_duplicates, or reprints of one copy: stories' `duplicate_of`). Printed: reference and predicted pair
counts, recall and precision against each reference; the relations found (truncated copies and
rewrites are not in the reference: listed for information). Then a sweep of stories.near_jaccard on the
smallest size (--sweep).

Baseline (same run, same corpus, same shingles): plain MinHash LSH (rensa, same num_perm/bands/seed),
candidate pairs kept when their estimated Jaccard >= near_jaccard, without containment or alignment.

Speed: wall seconds of the story search (`search_stories` without a cache: sketches, sentence signatures
and linked types in a thread, find_stories) and of the claims (their own signatures and links, then
find_claims) for each size (fastest of --repeat runs), the process CPU seconds of the story search, and each
one's ratio to the smallest size next to the size ratio: near-linear growth keeps them close. Params: the
shipped params.yaml (aggregate section), caches off.
"""
from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
REUTERS = SHARED / "benchmarks" / "reuters21578" / "reuters21578.jsonl.gz"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import polars as pl  # noqa: E402
from rensa import RMinHash, RMinHashLSH  # noqa: E402

from schemas.params import Aggregate, validate_section  # noqa: E402
from stages.aggregate.claims import find_claims  # noqa: E402
from stages.aggregate.search import Caches, search_stories  # noqa: E402
from stages.aggregate.text_features import sentence_signatures, shingles, tokens, with_entity_ids  # noqa: E402
from stages.common import read_params_file  # noqa: E402

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"A-Z0-9])")
PARAGRAPH_BREAK = re.compile(r"\n(?=[ \t])")
NORMALISE = re.compile(r"[\W_]+")
AVAILABLE = 19_779


def load_bodies() -> list[str]:
    if not REUTERS.exists():
        sys.exit(f"Reuters-21578 not found at {REUTERS} (expected ../shared next to the project)")
    bodies = []
    with gzip.open(REUTERS, "rt", encoding="utf-8") as handle:
        for line in handle:
            body = (json.loads(line).get("body") or "").strip()
            if body:
                bodies.append(body)
    return bodies


def frames(bodies: list[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    doc_rows, sentence_rows = [], []
    for number, body in enumerate(bodies):
        doc_id = f"{number:016x}"
        paragraphs = [" ".join(p.split()) for p in PARAGRAPH_BREAK.split(body)]
        paragraphs = [p for p in paragraphs if p]
        text = "\n\n".join(paragraphs)
        doc_rows.append((doc_id, text))
        offset = 0
        for p_no, paragraph in enumerate(paragraphs):
            at = 0
            for s_no, sentence in enumerate(s for s in SENTENCE_END.split(paragraph) if s):
                at = paragraph.index(sentence, at)
                sentence_rows.append((doc_id, f"{doc_id}:{p_no}:{s_no}", p_no, s_no, offset + at,
                                      offset + at + len(sentence), sentence))
                at += len(sentence)
            offset += len(paragraph) + 2
    docs = pl.DataFrame(doc_rows, schema={"doc_id": pl.String, "text": pl.String}, orient="row").with_columns(
        title=pl.lit(None, pl.String), published_date=pl.lit(None, pl.Date), is_truncated=pl.lit(False),
        site=pl.lit(None, pl.String))
    sentences = pl.DataFrame(sentence_rows, orient="row", schema={
        "doc_id": pl.String, "sent_id": pl.String, "paragraph": pl.Int64, "index": pl.Int64,
        "start": pl.Int64, "end": pl.Int64, "text": pl.String})
    return docs, sentences


NO_ENTITIES = pl.DataFrame(schema={"doc_id": pl.String, "sent_id": pl.String, "start": pl.Int64,
                                   "end": pl.Int64, "text": pl.String, "label": pl.String,
                                   "canonical": pl.String, "entity_id": pl.String})


def aggregate_params(stories: dict | None = None) -> Aggregate:
    """The shipped aggregate params with `stories` changes, the caches off (every run computes everything)."""
    section = read_params_file(ROOT / "params.yaml")["aggregate"]
    changed = {**section, "cache": False, "stories": {**section["stories"], **(stories or {})}}
    return validate_section("aggregate", changed)  # type: ignore[return-value]


def find_stories(docs: pl.DataFrame, sentences: pl.DataFrame, params: Aggregate) -> tuple[pl.DataFrame, pl.DataFrame]:
    found = search_stories(docs, sentences, NO_ENTITIES, params, Caches.of(params))
    return found.stories, found.alignments


def find_claims_alone(sentences: pl.DataFrame, stories: pl.DataFrame, params: Aggregate) -> pl.DataFrame:
    """Claims with their own signatures and linked types (what the stage shares with the story search)."""
    signatures = sentence_signatures(with_entity_ids(sentences, NO_ENTITIES))
    return find_claims(sentences, signatures, stories, params.claims)


def reference_pairs(bodies: list[str]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    def pairs_of(keys: list[str]) -> set[tuple[int, int]]:
        groups: dict[str, list[int]] = {}
        for number, key in enumerate(keys):
            groups.setdefault(key, []).append(number)
        return {pair for members in groups.values() for pair in combinations(members, 2)}
    exact = pairs_of(bodies)
    normalised = pairs_of([NORMALISE.sub(" ", b.lower()).strip() for b in bodies])
    return exact, normalised


def predicted_pairs(stories: pl.DataFrame) -> set[tuple[int, int]]:
    """Pairs of one near-duplicate cluster: an original and its near_duplicates, or the reprints of one copy
    (stories' `duplicate_of` names the cluster's head)."""
    groups = (stories.group_by(pl.coalesce("duplicate_of", "doc_id").alias("head")).agg(pl.col("doc_id").sort())
              .filter(pl.col("doc_id").list.len() > 1))
    return {(int(a, 16), int(b, 16)) for ids in groups["doc_id"].to_list() for a, b in combinations(ids, 2)}


def baseline_pairs(bodies: list[str], params: Aggregate) -> set[tuple[int, int]]:
    p = params.stories
    lists = [shingles(tokens(b), p.shingle_size) for b in bodies]
    keep = [i for i, s in enumerate(lists) if s]
    hashes = RMinHash.from_token_sets([lists[i] for i in keep], p.num_perm, p.seed)
    lsh = RMinHashLSH(p.lsh_threshold, p.num_perm, p.lsh_bands)
    lsh.insert_many(hashes)
    found = set()
    for key, candidates in enumerate(lsh.query_all(hashes)):
        for other in candidates:
            if other > key and hashes[key].jaccard(hashes[other]) >= p.near_jaccard:
                found.add((keep[key], keep[other]))
    return found


def score(predicted: set, reference: set) -> tuple[float, float]:
    hit = len(predicted & reference)
    return (hit / len(reference) if reference else 1.0), (hit / len(predicted) if predicted else 1.0)


def template_bodies(n: int) -> list[str]:
    """The bodies of bench/templates.py's corpus of `n` documents (one generator for both benches: the
    story search here, the whole pipeline there)."""
    from templates import template_corpus
    return [record["text"] for record in template_corpus(n)]


def measure_templates(n: int, max_candidates: int | None) -> None:
    import resource
    bodies = template_bodies(n)
    docs, sentences = frames(bodies)
    params = aggregate_params({"max_candidates": max_candidates} if max_candidates else None)
    started = time.perf_counter()
    stories, alignments = find_stories(docs, sentences, params)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    relations = dict(stories.group_by("relation").len().sort("relation").iter_rows())
    print(f"{n} template-like documents ({sentences.height} sentences), stories.max_candidates "
          f"{params.stories.max_candidates}: story search {seconds:.1f} s, peak RSS {peak_mb:.0f} MB; "
          f"{stories['story_id'].n_unique()} stories, relations {relations}, {alignments.height} alignments")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--template", type=int, default=None, metavar="N",
                        help="N template-like short documents instead of Reuters (time and peak RSS)")
    parser.add_argument("--max-candidates", type=int, default=None, help="stories.max_candidates for --template")
    parser.add_argument("--sizes", default="5000,10000,20000")
    parser.add_argument("--no-claims", action="store_true", help="time the story search only")
    parser.add_argument("--sweep", default="0.7,0.8,0.9,0.95",
                        help="near_jaccard values scored on the smallest size ('' to skip)")
    parser.add_argument("--repeat", type=int, default=2,
                        help="runs per size; the fastest is kept (the machine is shared)")
    args = parser.parse_args()
    if args.template:
        measure_templates(args.template, args.max_candidates)
        return
    all_bodies = load_bodies()
    sizes = [int(s) for s in args.sizes.split(",")]
    params = aggregate_params()
    timings = []
    for size in sizes:
        bodies = all_bodies[:size]
        docs, sentences = frames(bodies)
        stories_s = claims_s = base_s = stories_cpu = float("inf")
        n_claims = 0
        for _ in range(max(args.repeat, 1)):
            started, started_cpu = time.perf_counter(), time.process_time()
            stories, alignments = find_stories(docs, sentences, params)
            stories_s = min(stories_s, time.perf_counter() - started)
            stories_cpu = min(stories_cpu, time.process_time() - started_cpu)
            if not args.no_claims:
                started = time.perf_counter()
                claims = find_claims_alone(sentences, stories, params)
                claims_s, n_claims = min(claims_s, time.perf_counter() - started), claims.height
            started = time.perf_counter()
            base = baseline_pairs(bodies, params)
            base_s = min(base_s, time.perf_counter() - started)
        if args.no_claims:
            claims_s = float("nan")
        timings.append((len(bodies), sentences.height, stories_s, stories_cpu, claims_s, base_s))

        exact, normalised = reference_pairs(bodies)
        ours = predicted_pairs(stories)
        relations = dict(stories.group_by("relation").len().sort("relation").iter_rows())
        print(f"\n== {len(bodies)} documents ({sentences.height} sentences"
              f"{'; all that have a body' if size > AVAILABLE else ''})")
        print(f"reference pairs: exact {len(exact)}, normalised {len(normalised)}; "
              f"documents in a normalised pair: {len({d for p in normalised for d in p})}")
        print(f"{'':28}{'pairs':>8}{'R exact':>9}{'P exact':>9}{'R norm':>9}{'P norm':>9}")
        for name, found in (("baseline minhash-lsh", base), ("ours (duplicate clusters)", ours)):
            r_exact, p_exact = score(found, exact)
            r_norm, p_norm = score(found, normalised)
            print(f"{name:28}{len(found):>8}{r_exact:>9.3f}{p_exact:>9.3f}{r_norm:>9.3f}{p_norm:>9.3f}")
        print(f"relations: {relations}; alignments {alignments.height}; claims {n_claims}")

    if args.sweep:
        bodies = all_bodies[:sizes[0]]
        docs, sentences = frames(bodies)
        exact, normalised = reference_pairs(bodies)
        print(f"\nnear_jaccard sweep on {len(bodies)} documents (pairs outside the normalised reference are "
              f"mostly edited resends: they are near-duplicates the reference cannot see)")
        print(f"{'near_jaccard':>12}{'pairs':>8}{'R exact':>9}{'P exact':>9}{'R norm':>9}{'P norm':>9}")
        for value in [float(v) for v in args.sweep.split(",")]:
            stories, _ = find_stories(docs, sentences, aggregate_params({"near_jaccard": value}))
            found = predicted_pairs(stories)
            r_exact, p_exact = score(found, exact)
            r_norm, p_norm = score(found, normalised)
            print(f"{value:>12.2f}{len(found):>8}{r_exact:>9.3f}{p_exact:>9.3f}{r_norm:>9.3f}{p_norm:>9.3f}")

    first = timings[0]
    print(f"\n{'documents':>10}{'sentences':>11}{'size x':>8}{'stories s':>11}{'x':>7}{'cpu s':>8}{'x':>7}"
          f"{'claims s':>10}{'x':>7}{'baseline s':>12}{'x':>7}")
    for n_docs, n_sents, stories_s, stories_cpu, claims_s, base_s in timings:
        print(f"{n_docs:>10}{n_sents:>11}{n_docs / first[0]:>8.2f}{stories_s:>11.2f}{stories_s / first[2]:>7.2f}"
              f"{stories_cpu:>8.2f}{stories_cpu / first[3]:>7.2f}{claims_s:>10.2f}{claims_s / first[4]:>7.2f}"
              f"{base_s:>12.2f}{base_s / first[5]:>7.2f}")
    print("(wall seconds, fastest of --repeat runs; cpu s = process CPU seconds of the story search, all threads:"
          " the work done, less sensitive to other load on a shared machine)")


if __name__ == "__main__":
    main()
