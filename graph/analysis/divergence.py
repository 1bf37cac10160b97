"""Who diverges from whom: the author x author matrix and the diff of one pair of authors.

Examples
--------
>>> from cruxmap.graph.nx_store import NxStore
>>> from cruxmap.graph.schema import ATTACKS, AUTHOR, CLAIM, node, relationship
>>> store = NxStore(":memory:")
>>> _ = store.upsert(
...     [node("author:ann", AUTHOR, name="Ann"), node("author:bo", AUTHOR, name="Bo"),
...      node("c1", CLAIM, text="Cats purr.", author_id="author:ann"),
...      node("c2", CLAIM, text="Not all cats purr.", author_id="author:bo")],
...     [relationship(ATTACKS, "c2", "c1", confidence=0.9, stance="disagree")])
>>> [(c["a_name"], c["b_name"], c["net"]) for c in divergence_matrix(store)["cells"]]
[('Ann', 'Bo', 1.0), ('Bo', 'Ann', 1.0)]
>>> d = pair_diff(store, "Ann", "Bo")
>>> d["first_divergence"]["from"]["text"], d["first_divergence"]["stance"]
('Not all cats purr.', 'disagree')
"""

from __future__ import annotations

from typing import Any

from cruxmap.graph.analysis._lookup import author_names, resolve_author, when
from cruxmap.graph.analysis.words import UNKNOWN_AUTHOR
from cruxmap.graph.errors import CruxmapError
from cruxmap.graph.schema import ATTACKS, CLAIM, COMMENT, REPLIES_TO, SAME_AS, SUPPORTS, WROTE
from cruxmap.graph.store import GraphStore

__all__ = ["divergence_matrix", "divergent_pairs", "pair_diff", "net_divergence", "NOT_SHOWN"]


def net_divergence(disagree: float, agree: float, disagreements: int = 0) -> float:
    """Disagreement against agreement on a scale from -1 (only agree) to +1 (only disagree).

    Examples
    --------
    >>> net_divergence(3.0, 1.0)
    0.5
    >>> net_divergence(0.0, 0.0, disagreements=2)
    1.0
    >>> net_divergence(0.0, 0.0)
    0.0
    """
    total = disagree + agree
    if total > 0:
        return round((disagree - agree) / total, 4)
    return 1.0 if disagreements else 0.0


#: The matrix's place for claims whose author the source did not show (a pasted page can hide names).
NOT_SHOWN = "author:not-shown"

#: How many authors the matrix holds on a map with more authors than that.
TOP_AUTHORS = 20


def divergence_matrix(store: GraphStore, top: int | None = TOP_AUTHORS) -> dict[str, Any]:
    """The author x author matrix of the ``top`` authors (every author who made claims when
    there are no more than ``top`` of them, or ``top`` is None).

    On a bigger map the authors are those of the pairs that disagree most (ranked as
    :func:`divergent_pairs` ranks them), then, while there is room, those with most claims:
    the matrix is sparse in the map, never every pair of authors.

    Returns
    -------
    dict
        ``{"authors": [{id, name, claims}], "cells": [{a, a_name, b, b_name, disagree,
        agree, disagreements, net}]}``: one cell per ordered pair of these authors (both
        ``a, b`` and ``b, a``, so a heatmap is symmetric), ``net`` as in
        :func:`net_divergence`. Authors are ordered by claims (most first), then name.
        Claims whose author the source did not show, when they answer or are answered,
        count as one more author, :data:`NOT_SHOWN` ("author not shown"), last.
    """
    claims = {a: n for a, n in store.property_counts(CLAIM, "author_id").items() if a and n}
    names = author_names(store, claims)
    ids = sorted(names)
    if top is not None and len(ids) > top:
        ids = _top_authors(store, top, claims, names)
    authors = sorted(({"id": a, "name": names[a], "claims": claims[a]} for a in ids),
                     key=lambda a: (-a["claims"], a["name"].casefold(), a["id"]))
    weights = {(r["a"], r["b"]): r for r in store.divergence(authors=ids)}
    hidden, hidden_weights = _not_shown(store)
    if hidden and hidden_weights:
        authors.append({"id": NOT_SHOWN, "name": UNKNOWN_AUTHOR, "claims": hidden})
        weights.update({(NOT_SHOWN, other): w for other, w in hidden_weights.items()})
    cells = []
    for x in authors:
        for y in authors:
            if x["id"] == y["id"]:
                continue
            w = weights.get((x["id"], y["id"])) or weights.get((y["id"], x["id"])) or {}
            d, g, n = w.get("disagree", 0.0), w.get("agree", 0.0), w.get("disagreements", 0)
            cells.append({"a": x["id"], "a_name": x["name"], "b": y["id"], "b_name": y["name"],
                          "disagree": d, "agree": g, "disagreements": n,
                          "net": net_divergence(d, g, n)})
    return {"authors": authors, "cells": cells}


def _top_authors(store: GraphStore, top: int, claims: dict[str, int], names: dict[str, str]) -> list[str]:
    """The authors of the most divergent pairs, filled up with the authors of most claims."""
    chosen: dict[str, None] = {}
    for r in store.divergence(limit=top * top, rank="count"):
        if not (r["disagree"] > 0 or r["disagreements"] > 0):
            break
        for a in (r["a"], r["b"]):
            if a in names and len(chosen) < top:
                chosen.setdefault(a)
        if len(chosen) >= top:
            break
    for a in sorted(names, key=lambda a: (-claims[a], names[a].casefold(), a)):
        if len(chosen) >= top:
            break
        chosen.setdefault(a)
    return list(chosen)


def _not_shown(store: GraphStore) -> tuple[int, dict[str, dict[str, float]]]:
    """How many claims have no author, and their weights with each named author."""
    author_of = {c["id"]: c["author_id"] for c in store.claims()}
    hidden = sum(1 for a in author_of.values() if not a)
    out: dict[str, dict[str, float]] = {}
    if not hidden:
        return 0, out
    for typ, kind in ((ATTACKS, "disagree"), (SUPPORTS, "agree")):
        for r in store.relationships(typ):
            a, b = author_of.get(r["start"], ""), author_of.get(r["end"], "")
            if (r["start"] in author_of and r["end"] in author_of) and bool(a) != bool(b):
                w = out.setdefault(a or b, {"disagree": 0.0, "agree": 0.0, "disagreements": 0})
                w[kind] = round(w[kind] + float(r["properties"].get("confidence", 1.0) or 1.0), 4)
    for d in store.disagreements():
        sides = {s: {c["author_id"] for c in claims} for s, claims in d["sides"].items()}
        for s, t in (("a", "b"), ("b", "a")):
            if None in sides.get(s, set()) or "" in sides.get(s, set()):
                for other in sides.get(t, set()) - {None, ""}:
                    w = out.setdefault(other, {"disagree": 0.0, "agree": 0.0, "disagreements": 0})
                    w["disagreements"] += 1
    return hidden, out


def divergent_pairs(store: GraphStore, limit: int | None = None) -> list[dict[str, Any]]:
    """Author pairs that disagree more than they agree, most divergent first.

    A pair is listed when its net divergence (:func:`net_divergence`) is above zero, the
    same quantity the matrix colours, so a pair listed here is never drawn as agreeing;
    pairs with as many disagreements rank by how much more they disagree than agree.
    The store ranks and cuts the rows (``limit``); pairs that fail the test are made up
    for by asking again for all of them only when they left the answer short.
    """
    def listed(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = [dict(r, net=net_divergence(r["disagree"], r["agree"], r["disagreements"]))
                for r in rows if r["disagree"] > 0 or r["disagreements"] > 0]
        rows = [r for r in rows if r["net"] > 0]
        rows.sort(key=lambda r: (-r["disagreements"], -r["net"], -r["disagree"], r["a_name"], r["b_name"]))
        return rows

    fetched = store.divergence(limit=limit, rank="count")
    rows = listed(fetched)
    if limit and len(rows) < limit and len(fetched) == limit:
        rows = listed(store.divergence(rank="count"))
    return rows[:limit] if limit else rows


def _exchange(rel: dict[str, Any], claims: dict[str, dict[str, Any]], times: dict[str, str],
              store: GraphStore) -> dict[str, Any]:
    """One stance edge between the pair, with both claims and when it was made."""
    frm, to = claims[rel["start"]], claims[rel["end"]]
    p = rel["properties"]
    return {"from": frm, "to": to, "type": rel["type"], "stance": p.get("stance"),
            "confidence": p.get("confidence"), "evidence": p.get("evidence", ""), "how": p.get("target"),
            "when": when(store, frm, times)}


def pair_diff(store: GraphStore, a: str, b: str) -> dict[str, Any]:
    """Everything two authors said to each other, arranged as a diff.

    Parameters
    ----------
    store : GraphStore
    a, b : str
        Two authors, by id or display name.

    Returns
    -------
    dict
        ``a``, ``b`` (``{id, name}``); ``agree``, ``disagree`` (weights) and
        ``disagreement_count``; ``shared`` (claims they share: SAME_AS links and
        agreeing replies, as exchanges ``{from, to, type, stance, confidence, evidence,
        when}``); ``first_divergence`` (the earliest exchange where one attacks the
        other, or None); ``attacks`` (every such exchange, in time order);
        ``disagreements`` (``{id, summary, status, confidence, a: [claims], b: [claims],
        cruxes: [ids]}`` with side ``a`` oriented to author ``a``); ``cruxes`` (crux rows
        between them); ``concessions`` (exchanges where one concedes to the other, and
        conceding claims in replies to the other).

    Raises
    ------
    CruxmapError
        When either author is not in the map.
    """
    ids = []
    for who in (a, b):
        aid = resolve_author(store, who)
        if aid is None:
            raise CruxmapError(f"no author {who!r} in the map")
        ids.append(aid)
    a_id, b_id = ids
    names = author_names(store, ids)
    mine = {c["id"]: c for c in store.claims(author=a_id)}
    theirs = {c["id"]: c for c in store.claims(author=b_id)}
    claims = {**mine, **theirs}
    times: dict[str, str] = {}

    def between(rel_type: str) -> list[dict[str, Any]]:
        """The ``rel_type`` relationships from one author's claims to the other's, by id."""
        rels = [r for r in store.relationships(rel_type, start=mine) if r["end"] in theirs]
        rels += [r for r in store.relationships(rel_type, start=theirs) if r["end"] in mine]
        return [_exchange(r, claims, times, store) for r in sorted(rels, key=lambda r: r["id"])]

    def ordered(xs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(xs, key=lambda x: (x["when"], x["from"]["source_id"] or "", x["from"]["start"] or 0))

    attacks = ordered(between(ATTACKS))
    supports = between(SUPPORTS)
    same = between(SAME_AS)
    shared = sorted(same + [x for x in supports if x["stance"] != "concede"],
                    key=lambda x: -(x["confidence"] or 0))
    concessions = ordered([x for x in supports if x["stance"] == "concede"])
    concessions += _reply_concessions(store, mine, theirs, {x["from"]["id"] for x in concessions}, times)

    weight = next(iter(store.divergence(authors=ids)), {})
    crux_rows = store.cruxes(between=(a_id, b_id))
    return {
        "a": {"id": a_id, "name": names.get(a_id, a_id)},
        "b": {"id": b_id, "name": names.get(b_id, b_id)},
        "agree": weight.get("agree", 0.0), "disagree": weight.get("disagree", 0.0),
        "disagreement_count": weight.get("disagreements", 0),
        "shared": shared,
        "first_divergence": attacks[0] if attacks else None,
        "attacks": attacks,
        "disagreements": [_oriented(d, a_id, b_id) for d in store.disagreements(between=(a_id, b_id))],
        "cruxes": [{k: c[k] for k in ("id", "text", "score", "kind", "evidence")} for c in crux_rows],
        "concessions": concessions,
    }


def _oriented(d: dict[str, Any], a_id: str, b_id: str) -> dict[str, Any]:
    """A disagreement row with side ``a`` holding author ``a``'s claims first."""
    side_a = "a" if a_id in d["authors"].get("a", []) else "b"
    side_b = "b" if side_a == "a" else "a"

    def quotes(side: str, who: str) -> list[dict[str, Any]]:
        claims = d["sides"].get(side, [])
        own = [c for c in claims if c["author_id"] == who]
        return own or claims

    return {"id": d["id"], "summary": d["summary"], "status": d["status"],
            "confidence": d["confidence"], "a": quotes(side_a, a_id), "b": quotes(side_b, b_id),
            "cruxes": d["cruxes"]}


def _reply_concessions(store: GraphStore, mine: dict[str, dict], theirs: dict[str, dict],
                       seen: set[str], times: dict[str, str]) -> list[dict[str, Any]]:
    """Conceding claims whose comment replies to the other author, with no target claim found."""
    conceding = [c for c in list(mine.values()) + list(theirs.values())
                 if c.get("stance") == "concede" and c["id"] not in seen]
    if not conceding:
        return []
    parent = {r["start"]: r["end"] for r in store.relationships(REPLIES_TO, start={c["source_id"] for c in conceding})}
    writer = {r["end"]: r["start"] for r in store.relationships(WROTE, end=set(parent.values()))}
    out = []
    for c in conceding:
        other = theirs if c["id"] in mine else mine
        other_author = next(iter(other.values()))["author_id"] if other else None
        target = parent.get(c["source_id"])
        if target is None or writer.get(target) != other_author:
            continue
        node = store.node(target)
        text = (node or {}).get("properties", {}).get("text", "")
        to = {"id": target, "text": text[:280], "author_id": other_author,
              "author": None, "source_id": target, "url": (node or {}).get("properties", {}).get("url", ""),
              "role": "claim", "stance": None, "stance_confidence": None, "start": 0,
              "end": min(len(text), 280), "label": (node or {}).get("label", COMMENT)}
        out.append({"from": c, "to": to, "type": SUPPORTS, "stance": "concede",
                    "confidence": c.get("stance_confidence"), "evidence": "", "when": when(store, c, times)})
    return out
