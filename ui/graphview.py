"""The crux explorer's interactive graph: argument-graph data in, Cytoscape.js elements out.

The component is ``streamlit-cytoscape`` (MIT, a maintained fork of st-link-analysis):
Cytoscape.js with the fcose layout bundled in the wheel (no CDN, so it works offline),
zoom/pan/fullscreen controls, an info panel that writes values with ``textContent``,
and click events handed back to Python. Labels are drawn on a canvas, so they are
never parsed as HTML; values for the info panel go through
:func:`cruxmap.ui.render.component_text`, which stops its ``<a href>`` linkifier matching.
"""

from __future__ import annotations

import hashlib
from typing import Any

from cruxmap.graph.analysis.words import UNKNOWN_AUTHOR, crux_kind, reads_as
from cruxmap.graph.schema import ATTACKS, CRUX_OF, PARTY_TO, SAME_AS, SUPPORTS
from cruxmap.ui.palette import AGREE, DISAGREE, OTHER
from cruxmap.ui.render import component_text, short

#: The most nodes the explorer ever draws at once.
MAX_NODES = 300
#: Views with more nodes than this label only cruxes, disagreements and the focus's neighbours.
LABEL_ALL_UP_TO = 18
#: The component's click event name, as returned in its value.
NODE_CLICK = "node_click"

_KIND_LABEL = {"claim": "Claim", "crux": "Crux", "disagreement": "Disagreement"}
_EDGE_LABEL = {ATTACKS: "attacks", SUPPORTS: "supports", SAME_AS: "same claim",
               PARTY_TO: "party to", CRUX_OF: "crux of"}


class Style:
    """A raw Cytoscape.js style rule (selector + properties), in the component's interface."""

    def __init__(self, selector: str, style: dict[str, Any]):
        self.selector, self.style = selector, style

    def dump(self) -> dict[str, Any]:
        return {"selector": self.selector, "style": self.style}


def _pct(x: Any) -> str:
    return f"{x:.0%}" if isinstance(x, (int, float)) else ""


def elements(view: dict[str, Any], colours: dict[str, str], order: list[str]) -> dict[str, Any]:
    """Cytoscape elements for a :func:`cruxmap.graph.analysis.explorer.neighbourhood` view.

    ``order`` is the author order that indexes the colour rules (see :func:`styles`).
    Keys starting with ``_`` drive the styling and stay out of the info panel.
    """
    index = {aid: i for i, aid in enumerate(order)}
    focus = set(view.get("focus", []))
    crowded = len(view["nodes"]) > LABEL_ALL_UP_TO
    nodes = []
    for n in view["nodes"][:MAX_NODES]:
        kind = n["kind"]
        # a crowded view labels cruxes, disagreements and what is next to the focus; the rest on click
        quiet = crowded and kind == "claim" and n.get("depth", 0) > 1
        data: dict[str, Any] = {
            "id": n["id"], "label": _KIND_LABEL.get(kind, kind.title()),
            "_kind": kind, "_short": "" if quiet else short(n.get("text", ""), 60 if kind != "claim" else 40),
            "_focus": 1 if n["id"] in focus else 0,
            "text": component_text(n.get("text", "")),
        }
        if kind == "claim":
            data["_author"] = index.get(n.get("author_id"), -1)
            data["label"] = f"Claim by {component_text(n.get('author') or UNKNOWN_AUTHOR)}"
            if n.get("stance"):
                data["stance"] = n["stance"]
        elif kind == "crux":
            data["found"] = crux_kind(n.get("crux_kind"))
            if n.get("evidence"):
                data["why"] = component_text(f"score {float(n.get('score') or 0):.2f}; {n['evidence']}")
        elif kind == "disagreement":
            data["status"] = n.get("status") or ""
            if n.get("claims"):
                data["claims"] = n["claims"]
            data["_status"] = n.get("status") or ""
        nodes.append({"data": data})
    ids = {n["data"]["id"] for n in nodes}
    edges = []
    for e in view["edges"]:
        if e["source"] not in ids or e["target"] not in ids:
            continue
        data = {"id": e["id"], "source": e["source"], "target": e["target"],
                "label": _EDGE_LABEL.get(e["type"], e["type"].lower()), "_type": e["type"]}
        if e["type"] in (ATTACKS, SUPPORTS):
            data["reads as"] = reads_as(e.get("stance"), e.get("confidence"), e["type"]).removeprefix("reads as ")
        if e.get("evidence"):
            why = (f"{_pct(e['confidence'])}; " if e.get("confidence") is not None else "") + e["evidence"]
            data["why"] = component_text(why)
        if e.get("side"):
            data["side"] = e["side"]
        edges.append({"data": data})
    return {"nodes": nodes, "edges": edges}


def styles(colours: dict[str, str], order: list[str]) -> list[Style]:
    """Style rules: claims coloured by author, cruxes as large yellow diamonds, attack and
    support edges apart by colour *and* line style (solid vs dashed), focus nodes ringed."""
    rules = [
        # a label drawn smaller than 10 px is hidden (zoom in, or click the node, to read it)
        Style("node", {"label": "data(_short)", "font-size": 14, "min-zoomed-font-size": 10,
                       "text-wrap": "wrap", "text-max-width": "140px", "text-valign": "bottom",
                       "text-margin-y": 4, "color": "#1A1A1A", "width": 22, "height": 22,
                       "background-color": OTHER, "border-width": 1, "border-color": "#FFFFFF",
                       "text-background-color": "#FFFFFF", "text-background-opacity": 0.75,
                       "text-background-padding": 1}),
        Style("node[_kind = 'crux']", {"shape": "diamond", "width": 40, "height": 40,
                                       "background-color": "#FFD21F", "border-width": 3,
                                       "border-color": "#5C4600", "font-size": 15,
                                       "font-weight": "bold", "text-max-width": "200px"}),
        Style("node[_kind = 'disagreement']", {"shape": "round-hexagon", "width": 32, "height": 32,
                                               "background-color": "#FFFFFF", "border-width": 4,
                                               "border-color": DISAGREE, "font-size": 14,
                                               "text-max-width": "180px"}),
        Style("node[_status = 'conceded'], node[_status = 'resolved']",
              {"border-color": AGREE, "border-style": "dashed"}),
        Style("node[_focus = 1]", {"underlay-color": "#000000", "underlay-opacity": 0.18,
                                   "underlay-padding": 9, "underlay-shape": "ellipse",
                                   "font-weight": "bold"}),
        Style("edge", {"width": 1.5, "line-color": "#B0B0B0", "target-arrow-color": "#B0B0B0",
                       "target-arrow-shape": "triangle", "curve-style": "bezier",
                       "arrow-scale": 1.1, "font-size": 9, "min-zoomed-font-size": 6,
                       "text-rotation": "autorotate", "color": "#444", "label": "",
                       "text-background-opacity": 0}),
        Style(f"edge[_type = '{ATTACKS}']", {"line-color": DISAGREE, "target-arrow-color": DISAGREE,
                                          "target-arrow-shape": "tee", "width": 2.5,
                                          "line-style": "solid"}),
        Style(f"edge[_type = '{SUPPORTS}']", {"line-color": AGREE, "target-arrow-color": AGREE,
                                           "target-arrow-shape": "triangle", "width": 2.5,
                                           "line-style": "dashed"}),
        Style(f"edge[_type = '{SAME_AS}']", {"line-color": "#777", "line-style": "dotted",
                                          "target-arrow-shape": "none", "width": 2}),
        Style(f"edge[_type = '{PARTY_TO}']", {"line-color": "#C8C8C8", "target-arrow-color": "#C8C8C8",
                                           "width": 1.2}),
        Style(f"edge[_type = '{CRUX_OF}']", {"line-color": "#8A6D00", "target-arrow-color": "#8A6D00",
                                          "width": 3}),
    ]
    for i, aid in enumerate(order):
        rules.append(Style(f"node[_author = {i}]", {"background-color": colours.get(aid, OTHER)}))
    return rules


def layout(view: dict[str, Any]) -> dict[str, Any]:
    """An fcose layout; the ``_view`` key changes with the node set so the layout reruns."""
    digest = hashlib.sha1("|".join(sorted(n["id"] for n in view["nodes"])).encode()).hexdigest()[:12]
    # label boxes count as node size, so fcose keeps labels apart instead of drawing them on top of each other
    return {"name": "fcose", "animate": False, "fit": True, "padding": 30,
            "nodeDimensionsIncludeLabels": True, "idealEdgeLength": 110, "nodeRepulsion": 12000,
            "nodeSeparation": 90, "quality": "proof", "randomize": True, "_view": digest}


def clicked_node(value: Any) -> str | None:
    """The node id a click on the graph returned, if any."""
    if isinstance(value, dict) and value.get("action") == NODE_CLICK:
        data = value.get("data") or {}
        if data.get("target_group") == "nodes":
            return data.get("target_id")
    return None
