"""cruxmap's own JSON graph (cruxmap export --format json), read back as a map.

The document is the contract :mod:`cruxmap.graph.exports.json` writes: ``{"format":
"cruxmap-graph", "version": 1, "nodes": [...], "relationships": [...]}``. Reading it
gives a :class:`~cruxmap.graph.schema.CruxMap` (not a thread: the map is already decomposed),
so export → import → export writes the same document again.

Examples
--------
>>> doc = '{"format": "cruxmap-graph", "version": 1, "nodes": [{"id": "author:ann", "label": "Author", "properties": {"id": "author:ann", "name": "Ann"}}], "relationships": []}'
>>> sniff(doc)
True
>>> parse(doc).thread.authors[0].name
'Ann'
"""

from __future__ import annotations

from pathlib import Path

import json
import re

from cruxmap.graph.errors import MalformedInput
from cruxmap.loaders._text import JSONValueError, json_value
from cruxmap.graph.schema import NODE_LABELS, SCHEMA_VERSION, CruxMap
from cruxmap.loaders._graph import map_from_graph

__all__ = ["parse", "sniff", "parse_cruxmap_json", "read_cruxmap_json"]

FORMAT = "cruxmap-graph"
_HEAD = re.compile(r'\A\s*\{\s*"format"\s*:\s*"cruxmap-graph"')


def sniff(text: str) -> bool:
    """True for a JSON object whose first key is ``"format": "cruxmap-graph"``."""
    return bool(_HEAD.match(text[:200]))


def parse(text: str, source: str = "<text>") -> CruxMap:
    """The map in a cruxmap JSON graph document.

    Raises
    ------
    MalformedInput
        On broken JSON, a document of another format or a newer version, or records
        that do not fit together (see :func:`cruxmap.loaders._graph.map_from_graph`).
    """
    try:
        doc = json_value(text)
    except JSONValueError as e:
        raise MalformedInput(source, str(e)) from None
    except json.JSONDecodeError as e:
        raise MalformedInput(source, f"broken JSON ({e.msg})", line=e.lineno) from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise MalformedInput(source, f'not a cruxmap JSON graph (no "format": "{FORMAT}")')
    if not isinstance(doc.get("version"), int) or doc["version"] > SCHEMA_VERSION:
        raise MalformedInput(source, f"cruxmap JSON graph version {doc.get('version')!r} is not "
                                     f"supported (this cruxmap reads up to {SCHEMA_VERSION})")
    nodes, rels = doc.get("nodes"), doc.get("relationships")
    if not isinstance(nodes, list) or not isinstance(rels, list):
        raise MalformedInput(source, '"nodes" and "relationships" must be lists')
    for i, n in enumerate(nodes):
        if not isinstance(n, dict) or not isinstance(n.get("properties"), dict) or "id" not in n:
            raise MalformedInput(source, f"node {i} is not {{id, label, properties}}")
        if n.get("label") not in NODE_LABELS:
            raise MalformedInput(source, f"node {n['id']}: unknown label {n.get('label')!r}")
    for i, r in enumerate(rels):
        if not isinstance(r, dict) or not all(k in r for k in ("type", "start", "end")) \
                or not isinstance(r.get("properties", {}), dict):
            raise MalformedInput(source, f"relationship {i} is not {{id, type, start, end, properties}}")
        r.setdefault("properties", {})
    return map_from_graph(nodes, rels, source)


parse_cruxmap_json = parse


def read_cruxmap_json(path: str | Path) -> CruxMap:
    """Read and parse one file (see :func:`cruxmap.loaders.read`)."""
    from cruxmap import loaders  # the registry imports this module: import it when called

    return loaders.read(path, fmt="cruxmap-json")
