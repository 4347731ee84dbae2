"""pandera models (polars backend), one per table of CONTRACT.md. Stages validate every table before writing.

Every model is strict and declares every column its stage writes (the contract's minimum and the extras), so a
stage builds its frames from the model (schemas.base.frame) and an undeclared column fails validation.
"""
from __future__ import annotations

import importlib
import importlib.abc
import sys
from types import ModuleType


class _Hidden(importlib.abc.MetaPathFinder):
    """While in sys.meta_path: importing one of `names` (or a submodule) fails as if it were not installed."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name.partition(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def import_without(module: str, unused: tuple[str, ...]) -> ModuleType:
    """Import `module` as if the optional integrations `unused` were not installed.

    Some libraries import every integration they support that happens to be installed, whether the caller
    uses it or not. Here that is the price of every stage process's start: pandera loads pandas and its own
    pandas engine (0.45 s) where the cluster extra (Ray, which needs pandas) is installed; lightgbm loads
    scikit-learn, pandas and pyarrow (1.5-2.3 s) where the dev extra is. Both take their documented path
    for a missing integration instead. Only this import is affected: the hidden libraries stay importable
    afterwards (Ray's data layer loads pandas), and a library already imported stays as it is."""
    if module in sys.modules:
        return sys.modules[module]
    hide = _Hidden(unused)
    sys.meta_path.insert(0, hide)
    try:
        return importlib.import_module(module)
    finally:
        sys.meta_path.remove(hide)


# Every table model validates polars frames only: pandera without its pandas layer (pandera's own
# polars-only path), before any model module imports `pandera.polars`.
import_without("pandera.polars", ("pandas",))
