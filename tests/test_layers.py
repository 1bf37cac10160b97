"""Data flows one way: loaders -> decompose -> graph store -> analysis -> ui / exports.

A module may import graph.schema and graph.errors from anywhere, and never a later stage.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# layer of each package prefix; a module may only import from layers <= its own
LAYERS = [
    ("cruxmap.graph.schema", 0), ("cruxmap.graph.errors", 0),
    ("cruxmap.loaders", 1),
    ("cruxmap.decompose", 2),
    ("cruxmap.graph.store", 3), ("cruxmap.graph.nx_store", 3), ("cruxmap.graph.neo4j_store", 3),
    ("cruxmap.graph.cypher", 3),
    ("cruxmap.graph.analysis", 4),
    ("cruxmap.graph.exports", 5), ("cruxmap.ui", 5),
]


def layer_of(module: str) -> int | None:
    best = None
    for prefix, layer in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            if best is None or len(prefix) > len(best[0]):
                best = (prefix, layer)
    return best[1] if best else None


def modules():
    for pkg in ("graph", "loaders", "decompose", "ui"):
        for path in (ROOT / pkg).rglob("*.py"):
            name = ".".join(("cruxmap",) + path.relative_to(ROOT).with_suffix("").parts)
            yield name.removesuffix(".__init__"), path


def parse(path: Path) -> ast.AST:
    try:
        return ast.parse(path.read_text(encoding="utf-8"))
    except SystemError:
        # CPython 3.11 can fail with "AST constructor recursion depth mismatch" after an earlier
        # test caught a RecursionError; a fresh interpreter parses the same file fine.
        code = ("import ast, sys; print(ast.dump(ast.parse(open(sys.argv[1], encoding='utf-8').read())))")
        out = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True,
                             check=True).stdout
        return eval(out, {k: getattr(ast, k) for k in dir(ast) if not k.startswith("_")})


def imports(path: Path):
    for node in ast.walk(parse(path)):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from cruxmap import loaders` imports the package cruxmap.loaders
            yield from ([f"{node.module}.{a.name}" for a in node.names] if node.module == "cruxmap"
                        else [node.module])


def test_no_module_imports_a_later_stage():
    wrong = []
    for name, path in modules():
        mine = layer_of(name)
        for imported in imports(path):
            theirs = layer_of(imported)
            if mine is not None and theirs is not None and theirs > mine:
                wrong.append(f"{name} imports {imported}")
    assert wrong == []


def test_the_checker_catches_an_upward_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from cruxmap.ui.cli import cli\n")
    assert layer_of("cruxmap.loaders.x") < layer_of(next(imports(bad)))


def test_labels_are_spelled_only_in_the_schema():
    """Node labels and relationship types are imported from graph.schema, never retyped."""
    from cruxmap.graph import schema

    literals = {f'"{x}"' for x in schema.NODE_LABELS + schema.REL_TYPES if x.isupper() and "_" in x}
    literals |= {'"PARTY_TO"', '"CRUX_OF"', '"REPLIES_TO"', '"SAME_AS"'}
    offenders = []
    for name, path in modules():
        if name in ("cruxmap.graph.schema",) or name.startswith("cruxmap.graph.cypher"):
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [f"{name}: {lit}" for lit in literals if lit in text]
    assert offenders == []


def test_imports_use_the_cruxmap_namespace():
    """cruxmap's own modules, tests and benchmarks import ``cruxmap.graph``, never a bare ``graph``
    (which would pick up any other installed package of that name)."""
    bare = {"graph", "loaders", "decompose", "ui"}
    paths = [p for d in ("graph", "loaders", "decompose", "ui", "tests", "benchmarks")
             for p in (ROOT / d).rglob("*.py")]
    wrong = [f"{p.relative_to(ROOT)}: {name}" for p in paths for name in imports(p)
             if name.split(".")[0] in bare]
    assert wrong == []
