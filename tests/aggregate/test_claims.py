"""Claims: the same statement across documents, counted once per independent story."""
from __future__ import annotations

import hashlib

import polars as pl

from schemas.aggregate import Claims
from schemas.base import polars_schema
from stages.aggregate.claims import find_claims
from stages.aggregate.text_features import sentence_signatures, with_entity_ids
from tests.shipped_params import shipped

A, B, C, D = ("a" * 16, "b" * 16, "c" * 16, "d" * 16)
SENT_SCHEMA = {"doc_id": pl.String, "sent_id": pl.String, "paragraph": pl.Int64, "index": pl.Int64,
               "start": pl.Int64, "end": pl.Int64, "text": pl.String}
ENTITY_SCHEMA = {"doc_id": pl.String, "sent_id": pl.String, "start": pl.Int64, "end": pl.Int64,
                 "text": pl.String, "label": pl.String, "canonical": pl.String, "entity_id": pl.String}
NO_ENTITIES = pl.DataFrame(schema=ENTITY_SCHEMA)

FACT = "About 182,000 people were displaced from Khan Younis to Al Mawasi in just a few days last week."
FACT_PARAPHRASE = "Roughly 182,000 people fled Khan Younis for Al Mawasi within a few days last week, officials said."
OTHER = [
    "Storms flooded the coastal highway near Naples on Tuesday, closing three bridges.",
    "The central bank raised its benchmark interest rate by a quarter point to curb inflation.",
    "A new exhibition of Roman mosaics opened at the national museum in Madrid.",
    "Farmers in Punjab reported record wheat harvests after an unusually mild winter.",
]


def sentence_frame(docs: dict[str, list[str]]) -> pl.DataFrame:
    rows = []
    for doc_id, texts in docs.items():
        offset = 0
        for i, text in enumerate(texts):
            rows.append({"doc_id": doc_id, "sent_id": f"{doc_id}:{i}:0", "paragraph": i, "index": 0,
                         "start": offset, "end": offset + len(text), "text": text})
            offset += len(text) + 2
    return pl.DataFrame(rows, schema=SENT_SCHEMA)


def story_frame(rows: list[tuple[str, str, str, str | None]]) -> pl.DataFrame:
    return pl.DataFrame([{"doc_id": d, "story_id": s, "relation": r, "source_doc_id": src, "similarity": 1.0}
                         for d, s, r, src in rows],
                        schema={"doc_id": pl.String, "story_id": pl.String, "relation": pl.String,
                                "source_doc_id": pl.String, "similarity": pl.Float64})


def claims(sentences: pl.DataFrame, stories: pl.DataFrame, entities: pl.DataFrame = NO_ENTITIES,
           changes: dict | None = None) -> pl.DataFrame:
    signatures = sentence_signatures(with_entity_ids(sentences, entities))
    return find_claims(sentences, signatures, stories, shipped("aggregate", {"claims": changes or {}}).claims)


INDEPENDENT = story_frame([(A, "sA", "unique", None), (B, "sB", "unique", None), (C, "sC", "unique", None),
                           (D, "sD", "unique", None)])


def test_empty_inputs_give_typed_empty_frames():
    found = claims(sentence_frame({}), story_frame([]))
    assert found.is_empty() and dict(found.schema) == polars_schema(Claims)


def test_same_sentence_in_independent_stories_is_one_claim_with_two_stories():
    sentences = sentence_frame({A: [OTHER[0], FACT], B: [FACT.upper(), OTHER[1]], C: [OTHER[2], OTHER[3]]})
    found = claims(sentences, INDEPENDENT)
    assert found.height == 1
    claim = found.row(0, named=True)
    assert claim["sent_ids"] == [f"{A}:1:0", f"{B}:0:0"] and claim["doc_ids"] == [A, B]
    assert claim["n_docs"] == 2 and claim["n_stories"] == 2
    assert claim["claim_id"] == hashlib.sha256(claim["sent_id"].encode()).hexdigest()[:16]
    assert dict(found.schema) == polars_schema(Claims)


def test_copies_of_one_original_count_as_one_story_and_the_original_speaks():
    sentences = sentence_frame({A: [FACT, OTHER[0]], B: [OTHER[1], FACT], C: [FACT, OTHER[2]]})
    stories = story_frame([(A, "sB", "truncated_copy", B), (B, "sB", "original", None), (C, "sC", "unique", None)])
    claim = claims(sentences, stories).row(0, named=True)
    assert claim["n_docs"] == 3 and claim["n_stories"] == 2
    assert claim["sent_id"] == f"{B}:1:0"  # not the copy's sentence, although its id sorts first


def test_stories_of_one_site_are_one_source_of_a_claim():
    # A company's "About" paragraph under two of its own press releases is one source repeating itself.
    sentences = sentence_frame({A: [FACT, OTHER[0]], B: [OTHER[1], FACT], C: [FACT, OTHER[2]], D: [OTHER[3]]})
    sites = pl.DataFrame({"doc_id": [A, B, C, D], "site": ["Example Wire", "example wire ", None, "Other"]})
    signatures = sentence_signatures(with_entity_ids(sentences, NO_ENTITIES))
    params = shipped("aggregate").claims
    found = find_claims(sentences, signatures, INDEPENDENT, params, sites=sites)
    assert found["n_docs"].to_list() == [3] and found["n_stories"].to_list() == [2]   # A and B: one site
    two_docs = sentence_frame({A: [FACT, OTHER[0]], B: [OTHER[1], FACT], D: [OTHER[3]]})
    signatures = sentence_signatures(with_entity_ids(two_docs, NO_ENTITIES))
    assert find_claims(two_docs, signatures, INDEPENDENT, params, sites=sites)["n_stories"].to_list() == [1]
    assert find_claims(two_docs, signatures, INDEPENDENT, params)["n_stories"].to_list() == [2]  # no sites known


def test_paraphrase_with_shared_numbers_and_entities_is_the_same_claim():
    sentences = sentence_frame({A: [FACT, OTHER[0]], B: [OTHER[1], FACT_PARAPHRASE], C: OTHER[2:]})
    entities = pl.DataFrame([
        {"doc_id": d, "sent_id": s, "start": 0, "end": 1, "text": t, "label": "GPE", "canonical": t,
         "entity_id": e}
        for d, s in ((A, f"{A}:0:0"), (B, f"{B}:1:0"))
        for t, e in (("Khan Younis", "1" * 16), ("Al Mawasi", "2" * 16))], schema=ENTITY_SCHEMA)
    found = claims(sentences, INDEPENDENT, entities)
    assert found.height == 1 and found["sent_ids"][0].to_list() == [f"{A}:0:0", f"{B}:1:0"]


def test_unrelated_sentences_and_trivial_ones_make_no_claim():
    sentences = sentence_frame({A: ["He said so.", OTHER[0], OTHER[1]], B: ["He said so.", OTHER[2], OTHER[3]]})
    assert claims(sentences, INDEPENDENT).is_empty()


def test_claims_span_stories_and_ignore_the_stories_frame_when_absent():
    sentences = sentence_frame({A: [FACT], B: [FACT], C: [FACT], D: [OTHER[0]]})
    assert claims(sentences, story_frame([]))["n_stories"].to_list() == [3]


def test_min_docs_param_is_read_from_the_claims_section():
    sentences = sentence_frame({A: [FACT], B: [FACT], C: [OTHER[0]]})
    assert claims(sentences, INDEPENDENT, changes={"min_docs": 3}).is_empty()
    assert claims(sentences, INDEPENDENT, changes={"min_docs": 2}).height == 1


def test_template_sentences_with_other_numbers_are_different_claims():
    template = ("The Commodity Credit Corporation accepted a bonus offer on the sale of {} head of dairy cattle "
                "to Kuwait.")
    first, second = template.format(75), template.format(380)
    sentences = sentence_frame({A: [first, OTHER[0]], B: [second, OTHER[1]], C: OTHER[2:]})
    assert claims(sentences, INDEPENDENT).is_empty()
    assert claims(sentences, INDEPENDENT, changes={"number_conflict": False}).height == 1


def test_a_repeated_phrase_is_no_claim():
    """Many words, two of them distinct: no statement a claim could carry."""
    chant = "“Three years, three years, three years, three years…”"
    found = claims(sentence_frame({A: [OTHER[0], chant], B: [chant, OTHER[1]]}), INDEPENDENT)
    assert found.is_empty()
