"""Bytes to text: the ftfy shortcut is exactly ftfy; encodings and binary files."""
from __future__ import annotations

import ftfy
import pytest
from hypothesis import given, settings, strategies as st

from stages.ingest import decode


# ------------------------------------------------------------------------------------- ftfy shortcut

def plain_ftfy(text: str) -> str:
    """What ingest called before the shortcut."""
    return ftfy.fix_text(text, normalization="NFC", fix_line_breaks=True, uncurl_quotes=False)


FRAGMENTS = ["&amp;", "&lt;", "&AMP;", "&#x2019;", "&EACUTE;", "&hellip;", "&", "<", "<b>", ">", "\r\n", "\r",
             "\n", "\n", "\t", "\x0c", "\x1b[31m", "\x1b", "\x00", "\x07", "\x7f", "\x85", "\x9d", "\u2028",
             "\u201c", "\u201d", "\u2019", "Ã©", "â€™", "â€œ", "Ã", "Â ", "\xa0", "\ufeff", "\ufb01",
             "\uff21", "\ud83d", "\udca9", "e\u0301", "\u200b", "ü", "日本"]
ASCII_WORDS = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12)
TEXTS = st.lists(st.one_of(ASCII_WORDS, ASCII_WORDS, st.sampled_from(FRAGMENTS)), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(TEXTS)
def test_fix_text_fast_is_ftfy(text):
    assert decode.fix_text_fast(text) == plain_ftfy(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(TEXTS, st.text(max_size=60)))
def test_normalise_text_is_unchanged_by_the_shortcut(text):
    slow = decode.unicodedata.normalize("NFC", decode.CONTROL_CHARS.sub("", plain_ftfy(text)))
    assert decode.normalise_text(text) == slow


@settings(max_examples=150, deadline=None)
@given(TEXTS)
def test_fix_text_fast_cuts_long_lines_like_ftfy(text):
    # ftfy cuts lines longer than max_decode_length; a short one makes the cut happen in tiny texts.
    config = decode.FTFY_CONFIG._replace(max_decode_length=7)
    assert decode.fix_text_fast(text, config) == ftfy.fix_text(text, config)


def test_html_unescaping_stops_after_a_line_with_a_tag_even_if_that_line_is_skipped():
    text = "a < b in plain ASCII\nFish &amp; chips\n"
    assert decode.fix_text_fast(text) == plain_ftfy(text) == text
    assert decode.fix_text_fast("Fish &amp; chips\n") == plain_ftfy("Fish &amp; chips\n") == "Fish & chips\n"


def test_plain_ascii_lines_skip_ftfy(monkeypatch):
    calls: list[str] = []
    real = ftfy.fix_and_explain
    monkeypatch.setattr(decode.ftfy, "fix_and_explain",
                        lambda text, config: calls.append(text) or real(text, config))
    assert decode.fix_text_fast("Plain line\nFish &amp; chips\nAnother plain line") == \
        "Plain line\nFish & chips\nAnother plain line"
    assert calls == ["Fish &amp; chips\n"]


# --------------------------------------------------------------------------------------------- decoding

@pytest.mark.parametrize("data, encoding", [
    (b"plain ascii", "utf-8"), ("caf\u00e9".encode("utf-8-sig"), "utf-8-sig"), ("caf\u00e9".encode("utf-16"), "utf-16"),
    ("caf\u00e9 na\u00efve".encode("cp1252"), "cp1252"),
])
def test_decode_bytes_names_the_encoding(data, encoding):
    assert decode.decode_bytes(data, 0.05)[1] == encoding


@pytest.mark.parametrize("data, words", [(b"%PDF-1.4", "a PDF document"), (bytes(range(256)) * 4, "binary"),
                                         (b"\xff\xfe\x00\xd8", "utf-16")])
def test_unreadable_bytes_say_why(data, words):
    with pytest.raises(decode.Unreadable) as failure:
        decode.decode_bytes(data, 0.05)
    assert words in str(failure.value)


@pytest.mark.parametrize("data", [b"Talks resume\r\nin Rome\r\non Sunday\r\n", b"Rome talks\r\n", b"Rome\rtalks\r"])
def test_carriage_returns_are_line_ends_not_binary(data):
    # A Windows (or old Mac) text file of short lines was rejected as binary: '\r' counted as a control.
    text, encoding = decode.decode_bytes(data, 0.05)
    lines = data.decode().replace("\r\n", "\n").replace("\r", "\n")
    assert encoding == "utf-8" and decode.normalise_line_ends(text) == lines
    assert decode.control_share("a\x00\x01b") == 0.5 and decode.control_share("a\r\nb") == 0.0
