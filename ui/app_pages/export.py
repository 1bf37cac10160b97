"""Export: a download for every format the CLI exports, and the map as a picture."""

import streamlit as st

from cruxmap.graph.analysis import divergence, overview
from cruxmap.ui import exporting, mapimage, state

store = state.require_map()
colours = state.colours()
names = state.names()

st.title("Export")
st.caption("The same documents as `cruxmap export --format …`. Narrow the export to one author, topic "
           "or disagreement, or leave the filters empty for the whole map.")

topics = [t["label"] for t in state.cached(overview.topic_rows)]
dis = state.cached(exporting.disagreement_choices)
c1, c2, c3 = st.columns(3)
author = c1.selectbox("Author", [""] + sorted(names, key=lambda a: names[a].casefold()),
                      format_func=lambda a: names.get(a, "all authors"), key="export_author")
topic = c2.selectbox("Topic", [""] + topics, format_func=lambda t: t or "all topics", key="export_topic")
summaries = {d["id"]: d["summary"] for d in dis}
disagreement = c3.selectbox("Disagreement", [""] + list(summaries),
                            format_func=lambda d: summaries.get(d, "all disagreements"), key="export_disagreement")
filters = {"author": author or None, "topic": topic or None, "disagreement": disagreement or None}

st.subheader("Formats")
formats = exporting.formats()
cols = st.columns(4)
for i, f in enumerate(formats):
    cols[i % 4].download_button(
        f"{f['name']} ({f['extension']})",
        # a callable: the document is produced only when someone clicks
        data=exporting.deferred(state.db_name(), f["name"], filters),
        file_name=f"cruxmap-map{f['extension']}", mime=f["media_type"], help=f["description"],
        key=f"export_{f['name']}", icon=":material/download:", on_click="ignore", width="stretch")

st.subheader("The map as a picture")
crux_tab, summary_tab, full_tab = st.tabs(["The crux map", "Who disagrees with whom", "The whole graph"])
with crux_tab:
    summaries = {d["id"]: d["summary"] for d in dis}
    crux_svg = mapimage.crux_map_svg(state.cached(overview.top_cruxes, limit=8), summaries, colours)
    st.image(crux_svg, width=mapimage.CRUX_WIDTH)
    st.download_button("Download crux-map.svg", crux_svg, file_name="cruxmap-crux-map.svg", mime="image/svg+xml",
                       key="export_crux_image", icon=":material/image:")
with summary_tab:
    svg = mapimage.map_svg(state.cached(divergence.divergence_matrix), colours,
                           state.cached(overview.top_cruxes, limit=6))
    st.image(svg, width=820)
    st.download_button("Download summary.svg", svg, file_name="cruxmap-summary.svg", mime="image/svg+xml",
                       key="export_summary_image", icon=":material/image:")
with full_tab:
    image = exporting.image_format(formats)
    claims = state.cached(overview.map_summary)["claims"]
    st.caption("Every claim in one picture, for Gephi-style exploration: the gexf and graphml downloads "
               "above open in Gephi or yEd.")
    if image is None:
        st.caption("No image exporter is installed (svg or png).")
    elif claims > exporting.DRAW_UP_TO_CLAIMS:
        st.caption(f"This map has {claims:,} claims, too many to draw as one picture here; the "
                   f"{image['name']} download above draws it (narrow it with the filters first).")
    else:
        drawn = state.cached(exporting.render_image, image["name"])
        if "error" in drawn:
            st.warning(drawn["error"])
        else:
            data = drawn["data"]
            st.image(data.decode("utf-8") if image["name"] == "svg" else data,
                     caption=f"the {image['name']} export: claims grouped by author, and how they relate")
            st.download_button(f"Download map{image['extension']}", data, key="export_image",
                               file_name=f"cruxmap-map{image['extension']}", mime=image["media_type"],
                               icon=":material/image:")
