"""clean_corpus: the article body of every document, its metadata, and one audit row per dropped line.

The work splits into per-document steps, pure functions over a batch of documents (frames in, frames out),
and two corpus-wide steps, which run on the driver:
1. `split_documents` (per document): each document's blocks (stages/clean/lines.py) with their normalised
   keys.
2. `repeat_counts` (**corpus-wide, driver**): in how many documents each key occurs (CCNet-style, one
   group_by: linear and deterministic), capped at `repeat_cap` (the largest count clean_document tells
   apart); `with_repeat_counts` attaches them to the documents as a list column.
3. `clean_batch` (per document, the executor task; `with_blocks` attaches each document's blocks): the
   blocks' features, then clean_document (stages/clean/document.py) on each; one row a document, with its
   removed lines nested.
4. `documents_and_removed` (**corpus-wide, driver**): a body whose language py3langid could not tell
   takes the corpus's most common sure language; the removed lines are unnested.

Everything clean_document sees of a document is the document (raw text and metadata, `INPUT_COLUMNS`) and
its blocks' capped repeat counts: `with_repeat_counts`' frame is what a document's result is keyed by
(stages/clean/__main__.py keeps the results in a cache; this module knows nothing of it).
"""
from __future__ import annotations

import contextlib
import gc
from functools import partial
from typing import Iterator

import polars as pl

from schemas.base import polars_schema
from schemas.clean import CleanDocuments, CleanRemoved
from schemas.params import Clean
from stages.clean.blocks import Block, Metadata, Page
from stages.clean.cues import stopword_languages
from stages.clean.document import SHARED_MIN_DOCS, clean_document, clear_line_memos
from stages.clean.language import Identifier, identifier
from stages.clean.lines import block_local_features, split_blocks, squeezed_key
from stages.common.executor import InProcess, batches_of, map_batches

# The columns of the ingest documents clean reads: what a document's result depends on.
INPUT_COLUMNS = ["doc_id", "source_format", "raw_text", "meta_title", "meta_description", "meta_authors",
                 "meta_date", "meta_site", "meta_url", "line_votes", "line_markup"]
# Columns a documents frame may lack (frames written before ingest had them), with what they mean then.
OPTIONAL_COLUMNS = {"meta_url": pl.lit(None, dtype=pl.String), "line_votes": pl.lit([], dtype=pl.List(pl.Int64)),
                    "line_markup": pl.lit([], dtype=pl.List(pl.Int64))}
COUNTS = "n_docs"   # with_repeat_counts' list column: each block's capped repeat count, in block order
# A block's lines are consecutive: first_line .. first_line + n_lines - 1 (1-based lines of raw_text).
BLOCKS_SCHEMA = {"doc_id": pl.String, "block_idx": pl.Int64, "first_line": pl.Int64, "n_lines": pl.Int64,
                 "text": pl.String}
DOCUMENT_ROW = {**polars_schema(CleanDocuments), "_language_sure": pl.Boolean}
REMOVED_FIELDS = {name: dtype for name, dtype in polars_schema(CleanRemoved).items() if name != "doc_id"}
# A clean_batch row: the document's output columns, whether its language is sure, its removed lines.
ROW_SCHEMA = {**DOCUMENT_ROW, "removed": pl.List(pl.Struct(REMOVED_FIELDS))}


def clean_corpus(docs: pl.DataFrame, params: Clean, model_copy_folder: str | None = None
                 ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(documents, removed) for ingest documents (at least `INPUT_COLUMNS`; doc_id unique), no cache."""
    blocks = split_documents(docs, params)
    inputs = with_repeat_counts(docs, repeat_counts(blocks, params))
    return documents_and_removed(clean_rows(with_blocks(inputs, blocks), params, model_copy_folder))


# ------------------------------------------------------------------------------------ blocks and counts

@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off during a loop that builds many small objects and no reference
    cycles (each document's lines, blocks and rows): its passes, one every 700 allocations re-walking the
    young objects, took a tenth of the stage's CPU time. Reference counting frees everything as before; the
    collector's previous state comes back after."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def split_documents(docs: pl.DataFrame, params: Clean) -> pl.DataFrame:
    """(doc_id, block_idx, first_line, n_lines, text, key) of every block of these documents: per document,
    pure."""
    doc_ids, block_ids, first_lines, n_lines, texts = [], [], [], [], []
    with gc_paused():
        for doc_id, raw_text in docs.select("doc_id", "raw_text").iter_rows():
            blocks = split_blocks(raw_text or "", params)
            doc_ids.extend([doc_id] * len(blocks))
            block_ids.extend(range(len(blocks)))
            for numbers, text in blocks:
                first_lines.append(numbers[0])
                n_lines.append(len(numbers))
                texts.append(text)
    frame = pl.DataFrame({"doc_id": doc_ids, "block_idx": block_ids, "first_line": first_lines, "n_lines": n_lines,
                          "text": texts}, schema=BLOCKS_SCHEMA)
    return frame.with_columns(key=squeezed_key(pl.col("text")))


def repeat_cap(params: Clean) -> int:
    """The largest repeat count clean_document distinguishes: it only compares n_docs with
    SHARED_MIN_DOCS, `repeat_min_docs` and `repeat_min_docs_sentence`, so n_docs capped at the largest of
    them gives the same output."""
    return max(SHARED_MIN_DOCS, params.repeat_min_docs, params.repeat_min_docs_sentence)


def repeat_counts(blocks: pl.DataFrame, params: Clean) -> pl.DataFrame:
    """Corpus-wide, on the driver: (doc_id, block_idx, n_docs) for the (doc_id, block_idx, key) of every
    block of the corpus: in how many documents its key occurs, copies of one article counting once
    (`copy_groups`), capped at repeat_cap; blocks of < 2 characters count 1."""
    groups = copy_groups(blocks, params)
    return (blocks.join(groups, on="doc_id", how="left").select(
        "doc_id", "block_idx",
        n_docs=pl.when(pl.col("key").str.len_chars() >= 2).then(pl.col("group").n_unique().over("key"))
        .otherwise(1).cast(pl.Int64).clip(upper_bound=repeat_cap(params))))


def copy_groups(blocks: pl.DataFrame, params: Clean) -> pl.DataFrame:
    """(doc_id, group): documents that are copies of one article (an HTML and a text scrape of one page,
    a reprint, a cut copy) share a group. Two documents are copies when the paragraphs of
    `copy_paragraph_min_words`+ words they share hold most of the characters of the shorter one's
    (`copy_min_share`), and they are at least `copy_min_paragraphs` unless one has fewer; only paragraphs
    found in at most `copy_max_docs` documents are compared (a site's boilerplate paragraph in hundreds of
    pages links no one). Two different articles of one site that share a box of related-story teasers or
    newsletter lines (long paragraphs, but shorter than an article's and a fraction of either page's text)
    are not copies: were they, those lines would count as one document's, and look like the article's own
    prose. Linear in the shared paragraphs; the groups are the connected components (the smallest doc_id
    names each)."""
    long = (blocks.filter(pl.col("key").str.count_matches(" ", literal=True) + 1 >= params.copy_paragraph_min_words)
            .select("doc_id", "key").unique().with_columns(size=pl.col("key").str.len_chars()))
    n_long = long.group_by("doc_id").agg(n_long=pl.len(), long_chars=pl.col("size").sum())
    shared = long.filter(pl.col("doc_id").n_unique().over("key").is_between(2, params.copy_max_docs))
    pairs = (shared.join(shared, on="key", suffix="_b").filter(pl.col("doc_id") < pl.col("doc_id_b"))
             .group_by("doc_id", "doc_id_b").agg(n_shared=pl.len(), shared_chars=pl.col("size").sum())
             .join(n_long, on="doc_id").join(n_long, left_on="doc_id_b", right_on="doc_id", suffix="_b")
             .filter((pl.col("shared_chars") >= params.copy_min_share
                      * pl.min_horizontal("long_chars", "long_chars_b"))
                     & (pl.col("n_shared") >= pl.min_horizontal(pl.lit(params.copy_min_paragraphs), "n_long",
                                                                "n_long_b")))
             .select("doc_id", "doc_id_b").sort("doc_id", "doc_id_b"))
    parent: dict[str, str] = {}

    def find(doc: str) -> str:
        while parent.get(doc, doc) != doc:
            parent[doc] = parent.get(parent[doc], parent[doc])
            doc = parent[doc]
        return doc

    for a, b in pairs.iter_rows():
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    docs = blocks.select("doc_id").unique().sort("doc_id")["doc_id"].to_list()
    return pl.DataFrame({"doc_id": docs, "group": [find(d) for d in docs]}, schema={"doc_id": pl.String,
                                                                                   "group": pl.String})


def with_repeat_counts(docs: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """The documents' INPUT_COLUMNS and `n_docs`, their blocks' repeat counts in block order: everything
    clean_document reads of a document."""
    if docs["doc_id"].n_unique() != docs.height:
        raise ValueError("clean needs one row per doc_id")
    docs = with_optional_columns(docs)
    per_doc = counts.group_by("doc_id").agg(pl.col("n_docs").sort_by("block_idx").alias(COUNTS))
    return (docs.select(INPUT_COLUMNS).join(per_doc, on="doc_id", how="left", maintain_order="left")
            .with_columns(pl.col(COUNTS).fill_null(pl.lit([], dtype=pl.List(pl.Int64)))))


def with_optional_columns(docs: pl.DataFrame) -> pl.DataFrame:
    """The documents with every OPTIONAL_COLUMNS column (its default where it is absent)."""
    return docs.with_columns(**{name: value for name, value in OPTIONAL_COLUMNS.items() if name not in docs.columns})


BLOCK_LISTS = {"first_line": "block_first_lines", "n_lines": "block_n_lines", "text": "block_texts",
               "key": "block_keys"}


def with_blocks(inputs: pl.DataFrame, blocks: pl.DataFrame) -> pl.DataFrame:
    """`inputs` (with_repeat_counts) with their blocks (split_documents of these documents; other documents'
    blocks are ignored) as list columns, in block order (`BLOCK_LISTS`): what clean_batch takes."""
    per_doc = (blocks.join(inputs.select("doc_id"), on="doc_id", how="semi").sort("doc_id", "block_idx")
               .group_by("doc_id", maintain_order=True)
               .agg(**{name: pl.col(column) for column, name in BLOCK_LISTS.items()}))
    empty = {column: pl.lit([], dtype=pl.List(BLOCKS_SCHEMA.get(column, pl.String))) for column in BLOCK_LISTS}
    return (inputs.join(per_doc, on="doc_id", how="left", maintain_order="left")
            .with_columns(pl.col(name).fill_null(empty[column]) for column, name in BLOCK_LISTS.items()))


# ------------------------------------------------------------------------------------------ documents

def clean_rows(tasks: pl.DataFrame, params: Clean, model_copy_folder: str | None) -> pl.DataFrame:
    """clean_batch over the documents (`with_blocks`), through the executor seam: in this process today.
    py3langid's model is loaded once per worker (from the uncompressed copy in `model_copy_folder`, when
    given: stages/clean/language.py)."""
    if tasks.height == 0:
        return pl.DataFrame(schema=ROW_SCHEMA)
    languages = tuple(sorted(set(params.languages)))
    return map_batches(InProcess(), partial(clean_batch, params), batches_of(tasks, 1),
                       init=partial(identifier, languages, model_copy_folder))


def clean_batch(params: Clean, language_id: Identifier, batch: pl.DataFrame) -> pl.DataFrame:
    """The executor task: ROW_SCHEMA rows for a batch of documents (`with_blocks` frames), in batch order.
    Pure: each row depends on its document, its blocks and their repeat counts only."""
    rows = []
    removed: dict[str, list] = {name: [] for name in polars_schema(CleanRemoved)}
    clear_line_memos()
    with gc_paused():
        documents = batch.select(INPUT_COLUMNS).iter_rows(named=True)
        for doc, (blocks, stops) in zip(documents, document_blocks(batch, params)):
            page = Page.of(doc["doc_id"], Metadata.of(doc), doc["raw_text"] or "", blocks, stops, params)
            row, lines = clean_document(page, language_id, params)
            rows.append(row)
            removed["doc_id"].extend([page.doc_id] * len(lines))
            for name in REMOVED_FIELDS:
                removed[name].extend(line[name] for line in lines)
    nested = (pl.DataFrame(removed, schema=polars_schema(CleanRemoved)).group_by("doc_id", maintain_order=True)
              .agg(removed=pl.struct(*REMOVED_FIELDS)))
    return (pl.DataFrame(rows, schema=DOCUMENT_ROW).join(nested, on="doc_id", how="left", maintain_order="left")
            .with_columns(pl.col("removed").fill_null(pl.lit([], dtype=ROW_SCHEMA["removed"]))))


def corpus_pages(docs: pl.DataFrame, params: Clean) -> list[Page]:
    """Every document as clean_document sees it (`Page`, in the frame's order), with the corpus-wide repeat
    counts: what the training script featurises (bench/train_clean.py)."""
    blocks = split_documents(docs, params)
    tasks = with_blocks(with_repeat_counts(docs, repeat_counts(blocks, params)), blocks)
    documents = tasks.select(INPUT_COLUMNS).iter_rows(named=True)
    return [Page.of(doc["doc_id"], Metadata.of(doc), doc["raw_text"] or "", blocks, stops, params)
            for doc, (blocks, stops) in zip(documents, document_blocks(tasks, params))]


def document_blocks(batch: pl.DataFrame, params: Clean) -> list[tuple[list[Block], dict[str, list[int]]]]:
    """Each document's blocks, with their features (lines.block_local_features, over the whole batch at
    once) and repeat counts, and its blocks' stop words per language."""
    sizes = batch.select(pl.col("block_texts").list.len().alias("n"), pl.col(COUNTS).list.len().alias("counts"))
    if not sizes["n"].equals(sizes["counts"]):
        raise ValueError("repeat counts of another split of the documents")
    lists = [*BLOCK_LISTS.values(), COUNTS]
    flat = (batch.select(pl.int_range(pl.len(), dtype=pl.Int64).alias("doc_idx"), *lists,
                         block_idx=pl.int_ranges(0, pl.col("block_texts").list.len(), dtype=pl.Int64))
            .filter(pl.col("block_texts").list.len() > 0).explode(*lists, "block_idx")
            .rename({name: column for column, name in BLOCK_LISTS.items()}))
    # Sorted by doc_idx, block_idx (already so). Lengths in Latin-script terms: a CJK character carries
    # about as much as a short word with its space.
    features = block_local_features(flat, params).with_columns(
        chars=pl.col("n_chars") + (params.cjk_char_weight - 1) * pl.col("n_cjk"),
        words=pl.col("n_words") + pl.col("n_cjk") // 2)
    columns = [features[name].to_list() for name in (
        "text", "first_line", "n_lines", "n_chars", "n_words", "chars", "words", "n_alpha_words", "n_capitalised",
        "ends_sentence", "has_digit", "key", "glued", "cue", "copy_index", "n_docs")]
    texts, firsts, n_lines, *values = columns
    # map over the columns: a list comprehension unpacking each row's 16 values took half again as long.
    line_nos = list(map(range, firsts, [first + n for first, n in zip(firsts, n_lines)]))
    blocks = list(map(Block, texts, line_nos, [n == 1 for n in n_lines], *values))
    stops = {lang: features[f"stop_{lang}"].to_list() for lang in stopword_languages()}
    ends = sizes["n"].cum_sum().to_list()
    return [(blocks[lo:hi], {lang: values[lo:hi] for lang, values in stops.items()})
            for lo, hi in zip([0, *ends[:-1]], ends)]


def documents_and_removed(rows: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Corpus-wide, on the driver: (documents, removed) from clean_batch rows, unsure languages settled."""
    documents = settle_unsure_languages(rows).select(list(polars_schema(CleanDocuments)))
    removed = (rows.filter(pl.col("removed").list.len() > 0).select("doc_id", "removed")
               .explode("removed").unnest("removed").select(list(polars_schema(CleanRemoved))))
    return documents, removed


def settle_unsure_languages(rows: pl.DataFrame) -> pl.DataFrame:
    """A body whose language py3langid could not tell with confidence (a table of figures) gets the
    corpus's most common sure language (ties: the first code)."""
    sure = rows.filter(pl.col("_language_sure") & (pl.col("language") != "und"))
    if sure.height == 0:
        return rows
    majority = (sure.group_by("language").agg(n=pl.len())
                .sort(["n", "language"], descending=[True, False])["language"][0])
    return rows.with_columns(
        language=pl.when(~pl.col("_language_sure") & (pl.col("language") != "und"))
        .then(pl.lit(majority, dtype=pl.String)).otherwise(pl.col("language")))
