"""The HTML report: self-contained (no external reference), escaped, deterministic, bounded, and it renders
in headless Chromium with no console message and no network request (skipped when chromium is absent)."""
from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest

from schemas.aggregate import Related
from schemas.base import empty_frame
from stages.aggregate.cooccurrence import cooccurrence
from stages.aggregate.entity_stats import entity_stats
from stages.aggregate.metrics import boilerplate_by_document, compute_metrics
from stages.aggregate.report import increasing_backbone, pair_rows, render_report
from stages.aggregate.timeline import build_timeline
from tests.aggregate.tiny_corpus import A, build_tiny_corpus
from tests.shipped_params import shipped

NO_FAULTS = pl.DataFrame(schema={"doc_id": pl.String, "extractor": pl.String})
NO_RELATED = empty_frame(Related)
ROOT = Path(__file__).resolve().parents[2]
HOSTILE_TITLE = '<script>alert("t")</script>'
HOSTILE_NAME = '<img src=x onerror=alert(1)> $x$ & Co'
HOSTILE_SENTENCE = 'He said </td></table><b>bold</b> "quoted" & done.'


def render(t: dict, changes: dict | None = None, run: dict | None = None, related: pl.DataFrame | None = None) -> str:
    params = shipped("aggregate", {"cooccurrence": {"min_sentences": 1}, **(changes or {})})
    stats = entity_stats(t["entities"], t["stories"])
    pairs = cooccurrence(t["entities"], t["sentences"], t["stories"], params.cooccurrence, params.named_labels)
    timeline = build_timeline(t["dates"], t["sentences"], t["stories"], t["clean_docs"])
    boilerplate = boilerplate_by_document(t["ingest_docs"], t["removed"])
    metrics = compute_metrics(ingest_docs=t["ingest_docs"], rejected=t["rejected"], clean_docs=t["clean_docs"],
                              removed=t["removed"], boilerplate=boilerplate, sentences=t["sentences"],
                              entities=t["entities"], quotes=t["quotes"], dates=t["dates"],
                              tag_rows={"themes": 0}, stories=t["stories"], alignments=t["alignments"],
                              claims=t["claims"], cooccurrence=pairs, timeline=timeline,
                              named_labels=params.named_labels,
                              faults=NO_FAULTS, related=NO_RELATED if related is None else related)
    return render_report(metrics=metrics, ingest_docs=t["ingest_docs"], rejected=t["rejected"],
                         clean_docs=t["clean_docs"], removed=t["removed"], boilerplate=boilerplate,
                         sentences=t["sentences"], stories=t["stories"], alignments=t["alignments"],
                         claims=t["claims"], entity_stats=stats, cooccurrence=pairs, timeline=timeline,
                         params=params.report, labels=params.named_labels, run=run, related=related)


def hostile_corpus() -> dict:
    t = build_tiny_corpus()
    t["clean_docs"] = t["clean_docs"].with_columns(pl.lit(HOSTILE_TITLE).alias("title"))
    t["entities"] = t["entities"].with_columns(
        pl.when(pl.col("canonical") == "Qatar").then(pl.lit(HOSTILE_NAME)).otherwise(pl.col("canonical"))
        .alias("canonical"))
    t["sentences"] = t["sentences"].with_columns(
        pl.when(pl.col("sent_id") == f"{A}:2:0").then(pl.lit(HOSTILE_SENTENCE)).otherwise(pl.col("text"))
        .alias("text"))
    t["claims"] = t["claims"].with_columns(pl.lit(HOSTILE_SENTENCE).alias("text"))
    t["removed"] = t["removed"].with_columns(pl.lit("navigation").alias("reason"))
    return t


@pytest.fixture(scope="module")
def page() -> str:
    return render(build_tiny_corpus())


def test_every_section_with_real_charts(page):
    for section in ("run", "summary", "documents", "stories", "related", "entities", "network", "claims", "timeline",
                    "cleaning"):
        assert f'<section id="{section}">' in page
    svgs = re.findall(r"<svg\b.*?</svg>", page, flags=re.DOTALL)
    assert len(svgs) >= 6  # story sizes, entities, network, timeline, removed reasons, boilerplate share
    network = re.search(r'<section id="network">.*?(<svg\b.*?</svg>)', page, flags=re.DOTALL).group(1)
    assert len(re.findall(r'<path d="M[^"]*" class="line', network)) == 3   # three edges drawn, not an empty axis
    assert network.count("<circle") >= 3                                     # and the nodes
    assert "Israel" in network and "Qatar" in network
    assert 'class="m-exact"' in page  # aligned sentences of the copy highlighted
    assert "<td>navigation</td><td class=\"n\">6</td><td>Menu | Home</td>" in page  # audit with examples
    assert "<h3>Rejected inputs (1)</h3>" in page and "unsupported format &#39;.pdf&#39;" in page


def test_no_external_reference(page):
    assert not re.search(r"(?i)https?://", page)
    assert not re.search(r"(?i)<(link|iframe|img|object|embed)\b", page)
    # Two scripts, both inline: the index's data (JSON, never run) and its search/filter/sort.
    assert re.findall(r"(?i)<script\b[^>]*>", page) == ['<script type="application/json" id="doc-index-data">',
                                                         "<script>"]
    assert not re.search(r"(?i)\b(src|srcset)\s*=", page)
    assert not re.search(r"(?i)url\(\s*['\"]?(?!#)", page)  # CSS url() only to in-page ids
    assert "@import" not in page and "<!DOCTYPE svg" not in page and "<?xml" not in page


def test_hostile_text_is_escaped():
    page = render(hostile_corpus())
    assert page.lower().count("<script") == 2 and 'alert("t")' not in page   # only the page's own two
    assert "\\u003cscript\\u003ealert(\\\"t\\\")\\u003c/script\\u003e" in page   # in the index's JSON
    assert "<img" not in page.lower() and "<b>bold" not in page
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt;" in page   # markupsafe: &#34; for "
    assert "&lt;/td&gt;&lt;/table&gt;&lt;b&gt;bold&lt;/b&gt;" in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page  # in tables and in the charts' <text>
    assert not re.search(r"(?i)https?://", page)


def test_byte_identical_across_runs_and_hash_seeds(page, tmp_path):
    assert render(build_tiny_corpus()) == page
    script = ("import hashlib, sys; sys.path[:0] = [sys.argv[1]]\n"
              "from tests.aggregate.test_report import render, build_tiny_corpus\n"
              "print(hashlib.sha256(render(build_tiny_corpus()).encode()).hexdigest())")
    digests = set()
    for seed in ("1", "2"):
        proc = subprocess.run([sys.executable, "-c", script, str(ROOT)], capture_output=True, text=True, cwd=ROOT,
                              env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin",
                                   "HOME": os.environ.get("HOME", "/tmp")}, timeout=120)
        assert proc.returncode == 0, proc.stderr
        digests.add(proc.stdout.strip())
    assert digests == {hashlib.sha256(page.encode()).hexdigest()}


def test_pair_rows_align_copy_beside_source():
    source = [("s0", "one"), ("s1", "two"), ("s2", "three"), ("s3", "four"), ("s4", "five")]
    copy = [("c0", "one"), ("c1", "new"), ("c2", "five?"), ("c3", "two"), ("c4", "three!")]
    # c2 jumps ahead to s4: it must not push s1..s3 out of line with c3 and c4.
    aligned = {"c0": ("s0", "exact"), "c2": ("s4", "paraphrase"), "c3": ("s1", "exact"), "c4": ("s2", "near")}
    assert pair_rows(source, copy, aligned) == [
        ("one", "one", "exact", False),
        (None, "new", None, False),
        ("five", "five?", "paraphrase", True),
        ("two", "two", "exact", False),
        ("three", "three!", "near", False),
        ("four", None, None, False),   # "five" was shown beside c2: not again in source order
    ]


def test_increasing_backbone():
    assert increasing_backbone([]) == set()
    assert increasing_backbone([0, 4, 1, 2, 3]) == {0, 2, 3, 4}
    assert increasing_backbone([3, 2, 1]) == {2}


def big_corpus(n_docs: int) -> dict:
    """n_docs documents: every 3 documents one story (original + 2 copies), 4 sentences each."""
    t = build_tiny_corpus()
    docs = [f"{i:016x}" for i in range(1, n_docs + 1)]
    sentences = pl.DataFrame([{"doc_id": d, "sent_id": f"{d}:{k}:0", "paragraph": k, "index": 0, "start": k * 50,
                               "end": k * 50 + 30, "text": f"Sentence {k} of story {i // 3} names Person{i % 50}."}
                              for i, d in enumerate(docs) for k in range(4)])
    entities = pl.DataFrame([{"doc_id": d, "sent_id": f"{d}:{k}:0", "start": k * 50, "end": k * 50 + 5,
                              "text": name, "label": "PERSON", "canonical": name,
                              "entity_id": hashlib.sha256(name.encode()).hexdigest()[:16]}
                             for i, d in enumerate(docs) for k in range(4)
                             for name in (f"Person{i % 50}", f"Person{(i + k) % 50}")])
    stories = pl.DataFrame({"doc_id": docs, "story_id": [f"s{i // 3}" for i in range(n_docs)],
                            "relation": ["original" if i % 3 == 0 else "near_duplicate" for i in range(n_docs)],
                            "source_doc_id": [None if i % 3 == 0 else docs[i - i % 3] for i in range(n_docs)],
                            "similarity": [1.0] * n_docs, "jaccard": [1.0] * n_docs,
                            "containment": [1.0] * n_docs, "aligned_share": [1.0] * n_docs,
                            "story_size": [3] * n_docs, "duplicate_of": [None] * n_docs},
                           schema_overrides={"source_doc_id": pl.String, "duplicate_of": pl.String})
    alignments = pl.DataFrame([{"doc_id": d, "sent_id": f"{d}:{k}:0", "source_doc_id": docs[i - i % 3],
                                "source_sent_id": f"{docs[i - i % 3]}:{k}:0", "similarity": 1.0, "method": "exact"}
                               for i, d in enumerate(docs) if i % 3 for k in range(4)])
    claims = pl.DataFrame({"claim_id": [f"k{i}" for i in range(n_docs)],
                           "text": [f"Claim {i}." for i in range(n_docs)], "sent_id": [f"{d}:0:0" for d in docs],
                           "n_docs": [3] * n_docs, "n_stories": [1 + i % 4 for i in range(n_docs)],
                           "doc_ids": [[d] * 3 for d in docs], "sent_ids": [[f"{d}:0:0"] for d in docs]})
    ingest = pl.DataFrame({"doc_id": docs, "source_path": [f"seeds/{d}.txt" for d in docs],
                           "n_bytes": [100] * n_docs, "raw_text": ["Menu\nbody"] * n_docs})
    removed = pl.DataFrame({"doc_id": docs, "line_no": [1] * n_docs, "text": ["Menu"] * n_docs,
                            "reason": ["navigation"] * n_docs})
    clean = pl.DataFrame({"doc_id": docs, "title": [f"Story {i // 3}" for i in range(n_docs)],
                          "is_truncated": [False] * n_docs, "is_empty": [False] * n_docs,
                          "published_date": [None] * n_docs}, schema_overrides={"published_date": pl.Date})
    dates = t["dates"].head(0)
    return {**t, "ingest_docs": ingest, "removed": removed, "clean_docs": clean, "sentences": sentences,
            "entities": entities, "stories": stories, "alignments": alignments, "claims": claims, "dates": dates}


def test_size_is_bounded_by_top_n():
    bounded = {"report": {"max_index_rows": 100}}   # the index lists every document up to this cut
    small = len(render(big_corpus(150), bounded).encode())
    large = len(render(big_corpus(600), bounded).encode())
    assert large < small * 1.15, (small, large)
    assert large < 600_000


@pytest.mark.skipif(shutil.which("chromium") is None,
                    reason="chromium not installed (apt-get install -y chromium) - browser check skipped")
def test_renders_in_headless_chromium(page, tmp_path):
    spec = importlib.util.spec_from_file_location("report_check", ROOT / "bench" / "report_check.py")
    report_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(report_check)
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    result = report_check.check_html(path)
    assert result["returncode"] == 0
    assert result["console"] == [] and result["requests"] == []
    assert result["sections"] == ["run", "summary", "documents", "stories", "related", "entities", "network", "claims",
                                  "timeline", "cleaning"]
    assert result["svg_count"] >= 6
    assert result["index_rows"] == 3 and result["index_script_ran"] and result["ok"]
    # Without its script the page still reads (the table is there), but the checker sees the script missing.
    inert = tmp_path / "inert.html"
    inert.write_text(re.sub(r"(?s)<script>\n.*?</script>", "", page), encoding="utf-8")
    unscripted = report_check.check_html(inert)
    assert unscripted["index_rows"] == 3 and not unscripted["index_script_ran"] and not unscripted["ok"]
    # The checker itself sees a page that breaks the rules.
    bad = tmp_path / "bad.html"
    bad.write_text(report_check.CONTROL_PAGE, encoding="utf-8")
    caught = report_check.check_html(bad)
    assert caught["console"] and caught["requests"] == ["https://example.com/control.png"]
