"""The shipped params.yaml with a test's changes: stages check params.yaml in full (schemas/params.py), so a
test's project folder gets every key, not only the ones the test cares about."""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

SHIPPED_PARAMS = Path(__file__).resolve().parents[1] / "params.yaml"


def params_with(section: str, changes: dict[str, Any]) -> dict[str, Any]:
    """The shipped section with `changes` merged in (nested sections merged key by key)."""
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
