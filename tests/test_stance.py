"""Stance of reply claims: each kind of stance, and each kind of target, on real and realistic text."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from tests.conftest import unavailable

from cruxmap.graph.schema import EXTERNAL_TARGET, STANCES, Author, Comment, Post, Thread
from cruxmap.decompose.evaluate import load_crux_thread
from cruxmap.decompose.pipeline import decompose
from cruxmap.decompose.stance import comment_stance, sentence_stance

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
HERE = Path(__file__).resolve().parent / "data"


def _debagreement(*ids: str) -> dict[str, dict[str, str]]:
    path = DATA / "debagreement" / "debagreement_test_split.csv"
    if not path.exists():
        unavailable("shared corpora not available")
    with path.open(encoding="utf-8", newline="") as fh:
        return {r["msg_id_child"]: r for r in csv.DictReader(fh) if r["msg_id_child"] in ids}


def _thread(post: str, *replies: tuple[str, str, str, str]) -> Thread:
    """A post by alice and replies (id, parent id, author, text)."""
    names = {"alice"} | {r[2] for r in replies}
    authors = tuple(Author(f"author:{n}", n) for n in sorted(names))
    comments = tuple(Comment(id=i, text=t, post_id="p", parent_id=p, author_id=f"author:{a}")
                     for i, p, a, t in replies)
    return Thread("test", posts=(Post(id="p", text=post, author_id="author:alice"),),
                  comments=comments, authors=authors)


@pytest.mark.parametrize("text, stance", [
    ("I disagree, the data say otherwise.", "disagree"),
    ("Fergus, I think that is too strong.", "disagree"),  # pushing back on how far a claim goes
    ("That's a stretch, and it overstates the effect.", "disagree"),
    ("Totally agree with this, well said.", "agree"),
    ("Small correction: the figure is 3.2, not 2.3.", "correct"),
    ("Fair point, I stand corrected.", "concede"),
    ("Good catch, fixed.", "concede"),
    ("What do you mean by alignment here?", "question"),
    ("The meeting is on Tuesday.", "neutral"),
])
def test_each_stance_from_its_cue(text, stance):
    st = sentence_stance(text)
    assert st.stance == stance
    assert st.stance in STANCES and 0 < st.confidence <= 1
    if stance != "neutral":
        assert st.evidence.startswith("cue:")


def test_real_reddit_replies_get_the_labelled_stance():
    rows = _debagreement("fzr4dag", "fnl6zws", "ftjh39f")
    assert comment_stance(rows["fzr4dag"]["body_child"]).stance == "disagree"  # "No, you're wrong."
    assert comment_stance(rows["fnl6zws"]["body_child"]).stance == "agree"     # "But I agree with you overall"
    assert comment_stance(rows["ftjh39f"]["body_child"]).stance == "concede"   # "That's a fair point."


def test_real_cmv_partial_agreement_is_agreement():
    path = DATA / "cmv-modes" / "v2.0" / "negative" / "88.txt"
    if not path.exists():
        unavailable("shared corpora not available")
    line = next(x for x in path.read_text(encoding="utf-8").splitlines() if "But I agree with you" in x)
    assert sentence_stance(line).stance == "agree"


def test_stance_is_per_claim_agree_then_disagree():
    m = decompose(_thread(
        "Interpretability research is underfunded. Most labs spend under five percent of compute on it.",
        ("c1", "p", "bob", "I agree that interpretability research is underfunded. "
                           "But the five percent figure is wrong for the big labs.")))
    by_text = {c.text: c for c in m.claims}
    stance_of = {s.source_claim_id: s for s in m.stances}
    first = stance_of[by_text["I agree that interpretability research is underfunded."].id]
    second = stance_of[by_text["But the five percent figure is wrong for the big labs."].id]
    assert (first.stance, second.stance) == ("agree", "disagree")
    # each answers the parent claim it is about
    assert first.target_claim_id == by_text["Interpretability research is underfunded."].id
    assert second.target_claim_id == by_text["Most labs spend under five percent of compute on it."].id
    assert by_text["But the five percent figure is wrong for the big labs."].role == "attack"
    assert by_text["I agree that interpretability research is underfunded."].role == "support"


def test_quote_targets_the_quoted_claim():
    thread, _ = load_crux_thread(HERE / "crux_interpretability.json")
    m = decompose(thread)
    quoted = next(c for c in m.claims if c.text.startswith("If reconstruction error keeps falling"))
    reply = [s for s in m.stances if s.source_claim_id.startswith("claim:c1:")]
    assert reply and all(s.target == "quote" and s.target_claim_id == quoted.id for s in reply)
    assert all(s.stance == "disagree" for s in reply)
    assert 'quote: "If reconstruction error' in reply[0].evidence


def test_inline_you_write_quote_targets_that_claim():
    m = decompose(_thread(
        "Benchmarks are saturated. Models now beat humans on reading comprehension. Progress is fast.",
        ("c1", "p", "bob", 'You write: "Models now beat humans on reading comprehension". '
                           "That is not true for the adversarial sets.")))
    target = next(c for c in m.claims if c.text.startswith("Models now beat"))
    st = [s for s in m.stances if s.source_claim_id.startswith("claim:c1:")]
    assert any(s.target == "quote" and s.target_claim_id == target.id and s.stance == "disagree" for s in st)


def test_rejecting_something_outside_the_thread_is_external():
    m = decompose(_thread(
        "Here is my summary of the scaling debate so far.",
        ("c1", "p", "bob", "I don't think the main lesson of that paper is about scale.")))
    st = [s for s in m.stances if s.source_claim_id.startswith("claim:c1:")]
    assert st and st[0].stance == "disagree"
    assert st[0].target == "external" and st[0].target_claim_id == EXTERNAL_TARGET


def test_unknown_nesting_finds_target_by_similarity():
    thread = Thread("paste", posts=(Post(id="p", text="Sparse autoencoders will scale to frontier models.",
                                         author_id="author:alice"),),
                    comments=(Comment(id="c1", post_id="p", parent_id=None, nesting="unknown",
                                      author_id="author:bob",
                                      text="I strongly disagree that sparse autoencoders will scale to frontier models."),),
                    authors=(Author("author:alice", "alice"), Author("author:bob", "bob")))
    m = decompose(thread)
    (st,) = [s for s in m.stances if s.source_claim_id.startswith("claim:c1:")]
    assert st.target == "similarity" and st.target_claim_id.startswith("claim:p:")
    assert st.stance == "disagree"


def test_every_reply_has_a_comment_stance():
    thread, expected = load_crux_thread(HERE / "crux_electronics.json")
    m = decompose(thread)
    got = {cid: s for cid, s, _ in m.comment_stances}
    assert set(got) == {c.id for c in thread.comments}
    for cid, want in expected["comment_stances"].items():
        assert got[cid] == want, cid


# --- the shipped feature model (decompose/models/stance_features.json) -------------------------
RENT = "Rent control protects tenants and keeps neighbourhoods stable."


@pytest.fixture(params=["none", "minilm"])
def encoder(request):
    """Each behaviour below holds for the default model and with the optional MiniLM encoder."""
    return request.getfixturevalue("minilm") if request.param == "minilm" else None


@pytest.mark.parametrize("reply, stance", [
    # no disagreement marker: it argues the other side and turns on the other person
    ("Every city that tried it ended up with fewer rentals and worse maintenance. "
     "You are describing the intent, not the outcome.", "disagree"),
    # no agreement marker: it adds a further reason for the same side
    ("And it also stops landlords from pushing out elderly residents who have lived there "
     "for decades.", "agree"),
    ("The council meets on Thursday to vote on it.", "neutral"),
])
def test_model_reads_replies_without_markers(reply, stance, encoder):
    assert comment_stance(reply).stance == "neutral"  # cues alone see nothing
    st = comment_stance(reply, parent=RENT, encoder=encoder)
    assert st.stance == stance
    # evidence names the model, its probability and the features that pushed it
    assert st.evidence.startswith(f"model {stance} p=")
    assert f"p={st.confidence:.2f}" in st.evidence


def test_explicit_cues_still_decide_with_a_parent(encoder):
    st = comment_stance("Fair point about the metric, but I disagree that it matters.", parent=RENT, encoder=encoder)
    assert st.stance == "disagree" and 'cue: "i disagree"' in st.evidence and "model" in st.evidence
    assert comment_stance("Good catch, fixed.", parent=RENT, encoder=encoder).stance == "concede"
    assert comment_stance("Small correction: it passed in 2019, not 2021.", parent=RENT,
                          encoder=encoder).stance == "correct"


def test_pipeline_claims_take_the_model_stance():
    m = decompose(_thread(RENT, ("c1", "p", "bob",
                                 "Every city that tried it ended up with fewer rentals and worse maintenance. "
                                 "You are describing the intent, not the outcome.")))
    (cs,) = m.comment_stances
    assert cs[1] == "disagree"
    st = [s for s in m.stances if s.source_claim_id.startswith("claim:c1:")]
    assert st and all(s.stance == "disagree" and "model attack p=" in s.evidence for s in st)
    assert all(c.role == "attack" for c in m.claims if c.source_id == "c1")


def test_shipped_model_holds_named_features_only():
    import json
    from cruxmap.decompose.stance_model import MODEL_PATH, feature_names

    doc = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    for name, want in (("reply", ["disagree", "neutral", "agree"]), ("relation", ["attack", "support"])):
        model = doc["models"][name]
        assert model["classes"] == want
        # a few dozen named features, one weight per class: no vocabulary, no text
        assert model["features"] == feature_names() and len(model["features"]) < 100
        assert set(model["weights"]) == set(feature_names())
        assert all(len(w) == len(want) for w in model["weights"].values())
