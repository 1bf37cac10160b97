"""The map as pictures: the crux map, and who disagrees with whom, as standalone SVGs.

:func:`crux_map_svg` draws what the HTML report opens with: one row per crux, the authors on
each side in their colours, the disagreements under it. :func:`map_svg` draws authors on a
circle with their disagreements and the top cruxes. Neither needs Graphviz, and both stay
readable at any map size: they draw a fixed number of rows or authors, with text at 13 px
or more at their natural width (800 and 1,000 px). Every string from the map is
XML-escaped; the SVG contains no script and no external reference.

>>> rows = [{"text": "Probes catch <deception>.", "kind": "explicit", "disagreements": ["d1"],
...          "sides": {"a": [{"id": "a", "name": "Ann"}], "b": [{"id": "b", "name": "Bo"}]}}]
>>> svg = crux_map_svg(rows, {"d1": "Bo disputes Ann"}, {"a": "#332288"})
>>> "Probes catch &lt;deception&gt;." in svg and "Bo disputes Ann" in svg and 'font-size="1' in svg
True

Examples
--------
>>> m = {"authors": [{"id": "a", "name": "Ann <b>", "claims": 3}, {"id": "b", "name": "Bo", "claims": 1}],
...      "cells": [{"a": "a", "a_name": "Ann <b>", "b": "b", "b_name": "Bo", "disagree": 1.0,
...                 "agree": 0.0, "disagreements": 1, "net": 1.0}]}
>>> svg = map_svg(m, {"a": "#332288", "b": "#CC6677"}, [])
>>> svg.startswith("<svg") and "Ann &lt;b&gt;" in svg and "<b>" not in svg
True
"""

from __future__ import annotations

from typing import Any

from cruxmap.ui.charts import circle_layout
from cruxmap.ui.palette import AGREE, DISAGREE, OTHER
from cruxmap.ui.render import esc, short

WIDTH, HEIGHT = 1000, 720
#: The crux map's natural width: the Export page's column, so its text is never scaled down.
CRUX_WIDTH = 800


def crux_map_svg(cruxes: list[dict[str, Any]], summaries: dict[str, str], colours: dict[str, str],
                 title: str = "cruxmap: the crux map", per_crux: int = 3) -> str:
    """The crux map as an SVG: cruxes (``top_cruxes`` rows) as rows, each with its sides and
    up to ``per_crux`` disagreements (``summaries``: disagreement id -> summary)."""
    from cruxmap.graph.analysis.words import UNKNOWN_AUTHOR, crux_kind

    body, y = [], 80
    for i, c in enumerate(cruxes, 1):
        top = y
        y += 8
        for line in _wrap(f"{i}. {c['text']}", 72)[:3]:
            y += 22
            body.append(f'<text x="40" y="{y}" font-size="17" font-weight="bold">{esc(line)}</text>')
        y += 22
        body.append(f'<text x="40" y="{y}" font-size="13" fill="#555">{esc(crux_kind(c.get("kind")))}</text>')
        x, y = 40, y + 26
        for side in ("a", "b"):
            people = c.get("sides", {}).get(side, []) or [{"id": "", "name": UNKNOWN_AUTHOR}]
            for person in people[:3]:
                name = short(person["name"], 18)
                body.append(f'<circle cx="{x + 6}" cy="{y - 5}" r="6" fill="{colours.get(person["id"], OTHER)}"/>'
                            f'<text x="{x + 17}" y="{y}" font-size="15" font-weight="bold">{esc(name)}</text>')
                x += 30 + 9 * len(name)
            if len(people) > 3:
                body.append(f'<text x="{x}" y="{y}" font-size="14" fill="#555">+{len(people) - 3}</text>')
                x += 40
            if side == "a":
                body.append(f'<text x="{x + 4}" y="{y}" font-size="14" fill="#555">vs</text>')
                x += 36
        for d in c.get("disagreements", [])[:per_crux]:
            if d in summaries:
                y += 22
                body.append(f'<text x="56" y="{y}" font-size="14">\u2013 {esc(short(summaries[d], 88))}</text>')
        more = len(c.get("disagreements", [])) - per_crux
        if more > 0:
            y += 20
            body.append(f'<text x="56" y="{y}" font-size="13" fill="#555">and {more} more</text>')
        y += 18
        body.insert(len(body) - 0, f'<rect x="20" y="{top}" width="{CRUX_WIDTH - 40}" height="{y - top}" rx="8" '
                    'fill="none" stroke="#DDDDDD"/>')
        y += 12
    if not cruxes:
        y += 30
        body.append('<text x="40" y="110" font-size="16">No cruxes found in this map yet.</text>')
    height = y + 20
    return "\n".join([f'<svg xmlns="http://www.w3.org/2000/svg" width="{CRUX_WIDTH}" height="{height}" '
                      f'viewBox="0 0 {CRUX_WIDTH} {height}" font-family="DejaVu Sans, Arial, sans-serif">',
                      f'<rect width="{CRUX_WIDTH}" height="{height}" fill="#FFFFFF"/>',
                      f'<text x="24" y="44" font-size="22" font-weight="bold">{esc(title)}</text>',
                      *body, "</svg>"])


def map_svg(matrix: dict[str, Any], colours: dict[str, str], cruxes: list[dict[str, Any]],
            title: str = "cruxmap: who disagrees with whom") -> str:
    """An SVG document: authors on a circle, disagree (solid) and agree (dashed) edges, cruxes."""
    authors = matrix["authors"][:20]
    cx, cy, r = 330, 390, 250
    pos = {a["id"]: (cx + r * x, cy - r * y) for a, (x, y) in zip(authors, circle_layout(len(authors)))}
    top = max([c["disagree"] or c["disagreements"] for c in matrix["cells"]] +
              [c["agree"] for c in matrix["cells"]] + [1.0])
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
           f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif">',
           f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#FFFFFF"/>',
           f'<text x="24" y="40" font-size="22" font-weight="bold">{esc(title)}</text>']
    for c in matrix["cells"]:
        if c["a"] >= c["b"] or c["a"] not in pos or c["b"] not in pos:
            continue
        (x1, y1), (x2, y2) = pos[c["a"]], pos[c["b"]]
        for weight, colour, dash, off in ((c["disagree"] or c["disagreements"], DISAGREE, "", 3),
                                          (c["agree"], AGREE, ' stroke-dasharray="8 5"', -3)):
            if weight:
                w = 1 + 8 * float(weight) / top
                out.append(f'<line x1="{x1 + off:.1f}" y1="{y1 + off:.1f}" x2="{x2 + off:.1f}" '
                           f'y2="{y2 + off:.1f}" stroke="{colour}" stroke-width="{w:.1f}" '
                           f'stroke-opacity="0.85"{dash}/>')
    most = max([a["claims"] for a in authors] + [1])
    for a in authors:
        x, y = pos[a["id"]]
        rad = 10 + 16 * (a["claims"] / most) ** 0.5
        out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{rad:.1f}" fill="{colours.get(a["id"], OTHER)}" '
                   f'stroke="#333" stroke-width="1"/>')
        out.append(f'<text x="{x:.1f}" y="{y - rad - 6:.1f}" font-size="14" font-weight="bold" '
                   f'text-anchor="middle">{esc(a["name"])}</text>')
    lx = 640
    out.append(f'<line x1="{lx}" y1="80" x2="{lx + 40}" y2="80" stroke="{DISAGREE}" stroke-width="4"/>'
               f'<text x="{lx + 50}" y="85" font-size="14">disagree</text>'
               f'<line x1="{lx + 140}" y1="80" x2="{lx + 180}" y2="80" stroke="{AGREE}" stroke-width="4" '
               f'stroke-dasharray="8 5"/><text x="{lx + 190}" y="85" font-size="14">agree</text>')
    if cruxes:
        out.append(f'<text x="{lx}" y="130" font-size="16" font-weight="bold">Top cruxes</text>')
        y = 158
        for i, c in enumerate(cruxes[:6], 1):
            for j, line in enumerate(_wrap(f"{i}. {c['text']}", 42)[:3]):
                out.append(f'<text x="{lx}" y="{y}" font-size="13">{esc(line)}</text>')
                y += 18
            y += 10
    out.append("</svg>")
    return "\n".join(out)


def _wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap (long words are cut)."""
    lines, cur = [], ""
    for word in short(text, 400).split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word[:width]
        else:
            cur = f"{cur} {word}".strip()[: max(width, len(cur) + 1 + len(word))]
    if cur:
        lines.append(cur)
    return lines
