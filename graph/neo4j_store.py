"""The Neo4j store: the same map on a Neo4j 5 server, for teams and whole-forum corpora.

One long-lived driver per process; managed transactions (``execute_read`` /
``execute_write``) retry transient errors; writes go in batches of ``UNWIND $rows …
MERGE`` with user data only in parameters (every statement is in :mod:`cruxmap.graph.cypher`).
The schema (uniqueness constraints, lookup indexes, a full-text index on claim and crux
text) is set up idempotently on first use.

Connection settings: the URI (``bolt://`` or ``neo4j://``, from ``--db`` or
``$CRUXMAP_DB``), ``$NEO4J_USER`` / ``$NEO4J_PASSWORD`` (or credentials in the URI:
``bolt://user:pass@host:7687``), ``$NEO4J_DATABASE``, ``$CRUXMAP_NEO4J_BATCH`` (rows per
batch, default 2000).
"""

from __future__ import annotations

import os
from collections import defaultdict
from datetime import datetime, timezone
from typing import Any, Callable, Iterable, Iterator
from urllib.parse import urlsplit, urlunsplit

from cruxmap.graph import cypher
from cruxmap.graph.errors import MissingEndpoint, ReadOnlyQuery, StoreError, StoreUnavailable
from cruxmap.graph.schema import (
    ABOUT, CRUX_OF, DERIVED_TYPES, PARTY_TO, Node, Relationship, Scope, stable_id,
)
from cruxmap.graph.store import (
    GraphStore, bfs_order, claim_order, claim_row, crux_rows, disagreement_row, divergence_rows,
    filter_disagreements, match_authors,
)

_DRIVERS: dict[tuple, Any] = {}  # one driver per (uri, user, database) per process


def _split_credentials(uri: str) -> tuple[str, str | None, str | None]:
    """``bolt://u:p@host`` → (``bolt://host``, u, p)."""
    parts = urlsplit(uri)
    if parts.username is None:
        return uri, None, None
    host = parts.hostname or ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), \
        parts.username, parts.password


class Neo4jStore(GraphStore):
    """A :class:`GraphStore` on a Neo4j 5 server."""

    def __init__(self, uri: str, read_only: bool = False, user: str | None = None,
                 password: str | None = None, database: str | None = None,
                 batch_size: int | None = None):
        import neo4j

        self._neo4j = neo4j
        try:
            self.uri, uri_user, uri_password = _split_credentials(uri)
        except ValueError as e:  # a port that is not a number, a bad IPv6 literal
            raise StoreUnavailable(f"{uri}: not a usable Neo4j URI ({e})") from None
        self.user = user or uri_user or os.environ.get("NEO4J_USER", "neo4j")
        password = password or uri_password or os.environ.get("NEO4J_PASSWORD", "")
        self.database = database or os.environ.get("NEO4J_DATABASE") or None
        self.read_only = read_only
        self._udfs: list[str] | None = None
        self.batch_size = batch_size or int(os.environ.get("CRUXMAP_NEO4J_BATCH", "2000"))
        key = (self.uri, self.user, password, self.database)
        try:
            if key not in _DRIVERS:
                auth = (self.user, password) if password else None
                driver = neo4j.GraphDatabase.driver(self.uri, auth=auth)
                driver.verify_connectivity()
                _DRIVERS[key] = driver
            self._driver = _DRIVERS[key]
            if not read_only:
                self._setup_schema()
        except neo4j.exceptions.AuthError:
            raise StoreUnavailable(f"{self.uri}: Neo4j refused the credentials of user {self.user!r} "
                                   "(set NEO4J_USER / NEO4J_PASSWORD)") from None
        except neo4j.exceptions.ServiceUnavailable as e:
            raise StoreUnavailable(f"{self.uri}: cannot reach a Neo4j server ({_first_line(e)})") from None
        except (neo4j.exceptions.ConfigurationError, ValueError) as e:
            raise StoreUnavailable(f"{uri}: not a usable Neo4j URI ({_first_line(e)})") from None
        except neo4j.exceptions.Neo4jError as e:
            raise StoreUnavailable(f"{self.uri}: {_first_line(e)}") from None

    # --- plumbing ------------------------------------------------------------------------
    def _session(self, read: bool = False):
        options: dict[str, Any] = {"database": self.database} if self.database else {}
        if read:
            options["default_access_mode"] = self._neo4j.READ_ACCESS
        return self._driver.session(**options)

    def _read(self, statement: str, /, **params: Any) -> list[Any]:
        return self._run("execute_read", lambda tx: list(tx.run(statement, params)), "query failed")

    def _write(self, work) -> Any:
        if self.read_only:
            raise StoreError(f"{self.uri}: store is open read-only")
        return self._run("execute_write", work, "write failed")

    def _run(self, mode: str, work, what: str) -> Any:
        """Run ``work`` in a managed transaction (retried on transient errors); map driver errors."""
        try:
            with self._session() as s:
                return getattr(s, mode)(work)
        except self._neo4j.exceptions.Neo4jError as e:
            raise StoreError(f"{self.uri}: {what}: {_first_line(e)}") from None
        except self._neo4j.exceptions.ServiceUnavailable as e:
            raise StoreUnavailable(f"{self.uri}: lost the Neo4j server ({_first_line(e)})") from None

    def _setup_schema(self) -> None:
        with self._session() as s:
            for statement in cypher.SCHEMA_STATEMENTS:
                s.run(statement).consume()

    def close(self) -> None:
        """The driver is shared per process and closed at exit; nothing to release per store."""

    @staticmethod
    def close_all() -> None:
        """Close every driver this process opened."""
        while _DRIVERS:
            _DRIVERS.popitem()[1].close()

    # --- writing ----------------------------------------------------------------------------
    def upsert(self, nodes: Iterable[Node], relationships: Iterable[Relationship]) -> dict[str, int]:
        """Write in batches of ``batch_size`` rows, one transaction per batch.

        Everything that can fail on the input (a relationship to a node that is neither
        written here nor in the store) is checked before the first write, so bad input
        writes nothing. A server failure between batches can leave part of the write;
        MERGE makes the re-run of the same ingest complete it without duplicates.
        """
        nodes, rels = list(nodes), list(relationships)
        self._check_endpoints(nodes, rels)
        counts = {"nodes_written": 0, "relationships_written": 0, "unchanged": 0}
        by_label: dict[str, list[dict]] = defaultdict(list)
        for n in nodes:
            by_label[n["label"]].append({"id": n["id"], "props": {**n["properties"], "id": n["id"]}})
        by_type: dict[str, list[dict]] = defaultdict(list)
        for r in rels:
            by_type[r["type"]].append({"start": r["start"], "end": r["end"],
                                       "props": {**r["properties"], "id": r["id"]}})
        jobs = [(cypher.for_label(cypher.UPSERT_NODES, label), rows, "nodes_written")
                for label, rows in sorted(by_label.items())]
        jobs += [(cypher.for_type(cypher.UPSERT_RELATIONSHIPS, rel_type), rows, "relationships_written")
                 for rel_type, rows in sorted(by_type.items())]
        for query, rows, key in jobs:
            for batch in _chunks(rows, self.batch_size):
                rec = self._write(lambda tx, q=query, b=batch: tx.run(q, rows=b).single())
                counts[key] += rec["written"]
                counts["unchanged"] += rec["seen"] - rec["written"]
        if counts["nodes_written"] or counts["relationships_written"]:
            self._write(lambda tx: tx.run(cypher.BUMP_REVISION).consume())
        return counts

    def upsert_batches(self, batches: Iterable[tuple[Iterable[Node], Iterable[Relationship]]],
                       replace: Scope | Callable[[], Scope] | None = None, load: str = "") -> dict[str, int]:
        """Write batch by batch (each batch is committed), as one **flagged** load.

        Neo4j commits per batch, so a load killed half-way leaves part of it. It is never
        mistaken for a map: before the first batch a ``CruxmapLoad`` marker is written (named by
        ``load``, e.g. the input files), and only after the last batch, and the replacement of
        what the scope derived before, is it removed. Until then :meth:`incomplete_loads` lists
        it (``cruxmap stats`` and the app say so); running the same load again completes it.
        """
        marker = stable_id("load", load or "unnamed")
        self._write(lambda tx: tx.run(cypher.BEGIN_LOAD, id=marker, load=load or "unnamed",
                                      started=datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")).consume())
        total = {"nodes_written": 0, "relationships_written": 0, "unchanged": 0, "deleted": 0, "tombstoned": 0}
        written: set[str] = set()
        for nodes, rels in batches:
            nodes, rels = list(nodes), list(rels)
            if replace is not None:
                written.update(n["id"] for n in nodes)
                written.update(r["id"] for r in rels)
            for k, v in self.upsert(nodes, rels).items():
                total[k] += v
        if replace is not None:
            self._replace(replace() if callable(replace) else replace, written, total)
            if total["deleted"] or total["tombstoned"]:
                self._write(lambda tx: tx.run(cypher.BUMP_REVISION).consume())
        self._write(lambda tx: tx.run(cypher.END_LOAD, id=marker).consume())
        return total

    def incomplete_loads(self) -> list[dict[str, Any]]:
        return [{"id": r["id"], "sources": r["load"], "started": r["started"]}
                for r in self._read(cypher.INCOMPLETE_LOADS)]

    def _replace(self, scope: Scope, written: set[str], counts: dict[str, int]) -> None:
        """The same replacement as the embedded store's (graph/schema.py, "ownership")."""
        items = set(scope.items)
        tombstones = []
        if scope.threads and not scope.keep_missing:
            for r in self._read(cypher.THREAD_ITEMS, threads=sorted(scope.threads)):
                if r["id"] in scope.items:
                    continue
                items.add(r["id"])
                if r["label"] == "Comment" and not r["deleted"]:
                    tombstones.append(r["id"])
        for batch in _chunks(tombstones, self.batch_size):
            self._write(lambda tx, b=batch: tx.run(cypher.TOMBSTONE, ids=b).consume())
        counts["tombstoned"] += len(tombstones)
        claims = {r["id"]: r["curated"] for r in self._read(cypher.CLAIMS_OF_ITEMS, items=sorted(items))}
        stale: dict[str, dict] = {}
        for r in self._read(cypher.RELS_AT, ids=sorted(items | set(claims)), types=list(DERIVED_TYPES)):
            if r["id"] not in written and not r["curated"]:
                stale[r["id"]] = dict(r)
        stale_claims = sorted(c for c, curated in claims.items() if c not in written and not curated)
        for r in self._read(cypher.RELS_AT, ids=stale_claims, types=None):
            stale[r["id"]] = dict(r)
        lost_party = {r["end"] for r in stale.values() if r["type"] == PARTY_TO}
        orphans = {r["end"] for r in stale.values() if r["type"] in (CRUX_OF, ABOUT)}
        self._delete(list(stale.values()), stale_claims, counts)
        curated = {r["id"] for r in self._read(cypher.NODES_CURATED, ids=sorted(lost_party | orphans))}
        gone = sorted(lost_party - curated)
        more = {r["id"]: dict(r) for r in self._read(cypher.RELS_AT, ids=gone, types=None)}
        orphans |= {r["start"] for r in more.values() if r["type"] == CRUX_OF}
        self._delete(list(more.values()), gone, counts)
        left = set(orphans) - set(gone) - curated
        busy = {r["id"] for r in self._read(cypher.HAS_EDGES, ids=sorted(left))}
        self._delete([], sorted(left - busy), counts)

    def _delete(self, rels: list[dict], node_ids: list[str], counts: dict[str, int]) -> None:
        for batch in _chunks([{k: r[k] for k in ("id", "start", "end")} for r in rels], self.batch_size):
            counts["deleted"] += self._write(lambda tx, b=batch: tx.run(cypher.DELETE_RELS, rows=b).single()["deleted"])
        for batch in _chunks(node_ids, self.batch_size):
            counts["deleted"] += self._write(lambda tx, b=batch: tx.run(cypher.DELETE_NODES, ids=b).single()["deleted"])

    def _check_endpoints(self, nodes: list[Node], rels: list[Relationship]) -> None:
        """Raise before writing when a relationship names a node that will not exist."""
        here = {n["id"] for n in nodes}
        wanted: dict[str, str] = {}
        for r in rels:
            for end in (r["start"], r["end"]):
                if end not in here:
                    wanted.setdefault(end, r["id"])
        ids = sorted(wanted)
        for batch in _chunks(ids, self.batch_size * 5):
            found = {r["id"] for r in self._read(cypher.EXISTING_IDS, ids=batch)}
            for nid in batch:
                if nid not in found:
                    raise MissingEndpoint(wanted[nid], nid)

    def clear(self) -> None:
        while self._write(lambda tx: tx.run(cypher.DELETE_BATCH, limit=10000).single()["deleted"]):
            pass
        self._write(lambda tx: tx.run(cypher.BUMP_REVISION).consume())

    # --- generic reads ----------------------------------------------------------------------
    @staticmethod
    def _as_node(n: Any) -> Node:
        labels = sorted(set(n.labels) - {cypher.BASE_LABEL})
        return {"id": n["id"], "label": labels[0] if labels else "", "properties": dict(n)}

    @staticmethod
    def _as_rel(rec: Any) -> Relationship:
        props = dict(rec["r"])
        rid = props.pop("id")
        return {"id": rid, "type": rec["type"], "start": rec["start"], "end": rec["end"], "properties": props}

    def node(self, id: str) -> Node | None:
        rows = self._read(cypher.NODE, id=id)
        return self._as_node(rows[0]["n"]) if rows else None

    def nodes(self, label: str | None = None) -> Iterator[Node]:
        skip, page = 0, 5000
        while True:  # paged, so a large map streams instead of sitting in memory
            rows = self._read(cypher.NODES, label=label, skip=skip, limit=page)
            yield from (self._as_node(r["n"]) for r in rows)
            if len(rows) < page:
                return
            skip += page

    def relationships(self, type: str | None = None) -> Iterator[Relationship]:
        skip, page = 0, 5000
        while True:
            rows = self._read(cypher.RELATIONSHIPS, type=type, skip=skip, limit=page)
            yield from (self._as_rel(r) for r in rows)
            if len(rows) < page:
                return
            skip += page

    def stats(self) -> dict[str, dict[str, int]]:
        return {"nodes": {r["label"]: r["n"] for r in self._read(cypher.NODE_COUNTS)},
                "relationships": {r["type"]: r["n"] for r in self._read(cypher.REL_COUNTS)}}

    def version(self) -> str:
        rows = self._read(cypher.REVISION)
        instance, revision = (rows[0]["instance"], rows[0]["revision"]) if rows else ("", 0)
        return f"{self.uri}/{self.database or 'default'}#{instance}@{revision}"

    def neighbourhood(self, id: str, hops: int = 1, limit: int = 300) -> tuple[list[Node], list[Relationship]]:
        if not self._read(cypher.NODE, id=id):
            return [], []

        def neighbours(ids: list[str]) -> dict[str, set[str]]:
            out: dict[str, set[str]] = defaultdict(set)
            for r in self._read(cypher.NEIGHBOURS, ids=ids):
                out[r["id"]].add(r["other"])
            return out
        seen = sorted(bfs_order(id, hops, limit, neighbours))
        nodes = [self._as_node(r["n"]) for r in self._read(cypher.NODES_BY_IDS, ids=seen)]
        rels = [self._as_rel(r) for r in self._read(cypher.RELATIONSHIPS_AMONG, ids=seen)]
        return nodes, rels

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Claims and cruxes whose text matches ``query`` (Lucene syntax), best first."""
        return [{"id": r["id"], "score": r["score"]} for r in self._read(cypher.SEARCH_TEXT, query=query, limit=limit)]

    # --- named queries --------------------------------------------------------------------
    def authors(self) -> list[dict[str, Any]]:
        rows = [dict(r) for r in self._read(cypher.AUTHORS)]
        return sorted(rows, key=lambda r: (r["name"].casefold(), r["id"]))

    def _author_ids(self, who: str) -> list[str]:
        return sorted(match_authors(self.authors(), who))

    def claims(self, author: str | None = None, text: str | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        authors = self._author_ids(author) if author is not None else None
        rows = [claim_row(r["claim"], r["author"], r["url"])
                for r in self._read(cypher.CLAIMS, authors=authors, text=text or None)]
        rows.sort(key=claim_order)
        return rows[:limit] if limit else rows

    def _disagreement_rows(self, status: str | None = None, ids: list[str] | None = None,
                           authors: list[str] | None = None) -> list[dict[str, Any]]:
        out = []
        for r in self._read(cypher.DISAGREEMENTS, status=status, ids=ids, authors=authors):
            parties = [(p["side"], claim_row(p["claim"], p["author"], p["url"])) for p in r["parties"]]
            out.append(disagreement_row(r["d"], parties, list(r["cruxes"]),
                                        [tuple(t) for t in r["topics"]]))
        return out

    def disagreements(self, between: tuple[str, str] | None = None, author: str | None = None,
                      topic: str | None = None, status: str | None = None,
                      limit: int | None = None) -> list[dict[str, Any]]:
        pair = (set(self._author_ids(between[0])), set(self._author_ids(between[1]))) if between else None
        who = set(self._author_ids(author)) if author else None
        narrow = sorted((pair[0] | pair[1]) if pair else who) if (pair or who is not None) else None
        rows = self._disagreement_rows(status=status, authors=narrow)
        return filter_disagreements(rows, pair, who, topic, status, limit)

    def cruxes(self, author: str | None = None, between: tuple[str, str] | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        cruxes = [(r["crux"], list(r["disagreements"])) for r in self._read(cypher.CRUXES)]
        ids = sorted({d for _, ds in cruxes for d in ds})
        dis = {d["id"]: d for d in self._disagreement_rows(ids=ids)} if ids else {}
        pair = (set(self._author_ids(between[0])), set(self._author_ids(between[1]))) if between else None
        who = set(self._author_ids(author)) if author else None
        return crux_rows(cruxes, dis, who, pair, limit)

    def divergence(self) -> list[dict[str, Any]]:
        weights: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for r in self._read(cypher.DIVERGENCE_EDGES):
            w = weights[(r["a"], r["b"])]
            w["disagree"] += r["disagree"]
            w["agree"] += r["agree"]
        for r in self._read(cypher.DIVERGENCE_DISAGREEMENTS):
            weights[(r["a"], r["b"])]["disagreements"] += r["disagreements"]
        names = {a["id"]: a["name"] for a in self.authors()}
        return divergence_rows(weights, names)

    def topics(self) -> list[dict[str, Any]]:
        rows = [dict(r) for r in self._read(cypher.TOPICS)]
        return sorted(rows, key=lambda r: (-r["claims"], r["label"], r["id"]))

    # --- raw Cypher -----------------------------------------------------------------------
    def cypher(self, query: str, params: dict[str, Any] | None = None, write: bool = False,
               limit: int = 1000) -> list[dict[str, Any]]:
        """Run a user's Cypher after the server's plan of it passed :mod:`cruxmap.graph.cypher_guard`.

        Read-only unless ``write``: the statement runs in a READ access-mode transaction, and
        ``LOAD CSV``, procedures outside the read allow-list, administration commands and
        user-defined functions are refused in every mode, before anything runs.
        """
        from cruxmap.graph import cypher_guard

        params = params or {}
        write = write and not self.read_only
        try:
            with self._session(read=not write) as s:
                summary = s.run("EXPLAIN " + query, params).consume()
                why = cypher_guard.refusal(summary.plan or {}, summary.query_type or "",
                                           allow_writes=write, user_functions=self._user_functions(s),
                                           text=query)
                if why:
                    raise ReadOnlyQuery(f"{self.uri}: {why}")

                def work(tx):
                    return [r.data() for r in tx.run(query, params).fetch(limit)]
                return s.execute_write(work) if write else s.execute_read(work)
        except self._neo4j.exceptions.ClientError as e:
            if "AccessMode" in (e.code or "") or "read access mode" in str(e).lower():
                raise ReadOnlyQuery(f"{self.uri}: this query writes; pass --write to allow it") from None
            raise StoreError(f"{self.uri}: {_first_line(e)}") from None

    def _user_functions(self, session) -> list[str]:
        """The server's user-defined functions (plugins), asked once per store."""
        if self._udfs is None:
            self._udfs = [r["name"] for r in session.run(cypher.USER_FUNCTIONS)]
        return self._udfs


def _chunks(rows: list[dict], size: int) -> Iterator[list[dict]]:
    for i in range(0, len(rows), size):
        yield rows[i:i + size]


def _first_line(e: BaseException) -> str:
    text = getattr(e, "message", None) or str(e) or type(e).__name__
    return text.strip().splitlines()[0] if text.strip() else type(e).__name__
