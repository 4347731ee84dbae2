"""SHA-256 of every output the pipeline writes, for a corpus, so a refactor can prove it changed nothing.

    python bench/output_hashes.py [--corpus seeds|reuters:N|dir:PATH] [--save FILE] [--compare FILE]

The project is copied into a temporary folder (as `bench/pipeline.py` does: code, schemas, params; caches
start cold inside the copy), the corpus is put under `corpus/` and `dvc repro` runs once. Then every file
under the copy's `data/` is hashed. `--save` writes the hashes as JSON; `--compare` prints which files differ
from a saved run and exits 1 if any do. Corpora: `seeds` (the project's five), `reuters:N` (the first N
Reuters-21578 bodies of ../shared/benchmarks, as JSONL), `dir:PATH` (any folder of inputs, copied).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pipeline import ROOT, build_corpus, copy_project, dvc, read_reuters, run_env, split_pool  # noqa: E402


def make_copy(corpus: str, dest: Path) -> Path:
    if corpus.startswith("reuters:"):
        pool, _ = split_pool(read_reuters())
        return copy_project(ROOT, dest, build_corpus(pool, int(corpus.split(":", 1)[1])))
    project = copy_project(ROOT, dest, [])
    folder = ROOT / "seeds" if corpus == "seeds" else Path(corpus.removeprefix("dir:"))
    shutil.rmtree(project / "corpus", ignore_errors=True)
    shutil.copytree(folder, project / "corpus")
    return project


def output_hashes(project: Path) -> dict[str, str]:
    data = project / "data"
    return {path.relative_to(data).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(data.rglob("*")) if path.is_file()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="seeds")
    parser.add_argument("--save", type=Path)
    parser.add_argument("--compare", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the temporary project")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="newsflow-hashes-"))
    try:
        project = make_copy(args.corpus, work / "project")
        run = subprocess.run(dvc("repro", "--quiet"), cwd=project, env=run_env(), capture_output=True, text=True)
        if run.returncode:
            print(run.stdout[-4000:], run.stderr[-4000:], sep="\n", file=sys.stderr)
            return run.returncode
        hashes = output_hashes(project)
    finally:
        if args.keep:
            print(f"kept {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    for name, value in hashes.items():
        print(f"{value}  {name}")
    if args.save:
        args.save.write_text(json.dumps({"corpus": args.corpus, "hashes": hashes}, indent=2) + "\n")
    if args.compare:
        before = json.loads(args.compare.read_text())["hashes"]
        changed = sorted(n for n in set(before) | set(hashes) if before.get(n) != hashes.get(n))
        for name in changed:
            print(f"CHANGED {name}: {before.get(name, 'absent')[:12]} -> {hashes.get(name, 'absent')[:12]}")
        print(f"{len(changed)} of {len(set(before) | set(hashes))} files differ")
        return 1 if changed else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
