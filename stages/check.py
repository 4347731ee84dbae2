"""check: params.yaml and the input folder, before any stage runs.

DVC reruns a stage only when a param it tracks changes, so a typo such as `tag.batchsize: 128` would be
ignored silently, and a missing `ingest.input_dir` ends in DVC's own "[Errno 2]" while it hashes the
folder. This runs first (`make run` calls it before `dvc repro`; in dvc.yaml it is the first stage, run
whenever params.yaml or the params model changes, and ingest depends on its marker file): every section is
checked by its model in `schemas/params.py` and every problem is listed by dotted key, with the message the
stage itself would give; the input folder must exist and hold at least one file (in it or a sub-folder).

The marker (`data/check/params.ok`) has the same bytes whenever the check passes, so DVC reruns nothing
downstream because of it.
"""
from __future__ import annotations

import argparse
import os
from pathlib import Path

from schemas.params import SECTIONS, InvalidParams, validate_section
from stages.common import PARAMS_FILE, StageError, read_params_file, run_stage, write_text_atomic

STAGE = "check"
MARKER = Path("data/check/params.ok")
MARKER_TEXT = "params.yaml and the input folder passed stages/check.py\n"


def params_problems(params: dict) -> list[str]:
    """Every problem of params.yaml, by dotted key, over all sections."""
    problems = [f"{name}: unknown section (sections: {', '.join(SECTIONS)})" for name in params
                if name not in SECTIONS]
    for section in SECTIONS:
        if section not in params:
            problems.append(f"{section}: section missing")
            continue
        try:
            validate_section(section, params[section])
        except InvalidParams as err:
            problems.extend(str(err).splitlines())
    return problems


def input_problems(input_dir: str) -> list[str]:
    """Why the input folder cannot be read: absent, not a folder, or without a single file."""
    folder = Path(input_dir)
    if not folder.exists():
        return [f"ingest.input_dir: folder '{input_dir}' does not exist (relative paths start at the project "
                f"folder, {Path.cwd()})"]
    if not folder.is_dir():
        return [f"ingest.input_dir: '{input_dir}' is not a folder"]
    try:
        if not has_a_file(folder):
            return [f"ingest.input_dir: folder '{input_dir}' holds no file: put the articles to process in it "
                    f"(nothing was run, earlier outputs and caches are kept)"]
    except OSError as err:
        return [f"ingest.input_dir: folder '{input_dir}' cannot be read ({err.strerror})"]
    return []


def has_a_file(folder: Path) -> bool:
    """Whether anything but folders is under `folder` (links not followed); stops at the first one."""
    pending = [folder]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                if not entry.is_dir(follow_symlinks=False):
                    return True
                pending.append(Path(entry.path))
    return False


def check(path: Path = PARAMS_FILE) -> None:
    params = read_params_file(path)
    problems = params_problems(params)
    if not problems:
        problems = input_problems(params["ingest"]["input_dir"])
    if problems:
        raise StageError(f"{path} has problems; nothing was run:\n  " + "\n  ".join(problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--marker", action="store_true", help=f"write {MARKER} when the check passes")
    args = parser.parse_args()
    check()
    if args.marker:
        write_text_atomic(MARKER_TEXT, MARKER)


if __name__ == "__main__":
    run_stage(STAGE, main)
