"""Helpers of bench/quotes.py, bench/dates.py and bench/harness.py that need no benchmark data."""
from __future__ import annotations

import datetime as dt

import polars as pl

import dates as bd
import harness
import quotes as bq


def test_quote_regions_pair_marks_in_order() -> None:
    text = 'He said \u201cwe will win\u201d and "never" again \u201cunclosed'
    assert [text[s:e] for s, e in bq.quote_regions(text)] == ["we will win", "never"]


def test_naive_quotes_nearest_person_in_paragraph() -> None:
    text = 'Ann Lee said "we will win this race" today.\n"Another quote here now" with nobody.'
    persons = [(0, 7, "Ann Lee")]
    rows = bq.naive_quotes("d", text, persons)
    assert [r["quote"] for r in rows] == ["we will win this race", "Another quote here now"]
    assert rows[0]["speaker"] == "Ann Lee" and (rows[0]["speaker_start"], rows[0]["speaker_end"]) == (0, 7)
    assert rows[1]["speaker"] is None and rows[1]["kind"] == "direct"
    assert bq.naive_quotes("d", 'a "b c" d', [])[0]["kind"] == "scare"


def test_complete_columns_adds_nulls_and_names_them() -> None:
    table = pl.DataFrame({"doc_id": ["d"], "start": [1], "end": [4], "kind": ["direct"], "speaker": ["X"]})
    done, missing = harness.complete_columns(table, bq.COLUMN_TYPES)
    assert missing == ["quote", "speaker_text", "speaker_start", "speaker_end", "attribution"]
    assert done["speaker_start"].dtype == pl.Int64 and done["speaker_start"].null_count() == 1


def _score() -> dict:
    return {"all": {"detection": {"P": 90.0, "R": 80.0, "F1": 84.7}, "recall_gold_1-3_words": 0.0,
                    "gold_1-3_words": 0,
                    "speaker": {"all_with_source": {"matched": 10, "span_acc": 70.0},
                                "span_acc_by_pred_kind": {"direct": {"matched": 8, "span_acc": 75.0},
                                                          "partial": {"matched": 2, "span_acc": 50.0}},
                                "named": {"matched": 5, "fullname_acc": 60.0}},
                    "end_to_end_quote+speaker_span": {"F1": 60.0}},
            "ggt_protocol_all_attributions": {"P": 90.0, "R": 30.0, "F1": 45.0, "tp": 3, "speaker_span_acc": 66.7,
                                              "recall_unquoted_attributions": 0.0},
            bq.GGT_INDIRECT: {"P": 88.0, "R": 40.0, "F1": 55.0, "tp": 4, "speaker_span_acc": 60.0,
                              "recall_unquoted_attributions": 20.0}}


def test_quote_figures_missing_speaker_offsets_are_na_not_zero() -> None:
    figures = {f.extra["key"]: f for f in bq.figures_from(_score(), "", ["speaker_start", "speaker_end"], None)}
    assert figures["detection_F1"].value == 84.7
    assert figures["speaker_fullname"].value == 60.0                 # needs only `speaker`
    for key in ("speaker_overall", "speaker_partial", "end_to_end_F1", "ggt_speaker"):
        assert figures[key].value is None and "speaker_start" in figures[key].na
    assert figures["recall_1_3_words"].value is None                 # no 1-3-word gold: not a 0.0
    assert figures["detection_F1"].passed is False and figures["ggt_P"].passed is True


def test_quote_figures_when_the_scorer_failed() -> None:
    figures = bq.figures_from(None, "score.py failed (exit 1): KeyError", [], None)
    assert all(f.value is None and "KeyError" in f.na for f in figures)


def test_dates_no_shift_baseline() -> None:
    dates = pl.DataFrame({"doc_id": ["a", "b"], "start": [0, 5], "end": [4, 9], "text": ["x", "y"],
                          "date": [dt.date(1998, 1, 1), None], "date_end": [dt.date(1998, 1, 31), None],
                          "granularity": ["month", "day"], "resolved": [True, False], "resolution": ["r", "r"]})
    clean = pl.DataFrame({"doc_id": ["a", "b"], "published_date": [dt.date(1998, 3, 4), None]})
    out = bd.no_shift(dates, clean).sort("doc_id")
    assert out["date"].to_list() == [dt.date(1998, 3, 4), None]
    assert out["granularity"].to_list() == ["month", "day"] and out["resolved"].to_list() == [True, False]
    assert out.columns == dates.columns


def test_figure_roundtrip_and_verdict() -> None:
    fig = harness.Figure("x", 0.5, target=(">=", 0.6), scale="ratio")
    back = harness.figure_from_dict(fig.as_dict())
    assert back == fig and back.passed is False
    assert harness.Figure("y", None, na="why").passed is None
    assert harness.score_figure({"a": {"n": 0, "v": 0.0}}, ("a", "v"), ("a", "n")) == (
        None, "nothing to measure it on (count 0)")


def test_quality_gate_check_and_new_floors() -> None:
    import quality_gates as qg
    results = {"dates": {"seconds": 1.0, "figures": {"value_F1": {"value": 58.4, "na": "", "scale": "%"}}},
               "provenance": {"seconds": 1.0, "figures": {
                   "ari": {"value": 0.90, "na": "", "scale": "ratio"},
                   "wrong_links_per_100_pages": {"value": 0.0, "na": "", "scale": "count", "direction": "max"},
                   "pair_recall": {"value": None, "na": "no pairs", "scale": "ratio"}}},
               "quotes": {"seconds": 1.0, "error": "dvc repro failed (exit 1)\n..."}}
    floors = qg.new_floors(results, 1.5, 0.015)
    assert floors == {"dates": {"value_F1": {"min": 56.9}},
                      "provenance": {"ari": {"min": 0.885}, "wrong_links_per_100_pages": {"max": 1.0}}}
    rows = {(r["gate"], r["figure"]): r for r in qg.check(results, {
        **floors, "quotes": {"detection_F1": {"min": 87.0}}, "clean": {"F1": {"min": 0.9}},
        "provenance": {**floors["provenance"], "pair_recall": {"min": 0.8}}})}
    assert rows[("dates", "value_F1")]["pass"] is True
    recall, detection = rows[("provenance", "pair_recall")], rows[("quotes", "detection_F1")]
    assert recall["pass"] is False and recall["why"] == "no pairs"
    assert detection["pass"] is False and "dvc repro failed" in detection["why"]
    assert rows[("clean", "F1")]["pass"] is None                       # the gate did not run
    worse = {"dates": {"seconds": 1.0, "figures": {"value_F1": {"value": 56.0, "na": "", "scale": "%"}}}}
    assert qg.check(worse, {"dates": floors["dates"]})[0]["pass"] is False


def test_publisher_halves_split_every_publisher_once() -> None:
    assert set(bq.DEV_PUBLISHERS) | set(bq.HELD_OUT_PUBLISHERS) == set(bq.PUBLISHERS)
    assert not set(bq.DEV_PUBLISHERS) & set(bq.HELD_OUT_PUBLISHERS)


def test_read_records_keeps_only_the_ids_asked(tmp_path) -> None:
    import gzip
    import json
    path = tmp_path / "input.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for url in ("polnear:a", "polnear:b", "polnear:c"):
            fh.write(json.dumps({"url": url, "text": "t"}) + "\n")
    assert [json.loads(x)["url"] for x in bq.read_records(path, ids={"polnear:c", "polnear:a"})] == \
        ["polnear:a", "polnear:c"]
    assert len(bq.read_records(path, limit=1, ids={"polnear:b", "polnear:c"})) == 1


def test_gold_source_name_drops_the_role_and_keeps_the_name() -> None:
    titles = frozenset({"sen", "gov", "mr", "rep", "republican"})
    cases = {"White House press secretary Josh Earnest": "Josh Earnest",
             "Rep. Tom Cole of Oklahoma, an ally of GOP leadership,": "Tom Cole",
             "Former Clinton Senior Adviser Sidney Blumenthal": "Sidney Blumenthal",
             "Clinton\u2019s top aide Jake Sullivan": "Jake Sullivan",
             "New Jersey Gov.\u00a0Chris Christie": "Chris Christie",
             "Texas-based Matt Mackowiak": "Matt Mackowiak",
             "Donald Trump": "Donald Trump",
             "Fox News host": "Fox News host"}     # no name left: the source as given
    assert {source: bq.gold_source_name(source, titles) for source in cases} == cases


def test_date_losses_take_the_date_only_frame_apart_by_cause() -> None:
    import dates_retag as dr
    golds = [{"c": (0, 5), "type": "DATE", "value": "1989-11"},          # right
             {"c": (10, 15), "type": "DATE", "value": "1989"},           # same extent, wrong value
             {"c": (20, 30), "type": "DATE", "value": "1988"},           # another extent, wrong value
             {"c": (40, 45), "type": "DATE", "value": "1989-Q3"},        # matched by a duration
             {"c": (50, 55), "type": "DATE", "value": "PRESENT_REF"},    # missed
             {"c": None, "type": "DATE", "value": "1990"},               # in a dropped line: missed
             {"c": (60, 65), "type": "DURATION", "value": "P1Y"}]
    preds = [{"c": (0, 5), "type": "DATE", "value": "1989-11"}, {"c": (10, 15), "type": "DATE", "value": "1990"},
             {"c": (22, 30), "type": "DATE", "value": "1987"}, {"c": (40, 45), "type": "DURATION", "value": "P3M"},
             {"c": (61, 63), "type": "DATE", "value": "1989"}, {"c": (70, 75), "type": "DATE", "value": "1989"}]
    counts = dr.date_losses(golds, preds)
    assert {k: v for k, v in counts.items() if v} == {
        "gold": 6, "right": 1, "e value": 1, "d extent": 1, "c type DURATION": 1, "a miss": 2,
        "left out on DURATION": 1, "b false alarm DATE": 1}
    rows = {kind: (n, round(f1, 2)) for kind, n, f1 in dr.loss_table(counts)}
    # 1 right of 5 predictions counted (the one on the DURATION left out) and 6 gold: 2 * 1 / 11
    assert rows["DATE value F1"] == (1, 18.18)
    assert rows["a miss"] == (2, round(200 * 3 / 13, 2))
    assert rows["b false alarm DATE"] == (1, 20.0)
    assert rows["e value"] == (1, round(200 * 2 / 11, 2))
