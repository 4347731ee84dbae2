"""A persistent cache of clean's per-document results, so that a rerun only cleans what changed.

The pure part lives in stages.clean.document.clean_corpus_cached: it takes the previous run's results (a
frame, CACHE_SCHEMA) and returns this run's. Here: where they are stored, and the *fingerprint* that names
the file: the params (without the cache's own settings), the bytes of every code and data file of the clean
package, the versions of Python, polars, py3langid, numpy and PyYAML, and the cache format. Change any of
them and another file is used, so a stale result can never be returned. The cache only saves time: outputs
are the same with or without it, which is why DVC does not track it.

One Parquet file per fingerprint, `<cache_dir>/clean-<fingerprint>.parquet`, holding the results of the
latest run (so it never grows beyond one corpus), written atomically (temporary file, rename); only the
`cache_max_files` most recent such files are kept. A file that cannot be read, or has another schema, is
ignored: its documents are cleaned again, the run never fails. The same folder holds an uncompressed copy of
py3langid's model (stages/clean/language.py), which loads 20x faster than the packaged one.
"""
from __future__ import annotations

import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import polars as pl

from stages.clean.document import CACHE_SCHEMA, resolved_params
from stages.common import digest

CLEAN_DIR = Path(__file__).resolve().parent
CACHE_FORMAT = "1"
RUN_ONLY_PARAMS = frozenset({"cache", "cache_dir", "cache_max_files"})
LIBRARIES = ("polars", "py3langid", "numpy", "PyYAML")
DEFAULT_CACHE_DIR = ".cache/clean"
DEFAULT_MAX_FILES = 4


def fingerprint(params: dict[str, Any] | None) -> str:
    """Everything clean's per-document results depend on besides the documents themselves."""
    kept = {k: v for k, v in resolved_params(params).items() if k not in RUN_ONLY_PARAMS}
    parts: list[bytes] = [CACHE_FORMAT.encode(), sys.version.encode(),
                          json.dumps(kept, sort_keys=True, default=str).encode()]
    parts += [f"{name}=={library_version(name)}".encode() for name in LIBRARIES]
    code = sorted(p for p in CLEAN_DIR.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix not in {".pyc", ".tmp"})
    parts += [p.relative_to(CLEAN_DIR).as_posix().encode() + b"\0" + p.read_bytes() for p in code]
    return digest(parts)


def library_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def cache_path(params: dict[str, Any] | None) -> Path:
    folder = (params or {}).get("cache_dir") or DEFAULT_CACHE_DIR
    return Path(folder) / f"clean-{fingerprint(params)}.parquet"


def prune_cache(path: Path, params: dict[str, Any] | None) -> None:
    """Remove the result files of other fingerprints beyond the `cache_max_files` most recent (each is
    one corpus's results: older params and code would otherwise pile up)."""
    keep = (params or {}).get("cache_max_files", DEFAULT_MAX_FILES)
    others = [p for p in Path(path).parent.glob("clean-*.parquet") if p != Path(path)]
    others.sort(key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)
    for old in others[max(0, int(keep) - 1):]:
        old.unlink(missing_ok=True)


def cache_enabled(params: dict[str, Any] | None) -> bool:
    return bool((params or {}).get("cache", True))


def read_cache(path: Path) -> pl.DataFrame | None:
    """The stored results, or None when there are none or they are unreadable (recomputed, never fatal)."""
    if not path.exists():
        return None
    try:
        frame = pl.read_parquet(path)
    except Exception:  # a damaged cache only costs time
        return None
    if dict(frame.schema) != CACHE_SCHEMA:
        return None
    return frame


def write_cache(frame: pl.DataFrame, path: Path) -> None:
    """Write atomically (temporary file, rename). LZ4 without statistics: read back 5x faster than zstd for
    a somewhat bigger file. No fsync: after a crash a damaged file is only recomputed."""
    from stages.common import open_temporary
    fd, tmp = open_temporary(Path(path))
    try:
        with os.fdopen(fd, "wb") as handle:
            frame.write_parquet(handle, compression="lz4", statistics=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
