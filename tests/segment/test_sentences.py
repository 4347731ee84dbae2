"""Sentence and paragraph splitting: the hard cases of news text, the span invariants, linear time."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from stages.common import DataFileError
from stages.segment.sentences import (DATA_DIR, lexicon_file, load_lexicon, split_paragraphs,
                                      split_sentences)
from tests.shipped_params import shipped

ROOT = Path(__file__).resolve().parents[2]
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
GOLDEN = ROOT / ".." / "shared" / "benchmarks" / "golden_rules" / "english.jsonl"
PARAMS = shipped("segment")
LEXICON = load_lexicon(lexicon_file(PARAMS))
MAX_CHARS = PARAMS.max_sentence_chars


def spans(text: str, **changes) -> list[tuple[int, int]]:
    """split_sentences with the shipped params and lexicon, and `changes` to the params."""
    return split_sentences(text, shipped("segment", changes) if changes else PARAMS, LEXICON)


def sentences(text: str, **changes) -> list[str]:
    return [text[a:b] for a, b in spans(text, **changes)]


def assert_invariants(text: str, spans: list[tuple[int, int]]) -> None:
    """Each span stripped and non-empty, ordered, disjoint, and together they hold every non-space char."""
    previous_end = 0
    for start, end in spans:
        piece = text[start:end]
        assert piece and piece == piece.strip(), (start, end, piece)
        assert start >= previous_end
        assert not text[previous_end:start].strip(), text[previous_end:start]
        previous_end = end
    assert not text[previous_end:].strip()


# --- news hard cases -------------------------------------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Mr. Netanyahu faces pressure. He refused.", ["Mr. Netanyahu faces pressure.", "He refused."]),
    ("It was the Hamas-led Oct. 7 attack. Israel responded.",
     ["It was the Hamas-led Oct. 7 attack.", "Israel responded."]),
    ("George W. Bush spoke. Then he left.", ["George W. Bush spoke.", "Then he left."]),
    ("Officials in the U.S. said so. The U.S. Senate agreed.",
     ["Officials in the U.S. said so.", "The U.S. Senate agreed."]),
    ("He lives in the U.S. He works there.", ["He lives in the U.S.", "He works there."]),
    ("The vote is at 10 a.m. on Monday. It may slip.", ["The vote is at 10 a.m. on Monday.", "It may slip."]),
    ("“We were very close,” he said. “Now we are not.”", ["“We were very close,” he said.", "“Now we are not.”"]),
    ('"We are close," he said. "Talks resume."', ['"We are close," he said.', '"Talks resume."']),
    ("“I can’t leave her.” He stayed.", ["“I can’t leave her.”", "He stayed."]),
    ('"This is great." she said.', ['"This is great." she said.']),
    ("Apple Inc. said profit rose 5.2 pct. Shares fell.", ["Apple Inc. said profit rose 5.2 pct.", "Shares fell."]),
    ("It cost $100.00. It is in her bag.", ["It cost $100.00.", "It is in her bag."]),
    ("I never meant that.... She left.", ["I never meant that....", "She left."]),
    ("Wait... What happened?", ["Wait...", "What happened?"]),
    ("Really ... well, maybe.", ["Really ... well, maybe."]),
    ("It is ranked No. 1 in 2024. Rivals lag.", ["It is ranked No. 1 in 2024.", "Rivals lag."]),
    ("You and I. Did you see Albert I. Jones?", ["You and I.", "Did you see Albert I. Jones?"]),
    ("Sen. Alan Cranston (D-Cal.) and others spoke.", ["Sen. Alan Cranston (D-Cal.) and others spoke."]),
    ("Wow! Great. Why? Because.", ["Wow!", "Great.", "Why?", "Because."]),
    ("The notes are backed by Japan Ltd. Payment is due.", ["The notes are backed by Japan Ltd.", "Payment is due."]),
    ("Plessey Co. Plc and Apple Inc. Chief Executive Tim Cook met.",
     ["Plessey Co. Plc and Apple Inc. Chief Executive Tim Cook met."]),
    ("Flights to Minneapolis-St. Paul resumed. Others did not.",
     ["Flights to Minneapolis-St. Paul resumed.", "Others did not."]),
    ("It fell in the U.K. Last year it rose.", ["It fell in the U.K.", "Last year it rose."]),
    ("He cited (U.S.) Treasury data.", ["He cited (U.S.) Treasury data."]),
    ("Saudi Arabia is adhering to the ... Accord, he said.", ["Saudi Arabia is adhering to the ... Accord, he said."]),
    ("It was rated AA by S and P. The outlook is stable.", ["It was rated AA by S and P.", "The outlook is stable."]),
])
def test_news_hard_cases(text, expected):
    assert sentences(text) == expected


def test_headline_and_list_lines_without_punctuation_are_sentences():
    text = "Rome Talks Aim for Cease-Fire\nSenior officials met on Sunday. Talks resumed.\nView All"
    assert sentences(text) == ["Rome Talks Aim for Cease-Fire", "Senior officials met on Sunday.",
                               "Talks resumed.", "View All"]
    items = "Key points:\n- hostages\n- troops\nNew York"
    assert sentences(items) == ["Key points:", "- hostages", "- troops", "New York"]


def test_hard_wrapped_lines_join_and_the_param_turns_line_splitting_off():
    wrapped = "Officials said the talks,\nwhich began in Rome, would\nresume soon."
    assert sentences(wrapped) == [wrapped]
    headline = "Talks Stall\nNegotiators left Cairo."
    assert sentences(headline, split_unpunctuated_lines=False) == [headline]
    assert sentences(headline) == ["Talks Stall", "Negotiators left Cairo."]


def test_line_break_after_an_abbreviation_before_a_capital_ends_the_sentence():
    assert sentences("He works at Acme Inc.\nShares rose.") == ["He works at Acme Inc.", "Shares rose."]
    assert sentences("A talk by Mr.\nSmith followed.") == ["A talk by Mr.\nSmith followed."]


def test_inline_lists():
    assert sentences("1) The first item 2) The second item") == ["1) The first item", "2) The second item"]
    assert sentences("a. First b. Second c. Third") == ["a. First", "b. Second", "c. Third"]
    assert sentences("• One thing • Another thing") == ["• One thing", "• Another thing"]
    # numbering must continue: "5)" after "1)" is not an item
    assert sentences("1) Pay 5) dollars") == ["1) Pay 5) dollars"]
    assert sentences("Items: 1. Bread 2. Milk") == ["Items:", "1. Bread", "2. Milk"]
    assert sentences("1) Pay 2) Go", inline_lists=False) == ["1) Pay 2) Go"]


def test_spaced_ellipses():
    assert sentences("He waited . . . and left.") == ["He waited . . . and left."]
    assert sentences("It ended . . . . Next day came.") == ["It ended . . . .", "Next day came."]
    assert sentences("It ended. . . . The rest followed.") == ["It ended.", ". . . The rest followed."]
    assert sentences('"Bohr [...] used it [...]" (Smith 55).') == ['"Bohr [...] used it [...]" (Smith 55).']


def test_ellipsis_param():
    assert sentences("Wait... What?", ellipsis_ends_sentence=False) == ["Wait... What?"]


def test_max_sentence_chars_cuts_at_whitespace():
    text = " ".join(["word"] * 100)   # 499 chars, no punctuation
    cut = spans(text, max_sentence_chars=50)
    assert_invariants(text, cut)
    assert len(cut) > 1 and all(b - a <= 50 for a, b in cut)
    assert all(text[a:b].split() == [w for w in text[a:b].split() if w == "word"] for a, b in cut)
    blob = "x" * 1000   # no whitespace at all: hard cuts
    cut = spans(blob, max_sentence_chars=100)
    assert_invariants(blob, cut)
    assert [b - a for a, b in cut] == [100] * 10


def test_nothing_to_split():
    assert sentences("") == [] and sentences("   \n ") == []


# --- paragraphs ---------------------------------------------------------------------------------------

def test_paragraphs_split_on_blank_lines_including_whitespace_only_lines():
    text = "  Title line\n\nFirst para line one.\nline two.\n \t \nSecond para.\n\n\n"
    spans = split_paragraphs(text)
    assert [text[a:b] for a, b in spans] == ["Title line", "First para line one.\nline two.", "Second para."]
    assert split_paragraphs("") == [] and split_paragraphs("\n \n\n") == []
    assert split_paragraphs("one") == [(0, 3)]


# --- invariants ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name)
def test_offsets_on_every_seed_line(seed):
    text = seed.read_text(encoding="utf-8")
    n_sentences = 0
    for line in text.split("\n"):
        if line.strip():
            found = spans(line)
            assert_invariants(line, found)
            n_sentences += len(found)
    for a, b in split_paragraphs(text):
        assert_invariants(text[a:b], spans(text[a:b]))
    assert n_sentences > 0


def test_seed_sentences_look_right():
    text = (ROOT / "seeds").glob("*.txt")
    joined = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(text))
    found = set()
    for a, b in split_paragraphs(joined):
        paragraph = joined[a:b]
        found.update(paragraph[s:e] for s, e in spans(paragraph))
    assert "Mr. Netanyahu faces pressure from members of his right-wing government to stick to a tougher line." in found
    assert ("“He committed in front of the president to act with more urgency than he has in the past,” "
            "Mr. Dekel-Chen said in a phone interview on Saturday.") in found


ALPHABET = st.sampled_from(list("aA .!?…\n\t\"'“”’()[]1,;:-•") + ["Mr. ", "U.S. ", ". . . ", "\n\n", " I. ",
                                                                     "1. ", "a. ", "Co. ", "\u00a0", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=60).map("".join), st.integers(min_value=16, max_value=40))
def test_invariants_on_random_text(text, cap):
    capped = shipped("segment", {"max_sentence_chars": cap})
    for params in (PARAMS, capped):
        assert_invariants(text, split_sentences(text, params, LEXICON))
    paragraphs = split_paragraphs(text)
    assert_invariants(text, paragraphs)
    for a, b in paragraphs:
        assert "\n\n" not in text[a:b]
        found = split_sentences(text[a:b], capped, LEXICON)
        assert_invariants(text[a:b], found)
        assert all(e - s <= cap for s, e in found)


@pytest.mark.parametrize("unit", ["a.", "...", "Mr. ", ". ", "a" * 7 + " ", "1.) ", "\n", "x.\n", "“”. "])
def test_linear_time_on_adversarial_input(unit):
    text = unit * (100_000 // len(unit))
    started = time.perf_counter()
    found = spans(text)
    split_paragraphs(text)
    assert time.perf_counter() - started < 2.0
    assert all(b - a <= MAX_CHARS for a, b in found)


def test_one_long_line_is_capped():
    text = "word " * 200_000   # 1 MB, no punctuation
    started = time.perf_counter()
    found = spans(text)
    assert time.perf_counter() - started < 2.0
    assert len(found) >= 500 and all(b - a <= MAX_CHARS for a, b in found)


# --- the golden rules (skip when ../shared is absent) -----------------------------------------------------

@pytest.mark.skipif(not GOLDEN.is_file(), reason="../shared golden rules not available")
def test_golden_rules_score():
    passed = []
    for line in GOLDEN.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        got = [s.strip() for s in sentences(case["text"])]
        passed.append(got == [s.strip() for s in case["expected"]])
    assert sum(passed) >= 47


# --- the lexicon ---------------------------------------------------------------------------------------------

def test_a_lexicon_that_is_not_there_is_a_clear_error():
    for name in ("no_such_lexicon.yaml", "../sentences.py", "/etc/passwd"):
        with pytest.raises(DataFileError) as failure:
            lexicon_file(shipped("segment", {"lexicon": name}))
        assert "segment.lexicon" in failure.value.message and repr(name) in failure.value.message


def test_the_shipped_lexicon_is_read_as_written():
    assert "mr" in LEXICON.titles and "no" in LEXICON.abbreviations   # "Mr." looked up lower-cased
    assert "Plc" in LEXICON.continuations and "plc" not in LEXICON.continuations
    assert lexicon_file(PARAMS) == DATA_DIR / "abbreviations.yaml"


@pytest.mark.parametrize("text, problem", [
    ("titles: [mr, no]\n", "not text"),                 # a bare YAML boolean is refused, not read as "False"
    ("titles: [mr]\ntitels: [dr]\n", "titels"),          # a misspelt list is refused, not ignored
])
def test_a_lexicon_with_a_bad_entry_is_refused(tmp_path, text, problem):
    lists = ("abbreviations", "sentence_final_abbreviations", "name_continuations", "capitalized_abbreviations",
             "sentence_starters")
    path = tmp_path / "lexicon.yaml"
    path.write_text(text + "".join(f"{name}: [x]\n" for name in lists), encoding="utf-8")
    with pytest.raises(DataFileError) as failure:
        load_lexicon(path)
    assert problem in failure.value.message
