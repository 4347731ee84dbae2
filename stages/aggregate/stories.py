"""Stories: which documents are copies of which, and which report a story of their own.

Scraped coverage of one event holds three kinds of copies of an original article:
- near_duplicate: a syndicated reprint; most word 5-shingles are shared (Jaccard >= `near_jaccard`).
- truncated_copy: a paywall-cut copy; its shingles are mostly inside the full article (containment
  |A & B| / |A| >= `containment_threshold`) while Jaccard stays low because the copy is much shorter.
- rewrite: a content-farm paraphrase; it shares almost no 5-shingles, but its sentences align, in the
  source's order, with source sentences on content-word lemmas, entities and numbers (share of its
  sentences in the longest order-preserving alignment chain >= `rewrite_share`).

Candidate document pairs come from two near-linear searches: MinHash LSH over shingles (rensa; catches
reprints) and the sentence alignment index of `text_features.align_sentences` (catches truncated copies
and rewrites: pairs whose aligned sentences cover >= `candidate_share` of one side). Each candidate pair is
then measured exactly (shingle-set Jaccard and containment, aligned share).

Grouping never chains: documents are visited most-original first (not a cut copy; earliest
published_date; longest; doc_id).
1. Near-duplicate clusters: each document joins the most similar earlier cluster head it is a
   near-duplicate of, or heads a cluster (`duplicate_of` = its head, null for heads).
2. Stories: each cluster head attaches to the best earlier story original it copies (near_duplicate >
   truncated_copy > rewrite, then higher score), or becomes an original itself; its cluster follows it.
   A story of one document is `unique`, the head of a larger one `original`.
So two articles on the same topic that share no reporting (different rounds of talks) stay apart, every
source_doc_id is its story's original, and the reprints of a rewrite stay recognisable as one text
(same `duplicate_of`) while each is labelled against the original (rewrite).

Extra columns: jaccard, containment (share of this document's shingles in the source), aligned_share
(share of its non-trivial sentences in the ordered chain) against the source (1.0 for originals and
unique documents), story_size, duplicate_of.
"""
from __future__ import annotations

import bisect
import importlib.metadata
import pickle
from concurrent.futures import Future
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import polars as pl
from rensa import RMinHash, RMinHashLSH

from stages.aggregate.text_features import (TypeLinks, align_sentences, alignment_params, sentence_signatures,
                                            shingles, tokens)
from stages.common import DocumentRowsCache, code_fingerprint, document_keys

DEFAULTS: dict[str, Any] = {
    "shingle_size": 5,             # words per shingle
    "num_perm": 128,               # MinHash permutations
    "lsh_bands": 32,               # LSH bands (rows per band = num_perm / bands; ~0.42 Jaccard midpoint)
    "lsh_threshold": 0.5,          # rensa's threshold argument (candidates come from the bands)
    "seed": 42,                    # MinHash seed (fixed: same signatures on every run)
    "near_jaccard": 0.8,           # shingle Jaccard at or above: near_duplicate
    "containment_threshold": 0.5,  # share of the copy's shingles inside the source: truncated_copy
    "truncated_max_length_ratio": 0.8,  # a truncated copy has at most this share of the source's shingles
    "rewrite_share": 0.3,          # share of the copy's sentences in the ordered alignment chain: rewrite
    "rewrite_min_sentences": 3,    # ... and at least this many sentences in the chain
    "candidate_share": 0.2,        # sentence-aligned document pairs measured further
}
# Sentence alignment for stories accepts looser paraphrases than claims do: the order-preserving chain
# filters chance matches that a single sentence pair cannot.
ALIGNMENT_OVERRIDES: dict[str, Any] = {"paraphrase_threshold": 0.25}

RELATION_RANK = {"near_duplicate": 0, "truncated_copy": 1, "rewrite": 2}

STORIES_SCHEMA = {"doc_id": pl.String, "story_id": pl.String, "relation": pl.String,
                  "source_doc_id": pl.String, "similarity": pl.Float64, "jaccard": pl.Float64,
                  "containment": pl.Float64, "aligned_share": pl.Float64, "story_size": pl.Int64,
                  "duplicate_of": pl.String}
ALIGNMENTS_SCHEMA = {"doc_id": pl.String, "sent_id": pl.String, "source_doc_id": pl.String,
                     "source_sent_id": pl.String, "similarity": pl.Float64, "method": pl.String}


def document_cache(params: dict[str, Any]) -> DocumentRowsCache:
    """The persistent cache of per-document results (MinHash sketches, sentence signatures; params `cache`,
    `cache_dir`), named by a fingerprint of this package's code and data, the story params and rensa's
    version."""
    inputs = {"stories": stories_params(params), "rensa": importlib.metadata.version("rensa")}
    return DocumentRowsCache(params.get("cache_dir", ".cache/aggregate"),
                             code_fingerprint(Path(__file__).resolve().parent, inputs),
                             enabled=params.get("cache", True))


def stories_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """Resolved knobs of params['stories'] (the aggregate section is passed whole)."""
    section = (params or {}).get("stories") or {}
    resolved = {key: section.get(key, default) for key, default in DEFAULTS.items()}
    resolved.update(alignment_params(section, ALIGNMENT_OVERRIDES))
    return resolved


SKETCH_SCHEMA = {"doc_id": pl.String, "n_words": pl.Int64, "hashes": pl.Binary, "minhash": pl.Binary}


def sketch_documents(doc_ids: list[str], texts: list[str], p: dict[str, Any]) -> pl.DataFrame:
    """One row per document: word count, its shingles' hash set (sorted uint64 bytes) and its pickled MinHash
    (null when it has no shingle). A pure function of each text: `find_stories` may reuse rows by content.

    One document at a time, so the shingle strings never all sit in memory."""
    num_perm, seed = int(p["num_perm"]), int(p["seed"])
    rows: dict[str, list[Any]] = {name: [] for name in SKETCH_SCHEMA}
    for doc_id, text in zip(doc_ids, texts):
        words = tokens(text)
        text_shingles = shingles(words, int(p["shingle_size"]))
        minhash = None
        if text_shingles:
            hashes = RMinHash.hash_token_sets([text_shingles])[0]
            hash_set = np.unique(np.fromiter(hashes, dtype=np.uint64, count=len(hashes)))
            sketch = RMinHash(num_perm, seed)
            sketch.update(text_shingles)
            minhash = pickle.dumps(sketch, protocol=pickle.HIGHEST_PROTOCOL)
        else:
            hash_set = np.empty(0, dtype=np.uint64)
        rows["doc_id"].append(doc_id)
        rows["n_words"].append(len(words))
        rows["hashes"].append(hash_set.tobytes())
        rows["minhash"].append(minhash)
    return pl.DataFrame(rows, schema=SKETCH_SCHEMA)


def _candidates(sketches: pl.DataFrame, p: dict[str, Any]) -> tuple[list[np.ndarray], list[int], set[tuple[int, int]]]:
    """(shingle hash set per document, word count per document, LSH candidate pairs), in `sketches`' order.

    The MinHash sketches go into rensa's LSH index (bands of num_perm / lsh_bands rows), and pairs that share
    a band are the candidates."""
    hash_sets = [np.frombuffer(raw, dtype=np.uint64) for raw in sketches["hashes"].to_list()]
    n_words = sketches["n_words"].to_list()
    sketched: list[int] = []
    minhashes: list[RMinHash] = []
    for number, raw in enumerate(sketches["minhash"].to_list()):
        if raw is not None:
            sketched.append(number)
            minhashes.append(pickle.loads(raw))   # written by sketch_documents (this stage's own cache)
    pairs: set[tuple[int, int]] = set()
    if len(minhashes) >= 2:
        lsh = RMinHashLSH(float(p["lsh_threshold"]), int(p["num_perm"]), int(p["lsh_bands"]))
        lsh.insert_many(minhashes)
        for key, found in enumerate(lsh.query_all(minhashes)):
            for other in found:
                if other != key:
                    a, b = sketched[key], sketched[other]
                    pairs.add((min(a, b), max(a, b)))
    return hash_sets, n_words, pairs


def _ordered_chain(edges: list[tuple[int, int]]) -> int:
    """Longest chain of (copy position, source position) edges with both positions strictly increasing:
    sentences that follow the source's order, each source sentence used once (so one generic source
    sentence cannot vouch for many copy sentences)."""
    by_copy: dict[int, list[int]] = {}
    for copy_pos, source_pos in edges:
        by_copy.setdefault(copy_pos, []).append(source_pos)
    tails: list[int] = []
    for copy_pos in sorted(by_copy):
        # Descending within one copy sentence, so that it never extends a chain ending in itself.
        for source_pos in sorted(set(by_copy[copy_pos]), reverse=True):
            at = bisect.bisect_left(tails, source_pos)
            if at == len(tails):
                tails.append(source_pos)
            else:
                tails[at] = source_pos
    return len(tails)


def _n_common(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sorted arrays of unique values share (np.intersect1d's size, without its
    concatenate-and-sort): each value of the shorter is looked up in the longer by binary search."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return 0
    at = np.searchsorted(b, a)
    at[at == len(b)] = 0
    return int(np.count_nonzero(b[at] == a))


def shingle_overlaps(shingle_sets: list[np.ndarray], pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], int]:
    """Shared shingles of each (a, b) pair, a < b (the stage works them out for the MinHash candidates
    while the sentence alignment still runs in its thread)."""
    return {(a, b): _n_common(shingle_sets[a], shingle_sets[b]) for a, b in pairs}


class _Measures:
    """Exact measures of a directed document pair (copy x, source y), each computed once when first asked.

    `overlaps` holds shingle intersections already counted (`shingle_overlaps`); the others are counted
    when first needed. The ordered sentence chain (the costlier measure) is worked out only for pairs whose
    shingles do not already decide their relation."""

    def __init__(self, shingle_sets: list[np.ndarray], n_sentences: list[int],
                 edges: dict[tuple[int, int], list[tuple[int, int]]], p: dict[str, Any],
                 overlaps: dict[tuple[int, int], int] | None = None) -> None:
        self.shingle_sets, self.n_sentences, self.edges, self.p = shingle_sets, n_sentences, edges, p
        self.overlaps = overlaps if overlaps is not None else {}
        self.shingle_cache: dict[tuple[int, int], tuple[float, float]] = {}
        self.chain_cache: dict[tuple[int, int], tuple[float, float]] = {}

    def shingles(self, x: int, y: int) -> tuple[float, float]:
        """(jaccard, containment of x's shingles in y's)."""
        found = self.shingle_cache.get((x, y))
        if found is None:
            a, b = self.shingle_sets[x], self.shingle_sets[y]
            pair = (x, y) if x < y else (y, x)
            inter = self.overlaps.get(pair)
            if inter is None:
                inter = self.overlaps[pair] = _n_common(a, b)
            union = len(a) + len(b) - inter
            found = self.shingle_cache[(x, y)] = (inter / union if union else 0.0, inter / len(a) if len(a) else 0.0)
        return found

    def aligned(self, x: int, y: int) -> tuple[float, float]:
        """(aligned_share, chain): x's sentences in the ordered chain with y's, as a share and a count."""
        found = self.chain_cache.get((x, y))
        if found is None:
            chain = _ordered_chain(self.edges.get((x, y), []))
            share = min(chain / self.n_sentences[x], 1.0) if self.n_sentences[x] else 0.0
            found = self.chain_cache[(x, y)] = (share, float(chain))
        return found

    def __call__(self, x: int, y: int) -> dict[str, float]:
        jaccard, containment = self.shingles(x, y)
        aligned_share, chain = self.aligned(x, y)
        return {"jaccard": jaccard, "containment": containment, "aligned_share": aligned_share, "chain": chain}

    def relation(self, x: int, y: int) -> tuple[str, float] | None:
        """How x copies y, with the score that decided it; None when it does not."""
        p = self.p
        jaccard, containment = self.shingles(x, y)
        if jaccard >= p["near_jaccard"]:
            return "near_duplicate", jaccard
        if self.is_cut_from(x, y):
            return "truncated_copy", containment
        aligned_share, chain = self.aligned(x, y)
        if aligned_share >= p["rewrite_share"] and chain >= p["rewrite_min_sentences"]:
            return "rewrite", aligned_share
        return None

    def is_cut_from(self, x: int, y: int) -> bool:
        """Whether x is a truncated copy of y (`relation(x, y)` says truncated_copy), from shingles alone."""
        jaccard, containment = self.shingles(x, y)
        return (jaccard < self.p["near_jaccard"] and containment >= self.p["containment_threshold"]
                and len(self.shingle_sets[x]) <= self.p["truncated_max_length_ratio"] * len(self.shingle_sets[y]))


def find_stories(docs: pl.DataFrame, sentences: pl.DataFrame, entities: pl.DataFrame,
                 params: dict[str, Any],
                 signatures: pl.DataFrame | Future[pl.DataFrame] | None = None,
                 links: TypeLinks | Future[TypeLinks] | None = None,
                 sketch_cache: DocumentRowsCache | None = None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(stories, alignments): one row per document, and the sentence pairs behind each copy or rewrite.

    `signatures` is `sentence_signatures(sentences, entities)` when the caller already has it (sent_id is
    unique, so the signatures of the documents in `docs` are its rows of those documents), or a Future of it;
    `links` likewise `link_types(signatures, ...)` (used when they serve the story params and cover exactly
    `docs`). The caller may compute both in a thread while the documents are sketched here (polars releases
    the GIL, so the two share both cores). With `sketch_cache`, a document whose text is unchanged since the
    last run reuses its MinHash sketch."""
    p = stories_params(params)
    if docs.is_empty():
        return pl.DataFrame(schema=STORIES_SCHEMA), pl.DataFrame(schema=ALIGNMENTS_SCHEMA)
    docs = docs.unique("doc_id", keep="first").sort("doc_id")
    doc_ids: list[str] = docs["doc_id"].to_list()
    index = {d: i for i, d in enumerate(doc_ids)}
    texts = docs["text"].fill_null("").to_list()
    dates = docs["published_date"].to_list() if "published_date" in docs.columns else [None] * len(doc_ids)
    cut = (docs["is_truncated"].fill_null(False).to_list() if "is_truncated" in docs.columns
           else [False] * len(doc_ids))

    if sketch_cache is None:
        sketches = sketch_documents(doc_ids, texts, p)
    else:
        keys = document_keys(docs.select("doc_id", pl.col("text").fill_null("")))
        text_of = dict(zip(doc_ids, texts))
        sketches, _ = sketch_cache.run(
            "sketches", keys, lambda ids: sketch_documents(ids.to_list(), [text_of[d] for d in ids.to_list()], p))
        sketches = sketches.sort("doc_id")   # the order of doc_ids (sorted, unique)
    shingle_sets, n_words, candidates = _candidates(sketches, p)
    del sketches
    overlaps = shingle_overlaps(shingle_sets, sorted(candidates))

    # Sentence alignment across all documents (only those in `docs`).
    if not sentences.is_empty():
        sentences = sentences.filter(pl.col("doc_id").is_in(doc_ids))
    if isinstance(signatures, Future):
        signatures = signatures.result()
    if isinstance(links, Future):
        links = links.result()
    if signatures is None:
        signatures = sentence_signatures(sentences, entities)
    elif signatures.select(pl.col("doc_id").is_in(doc_ids).all()).item() is False:
        signatures, links = signatures.filter(pl.col("doc_id").is_in(doc_ids)), None
    # Sentences repeated by many documents are paired with their copies in the likeliest originals first.
    likely_original = sorted(range(len(doc_ids)), key=lambda x: (bool(cut[x]), dates[x] is None, dates[x] or 0,
                                                                 -n_words[x], doc_ids[x]))
    doc_rank = pl.DataFrame({"doc_id": [doc_ids[x] for x in likely_original],
                             "rank": list(range(len(doc_ids)))}, schema={"doc_id": pl.String, "rank": pl.Int64})
    aligned = align_sentences(signatures, p, doc_rank, links=links)
    counted = signatures.filter(pl.col("n_content") >= p["min_content_words"]).group_by("doc_id").len()
    n_sentences = [0] * len(doc_ids)
    for doc, n in counted.iter_rows():
        n_sentences[index[doc]] = n
    # Both directions: (copy doc, copy sent) -> (source doc, source sent).
    directed = pl.concat([
        aligned.select(doc="doc_id_a", sent="sent_id_a", src_doc="doc_id_b", src_sent="sent_id_b",
                       similarity="similarity", method="method"),
        aligned.select(doc="doc_id_b", sent="sent_id_b", src_doc="doc_id_a", src_sent="sent_id_a",
                       similarity="similarity", method="method")])
    # Each sentence's position in its document, joined on in polars (not looked up sentence by sentence).
    edges: dict[tuple[int, int], list[tuple[int, int]]] = {}
    if not directed.is_empty():
        position = (sentences.sort("doc_id", "paragraph", "index")
                    .select("sent_id", pos=pl.int_range(pl.len()).over("doc_id")))
        numbers = pl.DataFrame({"doc": doc_ids, "x": range(len(doc_ids)), "n_x": n_sentences},
                               schema={"doc": pl.String, "x": pl.Int64, "n_x": pl.Int64})
        pairs = (directed.select("doc", "sent", "src_doc", "src_sent")
                 .join(position, left_on="sent", right_on="sent_id")
                 .join(position.rename({"pos": "src_pos"}), left_on="src_sent", right_on="sent_id")
                 .group_by("doc", "src_doc").agg("pos", "src_pos", n_sents=pl.col("sent").n_unique())
                 .join(numbers, on="doc").join(numbers.select(src_doc="doc", y="x"), on="src_doc")
                 .with_columns(a=pl.min_horizontal("x", "y"), b=pl.max_horizontal("x", "y")))
        del position
        # Pairs whose aligned sentences cover enough of one side are candidates too.
        shared = pairs.filter(pl.col("n_sents") >= p["candidate_share"] * pl.max_horizontal("n_x", 1))
        candidates.update(shared.select("a", "b").iter_rows())
        # Only candidate pairs are ever measured: only their (many small) edge lists become Python lists.
        wanted = pl.DataFrame(sorted(candidates), schema={"a": pl.Int64, "b": pl.Int64}, orient="row")
        for x, y, positions, src_positions in (pairs.join(wanted, on=["a", "b"], how="semi")
                                               .select("x", "y", "pos", "src_pos").iter_rows()):
            edges[(x, y)] = list(zip(positions, src_positions))
        del pairs

    measure = _Measures(shingle_sets, n_sentences, edges, p, overlaps)
    neighbours: dict[int, list[int]] = {}
    for a, b in sorted(candidates):
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)

    def is_cut(x: int) -> bool:
        """A paywall-cut document never heads a story when a fuller version is around."""
        return bool(cut[x]) or any(measure.is_cut_from(x, y) for y in neighbours.get(x, []))

    def priority(x: int) -> tuple:
        return (is_cut(x), dates[x] is None, dates[x] or 0, -n_words[x], doc_ids[x])

    visit = sorted(range(len(doc_ids)), key=priority)
    rank = {x: i for i, x in enumerate(visit)}

    # 1. Near-duplicate clusters (reprints of one text): a star around the most original member, so every
    # member is itself within near_jaccard of its head (no chaining through intermediate edits).
    head: dict[int, int] = {}
    for x in visit:
        heads = [(-measure.shingles(x, y)[0], rank[y], y) for y in neighbours.get(x, [])
                 if head.get(y) == y and measure.shingles(x, y)[0] >= p["near_jaccard"]]
        head[x] = min(heads)[2] if heads else x
    members: dict[int, list[int]] = {}
    for x in visit:
        members.setdefault(head[x], []).append(x)

    # 2. Stars: each cluster head, most original first, attaches to the best story original it copies.
    original_of: dict[int, int] = {}
    decided: dict[int, tuple[str, float]] = {}
    for x in visit:
        if head[x] != x:
            continue
        options = []
        roots = {original_of[head[r]] for m in members[x] for r in neighbours.get(m, []) if head[r] in original_of}
        for r in sorted(roots):
            if original_of[r] == r:
                found = measure.relation(x, r)
                if found is not None:
                    options.append((RELATION_RANK[found[0]], -found[1], rank[r], r, found))
        if options:
            best = min(options)
            original_of[x], decided[x] = best[3], best[4]
        else:
            original_of[x] = x

    # 3. Rows: a head is an original / unique / copy of its story's original; the other members of its
    # cluster are near-duplicates of the original (story heads) or copies of the same kind (copy clusters).
    story_of = {x: original_of[head[x]] for x in range(len(doc_ids))}
    sizes: dict[int, int] = {}
    for r in story_of.values():
        sizes[r] = sizes.get(r, 0) + 1
    score_of = {"near_duplicate": "jaccard", "truncated_copy": "containment", "rewrite": "aligned_share"}
    rows = []
    for x in range(len(doc_ids)):
        r = story_of[x]
        twin = doc_ids[head[x]] if head[x] != x else None
        if r == x:
            rows.append((doc_ids[x], "s" + doc_ids[x], "original" if sizes[x] > 1 else "unique", None,
                         1.0, 1.0, 1.0, 1.0, sizes[x], twin))
            continue
        m = measure(x, r)
        if head[x] == r:
            name = "near_duplicate"
        elif head[x] == x:
            name = decided[x][0]
        else:
            name = (measure.relation(x, r) or decided[head[x]])[0]
        rows.append((doc_ids[x], "s" + doc_ids[r], name, doc_ids[r], float(m[score_of[name]]), m["jaccard"],
                     m["containment"], m["aligned_share"], sizes[r], twin))
    stories = pl.DataFrame(rows, schema=STORIES_SCHEMA, orient="row").sort("doc_id")

    copies = stories.filter(pl.col("source_doc_id").is_not_null()).select(
        doc="doc_id", src_doc="source_doc_id")
    alignments = (directed.join(copies, on=["doc", "src_doc"])
                  .sort(["doc", "sent", "similarity", "src_sent"], descending=[False, False, True, False])
                  .group_by("doc", "sent", maintain_order=True).first()
                  .select(doc_id="doc", sent_id="sent", source_doc_id="src_doc", source_sent_id="src_sent",
                          similarity="similarity", method="method")
                  .sort("doc_id", "sent_id"))
    return stories, alignments.cast(ALIGNMENTS_SCHEMA)  # type: ignore[arg-type]
