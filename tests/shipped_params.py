"""The shipped params.yaml with a test's changes. Stages read their section as a typed model with no
defaults in code, so a test gets its params from the shipped file, never from a dict of its own."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from schemas.params import Section, validate_section

SHIPPED_PARAMS = Path(__file__).resolve().parents[1] / "params.yaml"


def shipped(section: str, changes: dict[str, Any] | None = None) -> Section:
    """The shipped section as its typed model (what `load_section` gives a stage), with `changes` merged
    in (nested sections key by key). A change the model rejects fails here, as it would in the stage."""
    return validate_section(section, params_with(section, changes or {}))


def params_with(section: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The shipped section as a plain dict, with `changes` merged in (nested sections merged key by key)."""
    merged = copy.deepcopy(yaml.safe_load(SHIPPED_PARAMS.read_text(encoding="utf-8"))[section])
    _merge(merged, changes)
    return merged


def params_yaml(section: str, changes: dict[str, Any]) -> str:
    """A params.yaml holding that one section."""
    return yaml.safe_dump({section: params_with(section, changes)}, sort_keys=False)


def _merge(into: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value
