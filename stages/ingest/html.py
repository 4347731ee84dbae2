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
HTML_DEFAULTS: dict[str, Any] = {"extractor": None, "line_votes": [], "line_markup": []}


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
CONTENT_AFTER_END = re.compile(r"</html\s*>\s*[^\s]", re.IGNORECASE)   # more markup or text after an </html>
# Line votes (ingest's `line_votes`): which extractors keep a line of the page's visible text; the third bit
# is trafilatura's comment section (reader comments: body for some collections, not for others; clean's
# classifier learns what to make of it).
VOTE_TRAFILATURA, VOTE_READABILITY, VOTE_COMMENTS = 1, 2, 4

# Line markup (ingest's `line_markup`): where in the page's markup a line of its visible text sits, a bit
# each, the DOM cues block classifiers of the field read (boilerpipe's link density, Dragnet's class and id
# words). A bit is set when the text carrying it is at least half the line's characters. The element's own
# tag and its ancestors' count (a <p> inside <footer> is in the footer); class and id words are split at
# every non-letter ("comment-list", "relatedStories" -> comment, list, related, stories).
MARKUP_BITS = ("link", "some_link", "chrome", "comment", "share", "related", "ad", "article", "caption",
               "list_item", "heading", "form")
MARKUP = {name: 1 << k for k, name in enumerate(MARKUP_BITS)}
CHROME_TAGS = frozenset({"nav", "header", "footer", "aside", "menu"})
TAG_BITS = {**{tag: MARKUP["chrome"] for tag in CHROME_TAGS}, "a": MARKUP["link"], "article": MARKUP["article"],
            "main": MARKUP["article"], "figcaption": MARKUP["caption"], "li": MARKUP["list_item"],
            "dt": MARKUP["list_item"], "dd": MARKUP["list_item"], "form": MARKUP["form"], "fieldset": MARKUP["form"],
            **{f"h{k}": MARKUP["heading"] for k in range(1, 7)}}
# Class and id words: whole words, the usual vocabulary of page templates (no site's names).
CLASS_WORDS = {
    "chrome": ("nav", "navbar", "navigation", "menu", "footer", "header", "masthead", "sidebar", "breadcrumb",
               "breadcrumbs", "topbar", "toolbar", "copyright", "legal", "skip"),
    "comment": ("comment", "comments", "disqus", "respond", "reply", "replies", "discussion"),
    "share": ("share", "sharing", "social", "facebook", "twitter", "whatsapp", "linkedin", "pinterest", "email",
              "print", "follow"),
    "related": ("related", "recommended", "recommend", "recommendations", "popular", "trending", "promo",
                "teaser", "teasers", "widget", "outbrain", "taboola", "newsletter", "subscribe", "signup",
                "more", "readmore", "latest", "tags", "tag", "topics"),
    "ad": ("ad", "ads", "advert", "advertisement", "adslot", "sponsor", "sponsored", "banner", "dfp"),
    "article": ("article", "story", "content", "entry", "post", "body", "text", "prose"),
    "caption": ("caption", "credit", "photo", "image", "figure", "media", "gallery"),
}
WORD_BITS = {word: MARKUP[name] for name, words in CLASS_WORDS.items() for word in words}
CLASS_WORD = re.compile(r"[A-Z]{2,}(?![a-z])|[A-Z]?[a-z]+")


def html_to_record(html: str) -> dict[str, Any]:
    """The page's visible text (one block a line, the <title> first) with each line's extractor votes, and
    its metadata (trafilatura's). An ensemble: trafilatura and readability-lxml each say which lines are
    the article (`line_votes`, a bit each: VOTE_TRAFILATURA, VOTE_READABILITY), clean's classifier decides
    from the votes and the lines themselves, and every line dropped keeps its reason in clean/removed.
    `extractor` says which extractors found an article; "visible_text" when neither did (the page's
    visible text, unvoted). A page with no visible text at all is Unreadable."""
    import trafilatura
    html = joined_documents(html)
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=True, include_tables=True)
    lines, markup = visible_lines_marked(html)
    if not lines:
        text = (doc.text if doc is not None else None) or trafilatura.baseline(html)[1] or ""
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        markup = []
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
        "line_markup": markup,
        "meta_title": getattr(doc, "title", None) or None,
        "meta_description": getattr(doc, "description", None) or None,
        "meta_authors": [a.strip() for a in author.split(";") if a.strip()] if author else [],
        "meta_date": parse_date(getattr(doc, "date", None)),
        "meta_site": getattr(doc, "sitename", None) or getattr(doc, "hostname", None) or None,
        "meta_url": getattr(doc, "url", None) or None,
    }


def joined_documents(html: str) -> str:
    """The page's markup with everything after its first </html> moved into its <body>, as a browser shows it.

    Pages put together by server-side includes hold several whole documents one after the other; lxml's
    parser (libxml2) keeps the first as the tree's root and each later one as a sibling of it, which
    trafilatura, readability-lxml and a walk of the tree never see (a page's whole article was in its second
    <html>, behind a weather box). Each later document's <body> (or the document itself, when it has none)
    becomes a <div> at the end of the first one's body; later <head>s show nothing and are dropped. A page
    with nothing after its first </html> is returned as it came, without parsing it."""
    if not CONTENT_AFTER_END.search(html):
        return html
    import lxml.html
    try:
        root = lxml.html.document_fromstring(html)
    except Exception:   # empty or unparsable markup: the extractors say so themselves
        return html
    later = [node for node in root.itersiblings() if isinstance(node.tag, str)]
    if not later:
        return html
    body = root.find("body")
    target = body if body is not None else root
    for document in later:
        for part in (list(document) if document.tag == "html" else [document]):
            if part.tag == "head" or not isinstance(part.tag, str):
                continue
            box = lxml.html.Element("div")
            if part.tag == "body":
                box.text = part.text
                box.extend(list(part))
            else:
                box.append(part)
            target.append(box)
    return lxml.html.tostring(root, encoding="unicode", method="html")


def visible_lines(html: str) -> list[str]:
    """The page's text as a browser shows it: the <title>, then every block element's text on its own line
    (scripts, styles, hidden elements dropped; runs of white space one space)."""
    return visible_lines_marked(html)[0]


def visible_lines_marked(html: str) -> tuple[list[str], list[int]]:
    """`visible_lines` and each line's markup bits (MARKUP; the <title> line has none)."""
    import lxml.html
    try:
        tree = lxml.html.document_fromstring(html)
    except Exception:   # empty or unparsable markup: no visible text
        return [], []
    title = " ".join((tree.findtext(".//title") or "").split())
    for element in tree.xpath("|".join(f"//{tag}" for tag in INVISIBLE) + " | " + HIDDEN_XPATH):
        if element.getparent() is not None:
            element.drop_tree()
    lines, markup = marked_text_lines(tree)
    return ([title] + lines, [0] + markup) if title else (lines, markup)


def block_text_lines(tree: Any) -> list[str]:
    """Every block element's text of an lxml tree, one line each, white space squeezed."""
    return marked_text_lines(tree)[0]


def element_bits(node: Any) -> int:
    """The markup bits an element gives the text inside it: its tag's, its class and id words'."""
    bits = TAG_BITS.get(node.tag, 0)
    names = f"{node.get('class') or ''} {node.get('id') or ''}"
    if names.strip():
        for word in CLASS_WORD.findall(names):
            bits |= WORD_BITS.get(word.lower(), 0)
    return bits


def marked_text_lines(tree: Any) -> tuple[list[str], list[int]]:
    """Every block element's text of an lxml tree, one line each, white space squeezed, with each line's
    markup bits. HTML comments and processing instructions go first, their tails kept (etree.iterwalk
    skips them, tails and all: "Sprint Nextel <!--link--> (News)" lost "(News)")."""
    from lxml import etree
    etree.strip_tags(tree, etree.Comment, etree.ProcessingInstruction)
    lines: list[str] = []
    markup: list[int] = []
    parts: list[tuple[str, int]] = []   # the current line's pieces of text, each with its bits
    stack = [0]                          # the bits inside each open element (an element's and its ancestors')

    def end_line() -> None:
        text = " ".join("".join(piece for piece, _ in parts).split())
        if text:
            lines.append(text)
            markup.append(line_bits(parts))
        parts.clear()

    for event, node in etree.iterwalk(tree, events=("start", "end")):
        is_element = isinstance(node.tag, str)
        if event == "start":
            if is_element and node.tag in BLOCK_TAGS:
                end_line()
            stack.append(stack[-1] | (element_bits(node) if is_element else 0))
            if is_element and node.text:
                parts.append((WHITE_SPACE.sub(" ", node.text), stack[-1]))
        else:
            stack.pop()
            if is_element and node.tag in BLOCK_TAGS:
                end_line()
            if node.tail and node is not tree:
                parts.append((WHITE_SPACE.sub(" ", node.tail), stack[-1]))
    end_line()
    return lines, markup


def line_bits(parts: list[tuple[str, int]]) -> int:
    """A line's bits: those carried by at least half its non-space characters; `some_link` when any of
    them is inside a link."""
    chars = [(len(piece) - piece.count(" "), bits) for piece, bits in parts]
    total = sum(n for n, _ in chars) or 1
    out = 0
    for bit in MARKUP.values():
        if 2 * sum(n for n, bits in chars if bits & bit) >= total:
            out |= bit
    if any(n and bits & MARKUP["link"] for n, bits in chars):
        out |= MARKUP["some_link"]
    return out


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


