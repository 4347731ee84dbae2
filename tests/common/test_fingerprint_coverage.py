"""Every file and library a cached computation reads is in the fingerprint its cache is named by, so an
edited data file, module or library version can never return a stale result. Each case runs in a fresh
interpreter (`tests/common/trace_reads.py`) on a project built from the seeds."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.common.trace_reads import CASES

ROOT = Path(__file__).resolve().parents[2]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0"}
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """The seeds through ingest, clean, segment and tag: every table a case reads."""
    folder = tmp_path_factory.mktemp("fingerprints")
    shutil.copy(ROOT / "params.yaml", folder / "params.yaml")
    shutil.copytree(ROOT / "seeds", folder / "seeds")
    for stage in ("ingest", "clean", "segment", "tag"):
        proc = run(["-m", f"stages.{stage}"], folder)
        assert proc.returncode == 0, proc.stderr[-2000:]
    return folder


@pytest.mark.parametrize("case", sorted(CASES))
def test_every_file_and_library_a_cached_result_reads_is_in_its_fingerprint(project, case):
    proc = run(["-m", "tests.common.trace_reads", case], project)
    assert proc.returncode == 0, proc.stderr[-2000:]
    found = json.loads(proc.stdout.strip().splitlines()[-1])
    assert found["read"] > 5, f"{case}: the trace saw almost nothing ({found['read']} files): is the hook working?"
    assert found["files"] == [], f"{case} reads files its fingerprint misses: {found['files']}"
    assert found["libraries"] == [], f"{case} reads libraries its fingerprint misses: {found['libraries']}"
