"""The app's shared state: one store per process, and query results cached on its version.

Pages never call the store directly for anything heavy: they call
``cached(analysis_function, *args)``, which runs the function once per store
version (:meth:`cruxmap.graph.store.GraphStore.version` changes whenever the map does) and
hands every later rerun the cached result. Ingesting into the map changes the
version, so every page sees the new map on its next run without clearing caches.
"""

from __future__ import annotations

import hmac
import os
import threading
from typing import Any, Callable

import streamlit as st

from cruxmap.graph.errors import CruxmapError, StoreUnavailable, redact
from cruxmap.graph.store import GraphStore, open_store, resolve_db
from cruxmap.ui.palette import author_colours
from cruxmap.ui.render import md

#: Page files, relative to ui/app.py (for st.switch_page and st.page_link).
PAGES = {
    "overview": "app_pages/overview.py",
    "divergence": "app_pages/divergence.py",
    "cruxes": "app_pages/cruxes.py",
    "thread": "app_pages/thread.py",
    "query": "app_pages/query.py",
    "ingest": "app_pages/ingest.py",
    "export": "app_pages/export.py",
}


def db_name() -> str:
    """The store the app shows: ``$CRUXMAP_DB``, else the default file."""
    return resolve_db(None)


def read_only() -> bool:
    """``cruxmap ui --read-only``: no Ingest page, no Cypher box, nothing in the app writes."""
    return os.environ.get("CRUXMAP_READ_ONLY", "").lower() in {"1", "true", "yes"}


def password_ok() -> bool:
    """With ``$CRUXMAP_UI_PASSWORD`` set (``cruxmap ui --password``), ask for it once per session.

    Returns True when the page may render. The comparison takes the same time whatever was typed.
    """
    secret = os.environ.get("CRUXMAP_UI_PASSWORD", "")
    if not secret or st.session_state.get("_cruxmap_signed_in"):
        return True
    st.title("cruxmap")
    typed = st.text_input("Password", type="password", key="_cruxmap_password")
    if typed:
        if hmac.compare_digest(typed.encode(), secret.encode()):
            st.session_state["_cruxmap_signed_in"] = True
            st.rerun()
        st.error("That is not the password.")
    return False


def db_label() -> str:
    """:func:`db_name` as pages may show it: credentials in a URI are never displayed."""
    return redact(db_name())


@st.cache_resource(show_spinner=False)
def _open(db: str) -> GraphStore:
    # Read-only: browsing can never change the map; the ingest page opens its own writer.
    return open_store(db, read_only=True)


@st.cache_resource(show_spinner=False)
def _lock(db: str) -> threading.RLock:
    """One lock per store: Streamlit serves sessions from several threads, a store is one connection."""
    return threading.RLock()


def store() -> GraphStore | None:
    """The app's store, or None when there is no map yet (the file does not exist)."""
    try:
        return _open(db_name())
    except StoreUnavailable:
        return None


def reopen() -> None:
    """Forget the open store (after the ingest page created the map, or on a store error)."""
    _open.clear()


def version(s: GraphStore) -> str:
    """The cache key of the map's current content."""
    with _lock(db_name()):
        return f"{db_name()}|{s.version()}"


@st.cache_data(show_spinner=False, max_entries=512)
def _call(key: str, ver: str, args: tuple, kwargs: tuple, _fn: Callable, _store: GraphStore) -> Any:
    with _lock(db_name()):
        return _fn(_store, *args, **dict(kwargs))


def cached(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(store, *args, **kwargs)``, computed once per map version.

    ``fn`` is an analysis function taking the store first and returning plain data;
    ``args`` must be hashable values (str, int, tuples).
    """
    s = store()
    if s is None:
        raise StoreUnavailable(f"{db_name()}: no map yet")
    return _call(f"{fn.__module__}.{fn.__qualname__}", version(s), args,
                 tuple(sorted(kwargs.items())), fn, s)


def _author_order(s: GraphStore) -> list[str]:
    rows = sorted(s.authors(), key=lambda a: (-a["claims"], a["name"].casefold(), a["id"]))
    return [a["id"] for a in rows]


def colours() -> dict[str, str]:
    """The author colours for the whole map (the same on every page)."""
    return author_colours(cached(_author_order))


def names() -> dict[str, str]:
    """Author id -> name for the whole map."""
    return cached(_author_names)


def _author_names(s: GraphStore) -> dict[str, str]:
    return {a["id"]: a["name"] for a in s.authors()}


def require_map() -> GraphStore:
    """The store when it holds a map; otherwise explain how to get one and stop the page."""
    s = store()
    empty = s is None
    if s is not None:
        try:
            empty = not any(cached(_counts).values())
        except CruxmapError as e:
            st.error(str(e))
            st.stop()
    if empty:
        st.info(f"There is no map in **{md(db_label())}** yet. Add a discussion on the Ingest page, "
                "or run `cruxmap demo` for a sample map.", icon=":material/info:")
        st.page_link(PAGES["ingest"], label="Go to Ingest", icon=":material/upload:")
        st.stop()
    return s


def incomplete_loads() -> list[dict[str, Any]]:
    """Loads into the map that started and did not finish (a Neo4j store can have them)."""
    s = store()
    if s is None:
        return []
    try:  # not cached: finishing a load may change no content, so the version may not move
        with _lock(db_name()):
            return s.incomplete_loads()
    except CruxmapError:
        return []


def _counts(s: GraphStore) -> dict[str, int]:
    return s.stats()["nodes"]
