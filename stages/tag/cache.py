"""A persistent, content-keyed cache of NER results, so text seen before is never tagged again.

Keys are the SHA-256 of a text; each cache file belongs to one *fingerprint*: the model's name and version,
spaCy's version, the NER params and the bytes of the rule-layer code and data. Change any of them and the
fingerprint changes, so a stale result can never be returned. The cache only saves time: outputs are the
same with or without it, which is why DVC does not track it.

SQLite (standard library) gives atomic, crash-safe commits: a run killed mid-way leaves the cache usable.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Iterable

Span = tuple[int, int, str]


def fingerprint(parts: Iterable[str | bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:24]


def text_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


class SpanCache:
    """text -> entity spans for one fingerprint, stored in `<folder>/ner-<fingerprint>.sqlite`."""

    def __init__(self, folder: str | Path, fingerprint_: str, enabled: bool = True) -> None:
        self.enabled = enabled
        self.path = Path(folder) / f"ner-{fingerprint_}.sqlite"
        self._db: sqlite3.Connection | None = None
        if enabled:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path)
            self._db.execute("CREATE TABLE IF NOT EXISTS spans (key TEXT PRIMARY KEY, spans TEXT NOT NULL)")

    def get_many(self, texts: list[str]) -> dict[str, list[Span]]:
        """Cached spans of the texts found, keyed by text."""
        if self._db is None:
            return {}
        found: dict[str, list[Span]] = {}
        by_key = {text_key(t): t for t in texts}
        keys = list(by_key)
        for i in range(0, len(keys), 500):
            chunk = keys[i:i + 500]
            marks = ",".join("?" * len(chunk))
            for key, spans in self._db.execute(f"SELECT key, spans FROM spans WHERE key IN ({marks})", chunk):
                found[by_key[key]] = [tuple(s) for s in json.loads(spans)]  # type: ignore[misc]
        return found

    def put_many(self, results: dict[str, list[Span]]) -> None:
        if self._db is None or not results:
            return
        rows = [(text_key(t), json.dumps(spans)) for t, spans in results.items()]
        with self._db:  # one transaction: all or nothing
            self._db.executemany("INSERT OR REPLACE INTO spans (key, spans) VALUES (?, ?)", rows)

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
