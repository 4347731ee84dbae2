"""The gazetteer resolves a place name only when there is no doubt about it."""
from __future__ import annotations

import pytest

from stages.common import StageError
from stages.tag.places import Gazetteer, fold, load_gazetteer, read_reviewed_places


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return load_gazetteer({})


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
    big_only = Gazetteer(min_population=2_000_000)
    assert big_only.resolve("Rome").country_code == "IT"
    assert big_only.resolve("Khan Younis") is None            # ~180,000 people
    assert min(p.population for ps in big_only.cities_primary.values() for p in ps) >= 2_000_000
    with pytest.raises(StageError) as failure:
        Gazetteer(min_population=100)
    assert "gazetteer_min_population is 100" in failure.value.message and "use 500 or more" in failure.value.message


def test_dominance_threshold_is_a_parameter():
    strict = Gazetteer(dominance=1e9)
    assert strict.resolve("Rome") is None
    assert Gazetteer(dominance=2.0).resolve("Rafah").country_code == "PS"


def test_a_gazetteer_kept_on_disk_is_the_same_and_a_damaged_one_is_rebuilt(tmp_path):
    from stages.tag import places
    try:
        places.use_disk_cache(None)
        built = places.load_gazetteer({})
        places.use_disk_cache(tmp_path)
        first = places.load_gazetteer({})               # built, then written
        (pickled,) = tmp_path.glob("gazetteer-*.pickle")
        places.use_disk_cache(tmp_path)
        second = places.load_gazetteer({})              # read back
        assert second.resolve("Khan Younis") == first.resolve("Khan Younis") == built.resolve("Khan Younis")
        assert second.cities_primary == built.cities_primary and second.reviewed == built.reviewed
        pickled.write_bytes(b"garbage")
        places.use_disk_cache(tmp_path)
        assert places.load_gazetteer({}).countries == built.countries
        assert len(list(tmp_path.glob("gazetteer-*.pickle"))) == 1
    finally:
        places.use_disk_cache(None)


def test_a_new_gazetteer_replaces_the_pickles_of_other_params(tmp_path):
    from stages.tag import places
    try:
        places.use_disk_cache(tmp_path)
        places.load_gazetteer({"gazetteer_min_population": 5000})
        places.load_gazetteer({})
        (kept,) = tmp_path.glob("gazetteer-*.pickle")
        places.use_disk_cache(tmp_path)
        assert places.load_gazetteer({}).resolve("Khan Younis") is not None
        assert list(tmp_path.glob("gazetteer-*.pickle")) == [kept]   # read back, not rebuilt
    finally:
        places.use_disk_cache(None)


def test_a_gazetteer_write_that_collides_with_another_process_still_gives_the_gazetteer(tmp_path, monkeypatch):
    from stages.tag import places

    def collided(data, path):
        raise FileNotFoundError("the other writer cleared our temporary file")

    monkeypatch.setattr(places, "write_bytes_atomic", collided)
    try:
        places.use_disk_cache(tmp_path)
        assert places.load_gazetteer({}).resolve("Khan Younis") is not None
        assert not list(tmp_path.glob("gazetteer-*.pickle"))
    finally:
        places.use_disk_cache(None)
