"""End to end in a real browser: `streamlit run ui/app.py` on 127.0.0.1, driven by headless Chromium.

The store is built from the bundled demo discussion exactly as ``cruxmap demo`` builds it
(``cruxmap.ui.ingest.ingest``: loader, decomposition, store). Chromium is Debian's ``chromium``
package and Playwright only drives it (no browser download). Each view is clicked to as a
person would, what they would read is asserted, and a screenshot of each view at 1280x800
is saved under ``artifacts/screenshots/`` (git-ignored) for people to look at.

Without Chromium or Playwright these tests skip, except under ``CI=true``, where they fail.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.conftest import unavailable

from cruxmap.graph.store import open_store
from cruxmap.ui.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "ui" / "demo_data" / "demo_thread.jsonl"
PASTED = ROOT / "tests" / "data" / "pasted_frontpage.txt"
SHOTS = ROOT / "artifacts" / "screenshots"
CHROMIUM = os.environ.get("CRUXMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
VIEWPORT = {"width": 1280, "height": 800}
TIMEOUT_MS = 30_000


def _unavailable(reason: str) -> None:
    unavailable(f"browser test: {reason}")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_app(db: str):
    """``streamlit run ui/app.py`` on a free port of 127.0.0.1; yields its URL; stops it by PID."""
    port = _free_port()
    env = dict(os.environ, CRUXMAP_DB=db, STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    log = open(Path(db).with_suffix(".log"), "w")
    from cruxmap.ui.cli import streamlit_command

    proc = subprocess.Popen(
        streamlit_command(port, "--server.headless", "true", "--server.fileWatcherType", "none"),
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError("streamlit did not start:\n" + Path(log.name).read_text()[-2000:])
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _map_of(tmp_path_factory, source: Path) -> str:
    db = str(tmp_path_factory.mktemp("browser") / f"{source.stem}.db")
    with open_store(db) as store:
        ingest(store, [source])
    return db


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory) -> str:
    return _map_of(tmp_path_factory, DEMO)


@pytest.fixture(scope="module")
def pasted_db(tmp_path_factory) -> str:
    """The map of a real pasted LessWrong front page (tests/data/pasted_frontpage.txt)."""
    return _map_of(tmp_path_factory, PASTED)


def watch(page, errors: list[str]) -> None:
    """Collect what would go wrong for a person offline: script errors, console errors, dialogs,
    and any request that leaves this machine (the app must need nothing from the internet)."""
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    page.on("dialog", lambda d: errors.append(f"dialog: {d.message}"))
    page.on("console", lambda m: errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("request", lambda r: None if r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))
            else errors.append(f"request off this machine: {r.url}"))


def settle(page) -> None:
    """Wait until Streamlit has finished running the page script."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=TIMEOUT_MS)
    page.wait_for_timeout(400)


def shoot(page, name: str, full_page: bool = False) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def go(page, label: str) -> None:
    """Open a view from the sidebar, as a person would."""
    page.get_by_test_id("stSidebarNav").get_by_text(label, exact=True).click()
    settle(page)


def charts_drawn(page) -> None:
    """Wait until every chart on the page has drawn (Vega draws after the page script ends)."""
    page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')]
        .every(c => c.querySelector('canvas, svg.marks'))""", timeout=TIMEOUT_MS)
    page.wait_for_timeout(300)


def body_with(page, *texts: str) -> str:
    """The page's text once every one of ``texts`` shows (a loaded machine renders late)."""
    for text in texts:
        page.get_by_text(text, exact=False).first.wait_for(timeout=TIMEOUT_MS)
    return page.inner_text("body")


def test_click_through_every_view(browser, demo_db):
    with open_store(demo_db, read_only=True) as store:
        top_crux = store.cruxes(limit=1)
        pair = store.divergence()[:1]
        claims = store.stats()["nodes"].get("Claim", 0)
    errors: list[str] = []
    with streamlit_app(demo_db) as url:
        page = browser.new_page(viewport=VIEWPORT)
        watch(page, errors)

        # Overview: the first thing a newcomer sees
        start = time.monotonic()
        page.goto(url)
        page.get_by_text("Where do they disagree, and why?").wait_for(timeout=TIMEOUT_MS)
        page.get_by_text("Top cruxes").wait_for(timeout=TIMEOUT_MS)
        first_render = time.monotonic() - start
        settle(page)
        body = page.inner_text("body")
        assert "Claims" in body and f"{claims:,}" in body and "Theo Okafor" in body
        if top_crux:
            assert top_crux[0]["text"] in body
        (SHOTS.parent).mkdir(parents=True, exist_ok=True)
        (SHOTS.parent / "first_render.json").write_text(json.dumps({"seconds": round(first_render, 2)}))
        charts_drawn(page)
        assert page.get_by_text("Deploy", exact=True).count() == 0, "Streamlit's Deploy button shows"
        shoot(page, "demo-1-overview")

        # Overview -> crux explorer, through the top crux
        if top_crux:
            page.get_by_role("button", name="Explore").first.click()
            settle(page)
            page.get_by_text("Crux explorer").first.wait_for()
            graph = page.frame_locator("iframe[title*='streamlit_cytoscape']")
            graph.locator("canvas").first.wait_for(timeout=TIMEOUT_MS)
            page.wait_for_timeout(1500)  # the layout settles
            assert top_crux[0]["text"] in page.inner_text("body")
            clicked = _click_a_claim_node(page)
            settle(page)
            with open_store(demo_db, read_only=True) as store:
                claim = store.node(clicked)["properties"]["text"]
            page.get_by_text("Read it in the thread").wait_for(timeout=TIMEOUT_MS)
            body = page.inner_text("body")
            assert claim in body, "clicking a claim shows its quote"
            shoot(page, "demo-3-crux-explorer")

        # Divergence: the matrix, the network and the diff of the most divergent pair
        go(page, "Divergence")
        body = body_with(page, "Author × author",
                     *(("First point of divergence", "Disagreements, side by side") if pair else ()))
        assert "Author × author" in body and "Network" in body
        if pair:
            assert "First point of divergence" in body and "Disagreements, side by side" in body
            assert pair[0]["a_name"] in body and pair[0]["b_name"] in body
        charts_drawn(page)
        shoot(page, "demo-2-divergence")

        # Thread reader: the post, the comment tree, stance badges
        go(page, "Thread reader")
        body = body_with(page, "Interpretability will not catch deceptive models before we deploy them",
                         "Small correction")
        assert "Interpretability will not catch deceptive models before we deploy them" in body
        assert "Small correction" in body and "Ruth Calloway" in body
        assert any(b in body for b in ("disagrees", "corrects", "concedes", "agrees"))
        page.get_by_text("I think this is too pessimistic").first.scroll_into_view_if_needed()
        page.mouse.wheel(0, -120)  # keep the post's last lines in view, above the comment tree
        page.wait_for_timeout(300)
        shoot(page, "demo-4-thread-reader")

        # Query: ask, get a table and the download buttons
        go(page, "Query")
        page.get_by_role("button", name="Ask").click()
        settle(page)
        body = body_with(page, "Download CSV")
        assert "result" in body and "Download CSV" in body
        shoot(page, "demo-5-query")

        # Export: a button per format, and the map as a picture
        go(page, "Export")
        body = body_with(page, "json (.json)", "The map as a picture")
        assert "json (.json)" in body and "The map as a picture" in body
        page.locator("[data-testid='stImage'] img").first.wait_for(timeout=TIMEOUT_MS)
        shoot(page, "demo-7-export")

        # Ingest: paste a page; the map grows; a broken paste says what is wrong in one line
        go(page, "Ingest")
        page.get_by_role("tab", name="Paste a page").click()
        page.get_by_label("Paste a forum page, a post or a discussion").fill(
            "# Are sparse autoencoders enough?\n\nI think they are not enough. The reconstruction "
            "error is too large to ignore.")
        page.get_by_role("button", name="Ingest text").click()
        page.get_by_text("written:").wait_for(timeout=TIMEOUT_MS)
        assert "1 post," in page.inner_text("body")
        shoot(page, "demo-6-ingest")

        page.close()
    assert not errors, errors


def _click_a_claim_node(page) -> str:
    """Click a claim node of the Cytoscape graph at its rendered position."""
    frame = page.frame(url=lambda u: "streamlit_cytoscape" in u)
    assert frame is not None, "the graph component did not load"
    pos = frame.evaluate("""() => {
        const cy = document.getElementById('cy')._cyreg.cy;
        const n = cy.nodes().filter(n => n.data('_kind') === 'claim').first();
        const p = n.renderedPosition();
        return {x: p.x, y: p.y, id: n.id()};
    }""")
    cy_box = frame.locator("#cy").bounding_box()  # in page coordinates already
    page.mouse.click(cy_box["x"] + pos["x"], cy_box["y"] + pos["y"])
    page.wait_for_timeout(600)
    return pos["id"]


def test_hostile_source_text_shows_as_text(browser, tmp_path):
    from tests.test_app import IMG, SCRIPT, hostile_map

    db = str(tmp_path / "hostile.db")
    with open_store(db) as store:
        store.upsert_map(hostile_map())
    dialogs: list[str] = []
    with streamlit_app(db) as url:
        page = browser.new_page(viewport=VIEWPORT)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f"{url}/thread")
        page.locator(".cm-post").first.wait_for(timeout=TIMEOUT_MS)  # the page's own content, not the nav
        settle(page)
        body = page.inner_text("body")
        assert SCRIPT in body and IMG in body  # the characters the author typed, as text
        assert page.locator("img[src='x']").count() == 0
        for view in ("Overview", "Divergence", "Crux explorer"):
            go(page, view)
        page.wait_for_timeout(1000)
        shoot(page, "8-hostile-text")
        page.close()
    assert dialogs == [], "a script from the source ran in the page"


def test_every_view_of_a_real_pasted_page(browser, pasted_db):
    """The same views on the map of a real pasted front page: they render, offline, and are shot."""
    with open_store(pasted_db, read_only=True) as store:
        top_crux = store.cruxes(limit=1)
    errors: list[str] = []
    with streamlit_app(pasted_db) as url:
        page = browser.new_page(viewport=VIEWPORT)
        watch(page, errors)
        page.goto(url)
        body = body_with(page, "Where do they disagree, and why?", "Top cruxes")
        assert top_crux and top_crux[0]["text"] in body
        charts_drawn(page)
        shoot(page, "pasted-1-overview")
        go(page, "Divergence")
        body_with(page, "Author × author", "Network")
        charts_drawn(page)
        shoot(page, "pasted-2-divergence")
        go(page, "Crux explorer")
        page.frame_locator("iframe[title*='streamlit_cytoscape']").locator("canvas").first.wait_for(timeout=TIMEOUT_MS)
        page.wait_for_timeout(1500)
        shoot(page, "pasted-3-crux-explorer")
        go(page, "Thread reader")
        page.locator(".cm-post").first.wait_for(timeout=TIMEOUT_MS)
        shoot(page, "pasted-4-thread-reader")
        go(page, "Query")
        page.get_by_role("button", name="Ask").click()
        settle(page)
        body_with(page, "Download CSV")
        shoot(page, "pasted-5-query")
        go(page, "Export")
        body_with(page, "json (.json)", "The map as a picture")
        page.locator("[data-testid='stImage'] img").first.wait_for(timeout=TIMEOUT_MS)
        shoot(page, "pasted-7-export")
        page.close()
    assert not errors, errors


# --- the HTML report, read at 100% zoom -----------------------------------------------------------
#: Every piece of text a person can see, with its size on screen in CSS pixels (SVG text scaled by
#: its transform), and how wide the page is.
MEASURE = """() => {
  let min = 1e9, smallest = '', texts = 0;
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const el = n.parentElement;
    if (!n.textContent.trim() || !el || !el.checkVisibility() || !el.getClientRects().length) continue;
    let px = parseFloat(getComputedStyle(el).fontSize);
    const m = el instanceof SVGElement ? el.getScreenCTM() : null;
    if (m) px *= Math.hypot(m.a, m.b);
    texts++;
    if (px < min) { min = px; smallest = n.textContent.trim().slice(0, 60); }
  }
  return {min_px: Math.round(min * 10) / 10, smallest, texts,
          width: document.documentElement.scrollWidth};
}"""
MIN_TEXT_PX, MAX_WIDTH_PX = 9, 1600


def _big_map():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_stores import synthetic_map
    return synthetic_map(5000)


@pytest.mark.parametrize("which", ["pasted-frontpage", "5000-claims"])
def test_the_html_report_reads_at_100_percent(browser, tmp_path, which):
    """No text under 9 px and nothing wider than 1,600 px, closed and with every fold opened."""
    from cruxmap.graph.exports import write

    db, report = str(tmp_path / "map.db"), tmp_path / "report.html"
    with open_store(db) as store:
        if which == "5000-claims":
            store.upsert_map(_big_map())
        else:
            ingest(store, [PASTED])
        claims = store.stats()["nodes"]["Claim"]
        write(store, "html", report)
    assert which != "5000-claims" or claims == 5000
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(report.as_uri())
    folded = page.evaluate(MEASURE)
    shoot(page, f"report-{which}")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    opened = page.evaluate(MEASURE)
    page.locator("#map details").first.scroll_into_view_if_needed()
    shoot(page, f"report-{which}-opened")
    page.close()
    measured = {"claims": claims, "folded": folded, "every_fold_opened": opened}
    out = SHOTS.parent / "report_readability.json"
    done = json.loads(out.read_text()) if out.exists() else {}
    done[which] = measured
    out.write_text(json.dumps(done, indent=2))
    for m in (folded, opened):
        assert m["min_px"] >= MIN_TEXT_PX, measured
        assert m["width"] <= MAX_WIDTH_PX and m["width"] <= 1280, measured  # no sideways scrolling
    assert opened["texts"] > folded["texts"]  # the claims are there, one click away
