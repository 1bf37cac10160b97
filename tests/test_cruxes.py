"""Cruxes: explicit markers, lists of cruxes, implicit and double cruxes, and how few there are."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.schema import Author, Comment, Post, Thread
from graph.store import open_store
from decompose.cruxes import as_question, explicit_complement
from decompose.evaluate import crux_found, load_crux_thread
from decompose.pipeline import decompose

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
    assert as_question("Remote work raises productivity.") == "Is it true that remote work raises productivity?"
