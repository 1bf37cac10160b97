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

import dataclasses
import importlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from cruxmap.graph.errors import CruxmapError, MalformedInput, UnknownFormat
from cruxmap.graph.schema import CruxMap, Thread


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
    text = _clean_text(text)  # a paste can carry lone surrogates that no file decoded as UTF-8 can
    return _guarded(name, source, lambda: regs[name].parse(text, source=source))


def _guarded(name: str, source: str, read: Callable[[], Any]) -> Any:
    """Run a loader and check what it returns (:func:`checked`).

    A loader's own errors are one clear line already. Anything else a loader raises on
    strange input (a bug, but still the input's doing) becomes one line too, never a
    traceback; tests/test_fuzz.py makes sure no loader needs this net.
    """
    try:
        result = read()
    except CruxmapError:
        raise
    except (RecursionError, MemoryError) as e:
        raise MalformedInput(source, f"too deeply nested or too large to read as {name} "
                                     f"({type(e).__name__})") from None
    except Exception as e:  # noqa: BLE001 - see the docstring
        raise MalformedInput(source, f"{UNEXPECTED} as {name} ({type(e).__name__}: "
                                     f"{' '.join(str(e).split())[:160]})") from None
    return checked(result, source)


#: The start of the message of an error no loader raised on purpose (tests count these).
UNEXPECTED = "unexpected input: could not read it"
_SURROGATE = re.compile("[\ud800-\udfff]")


def checked(result: Thread | CruxMap, source: str) -> Thread | CruxMap:
    """What a loader returned, made safe to store and checked for what no source may hold.

    * Lone surrogates (``"\\ud800"`` in JSON) become U+FFFD: no store can encode them, and the
      replacement keeps every offset, so claims stay exact spans.
    * Two posts or comments with one id are refused (one comment with two authors otherwise).
    * A comment that replies to itself, or a reply chain that loops, is refused.

    Raises
    ------
    MalformedInput
        Naming the file and the ids involved.
    """
    result = _clean_text(result)
    thread = result.thread if isinstance(result, CruxMap) else result
    where: dict[str, int] = {}
    for n, item in enumerate(thread.items(), 1):
        if item.id in where:
            raise MalformedInput(source, f"id {item.id} is used by two items (items {where[item.id]} "
                                         f"and {n} of the input)")
        where[item.id] = n
    _check_reply_chains(thread, source)
    return result


def _clean_text(value: Any) -> Any:
    """``value`` (a record, a tuple, a string) with every lone surrogate replaced."""
    if isinstance(value, str):
        return value if value.isascii() or not _SURROGATE.search(value) else _SURROGATE.sub("\ufffd", value)
    if isinstance(value, tuple):
        cleaned = tuple(_clean_text(v) for v in value)
        return value if all(a is b for a, b in zip(cleaned, value)) else cleaned
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {}
        for f in dataclasses.fields(value):
            old = getattr(value, f.name)
            new = _clean_text(old)
            if new is not old:
                changes[f.name] = new
        return dataclasses.replace(value, **changes) if changes else value
    return value


def _check_reply_chains(thread: Thread, source: str) -> None:
    """Refuse self-replies and cycles in ``parent_id`` (iteratively: chains can be long)."""
    parent = {c.id: c.parent_id for c in thread.comments if c.parent_id}
    state: dict[str, int] = {}  # 1: on the current path, 2: known to reach a root
    for start in parent:
        path, node = [], start
        while node in parent and state.get(node) != 2:
            if state.get(node) == 1:
                loop = path[path.index(node):] + [node]
                if len(loop) == 2:
                    raise MalformedInput(source, f"comment {node} replies to itself (its parent_id is its own id)")
                raise MalformedInput(source, "comments reply to each other in a loop: "
                                             + " -> ".join(loop[:6]) + (" -> ..." if len(loop) > 6 else ""))
            state[node] = 1
            path.append(node)
            node = parent[node]
        for n in path:
            state[n] = 2


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
        return name, _guarded(name, str(path), lambda: loader.read(str(path)))
    return name, parse(text, fmt=name, source=str(path))
