"""`python -m stages.inspect DOC --data DIR`: one document's journey, read from tiny tables in a tmp data/."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from stages.inspect import main
from tests.aggregate.tiny_corpus import A, B, build_tiny_corpus

ROOT = Path(__file__).resolve().parents[1]
TABLES = {"ingest/documents": "ingest_docs", "ingest/rejected": "rejected", "clean/documents": "clean_docs",
          "clean/removed": "removed", "segment/sentences": "sentences", "tag/entities": "entities",
          "tag/quotes": "quotes", "tag/dates": "dates", "aggregate/stories": "stories",
          "aggregate/alignments": "alignments"}


def write_data(root: Path, skip: tuple[str, ...] = ()) -> Path:
    corpus = build_tiny_corpus()
    for table, key in TABLES.items():
        if table in skip:
            continue
        path = root / f"{table}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        corpus[key].write_parquet(path)
    return root


@pytest.fixture
def data(tmp_path) -> Path:
    return write_data(tmp_path / "data")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_full_journey_by_doc_id(data, capsys):
    code, out, _ = run(capsys, B, "--data", str(data))
    assert code == 0
    assert f"== document {B}" in out
    assert "ingest: seeds/b.txt  format txt, encoding utf-8" in out
    assert "truncated yes" in out and "Talks in Rome (copy)" in out
    # Every non-blank raw line with its fate.
    assert "removed: navigation" in out and "| Menu" in out
    assert "removed: advertisement" in out and "| Advertisement" in out
    assert "kept: body" in out and "| Hamas said talks would go on." in out
    assert "segment: 2 sentences" in out
    assert "× Israel [GPE]" in out and "× Sunday [DATE]" in out
    assert "'Sunday' -> 2024-07-28 (day)" in out
    assert f"relation near_duplicate of {A}" in out and f"also in this story: {A} original" in out
    assert "2 sentences aligned to the source (exact 2)" in out


def test_quotes_shown_with_speaker(data, capsys):
    code, out, _ = run(capsys, A, "--data", str(data))
    assert code == 0 and "“talks would go on” — Hamas (said) [direct]" in out


@pytest.mark.parametrize("query", ["bbbbbb", "seeds/b.txt", "b.txt", "./seeds/b.txt", "seeds/b", "b."])
def test_prefix_and_source_path_resolve(data, capsys, query):
    code, out, _ = run(capsys, query, "--data", str(data))
    assert code == 0 and out.startswith(f"== document {B}")


def test_ambiguous_prefix_lists_candidates(data, capsys):
    twin = "aaaaaaaa00000000"
    docs = pl.read_parquet(data / "ingest/documents.parquet")
    extra = docs.filter(pl.col("doc_id") == A).with_columns(pl.lit(twin).alias("doc_id"),
                                                             pl.lit("seeds/twin.txt").alias("source_path"))
    pl.concat([docs, extra]).write_parquet(data / "ingest/documents.parquet")
    code, out, err = run(capsys, "aaaaaaaa", "--data", str(data))
    assert code == 2 and out == ""
    assert "ambiguous: 2 documents" in err and twin in err and A in err and "seeds/twin.txt" in err


def test_unknown_document_is_a_clear_error(data, capsys):
    code, _, err = run(capsys, "seeds/nope.txt", "--data", str(data))
    assert code == 2 and "no document matches 'seeds/nope.txt'" in err
    code, _, err = run(capsys, "zzzz", "--data", str(data))
    assert code == 2 and "no document matches" in err
    code, _, err = run(capsys, "seeds/", "--data", str(data))  # a prefix of every path: ambiguous
    assert code == 2 and "ambiguous: 3 documents" in err


def test_rejected_input_shows_its_reason(data, capsys):
    code, out, _ = run(capsys, "seeds/x.pdf", "--data", str(data))
    assert code == 0 and "rejected by ingest: unsupported format '.pdf'" in out


def test_missing_tables_are_named_not_fatal(tmp_path, capsys):
    data = write_data(tmp_path / "data", skip=("tag/quotes", "aggregate/stories", "segment/sentences"))
    code, out, _ = run(capsys, A, "--data", str(data))
    assert code == 0
    assert "(tag/quotes.parquet is not built yet)" in out
    assert "(aggregate/stories.parquet is not built yet)" in out


def test_no_data_at_all(tmp_path, capsys):
    code, _, err = run(capsys, A, "--data", str(tmp_path / "empty"))
    assert code == 2 and "build the pipeline first" in err


def test_module_entry_point(data):
    proc = subprocess.run([sys.executable, "-m", "stages.inspect", "nope", "--data", str(data)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "no document matches 'nope'" in proc.stderr


def test_entity_variants_listed_under_the_canonical_name(data, capsys):
    path = data / "tag/entities.parquet"
    entities = pl.read_parquet(path)
    entities.with_columns(pl.when((pl.col("doc_id") == A) & (pl.col("canonical") == "Israel"))
                          .then(pl.lit("the State of Israel")).otherwise(pl.col("text")).alias("text")
                          ).write_parquet(path)
    code, out, _ = run(capsys, A, "--data", str(data))
    assert code == 0 and "2 × Israel [GPE]  (as the State of Israel)" in out


def test_resolve_order_and_hints():
    from stages.inspect import Lookup, resolve
    docs = pl.DataFrame({"doc_id": ["aaaa000000000000", "bbbb000000000000"],
                         "source_path": ["seeds/one.txt", "feed.jsonl#2"]})
    rejected = pl.DataFrame({"source_path": ["seeds/bad.pdf"], "reason": ["unsupported format '.pdf'"]})
    assert resolve("bbbb000000000000", docs, rejected) == ("bbbb000000000000", None)
    assert resolve("/anywhere/seeds/one.txt", docs, rejected) == ("aaaa000000000000", None)
    assert resolve("bad.pdf", docs, rejected) == (None, "seeds/bad.pdf: rejected by ingest: unsupported format '.pdf'")
    assert resolve("feed.jsonl#", docs, None) == ("bbbb000000000000", None)   # a unique prefix of a path
    with pytest.raises(Lookup, match="closest:\n  seeds/one.txt"):
        resolve("seeds/onе.txt", docs, rejected)
    with pytest.raises(Lookup, match="some documents:\n  aaaa000000000000  seeds/one.txt"):
        resolve("zzzz", docs, rejected)
    clean_only = docs.select("doc_id")   # clean's documents have no source_path
    assert resolve("aaaa", clean_only, None) == ("aaaa000000000000", None)
