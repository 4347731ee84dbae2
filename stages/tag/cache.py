"""A persistent, content-keyed cache of NER results (`SpanCache`), so text seen before is never tagged again.

The key is the text itself; each cache folder belongs to one *fingerprint*: the model's name and version,
spaCy's version, the NER params and the bytes of the rule-layer code and data. Change any of them and the
fingerprint changes, so a stale result can never be returned. The cache only saves time: outputs are the
same with or without it, which is why DVC does not track it. It is Parquet, so a lookup of a whole corpus
is one join (a row-by-row store such as SQLite spent seconds decoding 120,000 sentences at 20k documents);
every write is a new part file renamed into place, so a run killed mid-way leaves the cache usable.

The per-document extractors (quotes, attributions, counts, dates, themes) reuse their rows through
`stages.common.DocumentRowsCache`.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import polars as pl

from stages.common import write_parquet_atomic

Span = tuple[int, int, str]


SPAN_SCHEMA = {"text": pl.String, "start": pl.Int64, "end": pl.Int64, "label": pl.String}
MAX_PARTS = 8


class SpanCache:
    """text -> entity spans for one fingerprint, in Parquet part files under `<folder>/ner-<fingerprint>/`.

    One row per span (text, start, end, label); a text without entities has one row with null start, so
    "nothing found" is cached too. The text itself is the key: lookups are exact joins, no hashing. Each run
    that tags new text adds one part, written atomically; past `MAX_PARTS` parts they are merged into one.
    A part that cannot be read is ignored (its texts are tagged again).
    """

    def __init__(self, folder: str | Path, fingerprint_: str, enabled: bool = True) -> None:
        self.enabled = enabled
        self.folder = Path(folder) / f"ner-{fingerprint_}"

    def lookup(self, texts: list[str]) -> tuple[pl.DataFrame, list[str]]:
        """(span rows of the texts found, in stored order; the texts not found, in input order)."""
        wanted = pl.DataFrame({"text": texts}, schema={"text": pl.String})
        if not self.enabled:
            return pl.DataFrame(schema=SPAN_SCHEMA), texts
        found = self._read_all().join(wanted.unique(), on="text", how="semi", maintain_order="left")
        missing = wanted.join(found.select("text").unique(), on="text", how="anti", maintain_order="left")
        return found, missing["text"].to_list()

    def store(self, results: dict[str, list[Span]]) -> None:
        """Add the spans of newly tagged texts as one new part (then merge parts if there are too many)."""
        if not self.enabled or not results:
            return
        rows = spans_frame(results)
        digest = hashlib.sha256("\n".join(sorted(results)).encode("utf-8", "surrogatepass")).hexdigest()[:16]
        write_parquet_atomic(rows, self.folder / f"part-{digest}.parquet")
        parts = self._parts()
        if len(parts) > MAX_PARTS:
            merged = self._read_all()
            write_parquet_atomic(merged, self.folder / "part-merged.parquet")
            for part in parts:
                if part.name != "part-merged.parquet":
                    part.unlink(missing_ok=True)

    def keep_recent(self, keep: int) -> list[Path]:
        """Mark this fingerprint's cache as just used and remove the caches of all but the `keep` most
        recently used fingerprints, this one included; returns what was removed.

        Other fingerprints stay valid (switching a param back finds its results), but each model, rule or
        params change would otherwise leave a folder behind for good: at 20k documents one is ~40 MB."""
        if not self.enabled or not self.folder.is_dir():
            return []
        os.utime(self.folder)
        others = [p for p in self.folder.parent.glob("ner-*") if p != self.folder]
        others.sort(key=_last_used, reverse=True)
        removed = others[max(keep - 1, 0):]
        for old in removed:
            if old.is_dir():
                shutil.rmtree(old, ignore_errors=True)
            else:   # a single file: the cache format before part folders (SQLite)
                old.unlink(missing_ok=True)
        return removed

    def get_many(self, texts: list[str]) -> dict[str, list[Span]]:
        """Cached spans of the texts found, keyed by text."""
        found, _ = self.lookup(texts)
        return spans_by_text(found)

    def put_many(self, results: dict[str, list[Span]]) -> None:
        self.store(results)

    def close(self) -> None:
        """Nothing to release: every write is complete when `store` returns."""

    def _parts(self) -> list[Path]:
        return sorted(self.folder.glob("part-*.parquet")) if self.folder.is_dir() else []

    def _read_all(self) -> pl.DataFrame:
        frames = []
        for index, part in enumerate(self._parts()):
            try:
                frame = pl.read_parquet(part)
            except Exception:   # a damaged part only costs time: its texts are tagged again
                continue
            if frame.schema == pl.Schema(SPAN_SCHEMA):
                frames.append(frame.with_columns(pl.lit(index).alias("part")))
        if not frames:
            return pl.DataFrame(schema=SPAN_SCHEMA)
        rows = pl.concat(frames)
        # A text stored twice (two runs at once, or a merge cut short) is read from its first part only.
        return rows.filter(pl.col("part") == pl.col("part").min().over("text")).drop("part")


def _last_used(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:   # removed meanwhile by another run
        return 0.0


def spans_frame(results: dict[str, list[Span]]) -> pl.DataFrame:
    """The cache's rows for {text: spans}: one per span, or one with null start for a text with none."""
    columns: dict[str, list] = {"text": [], "start": [], "end": [], "label": []}
    for text, spans in results.items():
        for start, end, label in spans or [(None, None, None)]:
            columns["text"].append(text)
            columns["start"].append(start)
            columns["end"].append(end)
            columns["label"].append(label)
    return pl.DataFrame(columns, schema=SPAN_SCHEMA)


def spans_by_text(rows: pl.DataFrame) -> dict[str, list[Span]]:
    out: dict[str, list[Span]] = {}
    for text, start, end, label in rows.iter_rows():
        spans = out.setdefault(text, [])
        if start is not None:
            spans.append((start, end, label))
    return out
