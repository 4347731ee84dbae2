"""Text features shared by story and claim detection: tokens, light lemmas, shingles, sentence alignment.

- `tokens`: lower-cased words and numbers (thousand separators dropped, so "182,000" == "182000").
- `lemma`: a cheap suffix-stripping stemmer (suffix list in data/text_features.yaml), enough to make
  "negotiations", "negotiators" and "negotiate" one lemma without loading a language model.
- `shingles`: overlapping word n-grams of a text, the unit of MinHash (near-duplicates) and containment
  (truncated copies).
- `sentence_signatures` (per document: a batch task) + `align_sentences` (corpus-wide): every sentence
  becomes the set of its content-word lemmas plus the entity ids the tag stage found in it. Identical
  normalised sentences are one sentence *type* (a text reprinted by a hundred sites counts once, so its
  words stay rare). Type pairs are proposed by an inverted index over the rarer features (a feature held by
  more than `max_feature_df` types does not propose pairs, so the candidate search stays near-linear), then
  scored by an IDF-weighted Dice coefficient over all their features (0 when both give numbers and
  neither's numbers are all in the other: a changed figure is a different fact). Sentence pairs are read
  off the type pairs, each sentence linked to the first `anchors_per_type` copies of the other text (the
  likeliest originals first). A pair is `exact` (same normalised text), `near` (Dice >= `near_threshold`)
  or `paraphrase` (Dice >= `paraphrase_threshold`).

Everything is deterministic: no Python `hash()`, outputs sorted.
"""
from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from schemas.params import Alignment
from stages.common.datafiles import load_yaml

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "text_features.yaml"

# Numbers keep their internal separators ("1.4", "182,000"); words are runs of letters. Each alternative
# is a plain run (the group needs a separator first), so matching is linear.
TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")

# Internal frames (never written as tables): sentence pairs, sentence types and their links, signatures.
ALIGNMENT_SCHEMA = {"sent_id_a": pl.String, "doc_id_a": pl.String, "sent_id_b": pl.String,
                    "doc_id_b": pl.String, "similarity": pl.Float64, "method": pl.String}
MEMBERS_SCHEMA = {"tid": pl.UInt32, "sent_id": pl.String, "doc_id": pl.String}
LINKS_SCHEMA = {"tid": pl.UInt32, "tid_b": pl.UInt32, "similarity": pl.Float64}
SIGNATURE_SCHEMA = {"sent_id": pl.String, "doc_id": pl.String, "norm": pl.String,
                    "features": pl.List(pl.String), "n_content": pl.Int64}


@functools.lru_cache(maxsize=1)
def _lexicon() -> tuple[frozenset[str], tuple[str, ...]]:
    # The strict loader: YAML would read `no`, `on`, `off` as booleans (they used to become "False"/"True").
    data = load_yaml(LEXICON_PATH, dict[str, list[str]])
    suffixes = tuple(sorted(set(data["suffixes"]), key=lambda s: (-len(s), s)))
    return frozenset(data["stopwords"]), suffixes


def tokens(text: str | None) -> list[str]:
    """Lower-cased words and numbers of a text, thousand separators removed from numbers."""
    if not text:
        return []
    return [t.replace(",", "") if t[0].isdigit() else t for t in TOKEN_RE.findall(text.lower())]


@functools.lru_cache(maxsize=200_000)
def lemma(word: str) -> str:
    """Strip up to two suffixes (longest first) while at least three letters remain; numbers unchanged."""
    if word[0].isdigit():
        return word
    _, suffixes = _lexicon()
    for _ in range(2):
        for suffix in suffixes:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                word = word[: -len(suffix)]
                break
        else:
            break
    return word


def shingles(words: list[str], size: int) -> list[str]:
    """Word n-grams; a text shorter than `size` words is one shingle (so it can still match itself)."""
    if not words:
        return []
    if len(words) <= size:
        return [" ".join(words)]
    # zip of the shifted word lists: the n-grams without a slice per position.
    return list(map(" ".join, zip(*(words[k:] for k in range(size)))))


# ------------------------------------------------------------------------------ signatures (per document)

def with_entity_ids(sentences: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """doc_id, sent_id, text of each sentence with `entity_ids`: the ids of the entities the tag stage found
    in it (the input of `sentence_signatures`)."""
    found = (entities.filter(pl.col("sent_id").is_not_null() & pl.col("entity_id").is_not_null())
             .group_by("sent_id").agg(entity_ids=pl.col("entity_id")))
    return (sentences.select("doc_id", "sent_id", "text").join(found, on="sent_id", how="left", maintain_order="left")
            .with_columns(pl.col("entity_ids").fill_null(pl.lit([], dtype=pl.List(pl.String)))))


def sentence_signatures(sentences: pl.DataFrame) -> pl.DataFrame:
    """sent_id, doc_id, norm (normalised text), features (sorted unique content lemmas and '@entity_id'),
    n_content (content words in the sentence) for every sentence of `with_entity_ids`, sorted by sent_id.

    A pure function of each sentence and its entity ids: the stage runs it per batch of documents.
    Tokenising runs in polars; the stemmer runs once per distinct word, not once per occurrence."""
    if sentences.is_empty():
        return pl.DataFrame(schema=SIGNATURE_SCHEMA)
    stopwords, _ = _lexicon()
    rows = (sentences.select("sent_id", "doc_id", "text", "entity_ids").unique("sent_id", keep="first")
            .sort("sent_id").with_row_index("row")
            .with_columns(words=pl.col("text").fill_null("").str.to_lowercase().str.extract_all(TOKEN_RE.pattern)
                          .list.eval(pl.element().str.replace_all(",", "", literal=True)))
            .drop("text"))
    # Word occurrences keyed by a row number (not the sent_id string: millions of rows at corpus scale).
    occurrences = (rows.lazy().select("row", "words").explode("words").drop_nulls("words")
                   .filter(~pl.col("words").is_in(sorted(stopwords))
                           & ((pl.col("words").str.len_chars() > 1) | pl.col("words").str.contains(r"^\d")))
                   .collect())
    vocabulary = occurrences.select(pl.col("words").unique().sort())
    lemmas = vocabulary.with_columns(feature=pl.Series([lemma(w) for w in vocabulary["words"]], dtype=pl.String))
    occurrences = occurrences.join(lemmas, on="words", how="left").select("row", "feature")
    counts = occurrences.group_by("row").agg(n_content=pl.len().cast(pl.Int64))
    mentions = (rows.select("row", "entity_ids").explode("entity_ids").drop_nulls("entity_ids")
                .select("row", feature=pl.lit("@") + pl.col("entity_ids")))
    grouped = pl.concat([occurrences, mentions]).group_by("row").agg(features=pl.col("feature").unique().sort())
    return (rows.with_columns(norm=pl.col("words").list.join(" "))
            .join(grouped, on="row", how="left").join(counts, on="row", how="left")
            .with_columns(pl.col("features").fill_null(pl.lit([], dtype=pl.List(pl.String))),
                          pl.col("n_content").fill_null(0))
            .select(list(SIGNATURE_SCHEMA)).cast(SIGNATURE_SCHEMA)  # type: ignore[arg-type]
            .sort("sent_id"))


# --------------------------------------------------------------------------- sentence types (corpus-wide)

@dataclass(frozen=True)
class Search:
    """The alignment knobs that decide which sentence types are linked, and the threshold links are kept at.

    Two callers whose search knobs agree can share one set of links computed at the lower threshold
    (`paraphrase_threshold` only filters links, so those of the lower one hold every link of the higher)."""
    min_content_words: int
    max_feature_df: int
    min_shared_features: int
    number_conflict: bool
    paraphrase_threshold: float

    @classmethod
    def of(cls, alignment: Alignment) -> Search:
        return cls(**{field.name: getattr(alignment, field.name) for field in dataclasses.fields(cls)})

    def same_index(self, other: Search) -> bool:
        return dataclasses.replace(self, paraphrase_threshold=0.0) == dataclasses.replace(other,
                                                                                         paraphrase_threshold=0.0)

    def serves(self, alignment: Alignment) -> bool:
        """Whether links of this search hold every type pair `alignment` would find."""
        wanted = Search.of(alignment)
        return self.same_index(wanted) and wanted.paraphrase_threshold >= self.paraphrase_threshold


def shared_search(*alignments: Alignment) -> Search:
    """One search whose links serve every one of `alignments` when their search knobs agree (at the lowest
    threshold); otherwise the first's, and the others compute their own."""
    searches = [Search.of(alignment) for alignment in alignments]
    if not all(searches[0].same_index(search) for search in searches[1:]):
        return searches[0]
    return dataclasses.replace(searches[0], paraphrase_threshold=min(s.paraphrase_threshold for s in searches))


@dataclass(frozen=True)
class TypeLinks:
    """Sentence types (identical normalised texts) and the scored links between them (`link_types`).

    members: tid, sent_id, doc_id of every content sentence. links: tid, tid_b, similarity; tid < tid_b for
    two types with weighted Dice >= `search.paraphrase_threshold`, tid == tid_b (similarity 1.0) for a type
    found in two or more documents (exact copies). `search` is what they were computed with."""
    members: pl.DataFrame
    links: pl.DataFrame
    search: Search

    def serves(self, alignment: Alignment) -> bool:
        return self.search.serves(alignment)


def _sorted_weight_sums(code_lists: pl.Series, weight_of: np.ndarray) -> np.ndarray:
    """Per list of feature codes (ascending, so ascending weights): the weights added one by one, smallest
    first (0.0 for an empty list).

    A sequential sum of the sorted weights depends on the weights alone. polars' `sum()` adds in SIMD
    lanes that start where a group happens to sit in memory, so its last bits changed from run to run
    with a parallel group-by's layout (and `similarity` with them). The additions run vectorised across
    lists, one position at a time: list i gets acc_i = ((w_i0 + w_i1) + w_i2) + ..., in exactly that order.
    """
    lengths = code_lists.list.len().cast(pl.Int64).to_numpy()
    sums = np.zeros(len(lengths), dtype=np.float64)
    if not len(lengths) or not lengths.max():
        return sums
    values = weight_of[code_lists.explode().drop_nulls().to_numpy()]
    starts = np.zeros(len(lengths), dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    # Longest lists first, so that the lists still being added to at position k are a prefix.
    order = np.argsort(-lengths, kind="stable")
    lengths, starts = lengths[order], starts[order]
    acc = np.zeros(len(lengths), dtype=np.float64)
    active = len(lengths)
    for k in range(int(lengths[0])):
        while lengths[active - 1] <= k:
            active -= 1
        acc[:active] += values[starts[:active] + k]
    sums[order] = acc
    return sums


@dataclass(frozen=True)
class _Types:
    """The sentence types of a corpus and their features as integer codes (`_sentence_types`)."""
    members: pl.DataFrame     # tid, sent_id, doc_id
    numbers: pl.DataFrame     # tid, numbers (the type's number features)
    repeated: pl.DataFrame    # tid of the types found in two or more documents
    codes: pl.DataFrame       # tid, fid (ascending)
    proposing: pl.LazyFrame   # tid, fid of the features rare enough to propose pairs
    weight_of: np.ndarray     # IDF weight per fid


def _sentence_types(signatures: pl.DataFrame, search: Search) -> _Types:
    """Types: one per distinct normalised text of a content sentence, numbered in text order (a dense rank,
    no join on the texts), its features from its first member by sent_id (members of one type differ at
    most in the entity ids the tag stage gave them). Features become codes numbered by descending document
    frequency, so ascending codes are ascending IDF weights."""
    members = (signatures.lazy().filter(pl.col("n_content") >= search.min_content_words)
               .select("sent_id", "doc_id", "norm", "features").sort("sent_id")
               .with_columns(tid=(pl.col("norm").rank("dense") - 1).cast(pl.UInt32)).collect())
    types = (members.group_by("tid", maintain_order=True)
             .agg(pl.col("features").first(), n_docs=pl.col("doc_id").n_unique()).sort("tid"))
    exploded = (types.select("tid", "features").explode("features").rename({"features": "feature"})
                .drop_nulls("feature"))
    # IDF over types: a feature in every type weighs ~0.69, one in two types ~ln(1 + N/2).
    vocabulary = (exploded.group_by("feature").agg(df=pl.len())
                  .sort(["df", "feature"], descending=[True, False]).with_row_index("fid"))
    weight_of = vocabulary.select(weight=(1.0 + types.height / pl.col("df")).log())["weight"].to_numpy()
    exploded = exploded.join(vocabulary.select("feature", "fid", "df"), on="feature", how="left",
                             maintain_order="left").select("tid", "fid", "df")
    # Numbers are facts: when both sentences give figures, the figures of one must all be in the other
    # (a paraphrase may drop a figure, not change one). Template stories differ exactly there: "sold 75
    # head of cattle to the Canary Islands" / "380 head ... to Kuwait"; weekly market reports.
    numbers = pl.col("features").list.eval(pl.element().filter(pl.element().str.contains(r"^\d")))
    rare = (pl.col("df") >= 2) & (pl.col("df") <= search.max_feature_df)
    return _Types(members=members.select("tid", "sent_id", "doc_id"),
                  numbers=types.select("tid", numbers=numbers),
                  repeated=types.filter(pl.col("n_docs") >= 2).select("tid"),
                  codes=exploded.group_by("tid").agg(pl.col("fid").sort()),
                  proposing=exploded.lazy().filter(rare).select("tid", "fid"), weight_of=weight_of)


def _scored_type_pairs(types: _Types, search: Search) -> pl.DataFrame:
    """tid < tid_b, similarity: candidate pairs (sharing >= min_shared_features proposing features) scored
    by IDF-weighted Dice over all their features (0 on a number conflict), kept at paraphrase_threshold."""
    type_pairs = (types.proposing.join(types.proposing, on="fid", suffix="_b")
                  .filter(pl.col("tid") < pl.col("tid_b"))
                  .group_by("tid", "tid_b").agg(shared=pl.len())
                  .filter(pl.col("shared") >= search.min_shared_features).select("tid", "tid_b")
                  .collect(engine="streaming"))
    # Exact weighted overlap over all features (the index above ignored the frequent ones): the codes the
    # two types share, their weights summed. The intersection keeps the first list's ascending order
    # (tests/aggregate/test_text_features.py checks it), so no sort is needed before the sums.
    shared_codes = (type_pairs.join(types.codes, on="tid", how="left")
                    .join(types.codes.rename({"tid": "tid_b", "fid": "fid_b"}), on="tid_b", how="left")
                    .select("tid", "tid_b", fid=pl.col("fid").list.set_intersection("fid_b")))
    overlap = shared_codes.select("tid", "tid_b",
                                  shared=pl.Series(_sorted_weight_sums(shared_codes["fid"], types.weight_of)))
    totals = types.codes.select("tid", total=pl.Series(_sorted_weight_sums(types.codes["fid"], types.weight_of)))
    side = types.numbers.join(totals, on="tid", how="left")
    scored = (type_pairs.join(overlap, on=["tid", "tid_b"], how="left")
              .join(side, on="tid").join(side.rename(lambda c: c + "_b"), on="tid_b")
              .with_columns(similarity=(2.0 * pl.col("shared").fill_null(0.0)
                                        / (pl.col("total") + pl.col("total_b"))).clip(0.0, 1.0).round(12)))
    if search.number_conflict:
        shared = pl.col("numbers").list.set_intersection("numbers_b").list.len()
        conflict = ((pl.col("numbers").list.len() > 0) & (pl.col("numbers_b").list.len() > 0)
                    & (shared < pl.min_horizontal(pl.col("numbers").list.len(), pl.col("numbers_b").list.len())))
        scored = scored.with_columns(similarity=pl.when(conflict).then(0.0).otherwise(pl.col("similarity")))
    return scored.filter(pl.col("similarity") >= search.paraphrase_threshold).select(
        "tid", "tid_b", pl.col("similarity").cast(pl.Float64))


def link_types(signatures: pl.DataFrame, search: Search) -> TypeLinks:
    """Sentence types of the content sentences (`_sentence_types`) and their links: scored pairs of types
    (`_scored_type_pairs`) and each type found in two or more documents linked to itself (exact copies)."""
    content = pl.col("n_content") >= search.min_content_words
    if signatures.is_empty() or signatures.select(content.sum()).item() < 2:
        return TypeLinks(pl.DataFrame(schema=MEMBERS_SCHEMA), pl.DataFrame(schema=LINKS_SCHEMA), search)
    types = _sentence_types(signatures, search)
    scored = _scored_type_pairs(types, search)
    repeated = types.repeated.select("tid", tid_b="tid", similarity=pl.lit(1.0, pl.Float64))
    links = pl.concat([scored, repeated]).cast(LINKS_SCHEMA)  # type: ignore[arg-type]
    return TypeLinks(types.members.cast(MEMBERS_SCHEMA), links, search)  # type: ignore[arg-type]


def sentence_pairs(links: TypeLinks, alignment: Alignment, doc_rank: pl.DataFrame | None = None) -> pl.DataFrame:
    """The aligned sentence pairs of `links` at `alignment`'s thresholds: every member of one type with the
    first `anchors_per_type` members of the other (and of its own type, for exact copies), members ordered by
    `doc_rank` (doc_id, rank: lower first, e.g. the most original document) then sent_id. That keeps the
    output linear in the corpus (a hundred reprints give a hundred pairs per anchor, not ten thousand)
    while every sentence is linked to the preferred copies. A pair is `exact` (same type), `near`
    (similarity >= near_threshold) or `paraphrase`. Pairs of different documents, sent_id_a < sent_id_b."""
    exact = pl.col("tid") == pl.col("tid_b")
    type_links = links.links.filter(exact | (pl.col("similarity") >= alignment.paraphrase_threshold)).with_columns(
        method=pl.when(exact).then(pl.lit("exact"))
        .when(pl.col("similarity") >= alignment.near_threshold).then(pl.lit("near")).otherwise(pl.lit("paraphrase")))
    if type_links.is_empty():
        return pl.DataFrame(schema=ALIGNMENT_SCHEMA)
    members = links.members
    if doc_rank is not None and not doc_rank.is_empty():
        members = members.join(doc_rank.select("doc_id", pl.col("rank").cast(pl.Int64)), on="doc_id", how="left")
    else:
        members = members.with_columns(rank=pl.lit(None, pl.Int64))
    anchors = (members.with_columns(pl.col("rank").fill_null(0)).sort("rank", "sent_id")
               .group_by("tid", maintain_order=True).head(alignment.anchors_per_type))

    left = members.select("tid", "sent_id", "doc_id")
    right = anchors.select(tid_b="tid", sent_id_b="sent_id", doc_id_b="doc_id")
    forward = type_links.join(left, on="tid").join(right, on="tid_b")
    backward = (type_links.join(left.rename({"tid": "tid_b"}), on="tid_b")
                .join(right.rename({"tid_b": "tid"}), on="tid"))
    pairs = pl.concat([forward.select("sent_id", "doc_id", "sent_id_b", "doc_id_b", "similarity", "method"),
                       backward.select("sent_id", "doc_id", "sent_id_b", "doc_id_b", "similarity", "method")])
    first = pl.col("sent_id") < pl.col("sent_id_b")
    return (pairs.filter(pl.col("doc_id") != pl.col("doc_id_b"))
            .select(sent_id_a=pl.when(first).then("sent_id").otherwise("sent_id_b"),
                    doc_id_a=pl.when(first).then("doc_id").otherwise("doc_id_b"),
                    sent_id_b=pl.when(first).then("sent_id_b").otherwise("sent_id"),
                    doc_id_b=pl.when(first).then("doc_id_b").otherwise("doc_id"),
                    similarity="similarity", method="method")
            .unique(["sent_id_a", "sent_id_b"]).sort("sent_id_a", "sent_id_b"))


def align_sentences(signatures: pl.DataFrame, alignment: Alignment, doc_rank: pl.DataFrame | None = None,
                    links: TypeLinks | None = None) -> pl.DataFrame:
    """Aligned sentence pairs of different documents (sent_id_a < sent_id_b), sorted: the sentence types are
    linked (`link_types`), then pairs of sentences read off the links (`sentence_pairs`). `links` from an
    earlier `link_types` call are reused when they serve `alignment` (stories and claims share one search)."""
    if links is None or not links.serves(alignment):
        links = link_types(signatures, Search.of(alignment))
    return sentence_pairs(links, alignment, doc_rank)
