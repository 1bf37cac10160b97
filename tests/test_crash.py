"""A process killed in the middle of a write leaves the store with its previous content."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from cruxmap.graph.nx_store import NxStore
from cruxmap.graph.schema import AUTHOR, node
from tests.sample_map import sample_map

ROOT = Path(__file__).resolve().parents[1]

# The child writes thousands of nodes in one ingest and, half-way through, tells us and
# waits to be killed: the kill lands inside the open transaction, not before or after it.
CHILD = textwrap.dedent("""
    import sys, time, pathlib
    from cruxmap.graph.nx_store import NxStore
    from cruxmap.graph.schema import node, AUTHOR
    marker = pathlib.Path(sys.argv[2])
    def nodes():
        for i in range(20000):
            if i == 10000:
                marker.write_text("half")
                time.sleep(60)
            yield node(f"author:crash{i}", AUTHOR, name=f"Crash {i}")
    NxStore(sys.argv[1]).upsert(nodes(), [])
""")


def test_kill_during_ingest_keeps_the_old_map(tmp_path):
    db = tmp_path / "map.db"
    with NxStore(db) as s:
        s.upsert_map(sample_map())
        before = (s.stats(), list(s.nodes()))
    marker = tmp_path / "marker"
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(db), str(marker)], cwd=ROOT,
                             env=dict(os.environ, PYTHONPATH=str(ROOT)))
    deadline = time.time() + 60
    while not marker.exists() and time.time() < deadline and child.poll() is None:
        time.sleep(0.05)
    assert marker.exists(), "the writer never reached the middle of its write"
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    with NxStore(db) as s:  # opens cleanly: SQLite rolls the torn transaction back
        assert (s.stats(), list(s.nodes())) == before
        assert s.node("author:crash0") is None
        s.upsert([node("author:after", AUTHOR, name="After")], [])  # and takes writes again
        assert s.node("author:after") is not None
