"""The ingest file cache: a file's bytes + format -> its `file_items`, so a rerun reads only new files.

One SQLite database per fingerprint of everything that decides `file_items` (params, this package's code,
the libraries that decode, repair and extract), so a change never returns a stale result.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import re
import sqlite3
import sys
import unicodedata
from pathlib import Path
from typing import Any

from stages.common import digest, log, sha16
from stages.ingest.records import ITEM_KEYS, Item, file_items

STAGE = "ingest"
PACKAGE_DIR = Path(__file__).resolve().parent

# Params that cannot change what `file_items` returns for given bytes and format: where files are, the
# size limit (checked before reading), the extension map (it decides the format, which is in the key),
# and the cache's own settings. Every other param, present or future, is in the fingerprint.
NOT_IN_FINGERPRINT = {"input_dir", "max_bytes", "formats", "cache", "cache_dir"}
# Libraries whose behaviour shapes the rows: decoding, repair, HTML extraction (and its parsers), storage.
FINGERPRINT_LIBRARIES = ("ftfy", "charset-normalizer", "trafilatura", "lxml", "htmldate", "courlan",
                         "justext", "polars", "polars-runtime-32")
CACHE_FILE = re.compile(r"ingest-[0-9a-f]{24}\.sqlite(-wal|-shm|-journal)?")


def cache_fingerprint(params: dict[str, Any]) -> str:
    """24 hex characters that change whenever anything deciding `file_items`'s result may change."""
    from importlib import metadata
    relevant = {k: v for k, v in params.items() if k not in NOT_IN_FINGERPRINT}
    try:
        sha16_code = inspect.getsource(sha16).encode()  # the one helper from stages.common in the rows
    except (OSError, TypeError):
        sha16_code = sha16.__code__.co_code
    parts = [b"ingest file cache v1", json.dumps(relevant, sort_keys=True, default=str).encode(),
             package_code(), sha16_code,
             f"python {sys.version_info[:3]} unicode {unicodedata.unidata_version}".encode()]
    for name in FINGERPRINT_LIBRARIES:
        try:
            parts.append(f"{name} {metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            parts.append(f"{name} absent".encode())
    return digest(parts)


def package_code() -> bytes:
    """Names and bytes of every Python file of the ingest package: any code change is a new fingerprint."""
    parts = [path.name.encode() + b"\0" + path.read_bytes() for path in sorted(PACKAGE_DIR.glob("*.py"))]
    return b"\0".join(parts)


class FileCache:
    """File bytes + format -> `file_items`, in `<folder>/ingest-<fingerprint>.sqlite`.

    SQLite commits are atomic, so a run killed mid-way leaves a usable cache. After a complete run,
    `prune` keeps only the current fingerprint's database (older ones are dead after a code or library
    change) and in it only the files of that run. Anything wrong with the cache (a corrupt database or
    entry, a locked database, a read-only folder, a full disk) makes it recompute or stop caching, never
    fail the run. Disabled, it touches nothing on disk.
    """

    def __init__(self, folder: str | Path, fingerprint: str, enabled: bool = True) -> None:
        self.folder = Path(folder)
        self.path = self.folder / f"ingest-{fingerprint}.sqlite"
        self.hits = 0
        self.used: set[str] = set()
        self._db: sqlite3.Connection | None = None
        if not enabled:
            return
        try:
            try:
                self._db = self._open()
            except sqlite3.OperationalError:
                raise  # locked, read-only, cannot open: the database may be fine, leave it alone
            except sqlite3.DatabaseError:
                # Not a database or a malformed one (truncated, overwritten): start a new one.
                self.close()
                for leftover in self.folder.glob(self.path.name + "*"):
                    leftover.unlink()
                self._db = self._open()
        except (sqlite3.Error, OSError) as err:
            self.close()
            log(STAGE, f"cache not used: {self.path} cannot be opened ({err})")

    def _open(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path)
        self._db = db  # so that close() closes it if a statement below fails
        db.execute("PRAGMA journal_mode=WAL")      # commits without an fsync each; still atomic
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS files (key TEXT PRIMARY KEY, items TEXT NOT NULL)")
        db.execute("SELECT count(*) FROM files").fetchone()  # walks the table: most corruption shows here
        return db

    def close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    @staticmethod
    def key(data: bytes, fmt: str) -> str:
        return f"{hashlib.sha256(data).hexdigest()}-{fmt}"

    def items(self, data: bytes, fmt: str, params: dict[str, Any]) -> list[Item]:
        """`file_items(data, fmt, params)`, from the cache when it is there."""
        if self._db is None:
            return file_items(data, fmt, params)
        key = self.key(data, fmt)
        self.used.add(key)
        cached = self._get(key)
        if cached is not None:
            self.hits += 1
            return cached
        items = file_items(data, fmt, params)
        self._put(key, items)
        return items

    def _get(self, key: str) -> list[Item] | None:
        if self._db is None:
            return None
        try:
            row = self._db.execute("SELECT items FROM files WHERE key = ?", (key,)).fetchone()
            if row is None:
                return None
            items = json.loads(row[0])
        except (sqlite3.Error, ValueError, TypeError):
            return None  # an unreadable entry is recomputed (and overwritten)
        if isinstance(items, list) and items and \
                all(isinstance(item, dict) and tuple(item) == ITEM_KEYS for item in items):
            return items
        return None

    def _put(self, key: str, items: list[Item]) -> None:
        # JSON keeps every Python string exactly, lone surrogates included (ensure_ascii escapes them).
        if self._db is None:
            return
        try:
            with self._db:
                self._db.execute("INSERT OR REPLACE INTO files (key, items) VALUES (?, ?)",
                                 (key, json.dumps(items)))
        except (sqlite3.Error, OSError) as err:
            log(STAGE, f"cache disabled for the rest of the run: cannot write {self.path} ({err})")
            self.close()

    def prune(self) -> None:
        """After a complete run: drop entries of files it did not see, and other fingerprints' databases."""
        if self._db is None:
            return
        try:
            with self._db:
                stale = [k for (k,) in self._db.execute("SELECT key FROM files") if k not in self.used]
                self._db.executemany("DELETE FROM files WHERE key = ?", [(k,) for k in stale])
            for other in self.folder.iterdir():
                if CACHE_FILE.fullmatch(other.name) and not other.name.startswith(self.path.name):
                    other.unlink(missing_ok=True)
        except (sqlite3.Error, OSError) as err:
            log(STAGE, f"cache not pruned ({err})")
