"""Reddit thread JSON (what ``<thread url>.json`` returns): the post and its nested comment tree.

The document is a list of two ``Listing`` objects: the first holds the ``t3``
post, the second the ``t1`` comments, each with its replies nested under
``replies`` (an empty string when there are none). A single ``Listing`` (a
subreddit page of posts, or comments alone) is accepted too.

What is kept
------------
* Ids are ``reddit:<fullname>`` (``reddit:t3_abc``, ``reddit:t1_def``); a comment's
  ``parent_id`` is ``reddit:`` + Reddit's own ``parent_id``, its ``post_id``
  ``reddit:`` + ``link_id``.
* Authors are ``author_id(name, "reddit")``; ``[deleted]`` authors are unknown (None).
* Comments whose body is ``[deleted]`` or ``[removed]`` are dropped and their
  replies re-attached to the nearest kept ancestor with ``nesting="deleted"`` (the author they
  answered is unknown, not the ancestor's); ``kind: "more"`` stubs
  (comments Reddit did not send) are skipped.
* Bodies are Reddit markdown with ``&amp;``/``&lt;``/``&gt;`` escaped: they are
  unescaped, links keep their text, and ``>`` quote lines become
  :class:`~cruxmap.graph.schema.Quote` spans.
* ``created_utc`` becomes ISO 8601 (UTC); a post that links elsewhere is a ``linkpost``.

Examples
--------
>>> doc = '''[{"kind": "Listing", "data": {"children": [{"kind": "t3", "data":
...   {"name": "t3_a", "id": "a", "title": "T", "selftext": "Body.", "author": "ann",
...    "permalink": "/r/x/comments/a/t/", "created_utc": 0, "score": 5}}]}},
...  {"kind": "Listing", "data": {"children": [{"kind": "t1", "data":
...   {"name": "t1_b", "id": "b", "parent_id": "t3_a", "link_id": "t3_a", "author": "[deleted]",
...    "body": "&gt; Body.\\\\n\\\\nNo.", "created_utc": 60, "score": 2, "replies": ""}}]}}]'''
>>> t = parse(doc)
>>> t.posts[0].id, t.comments[0].parent_id, t.comments[0].author_id, t.comments[0].text
('reddit:t3_a', 'reddit:t3_a', None, '> Body.\\n\\nNo.')
"""

from __future__ import annotations

import html
import re
from typing import Any, Iterator

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import Author, Comment, Post, Thread, author_id
from cruxmap.loaders._text import as_int, describe, iso_from_epoch, load_json, markdown_to_text, quote_spans

__all__ = ["parse", "sniff"]

SITE = "reddit"
BASE_URL = "https://www.reddit.com"
EXPECTED = "Reddit thread JSON (a list of two Listings: the t3 post, then the t1 comments)"
_REMOVED_BODIES = frozenset({"[deleted]", "[removed]"})
_JSON_START = re.compile(r"\A[\s\ufeff]*[\[{]")
_KIND = re.compile(r'"kind"\s*:\s*"(?:Listing|t1|t3)"')


def sniff(text: str) -> bool:
    """JSON whose first bytes hold a Reddit ``Listing``/``t1``/``t3`` object."""
    head = text[:4096]
    return bool(_JSON_START.match(head) and _KIND.search(head))


def parse(text: str, source: str = "<text>") -> Thread:
    """Parse a Reddit thread's JSON into a :class:`~cruxmap.graph.schema.Thread`.

    Parameters
    ----------
    text : str
        The JSON a Reddit thread URL returns with ``.json`` appended.
    source : str
        Where it came from; recorded on every item and used in errors.

    Returns
    -------
    Thread
        The post(s), then the comments in depth-first (reading) order, and their authors.

    Raises
    ------
    MalformedInput
        Invalid or truncated JSON, or JSON that is not Reddit Listings.
    """
    doc = load_json(text, source, EXPECTED)
    listings = doc if isinstance(doc, list) else [doc]
    if not listings or not all(_is_listing(x) for x in listings):
        raise MalformedInput(source, f"got {describe(doc)}; expected {EXPECTED}")
    authors: dict[str, Author] = {}
    posts: list[Post] = []
    comments: list[Comment] = []
    for listing in listings:
        for kind, data in _children(listing, source):
            if kind == "t3":
                posts.append(_post(data, source, authors))
            elif kind == "t1":
                comments.extend(_comment_tree(data, None, source, authors))
    if not posts and not comments:
        raise MalformedInput(source, f"the Listings hold no posts or comments; expected {EXPECTED}")
    return Thread(source=source, posts=tuple(posts), comments=tuple(comments),
                  authors=tuple(authors.values()))


def _is_listing(value: Any) -> bool:
    return isinstance(value, dict) and value.get("kind") == "Listing" and \
        isinstance(value.get("data"), dict)


def _children(listing: dict, source: str) -> Iterator[tuple[str, dict]]:
    children = listing["data"].get("children", [])
    if not isinstance(children, list):
        raise MalformedInput(source, f"a Listing's children is {describe(children)}, expected a list")
    for child in children:
        if not isinstance(child, dict) or not isinstance(child.get("data"), dict):
            raise MalformedInput(source, f"a Listing child is {describe(child)}, "
                                         f"expected {{\"kind\": ..., \"data\": {{...}}}}")
        yield str(child.get("kind")), child["data"]


def _fullname(data: dict, prefix: str, source: str) -> str:
    name = data.get("name")
    if isinstance(name, str) and name.startswith(prefix):
        return name
    rid = data.get("id")
    if isinstance(rid, str) and rid:
        return prefix + rid
    raise MalformedInput(source, f"a {prefix.rstrip('_')} object has no id or name")


def _author(data: dict, authors: dict[str, Author]) -> str | None:
    name = data.get("author")
    if not isinstance(name, str) or not name.strip() or name == "[deleted]":
        return None
    aid = author_id(name, SITE)
    authors.setdefault(aid, Author(aid, name))
    return aid


def _body(raw: Any) -> str:
    if not isinstance(raw, str):
        return ""
    # Reddit escapes &, < and > in markdown bodies; &#x200B; is its blank-line filler.
    return markdown_to_text(html.unescape(raw).replace("\u200b", ""))


def _when(data: dict) -> str:
    created = data.get("created_utc")
    if isinstance(created, (int, float)) and not isinstance(created, bool):
        try:
            return iso_from_epoch(created)
        except (OverflowError, OSError, ValueError):  # 1e20, NaN: a time no calendar holds
            return ""
    return ""


def _url(data: dict) -> str:
    permalink = data.get("permalink")
    if isinstance(permalink, str) and permalink:
        return permalink if permalink.startswith("http") else BASE_URL + permalink
    return ""


def _post(data: dict, source: str, authors: dict[str, Author]) -> Post:
    fullname = _fullname(data, "t3_", source)
    text = _body(data.get("selftext"))
    link = data.get("url") if isinstance(data.get("url"), str) else ""
    is_link = not data.get("is_self", not link) and bool(link) and "/comments/" not in link
    title = data.get("title")
    return Post(id=f"{SITE}:{fullname}", text=text,
                title=html.unescape(title).strip() if isinstance(title, str) else "",
                author_id=_author(data, authors), url=_url(data), posted_at=_when(data),
                score=as_int(data.get("score")), source=source,
                kind="linkpost" if is_link else "post", link=link if is_link else "",
                quotes=quote_spans(text))


def _comment_tree(data: dict, kept_parent: str | None, source: str,
                  authors: dict[str, Author], parent_deleted: bool = False) -> Iterator[Comment]:
    """This comment (unless removed) and its replies, depth first.

    ``kept_parent`` is the id replies should hang from when this comment's own
    parent was dropped (None: use Reddit's ``parent_id``); such a reply gets
    ``nesting="deleted"``: whom it answered is unknown. The walk keeps its own stack:
    a reply chain hundreds deep is an input, not a reason to run out of recursion.
    """
    stack: list[tuple[dict, str | None, bool]] = [(data, kept_parent, parent_deleted)]
    while stack:
        data, kept_parent, parent_deleted = stack.pop()
        fullname = _fullname(data, "t1_", source)
        parent = kept_parent or (f"{SITE}:{data['parent_id']}"
                                 if isinstance(data.get("parent_id"), str) else None)
        link = data.get("link_id")
        post_id = f"{SITE}:{link}" if isinstance(link, str) and link else None
        removed = isinstance(data.get("body"), str) and data["body"].strip() in _REMOVED_BODIES
        if removed:
            children_parent = parent
        else:
            text = _body(data.get("body"))
            yield Comment(id=f"{SITE}:{fullname}", text=text, post_id=post_id,
                          parent_id=parent or post_id, author_id=_author(data, authors),
                          url=_url(data), posted_at=_when(data), score=as_int(data.get("score")),
                          source=source, nesting="deleted" if parent_deleted else
                          "known" if (parent or post_id) else "unknown",
                          quotes=quote_spans(text))
            children_parent = None
        replies = data.get("replies")
        if _is_listing(replies):
            # "more" stubs are comments Reddit did not send: skip them; reversed, so the
            # first reply is read first
            stack.extend((child, children_parent, removed)
                         for kind, child in reversed(list(_children(replies, source))) if kind == "t1")
