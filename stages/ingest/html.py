"""An HTML page to a document record: its visible text, each line's extractor votes, its metadata.

The HTML route of ingest (`records.file_items` calls `html_to_record`): an ensemble of trafilatura and
readability-lxml over the page's visible text, so that clean decides line by line with every dropped line's
reason kept, and a page neither extractor reads (short or broken HTML) still gives its visible text
(`extractor` = "visible_text").
"""
from __future__ import annotations

import re
from typing import Any

from stages.common import dates
from stages.ingest.decode import Unreadable

# The HTML-route columns of ingest/documents, as other formats have them.
HTML_DEFAULTS: dict[str, Any] = {"extractor": None, "line_votes": []}


def parse_date(value: Any) -> str | None:
    """An ISO date string for what a page gives, or None (stages.common.dates.parse_date)."""
    date = dates.parse_date(value)
    return date.isoformat() if date is not None else None


# Elements whose text a browser does not show, and the ones that start a new line of the page's text.
# Not "head" as a whole: lxml's parser leaves a page whose <head> holds a stray element (<mbox>) and no
# <body> with ALL its content inside <head>, where a browser closes the head at that element and shows the
# rest; the head's own elements (title, meta, link, base) are what is invisible.
INVISIBLE = ("script", "style", "noscript", "template", "svg", "title", "meta", "link", "base", "iframe",
             "object", "select", "button")
HIDDEN_XPATH = ("//*[@hidden] | //*[@aria-hidden='true'] | "
                "//*[contains(translate(@style, ' ', ''), 'display:none')] | "
                "//*[contains(translate(@style, ' ', ''), 'visibility:hidden')]")
BLOCK_TAGS = frozenset({"address", "article", "aside", "blockquote", "br", "caption", "dd", "details", "dialog",
                        "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
                        "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section",
                        "summary", "table", "td", "th", "tr", "ul", "body", "html", "option", "legend"})
TOKEN = re.compile(r"\w+")
WHITE_SPACE = re.compile(r"\s+")   # a source line break inside a block is a space
# Line votes (ingest's `line_votes`): which extractors keep a line of the page's visible text; the third bit
# is trafilatura's comment section (reader comments: body for some collections, not for others; clean's
# classifier learns what to make of it).
VOTE_TRAFILATURA, VOTE_READABILITY, VOTE_COMMENTS = 1, 2, 4


def html_to_record(html: str) -> dict[str, Any]:
    """The page's visible text (one block a line, the <title> first) with each line's extractor votes, and
    its metadata (trafilatura's). An ensemble: trafilatura and readability-lxml each say which lines are
    the article (`line_votes`, a bit each: VOTE_TRAFILATURA, VOTE_READABILITY), clean's classifier decides
    from the votes and the lines themselves, and every line dropped keeps its reason in clean/removed.
    `extractor` says which extractors found an article; "visible_text" when neither did (the page's
    visible text, unvoted). A page with no visible text at all is Unreadable."""
    import trafilatura
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=True, include_tables=True)
    lines = visible_lines(html)
    if not lines:
        text = (doc.text if doc is not None else None) or trafilatura.baseline(html)[1] or ""
        lines = [line.strip() for line in text.split("\n") if line.strip()]
    if not lines:
        raise Unreadable("HTML page with no extractable article text (the markup is empty, or nested too "
                         "deeply to parse)")
    votes, extractor = line_votes(lines, (doc.text if doc is not None else None) or "", readability_text(html),
                                  (doc.comments if doc is not None else None) or "")
    author = getattr(doc, "author", None)
    return {
        "extractor": extractor,
        "raw_text": "\n".join(lines),
        "line_votes": votes,
        "meta_title": getattr(doc, "title", None) or None,
        "meta_description": getattr(doc, "description", None) or None,
        "meta_authors": [a.strip() for a in author.split(";") if a.strip()] if author else [],
        "meta_date": parse_date(getattr(doc, "date", None)),
        "meta_site": getattr(doc, "sitename", None) or getattr(doc, "hostname", None) or None,
        "meta_url": getattr(doc, "url", None) or None,
    }


def visible_lines(html: str) -> list[str]:
    """The page's text as a browser shows it: the <title>, then every block element's text on its own line
    (scripts, styles, hidden elements dropped; runs of white space one space)."""
    import lxml.html
    try:
        tree = lxml.html.document_fromstring(html)
    except Exception:   # empty or unparsable markup: no visible text
        return []
    title = " ".join((tree.findtext(".//title") or "").split())
    for element in tree.xpath("|".join(f"//{tag}" for tag in INVISIBLE) + " | " + HIDDEN_XPATH):
        if element.getparent() is not None:
            element.drop_tree()
    lines = [title] if title else []
    lines.extend(block_text_lines(tree))
    return lines


def block_text_lines(tree: Any) -> list[str]:
    """Every block element's text of an lxml tree, one line each, white space squeezed. HTML comments and
    processing instructions go first, their tails kept (etree.iterwalk skips them, tails and all: "Sprint
    Nextel <!--link--> (News)" lost "(News)")."""
    from lxml import etree
    etree.strip_tags(tree, etree.Comment, etree.ProcessingInstruction)
    parts: list[str] = []
    for event, node in etree.iterwalk(tree, events=("start", "end")):
        is_element = isinstance(node.tag, str)
        if event == "start":
            if is_element and node.tag in BLOCK_TAGS:
                parts.append("\n")
            if is_element and node.text:
                parts.append(WHITE_SPACE.sub(" ", node.text))
        else:
            if is_element and node.tag in BLOCK_TAGS:
                parts.append("\n")
            if node.tail and node is not tree:
                parts.append(WHITE_SPACE.sub(" ", node.tail))
    return [squeezed for line in "".join(parts).split("\n") for squeezed in [" ".join(line.split())] if squeezed]


def readability_text(html: str) -> str:
    """readability-lxml's article text ("" when it finds none or fails on the markup)."""
    import lxml.html
    from readability import Document
    try:
        summary = Document(html).summary(html_partial=True)
        return "\n".join(block_text_lines(lxml.html.fragment_fromstring(summary, create_parent="div")))
    except Exception:   # readability raises on markup it cannot score: no vote
        return ""


def line_votes(lines: list[str], *extracted: str) -> tuple[list[int], str]:
    """(each line's votes, the extractor column): bit k is set when extracted text k (trafilatura's article,
    readability's, trafilatura's comments) holds the line (most of its 3-word shingles; a shorter line: its
    words in a row). The extractor column names the extractors that found an article."""
    names = ("trafilatura", "readability")
    keys = [extractor_keys(text) for text in extracted]
    votes = []
    for line in lines:
        tokens = [t.lower() for t in TOKEN.findall(line)]
        vote = 0
        for k, (grams, joined) in enumerate(keys):
            if grams and holds(tokens, grams, joined):
                vote |= 1 << k
        votes.append(vote)
    found = [name for name, (grams, _) in zip(names, keys) if grams]
    return votes, "+".join(found) if found else "visible_text"


def extractor_keys(text: str) -> tuple[set[tuple[str, ...]], str]:
    tokens = [t.lower() for t in TOKEN.findall(text)]
    return set(zip(tokens, tokens[1:], tokens[2:])) | {tuple(tokens[:3])} if tokens else set(), f" {' '.join(tokens)} "


def holds(tokens: list[str], grams: set[tuple[str, ...]], joined: str) -> bool:
    if len(tokens) >= 3:
        line_grams = list(zip(tokens, tokens[1:], tokens[2:]))
        return sum(1 for g in line_grams if g in grams) * 2 >= len(line_grams)
    return bool(tokens) and f" {' '.join(tokens)} " in joined


