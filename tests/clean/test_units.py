"""Unit tests of the clean stage on tiny inline texts."""
from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from stages.clean.document import clean_corpus, max_subarray
from stages.clean.lines import split_blocks
from stages.clean.metadata import find_date, is_dateline, parse_byline, parse_source_site

PARA = ("The minister said on Tuesday that the government would review the plan after the talks, which "
        "have been going on for months, and that a decision was expected by the end of the year.")
PARA2 = ("Officials in the region told reporters that the new rules were not yet in force, but that they "
         "would be applied to every company that had signed the agreement with the state.")


def frame(*raws: str, **meta) -> pl.DataFrame:
    rows = []
    for i, raw in enumerate(raws):
        rows.append({"doc_id": f"{i:016x}", "source_path": f"x{i}.txt", "source_format": "txt",
                     "n_bytes": len(raw), "encoding": "utf-8", "raw_text": raw,
                     "meta_title": meta.get("meta_title"), "meta_description": meta.get("meta_description"),
                     "meta_authors": meta.get("meta_authors", []), "meta_date": meta.get("meta_date"),
                     "meta_site": meta.get("meta_site"), "meta_url": None})
    return pl.DataFrame(rows, schema_overrides={"meta_authors": pl.List(pl.String), "meta_title": pl.String,
                                                "meta_description": pl.String, "meta_date": pl.String,
                                                "meta_site": pl.String, "meta_url": pl.String})


def accounted(raw: str, doc: dict, removed: pl.DataFrame) -> bool:
    nonblank = [i + 1 for i, line in enumerate(raw.split("\n")) if line.strip()]
    got = list(doc["body_line_nos"]) + [x for x in (doc["title_line_no"], doc["subtitle_line_no"]) if x]
    got += removed.filter(pl.col("doc_id") == doc["doc_id"])["line_no"].to_list()
    return sorted(got) == nonblank


def test_menu_and_cues_go_body_stays_short_line_between_body_stays():
    raw = "\n".join(["Home", "World", "Politics", "Plan Review Set After Long Talks", "By Jane Doe",
                     PARA, "NEW RULES", PARA2, "Advertisement", "Share this article", "Most Popular"])
    docs, removed = clean_corpus(frame(raw), {})
    doc = docs.row(0, named=True)
    reasons = dict(zip(removed["line_no"], removed["reason"]))
    assert doc["text"] == f"{PARA}\n\nNEW RULES\n\n{PARA2}"
    assert doc["title"] == "Plan Review Set After Long Talks" and doc["authors"] == ["Jane Doe"]
    assert reasons[1] in ("navigation", "widget") and reasons[2] == "navigation" and reasons[5] == "byline"
    assert reasons[9] == "advertisement" and reasons[10] == "share" and reasons[11] == "related"
    assert accounted(raw, doc, removed)


def test_min_body_words_param_changes_the_result():
    raw = "Menu\nShort sentence here that ends well and is long enough to pass.\nFooter"
    keep, _ = clean_corpus(frame(raw), {"min_body_words": 5, "length_low": 20})
    drop, _ = clean_corpus(frame(raw), {"min_body_words": 50, "length_low": 20})
    assert keep["text"][0] != "" and drop["text"][0] == ""


def test_line_repeated_across_documents_goes_unless_documents_are_copies():
    footer = "Copyright Example Media Group 2019 Terms Privacy"
    raws = [f"{PARA}\n{footer}", f"{PARA2}\n{footer}", f"Other news of the day was said to be here and there.\n"
            f"{PARA.replace('minister', 'mayor')}\n{footer}"]
    docs, removed = clean_corpus(frame(*raws), {"repeat_min_docs": 3})
    assert footer not in "".join(docs["text"].to_list())
    # Three copies of the same article keep their (shared) body.
    docs, removed = clean_corpus(frame(PARA + "\n" + PARA2, PARA + "\n" + PARA2, PARA + "\n" + PARA2), {})
    assert docs["text"].to_list() == [f"{PARA}\n\n{PARA2}"] * 3
    assert "repeated_across_docs" not in removed["reason"].to_list()


def test_hard_wrapped_paragraphs_are_joined():
    raw = ("Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating the drought since "
           "early\nJanuary and improving prospects for the coming temporao,\nalthough normal humidity levels "
           "have not been restored,\nComissaria Smith said in its weekly review.\n    The dry period means "
           "the temporao will be late this year.\n    Arrivals for the week ended February 22 were 155,221 "
           "bags\nof 60 kilos making a cumulative total for the season of 5.93\nmln against 5.81 at the same "
           "stage last year.\n")
    blocks = split_blocks(raw, {})
    assert [b[0] for b in blocks] == [[1, 2, 3, 4, 5], [6], [7, 8, 9]]
    docs, removed = clean_corpus(frame(raw), {})
    doc = docs.row(0, named=True)
    assert doc["text"].split("\n\n")[0].startswith("Showers continued throughout the week in the Bahia")
    assert "\n" not in doc["text"].split("\n\n")[0]
    assert accounted(raw, doc, removed)


def test_scraped_lines_are_not_joined():
    raw = f"{PARA}\n{PARA2}\nShort line"
    assert len(split_blocks(raw, {})) == 3


def test_foreign_passage_is_dropped_and_language_recorded():
    spanish = ("El asesor de seguros se especializa en brindar asesoramiento y gestión comercial en el ámbito "
               "de los seguros para las empresas del mercado peruano.")
    raw = "\n".join([PARA, spanish, PARA2])
    docs, removed = clean_corpus(frame(raw), {})
    assert docs["language"][0] == "en"
    assert dict(zip(removed["line_no"], removed["reason"]))[2] == "foreign_language"


def test_metadata_lines():
    assert parse_byline("By Jane Doe and John Roe", {}) == ["Jane Doe", "John Roe"]
    assert parse_byline("Vivian Yee contributed reporting from Cairo, and Iyad Abuheweila from Istanbul.",
                        {}) == ["Vivian Yee", "Iyad Abuheweila"]
    assert parse_byline("By the way, this is a sentence about nothing in particular at all.", {}) is None
    assert find_date("Sunday, May 19, 2024") == dt.date(2024, 5, 19)
    assert find_date("Updated : 19 November 2019, 09:01 AM") == dt.date(2019, 11, 19)
    assert is_dateline("Updated : 19 November 2019, 09:01 AM", {})
    assert not is_dateline("The talks on May 19, 2024 ended without any agreement between them.", {})
    assert parse_source_site("Source: Elections - nytimes.com") == "nytimes.com"


def test_html_metadata_is_used():
    raw = f"Plan Review Set\n{PARA}\n{PARA2}"
    docs, _ = clean_corpus(frame(raw, meta_title="Plan Review Set", meta_authors=["A B"],
                                 meta_date="2020-01-02", meta_site="example.com"), {})
    doc = docs.row(0, named=True)
    assert doc["title"] == "Plan Review Set" and doc["title_line_no"] == 1
    assert doc["authors"] == ["A B"] and doc["published_date"] == dt.date(2020, 1, 2)
    assert doc["site"] == "example.com"


def test_max_subarray():
    assert max_subarray([-5, 3, -1, 4, -10, 2]) == (1, 3, 6.0)
    assert max_subarray([-1, -2]) == (0, -1, 0.0)


@pytest.mark.parametrize("raw", ["", "\n\n  \n", "x" * 200_000, "a\n" * 50_000, "\x00\x01\u202e\u05e9 🙂",
                                 "By\nBy\n2024-13-45\nSource:", "\t\t\n\u00a0\n.\n"])
def test_total_on_odd_inputs(raw):
    docs, removed = clean_corpus(frame(raw), {"unknown_key": 1})
    doc = docs.row(0, named=True)
    assert accounted(raw, doc, removed)
    if not doc["text"]:
        assert doc["language"] == "und"


def test_empty_frame_and_missing_params():
    docs, removed = clean_corpus(frame("x").head(0), {})
    assert docs.height == 0 and removed.height == 0
    docs, _ = clean_corpus(frame(PARA), None)
    assert docs["text"][0] == PARA


def wire(body: str) -> str:
    """A news-wire body as Reuters-21578 has it: wrapped at ~65 characters, paragraphs indented."""
    import textwrap
    paragraphs = [textwrap.fill(p, 64) for p in body.split("\n")]
    return paragraphs[0] + "".join("\n    " + p for p in paragraphs[1:]) + "\n Reuter\n"


def test_wire_copies_keep_their_shared_body_and_lose_the_signature():
    raw = wire(f"{PARA}\n{PARA2}")
    other = wire("Shares of the company rose sharply on the news, traders said, after a week of "
                 "losses in a market that had been worried about the results.\nThe company did not comment.")
    docs, removed = clean_corpus(frame(raw, raw, raw, other), {})
    for text in docs["text"].to_list()[:3]:
        assert text == f"{PARA}\n\n{PARA2}"
    assert set(removed["reason"]) == {"repeated_across_docs"}  # the " Reuter" signature lines only
    assert set(removed["text"]) == {"Reuter"}


def test_extracted_html_text_keeps_short_lines():
    raw = "\n".join([PARA, "Ingredients", "1 cup flour", "2 eggs", PARA2, "Share this article"])
    html = frame(raw)
    html = html.with_columns(pl.lit("html").alias("source_format"))
    docs, removed = clean_corpus(html, {})
    assert docs["text"][0] == "\n\n".join([PARA, "Ingredients", "1 cup flour", "2 eggs", PARA2])
    txt_docs, _ = clean_corpus(frame(raw), {"extracted_formats": []})
    assert "1 cup flour" not in txt_docs["text"][0].split("\n\n")[0]


def test_truncation_needs_a_notice_right_after_the_body():
    cut, _ = clean_corpus(frame(f"{PARA}\n{PARA2}\nSubscribe to continue reading."), {})
    whole, _ = clean_corpus(frame(f"{PARA}\n{PARA2}\nMost Popular"), {})
    assert cut["is_truncated"][0] is True and whole["is_truncated"][0] is False


def test_headline_under_the_page_title_anchors_a_short_article():
    footer = ("Our customer service centre can be reached with any questions or requests about your "
              "account, your subscription, deliveries of the paper and the offers we send by email. " * 3)
    # A short article, then a long list of other headlines, then a long service notice: the notice alone
    # outscores the article, but the article sits right under the headline that repeats the page title.
    headlines = [f"Headline number {k} of the day" for k in range(12)]
    raw = "\n".join(["Minister Reviews Plan - The Daily Example", "News", "Sport", "Minister Reviews Plan",
                     "By STAFF", PARA, *headlines, footer])
    docs, removed = clean_corpus(frame(raw), {})
    doc = docs.row(0, named=True)
    assert doc["text"] == PARA and doc["title"] == "Minister Reviews Plan"
    assert dict(zip(removed["line_no"], removed["reason"]))[1] == "duplicate_title"


def test_page_title_line_gives_the_title_when_no_headline_repeats_it():
    raw = "\n".join(["Plan Review Set After Long Talks | The Daily Example", "News", "Sport", PARA, PARA2])
    docs, _ = clean_corpus(frame(raw), {})
    doc = docs.row(0, named=True)
    assert doc["title"] == "Plan Review Set After Long Talks" and doc["title_line_no"] == 1
    assert doc["text"] == f"{PARA}\n\n{PARA2}"
