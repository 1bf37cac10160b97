"""Text helpers the JSON loaders share: HTML to text, minimal markdown clean-up, quote spans, JSON errors.

Private to :mod:`loaders` (the leading underscore keeps it out of the registry).

Examples
--------
>>> html_to_text("<p>One.</p><blockquote><p>Quoted.</p></blockquote><ul><li>a</li><li>b</li></ul>")
'One.\\n\\n> Quoted.\\n\\n- a\\n- b'
>>> markdown_to_text("See [the post](https://example.org) for **why**.")
'See the post for why.'
>>> quote_spans("> You said X.\\n\\nI disagree.")
(Quote(start=0, end=13, text='> You said X.'),)
"""

from __future__ import annotations

import json
import math
import re
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import Quote

__all__ = ["html_to_text", "markdown_to_text", "quote_spans", "load_json", "iso_from_epoch",
           "looks_like_html"]

# --- quotes -------------------------------------------------------------------
# A run of lines starting with ">" is one quote, markers included: the same rule as
# loaders.markdown, so a quote means the same thing whichever loader read it.
_QUOTE_LINES = re.compile(r"^>[^\n]*(?:\n>[^\n]*)*", re.M)


def quote_spans(text: str) -> tuple[Quote, ...]:
    """Every run of ``>`` lines in ``text`` as a :class:`~cruxmap.graph.schema.Quote`.

    ``quote.text == text[quote.start:quote.end]`` always holds.
    """
    return tuple(Quote(m.start(), m.end(), m.group(0)) for m in _QUOTE_LINES.finditer(text))


# --- HTML -> text -------------------------------------------------------------
_BLOCK_TAGS = frozenset({
    "address", "article", "aside", "blockquote", "dd", "details", "div", "dl", "dt",
    "figcaption", "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr",
    "li", "main", "ol", "p", "pre", "section", "summary", "table", "tr", "ul",
})
_SKIP_TAGS = frozenset({"script", "style", "head", "title", "noscript", "template"})
_CELL_TAGS = frozenset({"td", "th"})


class _Block:
    """One paragraph-like block of output before it is rendered."""

    __slots__ = ("lines", "quote", "marker", "indent", "in_list")

    def __init__(self, lines: list[str], quote: int, marker: str, indent: int, in_list: bool):
        self.lines, self.quote, self.marker = lines, quote, marker
        self.indent, self.in_list = indent, in_list

    def render(self) -> str:
        prefix = "> " * self.quote
        pad = "  " * self.indent
        out = []
        for i, line in enumerate(self.lines):
            lead = (self.marker if i == 0 else " " * len(self.marker)) if self.in_list else ""
            out.append((prefix + pad + lead + line).rstrip())
        return "\n".join(out)


class _HTMLToText(HTMLParser):
    """Collect blocks (paragraphs, list items, quoted paragraphs) from HTML."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[_Block] = []
        self._buf: list[str] = []
        self._quote = 0
        self._lists: list[list[Any]] = []  # [ordered, counter] per open list
        self._marker = ""  # the marker of the list item being read, until its first block
        self._pre = 0
        self._skip = 0

    # the parser's callbacks
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
            return
        if tag == "br":
            self._buf.append("\n")
            return
        if tag in _CELL_TAGS:
            self._buf.append(" ")
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "blockquote":
            self._quote += 1
        elif tag in ("ul", "ol"):
            self._lists.append([tag == "ol", 0])
        elif tag == "li":
            self._marker = "- "
            if self._lists:
                current = self._lists[-1]
                current[1] += 1
                if current[0]:
                    self._marker = f"{current[1]}. "
        elif tag == "pre":
            self._pre += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)  # <br/>, <hr/>: void tags have no end tag

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
            return
        if tag in _BLOCK_TAGS:
            self._flush()
        if tag == "blockquote":
            self._quote = max(0, self._quote - 1)
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        elif tag == "li":
            self._marker = ""
        elif tag == "pre":
            self._pre = max(0, self._pre - 1)

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        # Outside <pre>, source newlines are just spaces; only <br> breaks a line.
        self._buf.append(data if self._pre else re.sub(r"\s+", " ", data))

    def close(self) -> None:
        super().close()
        self._flush()

    # building blocks
    def _flush(self) -> None:
        raw, self._buf = "".join(self._buf), []
        if self._pre:
            lines = raw.strip("\n").split("\n")
        else:
            lines = [re.sub(r" {2,}", " ", line).strip() for line in raw.split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        if not lines:
            return
        in_list = bool(self._marker) or bool(self._lists)
        marker = self._marker or ("  " if in_list else "")
        self._marker = ""  # only the item's first block carries the marker
        self.blocks.append(_Block(lines, self._quote, marker, max(0, len(self._lists) - 1), in_list))


def html_to_text(html: str) -> str:
    """Plain text from HTML, keeping the structure a reader relies on.

    Paragraphs and other blocks are separated by a blank line; list items become
    ``- item`` / ``1. item`` lines (one per line); ``<blockquote>`` content becomes
    ``> `` lines (one blockquote is one run of ``>`` lines, see :func:`quote_spans`);
    ``<br>`` is a line break; scripts and styles are dropped; entities are decoded.
    Uses only the standard library's :mod:`html.parser`.

    Examples
    --------
    >>> html_to_text("<p>A<br>B</p><ol><li>x</li><li>y</li></ol>")
    'A\\nB\\n\\n1. x\\n2. y'
    """
    parser = _HTMLToText()
    parser.feed(html)
    parser.close()
    out: list[str] = []
    prev: _Block | None = None
    for block in parser.blocks:
        if prev is not None:
            if block.in_list and prev.in_list and block.quote == prev.quote:
                out.append("\n")
            elif block.quote and block.quote == prev.quote:
                # paragraphs of one blockquote stay one quote: join with an empty ">" line
                out.append("\n" + ("> " * block.quote).rstrip() + "\n")
            else:
                out.append("\n\n")
        out.append(block.render())
        prev = block
    return "".join(out).strip("\n")


_HTML_START = re.compile(r"\A\s*(?:<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<\?xml)", re.I)


def looks_like_html(text: str) -> bool:
    """True when ``text`` is an HTML (or XML) page rather than JSON or prose."""
    return bool(_HTML_START.match(text[:1024].lstrip("\ufeff")))


# --- markdown -> text (minimal) --------------------------------------------------
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>~|])")
_IMAGE = re.compile(r"!\[[^\]\n]*\]\([^)\n]*\)")
_LINK = re.compile(r"\[([^\]\n]+)\]\((?:[^()\s]|\([^()\s]*\))+(?:\s+\"[^\"\n]*\")?\)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC_STAR = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])")
_ITALIC_UNDER = re.compile(r"(?<![\w_])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w_])")
_HEADING = re.compile(r"^#{1,6}[ \t]+", re.M)
_PLACEHOLDER_BASE = 0xF0000  # a private-use plane: cannot clash with forum text


def markdown_to_text(md: str) -> str:
    """Markdown made readable with the fewest possible changes.

    Links keep their text (``[text](url)`` -> ``text``), images are dropped,
    ``**bold**``/``*italic*``/``_italic_`` markers and heading ``#``\\ s are removed,
    backslash escapes are resolved. Everything else (``>`` quotes, lists, code) is
    kept verbatim, so quotes are still found by :func:`quote_spans`.

    Examples
    --------
    >>> markdown_to_text("## Why\\n\\n> You *said* X.\\n\\n2 * 3 * 4 is 24\\\\.")
    'Why\\n\\n> You said X.\\n\\n2 * 3 * 4 is 24.'
    """
    text = md.replace("\r\n", "\n").replace("\r", "\n")
    escaped: list[str] = []

    def protect(m: re.Match[str]) -> str:
        escaped.append(m.group(1))
        return chr(_PLACEHOLDER_BASE + len(escaped) - 1)

    text = _ESCAPED.sub(protect, text)
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _BOLD.sub(r"\2", text)
    text = _ITALIC_STAR.sub(r"\1", text)
    text = _ITALIC_UNDER.sub(r"\1", text)
    text = _HEADING.sub("", text)
    if escaped:
        text = re.sub("[\U000f0000-\U000fffff]",
                      lambda m: escaped[ord(m.group(0)) - _PLACEHOLDER_BASE], text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


# --- JSON ---------------------------------------------------------------------------
#: Integers longer than this are refused (Python refuses to convert > 4300 digits, slowly).
MAX_INT_DIGITS = 100
#: Nesting deeper than this is refused (the iterative reader below handles anything up to it).
MAX_DEPTH = 100_000


class JSONValueError(ValueError):
    """A JSON value cruxmap does not accept (NaN, Infinity, 1e400, a 5,000-digit integer)."""


def _constant(name: str) -> Any:
    raise JSONValueError(f"{name} is not a number JSON allows")


def _float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JSONValueError(f"number {text[:20]} is out of range")
    return value


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise JSONValueError(f"a {len(text)}-digit integer is too long")
    return int(text)


_HOOKS = dict(parse_constant=_constant, parse_float=_float, parse_int=_int)


def json_value(text: str) -> Any:
    """``json.loads`` that refuses non-finite and huge numbers and reads any nesting depth.

    Raises ``json.JSONDecodeError`` (invalid JSON), :class:`JSONValueError` (a refused value) or
    ``RecursionError`` never: documents nested deeper than the C decoder goes are read by an
    iterative reader (:func:`_deep_loads`), up to :data:`MAX_DEPTH` levels.

    Examples
    --------
    >>> json_value('[' * 5000 + ']' * 5000) is not None
    True
    """
    try:
        return json.loads(text, **_HOOKS)
    except RecursionError:
        return _deep_loads(text)


_TOKEN = re.compile(r'\s*(?:(["])|([\[{])|([\]}])|(,)|(:)|(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?)'
                    r'|(true|false|null|NaN|-?Infinity))')
_LITERALS = {"true": True, "false": False, "null": None}


def _deep_loads(text: str) -> Any:
    """The same JSON values as ``json.loads``, with an explicit stack instead of recursion."""
    scan = json.decoder.scanstring
    stack: list[list] = []  # [container, key or None, expecting a value?]
    pos, n, result, done = 0, len(text), None, False

    def fail(msg: str) -> json.JSONDecodeError:
        return json.JSONDecodeError(msg, text, pos)

    def add(value: Any) -> None:
        nonlocal result, done
        if not stack:
            if done:
                raise fail("Extra data")
            result, done = value, True
            return
        top = stack[-1]
        if isinstance(top[0], list):
            top[0].append(value)
        else:
            if top[1] is None:
                if not isinstance(value, str):
                    raise fail("Expecting property name enclosed in double quotes")
                top[1] = value
                return
            top[0][top[1]] = value
            top[1] = None

    while True:
        m = _TOKEN.match(text, pos)
        if not m:
            if text[pos:].strip():
                raise fail("Expecting value")
            break
        pos = m.end()
        if m.group(1):
            value, pos = scan(text, pos)
            add(value)
        elif m.group(2):
            if len(stack) >= MAX_DEPTH:
                raise JSONValueError(f"JSON nested deeper than {MAX_DEPTH:,} levels")
            stack.append([[] if m.group(2) == "[" else {}, None])
        elif m.group(3):
            if not stack:
                raise fail("Extra data")
            container = stack.pop()[0]
            if isinstance(container, list) != (m.group(3) == "]"):
                raise fail("Mismatched bracket")
            add(container)
        elif m.group(6):
            number = m.group(6)
            add(_float(number) if any(c in number for c in ".eE") else _int(number))
        elif m.group(7):
            word = m.group(7)
            add(_LITERALS[word] if word in _LITERALS else _constant(word))
        # "," and ":" only separate; json.loads has already said the document is well formed
        # except for its depth, so the grammar need not be checked twice
    if stack or not done:
        raise fail("Expecting value")
    return result


def load_json(text: str, source: str, expected: str) -> Any:
    """:func:`json_value` with errors that name the file and what was expected.

    Raises
    ------
    MalformedInput
        Empty input, an HTML page, truncated or otherwise invalid JSON, a refused number.
    """
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        raise MalformedInput(source, f"empty input, expected {expected}")
    if body.startswith("<"):
        raise MalformedInput(source, f"looks like HTML (or XML), expected {expected}")
    try:
        return json_value(body)
    except JSONValueError as e:
        raise MalformedInput(source, f"{e}; expected {expected}") from None
    except json.JSONDecodeError as e:
        end = len(body.rstrip())
        if e.pos >= end - 1 or e.msg.startswith("Unterminated string"):
            raise MalformedInput(source, f"truncated JSON (the input ends in the middle of "
                                         f"a value), expected {expected}") from None
        raise MalformedInput(source, f"invalid JSON: {e.msg} (column {e.colno}), "
                                     f"expected {expected}", line=e.lineno) from None


def describe(value: Any) -> str:
    """A short description of a JSON value, for error messages."""
    if isinstance(value, dict):
        keys = ", ".join(list(map(str, value))[:5])
        return f"an object with keys [{keys}]" if value else "an empty object"
    if isinstance(value, list):
        return f"a list of {len(value)} items" if value else "an empty list"
    return f"a {type(value).__name__}"


def iso_from_epoch(seconds: float) -> str:
    """A Unix timestamp as ISO 8601 in UTC (``2024-01-02T03:04:05Z``)."""
    return datetime.fromtimestamp(seconds, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_int(value: Any) -> int | None:
    """A JSON number as an int (rounded), anything else (NaN, infinities included) as None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return int(round(value))
