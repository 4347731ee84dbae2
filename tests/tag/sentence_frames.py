"""Tiny docs + sentences frames for the tag extractor tests: paragraphs on line breaks, sentences on end
punctuation (a plain split, so these tests do not depend on the segment stage)."""
import re

import polars as pl

SENT_END = re.compile(r"(?<!\b[A-Z][a-z]\.)(?<!\b[A-Z][a-z][a-z]\.)(?<=[.!?])[”\"]?\s+(?=[“\"A-Z])")


def frames(text: str, doc_id: str = "d1"):
    """docs + sentences for one text: paragraphs on blank lines, sentences on end punctuation."""
    docs = pl.DataFrame({"doc_id": [doc_id], "text": [text], "published_date": [None], "title": [None]},
                        schema_overrides={"published_date": pl.Date, "title": pl.Utf8})
    rows = []
    for p, m in enumerate(re.finditer(r"[^\n]+", text)):
        cuts = [0] + [c.end() for c in SENT_END.finditer(m.group(0))] + [len(m.group(0))]
        for i, (a, b) in enumerate(zip(cuts, cuts[1:])):
            seg = m.group(0)[a:b].rstrip()
            rows.append({"doc_id": doc_id, "sent_id": f"{doc_id}:{p}:{i}", "paragraph": p, "index": i,
                         "start": m.start() + a, "end": m.start() + a + len(seg), "text": seg})
    return docs, pl.DataFrame(rows)
