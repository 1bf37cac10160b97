"""One writer at a time, politely; creating a map is safe under races (issue 12, item 4)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

from cruxmap.graph.store import open_store
from cruxmap.graph.writelock import WriteLock

ROOT = Path(__file__).resolve().parents[1]
ESSAY = ROOT / "tests" / "data" / "essay.md"
APP = ROOT / "ui" / "app.py"


def cruxmap(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cruxmap.ui.cli", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "CRUXMAP_DB": ""})


def test_a_second_writer_waits_with_a_message_then_gives_up_in_one_line(tmp_path):
    db = tmp_path / "cruxmap.db"
    with open_store(str(db)) as s:
        before = s.stats()
    with WriteLock(db):  # another ingest is writing
        started = time.monotonic()
        result = cruxmap("ingest", str(ESSAY), "--wait", "1.5", cwd=tmp_path)
        waited = time.monotonic() - started
    assert result.returncode == 2, result.stderr
    assert "waiting for another ingest into cruxmap.db…" in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "another ingest is writing" in errors[0] and "--wait" in errors[0]
    assert "Traceback" not in result.stderr and "database is locked" not in result.stderr
    assert waited >= 1.5
    with open_store(str(db)) as s:
        assert s.stats() == before


def test_a_second_writer_goes_ahead_when_the_first_is_done(tmp_path):
    db = tmp_path / "cruxmap.db"
    lock = WriteLock(db)
    lock.__enter__()
    threading.Timer(6.0, lock.__exit__, (None, None, None)).start()
    result = cruxmap("ingest", str(ESSAY), "--wait", "30", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "waiting for another ingest" in result.stderr
    with open_store(str(db), read_only=True) as s:
        assert s.stats()["nodes"]["Post"] == 1


OPENER = textwrap.dedent("""
    import sys, time
    from cruxmap.graph.store import open_store
    from cruxmap.graph.errors import CruxmapError
    folder, rounds, me = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    bad = 0
    for i in range(rounds):
        while time.time() < float(sys.argv[4]) + i * 0.05:  # all processes open map i together
            time.sleep(0.001)
        try:
            with open_store(f"{folder}/map{i}.db") as s:
                assert s.stats() == {"nodes": {}, "relationships": {}}
            with open_store(f"{folder}/map{i}.db", read_only=True) as s:
                s.version()
        except (CruxmapError, AssertionError) as e:
            bad += 1
            print(f"open {i} in process {me}: {e}", file=sys.stderr)
    print(bad)
""")


def test_six_processes_creating_new_maps_at_once_never_see_a_corrupt_one(tmp_path):
    rounds = 40
    start = time.time() + 3.0
    procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(tmp_path), str(rounds), str(n), str(start)],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for n in range(6)]
    outputs = [p.communicate(timeout=240) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err for _, err in outputs]
    assert [int(out.strip()) for out, _ in outputs] == [0] * 6, [err for _, err in outputs]
    for i in range(rounds):  # and every map is a whole, empty cruxmap store
        with open_store(str(tmp_path / f"map{i}.db"), read_only=True) as s:
            assert s.stats() == {"nodes": {}, "relationships": {}}


def test_the_ingest_page_says_so_in_words(tmp_path, monkeypatch):
    db = tmp_path / "map.db"
    with open_store(str(db)) as s:
        s.upsert_map(__import__("tests.sample_map", fromlist=["sample_map"]).sample_map())
    monkeypatch.setenv("CRUXMAP_DB", str(db))
    monkeypatch.setenv("CRUXMAP_APP_LOCK_WAIT", "1")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/ingest.py").run()
    at.text_area(key="ingest_text").input("# A post\n\nCats are better than dogs.")
    with WriteLock(db):
        for b in at.button:
            if "Ingest text" in str(b.label):
                b.click().run()
                break
    assert not at.exception, [e.value for e in at.exception]
    words = " ".join(str(w.value) for w in at.warning)
    assert "Another ingest is still writing to this map" in words and "Nothing was written" in words
    assert not at.error
