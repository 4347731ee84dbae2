"""stages.clean.lines: blocks of a text, and their features."""
from __future__ import annotations

import textwrap

import polars as pl

from stages.clean.lines import block_local_features, copy_indices, normalise_key, split_blocks, squeezed_key
from tests.clean.texts import PARA, PARA2
from tests.shipped_params import shipped

PARAMS = shipped("clean")

WIRE = ("Showers continued throughout the week in\nthe Bahia cocoa zone, alleviating the drought since early\n"
        "January and improving prospects for the coming temporao,\nalthough normal humidity levels have not "
        "been restored,\nComissaria Smith said in its weekly review.\n    The dry period means the temporao will "
        "be late this year.\n    Arrivals for the week ended February 22 were 155,221 bags\nof 60 kilos making a "
        "cumulative total for the season of 5.93\nmln against 5.81 at the same stage last year.\n")


def test_hard_wrapped_paragraphs_are_joined_at_their_indentation():
    blocks = split_blocks(WIRE, PARAMS)
    assert [b[0] for b in blocks] == [[1, 2, 3, 4, 5], [6], [7, 8, 9]]
    assert blocks[0][1].startswith("Showers continued throughout the week in the Bahia cocoa zone")


def test_without_indentation_a_line_that_runs_on_continues_the_paragraph():
    text = textwrap.fill(PARA, 60) + "\n" + textwrap.fill(PARA2, 60)
    blocks = split_blocks(text, PARAMS)
    assert [" ".join(b[1].split()) for b in blocks] == [PARA, PARA2]


def test_a_stack_of_short_capitalised_lines_is_not_hard_wrapped():
    # A paywall cut of a headline, a byline and the notice: each line "fills" the width its longest line
    # sets and has no sentence end, but none runs into lower case; joined, the notice's cue took them all.
    cut = "Students Read Hacker Monthly For Free\nBy Lim Cheng Soon, 14 November 2010\nSubscribe to continue reading.\n"
    assert split_blocks(cut, PARAMS) == [([1], "Students Read Hacker Monthly For Free"),
                                         ([2], "By Lim Cheng Soon, 14 November 2010"),
                                         ([3], "Subscribe to continue reading.")]
    # The same lines are joined when the share of lines running into lower case may be 0.
    assert len(split_blocks(cut, shipped("clean", {"wrap_min_lower_share": 0.0}))) == 1
    # A wire's table of figures opens each row with an indentation: still laid out at a fixed width (the
    # NOTE's wrapped line is joined, no row runs on into the next).
    table = ("Shr loss 46 cts vs loss 1.17 dlrs\n    Net loss 4,990,000 vs loss 12.8 mln\n"
             "    Revs 47.0 mln vs 42.3 mln\n    NOTE: Includes losses of 501,000 vs 83,000 in qtr and 2.2\n"
             "mln vs 83,000 in year.\n")
    assert [b[0] for b in split_blocks(table, PARAMS)] == [[1], [2], [3], [4, 5]]


def test_scraped_lines_are_blocks_of_their_own_and_blank_lines_none():
    assert split_blocks(f"{PARA}\n\n{PARA2}\n  Short line  ", PARAMS) == [([1], PARA), ([3], PARA2),
                                                                          ([4], "Short line")]
    assert split_blocks("\n \n\t\n", PARAMS) == []


def test_wrap_params_decide_what_is_wrapped():
    # Not fixed-width wrapped by these params: the learned joiner (stages/clean/wrap.py) decides each break
    # instead; it joins some (fewer than the 9 lines) and never across a sentence end.
    for changes in ({"wrap_max_width": 40}, {"wrap_min_lines": 20}):
        blocks = split_blocks(WIRE, shipped("clean", changes))
        assert len(blocks) < 9
        assert all(not WIRE.split("\n")[n - 1].rstrip().endswith(".") for b in blocks for n in b[0][:-1])


def test_keys_squeeze_case_and_punctuation():
    assert normalise_key("  Share THIS -- article!! ") == "share this article"
    frame = pl.DataFrame({"text": ["Share THIS -- article!!", "___"]})
    assert frame.select(squeezed_key(pl.col("text")))["text"].to_list() == ["share this article", ""]


def test_features_of_a_few_blocks():
    texts = ["Advertisement", PARA, "WorldNegotiations Reach Impasse", "東京は日本の首都です", PARA]
    blocks = pl.DataFrame({"doc_idx": [0] * 5, "block_idx": list(range(5)), "text": texts}) \
        .with_columns(key=squeezed_key(pl.col("text")))
    features = block_local_features(blocks, PARAMS)
    assert features["cue"].to_list() == ["advertisement", None, None, None, None]
    assert features["ends_sentence"].to_list() == [False, True, False, False, True]
    assert features["glued"][2] == "world negotiations reach impasse"
    assert features["n_cjk"][3] == 10 and features["n_words"][0] == 1
    assert features["copy_index"].to_list() == [0, 0, 0, 0, 1]
    assert features["stop_en"][1] == 22 and features["stop_fr"][1] == 3   # "a", "on" (twice): French too


def test_copy_indices_count_earlier_copies_within_the_document_only():
    docs = [0, 0, 0, 0, 1, 1]
    keys = ["menu", "a paragraph", "menu", "menu", "menu", "a paragraph"]
    assert copy_indices(docs, keys) == [0, 0, 1, 2, 0, 0]
    assert copy_indices([], []) == []


def test_a_weak_cue_does_not_make_running_text_boilerplate():
    texts = ["Read more", "Read more about the plan that the minister said would be reviewed after the talks."]
    blocks = pl.DataFrame({"doc_idx": [0, 0], "block_idx": [0, 1], "text": texts}) \
        .with_columns(key=squeezed_key(pl.col("text")))
    assert block_local_features(blocks, PARAMS)["cue"].to_list() == ["related", None]


def test_features_of_repeated_texts_are_each_texts_own():
    texts = ["Menu", PARA, "Menu", "Advertisement", "Menu"]
    blocks = pl.DataFrame({"doc_idx": [1, 1, 0, 0, 0], "block_idx": [0, 1, 0, 1, 2], "text": texts}) \
        .with_columns(key=squeezed_key(pl.col("text")))
    features = block_local_features(blocks, PARAMS)
    assert features["doc_idx"].to_list() == [0, 0, 0, 1, 1] and features["block_idx"].to_list() == [0, 1, 2, 0, 1]
    assert features["text"].to_list() == ["Menu", "Advertisement", "Menu", "Menu", PARA]
    assert features["cue"].to_list() == ["widget", "advertisement", "widget", "widget", None]
    assert features["copy_index"].to_list() == [0, 0, 1, 0, 0]
    assert features["n_words"].to_list()[:4] == [1, 1, 1, 1] and features["stop_en"][4] == 22
