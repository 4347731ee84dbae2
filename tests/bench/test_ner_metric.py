"""The CoNLL++ document-level metric of bench/ner_conll.py: normalisation, label mapping, scoring, split names."""
from __future__ import annotations

import pytest

import ner_conll as nc


def test_normalise_nfkc_quotes_whitespace() -> None:
    assert nc.normalise("  O\u2019Gorman\u00a0 \n Tim ") == "O'Gorman Tim"
    assert nc.normalise("\u201cThe Oval\u201d") == '"The Oval"'
    assert nc.normalise("\ufb01rst") == "first"          # NFKC: the fi ligature
    assert nc.normalise("LONDON") == "LONDON"             # case is kept


def test_map_label() -> None:
    assert [nc.map_label(x) for x in ("PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "DATE", "CARDINAL")] \
        == ["PER", "ORG", "LOC", "LOC", "LOC", "MISC", "MISC", None, None]
    assert nc.map_label("PER") == "PER" and nc.map_label("MISC") == "MISC"


def test_gold_set_keeps_only_text_in_clean_text() -> None:
    gold = [("LOC", "LONDON"), ("PER", "Phil  Simmons"), ("ORG", "Essex")]
    assert nc.gold_set(gold, "Phil Simmons took four wickets for Essex.") == {("PER", "Phil Simmons"),
                                                                             ("ORG", "Essex")}


def test_score_micro_over_documents_and_types() -> None:
    gold = {"d1": {("PER", "Ann"), ("LOC", "Paris"), ("MISC", "French")}, "d2": {("ORG", "Acme")}}
    pred = {"d1": {("PER", "Ann"), ("ORG", "Paris"), ("MISC", "French")}, "d2": {("ORG", "Acme"), ("PER", "Bob")}}
    main = nc.score(pred, gold)
    assert (main["tp"], main["fp"], main["fn"]) == (2, 2, 1)
    assert main["P"] == pytest.approx(0.5) and main["R"] == pytest.approx(2 / 3)
    assert main["by_type"]["LOC"]["fn"] == 1 and main["by_type"]["ORG"]["fp"] == 1
    misc = nc.score(pred, gold, ("MISC",))
    assert misc["F1"] == 1.0
    # a document with no prediction: its gold are misses
    assert nc.score({}, gold)["fn"] == 3


def test_predicted_set_drops_numbers_and_normalises() -> None:
    assert nc.predicted_set([("Donald  Trump", "PERSON"), ("2016", "DATE"), ("Texas", "GPE")]) == {
        ("PER", "Donald Trump"), ("LOC", "Texas")}


def test_split_names() -> None:
    names = nc.split_names([("Donald Trump", "PERSON"), ("Trump", "ORG"), ("Bank of England", "ORG"),
                            ("England", "GPE"), ("Israeli", "NORP"), ("Israeli", "NORP"), ("Oct. 7", "DATE")])
    by_text = {tuple(n["texts"]): n["labels"] for n in names}
    assert by_text[("Donald Trump", "Trump")] == ["ORG", "PER"]          # split
    assert by_text[("Bank of England",)] == ["ORG"]                     # a lower-case word: not joined
    assert by_text[("England",)] == ["LOC"]
    assert by_text[("Israeli",)] == ["MISC"]
    summary = nc.split_summary({"d": [("Donald Trump", "PERSON"), ("Trump", "ORG")], "e": [("Trump", "PERSON")]})
    assert summary["names"] == 2 and summary["split"] == 1 and summary["examples"][0]["doc"] == "d"


def test_split_names_keeps_apart_a_tail_the_gold_types_otherwise() -> None:
    ours = [("Air France", "ORG"), ("France", "GPE"), ("Donald Trump", "PERSON"), ("Trump", "ORG")]
    gold = [("ORG", "Air France"), ("LOC", "France"), ("PER", "Donald Trump"), ("PER", "Trump")]
    split = [n["texts"] for n in nc.split_names(ours, gold) if len(n["labels"]) > 1]
    assert split == [["Donald Trump", "Trump"]]
    assert len([n for n in nc.split_names(ours) if len(n["labels"]) > 1]) == 2     # without gold: tails join
