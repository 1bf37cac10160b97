"""The test Neo4j server is a real Neo4j 5 Community that the official driver can use."""

import neo4j
import pytest

from tests.conftest import unavailable

from tests.neo4j_fixture import server


def test_fixture_yields_a_local_bolt_uri(neo4j_uri):
    assert neo4j_uri.startswith(("bolt://", "neo4j://"))


def test_server_is_neo4j_5_community(neo4j_server):
    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=neo4j_server.auth) as driver:
        records, _, _ = driver.execute_query("CALL dbms.components() YIELD name, versions, edition")
    component = records[0]
    assert component["name"] == "Neo4j Kernel"
    assert component["versions"][0].startswith("5.")
    assert component["edition"] == "community"


def test_writes_and_reads_back(neo4j_clean):
    with neo4j.GraphDatabase.driver(neo4j_clean.uri, auth=neo4j_clean.auth) as driver:
        records, _, _ = driver.execute_query("CREATE (n:T {x: 1}) RETURN n.x AS x")
        assert records[0]["x"] == 1
        records, _, _ = driver.execute_query("MATCH (n:T) RETURN count(n) AS n", routing_=neo4j.RoutingControl.READ)
        assert records[0]["n"] == 1


def test_clean_fixture_starts_empty(neo4j_clean):
    with neo4j.GraphDatabase.driver(neo4j_clean.uri, auth=neo4j_clean.auth) as driver:
        driver.execute_query("CREATE (:T {x: 2})")
    server.wipe_database(neo4j_clean.uri, neo4j_clean.auth)
    with neo4j.GraphDatabase.driver(neo4j_clean.uri, auth=neo4j_clean.auth) as driver:
        records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS n")
    assert records[0]["n"] == 0


def test_wrong_password_is_refused(neo4j_server):
    if neo4j_server.password is None:
        unavailable("this server runs without authentication")
    with neo4j.GraphDatabase.driver(neo4j_server.uri, auth=(neo4j_server.user, "not-the-password")) as driver:
        with pytest.raises(neo4j.exceptions.AuthError):
            driver.verify_connectivity()
