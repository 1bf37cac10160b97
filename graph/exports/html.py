"""A readable report as one self-contained HTML page, built around the crux map.

The page opens with the crux map: one row per crux, the authors on each side of it, and
the disagreements that hinge on it, each a click away from what both sides said (quotes
with links to the sources). Then who disagrees with whom, the topics, and, folded away,
every exchange and every claim by author. It reads the same at 10 claims and at 5,000:
text is never drawn smaller than the body's 15 px, nothing is wider than the page (at
most 72 rem), and long lists fold (``<details>``), so no picture is ever scaled down to
fit. The whole argument graph, every claim in one picture, is an option for small maps
(drawn by Graphviz when installed, folded away); for big maps the page points to the
``svg``, ``gexf`` and ``graphml`` exports, which are made for that.

One file: the styles are inline and nothing is loaded from elsewhere (no scripts, fonts
or images); links go to the sources (http(s) only). Every source string is
HTML-escaped (``html.escape`` with quotes), so text such as ``<script>`` in a comment
shows as text and never runs.

Examples
--------
>>> from cruxmap.graph.nx_store import NxStore
>>> page = "".join(generate(NxStore(":memory:")))
>>> page.startswith("<!DOCTYPE html>"), "<script" in page
(True, False)
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Iterator

from cruxmap.graph.analysis.words import crux_kind, status, sureness
from cruxmap.graph.exports import dot
from cruxmap.graph.exports._graphviz import dot_available, render
from cruxmap.graph.exports._report import CruxRow, DisagreementReport, Quote, build, by_author, counts_line
from cruxmap.graph.exports._view import xml_safe
from cruxmap.graph.store import GraphStore

NAME = "html"
EXTENSION = ".html"
MEDIA_TYPE = "text/html"
BINARY = False

__all__ = ["generate", "generate_html", "write_html"]

#: Rows of the crux map shown open; the rest fold under "more cruxes".
OPEN_ROWS = 25
#: Disagreements listed under one crux before the rest fold.
OPEN_DISAGREEMENTS = 6
#: Author pairs shown before the rest fold.
OPEN_PAIRS = 15
#: The whole-graph picture is offered up to this many claims (past it, one picture is unreadable).
PICTURE_UP_TO_CLAIMS = 150

_STYLE = """
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;max-width:72rem;margin:1.5rem auto;padding:0 1rem;color:#222;overflow-wrap:anywhere}
h1{font-size:1.7rem;margin:0 0 .2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd;font-size:1.35rem}
.counts,.meta,.lead{color:#555}.meta{font-size:14px}
.crux{border:1px solid #ddd;border-radius:8px;padding:.7rem 1rem;margin:.8rem 0;background:#fff}
.crux-text{font-weight:600;font-size:17px;margin:0}.crux-none .crux-text{font-weight:normal;font-style:italic}
.who{margin:.35rem 0}.who .vs{color:#555;font-size:14px;margin:0 .4rem}
.chip{display:inline-block;border-radius:1em;padding:0 .6em;margin:.1em .15em;font-size:14px;font-weight:600}
.a .chip{background:#fde3d3;color:#7a2d00}.b .chip{background:#d6e7f5;color:#083d66}
ul.dis{list-style:none;padding:0;margin:.3rem 0 0}ul.dis>li{border-top:1px solid #eee;padding:.25rem 0}
details>summary{cursor:pointer}details[open]>summary{margin-bottom:.4rem}
.sides{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.side h4{margin:.2rem 0;font-size:15px}
.side.a h4{color:#a03a00}.side.b h4{color:#0a4f85}
blockquote{margin:.4rem 0;padding:.4rem .7rem;border-left:4px solid #ccc;background:#fafafa;white-space:pre-wrap}
.side.a blockquote{border-color:#e69f00}.side.b blockquote{border-color:#56b4e9}
blockquote footer{color:#555;font-size:14px;white-space:normal}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #ddd;padding:.35rem .5rem;vertical-align:top;text-align:left}
td.n{text-align:right}ul.topics{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.4rem}
ul.topics li{border:1px solid #ccc;border-radius:1em;padding:0 .7em}
figure.whole{overflow:auto;max-height:80vh;border:1px solid #ddd;margin:.5rem 0;padding:.5rem}
@media (max-width:40rem){.sides{grid-template-columns:1fr}}
""".strip()


def _e(text: object) -> str:
    return escape(xml_safe(str(text)), quote=True)


def _quote(q: Quote) -> str:
    link = f' \u00b7 <a href="{_e(q.url)}" rel="noopener noreferrer">source</a>' if q.url else ""
    return f"<blockquote>{_e(q.text)}<footer>\u2014 {_e(q.author)}{link}</footer></blockquote>"


def _chips(names: list[str]) -> str:
    return "".join(f'<span class="chip">{_e(n)}</span>' for n in names) or '<span class="meta">\u2014</span>'


def _disagreement(d: DisagreementReport, with_names: bool = True) -> str:
    """One disagreement: a summary line; both sides' quotes one click away."""
    names = {s: ", ".join(d.authors.get(s, [])) or "\u2014" for s in ("a", "b")}
    sides = "".join(f'<div class="side {s}"><h4>{_e(names[s])}</h4>'
                    + "".join(_quote(q) for q in d.sides.get(s, [])) + "</div>" for s in ("a", "b"))
    who = f"{_e(names['a'])} vs {_e(names['b'])} \u00b7 " if with_names else ""
    return (f"<details><summary>{_e(d.summary)} <span class=\"meta\">\u2014 {who}{_e(status(d.status))} "
            f"\u00b7 {_e(sureness(d.confidence))}</span></summary><div class=\"sides\">{sides}</div></details>")


def _crux_row(i: int, row: CruxRow) -> str:
    n = len(row.disagreements)
    if row.text:
        under = f"{n} disagreement{'s' if n != 1 else ''}" if n else "no disagreement found under it yet"
        head = (f'<p class="crux-text">{i}. {_e(row.text)}</p><p class="meta">{_e(crux_kind(row.kind))}'
                f" \u00b7 {under}</p>")
    else:
        head = '<p class="crux-text">Disagreements that hinge on no crux found</p>'
    if not n:
        return f'<article class="crux">{head}</article>\n'
    names = n > 1 or not row.text  # one disagreement under a crux: the row already names its sides
    shown, rest = row.disagreements[:OPEN_DISAGREEMENTS], row.disagreements[OPEN_DISAGREEMENTS:]
    items = "".join(f"<li>{_disagreement(d, names)}</li>" for d in shown)
    if rest:
        items += (f"<li><details><summary>{len(rest)} more disagreements</summary><ul class=\"dis\">"
                  + "".join(f"<li>{_disagreement(d, names)}</li>" for d in rest) + "</ul></details></li>")
    who = (f'<div class="who"><span class="a">{_chips(row.authors.get("a", []))}</span><span class="vs">vs</span>'
           f'<span class="b">{_chips(row.authors.get("b", []))}</span></div>')
    return (f'<article class="crux{"" if row.text else " crux-none"}">{head}{who}'
            f'<ul class="dis">{items}</ul></article>\n')


def _whole_graph(store: GraphStore, claims: int) -> str:
    """The whole argument graph, folded away: drawn for small maps, pointed to for big ones."""
    if claims <= PICTURE_UP_TO_CLAIMS and dot_available():
        svg = render("".join(dot.generate(store)), "svg").decode("utf-8")
        svg = svg[svg.find("<svg"):] if "<svg" in svg else svg
        return ("<details><summary>The whole argument graph: every claim, by author, and how they relate"
                f"</summary><figure class=\"whole\">{svg}<figcaption class=\"meta\">Green: supports, red: "
                "attacks (dashed: undercut); octagons: disagreements; diamonds: cruxes.</figcaption>"
                "</figure></details>\n")
    why = (f"with {claims:,} claims one picture of every claim is too dense to read"
           if claims > PICTURE_UP_TO_CLAIMS else "Graphviz is not installed to draw it")
    return (f'<p class="meta">The whole argument graph is not drawn here: {why}. '
            "<code>cruxmap export --format gexf</code> (or <code>graphml</code>) opens it in Gephi or yEd; "
            "<code>--format svg</code> draws it with Graphviz.</p>\n")


def generate(store: GraphStore) -> Iterator[str]:
    """The HTML page, section by section."""
    r, v = build(store)
    yield (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
           f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
           f'<meta name="generator" content="cruxmap">\n<title>{_e(r.title)}</title>\n'
           f"<style>\n{_STYLE}\n</style>\n</head>\n<body>\n")
    yield f"<header><h1>{_e(r.title)}</h1><p class=\"counts\">{_e(counts_line(r.counts))}</p></header>\n"
    yield '<section id="map"><h2>The crux map</h2>\n'
    if r.crux_rows:
        yield ('<p class="lead">Each row is a crux: a claim the disagreement turns on. Under it, who stands '
               "on each side and the disagreements that hinge on it; open one for what each side said.</p>\n")
        for i, row in enumerate(r.crux_rows[:OPEN_ROWS], 1):
            yield _crux_row(i, row)
        rest = r.crux_rows[OPEN_ROWS:]
        if rest:
            yield f"<details><summary>{len(rest)} more cruxes</summary>\n"
            for i, row in enumerate(rest, OPEN_ROWS + 1):
                yield _crux_row(i, row)
            yield "</details>\n"
    else:
        yield "<p>No disagreements found.</p>\n"
    yield _whole_graph(store, r.counts["claims"])
    yield '</section>\n<section id="pairs"><h2>Who disagrees with whom</h2>\n'
    if r.pairs:
        head = "<table><tr><th>Author</th><th>Author</th><th>Disagreements</th><th>Attacks</th><th>Supports</th></tr>\n"

        def rows(pairs):
            return "".join(f"<tr><td>{_e(p.a)}</td><td>{_e(p.b)}</td><td class=\"n\">{p.disagreements}</td>"
                           f"<td class=\"n\">{p.attacks}</td><td class=\"n\">{p.supports}</td></tr>\n" for p in pairs)
        yield head + rows(r.pairs[:OPEN_PAIRS]) + "</table>\n"
        if len(r.pairs) > OPEN_PAIRS:
            yield (f"<details><summary>{len(r.pairs) - OPEN_PAIRS} more pairs</summary>" + head
                   + rows(r.pairs[OPEN_PAIRS:]) + "</table></details>\n")
    else:
        yield "<p>No two authors answer each other in this map.</p>\n"
    yield "</section>\n"
    if r.topics:
        yield ('<section id="topics"><h2>Topics</h2><ul class="topics">'
               + "".join(f"<li>{_e(t)} <span class=\"meta\">{n}</span></li>" for t, n in r.topics)
               + "</ul></section>\n")
    yield '<section id="exchanges"><h2>Exchanges</h2>\n'
    if r.exchanges:
        yield (f"<details><summary>All {len(r.exchanges):,} exchanges: who attacked or backed whose claim"
               "</summary><table><tr><th>Claim</th><th></th><th>Answers</th></tr>\n")
        for src, kind, dst in r.exchanges:
            yield f"<tr><td>{_quote(src)}</td><td>{_e(kind)}</td><td>{_quote(dst)}</td></tr>\n"
        yield "</table></details>\n"
    else:
        yield "<p>None found.</p>\n"
    yield '</section>\n<section id="claims"><h2>Claims by author</h2>\n'
    for name, texts in by_author(v).items():
        yield (f"<details><summary>{_e(name)} <span class=\"meta\">{len(texts)} claim"
               f"{'s' if len(texts) != 1 else ''}</span></summary><ul>"
               + "".join(f"<li>{_e(t)}</li>" for t in texts) + "</ul></details>\n")
    yield "</section>\n</body>\n</html>\n"


generate_html = generate


def write_html(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the HTML page for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
