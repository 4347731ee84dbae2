"""stages.common.executor: the same rows in the same order whatever runs the batches; a dead worker is a
clear stage error."""
from __future__ import annotations

import functools
import os
import signal

import polars as pl
import pytest

from stages.common import StageError
from stages.common.executor import LocalProcesses, InProcess, batches_of, map_batches


def upper(batch: pl.DataFrame, suffix: str = "") -> pl.DataFrame:
    return batch.with_columns((pl.col("text").str.to_uppercase() + suffix).alias("text"))


def with_state(state: dict, batch: pl.DataFrame) -> pl.DataFrame:
    return batch.with_columns(pl.lit(state["word"]).alias("state"), pl.lit(os.getpid()).alias("pid"))


def load_state() -> dict:
    return {"word": "model"}


def die(batch: pl.DataFrame) -> pl.DataFrame:
    os.kill(os.getpid(), signal.SIGKILL)
    return batch


DOCS = pl.DataFrame({"doc_id": ["a", "a", "b", "c", "c", "c", "d"], "text": list("uvwxyzq")})


def test_batches_never_split_a_document():
    batches = batches_of(DOCS, 3)
    assert 1 < len(batches) <= 3
    assert pl.concat(batches).equals(DOCS.sort("doc_id", maintain_order=True))
    for one, other in zip(batches, batches[1:]):
        assert not set(one["doc_id"]) & set(other["doc_id"])
    assert batches_of(DOCS.head(0), 4)[0].height == 0


@pytest.mark.parametrize("executor", [InProcess(), LocalProcesses(2)], ids=["in-process", "processes"])
def test_every_executor_gives_the_same_rows_in_batch_order(executor):
    task = functools.partial(upper, suffix="!")
    out = map_batches(executor, task, batches_of(DOCS, 3))
    assert out.equals(map_batches(InProcess(), task, [DOCS]))


def test_state_is_built_in_each_worker_and_reaches_every_batch():
    out = map_batches(LocalProcesses(2), with_state, batches_of(DOCS, 4), init=load_state)
    assert set(out["state"]) == {"model"} and os.getpid() not in set(out["pid"])


def test_a_killed_worker_fails_the_stage_clearly():
    with pytest.raises(StageError, match="worker process of the tag stage died"):
        LocalProcesses(2, stage="tag").map(die, batches_of(DOCS, 2))
