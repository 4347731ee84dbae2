"""The rule-based extractors of the tag stage, declared once: what each is called, whether it reads the
entity mentions, which part of the tag params it reads, the table it writes (its pandera model and path)
and how that table is sorted. The stage iterates `EXTRACTORS`; nothing else lists them.

Each extractor is a pure function of a batch of documents (their clean documents, sentences and, for
those that need them, entity mentions with canonical names): `run_extractor` is the executor task.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import pandera.polars as pa
import polars as pl

from schemas.params import Section, Tag
from schemas.tag import Attributions, Counts, Dates, Quotes, Themes
from stages.common.executor import batches_of
from stages.tag.attributions import extract_attributions
from stages.tag.counts import extract_counts
from stages.tag.dates import extract_dates
from stages.tag.quotes import extract_quotes
from stages.tag.themes import extract_themes

SPAN_ORDER = ("doc_id", "start", "end")


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


def run_extractor(extractor: Extractor, params: Section, batch: DocumentBatch) -> pl.DataFrame:
    """The executor task: one extractor over one batch of documents (frames in, a frame out)."""
    if extractor.needs_entities:
        return extractor.extract(batch.docs, batch.sentences, batch.entities, params)
    return extractor.extract(batch.docs, batch.sentences, params)
