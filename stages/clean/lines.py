"""Lines to blocks, and the per-block features the classifier uses, computed for a whole corpus at once.

A *block* is the unit that is classified: one raw line of a scraped page (one visible block a line), or one
paragraph of a hard-wrapped text (news-wire bodies wrapped at ~70 characters, paragraphs opened by an
indentation or a blank line), whose wrapped lines are joined with one space. Wrapping is detected from the
text itself: every line is short (<= `wrap_max_width`) and many lines fill the width.

Features (vectorised with polars over all blocks of all documents): length in characters and words, counts
of stop words per language (data/cues.yaml), sentence-final punctuation, share of capitalised words, the
cue reason (first cue family of data/cues.yaml that matches), a normalised key for repetition, and the
number of documents of the corpus the key occurs in (CCNet-style line deduplication, by hash, linear).
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from stages.clean.reasons import CUE_REASONS

DATA_DIR = Path(__file__).resolve().parent / "data"

# Sentence-final punctuation, optionally followed by closing quotes/brackets (linear: one char class run).
SENTENCE_END = r"[.!?。！？…;:]['\"”’»)\]]*$"
LEADING_INDENT = re.compile(r"^[ \t\u00a0]+")


@lru_cache(maxsize=1)
def load_cues() -> dict[str, Any]:
    """data/cues.yaml, parsed once (read-only afterwards)."""
    with open(DATA_DIR / "cues.yaml", encoding="utf-8") as handle:
        cues = yaml.safe_load(handle)
    for lang, words in cues["stopwords"].items():
        # YAML 1.1 reads a bare no/on as a boolean: the file quotes them; fail loudly if one slips through.
        bad = [w for w in words if not isinstance(w, str)]
        if bad:
            raise ValueError(f"data/cues.yaml stopwords.{lang}: quote {bad} (YAML reads them as non-strings)")
    for reason, family in cues["cues"].items():
        for kind, phrases in family.items():
            bad = [p for p in phrases if not isinstance(p, str)]
            if bad:
                raise ValueError(f"data/cues.yaml cues.{reason}.{kind}: quote {bad}")
    return cues


def normalise_key(text: str) -> str:
    """Lower-case, runs of non-word characters squeezed to one space: the key of exact cues and repeats."""
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


# ------------------------------------------------------------------------------------------ blocks

def split_blocks(raw_text: str, params: dict[str, Any]) -> list[tuple[list[int], str]]:
    """(1-based line numbers, text) of every block of a document, in order. Blank lines form no block."""
    lines = raw_text.split("\n")
    nonblank = [i for i, line in enumerate(lines) if line.strip()]
    if not nonblank:
        return []
    if not is_hard_wrapped(lines, nonblank, params):
        return [([i + 1], lines[i].strip()) for i in nonblank]
    width = max(len(lines[i].rstrip()) for i in nonblank)
    fill = params.get("wrap_fill_ratio", 0.6) * width
    # Paragraphs opened by an indentation: only an indented line (or a blank line) starts a new one.
    uses_indent = any(LEADING_INDENT.match(lines[i]) and lines[i - 1].strip() for i in nonblank[1:])
    blocks: list[tuple[list[int], str]] = []
    current: list[int] = []
    for i in nonblank:
        continues = bool(current) and current[-1] == i - 1
        if continues:
            if uses_indent:
                continues = not LEADING_INDENT.match(lines[i])
            else:
                continues = runs_on(lines[i - 1], lines[i], fill)
        if not continues and current:
            blocks.append(([j + 1 for j in current], " ".join(lines[j].strip() for j in current)))
            current = []
        current.append(i)
    if current:
        blocks.append(([j + 1 for j in current], " ".join(lines[j].strip() for j in current)))
    return blocks


def runs_on(line: str, next_line: str, fill: float) -> bool:
    """True when `next_line` continues the sentence of `line`: the line has no sentence end and either
    fills the width or the next line starts in lower case."""
    stripped = line.rstrip()
    if not stripped or stripped[-1] in ".!?:;" or not next_line.strip():
        return False
    first = next_line.lstrip()[:1]
    return len(stripped) >= fill or first.islower() or first.isdigit()


def is_hard_wrapped(lines: list[str], nonblank: list[int], params: dict[str, Any]) -> bool:
    """True when the text is wrapped at a fixed width: no line is long, and enough lines run on into the
    next one (see runs_on)."""
    if len(nonblank) < params.get("wrap_min_lines", 3):
        return False
    width = max(len(lines[i].rstrip()) for i in nonblank)
    if width > params.get("wrap_max_width", 100) or width < 20:
        return False
    fill = params.get("wrap_fill_ratio", 0.6) * width
    run_on = sum(1 for i in nonblank if i + 1 < len(lines) and runs_on(lines[i], lines[i + 1], fill))
    return run_on >= max(1, params.get("wrap_min_share", 0.2) * len(nonblank))


# ---------------------------------------------------------------------------------------- features

def _bounded(phrase: str) -> str:
    """The phrase as a regex matching whole words only ("adblock" must not match in "roadblock")."""
    escaped = re.escape(phrase.lower())
    # ASCII word boundaries: Unicode ones make the regex engine leave its fast DFA.
    start = r"(?-u:\b)" if re.match(r"\w", phrase) else ""
    end = r"(?-u:\b)" if re.search(r"\w$", phrase) else ""
    return f"{start}{escaped}{end}"


def _literal_alternation(phrases: list[str]) -> str:
    return "|".join(_bounded(p) for p in sorted(set(phrases), key=lambda p: (-len(p), p)))


def cue_reason_expr(params: dict[str, Any]) -> pl.Expr:
    """The first cue reason whose phrases match the block (null when none): exact, prefix or contains."""
    cues = load_cues()["cues"]
    max_words = params.get("max_cue_words", 30)
    min_words = params.get("min_body_words", 8)
    sentence_reasons = set(load_cues().get("sentence_cue_reasons", []))
    strong_reasons = set(load_cues().get("strong_cue_reasons", []))
    strong_max_words = params.get("strong_cue_max_words", 120)
    lower = pl.col("lower")
    expr = pl.lit(None, dtype=pl.String)
    for reason in reversed(CUE_REASONS):  # built inside-out so the first reason wins
        family = cues.get(reason) or {}
        conditions = []
        if family.get("exact"):
            keys = sorted({normalise_key(p) for p in family["exact"]} - {""})
            conditions.append(pl.col("key").is_in(keys))
            if "×" in family["exact"]:
                conditions.append(lower == "×")
        if family.get("prefix"):
            conditions.append(lower.str.contains("^(?:" + _literal_alternation(family["prefix"]) + ")"))
        if family.get("contains"):
            limit = strong_max_words if reason in strong_reasons else max_words
            # Only blocks short enough are searched (the others are null: no match, no scan).
            contains = pl.when(pl.col("n_words") <= limit).then(lower) \
                .str.contains(_literal_alternation(family["contains"])).fill_null(False)
            if reason not in sentence_reasons:
                # A weak cue ("read more", "check out") does not make a sentence of running text boilerplate.
                contains = contains & ~(pl.col("ends_sentence") & (pl.col("n_words") >= min_words))
            conditions.append(contains)
        if not conditions:
            continue
        matched = conditions[0]
        for condition in conditions[1:]:
            matched = matched | condition
        expr = pl.when(matched).then(pl.lit(reason)).otherwise(expr)
    return expr


def block_features(blocks: pl.DataFrame, params: dict[str, Any]) -> pl.DataFrame:
    """Add the features to a frame of blocks (doc_idx, block_idx, text) of the whole corpus."""
    stopwords: dict[str, list[str]] = load_cues()["stopwords"]
    languages = sorted(stopwords)
    frame = blocks.with_row_index("row").with_columns(
        n_chars=pl.col("text").str.len_chars().cast(pl.Int64),
        key=pl.col("text").str.to_lowercase().str.replace_all(r"[\W_]+", " ").str.strip_chars()
            .str.replace_all(r" +", " "),
        ends_sentence=pl.col("text").str.contains(SENTENCE_END),
        has_digit=pl.col("text").str.contains(r"\d"),
        # Han / kana / Hangul characters: a word's worth of meaning each, without spaces between words.
        n_cjk=pl.col("text").str.count_matches(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]").cast(pl.Int64),
        # Key with a breadcrumb glued to the first word undone ("WorldNegotiations" -> "world negotiations").
        glued=pl.col("text").str.replace_all(r"(\p{Ll})(\p{Lu}\p{Ll})", "$1 $2").str.to_lowercase()
            .str.replace_all(r"[\W_]+", " ").str.strip_chars().str.replace_all(r" +", " "),
        n_capitalised=pl.col("text").str.count_matches(r"(?:^|\s)[\p{Lu}\d]").cast(pl.Int64),
    ).with_columns(
        n_words=pl.col("key").str.count_matches(r"\S+").cast(pl.Int64),
        # Words that are not numbers: the base of the stop-word share (figures are not function words).
        n_alpha_words=pl.col("key").str.count_matches(r"(?:^| )[^\d ]").cast(pl.Int64),
    )
    # Stop words per language: one flat column of words (key split on spaces), one is_in per language,
    # summed back per block; much faster than a list.eval per block.
    words = frame.select("row", word=pl.col("key").str.split(" ")).explode("word")
    counts = words.group_by("row").agg(
        **{f"stop_{lang}": pl.col("word").is_in(stopwords[lang]).sum().cast(pl.Int64) for lang in languages})
    frame = frame.join(counts, on="row", how="left").with_columns(
        [pl.col(f"stop_{lang}").fill_null(0) for lang in languages]).drop("row")
    frame = frame.with_columns(lower=pl.col("text").str.to_lowercase().str.strip_chars()) \
        .with_columns(cue=cue_reason_expr(params)).drop("lower")
    # Corpus repetition: in how many documents a block's key occurs (blocks of < 2 characters ignored).
    doc_counts = (frame.filter(pl.col("key").str.len_chars() >= 2).select("doc_idx", "key").unique()
                  .group_by("key").agg(n_docs=pl.len().cast(pl.Int64)))
    frame = frame.join(doc_counts, on="key", how="left").with_columns(pl.col("n_docs").fill_null(1))
    # Repetition inside the document: 0 for the first copy, 1 for the second, ...
    frame = frame.sort("doc_idx", "block_idx").with_columns(
        copy_index=pl.col("block_idx").rank("ordinal").over("doc_idx", "key").cast(pl.Int64) - 1)
    return frame


def stopword_languages() -> list[str]:
    return sorted(load_cues()["stopwords"])
