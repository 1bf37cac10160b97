"""CMV-modes v2.0 threads (brat ``N.txt`` + ``N.metadata``): a ChangeMyView post and its reply chain.

A thread is two files side by side (see ``shared/data/cmv-modes/SOURCE.md``):

* ``N.txt`` -- the title line, the OP's post, then the replies;
* ``N.metadata`` -- ``Title <start> <end>`` (a long title spans several ``Title``
  lines), ``Source <reddit url>`` and one
  ``Content <reddit id> <author> <start> <end>`` line per block, in thread order.
  Offsets are **UTF-8 byte** offsets into ``N.txt``.

The first ``Content`` block is the OP's post (titled by the ``Title`` span);
every later block is a comment replying to the block before it (these threads
are OP -> reply chains). Authors come from the metadata, never from the text.

Because the authors and spans live in the sidecar, this loader cannot work from
the ``.txt`` text alone: :func:`sniff` is always False (auto-detection never picks
it), :func:`read_cmv` (registered as the module's ``read``) reads both files, and
``cruxmap ingest path/to/N.txt --format cmv`` uses it. :func:`parse` takes the
metadata text as an argument, so it stays pure.

Block texts are stripped and HTML entities decoded (the corpus keeps Reddit's
``&gt;`` quote markers and ``&#8710;`` deltas), so ``>`` quotes are recorded.
Ids are ``cmv:t3_<id>`` for the post and ``cmv:t1_<id>`` for replies (the Reddit
ids, so the same OP post in two files is one post); authors are
``author_id(name, "reddit")``.

Examples
--------
>>> txt = "CMV: Tea beats coffee.\\n\\nTea is calmer.\\n\\n\\nCoffee is faster."
>>> meta = ("Title 0 23\\nSource http://www.reddit.com/r/changemyview/comments/x1/t/\\n"
...         "Content x1 ann 22 38\\nContent c9 bob 38 58\\n")
>>> t = parse(txt, "1.txt", metadata=meta)
>>> t.posts[0].title, t.posts[0].text, t.comments[0].text, t.comments[0].parent_id
('CMV: Tea beats coffee.', 'Tea is calmer.', 'Coffee is faster.', 'cmv:t3_x1')
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import Author, Comment, Post, Thread, author_id
from cruxmap.loaders._text import quote_spans

__all__ = ["parse", "sniff", "read", "read_cmv", "parse_metadata"]

SITE = "reddit"  # the authors are Reddit users
PREFIX = "cmv"
_DELETED = frozenset({"[deleted]", "[removed]"})


@dataclass(frozen=True)
class Block:
    """One ``Content`` line: who wrote which byte span."""

    reddit_id: str
    author: str
    start: int
    end: int
    line: int


@dataclass(frozen=True)
class Metadata:
    title: tuple[int, int] | None
    url: str
    blocks: tuple[Block, ...]


def sniff(text: str) -> bool:
    """Always False: a cmv thread needs its ``.metadata`` sidecar; pass ``--format cmv``."""
    return False


def parse(text: str, source: str = "<text>", metadata: str | None = None) -> Thread:
    """Parse a cmv-modes thread from its ``.txt`` text and its ``.metadata`` text.

    Parameters
    ----------
    text : str
        The content of ``N.txt``.
    source : str
        Where it came from (the ``.txt`` path); used in items and errors.
    metadata : str
        The content of ``N.metadata``. Required: without it the authors and
        the boundaries between posts are unknown.

    Raises
    ------
    MalformedInput
        No metadata, a malformed metadata line, or spans outside the text.

    See Also
    --------
    read_cmv : reads ``N.txt`` and the ``N.metadata`` beside it.
    """
    if metadata is None:
        raise MalformedInput(source, "a cmv-modes thread needs its .metadata sidecar (authors "
                                     "and spans): read the .txt path with --format cmv")
    meta = parse_metadata(metadata, _sidecar_name(source))
    data = text.encode("utf-8")
    for b in meta.blocks:
        if not 0 <= b.start <= b.end <= len(data):
            raise MalformedInput(_sidecar_name(source), f"span {b.start}-{b.end} is outside the "
                                 f"text ({len(data)} bytes)", line=b.line)
    authors: dict[str, Author] = {}
    first, replies = meta.blocks[0], meta.blocks[1:]
    title = " ".join(_slice(data, *meta.title, source).split()) if meta.title else ""
    # The OP's text runs from the end of the title (should a file leave a gap between
    # the title and the first block, that gap is still the OP's text).
    op_start = min(first.start, meta.title[1]) if meta.title else first.start
    post = _post(first, _slice(data, op_start, first.end, source), title, meta.url,
                 source, authors)
    comments, parent = [], post.id
    for block in replies:
        comment = _comment(block, _slice(data, block.start, block.end, source), post.id,
                           parent, meta.url, source, authors)
        comments.append(comment)
        parent = comment.id
    return Thread(source=source, posts=(post,), comments=tuple(comments),
                  authors=tuple(authors.values()))


def read_cmv(path: str | Path) -> Thread:
    """Read a cmv-modes thread: ``N.txt`` and the ``N.metadata`` beside it.

    ``path`` may name any of the thread's files (``.txt``, ``.metadata``, ``.ann``).

    Raises
    ------
    MalformedInput
        A missing, empty, binary or non-UTF-8 file, or a malformed thread.
    """
    from cruxmap.loaders import read_text  # the package's checks for missing/empty/binary files

    base = Path(path)
    txt, meta = base.with_suffix(".txt"), base.with_suffix(".metadata")
    if not meta.exists() and txt.exists():
        raise MalformedInput(str(txt), f"no {meta.name} beside it: a cmv-modes thread needs "
                                       "its .metadata sidecar")
    return parse(read_text(txt), source=str(txt), metadata=read_text(meta))


#: The loader registry's file hook (``cruxmap.loaders.read`` uses it for ``--format cmv``).
read = read_cmv


def parse_metadata(text: str, source: str = "<metadata>") -> Metadata:
    """Parse the ``.metadata`` sidecar (``Title``, ``Source``, ``Content`` lines).

    Examples
    --------
    >>> m = parse_metadata("Title 0 10 \\nSource http://x/ \\nContent a1 some_user 9 40 \\nDelta Yes")
    >>> m.title, m.url, m.blocks[0].author, (m.blocks[0].start, m.blocks[0].end)
    ((0, 10), 'http://x/', 'some_user', (9, 40))
    """
    title: tuple[int, int] | None = None
    url = ""
    blocks: list[Block] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        try:
            if parts[0] == "Title" and len(parts) == 3:
                # a long title is split over several Title lines: keep their union
                start, end = int(parts[1]), int(parts[2])
                title = (min(start, title[0]), max(end, title[1])) if title else (start, end)
            elif parts[0] == "Source" and len(parts) >= 2:
                url = parts[1]
            elif parts[0] == "Content":
                if len(parts) < 5:
                    raise ValueError
                blocks.append(Block(parts[1], " ".join(parts[2:-2]), int(parts[-2]),
                                    int(parts[-1]), number))
        except ValueError:
            raise MalformedInput(source, f"bad {parts[0]} line, expected "
                                         f"'Content <id> <author> <start> <end>' or "
                                         f"'Title <start> <end>'", line=number) from None
    if not blocks:
        raise MalformedInput(source, "no Content lines: not a cmv-modes .metadata file")
    return Metadata(title, url, tuple(blocks))


# --- helpers -------------------------------------------------------------------------------
def _sidecar_name(source: str) -> str:
    return str(Path(source).with_suffix(".metadata")) if source.endswith(".txt") else source


def _slice(data: bytes, start: int, end: int, source: str) -> str:
    try:
        # The corpus keeps Reddit's escapes (&gt; quotes, &#8710; deltas): decode them.
        return html.unescape(data[start:end].decode("utf-8")).strip()
    except UnicodeDecodeError:
        raise MalformedInput(source, f"span {start}-{end} cuts a UTF-8 character: the "
                                     "metadata offsets do not fit this text") from None


def _author(name: str, authors: dict[str, Author]) -> str | None:
    if not name or name in _DELETED:
        return None
    aid = author_id(name, SITE)
    authors.setdefault(aid, Author(aid, name))
    return aid


def _post(block: Block, text: str, title: str, url: str, source: str,
          authors: dict[str, Author]) -> Post:
    return Post(id=f"{PREFIX}:t3_{block.reddit_id}", text=text, title=title,
                author_id=_author(block.author, authors), url=url, source=source,
                quotes=quote_spans(text))


def _comment(block: Block, text: str, post_id: str, parent_id: str, url: str, source: str,
             authors: dict[str, Author]) -> Comment:
    return Comment(id=f"{PREFIX}:t1_{block.reddit_id}", text=text, post_id=post_id,
                   parent_id=parent_id, author_id=_author(block.author, authors),
                   url=f"{url.rstrip('/')}/{block.reddit_id}" if url else "", source=source,
                   quotes=quote_spans(text))
