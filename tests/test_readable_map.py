"""What a reader sees agrees with itself: pair lists and matrix colours, authors the page hid, words."""

from __future__ import annotations

from cruxmap.graph.analysis import divergence, words
from cruxmap.graph.nx_store import NxStore
from cruxmap.graph.schema import (
    ATTACKS, AUTHOR, CLAIM, DISAGREEMENT, PARTY_TO, SUPPORTS, node, relationship,
)


def _store(extra_nodes=(), extra_rels=()):
    s = NxStore(":memory:")
    nodes = [node("author:ann", AUTHOR, name="Ann"), node("author:bo", AUTHOR, name="Bo"),
             node("author:cy", AUTHOR, name="Cy"),
             node("c1", CLAIM, text="Cats purr.", author_id="author:ann"),
             node("c2", CLAIM, text="Not all cats purr.", author_id="author:bo"),
             node("c3", CLAIM, text="Cats purr, I agree.", author_id="author:bo"),
             node("c4", CLAIM, text="Right, they purr.", author_id="author:bo"),
             node("c5", CLAIM, text="Purring is for kittens.", author_id="author:cy"),
             node("c6", CLAIM, text="No, adult cats purr too.", author_id="author:ann"),
             node("d1", DISAGREEMENT, summary="Do cats purr?", status="open", confidence=0.6),
             node("d2", DISAGREEMENT, summary="Only kittens?", status="open", confidence=0.8), *extra_nodes]
    rels = [relationship(ATTACKS, "c2", "c1", confidence=0.55, stance="disagree"),
            relationship(SUPPORTS, "c3", "c1", confidence=0.9, stance="agree"),
            relationship(SUPPORTS, "c4", "c1", confidence=0.9, stance="agree"),
            relationship(ATTACKS, "c6", "c5", confidence=0.8, stance="disagree"),
            relationship(PARTY_TO, "c1", "d1", side="a"), relationship(PARTY_TO, "c2", "d1", side="b"),
            relationship(PARTY_TO, "c5", "d2", side="a"), relationship(PARTY_TO, "c6", "d2", side="b"),
            *extra_rels]
    s.upsert(nodes, rels)
    return s


def test_a_pair_listed_as_divergent_is_never_coloured_as_agreeing():
    s = _store()
    cells = {(c["a"], c["b"]): c for c in divergence.divergence_matrix(s)["cells"]}
    pairs = divergence.divergent_pairs(s)
    assert pairs, "Ann and Cy only disagree"
    for p in pairs:
        assert cells[(p["a"], p["b"])]["net"] > 0  # orange in the matrix
    # Ann and Bo had one disagreement but mostly agree (two confident agreeing replies): not listed
    assert {frozenset((p["a"], p["b"])) for p in pairs} == {frozenset(("author:ann", "author:cy"))}
    assert cells[("author:ann", "author:bo")]["net"] < 0
    assert words.balance(0.55, 1.8, 1) == "They mostly agree, though they disagree once."


def test_claims_without_an_author_have_a_place_in_the_matrix():
    s = _store([node("c7", CLAIM, text="That is simply wrong.", author_id=None)],
               [relationship(ATTACKS, "c7", "c1", confidence=0.7, stance="disagree")])
    m = divergence.divergence_matrix(s)
    assert m["authors"][-1] == {"id": divergence.NOT_SHOWN, "name": "author not shown", "claims": 1}
    cell = next(c for c in m["cells"] if c["a"] == divergence.NOT_SHOWN and c["b"] == "author:ann")
    assert cell["disagree"] == 0.7 and cell["net"] == 1.0
    assert divergence.divergence_matrix(_store())["authors"][-1]["id"] != divergence.NOT_SHOWN


def test_evidence_reads_as_a_sentence():
    said = words.exchange_sentence("Bo", "Ann", "Cats purr.", "disagree", 0.72,
                                   'model attack p=0.72 (negation_density_gap +0.36); cue: "not all"', "quote")
    assert said == ("Bo answers Ann\u2019s claim that \u201cCats purr.\u201d with \u201cnot all\u201d, quoting it: "
                    "reads as disagreement, fairly sure.")
    assert "p=" not in said and "_" not in said
    assert words.exchange_sentence(None, None, "x", "agree", 0.9).startswith("Someone (author not shown) answers")
