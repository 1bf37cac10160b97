"""The store contract on a real Neo4j 5 server, plus what only a server store has."""

from __future__ import annotations

import pytest

from tests.conftest import unavailable

from cruxmap.graph.errors import ReadOnlyQuery, StoreUnavailable
from cruxmap.graph.neo4j_store import Neo4jStore
from cruxmap.graph.store import open_store
from tests.sample_map import sample_map
from tests.store_contract import StoreContract
from tests.test_nx_store import TestNxStoreInMemory



def make_neo4j(conn, **kw) -> Neo4jStore:
    return Neo4jStore(conn.uri, user=conn.user, password=conn.password, **kw)


class TestNeo4jStore(StoreContract):
    @pytest.fixture(autouse=True)
    def _server(self, neo4j_clean):
        self.conn = neo4j_clean

    def make_store(self):
        return make_neo4j(self.conn, batch_size=3)  # tiny batches: every write spans several


def test_same_answers_as_the_embedded_store(neo4j_clean):
    """Every named query gives the same rows on Neo4j as on the embedded store."""
    nx_store = TestNxStoreInMemory().make_store()
    neo = make_neo4j(neo4j_clean)
    for s in (nx_store, neo):
        s.upsert_map(sample_map())
    for query in ("authors", "divergence", "topics"):
        assert getattr(neo, query)() == getattr(nx_store, query)(), query
    assert neo.claims() == nx_store.claims()
    assert neo.claims(author="bo", text="superposition") == nx_store.claims(author="bo", text="superposition")
    assert neo.disagreements(between=("Bo", "Ann")) == nx_store.disagreements(between=("Bo", "Ann"))
    assert neo.cruxes() == nx_store.cruxes()
    assert list(neo.nodes()) == list(nx_store.nodes())
    assert list(neo.relationships()) == list(nx_store.relationships())
    assert neo.neighbourhood("disagreement:1", hops=2) == nx_store.neighbourhood("disagreement:1", hops=2)


def test_open_store_with_bolt_uri_and_env_credentials(neo4j_clean, monkeypatch):
    monkeypatch.setenv("NEO4J_USER", neo4j_clean.user)
    if neo4j_clean.password is not None:
        monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password)
    with open_store(neo4j_clean.uri) as s:
        assert isinstance(s, Neo4jStore)
        s.upsert_map(sample_map())
        assert s.stats()["nodes"]["Author"] == 3


def test_raw_cypher_is_read_only_by_default(neo4j_clean):
    s = make_neo4j(neo4j_clean)
    s.upsert_map(sample_map())
    rows = s.cypher("MATCH (a:Author) RETURN a.name AS name ORDER BY name")
    assert [r["name"] for r in rows] == ["Ann", "Bo", "Cy O'Neil"]
    with pytest.raises(ReadOnlyQuery, match="writes"):
        s.cypher("CREATE (x:Author {id: 'author:evil', name: 'Evil'})")
    assert s.node("author:evil") is None
    s.cypher("CREATE (x:Scratch {id: 'x'})", write=True)
    assert s.cypher("MATCH (x:Scratch) RETURN count(x) AS n") == [{"n": 1}]


def test_full_text_search_finds_claims(neo4j_clean):
    s = make_neo4j(neo4j_clean)
    s.upsert_map(sample_map())
    hits = s.search("superposition")
    assert hits and all(h["id"].startswith(("claim:", "crux:")) for h in hits)


def test_unreachable_server_is_one_clear_error():
    with pytest.raises(StoreUnavailable, match="cannot reach a Neo4j server"):
        Neo4jStore("bolt://127.0.0.1:1", password="x")


def test_wrong_password_is_one_clear_error(neo4j_clean):
    if neo4j_clean.password is None:
        unavailable("the test server runs without authentication")
    with pytest.raises(StoreUnavailable, match="refused the credentials"):
        Neo4jStore(neo4j_clean.uri, user=neo4j_clean.user, password="wrong-password")


def test_bad_uri_is_one_clear_error():
    with pytest.raises(StoreUnavailable):
        open_store("bolt://")


def test_cli_gives_the_same_answers_on_neo4j(neo4j_clean, tmp_path, monkeypatch):
    """`cruxmap ingest/query/export --db bolt://…` answer as they do on the embedded store."""
    import json
    from pathlib import Path

    from click.testing import CliRunner

    from cruxmap.ui.cli import cli

    monkeypatch.setenv("NEO4J_USER", neo4j_clean.user)
    if neo4j_clean.password is not None:
        monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password)
    thread = str(Path(__file__).parent / "data" / "lw_post_with_comments.json")
    runner = CliRunner()

    def answers(db: str) -> list:
        assert runner.invoke(cli, ["ingest", thread, "--db", db]).exit_code == 0
        out = []
        for args in (["query", "authors"], ["query", "disagreements"], ["query", "cruxes"],
                     ["query", "divergence"], ["query", "claims", "--limit", "5"], ["stats"]):
            result = runner.invoke(cli, [*args, "--json", "--db", db])
            assert result.exit_code == 0, result.output
            out.append(json.loads(result.output))
        exported = runner.invoke(cli, ["export", "--format", "json", "--db", db])
        out.append(json.loads(exported.output))
        return out

    embedded, neo4j = answers(str(tmp_path / "map.db")), answers(neo4j_clean.uri)
    assert neo4j == embedded
    assert embedded[1], "the thread has disagreements to compare"
