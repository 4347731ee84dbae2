"""pandera models (polars backend), one per table of CONTRACT.md. Stages validate every table before writing.

Every model is strict and declares every column its stage writes (the contract's minimum and the extras), so a
stage builds its frames from the model (schemas.base.frame) and an undeclared column fails validation.
"""
from __future__ import annotations

import contextlib
import importlib
import importlib.abc
import os
import sys
from types import ModuleType
from typing import Iterator

# What pandera loads that these models never use: pandas (its pandas engine and check registry, loaded at
# import and again at the first validation) and hypothesis (its data synthesis strategies, loaded at the
# first validation).
PANDERA_UNUSED = ("pandas", "hypothesis")


class _Hidden(importlib.abc.MetaPathFinder):
    """While in sys.meta_path: importing one of `names` (or a submodule) fails as if it were not installed."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


@contextlib.contextmanager
def imports_hidden(unused: tuple[str, ...]) -> Iterator[None]:
    """Inside the block, libraries import as if the optional integrations `unused` were not installed.

    Some libraries load every integration they support that happens to be installed, whether the caller
    uses it or not. Here that is the price of every stage process's start: pandera loads pandas and its
    pandas engine (0.9 s, at import and at the first validation) where the cluster extra (Ray, which needs
    pandas) is installed, and hypothesis where the dev extra is; lightgbm loads scikit-learn, pandas and
    pyarrow (1.5-2.3 s). Each takes its documented path for a missing integration instead. Only imports
    inside the block are affected: the hidden libraries stay importable afterwards (Ray's data layer loads
    pandas), and a library already imported stays as it is."""
    hide = _Hidden(unused)
    sys.meta_path.insert(0, hide)
    try:
        yield
    finally:
        sys.meta_path.remove(hide)


def import_without(module: str, unused: tuple[str, ...]) -> ModuleType:
    """Import `module` inside `imports_hidden(unused)` (returned as it is when already imported)."""
    if module in sys.modules:
        return sys.modules[module]
    with imports_hidden(unused):
        return importlib.import_module(module)


# pydantic searches the entry points of every installed distribution for plugins when it builds its first
# model (~0.05-0.1 s of every stage process's start, more the more is installed). The params and table models
# use none, and a plugin installed for another program must not change how they validate: pydantic's own
# switch turns the search off, here, before pandera and the params models build any (a value the user set
# is kept; tests/test_schemas_import.py checks no stage searches).
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

# Every table model validates polars frames only: pandera's own polars-only path, before any model module
# imports `pandera.polars` (stages.common.tables validates inside imports_hidden too).
import_without("pandera.polars", PANDERA_UNUSED)
