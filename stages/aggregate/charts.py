"""The report's charts: matplotlib figures rendered as inline SVG, byte-identical for the same tables.

Charts are drawn through `Figure` objects (no pyplot global state), with a fixed `svg.hashsalt`, no date in
the metadata, text kept as <text> (small, searchable; matplotlib escapes it as XML) and the XML prologue,
metadata block and namespace URLs stripped, so the page holds no URL. `$` in data text is escaped so that
matplotlib never parses it as mathtext. The co-occurrence network is laid out with networkx: each
connected component by the spring (Fruchterman-Reingold) layout with a fixed seed, the components packed
row by row.
"""
from __future__ import annotations

import io
import math
import re
from typing import Any

import networkx as nx
import numpy as np
import polars as pl
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

SVG_STYLE = {"svg.hashsalt": "newsflow-report", "svg.fonttype": "none", "font.family": "DejaVu Sans",
             "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
# Colour by entity label (fixed palette; labels not listed share grey).
LABEL_COLOURS = {"PERSON": "#1f77b4", "ORG": "#ff7f0e", "GPE": "#2ca02c", "LOC": "#17becf", "NORP": "#9467bd",
                 "FAC": "#8c564b", "EVENT": "#e377c2", "PRODUCT": "#bcbd22", "WORK_OF_ART": "#7f7f7f",
                 "LAW": "#d62728"}
OTHER_COLOUR = "#9e9e9e"
GRANULARITY_COLOURS = {"day": "#1f77b4", "week": "#2ca02c", "month": "#ff7f0e", "year": "#9467bd"}
LAYOUT_SEED = 7   # the spring layout's random start: fixed, so the network is drawn the same every run

_SVG_PROLOGUE_END = "<svg"
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
# Starts only where a whitespace run starts and never gives back (linear even on long runs of spaces).
_XMLNS = re.compile(r'(?<!\s)\s++xmlns(?::\w++)?+="[^"]*+"')


def label_colour(label: str) -> str:
    return LABEL_COLOURS.get(label, OTHER_COLOUR)


def chart_text(value: Any, max_chars: int) -> str:
    """Text for a matplotlib label: cut to length, `$` escaped so it is never parsed as mathtext."""
    text = "" if value is None else " ".join(str(value).split())
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text.replace("\\", "\\\\").replace("$", r"\$")


def svg_of(fig: Figure) -> str:
    """The figure as an inline <svg> element: deterministic and free of URLs (namespaces are implied in HTML)."""
    buffer = io.StringIO()
    with rc_context(SVG_STYLE):
        fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None,
                                                    "Type": None})
    svg = buffer.getvalue()
    svg = svg[svg.index(_SVG_PROLOGUE_END):]
    svg = _METADATA.sub("", svg)
    svg = _COMMENT.sub("", svg)
    return _XMLNS.sub("", svg).strip()


def new_figure(width: float, height: float) -> Figure:
    with rc_context(SVG_STYLE):
        fig = Figure(figsize=(width, height), dpi=72)
        fig.add_subplot(1, 1, 1)
    return fig


def bar_chart(names: list[str], values: list[float], title: str, xlabel: str, max_chars: int,
              colours: list[str] | None = None, back_values: list[float] | None = None, back_label: str = "",
              legend: list[tuple[str, str]] | None = None) -> str:
    """A horizontal bar chart of counts, first item on top; optional lighter bars behind (e.g. documents)
    and a legend of (colour, label) entries."""
    fig = new_figure(8.0, 1.0 + 0.28 * max(len(names), 1))
    ax = fig.axes[0]
    with rc_context(SVG_STYLE):
        y = np.arange(len(names))[::-1]
        handles = []
        if back_values is not None:
            ax.barh(y, back_values, color="#cfd8dc")
            handles.append(Patch(color="#cfd8dc", label=back_label))
        ax.barh(y, values, color=colours or "#1f77b4", height=0.6)
        handles += [Patch(color=colour, label=label) for colour, label in legend or []]
        ax.set_yticks(y, [chart_text(n, max_chars) for n in names])
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(xlabel)
        ax.set_title(title, loc="left")
        if handles:
            ax.legend(handles=handles, loc="lower right", frameon=False, fontsize=8)
        fig.tight_layout()
    return svg_of(fig)


def histogram_chart(values: list[float], title: str, xlabel: str, bins: int = 20) -> str:
    fig = new_figure(8.0, 2.6)
    ax = fig.axes[0]
    with rc_context(SVG_STYLE):
        ax.hist(values, bins=bins, range=(0.0, 1.0), color="#8d6e63")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(xlabel)
        ax.set_ylabel("documents")
        ax.set_title(title, loc="left")
        fig.tight_layout()
    return svg_of(fig)


def story_size_chart(sizes: list[int], counts: list[int]) -> str:
    """Vertical bars: how many stories have 1, 2, 3 ... documents."""
    fig = new_figure(8.0, 2.4)
    ax = fig.axes[0]
    with rc_context(SVG_STYLE):
        ax.bar([str(size) for size in sizes], counts, color="#5c6bc0")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("documents in the story")
        ax.set_ylabel("stories")
        ax.set_title("Story sizes", loc="left")
        fig.tight_layout()
    return svg_of(fig)


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


def network_chart(nodes: pl.DataFrame, pairs: pl.DataFrame, iterations: int, max_chars: int) -> str:
    """nodes: entity_id, canonical, label, n_stories; pairs: entity_id_a, entity_id_b, n_sentences."""
    index = {eid: i for i, eid in enumerate(nodes["entity_id"].to_list())}
    edges = [(index[a], index[b], float(n)) for a, b, n in
             pairs.select("entity_id_a", "entity_id_b", "n_sentences").iter_rows()]
    pos = network_layout(len(index), edges, iterations)
    height = float(pos[:, 1].max()) if len(pos) else 1.0  # the layout keeps its aspect: width 1, this high
    fig = new_figure(9.0, min(max(9.0 * (height + 0.3) / 1.24, 3.0), 9.0))
    ax = fig.axes[0]
    with rc_context(SVG_STYLE):
        top = max((e[2] for e in edges), default=1.0)
        for a, b, n in edges:
            ax.plot([pos[a, 0], pos[b, 0]], [pos[a, 1], pos[b, 1]], color="#90a4ae",
                    linewidth=0.5 + 3.0 * n / top, alpha=0.7, zorder=1)
        sizes = nodes["n_stories"].to_numpy().astype(float)
        ax.scatter(pos[:, 0], pos[:, 1], s=40 + 160 * sizes / max(sizes.max(), 1.0),
                   c=[label_colour(label) for label in nodes["label"].to_list()], zorder=2,
                   edgecolors="white", linewidths=0.8)
        for (x, y), name in zip(pos, nodes["canonical"].to_list()):
            ax.annotate(chart_text(name, max_chars), (x, y), xytext=(0, 7), textcoords="offset points",
                        ha="center", fontsize=8, zorder=3)
        ax.set_xlim(-0.12, 1.12)
        ax.set_ylim(-0.14, height + 0.12)
        ax.set_axis_off()
        present = sorted(set(nodes["label"].to_list()))
        for label in present:
            ax.scatter([], [], c=label_colour(label), label=label, s=40)
        if present:
            ax.legend(loc="lower left", frameon=False, ncols=min(len(present), 6), fontsize=8)
        fig.tight_layout()
    return svg_of(fig)


def timeline_chart(events: pl.DataFrame) -> str:
    """One stem per event at its start date, height = documents, marker size = independent stories."""
    fig = new_figure(10.0, 3.2)
    ax = fig.axes[0]
    with rc_context(SVG_STYLE):
        for granularity in sorted(set(events["granularity"].to_list())):
            part = events.filter(pl.col("granularity") == granularity)
            dates = part["date"].to_list()
            docs = part["n_docs"].to_list()
            colour = GRANULARITY_COLOURS.get(granularity, OTHER_COLOUR)
            ax.vlines(dates, 0, docs, color=colour, alpha=0.5, linewidth=1)
            if granularity != "day":  # a week, month or year spans its whole period
                ax.hlines(docs, dates, part["date_end"].to_list(), color=colour, alpha=0.6, linewidth=3)
            ax.scatter(dates, docs, s=[20 + 12 * s for s in part["n_stories"].to_list()], color=colour,
                       label=granularity, zorder=2)
        ax.set_ylabel("documents")
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(loc="upper left", frameon=False, title="period")
        ax.set_title("Dated events (marker size: independent stories)", loc="left")
        fig.autofmt_xdate()
        fig.tight_layout()
    return svg_of(fig)
