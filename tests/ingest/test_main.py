"""ingest: every input file ends in documents or rejected, with a reason a person understands."""
from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest

import stages.ingest.__main__ as stage
from schemas.ingest import IngestDocuments, IngestRejected
from stages.common import sha16
from stages.ingest.html import VOTE_TRAFILATURA
from tests.hostile_corpus import BODY, write_hostile_corpus
from tests.shipped_params import shipped

# The shipped params with a small size limit, reading `in/`, without a cache (tests/ingest/test_cache.py
# checks the cache).
CHANGES = {"input_dir": "in", "max_bytes": 10_000, "cache": False}
PARAMS = shipped("ingest", CHANGES)

ARTICLE = "Headline here\n\nSenior officials met in Rome on Sunday to discuss a truce in Gaza.\n"
HTML = ("<html><head><title>Talks in Rome</title></head><body><nav>Home | World</nav><article>"
        "<h1>Talks in Rome</h1><p>Senior officials from Israel, Qatar and the United States met in Rome on "
        "Sunday to continue negotiations over a cease-fire in Gaza, officials said.</p><p>The talks came as "
        "tensions mounted in the region amid growing violence along the border.</p></article></body></html>")


def ingest(params=PARAMS) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Documents and rejected of `in/` (under the working directory), validated as the stage writes them."""
    documents, rejected, _ = stage.ingest_files(stage.list_inputs(Path("in")), params, stage.rows_cache(params))
    return IngestDocuments.validate(documents), IngestRejected.validate(rejected)


def run(tmp_path: Path, files: dict[str, bytes], params=PARAMS) -> tuple[pl.DataFrame, pl.DataFrame]:
    root = tmp_path / "in"
    root.mkdir()
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        return ingest(params)
    finally:
        os.chdir(old)


def reason(rejected: pl.DataFrame, path: str) -> str:
    rows = rejected.filter(pl.col("source_path") == path)["reason"].to_list()
    assert rows, f"{path} not rejected; rejected = {rejected.to_dicts()}"
    return rows[0]


def test_plain_text_gets_contract_id_and_utf8(tmp_path):
    docs, rejected = run(tmp_path, {"a.txt": ARTICLE.encode()})
    assert rejected.height == 0
    row = docs.row(0, named=True)
    assert row["doc_id"] == sha16(ARTICLE.encode())
    assert row["source_path"] == "in/a.txt" and row["source_format"] == "txt"
    assert row["encoding"] == "utf-8" and row["n_bytes"] == len(ARTICLE.encode())
    assert row["raw_text"] == ARTICLE
    assert docs.columns == list(IngestDocuments.to_schema().columns)
    assert (row["meta_title"], row["meta_authors"], row["meta_date"]) == (None, [], None)


@pytest.mark.parametrize("data,encoding", [
    ("Caf\u00e9 \u201cquoted\u201d text about the talks in Rome.".encode("utf-8-sig"), "utf-8-sig"),
    ("Caf\u00e9 \u201cquoted\u201d text about the talks in Rome.".encode("utf-16"), "utf-16"),
    ("Caf\u00e9 \u201cquoted\u201d text about the talks in Rome and the cease-fire in Gaza.".encode("cp1252"),
     None),
])
def test_encodings_are_detected(tmp_path, data, encoding):
    docs, rejected = run(tmp_path, {"a.txt": data})
    assert rejected.height == 0
    assert docs["raw_text"][0] .startswith("Caf\u00e9 \u201cquoted\u201d")
    if encoding:
        assert docs["encoding"][0] == encoding


def test_mojibake_is_repaired_and_line_ends_normalised(tmp_path):
    data = "The president\u00e2\u20ac\u2122s office said.\r\nSecond line\rThird".encode("utf-8")
    docs, _ = run(tmp_path, {"a.txt": data})
    assert docs["raw_text"][0] == "The president\u2019s office said.\nSecond line\nThird"


def test_control_characters_are_dropped_but_text_kept(tmp_path):
    docs, rejected = run(tmp_path, {"a.txt": b"Officials met\x00 in Rome on Sunday\x07 to talk about a truce."})
    assert rejected.height == 0
    assert docs["raw_text"][0] == "Officials met in Rome on Sunday to talk about a truce."


def test_bad_inputs_are_rejected_with_reasons(tmp_path):
    files = {
        "empty.txt": b"",
        "blank.txt": b"  \n\t\n ",
        "image.txt": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4,
        "noise.txt": bytes(range(256)) * 8,
        "doc.pdf": b"%PDF-1.4 ...",
        "big.txt": b"a" * 10_001,
        "copy.txt": ARTICLE.encode(),
        "orig.txt": ARTICLE.encode(),
    }
    docs, rejected = run(tmp_path, files)
    assert "empty" in reason(rejected, "in/empty.txt")
    assert "whitespace" in reason(rejected, "in/blank.txt")
    assert "PNG" in reason(rejected, "in/image.txt")
    assert "binary" in reason(rejected, "in/noise.txt")
    assert "unsupported format '.pdf'" in reason(rejected, "in/doc.pdf")
    assert "max_bytes" in reason(rejected, "in/big.txt")
    # Sorted order decides which copy is kept: copy.txt comes first.
    assert reason(rejected, "in/orig.txt") == "same bytes as in/copy.txt"
    assert docs["source_path"].to_list() == ["in/copy.txt"]
    by_path = {row["source_path"]: row for row in rejected.iter_rows(named=True)}
    assert by_path["in/orig.txt"]["doc_id"] == sha16(ARTICLE.encode())   # a copy names the bytes it repeats
    assert by_path["in/empty.txt"]["n_bytes"] == 0 and by_path["in/image.txt"]["doc_id"] is None


def test_every_file_lands_in_exactly_one_table(tmp_path):
    files = {"a.txt": ARTICLE.encode(), "b.bin": b"\x00\x01", "sub dir/\u00e9t\u00e9 'q'.md": b"# Title\n\nBody text.",
             "x.txt": b""}
    docs, rejected = run(tmp_path, files)
    seen = sorted(docs["source_path"].to_list() + rejected["source_path"].to_list())
    assert seen == sorted(f"in/{name}" for name in files)


def test_jsonl_keeps_good_lines_and_rejects_bad_ones(tmp_path):
    good = json.dumps({"text": "Officials met in Rome.", "title": "Rome talks", "date": "2024-07-28",
                       "url": "https://example.com/a"})
    lines = [good, "{not json", json.dumps([1, 2]), json.dumps({"title": "no body"}), "",
             json.dumps({"body": "Another article body.", "date": "26-FEB-1987 15:01:01.79"}), good]
    docs, rejected = run(tmp_path, {"feed.jsonl": "\n".join(lines).encode()})
    assert docs["source_path"].to_list() == ["in/feed.jsonl#1", "in/feed.jsonl#6"]
    first = docs.row(0, named=True)
    assert first["doc_id"] == sha16(good.encode())
    assert (first["meta_title"], first["meta_date"], first["meta_url"]) == \
        ("Rome talks", "2024-07-28", "https://example.com/a")
    assert docs.row(1, named=True)["meta_date"] == "1987-02-26"
    assert "not valid JSON" in reason(rejected, "in/feed.jsonl#2")
    assert "not an object" in reason(rejected, "in/feed.jsonl#3")
    assert "no non-empty text field (tried 'text', 'body'" in reason(rejected, "in/feed.jsonl#4")
    assert reason(rejected, "in/feed.jsonl#7") == "same bytes as in/feed.jsonl#1"


def test_html_goes_through_the_extractor_with_metadata(tmp_path):
    docs, rejected = run(tmp_path, {"page.html": HTML.encode()})
    assert rejected.height == 0, rejected.to_dicts()
    row = docs.row(0, named=True)
    assert row["source_format"] == "html"
    # The page's visible text, one block a line, each with the extractors that keep it (clean decides):
    # the menu is trafilatura's no-vote (bit 1 unset), the article both extractors'.
    lines = row["raw_text"].split("\n")
    assert len(row["line_votes"]) == len(lines) and row["extractor"] == "trafilatura+readability"
    votes = dict(zip(lines, row["line_votes"]))
    assert votes["Home | World"] & VOTE_TRAFILATURA == 0
    assert votes[next(line for line in lines if "Senior officials from Israel" in line)] == 3
    assert row["meta_title"] == "Talks in Rome"


def test_html_no_extractor_reads_gives_the_visible_text():
    from stages.ingest.html import html_to_record, line_votes
    assert line_votes(["A menu", "Some words here"], "", "") == ([0, 0], "visible_text")
    record = html_to_record("<html><head><script>x()</script></head><body><div>Only <b>this</b></div>"
                            "<div hidden>not shown</div></body></html>")
    assert record["raw_text"] == "Only this" and record["extractor"] in ("visible_text", "trafilatura",
                                                                          "readability", "trafilatura+readability")


def test_html_content_left_inside_head_by_a_stray_element_is_visible():
    # No <body>, a non-head element in <head>: lxml keeps everything inside <head>, a browser shows it.
    from stages.ingest.html import visible_lines
    html = ("<html><head><title>Rates rise</title><meta name='robots' content='all'><mbox>"
            "<table><tr><td>Menu</td></tr><tr><td><p>The bank raised its rates on Tuesday.</p></td></tr></table>"
            "</head></html>")
    assert visible_lines(html) == ["Rates rise", "Menu", "The bank raised its rates on Tuesday."]


def test_html_comments_inside_a_paragraph_keep_the_text_after_them():
    # etree.iterwalk skips comment nodes with their tails: the words after "<!--link-->" were lost.
    from stages.ingest.html import visible_lines
    html = ("<html><body><p>Faced with a slowdown, <!--link-->Sprint Nextel (<a href='/n'>News</a>)<!--end--> "
            "announced cuts.<?php x ?> More.</p></body></html>")
    assert visible_lines(html) == ["Faced with a slowdown, Sprint Nextel (News) announced cuts. More."]


def test_html_documents_after_the_first_html_end_are_read_like_a_browser():
    # Server-side includes: a second whole document after the first </html>. lxml keeps it as a sibling of
    # the tree's root, which no extractor and no walk of the tree saw: the article was lost.
    from stages.ingest.html import html_to_record, joined_documents
    article = "The council voted on Tuesday to close the old bridge for repairs. " * 4
    html = ("<html><head><title>Weather</title></head><body><div>Temperature: 25</div></body></html>\n"
            "<script>f()</script><!DOCTYPE html><html><head><title>Bridge closes</title></head>"
            f"<body>Bridge closes<p>{article}</p><p>{article}</p></body></html>")
    record = html_to_record(html)
    lines = record["raw_text"].split("\n")
    assert lines[:3] == ["Weather", "Temperature: 25", "Bridge closes"] and lines[3] == article.strip()
    assert record["line_votes"][3] != 0                # the extractors see the article too
    plain = "<html><body><p>One page.</p></body></html>\n"
    assert joined_documents(plain) is plain            # nothing after </html>: not even parsed


def test_each_line_carries_the_markup_around_it():
    # Tags and class/id words of the element and its ancestors; a bit needs half the line's characters.
    from stages.ingest.html import MARKUP, visible_lines_marked
    html = ("<html><head><title>Rates</title></head><body><nav><a href='/'>Home</a></nav>"
            "<div class='articleBody'><p>The bank raised its rates on Tuesday, <a href='/x'>analysts</a> said.</p>"
            "</div><div id='comments-list'><p>Great article.</p></div>"
            "<ul class='related-STORIES'><li><a href='/y'>Rates rose last year too</a></li></ul></body></html>")
    lines, markup = visible_lines_marked(html)
    bits = dict(zip(lines, markup))
    assert lines == ["Rates", "Home", "The bank raised its rates on Tuesday, analysts said.", "Great article.",
                     "Rates rose last year too"]
    assert bits["Rates"] == 0
    assert bits["Home"] == MARKUP["chrome"] | MARKUP["link"] | MARKUP["some_link"]
    assert bits["The bank raised its rates on Tuesday, analysts said."] == MARKUP["article"] | MARKUP["some_link"]
    assert bits["Great article."] == MARKUP["comment"]
    assert bits["Rates rose last year too"] == (MARKUP["related"] | MARKUP["list_item"] | MARKUP["link"]
                                                | MARKUP["some_link"])


def test_line_votes_mark_trafilaturas_comment_section_with_a_third_bit():
    from stages.ingest.html import VOTE_COMMENTS, line_votes
    lines = ["The council approved the new budget on Monday night.", "Great article, thanks for writing it up."]
    votes, extractor = line_votes(lines, lines[0], "", lines[1])
    assert votes == [VOTE_TRAFILATURA, VOTE_COMMENTS] and extractor == "trafilatura"


def test_html_without_text_is_rejected(tmp_path):
    _, rejected = run(tmp_path, {"empty.html": b"<html><body><div></div></body></html>"})
    assert "no extractable" in reason(rejected, "in/empty.html")


def test_symlinks_and_fifos_are_rejected_without_being_followed(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("outside the input folder")
    root = tmp_path / "in"
    root.mkdir()
    (root / "link.txt").symlink_to(outside)
    (root / "dirlink").symlink_to(tmp_path)
    os.mkfifo(root / "pipe.txt")
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        docs, rejected = ingest()
    finally:
        os.chdir(old)
    assert docs.height == 0
    assert rejected.filter(pl.col("source_path") == "in/pipe.txt")["n_bytes"].to_list() == [None]
    assert "symbolic link" in reason(rejected, "in/link.txt")
    assert "symbolic link" in reason(rejected, "in/dirlink")
    assert "FIFO" in reason(rejected, "in/pipe.txt")


def test_doc_id_depends_only_on_bytes(tmp_path):
    docs, _ = run(tmp_path, {"one/a.txt": ARTICLE.encode()})
    assert docs["doc_id"][0] == sha16(ARTICLE.encode())


def test_short_html_page_falls_back_to_every_paragraph(tmp_path):
    docs, rejected = run(tmp_path, {"short.html": b"<html><body><p>Officials met in Rome.</p></body></html>"})
    assert rejected.height == 0 and docs["raw_text"][0] == "Officials met in Rome."


def test_hostile_corpus_completes_and_loses_nothing(tmp_path):
    """The generated corpus of issue 'Reliability': every file ends in exactly one table, with a reason."""
    params = shipped("ingest", {**CHANGES, "max_bytes": 20_000_000})
    root = tmp_path / "in"
    names = write_hostile_corpus(root, tmp_path / "outside.txt")
    body = BODY
    old = os.getcwd()
    os.chdir(tmp_path)
    try:
        docs, rejected = ingest(params)
    finally:
        os.chdir(old)
    top_level = [p.split("#")[0] for p in docs["source_path"].to_list() + rejected["source_path"].to_list()]
    expected = sorted(f"in/{name}" for name in names)
    assert sorted(set(top_level)) == expected
    by_path = dict(zip(docs["source_path"], docs["raw_text"]))
    assert "broken bytes" in by_path["in/invalid-utf8.txt"]
    assert by_path["in/cp1252.txt"].startswith("Caf\u00e9 na\u00efve \u201cquote\u201d")
    assert by_path["in/utf16.txt"] == body
    assert by_path["in/crlf.txt"] == body and by_path["in/cr.txt"] == body
    assert by_path["in/controls.txt"] == "Senior officials met in Rome on Sunday to discuss a truce in Gaza."
    assert "\U0001F600" in by_path["in/bidi.txt"]
    assert by_path["in/million-lines.txt"].count("\n") == 1_000_000
    assert "Officials met in Rome." in by_path["in/malformed.html"]
    assert {"in/mixed.jsonl#1", "in/mixed.jsonl#3"} <= set(by_path)
    assert "binary" in reason(rejected, "in/binary.txt")
    assert "max_bytes" in reason(rejected, "in/one-line-50mb.txt")
    assert "nested too deeply" in reason(rejected, "in/nested.html")
    assert "not valid JSON" in reason(rejected, "in/mixed.jsonl#2")
    assert "symbolic link" in reason(rejected, "in/link.txt")
    assert "FIFO" in reason(rejected, "in/fifo.txt")


def test_jsonl_metadata_columns(tmp_path):
    record = {"body": "Officials met in Rome.", "title": " Rome talks ", "subtitle": "A truce", "site": "",
              "authors": ["Jane Roe", " ", 7], "published_date": "28 July 2024", "url": 5}
    docs, _ = run(tmp_path, {"feed.jsonl": json.dumps(record).encode()})
    row = docs.row(0, named=True)
    assert {k: v for k, v in row.items() if k.startswith("meta_")} == {
        "meta_title": "Rome talks", "meta_description": "A truce", "meta_authors": ["Jane Roe"],
        "meta_date": "2024-07-28", "meta_site": None, "meta_url": None}


def test_the_stage_declares_its_paths():
    assert stage.OUTPUTS == ["data/ingest/documents.parquet", "data/ingest/rejected.parquet"]
    assert stage.INPUTS == ["data/check/params.ok", "${ingest.input_dir}"]


def test_escaped_lone_surrogates_in_jsonl_become_replacement_characters(tmp_path):
    # A JSON escape such as "\ud800" in a title or author made the stage crash building its table.
    line = '{"text": "Officials met \\ud800 in Rome.", "title": "Rome \\udc00 talks", "author": "Jane \\ud83d"}'
    docs, rejected = run(tmp_path, {"feed.jsonl": line.encode()})
    assert rejected.height == 0
    row = docs.row(0, named=True)
    assert (row["raw_text"], row["meta_title"], row["meta_authors"]) == \
        ("Officials met \ufffd in Rome.", "Rome \ufffd talks", ["Jane \ufffd"])


NEWS_PLEASE = {"authors": ["Jane Doe", "John Roe"], "date_download": "2024-05-20 08:00:00",
               "date_modify": None, "date_publish": "2024-05-19 10:30:00", "description": "Talks resume.",
               "filename": "x.json", "image_url": None, "language": "en", "localpath": None,
               "maintext": "Senior officials met in Rome on Sunday to discuss a truce in Gaza.",
               "source_domain": "example.com", "title": "Talks in Rome", "title_page": None, "title_rss": None,
               "url": "https://example.com/talks"}
TRAFILATURA = {"title": "Talks in Rome", "author": "Jane Doe; John Roe", "hostname": "example.com",
               "date": "2024-05-19", "fingerprint": "abc", "id": None, "license": None, "comments": "",
               "raw_text": "Senior officials met in Rome. On Sunday.",
               "text": "Senior officials met in Rome.\nOn Sunday.", "language": None, "image": None,
               "pagetype": "article", "source": "https://example.com/talks", "source-hostname": "Example News",
               "excerpt": "Talks resume.", "categories": "", "tags": ""}


@pytest.mark.parametrize("record,text,authors", [
    (NEWS_PLEASE, NEWS_PLEASE["maintext"], ["Jane Doe", "John Roe"]),
    (TRAFILATURA, TRAFILATURA["text"], ["Jane Doe; John Roe"]),
])
def test_news_please_and_trafilatura_json_are_read_as_they_are(tmp_path, record, text, authors):
    docs, rejected = run(tmp_path, {"feed.jsonl": json.dumps(record).encode()})
    assert rejected.height == 0
    row = docs.row(0, named=True)
    assert (row["raw_text"], row["meta_title"], row["meta_authors"]) == (text, "Talks in Rome", authors)
    assert (row["meta_date"], row["meta_url"], row["meta_description"]) == \
        ("2024-05-19", "https://example.com/talks", "Talks resume.")
    assert row["meta_site"] in {"example.com", "Example News"}


def test_jsonl_fields_param_maps_a_scrapers_own_keys(tmp_path):
    fields = {"text": ["article_body"], "title": ["headline_text"]}
    params = shipped("ingest", {**CHANGES, "jsonl_fields": fields})
    line = json.dumps({"article_body": "Officials met in Rome.", "headline_text": "Rome", "text": "not this"})
    docs, rejected = run(tmp_path, {"feed.jsonl": line.encode()}, params)
    assert rejected.height == 0
    assert (docs["raw_text"][0], docs["meta_title"][0]) == ("Officials met in Rome.", "Rome")
