"""ingest: every file under `ingest.input_dir` becomes documents or a rejection with a reason.

Load: walk the input folder without following links. Transform: decode (BOM, strict UTF-8, then
charset-normalizer), repair mojibake and normalise to NFC with ftfy, extract HTML with trafilatura, split
JSONL into records. Validate and write `data/ingest/documents.parquet` and `data/ingest/rejected.parquet`.

`doc_id` is the first 16 hex characters of the SHA-256 of the raw bytes (of a JSONL record: of its line
encoded as UTF-8, without the line end), so the same input gets the same id on any machine.
"""
from __future__ import annotations

import json
import os
import re
import stat
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


def normalise_text(text: str) -> str:
    """Mojibake repair, NFC, '\\n' line ends, no control characters (ftfy keeps zero-width joiners etc.).

    Curly quotes are kept: they are how the tag stage tells quotations from apostrophes.
    """
    text = ftfy.fix_text(text, normalization="NFC", fix_line_breaks=True, uncurl_quotes=False)
    text = CONTROL_CHARS.sub("", text)
    return unicodedata.normalize("NFC", text)


def parse_date(value: Any) -> str | None:
    """An ISO date string for what a feed or page gives, or None when it cannot be read."""
    if value is None:
        return None
    text = str(value).strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
        text = text[:10]
    for fmt in DATE_FORMATS:
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


# --------------------------------------------------------------------------------------- transform

def ingest_files(paths: list[Path], params: dict[str, Any]) -> IngestResult:
    """Classify every path: documents for what can be read, a rejection with a reason for the rest."""
    result = IngestResult()
    first_seen: dict[str, str] = {}  # doc_id -> source_path of its first occurrence
    formats: dict[str, str] = {ext.lower(): fmt for fmt, exts in params["formats"].items() for ext in exts}
    for path in progress(paths, STAGE, "files", total=len(paths)):
        ingest_one(path, params, formats, first_seen, result)
    return result


def ingest_one(path: Path, params: dict[str, Any], formats: dict[str, str],
               first_seen: dict[str, str], result: IngestResult) -> None:
    source = display_path(path)
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        result.reject(source, f"symbolic link (to '{os.readlink(path)}'): links are never followed")
        return
    if not stat.S_ISREG(info.st_mode):
        kind = "a FIFO" if stat.S_ISFIFO(info.st_mode) else "a socket" if stat.S_ISSOCK(info.st_mode) \
            else "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "special"
        result.reject(source, f"not a regular file ({kind}): not read")
        return
    if path.name.startswith("."):
        result.reject(source, "hidden file (name starts with '.'): not an article", info.st_size)
        return
    fmt = formats.get(path.suffix.lower())
    if fmt is None:
        supported = ", ".join(sorted(formats))
        result.reject(source, f"unsupported format '{path.suffix or '(no extension)'}' "
                              f"(supported: {supported})", info.st_size)
        return
    if info.st_size == 0:
        result.reject(source, "empty file (0 bytes)", 0)
        return
    if info.st_size > params["max_bytes"]:
        result.reject(source, f"file too large: {info.st_size:,} bytes is over the limit of "
                              f"{params['max_bytes']:,} (ingest.max_bytes)", info.st_size)
        return
    data = path.read_bytes()
    try:
        text, encoding = decode_bytes(data, params["max_control_share"])
    except Unreadable as err:
        result.reject(source, str(err), len(data))
        return
    if not text.strip():
        result.reject(source, "contains only whitespace", len(data))
        return
    if fmt == "jsonl":
        ingest_jsonl(source, text, encoding, first_seen, result)
        return
    doc_id = sha16(data)
    if doc_id in first_seen:
        result.reject(source, f"same bytes as {first_seen[doc_id]}", len(data), doc_id)
        return
    try:
        record = html_to_record(text) if fmt == "html" else {"raw_text": text, **empty_meta()}
    except Unreadable as err:
        result.reject(source, str(err), len(data))
        return
    except Exception as err:  # a parser crash on hostile HTML is a rejection, not a failed run
        result.reject(source, f"HTML could not be parsed ({type(err).__name__}: {err})", len(data))
        return
    raw_text = normalise_text(record["raw_text"])
    if not raw_text.strip():
        result.reject(source, "no text left after removing control characters", len(data))
        return
    first_seen[doc_id] = source
    result.documents.append({"doc_id": doc_id, "source_path": source, "source_format": fmt,
                             "n_bytes": len(data), "encoding": encoding, **record, "raw_text": raw_text})


def ingest_jsonl(source: str, text: str, encoding: str, first_seen: dict[str, str],
                 result: IngestResult) -> None:
    """One document per good record; each malformed line is rejected on its own (`file#LINE`)."""
    lines = normalise_line_ends(text).split("\n")
    n_records = 0
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        n_records += 1
        record_source = f"{source}#{line_no}"
        line_bytes = line.encode("utf-8", "surrogatepass")
        doc_id = sha16(line_bytes)
        if doc_id in first_seen:
            result.reject(record_source, f"same bytes as {first_seen[doc_id]}", len(line_bytes), doc_id)
            continue
        try:
            record = jsonl_record_to_doc(line)
        except Unreadable as err:
            result.reject(record_source, f"line {line_no}: {err}", len(line_bytes))
            continue
        raw_text = normalise_text(record["raw_text"])
        if not raw_text.strip():
            result.reject(record_source, f"line {line_no}: no text left after removing control characters",
                          len(line_bytes))
            continue
        first_seen[doc_id] = record_source
        result.documents.append({"doc_id": doc_id, "source_path": record_source, "source_format": "jsonl",
                                 "n_bytes": len(line_bytes), "encoding": encoding, **record,
                                 "raw_text": raw_text})
    if n_records == 0:
        result.reject(source, "JSONL file with no records (only blank lines)", len(text.encode()))


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
    documents, rejected = to_frames(ingest_files(paths, params))
    write_table(documents, OUT_DIR / "documents.parquet", IngestDocuments, "ingest/documents",
                sort_by=["source_path"])
    write_table(rejected, OUT_DIR / "rejected.parquet", IngestRejected, "ingest/rejected",
                sort_by=["source_path"])
    log(STAGE, f"{len(paths)} input files -> {documents.height} documents, {rejected.height} rejected")


if __name__ == "__main__":
    run_stage(STAGE, main)
