"""Tables written by the tag stage: every column, in the order the stage writes it, strict (an undeclared
column fails). The stage builds its frames from these models (`schemas.base.frame`, `polars_schema`)."""
from __future__ import annotations

import datetime
from typing import Optional

import pandera.polars as pa
import polars as pl

from schemas.base import Config as BaseConfig, DocumentSpan, doc_id_field

NON_EMPTY = {"min_value": 1}


class Entities(DocumentSpan):
    """data/tag/entities.parquet: entity mentions with one canonical name per real-world entity."""

    text: str = pa.Field(str_length=NON_EMPTY)
    label: str = pa.Field(str_matches=r"^[A-Z_]+$")
    canonical: str = pa.Field(str_length=NON_EMPTY)
    entity_id: str = pa.Field(str_matches=r"^[0-9a-f]{16}$")
    # the country a demonym refers to ("Israeli" -> "Israel")
    country: Optional[str] = pa.Field(nullable=True, str_length=NON_EMPTY)
    # places the gazetteer resolves without ambiguity (null otherwise, never a guess)
    latitude: Optional[pl.Float64] = pa.Field(nullable=True, ge=-90.0, le=90.0)
    longitude: Optional[pl.Float64] = pa.Field(nullable=True, ge=-180.0, le=180.0)
    country_code: Optional[str] = pa.Field(nullable=True, str_matches=r"^[A-Z]{2}$")

    class Config(BaseConfig):
        name = "tag/entities"
        strict = True


class Quotes(DocumentSpan):
    """data/tag/quotes.parquet: reported speech with its speaker and reporting verb: quotations (start, end:
    the quoted words; a quote split by its attribution is one row per part, sharing `quote_group`) and,
    with kind "indirect", statements without quotation marks (start, end: the reported content, "the talks
    would resume" in "Officials said the talks would resume")."""

    quote: str = pa.Field(str_length=NON_EMPTY)
    # the canonical name of who said it; "I" outside quotation marks is the writer: the document's authors
    # ("Jane Roe and John Doe"), or "the author" when the page names none (speaker_kind "pronoun"); a definite
    # role description ("the Florida senator", speaker_kind "nominal") is the person the text titled so
    speaker: Optional[str] = pa.Field(nullable=True)
    verb: Optional[str] = pa.Field(nullable=True)
    verb_lemma: Optional[str] = pa.Field(nullable=True)
    # direct and partial quotations; scare quotes and titles are kept so a reader can see why they are not;
    # indirect: reported speech without quotation marks (count quotations with kind in direct/partial).
    kind: str = pa.Field(isin=["direct", "partial", "scare", "title", "indirect"])
    speaker_kind: Optional[str] = pa.Field(nullable=True, isin=["named", "pronoun", "organization", "nominal"])
    speaker_text: Optional[str] = pa.Field(nullable=True)
    speaker_start: Optional[pl.Int64] = pa.Field(nullable=True, ge=0)
    speaker_end: Optional[pl.Int64] = pa.Field(nullable=True, ge=0)
    # transcript: an indirect row that is a turn of a transcript ("TAPPER: Do you think ...")
    attribution: Optional[str] = pa.Field(nullable=True,
                                          isin=["after", "before", "clause", "continuation", "previous_paragraph",
                                                "previous_sentence", "transcript"])
    quote_group: pl.Int64 = pa.Field(ge=0)
    n_words: pl.Int64 = pa.Field(ge=0)
    closed: bool   # false: the quote runs on to the paragraph end (news style for multi-paragraph quotes)

    class Config(BaseConfig):
        name = "tag/quotes"
        strict = True


class _SentenceSpan(DocumentSpan):
    """Columns every sentence-level extraction shares: where in the clean text it was found, and the text."""

    text: str = pa.Field(str_length=NON_EMPTY)

    class Config(BaseConfig):
        strict = True


class Attributions(_SentenceSpan):
    """data/tag/attributions.parquet: sourcing phrases ("according to seven officials ...")."""

    cue: str = pa.Field(isin=["according_to", "verb", "document"])
    verb: Optional[str] = pa.Field(nullable=True)
    n_sources: Optional[pl.Int64] = pa.Field(nullable=True, ge=1)
    named: bool
    source_type: str = pa.Field(isin=["person", "organization", "document"])
    head: Optional[str] = pa.Field(nullable=True)            # the source noun ("officials", "statement")
    affiliation: Optional[str] = pa.Field(nullable=True)
    source_name: Optional[str] = pa.Field(nullable=True)     # canonical name of a named source

    class Config(BaseConfig):
        name = "tag/attributions"
        strict = True


class Counts(_SentenceSpan):
    """data/tag/counts.parquet: quantities of people and things and what happened to them (as GDELT)."""

    value: pl.Int64 = pa.Field(ge=0)
    number_text: str = pa.Field(str_length=NON_EMPTY)
    qualifier: Optional[str] = pa.Field(nullable=True)
    bound: Optional[str] = pa.Field(nullable=True, isin=["min", "max", "approx"])
    noun: Optional[str] = pa.Field(nullable=True)
    category: Optional[str] = pa.Field(nullable=True, isin=["people", "thing"])
    event: Optional[str] = pa.Field(nullable=True)
    event_text: Optional[str] = pa.Field(nullable=True)

    class Config(BaseConfig):
        name = "tag/counts"
        strict = True


class Dates(_SentenceSpan):
    """data/tag/dates.parquet: temporal expressions, TIMEX3-typed and normalised against the document's
    published date. `value` is the TIMEX3 value ("1998-03-04", "1998-W10", "1998-Q3", "1998-SU", "199",
    "PRESENT_REF", "P5Y", "XXXX-07", "2000-01-05TEV"; null when a relative expression has no base date).
    `date`..`date_end` is the calendar period it names when it names one (a quarter, half or season has
    month granularity, a decade year granularity, a weekend or a time of day day granularity); durations,
    sets and PRESENT_REF/PAST_REF/FUTURE_REF name none (no date, no granularity, resolution "undated")."""

    type: str = pa.Field(isin=["DATE", "TIME", "DURATION", "SET"])
    value: Optional[str] = pa.Field(nullable=True, str_length=NON_EMPTY)
    date: Optional[datetime.date] = pa.Field(nullable=True)
    date_end: Optional[datetime.date] = pa.Field(nullable=True)
    granularity: Optional[str] = pa.Field(nullable=True, isin=["day", "week", "month", "year"])
    relative: bool
    resolved: bool
    resolution: str = pa.Field(isin=["absolute", "past", "future", "offset", "unresolved", "undated"])

    @pa.dataframe_check
    def period_is_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("date").is_null() | (pl.col("date") <= pl.col("date_end")))

    class Config(BaseConfig):
        name = "tag/dates"
        strict = True


class Themes(_SentenceSpan):
    """data/tag/themes.parquet: one row per mention of a theme from the reviewed lexicon."""

    theme: str = pa.Field(str_length=NON_EMPTY)
    term: str = pa.Field(str_length=NON_EMPTY)

    class Config(BaseConfig):
        name = "tag/themes"
        strict = True


class Faults(pa.DataFrameModel):
    """data/tag/faults.parquet: documents an extractor raised on (its rows for that document are missing;
    the run went on). Normally empty; each row is a bug to fix."""

    doc_id: str = doc_id_field()
    extractor: str = pa.Field(str_length=NON_EMPTY)
    error_type: str = pa.Field(str_length=NON_EMPTY)     # the exception's class name ("ValueError")
    message: str                                          # its message, cut to 500 characters

    class Config(BaseConfig):
        name = "tag/faults"
        strict = True
