"""Loaders: one module per source, one signature, chosen by content.

Each loader module exposes ``parse(text: str, source: str = "<text>") -> Thread``
(pure: no files, no network, no store) and ``sniff(text: str) -> bool`` (a cheap look at
the first bytes). ``_MODULES`` below is the registry; adding a source is one new module
and one line here.

Examples
--------
>>> thread = parse("# Title\\n\\nCats are better than dogs.", fmt="markdown")
>>> thread.posts[0].title
'Title'
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cruxmap.graph.errors import MalformedInput, UnknownFormat
from cruxmap.graph.schema import Thread


@dataclass(frozen=True)
class Loader:
    name: str
    parse: Callable[..., Thread]
    sniff: Callable[[str], bool]
    description: str
    #: Set when the loader needs the file itself (sidecar files, XML with a DTD):
    #: ``read(path) -> Thread``. ``cruxmap.loaders.read`` then uses it instead of ``parse``.
    read: Callable[[str], Thread] | None = None


# Order matters for sniffing: the most specific formats first, plain text last.
_MODULES = {
    # argument-map formats first: their sniffing is exact, and a map is no forum thread
    "cruxmap-json": "cruxmap.loaders.cruxmap_json",
    "graphml": "cruxmap.loaders.graphml",
    "aif": "cruxmap.loaders.aif",
    "arg-microtexts": "cruxmap.loaders.microtexts",
    "argdown": "cruxmap.loaders.argdown",
    "kialo": "cruxmap.loaders.kialo",
    "lesswrong": "cruxmap.loaders.lesswrong",
    "reddit": "cruxmap.loaders.reddit",
    "jsonl": "cruxmap.loaders.jsonl",
    "cmv": "cruxmap.loaders.cmv",
    "forum-text": "cruxmap.loaders.forum_text",
    "markdown": "cruxmap.loaders.markdown",
}


def _load(name: str, module: str) -> Loader:
    mod = importlib.import_module(module)
    return Loader(name, getattr(mod, "parse"), getattr(mod, "sniff"),
                  (mod.__doc__ or name).strip().splitlines()[0], getattr(mod, "read", None))


def loaders() -> dict[str, Loader]:
    """The registry of available loaders, in sniffing order."""
    out: dict[str, Loader] = {}
    for name, module in _MODULES.items():
        try:
            out[name] = _load(name, module)
        except ModuleNotFoundError as e:  # a loader module not written yet must not break the rest
            if e.name != module:
                raise
    return out


def sniff(text: str, source: str = "<text>") -> str:
    """The name of the first loader that recognises ``text``."""
    for name, loader in loaders().items():
        if loader.sniff(text):
            return name
    head = text.lstrip()[:200].lower()
    if head.startswith(("<!doctype html", "<html", "<head", "<body")):
        raise UnknownFormat(source, "looks like HTML, expected a discussion export; copy the page "
                                    "as text (Ctrl-A, Ctrl-C) or use `cruxmap fetch URL`")
    raise UnknownFormat(source, "no loader recognises this content; pass --format")


def parse(text: str, fmt: str | None = None, source: str = "<text>") -> Thread:
    """Parse ``text`` with the named loader, or the sniffed one."""
    regs = loaders()
    name = fmt or sniff(text, source)
    if name not in regs:
        raise UnknownFormat(source, f"unknown format {name!r} (known: {', '.join(regs)})")
    return regs[name].parse(text, source=source)


def read_text(path: str | Path) -> str:
    """Read a file as UTF-8 text, with clear errors for the usual ways this goes wrong."""
    p = Path(path)
    src = str(path)
    if not p.exists():
        raise MalformedInput(src, "no such file")
    if p.is_dir():
        raise MalformedInput(src, "is a directory, not a file")
    data = p.read_bytes()
    if not data.strip():
        raise MalformedInput(src, "file is empty")
    if b"\x00" in data[:8192]:
        raise MalformedInput(src, "binary file (NUL bytes), expected text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise MalformedInput(src, f"not valid UTF-8 (byte {e.start})") from None
    return text


def read(path: str | Path, fmt: str | None = None) -> Thread:
    """Read and parse one file (with the loader's own ``read`` when it has one)."""
    return read_with_format(path, fmt)[1]


def read_with_format(path: str | Path, fmt: str | None = None) -> tuple[str, Thread]:
    """Read and parse one file; also say which format it was read as."""
    text = read_text(path)
    name = fmt or sniff(text, str(path))
    loader = loaders().get(name)
    if loader is not None and loader.read is not None:
        return name, loader.read(str(path))
    return name, parse(text, fmt=name, source=str(path))
