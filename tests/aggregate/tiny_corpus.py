"""A tiny hand-built corpus (importable as tests.aggregate.tiny_corpus) with every table the aggregate
stage reads and the frames the stories/claims helpers return: doc A is an original, B a near-duplicate
of A (same story), C an unrelated unique story.
"""
from __future__ import annotations

import datetime

import polars as pl

A, B, C = "a" * 16, "b" * 16, "c" * 16
ROME, ISRAEL, QATAR, HAMAS, SUNDAY = "1" * 16, "2" * 16, "3" * 16, "4" * 16, "5" * 16

SENTENCES = {
    A: ["Officials from Israel and Qatar met in Rome on Sunday.", "Hamas said talks would go on.",
        "Qatar and Israel disagree."],
    B: ["Officials from Israel and Qatar met in Rome on Sunday.", "Hamas said talks would go on."],
    C: ["Storms hit Rome.", "Qatar and Israel disagree."],
}
NAMES = {ROME: ("Rome", "GPE"), ISRAEL: ("Israel", "GPE"), QATAR: ("Qatar", "GPE"), HAMAS: ("Hamas", "ORG"),
         SUNDAY: ("Sunday", "DATE")}


def sentence_frame() -> pl.DataFrame:
    rows = []
    for doc_id, texts in SENTENCES.items():
        offset = 0
        for i, text in enumerate(texts):
            rows.append({"doc_id": doc_id, "sent_id": f"{doc_id}:{i}:0", "paragraph": i, "index": 0,
                         "start": offset, "end": offset + len(text), "text": text})
            offset += len(text) + 2
    return pl.DataFrame(rows)


def entity_frame(sentences: pl.DataFrame) -> pl.DataFrame:
    rows = []
    for doc_id, sent_id, start, text in sentences.select("doc_id", "sent_id", "start", "text").iter_rows():
        for entity_id, (name, label) in sorted(NAMES.items()):
            at = text.find(name)
            if at >= 0:
                rows.append({"doc_id": doc_id, "sent_id": sent_id, "start": start + at,
                             "end": start + at + len(name), "text": name, "label": label, "canonical": name,
                             "entity_id": entity_id})
    return pl.DataFrame(rows)


def build_tiny_corpus() -> dict[str, pl.DataFrame]:
    sentences = sentence_frame()
    texts = {d: "\n\n".join(t) for d, t in SENTENCES.items()}
    raw = {d: f"Menu\nHome\n{texts[d]}\nAdvertisement" for d in texts}
    ingest = pl.DataFrame({"doc_id": [A, B, C], "source_path": ["seeds/a.txt", "seeds/b.txt", "seeds/c.txt"],
                           "source_format": ["txt"] * 3, "n_bytes": [len(raw[d].encode()) for d in (A, B, C)],
                           "encoding": ["utf-8"] * 3, "raw_text": [raw[d] for d in (A, B, C)]})
    rejected = pl.DataFrame({"source_path": ["seeds/x.pdf"], "reason": ["unsupported format '.pdf'"]})
    clean = pl.DataFrame({"doc_id": [A, B, C], "title": ["Talks in Rome", "Talks in Rome (copy)", "Storms"],
                          "subtitle": [None, None, None], "authors": [["Jane Roe"], [], []],
                          "published_date": [datetime.date(2024, 7, 28), datetime.date(2024, 7, 29), None],
                          "site": [None, None, None], "language": ["en"] * 3,
                          "text": [texts[d] for d in (A, B, C)], "is_truncated": [False, True, False],
                          "is_empty": [False, False, False],
                          "body_line_nos": [[3, 5, 7], [3, 5], [3, 5]], "title_line_no": [None, None, None],
                          "subtitle_line_no": [None, None, None]},
                         schema_overrides={"subtitle": pl.String, "site": pl.String,
                                           "authors": pl.List(pl.String), "title_line_no": pl.Int64,
                                           "subtitle_line_no": pl.Int64})
    removed = pl.DataFrame([{"doc_id": d, "line_no": n, "text": t, "reason": r}
                            for d in (A, B, C)
                            for n, t, r in ((1, "Menu", "navigation"), (2, "Home", "navigation"),
                                            (len(raw[d].split("\n")), "Advertisement", "advertisement"))])
    entities = entity_frame(sentences)
    quotes = pl.DataFrame({"doc_id": [A], "sent_id": [f"{A}:1:0"], "start": [60], "end": [80],
                           "quote": ["talks would go on"], "speaker": ["Hamas"], "verb": ["said"],
                           "kind": ["direct"]})
    # The tag tables aggregate only counts (their rows, in metrics.json); counts' values are figures of
    # related stories.
    counted = {name: pl.DataFrame({"doc_id": [A] * n}, schema={"doc_id": pl.String})
               for name, n in (("attributions", 2), ("themes", 0))}
    counted["counts"] = pl.DataFrame({"doc_id": [A], "value": [182000]},
                                     schema={"doc_id": pl.String, "value": pl.Int64})
    faults = pl.DataFrame(schema={"doc_id": pl.String, "extractor": pl.String})  # no extractor raised
    sunday = datetime.date(2024, 7, 28)
    dates = pl.DataFrame({"doc_id": [A, B, C], "sent_id": [f"{A}:0:0", f"{B}:0:0", f"{C}:0:0"],
                          "start": [46, 46, 0], "end": [52, 52, 6], "text": ["Sunday", "Sunday", "July"],
                          "date": [sunday, sunday, datetime.date(2024, 7, 1)],
                          "date_end": [sunday, sunday, datetime.date(2024, 7, 31)],
                          "granularity": ["day", "day", "month"], "resolved": [True, True, True],
                          "type": ["DATE"] * 3, "value": ["2024-07-28", "2024-07-28", "2024-07"],
                          "relative": [True, True, True], "resolution": ["past", "past", "past"]})
    stories = pl.DataFrame({"doc_id": [A, B, C], "story_id": ["s-a", "s-a", "s-c"],
                            "relation": ["original", "near_duplicate", "unique"], "source_doc_id": [None, A, None],
                            "similarity": [1.0, 0.95, 1.0], "jaccard": [1.0, 0.9, 1.0],
                            "containment": [1.0, 1.0, 1.0], "aligned_share": [1.0, 1.0, 1.0],
                            "story_size": [2, 2, 1], "duplicate_of": [None, A, None],
                            "confidence": [1.0, 0.75, 1.0], "n_evidence": [0, 2, 0],
                            "evidence_sent_ids": [[], [f"{B}:0:0", f"{B}:1:0"], []]},
                           schema_overrides={"source_doc_id": pl.String, "duplicate_of": pl.String,
                                              "evidence_sent_ids": pl.List(pl.String)})
    alignments = pl.DataFrame({"doc_id": [B, B], "sent_id": [f"{B}:0:0", f"{B}:1:0"],
                               "source_doc_id": [A, A], "source_sent_id": [f"{A}:0:0", f"{A}:1:0"],
                               "similarity": [1.0, 1.0], "method": ["exact", "exact"]})
    claims = pl.DataFrame({"claim_id": ["0123456789abcdef"], "text": ["Qatar and Israel disagree."],
                           "sent_id": [f"{A}:2:0"],
                           "n_docs": [2], "n_stories": [2], "doc_ids": [[A, C]],
                           "sent_ids": [[f"{A}:2:0", f"{C}:1:0"]]})
    return {"ingest_docs": ingest, "rejected": rejected, "clean_docs": clean, "removed": removed,
            "sentences": sentences, "entities": entities, "quotes": quotes, "dates": dates,
            "stories": stories, "alignments": alignments, "claims": claims, "faults": faults, **counted}
