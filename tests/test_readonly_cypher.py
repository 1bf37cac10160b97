"""Raw Cypher is read-only by the server's plan, for the CLI and the app alike (issue 12, item 1).

Every statement the audit used to read the server's files, make it fetch URLs or run admin
commands without ``--write`` is refused before it runs; the reads people need still work; all
the write forms stay refused.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

from cruxmap.graph import cypher_guard
from cruxmap.graph.errors import ReadOnlyQuery
from cruxmap.graph.neo4j_store import Neo4jStore
from cruxmap.ui import queries
from cruxmap.ui.cli import cli
from tests.sample_map import sample_map

WRITES = [  # the 20 write forms of the audit: all must stay refused without --write
    "CREATE (x:Author {id: 'author:evil'})",
    "MERGE (x:Author {id: 'author:evil'})",
    "MATCH (a:Author) SET a.name = 'x'",
    "MATCH (a:Author) SET a += {name: 'x'}",
    "MATCH (a:Author) SET a:Evil",
    "MATCH (a:Author) REMOVE a.name",
    "MATCH (a:Author) REMOVE a:Author",
    "MATCH (a:Author) DELETE a",
    "MATCH (a:Author) DETACH DELETE a",
    "MATCH (n) DETACH DELETE n",
    "MATCH (a:Author), (b:Author) CREATE (a)-[:EVIL]->(b)",
    "MATCH (a:Author)-[r]->() DELETE r",
    "MATCH (a:Author) FOREACH (x IN [1] | SET a.name = 'x')",
    "UNWIND range(1, 3) AS i CREATE (:Evil {i: i})",
    "CALL () { CREATE (:Evil) } IN TRANSACTIONS",
    "MATCH (a:Author) WITH a LIMIT 1 MERGE (a)-[:EVIL]->(:Evil)",
    "CREATE INDEX evil IF NOT EXISTS FOR (n:Evil) ON (n.x)",
    "CREATE CONSTRAINT evil IF NOT EXISTS FOR (n:Evil) REQUIRE n.x IS UNIQUE",
    "DROP INDEX cruxmap_claim_author IF EXISTS",
    "MATCH (c:Claim) SET c.text = toUpper(c.text) RETURN count(c)",
]
ADMIN = [
    "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
    "SHOW TRANSACTIONS",
    "SHOW USERS",
    "SHOW SETTINGS",
    "CALL db.clearQueryCaches()",
    "CALL dbms.listConfig()",
    "CALL dbms.components()",
    "MATCH (n) WITH n LIMIT 1 CALL dbms.listConfig() YIELD name RETURN name",
]


@pytest.fixture
def store(neo4j_clean):
    s = Neo4jStore(neo4j_clean.uri, user=neo4j_clean.user, password=neo4j_clean.password)
    s.upsert_map(sample_map())
    return s


@pytest.fixture
def web_server():
    """A local HTTP server that records every request it gets (LOAD CSV must never reach it)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            body = b"a,b\n1,2\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/data.csv", hits
    server.shutdown()


def test_load_csv_of_a_server_file_is_refused(store):
    with pytest.raises(ReadOnlyQuery, match="LOAD CSV is refused"):
        store.cypher("LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l LIMIT 2")
    with pytest.raises(ReadOnlyQuery, match="LOAD CSV is refused"):  # the URL in a parameter
        store.cypher("LOAD CSV FROM $u AS l RETURN l", {"u": "file:///etc/passwd"})


def test_load_csv_never_makes_the_server_fetch_a_url(store, web_server):
    url, hits = web_server
    for write in (False, True):  # not even with --write
        with pytest.raises(ReadOnlyQuery, match="LOAD CSV"):
            store.cypher(f"LOAD CSV FROM '{url}' AS l RETURN l", write=write)
    assert hits == []


@pytest.mark.parametrize("statement", ADMIN)
def test_admin_commands_and_system_procedures_are_refused(store, statement):
    with pytest.raises(ReadOnlyQuery, match="refused"):
        store.cypher(statement)


@pytest.mark.parametrize("statement", WRITES)
def test_every_write_form_is_refused_and_writes_nothing(store, statement):
    before = (store.stats(), list(store.nodes()))
    with pytest.raises(ReadOnlyQuery):
        store.cypher(statement)
    assert (store.stats(), list(store.nodes())) == before
    with store._driver.session() as s:  # the schema too: no index or constraint came or went
        names = {r["name"] for r in s.run("SHOW INDEXES YIELD name RETURN name")}
    assert "evil" not in names and "cruxmap_claim_author" in names


def test_reads_and_allowed_procedures_still_work(store):
    assert [r["name"] for r in store.cypher("MATCH (a:Author) RETURN a.name AS name ORDER BY name")] \
        == ["Ann", "Bo", "Cy O'Neil"]
    labels = {r["label"] for r in store.cypher("CALL db.labels() YIELD label RETURN label")}
    assert {"Author", "Claim"} <= labels
    assert store.cypher("CALL db.relationshipTypes()")
    assert store.cypher("CALL db.propertyKeys()")
    assert store.cypher("CALL db.schema.nodeTypeProperties()")
    hits = store.cypher("CALL db.index.fulltext.queryNodes('cruxmap_text', 'superposition') "
                        "YIELD node RETURN node.id AS id")
    assert hits and all(h["id"].startswith(("claim:", "crux:")) for h in hits)


def test_write_flag_allows_writes_only(store):
    store.cypher("CREATE (x:Scratch {id: 'x'})", write=True)
    assert store.cypher("MATCH (x:Scratch) RETURN count(x) AS n") == [{"n": 1}]
    with pytest.raises(ReadOnlyQuery, match="refused"):
        store.cypher("CALL db.clearQueryCaches()", write=True)


def test_the_cli_refuses_in_one_line(neo4j_clean, monkeypatch):
    monkeypatch.setenv("NEO4J_USER", neo4j_clean.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password or "")
    runner = CliRunner()
    result = runner.invoke(cli, ["cypher", "--db", neo4j_clean.uri,
                                 "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l LIMIT 2"])
    assert result.exit_code == 2
    assert result.output.startswith("error: ") and "LOAD CSV is refused" in result.output
    assert "root:" not in result.output and len(result.output.strip().splitlines()) == 1
    ok = runner.invoke(cli, ["cypher", "--db", neo4j_clean.uri, "RETURN 1 AS one"])
    assert ok.exit_code == 0 and json.loads(ok.output) == [{"one": 1}]


def test_the_app_cypher_box_uses_the_same_check(store):
    with pytest.raises(ReadOnlyQuery, match="LOAD CSV"):
        queries.cypher(store, "LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l")
    with pytest.raises(ReadOnlyQuery, match="refused"):
        queries.cypher(store, "SHOW USERS")


def test_user_defined_functions_are_refused_by_name():
    """A plugin function (APOC's apoc.load.json fetches URLs) is refused wherever it is called."""
    plan = {"operatorType": "ProduceResults@neo4j", "args": {}, "children": [
        {"operatorType": "Projection@neo4j", "args": {"Details": "apoc.load.json($u) AS x"}}]}
    assert "apoc.load.json" in cypher_guard.refusal(plan, "r", user_functions=["apoc.load.json"])
    text = "RETURN `apoc`.`load`.json ('http://x') AS x"
    assert cypher_guard.refusal({"operatorType": "ProduceResults@neo4j"}, "r",
                                user_functions=["apoc.load.json"], text=text)
    assert cypher_guard.refusal(plan, "r", user_functions=["apoc.text.join"]) is None
