"""Exporters: one module per format behind one interface, registered in :data:`_MODULES`.

An exporter module defines ``NAME``, ``EXTENSION``, ``MEDIA_TYPE``, ``BINARY`` (bool)
and ``generate(store) -> Iterator[str | bytes]``: the document in pieces, read from
any :class:`cruxmap.graph.store.GraphStore`. Adding a format is one module and one line here.

Filters (``--author``, ``--topic``, ``--disagreement``) are applied once, here, by
copying the selected part of the map into an in-memory store that the exporter reads,
so no exporter filters on its own.

Examples
--------
>>> from cruxmap.graph.nx_store import NxStore
>>> doc = "".join(export(NxStore(":memory:"), "json"))
>>> doc.startswith('{"format": "cruxmap-graph"')
True
"""

from __future__ import annotations

import errno
import importlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from cruxmap.graph.errors import ExportError
from cruxmap.graph.schema import ABOUT, CONTAINS, CRUX_OF, PARTY_TO, WROTE
from cruxmap.graph.store import GraphStore

_MODULES = {
    "json": "cruxmap.graph.exports.json",
    "graphml": "cruxmap.graph.exports.graphml",
    "gexf": "cruxmap.graph.exports.gexf",
    "csv": "cruxmap.graph.exports.csv",
    "cypher": "cruxmap.graph.exports.cypher",
    "argdown": "cruxmap.graph.exports.argdown",
    "aif": "cruxmap.graph.exports.aif",
    "kialo": "cruxmap.graph.exports.kialo",
    "polis": "cruxmap.graph.exports.polis",
    "markdown": "cruxmap.graph.exports.markdown",
    "html": "cruxmap.graph.exports.html",
    "dot": "cruxmap.graph.exports.dot",
    "svg": "cruxmap.graph.exports.svg",
    "png": "cruxmap.graph.exports.png",
}


@dataclass(frozen=True)
class Exporter:
    name: str
    extension: str
    media_type: str
    binary: bool
    generate: Callable[[GraphStore], Iterator[str | bytes]]
    description: str


def exporters() -> dict[str, Exporter]:
    """Every available export format by name."""
    out = {}
    for name, module in _MODULES.items():
        mod = importlib.import_module(module)
        out[name] = Exporter(mod.NAME, mod.EXTENSION, mod.MEDIA_TYPE, bool(getattr(mod, "BINARY", False)),
                             mod.generate, (mod.__doc__ or name).strip().splitlines()[0])
    return out


def select(store: GraphStore, author: str | None = None, topic: str | None = None,
           disagreement: str | None = None) -> GraphStore:
    """The part of the map the filters select, as an in-memory store (the store itself if none)."""
    if not (author or topic or disagreement):
        return store
    keep: set[str] = set()
    if author:
        keep |= {c["id"] for c in store.claims(author=author)}
        if not keep:
            raise ExportError(f"no claims by author {author!r}")
    if topic:
        rows = store.disagreements(topic=topic)
        ids = {c["id"] for d in rows for side in d["sides"].values() for c in side}
        ids |= {r["start"] for r in store.relationships(ABOUT)
                if (store.node(r["end"]) or {}).get("properties", {}).get("label", "").casefold()
                == topic.casefold() or r["end"] == topic}
        if not ids:
            raise ExportError(f"no claims about topic {topic!r}")
        keep = keep & ids if author else ids
    if disagreement:
        d = next((d for d in store.disagreements() if d["id"] == disagreement), None)
        if d is None:
            raise ExportError(f"no disagreement with id {disagreement!r}")
        ids = {c["id"] for side in d["sides"].values() for c in side}
        keep = keep & ids if (author or topic) else ids
    return _closure(store, keep, only_disagreement=disagreement)


def _closure(store: GraphStore, claim_ids: set[str], only_disagreement: str | None = None) -> GraphStore:
    """The selected claims plus what gives them meaning: their items, authors, disagreements, cruxes, topics.

    With ``only_disagreement``, other disagreements the claims are party to stay out (one
    disagreement asked for is one exported, e.g. as a Kialo tree).
    """
    from cruxmap.graph.nx_store import NxStore

    rels = [r for r in store.relationships()]
    keep = set(claim_ids)
    keep |= {r["start"] for r in rels if r["type"] == CONTAINS and r["end"] in claim_ids}
    keep |= {r["end"] for r in rels if r["type"] in (PARTY_TO, ABOUT) and r["start"] in claim_ids
             and not (only_disagreement and r["type"] == PARTY_TO and r["end"] != only_disagreement)}
    keep |= {r["start"] for r in rels if r["type"] == CRUX_OF and r["end"] in keep}
    keep |= {r["start"] for r in rels if r["type"] == WROTE and r["end"] in keep}
    sub = NxStore(":memory:")
    sub.upsert([n for n in store.nodes() if n["id"] in keep],
               [r for r in rels if r["start"] in keep and r["end"] in keep])
    return sub


def export(store: GraphStore, fmt: str, **filters: str | None) -> Iterator[str | bytes]:
    """The document of format ``fmt`` for the (filtered) map, in pieces."""
    regs = exporters()
    if fmt not in regs:
        raise ExportError(f"unknown export format {fmt!r} (known: {', '.join(regs)})")
    return regs[fmt].generate(select(store, **filters))


def write(store: GraphStore, fmt: str, path: str | Path, progress: Callable[[int], None] | None = None,
          **filters: str | None) -> Path:
    """Write the export to ``path`` atomically: a temporary file beside it, then a rename.

    The file gets the permissions a new file gets from the user's umask (or keeps those of the
    file it replaces). A symlink keeps pointing where it did: its target is replaced. A device,
    a FIFO or a folder is refused, and a missing folder, a full disk or a permission problem is
    one clear :class:`~cruxmap.graph.errors.ExportError`; an existing file is then left as it was.
    ``progress`` is called with the number of bytes (binary formats) or characters written,
    chunk by chunk.
    """
    path = Path(path)
    exporter = exporters().get(fmt)
    if exporter is None:
        raise ExportError(f"unknown export format {fmt!r} (known: {', '.join(exporters())})")
    target = _target(path)
    chunks = export(store, fmt, **filters)
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as e:
        raise ExportError(f"{path}: cannot write in {target.parent} ({e.strerror or e})") from None
    try:
        with os.fdopen(fd, "wb" if exporter.binary else "w", **({} if exporter.binary else {"encoding": "utf-8"})) as fh:
            for chunk in chunks:
                fh.write(chunk)
                if progress:
                    progress(len(chunk))
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, _mode(target))
        os.replace(tmp, target)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        reason = "the disk is full" if e.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT) else (e.strerror or str(e))
        raise ExportError(f"{path}: {reason}; nothing was written") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _target(path: Path) -> Path:
    """The regular file to replace: a symlink's target; a device, FIFO or folder is refused."""
    real = Path(os.path.realpath(path))
    if real.exists() and not real.is_file():
        what = "a folder" if real.is_dir() else "a device or special file"
        raise ExportError(f"{path}: is {what}, not a file; give a file name with -o")
    if not real.parent.is_dir():
        raise ExportError(f"{path}: folder {real.parent} does not exist")
    return real


def _mode(target: Path) -> int:
    """The mode the file keeps (it exists) or gets from the umask (a new file)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except FileNotFoundError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
