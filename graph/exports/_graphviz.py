"""Rendering DOT with Graphviz's ``dot`` program (Debian package ``graphviz``).

Private to :mod:`cruxmap.graph.exports`; the ``svg`` and ``png`` formats and the HTML report use it.
"""

from __future__ import annotations

import shutil
import subprocess

from cruxmap.graph.errors import ExportError

#: Seconds a render may take before it is given up (a huge map, a stuck process).
TIMEOUT = 120


def dot_available() -> bool:
    """True when Graphviz's ``dot`` is on ``PATH``."""
    return shutil.which("dot") is not None


def render(dot_text: str, fmt: str) -> bytes:
    """``dot_text`` rendered by ``dot -T<fmt>``.

    Raises
    ------
    ExportError
        When ``dot`` is not installed, fails, or takes longer than :data:`TIMEOUT`.
    """
    exe = shutil.which("dot")
    if exe is None:
        raise ExportError(f"{fmt}: Graphviz is not installed (no `dot` on PATH); install it "
                          "(Debian/Ubuntu: apt-get install graphviz) or export --format dot")
    try:
        done = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode("utf-8"), capture_output=True,
                              timeout=TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise ExportError(f"{fmt}: Graphviz took longer than {TIMEOUT}s; export a smaller part "
                          "(--author, --topic, --disagreement)") from None
    if done.returncode != 0:
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ExportError(f"{fmt}: Graphviz failed ({why[0] if why else f'exit code {done.returncode}'})")
    return done.stdout
