"""Cruxes by the definition: stated cruxes in every form people write them are kept (with or
without an opponent), an unstated one is the contested claim as a grammatical question built
from its parse, and every crux card names both sides, their quotes and what would change a mind."""

from __future__ import annotations

from cruxmap.graph.schema import CRUX, DISAGREEMENT, Author, Comment, Post, Thread, to_graph
from cruxmap.decompose.pipeline import decompose
from cruxmap.decompose.questions import either_or, yes_no


def _thread(post: str, *replies: tuple[str, str, str, str | None]) -> Thread:
    names = {"op"} | {r[1] for r in replies}
    return Thread("t", posts=(Post(id="p", text=post, author_id="op", title="t"),),
                  comments=tuple(Comment(id=cid, text=text, post_id="p", parent_id=parent or "p",
                                         author_id=author) for cid, author, text, parent in replies),
                  authors=tuple(Author(a, a) for a in sorted(names)))


def test_questions_are_built_from_the_parse_not_pasted():
    assert yes_no("Raising the minimum wage reduces employment among teenagers.") == \
        "Does raising the minimum wage reduce employment among teenagers?"
    assert yes_no("Nuclear power is safer than coal per terawatt hour.") == \
        "Is nuclear power safer than coal per terawatt hour?"
    assert yes_no("Most gun owners never use their weapon in self-defence.") == \
        "Do most gun owners use their weapon in self-defence?"
    assert yes_no("Builders can get financing at current interest rates.") == \
        "Can builders get financing at current interest rates?"
    assert yes_no("There's also a waiting list of twenty years for rent-controlled flats.") == \
        "Is there also a waiting list of twenty years for rent-controlled flats?"
    assert yes_no("The cap isn't binding for most landlords.") == "Is the cap binding for most landlords?"
    # not a standalone clause: no question rather than a broken one
    assert yes_no("They do.") is None
    assert yes_no("If it does, then yes.") is None
    assert yes_no("try to create the aligned AGI that has good values, and hope it generalises") is None
    assert either_or("Minimum wages reduce teen employment.", "Employers absorb the cost through prices.") == \
        "Do minimum wages reduce teen employment, or do employers absorb the cost through prices?"


def test_stated_cruxes_are_kept_in_every_form_even_without_an_opponent():
    post = ("I think remote-first companies will outcompete office-first ones within a decade.\n\n"
            "My cruxes: (1) remote teams ship features as fast as co-located teams, "
            "(2) junior engineers learn as quickly without an office.\n\n"
            "It comes down to this: which is harder to replace, hallway conversations or written design docs?")
    m = decompose(_thread(post))
    texts = [x.text for x in m.cruxes]
    assert "Remote teams ship features as fast as co-located teams." in texts
    assert "Junior engineers learn as quickly without an office." in texts
    assert "Which is harder to replace, hallway conversations or written design docs?" in texts
    assert all(x.kind == "explicit" for x in m.cruxes)


def test_a_conditional_concession_is_a_crux_and_says_what_would_change_a_mind():
    post = "Four-day weeks raise output per worker in knowledge jobs."
    reply = ("I doubt that output rises; the trials measured self-reported productivity. If you could "
             "show that billed hours stayed flat in the Iceland trials, that would be real evidence for your idea.")
    m = decompose(_thread(post, ("c1", "kim", reply, None)))
    crux = next(x for x in m.cruxes if "billed hours" in x.text.lower())
    assert crux.kind == "explicit"
    assert crux.mind_changer.startswith("If you could show that billed hours stayed flat")
    assert "kim" in crux.authors_a + crux.authors_b


def test_an_unstated_crux_is_the_contested_claim_as_a_question_with_both_sides_on_the_card():
    post = ("Raising the minimum wage to fifteen dollars reduces employment among teenagers. "
            "Small restaurants cannot absorb the cost.")
    reply = ("That's not what the evidence shows. County-border studies find employment among "
             "teenagers held steady after large increases.")
    back = ("Those studies cover modest increases, not a doubling. Employers cut hours when labour "
            "costs jump that much.")
    m = decompose(_thread(post, ("c1", "lee", reply, None), ("c2", "op", back, "c1")))
    assert m.disagreements
    crux = next(x for x in m.cruxes if x.kind in ("implicit", "double"))
    assert crux.text == "Does raising the minimum wage to fifteen dollars reduce employment among teenagers?"
    assert crux.authors_a == ("op",) and crux.authors_b == ("lee",)
    assert crux.quote_a in post and crux.quote_b in reply + back
    assert not any(x.text.startswith("Is it true that") for x in m.cruxes)
    nodes, _ = to_graph(m)
    card = next(n for n in nodes if n["label"] == CRUX and n["id"] == crux.id)["properties"]
    assert card["authors_a"] == ["op"] and card["quote_b"] == crux.quote_b


def test_a_disagreement_without_a_phrasable_crux_says_so():
    post = "It is what it is, and they know it."
    reply = "That's not true at all, they have no idea what is going on with the budget."
    m = decompose(_thread(post, ("c1", "max", reply, None)))
    for d in m.disagreements:
        if not any(d.id in x.disagreement_ids for x in m.cruxes):
            assert d.crux_note.startswith("no crux found")
    nodes, _ = to_graph(m)
    assert all("crux_note" in n["properties"] or any(n["id"] in x.disagreement_ids for x in m.cruxes)
               for n in nodes if n["label"] == DISAGREEMENT)
