"""What the ingest page does with uploads, pastes and URLs: the same ingest path as the CLI.

Each function opens the store for writing just for the job (the app itself reads through
a read-only store), writes uploads to a private temporary folder, and calls
:func:`cruxmap.ui.ingest.ingest`, which reads and checks every input before it writes anything.
``progress(done, total)`` is called with bytes done; ``encoder`` is the optional stance
encoder (:class:`cruxmap.decompose.minilm.MiniLMEncoder`), None for the default model;
``lock`` (``wait``, ``on_wait``) says how long to wait for another writer and what to say.

Examples
--------
>>> safe_name("../../etc/passwd"), safe_name("my thread.json"), safe_name("")
('passwd', 'my thread.json', 'upload')
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path
from typing import Callable

from cruxmap.graph.errors import MalformedInput, StoreError
from cruxmap.graph.store import open_store
from cruxmap.ui.ingest import IngestReport, ingest, ingest_text

Progress = Callable[[int, int], None]


def safe_name(name: str) -> str:
    """A file name with no folder part and no characters a file system may refuse."""
    base = re.sub(r"[\x00-\x1f/\\:*?\"<>|]", "_", Path(name.replace("\\", "/")).name).strip(" .")
    return base[:120] or "upload"


def _writable() -> None:
    """The app's writes stop here when it serves a map read-only (``cruxmap ui --read-only``)."""
    if os.environ.get("CRUXMAP_READ_ONLY", "").lower() in {"1", "true", "yes"}:
        raise StoreError("this map is served read-only (cruxmap ui --read-only): nothing is written")


def ingest_uploads(db: str, files: list[tuple[str, bytes]], fmt: str | None,
                   progress: Progress | None = None, encoder=None, **lock) -> IngestReport:
    """Ingest uploaded ``(name, content)`` files into the store ``db``, all or nothing."""
    _writable()
    total = sum(len(data) for _, data in files)
    done = 0

    def step(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    with tempfile.TemporaryDirectory(prefix="cruxmap-upload-") as tmp:
        paths = []
        for i, (name, data) in enumerate(files):
            folder = Path(tmp) / str(i)  # one folder per file: two uploads may share a name
            folder.mkdir()
            path = folder / safe_name(name)
            path.write_bytes(data)
            paths.append(path)
        with open_store(db, **lock) as store:
            report = ingest(store, paths, fmt=fmt, progress=step, encoder=encoder)
    for f in report.files:  # report the names people uploaded, not the temporary paths
        f.path = Path(f.path).name
    return report


def ingest_paste(db: str, text: str, fmt: str | None, progress: Progress | None = None,
                 encoder=None, **lock) -> IngestReport:
    """Ingest pasted text into the store ``db``."""
    _writable()
    if not text.strip():
        raise MalformedInput("paste", "nothing was pasted")
    with open_store(db, **lock) as store:
        report = ingest_text(store, text, fmt=fmt, source="paste", encoder=encoder)
    if progress:
        progress(len(text.encode("utf-8")), len(text.encode("utf-8")))
    return report


def ingest_url(db: str, url: str, site: str | None, progress: Progress | None = None,
               encoder=None, **lock) -> IngestReport:
    """Fetch a ForumMagnum post with its comments, then ingest it into the store ``db``."""
    _writable()
    from cruxmap.loaders.fetch import save_fetch

    with tempfile.TemporaryDirectory(prefix="cruxmap-fetch-") as tmp:
        kwargs = {"site": site} if site else {}
        path = save_fetch(url, Path(tmp) / "post.json", **kwargs)
        size = path.stat().st_size
        if progress:
            progress(0, size)
        with open_store(db, **lock) as store:
            report = ingest(store, [path], progress=lambda n: progress(n, size) if progress else None,
                            encoder=encoder)
    for f in report.files:
        f.path = url
    return report
