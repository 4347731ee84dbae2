"""stages.common.run: a stage sweeps the temporaries a killed run left beside its outputs."""
from __future__ import annotations

from stages.common.run import sweep_temporaries


def test_stale_temporaries_of_the_stage_are_swept_and_nothing_else(tmp_path):
    data = tmp_path / "data"
    (data / "tag").mkdir(parents=True)
    (data / "tag" / "plots").mkdir()
    (data / "segment").mkdir()
    stale = [data / "tag" / ".entities.parquet.ab12cd.tmp", data / "tag" / "plots" / ".x.csv.zz.tmp"]
    kept = [data / "tag" / "entities.parquet", data / "segment" / ".sentences.parquet.q.tmp",
            data / "tag" / "notes.tmp"]
    for path in stale + kept:
        path.write_bytes(b"x")
    assert sorted(sweep_temporaries("tag", data)) == sorted(stale)
    assert all(path.exists() for path in kept) and not any(path.exists() for path in stale)
    assert sweep_temporaries("absent", data) == []
