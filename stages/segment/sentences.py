"""Paragraphs and sentences of a clean text, as character spans.

Paragraphs are the blocks between blank lines (a line holding only whitespace is blank).

Sentences: one compiled regular expression finds the *candidates*, i.e. the whitespace-delimited
tokens that end in final punctuation (`.`, `!`, `?`, `…`, runs of them) optionally followed by closing
quotes or brackets (`great.”`, `engineer.)`, `U.S.`, `that....`). Only at a candidate does Python do any
work: it looks at the token itself and at the first word after it, and decides with a few set lookups:

- the next word must be able to open a sentence: upper case, a digit, an uncased script, a bullet
  (after opening quotes/brackets); `"This is great." she said.` and `Yahoo! in` stay whole;
- a title before a name never ends a sentence (`Mr. Netanyahu`, `Gen. Smith`); other abbreviations
  (`Oct.`, `No.`, `p.`, `St.`), acronyms (`U.S.`, `a.m.`) and initials (`Jonas E. Smith`) end one only
  when the next word is a usual sentence opener (`... in the U.S. How about you?`, but `U.S.
  Government`, `Oct. 7`, `No. 1`); company suffixes and `etc.` end one before any capitalised word
  but a name continuation (`... Japan Ltd. Payment is due`, but `Apple Inc. Chief Executive`); the
  word lists live in data/abbreviations.yaml;
- `I.` after a lower-case word is the pronoun (`you and I. Did you ...`), not an initial;
- ellipses: `...`/`…` before a capitalised word ends a sentence; the spaced `. . .` is an elision and
  does not, but `. . . .` (ellipsis + period) does, and `word. . . . Next` ends after `word.`;
  `[...]` is always an elision;
- a list marker at the start of a sentence (`1.`, `a.`, `2.)`) is not a sentence;
- a single line break inside a paragraph ends a sentence when the line does not end with punctuation
  (headlines, datelines, list items), unless the next line starts in lower case (a hard wrap) or the
  line ends with a comma-like mark; a line ending in final punctuation follows the rules above, except
  that a line break before a capitalised word ends the sentence even after an abbreviation;
- inline lists: a paragraph that starts with a list marker or a bullet, or a list after a colon
  (`Items: 1. Bread 2. Milk`), is also cut before each later marker that continues the numbering
  (`1) ... 2) ...`, `a. ... b. ...`) or before each bullet.

Finally a span longer than `max_sentence_chars` is cut at its last whitespace before the limit (or hard
at the limit), so no input can make one giant sentence. Every regular expression here is linear:
possessive quantifiers, bounded repeats and a lookbehind that lets the token scan start only once per
punctuation run. Work per character is done by the regex engine; Python runs once per candidate.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from schemas.params import Segment
from stages.common.datafiles import data_file, load_yaml

DATA_DIR = Path(__file__).resolve().parent / "data"

TERMINALS = ".!?…"
CLOSERS = "\"'”’»)]}"
OPENERS = "\"'“‘«([{<¿¡"
BULLETS = "•⁃▪◦‣●■►"
CONTINUATIONS = ",;([&/-–—"    # a line ending with one of these runs on into the next line

_CLOSERS_CLASS = "\"'”’»)\\]}"

# A token ending in final punctuation (+ closers) and followed by whitespace or the end. `(?<!\S)` starts
# the match only at a token start; `(?<![.!?…])` lets the punctuation run start only at its first
# character, so each token is scanned once (linear even on 50 MB of "....").
_CANDIDATE = re.compile(
    r"(?<!\S)(?P<body>\S*?)(?<![.!?…])(?P<term>[.!?…]++)(?P<close>[" + _CLOSERS_CLASS + r"]*+)(?!\S)")
# What follows a position: closers, whitespace, opening punctuation, the first word (bounded).
_FOLLOW = re.compile(
    r"(?P<close>[" + _CLOSERS_CLASS + r"]*+)(?P<space>\s*+)(?P<open>[^\w\s]{0,8})(?P<word>\w{0,40})")
# A spaced ellipsis ". . ." (its dots separated by single spaces).
_SPACED_DOTS = re.compile(r"\.(?: \.)*+")
# A line break inside a paragraph, with the last character of the line and the first of the next.
_LINE_BREAK = re.compile(r"(?P<last>\S)[^\S\n]*+\n\s*+(?=(?P<first>\S))")
# Blank-line separators between paragraphs.
_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*+\n)++")
_SPACES = re.compile(r"\s*+")
# Acronyms written with periods: U.S, E.U, a.m, Ph.D (the final period is the candidate's).
_ACRONYM = re.compile(r"(?:[A-Za-z]{1,2}\.)++[A-Za-z]{1,2}")
# The core of a list marker token at the start of a sentence: "1", "a", "•9", "iv".
_MARKER_CORE = re.compile(r"[" + BULLETS + r"]*+(?:\d{1,3}|[A-Za-z]|[ivxIVX]{1,4})")
# A list opening the paragraph or following a colon: optional bullet, then a number or a letter and ".", ".)" or ")".
_LIST_OPENING = re.compile(
    r"(?:\A|(?<=:))\s*+(?P<bullet>[" + BULLETS + r"]?)\s*+(?:(?P<num>\d{1,3})|(?P<letter>[a-z]))"
    r"(?P<punct>\.\)|\.|\))(?=\s)")
_LIST_ITEM = {  # later markers of the same style, preceded by whitespace (and maybe a bullet)
    punct: re.compile(r"(?<=\s)[" + BULLETS + r"]?\s?(?:(?P<num>\d{1,3})|(?P<letter>[a-z]))"
                      + re.escape(punct) + r"(?=\s)")
    for punct in (".)", ".", ")")
}
_LEADING_BULLET = re.compile(r"\A\s*+[" + BULLETS + r"]")
_BULLET_ITEM = re.compile(r"(?<=\s)[" + BULLETS + r"]")
_WHITESPACE_OR_BULLETS = " \t\n\r\f\v\u00a0" + BULLETS


class LexiconFile(BaseModel):
    """What a lexicon file holds (data/abbreviations.yaml): every list, nothing else, only strings."""
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)
    titles: list[str]
    abbreviations: list[str]
    sentence_final_abbreviations: list[str]
    name_continuations: list[str]
    capitalized_abbreviations: list[str]
    sentence_starters: list[str]


@dataclass(frozen=True)
class Lexicon:
    """The word lists the rules look words up in. The word before a period is looked up lower-cased;
    name continuations and sentence starters as written."""
    titles: frozenset[str]
    abbreviations: frozenset[str]
    sentence_final: frozenset[str]
    continuations: frozenset[str]
    capitalized: frozenset[str]
    starters: frozenset[str]


def lexicon_file(params: Segment) -> Path:
    """The lexicon `segment.lexicon` names: a file of data/ (never a path out of it)."""
    return data_file(DATA_DIR, params.lexicon, "segment.lexicon")


def load_lexicon(path: Path) -> Lexicon:
    """The lexicon in `path`, through the strict data-file loader (a bare `no` or `On` is refused)."""
    lists = load_yaml(path, LexiconFile)

    def lower(words: list[str]) -> frozenset[str]:
        return frozenset(word.lower() for word in words)

    return Lexicon(titles=lower(lists.titles), abbreviations=lower(lists.abbreviations),
                   sentence_final=lower(lists.sentence_final_abbreviations),
                   continuations=frozenset(lists.name_continuations),
                   capitalized=lower(lists.capitalized_abbreviations),
                   starters=frozenset(lists.sentence_starters))


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Spans of the non-blank blocks of `text` separated by blank lines, stripped, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for separator in _BLANK_LINES.finditer(text):
        _append_stripped(text, start, separator.start(), spans)
        start = separator.end()
    _append_stripped(text, start, len(text), spans)
    return spans


def split_sentences(paragraph: str, params: Segment, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Spans of the sentences of `paragraph`: stripped, non-empty, ordered, covering all its non-space text.

    Phases: cuts known before the scan (line breaks, inline list items), then the cuts the candidate scan
    decides, then the spans between the cuts, each capped at `max_sentence_chars`.
    """
    if not paragraph:
        return []
    fixed_cuts = _fixed_cuts(paragraph, params)
    cuts = sorted(fixed_cuts + _candidate_cuts(paragraph, fixed_cuts, params.ellipsis_ends_sentence, lexicon))
    return _cap_lengths(paragraph, _spans_between(paragraph, cuts), params.max_sentence_chars)


def _fixed_cuts(paragraph: str, params: Segment) -> list[int]:
    """Cuts known before the candidate scan, sorted: after unpunctuated lines, before inline list items."""
    cuts = _line_cuts(paragraph, params)
    if params.inline_lists:
        list_cuts = _list_cuts(paragraph)
        if list_cuts:
            cuts = sorted(set(cuts) | set(list_cuts))
    return cuts


def _candidate_cuts(paragraph: str, fixed_cuts: list[int], ellipsis_ends: bool, lexicon: Lexicon) -> list[int]:
    """The sentence ends the candidate scan finds: each token ending in final punctuation is looked at
    once, with the start of the sentence it would end (the last cut before it)."""
    n = len(paragraph)
    cuts: list[int] = []
    last_cut = 0
    skip_until = -1   # candidates inside an already-read spaced ellipsis
    for match in _CANDIDATE.finditer(paragraph):
        token_start = match.start()
        if token_start < skip_until:
            continue
        follow = _FOLLOW.match(paragraph, match.end())
        if match.end() + len(follow.group("space")) >= n:
            break
        index = bisect.bisect_right(fixed_cuts, token_start)
        sentence_start = max(last_cut, fixed_cuts[index - 1] if index else 0)
        if not match.group("body") and match.group("term") == ".":
            run = _SPACED_DOTS.match(paragraph, token_start)
            skip_until = run.end()
            end = _spaced_dots_end(paragraph, token_start, run)
        else:
            end = match.end() if _ends_sentence(paragraph, match, follow, sentence_start, ellipsis_ends,
                                                lexicon) else None
        if end is not None:
            cuts.append(end)
            last_cut = end
    return cuts


def _spaced_dots_end(paragraph: str, token_start: int, run: re.Match) -> int | None:
    """A lone dot opens a spaced ellipsis: ". . ." is an elision (no end), ". . . ." an ellipsis and a
    period, which ends the sentence before a word that can open one (returns where the cut goes)."""
    dots = (run.end() - token_start + 1) // 2
    after = _FOLLOW.match(paragraph, run.end())
    if dots != 3 and after.group("space") and _opens_sentence(*after.group("open", "word")):
        return run.end() + len(after.group("close"))
    return None


def _ends_sentence(paragraph: str, match: re.Match, follow: re.Match, sentence_start: int,
                   ellipsis_ends: bool, lexicon: Lexicon) -> bool:
    """Does the candidate token `match` (followed by `follow`) end a sentence?"""
    body, term, close = match.group("body", "term", "close")
    opening, word = follow.group("open", "word")
    if opening.startswith("."):
        # "word. . . . Next": a period, then an ellipsis that opens the next sentence.
        return term == "." and _ellipsis_opens_next(paragraph, match.end() + len(follow.group("space")))
    if not _opens_sentence(opening, word):
        return False
    if "!" in term or "?" in term:
        return True
    if len(term) > 1 or "…" in term:
        # "that... She" trails off and ends; a free-standing " ... " or "[...]" marks an elision.
        elision = ((not body.lstrip(OPENERS) and term in ("...", "…"))
                   or (body.endswith("[") and close.startswith("]")))
        return ellipsis_ends and not elision
    return _period_ends_sentence(paragraph, body, close, word, follow, match.start(), sentence_start, lexicon)


def _ellipsis_opens_next(paragraph: str, next_start: int) -> bool:
    run = _SPACED_DOTS.match(paragraph, next_start)
    dots = (run.end() - next_start + 1) // 2
    after = _FOLLOW.match(paragraph, run.end())
    return dots == 3 and bool(after.group("space")) and _opens_sentence(*after.group("open", "word"))


def _spans_between(paragraph: str, cuts: list[int]) -> list[tuple[int, int]]:
    """The stripped, non-empty spans between sorted cut positions (repeated cuts are one)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for position in cuts:
        if position > start:
            _append_stripped(paragraph, start, position, spans)
            start = position
    _append_stripped(paragraph, start, len(paragraph), spans)
    return spans


def _opens_sentence(opening: str, word: str) -> bool:
    """Can a token starting with `opening` punctuation and then `word` be a sentence's first token?"""
    if any(ch in BULLETS for ch in opening):
        return True
    if not word or "." in opening or "…" in opening:
        return False
    first = word[0]
    return first.isupper() or first.isdigit() or (first.isalpha() and not first.islower())


def _period_ends_sentence(paragraph: str, body: str, close: str, word: str, follow: re.Match,
                          token_start: int, sentence_start: int, lexicon: Lexicon) -> bool:
    """A single period before a word that could open a sentence: is it the end of one?"""
    core = body.lstrip(OPENERS)
    if (token_start - sentence_start <= 3 and close in ("", ")")
            and not paragraph[sentence_start:token_start].strip(_WHITESPACE_OR_BULLETS)
            and _MARKER_CORE.fullmatch(core)):
        return False   # "1. The first item", "a) ...", "• 9. ...": a list marker opens this sentence
    core = core[max(core.rfind(mark) for mark in "-/–—") + 1:]   # "Minneapolis-St" -> "St", "York-J.F" -> "J.F"
    key = core.lower()
    if key in lexicon.titles:
        return False
    if "\n" in follow.group("space") or any(ch not in ")]}" for ch in close):
        return True    # a closing quote, or a line break, after the period ends the sentence
    if key in lexicon.sentence_final:
        # "Ltd. Payment is due" ends; "Plessey Co. Plc", "Inc. Chief Executive Tim Cook" do not
        return word not in lexicon.continuations
    if (key in lexicon.abbreviations or (key in lexicon.capitalized and core[:1].isupper())
            or _ACRONYM.fullmatch(core)):
        return word in lexicon.starters
    if len(core) == 1 and core.isupper():
        if core == "I":
            before = paragraph[max(0, token_start - 40):token_start].split()
            if before and before[-1][:1].islower():
                return True   # "you and I. Did ...": the pronoun
        return word in lexicon.starters   # an initial: "Jonas E. Smith"
    return True


def _line_cuts(paragraph: str, params: Segment) -> list[int]:
    """Cuts after lines that do not end with punctuation (headlines, list items, datelines)."""
    if "\n" not in paragraph or not params.split_unpunctuated_lines:
        return []
    lowercase_continues = params.lowercase_line_continues
    cuts = []
    for match in _LINE_BREAK.finditer(paragraph):
        last_at = match.start("last")
        last = paragraph[last_at]
        back = last_at
        while last in CLOSERS and back > 0 and last_at - back < 4:   # `said.”` ends with punctuation
            back -= 1
            last = paragraph[back]
        if last in TERMINALS or last in CONTINUATIONS:
            continue   # the candidate scan decides; or the line runs on
        if lowercase_continues and match.group("first").islower():
            continue
        cuts.append(last_at + 1)
    return cuts


def _list_cuts(paragraph: str) -> list[int]:
    """Cuts before the items of an inline list: one that opens the paragraph ("1) ... 2) ...", "• ... • ...")
    or follows a colon ("Items: 1. Bread 2. Milk"). Numbered items must continue the numbering."""
    cuts: list[int] = []
    if _LEADING_BULLET.match(paragraph):
        cuts = [m.start() for m in _BULLET_ITEM.finditer(paragraph)]
    openings = _LIST_OPENING.finditer(paragraph) if ":" in paragraph else [_LIST_OPENING.match(paragraph)]
    for opening in openings:
        if opening is None:
            break
        after_colon = opening.start() > 0
        numbered = opening.group("num") is not None
        first = int(opening.group("num")) if numbered else ord(opening.group("letter"))
        if after_colon and first not in (1, ord("a")):
            continue
        expected = first + 1
        items = []
        for item in _LIST_ITEM[opening.group("punct")].finditer(paragraph, opening.end()):
            value = item.group("num") if numbered else item.group("letter")
            if value is not None and (int(value) if numbered else ord(value)) == expected:
                items.append(item.start())
                expected += 1
        if items:
            cuts += items + ([_marker_start(paragraph, opening)] if after_colon else [])
        break   # only the first list of a paragraph is read: later markers are already covered
    return sorted(set(cuts))


def _marker_start(paragraph: str, opening: re.Match) -> int:
    """Where the first marker of a colon-introduced list starts (its bullet, number or letter)."""
    if opening.group("bullet"):
        return opening.start("bullet")
    return opening.start("num") if opening.group("num") is not None else opening.start("letter")


def _append_stripped(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Append (start, end) shrunk to exclude surrounding whitespace, unless nothing is left."""
    chunk = text[start:end]
    left = len(chunk) - len(chunk.lstrip())
    right = len(chunk.rstrip())
    if right > left:
        spans.append((start + left, start + right))


def _cap_lengths(text: str, spans: list[tuple[int, int]], limit: int) -> list[tuple[int, int]]:
    """Cut every span longer than `limit` at its last whitespace before the limit (hard cut if none);
    `segment.max_sentence_chars` is at least 16 (schemas/params.py), so a cut never splits a short word."""
    if all(end - start <= limit for start, end in spans):
        return spans
    out: list[tuple[int, int]] = []
    for start, end in spans:
        while end - start > limit:
            hard = start + limit
            cut = max(text.rfind(" ", start + 1, hard + 1), text.rfind("\n", start + 1, hard + 1),
                      text.rfind("\t", start + 1, hard + 1))
            if cut <= start + limit // 4:
                cut = hard
            _append_stripped(text, start, cut, out)
            start = min(_SPACES.match(text, cut).end(), end)
        if end > start:
            _append_stripped(text, start, end, out)
    return out
