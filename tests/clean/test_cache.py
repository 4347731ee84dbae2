"""The clean stage's result cache: a rerun gives the same output as a cold run, whatever the cache holds."""
from __future__ import annotations

import polars as pl
import pytest
import yaml
from hypothesis import given, settings, strategies as st

from stages.clean.cache import cache_path, fingerprint, read_cache
from stages.clean.document import CACHE_SCHEMA, clean_corpus, clean_corpus_cached
from tests.shipped_params import params_yaml

PARA = ("The minister said on Tuesday that the government would review the plan after the talks, which "
        "have been going on for months, and that a decision was expected by the end of the year.")
PARA2 = ("Officials in the region told reporters that the new rules were not yet in force, but that they "
         "would be applied to every company that had signed the agreement with the state.")
PARA3 = ("Shares of the company rose sharply on the news, traders said, after a week of losses in a market "
         "that had been worried about the results and the outlook for the rest of the year.")
FRENCH = ("Le ministre a déclaré mardi que le gouvernement examinerait le plan après les discussions, qui "
          "durent depuis des mois, et qu'une décision était attendue pour la fin de l'année.")
SHARED_LINE = "Markets desk special edition"  # not prose: boilerplate once it recurs across documents


def frame(*raws: str) -> pl.DataFrame:
    rows = [{"doc_id": f"{i:016x}", "source_path": f"x{i}.txt", "source_format": "txt", "n_bytes": len(raw),
             "encoding": "utf-8", "raw_text": raw, "meta_title": None, "meta_description": None,
             "meta_authors": [], "meta_date": None, "meta_site": None, "meta_url": None}
            for i, raw in enumerate(raws)]
    return pl.DataFrame(rows, schema_overrides={"meta_authors": pl.List(pl.String), "meta_title": pl.String,
                                                "meta_description": pl.String, "meta_date": pl.String,
                                                "meta_site": pl.String, "meta_url": pl.String})


CORPUS = [
    "\n".join(["Home", "World", "Plan Review Set After Long Talks", "By Jane Doe", PARA, PARA2, "Share this"]),
    "\n".join([PARA3, SHARED_LINE, PARA]),  # a short line between paragraphs stays, unless it recurs
    "\n".join(["Accueil", FRENCH, "Share this"]),
    "\n".join(["Results", "Shr 12 cts vs 15 cts", "Net 1.2 mln vs 1.0 mln", "Revs 40.1 mln vs 38.2 mln"]),
    "",
    "\n".join(["Plan Review Set After Long Talks", PARA2, PARA3, "Reuter"]),
    "\n".join([PARA3, PARA2, "Reuter"]),
]


def assert_same(got: tuple[pl.DataFrame, pl.DataFrame], want: tuple[pl.DataFrame, pl.DataFrame]) -> None:
    assert got[0].schema == want[0].schema and got[1].schema == want[1].schema
    assert got[0].equals(want[0]) and got[1].equals(want[1])


def test_a_cache_hit_gives_the_cold_output():
    docs = frame(*CORPUS)
    cold = clean_corpus(docs, {})
    first = clean_corpus_cached(docs, {}, None)
    assert first.n_cached == 0 and dict(first.cache.schema) == CACHE_SCHEMA
    assert first.cache.height == docs.height
    assert_same((first.documents, first.removed), cold)
    again = clean_corpus_cached(docs, {}, first.cache)
    assert again.n_cached == docs.height
    assert_same((again.documents, again.removed), cold)
    # The same texts under other doc ids (reordered): still the cold output, with this run's ids.
    shuffled = docs.reverse().with_columns(doc_id=pl.Series([f"{i:016x}" for i in range(100, 100 + docs.height)]))
    got = clean_corpus_cached(shuffled, {}, again.cache)
    assert_same((got.documents, got.removed), clean_corpus(shuffled, {}))


def test_a_new_document_recleans_only_the_documents_whose_lines_it_makes_recur():
    docs = frame(*CORPUS)
    warm = clean_corpus_cached(docs, {}, None).cache
    assert clean_corpus(docs, {})[0]["body_line_nos"][1].to_list() == [1, 2, 3]
    # Document 1's middle line now recurs: document 1 is cleaned again; "Reuter", already shared by two
    # documents, recurs once more without invalidating their results.
    new_para = ("Prices of grain fell for a third week as farmers brought in a larger harvest than traders "
                "had expected, and as demand from abroad slowed after the summer.")
    grown = frame(*CORPUS, "\n".join([SHARED_LINE, new_para, "Reuter"]))
    got = clean_corpus_cached(grown, {}, warm)
    assert got.n_cached == len(CORPUS) - 1
    cold = clean_corpus(grown, {})
    assert_same((got.documents, got.removed), cold)
    assert cold[0]["body_line_nos"][1].to_list() == [1, 3]
    doc1 = cold[1].filter(pl.col("doc_id") == f"{1:016x}")
    assert doc1.select("line_no", "reason").rows() == [(2, "repeated_across_docs")]


def test_the_cache_holds_this_runs_documents_only():
    warm = clean_corpus_cached(frame(*CORPUS), {}, None).cache
    smaller = clean_corpus_cached(frame(*CORPUS[:3]), {}, warm)
    assert smaller.cache.height == 3


def test_params_and_code_name_the_cache_file_but_the_cache_settings_do_not():
    assert fingerprint({}) == fingerprint(None)
    assert fingerprint({}) != fingerprint({"length_low": 99})
    assert fingerprint({"cache": False, "cache_dir": "elsewhere"}) == fingerprint({})
    assert fingerprint({"length_low": 100}) == fingerprint({})  # the default, given or not
    assert cache_path({"cache_dir": "x"}).parent.as_posix() == "x"


# --------------------------------------------------------------------------------- the stage itself

@pytest.fixture
def project(tmp_path, monkeypatch):
    """A tiny project folder (params.yaml, ingest table) as the current directory."""
    from stages.clean import language
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(language, "_model_copy_folder", [])  # the stage sets it: undone after the test
    (tmp_path / "data" / "ingest").mkdir(parents=True)
    frame(*CORPUS).write_parquet(tmp_path / "data" / "ingest" / "documents.parquet")

    def run(params: dict, capsys) -> tuple[bytes, bytes, str]:
        (tmp_path / "params.yaml").write_text(params_yaml("clean", params))
        from stages.clean.__main__ import main
        main()
        out = tmp_path / "data" / "clean"
        return ((out / "documents.parquet").read_bytes(), (out / "removed.parquet").read_bytes(),
                capsys.readouterr().err)
    return tmp_path, run


def test_stage_rerun_is_byte_identical_and_a_corrupt_cache_is_recomputed(project, capsys):
    root, run = project
    params = {"cache_dir": ".cache/clean"}
    docs, removed, log = run({**params, "cache": False}, capsys)
    assert not (root / ".cache").exists()  # cache off: nothing written
    assert "(0 from cache)" in log
    assert run(params, capsys)[:2] == (docs, removed)
    path = cache_path(params)
    assert read_cache(path) is not None
    hit = run(params, capsys)
    assert hit[:2] == (docs, removed) and f"({len(CORPUS)} from cache)" in hit[2]
    path.write_bytes(b"not a parquet file")
    assert read_cache(path) is None
    broken = run(params, capsys)
    assert broken[:2] == (docs, removed) and "(0 from cache)" in broken[2]
    assert read_cache(path) is not None  # rewritten
    other = run({**params, "length_low": 90}, capsys)
    assert "(0 from cache)" in other[2]
    assert cache_path({**params, "length_low": 90}) != path
    assert path.exists() and cache_path({**params, "length_low": 90}).exists()
    run({**params, "length_low": 80, "cache_max_files": 1}, capsys)
    assert [p.name for p in path.parent.glob("clean-*.parquet")] == [cache_path({**params, "length_low": 80}).name]


# ------------------------------------------------------------------------------- py3langid's model copy

def test_the_uncompressed_model_copy_identifies_exactly_like_py3langid(tmp_path, monkeypatch):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    from stages.clean import language
    langs = tuple(sorted(language.DEFAULT_LANGUAGES))
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(list(langs))
    monkeypatch.setattr(language, "_model_copy_folder", [])
    language.keep_model_copy_in(tmp_path)
    language._identifier.cache_clear()
    try:
        fast = language._identifier(langs)
        copies = list(tmp_path.glob("langid-*"))
        assert len(copies) == 1 and (copies[0] / "ptc.npy").exists()
        for text in (PARA, FRENCH, "Shr 12 cts vs 15 cts", "Привет, мир", "東京は日本の首都です", "Reuter"):
            assert fast.classify(text) == reference.classify(text)
        # A damaged copy: py3langid's own loader, same answers.
        (copies[0] / "ptc.npy").write_bytes(b"garbage")
        language._identifier.cache_clear()
        assert language._identifier(langs).classify(PARA2) == reference.classify(PARA2)
    finally:
        language._identifier.cache_clear()


# ----------------------------------------------------------------------------- any corpus, any cache

LINES = [PARA, PARA2, PARA3, FRENCH, SHARED_LINE, SHARED_LINE, "Reuter", "Share this", "Home", "By Jane Doe",
         "Shr 12 cts vs 15 cts", "Plan Review Set After Long Talks", ""]
DOCUMENTS = st.lists(st.sampled_from(LINES), max_size=7).map("\n".join)


@settings(max_examples=30, deadline=None)
@given(before=st.lists(DOCUMENTS, min_size=1, max_size=5), kept=st.integers(0, 5),
       added=st.lists(DOCUMENTS, max_size=3), repeat_min=st.sampled_from([2, 3]))
def test_any_cache_gives_the_cold_output(before, kept, added, repeat_min):
    """Documents kept from the cached corpus, in a corpus where their lines recur more or less often:
    the results of the other corpus never leak."""
    params = {"repeat_min_docs": repeat_min}
    warm = clean_corpus_cached(frame(*before), params, None).cache
    docs = frame(*before[:kept], *added)
    got = clean_corpus_cached(docs, params, warm)
    assert_same((got.documents, got.removed), clean_corpus(docs, params))
    again = clean_corpus_cached(docs, params, got.cache)
    assert again.n_cached == docs.height
    assert_same((again.documents, again.removed), clean_corpus(docs, params))
