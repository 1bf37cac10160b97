"""Cruxes: explicit markers, lists of cruxes, implicit and double cruxes, and how few there are."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cruxmap.graph.schema import Author, Comment, Post, Thread
from cruxmap.graph.store import open_store
from cruxmap.decompose.cruxes import as_question, budget, explicit_complement
from cruxmap.decompose.propositions import defect
from cruxmap.decompose.evaluate import crux_found, load_crux_thread
from cruxmap.decompose.pipeline import decompose

HERE = Path(__file__).resolve().parent / "data"
THREADS = sorted(HERE.glob("crux_*.json"))


@pytest.mark.parametrize("path", THREADS, ids=[p.stem for p in THREADS])
def test_known_crux_is_among_the_top_three(path):
    thread, expected = load_crux_thread(path)
    m = decompose(thread)
    texts = [x.text for x in m.cruxes]
    for want in expected["cruxes"]:
        assert crux_found(want, texts[:3]), (want, texts)
    assert len(m.cruxes) <= max(3, len(m.claims) // 10)  # a handful, not dozens
    for x in m.cruxes:
        assert x.evidence and 0 < x.score <= 1 and x.kind in ("explicit", "implicit", "double")
        assert x.text.endswith((".", "?"))


@pytest.mark.parametrize("sentence, crux", [
    ("My crux is whether the unexplained variance contains safety-relevant computation.",
     "The unexplained variance contains safety-relevant computation."),
    ("This only works if the load is always connected.", "The load is always connected."),
    ("The real question is whether evals predict deployment behaviour.", "Evals predict deployment behaviour."),
    ("I'd change my mind if someone showed SAEs recover the deception circuits.",
     "Someone showed SAEs recover the deception circuits."),
    ("It all depends on whether compute keeps getting cheaper.", "Compute keeps getting cheaper."),
])
def test_explicit_markers_give_a_proposition(sentence, crux):
    assert explicit_complement(sentence) == crux


def test_numbered_list_of_cruxes_and_links_to_the_disagreement():
    thread, _ = load_crux_thread(HERE / "crux_prompting.json")
    m = decompose(thread)
    listed = [x for x in m.cruxes if x.evidence.startswith("listed under")]
    assert [x.text for x in listed] == ["Accuracy gains survive when answer length is held fixed.",
                                        "The written chain actually causes the final answer."]
    assert all(x.disagreement_ids for x in listed)
    with open_store(":memory:") as store:
        store.upsert_map(m)
        rows = store.cruxes(between=("quinn", "Ilse"))
        assert rows and rows[0]["kind"] == "explicit"


def test_attacked_premise_is_an_implicit_crux():
    thread = Thread("t", posts=(Post(id="p", author_id="author:a", text=(
        "We should ban gain-of-function research. If a lab leak can start a pandemic, the expected "
        "cost of the research exceeds its benefits.")),),
        comments=(Comment(id="c1", parent_id="p", post_id="p", author_id="author:b", text=(
            "I disagree that a lab leak is that likely to start a pandemic. Containment at BSL-4 labs "
            "has a very good record.")),),
        authors=(Author("author:a", "ann"), Author("author:b", "ben")))
    m = decompose(thread)
    implicit = [x for x in m.cruxes if x.kind in ("implicit", "double")]
    assert implicit, m.cruxes
    assert "lab leak" in implicit[0].text.lower()
    assert implicit[0].disagreement_ids == (m.disagreements[0].id,)
    assert any(c.role == "crux" for c in m.claims)


def test_double_crux_is_a_yes_no_question():
    thread = Thread("t", posts=(Post(id="p", author_id="author:a", text=(
        "Remote work raises productivity for software teams.")),),
        comments=(
            Comment(id="c1", parent_id="p", post_id="p", author_id="author:b",
                    text="No, remote work lowers productivity for software teams because mentoring suffers."),
            Comment(id="c2", parent_id="c1", post_id="p", author_id="author:a",
                    text="That's not true, mentoring works fine remotely with pairing."),
        ),
        authors=(Author("author:a", "ann"), Author("author:b", "ben")))
    m = decompose(thread)
    doubles = [x for x in m.cruxes if x.kind == "double"]
    assert doubles and doubles[0].text.endswith("?")
    assert as_question("Remote work raises productivity.") == "Does remote work raise productivity?"
    assert not any(x.text.startswith("Is it true that") for x in m.cruxes)


# --- properties on realistic threads -------------------------------------------------------
DEMO = Path(__file__).resolve().parents[1] / "ui" / "demo_data" / "demo_thread.jsonl"
_POINTING_START = re.compile(r"^(?:Is it true that )?(?:if |when |and |but |so )?(?:it|they|this|that|these|those|he|she)\b",
                             re.I)


@pytest.fixture(scope="module")
def demo():
    from cruxmap.loaders import read

    return decompose(read(DEMO))


def _reads_alone(text: str) -> bool:
    """A crux text a reader can act on: one sentence, names its subject, about the world."""
    return (text.endswith((".", "?")) and len(text.split()) >= 4 and "\n" not in text
            and not _POINTING_START.match(text) and "change our minds" not in text.lower()
            and "my crux" not in text.lower() and not text.lower().startswith(("my ", "i ")))


def test_demo_thread_has_a_handful_of_standalone_cruxes(demo):
    # stated cruxes are all kept; the inferred ones stay a handful (about 110 claims)
    assert len(demo.cruxes) >= 2 and len([x for x in demo.cruxes if x.kind != "explicit"]) <= budget(len(demo.claims)) <= 6
    for x in demo.cruxes:
        assert _reads_alone(x.text), x.text
        assert not defect(x.text), x.text
        assert x.evidence and 0 < x.score < 1


def test_demo_scores_rank_and_the_double_crux_leads(demo):
    scores = [x.score for x in demo.cruxes]
    assert scores == sorted(scores, reverse=True)
    assert max(scores) - min(scores) >= 0.05  # the ranking says something
    top = demo.cruxes[0]
    # a double crux reads as a question when the parse allows it, else as its statement
    assert top.kind == "double" and "planted deception" in top.text and not top.text.startswith("Is it true")
    assert "endorsed by Mara Lindqvist" in top.evidence


def test_demo_crux_camps_never_hold_one_author_twice(demo):
    with open_store(":memory:") as store:
        store.upsert_map(demo)
        for row in store.cruxes():
            assert not set(row["authors"]["a"]) & set(row["authors"]["b"]), row
        for row in store.disagreements():
            assert not set(row["authors"]["a"]) & set(row["authors"]["b"]), row


@pytest.mark.parametrize("sentence", [
    "Yes, I think that's our double crux: we would each change our minds on the same experiment.",
    "I agree, and I think this is the crux.",
    "My cruxes, roughly:",
])
def test_markers_without_a_proposition_name_no_crux(sentence):
    assert explicit_complement(sentence) == ""


@pytest.mark.parametrize("text, why", [
    ("If they do, the audit plan is viable; if they don't, you are right that it is a weak gate.", "meta"),
    ("If they do, the audit plan is viable.", "anaphoric"),
    ("We would each change our minds on the same experiment, in opposite directions.", "meta"),
    ("Epistemic status: moderately confident in the direction, not in the numbers.", "meta"),
    ("What would voters think of the new tax law?", "wh-question"),
    ("At 5% it doesn't.", "fragment"),
    ("Gradient descent selects for strategic deception in the next generation of models.", ""),
    ("It is unlikely that scaling stops before 2030.", ""),
])
def test_defect_names_what_keeps_a_sentence_from_standing_alone(text, why):
    assert defect(text) == why


def test_crux_named_by_both_sides_merges_into_one_double_crux():
    thread, _ = load_crux_thread(HERE / "crux_housing.json")
    m = decompose(thread)
    supply = [x for x in m.cruxes if "new supply" in x.text.lower()]
    assert len(supply) == 1  # the post's "my crux is" and the reply's "the real question is"
    x = supply[0]
    assert x.kind == "double" and x.text.endswith("?") and x == m.cruxes[0]
    assert "crux 3" in x.evidence and "also named by marta" in x.evidence
    names = {a.id: a.name for a in thread.authors}
    by_id = {c.id: c for c in m.claims}
    devon_marta = [d for d in m.disagreements
                   if {names[by_id[c].author_id] for c, _ in d.sides} == {"devon", "marta"}]
    assert devon_marta and devon_marta[0].id in x.disagreement_ids
    # the anaphoric "if they do, I'm wrong" and the meta "we would both change our minds" are no cruxes
    assert not any(t.text.lower().startswith(("if they", "we would")) for t in m.cruxes)
    # a "notacrux"-reacted crux ranks below one that readers reacted to as a crux
    finance = next(t for t in m.cruxes if "financing" in t.text)
    assert finance.score < x.score and "not a crux 2" in finance.evidence


def test_a_correction_is_not_what_a_crux_underlies():
    thread, _ = load_crux_thread(HERE / "crux_housing.json")
    m = decompose(thread)
    corrections = {d.id for d in m.disagreements if " corrects " in d.summary}
    assert corrections
    for x in m.cruxes:
        assert not corrections & set(x.disagreement_ids)


def test_budget_grows_sub_linearly():
    assert budget(20) == 3 and budget(100) == 5
    assert budget(10_000) < 10_000 // 25


def test_an_inline_crux_react_counts_for_the_claim_whose_span_it_quotes():
    from cruxmap.decompose.cruxes import _reacts
    from cruxmap.graph.schema import Claim, Comment

    c = Comment(id="c", text="Autonomy evals are the crux. Benchmarks are not.",
                reacts=(("crux", 2),), react_quotes=(("crux", "autonomy evals are the crux"),))
    marked = Claim(id="k1", source_id="c", start=0, end=28, text="Autonomy evals are the crux.")
    other = Claim(id="k2", source_id="c", start=29, end=48, text="Benchmarks are not.")
    assert (_reacts(c, "crux", marked), _reacts(c, "crux", other)) == (2, 0)
    plain = Comment(id="d", text="x", reacts=(("crux", 3),))
    assert _reacts(plain, "crux", other) == 3  # a react on the whole comment counts for each claim
