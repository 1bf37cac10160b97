"""A small, realistic map built by hand for the interchange tests (no decomposition engine).

Three authors argue about remote work under one post: Ann (the post and a rejoinder),
Bob (objects), Cy (backs Ann). There are supports and attacks (one of them an
undercut), a claim with a stance on something outside the thread, one disagreement
(Ann vs Bob), the crux it hinges on and a topic. The texts carry the characters that
break naive writers: quotes of both kinds, a backslash, a newline, markup
(``<script>``, ``*``, ``_``, ``#``, ``[x]``, ``{y}``, backticks) and non-ASCII.

Claims are exact spans (``text == item.text[start:end]``), as the schema requires.
"""

from __future__ import annotations

from cruxmap.graph.schema import (
    EXTERNAL_TARGET, UNDERCUT, Author, Claim, Comment, Crux, CruxMap, Disagreement, Post,
    Stance, Thread, Topic, author_id, claim_id,
)

ANN, BOB, CY = author_id("Ann Lee", "lw"), author_id("Bob", "lw"), author_id("Cy", "lw")
POST_ID, C1, C2, C3 = "lw:post:p1", "lw:comment:c1", "lw:comment:c2", "lw:comment:c3"

POST_TEXT = ("Remote work makes teams more productive. "
             "Commutes waste about 1\u00bd hours a day \u2014 that's time people could use.\n"
             "See the *survey* data [1].")
C1_TEXT = ("I don't think that's right. "
           "Teams lose the \"hallway\" conversations that spark ideas <script>alert(1)</script>. "
           "Also, C:\\ drives & {braces} aren't evidence.")
C2_TEXT = "Agreed with Ann: focus_time goes up #remote when nobody interrupts you."
C3_TEXT = "Hallway chats matter less than `deep work` for most na\u00efve estimates."


def span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def claim(source_id: str, text: str, part: str, author: str, role: str = "claim") -> Claim:
    start, end = span(text, part)
    return Claim(claim_id(source_id, start, end), source_id, start, end, part, author, role=role)


P1 = claim(POST_ID, POST_TEXT, "Remote work makes teams more productive.", ANN)
P2 = claim(POST_ID, POST_TEXT,
           "Commutes waste about 1\u00bd hours a day \u2014 that's time people could use.\n"
           "See the *survey* data [1].", ANN, role="support")
B1 = claim(C1, C1_TEXT, "Teams lose the \"hallway\" conversations that spark ideas "
                        "<script>alert(1)</script>.", BOB, role="attack")
B2 = claim(C1, C1_TEXT, "Also, C:\\ drives & {braces} aren't evidence.", BOB, role="attack")
Y1 = claim(C2, C2_TEXT, C2_TEXT, CY, role="support")
A3 = claim(C3, C3_TEXT, C3_TEXT, ANN, role="attack")


def build_map() -> CruxMap:
    """The fixture map."""
    thread = Thread(
        source="fixture.json",
        posts=(Post(POST_ID, POST_TEXT, title="Remote work & \"productivity\"", author_id=ANN,
                    url="https://www.lesswrong.com/posts/p1/remote?a=1&b=2", posted_at="2024-05-01T10:00:00Z",
                    score=42, vote_count=17, source="fixture.json", coauthor_ids=(CY,)),),
        comments=(
            Comment(C1, C1_TEXT, post_id=POST_ID, parent_id=POST_ID, author_id=BOB,
                    url="https://www.lesswrong.com/posts/p1/remote?commentId=c1",
                    posted_at="2024-05-01T11:00:00Z", score=-3, agreement=5, source="fixture.json",
                    reacts=(("crux", 2), ("notacrux", 1))),
            Comment(C2, C2_TEXT, post_id=POST_ID, parent_id=POST_ID, author_id=CY,
                    posted_at="2024-05-01T12:00:00Z", score=7, source="fixture.json"),
            Comment(C3, C3_TEXT, post_id=POST_ID, parent_id=C1, author_id=ANN,
                    posted_at="2024-05-01T13:00:00Z", score=4, source="fixture.json", retracted=True),
        ),
        authors=(Author(ANN, "Ann Lee"), Author(BOB, "Bob"), Author(CY, "Cy")),
    )
    stances = (
        Stance(P2.id, P1.id, "agree", 0.8, "because", "reply"),
        Stance(B1.id, P1.id, "disagree", 0.9, "I don't think", "reply"),
        Stance(B2.id, P2.id, "disagree", 0.6, "aren't", "quote"),
        Stance(Y1.id, P1.id, "agree", 0.75, "Agreed", "reply"),
        Stance(A3.id, B1.id, "disagree", 0.7, UNDERCUT, "reply"),
        Stance(Y1.id, EXTERNAL_TARGET, "agree", 0.5, "Agreed with", "external"),
    )
    dis = Disagreement("disagreement:remote", "Does remote work make teams more productive?", "open",
                       sides=((P1.id, "a"), (A3.id, "a"), (B1.id, "b")), confidence=0.85)
    crux = Crux("crux:hallway", "Whether hallway conversations drive most new ideas.", 0.9,
                disagreement_ids=(dis.id,), kind="implicit", evidence="hallway")
    topic = Topic("topic:remote-work", "remote work", claim_ids=(P1.id, B1.id, Y1.id))
    return CruxMap(
        thread=thread, claims=(P1, P2, B1, B2, Y1, A3), stances=stances, disagreements=(dis,),
        cruxes=(crux,), topics=(topic,), same_as=((Y1.id, P1.id, 0.65),),
        comment_stances=((C1, "disagree", 0.9), (C2, "agree", 0.75), (C3, "disagree", 0.7)),
    )
