"""clean_corpus: the article body of every document, its metadata, and one audit row per dropped line.

How a document is cleaned
1. Blocks (stages/clean/lines.py): one raw line of a scraped page, or one paragraph of a hard-wrapped
   text (wrapped lines joined with a space; wrapping detected from the text). Features for all blocks of
   the corpus at once with polars: length, stop-word counts per language, sentence-final punctuation,
   capitalisation, the cue reason from data/cues.yaml, and in how many documents the block recurs
   (CCNet-style, by normalised key, one group_by: linear and deterministic).
2. Body-likeness (jusText-style): a block is *good* when it is long and dense in stop words of the
   document's language, or of medium length, sentence-shaped and dense enough; *near-good* when it is a
   shorter sentence. Cue blocks, and non-prose blocks that recur across documents, are *bad*; the rest is
   *neutral*. Prose that recurs across documents that are not copies of each other stops counting as good.
3. Contiguity: each block gets a score (+characters when good, a fraction when near-good, a penalty when
   bad or neutral) and the body is the contiguous run with the largest total (maximum subarray). When the
   page repeats its first line (the HTML <title>) as the headline, the best run starting right under it
   wins unless it is much weaker. The run ends at a comment-section opener (or a related-list opener not
   followed by more text); inside it, short neutral blocks between paragraphs stay (context smoothing),
   cue blocks and the headlines of an inline related box go; edges are trimmed back to prose.
   Text already cut to the article (HTML through trafilatura, JSONL feed bodies: `extracted_formats`) is
   scored leniently: only clear boilerplate goes.
4. Metadata: title (HTML metadata, else the headline-like line before the body, preferring one repeated or
   glued to a breadcrumb), subtitle (HTML description, else the sentence between title and body), authors
   (bylines, "X contributed reporting"), published date (datelines), site ("Source: ... - domain"),
   truncation (a paywall / continue-reading notice right after the body).
5. Language: of the body from its stop words when they are dense, else py3langid (restricted list);
   passages in another language are dropped; unsure bodies (tables) take the corpus's main language.

Every non-blank raw line ends up in exactly one of body_line_nos, title_line_no, subtitle_line_no or the
removed table (with a reason from stages/clean/reasons.py). The function is total: any string input works.

Reruns (clean_corpus_cached): everything clean_document sees of a document depends on the document alone,
except how many documents each of its blocks recurs in, which it only compares with small thresholds. So a
document's result is keyed by its raw text, metadata and those counts capped at the largest threshold, and
reused from the previous run's results (stored by stages/clean/cache.py) when the key is unchanged: adding a
document recleans only the documents it shares a so far unshared line with. Outputs are byte-identical.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import polars as pl

from stages.clean import metadata as meta
from stages.clean.language import DEFAULT_LANGUAGES, identify
from stages.clean.lines import (block_local_features, load_cues, normalise_key, repeat_counts, split_blocks,
                                stopword_languages)

DOCUMENT_SCHEMA = {
    "doc_id": pl.String, "title": pl.String, "subtitle": pl.String, "authors": pl.List(pl.String),
    "published_date": pl.Date, "site": pl.String, "language": pl.String, "text": pl.String,
    "is_truncated": pl.Boolean, "body_line_nos": pl.List(pl.Int64), "title_line_no": pl.Int64,
    "subtitle_line_no": pl.Int64, "n_lines": pl.Int64, "n_removed": pl.Int64, "boilerplate_share": pl.Float64,
}
REMOVED_SCHEMA = {"doc_id": pl.String, "line_no": pl.Int64, "text": pl.String, "reason": pl.String}

# Defaults: the best settings on the article-extraction benchmark (bench/clean.py).
DEFAULTS: dict[str, Any] = {
    "length_low": 100,             # characters: shorter blocks are never body on their own
    "length_high": 200,            # characters: longer blocks with enough stop words are body
    "stop_low": 0.10,              # stop-word share a medium, sentence-shaped block needs
    "stop_high": 0.25,             # stop-word share a long block needs
    "min_body_words": 8,           # words a medium block needs to count as body
    "near_min_words": 4,           # a shorter sentence is not near-good
    "near_weight": 0.5,            # score per character of a near-good block
    "cjk_char_weight": 3,          # a Han/kana/Hangul character counts as this many characters
    "extracted_formats": ["html", "jsonl"],  # formats whose text is already the article (extractor, feed)
    "extracted_repeat_max_words": 2,   # there, only this short a recurring line is boilerplate
    "extracted_neutral_weight": 0.2,   # there, a neutral block scores +weight x characters
    "stop_language_min_share": 0.08,   # below this, the language has no stop list: the share is not used
    "headline_caps_share": 0.75,   # a block with this many capitalised words and no sentence end is a headline
    "bad_penalty": 40.0,           # score of a cue / repeated block: -(penalty + its characters)
    "neutral_penalty": 30.0,       # score of a neutral block: -(penalty + weight x characters)
    "neutral_weight": 0.3,
    "repeat_min_docs": 2,          # a non-body-like block in this many documents is corpus boilerplate
    "repeat_min_docs_sentence": 2, # a prose block in this many documents does not count as body evidence
    "copy_min_share": 0.5,         # a document with this share of its body blocks repeated is a copy
    "max_cue_words": 30,           # 'contains' cue phrases are only checked on blocks up to this long
    "strong_cue_max_words": 120,   # ... and those of paywall / cookie notices up to this long
    "anchor_reach": 8,             # the body starts within this many blocks under the headline anchor
    "anchor_min_ratio": 0.3,       # ... unless the best run there scores below this share of the best run
    "title_window": 40,            # blocks before the body searched for the title
    "title_max_words": 30,
    "subtitle_min_words": 6,
    "subtitle_max_words": 60,
    "subtitle_from_body": False,   # the first body-like block right under the title may be the standfirst
    "fallback_max_blocks": 15,     # a text this short with no prose paragraph keeps its non-boilerplate lines
    "use_terminators": True,       # the body ends at a comment-section / related-list opener
    "terminator_max_words": 12,
    "terminator_lookahead": 8,
    "duplicate_min_words": 8,      # a repeated body block this long is a duplicate (shorter ones may recur)
    "drop_related_boxes": True,    # headlines after a 'related' cue inside the body go until the text resumes
    "navigation_max_words": 5,     # shorter blocks outside the body are 'navigation'
    "truncation_window": 6,        # blocks after the body searched for a paywall / continue-reading notice
    "languages": list(DEFAULT_LANGUAGES),
    "stopword_language_min_share": 0.3,  # a body this dense in one language's stop words is in it
    "language_min_confidence": 0.95,   # py3langid below this is unsure: the corpus's main language
    "langid_max_chars": 1000,      # characters of the body given to py3langid
    "foreign_min_chars": 30,       # shorter body blocks are not language-checked
    "foreign_outside_min_chars": 100,  # same, for the label of blocks outside the body
    "foreign_stop_max": 0.2,       # blocks with this stop-word share in the body language are not checked
    "foreign_min_confidence": 0.9,
    "foreign_stop_min": 0.15,      # ... and with this stop-word share in the language py3langid names
    "wrap_max_width": 100,         # hard-wrap detection (lines.py)
    "wrap_fill_ratio": 0.6,
    "wrap_min_share": 0.2,
    "wrap_min_lines": 3,
}

FEATURE_COLUMNS = ["text", "n_chars", "n_words", "ends_sentence", "n_capitalised", "key", "cue", "n_docs",
                   "copy_index", "has_digit", "glued", "n_alpha_words", "n_cjk"]


def param(params: dict[str, Any], key: str) -> Any:
    return params.get(key, DEFAULTS[key]) if isinstance(params, dict) else DEFAULTS[key]


def resolved_params(params: dict[str, Any] | None) -> dict[str, Any]:
    """Every key with its default filled in (unknown keys kept as given)."""
    given = params if isinstance(params, dict) else {}
    return {**DEFAULTS, **given}


# ------------------------------------------------------------------------------------------- corpus

META_COLUMNS = ("doc_id", "source_format", "meta_title", "meta_description", "meta_authors", "meta_date",
                "meta_site")
# clean_document's row before settle_unsure_languages: with whether its language is sure.
ROW_SCHEMA = {**DOCUMENT_SCHEMA, "_language_sure": pl.Boolean}
REMOVED_STRUCT = pl.Struct({"line_no": pl.Int64, "text": pl.String, "reason": pl.String})
# The reusable results of a run (stages/clean/cache.py stores them), one row per distinct document:
# `text_hash` (SHA-256 of the raw text) -> the keys of its blocks, from which the corpus-wide repeat
# counts are recomputed without splitting the text again; `result_key` (SHA-256 of the raw text's hash,
# the metadata and the repeat counts of its blocks) -> clean_document's output for it.
CACHE_SCHEMA = {"text_hash": pl.String, "block_keys": pl.List(pl.String), "result_key": pl.String,
                **{k: v for k, v in ROW_SCHEMA.items() if k != "doc_id"}, "removed": pl.List(REMOVED_STRUCT)}


@dataclass(frozen=True)
class CleanResult:
    documents: pl.DataFrame   # DOCUMENT_SCHEMA, in input order
    removed: pl.DataFrame     # REMOVED_SCHEMA, by document in input order, then block order
    cache: pl.DataFrame       # CACHE_SCHEMA: this run's results, to pass to the next run (empty if not asked)
    n_cached: int             # documents whose result came from the given cache


def clean_corpus(docs: pl.DataFrame, params: dict[str, Any]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(documents, removed) for the ingest documents frame; see the module docstring."""
    result = clean_corpus_cached(docs, params, None, keep_cache=False)
    return result.documents, result.removed


def clean_corpus_cached(docs: pl.DataFrame, params: dict[str, Any], cache: pl.DataFrame | None,
                        keep_cache: bool = True) -> CleanResult:
    """clean_corpus reusing the results of an earlier run (`cache`, CACHE_SCHEMA, made with the same
    params and code: the caller's fingerprint guarantees it) for every document whose inputs did not change.

    What clean_document sees of a document is a function of its raw text and metadata, except the
    corpus-wide repeat counts of its blocks (`n_docs`, given capped: repeat_cap). So its result is keyed by
    (raw text, metadata, capped repeat counts): a new document that makes a block of another one recur
    changes that document's key, and it is cleaned again. The blocks' keys are cached per raw text, so an
    unchanged document is not even split. The output is the same with or without a cache, and whatever
    rows the cache holds."""
    params = resolved_params(params)
    n_docs = docs.height
    if n_docs == 0:
        return CleanResult(pl.DataFrame(schema=DOCUMENT_SCHEMA), pl.DataFrame(schema=REMOVED_SCHEMA),
                           pl.DataFrame(schema=CACHE_SCHEMA), 0)
    use_cache = keep_cache or (cache is not None and cache.height > 0)
    raw_texts = [t if isinstance(t, str) else "" for t in docs["raw_text"].to_list()]
    meta = docs.select([c if c in docs.columns else pl.lit(None).alias(c) for c in META_COLUMNS])
    text_hashes = [sha256_hex(raw) for raw in raw_texts] if use_cache else []
    if cache is None or cache.height == 0:
        cache = pl.DataFrame(schema=CACHE_SCHEMA)

    # 1. Block keys: from the cache for a known raw text, else split and featurised now.
    known = (pl.DataFrame({"doc_idx": range(n_docs), "text_hash": text_hashes},
                          schema={"doc_idx": pl.Int64, "text_hash": pl.String})
             .join(cache.select("text_hash", "block_keys").unique("text_hash", keep="first"),
                   on="text_hash", how="inner", maintain_order="left")) if use_cache else None
    known_docs = set(known["doc_idx"].to_list()) if known is not None else set()
    line_nos_of_doc: dict[int, list[list[int]]] = {}
    fresh = local_features([d for d in range(n_docs) if d not in known_docs], raw_texts, params, line_nos_of_doc)
    keys = fresh.select("doc_idx", "block_idx", "key")
    if known is not None and known.height:
        known_keys = (known.filter(pl.col("block_keys").list.len() > 0)
                      .select("doc_idx", key=pl.col("block_keys"),
                              block_idx=pl.int_ranges(0, pl.col("block_keys").list.len(), dtype=pl.Int64))
                      .explode("key", "block_idx").select("doc_idx", "block_idx", "key"))
        keys = pl.concat([keys, known_keys]).sort("doc_idx", "block_idx")
    counts = repeat_counts(keys)
    cap = repeat_cap(params)
    if cap is not None:
        counts = counts.with_columns(pl.col("n_docs").clip(upper_bound=cap))

    # 2. Which documents the cache answers.
    if use_cache:
        counts_of_doc = dict(counts.group_by("doc_idx").agg(pl.col("n_docs").sort_by("block_idx")
                                                            .cast(pl.String).str.join(",")).iter_rows())
        # The metadata as JSON (fields in META_COLUMNS order; polars' encoding is fixed by its version,
        # which is part of the cache's fingerprint).
        meta_json = meta.select(pl.struct(pl.all()).struct.json_encode()).to_series().to_list()
        result_keys = [sha256_hex(f"{text_hashes[d]}\x1f{meta_json[d]}\x1f{counts_of_doc.get(d, '')}")
                       for d in range(n_docs)]
        if cache["result_key"].n_unique() != cache.height:  # (as written by this module it is unique)
            cache = cache.unique("result_key", keep="first", maintain_order=True)
        cached = cache.filter(pl.col("result_key").is_in(result_keys))
        cached_keys = set(cached["result_key"].to_list())
        hits = [d for d in range(n_docs) if result_keys[d] in cached_keys]
        misses = [d for d in range(n_docs) if result_keys[d] not in cached_keys]
    else:
        result_keys, cached, hits, misses = [], cache, [], list(range(n_docs))

    # 3. Clean the others: their features, then clean_document one by one.
    resplit = local_features([d for d in misses if d in known_docs], raw_texts, params, line_nos_of_doc)
    features = pl.concat([fresh.filter(pl.col("doc_idx").is_in(misses)), resplit]) \
        .sort("doc_idx", "block_idx").join(counts, on=["doc_idx", "block_idx"], how="left", maintain_order="left")
    languages = stopword_languages()
    columns = {name: features[name].to_list() for name in FEATURE_COLUMNS}
    stops = {lang: features[f"stop_{lang}"].to_list() for lang in languages}
    bounds: dict[int, list[int]] = {}
    for pos, d in enumerate(features["doc_idx"].to_list()):
        if d in bounds:
            bounds[d][1] = pos + 1
        else:
            bounds[d] = [pos, pos + 1]
    meta_rows = dict(zip(misses, meta[misses].to_dicts()))
    out_docs: list[dict[str, Any]] = []
    out_removed: list[dict[str, Any]] = []
    removed_doc_idx: list[int] = []
    for d in misses:
        lo, hi = bounds.get(d, (0, 0))
        doc_blocks = {name: values[lo:hi] for name, values in columns.items()}
        doc_blocks["line_nos"] = line_nos_of_doc[d]
        doc_stops = {lang: values[lo:hi] for lang, values in stops.items()}
        row, removed = clean_document(meta_rows[d], raw_texts[d], doc_blocks, doc_stops, params)
        out_docs.append(row)
        out_removed.extend(removed)
        removed_doc_idx.extend([d] * len(removed))
    fresh_docs = pl.DataFrame(out_docs, schema=ROW_SCHEMA).with_columns(
        doc_idx=pl.Series(misses, dtype=pl.Int64))
    fresh_removed = pl.DataFrame(out_removed, schema=REMOVED_SCHEMA).with_columns(
        doc_idx=pl.Series(removed_doc_idx, dtype=pl.Int64))

    # 4. Cached results under this run's doc ids, merged with the fresh ones in input order.
    hit_rows = pl.DataFrame({"doc_idx": hits, "doc_id": meta["doc_id"][hits],
                             "result_key": [result_keys[d] for d in hits]},
                            schema={"doc_idx": pl.Int64, "doc_id": pl.String, "result_key": pl.String}) \
        .join(cached, on="result_key", how="left", maintain_order="left")
    rows = pl.concat([fresh_docs.select("doc_idx", *ROW_SCHEMA),
                      hit_rows.select("doc_idx", *ROW_SCHEMA)]).sort("doc_idx")
    documents = settle_unsure_languages(rows).select(*DOCUMENT_SCHEMA)
    hit_removed = (hit_rows.filter(pl.col("removed").list.len() > 0).select("doc_idx", "doc_id", "removed")
                   .explode("removed").unnest("removed"))
    removed_frame = pl.concat([fresh_removed.select("doc_idx", *REMOVED_SCHEMA),
                               hit_removed.select("doc_idx", *REMOVED_SCHEMA)]) \
        .sort("doc_idx", maintain_order=True).select(*REMOVED_SCHEMA)

    # 5. This run's results, for the next run.
    new_cache = pl.DataFrame(schema=CACHE_SCHEMA)
    if keep_cache:
        block_keys = features.group_by("doc_idx").agg(block_keys=pl.col("key").sort_by("block_idx"))
        removed_lists = fresh_removed.group_by("doc_idx").agg(
            removed=pl.struct("line_no", "text", "reason"))  # group_by keeps the order inside a group
        fresh_cache = (fresh_docs.with_columns(
                           text_hash=pl.Series([text_hashes[d] for d in misses], dtype=pl.String),
                           result_key=pl.Series([result_keys[d] for d in misses], dtype=pl.String))
                       .join(block_keys, on="doc_idx", how="left", maintain_order="left")
                       .join(removed_lists, on="doc_idx", how="left", maintain_order="left")
                       .with_columns(pl.col("block_keys").fill_null([]), pl.col("removed").fill_null([])))
        new_cache = (pl.concat([fresh_cache.select(*CACHE_SCHEMA).cast(CACHE_SCHEMA),
                                cached.select(*CACHE_SCHEMA)])
                     .unique("result_key", keep="first", maintain_order=True))
    return CleanResult(documents, removed_frame, new_cache, len(hits))


SHARED_MIN_DOCS = 2  # a block in this many documents is shared (copy detection in clean_document)


def repeat_cap(params: dict[str, Any]) -> int | None:
    """The largest repeat count clean_document distinguishes: it only compares n_docs with
    SHARED_MIN_DOCS, `repeat_min_docs` and `repeat_min_docs_sentence`, so n_docs capped at the largest of
    them gives the same output. None (no cap) when a threshold is not a number."""
    thresholds = [SHARED_MIN_DOCS, param(params, "repeat_min_docs"), param(params, "repeat_min_docs_sentence")]
    if not all(isinstance(t, (int, float)) and not isinstance(t, bool) and math.isfinite(t) for t in thresholds):
        return None
    return max(1, math.ceil(max(thresholds)))


def local_features(doc_indices: list[int], raw_texts: list[str], params: dict[str, Any],
                   line_nos_of_doc: dict[int, list[list[int]]]) -> pl.DataFrame:
    """block_local_features of the blocks of these documents (doc_idx = their index in the corpus);
    their line numbers go to `line_nos_of_doc` (kept in Python: a list column is slow to build)."""
    doc_idx_col: list[int] = []
    block_idx_col: list[int] = []
    text_col: list[str] = []
    for doc_idx in doc_indices:
        doc_blocks = split_blocks(raw_texts[doc_idx], params)
        line_nos_of_doc[doc_idx] = [line_nos for line_nos, _ in doc_blocks]
        doc_idx_col.extend([doc_idx] * len(doc_blocks))
        block_idx_col.extend(range(len(doc_blocks)))
        text_col.extend(text for _, text in doc_blocks)
    blocks = pl.DataFrame({"doc_idx": doc_idx_col, "block_idx": block_idx_col, "text": text_col},
                          schema={"doc_idx": pl.Int64, "block_idx": pl.Int64, "text": pl.String})
    return block_local_features(blocks, params)


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# ----------------------------------------------------------------------------------------- document

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


def max_subarray(scores: list[float]) -> tuple[int, int, float]:
    """(start, end inclusive, total) of the contiguous run with the largest sum; (0, -1, 0) if none > 0."""
    best = (0, -1, 0.0)
    run_start, run_sum = 0, 0.0
    for i, score in enumerate(scores):
        if run_sum <= 0:
            run_start, run_sum = i, 0.0
        run_sum += score
        if run_sum > best[2]:
            best = (run_start, i, run_sum)
    return best


def best_run_from(scores: list[float], first: int, last: int) -> tuple[int, int, float]:
    """(start, end, total) of the best run starting in [first, last]; (0, -1, 0) if none is > 0.

    A run from a start only extends while its running total stays positive (as in the maximum-subarray
    scan): a long stretch of junk ends it even when a big block lies beyond."""
    best = (0, -1, 0.0)
    for j in range(max(0, first), min(len(scores), last + 1)):
        running, run_best, run_end = 0.0, 0.0, -1
        for k in range(j, len(scores)):
            running += scores[k]
            if running <= 0:
                break
            if running > run_best:
                run_best, run_end = running, k
        if run_best > best[2]:
            best = (j, run_end, run_best)
    return best


def headline_anchor(blocks: dict[str, list[Any]], n_words: list[int], params: dict[str, Any]) -> int | None:
    """The block that repeats the page's first line (its <title>, often with a " - Site" suffix) as the
    headline, or None. Scrapers print the page title first; the article follows its headline."""
    n = len(blocks["text"])
    if n < 3 or not blocks["glued"][0]:
        return None
    first = blocks["glued"][0]
    max_words = param(params, "title_max_words")
    for i in range(1, n):
        key = blocks["glued"][i]
        if 3 <= n_words[i] <= max_words and len(blocks["line_nos"][i]) == 1 and len(key) <= len(first) \
                and meta.title_copy(key, first):
            return i
    return None


def stop_language(doc_stops: dict[str, list[int]], n_words: list[int], min_share: float) -> str | None:
    """The stop-list language with the most stop words in the document, None when none is frequent."""
    total_words = sum(n_words)
    if total_words == 0:
        return None
    totals = sorted(((sum(counts), lang) for lang, counts in doc_stops.items()), key=lambda t: (-t[0], t[1]))
    if not totals or totals[0][0] < min_share * total_words:
        return None
    return totals[0][1]


def clean_document(doc_meta: dict[str, Any], raw_text: str, blocks: dict[str, list[Any]],
                   doc_stops: dict[str, list[int]], params: dict[str, Any]
                   ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """One document's output row and its removed rows."""
    doc_id = doc_meta["doc_id"]
    raw_lines = raw_text.split("\n")
    n = len(blocks["text"])
    texts = blocks["text"]
    # Lengths in Latin-script terms: a CJK character carries about as much as a short word with its space.
    cjk_chars = param(params, "cjk_char_weight")
    n_chars = [c + (cjk_chars - 1) * k for c, k in zip(blocks["n_chars"], blocks["n_cjk"])]
    n_words = [w + k // 2 for w, k in zip(blocks["n_words"], blocks["n_cjk"])]
    # Text an HTML extractor already reduced to the main content: keep what is not clearly boilerplate.
    extracted = doc_meta.get("source_format") in (param(params, "extracted_formats") or [])
    ends_sentence, cue = blocks["ends_sentence"], blocks["cue"]
    lang_stop = stop_language(doc_stops, n_words, param(params, "stop_language_min_share"))
    n_alpha = blocks["n_alpha_words"]
    stop_share = [(doc_stops[lang_stop][i] / n_alpha[i] if n_alpha[i] else 0.0) if lang_stop else 1.0
                  for i in range(n)]

    # --- metadata lines
    bylines: dict[int, list[str]] = {}
    datelines: dict[int, dt.date] = {}
    byline_starts = tuple(load_cues()["byline"]["prefixes"])
    for i in range(n):
        if n_words[i] > 60 or len(blocks["line_nos"][i]) > 1:
            continue
        lower = texts[i].lower()
        if lower.startswith(byline_starts) or "contribut" in lower or "reporting" in lower:
            names = meta.parse_byline(texts[i], params)
            if names:
                bylines[i] = names
                continue
        if n_words[i] <= 20 and blocks["has_digit"][i] and meta.is_dateline(texts[i], params):
            date = meta.find_date(texts[i])
            if date is not None:
                datelines[i] = date

    # --- body-likeness
    length_low, length_high = param(params, "length_low"), param(params, "length_high")
    stop_low, stop_high = param(params, "stop_low"), param(params, "stop_high")
    min_words = param(params, "min_body_words")
    caps_share = param(params, "headline_caps_share")
    good = [False] * n
    near_good = [False] * n  # a short sentence: body next to body, never on its own (jusText's near-good)
    near_min_words = param(params, "near_min_words")
    for i in range(n):
        if cue[i] is not None or i in bylines or i in datelines:
            continue
        headline = not ends_sentence[i] and n_words[i] and blocks["n_capitalised"][i] >= caps_share * n_words[i]
        if headline:
            continue
        near_good[i] = ends_sentence[i] and n_words[i] >= near_min_words and stop_share[i] >= stop_low
        if n_chars[i] >= length_high and stop_share[i] >= stop_high:
            good[i] = True
        elif n_chars[i] >= length_low and ends_sentence[i] and stop_share[i] >= stop_low \
                and (n_words[i] >= min_words or lang_stop is None):
            good[i] = True

    # --- corpus repetition: boilerplate-looking repeats always, sentence-shaped ones unless a copy
    # n_docs is only ever compared with SHARED_MIN_DOCS and these two thresholds: clean_corpus passes it
    # capped at the largest of them (repeat_cap), which keeps a document's cached result valid when a new
    # document only makes a line that was already shared more frequent.
    repeat_min = param(params, "repeat_min_docs")
    n_good = sum(good)
    n_good_shared = sum(1 for i in range(n) if good[i] and blocks["n_docs"][i] >= SHARED_MIN_DOCS)
    is_copy = n_good > 0 and n_good_shared >= param(params, "copy_min_share") * n_good
    repeat_min_sentence = param(params, "repeat_min_docs_sentence")
    # In extracted text (a feed's body) only a word or two recurring across documents is a signature
    # ("Reuter"); longer recurring lines there are template data ("Pay April 30").
    max_repeat_words = param(params, "extracted_repeat_max_words") if extracted else 10 ** 9
    repeated = [not good[i] and blocks["n_docs"][i] >= repeat_min and n_words[i] <= max_repeat_words
                for i in range(n)]
    if not is_copy:
        # A paragraph of prose found in several documents that otherwise differ (a site's "About us"
        # blurb, a wire's background paragraph) is no evidence of body: it stays only between body
        # paragraphs, never removed for the repetition alone.
        for i in range(n):
            if good[i] and blocks["n_docs"][i] >= repeat_min_sentence:
                good[i] = False

    # --- contiguous body
    bad_penalty, neutral_penalty = param(params, "bad_penalty"), param(params, "neutral_penalty")
    neutral_weight = param(params, "neutral_weight")
    scores = []
    for i in range(n):
        if good[i] and not repeated[i]:
            scores.append(float(n_chars[i]))
        elif cue[i] is not None or repeated[i]:
            scores.append(-(bad_penalty + n_chars[i]))
        elif near_good[i]:
            scores.append(param(params, "near_weight") * n_chars[i])
        elif extracted:
            scores.append(param(params, "extracted_neutral_weight") * n_chars[i])
        else:
            scores.append(-(neutral_penalty + neutral_weight * n_chars[i]))
    start, end, total = max_subarray(scores)
    fallback = False
    if not any(good) and n <= param(params, "fallback_max_blocks"):
        # A short text without any paragraph of running prose (a wire item that is only a results table:
        # "Shr 12 cts vs 15 cts / Net 1.2 mln vs 1.0 mln"): it is all content, bar clear boilerplate.
        content = [i for i in range(n) if cue[i] is None and not repeated[i] and i not in bylines
                   and i not in datelines]
        if sum(n_words[i] for i in content) >= min_words:
            start, end, total = content[0], content[-1], float(sum(n_chars[i] for i in content))
            fallback = True
    anchor = headline_anchor(blocks, n_words, params)
    if anchor is not None and not anchor < start <= anchor + param(params, "anchor_reach"):
        # The page repeats its <title> as the headline: the article starts right under it. Prefer the best
        # run starting there unless it is much weaker than the best run elsewhere (a short article above
        # a long footer notice).
        a_start, a_end, a_total = best_run_from(scores, anchor + 1, anchor + param(params, "anchor_reach"))
        if a_total > 0 and a_total >= param(params, "anchor_min_ratio") * total:
            start, end, total = a_start, a_end, a_total
    if param(params, "use_terminators") and end > start:
        end = cut_at_terminator(blocks, good, start, end, params)
    in_span = [start <= i <= end for i in range(n)]

    reasons: dict[int, str] = {}
    # --- title
    title, title_block = pick_title(doc_meta, blocks, start if end >= start else n, bylines, datelines,
                                    anchor, params)
    if title_block is not None:
        in_span[title_block] = False
    title_key = meta.glued_key(title) if title else ""
    if title_key:
        for i in range(n):
            raw_chars = blocks["n_chars"][i]
            if i != title_block and len(blocks["line_nos"][i]) == 1 and raw_chars >= len(title) * 0.9 \
                    and raw_chars <= len(title) + 70 and meta.title_copy(title_key, blocks["glued"][i]):
                reasons[i] = "duplicate_title"

    # --- subtitle
    subtitle, subtitle_block = pick_subtitle(doc_meta, blocks, title_block, start, end, bylines, datelines,
                                             reasons, good, params)

    # --- body blocks and reasons of the rest
    body: list[int] = []
    seen_keys: set[str] = set()
    in_related_box = False
    dup_min_words = param(params, "duplicate_min_words")
    for i in range(n):
        if i in (title_block, subtitle_block) or i in reasons:
            continue
        if good[i] or near_good[i]:
            in_related_box = False
        if i in bylines:
            reasons[i] = "byline"
        elif i in datelines:
            reasons[i] = "dateline"
        elif cue[i] is not None:
            reasons[i] = cue[i]
            # A related-stories box inside the article: its headlines follow until the text resumes.
            in_related_box = cue[i] == "related" and param(params, "drop_related_boxes")
        elif repeated[i]:
            reasons[i] = "repeated_across_docs"
        elif in_span[i]:
            if blocks["key"][i] and blocks["key"][i] in seen_keys and n_words[i] >= dup_min_words:
                reasons[i] = "duplicate_line"
            elif in_related_box:
                reasons[i] = "related"
            else:
                body.append(i)
                seen_keys.add(blocks["key"][i])
    # Trim neutral edges left by the removals (the span's own edges are good blocks).
    keeps_edges = extracted or fallback
    if not keeps_edges:
        first = next((k for k, i in enumerate(body) if good[i]), len(body))
        for i in body[:first]:
            reasons[i] = "short_fragment"
        body = body[first:]
        while body and not (good[body[-1]] or near_good[body[-1]]):
            reasons[body.pop()] = "short_fragment"

    # --- language: of the body, then passages in another language leave it
    languages = params.get("languages") or DEFAULT_LANGUAGES
    language, language_confident = body_language(texts, body, n_words, doc_stops, lang_stop, languages,
                                                 params)
    if body and language != "und" and language_confident:
        min_chars, stop_max = param(params, "foreign_min_chars"), param(params, "foreign_stop_max")
        min_conf = param(params, "foreign_min_confidence")
        kept = []
        for i in body:
            if n_chars[i] >= min_chars and (lang_stop is None or stop_share[i] < stop_max):
                code, prob = identify(texts[i], languages)
                # Short runs of figures and names fool py3langid: a passage is foreign only when it also
                # reads as prose of that language (its stop words), where we have a list for it.
                prose = code not in doc_stops or \
                    doc_stops[code][i] >= param(params, "foreign_stop_min") * max(1, n_alpha[i])
                if code not in (language, "und") and prob >= min_conf and prose:
                    reasons[i] = "foreign_language"
                    continue
            kept.append(i)
        body = kept
        if not body:
            language = "und"

    # --- the rest: author boxes, navigation, related headlines, longer boilerplate
    author_bio = author_bio_blocks(texts, [i for i in range(n) if i not in reasons and i not in body
                                           and i not in (title_block, subtitle_block)])
    last_body = body[-1] if body else -1
    for i in range(n):
        if i in reasons or i in body or i in (title_block, subtitle_block):
            continue
        if i in author_bio:
            reasons[i] = "author_bio"
        elif n_words[i] <= param(params, "navigation_max_words"):
            reasons[i] = "navigation"
        elif i > last_body >= 0 and not ends_sentence[i]:
            reasons[i] = "related"
        else:
            suspicious = lang_stop is None or stop_share[i] < param(params, "foreign_stop_max")
            reasons[i] = foreign_or(texts[i], n_chars[i], language, languages, params, "boilerplate") \
                if suspicious else "boilerplate"

    # --- metadata fields
    authors: list[str] = []
    for name in list(doc_meta.get("meta_authors") or []) + [nm for i in sorted(bylines) for nm in bylines[i]]:
        if isinstance(name, str) and name.strip() and name.strip() not in authors:
            authors.append(name.strip())
    published = parse_iso(doc_meta.get("meta_date"))
    if published is None and datelines:
        published = datelines[min(datelines)]
    site = doc_meta.get("meta_site") or None
    if site is None:
        for i in range(n):
            if cue[i] == "source":
                site = meta.parse_source_site(texts[i])
                if site:
                    break
    truncation_cues = [c.lower() for c in load_cues().get("truncation", [])]
    window = param(params, "truncation_window")
    is_truncated = False
    if body:
        for i in range(body[-1] + 1, min(n, body[-1] + 1 + window)):
            lower = texts[i].lower()
            if any(c in lower for c in truncation_cues):
                is_truncated = True
                break

    # --- rows
    body_line_nos = [ln for i in body for ln in blocks["line_nos"][i]]
    removed_rows = []
    removed_chars = 0
    for i in sorted(reasons):
        for ln in blocks["line_nos"][i]:
            line = raw_lines[ln - 1].strip()
            removed_rows.append({"doc_id": doc_id, "line_no": ln, "text": line, "reason": reasons[i]})
            removed_chars += len(line)
    text = "\n\n".join(texts[i].strip() for i in body)
    stripped_lengths = [len(line.strip()) for line in raw_lines]
    nonblank_chars = sum(stripped_lengths)  # blank lines add 0
    n_lines = len(stripped_lengths) - stripped_lengths.count(0)
    row = {
        "doc_id": doc_id, "title": title, "subtitle": subtitle, "authors": authors,
        "published_date": published, "site": site, "language": language, "text": text,
        "is_truncated": is_truncated, "body_line_nos": body_line_nos,
        "title_line_no": blocks["line_nos"][title_block][0] if title_block is not None else None,
        "subtitle_line_no": blocks["line_nos"][subtitle_block][0] if subtitle_block is not None else None,
        "n_lines": n_lines, "n_removed": len(removed_rows), "_language_sure": language_confident,
        "boilerplate_share": removed_chars / nonblank_chars if nonblank_chars else 0.0,
    }
    return row, removed_rows


LEADING_NUMBER = re.compile(r"^\d+ ")


@lru_cache(maxsize=1)
def terminator_keys() -> dict[str, tuple[str, ...]]:
    cues = load_cues().get("terminators") or {}
    return {kind: tuple(sorted({normalise_key(t) for t in phrases} - {""})) for kind, phrases in cues.items()}


def cut_at_terminator(blocks: dict[str, list[Any]], good: list[bool], start: int, end: int,
                      params: dict[str, Any]) -> int:
    """The span's new end: just before the first end-of-article marker (data/cues.yaml `terminators`)
    after a body paragraph; `end` when there is none. A related-list opener only counts when no body
    paragraph follows within `terminator_lookahead` blocks."""
    kinds = terminator_keys()
    max_words = param(params, "terminator_max_words")
    lookahead = param(params, "terminator_lookahead")
    seen_good = False
    for i in range(start, end + 1):
        if good[i]:
            seen_good = True
            continue
        if not seen_good or blocks["n_words"][i] > max_words:
            continue
        key = LEADING_NUMBER.sub("", blocks["key"][i] or "")
        if not key:
            continue
        for kind, phrases in sorted(kinds.items()):
            if any(key == t or key.startswith(t + " ") for t in phrases):
                if kind == "comments" or not any(good[i + 1:min(end + 1, i + 1 + lookahead)]):
                    return i - 1
    return end


def body_language(texts: list[str], body: list[int], n_words: list[int], doc_stops: dict[str, list[int]],
                  lang_stop: str | None, languages: list[str], params: dict[str, Any]) -> tuple[str, bool]:
    """(ISO 639-1 code of the body, whether it is sure); ("und", True) when the body is empty. When the
    body is dense in the stop words of one language (running text always is) that language is the answer;
    otherwise py3langid decides, sure only above `language_min_confidence` (tables of figures are not)."""
    if not body:
        return "und", True
    if lang_stop is not None and lang_stop in languages:
        words = sum(n_words[i] for i in body)
        stops = sum(doc_stops[lang_stop][i] for i in body)
        if words and stops >= param(params, "stopword_language_min_share") * words:
            return lang_stop, True
    code, prob = identify(" ".join(texts[i] for i in body), languages,
                          max_chars=param(params, "langid_max_chars"))
    return code, prob >= param(params, "language_min_confidence")


def foreign_or(text: str, n_chars: int, language: str, languages: list[str], params: dict[str, Any],
               default: str) -> str:
    """'foreign_language' for a longer passage outside the body in another language, else `default`."""
    if language != "und" and n_chars >= param(params, "foreign_outside_min_chars"):
        code, prob = identify(text, languages)
        if code not in (language, "und") and prob >= param(params, "foreign_min_confidence"):
            return "foreign_language"
    return default


# A person's name opening a line, followed by the end of the line or a comma ("Jane Doe, adviser ...").
NAME_PREFIX = re.compile(r"^([^\W\d_][\w'’-]+(?: [^\W\d_][\w'’-]+){1,3})(?:,|$)")


def author_bio_blocks(texts: list[str], candidates: list[int]) -> set[int]:
    """Blocks of an author box: several nearby non-body blocks that start with the same person's name."""
    by_name: dict[str, list[int]] = {}
    for i in candidates:
        match = NAME_PREFIX.match(texts[i])
        if match and all(w[:1].isupper() for w in match.group(1).split()):
            by_name.setdefault(match.group(1), []).append(i)
    found: set[int] = set()
    for indices in by_name.values():
        if len(indices) >= 2 and indices[-1] - indices[0] <= 3 * len(indices):
            found.update(range(indices[0], indices[-1] + 1))
    return found & set(candidates)


def parse_iso(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()[:10] or ""):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


# -------------------------------------------------------------------------------------- title/dek

SITE_SEPARATOR = re.compile(r"\s[|–—-]\s(?=[^|–—-]*$)")


def pick_title(doc_meta: dict[str, Any], blocks: dict[str, list[Any]], body_start: int,
               bylines: dict[int, list[str]], datelines: dict[int, dt.date], anchor: int | None,
               params: dict[str, Any]) -> tuple[str | None, int | None]:
    """(title, block index or None). HTML metadata first; then the headline that repeats the page's first
    line (`anchor`); else the headline-like line before the body, preferring one that has copies on the
    page (repeated, glued, or with a " - Site" suffix); else the page's first line without its " - Site"
    suffix."""
    texts = blocks["text"]
    n = len(texts)
    meta_title = doc_meta.get("meta_title")
    if isinstance(meta_title, str) and meta_title.strip():
        key = meta.glued_key(meta_title)
        for i in range(n):
            if len(blocks["line_nos"][i]) == 1 and blocks["key"][i] and blocks["key"][i] == key:
                return texts[i], i
        for i in range(n):
            if len(blocks["line_nos"][i]) == 1 and meta.title_copy(key, blocks["glued"][i]):
                return meta_title.strip(), None
        return meta_title.strip(), None
    if anchor is not None:
        # The page's first line is the title when it equals the headline, unless it is a block of several
        # lines (a title is one line: `title_line_no`); the anchor always is one.
        first_is_title = blocks["glued"][0] == blocks["glued"][anchor] and len(blocks["line_nos"][0]) == 1
        return (texts[0], 0) if first_is_title else (texts[anchor], anchor)
    window = param(params, "title_window")
    max_words = param(params, "title_max_words")
    # A line at the top of the body may still be the title when it is repeated (seed: a headline that is
    # itself a sentence, printed twice).
    candidates = [i for i in range(max(0, body_start - window), min(body_start + 2, n))
                  if len(blocks["line_nos"][i]) == 1 and blocks["cue"][i] is None and i not in bylines
                  and i not in datelines and 2 <= blocks["n_words"][i] <= max_words
                  and blocks["n_chars"][i] >= 10 and blocks["copy_index"][i] == 0]
    if not candidates:
        return None, None
    glued = {i: blocks["glued"][i] for i in range(max(0, body_start - window), min(n, body_start + 3))
             if len(blocks["line_nos"][i]) == 1}
    best, best_rank = None, None
    for i in candidates:
        own = glued[i]
        copies = sum(1 for j, key in glued.items()
                     if j != i and len(own) <= len(key) <= len(own) + 70 and meta.title_copy(own, key))
        if i >= body_start and copies == 0:
            continue
        headline = not blocks["ends_sentence"][i] or texts[i].rstrip().endswith(("?", "!"))
        rank = (copies > 0, headline and blocks["n_words"][i] >= 3, -abs(body_start - i) if copies == 0 else -i)
        if best_rank is None or rank > best_rank:
            best, best_rank = i, rank
    if (best is None or not best_rank[0]) and blocks["cue"][0] is None and len(blocks["line_nos"][0]) == 1:
        # The scraper's first line is the page's <title>: "Headline - Site" / "Headline | Site".
        parts = SITE_SEPARATOR.split(texts[0])
        if len(parts) >= 2 and 3 <= len(parts[0].split()) <= max_words:
            return parts[0].strip(), 0
    if best is None:
        return None, None
    return texts[best], best


def pick_subtitle(doc_meta: dict[str, Any], blocks: dict[str, list[Any]], title_block: int | None,
                  start: int, end: int, bylines: dict[int, list[str]], datelines: dict[int, dt.date],
                  reasons: dict[int, str], good: list[bool], params: dict[str, Any]
                  ) -> tuple[str | None, int | None]:
    """(standfirst, block index or None): the sentence-like line between the title and the body."""
    texts = blocks["text"]
    n = len(texts)
    min_words, max_words = param(params, "subtitle_min_words"), param(params, "subtitle_max_words")
    description = doc_meta.get("meta_description")
    if isinstance(description, str) and description.strip():
        key = normalise_key(description)
        limit = start if end >= start else n
        for i in range(limit):
            if i != title_block and i not in reasons and len(blocks["line_nos"][i]) == 1 and blocks["key"][i] \
                    and (blocks["key"][i] == key or key.startswith(blocks["key"][i]) and len(blocks["key"][i]) > 30):
                return texts[i], i
        return None, None
    if title_block is None:
        return None, None
    for i in range(title_block + 1, min(n, title_block + 6)):
        if i in reasons or i in bylines or i in datelines or blocks["cue"][i] is not None:
            continue
        if blocks["n_words"][i] < 3:
            continue
        if len(blocks["line_nos"][i]) != 1 or not min_words <= blocks["n_words"][i] <= max_words:
            return None, None
        inside = start <= i <= end
        if inside and not (param(params, "subtitle_from_body") and i == start and end > start):
            return None, None
        if not inside and i > end >= start:
            return None, None
        return texts[i], i
    return None, None
