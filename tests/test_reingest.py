"""Re-ingesting an edited thread replaces what changed, from the command line (issue 12, item 2),
and a Neo4j load that was cut off is flagged where people look (item 5)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from cruxmap.graph.schema import to_graph
from cruxmap.graph.store import open_store
from cruxmap.ui.cli import cli
from tests.sample_map import sample_map
from tests.test_secrets import APP

OPINIONS = ["I disagree, {x} is overrated.", "No, {x} matters more than you think.",
            "I agree that {x} is the key point.", "That's wrong: {x} was never the issue."]


@pytest.fixture(autouse=True)
def _fresh_app_caches():
    """The app caches on the store's version, which a wiped Neo4j database repeats: start clean."""
    import streamlit as st

    yield
    st.cache_data.clear()
    st.cache_resource.clear()


def thread(n: int, edited: bool = False, drop: int | None = None) -> str:
    lines = [json.dumps({"id": "p", "title": "Pets", "text": "Cats are better than dogs. They are calm.",
                         "author": "Ann"})]
    for i in range(n):
        if i == drop:
            continue
        text = OPINIONS[i % 4].format(x=f"topic {i}" if not edited else f"the new point {i}")
        lines.append(json.dumps({"id": f"c{i}", "post_id": "p", "parent_id": f"c{i - 1}" if i % 3 else "p",
                                 "text": text, "author": ["Bo", "Cy", "Ann"][i % 3]}))
    return "\n".join(lines) + "\n"


def stats(run, db):
    return json.loads(run("stats", "--json", "--db", db).output)


def test_reingest_with_every_comment_edited_does_not_grow_the_map(tmp_path, monkeypatch):
    """2,000 edited comments grew a map from 12,013 to 21,490 nodes; now it is the new copy's map."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()

    def run(*args):
        result = runner.invoke(cli, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result
    (tmp_path / "old.jsonl").write_text(thread(200))
    (tmp_path / "new.jsonl").write_text(thread(200, edited=True))
    run("ingest", "old.jsonl", "--db", "map.db")
    out = run("ingest", "new.jsonl", "--db", "map.db").output
    assert "records derived from an older copy removed" in out
    run("ingest", "new.jsonl", "--db", "fresh.db")
    assert stats(run, "map.db") == stats(run, "fresh.db")
    dropped = tmp_path / "dropped.jsonl"
    dropped.write_text(thread(200, edited=True, drop=7))
    assert "1 comments no longer in the thread marked deleted" in run("ingest", str(dropped), "--db", "map.db").output
    with open_store("map.db", read_only=True) as s:
        assert s.node("jsonl:c7")["properties"]["deleted"] is True
        assert not [c for c in s.claims() if c["source_id"] == "jsonl:c7"]


def test_an_interrupted_neo4j_load_is_flagged_in_stats_and_the_app(neo4j_clean, monkeypatch):
    store = open_store(neo4j_clean.uri, user=neo4j_clean.user, password=neo4j_clean.password)
    nodes, rels = to_graph(sample_map())

    def batches():
        yield nodes[:5], []
        raise KeyboardInterrupt  # the process dies between two batches
    try:
        store.upsert_batches(batches(), load="thread.json")
    except KeyboardInterrupt:
        pass
    assert [l["sources"] for l in store.incomplete_loads()] == ["thread.json"]
    monkeypatch.setenv("NEO4J_USER", neo4j_clean.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password or "")
    result = CliRunner().invoke(cli, ["stats", "--db", neo4j_clean.uri])
    assert result.exit_code == 0 and "INCOMPLETE MAP" in result.output and "thread.json" in result.output
    as_json = json.loads(CliRunner().invoke(cli, ["stats", "--json", "--db", neo4j_clean.uri]).stdout)
    assert as_json["incomplete_loads"][0]["sources"] == "thread.json"
    monkeypatch.setenv("CRUXMAP_DB", neo4j_clean.uri)
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert any("This map is incomplete" in str(w.value) for w in at.warning)
    store.upsert_batches([(nodes, rels)], load="thread.json")  # the same load again completes it
    assert store.incomplete_loads() == []
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not any("incomplete" in str(w.value) for w in at.warning)
