"""params.yaml is checked before a stage reads it: the shipped file passes, and each kind of mistake is named
by its dotted key (schemas/params.py, through stages.common.load_section)."""
from __future__ import annotations

import copy

import pytest
import yaml

from schemas.params import SECTIONS, InvalidParams, validate_section
from stages.common import PARAMS_FILE, StageError, load_section

SHIPPED = yaml.safe_load(PARAMS_FILE.read_text(encoding="utf-8"))


def problems(section: str, edit) -> str:
    values = copy.deepcopy(SHIPPED[section])
    edit(values)
    with pytest.raises(InvalidParams) as failure:
        validate_section(section, values)
    return str(failure.value)


@pytest.mark.parametrize("section", sorted(SECTIONS))
def test_the_shipped_params_are_valid(section):
    validate_section(section, SHIPPED[section])


def test_every_section_of_params_yaml_has_a_model():
    assert set(SHIPPED) == set(SECTIONS)


def test_a_misspelt_key_is_named_with_the_likely_intended_one():
    message = problems("tag", lambda p: p["entities"].update(gazeteer_min_population=1))
    assert message == "tag.entities.gazeteer_min_population: unknown key (did you mean 'gazetteer_min_population'?)"


def test_a_missing_key_and_a_value_out_of_range_are_both_reported():
    def edit(p):
        del p["model"]
        p["n_process"] = 0
    message = problems("tag", edit)
    assert "tag.model: missing" in message
    assert "tag.n_process: Input should be greater than or equal to 1 (got 0)" in message


def test_types_are_strict():
    assert "clean.stop_low: Input should be a valid number (got '0.1')" in problems(
        "clean", lambda p: p.update(stop_low="0.1"))
    assert "aggregate.cache: Input should be a valid boolean (got 'yes')" in problems(
        "aggregate", lambda p: p.update(cache="yes"))
    validate_section("clean", {**SHIPPED["clean"], "stop_low": 0})   # an integer where a float is expected


def test_rules_across_keys():
    assert "num_perm (128) must be a multiple of lsh_bands (30)" in problems(
        "aggregate", lambda p: p["stories"].update(lsh_bands=30))
    assert "tag.dates: min_year (3000) must not exceed max_year (2100)" in problems(
        "tag", lambda p: p["dates"].update(min_year=3000))
    assert "listed under both 'txt' and 'md'" in problems(
        "ingest", lambda p: p["formats"]["md"].append(".txt"))


def test_an_unknown_input_format_is_refused():
    assert "ingest.formats.xml: Input should be 'txt', 'md', 'html' or 'jsonl' (got 'xml')" in problems(
        "ingest", lambda p: p["formats"].update(xml=[".xml"]))


def test_load_params_stops_the_stage_with_every_problem(tmp_path):
    path = tmp_path / "params.yaml"
    bad = copy.deepcopy(SHIPPED)
    bad["segment"]["max_sentence_chars"] = -5
    bad["segment"]["cahce"] = True
    path.write_text(yaml.safe_dump(bad), encoding="utf-8")
    with pytest.raises(StageError) as failure:
        load_section("segment", path)
    assert failure.value.message.splitlines() == [
        f"{path} has values the segment stage cannot use:",
        "  segment.max_sentence_chars: Input should be greater than or equal to 16 (got -5)",
        "  segment.cahce: unknown key (did you mean 'cache'?)"]
    assert load_section("tag", path).model_dump() == SHIPPED["tag"]   # other sections are not held up


def test_unreadable_params_are_clear_errors(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("tag: [unclosed\n", encoding="utf-8")
    with pytest.raises(StageError) as failure:
        load_section("tag", path)
    assert "is not valid YAML" in failure.value.message
    with pytest.raises(StageError) as failure:
        load_section("tag", tmp_path / "missing.yaml")
    assert "cannot be read" in failure.value.message
