"""Issue 21's attacks that architecture v2 already answered, kept as tests: no cache format runs code, every
numeric param is bounded, a shared cache folder loses nothing of another project's, a cache that cannot be
written never fails a run, data-file params stay inside the project's data folders."""
from __future__ import annotations

import ast
import hashlib
import os
import pickle
from pathlib import Path

import polars as pl
import pytest

from schemas.params import SECTIONS, InvalidParams, validate_section
from stages.common.cache import RowsCache, manifest_path, write_manifest
from tests.shipped_params import params_with

ROOT = Path(__file__).resolve().parents[2]
CODE_RUNNING_MODULES = {"pickle", "cPickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}


def test_no_stage_module_imports_a_format_that_runs_code():
    found = []
    for path in sorted((ROOT / "stages").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            found += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] in CODE_RUNNING_MODULES]
            if isinstance(node, ast.keyword) and node.arg == "allow_pickle" and \
                    not (isinstance(node.value, ast.Constant) and node.value.value is False):
                found.append(f"{path.relative_to(ROOT)}: allow_pickle not False")
    assert not found


class _Payload:
    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path(self.marker).write_text, ("code ran",))


def test_a_pickle_planted_as_a_cache_part_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    cache = RowsCache(tmp_path / "cache", "gazetteer", "f", key=["text"])
    cache.folder.mkdir(parents=True)
    data = pickle.dumps(_Payload(str(marker)))
    for name in (f"part-{hashlib.sha256(data).hexdigest()[:32]}.parquet", "part-0.parquet", "index.pkl"):
        (cache.folder / name).write_bytes(data)
    rows, n = cache.run(pl.DataFrame({"text": ["a"]}), lambda keys: keys.with_columns(n=pl.lit(1)))
    assert n == 1 and rows["n"].to_list() == [1]
    assert not marker.exists()


def _numbers(schema: dict, defs: dict, path: str = "") -> list[tuple[str, dict]]:
    """Every integer or number in a JSON schema, with its dotted path."""
    if "$ref" in schema:
        return _numbers(defs[schema["$ref"].split("/")[-1]], defs, path)
    found = []
    if schema.get("type") in ("integer", "number"):
        found.append((path, schema))
    for key in ("anyOf", "allOf", "oneOf", "prefixItems"):
        for sub in schema.get(key, []):
            found += _numbers(sub, defs, path)
    for name, sub in schema.get("properties", {}).items():
        found += _numbers(sub, defs, f"{path}.{name}")
    for key in ("items", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            found += _numbers(schema[key], defs, f"{path}[]")
    return found


@pytest.mark.parametrize("section", SECTIONS)
def test_every_numeric_param_has_an_upper_bound(section):
    from schemas import params as models
    model = next(m for m in vars(models).values() if isinstance(m, type) and hasattr(m, "model_json_schema")
                 and m.__name__.lower() == section)
    schema = model.model_json_schema()
    unbounded = [p for p, s in _numbers(schema, schema.get("$defs", {}))
                 if "maximum" not in s and "exclusiveMaximum" not in s]
    assert not unbounded


@pytest.mark.parametrize("key", ["top_entities", "layout_iterations"])
def test_absurd_report_limits_are_refused(key):
    with pytest.raises(InvalidParams, match=key):
        validate_section("aggregate", params_with("aggregate", {"report": {key: 10**30}}))


def test_a_shared_cache_folder_keeps_other_projects_entries(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shared = tmp_path / "shared"
    for other in ("clean-aaa", "ner-bbb", "gazetteer-ccc"):   # another project's, or no one's
        (shared / other).mkdir(parents=True)
    write_manifest(shared, set())
    (shared / ".manifest-otherproject.json").write_text('{"entries": ["clean-aaa"]}')
    for fingerprint in ("old", "new"):
        cache = RowsCache(shared, "clean", fingerprint, key=["text"])
        cache.run(pl.DataFrame({"text": ["a"]}), lambda keys: keys.with_columns(n=pl.lit(1)))
        os.utime(cache.folder, (1, 1) if fingerprint == "old" else None)
    cache.prune()
    assert sorted(p.name for p in shared.iterdir() if p.is_dir()) == ["clean-aaa", "clean-new", "gazetteer-ccc",
                                                                       "ner-bbb"]
    assert manifest_path(shared).is_file()


def test_a_cache_on_a_read_only_or_full_disk_only_warns(tmp_path, monkeypatch, capsys):
    import stages.common.cache as cache_module

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(cache_module, "write_bytes_atomic", full_disk)
    rows, n = RowsCache(tmp_path, "x", "f", key=["text"]).run(pl.DataFrame({"text": ["a"]}),
                                                              lambda keys: keys.with_columns(n=pl.lit(1)))
    assert n == 1 and rows["n"].to_list() == [1]
    assert "No space left on device" in capsys.readouterr().err


@pytest.mark.parametrize("lexicon", ["/etc/passwd", "../../../params.yaml", "data/../../params.yaml"])
def test_a_data_file_param_outside_the_data_folders_is_refused(lexicon):
    from stages.common import StageError
    from stages.segment.sentences import lexicon_file
    with pytest.raises((StageError, InvalidParams)):
        lexicon_file(validate_section("segment", params_with("segment", {"lexicon": lexicon})))
