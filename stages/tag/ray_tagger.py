"""NER on a Ray cluster: the `SpanTagger` of `tag.executor: ray`.

Only the sentence texts the stage's NER cache lacks come here (the cache lookup, canonical names and every
table stay in the stage). Below `tag.ray_min_texts` texts they are tagged by the local `ForkedTagger`,
which starts loading the model at once as with `executor: local`: Ray's fixed cost (cluster start or
connection, one model load per actor: ~10 s) would exceed the work.

Otherwise `tag.ray_actors` actors (1 CPU each) each build the project's own pipeline once (`ner.build_nlp`)
and answer blocks of `tag.ray_block_texts` texts with `ner.spans_of`, in sub-batches of `tag.batch_size` as
the local path does. What crosses the network: the block's texts one way; the other way, the block's spans
as sorted (i, start, end, label) rows, where i is the text's index in the block, plus the actor's NER
fingerprint and node. Never a spaCy Doc. Blocks are handed to whichever actor is free and come back in the
order they finish (`ray.util.ActorPool.map_unordered`), each with its index; sorted by it, the spans are
rebuilt in input order and the outputs are byte-identical to the local executor's.

A skewed node cannot poison the cache: each actor computes `ner_fingerprint` on its own node (its model
package, spaCy, rules and data files as shipped to it) and the driver refuses any block whose fingerprint
is not its own, naming the node. A block is also refused unless it covers exactly its texts.

Faults: an actor that dies (killed, out of memory) is restarted by Ray and its block retried
(`_RETRIES` times); then the stage fails with a clear message and writes nothing.

Cluster: `tag.ray_address` "" means $RAY_ADDRESS if set, else a private cluster started here for the run
(`address="local"`: never a cluster named in a stale temp file) and stopped after it; "auto" or "host:port"
join an existing one. The code goes to the actors as a Ray `working_dir` (this project, without /data,
/.cache, /.venv, /.git and what .gitignore names); the head and workers run the same requirements lock.
Ray is imported only when this path runs: the local executor never imports it.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Callable

from schemas.params import Tag as TagParams
from stages.common import StageError, log, progress
from stages.tag.ner_process import ForkedTagger, Span

ROOT = Path(__file__).resolve().parents[2]
# Not shipped to the actors: data, caches, environments, history; .gitignore'd files are left out too.
WORKING_DIR_EXCLUDES = ["/data", "/.cache", "/.venv", "/.git", "/.dvc", "/bench/results", "/seeds", "/corpus",
                        "/tests", "*.parquet"]
_RETRIES = 2          # restarts of a dead actor, and retries of the block it held
Block = tuple[str, str, int, list[int], list[int], list[int], list[str]]  # fingerprint, node, n, i, start, end, label


class NerActor:
    """One model per actor; `tag` answers a block of texts with its sorted span rows."""

    def __init__(self, params: TagParams, gazetteer_cache_dir: str | None) -> None:
        from stages.tag.__main__ import ner_fingerprint
        from stages.tag.ner import build_nlp
        self.params = params
        self.fingerprint = ner_fingerprint(params)
        self.nlp = build_nlp(params, gazetteer_cache_dir if gazetteer_cache_dir and Path(gazetteer_cache_dir).is_dir()
                             else None)

    def tag(self, index: int, texts: list[str]) -> tuple[int, Block]:
        """Block `index`'s answer, with its index: blocks are collected in the order they finish."""
        import ray

        from stages.tag.ner import spans_of
        size = self.params.batch_size
        rows = sorted((i, start, end, label)
                      for first in range(0, len(texts), size)
                      for i, spans in enumerate(spans_of(self.nlp, texts[first:first + size]), start=first)
                      for start, end, label in spans)
        columns: list[Any] = [list(column) for column in zip(*rows)] if rows else [[], [], [], []]
        # The node by address and id: nodes of a cluster on one machine share an address.
        node = f"{ray.util.get_node_ip_address()}/{ray.get_runtime_context().get_node_id()[:12]}"
        return index, (self.fingerprint, node, len(texts), *columns)

    def pid(self) -> int:
        return os.getpid()


def spans_of_blocks(blocks: list[Block], sizes: list[int], expected: str) -> list[list[Span]]:
    """The spans of every text, in input order, from the blocks' rows; a block from an actor whose NER
    fingerprint differs from `expected`, or that does not cover its texts, is refused."""
    spans: list[list[Span]] = []
    for (fingerprint, node, n, ids, starts, ends, labels), size in zip(blocks, sizes, strict=True):
        if fingerprint != expected:
            raise StageError(f"a Ray NER actor on node {node} has another model, spaCy, rules or params "
                             f"(NER fingerprint {fingerprint[:12]}, this machine's {expected[:12]}): its results "
                             "were refused and nothing was written. Install the same lock on every node")
        if n != size or any(not 0 <= i < size for i in ids):
            raise StageError(f"a Ray NER actor on node {node} answered {n} texts for a block of {size}; "
                             "nothing was written")
        block: list[list[Span]] = [[] for _ in range(size)]
        for i, start, end, label in zip(ids, starts, ends, labels):
            block[i].append((start, end, label))
        spans.extend(block)
    return spans


def _connect(params: TagParams) -> bool:
    """Join (or start) the cluster; True when this run started it (and must stop it)."""
    import ray
    address = params.ray_address or os.environ.get("RAY_ADDRESS", "") or "local"
    runtime_env = {"working_dir": str(ROOT), "excludes": WORKING_DIR_EXCLUDES,
                   "env_vars": {"RAY_USAGE_STATS_ENABLED": "0"}}
    private = address == "local"
    try:
        ray.init(address=address, runtime_env=runtime_env, include_dashboard=False, log_to_driver=False,
                 logging_level=logging.ERROR,
                 **({"num_cpus": params.ray_actors} if private else {}))
    except (ConnectionError, RuntimeError, ValueError) as err:
        raise StageError(f"could not reach the Ray cluster (tag.ray_address {params.ray_address!r}, RAY_ADDRESS "
                         f"{os.environ.get('RAY_ADDRESS', '')!r}): {err}") from None
    return private


def tag_on_ray(params: TagParams, texts: list[str], expected: str, gazetteer_cache_dir: str | None,
               progress_stage: str | None = None) -> list[list[Span]]:
    """Spans of `texts` (input order) from `tag.ray_actors` actors; see the module docstring."""
    size = params.ray_block_texts
    blocks = [texts[i:i + size] for i in range(0, len(texts), size)]
    answers = answer_blocks(params, blocks, gazetteer_cache_dir, progress_stage)
    if progress_stage is not None:
        nodes = sorted({answer[1] for answer in answers})
        log(progress_stage, f"{len(blocks)} blocks tagged on {len(nodes)} Ray node(s): {', '.join(nodes)}")
    return spans_of_blocks(answers, [len(block) for block in blocks], expected)


def answer_blocks(params: TagParams, blocks: list[list[str]], gazetteer_cache_dir: str | None,
                  progress_stage: str | None = None) -> list[Block]:
    """Each block's answer from the actors, in block order (unchecked: see `spans_of_blocks`)."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    import ray
    from ray.util import ActorPool

    private = _connect(params)
    try:
        actor = ray.remote(num_cpus=1, max_restarts=_RETRIES, max_task_retries=_RETRIES)(NerActor)
        # A private cluster runs on this machine: its actors may read the gazetteer the stage keeps.
        gazetteer = gazetteer_cache_dir if private else None
        actors = [actor.remote(params, gazetteer) for _ in range(params.ray_actors)]
        # Unordered: an actor takes the next block as soon as it is done. In submission order an actor whose
        # block finished before an earlier one of another actor would wait idle for it (ActorPool.map).
        answers = ActorPool(actors).map_unordered(lambda a, job: a.tag.remote(*job), enumerate(blocks))
        if progress_stage is not None:
            answers = progress(answers, progress_stage, "Ray NER blocks", total=len(blocks))
        try:
            indexed = sorted(answers, key=lambda answer: answer[0])
        except ray.exceptions.RayError as err:
            raise StageError(f"NER on Ray failed (an actor died {_RETRIES + 1} times, or the cluster went away?); "
                             f"nothing was written: {type(err).__name__}: {str(err).splitlines()[0]}") from None
    finally:
        ray.shutdown()
    if [index for index, _ in indexed] != list(range(len(blocks))):
        raise StageError(f"Ray answered blocks {[index for index, _ in indexed][:10]}... for {len(blocks)} blocks; "
                         "nothing was written")
    return [block for _, block in indexed]


class RayTagger:
    """`tag.executor: ray`: few texts on this machine (`ForkedTagger`, created here so that the model starts
    loading at once), many on Ray actors. Create it where a `ForkedTagger` would be (before polars)."""

    def __init__(self, params: TagParams, gazetteer_cache_dir: str | None, fingerprint: Callable[[], str],
                 progress_stage: str | None = None) -> None:
        self.params = params
        self.gazetteer_cache_dir = gazetteer_cache_dir
        self.fingerprint = fingerprint
        self.progress_stage = progress_stage
        self.local = ForkedTagger(params, gazetteer_cache_dir, progress_stage)

    def tag(self, texts: list[str]) -> list[list[Span]]:
        if len(texts) < self.params.ray_min_texts:
            return self.local.tag(texts)
        self.local.close()
        if self.progress_stage is not None:
            log(self.progress_stage, f"{len(texts)} texts to tag on Ray ({self.params.ray_actors} actors)")
        return tag_on_ray(self.params, texts, self.fingerprint(), self.gazetteer_cache_dir, self.progress_stage)

    def close(self) -> None:
        self.local.close()
