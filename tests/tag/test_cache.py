"""The NER cache returns exactly what was stored, survives reopening, and never crosses fingerprints."""
from __future__ import annotations

from stages.tag.cache import MAX_PARTS, SpanCache


def test_round_trip_and_persistence(tmp_path):
    cache = SpanCache(tmp_path, "fp1")
    cache.put_many({"Netanyahu met Blinken.": [(0, 9, "PERSON"), (14, 21, "PERSON")], "Nothing here.": []})
    cache.close()
    again = SpanCache(tmp_path, "fp1")
    got = again.get_many(["Netanyahu met Blinken.", "Nothing here.", "Unseen text."])
    assert got == {"Netanyahu met Blinken.": [(0, 9, "PERSON"), (14, 21, "PERSON")], "Nothing here.": []}


def test_another_fingerprint_sees_nothing(tmp_path):
    SpanCache(tmp_path, "fp1").put_many({"Rome.": [(0, 4, "GPE")]})
    assert SpanCache(tmp_path, "fp2").get_many(["Rome."]) == {}


def test_disabled_cache_stores_nothing(tmp_path):
    cache = SpanCache(tmp_path / "c", "fp", enabled=False)
    cache.put_many({"Rome.": [(0, 4, "GPE")]})
    assert cache.get_many(["Rome."]) == {}
    assert not (tmp_path / "c").exists()


def test_many_runs_are_merged_into_few_parts_and_nothing_is_lost(tmp_path):
    cache = SpanCache(tmp_path, "fp")
    for i in range(MAX_PARTS + 3):
        cache.put_many({f"Sentence {i} about Rome.": [(len(f"Sentence {i} about "), len(f"Sentence {i} about Rome"), "GPE")]})
    assert len(list((tmp_path / "ner-fp").glob("part-*.parquet"))) <= MAX_PARTS
    got = SpanCache(tmp_path, "fp").get_many([f"Sentence {i} about Rome." for i in range(MAX_PARTS + 3)])
    assert len(got) == MAX_PARTS + 3 and all(spans[0][2] == "GPE" for spans in got.values())


def test_a_damaged_part_only_means_tagging_again(tmp_path):
    cache = SpanCache(tmp_path, "fp")
    cache.put_many({"Rome.": [(0, 4, "GPE")]})
    cache.put_many({"Paris.": [(0, 5, "GPE")]})
    damaged = sorted((tmp_path / "ner-fp").glob("part-*.parquet"))[0]
    damaged.write_bytes(b"not parquet")
    found, missing = SpanCache(tmp_path, "fp").lookup(["Rome.", "Paris."])
    assert found.height == 1 and len(missing) == 1


def test_only_the_most_recently_used_fingerprints_are_kept(tmp_path):
    import os
    for age, name in enumerate(["fp-old", "fp-older", "fp-oldest"]):
        SpanCache(tmp_path, name).put_many({"Rome.": [(0, 4, "GPE")]})
        os.utime(tmp_path / f"ner-{name}", (1_000_000 - age, 1_000_000 - age))
    (tmp_path / "ner-legacy.sqlite").write_bytes(b"")   # the single-file format before part folders
    os.utime(tmp_path / "ner-legacy.sqlite", (1, 1))
    current = SpanCache(tmp_path, "fp-now")
    current.put_many({"Rome.": [(0, 4, "GPE")]})
    removed = current.keep_recent(3)
    assert sorted(p.name for p in removed) == ["ner-fp-oldest", "ner-legacy.sqlite"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ner-fp-now", "ner-fp-old", "ner-fp-older"]
    assert SpanCache(tmp_path, "fp-old").get_many(["Rome."]) == {"Rome.": [(0, 4, "GPE")]}


def test_keeping_one_fingerprint_keeps_only_the_current_one(tmp_path):
    SpanCache(tmp_path, "fp-old").put_many({"Rome.": [(0, 4, "GPE")]})
    current = SpanCache(tmp_path, "fp-now")
    current.put_many({"Paris.": [(0, 5, "GPE")]})
    current.keep_recent(1)
    assert [p.name for p in tmp_path.iterdir()] == ["ner-fp-now"]
    assert SpanCache(tmp_path / "off", "fp", enabled=False).keep_recent(1) == []
