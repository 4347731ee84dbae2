"""stages.clean.language: py3langid on a short language list, from an uncompressed model copy when asked."""
from __future__ import annotations

import pytest

from stages.clean import language
from stages.common import StageError
from tests.clean.texts import FRENCH, PARA, PARA2
from tests.shipped_params import shipped

LANGUAGES = tuple(sorted(shipped("clean").languages))


def test_identify_restricted_to_the_list():
    identifier = language.identifier(LANGUAGES, None)
    assert identifier.identify(PARA, 1000)[0] == "en" and identifier.identify(FRENCH, 1000)[0] == "fr"
    assert identifier.identify("12 345 -- 6.7", 1000) == ("und", 0.0)   # no letter
    assert identifier.identify("1234567 abc", 3) == ("und", 0.0)        # none in the first 3 characters


def test_a_language_py3langid_does_not_know_is_a_clear_error():
    with pytest.raises(StageError, match=r"clean.languages: \['xx'\] not known to py3langid"):
        language.identifier(("en", "xx"), None)


def test_the_uncompressed_model_copy_identifies_exactly_like_py3langid(tmp_path):
    from py3langid.langid import MODEL_FILE, LanguageIdentifier
    reference = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    reference.set_languages(list(LANGUAGES))
    fast = language.identifier(LANGUAGES, str(tmp_path))
    copies = list(tmp_path.glob("langid-*"))
    assert len(copies) == 1 and sorted(p.name for p in copies[0].iterdir()) == sorted(
        f"{name}.npy" for name in language.MODEL_ARRAYS)   # numpy arrays, no pickle
    for text in (PARA, FRENCH, "Shr 12 cts vs 15 cts", "Привет, мир", "東京は日本の首都です", "Reuter"):
        assert fast.model.classify(text) == reference.classify(text)
    # A damaged copy: py3langid's own loader, same answers.
    (copies[0] / "ptc.npy").write_bytes(b"garbage")
    language.identifier.cache_clear()
    try:
        assert language.identifier(LANGUAGES, str(tmp_path)).model.classify(PARA2) == reference.classify(PARA2)
    finally:
        language.identifier.cache_clear()


def test_a_language_of_another_script_is_never_the_answer():
    hindi = ("भारत के प्रधानमंत्री ने मंगलवार को कहा कि सरकार बातचीत के बाद योजना की समीक्षा करेगी, जो महीनों से "
             "चल रही है, और साल के अंत तक फैसला होने की उम्मीद है।")
    without_hindi = language.identifier(("en", "ar"), None)
    assert without_hindi.identify(hindi, 2000)[0] == "und"
    assert language.identifier(("en", "ar", "hi"), None).identify(hindi, 2000)[0] == "hi"
    assert without_hindi.identify(PARA, 2000)[0] == "en"
    assert language.script_fits("ar", "مرحبا بالعالم") and not language.script_fits("ar", hindi)
