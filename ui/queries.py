"""The query page's ready-made questions, answered as flat rows that fit a table and a CSV file.

Examples
--------
>>> to_csv([{"a": 1, "b": "x, y"}, {"a": 2, "b": "=1+1"}]).splitlines()
['a,b', '1,"x, y"', "2,'=1+1"]
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from cruxmap.graph.errors import CruxmapError
from cruxmap.graph.store import GraphStore


def topic_labels(store: GraphStore) -> list[dict[str, Any]]:
    """Topics by claim count."""
    return store.topics()


def _names(store: GraphStore) -> dict[str, str]:
    return {a["id"]: a["name"] for a in store.authors()}


def _quotes(claims: list[dict[str, Any]], n: int = 3) -> str:
    return " | ".join(f"{c.get('author') or 'unknown'}: {c['text']}" for c in claims[:n])


def disagreement_rows(store: GraphStore, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Disagreement rows flattened: one line each, both sides' authors and first quotes."""
    names = _names(store)
    cruxes = {c["id"]: c["text"] for c in store.cruxes()} if rows else {}
    return [{"summary": d["summary"], "status": d["status"], "confidence": d["confidence"],
             "side A": ", ".join(names.get(a, a) for a in d["authors"].get("a", [])),
             "side A says": _quotes(d["sides"].get("a", [])),
             "side B": ", ".join(names.get(a, a) for a in d["authors"].get("b", [])),
             "side B says": _quotes(d["sides"].get("b", [])),
             "cruxes": " | ".join(cruxes.get(x, x) for x in d["cruxes"]), "id": d["id"]}
            for d in rows]


def crux_rows(store: GraphStore, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Crux rows flattened."""
    names = _names(store)
    return [{"crux": c["text"], "score": c["score"], "kind": c["kind"],
             "side A": ", ".join(names.get(a, a) for a in c["authors"].get("a", [])),
             "side B": ", ".join(names.get(a, a) for a in c["authors"].get("b", [])),
             "evidence": c.get("evidence") or "", "disagreements": len(c["disagreements"]),
             "id": c["id"]} for c in rows]


def run(store: GraphStore, question: str, *args: str) -> list[dict[str, Any]]:
    """Answer one of the query page's questions.

    ``question`` is ``between`` (a, b), ``topic`` (label), ``author_cruxes`` (author),
    ``status`` (open | conceded | resolved), ``claims`` (phrase, author or '') or ``authors``.
    """
    if question == "between":
        a, b = args
        if a == b:
            raise CruxmapError("pick two different authors")
        return disagreement_rows(store, store.disagreements(between=(a, b)))
    if question == "topic":
        return disagreement_rows(store, store.disagreements(topic=args[0])) if args[0] else []
    if question == "author_cruxes":
        return crux_rows(store, store.cruxes(author=args[0]))
    if question == "status":
        return disagreement_rows(store, store.disagreements(status=args[0]))
    if question == "claims":
        text, author = args
        return [{"author": c["author"], "claim": c["text"], "role": c["role"], "stance": c["stance"],
                 "url": c["url"], "id": c["id"]}
                for c in store.claims(author=author or None, text=text or None, limit=2000)]
    if question == "authors":
        return [{k: a[k] for k in ("name", "posts", "comments", "claims", "id")} for a in store.authors()]
    raise CruxmapError(f"unknown question {question!r}")


def cypher(store: GraphStore, query: str) -> list[dict[str, Any]]:
    """A user's read-only Cypher on a Neo4j store, values made printable for a table."""
    rows = store.cypher(query)  # type: ignore[attr-defined]
    return [{k: v if isinstance(v, (str, int, float, bool)) or v is None else json.dumps(v, default=str)
             for k, v in r.items()} for r in rows]


def _cell(value: Any) -> Any:
    """Source text that a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def to_csv(rows: list[dict[str, Any]]) -> str:
    """Rows as CSV text (columns from the first row); formula-like cells are defused."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=list(rows[0]) if rows else [], extrasaction="ignore",
                       lineterminator="\n")
    w.writeheader()
    w.writerows({k: _cell(v) for k, v in r.items()} for r in rows)
    return buf.getvalue()


def to_json(rows: list[dict[str, Any]]) -> str:
    """Rows as pretty JSON."""
    return json.dumps(rows, indent=2, ensure_ascii=False)
