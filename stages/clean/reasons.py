"""The fixed vocabulary of `removed.reason`: why a raw line is not in the clean text (one place, documented).

Cue-phrase reasons (the phrases live in data/cues.yaml, one section per reason):
- paywall:        subscription / log-in / "continue reading" notices
- cookie:         cookie, privacy, consent, copyright and browser notices
- advertisement:  "Advertisement", sponsored-content labels
- share:          share / follow / comment buttons and prompts
- newsletter:     newsletter and sign-up prompts
- related:        "Most Popular", "Read more", "Check out", tag clouds, related-story headlines after the body
- widget:         menus' utility items, weather and app widgets, search boxes, "Loading..."
- caption:        photo captions and credits
- source:         "Source: ..." and "originally published" lines (the site goes to `site`)
Structural reasons:
- navigation:     short menu-like lines outside the article body
- boilerplate:    longer lines outside the article body (footers, disclaimers, teasers)
- short_fragment: a stray short line at the edge of the body with no sentence shape
- duplicate_title: a repeated or breadcrumb-glued copy of the title ("WorldNegotiations between ...")
- duplicate_line: a second copy of a body paragraph within the same document
- repeated_across_docs: a boilerplate-looking line that recurs in several documents of the corpus
- foreign_language: a passage in another language than the body (e.g. an author bio in Spanish)
- author_bio:     an author box: "Jane Doe is a staff writer ...", or nearby lines opening with the same name
Metadata reasons (the line became a field):
- byline:         "By ...", "X contributed reporting from ..." (-> authors)
- dateline:       "Sunday, May 19, 2024", "Updated : 19 November 2019, 09:01 AM" (-> published_date)
"""
from __future__ import annotations

REASONS: dict[str, str] = {
    "paywall": "subscription, log-in or 'continue reading' notice",
    "cookie": "cookie, privacy, consent, copyright or browser notice",
    "advertisement": "advertisement or sponsored-content label",
    "share": "share, follow or comment button or prompt",
    "newsletter": "newsletter or sign-up prompt",
    "related": "related or popular stories, tags, 'read more'",
    "widget": "page widget or utility link (search, app, weather, loading)",
    "caption": "photo caption or credit",
    "source": "'Source: ...' or 'originally published' line",
    "navigation": "short menu-like line outside the article body",
    "boilerplate": "longer line outside the article body",
    "short_fragment": "short line at the edge of the body without sentence shape",
    "duplicate_title": "repeated or glued copy of the title",
    "duplicate_line": "second copy of a body paragraph in the same document",
    "repeated_across_docs": "boilerplate-looking line recurring in several documents",
    "foreign_language": "passage in another language than the body",
    "author_bio": "author box next to the byline",
    "byline": "byline or contributor line (became authors)",
    "dateline": "date line (became published_date)",
}

# The cue reasons, in the order they are tried (the first that matches wins).
CUE_REASONS: tuple[str, ...] = ("paywall", "cookie", "advertisement", "share", "newsletter", "related",
                                "widget", "caption", "author_bio", "source")
