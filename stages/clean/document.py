"""clean_document: one document's article body, its metadata, and one audit row per dropped line.

How a document is cleaned, phase by phase (each a function below, in this order):
1. `metadata_lines`: bylines (-> authors) and datelines (-> published date).
2. `body_likeness` (jusText-style): a block is *good* when it is long and dense in stop words of the
   document's language, or of medium length, sentence-shaped and dense enough; *near-good* when it is a
   shorter sentence. Cue blocks, and non-prose blocks that recur across documents, are *bad*; the rest is
   *neutral*. `corpus_repetition`: prose that recurs across documents that are not copies of each other
   stops counting as good.
3. `body_span` (stages/clean/span.py): each block gets a score (+characters when good, a fraction when
   near-good, a penalty when bad or neutral) and the body is the contiguous run with the largest total
   (maximum subarray). When the page repeats its first line (the HTML <title>) as the headline, the best run
   starting right under it wins unless it is much weaker. The run ends at a comment-section opener (or a
   related-list opener not followed by more text).
4. `title_and_copies`, then the subtitle (stages/clean/titles.py): title (HTML metadata, else the
   headline-like line before the body, preferring one repeated or glued to a breadcrumb; its copies are
   `duplicate_title`), subtitle (HTML description, else the sentence between title and body).
5. `body_blocks`: inside the span, short neutral blocks between paragraphs stay (context smoothing), cue
   blocks, repeats and the headlines of an inline related box go; `trim_edges` trims back to prose. Text
   already cut to the article (HTML through trafilatura, JSONL feed bodies: `extracted_formats`) is scored
   leniently: only clear boilerplate goes.
6. `body_language`, `drop_foreign_passages`: the body's language from its stop words when they are dense,
   else py3langid (restricted list); passages in another language are dropped.
7. `label_the_rest`: author boxes, navigation, related headlines, other boilerplate.
8. `metadata_fields`: authors, published date, site ("Source: ... - domain"), truncation (a paywall /
   continue-reading notice right after the body); then the output rows.

Every non-blank raw line ends up in exactly one of body_line_nos, title_line_no, subtitle_line_no or the
removed rows (with a reason from stages/clean/reasons.py). The function is total: any string input works.
Everything it reads of a document is the document itself, except how many documents each of its blocks
recurs in (`Block.n_docs`), which it only compares with `SHARED_MIN_DOCS` and the two repeat thresholds.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from schemas.params import Clean
from stages.clean import classifier, metadata as meta, select
from stages.clean.blocks import Block, MetadataLines, Page, Picked, Prose, Span
from stages.clean.cues import load_cues
from stages.clean.language import Identifier
from stages.clean.reasons import CUE_REASONS
from stages.clean.span import body_span
from stages.clean.titles import pick_subtitle, pick_title
from stages.common.dates import find_date, parse_date

SHARED_MIN_DOCS = 2  # a block in this many documents is shared (copy detection in corpus_repetition)
METADATA_MAX_WORDS = 60   # longer blocks are never bylines or datelines
DATELINE_SCAN_MAX_WORDS = 20   # ... nor datelines above this (is_dateline then counts `dateline_max_words`)
# A person's name opening a line, followed by the end of the line or a comma ("Jane Doe, adviser ...").
NAME_PREFIX = re.compile(r"^([^\W\d_][\w'’-]+(?: [^\W\d_][\w'’-]+){1,3})(?:,|$)")

Row = dict[str, Any]


def clean_document(page: Page, identifier: Identifier, params: Clean) -> tuple[Row, list[Row]]:
    """One document's output row (schemas.clean.CleanDocuments' columns and `_language_sure`) and its
    removed rows (line_no, text, reason)."""
    rules = rule_phases(page, params)
    lines, prose, span, title, subtitle, body, reasons = rules
    body = learned_body(page, lines, prose, span, body, (title.block, subtitle.block), reasons, params)
    language, sure = body_language(page, body, identifier, params)
    if body and language != "und" and sure:
        body = drop_foreign_passages(page, body, language, identifier, reasons, params)
        if not body:
            language = "und"
    label_the_rest(page, body, language, (title.block, subtitle.block), identifier, reasons, params)
    return output_rows(page, lines, body, title, subtitle, language, sure, reasons, params)


def rule_phases(page: Page, params: Clean) -> tuple[MetadataLines, Prose, Span, Picked, Picked, list[int],
                                                    dict[int, str]]:
    """Phases 1-5, the rules: (metadata lines, body-likeness, span, title, subtitle, the rules' body, the
    reasons given so far)."""
    lines = metadata_lines(page, params)
    prose = corpus_repetition(page, body_likeness(page, lines, params), params)
    span = body_span(page, lines, prose, params)
    reasons: dict[int, str] = {}   # block -> why it is not in the text; filled in phase by phase
    title = title_and_copies(page, lines, span, reasons, params)
    subtitle = pick_subtitle(page, title.block, span, lines, reasons, params)
    body = body_blocks(page, lines, prose, span, (title.block, subtitle.block), reasons, params)
    body = trim_edges(body, prose, page.extracted or span.fallback, reasons)
    return lines, prose, span, title, subtitle, body, reasons


# ------------------------------------------------------------------------------------------- phases

def metadata_lines(page: Page, params: Clean) -> MetadataLines:
    """Bylines ("By ...", contributor lines) and datelines among the short one-line blocks."""
    found = MetadataLines()
    blocks = page.blocks
    memo = line_metadata_memo(params)
    for i, block in enumerate(blocks):
        if block.words > METADATA_MAX_WORDS or not block.one_line or i in found.bylines:
            continue
        facts = memo.get(block.text)
        if facts is None:
            facts = memo[block.text] = line_metadata(block, params)
        prefix, names, date = facts
        if prefix and i + 1 < len(blocks) and blocks[i + 1].one_line:
            # "By" / "DAN BILEFSKY": a scrape that keeps the source's line breaks splits the byline in two
            split = meta.parse_byline(f"{block.text.strip()} {blocks[i + 1].text.strip()}", params)
            if split:
                found.bylines[i] = found.bylines[i + 1] = split
                continue
        if names:
            found.bylines[i] = list(names)
        elif date is not None:
            found.datelines[i] = date
    return found


def line_metadata(block: Block, params: Clean) -> tuple[bool, tuple[str, ...] | None, dt.date | None]:
    """What one line is on its own, for metadata_lines: (a byline's prefix alone, the names it gives as a
    byline, the date it gives as a dateline when it gives no names). Pure: the block's text (its words and
    digits are the text's) and the params."""
    names = meta.parse_byline(block.text, params) if meta.may_be_byline(block.text.lower()) else None
    date = None
    if not names and block.words <= DATELINE_SCAN_MAX_WORDS and block.has_digit \
            and meta.is_dateline(block.text, params):
        date = find_date(block.text)
    return meta.is_byline_prefix(block.text), tuple(names) if names else None, date


# text -> line_metadata(block, params) of the lines seen so far under one params (a third of a corpus's
# lines repeat another's: menus, footers, copies); the corpus empties it per batch (clear_line_memos), and
# it is emptied past LINE_MEMO_MAX entries.
LINE_METADATA: dict[str, tuple] = {}
LINE_METADATA_PARAMS: list[Clean | None] = [None]
LINE_MEMO_MAX = 1 << 18


def line_metadata_memo(params: Clean) -> dict[str, tuple]:
    """LINE_METADATA for these params (emptied when they are other params than the last, or too large)."""
    if LINE_METADATA_PARAMS[0] is not params or len(LINE_METADATA) > LINE_MEMO_MAX:
        LINE_METADATA.clear()
        LINE_METADATA_PARAMS[0] = params
    return LINE_METADATA


def clear_line_memos() -> None:
    """Empty the memos of per-line verdicts (LINE_METADATA, classifier.LINE_SHAPES): a batch's time then
    does not depend on the batches cleaned before it."""
    LINE_METADATA.clear()
    LINE_METADATA_PARAMS[0] = None
    classifier.LINE_SHAPES.clear()


def body_likeness(page: Page, lines: MetadataLines, params: Clean) -> list[tuple[bool, bool]]:
    """(good, near-good) of each block: see the module docstring. Cues, metadata lines and headlines (no
    sentence end, mostly capitalised words) are neither."""
    verdicts = []
    for i, block in enumerate(page.blocks):
        share = page.stop_share[i]
        if block.cue is not None or i in lines or (
                not block.ends_sentence and block.words
                and block.n_capitalised >= params.headline_caps_share * block.words):
            verdicts.append((False, False))
            continue
        near_good = block.ends_sentence and block.words >= params.near_min_words and share >= params.stop_low
        good = (block.chars >= params.length_high and share >= params.stop_high) or (
            block.chars >= params.length_low and block.ends_sentence and share >= params.stop_low
            and (block.words >= params.min_body_words or page.lang_stop is None))
        verdicts.append((good, near_good))
    return verdicts


def corpus_repetition(page: Page, verdicts: list[tuple[bool, bool]], params: Clean) -> Prose:
    """Boilerplate-looking blocks recurring across documents are `repeated`; prose recurring across
    documents is no evidence of body (not good) unless this document is a copy of others.

    n_docs is only ever compared with SHARED_MIN_DOCS and the two repeat thresholds: the corpus passes it
    capped at the largest of them (corpus.repeat_cap), which keeps a document's cached result valid when a
    new document only makes a line that was already shared more frequent."""
    blocks = page.blocks
    good = [g for g, _ in verdicts]
    n_good = sum(good)
    n_good_shared = sum(1 for g, b in zip(good, blocks) if g and b.n_docs >= SHARED_MIN_DOCS)
    is_copy = n_good > 0 and n_good_shared >= params.copy_min_share * n_good
    # In extracted text (a feed's body) only a word or two recurring across documents is a signature
    # ("Reuter"); longer recurring lines there are template data ("Pay April 30").
    max_repeat_words = params.extracted_repeat_max_words if page.extracted else 10 ** 9
    repeated = [not g and b.n_docs >= params.repeat_min_docs and b.words <= max_repeat_words
                for g, b in zip(good, blocks)]
    if not is_copy:
        # A paragraph of prose found in several documents that otherwise differ (a site's "About us"
        # blurb, a wire's background paragraph) is no evidence of body: it stays only between body
        # paragraphs, never removed for the repetition alone.
        good = [g and b.n_docs < params.repeat_min_docs_sentence for g, b in zip(good, blocks)]
    return Prose(good, [near for _, near in verdicts], repeated)


def title_and_copies(page: Page, lines: MetadataLines, span: Span, reasons: dict[int, str],
                     params: Clean) -> Picked:
    """The title (titles.pick_title); the other one-line blocks that copy it become `duplicate_title`."""
    title = pick_title(page, len(page.blocks) if span.empty else span.start, lines, span.anchor, params)
    title_key = meta.glued_key(title.text) if title.text else ""
    if title_key:
        shortest, longest = len(title.text) * 0.9, len(title.text) + 70
        for i, block in enumerate(page.blocks):
            if i != title.block and block.one_line and shortest <= block.n_chars <= longest \
                    and meta.title_copy(title_key, block.glued):
                reasons[i] = "duplicate_title"
    return title


def body_blocks(page: Page, lines: MetadataLines, prose: Prose, span: Span, headings: tuple[int | None, ...],
                reasons: dict[int, str], params: Clean) -> list[int]:
    """The blocks of the span that stay, in order; the others (and the metadata lines, cues and repeats
    anywhere) get their reason. A related-stories box inside the article: its headlines go until the text
    resumes; a repeated body paragraph is a `duplicate_line`."""
    body: list[int] = []
    seen_keys: set[str] = set()
    in_related_box = False
    for i, block in enumerate(page.blocks):
        if i in headings or i in reasons:
            continue
        if prose.good[i] or prose.near_good[i]:
            in_related_box = False
        if i in lines.bylines:
            reasons[i] = "byline"
        elif i in lines.datelines:
            reasons[i] = "dateline"
        elif block.cue is not None:
            reasons[i] = block.cue
            in_related_box = block.cue == "related" and params.drop_related_boxes
        elif prose.repeated[i]:
            reasons[i] = "repeated_across_docs"
        elif i in span:
            if block.key and block.key in seen_keys and block.words >= params.duplicate_min_words:
                reasons[i] = "duplicate_line"
            elif in_related_box:
                reasons[i] = "related"
            else:
                body.append(i)
                seen_keys.add(block.key)
    return body


# Reasons the classifier never overrides: the line became a field, it copies the title or a body line, or a
# cue phrase named what it is (an advertisement label, a paywall notice, an author box...).
KEPT_REASONS = frozenset({"byline", "dateline", "duplicate_title", "duplicate_line", *CUE_REASONS})


# Metadata reasons the classifier may override below the start of the rules' span: a byline or dateline
# inside or after the article (a comment's "Posted by X at 8:21 pm", "(Additional reporting by ...)", a
# date stamp between paragraphs) is text some pages' bodies hold; the lines above the span stay fields.
INNER_METADATA = frozenset({"byline", "dateline"})


# A copyright notice ("Copyright 2008 The Associated Press. All rights reserved.", "(c) Indo-Asian News
# Service"): removed as a `cookie` cue or as `repeated_across_docs` by the rules, but below the start of the
# rules' span on the HTML route the classifier's to decide (NOTICE_REASONS): right after the article, in its
# container, it is the article's credit line, which some bodies hold; far below, the site's footer.
COPYRIGHT_NOTICE = re.compile(r"^\W*(?:©|\(c\)|copyright\b)|\ball rights reserved\b", re.IGNORECASE)
CAPTION_BIT = 1 << classifier.MARKUP_NAMES.index("caption")
NOTICE_REASONS = frozenset({"cookie", "repeated_across_docs"})
NOTICE_MAX_WORDS = 40


def notice_blocks(page: Page, span: Span) -> frozenset[int]:
    """The copyright notices below the start of the rules' span (COPYRIGHT_NOTICE, NOTICE_MAX_WORDS words
    or fewer, opening with the sign or the word, or saying "all rights reserved"; not a caption's photo
    credit, "© Jane Doe A nurse gives a flu shot ...": the markup's caption bit), on the HTML route only:
    there the extractors' votes and the markup say whether a notice sits in the article's container or in
    the site's footer; a plain-text scrape says neither."""
    if span.empty or not page.meta.line_votes:
        return frozenset()
    markup = page.meta.line_markup
    found = []
    for i in range(span.start + 1, len(page.blocks)):
        block = page.blocks[i]
        if block.words > NOTICE_MAX_WORDS or not may_be_notice(block.text) or not COPYRIGHT_NOTICE.search(block.text):
            continue
        bits = 0
        for k in block.line_nos:
            if k - 1 < len(markup):
                bits |= markup[k - 1]
        if not bits & CAPTION_BIT:
            found.append(i)
    return frozenset(found)


def may_be_notice(text: str) -> bool:
    """Whether the text holds what COPYRIGHT_NOTICE needs (its sign, "(c)", "copyright" or "all rights
    reserved", in any case): the pattern is tried only there."""
    if "©" in text:
        return True
    lower = text.lower()
    return "(c)" in lower or "copyright" in lower or "all rights reserved" in lower


def voted_datelines(page: Page, lines: MetadataLines) -> frozenset[int]:
    """The datelines trafilatura or readability keeps (HTML route): read as part of the article by an
    extractor, a dateline above the rules' span ("POSTED: 7:54 am EST January 23, 2008") is the
    classifier's to keep or drop like one inside it (some bodies hold it; it still gives the date); the
    others (a site's header date, a date the extractors leave out) stay fields only."""
    if not page.meta.line_votes or not lines.datelines:
        return frozenset()
    ored = classifier.block_votes(page)
    both = classifier.VOTE_TRAFILATURA | classifier.VOTE_READABILITY
    return frozenset(i for i in lines.datelines if ored[i] & both)


def model_decides(i: int, lines: MetadataLines, prose: Prose, headings: tuple[int | None, ...],
                  reasons: dict[int, str], span: Span, notices: frozenset[int] = frozenset(),
                  voted: frozenset[int] = frozenset()) -> bool:
    """Whether block i is the classifier's to decide: not a heading, not a metadata line above the rules'
    span (INNER_METADATA), not removed for another KEPT_REASONS reason, and not a line recurring across
    different articles unless it is prose (a line shared by copies of one article does not recur:
    corpus.copy_groups); a copyright notice below the span's start (`notices`, notice_blocks) removed for
    one of NOTICE_REASONS is, and so is a dateline above the span that an extractor keeps (`voted`,
    voted_datelines). A metadata line the classifier keeps still gives its authors or date."""
    reason = reasons.get(i)
    if i in notices and reason in NOTICE_REASONS and i not in lines and i not in headings:
        return True
    inner = i in lines and not span.empty and reason in INNER_METADATA and (
        i > span.start or (i in voted and reason == "dateline"))
    return not (i in headings or (i in lines and not inner) or (reason in KEPT_REASONS and not inner)
                or (reason == "repeated_across_docs" and not prose.good[i]))


def learned_body(page: Page, lines: MetadataLines, prose: Prose, span: Span, rule_body: list[int],
                 headings: tuple[int | None, ...], reasons: dict[int, str], params: Clean) -> list[int]:
    """The body the block classifier (stages/clean/classifier.py) keeps, given the rules' verdicts: its
    blocks at BODY_THRESHOLD or more, bar headings, metadata lines and copies of the title or of an earlier
    body block. A block the rules removed and the model keeps loses its reason; a block the rules kept and
    the model drops gets its cue reason, or `repeated_across_docs`, or is labelled with the rest
    (label_the_rest: navigation, related, author_bio, boilerplate); neutral blocks it adds at the
    edges go (`trim_added_edges`). Without a model, on extracted text (a feed's), or when it
    keeps nothing: the rules' body; when both keep nothing, the most body-like run (`most_likely_run`).
    On the HTML route an extractor's article may then replace it as a whole (stages/clean/select.py)."""
    if page.extracted or (span.fallback and rule_body):
        # A feed's text is the article already, and a short text without a paragraph of prose (a results
        # table) is all content: no such text trained the model.
        return rule_body
    notices = notice_blocks(page, span)
    voted = voted_datelines(page, lines)
    decides = [model_decides(i, lines, prose, headings, reasons, span, notices, voted)
               for i in range(len(page.blocks))]
    probabilities = classifier.body_probabilities(page, lines, prose, span, rule_body, headings, decides)
    if probabilities is None:
        return rule_body
    body, seen = [], set()
    for i, probability in enumerate(probabilities):
        block = page.blocks[i]
        if not decides[i]:
            continue
        if probability < classifier.BODY_THRESHOLD:
            if i not in reasons:
                if block.cue is not None:
                    reasons[i] = block.cue
                elif prose.repeated[i]:
                    reasons[i] = "repeated_across_docs"
            continue
        if block.key and block.key in seen and block.copy_index > 0:
            reasons[i] = "duplicate_line"
            continue
        reasons.pop(i, None)
        body.append(i)
        seen.add(block.key)
    # A short page's one paragraph is often neither good nor kept by the rules ("We've finally released
    # Hacker Monthly #1."): trimming that would leave nothing keeps what the model found.
    body = trim_added_edges(body, set(rule_body) | voted, prose, page.extracted or span.fallback, notices) or body
    if not body:   # the model finds nothing: the rules' body, else the most body-like run it saw
        body = rule_body or most_likely_run(probabilities, decides, params.empty_fallback_min_probability)
        for i in body:
            reasons.pop(i, None)
    body = select.chosen_body(page, body, decides, probabilities, prose.good, reasons)
    metadata_reasons(lines, body, headings, reasons)
    return body


def metadata_reasons(lines: MetadataLines, body: list[int], headings: tuple[int | None, ...],
                     reasons: dict[int, str]) -> None:
    """An inner byline or dateline (INNER_METADATA) the model kept and a trim or the selector then left
    out gets its `byline` / `dateline` reason back; not the title or subtitle (a first line "May 19, 2024"
    that a later line repeats is the title)."""
    kept = set(body) | {i for i in headings if i is not None}
    for i in lines.bylines.keys() | lines.datelines.keys():
        if i not in kept and i not in reasons:
            reasons[i] = "byline" if i in lines.bylines else "dateline"


def most_likely_run(probabilities: list[float], decidable: list[bool], min_probability: float) -> list[int]:
    """The body when neither the model nor the rules keep a block: the decidable block the model finds
    most body-like, if at `min_probability` or more (an index page with no article stays empty), with the
    decidable blocks next to it (a run) that score at least half of its probability. A person reading the
    page finds its article there (a one-sentence post among menus and comment forms)."""
    candidates = [i for i, ok in enumerate(decidable) if ok]
    if not candidates:
        return []
    best = max(candidates, key=lambda i: (probabilities[i], -i))
    if probabilities[best] < min_probability:
        return []
    floor = probabilities[best] / 2
    lo = hi = best
    while lo > 0 and decidable[lo - 1] and probabilities[lo - 1] >= floor:
        lo -= 1
    while hi + 1 < len(decidable) and decidable[hi + 1] and probabilities[hi + 1] >= floor:
        hi += 1
    return list(range(lo, hi + 1))


def trim_added_edges(body: list[int], rule_body: set[int], prose: Prose, keeps_edges: bool,
                     notices: frozenset[int] = frozenset()) -> list[int]:
    """The learned body without the neutral blocks the model added at its edges (a stray "in" or menu
    word before the first paragraph): it starts at a good block or one the rules kept, and ends at a good,
    near-good or rules' one, or at a copyright notice the model keeps (`notices`, notice_blocks: the
    article's credit line). The trimmed blocks are labelled with the rest (label_the_rest)."""
    if keeps_edges:
        return body
    first = next((k for k, i in enumerate(body) if prose.good[i] or i in rule_body), len(body))
    body = body[first:]
    while body and not (prose.good[body[-1]] or prose.near_good[body[-1]] or body[-1] in rule_body
                        or body[-1] in notices):
        body.pop()
    return body


def trim_edges(body: list[int], prose: Prose, keeps_edges: bool, reasons: dict[int, str]) -> list[int]:
    """The body without the neutral blocks left at its edges by the removals (`short_fragment`): it starts
    at a good block and ends at a good or near-good one. Extracted text and the fallback keep their edges."""
    if keeps_edges:
        return body
    first = next((k for k, i in enumerate(body) if prose.good[i]), len(body))
    for i in body[:first]:
        reasons[i] = "short_fragment"
    body = body[first:]
    while body and not (prose.good[body[-1]] or prose.near_good[body[-1]]):
        reasons[body.pop()] = "short_fragment"
    return body


def body_language(page: Page, body: list[int], identifier: Identifier, params: Clean) -> tuple[str, bool]:
    """(ISO 639-1 code of the body, whether it is sure); ("und", True) when the body is empty. When the
    body is dense in the stop words of one language (running text always is) that language is the answer;
    otherwise py3langid decides, sure only above `language_min_confidence` (tables of figures are not)."""
    if not body:
        return "und", True
    blocks = page.blocks
    if page.lang_stop is not None and page.lang_stop in params.languages:
        words = sum(blocks[i].words for i in body)
        stops = sum(page.stops[page.lang_stop][i] for i in body)
        if words and stops >= params.stopword_language_min_share * words:
            return page.lang_stop, True
    code, prob = identifier.identify(" ".join(blocks[i].text for i in body), params.langid_max_chars)
    return code, prob >= params.language_min_confidence


def drop_foreign_passages(page: Page, body: list[int], language: str, identifier: Identifier,
                          reasons: dict[int, str], params: Clean) -> list[int]:
    """The body without its passages in another language (`foreign_language`). Short runs of figures and
    names fool py3langid: a passage is foreign only when it also reads as prose of that language (its stop
    words), where we have a list for it."""
    kept = []
    for i in body:
        block = page.blocks[i]
        if block.chars >= params.foreign_min_chars and (
                page.lang_stop is None or page.stop_share[i] < params.foreign_stop_max):
            code, prob = identifier.identify(block.text, params.foreign_max_chars)
            prose = code not in page.stops or \
                page.stops[code][i] >= params.foreign_stop_min * max(1, block.n_alpha_words)
            if code not in (language, "und") and prob >= params.foreign_min_confidence and prose:
                reasons[i] = "foreign_language"
                continue
        kept.append(i)
    return kept


def label_the_rest(page: Page, body: list[int], language: str, headings: tuple[int | None, ...],
                   identifier: Identifier, reasons: dict[int, str], params: Clean) -> None:
    """A reason for every block not placed yet: an author box, navigation (short), a related headline
    (after the body, no sentence end), a passage in another language, or boilerplate."""
    in_body = set(body)
    rest = [i for i in range(len(page.blocks)) if i not in reasons and i not in in_body and i not in headings]
    author_bio = author_bio_blocks(page.texts, rest)
    last_body = body[-1] if body else -1
    for i in rest:
        block = page.blocks[i]
        if i in author_bio:
            reasons[i] = "author_bio"
        elif block.words <= params.navigation_max_words:
            reasons[i] = "navigation"
        elif i > last_body >= 0 and not block.ends_sentence:
            reasons[i] = "related"
        elif page.lang_stop is None or page.stop_share[i] < params.foreign_stop_max:
            reasons[i] = foreign_or_boilerplate(block.text, block.chars, language, identifier, params)
        else:
            reasons[i] = "boilerplate"


def foreign_or_boilerplate(text: str, chars: float, language: str, identifier: Identifier, params: Clean) -> str:
    """'foreign_language' for a longer passage outside the body in another language, else 'boilerplate'."""
    if language != "und" and chars >= params.foreign_outside_min_chars:
        code, prob = identifier.identify(text, params.foreign_max_chars)
        if code not in (language, "und") and prob >= params.foreign_min_confidence:
            return "foreign_language"
    return "boilerplate"


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


# ------------------------------------------------------------------------------------ fields and rows

def metadata_fields(page: Page, lines: MetadataLines, body: list[int], title: str | None, params: Clean
                    ) -> tuple[list[str], dt.date | None, str | None, bool]:
    """(authors, published date, site, is_truncated): metadata first, then the page's own lines."""
    site = meta.site_name(page.meta.site) or meta.site_of_url(page.meta.url)
    authors = page_authors(page, lines, body, site, params)
    published = parse_date(page.meta.date)
    if published is None and lines.datelines:
        published = lines.datelines[min(lines.datelines)]
    if site is None:
        site = next((found for block in page.blocks if block.cue == "source"
                     for found in [meta.parse_source_site(block.text)] if found), None)
    if site is not None and title is not None and title.strip().lower() == site.strip().lower():
        site = meta.site_of_url(page.meta.url)   # the metadata took the headline for the site's name
    truncation_cues = [cue.lower() for cue in load_cues().truncation]
    after_body = page.texts[body[-1] + 1:body[-1] + 1 + params.truncation_window] if body else []
    is_truncated = any(cue in text.lower() for text in after_body for cue in truncation_cues)
    return authors, published, site, is_truncated


def page_authors(page: Page, lines: MetadataLines, body: list[int], site: str | None, params: Clean
                 ) -> list[str]:
    """The article's authors, persons' names only (metadata.person_name: no role, no outlet): the
    metadata's when it names a person, else the article's byline (`article_bylines`), else its contributor
    lines ("Vivian Yee contributed reporting": credited for reporting, not the byline); a contributor line
    at the article's foot is the article's. `site` (the metadata's, else the URL's host) goes from the end of
    a name it is glued to (metadata.without_site_name)."""
    contributor = {i for i in lines.bylines if meta.is_contributor_line(page.blocks[i].text)}
    article = article_bylines([i for i in sorted(lines.bylines) if i not in contributor], body, params)
    authors: list[str] = []
    for source in (list(page.meta.authors), [name for i in article for name in lines.bylines[i]],
                   [name for i in sorted(contributor) for name in lines.bylines[i]]):
        for raw in source:
            name = meta.person_name(raw) if isinstance(raw, str) else None
            if name:
                meta.add_author(authors, meta.without_site_name(name, site))
        if authors:
            break
    return authors


def article_bylines(bylines: list[int], body: list[int], params: Clean) -> list[int]:
    """Of a page's byline blocks (in order), the article's: the one closest above the body with the bylines
    stacked right above it ("By Jane Doe" / "By John Roe"), else the first one inside the body. The others
    name other articles' authors (a list of stories, each with its byline, above the article) or reader
    comments' ("written by lynn, October 25, 2012" under each comment; "Posted by ..." after the body's end +
    truncation_window)."""
    if not body:
        return bylines[:1]
    above = [i for i in bylines if i < body[0]]
    if above:
        stack = [above[-1]]
        for i in reversed(above[:-1]):
            if stack[-1] - i > 1:
                break
            stack.append(i)
        return sorted(stack)
    return [i for i in bylines if i <= body[-1] + params.truncation_window][:1]


def output_rows(page: Page, lines: MetadataLines, body: list[int], title: Picked, subtitle: Picked,
                language: str, sure: bool, reasons: dict[int, str], params: Clean) -> tuple[Row, list[Row]]:
    blocks = page.blocks
    authors, published, site, is_truncated = metadata_fields(page, lines, body, title.text, params)
    removed = []
    removed_chars = 0
    for i in sorted(reasons):
        for line_no in blocks[i].line_nos:
            line = page.raw_lines[line_no - 1].strip()
            removed.append({"line_no": line_no, "text": line, "reason": reasons[i]})
            removed_chars += len(line)
    stripped_lengths = [len(line.strip()) for line in page.raw_lines]
    nonblank_chars = sum(stripped_lengths)  # blank lines add 0
    row = {
        "doc_id": page.doc_id, "title": title.text, "subtitle": subtitle.text, "authors": authors,
        "published_date": published, "site": site, "language": language,
        "text": "\n\n".join(blocks[i].text.strip() for i in body), "is_truncated": is_truncated,
        "is_empty": not body,
        "body_line_nos": [line_no for i in body for line_no in blocks[i].line_nos],
        "title_line_no": blocks[title.block].line_nos[0] if title.block is not None else None,
        "subtitle_line_no": blocks[subtitle.block].line_nos[0] if subtitle.block is not None else None,
        "n_lines": len(stripped_lengths) - stripped_lengths.count(0), "n_removed": len(removed),
        "boilerplate_share": removed_chars / nonblank_chars if nonblank_chars else 0.0,
        "_language_sure": sure,
    }
    return row, removed
