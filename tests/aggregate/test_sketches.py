"""MinHash sketches: plain data per document, read back into rensa's LSH with the same candidates."""
from __future__ import annotations

import numpy as np
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from rensa import RMinHash, RMinHashLSH

from stages.aggregate.sketches import _n_common, shingle_matches, sketch_documents
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
