"""One error tree for cruxmap. The CLI turns any :class:`CruxmapError` into one line and exit code 2.

Lower layers' exceptions (json, sqlite3, neo4j, http) are mapped to these at the boundary
where they occur, so callers only ever catch ``CruxmapError`` and its families.
"""

from __future__ import annotations


class CruxmapError(Exception):
    """Root of every error cruxmap raises on purpose."""


class InputError(CruxmapError):
    """The input (a file, a URL, a paste) cannot be used."""


class UnknownFormat(InputError):
    """No loader recognises the input, or an unknown ``--format`` was asked for."""

    def __init__(self, source: str, reason: str):
        self.source, self.reason = source, reason
        super().__init__(f"{source}: {reason}")


class MalformedInput(InputError):
    """The input is of a known format but broken (truncated, wrong shape, not text)."""

    def __init__(self, source: str, reason: str, line: int | None = None):
        self.source, self.reason, self.line = source, reason, line
        where = f"{source}:{line}" if line else source
        super().__init__(f"{where}: {reason}")


class FetchError(InputError):
    """A remote source could not be fetched (network, rate limit, bad answer)."""


class StoreError(CruxmapError):
    """The graph store failed."""


class StoreUnavailable(StoreError):
    """The store cannot be opened or reached (bad path, URI, credentials, server down)."""


class StoreCorrupt(StoreError):
    """The store's files are not a cruxmap store or are damaged."""


class ReadOnlyQuery(StoreError):
    """A raw query tried to write while the store was opened read-only."""


class DecomposeError(CruxmapError):
    """A decomposition stage failed; the message names the stage."""

    def __init__(self, stage: str, reason: str):
        self.stage = stage
        super().__init__(f"[decompose/{stage}]: {reason}")


class EncoderUnavailable(CruxmapError):
    """An optional stance encoder was asked for but its weights or libraries are not installed."""


class ExportError(CruxmapError):
    """An export could not be produced (unknown format, missing tool, bad filter)."""
