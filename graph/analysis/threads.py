"""Threads as people read them: a post, its comment tree, and each item's claims and stance.

Examples
--------
>>> from cruxmap.graph.nx_store import NxStore
>>> from cruxmap.graph.schema import Comment, CruxMap, Post, Thread, to_graph
>>> store = NxStore(":memory:")
>>> t = Thread("x", posts=(Post(id="p", title="Cats", text="Cats purr."),),
...            comments=(Comment(id="c1", post_id="p", parent_id="p", text="No."),
...                      Comment(id="c2", post_id="p", parent_id="c1", text="Yes.")))
>>> _ = store.upsert(*to_graph(CruxMap(t)))
>>> [(p["title"], p["comments"]) for p in posts(store)]
[('Cats', 2)]
>>> [(c["id"], c["depth"]) for c in thread(store, "p")["comments"]]
[('c1', 1), ('c2', 2)]
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from cruxmap.graph.analysis._lookup import author_names
from cruxmap.graph.schema import CLAIM, COMMENT, POST, REPLIES_TO, WROTE
from cruxmap.graph.store import GraphStore

__all__ = ["posts", "thread", "post_of", "claim_role", "segments"]

#: A claim's stance, read as the role it plays when its own role is plain "claim".
_ROLE_OF_STANCE = {"disagree": "attack", "correct": "attack", "agree": "support",
                   "concede": "support"}


def claim_role(claim: dict[str, Any]) -> str:
    """The role to highlight a claim by: ``crux``, ``attack``, ``support`` or ``claim``.

    Examples
    --------
    >>> claim_role({"role": "claim", "stance": "disagree"})
    'attack'
    >>> claim_role({"role": "crux", "stance": "agree"})
    'crux'
    >>> claim_role({"kind": "crux_statement"})
    'crux'
    """
    role = claim.get("role") or "claim"
    if role != "claim":
        return role
    if claim.get("kind") == "crux_statement":
        return "crux"
    return _ROLE_OF_STANCE.get(claim.get("stance") or "", "claim")


def segments(text: str, claims: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any] | None]]:
    """Cut ``text`` into pieces, each either inside one claim's span or outside all of them.

    Overlapping claims are resolved in favour of the earlier one.

    Examples
    --------
    >>> [(s, c and c["id"]) for s, c in segments("Ab. Cd.", [{"id": "x", "start": 4, "end": 7}])]
    [('Ab. ', None), ('Cd.', 'x')]
    """
    out: list[tuple[str, dict[str, Any] | None]] = []
    pos = 0
    for c in sorted(claims, key=lambda c: (c.get("start") or 0, c.get("end") or 0)):
        start, end = c.get("start"), c.get("end")
        if start is None or end is None or start < pos or end > len(text) or end <= start:
            continue
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], c))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def _writers(store: GraphStore, items: Iterable[str]) -> dict[str, str]:
    """Item id -> the author who wrote it (of these items)."""
    return {r["end"]: r["start"] for r in store.relationships(WROTE, end=items)}


def posts(store: GraphStore) -> list[dict[str, Any]]:
    """Every post with its author and comment count, most comments first, then by title.

    Rows: ``{id, title, author_id, author, posted_at, url, comments}``.
    """
    counts = store.property_counts(COMMENT, "post_id")
    found = list(store.nodes(POST))
    writer = _writers(store, [p["id"] for p in found])
    names = author_names(store, writer.values())
    rows = []
    for p in found:
        pp = p["properties"]
        aid = writer.get(p["id"])
        title = pp.get("title") or (pp.get("text", "")[:80] + ("…" if len(pp.get("text", "")) > 80 else ""))
        rows.append({"id": p["id"], "title": title, "author_id": aid, "author": names.get(aid),
                     "posted_at": pp.get("posted_at", ""), "url": pp.get("url", ""),
                     "comments": counts.get(p["id"], 0)})
    rows.sort(key=lambda r: (-r["comments"], r["title"].casefold(), r["id"]))
    return rows


def _item(node: dict[str, Any], aid: str | None, names: dict[str, str],
          claims: list[dict[str, Any]]) -> dict[str, Any]:
    p = node["properties"]
    stance, conf = p.get("stance"), p.get("stance_confidence")
    if not stance:  # no comment-level stance: the most confident non-neutral claim speaks for it
        best = max((c for c in claims if c.get("stance") not in (None, "neutral")),
                   key=lambda c: c.get("stance_confidence") or 0, default=None)
        if best:
            stance, conf = best["stance"], best.get("stance_confidence")
    return {"id": node["id"], "label": node["label"], "title": p.get("title", ""),
            "text": p.get("text", ""), "url": p.get("url", ""), "posted_at": p.get("posted_at", ""),
            "score": p.get("score"), "agreement": p.get("agreement"), "author_id": aid,
            "author": names.get(aid) if aid else None, "stance": stance, "stance_confidence": conf,
            "retracted": bool(p.get("retracted")), "nesting": p.get("nesting", "known"),
            "attribution": p.get("attribution", ""),
            "deleted": bool(p.get("deleted")),  # a tombstone: a newer copy of the thread lacks it
            "claims": sorted(claims, key=lambda c: c.get("start") or 0)}


def thread(store: GraphStore, post_id: str) -> dict[str, Any] | None:
    """A post and its comments as a tree, flattened in reading order.

    Returns
    -------
    dict or None
        ``{"post": item, "comments": [item + {depth, parent_id}]}`` where an item is
        ``{id, label, title, text, url, posted_at, score, agreement, author_id, author,
        stance, stance_confidence, retracted, nesting, attribution, claims: [{id, start, end, text,
        role, stance, stance_confidence, kind}]}``. Comments are in depth-first order,
        siblings in page order when the source recorded one (``position``), else by time; a comment whose parent is unknown hangs at depth 1. None
        when ``post_id`` is not a post.
    """
    post = store.node(post_id)
    if post is None or post["label"] != POST:
        return None
    comments = list(store.nodes(COMMENT, where={"post_id": post_id}))
    ids = {post_id} | {c["id"] for c in comments}
    parent = {r["start"]: r["end"] for r in store.relationships(REPLIES_TO, start=ids)}
    writer = _writers(store, ids)
    names = author_names(store, writer.values())
    claims_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n in store.nodes(CLAIM, where={"source_id": sorted(ids)}):
        p = n["properties"]
        claims_of[p["source_id"]].append({
            "id": n["id"], "start": p.get("start"), "end": p.get("end"), "text": p.get("text", ""),
            "role": p.get("role", "claim"), "stance": p.get("stance"),
            "stance_confidence": p.get("stance_confidence"), "kind": p.get("kind", "claim")})
    children: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in comments:
        par = parent.get(c["id"])
        children[par if par in ids else post_id].append(c)
    out: list[dict[str, Any]] = []
    seen: set[str] = set()

    def kids(pid: str) -> list[dict[str, Any]]:
        # page order where the source gave one (a pasted page), else by time
        return sorted(children.get(pid, []),
                      key=lambda c: (c["properties"].get("position") is None,
                                     c["properties"].get("position") or 0,
                                     str(c["properties"].get("posted_at", "")), c["id"]))

    # depth first with an explicit stack: a reply chain thousands deep is data, not recursion
    stack = [(c, post_id, 1) for c in reversed(kids(post_id))]
    while stack:
        c, pid, depth = stack.pop()
        if c["id"] in seen:  # a reply cycle in bad data must not loop forever
            continue
        seen.add(c["id"])
        row = _item(c, writer.get(c["id"]), names, claims_of.get(c["id"], []))
        out.append(dict(row, depth=depth, parent_id=pid))
        stack.extend((k, c["id"], depth + 1) for k in reversed(kids(c["id"])))

    return {"post": _item(post, writer.get(post_id), names, claims_of.get(post_id, [])),
            "comments": out}


def post_of(store: GraphStore, item_id: str) -> str | None:
    """The post a post, comment or claim belongs to (None when unknown)."""
    n = store.node(item_id)
    if n is None:
        return None
    if n["label"] == CLAIM:
        return post_of(store, n["properties"].get("source_id", "")) if n["properties"].get("source_id") else None
    if n["label"] == POST:
        return n["id"]
    if n["label"] == COMMENT:
        pid = n["properties"].get("post_id")
        return pid if pid and store.node(pid) else None
    return None
