"""Co-occurrence: one row per unordered pair, counted by sentences, documents and stories, with PMI."""
from __future__ import annotations

import math

import polars as pl

from schemas.aggregate import Cooccurrence
from stages.aggregate.cooccurrence import strongest_pairs
from stages.aggregate.cooccurrence import cooccurrence as cooccurrence_of
from tests.aggregate.tiny_corpus import ISRAEL, QATAR, ROME, SUNDAY
from tests.shipped_params import shipped


def cooccurrence(entities, sentences, stories, min_sentences: int = 2, labels: list[str] | None = None):
    params = shipped("aggregate", {"cooccurrence": {"min_sentences": min_sentences}})
    return cooccurrence_of(entities, sentences, stories, params.cooccurrence, labels or params.named_labels)


def pair(frame: pl.DataFrame, a: str, b: str) -> dict:
    rows = frame.filter((pl.col("entity_id_a") == a) & (pl.col("entity_id_b") == b))
    assert rows.height == 1, frame
    return rows.row(0, named=True)


def test_pairs_counts_and_pmi(tiny_corpus):
    pairs = cooccurrence(tiny_corpus["entities"], tiny_corpus["sentences"], tiny_corpus["stories"],
                         1)
    Cooccurrence.validate(pairs, lazy=True)
    assert (pairs["entity_id_a"] < pairs["entity_id_b"]).all()
    israel_qatar = pair(pairs, ISRAEL, QATAR)
    # A:0, A:2, B:0, C:1 -> 4 sentences, 3 documents, 2 stories (A and its copy B are one).
    assert (israel_qatar["n_sentences"], israel_qatar["n_docs"], israel_qatar["n_stories"]) == (4, 3, 2)
    n_sentences = tiny_corpus["sentences"].height  # 7; Israel and Qatar are each in 4 sentences
    assert math.isclose(israel_qatar["pmi"], math.log(4 * n_sentences / (4 * 4)), abs_tol=1e-6)
    rome_israel = pair(pairs, ROME, ISRAEL)  # A:0 and its copy B:0
    assert (rome_israel["n_sentences"], rome_israel["n_docs"], rome_israel["n_stories"]) == (2, 2, 1)


def test_dates_are_not_entities_of_the_network(tiny_corpus):
    pairs = cooccurrence(tiny_corpus["entities"], tiny_corpus["sentences"], tiny_corpus["stories"],
                         1)
    assert SUNDAY not in set(pairs["entity_id_a"].to_list()) | set(pairs["entity_id_b"].to_list())
    with_dates = cooccurrence(tiny_corpus["entities"], tiny_corpus["sentences"], tiny_corpus["stories"],
                              1, ["GPE", "DATE"])
    assert SUNDAY in set(with_dates["entity_id_b"].to_list()) | set(with_dates["entity_id_a"].to_list())


def test_min_sentences_drops_rare_pairs(tiny_corpus):
    pairs = cooccurrence(tiny_corpus["entities"], tiny_corpus["sentences"], tiny_corpus["stories"],
                         3)
    assert pairs.select("entity_id_a", "entity_id_b").rows() == [(ISRAEL, QATAR)]


def test_repeated_mention_in_one_sentence_counts_once(tiny_corpus):
    doubled = pl.concat([tiny_corpus["entities"], tiny_corpus["entities"]])
    once = cooccurrence(tiny_corpus["entities"], tiny_corpus["sentences"], tiny_corpus["stories"])
    twice = cooccurrence(doubled, tiny_corpus["sentences"], tiny_corpus["stories"])
    assert once.equals(twice)


def test_strongest_pairs_order(tiny_corpus):
    pairs = cooccurrence(tiny_corpus["entities"], tiny_corpus["sentences"], tiny_corpus["stories"],
                         1)
    assert strongest_pairs(pairs, 1).select("entity_id_a", "entity_id_b").rows() == [(ISRAEL, QATAR)]


def test_no_entities_give_empty_valid_table(tiny_corpus):
    pairs = cooccurrence(tiny_corpus["entities"].head(0), tiny_corpus["sentences"], tiny_corpus["stories"])
    Cooccurrence.validate(pairs, lazy=True)
    assert pairs.is_empty()
