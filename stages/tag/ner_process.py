"""The NER model, loading in a process of its own from the tag stage's start (`NerProcess`).

Importing spaCy and loading the model take ~1 s of Python. A thread cannot overlap that with the stage's
other work (reading inputs, consulting the caches, the extractors that need no entities: the GIL), a
second process can, on the second core. So on a rerun that adds a few documents, their new sentences are
tagged by a model that is (nearly) loaded when the cache lookup ends.

The process is forked, not spawned: a spawned interpreter would first import the stage's own module again
(polars, pandera: ~0.4 s). The stage starts it before its first polars operation, so no polars thread
pool exists yet to be cut off by the fork, and the child runs spaCy only.

Few texts (fewer than `parallel_min_texts`) or `n_process: 1` are tagged in that process, batch by batch.
Many texts with `n_process` > 1 (a first run) go to `ner.tag_texts` in the stage itself, whose forked
workers share one loaded model; the helper process is stopped first. Nothing here imports spaCy in the
stage's own process unless that path is taken.
"""
from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from typing import Any

from stages.common import StageError, progress
from stages.tag.cache import Span

# The defaults of the knobs read here (part of ner.DEFAULTS; that module imports spaCy).
DEFAULTS: dict[str, Any] = {
    "batch_size": 256,
    "n_process": 2,
    "parallel_min_texts": 1000,   # fewer texts than this are tagged in one process whatever n_process says
}


def _serve(conn: Connection, params: dict[str, Any]) -> None:
    """The helper process: load the model, then answer each list of texts with their spans.

    A failure to load is answered to the first request, so the stage reports it as its own error."""
    try:
        from stages.tag.ner import build_nlp, spans_of
        nlp = build_nlp(params)
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


class NerProcess:
    """Entity spans of texts (`tag`), from a model that starts loading in a forked process at once.

    Create it before the first polars operation of the process (see above)."""

    def __init__(self, params: dict[str, Any], progress_stage: str | None = None) -> None:
        self.params = {**DEFAULTS, **params}
        self.progress_stage = progress_stage
        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(child_end, self.params), daemon=True,
                                        name="newsflow-ner")
        self._process.start()
        child_end.close()

    def tag(self, texts: list[str]) -> list[list[Span]]:
        """(start, end, label) spans of each text, in input order (see `ner.tag_texts`)."""
        n_process = int(self.params["n_process"])
        if n_process > 1 and len(texts) >= int(self.params["parallel_min_texts"]):
            self.close()
            from stages.tag.ner import build_nlp, tag_texts
            return tag_texts(build_nlp(self.params), texts, self.params, progress_stage=self.progress_stage)
        size = int(self.params["batch_size"])
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
            raise StageError(f"loading the NER model (tag.model {self.params.get('model')!r}) failed: {answer}")
        return answer

    def close(self) -> None:
        """Stop the helper process at once: it is loading or idle between requests, so nothing is lost."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._conn.close()
