"""data/aggregate/report.html: one self-contained page a person can open offline.

The page is rendered from the Jinja2 templates in `templates/` with autoescape on, so every piece of text
from the data is escaped; the only markup passed through is the charts' SVG (`charts`, drawn by
matplotlib, which escapes text itself). Plain HTML with inline CSS and inline SVG: no script, no web font,
no external URL, so it renders the same without a network (`dvc plots show` needs a CDN; this does not),
and the same tables give a byte-identical page.

Sections: corpus summary; stories with each copy or rewrite beside its source (aligned sentences
highlighted by method, from the alignments table); top entities (bar chart); co-occurrence network;
best-corroborated claims; timeline (chart + table); the cleaning audit (removed-line reasons, boilerplate
share). Each section is a plain view (dicts and lists, built here from the tables) that its template
renders. Every list is cut to a top-N from params (`aggregate.report`), so a 20,000-document corpus gives
a page of bounded size.
"""
from __future__ import annotations

import bisect
import functools
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
from markupsafe import Markup

from schemas.params import Report
from stages.aggregate import charts
from stages.aggregate.cooccurrence import strongest_pairs
from stages.aggregate.entity_stats import top_entities

TEMPLATES = Path(__file__).resolve().parent / "templates"
TITLE = "newsflow report"
NAV = [("summary", "Summary"), ("stories", "Stories"), ("entities", "Entities"), ("network", "Network"),
       ("claims", "Claims"), ("timeline", "Timeline"), ("cleaning", "Cleaning")]
RELATION_ORDER = {"original": 0, "unique": 0, "near_duplicate": 1, "truncated_copy": 2, "rewrite": 3}
SUMMARY_ORDER = ["documents", "cleaning", "removed_by_reason", "sentences", "entities", "quotes", "stories",
                 "claims", "dates", "tags"]
MAX_CLAIM_DOC_IDS = 5   # document ids listed per claim


def fmt_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


@functools.lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters.update(number=fmt_number, text=_text)
    return env


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


def _comparison_view(rows: list[tuple[str | None, str | None, str | None, bool]], max_rows: int) -> dict:
    """The first `max_rows` rows with each row's class (`m-<method>`, `moved`) and title, and how many more."""
    shown = []
    for left, right, method, moved in rows[:max_rows]:
        classes = ([f"m-{method}"] if method else []) + (["moved"] if moved else [])
        shown.append((left, right, " ".join(classes), method))
    return {"rows": shown, "more": len(rows) - max_rows}


def sentences_by_doc(sentences: pl.DataFrame, doc_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    wanted = (sentences.filter(pl.col("doc_id").is_in(doc_ids))
              .sort("doc_id", "paragraph", "index"))
    grouped: dict[str, list[tuple[str, str]]] = {d: [] for d in doc_ids}
    for doc_id, sent_id, text in wanted.select("doc_id", "sent_id", "text").iter_rows():
        grouped[doc_id].append((sent_id, text))
    return grouped


# ------------------------------------------------------------------------------------------------ sections

def summary_view(metrics: dict[str, Any]) -> list[tuple[str, list[tuple[str | None, Any]]]]:
    """One card per metrics group (title, rows of label and value); a plain number is one unlabelled row."""
    cards = []
    known = [k for k in SUMMARY_ORDER if k in metrics]
    for key in known + sorted(k for k in metrics if k not in SUMMARY_ORDER):
        value = metrics[key]
        rows = ([(name.replace("_", " "), v) for name, v in value.items()] if isinstance(value, dict)
                else [(None, value)])
        cards.append((key.replace("_", " "), rows))
    return cards


def doc_label(doc_id: str, titles: dict[str, str | None], sources: dict[str, str]) -> str:
    title = titles.get(doc_id) or sources.get(doc_id) or ""
    return f"{doc_id} · {title}" if title else doc_id


class _Documents:
    """Titles, source paths and sentences of the documents a stories view shows."""

    def __init__(self, titles: dict[str, str | None], sources: dict[str, str],
                 text_of: dict[str, list[tuple[str, str]]], aligned: dict[str, dict[str, tuple[str, str]]]):
        self.titles, self.sources, self.text_of, self.aligned = titles, sources, text_of, aligned

    def label(self, doc_id: str) -> str:
        return doc_label(doc_id, self.titles, self.sources)


def _story_documents(members: pl.DataFrame, alignments: pl.DataFrame, sentences: pl.DataFrame,
                     titles: dict[str, str | None], sources: dict[str, str]) -> _Documents:
    needed = sorted(set(members["doc_id"].to_list()) | set(members["source_doc_id"].drop_nulls().to_list()))
    aligned_rows = alignments.filter(pl.col("doc_id").is_in(needed)).sort("doc_id", "sent_id", "similarity",
                                                                          descending=[False, False, True])
    aligned: dict[str, dict[str, tuple[str, str]]] = {}
    for doc_id, sent_id, source_sent_id, method in aligned_rows.select(
            "doc_id", "sent_id", "source_sent_id", "method").iter_rows():
        aligned.setdefault(doc_id, {}).setdefault(sent_id, (source_sent_id, method))
    return _Documents(titles, sources, sentences_by_doc(sentences, needed), aligned)


def _story_view(rows: pl.DataFrame, docs: _Documents, is_first: bool, params: Report) -> dict:
    """One story: its documents, and its first copies each beside its source."""
    first = rows.row(0, named=True)
    table = [(docs.label(r["doc_id"]), r["relation"], r["source_doc_id"] or "", round(r["similarity"], 3),
              round(r["aligned_share"], 3)) for r in rows.iter_rows(named=True)]
    copies = rows.filter(pl.col("source_doc_id").is_not_null())
    pairs = []
    for r in copies.head(params.max_pairs_per_story).iter_rows(named=True):
        compared = pair_rows(docs.text_of.get(r["source_doc_id"], []), docs.text_of.get(r["doc_id"], []),
                             docs.aligned.get(r["doc_id"], {}))
        pairs.append({"relation": r["relation"], "doc_id": r["doc_id"], "source_doc_id": r["source_doc_id"],
                      "source_name": "source: " + docs.label(r["source_doc_id"]),
                      "copy_name": f"{r['relation']}: " + docs.label(r["doc_id"]),
                      **_comparison_view(compared, params.max_pair_sentences)})
    # The first story unfolded, the others one click away.
    return {"title": docs.titles.get(first["doc_id"]) or first["story_id"], "n_docs": rows.height,
            "story_id": first["story_id"], "rows": table, "pairs": pairs, "open": is_first,
            "hidden": copies.height - params.max_pairs_per_story}


def stories_view(stories: pl.DataFrame, alignments: pl.DataFrame, sentences: pl.DataFrame,
                 titles: dict[str, str | None], sources: dict[str, str], params: Report) -> dict | None:
    if stories.is_empty():
        return None
    sizes = (stories.group_by("story_id").agg(pl.len().alias("size"))
             .sort(["size", "story_id"], descending=[True, False]))
    shown = sizes.head(params.top_stories)["story_id"].to_list()
    members = (stories.filter(pl.col("story_id").is_in(shown))
               .with_columns(pl.col("relation").replace_strict(RELATION_ORDER, default=9,
                                                               return_dtype=pl.Int64).alias("order"))
               .sort("story_id", "order", "doc_id"))
    docs = _story_documents(members, alignments, sentences, titles, sources)
    distribution = sizes.group_by("size").agg(pl.len().alias("stories")).sort("size")
    chart = charts.story_size_chart(distribution["size"].to_list(), distribution["stories"].to_list())
    return {"n_stories": len(sizes), "n_multi": int((sizes["size"] > 1).sum()), "chart": Markup(chart),
            "shown": [_story_view(members.filter(pl.col("story_id") == story_id), docs, rank == 0, params)
                      for rank, story_id in enumerate(shown)]}


def entities_view(entity_stats: pl.DataFrame, labels: list[str], params: Report) -> dict | None:
    top = top_entities(entity_stats, params.top_entities, labels)
    if top.is_empty():
        return None
    present = top["label"].to_list()
    chart = charts.bar_chart(top["canonical"].to_list(), top["n_stories"].to_list(),
                             "Entities named by the most independent stories", "count", params.max_label_chars,
                             colours=[charts.label_colour(label) for label in present],
                             back_values=top["n_docs"].to_list(), back_label="documents (copies included)",
                             legend=[(charts.label_colour(label), f"stories: {label}")
                                     for label in sorted(set(present))])
    return {"chart": Markup(chart),
            "rows": top.select("canonical", "label", "n_stories", "n_docs", "n_mentions").rows()}


def network_view(entity_stats: pl.DataFrame, cooccurrence: pl.DataFrame, params: Report) -> dict | None:
    pairs = strongest_pairs(cooccurrence, params.network_edges)
    if pairs.is_empty():
        return None
    in_pairs = set(pairs["entity_id_a"].to_list()) | set(pairs["entity_id_b"].to_list())
    nodes = (top_entities(entity_stats.filter(pl.col("entity_id").is_in(sorted(in_pairs))), params.network_nodes)
             .sort("entity_id"))
    keep = nodes["entity_id"].to_list()
    pairs = pairs.filter(pl.col("entity_id_a").is_in(keep) & pl.col("entity_id_b").is_in(keep))
    chart = charts.network_chart(nodes, pairs.sort("entity_id_a", "entity_id_b"), params.layout_iterations,
                                 params.max_label_chars)
    rows = (pairs.select("canonical_a", "canonical_b", "n_stories", "n_docs", "n_sentences", pl.col("pmi").round(3))
            .head(params.top_entities).rows())
    return {"chart": Markup(chart), "n_nodes": nodes.height, "n_edges": pairs.height, "rows": rows}


def claims_view(claims: pl.DataFrame, params: Report) -> dict | None:
    if claims.is_empty():
        return None
    top = claims.sort(["n_stories", "n_docs", "claim_id"], descending=[True, True, False]).head(params.top_claims)
    rows = []
    for r in top.iter_rows(named=True):
        more = len(r["doc_ids"]) - MAX_CLAIM_DOC_IDS
        rows.append((r["text"], r["n_stories"], r["n_docs"],
                     ", ".join(r["doc_ids"][:MAX_CLAIM_DOC_IDS]) + (f" … (+{more})" if more > 0 else "")))
    return {"total": claims.height, "rows": rows}


def timeline_view(timeline: pl.DataFrame, params: Report) -> dict | None:
    if timeline.is_empty():
        return None
    ranked = timeline.sort(["n_stories", "n_docs", "date", "event_id"], descending=[True, True, False, False])
    plotted = ranked.head(params.timeline_points).sort("date", "event_id")
    listed = ranked.head(params.timeline_rows).sort("date", "event_id")
    rows = [(r["date"].isoformat() if r["date"] == r["date_end"] else f"{r['date']} – {r['date_end']}",
             r["granularity"], r["date_text"], r["text"], r["n_stories"], r["n_docs"])
            for r in listed.iter_rows(named=True)]
    return {"chart": Markup(charts.timeline_chart(plotted)), "n_plotted": plotted.height,
            "total": timeline.height, "rows": rows}


def _removal_reasons(removed: pl.DataFrame, params: Report) -> dict:
    """Removed lines per reason, with the first distinct examples of each."""
    if removed.is_empty():
        return {"reasons": []}
    reasons = (removed.sort("doc_id", "line_no")
               .with_columns(pl.col("text").str.strip_chars().str.slice(0, 80).alias("example"))
               .group_by("reason", maintain_order=True)
               .agg(pl.len().alias("n"),
                    pl.col("example").filter(pl.col("example") != "").unique(maintain_order=True)
                    .head(params.reason_examples).alias("examples"))
               .sort(["n", "reason"], descending=[True, False]))
    chart = charts.bar_chart(reasons["reason"].to_list(), reasons["n"].to_list(), "Removed lines by reason",
                             "lines", params.max_label_chars, colours=["#8d6e63"] * reasons.height)
    return {"reasons_chart": Markup(chart),
            "reasons": [(reason, n, " | ".join(examples)) for reason, n, examples in reasons.iter_rows()]}


def cleaning_view(removed: pl.DataFrame, boilerplate: pl.DataFrame, rejected: pl.DataFrame,
                  metrics: dict[str, Any], params: Report) -> dict:
    view: dict[str, Any] = {"removed_lines": metrics["cleaning"]["removed_lines"],
                            "raw_lines": metrics["cleaning"]["raw_lines"],
                            "share": metrics["cleaning"]["boilerplate_share"], "n_examples": params.reason_examples,
                            "n_documents": boilerplate.height, "n_rejected": rejected.height,
                            **_removal_reasons(removed, params)}
    if boilerplate.height:
        view["share_chart"] = Markup(charts.histogram_chart(boilerplate["boilerplate_share"].to_list(),
                                                            "Boilerplate share per document",
                                                            "share of non-blank raw lines removed"))
        view["worst"] = (boilerplate.sort(["boilerplate_share", "doc_id"], descending=[True, False])
                         .head(params.top_documents)
                         .select("doc_id", "source_path", "raw_lines", "removed_lines", "boilerplate_share").rows())
    view["rejected"] = rejected.sort("source_path").head(params.max_rejected).select("source_path", "reason").rows()
    return view


# ---------------------------------------------------------------------------------------------------- page

def render_report(*, metrics: dict[str, Any], ingest_docs: pl.DataFrame, rejected: pl.DataFrame,
                  clean_docs: pl.DataFrame, removed: pl.DataFrame, boilerplate: pl.DataFrame,
                  sentences: pl.DataFrame, stories: pl.DataFrame, alignments: pl.DataFrame,
                  claims: pl.DataFrame, entity_stats: pl.DataFrame, cooccurrence: pl.DataFrame,
                  timeline: pl.DataFrame, params: Report, labels: list[str]) -> str:
    """The whole page as a string (pure: no I/O besides reading the templates)."""
    titles = dict(clean_docs.select("doc_id", "title").iter_rows())
    sources = dict(ingest_docs.select("doc_id", "source_path").iter_rows())
    return environment().get_template("report.html.j2").render(
        title=TITLE, nav=NAV, summary=summary_view(metrics),
        stories=stories_view(stories, alignments, sentences, titles, sources, params),
        entities=entities_view(entity_stats, labels, params),
        network=network_view(entity_stats, cooccurrence, params),
        claims=claims_view(claims, params), timeline=timeline_view(timeline, params),
        cleaning=cleaning_view(removed, boilerplate, rejected, metrics, params))
