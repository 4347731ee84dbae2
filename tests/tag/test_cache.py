"""The NER cache returns exactly what was stored, survives reopening, and never crosses fingerprints."""
from __future__ import annotations

from stages.tag.cache import SpanCache, fingerprint


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


def test_fingerprint_depends_on_every_part_and_its_boundaries():
    assert fingerprint(["ab", "c"]) != fingerprint(["a", "bc"])
    assert fingerprint(["model", "3.8.0"]) != fingerprint(["model", "3.8.1"])
    assert fingerprint(["x"]) == fingerprint([b"x"])
