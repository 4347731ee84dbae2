"""data/aggregate/report.html: one self-contained page a person can open offline.

The page is plain HTML with inline CSS and inline SVG charts: no script, no web font, no external URL,
so it renders the same without a network (`dvc plots show` needs a CDN; this does not). Charts are drawn
with matplotlib's SVG backend through `Figure` objects (no pyplot global state), with a fixed
`svg.hashsalt`, no date in the metadata, text kept as <text> (small, searchable) and the XML prologue,
metadata block and namespace URLs stripped, so the same tables give a byte-identical page.

Sections: corpus summary; stories with each copy or rewrite beside its source (aligned sentences
highlighted by method, from the alignments table); top entities (bar chart); co-occurrence network (a
force-directed layout computed here with numpy, deterministic: circle start, fixed iterations);
best-corroborated claims; timeline (chart + table); the cleaning audit (removed-line reasons, boilerplate
share). Every piece of text from the data goes through html.escape (and `$` is escaped for matplotlib's
mathtext). Every list is cut to a top-N from params, so a 20,000-document corpus gives a page of bounded
size.
"""
from __future__ import annotations

import bisect
import html
import io
import math
import re
from typing import Any, Iterable

import numpy as np
import polars as pl
from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from stages.aggregate.entity_stats import NAMED_LABELS, top_entities
from stages.aggregate.cooccurrence import strongest_pairs

DEFAULTS: dict[str, Any] = {
    "top_entities": 20,          # bars in the entity chart and rows in its table
    "top_stories": 10,           # stories shown with their documents
    "max_pairs_per_story": 3,    # copy/rewrite-beside-source comparisons per story
    "max_pair_sentences": 40,    # rows per comparison
    "top_claims": 20,
    "network_nodes": 30,         # entities drawn in the co-occurrence network
    "network_edges": 80,
    "layout_iterations": 300,
    "timeline_points": 300,      # events drawn in the timeline chart
    "timeline_rows": 40,         # events listed in the timeline table
    "top_documents": 20,         # documents listed in the boilerplate table
    "max_rejected": 20,
    "reason_examples": 3,        # sample removed lines shown per reason
    "max_label_chars": 40,       # longer names are cut in charts
}
SVG_STYLE = {"svg.hashsalt": "newsflow-report", "svg.fonttype": "none", "font.family": "DejaVu Sans",
             "font.size": 9, "axes.spines.top": False, "axes.spines.right": False}
# Colour by entity label (fixed palette; labels not listed share grey).
LABEL_COLOURS = {"PERSON": "#1f77b4", "ORG": "#ff7f0e", "GPE": "#2ca02c", "LOC": "#17becf", "NORP": "#9467bd",
                 "FAC": "#8c564b", "EVENT": "#e377c2", "PRODUCT": "#bcbd22", "WORK_OF_ART": "#7f7f7f",
                 "LAW": "#d62728"}
GRANULARITY_COLOURS = {"day": "#1f77b4", "week": "#2ca02c", "month": "#ff7f0e", "year": "#9467bd"}
RELATION_ORDER = {"original": 0, "unique": 0, "near_duplicate": 1, "truncated_copy": 2, "rewrite": 3}

CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:0;color:#222;
background:#fafafa}
header{background:#263238;color:#fff;padding:14px 24px}header h1{margin:0;font-size:22px}
nav{padding:6px 24px;background:#eceff1;position:sticky;top:0;z-index:1}nav a{margin-right:14px;color:#1a5276}
main{padding:0 24px 40px;max-width:1400px}section{margin-top:28px}h2{border-bottom:2px solid #cfd8dc;
padding-bottom:4px}h3{margin:18px 0 6px;font-size:16px}
table{border-collapse:collapse;margin:6px 0 12px;background:#fff}td,th{border:1px solid #ddd;padding:3px 8px;
vertical-align:top;text-align:left}th{background:#f1f3f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.cards{display:flex;flex-wrap:wrap;gap:10px}.card{background:#fff;border:1px solid #ddd;border-radius:6px;
padding:8px 12px;min-width:220px}.card h3{margin:0 0 4px;font-size:14px}.card table{margin:0}
.card td{border:none;padding:1px 6px}
.chart{background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px;margin:8px 0;overflow-x:auto}
.chart svg{max-width:100%;height:auto}
.pair{width:100%;table-layout:fixed}.pair td{width:50%;font-size:13px}
.m-exact{background:#c8e6c9}.m-near{background:#fff59d}.m-paraphrase{background:#bbdefb}
.moved{outline:1px dashed #888}.muted{color:#777}.rel{font-weight:600}
.legend span{padding:1px 6px;margin-right:8px;border-radius:3px}
details{margin:6px 0}summary{cursor:pointer}
"""


# ----------------------------------------------------------------------------------------------- helpers

def esc(value: Any) -> str:
    """Text for HTML (element content or a quoted attribute)."""
    return html.escape("" if value is None else str(value), quote=True)


def chart_text(value: Any, max_chars: int = 40) -> str:
    """Text for a matplotlib label: cut to length, `$` escaped so it is never parsed as mathtext."""
    text = "" if value is None else " ".join(str(value).split())
    if len(text) > max_chars:
        text = text[: max_chars - 1] + "…"
    return text.replace("\\", "\\\\").replace("$", r"\$")


def fmt_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


_SVG_PROLOGUE_END = "<svg"
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->\s*", re.DOTALL)
# Starts only where a whitespace run starts and never gives back (linear even on long runs of spaces).
_XMLNS = re.compile(r'(?<!\s)\s++xmlns(?::\w++)?+="[^"]*+"')


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


def table_html(header: list[str], rows: Iterable[Iterable[Any]], numeric: set[int] | None = None,
               cls: str = "") -> str:
    numeric = numeric or set()
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = [f'<td class="n">{esc(fmt_number(v))}</td>' if i in numeric else f"<td>{esc(v)}</td>"
                 for i, v in enumerate(row)]
        body.append("<tr>" + "".join(cells) + "</tr>")
    attr = f' class="{esc(cls)}"' if cls else ""
    return f"<table{attr}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def chart_html(svg: str, caption: str) -> str:
    return f'<figure class="chart">{svg}<figcaption class="muted">{esc(caption)}</figcaption></figure>'


def empty_note(what: str) -> str:
    return f'<p class="muted">No {esc(what)} in this corpus.</p>'


# ------------------------------------------------------------------------------------------------ charts

def bar_chart(names: list[str], values: list[float], title: str, xlabel: str, colours: list[str] | None = None,
              back_values: list[float] | None = None, back_label: str = "",
              legend: list[tuple[str, str]] | None = None, max_chars: int = 40) -> str:
    """A horizontal bar chart of counts, first item on top; optional lighter bars behind (e.g. documents)
    and a legend of (colour, label) entries."""
    height = 1.0 + 0.28 * max(len(names), 1)
    fig = new_figure(8.0, height)
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


def force_layout(n_nodes: int, edges: list[tuple[int, int, float]], iterations: int) -> np.ndarray:
    """Fruchterman-Reingold positions of one connected graph in [0, 1]^2. Deterministic: nodes start on a
    circle in their given order and move for a fixed number of steps with a linearly cooling step size."""
    if n_nodes == 1:
        return np.array([[0.5, 0.5]])
    angles = 2.0 * np.pi * np.arange(n_nodes) / n_nodes
    pos = np.column_stack([np.cos(angles), np.sin(angles)]) * 0.5
    k = math.sqrt(1.0 / n_nodes)
    src = np.array([e[0] for e in edges], dtype=int)
    dst = np.array([e[1] for e in edges], dtype=int)
    weight = np.array([e[2] for e in edges], dtype=float)
    if weight.size:
        weight = weight / weight.max()
    for step in range(iterations):
        temperature = 0.1 * (1.0 - step / iterations) + 1e-3
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta ** 2).sum(axis=2))
        np.fill_diagonal(dist, 1.0)
        dist = np.maximum(dist, 1e-3)
        displacement = (delta / dist[:, :, None] * (k * k / dist)[:, :, None]).sum(axis=1)
        if src.size:
            d = pos[src] - pos[dst]
            length = np.maximum(np.sqrt((d ** 2).sum(axis=1)), 1e-3)
            pull = d / length[:, None] * ((length ** 2 / k) * (0.5 + weight))[:, None]
            np.add.at(displacement, src, -pull)
            np.add.at(displacement, dst, pull)
        norm = np.maximum(np.sqrt((displacement ** 2).sum(axis=1)), 1e-9)
        pos = pos + displacement / norm[:, None] * np.minimum(norm, temperature)[:, None]
    span = pos.max(axis=0) - pos.min(axis=0)
    return (pos - pos.min(axis=0)) / max(float(span.max()), 1e-9)


def components(n_nodes: int, edges: list[tuple[int, int, float]]) -> list[list[int]]:
    """Connected components (union-find), largest first, ties by smallest node."""
    parent = list(range(n_nodes))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b, _ in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for node in range(n_nodes):
        groups.setdefault(root(node), []).append(node)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def network_layout(n_nodes: int, edges: list[tuple[int, int, float]], iterations: int = 300) -> np.ndarray:
    """Positions in [0, 1]^2: each connected component laid out on its own (`force_layout`), in a square
    whose side grows with the square root of its size, the squares packed row by row, largest first (so a
    small separate pair cannot squeeze the main cluster into a corner)."""
    if n_nodes <= 1:
        return np.full((n_nodes, 2), 0.5)
    pos = np.zeros((n_nodes, 2))
    groups = components(n_nodes, edges)
    sides = [math.sqrt(len(g)) for g in groups]
    row_width = max(sides[0], math.sqrt(n_nodes) * 1.5)
    gap = 0.35
    x = y = row_height = 0.0
    for group, side in zip(groups, sides):
        if x > 0 and x + side > row_width:
            x, y, row_height = 0.0, y + row_height + gap, 0.0
        local = {node: i for i, node in enumerate(group)}
        sub_edges = [(local[a], local[b], w) for a, b, w in edges if a in local]
        placed = force_layout(len(group), sub_edges, iterations) if len(group) > 1 else np.array([[0.5, 0.5]])
        pos[group] = placed * side + np.array([x, -y - side])
        x, row_height = x + side + gap, max(row_height, side)
    span = pos.max(axis=0) - pos.min(axis=0)
    return (pos - pos.min(axis=0)) / max(float(span.max()), 1e-9)


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
        colours = [LABEL_COLOURS.get(label, "#9e9e9e") for label in nodes["label"].to_list()]
        ax.scatter(pos[:, 0], pos[:, 1], s=40 + 160 * sizes / max(sizes.max(), 1.0), c=colours, zorder=2,
                   edgecolors="white", linewidths=0.8)
        for (x, y), name in zip(pos, nodes["canonical"].to_list()):
            ax.annotate(chart_text(name, max_chars), (x, y), xytext=(0, 7), textcoords="offset points",
                        ha="center", fontsize=8, zorder=3)
        ax.set_xlim(-0.12, 1.12)
        ax.set_ylim(-0.14, height + 0.12)
        ax.set_axis_off()
        present = sorted(set(nodes["label"].to_list()))
        for label in present:
            ax.scatter([], [], c=LABEL_COLOURS.get(label, "#9e9e9e"), label=label, s=40)
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
            colour = GRANULARITY_COLOURS.get(granularity, "#9e9e9e")
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


# ------------------------------------------------------------------------------------------- comparisons

def increasing_backbone(values: list[int]) -> set[int]:
    """Indices of a longest strictly increasing subsequence of `values` (patience sorting, O(n log n);
    among equally long ones, the one ending on the smallest value)."""
    tails: list[int] = []          # tails[k]: index of the smallest last value of an increasing run of k+1
    tail_values: list[int] = []    # values[tails[k]], kept sorted for bisect
    previous: list[int] = [-1] * len(values)
    for i, value in enumerate(values):
        k = bisect.bisect_left(tail_values, value)
        if k > 0:
            previous[i] = tails[k - 1]
        if k == len(tails):
            tails.append(i)
            tail_values.append(value)
        else:
            tails[k] = i
            tail_values[k] = value
    chosen: set[int] = set()
    i = tails[-1] if tails else -1
    while i >= 0:
        chosen.add(i)
        i = previous[i]
    return chosen


def pair_rows(source: list[tuple[str, str]], copy: list[tuple[str, str]],
              aligned: dict[str, tuple[str, str]]) -> list[tuple[str | None, str | None, str | None, bool]]:
    """Rows to show a copy beside its source: (source text, copy text, method, moved).

    `source`/`copy` are (sent_id, text) in reading order; `aligned` maps a copy sent_id to
    (source sent_id, method). The alignments that keep both texts in order (a longest increasing run of
    source positions) form the backbone: each puts its two sentences on one row, after the source sentences
    before it (left only). A copy sentence aligned out of order is shown beside its source sentence, marked
    moved, without disturbing the backbone; an unaligned copy sentence stands alone on the right.
    """
    position = {sent_id: i for i, (sent_id, _) in enumerate(source)}
    targets = [(i, position[aligned[sent_id][0]]) for i, (sent_id, _) in enumerate(copy)
               if sent_id in aligned and aligned[sent_id][0] in position]
    backbone = {targets[k][0] for k in increasing_backbone([t for _, t in targets])}
    target_of = dict(targets)
    rows: list[tuple[str | None, str | None, str | None, bool]] = []
    next_source = 0
    for i, (sent_id, text) in enumerate(copy):
        if i not in target_of:
            rows.append((None, text, None, False))
            continue
        target, method = target_of[i], aligned[sent_id][1]
        if i not in backbone:
            rows.append((source[target][1], text, method, True))
            continue
        while next_source < target:
            rows.append((source[next_source][1], None, None, False))
            next_source += 1
        rows.append((source[target][1], text, method, False))
        next_source = target + 1
    rows.extend((text, None, None, False) for _, text in source[next_source:])
    return rows


def comparison_html(rows: list[tuple[str | None, str | None, str | None, bool]], source_name: str,
                    copy_name: str, max_rows: int) -> str:
    body = []
    for left, right, method, moved in rows[:max_rows]:
        cls = f"m-{method}" if method else ""
        cls += " moved" if moved else ""
        attr = f' class="{esc(cls.strip())}"' if cls.strip() else ""
        title = f' title="{esc(method)}"' if method else ""
        body.append(f"<tr><td{attr}{title}>{esc(left or '')}</td><td{attr}{title}>{esc(right or '')}</td></tr>")
    more = len(rows) - max_rows
    if more > 0:
        body.append(f'<tr><td colspan="2" class="muted">… {more} more rows</td></tr>')
    return (f'<table class="pair"><thead><tr><th>{esc(source_name)}</th><th>{esc(copy_name)}</th></tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>")


def sentences_by_doc(sentences: pl.DataFrame, doc_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    wanted = (sentences.filter(pl.col("doc_id").is_in(doc_ids))
              .sort("doc_id", "paragraph", "index"))
    grouped: dict[str, list[tuple[str, str]]] = {d: [] for d in doc_ids}
    for doc_id, sent_id, text in wanted.select("doc_id", "sent_id", "text").iter_rows():
        grouped[doc_id].append((sent_id, text))
    return grouped


# ------------------------------------------------------------------------------------------------ sections

SUMMARY_ORDER = ["documents", "cleaning", "removed_by_reason", "sentences", "entities", "quotes", "stories",
                 "claims", "dates", "tags"]


def summary_section(metrics: dict[str, Any]) -> str:
    cards = []
    known = [k for k in SUMMARY_ORDER if k in metrics]
    for key in known + sorted(k for k in metrics if k not in SUMMARY_ORDER):
        value = metrics[key]
        if isinstance(value, dict):
            rows = "".join(f'<tr><td>{esc(k.replace("_", " "))}</td><td class="n">{esc(fmt_number(v))}</td></tr>'
                           for k, v in value.items())
            cards.append(f'<div class="card"><h3>{esc(key.replace("_", " "))}</h3><table>{rows}</table></div>')
        else:
            cards.append(f'<div class="card"><h3>{esc(key.replace("_", " "))}</h3>'
                         f'<table><tr><td class="n">{esc(fmt_number(value))}</td></tr></table></div>')
    return f'<section id="summary"><h2>Corpus summary</h2><div class="cards">{"".join(cards)}</div></section>'


def doc_label(doc_id: str, titles: dict[str, str | None], sources: dict[str, str]) -> str:
    title = titles.get(doc_id) or sources.get(doc_id) or ""
    return f"{doc_id} · {title}" if title else doc_id


def stories_section(stories: pl.DataFrame, alignments: pl.DataFrame, sentences: pl.DataFrame,
                    titles: dict[str, str | None], sources: dict[str, str], p: dict[str, Any]) -> str:
    legend = ('<p class="legend">Aligned sentences: <span class="m-exact">exact</span>'
              '<span class="m-near">near</span><span class="m-paraphrase">paraphrase</span>'
              '<span class="moved">moved (out of source order)</span></p>')
    if stories.is_empty():
        return f'<section id="stories"><h2>Stories</h2>{empty_note("stories")}</section>'
    sizes = (stories.group_by("story_id").agg(pl.len().alias("size"))
             .sort(["size", "story_id"], descending=[True, False]))
    n_multi = int((sizes["size"] > 1).sum())
    shown = sizes.head(int(p["top_stories"]))["story_id"].to_list()
    members = (stories.filter(pl.col("story_id").is_in(shown))
               .with_columns(pl.col("relation").replace_strict(RELATION_ORDER, default=9,
                                                               return_dtype=pl.Int64).alias("order"))
               .sort("story_id", "order", "doc_id"))
    needed = sorted(set(members["doc_id"].to_list())
                    | set(members["source_doc_id"].drop_nulls().to_list()))
    text_of = sentences_by_doc(sentences, needed)
    aligned_rows = alignments.filter(pl.col("doc_id").is_in(needed)).sort("doc_id", "sent_id", "similarity",
                                                                          descending=[False, False, True])
    aligned: dict[str, dict[str, tuple[str, str]]] = {}
    for doc_id, sent_id, source_sent_id, method in aligned_rows.select(
            "doc_id", "sent_id", "source_sent_id", "method").iter_rows():
        aligned.setdefault(doc_id, {}).setdefault(sent_id, (source_sent_id, method))

    distribution = sizes.group_by("size").agg(pl.len().alias("stories")).sort("size")
    chart = story_size_chart(distribution["size"].to_list(), distribution["stories"].to_list())
    parts = [f'<section id="stories"><h2>Stories</h2><p>{len(sizes)} stories, {n_multi} reported by more than '
             f"one document; the {len(shown)} largest are shown, each copy or rewrite beside its source.</p>"
             f"{chart_html(chart, 'Documents per story (a story with copies and rewrites is one story).')}"
             f"{legend}"]
    for rank, story_id in enumerate(shown):
        rows = members.filter(pl.col("story_id") == story_id)
        opened = " open" if rank == 0 else ""  # the first story unfolded, the others one click away
        first = rows.row(0, named=True)
        parts.append(f"<h3>{esc(titles.get(first['doc_id']) or story_id)} "
                     f'<span class="muted">({rows.height} documents · story {esc(story_id)})</span></h3>')
        parts.append(table_html(
            ["document", "relation", "source", "similarity", "aligned share"],
            [(doc_label(r["doc_id"], titles, sources), r["relation"], r["source_doc_id"] or "",
              round(float(r["similarity"]), 3),
             round(float(r["aligned_share"]), 3) if r.get("aligned_share") is not None else "—")
             for r in rows.iter_rows(named=True)], numeric={3, 4}))
        copies = rows.filter(pl.col("source_doc_id").is_not_null())
        for r in copies.head(int(p["max_pairs_per_story"])).iter_rows(named=True):
            pair = pair_rows(text_of.get(r["source_doc_id"], []), text_of.get(r["doc_id"], []),
                             aligned.get(r["doc_id"], {}))
            parts.append(f'<details{opened}><summary><span class="rel">{esc(r["relation"])}</span> '
                         f'{esc(r["doc_id"])} beside its source {esc(r["source_doc_id"])}</summary>'
                         + comparison_html(pair, "source: " + doc_label(r["source_doc_id"], titles, sources),
                                           f"{r['relation']}: " + doc_label(r["doc_id"], titles, sources),
                                           int(p["max_pair_sentences"]))
                         + "</details>")
        if copies.height > int(p["max_pairs_per_story"]):
            parts.append(f'<p class="muted">… {copies.height - int(p["max_pairs_per_story"])} more copies '
                         "not shown.</p>")
    parts.append("</section>")
    return "".join(parts)


def entities_section(entity_stats: pl.DataFrame, p: dict[str, Any]) -> str:
    top = top_entities(entity_stats, int(p["top_entities"]), list(p.get("labels", NAMED_LABELS)))
    if top.is_empty():
        return f'<section id="entities"><h2>Top entities</h2>{empty_note("named entities")}</section>'
    labels = top["label"].to_list()
    chart = bar_chart(top["canonical"].to_list(), top["n_stories"].to_list(),
                      "Entities named by the most independent stories", "count",
                      colours=[LABEL_COLOURS.get(lb, "#9e9e9e") for lb in labels],
                      back_values=top["n_docs"].to_list(), back_label="documents (copies included)",
                      legend=[(LABEL_COLOURS.get(lb, "#9e9e9e"), f"stories: {lb}") for lb in sorted(set(labels))],
                      max_chars=int(p["max_label_chars"]))
    table = table_html(["entity", "label", "stories", "documents", "mentions"],
                       top.select("canonical", "label", "n_stories", "n_docs", "n_mentions").iter_rows(),
                       numeric={2, 3, 4})
    return (f'<section id="entities"><h2>Top entities</h2>'
            f"{chart_html(chart, 'Dark bars: independent stories; light bars: documents (copies included).')}"
            f"{table}</section>")


def network_section(entity_stats: pl.DataFrame, cooccurrence: pl.DataFrame, p: dict[str, Any]) -> str:
    pairs = strongest_pairs(cooccurrence, int(p["network_edges"]))
    if pairs.is_empty():
        return f'<section id="network"><h2>Co-occurrence network</h2>{empty_note("co-occurring entities")}</section>'
    in_pairs = set(pairs["entity_id_a"].to_list()) | set(pairs["entity_id_b"].to_list())
    nodes = (top_entities(entity_stats.filter(pl.col("entity_id").is_in(sorted(in_pairs))),
                          int(p["network_nodes"]))
             .sort("entity_id"))
    keep = nodes["entity_id"].to_list()
    pairs = pairs.filter(pl.col("entity_id_a").is_in(keep) & pl.col("entity_id_b").is_in(keep))
    chart = network_chart(nodes, pairs.sort("entity_id_a", "entity_id_b"), int(p["layout_iterations"]),
                          int(p["max_label_chars"]))
    table = table_html(["entity A", "entity B", "stories", "documents", "sentences", "PMI"],
                       pairs.select("canonical_a", "canonical_b", "n_stories", "n_docs", "n_sentences",
                                    pl.col("pmi").round(3)).head(int(p["top_entities"])).iter_rows(),
                       numeric={2, 3, 4, 5})
    caption = (f"{nodes.height} entities and the {pairs.height} strongest links between them; node size: "
               "independent stories, line width: shared sentences.")
    return f'<section id="network"><h2>Co-occurrence network</h2>{chart_html(chart, caption)}{table}</section>'


def claims_section(claims: pl.DataFrame, titles: dict[str, str | None], p: dict[str, Any]) -> str:
    if claims.is_empty():
        return f'<section id="claims"><h2>Best-corroborated claims</h2>{empty_note("claims")}</section>'
    top = (claims.sort(["n_stories", "n_docs", "claim_id"], descending=[True, True, False])
           .head(int(p["top_claims"])))
    rows = [(r["text"], r["n_stories"], r["n_docs"], ", ".join(r["doc_ids"][:5])
             + (f" … (+{len(r['doc_ids']) - 5})" if len(r["doc_ids"]) > 5 else ""))
            for r in top.iter_rows(named=True)]
    return (f'<section id="claims"><h2>Best-corroborated claims</h2><p>Statements made by the most independent '
            f"stories ({claims.height} claims in all).</p>"
            f"{table_html(['claim', 'stories', 'documents', 'documents (ids)'], rows, numeric={1, 2})}</section>")


def timeline_section(timeline: pl.DataFrame, p: dict[str, Any]) -> str:
    if timeline.is_empty():
        return f'<section id="timeline"><h2>Timeline</h2>{empty_note("resolved dates")}</section>'
    ranked = timeline.sort(["n_stories", "n_docs", "date", "event_id"], descending=[True, True, False, False])
    plotted = ranked.head(int(p["timeline_points"])).sort("date", "event_id")
    listed = ranked.head(int(p["timeline_rows"])).sort("date", "event_id")
    chart = timeline_chart(plotted)
    rows = [(r["date"].isoformat() if r["date"] == r["date_end"] else f"{r['date']} – {r['date_end']}",
             r["granularity"], r["date_text"], r["text"], r["n_stories"], r["n_docs"])
            for r in listed.iter_rows(named=True)]
    return (f'<section id="timeline"><h2>Timeline</h2>'
            f"{chart_html(chart, f'{plotted.height} of {timeline.height} events (most corroborated).')}"
            f"{table_html(['when', 'period', 'as written', 'sentence', 'stories', 'documents'], rows, numeric={4, 5})}"
            "</section>")


def cleaning_section(removed: pl.DataFrame, boilerplate: pl.DataFrame, rejected: pl.DataFrame,
                     metrics: dict[str, Any], p: dict[str, Any]) -> str:
    parts = ['<section id="cleaning"><h2>Cleaning audit</h2>']
    cleaning = metrics.get("cleaning", {})
    parts.append(f"<p>{fmt_number(cleaning.get('removed_lines', removed.height))} of "
                 f"{fmt_number(cleaning.get('raw_lines', 0))} non-blank raw lines removed "
                 f"(boilerplate share {fmt_number(cleaning.get('boilerplate_share', 0.0))}).</p>")
    if removed.height:
        n_examples = int(p["reason_examples"])
        reasons = (removed.sort("doc_id", "line_no")
                   .with_columns(pl.col("text").str.strip_chars().str.slice(0, 80).alias("example"))
                   .group_by("reason", maintain_order=True)
                   .agg(pl.len().alias("n"),
                        pl.col("example").filter(pl.col("example") != "").unique(maintain_order=True)
                        .head(n_examples).alias("examples"))
                   .sort(["n", "reason"], descending=[True, False]))
        parts.append(chart_html(bar_chart(reasons["reason"].to_list(), reasons["n"].to_list(),
                                          "Removed lines by reason", "lines", colours=["#8d6e63"] * reasons.height),
                                "Why the clean stage dropped raw lines."))
        parts.append(table_html(["reason", "lines", f"first {n_examples} distinct lines"],
                                ((r, n, " | ".join(ex)) for r, n, ex in reasons.iter_rows()), numeric={1}))
    else:
        parts.append(empty_note("removed lines"))
    if boilerplate.height:
        parts.append(chart_html(histogram_chart(boilerplate["boilerplate_share"].to_list(),
                                                "Boilerplate share per document",
                                                "share of non-blank raw lines removed"),
                                f"{boilerplate.height} documents."))
        worst = (boilerplate.sort(["boilerplate_share", "doc_id"], descending=[True, False])
                 .head(int(p["top_documents"])))
        parts.append("<h3>Documents with the most boilerplate</h3>" + table_html(
            ["document", "source", "raw lines", "removed", "share"],
            worst.select("doc_id", "source_path", "raw_lines", "removed_lines", "boilerplate_share").iter_rows(),
            numeric={2, 3, 4}))
    if rejected.height:
        shown = rejected.sort("source_path").head(int(p["max_rejected"]))
        parts.append(f"<h3>Rejected inputs ({rejected.height})</h3>"
                     + table_html(["source", "reason"], shown.select("source_path", "reason").iter_rows()))
    parts.append("</section>")
    return "".join(parts)


# ---------------------------------------------------------------------------------------------------- page

def render_report(*, metrics: dict[str, Any], ingest_docs: pl.DataFrame, rejected: pl.DataFrame,
                  clean_docs: pl.DataFrame, removed: pl.DataFrame, boilerplate: pl.DataFrame,
                  sentences: pl.DataFrame, stories: pl.DataFrame, alignments: pl.DataFrame,
                  claims: pl.DataFrame, entity_stats: pl.DataFrame, cooccurrence: pl.DataFrame,
                  timeline: pl.DataFrame, params: dict[str, Any] | None = None,
                  title: str = "newsflow report") -> str:
    """The whole page as a string (pure: no I/O)."""
    p = {**DEFAULTS, **(params or {})}
    titles = dict(clean_docs.select("doc_id", "title").iter_rows()) if "title" in clean_docs.columns else {}
    sources = dict(ingest_docs.select("doc_id", "source_path").iter_rows()) if ingest_docs.height else {}
    sections = [
        summary_section(metrics),
        stories_section(stories, alignments, sentences, titles, sources, p),
        entities_section(entity_stats, p),
        network_section(entity_stats, cooccurrence, p),
        claims_section(claims, titles, p),
        timeline_section(timeline, p),
        cleaning_section(removed, boilerplate, rejected, metrics, p),
    ]
    nav = "".join(f'<a href="#{anchor}">{esc(name)}</a>' for anchor, name in (
        ("summary", "Summary"), ("stories", "Stories"), ("entities", "Entities"), ("network", "Network"),
        ("claims", "Claims"), ("timeline", "Timeline"), ("cleaning", "Cleaning")))
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head><body>"
            f"<header><h1>{esc(title)}</h1></header><nav>{nav}</nav><main>"
            + "\n".join(sections) + "</main></body></html>\n")

