"""Metadata lines of a scraped page: bylines and contributor lines (authors), datelines (published date),
"Source: ... - domain" lines (site), and copies of the title (repeated, breadcrumb-glued, or with a
" - Site" suffix).

Everything here is a pure function of one line (or of a title and a line); the words live in data/cues.yaml
(`byline`, `dateline`, `site_domains`), the dates are read by the shared parser (stages.common.dates).
Regexes are linear: no nested quantifiers.
"""
from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urlsplit

from schemas.params import Clean
from stages.clean.cues import load_cues
from stages.clean.lines import normalise_key
from stages.common.dates import find_date, text_dates, without_dates

TIME_RE = re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?", re.IGNORECASE)
NAME_MAX_WORDS = 5   # words of one person's name in a byline


@lru_cache(maxsize=1)
def weekday_pattern() -> re.Pattern[str]:
    names = sorted(load_cues().dateline.weekdays, key=lambda name: (-len(name), name))
    return re.compile(r"\b(?:" + "|".join(map(re.escape, names)) + r")\b\.?", re.IGNORECASE)


@lru_cache(maxsize=1)
def domain_pattern() -> re.Pattern[str]:
    endings = "|".join(map(re.escape, load_cues().site_domains))
    return re.compile(rf"\b((?:[a-z0-9-]+\.)+(?:{endings}))\b", re.IGNORECASE)


# -------------------------------------------------------------------------------------------- dates

def is_dateline(text: str, params: Clean) -> bool:
    """A short line that is a date with only date words around it ("Updated : 19 November 2019, 09:01 AM")."""
    words = text.split()
    if not words or len(words) > params.dateline_max_words:
        return False
    if find_date(text) is None:
        return False
    rest = weekday_pattern().sub(" ", TIME_RE.sub(" ", without_dates(text)))
    allowed = set(load_cues().dateline.words)
    leftover = [w for w in re.findall(r"[^\W\d_]+", rest.lower()) if w not in allowed]
    return len(leftover) <= params.dateline_max_other_words


# ------------------------------------------------------------------------------------------ authors

@lru_cache(maxsize=1)
def _byline_cues() -> tuple[tuple[str, ...], re.Pattern[str], int]:
    """(the byline prefixes, the phrases a contributor line contains, the most words of a prefix)."""
    byline = load_cues().byline
    return (tuple(byline.prefixes), re.compile("|".join(map(re.escape, byline.line_contains))),
            max((len(p.split()) for p in byline.prefixes), default=0))


def may_be_byline(lower: str) -> bool:
    """Whether a line (lower case) is worth parsing as a byline: it opens with a byline prefix, mentions a
    contributor ("contribut", "reporting"), or holds a "by" after a date ("11/19/2019 by jane doe", "may 1,
    2019 | by: jane doe": `parse_byline` checks the date)."""
    prefixes, contains, _ = _byline_cues()
    return lower.startswith(prefixes) or contains.search(lower) is not None \
        or "by" in lower and (" by " in lower or "by:" in lower) and any(c.isdigit() for c in lower)


def _clean_name(chunk: str, stop_words: set[str]) -> str | None:
    """A person's name from a chunk of a byline, or None when the chunk does not look like one."""
    byline = load_cues().byline
    weekdays = set(load_cues().dateline.weekdays)
    words = chunk.strip(" .,;:|-–—()").split()
    name: list[str] = []
    for k, word in enumerate(words):
        key = word.lower().strip(".,")
        # A weekday after a name starts the date glued to the byline ("Brantley Hargrove Thu., Aug. 9");
        # only after two words ("By Sun Yu" is a name).
        if key in stop_words or (len(name) >= 2 and key in weekdays) or _ends_name(words, k, len(name)):
            break
        if word.endswith(":") and word[:1].isupper():
            # A capitalised label glued after the name ends it ("Tim Ferriss Topics: Entrepreneurship"); a
            # colon right after the name's own words goes ("By Jane Doe: ..."). A lower-case word stays and
            # fails the name ("by Anonymous Coward writes: ...", a reader comment's header).
            if len(name) < 2:
                name.append(word.strip(",;:"))
            break
        name.append(word.strip(",;"))
    while name and name[0].lower() in byline.name_openers:
        name = name[1:]
    if not 1 <= len(name) <= NAME_MAX_WORDS:
        return None
    if not all(w[:1].isupper() or w.lower() in byline.name_particles for w in name):
        return None
    if len(name) == 1 and len(name[0]) < 3:
        return None
    return " ".join(name)


def _ends_name(words: list[str], k: int, n_name: int) -> bool:
    """Whether words[k] ends a byline's name: a handle or an e-mail ("By Chris Pokorny @DawgsByNature"), or a
    date's month after two words of it ("By Jane Doe Nov 18, 2019")."""
    if "@" in words[k]:
        return True
    return n_name >= 2 and words[k].lower().strip(".,") in text_dates().month_numbers \
        and k + 1 < len(words) and words[k + 1][:1].isdigit()


def _split_names(text: str, stop_words: set[str]) -> list[str]:
    """The names of a byline's list ("CHARLES FORELLE AND DAVID ROMÁN"). After the first name, a part that
    holds a job title ends the list: what follows is the title's affiliation, no author ("Posted by Evan
    Rapoport, Product Manager, Google Maps", "Tarun Jain, AdWords Product Manager")."""
    parts = re.split(r",|;|\band\b|&|\|", text, flags=re.IGNORECASE)
    roles = set(load_cues().byline.role_words)
    names: list[str] = []
    for part in parts:
        if names and any(word.lower().strip(".") in roles for word in part.split()):
            break
        name = _clean_name(part, stop_words)
        if name and name not in names:
            names.append(name)
    return names


SEPARATOR = re.compile(r"\s[|•·/–—]\s|\s-\s|\s\|$")


def parse_byline(text: str, params: Clean) -> list[str] | None:
    """Authors named by a byline ("By Jane Doe and John Roe", "11/19/2019 by Jane Doe", "May 1, 2019 | BY:
    Jane Doe"), a contributor line ("Vivian Yee contributed reporting from Cairo, and Iyad Abuheweila from
    Istanbul."); None when the line is neither."""
    byline = load_cues().byline
    stop_words = set(byline.name_stop_words)
    lower = text.lower().strip()
    n_words = len(text.split())
    for phrase in byline.contributor_phrases:
        at = lower.find(phrase)
        if at < 0 or n_words > 3 * params.byline_max_words:
            continue
        return _contributors(text[:at], text[at + len(phrase):], phrase, stop_words) or None
    if n_words > 3 * params.byline_max_words:
        return None
    # "By Jane Doe, Reuters | Updated ...": the names end at the first separator that is not a name list;
    # segments before the byline's may only be dates ("February 1, 2019 | BY: Jane Doe").
    segments = SEPARATOR.split(text.strip())
    for segment in segments:
        rest = _after_prefix(segment, params)
        if rest is not None:
            if len(segment.split()) > params.byline_max_words:
                return None
            return _split_names(rest, stop_words) or None
        if not is_dateline(segment, params):
            break
    return None


def _after_prefix(segment: str, params: Clean) -> str | None:
    """The names part of a byline segment: after its prefix ("By ", "BY: "), or after a date ("5:45 AM PST
    11/19/2019 by Jane Doe"); None when it has neither."""
    lower = re.sub(r"^(\w+(?: \w+)?):\s", r"\1 ", segment.lower())   # "by: jane doe" = "by jane doe"
    for prefix in load_cues().byline.prefixes:
        if lower.startswith(prefix):
            return segment[len(prefix) + (len(lower) != len(segment.lower())):]
    at = lower.find(" by ")
    if at > 0 and is_dateline(segment[:at], params):
        return segment[at + 4:]
    return None


def is_byline_prefix(text: str) -> bool:
    """Whether a line is a byline's prefix alone ("By", "Posted by"): a scrape that keeps the HTML source's
    line breaks puts the name on the next line (`<span>By</span>` / `<a>Jane Doe</a>`), and
    `parse_byline(text + " " + next_line)` reads the two as one byline. A line of more words than the
    longest prefix is none (counted without lower-casing: that never joins or splits words)."""
    prefixes, _, max_words = _byline_cues()
    if len(text.split(None, max_words)) > max_words:
        return False
    return f"{' '.join(text.lower().split())} " in prefixes


def is_contributor_line(text: str) -> bool:
    """Whether a line credits contributors ("X contributed reporting from ...")."""
    lower = text.lower()
    return any(phrase in lower for phrase in load_cues().byline.contributor_phrases)


def _contributors(before: str, after: str, phrase: str, stop_words: set[str]) -> list[str]:
    """The names of a contributor line: before the phrase, and after it ("... reporting by NAME", or
    ", and NAME from PLACE")."""
    names = _split_names(before, stop_words)
    if phrase.endswith(" by"):
        return names + _split_names(after, stop_words)
    # ", and NAME from PLACE": names come after "and", before "from".
    for match in re.finditer(r"\band\s+([^,;]+)", after):
        name = _clean_name(match.group(1), stop_words)
        if name and name not in names:
            names.append(name)
    return names


def person_name(name: str) -> str | None:
    """The person's name in an author string ("Jane Doe, Reuters", "Jane Doe | Fox News": the first part
    that is one, see `one_person_name`), or None."""
    # Fixed-width separators, parts stripped after: `\s*[,|]\s*` rescans a whitespace run from each of its
    # characters (quadratic on a long run of spaces, bench/regex_redos.py).
    for part in re.split(r"[,|•·]|\s[-–—]\s", name):
        found = one_person_name(part.strip())
        if found:
            return found
    return None


def one_person_name(name: str) -> str | None:
    """The person's name in an author string, or None when it names no person: a job title glued after
    it goes ("Tom Gillespie News reporter"), an outlet before a possessive goes ("Fox News' Jessica
    Napoli"), and a name that is an organisation ("Business Insider"), a single word, or holds digits, an
    "@" or a URL is no person's."""
    byline = load_cues().byline
    text = " ".join(name.split())
    possessive = re.search(r"['’]s?\s+(?=\S)", text)
    if possessive and possessive.start() > 0 and text[possessive.start() - 1].isalpha():
        text = text[possessive.end():]
    # "By Jane Doe", and "Analysis by Chris Cillizza": the name follows the last "by" (never inside one).
    # ("von" only opening the string: "Ursula von der Leyen").
    text = re.split(r"(?:^|\s)by\s+", text, flags=re.IGNORECASE)[-1]
    text = re.sub(r"^(?:por|von|par)\s+", "", text, flags=re.IGNORECASE).strip(" ,;:|-–—")
    if not text or re.search(r"[\d@/]|https?:|www\.", text):
        return None
    unglued = unglued_link(text.split(), set(byline.link_words))
    if unglued[-1].lower().strip(".,") in byline.group_words or text.lower().startswith("the "):
        return None   # "Science X staff", "No Primary Author", "The Sports Network"
    words = name_words(text)
    keys = [w.lower().strip(".,") for w in words]
    outlets = set(byline.outlet_words)
    if not any(len(k) >= 2 for k in keys):   # initials only ("U S" of "U S News")
        return None
    if not 2 <= len(words) <= NAME_MAX_WORDS or any(k in outlets for k in keys):
        return None
    if not all(w[:1].isupper() or k in byline.name_particles for w, k in zip(words, keys)):
        return None
    return " ".join(words)


def name_words(text: str) -> list[str]:
    """The words of an author string up to what follows the name: a profile link's text, a job title, an
    outlet's acronym."""
    byline = load_cues().byline
    words = unglued_link(text.split(), set(byline.link_words))
    if len(words) > 1 and sequence_twice(words):   # "Sean Martin Sean Martin": a name and its link
        words = words[:len(words) // 2]
    roles = set(byline.role_words) | set(byline.link_words) | set(byline.name_stop_words)
    dated = set(load_cues().dateline.weekdays) | set(text_dates().month_numbers)
    # Job titles and page words before the name go ("Senior Writer Jane Doe", "Other Articles": no name left).
    while words and words[0].lower().strip(".,") in roles:
        words = words[1:]
    # A job title or a page word after the name ends it ("Tom Gillespie News reporter", "Filed Under
    # Cities"); one right after the first word leaves a single word, no one's name ("CNN Political
    # Reporter"). So does a date's weekday or month after two words ("Malcolm Owen Monday", "Carrie Arnold
    # November"), and a capitalised label ("Tim Ferriss Topics: Marketing").
    for k in range(1, len(words)):
        key = words[k].lower().strip(".,")
        if key in roles or k >= 2 and (key in dated or key.endswith(":") and words[k][:1].isupper()):
            words = words[:k]
            break
    # An acronym in a name that is not all capitals is an outlet ("Jonathan Garber FOXBusiness", "CNN
    # Political"): it ends the name.
    if not text.isupper():
        acronym = next((k for k, w in enumerate(words) if ACRONYM.search(w)), None)
        words = words if acronym is None else words[:acronym]
    return words


def letters(text: str) -> str:
    """Lower-case letters and digits only: how names and hosts are compared ("SputnikInt", "sputnik.int")."""
    return re.sub(r"[\W_]", "", text.lower())


SITE_NAME_SHARE = 0.6   # of the site's letters a word after a name must make to be the site's name


def without_site_name(name: str, site: str | None) -> str:
    """A name without the page's site glued after it ("Finian Cunningham Sputnik" on SputnikInt): a last
    word of three or more that the site's name starts with and makes most of (a surname that only opens
    the site's name stays: "Mary Ann Fox" on Fox News)."""
    words = name.split()
    key = letters(site or "")
    last = letters(words[-1]) if words else ""
    glued = len(last) >= 3 and key.startswith(last) and len(last) >= SITE_NAME_SHARE * len(key)
    return " ".join(words[:-1]) if len(words) >= 3 and glued else name


def same_person(a: str, b: str) -> bool:
    """Two author names of one person: the same first and last word, the words between initials only
    ("Troy Smith", "Troy L Smith", "Troy L. Smith")."""
    x, y = a.lower().split(), b.lower().split()
    initials = all(len(w.strip(".")) <= 1 for w in x[1:-1] + y[1:-1])
    return len(x) >= 2 and len(y) >= 2 and x[0] == y[0] and x[-1] == y[-1] and initials


def add_author(authors: list[str], name: str) -> None:
    """`name` appended unless it names someone already there; a longer form of the same person replaces
    the shorter in place ("Troy Smith" then "Troy L Smith": one author, "Troy L Smith")."""
    for k, known in enumerate(authors):
        if known == name or same_person(known, name):
            if len(name) > len(known):
                authors[k] = name
            return
    authors.append(name)


ACRONYM = re.compile(r"[A-Z]{2,}")
GLUED = re.compile(r"(?<=[a-z])(?=[A-Z])")


def unglued_link(words: list[str], link_words: set[str]) -> list[str]:
    """The words of a name up to a profile link's text glued to one of them ("Spencer AckermanEmail
    Author" -> "Spencer Ackerman"); other words with an inner capital stay ("McDonald")."""
    for k, word in enumerate(words):
        pieces = GLUED.split(word)
        if len(pieces) > 1 and pieces[-1].lower() in link_words:
            return [*words[:k], "".join(pieces[:-1])]
    return words


def sequence_twice(words: list[str]) -> bool:
    half = len(words) // 2
    return len(words) % 2 == 0 and words[:half] == words[half:]


# --------------------------------------------------------------------------------------------- site

ADDRESS = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|www\.)\S+$", re.IGNORECASE)   # a URL, not a name


def site_of_url(url: str | None) -> str | None:
    """The site of a page's URL: its host name, lower case, without "www."."""
    if not url:
        return None
    host = (urlsplit(url.strip()).hostname or "").lower()
    return (host[4:] if host.startswith("www.") else host) or None


def site_name(value: str | None) -> str | None:
    """A page's site as its metadata gives it ("The Hill"), with an address reduced to its host name
    ("https://www.hawaiinewsnow.com" -> "hawaiinewsnow.com", as `site_of_url`); None when blank."""
    value = (value or "").strip()
    if ADDRESS.match(value):
        return site_of_url(value if "://" in value else f"http://{value}") or value
    return value or None


def parse_source_site(text: str) -> str | None:
    """The publisher's domain of a "Source: ... - nytimes.com" line (or any short line naming one)."""
    match = domain_pattern().search(text)
    return match.group(1).lower() if match else None


# -------------------------------------------------------------------------------------------- title

def title_copy(title_key: str, line_key: str) -> bool:
    """True when a line (normalised key) is a copy of the title: the same, glued after a breadcrumb
    ("world negotiations between ..." after de-gluing is a suffix match), or followed by " - Site"."""
    if not title_key or not line_key:
        return False
    if line_key == title_key:
        return True
    if len(title_key) < 15:
        return False
    return line_key.endswith(title_key) and len(line_key) - len(title_key) <= 40 \
        or line_key.startswith(title_key) and len(line_key) - len(title_key) <= 60


def glued_key(text: str) -> str:
    """Normalised key with a breadcrumb glued to the first word undone ("WorldNegotiations" -> "world
    negotiations"): a lower-case letter followed by an upper-case one inside a word splits it."""
    return normalise_key(re.sub(r"(?<=[a-z])(?=[A-Z][a-z])", " ", text))
