"""Generic JSON Lines, one post or comment per line: the documented way to bring any other source.

Each line is a JSON object with these fields (only ``id`` and ``text`` are required)::

    {"id": "c2", "parent_id": "c1", "post_id": "p1", "author": "Jane Q. Public",
     "title": "", "text": "I think ...", "posted_at": "2024-05-01T12:00:00Z",
     "score": 12, "url": "https://example.org/p1#c2"}

Optional extras: ``site`` (namespaces ids and authors, e.g. ``"hn"``),
``agreement`` (an integer), ``reacts`` (``{"crux": 2}``) and ``retracted`` (bool).

Rules
-----
* A line with a non-empty ``title``, or with neither ``parent_id`` nor
  ``post_id``, is a **post**; every other line is a **comment**.
* A comment's ``parent_id`` defaults to its ``post_id`` (a top-level comment).
  Its ``post_id`` is taken as given and never inferred, so give it on every
  comment (streaming cannot look back at earlier batches).
* Ids are namespaced so that files from different sources cannot collide:
  ``<site>:<id>`` when the line has a ``site``; an id that already contains a
  ``:`` is kept as is; any other id becomes ``jsonl:<id>``. ``parent_id`` and
  ``post_id`` get the same treatment, so references stay consistent.
* Authors are ``author_id(author, site)``; a missing or ``[deleted]`` author is unknown.
* ``posted_at`` may be an ISO string or a Unix timestamp (converted to ISO 8601 UTC).
* ``>`` lines in ``text`` are recorded as quotes; text is otherwise kept verbatim.
* Blank lines are skipped. A bad line raises
  :class:`~cruxmap.graph.errors.MalformedInput` with its line number.

Large files
-----------
:func:`iter_parse` reads lines lazily and yields one :class:`~cruxmap.graph.schema.Thread`
per ``batch_size`` records, so a 200 MB export is processed with memory bounded
by one batch (pass an open file: ``iter_parse(open(path, encoding="utf-8"), path)``,
or use :func:`iter_read`). :func:`parse` is the same on a whole string, as one thread.

Examples
--------
>>> t = parse('{"id": "p1", "title": "Cats", "text": "Cats are best.", "author": "Ann"}\\n'
...           '{"id": "c1", "post_id": "p1", "text": "> Cats are best.\\\\nNo.", "author": "Bo"}')
>>> [(x.id, getattr(x, "parent_id", None)) for x in t.items()]
[('jsonl:p1', None), ('jsonl:c1', 'jsonl:p1')]
>>> t.comments[0].quotes[0].text
'> Cats are best.'
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import Author, Comment, Post, Thread, author_id
from cruxmap.loaders._text import JSONValueError, describe, iso_from_epoch, json_value, quote_spans

__all__ = ["parse", "sniff", "iter_parse", "iter_read", "FIELDS"]

#: The documented fields of one line.
FIELDS = ("id", "parent_id", "post_id", "author", "title", "text", "posted_at", "score", "url")
_DEFAULT_NAMESPACE = "jsonl"
_NOT_JSONL_KEYS = frozenset({"_id", "data", "errors"})  # ForumMagnum objects and envelopes
_REDDIT_KINDS = frozenset({"Listing", "t1", "t3", "more"})
_SNIFF_MAX_LINE = 1 << 20
_LEADING_SPACE = re.compile(r"[\ufeff\s]*")


def sniff(text: str) -> bool:
    """The first non-blank line is one JSON object with ``id`` and ``text`` (or ``title``)."""
    start = _LEADING_SPACE.match(text).end()  # no copy of a possibly huge text
    end = text.find("\n", start, start + _SNIFF_MAX_LINE + 1)
    line = text[start:end if end >= 0 else start + _SNIFF_MAX_LINE + 1].strip()
    if not (line.startswith("{") and line.endswith("}")) or len(line) > _SNIFF_MAX_LINE:
        return False
    try:  # lenient: odd numbers are for the parser to report, with the line
        record = json.loads(line, parse_constant=lambda _: 0, parse_int=lambda _: 0,
                            parse_float=lambda _: 0.0)
    except (ValueError, RecursionError):
        return False
    return (isinstance(record, dict) and "id" in record and ("text" in record or "title" in record)
            and not _NOT_JSONL_KEYS & record.keys() and record.get("kind") not in _REDDIT_KINDS)


def parse(text: str, source: str = "<text>") -> Thread:
    """Parse a whole JSON Lines document into one :class:`~cruxmap.graph.schema.Thread`.

    Raises
    ------
    MalformedInput
        A line that is not a JSON object of the documented shape (with its line
        number; HTML is named as such), or a document without any record.

    See Also
    --------
    iter_parse : the same, in bounded memory, one thread per batch.
    """
    # split on "\n" only: str.splitlines would also split inside JSON strings at U+2028
    threads = list(iter_parse(text.split("\n"), source, batch_size=0))
    return threads[0]


def iter_parse(lines: Iterable[str], source: str = "<text>",
               batch_size: int = 2000) -> Iterator[Thread]:
    """Parse JSON Lines lazily, yielding one :class:`~cruxmap.graph.schema.Thread` per batch.

    Parameters
    ----------
    lines : iterable of str
        The lines (an open text file works and is read one line at a time).
    source : str
        Where they came from; used in items and errors.
    batch_size : int
        Records per yielded thread; memory is bounded by one batch. ``0`` means
        everything in one thread.

    Yields
    ------
    Thread
        Consecutive batches; merging them all gives what :func:`parse` returns.
        An author appears in every batch that mentions them (stores de-duplicate by id).

    Raises
    ------
    MalformedInput
        On the first bad line (with its number), on invalid UTF-8 while reading
        a file, or when there is no record at all.
    """
    batch: list[Post | Comment] = []
    authors: dict[str, Author] = {}
    seen_any = False
    line_of: dict[str, int] = {}  # every id so far -> its line: one id, one item, across batches
    for number, line in _numbered(lines, source):
        if not line.strip():
            continue
        record = _record(line, number, source, authors)
        if record.id in line_of:
            raise MalformedInput(source, f"id {record.id} is used twice: on lines {line_of[record.id]} "
                                         f"and {number}", line=number)
        line_of[record.id] = number
        batch.append(record)
        seen_any = True
        if batch_size and len(batch) >= batch_size:
            yield _thread(batch, authors, source)
            batch, authors = [], {}
    if not seen_any:
        raise MalformedInput(source, "no records: expected JSON Lines (one JSON object per line)")
    if batch:
        yield _thread(batch, authors, source)


def iter_read(path: str | Path, batch_size: int = 2000) -> Iterator[Thread]:
    """:func:`iter_parse` over a file, read line by line (UTF-8, optional BOM).

    Raises
    ------
    MalformedInput
        The file is missing, unreadable, or not valid UTF-8, or a line is bad.
    """
    src = str(path)
    try:
        fh = open(path, encoding="utf-8-sig", errors="strict")
    except OSError as e:
        raise MalformedInput(src, e.strerror or "cannot open the file") from None
    with fh:
        yield from iter_parse(fh, src, batch_size)


def _numbered(lines: Iterable[str], source: str) -> Iterator[tuple[int, str]]:
    iterator = iter(lines)
    number = 0
    while True:
        try:
            line = next(iterator)
        except StopIteration:
            return
        except UnicodeDecodeError as e:
            raise MalformedInput(source, f"not valid UTF-8 ({e.reason})", line=number + 1) from None
        number += 1
        if "\x00" in line:
            raise MalformedInput(source, "binary data (NUL bytes), expected JSON Lines", line=number)
        yield number, line


def _thread(items: list[Post | Comment], authors: dict[str, Author], source: str) -> Thread:
    return Thread(source=source,
                  posts=tuple(x for x in items if isinstance(x, Post)),
                  comments=tuple(x for x in items if isinstance(x, Comment)),
                  authors=tuple(authors.values()))


# --- one line -------------------------------------------------------------------------
def _record(line: str, number: int, source: str, authors: dict[str, Author]) -> Post | Comment:
    def bad(reason: str) -> MalformedInput:
        return MalformedInput(source, reason, line=number)

    if number == 1:
        line = line.lstrip("\ufeff")  # a byte-order mark from an editor, in a file read as utf-8
    if line.lstrip(" \t").startswith("<"):
        raise bad("looks like HTML (or XML), expected JSON Lines (one JSON object per line)")
    try:
        record = json_value(line)
    except JSONValueError as e:
        raise bad(f"{e}; expected one JSON object per line") from None
    except json.JSONDecodeError as e:
        if e.pos >= len(line.rstrip()) - 1:  # a cut-off line, or one pretty-printed document
            raise bad("truncated JSON (the line ends in the middle of an object); expected "
                      "one complete JSON object per line") from None
        raise bad(f"not a JSON object ({e.msg}); expected one JSON object per line") from None
    if not isinstance(record, dict):
        raise bad(f"got {describe(record)}; expected a JSON object with id and text")
    site = _optional_str(record, "site", bad)
    rid = _id(record.get("id"), "id", bad)
    if rid is None:
        raise bad("missing id")
    text = record.get("text", None)
    title = _optional_str(record, "title", bad)
    if text is None and not title:
        raise bad("missing text")
    if text is not None and not isinstance(text, str):
        raise bad(f"text is {describe(text)}, expected a string")
    text = text or ""
    parent = _id(record.get("parent_id"), "parent_id", bad)
    post = _id(record.get("post_id"), "post_id", bad)
    common = dict(text=text, url=_optional_str(record, "url", bad),
                  posted_at=_when(record.get("posted_at"), bad),
                  score=_number(record, "score", bad), source=source,
                  author_id=_author(record.get("author"), site, authors, bad),
                  quotes=quote_spans(text))
    if title or (parent is None and post is None):
        return Post(id=_ns(rid, site), title=title, **common)
    post_id = _ns(post, site) if post is not None else None
    return Comment(id=_ns(rid, site), post_id=post_id,
                   parent_id=_ns(parent, site) if parent is not None else post_id,
                   agreement=_number(record, "agreement", bad),
                   reacts=_reacts(record.get("reacts"), bad),
                   retracted=bool(record.get("retracted")), **common)


def _ns(rid: str, site: str) -> str:
    """Namespace an id (see the module docstring)."""
    if site:
        return rid if rid.startswith(site + ":") else f"{site}:{rid}"
    return rid if ":" in rid else f"{_DEFAULT_NAMESPACE}:{rid}"


def _id(value: Any, key: str, bad: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise bad(f"{key} is {describe(value)}, expected a string or an integer")
    return str(value)


def _optional_str(record: dict, key: str, bad: Any) -> str:
    value = record.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise bad(f"{key} is {describe(value)}, expected a string")
    return value.strip()


def _number(record: dict, key: str, bad: Any) -> int | None:
    value = record.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad(f"{key} is {describe(value)}, expected a number")
    return int(round(value))


def _when(value: Any, bad: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return iso_from_epoch(value)
        except (OverflowError, OSError, ValueError):
            raise bad(f"posted_at {value!r} is not a valid Unix timestamp") from None
    raise bad(f"posted_at is {describe(value)}, expected an ISO date string or a Unix timestamp")


def _author(value: Any, site: str, authors: dict[str, Author], bad: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise bad(f"author is {describe(value)}, expected a string")
    name = value.strip()
    if not name or name == "[deleted]":
        return None
    aid = author_id(name, site)
    authors.setdefault(aid, Author(aid, name))
    return aid


def _reacts(value: Any, bad: Any) -> tuple[tuple[str, int], ...]:
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(
            isinstance(n, int) and not isinstance(n, bool) for n in value.values()):
        raise bad('reacts must be an object of counts, e.g. {"crux": 2}')
    return tuple(sorted((str(k), n) for k, n in value.items() if n > 0))
