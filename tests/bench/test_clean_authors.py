"""bench/clean.py's author precision: the person-only reference and the look / held-out halves."""
from __future__ import annotations

import clean as bc

HTML = ('<meta name="author" content="The Daily Wire Staff">'
        '<script type="application/ld+json">{"author": [{"@type": "Person", "name": "Troy L. Smith, Cleveland.com"}]}'
        '</script><meta property="article:author" content="By Jane Roe | Jo Doe">')


def test_declared_parts_split_at_commas_and_pipes_in_meta_and_json_ld():
    assert bc.html_author_parts(HTML) == {"the daily wire staff", "troy l smith", "cleveland com", "jane roe",
                                          "jo doe"}


def test_the_person_only_reference_drops_values_naming_no_person():
    page = {"authors_html_parts": bc.html_author_parts(HTML) | {"world news", "sky", "life inc", "agent 007"}}
    assert bc.person_reference(page) == {"troy l smith", "jane roe", "jo doe"}


def test_precision_per_reference_and_half():
    look = next(f"p{k}" for k in range(50) if bc.look_half(f"p{k}"))
    held = next(f"p{k}" for k in range(50) if not bc.look_half(f"p{k}"))
    pages = [{"id": look, "authors_html": {"world news"}, "authors_html_parts": {"world news"}},
             {"id": held, "authors_html": {"jane roe"}, "authors_html_parts": {"jane roe"}}]
    figures = bc.author_figures(pages, {look: ["Mary Murray"], held: ["Jane Roe"]})
    halves = figures["halves"]
    assert figures["precision"] == 0.5 and halves["look"]["precision"] == 0.0 and halves["held"]["precision"] == 1.0
    assert halves["all_persons"]["precision"] == 1.0 and halves["all_persons"]["pages"] == 1
    assert halves["look"]["wrong"] and not halves["held"]["wrong"]   # the held-out half's failures never listed
