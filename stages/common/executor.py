"""The executor seam: a stage's per-document work is a pure function over a batch of documents (frames in,
frames out), and an executor decides where the batches run.

    rows = map_batches(executor, task, batches_of(docs, n_batches))

`task(batch) -> frame` must be a module-level function (or a `functools.partial` of one with picklable
arguments such as a params model), so any executor can ship it. An optional `init()` builds per-worker
state once (a loaded model); the task then receives it first: `task(state, batch)`.

- `InProcess`: runs every batch here, in order. The default, and the only choice for small inputs.
- `LocalProcesses(n)`: worker processes on this machine, started by a fork server (a plain `fork` of a
  process that has used polars can deadlock in the child: polars' thread pool does not survive a fork).
  `init` runs once in each worker; a worker that dies (killed for memory, say) fails the stage with a
  clear message instead of hanging. (The tag stage's NER workers are forked before polars is touched, so
  they share the loaded model copy-on-write: see stages/tag.)
A distributed engine plugs in as another class with the same `map` (see the scale-out issue), without
touching the transforms. Results always come back in batch order, so outputs do not depend on the executor.
"""
from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Callable, Protocol, Sequence

import polars as pl

from stages.common.run import StageError

Task = Callable[..., pl.DataFrame]


class Executor(Protocol):
    def map(self, task: Task, batches: Sequence[pl.DataFrame],
            init: Callable[[], Any] | None = None) -> list[pl.DataFrame]: ...


class InProcess:
    def map(self, task: Task, batches: Sequence[pl.DataFrame],
            init: Callable[[], Any] | None = None) -> list[pl.DataFrame]:
        if init is None:
            return [task(batch) for batch in batches]
        state = init()
        return [task(state, batch) for batch in batches]


_WORKER_STATE: dict[str, Any] = {}


def _start_worker(init: Callable[[], Any]) -> None:
    _WORKER_STATE["state"] = init()


def _with_state(task: Task, batch: pl.DataFrame) -> pl.DataFrame:
    return task(_WORKER_STATE["state"], batch)


class LocalProcesses:
    def __init__(self, n_process: int, stage: str = "stage") -> None:
        self.n_process = n_process
        self.stage = stage

    def map(self, task: Task, batches: Sequence[pl.DataFrame],
            init: Callable[[], Any] | None = None) -> list[pl.DataFrame]:
        """`task` and `init` must be picklable (module-level functions or partials of them)."""
        context = multiprocessing.get_context("forkserver")
        start = {"initializer": _start_worker, "initargs": (init,)} if init is not None else {}
        try:
            with ProcessPoolExecutor(max_workers=self.n_process, mp_context=context, **start) as pool:
                if init is not None:
                    futures = [pool.submit(_with_state, task, batch) for batch in batches]
                else:
                    futures = [pool.submit(task, batch) for batch in batches]
                return [future.result() for future in futures]
        except BrokenProcessPool:
            raise StageError(f"a worker process of the {self.stage} stage died (killed, or out of memory?); "
                             f"nothing was written: run again, or lower {self.stage}.n_process") from None


def batches_of(frame: pl.DataFrame, n_batches: int, by: str = "doc_id") -> list[pl.DataFrame]:
    """`frame` cut into at most `n_batches` consecutive slices of about equal rows, never splitting the rows
    of one `by` value (a document) across two batches."""
    if frame.height == 0 or n_batches <= 1:
        return [frame]
    ordered = frame.sort(by, maintain_order=True)
    starts = ordered.select(pl.col(by).ne(pl.col(by).shift()).fill_null(True).arg_true())[by].to_list()
    target = max(1, -(-ordered.height // n_batches))
    cuts, last = [0], 0
    for start in starts[1:]:
        if start - last >= target:
            cuts.append(start)
            last = start
    cuts.append(ordered.height)
    return [ordered.slice(a, b - a) for a, b in zip(cuts, cuts[1:]) if b > a]


def map_batches(executor: Executor, task: Task, batches: Sequence[pl.DataFrame],
                init: Callable[[], Any] | None = None) -> pl.DataFrame:
    """Run `task` on every batch with `executor` and concatenate the results in batch order."""
    if not batches:
        raise ValueError("map_batches needs at least one batch (batches_of gives one for an empty frame)")
    return pl.concat(executor.map(task, batches, init), how="vertical")
