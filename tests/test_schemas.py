"""Each table model rejects a frame that breaks it (and accepts a good one)."""
from __future__ import annotations

import datetime

import pandera.errors
import polars as pl
import pytest

from schemas.aggregate import EntityStats, Stories
from schemas.base import frame as model_frame
from schemas.clean import CleanDocuments, CleanRemoved
from schemas.ingest import IngestDocuments, IngestRejected
from schemas.segment import Sentences
from schemas.tag import Attributions, Counts, Dates, Entities, Quotes, Themes

D = "0123456789abcdef"
GOOD = {
    IngestDocuments: model_frame({"doc_id": [D], "source_path": ["seeds/a.txt"], "source_format": ["txt"],
                                  "n_bytes": [3], "encoding": ["utf-8"], "extractor": [None], "raw_text": ["abc"],
                                  "line_votes": [[]], "line_markup": [[]], "meta_title": ["T"],
                                  "meta_description": [None], "meta_authors": [[]], "meta_date": ["2024-05-19"],
                                  "meta_site": [None], "meta_url": [None]}, IngestDocuments),
    IngestRejected: model_frame({"source_path": ["seeds/b.pdf"], "reason": ["unsupported format '.pdf'"],
                                 "n_bytes": [None], "doc_id": [None]}, IngestRejected),
    CleanDocuments: pl.DataFrame({"doc_id": [D], "title": ["T"], "subtitle": [None], "authors": [["A B"]],
                                  "published_date": [datetime.date(2024, 5, 19)], "site": [None],
                                  "language": ["en"], "text": ["Body."], "is_truncated": [False], "is_empty": [False],
                                  "body_line_nos": [[2]], "title_line_no": [1], "subtitle_line_no": [None],
                                  "n_lines": [3], "n_removed": [1], "boilerplate_share": [0.5]},
                                 schema_overrides={"subtitle": pl.String, "site": pl.String,
                                                   "body_line_nos": pl.List(pl.Int64), "subtitle_line_no": pl.Int64}),
    CleanRemoved: pl.DataFrame({"doc_id": [D], "line_no": [1], "text": ["Advertisement"],
                                "reason": ["advertisement"]}),
    Sentences: pl.DataFrame({"doc_id": [D], "sent_id": [f"{D}:0:0"], "paragraph": [0], "index": [0],
                             "start": [0], "end": [5], "text": ["Body."]}),
    Entities: model_frame([{"doc_id": D, "sent_id": f"{D}:0:0", "start": 0, "end": 4, "text": "Rome", "label": "GPE",
                      "canonical": "Rome", "entity_id": D, "country": None, "latitude": 41.89, "longitude": 12.51,
                      "country_code": "IT"}], Entities),
    Quotes: model_frame([{"doc_id": D, "sent_id": f"{D}:0:0", "start": 1, "end": 4, "quote": "abc", "speaker": None,
                    "verb": "said", "verb_lemma": "say", "kind": "direct", "speaker_kind": "pronoun",
                    "speaker_text": "he", "speaker_start": 7, "speaker_end": 9, "attribution": "after",
                    "quote_group": 0, "n_words": 1, "closed": True}], Quotes),
    Attributions: model_frame([{"doc_id": D, "sent_id": f"{D}:0:0", "start": 0, "end": 9, "text": "officials",
                          "cue": "verb", "verb": "said", "n_sources": 6, "named": False, "source_type": "person",
                          "head": "officials", "affiliation": "Israeli", "source_name": None}], Attributions),
    Counts: model_frame([{"doc_id": D, "sent_id": f"{D}:0:0", "start": 0, "end": 9, "text": "12 people", "value": 12,
                    "number_text": "12", "qualifier": "at least", "bound": "min", "noun": "people",
                    "category": "people", "event": "killed", "event_text": "killed"}], Counts),
    Dates: model_frame([{"doc_id": D, "sent_id": f"{D}:0:0", "start": 0, "end": 6, "text": "Sunday",
                    "type": "DATE", "value": "2024-05-19",
                   "date": datetime.date(2024, 5, 19), "date_end": datetime.date(2024, 5, 19), "granularity": "day",
                   "relative": True, "resolved": True, "resolution": "past"}], Dates),
    Themes: model_frame([{"doc_id": D, "sent_id": f"{D}:0:0", "start": 0, "end": 10, "text": "cease-fire",
                    "theme": "ceasefire", "term": "cease-fire"}], Themes),
    Stories: pl.DataFrame({"doc_id": [D], "story_id": ["s1"], "relation": ["unique"], "source_doc_id": [None],
                           "similarity": [1.0], "jaccard": [1.0], "containment": [1.0], "aligned_share": [1.0],
                           "story_size": [1], "duplicate_of": [None], "confidence": [1.0], "n_evidence": [0],
                           "evidence_sent_ids": [[]]},
                          schema_overrides={"source_doc_id": pl.String, "duplicate_of": pl.String,
                                            "evidence_sent_ids": pl.List(pl.String)}),
    EntityStats: pl.DataFrame({"entity_id": [D], "canonical": ["Rome"], "label": ["GPE"], "n_mentions": [3],
                               "n_docs": [2], "n_stories": [1]}),
}
# One breaking change per model: (column, bad value).
BROKEN = {
    IngestDocuments: ("doc_id", "not-a-hash"),
    IngestRejected: ("reason", ""),
    CleanDocuments: ("language", "english"),
    CleanRemoved: ("line_no", 0),
    Sentences: ("end", -1),
    Entities: ("label", "person"),
    Quotes: ("start", 9),
    Attributions: ("cue", "rumour"),
    Counts: ("value", -3),
    Dates: ("granularity", "century"),
    Themes: ("theme", ""),
    Stories: ("relation", "copy"),
    EntityStats: ("n_stories", 5),
}


@pytest.mark.parametrize("model", list(GOOD), ids=lambda m: m.__name__)
def test_good_frame_passes(model):
    model.validate(GOOD[model], lazy=True)


@pytest.mark.parametrize("model", list(BROKEN), ids=lambda m: m.__name__)
def test_broken_frame_is_rejected(model):
    column, value = BROKEN[model]
    frame = GOOD[model]
    bad = frame.with_columns(pl.lit(value, dtype=frame.schema[column]).alias(column))
    with pytest.raises(pandera.errors.SchemaErrors):
        model.validate(bad, lazy=True)


@pytest.mark.parametrize("model", list(GOOD), ids=lambda m: m.__name__)
def test_missing_column_is_rejected(model):
    with pytest.raises(pandera.errors.SchemaErrors):
        model.validate(GOOD[model].drop(GOOD[model].columns[0]), lazy=True)
