"""CSV files for neo4j-admin database import: a zip of one file per label and per type.

The zip holds ``nodes_<Label>.csv`` for each node label, ``relationships_<TYPE>.csv``
for each relationship type and ``import.sh`` with the command that loads them into an
empty database::

    neo4j-admin database import full neo4j --multiline-fields=true --array-delimiter=';' \\
        --nodes=nodes_Author.csv ... --relationships=relationships_WROTE.csv ...

The database name comes first: ``--nodes`` and ``--relationships`` take a list of files,
so since Neo4j 5.19 a name after them is read as one more file ("File 'neo4j' doesn't
exist").

Headers use neo4j-admin's import header format: ``id:ID`` (one global id space: ids
are unique across the map, and stored as the ``id`` property), ``:LABEL``,
``:START_ID``, ``:END_ID``, ``:TYPE`` and typed property columns such as
``score:long``, ``confidence:double``, ``retracted:boolean`` and ``coauthors:string[]``.
Fractions are ``double``, not ``float`` (neo4j-admin reads ``float`` as 32-bit in arrays,
where ``0.85`` becomes ``0.8500000238``); a column that holds integers on some rows and
fractions on others is ``double``.

Strings are always quoted (``""`` doubles a quote; newlines stay inside quotes, hence
``--multiline-fields=true``), so an empty string stays an empty string while a
missing property is an empty unquoted field, which neo4j-admin skips. Array elements
are joined with ``;``.

Examples
--------
>>> import io, zipfile
>>> from cruxmap.graph.nx_store import NxStore
>>> from cruxmap.graph.schema import node, AUTHOR
>>> s = NxStore(":memory:")
>>> _ = s.upsert([node("author:ann", AUTHOR, name="Ann")], [])
>>> z = zipfile.ZipFile(io.BytesIO(b"".join(generate(s))))
>>> z.read("nodes_Author.csv").decode()
'id:ID,name:string,:LABEL\\n"author:ann","Ann","Author"\\n'
"""

from __future__ import annotations

from pathlib import Path

import io
import zipfile
from typing import Any, Iterable, Iterator

from cruxmap.graph.exports._cells import formula_safe
from cruxmap.graph.errors import ExportError
from cruxmap.graph.schema import NODE_PROPERTIES, RELATIONSHIP_TYPES, Node, Relationship
from cruxmap.graph.store import GraphStore

NAME = "csv"
EXTENSION = ".zip"
MEDIA_TYPE = "application/zip"
BINARY = True
ARRAY_DELIMITER = ";"

__all__ = ["generate", "generate_csv", "write_csv", "node_files", "relationship_files"]

#: Entries get a fixed date so the same map always gives the same bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _type(values: Iterable[Any]) -> str:
    kinds = {type(v) for v in values if v is not None}
    if kinds and kinds <= {bool}:
        return "boolean"
    if kinds and kinds <= {int}:
        return "long"
    if kinds and kinds <= {int, float}:
        return "double"
    if kinds and kinds <= {list, tuple}:
        return "string[]"
    return "string"


def _field(v: Any, typ: str) -> str:
    if v is None:
        return ""
    if typ == "boolean":
        return "true" if v else "false"
    if typ in ("long", "double"):
        return repr(float(v)) if typ == "double" else str(int(v))
    if typ == "string[]":
        items = [str(x) for x in (v if isinstance(v, (list, tuple)) else [v])]
        for x in items:
            if ARRAY_DELIMITER in x:
                raise ExportError(f"csv: list value {x!r} contains the array delimiter {ARRAY_DELIMITER!r}")
        v = ARRAY_DELIMITER.join(items)
    return '"' + str(formula_safe(str(v))).replace('"', '""') + '"'


def _header(name: str) -> str:
    return f'"{name}"' if any(c in name for c in ',"\n\r') else name


def _table(header: list[str], rows: list[list[str]]) -> str:
    return "".join(",".join(r) + "\n" for r in [[_header(h) for h in header]] + rows)


def _columns(known: tuple[str, ...], records: list[dict[str, Any]]) -> list[str]:
    """Property columns: the schema's order first, then any others by name."""
    present = {k for r in records for k in r}
    return [k for k in known if k in present] + sorted(present - set(known))


def node_files(nodes: Iterable[Node]) -> dict[str, str]:
    """``{"nodes_<Label>.csv": text}`` for the given nodes."""
    by_label: dict[str, list[Node]] = {}
    for n in nodes:
        by_label.setdefault(n["label"], []).append(n)
    files = {}
    for label, group in sorted(by_label.items()):
        props = [{k: v for k, v in n["properties"].items() if k != "id"} for n in group]
        cols = _columns(NODE_PROPERTIES.get(label, ()), props)
        types = {c: _type(p.get(c) for p in props) for c in cols}
        header = ["id:ID"] + [f"{c}:{types[c]}" for c in cols] + [":LABEL"]
        rows = [[_field(n["id"], "string")] + [_field(p.get(c), types[c]) for c in cols]
                + [_field(label, "string")] for n, p in zip(group, props)]
        files[f"nodes_{label}.csv"] = _table(header, rows)
    return files


def relationship_files(rels: Iterable[Relationship]) -> dict[str, str]:
    """``{"relationships_<TYPE>.csv": text}`` for the given relationships."""
    by_type: dict[str, list[Relationship]] = {}
    for r in rels:
        by_type.setdefault(r["type"], []).append(r)
    files = {}
    for typ, group in sorted(by_type.items()):
        props = [r["properties"] for r in group]
        cols = _columns(RELATIONSHIP_TYPES.get(typ, ((), (), ()))[2], props)
        types = {c: _type(p.get(c) for p in props) for c in cols}
        header = [":START_ID", ":END_ID", ":TYPE"] + [f"{c}:{types[c]}" for c in cols]
        rows = [[_field(r["start"], "string"), _field(r["end"], "string"), _field(typ, "string")]
                + [_field(p.get(c), types[c]) for c in cols] for r, p in zip(group, props)]
        files[f"relationships_{typ}.csv"] = _table(header, rows)
    return files


def import_script(files: Iterable[str]) -> str:
    """The ``neo4j-admin`` command that loads the files into an empty database ``neo4j``."""
    args = [f"--nodes={f}" for f in files if f.startswith("nodes_")]
    args += [f"--relationships={f}" for f in files if f.startswith("relationships_")]
    # The database name goes before the file lists, which would take it for one more file.
    command = [("neo4j-admin database import full neo4j --multiline-fields=true "
                f"--array-delimiter='{ARRAY_DELIMITER}'"), *args]
    lines = ["#!/bin/sh", "# Load this map into an empty Neo4j 5 database (stop the server first).",
             "# Add --overwrite-destination to replace an existing database.",
             " \\\n  ".join(command), ""]
    return "\n".join(lines)


def generate(store: GraphStore) -> Iterator[bytes]:
    """The zip archive (one piece: a zip's directory comes last, so it is built whole)."""
    files = node_files(store.nodes())
    files.update(relationship_files(store.relationships()))
    files["import.sh"] = import_script(list(files))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (0o755 if name.endswith(".sh") else 0o644) << 16
            z.writestr(info, text.encode("utf-8"))
    yield buf.getvalue()


generate_csv = generate


def write_csv(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the zip of CSV files for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
