"""The graph store interface that both stores implement, and :func:`open_store`.

A store holds the property graph of :mod:`graph.schema` (nodes and relationships
as plain dicts) and answers the named queries the CLI, the app and the exporters
need. Two implementations pass the same test suite (``tests/store_contract.py``):

* :class:`graph.nx_store.NxStore` — the embedded default: a SQLite file on disk,
  NetworkX in memory, no server.
* :class:`graph.neo4j_store.Neo4jStore` — a Neo4j server (``bolt://`` / ``neo4j://``).

Every query returns plain data (lists of dicts with str/int/float/list values),
so results from the two stores compare equal.

Examples
--------
>>> from graph.store import open_store
>>> with open_store(":memory:") as store:
...     store.stats()["nodes"]
{}
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from typing import Any, Iterable, Iterator

from graph.errors import StoreUnavailable
from graph.schema import CruxMap, Node, Relationship, to_graph

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

    def upsert_batches(self, batches: Iterable[tuple[Iterable[Node], Iterable[Relationship]]]) -> dict[str, int]:
        """Write many ``(nodes, relationships)`` batches, streaming, as one write.

        The embedded store makes it one transaction; a server store may commit per
        batch. The default writes batch by batch through :meth:`upsert`.
        """
        total = {"nodes_written": 0, "relationships_written": 0, "unchanged": 0}
        for nodes, rels in batches:
            for k, v in self.upsert(nodes, rels).items():
                total[k] += v
        return total

    def upsert_map(self, m: CruxMap) -> dict[str, int]:
        """Write everything a :class:`CruxMap` holds (see :func:`graph.schema.to_graph`)."""
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

    Raises :class:`graph.errors.StoreUnavailable` with one clear line when it cannot.
    """
    db = resolve_db(db)
    if is_server_uri(db):
        try:
            from graph.neo4j_store import Neo4jStore
        except ImportError as e:  # the driver is a dependency, but say so plainly if it is missing
            raise StoreUnavailable(f"{db}: Neo4j support is not available ({e})") from None
        return Neo4jStore(db, read_only=read_only, **options)
    if "://" in db:
        raise StoreUnavailable(f"{db}: unknown database URI scheme (use a file path, bolt:// or neo4j://)")
    from graph.nx_store import NxStore
    return NxStore(db, read_only=read_only)
