"""The cruxmap explorer: ``streamlit run ui/app.py`` (or ``cruxmap ui`` / ``cruxmap demo``).

The store comes from ``$CRUXMAP_DB`` (a file or a Neo4j URI) and is opened once per
process (:mod:`cruxmap.ui.state`). Pages live in ``ui/app_pages/`` and stay thin: they call
analysis functions through ``cruxmap.ui.state.cached`` and draw the results.
"""

from __future__ import annotations

import sys
from pathlib import Path

# `streamlit run ui/app.py` puts ui/ on the path, not the project; make `import ui...` work
# from a source checkout too (an installed cruxmap needs nothing of this).
_ROOT = str(Path(__file__).resolve().parents[1])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

import streamlit as st  # noqa: E402

from cruxmap.ui import state  # noqa: E402

# The icon is a file of ours: a :material/…: page icon is fetched from the internet.
st.set_page_config(page_title="cruxmap", page_icon=str(Path(__file__).parent / "static" / "cruxmap.png"),
                   layout="wide",
                   initial_sidebar_state="expanded")

if not state.password_ok():  # cruxmap ui --password: nothing of the map before the password
    st.stop()

pages = {
    "Map": [
        st.Page(state.PAGES["overview"], title="Overview", icon=":material/dashboard:", default=True),
        st.Page(state.PAGES["divergence"], title="Divergence", icon=":material/compare_arrows:"),
        st.Page(state.PAGES["cruxes"], title="Crux explorer", icon=":material/hub:"),
        st.Page(state.PAGES["thread"], title="Thread reader", icon=":material/forum:"),
    ],
    "Work with the map": [
        st.Page(state.PAGES["query"], title="Query", icon=":material/manage_search:"),
        st.Page(state.PAGES["ingest"], title="Ingest", icon=":material/upload_file:"),
        st.Page(state.PAGES["export"], title="Export", icon=":material/download:"),
    ],
}
if state.read_only():  # cruxmap ui --read-only: a map to share, nothing that writes
    pages["Work with the map"] = [p for p in pages["Work with the map"] if p.title != "Ingest"]
page = st.navigation(pages)
# Fit more of each view on a 1280x800 screen: Streamlit's top padding is generous.
st.html("<style>[data-testid='stMainBlockContainer']{padding-top:2.2rem}</style>")

with st.sidebar:
    st.caption(f"Map: `{state.db_label()}`")

for load in state.incomplete_loads():  # a Neo4j load that was cut off: never shown as a whole map
    st.warning(f"This map is incomplete: the load of {load['sources']} started {load['started']} and did "
               "not finish, so some of it is missing. Run the same ingest again to complete it.",
               icon=":material/warning:")

page.run()
