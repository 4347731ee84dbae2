"""Every extractor is total: any text and any base date in, rows (or none) out, never an exception; and a
fault that still escapes an extractor is caught per document, recorded, and the other documents' rows kept.
Property tests (hypothesis) feed each registered extractor arbitrary text and base dates."""
import datetime as dt
from dataclasses import replace

import polars as pl
from hypothesis import HealthCheck, given, settings, strategies as st

from schemas.base import empty_frame
from schemas.tag import Entities, Faults
from stages.tag.registry import EXTRACTORS, DocumentBatch, run_extractor, split_faults
from tests.shipped_params import shipped
from tests.tag.sentence_frames import frames

PARAMS = shipped("tag")
# words the extractors look for, so arbitrary text often reaches their rules, not only their prefilters
WORDS = ["since", "ago", "years", "3000", "99999999", "last", "next", "week", "May", "Oct.", "31", "2024",
         "Monday", "said", "“", "”", '"', "according to", "officials", "killed", "will", "in", "the", "0",
         "-", "İ", "ſ", "\n", ".", ",", "quarter", "fiscal", "1990s", "today", "mid-", "tonight", "at", "p.m.",
         "9999-12-31", "0001-01-01", "following", "previous", "that", "same", "day", "winter", "to"]
TEXT = st.one_of(st.text(max_size=200),
                 st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=40).map(" ".join))
BASE = st.one_of(st.none(), st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)))


DOC_A, DOC_B = "0123456789abcdef", "fedcba9876543210"


def batch(text: str, base: dt.date | None, doc_id: str = DOC_A) -> DocumentBatch:
    docs, sentences = frames(text, doc_id)
    docs = docs.with_columns(pl.lit(base, pl.Date).alias("published_date"))
    if sentences.is_empty():
        sentences = pl.DataFrame(schema={"doc_id": pl.String, "sent_id": pl.String, "paragraph": pl.Int64,
                                         "index": pl.Int64, "start": pl.Int64, "end": pl.Int64, "text": pl.String})
    return DocumentBatch(docs, sentences, empty_frame(Entities))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, base=BASE)
def test_every_extractor_is_total_on_arbitrary_text_and_base_dates(text, base):
    for extractor in EXTRACTORS:
        docs, sentences, entities = batch(text, base)
        out = extractor.extract(docs, sentences, *([entities] if extractor.needs_entities else []),
                                extractor.section(PARAMS))
        extractor.model.validate(out, lazy=True)


def test_since_3000_years_ago_is_unresolved_not_a_crash():
    dates = next(e for e in EXTRACTORS if e.name == "dates")
    rows = run_extractor(dates, dates.section(PARAMS),
                         batch("He has lived there since 3000 years ago, a reader wrote.", dt.date(2008, 5, 1)))
    rows, faults = split_faults(dates, rows)
    assert faults.is_empty()
    assert rows.select("text", "resolved").rows() == [("3000 years ago", False)]


def test_a_fault_is_caught_per_document_recorded_and_the_others_kept():
    counts = next(e for e in EXTRACTORS if e.name == "counts")

    def fragile(docs, sentences, params):
        if docs["text"].str.contains("boom").any():
            raise ValueError("year -992 is out of range")
        return counts.extract(docs, sentences, params)

    a, b = batch("About 300 people fled.", None, DOC_A), batch("boom: 20 people fled.", None, DOC_B)
    both = DocumentBatch(pl.concat([a.docs, b.docs]), pl.concat([a.sentences, b.sentences]), None)
    broken = replace(counts, extract=fragile)
    rows, faults = split_faults(broken, run_extractor(broken, counts.section(PARAMS), both))
    assert rows["doc_id"].to_list() == [DOC_A] and rows["value"].to_list() == [300]
    counts.model.validate(rows, lazy=True)
    Faults.validate(faults, lazy=True)
    assert faults.rows() == [(DOC_B, "counts", "ValueError", "year -992 is out of range")]


def test_no_fault_no_fault_rows():
    for extractor in EXTRACTORS:
        rows = run_extractor(extractor, extractor.section(PARAMS), batch("On Monday 300 people fled.", None))
        assert split_faults(extractor, rows)[1].is_empty()
