"""A page's title and subtitle (standfirst): from HTML metadata when ingest has it, else from the lines
around the body."""
from __future__ import annotations

import re

from schemas.params import Clean
from stages.clean import metadata as meta
from stages.clean.blocks import Block, MetadataLines, Page, Picked, Span
from stages.clean.cues import load_cues
from stages.clean.lines import normalise_key

SITE_SEPARATOR = re.compile(r"\s[|–—-]\s(?=[^|–—-]*$)")


def pick_title(page: Page, body_start: int, lines: MetadataLines, anchor: int | None, params: Clean) -> Picked:
    """HTML metadata first; then the headline that repeats the page's first line (`anchor`); else the
    headline-like line before the body, preferring one that has copies on the page (repeated, glued, or
    with a " - Site" suffix); else the page's first line without its " - Site" suffix."""
    if isinstance(page.meta.title, str) and page.meta.title.strip():
        headline = headline_beside_site_name(page, page.meta.title, body_start)
        return headline if headline is not None else title_from_metadata(page.meta.title, page.blocks)
    if anchor is not None:
        # The page's first line is the title when it equals the headline, unless it is a block of several
        # lines (a title is one line: `title_line_no`); the anchor always is one.
        first = page.blocks[0]
        first_is_title = first.glued == page.blocks[anchor].glued and first.one_line
        return Picked(first.text, 0) if first_is_title else Picked(page.blocks[anchor].text, anchor)
    return title_before_body(page.blocks, body_start, lines, params)


PAGE_TITLE_SEPARATOR = r"\s*[:|–—-]\s*"


def headline_beside_site_name(page: Page, title: str, body_start: int) -> Picked | None:
    """The headline when the metadata's title is the site's name: the page's <title> line (its first) is
    that name and another part ("Google Web Toolkit Blog: GWT 2.5 Final is here!", "Life as a Healthcare
    CIO: On the Road in China"), and the other part is a line of its own between the last copy of the
    metadata title and the body (the post's heading; the name is the blog's banner above it). Not when the
    other part is the site's name itself ("... - The Washington Post"), shouts (a section: "SPORTS PLUS") or
    opens with a dash (a tagline: "— a combination of simple living, ...")."""
    blocks = page.blocks
    if not blocks or not blocks[0].one_line:
        return None
    if title.rstrip()[-1:] in (":", "|", "-", "–", "—"):
        return None   # the metadata cut its title at a separator of its own: which part is which is unknown
    rest = other_part_of_page_title(blocks[0].text, title)
    if rest is None or not may_be_headline(rest) or is_site_name(rest, page) or names_an_outlet(rest):
        return None
    rest_key, title_key = normalise_key(rest), normalise_key(title)
    last = min(body_start + 1, len(blocks) - 1)
    at_rest = [i for i in range(1, last + 1) if blocks[i].one_line and blocks[i].key == rest_key]
    at_title = [i for i in range(1, last + 1) if blocks[i].one_line and blocks[i].key == title_key]
    if at_rest and (not at_title or at_rest[-1] > at_title[-1]):
        return Picked(blocks[at_rest[-1]].text, at_rest[-1])
    return None


def may_be_headline(text: str) -> bool:
    """Two words or more, not all capitals, opening with a letter, a digit or a quotation mark."""
    return len(text.split()) >= 2 and not text.isupper() and (text[0].isalnum() or text[0] in "\"“'‘")


def other_part_of_page_title(line: str, title: str) -> str | None:
    """What a <title> line holds beside `title` and a separator ("Blog: Post", "Post | Blog"), or None."""
    line, title = line.strip(), title.strip()
    rest = None
    if line.lower().startswith(title.lower()):
        match = re.match(PAGE_TITLE_SEPARATOR, line[len(title):])
        rest = line[len(title) + match.end():] if match else None
    elif line.lower().endswith(title.lower()):
        match = re.search(PAGE_TITLE_SEPARATOR + "$", line[:-len(title)])
        rest = line[:match.start()] if match else None
    return rest.strip() or None if rest is not None else None


# Host labels that name no site (a domain's suffix, a blog host's own name).
HOST_WORDS = frozenset({"www", "com", "org", "net", "co", "uk", "blogspot", "wordpress", "typepad", "blogs"})


def is_site_name(text: str, page: Page) -> bool:
    """Whether `text` reads as the page's site ("The Washington Post" on "Washington Post" or on
    washingtonpost.com): the letters of the metadata's site name, or of a label of the URL's host, inside
    its letters or holding them. (The metadata's site name is sometimes a page's headline, taken when the
    page names no site; a headline equal to it then stays unread, the safe side.)"""
    own = meta.letters(text)
    host = meta.site_of_url(page.meta.url) or ""
    names = [label for label in host.split(".") if label not in HOST_WORDS]
    if isinstance(page.meta.site, str):
        names.append(page.meta.site)
    for name in names:
        key = meta.letters(name)
        if len(key) >= 4 and (key in own or own in key):
            return True
    return False


def names_an_outlet(text: str) -> bool:
    """Whether a word of `text` is one outlets' names use ("Kansas City Business Journal"; cues.yaml
    byline.outlet_words): then it may be the site's name, and the metadata title is kept."""
    outlets = set(load_cues().byline.outlet_words)
    return any(word in outlets for word in re.findall(r"\w+", text.lower()))


def title_from_metadata(title: str, blocks: list[Block]) -> Picked:
    """The metadata title; at the one-line block that reads the same, when there is one."""
    key = meta.glued_key(title)
    for i, block in enumerate(blocks):
        if block.one_line and block.key and block.key == key:
            return Picked(block.text, i)
    return Picked(title.strip(), None)


def title_before_body(blocks: list[Block], body_start: int, lines: MetadataLines, params: Clean) -> Picked:
    # A line at the top of the body may still be the title when it is repeated (seed: a headline that is
    # itself a sentence, printed twice).
    low = max(0, body_start - params.title_window)
    candidates = [i for i in range(low, min(body_start + 2, len(blocks)))
                  if blocks[i].one_line and blocks[i].cue is None and i not in lines
                  and 2 <= blocks[i].n_words <= params.title_max_words and blocks[i].n_chars >= 10
                  and blocks[i].copy_index == 0]
    if not candidates:
        return Picked()
    glued = {i: blocks[i].glued for i in range(low, min(len(blocks), body_start + 3)) if blocks[i].one_line}
    best, has_copies = best_title_candidate(blocks, candidates, glued, body_start)
    if not has_copies and 0 not in lines:   # a dateline or byline first line is no title ("May 19, 2024 — X")
        page_title = title_of_page(blocks[0], params)
        if page_title is not None:
            return page_title
    return Picked() if best is None else Picked(blocks[best].text, best)


def best_title_candidate(blocks: list[Block], candidates: list[int], glued: dict[int, str], body_start: int
                         ) -> tuple[int | None, bool]:
    """(the best candidate or None, whether it has copies on the page). Ranked by: has copies, is a
    headline of 3+ words (no sentence end, or a question or exclamation), then nearness to the body (without
    copies) or to the top (with copies). A line inside the body counts only when it has copies."""
    best, best_rank = None, None
    for i in candidates:
        own = glued[i]
        copies = sum(1 for j, key in glued.items()
                     if j != i and len(own) <= len(key) <= len(own) + 70 and meta.title_copy(own, key))
        if i >= body_start and copies == 0:
            continue
        block = blocks[i]
        headline = not block.ends_sentence or block.text.rstrip().endswith(("?", "!"))
        rank = (copies > 0, headline and block.n_words >= 3, -abs(body_start - i) if copies == 0 else -i)
        if best_rank is None or rank > best_rank:
            best, best_rank = i, rank
    return best, best_rank is not None and best_rank[0]


def title_of_page(first: Block, params: Clean) -> Picked | None:
    """The scraper's first line is the page's <title>: "Headline - Site" / "Headline | Site"."""
    if first.cue is not None or not first.one_line:
        return None
    parts = SITE_SEPARATOR.split(first.text)
    if len(parts) >= 2 and 3 <= len(parts[0].split()) <= params.title_max_words:
        return Picked(parts[0].strip(), 0)
    return None


def pick_subtitle(page: Page, title_block: int | None, span: Span, lines: MetadataLines,
                  reasons: dict[int, str], params: Clean) -> Picked:
    """The standfirst: the HTML description's line before the body, or else the sentence-like line between
    the title and the body."""
    description = page.meta.description
    if isinstance(description, str) and description.strip():
        return subtitle_from_description(description, page.blocks, title_block, span, reasons)
    if title_block is None:
        return Picked()
    return subtitle_under_title(page.blocks, title_block, span, lines, reasons, params)


def subtitle_from_description(description: str, blocks: list[Block], title_block: int | None, span: Span,
                              reasons: dict[int, str]) -> Picked:
    key = normalise_key(description)
    for i in range(len(blocks) if span.empty else span.start):
        block = blocks[i]
        if i != title_block and i not in reasons and block.one_line and block.key \
                and (block.key == key or key.startswith(block.key) and len(block.key) > 30):
            return Picked(block.text, i)
    return Picked()


def subtitle_under_title(blocks: list[Block], title_block: int, span: Span, lines: MetadataLines,
                         reasons: dict[int, str], params: Clean) -> Picked:
    """The first block of 3+ words within five under the title, when it is one sentence-like line of
    `subtitle_min_words`..`subtitle_max_words` words before the body (or, with `subtitle_from_body`, the
    first block of a longer body)."""
    for i in range(title_block + 1, min(len(blocks), title_block + 6)):
        block = blocks[i]
        if i in reasons or i in lines or block.cue is not None or block.n_words < 3:
            continue
        if not block.one_line or not params.subtitle_min_words <= block.n_words <= params.subtitle_max_words:
            return Picked()
        if i in span and not (params.subtitle_from_body and i == span.start and span.end > span.start):
            return Picked()
        if i not in span and not span.empty and i > span.end:
            return Picked()
        return Picked(block.text, i)
    return Picked()
