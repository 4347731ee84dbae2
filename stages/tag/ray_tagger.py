"""The tag stage on a Ray cluster: the `SpanTagger` of `tag.executor: ray`, for NER and for the extractors.

NER: only the sentence texts the stage's NER cache lacks come here (the cache lookup, canonical names and
every table stay in the stage). Below `tag.ray_min_texts` texts they are tagged by the local `ForkedTagger`,
which starts loading the model at once as with `executor: local`: Ray's fixed cost (cluster start or
connection, one model load per actor: ~10 s) would exceed the work.

Otherwise `tag.ray_actors` actors (1 CPU each) each build the project's own pipeline once (`ner.build_nlp`,
at their first block) and answer blocks of `tag.ray_block_texts` texts with `ner.spans_of`, in sub-batches of
`tag.batch_size` as the local path does. What crosses the network: the block's texts one way; the other way,
the block's spans as sorted (i, start, end, label) rows, where i is the text's index in the block, plus the
actor's NER fingerprint and node. Never a spaCy Doc. Blocks are handed to whichever actor is free and come
back in the order they finish (`ray.util.ActorPool.map_unordered`), each with its index; sorted by it, the
spans are rebuilt in input order and the outputs are byte-identical to the local executor's.

Extractors (quotes, attributions, counts, dates, themes): the documents an extractor's cache lacks go to the
same actors through `RayExecutor`, the executor seam of `stages.common.executor`, once there are
`tag.ray_min_docs` of them, in batches of about `tag.ray_block_docs` whole documents (their clean
documents, sentences and, for quotes and attributions, canonical mentions one way; the extractor's rows
the other), collected as NER blocks are and put back in batch order. Canonical names are corpus-wide and
stay in the stage. Without this the stage's own serial extraction (~1 ms a document) would bound what more
nodes can gain.

A skewed node cannot poison the cache: each actor computes `ner_fingerprint` and the extractors' code
fingerprint on its own node (its model package, spaCy, rules, code and data files as shipped to it) and the
driver refuses any answer whose fingerprint is not its own, naming the node. A block is also refused
unless it covers exactly its texts.

Faults: an actor that dies (killed, out of memory) is restarted by Ray and its block retried
(`_RETRIES` times); then the stage fails with a clear message and writes nothing.

Cluster: `tag.ray_address` "" means $RAY_ADDRESS if set, else a private cluster started here for the run
(`address="local"`: never a cluster named in a stale temp file) and stopped after it; "auto" or "host:port"
join an existing one. The connection and the actors are made at the first block (`RayCluster`) and kept
until the stage closes its tagger. The code goes to the actors as a Ray `working_dir` (this project, without
/data, /.cache, /.venv, /.git and what .gitignore names); the head and workers run the same requirements
lock. Ray is imported only when this path runs: the local executor never imports it.
"""
from __future__ import annotations

import functools
import logging
import os
from pathlib import Path
from typing import Any, Callable, Sequence

import polars as pl

from schemas.params import Tag as TagParams
from stages.common import StageError, log, progress
from stages.common.executor import Executor, InProcess, Task
from stages.tag.ner_process import ForkedTagger, Span

ROOT = Path(__file__).resolve().parents[2]
# Not shipped to the actors: data, caches, environments, history; .gitignore'd files are left out too.
WORKING_DIR_EXCLUDES = ["/data", "/.cache", "/.venv", "/.git", "/.dvc", "/bench/results", "/seeds", "/corpus",
                        "/tests", "*.parquet"]
_RETRIES = 2          # restarts of a dead actor, and retries of the block it held
Block = tuple[str, str, int, list[int], list[int], list[int], list[str]]  # fingerprint, node, n, i, start, end, label


class TagActor:
    """One actor of the cluster: `tag` answers a block of texts with its sorted span rows (the model is built
    at the first block), `run` runs an extractor task on a batch of documents."""

    def __init__(self, params: TagParams, gazetteer_cache_dir: str | None) -> None:
        from stages.tag.__main__ import extractor_code_fingerprint, ner_fingerprint
        self.params = params
        readable = gazetteer_cache_dir and Path(gazetteer_cache_dir).is_dir()
        self.gazetteer_cache_dir = gazetteer_cache_dir if readable else None
        self.fingerprint = ner_fingerprint(params)
        self.code_fingerprint = extractor_code_fingerprint()
        self.nlp: Any = None

    def tag(self, index: int, texts: list[str]) -> tuple[int, Block]:
        """Block `index`'s answer, with its index: blocks are collected in the order they finish."""
        from stages.tag.ner import build_nlp, spans_of
        if self.nlp is None:
            self.nlp = build_nlp(self.params, self.gazetteer_cache_dir)
        size = self.params.batch_size
        rows = sorted((i, start, end, label)
                      for first in range(0, len(texts), size)
                      for i, spans in enumerate(spans_of(self.nlp, texts[first:first + size]), start=first)
                      for start, end, label in spans)
        columns: list[Any] = [list(column) for column in zip(*rows)] if rows else [[], [], [], []]
        return index, (self.fingerprint, _node(), len(texts), *columns)

    def run(self, index: int, task: Task, batch: Any) -> tuple[int, tuple[str, str, pl.DataFrame]]:
        """Batch `index`'s rows from `task` (an extractor's executor task), with this node's code fingerprint."""
        return index, (self.code_fingerprint, _node(), task(batch))

    def pid(self) -> int:
        return os.getpid()


def _node() -> str:
    """This actor's node by address and id: nodes of a cluster on one machine share an address."""
    import ray
    return f"{ray.util.get_node_ip_address()}/{ray.get_runtime_context().get_node_id()[:12]}"


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


class RayCluster:
    """The connection to the cluster and its `tag.ray_actors` actors: made at the first `answers`, ended by
    `close` (a private cluster stops with it)."""

    def __init__(self, params: TagParams, gazetteer_cache_dir: str | None) -> None:
        self.params = params
        self.gazetteer_cache_dir = gazetteer_cache_dir
        self._actors: list[Any] | None = None

    def actors(self) -> list[Any]:
        if self._actors is None:
            os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
            import ray
            private = _connect(self.params)
            actor = ray.remote(num_cpus=1, max_restarts=_RETRIES, max_task_retries=_RETRIES)(TagActor)
            # A private cluster runs on this machine: its actors may read the gazetteer the stage keeps.
            gazetteer = self.gazetteer_cache_dir if private else None
            self._actors = [actor.remote(self.params, gazetteer) for _ in range(self.params.ray_actors)]
        return self._actors

    def answers(self, call: Callable[[Any, tuple[int, Any]], Any], jobs: Sequence[Any], what: str,
                progress_stage: str | None = None) -> list[Any]:
        """`call(actor, (index, job))` for every job on whichever actor is free; the answers, each `(index,
        answer)`, in job order. Unordered: an actor takes the next job as soon as it is done (in submission
        order an actor whose job finished before an earlier one of another actor would wait idle for it)."""
        import ray
        from ray.util import ActorPool
        answers = ActorPool(self.actors()).map_unordered(call, enumerate(jobs))
        if progress_stage is not None:
            answers = progress(answers, progress_stage, f"Ray {what} blocks", total=len(jobs))
        try:
            indexed = sorted(answers, key=lambda answer: answer[0])
        except ray.exceptions.RayError as err:
            raise StageError(f"{what} on Ray failed (an actor died {_RETRIES + 1} times, or the cluster went away?); "
                             f"nothing was written: {type(err).__name__}: {str(err).splitlines()[0]}") from None
        if [index for index, _ in indexed] != list(range(len(jobs))):
            raise StageError(f"Ray answered blocks {[index for index, _ in indexed][:10]}... for {len(jobs)} "
                             f"{what} blocks; nothing was written")
        return [answer for _, answer in indexed]

    def close(self) -> None:
        if self._actors is not None:
            import ray
            self._actors = None
            ray.shutdown()


def tag_on_ray(params: TagParams, texts: list[str], expected: str, gazetteer_cache_dir: str | None,
               progress_stage: str | None = None, cluster: RayCluster | None = None) -> list[list[Span]]:
    """Spans of `texts` (input order) from `tag.ray_actors` actors; see the module docstring."""
    size = params.ray_block_texts
    blocks = [texts[i:i + size] for i in range(0, len(texts), size)]
    answers = answer_blocks(params, blocks, gazetteer_cache_dir, progress_stage, cluster)
    if progress_stage is not None:
        nodes = sorted({answer[1] for answer in answers})
        log(progress_stage, f"{len(blocks)} blocks tagged on {len(nodes)} Ray node(s): {', '.join(nodes)}")
    return spans_of_blocks(answers, [len(block) for block in blocks], expected)


def answer_blocks(params: TagParams, blocks: list[list[str]], gazetteer_cache_dir: str | None,
                  progress_stage: str | None = None, cluster: RayCluster | None = None) -> list[Block]:
    """Each block's answer from the actors of `cluster` (one made and closed here when None), in block
    order (unchecked: see `spans_of_blocks`)."""
    own = cluster is None
    cluster = cluster or RayCluster(params, gazetteer_cache_dir)
    try:
        return cluster.answers(lambda a, job: a.tag.remote(*job), blocks, "NER", progress_stage)
    finally:
        if own:
            cluster.close()


def rows_of_batches(answers: list[tuple[str, str, pl.DataFrame]], batches: Sequence[Any], expected: str
                    ) -> list[pl.DataFrame]:
    """Each batch's rows from its answer (code fingerprint, node, rows), in batch order. An answer from an actor
    whose code fingerprint differs from `expected` is refused, and so is one holding rows of documents its
    batch does not hold (a batch with documents, `docs`, answered by rows with a doc_id): a lost, repeated or
    crossed answer can never put one document's rows in twice or under another batch."""
    if len(answers) != len(batches):
        raise StageError(f"the Ray actors answered {len(answers)} batches of {len(batches)}; nothing was written")
    for (fingerprint, node, rows), batch in zip(answers, batches):
        if fingerprint != expected:
            raise StageError(f"a Ray actor on node {node} runs other tag code or data (fingerprint "
                             f"{fingerprint[:12]}, this machine's {expected[:12]}): its rows were refused "
                             "and nothing was written. Ship the same project and lock to every node")
        docs = getattr(batch, "docs", None)
        if isinstance(docs, pl.DataFrame) and "doc_id" in rows.columns and not rows.is_empty():
            foreign = rows.filter(~pl.col("doc_id").is_in(docs["doc_id"].implode()))["doc_id"].unique().sort()
            if foreign.len():
                raise StageError(f"a Ray actor on node {node} answered a batch with rows of {foreign.len()} "
                                 f"document(s) the batch does not hold ({', '.join(foreign.head(3).to_list())}); "
                                 "nothing was written")
    return [rows for _, _, rows in answers]


class RayExecutor:
    """The executor seam (`stages.common.executor`) on the cluster's actors, for the extractors' tasks: each
    batch goes to whichever actor is free, the rows come back in batch order. Rows from an actor whose code
    fingerprint (`extractor_code_fingerprint`: the tag package's code and data, the table models) differs
    from `expected`, or about documents outside their batch, are refused, naming the node (`rows_of_batches`)."""

    def __init__(self, cluster: RayCluster, expected: str, progress_stage: str | None = None) -> None:
        self.cluster = cluster
        self.expected = expected
        self.progress_stage = progress_stage

    def map(self, task: Task, batches: Sequence[Any], init: Callable[[], Any] | None = None) -> list[pl.DataFrame]:
        if init is not None:
            raise TypeError("RayExecutor runs tasks without per-worker state: pass init=None")
        answers = self.cluster.answers(lambda a, job: a.run.remote(job[0], task, job[1]), batches, "extractor",
                                       self.progress_stage)
        return rows_of_batches(answers, batches, self.expected)


class RayTagger:
    """`tag.executor: ray`: few texts on this machine (`ForkedTagger`, created here so that the model starts
    loading at once), many on Ray actors; an extractor's documents on the same actors once there are
    `tag.ray_min_docs` of them. Create it where a `ForkedTagger` would be (before polars)."""

    def __init__(self, params: TagParams, gazetteer_cache_dir: str | None, fingerprint: Callable[[], str],
                 code_fingerprint: Callable[[], str], progress_stage: str | None = None) -> None:
        """`fingerprint`, `code_fingerprint`: this machine's NER and extractor code fingerprints (computed
        when first needed), which every actor's answers must match."""
        self.params = params
        self.gazetteer_cache_dir = gazetteer_cache_dir
        self.fingerprint = fingerprint
        self.code_fingerprint = functools.cache(code_fingerprint)   # once, for all five extractors
        self.progress_stage = progress_stage
        self.local = ForkedTagger(params, gazetteer_cache_dir, progress_stage)
        self.cluster = RayCluster(params, gazetteer_cache_dir)

    def tag(self, texts: list[str]) -> list[list[Span]]:
        if len(texts) < self.params.ray_min_texts:
            return self.local.tag(texts)
        self.local.close()
        if self.progress_stage is not None:
            log(self.progress_stage, f"{len(texts)} texts to tag on Ray ({self.params.ray_actors} actors)")
        return tag_on_ray(self.params, texts, self.fingerprint(), self.gazetteer_cache_dir, self.progress_stage,
                          self.cluster)

    def executor(self, n_documents: int) -> tuple[Executor, int]:
        if n_documents < self.params.ray_min_docs:
            return InProcess(), 1
        return (RayExecutor(self.cluster, self.code_fingerprint(), self.progress_stage),
                -(-n_documents // self.params.ray_block_docs))

    def release_model(self) -> None:
        self.local.close()

    def close(self) -> None:
        self.local.close()
        self.cluster.close()
