"""The aggregate table models accept the hand-built frames and reject a broken row of each."""
from __future__ import annotations

import pandera.errors
import polars as pl
import pytest

from schemas.aggregate import Alignments, Claims, Cooccurrence, Stories, Timeline
from stages.aggregate.cooccurrence import cooccurrence
from stages.aggregate.timeline import build_timeline
from tests.aggregate.tiny_corpus import A, build_tiny_corpus
from tests.shipped_params import shipped


def good() -> dict:
    t = build_tiny_corpus()
    params = shipped("aggregate", {"cooccurrence": {"min_sentences": 1}})
    return {Stories: t["stories"], Alignments: t["alignments"], Claims: t["claims"],
            Cooccurrence: cooccurrence(t["entities"], t["sentences"], t["stories"], params.cooccurrence,
                                       params.named_labels),
            Timeline: build_timeline(t["dates"], t["sentences"], t["stories"], t["clean_docs"])}


BROKEN = {
    Stories: ("aligned_share", 1.5),
    Alignments: ("method", "guess"),
    Claims: ("n_stories", 9),                  # more stories than documents
    Cooccurrence: ("entity_id_b", "0" * 16),   # pair not ordered a < b
    Timeline: ("granularity", "century"),
}


@pytest.mark.parametrize("model", list(BROKEN), ids=lambda m: m.__name__)
def test_good_frame_passes(model):
    model.validate(good()[model], lazy=True)


@pytest.mark.parametrize("model", list(BROKEN), ids=lambda m: m.__name__)
def test_broken_frame_is_rejected(model):
    column, value = BROKEN[model]
    frame = good()[model]
    bad = frame.with_columns(pl.lit(value, dtype=frame.schema[column]).alias(column))
    with pytest.raises(pandera.errors.SchemaErrors):
        model.validate(bad, lazy=True)


@pytest.mark.parametrize("model", list(BROKEN), ids=lambda m: m.__name__)
def test_every_column_is_declared_and_required(model):
    frame = good()[model]
    with pytest.raises(pandera.errors.SchemaErrors):
        model.validate(frame.with_columns(pl.lit(1).alias("undeclared")), lazy=True)
    with pytest.raises(pandera.errors.SchemaErrors):
        model.validate(frame.drop(frame.columns[-1]), lazy=True)


def test_copies_name_a_source_and_originals_none():
    stories = good()[Stories]
    orphan_copy = stories.with_columns(pl.lit(None, dtype=pl.String).alias("source_doc_id"))
    with pytest.raises(pandera.errors.SchemaErrors):
        Stories.validate(orphan_copy, lazy=True)
    original_with_source = stories.with_columns(pl.lit(A).alias("source_doc_id"))
    with pytest.raises(pandera.errors.SchemaErrors):
        Stories.validate(original_with_source, lazy=True)
