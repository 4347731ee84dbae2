"""The rule-based extractors of the tag stage, declared once: what each is called, whether it reads the
entity mentions, which part of the tag params it reads, the table it writes (its pandera model and path)
and how that table is sorted. The stage iterates `EXTRACTORS`; nothing else lists them.

Each extractor is a pure function of a batch of documents (their clean documents, sentences and, for
those that need them, entity mentions with canonical names): `run_extractor` is the executor task.

Extractors are total: `run_extractor` never raises for a document's content. When a batch raises, its
documents are run one by one, and a document whose extraction still raises gives one fault row instead
of its rows (its doc_id, the error's type and message in FAULT_COLUMNS, every other column null), so
the batch, the stage and the run go on. Fault rows travel (and are cached) with the extractor's rows
and `split_faults` takes them out: the rows go to the extractor's table, the faults to
data/tag/faults.parquet (schemas.tag.Faults). A rerun from the cache gives the same faults.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import pandera.polars as pa
import polars as pl

from schemas.params import Section, Tag
from schemas.base import frame, polars_schema
from schemas.tag import Attributions, Counts, Dates, Faults, Quotes, Themes
from stages.common.executor import batches_of
from stages.tag.attributions import extract_attributions
from stages.tag.counts import extract_counts
from stages.tag.dates import extract_dates
from stages.tag.quotes import extract_quotes
from stages.tag.themes import extract_themes

SPAN_ORDER = ("doc_id", "start", "end")
FAULT_TYPE, FAULT_MESSAGE = FAULT_COLUMNS = ("_fault_type", "_fault_message")
MAX_MESSAGE = 500   # characters of an error message kept in the faults table


@dataclass(frozen=True)
class Extractor:
    name: str
    extract: Callable[..., pl.DataFrame]   # (docs, sentences, [entities,] params section) -> rows
    needs_entities: bool
    params: str                            # its section of the tag params: tag.<params>
    model: type[pa.DataFrameModel]         # the table it writes (schemas.tag)
    output: str                            # where, relative to the project
    sort_by: tuple[str, ...]

    def section(self, params: Tag) -> Section:
        return getattr(params, self.params)


EXTRACTORS: tuple[Extractor, ...] = (
    Extractor("quotes", extract_quotes, True, "quotes", Quotes, "data/tag/quotes.parquet", SPAN_ORDER),
    Extractor("attributions", extract_attributions, True, "attributions", Attributions,
              "data/tag/attributions.parquet", SPAN_ORDER),
    Extractor("counts", extract_counts, False, "counts", Counts, "data/tag/counts.parquet", SPAN_ORDER),
    Extractor("dates", extract_dates, False, "dates", Dates, "data/tag/dates.parquet", SPAN_ORDER),
    Extractor("themes", extract_themes, False, "themes", Themes, "data/tag/themes.parquet", (*SPAN_ORDER, "theme")),
)


class DocumentBatch(NamedTuple):
    """The rows of some documents an extractor reads: clean documents, sentences, entity mentions (None
    for the extractors that need none)."""
    docs: pl.DataFrame
    sentences: pl.DataFrame
    entities: pl.DataFrame | None


def document_batches(docs: pl.DataFrame, sentences: pl.DataFrame, entities: pl.DataFrame | None,
                     doc_ids: pl.Series, n_batches: int) -> list[DocumentBatch]:
    """The rows of the documents `doc_ids`, cut into at most `n_batches` batches of whole documents."""
    keep = pl.col("doc_id").is_in(doc_ids.implode())
    batches = []
    for batch_docs in batches_of(docs.filter(keep), n_batches):
        in_batch = pl.col("doc_id").is_in(batch_docs["doc_id"].implode())
        batches.append(DocumentBatch(batch_docs, sentences.filter(in_batch),
                                     entities.filter(in_batch) if entities is not None else None))
    return batches


def _extract(extractor: Extractor, params: Section, batch: DocumentBatch) -> pl.DataFrame:
    if extractor.needs_entities:
        return extractor.extract(batch.docs, batch.sentences, batch.entities, params)
    return extractor.extract(batch.docs, batch.sentences, params)


def _with_fault_columns(rows: pl.DataFrame) -> pl.DataFrame:
    return rows.with_columns(pl.lit(None, pl.String).alias(FAULT_TYPE), pl.lit(None, pl.String).alias(FAULT_MESSAGE))


def _fault_row(extractor: Extractor, doc_id: str, err: Exception) -> pl.DataFrame:
    """The row a faulted document gives: its doc_id and the error, every column of the table null."""
    schema = {**polars_schema(extractor.model), FAULT_TYPE: pl.String, FAULT_MESSAGE: pl.String}
    values: dict[str, object] = {column: None for column in schema}
    values |= {"doc_id": doc_id, FAULT_TYPE: type(err).__name__, FAULT_MESSAGE: str(err)[:MAX_MESSAGE]}
    return pl.DataFrame([values], schema=schema, orient="row")


def _one_document(batch: DocumentBatch, doc_id: str) -> DocumentBatch:
    keep = pl.col("doc_id") == doc_id
    return DocumentBatch(batch.docs.filter(keep), batch.sentences.filter(keep),
                         batch.entities.filter(keep) if batch.entities is not None else None)


def run_extractor(extractor: Extractor, params: Section, batch: DocumentBatch) -> pl.DataFrame:
    """The executor task: one extractor over one batch of documents (frames in, a frame out: the
    extractor's rows plus FAULT_COLUMNS, null but on the one row of each document whose extraction raised).

    The whole batch is tried first (the usual case: no fault, no cost); when it raises, each document alone."""
    try:
        return _with_fault_columns(frame(_extract(extractor, params, batch), extractor.model))
    except Exception:   # noqa: BLE001 - a document's content must never stop the run: find which one
        pass
    parts = []
    for doc_id in batch.docs["doc_id"].to_list():
        try:
            rows = frame(_extract(extractor, params, _one_document(batch, doc_id)), extractor.model)
            parts.append(_with_fault_columns(rows))
        except Exception as err:   # noqa: BLE001 - recorded in the faults table, named in the stage's log
            parts.append(_fault_row(extractor, doc_id, err))
    return pl.concat(parts, how="vertical") if parts else _with_fault_columns(frame([], extractor.model))


def split_faults(extractor: Extractor, rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(the extractor's rows, its fault rows as schemas.tag.Faults) from what run_extractor returned."""
    faulted = pl.col(FAULT_TYPE).is_not_null()
    faults = rows.filter(faulted).select(
        "doc_id", pl.lit(extractor.name).alias("extractor"), pl.col(FAULT_TYPE).alias("error_type"),
        pl.col(FAULT_MESSAGE).alias("message"))
    return rows.filter(~faulted).drop(*FAULT_COLUMNS), frame(faults, Faults)
