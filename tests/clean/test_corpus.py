"""stages.clean.corpus: per-document batches through the executor seam, corpus-wide counts on the driver."""
from __future__ import annotations

from functools import partial

import polars as pl
import pytest

from stages.clean.corpus import (clean_batch, clean_corpus, clean_rows, copy_groups, documents_and_removed, repeat_cap,
                                 repeat_counts, settle_unsure_languages, split_documents, with_blocks,
                                 with_repeat_counts)
from stages.clean.language import identifier
from stages.common.executor import InProcess, LocalProcesses, batches_of, map_batches
from tests.clean.texts import FRENCH, PARA, PARA2, PARA3, PARA4, PARA5, SPANISH, docs_frame
from tests.shipped_params import shipped

PARAMS = shipped("clean")
CORPUS = ["\n".join(["Home", "Plan Review Set After Long Talks", "By Jane Doe", PARA, PARA2, "Share this"]),
          "\n".join([PARA3, "Markets desk", PARA]), "\n".join(["Accueil", FRENCH, "Share this"]), "",
          "\n".join(["Plan Review Set After Long Talks", PARA4, "Reuter"]), "\n".join([PARA5, "Reuter"])]


def tasks_of(docs: pl.DataFrame, params=PARAMS) -> pl.DataFrame:
    blocks = split_documents(docs, params)
    return with_blocks(with_repeat_counts(docs, repeat_counts(blocks, params)), blocks)


def test_blocks_and_their_capped_repeat_counts():
    docs = docs_frame(*[f"{para}\nReuter" for para in (PARA, PARA2, PARA3, FRENCH, SPANISH)], "")
    blocks = split_documents(docs, PARAMS)
    assert blocks.columns == ["doc_id", "block_idx", "first_line", "n_lines", "text", "key"]
    assert blocks.filter(pl.col("block_idx") == 1)["key"].to_list() == ["reuter"] * 5
    counts = repeat_counts(blocks, PARAMS)
    assert repeat_cap(PARAMS) == 2 and repeat_cap(shipped("clean", {"repeat_min_docs_sentence": 4})) == 4
    inputs = with_repeat_counts(docs, counts)
    # "Reuter" is in five documents (capped at 2), each paragraph in one; the empty document has no blocks.
    assert inputs["n_docs"].to_list() == [[1, 2]] * 5 + [[]]


def test_copies_of_one_article_count_once():
    """Five copies of one article (a re-scrape, a reprint) are one document for line recurrence: their
    shared lines are not boilerplate. Two different articles sharing a line make it recur."""
    copies = docs_frame(*[f"{PARA}\nReuter"] * 5)
    assert repeat_counts(split_documents(copies, PARAMS), PARAMS)["n_docs"].to_list() == [1] * 10
    groups = copy_groups(split_documents(docs_frame(f"{PARA}\n{PARA2}", f"{PARA2}\n{PARA}", PARA3), PARAMS),
                         PARAMS)
    assert groups["group"].to_list() == [f"{0:016x}", f"{0:016x}", f"{2:016x}"]


def test_articles_sharing_a_related_stories_box_are_not_copies():
    """Two different articles of one site with the same three teasers of related stories (long
    paragraphs, a third of either page's) are two documents: the teasers recur, and a cut copy that kept
    only an article's lead (all of its one long paragraph) is still a copy of it."""
    own = [[f"Paragraph {k} of story {name} tells what the council decided about the {name} bridge this week."
            for k in range(6)] for name in ("north", "south")]
    box = [f"Teaser {k}: a man was arrested after a crash that left a pedestrian hurt on the road downtown."
           for k in range(3)]
    docs = docs_frame("\n".join(own[0] + box), "\n".join(own[1] + box), own[0][0])
    blocks = split_documents(docs, PARAMS)
    assert copy_groups(blocks, PARAMS)["group"].to_list() == [f"{0:016x}", f"{1:016x}", f"{0:016x}"]
    counts = repeat_counts(blocks, PARAMS).sort("doc_id", "block_idx")["n_docs"].to_list()
    assert counts[6:9] == [2, 2, 2] and counts[:6] == [1] * 6
    # As many teasers as the article has paragraphs, but a teaser is a line, a paragraph is several: the
    # shared lines hold a fraction of either page's text.
    story = [" ".join(f"Sentence {j} of part {k} of the east story says what the council decided this week."
                      for j in range(4)) for k in range(6)]
    other = [paragraph.replace("east", "west") for paragraph in story]
    teasers = [f"Teaser {k}: a man was arrested after a crash that left a pedestrian hurt downtown." for k in range(6)]
    groups = copy_groups(split_documents(docs_frame("\n".join(story + teasers), "\n".join(other + teasers)), PARAMS),
                         PARAMS)
    assert groups["group"].to_list() == [f"{0:016x}", f"{1:016x}"]


def test_batches_give_the_rows_of_one_batch_in_any_executor():
    """The task is a partial of a module-level function with the params model: it runs the same in
    another process."""
    tasks = tasks_of(docs_frame(*CORPUS))
    languages = tuple(sorted(PARAMS.languages))
    whole = clean_rows(tasks, PARAMS, None)
    task, init = partial(clean_batch, PARAMS), partial(identifier, languages, None)
    in_three = map_batches(InProcess(), task, batches_of(tasks, 3), init=init)
    assert len(batches_of(tasks, 3)) == 3 and in_three.equals(whole)
    elsewhere = map_batches(LocalProcesses(2, stage="clean"), task, batches_of(tasks, 2), init=init)
    assert elsewhere.equals(whole)


def test_clean_corpus_is_the_steps_in_order():
    docs = docs_frame(*CORPUS)
    documents, removed = clean_corpus(docs, PARAMS)
    by_steps = documents_and_removed(clean_rows(tasks_of(docs), PARAMS, None))
    assert documents.equals(by_steps[0]) and removed.equals(by_steps[1])
    assert documents["doc_id"].to_list() == docs["doc_id"].to_list()
    assert removed.filter(pl.col("text") == "Reuter")["reason"].to_list() == ["repeated_across_docs"] * 2


def test_documents_must_be_unique_and_their_counts_of_the_same_split():
    with pytest.raises(ValueError, match="one row per doc_id"):
        clean_corpus(docs_frame(PARA, PARA).with_columns(doc_id=pl.lit("0" * 16)), PARAMS)
    tasks = tasks_of(docs_frame(f"{PARA}\n{PARA2}")).with_columns(n_docs=pl.lit([1], dtype=pl.List(pl.Int64)))
    with pytest.raises(ValueError, match="another split"):
        clean_rows(tasks, PARAMS, None)


def test_an_unsure_language_takes_the_corpus_majority():
    rows = pl.DataFrame({"language": ["en", "en", "fr", "de", "und"], "_language_sure": [True, True, True, False,
                                                                                        False]})
    assert settle_unsure_languages(rows)["language"].to_list() == ["en", "en", "fr", "en", "und"]
    unsure = rows.with_columns(_language_sure=pl.lit(False))
    assert settle_unsure_languages(unsure)["language"].to_list() == rows["language"].to_list()
