"""Claims: statements made in several documents, and how many independent stories make them.

A claim is a cluster of sentences from at least two documents that say the same thing: the same
normalised text (exact), or an aligned pair from `text_features.align_sentences` (near-exact or
paraphrase on content-word lemmas, entities and numbers; IDF-weighted Dice >= `paraphrase_threshold`).
The search runs over all documents, not only within a story, through an inverted index on the rarer
sentence features, so it grows near-linearly with the corpus. Clusters are the connected components of
the aligned pairs (union-find with a deterministic, order-independent result).

Support is counted twice: `n_docs` (documents carrying the claim) and `n_stories` (distinct story_id
among them, from `find_stories`): a syndicated reprint, a paywall-cut copy and a rewrite of one original
count once, so a claim repeated by copies is not mistaken for a corroborated one.

The representative sentence (text, sent_id) comes from a document that is not a copy (an original or a
unique story) when there is one, else from the first sentence id; claim_id is the first 16 hex digits of
the SHA-256 of that sent_id, so it is stable across runs.
"""
from __future__ import annotations

import hashlib
from typing import Any

import polars as pl

from stages.aggregate.text_features import TypeLinks, align_sentences, alignment_params, sentence_signatures

DEFAULTS: dict[str, Any] = {
    "min_docs": 2,  # a claim is carried by at least this many documents
}
ALIGNMENT_OVERRIDES: dict[str, Any] = {"paraphrase_threshold": 0.5}
COPY_RELATIONS = ("near_duplicate", "truncated_copy", "rewrite")

CLAIMS_SCHEMA = {"claim_id": pl.String, "text": pl.String, "sent_id": pl.String, "n_docs": pl.Int64,
                 "n_stories": pl.Int64, "doc_ids": pl.List(pl.String), "sent_ids": pl.List(pl.String)}


def claims_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """Resolved knobs of params['claims'] (the aggregate section is passed whole)."""
    section = (params or {}).get("claims") or {}
    resolved = {key: section.get(key, default) for key, default in DEFAULTS.items()}
    resolved.update(alignment_params(section, ALIGNMENT_OVERRIDES))
    return resolved


class _UnionFind:
    """Union-find over string keys; the root of a set is its smallest key (independent of union order)."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:  # path compression
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = (ra, rb) if ra < rb else (rb, ra)
            self.parent[hi] = lo


def find_claims(sentences: pl.DataFrame, stories: pl.DataFrame, entities: pl.DataFrame,
                params: dict[str, Any], signatures: pl.DataFrame | None = None,
                links: TypeLinks | None = None) -> pl.DataFrame:
    """One row per claim, most independent support first (then most documents, then sent_id).

    `signatures` is `sentence_signatures(sentences, entities)` and `links` `link_types(signatures, ...)`
    when the caller already has them (the stage computes them once for stories and claims; links that do
    not serve the claim params are computed again)."""
    p = claims_params(params)
    if sentences.is_empty():
        return pl.DataFrame(schema=CLAIMS_SCHEMA)
    if signatures is None:
        signatures = sentence_signatures(sentences, entities)
    content = signatures.filter(pl.col("n_content") >= p["min_content_words"])
    groups = _UnionFind()
    # Identical normalised sentences join directly (a boilerplate line repeated in thousands of documents
    # is too frequent for the pair index but is one claim all the same).
    same_text = content.filter(pl.col("doc_id").n_unique().over("norm") >= 2)
    for _, ids in same_text.group_by("norm").agg(pl.col("sent_id").sort()).iter_rows():
        for other in ids[1:]:
            groups.union(ids[0], other)
    # Copies rank after originals, so that the sentences of a claim link to their originals' versions.
    doc_rank = (stories.select("doc_id", rank=pl.col("relation").is_in(COPY_RELATIONS).cast(pl.Int64))
                if not stories.is_empty() else None)
    for a, b in align_sentences(signatures, p, doc_rank, links=links).select("sent_id_a", "sent_id_b").iter_rows():
        groups.union(a, b)
    if not groups.parent:
        return pl.DataFrame(schema=CLAIMS_SCHEMA)

    members = sorted(groups.parent)
    clusters = pl.DataFrame({"sent_id": members, "cluster": [groups.find(m) for m in members]})
    story_of = (stories.select("doc_id", "story_id", "relation") if not stories.is_empty()
                else pl.DataFrame(schema={"doc_id": pl.String, "story_id": pl.String, "relation": pl.String}))
    rows = (clusters.join(signatures.select("sent_id", "doc_id"), on="sent_id")
            .join(sentences.select("sent_id", "text"), on="sent_id")
            .join(story_of, on="doc_id", how="left")
            .with_columns(story_id=pl.col("story_id").fill_null(pl.lit("s") + pl.col("doc_id")),
                          is_copy=pl.col("relation").is_in(COPY_RELATIONS).fill_null(False)))
    claims = (rows.sort("is_copy", "sent_id")
              .group_by("cluster", maintain_order=True)
              .agg(text=pl.col("text").first(), sent_id=pl.col("sent_id").first(),
                   n_docs=pl.col("doc_id").n_unique().cast(pl.Int64),
                   n_stories=pl.col("story_id").n_unique().cast(pl.Int64),
                   doc_ids=pl.col("doc_id").unique().sort(), sent_ids=pl.col("sent_id").sort()))
    claims = claims.filter(pl.col("n_docs") >= p["min_docs"])
    claims = claims.with_columns(claim_id=pl.col("sent_id").map_elements(
        lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest()[:16], return_dtype=pl.String))
    return (claims.select(list(CLAIMS_SCHEMA)).cast(CLAIMS_SCHEMA)  # type: ignore[arg-type]
            .sort(["n_stories", "n_docs", "sent_id"], descending=[True, True, False]))
