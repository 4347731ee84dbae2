"""MinHash sketches of documents (per document: a batch task) and the LSH candidate pairs among them
(corpus-wide, on the driver).

A document's sketch is its word count, the sorted set of its shingles' 64-bit hashes (rensa's token
hashes; exact Jaccard and containment are counted on them) and its rensa MinHash of `num_perm`
permutations, stored as rensa's own serialised state (`RMinHash.__getstate__`: rensa's versioned binary
encoding of the hash values, read back by `__setstate__`; plain data, not a Python pickle, so reading it
back runs no code). The MinHash sketches go into rensa's LSH index (bands of num_perm / lsh_bands rows),
and documents that share a band are candidate pairs: each document keeps at most `max_candidates` of its
LSH candidates (the longest, then the first doc_id), so a bucket of many near-identical texts stays linear.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import polars as pl
from rensa import RMinHash, RMinHashLSH

from schemas.params import Stories
from stages.aggregate.text_features import shingles, tokens

SKETCH_SCHEMA = {"doc_id": pl.String, "n_words": pl.Int64, "hashes": pl.Binary, "minhash": pl.Binary}


def sketch_documents(params: Stories, docs: pl.DataFrame) -> pl.DataFrame:
    """One row per document of `docs` (doc_id, text): word count, shingle hash set (sorted uint64 bytes) and
    MinHash state (null when the text has no shingle). A pure function of each text.

    One document at a time, so the shingle strings never all sit in memory."""
    rows: dict[str, list] = {name: [] for name in SKETCH_SCHEMA}
    for doc_id, text in docs.select("doc_id", "text").iter_rows():
        words = tokens(text)
        text_shingles = shingles(words, params.shingle_size)
        minhash = None
        if text_shingles:
            hashes = RMinHash.hash_token_sets([text_shingles])[0]
            hash_set = np.unique(np.fromiter(hashes, dtype=np.uint64, count=len(hashes)))
            sketch = RMinHash(params.num_perm, params.seed)
            sketch.update(text_shingles)
            minhash = sketch.__getstate__()
        else:
            hash_set = np.empty(0, dtype=np.uint64)
        rows["doc_id"].append(doc_id)
        rows["n_words"].append(len(words))
        rows["hashes"].append(hash_set.tobytes())
        rows["minhash"].append(minhash)
    return pl.DataFrame(rows, schema=SKETCH_SCHEMA)


def shingle_hashes(text_shingles: list[str]) -> np.ndarray:
    """The sorted unique 64-bit hashes of shingles, as a sketch's hash set holds them (rensa's token hash)."""
    if not text_shingles:
        return np.empty(0, dtype=np.uint64)
    hashes = RMinHash.hash_token_sets([text_shingles])[0]
    return np.unique(np.fromiter(hashes, dtype=np.uint64, count=len(hashes)))


def _minhash(state: bytes, params: Stories) -> RMinHash:
    sketch = RMinHash(params.num_perm, params.seed)
    sketch.__setstate__(state)
    return sketch


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
    """Shared shingles of each (a, b) pair, a < b."""
    return {(a, b): _n_common(shingle_sets[a], shingle_sets[b]) for a, b in pairs}


@dataclass(frozen=True)
class ShingleMatches:
    """What the sketches tell the story search, by document position in `doc_ids` (sorted): each
    document's shingle hash set and word count, the LSH candidate pairs (a < b) and their shared shingles."""
    doc_ids: list[str]
    hash_sets: list[np.ndarray]
    n_words: list[int]
    pairs: frozenset[tuple[int, int]]
    overlaps: dict[tuple[int, int], int]


def _bounded(found: list[int], key: int, priority: np.ndarray, limit: int) -> list[int]:
    """The LSH candidates of `key` without itself, at most `limit` of them: those of the lowest `priority`.
    A bucket of thousands of template-like texts would otherwise give every pair of them (quadratic); each
    keeps its likeliest originals, and the pairs stay symmetric through the other side's list."""
    others = np.asarray([other for other in found if other != key], dtype=np.int64)
    if len(others) <= limit:
        return others.tolist()
    ranks = priority[others]
    return others[np.argsort(ranks, kind="stable")[:limit]].tolist()


def shingle_matches(sketches: pl.DataFrame, params: Stories) -> ShingleMatches:
    """The LSH candidates among all sketched documents and their exact shingle overlaps (corpus-wide)."""
    sketches = sketches.sort("doc_id")
    hash_sets = [np.frombuffer(raw, dtype=np.uint64) for raw in sketches["hashes"].to_list()]
    sketched: list[int] = []
    minhashes: list[RMinHash] = []
    for number, state in enumerate(sketches["minhash"].to_list()):
        if state is not None:
            sketched.append(number)
            minhashes.append(_minhash(state, params))
    pairs: set[tuple[int, int]] = set()
    if len(minhashes) >= 2:
        lsh = RMinHashLSH(params.lsh_threshold, params.num_perm, params.lsh_bands)
        lsh.insert_many(minhashes)
        # Longest first, then doc_id: the likeliest originals, which every member of a large cluster keeps.
        n_words = np.asarray(sketches["n_words"].to_list(), dtype=np.int64)[sketched]
        priority = np.lexsort((np.arange(len(sketched)), -n_words)).argsort()
        for key, found in enumerate(lsh.query_all(minhashes)):
            for other in _bounded(found, key, priority, params.max_candidates):
                a, b = sketched[key], sketched[int(other)]
                pairs.add((min(a, b), max(a, b)))
    return ShingleMatches(doc_ids=sketches["doc_id"].to_list(), hash_sets=hash_sets,
                          n_words=sketches["n_words"].to_list(), pairs=frozenset(pairs),
                          overlaps=shingle_overlaps(hash_sets, sorted(pairs)))
