"""Ingest: upload files, paste a page, or fetch a LessWrong / EA Forum post by URL."""

import streamlit as st

import loaders
from graph.errors import CruxmapError
from ui import state, uploads

st.title("Ingest")
st.caption(f"Adds to the map in `{state.db_name()}`. Every input is read and checked before anything "
           "is written, so a bad file leaves the map exactly as it was; ingesting the same thing "
           "twice changes nothing.")

formats = ["auto-detect"] + list(loaders.loaders())
upload_tab, paste_tab, url_tab = st.tabs(["Upload files", "Paste a page", "From a URL"])


def show(report) -> None:
    """The per-file summary of a finished ingest."""
    for f in report.files:
        st.success(f"{f.path}: {f.format}, {f.posts} posts, {f.comments} comments, {f.authors} authors, "
                   f"{f.claims} claims, {f.disagreements} disagreements, {f.cruxes} cruxes",
                   icon=":material/check_circle:")
    w = report.written
    st.caption(f"written: {w.get('nodes_written', 0)} nodes, {w.get('relationships_written', 0)} "
               f"relationships ({w.get('unchanged', 0)} already there)")
    state.reopen()  # the map may have just been created; every page sees the new version


def run(job) -> None:
    """Run one ingest job with a progress bar; a CruxmapError becomes one clear line."""
    bar = st.progress(0.0, text="reading…")
    try:
        report = job(lambda done, total: bar.progress(min(done / max(total, 1), 1.0),
                                                       text=f"reading… {done:,} of {total:,} bytes"))
    except CruxmapError as e:
        bar.empty()
        st.error(f"{e}. Nothing was written.", icon=":material/error:")
        return
    bar.empty()  # the summary below says it is done
    show(report)


with upload_tab:
    with st.form("ingest_upload", clear_on_submit=False, border=False):
        files = st.file_uploader("Discussion files", accept_multiple_files=True, key="ingest_files",
                                 help="ForumMagnum JSON (LessWrong, EA Forum), Reddit JSON, JSON Lines, "
                                      "markdown or text; the format is detected from the content.")
        fmt = st.selectbox("Format", formats, key="ingest_upload_format")
        go = st.form_submit_button("Ingest files", type="primary", icon=":material/upload_file:")
    if go:
        if not files:
            st.warning("Choose one or more files first.")
        else:
            run(lambda progress: uploads.ingest_uploads(
                state.db_name(), [(f.name, f.getvalue()) for f in files],
                None if fmt == "auto-detect" else fmt, progress))

with paste_tab:
    with st.form("ingest_paste", border=False):
        text = st.text_area("Paste a forum page, a post or a discussion", height=220, key="ingest_text",
                            placeholder="Copy a LessWrong page (Ctrl+A, Ctrl+C) and paste it here.")
        fmt = st.selectbox("Format", formats, key="ingest_paste_format")
        go = st.form_submit_button("Ingest text", type="primary", icon=":material/content_paste:")
    if go:
        run(lambda progress: uploads.ingest_paste(state.db_name(), text,
                                                  None if fmt == "auto-detect" else fmt, progress))

with url_tab:
    with st.form("ingest_url", border=False):
        url = st.text_input("Post URL or id", key="ingest_url",
                            placeholder="https://www.lesswrong.com/posts/<id>/<slug>")
        site = st.selectbox("Site", ["from the URL", "lesswrong", "eaforum", "alignmentforum"],
                            key="ingest_site")
        go = st.form_submit_button("Fetch and ingest", type="primary", icon=":material/cloud_download:")
    if go:
        if not url.strip():
            st.warning("Give a post URL or id first.")
        else:
            run(lambda progress: uploads.ingest_url(
                state.db_name(), url.strip(), None if site == "from the URL" else site, progress))
