"""ingest's per-file cache and ftfy shortcut: faster reruns, never a different result."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import ftfy
import polars as pl
import pytest
from hypothesis import given, settings, strategies as st

import stages.ingest.__main__ as stage
from stages.ingest import cache as ingest_cache
from stages.ingest import decode, records
from tests.shipped_params import params_with

PARAMS = {
    "input_dir": "in",
    "max_bytes": 100_000,
    "max_control_share": 0.05,
    "formats": {"txt": [".txt"], "html": [".html"], "jsonl": [".jsonl"]},
}
LINE = json.dumps({"text": "Officials met in Rome on Sunday.", "title": "Rome"})
MESSY = b"Fish &amp; chips \xe2\x80\x9cquoted\xe2\x80\x9d\r\nCaf\xc3\x83\xc2\xa9 line two\x07\n"  # ftfy's work
FILES = {
    "a.txt": MESSY,
    "b.jsonl": "\n".join([LINE, "{broken", json.dumps({"text": "Plain ascii record."}), LINE]).encode(),
    "c.txt": LINE.encode(),                      # same bytes as b.jsonl line 1: a copy across files
    "d.txt": MESSY,                              # same bytes as a.txt
    "e.html": b"<html><body><p>Officials met in Rome on Sunday to talk about a truce.</p></body></html>",
    "f.txt": b" \n ",
    "g.md": b"# not a known format here",
}
N_READ = 6  # files whose bytes are read (all but g.md), so the number a warm run takes from the cache


def write_files(root: Path, files: dict[str, bytes]) -> None:
    root.mkdir(exist_ok=True)
    for name, data in files.items():
        (root / name).write_bytes(data)


def run(tmp_path: Path, cache: ingest_cache.FileCache | None, params: dict | None = None
        ) -> tuple[pl.DataFrame, pl.DataFrame]:
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        paths = stage.list_inputs(Path("in"))
        return stage.to_frames(stage.ingest_files(paths, params or PARAMS, cache))
    finally:
        os.chdir(old)


def cached_run(tmp_path: Path, params: dict | None = None) -> tuple[pl.DataFrame, pl.DataFrame, int]:
    params = params or PARAMS
    cache = ingest_cache.FileCache(tmp_path / "cache", ingest_cache.cache_fingerprint(params))
    try:
        docs, rejected = run(tmp_path, cache, params)
        cache.prune()
    finally:
        cache.close()
    return docs, rejected, cache.hits


def assert_same(a: tuple[pl.DataFrame, pl.DataFrame], b: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    assert a[0].equals(b[0]) and a[1].equals(b[1])
    assert a[0].schema == b[0].schema and a[1].schema == b[1].schema


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    write_files(tmp_path / "in", FILES)
    return tmp_path


def test_warm_run_comes_from_the_cache_and_equals_a_cold_run(corpus):
    uncached = run(corpus, None)
    *cold, cold_hits = cached_run(corpus)
    *warm, warm_hits = cached_run(corpus)
    assert cold_hits == 1          # d.txt has the bytes of a.txt, read a moment earlier
    assert warm_hits == N_READ
    assert_same(uncached, cold)
    assert_same(uncached, warm)
    assert uncached[0].height == 4 and uncached[1].height == 6


def test_duplicates_across_files_are_still_rejected_from_the_cache(corpus):
    cached_run(corpus)
    docs, rejected, _ = cached_run(corpus)
    reasons = dict(zip(rejected["source_path"], rejected["reason"]))
    assert reasons["in/b.jsonl#4"] == "same bytes as in/b.jsonl#1"
    assert reasons["in/c.txt"] == "same bytes as in/b.jsonl#1"
    assert reasons["in/d.txt"] == "same bytes as in/a.txt"
    assert reasons["in/b.jsonl#2"].startswith("line 2: not valid JSON")
    # A new file sorted before the cached ones takes over as the first copy; the cached file is the copy.
    (corpus / "in" / "0.txt").write_bytes(FILES["a.txt"])
    docs, rejected, hits = cached_run(corpus)
    reasons = dict(zip(rejected["source_path"], rejected["reason"]))
    assert hits == N_READ + 1 and "in/a.txt" not in set(docs["source_path"])
    assert reasons["in/a.txt"] == reasons["in/d.txt"] == "same bytes as in/0.txt"
    assert_same((docs, rejected), run(corpus, None))


def test_cached_rows_get_the_path_of_the_file_now(corpus):
    cached_run(corpus)
    (corpus / "in" / "b.jsonl").rename(corpus / "in" / "0.jsonl")
    docs, rejected, hits = cached_run(corpus)
    assert hits == N_READ
    assert "in/0.jsonl#1" in set(docs["source_path"]) and "in/0.jsonl#2" in set(rejected["source_path"])
    assert_same((docs, rejected), run(corpus, None))


def test_fingerprint_follows_params_code_and_libraries(monkeypatch, tmp_path):
    base = ingest_cache.cache_fingerprint(PARAMS)
    assert base == ingest_cache.cache_fingerprint(dict(PARAMS))
    assert ingest_cache.cache_fingerprint({**PARAMS, "max_control_share": 0.06}) != base
    assert ingest_cache.cache_fingerprint({**PARAMS, "new_knob": 1}) != base
    # Where the files are and how the cache is set up do not change any file's rows.
    assert ingest_cache.cache_fingerprint({**PARAMS, "input_dir": "x", "cache": True, "cache_dir": "y"}) == base
    edited = tmp_path / "ingest"
    shutil.copytree(ingest_cache.PACKAGE_DIR, edited, ignore=shutil.ignore_patterns("__pycache__"))
    with open(edited / "records.py", "a", encoding="utf-8") as fh:
        fh.write("\n# edited\n")
    monkeypatch.setattr(ingest_cache, "PACKAGE_DIR", edited)
    assert ingest_cache.cache_fingerprint(PARAMS) != base
    monkeypatch.undo()
    import importlib.metadata
    real_version = importlib.metadata.version
    monkeypatch.setattr(importlib.metadata, "version",
                        lambda name: "0.0-other" if name == "trafilatura" else real_version(name))
    assert ingest_cache.cache_fingerprint(PARAMS) != base


def test_a_changed_fingerprint_never_returns_rows_of_the_old_one(corpus):
    cached_run(corpus)
    # Poison every entry: whoever reads them shows 'STALE' texts.
    (db_file,) = (corpus / "cache").glob("ingest-*.sqlite")
    with sqlite3.connect(db_file) as db:
        rows = db.execute("SELECT key, items FROM files").fetchall()
        for key, items in rows:
            poisoned = [{**item, "raw_text": "STALE" if item["raw_text"] else None}
                        for item in json.loads(items)]
            db.execute("UPDATE files SET items = ? WHERE key = ?", (json.dumps(poisoned), key))
    db.close()
    docs, _, hits = cached_run(corpus)
    assert hits == N_READ and set(docs["raw_text"]) == {"STALE"}  # the same fingerprint serves them
    docs, _, hits = cached_run(corpus, {**PARAMS, "max_control_share": 0.06})
    assert hits == 1 and "STALE" not in set(docs["raw_text"])   # another one never does
    assert not db_file.exists()  # and the old fingerprint's database is removed
    assert len(list((corpus / "cache").glob("ingest-*.sqlite"))) == 1


def test_a_corrupt_database_is_rebuilt(corpus):
    expected = run(corpus, None)
    cached_run(corpus)
    for leftover in (corpus / "cache").glob("ingest-*.sqlite-*"):
        leftover.unlink()
    (db_file,) = (corpus / "cache").glob("ingest-*.sqlite")
    db_file.write_bytes(b"this is not a database" * 100)
    *got, hits = cached_run(corpus)
    assert hits == 1 and sqlite3.connect(db_file).execute("SELECT count(*) FROM files").fetchone()[0] == 5
    assert_same(expected, got)
    *again, hits = cached_run(corpus)
    assert hits == N_READ
    assert_same(expected, again)


@pytest.mark.parametrize("bad_value", ["{not json", "[]", json.dumps([{"suffix": ""}]), "42"])
def test_a_corrupt_entry_is_recomputed(corpus, bad_value):
    expected = run(corpus, None)
    cached_run(corpus)
    (db_file,) = (corpus / "cache").glob("ingest-*.sqlite")
    with sqlite3.connect(db_file) as db:
        db.execute("UPDATE files SET items = ?", (bad_value,))
    db.close()
    *got, hits = cached_run(corpus)
    assert hits == 1  # nothing readable in the cache; d.txt repeats a.txt's bytes within the run
    assert_same(expected, got)


def test_an_unusable_cache_folder_only_costs_time(corpus, capsys):
    (corpus / "cache").write_text("a file where the cache folder should be")
    *got, hits = cached_run(corpus)
    assert hits == 0 and "cache not used" in capsys.readouterr().err
    assert_same(run(corpus, None), got)


def test_the_cache_keeps_the_files_of_the_last_run(corpus):
    cached_run(corpus)
    (db_file,) = (corpus / "cache").glob("ingest-*.sqlite")
    count = lambda: sqlite3.connect(db_file).execute("SELECT count(*) FROM files").fetchone()[0]  # noqa: E731
    assert count() == 5  # six files read, two of them with the same bytes
    (corpus / "in" / "e.html").unlink()
    cached_run(corpus)
    assert count() == 4


def test_disabled_cache_writes_nothing(corpus):
    cache = ingest_cache.FileCache(corpus / "cache", ingest_cache.cache_fingerprint(PARAMS), enabled=False)
    got = run(corpus, cache)
    cache.close()
    assert not (corpus / "cache").exists() and cache.hits == 0
    assert_same(run(corpus, None), got)


@pytest.mark.parametrize("enabled", [False, True])
def test_main_reads_the_cache_params(corpus, enabled, capsys):
    params = {**params_with("ingest", {}), **PARAMS, "cache": enabled, "cache_dir": "my-cache"}   # PARAMS' formats
    (corpus / "params.yaml").write_text(json.dumps({"ingest": params}))
    old = os.getcwd()
    os.chdir(corpus)
    try:
        stage.main()
        stage.main()
    finally:
        os.chdir(old)
    assert (corpus / "my-cache").exists() == enabled
    assert not (corpus / ".cache").exists()
    assert (corpus / "data" / "ingest" / "documents.parquet").exists()
    expected = f"7 input files ({N_READ if enabled else 0} from cache) -> 4 documents, 6 rejected"
    assert expected in capsys.readouterr().err.splitlines()[-1]


# ------------------------------------------------------------------------------------- ftfy shortcut

def plain_ftfy(text: str) -> str:
    """What ingest called before the shortcut."""
    return ftfy.fix_text(text, normalization="NFC", fix_line_breaks=True, uncurl_quotes=False)


FRAGMENTS = ["&amp;", "&lt;", "&AMP;", "&#x2019;", "&EACUTE;", "&hellip;", "&", "<", "<b>", ">", "\r\n", "\r",
             "\n", "\n", "\t", "\x0c", "\x1b[31m", "\x1b", "\x00", "\x07", "\x7f", "\x85", "\x9d", "\u2028",
             "\u201c", "\u201d", "\u2019", "Ã©", "â€™", "â€œ", "Ã", "Â ", "\xa0", "\ufeff", "\ufb01",
             "\uff21", "\ud83d", "\udca9", "e\u0301", "\u200b", "ü", "日本"]
ASCII_WORDS = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
TEXTS = st.lists(st.one_of(ASCII_WORDS, ASCII_WORDS, st.sampled_from(FRAGMENTS)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_fix_text_fast_is_ftfy(text):
    assert decode.fix_text_fast(text) == plain_ftfy(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(TEXTS, st.text(max_size=60)))
def test_normalise_text_is_unchanged_by_the_shortcut(text):
    slow = decode.unicodedata.normalize("NFC", decode.CONTROL_CHARS.sub("", plain_ftfy(text)))
    assert decode.normalise_text(text) == slow


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_fix_text_fast_cuts_long_lines_like_ftfy(text):
    # ftfy cuts lines longer than max_decode_length; a short one makes the cut happen in tiny texts.
    config = decode.FTFY_CONFIG._replace(max_decode_length=7)
    assert decode.fix_text_fast(text, config) == ftfy.fix_text(text, config)


def test_html_unescaping_stops_after_a_line_with_a_tag_even_if_that_line_is_skipped():
    text = "a < b in plain ASCII\nFish &amp; chips\n"
    assert decode.fix_text_fast(text) == plain_ftfy(text) == text
    assert decode.fix_text_fast("Fish &amp; chips\n") == plain_ftfy("Fish &amp; chips\n") == "Fish & chips\n"


def test_plain_ascii_lines_skip_ftfy(monkeypatch):
    calls: list[str] = []
    real = ftfy.fix_and_explain
    monkeypatch.setattr(decode.ftfy, "fix_and_explain",
                        lambda text, config: calls.append(text) or real(text, config))
    assert decode.fix_text_fast("Plain line\nFish &amp; chips\nAnother plain line") == \
        "Plain line\nFish & chips\nAnother plain line"
    assert calls == ["Fish &amp; chips\n"]


# -------------------------------------------------------------------------------------- date shortcut

def parse_date_every_format(value):
    """parse_date before the shortcut: every format is tried."""
    if value is None:
        return None
    text = str(value).strip()
    if records.re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
        text = text[:10]
    for fmt in records.DATE_FORMATS:
        try:
            return records.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    return None


DATE_PIECES = ["2024", "1987", "07", "7", " 7", "28", "31", "-", "/", " ", ", ", ":", ".", "79", "FEB", "Feb",
               "february", "July", "Sun", "+0000", "Z", "T", "x", "\u0662\u0660\u0662\u0664", "\xa0"]


FORMATTED_DATES = st.tuples(st.datetimes(), st.sampled_from(records.DATE_FORMATS)).map(
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
