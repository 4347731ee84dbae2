"""Story dates: a document without a page date resolved against a dated document of its story."""
import datetime as dt

import polars as pl

from schemas.aggregate import StoryDates
from stages.aggregate.story_dates import resolve_story_dates, story_bases
from stages.tag.dates import extract_dates
from tests.shipped_params import shipped
from tests.tag.sentence_frames import frames

PARAMS = shipped("tag").dates
ORIGINAL, COPY, REWRITE, ALONE = "a" * 16, "b" * 16, "c" * 16, "d" * 16
TEXT = "Officials met in Rome on Sunday. They will meet again next week. The talks began in 2023."
SUNDAY = dt.date(2024, 7, 28)


def corpus(published: dict[str, dt.date | None], relations: dict[str, tuple[str, str]]):
    """docs, sentences, tag dates and stories for documents holding TEXT."""
    docs, sentences = [], []
    for doc_id, date in published.items():
        d, s = frames(TEXT, doc_id)
        docs.append(d.with_columns(pl.lit(date, dtype=pl.Date).alias("published_date")))
        sentences.append(s)
    docs, sentences = pl.concat(docs), pl.concat(sentences)
    stories = pl.DataFrame({"doc_id": list(relations), "story_id": [v[0] for v in relations.values()],
                            "relation": [v[1] for v in relations.values()]})
    return docs, sentences, extract_dates(docs, sentences, PARAMS), stories


def test_an_undated_copy_gets_the_dates_its_original_has():
    docs, sentences, dates, stories = corpus(
        {ORIGINAL: SUNDAY, COPY: None, ALONE: None},
        {ORIGINAL: ("s1", "original"), COPY: ("s1", "truncated_copy"), ALONE: ("s2", "unique")})
    out = resolve_story_dates(dates, sentences, docs, stories, PARAMS)
    StoryDates.validate(out)
    by_doc = {doc_id: rows for (doc_id,), rows in out.group_by("doc_id")}
    original = by_doc[ORIGINAL].drop("doc_id", "sent_id", "base_date_from")
    copy = by_doc[COPY].drop("doc_id", "sent_id", "base_date_from")
    assert copy.equals(original)                       # same text, same base: the same resolution
    assert set(by_doc[COPY]["base_date_from"]) == {f"story:{ORIGINAL}"}
    assert set(by_doc[ORIGINAL]["base_date_from"]) == {"page"}
    assert by_doc[COPY].filter(pl.col("text") == "Sunday")["date"].to_list() == [SUNDAY]
    # a story of its own without a date: tag's rows, no base
    alone = by_doc[ALONE]
    assert alone["base_date_from"].null_count() == alone.height and alone["base_date"].null_count() == alone.height
    assert alone.filter(pl.col("text") == "Sunday")["resolution"].to_list() == ["unresolved"]
    assert alone.drop("base_date", "base_date_from").equals(
        dates.filter(pl.col("doc_id") == ALONE).select(alone.drop("base_date", "base_date_from").columns))


def test_the_base_is_the_dated_original_else_the_earliest_dated_document():
    docs = pl.DataFrame({"doc_id": [ORIGINAL, COPY, REWRITE, ALONE],
                         "published_date": [None, dt.date(2024, 7, 30), dt.date(2024, 7, 29), None]},
                        schema_overrides={"published_date": pl.Date})
    stories = pl.DataFrame({"doc_id": [ORIGINAL, COPY, REWRITE, ALONE], "story_id": ["s1", "s1", "s1", "s2"],
                            "relation": ["original", "near_duplicate", "rewrite", "unique"]})
    bases = {row[0]: row[1:] for row in story_bases(docs, stories).iter_rows()}
    # the original has no date: the earliest dated copy gives it (and the copies keep their own)
    assert bases[ORIGINAL] == (dt.date(2024, 7, 29), f"story:{REWRITE}")
    assert bases[COPY] == (dt.date(2024, 7, 30), "page")
    assert bases[ALONE] == (None, None)
    dated_original = docs.with_columns(pl.when(pl.col("doc_id") == ORIGINAL).then(dt.date(2024, 8, 1))
                                       .otherwise(pl.col("published_date")).alias("published_date"))
    dated_original = dated_original.with_columns(
        pl.when(pl.col("doc_id") == REWRITE).then(None).otherwise(pl.col("published_date")).alias("published_date"))
    bases = {row[0]: row[1:] for row in story_bases(dated_original, stories).iter_rows()}
    assert bases[REWRITE] == (dt.date(2024, 8, 1), f"story:{ORIGINAL}")    # the original wins over earlier copies


def test_no_document_and_no_date_give_an_empty_valid_table():
    docs, sentences, dates, stories = corpus({ALONE: None}, {ALONE: ("s2", "unique")})
    out = resolve_story_dates(dates.clear(), sentences.clear(), docs.clear(), stories.clear(), PARAMS)
    assert out.is_empty() and StoryDates.validate(out) is not None
