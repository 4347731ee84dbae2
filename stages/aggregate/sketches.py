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


# The LSH index a run leaves for the next (`update_matches`): one row per candidate a sketched document kept
# (`other` and their shared shingles; one row with nulls for a document that kept none), with a digest of
# the document's sketch (polars' row hash of its word count, shingle hashes and MinHash state: the index's
# fingerprint includes the polars version).
INDEX_SCHEMA = {"doc_id": pl.String, "sketch": pl.UInt64, "other": pl.String, "overlap": pl.Int64}
SKETCH_DIGEST_SEED = 11


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
    return update_matches(sketches, params, None)[0]


def _sketch_digests(sketches: pl.DataFrame) -> pl.Series:
    """Per document, a digest of everything its matches are computed from: word count, shingle hashes and
    MinHash state."""
    return sketches.select(pl.struct("n_words", "hashes", "minhash").hash(seed=SKETCH_DIGEST_SEED))[:, 0]


def _usable_index(previous: pl.DataFrame | None, current: pl.DataFrame) -> dict[str, list[tuple[str, int]]] | None:
    """The previous run's index (doc_id -> its kept candidates with their overlaps) when it still describes
    this corpus: every document it indexed is among `current` (doc_id, sketch of the sketched documents) with
    the same sketch, every candidate it lists is indexed, and it is well formed. None (rebuild) otherwise.
    Documents added since are the ones it lacks."""
    if previous is None or dict(previous.schema) != INDEX_SCHEMA or previous.select(
            pl.col("doc_id").is_null().any() | (pl.col("other").is_null() != pl.col("overlap").is_null()).any()).item():
        return None
    docs = previous.select("doc_id", "sketch").unique()
    if docs["doc_id"].n_unique() != docs.height or docs.join(current, on=["doc_id", "sketch"], how="anti").height:
        return None   # a document removed, changed, or no longer sketched: its candidates' lists are stale
    listed = previous.drop_nulls("other")
    if listed.join(docs, left_on="other", right_on="doc_id", how="anti").height:
        return None
    index: dict[str, list[tuple[str, int]]] = {doc_id: [] for doc_id in docs["doc_id"].to_list()}
    for doc_id, other, overlap in listed.select("doc_id", "other", "overlap").iter_rows():
        index[doc_id].append((other, overlap))
    return index


def update_matches(sketches: pl.DataFrame, params: Stories, previous: pl.DataFrame | None
                   ) -> tuple[ShingleMatches, pl.DataFrame]:
    """`shingle_matches` of `sketches`, updated from the index an earlier run left (`previous`, or None),
    and the index to leave for the next run. The same matches as a build from nothing, by construction:

    Only the documents the index lacks go into a fresh LSH index, which every document then queries (two
    documents are LSH candidates when they share a band, so an old document's new candidates are the new
    documents its query finds, and old pairs stay as they were). Each document keeps its `max_candidates`
    candidates of lowest priority (longest, then first doc_id: an order of the documents themselves, so the
    old ones keep their order whatever is added); an old document's kept list becomes the lowest of its old
    list and its new candidates, which is what bounding all of them gives. Overlaps are counted for new
    pairs only. An index that does not describe these documents (one removed or changed, damaged) is not
    used: every document is then new, which is the full build."""
    sketches = sketches.sort("doc_id")
    doc_ids = sketches["doc_id"].to_list()
    n_words = sketches["n_words"].to_list()
    hash_sets = [np.frombuffer(raw, dtype=np.uint64) for raw in sketches["hashes"].to_list()]
    states = sketches["minhash"].to_list()
    sketched = [number for number, state in enumerate(states) if state is not None]
    digests = _sketch_digests(sketches)
    current = pl.DataFrame({"doc_id": sketches["doc_id"], "sketch": digests}).filter(
        sketches["minhash"].is_not_null())
    index = _usable_index(previous, current) or {}
    position = {doc_id: number for number, doc_id in enumerate(doc_ids)}
    old = [number for number in sketched if doc_ids[number] in index]
    new = [number for number in sketched if doc_ids[number] not in index]
    kept: dict[int, list[int]] = {}
    overlaps: dict[tuple[int, int], int] = {}
    for number in old:
        kept[number] = []
        for other, shared in index[doc_ids[number]]:
            kept[number].append(position[other])
            overlaps[(min(number, position[other]), max(number, position[other]))] = shared
    if new:
        _add_candidates(kept, old, new, states, _priority(sketched, n_words), params)
    pairs = {(min(a, b), max(a, b)) for a, others in kept.items() for b in others}
    missing = sorted(pair for pair in pairs if pair not in overlaps)
    overlaps.update(shingle_overlaps(hash_sets, missing))
    overlaps = {pair: overlaps[pair] for pair in sorted(pairs)}
    matches = ShingleMatches(doc_ids=doc_ids, hash_sets=hash_sets, n_words=n_words, pairs=frozenset(pairs),
                             overlaps=overlaps)
    return matches, _index_table(doc_ids, digests, sketched, kept, overlaps)


def _priority(sketched: list[int], n_words: list[int]) -> np.ndarray:
    """(-n_words, position) as one integer rank per document position: lower is likelier an original."""
    order = sorted(sketched, key=lambda number: (-n_words[number], number))
    priority = np.zeros(len(n_words), dtype=np.int64)
    priority[order] = np.arange(len(order))
    return priority


def _add_candidates(kept: dict[int, list[int]], old: list[int], new: list[int], states: list[bytes | None],
                    priority: np.ndarray, params: Stories) -> None:
    """Add the `new` documents' candidates to `kept` (position -> kept candidates, of the `old` documents):
    the new ones go into an LSH index that every document queries."""
    lsh = RMinHashLSH(params.lsh_threshold, params.num_perm, params.lsh_bands)
    lsh.insert_many([_minhash(states[number], params) for number in new])  # type: ignore[arg-type]
    found: dict[int, set[int]] = {number: set() for number in new}
    queried = old + new
    for number, hits in zip(queried, lsh.query_all([_minhash(states[n], params) for n in queried])):  # type: ignore[arg-type]
        for hit in hits:
            found[new[int(hit)]].add(number)
            if number in kept:   # an old document: the new one is a candidate of its too
                kept[number] = _bounded(kept[number] + [new[int(hit)]], number, priority, params.max_candidates)
    for number in new:
        kept[number] = _bounded(sorted(found[number]), number, priority, params.max_candidates)


def _index_table(doc_ids: list[str], digests: pl.Series, sketched: list[int], kept: dict[int, list[int]],
                 overlaps: dict[tuple[int, int], int]) -> pl.DataFrame:
    rows: dict[str, list] = {name: [] for name in INDEX_SCHEMA}
    sketch = digests.to_list()
    for number in sketched:
        for other in sorted(kept.get(number, [])) or [None]:
            rows["doc_id"].append(doc_ids[number])
            rows["sketch"].append(sketch[number])
            rows["other"].append(None if other is None else doc_ids[other])
            rows["overlap"].append(None if other is None else overlaps[(min(number, other), max(number, other))])
    return pl.DataFrame(rows, schema=INDEX_SCHEMA)
