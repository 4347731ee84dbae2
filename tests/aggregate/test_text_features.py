"""Text features: tokens, lemmas, shingles, signatures, and one search for linked sentence types that can
serve story and claim detection at once."""
from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from stages.aggregate.text_features import (Search, _sorted_weight_sums, align_sentences, lemma, link_types,
                                            sentence_pairs, sentence_signatures, shared_search, shingles, tokens,
                                            with_entity_ids)
from tests.shipped_params import shipped

# Three documents about one event: B copies a sentence of A word for word and paraphrases another, C says
# something loosely related (a weak match), plus one unrelated sentence.
TEXTS = {
    "a" * 16: ["The central bank raised its main interest rate to 5.25 percent on Tuesday.",
               "Governor Maria Lopez warned that inflation remained stubbornly high across the region.",
               "Exporters complained about the strong currency and weak foreign demand."],
    "b" * 16: ["The central bank raised its main interest rate to 5.25 percent on Tuesday.",
               "Inflation remained stubbornly high across the region, Governor Maria Lopez warned.",
               "Farmers prepared for a record wheat harvest in the northern provinces."],
    "c" * 16: ["Governor Maria Lopez spoke about high inflation and the interest rate at a conference.",
               "Exporters said the currency was strong and foreign demand weak this quarter."],
}
NO_ENTITIES = pl.DataFrame(schema={"doc_id": pl.String, "sent_id": pl.String, "entity_id": pl.String})


def alignment(section: str = "claims", **changes):
    return getattr(shipped("aggregate", {section: changes}), section)


def signatures(rows: pl.DataFrame | None = None, entities: pl.DataFrame = NO_ENTITIES) -> pl.DataFrame:
    if rows is None:
        rows = pl.DataFrame([{"doc_id": doc, "sent_id": f"{doc}:{i}:0", "text": text}
                             for doc, texts in TEXTS.items() for i, text in enumerate(texts)])
    return sentence_signatures(with_entity_ids(rows, entities))


def test_light_lemmas_merge_word_families_and_numbers_lose_separators():
    assert {lemma(w) for w in ("negotiations", "negotiators", "negotiate", "negotiating")} == {"negoti"}
    assert lemma("officials") == lemma("official") and lemma("fighters") == lemma("fighting")
    assert lemma("gaza") == "gaza" and lemma("1.4") == "1.4"
    assert tokens("About 182,000 people, 1.4 million") == ["about", "182000", "people", "1.4", "million"]


def test_shingles_are_word_ngrams():
    words = "a b c d e f".split()
    assert shingles(words, 5) == ["a b c d e", "b c d e f"]
    assert shingles(words[:3], 5) == ["a b c"]
    assert shingles([], 5) == []


def test_signatures_hold_content_lemmas_and_entity_ids_and_yaml_booleans_are_stop_words():
    rows = pl.DataFrame({"doc_id": ["a" * 16], "sent_id": ["a" * 16 + ":0:0"],
                         "text": ["No talks on Sunday, officials said, and off they went."]})
    entities = pl.DataFrame({"doc_id": ["a" * 16], "sent_id": ["a" * 16 + ":0:0"], "entity_id": ["0123456789abcdef"]})
    row = signatures(rows, entities).row(0, named=True)
    assert row["features"] == sorted({"@0123456789abcdef", lemma("talks"), lemma("sunday"), lemma("officials"),
                                      lemma("went")})
    assert row["n_content"] == 4 and row["norm"].startswith("no talks on sunday")


def test_links_for_the_lower_threshold_give_each_callers_own_pairs():
    sig = signatures()
    loose = alignment("stories", paraphrase_threshold=0.25)
    strict = alignment("claims", paraphrase_threshold=0.5, anchors_per_type=1)
    search = shared_search(loose, strict)
    assert search.paraphrase_threshold == 0.25
    links = link_types(sig, search)
    assert links.serves(loose) and links.serves(strict)
    rank = pl.DataFrame({"doc_id": ["c" * 16, "b" * 16, "a" * 16], "rank": [0, 1, 2]})
    for params in (loose, strict):
        alone = align_sentences(sig, params, rank)
        assert sentence_pairs(links, params, rank).equals(alone)
        assert align_sentences(sig, params, rank, links=links).equals(alone)
    # The looser threshold finds more (weaker) pairs; the strict one keeps the exact and near copies.
    assert align_sentences(sig, loose).height > align_sentences(sig, strict).height
    assert {"exact", "near"} <= set(align_sentences(sig, strict)["method"].to_list())


def test_links_do_not_serve_a_different_search_or_a_lower_threshold():
    links = link_types(signatures(), Search.of(alignment(paraphrase_threshold=0.5)))
    assert not links.serves(alignment(paraphrase_threshold=0.25))
    assert not links.serves(alignment(paraphrase_threshold=0.5, max_feature_df=7))
    assert links.serves(alignment(paraphrase_threshold=0.8, near_threshold=0.9, anchors_per_type=1))
    # Different search knobs: no shared search, the first caller's params are used as they are.
    first, second = alignment(min_shared_features=3), alignment("stories", paraphrase_threshold=0.1)
    assert shared_search(first, second) == Search.of(first)


def test_types_do_not_depend_on_the_document_ranking():
    # One text in two documents, the tag stage found an entity in only one copy: the type's features (and
    # so its similarity to other sentences) come from its first sentence id, whatever the ranking.
    text = "Governor Maria Lopez warned that inflation remained stubbornly high across the region."
    docs = ["a" * 16, "b" * 16, "c" * 16]
    rows = pl.DataFrame({"doc_id": docs, "sent_id": [d + ":0:0" for d in docs],
                         "text": [text, text, "Inflation stayed high in the region, Lopez said."]})
    entities = pl.DataFrame({"doc_id": docs[1:], "sent_id": [d + ":0:0" for d in docs[1:]],
                             "entity_id": ["0123456789abcdef"] * 2})
    sig = signatures(rows, entities)
    params = alignment(paraphrase_threshold=0.1)
    ranks = [pl.DataFrame({"doc_id": order, "rank": [0, 1, 2]}) for order in (docs, [docs[1], docs[0], docs[2]])]
    pairs = [align_sentences(sig, params, rank).filter(pl.col("doc_id_b") == "c" * 16) for rank in ranks]
    assert pairs[0].height == 2 and pairs[0].equals(pairs[1])


def test_list_intersection_keeps_the_first_lists_ascending_order():
    # link_types sums the shared feature weights in the order set_intersection returns them; they must be
    # ascending (a polars upgrade that changed this would change similarities in the last digits).
    first = pl.Series([[1, 3, 5, 7, 9, 11], [2, 4, 8], [10, 20, 30]], dtype=pl.List(pl.UInt32))
    second = pl.Series([[11, 9, 7, 3], [8, 2, 4, 16], [30, 10]], dtype=pl.List(pl.UInt32))
    shared = pl.DataFrame({"a": first, "b": second}).select(pl.col("a").list.set_intersection("b"))["a"]
    assert shared.to_list() == [[3, 7, 9, 11], [2, 4, 8], [10, 30]]


WEIGHTS = np.array([0.1, 0.7, 1.3, 2.9, 1e-9, 3.3], dtype=np.float64)


def sequential(codes: list[int]) -> float:
    total = 0.0
    for w in sorted(WEIGHTS[c] for c in codes):
        total += w
    return total


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, len(WEIGHTS) - 1), max_size=8, unique=True), max_size=12))
def test_sorted_weight_sums_is_the_sequential_sum_of_sorted_weights(lists):
    # Codes are numbered so that ascending codes are ascending weights; sort the toy weights accordingly.
    order = np.argsort(WEIGHTS, kind="stable")
    rank = {int(c): i for i, c in enumerate(order)}
    coded = [sorted(rank[c] for c in codes) for codes in lists]
    series = pl.Series("fid", coded, dtype=pl.List(pl.Int64))
    got = _sorted_weight_sums(series, WEIGHTS[order])
    assert got.tolist() == [sequential([int(order[r]) for r in codes]) for codes in coded]


def test_sorted_weight_sums_matches_polars_cum_sum_and_handles_empty_lists():
    series = pl.Series("fid", [[0, 2, 5], [], [1], [0, 1, 2, 3, 4, 5]], dtype=pl.List(pl.Int64))
    weight_of = np.sort(WEIGHTS)
    got = _sorted_weight_sums(series, weight_of)
    assert len(got) == 4 and got[1] == 0.0
    frame = pl.DataFrame({"g": [0, 0, 0, 2, 3, 3, 3, 3, 3, 3],
                          "w": weight_of[[0, 2, 5, 1, 0, 1, 2, 3, 4, 5]]})
    by_polars = dict(frame.group_by("g").agg(pl.col("w").sort().cum_sum().last()).iter_rows())
    assert [got[0], got[2], got[3]] == [by_polars[0], by_polars[2], by_polars[3]]
