"""The clean stage: typed params, validated outputs, and its caches (a rerun gives the cold output, whatever
the cache holds, and recleans only the documents whose inputs changed)."""
from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from stages.clean import __main__ as stage
from stages.clean.corpus import clean_corpus, documents_and_removed
from tests.clean.texts import FRENCH, PARA, PARA2, PARA3, PARA4, PARA5, docs_frame
from tests.shipped_params import params_yaml, shipped

ROOT = Path(__file__).resolve().parents[2]
SHARED_LINE = "Markets desk special edition"  # not prose: boilerplate once it recurs across documents
OWN_PARA = ("The harbour authority said on Tuesday that the new quay would open in the spring, after two years "
            "of work and a long dispute with the city over who would pay for it.")
CORPUS = [
    "\n".join(["Home", "World", "Plan Review Set After Long Talks", "By Jane Doe", PARA, PARA2, "Share this"]),
    "\n".join([PARA3, SHARED_LINE, OWN_PARA]),  # a short line between paragraphs stays, unless it recurs
    "\n".join(["Accueil", FRENCH, "Share this"]),
    "\n".join(["Results", "Shr 12 cts vs 15 cts", "Net 1.2 mln vs 1.0 mln", "Revs 40.1 mln vs 38.2 mln"]),
    "",
    "\n".join(["Plan Review Set After Long Talks", PARA4, "Reuter"]),   # two different articles
    "\n".join([PARA5, "Reuter"]),                                        # sharing a line
]


def test_inputs_and_outputs_are_dvc_yamls():
    block = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]["clean"]
    assert set(stage.INPUTS) == {dep for dep in block["deps"] if dep.startswith("data/")}
    assert stage.OUTPUTS == block["outs"]


def cached(docs: pl.DataFrame, cache_dir: Path, changes: dict | None = None):
    """(documents, removed, documents cleaned afresh) through the stage's caches in `cache_dir`."""
    params = shipped("clean", {"cache_dir": str(cache_dir), **(changes or {})})
    rows, n_cleaned, _ = stage.cleaned_rows(docs, params)
    return (*documents_and_removed(rows), n_cleaned)


def same(got: tuple, want: tuple[pl.DataFrame, pl.DataFrame]) -> bool:
    """Equal tables once sorted as the stage writes them."""
    return all(a.sort(a.columns[:2]).equals(b.sort(b.columns[:2])) for a, b in zip(got[:2], want))


def test_a_cache_hit_gives_the_cold_output(tmp_path):
    docs = docs_frame(*CORPUS)
    cold = clean_corpus(docs, shipped("clean"))
    first = cached(docs, tmp_path)
    assert first[2] == docs.height and same(first, cold)
    again = cached(docs, tmp_path)
    assert again[2] == 0 and same(again, cold)
    # The same texts under other doc ids: cleaned again (the key covers the doc id), the cold output.
    other = docs.with_columns(doc_id=pl.Series([f"{i:016x}" for i in range(100, 100 + docs.height)]))
    got = cached(other, tmp_path)
    assert got[2] == docs.height and same(got, clean_corpus(other, shipped("clean")))


def test_a_new_document_recleans_only_the_documents_whose_lines_it_makes_recur(tmp_path):
    docs = docs_frame(*CORPUS)
    cached(docs, tmp_path)
    assert clean_corpus(docs, shipped("clean"))[0]["body_line_nos"][1].to_list() == [1, 2, 3]
    # Document 1's middle line now recurs: document 1 is cleaned again; "Reuter", already shared by two
    # documents, recurs once more without invalidating their results.
    new_para = ("Prices of grain fell for a third week as farmers brought in a larger harvest than traders "
                "had expected, and as demand from abroad slowed after the summer.")
    grown = docs_frame(*CORPUS, "\n".join([SHARED_LINE, new_para, "Reuter"]))
    got = cached(grown, tmp_path)
    assert got[2] == 2   # the new document and document 1
    cold = clean_corpus(grown, shipped("clean"))
    assert same(got, cold) and cold[0]["body_line_nos"][1].to_list() == [1, 3]
    doc1 = cold[1].filter(pl.col("doc_id") == f"{1:016x}")
    assert doc1.select("line_no", "reason").rows() == [(2, "repeated_across_docs")]


def test_params_and_code_name_the_cache_but_the_cache_settings_do_not(tmp_path):
    def fingerprint(changes):
        params = shipped("clean", changes)
        return stage.fingerprint(stage.STAGE, params=params, folders=stage.CODE_FOLDERS, files=stage.CODE_FILES,
                                 libraries=stage.LIBRARIES)
    assert fingerprint({}) != fingerprint({"length_low": 99}) != fingerprint({"dateline_max_words": 9})
    assert fingerprint({"cache": False, "cache_dir": "elsewhere", "cache_max_files": 1}) == fingerprint({})
    cached(docs_frame(PARA), tmp_path)
    assert sorted(p.name.split("-")[0] for p in tmp_path.iterdir() if p.is_dir()) == ["blocks", "documents",
                                                                                        "langid"]


# --------------------------------------------------------------------------------- the stage itself

@pytest.fixture
def project(tmp_path, monkeypatch):
    """A tiny project folder (params.yaml, ingest table) as the current directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data" / "ingest").mkdir(parents=True)
    docs_frame(*CORPUS).write_parquet(tmp_path / "data" / "ingest" / "documents.parquet")

    def run(changes: dict, capsys) -> tuple[bytes, bytes, str]:
        (tmp_path / "params.yaml").write_text(params_yaml("clean", changes))
        stage.main()
        out = tmp_path / "data" / "clean"
        return ((out / "documents.parquet").read_bytes(), (out / "removed.parquet").read_bytes(),
                capsys.readouterr().err)
    return tmp_path, run


def test_stage_rerun_is_byte_identical_and_a_damaged_cache_is_recomputed(project, capsys):
    root, run = project
    changes = {"cache_dir": ".cache/clean"}
    docs, removed, log = run({**changes, "cache": False}, capsys)
    assert not (root / ".cache").exists() and "(0 from cache)" in log   # cache off: nothing written
    assert run(changes, capsys)[:2] == (docs, removed)
    hit = run(changes, capsys)
    assert hit[:2] == (docs, removed) and f"({len(CORPUS)} from cache)" in hit[2]
    for part in (root / ".cache/clean").glob("documents-*/part-*.parquet"):
        part.write_bytes(b"not a parquet file")
    broken = run(changes, capsys)
    assert broken[:2] == (docs, removed) and "(0 from cache)" in broken[2]
    assert f"({len(CORPUS)} from cache)" in run(changes, capsys)[2]   # rewritten
    assert "(0 from cache)" in run({**changes, "length_low": 90}, capsys)[2]
    run({**changes, "length_low": 80, "cache_max_files": 1}, capsys)   # older fingerprints pruned
    assert len(list((root / ".cache/clean").glob("documents-*"))) == 1


def test_the_stage_validates_what_it_writes(project, capsys):
    root, run = project
    run({}, capsys)
    documents = pl.read_parquet(root / "data/clean/documents.parquet")
    assert documents.columns[-3:] == ["n_lines", "n_removed", "boilerplate_share"]
    assert documents["doc_id"].is_sorted()


# ----------------------------------------------------------------------------- any corpus, any cache

LINES = [PARA, PARA2, PARA3, FRENCH, SHARED_LINE, SHARED_LINE, "Reuter", "Share this", "Home", "By Jane Doe",
         "Shr 12 cts vs 15 cts", "Plan Review Set After Long Talks", ""]
DOCUMENTS = st.lists(st.sampled_from(LINES), max_size=7).map("\n".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(before=st.lists(DOCUMENTS, min_size=1, max_size=5), kept=st.integers(0, 5),
       added=st.lists(DOCUMENTS, max_size=3), repeat_min=st.sampled_from([2, 3]))
def test_any_cache_gives_the_cold_output(tmp_path_factory, before, kept, added, repeat_min):
    """Documents kept from the cached corpus, in a corpus where their lines recur more or less often:
    the results of the other corpus (and of every earlier example: one cache folder for all) never leak."""
    cache_dir = tmp_path_factory.getbasetemp() / "clean-any-cache"
    changes = {"repeat_min_docs": repeat_min}
    cached(docs_frame(*before), cache_dir, changes)
    docs = docs_frame(*before[:kept], *added)
    cold = clean_corpus(docs, shipped("clean", changes))
    assert same(cached(docs, cache_dir, changes), cold)
    again = cached(docs, cache_dir, changes)
    assert again[2] == 0 and same(again, cold)
