"""``cruxmap ui --read-only`` and ``--password``: a map to share (issue 12, item 9)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from cruxmap.graph.errors import StoreError
from cruxmap.graph.store import open_store
from cruxmap.ui import cli as cli_module
from cruxmap.ui import uploads
from tests.sample_map import sample_map

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "ui" / "app.py"


@pytest.fixture(autouse=True)
def _fresh_app_caches():
    """The app caches on the store's version, which a wiped Neo4j database repeats: start clean."""
    import streamlit as st

    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def map_db(tmp_path):
    db = tmp_path / "map.db"
    with open_store(str(db)) as s:
        s.upsert_map(sample_map())
    return str(db)


def test_read_only_has_no_ingest_page_and_writes_nothing(map_db, monkeypatch):
    monkeypatch.setenv("CRUXMAP_DB", map_db)
    monkeypatch.setenv("CRUXMAP_READ_ONLY", "1")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception
    with pytest.raises(ValueError, match="Known pages") as no_page:  # not in the navigation
        at.switch_page("app_pages/ingest.py")
    assert "ingest.py" not in str(no_page.value).split("Known pages")[1]
    page = AppTest.from_file(str(ROOT / "ui" / "app_pages" / "ingest.py"), default_timeout=60).run()
    assert "shared read-only" in " ".join(str(e.value) for e in page.error)  # and the page refuses
    assert not page.text_area and not page.button
    with pytest.raises(StoreError, match="read-only"):
        uploads.ingest_paste(map_db, "# A post\n\nCats purr.", None)
    with open_store(map_db, read_only=True) as s:
        assert s.stats()["nodes"]["Claim"] == 7


def test_read_only_query_page_has_no_cypher_box(map_db, monkeypatch, neo4j_clean):
    with open_store(neo4j_clean.uri, user=neo4j_clean.user, password=neo4j_clean.password) as s:
        s.upsert_map(sample_map())
    monkeypatch.setenv("NEO4J_USER", neo4j_clean.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password or "")
    monkeypatch.setenv("CRUXMAP_DB", neo4j_clean.uri)
    for read_only, boxes in (("", 1), ("1", 0)):
        monkeypatch.setenv("CRUXMAP_READ_ONLY", read_only)
        at = AppTest.from_file(str(APP), default_timeout=60).run()
        at.switch_page("app_pages/query.py").run()
        assert not at.exception
        assert len([t for t in at.text_area if t.key == "query_cypher"]) == boxes


def test_password_gate(map_db, monkeypatch):
    monkeypatch.setenv("CRUXMAP_DB", map_db)
    monkeypatch.setenv("CRUXMAP_UI_PASSWORD", "open sesame")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    shown = " ".join(str(m.value) for m in at.markdown) + " ".join(str(m.value) for m in at.metric)
    assert "superposition" not in shown.lower() and not at.metric  # nothing of the map yet
    at.text_input(key="_cruxmap_password").input("wrong").run()
    assert "not the password" in " ".join(str(e.value) for e in at.error) and not at.metric
    at.text_input(key="_cruxmap_password").input("open sesame").run()
    assert not at.exception and at.metric  # the overview's numbers


def test_cli_ui_passes_read_only_password_and_a_local_address(monkeypatch):
    seen = {}

    def fake_call(cmd, env):  # the streamlit process itself is what the app tests above run
        seen.update(cmd=cmd, env=env)
        return 0
    monkeypatch.setattr(cli_module.subprocess, "call", fake_call)
    monkeypatch.delenv("STREAMLIT_SERVER_ADDRESS", raising=False)
    result = CliRunner().invoke(cli_module.cli, ["ui", "--read-only", "--password", "--db", "x.db"],
                                input="pw12345\npw12345\n")
    assert result.exit_code == 0, result.output
    assert seen["cmd"][seen["cmd"].index("--server.address") + 1] == "127.0.0.1"
    assert seen["env"]["CRUXMAP_READ_ONLY"] == "1" and seen["env"]["CRUXMAP_UI_PASSWORD"] == "pw12345"
    assert "pw12345" not in result.output
