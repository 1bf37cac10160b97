"""The store contract on the embedded store, plus what only a file-backed store can show."""

from __future__ import annotations

import sqlite3

import pytest

from cruxmap.graph.errors import StoreCorrupt, StoreUnavailable
from cruxmap.graph.nx_store import NxStore
from cruxmap.graph.store import open_store
from tests.sample_map import sample_map
from tests.store_contract import StoreContract


class TestNxStoreInMemory(StoreContract):
    def make_store(self):
        return NxStore(":memory:")


class TestNxStoreOnDisk(StoreContract):
    @pytest.fixture(autouse=True)
    def _tmp(self, tmp_path):
        self.path = tmp_path / "map.db"

    def make_store(self):
        return NxStore(self.path)


def test_map_survives_reopening(tmp_path):
    path = tmp_path / "map.db"
    with open_store(str(path)) as s:
        s.upsert_map(sample_map())
        before = s.stats()
    with open_store(str(path), read_only=True) as s:
        assert s.stats() == before
        assert s.cruxes()[0]["id"] == "crux:1"


def test_reader_sees_a_writers_changes(tmp_path):
    path = str(tmp_path / "map.db")
    writer, reader = NxStore(path), NxStore(path, read_only=True)
    assert reader.authors() == []
    writer.upsert_map(sample_map())
    assert [a["name"] for a in reader.authors()] == ["Ann", "Bo", "Cy O'Neil"]
    writer.close(), reader.close()


def test_read_only_store_refuses_writes(tmp_path):
    path = str(tmp_path / "map.db")
    NxStore(path).close()
    with NxStore(path, read_only=True) as s, pytest.raises(Exception, match="read-only"):
        s.upsert_map(sample_map())


def test_not_a_database_is_reported(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("hello, I am a text file and not SQLite at all" * 20)
    with pytest.raises(StoreCorrupt, match="notes.db"):
        open_store(str(bad))


def test_foreign_sqlite_file_is_reported(tmp_path):
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreCorrupt, match="not a cruxmap database"):
        open_store(str(other))


def test_missing_folder_and_unknown_scheme(tmp_path):
    with pytest.raises(StoreUnavailable, match="does not exist"):
        open_store(str(tmp_path / "no" / "such" / "map.db"))
    with pytest.raises(StoreUnavailable, match="unknown database URI"):
        open_store("postgres://localhost/x")


def test_cruxmap_db_env_is_the_default(tmp_path, monkeypatch):
    path = tmp_path / "env.db"
    monkeypatch.setenv("CRUXMAP_DB", str(path))
    with open_store() as s:
        s.upsert_map(sample_map())
    assert path.exists()


def test_graph_view_is_networkx(tmp_path):
    with NxStore(":memory:") as s:
        s.upsert_map(sample_map())
        g = s.graph()
        assert g.number_of_nodes() == sum(s.stats()["nodes"].values())
        assert g.nodes["post:1"]["label"] == "Post"


def test_batches_may_refer_forward_but_not_to_nowhere():
    from cruxmap.graph.errors import StoreError
    from cruxmap.graph.schema import AUTHOR, POST, WROTE, node, relationship

    with NxStore(":memory:") as s:
        s.upsert_batches([([node("author:a", AUTHOR, name="A")], [relationship(WROTE, "author:a", "post:later")]),
                          ([node("post:later", POST, text="Hi there.")], [])])
        assert s.stats()["relationships"] == {"WROTE": 1}
        with pytest.raises(StoreError, match="post:never"):
            s.upsert_batches([([], [relationship(WROTE, "author:a", "post:never")]),
                              ([node("author:b", AUTHOR, name="B")], [])])
        assert s.node("author:b") is None  # the whole ingest was rolled back
