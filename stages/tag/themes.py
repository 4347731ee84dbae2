"""Themes: mentions of a small, reviewed theme lexicon (data/themes.yaml), matched on lemmas.

Lemmas without a lemmatiser: running spaCy's tagger + lemmatizer would cost more than the whole
budget of the non-NER extractors, so text and lexicon terms both go through the same cheap "lemma key"
(`lemma_key`): lower case, apostrophe-s and hyphens dropped ("cease-fire" -> "ceasefire"), irregular
forms looked up in the lexicon's `irregular` table, then plural (-ies/-es/-s), -ing and -ed stripped,
a doubled final consonant undoubled ("kidnapp" -> "kidnap") and a final -e dropped. The key is not
always a dictionary word ("negotiate" -> "negotiat") but it is the same for every inflection of a
lemma, which is all matching needs, and it costs a few string operations per word.

Matching is a linear scan: each word's key indexes the terms that start with it; the longest term of
each theme that matches there (words separated only by whitespace) gives one row, and the theme's
scan resumes after it. Word keys are memoised over a call, and a sentence none of whose words starts a term
(most sentences) is skipped after one pass over its words.
"""
from __future__ import annotations

import functools
import re
from typing import Iterator

import polars as pl
from typing_extensions import NotRequired, TypedDict

from schemas.params import Themes as ThemesParams
from schemas.tag import Themes
from stages.tag import data_file_spec
from stages.tag.lexicon import data_yaml, iter_sentences, rows_frame


@data_file_spec
class ThemeLexiconFile(TypedDict):
    """data/themes.yaml (or the lexicon tag.themes.lexicon names): irregular forms, theme -> terms."""
    irregular: NotRequired[dict[str, str]]
    themes: dict[str, list[str]]


WORD_RE = re.compile(r"[A-Za-z](?:[A-Za-z’'-]*[A-Za-z])?")


def lemma_key(word: str, irregular: dict[str, str] | None = None) -> str:
    """Cheap normalisation shared by text and lexicon: equal for the inflections of one lemma."""
    w = _plain(word)
    if irregular and w in irregular:
        return irregular[w]
    return _final_e(_undoubled(_verb_stem(_singular(w))))


def _plain(word: str) -> str:
    """Lower case, no apostrophe-s, no hyphens or apostrophes: "Cease-fire's" -> "ceasefire"."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    return w.replace("-", "").replace("'", "")


def _singular(w: str) -> str:
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and w.endswith(("sses", "shes", "ches", "xes", "zes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def _verb_stem(w: str) -> str:
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3]
    if len(w) > 4 and w.endswith("ed") and not w.endswith("eed"):
        return w[:-2]
    return w


def _undoubled(w: str) -> str:
    """"kidnapp" -> "kidnap" (but "fall", "miss", "buzz" keep theirs)."""
    return w[:-1] if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz" else w


def _final_e(w: str) -> str:
    return w[:-1] if len(w) > 3 and w.endswith("e") else w


class _ThemeLexicon:
    def __init__(self, name: str) -> None:
        data = data_yaml(name, ThemeLexiconFile, "tag.themes.lexicon")
        self.irregular: dict[str, str] = {k.lower(): v for k, v in data.get("irregular", {}).items()}
        # first word key -> [(word keys, theme, term)], longest term first, then by theme/term for determinism
        index: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
        for theme, terms in data["themes"].items():
            for term in terms:
                keys = tuple(self.word_key(w) for w in term.split())
                index.setdefault(keys[0], []).append((keys, theme, term))
        self.index = {k: sorted(v, key=lambda t: (-len(t[0]), t[1], t[2])) for k, v in index.items()}

    def word_key(self, word: str) -> str:
        """A term word "=talks" matches the exact lower-case word; others match on the lemma key."""
        return word.lower() if word.startswith("=") else lemma_key(word, self.irregular)

    def text_keys(self, word: str) -> tuple[str, str]:
        return lemma_key(word, self.irregular), "=" + word.lower().replace("’", "'")


@functools.lru_cache(maxsize=None)
def _lexicon(name: str) -> _ThemeLexicon:
    return _ThemeLexicon(name)


class _WordKeys(dict):  # type: ignore[type-arg]
    """word -> (lemma key, exact key), computed on first use: a corpus repeats a small vocabulary."""

    def __init__(self, lex: _ThemeLexicon) -> None:
        super().__init__()
        self.lex = lex

    def __missing__(self, word: str) -> tuple[str, str]:
        keys = self[word] = self.lex.text_keys(word)
        return keys


class _StartsTerm(dict):  # type: ignore[type-arg]
    """word -> True when one of its keys is the first word key of a lexicon term."""

    def __init__(self, keys: _WordKeys) -> None:
        super().__init__()
        self.keys = keys

    def __missing__(self, word: str) -> bool:
        key, exact = self.keys[word]
        hit = self[word] = key in self.keys.lex.index or exact in self.keys.lex.index
        return hit


def _themes_in_sentence(sentence: str, lex: _ThemeLexicon, word_keys: _WordKeys | None = None
                        ) -> Iterator[tuple[int, int, str, str]]:
    word_keys = _WordKeys(lex) if word_keys is None else word_keys
    words = [(m.start(), m.end(), *word_keys[m.group(0)]) for m in WORD_RE.finditer(sentence)]
    resume_at: dict[str, int] = {}          # theme -> first word index it may match again
    index = lex.index
    for i, (start, _, key, exact) in enumerate(words):
        if key not in index and exact not in index:
            continue                        # no term starts with this word (most words)
        candidates = index.get(key, []) + index.get(exact, [])
        matched: set[str] = set()
        for keys, theme, term in sorted(candidates, key=lambda t: (-len(t[0]), t[1], t[2])):
            if theme in matched or resume_at.get(theme, 0) > i or i + len(keys) > len(words):
                continue
            if all(keys[j] in words[i + j][2:] and
                   (j == 0 or sentence[words[i + j - 1][1]:words[i + j][0]].isspace())
                   for j in range(len(keys))):
                matched.add(theme)
                resume_at[theme] = i + len(keys)
                yield start, words[i + len(keys) - 1][1], theme, term


def extract_themes(docs: pl.DataFrame, sentences: pl.DataFrame, params: ThemesParams) -> pl.DataFrame:
    """One row per theme mention (schemas.tag.Themes)."""
    lex = _lexicon(params.lexicon)
    keys = _WordKeys(lex)
    starts_term = _StartsTerm(keys)
    rows: list[dict[str, object]] = []
    for doc_id, sent_id, sent_start, sentence in iter_sentences(docs, sentences):
        # most sentences have no word that can start a term: one C-level pass over memoised words skips them
        if not any(map(starts_term.__getitem__, WORD_RE.findall(sentence))):
            continue
        for start, end, theme, term in _themes_in_sentence(sentence, lex, keys):
            rows.append({"doc_id": doc_id, "sent_id": sent_id, "start": sent_start + start,
                         "end": sent_start + end, "text": sentence[start:end], "theme": theme, "term": term})
    return rows_frame(rows, Themes, ["doc_id", "start", "end", "theme"])
