"""LessWrong / EA Forum / Alignment Forum GraphQL JSON (ForumMagnum): posts, comment trees, votes and reacts.

Accepted shapes (what the forums' ``/graphql`` endpoint returns, and what
:func:`cruxmap.loaders.fetch.save_fetch` writes):

* ``{"data": {"post": {"result": {...}}}}`` -- one post;
* ``{"data": {"posts": {"results": [...]}}}`` -- several posts;
* ``{"data": {"comments": {"results": [...]}}}`` -- comments;
* ``{"data": {"post": {"result": ...}, "comments": {"results": [...]}}}`` or
  ``{"post": {...}, "comments": [...]}`` -- a post with its comments;
* a bare list of posts and/or comments, or a single post or comment object;
* posts and comments one JSON object per line (JSON Lines, as scrapers save them).

Items are told apart by their fields: a comment has ``postId`` /
``parentCommentId`` / ``topLevelCommentId``, a post has a ``title``.

What is kept
------------
* Only a response's ``data`` is read: ``extensions`` and the notes that
  :mod:`cruxmap.loaders.fetch` saves beside it are passed over, and ``errors`` beside
  data (a partial answer) do not stop the file; ``errors`` without data do.
* Ids are ``<site>:post:<_id>`` and ``<site>:comment:<_id>``, where the site
  prefix (``lw``, ``ea``, ``af``) comes from the first ``pageUrl`` in the file
  (``lw`` when there is none). Authors are keyed by the stable user id
  (``author:<site>:user:<userId>``) with the display name as ``name``; without a
  user id, by display name (``author_id(displayName, site)``).
* The reply tree is rebuilt from ``parentCommentId`` (or ``parentAnswerId``): a
  comment's ``parent_id`` is its parent comment, or the post for top-level comments.
  A reply whose parent the API hides (deleted by a moderator) attaches to the post
  with ``nesting="parent-hidden"``. Deleted comments are dropped and their replies
  re-attached to the nearest kept ancestor, unless the deletion is public
  (``deletedPublic``: kept, without text, ``deleted_public=True``); retracted comments
  are kept with ``retracted=True``. In a comments-only file (no post), top-level
  comments have no parent, so the file ingests on its own.
* ``baseScore`` -> ``score``; ``extendedScore.agreement`` -> ``agreement``;
  ``agreementVoteCount`` -> ``agreement_votes``; ``answer``, ``af`` kept; a
  ``question`` post has kind ``question``; ``extendedScore.reacts`` -> ``reacts`` as
  ``(name, count)`` pairs sorted by name, counted as the site shows them (each user's
  ``created`` or ``seconded`` adds one, ``disagreed`` takes one away; plain integer
  counts are accepted too), and the spans inline reacts quote -> ``react_quotes``.
* Text: ``contents.markdown`` when present (kept nearly verbatim, see
  :func:`cruxmap.loaders._text.markdown_to_text`), else ``contents.html`` / ``htmlBody``
  turned into text with paragraph breaks, list items and ``> `` block quotes.
  Every run of ``>`` lines is recorded as a :class:`~cruxmap.graph.schema.Quote`.

Examples
--------
>>> doc = '''{"data": {"post": {"result": {"_id": "p1", "title": "T",
...   "pageUrl": "https://www.lesswrong.com/posts/p1/t", "user": {"displayName": "Ada"},
...   "contents": {"html": "<p>Claim.</p>"}}},
...   "comments": {"results": [{"_id": "c1", "postId": "p1", "parentCommentId": null,
...   "user": {"displayName": "Bo"}, "contents": {"markdown": "> Claim.\\\\n\\\\nNo."},
...   "extendedScore": {"agreement": -3, "reacts": {"crux": [{"userId": "u"}]}}}]}}}'''
>>> t = parse(doc)
>>> t.posts[0].id, t.comments[0].parent_id, t.comments[0].reacts, t.comments[0].agreement
('lw:post:p1', 'lw:post:p1', (('crux', 1),), -3)
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterator
from urllib.parse import urlsplit

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import Author, Comment, Post, Thread, author_id
from cruxmap.loaders._text import (as_int, describe, html_to_text, load_json, markdown_to_text,
                           quote_spans)

__all__ = ["parse", "sniff", "site_prefix", "SITE_HOSTS"]

#: Host suffix -> id prefix.
SITE_HOSTS = {
    "lesswrong.com": "lw",
    "greaterwrong.com": "lw",
    "ea.greaterwrong.com": "ea",
    "effectivealtruism.org": "ea",
    "alignmentforum.org": "af",
}
_BASE_URLS = {
    "lw": "https://www.lesswrong.com",
    "ea": "https://forum.effectivealtruism.org",
    "af": "https://www.alignmentforum.org",
}
EXPECTED = ('ForumMagnum GraphQL JSON ({"data": {"post": {"result": ...}}}, '
            '{"data": {"comments": {"results": [...]}}}, {"post": ..., "comments": [...]} '
            'or a list of posts/comments)')
_COMMENT_KEYS = ("postId", "parentCommentId", "topLevelCommentId")
_MAX_DEPTH = 6  # how deep to look for items below the top level ({"data": {"x": {"results": ...}}})

_JSON_START = re.compile(r"\A[\s\ufeff]*[\[{]")
_ENVELOPE = re.compile(r'\A[\s\ufeff]*\{\s*"(?:data|errors|post|posts|comments)"\s*:')
_REDDIT_KIND = re.compile(r'"kind"\s*:\s*"(?:Listing|t1|t3|more)"')
_FORUM_KEYS = ('"postedAt"', '"baseScore"', '"pageUrl"', '"parentCommentId"', '"htmlBody"',
               '"topLevelCommentId"')


def sniff(text: str) -> bool:
    """ForumMagnum JSON: a GraphQL envelope, or objects with ``_id`` and forum fields."""
    head = text[:4096]
    if not _JSON_START.match(head) or _REDDIT_KIND.search(head):
        return False
    if _ENVELOPE.match(head):
        return True
    return '"_id"' in head and any(key in head for key in _FORUM_KEYS)


def parse(text: str, source: str = "<text>") -> Thread:
    """Parse ForumMagnum GraphQL JSON into a :class:`~cruxmap.graph.schema.Thread`.

    Parameters
    ----------
    text : str
        The JSON document (see the module docstring for accepted shapes).
    source : str
        Where it came from (a path or URL); recorded on every item and used in errors.

    Returns
    -------
    Thread
        Posts and comments in file order (duplicates dropped), and their authors.

    Raises
    ------
    MalformedInput
        Invalid or truncated JSON, a GraphQL ``errors`` answer (with the server's
        message), or JSON that holds no posts or comments.

    See Also
    --------
    cruxmap.loaders.fetch.save_fetch : fetches a post with its comments into this format.
    """
    doc = _load(text, source)
    posts, comments = _collect(doc, source)
    site = _site_of(posts + comments)
    authors: dict[str, Author] = {}
    post_items = tuple(_post(p, site, source, authors) for p in posts)
    comment_items = _comments(comments, site, source, authors, {p["_id"] for p in posts})
    return Thread(source=source, posts=post_items, comments=comment_items,
                  authors=tuple(authors.values()))


def site_prefix(url: str) -> str | None:
    """The id prefix (``lw``, ``ea``, ``af``) for a forum URL, or None for other hosts.

    Examples
    --------
    >>> site_prefix("https://forum.effectivealtruism.org/posts/abc/x")
    'ea'
    """
    host = (urlsplit(url).hostname or "").lower()
    matches = [suffix for suffix in SITE_HOSTS if host == suffix or host.endswith("." + suffix)]
    return SITE_HOSTS[max(matches, key=len)] if matches else None  # the most specific host wins


# --- finding the items ------------------------------------------------------------
def _load(text: str, source: str) -> Any:
    """One JSON document, or ForumMagnum objects one per line (as scrapers save them)."""
    try:
        return load_json(text, source, EXPECTED)
    except MalformedInput as e:
        lines = [line for line in text.split("\n") if line.strip()]
        if "Extra data" not in e.reason or len(lines) < 2:
            raise
    items = []
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            try:
                items.append(json.loads(line))
            except ValueError:
                raise MalformedInput(source, "invalid JSON on this line; expected one "
                                             "ForumMagnum object per line", line=number) from None
    return items


def _collect(doc: Any, source: str) -> tuple[list[dict], list[dict]]:
    if isinstance(doc, dict) and ("data" in doc or "errors" in doc):
        # A GraphQL response: only "data" holds items; "extensions" (tracing, cost) and our
        # own "cruxmap" notes are read past, and "errors" beside data mean a partial answer.
        data = doc.get("data")
        if doc.get("errors") and not (isinstance(data, dict) and any(data.values())):
            raise MalformedInput(source, "the GraphQL server answered with an error: "
                                         + _error_message(doc["errors"]))
        doc = data if isinstance(data, (dict, list)) else {}
    posts: dict[str, dict] = {}
    comments: dict[str, dict] = {}
    for item in _items(doc, source, 0):
        if any(key in item for key in _COMMENT_KEYS):
            comments.setdefault(item["_id"], item)
        elif "title" in item:
            posts.setdefault(item["_id"], item)
    if not posts and not comments:
        raise MalformedInput(source, f"no posts or comments found in {describe(doc)}; "
                                     f"expected {EXPECTED}")
    return list(posts.values()), list(comments.values())


def _items(node: Any, source: str, depth: int) -> Iterator[dict]:
    """Every post or comment object in ``node``, in document order."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for i, element in enumerate(node):
            if not isinstance(element, (dict, list)):
                raise MalformedInput(source, f"item {i} is {describe(element)}, "
                                             f"expected a post or comment object")
            yield from _items(element, source, depth + 1)
    elif isinstance(node, dict):
        if "_id" in node:
            if not isinstance(node["_id"], str) or not node["_id"]:
                raise MalformedInput(source, f"an item has _id {node['_id']!r}, expected a string")
            yield node
            return
        for value in node.values():  # envelopes: data, post/result, comments/results, aliases
            if isinstance(value, (dict, list)):
                yield from _items(value, source, depth + 1)


def _error_message(errors: Any) -> str:
    if isinstance(errors, list) and errors:
        first = errors[0]
        msg = first.get("message") if isinstance(first, dict) else str(first)
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return " ".join(str(msg).split()) + more
    return " ".join(str(errors).split())


def _site_of(items: list[dict]) -> str:
    for item in items:
        url = item.get("pageUrl")
        if isinstance(url, str) and site_prefix(url):
            return site_prefix(url)  # type: ignore[return-value]
    return "lw"


# --- building records -------------------------------------------------------------
def _text_of(item: dict) -> str:
    contents = item.get("contents") if isinstance(item.get("contents"), dict) else {}
    markdown = contents.get("markdown")
    if isinstance(markdown, str) and markdown.strip():
        return markdown_to_text(markdown)
    for html in (contents.get("html"), item.get("htmlBody")):
        if isinstance(html, str) and html.strip():
            return html_to_text(html)
    plain = contents.get("plaintextMainText") or contents.get("plaintextDescription")
    return plain.strip() if isinstance(plain, str) else ""


def _name_of(user: Any) -> str | None:
    if isinstance(user, dict):
        name = user.get("displayName") or user.get("username")
        return name.strip() if isinstance(name, str) and name.strip() else None
    return user.strip() if isinstance(user, str) and user.strip() else None


def _author(item: dict, site: str, authors: dict[str, Author]) -> str | None:
    user = item.get("user")
    name = _name_of(user) or _name_of(item.get("author"))
    uid = user.get("_id") if isinstance(user, dict) else None
    return _register(name, site, authors, uid if isinstance(uid, str) and uid else
                     _str(item, "userId") or None)


def _register(name: str | None, site: str, authors: dict[str, Author],
              user_id: str | None = None) -> str | None:
    """Authors are keyed by the forum's stable user id when the file has it (display names
    change), else by display name; the display name is the author's ``name``."""
    if not name or name in ("[deleted]", "[anonymous]"):
        return None  # unknown authors are never invented
    aid = f"author:{site}:user:{user_id}" if user_id else author_id(name, site)
    authors.setdefault(aid, Author(aid, name))
    return aid


def _str(item: dict, key: str) -> str:
    value = item.get(key)
    return value if isinstance(value, str) else ""


def _post(item: dict, site: str, source: str, authors: dict[str, Author]) -> Post:
    pid = item["_id"]
    url = _str(item, "pageUrl")
    if not url:
        slug = _str(item, "slug")
        url = f"{_BASE_URLS[site]}/posts/{pid}" + (f"/{slug}" if slug else "")
    link = _str(item, "url")
    kind = ("quick_take" if item.get("shortform") else "question" if item.get("question")
            else "linkpost" if link else "post")
    author = _author(item, site, authors)
    coauthors = item.get("coauthors") if isinstance(item.get("coauthors"), list) else []
    coauthor_ids = tuple(a for a in (_register(_name_of(u), site, authors,
                                               u.get("_id") if isinstance(u, dict) else None)
                                     for u in coauthors) if a)
    text = _text_of(item)
    return Post(id=f"{site}:post:{pid}", text=text, title=_str(item, "title").strip(),
                author_id=author, url=url, posted_at=_str(item, "postedAt"),
                score=as_int(item.get("baseScore")), vote_count=as_int(item.get("voteCount")),
                source=source, kind=kind,
                coauthor_ids=tuple(a for a in coauthor_ids if a != author), link=link,
                quotes=quote_spans(text))


def _parent_of(comment: dict) -> str | None:
    parent = comment.get("parentCommentId") or comment.get("parentAnswerId")
    return parent if isinstance(parent, str) and parent else None


def _comments(items: list[dict], site: str, source: str, authors: dict[str, Author],
              post_ids: set[str] = frozenset()) -> tuple[Comment, ...]:  # type: ignore[assignment]
    by_id = {c["_id"]: c for c in items}
    # A deleted comment the API still returns is kept only when its deletion is public.
    deleted = {cid for cid, c in by_id.items() if c.get("deleted") and not c.get("deletedPublic")}

    def kept_parent(comment: dict) -> tuple[str | None, bool]:
        """The nearest ancestor that is not deleted (replies to deleted comments move up),
        and whether an ancestor is missing from the file (the API hid it)."""
        parent, seen = _parent_of(comment), set()
        while parent in deleted and parent not in seen:
            seen.add(parent)
            parent = _parent_of(by_id[parent])
        if parent is None:
            return None, False
        return (parent, False) if parent in by_id else (None, True)

    out = []
    for c in items:
        if c["_id"] in deleted:
            continue
        parent, hidden = kept_parent(c)
        out.append(_comment(c, parent, site, source, authors, post_ids, hidden))
    return tuple(out)


def _comment(c: dict, parent: str | None, site: str, source: str,
             authors: dict[str, Author], post_ids: set[str] = frozenset(),  # type: ignore[assignment]
             hidden: bool = False) -> Comment:
    cid = c["_id"]
    post = _str(c, "postId")
    post_id = f"{site}:post:{post}" if post else None
    # A comments-only file: the post is not in it, so top-level comments answer nothing here.
    top = post_id if post in post_ids else None
    parent_id = f"{site}:comment:{parent}" if parent else top
    nesting = "parent-hidden" if hidden else "known" if parent_id or post_id else "unknown"
    url = _str(c, "pageUrl") or (f"{_BASE_URLS[site]}/posts/{post}?commentId={cid}" if post else "")
    score = c.get("extendedScore") if isinstance(c.get("extendedScore"), dict) else {}
    agreement = as_int(score.get("agreement"))
    if agreement is None and isinstance(c.get("afExtendedScore"), dict):
        agreement = as_int(c["afExtendedScore"].get("agreement"))
    text = "" if c.get("deleted") else _text_of(c)
    reacts, quoted = _reacts(score)
    return Comment(id=f"{site}:comment:{cid}", text=text, post_id=post_id, parent_id=parent_id,
                   author_id=_author(c, site, authors), url=url, posted_at=_str(c, "postedAt"),
                   score=as_int(c.get("baseScore")), agreement=agreement, source=source,
                   nesting=nesting, reacts=reacts, react_quotes=quoted,
                   retracted=bool(c.get("retracted")), quotes=quote_spans(text),
                   answer=bool(c.get("answer")), af=bool(c.get("af")),
                   deleted_public=bool(c.get("deleted") and c.get("deletedPublic")),
                   agreement_votes=as_int(score.get("agreementVoteCount")))


_REACT_WEIGHT = {"created": 1, "seconded": 1, "disagreed": -1}


def _reacts(score: dict) -> tuple[tuple[tuple[str, int], ...], tuple[tuple[str, str], ...]]:
    """React counts as the site shows them, and the quoted spans of inline reacts.

    ForumMagnum keeps one entry per user: ``created`` and ``seconded`` add one, ``disagreed``
    takes one away (the count beside the react icon). An inline react also quotes the span it
    marks (``quotes``); each ``(name, quote)`` is kept so the claim it marks can carry it.
    """
    reacts = score.get("reacts")
    if not isinstance(reacts, dict):
        return (), ()
    counts: dict[str, int] = {}
    quoted: dict[tuple[str, str], None] = {}
    for name, value in reacts.items():
        if isinstance(value, list):  # ForumMagnum: one entry per user who reacted
            n = 0
            for r in value:
                kind = r.get("reactType", "created") if isinstance(r, dict) else "created"
                n += _REACT_WEIGHT.get(kind, 0)
                quotes = r.get("quotes") if isinstance(r, dict) else None
                if kind != "disagreed" and isinstance(quotes, list):
                    quoted.update({(str(name), q.strip()): None for q in quotes
                                   if isinstance(q, str) and q.strip()})
        else:
            n = as_int(value) or 0
        if n > 0:
            counts[str(name)] = n
    return tuple(sorted(counts.items())), tuple(quoted)
