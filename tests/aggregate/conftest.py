"""Fixtures for the aggregate tests: the tiny hand-built corpus of tests/aggregate/tiny_corpus.py."""
from __future__ import annotations

import polars as pl
import pytest

from tests.aggregate.tiny_corpus import build_tiny_corpus


@pytest.fixture
def tiny_corpus() -> dict[str, pl.DataFrame]:
    return build_tiny_corpus()
