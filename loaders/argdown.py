"""Argdown documents (statements, arguments, relations, tags) as an argument map.

Reads the layout :mod:`cruxmap.graph.exports.argdown` writes, and Argdown in general:

* statements ``[Title]: text`` (a title used again adds to the same statement; the
  last text wins, as in Argdown), references ``[Title]``, untitled statements
  (any other paragraph), and ``@[mentions]``;
* arguments ``<Title>: text`` with premise-conclusion structures (``(1)`` ... ``--``
  ... ``--`` ... ``(3)``): each premise supports the conclusion of its inference;
* relations on indented lines: ``+>``/``->``/``_>`` (this supports/attacks/undercuts
  that), ``+``/``-``/``_`` and ``<+``/``<-``/``<_`` (that ... this), ``><``
  (contradiction: an attack both ways);
* tags ``#tag`` / ``#(a tag)``: a statement's first tag is its author (``#crux`` is not);
  data ``{key: value}`` (YAML); headings ``#``; comments ``//``, ``/* */``,
  ``<!-- -->``; escapes ``\\x``; front matter ``=== ... ===`` (its ``title``).

cruxmap's own sections give more structure: ``# Disagreement: <summary> {status,
confidence}`` with ``## Side A`` / ``## Side B`` (the claims on each side) and
``## Cruxes`` (statements that become cruxes, with ``{score, kind, evidence}``), and
``# Topic: <label>`` (the claims about it).

The result is a :class:`~cruxmap.graph.schema.CruxMap`: one post (kind ``excerpt``) whose text
is the statements' texts one after another, each claim an exact span of it. Supports
and attacks become stances with confidence 1 (evidence :data:`~cruxmap.graph.schema.UNDERCUT`
for undercuts).

Examples
--------
>>> m = parse("[Cats]: Cats are better. #Ann\\n  -> [Dogs]\\n\\n[Dogs]: Dogs are better. #Bob\\n")
>>> [(c.text, c.author_id) for c in m.claims]
[('Cats are better.', 'author:ann'), ('Dogs are better.', 'author:bob')]
>>> [(s.stance, s.confidence) for s in m.stances]
[('disagree', 1.0)]
"""

from __future__ import annotations

from pathlib import Path

import math
import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import (
    UNDERCUT, Author, Claim, Crux, CruxMap, Disagreement, Post, Stance, Thread, Topic, author_id,
    claim_id, stable_id,
)

__all__ = ["parse", "sniff", "parse_argdown", "read_argdown"]

# Section titles of cruxmap's layout (the exporter, graph.exports.argdown, writes them).
DISAGREEMENT_PREFIX = "disagreement:"
TOPIC_PREFIX = "topic:"
SIDES = {"side a": "a", "side b": "b"}
CRUXES = "cruxes"
CRUX_TAG = "crux"

# --- escapes: "\x" becomes one private-use character, so regexes never see it -------------
_PUA = 0xF0000


def _protect(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: chr(_PUA + ord(m.group(1))) if ord(m.group(1)) < 0xFFFE
                  else m.group(1), text)


def _unprotect(text: str) -> str:
    return re.sub("[\U000f0000-\U000ffffd]", lambda m: chr(ord(m.group(0)) - _PUA), text)


def _restore(text: str) -> str:
    """Protected text with its escapes written back as ``\\x`` (for YAML data, which has its own)."""
    return re.sub("[\U000f0000-\U000ffffd]", lambda m: "\\" + chr(ord(m.group(0)) - _PUA), text)


# No "[" / "(" inside a link's text or target: each attempt stops at the next bracket, so a
# line of thousands of "[" is read in linear time (a lazy "[^\]]+?" made it quadratic).
_LINK = re.compile(r"\[[^\[\]\n]+\]\([^()\n]+\)")
_LINK_TEXT = re.compile(r"\[([^\[\]]+)\]\([^()]*\)")


_SPECIAL = re.compile(r"/\*|<!--|//|[{\[]")
#: whitespace that is not already one plain space: runs of two or more, or a lone tab/newline/...
_SPACES = re.compile(r"\s{2,}|[^\S ]")


def _strip_comments(text: str) -> str:
    """Remove ``/* */``, ``<!-- -->`` and ``//`` comments, keeping line breaks (and ``{data}``)."""
    out, i, n = [], 0, len(text)
    ends = _brace_ends(text)
    while i < n:
        special = _SPECIAL.search(text, i)  # plain text up to the next mark is copied in one piece
        if special is None:
            out.append(text[i:])
            break
        if special.start() > i:
            out.append(text[i:special.start()])
            i = special.start()
        if text.startswith("/*", i) or text.startswith("<!--", i):
            end = text.find("*/" if text[i] == "/" else "-->", i + 2)
            end = n if end < 0 else end + (2 if text[i] == "/" else 3)
            out.append("\n" * text.count("\n", i, end))
            i = end
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif text[i] == "{":
            end = ends.get(i, i + 1)
            out.append(text[i:end])
            i = end
        elif text[i] == "[" and (link := _LINK.match(text, i)):  # a link's "//" is no comment
            out.append(link.group(0))
            i = link.end()
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def _brace_ends(text: str) -> dict[int, int]:
    """Where each balanced ``{...}`` data block of ``text`` ends: ``{start: end}``, in one pass.

    Data never spans a blank line: an opening brace still open at one is not data. (A scan
    from every ``{`` to its match made ``'{' * N`` quadratic.)
    """
    ends: dict[int, int] = {}
    opened: list[int] = []
    for m in re.finditer(r"[{}]|\n(?=\n)", text):
        ch = m.group(0)
        if ch == "{":
            opened.append(m.start())
        elif ch == "}":
            if opened:
                ends[opened.pop()] = m.end()
        else:
            opened.clear()
    return ends


class _NoAliasLoader(yaml.SafeLoader):
    """YAML without aliases: ``*a`` is refused, so a few lines can never expand to gigabytes."""

    def compose_node(self, parent, index):  # noqa: D102 - yaml's own hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(None, None, "aliases (*name) are not allowed in cruxmap",
                                              event.start_mark)
        return super().compose_node(parent, index)


def _yaml(text: str) -> Any:
    """YAML data, loaded safely (no tags, no aliases); RecursionError becomes a YAMLError."""
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except RecursionError:
        raise yaml.YAMLError("nested too deeply") from None


def _number(value: Any, default: float) -> float:
    """A data value as a finite number; anything else (a list, a word, NaN) gives ``default``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return default
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return default
    return number if math.isfinite(number) else default


# --- sniffing ---------------------------------------------------------------------------
_DEF = re.compile(r"^(?:\[[^\]\^\s][^\]]*\]|<[^>\s/!][^>]*>):[ \t]+(?!https?://|www\.|<)\S", re.M)
_REL = re.compile(r"^[ \t]+(?:\+>|->|_>|<\+|<-|<_|><|\+|-|_)[ \t]+[\[<]", re.M)
_FRONT = re.compile(r"\A\ufeff?===+[ \t]*\n")


def sniff(text: str) -> bool:
    """Argdown: a ``[Title]: text`` or ``<Title>: text`` line, with a relation line, a second
    definition or front matter. Prose and Markdown (even with ``[1]: https://...`` link
    definitions) are not taken for Argdown."""
    head = text[:8192]
    defs = _DEF.findall(head)
    return bool(defs) and (len(defs) > 1 or bool(_REL.search(head)) or bool(_FRONT.match(head)))


# --- the parse: lines into elements, relations and sections -------------------------------
@dataclass
class _Element:
    kind: str  # "statement" | "argument"
    title: str  # '' until an untitled statement gets one
    raw: str  # protected text (escapes hidden), continuation lines appended
    defines: bool
    line: int
    sections: tuple[str, ...]
    top: bool  # a paragraph of its own (not a relation's end, not a premise)
    text: str = ""
    tags: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Argument:
    pcs: list[list[str]] = field(default_factory=list)  # runs of statement titles, split at inferences


_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*)$")
_ARROW = re.compile(r"^(\+>|->|_>|<\+|<-|<_|><|\+|-|_)[ \t]+(.*)$")
_NUMBERED = re.compile(r"^\((\d+)\)[ \t]+(.*)$")
_LIST_ITEM = re.compile(r"^(?:\*|\d+\.)[ \t]+(.*)$")
_STATEMENT = re.compile(r"^\[([^\]]+)\](:?)[ \t]*(.*)$")
_ARGUMENT = re.compile(r"^<([^>]+)>(:?)[ \t]*(.*)$")
_LINK_START = re.compile(r"^\[[^\]]+\]\(")
_TAG = re.compile(r"#(?:\(([^)]+)\)|([A-Za-z0-9\-\u00A0-\uD7FF\uF900-\uFDCF\uFDF0-\uFFEF]+))")
#: What each arrow means: (source is the line's statement?, relation).
_ARROWS = {"+>": (False, "support"), "->": (False, "attack"), "_>": (False, "undercut"),
           "+": (True, "support"), "<+": (True, "support"), "-": (True, "attack"),
           "<-": (True, "attack"), "_": (True, "undercut"), "<_": (True, "undercut"),
           "><": (False, "contradiction")}


class _Parser:
    def __init__(self, text: str, source: str):
        self.source = source
        self.front: dict[str, Any] = {}
        self.elements: list[_Element] = []
        self.relations: list[tuple[_Element, _Element, str]] = []
        self.arguments: dict[str, _Argument] = {}
        self.sections: list[tuple[int, str]] = []  # the open headings (level, title)
        self.section_data: dict[tuple[str, ...], dict[str, Any]] = {}
        self._untitled = 0
        self._parse(text)

    # -- lines ---------------------------------------------------------------------------
    def _parse(self, text: str) -> None:
        text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
        text, first_line = self._front_matter(text)
        original = text.split("\n")
        lines = _strip_comments(_protect(text)).split("\n")
        stack: list[tuple[int, _Element]] = []
        current: _Element | None = None
        argument: _Element | None = None  # the argument a premise-conclusion structure belongs to
        in_inference = False
        for no, line in enumerate(lines, first_line):
            stripped = line.strip()
            indent = len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))
            if in_inference:
                in_inference = "--" not in stripped
                continue
            if not stripped:
                if not original[no - first_line].strip():  # a comment-only line is not an empty line
                    stack, current = [], None
                continue
            heading = _HEADING.match(line)
            if heading and indent == 0:
                self._heading(len(heading.group(1)), heading.group(2), no)
                stack, current, argument = [], None, None
                continue
            if stripped.startswith("--"):
                rest = stripped[2:].rstrip()
                in_inference = not (rest.startswith("-") or rest.endswith("--"))
                self._inference(argument)
                stack, current = [], None
                continue
            numbered = _NUMBERED.match(stripped)
            if numbered and indent == 0:
                argument = argument or self._anonymous_argument(no)
                el = self._element(numbered.group(2), no, top=False, kind="statement")
                self.arguments[argument.title].pcs[-1].append(el.title)
                stack, current = [(indent, el)], el
                continue
            arrow = _ARROW.match(stripped)
            if arrow and indent > 0 and not stack and current is None:
                raise MalformedInput(self.source, "a relation with no statement above it (Argdown does not "
                                                  "allow an empty line before a relation)", line=no)
            if arrow and indent > 0 and stack:
                while stack and stack[-1][0] >= indent:
                    stack.pop()
                if stack:
                    parent = stack[-1][1]
                    child = self._element(arrow.group(2), no, top=False)
                    self._relate(parent, child, arrow.group(1))
                    stack.append((indent, child))
                    current = child
                    continue
            starts_new = bool(_STATEMENT.match(stripped) and not _LINK_START.match(stripped)
                              and _STATEMENT.match(stripped).group(2)) or \
                bool(_ARGUMENT.match(stripped) and _ARGUMENT.match(stripped).group(2))
            if current is not None and not starts_new and not _LIST_ITEM.match(stripped):
                current.raw += " " + stripped  # a statement continues on the next line
                continue
            item = _LIST_ITEM.match(stripped)
            el = self._element(item.group(1) if item else stripped, no, top=indent == 0)
            argument = el if el.kind == "argument" else None
            stack, current = [(indent, el)], el

    def _front_matter(self, text: str) -> tuple[str, int]:
        m = re.match(r"\A\s*(===+)[ \t]*\n(.*?)\n[ \t]*===+[ \t]*(?:\n|\Z)", text, re.S)
        if not m:
            return text, 1
        try:
            data = _yaml(m.group(2)) or {}
        except yaml.YAMLError as e:
            raise MalformedInput(self.source, f"front matter is not valid YAML ({str(e).splitlines()[0]})",
                                 line=1) from None
        self.front = data if isinstance(data, dict) else {}
        return text[m.end():], 1 + text[:m.end()].count("\n")

    def _heading(self, level: int, raw: str, no: int) -> None:
        text, _tags, data = _clean(raw, self.source, no)
        while self.sections and self.sections[-1][0] >= level:
            self.sections.pop()
        self.sections.append((level, text))
        self.section_data[self._path()] = data

    def _path(self) -> tuple[str, ...]:
        return tuple(t for _, t in self.sections)

    def _inference(self, argument: _Element | None) -> None:
        if argument is not None:
            self.arguments[argument.title].pcs.append([])

    def _anonymous_argument(self, no: int) -> _Element:
        self._untitled += 1
        el = _Element("argument", f"Untitled {self._untitled}", "", False, no, self._path(), False)
        self.elements.append(el)
        self.arguments[el.title] = _Argument([[]])
        return el

    def _element(self, content: str, no: int, top: bool, kind: str | None = None) -> _Element:
        s = _STATEMENT.match(content) if not _LINK_START.match(content) else None
        a = _ARGUMENT.match(content)
        if s and kind != "argument":
            el = _Element("statement", _unprotect(s.group(1)).strip(), s.group(3), bool(s.group(2)), no,
                          self._path(), top)
        elif a and kind != "statement":
            el = _Element("argument", _unprotect(a.group(1)).strip(), a.group(3), bool(a.group(2)), no,
                          self._path(), top)
        else:
            self._untitled += 1
            el = _Element(kind or "statement", f"Untitled {self._untitled}", content, True, no,
                          self._path(), top)
        if el.kind == "argument":
            self.arguments.setdefault(el.title, _Argument([[]]))
        self.elements.append(el)
        return el

    def _relate(self, parent: _Element, child: _Element, arrow: str) -> None:
        child_is_source, kind = _ARROWS[arrow]
        src, dst = (child, parent) if child_is_source else (parent, child)
        self.relations.append((src, dst, kind))
        if kind == "contradiction":
            self.relations.append((dst, src, kind))


def _clean(raw: str, source: str, line: int) -> tuple[str, list[str], dict[str, Any]]:
    """Text, tags and data of one statement's protected raw text."""
    data: dict[str, Any] = {}
    parts, i = [], 0
    ends = _brace_ends(raw)
    for start in sorted(ends):  # the text between balanced {data} blocks is copied in pieces
        end = ends[start]
        if start < i:
            continue  # inside a block already read
        parts.append(raw[i:start])
        try:
            value = _yaml(_restore(raw[start:end]))
        except yaml.YAMLError:
            value = None  # Argdown too ignores data it cannot read
        if isinstance(value, dict):
            data.update(value)
        i = end
    parts.append(raw[i:])
    text = "".join(parts)
    tags = [_unprotect(m.group(1) or m.group(2)).strip() for m in _TAG.finditer(text)]
    text = _TAG.sub(" ", text)
    text = _LINK_TEXT.sub(r"\1", text)  # [link text](url) -> link text
    text = re.sub(r"[*_]", "", text)  # emphasis markers (escaped ones are protected)
    # whitespace runs collapsed to one space, touching only the runs that differ: " ".join(
    # text.split()), or a sub of every space, would hold one string object per word at once,
    # over 10x the size of a long statement
    return _SPACES.sub(" ", _unprotect(text)).strip(), tags, data


# --- the parse as a map -------------------------------------------------------------------
def _finish(p: _Parser) -> None:
    for el in p.elements:
        el.text, el.tags, el.data = _clean(el.raw, p.source, el.line)


def parse(text: str, source: str = "<text>") -> CruxMap:
    """The argument map in an Argdown document.

    Raises
    ------
    MalformedInput
        When the front matter is not YAML, or the document holds no statement.
    """
    p = _Parser(text, source)
    _finish(p)
    if not any(el.text or el.kind == "statement" and not el.defines for el in p.elements):
        raise MalformedInput(source, "no Argdown statements or arguments found")
    return _to_map(p, source)


@dataclass
class _Node:
    """A statement (or argument) of the document: one claim or one crux."""

    key: tuple[str, str]
    text: str = ""
    tags: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    defined_at: int = 10 ** 9
    seen_at: int = 10 ** 9
    sections: list[tuple[tuple[str, ...], bool]] = field(default_factory=list)  # (path, top-level)


def _nodes(p: _Parser) -> dict[tuple[str, str], _Node]:
    nodes: dict[tuple[str, str], _Node] = {}
    for el in p.elements:
        n = nodes.setdefault((el.kind, el.title), _Node((el.kind, el.title)))
        n.seen_at = min(n.seen_at, el.line)
        if el.defines and el.text:
            n.text = el.text  # the last definition wins (Argdown's canonical member)
            n.defined_at = min(n.defined_at, el.line)
            n.data.update(el.data)
        n.tags += [t for t in el.tags if t not in n.tags]
        n.sections.append((el.sections, el.top))
    return nodes


def _section_kind(path: tuple[str, ...]) -> tuple[int | None, str | None]:
    """(index of the disagreement/topic heading in ``path``, the sub-section's role)."""
    for i, title in enumerate(path):
        low = title.casefold()
        if low.startswith(DISAGREEMENT_PREFIX):
            sub = path[i + 1].casefold() if i + 1 < len(path) else None
            return i, SIDES.get(sub or "", CRUXES if sub == CRUXES else None)
        if low.startswith(TOPIC_PREFIX):
            return i, "topic"
    return None, None


def _to_map(p: _Parser, source: str) -> CruxMap:
    nodes = _nodes(p)
    crux_keys = {k for k, n in nodes.items() if any(_section_kind(s)[1] == CRUXES and top for s, top in n.sections)}
    claims_at = sorted((n for k, n in nodes.items() if k not in crux_keys and (n.text or k[0] == "statement")),
                       key=lambda n: (min(n.defined_at, n.seen_at) if n.defined_at == 10 ** 9 else n.defined_at,
                                      n.seen_at))
    # one post: the claims' texts one after another, each claim a span of it
    texts = [n.text or n.key[1] for n in claims_at]
    body = "\n\n".join(texts)
    title = str(p.front.get("title", "") or "")
    post = Post(id=stable_id("post", source, "argdown", title), text=body, title=title, source=source,
                kind="excerpt")
    authors: dict[str, Author] = {}
    claim_of: dict[tuple[str, str], Claim] = {}
    start = 0
    for n, t in zip(claims_at, texts):
        name = next((tag for tag in n.tags if tag.casefold() != CRUX_TAG), None)
        aid = None
        if name:
            aid = author_id(name)
            authors.setdefault(aid, Author(aid, name))
        claim_of[n.key] = Claim(claim_id(post.id, start, start + len(t)), post.id, start, start + len(t), t, aid)
        start += len(t) + 2
    stances = _stances(p, nodes, claim_of)
    roles = {}
    for s in stances:  # a claim's role follows its first stance
        roles.setdefault(s.source_claim_id, "support" if s.stance == "agree" else "attack")
    claims = tuple(Claim(c.id, c.source_id, c.start, c.end, c.text, c.author_id, role=roles.get(c.id, "claim"))
                   for c in claim_of.values())
    disagreements, cruxes, topics = _sections(p, nodes, claim_of, crux_keys, source)
    thread = Thread(source=source, posts=(post,), authors=tuple(authors.values()))
    return CruxMap(thread=thread, claims=claims, stances=stances, disagreements=disagreements,
                   cruxes=cruxes, topics=topics)


def _anchor(p: _Parser, key: tuple[str, str], claim_of: dict[tuple[str, str], Claim],
            outgoing: bool = False) -> Claim | None:
    """The claim standing for a statement or an argument.

    As in Argdown, what an argument with a premise-conclusion structure supports or
    attacks, its conclusion does; what supports or attacks an argument meets its
    description (else its conclusion).
    """
    conclusion = None
    if key[0] == "argument" and key[1] in p.arguments:
        runs = [r for r in p.arguments[key[1]].pcs if r]
        conclusion = claim_of.get(("statement", runs[-1][-1])) if runs else None
    if outgoing and conclusion is not None:
        return conclusion
    return claim_of.get(key) or conclusion


def _stances(p: _Parser, nodes: dict, claim_of: dict[tuple[str, str], Claim]) -> tuple[Stance, ...]:
    seen: set[tuple[str, str, str]] = set()
    out = []

    def add(src: Claim | None, dst: Claim | None, kind: str) -> None:
        if src is None or dst is None or src.id == dst.id or (src.id, dst.id, kind) in seen:
            return
        seen.add((src.id, dst.id, kind))
        out.append(Stance(src.id, dst.id, "agree" if kind == "support" else "disagree", 1.0,
                          UNDERCUT if kind == "undercut" else "", "annotation"))

    for src, dst, kind in p.relations:
        add(_anchor(p, (src.kind, src.title), claim_of, outgoing=True),
            _anchor(p, (dst.kind, dst.title), claim_of), kind)
    for title, arg in p.arguments.items():  # premise-conclusion structures
        runs = [list(r) for r in arg.pcs]
        previous: list[str] = []
        for i in range(len(runs) - 1):
            premises, conclusion = previous + runs[i], (runs[i + 1] or [None])[0]
            if conclusion is None:
                continue
            for t in premises:
                add(claim_of.get(("statement", t)), claim_of.get(("statement", conclusion)), "support")
            previous = [conclusion]
            runs[i + 1] = runs[i + 1][1:] if len(runs[i + 1]) > 1 else runs[i + 1]
        desc = claim_of.get(("argument", title))
        if desc is not None:  # the argument's description stands for the inference to its conclusion
            add(desc, _anchor(p, ("argument", title), claim_of, outgoing=True), "support")
    return tuple(out)


def _sections(p: _Parser, nodes: dict[tuple[str, str], _Node], claim_of: dict[tuple[str, str], Claim],
              crux_keys: set, source: str) -> tuple[tuple[Disagreement, ...], tuple[Crux, ...], tuple[Topic, ...]]:
    dis: dict[tuple[str, ...], dict[str, Any]] = {}
    tops: dict[tuple[str, ...], list[str]] = {}
    crux_in: dict[tuple[str, str], list[tuple[str, ...]]] = {}
    for el in p.elements:
        i, role = _section_kind(el.sections)
        if i is None or not el.top:
            continue
        head = el.sections[:i + 1]
        key = (el.kind, el.title)
        if role == "topic":
            claim = _anchor(p, key, claim_of)
            if claim and claim.id not in tops.setdefault(head, []):
                tops[head].append(claim.id)
            continue
        d = dis.setdefault(head, {"sides": [], "cruxes": []})
        if role == CRUXES and key in crux_keys:
            crux_in.setdefault(key, []).append(head)
        elif role in ("a", "b"):
            claim = _anchor(p, key, claim_of)
            if claim and (claim.id, role) not in d["sides"]:
                d["sides"].append((claim.id, role))
    for path in p.section_data:  # a disagreement section with no claims listed still counts
        i, _ = _section_kind(path)
        if i is not None and path[i].casefold().startswith(DISAGREEMENT_PREFIX):
            dis.setdefault(path[:i + 1], {"sides": [], "cruxes": []})
    dis_id = {}
    disagreements = []
    for n, (head, d) in enumerate(dis.items()):
        data = p.section_data.get(head, {})
        summary = head[-1][len(DISAGREEMENT_PREFIX):].strip()
        dis_id[head] = stable_id("disagreement", source, n, summary)
        disagreements.append(Disagreement(dis_id[head], summary, str(data.get("status", "open")),
                                          tuple(d["sides"]), _number(data.get("confidence"), 0.5)))
    cruxes = []
    for key, heads in crux_in.items():
        n = nodes[key]
        cruxes.append(Crux(stable_id("crux", source, key[1], n.text), n.text or key[1],
                           _number(n.data.get("score"), 0.5), tuple(dict.fromkeys(dis_id[h] for h in heads)),
                           str(n.data.get("kind", "explicit")), str(n.data.get("evidence", ""))))
    topics = tuple(Topic(stable_id("topic", source, head[-1]), head[-1][len(TOPIC_PREFIX):].strip(),
                         tuple(ids)) for head, ids in tops.items())
    return tuple(disagreements), tuple(cruxes), topics


parse_argdown = parse


def read_argdown(path: str | Path) -> CruxMap:
    """Read and parse one file (see :func:`cruxmap.loaders.read`)."""
    from cruxmap import loaders  # the registry imports this module: import it when called

    return loaders.read(path, fmt="argdown")
