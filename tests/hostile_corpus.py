"""The generated hostile corpus of issue 'Reliability', shared by the ingest test and the end-to-end test."""
from __future__ import annotations

import os
from pathlib import Path

BODY = "Senior officials met in Rome on Sunday to discuss a truce.\n"


def hostile_files() -> dict[str, bytes]:
    """File name -> bytes: every kind of input a scrape folder can hold that a reader could choke on."""
    body = BODY
    nested = "<html><body>" + "<div>" * 100_000 + "<p>deep</p>" + "</div>" * 100_000 + "</body></html>"
    return {
        "binary.txt": bytes(range(256)) * 64,
        "empty.txt": b"",
        "spaces.txt": b" \n\t \n",
        "invalid-utf8.txt": body.encode() + b"\xff\xfe\xfa broken bytes\n",
        "cp1252.txt": "Caf\u00e9 na\u00efve \u201cquote\u201d \u2013 dash about the talks in Rome.".encode("cp1252"),
        "utf16.txt": body.encode("utf-16"),
        "crlf.txt": body.replace("\n", "\r\n").encode(),
        "cr.txt": body.replace("\n", "\r").encode(),
        "controls.txt": b"Senior officials\x00 met\x1b in Rome on Sunday to discuss a truce in Gaza.\x07",
        "bidi.txt": "Officials \u200bmet \u202eemoR\u202c in Rome \U0001F600 on Sunday.".encode(),
        "one-line-50mb.txt": b"word " * 10_000_000,
        "million-lines.txt": b"ok\n" * 1_000_000,
        "malformed.html": b"<html><body><p>Unclosed <b>bold <p>Officials met in Rome.<div></table>",
        "nested.html": nested.encode(),
        "mixed.jsonl": b'{"text": "Good record."}\n{broken\n{"text": "Another good one."}\n',
        "name with spaces.txt": body.encode(),
        "quote's \"name\".txt": ("Another " + body).encode(),
        "\u00e9t\u00e9 \u65e5\u672c.txt": ("Third " + body).encode(),
    }


def write_hostile_corpus(root: Path, outside: Path) -> list[str]:
    """Write the corpus into `root`, plus a symlink to `outside` (a file out of the folder) and a FIFO.

    Returns every name written, links and FIFO included.
    """
    files = hostile_files()
    root.mkdir(parents=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    outside.write_text("secret")
    (root / "link.txt").symlink_to(outside)
    os.mkfifo(root / "fifo.txt")
    return [*files, "link.txt", "fifo.txt"]
