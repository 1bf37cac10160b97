"""The Streamlit app, page by page, with Streamlit's AppTest (no browser; see test_browser.py).

Every page runs against real stores built the way a user builds them: the bundled demo
discussion ingested through ``cruxmap.ui.ingest.ingest`` (whatever the decomposition pipeline
finds today), and the same discussion with a hand-written decomposition, so the views
that show disagreements, cruxes and concessions are checked on known content however
good the pipeline is. A hostile thread checks that source text is never rendered as HTML.
"""

from __future__ import annotations

import json
import re
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from html.parser import HTMLParser
from dataclasses import replace
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cruxmap import loaders
from cruxmap.decompose.claims import split_claims
from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import (
    Author, Comment, Crux, CruxMap, Disagreement, Post, Stance, Thread, Topic, author_id,
)
from cruxmap.graph.store import open_store
from cruxmap.ui.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "ui" / "app.py"
DEMO = ROOT / "ui" / "demo_data" / "demo_thread.jsonl"
PAGES = ("overview", "divergence", "cruxes", "thread", "query", "ingest", "export")


# --- the demo discussion with a hand-written decomposition ---------------------------------
# (comment, claim starts with) -> (comment, claim starts with), stance
STANCES = [
    ("c01", "I think this is too pessimistic", "post", "I think this plan puts more weight", "disagree"),
    ("c02", "I agree that's the right question", "c01", "Linear probes already do surprisingly", "disagree"),
    ("c03", "That's fair, and I think", "c02", "I'd change my mind if someone", "concede"),
    ("c05", "Small correction: the Scaling", "post", "Anthropic's Scaling Monosemanticity work", "correct"),
    ("c06", "Fair point, I stand corrected.", "c05", "Small correction: the Scaling", "concede"),
    ("c07", "I disagree with the framing", "post", "A deceptive model is the adversarial case.", "disagree"),
    ("c08", "I don't think that follows.", "c07", "The post treats deceptive alignment", "disagree"),
    ("c09", "That's an argument for focusing", "c08", "Even if deception is unlikely", "disagree"),
    ("c10", "Fair point about the allocation", "c09", "And research effort is not free", "concede"),
    ("c10", "Where I still disagree is the 5% figure.", "c09", "At 5% it doesn't.", "disagree"),
    ("c12", "I mostly agree with the post", "post", "I think this plan puts more weight", "agree"),
    ("c12", "Control protocols are not a free", "post", "The marginal safety researcher", "disagree"),
    ("c13", "I agree with that, and I should", "c12", "Control and interpretability are complements", "concede"),
    ("c14", "Strongly agree with Priya here.", "c12", "Control protocols are not a free", "agree"),
    ("c15", "Agree with the post overall.", "post", "But sparse autoencoders still leave", "agree"),
    ("c16", "I think this is the weakest step", "c15", "If splicing the reconstruction", "disagree"),
    ("c17", "I disagree.", "c16", "Unexplained variance measures", "disagree"),
    ("c18", "That selection argument applies", "c17", "Anything our oversight catches", "disagree"),
    ("c19", "I disagree with the timeline argument.", "post", "Meanwhile, the models that could", "disagree"),
    ("c20", "Small correction: Toy Models", "c19", "Toy Models of Superposition came out", "correct"),
    ("c21", "Good catch, thanks.", "c20", "Small correction: Toy Models", "concede"),
    ("c22", "Finding features and certifying", "c19", "If progress continues at that rate", "disagree"),
    ("c23", "I don't think it's only timelines.", "c22", "I think we just disagree about timelines.", "disagree"),
    ("c24", "Agreed.", "c23", "That is a much lower bar", "agree"),
    ("c25", "Fair enough, that narrows the gap", "c23", "Even on your timelines", "concede"),
]
DISAGREEMENTS = [  # id, summary, status, side a [(comment, claim prefix)], side b
    ("d1", "Can a probe catch deception without explaining most of what the model computes?", "open",
     [("post", "Whether a detector"), ("c02", "I agree that's the right question")],
     [("c01", "I think this is too pessimistic"), ("c01", "Linear probes already do surprisingly")]),
    ("d2", "Is deceptive alignment likely enough to build the deployment gate around it?", "open",
     [("c07", "I disagree with the framing"), ("c09", "That's an argument for focusing")],
     [("c08", "I don't think that follows."), ("c10", "Where I still disagree is the 5% figure.")]),
    ("d3", "Will interpretability be able to certify the absence of deception within five years?", "open",
     [("post", "Meanwhile, the models that could"), ("c22", "Finding features and certifying")],
     [("c19", "I disagree with the timeline argument."), ("c23", "I don't think it's only timelines.")]),
    ("d4", "Does training against deceptive behaviour push deception into hard-to-read directions?", "open",
     [("c16", "I think this is the weakest step"), ("c18", "That selection argument applies")],
     [("c15", "If splicing the reconstruction"), ("c17", "I disagree.")]),
    ("d5", "How many features did the Scaling Monosemanticity dictionaries have?", "conceded",
     [("post", "Anthropic's Scaling Monosemanticity work")], [("c05", "Small correction: the Scaling")]),
    ("d6", "Is control a substitute for interpretability?", "conceded",
     [("post", "The marginal safety researcher")], [("c12", "Control protocols are not a free")]),
]
DOUBLE_CRUX = "Do probes trained on planted deception generalise to deception that arises naturally in training?"
CRUXES = [
    ("x1", DOUBLE_CRUX, 0.92, ["d1"], "double", "'That looks like a double crux to me.' / 'that's our double crux'"),
    ("x2", "Does deception leave a linearly readable trace in the residual stream?", 0.81, ["d1", "d4"],
     "explicit", "cue: 'My crux is'"),
    ("x3", "Will models capable of strategic deception arrive before about 2030?", 0.74, ["d3"], "explicit",
     "cue: 'My crux is'"),
    ("x4", "Is the prior on deceptive alignment closer to 30% than to 5%?", 0.7, ["d2"], "explicit",
     "cue: 'My crux is the prior'"),
    ("x5", "Does hiding from behavioural oversight also make a model hard to read internally?", 0.62, ["d4"],
     "implicit", "premise one side asserts and the other attacks"),
]
TOPICS = [("t1", "probes and deception detection", ["c01", "c02", "c03", "c04"]),
          ("t2", "timelines", ["c19", "c20", "c22", "c23"]),
          ("t3", "sparse autoencoders", ["c05", "c15", "c16", "c17", "c18"]),
          ("t4", "control vs interpretability", ["c12", "c13", "c14"])]


def annotated_demo_map(path: Path = DEMO) -> CruxMap:
    """The demo discussion, split into claims by the claims stage, with the rest written by hand."""
    thread = loaders.read(path)
    m = CruxMap(thread, claims=split_claims(thread))  # the claims stage only: the rest is written here
    post_id = thread.posts[0].id

    def item(key: str) -> str:
        return post_id if key == "post" else post_id.replace("demo-post", f"demo-{key}")

    def claim(key: str, prefix: str):
        return next(c for c in m.claims if c.source_id == item(key) and c.text.startswith(prefix))

    stances = tuple(Stance(claim(a, ap).id, claim(b, bp).id, s, 0.8, f"cue: '{ap[:24]}'", "reply")
                    for a, ap, b, bp, s in STANCES)
    roles = {s.source_claim_id: "attack" if s.stance in ("disagree", "correct") else "support" for s in stances}
    for key, prefix in (("c01", "My crux is whether"), ("c03", "So this hinges on"),
                        ("c09", "My crux is the prior."), ("c22", "My crux is whether")):
        roles[claim(key, prefix).id] = "crux"
    claims = tuple(replace(c, role=roles.get(c.id, c.role)) for c in m.claims)
    dis = tuple(Disagreement(f"disagreement:demo-{d}", summary, status,
                             tuple((claim(k, p).id, "a") for k, p in side_a)
                             + tuple((claim(k, p).id, "b") for k, p in side_b), 0.9 - i * 0.05)
                for i, (d, summary, status, side_a, side_b) in enumerate(DISAGREEMENTS))
    cruxes = tuple(Crux(f"crux:demo-{x}", text, score, tuple(f"disagreement:demo-{d}" for d in ds), kind, ev)
                   for x, text, score, ds, kind, ev in CRUXES)
    topics = tuple(Topic(f"topic:demo-{t}", label,
                         tuple(c.id for c in claims if c.source_id in {item(k) for k in keys}))
                   for t, label, keys in TOPICS)
    comment_stances = {item(a): (item(a), s, 0.8) for a, _, _, _, s in STANCES}
    return replace(m, claims=claims, stances=stances, disagreements=dis, cruxes=cruxes, topics=topics,
                   same_as=((claim("c14", "The monitor in a control setup").id,
                             claim("c12", "Most of them rely on a trusted").id, 0.7),),
                   comment_stances=tuple(comment_stances.values()))


SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=alert(1)>"


def hostile_map() -> CruxMap:
    """A thread whose every string tries to be HTML or markdown."""
    evil, bo = author_id(f"Eve {IMG}"), author_id("Bo [x](javascript:alert(1))")
    post = Post(id="post:evil", title=f"Title {SCRIPT}", author_id=evil,
                url="javascript:alert(1)", posted_at="2025-01-01T00:00:00Z", source="test",
                text=f"Cats are great {SCRIPT}.\n\nDogs are loyal {IMG} and **bold**.")
    reply = Comment(id="comment:evil", post_id=post.id, parent_id=post.id, author_id=bo, source="test",
                    url="https://example.org/c?x=\"><script>alert(1)</script>",
                    text=f"I disagree {IMG}. <a href=\"https://evil.example\">click</a>")
    thread = Thread("test", posts=(post,), comments=(reply,),
                    authors=(Author(evil, f"Eve {IMG}"), Author(bo, "Bo [x](javascript:alert(1))")))
    m = CruxMap(thread, claims=split_claims(thread))
    post_claims = [c for c in m.claims if c.source_id == post.id]
    reply_claims = [c for c in m.claims if c.source_id == reply.id]
    stance = Stance(reply_claims[0].id, post_claims[0].id, "disagree", 0.9, f"cue {SCRIPT}", "reply")
    d = Disagreement("disagreement:evil", f"Are cats great? {SCRIPT}", "open",
                     ((post_claims[0].id, "a"), (reply_claims[0].id, "b")), 0.9)
    x = Crux("crux:evil", f"Is it {IMG}?", 0.9, (d.id,), "explicit", f"evidence {SCRIPT}")
    return replace(m, stances=(stance,), disagreements=(d,), cruxes=(x,),
                   topics=(Topic("topic:evil", f"topic {SCRIPT}", (post_claims[0].id,)),))


# --- stores ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    """The demo discussion ingested exactly as `cruxmap demo` does."""
    db = str(tmp_path_factory.mktemp("demo") / "demo.db")
    with open_store(db) as store:
        ingest(store, [DEMO])
    return db


def _map_db(tmp_path_factory, name: str, m: CruxMap) -> str:
    """A store file holding map ``m``."""
    db = str(tmp_path_factory.mktemp(name) / f"{name}.db")
    with open_store(db) as store:
        store.upsert_map(m)
    return db


@pytest.fixture(scope="module")
def rich_db(tmp_path_factory) -> str:
    return _map_db(tmp_path_factory, "rich", annotated_demo_map())


@pytest.fixture(scope="module")
def claims_only_db(tmp_path_factory) -> str:
    """Claims but no stances, disagreements or cruxes (a map before decomposition finds any)."""
    m = annotated_demo_map()
    claims = tuple(replace(c, role="claim") for c in m.claims)
    return _map_db(tmp_path_factory, "claims", CruxMap(m.thread, claims=claims))


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> str:
    return _map_db(tmp_path_factory, "hostile", hostile_map())


# --- helpers ---------------------------------------------------------------------------------
def open_page(monkeypatch, db: str, page: str, query: dict | None = None) -> AppTest:
    """Run the app on ``db`` and switch to ``page``; fail on any exception."""
    monkeypatch.setenv("CRUXMAP_DB", db)
    at = AppTest.from_file(str(APP), default_timeout=60)
    if query:
        at.query_params.update(query)
    at.run()
    if page != "overview":
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def html(at: AppTest) -> str:
    """Every st.html body on the page."""
    return "\n".join(e.proto.body for e in at.get("html"))


def text(at: AppTest) -> str:
    """What the page says in titles, headers, markdown, captions, alerts and metrics."""
    parts = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error",
                 "success"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    return "\n".join(parts)


def visible(body: str) -> str:
    """HTML as the text a person reads (tags dropped, entities decoded)."""
    import html as h
    return h.unescape(re.sub(r"<[^>]+>", "", body))


# --- every page ------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_demo_map(monkeypatch, demo_db, page):
    at = open_page(monkeypatch, demo_db, page)
    assert at.title, f"{page} shows no title"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_the_annotated_demo_map(monkeypatch, rich_db, page):
    at = open_page(monkeypatch, rich_db, page)
    assert at.title and not at.error


@pytest.mark.parametrize("page", [p for p in PAGES if p != "ingest"])
def test_without_a_map_pages_say_how_to_get_one(monkeypatch, tmp_path, page):
    at = open_page(monkeypatch, str(tmp_path / "none.db"), page)
    assert "There is no map" in at.info[0].value
    assert not (tmp_path / "none.db").exists(), "browsing must not create the database"


@pytest.mark.parametrize("page", ["overview", "divergence", "cruxes"])
def test_a_map_without_disagreements_says_so_kindly(monkeypatch, claims_only_db, page):
    at = open_page(monkeypatch, claims_only_db, page)
    assert "No disagreements found yet" in text(at)


# --- overview ------------------------------------------------------------------------------
def test_overview_shows_size_cruxes_with_sides_pairs_and_topics(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "overview")
    t = text(at)
    with open_store(rich_db, read_only=True) as store:
        claims = store.stats()["nodes"]["Claim"]
    assert claims > 100 and f"Claims {claims}" in t.replace(",", "")
    assert "Disagreements 6" in t and "Cruxes 5" in t
    assert DOUBLE_CRUX in t
    page = visible(html(at))
    assert "Mara Lindqvist" in page and "Theo Okafor" in page and "vs" in page
    assert "probes and deception detection" in str(at.get("button_group")[0].proto)


def test_overview_crux_clicks_through_to_the_explorer(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "overview")
    at.button(key="overview_crux_0").click().run()
    assert [x.value for x in at.title] == ["Crux explorer"]
    assert at.selectbox(key="cruxes_focus").value == "crux:demo-x1"


def test_overview_pair_clicks_through_to_its_diff(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "overview")
    at.button(key="overview_pair_0").click().run()
    assert [x.value for x in at.title] == ["Divergence"]
    pair = {at.selectbox(key="divergence_a").value, at.selectbox(key="divergence_b").value}
    assert len(pair) == 2 and "First point of divergence" in text(at)


# --- divergence ----------------------------------------------------------------------------
def test_divergence_diff_of_a_pair_shows_quotes_cruxes_and_concessions(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "divergence",
                   query={"a": "author:mara lindqvist", "b": "author:theo okafor"})
    assert at.selectbox(key="divergence_a").value == "author:mara lindqvist"
    t, page = text(at), visible(html(at))
    assert "Can a probe catch deception without explaining most of what the model computes?" in t
    assert DOUBLE_CRUX in t
    # the first attack between them, both quotes, oldest first
    assert "I think this plan puts more weight on interpretability" in page
    assert "I think this is too pessimistic" in page
    # Theo conceded a point to Mara
    assert "That's fair, and I think we can pin this down further." in page


def test_divergence_pair_can_be_picked_with_the_selectboxes(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "divergence")
    at.selectbox(key="divergence_a").select("author:ilse brandt").run()
    at.selectbox(key="divergence_b").select("author:ruth calloway").run()
    assert "Good catch, thanks." in visible(html(at))  # Ilse concedes Ruth's correction
    at.selectbox(key="divergence_b").select("author:mara lindqvist").run()
    assert "Will interpretability be able to certify the absence of deception" in text(at)


# --- crux explorer -------------------------------------------------------------------------
def test_crux_explorer_focuses_the_top_crux_and_explains_it(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "cruxes")
    assert at.selectbox(key="cruxes_focus").value == "crux:demo-x1"
    assert DOUBLE_CRUX in text(at)
    assert "nodes" in text(at) and "relations" in text(at)
    page = visible(html(at))
    assert "Mara Lindqvist" in page and "Theo Okafor" in page  # both sides' quotes


def test_crux_explorer_node_details_show_the_quote_in_its_paragraph(monkeypatch, rich_db):
    with open_store(rich_db, read_only=True) as store:
        claim = store.claims(text="I think this is too pessimistic")[0]["id"]
    at = open_page(monkeypatch, rich_db, "cruxes")
    at.selectbox(key="cruxes_node").set_value(claim).run()
    page = visible(html(at))
    assert "it argues against a stronger plan than the one most interpretability researchers hold" in page
    assert "Reads as disagreement" in text(at)
    said = "\n".join(m.value for m in at.markdown)
    assert "answers" in said and "I think this plan puts more weight" in said  # relations as sentences
    outside = "\n".join(m.value for m in at.main.markdown if m not in at.expander[0].markdown)
    assert "p=" not in outside and "_rate" not in outside  # model internals only in the why expander
    relations = at.dataframe[0].value
    assert "I think this plan puts more weight" in " ".join(relations["other claim"])
    assert "Can a probe catch deception" in text(at)  # the disagreement it is party to


def test_crux_explorer_search_finds_a_phrase(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "cruxes")
    at.text_input(key="cruxes_search").input("residual stream").run()
    assert "match(es) for “residual stream”" in text(at)
    at.text_input(key="cruxes_search").input("no such phrase anywhere").run()
    assert "Nothing in the map contains" in text(at)


# --- thread reader -------------------------------------------------------------------------
def test_thread_reader_shows_the_tree_with_roles_and_stance_badges(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "thread")
    body = html(at)
    page = visible(body)
    assert "Interpretability will not catch deceptive models before we deploy them" in page
    assert all(name in page for name in ("Theo Okafor", "Ruth Calloway", "Ilse Brandt", "Jonas Weber"))
    assert "disagrees" in page and "corrects" in page and "concedes" in page
    assert "cm-c-crux" in body and "cm-c-attack" in body and "cm-c-support" in body
    assert "margin-left:4.8em" in body  # a reply four levels deep is indented


def test_thread_reader_filters_disagreeing_replies(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "thread")
    at.session_state["thread_filter"] = "disagreeing"
    at.run()
    page = visible(html(at))
    assert "I don't think that follows." in page
    assert "Strongly agree with Priya here." not in page


def test_thread_reader_opens_at_a_comment_from_the_explorer(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "thread", query={"item": "jsonl:demo-c20"})
    body = html(at)
    assert 'id="jsonl:demo-c20" style="margin-left:1.6em;background:#FFFBE6;' in body


# --- query ---------------------------------------------------------------------------------
def test_query_between_two_authors_gives_a_table_to_download(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "query")
    at.selectbox(key="query_a").select("author:mara lindqvist")
    at.selectbox(key="query_b").select("author:theo okafor")
    at.button[0].click().run()  # the form's Ask button
    rows = at.dataframe[0].value
    assert "Can a probe catch deception without explaining most of what the model computes?" in list(rows["summary"])
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download JSON"]


def test_query_open_vs_conceded(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "query")
    at.radio(key="query_question").set_value("status").run()
    at.session_state["query_status"] = "conceded"
    at.run()
    assert sorted(at.dataframe[0].value["summary"]) == [
        "How many features did the Scaling Monosemanticity dictionaries have?",
        "Is control a substitute for interpretability?"]


def test_query_topic_from_the_overview(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "query", query={"topic": "timelines"})
    assert at.radio(key="query_question").value == "topic"
    assert any("certify the absence" in s for s in at.dataframe[0].value["summary"])


def test_query_has_no_cypher_box_on_the_embedded_store(monkeypatch, rich_db):
    at = open_page(monkeypatch, rich_db, "query")
    assert not [t for t in at.text_area if t.key == "query_cypher"]


# --- ingest --------------------------------------------------------------------------------
def test_ingest_a_paste_adds_to_the_map(monkeypatch, tmp_path):
    db = str(tmp_path / "new.db")
    at = open_page(monkeypatch, db, "ingest")
    at.text_area(key="ingest_text").input("# Cats\n\nCats are better than dogs. Dogs disagree.")
    at.selectbox(key="ingest_paste_format").select("markdown")
    next(b for b in at.button if "Ingest text" in b.label).click().run()
    assert not at.exception and not at.error
    assert "1 post," in at.success[0].value
    with open_store(db, read_only=True) as store:
        assert [p["properties"]["title"] for p in store.nodes("Post")] == ["Cats"]
    overview = open_page(monkeypatch, db, "overview")  # the new map is there at once
    assert "Posts 1" in text(overview)


def test_ingest_toggle_reads_stances_with_minilm(monkeypatch, tmp_path, minilm):
    paste = "\n".join(json.dumps(r) for r in (
        {"id": "p", "author": "ann", "title": "Rent", "text": "Rent control protects tenants and keeps "
                                                              "neighbourhoods stable."},
        {"id": "c1", "post_id": "p", "parent_id": "p", "author": "bob",
         "text": "Every city that tried it ended up with fewer rentals and worse maintenance. "
                 "You are describing the intent, not the outcome."}))
    stance = {}
    for mode in ("default", "minilm"):
        db = str(tmp_path / f"{mode}.db")
        at = open_page(monkeypatch, db, "ingest")
        toggle = at.toggle(key="ingest_minilm")
        assert not toggle.disabled  # the extra is installed here
        toggle.set_value(mode == "minilm")
        at.text_area(key="ingest_text").input(paste)
        at.selectbox(key="ingest_paste_format").select("jsonl")
        next(b for b in at.button if "Ingest text" in b.label).click().run()
        assert not at.exception and not at.error and "1 comment," in at.success[0].value
        with open_store(db, read_only=True) as store:
            (c,) = store.nodes("Comment")
            stance[mode] = (c["properties"]["stance"], c["properties"]["stance_confidence"])
    assert stance["default"][0] == stance["minilm"][0] == "disagree"
    assert stance["default"][1] != stance["minilm"][1]  # the other model decided


def test_ingest_bad_input_shows_one_line_and_writes_nothing(monkeypatch, rich_db, tmp_path):
    db = str(tmp_path / "copy.db")
    Path(db).write_bytes(Path(rich_db).read_bytes())
    with open_store(db, read_only=True) as store:
        before = store.stats()
    at = open_page(monkeypatch, db, "ingest")
    at.text_area(key="ingest_text").input('{"id": "x1", "text": "ok"}\n{"id": "x2", "text": ')
    at.selectbox(key="ingest_paste_format").select("jsonl")
    next(b for b in at.button if "Ingest text" in b.label).click().run()
    assert not at.exception
    assert len(at.error) == 1 and "\n" not in at.error[0].value and "Nothing was written" in at.error[0].value
    with open_store(db, read_only=True) as store:
        assert store.stats() == before


def test_ingest_uploads_all_or_nothing(tmp_path):
    from cruxmap.ui.uploads import ingest_uploads

    db = str(tmp_path / "up.db")
    good = DEMO.read_bytes()
    with pytest.raises(MalformedInput, match="bad.json"):
        ingest_uploads(db, [("demo.jsonl", good), ("../bad.json", b'{"data": ')], None)
    with open_store(db) as store:
        assert store.stats()["nodes"] == {}
    seen = []
    report = ingest_uploads(db, [("demo.jsonl", good)], None, lambda done, total: seen.append((done, total)))
    assert report.files[0].path == "demo.jsonl" and report.files[0].comments == 26
    assert seen[-1] == (len(good), len(good))


@contextmanager
def graphql_server(answer: bytes):
    """A local stand-in for a ForumMagnum GraphQL endpoint on 127.0.0.1, answering every POST."""
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/graphql"
    finally:
        server.shutdown()
        server.server_close()


POST_URL = "https://www.lesswrong.com/posts/Xq7Lm2PcR9tYv3KdA/chain-of-thought-monitoring"


def test_ingest_from_a_url_fetches_and_adds_the_post(monkeypatch, tmp_path):
    recorded = (ROOT / "tests" / "data" / "lw_post_with_comments.json").read_bytes()
    db = str(tmp_path / "url.db")
    with graphql_server(recorded) as endpoint:
        monkeypatch.setenv("CRUXMAP_GRAPHQL_ENDPOINT", endpoint)
        at = open_page(monkeypatch, db, "ingest")
        at.text_input(key="ingest_url").input(POST_URL)
        next(b for b in at.button if "Fetch and ingest" in b.label).click().run(timeout=120)
    assert not at.exception and not at.error
    assert at.success[0].value.startswith(POST_URL) and "1 post," in at.success[0].value
    with open_store(db, read_only=True) as store:
        assert [p["properties"]["title"] for p in store.nodes("Post")] == [
            "Chain-of-thought monitoring buys less time than we think"]


def test_ingest_from_a_url_that_fails_says_why_in_one_line(monkeypatch, tmp_path):
    db = str(tmp_path / "url.db")
    with graphql_server(b'{"data": {"post": {"result": null}}}') as endpoint:
        monkeypatch.setenv("CRUXMAP_GRAPHQL_ENDPOINT", endpoint)
        at = open_page(monkeypatch, db, "ingest")
        at.text_input(key="ingest_url").input(POST_URL)
        next(b for b in at.button if "Fetch and ingest" in b.label).click().run(timeout=120)
    assert not at.exception and len(at.error) == 1
    assert "not found" in at.error[0].value and "\n" not in at.error[0].value
    assert not Path(db).exists()


# --- export --------------------------------------------------------------------------------
def test_export_offers_every_format_and_a_picture(monkeypatch, rich_db):
    from cruxmap.graph.exports import exporters
    from cruxmap.ui.exporting import document

    at = open_page(monkeypatch, rich_db, "export")
    labels = [b.proto.label for b in at.get("download_button")]
    for name, e in exporters().items():
        assert f"{name} ({e.extension})" in labels
    assert "Download crux-map.svg" in labels and "Download summary.svg" in labels and "Download map.svg" in labels
    assert len(at.get("image")) == 3, "the map is shown as pictures: the crux map first"
    crux_svg = next(b for b in at.get("download_button") if b.proto.label == "Download crux-map.svg")
    assert crux_svg is not None
    with open_store(rich_db, read_only=True) as store:
        doc = json.loads(document(store, "json", author="author:ruth calloway"))
    assert {n["properties"].get("name") for n in doc["nodes"] if n["label"] == "Author"} >= {"Ruth Calloway"}


# --- safety --------------------------------------------------------------------------------
class _Tags(HTMLParser):
    """Collects the tags and attributes an HTML string really contains."""

    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(k, v or "") for k, v in attrs]


@pytest.mark.parametrize("page", ["overview", "divergence", "cruxes", "thread", "query", "export"])
def test_source_text_is_never_rendered_as_html(monkeypatch, hostile_db, page):
    at = open_page(monkeypatch, hostile_db, page)
    parsed = _Tags()
    parsed.feed(html(at))
    assert not {"script", "img", "iframe", "object"} & set(parsed.tags), f"source markup became HTML on {page}"
    assert not [k for k, _ in parsed.attrs if k.startswith("on")], f"an event handler reached {page}"
    assert not [v for k, v in parsed.attrs if k == "href" and not v.startswith("https://example.org")], \
        f"a link that is not the source's own reached {page}"
    for md in [e.value for e in at.markdown]:  # markdown shows them escaped, as text
        assert not re.search(r"(?<!\\)<\s*(script|img)", md) and "](javascript" not in md


def test_hostile_text_still_reads_as_text(monkeypatch, hostile_db):
    at = open_page(monkeypatch, hostile_db, "thread")
    page = visible(html(at))
    assert SCRIPT in page and IMG in page  # shown, as the characters the author typed
    assert "Title <script>alert(1)</script>" in page


# --- Neo4j -----------------------------------------------------------------------------------
def test_the_app_reads_a_neo4j_store_the_same_way(monkeypatch, neo4j_clean):
    monkeypatch.setenv("NEO4J_USER", neo4j_clean.user)
    if neo4j_clean.password is not None:
        monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password)
    with open_store(neo4j_clean.uri) as store:
        store.upsert_map(annotated_demo_map())
    at = open_page(monkeypatch, neo4j_clean.uri, "overview")
    assert DOUBLE_CRUX in text(at) and "Cruxes 5" in text(at)
    at = open_page(monkeypatch, neo4j_clean.uri, "divergence",
                   query={"a": "author:mara lindqvist", "b": "author:theo okafor"})
    assert "Can a probe catch deception without explaining most of what the model computes?" in text(at)
    at = open_page(monkeypatch, neo4j_clean.uri, "query")
    assert [t for t in at.text_area if t.key == "query_cypher"], "Neo4j gets a Cypher box"
    at.button(key="query_cypher_run").click().run()
    assert not at.exception and at.dataframe[-1].value["crux"][0] == DOUBLE_CRUX
