"""Overview: the map's size, who disagrees with whom, the top cruxes, the topics."""

import streamlit as st

from cruxmap.graph.analysis import divergence, overview, words
from cruxmap.ui import charts, formatting, render, state
from cruxmap.ui.palette import STATUS_COLOURS, colour_of

store = state.require_map()
summary = state.cached(overview.map_summary)
colours = state.colours()

st.title("Where do they disagree, and why?")
cols = st.columns(6)
for col, (label, key) in zip(cols, [("Authors", "authors"), ("Posts", "posts"), ("Comments", "comments"),
                                   ("Claims", "claims"), ("Disagreements", "disagreements"),
                                   ("Cruxes", "cruxes")]):
    col.metric(label, f"{summary[key]:,}")

if not summary["has_disagreements"] and not summary["has_relations"]:
    st.info("No disagreements found yet: this map holds claims but no stances, disagreements or "
            "cruxes. They appear here once the discussion has been decomposed. Meanwhile, read the "
            "discussion in the Thread reader.", icon=":material/info:")
    st.page_link(state.PAGES["thread"], label="Open the Thread reader", icon=":material/forum:")

left, right = st.columns([1, 1], gap="large")

with left:
    st.subheader("Who disagrees with whom")
    matrix = state.cached(divergence.divergence_matrix)
    if len(matrix["authors"]) >= 2:
        st.altair_chart(charts.network(matrix, colours, height=400), width="stretch")
    else:
        st.caption("Fewer than two authors made claims, so there is nobody to compare.")
    pairs = state.cached(divergence.divergent_pairs, limit=5)
    if pairs:
        st.markdown("**Most divergent pairs**")
        for i, p in enumerate(pairs):
            c1, c2 = st.columns([2.6, 1], vertical_alignment="center")
            c1.html(render.STYLE + render.author_chip(p["a_name"], colour_of(colours, p["a"]))
                    + ' <span class="cm-meta">vs</span> '
                    + render.author_chip(p["b_name"], colour_of(colours, p["b"]))
                    + ' <span class="cm-meta"><br>'
                    + (f'{formatting.plural(p["disagreements"], "disagreement")} · '
                       f'{render.esc(words.balance(p["disagree"], p["agree"], p["disagreements"]).lower().rstrip("."))}'
                       if p["disagreements"] else "their replies mostly attack each other's claims")
                    + '</span>')
            if c2.button("Compare", key=f"overview_pair_{i}", width="stretch"):
                st.switch_page(state.PAGES["divergence"], query_params={"a": p["a"], "b": p["b"]})

with right:
    st.subheader("Top cruxes")
    cruxes = state.cached(overview.top_cruxes, limit=6)
    if not cruxes:
        st.caption("No cruxes found yet.")
    for i, c in enumerate(cruxes):
        with st.container(border=True):
            st.markdown(f"**{render.md(c['text'])}**")
            a = " ".join(render.author_chip(x["name"], colour_of(colours, x["id"])) for x in c["sides"]["a"])
            b = " ".join(render.author_chip(x["name"], colour_of(colours, x["id"])) for x in c["sides"]["b"])
            sides = (f'{a or "<span class=cm-meta>author not shown</span>"} <span class="cm-meta">&nbsp;vs&nbsp;</span> '
                     f'{b or "<span class=cm-meta>author not shown</span>"}') if (a or b) else \
                '<span class="cm-meta">no disagreement found under it yet</span>'
            row = st.columns([2.6, 1], vertical_alignment="center")
            row[0].html(render.STYLE + f'<div class="cm-meta">{render.esc(words.crux_kind(c["kind"]))}'
                        f'</div><div>{sides}</div>')
            if row[1].button("Explore", key=f"overview_crux_{i}", width="stretch"):
                st.switch_page(state.PAGES["cruxes"], query_params={"focus": c["id"]})

    topics = state.cached(overview.topic_rows, limit=12)
    if topics:
        st.subheader("Topics")
        picked = st.pills("Topics", [t["label"] for t in topics], key="overview_topic",
                          format_func=lambda label: f"{label} ({next(t['claims'] for t in topics if t['label'] == label)})",
                          label_visibility="collapsed", width="stretch", wrap=True)
        if picked:
            st.switch_page(state.PAGES["query"], query_params={"topic": picked})

    if summary["disagreements"]:
        st.subheader("Disagreements")
        st.html(render.STYLE + '<div class="cm-meta">'
                + " · ".join(f'{summary[s]} {s}' for s in STATUS_COLOURS if summary.get(s)) + "</div>")
