"""The story search, put together: per-document parts as cached batch tasks, corpus-wide parts on the driver.

- Per document (pure functions over a batch of documents, run through `stages.common.executor` on the
  documents the cache does not hold): the MinHash sketch of each text (`sketches.sketch_documents`) and
  the signatures of each document's sentences (`text_features.sentence_signatures`). Each reuses an
  unchanged document's rows from the last run (`stages.common.cache.RowsCache`, keyed by the document's
  `document_keys`: its text; its sentences and the entity ids in them).
- Corpus-wide, on the driver: the LSH candidates and shingle overlaps (`sketches.update_matches`: updated
  from the index the previous run left, `Caches.index`, when only documents were added; rebuilt when any
  document it indexed was removed or changed, or the index is damaged), one
  search for linked sentence types serving stories and claims (`text_features.link_types`), the story
  grouping (`stories.find_stories`) and later the claims.

`search_stories` overlaps the two halves: the signatures and the linked types (mostly polars, which
releases the GIL) are computed in a thread while the documents are sketched and matched in Python, so both
cores work.
"""
from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from schemas.params import Aggregate, Stories
from stages.aggregate.sketches import ShingleMatches, sketch_documents, update_matches
from stages.aggregate.statements import keep_statements, sentence_kinds
from stages.aggregate.stories import find_stories, story_documents
from stages.aggregate.text_features import (TypeLinks, link_types, sentence_signatures, shared_search,
                                            with_entity_ids)
from stages.common.cache import KEY_COLUMN, IndexCache, RowsCache, document_keys, fingerprint
from stages.common.executor import Executor, InProcess, batches_of, map_batches

PACKAGE = Path(__file__).resolve().parent
DOCS_PER_BATCH = 2000   # documents per batch task (small enough to ship, large enough to amortise a call)
# Where the per-document batches run: here, in order (a distributed engine plugs in here, see executor).
EXECUTOR: Executor = InProcess()


@dataclass(frozen=True)
class Caches:
    """The per-document caches: MinHash sketches (they depend on the story params' shingles and
    permutations, and on rensa) and sentence signatures (they depend on no param); and the LSH index the
    sketches' matches are updated from (the story params and rensa too: bands, threshold, max_candidates)."""
    sketches: RowsCache
    signatures: RowsCache
    index: IndexCache

    @classmethod
    def of(cls, params: Aggregate) -> Caches:
        def cache(name: str, section: Stories | None, libraries: list[str]) -> RowsCache:
            named = fingerprint(name, params=section, folders=[PACKAGE], libraries=libraries)
            return RowsCache(params.cache_dir, name, named, key=["doc_id", KEY_COLUMN], join_on=["doc_id"],
                             enabled=params.cache, stage="aggregate")
        index = IndexCache(params.cache_dir, "lsh-index",
                           fingerprint("lsh-index", params=params.stories, folders=[PACKAGE],
                                       libraries=["rensa", "numpy"]),
                           enabled=params.cache, stage="aggregate")
        return cls(sketches=cache("sketches", params.stories, ["rensa", "numpy"]),
                   signatures=cache("signatures", None, []), index=index)

    def prune(self) -> None:
        """After a successful run: older fingerprints of every cache go."""
        self.sketches.prune()
        self.signatures.prune()
        self.index.prune()


def _batches(frame: pl.DataFrame) -> list[pl.DataFrame]:
    return batches_of(frame, max(1, -(-frame["doc_id"].n_unique() // DOCS_PER_BATCH)))


def document_sketches(docs: pl.DataFrame, params: Stories, cache: RowsCache) -> pl.DataFrame:
    """The sketch of every document of `docs` (doc_id, text), from the cache or sketched afresh."""
    def compute(missing: pl.DataFrame) -> pl.DataFrame:
        todo = docs.join(missing, on="doc_id", how="semi")
        return map_batches(EXECUTOR, functools.partial(sketch_documents, params), _batches(todo))
    rows, _ = cache.run(document_keys(docs.select("doc_id", "text")), compute)
    return rows.sort("doc_id")


def document_signatures(sentences: pl.DataFrame, entities: pl.DataFrame, cache: RowsCache
                        ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(signatures, kinds) of every sentence: `sentence_signatures` and `sentence_kinds`, from the cache for
    documents whose sentences and entity ids are unchanged (both depend on the sentence and its mentions
    only), computed afresh for the others. Kinds are cached beside the signatures because their regexes cost
    more than reading them back, and the stories, claims and timeline all use them."""
    sentences = sentences.select("doc_id", "sent_id", "text")
    mentions = entities.select("doc_id", "sent_id", "entity_id")

    def compute(missing: pl.DataFrame) -> pl.DataFrame:
        todo = with_entity_ids(sentences.join(missing, on="doc_id", how="semi"),
                               mentions.join(missing, on="doc_id", how="semi"))
        return map_batches(EXECUTOR, _signatures_and_kinds, _batches(todo))
    rows, _ = cache.run(document_keys(sentences, mentions), compute)
    rows = rows.sort("sent_id")
    return rows.drop("kind"), rows.select("sent_id", "kind")


def _signatures_and_kinds(batch: pl.DataFrame) -> pl.DataFrame:
    kinds = sentence_kinds(batch.select("sent_id", "text").unique("sent_id", keep="first"))
    return sentence_signatures(batch).join(kinds, on="sent_id", how="left", maintain_order="left")


def document_matches(sketches: pl.DataFrame, params: Stories, index: IndexCache) -> ShingleMatches:
    """The shingle matches of `sketches`, updated from the index the last run stored (and the updated index
    stored for the next run when it changed)."""
    previous = index.load()
    matches, updated = update_matches(sketches, params, previous)
    if previous is None or not updated.equals(previous):
        index.store(updated)
    return matches


def _signatures_and_links(sentences: pl.DataFrame, entities: pl.DataFrame, params: Aggregate,
                          cache: RowsCache) -> tuple[pl.DataFrame, pl.DataFrame, TypeLinks]:
    signatures, kinds = document_signatures(sentences, entities, cache)
    signatures = keep_statements(signatures, kinds)
    return signatures, kinds, link_types(signatures, shared_search(params.stories, params.claims))


@dataclass(frozen=True)
class StorySearch:
    stories: pl.DataFrame
    alignments: pl.DataFrame
    signatures: pl.DataFrame   # of every sentence: the claims use them too
    links: TypeLinks           # of the shared search: the claims use them when they serve the claim params
    kinds: pl.DataFrame        # sent_id, kind (statements.sentence_kinds) of every sentence: the timeline's too


def search_stories(docs: pl.DataFrame, sentences: pl.DataFrame, entities: pl.DataFrame, params: Aggregate,
                   caches: Caches) -> StorySearch:
    """Stories and alignments of `docs` (clean documents), with the signatures and linked sentence types."""
    docs = story_documents(docs)
    with ThreadPoolExecutor(max_workers=1) as background:
        pending = background.submit(_signatures_and_links, sentences, entities, params, caches.signatures)
        matches = document_matches(document_sketches(docs.select("doc_id", "text"), params.stories,
                                                     caches.sketches), params.stories, caches.index)
        signatures, kinds, links = pending.result()
    stories, alignments = find_stories(docs, sentences, matches, signatures, links, params.stories)
    return StorySearch(stories, alignments, signatures, links, kinds)
