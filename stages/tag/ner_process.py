"""Where NER runs: the `SpanTagger` seam, and the local implementation (`ForkedTagger`).

The stage asks a `SpanTagger` for the entity spans of the sentence texts its cache does not hold, and
knows nothing else of it: `tag_sentences` (the cache lookup) and `canonicalize` stay as they are when NER
moves elsewhere. A distributed implementation (Ray actors that each load the model once: `ray_tagger`) is
another class with the same methods; it also says where the extractors' documents run (`executor`).

`ForkedTagger`, on this machine. Importing spaCy and loading the model take ~1 s of Python. A thread
cannot overlap that with the stage's other work (reading inputs, consulting the caches, the extractors
that need no entities: the GIL), a second process can, on the second core. So the model loads in a helper
process from the stage's start, and on a rerun that adds a few documents, their new sentences are tagged by
a model that is (nearly) loaded when the cache lookup ends.

The helper is forked, not spawned: a spawned interpreter would first import the stage's own module again
(polars, pandera: ~0.4 s). The stage creates it before its first polars operation, so no polars thread
pool exists yet to be cut off by the fork (the helper itself may then use polars: it reads the cached
gazetteer).

Few texts (fewer than `parallel_min_texts`) or `n_process: 1` are tagged in the helper, batch by batch.
Many texts with `n_process` > 1 (a first run) go to `ner.tag_texts` in the stage itself, whose forked
workers share one loaded model copy-on-write and send back only (start, end, label); the helper is stopped
first. Nothing here imports spaCy in the stage's own process unless that path is taken.

Processes forked here die with the stage. Every process the stage forks from its main thread once a
`ForkedTagger` exists (the helper, and `ner.tag_texts`' workers) asks the kernel for SIGKILL when its parent
ends (`prctl(PR_SET_PDEATHSIG)`, Linux), so a stage killed by the OOM killer or `kill -9` leaves no process
holding a core, memory or the stage's stdout (a `dvc repro ... | tee log` would otherwise never see the end
of its pipe). Elsewhere, the helper still ends when its request pipe reaches end-of-file: it closes its copy
of the stage's end at once, so the stage's death closes the last one.
"""
from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import threading
from multiprocessing.connection import Connection
from typing import Any, Protocol

from schemas.params import Tag as TagParams
from stages.common import StageError, progress
from stages.common.executor import Executor, InProcess

Span = tuple[int, int, str]     # (start, end, label): character offsets into the text


class SpanTagger(Protocol):
    """Where the stage's work runs: entity spans of texts, in input order (each text's spans in the model's
    order), and the executor an extractor's documents go to."""

    def tag(self, texts: list[str]) -> list[list[Span]]: ...

    def executor(self, n_documents: int) -> tuple[Executor, int]:
        """Where an extractor's `n_documents` documents run, and in how many batches."""

    def release_model(self) -> None:
        """NER is done: free what only it needed (`tag` is not called after this)."""

    def close(self) -> None:
        """Release the model, any processes and connections; nothing is called after this."""


_PR_SET_PDEATHSIG = 1                 # linux/prctl.h
_FORK_HOOK: dict[str, Any] = {}      # "prctl": libc's prctl once installed; "parent": pid forking from its main thread


def _note_parent() -> None:
    """Before a fork: the pid the child must die with, if the fork happens in the main thread (the death
    signal follows the forking thread, and only the main thread lives as long as the process)."""
    main = threading.current_thread() is threading.main_thread()
    _FORK_HOOK["parent"] = os.getpid() if main else None


def _die_with_parent() -> None:
    """In a child just forked: SIGKILL when the parent ends; already orphaned (the parent died during the
    fork), end now."""
    parent = _FORK_HOOK.get("parent")
    if parent is None:
        return
    _FORK_HOOK["prctl"](_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:
        os._exit(1)


def die_with_parent_on_fork() -> bool:
    """From now on, every process this process forks from its main thread is killed when this process
    ends (Linux; elsewhere a no-op, returning False). Idempotent."""
    if "prctl" in _FORK_HOOK:
        return True
    try:
        _FORK_HOOK["prctl"] = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # no prctl: not Linux
        return False
    os.register_at_fork(before=_note_parent, after_in_child=_die_with_parent)
    return True


def _serve(conn: Connection, stage_end: Connection, params: TagParams, gazetteer_cache_dir: str | None) -> None:
    """The helper process: load the model, then answer each list of texts with their spans.

    A failure to load is answered to the first request, so the stage reports it as its own error. The
    stage's end of the pipe, inherited by the fork, is closed first: the stage's death is then end-of-file."""
    stage_end.close()
    try:
        from stages.tag.ner import build_nlp, spans_of
        nlp = build_nlp(params, gazetteer_cache_dir)
    except (Exception, SystemExit) as err:  # reported to the stage, which stops with it (StageError included)
        failure = err.message if isinstance(err, StageError) else f"{type(err).__name__}: {err}"
        try:
            conn.recv()
            conn.send(("error", failure))
        except (EOFError, OSError):
            pass
        return
    try:
        while True:
            conn.send(("spans", spans_of(nlp, conn.recv())))
    except (EOFError, OSError):   # the stage ended (or died) without saying goodbye
        pass


class ForkedTagger:
    """A `SpanTagger` on this machine: a model that starts loading in a forked process at once, and
    forked workers sharing one model for many texts (see the module docstring).

    Create it before the first polars operation of the process. `gazetteer_cache_dir`: the stage's cache
    folder (None when the cache is off), where the rule layer reads the gazetteer the stage keeps."""

    def __init__(self, params: TagParams, gazetteer_cache_dir: str | None, progress_stage: str | None = None
                 ) -> None:
        self.params = params
        self.gazetteer_cache_dir = gazetteer_cache_dir
        self.progress_stage = progress_stage
        die_with_parent_on_fork()
        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(child_end, self._conn, params, gazetteer_cache_dir),
                                        daemon=True, name="newsflow-ner")
        self._process.start()
        child_end.close()

    def tag(self, texts: list[str]) -> list[list[Span]]:
        """(start, end, label) spans of each text, in input order (see `ner.tag_texts`)."""
        if self.params.n_process > 1 and len(texts) >= self.params.parallel_min_texts:
            self.close()
            from stages.tag.ner import build_nlp, tag_texts
            return tag_texts(build_nlp(self.params, self.gazetteer_cache_dir), texts, self.params,
                             progress_stage=self.progress_stage)
        size = self.params.batch_size
        batches = [texts[i:i + size] for i in range(0, len(texts), size)]
        tagged = (self._request(batch) for batch in batches)
        if self.progress_stage is not None:
            tagged = progress(tagged, self.progress_stage, "NER batches", total=len(batches))
        return [spans for batch in tagged for spans in batch]

    def _request(self, texts: list[str]) -> list[list[Span]]:
        try:
            self._conn.send(texts)
            kind, answer = self._conn.recv()
        except (EOFError, OSError):
            raise StageError("the NER process died (killed for lack of memory?); nothing was written") from None
        if kind == "error":
            raise StageError(f"loading the NER model (tag.model {self.params.model!r}) failed: {answer}")
        return answer

    def executor(self, n_documents: int) -> tuple[Executor, int]:
        """Here, in one batch: the extractors are fast beside NER, and the stage's caches hold their rows."""
        return InProcess(), 1

    def release_model(self) -> None:
        self.close()

    def close(self) -> None:
        """Stop the helper process at once: it is loading or idle between requests, so nothing is lost."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._conn.close()
