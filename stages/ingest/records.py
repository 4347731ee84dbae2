"""One input file's bytes to candidate rows: documents and rejections, with no path in them.

`file_items` is a pure function of a file's bytes and format (so its result can be cached): plain text,
HTML through stages/ingest/html.py (its visible text with extractor votes; title, date, authors kept as
`meta_*`), or JSONL with one document per good
record and one rejection per malformed line. `file_rows` applies it to a batch of files (the stage's
executor task). The cross-file step (paths, duplicates) is in `__main__`.
"""
from __future__ import annotations

import json
import re
from typing import Any

import polars as pl
from ftfy.fixes import fix_surrogates

from schemas.base import polars_schema
from schemas.ingest import IngestDocuments
from schemas.params import Ingest
from stages.common import dates, progress, sha16
from stages.ingest.decode import Unreadable, decode_bytes, normalise_line_ends, normalise_text
from stages.ingest.html import HTML_DEFAULTS, html_to_record


def parse_date(value: Any) -> str | None:
    """An ISO date string for what a feed or page gives, or None when it cannot be read (the shared parser,
    stages.common.dates.parse_date)."""
    date = dates.parse_date(value)
    return date.isoformat() if date is not None else None


# ----------------------------------------------------------------------------------------- formats

def empty_meta() -> dict[str, Any]:
    return {**HTML_DEFAULTS, "meta_title": None, "meta_description": None, "meta_authors": [], "meta_date": None,
            "meta_site": None, "meta_url": None}


# Digits an integer in a JSONL record may have: Python refuses to convert longer ones (4,300), which made
# one such number fail the whole stage. A longer number is kept as its digits (text); no field we read is one.
MAX_INT_DIGITS = 4000
# Characters no metadata string keeps (on the way in, so titles, the report and the terminal never see
# them): C0/C1 controls (NUL, ESC, BEL, ...; tab and newline become spaces first) and the invisible bidi
# controls that reorder text (U+202A-U+202E, U+2066-U+2069, U+200E, U+200F); a terminal escape sequence
# (ESC [ 31 m: colours, cursor moves, window titles) goes whole.
META_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
TERMINAL_ESCAPES = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])")
META_SPACES = re.compile(r"[\t\n\r\u2028\u2029]+")


class LongNumber(str):
    """The digits of a JSON integer too long to convert: a number still, never read as a text field."""


def _int_or_digits(digits: str) -> int | str:
    return int(digits) if len(digits.lstrip("-")) <= MAX_INT_DIGITS else LongNumber(digits)


def parse_jsonl_line(line: str) -> Any:
    try:
        return json.loads(line, parse_int=_int_or_digits)
    except (json.JSONDecodeError, RecursionError) as err:
        msg = err.msg if isinstance(err, json.JSONDecodeError) else "nested too deeply"
        raise Unreadable(f"not valid JSON ({msg})") from None
    except ValueError as err:   # any other refusal of the decoder (a number it cannot hold, ...)
        raise Unreadable(f"not valid JSON ({str(err)[:120]})") from None


def first_field(record: dict[str, Any], names: list[str], text_only: bool = True) -> Any:
    """The value of the first of `names` the record has with a usable value (a non-blank string; for
    authors a list too), or None."""
    for name in names:
        value = record.get(name)
        if isinstance(value, str) and not isinstance(value, LongNumber) and value.strip():
            return value
        if not text_only and isinstance(value, list) and value:
            return value
    return None


def jsonl_record_to_doc(line: str, fields: Any) -> dict[str, Any]:
    """One JSONL line to a document's text and metadata, or Unreadable with the reason. `fields`
    (`ingest.jsonl_fields`) names, for each of our fields, the record's keys tried in order, so the JSON of
    news-please (`maintext`, `date_publish`) or trafilatura (`text`, `source`) is read as it is."""
    record = parse_jsonl_line(line)
    if not isinstance(record, dict):
        raise Unreadable(f"a JSON {type(record).__name__}, not an object with a text field")
    body = first_field(record, fields.text)
    if body is None:
        names = ", ".join(f"'{name}'" for name in fields.text)
        raise Unreadable(f"record has no non-empty text field (tried {names}: ingest.jsonl_fields.text)")
    authors = first_field(record, fields.authors, text_only=False)
    authors = [authors] if isinstance(authors, str) else authors or []
    cleaned_authors = [meta_text(a) for a in authors if isinstance(a, str) and not isinstance(a, LongNumber)]
    return {
        "raw_text": body,
        "meta_title": meta_text(first_field(record, fields.title)),
        "meta_description": meta_text(first_field(record, fields.description)),
        "meta_authors": [a for a in cleaned_authors if a],
        "meta_date": parse_date(first_field(record, fields.date)),
        "meta_site": meta_text(first_field(record, fields.site)),
        "meta_url": meta_text(first_field(record, fields.url)),
    }


def meta_text(value: Any) -> str | None:
    """A metadata string, or None: stripped, line breaks and tabs as one space, control and bidi
    characters removed (META_CONTROLS). A JSON escape such as "\\ud800" gives a lone surrogate, which no
    table can hold: it becomes U+FFFD, as ftfy makes it in the text."""
    if not isinstance(value, str):
        return None
    value = META_CONTROLS.sub("", TERMINAL_ESCAPES.sub("", META_SPACES.sub(" ", fix_surrogates(value))))
    return " ".join(value.split()) or None


def clean_meta(record: dict[str, Any]) -> dict[str, Any]:
    """The record with every metadata string through `meta_text` (HTML's as well as JSONL's)."""
    cleaned = {key: meta_text(value) if key.startswith("meta_") and key != "meta_authors" else value
               for key, value in record.items()}
    authors = [meta_text(author) for author in record.get("meta_authors") or []]
    return {**cleaned, "meta_authors": [author for author in authors if author]}


# ------------------------------------------------------------------------------------ one file, pure

# A file's candidate rows ("items"): a document when `reason` is None, else a rejection. `suffix` follows
# the file's source_path ("" or "#LINE"). `dedupe_key` is the doc_id of bytes that the cross-file step
# checks for copies (set once a file or record got that far, as in a sequential read), else None. The
# document fields are the columns of `IngestDocuments` after doc_id and source_path, with its dtypes.
DOCUMENT_FIELDS = {name: dtype for name, dtype in polars_schema(IngestDocuments).items()
                   if name not in ("doc_id", "source_path")}
ITEM_SCHEMA = {"suffix": pl.String, "reason": pl.String, "dedupe_key": pl.String, **DOCUMENT_FIELDS}
Item = dict[str, Any]


def rejection_item(reason: str, n_bytes: int | None, suffix: str = "", dedupe_key: str | None = None) -> Item:
    return {"suffix": suffix, "reason": reason, "dedupe_key": dedupe_key, "n_bytes": n_bytes,
            "source_format": None, "encoding": None, "raw_text": None, **empty_meta()}


def document_item(record: dict[str, Any], doc_id: str, fmt: str, n_bytes: int, encoding: str,
                  suffix: str = "") -> Item:
    return {"suffix": suffix, "reason": None, "dedupe_key": doc_id, "n_bytes": n_bytes,
            "source_format": fmt, "encoding": encoding, **HTML_DEFAULTS, **record}


# The key of a file's rows: the SHA-256 of its bytes and its format (its path is attached afterwards).
FILE_KEY = ["file_sha256", "file_format"]
FILE_ROWS_SCHEMA = {"file_sha256": pl.String, "file_format": pl.String, "item_no": pl.Int64, **ITEM_SCHEMA}


def file_rows(params: Ingest, files: pl.DataFrame) -> pl.DataFrame:
    """The batch task: the items of every file of `files` (`file_sha256`, `file_format`, `data`), one row
    each, numbered in file order (`item_no`) and carrying the file's key. Frames in, a frame out."""
    rows = []
    batch = files.select(*FILE_KEY, "data").iter_rows()
    for sha256, fmt, data in progress(batch, "ingest", "files", total=files.height):
        for item_no, item in enumerate(file_items(data, fmt, params)):
            rows.append({"file_sha256": sha256, "file_format": fmt, "item_no": item_no, **item})
    return pl.DataFrame(rows, schema=FILE_ROWS_SCHEMA)


def file_items(data: bytes, fmt: str, params: Ingest) -> list[Item]:
    """Everything one readable file gives, from its bytes and format only (no path, no other file)."""
    try:
        text, encoding = decode_bytes(data, params.max_control_share)
    except Unreadable as err:
        return [rejection_item(str(err), len(data))]
    if not text.strip():
        return [rejection_item("contains only whitespace", len(data))]
    if fmt == "jsonl":
        return jsonl_items(text, encoding, params.jsonl_fields)
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
    return [document_item({**clean_meta(record), "raw_text": raw_text}, doc_id, fmt, len(data), encoding)]


def jsonl_items(text: str, encoding: str, fields: Any) -> list[Item]:
    """One document per good record; each malformed line is rejected on its own (`file#LINE`)."""
    items: list[Item] = []
    for line_no, line in enumerate(normalise_line_ends(text).split("\n"), start=1):
        if not line.strip():
            continue
        suffix = f"#{line_no}"
        line_bytes = line.encode("utf-8", "surrogatepass")
        doc_id = sha16(line_bytes)
        try:
            record = jsonl_record_to_doc(line, fields)
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
