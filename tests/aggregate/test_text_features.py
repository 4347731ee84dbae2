"""Sentence alignment: one search for linked sentence types can serve story and claim detection at once."""
from __future__ import annotations

import polars as pl

from stages.aggregate.text_features import (align_sentences, alignment_params, link_types, sentence_pairs,
                                            sentence_signatures, shared_search)

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


def signatures() -> pl.DataFrame:
    rows = [{"doc_id": doc, "sent_id": f"{doc}:{i}:0", "text": text}
            for doc, texts in TEXTS.items() for i, text in enumerate(texts)]
    return sentence_signatures(pl.DataFrame(rows), None)


def test_links_for_the_lower_threshold_give_each_callers_own_pairs():
    sig = signatures()
    loose = alignment_params({"paraphrase_threshold": 0.25})
    strict = alignment_params({"paraphrase_threshold": 0.5, "anchors_per_type": 1})
    search = shared_search(loose, strict)
    assert search["paraphrase_threshold"] == 0.25
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
    links = link_types(signatures(), alignment_params({"paraphrase_threshold": 0.5}))
    assert not links.serves({"paraphrase_threshold": 0.25})
    assert not links.serves({"paraphrase_threshold": 0.5, "max_feature_df": 7})
    assert links.serves({"paraphrase_threshold": 0.8, "near_threshold": 0.9, "anchors_per_type": 1})
    # Different search knobs: no shared search, the first caller's params are used as they are.
    assert shared_search({"min_shared_features": 3}, {"paraphrase_threshold": 0.1})["paraphrase_threshold"] == 0.5


def test_types_do_not_depend_on_the_document_ranking():
    # One text in two documents, the tag stage found an entity in only one copy: the type's features (and
    # so its similarity to other sentences) come from its first sentence id, whatever the ranking.
    text = "Governor Maria Lopez warned that inflation remained stubbornly high across the region."
    rows = pl.DataFrame({"doc_id": ["a" * 16, "b" * 16, "c" * 16], "sent_id": ["a" * 16 + ":0:0", "b" * 16 + ":0:0",
                                                                             "c" * 16 + ":0:0"],
                         "text": [text, text, "Inflation stayed high in the region, Lopez said."]})
    entities = pl.DataFrame({"doc_id": ["b" * 16, "c" * 16], "sent_id": ["b" * 16 + ":0:0", "c" * 16 + ":0:0"],
                             "entity_id": ["0123456789abcdef"] * 2})
    sig = sentence_signatures(rows, entities)
    params = alignment_params({"paraphrase_threshold": 0.1})
    ranks = [pl.DataFrame({"doc_id": order, "rank": [0, 1, 2]})
             for order in (["a" * 16, "b" * 16, "c" * 16], ["b" * 16, "a" * 16, "c" * 16])]
    pairs = [align_sentences(sig, params, rank).filter(pl.col("doc_id_b") == "c" * 16) for rank in ranks]
    assert pairs[0].height == 2 and pairs[0].equals(pairs[1])


def test_list_intersection_keeps_the_first_lists_ascending_order():
    # link_types sums the shared feature weights in the order set_intersection returns them; they must be
    # ascending (a polars upgrade that changed this would change similarities in the last digits).
    first = pl.Series([[1, 3, 5, 7, 9, 11], [2, 4, 8], [10, 20, 30]], dtype=pl.List(pl.UInt32))
    second = pl.Series([[11, 9, 7, 3], [8, 2, 4, 16], [30, 10]], dtype=pl.List(pl.UInt32))
    shared = pl.DataFrame({"a": first, "b": second}).select(pl.col("a").list.set_intersection("b"))["a"]
    assert shared.to_list() == [[3, 7, 9, 11], [2, 4, 8], [10, 30]]
