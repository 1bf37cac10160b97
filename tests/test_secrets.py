"""Credentials are never shown: not in a CLI error, not on an app page (issue 12, item 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from cruxmap.graph.errors import StoreUnavailable, redact, register_secret
from cruxmap.graph.store import open_store
from cruxmap.ui.cli import cli
from tests.sample_map import sample_map

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "ui" / "app.py"
SECRET = "hunter2-s3cret"


@pytest.fixture(autouse=True)
def _fresh_app_caches():
    """The app caches on the store's version, which a wiped Neo4j database repeats: start clean."""
    import streamlit as st

    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def test_redact_hides_userinfo_parameters_and_known_secrets(monkeypatch):
    assert redact(f"bolt://neo4j:{SECRET}@db:7687") == "bolt://***@db:7687"
    assert redact(f"neo4j+s://{SECRET}@db") == "neo4j+s://***@db"
    assert redact(f"http://x/v1?api_key={SECRET}&a=1") == "http://x/v1?api_key=***&a=1"
    monkeypatch.setenv("NEO4J_PASSWORD", SECRET)
    assert SECRET not in redact(f"login failed for {SECRET}")
    register_secret("typed-at-a-prompt")
    assert "typed-at-a-prompt" not in redact("password typed-at-a-prompt was wrong")
    # what is not a credential stays
    assert redact("https://www.lesswrong.com/posts/abc/x and ann@example.org") == \
        "https://www.lesswrong.com/posts/abc/x and ann@example.org"


def test_every_error_message_is_redacted():
    assert SECRET not in str(StoreUnavailable(f"bolt://u:{SECRET}@h: refused"))


def test_cli_errors_never_echo_the_password(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for db in (f"bolt://neo4j:{SECRET}@127.0.0.1:1", f"neo4j://neo4j:{SECRET}@127.0.0.1:notaport",
               f"ftp://neo4j:{SECRET}@example.org/x"):
        result = runner.invoke(cli, ["stats", "--db", db])
        assert result.exit_code == 2, result.output
        assert result.output.startswith("error: ") and len(result.output.splitlines()) == 1
        assert SECRET not in result.output and "Traceback" not in result.output


def _page_text(at: AppTest) -> str:
    parts = []
    for kind in ("title", "markdown", "caption", "info", "warning", "error", "success", "exception"):
        parts += [str(getattr(e, "value", e)) for e in getattr(at, kind)]
    parts += [str(e.proto) for e in at.sidebar]
    return "\n".join(parts)


def test_app_pages_never_show_the_password(monkeypatch, neo4j_clean):
    """The sidebar used to print the whole URI, password included, on every page."""
    password = neo4j_clean.password or SECRET
    with open_store(neo4j_clean.uri, user=neo4j_clean.user, password=neo4j_clean.password) as s:
        s.upsert_map(sample_map())
    host = neo4j_clean.uri.split("://", 1)[1]
    monkeypatch.setenv("CRUXMAP_DB", f"bolt://{neo4j_clean.user}:{password}@{host}")
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    for page in ("overview", "query", "ingest", "export"):
        if page != "overview":
            at.switch_page(f"app_pages/{page}.py").run()
        shown = _page_text(at)
        assert "***@" in shown, page  # the map is named, without its credentials
        assert password not in shown, page


def test_app_on_an_unreachable_server_shows_no_password(monkeypatch):
    monkeypatch.setenv("CRUXMAP_DB", f"bolt://neo4j:{SECRET}@127.0.0.1:1")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert SECRET not in _page_text(at)
