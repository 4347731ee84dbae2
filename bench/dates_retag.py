"""Fast loop for the dates grammar: re-tag a built TimeBank/AQUAINT `data/` with the current code (or another
copy of the code, the baseline) and score it whole and on two halves split by document; dump every error.

    python bench/dates_retag.py DATA [--baseline-code DIR] [--dump FILE] [--dump-half look|held_out|all]

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
"""
from __future__ import annotations

import argparse
import collections
import gzip
import json
import random
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


def dump(data: Path, dates: pl.DataFrame, ids: set[str], path: Path) -> None:
    sys.path.insert(0, str(BENCH))
    from align import Aligner
    ingest = pl.read_parquet(data / "ingest" / "documents.parquet", columns=["doc_id", "meta_url"])
    doc_of = dict(zip(ingest["meta_url"], ingest["doc_id"]))
    clean = pl.read_parquet(data / "clean" / "documents.parquet", columns=["doc_id", "text"])
    texts = dict(zip(clean["doc_id"], clean["text"]))
    by_doc = collections.defaultdict(list)
    for row in dates.iter_rows(named=True):
        by_doc[row["doc_id"]].append({**row, "c": (row["start"], row["end"])})
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
