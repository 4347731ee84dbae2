"""Timeline: copies of a story collapse into one event; the sentence shown is the original's."""
from __future__ import annotations

import datetime

import polars as pl

from schemas.aggregate import Timeline
from stages.aggregate.timeline import build_timeline
from tests.aggregate.tiny_corpus import A, B, C


def timeline_of(corpus: dict[str, pl.DataFrame], **overrides) -> pl.DataFrame:
    tables = {**corpus, **overrides}
    return build_timeline(tables["dates"], tables["sentences"], tables["stories"], tables["clean_docs"])


def test_copies_make_one_event_with_the_original_sentence(tiny_corpus):
    timeline = timeline_of(tiny_corpus)
    Timeline.validate(timeline, lazy=True)
    assert timeline["date"].to_list() == [datetime.date(2024, 7, 1), datetime.date(2024, 7, 28)]
    sunday = timeline.row(1, named=True)
    assert (sunday["n_docs"], sunday["n_mentions"], sunday["n_stories"]) == (2, 2, 1)
    assert sunday["doc_ids"] == [A, B]
    assert sunday["doc_id"] == A and sunday["text"].startswith("Officials from Israel")
    assert sunday["date_text"] == "Sunday" and sunday["granularity"] == "day"


def test_source_preferred_even_when_the_copy_sorts_first(tiny_corpus):
    # Make B the original and A the copy: the representative follows the relation, not the doc_id order.
    stories = tiny_corpus["stories"].with_columns(
        pl.when(pl.col("doc_id") == A).then(pl.lit("near_duplicate"))
        .when(pl.col("doc_id") == B).then(pl.lit("original")).otherwise(pl.col("relation")).alias("relation"))
    assert timeline_of(tiny_corpus, stories=stories).row(1, named=True)["doc_id"] == B


def test_n_stories_counts_stories_carrying_the_statement_not_the_day(tiny_corpus):
    dates = tiny_corpus["dates"].with_columns(
        pl.when(pl.col("doc_id") == C).then(pl.lit(datetime.date(2024, 7, 28))).otherwise(pl.col("date"))
        .alias("date"),
        pl.when(pl.col("doc_id") == C).then(pl.lit(datetime.date(2024, 7, 28))).otherwise(pl.col("date_end"))
        .alias("date_end"),
        pl.when(pl.col("doc_id") == C).then(pl.lit("day")).otherwise(pl.col("granularity")).alias("granularity"))
    timeline = timeline_of(tiny_corpus, dates=dates)
    assert timeline.height == 2  # one event per story
    assert timeline["n_stories"].to_list() == [1, 1]  # one day, two unrelated statements
    assert timeline["event_id"].n_unique() == 2
    # A claim that both stories make carries both of its events.
    sent_ids = dates.filter(pl.col("date") == datetime.date(2024, 7, 28))["sent_id"].unique().sort().to_list()
    claims = pl.DataFrame({"sent_ids": [sent_ids], "n_stories": [2]})
    assert build_timeline(dates, tiny_corpus["sentences"], tiny_corpus["stories"], tiny_corpus["clean_docs"],
                          claims)["n_stories"].to_list() == [2, 2]


def test_dates_outside_statements_are_no_events(tiny_corpus):
    sentences = tiny_corpus["sentences"].with_columns(pl.lit("Follow us on Twitter").alias("text"))
    assert timeline_of(tiny_corpus, sentences=sentences).is_empty()


def test_unresolved_dates_are_left_out(tiny_corpus):
    dates = tiny_corpus["dates"].with_columns(pl.lit(False).alias("resolved"))
    timeline = timeline_of(tiny_corpus, dates=dates)
    assert timeline.is_empty()
    Timeline.validate(timeline, lazy=True)
