"""stages.common.cache: rows reused by key under a fingerprint, and one index table per fingerprint; damage,
tampering and full disks only cost time; pruning touches only what this project wrote."""
from __future__ import annotations

import os
from pathlib import Path

import polars as pl
import pytest

from stages.common.cache import (KEY_COLUMN, MAX_PARTS, IndexCache, RowsCache, document_keys, fingerprint,
                                 manifest_path, read_manifest)


@pytest.fixture(autouse=True)
def in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def lengths(calls: list[list[str]]):
    """A transform that records which keys it was asked for: one row per word, its length."""
    def compute(missing: pl.DataFrame) -> pl.DataFrame:
        calls.append(sorted(missing["text"].to_list()))
        return missing.select("text", pl.col("text").str.len_chars().cast(pl.Int64).alias("n"))
    return compute


def keys(*words: str) -> pl.DataFrame:
    return pl.DataFrame({"text": list(words)}, schema={"text": pl.String})


def test_second_run_computes_only_new_keys_and_returns_the_same_rows(tmp_path):
    calls: list[list[str]] = []
    cache = RowsCache(tmp_path / "c", "len", "f1", key=["text"])
    first, n_first = cache.run(keys("a", "bb"), lengths(calls))
    again, n_again = RowsCache(tmp_path / "c", "len", "f1", key=["text"]).run(keys("a", "bb", "ccc"), lengths(calls))
    assert (n_first, n_again) == (2, 1)
    assert calls == [["a", "bb"], ["ccc"]]
    assert again.sort("text").to_dicts() == [{"text": "a", "n": 1}, {"text": "bb", "n": 2}, {"text": "ccc", "n": 3}]
    assert first.columns == again.columns == ["text", "n"]


def test_a_key_without_rows_is_remembered(tmp_path):
    calls: list[list[str]] = []

    def nothing(missing):
        calls.append(missing["text"].to_list())
        return pl.DataFrame(schema={"text": pl.String, "n": pl.Int64})
    for _ in range(2):
        rows, _ = RowsCache(tmp_path, "none", "f", key=["text"]).run(keys("x"), nothing)
        assert rows.height == 0
    assert calls == [["x"]]


def test_another_fingerprint_never_sees_the_rows(tmp_path):
    calls: list[list[str]] = []
    RowsCache(tmp_path, "len", "f1", key=["text"]).run(keys("a"), lengths(calls))
    RowsCache(tmp_path, "len", "f2", key=["text"]).run(keys("a"), lengths(calls))
    assert calls == [["a"], ["a"]]


def test_document_rows_get_their_key_attached_by_the_cache(tmp_path):
    docs = pl.DataFrame({"doc_id": ["d1", "d2"], "text": ["one two", "three"]})
    doc_keys = document_keys(docs)

    def words(missing):
        part = docs.join(missing, on="doc_id", how="semi")
        return part.select("doc_id", pl.col("text").str.split(" ")).explode("text")
    cache = RowsCache(tmp_path, "words", "f", key=["doc_id", KEY_COLUMN], join_on=["doc_id"])
    rows, n = cache.run(doc_keys, words)
    assert n == 2 and rows.columns == ["doc_id", "text"] and rows.height == 3
    changed = document_keys(docs.with_columns(pl.when(pl.col("doc_id") == "d2").then(pl.lit("four"))
                                              .otherwise("text").alias("text")))
    rows, n = cache.run(changed, lambda missing: words(missing).with_columns(pl.lit("four").alias("text")))
    assert n == 1 and sorted(rows["text"].to_list()) == ["four", "one", "two"]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "edit", "directory", "unreadable"])
def test_a_damaged_or_tampered_part_is_recomputed_never_served(tmp_path, damage):
    calls: list[list[str]] = []
    RowsCache(tmp_path, "len", "f", key=["text"]).run(keys("a", "bb"), lengths(calls))
    (part,) = (tmp_path / "len-f").glob("part-*.parquet")
    if damage == "truncate":
        part.write_bytes(part.read_bytes()[:20])
    elif damage == "garbage":
        part.write_bytes(os.urandom(200))
    elif damage == "edit":   # a valid Parquet file with other rows, under the old name
        data = pl.DataFrame({"text": ["a", "bb"], "n": [9, 9], "_no_rows": [False, False]})
        data.write_parquet(part)
    elif damage == "directory":
        part.unlink()
        part.mkdir()
    else:
        part.chmod(0)
        if os.access(part, os.R_OK):   # root reads anything: make it unreadable another way
            part.unlink()
            part.mkdir()
    rows, n = RowsCache(tmp_path, "len", "f", key=["text"]).run(keys("a", "bb"), lengths(calls))
    assert n == 2 and sorted(rows["n"].to_list()) == [1, 2]


def test_a_cache_that_cannot_be_written_does_not_fail_the_run(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    rows, n = RowsCache(blocker, "len", "f", key=["text"]).run(keys("a"), lengths([]))
    assert n == 1 and rows["n"].to_list() == [1]
    assert "warning" in capsys.readouterr().err


def test_parts_are_merged_to_the_current_keys(tmp_path):
    for index in range(MAX_PARTS + 1):
        RowsCache(tmp_path, "len", "f", key=["text"]).run(keys(f"w{index}", "keep"), lengths([]))
    parts = list((tmp_path / "len-f").glob("part-*.parquet"))
    assert len(parts) == 1
    assert sorted(pl.read_parquet(parts[0])["text"].to_list()) == ["keep", f"w{MAX_PARTS}"]


def test_disabled_cache_writes_nothing(tmp_path):
    rows, n = RowsCache(tmp_path / "c", "len", "f", key=["text"], enabled=False).run(keys("a"), lengths([]))
    assert n == 1 and not (tmp_path / "c").exists()


def test_prune_keeps_recent_fingerprints_and_never_touches_other_projects(tmp_path, monkeypatch):
    root = tmp_path / "shared-cache"
    for name in ("f1", "f2", "f3"):
        RowsCache(root, "len", name, key=["text"]).run(keys("a"), lengths([]))
    # Another project's entry with the same name pattern, and a stranger's file.
    other = tmp_path / "other"
    other.mkdir()
    monkeypatch.chdir(other)
    RowsCache(root, "len", "theirs", key=["text"]).run(keys("a"), lengths([]))
    monkeypatch.chdir(tmp_path)
    (root / "len-stranger").mkdir()
    cache = RowsCache(root, "len", "f4", key=["text"], keep=2)
    cache.run(keys("a"), lengths([]))
    removed = cache.prune()
    assert sorted(removed) == ["len-f1", "len-f2"]
    assert sorted(p.name for p in root.iterdir() if not p.name.startswith(".")) == \
        ["len-f3", "len-f4", "len-stranger", "len-theirs"]
    assert read_manifest(root) == ["len-f3", "len-f4"]
    assert manifest_path(root).exists()


def test_an_empty_run_prunes_nothing(tmp_path):
    RowsCache(tmp_path, "len", "f1", key=["text"]).run(keys("a"), lengths([]))
    cache = RowsCache(tmp_path, "len", "f2", key=["text"], keep=1)
    cache.run(keys(), lengths([]))
    assert cache.prune() == [] and (tmp_path / "len-f1").exists()


def test_fingerprint_covers_every_file_params_without_run_only_keys_and_libraries(tmp_path):
    code = tmp_path / "pkg"
    code.mkdir()
    (code / "rules.py").write_text("x = 1")
    (code / "lexicon.dat").write_text("a")   # any suffix counts
    base = fingerprint("t", params={"a": 1, "cache_dir": "x"}, run_only=["cache_dir"], folders=[code])
    assert base == fingerprint("t", params={"a": 1, "cache_dir": "y"}, run_only=["cache_dir"], folders=[code])
    assert base != fingerprint("t", params={"a": 2, "cache_dir": "x"}, run_only=["cache_dir"], folders=[code])
    (code / "lexicon.dat").write_text("b")
    assert base != fingerprint("t", params={"a": 1, "cache_dir": "x"}, run_only=["cache_dir"], folders=[code])
    assert fingerprint("t", libraries=["polars"]) != fingerprint("t", libraries=["no-such-library"])
    assert Path(code / "rules.py").exists()


def test_a_fifo_or_link_planted_as_a_part_or_manifest_never_blocks_or_is_followed(tmp_path):
    calls: list[list[str]] = []
    RowsCache(tmp_path, "len", "f", key=["text"]).run(keys("a"), lengths(calls))
    (part,) = (tmp_path / "len-f").glob("part-*.parquet")
    part.unlink()
    os.mkfifo(part)
    outside = tmp_path / "outside.parquet"
    pl.DataFrame({"text": ["bb"], "n": [99], "_no_rows": [False]}).write_parquet(outside)
    (tmp_path / "len-f" / "part-0000.parquet").symlink_to(outside)
    for manifest in tmp_path.glob(".manifest-*.json"):
        manifest.unlink()
        os.mkfifo(manifest)
    cache = RowsCache(tmp_path, "len", "f", key=["text"])
    rows, n = cache.run(keys("a", "bb"), lengths(calls))   # returns: nothing blocks on a FIFO
    assert n == 2 and sorted(rows["n"].to_list()) == [1, 2]
    cache.prune()


def test_every_fingerprint_covers_the_shared_helpers_and_schemas(tmp_path, monkeypatch):
    import stages.common.cache as cache_module
    shared = tmp_path / "common"
    shared.mkdir()
    (shared / "helper.py").write_text("A = 1\n")
    monkeypatch.setattr(cache_module, "SHARED_FOLDERS", (shared,))
    before = fingerprint("x")
    (shared / "helper.py").write_text("A = 2\n")
    assert fingerprint("x") != before


def test_a_directory_in_place_of_a_part_is_removed_so_the_part_can_be_written_again(tmp_path):
    calls: list[list[str]] = []
    RowsCache(tmp_path, "len", "f", key=["text"]).run(keys("a"), lengths(calls))
    (part,) = (tmp_path / "len-f").glob("part-*.parquet")
    part.unlink()
    (part / "inside").mkdir(parents=True)
    RowsCache(tmp_path, "len", "f", key=["text"]).run(keys("a"), lengths(calls))
    rows, n = RowsCache(tmp_path, "len", "f", key=["text"]).run(keys("a"), lengths(calls))
    assert part.is_file() and n == 0 and rows["n"].to_list() == [1]


# ------------------------------------------------------------------------------------------ IndexCache

def test_an_index_is_read_back_as_stored_replaced_by_the_next_and_never_served_damaged(tmp_path):
    first, second = pl.DataFrame({"doc_id": ["a"], "n": [1]}), pl.DataFrame({"doc_id": ["a", "b"], "n": [1, 2]})
    cache = IndexCache(tmp_path, "idx", "f")
    assert cache.load() is None
    cache.store(first)
    assert IndexCache(tmp_path, "idx", "f").load().equals(first)
    assert IndexCache(tmp_path, "idx", "other").load() is None   # another fingerprint never sees it
    cache.store(second)
    (path,) = (tmp_path / "idx-f").glob("index-*.parquet")
    assert IndexCache(tmp_path, "idx", "f").load().equals(second)
    assert "idx-f" in read_manifest(tmp_path)
    first.write_parquet(path)   # a valid table under the other's name: edited, so never served
    assert IndexCache(tmp_path, "idx", "f").load() is None and not path.exists()
    path.mkdir()
    assert IndexCache(tmp_path, "idx", "f").load() is None and not path.exists()


def test_a_disabled_or_unwritable_index_costs_only_time(tmp_path, capsys):
    table = pl.DataFrame({"n": [1]})
    disabled = IndexCache(tmp_path / "c", "idx", "f", enabled=False)
    disabled.store(table)
    assert disabled.load() is None and not (tmp_path / "c").exists()
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    IndexCache(blocker, "idx", "f").store(table)
    assert IndexCache(blocker, "idx", "f").load() is None and "warning" in capsys.readouterr().err


def test_an_index_prunes_its_older_fingerprints(tmp_path):
    for name in ("f1", "f2"):
        cache = IndexCache(tmp_path, "idx", name)
        cache.store(pl.DataFrame({"n": [1]}))
    assert cache.prune() == ["idx-f1"] and not (tmp_path / "idx-f1").exists() and (tmp_path / "idx-f2").is_dir()
