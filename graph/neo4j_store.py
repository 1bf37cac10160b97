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
from cruxmap.graph.schema import ABOUT, CRUX_OF, DERIVED_TYPES, PARTY_TO, Node, Relationship, Scope, stable_id
from cruxmap.graph.store import GraphStore, bfs_order, claim_row, disagreement_row

_DRIVERS: dict[tuple, Any] = {}  # one driver per (uri, user, database) per process
_PAGE = 5000  # rows per page when a read streams a whole label or type
_ID_BATCH = 5000  # ids per statement when a read looks many up


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
        """Constraints and indexes, once per database: the meta node records which schema is set up,
        so opening a store that has it costs one read instead of a schema transaction per index."""
        with self._session() as s:
            rows = s.run(cypher.SCHEMA_DONE).data()
            if rows and rows[0]["schema"] == cypher.SCHEMA_REVISION:
                return
            for statement in cypher.SCHEMA_STATEMENTS:
                s.run(statement).consume()
            s.run("CALL db.awaitIndexes(300)").consume()
            s.run(cypher.SCHEMA_MARK, schema=cypher.SCHEMA_REVISION).consume()

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

    def nodes(self, label: str | None = None, *, ids: Iterable[str] | None = None,
              where: dict[str, Any] | None = None, contains: dict[str, str] | None = None) -> Iterator[Node]:
        """The most selective filter runs on the server (ids, then ``where``, ``contains``, label);
        the others are checked here, on the rows that come back."""
        where = {k: list(v) if isinstance(v, (list, tuple, set, frozenset)) else [v]
                 for k, v in (where or {}).items()}
        contains = {k: v.casefold() for k, v in (contains or {}).items()}
        if ids is not None:
            rows = (self._as_node(r["n"]) for batch in _chunks(sorted(set(ids)), _ID_BATCH)
                    for r in self._read(cypher.NODES_BY_IDS, ids=batch))
        elif label and where:
            key = next(iter(where))
            rows = (self._as_node(r["n"]) for r in self._read(
                cypher.for_property(cypher.NODES_WHERE, label, key), values=where[key]))
        elif label and contains:
            key = next(iter(contains))
            rows = (self._as_node(r["n"]) for r in self._read(
                cypher.for_property(cypher.NODES_CONTAINING, label, key), phrase=contains[key]))
        else:
            rows = self._pages(cypher.for_label(cypher.NODES_OF_LABEL_PAGE, label) if label else cypher.NODES_PAGE,
                               lambda r: self._as_node(r["n"]), lambda n: n["id"])
        for n in rows:
            p = n["properties"]
            if label and n["label"] != label:
                continue
            if all(p.get(k) in vs for k, vs in where.items()) and \
                    all(phrase in str(p.get(k) or "").casefold() for k, phrase in contains.items()):
                yield n

    def _pages(self, statement: str, convert, last_key, **params: Any) -> Iterator[Any]:
        """Every row of a keyset-paged statement (``$after``, ``$limit``), a page at a time."""
        after = ""
        while True:
            rows = self._read(statement, after=after, limit=_PAGE, **params)
            out = [convert(r) for r in rows]
            yield from out
            if len(rows) < _PAGE:
                return
            after = last_key(out[-1])

    def relationships(self, type: str | None = None, *, start: Iterable[str] | None = None,
                      end: Iterable[str] | None = None) -> Iterator[Relationship]:
        if start is None and end is None:
            yield from self._pages(cypher.RELATIONSHIPS_PAGE, self._as_rel, lambda r: r["id"], type=type)
            return
        statement, ids = (cypher.RELATIONSHIPS_FROM, start) if start is not None else (cypher.RELATIONSHIPS_TO, end)
        other = set(end) if start is not None and end is not None else None
        found = [self._as_rel(r) for batch in _chunks(sorted(set(ids)), _ID_BATCH)
                 for r in self._read(statement, ids=batch, type=type)]
        yield from sorted((r for r in found if other is None or r["end"] in other), key=lambda r: r["id"])

    def relationship_counts(self, type: str, by: str = "end", limit: int | None = None) -> list[tuple[str, int]]:
        template = {"end": cypher.RELATIONSHIP_COUNTS_BY_END, "start": cypher.RELATIONSHIP_COUNTS_BY_START}[by]
        return [(r["id"], r["n"]) for r in self._read(cypher.for_type(template, type), limit=limit or cypher.NO_LIMIT)]

    def property_counts(self, label: str, key: str) -> dict[Any, int]:
        return {r["value"]: r["n"] for r in self._read(cypher.for_property(cypher.PROPERTY_COUNTS, label, key))}

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

        def neighbours(ids: list[str], cap: int) -> dict[str, list[str]]:
            return {r["id"]: sorted(r["others"]) for r in self._read(cypher.NEIGHBOURS, ids=ids, cap=cap)}
        seen = sorted(bfs_order(id, hops, limit, neighbours))
        nodes = [self._as_node(r["n"]) for r in self._read(cypher.NODES_BY_IDS, ids=seen)]
        rels = [self._as_rel(r) for r in self._read(cypher.RELATIONSHIPS_AMONG, ids=seen)]
        return nodes, rels

    def search(self, query: str, limit: int = 20) -> list[dict[str, Any]]:
        """Claims and cruxes whose text matches ``query`` (Lucene syntax), best first."""
        return [{"id": r["id"], "score": r["score"]} for r in self._read(cypher.SEARCH_TEXT, query=query, limit=limit)]

    # --- primitives of the named queries (see GraphStore) --------------------------------
    def author_names(self, ids: Iterable[str] | None = None) -> dict[str, str]:
        if ids is None:
            return {r["id"]: r["name"] for r in self._read(cypher.AUTHOR_NAMES)}
        return {r["id"]: r["name"] for batch in _chunks(sorted(set(ids)), _ID_BATCH)
                for r in self._read(cypher.AUTHOR_NAMES_OF, ids=batch)}

    def _author_rows(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._read(cypher.AUTHORS)]

    def _claim_rows(self, ids: list[str] | None, authors: list[str] | None, text: str | None,
                    limit: int | None) -> list[dict[str, Any]]:
        params = {"text": text, "limit": limit or cypher.NO_LIMIT}
        if ids is not None:
            statement, params["ids"] = cypher.CLAIMS_OF_IDS, ids
            if authors is not None:  # both: the ids, then the authors among them
                statement = cypher.CLAIMS_OF_IDS.replace("WHERE c.id IN $ids", "WHERE c.id IN $ids AND "
                                                         "c.author_id IN $authors")
                params["authors"] = authors
        elif authors is not None:
            statement, params["authors"] = cypher.CLAIMS_BY_AUTHORS, authors
        else:
            statement = cypher.CLAIMS_ALL
        return [claim_row(r["claim"], r["author"], r["url"]) for r in self._read(statement, **params)]

    def _ranked_disagreements(self, status: str | None, limit: int | None) -> list[str]:
        return [r["id"] for r in self._read(cypher.RANKED_DISAGREEMENTS, status=status,
                                            limit=limit or cypher.NO_LIMIT)]

    def _disagreements_touching(self, authors: list[str] | None = None,
                                topics: list[str] | None = None) -> set[str]:
        out: set[str] = set()
        if authors:
            out |= {r["id"] for r in self._read(cypher.DISAGREEMENTS_OF_AUTHORS, authors=authors)}
        if topics:
            out |= {r["id"] for r in self._read(cypher.DISAGREEMENTS_OF_TOPICS, topics=topics)}
        return out

    def _disagreement_rows(self, ids: list[str]) -> list[dict[str, Any]]:
        out = []
        for batch in _chunks(ids, _ID_BATCH):
            for r in self._read(cypher.DISAGREEMENT_ROWS, ids=batch):
                parties = [(p["side"], claim_row(p["claim"], p["author"], p["url"])) for p in r["parties"]]
                out.append(disagreement_row(r["d"], parties, list(r["cruxes"]), [tuple(t) for t in r["topics"]]))
        return out

    def _crux_records(self, ids: list[str] | None, limit: int | None) -> list[tuple[dict[str, Any], list[str]]]:
        if ids is None:
            rows = self._read(cypher.CRUXES_ALL, limit=limit or cypher.NO_LIMIT)
        else:
            rows = [r for batch in _chunks(ids, _ID_BATCH)
                    for r in self._read(cypher.CRUXES_OF_IDS, ids=batch, limit=limit or cypher.NO_LIMIT)]
            rows.sort(key=lambda r: (-(r["crux"].get("score") or 0), r["crux"]["id"]))
        return [(r["crux"], sorted(r["disagreements"])) for r in rows]

    def _cruxes_of(self, disagreements: list[str]) -> set[str]:
        return {r["id"] for batch in _chunks(disagreements, _ID_BATCH)
                for r in self._read(cypher.CRUXES_OF_DISAGREEMENTS, ids=batch)}

    def _divergence_sums(self, authors: list[str] | None, limit: int | None, rank: str) -> list[dict[str, Any]]:
        return [dict(r) for r in self._read(cypher.divergence(authors is not None, rank), authors=authors,
                                            limit=limit or cypher.NO_LIMIT)]

    def _topic_rows(self, limit: int | None) -> list[dict[str, Any]]:
        return [dict(r) for r in self._read(cypher.TOPICS, limit=limit or cypher.NO_LIMIT)]

    def disagreement_statuses(self) -> dict[str, int]:
        return {r["status"]: r["n"] for r in self._read(cypher.DISAGREEMENT_STATUSES)}

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
