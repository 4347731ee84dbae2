"""The report's charts: pygal charts rendered as inline SVG, byte-identical for the same tables.

pygal, not matplotlib: the report's six charts are bars, dots and lines, and pygal draws them in ~0.1 s
with its import, where matplotlib took ~0.9 s (0.3 s of import, the rest measuring and drawing text),
about a tenth of an incremental rerun (issue 20). Each chart gets a fixed id (pygal draws a random one),
no script (pygal's tooltips load from a CDN), and its comments (a date, pygal's URLs) and namespace URLs
stripped, so the page holds no URL and the same tables give the same bytes. pygal writes the SVG through
lxml, which escapes every text. Value axes carry integer ticks only (counts). The co-occurrence network is
laid out with networkx: each connected component by the spring (Fruchterman-Reingold) layout with a fixed
seed, the components packed row by row.
"""
from __future__ import annotations

import datetime
import math
import re
from typing import Any

import networkx as nx
import numpy as np
import polars as pl
import pygal
from pygal.style import Style

# Colour by entity label (fixed palette; labels not listed share grey).
LABEL_COLOURS = {"PERSON": "#1f77b4", "ORG": "#ff7f0e", "GPE": "#2ca02c", "LOC": "#17becf", "NORP": "#9467bd",
                 "FAC": "#8c564b", "EVENT": "#e377c2", "PRODUCT": "#bcbd22", "WORK_OF_ART": "#7f7f7f",
                 "LAW": "#d62728"}
OTHER_COLOUR = "#9e9e9e"
GRANULARITY_COLOURS = {"day": "#1f77b4", "week": "#2ca02c", "month": "#ff7f0e", "year": "#9467bd"}
EDGE_COLOUR = "#90a4ae"
BACK_COLOUR = "#cfd8dc"
LAYOUT_SEED = 7   # the spring layout's random start: fixed, so the network is drawn the same every run
WIDTH = 800       # px; the page scales each chart to its column (report.css)
EDGE_WIDTHS = (1.0, 2.0, 3.5)   # line widths of the network's weakest, middle and strongest thirds of links
MAX_TICKS = 6

_STYLE = dict(background="#ffffff", plot_background="#ffffff", foreground="#333333", foreground_strong="#333333",
              foreground_subtle="#e0e0e0", opacity="1", opacity_hover="1", transition="0s",
              font_family="DejaVu Sans, Verdana, sans-serif", label_font_size=11, major_label_font_size=11,
              legend_font_size=11, title_font_size=13, value_font_size=10, value_label_font_size=10,
              tooltip_font_size=10, no_data_font_size=13, guide_stroke_dasharray="none",
              major_guide_stroke_dasharray="none", guide_stroke_color="#e0e0e0", major_guide_stroke_color="#e0e0e0")
_CONFIG = dict(js=[], disable_xml_declaration=True,
               explicit_size=False, pretty_print=False, print_values=False, show_minor_x_labels=True,
               truncate_legend=-1, truncate_label=-1, margin=8, spacing=8, tooltip_border_radius=0)
# Starts only where a whitespace run starts and never gives back (linear even on long runs of spaces).
_XMLNS = re.compile(r'(?<!\s)\s++xmlns(?::\w++)?+="[^"]*+"')


def label_colour(label: str) -> str:
    return LABEL_COLOURS.get(label, OTHER_COLOUR)


def chart_text(value: Any, max_chars: int) -> str:
    """Text for a chart label: one line, cut to length (pygal escapes it as XML)."""
    text = "" if value is None else " ".join(str(value).split())
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text


def integer_ticks(top: float) -> list[int]:
    """At most MAX_TICKS + 1 round integer ticks from 0 to at least `top` (steps of 1, 2 or 5 x 10^k)."""
    top = max(float(top), 1.0)
    step = next(s * 10 ** k for k in range(20) for s in (1, 2, 5) if math.ceil(top / (s * 10 ** k)) <= MAX_TICKS)
    return list(range(0, step * math.ceil(top / step) + 1, step))


def new_chart(kind: type, height: float, colours: list[str], **config: Any) -> Any:
    """A pygal chart of `kind`, WIDTH wide, series coloured by `colours` in the order they are added."""
    style = Style(colors=tuple(colours) or ("#1f77b4",), **_STYLE)
    return kind(width=WIDTH, height=int(height), style=style, **{**_CONFIG, **config})


def _without_script_and_comments(root: Any) -> Any:
    """pygal's tree less its inline script (its tooltips' config, which names a CDN) and its comments (a date,
    pygal's URLs)."""
    for node in [node for node in root.iter() if not isinstance(node.tag, str) or node.tag.endswith("script")]:
        node.getparent().remove(node)
    return root


def svg_of(chart: Any, name: str) -> str:
    """The chart as an inline <svg> element: a fixed id (`name`), deterministic, free of URLs (namespaces are
    implied in HTML)."""
    chart.uuid = f"newsflow-{name}"
    chart.add_xml_filter(_without_script_and_comments)
    return _XMLNS.sub("", chart.render(is_unicode=True)).strip()


def bar_chart(names: list[str], values: list[float], title: str, xlabel: str, max_chars: int,
              colours: list[str] | None = None, back_values: list[float] | None = None, back_label: str = "",
              legend: list[tuple[str, str]] | None = None, name: str = "bars") -> str:
    """A horizontal bar chart of counts, first item on top; optional lighter bars continuing each bar up to
    its `back_values` (e.g. documents beside stories) and a legend of (colour, label) entries. `name`: the
    chart's id, unique in the page."""
    colours = colours or ["#1f77b4"] * len(names)
    legend = legend or []
    ordered = list(range(len(names)))[::-1]           # pygal draws the first label at the bottom
    ticks = integer_ticks(max([*values, *(back_values or []), 1]))
    n_legend = len(legend) + (back_values is not None)
    chart = new_chart(pygal.HorizontalStackedBar, 90 + 22 * max(len(names), 1) + 20 * math.ceil(n_legend / 3),
                      [colours[0] if colours else "#1f77b4", BACK_COLOUR, *(colour for colour, _ in legend)],
                      title=title, x_title=xlabel, show_legend=bool(n_legend),
                      legend_at_bottom=True, legend_at_bottom_columns=min(n_legend, 3) or 1,
                      y_labels=ticks, range=(0, ticks[-1]), show_y_guides=True,
                      show_x_guides=False)
    chart.x_labels = [chart_text(names[i], max_chars) for i in ordered]
    chart.add(None, [{"value": values[i], "color": colours[i]} for i in ordered])
    if back_values is not None:
        chart.add(back_label, [max(back_values[i] - values[i], 0) for i in ordered])
    for _, label in legend:
        chart.add(label, [])
    return svg_of(chart, name)


def histogram_chart(values: list[float], title: str, xlabel: str, bins: int = 20, name: str = "histogram") -> str:
    """How many of `values` (in [0, 1]) fall in each of `bins` equal bins (the last one closed)."""
    counts = np.histogram(np.asarray(values, dtype=float), bins=bins, range=(0.0, 1.0))[0].tolist()
    chart = new_chart(pygal.Histogram, 240, ["#8d6e63"], title=title, x_title=xlabel, y_title="documents",
                      show_legend=False, y_labels=integer_ticks(max(counts, default=1)),
                      x_labels=[round(i / 10, 1) for i in range(11)], show_x_guides=False)
    chart.add(None, [(count, i / bins, (i + 1) / bins) for i, count in enumerate(counts)])
    return svg_of(chart, name)


def story_size_chart(sizes: list[int], counts: list[int]) -> str:
    """Vertical bars: how many stories have 1, 2, 3 ... documents."""
    chart = new_chart(pygal.Bar, 230, ["#5c6bc0"], title="Story sizes", x_title="documents in the story",
                      y_title="stories", show_legend=False, y_labels=integer_ticks(max(counts, default=1)),
                      show_x_guides=False)
    chart.x_labels = [str(size) for size in sizes]
    chart.add(None, counts)
    return svg_of(chart, "story-sizes")


def _unit_square(pos: np.ndarray) -> np.ndarray:
    """Positions shifted and scaled (keeping their aspect) into [0, 1]^2."""
    span = pos.max(axis=0) - pos.min(axis=0)
    return (pos - pos.min(axis=0)) / max(float(span.max()), 1e-9)


def network_layout(n_nodes: int, edges: list[tuple[int, int, float]], iterations: int) -> np.ndarray:
    """Positions in [0, 1]^2 of nodes 0..n_nodes-1 linked by weighted edges: each connected component laid
    out on its own (networkx's spring layout, seeded), in a square whose side grows with the square root of
    its size, the squares packed row by row, largest first (so a small separate pair cannot squeeze the main
    cluster into a corner)."""
    if n_nodes <= 1:
        return np.full((n_nodes, 2), 0.5)
    graph = nx.Graph()
    graph.add_nodes_from(range(n_nodes))
    graph.add_weighted_edges_from(edges)
    groups = sorted((sorted(component) for component in nx.connected_components(graph)),
                    key=lambda group: (-len(group), group[0]))
    pos = np.zeros((n_nodes, 2))
    row_width = max(math.sqrt(len(groups[0])), math.sqrt(n_nodes) * 1.5)
    gap = 0.35
    x = y = row_height = 0.0
    for group in groups:
        side = math.sqrt(len(group))
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        placed = np.array([[0.5, 0.5]])
        if len(group) > 1:
            spring = nx.spring_layout(graph.subgraph(group), iterations=iterations, seed=LAYOUT_SEED,
                                      method="force")
            placed = _unit_square(np.array([spring[node] for node in group]))
        pos[group] = placed * side + np.array([x, -y - side])
        x, row_height = x + side + gap, max(row_height, side)
    return _unit_square(pos)


def _edge_thirds(weights: list[float]) -> list[int]:
    """Each edge's width class: 0, 1, 2 for the weakest, middle and strongest third of the top weight."""
    top = max(weights, default=1.0)
    return [min(int(3 * w / top - 1e-9), 2) if top > 0 else 0 for w in weights]


def _segments(lines: list[tuple[tuple[float, float], tuple[float, float]]]) -> list[Any]:
    """Line segments as one pygal series, broken by None between them."""
    points: list[Any] = []
    for start, end in lines:
        points += [start, end, None]
    return points[:-1]


def network_chart(nodes: pl.DataFrame, pairs: pl.DataFrame, iterations: int, max_chars: int) -> str:
    """nodes: entity_id, canonical, label, n_stories; pairs: entity_id_a, entity_id_b, n_sentences."""
    index = {eid: i for i, eid in enumerate(nodes["entity_id"].to_list())}
    edges = [(index[a], index[b], float(n)) for a, b, n in
             pairs.select("entity_id_a", "entity_id_b", "n_sentences").iter_rows()]
    pos = network_layout(len(index), edges, iterations)
    height = float(pos[:, 1].max()) if len(pos) else 1.0  # the layout keeps its aspect: width 1, this high
    labels = nodes["label"].to_list()
    present = sorted(set(labels))
    chart = new_chart(pygal.XY, min(max(WIDTH * (height + 0.3) / 1.24, 240), WIDTH) + 40,
                      [EDGE_COLOUR] * len(EDGE_WIDTHS) + [label_colour(label) for label in present],
                      show_legend=bool(present), legend_at_bottom=True,
                      legend_at_bottom_columns=min(len(present), 6) or 1, print_labels=True,
                      show_x_labels=False, show_y_labels=False, show_x_guides=False, show_y_guides=False,
                      xrange=(-0.08, 1.25), range=(-0.14, height + 0.12), allow_interruptions=True)
    thirds = _edge_thirds([n for _, _, n in edges])
    for width_class, width in enumerate(EDGE_WIDTHS):
        lines = [((pos[a, 0], pos[a, 1]), (pos[b, 0], pos[b, 1]))
                 for (a, b, _), third in zip(edges, thirds) if third == width_class]
        chart.add(None, _segments(lines), show_dots=False, stroke_style={"width": width})
    sizes = nodes["n_stories"].to_numpy().astype(float)
    top = max(float(sizes.max()), 1.0) if len(sizes) else 1.0
    names = nodes["canonical"].to_list()
    for label in present:
        chart.add(label, [{"value": (float(pos[i, 0]), float(pos[i, 1])), "label": chart_text(names[i], max_chars),
                           "node": {"r": round(4 + 6 * sizes[i] / top, 2)}}
                          for i in range(len(labels)) if labels[i] == label], stroke=False)
    return svg_of(chart, "network")


def date_ticks(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    """At most about 8 round dates covering first..last: January 1sts every 1, 2, 5, 10 ... years, the first
    of every 1, 2, 3 or 6 months, or every 1, 2, 7 or 14 days, whichever is the finest that fits."""
    span = (last - first).days
    if span > 2 * 365:
        step = next(s * 10 ** k for k in range(0, 4) for s in (1, 2, 5) if (span / 365.25) / (s * 10 ** k) <= 8)
        return [datetime.date(year, 1, 1) for year in range(first.year - first.year % step, last.year + step, step)
                if datetime.MINYEAR <= year <= datetime.MAXYEAR]
    if span > 60:
        step = next(s for s in (1, 2, 3, 6, 12) if span / (30.4 * s) <= 8)
        months = range((first.year * 12 + first.month - 1) // step * step, last.year * 12 + last.month + step, step)
        return [datetime.date(m // 12, m % 12 + 1, 1) for m in months]
    step = next(s for s in (1, 2, 7, 14, 30) if span / s <= 8)
    return [first + datetime.timedelta(days=d) for d in range(0, span + step, step)]


def timeline_chart(events: pl.DataFrame) -> str:
    """One stem per event at its start date, height = documents, dot area ~ independent stories; a week,
    month or year also as a bar over its whole period. x is the day number (`date.toordinal`): pygal's date
    axis would draw 1970-01-01 as a y axis."""
    granularities = sorted(set(events["granularity"].to_list()))
    colours = [GRANULARITY_COLOURS.get(g, OTHER_COLOUR) for g in granularities]
    counts = integer_ticks(events["n_docs"].max() or 1)
    ticks = date_ticks(events["date"].min(), events["date_end"].max()) if events.height else []
    chart = new_chart(pygal.XY, 280, colours * 2, title="Dated events (dot size: independent stories)",
                      y_title="documents", legend_at_bottom=True, legend_at_bottom_columns=len(granularities) or 1,
                      y_labels=counts, range=(0, counts[-1]), allow_interruptions=True,
                      x_labels=[tick.toordinal() for tick in ticks], x_label_rotation=30, show_x_guides=False,
                      x_value_formatter=lambda day: datetime.date.fromordinal(int(day)).isoformat())
    for granularity in granularities:
        part = events.filter(pl.col("granularity") == granularity)
        chart.add(granularity, [{"value": (d.toordinal(), n), "node": {"r": round(2 + 1.5 * math.sqrt(s), 2)}}
                                for d, n, s in zip(part["date"].to_list(), part["n_docs"].to_list(),
                                                   part["n_stories"].to_list())], stroke=False)
    for granularity in granularities:
        part = events.filter(pl.col("granularity") == granularity)
        dates, ends, docs = part["date"].to_list(), part["date_end"].to_list(), part["n_docs"].to_list()
        stems = [((d.toordinal(), 0), (d.toordinal(), n)) for d, n in zip(dates, docs)]
        if granularity != "day":  # a week, month or year spans its whole period
            stems += [((d.toordinal(), n), (e.toordinal(), n)) for d, e, n in zip(dates, ends, docs)]
        chart.add(None, _segments(stems), show_dots=False, stroke_style={"width": 1.5})
    return svg_of(chart, "timeline")
