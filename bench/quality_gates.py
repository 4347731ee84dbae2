"""Fast quality gates: each dev benchmark's harness on a small fixed subset, figures against stored floors.

    python bench/quality_gates.py [--only quotes,dates,ner_conll,provenance,clean] [--out PATH]
    python bench/quality_gates.py --write-floors [--margin-pct 1.5 --margin-ratio 0.015]

Each gate runs the real pipeline (`dvc repro` in a temporary copy, as the full harnesses do) on a fixed
subset and scores it with the harness's own scoring function (`score_run` / `score_provenance`):
  quotes      bench/quotes.py's scoring of the first 40 PolNeAR articles (detection F1, speaker right
              overall, named speakers by full name, end-to-end F1, GGT recall; %)
  dates       bench/dates.py's scoring of the first 40 TimeBank/AQUAINT articles (relaxed F1, value F1,
              DATE-only value F1; %)
  ner_conll   bench/ner_conll.py's scoring of the first 40 CoNLL++ dev documents (ours entity F1, 0-1;
              the bare model's F1 is reported beside it, not gated)
  clean       the article_extraction benchmark through the same pattern: its first 50 `texts/ID.txt`
              (by id) in the corpus, `data/clean/documents.parquet` text scored against gold.jsonl with
              bench/clean.py's metric (4-token shingles, per-page P/R averaged, F1; 0-1)
  provenance  bench/provenance.py's corpus of 80 boilerplate_dev pages drawn with seed 0 (ARI, pair
              precision, pair recall, 0-1; wrong cross-page links per 100 pages, a ceiling)
quotes, dates, ner_conll and clean share one pipeline run (one corpus of 170 documents: each scorer reads
only its own documents, and one run pays DVC's and the model's start-up once instead of four times; the
figures are the same as in four separate runs, checked on 2026-12-02); provenance runs alone, since it is
scored on stories across its whole corpus.
The pipeline is deterministic (byte-identical outputs for the same inputs), so on unchanged code every
figure repeats exactly. bench/quality_floors.yaml stores, per figure, a floor (`min`) or a ceiling
(`max`) set a little below (above) what the pipeline scored on these subsets when the floors were
written (1.5 points for % figures, 0.015 for 0-1 figures, by default), so a regression fails while the
noise of a code change that is meant to change nothing (there is none) cannot. `tests/test_quality_gates.py`
(marker `gate`) runs every gate once and asserts every floor; it skips when ../shared is absent.
--write-floors rewrites the floors from this run's figures (do that only on purpose, after an improvement).

The subsets are small on purpose; they say "nothing got worse", not how good the pipeline is: that is the
full-size harnesses' job. Time: about 2 CPU minutes; wall time depends on what else runs on the machine
(see the measurements in tests/test_quality_gates.py's docstring).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import BENCHMARKS, RESULTS, ROOT, BenchError, dig, log, meta, run_pipeline, workdir, write_json  # noqa: E402

import polars as pl  # noqa: E402
import yaml  # noqa: E402

FLOORS = ROOT / "bench" / "quality_floors.yaml"
DEFAULT_OUT = RESULTS / "quality_gates.json"
QUOTES_ARTICLES, DATES_ARTICLES, NER_DOCUMENTS, CLEAN_PAGES = 40, 40, 40, 50
PROVENANCE_PAGES, PROVENANCE_SEED = 80, 0
MARGIN_PCT, MARGIN_RATIO = 1.5, 0.015

# figures taken from the harnesses' results (harness figure key -> scale)
QUOTES_FIGURES = {"detection_F1": "%", "speaker_overall": "%", "speaker_fullname": "%", "end_to_end_F1": "%",
                  "ggt_R": "%"}
DATES_FIGURES = {"relaxed_F1": "%", "value_F1": "%", "date_value_F1": "%"}


def _by_key(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["extra"]["key"]: f for f in result["figures"] if f.get("extra", {}).get("key")}


def _pick(result: dict[str, Any], wanted: dict[str, str]) -> dict[str, Any]:
    figs = _by_key(result)
    return {name: {"value": figs[name]["value"], "na": figs[name]["na"], "scale": scale}
            for name, scale in wanted.items()}


class Gate:
    """One benchmark's subset: what it puts in the corpus, and how it scores the built data/."""
    name = ""
    folder = ""

    def write(self, corpus: Path) -> None:
        raise NotImplementedError

    def score(self, data: Path, work: Path, seconds: float) -> dict[str, Any]:
        raise NotImplementedError


class QuotesGate(Gate):
    name, folder = "quotes", "quotes_polnear"

    def write(self, corpus: Path) -> None:
        import quotes
        self.lines = quotes.read_records(quotes.BENCH / "input.jsonl.gz", QUOTES_ARTICLES)
        quotes.write_lines(self.lines, corpus / "polnear.jsonl")

    def score(self, data: Path, work: Path, seconds: float) -> dict[str, Any]:
        import quotes
        return _pick(quotes.score_run(data, self.lines, work, QUOTES_ARTICLES, seconds), QUOTES_FIGURES)


class DatesGate(Gate):
    name, folder = "dates", "dates_timebank"

    def write(self, corpus: Path) -> None:
        import dates
        self.lines = dates.read_records(dates.BENCH / "input.jsonl.gz", DATES_ARTICLES)
        dates.write_lines(self.lines, corpus / "timebank.jsonl")

    def score(self, data: Path, work: Path, seconds: float) -> dict[str, Any]:
        import dates
        return _pick(dates.score_run(data, self.lines, work, DATES_ARTICLES, seconds), DATES_FIGURES)


class NerGate(Gate):
    name, folder = "ner_conll", "ner_conllpp_dev"

    def write(self, corpus: Path) -> None:
        import ner_conll
        ner_conll.copy_texts(list(ner_conll.load_gold(NER_DOCUMENTS)), corpus)

    def score(self, data: Path, work: Path, seconds: float) -> dict[str, Any]:
        import ner_conll
        s = ner_conll.score_run(data, NER_DOCUMENTS, seconds)["scores"]
        return {"entity_F1": {"value": s["ours"]["main"]["F1"], "na": "", "scale": "ratio"},
                "bare_entity_F1": {"value": s["bare"]["main"]["F1"], "na": "", "scale": "ratio",
                                   "info": "the bare model, for reading the other figure; not gated"}}


class CleanGate(Gate):
    """article_extraction texts/ through dvc repro; clean text against gold with bench/clean.py's metric."""
    name, folder = "clean", "article_extraction"

    def write(self, corpus: Path) -> None:
        bench = BENCHMARKS / "article_extraction"
        self.gold = {}
        with open(bench / "gold.jsonl", encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    record = json.loads(line)
                    self.gold[record["id"]] = record["article_body"]
        self.gold = {pid: self.gold[pid] for pid in sorted(self.gold)[:CLEAN_PAGES]}
        for page_id in self.gold:
            (corpus / f"{page_id}.txt").write_bytes((bench / "texts" / f"{page_id}.txt").read_bytes())

    def score(self, data: Path, work: Path, seconds: float) -> dict[str, Any]:
        import clean as clean_bench
        ingest = pl.read_parquet(data / "ingest/documents.parquet", columns=["doc_id", "source_path"])
        docs = pl.read_parquet(data / "clean/documents.parquet", columns=["doc_id", "text"])
        page_of = {d: Path(p).name.removesuffix(".txt") for d, p in ingest.iter_rows()}
        text_of = {page_of[d]: t for d, t in docs.iter_rows() if page_of.get(d) in self.gold}
        # A page ingest or clean lost scores as an empty prediction.
        precision, recall, f1 = clean_bench.corpus_scores([(text_of.get(pid, ""), self.gold[pid])
                                                           for pid in self.gold])
        return {"F1": {"value": f1, "na": "", "scale": "ratio"},
                "precision": {"value": precision, "na": "", "scale": "ratio", "info": "not gated"},
                "recall": {"value": recall, "na": "", "scale": "ratio", "info": "not gated"}}


class ProvenanceGate(Gate):
    name, folder = "provenance", "boilerplate_dev"

    def write(self, corpus: Path) -> None:
        import provenance
        pages = provenance.load_pages(PROVENANCE_PAGES, PROVENANCE_SEED)
        files, self.mapping = provenance.build_corpus(pages, PROVENANCE_SEED)
        self.gold = {p["id"]: p["gold"] for p in pages}
        provenance.write_files(files, corpus)

    def score(self, data: Path, work: Path, seconds: float) -> dict[str, Any]:
        import provenance
        s = provenance.score_provenance(data, self.mapping, self.gold)
        ours = s["ours"]
        out = {name: {"value": ours[name], "na": "" if ours[name] is not None else "no pairs", "scale": "ratio"}
               for name in ("ari", "pair_precision", "pair_recall")}
        out["wrong_links_per_100_pages"] = {"value": 100.0 * ours["cross_page_links"]["wrong"] / s["pages"],
                                            "na": "", "scale": "count", "direction": "max"}
        return out


# Pipeline runs: the text benchmarks share one corpus (their documents do not interact in the tables
# they are scored on, and one run saves DVC's and the model's start-up three times); the provenance
# corpus is scored on stories, so it runs alone.
RUNS: list[list[Gate]] = [[QuotesGate(), DatesGate(), NerGate(), CleanGate()], [ProvenanceGate()]]
GATES = {gate.name: gate for run in RUNS for gate in run}


def available() -> list[str]:
    """The gates whose benchmark folder exists under ../shared/benchmarks."""
    return [name for name, gate in GATES.items() if (BENCHMARKS / gate.folder).is_dir()]


def run_gates(only: list[str] | None = None, parent: Path | None = None) -> dict[str, Any]:
    """{gate: {"seconds" (of its shared run), "figures": {name: {"value", "na", "scale"[, "direction"]}}}
    or {"error"}}."""
    results: dict[str, Any] = {}
    names = set(n for n in available() if only is None or n in only)
    with workdir(False, parent, "newsflow-gates-") as work:
        for number, run in enumerate(RUNS):
            gates = [g for g in run if g.name in names]
            if not gates:
                continue
            label = "+".join(g.name for g in gates)
            log(f"gates {label}: dvc repro")
            started = time.perf_counter()
            try:
                project, seconds, _ = run_pipeline(work / f"project-{number}",
                                                   lambda corpus, gates=gates: [g.write(corpus) for g in gates])
            except BenchError as err:
                for g in gates:
                    results[g.name] = {"seconds": round(time.perf_counter() - started, 1), "error": err.message}
                continue
            log(f"gates {label}: dvc repro took {seconds:.0f} s; scoring")
            for g in gates:
                try:
                    figures = g.score(project / "data", work, seconds)
                    results[g.name] = {"seconds": round(time.perf_counter() - started, 1), "figures": figures}
                except BenchError as err:
                    results[g.name] = {"seconds": round(time.perf_counter() - started, 1), "error": err.message}
            shutil.rmtree(project, ignore_errors=True)
    return results


def load_floors(path: Path = FLOORS) -> dict[str, dict[str, dict[str, float]]]:
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def check(results: dict[str, Any], floors: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per stored floor: gate, figure, value, bound, pass (None when the gate did not run)."""
    rows = []
    for gate, figures in floors.items():
        if gate == "meta":
            continue
        for name, bound in figures.items():
            got = results.get(gate)
            value, why = None, ""
            if got is None:
                why = "gate not run"
            elif "error" in got:
                why = got["error"].splitlines()[0]
            else:
                fig = got["figures"].get(name)
                value = None if fig is None else fig["value"]
                why = "figure not produced" if fig is None else (fig.get("na") or "")
            if value is None:
                passed = None if got is None else False
            elif "min" in bound:
                passed = value >= bound["min"]
            else:
                passed = value <= bound["max"]
            rows.append({"gate": gate, "figure": name, "value": value, "bound": bound, "pass": passed, "why": why})
    return rows


def new_floors(results: dict[str, Any], margin_pct: float, margin_ratio: float) -> dict[str, Any]:
    floors: dict[str, Any] = {}
    for gate, got in results.items():
        if "error" in got:
            continue
        for name, fig in got["figures"].items():
            if fig.get("info") or fig["value"] is None:
                continue
            margin = margin_pct if fig["scale"] == "%" else margin_ratio
            if fig.get("direction") == "max":
                # wrong links per 100 pages: 1.0 above what was seen (the target's unit)
                floors.setdefault(gate, {})[name] = {"max": round(fig["value"] + 1.0, 3)}
            else:
                floors.setdefault(gate, {})[name] = {"min": round(fig["value"] - margin, 3)}
    return floors


def write_floors(floors: dict[str, Any], results: dict[str, Any], path: Path = FLOORS) -> None:
    lines = ["# Floors of the fast quality gates (bench/quality_gates.py, tests/test_quality_gates.py, marker `gate`).",
             "# Each figure must stay >= min (or <= max). Written by `python bench/quality_gates.py --write-floors`",
             f"# at commit {meta('gates')['commit']} from these figures (scored on the gates' fixed subsets):"]
    for gate, figures in floors.items():
        for name in figures:
            lines.append(f"#   {gate}.{name} = {results[gate]['figures'][name]['value']:.4g}")
    lines.append("# Floors are 1.5 points (% figures) or 0.015 (0-1 figures) below; the wrong-link ceiling is the "
                 "figure")
    lines.append(f"# + 1 per 100 pages (on {PROVENANCE_PAGES} pages one wrong link more is "
                 f"{100 / PROVENANCE_PAGES:.2f} per 100).")
    lines.append("# Raise them after an improvement; lowering one needs a reason in the commit message.")
    path.write_text("\n".join(lines) + "\n" + yaml.safe_dump(floors, sort_keys=False), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=None, help="comma-separated gates (default: every available one)")
    parser.add_argument("--write-floors", action="store_true", help="rewrite bench/quality_floors.yaml")
    parser.add_argument("--margin-pct", type=float, default=MARGIN_PCT)
    parser.add_argument("--margin-ratio", type=float, default=MARGIN_RATIO)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    only = args.only.split(",") if args.only else None
    started = time.perf_counter()
    results = run_gates(only)
    seconds = time.perf_counter() - started
    floors = load_floors() if FLOORS.exists() else {}
    rows = check(results, floors)
    print(f"\n== quality gates ({seconds:.0f} s) ==")
    for gate, got in results.items():
        if "error" in got:
            print(f"{gate:<11} ERROR {got['error'].splitlines()[0]}")
            continue
        for name, fig in got["figures"].items():
            bound = dig(floors, gate, name) or {}
            row = next((r for r in rows if r["gate"] == gate and r["figure"] == name), None)
            verdict = "" if row is None else {True: "PASS", False: "FAIL", None: "n/a"}[row["pass"]]
            shown = "n/a (" + fig["na"] + ")" if fig["value"] is None else f"{fig['value']:.4f}"
            limit = f"min {bound['min']}" if "min" in bound else (f"max {bound['max']}" if "max" in bound else "")
            print(f"{gate:<11} {name:<28} {shown:>12}  {limit:<14} {verdict}  ({got['seconds']:.0f} s)")
    write_json(args.out, {"meta": meta("quality_gates", seconds=round(seconds, 1)), "results": results,
                          "checks": rows})
    if args.write_floors:
        write_floors(new_floors(results, args.margin_pct, args.margin_ratio), results)
        print(f"floors written to {FLOORS}")
    return 0 if all(r["pass"] is not False for r in rows) else 1


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except BenchError as err:
        print(f"[bench] ERROR: {err.message}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
