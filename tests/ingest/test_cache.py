"""ingest's rows cache (stages.common.cache, keyed by each file's bytes and format): faster reruns, never a
different result; copies across files and paths are decided after it, on the driver."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pytest

import stages.ingest.__main__ as stage
from tests.shipped_params import params_yaml, shipped

LINE = json.dumps({"text": "Officials met in Rome on Sunday.", "title": "Rome"})
MESSY = b"Fish &amp; chips \xe2\x80\x9cquoted\xe2\x80\x9d\r\nCaf\xc3\x83\xc2\xa9 line two\x07\n"  # ftfy's work
FILES = {
    "a.txt": MESSY,
    "b.jsonl": "\n".join([LINE, "{broken", json.dumps({"text": "Plain ascii record."}), LINE]).encode(),
    "c.txt": LINE.encode(),                      # same bytes as b.jsonl line 1: a copy across files
    "d.txt": MESSY,                              # same bytes as a.txt
    "e.html": b"<html><body><p>Officials met in Rome on Sunday to talk about a truce.</p></body></html>",
    "f.txt": b" \n ",
    "g.doc": b"not a known format",
}
N_READ = 6  # files whose bytes are read (all but g.doc), so the number a warm run takes from the cache


@pytest.fixture
def corpus(tmp_path: Path, monkeypatch) -> Path:
    (tmp_path / "in").mkdir()
    for name, data in FILES.items():
        (tmp_path / "in" / name).write_bytes(data)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def params(cache: bool = True, **changes):
    return shipped("ingest", {"input_dir": "in", "cache": cache, "cache_dir": "cache", **changes})


def run(cache: bool = True, **changes) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    chosen = params(cache, **changes)
    rows_cache = stage.rows_cache(chosen)
    documents, rejected, n_cached = stage.ingest_files(stage.list_inputs(Path("in")), chosen, rows_cache)
    rows_cache.prune()
    return documents.sort("source_path"), rejected.sort("source_path"), n_cached


def assert_same(a, b) -> None:
    for left, right in zip(a[:2], b[:2]):
        assert left.equals(right) and left.schema == right.schema


def parts(folder: str = "cache") -> list[Path]:
    return sorted(Path(folder).glob("ingest-*/part-*.parquet"))


def test_warm_run_comes_from_the_cache_and_equals_a_cold_run(corpus):
    uncached = run(cache=False)
    cold = run()
    warm = run()
    assert (uncached[2], cold[2], warm[2]) == (0, 0, N_READ)
    assert_same(uncached, cold)
    assert_same(uncached, warm)
    assert uncached[0].height == 4 and uncached[1].height == 6


def test_one_new_file_is_the_only_one_read(corpus):
    run()
    (corpus / "in" / "h.txt").write_bytes(b"A new article about the talks in Rome.")
    documents, _, n_cached = run()
    assert n_cached == N_READ and "in/h.txt" in set(documents["source_path"])


def test_duplicates_across_files_are_still_rejected_from_the_cache(corpus):
    run()
    docs, rejected, _ = run()
    reasons = dict(zip(rejected["source_path"], rejected["reason"]))
    assert reasons["in/b.jsonl#4"] == "same bytes as in/b.jsonl#1"
    assert reasons["in/c.txt"] == "same bytes as in/b.jsonl#1"
    assert reasons["in/d.txt"] == "same bytes as in/a.txt"
    assert reasons["in/b.jsonl#2"].startswith("line 2: not valid JSON")
    # A new file sorted before the cached ones takes over as the first copy; the cached file is the copy.
    (corpus / "in" / "0.txt").write_bytes(FILES["a.txt"])
    got = run()
    reasons = dict(zip(got[1]["source_path"], got[1]["reason"]))
    assert got[2] == N_READ + 1 and "in/a.txt" not in set(got[0]["source_path"])
    assert reasons["in/a.txt"] == reasons["in/d.txt"] == "same bytes as in/0.txt"
    assert_same(got, run(cache=False))


def test_cached_rows_get_the_path_of_the_file_now(corpus):
    run()
    (corpus / "in" / "b.jsonl").rename(corpus / "in" / "0.jsonl")
    got = run()
    assert got[2] == N_READ
    assert "in/0.jsonl#1" in set(got[0]["source_path"]) and "in/0.jsonl#2" in set(got[1]["source_path"])
    assert_same(got, run(cache=False))


def test_fingerprint_follows_the_params_that_decide_rows_code_schema_and_libraries(monkeypatch, tmp_path):
    base = stage.rows_fingerprint(params())
    assert stage.rows_fingerprint(params(max_control_share=0.06)) != base
    # Where the files are, the size limit, the extension map and the cache settings change no file's rows.
    assert stage.rows_fingerprint(params(False, input_dir="x", cache_dir="y", max_bytes=5,
                                         formats={"txt": [".x"]})) == base
    edited = tmp_path / "ingest"
    shutil.copytree(stage.PACKAGE_DIR, edited, ignore=shutil.ignore_patterns("__pycache__"))
    (edited / "data.tsv").write_text("a file of any suffix counts\n")
    monkeypatch.setattr(stage, "PACKAGE_DIR", edited)
    assert stage.rows_fingerprint(params()) != base
    monkeypatch.undo()
    schema = tmp_path / "ingest.py"
    schema.write_bytes(stage.SCHEMA_FILE.read_bytes() + b"\n# edited\n")
    monkeypatch.setattr(stage, "SCHEMA_FILE", schema)
    assert stage.rows_fingerprint(params()) != base
    monkeypatch.undo()
    import importlib.metadata
    real_version = importlib.metadata.version
    for library in ("trafilatura", "justext", "charset-normalizer"):
        monkeypatch.setattr(importlib.metadata, "version",
                            lambda name, library=library: "0.0-other" if name == library else real_version(name))
        assert stage.rows_fingerprint(params()) != base
    monkeypatch.undo()
    assert stage.rows_fingerprint(params()) == base


def test_a_changed_fingerprint_never_returns_rows_of_the_old_one_and_the_old_one_goes(corpus):
    run()
    (old,) = {part.parent for part in parts()}
    _, _, n_cached = run(max_control_share=0.06)
    assert n_cached == 0
    (new,) = {part.parent for part in parts()}
    assert new != old and not old.exists()


def test_a_damaged_part_only_costs_time(corpus):
    expected = run(cache=False)
    run()
    for part in parts():
        part.write_bytes(b"this is not parquet" * 100)
    got = run()
    assert got[2] == 0
    assert_same(expected, got)
    assert run()[2] == N_READ


def test_an_unusable_cache_folder_only_costs_time(corpus, capsys):
    (corpus / "cache").write_text("a file where the cache folder should be")
    got = run()
    assert got[2] == 0 and "cache" in capsys.readouterr().err
    assert_same(run(cache=False), got)


def test_disabled_cache_writes_nothing(corpus):
    assert_same(run(cache=False), run())
    shutil.rmtree(corpus / "cache")
    run(cache=False)
    assert not (corpus / "cache").exists()


@pytest.mark.parametrize("enabled", [False, True])
def test_main_reads_the_cache_params(corpus, enabled, capsys):
    (corpus / "params.yaml").write_text(params_yaml("ingest", {"input_dir": "in", "cache": enabled,
                                                               "cache_dir": "my-cache"}))
    stage.main()
    stage.main()
    assert (corpus / "my-cache").exists() == enabled
    assert not (corpus / ".cache").exists()
    assert (corpus / stage.DOCUMENTS).exists() and (corpus / stage.REJECTED).exists()
    expected = f"7 input files ({N_READ if enabled else 0} from cache) -> 4 documents, 6 rejected"
    assert expected in capsys.readouterr().err.splitlines()[-1]
