"""data/aggregate/report.html: one self-contained page a person can open offline.

The page is rendered from the Jinja2 templates in `templates/` with autoescape on, so every piece of text
from the data is escaped, and cut to `aggregate.report.max_field_chars` characters (the template
environment's `finalize`, so no field can be missed; a cut field says how long it was). The only markup
passed through is the charts' SVG (`charts`, drawn by pygal through lxml, which escapes text itself) and the
document index's data, JSON with `<`, `>` and `&` escaped so it cannot close its `<script>` element. Inline
CSS, inline SVG and one inline script (the index's search, filter and sort; the page reads the same without
it): no web font, no external URL, so it renders the same without a network (`dvc plots show` needs a CDN;
this does not).

Sections: this run (the input folder, what changed since the previous run: `changes.py`); corpus summary;
the document index (one row per document: file, site, title, date, story, relation, source); stories with
each copy or rewrite beside its source (aligned sentences highlighted by method, word-level differences
marked with <del>/<ins>, each source sentence shown once); top entities (bar chart); co-occurrence
network; best-corroborated claims; timeline (chart + table); the cleaning audit (removed-line reasons,
boilerplate share). Each section is a plain view (dicts and lists, built here from the tables) that its
template renders. Documents are shown by title, file name and site and link to their index row; every list
is cut to a top-N from params (`aggregate.report`), so a 20,000-document corpus gives a page of bounded size.

Determinism: the same tables give a byte-identical page except for the "This run" block, which reports on
this machine's previous run and sits between RUN_BEGIN and RUN_END (`normalise_run_block` blanks it for
comparisons).
"""
from __future__ import annotations

import bisect
import difflib
import functools
import json
import re
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
from markupsafe import Markup

from schemas.params import Report
from stages.aggregate import charts
from stages.aggregate.changes import Changes
from stages.aggregate.cooccurrence import strongest_pairs
from stages.aggregate.entity_stats import top_entities

TEMPLATES = Path(__file__).resolve().parent / "templates"
TITLE = "newsflow report"
NAV = [("run", "This run"), ("summary", "Summary"), ("documents", "Documents"), ("stories", "Stories"),
       ("related", "Related"), ("entities", "Entities"), ("network", "Network"), ("claims", "Claims"),
       ("timeline", "Timeline"),
       ("cleaning", "Cleaning")]
RELATION_ORDER = {"original": 0, "unique": 0, "near_duplicate": 1, "truncated_copy": 2, "rewrite": 3}
SUMMARY_ORDER = ["documents", "cleaning", "removed_by_reason", "sentences", "entities", "quotes", "stories",
                 "claims", "dates", "tags"]
MAX_CLAIM_DOC_IDS = 5   # documents listed per claim
# The run-specific block (it describes this machine's previous run, not the inputs): the only part of the
# page that may differ between two builds from the same tables.
RUN_BEGIN = "<!-- run:begin (this block describes the run, not the inputs) -->"
RUN_END = "<!-- run:end -->"
# A copy sentence and its source sentence get word-level marks only when at least this share of their words
# match (difflib's ratio): below it, a paraphrase would be all <del> and <ins>, which reads worse than the
# two sentences side by side under the paraphrase colour.
MIN_DIFF_RATIO = 0.5
# A sentence id (evidence columns) and a doc_id inside a metrics string: shown as their sentence / file name.
SENT_ID = re.compile(r"^[0-9a-f]{16}:\d+:\d+$")
DOC_ID_WORD = re.compile(r"\b[0-9a-f]{16}\b")
# Paths, sites and story labels in the index and in document links are shorter than other fields.
MAX_LABEL_FIELD = 160


def fmt_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".") if value != int(value) else f"{int(value):,}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def clip(value: str, limit: int) -> str:
    """`value` cut to `limit` characters, saying so (a 3 MB title must not make a 3 MB cell)."""
    if len(value) <= limit:
        return value
    # The note fits inside the limit, so text cut once is never cut again (the page's `finalize` cuts too).
    note = f"… [cut: {len(value):,} characters]"
    return value[:max(1, limit - len(note))] + note


def _finalize(limit: int, value: Any) -> Any:
    # Markup (the charts' SVG, the index's JSON) is built here and bounded by the params; every other string
    # printed comes from the data.
    if isinstance(value, str) and not isinstance(value, Markup):
        return clip(value, limit)
    return value


@functools.lru_cache(maxsize=4)
def environment(max_field_chars: int = 600) -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, finalize=functools.partial(_finalize, max_field_chars))
    env.filters.update(number=fmt_number, text=_text)
    return env


def script_json(value: Any) -> Markup:
    """JSON safe inside <script type="application/json">: `<`, `>` and `&` escaped, so no `</script>`."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
                  .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def normalise_run_block(page: str) -> str:
    """The page with its run-specific block emptied: equal for two builds from the same tables."""
    start, end = page.find(RUN_BEGIN), page.find(RUN_END)
    if start < 0 or end < start:
        return page
    return page[:start + len(RUN_BEGIN)] + page[end:]


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

    Each source sentence is shown once: a sentence shown beside a moved copy sentence is not repeated in
    source order, and a moved copy sentence whose source sentence is shown elsewhere (on the backbone, or
    beside an earlier moved sentence) stands alone on the right, still marked moved and by method.
    """
    position = {sent_id: i for i, (sent_id, _) in enumerate(source)}
    targets = [(i, position[aligned[sent_id][0]]) for i, (sent_id, _) in enumerate(copy)
               if sent_id in aligned and aligned[sent_id][0] in position]
    backbone = {targets[k][0] for k in increasing_backbone([t for _, t in targets])}
    target_of = dict(targets)
    on_backbone = {target_of[i] for i in backbone}
    shown: set[int] = set()
    rows: list[tuple[str | None, str | None, str | None, bool]] = []
    next_source = 0

    def left_only_until(stop: int) -> None:
        nonlocal next_source
        for k in range(next_source, stop):
            if k not in shown:
                rows.append((source[k][1], None, None, False))
        next_source = max(next_source, stop)

    for i, (sent_id, text) in enumerate(copy):
        if i not in target_of:
            rows.append((None, text, None, False))
            continue
        target, method = target_of[i], aligned[sent_id][1]
        if i not in backbone:
            free = target not in on_backbone and target not in shown and target >= next_source
            rows.append((source[target][1] if free else None, text, method, True))
            shown.add(target)
            continue
        left_only_until(target)
        rows.append((source[target][1], text, method, False))
        shown.add(target)
        next_source = target + 1
    left_only_until(len(source))
    return rows


Segments = list[tuple[str, str]]   # (mark, words): mark "" (same), "del" (source only) or "ins" (copy only)


def word_diff(source: str, copy: str) -> tuple[Segments, Segments]:
    """Word-level differences (difflib on whitespace-separated words): the source's words with those the
    copy lacks marked `del`, the copy's with those the source lacks marked `ins`."""
    a, b = source.split(), copy.split()
    left: Segments = []
    right: Segments = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(("", " ".join(a[i1:i2])))
            right.append(("", " ".join(b[j1:j2])))
            continue
        if i2 > i1:
            left.append(("del", " ".join(a[i1:i2])))
        if j2 > j1:
            right.append(("ins", " ".join(b[j1:j2])))
    return left, right


def _cells(left: str | None, right: str | None, limit: int) -> tuple[Segments, Segments]:
    # Cut before comparing: difflib is quadratic in the worst case, and the cut text is what is shown.
    left = None if left is None else clip(left, limit)
    right = None if right is None else clip(right, limit)
    plain = ([("", left)] if left is not None else [], [("", right)] if right is not None else [])
    if left is None or right is None or left == right:
        return plain
    if difflib.SequenceMatcher(None, left.split(), right.split(), autojunk=False).ratio() < MIN_DIFF_RATIO:
        return plain
    return word_diff(left, right)


def _comparison_view(rows: list[tuple[str | None, str | None, str | None, bool]], max_rows: int,
                     limit: int) -> dict:
    """The first `max_rows` rows with each row's class (`m-<method>`, `moved`), title and word-level
    differences, and how many more."""
    shown = []
    for left, right, method, moved in rows[:max_rows]:
        classes = ([f"m-{method}"] if method else []) + (["moved"] if moved else [])
        shown.append((*_cells(left, right, limit), " ".join(classes), method))
    return {"rows": shown, "more": len(rows) - max_rows}


def sentences_by_doc(sentences: pl.DataFrame, doc_ids: list[str]) -> dict[str, list[tuple[str, str]]]:
    wanted = (sentences.filter(pl.col("doc_id").is_in(doc_ids))
              .sort("doc_id", "paragraph", "index"))
    grouped: dict[str, list[tuple[str, str]]] = {d: [] for d in doc_ids}
    for doc_id, sent_id, text in wanted.select("doc_id", "sent_id", "text").iter_rows():
        grouped[doc_id].append((sent_id, text))
    return grouped


# --------------------------------------------------------------------------------------------- documents

class Documents:
    """How the page names a document: its title (or file name), file name and site, linked to its row in
    the document index when it has one; never a bare doc_id."""

    def __init__(self, ingest_docs: pl.DataFrame, clean_docs: pl.DataFrame, stories: pl.DataFrame):
        self.paths: dict[str, str] = dict(ingest_docs.select("doc_id", "source_path").iter_rows())
        meta = clean_docs.select("doc_id", "title",
                                 (pl.col("site") if "site" in clean_docs.columns else pl.lit(None, pl.String))
                                 .alias("site"), "published_date")
        self.titles: dict[str, str | None] = {}
        self.sites: dict[str, str | None] = {}
        self.dates: dict[str, str] = {}
        for doc_id, title, site, date in meta.iter_rows():
            self.titles[doc_id], self.sites[doc_id] = title, site
            self.dates[doc_id] = date.isoformat() if date is not None else ""
        self.story_of: dict[str, str] = dict(stories.select("doc_id", "story_id").iter_rows())
        self.indexed: set[str] = set()      # doc_ids with a row in the index (filled by index_view)
        self.stories_shown: set[str] = set()  # story ids with a section (filled by stories_view)

    def title(self, doc_id: str) -> str:
        return self.titles.get(doc_id) or self.paths.get(doc_id) or "(untitled document)"

    def ref(self, doc_id: str | None) -> dict | None:
        """{label, detail, anchor}: the title, "file · site", and the index row's id (None if not indexed)."""
        if doc_id is None:
            return None
        detail = " · ".join(part for part in (self.paths.get(doc_id), self.sites.get(doc_id)) if part)
        return {"label": clip(self.title(doc_id), MAX_LABEL_FIELD), "detail": clip(detail, MAX_LABEL_FIELD),
                "anchor": f"doc-{doc_id}" if doc_id in self.indexed else None}


def _story_labels(stories: pl.DataFrame, docs: Documents) -> dict[str, str]:
    """A story's name: the title of its first document (original first), and its size."""
    first = (stories.with_columns(pl.col("relation").replace_strict(RELATION_ORDER, default=9,
                                                                    return_dtype=pl.Int64).alias("order"))
             .sort("story_id", "order", "doc_id").group_by("story_id", maintain_order=True)
             .agg(pl.col("doc_id").first(), pl.len().alias("size")))
    return {story_id: clip(docs.title(doc_id), MAX_LABEL_FIELD) + (f" ({size} documents)" if size > 1 else "")
            for story_id, doc_id, size in first.iter_rows()}


def _index_members(stories: pl.DataFrame, docs: Documents, first: list[str], limit: int) -> list[str]:
    """The documents the index lists: those of the stories shown first, then the others by path, `limit` in
    all (a link from a shown story always has a row to go to)."""
    chosen = list(dict.fromkeys(first))[:limit]
    taken = set(chosen)
    rest = sorted((d for d in stories["doc_id"].to_list() if d not in taken),
                  key=lambda d: (docs.paths.get(d, ""), d))
    return chosen + rest[:max(0, limit - len(chosen))]


def index_view(stories: pl.DataFrame, docs: Documents, first: list[str], params: Report) -> dict | None:
    """The document index: one row per document (up to `max_index_rows`), sorted by file name, with the
    same rows as JSON for the page's search, filter and sort."""
    if stories.is_empty():
        return None
    labels = _story_labels(stories, docs)
    members = set(_index_members(stories, docs, first, params.max_index_rows))
    docs.indexed.update(members)
    extra = [c for c in ("confidence",) if c in stories.columns]
    listed = stories.filter(pl.col("doc_id").is_in(sorted(members)))
    rows = []
    for r in listed.iter_rows(named=True):
        doc_id = r["doc_id"]
        source = docs.ref(r["source_doc_id"])
        rows.append({"id": f"doc-{doc_id}", "path": clip(docs.paths.get(doc_id, ""), MAX_LABEL_FIELD),
                     "site": clip(docs.sites.get(doc_id) or "", MAX_LABEL_FIELD),
                     "title": clip(docs.titles.get(doc_id) or "", params.max_field_chars),
                     "date": docs.dates.get(doc_id, ""), "story_id": r["story_id"],
                     "story": labels[r["story_id"]], "relation": r["relation"], "source": source,
                     "story_anchor": f"story-{r['story_id']}" if r["story_id"] in docs.stories_shown else None,
                     "extra": [round(r[c], 3) if isinstance(r[c], float) else r[c] for c in extra]})
    rows.sort(key=lambda row: (row["path"], row["id"]))
    sizes = listed.group_by("story_id").len()
    multi = sorted(sizes.filter(pl.col("len") > 1)["story_id"].to_list(), key=lambda s: (labels[s], s))
    data = {"columns": ["file", "site", "title", "date", "story", "relation", "source", *extra],
            "rows": [[row["path"], row["site"], row["title"], row["date"], row["story"], row["relation"],
                      row["source"]["detail"] if row["source"] else "", *row["extra"], row["story_id"]]
                     for row in rows],
            "stories": [[story_id, labels[story_id]] for story_id in multi]}
    return {"rows": rows, "extra": extra, "total": stories.height, "data": script_json(data),
            "sites": sorted({row["site"] for row in rows if row["site"]}),
            "relations": sorted({row["relation"] for row in rows})}


# ------------------------------------------------------------------------------------------------ sections

def _named_documents(value: Any, docs: Documents) -> Any:
    """metrics.json's `faults.doc_ids` ("id id (+N more)") with each id as its file name."""
    if not isinstance(value, str):
        return value
    return DOC_ID_WORD.sub(lambda m: docs.paths.get(m.group(0), m.group(0)), value)


def summary_view(metrics: dict[str, Any], docs: Documents) -> list[tuple[str, list[tuple[str | None, Any]]]]:
    """One card per metrics group (title, rows of label and value); a plain number is one unlabelled row."""
    cards = []
    known = [k for k in SUMMARY_ORDER if k in metrics]
    for key in known + sorted(k for k in metrics if k not in SUMMARY_ORDER):
        value = metrics[key]
        rows = ([(name.replace("_", " ") if name != "doc_ids" else "documents named",
                  _named_documents(v, docs) if name == "doc_ids" else v) for name, v in value.items()]
                if isinstance(value, dict) else [(None, value)])
        cards.append((key.replace("_", " "), rows))
    return cards


def run_view(run: dict[str, Any] | None, docs: Documents, stories: pl.DataFrame, params: Report) -> dict:
    """This run: the input folder, files/documents/rejected, and what changed since the previous run.
    `run` is {"input_dir", "counts", "changes"} (None: not known, as when rendering outside the stage)."""
    if run is None:
        return {"known": False}
    changes: Changes = run["changes"]
    sizes = dict(stories.group_by("story_id").len().iter_rows())
    labels = _story_labels(stories, docs) if not stories.is_empty() else {}
    paths = {path: doc_id for doc_id, path in docs.paths.items()}
    n = params.top_documents

    def path_ref(path: str) -> dict:
        doc_id = paths.get(path)
        ref = docs.ref(doc_id) if doc_id else None
        return {"path": path, "anchor": ref["anchor"] if ref else None}

    def story_ref(story_id: str) -> dict:
        return {"label": labels.get(story_id, story_id), "size": sizes.get(story_id, 0),
                "anchor": f"story-{story_id}" if story_id in docs.stories_shown else None}

    return {"known": True, "input_dir": run["input_dir"], "built_at": run.get("built_at"), "counts": run["counts"],
            "first_run": changes.first_run,
            "line": changes.line(), "nothing": changes.nothing, "limit": n,
            "added": [path_ref(p) for p in changes.added[:n]], "n_added": len(changes.added),
            "removed": changes.removed[:n], "n_removed": len(changes.removed),
            "changed": [(path_ref(p), why) for p, why in changes.changed[:n]], "n_changed": len(changes.changed),
            "new_stories": [story_ref(s) for s in changes.new_stories[:n]], "n_new": len(changes.new_stories),
            "grown": [(story_ref(s), k) for s, k in changes.grown_stories[:n]],
            "n_grown": len(changes.grown_stories)}


def _story_documents(members: pl.DataFrame, alignments: pl.DataFrame,
                     sentences: pl.DataFrame) -> tuple[dict, dict]:
    """(sentences by document, alignments by document) of the documents a stories view shows."""
    needed = sorted(set(members["doc_id"].to_list()) | set(members["source_doc_id"].drop_nulls().to_list()))
    aligned_rows = alignments.filter(pl.col("doc_id").is_in(needed)).sort("doc_id", "sent_id", "similarity",
                                                                          descending=[False, False, True])
    aligned: dict[str, dict[str, tuple[str, str]]] = {}
    for doc_id, sent_id, source_sent_id, method in aligned_rows.select(
            "doc_id", "sent_id", "source_sent_id", "method").iter_rows():
        aligned.setdefault(doc_id, {}).setdefault(sent_id, (source_sent_id, method))
    return sentences_by_doc(sentences, needed), aligned


def _extra_columns(stories: pl.DataFrame) -> list[str]:
    """Columns another version of the story search may add (a relation's confidence and its evidence)."""
    return [c for c in stories.columns if c == "confidence" or c.startswith("evidence")]




def _shown_value(value: Any, sentence_of: dict[str, str]) -> Any:
    """A value of an extra column as shown: floats rounded, lists joined, sentence ids (evidence) replaced by
    their sentences in quotes (a reader never sees a bare id)."""
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, list):
        return " | ".join(str(_shown_value(v, sentence_of)) for v in value)
    if isinstance(value, str) and SENT_ID.match(value):
        return f"“{sentence_of[value]}”" if value in sentence_of else "(a sentence not shown)"
    return value


def _story_view(rows: pl.DataFrame, docs: Documents, texts: tuple[dict, dict], is_first: bool,
                params: Report) -> dict:
    """One story: its documents, and its first copies each beside its source."""
    text_of, aligned = texts
    first = rows.row(0, named=True)
    extra = _extra_columns(rows)
    sentence_of = ({sent_id: text for doc_id in rows["doc_id"].to_list() + rows["source_doc_id"].drop_nulls().to_list()
                    for sent_id, text in text_of.get(doc_id, [])} if extra else {})
    table = [{"doc": docs.ref(r["doc_id"]), "relation": r["relation"], "source": docs.ref(r["source_doc_id"]),
              "numbers": [round(r["similarity"], 3), round(r["aligned_share"], 3)],
              "extra": [_shown_value(r[c], sentence_of) for c in extra]} for r in rows.iter_rows(named=True)]
    copies = rows.filter(pl.col("source_doc_id").is_not_null())
    pairs = []
    for r in copies.head(params.max_pairs_per_story).iter_rows(named=True):
        compared = pair_rows(text_of.get(r["source_doc_id"], []), text_of.get(r["doc_id"], []),
                             aligned.get(r["doc_id"], {}))
        pairs.append({"relation": r["relation"], "doc": docs.ref(r["doc_id"]), "source": docs.ref(r["source_doc_id"]),
                      **_comparison_view(compared, params.max_pair_sentences, params.max_field_chars)})
    # The first story unfolded, the others one click away.
    return {"title": docs.title(first["doc_id"]), "n_docs": rows.height, "story_id": first["story_id"],
            "rows": table, "extra": [c.replace("_", " ") for c in extra], "pairs": pairs, "open": is_first,
            "hidden": copies.height - params.max_pairs_per_story}


def shown_stories(stories: pl.DataFrame, params: Report) -> tuple[pl.DataFrame, list[str]]:
    """(documents per story, sorted by size), and the ids of the `top_stories` largest."""
    sizes = (stories.group_by("story_id").agg(pl.len().alias("size"))
             .sort(["size", "story_id"], descending=[True, False]))
    return sizes, sizes.head(params.top_stories)["story_id"].to_list()


def stories_view(stories: pl.DataFrame, alignments: pl.DataFrame, sentences: pl.DataFrame, docs: Documents,
                 params: Report) -> dict | None:
    if stories.is_empty():
        return None
    sizes, shown = shown_stories(stories, params)
    docs.stories_shown.update(shown)
    members = (stories.filter(pl.col("story_id").is_in(shown))
               .with_columns(pl.col("relation").replace_strict(RELATION_ORDER, default=9,
                                                               return_dtype=pl.Int64).alias("order"))
               .sort("story_id", "order", "doc_id"))
    texts = _story_documents(members, alignments, sentences)
    distribution = sizes.group_by("size").agg(pl.len().alias("stories")).sort("size")
    chart = charts.story_size_chart(distribution["size"].to_list(), distribution["stories"].to_list())
    return {"n_stories": len(sizes), "n_multi": int((sizes["size"] > 1).sum()), "chart": Markup(chart),
            "shown": [_story_view(members.filter(pl.col("story_id") == story_id), docs, texts, rank == 0, params)
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
                                     for label in sorted(set(present))], name="entities")
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


def claims_view(claims: pl.DataFrame, docs: Documents, params: Report) -> dict | None:
    if claims.is_empty():
        return None
    top = claims.sort(["n_stories", "n_docs", "claim_id"], descending=[True, True, False]).head(params.top_claims)
    rows = []
    for r in top.iter_rows(named=True):
        rows.append({"text": r["text"], "n_stories": r["n_stories"], "n_docs": r["n_docs"],
                     "docs": [docs.ref(d) for d in r["doc_ids"][:MAX_CLAIM_DOC_IDS]],
                     "more": len(r["doc_ids"]) - MAX_CLAIM_DOC_IDS})
    return {"total": claims.height, "rows": rows}


def related_view(related: pl.DataFrame | None, docs: Documents, params: Report) -> dict | None:
    """The best-scored pairs of stories covering one event independently, with what they share."""
    if related is None or related.is_empty():
        return None
    top = related.sort(["score", "story_id_a", "story_id_b"], descending=[True, False, False]).head(params.top_related)
    rows = [{"a": docs.ref(r["doc_id_a"]), "b": docs.ref(r["doc_id_b"]), "score": r["score"],
             "entities": ", ".join(r["shared_entities"]), "days": ", ".join(r["shared_days"]),
             "figures": ", ".join(r["shared_figures"])} for r in top.iter_rows(named=True)]
    return {"total": related.height, "rows": rows}


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
                             "lines", params.max_label_chars, colours=["#8d6e63"] * reasons.height,
                             name="removed-reasons")
    return {"reasons_chart": Markup(chart),
            "reasons": [(reason, n, " | ".join(examples)) for reason, n, examples in reasons.iter_rows()]}


def cleaning_view(removed: pl.DataFrame, boilerplate: pl.DataFrame, rejected: pl.DataFrame,
                  metrics: dict[str, Any], docs: Documents, params: Report) -> dict:
    view: dict[str, Any] = {"removed_lines": metrics["cleaning"]["removed_lines"],
                            "raw_lines": metrics["cleaning"]["raw_lines"],
                            "share": metrics["cleaning"]["boilerplate_share"], "n_examples": params.reason_examples,
                            "n_documents": boilerplate.height, "n_rejected": rejected.height,
                            **_removal_reasons(removed, params)}
    if boilerplate.height:
        view["share_chart"] = Markup(charts.histogram_chart(boilerplate["boilerplate_share"].to_list(),
                                                            "Boilerplate share per document",
                                                            "share of non-blank raw lines removed",
                                                            name="boilerplate-share"))
        worst = (boilerplate.sort(["boilerplate_share", "doc_id"], descending=[True, False])
                 .head(params.top_documents)
                 .select("doc_id", "raw_lines", "removed_lines", "boilerplate_share").rows())
        view["worst"] = [(docs.ref(doc_id), *numbers) for doc_id, *numbers in worst]
    view["rejected"] = rejected.sort("source_path").head(params.max_rejected).select("source_path", "reason").rows()
    return view


# ---------------------------------------------------------------------------------------------------- page

def render_report(*, metrics: dict[str, Any], ingest_docs: pl.DataFrame, rejected: pl.DataFrame,
                  clean_docs: pl.DataFrame, removed: pl.DataFrame, boilerplate: pl.DataFrame,
                  sentences: pl.DataFrame, stories: pl.DataFrame, alignments: pl.DataFrame,
                  claims: pl.DataFrame, entity_stats: pl.DataFrame, cooccurrence: pl.DataFrame,
                  timeline: pl.DataFrame, params: Report, labels: list[str],
                  run: dict[str, Any] | None = None, related: pl.DataFrame | None = None) -> str:
    """The whole page as a string (pure: no I/O besides reading the templates). `run` describes this run
    (input folder, counts, `Changes`); it fills the run-specific block only."""
    docs = Documents(ingest_docs, clean_docs, stories)
    _, shown = shown_stories(stories, params)
    first = stories.filter(pl.col("story_id").is_in(shown)).sort("story_id", "doc_id")["doc_id"].to_list()
    first += stories.filter(pl.col("source_doc_id").is_not_null() & pl.col("story_id").is_in(shown))[
        "source_doc_id"].to_list()
    # The index decides which documents have a row (links go there), so it is built first.
    docs.stories_shown.update(shown)
    index = index_view(stories, docs, first, params)
    story_section = stories_view(stories, alignments, sentences, docs, params)
    return environment(params.max_field_chars).get_template("report.html.j2").render(
        title=TITLE, nav=NAV, run_begin=Markup(RUN_BEGIN), run_end=Markup(RUN_END),
        run=run_view(run, docs, stories, params), summary=summary_view(metrics, docs), index=index,
        stories=story_section, related=related_view(related, docs, params),
        entities=entities_view(entity_stats, labels, params),
        network=network_view(entity_stats, cooccurrence, params),
        claims=claims_view(claims, docs, params), timeline=timeline_view(timeline, params),
        cleaning=cleaning_view(removed, boilerplate, rejected, metrics, docs, params))
