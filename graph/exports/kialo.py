"""Kialo's text outline of one disagreement: a thesis with its pros and cons, as a tree.

Kialo's import and export format::

    Discussion Title: Does remote work make teams more productive?

    1. Remote work makes teams more productive.
    1.1. Pro: Commutes waste about 1.5 hours a day.
    1.1.1. Con: Also, these are not evidence.
    1.2. Con: Teams lose the hallway conversations.
    1.2.1. Con: Hallway chats matter less than deep work.

The thesis (``1.``) is a claim of the disagreement that answers no other claim of it
(the one most of the others lead to). Under each claim come the claims that support it
(``Pro``) or attack it (``Con``), and so on down; a claim met a second time is a link,
``-> See 1.1.``. Claims of the disagreement the tree does not reach hang under the
thesis: ``Pro`` on the thesis's side, ``Con`` on the other. Kialo has no authors,
scores or cruxes; text is one line per claim.

A map with one disagreement exports it; with several, pick one with ``--disagreement
ID``; with none, the tree is built over all claims.

See Also
--------
cruxmap.loaders.kialo : reads Kialo text exports into a map.
"""

from __future__ import annotations

from pathlib import Path

from typing import Iterator

from cruxmap.graph.errors import ExportError
from cruxmap.graph.exports._view import MapView
from cruxmap.graph.schema import SUPPORTS
from cruxmap.graph.store import GraphStore

NAME = "kialo"
EXTENSION = ".txt"
MEDIA_TYPE = "text/plain"
BINARY = False

__all__ = ["generate", "generate_kialo", "write_kialo"]


def _one_line(text: str) -> str:
    return " ".join(text.split())


def generate(store: GraphStore) -> Iterator[str]:
    """The Kialo outline, line by line.

    Raises
    ------
    ExportError
        When the map has more than one disagreement (choose one) or no claims.
    """
    v = MapView.load(store)
    if len(v.disagreements) > 1:
        ids = ", ".join(d.id for d in v.disagreements[:5])
        raise ExportError(f"kialo: the map has {len(v.disagreements)} disagreements; export one with "
                          f"--disagreement ID (e.g. {ids})")
    if not v.claims:
        raise ExportError("kialo: the map has no claims")
    d = v.disagreements[0] if v.disagreements else None
    side = {c: s for s, cids in d.sides.items() for c in cids} if d else {}
    members = [c["id"] for c in v.claims if not d or c["id"] in side]
    children: dict[str, list[tuple[str, str]]] = {}
    answers: dict[str, set[str]] = {}
    for r in v.stances():
        children.setdefault(r["end"], []).append((r["start"], "Pro" if r["type"] == SUPPORTS else "Con"))
        answers.setdefault(r["start"], set()).add(r["end"])

    def reach(root: str) -> set[str]:
        seen, todo = {root}, [root]
        while todo:
            for child, _ in children.get(todo.pop(), []):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        return seen

    candidates = [c for c in members if not (answers.get(c, set()) & set(members))] or members
    root = max(candidates, key=lambda c: (len(reach(c) & set(members)), -v.claim_pos[c]))
    title = d.summary if d else next((str(n["properties"]["title"]) for n in v.items
                                      if n["properties"].get("title")), "") or _one_line(v.text(root))
    yield f"Discussion Title: {_one_line(title)}\n\n"
    number: dict[str, str] = {}
    lines: list[str] = []

    def place(cid: str, num: str, kind: str | None) -> None:
        prefix = f"{num}. " + (f"{kind}: " if kind else "")
        if cid in number:
            lines.append(f"{prefix}-> See {number[cid]}.\n")
            return
        number[cid] = num
        lines.append(prefix + _one_line(v.text(cid)) + "\n")
        kids = list(children.get(cid, []))
        if cid == root:  # claims of the disagreement nothing else leads to hang under the thesis
            reached = reach(root)
            kids += [(c, "Pro" if side.get(c) == side.get(root) else "Con")
                     for c in members if c not in reached]
        for i, (child, k) in enumerate(kids, 1):
            place(child, f"{num}.{i}", k)

    place(root, "1", None)
    yield from lines


generate_kialo = generate


def write_kialo(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the Kialo outline for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
