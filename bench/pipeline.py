"""End-to-end speed and memory of the whole pipeline (`dvc repro`), next to bare spaCy, in one run.

    python bench/pipeline.py [--sizes 1000,5000,20000] [--quick] [--reruns N] [--out PATH] [--workdir DIR] [--keep]

For each corpus size N:

1. Copy the project (dvc.yaml, params.yaml, .dvcignore, .dvc/config, stages/, schemas/; not seeds/, data/
   or .venv) into a temporary folder, `git init` it, and write N Reuters-21578 bodies
   (../shared/benchmarks/reuters21578) as JSONL files of 1,000 records under `corpus/`. The copy's
   params.yaml reads that folder (`ingest.input_dir`) and keeps the tag cache inside the copy
   (`tag.cache_dir`), so every size starts cold. The corpus has 19,778 usable bodies (one is held back, see
   4): a larger N repeats bodies from the start, as wire copies do, each copy a distinct JSONL line.
2. Full run: each stage on its own, `dvc repro --single-item STAGE`, in a fresh process tree. DVC's own
   hashing and bookkeeping is part of what the pipeline costs, so it is inside the time. Per stage:
   wall seconds; words/s (whitespace tokens of the clean text, data/clean/documents.parquet, over the
   stage's seconds, so stages compare on one scale); peak RSS (ru_maxrss of the largest process of the
   tree: getrusage(RUSAGE_CHILDREN) in a small wrapper process that waits for `dvc`); the peak of the
   tree's summed PSS, sampled every 0.2 s (what spaCy's worker processes hold together, shared pages
   counted once); and cores used (CPU seconds of the tree over wall seconds: 2.0 means both cores busy).
3. Floor: bare spaCy, in its own process: the same model (params tag.model) with NER only, `nlp.pipe`
   over every sentence of data/segment/sentences.parquet with the same batch_size and n_process as
   params tag. Its seconds are import + load + pipe (reading the sentences is not timed). This is what
   any pipeline that tags these texts with this model must pay; the target compares all five stages to it.
4. Incremental: one document that is not in the corpus (the last Reuters body that has no duplicate) is
   added as a new JSONL file, and the whole pipeline reruns with `dvc repro`. Printed beside the full run
   and the floor and as a share of both, with the stages DVC ran and how many sentences the tag stage says
   it tagged (from its log line "N to tag") against the new document's sentences that no earlier document
   has. `--reruns N` repeats it N times, each time with one more new document (Reuters bodies the corpus
   does not hold, then article_extraction's gold bodies): a shared machine's timings are noisy, so the
   median is judged. Seconds and CPU seconds are both shown (CPU seconds move less with the load).

Targets (for 20,000 documents; a run with other sizes judges its largest size against them):
all five stages at most 1.25x the floor's time; the incremental rerun at most 10% of the full run;
peak RSS at most 1,500 MB; 20,000 documents' peak less than 2x 5,000 documents' peak (needs both sizes).
And for every size with a target in INCREMENTAL_OVER_FLOOR (issue 20: 10% at 20,000 documents, 15% at
5,000): the median incremental rerun at most that share of the floor's seconds.
Results go to the screen and, as JSON, to bench/results/pipeline.json (written after each size, so a
crash keeps what was measured). MB here means 10^6 bytes.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path
from statistics import median
from typing import Any

import polars as pl
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT / ".." / "shared"
REUTERS = SHARED / "benchmarks" / "reuters21578" / "reuters21578.jsonl.gz"
# More new documents for repeated incremental reruns, once the Reuters bodies the corpus lacks run out.
EXTRA_ARTICLES = SHARED / "benchmarks" / "article_extraction" / "gold.jsonl"
DEFAULT_OUT = ROOT / "bench" / "results" / "pipeline.json"

STAGES = ["ingest", "clean", "segment", "tag", "aggregate"]


def stages_of(project: Path) -> list[str]:
    """The project's stages in dvc.yaml order: the five above, plus any it runs first (the params check)."""
    declared = list(yaml.safe_load((project / "dvc.yaml").read_text(encoding="utf-8"))["stages"])
    return [s for s in declared if s not in STAGES] + STAGES
COPIED = ["dvc.yaml", "params.yaml", ".dvcignore", ".dvc/config", "stages", "schemas"]
CORPUS_DIR = "corpus"
CACHE_DIR = ".cache/tag"
RECORDS_PER_FILE = 1000
ADDED_FILE = "reuters-added.jsonl"
EXTRA_FILE = "added-{number:02d}.jsonl"   # the later reruns' new documents
DEFAULT_SIZES = [1000, 5000, 20000]
QUICK_SIZES = [200]
STAGE_TIMEOUT_S = 3600
SAMPLE_EVERY_S = 0.2

TARGET_SIZE, BASE_SIZE = 20000, 5000
MAX_PIPELINE_OVER_FLOOR = 1.25
MAX_INCREMENTAL_SHARE = 0.10
# The median incremental rerun as a share of the floor's seconds, by corpus size (issue 20).
INCREMENTAL_OVER_FLOOR = {20000: 0.10, 5000: 0.15}
MAX_PEAK_RSS_MB = 1500.0
MAX_RSS_GROWTH = 2.0

# Runs a command and reports, as JSON in the file named by argv[1], its wall seconds, the peak RSS of the
# largest process in its tree (every descendant that was waited for) and the tree's CPU seconds.
MEASURE = """\
import json, resource, subprocess, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
start = time.perf_counter()
code = subprocess.call(cmd)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
with open(out, "w") as fh:
    json.dump({"returncode": code, "seconds": seconds, "max_rss_kib": usage.ru_maxrss,
               "cpu_seconds": usage.ru_utime + usage.ru_stime}, fh)
"""

# The floor: bare spaCy over the sentences. argv: sentences.parquet model batch_size n_process out.json
FLOOR = """\
import json, sys, time
from pathlib import Path
import polars as pl
path, model, batch_size, n_process, out = sys.argv[1:6]
texts = pl.read_parquet(path, columns=["text"])["text"].to_list()
start = time.perf_counter()
import spacy
from spacy.util import get_model_meta, get_package_path, is_package
meta = get_model_meta(get_package_path(model) if is_package(model) else Path(model))
# NER only, as the tag stage loads it: en_core_web_sm's NER has its own embedding layer.
nlp = spacy.load(model, exclude=[name for name in meta.get("components", meta.get("pipeline", [])) if name != "ner"])
loaded = time.perf_counter()
n_entities = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=int(batch_size),
                                                   n_process=int(n_process)))
done = time.perf_counter()
with open(out, "w") as fh:
    json.dump({"load_seconds": loaded - start, "pipe_seconds": done - loaded, "seconds": done - start,
               "n_texts": len(texts), "n_entities": n_entities, "components": nlp.pipe_names}, fh)
"""


class BenchError(SystemExit):
    def __init__(self, message: str) -> None:
        super().__init__(1)
        self.message = message


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ------------------------------------------------------------------------------------------- corpus

def read_reuters(path: Path = REUTERS) -> list[dict[str, Any]]:
    """Records with a non-empty body, in file order, as the JSONL records the corpus is made of."""
    if not path.exists():
        raise BenchError(f"{path} is absent: the benchmark needs ../shared/benchmarks/reuters21578 "
                         "(see ../shared/README.md)")
    records = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            body = record.get("body") or ""
            if body.strip():
                records.append({"text": body, "title": record.get("title"), "date": record.get("date")})
    return records


def split_pool(records: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """(the corpus pool, the held-back new document): the last record whose body appears only once."""
    counts = Counter(r["text"] for r in records)
    last = max(i for i, r in enumerate(records) if counts[r["text"]] == 1)
    return records[:last] + records[last + 1:], records[last]


def new_documents(pool: list[dict[str, Any]], held_back: dict[str, Any], corpus: list[dict[str, Any]],
                  count: int, extra: Path = EXTRA_ARTICLES) -> list[dict[str, Any]]:
    """`count` documents whose texts the corpus does not hold: the held-back one, then the pool's bodies
    the corpus lacks (in pool order), then article_extraction's gold bodies (in file order)."""
    seen = {record["text"] for record in corpus}
    found = [held_back]
    for record in pool:
        if len(found) >= count:
            return found
        if record["text"] not in seen:
            seen.add(record["text"])
            found.append(record)
    if len(found) < count and extra.exists():
        with open(extra, encoding="utf-8") as fh:
            for line in fh:
                if len(found) >= count:
                    break
                record = json.loads(line)
                if (record.get("article_body") or "").strip() and record["article_body"] not in seen:
                    seen.add(record["article_body"])
                    found.append({"text": record["article_body"], "title": record.get("title"), "date": None})
    if len(found) < count:
        raise BenchError(f"only {len(found)} new documents for {count} reruns")
    return found[:count]


def build_corpus(pool: list[dict[str, Any]], n_docs: int) -> list[dict[str, Any]]:
    """The first n_docs records of the pool, cycling when n_docs exceeds it.

    The k-th repeat of a record carries `"copy": k` (a field ingest ignores), so its JSONL line, and so its
    doc_id, differs while its text is the same: a wire copy, not a byte-identical file.
    """
    corpus = []
    for i in range(n_docs):
        record, copy = pool[i % len(pool)], i // len(pool)
        corpus.append({**record, "copy": copy} if copy else record)
    return corpus


def write_jsonl(records: list[dict[str, Any]], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as fh:
        for record in records:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")


def write_corpus(records: list[dict[str, Any]], folder: Path, per_file: int = RECORDS_PER_FILE) -> list[Path]:
    """Write the records as reuters-000.jsonl, reuters-001.jsonl, ... of `per_file` records each."""
    paths = []
    for number, start in enumerate(range(0, len(records), per_file)):
        path = folder / f"reuters-{number:03d}.jsonl"
        write_jsonl(records[start:start + per_file], path)
        paths.append(path)
    return paths


# ------------------------------------------------------------------------------------------ project

def copy_project(source: Path, dest: Path, corpus: list[dict[str, Any]]) -> Path:
    """A fresh, git-initialised copy of the project that reads `corpus` and keeps its tag cache inside."""
    dest.mkdir(parents=True)
    for name in COPIED:
        src = source / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tmp"))
        elif src.exists():
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    subprocess.run(["git", "init", "-q"], cwd=dest, check=True)
    params_path = dest / "params.yaml"
    params = yaml.safe_load(params_path.read_text(encoding="utf-8"))
    params["ingest"]["input_dir"] = CORPUS_DIR
    params.setdefault("tag", {})["cache_dir"] = CACHE_DIR
    params_path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")
    write_corpus(corpus, dest / CORPUS_DIR)
    return dest


def run_env() -> dict[str, str]:
    """The project's venv first on PATH: dvc.yaml's commands call `python`.

    Byte code is written as `make run` writes it (the copy's .dvcignore keeps __pycache__ out of the code
    folders' hashes): each stage process of a rerun then loads the project's modules compiled, as a user's
    rerun does, instead of compiling ~18,000 lines again (~0.1 s per stage process)."""
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""), "DVC_NO_ANALYTICS": "1"}


def dvc(*args: str) -> list[str]:
    return [str(Path(sys.executable).parent / "dvc"), *args]


# ---------------------------------------------------------------------------------------- measuring

def tree_pss_kib(root_pid: int) -> int | None:
    """Summed PSS of a process and all its descendants (None when /proc cannot tell)."""
    total, pending, seen = 0, [root_pid], set()
    while pending:
        pid = pending.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
                    break
            for task in Path(f"/proc/{pid}/task").iterdir():
                pending.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError):
            if pid == root_pid:
                return None
    return total


def measure(cmd: list[str], cwd: Path, log_path: Path, timeout_s: float = STAGE_TIMEOUT_S) -> dict[str, Any]:
    """Run cmd under the MEASURE wrapper: seconds, peak RSS, sampled peak tree PSS, cores used, its log."""
    result_path = log_path.with_suffix(".json")
    result_path.unlink(missing_ok=True)
    peak_pss: int | None = None
    with open(log_path, "w", encoding="utf-8") as log_fh:
        proc = subprocess.Popen([sys.executable, "-c", MEASURE, str(result_path), *cmd], cwd=cwd,
                                env=run_env(), stdout=log_fh, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while proc.poll() is None:
            pss = tree_pss_kib(proc.pid)
            if pss is not None:
                peak_pss = max(peak_pss or 0, pss)
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait()
                raise BenchError(f"{' '.join(cmd)} ran past {timeout_s:.0f} s; log: {log_path}")
            time.sleep(SAMPLE_EVERY_S)
    output = log_path.read_text(encoding="utf-8", errors="replace")
    if not result_path.exists():
        raise BenchError(f"the measuring wrapper failed for {' '.join(cmd)}:\n{tail(output)}")
    result = json.loads(result_path.read_text())
    if result["returncode"] != 0:
        raise BenchError(f"{' '.join(cmd)} failed (exit {result['returncode']}) in {cwd}:\n{tail(output)}")
    return {"seconds": result["seconds"], "peak_rss_mb": result["max_rss_kib"] * 1024 / 1e6,
            "tree_pss_mb": None if peak_pss is None else peak_pss * 1024 / 1e6,
            "cores": result["cpu_seconds"] / result["seconds"] if result["seconds"] > 0 else None,
            "cpu_seconds": result["cpu_seconds"], "output": output}


def tail(text: str, n_lines: int = 40) -> str:
    return "\n".join(text.rstrip().splitlines()[-n_lines:])


def clean_words(project: Path) -> int:
    """Whitespace tokens of the clean text: the one measure of work every stage is divided by."""
    texts = pl.read_parquet(project / "data/clean/documents.parquet", columns=["text"])
    return int(texts.select(pl.col("text").str.count_matches(r"\S+").sum()).item())


def tagged_count(output: str) -> int | None:
    """How many sentences the tag stage says it tagged ("... M to tag"), or None if it did not say."""
    found = re.findall(r"\[tag\].*?(\d+) to tag", output)
    return int(found[-1]) if found else None


def new_sentences(project: Path, added_file: str = ADDED_FILE) -> int:
    """Distinct sentence texts of the added document that no other document has: what must be tagged."""
    docs = pl.read_parquet(project / "data/ingest/documents.parquet", columns=["doc_id", "source_path"])
    added = docs.filter(pl.col("source_path").str.contains(added_file, literal=True))["doc_id"]
    sentences = pl.read_parquet(project / "data/segment/sentences.parquet", columns=["doc_id", "text"])
    is_added = pl.col("doc_id").is_in(added.implode())
    seen = set(sentences.filter(~is_added)["text"].to_list())
    return len(set(sentences.filter(is_added)["text"].to_list()) - seen)


def stage_figures(measured: dict[str, Any], words: int) -> dict[str, Any]:
    figures = {k: v for k, v in measured.items() if k != "output"}
    figures["words_per_s"] = words / measured["seconds"] if measured["seconds"] > 0 else None
    return figures


def bench_size(n_docs: int, pool: list[dict[str, Any]], new_doc: dict[str, Any], source: Path,
               workdir: Path, reruns: int = 1) -> dict[str, Any]:
    """Full run stage by stage, the floor, and the one-document incremental reruns, for one corpus size."""
    corpus = build_corpus(pool, n_docs)
    added = new_documents(pool, new_doc, corpus, reruns)
    project = copy_project(source, workdir / f"project-{n_docs}", corpus)
    logs = workdir / f"logs-{n_docs}"
    logs.mkdir()
    measured = {}
    for stage in stages_of(project):
        log(f"{n_docs} docs: stage {stage} (dvc repro --single-item {stage})")
        measured[stage] = measure(dvc("repro", "--single-item", stage), project, logs / f"{stage}.log")
        log(f"{n_docs} docs: {stage} took {measured[stage]['seconds']:.1f} s")

    words = clean_words(project)
    sentences = pl.read_parquet(project / "data/segment/sentences.parquet", columns=["text"])["text"]
    stages = {stage: stage_figures(m, words) for stage, m in measured.items()}
    full = {"seconds": sum(s["seconds"] for s in stages.values()),
            "cpu_seconds": sum(s["cpu_seconds"] for s in stages.values()),
            "peak_rss_mb": max(s["peak_rss_mb"] for s in stages.values()),
            "tree_pss_mb": max((s["tree_pss_mb"] for s in stages.values() if s["tree_pss_mb"] is not None),
                               default=None)}
    full["words_per_s"] = words / full["seconds"]

    tag_params = yaml.safe_load((project / "params.yaml").read_text(encoding="utf-8"))["tag"]
    log(f"{n_docs} docs: floor (bare spaCy NER over {sentences.len():,} sentences)")
    floor_json = logs / "floor-result.json"
    floor_run = measure([sys.executable, "-c", FLOOR, str(project / "data/segment/sentences.parquet"),
                         str(tag_params["model"]), str(tag_params["batch_size"]), str(tag_params["n_process"]),
                         str(floor_json)], project, logs / "floor.log")
    floor_timing = json.loads(floor_json.read_text())
    floor = {**floor_timing, "process_seconds": floor_run["seconds"], "cpu_seconds": floor_run["cpu_seconds"],
             "peak_rss_mb": floor_run["peak_rss_mb"],
             "tree_pss_mb": floor_run["tree_pss_mb"], "cores": floor_run["cores"],
             "words_per_s": words / floor_timing["seconds"], "n_process": tag_params["n_process"],
             "batch_size": tag_params["batch_size"]}

    runs = []
    for number, document in enumerate(added):
        name = ADDED_FILE if number == 0 else EXTRA_FILE.format(number=number)
        log(f"{n_docs} docs: incremental {number + 1}/{len(added)} (one new document, dvc repro)")
        write_jsonl([document], project / CORPUS_DIR / name)
        rerun = measure(dvc("repro"), project, logs / f"incremental-{number + 1}.log")
        figures = {k: v for k, v in rerun.items() if k != "output"}
        figures["stages_run"] = re.findall(r"Running stage '(\w+)'", rerun["output"])
        figures["sentences_tagged"] = tagged_count(rerun["output"])
        figures["sentences_new"] = new_sentences(project, name)
        runs.append(figures)
    incremental = {**runs[0], "seconds": median([r["seconds"] for r in runs]),
                   "cpu_seconds": median([r["cpu_seconds"] for r in runs]), "reruns": runs}

    return {"n_docs": n_docs, "n_distinct_bodies": len({r["text"] for r in pool[:n_docs]}),
            "n_clean_docs": pl.read_parquet(project / "data/clean/documents.parquet", columns=["doc_id"]).height,
            "words": words, "n_sentences": sentences.len(), "n_distinct_sentences": sentences.n_unique(),
            "stages": stages, "full": full, "floor": floor, "incremental": incremental,
            "ratios": {"pipeline_over_floor": full["seconds"] / floor["seconds"],
                       "incremental_over_full": incremental["seconds"] / full["seconds"],
                       "incremental_over_floor": incremental["seconds"] / floor["seconds"],
                       "incremental_cpu_over_floor_cpu": incremental["cpu_seconds"] / floor["cpu_seconds"]},
            "project": str(project)}


# ---------------------------------------------------------------------------------- judging, output

def judge(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The targets, judged on the largest size run (meant for 20,000) and on 20,000 vs 5,000 documents."""
    if not runs:
        return []
    by_size = {run["n_docs"]: run for run in runs}
    top = by_size[max(by_size)]
    n = top["n_docs"]
    inc = top["incremental"]
    checks = [
        check(f"all stages / floor at {n} docs", top["ratios"]["pipeline_over_floor"],
              f"<= {MAX_PIPELINE_OVER_FLOOR}x", top["ratios"]["pipeline_over_floor"] <= MAX_PIPELINE_OVER_FLOOR,
              f"{top['ratios']['pipeline_over_floor']:.2f}x"),
        check(f"incremental / full at {n} docs", top["ratios"]["incremental_over_full"],
              f"<= {MAX_INCREMENTAL_SHARE:.0%}",
              top["ratios"]["incremental_over_full"] <= MAX_INCREMENTAL_SHARE,
              f"{top['ratios']['incremental_over_full']:.1%}"),
        check(f"incremental tags only new text at {n} docs", inc["sentences_tagged"],
              f"<= {inc['sentences_new']} new sentences",
              None if inc["sentences_tagged"] is None else inc["sentences_tagged"] <= inc["sentences_new"],
              "not logged" if inc["sentences_tagged"] is None else f"{inc['sentences_tagged']} tagged"),
        check(f"peak RSS at {n} docs", top["full"]["peak_rss_mb"], f"<= {MAX_PEAK_RSS_MB:.0f} MB",
              top["full"]["peak_rss_mb"] <= MAX_PEAK_RSS_MB, f"{top['full']['peak_rss_mb']:.0f} MB"),
    ]
    for size, share in sorted(INCREMENTAL_OVER_FLOOR.items()):
        if size in by_size:
            ratio = by_size[size]["ratios"]["incremental_over_floor"]
            checks.append(check(f"incremental / floor at {size} docs", ratio, f"<= {share:.0%}", ratio <= share,
                                f"{ratio:.1%}"))
    if TARGET_SIZE in by_size and BASE_SIZE in by_size:
        growth = by_size[TARGET_SIZE]["full"]["peak_rss_mb"] / by_size[BASE_SIZE]["full"]["peak_rss_mb"]
        checks.append(check(f"peak RSS {TARGET_SIZE} / {BASE_SIZE} docs", growth, f"< {MAX_RSS_GROWTH}x",
                            growth < MAX_RSS_GROWTH, f"{growth:.2f}x"))
    else:
        checks.append(check(f"peak RSS {TARGET_SIZE} / {BASE_SIZE} docs", None, f"< {MAX_RSS_GROWTH}x", None,
                            "not run"))
    return checks


def check(name: str, value: float | None, target: str, passed: bool | None, shown: str) -> dict[str, Any]:
    return {"name": name, "value": value, "shown": shown, "target": target, "pass": passed}


def verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: "n/a"}[passed]


def fmt(value: float | None, spec: str) -> str:
    return "-" if value is None else format(value, spec)


def print_size(run: dict[str, Any]) -> None:
    print(f"\n== {run['n_docs']:,} documents ({run['n_distinct_bodies']:,} distinct bodies): "
          f"{run['words']:,} words of clean text, {run['n_sentences']:,} sentences "
          f"({run['n_distinct_sentences']:,} distinct) ==")
    header = f"{'':<34}{'seconds':>9}{'words/s':>11}{'peak RSS MB':>13}{'tree PSS MB':>13}{'cores':>7}"
    print(header)
    print("-" * len(header))

    def row(name: str, fig: dict[str, Any]) -> None:
        print(f"{name:<34}{fig['seconds']:>9.1f}{fmt(fig.get('words_per_s'), ',.0f'):>11}"
              f"{fmt(fig.get('peak_rss_mb'), ',.0f'):>13}{fmt(fig.get('tree_pss_mb'), ',.0f'):>13}"
              f"{fmt(fig.get('cores'), '.2f'):>7}")

    for stage, fig in run["stages"].items():
        row(f"  {stage}", fig)
    row("all five stages (full run)", run["full"])
    floor = run["floor"]
    row(f"floor: bare spaCy NER, n_process={floor['n_process']}", floor)
    print(f"{'':<34}(load {floor['load_seconds']:.1f} s + pipe {floor['pipe_seconds']:.1f} s; "
          f"process {floor['process_seconds']:.1f} s)")
    inc = run["incremental"]
    for number, rerun in enumerate(inc.get("reruns", [inc]), start=1):
        row(f"incremental {number}: +1 document", rerun)
        tagged = "not logged" if rerun["sentences_tagged"] is None else str(rerun["sentences_tagged"])
        print(f"{'':<34}stages run: {' '.join(rerun['stages_run']) or 'none'}; tag tagged {tagged} sentences, "
              f"the new document has {rerun['sentences_new']} not seen before")
    ratios = run["ratios"]
    print(f"CPU seconds: full run {run['full']['cpu_seconds']:.1f}, floor {floor['cpu_seconds']:.1f}, "
          f"incremental (median) {inc['cpu_seconds']:.1f} ({ratios['incremental_cpu_over_floor_cpu']:.1%} of the "
          f"floor's)")
    print(f"all stages / floor: {ratios['pipeline_over_floor']:.2f}x (target <= {MAX_PIPELINE_OVER_FLOOR}x); "
          f"incremental (median) / full: {inc['seconds']:.1f} s / {run['full']['seconds']:.1f} s = "
          f"{ratios['incremental_over_full']:.1%} (target <= {MAX_INCREMENTAL_SHARE:.0%}); incremental / floor: "
          f"{ratios['incremental_over_floor']:.1%}")


def print_checks(checks: list[dict[str, Any]], largest: int) -> None:
    print("\n== targets ==")
    if largest != TARGET_SIZE:
        print(f"(the targets are set for {TARGET_SIZE:,} documents; this run's largest size is {largest:,})")
    for c in checks:
        print(f"{c['name']:<44}{c['shown']:>14}   target {c['target']:<28}{verdict(c['pass'])}")


def write_results(path: Path, meta: dict[str, Any], runs: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps({"meta": meta, "runs": runs, "checks": judge(runs)}, indent=2) + "\n",
                   encoding="utf-8")
    os.replace(tmp, path)


def environment(sizes: list[int], source: Path) -> dict[str, Any]:
    import spacy
    params = yaml.safe_load((source / "params.yaml").read_text(encoding="utf-8"))
    return {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "sizes": sizes,
            "python": platform.python_version(), "spacy": spacy.__version__, "polars": pl.__version__,
            "cpu_count": os.cpu_count(), "machine": platform.machine(), "tag_params": params.get("tag", {}),
            "targets": {"max_pipeline_over_floor": MAX_PIPELINE_OVER_FLOOR,
                        "max_incremental_share": MAX_INCREMENTAL_SHARE, "max_peak_rss_mb": MAX_PEAK_RSS_MB,
                        "max_incremental_over_floor": {str(k): v for k, v in INCREMENTAL_OVER_FLOOR.items()},
                        "max_rss_growth_20k_over_5k": MAX_RSS_GROWTH}}


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated corpus sizes in documents (default %(default)s)")
    parser.add_argument("--quick", action="store_true", help=f"one tiny run of {QUICK_SIZES[0]} documents")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file (default %(default)s)")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="where the temporary project copies go (default: the system's temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the project copies and logs")
    parser.add_argument("--project", type=Path, default=ROOT, help="the project to copy (default: this one)")
    parser.add_argument("--reruns", type=int, default=1,
                        help="incremental reruns per size, each adding one new document (median judged)")
    args = parser.parse_args(argv)
    args.sizes = QUICK_SIZES if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes needs positive document counts")
    if args.reruns < 1:
        parser.error("--reruns needs at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    pool, new_doc = split_pool(read_reuters())
    source = args.project.resolve()
    meta = environment(args.sizes, source)
    workdir = Path(tempfile.mkdtemp(prefix="newsflow-bench-", dir=args.workdir))
    runs: list[dict[str, Any]] = []
    try:
        for n_docs in args.sizes:
            log(f"{n_docs} docs: building the corpus and the project copy in {workdir}")
            runs.append(bench_size(n_docs, pool, new_doc, source, workdir, args.reruns))
            print_size(runs[-1])
            write_results(args.out, meta, runs)
    finally:
        if args.keep:
            log(f"project copies and logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print_checks(judge(runs), max(run["n_docs"] for run in runs))
    print(f"\nresults: {args.out.resolve()}")


if __name__ == "__main__":
    try:
        main()
    except BenchError as err:
        print(f"[bench] ERROR: {err.message}", file=sys.stderr, flush=True)
        raise SystemExit(1) from None
