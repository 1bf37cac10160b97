"""The embedded store: a SQLite file on disk, a NetworkX graph in memory, no server.

SQLite gives what a store needs from a file: transactions (a crash mid-ingest leaves
the previous state), crash safety, and readers while a writer works (WAL mode), so
the app can read while the CLI ingests. The graph is loaded into a
``networkx.MultiDiGraph`` on first query and reloaded when another process has
written (a ``revision`` counter in the ``meta`` table tells).

Examples
--------
>>> from cruxmap.graph.schema import node, relationship, AUTHOR, POST, WROTE
>>> s = NxStore(":memory:")
>>> s.upsert([node("author:ann", AUTHOR, name="Ann"), node("p1", POST, text="Hi")],
...          [relationship(WROTE, "author:ann", "p1")])["nodes_written"]
2
>>> [a["name"] for a in s.authors()]
['Ann']
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import networkx as nx

from cruxmap.graph.errors import MissingEndpoint, StoreBusy, StoreCorrupt, StoreError, StoreUnavailable
from cruxmap.graph.schema import (
    ABOUT, ATTACKS, AUTHOR, CLAIM, COMMENT, CRUX, CRUX_OF, CURATED, DELETED, DERIVED_TYPES, DISAGREEMENT,
    PARTY_TO, POST, SCHEMA_VERSION, SUPPORTS, TOPIC, WROTE, Node, Relationship, Scope,
)
from cruxmap.graph.writelock import WriteLock
from cruxmap.graph.store import (
    GraphStore, bfs_order, claim_order, claim_row, crux_rows, disagreement_row, divergence_rows,
    filter_disagreements, match_authors,
)

_DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS nodes (id TEXT PRIMARY KEY, label TEXT NOT NULL, props TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rels (id TEXT PRIMARY KEY, type TEXT NOT NULL, start TEXT NOT NULL,
                                 "end" TEXT NOT NULL, props TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS nodes_label ON nodes(label);
CREATE INDEX IF NOT EXISTS rels_type ON rels(type);
"""
_MAGIC = "cruxmap"
# Look-ups of the write path's replacement (the items of a thread, the claims of an item, the
# edges at a node); created by the first replacing write, so older maps get them too.
_WRITE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS nodes_item_thread ON nodes(json_extract(props, '$.thread')) "
    "WHERE label IN ('Post', 'Comment')",
    "CREATE INDEX IF NOT EXISTS nodes_claim_source ON nodes(json_extract(props, '$.source_id')) "
    "WHERE label = 'Claim'",
    "CREATE INDEX IF NOT EXISTS rels_start ON rels(start)",
    'CREATE INDEX IF NOT EXISTS rels_end ON rels("end")',
)


def _chunks(ids: list[str] | tuple[str, ...], size: int = 400) -> Iterator[list[str]]:
    ids = list(ids)
    for i in range(0, len(ids), size):
        yield ids[i:i + size]


def _marks(ids) -> str:
    return ", ".join("?" * len(ids))


def _dumps(props: dict[str, Any]) -> str:
    return json.dumps(props, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class NxStore(GraphStore):
    """The embedded store over the SQLite file at ``path`` (``":memory:"`` for tests)."""

    def __init__(self, path: str | Path = ":memory:", read_only: bool = False, wait: float = 60.0,
                 on_wait: Callable[[str], None] | None = None):
        self.path = str(path)
        self.read_only = read_only
        # one writer at a time (graph/writelock.py); ``wait``: seconds a second writer waits
        self._write_lock = WriteLock(self.path, wait, on_wait) if self.path != ":memory:" else nullcontext()
        self._conn = self._connect()
        self._graph: nx.MultiDiGraph | None = None
        self._graph_revision = -1

    # --- connection ------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        path = self.path
        if path != ":memory:":
            p = Path(path)
            if p.is_dir():
                raise StoreUnavailable(f"{path}: is a directory, expected a database file")
            if self.read_only and not p.exists():
                raise StoreUnavailable(f"{path}: no such database (ingest something first)")
            if not p.parent.exists():
                raise StoreUnavailable(f"{path}: folder {p.parent} does not exist")
        try:
            if self.read_only and path != ":memory:":
                conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30,
                                       isolation_level=None, check_same_thread=False)
            else:
                conn = sqlite3.connect(path, timeout=30, isolation_level=None,
                                       check_same_thread=False)
            self._check_or_init(conn)
        except sqlite3.DatabaseError as e:
            raise StoreCorrupt(f"{path}: not a cruxmap database ({e})") from None
        return conn

    def _check_or_init(self, conn: sqlite3.Connection) -> None:
        tables = self._tables(conn)
        if tables and "meta" not in tables:
            raise StoreCorrupt(f"{self.path}: a SQLite file, but not a cruxmap database")
        if not tables or not self._initialised(conn):
            # A new map: created under the write lock, in one transaction, so a process opening
            # it at the same moment waits for a whole map instead of reading half of one.
            with self._write_lock:
                if self._initialised(conn):
                    pass
                elif self.read_only:
                    raise StoreCorrupt(f"{self.path}: empty file, not a cruxmap database")
                else:
                    if self.path != ":memory:":
                        conn.execute("PRAGMA journal_mode=WAL")
                    conn.executescript("BEGIN IMMEDIATE;" + _DDL + "INSERT OR IGNORE INTO meta VALUES "
                                       f"('format', '{_MAGIC}'), ('schema_version', '{SCHEMA_VERSION}'), "
                                       "('revision', '0');COMMIT;")
        meta = dict(conn.execute("SELECT key, value FROM meta"))
        if meta.get("format") != _MAGIC:
            raise StoreCorrupt(f"{self.path}: a SQLite file, but not a cruxmap database")
        if int(meta.get("schema_version", "0")) > SCHEMA_VERSION:
            raise StoreCorrupt(f"{self.path}: written by a newer cruxmap (schema "
                               f"{meta['schema_version']}); upgrade cruxmap")

    @staticmethod
    def _tables(conn: sqlite3.Connection) -> set[str]:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}

    def _initialised(self, conn: sqlite3.Connection) -> bool:
        """The map's tables and its ``format`` row are there (another process may be creating them)."""
        if "meta" not in self._tables(conn):
            return False
        return conn.execute("SELECT 1 FROM meta WHERE key = 'format'").fetchone() is not None

    def close(self) -> None:
        self._conn.close()

    # --- writing -------------------------------------------------------------------
    def upsert(self, nodes: Iterable[Node], relationships: Iterable[Relationship]) -> dict[str, int]:
        return self.upsert_batches([(nodes, relationships)])

    def upsert_batches(self, batches: Iterable[tuple[Iterable[Node], Iterable[Relationship]]],
                       replace: Scope | Callable[[], Scope] | None = None, load: str = "") -> dict[str, int]:
        """All batches in one SQLite transaction: a crash or an error leaves the old state.

        ``replace``: the :class:`~cruxmap.graph.schema.Scope` whose derived records this write
        replaces (or a function giving it once the batches are consumed: a streamed file's
        scope is known at its end); see the ownership notes in :mod:`cruxmap.graph.schema`.
        ``load`` names the load for a server store's incomplete-load flag; one transaction here
        needs none.
        """
        if self.read_only:
            raise StoreError(f"{self.path}: store is open read-only")
        with self._write_lock:
            return self._upsert_batches(batches, replace)

    def _upsert_batches(self, batches: Iterable[tuple[Iterable[Node], Iterable[Relationship]]],
                        replace: Scope | Callable[[], Scope] | None = None) -> dict[str, int]:
        counts = {"nodes_written": 0, "relationships_written": 0, "unchanged": 0, "deleted": 0,
                  "tombstoned": 0}
        cur = self._conn.cursor()
        self._begin(cur)
        try:
            if replace is not None:  # every id this write produces, so the sweep keeps it
                cur.execute("CREATE TEMP TABLE IF NOT EXISTS written (id TEXT PRIMARY KEY)")
                cur.execute("DELETE FROM written")
            pending: dict[str, str] = {}  # endpoints not yet in the store -> a relationship naming them
            for nodes, relationships in batches:
                ids = []
                for n in nodes:
                    self._write_row(cur, "nodes", (n["id"], n["label"], _dumps(n["properties"])),
                                    counts, "nodes_written")
                    ids.append((n["id"],))
                endpoints: dict[str, str] = {}
                for r in relationships:
                    self._write_row(cur, "rels", (r["id"], r["type"], r["start"], r["end"],
                                                  _dumps(r["properties"])),
                                    counts, "relationships_written")
                    endpoints.setdefault(r["start"], r["id"])
                    endpoints.setdefault(r["end"], r["id"])
                    ids.append((r["id"],))
                if replace is not None:
                    cur.executemany("INSERT OR IGNORE INTO written VALUES (?)", ids)
                # checked per batch, so memory stays bounded on a huge ingest; a node that a later
                # batch brings is looked for again at the end
                pending.update(self._missing(cur, {**pending, **endpoints}))
            missing = self._missing(cur, pending)
            if missing:
                nid, rid = next(iter(missing.items()))
                raise MissingEndpoint(rid, nid)
            if replace is not None:
                self._replace(cur, replace() if callable(replace) else replace, counts)
            if any(counts[k] for k in ("nodes_written", "relationships_written", "deleted", "tombstoned")):
                cur.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise
        return counts

    # --- replacing what a scope derived (graph/schema.py, "ownership") -----------------
    def _replace(self, cur: sqlite3.Cursor, scope: Scope, counts: dict[str, int]) -> None:
        for statement in _WRITE_INDEXES:
            cur.execute(statement)
        items = set(scope.items)
        for chunk in _chunks(sorted(scope.threads)):
            stored = cur.execute(
                "SELECT id, label, props FROM nodes WHERE label IN ('Post', 'Comment') AND "
                f"json_extract(props, '$.thread') IN ({_marks(chunk)})", chunk).fetchall()
            for nid, label, props in stored:
                if nid in scope.items:
                    continue
                if scope.keep_missing:
                    continue  # kept as it is, with its claims: outside the scope
                items.add(nid)
                p = json.loads(props)
                if label == COMMENT and not p.get(DELETED):  # a tombstone: replies still hang from it
                    p[DELETED] = True
                    cur.execute("UPDATE nodes SET props = ? WHERE id = ?", (_dumps(p), nid))
                    counts["tombstoned"] += 1
        claims: set[str] = set()
        for chunk in _chunks(sorted(items)):
            claims.update(r[0] for r in cur.execute(
                "SELECT id FROM nodes WHERE label = 'Claim' AND "
                f"json_extract(props, '$.source_id') IN ({_marks(chunk)})", chunk))
        touched = sorted(items | claims)
        stale_rels: dict[str, tuple[str, str, str]] = {}
        for chunk in _chunks(touched):
            for end in ("start", '"end"'):
                for rid, typ, a, b, props in cur.execute(
                        f'SELECT id, type, start, "end", props FROM rels WHERE {end} IN ({_marks(chunk)}) '
                        f"AND type IN ({_marks(DERIVED_TYPES)}) AND id NOT IN (SELECT id FROM written)",
                        chunk + list(DERIVED_TYPES)):
                    if not json.loads(props).get(CURATED):
                        stale_rels[rid] = (typ, a, b)
        stale_claims = [c for c in sorted(claims) if not self._kept(cur, c)]
        for chunk in _chunks(stale_claims):  # a stale claim's edges go with it, derived or curated
            for rid, typ, a, b in cur.execute(
                    f'SELECT id, type, start, "end" FROM rels WHERE start IN ({_marks(chunk)}) '
                    f'OR "end" IN ({_marks(chunk)})', chunk + chunk):
                stale_rels[rid] = (typ, a, b)
        lost_party = {b for typ, _, b in stale_rels.values() if typ == PARTY_TO}
        orphans = {b for typ, _, b in stale_rels.values() if typ in (CRUX_OF, ABOUT)}
        self._delete_rels(cur, stale_rels, counts)
        self._delete_nodes(cur, stale_claims, counts)
        # a disagreement is its set of parties: one party fewer and it is another disagreement
        gone = [d for d in sorted(lost_party) if not self._kept(cur, d, check_written=False)]
        more = {rid: (typ, a, b) for chunk in _chunks(gone) for rid, typ, a, b in cur.execute(
            f'SELECT id, type, start, "end" FROM rels WHERE start IN ({_marks(chunk)}) '
            f'OR "end" IN ({_marks(chunk)})', chunk + chunk)}
        orphans |= {a for typ, a, _ in more.values() if typ == CRUX_OF}
        self._delete_rels(cur, more, counts)
        self._delete_nodes(cur, gone, counts)
        left = [n for n in sorted(orphans - set(gone))
                if not cur.execute('SELECT 1 FROM rels WHERE start = ? OR "end" = ? LIMIT 1', (n, n)).fetchone()
                and not self._kept(cur, n, check_written=False)]
        self._delete_nodes(cur, left, counts)

    @staticmethod
    def _kept(cur: sqlite3.Cursor, nid: str, check_written: bool = True) -> bool:
        """Written by this write, or curated by a person: a replacement leaves it."""
        if check_written and cur.execute("SELECT 1 FROM written WHERE id = ?", (nid,)).fetchone():
            return True
        row = cur.execute("SELECT props FROM nodes WHERE id = ?", (nid,)).fetchone()
        return row is None or bool(json.loads(row[0]).get(CURATED))

    @staticmethod
    def _delete_rels(cur: sqlite3.Cursor, rels: dict[str, tuple], counts: dict[str, int]) -> None:
        for chunk in _chunks(sorted(rels)):
            counts["deleted"] += cur.execute(f"DELETE FROM rels WHERE id IN ({_marks(chunk)})", chunk).rowcount

    @staticmethod
    def _delete_nodes(cur: sqlite3.Cursor, ids: list[str], counts: dict[str, int]) -> None:
        for chunk in _chunks(ids):
            counts["deleted"] += cur.execute(f"DELETE FROM nodes WHERE id IN ({_marks(chunk)})", chunk).rowcount

    @staticmethod
    def _missing(cur: sqlite3.Cursor, endpoints: dict[str, str]) -> dict[str, str]:
        return {nid: rid for nid, rid in endpoints.items()
                if not cur.execute("SELECT 1 FROM nodes WHERE id = ?", (nid,)).fetchone()}

    @staticmethod
    def _write_row(cur: sqlite3.Cursor, table: str, row: tuple, counts: dict[str, int], key: str) -> None:
        old = cur.execute(f"SELECT * FROM {table} WHERE id = ?", (row[0],)).fetchone()
        if old == row:
            counts["unchanged"] += 1
            return
        marks = ", ".join("?" * len(row))
        cur.execute(f"INSERT OR REPLACE INTO {table} VALUES ({marks})", row)
        counts[key] += 1

    def _begin(self, cur: sqlite3.Cursor) -> None:
        """BEGIN IMMEDIATE; a writer that ignores the lock file (an older cruxmap) is one clear line."""
        try:
            cur.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            if "locked" in str(e) or "busy" in str(e):
                raise StoreBusy(f"{self.path}: another process is writing to it ({e})") from None
            raise

    def clear(self) -> None:
        with self._write_lock:
            cur = self._conn.cursor()
            self._begin(cur)
            cur.execute("DELETE FROM rels")
            cur.execute("DELETE FROM nodes")
            cur.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
            cur.execute("COMMIT")

    # --- the in-memory graph ------------------------------------------------------------
    def version(self) -> str:
        rev = self._conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]
        return f"{self.path}@{rev}"

    def graph(self) -> nx.MultiDiGraph:
        """The whole map as a NetworkX graph (node attrs: ``label`` + properties; edge key: rel id)."""
        rev = int(self._conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0])
        if self._graph is None or rev != self._graph_revision:
            g = nx.MultiDiGraph()
            with self._conn:  # one consistent snapshot while another process writes
                for nid, label, props in self._conn.execute("SELECT id, label, props FROM nodes"):
                    g.add_node(nid, label=label, props=json.loads(props))
                for rid, typ, s, e, props in self._conn.execute(
                        'SELECT id, type, start, "end", props FROM rels'):
                    g.add_edge(s, e, key=rid, type=typ, props=json.loads(props))
            self._graph, self._graph_revision = g, rev
        return self._graph

    # --- reading: generic ----------------------------------------------------------------
    def node(self, id: str) -> Node | None:
        row = self._conn.execute("SELECT id, label, props FROM nodes WHERE id = ?", (id,)).fetchone()
        return {"id": row[0], "label": row[1], "properties": json.loads(row[2])} if row else None

    def nodes(self, label: str | None = None) -> Iterator[Node]:
        q, args = "SELECT id, label, props FROM nodes", ()
        if label:
            q, args = q + " WHERE label = ?", (label,)
        for nid, lab, props in self._conn.execute(q + " ORDER BY id", args):
            yield {"id": nid, "label": lab, "properties": json.loads(props)}

    def relationships(self, type: str | None = None) -> Iterator[Relationship]:
        q, args = 'SELECT id, type, start, "end", props FROM rels', ()
        if type:
            q, args = q + " WHERE type = ?", (type,)
        for rid, typ, s, e, props in self._conn.execute(q + " ORDER BY id", args):
            yield {"id": rid, "type": typ, "start": s, "end": e, "properties": json.loads(props)}

    def stats(self) -> dict[str, dict[str, int]]:
        return {
            "nodes": dict(self._conn.execute(
                "SELECT label, COUNT(*) FROM nodes GROUP BY label ORDER BY label")),
            "relationships": dict(self._conn.execute(
                "SELECT type, COUNT(*) FROM rels GROUP BY type ORDER BY type")),
        }

    def neighbourhood(self, id: str, hops: int = 1, limit: int = 300) -> tuple[list[Node], list[Relationship]]:
        g = self.graph()
        if id not in g:
            return [], []
        seen = bfs_order(id, hops, limit, lambda ids: {
            n: set(g.successors(n)) | set(g.predecessors(n)) for n in ids})
        nodes = [self._node(g, n) for n in sorted(seen)]
        rels = [self._rel(s, e, k, d) for s, e, k, d in g.edges(keys=True, data=True)
                if s in seen and e in seen]
        return nodes, sorted(rels, key=lambda r: r["id"])

    @staticmethod
    def _node(g: nx.MultiDiGraph, n: str) -> Node:
        return {"id": n, "label": g.nodes[n]["label"], "properties": dict(g.nodes[n]["props"])}

    @staticmethod
    def _rel(s: str, e: str, key: str, d: dict[str, Any]) -> Relationship:
        return {"id": key, "type": d["type"], "start": s, "end": e, "properties": dict(d["props"])}

    # --- helpers for the named queries ---------------------------------------------------
    def _ids(self, g: nx.MultiDiGraph, label: str) -> list[str]:
        return sorted(n for n, d in g.nodes(data=True) if d["label"] == label)

    def _in(self, g: nx.MultiDiGraph, n: str, typ: str) -> list[tuple[str, dict[str, Any]]]:
        return [(s, d["props"]) for s, _, d in g.in_edges(n, data=True) if d["type"] == typ]

    def _out(self, g: nx.MultiDiGraph, n: str, typ: str) -> list[tuple[str, dict[str, Any]]]:
        return [(e, d["props"]) for _, e, d in g.out_edges(n, data=True) if d["type"] == typ]

    def _author_ids(self, who: str) -> set[str]:
        return match_authors(self.authors(), who)

    def _claim_row(self, g: nx.MultiDiGraph, cid: str) -> dict[str, Any]:
        p = g.nodes[cid]["props"]
        aid, src = p.get("author_id"), p.get("source_id")
        return claim_row(p, g.nodes[aid]["props"].get("name") if aid in g else None,
                         g.nodes[src]["props"].get("url") if src in g else None)

    def _disagreement_row(self, g: nx.MultiDiGraph, did: str) -> dict[str, Any]:
        parties = [(rp.get("side", "a"), self._claim_row(g, cid)) for cid, rp in self._in(g, did, PARTY_TO)]
        topics = {(t, g.nodes[t]["props"].get("label", "")) for _, c in parties
                  for t, _ in self._out(g, c["id"], ABOUT)}
        return disagreement_row(g.nodes[did]["props"], parties,
                                [x for x, _ in self._in(g, did, CRUX_OF)], sorted(topics))

    # --- reading: the named queries ------------------------------------------------------
    def authors(self) -> list[dict[str, Any]]:
        g = self.graph()
        claims_by: dict[str, int] = defaultdict(int)
        for n in self._ids(g, CLAIM):
            claims_by[g.nodes[n]["props"].get("author_id")] += 1
        rows = []
        for a in self._ids(g, AUTHOR):
            wrote = [g.nodes[e]["label"] for e, _ in self._out(g, a, WROTE)]
            rows.append({"id": a, "name": g.nodes[a]["props"].get("name", ""),
                         "posts": wrote.count(POST), "comments": wrote.count(COMMENT),
                         "claims": claims_by.get(a, 0)})
        return sorted(rows, key=lambda r: (r["name"].casefold(), r["id"]))

    def claims(self, author: str | None = None, text: str | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        g = self.graph()
        ids = self._ids(g, CLAIM)
        if author is not None:
            who = self._author_ids(author)
            ids = [c for c in ids if g.nodes[c]["props"].get("author_id") in who]
        if text:
            key = text.lower()
            ids = [c for c in ids if key in g.nodes[c]["props"].get("text", "").lower()]
        rows = sorted((self._claim_row(g, c) for c in ids), key=claim_order)
        return rows[:limit] if limit else rows

    def disagreements(self, between: tuple[str, str] | None = None, author: str | None = None,
                      topic: str | None = None, status: str | None = None,
                      limit: int | None = None) -> list[dict[str, Any]]:
        g = self.graph()
        rows = [self._disagreement_row(g, d) for d in self._ids(g, DISAGREEMENT)]
        pair = (self._author_ids(between[0]), self._author_ids(between[1])) if between else None
        who = self._author_ids(author) if author else None
        return filter_disagreements(rows, pair, who, topic, status, limit)

    def cruxes(self, author: str | None = None, between: tuple[str, str] | None = None,
               limit: int | None = None) -> list[dict[str, Any]]:
        g = self.graph()
        dis = {d: self._disagreement_row(g, d) for d in self._ids(g, DISAGREEMENT)}
        cruxes = [(g.nodes[x]["props"], [d for d, _ in self._out(g, x, CRUX_OF)])
                  for x in self._ids(g, CRUX)]
        pair = (self._author_ids(between[0]), self._author_ids(between[1])) if between else None
        who = self._author_ids(author) if author else None
        return crux_rows(cruxes, dis, who, pair, limit)

    def divergence(self) -> list[dict[str, Any]]:
        g = self.graph()
        weights: dict[tuple[str, str], dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for s, e, d in g.edges(data=True):
            if d["type"] not in (ATTACKS, SUPPORTS):
                continue
            a, b = g.nodes[s]["props"].get("author_id"), g.nodes[e]["props"].get("author_id")
            if a and b and a != b:
                kind = "disagree" if d["type"] == ATTACKS else "agree"
                weights[tuple(sorted((a, b)))][kind] += float(d["props"].get("confidence", 1.0))
        for did in self._ids(g, DISAGREEMENT):
            sides = self._disagreement_row(g, did)["authors"]
            for a in sides.get("a", []):
                for b in sides.get("b", []):
                    if a != b:
                        weights[tuple(sorted((a, b)))]["disagreements"] += 1
        names = {a: g.nodes[a]["props"].get("name", "") for a in self._ids(g, AUTHOR)}
        return divergence_rows(weights, names)

    def topics(self) -> list[dict[str, Any]]:
        g = self.graph()
        rows = [{"id": t, "label": g.nodes[t]["props"].get("label", ""),
                 "claims": len(self._in(g, t, ABOUT))} for t in self._ids(g, TOPIC)]
        return sorted(rows, key=lambda r: (-r["claims"], r["label"], r["id"]))
