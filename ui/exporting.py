"""What the export page needs from :mod:`cruxmap.graph.exports`: the formats, documents on demand, an image.

Examples
--------
>>> "json" in [f["name"] for f in formats()]
True
"""

from __future__ import annotations

from typing import Any, Callable

from cruxmap.graph.errors import CruxmapError
from cruxmap.graph.exports import export, exporters
from cruxmap.graph.store import GraphStore, open_store

#: Image formats, best first, that the export page shows as "the map as a picture".
IMAGE_FORMATS = ("svg", "png")


def formats() -> list[dict[str, Any]]:
    """Every export format: ``{name, extension, media_type, binary, description}``."""
    return [{"name": e.name, "extension": e.extension, "media_type": e.media_type,
             "binary": e.binary, "description": e.description} for e in exporters().values()]


def image_format(fmts: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The best image exporter available, or None."""
    by_name = {f["name"]: f for f in fmts}
    return next((by_name[n] for n in IMAGE_FORMATS if n in by_name), None)


def document(store: GraphStore, fmt: str, **filters: str | None) -> bytes:
    """The whole export document as bytes."""
    chunks = export(store, fmt, **filters)
    return b"".join(c if isinstance(c, bytes) else c.encode("utf-8") for c in chunks)


def deferred(db: str, fmt: str, filters: dict[str, str | None]) -> Callable[[], bytes]:
    """A callable for ``st.download_button``: opens the store and exports when clicked."""
    def make() -> bytes:
        with open_store(db, read_only=True) as store:
            return document(store, fmt, **filters)
    return make


#: Maps with more claims than this are not drawn whole on the page (Graphviz takes minutes).
DRAW_UP_TO_CLAIMS = 400


def render_image(store: GraphStore, fmt: str) -> dict[str, Any]:
    """The map drawn by an image exporter: ``{"data": bytes}`` or ``{"error": message}``.

    A failure is returned, not raised, so the page caches it like a result and does not
    run a slow exporter again on every rerun.
    """
    try:
        return {"data": document(store, fmt)}
    except CruxmapError as e:
        return {"error": str(e)}


def disagreement_choices(store: GraphStore, limit: int = 500) -> list[dict[str, str]]:
    """Disagreements to filter an export by, most confident first: ``{id, summary}`` (the first ``limit``)."""
    return [{"id": d["id"], "summary": d["summary"]} for d in store.disagreements(limit=limit)]
