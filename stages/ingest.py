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

ftfy is the costly step; `fix_text_fast` skips it for lines it provably returns unchanged.
"""
from __future__ import annotations

import hashlib
import inspect
import json
import os
import re
import sqlite3
import stat
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import ftfy
import polars as pl

from schemas.ingest import IngestDocuments, IngestRejected
from stages.common import StageError, load_params, log, progress, run_stage, sha16, write_table

STAGE = "ingest"
OUT_DIR = Path("data/ingest")

DOCUMENT_SCHEMA = {
    "doc_id": pl.String, "source_path": pl.String, "source_format": pl.String, "n_bytes": pl.Int64,
    "encoding": pl.String, "raw_text": pl.String, "meta_title": pl.String, "meta_description": pl.String,
    "meta_authors": pl.List(pl.String), "meta_date": pl.String, "meta_site": pl.String, "meta_url": pl.String,
}
REJECTED_SCHEMA = {"source_path": pl.String, "reason": pl.String, "n_bytes": pl.Int64, "doc_id": pl.String}

# Signatures of common binary formats, so a rejection can say what the file looks like.
MAGIC = [
    (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"), (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"\x1f\x8b", "a gzip archive"), (b"\x7fELF", "an executable"), (b"BZh", "a bzip2 archive"),
]
BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
]
# C0/C1 control characters other than tab and newline: never meaningful in article text.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
DATE_FORMATS = ["%Y-%m-%d", "%d-%b-%Y %H:%M:%S.%f", "%d-%b-%Y %H:%M:%S", "%d-%b-%Y", "%Y/%m/%d",
                "%d %B %Y", "%B %d, %Y", "%a, %d %b %Y %H:%M:%S %z"]
# Formats of digits and punctuation only: strptime's patterns for these directives match digits,
# whitespace and the literal separators, never an ASCII letter, so text with a letter is not tried
# against them (a failed strptime costs as much as a good one: this halves the date time on Reuters).
NUMERIC_DATE_FORMATS = {fmt for fmt in DATE_FORMATS
                        if not re.search(r"[A-Za-z%]", re.sub(r"%[YmdHMSf]", "", fmt))}
ASCII_LETTER = re.compile(r"[A-Za-z]")


@dataclass
class IngestResult:
    documents: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, source_path: str, reason: str, n_bytes: int | None = None,
               doc_id: str | None = None) -> None:
        self.rejected.append({"source_path": source_path, "reason": reason, "n_bytes": n_bytes,
                              "doc_id": doc_id})


class Unreadable(Exception):
    """The bytes cannot be used as text; the message is the rejection reason."""


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


# ------------------------------------------------------------------------------------------ decoding

def decode_bytes(data: bytes, max_control_share: float) -> tuple[str, str]:
    """Return (text, encoding) or raise Unreadable with a reason a person understands."""
    for signature, what in MAGIC:
        if data.startswith(signature):
            raise Unreadable(f"binary file: it looks like {what}, not text")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as err:
                raise Unreadable(f"starts with a {encoding} byte-order mark but does not decode as "
                                 f"{encoding} (byte {err.start})") from None
    candidates: list[tuple[str, str]] = []
    try:
        candidates.append((data.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        pass
    if not candidates or control_share(candidates[0][0]) > max_control_share:
        candidates.extend(guess_encoding(data))
    for text, encoding in candidates:
        if control_share(text) <= max_control_share:
            return text, encoding
    raise Unreadable("binary or undecodable content: no text encoding (UTF-8, UTF-16, cp1252, Latin-1, ...) "
                     "gives readable text")


def guess_encoding(data: bytes) -> list[tuple[str, str]]:
    """Candidates for bytes that are not UTF-8, best first.

    charset-normalizer tells multi-byte encodings (UTF-16 without a BOM, CJK code pages) apart reliably,
    but on short Western text it often picks the wrong single-byte code page (cp1250 for cp1252: "naďve").
    Single-byte text is therefore read as cp1252, the Western default, whenever it decodes with it.
    """
    from charset_normalizer import from_bytes
    best = from_bytes(data).best()
    if best is not None and not is_single_byte(best.encoding):
        return [(str(best), best.encoding)]
    found: list[tuple[str, str]] = []
    try:
        found.append((data.decode("cp1252"), "cp1252"))
    except UnicodeDecodeError:
        pass
    if best is not None:
        found.append((str(best), best.encoding))
    return found


def is_single_byte(encoding: str) -> bool:
    import codecs
    name = codecs.lookup(encoding).name
    return name.startswith(("cp", "iso8859", "latin", "mac", "windows", "koi8", "tis", "hp", "kz", "ptcp")) \
        and name not in ("cp932", "cp949", "cp950")


def control_share(text: str) -> float:
    if not text:
        return 0.0
    return len(CONTROL_CHARS.findall(text[:200_000])) / min(len(text), 200_000)


# ftfy.fix_text fixes text one segment (line) at a time. For a segment of printable ASCII, tab and '\n',
# without '&', every fixer of our config is the identity (checked against the source of ftfy 6.3.1):
# unescape_html needs '&'; fix_encoding returns ASCII unchanged; the C1, ligature, width, surrogate and
# curly-quote tables hold no ASCII character; fix_line_breaks needs '\r'; remove_terminal_escapes needs
# ESC; remove_control_chars only removes C0 controls and DEL; NFC leaves ASCII alone. So such segments
# are copied as they are, and `test_ingest_cache.py` checks the shortcut against ftfy with hypothesis.
FTFY_VERIFIED_VERSIONS = {"6.3.1"}
FTFY_SHORTCUT = ftfy.__version__ in FTFY_VERIFIED_VERSIONS  # another version: plain ftfy, to be safe
FTFY_CONFIG = ftfy.TextFixerConfig(normalization="NFC", fix_line_breaks=True, uncurl_quotes=False,
                                   explain=False)
ASCII_RISKY = re.compile(r"[&\r\x00-\x08\x0b-\x1f\x7f]")  # the ASCII characters some fixer changes


def is_ftfy_identity(segment: str) -> bool:
    """True when ftfy (our config) is sure to return `segment` unchanged: see the comment above."""
    return segment.isascii() and ASCII_RISKY.search(segment) is None


def fix_text_fast(text: str, config: ftfy.TextFixerConfig = FTFY_CONFIG) -> str:
    """Exactly `ftfy.fix_text(text, config)`, without calling ftfy on segments it leaves alone.

    The loop is ftfy's own (same segments, same switch-off of HTML unescaping once a segment holds '<'),
    so the segments that do need ftfy get exactly the config they get inside ftfy.fix_text. `config` must
    differ from FTFY_CONFIG in `max_decode_length` at most (tests shorten it): the shortcut assumes the rest.
    """
    if not FTFY_SHORTCUT:
        return ftfy.fix_text(text, config)
    if is_ftfy_identity(text):
        return text
    out: list[str] = []
    pos = 0
    while pos < len(text):
        textbreak = text.find("\n", pos) + 1
        if textbreak == 0:
            textbreak = len(text)
        if textbreak - pos > config.max_decode_length:
            textbreak = pos + config.max_decode_length
        segment = text[pos:textbreak]
        if config.unescape_html == "auto" and "<" in segment:
            config = config._replace(unescape_html=False)
        out.append(segment if is_ftfy_identity(segment) else ftfy.fix_and_explain(segment, config).text)
        pos = textbreak
    return "".join(out)


def normalise_text(text: str) -> str:
    """Mojibake repair, NFC, '\\n' line ends, no control characters (ftfy keeps zero-width joiners etc.).

    Curly quotes are kept: they are how the tag stage tells quotations from apostrophes.
    """
    if FTFY_SHORTCUT and is_ftfy_identity(text):
        return text  # and our own control-character removal and NFC leave it alone too
    text = fix_text_fast(text)
    text = CONTROL_CHARS.sub("", text)
    return unicodedata.normalize("NFC", text)


def parse_date(value: Any) -> str | None:
    """An ISO date string for what a feed or page gives, or None when it cannot be read."""
    if value is None:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
        text = text[:10]
    has_letter = ASCII_LETTER.search(text) is not None
    for fmt in DATE_FORMATS:
        if has_letter and fmt in NUMERIC_DATE_FORMATS:
            continue
        try:
            return datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


# ----------------------------------------------------------------------------------------- formats

def html_to_record(html: str) -> dict[str, Any]:
    """Main text and metadata of an HTML page with trafilatura, one text block a line."""
    import trafilatura
    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                      include_tables=True)
    text = (doc.text if doc is not None else None) or ""
    if not text.strip():
        # trafilatura favours precision and gives up on short pages; its baseline keeps every paragraph.
        text = trafilatura.baseline(html)[1] or ""
    if not text.strip():
        raise Unreadable("HTML page with no extractable article text (the markup is empty, or nested too "
                         "deeply to parse)")
    author = getattr(doc, "author", None)
    return {
        "raw_text": text,
        "meta_title": getattr(doc, "title", None) or None,
        "meta_description": getattr(doc, "description", None) or None,
        "meta_authors": [a.strip() for a in author.split(";") if a.strip()] if author else [],
        "meta_date": parse_date(getattr(doc, "date", None)),
        "meta_site": getattr(doc, "sitename", None) or getattr(doc, "hostname", None) or None,
        "meta_url": getattr(doc, "url", None) or None,
    }


def empty_meta() -> dict[str, Any]:
    return {"meta_title": None, "meta_description": None, "meta_authors": [], "meta_date": None,
            "meta_site": None, "meta_url": None}


def jsonl_record_to_doc(line: str) -> dict[str, Any]:
    """One JSONL line to a document's text and metadata, or Unreadable with the reason."""
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as err:
        msg = err.msg if isinstance(err, json.JSONDecodeError) else "nested too deeply"
        raise Unreadable(f"not valid JSON ({msg})") from None
    if not isinstance(record, dict):
        raise Unreadable(f"a JSON {type(record).__name__}, not an object with a 'text' or 'body' field")
    body = record.get("text", record.get("body"))
    if not isinstance(body, str) or not body.strip():
        raise Unreadable("record has no non-empty 'text' or 'body' string field")
    authors = record.get("authors", record.get("author"))
    if isinstance(authors, str):
        authors = [authors]
    return {
        "raw_text": body,
        "meta_title": str_or_none(record.get("title")),
        "meta_description": str_or_none(record.get("description", record.get("subtitle"))),
        "meta_authors": [a for a in (authors or []) if isinstance(a, str) and a.strip()],
        "meta_date": parse_date(record.get("date", record.get("published_date"))),
        "meta_site": str_or_none(record.get("site")),
        "meta_url": str_or_none(record.get("url")),
    }


def str_or_none(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


# ------------------------------------------------------------------------------------ one file, pure

# A file's candidate rows ("items"): a document when `reason` is None, else a rejection. `suffix` follows
# the file's source_path ("" or "#LINE"). `dedupe_key` is the doc_id of bytes that the cross-file step
# checks for copies (set once a file or record got that far, as in a sequential read), else None.
ITEM_KEYS = ("suffix", "reason", "dedupe_key", "n_bytes", "source_format", "encoding", "raw_text",
             "meta_title", "meta_description", "meta_authors", "meta_date", "meta_site", "meta_url")
DOCUMENT_FIELDS = ITEM_KEYS[3:]  # n_bytes onwards
Item = dict[str, Any]


def rejection_item(reason: str, n_bytes: int | None, suffix: str = "", dedupe_key: str | None = None) -> Item:
    return {"suffix": suffix, "reason": reason, "dedupe_key": dedupe_key, "n_bytes": n_bytes,
            "source_format": None, "encoding": None, "raw_text": None, **empty_meta()}


def document_item(record: dict[str, Any], doc_id: str, fmt: str, n_bytes: int, encoding: str,
                  suffix: str = "") -> Item:
    return {"suffix": suffix, "reason": None, "dedupe_key": doc_id, "n_bytes": n_bytes,
            "source_format": fmt, "encoding": encoding, **record}


def file_items(data: bytes, fmt: str, params: dict[str, Any]) -> list[Item]:
    """Everything one readable file gives, from its bytes and format only (no path, no other file)."""
    try:
        text, encoding = decode_bytes(data, params["max_control_share"])
    except Unreadable as err:
        return [rejection_item(str(err), len(data))]
    if not text.strip():
        return [rejection_item("contains only whitespace", len(data))]
    if fmt == "jsonl":
        return jsonl_items(text, encoding)
    doc_id = sha16(data)
    try:
        record = html_to_record(text) if fmt == "html" else {"raw_text": text, **empty_meta()}
    except Unreadable as err:
        return [rejection_item(str(err), len(data), dedupe_key=doc_id)]
    except Exception as err:  # a parser crash on hostile HTML is a rejection, not a failed run
        return [rejection_item(f"HTML could not be parsed ({type(err).__name__}: {err})", len(data),
                               dedupe_key=doc_id)]
    raw_text = normalise_text(record["raw_text"])
    if not raw_text.strip():
        return [rejection_item("no text left after removing control characters", len(data),
                               dedupe_key=doc_id)]
    return [document_item({**record, "raw_text": raw_text}, doc_id, fmt, len(data), encoding)]


def jsonl_items(text: str, encoding: str) -> list[Item]:
    """One document per good record; each malformed line is rejected on its own (`file#LINE`)."""
    items: list[Item] = []
    for line_no, line in enumerate(normalise_line_ends(text).split("\n"), start=1):
        if not line.strip():
            continue
        suffix = f"#{line_no}"
        line_bytes = line.encode("utf-8", "surrogatepass")
        doc_id = sha16(line_bytes)
        try:
            record = jsonl_record_to_doc(line)
        except Unreadable as err:
            items.append(rejection_item(f"line {line_no}: {err}", len(line_bytes), suffix, doc_id))
            continue
        raw_text = normalise_text(record["raw_text"])
        if not raw_text.strip():
            items.append(rejection_item(f"line {line_no}: no text left after removing control characters",
                                        len(line_bytes), suffix, doc_id))
            continue
        items.append(document_item({**record, "raw_text": raw_text}, doc_id, "jsonl", len(line_bytes),
                                   encoding, suffix))
    if not items:
        return [rejection_item("JSONL file with no records (only blank lines)", len(text.encode()))]
    return items


# ------------------------------------------------------------------------------------- the file cache

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
             Path(__file__).read_bytes(), sha16_code,
             f"python {sys.version_info[:3]} unicode {unicodedata.unidata_version}".encode()]
    for name in FINGERPRINT_LIBRARIES:
        try:
            parts.append(f"{name} {metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            parts.append(f"{name} absent".encode())
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big") + part)
    return digest.hexdigest()[:24]


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


def normalise_line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


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
