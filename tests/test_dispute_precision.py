"""Disagreement precision on forum-like threads: agreeing, praising, additive and conceding
replies are no disputes unless they turn; the dispute is with whoever posted what is attacked
(a quoted source too); replies to deleted items answer nobody known; filler is no evidence."""

from __future__ import annotations

from cruxmap.graph.schema import Author, Comment, Post, Quote, Thread
from cruxmap.decompose.pipeline import decompose
from cruxmap.decompose.propositions import filler, substantive

POST = ("Rent control makes housing less affordable in the long run. Landlords stop maintaining "
        "controlled units, new construction moves to uncontrolled segments, and the supply of "
        "rentals shrinks while demand keeps rising.")


def _thread(*replies: tuple[str, str, str | None], post: str = POST) -> Thread:
    """A post by ``op`` and replies ``(id, author, text, parent)``; parent None = the post."""
    comments = []
    names = {"op"}
    for cid, author, text, *rest in replies:
        parent = rest[0] if rest and rest[0] else "p"
        names.add(author)
        comments.append(Comment(id=cid, text=text, post_id="p", parent_id=parent, author_id=author))
    return Thread("t", posts=(Post(id="p", text=post, author_id="op", title="Rent control"),),
                  comments=tuple(comments), authors=tuple(Author(a, a) for a in sorted(names)))


def _pairs(m) -> set[frozenset[str]]:
    author = {c.id: c.author_id for c in m.claims}
    return {frozenset(author[cid] for cid, _ in d.sides) for d in m.disagreements}


def test_agreeing_praising_and_additive_replies_are_not_disputes():
    t = _thread(
        ("c1", "ana", "You're right about this. San Francisco's 1994 expansion of rent control cut "
                      "the supply of rental housing by fifteen percent, as landlords converted "
                      "buildings to condos and owner-occupied units."),
        ("c2", "ben", "Great explanation, thanks. The part about maintenance finally made it click "
                      "for me, since my own building has had a broken elevator for two years."),
        ("c3", "cy", "To add to this, the same pattern showed up in Stockholm, where the waiting "
                     "list for a rent-controlled flat now runs to about twenty years."),
        ("c4", "dee", "Exactly. Price ceilings create shortages in every market economists have "
                      "studied, and housing is no exception to that rule."),
    )
    m = decompose(t)
    assert _pairs(m) == set()
    attacks = [s for s in m.stances if s.stance in ("disagree", "correct")]
    assert attacks == []


def test_a_concession_that_turns_is_a_dispute_and_keeps_the_granted_sentence_as_evidence():
    t = _thread(
        ("c1", "eve", "Fair point about maintenance. But the supply argument fails in practice: "
                      "Berlin's rent cap was struck down before construction could respond, so "
                      "no measured drop in building permits can be pinned on it."),
    )
    m = decompose(t)
    assert _pairs(m) == {frozenset({"op", "eve"})}
    evidence = [s.evidence for s in m.stances if s.stance == "disagree"]
    assert any('after granting: "Fair point about maintenance."' in e for e in evidence)


def test_the_dispute_is_with_whoever_quoted_the_study_that_is_attacked():
    quoted = ("> A 10 percent increase in the minimum wage reduces teen employment by 1 to 3 "
              "percent, according to the study.")
    b_text = quoted + "\n\nhttps://www.nber.org/papers/w12345"
    t = Thread("t", posts=(Post(id="p", text="Should the federal minimum wage rise to fifteen dollars?",
                                author_id="op", title="Minimum wage"),),
               comments=(
                   Comment(id="c1", text=b_text, post_id="p", parent_id="p", author_id="bo",
                           quotes=(Quote(0, len(quoted), quoted),)),
                   Comment(id="c2", text="That study is wrong. Its sample ends in 1992, and later work "
                                         "using county border pairs finds no employment effect at all.",
                           post_id="p", parent_id="c1", author_id="cal"),
               ),
               authors=(Author("op", "op"), Author("bo", "bo"), Author("cal", "cal")))
    m = decompose(t)
    assert frozenset({"bo", "cal"}) in _pairs(m)
    assert frozenset({"op", "cal"}) not in _pairs(m)


def test_a_reply_to_a_deleted_comment_is_not_pinned_on_the_post_author():
    # the loader kept the tree: the deleted comment is gone and its reply hangs from the post
    t = _thread(("c1", "fay", "That is completely wrong. Controlled tenants stay put for decades "
                              "and that stability is exactly what the policy is for."))
    orphan = t.comments[0].__class__(**{**t.comments[0].__dict__, "nesting": "deleted"})
    m = decompose(Thread("t", posts=t.posts, comments=(orphan,), authors=t.authors))
    assert _pairs(m) == set()
    # and a placeholder "[deleted]" parent means the same
    t2 = _thread(("c0", "ghost", "[deleted]"),
                 ("c1", "fay", "That is completely wrong. Controlled tenants stay put for decades "
                               "and that stability is exactly what the policy is for.", "c0"))
    assert _pairs(decompose(t2)) == set()


def test_filler_is_no_side_of_a_dispute():
    t = _thread(
        ("c1", "hal", "Source: https://www.nber.org/papers/w24181"),
        ("c2", "ian", "Sorta."),
        ("c3", "jo", "Proof!"),
        ("c4", "op", "2011.", "c1"),
    )
    m = decompose(t)
    assert m.disagreements == ()
    assert not any(filler(t) is False for t in ("2011.", "Source: x", "Sorta.", "Proof!"))
    assert substantive("Landlords stop maintaining controlled units.")


def test_the_reddit_loader_marks_a_reply_whose_parent_was_removed():
    from pathlib import Path
    from cruxmap import loaders
    t = loaders.read(Path(__file__).resolve().parent / "data" / "reddit_thread.json")
    nesting = {c.id: c.nesting for c in t.comments}
    assert nesting["reddit:t1_kz6fff"] == "deleted"  # its parent was [removed]
    assert nesting["reddit:t1_kz2bbb"] == "known"
