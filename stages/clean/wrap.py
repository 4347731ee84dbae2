"""Hard-wrapped text at arbitrary widths: which line breaks are inside a paragraph.

A scraper that keeps the HTML source's own line breaks (lxml `text_content()`-style) hands over paragraphs
broken at arbitrary places ("IMS Research's report, “The" / "Future of High-Definition TV ..."), mixed with
one-line menu items and headlines. No fixed width tells them apart (lines.is_hard_wrapped handles the
fixed-width wire texts). Each break between two consecutive non-blank lines is decided by a small learned
model (LightGBM, text format: data/join_model.txt, trained by `make train-clean` on the boilerplate_dev pages,
whose `text/` rendering tells where each wrapped paragraph of `text_wrapped/` really ends) from what the two
lines look like (lengths, how the first ends and the second starts, stop words, capitals), their
neighbours and the document's own line-length profile (its typical long line: widths are relative, never
fixed). Documents with no sign of wrapping (no break where a line without a sentence end runs on into a
lower-case line or a long line) are not looked at, so a one-block-a-line page costs nothing.
"""
from __future__ import annotations

from functools import lru_cache
from itertools import chain
from pathlib import Path

import numpy as np

from stages.clean.classifier import load_booster
from stages.clean.cues import load_cues

JOIN_MODEL_FILE = Path(__file__).resolve().parent / "data" / "join_model.txt"
JOIN_THRESHOLD = 0.5
SENTENCE_ENDS = ".!?…。！？"
CLOSERS = "\"'”’»)]"
# Character classes of a line's last / first character (a feature each).
END_CLASSES = {**{c: 1 for c in SENTENCE_ENDS}, ":": 2, ";": 2, ",": 3, "-": 4, "–": 4, "—": 4,
               **{c: 5 for c in CLOSERS}}
START_CLASSES = {**{c: 3 for c in "\"'“‘«([¿¡"}, **{c: 4 for c in "-–—•·*|>"}}
FEATURES = ("len_a", "len_b", "words_a", "words_b", "end_a", "start_b", "stop_a", "stop_b", "caps_a", "caps_b",
            "rel_a", "rel_b", "len_prev", "len_next", "end_prev", "doc_p90", "doc_long_share", "doc_runon_share",
            "doc_lines", "a_ends_stop", "b_opens_stop", "win2_len", "win2_stop", "win2_open", "win2_lower",
            "win5_len", "win5_stop", "win5_open", "win5_lower")
WINDOWS = (2, 5)   # lines each side of a break whose profile is a feature


@lru_cache(maxsize=1)
def any_stopwords() -> frozenset[str]:
    return frozenset(word for words in load_cues().stopwords.values() for word in words)


def end_class(line: str) -> int:
    return END_CODES[line[-1]]


def start_class(line: str) -> int:
    return START_CODES[line[0]]


def end_class_of(last: str) -> int:
    """The class of a line's last character (the `end_a` feature)."""
    if last in END_CLASSES:
        return END_CLASSES[last]
    return 6 if last.isdigit() else 0 if last.isalpha() else 7


def start_class_of(first: str) -> int:
    """The class of a line's first character (the `start_b` feature)."""
    if first.islower():
        return 0
    if first.isupper():
        return 1
    if first.isdigit():
        return 2
    return START_CLASSES.get(first, 5)


class Memo(dict):
    """key -> function(key), computed on first sight (a lookup is cheaper than the work); the caller empties
    it past `MEMO_MAX` entries, so its memory stays bounded."""

    def __init__(self, function) -> None:
        super().__init__()
        self.function = function

    def __missing__(self, key: str) -> int:
        value = self[key] = self.function(key)
        return value


MEMO_MAX = 1 << 18
END_CODES, START_CODES = Memo(end_class_of), Memo(start_class_of)


def may_be_wrapped(lines: list[str]) -> bool:
    """Whether any break looks like a wrap: a line with no sentence end running on into a lower-case line,
    or a long line (60+ characters) with no sentence end followed by another line."""
    for a, b in zip(lines, lines[1:]):
        if a[-1] not in SENTENCE_ENDS and (b[0].islower() or len(a) >= 60):
            return True
    return False


STRIPPED = ".,;:!?\"'()“”‘’"   # stripped from both ends of a token before it is looked up
CAPS_SHIFT = 31   # token_code: bit 0 a stop word, bit CAPS_SHIFT capitalised (a line's sum holds both counts)
STOP_MASK = (1 << CAPS_SHIFT) - 1


def token_code(token: str) -> int:
    """A whitespace-delimited token, stripped of `STRIPPED`: 1 if it is a stop word (lower case, any stop
    list), plus 1 << CAPS_SHIFT if it opens with a capital. Summed over a line, the low bits count its stop
    words and the high bits its capitalised words (fewer than 2**31 tokens a line)."""
    stripped = token.strip(STRIPPED)
    return (stripped.lower() in any_stopwords()) | (stripped[:1].isupper() << CAPS_SHIFT)


TOKEN_CODES = Memo(token_code)


def line_stats(lines: list[str]) -> tuple[list[int], list[float], list[float], list[int], list[bool], list[bool]]:
    """Each line's words, stop-word share (any stop list), capitalised share, end class, whether its last
    word is a stop word ("... the"), and whether its first is a lower-case stop word (`line_arrays` as
    lists)."""
    return tuple(column.tolist() for column in line_arrays(lines))


def _opens_lower(token: str) -> bool:
    return token.strip(STRIPPED)[:1].islower()


OPENS_LOWER = Memo(_opens_lower)   # a token that opens in lower case once stripped (opens_stop)


def line_arrays(lines: list[str]) -> tuple[np.ndarray, ...]:
    """line_stats' columns as numpy arrays (int64, float64, float64, int64, bool, bool): every token of the
    text coded in one pass (TOKEN_CODES), each line's codes summed by numpy (integers: exact); the shares
    are the same floats as Python's int / int (both operands exact in float64, one rounding)."""
    for memo in (TOKEN_CODES, END_CODES, START_CODES, OPENS_LOWER):
        if len(memo) > MEMO_MAX:
            memo.clear()
    tokens = [line.split() for line in lines]
    n = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    ends = np.fromiter(map(END_CODES.__getitem__, [line[-1] for line in lines]), dtype=np.int64, count=len(lines))
    if not len(lines) or not n.all():
        return _line_arrays_by_line(lines, tokens, n, ends)
    codes = np.fromiter(map(TOKEN_CODES.__getitem__, chain.from_iterable(tokens)), dtype=np.int64)
    firsts = np.cumsum(n) - n
    totals = np.add.reduceat(codes, firsts)
    stop, caps = (totals & STOP_MASK) / n, (totals >> CAPS_SHIFT) / n
    last_alpha = np.fromiter((line[-1].isalpha() for line in lines), dtype=bool, count=len(lines))
    first_lower = np.fromiter(map(OPENS_LOWER.__getitem__, [t[0] for t in tokens]), dtype=bool, count=len(lines))
    ends_stop = last_alpha & (codes[firsts + n - 1] & 1).astype(bool)
    opens_stop = first_lower & (codes[firsts] & 1).astype(bool)
    return n, stop, caps, ends, ends_stop, opens_stop


def _line_arrays_by_line(lines: list[str], tokens: list[list[str]], n: np.ndarray, ends: np.ndarray
                         ) -> tuple[np.ndarray, ...]:
    """line_arrays line by line (a line without a token has no shares, 0.0, and neither flag)."""
    code = TOKEN_CODES.__getitem__
    stop, caps, ends_stop, opens_stop = [], [], [], []
    for line, line_tokens in zip(lines, tokens):
        if not line_tokens:
            stop.append(0.0)
            caps.append(0.0)
            ends_stop.append(False)
            opens_stop.append(False)
            continue
        total, count = sum(map(code, line_tokens)), len(line_tokens)
        stop.append((total & STOP_MASK) / count)
        caps.append((total >> CAPS_SHIFT) / count)
        ends_stop.append(line[-1].isalpha() and bool(code(line_tokens[-1]) & 1))
        opens_stop.append(OPENS_LOWER[line_tokens[0]] and bool(code(line_tokens[0]) & 1))
    return (n, np.array(stop, dtype=np.float64), np.array(caps, dtype=np.float64), ends,
            np.array(ends_stop, dtype=bool), np.array(opens_stop, dtype=bool))


def window_bounds(n_lines: int, n_breaks: int, reach: int) -> tuple[np.ndarray, np.ndarray]:
    """For each break k (between lines k and k + 1): the lines k - reach + 1 .. k + reach, clipped to the
    text, as the slice bounds (lo, hi) of `window_means`."""
    k = np.arange(n_breaks)
    # np.minimum / np.maximum: np.clip's own wrapper costs more than the work on a page's lines.
    return (np.minimum(np.maximum(k - reach + 1, 0), n_lines),
            np.minimum(np.maximum(k + reach + 1, 0), n_lines))


def window_means(values: np.ndarray, n_breaks: int, reach: int, bounds: tuple[np.ndarray, np.ndarray] | None = None
                 ) -> np.ndarray:
    """For each break k (between lines k and k + 1): the mean of `values` over lines k - reach + 1 ..
    k + reach (clipped to the text); `bounds` are `window_bounds`' (computed when not given)."""
    sums = np.concatenate([np.zeros((1, *values.shape[1:])), np.cumsum(values, axis=0)])
    lo, hi = bounds if bounds is not None else window_bounds(len(values), n_breaks, reach)
    count = np.maximum(1, hi - lo)
    return (sums[hi] - sums[lo]) / (count if values.ndim == 1 else count[:, None])


def boundary_features(lines: list[str]) -> np.ndarray:
    """One row per break between consecutive lines (len(lines) - 1 rows, `FEATURES` columns); lines are
    stripped and non-blank."""
    n = len(lines)
    lengths = [len(line) for line in lines]
    ordered = sorted(lengths)
    p90 = max(1, ordered[int(0.9 * (n - 1))])
    long_share = sum(1 for length in lengths if length >= 60) / n
    words, stop_share, caps_share, ends, ends_stop, opens_stop = line_arrays(lines)
    starts = np.fromiter(map(START_CODES.__getitem__, [line[0] for line in lines]), dtype=np.int64, count=n)
    opens_lower = starts == 0
    runon = int(np.count_nonzero(((ends[:n - 1] == 0) | (ends[:n - 1] == 3)) & opens_lower[1:])) / max(1, n - 1)
    rows = np.empty((n - 1, len(FEATURES)), dtype=np.float64)
    # Built a column at a time (numpy, the same float64 values a row-by-row loop wrote).
    length = np.array(lengths, dtype=np.float64)
    word = words.astype(np.float64)
    end = ends.astype(np.float64)
    start = starts.astype(np.float64)
    a, b = slice(0, n - 1), slice(1, n)
    rows[:, 0], rows[:, 1], rows[:, 2], rows[:, 3] = length[a], length[b], word[a], word[b]
    rows[:, 4], rows[:, 5], rows[:, 6], rows[:, 7] = end[a], start[b], stop_share[a], stop_share[b]
    rows[:, 8], rows[:, 9], rows[:, 10], rows[:, 11] = caps_share[a], caps_share[b], length[a] / p90, length[b] / p90
    rows[:, 12] = np.concatenate([[-1.0], length[:n - 2]])             # the line before the break's first
    rows[:, 13] = np.concatenate([length[2:], [-1.0]])                 # the line after the break's second
    rows[:, 14] = np.concatenate([[-1.0], end[:n - 2]])
    rows[:, 15], rows[:, 16], rows[:, 17], rows[:, 18] = p90, long_share, runon, n
    rows[:, 19] = ends_stop[:n - 1]
    rows[:, 20] = opens_stop[1:]
    # The four profile columns' window means at once per reach (a cumulative sum adds in order: the same
    # floats as column by column).
    profile = np.column_stack([length / p90, stop_share, (ends == 0) | (ends == 3) | (ends == 4), opens_lower])
    column = 21
    for reach in WINDOWS:
        rows[:, column:column + 4] = window_means(profile, n - 1, reach)
        column += 4
    return rows


@lru_cache(maxsize=1)
def join_model():
    """The trained join model (None when the file is absent: no break is joined)."""
    return load_booster(JOIN_MODEL_FILE)


def join_probabilities(lines: list[str], model=None, open_breaks: list[bool] | None = None) -> list[float]:
    """The model's probability that each break (len(lines) - 1) is inside a paragraph; with `open_breaks`, only
    the breaks it marks are predicted (the others get 0.0: their lines are apart whatever the model says),
    from the same features (every line still counts in its neighbours' windows)."""
    model = model if model is not None else join_model()
    if model is None or len(lines) < 2:
        return [0.0] * max(0, len(lines) - 1)
    if open_breaks is None:
        return model.predict(boundary_features(lines), num_threads=1).tolist()
    rows = np.flatnonzero(np.array(open_breaks, dtype=bool))
    probabilities = np.zeros(len(lines) - 1)
    if len(rows):
        probabilities[rows] = model.predict(boundary_features(lines)[rows], num_threads=1)
    return probabilities.tolist()


def wrapped_runs(lines: list[str], model=None, open_breaks: list[bool] | None = None) -> list[list[int]]:
    """The paragraphs of `lines` (stripped, non-blank, consecutive in the text) as runs of their indices;
    `open_breaks` (one per break): the breaks the caller reads (join_probabilities), the others end a run."""
    if len(lines) < 2 or not may_be_wrapped(lines):
        return [[k] for k in range(len(lines))]
    probabilities = join_probabilities(lines, model, open_breaks)
    runs = [[0]]
    for k, probability in enumerate(probabilities):
        if probability >= JOIN_THRESHOLD:
            runs[-1].append(k + 1)
        else:
            runs.append([k + 1])
    return runs
