"""The report's views of documents and pairs: the document index (one row per document, named by file, site
and title, never a bare id), word-level differences, each source sentence once, long fields cut."""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import polars as pl
import pytest

from stages.aggregate.report import Documents, clip, normalise_run_block, pair_rows, summary_view, word_diff
from tests.aggregate.test_report import big_corpus, render
from tests.aggregate.tiny_corpus import A, B, C, build_tiny_corpus

ROOT = Path(__file__).resolve().parents[2]
DOC_ID = re.compile(r"\b[0-9a-f]{16}\b")


def index_data(page: str) -> dict:
    raw = re.search(r'<script type="application/json" id="doc-index-data">(.*?)</script>', page, re.DOTALL).group(1)
    return json.loads(raw)


def visible_text(page: str) -> str:
    """The page without tags, attributes, style, scripts and SVG: what a reader sees."""
    page = re.sub(r"(?s)<(script|style|svg)\b.*?</\1>", "", page)
    return re.sub(r"<[^>]*>", " ", page)


def test_word_diff_marks_the_changed_words():
    left, right = word_diff("Police said three officials were hurt.", "Police said two officials were hurt.")
    assert left == [("", "Police said"), ("del", "three"), ("", "officials were hurt.")]
    assert right == [("", "Police said"), ("ins", "two"), ("", "officials were hurt.")]
    assert word_diff("a b c", "a b c") == ([("", "a b c")], [("", "a b c")])


def test_pair_view_shows_del_and_ins():
    t = build_tiny_corpus()
    changed = "Officials from Israel and Qatar met in Milan on Sunday."
    t["sentences"] = t["sentences"].with_columns(
        pl.when(pl.col("sent_id") == f"{B}:0:0").then(pl.lit(changed)).otherwise(pl.col("text")).alias("text"))
    t["alignments"] = t["alignments"].with_columns(pl.lit("near").alias("method"))
    page = render(t)
    assert "<del>Rome</del>" in page and "<ins>Milan</ins>" in page
    assert "<del>" not in render(build_tiny_corpus()).split('<section id="stories">')[1].split("</section>")[0] \
        .replace("<del>only in the source</del>", "")   # identical sentences: nothing marked


def test_a_moved_sentence_shows_its_source_once():
    source = [("s0", "one"), ("s1", "two"), ("s2", "three")]
    copy = [("c0", "three"), ("c1", "one"), ("c2", "two")]
    rows = pair_rows(source, copy, {"c0": ("s2", "exact"), "c1": ("s0", "exact"), "c2": ("s1", "exact")})
    lefts = [left for left, _, _, _ in rows if left is not None]
    assert sorted(lefts) == ["one", "three", "two"]           # each source sentence once
    assert ("three", "three", "exact", True) in rows
    # Two copy sentences aligned to one source sentence: the source sentence is still shown once.
    rows = pair_rows(source, [("c0", "two"), ("c1", "one"), ("c2", "two again")],
                     {"c0": ("s1", "exact"), "c1": ("s0", "exact"), "c2": ("s1", "near")})
    assert [left for left, _, _, _ in rows].count("two") == 1


def test_index_has_one_row_per_document_named_by_file_site_and_title():
    t = build_tiny_corpus()
    t["clean_docs"] = t["clean_docs"].with_columns(pl.Series("site", ["example.org", "copies.net", None]))
    page = render(t)
    rows = re.findall(r'<tr id="doc-([0-9a-f]{16})">(.*?)</tr>', page)
    assert sorted(doc_id for doc_id, _ in rows) == sorted(t["stories"]["doc_id"].to_list())
    assert len(index_data(page)["rows"]) == t["stories"].height
    first = dict(rows)[B]
    assert "seeds/b.txt" in first and "copies.net" in first and "Talks in Rome (copy)" in first
    assert f'<a href="#doc-{A}">seeds/a.txt · example.org</a>' in first    # its source, linked
    assert '<a href="#story-s-a">' in first                                 # its story, linked
    # Stories link to their documents; no bare doc_id is shown anywhere a reader looks.
    stories = page.split('<section id="stories">')[1].split("</section>")[0]
    assert f'<a href="#doc-{A}">Talks in Rome</a>' in stories
    assert not DOC_ID.search(visible_text(page))


def test_index_is_cut_to_max_index_rows_with_the_shown_stories_first():
    t = big_corpus(60)
    page = render(t, {"report": {"max_index_rows": 12, "top_stories": 2}})
    listed = re.findall(r'<tr id="doc-([0-9a-f]{16})">', page)
    assert len(listed) == 12 and "12 of 60 documents" in page
    shown = t["stories"].filter(pl.col("story_id").is_in(["s0", "s1"]))["doc_id"].to_list()
    assert set(shown) <= set(listed)
    linked = set(re.findall(r'href="#doc-([0-9a-f]{16})"', page))
    assert linked <= set(listed)   # every link has a row to go to


def test_long_fields_are_cut_and_say_so():
    t = build_tiny_corpus()
    huge = "A" * 3_000_000
    t["clean_docs"] = t["clean_docs"].with_columns(pl.lit(huge).alias("title"))
    t["sentences"] = t["sentences"].with_columns(
        pl.when(pl.col("sent_id") == f"{A}:0:0").then(pl.lit("word " * 200_000)).otherwise(pl.col("text"))
        .alias("text"))
    page = render(t, {"report": {"max_field_chars": 300}})
    assert len(page.encode()) < 200_000, len(page.encode())
    assert "[cut: 3,000,000 characters]" in page and "[cut: 1,000,000 characters]" in page
    assert clip("x" * 100, 60) == "x" * 37 + "… [cut: 100 characters]" and clip("abc", 3) == "abc"
    assert len(clip("x" * 100, 60)) == 60 and clip(clip("x" * 100, 60), 60) == clip("x" * 100, 60)  # cut once
    assert "[cut: 3" not in page.replace("[cut: 3,000,000 characters]", "")


def test_index_json_cannot_close_its_script():
    t = build_tiny_corpus()
    t["clean_docs"] = t["clean_docs"].with_columns(pl.lit("</script><script>alert(1)</script> & more").alias("title"))
    page = render(t)
    assert page.count("</script>") == 2
    assert index_data(page)["rows"][0][2] == "</script><script>alert(1)</script> & more"


def test_same_tables_same_page_outside_the_run_block():
    page = render(build_tiny_corpus())
    assert normalise_run_block(page) == normalise_run_block(render(build_tiny_corpus()))
    assert page.count("<!-- run:begin") == 1 and page.count("<!-- run:end -->") == 1


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="chromium not installed (apt-get install -y chromium) - browser check skipped")
def test_index_search_filter_and_sort_in_headless_chromium(tmp_path):
    """The page's own script, driven as a reader would (typing in the search box, choosing a relation,
    clicking a column), then the DOM as Chromium left it."""
    spec = importlib.util.spec_from_file_location("report_check", ROOT / "bench" / "report_check.py")
    report_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report_check)
    page = render(build_tiny_corpus())
    drive = ('<script>(function(){var q=document.getElementById("doc-index-q");q.value="rome";'
             'q.dispatchEvent(new Event("input"));var r=document.getElementById("doc-index-relation");'
             'r.value="near_duplicate";r.dispatchEvent(new Event("input"));'
             'document.body.setAttribute("data-after-filter",document.getElementById("doc-index-count").textContent);'
             'r.value="";r.dispatchEvent(new Event("input"));q.value="";q.dispatchEvent(new Event("input"));'
             'var th=document.querySelectorAll("#doc-index th")[2];th.click();th.click();'
             'document.body.setAttribute("data-order",Array.prototype.map.call('
             'document.querySelectorAll("#doc-index tbody tr"),function(t){return t.id;}).join(","));}());</script>')
    path = tmp_path / "driven.html"
    path.write_text(page.replace("</body>", drive + "</body>"), encoding="utf-8")
    chromium = report_check.find_chromium()
    proc = subprocess.run([chromium, *report_check.COMMON_FLAGS, f"--user-data-dir={tmp_path}/profile", "--dump-dom",
                           path.resolve().as_uri()], capture_output=True, text=True, timeout=120)
    dom = proc.stdout
    assert 'data-after-filter="1 of 3 documents shown"' in dom      # "rome" and near_duplicate: the copy
    # Sorted by title, descending (two clicks): Talks in Rome (copy), Talks in Rome, Storms.
    assert f'data-order="doc-{B},doc-{A},doc-{C}"' in dom
    assert 'id="doc-index-controls" class="controls" hidden' not in dom  # the script showed its controls


def test_confidence_and_evidence_columns_are_shown_when_present():
    t = build_tiny_corpus()
    t["stories"] = t["stories"].with_columns(pl.Series("confidence", [1.0, 0.8766, 1.0]),
                                             pl.Series("evidence_sent_ids", [[], [f"{B}:0:0", f"{B}:9:9"], []]))
    page = render(t)
    stories = page.split('<section id="stories">')[1].split("</section>")[0]
    assert "<th>confidence</th><th>evidence sent ids</th>" in stories
    assert "0.877" in stories and "“Officials from Israel and Qatar met in Rome on Sunday.”" in stories
    assert "(a sentence not shown)" in stories
    assert "<th>confidence</th>" in page.split('<section id="documents">')[1].split("</section>")[0]
    assert not DOC_ID.search(visible_text(page))


def test_summary_names_faulty_documents_by_file():
    t = build_tiny_corpus()
    docs = Documents(t["ingest_docs"], t["clean_docs"], t["stories"])
    cards = dict(summary_view({"faults": {"documents": 2, "rows": 3, "doc_ids": f"{A} {B}"}}, docs))
    assert cards["faults"] == [("documents", 2), ("rows", 3), ("documents named", "seeds/a.txt seeds/b.txt")]


def test_related_stories_are_listed_by_title_with_what_they_share():
    t = build_tiny_corpus()
    stories = dict(t["stories"].select("doc_id", "story_id").iter_rows())
    a, c = sorted([(stories[A], A), (stories[C], C)])
    related = pl.DataFrame({"story_id_a": [a[0]], "story_id_b": [c[0]], "doc_id_a": [a[1]], "doc_id_b": [c[1]],
                            "score": [0.42], "n_entities": [2], "n_days": [1], "n_figures": [0],
                            "shared_entities": [["Qatar", "Israel"]], "shared_days": [["2024-05-19"]],
                            "shared_figures": [[]]})
    section = render(t, related=related).split('<section id="related">')[1].split("</section>")[0]
    assert "Qatar, Israel" in section and "2024-05-19" in section and "0.42" in section
    assert not DOC_ID.search(visible_text(section))
    empty = render(t).split('<section id="related">')[1].split("</section>")[0]
    assert "<table>" not in empty
