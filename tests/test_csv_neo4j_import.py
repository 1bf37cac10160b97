"""The csv export loads into a real Neo4j 5.26 with the real ``neo4j-admin database import full``.

The zip's own ``import.sh`` is run unchanged by ``sh``, with ``neo4j-admin`` on ``PATH`` being Neo4j's
admin tool (``org.neo4j.cli.AdminTool`` with ``neo4j-import-tool``, from the same Maven classpath as the
test server, see ``tests/neo4j_server``). A Neo4j server is then started on a copy of the imported store
and read through the official Python driver: every label's node count, every type's relationship count
and every property, value and type, must be what the export was made from.

The map is the interchange test map (quotes, backslashes, a multi-line post, markup, non-ASCII) plus a few
records whose values break naive CSV: commas, quotes and newlines in text and in list items, CRLF, padding
spaces, an empty string beside a missing value, a text that looks like a number, large integers and
awkward fractions.

No external server can take an import, so this test always starts its own (``CRUXMAP_TEST_NEO4J_URI`` is
not used). Without Java or Maven it is skipped with the reason, and under ``CI=true`` it fails instead.
"""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from cruxmap.graph.exports import export
from cruxmap.graph.nx_store import NxStore
from cruxmap.graph.schema import CLAIM, POST, SUPPORTS, node, relationship
from tests.interchange_map import build_map
from tests.neo4j_fixture import START_TIMEOUT, _unavailable, server

IMPORT_TIMEOUT = 300.0

# Values that a CSV writer or reader gets wrong first. The ids carry commas and quotes too.
HOSTILE_ID = 'claim:hostile,"1"'
HOSTILE = node(
    HOSTILE_ID, CLAIM,
    text='She said, "no"\nthen left;\r\nfor good. \\N \\"x\\" ,,, ',
    padded="  spaces kept  ",
    numeric_text="0042",
    empty="",
    tags=["a, b", 'say "hi"', " padded ", "two\nlines", ""],
    big=2**53 + 1,
    negative=-7,
    tiny=1e-7,
    third=1 / 3,
    ratio=0.85,
    flag=False,
    emoji="\N{THINKING FACE} na\u00efve \u2014 \u00bd",
)
PLAIN = node("claim:plain", CLAIM, text="No extras here.", ratio=1, big=3)  # int in a double column
NO_TITLE = node("post:untitled", POST, text="A post with no title.")
EMPTY_TITLE = node("post:empty-title", POST, text="A post with an empty title.", title="")
LINK = relationship(SUPPORTS, "claim:plain", HOSTILE_ID, confidence=0.6, note='comma, "quote"\nnewline')


def exported_store() -> NxStore:
    """The map the test exports: the interchange map plus the hostile records."""
    store = NxStore(":memory:")
    store.upsert_map(build_map())
    store.upsert([HOSTILE, PLAIN, NO_TITLE, EMPTY_TITLE], [LINK])
    return store


def run_import_script(csv_dir: Path, bin_dir: Path) -> subprocess.CompletedProcess:
    """Run the export's ``import.sh`` as a user would, ``bin_dir`` (its ``neo4j-admin``) first on PATH."""
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(["sh", "import.sh"], cwd=csv_dir, env=env, capture_output=True, text=True,
                          timeout=IMPORT_TIMEOUT, stdin=subprocess.DEVNULL, check=False)


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """A Neo4j server on the store that ``import.sh`` built, and the records that were exported."""
    store = exported_store()
    nodes, rels = list(store.nodes()), list(store.relationships())
    root = tmp_path_factory.mktemp("csv-import")
    csv_dir, home = root / "csv", root / "home"
    zipfile.ZipFile(io.BytesIO(b"".join(export(store, "csv")))).extractall(csv_dir)
    try:
        server.write_neo4j_admin(root / "bin", home)  # builds the launcher's classpath first if needed
    except (server.Neo4jServerError, OSError) as error:
        _unavailable(f"cannot set up neo4j-admin: {error}")
    done = run_import_script(csv_dir, root / "bin")
    if done.returncode != 0:  # the tool ran and refused our files: a real failure, never a skip
        pytest.fail(f"neo4j-admin import failed (exit {done.returncode}):\n"
                    + "\n".join((done.stdout + done.stderr).strip().splitlines()[-25:]), pytrace=False)
    try:
        uri, process = server.start_neo4j(timeout=START_TIMEOUT, copy_from=home)
    except server.Neo4jServerError as error:  # Java ran the import, so this is about the store: fail
        pytest.fail(f"Neo4j does not start on the imported store: {error}", pytrace=False)
    from neo4j import GraphDatabase

    try:
        with GraphDatabase.driver(uri, auth=server.AUTH) as driver:
            yield {"driver": driver, "nodes": nodes, "rels": rels, "csv_dir": csv_dir, "output": done.stdout}
    finally:
        server.stop_neo4j(process)


def query(imported, cypher: str, **params) -> list:
    return imported["driver"].execute_query(cypher, **params).records


def same_typed(got, want) -> bool:
    """Equal and of the same type; an int read back as a float only where its column is a double."""
    if isinstance(want, int) and not isinstance(want, bool) and isinstance(got, float):
        return got == want
    if isinstance(want, (list, tuple)):
        return isinstance(got, list) and len(got) == len(want) and all(map(same_typed, got, want))
    return type(got) is type(want) and got == want


def test_import_sh_runs_with_the_real_tool_and_reports_no_bad_entries(imported):
    assert "IMPORT DONE" in imported["output"]
    report = imported["csv_dir"] / "import.report"  # the tool's list of skipped or bad lines
    assert not report.exists() or report.read_text() == ""


def test_every_label_and_type_has_as_many_records_as_were_exported(imported):
    want_nodes, want_rels = {}, {}
    for n in imported["nodes"]:
        want_nodes[n["label"]] = want_nodes.get(n["label"], 0) + 1
    for r in imported["rels"]:
        want_rels[r["type"]] = want_rels.get(r["type"], 0) + 1
    by_label = query(imported, "MATCH (n) RETURN labels(n) AS labels, count(*) AS n")
    by_type = query(imported, "MATCH ()-[r]->() RETURN type(r) AS t, count(*) AS n")
    got_nodes = {r["labels"][0]: r["n"] for r in by_label}
    got_rels = {r["t"]: r["n"] for r in by_type}
    assert got_nodes == want_nodes
    assert got_rels == want_rels
    assert query(imported, "MATCH (n) WHERE size(labels(n)) <> 1 RETURN count(n) AS n")[0]["n"] == 0


def test_every_node_keeps_its_properties_with_their_types(imported):
    for n in imported["nodes"]:
        records = query(imported, f"MATCH (n:{n['label']} {{id: $id}}) RETURN properties(n) AS p", id=n["id"])
        assert len(records) == 1, n["id"]
        got, want = records[0]["p"], n["properties"]
        assert got.keys() == want.keys(), n["id"]
        wrong = {k: (got[k], want[k]) for k in want if not same_typed(got[k], want[k])}
        assert not wrong, n["id"]


def test_every_relationship_joins_the_exported_ends_with_its_properties(imported):
    for r in imported["rels"]:
        records = query(imported, f"MATCH (a {{id: $s}})-[r:{r['type']}]->(b {{id: $e}}) "
                                  "RETURN properties(r) AS p", s=r["start"], e=r["end"])
        assert len(records) == 1, r["id"]
        got, want = records[0]["p"], r["properties"]
        assert got.keys() == want.keys() and all(same_typed(got[k], want[k]) for k in want), r["id"]


def test_hostile_values_come_back_exactly(imported):
    p = query(imported, "MATCH (c:Claim {id: $id}) RETURN properties(c) AS p", id=HOSTILE_ID)[0]["p"]
    assert p["text"] == HOSTILE["properties"]["text"]  # commas, quotes, LF and CRLF, backslashes
    assert p["padded"] == "  spaces kept  " and p["numeric_text"] == "0042" and p["empty"] == ""
    assert p["tags"] == ["a, b", 'say "hi"', " padded ", "two\nlines", ""]
    assert p["big"] == 2**53 + 1 and isinstance(p["big"], int) and p["negative"] == -7
    assert p["tiny"] == 1e-7 and p["third"] == 1 / 3 and p["ratio"] == 0.85  # doubles, not 32-bit floats
    assert p["flag"] is False and p["emoji"] == HOSTILE["properties"]["emoji"]
    plain = query(imported, "MATCH (c:Claim {id: 'claim:plain'}) RETURN c.ratio AS r, c.big AS b")[0]
    assert plain["r"] == 1.0 and isinstance(plain["r"], float) and plain["b"] == 3  # ratio's column is double


def test_an_empty_string_stays_apart_from_a_missing_value(imported):
    titles = {r["id"]: r["has"] for r in query(
        imported, "MATCH (p:Post) WHERE p.id IN ['post:untitled', 'post:empty-title'] "
                  "RETURN p.id AS id, p.title IS NOT NULL AS has, p.title AS title")}
    assert titles == {"post:untitled": False, "post:empty-title": True}
    assert query(imported, "MATCH (p:Post {id: 'post:empty-title'}) RETURN p.title AS t")[0]["t"] == ""
