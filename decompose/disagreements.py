"""Stage 3: group attack edges between two authors on the same point into disagreements.

Needs: ``m.claims`` and ``m.stances`` (from :mod:`decompose.stance`) and the thread's
authors and reply structure. Produces: ``m.disagreements`` (with sides, a one-line summary,
a status and a confidence) and extra ``m.stances``: claims in unrelated posts or comments
that contradict each other (similar wording, opposite negation) become ``disagree`` stances
with target ``similarity``.

Grouping: two attacks belong to one disagreement when they are between the same two authors
and share a claim, come from the same reply answering the same item, or one answers the
other in a reply chain (a back-and-forth on one point). Side ``a`` is the author whose claim
was attacked first, side ``b`` the author who attacked it.

Status: ``conceded`` when a later reply of either party concedes (a ``concede`` stance inside
the exchange, or a reply into it whose overall stance is ``concede``); ``resolved`` when a
later reply of a party agrees with the other party; ``open`` otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from graph.schema import (EXTERNAL_TARGET, Claim, CruxMap, Disagreement, Stance, stable_id)

from decompose.cues import find_cues, score
from decompose.embed import SimilarityIndex, Vectorizer
from decompose.stance import ATTACKING

#: Attacks below this confidence are too weak to make a disagreement of.
MIN_CONFIDENCE = 0.3


def _who(c: Claim) -> str:
    return c.author_id or f"anonymous:{c.source_id}"


def _negated(text: str) -> bool:
    return score(find_cues(text, ("negation",)), "negation") > 0


def _ancestors(items: dict, item_id: str, depth: int = 50) -> set[str]:
    out, pid = set(), getattr(items.get(item_id), "parent_id", None)
    while pid and depth > 0 and pid not in out:
        out.add(pid)
        pid = getattr(items.get(pid), "parent_id", None)
        depth -= 1
    return out


def find_contradictions(m: CruxMap, k: int = 3, min_similarity: float = 0.45) -> list[Stance]:
    """``disagree`` stances between similar claims of different authors with opposite negation.

    Only pairs not already in one reply chain are considered (replies have their own
    stance); candidates are each claim's ``k`` nearest neighbours, never all pairs.
    """
    claims = [c for c in m.claims if c.kind == "claim"]
    if len(claims) < 2:
        return []
    items = {it.id: it for it in m.thread.items()}
    order = {it.id: i for i, it in enumerate(m.thread.items())}
    vec = Vectorizer().fit(c.text for c in claims)
    vectors = [vec.vector(c.text) for c in claims]
    index = SimilarityIndex(vectors)
    negated = [None] * len(claims)
    linked = {(s.source_claim_id, s.target_claim_id) for s in m.stances}
    out = []
    for i, c in enumerate(claims):
        chain = _ancestors(items, c.source_id)

        def keep(j: int) -> bool:
            o = claims[j]
            return (_who(o) != _who(c) and o.source_id != c.source_id and o.source_id not in chain
                    and order.get(o.source_id, 0) < order.get(c.source_id, 0)
                    and c.source_id not in _ancestors(items, o.source_id))

        for j, sim in index.neighbours(i, k=k, min_score=min_similarity, keep=keep):
            if (c.id, claims[j].id) in linked:
                continue
            for x in (i, j):
                if negated[x] is None:
                    negated[x] = _negated(claims[x].text)
            if negated[i] != negated[j]:
                out.append(Stance(c.id, claims[j].id, "disagree", round(0.25 + 0.5 * sim, 4),
                                  f"similarity {sim:.2f}, opposite negation", target="similarity"))
                break
    return out


class _UnionFind:
    def __init__(self, n: int):
        self.parent = list(range(n))

    def find(self, x: int) -> int:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _short(text: str, n: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def _status(edges: list[Stance], m: CruxMap, by_id: dict[str, Claim], parties: set[str],
            order: dict[str, int], items: dict) -> str:
    """conceded / resolved / open, from what the parties said after the first attack."""
    ids = {e.source_claim_id for e in edges} | {e.target_claim_id for e in edges}
    sources = {by_id[i].source_id for i in ids}
    first = min(order.get(by_id[e.source_claim_id].source_id, 0) for e in edges)
    later = lambda cid: order.get(by_id[cid].source_id, 0) > first  # noqa: E731
    def answers_exchange(item_id: str) -> bool:
        return bool(_ancestors(items, item_id, depth=4) & sources)

    for s in m.stances:
        src = by_id.get(s.source_claim_id)
        if src is None or _who(src) not in parties or not later(src.id) or s.stance != "concede":
            continue
        if s.target_claim_id in ids or answers_exchange(src.source_id):
            return "conceded"
    for cid, stance, conf in m.comment_stances:
        it = items.get(cid)
        if (stance == "concede" and it is not None and (it.author_id or "") in parties
                and order.get(cid, 0) > first and answers_exchange(cid)):
            return "conceded"
    for s in m.stances:
        src = by_id.get(s.source_claim_id)
        if (src is not None and s.stance == "agree" and s.target_claim_id in ids
                and _who(src) in parties and later(src.id)
                and _who(by_id[s.target_claim_id]) != _who(src)):
            return "resolved"
    return "open"


def group_disagreements(m: CruxMap) -> tuple[Disagreement, ...]:
    """Disagreements from the attack stances of ``m`` (see the module docstring)."""
    by_id = {c.id: c for c in m.claims}
    items = {it.id: it for it in m.thread.items()}
    order = {it.id: i for i, it in enumerate(m.thread.items())}
    names = {a.id: a.name for a in m.thread.authors}
    edges = [s for s in m.stances
             if s.stance in ATTACKING and s.confidence >= MIN_CONFIDENCE
             and s.target_claim_id != EXTERNAL_TARGET and s.source_claim_id in by_id
             and s.target_claim_id in by_id
             and _who(by_id[s.source_claim_id]) != _who(by_id[s.target_claim_id])]
    uf = _UnionFind(len(edges))
    first_with: dict[tuple, int] = {}
    for i, e in enumerate(edges):
        src, tgt = by_id[e.source_claim_id], by_id[e.target_claim_id]
        pair = frozenset((_who(src), _who(tgt)))
        parent_item = getattr(items.get(src.source_id), "parent_id", None)
        keys = [(pair, "claim", src.id), (pair, "claim", tgt.id),
                (pair, "items", src.source_id, tgt.source_id), (pair, "item", src.source_id),
                (pair, "answers", parent_item)]
        for key in keys[:4]:
            if key in first_with:
                uf.union(i, first_with[key])
            else:
                first_with[key] = i
        # a reply to an item that already attacked within this pair continues that exchange
        prev = first_with.get((pair, "item", parent_item))
        if prev is not None:
            uf.union(i, prev)
    groups: dict[int, list[Stance]] = defaultdict(list)
    for i, e in enumerate(edges):
        groups[uf.find(i)].append(e)
    out = []
    for group in groups.values():
        group.sort(key=lambda e: (order.get(by_id[e.source_claim_id].source_id, 0),
                                  by_id[e.source_claim_id].start))
        first = group[0]
        side_a = _who(by_id[first.target_claim_id])
        side_b = _who(by_id[first.source_claim_id])
        sides: dict[str, str] = {}
        for e in group:
            for cid in (e.target_claim_id, e.source_claim_id):
                sides.setdefault(cid, "a" if _who(by_id[cid]) == side_a else "b")
        attacked = defaultdict(float)
        for e in group:
            if sides[e.target_claim_id] == "a":
                attacked[e.target_claim_id] += e.confidence
        point = max(attacked, key=lambda c: (attacked[c], -by_id[c].start)) if attacked else first.target_claim_id
        verb = "corrects" if all(e.stance == "correct" for e in group) else "disputes"
        name = lambda a: names.get(a, "someone" if a.startswith("anonymous:") else a)  # noqa: E731
        summary = f'{name(side_b)} {verb} {name(side_a)}: "{_short(by_id[point].text)}"'
        conf = 1.0
        for e in group:
            conf *= 1.0 - e.confidence
        ordered = tuple(sorted(sides.items(), key=lambda kv: (kv[1], kv[0])))
        out.append(Disagreement(
            id=stable_id("disagreement", *sorted(sides)), summary=summary,
            status=_status(group, m, by_id, {side_a, side_b}, order, items),
            sides=ordered, confidence=round(min(0.99, 1.0 - conf), 4)))
    out.sort(key=lambda d: (-d.confidence, d.id))
    return tuple(out)


def find_disagreements(m: CruxMap) -> CruxMap:
    """The disagreement stage: contradictions added to ``m.stances``, then grouping."""
    found = find_contradictions(m)
    attackers = {s.source_claim_id for s in found}
    claims = tuple(replace(c, role="attack") if c.id in attackers and c.role == "claim" else c
                   for c in m.claims)
    m = replace(m, claims=claims, stances=m.stances + tuple(found))
    return replace(m, disagreements=group_disagreements(m))
