"""Canonical names: one name per real person, organisation and place, and a stable id for each.

Input: one row per mention (doc_id, sent_id, start, end, text, label). Each mention gets:

- `canonical`, built in this order:
  1. the surface is tidied: spaces collapsed, a trailing possessive ("Netanyahu's") removed, titles and
     honorifics stripped from people (`data/titles.txt`: "Prime Minister Benjamin Netanyahu"), a leading
     "the" stripped from places, groups and organisations ("the United States");
  2. the reviewed alias file (`data/aliases.yaml`) maps forms to one name and label ("U.S.", "US",
     "the United States" -> "United States"; "CIA" -> "Central Intelligence Agency");
  3. demonyms (`data/demonyms.tsv`) become NORP with their singular form and the country they refer to
     in `country` ("Israelis" -> "Israeli", country "Israel");
  3b. one label per name in a document: a several-word ORG span ending with a person named in the same
     document is that person ("American Dennis Mitchell" beside "Mitchell": "Dennis Mitchell"); a
     one-word place, group, organisation, event, product or work that is the surname of
     a person named in the same document is that person ("Trump" ORG beside "Donald Trump"), unless it
     is a country, a reviewed place, a reviewed alias or all capitals; then every name whose mentions
     carry two labels takes the one most of them have (a tie: the first of LABEL_PRIORITY), a one-word
     name voting with the one longer name of its document that ends with it ("Cup" with "Fed Cup";
     not a known place, a demonym, an alias or capitals: "Moscow" beside "Dynamo Moscow"). Names of the
     alias file (organisations, platforms and outlets: "Twitter", "Netflix") keep their reviewed label;
  4. people, within a document: a name that is the tail of exactly one longer name in the same document
     becomes that name ("Mr. Netanyahu", "Netanyahu" -> "Benjamin Netanyahu"); two different longer names
     ("Joe Biden", "Hunter Biden") leave the short one alone;
  4b. an honorific agrees (`data/honorifics.yaml`, `data/first_names.yaml`): a one-word name written
     after "Mr."/"Mrs."/"Ms." takes the one full name of its document of that gender ("Mr. Obama" beside
     "Barack Obama" and "Michelle Obama" -> "Barack Obama") and never one of the other gender (it keeps its
     own name then);
  5. people, across documents: a canonical name is always a form its document writes (the name, or the
     document's own longer name it is the tail of). Full names that differ only by a nickname of the
     first name (`data/nicknames.tsv`: "Bill Burns", "William Burns") keep what each document wrote but
     share the formal one's entity_id when it occurs; a bare surname still unresolved keeps its name and
     takes the entity_id of the one full name in the whole input that ends with it, if there is exactly
     one (`resolve_surnames_across_docs`);
  6. organisations, within a document: an acronym that is the initials of exactly one organisation named
     in the same document takes that name ("Islamic Resistance Movement" ... "IRM");
  7. places: a reviewed place or a country takes the gazetteer's name ("Al-Mawasi" -> "Al Mawasi").
- `entity_id`: the first 16 hex characters of sha256("{label}|{canonical}"): the same on every run and
  machine, independent of row order. A person whose written name merges with a variant elsewhere (step 5)
  takes the id of the merged name instead, so one person is one id while each article keeps its own form.
- `latitude`, `longitude`, `country_code` for GPE/LOC/FAC mentions the gazetteer resolves unambiguously
  (see places.py; null otherwise, never a guess).

Every decision uses sets of names sorted before use, so the output does not depend on row order or on
PYTHONHASHSEED.
"""
from __future__ import annotations

import bisect
import functools
import hashlib
import re
from pathlib import Path
from typing import Literal

import polars as pl
from typing_extensions import NotRequired, TypedDict

from schemas.base import polars_schema
from schemas.params import Entities as EntitiesParams
from schemas.tag import Entities
from stages.common import StageError
from stages.common.datafiles import load_tsv, load_words, load_yaml
from stages.tag import DATA_DIR, data_file_spec
from stages.tag.places import PLACE_LABELS, Gazetteer

# Labels whose leading "the" is an article, not part of the name (titles of works keep theirs).
THE_STRIPPED_LABELS = frozenset({"NORP", "FAC", "ORG", "GPE", "LOC", "EVENT"})
# Labels a reviewed alias or demonym may overwrite: the model's guess between kinds of name.
RELABELLABLE = frozenset({"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC"})
# Labels of names, as opposed to numbers and times: a document's mentions of one name vote among these.
# The kinds of thing beyond RELABELLABLE ("Wimbledon" EVENT and ORG, "LIFFE" PRODUCT and ORG in one story)
# are the model hesitating over one name as much as ORG against GPE is.
NAME_LABELS = RELABELLABLE | frozenset({"EVENT", "PRODUCT", "WORK_OF_ART", "LAW", "LANGUAGE"})
# What canonicalize adds to (or corrects in) each mention, in the order of schemas.tag.Entities.
ADDED_COLUMNS = ["label", "canonical", "entity_id", "country", "latitude", "longitude", "country_code"]

_SPACES = re.compile(r"\s+")
_POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")
_ACRONYM = re.compile(r"[A-Z](?:\.?[A-Z]){1,7}\.?")


# --- data files --------------------------------------------------------------------------------------
@data_file_spec
class AliasEntry(TypedDict):
    """One entry of data/aliases.yaml."""
    canonical: str
    label: str
    aliases: NotRequired[list[str]]


@functools.lru_cache(maxsize=1)
def read_aliases(path: Path = DATA_DIR / "aliases.yaml") -> dict[str, tuple[str, str]]:
    """form -> (canonical, label), the canonical name included as a form of itself."""
    out: dict[str, tuple[str, str]] = {}
    for entry in load_yaml(path, list[AliasEntry]):
        target = (entry["canonical"], entry["label"])
        for form in [entry["canonical"], *entry.get("aliases", [])]:
            form = _strip_the(form)
            if out.get(form, target) != target:
                raise StageError(f"{path}: {form!r} is an alias of two entities")
            out[form] = target
    return out


def _tsv_rows(path: Path, columns: list[str]) -> list[dict[str, str]]:
    """A TSV data file whose first row names its columns."""
    header, *rows = load_tsv(path, len(columns))
    if header != columns:
        raise StageError(f"{path}: the first row must name the columns {columns}, not {header}")
    return [dict(zip(columns, row)) for row in rows]


@functools.lru_cache(maxsize=1)
def read_demonyms(path: Path = DATA_DIR / "demonyms.tsv") -> dict[str, tuple[str, str]]:
    """form (singular or plural) -> (demonym, country)."""
    out: dict[str, tuple[str, str]] = {}
    for row in _tsv_rows(path, ["demonym", "plural", "country"]):
        for form in (row["demonym"], row["plural"]):
            if form:
                out[form] = (row["demonym"], row["country"])
    return out


@functools.lru_cache(maxsize=1)
def read_nicknames(path: Path = DATA_DIR / "nicknames.tsv") -> dict[str, str]:
    """nickname -> formal first name."""
    return {row["nickname"]: row["formal"] for row in _tsv_rows(path, ["nickname", "formal"])}


@functools.lru_cache(maxsize=1)
def read_titles(path: Path = DATA_DIR / "titles.txt") -> tuple[tuple[str, ...], ...]:
    """Titles as word tuples, longest first, so "Prime Minister" is tried before "Minister"."""
    return tuple(sorted({tuple(line.split()) for line in load_words(path)}, key=lambda t: (-len(t), t)))


@data_file_spec
class FirstNamesFile(TypedDict):
    """data/first_names.yaml."""
    male: list[str]
    female: list[str]


@functools.lru_cache(maxsize=1)
def first_name_genders() -> dict[str, str]:
    """Lower-case first name -> "male" or "female" (data/first_names.yaml: names of one gender in news)."""
    names = load_yaml(DATA_DIR / "first_names.yaml", FirstNamesFile)
    return {**{n.lower(): "male" for n in names["male"]}, **{n.lower(): "female" for n in names["female"]}}


@functools.lru_cache(maxsize=1)
def read_honorifics() -> dict[str, str]:
    """Lower-case honorific without its dot ("mr") -> "male" or "female" (data/honorifics.yaml)."""
    return {k.lower(): v for k, v in load_yaml(DATA_DIR / "honorifics.yaml",
                                               dict[str, Literal["male", "female"]]).items()}


@functools.lru_cache(maxsize=1)
def acronym_skipped_words() -> frozenset[str]:
    """Words an acronym skips: "Organization of the Petroleum Exporting Countries" -> OPEC."""
    return frozenset(load_words(DATA_DIR / "acronym_skipped_words.txt"))


# --- surface clean-up --------------------------------------------------------------------------------
def _strip_the(text: str) -> str:
    return text[4:] if text[:4] in ("the ", "The ") and len(text) > 4 else text


def tidy(text: str) -> str:
    """Spaces collapsed, surrounding punctuation and a trailing possessive removed."""
    text = _SPACES.sub(" ", text).strip().strip(",;:\"“”‘'()[]")
    return _POSSESSIVE.sub("", text).strip() or text


# A royal is known by the title and one name ("Prince Andrew", "Queen Elizabeth"): a bare "Andrew" names no one.
ROYAL_TITLES = frozenset({("King",), ("Queen",), ("Prince",), ("Princess",)})


def strip_titles(name: str) -> str:
    """"Prime Minister Benjamin Netanyahu" -> "Benjamin Netanyahu"; keeps at least one word, and a royal
    title before a single name ("Prince Andrew" stays)."""
    words = name.split()
    changed = True
    while changed and len(words) > 1:
        changed = False
        for title in read_titles():
            if len(words) > len(title) and tuple(words[:len(title)]) == title:
                if title in ROYAL_TITLES and len(words) == len(title) + 1:
                    return " ".join(words)
                words = words[len(title):]
                changed = True
                break
    return " ".join(words)


def entity_id(label: str, canonical: str) -> str:
    return hashlib.sha256(f"{label}|{canonical}".encode("utf-8")).hexdigest()[:16]


def acronym_of(name: str) -> str:
    """Initials of the capitalised words: "Central Intelligence Agency" -> "CIA"."""
    skipped = acronym_skipped_words()
    return "".join(w[0] for w in name.replace("-", " ").split() if w.lower() not in skipped and w[0].isupper())


# --- people ------------------------------------------------------------------------------------------
def _by_last_word(names: list[str]) -> dict[str, list[str]]:
    """Names grouped by their last word, in the given order: a longer name can only end like one of these."""
    index: dict[str, list[str]] = {}
    for name in names:
        index.setdefault(name.rsplit(" ", 1)[-1], []).append(name)
    return index


def _longer_name_for(short: str, names_by_last_word: dict[str, list[str]]) -> str | None:
    """The one longer name whose words end with `short`'s words, if there is exactly one (up to nesting).

    Looked up among the names sharing `short`'s last word, so resolving every name of a corpus stays linear
    instead of comparing each name with every other.
    """
    words = short.split()
    if not words:
        return None
    candidates = names_by_last_word.get(words[-1], ())
    longer = [n for n in candidates if len(n.split()) > len(words) and n.split()[-len(words):] == words]
    if not longer:
        return None
    longest = max(longer, key=lambda n: (len(n.split()), n))
    # All candidates must be tails of the longest: "Netanyahu" < "Benjamin Netanyahu" is fine,
    # "Biden" with "Joe Biden" and "Hunter Biden" is not.
    if all(longest.split()[-len(n.split()):] == n.split() for n in longer):
        return longest
    return None


def _formal(name: str, nicknames: dict[str, str]) -> str:
    first, _, rest = name.partition(" ")
    return f"{nicknames.get(first, first)} {rest}" if rest else name


def resolve_people(person_names_by_doc: dict[str, set[str]],
                   params: EntitiesParams) -> dict[tuple[str, str], tuple[str, str]]:
    """(doc_id, tidied name) -> (canonical name, merge key) for every PERSON name.

    The canonical name is always a form the document writes: the name itself, or the one longer name of
    the same document it is the tail of ("Perry" -> "Rick Perry"); within a document, full names equal up
    to a nickname take the formal form when the document writes it. The merge key is what makes one
    person of the corpus's variants without rewriting them: a full name's formal form when that form is
    written somewhere in the input ("Joe Biden" keeps its name, merged with "Joseph Biden"), and a bare
    surname left unresolved takes the key of the one full name of the input ending with it
    (`resolve_surnames_across_docs`). A reader sees what the article wrote ("Joseph Biden" in an article
    that only says "Joe Biden" would be a name it never printed); the corpus still counts one entity.
    """
    nicknames = read_nicknames()
    within: dict[tuple[str, str], str] = {}
    for doc_id in sorted(person_names_by_doc):
        names = sorted(person_names_by_doc[doc_id])
        index = _by_last_word(names)
        longest = {name: _longer_name_for(name, index) or name for name in names}
        written = set(longest.values())
        for name in names:
            formal = _formal(longest[name], nicknames)
            within[(doc_id, name)] = formal if formal in written else longest[name]

    full_names = sorted({n for n in within.values() if " " in n})
    present = set(full_names)
    key_of = {name: formal if (formal := _formal(name, nicknames)) in present else name for name in full_names}
    resolved = {key: (name, key_of.get(name, name)) for key, name in within.items()}

    if params.resolve_surnames_across_docs:
        corpus_full = _by_last_word(sorted(set(key_of.values())))
        for key, (name, merge_key) in sorted(resolved.items()):
            if " " not in name:
                resolved[key] = (name, _longer_name_for(name, corpus_full) or merge_key)
    return resolved


# --- the transform -----------------------------------------------------------------------------------
# Labels a one-word mention may be wrongly given when it is the surname of a person named nearby.
SURNAME_SUSPECT_LABELS = ("EVENT", "GPE", "LOC", "NORP", "ORG", "PRODUCT", "WORK_OF_ART")
# A tie in a document's vote on a name's label goes to the first of these (then alphabetical order).
LABEL_PRIORITY = ("ORG", "PERSON", "GPE", "LOC", "NORP", "FAC")


def canonicalize(entities: pl.DataFrame, params: EntitiesParams, gazetteer: Gazetteer) -> pl.DataFrame:
    """Add canonical, entity_id, country, latitude, longitude, country_code (labels may be corrected): the
    mentions (doc_id, sent_id, start, end, text, label) become rows of schemas.tag.Entities.

    Every rule works on distinct values (surface forms, per-document name sets, place names) in Python and
    reaches the mentions through joins: a corpus repeats the same few names hundreds of thousands of times.
    """
    schema = polars_schema(Entities)
    if entities.height == 0:
        return entities.with_columns(*[pl.lit(None, dtype=schema[c]).alias(c) for c in ADDED_COLUMNS[1:]])
    # 1-3. Each distinct (text, label) is tidied, stripped and looked up in the aliases and demonyms once.
    mentions = entities.select("doc_id", "text", "label", *[c for c in CONTEXT_COLUMNS if c in entities.columns]).join(
        _surface_table(entities.select("text", "label").unique()), on=["text", "label"], how="left",
        maintain_order="left")
    mentions = _people_tagged_as_organisations(mentions)
    mentions = _surnames_are_people(mentions, gazetteer)
    mentions = _unknown_places_ending_organisations(mentions, gazetteer)
    mentions = _one_label_per_name(mentions, gazetteer)
    mentions = _resolve_names(mentions, params, gazetteer)
    mentions = _with_ids(mentions)
    return entities.with_columns(mentions.select(ADDED_COLUMNS).cast({c: schema[c] for c in ADDED_COLUMNS}))


# A surname as news writes it: "Quinn", "McGwire", "O'Neill", "Tyler-Sharman" (three letters or more).
_SURNAME = re.compile(r"[A-Z](?:[a-z]+|'[A-Z][a-z]+)(?:[A-Z][a-z]+)?(?:-[A-Z][a-z]+)?")
_CAPITALISED_TOKEN = re.compile(r"[A-Z][\w.'’-]*")
# (?<!\s): a run of spaces is tried once, not from each of its spaces (linear under finditer too)
_CAPITALISED_AFTER = re.compile(r"(?<!\s)\s+[A-Z]")
_SENTENCE_START = re.compile(r"^\W*$")


PLACE_CONTEXT = "place_context"
HONORIFIC = "honorific_gender"
CONTEXT_COLUMNS = [PLACE_CONTEXT, HONORIFIC]


def with_mention_context(mentions: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """`mentions` with what the words around a mention tell, read by canonicalize:
    - PLACE_CONTEXT: the word before the mention in its sentence is a place preposition and no possessive
      follows it ("in Jordan", but not "in Jordan's film"). Read by `_surnames_are_people`.
    - HONORIFIC: the gender of an honorific right before the mention or opening it ("Mr. Obama": NER
      trims the honorific off the span, and with it the only sign of the person's gender), else null.
      Read by `_honorifics_agree`."""
    text = sentences.select("sent_id", sentence_start=pl.col("start"), sentence=pl.col("text"))
    with_text = mentions.join(text, on="sent_id", how="left", maintain_order="left")
    before = pl.col("sentence").str.slice(0, pl.col("start") - pl.col("sentence_start"))
    word_before = before.str.extract(r"(\w+)\W*$").str.to_lowercase()
    possessive = pl.col("sentence").str.slice(pl.col("end") - pl.col("sentence_start"), 2).is_in(["'s", "’s"])
    context = (word_before.is_in(sorted(_place_prepositions())) & ~possessive).fill_null(False)
    honorifics = read_honorifics()
    # "Mr. " or British "Mr " right before; or the span's own first word
    honorific = pl.coalesce(before.str.extract(r"(?:^|\W)(\w+)\.? $"),
                            pl.col("text").str.extract(r"^(\w+)\.? ")).str.to_lowercase()
    gender = honorific.replace_strict(honorifics, default=None, return_dtype=pl.String)
    return mentions.with_columns(with_text.select(context.alias(PLACE_CONTEXT), gender.alias(HONORIFIC)))


def surname_mentions(mentions: pl.DataFrame, sentences: pl.DataFrame) -> pl.DataFrame:
    """Mentions of people their document names in full that the model left untagged: after "Niall Quinn"
    (PERSON), a later "Quinn" alone ("Quinn headed the equaliser") is that person. A surname is taken where
    no mention covers it and it is not part of a longer capitalised name ("Kevin Quinn", "Quinn Street"),
    not after a place preposition ("in Jordan"), and, when the document also writes it in lower case (a
    common word: "such", "young"), not as a sentence's first word. Rows as `mentions` (doc_id, sent_id,
    start, end, text, label PERSON)."""
    people = mentions.filter((pl.col("label") == "PERSON") & pl.col("text").str.contains(" ", literal=True))
    last_word = pl.col("text").str.replace(r"['’]s$", "").str.split(" ").list.last()
    surnames = (people.select("doc_id", surname=last_word)
                .filter(pl.col("surname").str.contains(f"^{_SURNAME.pattern}$")).unique())
    if surnames.height == 0:
        return mentions.clear()
    by_doc: dict[str, set[str]] = {}
    for doc_id, surname in surnames.iter_rows():
        by_doc.setdefault(doc_id, set()).add(surname)
    covered: dict[str, list[tuple[int, int]]] = {}
    for doc_id, start, end in mentions.filter(pl.col("doc_id").is_in(list(by_doc))).select(
            "doc_id", "start", "end").sort("doc_id", "start").iter_rows():
        covered.setdefault(doc_id, []).append((start, end))
    doc_sentences = sentences.filter(pl.col("doc_id").is_in(list(by_doc))).select("doc_id", "sent_id", "start", "text")
    # only the sentences that hold one of their document's surnames are read
    candidates = (doc_sentences.join(surnames, on="doc_id")
                  .filter(pl.col("text").str.contains(pl.col("surname"), literal=True)))
    doc_text = {doc_id: " ".join(part["text"].to_list())
                for (doc_id,), part in doc_sentences.join(candidates.select("doc_id").unique(), on="doc_id")
                .group_by(["doc_id"], maintain_order=True)}
    prepositions = _place_prepositions()
    rows = []
    for doc_id, sent_id, sent_start, text, name in candidates.iter_rows():
        at = text.find(name)
        while at >= 0:
            start, end = sent_start + at, sent_start + at + len(name)
            before, after = text[:at], text[at + len(name):]
            if _stands_alone(before, after) and not _is_covered(covered.get(doc_id, []), start, end):
                words_before = before.split()
                after_preposition = bool(words_before) and words_before[-1].lower() in prepositions
                common_word = _SENTENCE_START.match(before) and re.search(rf"\b{name.lower()}\b", doc_text[doc_id])
                if not after_preposition and not common_word:
                    rows.append((doc_id, sent_id, start, end, name, "PERSON"))
            at = text.find(name, at + 1)
    rows.sort()
    return pl.DataFrame(rows, schema=mentions.schema, orient="row")


def _stands_alone(before: str, after: str) -> bool:
    """A surname between `before` and `after` is a word of its own ("Quinn's", "Sanders’"; not "O'Quinn",
    "Quinnell") and no part of a longer capitalised name ("Kevin Quinn", "Quinn Street")."""
    if before and (before[-1].isalnum() or before[-1] in "'’.-_"):
        return False
    words_before = before.split()
    if words_before and before[-1].isspace() and _CAPITALISED_TOKEN.fullmatch(words_before[-1].lstrip("\"“‘'([")):
        return False
    if after[:1].isalnum() or after[:1] in ("-", "_") or _CAPITALISED_AFTER.match(after):
        return False
    possessive = after[:2] in ("'s", "’s") and not after[2:3].isalnum()
    return not (after[:1] in ("'", "’") and after[1:2].isalpha() and not possessive)


def _is_covered(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """Some span of `spans` (sorted by start) overlaps start..end."""
    i = bisect.bisect_left(spans, (end, -1))
    return any(s < end and start < e for s, e in spans[max(0, i - 8):i])


@functools.lru_cache(maxsize=1)
def _place_prepositions() -> frozenset[str]:
    return frozenset(load_words(DATA_DIR / "place_prepositions.txt"))


@functools.lru_cache(maxsize=1)
def org_heads() -> frozenset[str]:
    """Head nouns that make a span an organisation's name ("Bank", "Reserve"): data/org_heads.txt."""
    return frozenset(load_words(DATA_DIR / "org_heads.txt"))


def _person_in_org_span(name: str, people: set[str], demonyms: dict[str, tuple[str, str]],
                        singles: set[str] = frozenset()) -> str | None:
    """The person an ORG span names when its last word(s) are a person of its document: the longest such
    tail of two or more words ("Centre Walter Little" -> "Walter Little"), else the span without a leading
    demonym or title ("American Dennis Mitchell" beside "Mitchell" -> "Dennis Mitchell"). A demonym then a
    name of two words or more whose last word the document also writes alone (`singles`, any label) is a
    person too ("Australian Rodney Eyles" beside "Eyles" PRODUCT: news introduces a sports person so)."""
    words = name.split()
    for k in range(len(words) - 1, 0, -1):
        if " ".join(words[-k:]) in people:
            if k > 1:
                return " ".join(words[-k:])
            while len(words) > 2 and words[0] in demonyms:
                words = words[1:]
            return strip_titles(" ".join(words))
    if len(words) > 2 and words[0] in demonyms and words[-1] in singles and words[1] not in demonyms:
        return " ".join(words[1:])
    return None


def _people_tagged_as_organisations(mentions: pl.DataFrame) -> pl.DataFrame:
    """A several-word ORG span that ends with a person named in the same document is that person: the small
    model reads a demonym, a title or a position before a name as an organisation ("American Dennis
    Mitchell" ORG in a story that says "Mitchell" PERSON; "Hen Vipheak" beside "Vipheak"). A reviewed alias,
    a span holding an organisation head noun ("Bank") or a lower-case word ("Coalition to Stop Trump",
    "Friends of Abe": a group named after a person) stays an organisation. Sets `name`, `new_label`."""
    people = (mentions.filter(pl.col("new_label") == "PERSON").group_by("doc_id").agg(pl.col("name").unique()))
    people_of = {doc: set(names) for doc, names in people.iter_rows()}
    single = pl.col("new_label").is_in(sorted(NAME_LABELS)) & ~pl.col("name").str.contains(" ", literal=True)
    singles = mentions.filter(single).group_by("doc_id").agg(pl.col("name").unique())
    singles_of = {doc: set(names) for doc, names in singles.iter_rows()}
    suspects = (mentions.filter((pl.col("new_label") == "ORG") & pl.col("name").str.contains(" ", literal=True)
                                & pl.col("doc_id").is_in(sorted(set(people_of) | set(singles_of))))
                .select("doc_id", "name").unique().sort("doc_id", "name"))
    aliases, demonyms, heads = read_aliases(), read_demonyms(), org_heads()
    rows = [(doc, name, person) for doc, name in suspects.iter_rows()
            if name not in aliases and not heads.intersection(name.split())
            and not any(word[:1].islower() for word in name.split())
            and (person := _person_in_org_span(name, people_of.get(doc, set()), demonyms,
                                               singles_of.get(doc, set()))) is not None]
    found = pl.DataFrame(rows, orient="row", schema={"doc_id": pl.String, "name": pl.String, "person_name": pl.String})
    return (mentions.join(found, on=["doc_id", "name"], how="left", maintain_order="left")
            .with_columns(new_label=pl.when(pl.col("person_name").is_not_null() & (pl.col("new_label") == "ORG"))
                          .then(pl.lit("PERSON")).otherwise(pl.col("new_label")))
            .with_columns(name=pl.when(pl.col("person_name").is_not_null() & (pl.col("new_label") == "PERSON"))
                          .then(pl.col("person_name")).otherwise(pl.col("name")))
            .drop("person_name"))


def _surnames_are_people(mentions: pl.DataFrame, gazetteer: Gazetteer) -> pl.DataFrame:
    """A one-word "place" or "group" that is the surname of a person named in the same document is that
    person ("Blinken" tagged GPE in a story about Antony Blinken; "Hamilton" after "William Hamilton"),
    unless it is a country or a reviewed place. Sets `label` from the surface table's `new_label`."""
    surnames = (mentions.filter((pl.col("new_label") == "PERSON") & pl.col("name").str.contains(" ", literal=True))
                .select("doc_id", name=pl.col("name").str.split(" ").list.last()).unique())
    suspects = (mentions.filter(pl.col("new_label").is_in(SURNAME_SUSPECT_LABELS)
                                & ~pl.col("name").str.contains(" ", literal=True) & pl.col("country").is_null())
                .select("doc_id", "name").unique().join(surnames, on=["doc_id", "name"], how="semi"))
    aliases = read_aliases()
    candidates = sorted({name for name in suspects["name"].to_list() if name not in aliases and not name.isupper()})
    places = {name for name in candidates if gazetteer.is_country(name) or name in gazetteer.reviewed}
    relabelled = suspects.filter(pl.col("name").is_in(candidates)).with_columns(
        surname=pl.lit(True), place_name=pl.col("name").is_in(sorted(places)))
    # A country or reviewed place is the person only where no place preposition comes before it ("Jordan
    # said", "Jordan's film" beside "Neil Jordan"; "in Jordan" stays the country); without the context
    # column (mentions built elsewhere) it stays the place.
    in_place_context = pl.col(PLACE_CONTEXT) if PLACE_CONTEXT in mentions.columns else pl.lit(True)
    person = (pl.col("surname") & pl.col("new_label").is_in(SURNAME_SUSPECT_LABELS) & pl.col("country").is_null()
              & (~pl.col("place_name") | ~in_place_context))
    return mentions.join(relabelled, on=["doc_id", "name"], how="left", maintain_order="left").with_columns(
        label=pl.when(person).then(pl.lit("PERSON")).otherwise(pl.col("new_label"))
    ).drop("surname", "place_name", "new_label")


def _unknown_places_ending_organisations(mentions: pl.DataFrame, gazetteer: Gazetteer) -> pl.DataFrame:
    """A one-word "place" the gazetteer does not know that is the last word of an organisation named in the
    same document is that organisation's short form ("Treasuries" GPE beside "U.S. Treasuries" ORG): ORG. A
    known place stays one ("Moscow" beside "Dynamo Moscow"), and so do a reviewed alias, a demonym's
    country and a name in capitals (an acronym or a code); the organisation's words are all capitalised."""
    orgs = (mentions.filter((pl.col("label") == "ORG") & pl.col("name").str.contains(" ", literal=True))
            .select("doc_id", "name").unique())
    tails = [(doc, name.rsplit(" ", 1)[-1]) for doc, name in orgs.iter_rows()
             if not any(word[:1].islower() for word in name.split())]
    tail_frame = pl.DataFrame(tails, orient="row", schema={"doc_id": pl.String, "name": pl.String}).unique()
    suspects = (mentions.filter(pl.col("label").is_in(PLACE_LABELS) & pl.col("country").is_null()
                                & ~pl.col("name").str.contains(" ", literal=True))
                .select("doc_id", "name").unique().join(tail_frame, on=["doc_id", "name"], how="semi"))
    aliases = read_aliases()
    unknown = sorted({name for name in suspects["name"].to_list()
                      if name not in aliases and not name.isupper() and gazetteer.place_label(name) is None})
    relabelled = suspects.filter(pl.col("name").is_in(unknown)).with_columns(org_tail=pl.lit(True))
    return mentions.join(relabelled, on=["doc_id", "name"], how="left", maintain_order="left").with_columns(
        label=pl.when(pl.col("org_tail") & pl.col("label").is_in(PLACE_LABELS)).then(pl.lit("ORG"))
        .otherwise(pl.col("label"))).drop("org_tail")


def _tails_of_longer_names(mentions: pl.DataFrame, gazetteer: Gazetteer, known: list[str]) -> pl.DataFrame:
    """(doc_id, voted_name, group): a name that is the last word or words of exactly one longer name of its
    document ("Cup" EVENT beside "Fed Cup" ORG, "Nerweyi" ORG beside "Faik Nerweyi", "Labor Day" EVENT
    beside "U.S. Labor Day" ORG) is voted with that name,
    so the two carry one label. A name that stands alone is left out: a known place ("Moscow" beside "Dynamo
    Moscow"), a demonym, a reviewed alias, a name in capitals (an acronym or a code); so is a tail of two
    longer names ("Joe Biden", "Hunter Biden") and of one with a lower-case word ("Bank of England")."""
    names = (mentions.filter(pl.col("label").is_in(sorted(NAME_LABELS)) & ~pl.col("voted_name").is_in(known))
             .group_by("doc_id", "voted_name").agg(demonym=pl.col("country").is_not_null().any(),
                                                   person=(pl.col("label") == "PERSON").any()))
    person_names = {(doc, name) for doc, name, _, person in names.iter_rows() if person}
    longer = [(doc, name) for doc, name, _, _ in names.iter_rows()
              if " " in name and not any(word[:1].islower() for word in name.split())]
    longer_by_tail: dict[tuple[str, str], set[str]] = {}
    for doc, name in longer:
        words = name.split(" ")
        # the last word; and the last words when neither name is a person's ("Labor Day" of "U.S. Labor
        # Day"; people's several-word surnames are the people rules': "Le Pen" of "Marine Le Pen")
        for k in range(1, len(words)):
            tail = " ".join(words[k:])
            if k == len(words) - 1 or ((doc, name) not in person_names and (doc, tail) not in person_names):
                longer_by_tail.setdefault((doc, tail), set()).add(name)
    rows = sorted((doc, name, next(iter(longer_by_tail[doc, name])))
                  for doc, name, demonym, _ in names.iter_rows()
                  if len(longer_by_tail.get((doc, name), ())) == 1 and not demonym
                  and not name.isupper() and gazetteer.place_label(name) is None)
    return pl.DataFrame(rows, orient="row", schema={"doc_id": pl.String, "voted_name": pl.String,
                                                    "group": pl.String})


def _one_label_per_name(mentions: pl.DataFrame, gazetteer: Gazetteer) -> pl.DataFrame:
    """Within a document, every mention of a name takes the label most of its mentions have ("Derbyshire"
    ORG twice and PERSON once -> ORG); a tie goes to the first of LABEL_PRIORITY, then to the first label in
    alphabetical order (LAW before PRODUCT), never to whichever row came first. A one-word name is voted
    with the one longer name it ends (`_tails_of_longer_names`). A name of the reviewed alias file keeps its
    reviewed label (a known organisation or platform is never a person); only the name labels of
    NAME_LABELS are voted (numbers and times keep theirs)."""
    aliases = read_aliases()
    known = sorted(name for name, (canonical, _) in aliases.items() if name == canonical)
    rank = {label: i for i, label in enumerate(LABEL_PRIORITY)}
    # Voted on the name without a leading "the": a work's title keeps its article, an organisation's name
    # loses it ("the All Blacks" WORK_OF_ART, "All Blacks" ORG in one story are one name).
    mentions = mentions.with_columns(voted_name=pl.col("name").str.replace(r"^(?:the|The) ", ""))
    groups = _tails_of_longer_names(mentions, gazetteer, known)
    mentions = (mentions.join(groups, on=["doc_id", "voted_name"], how="left", maintain_order="left")
                .with_columns(group=pl.coalesce("group", "voted_name")))
    votes = (mentions.filter(pl.col("label").is_in(sorted(NAME_LABELS)) & ~pl.col("voted_name").is_in(known))
             .group_by("doc_id", "group", "label").len()
             .with_columns(rank=pl.col("label").replace_strict(rank, default=len(rank)))
             # The label itself breaks what rank leaves tied (two labels outside LABEL_PRIORITY): without it
             # the winner followed the row order the NER workers produced, which differs between executors.
             .sort(["doc_id", "group", "len", "rank", "label"], descending=[False, False, True, False, False])
             .group_by("doc_id", "group", maintain_order=True).agg(voted=pl.col("label").first(),
                                                                   n_labels=pl.col("label").n_unique())
             .filter(pl.col("n_labels") > 1).drop("n_labels"))
    relabelled = pl.col("voted").is_not_null() & pl.col("label").is_in(sorted(NAME_LABELS))
    return (mentions.join(votes, on=["doc_id", "group"], how="left", maintain_order="left")
            .with_columns(label=pl.when(relabelled).then(pl.col("voted")).otherwise(pl.col("label")))
            .with_columns(name=pl.when(relabelled & pl.col("label").is_in(sorted(THE_STRIPPED_LABELS)))
                          .then(pl.col("voted_name")).otherwise(pl.col("name")))
            .drop("voted", "voted_name", "group"))


def _resolve_names(mentions: pl.DataFrame, params: EntitiesParams, gazetteer: Gazetteer) -> pl.DataFrame:
    """Steps 4-7: people within and across documents, acronyms within a document, places; sets `name`,
    `label` (reviewed places) and the coordinates."""
    people = _names_by_doc(mentions, "PERSON")
    person_canonical = pl.DataFrame(
        [(doc, name, canonical, merge_key)
         for (doc, name), (canonical, merge_key) in resolve_people(people, params).items()],
        schema={"doc_id": pl.String, "name": pl.String, "person": pl.String, "person_key": pl.String},
        orient="row")
    acronyms = pl.DataFrame(
        [(doc, acronym, full) for doc, org_names in _names_by_doc(mentions, "ORG").items()
         for acronym, full in _acronym_table(org_names).items()],
        schema={"doc_id": pl.String, "acronym": pl.String, "expanded": pl.String}, orient="row")
    place_names = mentions.filter(pl.col("label").is_in(PLACE_LABELS))["name"].unique().sort().to_list()
    places = _place_table(place_names, gazetteer)

    is_acronym = (pl.col("label") == "ORG") & pl.col("name").str.contains(f"^(?:{_ACRONYM.pattern})$")
    is_place = pl.col("label").is_in(PLACE_LABELS) & pl.col("place_kind").is_not_null()
    adopts_place_name = is_place & pl.col("place_kind").is_in(["reviewed", "country"])
    return (_honorifics_agree(mentions.join(person_canonical, on=["doc_id", "name"], how="left",
                                            maintain_order="left"))
            .with_columns(acronym=pl.when(is_acronym).then(pl.col("name").str.replace_all(".", "", literal=True)))
            .join(acronyms, on=["doc_id", "acronym"], how="left", maintain_order="left")
            .join(places, on="name", how="left", maintain_order="left")
            .with_columns(
                name=pl.when(pl.col("label") == "PERSON").then(pl.col("person"))
                .when(is_acronym).then(pl.coalesce("expanded", "name"))
                .when(adopts_place_name).then(pl.col("place_name"))
                .otherwise(pl.col("name")),
                label=pl.when(is_place & (pl.col("place_kind") == "reviewed")).then(pl.col("place_label"))
                .otherwise(pl.col("label")),
                latitude=pl.when(is_place).then(pl.col("latitude")),
                longitude=pl.when(is_place).then(pl.col("longitude")),
                country_code=pl.when(is_place).then(pl.col("country_code"))))


def _honorifics_agree(mentions: pl.DataFrame) -> pl.DataFrame:
    """Step 4b: a one-word person written with an honorific ("Mr. Obama") takes a name of the honorific's
    gender (`data/first_names.yaml`): the one full name of its document ending with it whose first name is
    of that gender ("Barack Obama", even beside "Michelle Obama"), else its own name when step 4 gave it a
    full name of the other gender (a "Mr. Obama" is never "Michelle Obama"). Sets `person`, `person_key`."""
    if HONORIFIC not in mentions.columns:
        return mentions
    people = (mentions.filter((pl.col("label") == "PERSON") & pl.col(HONORIFIC).is_not_null()
                              & pl.col("person").is_not_null() & ~pl.col("name").str.contains(" ", literal=True))
              .select("doc_id", "name", HONORIFIC, "person").unique().sort(pl.all()))
    if people.height == 0:
        return mentions
    genders = first_name_genders()
    full = (mentions.filter((pl.col("label") == "PERSON") & pl.col("person").str.contains(" ", literal=True)
                            & pl.col("doc_id").is_in(people["doc_id"].unique().to_list()))
            .select("doc_id", "person", "person_key").unique().sort(pl.all()))
    by_surname: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for doc_id, person, key in full.iter_rows():
        by_surname.setdefault((doc_id, person.rsplit(" ", 1)[-1]), []).append((person, key))
    rows = []
    for doc_id, name, gender, person in people.iter_rows():
        written = genders.get(person.split(" ", 1)[0].lower()) if " " in person else None
        if written == gender:
            continue
        same_gender = [(full_name, key) for full_name, key in by_surname.get((doc_id, name), [])
                       if genders.get(full_name.split(" ", 1)[0].lower()) == gender]
        if len(same_gender) == 1:
            rows.append((doc_id, name, gender, *same_gender[0]))
        elif written is not None:
            rows.append((doc_id, name, gender, name, name))
    agreeing = pl.DataFrame(rows, schema={"doc_id": pl.String, "name": pl.String, HONORIFIC: pl.String,
                                          "agreeing": pl.String, "agreeing_key": pl.String}, orient="row")
    return (mentions.join(agreeing, on=["doc_id", "name", HONORIFIC], how="left", maintain_order="left")
            .with_columns(person=pl.coalesce("agreeing", "person"),
                          person_key=pl.coalesce("agreeing_key", "person_key"))
            .drop("agreeing", "agreeing_key"))


def _with_ids(mentions: pl.DataFrame) -> pl.DataFrame:
    """`canonical` (a name that came out empty keeps its tidied surface, or its raw text) and `entity_id`."""
    empty = mentions.filter(pl.col("name").fill_null("") == "")["text"].unique().to_list()
    fallback = pl.DataFrame({"text": empty, "fallback": [tidy(text) or text for text in empty]},
                            schema={"text": pl.String, "fallback": pl.String})
    mentions = mentions.join(fallback, on="text", how="left", maintain_order="left").with_columns(
        canonical=pl.when(pl.col("name").fill_null("") == "").then(pl.col("fallback")).otherwise(pl.col("name")))
    # A person's id is that of the name its variants merge under (resolve_people's merge key), so "Joe
    # Biden" and "Joseph Biden" stay as written yet count as one entity; any other id is its canonical's.
    mentions = mentions.with_columns(id_name=pl.when((pl.col("label") == "PERSON")
                                                     & (pl.col("person_key").fill_null("") != ""))
                                     .then(pl.col("person_key")).otherwise(pl.col("canonical")))
    ids = mentions.select("label", "id_name").unique()
    ids = ids.with_columns(entity_id=pl.Series([entity_id(label, name) for label, name in ids.iter_rows()],
                                               dtype=pl.String))
    return mentions.join(ids, on=["label", "id_name"], how="left", maintain_order="left")


def _surface_table(pairs: pl.DataFrame) -> pl.DataFrame:
    """text, label -> name, country, new_label (`_surface_name` of each distinct pair)."""
    aliases, demonyms = read_aliases(), read_demonyms()
    rows = [_surface_name(text, label, aliases, demonyms) for text, label in pairs.iter_rows()]
    return pairs.with_columns(pl.Series("name", [r[0] for r in rows], dtype=pl.String),
                              pl.Series("country", [r[1] for r in rows], dtype=pl.String),
                              pl.Series("new_label", [r[2] for r in rows], dtype=pl.String))


def _names_by_doc(mentions: pl.DataFrame, label: str) -> dict[str, set[str]]:
    """doc_id -> the distinct names of its mentions with this label."""
    grouped = mentions.filter(pl.col("label") == label).group_by("doc_id").agg(pl.col("name").unique())
    return {doc: set(names) for doc, names in grouped.iter_rows()}


def _place_table(names: list[str], gazetteer: Gazetteer) -> pl.DataFrame:
    """name -> place_name, place_kind, place_label, latitude, longitude, country_code of the one place it
    denotes (names the gazetteer cannot resolve are left out)."""
    rows = [(name, place.name, place.kind, place.label, place.latitude, place.longitude, place.country_code)
            for name in names if (place := gazetteer.resolve(name)) is not None]
    return pl.DataFrame(rows, orient="row", schema={
        "name": pl.String, "place_name": pl.String, "place_kind": pl.String, "place_label": pl.String,
        "latitude": pl.Float64, "longitude": pl.Float64, "country_code": pl.String})


def _surface_name(text: str, label: str, aliases: dict[str, tuple[str, str]],
                  demonyms: dict[str, tuple[str, str]]) -> tuple[str, str | None, str]:
    """(name, country of a demonym, label) of one mention, from its text alone: tidied, "the" and titles
    stripped, an alias or a demonym replaced by what it stands for."""
    name, country = tidy(text), None
    if label in THE_STRIPPED_LABELS:
        name = _strip_the(name)
    if label == "PERSON":
        name = strip_titles(name)
    if label in RELABELLABLE and name in aliases:
        name, label = aliases[name]
    elif label in ("NORP", "GPE", "PERSON") and name in demonyms:
        (name, country), label = demonyms[name], "NORP"
    return name, country, label


def _acronym_table(org_names: set[str]) -> dict[str, str]:
    """acronym -> the one organisation of the document with those initials (ambiguous ones left out)."""
    by_acronym: dict[str, set[str]] = {}
    for name in org_names:
        if " " in name:
            by_acronym.setdefault(acronym_of(name), set()).add(name)
    return {acr: next(iter(full)) for acr, full in sorted(by_acronym.items()) if len(full) == 1 and len(acr) > 1}
