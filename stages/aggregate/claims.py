"""Claims: statements made in several documents, and how many independent stories make them.

A claim is a cluster of statements (`statements`: no headings, promos, URLs or calls to action) from at
least two documents that say the same thing, never a text found verbatim in more than
`max_sentence_stories` stories (boilerplate recurring across unrelated documents): the same
normalised text (exact), or an aligned pair from `text_features.align_sentences` (near-exact or
paraphrase on content-word lemmas, entities and numbers; IDF-weighted Dice >= `paraphrase_threshold`).
The search runs over all documents, not only within a story, through an inverted index on the rarer
sentence features, so it grows near-linearly with the corpus (corpus-wide: on the driver). Clusters are
the connected components of the aligned pairs (networkx), each named by its smallest sent_id.

Support is counted twice: `n_docs` (documents carrying the claim) and `n_stories`, the independent stories
among them: distinct story_id (from `find_stories`: a syndicated reprint, a paywall-cut copy and a rewrite of
one original count once, so a claim repeated by copies is not mistaken for a corroborated one), where the
stories of one site count once too. A site repeating its own text in two of its stories (a company's "About
X" paragraph under two press releases, its disclaimer, a background sentence) is one source saying it
twice, not two corroborating it. Stories are joined through the sites of their documents (a story whose
documents are on sites X and Y and a story on Y are one source); a document with no site is a site of its own.

The representative sentence (text, sent_id) comes from a document that is not a copy (an original or a
unique story) when there is one, else from the first sentence id; claim_id is the first 16 hex digits of
the SHA-256 of that sent_id, so it is stable across runs.
"""
from __future__ import annotations

import hashlib

import networkx as nx
import polars as pl

from schemas import aggregate as tables
from schemas.base import empty_frame, frame
from schemas.params import Claims as ClaimParams
from stages.aggregate.text_features import TypeLinks, align_sentences


def _clusters(signatures: pl.DataFrame, stories: pl.DataFrame, links: TypeLinks | None,
              params: ClaimParams) -> pl.DataFrame:
    """sent_id, cluster (the smallest sent_id of its connected component) of every sentence that says
    what a sentence of another document says."""
    graph = nx.Graph()
    # Identical normalised sentences join directly. A text found verbatim in more than max_sentence_stories
    # stories recurs across unrelated documents (a footer, an "About X" paragraph): it is no claim, and
    # joins none (its sentences are dropped from the aligned pairs too); so is a sentence with fewer
    # distinct content words than min_content_words.
    # Distinct content words: a chant or a repeated phrase ("3 anos, 3 anos, 3 anos…") has many words but
    # says nothing a claim could.
    distinct_words = pl.col("features").list.eval(pl.element().filter(~pl.element().str.starts_with("@"))).list.len()
    content = signatures.filter(pl.col("n_content") >= params.min_content_words)
    repeated = content.filter(distinct_words < params.min_content_words).select("sent_id")
    recurring = pl.concat([
        content.select("sent_id", "doc_id", "norm").join(stories.select("doc_id", "story_id"), on="doc_id",
                                                         how="left")
        .filter(pl.col("story_id").n_unique().over("norm") > params.max_sentence_stories).select("sent_id"),
        repeated]).unique()
    content = content.join(recurring, on="sent_id", how="anti")
    same_text = content.filter(pl.col("doc_id").n_unique().over("norm") >= 2)
    for _, ids in same_text.group_by("norm").agg(pl.col("sent_id").sort()).iter_rows():
        graph.add_edges_from((ids[0], other) for other in ids[1:])
    # Copies rank after originals, so that the sentences of a claim link to their originals' versions.
    doc_rank = stories.select("doc_id", rank=pl.col("relation").is_in(tables.COPY_RELATIONS).cast(pl.Int64))
    aligned = (align_sentences(signatures, params, doc_rank, links=links)
               .join(recurring, left_on="sent_id_a", right_on="sent_id", how="anti")
               .join(recurring, left_on="sent_id_b", right_on="sent_id", how="anti"))
    graph.add_edges_from(aligned.select("sent_id_a", "sent_id_b").iter_rows())
    rows = [(member, cluster) for component in nx.connected_components(graph)
            for cluster in (min(component),) for member in component]
    return pl.DataFrame(rows, schema={"sent_id": pl.String, "cluster": pl.String}, orient="row")


def _independent_stories(rows: pl.DataFrame) -> pl.DataFrame:
    """cluster, n_stories: per claim, the connected components of its stories joined through their sites
    (rows: cluster, story_id, site_key)."""
    graph = nx.Graph()
    for cluster, story, site in rows.select("cluster", "story_id", "site_key").unique().iter_rows():
        graph.add_edge((cluster, "story", story), (cluster, "site", site))
    counts: dict[str, int] = {}
    for component in nx.connected_components(graph):
        cluster = next(iter(component))[0]
        counts[cluster] = counts.get(cluster, 0) + 1
    return pl.DataFrame({"cluster": list(counts), "n_stories": list(counts.values())},
                        schema={"cluster": pl.String, "n_stories": pl.Int64})


def find_claims(sentences: pl.DataFrame, signatures: pl.DataFrame, stories: pl.DataFrame, params: ClaimParams,
                links: TypeLinks | None = None, sites: pl.DataFrame | None = None) -> pl.DataFrame:
    """One row per claim, most independent support first (then most documents, then sent_id).

    `signatures` are the `sentence_signatures` of `sentences`; `links` their `link_types` when the stage
    already has them (one search serves stories and claims; links that do not serve the claim params are
    computed again); `sites` (doc_id, site: clean's documents) say which stories share a site (without
    them every document is a site of its own)."""
    if sentences.is_empty():
        return empty_frame(tables.Claims)
    clusters = _clusters(signatures, stories, links, params)
    if clusters.is_empty():
        return empty_frame(tables.Claims)
    if sites is None:
        sites = pl.DataFrame(schema={"doc_id": pl.String, "site": pl.String})
    rows = (clusters.join(signatures.select("sent_id", "doc_id"), on="sent_id")
            .join(sentences.select("sent_id", "text"), on="sent_id")
            .join(stories.select("doc_id", "story_id", "relation"), on="doc_id", how="left")
            .join(sites.select("doc_id", "site"), on="doc_id", how="left")
            .with_columns(story_id=pl.col("story_id").fill_null(pl.lit("s") + pl.col("doc_id")),
                          site_key=pl.coalesce(pl.col("site").str.strip_chars().str.to_lowercase()
                                               .replace("", None), pl.lit("doc:") + pl.col("doc_id")),
                          is_copy=pl.col("relation").is_in(tables.COPY_RELATIONS).fill_null(False)))
    claims = (rows.sort("is_copy", "sent_id")
              .group_by("cluster", maintain_order=True)
              .agg(text=pl.col("text").first(), sent_id=pl.col("sent_id").first(),
                   n_docs=pl.col("doc_id").n_unique().cast(pl.Int64),
                   doc_ids=pl.col("doc_id").unique().sort(), sent_ids=pl.col("sent_id").sort())
              .filter(pl.col("n_docs") >= params.min_docs)
              .join(_independent_stories(rows), on="cluster", how="left", maintain_order="left"))
    claims = claims.with_columns(claim_id=pl.col("sent_id").map_elements(
        lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest()[:16], return_dtype=pl.String))
    return frame(claims, tables.Claims).sort(["n_stories", "n_docs", "sent_id"], descending=[True, True, False])
