"""Stage 1: split posts and comments into sentence-level claims with exact spans.

Input: a :class:`cruxmap.graph.schema.Thread`. Output: a tuple of :class:`cruxmap.graph.schema.Claim`,
each with ``text == item.text[start:end]``.

Sentences come from nupunkt (Punkt with a trained English model: abbreviations,
decimals, URLs, quotes and ``...`` do not break sentences), run per block: a
paragraph, a list item or a quoted line, since forum text carries structure in
line breaks that a sentence splitter alone would glue together.

What is dropped, because it is not a claim: greetings and thanks, sign-offs and
signatures, bare short questions, link-only lines, headings of one or two words,
markup furniture (``(read more)``, ``Epistemic status:`` labels alone) and quoted
text (``> X``), which belongs to the author being quoted and is used for targeting.

Examples
--------
>>> from cruxmap.graph.schema import Thread, Post
>>> t = Thread("x", posts=(Post(id="p", text="Hi all! Dr. Smith says 3.2 is wrong. Thanks!"),))
>>> [c.text for c in split_claims(t)]
['Dr. Smith says 3.2 is wrong.']
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterator

from cruxmap.graph.schema import Claim, Comment, Post, Thread, claim_id

_BLOCK = re.compile(r"[^\n]+(?:\n(?!\s*\n)(?!\s*(?:[-*+•]|\d+[.)])\s)(?!\s*>)[^\n]+)*")
_LIST_MARK = re.compile(r"^\s*(?:[-*+•]|\d+[.)]|\(\d+\)|[a-z][.)])\s+")
_QUOTE_LINE = re.compile(r"^\s*>")
_URL_ONLY = re.compile(r"^\W*(?:https?://\S+|www\.\S+|\[[^\]]*\]\([^)]*\))\W*$")
_GREETING = re.compile(
    r"^(?:hi|hello|hey|dear|thanks|thank you|thx|cheers|best|regards|kind regards|greetings|"
    r"welcome|congrats|congratulations|good luck|great post|nice post|great|nice|wow|lol|haha|"
    r"hmm+|interesting|edit|update|tl;dr|epistemic status|read more)\b", re.I)
# A greeting stops being one when it carries an argument ("Thanks, but that is wrong").
_ARGUES = re.compile(r"\b(?:but|however|though|although|because|since|that|is|are|was|were|"
                     r"isn't|aren't|not|don't|doesn't|would|should|will|can't|cannot)\b", re.I)
# How sure the author is, not what they claim: never the target of an attack.
_META = re.compile(r"^\W*(?:epistemic (?:status|effort)|confidence level|content warning|cross-?posted)\b", re.I)
_FURNITURE = re.compile(r"^\(?read more\)?\.?$|^\[?-\]?$|^—+$|^\*+$", re.I)
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9'’-]*")
# "cruxes: 1. A. 2. B." written on one line: the numbers are list marks, not sentences.
_INLINE_LIST = re.compile(r"(?:^|\s)1[.)]\s+\S.*?\s2[.)]\s+\S", re.S)
_ENDS_WITH_MARK = re.compile(r"(?:^|\s)\(?\d{1,2}[.)]$")


@lru_cache(maxsize=1)
def _splitter():
    import nupunkt  # imported lazily: loading the model takes a moment

    return nupunkt.sent_spans


def blocks(text: str) -> Iterator[tuple[int, int]]:
    """Spans of paragraphs, list items and lines, in order.

    >>> t = "One. Two.\\n\\n- a point\\n- another"
    >>> [t[s:e] for s, e in blocks(t)]
    ['One. Two.', '- a point', '- another']
    """
    for m in _BLOCK.finditer(text):
        start, chunk = m.start(), m.group(0)
        # a block whose lines are list items or quotes splits into one block per line
        lines = chunk.split("\n")
        if len(lines) > 1 and any(_LIST_MARK.match(x) or _QUOTE_LINE.match(x) for x in lines[1:]):
            pos = start
            for line in lines:
                yield pos, pos + len(line)
                pos += len(line) + 1
        else:
            yield start, m.end()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text``, trimmed of surrounding whitespace and list markers.

    >>> t = "See https://a.org/x.y for more... It is 3.2 not 2.3. Dr. Lee agrees."
    >>> [t[s:e] for s, e in sentence_spans(t)]
    ['See https://a.org/x.y for more...', 'It is 3.2 not 2.3.', 'Dr. Lee agrees.']
    """
    spans: list[tuple[int, int]] = []
    split = _splitter()
    for bs, be in blocks(text):
        block = text[bs:be]
        mark = _LIST_MARK.match(block)
        offset = mark.end() if mark else 0
        pieces = split(block[offset:])
        if _INLINE_LIST.search(block):
            pieces = _join_inline_list(block[offset:], pieces)
        for s, e in pieces:
            s, e = s + offset + bs, e + offset + bs
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            if e > s:
                spans.append((s, e))
    return spans


def _join_inline_list(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Keep an inline numbered list in one span: a sentence that ends in a list mark ("...: 1.")
    or is one ("2.") is joined with the item that follows it.

    >>> t = "Cruxes: 1. Speed. 2. Cost. I doubt both."
    >>> [t[s:e] for s, e in _join_inline_list(t, [(0, 10), (11, 17), (18, 20), (21, 26), (27, 40)])]
    ['Cruxes: 1. Speed. 2. Cost.', 'I doubt both.']
    """
    out: list[tuple[int, int]] = []
    for s, e in spans:
        piece = text[s:e].strip()
        if out and (_ENDS_WITH_MARK.search(text[out[-1][0]:out[-1][1]].strip())
                    or _ENDS_WITH_MARK.fullmatch(" " + piece)):
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def claim_kind(sentence: str) -> str | None:
    """``"claim"``, ``"question"``, ``"quote"``, or None when the sentence is not a claim.

    >>> claim_kind("Thanks so much!"), claim_kind("Why?"), claim_kind("Scaling alone will not get us there.")
    (None, None, 'claim')
    """
    s = sentence.strip()
    if _QUOTE_LINE.match(s):
        return "quote"
    words = _WORD.findall(s)
    if not words or _URL_ONLY.match(s) or _FURNITURE.match(s) or _META.match(s):
        return None
    if _GREETING.match(s) and len(words) <= 8 and not _ARGUES.search(s):
        return None
    if s.endswith("?"):
        # A short bare question asks; a long one usually argues ("Isn't it the case that ...?")
        return "question" if len(words) >= 7 else None
    if len(words) <= 2 and not s.endswith((".", "!")):
        return None  # a heading or a label, not a proposition
    if s.startswith(("—", "--", "- ")) and len(words) <= 4:
        return None  # a signature such as "— Jane"
    return "claim"


def _mostly_quoted(s: int, e: int, quoted: list[tuple[int, int]]) -> bool:
    """Whether sentence ``[s, e)`` starts inside a quote, or is mostly one (``You write: "X"``,
    ``"X"`` with its quotation marks)."""
    if any(qs <= s < qe for qs, qe in quoted):
        return True
    inside = sum(max(0, min(e, qe) - max(s, qs)) for qs, qe in quoted)
    return inside >= 0.6 * (e - s)


def split_item(item: Post | Comment) -> list[Claim]:
    """The claims of one post or comment, in text order (quoted lines excluded)."""
    out = []
    quoted = [(q.start, q.end) for q in getattr(item, "quotes", ())]
    for s, e in sentence_spans(item.text):
        if _mostly_quoted(s, e, quoted):
            continue  # someone else's words: used for targeting, not claimed by this author
        kind = claim_kind(item.text[s:e])
        if kind in (None, "quote"):
            continue
        out.append(Claim(id=claim_id(item.id, s, e), source_id=item.id, start=s, end=e,
                         text=item.text[s:e], author_id=item.author_id, kind=kind))
    return out


def _squash(text: str) -> str:
    return " ".join(re.sub(r"(?m)^\s*>+\s?", "", text).split()).lower()


def source_quotes(item: Post | Comment, earlier: str) -> list[Claim]:
    """The sentences ``item`` quotes from a source outside the thread (a study, an article),
    as claims of ``kind="quote"`` of the quoter: whoever attacks the source disputes the one who
    posted it. A quote of an earlier item (``earlier``: their texts, squashed) is that item's,
    not a new claim."""
    out = []
    for q in getattr(item, "quotes", ()):
        key = _squash(q.text)[:60]
        if len(key.split()) < 4 or key in earlier:
            continue
        for s, e in sentence_spans(item.text[q.start:q.end]):
            s, e = s + q.start, e + q.start
            while s < e and item.text[s] in "> \t":
                s += 1
            if claim_kind(item.text[s:e]) == "claim":
                out.append(Claim(id=claim_id(item.id, s, e), source_id=item.id, start=s, end=e,
                                 text=item.text[s:e], author_id=item.author_id, kind="quote"))
    return out


def split_claims(thread: Thread) -> tuple[Claim, ...]:
    """Every claim of every post and comment of ``thread``, in source order, with the
    sentences each quotes from outside the thread (:func:`source_quotes`)."""
    out: list[Claim] = []
    earlier: list[str] = []
    for item in thread.items():
        own = split_item(item)
        if getattr(item, "quotes", ()):
            own = sorted(own + source_quotes(item, "\n".join(earlier)), key=lambda c: c.start)
        out += own
        earlier.append(_squash(item.text))
    return tuple(out)


def sentence_count(thread: Thread) -> int:
    """How many sentences the thread's items hold (the denominator of 'kept as claims')."""
    return sum(len(sentence_spans(item.text)) for item in thread.items())
