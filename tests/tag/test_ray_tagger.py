"""The tag stage's Ray executor on a private local cluster (started and stopped by each call): spans and
extractor rows equal the local path's, answers from an actor whose NER or code fingerprint differs are
refused, and an actor killed mid-block is restarted and its block retried. Skipped without ray."""
from __future__ import annotations

import os
import signal
import threading
import time

from functools import partial

import polars as pl
import psutil
import pytest

from stages.common import StageError
from stages.common.executor import InProcess, map_batches
from stages.tag import ner
from stages.tag.__main__ import extractor_code_fingerprint, ner_fingerprint
from stages.tag.ray_tagger import RayCluster, RayExecutor, RayTagger, rows_of_batches, spans_of_blocks, tag_on_ray
from stages.tag.registry import EXTRACTORS, document_batches, run_extractor
from tests.shipped_params import shipped
from tests.tag.sentence_frames import frames

pytest.importorskip("ray")
pytestmark = pytest.mark.ray

TEXTS = ["Prime Minister Benjamin Netanyahu met officials in Rome on Sunday.", "Mr. Netanyahu returned home.",
         "", "Rome.", "Apple and Google met in Paris on Monday, said Joe Biden."] * 3


@pytest.fixture(scope="module")
def params():
    return shipped("tag", {"executor": "ray", "ray_min_texts": 0, "ray_actors": 2, "ray_block_texts": 4,
                           "n_process": 1, "batch_size": 3, "ray_address": ""})


def test_ray_actors_give_the_local_spans_in_input_order(params):
    expected = ner.tag_texts(ner.build_nlp(params, None), TEXTS, params)
    tagger = RayTagger(params, None, lambda: ner_fingerprint(params), extractor_code_fingerprint)
    try:
        assert tagger.tag(TEXTS) == expected
    finally:
        tagger.close()


def test_blocks_of_another_fingerprint_are_refused(params):
    with pytest.raises(StageError) as failure:
        tag_on_ray(params, TEXTS[:2], "0" * 64, None)
    assert "another model, spaCy, rules or params" in failure.value.message


def test_a_block_that_does_not_cover_its_texts_is_refused():
    block = ("f" * 64, "127.0.0.1", 1, [0], [0], [4], ["GPE"])
    assert spans_of_blocks([block], [1], "f" * 64) == [[(0, 4, "GPE")]]
    with pytest.raises(StageError):
        spans_of_blocks([block], [2], "f" * 64)


def test_extractor_rows_outside_their_batch_are_refused():
    docs, sents = _documents()
    batches = document_batches(docs, sents, None, docs["doc_id"], 2)
    answers = [("f" * 64, "127.0.0.1", batch.docs.select("doc_id", n=pl.lit(1))) for batch in batches]
    assert rows_of_batches(answers, batches, "f" * 64)[1].equals(answers[1][2])
    crossed = [answers[0], ("f" * 64, "10.0.0.2", answers[0][2])]      # batch 0's rows again, for batch 1
    with pytest.raises(StageError) as failure:
        rows_of_batches(crossed, batches, "f" * 64)
    assert "10.0.0.2" in failure.value.message and "does not hold" in failure.value.message
    with pytest.raises(StageError):
        rows_of_batches(answers[:1], batches, "f" * 64)               # a lost answer
    with pytest.raises(StageError) as failure:
        rows_of_batches(answers, batches, "0" * 64)
    assert "runs other tag code or data" in failure.value.message


def _kill_first_busy_actor(killed: list[int], stop: threading.Event, method: str = "tag") -> None:
    """SIGKILL the first actor process seen running a block ("ray::TagActor.tag", or another method)."""
    while not stop.is_set() and not killed:
        for process in psutil.process_iter(["cmdline"]):
            if " ".join(process.info["cmdline"] or []).startswith(f"ray::TagActor.{method}"):
                os.kill(process.pid, signal.SIGKILL)
                killed.append(process.pid)
                return
        time.sleep(0.02)


def test_an_actor_killed_mid_block_is_restarted_and_its_block_retried(params):
    texts = TEXTS * 40
    one = params.model_copy(update={"ray_actors": 1, "ray_block_texts": 20})
    expected = ner.tag_texts(ner.build_nlp(params, None), texts, params)
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=_kill_first_busy_actor, args=(killed, stop), daemon=True)
    killer.start()
    try:
        assert tag_on_ray(one, texts, ner_fingerprint(one), None) == expected
    finally:
        stop.set()
        killer.join()
    assert killed, "no actor was seen running a block"


def _documents(copies: int = 3):
    parts = [frames(text, f"d{i}") for i, text in enumerate(
        ["Rome said on Monday that 300 people came.", "The vote is set for March 3, 2025, a year after the last.",
         "Prices rose 4% in the third quarter after the truce.", "Nothing here."] * copies)]
    return pl.concat([docs for docs, _ in parts]), pl.concat([sents for _, sents in parts])


def test_extractor_batches_on_ray_give_the_local_rows_in_batch_order(params):
    docs, sents = _documents()
    wide = params.model_copy(update={"ray_min_docs": 5, "ray_block_docs": 3})
    tagger = RayTagger(wide, None, lambda: ner_fingerprint(wide), extractor_code_fingerprint)
    try:
        assert isinstance(tagger.executor(4)[0], InProcess)          # below ray_min_docs: here
        executor, n_batches = tagger.executor(docs.height)
        assert isinstance(executor, RayExecutor) and n_batches == 4
        for extractor in (e for e in EXTRACTORS if not e.needs_entities):
            task = partial(run_extractor, extractor, extractor.section(wide))
            batches = document_batches(docs, sents, None, docs["doc_id"], n_batches)
            assert len(batches) == 4
            local = map_batches(InProcess(), task, batches)
            assert local.height, extractor.name
            assert map_batches(executor, task, batches).equals(local), extractor.name
    finally:
        tagger.close()


def test_extractor_rows_of_other_code_are_refused(params):
    docs, sents = _documents()
    cluster = RayCluster(params, None)
    extractor = next(e for e in EXTRACTORS if e.name == "counts")
    task = partial(run_extractor, extractor, extractor.section(params))
    try:
        with pytest.raises(StageError) as failure:
            RayExecutor(cluster, "0" * 64).map(task, document_batches(docs, sents, None, docs["doc_id"], 2))
    finally:
        cluster.close()
    assert "runs other tag code or data" in failure.value.message


def test_an_actor_killed_mid_batch_is_restarted_and_its_batch_retried(params):
    docs, sents = _documents(copies=200)
    one = params.model_copy(update={"ray_actors": 1})
    extractor = next(e for e in EXTRACTORS if e.name == "dates")
    task = partial(run_extractor, extractor, extractor.section(one))
    batches = document_batches(docs, sents, None, docs["doc_id"], 2)
    expected = map_batches(InProcess(), task, batches)
    killed: list[int] = []
    stop = threading.Event()
    killer = threading.Thread(target=_kill_first_busy_actor, args=(killed, stop, "run"), daemon=True)
    cluster = RayCluster(one, None)
    try:
        cluster.actors()
        killer.start()
        rows = map_batches(RayExecutor(cluster, extractor_code_fingerprint()), task, batches)
    finally:
        stop.set()
        killer.join()
        cluster.close()
    assert killed, "no actor was seen running a batch"
    assert rows.equals(expected)
