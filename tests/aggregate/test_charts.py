"""Charts: deterministic SVG without URLs; the network layout is seeded, bounded and keeps linked nodes close."""
from __future__ import annotations

import re

import numpy as np
import polars as pl

from stages.aggregate.charts import (bar_chart, chart_text, date_ticks, integer_ticks, network_chart, network_layout,
                                     timeline_chart)


def test_network_layout_deterministic_and_bounded():
    edges = [(0, 1, 3.0), (1, 2, 1.0), (3, 4, 2.0)]
    first = network_layout(5, edges, 200)
    assert np.array_equal(first, network_layout(5, edges, 200))
    assert first.min() >= 0.0 and first.max() <= 1.0
    linked = np.linalg.norm(first[0] - first[1])
    unlinked = np.linalg.norm(first[0] - first[4])
    assert linked < unlinked
    assert network_layout(1, [], 10).tolist() == [[0.5, 0.5]]
    assert network_layout(3, [], 10).shape == (3, 2)   # no edge: three components of one node


def test_chart_text_is_one_line_cut_to_length():
    assert chart_text("a  b\nc", 40) == "a b c"
    assert chart_text("x" * 50, 10) == "x" * 9 + "…"
    assert chart_text("$5 & $6", 40) == "$5 & $6"
    assert chart_text(None, 40) == ""


def test_integer_ticks_are_round_and_cover_the_top():
    assert integer_ticks(0) == [0, 1]
    assert integer_ticks(3) == [0, 1, 2, 3]
    assert integer_ticks(7) == [0, 2, 4, 6, 8]
    assert integer_ticks(2_345) == [0, 500, 1000, 1500, 2000, 2500]
    assert all(len(integer_ticks(top)) <= 7 for top in (1, 6, 7, 13, 99, 101, 10 ** 6))


def test_each_chart_has_its_own_fixed_id_and_no_script():
    svg = bar_chart(["a", "b"], [2, 1], "title", "count", 40, name="entities")
    assert re.findall(r'id="(chart-[^"]+)"', svg) == ["chart-newsflow-entities"]   # pygal's own is random
    assert "<script" not in svg and "<!--" not in svg
    other = bar_chart(["a"], [1], "t", "n", 40, name="other")
    assert re.findall(r'id="(chart-[^"]+)"', other) == ["chart-newsflow-other"]


def test_svg_is_inline_escaped_and_free_of_urls():
    svg = bar_chart(["<b>Acme</b> & Co"], [3], "title", "count", 40)
    assert svg.startswith("<svg") and "&lt;b&gt;Acme&lt;/b&gt; &amp; Co" in svg
    assert not re.search(r"(?i)https?://|<\?xml|<!DOCTYPE|<metadata", svg)
    assert svg == bar_chart(["<b>Acme</b> & Co"], [3], "title", "count", 40)
    nodes = pl.DataFrame({"entity_id": ["a" * 16, "b" * 16], "canonical": ["Alpha", "Beta"],
                          "label": ["GPE", "ORG"], "n_stories": [2, 1]})
    pairs = pl.DataFrame({"entity_id_a": ["a" * 16], "entity_id_b": ["b" * 16], "n_sentences": [2]})
    network = network_chart(nodes, pairs, 50, 40)
    assert network == network_chart(nodes, pairs, 50, 40)
    assert {">Alpha</text>", ">Beta</text>"} <= set(re.findall(r">[^<>]+</text>", network))


def test_date_ticks_are_round_and_cover_the_span():
    import datetime as dt
    years = date_ticks(dt.date(1951, 3, 4), dt.date(2012, 7, 1))
    assert years[0] <= dt.date(1951, 3, 4) and years[-1] >= dt.date(2012, 7, 1) and len(years) <= 9
    assert all(d.month == 1 and d.day == 1 and d.year % 10 == 0 for d in years)
    months = date_ticks(dt.date(1987, 2, 26), dt.date(1987, 10, 3))
    assert months[0] == dt.date(1987, 2, 1) and all(d.day == 1 for d in months) and months[-1] >= dt.date(1987, 10, 3)
    days = date_ticks(dt.date(1987, 3, 1), dt.date(1987, 3, 5))
    assert days == [dt.date(1987, 3, d) for d in range(1, 6)]
    assert date_ticks(dt.date(1987, 3, 1), dt.date(1987, 3, 1)) == [dt.date(1987, 3, 1)]


def test_timeline_chart_has_no_axis_at_1970():
    import datetime as dt
    events = pl.DataFrame({"date": [dt.date(1968, 5, 1), dt.date(1971, 2, 1)],
                           "date_end": [dt.date(1968, 5, 31), dt.date(1971, 2, 1)],
                           "granularity": ["month", "day"], "n_docs": [2, 1], "n_stories": [1, 1]})
    svg = timeline_chart(events)
    assert ">1968-01-01<" in svg and ">1970-01-01<" in svg   # day numbers: 1970 is a tick like any other
    vertical = re.findall(r'<path d="M[\d.]+ [\d.]+ v[\d.]+" class="([^"]*)"', svg)
    # the first is the y axis at the left edge; no other solid vertical line (pygal's date axis draws one at 1970)
    assert svg.count("<circle") == 2 and len(vertical) == 5 and all("guide" in c for c in vertical[1:])
