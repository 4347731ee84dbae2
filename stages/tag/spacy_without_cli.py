"""Import this before spaCy: spaCy is then imported without its command line.

`import spacy` imports `spacy.cli` (for `spacy.info`), and with it typer, weasel, httpx and requests: about
half of spaCy's import time (~0.4 s of the NER helper's start, which a rerun's tag stage waits for). The
NER code never uses spaCy's command line, so `spacy.cli` and `spacy.cli.info` are stood in for by empty
modules whose `info` says so. It changes nothing once spaCy is imported (nor where the real command line
was imported first), and nothing spaCy computes: tests/tag/test_spacy_without_cli.py compares the spans.
"""
from __future__ import annotations

import sys
import types


def _no_cli(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("spaCy's command line is not loaded in newsflow's NER processes; run `python -m spacy`")


if "spacy" not in sys.modules and "spacy.cli" not in sys.modules:
    _cli = types.ModuleType("spacy.cli", "spaCy's command line, not loaded (see stages.tag.spacy_without_cli)")
    _cli.__path__ = []          # a package: `from .cli.info import info` looks up its submodule below
    _info = types.ModuleType("spacy.cli.info")
    _info.info = _no_cli        # type: ignore[attr-defined]
    _cli.info = _info           # type: ignore[attr-defined]
    sys.modules["spacy.cli"], sys.modules["spacy.cli.info"] = _cli, _info
