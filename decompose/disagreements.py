"""Stage 3: group attack edges between two authors on the same point into disagreements.

Needs: ``m.claims`` and ``m.stances`` (from :mod:`cruxmap.decompose.stance`) and the thread's
authors and reply structure. Produces: ``m.disagreements`` (with sides, a one-line summary,
a status and a confidence) and extra ``m.stances``: claims in unrelated posts or comments
that contradict each other (similar wording, opposite negation) become ``disagree`` stances
with target ``similarity``.

Grouping: two attacks belong to one disagreement when they are between the same two authors
and share a claim, come from the same reply answering the same item, or one continues the
other in a reply chain of those two authors only (a back-and-forth on one point, even when a
reply in between attacked nothing). Side ``a`` is the author whose claim was attacked first,
side ``b`` the author who attacked it; so no author is ever on both sides.

Summary: one line naming both authors and the point, the most-attacked claim of side ``a``
that reads on its own (:func:`cruxmap.decompose.propositions.defect`; never "epistemic status: ..."
or "if it does, ..."), else side ``b``'s strongest standalone objection ("B disputes A,
arguing ...").

Evidence: an attack from or on filler ("2011.", "Source: ...", "Sorta.", "Proof!":
:func:`cruxmap.decompose.propositions.filler`) is left out, and a group needs a substantive claim
(a verb and content words: :func:`cruxmap.decompose.propositions.substantive`) on each side.

Status: ``conceded`` when a later reply of one party concedes to the other (a ``concede``
stance aimed at the other party's claim, or a reply to the other party inside the exchange
whose overall stance is ``concede``; conceding a typo to a third person does not count);
``resolved`` when a later reply of a party agrees with the other party; ``open`` otherwise.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace

from cruxmap.graph.schema import (EXTERNAL_TARGET, Claim, CruxMap, Disagreement, Stance, stable_id)

from cruxmap.decompose.cues import find_cues, score
from cruxmap.decompose.embed import SimilarityIndex, Vectorizer
from cruxmap.decompose.propositions import defect, filler, substantive, tidy
from cruxmap.decompose.stance import ATTACKING

#: Attacks below this confidence are too weak to make a disagreement of.
MIN_CONFIDENCE = 0.3


def _who(c: Claim) -> str:
    return c.author_id or f"anonymous:{c.source_id}"


def _item_author(item) -> str:
    """The author key of a post or comment, as :func:`_who` gives it for its claims."""
    return item.author_id or f"anonymous:{item.id}"


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


def _point(group: list[Stance], sides: dict[str, str], by_id: dict[str, Claim]) -> tuple[str, str]:
    """The claim a disagreement is about, and its side: the attacked claim of side ``a``
    that is attacked most and reads on its own (no "if it does", no "epistemic status");
    failing that, side ``b``'s strongest standalone objection; failing that, the first target."""
    attacked: dict[str, float] = defaultdict(float)
    objections: dict[str, float] = defaultdict(float)
    for e in group:
        if sides[e.target_claim_id] == "a":
            attacked[e.target_claim_id] += e.confidence
            objections[e.source_claim_id] = max(objections[e.source_claim_id], e.confidence)
    for pool, side in ((attacked, "a"), (objections, "b")):
        fine = [c for c in pool if not defect(tidy(by_id[c].text))]
        if fine:
            return max(fine, key=lambda c: (pool[c], -by_id[c].start)), side
    return group[0].target_claim_id, "a"


def _settling_index(m: CruxMap, by_id: dict[str, Claim], items: dict) -> dict[tuple[str, str], list]:
    """Concessions and agreements by ``(author, kind)``: ``_status`` looks only at the parties'
    own, instead of scanning every stance of the map once per disagreement."""
    index: dict[tuple[str, str], list] = {}
    for s in m.stances:
        src = by_id.get(s.source_claim_id)
        if src is not None and s.stance in ("concede", "agree"):
            index.setdefault((_who(src), s.stance), []).append(s)
    for cid, stance, conf in m.comment_stances:
        it = items.get(cid)
        if stance == "concede" and it is not None:
            index.setdefault((it.author_id or "", "comment"), []).append((cid, stance, conf))
    return index


def _status(edges: list[Stance], m: CruxMap, by_id: dict[str, Claim], parties: set[str],
            order: dict[str, int], items: dict, index: dict | None = None) -> str:
    """conceded / resolved / open, from what the parties said to each other after the first attack.

    A concession or agreement counts only when it answers the other party (its target claim
    or the comment it replies to is theirs): conceding a typo to a third person elsewhere in
    the thread settles nothing here.
    """
    ids = {e.source_claim_id for e in edges} | {e.target_claim_id for e in edges}
    sources = {by_id[i].source_id for i in ids}
    first = min(order.get(by_id[e.source_claim_id].source_id, 0) for e in edges)
    later = lambda cid: order.get(by_id[cid].source_id, 0) > first  # noqa: E731

    def to_other(author: str, item_id: str, target: str | None = None) -> bool:
        """Said by one party to the other, inside this exchange."""
        if target in by_id:
            return _who(by_id[target]) in parties - {author}
        parent = items.get(getattr(items.get(item_id), "parent_id", None))
        return parent is not None and (parent.author_id or "") in parties - {author} and \
            bool(_ancestors(items, item_id, depth=6) & sources | ({item_id} & sources))

    if index is None:
        index = _settling_index(m, by_id, items)
    own = lambda kind: [x for a in sorted(parties) for x in index.get((a, kind), ())]  # noqa: E731
    for s in own("concede"):
        src = by_id.get(s.source_claim_id)
        if src is None or _who(src) not in parties or not later(src.id) or s.stance != "concede":
            continue
        if to_other(_who(src), src.source_id, s.target_claim_id):
            return "conceded"
    for cid, stance, conf in own("comment"):
        it = items.get(cid)
        if (stance == "concede" and it is not None and (it.author_id or "") in parties
                and order.get(cid, 0) > first and to_other(it.author_id or "", cid)):
            return "conceded"
    for s in own("agree"):
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
    settling = _settling_index(m, by_id, items)
    edges = [s for s in m.stances
             if s.stance in ATTACKING and s.confidence >= MIN_CONFIDENCE
             and s.target_claim_id != EXTERNAL_TARGET and s.source_claim_id in by_id
             and s.target_claim_id in by_id
             and _who(by_id[s.source_claim_id]) != _who(by_id[s.target_claim_id])]
    edges.sort(key=lambda e: order.get(by_id[e.source_claim_id].source_id, 0))
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
        # a reply continues the exchange of the nearest item above it, in an unbroken
        # back-and-forth of the same two authors, that already attacked within this pair
        anc = parent_item
        while anc is not None and anc in items and _item_author(items[anc]) in pair:
            prev = first_with.get((pair, "item", anc))
            if prev is not None:
                uf.union(i, prev)
                break
            anc = getattr(items[anc], "parent_id", None)
    groups: dict[int, list[Stance]] = defaultdict(list)
    for i, e in enumerate(edges):
        groups[uf.find(i)].append(e)
    out = []
    for group in groups.values():
        # evidence is what someone claims: "2011.", "Source: ...", "Proof!" are no side of a dispute
        group = [e for e in group if not filler(by_id[e.source_claim_id].text)
                 and not filler(by_id[e.target_claim_id].text)]
        if not (any(substantive(by_id[e.source_claim_id].text) for e in group)
                and any(substantive(by_id[e.target_claim_id].text) for e in group)):
            continue
        group.sort(key=lambda e: (order.get(by_id[e.source_claim_id].source_id, 0),
                                  by_id[e.source_claim_id].start))
        first = group[0]
        side_a = _who(by_id[first.target_claim_id])
        side_b = _who(by_id[first.source_claim_id])
        sides: dict[str, str] = {}
        for e in group:
            for cid in (e.target_claim_id, e.source_claim_id):
                sides.setdefault(cid, "a" if _who(by_id[cid]) == side_a else "b")
        verb = "corrects" if all(e.stance == "correct" for e in group) else "disputes"
        name = lambda a: names.get(a, "someone" if a.startswith("anonymous:") else a)  # noqa: E731
        point, attacked_side = _point(group, sides, by_id)
        said = ":" if attacked_side == "a" else ", arguing"
        summary = f'{name(side_b)} {verb} {name(side_a)}{said} "{_short(tidy(by_id[point].text))}"'
        conf = 1.0
        for e in group:
            conf *= 1.0 - e.confidence
        ordered = tuple(sorted(sides.items(), key=lambda kv: (kv[1], kv[0])))
        out.append(Disagreement(
            id=stable_id("disagreement", *sorted(sides)), summary=summary,
            status=_status(group, m, by_id, {side_a, side_b}, order, items, settling),
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
