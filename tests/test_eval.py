"""The evaluation harness runs on the shared corpora and on our own crux threads."""

from __future__ import annotations

from pathlib import Path


from tests.conftest import unavailable

from cruxmap.decompose.evaluate import eval_crux_threads, eval_microtexts, split_of

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"


def test_split_is_deterministic_and_balanced():
    keys = [f"k{i}" for i in range(2000)]
    dev = sum(split_of(k) == "dev" for k in keys)
    assert 900 < dev < 1100 and split_of("k1") == split_of("k1")


def test_microtexts_scores():
    if not (DATA / "arg-microtexts").is_dir():
        unavailable("shared corpora not available")
    r = eval_microtexts(DATA)
    assert r["relations_test"]["macro_f1"] > 0.6
    assert r["central_claim_test"]["accuracy"] > 0.6


def test_crux_threads_all_found():
    r = eval_crux_threads(Path(__file__).resolve().parent / "data")
    found, total = map(int, r["cruxes_found_top3"].split("/"))
    assert total >= 5 and found == total


def test_shipped_stance_model_beats_cues_on_held_out_pairs():
    if not (DATA / "debagreement").is_dir():
        unavailable("shared corpora not available")
    from cruxmap.decompose.evaluate import THREE_WAY, _quotes, debagreement_rows, DEBAGREEMENT_LABELS, macro_f1
    from cruxmap.decompose.stance import comment_stance

    rows = debagreement_rows(DATA)["test"][::4]  # the file is sorted by label: take a spread
    gold = [DEBAGREEMENT_LABELS[r["label"]] for r in rows]
    labels = ("disagree", "neutral", "agree")
    score = {}
    for mode in ("model", "cues"):
        pred = [THREE_WAY[comment_stance(r["body_child"], _quotes(r["body_child"]),
                                         r["body_parent"] if mode == "model" else None).stance] for r in rows]
        score[mode] = macro_f1(gold, pred, labels)["macro_f1"]
    assert score["model"] > 0.5 and score["model"] > score["cues"] + 0.08


def test_cmv_cross_author_relations_reach_the_target():
    if not (DATA / "cmv-modes").is_dir():
        unavailable("shared corpora not available")
    from cruxmap.decompose.evaluate import eval_cmv

    assert eval_cmv(DATA)["relations_test"]["macro_f1"] >= 0.65
