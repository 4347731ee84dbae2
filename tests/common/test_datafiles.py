"""stages.common.datafiles: YAML that would silently change meaning is refused, with the file and line; and
every data file of the repository loads through the loader."""
from __future__ import annotations

import json

from pathlib import Path

import pytest

from stages.common.datafiles import DataFileError, data_file, load_tsv, load_words, load_yaml, parse_yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("text, problem", [
    ("stopwords: [a, the, on, off]", "'on' in a list of words is read as bool"),
    ("words: [a, 1.5]", "'1.5' in a list of words is read as float"),
    ("no: 1\nyes: 2", "key 'no' is read as bool"),
    ("a: 1\nb: 2\na: 3", "duplicate key 'a' (first at line 1)"),
    ("a: &x [1, 2]\nb: [*x, *x]", "alias *x is not allowed"),
])
def test_yaml_that_would_change_meaning_is_refused(text, problem):
    with pytest.raises(DataFileError) as err:
        parse_yaml(text, "f.yaml")
    assert problem in err.value.message and err.value.message.startswith("f.yaml: line")


def test_quoted_words_and_numeric_tables_are_fine():
    assert parse_yaml('stopwords: [a, "on", "off"]\nunits: {one: 1, two: 2}', "f") == \
        {"stopwords": ["a", "on", "off"], "units": {"one": 1, "two": 2}}


def test_spec_checks_types_strictly(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("months: {january: 1, may: '5'}")
    with pytest.raises(DataFileError, match=r"months\.may"):
        load_yaml(path, dict[str, dict[str, int]])
    path.write_text("months: {january: 1}")
    assert load_yaml(path, dict[str, dict[str, int]]) == {"months": {"january": 1}}


def test_word_lists_and_tables(tmp_path):
    words = tmp_path / "w.txt"
    words.write_text("# comment\nalpha\n\n  beta  \n")
    assert load_words(words) == ["alpha", "beta"]
    table = tmp_path / "t.tsv"
    table.write_text("# a\tb\nx\ty\nonly-one\n")
    with pytest.raises(DataFileError, match="line 3: expected 2 tab-separated"):
        load_tsv(table, 2)


@pytest.mark.parametrize("name", ["../params.yaml", "/etc/passwd", "missing.yaml", ".."])
def test_a_param_naming_a_data_file_stays_inside_the_data_folder(tmp_path, name):
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "ok.yaml").write_text("a: 1")
    (tmp_path / "params.yaml").write_text("secret: 1")
    with pytest.raises(DataFileError, match="is not a file of"):
        data_file(folder, name, "segment.lexicon")
    assert data_file(folder, "ok.yaml", "segment.lexicon") == folder / "ok.yaml"


def test_every_data_file_of_the_repository_loads():
    files = sorted(p for p in (ROOT / "stages").rglob("data/*") if p.is_file())
    assert files, "no data files found"
    for path in files:
        if path.suffix in {".yaml", ".yml"}:
            assert load_yaml(path) is not None, path
        elif path.suffix == ".txt":
            assert load_words(path), path
        elif path.suffix == ".tsv":
            first = next(line for line in path.read_text().splitlines() if line and not line.startswith("#"))
            assert load_tsv(path, len(first.split("\t"))), path
        elif path.suffix == ".json":  # a trained model's cross-validated scores, written by its training script
            assert json.loads(path.read_text(encoding="utf-8")), path
        else:
            pytest.fail(f"{path}: a data file of a kind the loader does not know")


def test_the_c_parser_reads_every_yaml_file_as_the_python_parser_does():
    # libyaml is ~10x faster (a stage parses params.yaml and several lexicons at every start); it must read
    # the repository's files exactly as the pure-Python loader that states the rules.
    import yaml

    from stages.common.datafiles import _FastStrictLoader, _StrictLoader
    assert issubclass(_FastStrictLoader, yaml.CSafeLoader), "PyYAML's C extension is missing"
    files = sorted(p for p in (ROOT / "stages").rglob("data/*.yaml")) + [ROOT / "params.yaml"]
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert yaml.load(text, Loader=_FastStrictLoader) == yaml.load(text, Loader=_StrictLoader), path


@pytest.mark.parametrize("text", ["a: &x [1, 2]\nb: [*x, *x]", "a: &x 1\nb: *x", "- &k key\n- {*k : 1}"])
def test_the_c_parser_finds_aliases_too(text):
    from stages.common.datafiles import _FastStrictLoader, _SharedNode
    import yaml
    with pytest.raises(_SharedNode):
        yaml.load(text, Loader=_FastStrictLoader)  # noqa: S506
    with pytest.raises(DataFileError, match=r"alias \*\w+ is not allowed"):
        parse_yaml(text, "f.yaml")
