"""The graph store interface that both stores implement, and :func:`open_store`.

A store holds the property graph of :mod:`cruxmap.graph.schema` (nodes and relationships
as plain dicts) and answers the named queries the CLI, the app and the exporters
need. Two implementations pass the same test suite (``tests/store_contract.py``):

* :class:`cruxmap.graph.nx_store.NxStore` — the embedded default: a SQLite file on disk,
  NetworkX in memory, no server.
* :class:`cruxmap.graph.neo4j_store.Neo4jStore` — a Neo4j server (``bolt://`` / ``neo4j://``).

Every query returns plain data (lists of dicts with str/int/float/list values),
so results from the two stores compare equal.

Examples
--------
>>> from cruxmap.graph.store import open_store
>>> with open_store(":memory:") as store:
...     store.stats()["nodes"]
{}
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from typing import Any, Callable, Iterable, Iterator

from cruxmap.graph.errors import StoreUnavailable
from cruxmap.graph.schema import CruxMap, Node, Relationship, Scope, to_graph

#: Where the embedded store lives when neither ``--db`` nor ``CRUXMAP_DB`` says.
DEFAULT_DB = "cruxmap.db"


def is_server_uri(db: str) -> bool:
    """True for Neo4j URIs (``bolt://``, ``neo4j://`` and their ``+s``/``+ssc`` forms)."""
    return db.split("://", 1)[0].lower() in {
        "bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc"}


def resolve_db(db: str | None = None) -> str:
    """The database to use: ``--db``, else ``$CRUXMAP_DB``, else :data:`DEFAULT_DB`."""
    return db or os.environ.get("CRUXMAP_DB") or DEFAULT_DB


class GraphStore(ABC):
    """What every store does. Writes are all-or-nothing; queries return plain data.

    Rows returned by the named queries:

    * author: ``{id, name, posts, comments, claims}``
    * claim: ``{id, text, author_id, author, source_id, url, role, stance, stance_confidence, start, end}``
    * disagreement: ``{id, summary, status, confidence, sides: {"a": [claim...], "b": [claim...]},
      authors: {"a": [author ids], "b": [author ids]}, cruxes: [crux ids]}``
    * crux: ``{id, text, score, kind, evidence, disagreements: [ids], authors: {"a": [...], "b": [...]}}``
    * divergence: ``{a, a_name, b, b_name, disagree, agree, disagreements}`` (a < b)
    """

    read_only: bool = False

    # --- writing -------------------------------------------------------------
    @abstractmethod
    def upsert(self, nodes: Iterable[Node], relationships: Iterable[Relationship]) -> dict[str, int]:
        """Write nodes and relationships in one transaction; return counts.

        The result has ``nodes_written``, ``relationships_written`` (new or changed)
        and ``unchanged``. Writing the same records twice writes nothing the second time.
        """

    @abstractmethod
    def upsert_batches(self, batches: Iterable[tuple[Iterable[Node], Iterable[Relationship]]],
                       replace: "Scope | Callable[[], Scope] | None" = None, load: str = "") -> dict[str, int]:
        """Write many ``(nodes, relationships)`` batches, streaming, as one write.

        The embedded store makes it one transaction; a server store commits per batch and
        flags the load (named by ``load``: the input files) as incomplete until its last batch
        is in (:meth:`incomplete_loads`).

        ``replace``: the :class:`~cruxmap.graph.schema.Scope` whose derived records this write
        replaces, or a function returning it after the last batch (see the ownership notes in
        :mod:`cruxmap.graph.schema`). The counts then also have ``deleted`` and ``tombstoned``.
        """

    def incomplete_loads(self) -> list[dict[str, Any]]:
        """Loads that started and did not finish (``{id, sources, started}``); a re-run completes them.

        Only a server store can have any: the embedded store writes in one transaction.
        """
        return []

    def upsert_map(self, m: CruxMap) -> dict[str, int]:
        """Write everything a :class:`CruxMap` holds (see :func:`cruxmap.graph.schema.to_graph`)."""
        nodes, rels = to_graph(m)
        return self.upsert(nodes, rels)

    @abstractmethod
    def clear(self) -> None:
        """Delete everything."""

    # --- reading: generic ------------------------------------------------------
    @abstractmethod
    def node(self, id: str) -> Node | None:
        """One node by id, or None."""

    @abstractmethod
    def nodes(self, label: str | None = None) -> Iterator[Node]:
        """All nodes (of one label), ordered by id."""

    @abstractmethod
    def relationships(self, type: str | None = None) -> Iterator[Relationship]:
        """All relationships (of one type), ordered by id."""

    @abstractmethod
    def neighbourhood(self, id: str, hops: int = 1, limit: int = 300) -> tuple[list[Node], list[Relationship]]:
        """Nodes within ``hops`` of ``id`` (either direction) and the relationships among them."""

    @abstractmethod
    def stats(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {label: count}, "relationships": {type: count}}`` (zero counts omitted)."""

    @abstractmethod
    def version(self) -> str:
        """A token that changes whenever the content changes (the app caches on it)."""

    # --- reading: the named queries ------------------------------------------
    @abstractmethod
    def authors(self) -> list[dict[str, Any]]:
        """Every author with counts of posts, comments and claims, by name."""

    @abstractmethod
    def claims(self, author: str | None = None, text: str | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        """Claims, optionally of one author (id or name) or containing ``text``."""

    @abstractmethod
    def disagreements(self, between: tuple[str, str] | None = None, author: str | None = None,
                      topic: str | None = None, status: str | None = None,
                      limit: int | None = None) -> list[dict[str, Any]]:
        """Disagreements, optionally between two authors, of one author, about a topic or of a status."""

    @abstractmethod
    def cruxes(self, author: str | None = None, between: tuple[str, str] | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        """Cruxes ranked by score (highest first)."""

    @abstractmethod
    def divergence(self) -> list[dict[str, Any]]:
        """Author pairs with their disagreement and agreement weights."""

    @abstractmethod
    def topics(self) -> list[dict[str, Any]]:
        """Topics with their claim counts: ``{id, label, claims}``."""

    # --- lifecycle -------------------------------------------------------------
    def close(self) -> None:
        """Release files, connections and drivers."""

    def __enter__(self) -> "GraphStore":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def open_store(db: str | None = None, read_only: bool = False, **options: Any) -> GraphStore:
    """Open the store named by ``db`` (a file path, ``:memory:``, or a Neo4j URI).

    Raises :class:`cruxmap.graph.errors.StoreUnavailable` with one clear line when it cannot.
    """
    db = resolve_db(db)
    # the embedded store's write lock (graph/writelock.py): seconds to wait, and what to say
    local = {k: options.pop(k) for k in ("wait", "on_wait") if k in options}
    if is_server_uri(db):
        try:
            from cruxmap.graph.neo4j_store import Neo4jStore
        except ImportError as e:  # the driver is a dependency, but say so plainly if it is missing
            raise StoreUnavailable(f"{db}: Neo4j support is not available ({e})") from None
        return Neo4jStore(db, read_only=read_only, **options)
    if "://" in db:
        raise StoreUnavailable(f"{db}: unknown database URI scheme (use a file path, bolt:// or neo4j://)")
    from cruxmap.graph.nx_store import NxStore
    return NxStore(db, read_only=read_only, **local)


# --- row shaping shared by both stores (so their answers compare equal) -------------
def claim_row(props: dict[str, Any], author: str | None, url: str | None) -> dict[str, Any]:
    """A claim as the named queries return it."""
    return {
        "id": props["id"], "text": props.get("text", ""), "author_id": props.get("author_id"),
        "author": author, "source_id": props.get("source_id"), "url": url or "",
        "role": props.get("role", "claim"), "stance": props.get("stance"),
        "stance_confidence": props.get("stance_confidence"),
        "start": props.get("start"), "end": props.get("end"),
    }


def claim_order(row: dict[str, Any]) -> tuple:
    return (row["source_id"] or "", row["start"] or 0, row["id"])


def disagreement_row(props: dict[str, Any], parties: list[tuple[str, dict[str, Any]]],
                     cruxes: list[str], topics: list[tuple[str, str]] = ()) -> dict[str, Any]:
    """A disagreement with its two sides; ``parties`` are ``(side, claim row)`` pairs."""
    sides: dict[str, list[dict[str, Any]]] = {"a": [], "b": []}
    for side, row in sorted(parties, key=lambda p: p[1]["id"]):
        sides.setdefault(side, []).append(row)
    authors = {side: sorted({c["author_id"] for c in rows if c["author_id"]})
               for side, rows in sides.items()}
    return {"id": props["id"], "summary": props.get("summary", ""),
            "status": props.get("status", "open"), "confidence": props.get("confidence"),
            "sides": sides, "authors": authors, "cruxes": sorted(cruxes),
            "_topics": sorted(topics)}


def match_authors(authors: list[dict[str, Any]], who: str) -> set[str]:
    """Ids of authors matching an id or a display name (case-insensitive)."""
    key = who.casefold().strip()
    return {a["id"] for a in authors if a["id"] == who or (a.get("name") or "").casefold() == key}


def opposed(authors: dict[str, list[str]], a: set[str], b: set[str]) -> bool:
    """True when authors ``a`` and ``b`` stand on opposite sides."""
    sa, sb = set(authors.get("a", [])), set(authors.get("b", []))
    return bool((a & sa and b & sb) or (b & sa and a & sb))


def filter_disagreements(rows: list[dict[str, Any]], between: tuple[set[str], set[str]] | None,
                         author: set[str] | None, topic: str | None, status: str | None,
                         limit: int | None) -> list[dict[str, Any]]:
    """Apply the disagreement filters and the order, and drop internal keys."""
    if between is not None:
        rows = [r for r in rows if opposed(r["authors"], *between)]
    if author is not None:
        rows = [r for r in rows if author & set(sum(r["authors"].values(), []))]
    if topic:
        key = topic.casefold()
        rows = [r for r in rows if any(key in (tid, (label or "").casefold()) for tid, label in r["_topics"])]
    if status:
        rows = [r for r in rows if r["status"] == status]
    rows.sort(key=lambda r: (-(r["confidence"] or 0), r["id"]))
    for r in rows:
        r.pop("_topics", None)
    return rows[:limit] if limit else rows


def crux_camps(ds: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The two camps behind a crux's disagreements, so that no author is on both sides.

    Sides "a"/"b" are fixed per disagreement (who was attacked first), so a crux under
    "Ann vs Bo" and "Bo vs Cy" would put Bo on both sides if they were simply pooled. Each
    disagreement is turned to fit the camps built so far; an author whom the disagreements
    put on both sides anyway (a three-way quarrel) stays in the camp first seen.
    """
    camp: dict[str, str] = {}
    for d in ds:
        a, b = d["authors"].get("a", []), d["authors"].get("b", [])
        if any(camp.get(x) == "b" for x in a) or any(camp.get(x) == "a" for x in b):
            a, b = b, a
        for x in a:
            camp.setdefault(x, "a")
        for x in b:
            camp.setdefault(x, "b")
    return {side: sorted(x for x, s in camp.items() if s == side) for side in ("a", "b")}


def crux_rows(cruxes: list[tuple[dict[str, Any], list[str]]], dis: dict[str, dict[str, Any]],
              author: set[str] | None, between: tuple[set[str], set[str]] | None,
              limit: int | None) -> list[dict[str, Any]]:
    """Cruxes with the authors on each side of their disagreements, filtered and ranked."""
    rows = []
    for props, dids in cruxes:
        ds = [dis[d] for d in dict.fromkeys(dids) if d in dis]
        authors = crux_camps(ds)
        if author is not None and not author & set(authors["a"] + authors["b"]):
            continue
        if between is not None and not any(opposed(d["authors"], *between) for d in ds):
            continue
        rows.append({"id": props["id"], "text": props.get("text", ""), "score": props.get("score", 0.0),
                     "kind": props.get("kind", ""), "evidence": props.get("evidence"),
                     "disagreements": [d["id"] for d in ds], "authors": authors})
    rows.sort(key=lambda r: (-(r["score"] or 0), r["id"]))
    return rows[:limit] if limit else rows


def divergence_rows(weights: dict[tuple[str, str], dict[str, float]],
                    names: dict[str, str]) -> list[dict[str, Any]]:
    """Author pairs (ids sorted) with rounded weights, most divergent first."""
    rows = [{"a": a, "a_name": names[a], "b": b, "b_name": names[b],
             "disagree": round(w.get("disagree", 0.0), 4), "agree": round(w.get("agree", 0.0), 4),
             "disagreements": int(w.get("disagreements", 0))}
            for (a, b), w in weights.items() if a in names and b in names]
    return sorted(rows, key=lambda r: (-r["disagree"], -r["disagreements"], r["a"], r["b"]))


def bfs_order(start: str, hops: int, limit: int, neighbours: Callable[[list[str]], dict[str, set[str]]]) -> dict[str, int]:
    """Node ids within ``hops`` of ``start`` (at most ``limit``), the same walk for both stores."""
    seen = {start: 0}
    frontier = [start]
    for depth in range(1, hops + 1):
        around = neighbours(frontier)
        nxt = []
        for n in frontier:
            for m in sorted(around.get(n, ())):
                if m not in seen and len(seen) < limit:
                    seen[m] = depth
                    nxt.append(m)
        frontier = nxt
    return seen
