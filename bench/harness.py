"""Shared plumbing of the quality harnesses (quotes, dates, ner_conll, provenance, quality_gates).

Not a benchmark itself. It runs the real pipeline on a corpus the way `bench/pipeline.py` and
`bench/output_hashes.py` do (their `copy_project`, `run_env`, `dvc`: a fresh git-initialised copy of this
project whose `ingest.input_dir` is `corpus/` and whose caches start cold inside the copy, then
`dvc repro`), and it prints and saves figures beside their same-run baselines, the reference figures
measured earlier and the targets. A figure that cannot be computed is shown as "n/a (reason)", never as a
number.

Nothing here imports `stages/` or `schemas/`: the harnesses read the pipeline only through its outputs,
so a refactor of the stages cannot break the instrument that judges it.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import polars as pl

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))
from pipeline import ROOT, BenchError, copy_project, dvc, log, run_env, tail  # noqa: E402

SHARED = ROOT / ".." / "shared"
BENCHMARKS = SHARED / "benchmarks"
RESULTS = ROOT / "bench" / "results"
CORPUS_DIR = "corpus"
REPRO_TIMEOUT_S = 3 * 3600


# ------------------------------------------------------------------------------------ running

@contextlib.contextmanager
def workdir(keep: bool = False, parent: Path | None = None, prefix: str = "newsflow-quality-") -> Iterator[Path]:
    """A temporary folder for project copies, removed afterwards unless `keep`."""
    path = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    try:
        yield path
    finally:
        if keep:
            log(f"project copies kept in {path}")
        else:
            shutil.rmtree(path, ignore_errors=True)


def run_pipeline(dest: Path, write_inputs: Callable[[Path], Any], source: Path = ROOT,
                 timeout_s: float = REPRO_TIMEOUT_S) -> tuple[Path, float, Any]:
    """Copy the project to `dest`, let `write_inputs(corpus_folder)` fill its corpus, run `dvc repro`.

    Returns (the copy, wall seconds of `dvc repro`, whatever write_inputs returned). Raises BenchError with
    the end of DVC's output when the pipeline fails."""
    project = copy_project(source, dest, [])
    corpus = project / CORPUS_DIR
    shutil.rmtree(corpus, ignore_errors=True)
    corpus.mkdir()
    written = write_inputs(corpus)
    started = time.perf_counter()
    try:
        run = subprocess.run(dvc("repro", "--quiet"), cwd=project, env=run_env(), capture_output=True,
                             text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired as err:
        raise BenchError(f"dvc repro ran past {timeout_s:.0f} s in {project}") from err
    seconds = time.perf_counter() - started
    if run.returncode:
        raise BenchError(f"dvc repro failed (exit {run.returncode}) in {project}:\n"
                         f"{tail(run.stdout)}\n{tail(run.stderr)}")
    return project, seconds, written


def run_scorer(script: Path, args: list[str], timeout_s: float = 1800) -> tuple[dict[str, Any] | None, str]:
    """Run a benchmark's own score.py with this Python; (its JSON result or None, error text or '')."""
    with tempfile.TemporaryDirectory(prefix="newsflow-score-") as tmp:
        out = Path(tmp) / "score.json"
        try:
            run = subprocess.run([sys.executable, str(script), *args, "--json", str(out)], capture_output=True,
                                 text=True, timeout=timeout_s, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        except subprocess.TimeoutExpired:
            return None, f"{script.name} ran past {timeout_s:.0f} s"
        if run.returncode or not out.exists():
            return None, f"{script.name} failed (exit {run.returncode}): {tail(run.stderr, 12)}"
        return json.loads(out.read_text(encoding="utf-8")), ""


def git_commit(path: Path = ROOT) -> str:
    """The commit the measured code is at (short sha, '+dirty' when the worktree has changes)."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short=12", "HEAD"], cwd=path, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "stages", "schemas", "params.yaml",
                                "dvc.yaml"], cwd=path, capture_output=True, text=True).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def meta(benchmark: str, **extra: Any) -> dict[str, Any]:
    return {"benchmark": benchmark, "measured": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "commit": git_commit(), "python": sys.version.split()[0], **extra}


def write_json(path: Path, payload: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


# ----------------------------------------------------------------------------------- figures

@dataclass
class Figure:
    """One measured figure with what it is compared to.

    value None means "not computed": `na` then says why. `target` is (">=" | "<=", threshold) on the same
    scale as `value`. `baseline` is a same-run baseline on the same scale (None when there is none)."""
    name: str
    value: float | None
    na: str = ""
    baseline: float | None = None
    reference: float | None = None
    target: tuple[str, float] | None = None
    scale: str = "%"          # "%" (0-100), "ratio" (0-1), "count"
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        if self.value is None or self.target is None:
            return None
        op, threshold = self.target
        return self.value >= threshold if op == ">=" else self.value <= threshold

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["target"] = None if self.target is None else {"op": self.target[0], "value": self.target[1]}
        data["pass"] = self.passed
        return data


def show(value: float | None, scale: str) -> str:
    if value is None:
        return "-"
    if scale == "%":
        return f"{value:.1f}"
    if scale == "count":
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.2f}"
    return f"{value:.3f}"


def print_figures(title: str, figures: list[Figure], baseline_name: str = "baseline") -> None:
    """A table: figure, ours, same-run baseline, reference measured earlier, target, verdict."""
    print(f"\n== {title} ==")
    width = max([len(f.name) for f in figures] + [20]) + 2
    header = f"{'figure':<{width}}{'ours':>9}{baseline_name:>14}{'reference':>11}{'target':>10}  verdict"
    print(header)
    print("-" * len(header))
    for f in figures:
        target = "" if f.target is None else f"{f.target[0]}{show(f.target[1], f.scale)}"
        verdict = {True: "PASS", False: "FAIL", None: ""}[f.passed]
        ours = show(f.value, f.scale) if f.value is not None else "n/a"
        line = (f"{f.name:<{width}}{ours:>9}{show(f.baseline, f.scale):>14}{show(f.reference, f.scale):>11}"
                f"{target:>10}  {verdict}")
        if f.value is None:
            line += f"  ({f.na})"
        elif f.note:
            line += f"  {f.note}"
        print(line)


def dig(data: Any, *keys: str) -> Any:
    """data[k1][k2]... or None when any level is missing."""
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return None
        data = data[key]
    return data


def figure_from_dict(data: dict[str, Any]) -> Figure:
    """The inverse of Figure.as_dict (for printing figures read back from JSON)."""
    fields = {k: v for k, v in data.items() if k != "pass"}
    target = fields.get("target")
    fields["target"] = None if target is None else (target["op"], target["value"])
    return Figure(**fields)


def score_figure(score: dict[str, Any] | None, path: tuple[str, ...],
                 denominator: tuple[str, ...] | None = None) -> tuple[float | None, str]:
    """(a figure of a scorer's JSON, '' or why it is n/a): n/a when absent, or when the count it is a share
    of is 0 (the scorers print 0.0 for an empty share)."""
    if score is None:
        return None, "no score"
    if denominator is not None and not dig(score, *denominator):
        return None, "nothing to measure it on (count 0)"
    value = dig(score, *path)
    return (None, "the scorer did not report it") if value is None else (value, "")


# ------------------------------------------------------------------------- scoring a built data/

def complete_columns(table: pl.DataFrame, types: dict[str, Any]) -> tuple[pl.DataFrame, list[str]]:
    """(the table with every column in `types`, the columns that had to be added as nulls)."""
    missing = [c for c in types if c not in table.columns]
    if missing:
        table = table.with_columns([pl.lit(None, dtype=types[c]).alias(c) for c in missing])
    return table, missing


def scoring_view(data: Path, dest: Path, tag_tables: dict[str, pl.DataFrame],
                 linked: tuple[str, ...] = ("ingest", "clean")) -> Path:
    """A `data/`-like folder for a scorer: `linked` stage folders symlinked from `data`, and
    tag/NAME.parquet written from `tag_tables` (a completed or a baseline table)."""
    (dest / "tag").mkdir(parents=True)
    for stage in linked:
        (dest / stage).symlink_to((data / stage).resolve(), target_is_directory=True)
    for name, table in tag_tables.items():
        table.write_parquet(dest / "tag" / f"{name}.parquet")
    return dest
