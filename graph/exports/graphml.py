"""GraphML for Gephi, yEd and NetworkX: every node and relationship, attributes typed.

Written with NetworkX's GraphML writer over the store's nodes and relationships. The
layout follows Neo4j APOC's GraphML (so ``apoc.import.graphml`` reads it too):

* a node has a ``labels`` attribute (``":Claim"``) and one attribute per property;
* an edge has its relationship id as GraphML ``id``, a ``label`` attribute with the
  relationship type (``"ATTACKS"``) and one attribute per property;
* numbers are ``long`` or ``double``, flags ``boolean``, text ``string``. Where one
  property holds integers on some nodes and fractions on others (``score``), the key
  is ``double`` so every tool sees one column;
* list properties (``coauthors``, ``reacts``) are JSON strings; the graph attribute
  ``list_properties`` names them, so :mod:`cruxmap.loaders.graphml` turns them back into lists;
* characters XML cannot carry (control characters) become U+FFFD.

See Also
--------
cruxmap.loaders.graphml : reads this format back into a map (round trip).
cruxmap.graph.exports.gexf : the same graph for Gephi's own format.

Examples
--------
>>> from cruxmap.graph.nx_store import NxStore
>>> "".join(generate(NxStore(":memory:"))).startswith("<graphml")
True
"""

from __future__ import annotations

from pathlib import Path

import json
from typing import Any, Iterable, Iterator

import networkx as nx

from cruxmap.graph.exports._view import xml_safe
from cruxmap.graph.schema import SCHEMA_VERSION
from cruxmap.graph.store import GraphStore

NAME = "graphml"
EXTENSION = ".graphml"
MEDIA_TYPE = "application/graphml+xml"
BINARY = False
FORMAT = "cruxmap-graph"

__all__ = ["generate", "generate_graphml", "write_graphml", "typed", "to_networkx"]


def _value(v: Any) -> Any:
    if isinstance(v, str):
        return xml_safe(v)
    if isinstance(v, (list, tuple, dict)):
        return xml_safe(json.dumps(v, ensure_ascii=False))
    return v


def typed(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Attribute dicts whose keys each hold one type: integers become floats where a key mixes them.

    Examples
    --------
    >>> typed([{"score": 3}, {"score": 0.5}, {"n": 1}])
    [{'score': 3.0}, {'score': 0.5}, {'n': 1}]
    """
    records = list(records)
    kinds: dict[str, set[type]] = {}
    for r in records:
        for k, v in r.items():
            kinds.setdefault(k, set()).add(type(v))
    widen = {k for k, ts in kinds.items() if float in ts and int in ts}
    return [{k: float(v) if k in widen and type(v) is int else v for k, v in r.items()} for r in records]


def to_networkx(store: GraphStore) -> nx.MultiDiGraph:
    """The map as a ``MultiDiGraph`` with GraphML-ready attributes (see the module docstring)."""
    g = nx.MultiDiGraph()
    nodes = list(store.nodes())
    rels = list(store.relationships())
    lists = sorted({k for rec in nodes + rels for k, v in rec["properties"].items()
                    if isinstance(v, (list, tuple))})
    g.graph.update(format=FORMAT, version=SCHEMA_VERSION, list_properties=" ".join(lists))
    node_attrs = typed({"labels": ":" + n["label"],
                        **{k: _value(v) for k, v in n["properties"].items() if k != "id"}} for n in nodes)
    for n, attrs in zip(nodes, node_attrs):
        g.add_node(n["id"], **attrs)
    edge_attrs = typed({"label": r["type"], **{k: _value(v) for k, v in r["properties"].items()}}
                       for r in rels)
    for r, attrs in zip(rels, edge_attrs):
        g.add_edge(r["start"], r["end"], key=r["id"], **attrs)
    return g


def generate(store: GraphStore) -> Iterator[str]:
    """The GraphML document, line by line."""
    for line in nx.generate_graphml(to_networkx(store), encoding="utf-8", prettyprint=True):
        yield line + "\n"


generate_graphml = generate


def write_graphml(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the GraphML document for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
