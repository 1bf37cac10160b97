"""GEXF for Gephi: every node and relationship, attributes typed (GEXF 1.2).

Written with NetworkX's GEXF writer. Like :mod:`cruxmap.graph.exports.graphml`, with the
differences GEXF itself imposes:

* each node's GEXF ``label`` is what Gephi shows: an author's name, a post's title, a
  topic's label, else the start of the text; a topic's ``label`` property is that label;
* GEXF reserves ``start``/``end`` for time intervals, so a claim's span is written as
  ``span_start``/``span_end``;
* an edge's GEXF ``label`` is the relationship type, its ``id`` the relationship id;
* the node kind is the ``labels`` attribute (``":Claim"``); lists are JSON strings.

See Also
--------
cruxmap.graph.exports.graphml : the same graph as GraphML (which cruxmap can import again).

Examples
--------
>>> from cruxmap.graph.nx_store import NxStore
>>> "<gexf" in "".join(generate(NxStore(":memory:")))
True
"""

from __future__ import annotations

from pathlib import Path

from typing import Any, Iterator

import networkx as nx

from cruxmap.graph.exports._view import MapView, xml_safe
from cruxmap.graph.exports.graphml import _value, typed
from cruxmap.graph.schema import TOPIC
from cruxmap.graph.store import GraphStore

NAME = "gexf"
EXTENSION = ".gexf"
MEDIA_TYPE = "application/gexf+xml"
BINARY = False

__all__ = ["generate", "generate_gexf", "write_gexf", "to_networkx"]

#: Keys GEXF (and NetworkX's writer) give a meaning of their own, and what they become.
RENAMED = {"start": "span_start", "end": "span_end", "pid": "pid_", "spells": "spells_", "viz": "viz_"}


def _attrs(props: dict[str, Any]) -> dict[str, Any]:
    return {RENAMED.get(k, k): _value(v) for k, v in props.items()}


def to_networkx(store: GraphStore) -> nx.MultiDiGraph:
    """The map as a ``MultiDiGraph`` ready for :func:`networkx.generate_gexf`."""
    view = MapView.load(store)
    g = nx.MultiDiGraph()
    nodes = sorted(view.nodes.values(), key=lambda n: n["id"])
    attrs = typed({"labels": ":" + n["label"],
                   **_attrs({k: v for k, v in n["properties"].items() if k not in ("id", "label")})}
                  for n in nodes)
    for n, a in zip(nodes, attrs):
        display = n["properties"].get("label") if n["label"] == TOPIC else view.display(n["id"])
        g.add_node(n["id"], label=xml_safe(str(display or n["id"])), **a)
    rels = view.rels
    attrs = typed({**_attrs(r["properties"])} for r in rels)
    for r, a in zip(rels, attrs):
        g.add_edge(r["start"], r["end"], key=r["id"], id=r["id"], label=r["type"], **a)
    return g


def generate(store: GraphStore) -> Iterator[str]:
    """The GEXF document, line by line."""
    for line in nx.generate_gexf(to_networkx(store), encoding="utf-8", prettyprint=True):
        yield line + "\n"


generate_gexf = generate


def write_gexf(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the GEXF document for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
