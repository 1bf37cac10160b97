"""One error tree for cruxmap. The CLI turns any :class:`CruxmapError` into one line and exit code 2.

Lower layers' exceptions (json, sqlite3, neo4j, http) are mapped to these at the boundary
where they occur, so callers only ever catch ``CruxmapError`` and its families.
"""

from __future__ import annotations

import os
import re

#: Environment variables whose values are secrets: never shown, whatever message they end up in.
SECRET_ENV = ("NEO4J_PASSWORD", "CRUXMAP_LLM_API_KEY", "CRUXMAP_UI_PASSWORD")
_SECRETS: set[str] = set()
# scheme://userinfo@host: the userinfo (user, password, token) goes, the host stays
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/\s@?#]*@)")
# password=..., api_key=..., token=... in a query string or a config line
_SECRET_PARAM = re.compile(r"(?i)(?P<key>\b(?:password|passwd|pwd|api[_-]?key|token|secret|auth)\s*[=:]\s*)"
                           r"(?P<value>[^\s&;,'\"]+)")


def register_secret(value: str | None) -> None:
    """Remember a secret (a password read from a prompt or a file) so :func:`redact` hides it too."""
    if value and len(value) >= 3:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """``text`` with credentials replaced by ``***``: URL userinfo, ``password=``-style values and
    the values of the secret environment variables (:data:`SECRET_ENV`).

    Every message, log line and page that may show a URI or a setting goes through this.

    Examples
    --------
    >>> redact("bolt://neo4j:hunter2@db.example.org:7687 refused")
    'bolt://***@db.example.org:7687 refused'
    >>> redact("https://api.example.org/v1?api_key=abc123&x=1")
    'https://api.example.org/v1?api_key=***&x=1'
    """
    text = _USERINFO.sub(lambda m: m.group("scheme") + "***@", text)
    text = _SECRET_PARAM.sub(lambda m: m.group("key") + "***", text)
    secrets = _SECRETS | {v for k in SECRET_ENV if len(v := os.environ.get(k, "")) >= 3}
    for secret in sorted(secrets, key=len, reverse=True):
        text = text.replace(secret, "***")
    return text


class CruxmapError(Exception):
    """Root of every error cruxmap raises on purpose. Its message never shows a credential."""

    def __str__(self) -> str:
        return redact(super().__str__())


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


class MissingEndpoint(StoreError):
    """A relationship to write points at a node that is neither written with it nor in the store."""

    def __init__(self, rel_id: str, node_id: str):
        self.rel_id, self.node_id = rel_id, node_id
        super().__init__(f"relationship {rel_id} points at {node_id}, which is not in the store")


class StoreBusy(StoreError):
    """Another process is writing to the store, and waiting for it took longer than allowed."""


class StoreUnavailable(StoreError):
    """The store cannot be opened or reached (bad path, URI, credentials, server down)."""


class StoreCorrupt(StoreError):
    """The store's files are not a cruxmap store or are damaged."""


class ReadOnlyQuery(StoreError):
    """A raw query was refused: it writes without ``--write``, or it loads files or URLs, calls a
    procedure outside the read allow-list, or is an administration command (in every mode)."""


class DecomposeError(CruxmapError):
    """A decomposition stage failed; the message names the stage."""

    def __init__(self, stage: str, reason: str):
        self.stage = stage
        super().__init__(f"[decompose/{stage}]: {reason}")


class EncoderUnavailable(CruxmapError):
    """An optional stance encoder was asked for but its weights or libraries are not installed."""


class ExportError(CruxmapError):
    """An export could not be produced (unknown format, missing tool, bad filter)."""
