"""Shared helpers: validated atomic writes, deterministic bytes, clear schema errors."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from pydantic import ValidationError

from schemas.segment import Sentences
from stages.common import SchemaViolation, digest, load_section, sha16, write_table

GOOD = pl.DataFrame({"doc_id": ["0123456789abcdef"], "sent_id": ["0123456789abcdef:0:0"], "paragraph": [0],
                     "index": [0], "start": [0], "end": [5], "text": ["Hello"]})


def test_write_is_deterministic_and_leaves_no_temporary_files(tmp_path):
    a, b = tmp_path / "a" / "t.parquet", tmp_path / "b" / "t.parquet"
    write_table(GOOD, a, Sentences, "segment/sentences")
    write_table(GOOD, b, Sentences, "segment/sentences")
    assert a.read_bytes() == b.read_bytes()
    assert [p.name for p in a.parent.iterdir()] == ["t.parquet"]


def test_failed_validation_writes_nothing_and_names_table_column_rows(tmp_path):
    bad = GOOD.vstack(GOOD.with_columns(pl.lit(9, dtype=pl.Int64).alias("start")))  # duplicate sent_id, start > end
    out = tmp_path / "t.parquet"
    out.write_bytes(b"previous output")
    with pytest.raises(SchemaViolation) as err:
        write_table(bad, out, Sentences, "segment/sentences")
    message = err.value.message
    assert "segment/sentences" in message and "sent_id" in message and "start_before_end" in message
    assert "first failing rows" in message
    assert out.read_bytes() == b"previous output"
    assert [p.name for p in tmp_path.iterdir()] == ["t.parquet"]


def test_rows_are_sorted_before_writing(tmp_path):
    second = GOOD.with_columns(pl.lit("0123456789abcdef:1:0").alias("sent_id"),
                               pl.lit(1, dtype=pl.Int64).alias("paragraph"))
    two = pl.concat([second, GOOD])
    df = write_table(two, tmp_path / "t.parquet", Sentences, "segment/sentences", sort_by=["doc_id", "paragraph"])
    assert df["paragraph"].to_list() == [0, 1]


def test_load_section_gives_the_typed_frozen_section(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("segment:\n" + "".join(f"  {k}: {v}\n" for k, v in SEGMENT_PARAMS.items()))
    segment = load_section("segment", path)
    assert segment.model_dump() == SEGMENT_PARAMS and segment.max_sentence_chars == 500
    with pytest.raises(ValidationError):
        segment.max_sentence_chars = 3   # frozen
    with pytest.raises(SystemExit):
        load_section("tag", path)


SEGMENT_PARAMS = {"max_sentence_chars": 500, "split_unpunctuated_lines": True, "lowercase_line_continues": True,
                  "ellipsis_ends_sentence": True, "inline_lists": False, "lexicon": "abbreviations.yaml",
                  "cache": False, "cache_dir": "x"}


def test_sha16_is_the_contract_doc_id():
    assert sha16(b"abc") == "ba7816bf8f01cfea"


def test_killed_writer_leaves_old_file_or_nothing_and_next_write_cleans_up(tmp_path):
    """SIGKILL a process that rewrites a big table in a loop: the final name always holds a whole file."""
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "big.parquet"
    script = (
        "import polars as pl, sys\n"
        "from schemas.segment import Sentences\n"
        "from stages.common import write_table\n"
        "n = 300_000\n"
        "df = pl.DataFrame({'doc_id': ['0123456789abcdef'] * n,\n"
        "  'sent_id': [f'0123456789abcdef:{i}:0' for i in range(n)], 'paragraph': list(range(n)),\n"
        "  'index': [0] * n, 'start': [0] * n, 'end': [5] * n, 'text': [f'Hello {i}' for i in range(n)]})\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        f"    write_table(df, {str(out)!r}, Sentences, 'segment/sentences')\n"
    )
    root = Path(__file__).resolve().parents[2]
    for delay in (0.3, 0.9):
        proc = subprocess.Popen([sys.executable, "-c", script], cwd=root, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        if out.exists():
            assert pl.read_parquet(out).height == 300_000
    write_table(GOOD, out, Sentences, "segment/sentences")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.parquet"]


def test_a_stage_process_flushes_its_output_and_exits_cleanly_or_with_a_clear_error(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    ok = ("from stages.common import run_stage\n"
          "import sys\n"
          "run_stage('demo', lambda: (print('written', end=''), sys.stderr.write('[demo] done')))\n")
    done = subprocess.run([sys.executable, "-c", ok], cwd=root, capture_output=True, text=True)
    assert (done.returncode, done.stdout, done.stderr) == (0, "written", "[demo] done")
    failing = ("from stages.common import StageError, run_stage\n"
               "def main():\n    raise StageError('input folder missing')\n"
               "run_stage('demo', main)\n")
    failed = subprocess.run([sys.executable, "-c", failing], cwd=root, capture_output=True, text=True)
    assert failed.returncode == 1 and failed.stderr.strip() == "[demo] ERROR: input folder missing"


def test_digest_depends_on_every_part_and_its_boundaries():
    assert digest(["ab", "c"]) != digest(["a", "bc"])
    assert digest(["model", "3.8.0"]) != digest(["model", "3.8.1"])
    assert digest(["x"]) == digest([b"x"]) and len(digest([])) == 24
