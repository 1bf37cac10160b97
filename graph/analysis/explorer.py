"""The argument graph: claims, disagreements and cruxes, and the neighbourhood of a focus.

The argument layer is the part of the map that shows *why* people disagree: claims
linked by ``ATTACKS``, ``SUPPORTS`` and ``SAME_AS``, the disagreements they are party
to (``PARTY_TO``) and the cruxes those hinge on (``CRUX_OF``). Posts, comments and
authors are context, not nodes, here. Views draw a few hundred nodes at most, so
:func:`neighbourhood` walks out from a focus and stops at ``limit``, and
:func:`summary_graph` summarises a large map by disagreement.

Examples
--------
>>> from cruxmap.graph.nx_store import NxStore
>>> from cruxmap.graph.schema import ATTACKS, AUTHOR, CLAIM, node, relationship
>>> store = NxStore(":memory:")
>>> _ = store.upsert(
...     [node("author:ann", AUTHOR, name="Ann"), node("author:bo", AUTHOR, name="Bo"),
...      node("c1", CLAIM, text="Cats purr.", author_id="author:ann"),
...      node("c2", CLAIM, text="Not all cats purr.", author_id="author:bo"),
...      node("c3", CLAIM, text="Dogs bark.", author_id="author:bo")],
...     [relationship(ATTACKS, "c2", "c1", confidence=0.9, stance="disagree")])
>>> g = neighbourhood(store, ["c1"], hops=1)
>>> sorted(n["id"] for n in g["nodes"]), [e["type"] for e in g["edges"]]
(['c1', 'c2'], ['ATTACKS'])
>>> [n["id"] for n in search(store, "purr")]
['c1', 'c2']
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from itertools import islice
from typing import Any, Iterable

from cruxmap.graph.analysis._lookup import author_names, claim_row, item, paragraph
from cruxmap.graph.schema import (
    ABOUT, ATTACKS, CLAIM, CONTAINS, CRUX, CRUX_OF, DISAGREEMENT, PARTY_TO, SAME_AS, SUPPORTS,
    TOPIC,
)
from cruxmap.graph.store import GraphStore

__all__ = ["ARGUMENT_TYPES", "argument_graph", "has_arguments", "neighbourhood", "summary_graph",
           "search", "focus_options", "node_details"]

#: The relationship types that make up the argument layer.
ARGUMENT_TYPES = (ATTACKS, SUPPORTS, SAME_AS, PARTY_TO, CRUX_OF)
#: Node labels of the argument layer, and the kind each is shown as.
_KINDS = {CLAIM: "claim", DISAGREEMENT: "disagreement", CRUX: "crux"}


def _claim_node(c: dict[str, Any]) -> dict[str, Any]:
    return {"id": c["id"], "kind": "claim", "text": c["text"], "author_id": c["author_id"],
            "author": c["author"], "url": c["url"], "source_id": c["source_id"],
            "role": c["role"], "stance": c["stance"]}


def _edge(r: dict[str, Any]) -> dict[str, Any]:
    p = r["properties"]
    return {"id": r["id"], "type": r["type"], "source": r["start"], "target": r["end"],
            "stance": p.get("stance"), "confidence": p.get("confidence"),
            "evidence": p.get("evidence", ""), "side": p.get("side"), "how": p.get("target")}


def _edge_order(e: dict[str, Any]) -> tuple:
    return (ARGUMENT_TYPES.index(e["type"]), e["id"])


def _argument_nodes(store: GraphStore, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The argument-layer nodes among ``ids`` (others left out): claims in claim order, then
    disagreements, most confident first, then cruxes, best first."""
    ids = set(ids)
    nodes: dict[str, dict[str, Any]] = {}
    if not ids:
        return nodes
    for c in store.claims(ids=ids):
        nodes[c["id"]] = _claim_node(c)
    for d in store.disagreements(ids=ids):
        nodes[d["id"]] = {"id": d["id"], "kind": "disagreement", "text": d["summary"],
                          "status": d["status"], "confidence": d["confidence"],
                          "authors": d["authors"]}
    for x in store.cruxes(ids=ids):
        nodes[x["id"]] = {"id": x["id"], "kind": "crux", "text": x["text"], "score": x["score"],
                          "crux_kind": x["kind"], "evidence": x.get("evidence") or ""}
    return nodes


def _argument_edges(store: GraphStore, ids: Iterable[str]) -> list[dict[str, Any]]:
    """The argument-layer relationships among the nodes ``ids``, in :func:`argument_graph` order."""
    ids = list(ids)
    return sorted((_edge(r) for r in store.relationships(start=ids, end=ids) if r["type"] in ARGUMENT_TYPES),
                  key=_edge_order)


def has_arguments(store: GraphStore) -> bool:
    """Whether the map has an argument layer to draw (any disagreement, crux or argument relation)."""
    st = store.stats()
    return bool(st["nodes"].get(DISAGREEMENT) or st["nodes"].get(CRUX)
                or any(st["relationships"].get(t) for t in ARGUMENT_TYPES))


def argument_graph(store: GraphStore) -> dict[str, Any]:
    """The whole argument layer as ``{"nodes": {id: node}, "edges": [edge]}``.

    A node is ``{id, kind ("claim" | "disagreement" | "crux"), text, ...}``: claims carry
    ``author_id, author, url, source_id, role, stance``; disagreements ``status,
    confidence, authors``; cruxes ``score, crux_kind, evidence``. An edge is ``{id, type,
    source, target, stance, confidence, evidence, side, how}``. Claims that take part in
    no relation are left out. This reads the whole layer: views of a large map use
    :func:`neighbourhood` and :func:`summary_graph`.
    """
    edges = [_edge(r) for typ in ARGUMENT_TYPES for r in store.relationships(typ)]
    touched = {e["source"] for e in edges} | {e["target"] for e in edges}
    nodes = _argument_nodes(store, touched | {n["id"] for label in (DISAGREEMENT, CRUX) for n in store.nodes(label)})
    edges = [e for e in edges if e["source"] in nodes and e["target"] in nodes]
    return {"nodes": nodes, "edges": edges}


def _priority(n: dict[str, Any]) -> tuple:
    """Which neighbours to keep first when the limit bites: cruxes, disagreements, claims."""
    return ({"crux": 0, "disagreement": 1}.get(n["kind"], 2), n["id"])


def neighbourhood(store: GraphStore, focus: Iterable[str], hops: int = 2, limit: int = 200,
                  graph: dict[str, Any] | None = None) -> dict[str, Any]:
    """The ``limit`` most relevant nodes of the argument graph within ``hops`` of the ``focus``.

    Relevance: nearer first; at the same distance cruxes, then disagreements, then claims;
    then the nodes most connected to what is already kept (a claim that answers three kept
    claims before one that answers one), then the more confident relation. So a busy map
    gives a small readable view of what matters around the focus, not every node two hops out.

    Parameters
    ----------
    focus : iterable of str
        Crux, disagreement or claim ids to start from (unknown ids are ignored;
        a claim with no relation is kept on its own).
    hops : int
        How far to walk, in relationships, either direction.
    limit : int
        At most this many nodes.
    graph : dict, optional
        A precomputed :func:`argument_graph` to walk instead of asking the store.

    Returns
    -------
    dict
        ``{"nodes": [node + {"depth"}], "edges": [edge], "truncated": bool,
        "focus": [ids]}``, nodes ordered by depth. The walk asks the store for one hop at
        a time, so it reads what it keeps, never the whole map.
    """
    focus = list(dict.fromkeys(focus))
    if graph is not None:
        return _walk_graph(store, graph, focus, hops, limit)
    kinds = {n["id"]: _KINDS[n["label"]] for n in store.nodes(ids=focus) if n["label"] in _KINDS}
    focus = [f for f in focus if f in kinds]
    depth = {f: 0 for f in focus[:limit]}
    truncated = len(focus) > limit
    level = list(depth)
    for d in range(hops):
        if not level or len(depth) >= limit:
            truncated = truncated or bool(level and _has_new_neighbour(store, level, depth))
            break
        around = _argument_neighbours(store, level)
        unknown = {m for ms in around.values() for m in ms} - kinds.keys()
        kinds.update({n["id"]: _KINDS[n["label"]] for n in store.nodes(ids=unknown) if n["label"] in _KINDS})
        nxt = []
        for n in level:
            new = sorted((m for m in around.get(n, ()) if m in kinds and m not in depth),
                         key=lambda m: ({"crux": 0, "disagreement": 1}.get(kinds[m], 2), m))
            for m in new:
                if len(depth) >= limit:
                    truncated = True
                    break
                depth[m] = d + 1
                nxt.append(m)
        level = nxt
    nodes = _argument_nodes(store, depth)
    kept = [dict(nodes[n], depth=k) for n, k in sorted(depth.items(), key=lambda x: (x[1], x[0]))]
    return {"nodes": kept, "edges": _argument_edges(store, depth), "truncated": truncated, "focus": focus}


def _argument_neighbours(store: GraphStore, ids: list[str]) -> dict[str, set[str]]:
    """Each node's neighbours over argument relationships, either direction."""
    around: dict[str, set[str]] = defaultdict(set)
    for r in store.relationships(start=ids):
        if r["type"] in ARGUMENT_TYPES:
            around[r["start"]].add(r["end"])
    for r in store.relationships(end=ids):
        if r["type"] in ARGUMENT_TYPES:
            around[r["end"]].add(r["start"])
    return around


def _has_new_neighbour(store: GraphStore, level: list[str], depth: dict[str, int]) -> bool:
    """Whether the walk, full at ``limit``, left an argument-layer neighbour of ``level`` out."""
    unseen = {m for ms in _argument_neighbours(store, level).values() for m in ms} - depth.keys()
    return any(n["label"] in _KINDS for n in store.nodes(ids=unseen))


def _walk_graph(store: GraphStore, g: dict[str, Any], focus: list[str], hops: int, limit: int) -> dict[str, Any]:
    """:func:`neighbourhood` over a precomputed :func:`argument_graph`."""
    nodes = dict(g["nodes"])
    for f in focus:  # an unrelated claim can still be the focus
        if f not in nodes:
            row = claim_row(store, f)
            if row:
                nodes[f] = _claim_node(row)
    focus = [f for f in focus if f in nodes]
    adj: dict[str, set[str]] = defaultdict(set)
    strength: dict[frozenset, float] = {}
    for e in g["edges"]:
        adj[e["source"]].add(e["target"])
        adj[e["target"]].add(e["source"])
        key = frozenset((e["source"], e["target"]))
        strength[key] = max(strength.get(key, 0.0), float(e.get("confidence") or 0.5))
    depth = {f: 0 for f in focus[:limit]}
    truncated = len(focus) > limit
    frontier = list(depth)
    for d in range(1, hops + 1):
        candidates = {m for n in frontier for m in adj[n]} - depth.keys()
        if not candidates:
            break
        kept = set(depth)

        def relevance(m: str) -> tuple:
            links = adj[m] & kept
            return (_priority(nodes[m])[0], -len(links),
                    -max((strength.get(frozenset((m, k)), 0.0) for k in links), default=0.0), m)

        ranked = sorted(candidates, key=relevance)
        room = limit - len(depth)
        if len(ranked) > room:
            truncated = True
            ranked = ranked[:max(room, 0)]
        for m in ranked:
            depth[m] = d
        frontier = ranked
        if len(depth) >= limit:
            truncated = truncated or any(adj[n] - depth.keys() for n in frontier) and d < hops
            break
    kept = [dict(nodes[n], depth=d) for n, d in sorted(depth.items(), key=lambda x: (x[1], x[0]))]
    edges = [e for e in g["edges"] if e["source"] in depth and e["target"] in depth]
    return {"nodes": kept, "edges": edges, "truncated": truncated, "focus": focus}


def summary_graph(store: GraphStore, graph: dict[str, Any] | None = None,
                  limit: int = 200) -> dict[str, Any]:
    """A large map summarised by disagreement: one node per disagreement and crux.

    Each disagreement node carries ``claims`` (how many claims are party to it) and
    ``authors`` by side; edges are the ``CRUX_OF`` links. Small maps (at most
    ``limit`` nodes) are returned whole instead, with ``summarised`` False.
    """
    if graph is not None:
        return _summarise(graph, limit)
    st = store.stats()["nodes"]
    hubs = st.get(DISAGREEMENT, 0) + st.get(CRUX, 0)
    if hubs + _touched_claims(store, limit - hubs + 1, hubs) <= limit:
        g = argument_graph(store)
        return {"nodes": [dict(n, depth=0) for n in g["nodes"].values()], "edges": g["edges"],
                "truncated": False, "focus": [], "summarised": False}
    ranked = store.relationship_counts(PARTY_TO, limit=limit)
    party = dict(ranked)
    keep = [d for d, _ in ranked]
    if len(keep) < limit:  # the rest by id: disagreements no claim is party to, and cruxes
        rest = heapq.merge(*(store.nodes(label) for label in (DISAGREEMENT, CRUX)), key=lambda n: n["id"])
        keep += islice((n["id"] for n in rest if n["id"] not in party), limit - len(keep))
    nodes = _argument_nodes(store, keep)
    ids = set(keep)
    edges = [e for e in _argument_edges(store, ids) if e["type"] == CRUX_OF]
    return {"nodes": [dict(nodes[n], depth=0, claims=party.get(n, 0)) for n in keep if n in nodes],
            "edges": edges, "truncated": len(ids) < hubs, "focus": [], "summarised": True}


def _touched_claims(store: GraphStore, enough: int, hubs: int) -> int:
    """How many claims take part in an argument relationship, counted up to ``enough``.

    Relationships stream until their ends, of which at most ``hubs`` are not claims, are
    enough: a map with many claims stops after a few rows.
    """
    if enough <= 0:
        return enough
    seen: set[str] = set()
    for typ in ARGUMENT_TYPES:
        for r in store.relationships(typ):
            seen.update((r["start"], r["end"]))
            if len(seen) >= enough + hubs:
                return enough
    return sum(1 for _ in store.nodes(CLAIM, ids=seen)) if seen else 0


def _summarise(g: dict[str, Any], limit: int) -> dict[str, Any]:
    """:func:`summary_graph` of a precomputed :func:`argument_graph`."""
    if len(g["nodes"]) <= limit:
        return {"nodes": [dict(n, depth=0) for n in g["nodes"].values()], "edges": g["edges"],
                "truncated": False, "focus": [], "summarised": False}
    party: dict[str, int] = defaultdict(int)
    for e in g["edges"]:
        if e["type"] == PARTY_TO:
            party[e["target"]] += 1
    keep = [n for n in g["nodes"].values() if n["kind"] in ("disagreement", "crux")]
    keep.sort(key=lambda n: (-party.get(n["id"], 0), n["id"]))
    keep = keep[:limit]
    ids = {n["id"] for n in keep}
    return {"nodes": [dict(n, depth=0, claims=party.get(n["id"], 0)) for n in keep],
            "edges": [e for e in g["edges"] if e["type"] == CRUX_OF and e["source"] in ids
                      and e["target"] in ids],
            "truncated": len(ids) < sum(1 for n in g["nodes"].values()
                                        if n["kind"] in ("disagreement", "crux")),
            "focus": [], "summarised": True}


def search(store: GraphStore, phrase: str, limit: int = 25) -> list[dict[str, Any]]:
    """Cruxes, disagreements and claims whose text contains ``phrase`` (case-insensitive).

    Returns ``{id, kind, text, author}`` rows: cruxes first (best first), then
    disagreements (most confident first), then claims.
    """
    key = phrase.strip().casefold()
    if not key:
        return []
    cruxes = sorted(store.nodes(CRUX, contains={"text": key}),
                    key=lambda n: (-(n["properties"].get("score", 0.0) or 0), n["id"]))
    out = [{"id": n["id"], "kind": "crux", "text": n["properties"].get("text", ""), "author": None}
           for n in cruxes]
    if len(out) < limit:
        dis = sorted(store.nodes(DISAGREEMENT, contains={"summary": key}),
                     key=lambda n: (-(n["properties"].get("confidence") or 0), n["id"]))
        out += [{"id": n["id"], "kind": "disagreement", "text": n["properties"].get("summary", ""),
                 "author": None} for n in dis]
    if len(out) < limit:
        out += [{"id": c["id"], "kind": "claim", "text": c["text"], "author": c["author"]}
                for c in store.claims(text=phrase.strip(), limit=limit)]
    return out[:limit]


def focus_options(store: GraphStore, limit: int | None = None, include: Iterable[str] = ()) -> list[dict[str, Any]]:
    """What a person can focus on: cruxes (best first), then disagreements (the first ``limit`` of
    each, plus any of ``include``)."""
    def with_extra(query) -> list[dict[str, Any]]:
        rows = query(limit=limit)
        extra = [i for i in dict.fromkeys(include) if i not in {r["id"] for r in rows}]
        return rows + (query(ids=extra) if extra and limit else [])
    rows = [{"id": x["id"], "kind": "crux", "text": x["text"], "score": x["score"]}
            for x in with_extra(store.cruxes)]
    rows += [{"id": d["id"], "kind": "disagreement", "text": d["summary"],
              "score": d["confidence"] or 0.0, "status": d["status"]} for d in with_extra(store.disagreements)]
    return rows


def node_details(store: GraphStore, node_id: str) -> dict[str, Any] | None:
    """Everything to show for one node of the argument graph, or None when unknown.

    * claim: ``kind, id, text, author_id, author, url, posted_at, item_label,
      paragraph ({text, start, end}), stance, stance_confidence, stance_evidence,
      stance_target, relations ([{direction, type, stance, confidence, evidence, how,
      other: {id, text, author, kind}}]), disagreements ([{id, summary, status, side}]),
      topics ([labels])``
    * crux: ``kind, id, text, score, crux_kind, evidence, disagreements`` (full
      disagreement rows)
    * disagreement: the disagreement row plus ``kind`` and ``crux_rows``
    """
    n = store.node(node_id)
    if n is None:
        return None
    if n["label"] == CRUX:
        row = next(iter(store.cruxes(ids=[node_id])), None) or {}
        ids = row.get("disagreements", [])
        return {"kind": "crux", "id": node_id, "text": row.get("text", ""),
                "score": row.get("score"), "crux_kind": row.get("kind"),
                "evidence": row.get("evidence") or "", "authors": row.get("authors", {}),
                "disagreements": store.disagreements(ids=ids) if ids else []}
    if n["label"] == DISAGREEMENT:
        row = next(iter(store.disagreements(ids=[node_id])), None) or {}
        crux_ids = row.get("cruxes", [])
        return dict(row, kind="disagreement", crux_rows=store.cruxes(ids=crux_ids) if crux_ids else [])
    if n["label"] != CLAIM:
        return None
    return _claim_details(store, n)


def _claim_details(store: GraphStore, n: dict[str, Any]) -> dict[str, Any]:
    p = n["properties"]
    cid = n["id"]
    src = item(store, p.get("source_id"))
    near, rels = store.neighbourhood(cid, hops=1, limit=500)
    by_id = {x["id"]: x for x in near}
    names = author_names(store, {p.get("author_id")} | {x["properties"].get("author_id") for x in near})
    relations, disagreements, topics = [], [], []
    for r in rels:
        if cid not in (r["start"], r["end"]):
            continue
        other_id = r["end"] if r["start"] == cid else r["start"]
        other = by_id.get(other_id, {"label": "", "properties": {}})
        op = other["properties"]
        if r["type"] in (ATTACKS, SUPPORTS, SAME_AS) and other["label"] == CLAIM:
            relations.append({
                "direction": "out" if r["start"] == cid else "in", "type": r["type"],
                "stance": r["properties"].get("stance"),
                "confidence": r["properties"].get("confidence"),
                "evidence": r["properties"].get("evidence", ""),
                "how": r["properties"].get("target"),
                "other": {"id": other_id, "text": op.get("text", ""),
                          "author": names.get(op.get("author_id"), None), "kind": "claim"}})
        elif r["type"] == PARTY_TO and other["label"] == DISAGREEMENT:
            disagreements.append({"id": other_id, "summary": op.get("summary", ""),
                                  "status": op.get("status", ""), "side": r["properties"].get("side")})
        elif r["type"] == ABOUT and other["label"] == TOPIC:
            topics.append(op.get("label", ""))
    relations.sort(key=lambda x: (x["direction"], -(x["confidence"] or 0)))
    text = str(src.get("text", ""))
    start, end = p.get("start"), p.get("end")
    para = paragraph(text, start, end) if text and start is not None and end is not None \
        else {"text": p.get("text", ""), "start": 0, "end": len(p.get("text", ""))}
    return {"kind": "claim", "id": cid, "text": p.get("text", ""), "author_id": p.get("author_id"),
            "author": names.get(p.get("author_id")), "url": src.get("url", ""),
            "source_id": p.get("source_id"), "posted_at": src.get("posted_at", ""),
            "item_label": src.get("label", ""), "title": src.get("title", ""),
            "paragraph": para, "role": p.get("role", "claim"), "stance": p.get("stance"),
            "stance_confidence": p.get("stance_confidence"),
            "stance_evidence": p.get("stance_evidence", ""), "stance_target": p.get("stance_target"),
            "relations": relations, "disagreements": disagreements, "topics": sorted(topics),
            "contained_by": [r["start"] for r in rels if r["type"] == CONTAINS and r["end"] == cid]}
