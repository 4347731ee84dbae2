"""What clean_document works on: a document's `Block`s (each with its features) and the `Page` around them.

A `Block` is one raw line of a scraped page, or one paragraph of a hard-wrapped text (stages/clean/lines.py
splits and featurises them); `Page` is a document as the phases of stages/clean/document.py see it: its
metadata, raw lines, blocks, and the stop-word language of the whole document.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from schemas.params import Clean


@dataclass(slots=True)
class Block:
    """One block with its features (never changed once built; not frozen: a corpus builds hundreds of
    thousands, and a frozen dataclass takes five times as long to build). Lengths come twice: as counted
    (`n_chars`, `n_words`) and in Latin-script terms (`chars`, `words`: a Han/kana/Hangul character counts
    `cjk_char_weight` characters, every two of them a word), which is what the body-likeness rules compare.
    Fields in the order corpus.document_blocks builds them."""
    text: str
    line_nos: range            # its 1-based lines of raw_text (consecutive)
    one_line: bool             # a single raw line (every block of a scraped page; a title is one)
    n_chars: int
    n_words: int
    chars: float
    words: int
    n_alpha_words: int         # words that are not numbers
    n_capitalised: int         # words starting with a capital letter or a digit
    ends_sentence: bool
    has_digit: bool
    key: str                   # lower case, runs of non-word characters one space (lines.squeezed_key)
    glued: str                 # the key with a breadcrumb glued to the first word undone
    cue: str | None            # the cue reason (data/cues.yaml), or None
    copy_index: int            # 0 for its key's first block in the document, 1 for the second copy, ...
    n_docs: int                # documents of the corpus its key occurs in (capped: corpus.repeat_counts)


@dataclass(frozen=True, slots=True)
class Metadata:
    """What ingest found about a document besides its text (HTML metadata, JSONL fields)."""
    source_format: str | None
    title: str | None
    description: str | None
    authors: list[str]
    date: Any                  # as ingest wrote it (an ISO date string), read by stages.common.dates
    site: str | None
    url: str | None = None
    line_votes: list[int] = field(default_factory=list)   # HTML route: extractors keeping each raw line
    line_markup: list[int] = field(default_factory=list)  # HTML route: each raw line's markup bits

    @classmethod
    def of(cls, row: dict[str, Any]) -> Metadata:
        return cls(row["source_format"], row["meta_title"], row["meta_description"], row["meta_authors"] or [],
                   row["meta_date"], row["meta_site"], row.get("meta_url"), row.get("line_votes") or [],
                   row.get("line_markup") or [])


@dataclass(frozen=True)
class Page:
    """A document as clean_document sees it."""
    doc_id: str
    meta: Metadata
    raw_lines: list[str]
    blocks: list[Block]
    stops: dict[str, list[int]]   # each stop-list language's stop words in each block
    extracted: bool            # its text is already the article (`extracted_formats`): scored leniently
    lang_stop: str | None      # the stop-list language with the most stop words, when they are frequent
    stop_share: list[float]    # each block's share of stop words of lang_stop (1.0 for all without one)

    @classmethod
    def of(cls, doc_id: str, meta: Metadata, raw_text: str, blocks: list[Block], stops: dict[str, list[int]],
           params: Clean) -> Page:
        lang_stop = stop_language(stops, blocks, params.stop_language_min_share)
        own = stops[lang_stop] if lang_stop else []
        stop_share = [(own[i] / b.n_alpha_words if b.n_alpha_words else 0.0) if lang_stop else 1.0
                      for i, b in enumerate(blocks)]
        return cls(doc_id, meta, raw_text.split("\n"), blocks, stops,
                   meta.source_format in params.extracted_formats, lang_stop, stop_share)

    @property
    def texts(self) -> list[str]:
        return [b.text for b in self.blocks]


def stop_language(stops: dict[str, list[int]], blocks: list[Block], min_share: float) -> str | None:
    """The stop-list language with the most stop words in the document, None when none is frequent."""
    total_words = sum(b.words for b in blocks)
    if total_words == 0:
        return None
    totals = sorted(((sum(counts), lang) for lang, counts in stops.items()), key=lambda t: (-t[0], t[1]))
    if not totals or totals[0][0] < min_share * total_words:
        return None
    return totals[0][1]


@dataclass
class MetadataLines:
    """The blocks that are bylines (-> their authors) and datelines (-> their date)."""
    bylines: dict[int, list[str]] = field(default_factory=dict)
    datelines: dict[int, dt.date] = field(default_factory=dict)

    def __contains__(self, index: int) -> bool:
        return index in self.bylines or index in self.datelines


@dataclass(frozen=True)
class Prose:
    """Each block's body-likeness: good (running text), near-good (a short sentence: body next to body,
    never on its own) and repeated (corpus boilerplate)."""
    good: list[bool]
    near_good: list[bool]
    repeated: list[bool]


@dataclass(frozen=True)
class Span:
    """The body's run of blocks, start..end inclusive (empty when end < start)."""
    start: int
    end: int
    fallback: bool = False      # a short text without prose: every non-boilerplate line is content
    anchor: int | None = None   # the headline that repeats the page's first line, when there is one

    @property
    def empty(self) -> bool:
        return self.end < self.start

    def __contains__(self, index: int) -> bool:
        return self.start <= index <= self.end


@dataclass(frozen=True)
class Picked:
    """A title or subtitle: its text and the block it comes from (None: from metadata, or none found)."""
    text: str | None = None
    block: int | None = None
