"""Follow one document through every stage: `python -m stages.inspect DOC [--data DIR]`.

DOC is a doc_id, a source path (as ingest recorded it, or any path ending in it: `seeds/002_x.txt`,
`002_x.txt`, `./seeds/002_x.txt`), or a unique prefix of a doc_id, a source path or a file name (`cdaa2d`,
`seeds/002`, `002_`). The journey is read from the Parquet tables
under DIR (default `data`) only, never by importing or rerunning a stage, so it shows exactly what the
pipeline wrote: the ingest row (source, format, encoding, bytes), every raw line and whether it was kept
(title, subtitle, body) or removed and why, the metadata the clean stage found, the sentences, entities,
quotes and dates, and the document's story (relation and source). A table that is not built yet is
named and skipped. An input ingest rejected shows its reason.

Exit status: 0 shown, 2 no document matches or several do (the candidates are listed).
"""
from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from typing import Any

import polars as pl

MAX_CANDIDATES = 20


class Lookup(Exception):
    """DOC matched no document or several: the message lists candidates."""


def read(data: Path, table: str) -> pl.DataFrame | None:
    """A table by its name under data/ (`clean/documents`), or None when it is not built yet."""
    path = data / f"{table}.parquet"
    return pl.read_parquet(path) if path.is_file() else None


def short(text: Any, width: int) -> str:
    text = "" if text is None else " ".join(str(text).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def _normal_path(value: str) -> str:
    path = value.replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def resolve(query: str, documents: pl.DataFrame, rejected: pl.DataFrame | None) -> tuple[str | None, str | None]:
    """(doc_id, None) for a document, (None, reason) for a rejected input; raise Lookup otherwise.

    In this order: a doc_id; a source path (or a path ending in one); a rejected input's path; a unique
    prefix of a doc_id, a source path or a file name."""
    ids = documents["doc_id"].to_list()
    paths = documents["source_path"].to_list() if "source_path" in documents.columns else [None] * len(ids)
    wanted = _normal_path(query.strip())
    if wanted in ids:
        return wanted, None
    absolute = Path(query).resolve().as_posix()
    by_path = sorted({d for d, p in zip(ids, paths) if p and _names_path(p, wanted, absolute)})
    if len(by_path) == 1:
        return by_path[0], None
    if not by_path:
        reason = _rejected_reason(rejected, wanted, absolute)
        if reason is not None:
            return None, reason
    matches = by_path or _by_prefix(ids, paths, wanted)
    if len(matches) == 1:
        return matches[0], None
    raise _no_single_match(query, wanted, matches, dict(zip(ids, paths)))


def _names_path(path: str, wanted: str, absolute: str) -> bool:
    """Does the query (`wanted` as typed, `absolute` resolved) name the source path `path`?"""
    return (path == wanted or wanted.endswith("/" + path) or path.endswith("/" + wanted)
            or absolute.endswith("/" + path))


def _rejected_reason(rejected: pl.DataFrame | None, wanted: str, absolute: str) -> str | None:
    """Why ingest rejected the input the query names, or None when it names no rejected input."""
    if rejected is None or not rejected.height:
        return None
    for path, reason in rejected.select("source_path", "reason").iter_rows():
        if path == wanted or path.endswith("/" + wanted) or absolute.endswith("/" + path):
            return f"{path}: rejected by ingest: {reason}"
    return None


def _by_prefix(ids: list[str], paths: list[str | None], wanted: str) -> list[str]:
    """Documents whose doc_id, source path or file name starts with the query ("seeds/001", "001_ca3")."""
    if not wanted:
        return []
    return sorted({d for d, p in zip(ids, paths) if d.startswith(wanted.lower()) or (
        p and (p.startswith(wanted) or p.rsplit("/", 1)[-1].startswith(wanted)))})


def _no_single_match(query: str, wanted: str, matches: list[str], where: dict[str, str | None]) -> Lookup:
    """The error for a query that matches several documents (listed) or none (the closest named)."""
    if matches:
        listed = [f"  {d}  {where.get(d) or ''}" for d in matches[:MAX_CANDIDATES]]
        more = f"\n  … and {len(matches) - MAX_CANDIDATES} more" if len(matches) > MAX_CANDIDATES else ""
        return Lookup(f"'{query}' is ambiguous: {len(matches)} documents match:\n" + "\n".join(listed) + more)
    close = difflib.get_close_matches(wanted, [p for p in where.values() if p] + list(where), n=8, cutoff=0.5)
    if close:
        hint = "\nclosest:\n" + "\n".join(f"  {c}" for c in close)
    elif where:
        hint = "\nsome documents:\n" + "\n".join(f"  {d}  {where.get(d) or ''}" for d in sorted(where)[:8])
    else:
        hint = ""
    return Lookup(f"no document matches '{query}' (a doc_id, a source path, or a unique prefix of either)" + hint)


def rows_of(frame: pl.DataFrame | None, doc_id: str, sort: list[str]) -> pl.DataFrame | None:
    if frame is None:
        return None
    part = frame.filter(pl.col("doc_id") == doc_id)
    sort = [c for c in sort if c in part.columns]
    return part.sort(sort) if sort else part


def missing(table: str) -> str:
    return f"  ({table}.parquet is not built yet)"


def ingest_part(row: dict[str, Any]) -> list[str]:
    raw = row.get("raw_text") or ""
    lines = raw.split("\n")
    out = [f"ingest: {row.get('source_path')}  format {row.get('source_format')}, encoding {row.get('encoding')}, "
           f"{row.get('n_bytes'):,} bytes, {len(lines)} lines ({sum(1 for line in lines if line.strip())} non-blank)"]
    meta = {k[5:]: row[k] for k in sorted(row) if k.startswith("meta_") and row[k] not in (None, [], "")}
    if meta:
        out.append("  source metadata: " + "; ".join(f"{k}={short(v, 80)}" for k, v in meta.items()))
    return out


def lines_part(raw_text: str, clean: dict[str, Any] | None, removed: pl.DataFrame | None, width: int,
               max_lines: int) -> list[str]:
    """Every non-blank raw line: what it became (title, subtitle, body) or why it was removed."""
    fate: dict[int, str] = {}
    if clean:
        for n in clean.get("body_line_nos") or []:
            fate[int(n)] = "body"
        for key in ("title", "subtitle"):
            if clean.get(f"{key}_line_no") is not None:
                fate[int(clean[f"{key}_line_no"])] = key
    reasons: dict[int, str] = {}
    if removed is not None:
        reasons = {int(n): str(r) for n, r in removed.select("line_no", "reason").iter_rows()}
    lines = raw_text.split("\n")
    counts: dict[str, int] = {}
    shown: list[str] = []
    for number, text in enumerate(lines, start=1):
        if not text.strip():
            continue
        if number in reasons:
            status = f"removed: {reasons[number]}"
            counts[reasons[number]] = counts.get(reasons[number], 0) + 1
        elif number in fate:
            status = f"kept: {fate[number]}"
            counts[fate[number]] = counts.get(fate[number], 0) + 1
        else:
            status = "kept" if not clean or not clean.get("body_line_nos") else "?"
        shown.append(f"  {number:>5} {status:<28} | {short(text, width)}")
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    out = [f"raw lines ({summary or 'no audit rows'}):"] + shown[:max_lines]
    if len(shown) > max_lines:
        out.append(f"  … {len(shown) - max_lines} more lines (--max-lines)")
    return out


def clean_part(clean: dict[str, Any] | None) -> list[str]:
    if clean is None:
        return ["clean:", missing("clean/documents")]
    text = clean.get("text") or ""
    out = [f"clean: language {clean.get('language')}, truncated {'yes' if clean.get('is_truncated') else 'no'}, "
           f"{len(text):,} characters in {len([p for p in text.split(chr(10) * 2) if p.strip()])} paragraphs"]
    for key in ("title", "subtitle", "authors", "published_date", "site"):
        value = clean.get(key)
        if isinstance(value, list):
            value = ", ".join(value) if value else None
        out.append(f"  {key:<15} {value if value is not None else '—'}")
    return out


def sentences_part(sentences: pl.DataFrame | None, width: int, max_rows: int) -> list[str]:
    if sentences is None:
        return ["segment:", missing("segment/sentences")]
    out = [f"segment: {sentences.height} sentences in {sentences['paragraph'].n_unique() if sentences.height else 0} "
           "paragraphs"]
    for sent_id, start, end, text in sentences.select("sent_id", "start", "end", "text").head(max_rows).iter_rows():
        out.append(f"  {sent_id.split(':', 1)[1]:>7} [{start}:{end}] {short(text, width)}")
    if sentences.height > max_rows:
        out.append(f"  … {sentences.height - max_rows} more sentences (--max-lines)")
    return out


def entities_part(entities: pl.DataFrame | None, width: int) -> list[str]:
    if entities is None:
        return ["entities:", missing("tag/entities")]
    grouped = (entities.group_by("canonical", "label")
               .agg(pl.len().alias("n"), pl.col("text").unique().sort().alias("as_written"))
               .sort(["n", "canonical", "label"], descending=[True, False, False]))
    out = [f"entities: {entities.height} mentions of {grouped.height} entities"]
    for canonical, label, n, written in grouped.iter_rows():
        variants = [w for w in written if w != canonical]
        also = f"  (as {short(', '.join(variants), width)})" if variants else ""
        out.append(f"  {n:>3} × {short(canonical, 40)} [{label}]{also}")
    return out


def quotes_part(quotes: pl.DataFrame | None, width: int) -> list[str]:
    if quotes is None:
        return ["quotes:", missing("tag/quotes")]
    out = [f"quotes: {quotes.height}"]
    for row in quotes.iter_rows(named=True):
        who = row.get("speaker") or "unattributed"
        verb = f" ({row['verb']})" if row.get("verb") else ""
        kind = f" [{row['kind']}]" if row.get("kind") else ""
        out.append(f"  “{short(row['quote'], width)}” — {who}{verb}{kind}")
    return out


def dates_part(dates: pl.DataFrame | None) -> list[str]:
    if dates is None:
        return ["dates:", missing("tag/dates")]
    out = [f"dates: {dates.height}"]
    for row in dates.iter_rows(named=True):
        if row.get("date") is None:
            out.append(f"  {short(row['text'], 40)!r}: unresolved")
            continue
        period = str(row["date"]) if row.get("date_end") in (None, row["date"]) else f"{row['date']}..{row['date_end']}"
        out.append(f"  {short(row['text'], 40)!r} -> {period} ({row.get('granularity')})")
    return out


def story_part(doc_id: str, stories: pl.DataFrame | None, alignments: pl.DataFrame | None) -> list[str]:
    if stories is None:
        return ["story:", missing("aggregate/stories")]
    mine = stories.filter(pl.col("doc_id") == doc_id)
    if mine.is_empty():
        return ["story: this document has no row in aggregate/stories"]
    row = mine.row(0, named=True)
    source = f" of {row['source_doc_id']}" if row.get("source_doc_id") else ""
    out = [f"story: {row['story_id']}  relation {row['relation']}{source}, similarity {row['similarity']:.3f}"]
    if alignments is not None and "doc_id" in alignments.columns:
        mine_aligned = alignments.filter(pl.col("doc_id") == doc_id)
        if mine_aligned.height:
            by_method = ", ".join(f"{m} {n}" for m, n in
                                  mine_aligned.group_by("method").len().sort("method").iter_rows())
            out.append(f"  {mine_aligned.height} sentences aligned to the source ({by_method})")
    members = stories.filter(pl.col("story_id") == row["story_id"]).sort("doc_id")
    for other in members.iter_rows(named=True):
        if other["doc_id"] != doc_id:
            src = f" of {other['source_doc_id']}" if other.get("source_doc_id") else ""
            out.append(f"  also in this story: {other['doc_id']} {other['relation']}{src}")
    return out


def journey(query: str, data: Path, width: int = 100, max_lines: int = 400) -> str:
    """The whole report as text; raise Lookup when `query` names no document or several."""
    documents = read(data, "ingest/documents")
    clean_docs = read(data, "clean/documents")
    if documents is None and clean_docs is None:
        raise Lookup(f"no documents under {data}/: build the pipeline first (make run)")
    doc_id, rejected_reason = resolve(query, documents if documents is not None else clean_docs,
                                      read(data, "ingest/rejected"))
    if rejected_reason:
        return rejected_reason
    assert doc_id is not None
    out: list[str] = [f"== document {doc_id}"]
    ingest_row = documents.filter(pl.col("doc_id") == doc_id).row(0, named=True) \
        if documents is not None and doc_id in documents["doc_id"] else None
    clean_row = clean_docs.filter(pl.col("doc_id") == doc_id).row(0, named=True) \
        if clean_docs is not None and doc_id in clean_docs["doc_id"] else None
    out += ingest_part(ingest_row) if ingest_row else ["ingest:", missing("ingest/documents")]
    out += clean_part(clean_row)
    if ingest_row:
        out += lines_part(ingest_row.get("raw_text") or "", clean_row,
                          rows_of(read(data, "clean/removed"), doc_id, ["line_no"]), width, max_lines)
    out += sentences_part(rows_of(read(data, "segment/sentences"), doc_id, ["paragraph", "index"]), width, max_lines)
    out += entities_part(rows_of(read(data, "tag/entities"), doc_id, ["start", "end"]), width)
    out += quotes_part(rows_of(read(data, "tag/quotes"), doc_id, ["start", "end"]), width)
    out += dates_part(rows_of(read(data, "tag/dates"), doc_id, ["start", "end"]))
    out += story_part(doc_id, read(data, "aggregate/stories"), read(data, "aggregate/alignments"))
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stages.inspect",
                                     description="Show one document's journey through every stage.")
    parser.add_argument("doc", help="doc_id, unique doc_id prefix, or source path")
    parser.add_argument("--data", type=Path, default=Path("data"), help="folder of stage outputs (default: data)")
    parser.add_argument("--width", type=int, default=100, help="characters of text shown per line")
    parser.add_argument("--max-lines", type=int, default=400, help="raw lines / sentences shown at most")
    args = parser.parse_args(argv)
    try:
        print(journey(args.doc, args.data, args.width, args.max_lines))
    except Lookup as err:
        print(f"inspect: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
