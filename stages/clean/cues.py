"""data/cues.yaml, the clean stage's one data file, loaded once through the strict loader
(`stages.common.datafiles`) into a typed, frozen model: every word a string, every key known, every cue
reason one of `reasons.CUE_REASONS`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from stages.clean.reasons import CUE_REASONS
from stages.common.datafiles import load_yaml

CUES_FILE = Path(__file__).resolve().parent / "data" / "cues.yaml"

CueKind = Literal["exact", "prefix", "contains"]


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Byline(_Spec):
    prefixes: list[str]
    line_contains: list[str]
    contributor_phrases: list[str]
    name_stop_words: list[str]
    name_particles: list[str]
    name_openers: list[str]
    role_words: list[str]
    outlet_words: list[str]
    link_words: list[str]
    group_words: list[str]


class Dateline(_Spec):
    words: list[str]
    weekdays: list[str]


class Cues(_Spec):
    strong_cue_reasons: list[str]
    sentence_cue_reasons: list[str]
    cues: dict[str, dict[CueKind, list[str]]]
    truncation: list[str]
    terminators: dict[Literal["comments", "related"], list[str]]
    byline: Byline
    dateline: Dateline
    site_domains: list[str]
    stopwords: dict[str, list[str]]

    @model_validator(mode="after")
    def _known_reasons(self) -> Cues:
        unknown = sorted((set(self.cues) | set(self.strong_cue_reasons) | set(self.sentence_cue_reasons))
                         - set(CUE_REASONS))
        if unknown:
            raise ValueError(f"cue reasons {unknown} are not in stages/clean/reasons.py CUE_REASONS")
        return self


@lru_cache(maxsize=1)
def load_cues() -> Cues:
    """data/cues.yaml, parsed and checked once (the model is frozen)."""
    return load_yaml(CUES_FILE, Cues)


def stopword_languages() -> list[str]:
    return sorted(load_cues().stopwords)
