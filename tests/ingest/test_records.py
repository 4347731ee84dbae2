"""One file's bytes to items, and the batch task over files: pure, no path, no other file."""
from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime

import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

from stages.common import sha16
from stages.common.dates import DATE_FORMATS
from stages.ingest import records
from tests.shipped_params import shipped

PARAMS = shipped("ingest")


def test_file_items_of_text_html_and_jsonl():
    data = b"Officials met in Rome on Sunday.\r\n"
    (text,) = records.file_items(data, "txt", PARAMS)
    assert (text["reason"], text["dedupe_key"], text["raw_text"]) == (None, sha16(data), data.decode()[:-2] + "\n")
    (page,) = records.file_items(b"<html><body><p>Officials met in Rome.</p></body></html>", "html", PARAMS)
    assert page["source_format"] == "html" and page["raw_text"] == "Officials met in Rome."
    lines = [json.dumps({"text": "One."}), "{bad", ""]
    good, bad = records.file_items("\n".join(lines).encode(), "jsonl", PARAMS)
    assert (good["suffix"], good["dedupe_key"]) == ("#1", sha16(lines[0].encode()))
    assert bad["suffix"] == "#2" and bad["reason"].startswith("line 2: not valid JSON")
    assert bad["dedupe_key"] == sha16(b"{bad")   # a copy of a bad line elsewhere is still "same bytes as"


@pytest.mark.parametrize("data, fmt, reason", [
    (b" \n\t", "txt", "contains only whitespace"), (b"\x00\x01\x02" * 10, "txt", "binary"),
    (b"\n\n", "jsonl", "contains only whitespace")
])
def test_file_items_rejections(data, fmt, reason):
    (item,) = records.file_items(data, fmt, PARAMS)
    assert reason in item["reason"] and item["n_bytes"] == len(data)


def test_file_rows_is_frames_in_frames_out():
    data = [b"First text.", "\n".join([json.dumps({"text": "A."}), json.dumps({"text": "B."})]).encode()]
    files = pl.DataFrame({"file_sha256": [hashlib.sha256(d).hexdigest() for d in data],
                          "file_format": ["txt", "jsonl"], "data": data})
    rows = records.file_rows(PARAMS, files)
    assert rows.schema == pl.Schema(records.FILE_ROWS_SCHEMA)
    assert rows.select("file_format", "item_no", "suffix").rows() == [("txt", 0, ""), ("jsonl", 0, "#1"),
                                                                     ("jsonl", 1, "#2")]
    assert records.file_rows(PARAMS, files.head(0)).schema == rows.schema


def test_item_columns_come_from_the_documents_model():
    from schemas.base import polars_schema
    from schemas.ingest import IngestDocuments
    documents = polars_schema(IngestDocuments)
    assert list(records.DOCUMENT_FIELDS) == list(documents)[2:]
    assert all(records.ITEM_SCHEMA[name] == documents[name] for name in records.DOCUMENT_FIELDS)


# -------------------------------------------------------------------------------------- date shortcut

def parse_date_every_format(value):
    """parse_date before the shortcut: every format is tried."""
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


DATE_PIECES = ["2024", "1987", "07", "7", " 7", "28", "31", "-", "/", " ", ", ", ":", ".", "79", "FEB", "Feb",
               "february", "July", "Sun", "+0000", "Z", "T", "x", "\u0662\u0660\u0662\u0664", "\xa0"]


FORMATTED_DATES = st.tuples(st.datetimes(), st.sampled_from(DATE_FORMATS)).map(
    lambda date_and_format: date_and_format[0].strftime(date_and_format[1]))


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(DATE_PIECES), max_size=12).map("".join), FORMATTED_DATES,
                 st.text(max_size=20)))
def test_parse_date_is_unchanged_by_skipping_numeric_formats(text):
    assert records.parse_date(text) == parse_date_every_format(text)


@pytest.mark.parametrize("text,iso", [("26-FEB-1987 15:01:01.79", "1987-02-26"), ("2024/07/28", "2024-07-28"),
                                      ("2024-07-28T10:00:00Z", "2024-07-28"), ("28 July 2024", "2024-07-28"),
                                      ("Sun, 28 Jul 2024 10:00:00 +0000", "2024-07-28"), ("2024/7/x", None)])
def test_parse_date_examples(text, iso):
    assert records.parse_date(text) == iso


def test_the_batch_task_can_be_shipped_to_another_process():
    import pickle
    from functools import partial
    files = pl.DataFrame({"file_sha256": ["0" * 64], "file_format": ["txt"], "data": [b"Officials met in Rome."]})
    task = partial(records.file_rows, PARAMS)
    assert pickle.loads(pickle.dumps(task))(files).equals(task(files))
