"""The gazetteer resolves a place name only when there is no doubt about it; kept in the stage's cache,
it is the same gazetteer, and a damaged entry is only rebuilt."""
from __future__ import annotations

import pytest

from stages.common import StageError
from stages.tag import places
from stages.tag.places import (Gazetteer, build_gazetteer, bundled_city_floor, fold, gazetteer_cache,
                               load_gazetteer, read_reviewed_places)
from tests.shipped_params import shipped


def entities(**changes):
    return shipped("tag", {"entities": changes}).entities


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return build_gazetteer(entities())


def test_fold_removes_accents_case_article_and_hyphens():
    assert fold("the Khān-Yūnis") == "khan yunis"
    assert fold("Gaza") == fold("GAZA") == "gaza"


@pytest.mark.parametrize("name, country_code", [("Rome", "IT"), ("Cairo", "EG"), ("Doha", "QA"),
                                                ("Khan Younis", "PS"), ("Istanbul", "TR")])
def test_seed_cities_resolve_with_coordinates(gazetteer, name, country_code):
    place = gazetteer.resolve(name)
    assert place is not None and place.country_code == country_code
    assert place.latitude is not None and place.longitude is not None


def test_reviewed_places_resolve_with_their_aliases(gazetteer):
    assert gazetteer.resolve("Al Mawasi").country_code == "PS"
    assert gazetteer.resolve("Al-Mawasi") == gazetteer.resolve("Al Mawasi")
    assert gazetteer.resolve("the Kerem Shalom").name == "Kerem Shalom"
    assert gazetteer.place_label("Al Mawasi") == "LOC"


def test_every_reviewed_place_is_well_formed():
    for place, names in read_reviewed_places():
        assert place.label in ("GPE", "LOC", "FAC") and names[0] == place.name
        assert (place.latitude is None) == (place.longitude is None)
        if place.latitude is not None:
            assert -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180


def test_countries_have_a_code_but_no_point(gazetteer):
    israel = gazetteer.resolve("Israel")
    assert israel.country_code == "IL" and israel.latitude is None and israel.kind == "country"
    assert gazetteer.resolve("the Netherlands").name == "Netherlands"


@pytest.mark.parametrize("name", ["Rafah",        # Gaza's and Egypt's, only 3x apart in population
                                  "Georgia",      # a country and a US state
                                  "Washington",   # a state and a city
                                  "Hamas",        # listed only as a one-word alternate name of Hamm
                                  "Lincoln",      # many towns of similar size
                                  "monthslong", ""])
def test_ambiguous_or_unknown_names_do_not_resolve(gazetteer, name):
    assert gazetteer.resolve(name) is None


def test_one_word_alternates_resolve_only_for_big_cities(gazetteer):
    assert gazetteer.resolve("Kiev").name == "Kyiv"
    assert gazetteer.place_label("Hamas") is None


def test_any_city_floor_is_served_from_the_bundled_lists():
    big_only = build_gazetteer(entities(gazetteer_min_population=2_000_000))
    assert big_only.resolve("Rome").country_code == "IT"
    assert big_only.resolve("Khan Younis") is None            # ~180,000 people
    assert min(big_only.places[i].population for ids in big_only.cities_primary.values() for i in ids) >= 2_000_000
    assert bundled_city_floor(5000) == 5000 and bundled_city_floor(2_000_000) == 15000
    with pytest.raises(StageError) as failure:
        bundled_city_floor(100)
    assert "gazetteer_min_population is 100" in failure.value.message and "use 500 or more" in failure.value.message


def with_params(gazetteer: Gazetteer, params) -> Gazetteer:
    """The same index read with other resolution params."""
    index = {"region": gazetteer.countries, "city": gazetteer.cities_primary, "alternate": gazetteer.cities_alternate}
    return Gazetteer(params, gazetteer.places, index)


def test_dominance_threshold_is_a_parameter(gazetteer):
    assert with_params(gazetteer, entities(place_dominance=1e9)).resolve("Rome") is None
    assert with_params(gazetteer, entities(place_dominance=2.0)).resolve("Rafah").country_code == "PS"


def same_gazetteer(a: Gazetteer, b: Gazetteer) -> bool:
    return (a.places, a.countries, a.cities_primary, a.cities_alternate, a.reviewed) == \
        (b.places, b.countries, b.cities_primary, b.cities_alternate, b.reviewed)


@pytest.fixture
def fresh(monkeypatch, tmp_path, gazetteer):
    """Each load reads the cache folder again (no process-wide memo), in a project of its own; building
    the default gazetteer returns the module's (building takes seconds)."""
    monkeypatch.chdir(tmp_path)
    real = places.build_gazetteer
    monkeypatch.setattr(places, "build_gazetteer",
                        lambda params: gazetteer if params == entities() else real(params))
    places._LOADED.clear()
    gazetteer_cache.cache_clear()
    yield
    places._LOADED.clear()
    gazetteer_cache.cache_clear()


def load_from(folder, params, store=True):
    places._LOADED.clear()
    gazetteer_cache.cache_clear()
    return load_gazetteer(params, gazetteer_cache(str(folder), params.gazetteer_min_population), store)


def test_a_gazetteer_kept_in_the_cache_is_the_same_and_is_read_back_not_rebuilt(tmp_path, fresh, monkeypatch,
                                                                                gazetteer):
    params, built = entities(), gazetteer
    first = load_from(tmp_path / "cache", params)             # built, then kept
    (part,) = (tmp_path / "cache").glob("gazetteer-*/part-*.parquet")
    monkeypatch.setattr(places, "build_gazetteer", lambda _: pytest.fail("rebuilt instead of read back"))
    second = load_from(tmp_path / "cache", params)
    assert same_gazetteer(first, built) and same_gazetteer(second, built)
    assert second.resolve("Khan Younis") == built.resolve("Khan Younis")
    assert list((tmp_path / "cache").glob("gazetteer-*/part-*.parquet")) == [part]


def test_a_damaged_cached_gazetteer_is_rebuilt(tmp_path, fresh, gazetteer):
    params = entities()
    load_from(tmp_path, params)
    (part,) = tmp_path.glob("gazetteer-*/part-*.parquet")
    part.write_bytes(b"garbage")
    assert same_gazetteer(load_from(tmp_path, params), gazetteer)


def test_the_ner_helper_only_reads_the_cached_gazetteer(tmp_path, fresh, gazetteer):
    params = entities()
    assert same_gazetteer(load_from(tmp_path, params, store=False), gazetteer)
    assert not list(tmp_path.glob("gazetteer-*/part-*.parquet"))     # built, not kept: the stage keeps it


def test_another_population_floor_is_another_entry_and_pruning_keeps_the_last_used(tmp_path, fresh):
    small, default = entities(gazetteer_min_population=2_000_000), entities()
    load_from(tmp_path, small)
    load_from(tmp_path, default)
    assert len(list(tmp_path.glob("gazetteer-*"))) == 2
    gazetteer_cache(str(tmp_path), default.gazetteer_min_population).prune()
    (kept,) = tmp_path.glob("gazetteer-*")
    assert kept == gazetteer_cache(str(tmp_path), default.gazetteer_min_population).folder
