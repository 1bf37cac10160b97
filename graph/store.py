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
from cruxmap.graph.schema import TOPIC, CruxMap, Node, Relationship, Scope, to_graph

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

    The named queries are written once, here, over a few primitives (the ``_``-prefixed
    abstract methods) that each store answers where the data is: indexed SQL on the
    embedded store, parameterised Cypher with ``ORDER BY`` / ``LIMIT`` on Neo4j. Filters
    narrow the candidates in the store (by author, topic or id), ranking and ``limit`` run
    there when nothing is left to filter in Python, and only the rows asked for come back.
    Both stores therefore give the same answers by construction.
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
    def nodes(self, label: str | None = None, *, ids: Iterable[str] | None = None,
              where: dict[str, Any] | None = None, contains: dict[str, str] | None = None) -> Iterator[Node]:
        """Nodes ordered by id: all, or those of one ``label``, with one of ``ids``, whose
        properties match ``where`` (``{property: value or [values]}``) and whose text
        properties contain ``contains`` (``{property: phrase}``, case-insensitive).

        Examples
        --------
        >>> from cruxmap.graph.nx_store import NxStore
        >>> from cruxmap.graph.schema import node, CLAIM
        >>> s = NxStore(":memory:")
        >>> _ = s.upsert([node("c1", CLAIM, text="Cats purr.", source_id="p"),
        ...               node("c2", CLAIM, text="Dogs bark.", source_id="q")], [])
        >>> [n["id"] for n in s.nodes(CLAIM, where={"source_id": ["p", "x"]})]
        ['c1']
        >>> [n["id"] for n in s.nodes(contains={"text": "BARK"})]
        ['c2']
        """

    @abstractmethod
    def relationships(self, type: str | None = None, *, start: Iterable[str] | None = None,
                      end: Iterable[str] | None = None) -> Iterator[Relationship]:
        """Relationships ordered by id: all, of one ``type``, and/or from one of the ``start``
        ids and/or to one of the ``end`` ids."""

    @abstractmethod
    def relationship_counts(self, type: str, by: str = "end", limit: int | None = None) -> list[tuple[str, int]]:
        """The nodes with most relationships of ``type`` (counted at their ``end`` or ``start``):
        ``(id, count)``, most first, then by id; the first ``limit``."""

    @abstractmethod
    def property_counts(self, label: str, key: str) -> dict[Any, int]:
        """How many nodes of ``label`` have each value of property ``key`` (missing: ``None``).

        Examples
        --------
        >>> from cruxmap.graph.nx_store import NxStore
        >>> from cruxmap.graph.schema import node, COMMENT
        >>> s = NxStore(":memory:")
        >>> _ = s.upsert([node("c1", COMMENT, post_id="p"), node("c2", COMMENT, post_id="p")], [])
        >>> s.property_counts(COMMENT, "post_id")
        {'p': 2}
        """

    @abstractmethod
    def neighbourhood(self, id: str, hops: int = 1, limit: int = 300) -> tuple[list[Node], list[Relationship]]:
        """Nodes within ``hops`` of ``id`` (either direction) and the relationships among them."""

    @abstractmethod
    def stats(self) -> dict[str, dict[str, int]]:
        """``{"nodes": {label: count}, "relationships": {type: count}}`` (zero counts omitted)."""

    @abstractmethod
    def version(self) -> str:
        """A token that changes whenever the content changes (the app caches on it)."""

    # --- primitives the named queries are built on (each store answers them where the data is)
    @abstractmethod
    def author_names(self, ids: Iterable[str] | None = None) -> dict[str, str]:
        """Author id -> display name, for every author or for the given ids (unknown ids left out)."""

    @abstractmethod
    def _author_rows(self) -> list[dict[str, Any]]:
        """Every author row (see :meth:`authors`), in any order."""

    @abstractmethod
    def _claim_rows(self, ids: list[str] | None, authors: list[str] | None, text: str | None,
                    limit: int | None) -> list[dict[str, Any]]:
        """Claim rows (of ``ids``, by ``authors``, whose lower-cased text contains ``text``),
        in :func:`claim_order`, the first ``limit``."""

    @abstractmethod
    def _ranked_disagreements(self, status: str | None, limit: int | None) -> list[str]:
        """Ids of disagreements (of one ``status``, missing = open) by confidence (highest first), then id."""

    @abstractmethod
    def _disagreements_touching(self, authors: list[str] | None = None,
                                topics: list[str] | None = None) -> set[str]:
        """Ids of disagreements that a claim by one of ``authors`` / about one of ``topics`` is party to."""

    @abstractmethod
    def _disagreement_rows(self, ids: list[str]) -> list[dict[str, Any]]:
        """Disagreement rows (see :func:`disagreement_row`) of those ``ids`` that are disagreements."""

    @abstractmethod
    def _crux_records(self, ids: list[str] | None, limit: int | None) -> list[tuple[dict[str, Any], list[str]]]:
        """``(properties, sorted disagreement ids)`` of cruxes (all or ``ids``), by score (highest
        first) then id, the first ``limit``."""

    @abstractmethod
    def _cruxes_of(self, disagreements: list[str]) -> set[str]:
        """Ids of the cruxes of these disagreements."""

    @abstractmethod
    def _divergence_sums(self, authors: list[str] | None, limit: int | None,
                         rank: str) -> list[dict[str, Any]]:
        """Author pairs with their raw weights ``{a, a_name, b, b_name, disagree, agree,
        disagreements}``: the pairs among ``authors`` (or all), in ``rank`` order (see
        :meth:`divergence`), the first ``limit``; only pairs of two existing authors."""

    @abstractmethod
    def _topic_rows(self, limit: int | None) -> list[dict[str, Any]]:
        """Topic rows ``{id, label, claims}`` by claims (most first), label, id; the first ``limit``."""

    @abstractmethod
    def disagreement_statuses(self) -> dict[str, int]:
        """How many disagreements have each status (missing status counts as ``open``)."""

    # --- reading: the named queries ------------------------------------------
    def authors(self) -> list[dict[str, Any]]:
        """Every author with counts of posts, comments and claims, by name."""
        return sorted(self._author_rows(), key=lambda r: (r["name"].casefold(), r["id"]))

    def _author_ids(self, who: str) -> set[str]:
        """Ids of the authors ``who`` names (an id, or a display name in any case)."""
        key = who.casefold().strip()
        return {a for a, name in self.author_names().items() if a == who or (name or "").casefold() == key}

    def claims(self, author: str | None = None, text: str | None = None,
               limit: int | None = None, ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Claims, optionally of one author (id or name), containing ``text``, or of the given ``ids``."""
        who = sorted(self._author_ids(author)) if author is not None else None
        wanted = sorted(set(ids)) if ids is not None else None
        if who == [] or wanted == []:
            return []
        rows = self._claim_rows(wanted, who, text.lower() if text else None, limit or None)
        return sorted(rows, key=claim_order)

    def disagreements(self, between: tuple[str, str] | None = None, author: str | None = None,
                      topic: str | None = None, status: str | None = None,
                      limit: int | None = None, ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Disagreements, optionally between two authors, of one author, about a topic (id or
        label), of a status, or of the given ``ids``; most confident first."""
        pair = (self._author_ids(between[0]), self._author_ids(between[1])) if between else None
        who = self._author_ids(author) if author else None
        candidates = self._disagreement_candidates(pair, who, topic)
        if ids is not None:
            candidates = set(ids) if candidates is None else candidates & set(ids)
        if candidates is None:  # nothing to filter in Python: the store ranks and cuts
            rows = self._disagreement_rows(self._ranked_disagreements(status, limit or None))
        else:
            rows = self._disagreement_rows(sorted(candidates)) if candidates else []
        return filter_disagreements(rows, pair, who, topic, status, limit)

    def _disagreement_candidates(self, pair: tuple[set[str], set[str]] | None, who: set[str] | None,
                                 topic: str | None) -> set[str] | None:
        """The disagreements the author/topic filters can keep (None: no such filter)."""
        out: set[str] | None = None

        def narrow(ids: set[str]) -> None:
            nonlocal out
            out = ids if out is None else out & ids
        if pair is not None:
            narrow(self._disagreements_touching(authors=sorted(pair[0])) if pair[0] else set())
            narrow(self._disagreements_touching(authors=sorted(pair[1])) if pair[1] and out else set())
        if who is not None:
            narrow(self._disagreements_touching(authors=sorted(who)) if who and out != set() else set())
        if topic:
            key = topic.casefold()
            tids = sorted(t for t, label in self._topic_labels().items()
                          if key in (t, (label or "").casefold()))
            narrow(self._disagreements_touching(topics=tids) if tids and out != set() else set())
        return out

    def _topic_labels(self) -> dict[str, str]:
        return {n["id"]: n["properties"].get("label", "") for n in self.nodes(TOPIC)}

    def cruxes(self, author: str | None = None, between: tuple[str, str] | None = None,
               limit: int | None = None, ids: Iterable[str] | None = None) -> list[dict[str, Any]]:
        """Cruxes ranked by score (highest first), optionally of one author, between two, or of ``ids``."""
        pair = (self._author_ids(between[0]), self._author_ids(between[1])) if between else None
        who = self._author_ids(author) if author else None
        candidates = None
        if pair is not None or who is not None:
            dis = self._disagreement_candidates(pair, who, None)
            candidates = self._cruxes_of(sorted(dis)) if dis else set()
        if ids is not None:
            candidates = set(ids) if candidates is None else candidates & set(ids)
        if candidates is None:
            records = self._crux_records(None, limit or None)
        else:
            records = self._crux_records(sorted(candidates), None) if candidates else []
        dids = sorted({d for _, ds in records for d in ds})
        dis_rows = {d["id"]: d for d in self._disagreement_rows(dids)} if dids else {}
        return crux_rows(records, dis_rows, who, pair, limit)

    def divergence(self, limit: int | None = None, authors: Iterable[str] | None = None,
                   rank: str = "weight") -> list[dict[str, Any]]:
        """Author pairs with their disagreement and agreement weights, most divergent first.

        ``rank="weight"`` orders by disagreement weight, then number of disagreements, then
        ids; ``rank="count"`` by number of disagreements, then weight, then names. ``authors``
        keeps the pairs among those author ids; ``limit`` the first rows.
        """
        if rank not in DIVERGENCE_RANKS:
            raise ValueError(f"rank must be one of {DIVERGENCE_RANKS}, not {rank!r}")
        among = sorted(set(authors)) if authors is not None else None
        if among is not None and len(among) < 2:
            return []
        rows = divergence_rows(self._divergence_sums(among, limit or None, rank), rank)
        return rows[:limit] if limit else rows

    def topics(self, limit: int | None = None) -> list[dict[str, Any]]:
        """Topics with their claim counts: ``{id, label, claims}``, most claims first."""
        rows = sorted(self._topic_rows(limit or None), key=lambda r: (-r["claims"], r["label"], r["id"]))
        return rows[:limit] if limit else rows

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


#: The orders :meth:`GraphStore.divergence` can rank pairs by.
DIVERGENCE_RANKS = ("weight", "count")


def divergence_rows(sums: Iterable[dict[str, Any]], rank: str = "weight") -> list[dict[str, Any]]:
    """Author pairs (ids sorted) with rounded weights, in ``rank`` order (see :meth:`GraphStore.divergence`)."""
    rows = [{"a": r["a"], "a_name": r["a_name"] or "", "b": r["b"], "b_name": r["b_name"] or "",
             "disagree": round(float(r["disagree"] or 0.0), 4), "agree": round(float(r["agree"] or 0.0), 4),
             "disagreements": int(r["disagreements"] or 0)} for r in sums]
    if rank == "count":
        return sorted(rows, key=lambda r: (-r["disagreements"], -r["disagree"], r["a_name"], r["b_name"],
                                           r["a"], r["b"]))
    return sorted(rows, key=lambda r: (-r["disagree"], -r["disagreements"], r["a"], r["b"]))


def bfs_order(start: str, hops: int, limit: int,
              neighbours: Callable[[list[str], int], dict[str, list[str]]]) -> dict[str, int]:
    """Node ids within ``hops`` of ``start`` (at most ``limit``), the same walk for both stores.

    ``neighbours(ids, cap)`` gives each id's neighbours in id order, the first ``cap`` of them:
    that is enough, since a node whose first ``limit`` neighbours are all seen already finds
    the walk full.
    """
    seen = {start: 0}
    frontier = [start]
    for depth in range(1, hops + 1):
        if len(seen) >= limit or not frontier:
            break
        around = neighbours(frontier, limit)
        nxt = []
        for n in frontier:
            for m in around.get(n, ()):
                if m not in seen and len(seen) < limit:
                    seen[m] = depth
                    nxt.append(m)
        frontier = nxt
    return seen
