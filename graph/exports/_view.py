"""The map as exporters read it: nodes, relationships and the orders every export shares.

Private to :mod:`cruxmap.graph.exports`. :class:`MapView` reads a store once
(``store.nodes()`` and ``store.relationships()``, so it works on both stores) and
answers the questions exporters ask: who wrote an item, which claims an item holds,
the sides of a disagreement.

Orders are by content, never by id, so a map exported, imported (which mints new
ids) and exported again comes out in the same order:

* items (posts and comments): by ``posted_at``, then text;
* claims: by their item's position, then ``start``;
* disagreements: by confidence (highest first), then summary;
* cruxes: by score (highest first), then text; topics: by label.

Examples
--------
>>> from cruxmap.graph.nx_store import NxStore
>>> from cruxmap.graph.schema import node, AUTHOR
>>> s = NxStore(":memory:")
>>> _ = s.upsert([node("author:b", AUTHOR, name="Bo"), node("author:a", AUTHOR, name="Al")], [])
>>> [a["properties"]["name"] for a in MapView.load(s).authors]
['Al', 'Bo']
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cruxmap.graph.schema import (
    ABOUT, ATTACKS, AUTHOR, CLAIM, COMMENT, CONTAINS, CRUX, CRUX_OF, DISAGREEMENT, PARTY_TO,
    POST, REPLIES_TO, SAME_AS, SUPPORTS, TOPIC, WROTE, Node, Relationship,
)
from cruxmap.graph.store import GraphStore

#: Characters XML 1.0 cannot carry at all (not even escaped); writers replace them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """``text`` with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _XML_INVALID.sub("\ufffd", text)


def shorten(text: str, width: int = 80) -> str:
    """One line of at most ``width`` characters (an ellipsis marks a cut)."""
    one = " ".join(text.split())
    return one if len(one) <= width else one[: width - 1].rstrip() + "\u2026"


@dataclass
class Disagreement:
    """A disagreement with its sides as claim ids in claim order."""

    id: str
    summary: str
    status: str
    confidence: float
    sides: dict[str, list[str]]
    cruxes: list[str] = field(default_factory=list)


@dataclass
class MapView:
    """Everything an exporter needs from one store, read once."""

    nodes: dict[str, Node]
    rels: list[Relationship]

    @classmethod
    def load(cls, store: GraphStore) -> "MapView":
        view = cls({n["id"]: n for n in store.nodes()}, list(store.relationships()))
        view._index()
        return view

    # --- indexes ------------------------------------------------------------------
    def _index(self) -> None:
        self.out: dict[str, list[Relationship]] = defaultdict(list)
        self.into: dict[str, list[Relationship]] = defaultdict(list)
        for r in self.rels:
            self.out[r["start"]].append(r)
            self.into[r["end"]].append(r)
        self.authors = sorted(self.of(AUTHOR), key=lambda n: (self.props(n["id"]).get("name", "").casefold(), n["id"]))
        self.items = sorted(self.of(POST) + self.of(COMMENT), key=lambda n: (
            str(n["properties"].get("posted_at", "")), n["properties"].get("text", ""), n["id"]))
        item_pos = {n["id"]: i for i, n in enumerate(self.items)}
        self.claims = sorted(self.of(CLAIM), key=lambda n: (
            item_pos.get(self.claim_item(n["id"]), len(item_pos)), n["properties"].get("start", 0),
            n["properties"].get("text", ""), n["id"]))
        self.claim_pos = {n["id"]: i for i, n in enumerate(self.claims)}
        self.cruxes = sorted(self.of(CRUX), key=lambda n: (
            -float(n["properties"].get("score", 0) or 0), n["properties"].get("text", ""), n["id"]))
        self.topics = sorted(self.of(TOPIC), key=lambda n: (n["properties"].get("label", ""), n["id"]))
        self.disagreements = sorted((self._disagreement(n) for n in self.of(DISAGREEMENT)), key=lambda d: (
            -d.confidence, d.summary, [self.text(c) for side in sorted(d.sides) for c in d.sides[side]], d.id))

    def _disagreement(self, n: Node) -> Disagreement:
        p = n["properties"]
        sides: dict[str, list[str]] = {"a": [], "b": []}
        for r in self.into[n["id"]]:
            if r["type"] == PARTY_TO and r["start"] in self.nodes:
                sides.setdefault(str(r["properties"].get("side", "a")), []).append(r["start"])
        for side in sides:
            sides[side].sort(key=lambda c: self.claim_pos.get(c, 0))
        crux_pos = {c["id"]: i for i, c in enumerate(self.cruxes)}
        cruxes = sorted((r["start"] for r in self.into[n["id"]] if r["type"] == CRUX_OF and r["start"] in crux_pos),
                        key=crux_pos.__getitem__)
        return Disagreement(n["id"], str(p.get("summary", "")), str(p.get("status", "open")),
                            float(p.get("confidence", 0.5) or 0), sides, cruxes)

    # --- lookups ------------------------------------------------------------------------
    def of(self, label: str) -> list[Node]:
        return [n for n in self.nodes.values() if n["label"] == label]

    def props(self, nid: str) -> dict[str, Any]:
        return self.nodes[nid]["properties"] if nid in self.nodes else {}

    def label(self, nid: str) -> str:
        return self.nodes[nid]["label"] if nid in self.nodes else ""

    def text(self, nid: str) -> str:
        p = self.props(nid)
        return str(p.get("text") or p.get("summary") or p.get("label") or p.get("name") or p.get("title") or "")

    def name(self, author_id: str | None) -> str:
        """An author's display name ('' when unknown)."""
        return str(self.props(author_id).get("name", "")) if author_id else ""

    def claim_item(self, cid: str) -> str | None:
        src = self.props(cid).get("source_id")
        if src in self.nodes:
            return src
        return next((r["start"] for r in self.into[cid] if r["type"] == CONTAINS), None)

    def claim_author(self, cid: str) -> str | None:
        aid = self.props(cid).get("author_id")
        return aid or self.item_author(self.claim_item(cid))

    def item_author(self, iid: str | None) -> str | None:
        """The item's author: a WROTE edge from someone who is not a listed coauthor."""
        if not iid:
            return None
        coauthors = set(self.props(iid).get("coauthors") or [])
        writers = [r["start"] for r in self.into[iid] if r["type"] == WROTE]
        main = [w for w in writers if w not in coauthors]
        return (main or writers or [None])[0]

    def parent(self, iid: str) -> str | None:
        return next((r["end"] for r in self.out[iid] if r["type"] == REPLIES_TO), None)

    def item_claims(self, iid: str) -> list[str]:
        return [c["id"] for c in self.claims if self.claim_item(c["id"]) == iid]

    def stances(self) -> list[Relationship]:
        """SUPPORTS and ATTACKS between claims, by source then target claim order."""
        rels = [r for r in self.rels if r["type"] in (SUPPORTS, ATTACKS)
                and r["start"] in self.claim_pos and r["end"] in self.claim_pos]
        return sorted(rels, key=lambda r: (self.claim_pos[r["start"]], self.claim_pos[r["end"]], r["type"]))

    def same_as(self) -> list[Relationship]:
        rels = [r for r in self.rels if r["type"] == SAME_AS
                and r["start"] in self.claim_pos and r["end"] in self.claim_pos]
        return sorted(rels, key=lambda r: (self.claim_pos[r["start"]], self.claim_pos[r["end"]]))

    def topic_claims(self, tid: str) -> list[str]:
        ids = [r["start"] for r in self.into[tid] if r["type"] == ABOUT and r["start"] in self.claim_pos]
        return sorted(ids, key=self.claim_pos.__getitem__)

    def crux_disagreements(self, xid: str) -> list[str]:
        return [r["end"] for r in self.out[xid] if r["type"] == CRUX_OF]

    def display(self, nid: str, width: int = 60) -> str:
        """A short label for a node in a picture or a list."""
        lab, p = self.label(nid), self.props(nid)
        if lab == AUTHOR:
            return str(p.get("name") or nid)
        if lab == POST:
            return shorten(str(p.get("title") or p.get("text") or nid), width)
        if lab == TOPIC:
            return str(p.get("label") or nid)
        return shorten(self.text(nid) or nid, width)
