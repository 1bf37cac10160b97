"""The Examples in cruxmap's docstrings run, against the installed package itself.

Each module is imported under its real name (``cruxmap.graph.store``, not a copy loaded from
its file path), so an example sees exactly what a user's ``import`` sees.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import cruxmap

# Streamlit runs these as scripts (tests/test_app.py drives them with AppTest); importing them
# here would execute a page outside Streamlit.
SCRIPTS = {"cruxmap.ui.app"}
SCRIPT_PACKAGES = ("cruxmap.ui.app_pages",)


def module_names() -> list[str]:
    names = ["cruxmap"]
    for info in pkgutil.walk_packages(cruxmap.__path__, "cruxmap."):
        name = info.name
        if name.split(".")[1] not in {"graph", "loaders", "decompose", "ui"}:
            continue  # an editable install also sees tests/, benchmarks/ and scripts/ under the root
        if name in SCRIPTS or name.startswith(SCRIPT_PACKAGES):
            continue
        names.append(name)
    return sorted(names)


def test_every_stage_has_modules():
    names = module_names()
    for package in ("cruxmap.graph", "cruxmap.loaders", "cruxmap.decompose", "cruxmap.ui"):
        assert sum(n.startswith(package + ".") for n in names) >= 5, package


@pytest.mark.parametrize("name", module_names())
def test_docstring_examples(name, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # an example that writes a file writes it here
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS)
    report: list[str] = []
    for test in finder.find(module, name):
        runner.run(test, out=report.append)
    failed, _ = runner.summarize(verbose=False)
    assert failed == 0, "".join(report)
