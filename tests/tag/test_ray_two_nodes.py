"""The Ray executor on a two-node cluster on loopback (1 CPU per node), started and stopped here: the
NER blocks and extractor batches are answered on both nodes and equal the local path's. Skipped without ray.

Ray replaces a loopback address by the host's own address when it connects (`resolve_ip_for_localhost`);
on a host whose own address is not reachable (a sandbox, a laptop off the network) the driver then waits
for ever. `RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0` keeps every process on 127.0.0.1: set in the environment
the nodes inherit and in the already imported constant the driver reads."""
from __future__ import annotations

from functools import partial

import polars as pl
import pytest

from stages.common.executor import InProcess, map_batches
from stages.tag import ner
from stages.tag.__main__ import ner_fingerprint
from stages.tag.ray_tagger import RayCluster, answer_blocks, spans_of_blocks
from stages.tag.registry import EXTRACTORS, document_batches, run_extractor
from tests.shipped_params import shipped
from tests.tag.sentence_frames import frames

ray = pytest.importorskip("ray")
pytestmark = pytest.mark.ray

TEXTS = ["Prime Minister Benjamin Netanyahu met officials in Rome on Sunday.", "Mr. Netanyahu returned home.",
         "", "Rome.", "Apple and Google met in Paris on Monday, said Joe Biden."] * 8


@pytest.fixture(scope="module")
def two_nodes():
    from ray._private import ray_constants
    from ray.cluster_utils import Cluster
    patch = pytest.MonkeyPatch()
    patch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    patch.setattr(ray_constants, "ENABLE_RAY_CLUSTER", False)
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "node_ip_address": "127.0.0.1",
                                                            "include_dashboard": False})
    try:
        cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
        cluster.wait_for_nodes()
        yield cluster.address
    finally:
        cluster.shutdown()
        patch.undo()


def test_two_nodes_answer_blocks_and_the_spans_equal_the_local_path(two_nodes):
    params = shipped("tag", {"executor": "ray", "ray_min_texts": 0, "ray_actors": 2, "ray_block_texts": 5,
                             "n_process": 1, "ray_address": two_nodes})
    expected = ner.tag_texts(ner.build_nlp(params, None), TEXTS, params)
    blocks = [TEXTS[i:i + 5] for i in range(0, len(TEXTS), 5)]
    answers = answer_blocks(params, blocks, None)
    nodes = {answer[1] for answer in answers}
    assert len(nodes) == 2, f"all blocks answered on {nodes}: the actors were not spread over both nodes"
    assert spans_of_blocks(answers, [len(b) for b in blocks], ner_fingerprint(params)) == expected


def test_extractor_batches_run_on_both_nodes_and_give_the_local_rows(two_nodes):
    params = shipped("tag", {"executor": "ray", "ray_actors": 2, "n_process": 1, "ray_address": two_nodes})
    parts = [frames(f"On March {day}, 2024, {day}00 people marched in Rome.", f"d{day}") for day in range(1, 9)]
    docs, sents = pl.concat([d for d, _ in parts]), pl.concat([s for _, s in parts])
    extractor = next(e for e in EXTRACTORS if e.name == "dates")
    task = partial(run_extractor, extractor, extractor.section(params))
    batches = document_batches(docs, sents, None, docs["doc_id"], 8)
    cluster = RayCluster(params, None)
    try:
        answers = cluster.answers(lambda a, job: a.run.remote(job[0], task, job[1]), batches, "extractor")
    finally:
        cluster.close()
    assert len({node for _, node, _ in answers}) == 2, "all batches ran on one node"
    assert pl.concat([rows for _, _, rows in answers]).equals(map_batches(InProcess(), task, batches))
