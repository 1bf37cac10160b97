"""The evaluation harness runs on the shared corpora and on our own crux threads."""

from __future__ import annotations

from pathlib import Path

import pytest

from decompose.evaluate import eval_crux_threads, eval_microtexts, split_of

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def test_split_is_deterministic_and_balanced():
    keys = [f"k{i}" for i in range(2000)]
    dev = sum(split_of(k) == "dev" for k in keys)
    assert 900 < dev < 1100 and split_of("k1") == split_of("k1")


def test_microtexts_scores():
    if not (DATA / "arg-microtexts").is_dir():
        pytest.skip("shared corpora not available")
    r = eval_microtexts(DATA)
    assert r["relations_test"]["macro_f1"] > 0.6
    assert r["central_claim_test"]["accuracy"] > 0.6


def test_crux_threads_all_found():
    r = eval_crux_threads(Path(__file__).resolve().parent / "data")
    found, total = map(int, r["cruxes_found_top3"].split("/"))
    assert total >= 5 and found == total
