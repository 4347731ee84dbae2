"""dvc.yaml agrees with the params model: each stage tracks exactly the keys of its section that can change
its outputs (nested sections as a whole), never a run-only key; the check stage runs before ingest."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from schemas.params import SECTIONS

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = yaml.safe_load((ROOT / "dvc.yaml").read_text(encoding="utf-8"))["stages"]


@pytest.mark.parametrize("stage", sorted(SECTIONS))
def test_each_stage_tracks_the_keys_that_decide_its_outputs(stage):
    model = SECTIONS[stage]
    # a stage may also track another section's keys it reads (aggregate: tag.dates, for the story dates)
    tracked = {entry.removeprefix(f"{stage}.") for entry in PIPELINE[stage]["params"] if entry.startswith(f"{stage}.")}
    assert tracked == set(model.model_fields) - model.RUN_ONLY


def test_the_check_runs_first_and_on_every_params_change():
    check = PIPELINE["check"]
    assert "params.yaml" in check["deps"]
    marker = next(iter(check["outs"][0]))
    assert marker in PIPELINE["ingest"]["deps"]


def _paths(entries: list) -> list[str]:
    """dvc.yaml deps/outs entries as paths (an entry with options is a one-key mapping)."""
    return [next(iter(entry)) if isinstance(entry, dict) else entry for entry in entries]


@pytest.mark.parametrize("stage", ["ingest", "clean", "segment", "tag", "aggregate"])
def test_each_stage_module_names_exactly_the_data_paths_dvc_yaml_lists(stage):
    """Paths are written once in each stage module (INPUTS, OUTPUTS); dvc.yaml must list the same ones."""
    import importlib
    module = importlib.import_module(f"stages.{stage}.__main__")
    block = PIPELINE[stage]
    deps = [dep for dep in _paths(block["deps"]) if dep.startswith(("data/", "${"))]
    outs = _paths(block["outs"]) + _paths(block.get("metrics", []))
    assert sorted(module.INPUTS) == sorted(deps)
    assert sorted(module.OUTPUTS) == sorted(outs)
