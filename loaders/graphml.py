"""cruxmap's GraphML (cruxmap export --format graphml), read back as a map.

Reads what :mod:`cruxmap.graph.exports.graphml` writes: nodes with a ``labels`` attribute
(``":Claim"``), edges with a ``label`` attribute holding the relationship type and
the relationship id as the GraphML edge ``id``, list properties as JSON strings named
by the graph attribute ``list_properties``. GraphML from other tools has none of
these and is refused with a clear message.

Examples
--------
>>> doc = ('<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
...        '<key id="d0" for="node" attr.name="labels" attr.type="string"/>'
...        '<key id="d1" for="node" attr.name="name" attr.type="string"/>'
...        '<graph edgedefault="directed"><node id="author:ann"><data key="d0">:Author</data>'
...        '<data key="d1">Ann</data></node></graph></graphml>')
>>> sniff(doc), parse(doc).thread.authors[0].name
(True, 'Ann')
"""

from __future__ import annotations

from pathlib import Path

import json
import re
from typing import Any

import networkx as nx

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import NODE_LABELS, CruxMap
from cruxmap.loaders._graph import map_from_graph

__all__ = ["parse", "sniff", "parse_graphml", "read_graphml"]

_HEAD = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!--.*?-->\s*)*<graphml[\s>]", re.S)


def sniff(text: str) -> bool:
    """True for an XML document whose root element is ``<graphml>``."""
    return bool(_HEAD.match(text[:2048]))


def _decode(key: str, value: Any, lists: set[str], source: str) -> Any:
    if key in lists and isinstance(value, str):
        try:
            decoded = json.loads(value)
        except json.JSONDecodeError:
            raise MalformedInput(source, f"property {key!r} is not a JSON list: {value[:40]!r}") from None
        return decoded
    return value


def parse(text: str, source: str = "<text>") -> CruxMap:
    """The map in a cruxmap GraphML document.

    Raises
    ------
    MalformedInput
        On broken XML, GraphML without cruxmap's ``labels``/``label`` attributes, or
        records that do not fit together.
    """
    try:
        g = nx.parse_graphml(text, node_type=str, force_multigraph=True)
    except Exception as e:  # ElementTree.ParseError, NetworkXError, ValueError on a bad value
        raise MalformedInput(source, f"not readable GraphML ({str(e).splitlines()[0] if str(e) else type(e).__name__})") from None
    lists = set(str(g.graph.get("list_properties", "")).split())
    nodes = []
    for nid, attrs in g.nodes(data=True):
        label = str(attrs.get("labels", "")).lstrip(":").split(":")[0]
        if label not in NODE_LABELS:
            raise MalformedInput(source, f"node {nid}: no cruxmap label (labels={attrs.get('labels')!r}); "
                                         "only GraphML written by cruxmap can be imported")
        props = {k: _decode(k, v, lists, source) for k, v in attrs.items() if k != "labels"}
        props["id"] = nid
        nodes.append({"id": nid, "label": label, "properties": props})
    rels = []
    for s, e, key, attrs in g.edges(keys=True, data=True):
        if "label" not in attrs:
            raise MalformedInput(source, f"edge {s} -> {e}: no relationship type (label attribute)")
        rels.append({"id": str(key), "type": str(attrs["label"]), "start": s, "end": e,
                     "properties": {k: _decode(k, v, lists, source) for k, v in attrs.items() if k != "label"}})
    return map_from_graph(nodes, rels, source)


parse_graphml = parse


def read_graphml(path: str | Path) -> CruxMap:
    """Read and parse one file (see :func:`cruxmap.loaders.read`)."""
    from cruxmap import loaders  # the registry imports this module: import it when called

    return loaders.read(path, fmt="graphml")
