"""Helpers added to make the aggregate stage faster and leaner: they must give exactly what they replace."""
from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from stages.aggregate.stories import _n_common
from stages.aggregate.text_features import _sorted_weight_sums, shingles

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
    weight_of = WEIGHTS[order]
    series = pl.Series("fid", coded, dtype=pl.List(pl.Int64))
    got = _sorted_weight_sums(series, weight_of)
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


@settings(max_examples=80, deadline=None)
@given(st.sets(st.integers(0, 60)), st.sets(st.integers(0, 60)))
def test_n_common_counts_the_shared_values(a, b):
    left = np.array(sorted(a), dtype=np.uint64)
    right = np.array(sorted(b), dtype=np.uint64)
    assert _n_common(left, right) == len(a & b) == _n_common(right, left)


def test_shingles_are_word_ngrams():
    words = "a b c d e f".split()
    assert shingles(words, 5) == ["a b c d e", "b c d e f"]
    assert shingles(words[:3], 5) == ["a b c"]
    assert shingles([], 5) == []
