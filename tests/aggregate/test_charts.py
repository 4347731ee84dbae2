"""Charts: deterministic SVG without URLs; the network layout is seeded, bounded and keeps linked nodes close."""
from __future__ import annotations

import re

import numpy as np
import polars as pl

from stages.aggregate.charts import bar_chart, chart_text, network_chart, network_layout


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


def test_chart_text_is_cut_and_never_mathtext():
    assert chart_text("a  b\nc", 40) == "a b c"
    assert chart_text("x" * 50, 10) == "x" * 9 + "…"
    assert chart_text("$5 & $6", 40) == r"\$5 & \$6"


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
