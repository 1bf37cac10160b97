"""The wheel installs one import namespace, ``cruxmap``, and nothing else.

A user's environment may hold other packages called ``graph``, ``ui`` or ``loaders``: cruxmap
must neither break them nor be broken by them.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ["pyproject.toml", "README.md", "LICENSE", "__init__.py", "graph", "loaders", "decompose", "ui"]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """cruxmap's wheel, built offline from a copy of the sources (the checkout is not touched)."""
    src = tmp_path_factory.mktemp("src")
    for name in SOURCES:
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy2
        copy(ROOT / name, src / name, **({"ignore": shutil.ignore_patterns("__pycache__")}
                                          if (ROOT / name).is_dir() else {}))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation",
                    "--no-index", "-w", str(out), str(src)], check=True, capture_output=True)
    return next(out.glob("cruxmap-*.whl"))


def test_the_wheel_holds_only_the_cruxmap_namespace(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert top == {"cruxmap"}
    for data in ("cruxmap/decompose/lexicons/disagree.txt", "cruxmap/decompose/models/stance_features.json",
                 "cruxmap/ui/demo_data/demo_thread.jsonl", "cruxmap/ui/app.py", "cruxmap/ui/static/cruxmap.png",
                 "cruxmap/ui/app_pages/overview.py"):
        assert data in names


def test_installs_beside_a_package_named_graph(wheel, tmp_path):
    """A clean venv (dependencies from this environment, nothing from the network) holds the
    wheel and an unrelated top-level package ``graph``; both import, each its own."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies: this environment's site-packages folders as plain path lines, so their
    # .pth files (among them this checkout's editable install of cruxmap) are not run. Works
    # whether the tests run in a venv of their own or one that sees the system's packages.
    deps = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()]
    (site / "_test_dependencies.pth").write_text("\n".join(deps) + "\n")
    (site / "graph").mkdir()
    (site / "graph" / "__init__.py").write_text("WHOSE = 'another project'\n")
    subprocess.run([str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
                   check=True, capture_output=True)
    probe = (
        "import graph, cruxmap, cruxmap.graph.schema as schema\n"
        "from cruxmap.decompose.pipeline import decompose\n"
        "from cruxmap.loaders import parse\n"
        "assert graph.WHOSE == 'another project'\n"
        f"assert cruxmap.__file__.startswith({str(site)!r}), cruxmap.__file__\n"
        "m = decompose(parse('No, that is wrong: prices fall when supply rises.', 'markdown', 'x.md'))\n"
        "print(schema.CLAIM, len(m.claims))\n"
    )
    done = subprocess.run([str(python), "-c", probe], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[0] == "Claim" and int(done.stdout.split()[1]) >= 1
    cli = subprocess.run([str(venv / "bin" / "cruxmap"), "--help"], capture_output=True, text=True, cwd=tmp_path)
    assert cli.returncode == 0 and "ingest" in cli.stdout
