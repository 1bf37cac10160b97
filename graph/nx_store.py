"""The embedded store: a SQLite file on disk, queried where the data is; no server.

SQLite gives what a store needs from a file: transactions (a crash mid-ingest leaves
the previous state), crash safety, and readers while a writer works (WAL mode), so
the app can read while the CLI ingests. Every named query is indexed SQL that returns
only the rows asked for: relationships are indexed by both ends, claims by author and by
source and position, comments by post, disagreements and cruxes by rank (indexes on the
JSON properties, see :data:`_INDEXES`), so a lookup costs the same on a map of a thousand
comments or of a million. NetworkX holds what an analysis asks for: :meth:`NxStore.subgraph`
(a thread, a pair, a neighbourhood) or, explicitly, :meth:`NxStore.graph` (the whole map).

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

import contextlib
import json
import os
import re
import sqlite3
from collections import defaultdict
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import networkx as nx

from cruxmap.graph.errors import MissingEndpoint, StoreBusy, StoreCorrupt, StoreError, StoreUnavailable
from cruxmap.graph.schema import (
    ABOUT, AUTHOR, CLAIM, COMMENT, CRUX_OF, CURATED, DELETED, DERIVED_TYPES, PARTY_TO, POST,
    SCHEMA_VERSION, Node, Relationship, Scope,
)
from cruxmap.graph.writelock import WriteLock
from cruxmap.graph.store import GraphStore, bfs_order, claim_row, disagreement_row

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

# Upserts that update in place (rowid and triggers see an UPDATE) and only when something differs.
_UPSERT_NODE = """
INSERT INTO nodes (id, label, props) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE
SET label = excluded.label, props = excluded.props
WHERE nodes.label IS NOT excluded.label OR nodes.props IS NOT excluded.props
"""
_UPSERT_REL = """
INSERT INTO rels (id, type, start, "end", props) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE
SET type = excluded.type, start = excluded.start, "end" = excluded."end", props = excluded.props
WHERE rels.type IS NOT excluded.type OR rels.start IS NOT excluded.start OR rels."end" IS NOT excluded."end"
   OR rels.props IS NOT excluded.props
"""


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
            conn.create_function("cm_lower", 1, _lower, deterministic=True)
            conn.create_function("cm_casefold", 1, _casefold, deterministic=True)
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
        self._derived = _has_derived(conn)
        if not self._derived and not self.read_only:
            _add_derived(conn)
            self._derived = True
        elif not self._derived and self.path != ":memory:" and os.access(self.path, os.W_OK):
            # a map written by an older cruxmap: its indexes and pair sums are added once, even
            # by a reader (they are not the map), when the file can be written
            with contextlib.closing(sqlite3.connect(self.path, timeout=30, isolation_level=None)) as upgrade:
                if not _has_derived(upgrade):
                    _add_derived(upgrade)
            self._derived = _has_derived(conn)

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
            stale = not _pairs_fresh(cur)
            if replace is not None:  # every id this write produces, so the sweep keeps it
                cur.execute("CREATE TEMP TABLE IF NOT EXISTS written (id TEXT PRIMARY KEY)")
                cur.execute("DELETE FROM written")
            pending: dict[str, str] = {}  # endpoints not yet in the store -> a relationship naming them
            for nodes, relationships in batches:
                node_rows = [(n["id"], n["label"], _dumps(n["properties"])) for n in nodes]
                self._write_rows(cur, _UPSERT_NODE, node_rows, counts, "nodes_written")
                endpoints: dict[str, str] = {}
                rel_rows = []
                for r in relationships:
                    rel_rows.append((r["id"], r["type"], r["start"], r["end"], _dumps(r["properties"])))
                    endpoints.setdefault(r["start"], r["id"])
                    endpoints.setdefault(r["end"], r["id"])
                self._write_rows(cur, _UPSERT_REL, rel_rows, counts, "relationships_written")
                if replace is not None:
                    cur.executemany("INSERT OR IGNORE INTO written VALUES (?)",
                                    [(row[0],) for row in node_rows] + [(row[0],) for row in rel_rows])
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
            if stale or any(counts[k] for k in ("nodes_written", "relationships_written", "deleted",
                                                "tombstoned")):
                _refresh_pairs(cur, stale)  # derived sums, in the same transaction as the map
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
        """The endpoints that are not nodes of the store (one indexed query per batch)."""
        if not endpoints:
            return {}
        absent = cur.execute(f"SELECT value FROM json_each(?) WHERE value NOT IN (SELECT id FROM nodes)",
                             (_json_list(endpoints),)).fetchall()
        return {nid: endpoints[nid] for (nid,) in absent}

    @staticmethod
    def _write_rows(cur: sqlite3.Cursor, upsert: str, rows: list[tuple], counts: dict[str, int], key: str) -> None:
        """Insert or update ``rows`` in one ``executemany``; a row equal to the stored one is left alone
        (the upsert's WHERE), so ``rowcount`` is what changed."""
        if not rows:
            return
        cur.executemany(upsert, rows)
        counts[key] += cur.rowcount
        counts["unchanged"] += len(rows) - cur.rowcount

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
            _refresh_pairs(cur, stale=True)
            cur.execute("COMMIT")

    # --- the graph, for analyses that want NetworkX --------------------------------------------
    def version(self) -> str:
        rev = self._conn.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]
        return f"{self.path}@{rev}"

    def subgraph(self, ids: Iterable[str]) -> nx.MultiDiGraph:
        """The nodes ``ids`` and the relationships among them as a NetworkX graph.

        Node attributes are ``label`` and ``props``; an edge's key is its relationship id and
        its attributes ``type`` and ``props``. This is how an analysis gets a thread, a pair or a
        neighbourhood into NetworkX without loading the map.
        """
        nodes = list(self.nodes(ids=ids))
        g = nx.MultiDiGraph()
        for n in nodes:
            g.add_node(n["id"], label=n["label"], props=n["properties"])
        have = [n["id"] for n in nodes]
        for r in self._select_rels(None, have, have):
            g.add_edge(r["start"], r["end"], key=r["id"], type=r["type"], props=r["properties"])
        return g

    def graph(self) -> nx.MultiDiGraph:
        """The whole map as a NetworkX graph (see :meth:`subgraph`); loads every row, so it is
        meant for exports and experiments on maps that fit in memory, never for a lookup."""
        g = nx.MultiDiGraph()
        with self._conn:  # one consistent snapshot while another process writes
            for nid, label, props in self._conn.execute("SELECT id, label, props FROM nodes ORDER BY id"):
                g.add_node(nid, label=label, props=json.loads(props))
            for rid, typ, s, e, props in self._conn.execute(
                    'SELECT id, type, start, "end", props FROM rels ORDER BY id'):
                g.add_edge(s, e, key=rid, type=typ, props=json.loads(props))
        return g

    # --- reading: generic ----------------------------------------------------------------
    def node(self, id: str) -> Node | None:
        row = self._conn.execute("SELECT id, label, props FROM nodes WHERE id = ?", (id,)).fetchone()
        return {"id": row[0], "label": row[1], "properties": json.loads(row[2])} if row else None

    def nodes(self, label: str | None = None, *, ids: Iterable[str] | None = None,
              where: dict[str, Any] | None = None, contains: dict[str, str] | None = None) -> Iterator[Node]:
        terms, args = [], []
        if label:
            terms.append("label = ?")
            args.append(label)
        if ids is not None:
            terms.append(f"id IN {_EACH}")
            args.append(_json_list(ids))
        for key, value in (where or {}).items():
            values = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
            terms.append(f"{_prop(key)} IN {_EACH}")
            args.append(_json_list(values))
        for key, phrase in (contains or {}).items():
            terms.append(f"instr(cm_casefold(coalesce({_prop(key)}, '')), ?) > 0")
            args.append(phrase.casefold())
        q = "SELECT id, label, props FROM nodes" + (" WHERE " + " AND ".join(terms) if terms else "")
        for nid, lab, props in self._conn.execute(q + " ORDER BY id", args):
            yield {"id": nid, "label": lab, "properties": json.loads(props)}

    def relationships(self, type: str | None = None, *, start: Iterable[str] | None = None,
                      end: Iterable[str] | None = None) -> Iterator[Relationship]:
        yield from self._select_rels(type, start, end)

    def _select_rels(self, type: str | None, start: Iterable[str] | None,
                     end: Iterable[str] | None) -> Iterator[Relationship]:
        terms, args = [], []
        if type:
            terms.append("type = ?")
            args.append(type)
        if start is not None:
            terms.append(f"start IN {_EACH}")
            args.append(_json_list(start))
        if end is not None:
            terms.append(f'"end" IN {_EACH}')
            args.append(_json_list(end))
        q = 'SELECT id, type, start, "end", props FROM rels' + (" WHERE " + " AND ".join(terms) if terms else "")
        for rid, typ, s, e, props in self._conn.execute(q + " ORDER BY id", args):
            yield {"id": rid, "type": typ, "start": s, "end": e, "properties": json.loads(props)}

    def relationship_counts(self, type: str, by: str = "end", limit: int | None = None) -> list[tuple[str, int]]:
        end = {"end": '"end"', "start": "start"}[by]
        q = f"SELECT {end}, COUNT(*) AS n FROM rels WHERE type = ? GROUP BY {end} ORDER BY n DESC, {end}"
        return [tuple(r) for r in self._conn.execute(q + (" LIMIT ?" if limit else ""),
                                                       (type, limit) if limit else (type,))]

    def property_counts(self, label: str, key: str) -> dict[Any, int]:
        return dict(self._conn.execute(
            f"SELECT {_prop(key)}, COUNT(*) FROM nodes WHERE label = ? GROUP BY 1", (label,)))

    def stats(self) -> dict[str, dict[str, int]]:
        return {
            "nodes": dict(self._conn.execute(
                "SELECT label, COUNT(*) FROM nodes GROUP BY label ORDER BY label")),
            "relationships": dict(self._conn.execute(
                "SELECT type, COUNT(*) FROM rels GROUP BY type ORDER BY type")),
        }

    def neighbourhood(self, id: str, hops: int = 1, limit: int = 300) -> tuple[list[Node], list[Relationship]]:
        if self.node(id) is None:
            return [], []
        seen = sorted(bfs_order(id, hops, limit, self._neighbours))
        return list(self.nodes(ids=seen)), list(self._select_rels(None, seen, seen))

    def _neighbours(self, ids: list[str], cap: int) -> dict[str, list[str]]:
        """Each node's neighbours (either direction) in id order, the first ``cap`` of each."""
        out: dict[str, list[str]] = defaultdict(list)
        for n, m in self._conn.execute(_NEIGHBOURS, (_json_list(ids), _json_list(ids), cap)):
            out[n].append(m)
        return out

    # --- primitives of the named queries ----------------------------------------------------
    def author_names(self, ids: Iterable[str] | None = None) -> dict[str, str]:
        q, args = f"SELECT id, {_prop('name')} FROM nodes WHERE label = ?", [AUTHOR]
        if ids is not None:
            q, args = q + f" AND id IN {_EACH}", args + [_json_list(ids)]
        return {a: name or "" for a, name in self._conn.execute(q, args)}

    def _author_rows(self) -> list[dict[str, Any]]:
        """Three passes over indexes (names, WROTE by author, claims by author), merged here:
        one SQL statement with a subquery per author costs a scan per author."""
        rows = {a: {"id": a, "name": name, "posts": 0, "comments": 0, "claims": 0}
                for a, name in self.author_names().items()}
        for a, label, n in self._conn.execute(_WROTE_COUNTS):
            if a in rows and label in (POST, COMMENT):
                rows[a]["posts" if label == POST else "comments"] += n
        for a, n in self.property_counts(CLAIM, "author_id").items():
            if a in rows:
                rows[a]["claims"] = n
        return list(rows.values())

    def _claim_rows(self, ids: list[str] | None, authors: list[str] | None, text: str | None,
                    limit: int | None) -> list[dict[str, Any]]:
        terms, args = ["c.label = 'Claim'"], []
        if ids is not None:
            terms.append(f"c.id IN {_EACH}")
            args.append(_json_list(ids))
        if authors is not None:
            terms.append(f"{_prop('author_id', 'c')} IN {_EACH}")
            args.append(_json_list(authors))
        if text:
            terms.append(f"instr(cm_lower(coalesce({_prop('text', 'c')}, '')), ?) > 0")
            args.append(text)
        q = _CLAIMS + " WHERE " + " AND ".join(terms) + f" ORDER BY {_CLAIM_ORDER}"
        if limit:
            q, args = q + " LIMIT ?", args + [limit]
        return [claim_row(json.loads(props), author, url) for props, author, url in self._conn.execute(q, args)]

    def _ranked_disagreements(self, status: str | None, limit: int | None) -> list[str]:
        q, args = "SELECT id FROM nodes WHERE label = 'Disagreement'", []
        if status:
            q, args = q + f" AND coalesce({_prop('status')}, 'open') = ?", [status]
        q += f" ORDER BY {_RANK_DISAGREEMENT}"
        if limit:
            q, args = q + " LIMIT ?", args + [limit]
        return [r[0] for r in self._conn.execute(q, args)]

    def _disagreements_touching(self, authors: list[str] | None = None,
                                topics: list[str] | None = None) -> set[str]:
        out: set[str] = set()
        if authors:
            out |= {r[0] for r in self._conn.execute(_TOUCHING_AUTHORS, (_json_list(authors),))}
        if topics:
            out |= {r[0] for r in self._conn.execute(_TOUCHING_TOPICS, (_json_list(topics),))}
        return out

    def _disagreement_rows(self, ids: list[str]) -> list[dict[str, Any]]:
        each = _json_list(ids)
        parties: dict[str, list] = defaultdict(list)
        for d, side, props, author, url in self._conn.execute(_PARTIES, (each,)):
            parties[d].append((side, claim_row(json.loads(props), author, url)))
        cruxes: dict[str, list[str]] = defaultdict(list)
        for d, x in self._conn.execute(_CRUXES_OF, (each,)):
            cruxes[d].append(x)
        topics: dict[str, list] = defaultdict(list)
        for d, t, label in self._conn.execute(_TOPICS_OF, (each,)):
            topics[d].append((t, label or ""))
        return [disagreement_row(json.loads(props), parties[d], cruxes[d], topics[d])
                for d, props in self._conn.execute(
                    f"SELECT id, props FROM nodes WHERE label = 'Disagreement' AND id IN {_EACH}", (each,))]

    def _crux_records(self, ids: list[str] | None, limit: int | None) -> list[tuple[dict[str, Any], list[str]]]:
        q, args = "SELECT id, props FROM nodes WHERE label = 'Crux'", []
        if ids is not None:
            q, args = q + f" AND id IN {_EACH}", [_json_list(ids)]
        q += f" ORDER BY {_RANK_CRUX}"
        if limit:
            q, args = q + " LIMIT ?", args + [limit]
        found = [(x, json.loads(props)) for x, props in self._conn.execute(q, args)]
        dids: dict[str, list[str]] = defaultdict(list)
        for x, d in self._conn.execute(f"SELECT start, \"end\" FROM rels WHERE type = 'CRUX_OF' AND start IN "
                                       f"{_EACH} ORDER BY \"end\"", (_json_list(x for x, _ in found),)):
            dids[x].append(d)
        return [(props, dids[x]) for x, props in found]

    def _cruxes_of(self, disagreements: list[str]) -> set[str]:
        return {r[0] for r in self._conn.execute(
            f"SELECT start FROM rels WHERE type = 'CRUX_OF' AND \"end\" IN {_EACH}", (_json_list(disagreements),))}

    def _divergence_sums(self, authors: list[str] | None, limit: int | None, rank: str) -> list[dict[str, Any]]:
        args: list[Any] = []
        if self._derived and _pairs_fresh(self._conn):
            q = f"SELECT {_PAIR_COLUMNS} FROM pairs"
            if authors is not None:
                q, args = q + f" WHERE a IN {_EACH} AND b IN {_EACH}", [_json_list(authors)] * 2
        elif authors is None:
            q = f"SELECT * FROM ({_pair_sums('all')})"
        else:
            q, args = f"SELECT * FROM ({_pair_sums('among', _EACH)})", [_json_list(authors)] * 3
        q += f" ORDER BY {_PAIR_ORDER[rank]}"
        if limit:
            q, args = q + " LIMIT ?", args + [limit]
        keys = ("a", "a_name", "b", "b_name", "disagree", "agree", "disagreements")
        return [dict(zip(keys, r)) for r in self._conn.execute(self._sql(q), args)]

    def _sql(self, q: str) -> str:
        """``q`` as this file can run it: without index hints when it lacks the indexes."""
        return q if self._derived else _HINT.sub("", q)

    def _topic_rows(self, limit: int | None) -> list[dict[str, Any]]:
        q, args = _TOPICS, []
        if limit:
            q, args = q + " LIMIT ?", [limit]
        return [{"id": t, "label": label or "", "claims": n} for t, label, n in self._conn.execute(q, args)]

    def disagreement_statuses(self) -> dict[str, int]:
        return dict(self._conn.execute(
            f"SELECT coalesce({_prop('status')}, 'open'), COUNT(*) FROM nodes "
            "WHERE label = 'Disagreement' GROUP BY 1 ORDER BY 1"))


def _has_derived(conn: sqlite3.Connection) -> bool:
    """Whether the file has the query indexes and the pair sums of this version."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'table', 'trigger')")}
    return _DERIVED_NAMES <= names


def _add_derived(conn: sqlite3.Connection) -> None:
    """Add the query indexes, the planner's statistics and the pair sums (one transaction)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for statement in _split_sql(_INDEXES + _PAIR_TABLES):
            conn.execute(statement)
        conn.execute("INSERT OR IGNORE INTO meta VALUES ('pairs_revision', '-1')")
        conn.execute("ANALYZE sqlite_schema")  # creates sqlite_stat1, which the statements below fill
        conn.execute(f"DELETE FROM sqlite_stat1 WHERE idx IN (SELECT value FROM json_each(?))",
                     (_json_list(idx for _, idx, _ in _PLANNER_STATS),))
        conn.executemany("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES (?, ?, ?)", _PLANNER_STATS)
        conn.execute("ANALYZE sqlite_schema")  # load them now: the first sums below need the plans they give
        _refresh_pairs(conn.cursor(), stale=True)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("ANALYZE sqlite_schema")  # reload the statistics in this connection


def _split_sql(script: str) -> list[str]:
    """The statements of a DDL script (triggers keep their ``BEGIN ... END;`` bodies)."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        text = "\n".join(buf).strip()
        if text.endswith(";") and (not text.upper().startswith("CREATE TRIGGER") or text.upper().endswith("END;")):
            out.append(text)
            buf = []
    return out


def _pairs_fresh(conn: sqlite3.Connection) -> bool:
    """Whether the table ``pairs`` holds the sums of the map as it is now."""
    return bool(conn.execute(
        "SELECT (SELECT value FROM meta WHERE key = 'pairs_revision') = (SELECT value FROM meta WHERE key = 'revision')"
        " AND NOT EXISTS (SELECT 1 FROM pairs_dirty)").fetchone()[0])


def _refresh_pairs(cur: sqlite3.Cursor, stale: bool) -> None:
    """Bring ``pairs`` up to the map, inside the writer's transaction: the pairs of the authors the
    triggers marked, or, when the table was stale before this write or many authors changed,
    every pair."""
    dirty = cur.execute("SELECT COUNT(DISTINCT author) FROM pairs_dirty").fetchone()[0]
    if stale or dirty > _REBUILD_PAIRS_AT:
        cur.execute("DELETE FROM pairs")
        cur.execute(f"INSERT INTO pairs ({_PAIR_COLUMNS}) {_pair_sums('all')}")
    elif dirty:
        cur.execute(f"DELETE FROM pairs WHERE a IN {_DIRTY} OR b IN {_DIRTY}")
        cur.execute(f"INSERT INTO pairs ({_PAIR_COLUMNS}) {_pair_sums('involving', _DIRTY)}")
    cur.execute("DELETE FROM pairs_dirty")
    cur.execute("UPDATE meta SET value = (SELECT value FROM meta WHERE key = 'revision') WHERE key = 'pairs_revision'")


_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_HINT = re.compile(r"INDEXED BY \w+")


def _prop(key: str, table: str = "") -> str:
    """The SQL expression of property ``key`` (spelled as the indexes spell it, so they apply)."""
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a property name: {key!r}")
    return f"json_extract({table + '.' if table else ''}props, '$.{key}')"


def _json_list(values: Iterable[str]) -> str:
    """A list of ids as one JSON parameter, read back with ``json_each`` (no limit on its length)."""
    return json.dumps(list(values), ensure_ascii=False)


def _lower(text: Any) -> Any:
    """Python's ``str.lower`` for SQL, so a text search folds case exactly as Python does."""
    return text.lower() if isinstance(text, str) else text


def _casefold(text: Any) -> Any:
    """Python's ``str.casefold`` for SQL (see :func:`_lower`)."""
    return text.casefold() if isinstance(text, str) else text


#: ``x IN (ids given as one JSON list parameter)``.
_EACH = "(SELECT value FROM json_each(?))"

#: Indexes behind the named queries. Property expressions are spelled exactly as the
#: queries spell them (:func:`_prop`), and partial indexes name the label they hold.
_INDEXES = f"""
CREATE INDEX IF NOT EXISTS rels_start ON rels(start, type);
CREATE INDEX IF NOT EXISTS rels_end ON rels("end", type);
CREATE INDEX IF NOT EXISTS claim_author ON nodes({_prop('author_id')}) WHERE label = 'Claim';
CREATE INDEX IF NOT EXISTS claim_order ON nodes({_prop('source_id')}, {_prop('start')}, id) WHERE label = 'Claim';
CREATE INDEX IF NOT EXISTS comment_post ON nodes({_prop('post_id')}) WHERE label = 'Comment';
CREATE INDEX IF NOT EXISTS disagreement_rank ON nodes((-coalesce({_prop('confidence')}, 0)), id)
    WHERE label = 'Disagreement';
CREATE INDEX IF NOT EXISTS crux_rank ON nodes((-coalesce({_prop('score')}, 0)), id) WHERE label = 'Crux';
"""
_CLAIM_ORDER = f"{_prop('source_id', 'c')}, {_prop('start', 'c')}, c.id"
_RANK_DISAGREEMENT = f"(-coalesce({_prop('confidence')}, 0)), id"
_RANK_CRUX = f"(-coalesce({_prop('score')}, 0)), id"

_CLAIMS = f"""
SELECT c.props, {_prop('name', 'a')}, {_prop('url', 's')} FROM nodes c
LEFT JOIN nodes a ON a.id = {_prop('author_id', 'c')} AND a.label = 'Author'
LEFT JOIN nodes s ON s.id = {_prop('source_id', 'c')}
"""

_WROTE_COUNTS = """
SELECT w.start, n.label, COUNT(*) FROM rels w JOIN nodes n ON n.id = w."end" WHERE w.type = 'WROTE' GROUP BY 1, 2
"""

_NEIGHBOURS = """
SELECT n, m FROM (
  SELECT n, m, row_number() OVER (PARTITION BY n ORDER BY m) AS k FROM (
    SELECT start AS n, "end" AS m FROM rels WHERE start IN (SELECT value FROM json_each(?))
    UNION SELECT "end", start FROM rels WHERE "end" IN (SELECT value FROM json_each(?))))
WHERE k <= ? ORDER BY n, m
"""

_TOUCHING_AUTHORS = f"""
SELECT DISTINCT r."end" FROM nodes c JOIN rels r ON r.start = c.id AND r.type = 'PARTY_TO'
WHERE c.label = 'Claim' AND {_prop('author_id', 'c')} IN {_EACH}
"""
_TOUCHING_TOPICS = f"""
SELECT DISTINCT p."end" FROM rels t JOIN rels p ON p.start = t.start AND p.type = 'PARTY_TO'
WHERE t.type = 'ABOUT' AND t."end" IN {_EACH}
"""
_PARTIES = f"""
SELECT r."end", coalesce({_prop('side', 'r')}, 'a'), c.props, {_prop('name', 'a')}, {_prop('url', 's')}
FROM rels r JOIN nodes c ON c.id = r.start
LEFT JOIN nodes a ON a.id = {_prop('author_id', 'c')} AND a.label = 'Author'
LEFT JOIN nodes s ON s.id = {_prop('source_id', 'c')}
WHERE r.type = 'PARTY_TO' AND r."end" IN {_EACH}
"""
_CRUXES_OF = f"""SELECT "end", start FROM rels WHERE type = 'CRUX_OF' AND "end" IN {_EACH}"""
_TOPICS_OF = f"""
SELECT DISTINCT r."end", t.id, {_prop('label', 't')} FROM rels r
JOIN rels ab ON ab.start = r.start AND ab.type = 'ABOUT' JOIN nodes t ON t.id = ab."end"
WHERE r.type = 'PARTY_TO' AND r."end" IN {_EACH}
"""

# --- divergence: author pairs -------------------------------------------------------------
# The weights of an author pair come from the stance edges between their claims and from the
# disagreements that put them on opposite sides. Summing them means reading every stance edge
# and every party of the map, so the sums are kept in the table ``pairs``, refreshed by the
# writer for the authors whose claims, relationships or names changed (``pairs_dirty``, filled
# by triggers, so every write path marks what it touches). ``meta.pairs_revision`` says which
# revision the table is of; when it is stale, reads compute the sums instead (slower, same rows).
_AUTHOR_OF = "json_extract({t}.props, '$.author_id')"


def _author(t: str) -> str:
    return _AUTHOR_OF.format(t=t)


_STANCE = {
    "all": f"""
SELECT {_author('s')} AS x, {_author('e')} AS y, r.type AS t, coalesce({_prop('confidence', 'r')}, 1.0) AS w
FROM rels r JOIN nodes s ON s.id = r.start AND s.label = 'Claim' JOIN nodes e ON e.id = r."end" AND e.label = 'Claim'
WHERE r.type IN ('ATTACKS', 'SUPPORTS')""",
    "among": f"""
SELECT {_author('s')} AS x, {_author('e')} AS y, r.type AS t, coalesce({_prop('confidence', 'r')}, 1.0) AS w
FROM nodes s INDEXED BY claim_author JOIN rels r ON r.start = s.id AND r.type IN ('ATTACKS', 'SUPPORTS')
JOIN nodes e ON e.id = r."end" AND e.label = 'Claim'
WHERE s.label = 'Claim' AND {_author('s')} IN {{who}} AND {_author('e')} IN {{who}}""",
    "involving": f"""
SELECT {_author('s')} AS x, {_author('e')} AS y, r.type AS t, coalesce({_prop('confidence', 'r')}, 1.0) AS w
FROM nodes s INDEXED BY claim_author JOIN rels r ON r.start = s.id AND r.type IN ('ATTACKS', 'SUPPORTS')
JOIN nodes e ON e.id = r."end" AND e.label = 'Claim'
WHERE s.label = 'Claim' AND {_author('s')} IN {{who}}
UNION ALL
SELECT {_author('s')}, {_author('e')}, r.type, coalesce({_prop('confidence', 'r')}, 1.0)
FROM nodes e INDEXED BY claim_author JOIN rels r ON r."end" = e.id AND r.type IN ('ATTACKS', 'SUPPORTS')
JOIN nodes s ON s.id = r.start AND s.label = 'Claim'
WHERE e.label = 'Claim' AND {_author('e')} IN {{who}} AND {_author('s')} NOT IN {{who}}""",
}
_SIDE = f"coalesce({_prop('side', 'r')}, 'a')"
_SIDES = {
    "all": f"""
SELECT DISTINCT r."end" AS d, {_SIDE} AS side, {_author('c')} AS au
FROM rels r JOIN nodes c ON c.id = r.start AND c.label = 'Claim'
JOIN nodes dn ON dn.id = r."end" AND dn.label = 'Disagreement'
WHERE r.type = 'PARTY_TO'""",
    "among": f"""
SELECT DISTINCT r."end" AS d, {_SIDE} AS side, {_author('c')} AS au
FROM nodes c INDEXED BY claim_author JOIN rels r ON r.start = c.id AND r.type = 'PARTY_TO'
JOIN nodes dn ON dn.id = r."end" AND dn.label = 'Disagreement'
WHERE c.label = 'Claim' AND {_author('c')} IN {{who}}""",
    "involving": f"""
SELECT DISTINCT t.d AS d, {_SIDE} AS side, {_author('c')} AS au
FROM touched t JOIN nodes dn ON dn.id = t.d AND dn.label = 'Disagreement'
JOIN rels r ON r."end" = t.d AND r.type = 'PARTY_TO' JOIN nodes c ON c.id = r.start AND c.label = 'Claim'""",
}
_TOUCHED = f"""touched AS (
SELECT DISTINCT r."end" AS d FROM nodes c INDEXED BY claim_author JOIN rels r ON r.start = c.id AND r.type = 'PARTY_TO'
WHERE c.label = 'Claim' AND {_author('c')} IN {{who}}),"""
_PAIR_SUMS = """
WITH {touched} stance AS ({stance}), sides AS ({sides}),
raw AS (
  SELECT min(x, y) AS a, max(x, y) AS b, SUM(CASE WHEN t = 'ATTACKS' THEN w ELSE 0.0 END) AS dis,
         SUM(CASE WHEN t = 'SUPPORTS' THEN w ELSE 0.0 END) AS agr, 0 AS n
  FROM stance WHERE x IS NOT NULL AND y IS NOT NULL AND x <> '' AND y <> '' AND x <> y GROUP BY 1, 2
  UNION ALL
  SELECT min(sa.au, sb.au), max(sa.au, sb.au), 0.0, 0.0, COUNT(*)
  FROM sides sa JOIN sides sb ON sb.d = sa.d AND sa.side = 'a' AND sb.side = 'b'
  WHERE sa.au IS NOT NULL AND sb.au IS NOT NULL AND sa.au <> '' AND sb.au <> '' AND sa.au <> sb.au
  GROUP BY 1, 2),
totals AS (SELECT a, b, SUM(dis) AS dis, SUM(agr) AS agr, SUM(n) AS n FROM raw GROUP BY a, b)
SELECT t.a AS a, coalesce(json_extract(x.props, '$.name'), '') AS a_name,
       t.b AS b, coalesce(json_extract(y.props, '$.name'), '') AS b_name,
       t.dis AS disagree, t.agr AS agree, t.n AS n, round(t.dis, 4) AS weight
FROM totals t JOIN nodes x ON x.id = t.a AND x.label = 'Author' JOIN nodes y ON y.id = t.b AND y.label = 'Author'
"""


def _pair_sums(scope: str, who: str = "") -> str:
    """The pair sums of the whole map (``all``), among the authors ``who``, or of every pair
    ``involving`` one of them; ``who`` is an SQL set expression."""
    q = _PAIR_SUMS.format(touched=_TOUCHED.format(who=who) if scope == "involving" else "",
                          stance=_STANCE[scope].format(who=who), sides=_SIDES[scope].format(who=who))
    return q + (f" WHERE t.a IN {who} OR t.b IN {who}" if scope == "involving" else "")


_PAIR_COLUMNS = "a, a_name, b, b_name, disagree, agree, n, weight"
_PAIR_ORDER = {
    "weight": "weight DESC, n DESC, a, b",
    "count": "n DESC, weight DESC, a_name, b_name, a, b",
}
_DIRTY = "(SELECT author FROM pairs_dirty)"
_PAIR_TABLES = f"""
CREATE TABLE IF NOT EXISTS pairs (a TEXT NOT NULL, b TEXT NOT NULL, a_name TEXT NOT NULL, b_name TEXT NOT NULL,
    disagree REAL NOT NULL, agree REAL NOT NULL, n INTEGER NOT NULL, weight REAL NOT NULL,
    PRIMARY KEY (a, b)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS pairs_b ON pairs(b);
CREATE INDEX IF NOT EXISTS pairs_by_weight ON pairs(weight DESC, n DESC, a, b);
CREATE INDEX IF NOT EXISTS pairs_by_count ON pairs(n DESC, weight DESC, a_name, b_name, a, b);
-- no uniqueness: a trigger's INSERT OR IGNORE of an author already marked, fired by an UPSERT's
-- DO UPDATE, still failed the write with "UNIQUE constraint failed" (re-ingest of an edited thread)
CREATE TABLE IF NOT EXISTS pairs_dirty (author TEXT);
CREATE INDEX IF NOT EXISTS pairs_dirty_author ON pairs_dirty(author);
CREATE TRIGGER IF NOT EXISTS pairs_rel_insert AFTER INSERT ON rels
WHEN NEW.type IN ('ATTACKS', 'SUPPORTS', 'PARTY_TO') BEGIN
  INSERT OR IGNORE INTO pairs_dirty SELECT {_author('nodes')} FROM nodes
  WHERE id = NEW.start AND {_author('nodes')} IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS pairs_rel_change AFTER UPDATE ON rels
WHEN NEW.type IN ('ATTACKS', 'SUPPORTS', 'PARTY_TO') OR OLD.type IN ('ATTACKS', 'SUPPORTS', 'PARTY_TO') BEGIN
  INSERT OR IGNORE INTO pairs_dirty SELECT {_author('nodes')} FROM nodes
  WHERE id IN (OLD.start, NEW.start) AND {_author('nodes')} IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS pairs_rel_delete AFTER DELETE ON rels
WHEN OLD.type IN ('ATTACKS', 'SUPPORTS', 'PARTY_TO') BEGIN
  INSERT OR IGNORE INTO pairs_dirty SELECT {_author('nodes')} FROM nodes
  WHERE id = OLD.start AND {_author('nodes')} IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS pairs_node_insert AFTER INSERT ON nodes WHEN NEW.label IN ('Claim', 'Author') BEGIN
  INSERT OR IGNORE INTO pairs_dirty SELECT CASE NEW.label WHEN 'Author' THEN NEW.id ELSE {_author('NEW')} END
  WHERE (CASE NEW.label WHEN 'Author' THEN NEW.id ELSE {_author('NEW')} END) IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS pairs_node_change AFTER UPDATE ON nodes
WHEN (OLD.label IN ('Claim', 'Author') OR NEW.label IN ('Claim', 'Author'))
 AND (OLD.label IS NOT NEW.label OR OLD.id IS NOT NEW.id OR {_author('OLD')} IS NOT {_author('NEW')}
      OR json_extract(OLD.props, '$.name') IS NOT json_extract(NEW.props, '$.name')) BEGIN
  INSERT OR IGNORE INTO pairs_dirty SELECT x FROM (
    SELECT CASE OLD.label WHEN 'Author' THEN OLD.id WHEN 'Claim' THEN {_author('OLD')} END AS x
    UNION SELECT CASE NEW.label WHEN 'Author' THEN NEW.id WHEN 'Claim' THEN {_author('NEW')} END) WHERE x IS NOT NULL;
END;
CREATE TRIGGER IF NOT EXISTS pairs_node_delete AFTER DELETE ON nodes WHEN OLD.label IN ('Claim', 'Author') BEGIN
  INSERT OR IGNORE INTO pairs_dirty SELECT CASE OLD.label WHEN 'Author' THEN OLD.id ELSE {_author('OLD')} END
  WHERE (CASE OLD.label WHEN 'Author' THEN OLD.id ELSE {_author('OLD')} END) IS NOT NULL;
END;
"""
#: Past this many changed authors, the pairs table is rebuilt whole (one pass over the map).
_REBUILD_PAIRS_AT = 500
#: Everything :func:`_add_derived` creates.
_DERIVED_NAMES = frozenset(re.findall(r"IF NOT EXISTS (\w+)", _INDEXES + _PAIR_TABLES))
#: Statistics for the planner, in ``sqlite_stat1`` form, of a map of a million nodes: they say what
#: ``ANALYZE`` would find on any map (a label matches many rows, an author's claims a few), so
#: every query takes its index whatever the size, and no ingest has to run ``ANALYZE``.
_PLANNER_STATS = [
    ("nodes", "sqlite_autoindex_nodes_1", "1000000 1"), ("nodes", "nodes_label", "1000000 150000"),
    ("nodes", "claim_author", "600000 50"), ("nodes", "claim_order", "600000 3 1 1"),
    ("nodes", "comment_post", "200000 100"), ("nodes", "disagreement_rank", "100000 2 1"),
    ("nodes", "crux_rank", "5000 2 1"),
    ("rels", "sqlite_autoindex_rels_1", "2000000 1"), ("rels", "rels_type", "2000000 250000"),
    ("rels", "rels_start", "2000000 3 2"), ("rels", "rels_end", "2000000 3 2"),
    ("pairs", "sqlite_autoindex_pairs_1", "200000 20 1"), ("pairs", "pairs_b", "200000 20"),
    ("pairs", "pairs_by_weight", "200000 100 10 1 1"), ("pairs", "pairs_by_count", "200000 1000 10 5 2 1 1"),
]


_TOPICS = f"""
SELECT t.id, {_prop('label', 't')},
       (SELECT COUNT(*) FROM rels r WHERE r."end" = t.id AND r.type = 'ABOUT') AS n
FROM nodes t WHERE t.label = 'Topic' ORDER BY n DESC, coalesce({_prop('label', 't')}, ''), t.id
"""
