"""`tag.executor: local`, and `ray` below `tag.ray_min_texts`, never import Ray (nor need it installed)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = """
import sys
import stages.tag.__main__ as stage
from stages.tag.ner_process import ForkedTagger
from stages.tag.ray_tagger import RayTagger
from tests.shipped_params import shipped
params = shipped("tag", {"n_process": 1, "executor": "ray", "ray_min_texts": 10})
for tagger in (ForkedTagger(params, None), RayTagger(params, None, lambda: stage.ner_fingerprint(params),
                                                      stage.extractor_code_fingerprint)):
    assert tagger.tag(["Rome is in Italy."]) == [[(0, 4, "GPE"), (11, 16, "GPE")]], tagger.tag(["Rome is in Italy."])
    tagger.close()
assert "ray" not in sys.modules, "ray was imported"
"""


def test_the_local_path_never_imports_ray():
    done = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr[-2000:]
