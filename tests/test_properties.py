"""Invariants that must hold on any input (hypothesis generates the inputs).

- ingest: `doc_id` depends only on the bytes, never on the file's name or folder.
- clean: every non-blank raw line is accounted for exactly once: in the body, the title, the subtitle or a
  `removed` row.
- segment: paragraphs and sentences slice the text, lie inside their paragraph, are ordered and disjoint.
- tag: quote, count, date and theme offsets slice the clean text.
"""
from __future__ import annotations

import hashlib

import polars as pl
from hypothesis import HealthCheck, example, given, settings, strategies as st

from stages.clean.corpus import clean_corpus
from stages.ingest.__main__ import ingest_files, rows_cache
from stages.segment.sentences import lexicon_file, load_lexicon, split_paragraphs, split_sentences
from stages.tag.counts import extract_counts
from stages.tag.dates import extract_dates
from stages.tag.quotes import extract_quotes
from stages.tag.themes import extract_themes
from tests.shipped_params import shipped

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
INGEST_PARAMS = shipped("ingest", {"max_bytes": 1_000_000, "cache": False})
SEGMENT_PARAMS = shipped("segment")
LEXICON = load_lexicon(lexicon_file(SEGMENT_PARAMS))

# Text that looks like a scraped page: words, punctuation, quotes, numbers, odd whitespace and scripts.
WORDS = st.sampled_from(["the", "Mr.", "Netanyahu", "said", "U.S.", "Advertisement", "Subscribe", "“", "”",
                         '"', "people", "killed", "12", "at least", "on Sunday", "Oct. 7", "cease-fire",
                         "hostages", "—", "...", "?", "!", ".", ",", "By", "Jane Doe", "Rome", "de la", "el",
                         "\u200b", "\u05e9\u05dc\u05d5\u05dd", "🙂", "\t", "a.m.", "Share", "May 19, 2024"])
LINE = st.lists(WORDS, min_size=0, max_size=25).map(" ".join)
PAGE = st.lists(st.one_of(LINE, st.just(""), st.just("   ")), min_size=0, max_size=30).map("\n".join)
ANY_TEXT = st.one_of(PAGE, st.text(max_size=400))


def ingest_document(raw: str, doc_id: str = "0123456789abcdef") -> dict:
    return {"doc_id": doc_id, "source_path": f"seeds/{doc_id}.txt", "source_format": "txt",
            "n_bytes": len(raw.encode()), "encoding": "utf-8", "raw_text": raw, "meta_title": None,
            "meta_description": None, "meta_authors": [], "meta_date": None, "meta_site": None, "meta_url": None}


def ingest_frame(raws: list[str]) -> pl.DataFrame:
    rows = [ingest_document(raw, hashlib.sha256(f"{i}:{raw}".encode()).hexdigest()[:16])
            for i, raw in enumerate(raws)]
    return pl.DataFrame(rows, schema_overrides={"meta_authors": pl.List(pl.String), "meta_title": pl.String,
                                                "meta_description": pl.String, "meta_date": pl.String,
                                                "meta_site": pl.String, "meta_url": pl.String})


# ----------------------------------------------------------------------------------------------- ingest

@SETTINGS
@given(data=st.text(min_size=1, max_size=300).filter(lambda t: any(c.isalpha() for c in t))
       .map(lambda t: t.encode("utf-8", "surrogatepass")),
       names=st.lists(st.text("abcXYZ é'\"-_", min_size=1, max_size=12), min_size=2, max_size=2, unique=True))
def test_doc_id_depends_only_on_bytes(tmp_path_factory, data, names):
    folder = tmp_path_factory.mktemp("in")
    paths = []
    for i, name in enumerate(names):
        path = folder / f"sub{i}" / f"{name.strip() or 'x'}.txt"
        path.parent.mkdir()
        path.write_bytes(data)
        paths.append(path)
    documents, rejected, _ = ingest_files(paths, INGEST_PARAMS, rows_cache(INGEST_PARAMS))
    expected = hashlib.sha256(data).hexdigest()[:16]
    ids = documents["doc_id"].to_list() + rejected["doc_id"].drop_nulls().to_list()
    # Every input lands somewhere, and whatever is identified is identified by its bytes only: a readable
    # text is a document under one name and "same bytes as" it under the other.
    assert documents.height + rejected.height == 2
    assert all(i == expected for i in ids)
    if documents.height:
        assert len(ids) == 2 and "same bytes as" in rejected["reason"][0]


# ------------------------------------------------------------------------------------------------ clean

@SETTINGS
@given(pages=st.lists(ANY_TEXT, min_size=1, max_size=4))
# Found by hypothesis: a first block of two lines equal to a later headline was taken as the title, and
# title_line_no could hold only its first line.
@example(pages=["\u201c\nsaid the the the Mr.\nthe\n\nsaid the the the Mr."])
# Found by hypothesis: a dateline first line was removed as `dateline` and also taken as the page's
# "Title - Site" line.
@example(pages=["May 19, 2024 \u2014 the\nthe the the"])
# Found by hypothesis: a dateline first line repeated later was the title and also got `dateline` back.
@example(pages=["May 19, 2024\nthe\nMay 19, 2024"])
def test_every_nonblank_raw_line_is_accounted_for_once(pages):
    documents, removed = clean_corpus(ingest_frame(pages), shipped("clean"))
    assert documents.height == len(pages)
    removed_by_doc: dict[str, list[int]] = {}
    for doc_id, line_no in removed.select("doc_id", "line_no").iter_rows():
        removed_by_doc.setdefault(doc_id, []).append(line_no)
    raw_by_doc = dict(zip(ingest_frame(pages)["doc_id"], pages))
    for row in documents.iter_rows(named=True):
        lines = raw_by_doc[row["doc_id"]].split("\n")
        nonblank = {i + 1 for i, line in enumerate(lines) if line.strip()}
        places = list(row["body_line_nos"]) + removed_by_doc.get(row["doc_id"], [])
        places += [n for n in (row["title_line_no"], row["subtitle_line_no"]) if n is not None]
        assert sorted(places) == sorted(nonblank), row["doc_id"]
        assert "\n\n\n" not in row["text"] and row["text"] == row["text"].strip()


# ---------------------------------------------------------------------------------------------- segment

@SETTINGS
@given(text=ANY_TEXT)
def test_sentences_slice_their_paragraph_in_order_without_overlap(text):
    previous_end = 0
    for p_start, p_end in split_paragraphs(text):
        paragraph = text[p_start:p_end]
        assert p_start >= previous_end and paragraph == paragraph.strip() and paragraph
        cursor = 0
        for s_start, s_end in split_sentences(paragraph, SEGMENT_PARAMS, LEXICON):
            sentence = paragraph[s_start:s_end]
            assert cursor <= s_start < s_end <= len(paragraph)
            assert sentence == sentence.strip()
            assert not paragraph[cursor:s_start].strip(), "text between sentences was dropped"
            cursor = s_end
        assert not paragraph[cursor:].strip()
        previous_end = p_end
    # Paragraphs cover every visible character: nothing between them but whitespace.
    covered = sum(len("".join(text[a:b].split())) for a, b in split_paragraphs(text))
    assert covered == len("".join(text.split()))


# -------------------------------------------------------------------------------------------------- tag

def sentence_frame(doc_id: str, text: str) -> pl.DataFrame:
    rows = []
    for paragraph, (p_start, p_end) in enumerate(split_paragraphs(text)):
        for index, (s_start, s_end) in enumerate(split_sentences(text[p_start:p_end], SEGMENT_PARAMS, LEXICON)):
            rows.append({"doc_id": doc_id, "sent_id": f"{doc_id}:{paragraph}:{index}", "paragraph": paragraph,
                         "index": index, "start": p_start + s_start, "end": p_start + s_end,
                         "text": text[p_start + s_start:p_start + s_end]})
    schema = {"doc_id": pl.String, "sent_id": pl.String, "paragraph": pl.Int64, "index": pl.Int64,
              "start": pl.Int64, "end": pl.Int64, "text": pl.String}
    return pl.DataFrame(rows, schema=schema)


@SETTINGS
@given(text=PAGE, dated=st.booleans())
def test_extraction_offsets_slice_the_clean_text(text, dated):
    import datetime

    from schemas.base import empty_frame
    from schemas.tag import Entities
    from tests.shipped_params import shipped
    tag = shipped("tag")
    doc_id = "0123456789abcdef"
    docs = pl.DataFrame({"doc_id": [doc_id], "text": [text],
                         "published_date": [datetime.date(2024, 5, 19) if dated else None]},
                        schema={"doc_id": pl.String, "text": pl.String, "published_date": pl.Date})
    sentences = sentence_frame(doc_id, text)
    quotes = extract_quotes(docs, sentences, empty_frame(Entities), tag.quotes)
    for start, end, quote in quotes.select("start", "end", "quote").iter_rows():
        assert text[start:end] == quote
    for table in (extract_counts(docs, sentences, tag.counts), extract_dates(docs, sentences, tag.dates),
                  extract_themes(docs, sentences, tag.themes)):
        for start, end, span in table.select("start", "end", "text").iter_rows():
            assert text[start:end] == span
