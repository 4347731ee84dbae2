"""A tag stage killed with SIGKILL (the OOM killer, `kill -9`) takes its NER processes with it: the helper
while it loads the model, and the forked workers while they tag. Nothing keeps a core, memory or the
stage's stdout, so a reader of that pipe (`dvc repro | tee`) sees its end at once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]

# The stage's NER path in a process of its own: the helper forked at once; with "workers", many texts go
# to forked workers (the helper is stopped first).
STAGE = """
import sys, time
from stages.tag.ner_process import ForkedTagger
from tests.shipped_params import shipped
params = shipped("tag", {"n_process": 2, "parallel_min_texts": 0, "batch_size": 1})
tagger = ForkedTagger(params, None)
print("started", flush=True)
if sys.argv[1] == "workers":
    tagger.tag(["Rome is far from Paris, said Ms. Smith."] * 1_000_000)
time.sleep(600)
"""


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _wait_for_children(stage: psutil.Process, n: int, timeout_s: float) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        children = [child.pid for child in stage.children(recursive=True) if _alive(child.pid)]
        if len(children) >= n:
            return children
        time.sleep(0.05)
    raise AssertionError(f"the stage did not start {n} NER processes in {timeout_s} s")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux-only")
@pytest.mark.parametrize("phase, n_children", [("helper", 1), ("workers", 2)])
def test_a_killed_stage_leaves_no_ner_process_and_its_pipe_ends(phase, n_children):
    stage = subprocess.Popen([sys.executable, "-c", STAGE, phase], cwd=ROOT, stdout=subprocess.PIPE,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert stage.stdout is not None and stage.stdout.readline() == b"started\n"
        # "workers": only the forked workers, once the helper has been stopped for them
        children = _wait_for_children(psutil.Process(stage.pid), n_children, timeout_s=60)
        if phase == "workers":
            time.sleep(0.5)
            children = _wait_for_children(psutil.Process(stage.pid), n_children, timeout_s=60)
        os.kill(stage.pid, signal.SIGKILL)
        start = time.monotonic()
        stage.communicate(timeout=5)          # the pipe's end: no survivor holds the stage's stdout
        while any(_alive(pid) for pid in children) and time.monotonic() - start < 5:
            time.sleep(0.05)
        assert not [pid for pid in children if _alive(pid)], "NER processes outlived the stage"
    finally:
        if stage.poll() is None:
            stage.kill()
        stage.wait()
