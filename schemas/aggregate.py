"""Tables written by the aggregate stage: each model declares every column the stage writes, in the order
it writes them (strict: an undeclared column fails), and the stage builds its frames from these models."""
from __future__ import annotations

import datetime
from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.base import DOC_ID_PATTERN, Config as BaseConfig, doc_id_field, sent_id_field
from schemas.tag import Dates

RELATIONS = ["original", "near_duplicate", "truncated_copy", "rewrite", "unique"]
COPY_RELATIONS = ["near_duplicate", "truncated_copy", "rewrite"]
ALIGNMENT_METHODS = ["exact", "near", "paraphrase"]
GRANULARITIES = ["day", "week", "month", "year"]
ID16 = DOC_ID_PATTERN   # entity, event and claim ids: 16 hex digits, like doc_id


def _share():
    return pa.Field(ge=0.0, le=1.0)


class Stories(pa.DataFrameModel):
    """data/aggregate/stories.parquet: one row per document, its story and how it relates to the original."""

    doc_id: str = doc_id_field(unique=True)
    story_id: str = pa.Field(str_length={"min_value": 1})
    relation: str = pa.Field(isin=RELATIONS)
    source_doc_id: str = pa.Field(nullable=True, str_matches=DOC_ID_PATTERN)
    # The score that decided the relation (jaccard, containment or aligned_share; 1.0 for originals).
    similarity: pl.Float64 = _share()
    # The measures behind the relation, against the source (1.0 for originals and unique documents).
    jaccard: pl.Float64 = _share()
    containment: pl.Float64 = _share()
    aligned_share: pl.Float64 = _share()
    story_size: pl.Int64 = pa.Field(ge=1)
    # The head of this document's near-duplicate cluster (null for heads): reprints of one text share it.
    duplicate_of: str = pa.Field(nullable=True, str_matches=DOC_ID_PATTERN)
    # How firmly the evidence carries the relation (stories.py `_Measures.confidence`): 0.5 on the deciding
    # threshold, 1.0 at the measure's best, under 0.5 for a cluster member below the threshold itself;
    # 1.0 for originals and unique documents (no link claimed).
    confidence: pl.Float64 = _share()
    # The copy's evidence: its distinctive sentences aligned, in the source's order, to the source
    # (alignments.parquet holds each one's source sentence); a rewrite's are its paraphrased ones.
    n_evidence: pl.Int64 = pa.Field(ge=0)
    evidence_sent_ids: pl.List = pa.Field(dtype_kwargs={"inner": pl.String})

    @pa.dataframe_check
    def evidence_is_counted(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("evidence_sent_ids").list.len() == pl.col("n_evidence"))

    @pa.dataframe_check
    def source_only_for_copies(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """Originals and unique documents copy nothing; every copy or rewrite names its source."""
        is_copy = pl.col("relation").is_in(COPY_RELATIONS)
        return data.lazyframe.select(is_copy == pl.col("source_doc_id").is_not_null())

    class Config(BaseConfig):
        name = "aggregate/stories"
        strict = True


class Alignments(pa.DataFrameModel):
    """data/aggregate/alignments.parquet: a sentence of a copy or rewrite and the source sentence it repeats."""

    doc_id: str = doc_id_field()
    sent_id: str = sent_id_field()
    source_doc_id: str = doc_id_field()
    source_sent_id: str = sent_id_field()
    similarity: pl.Float64 = _share()
    method: str = pa.Field(isin=ALIGNMENT_METHODS)

    class Config(BaseConfig):
        name = "aggregate/alignments"
        strict = True
        unique = ["sent_id", "source_sent_id"]


class Related(pa.DataFrameModel):
    """data/aggregate/related.parquet: two stories that cover one event independently (no shared text, the
    same entities and days or figures; stages/aggregate/related.py). Both stay stories of their own and
    count as independent for corroboration."""

    story_id_a: str = pa.Field(str_length={"min_value": 1})
    story_id_b: str = pa.Field(str_length={"min_value": 1})
    doc_id_a: str = doc_id_field()      # each story's original (or its unique document)
    doc_id_b: str = doc_id_field()
    # IDF-weighted Jaccard of the two stories' facts (entities, days, figures).
    score: pl.Float64 = _share()
    n_entities: pl.Int64 = pa.Field(ge=0)
    n_days: pl.Int64 = pa.Field(ge=0)
    n_figures: pl.Int64 = pa.Field(ge=0)
    shared_entities: pl.List = pa.Field(dtype_kwargs={"inner": pl.String})   # canonical names
    shared_days: pl.List = pa.Field(dtype_kwargs={"inner": pl.String})       # ISO dates
    shared_figures: pl.List = pa.Field(dtype_kwargs={"inner": pl.String})    # counted values

    @pa.dataframe_check
    def pair_is_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("story_id_a") < pl.col("story_id_b"))

    @pa.dataframe_check
    def counts_match_lists(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select((pl.col("shared_entities").list.len() == pl.col("n_entities"))
                                     & (pl.col("shared_days").list.len() == pl.col("n_days"))
                                     & (pl.col("shared_figures").list.len() == pl.col("n_figures")))

    class Config(BaseConfig):
        name = "aggregate/related"
        strict = True
        unique = ["story_id_a", "story_id_b"]


class EntityStats(pa.DataFrameModel):
    """data/aggregate/entities.parquet: mention, document and independent-story counts per entity."""

    entity_id: str = pa.Field(unique=True, str_matches=ID16)
    canonical: str = pa.Field(str_length={"min_value": 1})
    label: str
    n_mentions: pl.Int64 = pa.Field(ge=1)
    n_docs: pl.Int64 = pa.Field(ge=1)
    n_stories: pl.Int64 = pa.Field(ge=1)

    @pa.dataframe_check
    def counts_nest(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A copy never adds a story: stories <= documents <= mentions."""
        return data.lazyframe.select(
            (pl.col("n_stories") <= pl.col("n_docs")) & (pl.col("n_docs") <= pl.col("n_mentions")))

    class Config(BaseConfig):
        name = "aggregate/entities"
        strict = True


class Claims(pa.DataFrameModel):
    """data/aggregate/claims.parquet: a statement and the documents and independent stories that make it."""

    claim_id: str = pa.Field(unique=True, str_matches=ID16)
    text: str = pa.Field(str_length={"min_value": 1})
    sent_id: str = sent_id_field()
    n_docs: pl.Int64 = pa.Field(ge=1)
    # Independent stories: distinct story_id, the stories of one site counting once (claims.find_claims).
    n_stories: pl.Int64 = pa.Field(ge=1)
    doc_ids: pl.List = pa.Field(dtype_kwargs={"inner": pl.String})
    sent_ids: pl.List = pa.Field(dtype_kwargs={"inner": pl.String})

    @pa.dataframe_check
    def stories_within_docs(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("n_stories") <= pl.col("n_docs"))

    class Config(BaseConfig):
        name = "aggregate/claims"
        strict = True


class Cooccurrence(pa.DataFrameModel):
    """data/aggregate/cooccurrence.parquet: pairs of entities named in one sentence (a < b, one row a pair)."""

    entity_id_a: str = pa.Field(str_matches=ID16)
    entity_id_b: str = pa.Field(str_matches=ID16)
    canonical_a: str = pa.Field(str_length={"min_value": 1})
    canonical_b: str = pa.Field(str_length={"min_value": 1})
    n_sentences: pl.Int64 = pa.Field(ge=1)
    n_docs: pl.Int64 = pa.Field(ge=1)
    n_stories: pl.Int64 = pa.Field(ge=1)
    # Pointwise mutual information over sentences: log(P(a, b) / (P(a) P(b))).
    pmi: pl.Float64

    @pa.dataframe_check
    def pair_is_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("entity_id_a") < pl.col("entity_id_b"))

    @pa.dataframe_check
    def counts_nest(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("n_stories") <= pl.col("n_docs")) & (pl.col("n_docs") <= pl.col("n_sentences")))

    class Config(BaseConfig):
        name = "aggregate/cooccurrence"
        strict = True
        unique = ["entity_id_a", "entity_id_b"]


class Timeline(pa.DataFrameModel):
    """data/aggregate/timeline.parquet: one row per dated period a story mentions, with a sentence to read."""

    event_id: str = pa.Field(unique=True, str_matches=ID16)
    date: datetime.date
    date_end: datetime.date
    granularity: str = pa.Field(isin=GRANULARITIES)
    story_id: str = pa.Field(str_length={"min_value": 1})
    doc_id: str = doc_id_field()
    sent_id: str = sent_id_field()
    date_text: str = pa.Field(str_length={"min_value": 1})
    text: str = pa.Field(str_length={"min_value": 1})
    doc_ids: pl.List = pa.Field(dtype_kwargs={"inner": pl.String})
    n_mentions: pl.Int64 = pa.Field(ge=1)
    n_docs: pl.Int64 = pa.Field(ge=1)
    # Independent stories carrying this event's statement (its claim's n_stories; 1 when no other story
    # makes it): how corroborated the dated statement is.
    n_stories: pl.Int64 = pa.Field(ge=1)

    @pa.dataframe_check
    def period_is_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("date") <= pl.col("date_end"))

    class Config(BaseConfig):
        name = "aggregate/timeline"
        strict = True


class StoryDates(Dates):
    """data/aggregate/story_dates.parquet: every temporal expression with the base it was resolved against
    (tag/dates' columns, then `base_date` and `base_date_from`). A document without a page date whose story
    has a dated document is resolved against that document's date ("story:<doc_id>"); the others keep the
    tag stage's rows ("page", or null when there is no base)."""

    base_date: Optional[datetime.date] = pa.Field(nullable=True)
    base_date_from: Optional[str] = pa.Field(nullable=True, str_matches=r"^(?:page|story:[0-9a-f]{16})$")

    @pa.dataframe_check
    def base_and_source_agree(cls, data: pa.PolarsData) -> pl.LazyFrame:
        """A base date has a source, a source has a base date."""
        return data.lazyframe.select(pl.col("base_date").is_null() == pl.col("base_date_from").is_null())

    class Config(BaseConfig):
        name = "aggregate/story_dates"
        strict = True
