"""Where NER runs: the `SpanTagger` seam, and the local implementation (`ForkedTagger`).

The stage asks a `SpanTagger` for the entity spans of the sentence texts its cache does not hold, and
knows nothing else of it: `tag_sentences` (the cache lookup) and `canonicalize` stay as they are when NER
moves elsewhere. A distributed implementation (Ray actors that each load the model once, say) is another
class with the same two methods.

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
"""
from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from typing import Protocol

from schemas.params import Tag as TagParams
from stages.common import StageError, progress

Span = tuple[int, int, str]     # (start, end, label): character offsets into the text


class SpanTagger(Protocol):
    """Entity spans of texts, in input order (each text's spans in the model's order)."""

    def tag(self, texts: list[str]) -> list[list[Span]]: ...

    def close(self) -> None:
        """Release the model and any processes; `tag` is not called after this."""


def _serve(conn: Connection, params: TagParams, gazetteer_cache_dir: str | None) -> None:
    """The helper process: load the model, then answer each list of texts with their spans.

    A failure to load is answered to the first request, so the stage reports it as its own error."""
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
        context = multiprocessing.get_context("fork")
        self._conn, child_end = context.Pipe()
        self._process = context.Process(target=_serve, args=(child_end, params, gazetteer_cache_dir),
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

    def close(self) -> None:
        """Stop the helper process at once: it is loading or idle between requests, so nothing is lost."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._conn.close()
