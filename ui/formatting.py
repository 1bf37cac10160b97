"""Plain-text rendering of query results for the terminal."""

from __future__ import annotations

import textwrap
from typing import Any

from cruxmap.graph.store import GraphStore

WIDTH = 100


def plural(n: int, word: str, many: str | None = None) -> str:
    """The count and the word in the right number.

    >>> plural(1, "comment"), plural(2, "comment"), plural(0, "crux", "cruxes")
    ('1 comment', '2 comments', '0 cruxes')
    """
    return f"{n:,} {word if n == 1 else (many or word + 's')}"


def file_summary(f: Any) -> str:
    """One ingested file in words: ``"lesswrong, 1 post, 12 comments, 5 authors, ..."``.

    A file whose items do not all show their author (a pasted page) says how many do not.
    """
    unshown = getattr(f, "unattributed", 0)
    return (f"{f.format}, " + totals_summary([f])
            + (f", {plural(unshown, 'item')} with no visible author" if unshown else ""))


def totals_summary(files: list[Any]) -> str:
    """What ingested files (:class:`cruxmap.ui.ingest.FileReport`) add up to, in words."""
    def total(key: str) -> int:
        return sum(getattr(f, key) for f in files)
    return ", ".join([plural(total("posts"), "post"), plural(total("comments"), "comment"),
                      plural(total("authors"), "author"), plural(total("claims"), "claim"),
                      plural(total("disagreements"), "disagreement"),
                      plural(total("cruxes"), "crux", "cruxes")])


def _quote(text: str, indent: str = "      ") -> str:
    return textwrap.fill(f"“{text}”", WIDTH, initial_indent=indent, subsequent_indent=indent + " ")


def _names(store_authors: dict[str, str], ids: list[str]) -> str:
    return ", ".join(store_authors.get(i, i) for i in ids) or "author not shown"


def format_rows(what: str, rows: list[dict[str, Any]], store: GraphStore) -> str:
    """Human-readable text for the rows of query ``what``."""
    if not rows:
        return f"no {what} found"
    names = {a["id"]: a["name"] for a in store.authors()} if what in ("disagreements", "cruxes") else {}
    out: list[str] = []
    for i, r in enumerate(rows, 1):
        if what == "authors":
            out.append(f"{r['name']:30} {plural(r['posts'], 'post'):>10} {plural(r['comments'], 'comment'):>14} "
                       f"{plural(r['claims'], 'claim'):>12}")
        elif what == "claims":
            out.append(f"[{r['author'] or 'author not shown'}] {r['text']}")
        elif what == "topics":
            out.append(f"{r['label']:40} {plural(r['claims'], 'claim')}")
        elif what == "divergence":
            out.append(f"{r['a_name']} vs {r['b_name']}: {plural(r['disagreements'], 'disagreement')} "
                       f"(disagreement weight {r['disagree']}, agreement weight {r['agree']})")
        elif what == "disagreements":
            out.append(f"{i}. {r['summary']}  [{r['status']}, confidence {r['confidence']}]")
            for side in ("a", "b"):
                out.append(f"   side {side.upper()} ({_names(names, r['authors'].get(side, []))}):")
                for c in r["sides"].get(side, [])[:3]:
                    out.append(_quote(c["text"]))
            out.append("")
        elif what == "cruxes":
            out.append(f"{i}. ({r['score']:.2f}, {r['kind']}) {r['text']}")
            a, b = r["authors"].get("a", []), r["authors"].get("b", [])
            if a or b:
                out.append(f"   between {_names(names, a)} and {_names(names, b)}")
    return "\n".join(out).rstrip()
