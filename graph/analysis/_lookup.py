"""Small lookups the analysis modules share: author names, items, claim rows, paragraphs."""

from __future__ import annotations

from typing import Any

from cruxmap.graph.schema import AUTHOR, CLAIM
from cruxmap.graph.store import GraphStore


def author_names(store: GraphStore) -> dict[str, str]:
    """Author id -> display name."""
    return {a["id"]: a["name"] for a in store.authors()}


def resolve_author(store: GraphStore, who: str) -> str | None:
    """The id of the author ``who`` names (an id or a display name, any case), or None."""
    key = who.strip().casefold()
    for a in store.authors():
        if a["id"] == who or a["name"].casefold() == key:
            return a["id"]
    return None


def item(store: GraphStore, item_id: str | None) -> dict[str, Any]:
    """A post's or comment's properties (empty when unknown)."""
    n = store.node(item_id) if item_id else None
    return dict(n["properties"], label=n["label"]) if n else {}


def claim_rows(store: GraphStore) -> dict[str, dict[str, Any]]:
    """Every claim row (see :meth:`GraphStore.claims`) by id."""
    return {c["id"]: c for c in store.claims()}


def claim_row(store: GraphStore, claim_id: str) -> dict[str, Any] | None:
    """One claim as a claim row, or None."""
    n = store.node(claim_id)
    if not n or n["label"] != CLAIM:
        return None
    p = n["properties"]
    aid = p.get("author_id")
    author = store.node(aid) if aid else None
    src = item(store, p.get("source_id"))
    return {"id": claim_id, "text": p.get("text", ""), "author_id": aid,
            "author": author["properties"].get("name") if author and author["label"] == AUTHOR else None,
            "source_id": p.get("source_id"), "url": src.get("url", ""),
            "role": p.get("role", "claim"), "stance": p.get("stance"),
            "stance_confidence": p.get("stance_confidence"),
            "start": p.get("start"), "end": p.get("end")}


def paragraph(text: str, start: int, end: int) -> dict[str, Any]:
    """The paragraph (blank-line separated) of ``text`` holding the span ``[start, end)``.

    Returns ``{"text", "start", "end"}`` where ``start``/``end`` are the span's offsets
    inside the paragraph, so a view can highlight the quote where it was written.

    Examples
    --------
    >>> paragraph("One.\\n\\nTwo. Three.\\n\\nFour.", 11, 17)
    {'text': 'Two. Three.', 'start': 5, 'end': 11}
    """
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    left = text.rfind("\n\n", 0, start)
    left = 0 if left < 0 else left + 2
    right = text.find("\n\n", end)
    right = len(text) if right < 0 else right
    return {"text": text[left:right], "start": start - left, "end": end - left}


def when(store: GraphStore, claim: dict[str, Any], cache: dict[str, str]) -> str:
    """When the item holding ``claim`` was posted ('' when unknown), memoised in ``cache``."""
    src = claim.get("source_id") or ""
    if src not in cache:
        cache[src] = str(item(store, src).get("posted_at", "") or "")
    return cache[src]
