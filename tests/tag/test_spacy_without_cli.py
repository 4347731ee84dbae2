"""spaCy imported through the NER code leaves its command line out, and tags exactly as spaCy imported whole."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEXTS = ["Prime Minister Benjamin Netanyahu met officials in Rome on Sunday.",
         "Apple bought Beats for $3 billion in May 2014, Reuters said.", "Mr. Netanyahu returned home."]
# argv[1] "whole": spaCy imported first, as any other program would (the stand-in then does nothing)
TAG = """
import json, sys
if sys.argv[1] == "whole":
    import spacy
from stages.tag import ner
from tests.shipped_params import shipped
params = shipped("tag", {"n_process": 1})
spans = ner.tag_texts(ner.build_nlp(params, None), json.loads(sys.argv[2]), params)
cli = sorted(m for m in ("typer", "weasel", "httpx", "requests") if m in sys.modules)
try:
    import spacy
    spacy.info()
    info = "ran"
except RuntimeError as err:
    info = str(err)
print(json.dumps({"spans": spans, "cli": cli, "info": info}))
"""


def _run(mode: str) -> dict:
    out = subprocess.run([sys.executable, "-c", TAG, mode, json.dumps(TEXTS)], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_spacy_through_the_ner_code_has_no_command_line_and_the_same_spans():
    light, whole = _run("light"), _run("whole")
    assert light["spans"] == whole["spans"] and any(light["spans"])
    assert light["cli"] == [] and "typer" in whole["cli"]
    assert "command line is not loaded" in light["info"]
