"""The five seed pages (/work/main/seeds): what clean keeps, drops (and why), and the metadata it finds."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import polars as pl
import pytest

from stages.clean.corpus import clean_corpus
from stages.clean.reasons import REASONS
from tests.shipped_params import shipped

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seed_frame() -> pl.DataFrame:
    rows = []
    for path in sorted(SEEDS.glob("*.txt")):
        data = path.read_bytes()
        rows.append({"doc_id": hashlib.sha256(data).hexdigest()[:16], "source_path": path.name,
                     "source_format": "txt", "n_bytes": len(data), "encoding": "utf-8",
                     "raw_text": data.decode("utf-8"), "meta_title": None, "meta_description": None,
                     "meta_authors": [], "meta_date": None, "meta_site": None, "meta_url": None})
    return pl.DataFrame(rows, schema_overrides={"meta_authors": pl.List(pl.String), "meta_title": pl.String,
                                                "meta_description": pl.String, "meta_date": pl.String,
                                                "meta_site": pl.String, "meta_url": pl.String})


@pytest.fixture(scope="module")
def cleaned():
    if len(list(SEEDS.glob("*.txt"))) < 5:
        pytest.skip("seeds/ not found")
    docs = seed_frame()
    documents, removed = clean_corpus(docs, shipped("clean"))
    by_seed = {}
    for path_name, doc_id in zip(docs["source_path"], docs["doc_id"]):
        raw = docs.filter(pl.col("doc_id") == doc_id)["raw_text"][0]
        doc = documents.filter(pl.col("doc_id") == doc_id).row(0, named=True)
        reasons = {row["line_no"]: row["reason"] for row in removed.filter(pl.col("doc_id") == doc_id)
                   .iter_rows(named=True)}
        by_seed[path_name[:3]] = (raw.split("\n"), doc, reasons)
    return by_seed


def body_lines(raw: list[str]) -> list[int]:
    """Raw line numbers that are paragraphs of running text (long, ending like a sentence)."""
    return [i + 1 for i, line in enumerate(raw) if len(line) > 150 and line.rstrip()[-1:] in ".”\""]


def test_every_line_accounted_once_and_reasons_known(cleaned):
    for raw, doc, reasons in cleaned.values():
        nonblank = {i + 1 for i, line in enumerate(raw) if line.strip()}
        parts = [set(doc["body_line_nos"]), {doc["title_line_no"]} - {None}, {doc["subtitle_line_no"]} - {None},
                 set(reasons)]
        assert sum(len(p) for p in parts) == len(nonblank)
        assert set().union(*parts) == nonblank
        assert set(reasons.values()) <= set(REASONS)


def test_titles(cleaned):
    assert cleaned["000"][1]["title"].startswith("Rome Talks Aim for Cease-Fire")
    assert cleaned["001"][1]["title"].startswith("Negotiators Meet in Rome to Revive Push")
    assert cleaned["002"][1]["title"].startswith("Negotiators meet to revive the push")
    assert cleaned["003"][1]["title"] is None  # the page starts with the first paragraph
    assert cleaned["004"][1]["title"] == "Negotiations between Israel and Hamas Reach Impasse"


def test_repeated_and_glued_titles_collapse(cleaned):
    assert cleaned["000"][2][3] == "duplicate_title"
    assert cleaned["002"][2][3] == "duplicate_title"
    assert cleaned["004"][2][7] == "duplicate_title"  # "WorldNegotiations between ..."


def test_every_body_paragraph_stays(cleaned):
    for seed, (raw, doc, _) in cleaned.items():
        kept = set(doc["body_line_nos"])
        missing = [n for n in body_lines(raw) if n not in kept and n != doc["subtitle_line_no"]]
        # Long lines that are not article: the Spanish author box (000), the paywall notice (001).
        not_article = {"000": (11, 13), "001": (24,)}.get(seed, ())
        missing = [n for n in missing if n not in not_article]
        assert not missing, (seed, missing)
    assert cleaned["003"][1]["body_line_nos"] == list(range(1, 9))
    assert len(cleaned["002"][1]["body_line_nos"]) == 25


def test_boilerplate_goes_with_sensible_reasons(cleaned):
    _, doc0, r0 = cleaned["000"]
    assert {r0[n] for n in (7, 9, 11, 13)} <= {"author_bio", "foreign_language"}
    assert r0[18] in ("related", "navigation") and r0[20] in ("related", "navigation")
    assert r0[14] == "navigation"
    _, doc1, r1 = cleaned["001"]
    assert r1[1] in ("navigation", "short_fragment")
    assert {r1[n] for n in (19, 24, 27, 29)} == {"paywall"}
    assert r1[21] in ("cookie", "widget")
    assert r1[34] == "source"
    assert r1[37] == "related"
    assert r1[39] in ("related", "boilerplate") and r1[41] in ("related", "boilerplate")
    _, doc2, r2 = cleaned["002"]
    assert r2[4] == r2[58] == "advertisement"
    assert r2[56] == "byline"
    assert r2[59] in ("author_bio", "navigation")
    _, doc4, r4 = cleaned["004"]
    assert r4[1] in ("widget", "navigation") and r4[2] in ("widget", "navigation")
    assert r4[3] == "dateline"
    assert {r4[n] for n in (33, 35, 37)} == {"related"}


def test_metadata(cleaned):
    doc1 = cleaned["001"][1]
    assert doc1["is_truncated"] is True and doc1["site"] == "nytimes.com"
    # The standfirst of 001 reads like a lead paragraph: it is either the subtitle or the body's first line.
    assert doc1["subtitle_line_no"] == 5 or doc1["body_line_nos"][0] == 5
    assert {"Vivian Yee", "Iyad Abuheweila"} <= set(cleaned["002"][1]["authors"])
    assert cleaned["002"][1]["is_truncated"] is False
    assert cleaned["004"][1]["published_date"] == dt.date(2024, 5, 19)
    assert cleaned["000"][1]["subtitle"].startswith("Israeli, Qatari, and US officials meet in Rome")
    for _, doc, _ in cleaned.values():
        assert doc["language"] == "en"
        assert "Advertisement" not in doc["text"] and "\n\n\n" not in doc["text"]


def test_copies_keep_their_shared_body_lines(cleaned):
    # Seed 001 is a paywall-cut copy of 002: the paragraphs they share are body in both.
    shared = {"The length of the truce is also a source of dispute: Hamas wants a permanent truce, while "
              "Israel wants the option to resume fighting."}
    for seed in ("001", "002"):
        assert shared <= set(cleaned[seed][1]["text"].split("\n\n"))
