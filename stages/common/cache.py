"""One content-addressed cache for every stage: rows computed from some input, reused while that input and
everything else they depend on are unchanged.

- **What a result depends on** is its *fingerprint* (`fingerprint`): a digest of the cache format, Python,
  Unicode and polars versions, the libraries named, the stage's params without its run-only keys, and the
  names and bytes of every file of the code and data folders named (every suffix: a lexicon with an odd
  extension counts too) and of the shared helpers and table models every stage uses (`SHARED_FOLDERS`:
  stages/common, schemas). Each fingerprint has a folder of its own, `<cache_dir>/<name>-<fingerprint>/`,
  so a change of code, data, params or library never returns a stale result.
- **Which input a row came from** is its *key*: one or more columns (a document's `_doc_key` digest, a
  sentence's text, a file's SHA-256). `RowsCache.run(keys, compute)` returns the cached rows of known keys
  and calls `compute` only for the others. A key with no rows is remembered as such (a placeholder row).
- **Storage**: Parquet part files named by the SHA-256 of their bytes, checked on every read, so a damaged,
  truncated or edited part is never served: it is skipped, removed and its rows recomputed. Any entry that
  cannot be read (a directory in its place, no permission, garbage) is treated the same way. Each run that
  computes something adds one part (written to a temporary file and renamed); past `MAX_PARTS` parts, they
  are merged into one holding only the keys of the current run, so the cache stays the size of a corpus.
- **A cache only saves time**: a failed write (full or read-only disk) is a warning, never a failed run.
- **Pruning only touches what this project wrote**: each project lists its entries in a manifest in the
  cache folder (`.manifest-<project>.json`); older fingerprints beyond `keep` are removed only when they are
  in this project's manifest and in no other project's, so a cache folder shared by several projects (or
  with other files in it) loses nothing of theirs. An empty run prunes nothing.

Transforms know nothing of this: a stage computes the keys, asks the cache, and runs its pure transform
on the missing inputs only (`RowsCache.run`).
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import sys
import threading
import unicodedata
from importlib import metadata
from pathlib import Path
from typing import Any, Callable, Iterable

import polars as pl

from stages.common.run import log
from stages.common.tables import write_bytes_atomic

CACHE_FORMAT = "newsflow-cache-2"
KEY_COLUMN = "_doc_key"
PLACEHOLDER_COLUMN = "_no_rows"
MAX_PARTS = 8
# Caches of one stage may run in two threads (aggregate sketches documents while its signatures are computed
# in a thread): the read-modify-write of the shared manifest is serialised.
_MANIFEST_LOCK = threading.RLock()
# LZ4 without statistics: read back ~5x faster than the outputs' zstd, for a somewhat bigger file.
PART_OPTIONS: dict[str, Any] = {"compression": "lz4", "statistics": False}


# ------------------------------------------------------------------------------------------ fingerprints

def digest(parts: Iterable[str | bytes]) -> str:
    """24 hex characters of a SHA-256 over the parts, each prefixed by its length (so no two different lists
    of parts digest alike)."""
    sha = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        sha.update(len(data).to_bytes(8, "big"))
        sha.update(data)
    return sha.hexdigest()[:24]


def library_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


# Read by every stage whatever its own fingerprint names: the shared helpers and the table models (and the
# package file every stage module is imported through). A result may depend on any of them (a date parser,
# a loader, a column's dtype), so every fingerprint covers them. tests/common/trace_reads.py checks that
# every file a cached computation reads is in its fingerprint.
ROOT = Path(__file__).resolve().parents[2]
SHARED_FOLDERS = (ROOT / "stages" / "common", ROOT / "schemas")
SHARED_FILES = (ROOT / "stages" / "__init__.py",)


def read_regular(path: Path) -> bytes:
    """The bytes of a regular file, never following a link and never blocking on a FIFO planted in its
    place (OSError otherwise): what the cache reads is only ever its own files."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with os.fdopen(fd, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            raise OSError(f"{path} is not a regular file")
        return fh.read()


def folder_files(folder: Path) -> list[Path]:
    """Every file under `folder` that code or data can be read from (byte-code caches and temporaries
    excluded), sorted by path."""
    return sorted(path for path in Path(folder).rglob("*")
                  if path.is_file() and "__pycache__" not in path.parts
                  and path.suffix not in {".pyc", ".tmp"} and not path.name.startswith(".~"))


def params_json(params: Any, run_only: Iterable[str] = ()) -> str:
    """A params section (a pydantic model or a dict) as canonical JSON, without its run-only keys."""
    values = params.model_dump(mode="json") if hasattr(params, "model_dump") else dict(params or {})
    drop = set(run_only) | set(getattr(params, "RUN_ONLY", ()))
    return json.dumps({k: v for k, v in values.items() if k not in drop}, sort_keys=True, default=str)


def fingerprint(name: str, *, params: Any = None, run_only: Iterable[str] = (), folders: Iterable[Path] = (),
                files: Iterable[Path] = (), libraries: Iterable[str] = (),
                extra: Iterable[str | bytes] = ()) -> str:
    """The digest of everything a cache's rows depend on besides their keys (see the module docstring)."""
    parts: list[str | bytes] = [CACHE_FORMAT, name, sys.version, unicodedata.unidata_version,
                                f"polars {pl.__version__}", params_json(params, run_only)]
    parts += [f"{library} {library_version(library)}" for library in sorted(libraries)]
    for folder in [*SHARED_FOLDERS, *folders]:
        folder = Path(folder)
        for path in folder_files(folder):
            parts += [f"{folder.name}/{path.relative_to(folder).as_posix()}", path.read_bytes()]
    for path in [*SHARED_FILES, *files]:
        parts += [Path(path).name, Path(path).read_bytes()]
    parts += list(extra)
    return digest(parts)


def document_keys(*tables: pl.DataFrame) -> pl.DataFrame:
    """(doc_id, _doc_key): a digest of every row, every column, of each document in the given tables.

    The tables must each have a `doc_id` column; a document's key changes whenever anything a transform
    could read about it changes. polars hashes each row (64 bits, one seed per table; stable within a polars
    version, which every fingerprint includes); the key is the SHA-256 of the document's row hashes in
    ascending order, so it does not depend on row order. A changed row goes unnoticed only if its hash
    equals the old row's (odds of 1 in 2^64). 356,000 entity mentions take ~0.1 s.
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


# ------------------------------------------------------------------------------------------------ store

class _CacheFolder:
    """One fingerprint's folder, `<cache_dir>/<name>-<fingerprint>/`: listed in this project's manifest when
    written, pruned with the other fingerprints of its name, warned about once when it cannot be written."""

    def __init__(self, cache_dir: str | Path, name: str, fingerprint_: str, enabled: bool = True, keep: int = 1,
                 stage: str = "cache") -> None:
        self.root = Path(cache_dir)
        self.name = name
        self.folder = self.root / f"{name}-{fingerprint_}"
        self.enabled = enabled
        self.keep = keep
        self.stage = stage
        self._warned = False
        self._used = False   # whether a run used it (a RowsCache: with at least one key): an empty run prunes nothing

    def _warn(self, message: str) -> None:
        if not self._warned:
            log(self.stage, f"warning: {message}; the run goes on without it")
            self._warned = True

    # ---- which fingerprints stay
    def _touch(self) -> None:
        try:
            if self.folder.is_dir():
                os.utime(self.folder)
        except OSError:
            pass

    def _register(self) -> None:
        with _MANIFEST_LOCK:
            entries = set(read_manifest(self.root))
            if self.folder.name not in entries:
                write_manifest(self.root, entries | {self.folder.name})

    def prune(self) -> list[str]:
        """Remove this name's other fingerprints beyond the `keep` most recently used, when this project
        wrote them and no other project lists them; returns the names removed."""
        if not self.enabled or not self._used or not self.folder.is_dir():
            return []
        with _MANIFEST_LOCK:
            return self._prune()

    def _prune(self) -> list[str]:
        mine = read_manifest(self.root)
        others_entries = read_manifest(self.root, others=True)
        rivals = [self.root / entry for entry in mine if entry.startswith(f"{self.name}-")
                  and entry != self.folder.name and entry not in others_entries]
        rivals = [path for path in rivals if path.exists()]
        rivals.sort(key=_last_used, reverse=True)
        removed = [path.name for path in rivals[max(self.keep - 1, 0):]]
        for entry in removed:
            shutil.rmtree(self.root / entry, ignore_errors=True)
        gone = {entry for entry in mine if not (self.root / entry).exists()}
        if removed or gone:
            try:
                write_manifest(self.root, set(mine) - set(removed) - gone)
            except OSError:
                pass
        return removed


class RowsCache(_CacheFolder):
    """Rows keyed by the input they were computed from, for one fingerprint (see the module docstring).

    `key` names the key columns; the rows `compute` returns carry `join_on` (a subset of `key`, by default
    all of it) and the cache attaches the other key columns. Disabled, it computes everything and touches
    nothing on disk.
    """

    def __init__(self, cache_dir: str | Path, name: str, fingerprint_: str, key: list[str],
                 join_on: list[str] | None = None, enabled: bool = True, keep: int = 1,
                 stage: str = "cache") -> None:
        super().__init__(cache_dir, name, fingerprint_, enabled=enabled, keep=keep, stage=stage)
        self.key = list(key)
        self.join_on = list(join_on or key)

    # ---- the one call a stage makes
    def run(self, keys: pl.DataFrame, compute: Callable[[pl.DataFrame], pl.DataFrame]
            ) -> tuple[pl.DataFrame, int]:
        """(rows for every key in `keys`, how many keys were computed afresh).

        `compute(missing_keys)` must return the rows of exactly those keys (carrying the `join_on` columns).
        Cached rows come first, then fresh ones; callers sort their outputs.
        """
        keys = keys.select(self.key).unique(maintain_order=True)
        if not self.enabled or not keys.height:
            return compute(keys), keys.height
        cached = self._read_parts()
        found = cached.join(keys, on=self.key, how="semi") if cached is not None else None
        missing = keys if found is None else keys.join(found.select(self.key).unique(), on=self.key, how="anti",
                                                       maintain_order="left")
        self._used = True
        if not missing.height:   # everything cached: nothing to compute or write
            self._touch()
            return self._public(found), 0
        fresh = compute(missing)
        fresh_keyed = self._with_keys(fresh, missing)
        if found is not None and found.schema != fresh_keyed.schema:
            found, missing = None, keys   # cached rows of another shape are never mixed in: start again
            fresh = compute(keys)
            fresh_keyed = self._with_keys(fresh, keys)
        self._store(fresh_keyed, keys)
        self._touch()
        combined = fresh_keyed if found is None else pl.concat([found, fresh_keyed])
        return self._public(combined).select(fresh.columns), missing.height

    def _public(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Rows as the transform returns them: placeholders dropped, key columns it does not carry dropped."""
        extra_key = [column for column in self.key if column not in self.join_on]
        return rows.filter(~pl.col(PLACEHOLDER_COLUMN)).drop(PLACEHOLDER_COLUMN, *extra_key)

    # ---- reading
    def _parts(self) -> list[Path]:
        try:
            return sorted(self.folder.glob("part-*.parquet"))
        except OSError:
            return []

    def _read_parts(self) -> pl.DataFrame | None:
        frames = []
        for index, part in enumerate(self._parts()):
            frame = self._read_part(part)
            if frame is not None:
                frames.append(frame.with_columns(pl.lit(index, pl.Int32).alias("_part")))
        if not frames:
            return None
        try:
            rows = pl.concat(frames, how="vertical")
        except Exception:   # parts of different shapes cannot both be current: recompute
            return None
        if len(frames) > 1:   # a key stored twice (two runs at once, a merge cut short): its first part wins
            rows = rows.filter(pl.col("_part") == pl.col("_part").min().over(self.key))
        return rows.drop("_part")

    def _read_part(self, part: Path) -> pl.DataFrame | None:
        """A part whose bytes match its name, or None (and the part removed when it is a damaged file)."""
        try:
            data = read_regular(part)
            if hashlib.sha256(data).hexdigest()[:32] != part.stem.removeprefix("part-"):
                raise ValueError("content does not match its name")
            frame = pl.read_parquet(io.BytesIO(data))
            if not set(self.key) | {PLACEHOLDER_COLUMN} <= set(frame.columns):
                raise ValueError("key columns missing")
            return frame
        except Exception:   # damaged, edited, a directory, unreadable: recompute, never fail
            remove_damaged(part)
            return None

    # ---- writing
    def _with_keys(self, rows: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
        extra_key = [column for column in self.key if column not in self.join_on]
        keyed = rows.join(keys, on=self.join_on, how="left") if extra_key else rows
        keyed = keyed.with_columns(pl.lit(False).alias(PLACEHOLDER_COLUMN))
        empty = keys.join(rows.select(self.join_on).unique(), on=self.join_on, how="anti")
        placeholders = empty.with_columns(pl.lit(True).alias(PLACEHOLDER_COLUMN))
        return pl.concat([keyed, placeholders], how="diagonal_relaxed").select(keyed.columns)

    def _store(self, fresh: pl.DataFrame, run_keys: pl.DataFrame) -> None:
        """Add `fresh` as a new part; past MAX_PARTS, merge into one part of this run's keys only."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._register()
            self._write_part(fresh)
            parts = self._parts()
            if len(parts) > MAX_PARTS:
                merged = self._read_parts()
                if merged is not None:
                    current = merged.join(run_keys, on=self.key, how="semi")
                    kept = self._write_part(current.sort(self.key))
                    for part in parts:
                        if part != kept and part.is_file():
                            part.unlink(missing_ok=True)
        except Exception as err:   # a cache only saves time: a full or read-only disk is not a failure
            self._warn(f"cache {self.folder} not written ({type(err).__name__}: {err})")

    def _write_part(self, rows: pl.DataFrame) -> Path:
        buffer = io.BytesIO()
        rows.write_parquet(buffer, **PART_OPTIONS)
        data = buffer.getvalue()
        path = self.folder / f"part-{hashlib.sha256(data).hexdigest()[:32]}.parquet"
        write_bytes_atomic(data, path, fsync=False)
        return path


class IndexCache(_CacheFolder):
    """One table a corpus-wide computation leaves for the next run to update (an index, not rows per key):
    `load()` gives the table the last `store()` wrote under this fingerprint, or None.

    The table is one Parquet file named by the SHA-256 of its bytes, checked on every read: a damaged,
    truncated or edited file (or anything else in its place) is removed and None returned, so the caller
    rebuilds. Whether the table still describes the current inputs is the caller's to check (it stores what
    it needs to: digests of the inputs it was built from). A failed write is a warning, never a failure.
    """

    def load(self) -> pl.DataFrame | None:
        if not self.enabled:
            return None
        self._used = True
        found = None
        for part in sorted(self.folder.glob("index-*.parquet")) if self.folder.is_dir() else []:
            try:
                data = read_regular(part)
                if hashlib.sha256(data).hexdigest()[:32] != part.stem.removeprefix("index-"):
                    raise ValueError("content does not match its name")
                found = pl.read_parquet(io.BytesIO(data))
            except Exception:   # damaged, edited, a directory, unreadable: rebuild, never fail
                remove_damaged(part)
        self._touch()
        return found

    def store(self, table: pl.DataFrame) -> None:
        """Write `table` as this fingerprint's one index file (the previous one removed once it is in place)."""
        if not self.enabled:
            return
        self._used = True
        try:
            buffer = io.BytesIO()
            table.write_parquet(buffer, **PART_OPTIONS)
            data = buffer.getvalue()
            self.folder.mkdir(parents=True, exist_ok=True)
            self._register()
            path = self.folder / f"index-{hashlib.sha256(data).hexdigest()[:32]}.parquet"
            write_bytes_atomic(data, path, fsync=False)
            for other in self.folder.glob("index-*.parquet"):
                if other != path:
                    remove_damaged(other)
        except Exception as err:   # a cache only saves time
            self._warn(f"index {self.folder} not written ({type(err).__name__}: {err})")


def remove_damaged(part: Path) -> None:
    """Remove a damaged part: a file, or a directory in its place (the part's name is its content's hash, so
    a directory left there would block writing that very part again and the cache would never hit). A link
    is left alone (never followed, never served)."""
    try:
        if part.is_symlink():
            return
        if part.is_dir():
            shutil.rmtree(part, ignore_errors=True)
        elif part.exists():
            part.unlink()
    except OSError:
        pass


def _last_used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


# --------------------------------------------------------------------------------------------- manifest

def project_id() -> str:
    """Names this project's manifest: a digest of the project folder's absolute path (the working
    directory, where DVC runs every stage)."""
    return digest([str(Path.cwd().resolve())])[:12]


def manifest_path(root: Path, project: str | None = None) -> Path:
    return Path(root) / f".manifest-{project or project_id()}.json"


def read_manifest(root: Path, others: bool = False) -> list[str]:
    """The entries this project's manifest lists, or (others=True) those any other project's lists."""
    paths = ([p for p in Path(root).glob(".manifest-*.json") if p != manifest_path(root)] if others
             else [manifest_path(root)])
    entries: set[str] = set()
    for path in paths:
        try:
            listed = json.loads(read_regular(path).decode("utf-8")).get("entries", [])
            entries.update(entry for entry in listed if isinstance(entry, str) and "/" not in entry
                           and entry not in {"", ".", ".."})
        except Exception:   # unreadable: lists nothing (so nothing of it is pruned)
            continue
    return sorted(entries)


def write_manifest(root: Path, entries: set[str]) -> None:
    Path(root).mkdir(parents=True, exist_ok=True)
    body = json.dumps({"project": str(Path.cwd().resolve()), "entries": sorted(entries)}, indent=1)
    write_bytes_atomic(body.encode("utf-8"), manifest_path(root), fsync=False)
