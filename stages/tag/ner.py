"""Named entities: the pinned spaCy model, NER only, plus a rule layer for what the small model gets wrong in news.

The unit of work is one text (a sentence, as the stage passes it): `tag_texts` is a pure function of
(text, model, params, this code and its data files), so results can be cached by text content.

`build_nlp` loads the model with only its `ner` component (en_core_web_sm's NER has its own embedding
layer, so the shared tok2vec, tagger, parser, attribute ruler and lemmatizer are all excluded), then adds
one component, `news_entity_rules`, that edits `doc.ents`:

- a score or figure ending a person, organisation or place span is trimmed ("A. Smith 5-68", "Kent 108-3");
- spans are cut at line breaks (scraped headlines and section labels glued into one span);
- name spans (PERSON, ORG, GPE, ...) without a single capital letter are dropped ("monthslong" as GPE), and
  function words and possessives at their end are trimmed ("Rome Talks Aim for Cease-Fire as", "Hong
  Kong's"), and so are lower-case common nouns at the end of a person, group, organisation or place
  ("Interfax news agency" -> "Interfax");
- in a headline (a line in Title Case without a final full stop) the model sees every word as a name:
  long or glued spans ("Hamas Face Stubborn Negotiation Challenges", "WorldNegotiations") are cut down to
  a leading name the gazetteer or the alias/demonym lists know, or dropped;
- a leading "the" is the article, not the name ("the Commerce Department" -> "Commerce Department"); a
  capital "The" inside a sentence stays ("The Hague", "The New York Times"), and so does a sentence-initial
  one when "The ..." is a known name or a place that is not named without it;
- titles and honorifics are trimmed off the front of PERSON spans ("President Biden" -> "Biden"), and a
  span lying inside a multi-word title is dropped ("State" in "Secretary of State"), from `data/titles.txt`;
- a PERSON span followed by a name particle and a capitalised word is extended ("Mohammed bin Abdulrahman"
  + "Al Thani"), and two PERSON spans with only particles between are one ("Cor van" + "der" + "Klugt"),
  from `data/name_particles.txt`;
- an ORG ending in an organisation head noun, then "of", then a place or organisation, is one ORG
  ("Federal Reserve Bank" + "of" + "New York"), from `data/org_heads.txt`;
- a DATE (or TIME) made of bare numbers none of which is a plausible year ("73", an age; "3 1 1 1" in a
  standings row) becomes CARDINAL;
- an initial and a capitalised surname standing alone ("P. Simmons 4-38", "W. Athey") is a PERSON, tagged
  where the model missed it (scorecards, lists) or relabelled from ORG or a place; not "W. Va.", "J.P.
  Morgan", "J. Walter Thompson" or the middle initial of "Harry S. Truman";
- an ORG span whose text is a country becomes GPE (the country standing for its government or its
  national team is still the country, as OntoNotes and CoNLL annotate it);
- a PERSON or NORP span whose text is a place in the gazetteer ("Khan Younis" as PERSON, "Rafah" as NORP)
  becomes a place. One-word PERSON spans need stronger evidence and no title before them ("Mr. Paris"):
  a country, a reviewed place, or a city of at least `relabel_min_population` right after a locative
  preposition (`data/place_prepositions.txt`: "from Rotterdam", but "Henderson told" stays a person);
- every name in `data/places.tsv` (reviewed places the model does not know, "Al Mawasi", "Kerem Shalom") is
  tagged with its listed label, replacing an overlapping model span unless the model's contains it;
- in a results line, two or more "NAME SCORE" units in a row ("Partick 1 St Mirren 1", "Minnesota 6
  MILWAUKEE 1", "Benetton (Italy) 92 Dinamo (Russia) 81", a standings row "Falkirk 3 1 1 1 4"), each NAME
  is a team: ORG, tagged where the model missed it, relabelled where it took a county or city for a place
  ("Surrey 429-7"), when at least half of the chain's names look like clubs (a city or county, or what the
  model took for a place or organisation: a leaderboard "Els 66 Woods 67" is left alone). A country stays
  a place (national sides), and people stay people (a several-word PERSON, a name that starts with a
  listed first name: the scorers "C. Lewis 80, M. Butcher 70").

Everything here is per text and cheap next to the network: see bench/tag.py for the measured overhead.
"""
from __future__ import annotations

import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Iterable

import stages.tag.spacy_without_cli  # noqa: F401  (first: spaCy without its command line, see there)
import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans

from schemas.params import Entities as EntitiesParams
from schemas.params import Tag as TagParams
from stages.common import StageError, progress
from stages.common.cache import RowsCache
from stages.common.datafiles import load_words
from stages.tag import DATA_DIR
from stages.tag.canonical import first_name_genders, read_aliases, read_demonyms
from stages.tag.ner_process import Span as CharSpan  # (start, end, label); spaCy has its own Span
from stages.tag.places import gazetteer_cache, load_gazetteer

RULES_COMPONENT = "news_entity_rules"

# Labels whose spans are names (proper nouns); the numeric ones (DATE, CARDINAL, ...) are left alone.
NAME_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART",
                         "LAW", "LANGUAGE"})
# Labels that headline noise turns up as: long title-case runs read as an organisation or a work.
HEADLINE_SUSPECT_LABELS = frozenset({"ORG", "WORK_OF_ART", "EVENT", "PRODUCT", "LAW", "FAC", "PERSON"})

_WORD_4PLUS = re.compile(r"[^\W\d_]{4,}")
_BARE_NUMBER = re.compile(r"\d[\d,.]*")
_SCORE_CHARS = frozenset("0123456789,./-:")       # a score, figure or race time: "5-68", "108-3", "1:34"
# Name labels whose trailing score or figure is trimmed off (products and events keep "Apollo 11").
SCORE_TRIMMED_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC"})
_PLAUSIBLE_YEAR = re.compile(r"1[0-9]{3}|20[0-9]{2}|21[0-9]{2}")
_GLUED = re.compile(r"[a-z]{3}[A-Z][a-z]{3}")  # "WorldNegotiations": a section label glued to a word
_CLOSERS = "\"'”’)] \t\n"
_QUOTE_MARKS = frozenset({'"', "“", "”", "„", "``", "''", "«", "»"})
# Labels whose spans lose a lower-case word at their end: names of people, groups, organisations, places.
LOWER_TAIL_TRIMMED_LABELS = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC"})
# Labels whose leading "the" is an article, not part of the name (titles of works keep theirs).
ARTICLE_TRIMMED_LABELS = frozenset({"NORP", "FAC", "ORG", "GPE", "LOC", "EVENT"})
_INITIAL = re.compile(r"[A-Z]\.")
_ORDINAL = re.compile(r"(?<!\d)\d+(?:st|nd|rd|th)")   # (?<!\d): a run of digits is tried once
# "I" is left out: it is also the pronoun ("Jimmy Carter I think"), and "Elizabeth I" reads the same way.
_REGNAL_NUMBERS = frozenset({"II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII",
                             "XIV", "XV", "XVI", "XVII", "XVIII"})
_REGION_WORDS = frozenset({"North", "South", "East", "West", "Central", "Latin", "Northern", "Southern", "Eastern",
                           "Western", "Middle", "Far", "Near", "Sub-Saharan"})
# Reuters' abbreviations in financial headlines: million, billion, percent, cents, dollars.
_FIGURE_UNITS = frozenset({"MLN", "BLN", "MN", "BN", "PCT", "CTS", "DLRS"})
# A score in a results line or standings table: goals, points, runs ("4", "92", "429-7"); no decimals
# (race times, prices) and no years.
_RESULT_SCORE = re.compile(r"\d{1,3}(?:-\d{1,3})?")
_TEAM_NAME_MAX_TOKENS = 4
# A standings row has played, won, drawn, lost, goals for, against and points ("Brechin 3 0 3 0 2 2 3"): a
# chain of such rows is a league table whatever its clubs' names (a leaderboard has fewer numbers per player).
_STANDINGS_MIN_NUMBERS = 6
_SCORERS_MAX_TOKENS = 60   # "(C. Lewis 80 not out, M. Butcher 70, ...)" after a side's score
# Labels a team's name may carry from the model: places and groups it mistook, or ORG already.
TEAM_RELABELLABLE = frozenset({"ORG", "GPE", "LOC", "FAC", "NORP", "PERSON"})


def _after_scores(doc: Doc, i: int) -> int:
    """The index after the run of scores starting at token i: "3 1 1 4", "429 - 7" (the tokenizer splits a
    hyphenated score)."""
    while i < len(doc) and _RESULT_SCORE.fullmatch(doc[i].text):
        i += 1
        if i + 1 < len(doc) and doc[i].text == "-" and not doc[i - 1].whitespace_ and doc[i + 1].text.isdigit():
            i += 2
    return i


def _is_club_suffix(doc: Doc, opening: int, closing_end: int) -> bool:
    """Tokens opening..closing_end are "(X)": one to three capital letters in brackets after a club's name,
    the initials of its town ("Proleter (Z)", "Mladost (BJ)"), never a country or a place written out."""
    inside = doc[opening + 1:closing_end - 1]
    return closing_end - opening == 3 and inside.text.isalpha() and inside.text.isupper() and len(inside.text) <= 3


def _capitalised_run(doc: Doc, at: int, direction: int) -> tuple[int, int] | None:
    """(start, end) of one to _TEAM_NAME_MAX_TOKENS capitalised words ending before token `at`
    (direction -1) or starting at it (direction 1), on one line."""
    i, n = (at - 1, 0) if direction < 0 else (at, 0)
    while 0 <= i < len(doc) and n < _TEAM_NAME_MAX_TOKENS and doc[i].is_alpha and doc[i].text[0].isupper() and \
            "\n" not in doc[i].whitespace_:
        i, n = i + direction, n + 1
    if n == 0:
        return None
    return (i + 1, at) if direction < 0 else (at, i)


def _is_sentence_start(doc: Doc, i: int) -> bool:
    """Token i opens a sentence or line: nothing, a line break, end punctuation or an opening quote before it."""
    before = doc[i - 1] if i > 0 else None
    return before is None or "\n" in before.text + before.whitespace_ or before.text in (".", "!", "?", '"', "“", ":")


def _is_surname_token(doc: Doc, i: int) -> bool:
    """Token i could end a person's name after a given name: a capitalised word of letters, on the same
    line, no function word ("Bob Estes", not "Bob And")."""
    token = doc[i]
    return token.is_title and token.text.replace("'", "").replace("-", "").isalpha() and len(token) > 1 and \
        not token.is_stop and "\n" not in doc[i - 1].whitespace_


def _is_capitals_word(token: Token) -> bool:
    return token.is_alpha and token.is_upper and len(token) > 1


def _starts_hyphenated_score(doc: Doc, i: int) -> bool:
    """Token i is the first number of a score the tokenizer split ("Mexico 2" + "-0"): no name's digit."""
    return i + 2 < len(doc) and not doc[i].whitespace_ and doc[i + 1].text == "-" and doc[i + 2].text.isdigit()


def _is_initialled_name(doc: Doc, i: int) -> bool:
    """Tokens i, i+1 are an initial and a surname standing alone (see `_initialled_people`)."""
    initial, surname = doc[i], doc[i + 1]
    if not (_INITIAL.fullmatch(initial.text) and surname.is_alpha and surname.is_title and len(surname) > 1):
        return False
    if i > 0 and ((doc[i - 1].is_title and not doc[i - 1].is_sent_start) or doc[i - 1].text in ("&", "-")):
        return False   # "Harry S. Truman", "Johnson & K. Hovnanian": part of a longer name
    # "W. Va." is one token, no surname; a capitalised word after ("J. Walter Thompson") makes a longer name
    return i + 2 >= len(doc) or not doc[i + 2].is_title


def _untagged_or_mistyped(span_at: dict[int, Span], i: int) -> bool:
    """No span covers the two tokens, or exactly they are one organisation, place or group span."""
    owners = {span_at[j] for j in (i, i + 1) if j in span_at}
    if not owners:
        return True
    owner = owners.pop()
    return not owners and owner.start == i and owner.end == i + 2 and \
        owner.label_ in ("ORG", "GPE", "LOC", "FAC", "NORP")


def _is_score(text: str) -> bool:
    return bool(text) and all(ch in _SCORE_CHARS for ch in text)


def _has_capital(text: str) -> bool:
    return any(ch.isupper() for ch in text)


def _strip_the(text: str) -> str:
    return text[4:] if text[:4] in ("the ", "The ") else text


def _without_edge_punctuation(span: Span) -> tuple[int, int] | None:
    """The span's token range without leading punctuation (an opening bracket stays) and trailing
    punctuation (a final dot stays: "Corp."); None when nothing is left."""
    doc, start, end = span.doc, span.start, span.end
    while start < end and (doc[start].is_punct or doc[start].is_space) and doc[start].text not in ("(",):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space) and doc[end - 1].text != ".":
        end -= 1
    return (start, end) if start < end else None


def _is_figure(span: Span) -> bool:
    """A financial wire's figure, no name: a unit abbreviation alone or with numbers ("MLN", "VS 21.0 MLN",
    "6.3 PCT")."""
    words = span.text.split()
    return any(w in _FIGURE_UNITS for w in words) and \
        all(w in _FIGURE_UNITS or w in ("VS", "VS.") or _BARE_NUMBER.fullmatch(w) for w in words)


def _without_lone_bracket(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """A span across one bracket runs over the bracket's edge ("The Oval (London", "Lindsay) Davenport"):
    it is cut there, keeping the part with the name's start."""
    texts = [t.text for t in doc[start:end]]
    if "(" in texts and ")" not in texts[texts.index("("):] and texts.index("(") > 0:
        return start, start + texts.index("(")
    if ")" in texts and "(" not in texts[:texts.index(")")] and texts.index(")") < len(texts) - 1:
        return start + texts.index(")") + 1, end
    return start, end


def _without_lone_quote_mark(doc: Doc, start: int, end: int) -> tuple[int, int]:
    """A span across one quote mark runs over a quotation's edge (`Sleeping Bread " Puig`: a title's
    closing quote, then its author): the longer side is kept (the first on a tie). A pair of marks is part
    of the name (`Dwayne "The Rock" Johnson`)."""
    marks = [i for i in range(start, end) if doc[i].text in _QUOTE_MARKS]
    if len(marks) != 1:
        return start, end
    mark = marks[0]
    return (start, mark) if mark - start >= end - mark - 1 else (mark + 1, end)


def _number_or_date(doc: Doc, start: int, end: int, label: str) -> Span:
    """A DATE or TIME made of bare numbers none of which is a plausible year ("73", an age; "3 1 1 1", a
    standings row; "66 67", a golfer's rounds) is a CARDINAL."""
    pieces = doc[start:end].text.split()
    if all(_BARE_NUMBER.fullmatch(p) and not _PLAUSIBLE_YEAR.fullmatch(p) for p in pieces):
        return Span(doc, start, end, label="CARDINAL")
    return Span(doc, start, end, label=label)


@Language.factory(RULES_COMPONENT)
def make_entity_rules(nlp: Language, name: str, entities: dict[str, Any], gazetteer_cache_dir: str) -> EntityRules:
    """The rule layer as a spaCy component: `entities` is the tag.entities params section, and the gazetteer
    is read from the stage's cache folder when one is given (never written from here: the stage does)."""
    params = EntitiesParams.model_validate(entities)
    cache = gazetteer_cache(gazetteer_cache_dir, params.gazetteer_min_population) if gazetteer_cache_dir else None
    return EntityRules(nlp, params, cache)


class EntityRules:
    """The rule layer: edits the model's `doc.ents` (see the module docstring for each rule)."""

    def __init__(self, nlp: Language, params: EntitiesParams, cache: RowsCache | None) -> None:
        self.relabel_min_population = params.relabel_min_population
        self.headline_caps_share = params.headline_caps_share
        self.headline_min_words = params.headline_min_words
        self.gazetteer = load_gazetteer(params, cache, store=False)

        titles = load_words(DATA_DIR / "titles.txt")
        self.title_tokens = frozenset(t for t in titles if " " not in t)
        self.title_matcher = PhraseMatcher(nlp.vocab)
        self.title_matcher.add("TITLE", [nlp.make_doc(t) for t in sorted(titles)])
        self.particles = frozenset(load_words(DATA_DIR / "name_particles.txt"))
        self.org_heads = frozenset(load_words(DATA_DIR / "org_heads.txt"))
        self.org_words = self.org_heads | frozenset(load_words(DATA_DIR / "org_words.txt"))
        self.place_prepositions = frozenset(load_words(DATA_DIR / "place_prepositions.txt"))
        self.first_names = frozenset(first_name_genders())
        # Evidence that a capitalised run is a person: census given names that are not also places.
        self.given_names = self.first_names | frozenset(
            name for name in load_words(DATA_DIR / "given_names.txt") if self.gazetteer.place_label(name) is None)

        self.demonyms = frozenset(read_demonyms())
        aliases = read_aliases()
        # A country as written in a results list: its name or an alias of it ("U.S.", "Britain").
        self.country_forms = frozenset(form for form, (name, _) in aliases.items() if self.gazetteer.is_country(name))
        # Names a headline span may be cut down to, with the label they carry.
        self.known_names: dict[str, str] = {form: entry_label for form, (_, entry_label) in aliases.items()}
        self.known_names.update({form: "NORP" for form in self.demonyms})

        self.reviewed_labels: dict[str, str] = {}
        self.place_matcher = PhraseMatcher(nlp.vocab)
        for surface, place in sorted(self.gazetteer.reviewed_names, key=lambda item: item[0]):
            self.reviewed_labels[surface] = place.label
            self.place_matcher.add(place.label, [nlp.make_doc(surface)])

    # --- the component -------------------------------------------------------------------------------
    def __call__(self, doc: Doc) -> Doc:
        headline = self._is_headline(doc.text)
        title_spans = [doc[s:e] for _, s, e in self.title_matcher(doc) if e - s > 1]
        spans: list[Span] = []
        for ent in doc.ents:
            for piece in self._two_countries(ent) or self._split_at_line_breaks(ent):
                fixed = self._fix(piece, headline, title_spans)
                if fixed is not None:
                    spans.append(fixed)
        spans = self._add_reviewed_places(doc, spans)
        spans = self._teams_in_results(doc, filter_spans(spans))
        spans = self._initialled_people(doc, spans)
        spans = self._people_with_countries(doc, spans)
        spans = self._places_in_capitals(doc, spans)
        doc.ents = self._completed_people(doc, self._merge_split_names(doc, filter_spans(spans)))
        return doc

    # --- people written with an initial ----------------------------------------------------------------
    def _initialled_people(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """One capital initial and a capitalised surname ("P. Simmons 4-38", "W. Athey") is a person: tagged
        where the model missed it (scorecards, lists), relabelled where it took it for an organisation or a
        place. Not an abbreviation after it ("W. Va."), not a longer initialism ("J.P. Morgan", "U.S. Steel")."""
        span_at = {i: span for span in spans for i in range(span.start, span.end)}
        people = [Span(doc, i, i + 2, label="PERSON") for i in range(len(doc) - 1)
                  if _is_initialled_name(doc, i) and _untagged_or_mistyped(span_at, i)]
        if not people:
            return spans
        return [s for s in spans if not any(p.start < s.end and s.start < p.end for p in people)] + people

    # --- places written in capitals -------------------------------------------------------------------
    def _places_in_capitals(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """The model misses names in capitals: a country in a headline written in capitals ("SOCCER -
        ROMANIA BEAT LITHUANIA IN WORLD CUP QUALIFIER"), and the place of a dateline ("VIENNA 1996-08-31
        Austria dominated", "BERLIN - Donald Trump"), are tagged where no span covers them."""
        letters = [c for c in doc.text if c.isalpha()]
        in_capitals = len(letters) >= 12 and sum(c.isupper() for c in letters) >= 0.9 * len(letters)
        if in_capitals:
            spans = [span for span in spans if not self._is_capitals_junk(span)]
        covered = {i for span in spans for i in range(span.start, span.end)}
        found: list[Span] = []
        i = 0
        while i < len(doc):
            run_end = i
            while run_end < len(doc) and run_end not in covered and _is_capitals_word(doc[run_end]) and \
                    run_end - i < 3 and (run_end == i or "\n" not in doc[run_end - 1].whitespace_):
                run_end += 1
            place = self._capitals_place(doc, i, run_end, in_capitals) if run_end > i else None
            if place is not None:
                found.append(place)
                i = place.end
            else:
                i += 1
        return spans + found

    def _is_capitals_junk(self, span: Span) -> bool:
        """In a headline in capitals, where case tells nothing, a model's name span that is no known name is
        dropped when it is the topic before the dash ("SOCCER - ...", "BASEBALL - ...") or holds a country
        with other words ("ENGLAND BEAT MOLDOVA IN": the countries are tagged instead)."""
        if span.label_ not in NAME_LABELS or self._is_known_capitals_name(span.text):
            return False
        doc = span.doc
        topic = span.start == 0 and span.end + 1 < len(doc) and doc[span.end].text in ("-", "–", "—")
        holds_country = any(self._is_known_capitals_name(doc[i:j].text, countries_only=True)
                            for i in range(span.start, span.end) for j in range(i + 1, min(i + 4, span.end + 1)))
        return topic or holds_country

    def _is_known_capitals_name(self, text: str, countries_only: bool = False) -> bool:
        title = text.title()
        if self._is_country_name(title):
            return True
        return not countries_only and (title in self.known_names or self.gazetteer.place_label(title) is not None)

    def _capitals_place(self, doc: Doc, start: int, run_end: int, in_capitals: bool) -> Span | None:
        """The longest country (in a headline in capitals) or dateline place starting at token `start`."""
        line_start = start == 0 or "\n" in doc[start - 1].whitespace_ + doc[start - 1].text
        for end in range(run_end, start, -1):
            text = doc[start:end].text.title()
            if in_capitals and self._is_country_name(text):
                return Span(doc, start, end, label="GPE")
            if in_capitals and end - start > 1 and (label := self.gazetteer.place_label(text)) is not None:
                return Span(doc, start, end, label=label)    # "NORTHERN IRELAND", not its "IRELAND"
            after = doc[end].text if end < len(doc) else ""
            dateline = line_start and (after[:1].isdigit() or after in ("-", "–", "—", ","))
            if dateline and not in_capitals and (label := self.gazetteer.place_label(text)) is not None:
                return Span(doc, start, end, label=label)
        return None

    # --- competitors listed with their country --------------------------------------------------------
    def _people_with_countries(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """A results list of competitors each followed by a country in brackets ("Steffi Graf (Germany) beat
        Natasha Zvereva (Belarus) 6-4 6-2"), or a line-up of players after their numbers ("1 - Filip De
        Wilde, 2 - Bertrand Crasson, ..."): when the list's names are mostly people (two or more tagged
        PERSON or opening with a known first name, more than those tagged otherwise), every name of two or
        three words in it is a person, tagged where the model missed it, relabelled where it mistook it. A
        list of clubs ("Benetton (Italy) 92 Real Madrid (Spain) 80") is left alone."""
        span_at = {i: span for span in spans for i in range(span.start, span.end)}
        names = sorted({name for i in range(len(doc))
                        if (name := self._name_with_country(doc, i) or self._name_after_number(doc, i))})
        if len(names) < 2:
            return spans
        votes = [self._person_vote(doc, start, end, span_at) for start, end in names]
        people, other = votes.count(1), sum(1 for vote in votes if vote < 0)
        if people < 2 or people <= other:
            return spans
        # the model's "Real Madrid" ORG stays a club unless it opens with a given name
        found = [Span(doc, start, end, label="PERSON") for (start, end), vote in zip(names, votes) if vote != -2]
        return [s for s in spans if not any(p.start < s.end and s.start < p.end for p in found)] + found

    def _person_vote(self, doc: Doc, start: int, end: int, span_at: dict[int, Span]) -> int:
        """1: a person (tagged PERSON, or opening with a given name); -2: tagged an organisation or a place;
        0: no evidence either way."""
        labels = {span_at[j].label_ for j in range(start, end) if j in span_at}
        if "PERSON" in labels or doc[start].lower_ in self.given_names:
            return 1
        return -2 if labels & {"ORG", "FAC", "GPE", "LOC"} else 0

    def _name_after_number(self, doc: Doc, i: int) -> tuple[int, int] | None:
        """(start, end) of two to four capitalised words (particles between them: "Nico Van Kerckhoven",
        "Maarten den Bakker") right after "N -" at token i, a shirt number or a seeding."""
        if not (doc[i].text.isdigit() and len(doc[i]) <= 2 and i + 2 < len(doc) and doc[i + 1].text == "-"):
            return None
        start = end = i + 2
        words = 0
        while end < len(doc) and words < 4 and "\n" not in doc[end - 1].whitespace_:
            token = doc[end]
            if token.text in self.particles and end + 1 < len(doc) and doc[end + 1].text[:1].isupper():
                end += 1
                continue
            if not (token.text[:1].isupper() and token.text.replace("'", "").replace("-", "").isalpha()):
                break
            end, words = end + 1, words + 1
        return (start, end) if words >= 2 else None

    def _name_with_country(self, doc: Doc, opening: int) -> tuple[int, int] | None:
        """(start, end) of two or three capitalised words right before "(COUNTRY)" at token `opening`."""
        if doc[opening].text != "(":
            return None
        closing = next((j for j in range(opening + 1, min(opening + 5, len(doc))) if doc[j].text == ")"), None)
        country = doc[opening + 1:closing].text if closing is not None else ""
        if not country or not self._is_country_name(country):
            return None
        start, words = opening, 0
        while start > 0 and words < 3 and "\n" not in doc[start - 1].whitespace_:
            token = doc[start - 1]
            if token.text == "-" and not token.whitespace_ and start >= 2 and not doc[start - 2].whitespace_:
                start -= 1      # "Anne-Gaelle": the tokenizer splits a hyphenated first name
                continue
            if not (token.text[0].isupper() and token.text.replace("'", "").isalpha()):
                break
            start, words = start - 1, words + 1
        if doc[start].text == "-":
            start += 1
        return (start, opening) if words >= 2 else None

    # --- teams in results lines ----------------------------------------------------------------------
    def _teams_in_results(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """Names in a chain of two or more "NAME [(PLACE)] SCORE..." units are teams (ORG) when at least half
        of the chain's names look like clubs (a city or county, or what the model took for a place or an
        organisation): a leaderboard of players ("Ernie Els 66 Tiger Woods 67") is left alone. Spans
        overlapping a team are replaced by it."""
        span_at = {i: span for span in spans for i in range(span.start, span.end)}
        units = [unit for i in range(1, len(doc)) if (unit := self._result_unit(doc, i, span_at))]
        chains = [kept for chain in self._chains(doc, units)
                  if (kept := self._team_chain(doc, chain, span_at)) is not None]
        teams = [Span(doc, start, end, label="ORG") for chain in chains
                 for start, end, _ in chain if self._may_be_team(doc, start, end, span_at)]
        if not teams:
            return spans
        teams += self._fixtures(doc, span_at, {t.start for t in teams})
        kept = [s for s in spans if not any(t.start < s.end and s.start < t.end for t in teams)]
        return kept + teams

    def _fixtures(self, doc: Doc, span_at: dict[int, Span], team_starts: set[int]) -> list[Span]:
        """Beside a results line, the fixtures "NAME v NAME" ("Postponed: East Fife v Clydebank, St
        Johnstone v Airdrieonians") are two teams too."""
        fixtures: list[Span] = []
        for i in range(1, len(doc) - 1):
            if doc[i].lower_ not in ("v", "v.", "vs", "vs."):
                continue
            left = _capitalised_run(doc, i, -1)
            right = _capitalised_run(doc, i + 1, 1)
            if right is not None and right[1] - right[0] > 1 and right[1] < len(doc) and doc[right[1]].is_lower:
                right = (right[0], right[1] - 1)    # "Walsall v Wrexham Division three": a heading follows
            if left is not None and right is not None and left[0] not in team_starts:
                fixtures += [Span(doc, *left, label="ORG"), Span(doc, *right, label="ORG")]
        return fixtures

    def _chains(self, doc: Doc, units: list[tuple[int, int, int]]) -> list[list[tuple[int, int, int]]]:
        """Units in a row (each starting where the one before ends, see `_next_unit_start`), in token order."""
        by_start: dict[int, tuple[int, int, int]] = {}
        for unit in units:
            by_start.setdefault(unit[0], unit)
        following = {unit: by_start.get(self._next_unit_start(doc, unit[2], set(by_start)) or -1) for unit in units}
        followed = {unit for unit in following.values() if unit is not None}
        chains: list[list[tuple[int, int, int]]] = []
        for unit in units:
            if unit in followed:
                continue
            chain = [unit]
            while (nxt := following[chain[-1]]) is not None and nxt not in chain:
                chain.append(nxt)
            chains.append(chain)
        return chains

    def _result_unit(self, doc: Doc, i: int, span_at: dict[int, Span]) -> tuple[int, int, int] | None:
        """(name start, name end, unit end) when token i is the first score after a name, else None."""
        if not _RESULT_SCORE.fullmatch(doc[i].text) or not doc[i - 1].text.strip():
            return None
        span = span_at.get(i)
        if span is not None and span.label_ in NAME_LABELS and span.start < i and \
                all(t.is_alpha and t.text[0].isupper() for t in doc[span.start:i]):
            start, end = span.start, i       # the model glued the score on: "Surrey 429-7" LAW
        elif span is not None and span.label_ in ("DATE", "TIME"):
            return None
        elif (name := self._name_before_score(doc, i, span_at)) is not None:
            start, end = name
        else:
            return None
        unit_end = _after_scores(doc, i)      # a standings row: played, won, drawn, lost, ...
        if unit_end + 1 < len(doc) and doc[unit_end].lower_ == "and" and \
                _RESULT_SCORE.fullmatch(doc[unit_end + 1].text):
            unit_end = _after_scores(doc, unit_end + 1)    # a second innings: "Warwickshire 195 and 109"
        return start, end, unit_end

    def _name_before_score(self, doc: Doc, i: int, span_at: dict[int, Span]) -> tuple[int, int] | None:
        """(start, end) of the side's name right before the score at token i, brackets after it skipped."""
        end = i
        if doc[end - 1].text == ")":          # "Benetton (Italy) 92": the side's country in brackets
            opening = next((j for j in range(end - 2, max(end - 6, 0) - 1, -1) if doc[j].text == "("), None)
            if opening is None:
                return None
            end = opening
        start = self._name_start(doc, end, span_at)
        if start is None:
            return None
        if _is_club_suffix(doc, end, i):
            end = i     # "Mladost (BJ) 0" and "Mladost (L) 2" are two clubs: the town's letters are the name's
        return start, end

    @staticmethod
    def _next_unit_start(doc: Doc, unit_end: int, starts: set[int]) -> int | None:
        """Where the next unit of a results line would start after a unit ending at `unit_end`: right
        after it, after a comma or semicolon, or after the scorers in brackets ("Surrey 429-7 (C. Lewis 80
        not out, M. Butcher 70), Kent 108-3")."""
        i = unit_end
        if i < len(doc) and doc[i].text == "(":
            closing = next((j for j in range(i + 1, min(i + _SCORERS_MAX_TOKENS, len(doc)))
                            if doc[j].text in (")", "(") or "\n" in doc[j].text), None)
            if closing is None or doc[closing].text != ")":
                return None
            i = closing + 1
        if i < len(doc) and doc[i].text in (",", ";"):
            i += 1
        return i if i in starts else None

    def _team_chain(self, doc: Doc, chain: list[tuple[int, int, int]], span_at: dict[int, Span]
                    ) -> list[tuple[int, int, int]] | None:
        """The chain, or else its part from the first name that looks like a club, when at least half its names
        look like clubs (a city or county, or what the model took for a place or an organisation) and none
        is a person's full name (a chain with one is a count of votes or strokes: "Donald Trump 384, Sen.
        Ted Cruz 300, Rubio 151"); a chain of standings rows needs no such evidence. None: no teams."""
        evidence = [self._club_evidence(doc, start, end, span_at) for start, end, _ in chain]
        if len(chain) < 2 or None in evidence:
            return None
        if all(unit_end - end >= _STANDINGS_MIN_NUMBERS for _, end, unit_end in chain):
            return chain
        if 2 * sum(evidence) >= len(chain):
            return chain
        first = evidence.index(True) if True in evidence else len(chain)
        chain, evidence = chain[first:], evidence[first:]    # unknown names before the first club stay
        return chain if len(chain) > 1 and 2 * sum(evidence) >= len(chain) else None

    def _club_evidence(self, doc: Doc, start: int, end: int, span_at: dict[int, Span]) -> bool | None:
        """True: the name looks like a club; False: no evidence (a country counts as none); None: a person's
        full name."""
        text = _strip_the(doc[start:end].text)
        # the label of the span the name's last word is in ("Heriot's F.P.": the model's "F.P.")
        label = span_at[end - 1].label_ if end - 1 in span_at else None
        if end - start > 1 and (label == "PERSON" or doc[start].lower_ in self.first_names):
            return None
        if self.gazetteer.is_country(text):
            return False
        return label in ("ORG", "GPE", "LOC", "FAC") or self.gazetteer.place_label(text) is not None

    @staticmethod
    def _name_start(doc: Doc, end: int, span_at: dict[int, Span]) -> int | None:
        """Where the name ending at token `end` starts: the model's span if one ends there, else the run of
        capitalised words before it (at most _TEAM_NAME_MAX_TOKENS, never across a line break)."""
        if end <= 0:
            return None
        last = doc[end - 1]
        if end - 1 in span_at:
            span = span_at[end - 1]
            if span.end != end or span.label_ not in TEAM_RELABELLABLE:
                return None
            return EntityRules._back_over_connector(doc, span.start, span_at)
        start = end
        while start > 0 and end - start < _TEAM_NAME_MAX_TOKENS and start - 1 not in span_at:
            token = doc[start - 1]
            if not (token.is_alpha and token.text[0].isupper()) or "\n" in token.whitespace_:
                break
            start -= 1
        if start == end or not last.is_alpha:
            return None
        return EntityRules._back_over_connector(doc, start, span_at)

    @staticmethod
    def _back_over_connector(doc: Doc, start: int, span_at: dict[int, Span]) -> int:
        """A club's name with "of", "'s" or a hyphen inside ("Queen of South", "Queen's Park"): the word
        before the connector belongs to it, unless a span of its own covers it."""
        if start >= 2 and doc[start - 1].text in ("of", "'s", "-") and start - 2 not in span_at and \
                doc[start - 2].is_alpha and doc[start - 2].text[0].isupper() and \
                "\n" not in doc[start - 2].whitespace_ + doc[start - 1].whitespace_ and \
                (doc[start - 1].text != "-" or not doc[start - 2].whitespace_ + doc[start - 1].whitespace_):
            return start - 2   # also "Jed-Forest": the tokenizer splits a hyphenated name
        return start

    def _may_be_team(self, doc: Doc, start: int, end: int, span_at: dict[int, Span]) -> bool:
        """A country is a national side (a place), and a person is a player: neither becomes ORG."""
        text = _strip_the(doc[start:end].text)
        label = span_at[start].label_ if start in span_at else None
        if self.gazetteer.is_country(text) or text in self.demonyms or text in self.known_names:
            return False
        if doc[start].lower_ in self.first_names and end - start > 1:
            return False
        return label != "PERSON" or end - start == 1   # "Kent 108-3" in a chain of clubs; not "C. Lewis 80"

    def _completed_people(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """People the model tagged in part: a given name alone before an untagged surname ("Bob" of "Bob
        Estes shot a 67"), a given name tagged as something else right before a person ("Jan" GPE + "Allan
        Mueller"), and a regnal number after a name ("Henry VIII", "Elizabeth I")."""
        out: list[Span] = []
        tagged = {i for span in spans for i in range(span.start, span.end)}
        for span in sorted(spans, key=lambda s: s.start):
            start, end, label = span.start, span.end, span.label_
            if out and out[-1].end == start and len(out[-1]) == 1 and label == "PERSON" and \
                    doc[out[-1].start].lower_ in self.given_names and doc[out[-1].start].is_title:
                start = out.pop().start                    # "Jan" + "Allan Mueller"
            if label == "PERSON":
                end = self._person_end(doc, start, end, tagged)
            out.append(span if (start, end) == (span.start, span.end) else Span(doc, start, end, label="PERSON"))
        return out

    def _person_end(self, doc: Doc, start: int, end: int, tagged: set[int]) -> int:
        """A person's end extended over an untagged surname after a lone given name ("Bob" + "Estes") and
        over a regnal number from II ("Henry" + "VIII")."""
        if end - start == 1 and doc[start].lower_ in self.given_names and end < len(doc) and \
                end not in tagged and _is_surname_token(doc, end):
            end += 1
        if end < len(doc) and end not in tagged and doc[end].text in _REGNAL_NUMBERS and \
                "\n" not in doc[end - 1].whitespace_:
            end += 1
        return end

    def _merge_split_names(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """Join names the model cut in two: "Cor van" + "der" + "Klugt" (PERSON, particles, PERSON) and
        "Federal Reserve Bank" + "of" + "New York" (an ORG ending in an organisation head noun, "of", a place
        or organisation)."""
        merged: list[Span] = []
        for span in sorted(spans, key=lambda s: s.start):
            if merged:
                last = merged[-1]
                between = doc[last.end:span.start]
                person_parts = (last.label_ == span.label_ == "PERSON" and len(between) > 0
                                and all(t.text in self.particles for t in between))
                org_of_place = (last.label_ == "ORG" and span.label_ in ("GPE", "LOC", "ORG")
                                and len(between) == 1 and between[0].text == "of"
                                and doc[last.end - 1].text in self.org_heads)
                if person_parts or org_of_place:
                    merged[-1] = Span(doc, last.start, span.end, label=last.label_)
                    continue
            merged.append(span)
        return merged

    def _is_headline(self, text: str) -> bool:
        if text.rstrip(_CLOSERS).endswith((".", "!", "?")):
            return False   # headlines carry no final full stop
        words = _WORD_4PLUS.findall(text)
        if len(words) < self.headline_min_words:
            return False
        capitalised = sum(1 for w in words if w[0].isupper())
        return capitalised >= self.headline_caps_share * len(words)

    def _separates_names(self, span: Span, i: int) -> bool:
        """Token i of a name's span is no part of a name: a dash with spaces around it with no capitalised
        word after it in the span ("the Eiffel Tower - and"), or after a dateline, a topic or a place
        ("BERLIN - Donald Trump", "GERMANY - Bunds", "Romania - Cosmin Contra (31st)"); or a score between two
        capitalised words in a results line ("Pohang 3 Ulsan": another score ends the span, comes right
        before it or follows within three tokens)."""
        doc, token = span.doc, span.doc[i]
        if token.lower_ == "and":
            return self._two_people_joined(span, i)
        if token.text in ("-", "–", "—") and token.whitespace_ and i > 0 and doc[i - 1].whitespace_:
            left = doc[span.start:i].text
            right_has_name = any(t.text[:1].isupper() for t in doc[i + 1:span.end])
            return not right_has_name or left.isupper() or self._is_country_name(left) or \
                self.gazetteer.place_label(left) is not None
        if not (span.start < i < span.end - 1 and _RESULT_SCORE.fullmatch(token.text)):
            return False
        around = doc[i - 1].text[:1].isupper() and doc[i + 1].text[:1].isupper()
        nearby = [doc[j].text for j in range(max(span.start - 1, 0), min(span.end + 3, len(doc)))
                  if not span.start <= j < span.end - 1]
        return around and any(_RESULT_SCORE.fullmatch(text) for text in nearby)

    def _two_people_joined(self, span: Span, i: int) -> bool:
        """Token i, "and", joins two full names in one span ("Laurent Cabannes and Laurent Benezech" ORG):
        each side two or three capitalised words opening with a given name."""
        doc = span.doc
        sides = (doc[span.start:i], doc[i + 1:span.end])
        return all(2 <= len(side) <= 3 and side[0].lower_ in self.given_names
                   and all(t.text[:1].isupper() for t in side) for side in sides)

    def _two_countries(self, span: Span) -> list[Span] | None:
        """Two countries the model ran together in one span ("Croatia Switzerland" in a fixtures list,
        "Netherlands Czech Republic"): the two, as places; None when the span is not that."""
        text = span.text
        if span.label_ not in NAME_LABELS or len(span) < 2 or "\n" in text or self._is_country_name(text):
            return None
        for cut in range(span.start + 1, span.end):
            left, right = span.doc[span.start:cut], span.doc[cut:span.end]
            if self._is_country_name(left.text) and self._is_country_name(right.text):
                return [Span(span.doc, left.start, left.end, label="GPE"),
                        Span(span.doc, right.start, right.end, label="GPE")]
        return None

    def _is_country_name(self, text: str) -> bool:
        return text in self.country_forms or self.gazetteer.is_country(text)

    def _split_at_line_breaks(self, span: Span) -> Iterable[Span]:
        """The span cut at line breaks, and a name's span also where `_separates_names` says."""
        doc, start = span.doc, span.start
        name = span.label_ in NAME_LABELS
        dash_split = False
        for i in range(span.start, span.end):
            token = doc[i]
            if "\n" in token.text or token.is_space or (name and self._separates_names(span, i)):
                if i > start:
                    # a dateline's place takes its own label: "BERLIN" of "BERLIN - Donald Trump" ORG
                    place = self.gazetteer.place_label(doc[start:i].text) if token.text in "-–—" else None
                    yield Span(doc, start, i, label=place or ("PERSON" if token.lower_ == "and" else span.label_))
                dash_split = dash_split or token.text in "-–—"
                start = i + 1
            elif "\n" in token.whitespace_ and i + 1 < span.end:
                yield Span(doc, start, i + 1, label=span.label)
                start = i + 1
        # after a dateline, a lone function word is no name ("NEW HAMPSHIRE - Since")
        if start < span.end and not (dash_split and span.end - start == 1 and doc[start].is_stop):
            joined = start > span.start and doc[start - 1].lower_ == "and"
            yield Span(doc, start, span.end, label="PERSON" if joined else span.label_)

    def _fix(self, span: Span, headline: bool, title_spans: list[Span]) -> Span | None:
        doc, label = span.doc, span.label_
        trimmed = _without_edge_punctuation(span)
        if trimmed is None or (label in NAME_LABELS and _is_figure(doc[trimmed[0]:trimmed[1]])):
            return None
        start, end = _without_lone_bracket(doc, *_without_lone_quote_mark(doc, *trimmed))
        if label in ("DATE", "TIME"):
            return _number_or_date(doc, start, end, label)
        if label not in NAME_LABELS:
            return Span(doc, start, end, label=label)
        return self._fix_name(doc, start, end, label, headline, title_spans)

    def _fix_name(self, doc: Doc, start: int, end: int, label: str, headline: bool,
                  title_spans: list[Span]) -> Span | None:
        """A name span: trailing function words and possessives trimmed, titles skipped, particles joined,
        headline spans cut down, people and groups that are places relabelled; None to drop it."""
        # Names do not end in a function word or a possessive ("Cease-Fire as", "New York's"); a lower-case
        # piece glued to the word before stays ("Chi-cheng", "Iran-contra").
        end = self._without_trailing_junk(doc, start, end, label)
        if start >= end or not _has_capital(doc[start:end].text):
            return None
        start = self._without_article(doc, start, end, label)
        if any(t.start <= start and end <= t.end and (end - start) < len(t) for t in title_spans):
            return None   # "State" inside "Secretary of State"
        if label != "NORP" and self._opens_with_adjective(doc, start, end):
            start, label = start + 1, "NORP"   # "Controversial Australian Anthony Hill"
        if label == "ORG" and end - start >= 3 and doc[start].text in self.demonyms and \
                doc[start + 1].lower_ in self.given_names and all(t.text[:1].isupper() for t in doc[start:end]):
            label = "PERSON"   # "American Dennis Mitchell" ORG: a nationality and a person's name
        elif label == "ORG" and self._is_given_and_surname(doc, start, end):
            label = "PERSON"   # "Ivan Lendl", "Mariano Rivera" ORG
        if label == "PERSON":
            start, end = self._person_bounds(doc, start, end)
        if headline:
            cut = self._cut_headline_span(doc, start, end, label)
            if cut is None:
                return None
            start, end, label = cut
        return Span(doc, start, end, label=self._relabelled(doc, start, end, label))

    def _opens_with_adjective(self, doc: Doc, start: int, end: int) -> bool:
        """Two words, a sentence's capitalised first word and a nationality ("Controversial Australian"):
        the first is an adjective, not part of a name; not a region ("South American"), a place or a given
        name (and the model's NORP spans are groups: "African Americans")."""
        first = doc[start]
        return end - start == 2 and doc[end - 1].text in self.demonyms and _is_sentence_start(doc, start) and \
            doc[start:end].text not in self.demonyms and first.text not in self.demonyms and \
            first.text not in _REGION_WORDS and first.lower_ not in self.given_names and \
            self.gazetteer.place_label(first.text) is None

    def _is_given_and_surname(self, doc: Doc, start: int, end: int) -> bool:
        """Tokens start..end are a given name and a surname (name particles between: "Todd Van Poppel"),
        no known organisation ("Morgan Stanley" is in the alias file), no organisation word or place for a
        surname ("Sierra Club", "Marion County": data/org_heads.txt, data/org_words.txt)."""
        words = [t for t in doc[start:end] if t.text not in self.particles]
        if len(words) != 2 or not all(t.is_alpha and t.is_title for t in words):
            return False
        given, surname = words
        if given.text in self.known_names or given.text in self.country_forms:
            return False   # "America Rising": a place or a known name, not a given name
        return len(given) > 2 and given.lower_ in self.given_names and surname.text not in self.org_words and \
            doc[start:end].text not in self.known_names and self.gazetteer.place_label(surname.text) is None

    def _without_trailing_junk(self, doc: Doc, start: int, end: int, label: str) -> int:
        """The end of a name without trailing function words and possessives (`_is_trailing_junk`), nor
        a score or figure ("A. Smith 5-68", "Kent 108-3", "Somerset 83" in result tables; a one-digit
        number after an organisation or place may be part of it: "Channel 4"). The two trims alternate:
        "Worcestershire 238 and 303" loses the score, then the "and"."""
        previous_end = None
        while end != previous_end:
            previous_end = end
            while end > start + 1 and self._is_trailing_junk(doc, end - 1, label):
                end -= 1
            while end > start + 1 and label in SCORE_TRIMMED_LABELS and _is_score(doc[end - 1].text) and \
                    (label == "PERSON" or len(doc[end - 1].text) > 1 or not doc[end - 2].text.isalpha()
                     or _starts_hyphenated_score(doc, end - 1)):
                end -= 1
        return end

    def _person_bounds(self, doc: Doc, start: int, end: int) -> tuple[int, int]:
        """A person's span without a leading nationality before a given name or a title ("American Dennis
        Mitchell", "Belgian King Baudouin"), a trailing ordinal
        ("Roberto Carlos 79th": the minute of a goal) or leading titles, extended over name particles."""
        if end - start >= 3 and doc[start].text in self.demonyms and \
                (doc[start + 1].lower_ in self.given_names or doc[start + 1].text in self.title_tokens):
            start += 1   # not "Swiss People's Party" (PERSON)
        if end - start >= 2 and _ORDINAL.fullmatch(doc[end - 1].text):
            end -= 1
        if end - start >= 2 and _is_sentence_start(doc, start) and self._is_opening_gerund(doc[start]):
            start += 1   # "Hosting Cook at Dreamforce ...": the sentence's verb, capitalised, not a given name
        return self._skip_titles(doc, start, end), self._extend_over_particles(doc, end)

    def _is_opening_gerund(self, token: Token) -> bool:
        """A capitalised -ing word that is no given name, known name or place ("Hosting", "Asking"; not
        "Sterling", nor "Irving", whose census given name is left out of given_names as a place)."""
        return token.is_title and len(token) >= 5 and token.lower_.endswith("ing") and \
            token.lower_ not in self.given_names and token.text not in self.known_names and \
            self.gazetteer.place_label(token.text) is None

    def _relabelled(self, doc: Doc, start: int, end: int, label: str) -> str:
        if label in ("PERSON", "NORP"):
            return self._place_label_for(doc, start, end, label)
        if label == "ORG" and self.gazetteer.is_country(_strip_the(doc[start:end].text)):
            return "GPE"   # a country standing for its government or its team is still the country
        return label

    def _without_article(self, doc: Doc, start: int, end: int, label: str) -> int:
        """A leading "the" is the article, not the name ("the Commerce Department", "the West Bank"): the
        span starts after it. A capital "The" inside a sentence is part of the name ("in The Hague", "said
        The New York Times"), and so is a sentence-initial one when "The ..." is a known name."""
        if end - start < 2 or label not in ARTICLE_TRIMMED_LABELS or doc[start].lower_ != "the":
            return start
        if doc[start].text == "The":
            initial = _is_sentence_start(doc, start)
            name = doc[start:end].text
            rest = doc[start + 1:end].text
            named_with_article = (self.gazetteer.place_label(name) is not None
                                  and self.gazetteer.place_label(rest) is None)
            if not initial or name in self.known_names or named_with_article:
                return start   # "The Hague", "The Gambia": the place is not named without it
        return start + 1

    def _is_trailing_junk(self, doc: Doc, i: int, label: str) -> bool:
        token = doc[i]
        if token.text in ("'s", "’s", "'", "’"):
            return True
        glued = i > 0 and not doc[i - 1].whitespace_ and doc[i - 1].text in ("-", "‐", "/")
        if not token.is_lower or glued or token.text in self.particles:
            return False
        # a common noun after a name describes it ("Interfax news agency", "Xinhua news agency"); titles of
        # works, laws, events and products may end in one
        return token.is_stop or (token.is_alpha and label in LOWER_TAIL_TRIMMED_LABELS)

    def _skip_titles(self, doc: Doc, start: int, end: int) -> int:
        """Move the start of a PERSON span past leading titles, keeping at least one token."""
        # Matcher offsets are the doc's, even when it is run on a span.
        ends_by_start: dict[int, int] = {}
        for _, m_start, m_end in self.title_matcher(doc[start:end]):
            ends_by_start[m_start] = max(m_end, ends_by_start.get(m_start, m_end))
        while start in ends_by_start and ends_by_start[start] < end:
            start = ends_by_start[start]
        return start

    def _extend_over_particles(self, doc: Doc, end: int) -> int:
        """"Mohammed bin Abdulrahman" + "Al Thani": particles followed by a capitalised word join the name."""
        i = end
        while i < len(doc) and doc[i].text in self.particles:
            j = i
            while j < len(doc) and doc[j].text in self.particles:
                j += 1
            if j < len(doc) and doc[j].is_title and not doc[j].ent_type_ and "\n" not in doc[i:j].text:
                end = i = j + 1
            else:
                break
        return end

    def _cut_headline_span(self, doc: Doc, start: int, end: int, label: str) -> tuple[int, int, str] | None:
        """A span in a headline is kept whole only if short, with no lower-case word and nothing glued."""
        tokens = doc[start:end]
        glued = any(_GLUED.search(t.text) for t in tokens)
        suspect = label in HEADLINE_SUSPECT_LABELS and (   # words, not tokens: "Jed-Forest" is one
            len(tokens.text.split()) >= (4 if label == "PERSON" else 3) or any(t.is_lower for t in tokens))
        if not glued and not suspect:
            return start, end, label
        for cut in range(end - 1, start, -1):   # the longest leading part that is a known name
            text = _strip_the(doc[start:cut].text)
            known = self.known_names.get(text) or self.gazetteer.place_label(text)
            if known and not any(_GLUED.search(t.text) for t in doc[start:cut]):
                return start, cut, known
        return None

    def _place_label_for(self, doc: Doc, start: int, end: int, label: str) -> str:
        """PERSON or NORP spans that name a place in the gazetteer become that place."""
        text = _strip_the(doc[start:end].text)
        if text in self.demonyms:
            return label
        place_label = self.gazetteer.place_label(text)
        if place_label is None:
            return label
        if end - start > 1 or label == "NORP":
            return place_label
        if start > 0 and doc[start - 1].text in self.title_tokens:
            return label   # "Mr. Paris"
        if text in self.reviewed_labels or self.gazetteer.is_country(text):
            return place_label
        after_preposition = start > 0 and doc[start - 1].lower_ in self.place_prepositions
        if after_preposition and self.gazetteer.largest_population(text) >= self.relabel_min_population:
            return place_label   # "from Rotterdam"; but "Henderson told", "succeeding Warren" stay people
        return label

    def _add_reviewed_places(self, doc: Doc, spans: list[Span]) -> list[Span]:
        """Tag reviewed places, replacing overlapping model spans unless the model's contains the place."""
        matches = filter_spans([Span(doc, s, e, label=m) for m, s, e in self.place_matcher(doc)])
        if not matches:
            return spans
        kept: list[Span] = []
        for span in spans:
            overlapping = [m for m in matches if m.start < span.end and span.start < m.end]
            if not overlapping:
                kept.append(span)
                continue
            match = overlapping[0]
            if _strip_the(span.text) == match.text:
                kept.append(Span(doc, span.start, span.end, label=match.label))     # "the Kerem Shalom"
                matches = [m for m in matches if m is not match]
            elif span.start <= match.start and match.end <= span.end and len(span) > len(match):
                kept.append(span)                              # "Kerem Shalom crossing", "the Middle East war"
                matches = [m for m in matches if m is not match]
        return kept + matches


def build_nlp(params: TagParams, gazetteer_cache_dir: str | None) -> Language:
    """The pinned model with only its NER, followed by the news rule layer. Nothing is downloaded.
    `gazetteer_cache_dir`: the stage's cache folder, where the gazetteer is read from if it is there."""
    nlp = spacy.load(params.model, exclude=non_ner_components(params.model))
    nlp.add_pipe(RULES_COMPONENT, after="ner", config={"entities": params.entities.model_dump(),
                                                      "gazetteer_cache_dir": gazetteer_cache_dir or ""})
    return nlp


def non_ner_components(model: str) -> list[str]:
    """Every component of the model that NER does not need (all but `ner`: its embedding is its own)."""
    from spacy.util import get_model_meta, get_package_path, is_package

    path = get_package_path(model) if is_package(model) else Path(model)
    meta = get_model_meta(path)
    return [name for name in meta.get("components", meta.get("pipeline", [])) if name != "ner"]


def tag_texts(nlp: Language, texts: list[str], params: TagParams,
              progress_stage: str | None = None) -> list[list[CharSpan]]:
    """Entity spans (start, end, label), character offsets into each text, in input order.

    A pure function of each text (plus model, params and rule data): results may be cached by content.
    With `n_process` > 1 the texts go to that many forked workers in batches; see `_tag_in_workers`.
    """
    n_process = params.n_process
    if n_process > 1 and len(texts) < params.parallel_min_texts:
        n_process = 1   # starting worker processes costs more than tagging a few batches
    batches = [texts[i:i + params.batch_size] for i in range(0, len(texts), params.batch_size)]
    if n_process == 1:
        tagged: Iterable[list[list[CharSpan]]] = (spans_of(nlp, batch) for batch in batches)
        return _collect(tagged, len(batches), progress_stage)
    return _tag_in_workers(nlp, batches, n_process, progress_stage)


def spans_of(nlp: Language, texts: list[str]) -> list[list[CharSpan]]:
    return [[(ent.start_char, ent.end_char, ent.label_) for ent in doc.ents]
            for doc in nlp.pipe(texts, batch_size=len(texts) or 1)]


def _collect(tagged: Iterable[list[list[CharSpan]]], n_batches: int,
             progress_stage: str | None) -> list[list[CharSpan]]:
    if progress_stage is not None:
        tagged = progress(tagged, progress_stage, "NER batches", total=n_batches)
    return [spans for batch in tagged for spans in batch]


# Set in the parent just before forking; each worker inherits the loaded pipeline copy-on-write.
_WORKER_NLP: Language | None = None


def _tag_batch_in_worker(texts: list[str]) -> list[list[CharSpan]]:
    assert _WORKER_NLP is not None, "worker started without a pipeline"
    return spans_of(_WORKER_NLP, texts)


def _tag_in_workers(nlp: Language, batches: list[list[str]], n_process: int,
                    progress_stage: str | None) -> list[list[CharSpan]]:
    """Tag batches in `n_process` forked workers that send back only (start, end, label) tuples.

    Why not `nlp.pipe(n_process=...)`: spaCy's workers send every whole Doc back to the parent, which
    deserialises it (Doc.from_bytes) on a core the workers need; here the parent only waits, so both cores
    run the network. Forking shares the loaded model with the workers instead of loading it again in each.
    The workers run spaCy only: nothing in them touches polars' thread pool, which a fork does not carry.
    """
    global _WORKER_NLP
    _WORKER_NLP = nlp
    try:
        # A process pool that notices a dead worker (killed for memory, say) and raises, where
        # multiprocessing.Pool would wait for its result forever.
        with ProcessPoolExecutor(n_process, mp_context=multiprocessing.get_context("fork")) as pool:
            return _collect(pool.map(_tag_batch_in_worker, batches), len(batches), progress_stage)
    except BrokenProcessPool:
        raise StageError("an NER worker process died (killed for lack of memory?); nothing was written. "
                         "Try a smaller tag.batch_size or tag.n_process: 1") from None
    finally:
        _WORKER_NLP = None
