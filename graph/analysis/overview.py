"""The map at a glance: its size, the top cruxes with who stands on each side, topics.

Examples
--------
>>> from cruxmap.graph.nx_store import NxStore
>>> s = map_summary(NxStore(":memory:"))
>>> s["claims"], s["is_empty"], s["has_disagreements"]
(0, True, False)
"""

from __future__ import annotations

from typing import Any

from cruxmap.graph.analysis._lookup import author_names
from cruxmap.graph.schema import (
    ATTACKS, AUTHOR, CLAIM, COMMENT, CRUX, DISAGREEMENT, POST, SUPPORTS, TOPIC,
)
from cruxmap.graph.store import GraphStore

__all__ = ["map_summary", "top_cruxes", "topic_rows"]


def map_summary(store: GraphStore) -> dict[str, Any]:
    """Counts of what the map holds, and whether decomposition found relations yet.

    Returns
    -------
    dict
        ``posts, comments, authors, claims, disagreements, cruxes, topics, attacks,
        supports, open, conceded, resolved`` (ints) and ``is_empty``,
        ``has_disagreements``, ``has_relations`` (bools).
    """
    st = store.stats()
    nodes, rels = st.get("nodes", {}), st.get("relationships", {})
    out: dict[str, Any] = {
        "posts": nodes.get(POST, 0), "comments": nodes.get(COMMENT, 0),
        "authors": nodes.get(AUTHOR, 0), "claims": nodes.get(CLAIM, 0),
        "disagreements": nodes.get(DISAGREEMENT, 0), "cruxes": nodes.get(CRUX, 0),
        "topics": nodes.get(TOPIC, 0), "attacks": rels.get(ATTACKS, 0),
        "supports": rels.get(SUPPORTS, 0),
    }
    status = {"open": 0, "conceded": 0, "resolved": 0}
    if out["disagreements"]:
        status.update(store.disagreement_statuses())
    out.update(status)
    out["is_empty"] = not (out["posts"] or out["comments"] or out["claims"])
    out["has_disagreements"] = out["disagreements"] > 0
    out["has_relations"] = (out["attacks"] + out["supports"]) > 0
    return out


def top_cruxes(store: GraphStore, limit: int = 5) -> list[dict[str, Any]]:
    """The highest-scoring cruxes with the authors on each side by name.

    Each row is a crux row (``id, text, score, kind, evidence, disagreements``) plus
    ``sides``: ``{"a": [{id, name}], "b": [{id, name}]}``.
    """
    cruxes = store.cruxes(limit=limit)
    names = author_names(store, {a for c in cruxes for side in c["authors"].values() for a in side})
    rows = []
    for c in cruxes:
        sides = {s: [{"id": a, "name": names.get(a, a)} for a in c["authors"].get(s, [])]
                 for s in ("a", "b")}
        rows.append({k: c[k] for k in ("id", "text", "score", "kind", "evidence", "disagreements")}
                    | {"sides": sides})
    return rows


def topic_rows(store: GraphStore, limit: int | None = None) -> list[dict[str, Any]]:
    """Topics by claim count (``{id, label, claims}``), biggest first."""
    return store.topics(limit=limit)
