"""The tag stage on Ray next to the local executor, on the same Reuters corpus, in one run.

    python bench/scale.py [--docs 5000] [--workdir DIR]

A project copy reads the first `--docs` Reuters-21578 bodies (as bench/pipeline.py builds them) and runs
`dvc repro segment` once. Then the tag stage runs (`python -m stages.tag`, its NER cache off, so every
sentence is tagged) under each executor, timed with bench/pipeline.py's wrapper (wall seconds, peak RSS of
the largest process, peak summed PSS of the stage's process tree, which holds a private Ray cluster too):
- local: params.yaml's n_process; local-1: one process (like for like with ray-1);
- ray-1: a private one-node Ray cluster, 1 actor (1 CPU);
- ray-2-loopback: a two-node cluster on loopback (ray.cluster_utils.Cluster, node_ip_address 127.0.0.1,
  1 CPU per node), 2 actors; its nodes' memory is outside the stage's tree and not counted.
After each run the SHA-256 of every data/tag table is taken: all runs must agree. Targets (issue 20): the
two-node run at least 1.8x faster than the one-node run; ray-1 at most 1.15x local at 19,779 documents.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline import ROOT, build_corpus, copy_project, dvc, measure, read_reuters, run_env, split_pool  # noqa: E402


def set_tag_params(project: Path, **values: Any) -> None:
    path = project / "params.yaml"
    params = yaml.safe_load(path.read_text(encoding="utf-8"))
    params["tag"].update(values)
    path.write_text(yaml.safe_dump(params, sort_keys=False), encoding="utf-8")


def tag_hashes(project: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((project / "data/tag").glob("*"))}


def run_tag(project: Path, name: str, **values: Any) -> dict[str, Any]:
    set_tag_params(project, cache=False, **values)
    measured = measure([sys.executable, "-m", "stages.tag"], project, project / f"{name}.log")
    measured.pop("output")
    return {**measured, "hashes": tag_hashes(project)}


def loopback_cluster() -> Any:
    """Two 1-CPU nodes on 127.0.0.1. Ray would replace the loopback address by the host's own address when
    connecting (unreachable in a sandbox: the driver then waits for ever); RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0
    keeps it, for the nodes and the stage (inherited) and for this process (the constant, read at import)."""
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
    from ray._private import ray_constants
    from ray.cluster_utils import Cluster
    ray_constants.ENABLE_RAY_CLUSTER = False
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1, "node_ip_address": "127.0.0.1"})
    cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    cluster.wait_for_nodes()
    return cluster


def bench(n_docs: int, workdir: Path, two_node: bool) -> dict[str, dict[str, Any]]:
    pool, _ = split_pool(read_reuters())
    project = copy_project(ROOT, workdir / "project", build_corpus(pool, n_docs))
    subprocess.run(dvc("repro", "-q", "segment"), cwd=project, env=run_env(), check=True)
    runs: dict[str, dict[str, Any]] = {"local": run_tag(project, "local", executor="local")}
    # Like for like with ray-1 (one model on one core): the local executor with one process.
    runs["local-1"] = run_tag(project, "local-1", executor="local", n_process=1)
    ray = {"executor": "ray", "ray_min_texts": 0, "ray_min_docs": 0}
    runs["ray-1"] = run_tag(project, "ray-1", **ray, ray_actors=1, ray_address="")
    if not two_node:
        runs["ray-2-loopback"] = {"error": "skipped (--no-two-node)"}
        return runs
    try:
        cluster = loopback_cluster()
    except Exception as err:  # reported, not fatal: the other figures stand
        runs["ray-2-loopback"] = {"error": f"{type(err).__name__}: {err}"}
        return runs
    try:
        runs["ray-2-loopback"] = run_tag(project, "ray-2", **ray, ray_actors=2, ray_address=cluster.address)
    finally:
        cluster.shutdown()
    return runs


def report(n_docs: int, runs: dict[str, dict[str, Any]]) -> None:
    print(f"tag stage, {n_docs} Reuters documents, NER cache off")
    print(f"{'executor':<16}{'seconds':>9}{'x local':>9}{'peak RSS MB':>13}{'tree PSS MB':>13}  hashes")
    reference = runs["local"]
    for name, run in runs.items():
        if "error" in run:
            print(f"{name:<16} not measured: {run['error'][:200]}")
            continue
        same = "equal" if run["hashes"] == reference["hashes"] else "DIFFER"
        pss = "-" if run["tree_pss_mb"] is None else f"{run['tree_pss_mb']:.0f}"
        print(f"{name:<16}{run['seconds']:>9.1f}{run['seconds'] / reference['seconds']:>9.2f}"
              f"{run['peak_rss_mb']:>13.0f}{pss:>13}  {same}")
    if "seconds" in runs.get("ray-1", {}):
        print(f"ray-1 vs local-1 (one core each): {runs['ray-1']['seconds'] / runs['local-1']['seconds']:.2f}x "
              "(target at most 1.15x)")
    if "seconds" in runs.get("ray-2-loopback", {}):
        print(f"two nodes vs one: {runs['ray-1']['seconds'] / runs['ray-2-loopback']['seconds']:.2f}x faster "
              "(target 1.8x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--no-two-node", dest="two_node", action="store_false",
                        help="skip the two-node cluster on loopback")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsflow-scale-", dir=args.workdir) as tmp:
        report(args.docs, bench(args.docs, Path(tmp), args.two_node))


if __name__ == "__main__":
    main()
