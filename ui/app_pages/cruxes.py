"""Crux explorer: the argument graph around a crux, a disagreement or a phrase, and one node's details."""

import streamlit as st
from streamlit_cytoscape import Event, streamlit_cytoscape

from cruxmap.graph.analysis import explorer, words
from cruxmap.ui import graphview, render, state
from cruxmap.ui.palette import AGREE, DISAGREE, STATUS_COLOURS, colour_of

store = state.require_map()
colours = state.colours()
order = list(colours)
names = state.names()

st.title("Crux explorer")
FOCUS_OPTIONS = 300  # the best cruxes and disagreements to pick from (a link may add another)
options = state.cached(explorer.focus_options, limit=FOCUS_OPTIONS,
                       include=tuple(x for x in [st.query_params.get("focus")] if x))
if not state.cached(explorer.has_arguments):
    st.info("No disagreements found yet: no claim in this map attacks or supports another, so there "
            "is no argument graph to draw. Search for a claim below to read it in context.",
            icon=":material/info:")

WHOLE = "__whole__"
labels = {WHOLE: "Whole map (summarised when large)"}
labels.update({o["id"]: ("◆ " if o["kind"] == "crux" else "⬡ ") + render.short(o["text"], 90) for o in options})
focus_ids = list(labels)
wanted = st.query_params.get("focus")
if wanted and wanted in labels and st.session_state.get("cruxes_qp") != wanted:
    st.session_state["cruxes_qp"] = wanted
    st.session_state["cruxes_focus"] = wanted
    st.session_state["cruxes_search"] = ""
if st.session_state.get("cruxes_focus") not in labels:
    st.session_state["cruxes_focus"] = focus_ids[1] if len(focus_ids) > 1 else WHOLE

c1, c2, c3, c4 = st.columns([4, 3, 1.3, 1.3])
focus = c1.selectbox("Focus on a crux or disagreement", focus_ids, format_func=labels.get, key="cruxes_focus")
phrase = c2.text_input("…or search a phrase", key="cruxes_search", placeholder="e.g. probes")
hops = c3.slider("Hops", 1, 4, 2, key="cruxes_hops")
limit = c4.select_slider("Nodes", [15, 30, 60, 120], value=30, key="cruxes_limit",
                         help="The most relevant nodes around the focus: nearest, cruxes and disagreements "
                              "first, then the claims most connected to them.")

hits = state.cached(explorer.search, phrase.strip(), limit=40) if phrase.strip() else []
if phrase.strip() and not hits:
    st.warning(f"Nothing in the map contains “{phrase.strip()}”.")
if hits:
    view = state.cached(explorer.neighbourhood, tuple(h["id"] for h in hits), hops=hops, limit=limit)
    caption = f"{len(hits)} match(es) for “{phrase.strip()}” and what is within {hops} hop(s)"
elif focus == WHOLE:
    view = state.cached(explorer.summary_graph, limit=limit)
    caption = ("The map summarised by disagreement: one node per disagreement and crux."
               if view.get("summarised") else "The whole argument graph.")
else:
    view = state.cached(explorer.neighbourhood, (focus,), hops=hops, limit=limit)
    caption = f"The focus and what is most relevant within {hops} hop{'s' if hops != 1 else ''}"
if view.get("truncated"):
    caption += f" (the {limit} most relevant nodes; raise Nodes for more)"

left, right = st.columns([2, 1], gap="medium")
with left:
    st.caption(caption + f" · {len(view['nodes'])} nodes, {len(view['edges'])} relations. "
               "Click a node for its quote and relations.")
    value = None
    if view["nodes"]:
        value = streamlit_cytoscape(
            graphview.elements(view, colours, order), layout=graphview.layout(view),
            node_styles=graphview.styles(colours, order), height=520, key="cruxes_graph",
            events=[Event(graphview.NODE_CLICK, "tap", "node")])
    legend = (f'<span><span class="cm-swatch" style="background:#FFD21F;border:2px solid #5C4600"></span>crux</span>'
              f'<span><span class="cm-swatch" style="background:#fff;border:2px solid {DISAGREE}"></span>disagreement</span>'
              f'<span><span class="cm-swatch" style="background:{DISAGREE};height:3px"></span>attacks</span>'
              f'<span><span class="cm-swatch" style="background:repeating-linear-gradient(90deg,{AGREE} 0 6px,transparent 6px 10px);height:3px"></span>supports</span>')
    present = {n.get("author_id") for n in view["nodes"] if n["kind"] == "claim"}
    legend += "".join(render.author_chip(names.get(a, a), colour_of(colours, a)) + " "
                      for a in order if a in present)
    st.html(render.STYLE + f'<div class="cm-legend cm-meta">{legend}</div>')

clicked = graphview.clicked_node(value)
in_view = {n["id"]: n for n in view["nodes"]}
if clicked and clicked in in_view and clicked != st.session_state.get("cruxes_last_click"):
    st.session_state["cruxes_last_click"] = clicked
    st.session_state["cruxes_node"] = clicked
node_ids = list(in_view)
if st.session_state.get("cruxes_node") not in in_view:
    st.session_state["cruxes_node"] = (view["focus"] or node_ids or [None])[0]


def sides_html(dis: dict) -> str:
    """Both sides of a disagreement, stacked (the details column is narrow)."""
    out = []
    for side in ("a", "b"):
        out.append(f'<div class="cm-meta" style="margin-top:.4em">side {side.upper()}</div>')
        out.append(render.side_quotes(dis.get("sides", {}).get(side, []), colours, limit=3))
    return "".join(out)


def node_label(nid):
    n = in_view.get(nid, {})
    who = f"{n.get('author')}: " if n.get("author") else ""
    return f"[{n.get('kind', '?')}] {who}{render.short(n.get('text', ''), 70)}"


with right:
    st.subheader("Details")
    if not node_ids:
        st.caption("Nothing to show.")
    else:
        selected = st.selectbox("Node", node_ids, format_func=node_label, key="cruxes_node")
        d = state.cached(explorer.node_details, selected) if selected else None
        if d is None:
            st.caption("This node is no longer in the map.")
        elif d["kind"] == "claim":
            colour = colour_of(colours, d["author_id"])
            where = " · ".join(x for x in (d["item_label"].lower(), str(d["posted_at"])[:10]) if x)
            st.html(render.STYLE + render.quote(
                d["paragraph"]["text"], d["author"], colour, d["url"], meta=where,
                claims=[{"id": d["id"], "start": d["paragraph"]["start"], "end": d["paragraph"]["end"],
                         "role": d["role"], "stance": d["stance"]}], focus=d["id"]))
            if d["stance"]:
                st.markdown(render.md(words.stance_sentence(d["stance"], d["stance_confidence"], d["stance_evidence"],
                                                            d["stance_target"] == "external")))
            if d["relations"]:
                st.markdown("**How it answers, and is answered**")
                me = d["author"] or words.UNKNOWN_AUTHOR
                for r in d["relations"]:
                    other = r["other"]["author"] or words.UNKNOWN_AUTHOR
                    who, whom, text = (me, other, r["other"]["text"]) if r["direction"] == "out" else \
                        (other, me, d["text"])
                    st.markdown("- " + render.md(words.exchange_sentence(
                        who, whom, text, r["stance"], r["confidence"], r["evidence"], r["how"], r["type"])))
            if d["stance"] or d["relations"]:
                with st.expander("Why: the model's evidence"):
                    if d["stance"]:
                        conf = d["stance_confidence"]
                        st.markdown(f"Stance **{render.md(d['stance'])}**"
                                    + (f", confidence {conf:.0%}" if isinstance(conf, (int, float)) else "")
                                    + (f": {render.md(d['stance_evidence'])}" if d["stance_evidence"] else ""))
                    if d["relations"]:
                        rows = [{"": "→" if r["direction"] == "out" else "←",
                                 "relation": (r["stance"] or r["type"].lower()),
                                 "other claim": f"{r['other']['author'] or words.UNKNOWN_AUTHOR}: {r['other']['text']}",
                                 "confidence": r["confidence"], "evidence": r["evidence"]} for r in d["relations"]]
                        st.dataframe(rows, hide_index=True, width="stretch",
                                     column_config={"confidence": st.column_config.ProgressColumn(
                                         "confidence", min_value=0.0, max_value=1.0, format="percent")})
            for x in d["disagreements"]:
                st.markdown(f"Party to (side {render.md(x['side'] or '?')}): **{render.md(x['summary'])}** "
                            f":{STATUS_COLOURS.get(x['status'], 'gray')}-badge[{render.md(x['status'])}]")
            if d["topics"]:
                st.caption("Topics: " + ", ".join(d["topics"]))
            if d["source_id"]:
                st.page_link(state.PAGES["thread"], label="Read it in the thread", icon=":material/forum:",
                             query_params={"item": d["source_id"]})
        elif d["kind"] == "crux":
            st.markdown(f"◆ **{render.md(d['text'])}**")
            st.caption(f"crux · {words.crux_kind(d['crux_kind'])}")
            with st.expander("Why: how it was found"):
                st.markdown(f"Score {d['score']:.2f} ({render.md(d['crux_kind'] or '')})"
                            + (f": {render.md(d['evidence'])}" if d["evidence"] else ""))
            for dis in d["disagreements"]:
                with st.container(border=True):
                    st.markdown(f"⬡ **{render.md(dis['summary'])}** "
                                f":{STATUS_COLOURS.get(dis['status'], 'gray')}-badge[{render.md(dis['status'])}]")
                    st.html(render.STYLE + sides_html(dis))
        else:
            st.markdown(f"⬡ **{render.md(d.get('summary', ''))}** "
                        f":{STATUS_COLOURS.get(d.get('status'), 'gray')}-badge[{render.md(d.get('status', 'open'))}]")
            for x in d.get("crux_rows", []):
                st.markdown(f"◆ Crux: **{render.md(x['text'])}** :gray[({render.md(words.crux_kind(x['kind']))})]")
            st.html(render.STYLE + sides_html(d))
