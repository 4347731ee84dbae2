"""Entity statistics count independent stories, not copies."""
from __future__ import annotations

import polars as pl

from schemas.aggregate import EntityStats
from stages.aggregate.entity_stats import entity_stats, top_entities

from tests.aggregate.tiny_corpus import B, HAMAS, ISRAEL, ROME


def stats_by_name(frame: pl.DataFrame) -> dict[str, tuple[int, int, int]]:
    return {r["canonical"]: (r["n_mentions"], r["n_docs"], r["n_stories"]) for r in frame.iter_rows(named=True)}


def test_copies_do_not_add_stories(tiny_corpus):
    stats = entity_stats(tiny_corpus["entities"], tiny_corpus["stories"])
    EntityStats.validate(stats, lazy=True)
    by_name = stats_by_name(stats)
    # Hamas: named in A and in its copy B -> two documents, one story.
    assert by_name["Hamas"] == (2, 2, 1)
    # Israel: A (twice), B, C -> 4 mentions, 3 documents, 2 stories.
    assert by_name["Israel"] == (4, 3, 2)
    assert stats["entity_id"].to_list() == sorted(stats["entity_id"].to_list())


def test_document_without_story_row_is_its_own_story(tiny_corpus):
    stories = tiny_corpus["stories"].filter(pl.col("doc_id") != B)
    by_name = stats_by_name(entity_stats(tiny_corpus["entities"], stories))
    assert by_name["Hamas"] == (2, 2, 2)


def test_only_the_given_labels_are_counted(tiny_corpus):
    # The stage counts aggregate.named_labels: "Sunday" (DATE) is in the tag tables, not in the entity ranking.
    everything = stats_by_name(entity_stats(tiny_corpus["entities"], tiny_corpus["stories"]))
    named = stats_by_name(entity_stats(tiny_corpus["entities"], tiny_corpus["stories"], ["GPE", "ORG"]))
    assert "Sunday" in everything and "Sunday" not in named and named["Israel"] == everything["Israel"]


def test_empty_entities_give_empty_valid_table(tiny_corpus):
    stats = entity_stats(tiny_corpus["entities"].head(0), tiny_corpus["stories"])
    assert stats.is_empty()
    EntityStats.validate(stats, lazy=True)


def test_top_entities_rank_by_stories_and_filter_labels(tiny_corpus):
    stats = entity_stats(tiny_corpus["entities"], tiny_corpus["stories"])
    top = top_entities(stats, 3, ["GPE", "ORG"])
    assert top["canonical"].to_list() == ["Israel", "Qatar", "Rome"]
    assert "Sunday" not in top_entities(stats, 10, ["GPE", "ORG"])["canonical"].to_list()
    assert top_entities(stats, 10)["entity_id"].is_in([ROME, ISRAEL, HAMAS]).sum() == 3


def test_a_merged_entity_is_shown_by_its_full_name_whatever_the_order():
    from stages.aggregate.entity_stats import entity_names
    rows = {"doc_id": ["d1", "d1", "d2", "d3", "d3"], "entity_id": ["e"] * 5,
            "canonical": ["Biden", "Biden", "Joe Biden", "Joseph Biden", "Joseph Biden"]}
    names = entity_names(pl.DataFrame(rows))
    assert names.to_dicts() == [{"entity_id": "e", "canonical": "Joseph Biden"}]   # several words, most mentions
    shuffled = entity_names(pl.DataFrame(rows).reverse())
    assert shuffled.equals(names)
