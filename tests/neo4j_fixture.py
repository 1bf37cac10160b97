"""pytest plugin: a real Neo4j 5 Community server for the tests that need one.

Load it from a conftest or a test module with ``pytest_plugins = ["tests.neo4j_fixture"]``.

Fixtures
--------
neo4j_server
    Session-scoped :class:`Neo4jConnection` (uri, user, password) of a running server.
neo4j_uri
    Session-scoped ``bolt://`` URI of that server.
neo4j_clean
    Function-scoped: the same connection, with every node and relationship deleted first
    (Neo4j Community has one user database, so tests share it).

Where the server comes from
---------------------------
- ``CRUXMAP_TEST_NEO4J_URI`` set: that server is used as it is, logging in with ``NEO4J_USER``
  (default ``neo4j``) and ``NEO4J_PASSWORD``. Its data is wiped by ``neo4j_clean``: never point it at
  a database you care about.
- Otherwise one server per test session is started from ``tests/neo4j_server`` (built with Maven the
  first time) and stopped by PID at the end.

If the server cannot be had, tests that use it are skipped with the reason; under ``CI=true`` they
fail instead, since CI must never pass without having run them.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import unavailable

SERVER_MODULE = Path(__file__).resolve().parent / "neo4j_server" / "server.py"
START_TIMEOUT = float(os.environ.get("CRUXMAP_TEST_NEO4J_START_TIMEOUT", "180"))


def _load_server_module():
    """Import tests/neo4j_server/server.py by path: tests/ need not be a package."""
    name = "cruxmap_test_neo4j_server"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SERVER_MODULE)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


server = _load_server_module()


@dataclass(frozen=True)
class Neo4jConnection:
    """Where a test Neo4j listens and how to log in."""

    uri: str
    user: str
    password: str | None

    @property
    def auth(self) -> tuple[str, str] | None:
        """The ``auth`` argument for ``neo4j.GraphDatabase.driver``."""
        return (self.user, self.password) if self.password is not None else None


def _unavailable(reason: str) -> None:
    unavailable(f"Neo4j test server: {reason}")


@pytest.fixture(scope="session")
def neo4j_server():
    """A running Neo4j 5 server for the whole test session (see the module docstring)."""
    external = os.environ.get("CRUXMAP_TEST_NEO4J_URI")
    if external:
        connection = Neo4jConnection(
            external, os.environ.get("NEO4J_USER", server.USER), os.environ.get("NEO4J_PASSWORD")
        )
        try:
            server.wait_until_answering(connection.uri, connection.auth, timeout=30)
        except Exception as error:  # noqa: BLE001 - any failure means the same: no usable server
            _unavailable(f"CRUXMAP_TEST_NEO4J_URI={external} does not answer: {error}")
        yield connection
        return
    try:
        uri, process = server.start_neo4j(timeout=START_TIMEOUT)
    except (server.Neo4jServerError, OSError) as error:
        _unavailable(str(error))
    try:
        yield Neo4jConnection(uri, server.USER, server.PASSWORD)
    finally:
        server.stop_neo4j(process)


@pytest.fixture(scope="session")
def neo4j_uri(neo4j_server: Neo4jConnection) -> str:
    """The ``bolt://`` URI of the session's Neo4j server."""
    return neo4j_server.uri


@pytest.fixture
def neo4j_clean(neo4j_server: Neo4jConnection) -> Neo4jConnection:
    """The session's server with all nodes and relationships deleted (schema is kept)."""
    server.wipe_database(neo4j_server.uri, neo4j_server.auth)
    return neo4j_server
