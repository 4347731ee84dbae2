"""stages.clean.document (and titles, span) through clean_corpus, on tiny inline pages."""
from __future__ import annotations

import datetime as dt
import textwrap

import polars as pl
import pytest

from stages.clean.classifier import model_for_documents
from stages.clean.corpus import clean_corpus
from tests.clean.texts import PARA, PARA2, SPANISH, accounted, docs_frame
from tests.shipped_params import shipped

PARAMS = shipped("clean")


def clean_one(raw: str, changes: dict | None = None, **frame_args) -> tuple[dict, dict[int, str]]:
    """The document row and {line_no: reason} of one page."""
    docs, removed = clean_corpus(docs_frame(raw, **frame_args), shipped("clean", changes))
    doc = docs.row(0, named=True)
    assert accounted(raw, doc, removed)
    return doc, dict(zip(removed["line_no"], removed["reason"]))


def test_menu_and_cues_go_body_stays_short_line_between_body_stays():
    raw = "\n".join(["Home", "World", "Politics", "Plan Review Set After Long Talks", "By Jane Doe",
                     PARA, "NEW RULES", PARA2, "Advertisement", "Share this article", "Most Popular"])
    doc, reasons = clean_one(raw)
    assert doc["text"] == f"{PARA}\n\nNEW RULES\n\n{PARA2}"
    assert doc["title"] == "Plan Review Set After Long Talks" and doc["title_line_no"] == 4
    assert doc["authors"] == ["Jane Doe"] and doc["body_line_nos"] == [6, 7, 8]
    assert reasons[1] in ("navigation", "widget") and reasons[2] == "navigation" and reasons[5] == "byline"
    assert reasons[9] == "advertisement" and reasons[10] == "share" and reasons[11] == "related"
    assert doc["n_lines"] == 11 and doc["n_removed"] == 7 and 0 < doc["boilerplate_share"] < 0.5


def test_min_body_words_param_changes_the_rules_verdict():
    from stages.clean.corpus import corpus_pages
    from stages.clean.document import rule_phases
    raw = "Menu\nShort sentence here that ends well and is long enough to pass.\nFooter"
    for min_words, expected in ((5, [1]), (50, [])):
        params = shipped("clean", {"min_body_words": min_words, "length_low": 20})
        page = corpus_pages(docs_frame(raw), params)[0]
        assert rule_phases(page, params)[5] == expected


def test_a_short_page_the_rules_keep_nothing_of_keeps_its_one_sentence_not_an_empty_body():
    # The rules find no good block here (min_body_words 50); the model's body and, without it, the
    # most-likely-run fallback keep the sentence; with the fallback off and no model verdict it would be empty.
    raw = "Menu\nShort sentence here that ends well and is long enough to pass.\nFooter"
    row, reasons = clean_one(raw, {"min_body_words": 50, "length_low": 20})
    assert row["text"] == "Short sentence here that ends well and is long enough to pass." and not row["is_empty"]
    assert sorted(reasons) == [1, 3]


def test_most_likely_run_extends_to_likely_neighbours_only_above_the_floor():
    from stages.clean.document import most_likely_run
    probabilities = [0.01, 0.2, 0.3, 0.12, 0.4]
    assert most_likely_run(probabilities, [True] * 5, 0.1) == [4]
    assert most_likely_run([0.01, 0.2, 0.3, 0.16, 0.02], [True] * 5, 0.1) == [1, 2, 3]
    assert most_likely_run([0.01, 0.2, 0.3, 0.16, 0.02], [True, True, False, True, True], 0.1) == [1]
    assert most_likely_run([0.01, 0.05], [True, True], 0.1) == []


def test_line_repeated_across_documents_goes_unless_documents_are_copies():
    footer = "Copyright Example Media Group 2019 Terms Privacy"
    raws = [f"{PARA}\n{footer}", f"{PARA2}\n{footer}", f"Other news of the day was said to be here and there.\n"
            f"{PARA.replace('minister', 'mayor')}\n{footer}"]
    docs, _ = clean_corpus(docs_frame(*raws), shipped("clean", {"repeat_min_docs": 3}))
    assert footer not in "".join(docs["text"].to_list())
    # Three copies of the same article keep their (shared) body.
    docs, removed = clean_corpus(docs_frame(*[PARA + "\n" + PARA2] * 3), PARAMS)
    assert docs["text"].to_list() == [f"{PARA}\n\n{PARA2}"] * 3
    assert "repeated_across_docs" not in removed["reason"].to_list()


def wire(body: str) -> str:
    """A news-wire body as Reuters-21578 has it: wrapped at ~65 characters, paragraphs indented."""
    paragraphs = [textwrap.fill(p, 64) for p in body.split("\n")]
    return paragraphs[0] + "".join("\n    " + p for p in paragraphs[1:]) + "\n Reuter\n"


def test_wire_copies_keep_their_shared_body_and_lose_the_signature():
    raw = wire(f"{PARA}\n{PARA2}")
    other = wire("Shares of the company rose sharply on the news, traders said, after a week of "
                 "losses in a market that had been worried about the results.\nThe company did not comment.")
    docs, removed = clean_corpus(docs_frame(raw, raw, raw, other), PARAMS)
    assert docs["text"].to_list()[:3] == [f"{PARA}\n\n{PARA2}"] * 3
    assert set(removed["reason"]) == {"repeated_across_docs"} and set(removed["text"]) == {"Reuter"}


def test_a_short_table_without_prose_keeps_its_lines():
    # Not hard-wrapped (no row runs into lower case): one block a row, the rows stay apart.
    raw = "Results\nShr 12 cts vs 15 cts\nNet 1.2 mln vs 1.0 mln\nRevs 40.1 mln vs 38.2 mln"
    assert clean_one(raw)[0]["text"] == \
        "Results\n\nShr 12 cts vs 15 cts\n\nNet 1.2 mln vs 1.0 mln\n\nRevs 40.1 mln vs 38.2 mln"
    assert clean_one(raw, {"fallback_max_blocks": 1})[0]["text"] == ""


def test_foreign_passage_is_dropped_and_language_recorded():
    doc, reasons = clean_one("\n".join([PARA, SPANISH, PARA2]))
    assert doc["language"] == "en" and reasons[2] == "foreign_language"
    assert clean_one("\n".join([PARA, SPANISH, PARA2]), {"foreign_min_chars": 1000})[1] == {}


def test_html_metadata_is_used():
    raw = f"Plan Review Set\n{PARA}\n{PARA2}"
    doc, _ = clean_one(raw, meta_title="Plan Review Set", meta_authors=["Ann Berg"], meta_date="2020-01-02",
                       meta_site="example.com")
    assert doc["title"] == "Plan Review Set" and doc["title_line_no"] == 1
    assert doc["authors"] == ["Ann Berg"] and doc["published_date"] == dt.date(2020, 1, 2)
    assert doc["site"] == "example.com"


def test_the_page_gives_authors_date_site_and_truncation():
    raw = "\n".join(["Plan Review Set After Long Talks", "By Jane Doe", "Sunday, May 19, 2024", PARA, PARA2,
                     "Subscribe to continue reading.", "Source: Politics - example.com"])
    doc, reasons = clean_one(raw)
    assert doc["authors"] == ["Jane Doe"] and doc["published_date"] == dt.date(2024, 5, 19)
    assert doc["site"] == "example.com" and doc["is_truncated"] is True
    assert reasons[3] == "dateline" and reasons[6] == "paywall" and reasons[7] == "source"
    assert clean_one(f"{PARA}\n{PARA2}\nMost Popular")[0]["is_truncated"] is False
    assert clean_one(raw, {"truncation_window": 0})[0]["is_truncated"] is False


def test_a_paywall_cut_keeps_its_opening_lines_only_the_notice_is_paywall():
    # A cut that kept a headline, a byline and a short lead: none of them is the notice's.
    lead = "The minister said the plan would be reviewed soon."
    doc, reasons = clean_one(f"Plan Review Set After Long Talks\nBy Jane Doe, 14 November 2010\n{lead}\n"
                             "Subscribe to continue reading.\n")
    assert doc["authors"] == ["Jane Doe"] and doc["text"] == lead and doc["is_truncated"] is True
    assert reasons[2] == "byline" and reasons[4] == "paywall" and list(reasons.values()).count("paywall") == 1
    # Only a headline and a byline kept: no body, but the headline is the title (what copies are matched on).
    doc, reasons = clean_one("Plan Review Set After Long Talks\nBy Jane Doe, 14 November 2010\n"
                             "Subscribe to continue reading.\n")
    assert doc["title"] == "Plan Review Set After Long Talks" and doc["is_empty"] is True
    assert reasons == {2: "byline", 3: "paywall"}


def test_reader_comment_bylines_and_contributors_are_not_the_articles_authors():
    from tests.clean.texts import PARA3, PARA4
    comments = ["Written by Jane Doe on 24/10/12", PARA, PARA2, "written by Tony Hamilton, October 24, 2012",
                PARA3, "written by Eco Friendly Guy, October 25, 2012", PARA4]
    assert clean_one("\n".join(comments))[0]["authors"] == ["Jane Doe"]
    stories = ["Talks stall again", "By Ann Poe", "Rain floods the north", "By Bob Moe",
               "Plan Review Set After Long Talks", "By Jane Doe", "By John Roe", PARA, PARA2]
    assert clean_one("\n".join(stories))[0]["authors"] == ["Jane Doe", "John Roe"]   # not the story list's
    credited = ["By Jane Doe", PARA, PARA2, "John Roe contributed reporting from Cairo."]
    assert clean_one("\n".join(credited))[0]["authors"] == ["Jane Doe"]
    assert clean_one("\n".join(credited[1:]))[0]["authors"] == ["John Roe"]   # no byline: the contributors


def test_the_same_byline_and_dateline_in_two_documents_give_each_its_authors_and_date():
    raw = "\n".join(["Plan Review Set After Long Talks", "By Jane Doe", "March 3, 2019", PARA, PARA2])
    docs, removed = clean_corpus(docs_frame(raw, raw.replace("Long", "Short")), shipped("clean"))
    assert docs["authors"].to_list() == [["Jane Doe"], ["Jane Doe"]]
    assert docs["published_date"].to_list() == [dt.date(2019, 3, 3)] * 2
    assert removed.filter(pl.col("line_no") == 2)["reason"].to_list() == ["byline", "byline"]


def test_a_byline_split_after_its_prefix_is_one_byline():
    # a scrape keeping the HTML's line breaks: <span>By</span> / <a>DAN BILEFSKY</a>
    doc, reasons = clean_one("\n".join(["Plan Review Set After Long Talks", "By", "DAN BILEFSKY", PARA, PARA2]))
    assert doc["authors"] == ["DAN BILEFSKY"]
    assert reasons[2] == "byline" and reasons[3] == "byline"


def test_the_description_gives_the_subtitle():
    dek = "The government will decide by the end of the year, the minister told reporters in the capital."
    doc, _ = clean_one(f"Plan Review Set\n{dek[:-1]}\n{PARA}\n{PARA2}", meta_title="Plan Review Set",
                       meta_description=dek)
    assert doc["subtitle"] == dek[:-1] and doc["subtitle_line_no"] == 2 and doc["title_line_no"] == 1
    # A sentence under the title that the body's run takes in is its first line, or with subtitle_from_body,
    # the subtitle.
    raw = f"Plan Review Set After Long Talks\n{dek}\n{PARA}\n{PARA2}"
    assert set(clean_one(raw)[1]) == {2}   # removed (short_fragment by the rules, boilerplate by the model)
    doc, _ = clean_one(raw, {"subtitle_from_body": True})
    assert doc["subtitle"] == dek and doc["subtitle_line_no"] == 2 and doc["title_line_no"] == 1


def test_extracted_feed_text_keeps_short_lines():
    raw = "\n".join([PARA, "Ingredients", "1 cup flour", PARA2, "2 eggs", "Share this article"])
    assert clean_one(raw, source_format="jsonl")[0]["text"] == "\n\n".join([PARA, "Ingredients", "1 cup flour",
                                                                            PARA2, "2 eggs"])
    # HTML arrives as the page's visible text (not extracted): short lines stay between paragraphs only.
    for doc, reasons in (clean_one(raw, {"extracted_formats": []}, source_format="jsonl"),
                         clean_one(raw, source_format="html")):
        assert doc["text"] == "\n\n".join([PARA, "Ingredients", "1 cup flour", PARA2])
        assert reasons == {5: "navigation", 6: "share"}


def test_headline_under_the_page_title_anchors_a_short_article():
    footer = ("Our customer service centre can be reached with any questions or requests about your "
              "account, your subscription, deliveries of the paper and the offers we send by email. " * 3)
    # A short article, then a long list of other headlines, then a long service notice: the notice alone
    # outscores the article, but the article sits right under the headline that repeats the page title.
    headlines = [f"Headline number {k} of the day" for k in range(12)]
    raw = "\n".join(["Minister Reviews Plan - The Daily Example", "News", "Sport", "Minister Reviews Plan",
                     "By STAFF", PARA, *headlines, footer])
    doc, reasons = clean_one(raw)
    assert doc["text"] == PARA and doc["title"] == "Minister Reviews Plan" and reasons[1] == "duplicate_title"


def test_a_metadata_title_that_is_the_blogs_name_gives_way_to_the_posts_headline():
    # The <title> line is "Blog: Post"; the metadata took the blog's name, which is the banner above the post.
    raw = "\n".join(["Example Garden Blog: Tomatoes Ripen Late This Year", "Example Garden Blog",
                     "Tomatoes Ripen Late This Year", PARA, PARA2])
    doc, _ = clean_one(raw, meta_title="Example Garden Blog")
    assert doc["title"] == "Tomatoes Ripen Late This Year" and doc["title_line_no"] == 3
    # ... not when the other part is the site's name, or a name outlets use.
    raw = "\n".join(["Plan Review Set | The Daily Example", "Plan Review Set", "The Daily Example", PARA, PARA2])
    assert clean_one(raw, meta_title="Plan Review Set", meta_site="The Daily Example")[0]["title"] == "Plan Review Set"
    raw = "\n".join(["Plan Review Set | Springfield Herald", "Plan Review Set", "Springfield Herald", PARA, PARA2])
    assert clean_one(raw, meta_title="Plan Review Set")[0]["title"] == "Plan Review Set"


def test_page_title_line_gives_the_title_when_no_headline_repeats_it():
    raw = "\n".join(["Plan Review Set After Long Talks | The Daily Example", "News", "Sport", PARA, PARA2])
    doc, _ = clean_one(raw)
    assert doc["title"] == "Plan Review Set After Long Talks" and doc["title_line_no"] == 1
    assert doc["text"] == f"{PARA}\n\n{PARA2}"


def test_the_body_ends_at_a_comment_section():
    raw = "\n".join([PARA, "Comments", PARA2])
    doc, reasons = clean_one(raw)
    assert doc["text"] == PARA and reasons[2] == "share"
    # Without terminators the rules' span runs on past the cue line (which still goes); the shipped body
    # model, which learns from the pages what follows a comment heading, is left out of that check.
    with model_for_documents(lambda doc_id: None):
        assert clean_one(raw)[0]["text"] == PARA
        assert clean_one(raw, {"use_terminators": False})[0]["text"] == f"{PARA}\n\n{PARA2}"


def test_a_repeated_paragraph_is_a_duplicate_line():
    doc, reasons = clean_one("\n".join([PARA, PARA2, PARA]))
    assert doc["text"] == f"{PARA}\n\n{PARA2}" and reasons == {3: "duplicate_line"}


@pytest.mark.parametrize("raw", ["", "\n\n  \n", "x" * 200_000, "a\n" * 50_000, "\x00\x01\u202e\u05e9 🙂",
                                 "By\nBy\n2024-13-45\nSource:", "\t\t\n\u00a0\n.\n"])
def test_total_on_odd_inputs(raw):
    doc, _ = clean_one(raw)
    if not doc["text"]:
        assert doc["language"] == "und"


def test_empty_frame():
    docs, removed = clean_corpus(docs_frame("x").head(0), PARAMS)
    assert docs.height == 0 and removed.height == 0
    assert list(docs.columns)[:3] == ["doc_id", "title", "subtitle"] and removed.columns[-1] == "reason"


def test_min_body_words_zero_on_a_page_of_cues_is_no_crash():
    """The fallback for a short text without prose used to index an empty list here."""
    doc, reasons = clean_one("Advertisement\nShare this", {"min_body_words": 0})
    assert doc["text"] == "" and set(reasons.values()) == {"advertisement", "share"}


def test_documents_frame_is_typed_like_the_model():
    from schemas.base import polars_schema
    from schemas.clean import CleanDocuments
    docs, _ = clean_corpus(docs_frame(PARA), PARAMS)
    assert dict(docs.schema) == polars_schema(CleanDocuments)
    assert docs["body_line_nos"].dtype == pl.List(pl.Int64)
