"""aggregate.export: one row per article, Parquet with types, CSV and JSONL with lists joined."""
from __future__ import annotations

import datetime
import json

import polars as pl

from schemas.base import frame
from schemas.clean import CleanDocuments
from schemas.export import Export
from stages.aggregate.export import write_export

A, B = "a" * 16, "b" * 16


def upstream(tmp_path):
    data = tmp_path / "data"
    (data / "ingest").mkdir(parents=True)
    (data / "clean").mkdir()
    pl.DataFrame({"doc_id": [B, A], "source_path": ["in/b.txt", "in/a.jsonl#1"],
                  "meta_url": [None, "https://example.com/a"]}).write_parquet(data / "ingest" / "documents.parquet")
    clean = frame({"doc_id": [A, B], "title": ["=HYPERLINK(\"x\")", "Talks"], "subtitle": [None, None],
                   "authors": [["Jane Doe", "John Roe"], []], "published_date": [datetime.date(2024, 5, 19), None],
                   "site": ["example.com", None], "language": ["en", "en"],
                   "text": ["Officials met.\n\nIn Rome, \"they\" said.", "Other text."],
                   "is_truncated": [False, True],
                   "is_empty": [False, False], "body_line_nos": [[1], [1]], "title_line_no": [None, None],
                   "subtitle_line_no": [None, None], "n_lines": [3, 1], "n_removed": [0, 0],
                   "boilerplate_share": [0.0, 0.0]}, CleanDocuments)
    clean.write_parquet(data / "clean" / "documents.parquet")
    stories = pl.DataFrame({"doc_id": [A, B], "story_id": ["s1", "s2"], "relation": ["original", "unique"]})
    return data, stories


def test_export_has_one_row_per_article_in_three_formats(tmp_path):
    data, stories = upstream(tmp_path)
    out = tmp_path / "out"
    table = write_export(stories, data, out)
    assert table.columns == list(Export.to_schema().columns)
    assert table["path"].to_list() == ["in/a.jsonl#1", "in/b.txt"]
    parquet = pl.read_parquet(out / "export.parquet")
    assert parquet.equals(table) and parquet["authors"].to_list() == [["Jane Doe", "John Roe"], []]
    rows = [json.loads(line) for line in (out / "export.jsonl").read_text().splitlines()]
    assert rows[0]["authors"] == "Jane Doe; John Roe" and rows[0]["date"] == "2024-05-19"
    assert rows[0]["title"] == "=HYPERLINK(\"x\")" and rows[1]["url"] is None
    raw = (out / "export.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    csv = pl.read_csv(raw[3:])
    assert csv["title"].to_list() == ["'=HYPERLINK(\"x\")", "Talks"]   # never run as a formula
    assert csv["text"][0] == "Officials met.\n\nIn Rome, \"they\" said." and csv["story_id"].to_list() == ["s1", "s2"]


def test_export_is_byte_identical_across_runs(tmp_path):
    data, stories = upstream(tmp_path)
    write_export(stories, data, tmp_path / "one")
    write_export(stories.reverse(), data, tmp_path / "two")
    for name in ("export.parquet", "export.csv", "export.jsonl"):
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "two" / name).read_bytes()
