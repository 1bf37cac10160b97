"""A Cypher script that loads the map into Neo4j with cypher-shell, idempotently (MERGE).

Run it with ``cypher-shell -u neo4j -p PASSWORD -f map.cypher``. Every write is a
``MERGE`` on the node id (relationships: on their two ends and their type) followed by
``SET ... +=`` of the properties, so running the script twice, or over a database that
already holds part of the map, changes nothing more. It first creates a uniqueness
constraint on ``id`` per label (``IF NOT EXISTS``), which also makes each ``MERGE`` an
index lookup. Rows go in batches of :data:`BATCH` through ``UNWIND``.

Safety: labels and relationship types come only from :mod:`cruxmap.graph.schema`'s constants
(anything else is refused); property keys are backtick-quoted when they are not plain
identifiers; every string is a single-quoted literal with ``\\``, ``'``, newlines and
other control characters escaped, so no text in the map can end a literal or a
statement.

Examples
--------
>>> cypher_string("It's a \\\\ and a\\nnewline")
"'It\\\\'s a \\\\\\\\ and a\\\\nnewline'"
"""

from __future__ import annotations

from pathlib import Path

import math
import re
from collections import defaultdict
from typing import Any, Iterator

from cruxmap.graph.errors import ExportError
from cruxmap.graph.schema import NODE_LABELS, REL_TYPES
from cruxmap.graph.store import GraphStore

NAME = "cypher"
EXTENSION = ".cypher"
MEDIA_TYPE = "application/x-cypher-query"
BINARY = False
#: Rows per ``UNWIND`` statement.
BATCH = 500

__all__ = ["generate", "generate_cypher", "write_cypher", "cypher_string", "cypher_value"]

_IDENT = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]*\Z")
_ESCAPES = {"\\": "\\\\", "'": "\\'", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_NEEDS_ESCAPE = re.compile(r"[\\'\x00-\x1f\x7f\u2028\u2029]")


def cypher_string(s: str) -> str:
    """``s`` as a Cypher single-quoted string literal."""
    def esc(m: re.Match[str]) -> str:
        c = m.group(0)
        return _ESCAPES.get(c, f"\\u{ord(c):04x}")
    return "'" + _NEEDS_ESCAPE.sub(esc, s) + "'"


def cypher_key(k: str) -> str:
    """A map key or property name, backtick-quoted unless it is a plain identifier."""
    return k if _IDENT.match(k) else "`" + k.replace("`", "``") + "`"


def cypher_value(v: Any) -> str:
    """A property value (string, number, boolean or a list of them) as a Cypher literal."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if not math.isfinite(v):
            raise ExportError(f"cypher: {v} cannot be stored in Neo4j")
        return repr(v)
    if isinstance(v, str):
        return cypher_string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(cypher_value(x) for x in v) + "]"
    if isinstance(v, dict):  # only the rows themselves are maps; property values never are
        return _map(v)
    if v is None:
        return "null"
    raise ExportError(f"cypher: cannot write a {type(v).__name__} property")


def _map(d: dict[str, Any]) -> str:
    return "{" + ", ".join(f"{cypher_key(k)}: {cypher_value(v)}" for k, v in d.items()) + "}"


def _checked(name: str, allowed: tuple[str, ...], what: str) -> str:
    if name not in allowed:  # never interpolate a label or type that is not the schema's
        raise ExportError(f"cypher: unknown {what} {name!r}")
    return name


def _batches(rows: list[str]) -> Iterator[list[str]]:
    for i in range(0, len(rows), BATCH):
        yield rows[i:i + BATCH]


def generate(store: GraphStore) -> Iterator[str]:
    """The script, one statement at a time."""
    yield ("// cruxmap map for cypher-shell: cypher-shell -u neo4j -p PASSWORD -f map.cypher\n"
           "// Idempotent: MERGE on ids, so running it again changes nothing.\n")
    label_of: dict[str, str] = {}
    by_label: dict[str, list[str]] = defaultdict(list)
    for n in store.nodes():
        label = _checked(n["label"], NODE_LABELS, "label")
        label_of[n["id"]] = label
        by_label[label].append(_map({"id": n["id"], **n["properties"]}))
    for label in by_label:
        yield f"CREATE CONSTRAINT IF NOT EXISTS FOR (n:{label}) REQUIRE n.id IS UNIQUE;\n"
    for label, rows in by_label.items():
        for batch in _batches(rows):
            yield ("UNWIND [\n  " + ",\n  ".join(batch) + f"\n] AS row\n"
                   f"MERGE (n:{label} {{id: row.id}}) SET n += row;\n")
    by_type: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    for r in store.relationships():
        typ = _checked(r["type"], REL_TYPES, "relationship type")
        if r["start"] not in label_of or r["end"] not in label_of:
            raise ExportError(f"cypher: relationship {r['id']} points at a node that is not in the map")
        by_type[(typ, label_of[r["start"]], label_of[r["end"]])].append(
            _map({"start": r["start"], "end": r["end"], "props": r["properties"]}))
    for (typ, a, b), rows in by_type.items():
        for batch in _batches(rows):
            yield ("UNWIND [\n  " + ",\n  ".join(batch) + f"\n] AS row\n"
                   f"MATCH (a:{a} {{id: row.start}}) MATCH (b:{b} {{id: row.end}})\n"
                   f"MERGE (a)-[r:{typ}]->(b) SET r += row.props;\n")


generate_cypher = generate


def write_cypher(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the Cypher script for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
