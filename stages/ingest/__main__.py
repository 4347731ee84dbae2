"""ingest: every file under `ingest.input_dir` becomes documents or a rejection with a reason.

Load: walk the input folder without following links; entries that are not regular, readable article files
(links, FIFOs, hidden files, unknown formats, empty or too large files) are rejected from their metadata
alone, the others are read. Transform: decode (BOM, strict UTF-8, then charset-normalizer), repair mojibake
and normalise to NFC with ftfy, extract HTML with trafilatura, split JSONL into records. Validate and write
`data/ingest/documents.parquet` and `data/ingest/rejected.parquet`.

`doc_id` is the first 16 hex characters of the SHA-256 of the raw bytes (of a JSONL record: of its line
encoded as UTF-8, without the line end), so the same input gets the same id on any machine.

Two steps, so that a rerun after adding one file only reads the new one:
1. Per file, a pure function of its bytes and format (`records.file_rows`, the executor's batch task): the
   candidate rows it gives, documents and rejections, with the part of `source_path` after the file's
   path (`""` or `"#LINE"`) and no path in them. These are cached (`stages.common.cache.RowsCache`, keyed
   by the SHA-256 of the bytes + the format, under a fingerprint of the params, this package's code and
   the libraries that decide them).
2. Corpus-wide, on the driver, over all files in path order (`assemble`): attach each file's path and
   reject the second and later copies of the same bytes ("same bytes as ..."), which needs every file and
   so is never cached.

Decoding and normalising live in `decode`, the per-file rows in `records`; ftfy is the costly step, and
`decode.fix_text_fast` skips it for lines it provably returns unchanged.
"""
from __future__ import annotations

import hashlib
import inspect
import os
import stat
from functools import partial
from pathlib import Path

import polars as pl

from schemas.base import frame
from schemas.ingest import IngestDocuments, IngestRejected
from schemas.params import Ingest
from stages.common import StageError, load_section, log, run_stage, sha16, write_table
from stages.common.cache import RowsCache, fingerprint
from stages.common.executor import InProcess, batches_of, map_batches
from stages.ingest.records import FILE_KEY, ITEM_SCHEMA, Item, file_rows, rejection_item

STAGE = "ingest"
DOCUMENTS = "data/ingest/documents.parquet"
REJECTED = "data/ingest/rejected.parquet"
# The data deps and outs of ingest's block in dvc.yaml, as written there (the input folder is a param).
INPUTS = ["data/check/params.ok", "${ingest.input_dir}"]
OUTPUTS = [DOCUMENTS, REJECTED]

PACKAGE_DIR = Path(__file__).resolve().parent
SCHEMA_FILE = PACKAGE_DIR.parents[1] / "schemas" / "ingest.py"   # the cached rows' columns come from it
DATES_FILE = PACKAGE_DIR.parent / "common" / "dates.py"           # meta_date comes from the shared parser
# Params that cannot change the rows of given bytes and format: where the files are, the size limit
# (checked before reading) and the extension map (it decides the format, which is in the key).
NOT_DECIDING_ROWS = ("input_dir", "max_bytes", "formats")
# Libraries whose behaviour shapes the rows: decoding, repair, HTML extraction (and its parsers), storage.
ROW_LIBRARIES = ("ftfy", "charset-normalizer", "trafilatura", "readability-lxml", "lxml", "htmldate", "courlan",
                 "justext", "polars", "polars-runtime-32", "python-dateutil")
# Where a file stands in the corpus (path order) and its path; items of one file follow in `item_no` order.
PLACE_SCHEMA = {"file_no": pl.Int64, "source": pl.String}


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


def entry_rejection(path: Path, params: Ingest, formats: dict[str, str]) -> Item | None:
    """Why the entry at `path` is not read, judged from its metadata alone (never following a link or
    opening a FIFO), or None for a regular file of a known format to read."""
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        return rejection_item(f"symbolic link (to '{os.readlink(path)}'): links are never followed", None)
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode) \
            else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "special"
        return rejection_item(f"not a regular file ({kind}): not read", None)
    if path.name.startswith("."):
        return rejection_item("hidden file (name starts with '.'): not an article", info.st_size)
    if formats.get(path.suffix.lower()) is None:
        supported = ", ".join(sorted(formats))
        return rejection_item(f"unsupported format '{path.suffix or '(no extension)'}' "
                              f"(supported: {supported})", info.st_size)
    if info.st_size == 0:
        return rejection_item("empty file (0 bytes)", 0)
    if info.st_size > params.max_bytes:
        return rejection_item(f"file too large: {info.st_size:,} bytes is over the limit of "
                              f"{params.max_bytes:,} (ingest.max_bytes)", info.st_size)
    return None


def read_inputs(paths: list[Path], params: Ingest) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(files to read: file_no, source, file_sha256, file_format, data; entries rejected unread: file_no,
    source and their item), both in path order (`file_no`)."""
    formats = {ext.lower(): fmt for fmt, exts in params.formats.items() for ext in exts}
    files, rejected = [], []
    for file_no, path in enumerate(paths):
        place = {"file_no": file_no, "source": display_path(path)}
        rejection = entry_rejection(path, params, formats)
        if rejection is not None:
            rejected.append({**place, "item_no": 0, **rejection})
            continue
        data = path.read_bytes()
        files.append({**place, "file_sha256": hashlib.sha256(data).hexdigest(),
                      "file_format": formats[path.suffix.lower()], "data": data})
    files_schema = {**PLACE_SCHEMA, "file_sha256": pl.String, "file_format": pl.String, "data": pl.Binary}
    return (pl.DataFrame(files, schema=files_schema),
            pl.DataFrame(rejected, schema={**PLACE_SCHEMA, "item_no": pl.Int64, **ITEM_SCHEMA}))


# ---------------------------------------------------------------------------------- per file, cached

def rows_fingerprint(params: Ingest) -> str:
    """Changes whenever anything deciding a file's rows may change: every file of this package, the
    schema its rows' columns come from, the shared date parser, `sha16` (the one helper from stages.common in the rows), the
    params that decide rows and the libraries above."""
    return fingerprint(STAGE, params=params, run_only=NOT_DECIDING_ROWS, folders=[PACKAGE_DIR],
                       files=[SCHEMA_FILE, DATES_FILE], libraries=ROW_LIBRARIES, extra=[inspect.getsource(sha16)])


def rows_cache(params: Ingest) -> RowsCache:
    return RowsCache(params.cache_dir, STAGE, rows_fingerprint(params), key=FILE_KEY, enabled=params.cache,
                     stage=STAGE)


def file_rows_cached(files: pl.DataFrame, params: Ingest, cache: RowsCache) -> tuple[pl.DataFrame, int]:
    """(the rows of every file in `files`, how many of the files got them from the cache): the cache
    serves the contents seen before, the batch task (`records.file_rows`) computes the others."""
    computed: list[pl.DataFrame] = []

    def compute(missing: pl.DataFrame) -> pl.DataFrame:
        computed.append(missing)
        todo = files.join(missing, on=FILE_KEY, how="semi").unique(FILE_KEY, maintain_order=True)
        return map_batches(InProcess(), partial(file_rows, params), batches_of(todo, 1, by="file_sha256"))

    rows, _ = cache.run(files.select(FILE_KEY), compute)
    n_cached = files.join(pl.concat(computed), on=FILE_KEY, how="anti").height if computed else files.height
    return rows, n_cached


# ------------------------------------------------------------------------------- corpus-wide, driver

def assemble(files: pl.DataFrame, unread: pl.DataFrame, rows: pl.DataFrame
             ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(documents, rejected): every file's rows with its path attached, in path order, later copies of
    the same bytes rejected (`reject_copies`)."""
    placed = (files.select(*PLACE_SCHEMA, *FILE_KEY).join(rows, on=FILE_KEY, how="inner")
              .drop(FILE_KEY))
    items = (pl.concat([placed, unread.select(placed.columns)])
             .sort("file_no", "item_no")
             .with_columns(source_path=pl.col("source") + pl.col("suffix")))
    return reject_copies(items)


def reject_copies(items: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Corpus-wide duplicate detection over the items of every file, in path order: the first document
    with some bytes (`dedupe_key`) is kept; any later file or JSONL record with the same doc_id is
    rejected as "same bytes as <first>", whatever its own outcome would have been."""
    items = items.with_row_index("position")
    first = (items.filter(pl.col("reason").is_null())
             .unique("dedupe_key", keep="first", maintain_order=True)
             .select("dedupe_key", first_position="position", first_path="source_path"))
    marked = items.join(first, on="dedupe_key", how="left").sort("position")
    is_copy = pl.col("first_position").is_not_null() & (pl.col("position") > pl.col("first_position"))
    documents = marked.filter(pl.col("reason").is_null() & ~is_copy).rename({"dedupe_key": "doc_id"})
    rejected = marked.filter(pl.col("reason").is_not_null() | is_copy).select(
        "source_path",
        reason=pl.when(is_copy).then(pl.lit("same bytes as ") + pl.col("first_path")).otherwise("reason"),
        n_bytes="n_bytes",
        doc_id=pl.when(is_copy).then("dedupe_key"))
    return frame(documents, IngestDocuments), frame(rejected, IngestRejected)


def ingest_files(paths: list[Path], params: Ingest, cache: RowsCache) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(documents, rejected, how many read files got their rows from the cache) for every path."""
    files, unread = read_inputs(paths, params)
    rows, n_cached = file_rows_cached(files, params, cache)
    documents, rejected = assemble(files, unread, rows)
    return documents, rejected, n_cached


# -------------------------------------------------------------------------------------------- main

def main() -> None:
    params = load_section(STAGE)
    paths = list_inputs(Path(params.input_dir))
    cache = rows_cache(params)
    documents, rejected, n_cached = ingest_files(paths, params, cache)
    write_table(documents, DOCUMENTS, IngestDocuments, "ingest/documents", sort_by=["source_path"])
    write_table(rejected, REJECTED, IngestRejected, "ingest/rejected", sort_by=["source_path"])
    cache.prune()   # only after a complete run: a failed run keeps every entry
    log(STAGE, f"{len(paths)} input files ({n_cached} from cache) -> {documents.height} documents, "
               f"{rejected.height} rejected")


if __name__ == "__main__":
    run_stage(STAGE, main)
