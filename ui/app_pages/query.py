"""Query: ready-made questions as forms, answers as tables to download; Cypher on Neo4j."""

import streamlit as st

from cruxmap.graph.analysis import divergence
from cruxmap.graph.errors import CruxmapError
from cruxmap.ui import queries, state

store = state.require_map()
names = state.names()
authors = sorted(names, key=lambda a: names[a].casefold())
topics = [t["label"] for t in state.cached(queries.topic_labels)]

st.title("Query")
QUESTIONS = {
    "between": "Disagreements between two authors",
    "topic": "Disagreements about a topic",
    "author_cruxes": "Cruxes of an author",
    "status": "Open vs conceded disagreements",
    "claims": "Claims containing a phrase",
    "authors": "Everyone who wrote",
}
if st.query_params.get("topic") and st.session_state.get("query_qp") != st.query_params.get("topic"):
    st.session_state["query_qp"] = st.query_params.get("topic")
    st.session_state["query_question"] = "topic"
    if st.query_params.get("topic") in topics:
        st.session_state["query_topic"] = st.query_params.get("topic")

pairs = state.cached(divergence.divergent_pairs, limit=1)
if pairs and "query_a" not in st.session_state:  # start on a pair that does disagree
    st.session_state["query_a"], st.session_state["query_b"] = pairs[0]["a"], pairs[0]["b"]

question = st.radio("Question", list(QUESTIONS), format_func=QUESTIONS.get, horizontal=True,
                    key="query_question")
rows, title = [], QUESTIONS[question]
with st.form("query_form", border=True):
    if question == "between":
        c1, c2 = st.columns(2)
        a = c1.selectbox("Author A", authors, format_func=names.get, key="query_a")
        if "query_b" not in st.session_state:
            st.session_state["query_b"] = authors[min(1, len(authors) - 1)]
        b = c2.selectbox("Author B", authors, format_func=names.get, key="query_b")
        args = ("between", a, b)
    elif question == "topic":
        if not topics:
            st.caption("This map has no topics yet.")
        t = st.selectbox("Topic", topics, key="query_topic")
        args = ("topic", t or "")
    elif question == "author_cruxes":
        a = st.selectbox("Author", authors, format_func=names.get, key="query_author")
        args = ("author_cruxes", a)
    elif question == "status":
        s = st.segmented_control("Status", ["open", "conceded", "resolved"], default="open",
                                 key="query_status")
        args = ("status", s or "open")
    elif question == "claims":
        text = st.text_input("Phrase", key="query_text", placeholder="e.g. probe")
        a = st.selectbox("By", [""] + authors, format_func=lambda x: names.get(x, "anyone"),
                         key="query_claims_author")
        args = ("claims", text, a)
    else:
        args = ("authors",)
    submitted = st.form_submit_button("Ask", type="primary", icon=":material/search:")

try:
    rows = state.cached(queries.run, *args)
except CruxmapError as e:
    st.error(str(e))
    rows = []

st.subheader(f"{len(rows)} result{'s' if len(rows) != 1 else ''}")
if rows:
    st.dataframe(rows, hide_index=True, width="stretch")
    c1, c2, _ = st.columns([1, 1, 2])
    c1.download_button("Download CSV", queries.to_csv(rows), file_name=f"cruxmap-{question}.csv",
                       mime="text/csv", icon=":material/download:", key="query_csv", width="stretch")
    c2.download_button("Download JSON", queries.to_json(rows), file_name=f"cruxmap-{question}.json",
                       mime="application/json", icon=":material/download:", key="query_json", width="stretch")
else:
    st.caption("Nothing matches." if question != "topic" or topics else "")

if hasattr(store, "cypher") and not state.read_only():
    st.divider()
    st.subheader("Cypher")
    st.caption("Read-only queries against the Neo4j store.")
    query = st.text_area("Cypher", "MATCH (c:Crux) RETURN c.text AS crux, c.score AS score "
                         "ORDER BY score DESC LIMIT 10", key="query_cypher", height=110)
    if st.button("Run", key="query_cypher_run", icon=":material/play_arrow:"):
        try:
            result = queries.cypher(store, query)
        except CruxmapError as e:
            st.error(str(e))
        else:
            st.dataframe(result, hide_index=True, width="stretch")
