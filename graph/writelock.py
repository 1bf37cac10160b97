"""One writer at a time for the embedded store, politely.

SQLite lets only one transaction write; a second writer used to spin for 30 s and die with
``database is locked``. Instead, every write to ``map.db`` first takes an advisory lock on
``map.db.lock`` (``flock``: released by the kernel when the holder exits, even on kill -9, so
a crashed ingest never leaves a stale lock). A second writer is told once that it waits
(``waiting for another ingest into map.db…``), waits up to ``wait`` seconds, then gets one
clear :class:`~cruxmap.graph.errors.StoreBusy` line naming the process that holds the lock.

Creating a new map takes the same lock, so six processes opening a map that does not exist
yet never see half of one.

Examples
--------
>>> import tempfile, os
>>> path = os.path.join(tempfile.mkdtemp(), "m.db")
>>> with WriteLock(path, wait=1):
...     pass
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Callable

from cruxmap.graph.errors import StoreBusy

try:
    import fcntl
except ImportError:  # Windows: SQLite's own locking is all there is
    fcntl = None  # type: ignore[assignment]

POLL = 0.1  # seconds between attempts


class WriteLock:
    """The exclusive write lock of the store file ``path`` (a context manager; re-entrant)."""

    def __init__(self, path: str | Path, wait: float = 60.0, on_wait: Callable[[str], None] | None = None):
        self.path = str(path)
        self.lock_path = self.path + ".lock"
        self.wait, self.on_wait = wait, on_wait
        self._fd: int | None = None
        self._depth = 0

    def __enter__(self) -> "WriteLock":
        self._depth += 1
        if self._depth == 1 and fcntl is not None:
            self._acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def _acquire(self) -> None:
        try:
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o666)
        except OSError:  # a read-only folder: nobody can write the map there, nothing to order
            return
        deadline = time.monotonic() + max(self.wait, 0.0)
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _read(fd)
                    os.close(fd)
                    raise StoreBusy(f"{self.path}: another ingest is writing to it{holder}; gave up after "
                                    f"{self.wait:g} s (--wait SECONDS waits longer)") from None
                if not told and self.on_wait is not None:
                    self.on_wait(f"waiting for another ingest into {Path(self.path).name}…")
                    told = True
                time.sleep(POLL)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd


def _read(fd: int) -> str:
    try:
        pid = os.pread(fd, 32, 0).decode().strip()
    except OSError:
        return ""
    return f" (process {pid})" if pid.isdigit() else ""
