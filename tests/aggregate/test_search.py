"""The story search as the stage runs it: per-document sketches and signatures reused from the cache for
unchanged documents (only a new or changed document is computed), and the LSH index updated with added
documents, with the same results as without either."""
from __future__ import annotations

import io

import polars as pl

import stages.aggregate.search as search_module
from stages.aggregate.search import Caches, document_signatures, search_stories
from stages.aggregate.statements import sentence_kinds
from stages.aggregate.text_features import sentence_signatures, with_entity_ids
from stages.common import PARQUET_OPTIONS
from tests.aggregate.test_stories import CAIRO, NO_ENTITIES, REWRITE, ROME, A, B, C, D, E, frames
from tests.shipped_params import shipped


def cached(tmp_path, enabled: bool = True):
    return shipped("aggregate", {"cache": enabled, "cache_dir": str(tmp_path / "cache")})


def test_cached_sketches_give_the_same_stories_and_new_text_is_sketched_again(tmp_path, monkeypatch):
    articles = {A: ROME, B: REWRITE, C: CAIRO, D: ROME[:3]}
    docs, sentences = frames(articles)
    plain_params = cached(tmp_path, enabled=False)
    plain = search_stories(docs, sentences, NO_ENTITIES, plain_params, Caches.of(plain_params))
    params = cached(tmp_path)
    cold = search_stories(docs, sentences, NO_ENTITIES, params, Caches.of(params))
    sketched: list[list[str]] = []
    real = search_module.sketch_documents
    monkeypatch.setattr(search_module, "sketch_documents",
                        lambda p, batch: sketched.append(batch["doc_id"].to_list()) or real(p, batch))
    warm = search_stories(docs, sentences, NO_ENTITIES, params, Caches.of(params))
    assert sketched == []
    for one, other in ((plain, cold), (cold, warm)):
        assert one.stories.equals(other.stories) and one.alignments.equals(other.alignments)
        assert one.signatures.equals(other.signatures)
    grown_docs, grown_sentences = frames({**articles, E: ROME})
    grown = search_stories(grown_docs, grown_sentences, NO_ENTITIES, params, Caches.of(params))
    assert sketched == [[E]]
    fresh = search_stories(grown_docs, grown_sentences, NO_ENTITIES, plain_params, Caches.of(plain_params))
    assert grown.stories.equals(fresh.stories)


def test_cached_signatures_equal_fresh_ones_and_follow_entity_changes(tmp_path):
    _, sentences = frames({A: ROME, B: CAIRO})
    first_sent = sentences.sort("sent_id")["sent_id"][0]
    doc_of_first = sentences.filter(pl.col("sent_id") == first_sent)["doc_id"][0]
    entities = pl.DataFrame({"doc_id": [doc_of_first], "sent_id": [first_sent], "entity_id": ["0123456789abcdef"]})
    cache = Caches.of(cached(tmp_path)).signatures
    fresh = sentence_signatures(with_entity_ids(sentences, entities))
    fresh_kinds = sentence_kinds(sentences.select("sent_id", "text")).sort("sent_id")
    for _ in range(2):                                                             # computed, then cached
        signatures, kinds = document_signatures(sentences, entities, cache)
        assert signatures.equals(fresh) and kinds.equals(fresh_kinds)
    other = entities.with_columns(pl.lit("fedcba9876543210").alias("entity_id"))
    changed, _ = document_signatures(sentences, other, cache)
    assert changed.equals(sentence_signatures(with_entity_ids(sentences, other))) and not changed.equals(fresh)


def test_a_story_param_keeps_the_signatures_and_prune_drops_old_sketches(tmp_path):
    docs, sentences = frames({A: ROME, B: ROME[:3]})
    params = cached(tmp_path)
    caches = Caches.of(params)
    search_stories(docs, sentences, NO_ENTITIES, params, caches)
    caches.prune()
    changed = shipped("aggregate", {"cache_dir": str(tmp_path / "cache"), "stories": {"shingle_size": 4}})
    again = Caches.of(changed)
    assert again.signatures.folder == caches.signatures.folder and again.sketches.folder != caches.sketches.folder
    search_stories(docs, sentences, NO_ENTITIES, changed, again)
    again.prune()
    folders = sorted(path.name.split("-")[0] for path in (tmp_path / "cache").iterdir() if path.is_dir())
    assert folders == ["lsh", "signatures", "sketches"]


def parquet_bytes(found) -> list[bytes]:
    written = []
    for table in (found.stories, found.alignments):
        buffer = io.BytesIO()
        table.write_parquet(buffer, **PARQUET_OPTIONS)
        written.append(buffer.getvalue())
    return written


def test_a_build_then_an_added_document_gives_the_bytes_of_a_full_build_and_a_damaged_index_is_rebuilt(tmp_path):
    articles = {A: ROME, B: REWRITE, C: CAIRO}
    grown = {**articles, D: ROME[:3], E: ROME}
    params, plain = cached(tmp_path), cached(tmp_path, enabled=False)
    search_stories(*frames(articles), NO_ENTITIES, params, Caches.of(params))
    (index_file,) = Caches.of(params).index.folder.glob("index-*.parquet")
    added = search_stories(*frames(grown), NO_ENTITIES, params, Caches.of(params))
    full = search_stories(*frames(grown), NO_ENTITIES, plain, Caches.of(plain))
    assert parquet_bytes(added) == parquet_bytes(full)
    assert added.stories["relation"].to_list().count("unique") < len(grown)   # copies were found
    (updated,) = Caches.of(params).index.folder.glob("index-*.parquet")
    assert updated != index_file and not index_file.exists()
    updated.write_bytes(updated.read_bytes()[:-9] + b"damaged!!")
    again = search_stories(*frames(grown), NO_ENTITIES, params, Caches.of(params))
    assert parquet_bytes(again) == parquet_bytes(full)
    (rebuilt,) = Caches.of(params).index.folder.glob("index-*.parquet")
    assert rebuilt.name == updated.name and rebuilt.read_bytes() != updated.read_bytes()[:-9] + b"damaged!!"
