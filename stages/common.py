"""Helpers every stage shares: params, logging, progress, and validated, atomic, deterministic Parquet I/O.

Kept deliberately small: anything that belongs to one stage lives in that stage's module or package.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Iterable, Iterator, TypeVar

import polars as pl
import yaml

PARAMS_FILE = Path("params.yaml")

# Fixed writer options: together with sorted rows and a pinned polars, they make outputs byte-identical.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "statistics": True,
    "row_group_size": 64_000,
}

T = TypeVar("T")


class StageError(SystemExit):
    """A failure a person must read: printed as one clear message, exit status 1."""

    def __init__(self, message: str) -> None:
        super().__init__(1)
        self.message = message


def load_params(section: str, path: Path = PARAMS_FILE) -> dict[str, Any]:
    """Return one section of params.yaml (read with a YAML parser: dvc.api.params_show costs a second)."""
    with open(path, encoding="utf-8") as fh:
        params = yaml.safe_load(fh) or {}
    if section not in params:
        raise StageError(f"{path}: section '{section}' is missing")
    return params[section]


def log(stage: str, message: str) -> None:
    print(f"[{stage}] {message}", file=sys.stderr, flush=True)


def progress(items: Iterable[T], stage: str, what: str, total: int | None = None,
             every_s: float = 5.0) -> Iterator[T]:
    """Yield items, logging a progress line at most every `every_s` seconds (long stages show progress)."""
    started = last = time.monotonic()
    done = 0
    for item in items:
        yield item
        done += 1
        now = time.monotonic()
        if now - last >= every_s:
            last = now
            of = f"/{total}" if total is not None else ""
            log(stage, f"{what}: {done}{of} ({done / (now - started):.0f}/s)")


def sha16(data: bytes) -> str:
    """First 16 hex characters of SHA-256: the contract's doc_id and our other stable ids."""
    return hashlib.sha256(data).hexdigest()[:16]


def read_table(path: str | Path) -> pl.DataFrame:
    """Read a table written by an upstream stage: one Parquet file or a folder of part files."""
    path = Path(path)
    if path.is_dir():
        return pl.read_parquet(str(path / "*.parquet"))
    if not path.exists():
        raise StageError(f"{path} does not exist: run the upstream stage first (dvc repro)")
    return pl.read_parquet(path)


class SchemaViolation(StageError):
    pass


def validate(df: pl.DataFrame, model: Any, table: str, max_rows: int = 10) -> pl.DataFrame:
    """Validate a DataFrame (not a LazyFrame: pandera skips data checks on those) with lazy validation.

    On failure, raise with the table, the failing columns and checks, and the first failing rows.
    """
    import pandera.errors
    try:
        return model.validate(df, lazy=True)
    except pandera.errors.SchemaErrors as err:
        raise SchemaViolation(describe_schema_errors(err.failure_cases, df, table, max_rows)) from None


def describe_schema_errors(cases: Any, df: pl.DataFrame, table: str, max_rows: int) -> str:
    cases = cases if isinstance(cases, pl.DataFrame) else pl.DataFrame(cases)
    lines = [f"schema check failed for table '{table}' ({cases.height} failure(s)):"]
    for (column, check), group in cases.group_by(["column", "check"], maintain_order=True):
        values = [str(v)[:80] for v in group["failure_case"].head(max_rows).to_list()]
        idx = [i for i in group["index"].to_list() if i is not None][:max_rows]
        lines.append(f"  column '{column}' failed {check}: {group.height} row(s); values {values}")
        if idx:
            with pl.Config(tbl_rows=max_rows, tbl_cols=8, fmt_str_lengths=60):
                lines.append("    first failing rows:\n" + str(df[idx].head(max_rows)))
    return "\n".join(lines)


def write_table(df: pl.DataFrame, path: str | Path, model: Any, table: str,
                sort_by: list[str] | None = None) -> pl.DataFrame:
    """Sort, validate, then write atomically: a temporary file in the same folder, fsync, rename.

    Nothing is written when validation fails, and an interrupted write never leaves a partial file
    under the final name.
    """
    if sort_by:
        df = df.sort(sort_by, nulls_last=True, maintain_order=True)
    df = validate(df, model, table)
    write_parquet_atomic(df, path)
    return df


def write_parquet_atomic(df: pl.DataFrame, path: str | Path) -> None:
    """Write Parquet with the fixed writer options, atomically (also for caches, which skip validation)."""
    path = Path(path)
    fd, tmp = open_temporary(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            df.write_parquet(fh, **PARQUET_OPTIONS)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def open_temporary(path: Path) -> tuple[int, str]:
    """A temporary file beside `path` (same file system, so the final rename is atomic).

    Leftovers of a writer killed earlier are removed first: each output has a single writer.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    # mkstemp makes the file private (0600); outputs are for everyone who can read the project.
    os.fchmod(fd, 0o644)
    return fd, tmp


def write_text_atomic(text: str, path: str | Path) -> None:
    fd, tmp = open_temporary(Path(path))
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_json(obj: Any, path: str | Path) -> None:
    write_text_atomic(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", path)


def run_stage(name: str, main: Any) -> None:
    """Entry point wrapper: clear one-paragraph errors instead of tracebacks for expected failures."""
    try:
        main()
    except StageError as err:
        print(f"[{name}] ERROR: {err.message}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
