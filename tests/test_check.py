"""stages.check: every params problem and a missing or empty input folder, before DVC runs anything."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from tests.shipped_params import SHIPPED_PARAMS

ROOT = Path(__file__).resolve().parents[1]


def run_check(tmp_path: Path, params: dict) -> subprocess.CompletedProcess:
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    return subprocess.run([sys.executable, "-m", "stages.check", "--marker"], cwd=tmp_path, capture_output=True,
                          text=True, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})


def shipped_with_input(tmp_path: Path) -> dict:
    params = yaml.safe_load(SHIPPED_PARAMS.read_text())
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("An article.")
    params["ingest"]["input_dir"] = "in"
    return params


def test_valid_params_write_the_same_marker_every_time(tmp_path):
    params = shipped_with_input(tmp_path)
    assert run_check(tmp_path, params).returncode == 0
    first = (tmp_path / "data/check/params.ok").read_bytes()
    params["tag"]["n_process"] = 1
    assert run_check(tmp_path, params).returncode == 0
    assert (tmp_path / "data/check/params.ok").read_bytes() == first


def test_every_problem_is_listed_by_dotted_key(tmp_path):
    params = shipped_with_input(tmp_path)
    params["tag"]["batchsize"] = 128
    params["clean"]["min_body_words"] = -1
    params["extra"] = {}
    result = run_check(tmp_path, params)
    assert result.returncode == 1 and not (tmp_path / "data").exists()
    assert "tag.batchsize: unknown key (did you mean 'batch_size'?)" in result.stderr
    assert "clean.min_body_words" in result.stderr and "extra: unknown section" in result.stderr


def test_a_missing_or_empty_input_folder_is_a_clear_error(tmp_path):
    params = shipped_with_input(tmp_path)
    params["ingest"]["input_dir"] = "nowhere"
    assert "folder 'nowhere' does not exist" in run_check(tmp_path, params).stderr
    (tmp_path / "empty").mkdir()
    params["ingest"]["input_dir"] = "empty"
    assert "folder 'empty' holds no file" in run_check(tmp_path, params).stderr
    (tmp_path / "empty" / "sub" / "deeper").mkdir(parents=True)   # folders only: still nothing to read
    assert "folder 'empty' holds no file" in run_check(tmp_path, params).stderr
    (tmp_path / "empty" / "sub" / "deeper" / "a.txt").write_text("An article.")
    assert run_check(tmp_path, params).returncode == 0


def test_make_run_checks_before_dvc(tmp_path):
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile[makefile.index("\nrun:"):].split("\n\n")[0]
    assert recipe.index("stages.check") < recipe.index("dvc repro")


def test_an_alias_bomb_is_refused_before_it_is_expanded(tmp_path):
    (tmp_path / "params.yaml").write_text("a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n")
    result = subprocess.run([sys.executable, "-m", "stages.check"], cwd=tmp_path, capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, timeout=60)
    assert result.returncode == 1 and "alias *a is not allowed" in result.stderr


def test_entries_dvc_cannot_hash_are_named_before_dvc_runs(tmp_path):
    import os
    params = shipped_with_input(tmp_path)
    with open(os.fsencode(tmp_path / "in") + b"/bad\xffname.txt", "wb") as fh:
        fh.write(b"An article.")
    os.mkfifo(tmp_path / "in" / "pipe.txt")
    result = run_check(tmp_path, params)
    assert result.returncode == 1 and not (tmp_path / "data").exists()
    assert "cannot hash 2 of its entries" in result.stderr
    assert "in/bad\\xffname.txt: the name is not valid UTF-8" in result.stderr
    assert "in/pipe.txt: a FIFO" in result.stderr
