"""Quotes: direct quotations with their speaker (canonical name) and reporting verb.

Rule-based and linear, in the spirit of the rule-based quote extractors used on news (cue verbs plus
quotation marks), but without a dependency parse (the stage's speed budget forbids a second spaCy pass):

1. Quotation spans. Each paragraph is scanned for double quotation marks, straight or curly; a mark
   opens when no quote is open and closes otherwise. A quote still open at the end of a paragraph runs
   to the paragraph end (news style for quotes over several paragraphs: only the last part is closed).
   Single quotes are not scanned (they are apostrophes, titles and quotes inside quotes).
2. Attribution, nearest first:
   - after the closing mark, up to the next quotation or the sentence end: verb first
     (`,” said Mousa Abu Marzouk, a senior Hamas official.`), speaker first (`,” Mr. Dekel-Chen said`,
     `,” he said.`, `,” the official told Reuters.`) or `,” according to X.`;
   - before the opening mark, in the same sentence: `X said: “...”`, `X said the plan was “...”`,
     `According to X, “...”`; a quote opening a sentence after one that ends in a colon uses that one.
   The speaker words are resolved to a canonical name with the NER entities: a PERSON mention in
   them gives its canonical; "he"/"she" gives the person the text was last about (the first PERSON
   mention, outside quotes, of the nearest preceding sentence that has one; a "Mr." candidate is skipped
   for "she" and the reverse); an ORG/GPE/NORP mention gives its canonical; a capitalised name NER
   missed is matched to the document's PERSON canonicals by surname, else kept as written; any other
   noun phrase ("a senior Hamas official") is kept as written with speaker_kind "nominal".
3. Kinds. A quote that opens its sentence, or is attributed right next to its marks, is "direct"; one
   embedded in a sentence ("said the talks were “going nowhere fast”") is "partial" when it has at
   least `min_partial_words` words; shorter embedded ones are "scare" quotes (a “humanitarian zone”,
   “crisis.”) and title-cased unattributed ones are "title". Only direct and partial quotes get a
   speaker.
4. Split and continued quotes. `“A,” he said. “B.”`: B has no attribution of its own and follows an
   attributed direct quote in the same paragraph, so it gets the same speaker and the same
   `quote_group` (one row per part: start/end stay exact slices). A quote left open at a paragraph
   end and the quote opening the next paragraph are one group too. A paragraph that opens with an
   unattributed quote right after a paragraph whose last quote had a speaker inherits that speaker
   (attribution "previous_paragraph", its own group).
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from stages.tag.counts import DATA_DIR, load_yaml, merged_params, rows_frame

DEFAULT_PARAMS: dict[str, Any] = {
    "min_partial_words": 4,          # an embedded quote shorter than this is a scare quote
    "max_speaker_words": 8,          # words between a closing mark and the verb that may be a speaker
    "pronoun_lookback_sentences": 6, # how far back "he said" looks for the person the text is about
    "inherit_across_paragraphs": True,
}

QUOTE_SCHEMA: dict[str, Any] = {
    "doc_id": pl.Utf8, "sent_id": pl.Utf8, "start": pl.Int64, "end": pl.Int64, "quote": pl.Utf8,
    "speaker": pl.Utf8, "verb": pl.Utf8, "verb_lemma": pl.Utf8, "kind": pl.Utf8, "speaker_kind": pl.Utf8,
    "speaker_text": pl.Utf8, "speaker_start": pl.Int64, "speaker_end": pl.Int64, "attribution": pl.Utf8,
    "quote_group": pl.Int64, "n_words": pl.Int64, "closed": pl.Boolean,
}

QUOTE_MARK_RE = re.compile(r"[“”\"]")
TOKEN_RE = re.compile(r"[A-Za-z0-9][\w’'.-]*[\w]|[A-Za-z0-9]|[,;:.!?()—–]")
WORD_COUNT_RE = re.compile(r"\w+(?:[’'-]\w+)*")
# a word and its dot ending a text ("... Mr. "); linear time: an attempt starts only where a letter run starts
# (the lookbehind) and takes the run and the trailing whitespace whole (possessive, nothing to give back)
WORD_DOT_AT_END_RE = re.compile(r"(?<![A-Za-z])([A-Za-z]++)\.\s*+$")
PERSON_LABELS = ("PERSON", "PER")
ORG_LABELS = ("ORG", "GPE", "NORP")


@functools.lru_cache(maxsize=None)
def reporting_verbs() -> dict[str, str]:
    """Surface form (lower case) -> lemma, from data/reporting_verbs.txt."""
    forms: dict[str, str] = {}
    for line in (DATA_DIR / "reporting_verbs.txt").read_text(encoding="utf-8").splitlines():
        words = line.split("#", 1)[0].split()
        for w in words:
            forms.setdefault(w.lower(), words[0].lower())
    return forms


class _Cues:
    def __init__(self) -> None:
        cues = load_yaml("quote_cues.yaml")
        self.verbs = reporting_verbs()
        self.pronouns: dict[str, str] = {k.lower(): v for k, v in cues["pronouns"].items()}
        self.honorifics: dict[str, str] = {k.lower(): v for k, v in cues["honorifics"].items()}
        self.skip = frozenset(str(w).lower() for w in cues["skip_words"])
        self.not_speakers = frozenset(str(w).lower() for w in cues["not_speakers"])
        self.unresolved = frozenset(str(w).lower() for w in cues["unresolved_pronouns"])
        self.abbreviations = frozenset(str(w).lower() for w in cues["name_abbreviations"])
        self.particles = frozenset(str(w).lower() for w in cues["name_particles"])
        self.determiners = frozenset(str(w).lower() for w in cues["determiners"])


@functools.lru_cache(maxsize=None)
def _cues() -> _Cues:
    return _Cues()


@dataclass
class _Token:
    text: str
    start: int
    end: int

    @property
    def low(self) -> str:
        return self.text.lower().rstrip(".")

    @property
    def is_word(self) -> bool:
        return self.text[0].isalnum()


@dataclass
class _Quote:
    open_mark: int                     # offset of the opening mark
    close_mark: int | None             # offset of the closing mark; None when open at paragraph end
    start: int                         # quoted words
    end: int
    paragraph: int
    sentence: int                      # index into the doc's sentence list
    kind: str = "direct"
    verb: str | None = None
    speaker: str | None = None
    speaker_kind: str | None = None
    speaker_span: tuple[int, int] | None = None
    attribution: str | None = None
    attributed: bool = False           # has an attribution of its own (not inherited)
    group: int = 0
    notes: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Doc:
    text: str
    sent_starts: list[int]
    sent_ends: list[int]
    sent_ids: list[str]
    entities: list[tuple[int, int, str, str, str]]     # start, end, label, canonical, text (sorted)
    entity_starts: list[int]

    def sentence_at(self, pos: int) -> int:
        i = bisect.bisect_right(self.sent_starts, pos) - 1
        return max(i, 0)

    def entities_in(self, start: int, end: int) -> list[tuple[int, int, str, str, str]]:
        """Entities overlapping [start, end) (mentions are short: none starts 200 characters before)."""
        out = []
        for e in self.entities[bisect.bisect_left(self.entity_starts, start - 200):]:
            if e[0] >= end:
                break
            if e[1] > start:
                out.append(e)
        return out


def _tokens(text: str, start: int, end: int) -> list[_Token]:
    return [_Token(m.group(0), m.start(), m.end()) for m in TOKEN_RE.finditer(text, start, end)]


def _find_quotes(text: str) -> list[tuple[int, int | None, int]]:
    """(open mark, close mark or None, paragraph end) for every double-quoted span, per line."""
    spans: list[tuple[int, int | None, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start, line_end = pos, pos + len(line)
        pos = line_end + 1
        open_at: int | None = None
        for m in QUOTE_MARK_RE.finditer(text, line_start, line_end):
            mark = m.group(0)
            if open_at is None:
                if mark != "”":
                    open_at = m.start()
            elif mark == "“":                     # a second opening mark: the first was never closed
                spans.append((open_at, None, m.start()))
                open_at = m.start()
            else:
                spans.append((open_at, m.start(), line_end))
                open_at = None
        if open_at is not None:
            spans.append((open_at, None, line_end))
    return spans


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip spaces and the comma that belongs to the attribution (“A,” he said)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;"):
        end -= 1
    return start, end


def _join_name_dots(tokens: list[_Token], cues: _Cues) -> list[_Token]:
    """Drop the dot after an honorific or initial ("Mr.", "J.") so it does not end a speaker."""
    out: list[_Token] = []
    for t in tokens:
        if t.text == "." and out and out[-1].is_word and (
                out[-1].low in cues.abbreviations or (len(out[-1].text) == 1 and out[-1].text.isupper())):
            continue
        out.append(t)
    return out


def _speaker_words(words: list[_Token], cues: _Cues, max_words: int) -> list[_Token] | None:
    """Validate a run of tokens as a speaker; None when it cannot be one."""
    while words and words[-1].is_word and words[-1].low in cues.skip:
        words = words[:-1]
    while words and words[0].is_word and words[0].low in cues.skip:
        words = words[1:]
    if not words or len(words) > max_words or not all(w.is_word for w in words):
        return None
    # a lower-case role before a name: "spokesman David Annesley", "analyst Joseph Phillippi"
    lead = 0
    while lead < len(words) - 1 and words[lead].text[0].islower() and words[lead].low not in cues.determiners \
            and words[lead].low not in cues.pronouns and words[lead].low not in cues.unresolved:
        lead += 1
    if 0 < lead < len(words) and words[lead].text[0].isupper():
        words = words[lead:]
    first = words[0]
    if first.low in cues.not_speakers:
        return None
    if not (first.text[0].isupper() or first.low in cues.pronouns or first.low in cues.unresolved
            or first.low in cues.determiners):
        return None
    if any(w.low in cues.verbs for w in words):
        return None
    return words


def _speaker_after_verb(tokens: list[_Token], i: int, cues: _Cues, max_words: int) -> list[_Token] | None:
    """Speaker written after a verb: tokens from i up to punctuation or a lower-case preposition."""
    words: list[_Token] = []
    for t in tokens[i:i + max_words + 1]:
        if not t.is_word:
            break
        if t.low in ("on", "in", "at", "during", "to", "that", "after", "before", "from", "when", "while",
                     "who", "whose", "which", "as", "of", "for", "with"):
            break
        words.append(t)
    return _speaker_words(words, cues, max_words)


def _attribution_after(doc: _Doc, q: _Quote, limit: int, cues: _Cues, p: dict[str, Any]
                       ) -> tuple[list[_Token], _Token] | None:
    assert q.close_mark is not None
    tokens = _join_name_dots(_tokens(doc.text, q.close_mark + 1, limit), cues)
    while tokens and tokens[0].text in ",;:—–":
        tokens = tokens[1:]
    if not tokens:
        return None
    max_words = p["max_speaker_words"]
    if tokens[0].low == "according" and len(tokens) > 2 and tokens[1].low == "to":
        speaker = _speaker_after_verb(tokens, 2, cues, max_words)
        return (speaker, _Token("according to", tokens[0].start, tokens[1].end)) if speaker else None
    # verb first, optionally behind a skip word: ", said Mousa Abu Marzouk" / ", added the official"
    for i in range(min(2, len(tokens))):
        if tokens[i].low in cues.verbs and tokens[i].text.islower():
            if tokens[i].low.endswith("ing"):
                break                        # ", adding the goals ..." is not "said X"
            speaker = _speaker_after_verb(tokens, i + 1, cues, max_words)
            if speaker:
                return speaker, tokens[i]
            break
        if tokens[i].low not in cues.skip:
            break
    # speaker first: ", Mr. Dekel-Chen said" / ", he said" / ", Kamel Abu Jamea, 73, a resident, said"
    for v, t in enumerate(tokens[:max_words + 20]):    # room for "X, managing director of ..., said"
        if t.low in cues.verbs and t.text.islower() and v > 0 and not (
                v + 1 < len(tokens) and tokens[v + 1].low in cues.verbs):   # "the report said": a noun
            before = tokens[:v]
            if v > max_words + 6 and "," not in (b.text for b in before[:max_words + 1]):
                return None
            if "," in (b.text for b in before):
                cut = next(k for k, b in enumerate(before) if b.text == ",")
                if any(not b.is_word and b.text != "," for b in before):
                    return None
                before = before[:cut]
            speaker = _speaker_words(before, cues, max_words)
            return (speaker, t) if speaker else None
        if not t.is_word and t.text != ",":
            return None
    return None


def _attribution_before(doc: _Doc, start: int, open_mark: int, cues: _Cues, p: dict[str, Any]
                        ) -> tuple[list[_Token], _Token, bool] | None:
    """(speaker words, verb, adjacent) from the clause before the opening mark."""
    tokens = _join_name_dots(_tokens(doc.text, start, open_mark), cues)
    if not tokens:
        return None
    max_words = p["max_speaker_words"]
    # "According to X, “...”"
    for k in range(len(tokens) - 1):
        if tokens[k].low == "according" and tokens[k + 1].low == "to":
            speaker = _speaker_after_verb(tokens, k + 2, cues, max_words)
            if speaker and all(not t.is_word for t in tokens[k + 2 + len(speaker):]):
                return speaker, _Token("according to", tokens[k].start, tokens[k + 1].end), True
    for v in range(len(tokens) - 1, -1, -1):
        t = tokens[v]
        if t.low not in cues.verbs or not t.text.islower():
            continue
        after = tokens[v + 1:]
        adjacent = all(not a.is_word for a in after)
        clause: list[_Token] = []
        for b in reversed(tokens[:v]):
            if not b.is_word or b.low in cues.verbs or b.low == "that":
                break
            clause.insert(0, b)
        speaker = None
        if len(clause) > 3:
            # a longer clause: its trailing noun phrase ("Last month the governor said")
            speaker = _speaker_words(_trailing_phrase(clause, cues), cues, max_words)
        if speaker is None and clause:
            speaker = _speaker_words(clause[-max_words:], cues, max_words)
        if speaker is None and not clause:
            # inverted before the quote: "..., said Mr. X: “...”"
            speaker = _speaker_after_verb(tokens, v + 1, cues, max_words)
            if speaker and any(a.is_word for a in tokens[v + 1 + len(speaker):]):
                speaker = None
        if speaker is None and t.low.endswith("ing"):
            # ", saying “...”": the subject is the first name or pronoun of the sentence
            speaker = _first_subject(tokens[:v], cues, max_words)
        if speaker:
            return speaker, t, adjacent
        return None
    return None


def _trailing_phrase(clause: list[_Token], cues: _Cues) -> list[_Token]:
    """The noun phrase ending a clause: from its last determiner, else its trailing capitalised name."""
    tail = clause[-5:]
    for k in range(len(tail) - 1, -1, -1):
        if tail[k].low in cues.determiners:
            return tail[k:]
    out: list[_Token] = []
    for t in reversed(clause):
        if t.text[0].isupper() or (out and t.low in cues.particles):
            out.insert(0, t)
        else:
            break
    return out


def _first_subject(tokens: list[_Token], cues: _Cues, max_words: int) -> list[_Token] | None:
    words: list[_Token] = []
    for t in tokens:
        if not t.is_word:
            break
        if words and not (t.text[0].isupper() or t.low in cues.particles):
            break
        if not words and not (t.text[0].isupper() or t.low in cues.pronouns):
            return None
        words.append(t)
        if t.low in cues.pronouns:
            break
    return _speaker_words(words, cues, max_words)


def _ends_with_abbreviation(tail: str, cues: _Cues) -> bool:
    m = WORD_DOT_AT_END_RE.search(tail)
    return bool(m) and (m.group(1).lower() in cues.abbreviations or (len(m.group(1)) == 1 and m.group(1).isupper()))


def _gender_of_mention(text: str, cues: _Cues) -> str | None:
    first = text.split(" ", 1)[0].rstrip(".").lower()
    return cues.honorifics.get(first)


def _resolve_pronoun(doc: _Doc, quotes: list[_Quote], q: _Quote, pronoun: str, cues: _Cues,
                     p: dict[str, Any]) -> str | None:
    """The person the text was last about: first PERSON mention (outside quotes) of the nearest sentence."""
    gender = cues.pronouns[pronoun]
    inside = [(x.start, x.end) for x in quotes]
    first_sentence = max(0, q.sentence - p["pronoun_lookback_sentences"])
    for si in range(q.sentence, first_sentence - 1, -1):
        s_start = doc.sent_starts[si]
        s_end = doc.sent_ends[si] if si != q.sentence else q.open_mark
        for e_start, e_end, label, canonical, text in doc.entities_in(s_start, s_end):
            if label not in PERSON_LABELS or e_start < s_start or e_start >= s_end:
                continue
            if any(a <= e_start < b for a, b in inside):
                continue
            mention_gender = _gender_of_mention(text, cues)
            if mention_gender and mention_gender != gender:
                continue
            return canonical
    return None


def _resolve_speaker(doc: _Doc, quotes: list[_Quote], q: _Quote, words: list[_Token], cues: _Cues,
                     p: dict[str, Any]) -> tuple[str | None, str | None, tuple[int, int]]:
    span = (words[0].start, words[-1].end)
    if len(words) == 1 and words[0].low in cues.pronouns:
        return _resolve_pronoun(doc, quotes, q, words[0].low, cues, p), "pronoun", span
    if len(words) == 1 and words[0].low in cues.unresolved:
        return None, "pronoun", span
    mentions = doc.entities_in(*span)
    for label_set, kind in ((PERSON_LABELS, "named"), (ORG_LABELS, "organization")):
        for e_start, e_end, label, canonical, _ in mentions:
            if label in label_set and e_start >= span[0] - 4 and e_end <= span[1] + 1:
                if kind == "organization" and (e_end - e_start) < (span[1] - span[0]) // 2:
                    continue            # "a senior Hamas official": the ORG is only a modifier
                return canonical, kind, span
    names = [w for w in words if w.low not in cues.abbreviations]
    if names and all(w.text[0].isupper() or w.low in cues.particles for w in names) \
            and words[0].low not in cues.determiners:
        surname = names[-1].text
        for _, _, label, canonical, _ in doc.entities:
            if label in PERSON_LABELS and canonical.split()[-1] == surname:
                return canonical, "named", span
        return " ".join(w.text for w in names), "named", span
    return doc.text[span[0]:span[1]], "nominal", span


def _is_title(quote: str) -> bool:
    words = WORD_COUNT_RE.findall(quote)
    small = {"of", "the", "a", "an", "and", "in", "on", "for", "to", "at", "or"}
    return bool(words) and quote[-1:] not in ".?!," and \
        all(w[0].isupper() or w.lower() in small or w[0].isdigit() for w in words) and words[0][0].isupper()


def _doc_quotes(doc: _Doc, p: dict[str, Any]) -> list[_Quote]:
    cues = _cues()
    text = doc.text
    quotes: list[_Quote] = []
    line_no, counted_to = 0, 0
    for open_mark, close_mark, line_end in _find_quotes(text):
        start, end = _trim(text, open_mark + 1, close_mark if close_mark is not None else line_end)
        if start >= end:
            continue
        line_no += text.count("\n", counted_to, open_mark)      # "paragraph" = line index here
        counted_to = open_mark
        quotes.append(_Quote(open_mark, close_mark, start, end, line_no, doc.sentence_at(start)))

    for i, q in enumerate(quotes):
        line_start = text.rfind("\n", 0, q.open_mark) + 1
        prev_close = max((x.close_mark + 1 for x in quotes[:i]
                          if x.close_mark is not None and x.paragraph == q.paragraph), default=line_start)
        sent_start = doc.sent_starts[q.sentence] if doc.sent_starts else line_start
        before_start = max(sent_start, prev_close, line_start)
        starts_sentence = text[before_start:q.open_mark].strip(" \t—–-") == ""
        n_words = len(WORD_COUNT_RE.findall(text[q.start:q.end]))
        q.notes["n_words"] = n_words
        found = None
        adjacent = False
        if q.close_mark is not None:
            nxt = next((x.open_mark for x in quotes[i + 1:] if x.paragraph == q.paragraph), None)
            after_sentence = doc.sentence_at(min(q.close_mark + 1, len(text) - 1)) if doc.sent_starts else None
            limit = doc.sent_ends[after_sentence] if after_sentence is not None else text.find("\n", q.close_mark)
            while after_sentence is not None and after_sentence + 1 < len(doc.sent_ends) and \
                    _ends_with_abbreviation(text[max(0, limit - 6):limit], cues):
                after_sentence += 1           # a segmenter split after "Mr.": the speaker is in the next one
                limit = doc.sent_ends[after_sentence]
            line_end = text.find("\n", q.close_mark)
            line_end = len(text) if line_end < 0 else line_end
            limit = min(x for x in (limit, line_end, nxt if nxt is not None else line_end) if x >= q.close_mark)
            found = _attribution_after(doc, q, limit, cues, p)
            if found:
                adjacent = True
                q.attribution = "after"
        if found is None:
            before = _attribution_before(doc, before_start, q.open_mark, cues, p)
            if before is None and starts_sentence and q.sentence > 0:
                # "X said:" ends the previous sentence or paragraph
                prev_text = text[doc.sent_starts[q.sentence - 1]:q.open_mark].rstrip()
                if prev_text.endswith(":"):
                    before = _attribution_before(doc, doc.sent_starts[q.sentence - 1], q.open_mark, cues, p)
            if before is not None:
                words, verb, adjacent = before
                found = (words, verb)
                q.attribution = "before"
        # kind
        if starts_sentence or adjacent:
            q.kind = "direct"
        elif n_words >= p["min_partial_words"] and found is not None:
            q.kind = "partial"
        elif _is_title(text[q.start:q.end]):
            q.kind = "title"
        elif n_words >= p["min_partial_words"]:
            q.kind = "partial"
        else:
            q.kind = "scare"
        if found is None or q.kind not in ("direct", "partial"):
            q.attribution = None
            continue
        words, verb = found
        q.attributed = True
        q.verb = verb.text.lower()
        q.speaker, q.speaker_kind, q.speaker_span = _resolve_speaker(doc, quotes, q, words, cues, p)

    _group_and_inherit(quotes, text, p)
    return quotes


def _group_and_inherit(quotes: list[_Quote], text: str, p: dict[str, Any]) -> None:
    group = -1
    for i, q in enumerate(quotes):
        prev = quotes[i - 1] if i else None
        same_group = False
        if prev is not None and q.kind == "direct" and prev.kind == "direct":
            same_paragraph_continuation = prev.paragraph == q.paragraph and not q.attributed
            # news style: every paragraph of a long quote opens with a mark, only the last one closes
            multi_paragraph = prev.close_mark is None and \
                text.count("\n", prev.open_mark, q.open_mark) <= 2 and \
                text[text.rfind("\n", 0, q.open_mark) + 1:q.open_mark].strip() == ""
            same_group = same_paragraph_continuation or multi_paragraph
        if not same_group:
            group += 1
        q.group = group
        if same_group and prev is not None and prev.speaker_kind is not None:
            _copy_speaker(prev, q, "continuation")
    # a part left open at a paragraph end takes the speaker of a later part of its group
    for i in range(len(quotes) - 2, -1, -1):
        q, nxt = quotes[i], quotes[i + 1]
        if q.group == nxt.group and q.speaker_kind is None and nxt.speaker_kind is not None:
            _copy_speaker(nxt, q, "continuation")
    if not p["inherit_across_paragraphs"]:
        return
    for i, q in enumerate(quotes):
        if q.kind != "direct" or q.speaker_kind is not None or i == 0:
            continue
        line_start = text.rfind("\n", 0, q.open_mark) + 1
        if text[line_start:q.open_mark].strip():
            continue
        prev = quotes[i - 1]
        gap = text[prev.end:line_start]
        # the previous quote is in the paragraph just before this one (blank lines only between)
        if prev.kind == "direct" and prev.speaker_kind is not None and gap.count("\n") <= 2 and \
                text.count("\n", prev.open_mark, line_start) <= 2 and \
                text.rfind("\n", 0, line_start - 1) <= prev.open_mark <= line_start:
            _copy_speaker(prev, q, "previous_paragraph")


def _copy_speaker(source: _Quote, target: _Quote, how: str) -> None:
    target.speaker, target.speaker_kind, target.verb = source.speaker, source.speaker_kind, source.verb
    target.speaker_span, target.attribution = source.speaker_span, how


def _entities_by_doc(entities: pl.DataFrame | None, doc_ids: list[str]
                     ) -> dict[str, list[tuple[int, int, str, str, str]]]:
    """Mentions of the documents doc_ids, grouped by document in (start, end) order."""
    out: dict[str, list[tuple[int, int, str, str, str]]] = {}
    if entities is None or entities.height == 0:
        return out
    cols = entities.select("doc_id", "start", "end", "label",
                           pl.coalesce("canonical", "text").alias("canonical"), "text").sort(["doc_id", "start", "end"])
    cols = cols.filter(pl.col("doc_id").is_in(doc_ids))     # after the sort: the same order as without it
    for doc_id, start, end, label, canonical, text in zip(*(cols[c].to_list() for c in cols.columns)):
        out.setdefault(doc_id, []).append((start, end, label, canonical, text))
    return out


def extract_quotes(docs: pl.DataFrame, sentences: pl.DataFrame, entities: pl.DataFrame | None,
                   params: dict[str, Any] | None = None) -> pl.DataFrame:
    """One row per quotation span (a split quote gives one row per part, sharing quote_group)."""
    p = merged_params(DEFAULT_PARAMS, params)
    verbs = reporting_verbs()
    # only documents with a quotation mark can have quotes: their sentences and mentions are all we need
    quoted = [d for d, text in zip(docs["doc_id"].to_list(), docs["text"].to_list())
              if text and ("“" in text or '"' in text)]
    ents = _entities_by_doc(entities, quoted)
    sents: dict[str, tuple[list[int], list[int], list[str]]] = {}
    ordered = sentences.select("doc_id", "sent_id", "start", "end").sort(["doc_id", "start"])
    ordered = ordered.filter(pl.col("doc_id").is_in(quoted))
    for doc_id, sent_id, start, end in zip(*(ordered[c].to_list() for c in ordered.columns)):
        entry = sents.setdefault(doc_id, ([], [], []))
        entry[0].append(start)
        entry[1].append(end)
        entry[2].append(sent_id)
    rows: list[dict[str, Any]] = []
    for doc_id, text in zip(docs["doc_id"].to_list(), docs["text"].to_list()):
        if not text or ("“" not in text and '"' not in text):
            continue
        starts, ends, ids = sents.get(doc_id, ([], [], []))
        if not starts:                      # no sentences: one pseudo-sentence per line
            starts, ends, ids = [0], [len(text)], [None]
        doc_entities = ents.get(doc_id, [])
        doc = _Doc(text, starts, ends, ids, doc_entities, [e[0] for e in doc_entities])
        for q in _doc_quotes(doc, p):
            rows.append({
                "doc_id": doc_id, "sent_id": ids[q.sentence], "start": q.start, "end": q.end,
                "quote": text[q.start:q.end], "speaker": q.speaker, "verb": q.verb,
                "verb_lemma": verbs.get(q.verb, q.verb) if q.verb else None, "kind": q.kind,
                "speaker_kind": q.speaker_kind,
                "speaker_text": text[q.speaker_span[0]:q.speaker_span[1]] if q.speaker_span else None,
                "speaker_start": q.speaker_span[0] if q.speaker_span else None,
                "speaker_end": q.speaker_span[1] if q.speaker_span else None,
                "attribution": q.attribution, "quote_group": q.group, "n_words": q.notes["n_words"],
                "closed": q.close_mark is not None,
            })
    return rows_frame(rows, QUOTE_SCHEMA, ["doc_id", "start"])
