"""Metadata lines of a scraped page: bylines and contributor lines (authors), datelines (published date),
"Source: ... - domain" lines (site), and copies of the title (repeated, breadcrumb-glued, or with a
" - Site" suffix).

Everything here is a pure function of one line (or of a title and a line); the cue words live in
data/cues.yaml (`byline`, `dateline`). Regexes are linear: no nested quantifiers.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from stages.clean.lines import load_cues, normalise_key

MONTHS = {name: i + 1 for i, name in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
MONTHS.update({name[:3]: num for name, num in list(MONTHS.items())})
MONTHS["sept"] = 9
MONTH_RE = r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
           r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
# "May 19, 2024" / "19 November 2019" / "2024-05-19" / "19/11/2019" (day first unless impossible).
DATE_MDY = re.compile(rf"\b({MONTH_RE})\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})\b", re.IGNORECASE)
DATE_DMY = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH_RE}),?\s+(\d{{4}})\b", re.IGNORECASE)
DATE_ISO = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
DATE_NUMERIC = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4})\b")
WEEKDAY_RE = re.compile(r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day|sday|nesday|urday|rsday)?\b\.?",
                        re.IGNORECASE)
TIME_RE = re.compile(r"\b\d{1,2}[:.]\d{2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?", re.IGNORECASE)
DOMAIN_RE = re.compile(r"\b((?:[a-z0-9-]+\.)+(?:com|org|net|co\.uk|co|uk|de|fr|es|it|io|news|ca|au|in|"
                       r"us|info|tv|eu|ru|jp|br|id|nl|ch|ie|nz|za))\b", re.IGNORECASE)
WORD_RE = re.compile(r"[\w'’.-]+")


# -------------------------------------------------------------------------------------------- dates

def find_date(text: str) -> dt.date | None:
    """The first calendar date written in the text, or None."""
    for pattern, order in ((DATE_MDY, "mdy"), (DATE_DMY, "dmy"), (DATE_ISO, "ymd"), (DATE_NUMERIC, "num")):
        match = pattern.search(text)
        if not match:
            continue
        a, b, c = match.groups()
        try:
            if order == "mdy":
                return dt.date(int(c), month_number(a), int(b))
            if order == "dmy":
                return dt.date(int(c), month_number(b), int(a))
            if order == "ymd":
                return dt.date(int(a), int(b), int(c))
            day, month = int(a), int(b)
            if month > 12 >= day:
                day, month = month, day
            return dt.date(int(c), month, day)
        except (ValueError, KeyError):
            continue
    return None


def month_number(name: str) -> int:
    key = name.lower().rstrip(".")
    return MONTHS["sept" if key.startswith("sept") else key[:3]]


def is_dateline(text: str, params: dict[str, Any]) -> bool:
    """A short line that is a date with only date words around it ("Updated : 19 November 2019, 09:01 AM")."""
    cfg = load_cues()["dateline"]
    words = text.split()
    if not words or len(words) > params.get("dateline_max_words", cfg["max_words"]):
        return False
    if find_date(text) is None:
        return False
    rest = DATE_MDY.sub(" ", text)
    rest = DATE_DMY.sub(" ", rest)
    rest = DATE_ISO.sub(" ", rest)
    rest = DATE_NUMERIC.sub(" ", rest)
    rest = WEEKDAY_RE.sub(" ", TIME_RE.sub(" ", rest))
    allowed = set(cfg["words"])
    leftover = [w for w in re.findall(r"[^\W\d_]+", rest.lower()) if w not in allowed]
    return len(leftover) <= params.get("dateline_max_other_words", 2)


# ------------------------------------------------------------------------------------------ authors

def _clean_name(chunk: str, stop_words: set[str], max_words: int) -> str | None:
    """A person's name from a chunk of a byline, or None when the chunk does not look like one."""
    words = chunk.strip(" .,;:|-–—()").split()
    name: list[str] = []
    for word in words:
        if word.lower().strip(".,") in stop_words:
            break
        name.append(word.strip(",;"))
    while name and name[0].lower() in ("and", "&", "by"):
        name = name[1:]
    if not 1 <= len(name) <= max_words:
        return None
    if not all(w[:1].isupper() or w.lower() in ("de", "van", "von", "der", "da", "al", "bin", "la", "le", "del")
               for w in name):
        return None
    if len(name) == 1 and len(name[0]) < 3:
        return None
    return " ".join(name)


def _split_names(text: str, stop_words: set[str]) -> list[str]:
    parts = re.split(r",|;|\band\b|&|\|", text)
    names = []
    for part in parts:
        name = _clean_name(part, stop_words, 5)
        if name and name not in names:
            names.append(name)
    return names


def parse_byline(text: str, params: dict[str, Any]) -> list[str] | None:
    """Authors named by a byline ("By Jane Doe and John Roe") or a contributor line ("Vivian Yee
    contributed reporting from Cairo, and Iyad Abuheweila from Istanbul."); None when the line is neither."""
    cfg = load_cues()["byline"]
    stop_words = set(cfg["name_stop_words"])
    lower = text.lower().strip()
    for phrase in cfg["contributor_phrases"]:
        at = lower.find(phrase)
        if at < 0 or len(text.split()) > 3 * cfg["max_words"]:
            continue
        before, after = text[:at], text[at + len(phrase):]
        names = _split_names(before, stop_words)
        if phrase.endswith(" by"):
            names += _split_names(after, stop_words)
        else:
            # ", and NAME from PLACE": names come after "and", before "from".
            for match in re.finditer(r"\band\s+([^,;]+)", after):
                name = _clean_name(match.group(1), stop_words, 5)
                if name and name not in names:
                    names.append(name)
        return names or None
    if len(text.split()) > params.get("byline_max_words", cfg["max_words"]):
        return None
    for prefix in cfg["prefixes"]:
        if lower.startswith(prefix):
            rest = text[len(prefix):]
            # "By Jane Doe, Reuters | Updated ...": cut at the first separator that is not a name list.
            rest = re.split(r"\s[|•·–—]\s|\s-\s", rest)[0]
            names = _split_names(rest, stop_words)
            return names or None
    return None


# --------------------------------------------------------------------------------------------- site

def parse_source_site(text: str) -> str | None:
    """The publisher's domain of a "Source: ... - nytimes.com" line (or any short line naming one)."""
    match = DOMAIN_RE.search(text)
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
