"""The stage entry point on a tiny data/ folder: every output written, valid, and byte-identical on rerun;
its paths are those of dvc.yaml.

The first test replaces the story search and the claims by fakes returning the hand-built frames, so it
checks the wiring of this stage on its own; the second runs the real ones (and their caches)."""
from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import polars as pl
import yaml

from schemas.aggregate import (Alignments, Claims, Cooccurrence, EntityStats, Related, Stories, StoryDates,
                               Timeline)
from stages.aggregate.report import normalise_run_block
from tests.aggregate.tiny_corpus import build_tiny_corpus
from tests.shipped_params import params_yaml

ROOT = Path(__file__).resolve().parents[2]
TABLES = {"ingest/documents": "ingest_docs", "ingest/rejected": "rejected", "clean/documents": "clean_docs",
          "clean/removed": "removed", "segment/sentences": "sentences", "tag/entities": "entities",
          "tag/quotes": "quotes", "tag/dates": "dates", "tag/attributions": "attributions",
          "tag/counts": "counts", "tag/themes": "themes", "tag/faults": "faults"}
OUTPUTS = {"stories": Stories, "alignments": Alignments, "claims": Claims, "related": Related, "entities": EntityStats,
           "cooccurrence": Cooccurrence, "timeline": Timeline, "story_dates": StoryDates}


def make_project(root: Path) -> dict[str, pl.DataFrame]:
    corpus = build_tiny_corpus()
    for table, key in TABLES.items():
        path = root / "data" / f"{table}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        corpus[key].write_parquet(path)
    # the aggregate section, and tag's for the dates grammar the story dates are resolved with
    (root / "params.yaml").write_text(params_yaml("aggregate", {"cooccurrence": {"min_sentences": 1},
                                                                "report": {"top_entities": 3, "network_nodes": 10}})
                                      + params_yaml("tag", {}))
    return corpus


def load_main(monkeypatch, corpus: dict[str, pl.DataFrame] | None = None):
    """Import stages.aggregate.__main__ afresh; with `corpus`, the story search and claims are fakes."""
    monkeypatch.delitem(sys.modules, "stages.aggregate.__main__", raising=False)
    stage = importlib.import_module("stages.aggregate.__main__")
    if corpus is not None:
        found = SimpleNamespace(stories=corpus["stories"], alignments=corpus["alignments"], signatures=None,
                                links=None, kinds=None)
        monkeypatch.setattr(stage, "search_stories", lambda *args: found)
        monkeypatch.setattr(stage, "find_claims", lambda *args, **kwargs: corpus["claims"])
    return stage


def snapshot(root: Path) -> dict[str, bytes]:
    """Every output's bytes; report.html with its run-specific block ("what changed") emptied."""
    return {str(p.relative_to(root)): (normalise_run_block(p.read_text(encoding="utf-8")).encode()
                                       if p.name == "report.html" else p.read_bytes())
            for p in sorted((root / "data").rglob("*"))
            if p.is_file() and ("aggregate" in p.parts or p.name == "metrics.json")}


def test_stage_writes_every_output(tmp_path, monkeypatch):
    corpus = make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    stage = load_main(monkeypatch, corpus)
    stage.main()
    for name, model in OUTPUTS.items():
        model.validate(pl.read_parquet(tmp_path / f"data/aggregate/{name}.parquet"), lazy=True)
    entities = pl.read_parquet(tmp_path / "data/aggregate/entities.parquet")
    assert entities["entity_id"].to_list() == sorted(entities["entity_id"].to_list())
    metrics = json.loads((tmp_path / "data/metrics.json").read_text())
    assert metrics["stories"]["copies"] == 1 and metrics["documents"]["rejected"] == 1
    assert metrics["tags"] == {"attributions": 2, "counts": 1, "themes": 0}
    assert metrics["faults"] == {"documents": 0, "rows": 0, "doc_ids": ""}
    for plot in ("top_entities", "story_sizes", "boilerplate"):
        assert (tmp_path / f"data/aggregate/plots/{plot}.csv").read_text().count("\n") >= 2
    assert len(pl.read_csv(tmp_path / "data/aggregate/plots/top_entities.csv")) == 3  # report.top_entities
    page = (tmp_path / "data/aggregate/report.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and "Talks in Rome" in page
    first = snapshot(tmp_path)
    stage.main()
    assert snapshot(tmp_path) == first


def test_stage_with_real_stories_and_claims_and_a_warm_cache(tmp_path, monkeypatch):
    make_project(tmp_path)
    monkeypatch.chdir(tmp_path)
    stage = load_main(monkeypatch)
    stage.main()
    for name, model in OUTPUTS.items():
        model.validate(pl.read_parquet(tmp_path / f"data/aggregate/{name}.parquet"), lazy=True)
    assert (tmp_path / "data/aggregate/report.html").stat().st_size > 10_000
    assert sorted(p.name.split("-")[0] for p in (tmp_path / ".cache/aggregate").iterdir() if p.is_dir()) == \
        ["lsh", "signatures", "sketches"]
    cold = snapshot(tmp_path)
    stage.main()
    assert snapshot(tmp_path) == cold


def test_paths_are_those_of_dvc_yaml(monkeypatch):
    block = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]["aggregate"]
    stage = load_main(monkeypatch)
    data_deps = [dep for dep in block["deps"] if dep.startswith("data/")]
    outs = [next(iter(out)) if isinstance(out, dict) else out for out in block["outs"] + block["metrics"]]
    assert stage.INPUTS == data_deps
    assert sorted(stage.OUTPUTS) == sorted(outs)
