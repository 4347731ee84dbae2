"""Helpers every stage shares: params, logging, progress, validated, atomic, deterministic Parquet I/O, and
a cache of per-document results keyed by content (`document_keys`, `DocumentRowsCache`).

Kept deliberately small: anything that belongs to one stage lives in that stage's module or package.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, TypeVar

import polars as pl
import yaml

from schemas.params import InvalidParams, validate_section

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
    """Return one section of params.yaml (read with a YAML parser: dvc.api.params_show costs a second),
    checked by `schemas.params`: every key known, every value of the right type and range."""
    try:
        with open(path, encoding="utf-8") as fh:
            params = yaml.safe_load(fh) or {}
    except OSError as err:
        raise StageError(f"{path} cannot be read: {err.strerror}") from None
    except yaml.YAMLError as err:
        raise StageError(f"{path} is not valid YAML: {err}") from None
    if not isinstance(params, dict) or section not in params:
        raise StageError(f"{path}: section '{section}' is missing")
    try:
        validate_section(section, params[section])
    except InvalidParams as err:
        problems = str(err).replace("\n", "\n  ")
        raise StageError(f"{path} has values the {section} stage cannot use:\n  {problems}") from None
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


def write_bytes_atomic(data: bytes, path: str | Path) -> None:
    fd, tmp = open_temporary(Path(path))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(text: str, path: str | Path) -> None:
    write_bytes_atomic(text.encode("utf-8"), path)


def write_json(obj: Any, path: str | Path) -> None:
    write_text_atomic(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", path)


def run_stage(name: str, main: Any) -> None:
    """Entry point wrapper: clear one-paragraph errors instead of tracebacks for expected failures.

    After a successful run the process ends at once (os._exit): every output is already written, fsynced and
    renamed into place, and tearing down the interpreter's millions of objects one by one took up to 0.6 s
    per stage at 20k documents, a large share of an incremental rerun. Only the standard streams need flushing.
    """
    try:
        main()
    except StageError as err:
        print(f"[{name}] ERROR: {err.message}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


# ----------------------------------------------------------- per-document results, reused across runs

KEY_COLUMN = "_doc_key"
PLACEHOLDER_COLUMN = "_no_rows"


def document_keys(*tables: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, _doc_key): a digest of every row, every column, of each document in the given tables.

    The tables must each have a `doc_id` column; a document's key changes whenever anything an extractor
    could read about it changes (its text, metadata, sentences or, when passed, its entity mentions with
    their canonical names). polars hashes each row (64 bits, one seed per table; stable within a polars
    version, which every cache fingerprint includes); the key is the SHA-256 of the document's row hashes
    in ascending order, so it does not depend on row order. A changed row goes unnoticed only if its hash
    equals the old row's (odds of 1 in 2^64). Hashing in polars, not serialising rows as text, keeps this
    fast and small: 356,000 entity mentions take ~0.1 s and 8 bytes each.
    """
    hashed = pl.concat([table.select("doc_id", row=pl.struct(pl.all()).hash(seed=index + 1))
                        for index, table in enumerate(tables)])
    grouped = hashed.group_by("doc_id").agg(pl.col("row").sort()).sort("doc_id")
    ends = grouped["row"].list.len().cast(pl.Int64).cum_sum().to_list()
    row_bytes = memoryview(grouped["row"].explode().to_numpy().astype("<u8").tobytes())
    digests = [hashlib.sha256(row_bytes[8 * start:8 * end]).hexdigest()
               for start, end in zip([0, *ends[:-1]], ends)]
    return pl.DataFrame({"doc_id": grouped["doc_id"], KEY_COLUMN: digests},
                        schema={"doc_id": pl.String, KEY_COLUMN: pl.String})


class DocumentRowsCache:
    """Output rows of per-document extractors, keyed by each document's `document_keys` digest.

    One Parquet file per extractor in `<folder>/extract-<fingerprint>/` (folders of other fingerprints are
    removed when a new one is written: they can never match again), holding the rows of the documents
    of the last run (a document with no rows leaves one placeholder row, so "nothing found" is cached too).
    The fingerprint covers the extractors' code, data and params, so a change never returns stale rows; a
    file that cannot be read is ignored and rebuilt. Files are replaced atomically.
    """

    def __init__(self, folder: str | Path, fingerprint_: str, enabled: bool = True) -> None:
        self.enabled = enabled
        self.folder = Path(folder) / f"extract-{fingerprint_}"

    def run(self, name: str, keys: pl.DataFrame, extract: Callable[[pl.Series], pl.DataFrame]
            ) -> tuple[pl.DataFrame, int]:
        """(rows for every document in `keys`, how many documents were extracted afresh).

        `extract(doc_ids)` runs the extractor on those documents only and returns its rows frame.
        """
        if not self.enabled:
            return extract(keys["doc_id"]), keys.height
        path = self.folder / f"{name}.parquet"
        cached = self._read(path)
        if cached is not None:
            cached = cached.join(keys, on=["doc_id", KEY_COLUMN], how="semi")
            missing = keys.join(cached.select("doc_id", KEY_COLUMN), on=["doc_id", KEY_COLUMN], how="anti")
        else:
            missing = keys
        fresh = extract(missing["doc_id"])
        fresh_keyed = self._with_keys(fresh, missing)
        if cached is not None and cached.schema != fresh_keyed.schema:
            cached, missing, fresh = None, keys, extract(keys["doc_id"])   # schema changed: start again
            fresh_keyed = self._with_keys(fresh, missing)
        combined = fresh_keyed if cached is None else pl.concat([cached, fresh_keyed])
        if missing.height:
            write_parquet_atomic(combined.sort(["doc_id", KEY_COLUMN], maintain_order=True), path)
            self._drop_other_fingerprints()
        rows = combined.filter(~pl.col(PLACEHOLDER_COLUMN)).drop(KEY_COLUMN, PLACEHOLDER_COLUMN)
        return rows.select(fresh.columns), missing.height

    def _drop_other_fingerprints(self) -> None:
        """Rows cached under an older fingerprint can never be read again: remove them."""
        for other in self.folder.parent.glob("extract-*"):
            if other.is_dir() and other != self.folder:
                shutil.rmtree(other, ignore_errors=True)

    @staticmethod
    def _with_keys(rows: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
        keyed = rows.join(keys, on="doc_id", how="left").with_columns(pl.lit(False).alias(PLACEHOLDER_COLUMN))
        empty_docs = keys.join(rows.select("doc_id").unique(), on="doc_id", how="anti")
        placeholders = empty_docs.with_columns(pl.lit(True).alias(PLACEHOLDER_COLUMN))
        return pl.concat([keyed, placeholders], how="diagonal_relaxed").select(keyed.columns)

    @staticmethod
    def _read(path: Path) -> pl.DataFrame | None:
        if not path.exists():
            return None
        try:
            return pl.read_parquet(path)
        except Exception:   # a damaged cache only costs time: recompute
            return None


def digest(parts: Iterable[str | bytes]) -> str:
    """24 hex characters of a SHA-256 over the parts, each prefixed by its length (so no two different lists
    of parts digest alike). Names every cache: a cache's parts are everything its contents depend on."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()[:24]


def code_fingerprint(folder: Path, params: dict[str, Any], run_only: Iterable[str] = ()) -> str:
    """A digest of what a stage's results depend on besides its input rows: the code and data files under
    `folder` (names and bytes), its params (without the `run_only` keys, which never change results) and
    polars' version. For naming caches: a change to any of these starts a new cache."""
    kept = {key: value for key, value in params.items() if key not in set(run_only)}
    parts: list[bytes] = [pl.__version__.encode(), json.dumps(kept, sort_keys=True, default=str).encode()]
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts
                       and p.suffix in {".py", ".yaml", ".yml", ".tsv", ".txt", ".json"}):
        parts += [path.relative_to(folder).as_posix().encode(), path.read_bytes()]
    return digest(parts)
