"""Recovering who answers whom on a pasted page, and what that changes downstream."""

from __future__ import annotations

from pathlib import Path

from cruxmap.decompose.claims import split_item
from cruxmap.decompose.pipeline import decompose
from cruxmap.decompose.replies import recover_thread
from cruxmap.loaders.forum_text import parse

POSTPAGE = (Path(__file__).parent / "data" / "pasted_postpage.txt").read_text(encoding="utf-8")


def _page():
    thread = parse(POSTPAGE, source="pasted_postpage.txt")
    names = {a.id: a.name for a in thread.authors}
    by_author = {names[c.author_id]: c for c in thread.comments}
    return thread, names, by_author


def test_a_comment_that_names_an_earlier_author_answers_them():
    thread, names, _ = _page()
    assert {c.nesting for c in thread.comments} == {"unknown"}  # the page lost the tree
    recovered = recover_thread(thread)
    by_author = {names[c.author_id]: c for c in recovered.comments}
    lin, fergus = by_author["Lin_Yue"], by_author["Fergus O'Malley"]
    assert lin.text.startswith("Fergus, ") and lin.parent_id == fergus.id and lin.nesting == "addressed"
    # a reply that quotes an earlier comment word for word answers that comment
    owen, nadia = by_author["Owen Mbeki"], [c for c in recovered.comments if names[c.author_id] == "Nadia Petrov"]
    assert nadia[0].text.startswith("> Did you try") and nadia[0].parent_id == owen.id
    assert nadia[0].nesting == "quoted"
    # the rest neither quote nor name anyone: they stay unknown, under the post
    rest = [c for c in recovered.comments if names[c.author_id] in ("Fergus O'Malley", "Priya Raman")]
    assert rest and all(c.nesting == "unknown" and c.parent_id == c.post_id for c in rest)


def test_the_disagreement_is_with_the_author_addressed():
    thread, names, by_author = _page()
    m = decompose(thread)
    claims = {c.id: c for c in m.claims}
    lin = by_author["Lin_Yue"]
    attacks = [s for s in m.stances if claims[s.source_claim_id].source_id == lin.id and s.stance == "disagree"]
    assert attacks and {names[claims[s.target_claim_id].author_id] for s in attacks} == {"Fergus O'Malley"}
    assert all("addresses by name" in s.evidence for s in attacks)
    pairs = {frozenset(names[claims[cid].author_id] for cid, _ in d.sides) for d in m.disagreements}
    assert frozenset({"Lin_Yue", "Fergus O'Malley"}) in pairs
    assert frozenset({"Lin_Yue", "Nadia Petrov"}) not in pairs  # Lin agrees with the part of Nadia's post it quotes
    assert any("re-extracted for every distribution" in c.text for c in m.cruxes)


def test_quoted_words_are_not_the_quoters_claims():
    _, _, by_author = _page()
    texts = [c.text for c in split_item(by_author["Lin_Yue"])]
    assert not any("If steering is going" in t for t in texts)  # "You say:" then the quoted line
    texts = [c.text for c in split_item(by_author["Owen Mbeki"])]
    assert not any(t.startswith("You write:") for t in texts)
    assert any(t.startswith("An alternative is that") for t in texts)


def test_a_comment_that_answers_the_question_just_above_it_replies_to_it():
    from cruxmap.graph.schema import Author, Comment, Post, Thread

    post = Post(id="p", text="Sycophancy falls with a system prompt.", author_id="i")
    ask = Comment(id="c1", text="Did you control for the length of the prompt?", post_id="p",
                  parent_id="p", author_id="c", nesting="unknown")
    yes = Comment(id="c2", text="Yes, a lorem ipsum prompt of the same length does nothing.",
                  post_id="p", parent_id="p", author_id="i", nesting="unknown")
    plain = Comment(id="c3", text="No idea why it works.", post_id="p", parent_id="p",
                    author_id="b", nesting="unknown")  # the item above it asks nothing
    t = recover_thread(Thread("t", posts=(post,), comments=(ask, yes, plain),
                              authors=(Author("i", "Ines"), Author("c", "Cy"), Author("b", "Bo"))))
    got = {c.id: (c.parent_id, c.nesting) for c in t.comments}
    assert got == {"c1": ("p", "unknown"), "c2": ("c1", "answered"), "c3": ("p", "unknown")}
