"""stages.common.run: a stage sweeps the temporaries a killed run left beside its outputs."""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

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


# ---- the memory guard

def test_the_memory_guard_stops_with_a_clear_message_when_memory_runs_low():
    from stages.common.run import watch_memory
    messages: list[str] = []
    said = threading.Event()
    left = iter([900, 800, 150])
    watch_memory("aggregate", 200, "Lower aggregate.stories.max_candidates.", interval_s=0.01,
                 available=lambda: next(left, 150), on_low=lambda m: (messages.append(m), said.set()))
    assert said.wait(5)
    assert len(messages) == 1
    assert "only 150 MB were left" in messages[0] and "aggregate.memory_reserve_mb = 200 MB" in messages[0]
    assert messages[0].endswith("Lower aggregate.stories.max_candidates.")


def test_the_memory_guard_is_off_at_zero_and_stops_when_told():
    from stages.common.run import watch_memory
    calls: list[str] = []
    watch_memory("aggregate", 0, "", interval_s=0.01, available=lambda: 1, on_low=calls.append)
    stop = watch_memory("aggregate", 10, "", interval_s=0.01, available=lambda: 1000, on_low=calls.append)
    time.sleep(0.1)
    stop.set()
    assert calls == []


def test_a_stage_under_the_reserve_exits_at_once_with_status_1():
    from stages.common.run import available_mb
    if available_mb() is None:
        pytest.skip("no /proc/meminfo")
    code = ("import time\nfrom stages.common.run import watch_memory\n"
            "watch_memory('aggregate', 10**9, 'Use a bigger machine.', interval_s=0.05)\ntime.sleep(30)\n")
    started = time.monotonic()
    proc = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1 and time.monotonic() - started < 20
    assert "[aggregate] ERROR: stopped before the machine ran out of memory" in proc.stderr
    assert "Nothing was written. Use a bigger machine." in proc.stderr
