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
import stat
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
    """Why the input folder cannot be read: absent, not a folder, without a single file, or holding entries
    DVC cannot hash (`blocking_entries`)."""
    folder = Path(input_dir)
    if not folder.exists():
        return [f"ingest.input_dir: folder '{input_dir}' does not exist (relative paths start at the project "
                f"folder, {Path.cwd()})"]
    if not folder.is_dir():
        return [f"ingest.input_dir: '{input_dir}' is not a folder"]
    try:
        n_files, blocking = scan_inputs(folder)
    except OSError as err:
        return [f"ingest.input_dir: folder '{input_dir}' cannot be read ({err.strerror})"]
    if not n_files:
        return [f"ingest.input_dir: folder '{input_dir}' holds no file: put the articles to process in it "
                f"(nothing was run, earlier outputs and caches are kept)"]
    if blocking:
        shown = [f"{printable(str(path))}: {why}" for path, why in blocking[:MAX_SHOWN]]
        more = [f"... and {len(blocking) - MAX_SHOWN} more"] if len(blocking) > MAX_SHOWN else []
        return [f"ingest.input_dir: DVC hashes '{input_dir}' before ingest runs and cannot hash "
                f"{len(blocking)} of its entries; rename, move or fix them (`python -m stages.ingest` alone would "
                f"reject them with a reason):", *shown, *more]
    return []


MAX_SHOWN = 10


def entry_problem(entry: os.DirEntry) -> str | None:
    """Why DVC cannot hash this entry (it would crash or block), or None."""
    try:
        entry.name.encode("utf-8")
    except UnicodeEncodeError:
        return "the name is not valid UTF-8 (DVC stops with a UnicodeEncodeError)"
    info = entry.stat(follow_symlinks=False)
    if stat.S_ISFIFO(info.st_mode) or stat.S_ISSOCK(info.st_mode) or stat.S_ISCHR(info.st_mode) \
            or stat.S_ISBLK(info.st_mode):
        return "a FIFO, socket or device (DVC would block or fail reading it)"
    mode = os.R_OK | os.X_OK if stat.S_ISDIR(info.st_mode) else os.R_OK
    if not stat.S_ISLNK(info.st_mode) and not os.access(entry.path, mode):
        return "permission denied"
    return None


def scan_inputs(folder: Path) -> tuple[int, list[tuple[str, str]]]:
    """(how many entries other than folders are under `folder`, links not followed; the entries DVC
    cannot hash, with why)."""
    n_files, blocking = 0, []
    pending = [str(folder)]
    while pending:
        with os.scandir(pending.pop()) as entries:
            for entry in entries:
                problem = entry_problem(entry)
                if problem is not None:
                    blocking.append((entry.path, problem))
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                else:
                    n_files += 1
    return n_files, sorted(blocking)


def printable(text: str) -> str:
    """A path as ingest shows it: undecodable bytes as \\xff, control characters escaped."""
    return "".join(f"\\x{ord(c) - 0xDC00:02x}" if 0xDC80 <= ord(c) <= 0xDCFF
                   else c.encode("unicode_escape").decode("ascii") if not c.isprintable() else c for c in text)


def check(path: Path = PARAMS_FILE) -> None:
    params = read_params_file(path)
    problems = params_problems(params)
    if not problems:
        problems = input_problems(params["ingest"]["input_dir"])
        where = f"the input folder ({params['ingest']['input_dir']})"
    else:
        where = str(path)
    if problems:
        raise StageError(f"{where} has problems; nothing was run:\n  " + "\n  ".join(problems))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--marker", action="store_true", help=f"write {MARKER} when the check passes")
    args = parser.parse_args()
    check()
    if args.marker:
        write_text_atomic(MARKER_TEXT, MARKER)


if __name__ == "__main__":
    run_stage(STAGE, main)
