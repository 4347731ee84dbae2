"""What the rule-based extractors (quotes, attributions, counts, dates, themes) share: their data files,
read once per process through the strict loader (`stages.common.datafiles`); regex alternations of
word lists; the characters that make lower-casing no proxy for IGNORECASE; the sentences of documents;
frames built from a table model. The regex helpers, the number parser and the data files the aggregate
stage reads too (dates, numbers) live in `stages.common.words` and are re-exported here.
"""
from __future__ import annotations

import functools
from typing import Any, Iterator

import pandera.polars as pa
import polars as pl

from schemas.base import frame
from stages.common.datafiles import data_file, load_words, load_yaml
# shared with the aggregate stage (story dates): re-exported for the extractors
from stages.common.words import CASE_UNSAFE_RE, NumberParser, alternation, lower_set, number_parser
from stages.tag import DATA_DIR


@functools.lru_cache(maxsize=None)
def data_yaml(name: str, spec: Any, param: str | None = None) -> Any:
    """A YAML data file of the stage, checked against `spec` (a type); read once, then read-only.
    `param` names the params key that chose the file (tag.themes.lexicon): it must be a file of data/."""
    path = data_file(DATA_DIR, name, param) if param else DATA_DIR / name
    return load_yaml(path, spec)


@functools.lru_cache(maxsize=None)
def data_words(name: str) -> tuple[str, ...]:
    """A TXT word list of the stage (one entry a line), in file order."""
    return tuple(load_words(DATA_DIR / name))


def iter_sentences(docs: pl.DataFrame, sentences: pl.DataFrame) -> Iterator[tuple[str, str, int, str]]:
    """Yield (doc_id, sent_id, start, sentence text sliced from docs.text) in document order."""
    texts = dict(zip(docs["doc_id"].to_list(), docs["text"].to_list()))
    ordered = sentences.select("doc_id", "sent_id", "start", "end").sort(["doc_id", "start"])
    for doc_id, sent_id, start, end in zip(*(ordered[c].to_list() for c in ordered.columns)):
        text = texts.get(doc_id)
        if text is not None:
            yield doc_id, sent_id, start, text[start:end]


def rows_frame(rows: list[dict[str, Any]], model: type[pa.DataFrameModel], sort_by: list[str]) -> pl.DataFrame:
    """The rows as a frame of the table model's columns and dtypes, sorted (stable)."""
    if not rows:
        return frame([], model)
    return frame(rows, model).sort(sort_by, maintain_order=True)


__all__ = ["CASE_UNSAFE_RE", "NumberParser", "alternation", "data_words", "data_yaml", "iter_sentences",
           "lower_set", "number_parser", "rows_frame"]
