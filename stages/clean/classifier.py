"""The learned block classifier: is a block body, given its features, its neighbours and the rules' verdicts?

The rule-based phases of stages/clean/document.py (body-likeness, corpus repetition, the best-scoring span,
the body they keep) were tuned by hand on 111 pages and do not carry over to pages of other sites. Their
verdicts stay, as features, beside each block's own features (length, words, stop-word share in the page's
language, capitals, sentence end, digits, cue reason, in-document and corpus repetition, lines joined), its
position (rank, share of the page's characters before it, distance to the rules' span), its neighbours'
(one and two blocks each side; windows of three and ten blocks: good characters, stop words, sentence
ends) and the page's profile (blocks, characters, share of good characters, whether the text is already an
extractor's output, and on the HTML route each line's extractor votes: each extractor's bit, the share of
its neighbours each keeps, whether it lies inside an extractor's article, how much of the page each keeps
and how far they agree). A gradient-boosted tree model
(LightGBM, text format, data/body_model.txt; `make train-clean` trains it on the boilerplate_dev and
article_extraction pages with folds by site and writes its cross-validated figures to
data/body_model.cv.json) gives each block a probability of being body; a block is body at
`BODY_THRESHOLD` or more. Pages without markup (the plain-text routes) have their own model,
data/text_model.txt, trained on the same blocks with SHAPE_FEATURES besides (what a text scrape carries:
runs of short lines and whether prose frames them, the longest prose run, date, link, byline, comment,
URL and wire-dateline shapes, in-document copies, teaser boxes); the body model reads the columns before
them, so the HTML route is as before.

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

from schemas import import_without
from stages.clean.blocks import MetadataLines, Page, Prose, Span
from stages.clean.reasons import CUE_REASONS

# stages/ingest/html.py's line-vote bits (a stage never imports another stage: the values are ingest's
# documented `line_votes` format).
VOTE_TRAFILATURA, VOTE_READABILITY, VOTE_COMMENTS = 1, 2, 4
# ingest's `line_markup` bits, in order (stages/ingest/html.py's MARKUP_BITS): a line inside a link (most of
# its characters; some of them), in page chrome (nav, header, footer, aside), in a comment section, a sharing
# widget, a related-links or promo box, an ad, the article element, a caption, a list item, a heading, a form.
MARKUP_NAMES = ("link", "some_link", "chrome", "comment", "share", "related", "ad", "article", "caption",
                "list_item", "heading", "form")
MARKUP_WINDOWED = ("link", "chrome", "comment", "related")
PAGE_MARKUP = ("link", "chrome", "comment", "article")

BODY_MODEL_FILE = Path(__file__).resolve().parent / "data" / "body_model.txt"
# The plain-text routes' model (pages without line votes): the same blocks, every FEATURES column (the body
# model reads the columns before SHAPE_FEATURES: the HTML route's figures are not this one's to move).
TEXT_MODEL_FILE = Path(__file__).resolve().parent / "data" / "text_model.txt"
BODY_THRESHOLD = 0.5
CUE_CODES = {reason: k for k, reason in enumerate(CUE_REASONS)}
OWN = ("log_chars", "words", "alpha_share", "caps_share", "ends_sentence", "has_digit", "stop_share", "cue",
       "repeat", "n_docs", "n_lines", "good", "near_good", "repeated", "in_span", "rule_body", "metadata",
       "heading", "punct_share", "pipe", "mean_word", "votes", "vote_traf", "vote_read", "vote_comment",
       "in_traf_run", "in_read_run") + tuple(f"mk_{name}" for name in MARKUP_NAMES)
NEIGHBOURS = ("log_chars", "stop_share", "ends_sentence", "good", "rule_body", "cue")
OFFSETS = (-2, -1, 1, 2)
WINDOWS = (3, 10)
SHAPE_FEATURES = ("short_run", "short_run_prose", "in_prose_run", "from_prose_run", "prose_run_share", "date_shape",
                  "link_lead", "byline_lead", "comment_shape", "starts_lower", "doc_copies", "win5_teaser",
                  "url_or_tag", "wire_lead")
FEATURES = (OWN + tuple(f"{name}_{offset:+d}" for offset in OFFSETS for name in NEIGHBOURS)
            + tuple(f"win{w}_{name}" for w in WINDOWS for name in ("good_chars", "stop_share", "ends", "rule_body",
                                                                   "vote_traf", "vote_read", "vote_comment",
                                                                   *(f"mk_{m}" for m in MARKUP_WINDOWED)))
            + ("rank", "chars_before", "from_span_start", "from_span_end", "page_blocks", "page_log_chars",
               "page_good_share", "page_rule_share", "extracted", "no_stop_language", "fallback", "page_votes")
            + tuple(f"page_{name}_share" for name in ("traf", "read", "comment", "both", "rule_traf", "rule_read"))
            + ("page_traf_read_agreement",)
            + tuple(f"page_mk_{name}_share" for name in PAGE_MARKUP)
            + SHAPE_FEATURES)

# What a plain-text scrape carries without its markup (shape_columns): a line of `SHORT_MAX_WORDS` words or
# fewer that is not prose starts or extends a run of short lines (a menu, a list, a box of teasers); the
# longest prose run is the run of good blocks, with gaps of up to `PROSE_GAP` blocks, holding the most
# good characters.
SHORT_MAX_WORDS = 12
PROSE_GAP = 3
MONTH = (r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?")
DATE_SHAPE = re.compile(rf"\b(?:{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b|\d{{1,2}}(?:st|nd|rd|th)?\s+{MONTH}\s+\d{{4}}"
                        r"|\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}:\d{2}\s*(?:[ap]\.?m\b)?"
                        r"|\d+\s+(?:second|minute|hour|day|week|month|year)s?\s+ago)", re.IGNORECASE)
LINK_LEAD = re.compile(r"^\W*(?:read more|read also|also read|more|see also|related|watch|listen|full story|photos?|"
                       r"videos?|slideshow|gallery|next|previous|prev)\b\s*(?:[:»›>|–-]|$)|\bclick here\b|"
                       r"\bcontinue reading\b|(?:»|›|→|\.\.\.|…)\W*$", re.IGNORECASE)
BYLINE_LEAD = re.compile(r"^\W*(?:by|posted by|written by|filed by|reported by|posted|published|updated)\b",
                         re.IGNORECASE)
COMMENT_SHAPE = re.compile(r"(?:\b(?:says|said|wrote)\s*:?\s*$|^\W*reply\W*$|\breport abuse\b|\brecommend\b|"
                           r"\b\d+\s+(?:points?|likes?|repl(?:y|ies)|comments?)\b|\bpermalink\b)", re.IGNORECASE)
# LINK_LEAD's lead (link_like tries it first, at the start of the text).
LINK_START = re.compile(r"^\W*(?:read more|read also|also read|more|see also|related|watch|listen|full story|photos?|"
                        r"videos?|slideshow|gallery|next|previous|prev)\b\s*(?:[:»›>|–-]|$)", re.IGNORECASE)
URL_OR_TAG = re.compile(r"https?://|\bwww\.|</?[a-z]+[\s>/]|&amp;", re.IGNORECASE)
# A wire story's dateline opening its first paragraph: "CHICAGO — ...", "Los Angeles, CA (BANG) - ...".
WIRE_LEAD = re.compile(r"^[A-Z][\w.'’]*(?:[ ,]+[A-Z][\w.'’]*){0,4}\s*(?:\([\w ]+\)\s*)?[-—–]\s+\S")

PUNCTUATION = re.compile(r"[^\w\s]|_")   # what is neither alphanumeric (str.isalnum) nor white space
# The ASCII characters PUNCTUATION does not match: deleted from an ASCII text, what is left is its matches.
ASCII_NOT_PUNCTUATION = bytes(code for code in range(128) if not PUNCTUATION.match(chr(code)))


def punctuation_count(text: str) -> int:
    """How many characters of the text PUNCTUATION matches (an ASCII text counted by bytes.translate)."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, ASCII_NOT_PUNCTUATION))
    return len(PUNCTUATION.findall(text))

_override: Callable[[str], Any] | None = None


@contextlib.contextmanager
def model_for_documents(choose: Callable[[str], Any]) -> Iterator[None]:
    """Within the block, document `doc_id` is classified by `choose(doc_id)` (a LightGBM Booster for every
    route, or a (body model, text model) pair) instead of data/body_model.txt and data/text_model.txt (the
    training script's cross-validation)."""
    global _override
    previous, _override = _override, choose
    try:
        yield
    finally:
        _override = previous


# lightgbm's integrations this stage never uses (it predicts from numpy arrays): importing them with
# lightgbm where they are installed (the dev and cluster extras) cost 1.5-2.3 s of every clean run that
# meets a new document.
LIGHTGBM_UNUSED = ("sklearn", "pandas", "pyarrow", "dask", "matplotlib", "graphviz", "datatable", "cffi")


def load_booster(path: Path) -> Any:
    """A LightGBM model from its text file, None when the file is absent."""
    if not path.is_file():
        return None
    return import_without("lightgbm", LIGHTGBM_UNUSED).Booster(model_file=str(path))


@lru_cache(maxsize=1)
def body_model() -> Any:
    """The trained model (None when the file is absent: the rules decide alone)."""
    return load_booster(BODY_MODEL_FILE)


@lru_cache(maxsize=1)
def text_model() -> Any:
    """The plain-text routes' model (None when the file is absent: the body model decides those too)."""
    return load_booster(TEXT_MODEL_FILE)


def model_for(doc_id: str, html: bool = True) -> Any:
    """The model of a document: the body model on the HTML route (a page with line votes), else the text
    model when there is one."""
    chosen = _override(doc_id) if _override is not None else (body_model(), text_model())
    if not isinstance(chosen, tuple):
        return chosen
    body, text = chosen
    return body if html or text is None else text


def own_columns(page: Page, lines: MetadataLines, prose: Prose, span: Span, rule_body: set[int],
                headings: tuple[int | None, ...]) -> np.ndarray:
    """The OWN features of every block (one row each), built a column at a time: float64, the same values
    as a row-by-row loop (bools 0/1, ints and floats converted once)."""
    n_blocks = len(page.blocks)
    matrix = np.empty((n_blocks, len(OWN)), dtype=np.float64)
    if not n_blocks:
        return matrix
    columns = {**block_columns(page), "stop_share": page.stop_share, "good": prose.good,
               "near_good": prose.near_good, "repeated": prose.repeated,
               **place_columns(n_blocks, lines, span, rule_body, headings), **vote_columns(page),
               **markup_columns(page)}
    for k, name in enumerate(OWN):
        matrix[:, k] = columns[name]
    return matrix


def block_columns(page: Page) -> dict[str, list[Any] | np.ndarray]:
    """The OWN features each block has on its own (the shares divided by numpy: the same float64 quotients
    of integers as Python's /)."""
    blocks = page.blocks
    words = [b.words for b in blocks]
    per_word = np.maximum(1, np.array(words, dtype=np.int64)).astype(np.float64)
    n_chars = [b.n_chars for b in blocks]
    return {
        "log_chars": [math.log1p(b.chars) for b in blocks], "words": words,
        "alpha_share": np.array([b.n_alpha_words for b in blocks], dtype=np.float64) / per_word,
        "caps_share": np.array([b.n_capitalised for b in blocks], dtype=np.float64) / per_word,
        "ends_sentence": [b.ends_sentence for b in blocks], "has_digit": [b.has_digit for b in blocks],
        "cue": [CUE_CODES.get(b.cue, -1) if b.cue else -1 for b in blocks],
        "repeat": [b.copy_index > 0 for b in blocks], "n_docs": [b.n_docs for b in blocks],
        "n_lines": [len(b.line_nos) for b in blocks],
        "punct_share": [punctuation_count(b.text) / max(1, n) for b, n in zip(blocks, n_chars)],
        "pipe": [b.text.count("|") + b.text.count("»") for b in blocks],
        "mean_word": np.array(n_chars, dtype=np.float64) / per_word}


def place_columns(n_blocks: int, lines: MetadataLines, span: Span, rule_body: set[int],
                  headings: tuple[int | None, ...]) -> dict[str, np.ndarray]:
    """The OWN features of where each block stands: in the rules' span or body, a metadata line, a heading
    (numpy bool columns: a list a block converts to the matrix at a cost of its own)."""
    index = np.arange(n_blocks)
    return {"in_span": (index >= span.start) & (index <= span.end), "rule_body": _flags(n_blocks, rule_body),
            "metadata": _flags(n_blocks, [*lines.bylines, *lines.datelines]), "heading": _flags(n_blocks, headings)}


def _flags(n: int, indices) -> np.ndarray:
    """A bool column of n blocks, set at those of `indices` that are blocks (None and others ignored)."""
    flags = np.zeros(n, dtype=bool)
    flags[[i for i in indices if i is not None and 0 <= i < n]] = True
    return flags


def vote_columns(page: Page) -> dict[str, np.ndarray]:
    """The OWN features of the extractors' votes (HTML route; -1 without votes): each block's votes over
    its lines (bits or-ed: stages/ingest/html.py's VOTE_*), each bit apart, and whether the block lies
    between the first and the last block trafilatura (readability) keeps: inside the article an extractor
    found, where it skipped a caption, a list or a paragraph its markup set apart."""
    votes = page.meta.line_votes
    n = len(page.blocks)
    if not votes:
        return {name: np.full(n, -1) for name in ("votes", "vote_traf", "vote_read", "vote_comment", "in_traf_run",
                                                  "in_read_run")}
    ored = np.array(block_votes(page), dtype=np.int64)
    columns = {"votes": ored}
    for name, bit in (("traf", VOTE_TRAFILATURA), ("read", VOTE_READABILITY), ("comment", VOTE_COMMENTS)):
        columns[f"vote_{name}"] = ((ored & bit) != 0).astype(np.int64)
    index = np.arange(n)
    for name in ("traf", "read"):
        kept = np.flatnonzero(columns[f"vote_{name}"])
        lo, hi = (kept[0], kept[-1]) if len(kept) else (n, -1)
        columns[f"in_{name}_run"] = ((index >= lo) & (index <= hi)).astype(np.int64)
    return columns


def markup_columns(page: Page) -> dict[str, np.ndarray]:
    """The OWN features of the page's markup (HTML route; -1 without it): each bit of ingest's
    `line_markup`, set when it is set on any of the block's lines."""
    if not page.meta.line_markup:
        return {f"mk_{name}": np.full(len(page.blocks), -1) for name in MARKUP_NAMES}
    ored = np.array(block_bits(page, page.meta.line_markup), dtype=np.int64)
    return {f"mk_{name}": (ored >> k) & 1 for k, name in enumerate(MARKUP_NAMES)}


def block_votes(page: Page) -> list[int]:
    """Each block's extractor votes: its lines' bits or-ed (a line past the votes has none)."""
    return block_bits(page, page.meta.line_votes)


def block_bits(page: Page, per_line: list[int]) -> list[int]:
    """Each block's bits of a per-line list (line votes, line markup): its lines' bits or-ed (a line past
    the list has none)."""
    n_lines = len(per_line)
    ored = []
    for block in page.blocks:
        lines = block.line_nos
        if len(lines) == 1:   # most blocks: one line
            ored.append(per_line[lines[0] - 1] if lines[0] - 1 < n_lines else 0)
            continue
        bits = 0
        for k in lines:
            if k - 1 < n_lines:
                bits |= per_line[k - 1]
        ored.append(bits)
    return ored


def page_vote_columns(n: int, chars: np.ndarray, col: dict[str, np.ndarray], rule_body: list[int]) -> np.ndarray:
    """The page's share of characters each extractor keeps (trafilatura, readability, trafilatura's
    comments, both), the share of the rules' body each keeps, and how far trafilatura and readability
    agree (characters both keep over characters either keeps): -1 without votes. Where the extractors
    agree, their article is likely the page's; where they part, the model weighs them by the page."""
    if not n or col["votes"][0] < 0:
        return np.full((n, 7), -1.0)
    total = max(1.0, chars.sum())
    traf, read = chars * col["vote_traf"], chars * col["vote_read"]
    both, either = (chars * (col["vote_traf"] * col["vote_read"])).sum(), (chars * np.maximum(
        col["vote_traf"], col["vote_read"])).sum()
    rule = np.zeros(n)
    rule[list(rule_body)] = 1.0
    rule_chars = max(1.0, (chars * rule).sum())
    values = [traf.sum() / total, read.sum() / total, (chars * col["vote_comment"]).sum() / total, both / total,
              (traf * rule).sum() / rule_chars, (read * rule).sum() / rule_chars, both / max(1.0, either)]
    return np.tile(np.array(values), (n, 1))


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
    windowed = np.column_stack([good_chars, col["stop_share"], col["ends_sentence"], col["rule_body"],
                                col["vote_traf"], col["vote_read"], col["vote_comment"],
                                *(col[f"mk_{name}"] for name in MARKUP_WINDOWED)])
    for reach in WINDOWS:
        parts.append(window_mean(windowed, reach))
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
    parts.append(page_vote_columns(n, chars, col, rule_body))
    parts.append(page_markup_columns(n, chars, col))
    parts.append(shape_columns(page, prose, chars))
    return np.hstack(parts)


def shape_columns(page: Page, prose: Prose, chars: np.ndarray) -> np.ndarray:
    """What a plain-text scrape says without markup, one row a block: the run of short non-prose lines it
    is in (log of its length, 0 when the block is not short) and whether prose stands right before and
    after that run (0-2: a list inside the article, against a menu at the page's edge; -1 when not short);
    the longest prose run (PROSE_GAP): whether the block is in it, its distance to it in shares of the
    page's characters (negative above), and the run's share of the page; the line's shape: a date or time,
    a link-like lead or tail ("Read more: ...", "... »"), a byline lead, a reader comment's furniture
    ("X says:", "Reply", "12 likes"), a lower-case start; how many times its line occurs in the document;
    the share of its neighbours (5 each side) that are a teaser's headline (a short line without a sentence
    end right above a longer block: a box of related stories); a URL or markup in the line (an ad's code
    left in the scrape); a wire dateline opening the line ("CHICAGO — ...", the first paragraph). On the
    HTML route (line votes) every one is
    -1: the markup says more, and that route's figures are not this feature set's to move."""
    blocks, good = page.blocks, prose.good
    n = len(blocks)
    if page.meta.line_votes:
        return np.full((n, len(SHAPE_FEATURES)), -1.0)
    if not n:
        return np.empty((0, len(SHAPE_FEATURES)))
    short = [not good[i] and 0 < blocks[i].words <= SHORT_MAX_WORDS for i in range(n)]
    run_len, run_prose = short_run_columns(short, good)
    in_run, from_run, run_share = prose_run_columns(good, chars)
    teaser = np.array([short[i] and not blocks[i].ends_sentence and i + 1 < n
                       and blocks[i + 1].words > SHORT_MAX_WORDS for i in range(n)], dtype=np.float64)
    date, link, byline, comment, lower, url, wire, copies = line_shape_columns(blocks)
    columns = [run_len, run_prose, in_run, from_run, np.full(n, run_share), date, link, byline, comment, lower,
               copies, window_mean(teaser, 5), url, wire]
    return np.column_stack([np.asarray(c, dtype=np.float64) for c in columns])


def short_run_columns(short: list[bool], good: list[bool]) -> tuple[np.ndarray, np.ndarray]:
    """Each block's run of short lines: log of its length (0 when not short) and how many of its two ends
    prose stands at (-1 when not short)."""
    n = len(short)
    run_len, run_prose = np.zeros(n), np.full(n, -1.0)
    i = 0
    while i < n:
        if not short[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and short[j + 1]:
            j += 1
        run_len[i:j + 1] = math.log1p(j - i + 1)
        run_prose[i:j + 1] = int(i > 0 and good[i - 1]) + int(j + 1 < n and good[j + 1])
        i = j + 1
    return run_len, run_prose


def line_shape_columns(blocks: list) -> list[tuple | list]:
    """The date, link-lead, byline-lead, comment, lower-case-start, URL-or-tag and wire-lead columns
    (`text_shape`, once per distinct text: LINE_SHAPES) and the in-document-copies one."""
    counts: dict[str, int] = {}
    for b in blocks:
        counts[b.key] = counts.get(b.key, 0) + 1
    if len(LINE_SHAPES) > LINE_SHAPES_MAX:
        LINE_SHAPES.clear()
    known = LINE_SHAPES.get
    shapes = []
    for b in blocks:
        shape = known(b.text)
        if shape is None:
            shape = LINE_SHAPES[b.text] = text_shape(b.text, b.has_digit)
        shapes.append(shape)
    return [*zip(*shapes), [counts[b.key] for b in blocks]]


# text -> text_shape(text): the shapes of a batch's texts, each computed once (a third of a corpus's lines
# repeat another's: menus, footers, copies). A pure function of the text (has_digit is the text's too), so
# the memo is exact wherever it is kept; the corpus empties it per batch (corpus.clean_batch) and it is
# emptied past LINE_SHAPES_MAX entries.
LINE_SHAPES: dict[str, tuple[bool, ...]] = {}
LINE_SHAPES_MAX = 1 << 18


def text_shape(text: str, has_digit: bool) -> tuple[bool, ...]:
    """(date or time, link-like, byline lead, comment furniture, lower-case start, URL or markup, wire
    dateline) of one line, each pattern tried only where what it needs occurs (the same values, a fraction
    of the time): a wire dateline needs a capital A-Z first and a dash."""
    return (has_digit and DATE_SHAPE.search(text) is not None, link_like(text), BYLINE_LEAD.match(text) is not None,
            comment_like(text, has_digit), starts_lower(text), url_or_tag(text),
            "A" <= text[:1] <= "Z" and ("-" in text or "—" in text or "–" in text)
            and WIRE_LEAD.match(text) is not None)


def link_like(text: str) -> bool:
    """LINK_LEAD: its lead at the start, its tail ("... »": one of the marks in the text's closing run of
    non-word characters), its "click here" / "continue reading" where the words occur."""
    if LINK_START.match(text):
        return True
    k = len(text)
    while k and not (text[k - 1].isalnum() or text[k - 1] == "_"):
        k -= 1
    closing = text[k:]
    if closing and ("»" in closing or "›" in closing or "→" in closing or "…" in closing or "..." in closing):
        return True
    lower = text.lower()
    return ("click here" in lower or "continue reading" in lower) and LINK_LEAD.search(text) is not None


def comment_like(text: str, has_digit: bool) -> bool:
    """COMMENT_SHAPE, each part tried only where what it needs occurs: "says" / "said" / "wrote" closing
    the text, "reply" alone, "report abuse" / "recommend" / "permalink", a count of points, likes, replies
    or comments."""
    lower = text.lower()
    tail = lower[-24:]
    if ("says" in tail or "said" in tail or "wrote" in tail or "reply" in tail or "report abuse" in lower
            or "recommend" in lower or "permalink" in lower
            or (has_digit and ("point" in lower or "like" in lower or "repl" in lower or "comment" in lower))):
        return COMMENT_SHAPE.search(text) is not None
    return False


def url_or_tag(text: str) -> bool:
    """URL_OR_TAG, tried only on a text holding "://", "www.", "<" or "&" (it needs one)."""
    if "://" not in text and "<" not in text and "&" not in text and "www." not in text.lower():
        return False
    return bool(URL_OR_TAG.search(text))


def starts_lower(text: str) -> bool:
    """Whether the first letter of the text is lower case (a fragment continuing a sentence)."""
    for ch in text:
        if ch.isalpha():
            return ch.islower()
    return False


def prose_run_columns(good: list[bool], chars: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """(in the longest prose run, signed distance to it in shares of the page's characters, the run's share
    of the page's good characters): the run of good blocks with gaps of up to PROSE_GAP other blocks that
    holds the most good characters."""
    n = len(good)
    best, best_chars, start, last, total_good = None, 0.0, None, None, 0.0
    for i in range(n):
        if not good[i]:
            continue
        if start is None or i - last - 1 > PROSE_GAP:
            start, total_good = i, 0.0
        last = i
        total_good += chars[i]
        if total_good > best_chars:
            best, best_chars = (start, i), total_good
    if best is None:
        return np.zeros(n), np.zeros(n), 0.0
    total = max(1.0, float(chars.sum()))
    before = np.cumsum(chars) - chars
    lo, hi = before[best[0]], before[best[1]] + chars[best[1]]
    index = np.arange(n)
    in_run = ((index >= best[0]) & (index <= best[1])).astype(np.float64)
    distance = np.where(index < best[0], (before - lo) / total,
                        np.where(index > best[1], (before + chars - hi) / total, 0.0))
    return in_run, distance, best_chars / max(1.0, float((chars * np.asarray(good, dtype=np.float64)).sum()))


def page_markup_columns(n: int, chars: np.ndarray, col: dict[str, np.ndarray]) -> np.ndarray:
    """The page's share of characters inside links, page chrome, comment sections and the article element
    (-1 without markup): a page that is mostly links or chrome is a front page or an index."""
    if not n or col["mk_link"][0] < 0:
        return np.full((n, len(PAGE_MARKUP)), -1.0)
    total = max(1.0, chars.sum())
    return np.tile(np.array([(chars * col[f"mk_{name}"]).sum() / total for name in PAGE_MARKUP]), (n, 1))


def window_mean(values: np.ndarray, reach: int) -> np.ndarray:
    """Each block's mean of `values` over the blocks within `reach` either side (itself excluded); a 2-d
    `values` (one column per feature) gives every column's at once, the same floats as column by column
    (a cumulative sum adds in order)."""
    sums = np.concatenate([np.zeros((1, *values.shape[1:])), np.cumsum(values, axis=0)])
    k = np.arange(len(values))
    # np.minimum / np.maximum: np.clip's own wrapper costs more than the work on a page's blocks.
    n = len(values)
    lo, hi = np.minimum(np.maximum(k - reach, 0), n), np.minimum(np.maximum(k + reach + 1, 0), n)
    count = np.maximum(1, hi - lo - 1)
    return (sums[hi] - sums[lo] - values) / (count if values.ndim == 1 else count[:, None])


def body_probabilities(page: Page, lines: MetadataLines, prose: Prose, span: Span, rule_body: list[int],
                       headings: tuple[int | None, ...], decides: list[bool]) -> list[float] | None:
    """Each block's probability of being body, or None without a model (or without blocks). Only the
    blocks the model `decides` are predicted (the others, headings, metadata lines and cue blocks, get 0.0
    and are never read: prediction is most of the classifier's time); all blocks are features. A model
    reads the first of FEATURES it was trained on (the body model: those before SHAPE_FEATURES)."""
    model = model_for(page.doc_id, bool(page.meta.line_votes))
    if model is None or not page.blocks:
        return None
    probabilities = np.zeros(len(page.blocks))
    rows = np.flatnonzero(np.array(decides, dtype=bool))
    if len(rows):
        matrix = block_matrix(page, lines, prose, span, rule_body, headings)
        probabilities[rows] = model.predict(matrix[rows, :model.num_feature()], num_threads=1)
    return probabilities.tolist()
