"""Shared fixtures: where the third-party corpora live (../shared/data beside the checkout)."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = (ROOT.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real corpora. CI always has them; a checkout without them skips these tests."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"third-party corpora not found at {SHARED_DATA}")
    return SHARED_DATA
