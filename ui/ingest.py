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
from cruxmap.graph.errors import MalformedInput, UnknownFormat
from cruxmap.graph.schema import CruxMap, Thread, to_graph
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

    def add(self, m: CruxMap) -> None:
        t = m.thread
        self.posts += len(t.posts)
        self.comments += len(t.comments)
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
                m = as_map(thread, encoder)
                report.add(m)
                yield m
        except UnicodeDecodeError as e:
            raise MalformedInput(str(path), f"not valid UTF-8 ({e.reason})") from None


def ingest(store: GraphStore, paths: Iterable[str | Path], fmt: str | None = None,
           progress: Progress | None = None, encoder=None,
           items: Progress | None = None) -> IngestReport:
    """Read, decompose and write ``paths`` into ``store`` all-or-nothing.

    A folder stands for the files under it (see :func:`expand`), each read in the format
    detected from its content; a file there that no loader recognises (a README, an image)
    is listed in ``report.skipped`` instead of stopping the ingest. ``progress`` is called
    with the number of bytes done as work advances, ``items`` with the number of posts and
    comments decomposed; ``encoder`` is the optional stance encoder (see :func:`as_map`).
    """
    report = IngestReport()
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

    def batches() -> Iterator[tuple[list, list]]:
        for _, m in small:
            yield to_graph(m)
        for p in big:
            fr = FileReport(str(p), "jsonl")
            report.files.append(fr)
            for m in _stream_jsonl(p, fr, progress, encoder):
                if items:
                    items(len(m.thread.posts) + len(m.thread.comments))
                yield to_graph(m)

    report.written = store.upsert_batches(batches())
    return report


def _unreadable(e: MalformedInput) -> bool:
    """A file in a folder that is not text at all (empty, binary), so not meant for cruxmap."""
    return e.reason.startswith(("file is empty", "binary file", "not valid UTF-8"))


def ingest_text(store: GraphStore, text: str, fmt: str | None = None,
                source: str = "paste", encoder=None) -> IngestReport:
    """Ingest pasted text (the app's paste box); ``encoder`` as in :func:`as_map`."""
    if not text.strip():
        raise MalformedInput(source, "nothing was pasted")
    name = fmt or loaders.sniff(text, source)
    m = as_map(loaders.parse(text, name, source), encoder)
    fr = FileReport(source, name)
    fr.add(m)
    report = IngestReport(files=[fr])
    report.written = store.upsert_map(m)
    return report
