"""Bytes to clean text: binary and encoding detection, mojibake repair and normalisation.

`decode_bytes` turns a file's bytes into text or raises `Unreadable` with a reason a person understands
(BOM, strict UTF-8, then charset-normalizer); `normalise_text` repairs mojibake and normalises to NFC with
ftfy (skipping, exactly, the lines ftfy would leave unchanged), `\n` line ends, no control characters.
"""
from __future__ import annotations

import re
import unicodedata

import ftfy

# Signatures of common binary formats, so a rejection can say what the file looks like.
MAGIC = [
    (b"%PDF", "a PDF document"), (b"\x89PNG", "a PNG image"), (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"), (b"PK\x03\x04", "a ZIP archive (or Office document)"),
    (b"\x1f\x8b", "a gzip archive"), (b"\x7fELF", "an executable"), (b"BZh", "a bzip2 archive"),
]
BOMS = [
    (b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"),
]
# C0/C1 control characters other than tab and newline: never meaningful in article text.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# The same without carriage returns: what makes decoded bytes look binary. A '\r' is a line end (Windows
# or old Mac text), normalised to '\n' later; counting it made a CRLF file of short lines look binary.
BINARY_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Unreadable(Exception):
    """The bytes cannot be used as text; the message is the rejection reason."""


def decode_bytes(data: bytes, max_control_share: float) -> tuple[str, str]:
    """Return (text, encoding) or raise Unreadable with a reason a person understands."""
    for signature, what in MAGIC:
        if data.startswith(signature):
            raise Unreadable(f"binary file: it looks like {what}, not text")
    for bom, encoding in BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as err:
                raise Unreadable(f"starts with a {encoding} byte-order mark but does not decode as "
                                 f"{encoding} (byte {err.start})") from None
    candidates: list[tuple[str, str]] = []
    try:
        candidates.append((data.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        pass
    if not candidates or control_share(candidates[0][0]) > max_control_share:
        candidates.extend(guess_encoding(data))
    for text, encoding in candidates:
        if control_share(text) <= max_control_share:
            return text, encoding
    raise Unreadable("binary or undecodable content: no text encoding (UTF-8, UTF-16, cp1252, Latin-1, ...) "
                     "gives readable text")


def guess_encoding(data: bytes) -> list[tuple[str, str]]:
    """Candidates for bytes that are not UTF-8, best first.

    charset-normalizer tells multi-byte encodings (UTF-16 without a BOM, CJK code pages) apart reliably,
    but on short Western text it often picks the wrong single-byte code page (cp1250 for cp1252: "naďve").
    Single-byte text is therefore read as cp1252, the Western default, whenever it decodes with it.
    """
    from charset_normalizer import from_bytes
    best = from_bytes(data).best()
    if best is not None and not is_single_byte(best.encoding):
        return [(str(best), best.encoding)]
    found: list[tuple[str, str]] = []
    try:
        found.append((data.decode("cp1252"), "cp1252"))
    except UnicodeDecodeError:
        pass
    if best is not None:
        found.append((str(best), best.encoding))
    return found


def is_single_byte(encoding: str) -> bool:
    import codecs
    name = codecs.lookup(encoding).name
    return name.startswith(("cp", "iso8859", "latin", "mac", "windows", "koi8", "tis", "hp", "kz", "ptcp")) \
        and name not in ("cp932", "cp949", "cp950")


def control_share(text: str) -> float:
    if not text:
        return 0.0
    return len(BINARY_CONTROL_CHARS.findall(text[:200_000])) / min(len(text), 200_000)


# ftfy.fix_text fixes text one segment (line) at a time. For a segment of printable ASCII, tab and '\n',
# without '&', every fixer of our config is the identity (checked against the source of ftfy 6.3.1):
# unescape_html needs '&'; fix_encoding returns ASCII unchanged; the C1, ligature, width, surrogate and
# curly-quote tables hold no ASCII character; fix_line_breaks needs '\r'; remove_terminal_escapes needs
# ESC; remove_control_chars only removes C0 controls and DEL; NFC leaves ASCII alone. So such segments
# are copied as they are, and `tests/ingest/test_cache.py` checks the shortcut against ftfy with hypothesis.
FTFY_VERIFIED_VERSIONS = {"6.3.1"}
FTFY_SHORTCUT = ftfy.__version__ in FTFY_VERIFIED_VERSIONS  # another version: plain ftfy, to be safe
FTFY_CONFIG = ftfy.TextFixerConfig(normalization="NFC", fix_line_breaks=True, uncurl_quotes=False,
                                   explain=False)
ASCII_RISKY = re.compile(r"[&\r\x00-\x08\x0b-\x1f\x7f]")  # the ASCII characters some fixer changes


def is_ftfy_identity(segment: str) -> bool:
    """True when ftfy (our config) is sure to return `segment` unchanged: see the comment above."""
    return segment.isascii() and ASCII_RISKY.search(segment) is None


def fix_text_fast(text: str, config: ftfy.TextFixerConfig = FTFY_CONFIG) -> str:
    """Exactly `ftfy.fix_text(text, config)`, without calling ftfy on segments it leaves alone.

    The loop is ftfy's own (same segments, same switch-off of HTML unescaping once a segment holds '<'),
    so the segments that do need ftfy get exactly the config they get inside ftfy.fix_text. `config` must
    differ from FTFY_CONFIG in `max_decode_length` at most (tests shorten it): the shortcut assumes the rest.
    """
    if not FTFY_SHORTCUT:
        return ftfy.fix_text(text, config)
    if is_ftfy_identity(text):
        return text
    out: list[str] = []
    pos = 0
    while pos < len(text):
        textbreak = text.find("\n", pos) + 1
        if textbreak == 0:
            textbreak = len(text)
        if textbreak - pos > config.max_decode_length:
            textbreak = pos + config.max_decode_length
        segment = text[pos:textbreak]
        if config.unescape_html == "auto" and "<" in segment:
            config = config._replace(unescape_html=False)
        out.append(segment if is_ftfy_identity(segment) else ftfy.fix_and_explain(segment, config).text)
        pos = textbreak
    return "".join(out)


def normalise_text(text: str) -> str:
    """Mojibake repair, NFC, '\\n' line ends, no control characters (ftfy keeps zero-width joiners etc.).

    Curly quotes are kept: they are how the tag stage tells quotations from apostrophes.
    """
    if FTFY_SHORTCUT and is_ftfy_identity(text):
        return text  # and our own control-character removal and NFC leave it alone too
    text = fix_text_fast(text)
    text = CONTROL_CHARS.sub("", text)
    return unicodedata.normalize("NFC", text)


def normalise_line_ends(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
