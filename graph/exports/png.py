"""The map as a PNG picture (the DOT graph, drawn by Graphviz).

Needs Graphviz's ``dot`` program (Debian: ``apt-get install graphviz``); without it the
export stops with a clear :class:`~cruxmap.graph.errors.ExportError`.
"""

from __future__ import annotations

from pathlib import Path

from typing import Iterator

from cruxmap.graph.exports import dot
from cruxmap.graph.exports._graphviz import render
from cruxmap.graph.store import GraphStore

NAME = "png"
EXTENSION = ".png"
MEDIA_TYPE = "image/png"
BINARY = True

__all__ = ["generate", "generate_png", "write_png"]


def generate(store: GraphStore) -> Iterator[bytes]:
    """The PNG image (one piece)."""
    yield render("".join(dot.generate(store)), "png")


generate_png = generate


def write_png(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the PNG picture for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
