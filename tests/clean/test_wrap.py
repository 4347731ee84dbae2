"""The hard-wrap joiner's features (stages/clean/wrap.py), on tiny inline texts."""
from __future__ import annotations

import numpy as np

from stages.clean import wrap


def test_line_stats_count_stripped_tokens_and_keep_punctuation_only_ones():
    words, stop, caps, ends, ends_stop, opens_stop = wrap.line_stats(["The “” cat sat on the", "mat, of course."])
    assert words == [6, 3]
    assert stop == [3 / 6, 1 / 3] and caps == [1 / 6, 0.0]
    assert ends_stop == [True, False] and opens_stop == [False, False]
    assert ends == [0, 1]


def test_window_means_reuse_their_bounds():
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    bounds = wrap.window_bounds(5, 4, 2)
    assert [b.tolist() for b in bounds] == [[0, 0, 1, 2], [3, 4, 5, 5]]
    assert wrap.window_means(values, 4, 2, bounds).tolist() == wrap.window_means(values, 4, 2).tolist() \
        == [2.0, 2.5, 3.5, 4.0]


def test_token_codes_count_stop_words_and_capitals_in_one_sum():
    codes = [wrap.token_code(token) for token in ["“The", "cat", "(on)", "Mat."]]
    total = sum(codes)
    assert total & wrap.STOP_MASK == 2 and total >> wrap.CAPS_SHIFT == 2
    assert wrap.TOKEN_CODES["“The"] == codes[0] and "“The" in wrap.TOKEN_CODES   # remembered
    assert wrap.end_class("a line,") == 3 and wrap.start_class("«Quoted") == 3


def test_line_arrays_match_a_line_by_line_count_and_keep_empty_lines():
    lines = ["The “” cat sat on the", "mat, of course.", "And Then the End"]
    n, stop, caps, ends, ends_stop, opens_stop = wrap.line_arrays(lines)
    by_line = wrap._line_arrays_by_line(lines, [line.split() for line in lines], n, ends)
    for fast, slow in zip((n, stop, caps, ends, ends_stop, opens_stop), by_line):
        assert fast.tobytes() == slow.tobytes()
    # A line without a token (never given by split_blocks) has no shares and neither flag.
    words, stop, caps, _, ends_stop, opens_stop = wrap.line_stats(["cat dog", "\u00a0"])
    assert words == [2, 0] and stop[1] == caps[1] == 0.0 and not ends_stop[1] and not opens_stop[1]


def test_join_probabilities_of_the_open_breaks_only():
    lines = ["The minister said on Tuesday that the", "talks would resume next week,", "Menu", "Sports"]
    model = wrap.join_model()
    full = wrap.join_probabilities(lines, model)
    assert wrap.join_probabilities(lines, model, [True, False, True]) == [full[0], 0.0, full[2]]
    assert wrap.join_probabilities(lines, model, [False, False, False]) == [0.0, 0.0, 0.0]
