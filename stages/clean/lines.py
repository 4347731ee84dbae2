"""Lines to blocks, and the per-block features the classifier uses, computed for many documents at once.

A *block* is the unit that is classified: one raw line of a scraped page (one visible block a line), or one
paragraph of a hard-wrapped text (news-wire bodies wrapped at ~70 characters, paragraphs opened by an
indentation or a blank line), whose wrapped lines are joined with one space. Wrapping is detected from the
text itself: every line is short (<= `wrap_max_width`) and many lines fill the width.

Features (vectorised with polars over all blocks of a batch of documents): length in characters and words,
counts of stop words per language (data/cues.yaml), sentence-final punctuation, share of capitalised words,
the cue reason (first cue family of data/cues.yaml that matches) and a normalised key for repetition. Each
depends on the block's own document only; the one corpus-wide feature, in how many documents the key occurs,
is counted on the driver (stages/clean/corpus.py: repeat_counts).
"""
from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

from schemas.params import Clean
from stages.clean.cues import load_cues
from stages.clean.reasons import CUE_REASONS
from stages.clean.wrap import wrapped_runs

# Sentence-final punctuation, optionally followed by closing quotes/brackets (linear: one char class run).
SENTENCE_END = r"[.!?。！？…;:]['\"”’»)\]]*$"
INDENT_CHARS = " \t\u00a0"  # a line starting with one of these is indented


def normalise_key(text: str) -> str:
    """Lower-case, runs of non-word characters squeezed to one space: the key of exact cues and repeats."""
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


# ------------------------------------------------------------------------------------------ blocks

def split_blocks(raw_text: str, params: Clean) -> list[tuple[list[int], str]]:
    """(1-based line numbers, text) of every block of a document, in order. Blank lines form no block."""
    lines = raw_text.split("\n")
    stripped = [line.strip() for line in lines]
    nonblank = [i for i, line in enumerate(stripped) if line]
    if not nonblank:
        return []
    if is_hard_wrapped(lines, nonblank, stripped, params):
        return wrapped_paragraphs(lines, stripped, nonblank, params)
    texts = [stripped[i] for i in nonblank]
    # A blank line always ends a paragraph: only the breaks between adjacent lines are the join model's
    # (half the breaks of a text rendered with a blank line between its paragraphs).
    adjacent = [b == a + 1 for a, b in zip(nonblank, nonblank[1:])]
    blocks = []
    for run in wrapped_runs(texts, open_breaks=adjacent):
        if len(run) == 1:   # most blocks: one line (" ".join of one text is that text)
            blocks.append(([nonblank[run[0]] + 1], texts[run[0]]))
            continue
        # A blank line always ends a paragraph.
        start = 0
        for k in range(1, len(run) + 1):
            if k == len(run) or nonblank[run[k]] != nonblank[run[k - 1]] + 1:
                part = run[start:k]
                blocks.append(([nonblank[j] + 1 for j in part], " ".join(texts[j] for j in part)))
                start = k
    return blocks


def wrapped_paragraphs(lines: list[str], stripped: list[str], nonblank: list[int], params: Clean
                       ) -> list[tuple[list[int], str]]:
    """The paragraphs of a hard-wrapped text: runs of consecutive lines, each continuing the one before (an
    indented line opens a paragraph when the text indents them; else see runs_on), joined with a space."""
    width = max(len(lines[i].rstrip()) for i in nonblank)
    fill = params.wrap_fill_ratio * width
    # Paragraphs opened by an indentation: only an indented line (or a blank line) starts a new one.
    uses_indent = any(lines[i][:1] in INDENT_CHARS and stripped[i - 1] for i in nonblank[1:])
    paragraphs: list[list[int]] = []
    for i in nonblank:
        if paragraphs and paragraphs[-1][-1] == i - 1 and (
                lines[i][:1] not in INDENT_CHARS if uses_indent else runs_on(lines[i - 1], lines[i], fill)):
            paragraphs[-1].append(i)
        else:
            paragraphs.append([i])
    return [([j + 1 for j in paragraph], " ".join(stripped[j] for j in paragraph)) for paragraph in paragraphs]


def runs_on(line: str, next_line: str, fill: float) -> bool:
    """True when `next_line` continues the sentence of `line`: the line has no sentence end and either
    fills the width or the next line starts in lower case."""
    stripped = line.rstrip()
    if not stripped or stripped[-1] in ".!?:;" or not next_line.strip():
        return False
    first = next_line.lstrip()[:1]
    return len(stripped) >= fill or first.islower() or first.isdigit()


def is_hard_wrapped(lines: list[str], nonblank: list[int], stripped: list[str], params: Clean) -> bool:
    """True when the text is wrapped at a fixed width: no line is long, enough lines run on into the next
    one (see runs_on), and most of those run into a lower-case word (or a figure). Wrapping breaks
    sentences, inside which most words are lower case; a stack of short capitalised lines (a headline, a
    byline, a date, a notice: a paywall cut; a list of headlines) runs on only by "filling" a width that its
    own longest line sets, and is one block a line. A text that opens paragraphs with an indentation needs
    no lower-case run-ons (its indented lines each open one). `nonblank`: the indices of the non-blank lines;
    `stripped`: the lines stripped."""
    if len(nonblank) < params.wrap_min_lines:
        return False
    right_stripped = [lines[i].rstrip() for i in nonblank]
    width = max(map(len, right_stripped))
    if width > params.wrap_max_width or width < 20:
        return False
    fill = params.wrap_fill_ratio * width
    needed = max(1, params.wrap_min_share * len(nonblank))
    # runs_on(lines[i], lines[i + 1], fill) inlined (this runs on every line of the corpus).
    n_lines = len(lines)
    run_on = into_lower = 0
    for i, line in zip(nonblank, right_stripped):
        if i + 1 < n_lines and line[-1] not in ".!?:;":
            first = stripped[i + 1][:1]
            if first and (first.islower() or first.isdigit()):
                run_on += 1
                into_lower += 1
            elif first and len(line) >= fill:
                run_on += 1
    if run_on < needed:
        return False
    # A text whose paragraphs open with an indentation is laid out at a fixed width (a wire's tables of
    # figures: indented rows that fill the width); there no line runs on into an indented one.
    uses_indent = any(lines[i][:1] in INDENT_CHARS and stripped[i - 1] for i in nonblank[1:])
    return uses_indent or into_lower >= params.wrap_min_lower_share * run_on


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


def cue_reason_expr(params: Clean) -> pl.Expr:
    """The first cue reason whose phrases match the block (null when none): exact, prefix or contains."""
    expr = pl.lit(None, dtype=pl.String)
    for reason in reversed(CUE_REASONS):  # built inside-out so the first reason wins
        conditions = cue_conditions(reason, params)
        if not conditions:
            continue
        matched = conditions[0]
        for condition in conditions[1:]:
            matched = matched | condition
        expr = pl.when(matched).then(pl.lit(reason)).otherwise(expr)
    return expr


def cue_conditions(reason: str, params: Clean) -> list[pl.Expr]:
    """The conditions (exact, prefix, contains) under which a block has this cue reason."""
    cues = load_cues()
    family = cues.cues.get(reason, {})
    lower = pl.col("lower")
    conditions = []
    if family.get("exact"):
        keys = sorted({normalise_key(p) for p in family["exact"]} - {""})
        conditions.append(pl.col("key").is_in(keys))
        if "×" in family["exact"]:
            conditions.append(lower == "×")
    if family.get("prefix"):
        conditions.append(lower.str.contains("^(?:" + _literal_alternation(family["prefix"]) + ")"))
    if family.get("contains"):
        limit = params.strong_cue_max_words if reason in cues.strong_cue_reasons else params.max_cue_words
        # Only blocks short enough are searched (the others are null: no match, no scan).
        contains = pl.when(pl.col("n_words") <= limit).then(lower) \
            .str.contains(_literal_alternation(family["contains"])).fill_null(False)
        if reason not in cues.sentence_cue_reasons:
            # A weak cue ("read more", "check out") does not make a sentence of running text boilerplate.
            contains = contains & ~(pl.col("ends_sentence") & (pl.col("n_words") >= params.min_body_words))
        conditions.append(contains)
    return conditions


GLUED_WORDS = r"(\p{Ll})(\p{Lu}\p{Ll})"  # a lower-case letter glued to a capitalised word


def squeezed_key(text: pl.Expr) -> pl.Expr:
    """The block key: lower-case, every run of non-word characters one space, stripped. So its words are
    separated by single spaces (two spaces would have been one run of non-word characters)."""
    return text.str.to_lowercase().str.replace_all(r"[\W_]+", " ").str.strip_chars()


@lru_cache(maxsize=1)
def stop_word_bits() -> pl.DataFrame:
    """(word, bits): every word of some stop list (data/cues.yaml), bit k set when it is in the k-th
    language's list (languages sorted)."""
    stopwords = load_cues().stopwords
    languages = sorted(stopwords)
    if len(languages) > 62:
        raise ValueError("stop_word_bits: more stop-list languages than an Int64 has bits")
    lists = [set(stopwords[lang]) for lang in languages]
    words = sorted(set().union(*lists))
    return pl.DataFrame({"word": words, "bits": [sum(1 << k for k, members in enumerate(lists) if word in members)
                                                 for word in words]}, schema={"word": pl.String, "bits": pl.Int64})


def block_local_features(blocks: pl.DataFrame, params: Clean) -> pl.DataFrame:
    """The features of blocks (doc_idx, block_idx, text, key: squeezed_key of the text) that depend on the
    block's own document only (all but `n_docs`, see corpus.repeat_counts), sorted by doc_idx, block_idx."""
    stopwords = load_cues().stopwords
    languages = sorted(stopwords)
    frame = blocks.with_row_index("row")
    # Key with a breadcrumb glued to the first word undone ("WorldNegotiations" -> "world negotiations").
    # Only the few blocks with such a join are rewritten, filtered out first (a regex replace on a column
    # nulled elsewhere still costs a pass over every row); for the rest the result would be the key.
    glued = frame.filter(pl.col("text").str.contains(GLUED_WORDS)).select(
        "row", glued=squeezed_key(pl.col("text").str.replace_all(GLUED_WORDS, "$1 $2")))
    frame = frame.with_columns(
        n_chars=pl.col("text").str.len_chars().cast(pl.Int64),
        ends_sentence=pl.col("text").str.contains(SENTENCE_END),
        has_digit=pl.col("text").str.contains(r"\d"),
        # Han / kana / Hangul characters: a word's worth of meaning each, without spaces between words.
        n_cjk=pl.col("text").str.count_matches(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]").cast(pl.Int64),
    ).join(glued, on="row", how="left", maintain_order="left").with_columns(
        n_capitalised=pl.col("text").str.count_matches(r"(?:^|\s)[\p{Lu}\d]").cast(pl.Int64),
    ).with_columns(
        pl.col("glued").fill_null(pl.col("key")),
        # The key is words separated by single spaces: its words are its spaces + 1.
        n_words=pl.when(pl.col("key") == "").then(0)
            .otherwise(pl.col("key").str.count_matches(" ", literal=True) + 1).cast(pl.Int64),
        # Words that are not numbers: the base of the stop-word share (figures are not function words).
        n_alpha_words=pl.col("key").str.count_matches(r"(?:^| )[^\d ]").cast(pl.Int64),
    )
    # Stop words per language: one flat column of words (key split on spaces), joined to the stop words'
    # table (each word's languages as bits, `stop_word_bits`), each language's bit summed back per block;
    # much faster than a list.eval per block, or one is_in per language.
    words = frame.select("row", word=pl.col("key").str.split(" ")).explode("word") \
        .join(stop_word_bits(), on="word", how="inner")
    counts = words.group_by("row").agg(
        **{f"stop_{lang}": (pl.col("bits") // (1 << k) % 2).sum().cast(pl.Int64) for k, lang in enumerate(languages)})
    frame = frame.join(counts, on="row", how="left", maintain_order="left").with_columns(
        [pl.col(f"stop_{lang}").fill_null(0) for lang in languages]).drop("row")
    frame = frame.with_columns(lower=pl.col("text").str.to_lowercase().str.strip_chars()) \
        .with_columns(cue=cue_reason_expr(params)).drop("lower")
    frame = frame.sort("doc_idx", "block_idx")
    return frame.with_columns(copy_index=pl.Series(copy_indices(frame["doc_idx"].to_list(), frame["key"].to_list()),
                                                   dtype=pl.Int64))


def copy_indices(doc_ids: list, keys: list) -> list[int]:
    """Repetition inside the document: for each block (sorted by document, then block), how many blocks of
    its document before it have its key (0 for the first copy, 1 for the second, ...). One pass with a dict
    per document, in place of a polars rank over (document, key) windows (a quarter of its time)."""
    indices = []
    seen: dict = {}
    previous = object()
    for doc, key in zip(doc_ids, keys):
        if doc != previous:
            seen, previous = {}, doc
        n = seen.get(key, 0)
        seen[key] = n + 1
        indices.append(n)
    return indices
