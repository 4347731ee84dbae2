"""Attributions: who the reporting is sourced to, how many sources, named or anonymous, and affiliation.

"according to seven officials involved in or briefed on the talks" -> n_sources 7, anonymous;
"Six Israeli officials said" -> 6, affiliation "Israeli"; "a statement from the Israeli government" ->
a document source, n_sources null, affiliation "Israeli government". Linear scans of each sentence:

1. `according to X`: X runs to the clause end (comma, semicolon, full stop that is not an
   abbreviation's, dash, parenthesis); coordinated sources are split into one row each
   ("four Israeli officials and an official from one of the mediating countries" -> two rows).
2. `<source> <reporting verb>`: the subject is the last comma-separated segment before the verb,
   or, when the verb follows a comma (", said" / "Kamel Abu Jamea, 73, a resident, said"), the first
   segment before the appositives. It is a source when it ends in a listed source noun (officials,
   sources, spokesman; optionally followed by a post-modifier such as "familiar with the talks") or is
   a named PERSON/ORG/GPE mention (optionally after a title: "Israeli Prime Minister Benjamin Netanyahu").
   The inverted order `, said two officials` is read too. Pronouns ("he said", "it said") are not sources.
   Verbs other than the speech verbs (say, tell) count only when a complement follows ("confirmed that",
   ", officials confirmed.").
3. `a statement from/by X` outside an according-to phrase: a document source.

For each source noun phrase: n_sources is its stated number ("seven", "6", "an official" -> 1, a named
person -> 1; "officials", "several officials", documents and organisations -> null); named is true for
a named person or organisation, or a document whose origin is stated; affiliation is the capitalised
modifier of the head ("Israeli", "US", "Hamas"), else its "from X" origin. Cue words live in
data/attribution_cues.yaml and data/reporting_verbs.txt. Speed (outputs unchanged): a sentence with no
"according", no reporting verb and no statement cue is skipped after one lower-case pass.
"""
from __future__ import annotations

import bisect
import functools
import itertools
import re
from typing import Any, Iterator

import polars as pl
from typing_extensions import TypedDict

from schemas.params import Attributions as AttributionsParams
from schemas.tag import Attributions
from stages.tag import data_file_spec
from stages.tag.lexicon import CASE_UNSAFE_RE, data_yaml, iter_sentences, lower_set, number_parser, rows_frame
from stages.tag.quotes import QuoteCuesFile, reporting_verbs

WORD_RE = re.compile(r"[A-Za-z0-9][\w’'-]*")
# the letters ending a text; linear time: an attempt starts only where a letter run starts (the lookbehind)
# and takes the run whole (possessive), instead of rescanning the run's tail from each of its letters
LAST_WORD_RE = re.compile(r"(?<![A-Za-z])([A-Za-z]++)$")
NAMED_LABELS = ("PERSON", "PER", "ORG", "GPE")
Mention = tuple[int, int, str, str]     # start, end (in the sentence), label, canonical
Word = tuple[str, int, int]             # text, start, end


@data_file_spec
class AttributionCuesFile(TypedDict):
    """data/attribution_cues.yaml."""
    person_nouns: list[str]
    document_nouns: list[str]
    rank_modifiers: list[str]
    postmodifiers: list[str]
    vague_quantifiers: list[str]
    speech_verbs: list[str]
    pronouns: list[str]
    articles: list[str]


class _Cues:
    def __init__(self) -> None:
        cues = data_yaml("attribution_cues.yaml", AttributionCuesFile)
        quote_cues = data_yaml("quote_cues.yaml", QuoteCuesFile)
        self.person = lower_set(cues["person_nouns"])
        self.document = lower_set(cues["document_nouns"])
        self.rank = lower_set(cues["rank_modifiers"])
        self.postmod = lower_set(cues["postmodifiers"])
        self.vague = lower_set(cues["vague_quantifiers"])
        self.pronouns = lower_set(cues["pronouns"])
        self.articles = lower_set(cues["articles"])
        self.skip = lower_set(quote_cues["skip_words"])
        self.abbreviations = lower_set(quote_cues["name_abbreviations"])
        self.verbs = {form: lemma for form, lemma in reporting_verbs().items() if form != "according"}
        numbers = number_parser()
        self.number_words = frozenset(numbers.units) | frozenset(numbers.scales)
        starters = "|".join(sorted(self.number_words | self.articles | {"one"} | self.vague,
                                   key=lambda w: (-len(w), w)))
        # linear time: a match may only start where a whitespace run starts (the lookbehind), so a long run
        # is not rescanned from each of its positions; the possessive runs never need to give back
        self.coordination_re = re.compile(rf"(?<!\s)\s++and\s++(?=(?:{starters}|\d)\b)", re.IGNORECASE)
        self.according_re = re.compile(r"\baccording\s+to\s+", re.IGNORECASE)
        self.statement_re = re.compile(
            rf"\b(?:a|an|the)\s+(?:written\s+|joint\s+)?(?:{'|'.join(sorted(self.document))})\s+(?:from|by|issued\s+by)\s+",
            re.IGNORECASE)
        self.speech_verbs = lower_set(cues["speech_verbs"])
        # the same scans on lower-cased text (see CASE_UNSAFE_RE): same words, same matches at the same
        # offsets, several times faster than IGNORECASE scanning (all literals here are lower case)
        self.verb_forms = frozenset(self.verbs)
        self.according_lower_re = re.compile(self.according_re.pattern)
        self.statement_lower_re = re.compile(self.statement_re.pattern)
        # what may follow another reporting verb for it to introduce reported speech
        # (matched right after a word; linear time in any use: no attempt starts inside a whitespace run)
        self.complement_re = re.compile(r"(?<!\s)\s*+(?:that\b|[,.:;“\"]|$)")
        self.boundary_re = re.compile(r"[,;:!?—–()“”\"]|\.(?=\s|$)")


@functools.lru_cache(maxsize=None)
def _cues() -> _Cues:
    return _Cues()


def _clause_end(sentence: str, pos: int, cues: _Cues) -> int:
    """End of the phrase starting at pos: next clause punctuation (an abbreviation's dot does not count)."""
    for m in cues.boundary_re.finditer(sentence, pos):
        if m.group(0) == ".":
            prev = LAST_WORD_RE.search(sentence[max(0, m.start() - 6):m.start()])
            if prev and (prev.group(1).lower() in cues.abbreviations or
                         (len(prev.group(1)) == 1 and prev.group(1).isupper())):
                continue
        return m.start()
    return len(sentence.rstrip())


def _entity_at(entities: list[Mention], start: int, end: int) -> Mention | None:
    for e in entities:
        if e[0] >= start and e[1] <= end and e[2] in NAMED_LABELS:
            return e
    return None


def _analyse(sentence: str, start: int, end: int, entities: list[Mention], cues: _Cues) -> dict[str, Any] | None:
    """Describe the source noun phrase sentence[start:end]; None when it is not a source."""
    words = [(m.group(0), m.start(), m.end()) for m in WORD_RE.finditer(sentence, start, end)]
    if not words or words[0][0].lower() in cues.pronouns:
        return None
    head_i = next((i for i, (w, _, _) in enumerate(words)
                   if w.lower() in cues.person or w.lower() in cues.document), None)
    entity = _entity_at(entities, start, end)
    if entity is not None and (head_i is None or entity[0] > words[head_i][1]):
        return _named_source(words, head_i, entity, cues)
    if head_i is None:
        return None
    return _noun_source(sentence, words, head_i, end, cues)


def _named_source(words: list[Word], head_i: int | None, entity: Mention, cues: _Cues) -> dict[str, Any] | None:
    """A named source: the phrase is the name, or the name follows the noun ("spokesman John Kirby"); a
    name before the noun is a modifier ("two US officials") and is handled as a noun source."""
    is_person = entity[2] in ("PERSON", "PER")
    before = [w for w, s, _ in words if s < entity[0]]
    if len(before) > 4 or any(w[0].islower() and w.lower() not in cues.articles for w in before):
        return None
    return {"n_sources": 1 if is_person and head_i is None else None, "named": True,
            "source_type": "person" if is_person and head_i is None else "organization",
            "head": words[head_i][0].lower() if head_i is not None else None,
            "affiliation": None, "source_name": entity[3]}


def _noun_source(sentence: str, words: list[Word], head_i: int, end: int, cues: _Cues) -> dict[str, Any]:
    """A source named by its noun: "seven officials", "a statement from the Israeli government"."""
    head = words[head_i][0].lower()
    is_document = head in cues.document
    modifiers = words[:head_i]
    affiliation = _affiliation(sentence, words[head_i][2], end, modifiers, is_document, cues)
    return {"n_sources": None if is_document else _stated_number(modifiers, head, cues),
            "named": bool(is_document and affiliation),
            "source_type": "document" if is_document else "person", "head": head,
            "affiliation": affiliation, "source_name": None}


def _stated_number(modifiers: list[Word], head: str, cues: _Cues) -> int | None:
    """"seven officials" -> 7, "an official" -> 1; "officials", "several officials" -> None."""
    if not modifiers:
        return None
    first = modifiers[0][0].lower()
    if first in ("a", "an") and not head.endswith("s"):
        return 1
    if first[0].isdigit() or first in cues.number_words:
        stated = number_parser().parse(" ".join(w for w, _, _ in modifiers
                                                if w[0].isdigit() or w.lower() in cues.number_words))
        # "0 officials" counts no source (a table, a typo): unknown, not zero sources.
        return stated if stated is not None and stated >= 1 else None
    return None


def _affiliation(sentence: str, head_end: int, end: int, modifiers: list[Word], is_document: bool,
                 cues: _Cues) -> str | None:
    """The capitalised modifiers of the head ("Israeli", "US"), else its "from X" origin."""
    capitalised = [(w, s, e) for w, s, e in modifiers
                   if w[0].isupper() and w.lower() not in cues.rank and w.lower() not in cues.number_words
                   and w.lower() not in cues.articles]
    if capitalised and not is_document:
        return sentence[capitalised[0][1]:capitalised[-1][2]]
    origin = re.search(r"\b(?:from|by|of)\s+(?:the\s+)?", sentence[head_end:end])
    if origin:
        return sentence[head_end + origin.end():end].strip() or None
    return None


def _source_phrase_end(words: list[Word], cues: _Cues, p: AttributionsParams) -> int | None:
    """Index of the source head in a subject's words when what follows it is a post-modifier or nothing."""
    for i in range(len(words) - 1, -1, -1):
        w = words[i][0].lower()
        if w in cues.person or w in cues.document:
            rest = [x[0].lower() for x in words[i + 1:] if x[0].lower() not in cues.skip]
            if not rest or (rest[0] in cues.postmod and len(rest) <= p.max_postmodifier_words):
                return i
            return None
    return None


def _np_start(words: list[Word], head_i: int, cues: _Cues) -> int:
    """Extend left from the head over determiners, numbers, ranks and capitalised modifiers."""
    i = head_i
    while i > 0:
        w = words[i - 1][0]
        low = w.lower()
        if low in cues.articles or low in cues.number_words or w[0].isdigit() or low in cues.rank \
                or w[0].isupper() or low in cues.vague:
            i -= 1
            if low in cues.articles:
                break
        else:
            break
    return i


def _subject_segment(sentence: str, verb_start: int, cues: _Cues) -> tuple[int, int] | None:
    """The comma-separated segment before a reporting verb that holds its subject: the last one, or, when
    the verb follows a comma (", said"), the first one before the appositives ("Kamel Abu Jamea, 73, a
    Khan Younis resident, said")."""
    prefix_start = max(0, sentence.rfind("“", 0, verb_start) + 1, sentence.rfind("”", 0, verb_start) + 1,
                       sentence.rfind(";", 0, verb_start) + 1)
    segments: list[tuple[int, int]] = []
    seg_start = prefix_start
    for m in re.finditer(r",", sentence[prefix_start:verb_start]):
        segments.append((seg_start, prefix_start + m.start()))
        seg_start = prefix_start + m.end()
    segments.append((seg_start, verb_start))
    k = len(segments) - 1
    if not sentence[segments[k][0]:segments[k][1]].strip():
        k -= 1
        while k > 0:
            text = sentence[segments[k][0]:segments[k][1]].strip()
            first = text.split(" ", 1)[0].lower() if text else ""
            if first in cues.articles or first[:1].isdigit() or first in cues.number_words:
                k -= 1
            else:
                break
        if k < 0:
            return None
    return segments[k]


def _subject_span(sentence: str, verb_start: int, entities: list[Mention],
                  cues: _Cues, p: AttributionsParams) -> tuple[int, int] | None:
    """The source noun phrase before a reporting verb, or None."""
    segment = _subject_segment(sentence, verb_start, cues)
    if segment is None:
        return None
    seg_start, seg_end = segment
    words = [(m.group(0), m.start(), m.end()) for m in WORD_RE.finditer(sentence, seg_start, seg_end)]
    while words and words[-1][0].lower() in cues.skip:
        words.pop()
    if not words:
        return None
    words = words[-p.max_subject_words:]
    # named subject: an entity ending the segment ("the United Nations", "Mr. Dekel-Chen")
    for e in reversed(entities):
        if e[2] in NAMED_LABELS and seg_start <= e[0] and e[1] <= words[-1][2] and \
                not sentence[e[1]:words[-1][2]].strip():
            return _extend_left_titles(sentence, seg_start, e[0]), words[-1][2]
    head_i = _source_phrase_end(words, cues, p)
    if head_i is None:
        return None
    return words[_np_start(words, head_i, cues)][1], words[-1][2]


def _extend_left_titles(sentence: str, seg_start: int, pos: int) -> int:
    """Include "the" or "Mr." right before an entity in the phrase."""
    m = re.search(r"(?:\b(?:the|The)\s+|\b[A-Z][a-z]{1,3}\.\s+)$", sentence[seg_start:pos])
    return seg_start + m.start() if m else pos


_WORD_CHAR_RE = re.compile(r"[\w’'-]")         # the characters of a WORD_RE word
_ASCII_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


def _is_word_at(text: str, start: int, end: int) -> bool:
    """True when WORD_RE.finditer(text) yields the word text[start:end]. WORD_RE's words are, for each
    maximal run of word characters, the run from its first ASCII letter or digit to its end."""
    if text[start] not in _ASCII_ALNUM or (end < len(text) and _WORD_CHAR_RE.match(text, end)):
        return False
    i = start
    while i > 0 and _WORD_CHAR_RE.match(text, i - 1):
        i -= 1
        if text[i] in _ASCII_ALNUM:
            return False                    # the run's word starts earlier
    return True


def _verb_forms_in(lowered: str, cues: _Cues) -> frozenset[str]:
    """The reporting verb forms among the words of a lower-cased sentence: one findall, one set operation."""
    return cues.verb_forms.intersection(WORD_RE.findall(lowered))


def _verb_words(lowered: str, forms: frozenset[str]) -> list[tuple[int, int, str]]:
    """(start, end, form) of the WORD_RE words of a lower-cased sentence that are one of `forms` (those
    present, from _verb_forms_in), in text order: found with str.find, no Python loop over every word."""
    found = []
    for form in forms:
        at = lowered.find(form)
        while at >= 0:
            if _is_word_at(lowered, at, at + len(form)):
                found.append((at, at + len(form), form))
            at = lowered.find(form, at + 1)
    found.sort()
    return found


def _has_no_cue(lowered: str, forms: frozenset[str], cues: _Cues) -> bool:
    """True when a lower-cased sentence has no reporting verb, no "according to" and no statement cue:
    then it has no attribution (most sentences)."""
    return not forms and "according" not in lowered and cues.statement_lower_re.search(lowered) is None


Phrase = tuple[int, int, str, str | None]    # start, end, cue, verb


def _according_phrases(sentence: str, scan: str, according_re: re.Pattern[str], cues: _Cues,
                       p: AttributionsParams) -> Iterator[Phrase]:
    """"according to X" up to the clause end; coordinated sources split ("four officials and an official
    from ..." -> two phrases)."""
    for m in according_re.finditer(scan):
        end = _clause_end(sentence, m.end(), cues)
        parts = [(m.end(), end)]
        if p.split_coordinated:
            parts = []
            part_start = m.end()
            for c in cues.coordination_re.finditer(sentence, m.end(), end):
                parts.append((part_start, c.start()))
                part_start = c.end()
            parts.append((part_start, end))
        for s, e in parts:
            yield s, e, "according_to", "according to"


def _verb_phrases(sentence: str, verb_words: list[tuple[int, int, str]], entities: list[Mention], cues: _Cues,
                  p: AttributionsParams) -> Iterator[Phrase]:
    """The subject of each reporting verb, or the inverted source after it (", said two officials")."""
    for verb_start, verb_end, low in verb_words:
        if cues.verbs[low] not in cues.speech_verbs and not cues.complement_re.match(sentence, verb_end):
            continue                        # "emphasized the necessity", "maintained a firm stance"
        span = _subject_span(sentence, verb_start, entities, cues, p)
        if span is not None:
            yield span[0], span[1], "verb", low
            continue
        # inverted: ", said two officials" / "” said a spokesman for the ministry"
        if sentence[:verb_start].rstrip().endswith((",", "“", "”", '"')):     # [,“”"]\s*$
            end = _clause_end(sentence, verb_end, cues)
            after = sentence[verb_end:end]
            if end > verb_end and len(after.split()) <= 8:
                yield verb_end + (len(after) - len(after.lstrip())), end, "verb", low


def _source_row(sentence: str, phrase: Phrase, entities: list[Mention], taken: list[tuple[int, int]],
                cues: _Cues) -> dict[str, Any] | None:
    """The row of a candidate phrase that is a source and overlaps no source found before it."""
    start, end, cue, verb = phrase
    while end > start and sentence[end - 1] in " ’'":
        end -= 1
    if any(start < e and s < end for s, e in taken):
        return None
    info = _analyse(sentence, start, end, entities, cues)
    if info is None:
        return None
    taken.append((start, end))
    return {"start": start, "end": end, "cue": cue, "verb": verb, **info}


def _attributions_in_sentence(sentence: str, entities: list[Mention], p: AttributionsParams,
                              lowered: str | None = None, forms: frozenset[str] | None = None
                              ) -> Iterator[dict[str, Any]]:
    """Attributions of one sentence: "according to" phrases, subjects of reporting verbs, then statement
    sources. `lowered` (its lower case, None when CASE_UNSAFE_RE matches it) and `forms` (_verb_forms_in)
    are computed here unless the caller has them already."""
    cues = _cues()
    if lowered is None and not CASE_UNSAFE_RE.search(sentence):
        lowered = sentence.lower()
    if lowered is not None and forms is None:
        forms = _verb_forms_in(lowered, cues)
    if lowered is not None and forms is not None:
        scan, verb_words = lowered, _verb_words(lowered, forms)
        according_re, statement_re = cues.according_lower_re, cues.statement_lower_re
    else:
        scan, according_re, statement_re = sentence, cues.according_re, cues.statement_re
        verb_words = [(m.start(), m.end(), m.group(0).lower()) for m in WORD_RE.finditer(sentence)
                      if m.group(0).lower() in cues.verbs]
    statements = ((m.start(), _clause_end(sentence, m.end(), cues), "document", None)
                  for m in statement_re.finditer(scan))
    taken: list[tuple[int, int]] = []
    for phrase in itertools.chain(_according_phrases(sentence, scan, according_re, cues, p),
                                  _verb_phrases(sentence, verb_words, entities, cues, p), statements):
        row = _source_row(sentence, phrase, entities, taken, cues)
        if row is not None:
            yield row


def _mentions_by_doc(entities: pl.DataFrame) -> dict[str, list[Mention]]:
    """doc_id -> its mentions (start, end, label, canonical) in (start, end) order."""
    by_doc: dict[str, list[Mention]] = {}
    ents = entities.select("doc_id", "start", "end", "label", pl.coalesce("canonical", "text")).sort(
        ["doc_id", "start", "end"])
    for doc_id, start, end, label, canonical in zip(*(ents[c].to_list() for c in ents.columns)):
        by_doc.setdefault(doc_id, []).append((start, end, label, canonical))
    return by_doc


def _sentence_mentions(doc_entities: list[Mention], sent_start: int, sent_end: int) -> list[Mention]:
    """The mentions inside a sentence, offsets into it. Mentions are sorted by start and have start < end
    (schemas.tag.Entities): only those starting inside the sentence can lie inside it."""
    first = bisect.bisect_left(doc_entities, (sent_start,))
    last = bisect.bisect_right(doc_entities, (sent_end, float("inf")))
    return [(s - sent_start, e - sent_start, label, canonical)
            for s, e, label, canonical in doc_entities[first:last] if e <= sent_end]


def extract_attributions(docs: pl.DataFrame, sentences: pl.DataFrame, entities: pl.DataFrame,
                         params: AttributionsParams) -> pl.DataFrame:
    """One row per sourcing phrase (schemas.tag.Attributions)."""
    by_doc = _mentions_by_doc(entities)
    rows: list[dict[str, Any]] = []
    cues = _cues()
    for doc_id, sent_id, sent_start, sentence in iter_sentences(docs, sentences):
        lowered = forms = None
        if not CASE_UNSAFE_RE.search(sentence):     # else lower() is no proxy for IGNORECASE: no prefilter
            lowered = sentence.lower()
            forms = _verb_forms_in(lowered, cues)
            if _has_no_cue(lowered, forms, cues):
                continue
        local = _sentence_mentions(by_doc.get(doc_id, []), sent_start, sent_start + len(sentence))
        for row in _attributions_in_sentence(sentence, local, params, lowered, forms):
            rows.append({"doc_id": doc_id, "sent_id": sent_id, **row, "start": sent_start + row["start"],
                         "end": sent_start + row["end"], "text": sentence[row["start"]:row["end"]]})
    return rows_frame(rows, Attributions, ["doc_id", "start", "end"])
