"""stages.clean.cues: data/cues.yaml through the strict loader, typed."""
from __future__ import annotations

import pytest

from stages.clean import cues
from stages.clean.reasons import CUE_REASONS
from stages.common.datafiles import DataFileError, load_yaml


def test_the_cue_file_loads_typed():
    loaded = cues.load_cues()
    assert set(loaded.cues) <= set(CUE_REASONS) and "en" in loaded.stopwords
    assert "no" in loaded.stopwords["en"] and "on" in loaded.stopwords["fr"]   # words, not booleans
    assert loaded.byline.name_openers == ["and", "&", "by"]
    assert cues.stopword_languages() == sorted(loaded.stopwords)


@pytest.mark.parametrize("change,message", [
    ("cues:\n  paywal:\n    exact: [subscribe]\n", "not in stages/clean/reasons.py"),
    ("cues:\n  paywall:\n    exactly: [subscribe]\n", "exactly"),
    ("dateline:\n  words: [updated]\n", "dateline.weekdays: Field required"),
])
def test_a_cue_file_with_an_unknown_reason_or_kind_or_a_missing_list_is_refused(tmp_path, change, message):
    text = cues.CUES_FILE.read_text(encoding="utf-8")
    section = change.split(":", 1)[0]
    start = text.index(f"\n{section}:") + 1
    end = text.find("\n\n", start)
    path = tmp_path / "cues.yaml"
    path.write_text(text[:start] + change + text[end:], encoding="utf-8")
    with pytest.raises(DataFileError, match=message):
        load_yaml(path, cues.Cues)
