"""Run one cached computation in this process and report what it read that its cache fingerprint misses.

`python -m tests.common.trace_reads CASE` in a project folder whose `data/` holds the upstream tables
(`tests/common/test_fingerprint_coverage.py` builds one). An audit hook records every file the process
opens while the case imports its modules and computes its rows (caches off, so the rows are computed, never
read). Then, for each file of the repository it read (code and data, a `.pyc` counting as its source) and
each installed distribution it read a file of, the case's fingerprint is recomputed as if that file's bytes
or that library's version had changed. A read that leaves the fingerprint unchanged is a stale-cache bug
(a result served after what decided it changed); they are printed as JSON: {"files": [...], "libraries":
[...], "read": n}.

The model package's files are covered by its meta.json (name and version, in the NER fingerprint) and are
not counted as a library here.
"""
from __future__ import annotations

import json
import os
import sys
from importlib import metadata
from pathlib import Path
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[2]
CODE_FOLDERS = (ROOT / "stages", ROOT / "schemas")
# Libraries a computation loads that never decide its rows, each with the reason; anything else it loads
# must be in its fingerprint.
NOT_DECIDING = {
    # lightgbm's optional integrations, imported with it (its scikit-learn API, plotting, dask, pandas
    # input); predicting from a model file with numpy arrays uses none of them.
    "scikit-learn": "lightgbm", "scipy": "lightgbm", "joblib": "lightgbm", "threadpoolctl": "lightgbm",
    "narwhals": "lightgbm", "psutil": "lightgbm", "rich": "lightgbm", "charset-normalizer": "lightgbm",
    # spaCy looks up the component factories every installed package declares (pysbd declares one); the
    # pipeline never uses it.
    "pysbd": "spacy",
}
# Files opened while the case set itself up (imports, params) and while it computed its rows.
opened: dict[str, set[str]] = {"setup": set(), "run": set()}
phase: list[str | None] = [None]


def _hook(event: str, args: tuple[Any, ...]) -> None:
    if phase[0] and event == "open" and isinstance(args[0], (str, bytes, os.PathLike)):
        opened[phase[0]].add(os.path.abspath(os.fsdecode(args[0])))


def source_of(path: Path) -> Path:
    """A byte-code file stands for the module it was compiled from."""
    if path.parent.name == "__pycache__" and path.suffix == ".pyc":
        return path.parent.parent / (path.name.split(".")[0] + ".py")
    return path


def repository_files() -> list[Path]:
    files = {source_of(Path(p)) for p in opened["setup"] | opened["run"]}
    return sorted(p for p in files if p.is_file() and any(p.is_relative_to(folder) for folder in CODE_FOLDERS))


def distributions(paths: set[str]) -> set[str]:
    """The installed distributions these files belong to (the standard library has none)."""
    tops = metadata.packages_distributions()
    found: set[str] = set()
    for path in map(Path, paths):
        parts = path.parts
        if "site-packages" not in parts:
            continue
        rest = parts[parts.index("site-packages") + 1:]
        if not rest:
            continue
        top = rest[0].removesuffix(".py").split(".")[0]
        found.update(tops.get(top, []))
    return found


def row_libraries(model: str | None) -> list[str]:
    """The libraries the computation itself read (imported lazily or read data of): the ones the setup's
    imports already read (the frameworks every stage loads: polars, pandera, pydantic, ...) are left to the
    fingerprint's fixed parts, and the model package is covered by its meta.json."""
    def name(dist: str) -> str:
        return dist.replace("_", "-").lower()
    setup = {name(d) for d in distributions(opened["setup"])}
    model_dist = name(model) if model else None
    return sorted(d for d in distributions(opened["run"])
                  if name(d) not in setup and name(d) != model_dist and name(d) not in NOT_DECIDING)


# ------------------------------------------------------------------------------------------------ cases
# Each case: (run: computes the rows with caches off, fingerprint: the digest its cache is named by, model).

def case_ingest() -> tuple[Callable[[], Any], Callable[[], str], str | None]:
    from stages.common import load_section
    from stages.ingest.__main__ import list_inputs, read_inputs, rows_fingerprint
    from stages.ingest.records import file_rows
    params = load_section("ingest")
    return (lambda: file_rows(params, read_inputs(list_inputs(Path(params.input_dir)), params)[0]),
            lambda: rows_fingerprint(params), None)


def case_clean():
    from stages.clean.__main__ import INPUT_COLUMNS, INPUTS, cleaned_rows, rows_fingerprint
    from stages.common import load_section, read_table
    params = load_section("clean").model_copy(update={"cache": False})
    return (lambda: cleaned_rows(read_table(INPUTS[0], columns=INPUT_COLUMNS), params),
            lambda: rows_fingerprint(params), None)


def case_segment():
    from stages.common import load_section, read_table
    from stages.segment.__main__ import segment_corpus, sentences_cache, sentences_fingerprint
    params = load_section("segment").model_copy(update={"cache": False})
    return (lambda: segment_corpus(read_table("data/clean/documents.parquet"), params, sentences_cache(params)),
            lambda: sentences_fingerprint(params), None)


def case_ner():
    from stages.common import load_section, read_table
    from stages.tag import ner
    params = load_section("tag").model_copy(update={"n_process": 1, "cache": False})

    def run() -> None:
        texts = read_table("data/segment/sentences.parquet")["text"].to_list()
        ner.tag_texts(ner.build_nlp(params, None), texts, params)

    def digest() -> str:
        from stages.tag.__main__ import ner_fingerprint
        return ner_fingerprint(params)
    return run, digest, params.model


def case_gazetteer():
    from stages.common import load_section
    from stages.tag.places import build_gazetteer, gazetteer_cache
    params = load_section("tag")
    return (lambda: build_gazetteer(params.entities),
            lambda: gazetteer_cache.__wrapped__(params.cache_dir, params.entities.gazetteer_min_population).folder.name,
            None)


def extractor_case(name: str):
    def case():
        from stages.common import load_section, read_table
        from stages.common.cache import RowsCache
        from stages.tag.__main__ import entity_keys, extract, extractor_fingerprint
        from stages.tag.registry import EXTRACTORS
        from stages.common.cache import document_keys
        from stages.common.executor import InProcess
        params = load_section("tag").model_copy(update={"cache": False})

        class InThisProcess:   # the executor part of a SpanTagger; a real one would load the model
            def executor(self, n_documents: int) -> tuple[InProcess, int]:
                return InProcess(), 1

        extractor = next(e for e in EXTRACTORS if e.name == name)

        def run() -> None:
            docs, sentences = read_table("data/clean/documents.parquet"), read_table("data/segment/sentences.parquet")
            entities = read_table("data/tag/entities.parquet")
            keys = document_keys(docs, sentences)
            if extractor.needs_entities:
                keys = entity_keys(keys, entities)
            cache = RowsCache(params.cache_dir, extractor.name, "x", key=["doc_id", "_doc_key"], join_on=["doc_id"],
                              enabled=False)
            extract(extractor, params, cache, keys, docs, sentences, entities if extractor.needs_entities else None,
                    InThisProcess())  # type: ignore[arg-type]
        return run, lambda: extractor_fingerprint(extractor, params), None
    return case


def case_sketches():
    from stages.aggregate.search import Caches, document_sketches
    from stages.common import load_section, read_table
    params = load_section("aggregate")
    off = params.model_copy(update={"cache": False})
    return (lambda: document_sketches(read_table("data/clean/documents.parquet"), off.stories, Caches.of(off).sketches),
            lambda: Caches.of(params).sketches.folder.name, None)


def case_lsh_index():
    from stages.aggregate.search import Caches, document_sketches
    from stages.aggregate.sketches import update_matches
    from stages.common import load_section, read_table
    params = load_section("aggregate")
    off = params.model_copy(update={"cache": False})

    def run() -> None:
        sketches = document_sketches(read_table("data/clean/documents.parquet"), off.stories, Caches.of(off).sketches)
        update_matches(sketches, off.stories, None)
    return run, lambda: Caches.of(params).index.folder.name, None


def case_signatures():
    from stages.aggregate.search import Caches, document_signatures
    from stages.common import load_section, read_table
    params = load_section("aggregate")
    off = params.model_copy(update={"cache": False})
    return (lambda: document_signatures(read_table("data/segment/sentences.parquet"),
                                        read_table("data/tag/entities.parquet"), Caches.of(off).signatures),
            lambda: Caches.of(params).signatures.folder.name, None)


CASES: dict[str, Callable[[], tuple[Callable[[], Any], Callable[[], str], str | None]]] = {
    "ingest": case_ingest, "clean": case_clean, "segment": case_segment, "ner": case_ner,
    "gazetteer": case_gazetteer, "sketches": case_sketches, "signatures": case_signatures,
    "lsh-index": case_lsh_index,
}
EXTRACTOR_NAMES = ("quotes", "attributions", "counts", "dates", "themes")
CASES.update({f"extract-{name}": extractor_case(name) for name in EXTRACTOR_NAMES})


# ------------------------------------------------------------------------------------------------ check

def uncovered(case: str) -> dict[str, Any]:
    sys.addaudithook(_hook)
    phase[0] = "setup"
    run, digest, model = CASES[case]()
    phase[0] = "run"
    run()
    phase[0] = None
    files, libraries = repository_files(), row_libraries(model)
    digest()   # imports whatever the fingerprint needs before anything is patched
    base = digest()
    from stages.common import cache as cache_module
    read_bytes, library_version = Path.read_bytes, cache_module.library_version
    missed_files, missed_libraries = [], []
    for target in files:
        Path.read_bytes = lambda self, t=target: read_bytes(self) + (b"\n#edited" if self.resolve() == t else b"")
        try:
            if digest() == base:
                missed_files.append(str(target.relative_to(ROOT)))
        finally:
            Path.read_bytes = read_bytes
    for library in libraries:
        cache_module.library_version = (lambda name, lib=library:
                                        "edited" if name.lower() == lib.lower() else library_version(name))
        try:
            if digest() == base:
                missed_libraries.append(library)
        finally:
            cache_module.library_version = library_version
    return {"files": missed_files, "libraries": missed_libraries, "read": len(files)}


if __name__ == "__main__":
    print(json.dumps(uncovered(sys.argv[1])))
    sys.stdout.flush()
    os._exit(0)   # the spaCy model and its threads need no teardown
