"""Persistent, content-keyed caches: NER results per sentence text, extractor rows per document.

`SpanCache` holds NER results, so text seen before is never tagged again.

The key is the text itself; each cache folder belongs to one *fingerprint*: the model's name and version,
spaCy's version, the NER params and the bytes of the rule-layer code and data. Change any of them and the
fingerprint changes, so a stale result can never be returned. The cache only saves time: outputs are the
same with or without it, which is why DVC does not track it. It is Parquet, so a lookup of a whole corpus
is one join (a row-by-row store such as SQLite spent seconds decoding 120,000 sentences at 20k documents);
every write is a new part file renamed into place, so a run killed mid-way leaves the cache usable.

`DocumentRowsCache` holds the rows the per-document extractors (quotes, attributions, counts, dates,
themes) found in each document of the last run, keyed by a digest of everything they read about it, so a
rerun after one new document extracts from that document (and any whose entities changed) only.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Callable, Iterable

import polars as pl

from stages.common import write_parquet_atomic

Span = tuple[int, int, str]


def fingerprint(parts: Iterable[str | bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:24]


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


# ------------------------------------------------------------------------------- per-document rows

KEY_COLUMN = "_doc_key"
PLACEHOLDER_COLUMN = "_no_rows"


def document_keys(*tables: pl.DataFrame, batch_docs: int = 2000) -> pl.DataFrame:
    """(doc_id, _doc_key): a SHA-256 of every row, every column, of each document in the given tables.

    The tables must each have a `doc_id` column; a document's key changes whenever anything an extractor
    could read about it changes (its text, metadata, sentences or, when passed, its entity mentions with
    their canonical names). Each row is serialised as JSON; a document's rows are hashed in sorted order, so
    the key does not depend on row order. Documents are hashed `batch_docs` at a time: the serialised rows
    of a whole corpus would be several times its size in memory.
    """
    doc_ids = pl.concat([t.select("doc_id") for t in tables]).unique()["doc_id"].sort().to_list()
    digests: list[str] = []
    for first in range(0, len(doc_ids), batch_docs):
        batch = doc_ids[first:first + batch_docs]
        wanted = pl.Series(batch, dtype=pl.String).implode()
        rows = pl.concat([
            table.filter(pl.col("doc_id").is_in(wanted)).select(
                "doc_id", pl.concat_str(pl.lit(f"{index}:"), pl.struct(pl.all()).struct.json_encode()).alias("row"))
            for index, table in enumerate(tables)]).sort(["doc_id", "row"])
        hashers = {doc_id: hashlib.sha256() for doc_id in batch}
        for doc_id, row in rows.iter_rows():
            hasher = hashers[doc_id]
            data = row.encode("utf-8", "surrogatepass")
            hasher.update(len(data).to_bytes(8, "big"))
            hasher.update(data)
        digests.extend(hashers[doc_id].hexdigest() for doc_id in batch)
    return pl.DataFrame({"doc_id": doc_ids, KEY_COLUMN: digests},
                        schema={"doc_id": pl.String, KEY_COLUMN: pl.String})


class DocumentRowsCache:
    """Output rows of per-document extractors, keyed by each document's `document_keys` digest.

    One Parquet file per extractor in `<folder>/extract-<fingerprint>/`, holding the rows of the documents
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
        rows = combined.filter(~pl.col(PLACEHOLDER_COLUMN)).drop(KEY_COLUMN, PLACEHOLDER_COLUMN)
        return rows.select(fresh.columns), missing.height

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
