"""A readable report in Markdown: who disagrees with whom, the cruxes, the quotes with links.

Sections: who disagrees with whom (author pairs with their disagreements, attacks and
supports), each disagreement with both sides' quotes side by side and the cruxes it
hinges on, the cruxes ranked, the exchanges (who attacked or backed whose claim) and
the topics. Every source text is escaped (Markdown punctuation, HTML, table pipes),
so a quote renders as the words it is and never as markup; links are http(s) only.

See Also
--------
cruxmap.graph.exports.html : the same report as one self-contained HTML page with the map drawn in it.

Examples
--------
>>> md_escape("a *b* <i>|")
'a \\\\*b\\\\* \\\\<i\\\\>\\\\|'
"""

from __future__ import annotations

from pathlib import Path

import re
from typing import Iterator

from cruxmap.graph.analysis.words import crux_kind, status
from cruxmap.graph.exports._report import Quote, build, by_author, counts_line
from cruxmap.graph.store import GraphStore

NAME = "markdown"
EXTENSION = ".md"
MEDIA_TYPE = "text/markdown"
BINARY = False

__all__ = ["generate", "generate_markdown", "write_markdown", "md_escape"]

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-!|&~=$^])")


def md_escape(text: str) -> str:
    """One line of ``text`` with Markdown (and HTML) punctuation backslash-escaped."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def _link(url: str) -> str:
    # <...> autolinks cannot contain spaces or '>'; escape the few characters that could end it
    return f"([source](<{url.replace('<', '%3C').replace('>', '%3E').replace(' ', '%20')}>))" if url else ""


def _quote(q: Quote) -> str:
    return f"\u201c{md_escape(q.text)}\u201d \u2014 {md_escape(q.author)} {_link(q.url)}".rstrip()


def generate(store: GraphStore) -> Iterator[str]:
    """The Markdown document, section by section."""
    r, v = build(store)
    c = r.counts
    yield f"# {md_escape(r.title)}\n\n"
    yield f"cruxmap report: {counts_line(c)}.\n\n"
    if r.crux_rows:
        yield "## The crux map\n\n"
        for i, row in enumerate(r.crux_rows, 1):
            a, b = (", ".join(md_escape(x) for x in row.authors.get(s, [])) or "\u2014" for s in ("a", "b"))
            head = f"{i}. **{md_escape(row.text)}** ({crux_kind(row.kind)})" if row.text else \
                f"{i}. *Disagreements that hinge on no crux found*"
            yield f"{head}: {a} vs {b}\n"
            yield "".join(f"   - {md_escape(d.summary)} ({status(d.status)})\n" for d in row.disagreements)
        yield "\n"
    yield "## Who disagrees with whom\n\n"
    if r.pairs:
        yield "| Author | Author | Disagreements | Attacks | Supports |\n|---|---|--:|--:|--:|\n"
        for p in r.pairs:
            yield f"| {md_escape(p.a)} | {md_escape(p.b)} | {p.disagreements} | {p.attacks} | {p.supports} |\n"
        yield "\n"
    else:
        yield "No two authors answer each other in this map.\n\n"
    yield "## Disagreements\n\n"
    if not r.disagreements:
        yield "None found.\n\n"
    for i, d in enumerate(r.disagreements, 1):
        yield f"### {i}. {md_escape(d.summary)}\n\n"
        a, b = (", ".join(md_escape(x) for x in d.authors.get(s, [])) or "\u2014" for s in ("a", "b"))
        yield f"Status: {md_escape(d.status)}, confidence {d.confidence:.2f}. {a} vs {b}.\n\n"
        left, right = d.sides.get("a", []), d.sides.get("b", [])
        yield f"| Side A ({a}) | Side B ({b}) |\n|---|---|\n"
        for j in range(max(len(left), len(right))):
            cells = [_quote(s[j]) if j < len(s) else "" for s in (left, right)]
            yield f"| {cells[0]} | {cells[1]} |\n"
        yield "\n"
        if d.cruxes:
            yield "Hinges on: " + "; ".join(f"**{md_escape(x)}**" for x in d.cruxes) + "\n\n"
    yield "## Cruxes\n\n"
    if not r.cruxes:
        yield "None found.\n\n"
    for i, x in enumerate(r.cruxes, 1):
        where = "; ".join(md_escape(s) for s in x["disagreements"])
        yield (f"{i}. **{md_escape(x['text'])}** \u2014 score {x['score']:.2f}, {md_escape(x['kind'])}"
               + (f"; in: {where}" if where else "") + "\n")
    yield "\n## Exchanges\n\n"
    if r.exchanges:
        yield "| Claim | | Answers |\n|---|---|---|\n"
        for src, kind, dst in r.exchanges:
            yield f"| {_quote(src)} | {kind} | {_quote(dst)} |\n"
        yield "\n"
    else:
        yield "None found.\n\n"
    if r.topics:
        yield "## Topics\n\n" + "".join(f"- {md_escape(t)} ({n} claims)\n" for t, n in r.topics) + "\n"
    yield "## Claims by author\n\n"
    for name, texts in by_author(v).items():
        yield f"### {md_escape(name)}\n\n" + "".join(f"- {md_escape(t)}\n" for t in texts) + "\n"


generate_markdown = generate


def write_markdown(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the Markdown report for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
