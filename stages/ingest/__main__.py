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

import errno
import hashlib
import inspect
import os
import re
import stat
from dataclasses import dataclass
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

# Opening flags: never follow a link (at any step: every folder below input_dir is opened relative to its
# parent's descriptor), never block on a FIFO swapped in after listing, never leak into child processes.
DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
FILE_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


@dataclass(frozen=True)
class Entry:
    """One entry under the input folder: the folder as given (`root`, the one path that may be a link) and
    the names below it (as the OS gives them: a name that is not UTF-8 keeps its bytes as surrogate escapes).
    `problem` is a rejection found while listing (a folder that cannot be opened). `shown` is its path as
    source_path gives it, before `storable` (built once from the folder's: a Path per file is slow)."""
    root: Path
    parts: tuple[str, ...]
    problem: str | None = None
    shown: str = ""

    @property
    def path(self) -> Path:
        return self.root.joinpath(*self.parts)


def as_entry(path: Path | Entry) -> Entry:
    """A plain path (tests, tools) is an entry of its own folder."""
    if isinstance(path, Entry):
        return path
    path = Path(path)
    return Entry(path.parent, (path.name,), shown=display_path(path))


def entry_of(root: Path, base: str, parts: tuple[str, ...], problem: str | None = None) -> Entry:
    """The entry root/parts, shown as `base` (the folder's display path) + '/'-joined parts."""
    return Entry(root, parts, problem, "/".join(parts) if base == "." else "/".join((base, *parts)))


def os_reason(err: OSError) -> str:
    """A short reason for a failed open or read."""
    if isinstance(err, PermissionError):
        return "permission denied"
    if isinstance(err, FileNotFoundError):
        return "it disappeared between listing and reading (deleted or moved)"
    if err.errno in (errno.ELOOP, errno.ENOTDIR):
        return "a folder on its path was replaced by a link or a file while reading (links are never followed)"
    return err.strerror or type(err).__name__


def open_folder(root: Path, parts: tuple[str, ...]) -> int:
    """A descriptor of the folder root/parts, every step below root opened relative to its parent with
    O_NOFOLLOW (a folder swapped for a link fails with ELOOP instead of leading outside). Caller closes."""
    fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        for name in parts:
            child = os.open(name, DIR_FLAGS, dir_fd=fd)
            os.close(fd)
            fd = child
    except BaseException:
        os.close(fd)
        raise
    return fd


def list_folder(root: Path, parts: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """(sub-folders, other entries) of one folder, by name; links and special files are 'other entries'."""
    fd = open_folder(root, parts)
    try:
        with os.scandir(fd) as it:
            folders, others = [], []
            for item in it:
                (folders if item.is_dir(follow_symlinks=False) else others).append(item.name)
    finally:
        os.close(fd)
    return folders, others


def list_inputs(input_dir: Path) -> list[Entry]:
    """Every entry under input_dir that is not a folder, sorted by path; links are listed, never followed.
    A folder that cannot be opened is an entry too (its `problem` says why), so no file goes missing
    silently."""
    input_dir = Path(input_dir)
    if not input_dir.is_dir():
        raise StageError(f"input folder '{input_dir}' does not exist (ingest.input_dir)")
    found: list[Entry] = []
    base = display_path(input_dir, escape=False)   # below it no link is followed: its parts show as they are
    pending: list[tuple[str, ...]] = [()]
    while pending:
        parts = pending.pop()
        try:
            folders, others = list_folder(input_dir, parts)
        except OSError as err:
            if not parts:
                raise StageError(f"input folder '{input_dir}' cannot be read: {os_reason(err)}") from None
            found.append(entry_of(input_dir, base, parts, f"folder cannot be read ({os_reason(err)}): the files in it "
                                                 f"were not ingested"))
            continue
        pending.extend(parts + (name,) for name in folders)
        found.extend(entry_of(input_dir, base, parts + (name,)) for name in others)
    return sorted(found, key=lambda entry: entry.shown)


# A file name that is not UTF-8 keeps its undecodable bytes as surrogate escapes (U+DC80-U+DCFF), which no
# table can hold: in source_path each such byte is written \\xff. Every other character of a path is kept as
# it is (source_path is the file's path, the contract's; the report escapes HTML), and messages for a
# terminal escape control and bidi characters too (`printable`).
UNDECODABLE = re.compile(r"[\udc80-\udcff]")
UNSHOWABLE = re.compile(r"[\udc80-\udcff\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\u{code:04x}"


def storable(text: str) -> str:
    """`text` with the bytes of a non-UTF-8 name written as \\xff (see UNDECODABLE)."""
    return UNDECODABLE.sub(_escape, text)


def printable(text: str) -> str:
    """`text` safe for a terminal: undecodable bytes as \\xff, control and bidi characters as \\u001b."""
    return UNSHOWABLE.sub(_escape, text)


def display_path(path: Path, escape: bool = True) -> str:
    """The contract's source_path: relative to the project root, '/'-separated, storable (see storable)."""
    try:
        shown = path.resolve(strict=False).relative_to(Path.cwd().resolve()).as_posix() \
            if path.is_absolute() else path.as_posix()
    except ValueError:
        shown = path.as_posix()
    return storable(shown) if escape else shown


def entry_rejection(info: os.stat_result, name: str, params: Ingest, formats: dict[str, str],
                    link_target: str | None = None) -> Item | None:
    """Why the entry is not read, judged from its metadata alone (never following a link or opening a
    FIFO), or None for a regular file of a known format to read."""
    if stat.S_ISLNK(info.st_mode):
        target = printable(link_target) if link_target is not None else "?"
        return rejection_item(f"symbolic link (to '{target}'): links are never followed", None)
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode) \
            else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) \
            else "a folder" if stat.S_ISDIR(info.st_mode) else "special"
        return rejection_item(f"not a regular file ({kind}): not read", None)
    suffix = Path(name).suffix
    if name.startswith("."):
        return rejection_item("hidden file (name starts with '.'): not an article", info.st_size)
    if formats.get(suffix.lower()) is None:
        supported = ", ".join(sorted(formats))
        return rejection_item(f"unsupported format '{printable(suffix) or '(no extension)'}' "
                              f"(supported: {supported})", info.st_size)
    return size_rejection(info.st_size, params)


def size_rejection(size: int, params: Ingest) -> Item | None:
    if size == 0:
        return rejection_item("empty file (0 bytes)", 0)
    if size > params.max_bytes:
        return rejection_item(f"file too large: {size:,} bytes is over the limit of "
                              f"{params.max_bytes:,} (ingest.max_bytes)", size)
    return None


def read_entry(entry: Entry, folder_fd: int, params: Ingest, formats: dict[str, str]) -> Item | bytes:
    """The bytes of the entry `entry.parts[-1]` of the open folder, or the item rejecting it. The file is
    opened relative to the folder's descriptor without following a link and checked again once open (what
    was listed may have been swapped), and read to at most max_bytes + 1 bytes."""
    name = entry.parts[-1]
    try:
        info = os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
        target = os.readlink(name, dir_fd=folder_fd) if stat.S_ISLNK(info.st_mode) else None
        rejection = entry_rejection(info, name, params, formats, target)
        if rejection is not None:
            return rejection
        fd = os.open(name, FILE_FLAGS, dir_fd=folder_fd)
        try:
            opened = os.fstat(fd)
            if not stat.S_ISREG(opened.st_mode):
                return entry_rejection(opened, name, params, formats) or rejection_item("not a regular file",
                                                                                       None)
            data = read_bounded(fd, opened.st_size, params.max_bytes)
        finally:
            os.close(fd)
    except OSError as err:
        return rejection_item(f"cannot be read: {os_reason(err)}", None)
    return size_rejection(len(data), params) or data


def read_bounded(fd: int, size: int, max_bytes: int) -> bytes:
    """At most max_bytes + 1 bytes of an open file whose size was `size`, read straight from the descriptor:
    the size (+1, to see a file that grew) is asked for, not max_bytes, which allocated the whole limit
    (20 MB) for every small file."""
    chunks, total, want = [], 0, min(size, max_bytes) + 1
    while total <= max_bytes:
        chunk = os.read(fd, want)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if len(chunk) < want:   # a regular file reads short only at its end
            break
        want = max_bytes + 1 - total
    return b"".join(chunks)


def read_inputs(paths: list[Path | Entry], params: Ingest) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(files to read: file_no, source, file_sha256, file_format, data; entries rejected unread: file_no,
    source and their item), both in path order (`file_no`). Each folder is opened once (`FolderFds`)."""
    formats = {ext.lower(): fmt for fmt, exts in params.formats.items() for ext in exts}
    files, rejected = [], []
    with FolderFds() as folders:
        shown: set[str] = set()
        for file_no, entry in enumerate(map(as_entry, paths)):
            place = {"file_no": file_no, "source": unique_path(storable(entry.shown), entry, shown)}
            got = rejection_item(entry.problem, None) if entry.problem else folders.read(entry, params, formats)
            if isinstance(got, dict):
                rejected.append({**place, "item_no": 0, **got})
                continue
            files.append({**place, "file_sha256": hashlib.sha256(got).hexdigest(),
                          "file_format": formats[Path(entry.parts[-1]).suffix.lower()], "data": got})
    files_schema = {**PLACE_SCHEMA, "file_sha256": pl.String, "file_format": pl.String, "data": pl.Binary}
    return (pl.DataFrame(files, schema=files_schema),
            pl.DataFrame(rejected, schema={**PLACE_SCHEMA, "item_no": pl.Int64, **ITEM_SCHEMA}))


def unique_path(source: str, entry: Entry, shown: set[str]) -> str:
    """`source`, or when another entry already shows as it (a name with a literal `\\xff` beside a name
    with the byte 0xff), `source` followed by the name's bytes in hex: every source_path stays unique."""
    if source in shown:
        source = f"{source} (name bytes {os.fsencode(entry.parts[-1]).hex()})"
    shown.add(source)
    return source


class FolderFds:
    """Open folder descriptors by (root, parts), reused for the files of one folder, all closed at exit."""

    def __init__(self) -> None:
        self.fds: dict[tuple[Path, tuple[str, ...]], int | OSError] = {}

    def __enter__(self) -> FolderFds:
        return self

    def __exit__(self, *exc: object) -> None:
        for fd in self.fds.values():
            if isinstance(fd, int):
                os.close(fd)

    def read(self, entry: Entry, params: Ingest, formats: dict[str, str]) -> Item | bytes:
        key = (entry.root, entry.parts[:-1])
        if key not in self.fds:
            if len(self.fds) >= 64:   # path order visits each folder's files together: keep a few open
                self.__exit__()
                self.fds.clear()
            try:
                self.fds[key] = open_folder(*key)
            except OSError as err:
                self.fds[key] = err
        fd = self.fds[key]
        if isinstance(fd, OSError):
            return rejection_item(f"cannot be read: {os_reason(fd)}", None)
        return read_entry(entry, fd, params, formats)


# ---------------------------------------------------------------------------------- per file, cached

def rows_fingerprint(params: Ingest) -> str:
    """Changes whenever anything deciding a file's rows may change: every file of this package, the
    schema its rows' columns come from, the shared date parser, `sha16` (the one helper from stages.common in
    the rows), the params that decide rows and the libraries above."""
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


def ingest_files(paths: list[Path | Entry], params: Ingest, cache: RowsCache) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    """(documents, rejected, how many read files got their rows from the cache) for every path."""
    files, unread = read_inputs(paths, params)
    rows, n_cached = file_rows_cached(files, params, cache)
    documents, rejected = assemble(files, unread, rows)
    return documents, rejected, n_cached


# -------------------------------------------------------------------------------------------- main

def nothing_ingested(input_dir: str, rejected: pl.DataFrame, shown: int = 5) -> str:
    """The message of a run with no document: nothing is written and no cache pruned, so the outputs and
    caches of the last good run stay (an empty run must not overwrite a report with an empty one)."""
    lines = [f"no document could be ingested from '{input_dir}' ({rejected.height} input(s), all rejected); "
             f"nothing was written, earlier outputs and caches are kept"]
    for source, reason in rejected.select("source_path", "reason").head(shown).iter_rows():
        lines.append(f"  {printable(source)}: {printable(reason)}")
    if rejected.height > shown:
        lines.append(f"  ... and {rejected.height - shown} more")
    return "\n".join(lines)


def main() -> None:
    params = load_section(STAGE)
    paths = list_inputs(Path(params.input_dir))
    cache = rows_cache(params)
    documents, rejected, n_cached = ingest_files(paths, params, cache)
    if not documents.height:
        raise StageError(nothing_ingested(params.input_dir, rejected))
    write_table(documents, DOCUMENTS, IngestDocuments, "ingest/documents", sort_by=["source_path"])
    write_table(rejected, REJECTED, IngestRejected, "ingest/rejected", sort_by=["source_path"])
    cache.prune()   # only after a complete run: a failed run keeps every entry
    log(STAGE, f"{len(paths)} input files ({n_cached} from cache) -> {documents.height} documents, "
               f"{rejected.height} rejected")


if __name__ == "__main__":
    run_stage(STAGE, main)
