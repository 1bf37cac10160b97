"""Markdown or plain text: one post (a leading ``# Title`` becomes its title; ``>`` lines are quotes).

The fallback loader: it accepts any readable prose, so it sniffs last. Text that is
really HTML or JSON is refused with a clear error instead of being taken as prose.

Examples
--------
>>> t = parse("# Why X\\n\\n> You said Y.\\n\\nI think Z.", source="a.md")
>>> t.posts[0].title, t.posts[0].text
('Why X', '> You said Y.\\n\\nI think Z.')
>>> t.posts[0].quotes[0].text
'> You said Y.'
"""

from __future__ import annotations

import re

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import Post, Quote, Thread, stable_id

_TITLE = re.compile(r"\A\s*#\s+(.+?)\s*(?:\n|\Z)")
_HTML = re.compile(r"\A\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>])", re.I)
_QUOTE_LINES = re.compile(r"^>[^\n]*(?:\n>[^\n]*)*", re.M)


def quote_spans(text: str) -> tuple[Quote, ...]:
    """Every run of ``>`` lines as a :class:`Quote` (slice ``text`` with ``(start, end)``)."""
    return tuple(Quote(m.start(), m.end(), m.group(0)) for m in _QUOTE_LINES.finditer(text))


def sniff(text: str) -> bool:
    """Any non-empty text that is not HTML or JSON (this loader is the fallback)."""
    head = text.lstrip()[:1]
    return bool(head) and head not in "{[" and not _HTML.match(text)


def parse(text: str, source: str = "<text>") -> Thread:
    """One post from markdown or plain text."""
    if _HTML.match(text):
        raise MalformedInput(source, "looks like HTML, expected markdown or plain text "
                                     "(save the page as text, or use a LessWrong JSON export)")
    if not text.strip():
        raise MalformedInput(source, "no text")
    title = ""
    m = _TITLE.match(text)
    body = text
    if m:
        title, body = m.group(1), text[m.end():]
    body = body.strip("\n").rstrip()
    if not body.strip():
        raise MalformedInput(source, "has a title but no text")
    post = Post(id=stable_id("post", source, title, body[:200]), text=body, title=title,
                source=source, quotes=quote_spans(body))
    return Thread(source=source, posts=(post,))
