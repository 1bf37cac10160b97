"""Thread reader: a post and its comment tree, claims highlighted by role, replies with stance badges."""

import math

import streamlit as st

from cruxmap.graph.analysis import threads
from cruxmap.ui import formatting, render, state

PAGE_SIZE = 150

store = state.require_map()
colours = state.colours()
posts = state.cached(threads.posts)

st.title("Thread reader")
if not posts:
    st.info("This map has no posts to read (it may hold only claims imported from another tool).",
            icon=":material/info:")
    st.stop()

by_id = {p["id"]: p for p in posts}
item = st.query_params.get("item") or st.query_params.get("post")
if item and st.session_state.get("thread_qp") != item:
    st.session_state["thread_qp"] = item
    post_id = state.cached(threads.post_of, item)
    if post_id in by_id:
        st.session_state["thread_post"] = post_id
if st.session_state.get("thread_post") not in by_id:
    st.session_state["thread_post"] = posts[0]["id"]


def post_label(pid: str) -> str:
    p = by_id[pid]
    return (f"{render.short(p['title'], 90)} — {p['author'] or 'author not shown'} "
            f"({formatting.plural(p['comments'], 'comment')})")


c1, c2 = st.columns([3, 2])
pid = c1.selectbox("Post", list(by_id), format_func=post_label, key="thread_post")
stance_filter = c2.segmented_control(
    "Show replies", ["all", "disagreeing", "agreeing"], default="all", key="thread_filter")
t = state.cached(threads.thread, pid)
if t is None:
    st.warning("This post is no longer in the map.")
    st.stop()

comments = t["comments"]
wanted = {"disagreeing": {"disagree", "correct"}, "agreeing": {"agree", "concede"}}.get(stance_filter or "all")
if wanted:
    comments = [c for c in comments if c["stance"] in wanted]
pages = max(1, math.ceil(len(comments) / PAGE_SIZE))
page = st.number_input("Page", 1, pages, 1, key="thread_page") if pages > 1 else 1
shown = comments[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]

st.html(render.legend_roles())
focus = st.session_state.get("thread_qp")
st.html(render.thread_html(dict(t, comments=shown), colours, focus=focus))
if not t["comments"]:
    st.caption("No comments on this post.")
elif wanted and not comments:
    st.caption(f"No {stance_filter} replies in this thread.")
