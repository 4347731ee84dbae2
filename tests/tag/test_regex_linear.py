"""The tag rules' regular expressions that used to backtrack quadratically now run in linear time.

Each pattern is timed with `finditer` (every start position, as bench/regex_redos.py does) over adversarial
texts: long runs of the characters it repeats, ending in a character that makes the match fail. A linear
pattern takes milliseconds at 100k characters; the quadratic versions took a minute or more. The 20k pass
comes first so that a regression fails in seconds instead of hanging at 100k. Small examples check that
each pattern still matches what its caller needs.
"""
from __future__ import annotations

import re
import time

import pytest

from stages.tag.attributions import LAST_WORD_RE, _cues
from stages.tag.canonical import _CAPITALISED_AFTER
from stages.common.timex import _lexicon
from stages.tag.ner import _ORDINAL
from stages.tag.quotes import SUBJECT_TERM_AFTER_RE, TRANSCRIPT_TURN_RE, WORD_DOT_AT_END_RE


def _adversarial(size: int) -> list[str]:
    units = [" ", "a", "A", "a ", "a-", "a.", "a. ", " and", " and ", "\n", "that ", "1"]
    texts = [(unit * (size // len(unit) + 1))[:size] for unit in units]
    return texts + [text[:-1] + "!" for text in texts]


def _worst_seconds(pattern: re.Pattern, size: int) -> float:
    worst = 0.0
    for text in _adversarial(size):
        started = time.perf_counter()
        for _ in pattern.finditer(text):
            pass
        worst = max(worst, time.perf_counter() - started)
    return worst


PATTERNS = {
    "attributions.coordination_re": lambda: _cues().coordination_re,
    "attributions.complement_re": lambda: _cues().complement_re,
    "attributions.LAST_WORD_RE": lambda: LAST_WORD_RE,
    "dates.prev_word_re": lambda: _lexicon().prev_word_re,
    "quotes.WORD_DOT_AT_END_RE": lambda: WORD_DOT_AT_END_RE,
    "quotes.TRANSCRIPT_TURN_RE": lambda: TRANSCRIPT_TURN_RE,
    "canonical._CAPITALISED_AFTER": lambda: _CAPITALISED_AFTER,
    "ner._ORDINAL": lambda: _ORDINAL,
    "quotes.SUBJECT_TERM_AFTER_RE": lambda: SUBJECT_TERM_AFTER_RE,
}


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_linear_time_on_100k_adversarial_text(name):
    pattern = PATTERNS[name]()
    assert _worst_seconds(pattern, 20_000) < 0.5, f"{name} backtracks (20k characters)"
    assert _worst_seconds(pattern, 100_000) < 1.0, f"{name} backtracks (100k characters)"


def test_capitalised_after_and_ordinal_still_match_what_their_callers_need():
    assert _CAPITALISED_AFTER.match("  Smith said") and not _CAPITALISED_AFTER.match(" said Smith")
    assert _ORDINAL.fullmatch("21st") and _ORDINAL.fullmatch("3rd") and not _ORDINAL.fullmatch("21")


def test_coordination_splits_before_a_new_noun_phrase():
    coordination = _cues().coordination_re
    text = "officials in Paris and two diplomats  AND the minister and Berlin"
    assert [m.group(0) for m in coordination.finditer(text)] == [" and ", "  AND "]


def test_complement_follows_the_verb():
    complement = _cues().complement_re
    text = "He stressed  that it rained, he insisted, he added. He maintained a stance"
    for verb in ("stressed", "insisted", "added"):
        assert complement.match(text, text.index(verb) + len(verb)), verb
    assert not complement.match(text, text.index("maintained") + len("maintained"))
    assert complement.match("she explained  ", len("she explained"))        # end of the sentence


def test_last_word_is_the_whole_letter_run():
    assert LAST_WORD_RE.search("at Gen").group(1) == "Gen"
    assert LAST_WORD_RE.search("4 Mr").group(1) == "Mr"
    assert LAST_WORD_RE.search("Mr ") is None


def test_prev_word_takes_a_hyphen_and_trailing_space():
    prev_word = _lexicon().prev_word_re
    assert prev_word.search("in early ").group(1) == "early"
    assert prev_word.search("the mid-").group(1) == "mid-"
    assert prev_word.search("ab-cd \n").group(1) == "cd"
    assert prev_word.search("year 5 ") is None


def test_word_dot_at_end():
    assert WORD_DOT_AT_END_RE.search("said Sen. ").group(1) == "Sen"
    assert WORD_DOT_AT_END_RE.search("by J.").group(1) == "J"
    assert WORD_DOT_AT_END_RE.search("by J. x") is None
    assert WORD_DOT_AT_END_RE.search("the 4. ") is None


def test_transcript_turn_takes_up_to_three_capitalised_words_before_the_colon():
    assert TRANSCRIPT_TURN_RE.match("PENCE: Well, look").group(1) == "PENCE"
    assert TRANSCRIPT_TURN_RE.match("SEN. JOHN MCCAIN: yes").group(1) == "SEN. JOHN MCCAIN"
    assert TRANSCRIPT_TURN_RE.match("O'REILLY: no").group(1) == "O'REILLY"
    assert TRANSCRIPT_TURN_RE.match("Pence: well") is None
    assert TRANSCRIPT_TURN_RE.match("A B C D: four words") is None
