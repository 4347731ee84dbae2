"""Statement classifier: statements count as evidence, claims and events; page furniture does not."""
import polars as pl
import pytest

from stages.aggregate.statements import KINDS, is_statement, keep_statements, sentence_kinds


@pytest.mark.parametrize("text, kind", [
    ("Senior officials met in Rome on Sunday to discuss a truce.", "statement"),
    ("By Sunday the talks had stalled.", "statement"),
    ("The president said on Twitter that he would veto the bill.", "statement"),
    ('"Please stop," she said.', "statement"),
    ("Be sure to visit the museum on Facebook, Twitter, and Instagram.", "call_to_action"),
    ("Follow the station on Facebook and Instagram.", "call_to_action"),
    ("This article has been adapted from its original source.", "call_to_action"),
    ("Sign up for our newsletter to get the news first.", "call_to_action"),
    ("The views and opinions expressed in this article are those of the author.", "call_to_action"),
    ("Welcome to the new 16-inch laptop.", "call_to_action"),
    ("Details can be found in this laptop deal roundup.", "call_to_action"),
    ('"Welcome to the party," she told them.', "statement"),
    ("Under the accounting rules, provisions do not necessarily reflect the full amount.", "statement"),
    ("Click here: https://example.org/x.", "url"),
    ("Write to jane@example.org for details.", "url"),
    ("By JANE ROE", "credit"),
    ("Photo: Reuters", "credit"),
    ("BREAKING NEWS TONIGHT", "shouting"),
    ("The slimmer bezels of the new laptop", "heading"),
    ("Tour dates:", "heading"),
    ("June 9 – Tampa, FL @ Some Amphitheatre", "heading"),
])
def test_kinds(text, kind):
    assert kind in KINDS
    found = sentence_kinds(pl.DataFrame({"sent_id": ["s1"], "text": [text]}))
    assert found["kind"].to_list() == [kind]
    assert is_statement(text) == (kind == "statement")


def test_empty_frame():
    assert sentence_kinds(pl.DataFrame(schema={"sent_id": pl.String, "text": pl.String})).is_empty()


def test_keep_statements_zeroes_furniture_only():
    signatures = pl.DataFrame({"sent_id": ["a", "b"], "doc_id": ["d", "d"], "n_content": [5, 6]})
    sentences = pl.DataFrame({"sent_id": ["b", "a"], "text": ["Follow us on Twitter.", "Prices rose sharply in May."]})
    kept = keep_statements(signatures, sentence_kinds(sentences))
    assert kept.columns == signatures.columns
    assert kept["sent_id"].to_list() == ["a", "b"] and kept["n_content"].to_list() == [5, 0]


@pytest.mark.parametrize("text, kind", [
    ("Obrigado por compartilhar nosso conteúdo!", "exclamation"),
    ('"We won!" the coach said.', "statement"),
    ("“We won!”", "statement"),
    ("Deixe suas dúvidas e opiniões aqui embaixo.", "call_to_action"),
])
def test_exclamations_and_other_languages(text, kind):
    assert sentence_kinds(pl.DataFrame({"sent_id": ["s1"], "text": [text]}))["kind"].to_list() == [kind]
