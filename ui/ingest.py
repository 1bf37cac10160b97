"""Ingest: files in, decomposed, written to a store — the one path the CLI and the app share.

Every input is read and parsed *before* anything is written, so a bad file leaves
the store exactly as it was; then everything is written as one write (one SQLite
transaction on the embedded store). Large JSON Lines files stream in batches so
memory stays bounded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

from cruxmap import loaders
from cruxmap.decompose.pipeline import decompose
from cruxmap.graph.errors import MalformedInput, MissingEndpoint, UnknownFormat
from cruxmap.graph.schema import REPLIES_TO, CruxMap, Scope, Thread, scope_of, to_graph
from cruxmap.graph.store import GraphStore

#: Files bigger than this stream in batches when their loader can (JSON Lines).
STREAM_THRESHOLD = 8 * 1024 * 1024

Progress = Callable[[int], None]


@dataclass
class FileReport:
    """What one input contributed."""

    path: str
    format: str
    posts: int = 0
    comments: int = 0
    authors: int = 0
    claims: int = 0
    disagreements: int = 0
    cruxes: int = 0
    unattributed: int = 0  # items with text whose author the source does not show

    def add(self, m: CruxMap) -> None:
        t = m.thread
        self.posts += len(t.posts)
        self.comments += len(t.comments)
        self.unattributed += sum(1 for i in t.items() if i.author_id is None and i.text.strip())
        self.authors += len(t.authors)
        self.claims += len(m.claims)
        self.disagreements += len(m.disagreements)
        self.cruxes += len(m.cruxes)


@dataclass
class IngestReport:
    files: list[FileReport] = field(default_factory=list)
    written: dict[str, int] = field(default_factory=dict)
    #: Files found in a folder that no loader reads (``(path, why)``), left out.
    skipped: list[tuple[str, str]] = field(default_factory=list)


def expand(paths: Iterable[str | Path]) -> list[tuple[Path, bool]]:
    """Each path, a folder replaced by the files under it: ``(file, found_in_a_folder)``.

    Files under a folder come in name order, recursively; hidden files and folders (a
    leading ``.``) are left out.
    """
    out: list[tuple[Path, bool]] = []
    for p in map(Path, paths):
        if not p.is_dir():
            out.append((p, False))
            continue
        for f in sorted(p.rglob("*")):
            rel = f.relative_to(p).parts
            if f.is_file() and not any(part.startswith(".") for part in rel):
                out.append((f, True))
    return out


def as_map(parsed: Thread | CruxMap, encoder=None) -> CruxMap:
    """Decompose a thread; a loader that already returns a map (argdown, aif) is kept as is.

    ``encoder``: the optional stance encoder (:class:`cruxmap.decompose.minilm.MiniLMEncoder`).
    """
    return parsed if isinstance(parsed, CruxMap) else decompose(parsed, encoder=encoder)


def _streams(path: Path, fmt: str | None) -> bool:
    return path.stat().st_size > STREAM_THRESHOLD and fmt in (None, "jsonl") and \
        path.suffix.lower() in (".jsonl", ".ndjson")


def _stream_jsonl(path: Path, report: FileReport, progress: Progress | None, encoder=None) -> Iterator[CruxMap]:
    from cruxmap.loaders import jsonl

    with open(path, encoding="utf-8", errors="strict") as fh:
        def lines() -> Iterator[str]:
            for line in fh:
                if progress:
                    progress(len(line.encode("utf-8")))
                yield line
        try:
            for thread in jsonl.iter_parse(lines(), source=str(path)):
                m = as_map(loaders.checked(thread, str(path)), encoder)
                report.add(m)
                yield m
        except UnicodeDecodeError as e:
            raise MalformedInput(str(path), f"not valid UTF-8 ({e.reason})") from None


def ingest(store: GraphStore, paths: Iterable[str | Path], fmt: str | None = None,
           progress: Progress | None = None, encoder=None, keep_missing: bool = False,
           items: Progress | None = None) -> IngestReport:
    """Read, decompose and write ``paths`` into ``store`` all-or-nothing.

    What the inputs hold replaces what the map derived from the same items before (see the
    ownership notes in :mod:`cruxmap.graph.schema`): an edited comment gets new claims and the
    old ones go; a thread whose post is in the input is a newer copy of it, and its comments
    missing from that copy become tombstones, unless ``keep_missing``.

    A folder stands for the files under it (see :func:`expand`), each read in the format
    detected from its content; a file there that no loader recognises (a README, an image)
    is listed in ``report.skipped`` instead of stopping the ingest. ``progress`` is called
    with the number of bytes done as work advances, ``items`` with the number of posts and
    comments decomposed; ``encoder`` is the optional stance encoder (see :func:`as_map`).
    """
    report = IngestReport()
    paths = list(paths)
    paths_seen = [str(Path(p).resolve()) for p in paths]
    item_ids: set[str] = set()
    threads: set[str] = set()

    def covered(m: CruxMap) -> CruxMap:
        item_ids.update(i.id for i in m.thread.items())
        threads.update(p.id for p in m.thread.posts)
        return m
    small: list[tuple[Path, CruxMap]] = []
    big: list[Path] = []
    for p, in_folder in expand(paths):
        if p.is_file() and _streams(p, fmt):
            big.append(p)
            continue
        try:
            name, parsed = loaders.read_with_format(p, fmt)
        except (UnknownFormat, MalformedInput) as e:
            if not in_folder or (isinstance(e, MalformedInput) and not _unreadable(e)):
                raise
            report.skipped.append((str(p), e.reason))
            continue
        m = as_map(parsed, encoder)
        fr = FileReport(str(p), name)
        fr.add(m)
        report.files.append(fr)
        small.append((p, m))
        if progress:
            progress(p.stat().st_size)
        if items:
            items(fr.posts + fr.comments)

    outside: dict[str, str] = {}  # relationship id -> its file, when it points out of that file

    def graph(m: CruxMap, path: Path) -> tuple[list, list]:
        nodes, rels = to_graph(m)
        here = {n["id"] for n in nodes}
        outside.update((r["id"], str(path)) for r in rels if r["start"] not in here or r["end"] not in here)
        return nodes, rels

    def batches() -> Iterator[tuple[list, list]]:
        for p, m in small:
            yield graph(covered(m), p)
        for p in big:
            fr = FileReport(str(p), "jsonl")
            report.files.append(fr)
            for m in _stream_jsonl(p, fr, progress, encoder):
                if items:
                    items(len(m.thread.posts) + len(m.thread.comments))
                yield graph(covered(m), p)

    def scope() -> Scope:  # known once every batch is read
        return Scope(frozenset(item_ids), frozenset(threads), keep_missing)

    try:
        report.written = store.upsert_batches(batches(), replace=scope, load=_load_name(paths_seen))
    except MissingEndpoint as e:
        raise _missing(e, outside.get(e.rel_id, "input")) from None
    return report


def _load_name(paths: list[str]) -> str:
    """What a server store's incomplete-load flag calls this ingest: its files, in order."""
    return " ".join(sorted(paths))


def _missing(e: MissingEndpoint, source: str) -> MalformedInput:
    """The store's missing-endpoint error as the input's fault, naming the file."""
    kind, _, ends = e.rel_id.partition(":")
    if kind == REPLIES_TO:
        return MalformedInput(source, f"{ends.split('->')[0]} replies to {e.node_id}, which is neither "
                                      "in the file nor in the map")
    return MalformedInput(source, f"{e.rel_id} points at {e.node_id}, which is neither in the file "
                                  "nor in the map")


def _unreadable(e: MalformedInput) -> bool:
    """A file in a folder that is not text at all (empty, binary), so not meant for cruxmap."""
    return e.reason.startswith(("file is empty", "binary file", "not valid UTF-8"))


def ingest_text(store: GraphStore, text: str, fmt: str | None = None,
                source: str = "paste", encoder=None, keep_missing: bool = False) -> IngestReport:
    """Ingest pasted text (the app's paste box); ``encoder`` as in :func:`as_map`."""
    if not text.strip():
        raise MalformedInput(source, "nothing was pasted")
    name = fmt or loaders.sniff(text, source)
    m = as_map(loaders.parse(text, name, source), encoder)
    fr = FileReport(source, name)
    fr.add(m)
    report = IngestReport(files=[fr])
    try:
        report.written = store.upsert_batches([to_graph(m)], replace=scope_of(m.thread, keep_missing),
                                              load=source)
    except MissingEndpoint as e:
        raise _missing(e, source) from None
    return report
