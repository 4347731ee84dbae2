"""Related stories: independent coverage of one event shares entities and days or figures, not text."""
from __future__ import annotations

import datetime

import polars as pl

from schemas.aggregate import Related
from schemas.base import polars_schema
from stages.aggregate.claims import find_claims
from stages.aggregate.related import find_related, story_facts
from tests.aggregate.test_stories import CAIRO, ROME, A, B, C, D, frames, search
from tests.shipped_params import shipped

DAY = datetime.date(2024, 7, 28)
LABELS = ["PERSON", "ORG", "GPE"]


def story_table(stories: dict[str, str]) -> pl.DataFrame:
    """doc_id -> story_id: originals are the documents whose story is named after them."""
    return pl.DataFrame({"doc_id": list(stories), "story_id": list(stories.values()),
                         "relation": ["original" if s == "s" + d else "near_duplicate" for d, s in stories.items()],
                         "source_doc_id": [None if s == "s" + d else s[1:] for d, s in stories.items()],
                         "duplicate_of": [None] * len(stories)},
                        schema_overrides={"source_doc_id": pl.String, "duplicate_of": pl.String})


def mentions(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    """(doc_id, entity_id, label) -> an entities frame."""
    return pl.DataFrame([{"doc_id": d, "sent_id": f"{d}:0:0", "label": label, "canonical": f"name {e}",
                          "entity_id": e} for d, e, label in rows],
                        schema={"doc_id": pl.String, "sent_id": pl.String, "label": pl.String,
                                "canonical": pl.String, "entity_id": pl.String})


def days(rows: list[tuple[str, datetime.date, str]]) -> pl.DataFrame:
    return pl.DataFrame([{"doc_id": d, "date": day, "granularity": g, "resolved": True} for d, day, g in rows],
                        schema={"doc_id": pl.String, "date": pl.Date, "granularity": pl.String,
                                "resolved": pl.Boolean})


def figures(rows: list[tuple[str, int]]) -> pl.DataFrame:
    return pl.DataFrame([{"doc_id": d, "value": v} for d, v in rows], schema={"doc_id": pl.String, "value": pl.Int64})


def related(stories, entities, dates, counts, changes: dict | None = None) -> pl.DataFrame:
    params = shipped("aggregate", {"related": changes or {}}).related
    return find_related(stories, entities, dates, counts, LABELS, params)


# Three stories and a copy: A and B cover one event (two people, one day, one figure); C names the same
# people on another day (a topic, not the event); D is a copy of A.
STORIES = story_table({A: "s" + A, B: "s" + B, C: "s" + C, D: "s" + A})
ENTITIES = mentions([(d, e, "PERSON") for d in (A, B, C, D) for e in ("aaaa000000000001", "aaaa000000000002")]
                    + [(A, "aaaa000000000003", "ORG"), (B, "aaaa000000000004", "ORG"),
                       (A, "aaaa000000000009", "DATE"), (B, "aaaa000000000009", "DATE")])
DATES = days([(A, DAY, "day"), (B, DAY, "day"), (C, DAY.replace(day=1), "day"), (D, DAY, "day"),
              (C, DAY, "month")])
COUNTS = figures([(A, 182000), (B, 182000), (A, 3), (B, 3)])


def test_independent_coverage_of_one_event_is_related_and_a_topic_alone_is_not():
    found = related(STORIES, ENTITIES, DATES, COUNTS)
    assert dict(found.schema) == polars_schema(Related)
    Related.validate(found)
    assert found.select("story_id_a", "story_id_b", "doc_id_a", "doc_id_b").rows() == [("s" + A, "s" + B, A, B)]
    row = found.row(0, named=True)
    # Named labels only (not DATE entities), resolved days only, figures of at least min_figure.
    assert row["shared_entities"] == ["name aaaa000000000001", "name aaaa000000000002"]
    assert row["shared_days"] == [DAY.isoformat()] and row["shared_figures"] == ["182000"]
    assert (row["n_entities"], row["n_days"], row["n_figures"]) == (2, 1, 1)
    assert 0.0 < row["score"] < 1.0


def test_thresholds_are_read_from_the_related_section():
    assert related(STORIES, ENTITIES, DATES, COUNTS, {"min_shared_entities": 3}).is_empty()
    assert related(STORIES, ENTITIES, DATES, COUNTS, {"min_shared_facts": 3}).is_empty()
    assert related(STORIES, ENTITIES, DATES, COUNTS, {"min_score": 1.0}).is_empty()
    # Without the figure, the day alone still makes it one event; without both, entities alone do not.
    assert related(STORIES, ENTITIES, DATES, COUNTS, {"min_figure": 10**9}).height == 1
    assert related(STORIES, ENTITIES, days([]), COUNTS, {"min_figure": 10**9}).is_empty()


def test_a_copy_adds_its_facts_to_its_story_and_never_pairs_with_it():
    facts = story_facts(STORIES, ENTITIES, DATES, COUNTS, LABELS, shipped("aggregate").related)
    assert set(facts["story_id"]) == {"s" + A, "s" + B, "s" + C}
    only_copy = story_table({A: "s" + A, B: "s" + B, D: "s" + A})
    copy_facts = days([(D, DAY, "day"), (B, DAY, "day")])     # A's story knows the day from its copy only
    found = related(only_copy, ENTITIES, copy_facts, figures([]))
    assert found.select("story_id_a", "story_id_b").rows() == [("s" + A, "s" + B)]


def test_empty_inputs_give_an_empty_typed_table():
    empty = related(STORIES.clear(), ENTITIES.clear(), DATES.clear(), COUNTS.clear())
    assert empty.is_empty() and dict(empty.schema) == polars_schema(Related)
    assert related(STORIES, ENTITIES.clear(), DATES.clear(), COUNTS.clear()).is_empty()


def test_same_pairs_whatever_the_row_order():
    first = related(STORIES, ENTITIES, DATES, COUNTS)
    again = related(STORIES.reverse(), ENTITIES.reverse(), DATES.reverse(), COUNTS.reverse())
    assert first.equals(again)


def test_related_stories_count_as_independent_for_corroboration():
    """Two outlets making one statement in their own reporting: two stories behind the claim."""
    statement = ROME[-1]   # "About 182,000 people were displaced ...": both quote the UN figure
    docs, sentences = frames({A: ROME[:4] + [statement], B: CAIRO + [statement]})
    found = search(docs, sentences)
    assert found.stories["story_id"].n_unique() == 2
    claims = find_claims(sentences, found.signatures, found.stories, shipped("aggregate").claims, found.links)
    carried = claims.filter(pl.col("text").str.contains("182,000"))
    assert carried.height == 1 and carried["n_stories"].item() == 2
