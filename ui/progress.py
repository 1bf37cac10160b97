"""Progress of a long CLI job on stderr: a bar with a rate and an ETA on a terminal, plain lines otherwise.

On a terminal the bar redraws in place at most ten times a second::

    ingesting  42% |████████▍           | 3.1 of 7.4 MB · 1,204 items · 391 items/s · ETA 0:11

When stderr is not a terminal (a log, CI) it writes a plain line every few seconds instead,
and nothing at all for a job that ends quickly, so logs stay short.

Examples
--------
>>> import io
>>> out = io.StringIO()
>>> with Progress("ingesting", total=2_000_000, stream=out, tty=False, every=0, quiet_under=0) as p:
...     p.update(1_000_000, items=10)
>>> out.getvalue().splitlines()[0].startswith("ingesting: 50% (1.0 of 2.0 MB, 10 items")
True
"""

from __future__ import annotations

import sys
import time
from typing import IO

from cruxmap.ui.formatting import plural


def _mb(n: float) -> str:
    return f"{n / 1e6:,.1f}"


def _clock(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class Progress:
    """Bytes (and items) done of a job, shown on ``stream`` (stderr by default).

    ``total`` is in bytes; None when unknown (then there is no percentage and no ETA).
    Use it as a context manager and call :meth:`update` as work advances.
    """

    def __init__(self, label: str, total: int | None = None, stream: IO[str] | None = None,
                 tty: bool | None = None, every: float = 5.0, quiet_under: float = 2.0):
        self.label, self.total = label, total
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.every, self.quiet_under = every, quiet_under
        self.done = self.items = 0
        self.start = self._last = time.monotonic()
        self._drawn = False

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.tty and self._drawn:
            self._draw(final=True)
            self.stream.write("\n")
            self.stream.flush()

    def update(self, nbytes: int = 0, items: int = 0) -> None:
        """``nbytes`` more bytes and ``items`` more items (posts, comments, chunks) are done."""
        self.done += nbytes
        self.items += items
        now = time.monotonic()
        if self.tty:
            if now - self._last >= 0.1 or (self.total and self.done >= self.total):
                self._last = now
                self._draw()
        elif now - self.start >= self.quiet_under and now - self._last >= self.every:
            self._last = now
            self.stream.write(self.line() + "\n")
            self.stream.flush()

    def count(self, items: int) -> None:
        """``items`` more items are done (no bytes)."""
        self.update(0, items)

    def _amounts(self, elapsed: float) -> list[str]:
        """``["3.1 of 7.4 MB", "1,204 items", "391 items/s"]`` (MB/s when there are no items)."""
        parts = [f"{_mb(self.done)} of {_mb(self.total)} MB" if self.total else f"{_mb(self.done)} MB"]
        if self.items:
            return parts + [plural(self.items, "item"), f"{self.items / elapsed:,.0f} items/s"]
        return parts + [f"{_mb(self.done / elapsed)} MB/s"]

    def line(self) -> str:
        """The plain-text state: ``"label: 42% (3.1 of 7.4 MB, 1,204 items, 391 items/s, about 11 s left)"``."""
        elapsed = max(time.monotonic() - self.start, 1e-6)
        parts = self._amounts(elapsed)
        eta = self._eta(elapsed)
        if eta is not None:
            parts.append(f"about {_clock(eta)} left")
        pct = f" {self._fraction():.0%}" if self.total else ""
        return f"{self.label}:{pct} ({', '.join(parts)})"

    def _fraction(self) -> float:
        return min(self.done / self.total, 1.0) if self.total else 0.0

    def _eta(self, elapsed: float) -> float | None:
        if not self.total or not self.done or self.done >= self.total:
            return None
        return elapsed * (self.total - self.done) / self.done

    def _draw(self, final: bool = False) -> None:
        self._drawn = True
        elapsed = max(time.monotonic() - self.start, 1e-6)
        width = 24
        bits = []
        if self.total:
            f = self._fraction()
            full = int(f * width)
            bar = "█" * full + (" ▏▎▍▌▋▊▉"[int((f * width - full) * 8)] if full < width else "")
            bits.append(f"{f:4.0%} |{bar.ljust(width)}|")
        bits += self._amounts(elapsed)
        eta = None if final else self._eta(elapsed)
        bits.append(f"ETA {_clock(eta)}" if eta is not None else f"{_clock(elapsed)}")
        text = f"{self.label} " + " · ".join(bits)
        self.stream.write("\r" + text + "\x1b[K")
        self.stream.flush()
