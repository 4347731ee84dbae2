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
    tracked = {entry.removeprefix(f"{stage}.") for entry in PIPELINE[stage]["params"]}
    assert tracked == set(model.model_fields) - model.RUN_ONLY


def test_the_check_runs_first_and_on_every_params_change():
    check = PIPELINE["check"]
    assert "params.yaml" in check["deps"]
    marker = next(iter(check["outs"][0]))
    assert marker in PIPELINE["ingest"]["deps"]
