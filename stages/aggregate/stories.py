"""Stories: which documents are copies of which, and which report a story of their own.

Scraped coverage of one event holds three kinds of copies of an original article:
- near_duplicate: a syndicated reprint or the same article in another format; most word 5-shingles are
  shared (Jaccard >= `near_jaccard`), or the two are of about one length and the shorter's shingles lie in
  the longer (containment >= `twin_containment`: an HTML page and its text rendering).
- truncated_copy: a paywall-cut copy; its shingles are mostly inside the full article (containment
  |A & B| / |A| >= `containment_threshold`) while Jaccard stays low because the copy is much shorter.
- rewrite: a content-farm paraphrase; it shares almost no 5-shingles, but its sentences align, in the
  source's order, with source sentences on content-word lemmas, entities and numbers (share of its
  sentences in the longest order-preserving alignment chain >= `rewrite_share`).

Candidate document pairs come from two near-linear searches: MinHash LSH over shingles (`sketches`;
catches reprints) and the sentence alignment of `text_features.align_sentences` (catches truncated copies
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
unique documents), story_size, duplicate_of, and each link's confidence (`_Measures.confidence`) and
evidence (n_evidence, evidence_sent_ids: `_Measures.evidence`).

What is never evidence: sentences recurring across unrelated documents (`_recurring`), verbatim or quoted
sentences for a rewrite, and a chain of weak paraphrases (`rewrite_min_evidence`). A paywall cut that kept
only its headline is found through titles (`_headline_copies`); short identical furniture under other
headlines is two articles (`_Measures.short_with_other_titles`). Independent coverage of one event stays
apart here and is linked by `related.py`.

`find_stories` is corpus-wide and runs on the driver; it takes the per-document results (sketches made
into `ShingleMatches`, sentence signatures) and the linked sentence types ready-made (the stage computes
them, reusing each unchanged document's rows: see `search`).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from schemas import aggregate as tables
from schemas.base import empty_frame, frame, polars_schema
from schemas.params import Stories as StoryParams
from stages.aggregate.sketches import ShingleMatches, _n_common, shingle_hashes
from stages.aggregate.text_features import TypeLinks, align_sentences, shingles, tokens

RELATION_RANK = {"near_duplicate": 0, "truncated_copy": 1, "rewrite": 2}
QUOTE_MARKS = '["\u201c\u201d\u201e\u00ab\u00bb]'
SCORE_OF = {"near_duplicate": "jaccard", "truncated_copy": "own_containment", "rewrite": "aligned_share"}
# (copy, source) -> aligned sentences (copy position, source position, similarity), best first per copy sentence.
Edges = dict[tuple[int, int], list[tuple[int, int, float]]]


def story_documents(docs: pl.DataFrame) -> pl.DataFrame:
    """The documents a story search runs over, as every phase indexes them: one row per doc_id (its first),
    sorted by doc_id, with the columns the search reads (a null text is an empty one)."""
    title = pl.col("title") if "title" in docs.columns else pl.lit(None, pl.String).alias("title")
    return (docs.unique("doc_id", keep="first").sort("doc_id")
            .select("doc_id", pl.col("text").fill_null(""), "published_date",
                    pl.col("is_truncated").fill_null(False), title.cast(pl.String)))


@dataclass(frozen=True)
class _Corpus:
    """The documents by position (doc_id order) and what ordering them needs."""
    ids: list[str]
    dates: list[date | None]
    cut: list[bool]        # flagged truncated by the clean stage
    n_words: list[int]
    titles: list[str | None]
    texts: list[str]

    @classmethod
    def of(cls, docs: pl.DataFrame, matches: ShingleMatches) -> _Corpus:
        ids = docs["doc_id"].to_list()
        if ids != matches.doc_ids:
            raise ValueError("the shingle matches were not computed for these documents (story_documents)")
        return cls(ids, docs["published_date"].to_list(), docs["is_truncated"].to_list(), matches.n_words,
                   docs["title"].to_list(), docs["text"].to_list())


# ------------------------------------------------------------------------------------- exact measures

def _ordered_chain(edges: list[tuple[int, int, float]]) -> int:
    """Longest chain of (copy position, source position) edges with both positions strictly increasing:
    sentences that follow the source's order, each source sentence used once (so one generic source
    sentence cannot vouch for many copy sentences)."""
    by_copy: dict[int, list[int]] = {}
    for copy_pos, source_pos, _ in edges:
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


def _ordered_chain_members(edges: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
    """The edges of one longest chain `_ordered_chain` counts (copy and source positions both strictly
    increasing), in copy order, each with its similarity: the sentences that are a copy's evidence. Ties go
    to the smallest source positions (patience sorting keeps, per chain length, the smallest tail), so the
    answer is deterministic."""
    by_copy: dict[int, list[int]] = {}
    similarity: dict[tuple[int, int], float] = {}
    for copy_pos, source_pos, sim in edges:
        by_copy.setdefault(copy_pos, []).append(source_pos)
        similarity[(copy_pos, source_pos)] = max(sim, similarity.get((copy_pos, source_pos), 0.0))
    tails: list[int] = []                       # smallest source position ending a chain of each length
    tail_edge: list[tuple[int, int]] = []       # the edge at that tail
    before: dict[tuple[int, int], tuple[int, int] | None] = {}
    for copy_pos in sorted(by_copy):
        for source_pos in sorted(set(by_copy[copy_pos]), reverse=True):
            at = bisect.bisect_left(tails, source_pos)
            edge = (copy_pos, source_pos)
            before[edge] = tail_edge[at - 1] if at else None
            if at == len(tails):
                tails.append(source_pos)
                tail_edge.append(edge)
            else:
                tails[at], tail_edge[at] = source_pos, edge
    chain: list[tuple[int, int]] = []
    edge = tail_edge[-1] if tail_edge else None
    while edge is not None:
        chain.append(edge)
        edge = before[edge]
    return [(p, q, similarity[(p, q)]) for p, q in reversed(chain)]


def _margin(value: float, threshold: float) -> float:
    """How far `value` lies above `threshold`, as a share of the way from the threshold to 1."""
    if threshold >= 1.0:
        return 1.0 if value >= 1.0 else 0.0
    return min(max((value - threshold) / (1.0 - threshold), 0.0), 1.0)


class _Measures:
    """Exact measures of a directed document pair (copy x, source y), each computed once when first asked.

    `overlaps` holds shingle intersections already counted (`ShingleMatches.overlaps`); the others are
    counted when first needed. The ordered sentence chain (the costlier measure) is worked out only for
    pairs whose shingles do not already decide their relation."""

    def __init__(self, shingle_sets: list[np.ndarray], n_sentences: list[int], edges: Edges,
                 params: StoryParams, overlaps: dict[tuple[int, int], int]) -> None:
        self.shingle_sets, self.n_sentences, self.edges, self.params = shingle_sets, n_sentences, edges, params
        self.overlaps = dict(overlaps)
        self.shingle_cache: dict[tuple[int, int], tuple[float, float]] = {}
        self.chain_cache: dict[tuple[int, int], tuple[float, float, float, float]] = {}
        # Per document: its title's words and its text's word count (`short_with_other_titles`); set by
        # find_stories (none known: never in conflict).
        self.title_words: list[frozenset[str]] = []
        self.n_words: list[int] = []
        self.titled: list[bool] = []   # title of at least headline_min_words distinct words
        self.cut: list[bool] = []
        # Per document holding a recurring block: its shingles without the block's (`_block_free_shingles`;
        # set once the near-duplicate clusters are known). A cut's own words must lie in its source.
        self.block_free: dict[int, np.ndarray] = {}
        # Every distinctive aligned sentence pair of a copy and its source, verbatim ones included (set
        # once the stories are known: `_copy_edges`).
        self.evidence_edges: Edges = {}
        self.paraphrase_edges: Edges = {}

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

    def own_containment(self, x: int, y: int) -> float:
        """Share of x's shingles in y's, blocks x shares with unrelated pages (`block_free`) left out: a
        footer or standard paragraph alone never makes x a cut of y. x's containment when it holds no block;
        0.0 when its text is nothing but blocks."""
        own = self.block_free.get(x)
        if own is None:
            return self.shingles(x, y)[1]
        return _n_common(own, self.shingle_sets[y]) / len(own) if len(own) else 0.0

    def aligned(self, x: int, y: int) -> tuple[float, float, float, float]:
        """(aligned_share, chain, order, weight): x's paraphrased sentences in the ordered chain with y's, as
        a share of x's statements and as a count, the chain's share of x's paraphrased sentences (1.0 when
        they all follow y's order; independent coverage of one event matches here and there), and the
        chain's summed similarity (three weak matches of 0.3 between two reports of one event weigh 0.9;
        a rewrite restates sentence after sentence)."""
        found = self.chain_cache.get((x, y))
        if found is None:
            edges = self.edges.get((x, y), [])
            members = _ordered_chain_members(edges)
            chain = len(members)
            share = min(chain / self.n_sentences[x], 1.0) if self.n_sentences[x] else 0.0
            # Each copy sentence's best match (edges come best first per copy sentence): how many follow
            # the source's order.
            best = list({edge[0]: edge for edge in reversed(edges)}.values())
            order = _ordered_chain(best) / len(best) if best else 0.0
            weight = 0.0
            for _, _, sim in members:   # in order, one by one: the same float on every run
                weight += sim
            found = self.chain_cache[(x, y)] = (share, float(chain), order, weight)
        return found

    def __call__(self, x: int, y: int) -> dict[str, float]:
        jaccard, containment = self.shingles(x, y)
        aligned_share, chain, order, weight = self.aligned(x, y)
        return {"jaccard": jaccard, "containment": containment, "own_containment": self.own_containment(x, y),
                "aligned_share": aligned_share, "chain": chain, "order": order, "weight": weight}

    def relation(self, x: int, y: int) -> tuple[str, float] | None:
        """How x copies y, with the score that decided it; None when it does not."""
        jaccard, containment = self.shingles(x, y)
        if self.is_twin(x, y):
            return "near_duplicate", jaccard
        if self.is_cut_from(x, y):
            return "truncated_copy", self.own_containment(x, y)
        if self.is_rewrite(x, y):
            return "rewrite", self.aligned(x, y)[0]
        return None

    def is_rewrite(self, x: int, y: int) -> bool:
        """Whether x's paraphrased distinctive sentences follow y's in order: enough of them (share and
        count), mostly in y's order, and weighing enough together (summed similarity)."""
        aligned_share, chain, order, weight = self.aligned(x, y)
        p = self.params
        return (aligned_share >= p.rewrite_share and chain >= p.rewrite_min_sentences
                and order >= p.rewrite_min_order and weight >= p.rewrite_min_evidence)

    def confidence(self, x: int, y: int, relation: str, n_evidence: int) -> float:
        """How firmly the evidence carries `relation` of x to y, in [0.5, 1] for a relation the rules accept
        (0.5 on the threshold, 1.0 at the measure's best): the margin of the deciding measure over its
        threshold. near_duplicate: the larger of the Jaccard margin (over near_jaccard) and, for texts of
        about one length, the twin-containment margin; truncated_copy: the containment margin (over
        containment_threshold); rewrite: the smallest of the aligned-share margin (over rewrite_share),
        the order margin (over rewrite_min_order) and the evidence size (distinctive sentences in the
        ordered chain over twice rewrite_min_sentences, at most 1): a rewrite is as weak as its weakest
        part. A member of a copy cluster labelled through its head can sit below a threshold itself; its
        confidence then falls under 0.5 (the measures against the original are what the row shows)."""
        p = self.params
        jaccard, containment = self.shingles(x, y)
        if relation == "near_duplicate":
            short, long = (x, y) if len(self.shingle_sets[x]) <= len(self.shingle_sets[y]) else (y, x)
            twin = (_margin(self.shingles(short, long)[1], p.twin_containment)
                    if len(self.shingle_sets[short]) > p.truncated_max_length_ratio * len(self.shingle_sets[long])
                    else 0.0)
            score, reached = max(_margin(jaccard, p.near_jaccard), twin), self.is_twin(x, y)
        elif relation == "truncated_copy":
            score, reached = _margin(self.own_containment(x, y), p.containment_threshold), self.is_cut_from(x, y)
        else:
            aligned_share, _, order, weight = self.aligned(x, y)
            score = min(_margin(aligned_share, p.rewrite_share), _margin(order, p.rewrite_min_order),
                        min(n_evidence / (2 * p.rewrite_min_sentences), 1.0),
                        min(weight / (2 * p.rewrite_min_evidence), 1.0) if p.rewrite_min_evidence else 1.0)
            reached = self.is_rewrite(x, y)
        return round(0.5 + 0.5 * score if reached else 0.5 * score, 6)

    def evidence(self, x: int, y: int, relation: str) -> list[tuple[int, int, float]]:
        """x's sentences that carry its relation to y, as (x position, y position) in x's order: the
        longest in-order chain of its distinctive aligned sentences (recurring ones never count; a
        rewrite's evidence is its paraphrased sentences only, as for its aligned share)."""
        pairs = (self.paraphrase_edges if relation == "rewrite" else self.evidence_edges).get((x, y), [])
        return _ordered_chain_members(pairs)

    def short_with_other_titles(self, x: int, y: int) -> bool:
        """Whether x or y is a short text (at most headline_max_words words) and their titles, both of at
        least headline_min_words words, are different headlines (under half of the shorter title's words
        in the other): two articles whose extracted text is the same bit of page furniture (an author bio,
        "You can follow any responses to this entry ..."), not one article. A long text shared word for word
        is one article whatever each outlet headlined it."""
        if not (self.titled and self.titled[x] and self.titled[y]):
            return False
        if min(self.n_words[x], self.n_words[y]) > self.params.headline_max_words:
            return False
        a, b = self.title_words[x], self.title_words[y]
        return len(a & b) < 0.5 * min(len(a), len(b))

    def is_twin(self, x: int, y: int) -> bool:
        """Whether x and y are one text (symmetric): Jaccard >= near_jaccard, or two renderings of one article
        of about one length (neither cut: the shorter has more than truncated_max_length_ratio of the longer's
        shingles) whose shorter lies within the longer (containment >= twin_containment; page furniture
        around a twin lowers the Jaccard, not the containment)."""
        if self.short_with_other_titles(x, y):
            return False
        jaccard, _ = self.shingles(x, y)
        if jaccard >= self.params.near_jaccard:
            return True
        short, long = (x, y) if len(self.shingle_sets[x]) <= len(self.shingle_sets[y]) else (y, x)
        return (len(self.shingle_sets[short]) > self.params.truncated_max_length_ratio * len(self.shingle_sets[long])
                and self.shingles(short, long)[1] >= self.params.twin_containment)

    def is_cut_from(self, x: int, y: int) -> bool:
        """Whether x is a truncated copy of y (`relation(x, y)` says truncated_copy), from shingles alone."""
        jaccard, containment = self.shingles(x, y)
        # A copy the clean stage found cut (a paywall notice) is a cut whatever its title says; an
        # unflagged short text under another headline is the page furniture the two share.
        if not (self.cut and self.cut[x]) and self.short_with_other_titles(x, y):
            return False
        return (jaccard < self.params.near_jaccard and containment >= self.params.containment_threshold
                and len(self.shingle_sets[x]) <= self.params.truncated_max_length_ratio * len(self.shingle_sets[y])
                and self.own_containment(x, y) >= self.params.containment_threshold)


# ---------------------------------------------------------------------------------- sentence alignment

def _likely_originals(corpus: _Corpus) -> pl.DataFrame:
    """doc_id, rank: sentences repeated by many documents are paired with their copies in the likeliest
    originals first (not cut, dated earliest, longest)."""
    order = sorted(range(len(corpus.ids)), key=lambda x: (bool(corpus.cut[x]), corpus.dates[x] is None,
                                                          corpus.dates[x] or 0, -corpus.n_words[x], corpus.ids[x]))
    return pl.DataFrame({"doc_id": [corpus.ids[x] for x in order], "rank": list(range(len(order)))},
                        schema={"doc_id": pl.String, "rank": pl.Int64})


def _directed(aligned: pl.DataFrame) -> pl.DataFrame:
    """Aligned sentence pairs in both directions: (copy doc, copy sent) -> (source doc, source sent)."""
    return pl.concat([
        aligned.select(doc="doc_id_a", sent="sent_id_a", src_doc="doc_id_b", src_sent="sent_id_b",
                       similarity="similarity", method="method"),
        aligned.select(doc="doc_id_b", sent="sent_id_b", src_doc="doc_id_a", src_sent="sent_id_a",
                       similarity="similarity", method="method")])


def _content_sentences(signatures: pl.DataFrame, corpus: _Corpus, params: StoryParams) -> list[int]:
    """Per document: its sentences with enough content words to be aligned."""
    index = {doc_id: x for x, doc_id in enumerate(corpus.ids)}
    counted = signatures.filter(pl.col("n_content") >= params.min_content_words).group_by("doc_id").len()
    n_sentences = [0] * len(corpus.ids)
    for doc_id, n in counted.iter_rows():
        n_sentences[index[doc_id]] = n
    return n_sentences


def _quoted() -> pl.Expr:
    """Whether a sentence holds a quotation (a double quotation mark of any style)."""
    return pl.col("text").fill_null("").str.contains(QUOTE_MARKS)


def _sentence_edges(directed: pl.DataFrame, sentences: pl.DataFrame, corpus: _Corpus, n_sentences: list[int],
                    lsh_pairs: frozenset[tuple[int, int]], params: StoryParams
                    ) -> tuple[set[tuple[int, int]], Edges]:
    """(candidate pairs, edges): the LSH pairs plus the pairs whose aligned sentences cover enough of one
    side, and for each candidate (x, y) the aligned (x position, y position) sentences. Each sentence's
    position in its document is joined on in polars (not looked up sentence by sentence), and only
    candidate pairs' (many small) edge lists become Python lists."""
    candidates = set(lsh_pairs)
    edges: Edges = {}
    if directed.is_empty():
        return candidates, edges
    position = (sentences.sort("doc_id", "paragraph", "index")
                .select("sent_id", pos=pl.int_range(pl.len()).over("doc_id"), quoted=_quoted()))
    numbers = pl.DataFrame({"doc": corpus.ids, "x": range(len(corpus.ids)), "n_x": n_sentences},
                           schema={"doc": pl.String, "x": pl.Int64, "n_x": pl.Int64})
    # Rewrite evidence is the paraphrased sentences: a verbatim sentence shared by two texts whose shingles
    # do not already make them copies is a shared block (an "About X" paragraph, a footer, a quote), and a
    # quotation on either side is the speaker's words, which independent reports of one event share.
    rewritten = (pl.col("method") != "exact") & ~pl.col("quoted") & ~pl.col("src_quoted")
    pairs = (directed.select("doc", "sent", "src_doc", "src_sent", "method", "similarity")
             .join(position, left_on="sent", right_on="sent_id")
             .join(position.rename({"pos": "src_pos", "quoted": "src_quoted"}), left_on="src_sent",
                   right_on="sent_id")
             .sort("doc", "src_doc", "pos", "similarity", "src_pos", descending=[False, False, False, True, False])
             .group_by("doc", "src_doc", maintain_order=True)
             .agg(pl.col("pos").filter(rewritten), pl.col("src_pos").filter(rewritten),
                  pl.col("similarity").filter(rewritten),
                  n_sents=pl.col("sent").n_unique())
             .join(numbers, on="doc").join(numbers.select(src_doc="doc", y="x"), on="src_doc")
             .with_columns(a=pl.min_horizontal("x", "y"), b=pl.max_horizontal("x", "y")))
    # Each document keeps its max_candidates partners sharing the most sentences (as the LSH bounds its
    # buckets): thousands of template-like texts would otherwise all be each other's candidates.
    shared = (pairs.filter(pl.col("n_sents") >= params.candidate_share * pl.max_horizontal("n_x", 1))
              .sort("x", "n_sents", "y", descending=[False, True, False])
              .group_by("x", maintain_order=True).head(params.max_candidates))
    candidates.update(shared.select("a", "b").iter_rows())
    wanted = pl.DataFrame(sorted(candidates), schema={"a": pl.Int64, "b": pl.Int64}, orient="row")
    for x, y, positions, src_positions, similarities in (pairs.join(wanted, on=["a", "b"], how="semi")
                                                         .select("x", "y", "pos", "src_pos", "similarity")
                                                         .iter_rows()):
        edges[(x, y)] = list(zip(positions, src_positions, similarities))
    return candidates, edges


def _recurring(signatures: pl.DataFrame, sentences: pl.DataFrame, corpus: _Corpus, head: dict[int, int],
               params: StoryParams) -> set[tuple[int, int]]:
    """(document, position) of the sentences whose text recurs across unrelated documents: a site's footer,
    an "About X" paragraph, a promo. A sentence found verbatim in more than `max_sentence_clusters`
    near-duplicate clusters is such a block when those clusters are also more than that many unrelated
    texts (`_unrelated_holders`): the rest of a footer's pages share nothing, while the copies and cuts of
    a syndicated article share its other sentences too, so its sentences stay distinctive."""
    if signatures.is_empty():
        return set()
    cluster = pl.DataFrame({"doc_id": corpus.ids, "x": range(len(corpus.ids)),
                            "cluster": [head[x] for x in range(len(corpus.ids))]},
                           schema={"doc_id": pl.String, "x": pl.Int64, "cluster": pl.Int64})
    found = (signatures.filter(pl.col("n_content") >= params.min_content_words).select("sent_id", "doc_id", "norm")
             .join(cluster, on="doc_id"))
    spread = found.filter(pl.col("cluster").n_unique().over("norm") > params.max_sentence_clusters)
    if spread.is_empty():
        return set()
    blocks = _unrelated_holders(found, spread, params.max_sentence_clusters)
    position = (sentences.sort("doc_id", "paragraph", "index")
                .select("sent_id", pos=pl.int_range(pl.len()).over("doc_id")))
    common = spread.filter(pl.col("norm").is_in(blocks)).join(position, on="sent_id")
    return set(common.select("x", "pos").iter_rows())


def _unrelated_holders(found: pl.DataFrame, spread: pl.DataFrame, limit: int) -> list[str]:
    """The norms of `spread` (sentences in more than `limit` clusters) whose clusters form more than
    `limit` groups of related texts: two clusters are related when they share a sentence that is not
    itself that widespread (their own reporting); a cluster with no such sentence of its own (a page whose
    extracted text is only the block, a paywall cut of the lead) tells nothing and is not counted. A
    widespread sentence is found in at most a few clusters' own text, so the pairs stay near-linear."""
    own = (found.join(spread.select("norm").unique(), on="norm", how="anti")
           .join(spread.select("cluster").unique(), on="cluster", how="semi")
           .select("norm", "cluster").unique())
    links = (own.join(own, on="norm").filter(pl.col("cluster") < pl.col("cluster_right"))
             .select("cluster", "cluster_right").unique())
    neighbours: dict[int, set[int]] = {}
    for a, b in links.iter_rows():
        neighbours.setdefault(a, set()).add(b)
        neighbours.setdefault(b, set()).add(a)
    with_own = set(own["cluster"].to_list())
    blocks = []
    for norm, clusters in (spread.select("norm", "cluster").unique().group_by("norm")
                           .agg(pl.col("cluster").sort()).sort("norm").iter_rows()):
        holders = [c for c in clusters if c in with_own]
        if len(holders) > limit and _n_groups(holders, neighbours) > limit:
            blocks.append(norm)
    return blocks


def _n_groups(members: list[int], neighbours: dict[int, set[int]]) -> int:
    """Connected groups of `members` under `neighbours`, links between members only."""
    inside, seen, groups = set(members), set(), 0
    for start in members:
        if start in seen:
            continue
        groups += 1
        seen.add(start)
        stack = [start]
        while stack:
            for other in neighbours.get(stack.pop(), ()):
                if other in inside and other not in seen:
                    seen.add(other)
                    stack.append(other)
    return groups


def _block_free_shingles(shingle_sets: list[np.ndarray], signatures: pl.DataFrame, sentences: pl.DataFrame,
                         corpus: _Corpus, recurring: set[tuple[int, int]], params: StoryParams
                         ) -> dict[int, np.ndarray]:
    """{document: its shingle hashes without those inside its recurring sentences or its other sentences
    that are no distinctive statement}, for the documents that hold a recurring sentence: what is left of a
    text once the block it shares with unrelated pages is set aside, with the block's calls to action and
    headings ("Please keep your comments relevant ...", too short or not a statement to be recurring
    themselves). A shingle across the edge of a kept sentence stays: it joins the text's own words."""
    if not recurring:
        return {}
    numbers = pl.DataFrame({"doc_id": corpus.ids, "x": range(len(corpus.ids))},
                           schema={"doc_id": pl.String, "x": pl.Int64})
    holders = pl.DataFrame({"x": sorted({x for x, _ in recurring})}, schema={"x": pl.Int64})
    statements = signatures.filter(pl.col("n_content") >= params.min_content_words).select("sent_id")
    placed = (sentences.sort("doc_id", "paragraph", "index")
              .select("doc_id", "sent_id", "text", pos=pl.int_range(pl.len()).over("doc_id"))
              .join(numbers, on="doc_id").join(holders, on="x", how="semi")
              .join(statements.with_columns(statement=pl.lit(True)), on="sent_id", how="left"))
    free: dict[int, np.ndarray] = {}
    for x, positions, texts, statement in (placed.group_by("x", maintain_order=True)
                                           .agg("pos", "text", "statement").iter_rows()):
        # Runs of consecutive set-aside sentences are shingled as one text: a shingle across two of them
        # is the block's too.
        runs: list[list[str]] = [[]]
        for pos, text, is_statement in zip(positions, texts, statement):
            if not is_statement or (x, pos) in recurring:
                runs[-1].extend(tokens(text))
            elif runs[-1]:
                runs.append([])
        grams = [g for run in runs for g in shingles(run, params.shingle_size)]
        free[x] = np.setdiff1d(shingle_sets[x], shingle_hashes(grams), assume_unique=True)
    return free


def _distinctive_edges(edges: Edges, recurring: set[tuple[int, int]]) -> Edges:
    """The edges without a recurring sentence on either side: they never count as evidence of a rewrite."""
    if not recurring:
        return edges
    return {(x, y): [(p, q, s) for p, q, s in pairs if (x, p) not in recurring and (y, q) not in recurring]
            for (x, y), pairs in edges.items()}


def _copy_edges(directed: pl.DataFrame, sentences: pl.DataFrame, corpus: _Corpus, copies: list[tuple[int, int]],
                recurring: set[tuple[int, int]]) -> tuple[Edges, Edges, dict[int, list[str]]]:
    """(all edges, paraphrased edges, sentence ids by position) of each (copy, original) pair: its aligned
    (copy position, source position) sentence pairs without recurring sentences, every method and the
    non-verbatim ones, and the sent_ids of each copy's sentences in document order (to name the evidence)."""
    every: Edges = {}
    paraphrased: Edges = {}
    if not copies or directed.is_empty():
        return every, paraphrased, {}
    ids = corpus.ids
    wanted = pl.DataFrame({"doc": [ids[x] for x, _ in copies], "src_doc": [ids[r] for _, r in copies],
                           "x": [x for x, _ in copies], "y": [r for _, r in copies]},
                          schema={"doc": pl.String, "src_doc": pl.String, "x": pl.Int64, "y": pl.Int64})
    position = (sentences.sort("doc_id", "paragraph", "index")
                .select("doc_id", "sent_id", pos=pl.int_range(pl.len()).over("doc_id"), quoted=_quoted()))
    pairs = (directed.join(wanted, on=["doc", "src_doc"])
             .join(position.select("sent_id", "pos", "quoted"), left_on="sent", right_on="sent_id")
             .join(position.select("sent_id", src_pos="pos", src_quoted="quoted"), left_on="src_sent",
                   right_on="sent_id")
             .sort("x", "y", "pos", "similarity", "src_pos", descending=[False, False, False, True, False])
             .with_columns(paraphrased=(pl.col("method") != "exact") & ~pl.col("quoted") & ~pl.col("src_quoted")))
    for x, y, pos, src_pos, sim, paraphrase in (pairs.select("x", "y", "pos", "src_pos", "similarity", "paraphrased")
                                                .iter_rows()):
        if (x, pos) in recurring or (y, src_pos) in recurring:
            continue
        every.setdefault((x, y), []).append((pos, src_pos, sim))
        if paraphrase:
            paraphrased.setdefault((x, y), []).append((pos, src_pos, sim))
    names: dict[int, list[str]] = {}
    index = {doc_id: x for x, doc_id in enumerate(ids)}
    for doc_id, sent_ids in (position.join(wanted.select(doc_id="doc"), on="doc_id", how="semi")
                             .group_by("doc_id", maintain_order=True).agg("sent_id").iter_rows()):
        names[index[doc_id]] = sent_ids
    return every, paraphrased, names


# ---------------------------------------------------------------------------------------------- grouping

@dataclass(frozen=True)
class _Grouping:
    """Documents by position, most original first (`visit`, `rank`), with their candidate neighbours."""
    neighbours: dict[int, list[int]]
    visit: list[int]
    rank: dict[int, int]


def _grouping(corpus: _Corpus, candidates: set[tuple[int, int]], measure: _Measures) -> _Grouping:
    """The visiting order: not cut (a paywall-cut document never heads a story when a fuller version is
    around), earliest published, longest, doc_id."""
    neighbours: dict[int, list[int]] = {}
    for a, b in sorted(candidates):
        neighbours.setdefault(a, []).append(b)
        neighbours.setdefault(b, []).append(a)

    def priority(x: int) -> tuple:
        is_cut = bool(corpus.cut[x]) or any(measure.is_cut_from(x, y) for y in neighbours.get(x, []))
        return (is_cut, corpus.dates[x] is None, corpus.dates[x] or 0, -corpus.n_words[x], corpus.ids[x])

    visit = sorted(range(len(corpus.ids)), key=priority)
    return _Grouping(neighbours, visit, {x: i for i, x in enumerate(visit)})


def _near_duplicate_heads(grouping: _Grouping, measure: _Measures, params: StoryParams) -> dict[int, int]:
    """Each document's cluster head: reprints of one text form a star around its most original member, so
    every member is itself within near_jaccard of its head (no chaining through intermediate edits)."""
    head: dict[int, int] = {}
    for x in grouping.visit:
        heads = [(-measure.shingles(x, y)[0], grouping.rank[y], y) for y in grouping.neighbours.get(x, [])
                 if head.get(y) == y and measure.is_twin(x, y)]
        head[x] = min(heads)[2] if heads else x
    return head


def _story_originals(grouping: _Grouping, head: dict[int, int], measure: _Measures
                     ) -> tuple[dict[int, int], dict[int, tuple[str, float]]]:
    """(original of each cluster head, how each copying head copies it): heads, most original first, attach
    to the best story original one of their cluster's members neighbours."""
    members: dict[int, list[int]] = {}
    for x in grouping.visit:
        members.setdefault(head[x], []).append(x)
    original_of: dict[int, int] = {}
    decided: dict[int, tuple[str, float]] = {}
    for x in grouping.visit:
        if head[x] != x:
            continue
        roots = {original_of[head[r]] for m in members[x] for r in grouping.neighbours.get(m, [])
                 if head[r] in original_of}
        options = []
        for r in sorted(roots):
            found = measure.relation(x, r) if original_of[r] == r else None
            if found is not None:
                options.append((RELATION_RANK[found[0]], -found[1], grouping.rank[r], r, found))
        if options:
            best = min(options)
            original_of[x], decided[x] = best[3], best[4]
        else:
            original_of[x] = x
    return original_of, decided


def _longest_headline(starts: dict[tuple[str, ...], list[tuple[tuple[str, ...], int]]],
                      sequences: list[list[str]], own_story: int) -> tuple[int, int] | None:
    """(words, story) of the longest headline key found word for word in one of `sequences` (ties: the
    smaller story position), other than one of `own_story`; None when there is none."""
    best: tuple[int, int] | None = None
    for sequence in sequences:
        for at in range(len(sequence) - 1):
            for key, story in starts.get(tuple(sequence[at:at + 2]), []):
                if story == own_story or tuple(sequence[at:at + len(key)]) != key:
                    continue
                if best is None or (-len(key), story) < (-best[0], best[1]):
                    best = (len(key), story)
    return best


def _headline_copies(corpus: _Corpus, head: dict[int, int], original_of: dict[int, int], n_sentences: list[int],
                     params: StoryParams) -> dict[int, tuple[int, float]]:
    """{copy: (story original, share of the copy's words in the headline)}: paywall cuts that kept nothing
    but the headline (and a byline or a date line). A document alone in its story, with at most
    `headline_max_words` words of text and no statement beyond them, whose title or text holds, word for
    word, the title (>= `headline_min_words` words) of documents that have a body, all of one story, is a
    truncated copy of that story. A title shared by documents of two stories (a site's name, "Home") is
    nobody's evidence."""
    story_of = {x: original_of[head[x]] for x in range(len(corpus.ids))}
    size: dict[int, int] = {}
    for r in story_of.values():
        size[r] = size.get(r, 0) + 1
    holders: dict[tuple[str, ...], set[int]] = {}
    for x, title in enumerate(corpus.titles):
        key = tuple(tokens(title))
        if len(key) >= params.headline_min_words and n_sentences[x] > 0:
            holders.setdefault(key, set()).add(story_of[x])
    # Keys by their first two words: a copy's words are looked up where each key could start.
    starts: dict[tuple[str, ...], list[tuple[tuple[str, ...], int]]] = {}
    for key, stories in holders.items():
        if len(stories) == 1:
            starts.setdefault(key[:2], []).append((key, next(iter(stories))))
    found: dict[int, tuple[int, float]] = {}
    for x in range(len(corpus.ids)):
        # the cheap tests first: tokenising every text of the corpus cost more than all the rest
        if size[story_of[x]] > 1 or n_sentences[x] > 2:
            continue
        words = tokens(corpus.texts[x])
        if len(words) > params.headline_max_words:
            continue
        best = _longest_headline(starts, [tokens(corpus.titles[x]), words], x)
        if best is not None:
            total = len(words) + len(tokens(corpus.titles[x]))
            found[x] = (best[1], min(best[0] / total, 1.0) if total else 1.0)
    return found


def _story_rows(corpus: _Corpus, head: dict[int, int], original_of: dict[int, int],
                decided: dict[int, tuple[str, float]], measure: _Measures,
                sent_names: dict[int, list[str]], headline: dict[int, tuple[int, float]]) -> pl.DataFrame:
    """One row per document: a head is an original / unique / copy of its story's original; the other
    members of its cluster are near-duplicates of the original (story heads) or copies of the same kind
    (copy clusters). Each copy carries its confidence and its evidence sentences (`_Measures`)."""
    story_of = [original_of[head[x]] for x in range(len(corpus.ids))]
    sizes: dict[int, int] = {}
    for r in story_of:
        sizes[r] = sizes.get(r, 0) + 1
    ids = corpus.ids
    rows = []
    for x, r in enumerate(story_of):
        twin = ids[head[x]] if head[x] != x else None
        if r == x:
            rows.append((ids[x], "s" + ids[x], "original" if sizes[x] > 1 else "unique", None,
                         1.0, 1.0, 1.0, 1.0, sizes[x], twin, 1.0, 0, []))
            continue
        m = measure(x, r)
        if head[x] == r:
            name = "near_duplicate"
        elif head[x] == x:
            name = decided[x][0]
        else:
            name = (measure.relation(x, r) or decided[head[x]])[0]
        evidence = measure.evidence(x, r, name)
        names = sent_names.get(x, [])
        score, confidence = float(m[SCORE_OF[name]]), measure.confidence(x, r, name, len(evidence))
        if x in headline:   # the headline is the evidence: weaker than any body (0.5 to 0.75)
            score = headline[x][1]
            confidence = round(0.5 + 0.25 * score, 6)
        rows.append((ids[x], "s" + ids[r], name, ids[r], score, m["jaccard"],
                     m["containment"], m["aligned_share"], sizes[r], twin, confidence, len(evidence),
                     [names[pos] for pos, _, _ in evidence]))
    return pl.DataFrame(rows, schema=polars_schema(tables.Stories), orient="row").sort("doc_id")


def _story_alignments(directed: pl.DataFrame, stories: pl.DataFrame) -> pl.DataFrame:
    """Each sentence of a copy or rewrite with its best-aligned sentence of the story's original."""
    copies = stories.filter(pl.col("source_doc_id").is_not_null()).select(doc="doc_id", src_doc="source_doc_id")
    best = (directed.join(copies, on=["doc", "src_doc"])
            .sort(["doc", "sent", "similarity", "src_sent"], descending=[False, False, True, False])
            .group_by("doc", "sent", maintain_order=True).first()
            .select(doc_id="doc", sent_id="sent", source_doc_id="src_doc", source_sent_id="src_sent",
                    similarity="similarity", method="method")
            .sort("doc_id", "sent_id"))
    return frame(best, tables.Alignments)


# ------------------------------------------------------------------------------------------------- search

def find_stories(docs: pl.DataFrame, sentences: pl.DataFrame, matches: ShingleMatches, signatures: pl.DataFrame,
                 links: TypeLinks | None, params: StoryParams) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(stories, alignments): one row per document, and the sentence pairs behind each copy or rewrite.

    `docs` is `story_documents(...)`, `matches` the `shingle_matches` of their sketches, `signatures` the
    `sentence_signatures` of their sentences, `links` the `link_types` of those signatures (recomputed when
    they do not serve the story params or cover other documents too)."""
    if docs.is_empty():
        return empty_frame(tables.Stories), empty_frame(tables.Alignments)
    corpus = _Corpus.of(docs, matches)
    if not signatures.select(pl.col("doc_id").is_in(corpus.ids).all()).item():
        signatures, links = signatures.filter(pl.col("doc_id").is_in(corpus.ids)), None
    if not sentences.is_empty():
        sentences = sentences.filter(pl.col("doc_id").is_in(corpus.ids))
    directed = _directed(align_sentences(signatures, params, _likely_originals(corpus), links=links))
    n_sentences = _content_sentences(signatures, corpus, params)
    candidates, edges = _sentence_edges(directed, sentences, corpus, n_sentences, matches.pairs, params)
    measure = _Measures(matches.hash_sets, n_sentences, edges, params, matches.overlaps)
    measure.title_words = [frozenset(tokens(title)) for title in corpus.titles]
    measure.titled = [len(words) >= params.headline_min_words for words in measure.title_words]
    measure.n_words = corpus.n_words
    measure.cut = [bool(flag) for flag in corpus.cut]
    grouping = _grouping(corpus, candidates, measure)
    head = _near_duplicate_heads(grouping, measure, params)
    recurring = _recurring(signatures, sentences, corpus, head, params)
    measure.edges = _distinctive_edges(edges, recurring)
    measure.block_free = _block_free_shingles(matches.hash_sets, signatures, sentences, corpus, recurring, params)
    original_of, decided = _story_originals(grouping, head, measure)
    headline = _headline_copies(corpus, head, original_of, n_sentences, params)
    for x, (r, share) in headline.items():
        original_of[x], decided[x] = r, ("truncated_copy", share)
    copies = [(x, original_of[head[x]]) for x in range(len(corpus.ids)) if original_of[head[x]] != x]
    measure.evidence_edges, measure.paraphrase_edges, sent_names = _copy_edges(directed, sentences, corpus,
                                                                               copies, recurring)
    stories = _story_rows(corpus, head, original_of, decided, measure, sent_names, headline)
    return stories, _story_alignments(directed, stories)
