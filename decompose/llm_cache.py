"""An on-disk cache of LLM answers, so re-running a decomposition costs nothing.

Answers are keyed by a hash of the model name and the whole request (messages, schema,
sampling settings): the same prompt to the same model is asked once, ever. The cache is one
SQLite file, ``llm.sqlite3``, in ``$CRUXMAP_CACHE``, else ``$XDG_CACHE_HOME/cruxmap``, else
``~/.cache/cruxmap``. It is safe to share between threads (one lock) and between processes
(SQLite's WAL journal).

Examples
--------
>>> cache = ResponseCache(":memory:")
>>> k = request_key("smollm2", {"messages": [{"role": "user", "content": "hi"}]})
>>> cache.get(k) is None
True
>>> cache.put(k, "smollm2", '{"claims": []}')
>>> cache.get(k)
'{"claims": []}'
>>> len(cache)
1
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from cruxmap.graph.errors import DecomposeError

__all__ = ["ResponseCache", "default_cache_dir", "request_key"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    key TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    content TEXT NOT NULL,
    created REAL NOT NULL
)
"""


def default_cache_dir() -> Path:
    """Where answers are kept: ``$CRUXMAP_CACHE``, ``$XDG_CACHE_HOME/cruxmap`` or ``~/.cache/cruxmap``."""
    if os.environ.get("CRUXMAP_CACHE"):
        return Path(os.environ["CRUXMAP_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / "cruxmap"


def request_key(model: str, body: dict[str, Any]) -> str:
    """The cache key of a request: SHA-256 of the model and the canonical JSON of the body.

    >>> request_key("m", {"a": 1, "b": 2}) == request_key("m", {"b": 2, "a": 1})
    True
    >>> request_key("m", {"a": 1}) == request_key("other", {"a": 1})
    False
    """
    canonical = json.dumps({"model": model, "body": body}, sort_keys=True, ensure_ascii=False,
                           separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


class ResponseCache:
    """LLM answers on disk, keyed by :func:`request_key`.

    Parameters
    ----------
    path
        A directory (the file ``llm.sqlite3`` is made in it), a ``.sqlite3`` file, or
        ``":memory:"``. None: :func:`default_cache_dir`.

    Raises
    ------
    DecomposeError
        When the cache cannot be created or opened (stage ``llm``).
    """

    def __init__(self, path: str | Path | None = None):
        if str(path) == ":memory:":
            self.path = ":memory:"
        else:
            p = Path(path).expanduser() if path is not None else default_cache_dir()
            self.path = str(p if p.suffix in (".sqlite3", ".sqlite", ".db") else p / "llm.sqlite3")
        self._lock = threading.Lock()
        try:
            if self.path != ":memory:":
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            # one connection shared by the worker threads, serialised by self._lock
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None,
                                       check_same_thread=False)
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as e:
            raise DecomposeError("llm", f"cannot open the LLM cache {self.path}: {e}") from None

    def get(self, key: str) -> str | None:
        """The cached answer for ``key``, or None."""
        with self._lock:
            row = self._db.execute("SELECT content FROM answers WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def __contains__(self, key: str) -> bool:
        return self.get(key) is not None

    def put(self, key: str, model: str, content: str) -> None:
        """Keep ``content`` as the answer for ``key``."""
        try:
            with self._lock:
                self._db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?)",
                                 (key, model, content, time.time()))
        except sqlite3.Error as e:
            raise DecomposeError("llm", f"cannot write the LLM cache {self.path}: {e}") from None

    def __len__(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM answers").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
