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
from pathlib import Path
from typing import Any

from schemas.params import InvalidParams, Section, validate_section
from stages.common.cache import KEY_COLUMN, PLACEHOLDER_COLUMN, digest, document_keys
from stages.common.datafiles import DataFileError, parse_yaml
from stages.common.run import StageError, log, progress, run_stage
from stages.common.tables import (PARQUET_OPTIONS, SchemaViolation, describe_schema_errors, open_temporary,
                                  read_table, validate, write_bytes_atomic, write_json, write_parquet_atomic,
                                  write_table, write_text_atomic)

__all__ = ["KEY_COLUMN", "PARAMS_FILE", "PARQUET_OPTIONS", "PLACEHOLDER_COLUMN", "DataFileError",
           "SchemaViolation", "StageError", "describe_schema_errors",
           "digest", "document_keys", "load_section", "log", "open_temporary", "progress",
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
