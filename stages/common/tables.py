"""Validated, atomic, deterministic Parquet and text outputs.

Every table a stage writes goes through `write_table`: rows sorted, the pandera model checked on the
DataFrame (pandera checks only the schema of a LazyFrame), then written with fixed writer options to a
temporary file in the same folder, fsynced and renamed into place. Together with sorted rows and a pinned
polars, the options make outputs byte-identical; the rename means an interrupted stage never leaves a
half-written file under an output's name.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any

import polars as pl

from schemas import PANDERA_UNUSED, imports_hidden
from stages.common.run import StageError

PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "statistics": True,
    "row_group_size": 64_000,
}


def read_table(path: str | Path, columns: list[str] | None = None) -> pl.DataFrame:
    """Read a table written by an upstream stage (one Parquet file), optionally only some columns."""
    path = Path(path)
    if not path.is_file():
        raise StageError(f"{path} does not exist: run the upstream stage first (dvc repro)")
    return pl.read_parquet(path, columns=columns)


class SchemaViolation(StageError):
    pass


def validate(df: pl.DataFrame, model: Any, table: str, max_rows: int = 10) -> pl.DataFrame:
    """Validate a DataFrame (not a LazyFrame: pandera skips data checks on those) with lazy validation.

    On failure, raise with the table, the failing columns and checks, and the first failing rows.
    """
    import pandera.errors
    try:
        with imports_hidden(PANDERA_UNUSED):
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
    """Sort, validate, then write atomically. Nothing is written when validation fails."""
    if sort_by:
        df = df.sort(sort_by, nulls_last=True, maintain_order=True)
    df = validate(df, model, table)
    write_parquet_atomic(df, path)
    return df


def write_parquet_atomic(df: pl.DataFrame, path: str | Path, **options: Any) -> None:
    """Write Parquet atomically with the fixed writer options (or `options`, for caches), fsynced unless
    `fsync=False` is passed (a cache entry damaged by a crash is only recomputed)."""
    fsync = options.pop("fsync", True)
    path = Path(path)
    fd, tmp = open_temporary(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            df.write_parquet(fh, **(options or PARQUET_OPTIONS))
            fh.flush()
            if fsync:
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


def write_bytes_atomic(data: bytes, path: str | Path, fsync: bool = True) -> None:
    fd, tmp = open_temporary(Path(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(text: str, path: str | Path) -> None:
    write_bytes_atomic(text.encode("utf-8"), path)


def write_json(obj: Any, path: str | Path) -> None:
    write_text_atomic(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", path)
