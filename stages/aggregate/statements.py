"""Which sentences are statements: the only sentences that count as evidence of copying, as claims and as
timeline events.

A statement says something: it ends like a sentence and addresses no reader. Everything else a scraped
page carries beside its article is judged by form here, vectorised in polars over all sentences at once
(`sentence_kinds`), with word lists in `data/statements.yaml`:
- `url`: a web address or an e-mail address ("Clique aqui: https://goo.gl/...");
- `call_to_action`: a sentence that opens with an imperative addressed to the reader ("Follow NBC Latino
  on Facebook", "Be sure to visit ...", "Get Motor Cycle Monthly delivered ...") or carries page
  furniture ("This article has been adapted from its original source", "sign up for our newsletter"); a
  sentence that opens with a quotation mark is speech and never one;
- `credit`: a byline or picture credit ("By KRISTIN JONES", "Photo: AP", "Updated 3:02 PM EST Nov 6"):
  an opener followed by a colon, or by a short run of mostly capitalised words and figures;
- `exclamation`: ends with "!" and holds no quotation mark: a page exclaims to its reader ("Obrigado por
  compartilhar nosso conteúdo!"), a report does not (speech in quotes is a statement);
- `shouting`: at least 4 letters, 80% or more of them capitals (a heading or a banner);
- `heading`: no sentence-final punctuation (`.`, `!`, `?`, `…`, then closing quotes or brackets), or a
  final colon ("The Doobie Brothers 50th Anniversary Tour 2020 dates:", "Inverted 'T' design for arrow
  keys", "June 9 – West Palm Beach, FL @ Coral Sky Amphitheatre");
- `statement`: the rest.
Sentences that recur verbatim across unrelated documents (a site's footer, an "About X" paragraph) can look
like statements; they are found from the corpus, not from their form (`boilerplate`).
"""
from __future__ import annotations

import functools
import re
from pathlib import Path

import polars as pl

from stages.common.datafiles import load_yaml

LEXICON_PATH = Path(__file__).resolve().parent / "data" / "statements.yaml"
KINDS = ["statement", "heading", "url", "call_to_action", "credit", "exclamation", "shouting"]
QUOTATION_MARK = r"[\"“”«»„]"
EXCLAMATION = r"![\"'”’»)\]]*$"
KIND_SCHEMA = {"sent_id": pl.String, "kind": pl.String}

URL_PATTERN = r"(?i)https?://|\bwww\.|[\w.+-]@[\w-]+\.[a-z]"
FINAL_PUNCTUATION = r"[.!?…][\"'”’»)\]]*$"
OPENING_QUOTE = r"^[\"'“‘«„]"
CREDIT_MAX_WORDS = 12
CREDIT_CAPITALISED_SHARE = 0.6
SHOUTING_MIN_LETTERS = 4
SHOUTING_SHARE = 0.8


def _alternation(phrases: list[str]) -> str:
    """A regex alternative of literal phrases, longest first (so "follow us" wins over "follow")."""
    return "|".join(re.escape(p) for p in sorted(set(phrases), key=lambda p: (-len(p), p)))


@functools.lru_cache(maxsize=1)
def _patterns() -> dict[str, str]:
    data = load_yaml(LEXICON_PATH, dict[str, list[str]])
    return {"opener": rf"^(?:{_alternation(data['call_to_action_openers'])})(?:[\s:,.!]|$)",
            "phrase": rf"(?:^|[^\w])(?:{_alternation(data['call_to_action_phrases'])})(?:[^\w]|$)",
            "credit": rf"^(?:{_alternation(data['credit_openers'])})(?:[\s:]|$)",
            "credit_colon": rf"^(?:{_alternation(data['credit_openers'])})\s*:"}


def kind_expr(text: pl.Expr) -> pl.Expr:
    """The kind of each sentence text (see the module docstring), as a polars expression."""
    patterns = _patterns()
    stripped = text.fill_null("").str.strip_chars()
    lower = stripped.str.to_lowercase()
    words = stripped.str.count_matches(r"[\p{L}\d]+")
    capitalised = stripped.str.count_matches(r"(?:^|[^\p{L}\d])[\p{Lu}\d]")
    letters = stripped.str.count_matches(r"\p{L}")
    upper = stripped.str.count_matches(r"\p{Lu}")
    speech = stripped.str.contains(OPENING_QUOTE)
    credit = lower.str.contains(patterns["credit_colon"]) | (
        lower.str.contains(patterns["credit"]) & (words <= CREDIT_MAX_WORDS)
        & (capitalised >= CREDIT_CAPITALISED_SHARE * words))
    return (pl.when(stripped.str.contains(URL_PATTERN)).then(pl.lit("url"))
            .when(~speech & (lower.str.contains(patterns["opener"]) | lower.str.contains(patterns["phrase"])))
            .then(pl.lit("call_to_action"))
            .when(credit).then(pl.lit("credit"))
            .when(stripped.str.contains(EXCLAMATION) & ~stripped.str.contains(QUOTATION_MARK))
            .then(pl.lit("exclamation"))
            .when((letters >= SHOUTING_MIN_LETTERS) & (upper >= SHOUTING_SHARE * letters)).then(pl.lit("shouting"))
            .when(~stripped.str.contains(FINAL_PUNCTUATION) | stripped.str.ends_with(":")).then(pl.lit("heading"))
            .otherwise(pl.lit("statement")))


def sentence_kinds(sentences: pl.DataFrame) -> pl.DataFrame:
    """sent_id, kind of every sentence of `sentences` (sent_id, text)."""
    if sentences.is_empty():
        return pl.DataFrame(schema=KIND_SCHEMA)
    return sentences.select("sent_id", kind=kind_expr(pl.col("text"))).cast(KIND_SCHEMA)  # type: ignore[arg-type]


def is_statement(text: str) -> bool:
    """Whether one text is a statement (the frame version for a single string; tests and the report)."""
    return pl.select(kind_expr(pl.lit(text, pl.String))).item() == "statement"


def keep_statements(signatures: pl.DataFrame, kinds: pl.DataFrame) -> pl.DataFrame:
    """`signatures` (text_features.sentence_signatures) with n_content = 0 for every sentence whose kind
    (`sentence_kinds`: sent_id, kind) is not a statement, so that no alignment, claim or aligned share counts
    it (order and columns unchanged)."""
    if signatures.is_empty():
        return signatures
    statement = pl.col("kind") == "statement"
    return (signatures.join(kinds.select("sent_id", "kind"), on="sent_id", how="left", maintain_order="left")
            .with_columns(n_content=pl.when(statement).then(pl.col("n_content")).otherwise(0))
            .select(signatures.columns))
