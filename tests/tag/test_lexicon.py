"""The extractors' shared helpers: lower-casing is exact except for four characters, alternations try the
longest phrase first, numbers parse, data files load once through the strict loader."""
import re

import pytest

from stages.common import StageError
from stages.tag.lexicon import CASE_UNSAFE_RE, alternation, data_yaml, number_parser


def test_case_unsafe_characters_are_all_the_ascii_lookalikes():
    # lower() and IGNORECASE tie these, and only these, non-ASCII characters to ASCII letters; the fast
    # lower-case paths of the extractors are exact only because CASE_UNSAFE_RE names all of them
    word = re.compile(r"\w")
    ascii_letter_ic = re.compile(r"[a-z]", re.IGNORECASE)
    found = set()
    for code in range(0x80, 0x110000):
        c = chr(code)
        low = c.lower()
        if ascii_letter_ic.match(c) or (low != c and (low.isascii() or len(low) != 1
                                                       or bool(word.match(c)) != bool(word.match(low)))):
            found.add(c)
    assert found == set(CASE_UNSAFE_RE.pattern.strip("[]"))


def test_alternation_tries_the_longest_phrase_first():
    pattern = re.compile(alternation(["at", "at least", "about"]))
    assert pattern.match("at  least 5").group(0) == "at  least"


@pytest.mark.parametrize("text, value", [("182,000", 182000), ("1.4 million", 1400000), ("twenty-five", 25),
                                         ("three hundred", 300), ("two thousand and five", 2005), ("dozen", 12),
                                         ("sideways", None)])
def test_numbers_parse(text, value):
    assert number_parser().parse(text) == value


def test_a_data_file_of_the_wrong_shape_is_refused():
    with pytest.raises(StageError, match="count_lexicon.yaml"):
        data_yaml("count_lexicon.yaml", dict[str, list[str]])
