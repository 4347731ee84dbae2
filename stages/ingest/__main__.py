"""ingest: every file under `ingest.input_dir` becomes documents or a rejection with a reason.

Load: walk the input folder without following links. Transform: decode (BOM, strict UTF-8, then
charset-normalizer), repair mojibake and normalise to NFC with ftfy, extract HTML with trafilatura, split
JSONL into records. Validate and write `data/ingest/documents.parquet` and `data/ingest/rejected.parquet`.

`doc_id` is the first 16 hex characters of the SHA-256 of the raw bytes (of a JSONL record: of its line
encoded as UTF-8, without the line end), so the same input gets the same id on any machine.

Two steps, so that a rerun after adding one file only reads the new one:
1. Per file, a pure function of its bytes and format (`file_items`): the candidate rows it gives,
   documents and rejections, with the part of `source_path` after the file's path (`""` or `"#LINE"`)
   and no path in them. These are cached (`FileCache`: SQLite, keyed by the SHA-256 of the bytes + the
   format, one database per fingerprint of the params, code and library versions that decide them).
2. Over all files in path order (`assemble`): attach each file's path and reject the second and later
   copies of the same bytes ("same bytes as ..."), which needs every file and so is never cached.

Decoding and normalising live in `decode`, the per-file rows in `records`, the cache in `cache`; ftfy is
the costly step, and `decode.fix_text_fast` skips it for lines it provably returns unchanged.
"""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from schemas.ingest import IngestDocuments, IngestRejected
from stages.common import StageError, load_params, log, progress, run_stage, write_table
from stages.ingest.cache import FileCache, cache_fingerprint
from stages.ingest.records import DOCUMENT_FIELDS, Item, file_items, rejection_item

STAGE = "ingest"
OUT_DIR = Path("data/ingest")

DOCUMENT_SCHEMA = {
    "doc_id": pl.String, "source_path": pl.String, "source_format": pl.String, "n_bytes": pl.Int64,
    "encoding": pl.String, "raw_text": pl.String, "meta_title": pl.String, "meta_description": pl.String,
    "meta_authors": pl.List(pl.String), "meta_date": pl.String, "meta_site": pl.String, "meta_url": pl.String,
}
REJECTED_SCHEMA = {"source_path": pl.String, "reason": pl.String, "n_bytes": pl.Int64, "doc_id": pl.String}


@dataclass
class IngestResult:
    documents: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, source_path: str, reason: str, n_bytes: int | None = None,
               doc_id: str | None = None) -> None:
        self.rejected.append({"source_path": source_path, "reason": reason, "n_bytes": n_bytes,
                              "doc_id": doc_id})


# ---------------------------------------------------------------------------------------------- load

def list_inputs(input_dir: Path) -> list[Path]:
    """Every entry under input_dir that is not a folder, sorted; links are listed, never followed."""
    if not input_dir.is_dir():
        raise StageError(f"input folder '{input_dir}' does not exist (ingest.input_dir)")
    found: list[Path] = []
    for root, dirs, files in os.walk(input_dir, followlinks=False):
        # A link to a folder shows up in `dirs`; it is an input to reject, not a folder to enter.
        found.extend(Path(root) / d for d in dirs if (Path(root) / d).is_symlink())
        found.extend(Path(root) / f for f in files)
    return sorted(found, key=lambda p: p.as_posix())


def display_path(path: Path) -> str:
    """The contract's source_path: relative to the project root, '/'-separated."""
    try:
        return path.resolve(strict=False).relative_to(Path.cwd().resolve()).as_posix() \
            if path.is_absolute() else path.as_posix()
    except ValueError:
        return path.as_posix()


# ------------------------------------------------------------------------------------ all the files

def ingest_files(paths: list[Path], params: dict[str, Any], cache: FileCache | None = None) -> IngestResult:
    """Classify every path: documents for what can be read, a rejection with a reason for the rest."""
    formats: dict[str, str] = {ext.lower(): fmt for fmt, exts in params["formats"].items() for ext in exts}
    per_file = [(display_path(path), ingest_one(path, params, formats, cache))
                for path in progress(paths, STAGE, "files", total=len(paths))]
    return assemble(per_file)


def ingest_one(path: Path, params: dict[str, Any], formats: dict[str, str],
               cache: FileCache | None = None) -> list[Item]:
    """The items of one path: checks on the entry itself, then `file_items` (cached) on its bytes."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return [rejection_item(f"symbolic link (to '{os.readlink(path)}'): links are never followed", None)]
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode) \
            else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "special"
        return [rejection_item(f"not a regular file ({kind}): not read", None)]
    if path.name.startswith("."):
        return [rejection_item("hidden file (name starts with '.'): not an article", info.st_size)]
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        supported = ", ".join(sorted(formats))
        return [rejection_item(f"unsupported format '{path.suffix or '(no extension)'}' "
                               f"(supported: {supported})", info.st_size)]
    if info.st_size == 0:
        return [rejection_item("empty file (0 bytes)", 0)]
    if info.st_size > params["max_bytes"]:
        return [rejection_item(f"file too large: {info.st_size:,} bytes is over the limit of "
                               f"{params['max_bytes']:,} (ingest.max_bytes)", info.st_size)]
    data = path.read_bytes()
    return cache.items(data, fmt, params) if cache is not None else file_items(data, fmt, params)


def assemble(per_file: list[tuple[str, list[Item]]]) -> IngestResult:
    """Rows of every file, in path order: attach paths, and reject later copies of the same bytes.

    The first readable occurrence of some bytes is kept; any later file or JSONL record with the same
    doc_id is rejected as "same bytes as <first>", whatever its own outcome would have been.
    """
    result = IngestResult()
    first_seen: dict[str, str] = {}  # doc_id -> source_path of the document kept for it
    for source, items in per_file:
        for item in items:
            source_path = source + item["suffix"]
            doc_id = item["dedupe_key"]
            if doc_id is not None and doc_id in first_seen:
                result.reject(source_path, f"same bytes as {first_seen[doc_id]}", item["n_bytes"], doc_id)
            elif item["reason"] is not None:
                result.reject(source_path, item["reason"], item["n_bytes"])
            else:
                first_seen[doc_id] = source_path
                result.documents.append({"doc_id": doc_id, "source_path": source_path,
                                         **{name: item[name] for name in DOCUMENT_FIELDS}})
    return result


def to_frames(result: IngestResult) -> tuple[pl.DataFrame, pl.DataFrame]:
    documents = pl.DataFrame(result.documents, schema=DOCUMENT_SCHEMA)
    rejected = pl.DataFrame(result.rejected, schema=REJECTED_SCHEMA)
    return documents, rejected


# -------------------------------------------------------------------------------------------- main

def main() -> None:
    params = load_params(STAGE)
    paths = list_inputs(Path(params["input_dir"]))
    cache = FileCache(params.get("cache_dir", ".cache/ingest"), cache_fingerprint(params),
                      enabled=bool(params.get("cache", True)))
    try:
        documents, rejected = to_frames(ingest_files(paths, params, cache))
        cache.prune()  # only after every file was read: a failed run keeps all entries
    finally:
        cache.close()
    write_table(documents, OUT_DIR / "documents.parquet", IngestDocuments, "ingest/documents",
                sort_by=["source_path"])
    write_table(rejected, OUT_DIR / "rejected.parquet", IngestRejected, "ingest/rejected",
                sort_by=["source_path"])
    log(STAGE, f"{len(paths)} input files ({cache.hits} from cache) -> {documents.height} documents, "
               f"{rejected.height} rejected")


if __name__ == "__main__":
    run_stage(STAGE, main)
