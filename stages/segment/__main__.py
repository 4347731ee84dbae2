"""segment: paragraphs and sentences of every clean text, with exact character offsets.

Load the clean documents and the lexicon `segment.lexicon` names; split each text into paragraphs (blank
lines) and each paragraph into sentences with the rule engine in `stages.segment.sentences`
(`segment_documents`, the executor's batch task: documents in, sentences out); documents whose text is
unchanged since the last run reuse their sentences from `segment.cache_dir` (`stages.common.cache`); validate
and write data/segment/sentences.parquet. Invariant: `text[start:end] == sentence` for every row.
"""
from __future__ import annotations

from functools import partial
from pathlib import Path

import polars as pl

from schemas.base import polars_schema
from schemas.params import Segment
from schemas.segment import Sentences
from stages.common import KEY_COLUMN, document_keys, load_section, log, progress, read_table, run_stage, write_table
from stages.common.cache import RowsCache, fingerprint
from stages.common.executor import InProcess, batches_of, map_batches
from stages.segment.sentences import Lexicon, lexicon_file, load_lexicon, split_paragraphs, split_sentences

STAGE = "segment"
DOCUMENTS = "data/clean/documents.parquet"
SENTENCES = "data/segment/sentences.parquet"
INPUTS = [DOCUMENTS]
OUTPUTS = [SENTENCES]

SEGMENT_DIR = Path(__file__).resolve().parent
SCHEMA_FILE = SEGMENT_DIR.parents[1] / "schemas" / "segment.py"   # the cached rows' columns come from it


def segment_documents(params: Segment, lexicon: Lexicon, docs: pl.DataFrame) -> pl.DataFrame:
    """The batch task: one row per sentence of the documents (`doc_id`, `text`) of `docs`; offsets are
    code-point indices into the document's clean text."""
    rows = []
    for doc_id, text in progress(docs.select("doc_id", "text").iter_rows(), STAGE, "documents", total=docs.height):
        for paragraph, (p_start, p_end) in enumerate(split_paragraphs(text)):
            for index, (s_start, s_end) in enumerate(split_sentences(text[p_start:p_end], params, lexicon)):
                start, end = p_start + s_start, p_start + s_end
                rows.append((doc_id, f"{doc_id}:{paragraph}:{index}", paragraph, index, start, end,
                             text[start:end]))
    return pl.DataFrame(rows, schema=polars_schema(Sentences), orient="row")


def sentences_fingerprint(params: Segment) -> str:
    """Changes with this package's code and data (every file, the lexicon whatever its suffix), the
    lexicon file params name, the table's schema, the params that decide sentences and polars."""
    return fingerprint(STAGE, params=params, folders=[SEGMENT_DIR], files=[lexicon_file(params), SCHEMA_FILE])


def segment_corpus(docs: pl.DataFrame, params: Segment, cache: RowsCache) -> tuple[pl.DataFrame, int]:
    """(sentences of every document, how many documents were segmented afresh): a document whose text was
    segmented before with the same code, lexicon and params gets its sentences from the cache."""
    lexicon = load_lexicon(lexicon_file(params))
    docs = docs.select("doc_id", "text")

    def compute(missing: pl.DataFrame) -> pl.DataFrame:
        todo = docs.join(missing, on="doc_id", how="semi")
        return map_batches(InProcess(), partial(segment_documents, params, lexicon), batches_of(todo, 1))

    return cache.run(document_keys(docs), compute)


def sentences_cache(params: Segment) -> RowsCache:
    return RowsCache(params.cache_dir, STAGE, sentences_fingerprint(params), key=["doc_id", KEY_COLUMN],
                     join_on=["doc_id"], enabled=params.cache, stage=STAGE)


def main() -> None:
    params = load_section(STAGE)
    docs = read_table(DOCUMENTS, columns=["doc_id", "text"])
    cache = sentences_cache(params)
    sentences, n_fresh = segment_corpus(docs, params, cache)
    write_table(sentences, SENTENCES, Sentences, "segment/sentences", sort_by=["doc_id", "paragraph", "index"])
    cache.prune()
    log(STAGE, f"{docs.height} documents -> {sentences.height} sentences "
               f"({docs.height - n_fresh} documents from the cache)")


if __name__ == "__main__":
    run_stage(STAGE, main)
