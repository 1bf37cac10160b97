"""The cruxmap JSON graph: every node and relationship, the contract other tools read.

The document is ``{"format": "cruxmap-graph", "version": 1, "nodes": [...],
"relationships": [...]}`` with nodes ``{"id", "label", "properties"}`` and
relationships ``{"id", "type", "start", "end", "properties"}``, both ordered by id so
the same map always exports byte-for-byte the same. It is written piece by piece,
so a large map never sits in memory as one string.
"""

from __future__ import annotations

import json
from typing import Iterator

from cruxmap.graph.schema import SCHEMA_VERSION
from cruxmap.graph.store import GraphStore

NAME = "json"
EXTENSION = ".json"
MEDIA_TYPE = "application/json"
FORMAT = "cruxmap-graph"


def generate(store: GraphStore) -> Iterator[str]:
    """The JSON document in pieces (one per node or relationship)."""
    yield f'{{"format": "{FORMAT}", "version": {SCHEMA_VERSION}, "nodes": ['
    for i, n in enumerate(store.nodes()):
        yield ("," if i else "") + "\n  " + json.dumps(
            {"id": n["id"], "label": n["label"], "properties": n["properties"]}, ensure_ascii=False,
            sort_keys=True)
    yield '\n], "relationships": ['
    for i, r in enumerate(store.relationships()):
        yield ("," if i else "") + "\n  " + json.dumps(
            {"id": r["id"], "type": r["type"], "start": r["start"], "end": r["end"],
             "properties": r["properties"]}, ensure_ascii=False, sort_keys=True)
    yield "\n]}\n"
