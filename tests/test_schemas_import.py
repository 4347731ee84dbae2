"""schemas.import_without: a library imported as if an optional integration were absent, nothing else changed."""
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_python(code: str, tmp_path: Path) -> str:
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True,
                          env={"PYTHONPATH": f"{ROOT}:{tmp_path}", "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_the_optional_integration_is_skipped_only_during_that_import(tmp_path):
    (tmp_path / "extra_dep.py").write_text("VALUE = 1\n")
    (tmp_path / "lib_with_extra.py").write_text(
        "try:\n    import extra_dep\n    HAS_EXTRA = True\nexcept ImportError:\n    HAS_EXTRA = False\n")
    out = run_python("""
        import sys
        from schemas import import_without
        lib = import_without("lib_with_extra", ("extra_dep",))
        print(lib.HAS_EXTRA, "extra_dep" in sys.modules)
        import extra_dep
        print(extra_dep.VALUE, all(type(f).__name__ != "_Hidden" for f in sys.meta_path))
    """, tmp_path)
    assert out.splitlines() == ["False False", "1 True"]


def test_a_library_already_imported_is_returned_as_it_is(tmp_path):
    (tmp_path / "extra_dep.py").write_text("VALUE = 1\n")
    (tmp_path / "lib_with_extra.py").write_text(
        "try:\n    import extra_dep\n    HAS_EXTRA = True\nexcept ImportError:\n    HAS_EXTRA = False\n")
    out = run_python("""
        import lib_with_extra
        from schemas import import_without
        print(import_without("lib_with_extra", ("extra_dep",)).HAS_EXTRA)
    """, tmp_path)
    assert out == "True"


def test_the_table_models_load_and_validate_without_pandas_or_hypothesis(tmp_path):
    out = run_python("""
        import sys
        import schemas.tag, schemas.aggregate
        from schemas.base import empty_frame
        from stages.common.tables import validate
        validate(empty_frame(schemas.tag.Entities), schemas.tag.Entities, "tag/entities")
        print("pandera" in sys.modules, "pandas" in sys.modules, "hypothesis" in sys.modules)
    """, tmp_path)
    assert out == "True False False"


def test_no_stage_searches_the_installed_distributions_for_pydantic_plugins(tmp_path):
    out = run_python("""
        import importlib.metadata, pydantic.plugin._loader as loader
        searched = []
        loader.entry_points = lambda **kw: searched.append(kw) or importlib.metadata.entry_points(**kw)
        import stages.ingest.__main__, stages.clean.__main__, stages.segment.__main__
        import stages.tag.__main__, stages.aggregate.__main__
        print([kw for kw in searched if kw.get("group") == "pydantic"])
    """, tmp_path)
    assert out == "[]"
