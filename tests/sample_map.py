"""A small hand-built map with every kind of node and relationship, for store and export tests.

Ann posts that interpretability will scale; Bo attacks the premise (superposition), Cy
supports Ann, Bo later concedes a side point. One disagreement (Ann vs Bo) with one crux.
"""

from __future__ import annotations

from cruxmap.graph.schema import (
    Author, Claim, Comment, Crux, CruxMap, Disagreement, Post, Stance, Thread, Topic, author_id,
    claim_id,
)

ANN, BO, CY = author_id("Ann"), author_id("Bo"), author_id("Cy O'Neil")
HOSTILE = "Cy's claim: `}` // MATCH (n) DETACH DELETE n; \"quoted\" \\ backslash"


def _claims(item, author):
    out, pos = [], 0
    for sentence in item.text.split("\n"):
        start = item.text.index(sentence, pos)
        end = start + len(sentence)
        out.append(Claim(claim_id(item.id, start, end), item.id, start, end, sentence, author))
        pos = end
    return out


def sample_map() -> CruxMap:
    post = Post(id="post:1", title="Interpretability will scale", author_id=ANN, url="https://example.org/p/1",
                text="Interpretability methods will scale to frontier models.\n"
                     "Features in large models are mostly monosemantic.",
                posted_at="2026-01-01T00:00:00Z", score=42, source="test")
    c1 = Comment(id="comment:1", post_id=post.id, parent_id=post.id, author_id=BO,
                 url="https://example.org/c/1", score=10, agreement=-3, source="test",
                 text="I disagree that features are mostly monosemantic.\n"
                      "Superposition means most features are spread across neurons.")
    c2 = Comment(id="comment:2", post_id=post.id, parent_id=post.id, author_id=CY, source="test",
                 text="Agreed, sparse autoencoders already recover clean features.\n" + HOSTILE)
    c3 = Comment(id="comment:3", post_id=post.id, parent_id=c1.id, author_id=ANN, source="test",
                 reacts=(("crux", 2),), text="Fair point about superposition in small models.")
    thread = Thread("test", posts=(post,), comments=(c1, c2, c3),
                    authors=(Author(ANN, "Ann"), Author(BO, "Bo"), Author(CY, "Cy O'Neil")))
    p_claims = _claims(post, ANN)
    c1_claims, c2_claims, c3_claims = _claims(c1, BO), _claims(c2, CY), _claims(c3, ANN)
    stances = (
        Stance(c1_claims[0].id, p_claims[1].id, "disagree", 0.9, "cue: 'I disagree'", "reply"),
        Stance(c1_claims[1].id, p_claims[0].id, "disagree", 0.6, "similarity 0.41", "similarity"),
        Stance(c2_claims[0].id, p_claims[0].id, "agree", 0.8, "cue: 'Agreed'", "reply"),
        Stance(c3_claims[0].id, c1_claims[1].id, "concede", 0.7, "cue: 'Fair point'", "reply"),
    )
    dis = Disagreement("disagreement:1", "Are features in large models mostly monosemantic?", "open",
                       ((p_claims[1].id, "a"), (c1_claims[0].id, "b"), (c1_claims[1].id, "b")), 0.85)
    crux = Crux("crux:1", "Is superposition common in frontier models?", 0.9, (dis.id,), "double",
                "attacked premise")
    crux2 = Crux("crux:2", "Do sparse autoencoders recover clean features?", 0.4, (dis.id,), "implicit")
    topic = Topic("topic:1", "superposition", (p_claims[1].id, c1_claims[1].id, c3_claims[0].id))
    claims = tuple(p_claims + c1_claims + c2_claims + c3_claims)
    return CruxMap(thread, claims, stances, (dis,), (crux, crux2), (topic,),
                   same_as=((c3_claims[0].id, c1_claims[1].id, 0.7),),
                   comment_stances=(("comment:1", "disagree", 0.9), ("comment:2", "agree", 0.8)))


def edited_thread(edit: bool = False, drop: str | None = None):
    """A post and four replies (a real back-and-forth), optionally with c1 reworded or one reply gone."""
    from cruxmap.graph.schema import Author, Comment, Post, Thread

    authors = (Author("author:ann", "Ann"), Author("author:bo", "Bo"), Author("author:cy", "Cy"))
    post = Post("jsonl:p1", "Cats are better pets than dogs. They need less space and less time.",
                title="Cats", author_id="author:ann", source="t.jsonl")
    c1 = ("I disagree that cats are better pets. Dogs are more loyal than cats." if not edit else
          "I disagree. Cats need less time, but dogs make people walk every day.")
    comments = [
        Comment("jsonl:c1", c1, post_id="jsonl:p1", parent_id="jsonl:p1", author_id="author:bo", source="t.jsonl"),
        Comment("jsonl:c2", "No, loyalty is not what makes a pet better. Cats are calmer.", post_id="jsonl:p1",
                parent_id="jsonl:c1", author_id="author:ann", source="t.jsonl"),
        Comment("jsonl:c3", "I agree with Bo that dogs are more loyal.", post_id="jsonl:p1",
                parent_id="jsonl:c1", author_id="author:cy", source="t.jsonl"),
        Comment("jsonl:c4", "That's fair, I concede that dogs are more loyal.", post_id="jsonl:p1",
                parent_id="jsonl:c3", author_id="author:ann", source="t.jsonl"),
    ]
    return Thread("t.jsonl", posts=(post,), comments=tuple(c for c in comments if c.id != drop),
                  authors=authors)
