"""The optional minilm stance encoder: a numpy all-MiniLM-L6-v2, and the reply model that reads it.

The stance behaviours shared with the default model run with both in tests/test_stance.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from cruxmap.decompose.evaluate import DEBAGREEMENT_LABELS, _reply_predictions, debagreement_rows, macro_f1
from cruxmap.decompose.minilm import MiniLMEncoder, load_stance_encoder
from cruxmap.decompose.pipeline import decompose
from cruxmap.decompose.stance_model import MODEL_PATH, encoder_feature_names, encoder_features, feature_names
from cruxmap.graph.errors import EncoderUnavailable
from cruxmap.graph.schema import Comment, Post, Thread
from cruxmap.ui.cli import cli

DATA = Path(__file__).parent / "data"


@pytest.fixture
def encoder(minilm) -> MiniLMEncoder:
    return minilm


def test_vectors_match_sentence_transformers(encoder):
    ref = json.loads((DATA / "minilm_reference.json").read_text(encoding="utf-8"))
    got = encoder.encode(ref["texts"])
    want = np.asarray(ref["vectors"], dtype=np.float32)
    assert got.shape == (3, 384)
    assert np.abs(got - want).max() < 1e-5
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


def test_encode_keeps_order_and_repeats(encoder):
    texts = ["Scaling will stall.", "I agree.", "Scaling will stall."]
    first = encoder.encode(texts)
    assert np.array_equal(first[0], first[2])
    again = encoder.encode(list(reversed(texts)))  # from the cache now
    assert np.allclose(again[::-1], first)
    assert float(first[0] @ first[1]) < 0.9
    assert encoder.encode([]).shape == (0, 384)


def test_missing_model_folder_is_a_clear_error(tmp_path):
    with pytest.raises(EncoderUnavailable, match=f"{tmp_path}.*model.safetensors"):
        MiniLMEncoder.load(tmp_path)
    assert load_stance_encoder("none") is None
    with pytest.raises(EncoderUnavailable, match="unknown stance encoder"):
        load_stance_encoder("bert-large")


def test_cli_missing_model_is_one_line_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRUXMAP_MINILM_DIR", str(tmp_path / "nowhere"))
    result = CliRunner().invoke(cli, ["ingest", str(DATA / "essay.md"), "--stance-encoder", "minilm"])
    assert result.exit_code == 2
    errors = [x for x in result.output.splitlines() if x.startswith("error:")]
    assert len(errors) == 1 and "nowhere" in errors[0], result.output
    assert not (tmp_path / "cruxmap.db").exists()  # nothing was written


def test_features_are_named_and_bounded(encoder):
    x = encoder_features("Rent control protects tenants.", "> Rent control protects tenants.\n\nNo, it shrinks supply.",
                         encoder)
    assert len(x) == len(encoder_feature_names()) == 20
    assert np.all(np.abs(x) <= 1.0 + 1e-6)  # cosines


def test_shipped_minilm_model_holds_named_features_only():
    doc = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    model = doc["models"]["reply_minilm"]
    assert model["classes"] == ["disagree", "neutral", "agree"]
    assert model["features"] == feature_names() + encoder_feature_names() and len(model["features"]) < 100
    assert all(len(w) == 3 for w in model["weights"].values())


RENT = "Rent control protects tenants and keeps neighbourhoods stable."


def test_beats_the_default_on_held_out_debagreement(encoder, shared_data):
    """A quarter of the held-out half (rows are sorted by label, so every 4th row keeps the mix)."""
    rows = debagreement_rows(shared_data)["test"][::4]
    gold = [DEBAGREEMENT_LABELS[r["label"]] for r in rows]
    labels = ("disagree", "neutral", "agree")
    default = macro_f1(gold, _reply_predictions(rows, True), labels)["macro_f1"]
    minilm = macro_f1(gold, _reply_predictions(rows, True, encoder), labels)["macro_f1"]
    assert minilm >= 0.55 and minilm > default, (minilm, default)


def test_pipeline_and_cli_use_it(encoder, tmp_path, monkeypatch):
    thread = Thread("t", posts=(Post(id="p", text=RENT, author_id="ann"),), comments=(
        Comment(id="c1", post_id="p", parent_id="p", author_id="bob",
                text="Every city that tried it ended up with fewer rentals and worse maintenance. "
                     "You are describing the intent, not the outcome."),))
    with_encoder = decompose(thread, encoder=encoder).comment_stances
    assert [(cid, s) for cid, s, _ in with_encoder] == [("c1", "disagree")]
    assert with_encoder != decompose(thread).comment_stances  # another model, another confidence

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRUXMAP_DB", raising=False)
    run = CliRunner().invoke
    src = str(DATA / "reddit_thread.json")
    def ingest_and_export(db: str, *flags: str) -> str:
        result = run(cli, ["ingest", src, "--db", db, *flags], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return run(cli, ["export", "--format", "json", "--db", db], catch_exceptions=False).output

    plain = ingest_and_export("plain.db")
    exported = ingest_and_export("minilm.db", "--stance-encoder", "minilm")
    assert exported != plain  # the comments' stances (or their confidences) come from the other model
    assert ingest_and_export("minilm.db", "--stance-encoder", "minilm") == exported  # re-ingest: no change
