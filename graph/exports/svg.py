"""The map as an SVG picture (the DOT graph, drawn by Graphviz).

Needs Graphviz's ``dot`` program (Debian: ``apt-get install graphviz``); without it the
export stops with a clear :class:`~cruxmap.graph.errors.ExportError`.
"""

from __future__ import annotations

from pathlib import Path

from typing import Iterator

from cruxmap.graph.exports import dot
from cruxmap.graph.exports._graphviz import render
from cruxmap.graph.store import GraphStore

NAME = "svg"
EXTENSION = ".svg"
MEDIA_TYPE = "image/svg+xml"
BINARY = False

__all__ = ["generate", "generate_svg", "write_svg"]


def generate(store: GraphStore) -> Iterator[str]:
    """The SVG document (one piece)."""
    yield render("".join(dot.generate(store)), "svg").decode("utf-8")


generate_svg = generate


def write_svg(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the SVG picture for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
