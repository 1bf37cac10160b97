"""Divergence: the author x author matrix, the author network, and the diff of one pair."""

import streamlit as st

from cruxmap.graph.analysis import divergence, words
from cruxmap.graph.analysis._lookup import author_names
from cruxmap.ui import charts, render, state
from cruxmap.ui.palette import STATUS_COLOURS, colour_of

store = state.require_map()
colours = state.colours()
matrix = state.cached(divergence.divergence_matrix)
authors = matrix["authors"]

st.title("Divergence")
if len([a for a in authors if a["id"] != divergence.NOT_SHOWN]) < 2:
    st.info("This map has fewer than two authors with claims, so there is no pair to compare.",
            icon=":material/info:")
    st.stop()

ids = [a["id"] for a in authors if a["id"] != divergence.NOT_SHOWN]  # only named authors can be compared
name = {a["id"]: a["name"] for a in authors if a["id"] != divergence.NOT_SHOWN}
pairs = state.cached(divergence.divergent_pairs, limit=1)
if not pairs:
    st.info("No disagreements found yet: nobody attacks anybody's claims in this map. The matrix "
            "fills in once the discussion has been decomposed into stances.", icon=":material/info:")

# The pair to show: a click on the matrix, else the URL (?a=&b=, applied once), else the most divergent.
qp = (st.query_params.get("a"), st.query_params.get("b"))
extra = tuple(x for x in qp if x and x not in name)  # a pair asked for by URL may be outside the top authors
if extra:
    found = state.cached(author_names, extra)
    ids += [x for x in extra if x in found]
    name.update(found)
if qp[0] in name and qp[1] in name and qp[0] != qp[1] and st.session_state.get("divergence_qp") != qp:
    st.session_state["divergence_qp"] = qp
    st.session_state["divergence_a"], st.session_state["divergence_b"] = qp
elif st.session_state.get("divergence_a") not in name:
    st.session_state["divergence_a"], st.session_state["divergence_b"] = \
        (pairs[0]["a"], pairs[0]["b"]) if pairs else (ids[0], ids[1])

# Many authors need the full width for the matrix; a few fit beside the network.
left, right = st.columns([1, 1], gap="large") if len(authors) <= 9 else (st.container(), st.container())
with left:
    st.subheader("Author × author")
    hidden = any(a["id"] == divergence.NOT_SHOWN for a in authors)
    st.caption("Colour: blue where a pair agrees more than it disagrees, orange where it disagrees more. "
               "Numbers count disagreements. Click a cell to compare the pair."
               + (" “author not shown” holds the claims whose author the page did not name." if hidden else ""))
    event = st.altair_chart(charts.heatmap(matrix), key="divergence_heatmap", on_select="rerun", width="content",
                            selection_mode=charts.PAIR_SELECTION)
    picked = (event.get("selection", {}) or {}).get(charts.PAIR_SELECTION) if event else None
    if picked:
        a, b = picked[0].get("a"), picked[0].get("b")
        if a in name and b in name and (a, b) != st.session_state.get("divergence_last_click"):
            st.session_state["divergence_last_click"] = (a, b)
            st.session_state["divergence_a"], st.session_state["divergence_b"] = a, b
with right:
    st.subheader("Network")
    st.caption("Solid orange: disagreement; dashed blue: agreement; thicker = more.")
    st.altair_chart(charts.network(matrix, colours, height=430), width="stretch")

st.divider()
c1, c2, _ = st.columns([2, 2, 3])
a = c1.selectbox("Author", ids, format_func=name.get, key="divergence_a")
others = [i for i in ids if i != a]
if st.session_state.get("divergence_b") not in others:
    st.session_state["divergence_b"] = others[0]
b = c2.selectbox("compared with", others, format_func=name.get, key="divergence_b")

diff = state.cached(divergence.pair_diff, a, b)
ca, cb = colour_of(colours, a), colour_of(colours, b)
st.html(render.STYLE + f'<h3 style="margin:.2em 0">{render.author_chip(diff["a"]["name"], ca)} '
        f'<span class="cm-meta">vs</span> {render.author_chip(diff["b"]["name"], cb)}</h3>')
m1, m2, m3, m4 = st.columns(4)
m1.metric("Disagreements", diff["disagreement_count"])
m2.metric("Replies that attack", len(diff["attacks"]))
m3.metric("Points they share", len(diff["shared"]))
m4.metric("Cruxes between them", len(diff["cruxes"]))
st.caption(words.balance(diff["disagree"], diff["agree"], diff["disagreement_count"]))
with st.expander("Why: the weights behind this"):
    st.markdown(f"Disagreement weight {diff['disagree']:.2f}, agreement weight {diff['agree']:.2f}: the sum "
                "of the confidence of each reply that attacks, or backs, the other's claims.")


def exchange(x: dict) -> str:
    """Both quotes of one exchange, the later one answering the earlier one, and a sentence saying so."""
    frm, to = x["from"], x["to"]
    who = frm.get("author") or name.get(frm.get("author_id"))
    whom = to.get("author") or name.get(to.get("author_id"))
    sentence = words.exchange_sentence(who, whom, to["text"], x.get("stance"), x.get("confidence"),
                                       x.get("evidence"), x.get("how"), x.get("type", ""))
    conf = f"confidence {x['confidence']:.0%}; " if isinstance(x.get("confidence"), (int, float)) else ""
    why = (f'<details class="cm-meta"><summary>why</summary>{render.esc(conf + (x.get("evidence") or ""))}'
           "</details>") if conf or x.get("evidence") else ""
    return (render.quote(to["text"], whom or words.UNKNOWN_AUTHOR, colour_of(colours, to.get("author_id")), to.get("url"))
            + f'<div class="cm-meta" style="margin:.1em 0 .1em 1em">↳ {render.esc(sentence)}{why}</div>'
            + render.quote(frm["text"], who or words.UNKNOWN_AUTHOR, colour_of(colours, frm.get("author_id")),
                           frm.get("url")))


st.subheader("First point of divergence")
if diff["first_divergence"]:
    st.html(render.STYLE + exchange(diff["first_divergence"]))
else:
    st.caption("They never attack each other's claims in this map.")

st.subheader("Disagreements, side by side")
if not diff["disagreements"]:
    st.caption("No disagreement between these two was found.")
SHOWN = 10
if len(diff["disagreements"]) > SHOWN:
    st.caption(f"The {SHOWN} most confident of {len(diff['disagreements'])}; the Query page lists them all.")
for d in diff["disagreements"][:SHOWN]:
    with st.container(border=True):
        st.markdown(f"**{render.md(d['summary'])}**")
        st.badge(d["status"], color=STATUS_COLOURS.get(d["status"], "gray"))
        qa, qb = st.columns(2)
        qa.html(render.STYLE + render.side_quotes(d["a"], colours))
        qb.html(render.STYLE + render.side_quotes(d["b"], colours))
        if d["cruxes"] and st.button("Explore its crux", key=f"divergence_crux_{d['id']}", icon=":material/hub:"):
            st.switch_page(state.PAGES["cruxes"], query_params={"focus": d["cruxes"][0]})

st.subheader("Cruxes between them")
if not diff["cruxes"]:
    st.caption("No crux between these two was found.")
for i, c in enumerate(diff["cruxes"]):
    row = st.columns([6, 1], vertical_alignment="center")
    row[0].markdown(f"**{render.md(c['text'])}**  \n:gray[{render.md(words.crux_kind(c['kind']))}]")
    if row[1].button("Explore", key=f"divergence_xcrux_{i}", icon=":material/hub:"):
        st.switch_page(state.PAGES["cruxes"], query_params={"focus": c["id"]})

st.subheader("Where they agree")
if diff["shared"]:
    for x in diff["shared"][:8]:
        st.html(render.STYLE + exchange(x))
else:
    st.caption("No shared claims or agreeing replies between these two.")

st.subheader("Concessions")
if diff["concessions"]:
    for x in diff["concessions"]:
        st.html(render.STYLE + exchange(x))
else:
    st.caption("Neither conceded a point to the other.")
