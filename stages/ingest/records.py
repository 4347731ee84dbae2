"""One input file's bytes to candidate rows: documents and rejections, with no path in them.

`file_items` is a pure function of a file's bytes and format (so its result can be cached): plain text,
HTML through stages/ingest/html.py (its visible text with extractor votes; title, date, authors kept as
`meta_*`), or JSONL with one document per good
record and one rejection per malformed line. `file_rows` applies it to a batch of files (the stage's
executor task). The cross-file step (paths, duplicates) is in `__main__`.
"""
from __future__ import annotations

import json
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
        "meta_authors": [fix_surrogates(a) for a in (authors or []) if isinstance(a, str) and a.strip()],
        "meta_date": parse_date(record.get("date", record.get("published_date"))),
        "meta_site": str_or_none(record.get("site")),
        "meta_url": str_or_none(record.get("url")),
    }


def str_or_none(value: Any) -> str | None:
    """A metadata string of a record, stripped, or None. A JSON escape such as "\\ud800" gives a lone
    surrogate, which no table can hold: it becomes U+FFFD, as ftfy makes it in the text."""
    return fix_surrogates(value.strip()) or None if isinstance(value, str) else None


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
