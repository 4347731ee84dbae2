"""MinHash sketches: plain data per document, read back into rensa's LSH with the same candidates, and the
LSH index a run leaves: updated with added documents it gives the matches of a build from nothing."""
from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rensa import RMinHash, RMinHashLSH

from stages.aggregate.sketches import (_n_common, _sketch_digests, _usable_index, shingle_matches, sketch_documents,
                                       update_matches)
from stages.aggregate.text_features import shingles, tokens
from tests.shipped_params import shipped

TEXTS = ["The central bank raised its main interest rate to 5.25 percent on Tuesday after a long debate.",
         "The central bank raised its main interest rate to 5.25 percent on Tuesday after a long debate!",
         "Farmers prepared for a record wheat harvest in the northern provinces this summer.",
         "", "Short text."]
DOCS = pl.DataFrame({"doc_id": [f"{n:016x}" for n in range(len(TEXTS))], "text": TEXTS})


def test_sketches_are_per_document_and_empty_texts_have_no_minhash():
    params = shipped("aggregate").stories
    sketches = sketch_documents(params, DOCS)
    assert sketches["doc_id"].to_list() == DOCS["doc_id"].to_list()
    assert sketches["minhash"].is_null().to_list() == [False, False, False, True, False]
    assert sketches["n_words"].to_list() == [len(tokens(t)) for t in TEXTS]
    one_by_one = pl.concat([sketch_documents(params, DOCS.slice(i, 1)) for i in range(DOCS.height)])
    assert one_by_one.equals(sketches)


def test_matches_equal_rensa_lsh_on_fresh_minhashes():
    params = shipped("aggregate").stories
    matches = shingle_matches(sketch_documents(params, DOCS), params)
    sketched = [i for i, t in enumerate(TEXTS) if tokens(t)]
    fresh = []
    for i in sketched:
        minhash = RMinHash(params.num_perm, params.seed)
        minhash.update(shingles(tokens(TEXTS[i]), params.shingle_size))
        fresh.append(minhash)
    lsh = RMinHashLSH(params.lsh_threshold, params.num_perm, params.lsh_bands)
    lsh.insert_many(fresh)
    expected = {(min(sketched[k], sketched[o]), max(sketched[k], sketched[o]))
                for k, found in enumerate(lsh.query_all(fresh)) for o in found if o != k}
    assert matches.pairs == expected and (0, 1) in expected
    assert matches.overlaps[(0, 1)] == _n_common(matches.hash_sets[0], matches.hash_sets[1]) > 0
    assert matches.doc_ids == DOCS["doc_id"].to_list()


@settings(max_examples=80, deadline=None)
@given(st.sets(st.integers(0, 60)), st.sets(st.integers(0, 60)))
def test_n_common_counts_the_shared_values(a, b):
    left = np.array(sorted(a), dtype=np.uint64)
    right = np.array(sorted(b), dtype=np.uint64)
    assert _n_common(left, right) == len(a & b) == _n_common(right, left)


def test_lsh_candidates_are_bounded_per_document():
    import numpy as np
    from stages.aggregate.sketches import _bounded
    priority = np.array([3, 0, 1, 2, 4])
    assert _bounded([0, 1, 2, 3, 4], 0, priority, 2) == [1, 2]
    assert _bounded([0, 4], 0, priority, 2) == [4]


# ----------------------------------------------------------------------- the LSH index, updated or rebuilt

def template_docs(n: int, seed: int) -> pl.DataFrame:
    """Template-like texts (many share LSH buckets, so `max_candidates` bounds them) and some unrelated ones."""
    rng = random.Random(seed)
    words = ["bank", "rate", "wheat", "harvest", "talks", "minister", "port", "strike", "oil", "price"]
    texts = []
    for number in range(n):
        if number % 3:
            slot = " ".join(rng.choice(words) for _ in range(rng.randint(0, 3)))
            texts.append(f"The central bank raised its main interest rate on Tuesday after a long debate {slot}.")
        else:
            texts.append(" ".join(rng.choice(words) for _ in range(rng.randint(0, 30))))
    return pl.DataFrame({"doc_id": [f"{rng.getrandbits(64):016x}" for _ in range(n)], "text": texts})


def same_matches(one, other) -> bool:
    return (one.pairs == other.pairs and list(one.overlaps.items()) == list(other.overlaps.items())
            and one.doc_ids == other.doc_ids and one.n_words == other.n_words)


@pytest.mark.parametrize("max_candidates", [1, 3, 100])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_matches_updated_from_an_index_equal_a_build_from_nothing(max_candidates, seed):
    params = shipped("aggregate").stories.model_copy(update={"max_candidates": max_candidates})
    sketches = sketch_documents(params, template_docs(60, seed))
    full, full_index = update_matches(sketches, params, None)
    assert same_matches(full, shingle_matches(sketches, params)) and full.pairs
    unbounded = shingle_matches(sketches, params.model_copy(update={"max_candidates": 1000}))
    assert max_candidates == 100 or len(full.pairs) < len(unbounded.pairs)   # the bound is exercised
    rng = random.Random(seed)
    index = None
    # built up in three steps (some documents added each time, in no order): the same matches every time
    order = rng.sample(range(sketches.height), sketches.height)
    for upto in (20, 45, 60):
        part = sketches[sorted(order[:upto])]
        updated, index = update_matches(part, params, index)
        assert same_matches(updated, update_matches(part, params, None)[0])
    assert same_matches(updated, full) and index.equals(full_index)


def test_an_index_that_no_longer_describes_the_documents_is_rebuilt_never_trusted():
    params = shipped("aggregate").stories.model_copy(update={"max_candidates": 2})
    docs = template_docs(30, 5)
    sketches = sketch_documents(params, docs)
    _, index = update_matches(sketches, params, None)
    current = pl.DataFrame({"doc_id": sketches["doc_id"], "sketch": _sketch_digests(sketches)})
    assert _usable_index(index, current) is not None
    changed = sketch_documents(params, docs.with_columns(
        pl.when(pl.int_range(pl.len()) == 4).then(pl.lit("A different text about oil prices and a port strike."))
        .otherwise(pl.col("text")).alias("text")))
    lies = index.with_columns(pl.when(pl.col("other").is_not_null()).then(pl.lit("ffffffffffffffff"))
                              .otherwise(None).alias("other"))
    stale = {"a document removed": (sketches.slice(1), index),
             "a document changed": (changed, index),
             "a candidate that is not indexed": (sketches, lies),
             "another shape": (sketches, index.drop("overlap")),
             "a missing overlap": (sketches, index.with_columns(pl.lit(None, pl.Int64).alias("overlap")))}
    for case, (now, previous) in stale.items():
        digests = pl.DataFrame({"doc_id": now["doc_id"], "sketch": _sketch_digests(now)}).filter(
            now["minhash"].is_not_null())
        assert _usable_index(previous, digests) is None, case
        assert same_matches(update_matches(now, params, previous)[0], shingle_matches(now, params)), case
