"""The extractor registry: every extractor names a params section, a strict table model and an output of
dvc.yaml's tag stage; a batch runs the extractor on its documents only."""
from pathlib import Path

import polars as pl
import yaml

from schemas.params import Tag
from stages.tag.registry import EXTRACTORS, document_batches, run_extractor
from tests.shipped_params import shipped
from tests.tag.sentence_frames import frames

ROOT = Path(__file__).resolve().parents[2]


def test_each_extractor_declares_a_params_section_a_strict_model_and_a_tracked_output():
    outs = yaml.safe_load((ROOT / "dvc.yaml").read_text())["stages"]["tag"]["outs"]
    assert [e.name for e in EXTRACTORS] == ["quotes", "attributions", "counts", "dates", "themes"]
    for extractor in EXTRACTORS:
        assert extractor.params in Tag.model_fields
        assert extractor.model.Config.strict is True
        assert extractor.output in outs and extractor.output == f"data/tag/{extractor.name}.parquet"
    assert {e.name for e in EXTRACTORS if e.needs_entities} == {"quotes", "attributions"}


def test_batches_hold_whole_documents_and_the_task_reads_only_its_batch():
    docs_a, sents_a = frames("Hamas fired ten rockets.", "a")
    docs_b, sents_b = frames("About 300 people fled on Sunday.", "b")
    docs, sents = pl.concat([docs_a, docs_b]), pl.concat([sents_a, sents_b])
    batches = document_batches(docs, sents, None, pl.Series(["b"]), 4)
    assert len(batches) == 1 and batches[0].docs["doc_id"].to_list() == ["b"]
    assert set(batches[0].sentences["doc_id"]) == {"b"} and batches[0].entities is None
    counts = next(e for e in EXTRACTORS if e.name == "counts")
    rows = run_extractor(counts, counts.section(shipped("tag")), batches[0])
    assert rows["doc_id"].to_list() == ["b"] and rows["value"].to_list() == [300]
    two = document_batches(docs, sents, None, pl.Series(["a", "b"]), 2)
    assert [b.docs["doc_id"].to_list() for b in two] == [["a"], ["b"]]


def test_an_undeclared_column_fails_every_tag_table():
    import pandera.errors
    import pytest

    from schemas.base import empty_frame
    from schemas.tag import Entities
    for model in [Entities, *(e.model for e in EXTRACTORS)]:
        with pytest.raises(pandera.errors.SchemaErrors):
            model.validate(empty_frame(model).with_columns(pl.lit(1).alias("extra")), lazy=True)
