"""The learned block classifier: is a block body, given its features, its neighbours and the rules' verdicts?

The rule-based phases of stages/clean/document.py (body-likeness, corpus repetition, the best-scoring span,
the body they keep) were tuned by hand on 111 pages and do not carry over to pages of other sites. Their
verdicts stay, as features, beside each block's own features (length, words, stop-word share in the page's
language, capitals, sentence end, digits, cue reason, in-document and corpus repetition, lines joined), its
position (rank, share of the page's characters before it, distance to the rules' span), its neighbours'
(one and two blocks each side; windows of three and ten blocks: good characters, stop words, sentence
ends) and the page's profile (blocks, characters, share of good characters, whether the text is already an
extractor's output, and on the HTML route each line's extractor votes). A gradient-boosted tree model
(LightGBM, text format, data/body_model.txt; `make train-clean` trains it on the boilerplate_dev and
article_extraction pages with folds by site and writes its cross-validated figures to
data/body_model.cv.json) gives each block a probability of being body; a block is body at
`BODY_THRESHOLD` or more.

`model_for_documents` lets the training script give each document a model of its own (the fold's model
that never saw the document's site), so that cross-validated figures are the stage's own output.
"""
from __future__ import annotations

import contextlib
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np

from stages.clean.blocks import MetadataLines, Page, Prose, Span
from stages.clean.reasons import CUE_REASONS

BODY_MODEL_FILE = Path(__file__).resolve().parent / "data" / "body_model.txt"
BODY_THRESHOLD = 0.5
CUE_CODES = {reason: k for k, reason in enumerate(CUE_REASONS)}
OWN = ("log_chars", "words", "alpha_share", "caps_share", "ends_sentence", "has_digit", "stop_share", "cue",
       "repeat", "n_docs", "n_lines", "good", "near_good", "repeated", "in_span", "rule_body", "metadata",
       "heading", "punct_share", "pipe", "mean_word", "votes")
NEIGHBOURS = ("log_chars", "stop_share", "ends_sentence", "good", "rule_body", "cue")
OFFSETS = (-2, -1, 1, 2)
WINDOWS = (3, 10)
FEATURES = (OWN + tuple(f"{name}_{offset:+d}" for offset in OFFSETS for name in NEIGHBOURS)
            + tuple(f"win{w}_{name}" for w in WINDOWS for name in ("good_chars", "stop_share", "ends", "rule_body"))
            + ("rank", "chars_before", "from_span_start", "from_span_end", "page_blocks", "page_log_chars",
               "page_good_share", "page_rule_share", "extracted", "no_stop_language", "fallback", "page_votes"))

PUNCTUATION = re.compile(r"[^\w\s]|_")   # what is neither alphanumeric (str.isalnum) nor white space

_override: Callable[[str], Any] | None = None


@contextlib.contextmanager
def model_for_documents(choose: Callable[[str], Any]) -> Iterator[None]:
    """Within the block, document `doc_id` is classified by `choose(doc_id)` (a LightGBM Booster) instead of
    data/body_model.txt (the training script's cross-validation)."""
    global _override
    previous, _override = _override, choose
    try:
        yield
    finally:
        _override = previous


@lru_cache(maxsize=1)
def body_model() -> Any:
    """The trained model (None when the file is absent: the rules decide alone)."""
    import lightgbm
    if not BODY_MODEL_FILE.is_file():
        return None
    return lightgbm.Booster(model_file=str(BODY_MODEL_FILE))


def model_for(doc_id: str) -> Any:
    return _override(doc_id) if _override is not None else body_model()


def own_columns(page: Page, lines: MetadataLines, prose: Prose, span: Span, rule_body: set[int],
                headings: tuple[int | None, ...]) -> np.ndarray:
    """The OWN features of every block (one row each)."""
    votes = page.meta.line_votes
    rows = []
    for i, b in enumerate(page.blocks):
        text = b.text
        n = max(1, b.n_chars)
        words = max(1, b.words)
        vote = max((votes[k - 1] for k in b.line_nos if k - 1 < len(votes)), default=-1) if votes else -1
        rows.append((math.log1p(b.chars), b.words, b.n_alpha_words / words, b.n_capitalised / words,
                     b.ends_sentence, b.has_digit, page.stop_share[i], CUE_CODES.get(b.cue, -1) if b.cue else -1,
                     b.copy_index > 0, b.n_docs, len(b.line_nos), prose.good[i], prose.near_good[i],
                     prose.repeated[i], i in span, i in rule_body, i in lines, i in headings,
                     len(PUNCTUATION.findall(text)) / n, text.count("|") + text.count("»"),
                     b.n_chars / words, vote))
    return np.array(rows, dtype=np.float64).reshape(len(page.blocks), len(OWN))


def block_matrix(page: Page, lines: MetadataLines, prose: Prose, span: Span, rule_body: list[int],
                 headings: tuple[int | None, ...]) -> np.ndarray:
    """Every block's FEATURES (one row a block)."""
    n = len(page.blocks)
    own = own_columns(page, lines, prose, span, set(rule_body), headings)
    col = {name: own[:, k] for k, name in enumerate(OWN)}
    parts = [own]
    for offset in OFFSETS:
        shifted = np.full((n, len(NEIGHBOURS)), -1.0)
        for k, name in enumerate(NEIGHBOURS):
            if offset < 0:
                shifted[-offset:, k] = col[name][:n + offset]
            else:
                shifted[:n - offset, k] = col[name][offset:]
        parts.append(shifted)
    chars = np.array([b.chars for b in page.blocks], dtype=np.float64)
    good_chars = chars * col["good"]
    for reach in WINDOWS:
        for values in (good_chars, col["stop_share"], col["ends_sentence"], col["rule_body"]):
            parts.append(window_mean(values, reach)[:, None])
    total = max(1.0, chars.sum())
    before = (np.cumsum(chars) - chars) / total
    index = np.arange(n, dtype=np.float64)
    start, end = (span.start, span.end) if not span.empty else (n, n)
    page_votes = float(np.mean(col["votes"])) if n else -1.0
    page_columns = np.column_stack([
        index / max(1, n - 1), before, np.clip(index - start, -50, 50), np.clip(index - end, -50, 50),
        np.full(n, n), np.full(n, math.log1p(total)), np.full(n, good_chars.sum() / total),
        np.full(n, sum(chars[i] for i in rule_body) / total), np.full(n, page.extracted),
        np.full(n, page.lang_stop is None), np.full(n, span.fallback), np.full(n, page_votes)])
    parts.append(page_columns)
    return np.hstack(parts)


def window_mean(values: np.ndarray, reach: int) -> np.ndarray:
    """Each block's mean of `values` over the blocks within `reach` either side (itself excluded)."""
    sums = np.concatenate([[0.0], np.cumsum(values)])
    k = np.arange(len(values))
    lo, hi = np.clip(k - reach, 0, len(values)), np.clip(k + reach + 1, 0, len(values))
    return (sums[hi] - sums[lo] - values) / np.maximum(1, hi - lo - 1)


def body_probabilities(page: Page, lines: MetadataLines, prose: Prose, span: Span, rule_body: list[int],
                       headings: tuple[int | None, ...], decides: list[bool]) -> list[float] | None:
    """Each block's probability of being body, or None without a model (or without blocks). Only the
    blocks the model `decides` are predicted (the others, headings, metadata lines and cue blocks, get 0.0
    and are never read: prediction is most of the classifier's time); all blocks are features."""
    model = model_for(page.doc_id)
    if model is None or not page.blocks:
        return None
    probabilities = np.zeros(len(page.blocks))
    rows = np.flatnonzero(np.array(decides, dtype=bool))
    if len(rows):
        matrix = block_matrix(page, lines, prose, span, rule_body, headings)
        probabilities[rows] = model.predict(matrix[rows], num_threads=1)
    return probabilities.tolist()
