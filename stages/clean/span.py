"""Where a page's body lies: the contiguous run of blocks with the best total score (maximum subarray, in
the spirit of jusText's context smoothing), moved under the headline when the page repeats its title, and
cut at a comment-section or related-list opener."""
from __future__ import annotations

import re
from functools import lru_cache

from schemas.params import Clean
from stages.clean import metadata as meta
from stages.clean.blocks import Block, MetadataLines, Page, Prose, Span
from stages.clean.cues import load_cues
from stages.clean.lines import normalise_key

LEADING_NUMBER = re.compile(r"^\d+ ")


def body_span(page: Page, lines: MetadataLines, prose: Prose, params: Clean) -> Span:
    """The body's span: the best-scoring run; for a short text without prose, its non-boilerplate lines
    (`fallback`); under the headline anchor when the best run there is not much weaker; cut at a
    terminator (`use_terminators`)."""
    blocks = page.blocks
    scores = block_scores(page, prose, params)
    start, end, total = max_subarray(scores)
    fallback = fallback_content(blocks, lines, prose, params)
    if fallback is not None:
        start, end, total = fallback
    anchor = headline_anchor(blocks, params)
    if anchor is not None and not anchor < start <= anchor + params.anchor_reach:
        # The page repeats its <title> as the headline: the article starts right under it. Prefer the best
        # run starting there unless it is much weaker than the best run elsewhere (a short article above
        # a long footer notice).
        a_start, a_end, a_total = best_run_from(scores, anchor + 1, anchor + params.anchor_reach)
        if a_total > 0 and a_total >= params.anchor_min_ratio * total:
            start, end, total = a_start, a_end, a_total
    if params.use_terminators and end > start:
        end = cut_at_terminator(blocks, prose.good, start, end, params)
    return Span(start, end, fallback is not None, anchor)


def block_scores(page: Page, prose: Prose, params: Clean) -> list[float]:
    """+characters for a good block, a share of them for a near-good one (or a neutral one of extracted
    text), -(penalty + characters) for a cue or repeated block, -(penalty + a share) for a neutral one."""
    scores = []
    for i, block in enumerate(page.blocks):
        if prose.good[i] and not prose.repeated[i]:
            scores.append(float(block.chars))
        elif block.cue is not None or prose.repeated[i]:
            scores.append(-(params.bad_penalty + block.chars))
        elif prose.near_good[i]:
            scores.append(params.near_weight * block.chars)
        elif page.extracted:
            scores.append(params.extracted_neutral_weight * block.chars)
        else:
            scores.append(-(params.neutral_penalty + params.neutral_weight * block.chars))
    return scores


def fallback_content(blocks: list[Block], lines: MetadataLines, prose: Prose, params: Clean
                     ) -> tuple[int, int, float] | None:
    """(start, end, total) of all content of a short text without any paragraph of running prose (a wire
    item that is only a results table: "Shr 12 cts vs 15 cts / Net 1.2 mln vs 1.0 mln"): it is all
    content, bar clear boilerplate. None for other texts."""
    if any(prose.good) or len(blocks) > params.fallback_max_blocks:
        return None
    content = [i for i, block in enumerate(blocks)
               if block.cue is None and not prose.repeated[i] and i not in lines]
    # A headline right above a byline or dateline is the title (titles.pick_title looks above the span).
    if len(content) > 1 and content[0] + 1 in lines and headline_shaped(blocks[content[0]], params):
        content = content[1:]
    if not content or sum(blocks[i].words for i in content) < params.min_body_words:
        return None
    return content[0], content[-1], float(sum(blocks[i].chars for i in content))


def headline_shaped(block: Block, params: Clean) -> bool:
    """No sentence end and mostly capitalised words (document.body_likeness's headline test)."""
    return (not block.ends_sentence and block.words > 0
            and block.n_capitalised >= params.headline_caps_share * block.words)


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


def headline_anchor(blocks: list[Block], params: Clean) -> int | None:
    """The block that repeats the page's first line (its <title>, often with a " - Site" suffix) as the
    headline, or None. Scrapers print the page title first; the article follows its headline."""
    if len(blocks) < 3 or not blocks[0].glued:
        return None
    first = blocks[0].glued
    for i, block in enumerate(blocks[1:], start=1):
        if 3 <= block.words <= params.title_max_words and block.one_line and len(block.glued) <= len(first) \
                and meta.title_copy(block.glued, first):
            return i
    return None


@lru_cache(maxsize=1)
def terminator_keys() -> dict[str, tuple[str, ...]]:
    terminators = load_cues().terminators
    return {kind: tuple(sorted({normalise_key(t) for t in phrases} - {""})) for kind, phrases in terminators.items()}


@lru_cache(maxsize=1)
def terminator_matchers() -> list[tuple[str, frozenset[str], tuple[str, ...]]]:
    """(kind, its keys, its keys each followed by a space) per kind, sorted by kind: a block key is a
    terminator of the kind when it is one of the keys or opens with one and a space."""
    return [(kind, frozenset(keys), tuple(f"{key} " for key in keys))
            for kind, keys in sorted(terminator_keys().items())]


def cut_at_terminator(blocks: list[Block], good: list[bool], start: int, end: int, params: Clean) -> int:
    """The span's new end: just before the first end-of-article marker (data/cues.yaml `terminators`)
    after a body paragraph; `end` when there is none. A related-list opener only counts when no body
    paragraph follows within `terminator_lookahead` blocks."""
    kinds = terminator_matchers()
    seen_good = False
    for i in range(start, end + 1):
        if good[i]:
            seen_good = True
            continue
        if not seen_good or blocks[i].n_words > params.terminator_max_words:
            continue
        key = LEADING_NUMBER.sub("", blocks[i].key or "")
        if not key:
            continue
        for kind, keys, openers in kinds:
            if key in keys or key.startswith(openers):
                if kind == "comments" or not any(good[i + 1:min(end + 1, i + 1 + params.terminator_lookahead)]):
                    return i - 1
    return end
