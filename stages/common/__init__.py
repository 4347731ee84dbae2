"""Helpers every stage shares, in a few small modules:

- `run`: `StageError` (one clear message, exit 1), `log`, `progress`, `run_stage`;
- `tables`: validated, atomic, deterministic Parquet and text outputs;
- `cache`: the one content-addressed cache of reused results (`fingerprint`, `RowsCache`, `document_keys`);
- `executor`: where a stage's per-document batches run (`InProcess`, `LocalProcesses`);
- `datafiles`: the one typed loader of data files (YAML, TSV, TXT) and of params.yaml;
and here: `load_section` (a stage's typed params) and `sha16` (the contract's ids).

Anything that belongs to one stage lives in that stage's package.
"""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any, Callable, Iterable

import polars as pl

from schemas.params import InvalidParams, Section, validate_section
from stages.common.cache import KEY_COLUMN, PLACEHOLDER_COLUMN, digest, document_keys
from stages.common.datafiles import DataFileError, parse_yaml
from stages.common.run import StageError, log, progress, run_stage
from stages.common.tables import (PARQUET_OPTIONS, SchemaViolation, describe_schema_errors, open_temporary,
                                  read_table, validate, write_bytes_atomic, write_json, write_parquet_atomic,
                                  write_table, write_text_atomic)

__all__ = ["KEY_COLUMN", "PARAMS_FILE", "PARQUET_OPTIONS", "PLACEHOLDER_COLUMN", "DataFileError",
           "DocumentRowsCache", "SchemaViolation", "StageError", "code_fingerprint", "describe_schema_errors",
           "digest", "document_keys", "load_params", "load_section", "log", "open_temporary", "progress",
           "read_params_file", "read_table", "run_stage", "sha16", "validate", "write_bytes_atomic",
           "write_json", "write_parquet_atomic", "write_table", "write_text_atomic"]

PARAMS_FILE = Path("params.yaml")


def sha16(data: bytes) -> str:
    """First 16 hex characters of SHA-256: the contract's doc_id and our other stable ids."""
    return hashlib.sha256(data).hexdigest()[:16]


def read_params_file(path: Path = PARAMS_FILE) -> dict[str, Any]:
    """params.yaml as a dict, read with the strict YAML rules of `datafiles` (no duplicate keys, no aliases:
    an alias bomb is refused, not expanded) and with a YAML parser, not `dvc.api.params_show` (a second)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise StageError(f"{path} cannot be read: {err}") from None
    try:
        params = parse_yaml(text, str(path)) or {}
    except DataFileError as err:
        raise StageError(f"{err.message.replace(str(path) + ':', str(path) + ' is not valid YAML:', 1)}") from None
    if not isinstance(params, dict):
        raise StageError(f"{path}: expected sections such as 'ingest:' at the top level")
    return params


def load_section(section: str, path: Path = PARAMS_FILE) -> Section:
    """The stage's section of params.yaml as its frozen, typed model (`schemas.params`): every key known,
    every value of the right type and range. Code reads attributes (`params.min_body_words`); no default
    lives in code."""
    params = read_params_file(path)
    if section not in params:
        raise StageError(f"{path}: section '{section}' is missing")
    try:
        return validate_section(section, params[section])
    except InvalidParams as err:
        problems = str(err).replace("\n", "\n  ")
        raise StageError(f"{path} has values the {section} stage cannot use:\n  {problems}") from None


def load_params(section: str, path: Path = PARAMS_FILE) -> dict[str, Any]:
    """Transitional: the checked section as a plain dict, for code not yet reading `load_section`'s model."""
    load_section(section, path)
    return read_params_file(path)[section]


# ----------------------------------------------------------- per-document results, reused across runs

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
