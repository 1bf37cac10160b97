"""Small lookups the analysis modules share: author names, items, claim rows, paragraphs."""

from __future__ import annotations

from typing import Any, Iterable

from cruxmap.graph.store import GraphStore


def author_names(store: GraphStore, ids: Iterable[str] | None = None) -> dict[str, str]:
    """Author id -> display name (of every author, or of the given ids)."""
    return store.author_names(None if ids is None else [i for i in ids if i])


def resolve_author(store: GraphStore, who: str) -> str | None:
    """The id of the author ``who`` names (an id or a display name, any case), or None.

    An id wins; of several authors with that name, the first by id.
    """
    if store.author_names([who]):
        return who
    key = who.strip().casefold()
    return min((a for a, name in store.author_names().items() if name.casefold() == key), default=None)


def item(store: GraphStore, item_id: str | None) -> dict[str, Any]:
    """A post's or comment's properties (empty when unknown)."""
    n = store.node(item_id) if item_id else None
    return dict(n["properties"], label=n["label"]) if n else {}


def claim_row(store: GraphStore, claim_id: str) -> dict[str, Any] | None:
    """One claim as a claim row (see :meth:`GraphStore.claims`), or None."""
    rows = store.claims(ids=[claim_id])
    return rows[0] if rows else None


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
