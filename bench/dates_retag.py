"""Fast loop for the dates grammar: re-tag a built TimeBank/AQUAINT `data/` with the current code (or another
copy of the code, the baseline) and score it whole and on two halves split by document; dump every error.

    python bench/dates_retag.py DATA [--baseline-code DIR] [--dump FILE] [--dump-half look|held_out|all]
                                [--decompose look|held_out|all]

DATA is the `data/` of a project copy that `bench/dates.py --keep` built (ingest, clean and segment are read,
never rebuilt: they do not depend on the dates code). `stages.tag.dates.extract_dates` runs in a subprocess
whose working folder is the code's root (its params.yaml's `tag.dates`), so the baseline is a checkout of
other code (`git worktree add /tmp/base main`, or `git archive`) scored in the same run by the same score.py.

Halves: the gold article ids, sorted, shuffled with random.Random(18) and cut in two: `look` (the errors one
reads to write rules) and `held_out` (never looked at; the figure to trust). Each figure is printed for all
256 articles, for `look` and for `held_out`, ours beside the baseline.

The dump (all TIMEX3 types, not only DATE as score.py's failure examples): per article of the chosen half,
each miss (gold with no overlapping prediction), false alarm (prediction overlapping no gold) and value error
(gold value != predicted value on a matched pair), with its context, grouped by kind. Matching is score.py's
(relaxed overlap, one-to-one greedy by overlap; align.py maps gold offsets to the clean text).

--decompose HALF: the DATE-only value F1 of that half taken apart by cause, with score.py's DATE frame
(predictions matched against DATE gold only; an unmatched prediction on TIME/DURATION/SET gold is left out):
(a) gold DATEs no prediction overlaps, (b) false alarms (by our type), (c) a DATE matched by a prediction of
another type, (d) a wrong value with another extent, (e) a wrong value with the same extent; beside each, the
F1 if that cause alone were fixed (a miss found with the right value, a false alarm dropped, a value set
right), and the predictions left out on other types.
"""
from __future__ import annotations

import argparse
import collections
import gzip
import json
import random
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import BENCHMARKS, ROOT, run_scorer, scoring_view  # noqa: E402
from quotes import subset_gold  # noqa: E402

import polars as pl  # noqa: E402

BENCH = BENCHMARKS / "dates_timebank"
GOLD = BENCH / "gold.jsonl.gz"
SEED = 18
HALVES = ("look", "held_out")
RETAG = """
import sys, polars as pl
sys.path.insert(0, '.')
from stages.common import load_section
from stages.tag.dates import extract_dates
data, out = sys.argv[1], sys.argv[2]
docs = pl.read_parquet(data + '/clean/documents.parquet')
sentences = pl.read_parquet(data + '/segment/sentences.parquet')
extract_dates(docs, sentences, load_section('tag').dates).write_parquet(out)
"""
FIGURES = [("relaxed F1", ("TE3_all_types", "relaxed", "F1")), ("value accuracy", ("TE3_all_types", "value_accuracy")),
           ("value F1", ("TE3_all_types", "value_F1")), ("DATE relaxed F1", ("DATE_only", "relaxed", "F1")),
           ("DATE value F1", ("DATE_only", "value", "F1"))]


def gold_ids() -> list[str]:
    with gzip.open(GOLD, "rt", encoding="utf-8") as f:
        return sorted(json.loads(line)["id"] for line in f if line.strip())


def halves() -> dict[str, set[str]]:
    ids = gold_ids()
    random.Random(SEED).shuffle(ids)
    cut = len(ids) // 2
    return {"look": set(ids[:cut]), "held_out": set(ids[cut:])}


def retag(code: Path, data: Path, out: Path) -> pl.DataFrame:
    """tag/dates.parquet of `code` on `data`'s clean documents and sentences."""
    subprocess.run([sys.executable, "-c", RETAG, str(data.resolve()), str(out.resolve())], cwd=code, check=True)
    return pl.read_parquet(out)


def score(data: Path, dates: pl.DataFrame, work: Path, name: str, gold: dict[str, Path]) -> dict[str, Any]:
    view = scoring_view(data, work / f"view-{name}", {"dates": dates})
    result = {}
    for part, gold_file in gold.items():
        scored, error = run_scorer(BENCH / "score.py", ["--gold", str(gold_file), "--run", str(view)])
        if scored is None:
            raise SystemExit(f"score.py failed on {name}/{part}: {error}")
        result[part] = scored["all"]
    return result


def dig(d: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        d = d[key]
    return d


def print_table(scores: dict[str, dict[str, Any]]) -> None:
    names = list(scores)
    print(f"{'figure':<18}" + "".join(f"{n + ' ' + part:>22}" for part in ("all", *HALVES) for n in names))
    for label, path in FIGURES:
        print(f"{label:<18}" + "".join(f"{dig(scores[n][part], path):>22.1f}" for part in ("all", *HALVES)
                                       for n in names))


# ----------------------------------------------------------------------------------------- the dump

def _matches(golds: list[dict[str, Any]], preds: list[dict[str, Any]]) -> dict[int, int]:
    pairs = sorted(((min(g["c"][1], p["c"][1]) - max(g["c"][0], p["c"][0]), i, j)
                    for i, g in enumerate(golds) for j, p in enumerate(preds)
                    if min(g["c"][1], p["c"][1]) > max(g["c"][0], p["c"][0])), key=lambda x: (-x[0], x[1], x[2]))
    used_g, used_p, out = set(), set(), {}
    for _, i, j in pairs:
        if i not in used_g and j not in used_p:
            used_g.add(i)
            used_p.add(j)
            out[i] = j
    return out


def _run_tables(data: Path, dates: pl.DataFrame) -> tuple[Any, dict[str, str], dict[str, str], dict[str, list]]:
    """The scorer's Aligner class, URL -> doc_id, doc_id -> clean text and doc_id -> its date rows (with the
    scorer's character span "c") of a built `data/`."""
    sys.path.insert(0, str(BENCH))
    from align import Aligner
    ingest = pl.read_parquet(data / "ingest" / "documents.parquet", columns=["doc_id", "meta_url"])
    clean = pl.read_parquet(data / "clean" / "documents.parquet", columns=["doc_id", "text"])
    by_doc: dict[str, list] = collections.defaultdict(list)
    for row in dates.iter_rows(named=True):
        by_doc[row["doc_id"]].append({**row, "c": (row["start"], row["end"])})
    return Aligner, dict(zip(ingest["meta_url"], ingest["doc_id"])), dict(zip(clean["doc_id"], clean["text"])), by_doc


def dump(data: Path, dates: pl.DataFrame, ids: set[str], path: Path) -> None:
    Aligner, doc_of, texts, by_doc = _run_tables(data, dates)
    kinds: dict[str, list[str]] = collections.defaultdict(list)
    with gzip.open(GOLD, "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    for g in records:
        if g["id"] not in ids or doc_of.get(g["id"]) not in texts:
            continue
        doc = doc_of[g["id"]]
        text = texts[doc]
        aligner = Aligner(g["text"], text)
        golds = [{**t, "c": aligner.span(t["start"], t["end"])} for t in g["timexes"]]
        golds = [t for t in golds if t["c"] is not None]
        preds = by_doc.get(doc, [])
        m = _matches(golds, preds)

        def ctx(c: tuple[int, int], text: str = text) -> str:
            return " ".join((text[max(0, c[0] - 60):c[0]] + "[[" + text[c[0]:c[1]] + "]]"
                             + text[c[1]:c[1] + 60]).split())
        for i, t in enumerate(golds):
            if i not in m:
                kinds[f"miss {t['type']}"].append(f"{g['dct']} {t['value']!r:<16} {ctx(t['c'])}")
            elif preds[m[i]]["value"] != t["value"]:
                p = preds[m[i]]
                kinds[f"value {t['type']}"].append(f"{g['dct']} gold {t['value']!r} ours {p['value']!r} "
                                                   f"({p['resolution']}) {t['text']!r}/{p['text']!r}: {ctx(t['c'])}")
        matched = set(m.values())
        for j, p in enumerate(preds):
            if j not in matched:
                kinds[f"false alarm {p['type']}"].append(f"{g['dct']} {p['value']!r:<16} {ctx(p['c'])}")
    with path.open("w", encoding="utf-8") as out:
        for kind, lines in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
            out.write(f"## {kind} ({len(lines)})\n" + "".join(f"- {line}\n" for line in sorted(lines)) + "\n")
    print(f"dump: {path} ({', '.join(f'{k} {len(v)}' for k, v in sorted(kinds.items()))})")


def date_losses(golds: list[dict[str, Any]], preds: list[dict[str, Any]]) -> collections.Counter[str]:
    """One article's DATE-frame outcomes (score.py's): "right", "a miss", "b false alarm TYPE", "c type TYPE",
    "d extent", "e value", "left out on TYPE". Gold and predictions are dicts with `c` (start, end; None for
    gold in a dropped line: a miss), `type` and `value`."""
    out: collections.Counter[str] = collections.Counter()
    out["gold"] += sum(1 for g in golds if g["type"] == "DATE")
    mapped = [g for g in golds if g["c"] is not None]
    dates = [g for g in mapped if g["type"] == "DATE"]
    m = _matches(dates, preds)
    out["a miss"] += sum(1 for g in golds if g["type"] == "DATE") - len(m)
    for i, j in m.items():
        g, p = dates[i], preds[j]
        out["right" if p["value"] == g["value"] else f"c type {p['type']}" if p["type"] != "DATE"
            else "d extent" if tuple(p["c"]) != tuple(g["c"]) else "e value"] += 1
    matched = set(m.values())
    for j, p in enumerate(preds):
        if j in matched:
            continue
        other = next((g for g in mapped if g["type"] != "DATE"
                      and min(g["c"][1], p["c"][1]) > max(g["c"][0], p["c"][0])), None)
        out[f"left out on {other['type']}" if other else f"b false alarm {p['type']}"] += 1
    return out


def loss_table(counts: collections.Counter[str]) -> list[tuple[str, int, float]]:
    """(cause, count, DATE value F1 if that cause alone were fixed), the first row the F1 as it is."""
    gold, right = counts["gold"], counts["right"]
    pred = right + sum(n for k, n in counts.items() if k[:2] in ("b ", "c ", "d ", "e "))

    def f1(right: int, pred: int) -> float:
        return 200 * right / (pred + gold) if pred + gold else 0.0
    rows = [("DATE value F1", right, f1(right, pred))]
    for kind in sorted(k for k in counts if k[:2] in ("a ", "b ", "c ", "d ", "e ")):
        n = counts[kind]
        fixed = {"a": f1(right + n, pred + n), "b": f1(right, pred - n)}.get(kind[0], f1(right + n, pred))
        rows.append((kind, n, fixed))
    rows += [(k, counts[k], f1(right, pred)) for k in sorted(counts) if k.startswith("left out")]
    return rows


def decompose(data: Path, dates: pl.DataFrame, ids: set[str]) -> collections.Counter[str]:
    """`date_losses` summed over the articles `ids` of a built `data/` and a dates table."""
    Aligner, doc_of, texts, by_doc = _run_tables(data, dates)
    total: collections.Counter[str] = collections.Counter()
    with gzip.open(GOLD, "rt", encoding="utf-8") as f:
        for line in f:
            g = json.loads(line) if line.strip() else None
            if g is None or g["id"] not in ids or doc_of.get(g["id"]) not in texts:
                continue
            aligner = Aligner(g["text"], texts[doc_of[g["id"]]])
            # score.py pads one-digit ISO weeks ("2000-W7")
            golds = [{**t, "value": re.sub(r"^(\d{4})-W(\d)(?=$|-)", r"\1-W0\2", t["value"] or ""),
                      "c": aligner.span(t["start"], t["end"])} for t in g["timexes"]]
            total.update(date_losses(golds, by_doc.get(doc_of[g["id"]], [])))
    return total


def dump_errors(data: Path, dates: pl.DataFrame, half: str, path: Path) -> None:
    """`dump` of the articles of one half (`look`, `held_out`) or of all of them."""
    split = halves()
    dump(data, dates, set().union(*split.values()) if half == "all" else split[half], path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data", type=Path, help="data/ of a project copy built by bench/dates.py --keep")
    parser.add_argument("--baseline-code", type=Path, default=None, help="root of the baseline code")
    parser.add_argument("--dump", type=Path, default=None, help="write every error of --dump-half here")
    parser.add_argument("--dump-half", choices=("look", "held_out", "all"), default="look")
    parser.add_argument("--decompose", choices=("look", "held_out", "all"), default=None,
                        help="the DATE-only value F1 loss of that half by cause")
    args = parser.parse_args(argv)
    split = halves()
    with tempfile.TemporaryDirectory(prefix="newsflow-dates-retag-") as tmp:
        work = Path(tmp)
        gold = {"all": GOLD, **{h: subset_gold(GOLD, split[h], work / f"gold-{h}.jsonl.gz") for h in HALVES}}
        codes = {"ours": ROOT, **({"baseline": args.baseline_code} if args.baseline_code else {})}
        scores, tables = {}, {}
        for name, code in codes.items():
            tables[name] = retag(code, args.data, work / f"dates-{name}.parquet")
            scores[name] = score(args.data, tables[name], work, name, gold)
        print_table(scores)
        if args.dump:
            dump_errors(args.data, tables["ours"], args.dump_half, args.dump)
        if args.decompose:
            ids = set().union(*split.values()) if args.decompose == "all" else split[args.decompose]
            print(f"\nDATE-only value F1 of the {args.decompose} articles by cause")
            for name, table in tables.items():
                for kind, n, fixed in loss_table(decompose(args.data, table, ids)):
                    print(f"{name:<10}{kind:<32}{n:>6}{fixed:>8.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
