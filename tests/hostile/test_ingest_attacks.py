"""Hostile inputs of issue 21 against ingest: each one ends in a document or a `rejected` row with its
reason, and never stops the other inputs from being ingested."""
from __future__ import annotations

import errno
import json
import os
import shutil
from pathlib import Path

import polars as pl
import pytest

import stages.ingest.__main__ as stage
from schemas.ingest import IngestDocuments, IngestRejected
from tests.shipped_params import shipped

PARAMS = shipped("ingest", {"input_dir": "in", "max_bytes": 10_000, "cache": False})
GOOD = b"Senior officials met in Rome on Sunday to discuss a truce in Gaza.\n"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """An input folder `in/` with one good article, the working directory its parent."""
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "in"
    root.mkdir()
    (root / "good.txt").write_bytes(GOOD)
    return root


def ingest(entries=None) -> tuple[pl.DataFrame, pl.DataFrame]:
    entries = stage.list_inputs(Path("in")) if entries is None else entries
    documents, rejected, _ = stage.ingest_files(entries, PARAMS, stage.rows_cache(PARAMS))
    return IngestDocuments.validate(documents), IngestRejected.validate(rejected)


def reasons(rejected: pl.DataFrame) -> dict[str, str]:
    return dict(rejected.select("source_path", "reason").iter_rows())


def test_a_5000_digit_number_rejects_nothing_else(folder):
    (folder / "feed.jsonl").write_text(
        '{"text": "Officials met in Rome to talk about the truce.", "n": ' + "1" * 5000 + "}\n"
        '{"text": "Another record about the talks in Rome.", "n": 12}\n')
    docs, rejected = ingest()
    # The number is in a field nobody reads: the record is kept (the digits stay text), and so is the rest.
    assert set(docs["source_path"]) == {"in/good.txt", "in/feed.jsonl#1", "in/feed.jsonl#2"}
    assert rejected.height == 0


def test_a_huge_number_in_the_text_field_is_a_rejection(folder):
    (folder / "feed.jsonl").write_text('{"text": ' + "9" * 5000 + "}\n")
    docs, rejected = ingest()
    assert docs["source_path"].to_list() == ["in/good.txt"]
    assert "no non-empty text field" in reasons(rejected)["in/feed.jsonl#1"]


@pytest.mark.parametrize("field", ["title", "author", "site", "url", "description"])
def test_lone_surrogate_escapes_in_metadata(folder, field):
    record = '{"text": "Officials met in Rome.", "%s": "x\\udc80y\\ud800"}' % field
    (folder / "feed.jsonl").write_text(record + "\n")
    docs, rejected = ingest()
    assert rejected.height == 0 and docs.height == 2
    row = docs.filter(pl.col("source_path") == "in/feed.jsonl#1").row(0, named=True)
    column = {"author": "meta_authors", "description": "meta_description"}.get(field, f"meta_{field}")
    value = row[column][0] if field == "author" else row[column]
    assert value == "x\ufffdy\ufffd"


def test_a_file_name_that_is_not_utf8(folder):
    with open(os.fsencode(folder) + b"/bad\xffname.txt", "wb") as fh:
        fh.write(b"Other officials met in Paris on Monday to discuss the truce.\n")
    with open(os.fsencode(folder) + b"/bad\xfe.bin", "wb") as fh:
        fh.write(b"x")
    docs, rejected = ingest()
    assert set(docs["source_path"]) == {"in/good.txt", "in/bad\\xffname.txt"}
    assert "unsupported format" in reasons(rejected)["in/bad\\xfe.bin"]


def test_control_characters_in_a_file_name_stay_in_its_path_and_names_never_collide(folder):
    (folder / "evil\x1b[2J\u202ename.txt").write_bytes(b"Officials met in Oslo on Friday to talk.\n")
    (folder / "bad\\xffname.txt").write_bytes(b"Officials met in Bern on Friday to talk.\n")   # a literal \xff
    with open(os.fsencode(folder) + b"/bad\xffname.txt", "wb") as fh:
        fh.write(b"Other officials met in Paris on Monday to discuss the truce.\n")
    docs, _ = ingest()
    # source_path is the path (the contract); the report escapes HTML, terminal messages escape controls
    assert "in/evil\x1b[2J\u202ename.txt" in set(docs["source_path"])
    assert {"in/bad\\xffname.txt", "in/bad\\xffname.txt (name bytes 626164ff6e616d652e747874)"} <= \
        set(docs["source_path"])
    assert stage.printable("in/evil\x1b[2J\u202e") == "in/evil\\u001b[2J\\u202e"


def _deny(monkeypatch, name: str) -> None:
    """os.open fails with EACCES for `name` (the tests run as root, for whom chmod 000 changes nothing)."""
    real_open = os.open

    def fake_open(path, flags, *args, **kwargs):
        if os.fsdecode(path) == name or os.fsdecode(path).endswith("/" + name):
            raise PermissionError(errno.EACCES, "Permission denied", path)
        return real_open(path, flags, *args, **kwargs)
    monkeypatch.setattr(os, "open", fake_open)


def test_a_file_that_cannot_be_read(folder, monkeypatch):
    (folder / "secret.txt").write_bytes(b"Officials met in Oslo on Friday to talk.\n")
    _deny(monkeypatch, "secret.txt")
    docs, rejected = ingest()
    assert docs["source_path"].to_list() == ["in/good.txt"]
    assert reasons(rejected)["in/secret.txt"] == "cannot be read: permission denied"


def test_a_folder_that_cannot_be_read_is_a_rejection_not_a_silent_gap(folder, monkeypatch):
    (folder / "locked").mkdir()
    (folder / "locked" / "a.txt").write_bytes(b"Officials met in Oslo on Friday to talk.\n")
    _deny(monkeypatch, "locked")
    docs, rejected = ingest()
    assert docs["source_path"].to_list() == ["in/good.txt"]
    assert reasons(rejected)["in/locked"].startswith("folder cannot be read (permission denied)")


def test_a_file_deleted_between_listing_and_reading(folder):
    (folder / "gone.txt").write_bytes(b"Officials met in Oslo on Friday to talk.\n")
    entries = stage.list_inputs(Path("in"))
    (folder / "gone.txt").unlink()
    docs, rejected = ingest(entries)
    assert docs["source_path"].to_list() == ["in/good.txt"]
    assert "disappeared between listing and reading" in reasons(rejected)["in/gone.txt"]


def test_a_folder_swapped_for_a_link_after_listing_is_never_followed(folder, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.txt").write_bytes(b"SECRET outside the input folder, never to be read.\n")
    (folder / "sub").mkdir()
    (folder / "sub" / "a.txt").write_bytes(b"Officials met in Oslo on Friday to talk.\n")
    entries = stage.list_inputs(Path("in"))
    shutil.rmtree(folder / "sub")
    (folder / "sub").symlink_to(outside, target_is_directory=True)
    docs, rejected = ingest(entries)
    assert not docs["raw_text"].str.contains("SECRET").any()
    assert "replaced by a link" in reasons(rejected)["in/sub/a.txt"]


def test_a_file_swapped_for_a_link_or_fifo_after_listing(folder, tmp_path):
    (tmp_path / "outside.txt").write_bytes(b"SECRET outside the input folder.\n")
    (folder / "a.txt").write_bytes(b"Officials met in Oslo on Friday to talk.\n")
    (folder / "b.txt").write_bytes(b"Officials met in Bern on Friday to talk.\n")
    entries = stage.list_inputs(Path("in"))
    (folder / "a.txt").unlink()
    (folder / "a.txt").symlink_to(tmp_path / "outside.txt")
    (folder / "b.txt").unlink()
    os.mkfifo(folder / "b.txt")
    docs, rejected = ingest(entries)   # returns: the FIFO is never opened for reading
    assert docs["source_path"].to_list() == ["in/good.txt"]
    assert "symbolic link" in reasons(rejected)["in/a.txt"]
    assert "FIFO" in reasons(rejected)["in/b.txt"]


def test_a_file_grown_past_the_limit_after_listing(folder):
    (folder / "big.txt").write_bytes(b"Officials met.\n")
    entries = stage.list_inputs(Path("in"))
    (folder / "big.txt").write_bytes(b"word " * 5000)
    _, rejected = ingest(entries)
    assert "file too large" in reasons(rejected)["in/big.txt"]


def test_control_characters_and_bidi_in_metadata_are_stripped(folder):
    record = {"text": "Officials met in Rome.", "title": "Ti\x00t\x1b[31mle\x07 \u202ereversed\u202c",
              "author": ["Jane\x1b]0;pwned\x07 Doe", "\x00"], "site": "news\nsite"}
    (folder / "feed.jsonl").write_text(json.dumps(record) + "\n")
    docs, _ = ingest()
    row = docs.filter(pl.col("source_path") == "in/feed.jsonl#1").row(0, named=True)
    assert (row["meta_title"], row["meta_authors"], row["meta_site"]) == \
        ("Title reversed", ["Jane Doe"], "news site")


def test_every_attack_at_once_loses_nothing(folder, monkeypatch):
    (folder / "n.jsonl").write_text('{"text": "Officials met in Rome.", "n": ' + "1" * 5000 + "}\n")
    (folder / "s.jsonl").write_text('{"text": "Officials met in Bonn.", "title": "\\udc80"}\n')
    with open(os.fsencode(folder) + b"/\xff.txt", "wb") as fh:
        fh.write(b"Officials met in Paris on Monday.\n")
    (folder / "denied.txt").write_bytes(b"Officials met in Oslo.\n")
    (folder / "crlf.txt").write_bytes(b"Hi there.\r\nBye now.\r\n")
    (folder / "cr.txt").write_bytes(b"Hi all.\rBye all.\r")
    _deny(monkeypatch, "denied.txt")
    entries = stage.list_inputs(Path("in"))
    docs, rejected = ingest(entries)
    assert docs.height + rejected.height == len(entries)
    assert set(rejected["source_path"]) == {"in/denied.txt"}
    assert docs.filter(pl.col("source_path") == "in/crlf.txt")["raw_text"].to_list() == ["Hi there.\nBye now.\n"]


def test_a_run_with_no_document_stops_and_keeps_outputs_and_caches(tmp_path, monkeypatch):
    import subprocess
    import sys

    import yaml

    from tests.shipped_params import SHIPPED_PARAMS
    root = Path(__file__).resolve().parents[2]
    params = yaml.safe_load(SHIPPED_PARAMS.read_text())
    params["ingest"].update(input_dir="in", cache_dir=str(tmp_path / "cache"))
    (tmp_path / "params.yaml").write_text(yaml.safe_dump(params))
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_bytes(GOOD)

    def run() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "stages.ingest"], cwd=tmp_path, capture_output=True,
                              text=True, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"}, timeout=120)
    assert run().returncode == 0
    outputs = {p: p.read_bytes() for p in (tmp_path / "data" / "ingest").glob("*.parquet")}
    cached = sorted(p.name for p in (tmp_path / "cache").rglob("*"))
    (tmp_path / "in" / "a.txt").write_bytes(b"")
    result = run()
    assert result.returncode == 1
    assert "no document could be ingested from 'in'" in result.stderr and "in/a.txt: empty file" in result.stderr
    assert {p: p.read_bytes() for p in outputs} == outputs
    assert sorted(p.name for p in (tmp_path / "cache").rglob("*")) == cached
