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
   Reporting verbs are the forms of data/reporting_verbs.txt and the two-word ones of
   data/phrasal_reporting_verbs.txt ("shot back", "went on", "as a memo put it"); a form of an irregular
   verb (data/verb_forms.txt: "went", "sought") ends a speaker's words ("Pence went on to say"). A relative
   clause's speaker mention is its pronoun ("Beck, who said"), resolved to the name before its comma.
   The speaker words are resolved to a canonical name with the NER entities: a PERSON mention in
   them gives its canonical; "he"/"she" gives the person the text was last about (the first PERSON
   mention, outside quotes, of the nearest preceding sentence that has one; a "Mr." candidate is skipped
   for "she" and the reverse); an ORG/GPE/NORP mention gives its canonical; a capitalised name NER
   missed is matched to the document's PERSON canonicals by surname, else kept as written; a definite role
   description ("the Florida senator") is the most recently mentioned person the text titled with that
   role before it ("Sen. Marco Rubio", "Mike Pence, the Indiana governor,": data/quote_cues.yaml
   `role_titles`), agreeing in modifiers and gender; any other noun phrase ("a senior Hamas official")
   is kept as written; both have speaker_kind "nominal" (speaker_text keeps the words). "I" outside
   quotation marks is the writer: the document's authors, else "the author" (data/quote_cues.yaml
   `author_pronouns`). A source the attribution is reported from is the speaker, as PolNeAR marks it:
   "“...,” Sanders said, according to CNN.", ", reports USA Today.", ", the Times reported.", "According
   to Yahoo News, X said ... “...”" (the source the text gives for the quote).
   A bracket after a name ("Cruz (R-Texas) said", "Ryan (R-Wis.), the House speaker, said") is skipped.
3. Kinds. A quote that opens its sentence, or is attributed right next to its marks, is "direct"; one
   embedded in a sentence ("said the talks were “going nowhere fast”") is "partial" when it has at
   least `min_partial_words` words; shorter embedded ones are "scare" quotes (a “humanitarian zone”,
   “crisis.”) and title-cased unattributed ones are "title", as is a title-cased quote right after a
   possessive or a preposition, its sentence period included ("on MSNBC’s “Morning Joe.”": a show's
   name). Only direct and partial quotes get a speaker.
4. Split and continued quotes. `“A,” he said. “B.”`: B has no attribution of its own and follows an
   attributed direct quote in the same paragraph, so it gets the same speaker and the same
   `quote_group` (one row per part: start/end stay exact slices). A quote left open at a paragraph
   end and the quote opening the next paragraph are one group too. A paragraph that opens with an
   unattributed quote right after a paragraph whose last quote had a speaker inherits that speaker
   (attribution "previous_paragraph", its own group).
5. Embedded quotes without a reporting verb around them take the speaker of their clause (attribution
   "clause"): the attribution after the sentence's last comma ("..., Warren said."), else the first
   PERSON/organisation mention or pronoun subject of the clause before the quote that is followed by a
   verb-like word ("Clinton called half of Trump's supporters “deplorables.”"), past a place, a phrase
   between commas or brackets or a time ("Mike Huckabee, for his part, is labeling"). Short quotes so
   attributed are partial quotes; scare quotes are only the unattributed ones; a title-cased quote after
   a verb that neither reports nor names ("starred in “The Art of War”") stays a title.
6. Indirect speech (`indirect_speech`): each sentence outside direct quotes gives at most one row of kind
   "indirect": "CONTENT, X said (on Friday).", "According to X, CONTENT.", "X said (that) CONTENT"
   (verbs other than data/quote_cues.yaml's `indirect_verbs` need the "that"); start/end is the content,
   the speaker is found and resolved as a quote's (pronouns included).
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass
from typing import Any, Iterator

import polars as pl
from typing_extensions import TypedDict

from schemas.params import Quotes as QuotesParams
from schemas.tag import Quotes
from stages.tag import data_file_spec
from stages.tag.canonical import first_name_genders, read_honorifics, read_titles
from stages.tag.lexicon import data_words, data_yaml, lower_set, rows_frame

QUOTE_MARK_RE = re.compile(r"[“”\"]")
TOKEN_RE = re.compile(r"[A-Za-z0-9][\w’'.-]*[\w]|[A-Za-z0-9]|[,;:.!?()—–]")
WORD_COUNT_RE = re.compile(r"\w+(?:[’'-]\w+)*")
# a word and its dot ending a text ("... Mr. "); linear time: an attempt starts only where a letter run starts
# (the lookbehind) and takes the run and the trailing whitespace whole (possessive, nothing to give back)
WORD_DOT_AT_END_RE = re.compile(r"(?<![A-Za-z])([A-Za-z]++)\.\s*+$")
INITIALS_RE = re.compile(r"[A-Z](?:\.[A-Z])*")         # "J", "G.K" (before the dot that ends them)
# "JAKE TAPPER: ..." at a paragraph start: one to three words in capitals, a colon, text (linear: each
# word is a possessive run of capitals, words separated by one space)
# A speaker token is at most 30 characters: unbounded, a search over a long capitalised run would be quadratic.
# Between two items of a list of quotes: nothing, a comma, "and"/"or" ("“Black Water,” “China Grove” and ...").
LIST_GAP_RE = re.compile(r"[\s,]*+(?:(?:and|or)\s++)?")
TRANSCRIPT_TURN_RE = re.compile(r"([A-Z][A-Z.'’-]{0,29}+(?: [A-Z][A-Z.'’-]{0,29}+){0,2}):[ \t]++(?=\S)")
PERSON_LABELS = ("PERSON", "PER")
ORG_LABELS = ("ORG", "GPE", "NORP")
# mentions that may be the subject of the clause around an embedded quote (NORP is mostly an adjective there:
# "radical Islamic terror", "Republican constituents")
CLAUSE_SUBJECT_LABELS = ("PERSON", "PER", "ORG", "GPE")

Entity = tuple[int, int, str, str, str]     # start, end, label, canonical, text
# The speaker of "I said" outside quotation marks when the document names no author: its writer.
AUTHOR = "the author"
AUXILIARIES = frozenset({"has", "had", "have", "is", "was", "are", "were", "will", "would", "can", "could", "should",
                         "may", "might", "must", "does", "did"})


@data_file_spec
class QuoteCuesFile(TypedDict):
    """data/quote_cues.yaml."""
    pronouns: dict[str, str]
    skip_words: list[str]
    not_speakers: list[str]
    unresolved_pronouns: list[str]
    author_pronouns: list[str]
    name_abbreviations: list[str]
    name_particles: list[str]
    determiners: list[str]
    speaker_end_words: list[str]
    title_small_words: list[str]
    clause_pronouns: list[str]
    speaker_stop_words: list[str]
    naming_verbs: list[str]
    indirect_verbs: list[str]
    source_nouns: list[str]
    that_verbs: list[str]
    complementizers: list[str]
    stance_verbs: list[str]
    noun_like_forms: list[str]
    noun_determiners: list[str]
    source_document_nouns: list[str]
    coordinators: list[str]
    copulas: list[str]
    intro_adverbs: list[str]
    relatives: list[str]
    standalone_determiners: list[str]
    subordinators: list[str]
    embedding_words: list[str]
    noun_prepositions: list[str]
    title_prepositions: list[str]
    be_forms: list[str]
    time_prepositions: list[str]
    time_words: list[str]
    role_titles: dict[str, list[str]]


@functools.lru_cache(maxsize=None)
def reporting_verbs() -> dict[str, str]:
    """Surface form (lower case) -> lemma, from data/reporting_verbs.txt (a lemma, then its forms, a line)."""
    forms: dict[str, str] = {}
    for line in data_words("reporting_verbs.txt"):
        words = line.split()
        for w in words:
            forms.setdefault(w.lower(), words[0].lower())
    return forms


def _lemma_lines(name: str) -> dict[str, str]:
    """Surface form (lower case, "_" read as a space) -> lemma, from a data file of a lemma then its forms a line."""
    forms: dict[str, str] = {}
    for line in data_words(name):
        words = [w.replace("_", " ") for w in line.lower().split()]
        for w in words:
            forms.setdefault(w, words[0])
    return forms


@functools.lru_cache(maxsize=None)
def quote_verbs() -> dict[str, str]:
    """The reporting verbs of quotes: data/reporting_verbs.txt and the two-word ones of
    data/phrasal_reporting_verbs.txt ("went on", "shot back"), form -> lemma."""
    return {**_lemma_lines("phrasal_reporting_verbs.txt"), **reporting_verbs()}


class _Cues:
    def __init__(self) -> None:
        cues = data_yaml("quote_cues.yaml", QuoteCuesFile)
        self.first_names = first_name_genders()
        self.verbs = quote_verbs()
        # "went" -> {"on"}: the first words of the two-word reporting verbs, and the words that complete them
        self.phrasal: dict[str, set[str]] = {}
        for form in self.verbs:
            if " " in form:
                first, second = form.split(" ", 1)
                self.phrasal.setdefault(first, set()).add(second)
        self.irregular = frozenset(w for line in data_words("verb_forms.txt") for w in line.split())
        self.pronouns: dict[str, str] = {k.lower(): v for k, v in cues["pronouns"].items()}
        self.honorifics: dict[str, str] = read_honorifics()
        self.skip = lower_set(cues["skip_words"])
        self.not_speakers = lower_set(cues["not_speakers"])
        self.unresolved = lower_set(cues["unresolved_pronouns"])
        self.author_pronouns = lower_set(cues["author_pronouns"])
        self.abbreviations = lower_set(cues["name_abbreviations"])
        self.particles = lower_set(cues["name_particles"])
        self.determiners = lower_set(cues["determiners"])
        self.speaker_end = lower_set(cues["speaker_end_words"])
        self.title_small = lower_set(cues["title_small_words"])
        self.clause_pronouns = lower_set(cues["clause_pronouns"])
        self.speaker_stop = lower_set(cues["speaker_stop_words"])
        self.naming = lower_set(cues["naming_verbs"])
        self.indirect_verbs = lower_set(cues["indirect_verbs"])
        self.source_nouns = lower_set(cues["source_nouns"])
        self.that_verbs = lower_set(cues["that_verbs"])
        self.complementizers = lower_set(cues["complementizers"])
        self.stance_verbs = lower_set(cues["stance_verbs"])
        self.noun_like = lower_set(cues["noun_like_forms"])
        self.noun_determiners = lower_set(cues["noun_determiners"])
        self.document_nouns = lower_set(cues["source_document_nouns"])
        self.coordinators = lower_set(cues["coordinators"])
        self.copulas = lower_set(cues["copulas"])
        self.intro_adverbs = lower_set(cues["intro_adverbs"])
        self.relatives = lower_set(cues["relatives"])
        self.standalone = lower_set(cues["standalone_determiners"])
        self.subordinators = lower_set(cues["subordinators"])
        self.embedding = lower_set(cues["embedding_words"])
        self.noun_prepositions = lower_set(cues["noun_prepositions"])
        self.title_prepositions = lower_set(cues["title_prepositions"])
        self.be_forms = lower_set(cues["be_forms"])
        self.time_prepositions = lower_set(cues["time_prepositions"])
        self.time_words = lower_set(cues["time_words"])
        self.role_heads = {head.lower(): lower_set(forms) for head, forms in cues["role_titles"].items()}
        self.role_forms = frozenset(form for forms in self.role_heads.values() for form in forms)


@functools.lru_cache(maxsize=None)
def _cues() -> _Cues:
    return _Cues()


@dataclass(init=False, slots=True)
class _Token:
    text: str
    start: int
    end: int
    low: str          # lower case without a trailing dot: the form the cue lists hold
    is_word: bool     # not punctuation

    # Computed once here: the resolvers read `low` some 700 times per document on average.
    def __init__(self, text: str, start: int, end: int) -> None:
        self.text, self.start, self.end = text, start, end
        self.low = text.lower().rstrip(".")
        self.is_word = text[0].isalnum()


@dataclass
class _Quote:
    open_mark: int                     # offset of the opening mark
    close_mark: int | None             # offset of the closing mark; None when open at paragraph end
    start: int                         # quoted words
    end: int
    paragraph: int
    sentence: int                      # index into the doc's sentence list
    n_words: int = 0
    kind: str = "direct"
    verb: str | None = None
    speaker: str | None = None
    speaker_kind: str | None = None
    speaker_span: tuple[int, int] | None = None
    attribution: str | None = None
    attributed: bool = False           # has an attribution of its own (not inherited)
    group: int = 0


@dataclass
class _TitledMention:
    """A PERSON mention with the role words the text gives it ("Florida Sen. Marco Rubio"; "Mike Pence, the
    Indiana governor,"): the role forms among them, and all of them lower-cased (the modifiers)."""
    start: int
    canonical: str
    text: str
    forms: frozenset[str]
    words: frozenset[str]


@dataclass
class _Doc:
    text: str
    sent_starts: list[int]
    sent_ends: list[int]
    sent_ids: list[str]
    entities: list[Entity]             # sorted
    entity_starts: list[int]

    author: str = AUTHOR                                    # who "I" is outside quotes: the byline, or AUTHOR
    surname_genders: dict[str, str | None] | None = None    # filled by _surname_genders on first use
    surnames: set[str] | None = None                        # filled by _person_surnames on first use
    titled: list[_TitledMention] | None = None              # filled by _titled_mentions on first use

    def sentence_at(self, pos: int) -> int:
        i = bisect.bisect_right(self.sent_starts, pos) - 1
        return max(i, 0)

    def entities_in(self, start: int, end: int) -> list[Entity]:
        """Entities overlapping [start, end) (mentions are short: none starts 200 characters before)."""
        out = []
        for e in self.entities[bisect.bisect_left(self.entity_starts, start - 200):]:
            if e[0] >= end:
                break
            if e[1] > start:
                out.append(e)
        return out


Attribution = tuple[list[_Token], _Token]    # speaker words, reporting verb


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
            elif mark == "“" and text[m.start() - 1] in ",.?!" and text[m.end():m.end() + 1] in (" ", ""):
                spans.append((open_at, m.start(), line_end))     # a typo for a closing mark: “...,“ he said
                open_at = None
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
    """Join the dot after an honorific or initials ("Mr.", "J.", "G.K.") to its word, so it does not end a
    speaker and the speaker's span keeps it; and the two words of a two-word reporting verb ("went on",
    "shot back": `_join_phrasal_verbs`)."""
    return _join_phrasal_verbs(_join_dots(tokens, cues), cues)


def _join_phrasal_verbs(tokens: list[_Token], cues: _Cues) -> list[_Token]:
    """"Trump went on", "Sanders shot back", "as a memo put it": one verb token of the two lower-case words
    of data/phrasal_reporting_verbs.txt, written with one space."""
    out: list[_Token] = []
    for t in tokens:
        prev = out[-1] if out else None
        if prev is not None and t.low in cues.phrasal.get(prev.low, ()) and prev.text.islower() \
                and t.text.islower() and t.start == prev.end + 1:
            out[-1] = _Token(f"{prev.text} {t.text}", prev.start, t.end)
            continue
        out.append(t)
    return out


def _join_dots(tokens: list[_Token], cues: _Cues) -> list[_Token]:
    out: list[_Token] = []
    for k, t in enumerate(tokens):
        if t.text == "." and out and out[-1].is_word and out[-1].end == t.start and (
                out[-1].low in cues.abbreviations or INITIALS_RE.fullmatch(out[-1].text)
                or _is_state_abbreviation(out[-1], tokens[k + 1] if k + 1 < len(tokens) else None)):
            out[-1] = _Token(out[-1].text + ".", out[-1].start, t.end)
            continue
        out.append(t)
    return out


def _is_state_abbreviation(word: _Token, after: _Token | None) -> bool:
    """A short capitalised word whose dot a comma follows is an abbreviation in an appositive, not a sentence
    end ("Mitch McConnell, R-Ky., said", "a truck driver from Ava, Mo., said")."""
    return after is not None and after.text == "," and word.text[0].isupper() and len(word.text.split("-")[-1]) <= 5


# ------------------------------------------------------------------------------------ speaker words

def _without_skip_words(words: list[_Token], cues: _Cues) -> list[_Token]:
    """"he later said", "Mr. X also told": skip words around a speaker are not part of it."""
    while words and words[-1].is_word and words[-1].low in cues.skip:
        words = words[:-1]
    while words and words[0].is_word and words[0].low in cues.skip:
        words = words[1:]
    return words


def _without_lower_case_role(words: list[_Token], cues: _Cues) -> list[_Token]:
    """A lower-case role before a name: "spokesman David Annesley", "analyst Joseph Phillippi", "9/11 widow
    Terry Strada"."""
    lead = 0
    while lead < len(words) - 1 and not words[lead].text[0].isupper() and words[lead].low not in cues.determiners \
            and words[lead].low not in cues.pronouns and words[lead].low not in cues.unresolved:
        lead += 1
    if 0 < lead < len(words) and words[lead].text[0].isupper():
        return words[lead:]
    return words


def _speaker_words(words: list[_Token], cues: _Cues, max_words: int) -> list[_Token] | None:
    """Validate a run of tokens as a speaker; None when it cannot be one."""
    words = _without_skip_words(words, cues)
    if not words or len(words) > max_words or not all(w.is_word for w in words):
        return None
    words = _without_lower_case_role(words, cues)
    first = words[0]
    if first.low in cues.not_speakers:
        return None
    share = first.text[0].isdigit() and len(words) > 1 and words[1].low == "percent"     # "21 percent said"
    if not (first.text[0].isupper() or first.low in cues.pronouns or first.low in cues.unresolved
            or first.low in cues.determiners or first.low in cues.source_nouns or share):
        return None
    # a capitalised verb form followed by a capitalised word is part of a name ("Secretary of State Madeleine
    # Albright"), not a verb
    if any(w.low in cues.verbs and not (w.text[0].isupper() and k + 1 < len(words) and words[k + 1].text[0].isupper())
           for k, w in enumerate(words)):
        return None
    return _cut_at_stop_word(_cut_at_verb_after_name(words, cues), cues)


def _cut_at_verb_after_name(words: list[_Token], cues: _Cues) -> list[_Token]:
    """A name ends before a lower-case verb form that follows it ("Clinton celebrated in Florida",
    "Blackwell pointed to"): a past form in -ed, or a stance or naming verb; not a noun it qualifies
    ("Clinton aides", "Sanders supporters"). Any speaker ends before a form of an irregular verb
    (data/verb_forms.txt: "Pence went on", "The Florida senator sought to")."""
    for k in range(1, len(words)):
        w = words[k]
        name = words[k - 1]
        if not w.text.islower() or name.low in cues.determiners or name.low in cues.unresolved:
            continue
        if w.low in cues.irregular or name.text[0].isupper() and (
                (w.low.endswith("ed") and len(w.low) > 4) or w.low in cues.stance_verbs or w.low in cues.naming):
            return words[:k]
    return words


def _cut_at_stop_word(words: list[_Token], cues: _Cues) -> list[_Token] | None:
    """A speaker ends before an auxiliary, a conjunction or a relative ("NBC News and said", "a majority of
    Americans have come to"); an adverb in -ly ends it too ("she really"). None when nothing is left but
    a determiner."""
    for k, w in enumerate(words[1:], 1):
        if w.low in cues.speaker_stop or (w.text.islower() and w.low.endswith("ly") and len(w.low) > 4):
            words = words[:k]
            break
    if (words[-1].low in cues.determiners and not (len(words) == 1 and words[0].low in cues.standalone)) \
            or words[-1].low in cues.speaker_end:
        return None
    return words


def _speaker_after_verb(tokens: list[_Token], i: int, cues: _Cues, max_words: int) -> list[_Token] | None:
    """Speaker written after a verb: tokens from i up to punctuation or a lower-case preposition."""
    words: list[_Token] = []
    for t in tokens[i:i + max_words + 1]:
        if not t.is_word or t.low in cues.speaker_end:
            break
        words.append(t)
    return _speaker_words(words, cues, max_words)


# ------------------------------------------------------------------- attribution after the quote

def _according_to(tokens: list[_Token], k: int, cues: _Cues, max_words: int) -> list[_Token] | None:
    """The speaker of "according to X" whose "according" is tokens[k]."""
    return _speaker_after_verb(tokens, k + 2, cues, max_words)


def _according_token(tokens: list[_Token], k: int) -> _Token:
    return _Token("according to", tokens[k].start, tokens[k + 1].end)


def _verb_first(tokens: list[_Token], cues: _Cues, max_words: int) -> Attribution | None:
    """", said Mousa Abu Marzouk" / ", added the official": a verb, optionally behind a skip word."""
    for i in range(min(2, len(tokens))):
        if tokens[i].low in cues.verbs and tokens[i].text.islower():
            if tokens[i].low.endswith("ing"):
                return None                  # ", adding the goals ..." is not "said X"
            speaker = _speaker_after_verb(tokens, i + 1, cues, max_words)
            return (speaker, tokens[i]) if speaker else None
        if tokens[i].low not in cues.skip:
            return None
    return None


def _speaker_first(tokens: list[_Token], cues: _Cues, max_words: int) -> Attribution | None:
    """", Mr. Dekel-Chen said" / ", he said" / ", Kamel Abu Jamea, 73, a resident, said" / ", Sen. Ted Cruz
    (R-Texas) said" (a bracket after a name is skipped)."""
    tokens = _without_bracket_after_name(tokens)
    for v, t in enumerate(tokens[:max_words + 20]):    # room for "X, managing director of ..., said"
        if t.low in cues.verbs and t.text.islower() and v > 0 and not (
                v + 1 < len(tokens) and tokens[v + 1].low in cues.verbs):   # "the report said": a noun
            speaker = _subject_before(tokens[:v], v, cues, max_words)
            subject = _without_skip_words(tokens[:v], cues)
            if speaker is None and len(subject) == 1 and subject[0].low == "it":
                speaker = subject              # “...,” it further wrote: a document (see _resolve_it)
            return (speaker, t) if speaker else None
        if not t.is_word and t.text != ",":
            return None
    return None


def _without_bracket_after_name(tokens: list[_Token]) -> list[_Token]:
    """The tokens without the first bracketed group of at most six tokens that follows a capitalised word
    ("Cruz (R-Texas) said", "Pelosi (D-Calif.) told"); unchanged when there is none."""
    opening = next((k for k, t in enumerate(tokens[:12]) if t.text == "("), None)
    if not opening or not tokens[opening - 1].text[0].isupper():
        return tokens
    closing = next((k for k in range(opening + 1, min(len(tokens), opening + 8)) if tokens[k].text == ")"), None)
    return tokens[:opening] + tokens[closing + 1:] if closing is not None else tokens


def _subject_before(before: list[_Token], v: int, cues: _Cues, max_words: int) -> list[_Token] | None:
    """The speaker among the tokens before a verb: up to the first comma (appositives follow it)."""
    if v > max_words + 6 and "," not in (b.text for b in before[:max_words + 1]):
        return None
    before = _without_bracket_after_name(before)     # "Ryan (R-Wis.), the House speaker, said"
    if "," in (b.text for b in before):
        cut = next(k for k, b in enumerate(before) if b.text == ",")
        if any(b.text in ";:" for b in before):    # an appositive may hold dots and brackets ("Ava, Mo.,")
            return None
        second = next((k for k in range(cut + 2, len(before)) if before[k].text == ","), None)
        intro = before[:cut]
        timed = bool(intro) and (intro[0].low in cues.not_speakers or intro[-1].low in cues.intro_adverbs)
        if second is not None and 0 < cut <= 6 and timed and before[cut + 1].text[0].isupper():
            return _speaker_words(before[cut + 1:second], cues, max_words)   # "Years ago, X, who ..., said"
        before = before[:cut]
    return _speaker_words(before, cues, max_words)


def _after_introduction(before: list[_Token], cues: _Cues, max_words: int) -> list[_Token] | None:
    """Before a quote, in a clause opening with a preposition, conjunction or participle that is no speaker
    ("After winning Ohio in the primary, Gov. John Kasich (R-OH), said"): the words between the last two
    commas before the verb, without a bracketed party and state."""
    commas = [k for k, b in enumerate(before) if b.text == ","]
    if len(commas) < 2 or not before[0].text[0].isupper() or not (
            before[0].low in cues.not_speakers or before[0].low.endswith("ing")):
        return None
    words = before[commas[-2] + 1:commas[-1]]
    if len(words) > 3 and words[-1].text == ")" and "(" in (w.text for w in words):
        words = words[:max(k for k, w in enumerate(words) if w.text == "(")]
    return _speaker_words(words, cues, max_words)


def _attribution_after(doc: _Doc, q: _Quote, limit: int, cues: _Cues, p: QuotesParams) -> Attribution | None:
    """The attribution between the closing mark and `limit`: "according to X", verb first, or speaker first."""
    assert q.close_mark is not None
    tokens = _join_name_dots(_tokens(doc.text, q.close_mark + 1, limit), cues)
    if len(tokens) > 2 and tokens[0].low == "as" and tokens[0].text.islower():
        found = _as_attribution(tokens[1:], cues, p.max_speaker_words)
        if found is not None:
            return found
    if tokens and _continues_sentence(tokens, cues):
        # the quoted words are part of a sentence that goes on ("“...” that Sanders can catch Clinton, said
        # Steve Elmendorf", "“...” in comparison to Obama, Gingrich said"): its attribution, if any, follows
        # one of its commas, never the words right after the mark ("“...” with Florida Sen. Marco Rubio")
        # (not a clause of its own after the comma: "“glow in the dark,” for instance, and Trump vowed to")
        for k, t in enumerate(tokens[:-1]):
            found = _attribution_at(tokens[k + 1:], cues, p) \
                if t.text == "," and tokens[k + 1].low not in cues.not_speakers else None
            if found is not None:
                return found
        return None
    while tokens and tokens[0].text in ",;:—–":
        tokens = tokens[1:]
    return _attribution_at(tokens, cues, p)


def _as_attribution(tokens: list[_Token], cues: _Cues, max_words: int) -> Attribution | None:
    """“...,” as a Homeland Security memo put it / as Trump said on Monday: the speaker and verb after "as",
    the verb ending the clause (or a preposition after it); not "as examples of Trump's comments about"."""
    found = _speaker_first(tokens, cues, max_words)
    if found is None:
        return None
    after = tokens[tokens.index(found[1]) + 1:]
    return found if not after or not after[0].is_word or after[0].low in cues.speaker_end else None


def _attribution_at(tokens: list[_Token], cues: _Cues, p: QuotesParams) -> Attribution | None:
    """"according to X", verb first or speaker first, opening `tokens`."""
    if not tokens:
        return None
    max_words = p.max_speaker_words
    if tokens[0].low == "according" and len(tokens) > 2 and tokens[1].low == "to":
        speaker = _according_to(tokens, 0, cues, max_words)
        return (speaker, _according_token(tokens, 0)) if speaker else None
    return _verb_first(tokens, cues, max_words) or _speaker_first(tokens, cues, max_words)


def _continues_sentence(tokens: list[_Token], cues: _Cues) -> bool:
    """Whether the words right after a closing mark continue the sentence the quote is part of: a lower-case
    preposition, conjunction or complementizer ("for Clinton", "that Sanders can", "until Haley said"), or a
    pronoun with a verb of its own ("they need to win"), rather than a speaker ("he said", "the official
    said", "spokesman Josh Earnest said")."""
    first = tokens[0]
    if not first.is_word or not first.text.islower():
        return False
    after = tokens[1] if len(tokens) > 1 else None
    if (first.low in cues.pronouns or first.low in cues.unresolved) and first.low not in cues.determiners:
        return after is not None and after.is_word and after.low not in cues.verbs and after.low not in cues.skip
    return first.low in cues.speaker_end or first.low in cues.not_speakers or first.low in cues.complementizers


# ------------------------------------------------------------------ attribution before the quote

def _according_to_before(tokens: list[_Token], cues: _Cues, max_words: int
                         ) -> tuple[list[_Token], _Token, bool] | None:
    """"According to X, “...”": only punctuation between the speaker and the quote."""
    for k in range(len(tokens) - 1):
        if tokens[k].low == "according" and tokens[k + 1].low == "to":
            speaker = _according_to(tokens, k, cues, max_words)
            if speaker and all(not t.is_word for t in tokens[k + 2 + len(speaker):]):
                return speaker, _according_token(tokens, k), True
    return None


def _clause_before(tokens: list[_Token], v: int, cues: _Cues) -> list[_Token]:
    """The words right before tokens[v], back to punctuation, another verb or "that"; a bracketed
    party and state right before the verb is skipped ("Sen. Elizabeth Warren (D-MA) said")."""
    clause: list[_Token] = []
    end = v
    if v >= 3 and tokens[v - 1].text == ")":
        opening = next((k for k in range(v - 2, max(-1, v - 6), -1) if tokens[k].text == "("), None)
        end = opening if opening is not None else v
    for b in reversed(tokens[:end]):
        if not b.is_word or b.low in cues.verbs or b.low == "that" or (b.low == "what" and b.text.islower()):
            break                                    # (a clause embedded by "what": "is what Ryan described")
        clause.insert(0, b)
    if len(clause) > 1 and clause[0].low == "as":
        return clause[1:]                            # "As Politico reported, “...”"
    return clause


def _speaker_of_verb(tokens: list[_Token], v: int, cues: _Cues, max_words: int) -> list[_Token] | None:
    """The speaker of the verb tokens[v] before a quote: the clause's subject, an inverted speaker after
    it, or, for ", saying “...”", the sentence's first name or pronoun."""
    clause = _clause_before(tokens, v, cues)
    if len(clause) == 1 and clause[0].low == "to" and v >= 2 and _looks_like_verb(tokens[v - 2], cues):
        # an infinitive after another verb: its subject ("He went on to say", "Trump continued to say")
        return _speaker_of_verb(tokens, v - 2, cues, max_words)
    speaker = _subject_of_clause_shape(tokens, v, clause, cues, max_words)
    if speaker is not None:
        return speaker
    if len(clause) > 3:
        # a longer clause: its trailing noun phrase ("Last month the governor said")
        speaker = _speaker_words(_trailing_phrase(clause, cues), cues, max_words)
    if speaker is None and clause:
        speaker = _speaker_words(clause[-max_words:], cues, max_words)
    if speaker is None and not clause:
        speaker = _inverted_speaker(tokens, v, cues, max_words)
    if speaker is None and tokens[v].low.endswith("ing"):
        speaker = _participle_subject(tokens[:v], cues, max_words)
    if speaker is None and clause:
        speaker = _pronoun_subject(clause, cues)     # "though he said “budget reforms”", "It added, “...”"
    if speaker is None and v > 0 and tokens[v - 1].text == ",":
        # "Brian Fallon, the press secretary, noted"; the words between the last two commas are a subject
        # only before a finite verb: before a participle they are a clause ("As the talks continue, the
        # international community watches closely, hoping that ...")
        speaker = _subject_before(tokens[:v], v, cues, max_words) or (
            None if tokens[v].low.endswith("ing") else _after_introduction(tokens[:v], cues, max_words))
    return speaker


def _participle_subject(tokens: list[_Token], cues: _Cues, max_words: int) -> list[_Token] | None:
    """The subject of ", shouting “...”": the subject of the subordinate clause right before it, when there is
    one ("..., when Sanders protesters interrupted her speech, shouting": "Sanders protesters"), else the
    sentence's first subject."""
    comma = max((k for k in range(len(tokens) - 1) if tokens[k].text == ","), default=None)
    clause = tokens[comma + 1:-1] if comma is not None and tokens[-1].text == "," else []
    if len(clause) > 2 and clause[0].low in cues.subordinators and clause[0].text.islower():
        verb = next((k for k in range(2, len(clause)) if clause[k].text.islower() and (
            clause[k].low in cues.verbs or clause[k].low in cues.irregular or clause[k].low.endswith("ed"))), None)
        subject = _speaker_words(clause[1:verb], cues, max_words) if verb is not None else None
        if subject is not None:
            return subject
    return _first_subject(tokens, cues, max_words)


def _subject_of_clause_shape(tokens: list[_Token], v: int, clause: list[_Token], cues: _Cues,
                             max_words: int) -> list[_Token] | None:
    """The subject a verb's clause gives by its shape: a name before a participle after "of", a name before an
    appositive missing its closing comma, a coordinated, participial, progressive or relative subject."""
    return _named_before_participle(tokens, v, clause, cues, max_words) or \
        _with_subject_of_participle(tokens, v, clause, cues, max_words) or \
        _name_before_open_appositive(tokens, v, clause, cues, max_words) or \
        _coordinated_or_relative_subject(tokens, v, clause, cues, max_words) or _pronoun_before_verb(clause, cues)


def _pronoun_before_verb(clause: list[_Token], cues: _Cues) -> list[_Token] | None:
    """A he/she right before the verb after a lower-case word: the subject of a relative clause without
    "that" ("an investment he concludes has constituted a “...”")."""
    if len(clause) > 1 and clause[-1].low in cues.pronouns and clause[-2].is_word and clause[-2].text.islower():
        return clause[-1:]
    return None


def _named_before_participle(tokens: list[_Token], v: int, clause: list[_Token], cues: _Cues,
                             max_words: int) -> list[_Token] | None:
    """"The ad uses footage of Hillary Clinton asking, “...”", "an account of Clinton telling one agent to
    “...”": a participle right after "of" and a name has that name for its subject, not the sentence's."""
    if not tokens[v].low.endswith("ing") or len(clause) < 2:
        return None
    of = max((k for k, w in enumerate(clause) if w.low == "of" and w.text.islower()), default=None)
    name = clause[of + 1:] if of is not None else []
    if not name or len(name) > 4 or not all(w.is_word and (w.text[0].isupper() or w.low in cues.particles)
                                            for w in name) or not name[0].text[0].isupper():
        return None
    return _speaker_words(name, cues, max_words)


def _with_subject_of_participle(tokens: list[_Token], v: int, clause: list[_Token], cues: _Cues,
                                max_words: int) -> list[_Token] | None:
    """"..., with many marchers and spectators chanting “...”": a participle right after "with" and a noun
    phrase has that phrase for its subject, not the sentence's first one."""
    if not tokens[v].low.endswith("ing") or len(clause) < 2 or clause[0].low != "with" or not clause[0].text.islower():
        return None
    phrase = clause[1:]
    if len(phrase) > 5 or any(w.low in cues.pronouns or w.low in cues.speaker_end for w in phrase):
        return None
    return _speaker_words(phrase, cues, max_words)


def _name_before_open_appositive(tokens: list[_Token], v: int, clause: list[_Token], cues: _Cues,
                                 max_words: int) -> list[_Token] | None:
    """"Anthony Anton, president and CEO of the association stated, “...”", "Sam Lau, the communications
    director for the party said": an appositive whose closing comma is missing; its name (two or more
    capitalised words from the start of the stretch, none of them an introduction word) is the subject."""
    start = v - len(clause)
    if len(clause) < 2 or start < 3 or tokens[start - 1].text != "," or not clause[0].text.islower() \
            or clause[0].low in cues.pronouns or clause[0].low in cues.relatives or clause[0].low in cues.coordinators:
        return None
    first = max((k + 1 for k in range(start - 1) if not tokens[k].is_word), default=0)
    name = tokens[first:start - 1]
    if len(name) < 2 or len(name) > 4 or not all(w.is_word and w.text[0].isupper() for w in name) or any(
            w.low in cues.not_speakers or w.low in cues.intro_adverbs for w in name):
        return None
    return _speaker_words(name, cues, max_words)


def _pronoun_subject(clause: list[_Token], cues: _Cues) -> list[_Token] | None:
    """A he/she ending the clause before a verb, or "it" alone: a document or an organisation quoted before
    ("the company wrote in its statement. It added, “...”", resolved by `_resolve_it`)."""
    if clause[-1].low in cues.pronouns or (len(clause) == 1 and clause[0].low == "it"):
        return clause[-1:]
    return None


def _inverted_speaker(tokens: list[_Token], v: int, cues: _Cues, max_words: int) -> list[_Token] | None:
    """A speaker after its verb before the quote: "..., said Mr. X: “...”" (not after "telling" or "told":
    that is the addressee); opening the sentence, with an appositive: "Said Dorothy Poynter, who grew up
    with Ali, “...”"."""
    if tokens[v].low.endswith("ing") or cues.verbs.get(tokens[v].low) == "tell":
        return None
    speaker = _speaker_after_verb(tokens, v + 1, cues, max_words)
    if speaker and (speaker[-1].text.endswith(("’s", "'s")) or (len(speaker) == 1 and speaker[0].low in cues.pronouns)):
        return None                 # "questioned Trump's “New York values”": the object's owner; "said he “...”"
    following = tokens[v + 1 + len(speaker):] if speaker else []
    if speaker and any(a.is_word for a in following) and not (v == 0 and following[0].text == ","):
        return None
    return speaker


def _coordinated_or_relative_subject(tokens: list[_Token], v: int, clause: list[_Token], cues: _Cues,
                                     max_words: int) -> list[_Token] | None:
    """The subject of a verb whose own clause has none: a second verb of the sentence's subject ("The
    president noted ..., and added: “...”", "Boreing said ..., but said, “...”", "He said his attacks
    gave him momentum and said that"), a participle after a longer clause ("issued a statement saying"),
    or a relative clause whose antecedent is the name before its comma ("said Beck, who said there were
    “...”")."""
    if clause and (all(w.low in cues.coordinators for w in clause) or clause[-1].low in ("and", "but")):
        if v >= 3 and tokens[v - 1].low == "and" and tokens[v - 3].low in cues.pronouns \
                and _looks_like_verb(tokens[v - 2], cues):
            return [tokens[v - 3]]                   # "..., he laughed and said, “We’ll see.”"
        return _first_subject(tokens[:v], cues, max_words) or _subject_of_previous_verb(tokens, v, cues, max_words)
    progressive = _progressive_subject(clause, cues, max_words)
    if progressive is not None:
        return progressive
    if tokens[v].low.endswith("ing") and (len(clause) > 3 or (
            clause and clause[0].low in cues.speaker_end and clause[0].low != "with")):
        # (or after a prepositional phrase: "Clinton responded on Facebook writing, “...”"; but "with Gorka
        # noting" has its own subject)
        # a participle's subject is the sentence's: "Black Lives Matter issued a statement saying it ..."
        return _first_subject(tokens[:v], cues, max_words)
    return _relative_subject(tokens, v, clause, cues)


def _progressive_subject(clause: list[_Token], cues: _Cues, max_words: int) -> list[_Token] | None:
    """A participle after a form of "be" is a finite verb ("John Kasich’s campaign is already claiming
    victory in the so-called “...”"): its subject is the words before that form, not the sentence's first."""
    k = len(clause)
    while k > 0 and (clause[k - 1].low in cues.skip or (
            clause[k - 1].low.endswith("ly") and len(clause[k - 1].low) > 4)):
        k -= 1
    if k < 2 or clause[k - 1].low not in cues.be_forms or not clause[k - 1].text.islower():
        return None
    subject = clause[:k - 1]
    while subject and subject[0].low in cues.coordinators:
        subject = subject[1:]                         # "..., but John Kasich’s campaign is claiming"
    return (_first_subject(subject, cues, max_words) or _speaker_words(_trailing_phrase(subject, cues), cues, max_words)
            ) if subject else None


def _relative_subject(tokens: list[_Token], v: int, clause: list[_Token], cues: _Cues) -> list[_Token] | None:
    """The relative pronoun opening the clause of tokens[v] after a comma ("Beck, who has in the past
    described"): the speaker's mention, resolved to its antecedent (`_resolve_relative`); not when the
    clause has a subject of its own ("the report, which Politico cited")."""
    start = v - len(clause)
    if clause and clause[0].low in cues.relatives and start >= 2 and tokens[start - 1].text == "," and not any(
            w.text[0].isupper() or w.low in cues.pronouns or w.low in cues.unresolved for w in clause[1:]):
        return [clause[0]]
    if len(clause) > 2 and clause[-1].low in cues.relatives and clause[-1].text.islower() and clause[-2].is_word \
            and clause[-2].low not in cues.pronouns and clause[-2].low not in cues.speaker_end:
        return clause[-1:]                           # "the Chicago Police Department which reported “...”"
    return None


def _subject_of_previous_verb(tokens: list[_Token], v: int, cues: _Cues, max_words: int) -> list[_Token] | None:
    """The subject of the verb coordinated before tokens[v]: the last pronoun, or name, before it that a
    verb-like word follows ("Eight years ago, he supported Obama over Clinton and said", "..., he looked into
    my camera, furrowed his brow and said")."""
    for k in range(v - 2, -1, -1):
        t, after = tokens[k], tokens[k + 1]
        if not after.is_word or not after.text.islower() or after.low in cues.coordinators:
            continue
        if t.low in cues.pronouns and after.low not in cues.speaker_end:
            return [t]
        if t.text[0].isupper() and t.is_word and _looks_like_verb(after, cues):
            name = [t]
            while k - len(name) >= 0 and tokens[k - len(name)].is_word and tokens[k - len(name)].text[0].isupper():
                name.insert(0, tokens[k - len(name)])
            return _speaker_words(name, cues, max_words)
    return None


def _attribution_before(doc: _Doc, start: int, open_mark: int, cues: _Cues, p: QuotesParams
                        ) -> tuple[list[_Token], _Token, bool] | None:
    """(speaker words, verb, adjacent) from the clause before the opening mark: "According to X,", else
    the last reporting verb there."""
    tokens = _join_name_dots(_tokens(doc.text, start, open_mark), cues)
    if not tokens:
        return None
    max_words = p.max_speaker_words
    according = _according_to_before(tokens, cues, max_words)
    if according is not None:
        return according
    verbs = [v for v, t in enumerate(tokens)
             # a verb is lower case, but for one opening the sentence before its speaker ("Said Dorothy Poynter")
             if t.low in cues.verbs and (t.text.islower() or v == 0) and not _is_noun_use(tokens, v, cues)]
    if not verbs:
        return _possessive_source(tokens, cues)
    last = verbs[-1]
    stretch = max((k + 1 for k in range(last) if not tokens[k].is_word), default=0)
    if all(not a.is_word for a in tokens[last + 1:]):      # "X said: “...”", "X added, “...”"
        outer = _outer_report(tokens, verbs, stretch, cues, max_words)
        if outer is not None:
            return outer[0], outer[1], False
        speaker = _speaker_of_verb(tokens, last, cues, max_words)
        return (speaker, tokens[last], True) if speaker else None
    # the quote is inside the verb's content ("Cruz said he's certain Rubio will continue to be “...”"):
    # the first verb with a speaker reports it, a later one is part of the content; only within the
    # stretch with no punctuation before the quote (a clause set off by a comma before it is another's:
    # "Clinton, who called Sanders after the winner was declared, told her supporters")
    for v in _reporting_candidates(tokens, verbs, stretch, cues):
        speaker = _speaker_of_verb(tokens, v, cues, max_words)
        if speaker:
            return speaker, tokens[v], False
    return None


def _reporting_candidates(tokens: list[_Token], verbs: list[int], stretch: int, cues: _Cues) -> list[int]:
    """The verbs that may report a quote inside content, in order: the first within the stretch first; but
    for "footage of Trump saying during the debate last week, “...”" the last verb, whose object the quote is
    past a phrase that modifies it (an earlier verb does not report it)."""
    candidates = [v for v in verbs if v >= stretch]
    if _modifier_then_quote(tokens[verbs[-1] + 1:], cues):
        candidates.insert(0, verbs[-1])
    return candidates


def _modifier_then_quote(tail: list[_Token], cues: _Cues) -> bool:
    """Whether the words after a verb are a prepositional or time phrase ending in a comma or colon right
    before the quote ("during the debate last week,", "at a rally in Ohio:"), with no verb of their own."""
    if len(tail) < 3 or tail[-1].text not in (",", ":") or not tail[0].text.islower() \
            or tail[0].low not in cues.noun_prepositions and tail[0].low not in cues.time_prepositions:
        return False
    words = tail[:-1]
    return len(words) <= 8 and all(w.is_word and w.low not in cues.verbs and w.low not in cues.complementizers
                                   for w in words)


def _outer_report(tokens: list[_Token], verbs: list[int], stretch: int, cues: _Cues, max_words: int
                  ) -> Attribution | None:
    """A reporting verb with a speaker before the last one, in the same stretch, whose content holds it: it
    reports the whole ("Law enforcement sources have said he said “no more baby parts”"); not one whose
    infinitive the last verb is ("went on to say"), nor one of a coordinated or subordinate clause ("a woman
    asked for a photo and Clinton said", "Cruz said as the heckler yelled: “You suck!”")."""
    last = verbs[-1]
    for v in (v for v in verbs if stretch <= v < last):
        between = tokens[v + 1:last]
        if all(t.low == "to" for t in between) or any(
                t.low in cues.coordinators or t.low in cues.subordinators for t in between):
            continue
        speaker = _speaker_of_verb(tokens, v, cues, max_words)
        if speaker:
            return speaker, tokens[v]
    return None


def _possessive_source(tokens: list[_Token], cues: _Cues) -> tuple[list[_Token], _Token, bool] | None:
    """"Donald Trump’s claim that there have been “...”", "Obama’s statement: “...”": a reporting verb form
    or a source document noun (quote_cues.yaml) after a capitalised possessive, opening its content with
    "that" or a colon: the possessor is the source (speaker words without the "’s", the noun, adjacent when
    nothing follows the colon)."""
    for k in range(len(tokens) - 2, 0, -1):
        noun, owner, after = tokens[k], tokens[k - 1], tokens[k + 1]
        if not (after.low == "that" or after.text == ":") or not noun.text.islower() or (
                noun.low not in cues.verbs and noun.low not in cues.document_nouns):
            continue
        if not (owner.text[0].isupper() and owner.text.endswith(("’s", "'s")) and len(owner.text) > 2):
            return None
        words = [_Token(owner.text[:-2], owner.start, owner.end - 2)]
        while k - len(words) - 1 >= 0 and tokens[k - len(words) - 1].is_word \
                and tokens[k - len(words) - 1].text[0].isupper():
            words.insert(0, tokens[k - len(words) - 1])
        return words, noun, all(not a.is_word for a in tokens[k + 1:])
    return None


def _is_noun_use(tokens: list[_Token], v: int, cues: _Cues, after_preposition: bool = True) -> bool:
    """Whether the verb form tokens[v] is a noun there: after a determiner, a possessive or a hyphenated
    lower-case modifier ("Mr. Obama's remarks", "the following comment", "Donald Trump’s flurry of late-night
    tweets was"). Not after a number: "Six in 10 say"."""
    if v == 0:
        return False
    prev = tokens[v - 1]
    # a possessive: "Mr. Obama's remarks", "Vargas’ question" (the apostrophe alone is no token)
    possessive = prev.text.endswith(("’s", "'s")) or (prev.end < tokens[v].start and prev.text.endswith("s")
                                                       and tokens[v].start - prev.end == 2)
    # after a preposition a form that is no participle is a noun: "primary contests in states with more
    # diverse electorates", "the number of claims" (but "by saying", "to say")
    # (with `after_preposition`; indirect speech keeps "in favor of", "in hopes of" as its cues)
    governed = after_preposition and prev.text.islower() and prev.low in cues.noun_prepositions \
        and not tokens[v].low.endswith("ing")
    return prev.is_word and (prev.low in cues.noun_determiners or possessive or governed
                             or ("-" in prev.text and prev.text.islower()))


def _trailing_phrase(clause: list[_Token], cues: _Cues) -> list[_Token]:
    """The noun phrase ending a clause: a capitalised name after a conjunction ("a woman asked for a photo
    and Clinton said"); not a name or a determined phrase a preposition governs (the subject is before
    it: "Trump at the time said", "Another source speaking to Fox News said"); else from the last
    determiner, else the trailing capitalised name."""
    titled = _titled_name(clause)
    if titled:
        return titled                    # "... National Executive Director Nihad Awad", "Speaker of the House Rep. X"
    name: list[_Token] = []
    for t in reversed(clause):
        if t.text[0].isupper() or (name and t.low in cues.particles):
            name.insert(0, t)
        else:
            break
    before = clause[-len(name) - 1] if name and len(name) < len(clause) else None
    if before is not None and before.low in cues.coordinators:
        return name
    if before is not None and _is_preposition(before, cues):
        return _trailing_phrase(clause[:-len(name) - 1], cues) or name
    for k in range(len(clause) - 1, max(-1, len(clause) - 6), -1):
        if clause[k].low in cues.determiners:
            governed = k > 0 and _is_preposition(clause[k - 1], cues)
            # (unless nothing that can be a subject is before it: "someone in the crowd yelled")
            return (_trailing_phrase(clause[:k - 1], cues) if governed else []) or clause[k:]
    return name


@functools.lru_cache(maxsize=1)
def _one_word_titles() -> frozenset[str]:
    return frozenset(t[0] for t in read_titles() if len(t) == 1)


def _titled_name(clause: list[_Token]) -> list[_Token]:
    """A title and the full name ending a clause after other words (data/titles.txt: "Director", "Rep."): the
    title and the name; nothing when the clause does not end so."""
    titles = _one_word_titles()
    for j in range(len(clause) - 3, 0, -1):
        if not clause[j + 1].text[0].isupper():
            break
        if clause[j].text in titles and all(t.is_word and t.text[0].isupper() for t in clause[j + 1:]):
            return clause[j:]
    return []


def _is_preposition(t: _Token, cues: _Cues) -> bool:
    return t.text.islower() and t.low in cues.speaker_end and t.low not in cues.relatives


def _first_subject(tokens: list[_Token], cues: _Cues, max_words: int) -> list[_Token] | None:
    """The sentence's first name, pronoun or determined noun phrase ("An Israeli official confirmed"),
    past a dateline ("WASHINGTON (UPI) —") and an introductory phrase ("Hours later, Trump ...", "Meanwhile, it
    ...")."""
    tokens = _without_introduction(_without_dateline(tokens), cues)
    words: list[_Token] = []
    nominal = bool(tokens) and tokens[0].low in cues.determiners
    for k, t in enumerate(tokens):
        if not t.is_word or (nominal and (t.low in cues.verbs or t.low in cues.speaker_end or t.low in cues.skip)):
            break
        if nominal and len(words) >= 2 and _ends_noun_phrase(t, words[-1], cues):
            break
        if words and not nominal and not (t.text[0].isupper() or t.low in cues.particles):
            words += _role_then_name(tokens[k:], cues, max_words - len(words))
            break
        if not words and not (t.text[0].isupper() or t.low in cues.pronouns):
            return None
        words.append(t)
        if t.low in cues.pronouns:
            break
    return _speaker_words(_with_possessed_noun(tokens, words, cues), cues, max_words)


def _with_possessed_noun(tokens: list[_Token], words: list[_Token], cues: _Cues) -> list[_Token]:
    """A subject ending in a possessive goes on to the noun it possesses ("Gary Johnson’s doctor is calling",
    "John Kasich’s campaign is claiming"): that noun is the subject's head."""
    if not words or not words[-1].text.endswith(("’s", "'s")):
        return words
    stem = words[-1].low[:-2]
    if stem in cues.not_speakers or stem in cues.pronouns or stem in cues.unresolved or stem == "let":
        return words                     # a contraction: "There’s no question", "He’s"
    k = tokens.index(words[-1]) + 1
    nxt = tokens[k] if k < len(tokens) else None
    if nxt is None or not nxt.is_word or not nxt.text.islower() or nxt.low in cues.verbs or \
            nxt.low in cues.speaker_stop or nxt.low in cues.speaker_end or nxt.low in cues.skip or \
            nxt.low in cues.irregular or nxt.low.endswith(("ed", "ly")):
        return words
    return words + [nxt]


def _ends_noun_phrase(t: _Token, before: _Token, cues: _Cues) -> bool:
    """A lower-case past form or participle after a noun phrase's second word is its verb ("The Vermont senator
    emailed supporters", "Another intelligence source speaking to Fox News"), not an adjective ("the newly
    elected senator", "a polling firm")."""
    return t.text.islower() and len(t.low) > 4 and t.low.endswith(("ed", "ing")) and before.text.isalpha() \
        and not before.low.endswith("ly") and t.low not in cues.noun_like


def _without_dateline(tokens: list[_Token]) -> list[_Token]:
    """The tokens past a dateline opening the sentence: a place, then optionally a date and a bracketed news
    agency, before a dash ("WASHINGTON, Dec. 8 (UPI) —", "Washington (AFP) –"); the place is in capitals or
    the agency is there. No lower-case word before the dash (a name and an appositive: "Trump — who ...")."""
    dash = next((k for k, t in enumerate(tokens[:10]) if t.text in "—–"), None)
    if not dash or any(t.is_word and t.text.islower() for t in tokens[:dash]):
        return tokens
    head = tokens[:dash]
    agency = any(t.text == "(" for t in head) and head[-1].text == ")"
    if agency or (head[0].text.isupper() and len(head[0].text) > 2):
        return tokens[dash + 1:]
    return tokens


def _role_then_name(tokens: list[_Token], cues: _Cues, room: int) -> list[_Token]:
    """After a capitalised opening ("Republican", "Former Secretary"), the role words and the full name
    that complete the subject: "presidential front-runner Donald Trump", "of State Madeleine Albright".
    Up to three lower-case words (no verb, auxiliary or adverb) then two capitalised words or more; else
    nothing (the opening is the subject: "Trump told reporters")."""
    k = 0
    while k < min(3, len(tokens)) and tokens[k].is_word and tokens[k].text.islower() \
            and tokens[k].low not in cues.verbs and tokens[k].low not in cues.speaker_stop \
            and tokens[k].low not in cues.stance_verbs and not tokens[k].low.endswith(("ed", "ly")):
        k += 1
    name = k
    while name < len(tokens) and tokens[name].is_word and tokens[name].text[0].isupper():
        name += 1
    # one capitalised word is a name when a verb follows it ("Band member Flea shared the news")
    verb_next = name - k == 1 and tokens[k].low not in cues.not_speakers and name < len(tokens) and \
        _is_past_or_reporting(tokens[name], cues)
    if k == 0 or (name - k < 2 and not verb_next) or name > room:
        return []
    return tokens[:name]


def _is_past_or_reporting(t: _Token, cues: _Cues) -> bool:
    """A lower-case reporting verb, irregular verb form or past form in -ed."""
    return t.text.islower() and (t.low in cues.verbs or t.low in cues.irregular
                                 or (t.low.endswith("ed") and len(t.low) > 4))


def _without_introduction(tokens: list[_Token], cues: _Cues) -> list[_Token]:
    """The tokens past an introductory phrase set off by a comma within six words: one that holds a
    lower-case word ("Hours later,", "On Monday,") or is a sentence adverb ("Meanwhile,"); not a name and
    its appositive ("Trump, who leads the polls, said"), nor a clause ("The president noted the law,")."""
    if tokens and tokens[0].text[0].isupper() and tokens[0].low.endswith("ing") and tokens[0].text[1:].islower():
        return _past_participial_phrase(tokens)
    comma = next((k for k, t in enumerate(tokens[:7]) if t.text == ","), None)
    if comma is None or comma == 0:
        return tokens
    return tokens[comma + 1:] if _is_introduction(tokens[:comma], cues) else tokens


def _is_introduction(intro: list[_Token], cues: _Cues) -> bool:
    """Whether the words before a sentence's first comma are an introductory phrase (see
    `_without_introduction`)."""
    if any(t.low in cues.verbs for t in intro):
        return False                     # a clause of its own: "The president noted the law, and added"
    if intro[-1].low in cues.intro_adverbs:
        return True                      # a time phrase ending in an adverb: "Eight years ago,", "A day later,"
    if intro[0].low in cues.determiners:
        return False                     # a noun phrase and its appositive: "The senator, a Democrat, said"
    return intro[0].low in cues.not_speakers or bool(cues.intro_adverbs.intersection(t.low for t in intro)) or any(
        t.is_word and t.text.islower() and t.low not in cues.particles for t in intro)


def _past_participial_phrase(tokens: list[_Token]) -> list[_Token]:
    """The tokens past a participial phrase opening the sentence ("Speaking at a rally in Iowa, which votes
    first, Bush said"): after its first comma before a capitalised word."""
    comma = next((k for k in range(len(tokens) - 1) if tokens[k].text == "," and tokens[k + 1].text[0].isupper()),
                 None)
    return tokens[comma + 1:] if comma is not None else tokens


def _ends_with_abbreviation(tail: str, cues: _Cues) -> bool:
    m = WORD_DOT_AT_END_RE.search(tail)
    return bool(m) and (m.group(1).lower() in cues.abbreviations or (len(m.group(1)) == 1 and m.group(1).isupper()))


# --------------------------------------------------------------------------------- who the speaker is

def _gender_of_mention(text: str, canonical: str, cues: _Cues) -> str | None:
    """"Mr."/"Mrs." before the mention, else the first name of the mention or of its canonical name."""
    first = text.split(" ", 1)[0].rstrip(".").lower()
    if first in cues.honorifics:
        return cues.honorifics[first]
    return cues.first_names.get(first) or cues.first_names.get(canonical.split(" ", 1)[0].lower())


def _resolve_pronoun(doc: _Doc, quotes: list[_Quote], q: _Quote, pronoun: tuple[str, int], cues: _Cues,
                     p: QuotesParams) -> str | None:
    """The person the text was last about: first PERSON mention (outside quotes) of the nearest sentence
    whose gender (honorific or first name, data/first_names.yaml) does not contradict the pronoun's; past
    the lookback, the person of that gender the document mentioned most before the quote (salience).
    `pronoun`: its lower-case form and its offset."""
    gender = cues.pronouns[pronoun[0]]
    inside = [(x.start, x.end) for x in quotes]
    first_sentence = max(0, q.sentence - p.pronoun_lookback_sentences)
    for si in range(q.sentence, first_sentence - 1, -1):
        s_start = doc.sent_starts[si]
        # (in the quote's own sentence, only what precedes the pronoun: "Eight years ago, he supported
        # Barack Obama over Clinton and said, “...”" is not about Obama)
        s_end = doc.sent_ends[si] if si != q.sentence else min(q.open_mark, pronoun[1])
        for e_start, _, label, canonical, text in doc.entities_in(s_start, s_end):
            if label not in PERSON_LABELS or e_start < s_start or e_start >= s_end:
                continue
            if any(a <= e_start < b for a, b in inside):
                continue
            mention_gender = _person_gender(doc, text, canonical, cues)
            if mention_gender and mention_gender != gender:
                continue
            return canonical
    return _most_salient(doc, q.open_mark, gender, cues)


def _surname_genders(doc: _Doc, cues: _Cues) -> dict[str, str | None]:
    """Surname -> the gender of the document's full names ending with it (None when they disagree:
    "Bill Clinton" and "Hillary Clinton"), so that a bare "Clinton" has one when the document does."""
    if doc.surname_genders is None:
        genders: dict[str, str | None] = {}
        for _, _, label, canonical, _ in doc.entities:
            parts = canonical.split(" ")
            gender = cues.first_names.get(parts[0].lower()) if len(parts) > 1 else None
            if label in PERSON_LABELS and gender:
                genders[parts[-1]] = gender if genders.get(parts[-1], gender) == gender else None
        doc.surname_genders = genders
    return doc.surname_genders


def _person_surnames(doc: _Doc) -> set[str]:
    """The last words of the document's PERSON canonical names of two words or more."""
    if doc.surnames is None:
        doc.surnames = {canonical.rsplit(" ", 1)[-1] for _, _, label, canonical, _ in doc.entities
                        if label in PERSON_LABELS and " " in canonical}
    return doc.surnames


def _person_gender(doc: _Doc, text: str, canonical: str, cues: _Cues) -> str | None:
    return _gender_of_mention(text, canonical, cues) or (
        _surname_genders(doc, cues).get(canonical) if " " not in canonical else None)


def _most_salient(doc: _Doc, before: int, gender: str | None, cues: _Cues) -> str | None:
    """The PERSON canonical mentioned most often before `before` whose gender is known to be `gender`
    (a tie: the one mentioned last); when there is none, the one whose gender is unknown (`gender` None:
    "Phyllis Schlafly", whose first name data/first_names.yaml does not list); None when there is none."""
    counts: dict[str, list[int]] = {}
    for e_start, _, label, canonical, text in doc.entities:
        if e_start >= before:
            break
        if label in PERSON_LABELS and _person_gender(doc, text, canonical, cues) == gender:
            entry = counts.setdefault(canonical, [0, 0])
            entry[0] += 1
            entry[1] = e_start
    if not counts:
        return _most_salient(doc, before, None, cues) if gender is not None else None
    return max(counts.items(), key=lambda item: (item[1][0], item[1][1]))[0]


def _mentioned_speaker(doc: _Doc, span: tuple[int, int]) -> tuple[str, str] | None:
    """(canonical, kind) of a PERSON mention in the speaker words, else of an ORG/GPE/NORP one that is
    the speaker (not a modifier: "a senior Hamas official")."""
    mentions = doc.entities_in(*span)
    # a possessive mention qualifies the speaker ("Hillary Clinton's campaign manager Robby Mook"): a later
    # mention is the speaker, and with none ("Obama's former strategist") the words are a description
    # so does a name before the head noun ("Sanders campaign manager Jeff Weaver", "A top Donald Trump
    # adviser", "Clinton supporters"): the head is the last name, or the words when a noun ends them
    qualifying = [e for e in mentions if _qualifies(doc, e, span)]
    mentions = [e for e in mentions if e not in qualifying]
    if qualifying and not any(e[2] in PERSON_LABELS for e in mentions):
        return doc.text[span[0]:span[1]], "nominal"
    for label_set, kind in ((PERSON_LABELS, "named"), (ORG_LABELS, "organization")):
        for e_start, e_end, label, canonical, _ in mentions:
            if label in label_set and e_start >= span[0] - 4 and e_end <= span[1] + 1:
                if kind == "organization" and (e_end - e_start) < (span[1] - span[0]) // 2:
                    continue
                return canonical, kind
    return None


def _qualifies(doc: _Doc, mention: Entity, span: tuple[int, int]) -> bool:
    """A possessive mention inside the speaker words, or a PERSON or organisation one before a noun ("a Homeland
    Security memo", "the Heritage Foundation website"): it qualifies the head."""
    possessive = (doc.text[mention[1]:mention[1] + 2] in ("’s", "'s") and mention[1] < span[1] - 2) or (
        doc.text[mention[0]:mention[1]].endswith(("’s", "'s")) and mention[1] < span[1])
    return possessive or (mention[2] in PERSON_LABELS + ORG_LABELS and _is_name_modifier(doc, mention, span))


def _is_name_modifier(doc: _Doc, mention: Entity, span: tuple[int, int]) -> bool:
    """Whether a PERSON mention inside the speaker words qualifies a noun after it: a word follows it in
    the span that is neither a preposition ("Rep. Tom Cole of Oklahoma") nor punctuation."""
    after = _tokens(doc.text, mention[1], span[1])
    return bool(after) and after[0].is_word and after[0].start <= mention[1] + 1 \
        and after[0].low not in _cues().speaker_end


def _unmentioned_name(doc: _Doc, words: list[_Token], cues: _Cues) -> str | None:
    """A capitalised name NER missed: the document's PERSON canonical with that surname, else as written."""
    names = [w for w in words if w.low not in cues.abbreviations]
    if not names or not all(w.text[0].isupper() or w.low in cues.particles for w in names) \
            or words[0].low in cues.determiners:
        return None
    surname = names[-1].text
    for _, _, label, canonical, _ in doc.entities:
        if label in PERSON_LABELS and canonical.split()[-1].upper() == surname.upper():   # "TAPPER" too
            return canonical
    return " ".join(w.text for w in names)


def _resolve_speaker(doc: _Doc, quotes: list[_Quote], q: _Quote, words: list[_Token], cues: _Cues,
                     p: QuotesParams) -> tuple[str | None, str | None, tuple[int, int]]:
    """(speaker, speaker_kind, span of the speaker words)."""
    span = (words[0].start, words[-1].end)
    if len(words) == 1 and words[0].low in cues.pronouns:
        return _resolve_pronoun(doc, quotes, q, (words[0].low, span[0]), cues, p), "pronoun", span
    if len(words) == 1 and words[0].low == "it":
        return _resolve_it(doc, quotes, q) or _document_before(doc, q, span[0], cues), "pronoun", span
    if len(words) == 1 and words[0].low in cues.author_pronouns:
        return doc.author, "pronoun", span         # outside quotes, "I" is the writer ("“...,” I said.")
    if len(words) == 1 and words[0].low in cues.unresolved:
        return None, "pronoun", span
    if len(words) == 1 and words[0].low in cues.relatives:
        return _resolve_relative(doc, quotes, q, words[0], cues, p)
    mentioned = _mentioned_speaker(doc, span)
    if mentioned is not None and mentioned[1] == "nominal":      # "the Florida senator": a place qualifies
        return _described_person(doc, words, cues) or mentioned[0], "nominal", span
    if mentioned is not None:
        return mentioned[0], mentioned[1], span       # (an honorific's gender is canonical's: "Mr. Obama")
    name = _unmentioned_name(doc, words, cues)
    if name is not None:
        return name, "named", span
    return _described_person(doc, words, cues) or doc.text[span[0]:span[1]], "nominal", span


def _described_person(doc: _Doc, words: list[_Token], cues: _Cues) -> str | None:
    """The person a definite role description is ("The Florida senator said" after "Sen. Marco Rubio"): the
    most recently mentioned PERSON before it whose title or apposition gives the description's head role
    (data/quote_cues.yaml `role_titles`), agreeing in gender with a "-man"/"-woman" head; among several, one
    whose role words share more of the description's modifiers ("former") first. The description's
    capitalised words (a place, a party) must all be in the title ("New Jersey Gov. Chris Christie" for
    "the New Jersey governor"; neither "Texas Sen. Ted Cruz" nor "Sen. Joni Ernst" for "the Florida
    senator", not "Republican nominee Donald Trump" for "the Democratic nominee"). None when no one
    qualifies."""
    if len(words) < 2 or words[0].low != "the" or words[-1].low not in cues.role_heads:
        return None
    forms = cues.role_heads[words[-1].low]
    modifiers = {w.low for w in words[1:-1]}
    named = {w.low for w in words[1:-1] if w.text[0].isupper()}
    gender = "female" if words[-1].low.endswith("woman") else "male" if words[-1].low.endswith("man") else None
    shared: dict[str, int] = {}       # qualifying canonical -> the most modifiers one of its titles shares
    for m in _titled_mentions(doc, cues):
        if m.start >= words[0].start:
            break
        if not m.forms & forms or (gender and _person_gender(doc, m.text, m.canonical, cues) not in (gender, None)):
            continue
        if not named <= m.words:
            continue                  # "the Florida senator" is neither "Texas Sen. Ted Cruz" nor "Sen. Joni Ernst"
        shared[m.canonical] = max(shared.get(m.canonical, 0), len(modifiers & m.words))
    last_mention = {canonical: e_start for e_start, _, label, canonical, _ in doc.entities
                    if e_start < words[0].start and canonical in shared}
    return max(shared, key=lambda c: (shared[c], last_mention[c]), default=None)


def _titled_mentions(doc: _Doc, cues: _Cues) -> list[_TitledMention]:
    """The document's PERSON mentions that have role words (`_role_words`), in text order."""
    if doc.titled is None:
        doc.titled = []
        for e_start, e_end, label, canonical, text in doc.entities:
            if label not in PERSON_LABELS:
                continue
            role_words = _role_words(doc, e_start, e_end, cues)
            forms = frozenset(w.low for w in role_words if w.low in cues.role_forms)
            if forms:
                doc.titled.append(_TitledMention(
                    e_start, canonical, text, forms, frozenset(w.low for w in role_words)))
    return doc.titled


def _role_words(doc: _Doc, start: int, end: int, cues: _Cues) -> list[_Token]:
    """The title words right before a mention ("Republican presidential nominee", "Secretary of State": role
    forms, capitalised words, "of", and lower-case words before a role form) and the words of an apposition
    right after it (", the Indiana governor," closed by punctuation within eight words)."""
    sentence = doc.sentence_at(start)
    before = _join_name_dots(_tokens(doc.text, max(doc.sent_starts[sentence], start - 120), start), cues)
    words: list[_Token] = []
    for t in reversed(before[-6:]):
        role_seen = any(w.low in cues.role_forms for w in words)
        if not t.is_word or t.low in cues.determiners or t.low in cues.verbs:
            break
        if not (t.low in cues.role_forms or t.text[0].isupper() or t.low == "of" or role_seen):
            break
        words.append(t)
    after = _tokens(doc.text, end, min(doc.sent_ends[sentence], end + 120))
    if len(after) > 2 and after[0].text == "," and after[0].start == end:
        stretch = after[1:10]
        close = next((k for k, t in enumerate(stretch) if not t.is_word), None)
        # not ', ” the governor said': a quote mark or a verb ends it
        if close is not None and stretch[0].low in ("the", "a", "an") and not any(
                t.low in cues.verbs for t in stretch[:close]) and not QUOTE_MARK_RE.search(
                doc.text, after[0].end, stretch[close].start):
            words.extend(stretch[1:close])
    return words


def _resolve_relative(doc: _Doc, quotes: list[_Quote], q: _Quote, relative: _Token, cues: _Cues,
                      p: QuotesParams) -> tuple[str | None, str | None, tuple[int, int]]:
    """"said Beck, who said there were “...”", "Beck, who has in the past described Trump as “...”": the
    speaker's mention is the relative pronoun (its span), its speaker the name or phrase before its comma."""
    span = (relative.start, relative.end)
    tokens = _join_name_dots(_tokens(doc.text, doc.sent_starts[doc.sentence_at(relative.start)], relative.start), cues)
    if tokens and tokens[-1].is_word:
        tokens = tokens + [relative]                 # no comma: "the Chicago Police Department which reported"
    if len(tokens) < 2 or tokens[-1].text != "," and tokens[-1] is not relative:
        return None, "pronoun", span
    stretch = tokens[max((k + 1 for k, t in enumerate(tokens[:-1]) if not t.is_word), default=0):-1]
    antecedent = _speaker_words(_trailing_phrase(stretch, cues), cues, p.max_speaker_words)
    if antecedent is None:
        return None, "pronoun", span
    speaker, kind, _ = _resolve_speaker(doc, quotes, q, antecedent, cues, p)
    return speaker, kind, span


def _resolve_it(doc: _Doc, quotes: list[_Quote], q: _Quote) -> str | None:
    """"“...,” the article read. “...,” it further wrote": "it" is the speaker of the nearest quote before,
    in this paragraph or the one before, when that speaker is no person (a document, an organisation)."""
    before = [x for x in quotes if x.start < q.start and x.speaker_kind is not None and x.kind != "indirect"]
    if not before:
        return None
    last = max(before, key=lambda x: x.start)
    near = doc.text.count("\n", last.end, q.start) <= 2
    return last.speaker if near and last.speaker_kind in ("organization", "nominal") else None


def _document_before(doc: _Doc, q: _Quote, at: int, cues: _Cues) -> str | None:
    """"Trump released a statement on Tuesday. It read: “...”": "it" is the last document the text named
    before it, in its sentence or the one before (a determiner, at most two words, a document noun of
    quote_cues.yaml), as written; None when there is none."""
    start = doc.sent_starts[max(0, doc.sentence_at(at) - 1)]
    tokens = _tokens(doc.text, start, min(at, q.open_mark))
    for k in range(len(tokens) - 1, 0, -1):
        if tokens[k].low in cues.document_nouns and tokens[k].text.islower():
            det = next((j for j in range(k - 1, max(-1, k - 4), -1) if tokens[j].low in cues.determiners), None)
            if det is not None and all(t.is_word for t in tokens[det:k]):
                return doc.text[tokens[det].start:tokens[k].end]
    return None


def _governed_title(doc: _Doc, q: _Quote, start: int, cues: _Cues) -> bool:
    """A title-cased quote right after a possessive or a preposition ("on CNN’s “New Day,”", "broadcast of
    “Fox News Sunday,”"): a name of a show or a work, not words someone says."""
    before = _tokens(doc.text, start, q.open_mark)
    return bool(before) and (before[-1].text.endswith(("’s", "'s")) or before[-1].low in cues.noun_prepositions
                             or before[-1].low in cues.title_prepositions) \
        and _is_title(doc.text[q.start:q.end].rstrip("."), cues)    # (the sentence's period: “Morning Joe.”)


def _is_title(quote: str, cues: _Cues) -> bool:
    words = WORD_COUNT_RE.findall(quote)
    return bool(words) and quote[-1:] not in ".?!," and \
        all(w[0].isupper() or w.lower() in cues.title_small or w[0].isdigit() for w in words) and words[0][0].isupper()


# ---------------------------------------------------------------------------- one document's quotes

def _quote_spans(doc: _Doc) -> list[_Quote]:
    """Every quotation span of the document, with its paragraph (line index) and sentence."""
    text = doc.text
    quotes: list[_Quote] = []
    line_no, counted_to = 0, 0
    for open_mark, close_mark, line_end in _find_quotes(text):
        start, end = _trim(text, open_mark + 1, close_mark if close_mark is not None else line_end)
        if start >= end:
            continue
        line_no += text.count("\n", counted_to, open_mark)      # "paragraph" = line index here
        counted_to = open_mark
        quotes.append(_Quote(open_mark, close_mark, start, end, line_no, doc.sentence_at(start),
                             n_words=len(WORD_COUNT_RE.findall(text[start:end]))))
    return quotes


def _clause_start(doc: _Doc, quotes: list[_Quote], i: int) -> int:
    """Where the text before quote i that may attribute it starts: its sentence, its line, or the end of
    the previous quote of its paragraph, whichever is last."""
    q = quotes[i]
    line_start = doc.text.rfind("\n", 0, q.open_mark) + 1
    prev_close = max((x.close_mark + 1 for x in quotes[:i]
                      if x.close_mark is not None and x.paragraph == q.paragraph), default=line_start)
    return max(doc.sent_starts[q.sentence], prev_close, line_start)


def _limit_after(doc: _Doc, quotes: list[_Quote], i: int, cues: _Cues) -> int:
    """Where an attribution after quote i must end: its sentence end (past a split after "Mr."), the line
    end, or the next quote of its paragraph, whichever comes first."""
    q, text = quotes[i], doc.text
    assert q.close_mark is not None
    nxt = next((x.open_mark for x in quotes[i + 1:] if x.paragraph == q.paragraph), None)
    after_sentence = doc.sentence_at(min(q.close_mark + 1, len(text) - 1))
    limit = doc.sent_ends[after_sentence]
    while after_sentence + 1 < len(doc.sent_ends) and _ends_with_abbreviation(text[max(0, limit - 6):limit], cues):
        after_sentence += 1           # a segmenter split after "Mr.": the speaker is in the next one
        limit = doc.sent_ends[after_sentence]
    if text[q.start:q.end].endswith(("?", "!")) and not text[q.close_mark + 1:limit].strip() \
            and after_sentence + 1 < len(doc.sent_ends):
        limit = doc.sent_ends[after_sentence + 1]    # “... votes?” Trump said: split after the question mark
    line_end = text.find("\n", q.close_mark)
    line_end = len(text) if line_end < 0 else line_end
    return min(x for x in (limit, line_end, nxt if nxt is not None else line_end) if x >= q.close_mark)


def _find_attribution(doc: _Doc, quotes: list[_Quote], i: int, before_start: int, starts_sentence: bool,
                      cues: _Cues, p: QuotesParams) -> tuple[Attribution | None, bool, str | None]:
    """(speaker words and verb, adjacent to the marks, "after"/"before"): after the quote, nearest first;
    else before it, in its sentence or in the previous one when that ends in a colon ("X said:")."""
    q = quotes[i]
    before = _attribution_before(doc, before_start, q.open_mark, cues, p)
    set_off = before is not None and before[2] and before[1].text.islower() and \
        doc.text[before[1].end:q.open_mark].strip() in (",", ":")
    if q.close_mark is not None and not set_off:
        # (a reporting verb right before the marks says it, the one after is the next quote's: "When someone
        # shouted, “Cruz,” Beck joked, “Amen, brother!”")
        found = _attribution_after(doc, q, _limit_after(doc, quotes, i, cues), cues, p)
        if found:
            return found, True, "after"
    if before is None and starts_sentence and q.sentence > 0:
        previous_start = doc.sent_starts[q.sentence - 1]
        if doc.text[previous_start:q.open_mark].rstrip().endswith(":"):
            before = _attribution_before(doc, previous_start, q.open_mark, cues, p) or \
                _colon_subject(doc, quotes, previous_start, q.open_mark, cues)
    if before is None:
        before = _named_before_colon(doc, before_start, q.open_mark)
    if before is None:
        return None, False, None
    words, verb, adjacent = before
    return (words, verb), adjacent, "before"


def _named_before_colon(doc: _Doc, start: int, open_mark: int) -> tuple[list[_Token], _Token, bool] | None:
    """"Clinton: “Our goal is ...” Bush: “The mission is ...”", "... surprise Republican pollster Ann Lee:
    “...”": a person named right before a colon that opens the quote (speaker words, the colon, adjacent)."""
    head = doc.text[start:open_mark].rstrip()
    if not head.endswith(":"):
        return None
    colon = start + len(head) - 1
    for e_start, e_end, label, _, _ in doc.entities_in(start, colon):
        between = doc.text[e_end:colon].strip()          # nothing, or a bracket: "Ryan (R-Wis.): “...”"
        if label in PERSON_LABELS and e_start >= start and (
                not between or between[0] == "(" and between[-1] == ")" and len(between) <= 12):
            return _tokens(doc.text, e_start, e_end), _Token(":", colon, colon + 1), True
    return None


# ------------------------------------------------------------ the speaker of an embedded quote's clause

def _tail_attribution(doc: _Doc, quotes: list[_Quote], i: int, cues: _Cues, p: QuotesParams) -> Attribution | None:
    """"A cashier who “steals a handful of $20s” is held accountable, Warren said.": the attribution after
    the sentence's last comma past the quote (and before the paragraph's next quote)."""
    q = quotes[i]
    end_mark = q.close_mark if q.close_mark is not None else q.end
    limit = _limit_after(doc, quotes, i, cues) if q.close_mark is not None else end_mark
    comma = doc.text.rfind(",", end_mark, limit)
    if comma < 0:
        return None
    tokens = _join_name_dots(_tokens(doc.text, comma + 1, limit), cues)
    if tokens and tokens[0].low == "according" and len(tokens) > 2 and tokens[1].low == "to":
        speaker = _according_to(tokens, 0, cues, p.max_speaker_words)
        return (speaker, _according_token(tokens, 0)) if speaker else None
    return _verb_first(tokens, cues, p.max_speaker_words) or _speaker_first(tokens, cues, p.max_speaker_words)


def _subject_candidates(doc: _Doc, quotes: list[_Quote], start: int, end: int, cues: _Cues
                        ) -> Iterator[tuple[int, int]]:
    """Spans in [start, end), in text order, that can be a clause's subject: a PERSON or organisation
    mention or a he/she/they pronoun outside quotes, not behind a preposition, not a possessive."""
    inside = [(x.open_mark, x.close_mark if x.close_mark is not None else x.end) for x in quotes]
    mentions = doc.entities_in(start, end)
    spans = [(e[0], e[1]) for e in mentions if e[2] in CLAUSE_SUBJECT_LABELS and e[0] >= start and e[1] <= end]
    # a person's surname the model did not tag here ("Moore thanked him for “...”" in a story that names
    # Julianne Moore): the document says who that is
    surnames = _person_surnames(doc)
    spans += [(t.start, t.end) for t in _tokens(doc.text, start, end)
              if t.low in cues.pronouns or t.low in cues.clause_pronouns
              or (t.text in surnames and not any(e[0] <= t.start < e[1] for e in mentions))]
    places = {(e[0], e[1]) for e in mentions if e[2] == "GPE"}
    for s, e in sorted(spans):
        if not any(a <= s < b for a, b in inside) and _may_be_subject(doc, start, (s, e), (s, e) in places, cues):
            yield s, e


def _may_be_subject(doc: _Doc, start: int, span: tuple[int, int], place: bool, cues: _Cues) -> bool:
    """Whether a mention or pronoun may be its clause's subject: not behind a preposition, not the object of
    a verb ("called Obama a “...”"), not a possessive, not a place qualifying a noun ("the Paris attacks",
    "South Carolina congressman")."""
    s, e = span
    before = _tokens(doc.text, max(start, s - 12), s)
    if before and (before[-1].low in cues.speaker_end or _is_verb_form(before[-1], cues)):
        return False
    if doc.text[e:e + 2] in ("’s", "'s"):
        return False
    after = next(iter(_tokens(doc.text, e, e + 30)), None)
    return not place or (_is_verb_form(after, cues, True) and after is not None and after.low not in cues.noun_like)


def _clause_attribution(doc: _Doc, quotes: list[_Quote], i: int, before_start: int, cues: _Cues,
                        p: QuotesParams, weak: bool = True) -> Attribution | None:
    """An embedded quote with no reporting verb around it (“Clinton called half of Trump's supporters
    “deplorables.”"): the attribution after the sentence's last comma, else the first subject of its clause
    before the quote followed by a verb-like word; with `weak`, else the first one followed by a lower-case
    word that is not a preposition ("Ohio in", "Libya civil war": no verb), which is its verb."""
    tail = _tail_attribution(doc, quotes, i, cues, p)
    if tail is not None:
        return tail
    q = quotes[i]
    fallback: Attribution | None = None
    for s, e in _subject_candidates(doc, quotes, before_start, q.open_mark, cues):
        words = _join_name_dots(_tokens(doc.text, s, e), cues)
        after = [t for t in _tokens(doc.text, e, min(q.open_mark, e + 40)) if t.low not in cues.skip
                 and not (t.low.endswith("ly") and len(t.low) > 4)]
        found = _subject_with_verb(doc, quotes, i, (s, e), words, after, cues, p)
        if found is not None:
            return found
        if weak and fallback is None and words and after and after[0].is_word and after[0].text.islower() \
                and after[0].low not in cues.speaker_end and after[0].low not in cues.copulas:
            fallback = words, after[0]
    return fallback


def _subject_with_verb(doc: _Doc, quotes: list[_Quote], i: int, span: tuple[int, int], words: list[_Token],
                       after: list[_Token], cues: _Cues, p: QuotesParams) -> Attribution | None:
    """A clause-subject candidate and its verb: the verb-like word right after it, or past a name's place,
    phrase between commas or brackets, or time (`_verb_past_modifiers`)."""
    if words and after and _looks_like_verb(after[0], cues):
        return _named_antecedent(doc, quotes, i, words, cues, p) or words, after[0]
    verb = _verb_past_modifiers(doc, span, quotes[i].open_mark, cues) if words and words[0].text[0].isupper() else None
    return (words, verb) if verb is not None else None


def _verb_past_modifiers(doc: _Doc, span: tuple[int, int], limit: int, cues: _Cues) -> _Token | None:
    """The verb after a name and what may follow it before its verb: a place ("Gov. Earl Ray Tomblin of West
    Virginia lauded"), a phrase set off by commas or brackets ("Mike Huckabee, for his part, is labeling",
    "Sen. Elizabeth Warren (D-MA) slammed"), a time ("Clinton on Monday night called"), an auxiliary or a
    form of "be" before a participle ("is labeling"); None when no verb-like word comes next."""
    tokens = [t for t in _tokens(doc.text, span[1], min(limit, span[1] + 120)) if t.low not in cues.skip
              and not (t.low.endswith("ly") and len(t.low) > 4)]
    k = _postmodifier_end(tokens, cues)
    if k == 0:
        return None
    if k + 1 < len(tokens) and (tokens[k].low in AUXILIARIES or tokens[k].low in cues.be_forms) \
            and tokens[k + 1].text.islower() and tokens[k + 1].low.endswith(("ing", "ed")):
        return tokens[k + 1]                                  # "is labeling"
    return tokens[k] if k < len(tokens) and _looks_like_verb(tokens[k], cues) else None


def _postmodifier_end(tokens: list[_Token], cues: _Cues) -> int:
    """How many of the tokens after a name are its place, its phrase between commas or brackets or a time
    (see `_verb_past_modifiers`), one after the other ("(R-Wis.) on Tuesday"); 0 when they open with none."""
    end = 0
    for _ in range(3):
        rest = tokens[end:]
        k = _place_end(rest) or _set_off_end(rest) or _time_end(rest, cues)
        if k == 0:
            break
        end += k
    return end


def _place_end(tokens: list[_Token]) -> int:
    """"of West Virginia" (of, then capitalised words)."""
    if len(tokens) < 3 or tokens[0].low != "of" or not tokens[1].text[0].isupper():
        return 0
    k = 1
    while k < len(tokens) and tokens[k].is_word and tokens[k].text[0].isupper():
        k += 1
    return k


def _set_off_end(tokens: list[_Token]) -> int:
    """", for his part," / "(D-MA)": up to the closing comma or bracket within ten tokens, no sentence mark."""
    if not tokens or tokens[0].text not in ",(":
        return 0
    closing = "," if tokens[0].text == "," else ")"
    close = next((j for j in range(1, min(len(tokens), 10)) if tokens[j].text == closing), None)
    # (a bracket may hold abbreviation dots: "(D-Mass.)")
    if close is None or any(t.text in (";:" if closing == ")" else ".;:") for t in tokens[1:close]):
        return 0
    return close + 1


def _time_end(tokens: list[_Token], cues: _Cues) -> int:
    """"on Tuesday", "on Monday night": a time preposition, then capitalised words, numbers or time words."""
    if len(tokens) < 3 or tokens[0].low not in cues.time_prepositions or not tokens[0].text.islower():
        return 0
    k = 1
    while k < min(len(tokens), 4) and tokens[k].is_word and (
            tokens[k].text[0].isupper() or tokens[k].text[0].isdigit() or tokens[k].low in cues.time_words):
        k += 1
    return k if k > 1 else 0


def _named_antecedent(doc: _Doc, quotes: list[_Quote], i: int, words: list[_Token], cues: _Cues,
                      p: QuotesParams) -> list[_Token] | None:
    """A he/she subject of a clause embedded in the sentence ("what she calls “...”", "whom he called a “...”",
    "since he suspended ...") whose person the clause before names: that mention, the main clause's subject
    ("Hillary Clinton says Americans are “right to be angry,” but also hungry for what she calls “...”"): the
    first subject of the sentence that is a PERSON mention of the person the pronoun resolves to."""
    if len(words) != 1 or words[0].low not in cues.pronouns:
        return None
    before = _tokens(doc.text, max(0, words[0].start - 20), words[0].start)
    if not before or before[-1].low not in cues.embedding:
        return None
    person = _resolve_pronoun(doc, quotes, quotes[i], (words[0].low, words[0].start), cues, p)
    sentence_start = doc.sent_starts[quotes[i].sentence]
    for s, e in _subject_candidates(doc, quotes, sentence_start, words[0].start, cues):
        if any(m[2] in PERSON_LABELS and m[3] == person and m[0] == s for m in doc.entities_in(s, e)):
            return _join_name_dots(_tokens(doc.text, s, e), cues)
    return None


def _embedded_attribution(doc: _Doc, quotes: list[_Quote], i: int, before_start: int, cues: _Cues,
                          p: QuotesParams) -> Attribution | None:
    """The attribution of an embedded quote with no reporting verb of its own: its clause's subject with a
    verb; when another quote precedes it in its sentence, the sentence's reporting verb before it ("he said
    he would do so not because of “...” but because Canova is a “good candidate”"); else a weaker clause
    subject, in its clause then in its sentence."""
    q = quotes[i]
    sentence_start = doc.sent_starts[q.sentence]
    found = _naming_subject(doc, quotes, i, sentence_start, cues) \
        or _clause_attribution(doc, quotes, i, before_start, cues, p, weak=False)
    if (found is None or not _is_verb_form(found[1], cues)) and sentence_start < before_start:
        # (a clause subject whose verb reports nothing is inside the sentence's reported content: "Ted Cruz
        # says his “friend and colleague” Marco Rubio ran “an optimistic campaign”")
        before = _attribution_before(doc, sentence_start, q.open_mark, cues, p)
        found = before[:2] if before is not None else found
    if found is None:
        found = _clause_attribution(doc, quotes, i, before_start, cues, p)
    if found is None and sentence_start < before_start:
        found = _clause_attribution(doc, quotes, i, sentence_start, cues, p)
    return found


def _naming_subject(doc: _Doc, quotes: list[_Quote], i: int, sentence_start: int, cues: _Cues
                    ) -> Attribution | None:
    """Name-calling ("X called Y a “Z”"): the subject of the last naming verb before the quote in its
    sentence, not the sentence's first subject ("..., Bannon, who Beck on Wednesday called “...”", "...,
    Mike Pence, who called their son “an American hero.”"): the mention right before the verb (past
    auxiliaries, adverbs, a time), or the "who" of "NAME, who called"; not a pronoun (an embedded "what he
    calls" is the main clause's subject's, see `_named_antecedent`), not a possessive ("Sanders' call"),
    not inside reported content ("reports that Trump called")."""
    q = quotes[i]
    previous = max((x.close_mark or x.end for x in quotes[:i] if x.open_mark >= sentence_start), default=sentence_start)
    tokens = _tokens(doc.text, previous, q.open_mark)         # after the sentence's last quote before this one
    v = _naming_verb_at(tokens, cues)
    k = _before_verb_modifiers(tokens, v, cues) if v is not None else 0
    if v is None or k == 0:
        return None
    if k >= 2 and tokens[k - 1].low == "who" and tokens[k - 2].text == ",":      # "Mike Pence, who called"
        return [tokens[k - 1]], tokens[v]
    end = tokens[k - 1].end
    mention = next((m for m in doc.entities_in(end - 1, end) if m[1] == end and m[2] in CLAUSE_SUBJECT_LABELS), None)
    if mention is None or doc.text[mention[1]:mention[1] + 1] in ("’", "'"):      # "Sanders' call for"
        return None
    before = [t for t in tokens[:k] if t.start < mention[0]]
    if before and before[-1].low == "that":      # reported content: "she pointed to reports that Trump called"
        return None
    return _join_name_dots(_tokens(doc.text, mention[0], mention[1]), cues), tokens[v]


def _naming_verb_at(tokens: list[_Token], cues: _Cues) -> int | None:
    """The index of the last lower-case naming verb that is no participle, when at most nine tokens and no
    clause punctuation separate it from the end (its object: "called the 12-nation TPP pact")."""
    v = next((k for k in range(len(tokens) - 1, -1, -1) if tokens[k].low in cues.naming
              and tokens[k].text.islower() and not tokens[k].low.endswith("ing")), None)
    if v is None or len(tokens) - v > 10 or any(t.text in ",;:.!?()—–" for t in tokens[v + 1:]):
        return None
    return v


def _before_verb_modifiers(tokens: list[_Token], v: int, cues: _Cues) -> int:
    """Where the subject of the verb at v ends: before it, past auxiliaries, adverbs and a time."""
    k = v
    while k > 0 and (tokens[k - 1].low in AUXILIARIES or tokens[k - 1].low in cues.skip
                     or (tokens[k - 1].low.endswith("ly") and len(tokens[k - 1].low) > 4)):
        k -= 1
    k -= _time_before(tokens[:k], cues)
    if k > 2 and tokens[k - 1].text == ")":             # "Paul Ryan (R-Wis.) on Tuesday called"
        opening = next((j for j in range(k - 2, max(0, k - 8), -1) if tokens[j].text == "("), None)
        k = opening if opening is not None else k
    return k


def _time_before(tokens: list[_Token], cues: _Cues) -> int:
    """How many tokens at the end are a time ("on Wednesday", "on Monday night"): 0 when none."""
    for n in (3, 2):
        if len(tokens) > n and tokens[-n].low in cues.time_prepositions and tokens[-n].text.islower() \
                and _time_end(tokens[-n:] + [tokens[-1]], cues) >= n:
            return n
    return 0


def _colon_subject(doc: _Doc, quotes: list[_Quote], start: int, open_mark: int, cues: _Cues
                   ) -> tuple[list[_Token], _Token, bool] | None:
    """"Cruz called them on it:" then the quote: the subject of the sentence that introduces it, when a
    verb-like word follows it (speaker words, that word, not adjacent)."""
    for s, e in _subject_candidates(doc, quotes, start, open_mark, cues):
        words = _join_name_dots(_tokens(doc.text, s, e), cues)
        after = [t for t in _tokens(doc.text, e, min(open_mark, e + 40)) if t.low not in cues.skip]
        if words and after and _looks_like_verb(after[0], cues):
            return words, after[0], False
    return None


def _is_verb_form(t: _Token | None, cues: _Cues, auxiliary: bool = False) -> bool:
    """A lower-case form of a reporting, stance or naming verb (with `auxiliary`, or an auxiliary)."""
    return t is not None and t.text.islower() and (
        t.low in cues.verbs or t.low in cues.naming or t.low in cues.stance_verbs or t.low in cues.that_verbs
        or (auxiliary and t.low in AUXILIARIES))


def _looks_like_verb(t: _Token, cues: _Cues) -> bool:
    """A lower-case word that can follow a subject as its verb ("called", "admires", "has"), not the noun
    a modifier qualifies ("Islamic terror", "GOP candidate"), a preposition ("Ohio in") or a copula: the
    subject of "is" is described, not speaking ("Canova is a “good candidate”")."""
    return t.is_word and t.text.islower() and t.low not in cues.speaker_end and t.low not in cues.copulas and (
        t.low in cues.verbs or t.low in cues.speaker_stop or t.low in cues.irregular
        or t.low.endswith(("ed", "es", "s")) and len(t.low) > 3)


# the sentence goes on in lower case after the mark (the lookbehind tries each run of blanks once: linear)
SUBJECT_TERM_AFTER_RE = re.compile(r"(?<![ \t])[ \t]++[a-z]")


def _opens_as_subject(q: _Quote, text: str) -> bool:
    """A short quote that opens its sentence with no punctuation of its own, the sentence going on in lower
    case right after its closing mark: the sentence's subject, a term in quotes."""
    if q.close_mark is None or re.search(r"[.,!?;:…]", text[q.start:q.end]):
        return False
    return SUBJECT_TERM_AFTER_RE.match(text, q.close_mark + 1) is not None


def _kind(q: _Quote, text: str, starts_sentence: bool, adjacent: bool, attributed: bool, cues: _Cues,
          p: QuotesParams) -> str:
    if starts_sentence or adjacent:
        return "direct"
    if attributed:
        return "partial"
    if _is_title(text[q.start:q.end], cues):
        return "title"
    return "partial" if q.n_words >= p.min_partial_words else "scare"


def _attribute(doc: _Doc, quotes: list[_Quote], i: int, cues: _Cues, p: QuotesParams) -> None:
    """Set quote i's kind and, for a direct or partial quote with an attribution, its speaker and verb."""
    q = quotes[i]
    before_start = _clause_start(doc, quotes, i)
    starts_sentence = _opens_sentence(doc, before_start, q.open_mark, cues)
    if _governed_title(doc, q, before_start, cues):
        q.kind = "title"                 # "on CNN’s “New Day,” Sen. X (D-NY) told": a show's name
        return
    found, adjacent, attribution = _find_attribution(doc, quotes, i, before_start, starts_sentence, cues, p)
    if found is None and not starts_sentence:
        found, attribution = _embedded_attribution(doc, quotes, i, before_start, cues, p), "clause"
        if found is not None and found[1].low not in cues.verbs and found[1].low not in cues.naming \
                and _is_title(doc.text[q.start:q.end], cues):
            found = None                 # "She starred in “The Art of War”": a title, not name-calling
        if found is None:
            found = _statement_around(doc, q, cues, p)
    if found is None and starts_sentence:
        found, attribution = _quoted_turn(doc, q), "transcript"
        adjacent = found is not None
    if found is None and starts_sentence and q.n_words < p.min_partial_words and _opens_as_subject(q, doc.text):
        q.kind = "scare"   # "“Humidifier lung” may result from ...": a term the sentence is about, not speech
        return
    if found is None and starts_sentence:
        found, attribution = _previous_sentence_speaker(doc, quotes, q, cues, p), "previous_sentence"
    q.kind = _kind(q, doc.text, starts_sentence, adjacent, found is not None, cues, p)
    if found is None or q.kind not in ("direct", "partial"):
        return
    words, verb = found
    q.attribution = attribution
    q.attributed = True
    q.verb = verb.text.lower()
    q.speaker, q.speaker_kind, q.speaker_span = _resolve_speaker(doc, quotes, q, words, cues, p)


def _opens_sentence(doc: _Doc, start: int, open_mark: int, cues: _Cues) -> bool:
    """Whether a quote opens its sentence: nothing but dashes before it, or a sentence adverb or a
    conjunction ("Instead, “he just acts like a defeated man.”", "But “Donald Trump’s candidacy is ...”")."""
    head = doc.text[start:open_mark].strip(" \t—–-")
    if not head:
        return True
    words = _tokens(doc.text, start, open_mark)
    return 0 < len(words) <= 3 and words[0].text[0].isupper() and all(
        not t.is_word or t.low in cues.intro_adverbs or t.low in cues.coordinators for t in words)


def _quote_lists(doc: _Doc, quotes: list[_Quote], cues: _Cues) -> None:
    """Quotes in a row, one sentence, only commas and "and" between them, are items of one list, and each
    item after the first opened its own clause, so it read as a direct quote of its own. The first item
    decides: a title makes a list of works ("hits including “Listen To The Music,” “Black Water,” “China
    Grove” and ...", "(“The Discovery,” “The One I Love”)"), and so does a run of title-cased quotes nobody
    is said to say; an attributed first item lends its kind and speaker to the rest (names called: "cited
    his references to her as “Miss Piggy” and “Miss Housekeeping”")."""
    def listed(a: _Quote, b: _Quote) -> bool:
        return a.close_mark is not None and a.sentence == b.sentence and \
            LIST_GAP_RE.fullmatch(doc.text, a.close_mark + 1, b.open_mark) is not None

    k = 0
    while k < len(quotes):
        run = k + 1
        while run < len(quotes) and listed(quotes[run - 1], quotes[run]):
            run += 1
        first, rest = quotes[k], quotes[k + 1:run]
        titled = [_is_title(doc.text[q.start:q.end], cues) for q in quotes[k:run]]
        if rest and all(titled) and (first.kind == "title" or not first.attributed):
            for q in quotes[k:run]:
                q.kind, q.verb, q.speaker, q.speaker_kind, q.speaker_span = "title", None, None, None, None
                q.attribution, q.attributed = None, False
        elif rest and first.attributed and first.kind in ("direct", "partial"):
            for q in rest:
                q.kind, q.verb, q.speaker, q.speaker_kind = first.kind, first.verb, first.speaker, first.speaker_kind
                q.speaker_span, q.attribution, q.attributed = first.speaker_span, first.attribution, False
        k = run


def _doc_quotes(doc: _Doc, p: QuotesParams) -> list[_Quote]:
    cues = _cues()
    quotes = _quote_spans(doc)
    for i in range(len(quotes)):
        _attribute(doc, quotes, i, cues, p)
    _quote_lists(doc, quotes, cues)
    _group(quotes, doc.text)
    _fill_open_parts(quotes)
    if p.inherit_across_paragraphs:
        _inherit_across_paragraphs(quotes, doc.text)
    if p.indirect_speech:
        quotes.extend(_indirect_statements(doc, quotes, cues, p))
    return quotes


# ------------------------------------------------------------------------------------ indirect speech

def _indirect_statements(doc: _Doc, quotes: list[_Quote], cues: _Cues, p: QuotesParams) -> list[_Quote]:
    """Reported speech without quotation marks, one row per sentence that has no quotation: "Officials
    said the talks would resume", "The talks will resume, he said.", "According to X, ...". Its kind is
    "indirect", its start/end the reported content, its speaker found and resolved as a quote's."""
    marked = _quoted_sentences(doc, quotes)
    group = max((q.group for q in quotes), default=-1)
    out: list[_Quote] = []
    for si, (s_start, s_end) in enumerate(zip(doc.sent_starts, doc.sent_ends)):
        s_end = min(s_end, len(doc.text))       # a sentence table out of step with the text: no overrun
        if si in marked or s_end <= s_start or (out and s_start < out[-1].end):
            continue
        found = _transcript_turn(doc, s_start, cues) or _statement_in(doc, s_start, s_end, cues, p)
        if found is None:
            continue
        (c_start, c_end), words, verb, where = found
        c_start, c_end = _trim(doc.text, c_start, c_end)
        n_words = len(WORD_COUNT_RE.findall(doc.text, c_start, c_end))
        if n_words < p.min_indirect_words:
            continue
        group += 1
        q = _Quote(c_start, c_end, c_start, c_end, 0, si, n_words=n_words, kind="indirect", attribution=where,
                   attributed=True, group=group, verb=verb.text.lower())
        if words:
            q.speaker, q.speaker_kind, q.speaker_span = _resolve_speaker(doc, quotes + out, q, words, cues, p)
        out.append(q)
    return out


def _statement_around(doc: _Doc, q: _Quote, cues: _Cues, p: QuotesParams) -> Attribution | None:
    """The speaker of the reported speech whose content holds an embedded quote, found as an indirect
    statement's ("Trump mocked Marco Rubio for “having a tough night”", "It was, Lopez said, “a fine day”")."""
    s_start, s_end = doc.sent_starts[q.sentence], min(doc.sent_ends[q.sentence], len(doc.text))
    found = _statement_in(doc, s_start, s_end, cues, p) if s_end > s_start else None
    if found is None:
        return None
    (c_start, c_end), words, verb, _ = found
    return (words, verb) if words and c_start <= q.open_mark and q.end <= c_end else None


def _previous_sentence_speaker(doc: _Doc, quotes: list[_Quote], q: _Quote, cues: _Cues, p: QuotesParams
                               ) -> Attribution | None:
    """A quote with no attribution of its own opening a sentence right after one that reports what someone
    said, without quotation marks ("Kerry said that 100,000 would be accepted. “That adds up to ...”",
    "Professor Ann Lee agreed. “...”", "..., Schiff said.\n\n“...”", "Howard continued his remarks. “...”"):
    that someone, who goes on speaking. A stray mark that opens no quote there does not count as a quote
    ("” … they are so not like him,” she said in December. “...”")."""
    if q.sentence == 0:
        return None
    s_start, s_end = doc.sent_starts[q.sentence - 1], min(doc.sent_ends[q.sentence - 1], q.open_mark)
    # a quote in that sentence, or right before it (“... votes?” Trump said.), is one this one continues
    before = len(doc.text[:s_start].rstrip())
    before = before - 1 if before > 0 and "\n" not in doc.text[before:s_start] else s_start
    if s_end <= s_start or any(before <= x.open_mark < s_end or (
            x.close_mark is not None and before <= x.close_mark < s_end) for x in quotes):
        return None
    found = _statement_in(doc, s_start, s_end, cues, p)
    if found is None:
        end = s_end
        while end > s_start and doc.text[end - 1] in " .!?\n":
            end -= 1
        tokens = _join_name_dots(_tokens(doc.text, s_start, end), cues)
        comma = max((k + 1 for k, t in enumerate(tokens) if t.text == ","), default=0)
        tail = _tail_statement(tokens[comma:], cues, p)        # "Professor Ann Lee agreed."
        return tail if tail is not None and tail[0] else _subject_then_reporting_verb(tokens, cues, p)
    _, words, verb, _ = found
    return (words, verb) if words and verb.text != ":" else None


def _subject_then_reporting_verb(tokens: list[_Token], cues: _Cues, p: QuotesParams) -> Attribution | None:
    """A sentence opening with its subject then a reporting verb, whatever follows ("Howard continued his
    scathing remarks.", "Schoen elaborated in an editorial piece that ..."): the subject and the verb."""
    words = _first_subject(tokens, cues, p.max_speaker_words)
    if not words:
        return None
    k = next((k for k, t in enumerate(tokens) if t.start >= words[-1].end), len(tokens))
    while k < len(tokens) and tokens[k].low in cues.skip:
        k += 1
    verb = tokens[k] if k < len(tokens) else None
    if verb is None or not verb.text.islower():
        return None
    if verb.low in cues.verbs:
        return words, verb
    # any verb when the subject is a name and the sentence is short ("Trump did not hold back.")
    short = len(tokens) <= 8 and words[0].text[0].isupper() and words[0].low not in cues.determiners \
        and words[0].low not in ("why", "how", "where") and tokens[-1].text != "?"
    return (words, verb) if short and (_looks_like_verb(verb, cues) or verb.low in AUXILIARIES) else None


def _quoted_turn(doc: _Doc, q: _Quote) -> Attribution | None:
    """A transcript turn inside quotation marks, “PENCE: Well, look, ...”: the name in capitals, when a
    person of the document has it as surname, is the speaker."""
    m = TRANSCRIPT_TURN_RE.match(doc.text, q.start)
    if m is None or not _names_a_person(doc, m.group(1)):
        return None
    return _tokens(doc.text, m.start(1), m.end(1)), _Token(":", m.end(1), m.end(1) + 1)


def _names_a_person(doc: _Doc, name: str) -> bool:
    surname = name.split()[-1].upper()
    return any(label in PERSON_LABELS and canonical.split()[-1].upper() == surname
               for _, _, label, canonical, _ in doc.entities)


def _quoted_sentences(doc: _Doc, quotes: list[_Quote]) -> set[int]:
    """Sentences that are mostly direct quotation (half of their characters or more): no indirect row. In
    the others the reported content may hold a short quote ('Obama said “it gets me mad” every time he
    thinks about the 20 first-graders who were killed')."""
    quoted: dict[int, int] = {}
    for q in quotes:
        if q.kind != "direct":
            continue
        for si in range(doc.sentence_at(q.start), doc.sentence_at(max(q.start, q.end - 1)) + 1):
            overlap = min(q.end, doc.sent_ends[si]) - max(q.start, doc.sent_starts[si])
            quoted[si] = quoted.get(si, 0) + max(overlap, 0)
    return {si for si, n in quoted.items() if 2 * n >= doc.sent_ends[si] - doc.sent_starts[si]}


def _transcript_turn(doc: _Doc, s_start: int, cues: _Cues
                     ) -> tuple[tuple[int, int], list[_Token], _Token, str] | None:
    """A transcript turn, "TAPPER: Do you think ...", opening a paragraph: the name in capitals is the
    speaker when it is the surname of a person the document names (so "UPDATE:" or "EDITOR'S NOTE:" are
    not), the rest of the paragraph its words (attribution "transcript")."""
    text = doc.text
    if s_start > 0 and text[s_start - 1] != "\n":
        return None
    m = TRANSCRIPT_TURN_RE.match(text, s_start)
    if m is None:
        return None
    if not _names_a_person(doc, m.group(1)):
        return None
    line_end = text.find("\n", m.end())
    words = _tokens(text, m.start(1), m.end(1))
    return (m.end(), len(text) if line_end < 0 else line_end), words, _Token(":", m.end(1), m.end(1) + 1), \
        "transcript"


def _statement_in(doc: _Doc, s_start: int, s_end: int, cues: _Cues, p: QuotesParams
                  ) -> tuple[tuple[int, int], list[_Token], _Token, str] | None:
    """(content span, speaker words, cue, "after"/"before") of one sentence's reported speech, or None."""
    text = doc.text
    end = s_end
    while end > s_start and text[end - 1] in " .!?\n":
        end -= 1
    tokens = _join_name_dots(_tokens(text, s_start, end), cues)
    found = _punctuated_statement(tokens, s_start, end, cues, p)
    if found is not None:
        return found
    if len(tokens) > 3 and tokens[0].low == "according" and tokens[1].low == "to":
        speaker = _according_to(tokens, 0, cues, p.max_speaker_words)
        cut = next((t for t in tokens[2:] if t.text == ","), None)
        if speaker and cut is not None:
            return (cut.end, end), speaker, _according_token(tokens, 0), "before"
    return _verb_statement(tokens, end, cues, p) or _in_document_statement(tokens, end, cues, p)


def _in_document_statement(tokens: list[_Token], end: int, cues: _Cues, p: QuotesParams
                           ) -> tuple[tuple[int, int], list[_Token], _Token, str] | None:
    """"In an NBC News poll released Monday, 50 percent chose Clinton": a sentence opening with "In" and a
    determined phrase whose head is a document or a speech (`source_document_nouns`) up to its comma; the
    phrase is the source, the rest of the sentence the content."""
    if len(tokens) < 5 or tokens[0].low != "in" or tokens[1].low not in cues.noun_determiners:
        return None
    cut = next((k for k, t in enumerate(tokens[:2 + p.max_speaker_words]) if t.text == ","), None)
    if cut is None or cut + 1 >= len(tokens) or not any(t.low in cues.document_nouns for t in tokens[2:cut]):
        return None
    return (tokens[cut + 1].start, end), tokens[1:cut], _Token("in", tokens[0].start, tokens[0].end), "before"


def _punctuated_statement(tokens: list[_Token], s_start: int, end: int, cues: _Cues, p: QuotesParams
                          ) -> tuple[tuple[int, int], list[_Token], _Token, str] | None:
    """An attribution set off by a comma or dash, the last one first: "The talks will resume, officials said
    (on Friday).", "... robbery — according to the most recent data."; or between two commas, inside its
    content: "It was impossible, Gabuyev said, so Russia's leaders decided ..." (the content span is then
    the whole sentence, the attribution inside it)."""
    for k in range(len(tokens) - 2, 0, -1):
        if tokens[k].text not in ",—–":
            continue
        rest = tokens[k + 1:]
        nxt = next((j for j, t in enumerate(rest) if t.text == ","), len(rest))
        found = _tail_statement(rest[:nxt], cues, p)
        if found is not None:
            return (s_start, tokens[k].start if nxt == len(rest) else end), found[0], found[1], "after"
    # a subject with an appositive up to the sentence end, from the first comma: "..., the White House
    # spokesman, Josh Earnest, said on Thursday."
    for k in range(1, len(tokens) - 2):
        if tokens[k].text == "," and sum(t.text == "," for t in tokens[k + 1:]) >= 1:
            found = _tail_statement(tokens[k + 1:], cues, p)
            if found is not None:
                return (s_start, tokens[k].start), found[0], found[1], "after"
    return None


def _tail_statement(tokens: list[_Token], cues: _Cues, p: QuotesParams) -> Attribution | None:
    """", officials said." / ", said the official." / ", according to X." ending a sentence."""
    if len(tokens) > 2 and tokens[0].low == "according" and tokens[1].low == "to":
        speaker = _according_to(tokens, 0, cues, p.max_speaker_words)
        return (speaker, _according_token(tokens, 0)) if speaker else None
    found = _verb_first(tokens, cues, p.max_speaker_words) or _speaker_first(tokens, cues, p.max_speaker_words)
    if found is None:
        return None
    verb_at = next(k for k, t in enumerate(tokens) if t is found[1])
    rest = [t for t in tokens[verb_at + 1:] if t.start >= found[0][-1].end]
    if rest and cues.verbs.get(found[1].low) == "tell":
        # the addressee: "he told me", "she told reporters", "told an audience at the Brookings Institution"
        addressee = next((k for k, t in enumerate(rest) if not t.is_word or t.low in cues.speaker_end), len(rest))
        rest = rest[addressee:] if 0 < addressee <= 4 else rest
    # only a time, place or channel may follow the attribution ("he said on Friday", "in a statement")
    return found if not rest or (len(rest) <= p.max_speaker_words and rest[0].low in cues.speaker_end) else None


def _complementizer_after(tokens: list[_Token], v: int, cues: _Cues) -> int | None:
    """Index of the "that"/"whether" opening the content of the verb tokens[v] (a reporting verb may have
    a short object before it: "told reporters that"; a verb of `that_verbs` needs it right after), or None."""
    reach = v + 6 if tokens[v].low in cues.verbs else v + 3
    that = next((k for k in range(v + 1, min(reach, len(tokens))) if tokens[k].low in cues.complementizers), None)
    if that is not None and any(not x.is_word for x in tokens[v + 1:that]):
        return None
    return that


def _is_content_verb(tokens: list[_Token], v: int, cues: _Cues) -> bool:
    """Whether tokens[v] is a lower-case verb form that may introduce reported content (a reporting verb,
    a verb of `that_verbs` or `stance_verbs`), used as a verb."""
    t = tokens[v]
    known = t.low in cues.verbs or t.low in cues.that_verbs or t.low in cues.stance_verbs
    return known and t.text.islower() and not _is_noun_use(tokens, v, cues, after_preposition=False)


def _verb_statement(tokens: list[_Token], end: int, cues: _Cues, p: QuotesParams
                    ) -> tuple[tuple[int, int], list[_Token], _Token, str] | None:
    """"X said (that) ...": the first reporting verb with a speaker; the content runs from after the verb
    (past "that", or past a short object then "that": "told reporters that") to the sentence end. A verb
    other than those in `indirect_verbs` or `stance_verbs` needs the "that"."""
    for v, t in enumerate(tokens[:-2]):
        if not _is_content_verb(tokens, v, cues):
            continue
        that = _complementizer_after(tokens, v, cues)
        without_that = (t.low in cues.stance_verbs or cues.verbs.get(t.low) in cues.indirect_verbs) \
            and t.low not in cues.noun_like
        if that is None and not (without_that and tokens[v + 1].is_word):
            continue
        speaker = _speaker_of_verb(tokens, v, cues, p.max_speaker_words)
        if speaker is None and v > 0 and tokens[v - 1].text == ",":     # "Paul Porter, a truck driver, said"
            speaker = _subject_before(tokens[:v], v, cues, p.max_speaker_words)
        # a subject that is no speaker ("Six in 10 say ...", "Those in favor say ..."), or none found: the
        # statement stands, its source unknown
        if speaker is None and v == 0:
            continue
        start = tokens[that + 1].start if that is not None and that + 1 < len(tokens) else tokens[v + 1].start
        return (start, end), speaker or [], t, "before"
    return _opening_participle(tokens, end, cues)


def _opening_participle(tokens: list[_Token], end: int, cues: _Cues
                        ) -> tuple[tuple[int, int], list[_Token], _Token, str] | None:
    """A participle of a cue verb opening the sentence, no speaker found after it: "Asked whether he
    would pay the fees, ..." (the content: the rest of the sentence, its source unknown)."""
    first = tokens[0] if len(tokens) > 2 else None
    if first is not None and first.text[0].isupper() and first.low.endswith("ed") and tokens[1].is_word and (
            first.low in cues.verbs or first.low in cues.that_verbs or first.low in cues.stance_verbs):
        return (tokens[1].start, end), [], first, "before"
    return None


# ------------------------------------------------------------------------- split and continued quotes

def _continues(prev: _Quote, q: _Quote, text: str) -> bool:
    """Whether direct quote q continues the direct quote before it: an unattributed part of the same
    paragraph (“A,” he said. “B.”), or the next paragraph of a quote left open (news style: every
    paragraph of a long quote opens with a mark, only the last one closes)."""
    if q.kind != "direct" or prev.kind != "direct" or q.attribution == "transcript":
        return False              # a transcript turn names its own speaker ("WALLACE: ..." then "PENCE: ...")
    if prev.paragraph == q.paragraph and not q.attributed:
        return True
    return prev.close_mark is None and text.count("\n", prev.open_mark, q.open_mark) <= 2 and \
        text[text.rfind("\n", 0, q.open_mark) + 1:q.open_mark].strip() == ""


def _group(quotes: list[_Quote], text: str) -> None:
    """Number the quote groups; a continuation takes the speaker of the part before it."""
    group = -1
    for i, q in enumerate(quotes):
        prev = quotes[i - 1] if i else None
        if prev is not None and prev.kind == "title" and i > 1 and quotes[i - 2].paragraph == q.paragraph:
            prev = quotes[i - 2]          # “A,” she said on MSNBC’s “Morning Joe.” “B.”: B continues A
        same_group = prev is not None and _continues(prev, q, text)
        if not same_group:
            group += 1
        q.group = prev.group if same_group and prev is not None else group
        if same_group and prev is not None and prev.speaker_kind is not None and not q.attributed:
            _copy_speaker(prev, q, "continuation")   # a part with an attribution of its own keeps it


def _fill_open_parts(quotes: list[_Quote]) -> None:
    """A part left open at a paragraph end takes the speaker of a later part of its group."""
    for i in range(len(quotes) - 2, -1, -1):
        q, nxt = quotes[i], quotes[i + 1]
        if q.group == nxt.group and q.speaker_kind is None and nxt.speaker_kind is not None:
            _copy_speaker(nxt, q, "continuation")


def _inherit_across_paragraphs(quotes: list[_Quote], text: str) -> None:
    """A paragraph opening with an unattributed quote right after a paragraph whose last quote had a
    speaker takes that speaker."""
    for i, q in enumerate(quotes):
        if q.kind != "direct" or q.speaker_kind is not None or i == 0:
            continue
        line_start = text.rfind("\n", 0, q.open_mark) + 1
        if text[line_start:q.open_mark].strip():
            continue
        prev = quotes[i - 1]
        gap = text[prev.end:line_start]
        # the previous quote is in the paragraph just before this one (blank lines only between)
        previous_end = len(text[:line_start].rstrip("\n"))
        previous_start = text.rfind("\n", 0, previous_end) + 1
        if (prev.kind == "direct" or _ends_with_partial(prev, text)) and prev.speaker_kind is not None \
                and gap.count("\n") <= 2 and \
                text.count("\n", prev.open_mark, line_start) <= 2 and previous_start <= prev.open_mark <= line_start:
            _copy_speaker(prev, q, "previous_paragraph")


def _ends_with_partial(q: _Quote, text: str) -> bool:
    """A partial quote that ends its sentence and its paragraph: its speaker may go on in a quote opening the
    next paragraph ("Trump shot back, saying he's “made a lot of money in down markets.”\n\n“Frankly, ...”")."""
    line_end = text.find("\n", q.end)
    return q.kind == "partial" and q.close_mark is not None and text[q.start:q.end].endswith((".", "?", "!")) \
        and not text[q.close_mark + 1:line_end if line_end >= 0 else len(text)].strip()


def _copy_speaker(source: _Quote, target: _Quote, how: str) -> None:
    target.speaker, target.speaker_kind, target.verb = source.speaker, source.speaker_kind, source.verb
    target.speaker_span, target.attribution = source.speaker_span, how


# ----------------------------------------------------------------------------- a batch of documents

def _has_quote_mark(text: str | None) -> bool:
    return bool(text) and ("“" in text or '"' in text)


def _entities_by_doc(entities: pl.DataFrame, doc_ids: list[str]) -> dict[str, list[Entity]]:
    """Mentions of the documents doc_ids, grouped by document in (start, end) order."""
    out: dict[str, list[Entity]] = {}
    cols = entities.select("doc_id", "start", "end", "label",
                           pl.coalesce("canonical", "text").alias("canonical"), "text").sort(["doc_id", "start", "end"])
    cols = cols.filter(pl.col("doc_id").is_in(doc_ids))     # after the sort: the same order as without it
    for doc_id, start, end, label, canonical, text in zip(*(cols[c].to_list() for c in cols.columns)):
        out.setdefault(doc_id, []).append((start, end, label, canonical, text))
    return out


def _sentences_by_doc(sentences: pl.DataFrame, doc_ids: list[str]) -> dict[str, tuple[list[int], list[int], list[str]]]:
    """doc_id -> (sentence starts, ends, sent_ids) in text order."""
    out: dict[str, tuple[list[int], list[int], list[str]]] = {}
    ordered = sentences.select("doc_id", "sent_id", "start", "end").sort(["doc_id", "start"])
    ordered = ordered.filter(pl.col("doc_id").is_in(doc_ids))
    for doc_id, sent_id, start, end in zip(*(ordered[c].to_list() for c in ordered.columns)):
        entry = out.setdefault(doc_id, ([], [], []))
        entry[0].append(start)
        entry[1].append(end)
        entry[2].append(sent_id)
    return out


def _quote_row(doc_id: str, doc: _Doc, q: _Quote, verbs: dict[str, str]) -> dict[str, Any]:
    span = q.speaker_span
    return {"doc_id": doc_id, "sent_id": doc.sent_ids[q.sentence], "start": q.start, "end": q.end,
            "quote": doc.text[q.start:q.end], "speaker": q.speaker, "verb": q.verb,
            "verb_lemma": verbs.get(q.verb, q.verb) if q.verb else None, "kind": q.kind,
            "speaker_kind": q.speaker_kind, "speaker_text": doc.text[span[0]:span[1]] if span else None,
            "speaker_start": span[0] if span else None, "speaker_end": span[1] if span else None,
            "attribution": q.attribution, "quote_group": q.group, "n_words": q.n_words,
            "closed": q.close_mark is not None}


def _docs_with_quote_marks(docs: pl.DataFrame, sentences: pl.DataFrame, entities: pl.DataFrame,
                           every: bool = False) -> Iterator[tuple[str, _Doc]]:
    """Only documents with a quotation mark can have quotes (`every`: indirect speech may be anywhere):
    theirs, with their sentences and mentions."""
    quoted = [d for d, text in zip(docs["doc_id"].to_list(), docs["text"].to_list())
              if every and text or _has_quote_mark(text)]
    ents = _entities_by_doc(entities, quoted)
    sents = _sentences_by_doc(sentences, quoted)
    authors = docs["authors"].to_list() if "authors" in docs.columns else [None] * docs.height
    for doc_id, text, byline in zip(docs["doc_id"].to_list(), docs["text"].to_list(), authors):
        if not (every and text or _has_quote_mark(text)) or doc_id not in sents:
            continue
        starts, ends, ids = sents[doc_id]
        doc_entities = ents.get(doc_id, [])
        yield doc_id, _Doc(text, starts, ends, ids, doc_entities, [e[0] for e in doc_entities],
                           _author_name(byline))


def _author_name(byline: list[str] | None) -> str:
    """The document's authors as one speaker name ("A and B", "A, B and C"), AUTHOR when it names none."""
    names = [n.strip() for n in byline or [] if n and n.strip()]
    if not names:
        return AUTHOR
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def extract_quotes(docs: pl.DataFrame, sentences: pl.DataFrame, entities: pl.DataFrame,
                   params: QuotesParams) -> pl.DataFrame:
    """One row per quotation span (a split quote gives one row per part, sharing quote_group;
    schemas.tag.Quotes)."""
    verbs = quote_verbs()
    rows = [_quote_row(doc_id, doc, q, verbs)
            for doc_id, doc in _docs_with_quote_marks(docs, sentences, entities, params.indirect_speech)
            for q in _doc_quotes(doc, params)]
    return rows_frame(rows, Quotes, ["doc_id", "start"])
