"""A readable report as one self-contained HTML page, with the map drawn in it.

The same report as :mod:`cruxmap.graph.exports.markdown` (who disagrees with whom, each
disagreement's two sides side by side, the cruxes, the exchanges, the topics) plus the
map as an inline SVG picture (drawn by Graphviz's ``dot`` when it is installed,
otherwise by a simple built-in circle layout). One file: the styles are inline and
nothing is loaded from elsewhere (no scripts, fonts or images); links go to the
sources (http(s) only).

Every source string is HTML-escaped (``html.escape`` with quotes), so text such as
``<script>`` in a comment shows as text and never runs.

Examples
--------
>>> from cruxmap.graph.nx_store import NxStore
>>> page = "".join(generate(NxStore(":memory:")))
>>> page.startswith("<!DOCTYPE html>"), "<svg" in page
(True, True)
"""

from __future__ import annotations

from pathlib import Path

import math
from html import escape
from typing import Iterator

from cruxmap.graph.exports import dot
from cruxmap.graph.exports._graphviz import dot_available, render
from cruxmap.graph.exports._report import Quote, build, by_author, counts_line
from cruxmap.graph.exports._view import MapView, shorten, xml_safe
from cruxmap.graph.schema import SUPPORTS
from cruxmap.graph.store import GraphStore

NAME = "html"
EXTENSION = ".html"
MEDIA_TYPE = "text/html"
BINARY = False

__all__ = ["generate", "generate_html", "write_html"]

_STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.7rem;margin-bottom:.2rem}h2{margin-top:2.2rem;border-bottom:1px solid #ddd}
.counts{color:#666}figure.map{overflow:auto;border:1px solid #ddd;padding:.5rem;margin:1rem 0}
figure.map svg{max-width:100%;height:auto}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:.35rem .5rem;vertical-align:top;text-align:left}
td.n{text-align:right}.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.side h4{margin:.2rem 0}.side.a h4{color:#b2182b}.side.b h4{color:#2166ac}
blockquote{margin:.4rem 0;padding:.4rem .7rem;border-left:4px solid #ccc;background:#fafafa;white-space:pre-wrap}
.side.a blockquote{border-color:#ef8a62}.side.b blockquote{border-color:#67a9cf}
blockquote footer{color:#666;font-size:.85rem;white-space:normal}.crux{font-weight:600}
""".strip()


def _e(text: object) -> str:
    return escape(xml_safe(str(text)), quote=True)


def _quote(q: Quote) -> str:
    link = f' \u00b7 <a href="{_e(q.url)}" rel="noopener noreferrer">source</a>' if q.url else ""
    return f"<blockquote>{_e(q.text)}<footer>\u2014 {_e(q.author)}{link}</footer></blockquote>"


def _inline_svg(svg: str) -> str:
    """Graphviz's SVG document as an element to inline (no XML prolog or DOCTYPE)."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


def _circle_svg(view: MapView) -> str:
    """A plain drawing without Graphviz: claims on a circle, coloured by author, and their relations."""
    claims = [c["id"] for c in view.claims]
    size, radius = 640, 260
    pos = {cid: (size / 2 + radius * math.cos(2 * math.pi * i / max(len(claims), 1) - math.pi / 2),
                 size / 2 + radius * math.sin(2 * math.pi * i / max(len(claims), 1) - math.pi / 2))
           for i, cid in enumerate(claims)}
    authors = [a["id"] for a in view.authors]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" width="{size}" height="{size}" '
           'role="img" aria-label="map of the claims and how they relate">']
    for r in view.stances():
        (x1, y1), (x2, y2) = pos[r["start"]], pos[r["end"]]
        colour = "#1a9850" if r["type"] == SUPPORTS else "#d73027"
        out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="{colour}" stroke-width="2"/>')
    for cid, (x, y) in pos.items():
        aid = view.claim_author(cid)
        colour = dot.PALETTE[authors.index(aid) % len(dot.PALETTE)] if aid in authors else "#eeeeee"
        who = view.name(aid) or "unknown author"
        out.append(f'<g><title>{_e(who)}: {_e(view.text(cid))}</title>'
                   f'<circle cx="{x:.1f}" cy="{y:.1f}" r="14" fill="{colour}" stroke="#666"/>'
                   f'<text x="{x:.1f}" y="{y + 28:.1f}" font-size="10" text-anchor="middle">'
                   f'{_e(shorten(view.text(cid), 28))}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


def _picture(store: GraphStore, view: MapView) -> str:
    if dot_available():
        return _inline_svg(render("".join(dot.generate(store)), "svg").decode("utf-8"))
    return _circle_svg(view)


def generate(store: GraphStore) -> Iterator[str]:
    """The HTML page, section by section."""
    r, v = build(store)
    yield (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           f'<meta name="generator" content="cruxmap">\n<title>{_e(r.title)}</title>\n'
           f"<style>\n{_STYLE}\n</style>\n</head>\n<body>\n")
    yield f"<header><h1>{_e(r.title)}</h1><p class=\"counts\">{_e(counts_line(r.counts))}</p></header>\n"
    yield f'<figure class="map">\n{_picture(store, v)}\n<figcaption>Claims by author; green: supports, ' \
          f'red: attacks (dashed: undercut); octagons: disagreements; diamonds: cruxes.</figcaption></figure>\n'
    yield '<section id="pairs"><h2>Who disagrees with whom</h2>\n'
    if r.pairs:
        yield "<table><tr><th>Author</th><th>Author</th><th>Disagreements</th><th>Attacks</th><th>Supports</th></tr>\n"
        for p in r.pairs:
            yield (f"<tr><td>{_e(p.a)}</td><td>{_e(p.b)}</td><td class=\"n\">{p.disagreements}</td>"
                   f"<td class=\"n\">{p.attacks}</td><td class=\"n\">{p.supports}</td></tr>\n")
        yield "</table>\n"
    else:
        yield "<p>No two authors answer each other in this map.</p>\n"
    yield "</section>\n<section id=\"disagreements\"><h2>Disagreements</h2>\n"
    if not r.disagreements:
        yield "<p>None found.</p>\n"
    for i, d in enumerate(r.disagreements, 1):
        names = {s: ", ".join(d.authors.get(s, [])) or "\u2014" for s in ("a", "b")}
        yield (f"<article><h3>{i}. {_e(d.summary)}</h3><p>Status: {_e(d.status)}, confidence "
               f"{d.confidence:.2f}. {_e(names['a'])} vs {_e(names['b'])}.</p>\n<div class=\"sides\">")
        for side in ("a", "b"):
            yield (f'<div class="side {side}"><h4>Side {side.upper()}: {_e(names[side])}</h4>'
                   + "".join(_quote(q) for q in d.sides.get(side, [])) + "</div>")
        yield "</div>\n"
        if d.cruxes:
            yield "<p>Hinges on: " + "; ".join(f'<span class="crux">{_e(x)}</span>' for x in d.cruxes) + "</p>\n"
        yield "</article>\n"
    yield "</section>\n<section id=\"cruxes\"><h2>Cruxes</h2>\n"
    if r.cruxes:
        yield "<ol>" + "".join(
            f'<li><span class="crux">{_e(x["text"])}</span> \u2014 score {x["score"]:.2f}, {_e(x["kind"])}'
            + (f"; in: {_e('; '.join(x['disagreements']))}" if x["disagreements"] else "") + "</li>"
            for x in r.cruxes) + "</ol>\n"
    else:
        yield "<p>None found.</p>\n"
    yield "</section>\n<section id=\"exchanges\"><h2>Exchanges</h2>\n"
    if r.exchanges:
        yield "<table><tr><th>Claim</th><th></th><th>Answers</th></tr>\n"
        for src, kind, dst in r.exchanges:
            yield f"<tr><td>{_quote(src)}</td><td>{_e(kind)}</td><td>{_quote(dst)}</td></tr>\n"
        yield "</table>\n"
    else:
        yield "<p>None found.</p>\n"
    yield "</section>\n"
    if r.topics:
        yield ('<section id="topics"><h2>Topics</h2><ul>'
               + "".join(f"<li>{_e(t)} ({n} claims)</li>" for t, n in r.topics) + "</ul></section>\n")
    yield '<section id="claims"><h2>Claims by author</h2>\n'
    for name, texts in by_author(v).items():
        yield f"<h3>{_e(name)}</h3><ul>" + "".join(f"<li>{_e(t)}</li>" for t in texts) + "</ul>\n"
    yield "</section>\n</body>\n</html>\n"


generate_html = generate


def write_html(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the HTML page for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
