"""metrics.json: numbers (and the faulted doc_ids), at most one level deep, and the figures add up."""
from __future__ import annotations

import json

import polars as pl

from schemas.aggregate import Related
from schemas.base import empty_frame
from stages.aggregate.cooccurrence import cooccurrence
from stages.aggregate.entity_stats import entity_stats
from stages.aggregate.metrics import boilerplate_by_document, compute_metrics, plot_tables
from stages.aggregate.timeline import build_timeline
from tests.shipped_params import shipped

NO_FAULTS = pl.DataFrame(schema={"doc_id": pl.String, "extractor": pl.String})
NO_RELATED = empty_frame(Related)
PARAMS = shipped("aggregate", {"cooccurrence": {"min_sentences": 1}, "report": {"top_entities": 2}})


def metrics_of(t: dict) -> dict:
    pairs = cooccurrence(t["entities"], t["sentences"], t["stories"], PARAMS.cooccurrence, PARAMS.named_labels)
    timeline = build_timeline(t["dates"], t["sentences"], t["stories"], t["clean_docs"])
    return compute_metrics(ingest_docs=t["ingest_docs"], rejected=t["rejected"], clean_docs=t["clean_docs"],
                           removed=t["removed"], boilerplate=boilerplate_by_document(t["ingest_docs"], t["removed"]),
                           sentences=t["sentences"], entities=t["entities"], quotes=t["quotes"], dates=t["dates"],
                           tag_rows={"themes": 0, "counts": 1}, stories=t["stories"], alignments=t["alignments"],
                           claims=t["claims"], cooccurrence=pairs, timeline=timeline,
                           named_labels=PARAMS.named_labels,
                           faults=t.get("faults", NO_FAULTS), related=t.get("related", NO_RELATED))


def test_numbers_only_one_level(tiny_corpus):
    metrics = metrics_of(tiny_corpus)
    for key, value in metrics.items():
        for name, number in (value.items() if isinstance(value, dict) else [(key, value)]):
            if (key, name) == ("faults", "doc_ids"):
                assert isinstance(number, str)
                continue
            assert isinstance(number, (int, float)) and not isinstance(number, bool), (key, number)
    json.dumps(metrics)  # serialisable as is


def test_figures(tiny_corpus):
    m = metrics_of(tiny_corpus)
    assert m["documents"] == {"inputs": 4, "accepted": 3, "rejected": 1, "cleaned": 3, "truncated": 1, "empty": 0,
                              "input_bytes": int(tiny_corpus["ingest_docs"]["n_bytes"].sum())}
    # Each raw text: Menu, Home, its sentences, Advertisement; the 3 boilerplate lines are removed.
    assert m["cleaning"]["removed_lines"] == 9 and m["cleaning"]["raw_lines"] == 16
    assert m["cleaning"]["boilerplate_share"] == round(9 / 16, 4)
    assert m["removed_by_reason"] == {"advertisement": 3, "navigation": 6}
    assert m["stories"]["stories"] == 2 and m["stories"]["copies"] == 1 and m["stories"]["rewrites"] == 0
    assert m["entities"]["distinct"] == 5 and m["sentences"] == 7
    assert m["claims"] == {"total": 1, "corroborated": 1}
    assert m["dates"]["timeline_events"] == 2 and m["tags"] == {"counts": 1, "themes": 0}
    assert m["entities"]["named_mentions"] == tiny_corpus["entities"].height - 2  # Sunday (twice) is a DATE


def test_faults_counted_and_named(tiny_corpus):
    assert metrics_of(tiny_corpus)["faults"] == {"documents": 0, "rows": 0, "doc_ids": ""}
    faults = pl.DataFrame({"doc_id": ["b", "a", "b"], "extractor": ["dates", "dates", "quotes"]})
    assert metrics_of({**tiny_corpus, "faults": faults})["faults"] == {"documents": 2, "rows": 3, "doc_ids": "a b"}
    many = pl.DataFrame({"doc_id": [f"d{i:02}" for i in range(12)], "extractor": ["dates"] * 12})
    named = metrics_of({**tiny_corpus, "faults": many})["faults"]["doc_ids"]
    assert named.startswith("d00 d01") and named.endswith("d09 (+2 more)")


def test_deterministic(tiny_corpus):
    assert json.dumps(metrics_of(tiny_corpus), sort_keys=True) == json.dumps(metrics_of(tiny_corpus), sort_keys=True)


def test_plot_tables(tiny_corpus):
    t = tiny_corpus
    plots = plot_tables(entity_stats(t["entities"], t["stories"]), t["stories"],
                        boilerplate_by_document(t["ingest_docs"], t["removed"]), PARAMS.report,
                        PARAMS.named_labels)
    assert set(plots) == {"top_entities", "story_sizes", "boilerplate"}
    assert plots["top_entities"]["canonical"].to_list() == ["Israel", "Qatar"]
    assert plots["story_sizes"].rows() == [(1, 1, 1), (2, 1, 2)]  # (story_size, stories, documents)
    assert plots["boilerplate"]["boilerplate_share"].to_list() == [0.5, 0.6, 0.6]
    assert plots["top_entities"].write_csv().splitlines()[0] == "canonical,label,n_stories,n_docs,n_mentions"


def test_related_pairs_are_counted(tiny_corpus):
    assert metrics_of(tiny_corpus)["stories"]["related_pairs"] == 0
    pair = {"story_id_a": "s1", "story_id_b": "s2", "doc_id_a": "a" * 16, "doc_id_b": "b" * 16, "score": 0.5,
            "n_entities": 0, "n_days": 0, "n_figures": 0, "shared_entities": [], "shared_days": [],
            "shared_figures": []}
    related = pl.DataFrame([pair], schema=NO_RELATED.schema)
    assert metrics_of({**tiny_corpus, "related": related})["stories"]["related_pairs"] == 1
