"""The map as a Graphviz DOT graph: claims grouped by author, and how they relate.

What is drawn: each claim (a box, in a cluster per author, the label its wrapped
text), each disagreement (an octagon), each crux (a diamond) and each topic (a note).
Lines: supports (green), attacks (red; an undercut is dashed), a claim's side in a
disagreement (grey, labelled ``a``/``b``), a crux of a disagreement (orange, bold),
a claim about a topic (grey, dotted), claims that say the same (blue, dashed). Posts,
comments and authors themselves are not drawn: the clusters name the authors, and each
claim links to its source (``URL``) with the full text as its tooltip.

Node ids in the DOT text are ``n0``, ``n1``, ...; every label, tooltip and URL is a
quoted DOT string with ``\\``, ``"`` and line breaks escaped, so no source text can
change the graph. Render it with ``dot -Tsvg map.dot > map.svg`` (or use the ``svg``
and ``png`` formats).

Examples
--------
>>> from cruxmap.graph.nx_store import NxStore
>>> "".join(generate(NxStore(":memory:"))).splitlines()[0]
'digraph cruxmap {'
"""

from __future__ import annotations

from pathlib import Path

import re
import textwrap
from typing import Iterator

from cruxmap.graph.analysis.words import UNKNOWN_AUTHOR
from cruxmap.graph.exports._view import MapView, shorten, xml_safe
from cruxmap.graph.schema import ATTACKS, SUPPORTS, UNDERCUT
from cruxmap.graph.store import GraphStore

NAME = "dot"
EXTENSION = ".dot"
MEDIA_TYPE = "text/vnd.graphviz"
BINARY = False

__all__ = ["generate", "generate_dot", "write_dot", "dot_string", "safe_url"]

#: Fill colours for authors' clusters, in turn (ColorBrewer Pastel1).
PALETTE = ("#fbb4ae", "#b3cde3", "#ccebc5", "#decbe4", "#fed9a6", "#ffffcc", "#e5d8bd", "#fddaec")


def dot_string(s: str) -> str:
    """``s`` as a quoted DOT string that shows exactly ``s`` (escString-safe).

    Examples
    --------
    >>> print(dot_string('say "hi"\\\\n'))
    "say \\"hi\\"\\\\n"
    """
    out = xml_safe(s).replace("\\", "\\\\").replace('"', '\\"')  # xml_safe: the SVG must stay XML
    out = out.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n")
    return '"' + out + '"'


def safe_url(url: object) -> str:
    """The URL if it is http(s), else '' (no ``javascript:`` links in pictures or reports)."""
    u = str(url or "").strip()
    return u if u.lower().startswith(("http://", "https://")) else ""


def _svg_url(url: str) -> str:
    """A URL as Graphviz should copy it into SVG: '&' as an entity (Graphviz 2.x copies URLs
    verbatim, and a bare '&' makes the SVG invalid XML), quotes and brackets percent-encoded."""
    url = url.replace('"', "%22").replace("<", "%3C").replace(">", "%3E").replace("'", "%27")
    return re.sub(r"&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)", "&amp;", url)


def _wrap(text: str, width: int = 36, lines: int = 6) -> str:
    wrapped = textwrap.wrap(" ".join(text.split()), width) or [""]
    if len(wrapped) > lines:
        wrapped = wrapped[:lines - 1] + [shorten(" ".join(wrapped[lines - 1:]), width)]
    return "\n".join(wrapped)


def _attrs(**kw: str) -> str:
    return "[" + ", ".join(f"{k}={v}" for k, v in kw.items() if v) + "]"


def generate(store: GraphStore) -> Iterator[str]:
    """The DOT document, statement by statement."""
    view = MapView.load(store)
    ids: dict[str, str] = {}

    def nid(x: str) -> str:
        return ids.setdefault(x, f"n{len(ids)}")

    yield "digraph cruxmap {\n"
    yield ('  graph [rankdir=BT, fontname="Helvetica", fontsize=11, nodesep=0.3, ranksep=0.5];\n'
           '  node [fontname="Helvetica", fontsize=10, shape=box, style="rounded,filled", fillcolor="#eeeeee"];\n'
           '  edge [fontname="Helvetica", fontsize=9];\n')
    by_author: dict[str | None, list[str]] = {}
    for c in view.claims:
        by_author.setdefault(view.claim_author(c["id"]), []).append(c["id"])
    order = [a["id"] for a in view.authors if a["id"] in by_author] + \
            [a for a in by_author if a not in {x["id"] for x in view.authors}]
    for i, aid in enumerate(order):
        colour = PALETTE[i % len(PALETTE)]
        name = view.name(aid) or (aid or UNKNOWN_AUTHOR)
        yield f"  subgraph cluster_{i} {{\n    label={dot_string(name)}; style=\"rounded\"; color=\"#999999\";\n"
        for cid in by_author[aid]:
            url = _svg_url(safe_url(view.props(view.claim_item(cid) or "").get("url")))
            yield "    " + nid(cid) + " " + _attrs(label=dot_string(_wrap(view.text(cid))), fillcolor=f'"{colour}"',
                                                   tooltip=dot_string(view.text(cid)),
                                                   URL=dot_string(url) if url else "") + ";\n"
        yield "  }\n"
    for d in view.disagreements:
        yield "  " + nid(d.id) + " " + _attrs(label=dot_string(_wrap(d.summary, 30, 4)), shape="octagon",
                                              fillcolor='"#ffffff"', tooltip=dot_string(d.summary)) + ";\n"
    for x in view.cruxes:
        text = str(x["properties"].get("text", ""))
        yield "  " + nid(x["id"]) + " " + _attrs(label=dot_string(_wrap(text, 30, 4)), shape="diamond",
                                                 fillcolor='"#fdb863"', tooltip=dot_string(text)) + ";\n"
    for t in view.topics:
        label = str(t["properties"].get("label", ""))
        yield "  " + nid(t["id"]) + " " + _attrs(label=dot_string(label), shape="note", fillcolor='"#f7f7f7"') + ";\n"
    for r in view.stances():
        undercut = r["type"] == ATTACKS and r["properties"].get("evidence") == UNDERCUT
        colour = '"#1a9850"' if r["type"] == SUPPORTS else '"#d73027"'
        yield f"  {nid(r['start'])} -> {nid(r['end'])} " + _attrs(
            color=colour, label='"+"' if r["type"] == SUPPORTS else ('"undercut"' if undercut else '"\u2212"'),
            style='"dashed"' if undercut else "") + ";\n"
    for r in view.same_as():
        yield f"  {nid(r['start'])} -> {nid(r['end'])} " + _attrs(color='"#4575b4"', style='"dashed"', dir="none") + ";\n"
    for d in view.disagreements:
        for side, cids in sorted(d.sides.items()):
            for cid in cids:
                if cid in ids:
                    yield f"  {nid(cid)} -> {nid(d.id)} " + _attrs(color='"#999999"', label=dot_string(side),
                                                                  arrowhead="none") + ";\n"
        for xid in d.cruxes:
            if xid in ids:
                yield f"  {nid(xid)} -> {nid(d.id)} " + _attrs(color='"#e08214"', style='"bold"') + ";\n"
    for t in view.topics:
        for cid in view.topic_claims(t["id"]):
            yield f"  {nid(cid)} -> {nid(t['id'])} " + _attrs(color='"#bbbbbb"', style='"dotted"', arrowhead="none") + ";\n"
    yield "}\n"


generate_dot = generate


def write_dot(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the DOT graph for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
