"""The report's "This run" block (stages/aggregate/changes.py): the snapshot, what changed since the previous
run (documents added, removed, changed; stories new or grown), a first run, and the stage end to end: the
block is the only part of report.html that differs between two builds, and it is printed in the log."""
from __future__ import annotations

import json

import polars as pl

from stages.aggregate.changes import (SNAPSHOT_SCHEMA, build_snapshot, compare, content_hashes, input_counts,
                                      read_snapshot, snapshot_path, write_snapshot)
from stages.aggregate.report import RUN_BEGIN, RUN_END, normalise_run_block
from tests.aggregate.test_main import load_main, make_project
from tests.aggregate.test_report import render
from tests.aggregate.tiny_corpus import build_tiny_corpus


def snap(rows: list[tuple[str, str, str, str]]) -> pl.DataFrame:
    """(doc_id, path, content_hash, story_id) rows."""
    return pl.DataFrame(rows, schema=SNAPSHOT_SCHEMA, orient="row")


BEFORE = snap([("d1", "a.txt", "h1", "s1"), ("d2", "b.txt", "h2", "s1"), ("d3", "c.txt", "h3", "s3"),
               ("d4", "gone.txt", "h4", "s4"), ("d5", "e.txt", "h5", "s5")])


def test_first_run():
    changes = compare(None, BEFORE)
    assert changes.first_run and changes.line() == "no previous run on this machine"


def test_nothing_changed():
    changes = compare(BEFORE, BEFORE)
    assert not changes.first_run and changes.nothing
    assert changes.line() == "nothing changed since the previous run"


def test_added_removed_changed_new_and_grown():
    now = snap([("d1", "a.txt", "h1", "s1"), ("d2", "b.txt", "h2", "s1"),
                ("d6", "copy-of-a.txt", "h6", "s1"),       # joins story s1: grown by 1
                ("d7", "c.txt", "h7", "s3"),               # c.txt's bytes changed: changed, its story not grown
                ("d5", "e.txt", "h5-other", "s5"),         # same bytes, cleaned differently
                ("d8", "new.txt", "h8", "s8")])            # a new file and story
    changes = compare(BEFORE, now)
    assert changes.added == ["copy-of-a.txt", "new.txt"]
    assert changes.removed == ["gone.txt"]
    assert changes.changed == [("c.txt", "new bytes"), ("e.txt", "same bytes, cleaned differently")]
    assert changes.new_stories == ["s8"]
    assert changes.grown_stories == [("s1", 1)]
    assert changes.line() == "since the previous run: 2 added, 1 removed, 2 changed; 1 new stories, 1 grown"


def test_stories_merged_from_two_continue_the_one_most_of_their_documents_were_in_ties_the_smallest_id():
    current = snap([("d1", "a.txt", "h1", "m"), ("d2", "b.txt", "h2", "m"), ("d3", "c.txt", "h3", "m"),
                    ("d4", "gone.txt", "h4", "t"), ("d5", "e.txt", "h5", "t"), ("d9", "new.txt", "h9", "n")])
    changes = compare(BEFORE, current)
    # m: two documents of s1, one of s3 -> continues s1, gained 1; t: one of s4, one of s5 -> s4 (tie), gained 1
    assert changes.new_stories == ["n"] and changes.grown_stories == [("m", 1), ("t", 1)]


def test_a_story_renamed_by_a_new_original_still_counts_as_grown():
    # A new, earlier document becomes the story's original, and the story id follows it.
    now = snap([("d0", "z.txt", "h0", "s0"), ("d1", "a.txt", "h1", "s0"), ("d2", "b.txt", "h2", "s0")])
    changes = compare(BEFORE.head(2), now)
    assert changes.new_stories == [] and changes.grown_stories == [("s0", 1)]


def test_an_edited_file_that_joins_another_story_grows_it():
    now = snap([("d1", "a.txt", "h1", "s1"), ("d2", "b.txt", "h2", "s1"), ("d9", "c.txt", "h9", "s1"),
                ("d4", "gone.txt", "h4", "s4"), ("d5", "e.txt", "h5", "s5")])
    changes = compare(BEFORE, now)
    assert changes.changed == [("c.txt", "new bytes")] and changes.grown_stories == [("s1", 1)]
    assert changes.new_stories == []


def test_snapshot_round_trip_and_damaged_snapshots(tmp_path):
    path = tmp_path / "cache" / "run-x.json"
    assert read_snapshot(path) is None                   # no file: a first run
    assert write_snapshot(BEFORE, path) is None
    assert read_snapshot(path).equals(BEFORE)
    for damaged in (b"", b"{not json", b"\xff\xfe", json.dumps({"version": 99, "documents": []}).encode(),
                    json.dumps({"version": 1, "documents": [[1, 2, 3, 4]]}).encode()):
        path.write_bytes(damaged)
        assert read_snapshot(path) is None
    path.unlink()
    path.mkdir()                                          # a directory in its place
    assert read_snapshot(path) is None
    assert write_snapshot(BEFORE, path) is not None       # a warning, never an exception


def test_snapshot_of_the_tables():
    t = build_tiny_corpus()
    snapshot = build_snapshot(t["ingest_docs"], content_hashes(t["clean_docs"]), t["stories"])
    assert snapshot.columns == ["doc_id", "path", "content_hash", "story_id"]
    assert snapshot["path"].to_list() == ["seeds/a.txt", "seeds/b.txt", "seeds/c.txt"]
    assert snapshot["content_hash"].null_count() == 0 and snapshot["content_hash"].n_unique() == 3
    assert input_counts(t["ingest_docs"], t["rejected"]) == {"files": 2 + 2, "documents": 3, "rejected": 1}
    jsonl = pl.DataFrame({"source_path": ["feed.jsonl#1", "feed.jsonl#2", "a.txt"]})
    assert input_counts(jsonl, jsonl.head(0))["files"] == 2


def test_the_run_block_in_the_page():
    t = build_tiny_corpus()
    now = build_snapshot(t["ingest_docs"], content_hashes(t["clean_docs"]), t["stories"])
    before = now.filter(pl.col("path") != "seeds/b.txt")
    run = {"input_dir": "seeds", "counts": input_counts(t["ingest_docs"], t["rejected"]),
           "changes": compare(before, now)}
    page = render(t, run=run)
    block = page[page.index(RUN_BEGIN):page.index(RUN_END)]
    assert "Input folder <code>seeds</code>: 4 files read, 3 documents, 1 rejected." in block
    assert '1 added: <a href="#doc-bbbbbbbbbbbbbbbb">seeds/b.txt</a>' in block
    assert '1 story grown: <a href="#story-s-a">Talks in Rome (2 documents)</a> (+1)' in block
    assert "Built" not in block   # no time given, none shown
    timed = render(t, run={**run, "built_at": "2024-05-19 10:00:00 UTC"})
    assert "Built 2024-05-19 10:00:00 UTC." in timed[timed.index(RUN_BEGIN):timed.index(RUN_END)]
    first = render(t, run={**run, "changes": compare(None, now)})
    assert "no previous run on this machine" in first
    assert normalise_run_block(first) == normalise_run_block(page)


def test_stage_says_what_changed_and_only_the_run_block_differs(tmp_path, monkeypatch, capsys):
    corpus = make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    stage = load_main(monkeypatch, corpus)
    report = tmp_path / "data/aggregate/report.html"
    stage.main()
    first = report.read_text()
    assert "what changed: no previous run on this machine" in capsys.readouterr().err
    assert "no previous run on this machine" in first and snapshot_path(".cache/aggregate").exists()
    stage.main()
    second = report.read_text()
    assert "what changed: nothing changed since the previous run" in capsys.readouterr().err
    assert "nothing since the previous run" in second
    assert first != second and normalise_run_block(first) == normalise_run_block(second)
