"""stages.clean.metadata: bylines, datelines, site lines and title copies, one line at a time."""
from __future__ import annotations

import pytest

from stages.clean.metadata import (add_author, glued_key, is_byline_prefix, is_dateline, may_be_byline,
                                   parse_byline, parse_source_site, person_name, site_name, title_copy,
                                   without_site_name)
from tests.shipped_params import shipped

PARAMS = shipped("clean")


def test_bylines_and_contributor_lines_name_the_authors():
    assert parse_byline("By Jane Doe and John Roe", PARAMS) == ["Jane Doe", "John Roe"]
    assert parse_byline("By Jane Doe | Updated May 19, 2024", PARAMS) == ["Jane Doe"]
    assert parse_byline("Reporting by Ursula von der Leyen; editing by Tom Roe", PARAMS) == ["Ursula von der Leyen"]
    assert parse_byline("Vivian Yee contributed reporting from Cairo, and Iyad Abuheweila from Istanbul.",
                        PARAMS) == ["Vivian Yee", "Iyad Abuheweila"]
    assert parse_byline("By the way, this is a sentence about nothing in particular at all.", PARAMS) is None
    assert parse_byline("Home and away", PARAMS) is None


def test_a_job_title_ends_a_bylines_names():
    # What follows a name's job title is its affiliation ("Google Maps"), not a second author.
    assert parse_byline("Posted by Evan Rapoport, Product Manager, Google Maps", PARAMS) == ["Evan Rapoport"]
    assert parse_byline("Posted by Tarun Jain, AdWords Product Manager", PARAMS) == ["Tarun Jain"]
    assert parse_byline("By Jane Doe and John Roe, Staff Writers", PARAMS) == ["Jane Doe", "John Roe"]
    assert person_name("Anonymous Coward") is None and person_name("A Photo Editor") is None


def test_byline_max_words_is_a_param():
    line = "By Jane Doe, John Roe, Ann Poe, Bob Moe and Kim Loe"   # 12 words
    assert parse_byline(line, PARAMS) == ["Jane Doe", "John Roe", "Ann Poe", "Bob Moe", "Kim Loe"]
    assert parse_byline(line, shipped("clean", {"byline_max_words": 11})) is None
    contributors = "Jane Doe and John Roe contributed reporting from Cairo and from Istanbul today."
    assert parse_byline(contributors, shipped("clean", {"byline_max_words": 5})) == ["Jane Doe", "John Roe"]
    assert parse_byline(contributors, shipped("clean", {"byline_max_words": 4})) is None   # 13 > 3 x 4


def test_which_lines_may_be_bylines():
    assert may_be_byline("by jane doe") and may_be_byline("additional reporting by x")
    assert not may_be_byline("the minister said")


@pytest.mark.parametrize("line,dateline", [
    ("Updated : 19 November 2019, 09:01 AM", True), ("Sunday, May 19, 2024", True), ("Tues. 2024-05-21", True),
    ("Published 3 hours ago | May 19, 2024 10:00 a.m. EDT", True),
    ("The talks on May 19, 2024 ended without any agreement between them.", False),
    ("Updated 09:01 AM", False),   # no date
])
def test_datelines_are_a_date_with_only_date_words_around_it(line, dateline):
    assert is_dateline(line, PARAMS) is dateline


def test_dateline_lengths_are_params():
    line = "Updated Sunday, May 19, 2024 by the desk"   # 8 words, 3 of them not date words
    assert not is_dateline(line, PARAMS)
    assert is_dateline(line, shipped("clean", {"dateline_max_other_words": 3}))
    assert not is_dateline(line, shipped("clean", {"dateline_max_other_words": 3, "dateline_max_words": 7}))


def test_source_lines_name_the_site():
    assert parse_source_site("Source: Elections - nytimes.com") == "nytimes.com"
    assert parse_source_site("Originally published on www.Example.co.uk today") == "www.example.co.uk"
    assert parse_source_site("Source: the ministry") is None


def test_a_site_given_as_an_address_is_its_host_name():
    assert site_name("https://www.hawaiinewsnow.com") == "hawaiinewsnow.com"
    assert site_name("www.Example.co.uk") == "example.co.uk"
    assert site_name(" The Hill ") == "The Hill" and site_name("  ") is None and site_name(None) is None


def test_title_copies():
    title = glued_key("Negotiations between Israel and Hamas Reach Impasse")
    assert glued_key("WorldNegotiations between Israel") == "world negotiations between israel"
    assert title_copy(title, glued_key("WorldNegotiations between Israel and Hamas Reach Impasse"))
    assert title_copy(title, glued_key("Negotiations between Israel and Hamas Reach Impasse - The Daily"))
    assert not title_copy(title, glued_key("Negotiations resume"))
    assert not title_copy(glued_key("Short"), glued_key("Short title here"))   # short titles: exact copies only


@pytest.mark.parametrize(("author", "name"), [("Jane Doe, Reuters", "Jane Doe"),
                                             ("Jane Doe | Fox News", "Jane Doe"),
                                             ("Jane Doe  -  Reuters", "Jane Doe"), ("Reuters", None)])
def test_person_name_takes_the_first_part_naming_a_person(author, name):
    assert person_name(author) == name


def test_person_name_on_a_long_run_of_spaces():
    # The separators are fixed-width: a `\s*` before one rescanned the run from each space (quadratic).
    assert person_name(" " * 50_000 + "Jane Doe" + " " * 50_000 + ",") == "Jane Doe"


@pytest.mark.parametrize(("author", "name"), [
    ("Spencer AckermanEmail", "Spencer Ackerman"),          # a profile link's text glued on
    ("Ronald McDonald", "Ronald McDonald"),                 # an inner capital of a name stays
    ("Sean Martin Sean Martin", "Sean Martin"),             # the name and its link's text
    ("CNN Political Reporter", None), ("CNN Political", None),
    ("Jonathan Garber FOXBusiness", "Jonathan Garber"),     # an acronym in a mixed-case name is an outlet
    ("SARAH LYALL", "SARAH LYALL"),                         # ... an all-capitals name is a name
    ("Tom Gillespie News reporter", "Tom Gillespie"), ("Fox News' Jessica Napoli", "Jessica Napoli"),
    ("Текст Венера Ерофеева", "Венера Ерофеева"), ("Foto Ana Lima", "Ana Lima"),   # credit labels
])
def test_person_name_drops_links_outlets_and_roles(author, name):
    assert person_name(author) == name


def test_the_sites_name_after_an_authors_name_goes_and_one_person_is_one_author():
    assert without_site_name("Finian Cunningham Sputnik", "SputnikInt") == "Finian Cunningham"
    assert without_site_name("Mary Ann Fox", "Fox News") == "Mary Ann Fox"    # a surname opening the site's name
    assert without_site_name("Jane Roe", "Roe") == "Jane Roe"                  # two words: no name would be left
    authors: list[str] = []
    for name in ("Troy Smith", "Troy L Smith", "Jane Roe", "Troy Smith", "Tom Smith"):
        add_author(authors, name)
    assert authors == ["Troy L Smith", "Jane Roe", "Tom Smith"]


def test_a_weekday_after_a_bylines_name_starts_its_date():
    assert parse_byline("By Brantley Hargrove Thu., Aug. 9 2012 at 1:00 PM", PARAMS) == ["Brantley Hargrove"]
    assert parse_byline("By Sun Yu and Jane Doe", PARAMS) == ["Sun Yu", "Jane Doe"]


@pytest.mark.parametrize("author", ["Science X staff", "Practical Horseman Editorial Staff", "No Primary Author",
                                    "U S News", "The Sports Network"])
def test_groups_placeholders_and_initials_name_no_person(author):
    assert person_name(author) is None


def test_a_weekday_after_a_name_ends_it():
    assert person_name("Malcolm Owen Monday") == "Malcolm Owen"
    assert person_name("Jane Doe Staff Writer") == "Jane Doe"


def test_the_name_follows_the_last_by():
    assert person_name("Analysis by Chris Cillizza") == "Chris Cillizza"
    assert person_name("Ursula von der Leyen") == "Ursula von der Leyen"   # "von" only opening the string


def test_a_label_glued_after_a_name_ends_it():
    assert parse_byline("Written by Tim Ferriss Topics: Entrepreneurship, Marketing", PARAMS) == \
        ["Tim Ferriss", "Marketing"]
    assert parse_byline("By Jane Doe: the inside story", PARAMS) == ["Jane Doe"]
    assert person_name("Tim Ferriss Topics: Entrepreneurship") == "Tim Ferriss"
    # A lower-case word before the colon is no label: a reader comment's header names no author.
    assert parse_byline("by Anonymous Coward writes: on Tuesday July 24", PARAMS) is None


def test_an_outlet_after_a_bylines_comma_is_no_person():
    assert [person_name(name) for name in parse_byline("by Andy Howell, Western Mail", PARAMS)] == \
        ["Andy Howell", None]


def test_a_bylines_prefix_alone_on_its_line_is_known():
    # The hard-wrapped rendering breaks "By <name>" after the prefix; the caller joins the next line.
    assert is_byline_prefix("By") and is_byline_prefix("  Posted   by ") and not is_byline_prefix("By Jane Doe")
    assert not is_byline_prefix("Bye")
    assert parse_byline("By" + " " + "DAN BILEFSKY", PARAMS) == ["DAN BILEFSKY"]


@pytest.mark.parametrize(("author", "name"), [
    ("Software Engineer", None), ("Developer Programs Engineer", None), ("Senior Writer Jane Doe", "Jane Doe"),
    ("About Us", None), ("Other Articles", None), ("Filed Under Cities", None),
    ("Carrie Arnold November", "Carrie Arnold"), ("Martin Edwards Aug", "Martin Edwards"),
    ("April Ryan", "April Ryan"),                                  # a month opening a name stays
    ("Call Center", None), ("Blue Lily Photography", None),        # organisations
])
def test_person_name_drops_titles_page_words_months_and_organisations(author, name):
    assert person_name(author) == name


def test_an_all_capitals_and_splits_a_bylines_names():
    assert parse_byline("By CHARLES FORELLE AND DAVID ROMÁN", PARAMS) == ["CHARLES FORELLE", "DAVID ROMÁN"]


def test_a_reader_comments_header_names_no_author():
    assert person_name("Adam Isom says:") is None


@pytest.mark.parametrize(("line", "names"), [
    ("By Chris Pokorny @DawgsByNature Nov 18, 2019, 11:47am EST", ["Chris Pokorny"]),   # a handle, a date
    ("By Jane Doe jdoe@example.com", ["Jane Doe"]),                                    # an e-mail
    ("By Jane Doe June 5, 2019", ["Jane Doe"]),                                        # a month after 2 words
    ("By: Ryan McNeill  Last Updated: 1/14/08 11:15 AM ET", ["Ryan McNeill"]),
])
def test_a_handle_an_email_or_a_date_ends_a_bylines_name(line, names):
    assert parse_byline(line, PARAMS) == names


@pytest.mark.parametrize(("line", "names"), [
    ("5:45 AM PST 11/19/2019 by Patrick Shanley", ["Patrick Shanley"]),
    ("January 9th, 2008 by Ed Kent", ["Ed Kent"]),
    ("February 1, 2019 | BY: Ilana Muhlstein, MS, RDN", ["Ilana Muhlstein", "RDN"]),
    ("Filed by Chris Greenberg  |", ["Chris Greenberg"]),
    ("The report was written by Jane Doe in 2019", None),       # no date before the "by": no byline
    ("Photo | By Jane Doe", None),                              # only dates may come before the byline's segment
])
def test_a_byline_after_a_date_or_under_a_filed_by(line, names):
    assert names is None or may_be_byline(line.lower())
    assert parse_byline(line, PARAMS) == names


def test_the_word_limit_counts_the_bylines_segment():
    # 13 words in all, the byline's own segment is 3: the rest after a separator is no name.
    line = "by Jon Bruner | @JonBruner | +Jon Bruner | Comment | November 6, 2012"
    assert parse_byline(line, PARAMS) == ["Jon Bruner"]
    assert parse_byline("By " + " ".join(["Jane Doe and"] * 5) + " Kim Loe", PARAMS) is None


def test_a_line_longer_than_any_byline_prefix_is_none():
    assert is_byline_prefix("Posted\u00a0by") and not is_byline_prefix("Posted by Jane") and not is_byline_prefix("")
