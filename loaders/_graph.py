"""The inverse of :func:`cruxmap.graph.schema.to_graph`: property-graph nodes and relationships back to a map.

Private to :mod:`loaders` (the leading underscore keeps it out of the registry). The
loaders of cruxmap's own graph formats (:mod:`cruxmap.loaders.cruxmap_json`,
:mod:`cruxmap.loaders.graphml`) read nodes and relationships and hand them here, so a map
exported and imported again writes exactly the same graph.

Values are coerced to the record field types on the way (a GraphML ``double`` score of
a post becomes an ``int`` again), because a graph format may widen a type that two
labels share.

Examples
--------
>>> from cruxmap.graph.schema import node, relationship, AUTHOR, POST, WROTE, to_graph
>>> m = map_from_graph([node("author:ann", AUTHOR, name="Ann"),
...                     node("post:1", POST, text="Hi.", title="T", kind="post")],
...                    [relationship(WROTE, "author:ann", "post:1")], source="x.json")
>>> m.thread.posts[0].author_id
'author:ann'
>>> to_graph(m)[1][0]["id"]
'WROTE:author:ann->post:1'
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Iterable

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import (
    ABOUT, ATTACKS, AUTHOR, CLAIM, COMMENT, CONTAINS, CRUX, CRUX_OF, DISAGREEMENT,
    EXTERNAL_TARGET, PARTY_TO, POST, REL_TYPES, REPLIES_TO, SAME_AS, SUPPORTS, TOPIC, WROTE,
    Author, Claim, Comment, Crux, CruxMap, Disagreement, Node, Post, Relationship, Stance,
    Thread, Topic,
)

__all__ = ["map_from_graph"]


def _int(v: Any) -> int | None:
    """An integer property (a GraphML ``double`` 3.0 is 3); a list, a word or NaN is refused."""
    if v is None or v == "":
        return None
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise ValueError(f"expected an integer, got {_show(v)}")
    try:
        number = float(v) if not isinstance(v, int) else v
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        return int(number)
    except (ValueError, OverflowError):
        raise ValueError(f"expected an integer, got {_show(v)}") from None


def _float(v: Any, default: float | None = None) -> float | None:
    if v is None or v == "":
        return default
    if isinstance(v, bool) or not isinstance(v, (int, float, str)):
        raise ValueError(f"expected a number, got {_show(v)}")
    try:
        number = float(v)
    except (ValueError, OverflowError):
        raise ValueError(f"expected a number, got {_show(v)}") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(f"expected a finite number, got {_show(v)}")
    return number


def _show(v: Any) -> str:
    text = repr(v)
    return text if len(text) <= 40 else text[:37] + "..."


def _str(v: Any, default: str = "") -> str:
    return default if v is None else str(v)


def _list(v: Any) -> list[str]:
    if v is None or v == "":
        return []
    return [str(x) for x in v] if isinstance(v, (list, tuple)) else [str(v)]


def _reacts(v: Any) -> tuple[tuple[str, int], ...]:
    """``["crux:2", "notacrux:1"]`` (how :func:`to_graph` stores reacts) back to pairs."""
    out = []
    for item in _list(v):
        name, _, count = item.rpartition(":")
        out.append((name, int(count)) if name and count.lstrip("-").isdigit() else (item, 1))
    return tuple(out)


class _Graph:
    """Nodes by label and relationships by type, checked for dangling ends."""

    def __init__(self, nodes: Iterable[Node], rels: Iterable[Relationship], source: str):
        self.source = source
        self.nodes: dict[str, Node] = {}
        for n in nodes:
            if not n.get("id"):
                raise MalformedInput(source, "a node has no id")
            self.nodes[n["id"]] = n
        self.by_label: dict[str, list[Node]] = defaultdict(list)
        for n in self.nodes.values():
            self.by_label[n["label"]].append(n)
        self.rels: dict[str, list[Relationship]] = defaultdict(list)
        for r in rels:
            for end in (r["start"], r["end"]):
                if end not in self.nodes:
                    raise MalformedInput(source, f"relationship {r.get('id') or r['type']} points at "
                                                 f"{end}, which is not in the file")
            if r["type"] not in REL_TYPES:
                raise MalformedInput(source, f"unknown relationship type {r['type']!r}")
            self.rels[r["type"]].append(r)

    def props(self, nid: str) -> dict[str, Any]:
        return self.nodes[nid]["properties"]

    def out(self, typ: str) -> dict[str, list[Relationship]]:
        by: dict[str, list[Relationship]] = defaultdict(list)
        for r in self.rels[typ]:
            by[r["start"]].append(r)
        return by

    def into(self, typ: str) -> dict[str, list[Relationship]]:
        by: dict[str, list[Relationship]] = defaultdict(list)
        for r in self.rels[typ]:
            by[r["end"]].append(r)
        return by


def _thread(g: _Graph) -> Thread:
    wrote = g.into(WROTE)
    replies = g.out(REPLIES_TO)
    posts = []
    for n in g.by_label[POST]:
        p = n["properties"]
        coauthors = tuple(_list(p.get("coauthors")))
        writers = [r["start"] for r in wrote.get(n["id"], []) if r["start"] not in coauthors]
        posts.append(Post(
            id=n["id"], text=_str(p.get("text")), title=_str(p.get("title")),
            author_id=writers[0] if writers else None, url=_str(p.get("url")),
            posted_at=_str(p.get("posted_at")), score=_int(p.get("score")),
            vote_count=_int(p.get("vote_count")), source=_str(p.get("source")),
            kind=_str(p.get("kind"), "post"), coauthor_ids=coauthors))
    comments = []
    for n in g.by_label[COMMENT]:
        p = n["properties"]
        writers = [r["start"] for r in wrote.get(n["id"], [])]
        parent = replies.get(n["id"], [])
        comments.append(Comment(
            id=n["id"], text=_str(p.get("text")), post_id=p.get("post_id"),
            parent_id=parent[0]["end"] if parent else None,
            author_id=writers[0] if writers else None, url=_str(p.get("url")),
            posted_at=_str(p.get("posted_at")), score=_int(p.get("score")),
            agreement=_int(p.get("agreement")), source=_str(p.get("source")),
            nesting=_str(p.get("nesting"), "known"), reacts=_reacts(p.get("reacts")),
            retracted=bool(p.get("retracted", False))))
    authors = tuple(Author(n["id"], _str(n["properties"].get("name"))) for n in g.by_label[AUTHOR])
    return Thread(source=g.source, posts=tuple(posts), comments=tuple(comments), authors=authors)


def _claims(g: _Graph, thread: Thread) -> tuple[Claim, ...]:
    texts = {i.id: i.text for i in thread.items()}
    contained = {r["end"]: r["start"] for r in g.rels[CONTAINS]}
    claims = []
    for n in g.by_label[CLAIM]:
        p = n["properties"]
        src = _str(p.get("source_id")) or contained.get(n["id"], "")
        start, end, text = _int(p.get("start")) or 0, _int(p.get("end")) or 0, _str(p.get("text"))
        if src not in texts:
            raise MalformedInput(g.source, f"claim {n['id']}: its post or comment {src!r} is not in the file")
        if texts[src][start:end] != text:
            raise MalformedInput(g.source, f"claim {n['id']}: text is not {src}[{start}:{end}]")
        claims.append(Claim(id=n["id"], source_id=src, start=start, end=end, text=text,
                            author_id=p.get("author_id"), kind=_str(p.get("kind"), "claim"),
                            role=_str(p.get("role"), "claim")))
    return tuple(claims)


def _stances(g: _Graph) -> tuple[Stance, ...]:
    """Stances from ATTACKS/SUPPORTS edges, plus the claim-level ones that have no edge.

    :func:`to_graph` keeps a claim's most confident stance on the claim itself; the
    stance that matches it goes first so ties resolve the same way again.
    """
    by_source: dict[str, list[Stance]] = defaultdict(list)
    for typ in (SUPPORTS, ATTACKS):
        for r in g.rels[typ]:
            p = r["properties"]
            by_source[r["start"]].append(Stance(
                source_claim_id=r["start"], target_claim_id=r["end"],
                stance=_str(p.get("stance"), "agree" if typ == SUPPORTS else "disagree"),
                confidence=_float(p.get("confidence"), 1.0), evidence=_str(p.get("evidence")),
                target=_str(p.get("target"), "reply")))
    out: list[Stance] = []
    for n in g.by_label[CLAIM]:
        cid, p = n["id"], n["properties"]
        mine = by_source.pop(cid, [])
        if p.get("stance") is not None:
            own = (_str(p.get("stance")), _float(p.get("stance_confidence"), 0.0),
                   _str(p.get("stance_evidence")), _str(p.get("stance_target")))
            same = [s for s in mine if (s.stance, round(s.confidence, 4), s.evidence, s.target) == own]
            if same:
                mine.remove(same[0])
                mine.insert(0, same[0])
            else:  # no edge carries it: a stance on something outside the map
                mine.insert(0, Stance(cid, EXTERNAL_TARGET, own[0], own[1], own[2], own[3]))
        out.extend(mine)
    for rest in by_source.values():  # edges from claims without a node cannot occur (checked above)
        out.extend(rest)
    return tuple(out)


def map_from_graph(nodes: Iterable[Node], rels: Iterable[Relationship], source: str = "<graph>") -> CruxMap:
    """The :class:`~cruxmap.graph.schema.CruxMap` whose :func:`~cruxmap.graph.schema.to_graph` gives these records.

    Raises
    ------
    MalformedInput
        When a relationship points at a missing node, or a claim's text is not the
        span of its post or comment it claims to be.
    """
    try:
        return _map(_Graph(nodes, rels, source), source)
    except ValueError as e:  # a property of the wrong type: one line naming the file
        raise MalformedInput(source, f"a property has the wrong type: {e}") from None


def _map(g: _Graph, source: str) -> CruxMap:
    thread = _thread(g)
    party = g.into(PARTY_TO)
    disagreements = tuple(
        Disagreement(id=n["id"], summary=_str(n["properties"].get("summary")),
                     status=_str(n["properties"].get("status"), "open"),
                     sides=tuple((r["start"], _str(r["properties"].get("side"), "a"))
                                 for r in party.get(n["id"], [])),
                     confidence=_float(n["properties"].get("confidence"), 0.5))
        for n in g.by_label[DISAGREEMENT])
    crux_of = g.out(CRUX_OF)
    cruxes = tuple(
        Crux(id=n["id"], text=_str(n["properties"].get("text")),
             score=_float(n["properties"].get("score"), 0.0),
             disagreement_ids=tuple(r["end"] for r in crux_of.get(n["id"], [])),
             kind=_str(n["properties"].get("kind"), "explicit"),
             evidence=_str(n["properties"].get("evidence")))
        for n in g.by_label[CRUX])
    about = g.into(ABOUT)
    topics = tuple(Topic(id=n["id"], label=_str(n["properties"].get("label")),
                         claim_ids=tuple(r["start"] for r in about.get(n["id"], [])))
                   for n in g.by_label[TOPIC])
    comment_stances = tuple(
        (n["id"], _str(n["properties"]["stance"]), _float(n["properties"].get("stance_confidence"), 0.0))
        for n in g.by_label[COMMENT] if n["properties"].get("stance") is not None)
    return CruxMap(
        thread=thread, claims=_claims(g, thread), stances=_stances(g),
        disagreements=disagreements, cruxes=cruxes, topics=topics,
        same_as=tuple((r["start"], r["end"], _float(r["properties"].get("confidence"), 1.0))
                      for r in g.rels[SAME_AS]),
        comment_stances=comment_stances)
