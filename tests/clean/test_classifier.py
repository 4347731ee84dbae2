"""stages.clean.classifier: the block features the learned body model reads, on tiny inline pages."""
from __future__ import annotations

import numpy as np
import polars as pl

from stages.clean.classifier import FEATURES, SHAPE_FEATURES, block_matrix
from stages.clean.corpus import corpus_pages
from stages.clean.document import rule_phases
from tests.clean.texts import PARA, PARA2, PARA3, docs_frame
from tests.shipped_params import shipped

PARAMS = shipped("clean")


def features_of(raw: str, votes: list[int]) -> dict[str, np.ndarray]:
    """{feature name: its value for each block} of one HTML-route page with these line votes."""
    docs = docs_frame(raw, source_format="html").with_columns(line_votes=pl.Series([votes], dtype=pl.List(pl.Int64)))
    page = corpus_pages(docs, PARAMS)[0]
    lines, prose, span, title, subtitle, body, _ = rule_phases(page, PARAMS)
    matrix = block_matrix(page, lines, prose, span, body, (title.block, subtitle.block))
    assert matrix.shape == (len(page.blocks), len(FEATURES))
    return {name: matrix[:, k] for k, name in enumerate(FEATURES)}


def test_vote_bits_runs_and_page_agreement_are_features():
    # trafilatura (1) keeps both paragraphs and skips the caption between them; readability (2) keeps the
    # first paragraph only; the last line is trafilatura's comment section (4).
    raw = "\n".join(["Home", PARA, "A photo caption here", PARA2, "Great piece, thanks for writing it."])
    f = features_of(raw, [0, 3, 0, 1, 4])
    assert f["vote_traf"].tolist() == [0, 1, 0, 1, 0] and f["vote_read"].tolist() == [0, 1, 0, 0, 0]
    assert f["vote_comment"].tolist() == [0, 0, 0, 0, 1]
    assert f["in_traf_run"].tolist() == [0, 1, 1, 1, 0] and f["in_read_run"].tolist() == [0, 1, 0, 0, 0]
    chars = np.array([len(line) for line in raw.split("\n")], dtype=float)
    assert np.allclose(f["page_traf_share"], (chars[1] + chars[3]) / chars.sum())
    assert np.allclose(f["page_traf_read_agreement"], chars[1] / (chars[1] + chars[3]))
    assert 0 < f["win3_vote_traf"][2] < 1


def test_markup_bits_are_features_of_their_blocks():
    # ingest's line_markup bits 0 (link), 2 (chrome), 3 (comment), 7 (article): own bits, windows, page shares.
    raw = "\n".join(["Home", PARA, PARA2, "Great piece, thanks for writing it."])
    docs = docs_frame(raw, source_format="html").with_columns(
        line_votes=pl.Series([[0, 3, 3, 4]], dtype=pl.List(pl.Int64)),
        line_markup=pl.Series([[1 | 4, 128, 128 | 2, 8]], dtype=pl.List(pl.Int64)))
    page = corpus_pages(docs, PARAMS)[0]
    lines, prose, span, title, subtitle, body, _ = rule_phases(page, PARAMS)
    matrix = block_matrix(page, lines, prose, span, body, (title.block, subtitle.block))
    f = {name: matrix[:, k] for k, name in enumerate(FEATURES)}
    assert f["mk_chrome"].tolist() == [1, 0, 0, 0] and f["mk_link"].tolist() == [1, 0, 0, 0]
    assert f["mk_article"].tolist() == [0, 1, 1, 0] and f["mk_comment"].tolist() == [0, 0, 0, 1]
    assert f["mk_some_link"].tolist() == [0, 0, 1, 0]
    chars = np.array([len(line) for line in raw.split("\n")], dtype=float)
    assert np.allclose(f["page_mk_article_share"], (chars[1] + chars[2]) / chars.sum())
    assert f["win3_mk_chrome"][1] == 1 / 3
    # A page without markup (text routes, records written before ingest had it): every markup feature is -1.
    plain = features_of(raw, [0, 3, 3, 4])
    assert set(plain["mk_link"].tolist()) == {-1} and set(plain["page_mk_link_share"].tolist()) == {-1}


def test_a_page_without_votes_has_no_vote_features():
    raw = "\n".join(["Home", PARA, PARA2])
    docs = docs_frame(raw)
    page = corpus_pages(docs, PARAMS)[0]
    lines, prose, span, title, subtitle, body, _ = rule_phases(page, PARAMS)
    matrix = block_matrix(page, lines, prose, span, body, (title.block, subtitle.block))
    for name in ("vote_traf", "in_read_run", "page_traf_read_agreement", "page_comment_share"):
        assert (matrix[:, FEATURES.index(name)] == -1).all()


class Gains:
    """A stand-in selector: predicts the given gain for each candidate by name."""

    def __init__(self, **gains: float):
        self.gains = gains
        self.names: list[str] = []

    def predict(self, matrix: np.ndarray, num_threads: int = 1) -> np.ndarray:
        from stages.clean.select import CANDIDATES, SELECT_FEATURES
        assert matrix.shape[1] == len(SELECT_FEATURES)
        self.names = [CANDIDATES[int(code)] for code in matrix[:, 0]]
        return np.array([self.gains.get(name, -1.0) for name in self.names])


def test_the_selector_may_replace_our_body_by_an_extractors_and_every_line_keeps_a_reason():
    from stages.clean.corpus import clean_corpus
    from stages.clean.select import selector_for_documents
    from tests.clean.texts import accounted
    raw = "\n".join(["Home", PARA, "Related: five things to know", PARA2, "Great piece, thanks for writing it."])
    docs = docs_frame(raw, source_format="html").with_columns(
        line_votes=pl.Series([[0, 3, 0, 1, 4]], dtype=pl.List(pl.Int64)))
    with selector_for_documents(None):   # no selector: the classifier's body
        ours = clean_corpus(docs, PARAMS)[0].row(0, named=True)["body_line_nos"]
    assert ours != [2]
    stub = Gains(read=0.2)
    with selector_for_documents(lambda doc_id: stub):
        documents, removed = clean_corpus(docs, PARAMS)
    doc = documents.row(0, named=True)
    assert stub.names[:3] == ["traf", "read", "traf_comments"] and set(stub.names[3:]) <= {"ours_traf", "ours_read"}
    assert doc["body_line_nos"] == [2] and doc["text"] == PARA
    assert accounted(raw, doc, removed) and 4 in removed["line_no"].to_list()
    with selector_for_documents(lambda doc_id: Gains(read=-0.1, traf=-0.2)):   # no gain: ours stays
        kept = clean_corpus(docs, PARAMS)[0].row(0, named=True)
    assert kept["body_line_nos"] == ours


def test_the_model_decides_bylines_and_datelines_below_the_start_of_the_span_only():
    # The article's byline and dateline above its first paragraph stay fields; a comment's "Posted by"
    # line and a date stamp between paragraphs are the classifier's to keep or drop (some bodies hold them).
    from stages.clean.document import model_decides
    raw = "\n".join(["By Jane Doe", "March 3, 2021", PARA, "Posted by Tom Smith at 8:21 pm", PARA2,
                     "March 4, 2021"])
    page = corpus_pages(docs_frame(raw), PARAMS)[0]
    lines, prose, span, title, subtitle, body, reasons = rule_phases(page, PARAMS)
    headings = (title.block, subtitle.block)
    assert 0 in lines and 1 in lines and 3 in lines and span.start == 2
    decided = [model_decides(i, lines, prose, headings, reasons, span) for i in range(len(page.blocks))]
    assert decided[:4] == [False, False, True, True] and decided[4]


def test_punctuation_is_counted_like_the_regex_in_ascii_and_not():
    from stages.clean.classifier import PUNCTUATION, punctuation_count
    for text in ["Hello, world! (2024)", "snake_case & co.", "tab\there\x1cfs", "“Quoted” — café, naïve…", ""]:
        assert punctuation_count(text) == len(PUNCTUATION.findall(text))


def test_window_means_of_columns_are_those_of_each_column():
    from stages.clean.classifier import window_mean
    values = np.array([[0.1, 3.0], [0.7, 1.0], [0.2, 4.0], [0.9, 1.0], [0.3, 5.0]])
    both = window_mean(values, 2)
    for k in range(2):
        assert both[:, k].tobytes() == window_mean(values[:, k].copy(), 2).tobytes()


def test_plain_text_shape_features():
    # A list of short lines between two paragraphs, a menu above them, a "Read more:" link, a byline, a
    # date, a comment's "says:" and a repeated line: what a text scrape carries without markup.
    raw = "\n".join(["Home", "World", "By Jane Doe", "March 3, 2010", PARA, "Apples", "Pears", "Plums", PARA2,
                     PARA3, "Read more: the plan", "Bob says:", "and then it went on", "Home"])
    f = features_of(raw, [])
    assert f["short_run"][5] == f["short_run"][7] > 0 and f["short_run"][4] == 0
    assert f["short_run_prose"][6] == 2 and f["short_run_prose"][0] == 1 and f["short_run_prose"][4] == -1
    assert f["in_prose_run"].tolist()[4:10] == [1, 1, 1, 1, 1, 1] and f["in_prose_run"][0] == 0
    assert f["from_prose_run"][0] < 0 < f["from_prose_run"][10] and f["from_prose_run"][6] == 0
    assert 0 < f["prose_run_share"][0] <= 1
    assert f["date_shape"][3] == 1 and f["date_shape"][4] == 0
    assert f["link_lead"][10] == 1 and f["link_lead"][5] == 0
    assert f["byline_lead"][2] == 1 and f["comment_shape"][11] == 1 and f["comment_shape"][2] == 0
    assert f["starts_lower"][12] == 1 and f["starts_lower"][4] == 0
    assert f["doc_copies"][0] == 2 and f["doc_copies"][1] == 1


def test_teaser_boxes_and_the_html_route_in_shape_features():
    # Related-story teasers: a headline without a sentence end over its summary, box after box.
    raw = "\n".join([PARA, PARA2, "Storm hits the coast", PARA3, "Council votes on budget", PARA, "Home"])
    f = features_of(raw, [])
    assert f["win5_teaser"][3] > 0 and f["win5_teaser"][6] > 0 and f["win5_teaser"][0] > 0
    assert features_of(raw.replace("Storm hits the coast", "Storm hits the coast."), [])["win5_teaser"][0] < \
        f["win5_teaser"][0]
    # The HTML route (line votes): every shape feature is -1.
    html = features_of(raw, [3, 3, 0, 1, 0, 1, 0])
    assert {v for name in SHAPE_FEATURES for v in html[name].tolist()} == {-1}


def test_urls_markup_and_wire_datelines_in_shape_features():
    raw = "\n".join(["BOSTON (AP) - " + PARA, PARA2, '<a href="http://ads.example/click">', "Cast: Jane Doe"])
    f = features_of(raw, [])
    assert f["wire_lead"].tolist() == [1, 0, 0, 0]
    assert f["url_or_tag"].tolist() == [0, 0, 1, 0]


def test_plain_text_pages_get_the_text_model():
    from stages.clean.classifier import model_for, model_for_documents
    with model_for_documents(lambda doc_id: ("body", "text")):
        assert model_for("x", html=True) == "body" and model_for("x", html=False) == "text"
    with model_for_documents(lambda doc_id: ("body", None)):   # no text model: the body model decides
        assert model_for("x", html=False) == "body"


def test_link_and_comment_shapes_match_their_patterns():
    from stages.clean.classifier import COMMENT_SHAPE, LINK_LEAD, comment_like, link_like
    texts = ["Next story »", "More than 100 people died.", "Click here to see the photos", "The end ...",
             "Video: the storm", "Jane says:", "Reply", "12 likes", "She said it was a good plan.", "see it »!"]
    assert [link_like(t) for t in texts] == [bool(LINK_LEAD.search(t)) for t in texts]
    assert [link_like(t) for t in texts][:5] == [True, False, True, True, True]
    assert [comment_like(t, any(c.isdigit() for c in t)) for t in texts] == [
        bool(COMMENT_SHAPE.search(t)) for t in texts]
    assert [comment_like(t, any(c.isdigit() for c in t)) for t in texts][5:9] == [True, True, True, False]


def test_the_model_decides_copyright_notices_below_the_start_of_the_span_on_the_html_route():
    # "Copyright 2008 The Associated Press. All rights reserved." right after the article is its credit line
    # (some bodies hold it): on the HTML route the classifier's to decide, its `cookie` reason kept when it
    # drops it; the same notice above the article is not, nor a cookie notice below it, nor any notice of a
    # plain-text scrape (no markup to say where the article's container ends).
    from stages.clean.document import model_decides, notice_blocks
    notice = "Copyright 2008 The Associated Press. All rights reserved."
    raw = "\n".join([notice, PARA, PARA2, notice.replace("2008", "2007"), "We use cookies to improve your visit.",
                     "Installation views, photos © Jane Doe, 2018"])
    html = docs_frame(raw, source_format="html").with_columns(
        line_votes=pl.Series([[0, 3, 3, 3, 0, 3]], dtype=pl.List(pl.Int64)))
    for docs, expected in ((html, {3}), (docs_frame(raw), set())):
        page = corpus_pages(docs, PARAMS)[0]
        lines, prose, span, title, subtitle, body, reasons = rule_phases(page, PARAMS)
        headings = (title.block, subtitle.block)
        assert span.start == 1 and reasons.get(3) == "cookie" and reasons.get(4) == "cookie"
        notices = notice_blocks(page, span)
        assert notices == expected
        decided = [model_decides(i, lines, prose, headings, reasons, span, notices) for i in range(len(page.blocks))]
        assert decided[:5] == [False, True, True, bool(expected), False]


def test_the_model_decides_a_dateline_above_the_span_that_an_extractor_keeps():
    # On the HTML route a dateline above the first paragraph that trafilatura or readability reads as the
    # article's ("POSTED: 7:54 am EST January 23, 2008") is the classifier's to keep or drop; the site's
    # header date no extractor keeps stays a field only, and so does every dateline of a plain-text scrape.
    from stages.clean.document import model_decides, notice_blocks, voted_datelines
    raw = "\n".join(["Monday, January 21, 2008", "POSTED: 7:54 am EST January 23, 2008", PARA, PARA2])
    html = docs_frame(raw, source_format="html").with_columns(
        line_votes=pl.Series([[0, 1, 3, 3]], dtype=pl.List(pl.Int64)))
    for docs, expected in ((html, [False, True, True, True]), (docs_frame(raw), [False, False, True, True])):
        page = corpus_pages(docs, PARAMS)[0]
        lines, prose, span, title, subtitle, body, reasons = rule_phases(page, PARAMS)
        headings = (title.block, subtitle.block)
        assert 0 in lines.datelines and 1 in lines.datelines and span.start == 2
        voted = voted_datelines(page, lines)
        decided = [model_decides(i, lines, prose, headings, reasons, span, notice_blocks(page, span), voted)
                   for i in range(len(page.blocks))]
        assert decided == expected


def test_the_selector_reads_how_much_more_a_candidate_agrees_with_the_others_than_ours():
    # Ours keeps the first paragraph only; trafilatura and readability both keep both: each of them agrees
    # with the other fully, ours agrees with them less.
    from stages.clean.select import SELECT_FEATURES, candidate_bodies, selector_matrix
    raw = "\n".join(["Home", PARA, PARA2])
    ored = [0, 3, 3]
    docs = docs_frame(raw, source_format="html").with_columns(line_votes=pl.Series([ored], dtype=pl.List(pl.Int64)))
    page = corpus_pages(docs, PARAMS)[0]
    candidates = candidate_bodies(page, [1], [True] * 3, ored)
    matrix = selector_matrix(page, candidates, [0.0, 0.9, 0.4], [False, True, True], ored)
    column = {name: matrix[:, k] for k, name in enumerate(SELECT_FEATURES)}
    assert np.allclose(column["agreement_over_ours"], column["mean_agreement"] - column["ours_mean_agreement"])
    assert (column["agreement_over_ours"] > 0).all()


def test_text_shape_matches_its_patterns():
    from stages.clean.classifier import BYLINE_LEAD, DATE_SHAPE, URL_OR_TAG, WIRE_LEAD, text_shape
    texts = ["CHICAGO — The city said", "Los Angeles, CA (BANG) - Stars", "CHICAGO The city said", "chicago — no",
             "Éire — no", "By Jane Doe", "Posted 3 hours ago", "See www.example.com", "", "Jane says:"]
    for text in texts:
        digit = any(c.isdigit() for c in text)
        date, _, byline, _, _, url, wire = text_shape(text, digit)
        assert date == (digit and DATE_SHAPE.search(text) is not None)
        assert byline == (BYLINE_LEAD.match(text) is not None) and url == (URL_OR_TAG.search(text) is not None)
        assert wire == (WIRE_LEAD.match(text) is not None)
    assert [text_shape(t, False)[6] for t in texts[:5]] == [True, True, False, False, False]


def test_place_flags_ignore_what_is_not_a_block():
    from stages.clean.classifier import _flags
    assert _flags(4, (None, 2, 7, -1, 0)).tolist() == [True, False, True, False]
    assert _flags(0, ()).tolist() == []
