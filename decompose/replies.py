"""Stage 0: recover who answers whom where a pasted page lost the reply tree.

Needs: ``m.thread`` (comments, their ``nesting`` and authors' display names).
Produces: ``m.thread`` with each recovered comment's ``parent_id`` set to the item it answers
and ``nesting="addressed"``. Other comments are left as they are.

A page copied as text shows comments in page order without their nesting, so the loader
records ``nesting="unknown"`` with the post as parent (see :mod:`loaders.forum_text`). Some
comments say whom they answer: they open by naming an earlier author ("Fergus, I think that
is too strong.", "@ellie.m: ..."). Such a comment answers that author's latest earlier item
under the same post. The full display name or its first word counts, the first word only when
no other earlier author shares it. A word that merely opens the comment ("However, ...") is no
author's name, so it never matches. Everything else stays unknown: nothing is guessed from
position alone.

Examples
--------
>>> from graph.schema import Author, Comment, CruxMap, Post, Thread
>>> t = Thread("t", posts=(Post(id="p", text="Steering works.", author_id="a"),),
...     comments=(Comment(id="c1", text="It does not generalise.", post_id="p", parent_id="p",
...                       author_id="f", nesting="unknown"),
...               Comment(id="c2", text="Fergus, that is too strong.", post_id="p", parent_id="p",
...                       author_id="l", nesting="unknown")),
...     authors=(Author("a", "Nadia Petrov"), Author("f", "Fergus O'Malley"), Author("l", "Lin_Yue")))
>>> c2 = recover_replies(CruxMap(thread=t)).thread.comments[1]
>>> c2.parent_id, c2.nesting
('c1', 'addressed')
"""

from __future__ import annotations

import re
from dataclasses import replace

from graph.schema import Comment, CruxMap, Post, Thread

#: An opening address: one to four name-like words (or an @handle) followed by a comma,
#: colon or dash.
_ADDRESS = re.compile(r"^\s*@?([^\W\d_][\w.'’-]*(?: [^\W\d_][\w.'’-]*){0,3})(?:\s*[,:—]|\s+-\s)")


def addressee(text: str, candidates: dict[str, str]) -> str | None:
    """The author id among ``candidates`` (``{author id: display name}``) whom ``text`` opens
    by addressing, or None.

    >>> addressee("Fergus, I disagree.", {"f": "Fergus O'Malley", "n": "Nadia Petrov"})
    'f'
    >>> addressee("However, I disagree.", {"f": "Fergus O'Malley"}) is None
    True
    """
    m = _ADDRESS.match(text)
    if not m:
        return None
    words = m.group(1).split()
    for k in range(len(words), 0, -1):
        said = " ".join(words[:k]).casefold().rstrip(".")
        full = [a for a, name in candidates.items() if name.casefold() == said]
        first = [a for a, name in candidates.items() if name.split()[0].casefold() == said] if len(said) >= 3 else []
        for found in (full, first):
            if len(found) == 1:
                return found[0]
    return None


def recover_thread(thread: Thread) -> Thread:
    """``thread`` with comments of unknown nesting that address an earlier author re-parented."""
    names = {a.id: a.name for a in thread.authors if a.name}
    latest: dict[tuple[str | None, str], str] = {}  # (post id, author id) -> latest item id so far
    comments = []
    for item in thread.items():
        post = item.id if isinstance(item, Post) else item.post_id
        if isinstance(item, Comment) and item.nesting == "unknown":
            earlier = {a: names[a] for (p, a) in latest if p == post and a != item.author_id and a in names}
            found = addressee(item.text, earlier)
            if found is not None:
                item = replace(item, parent_id=latest[(post, found)], nesting="addressed")
        if isinstance(item, Comment):
            comments.append(item)
        if item.author_id:
            latest[(post, item.author_id)] = item.id
    return replace(thread, comments=tuple(comments))


def recover_replies(m: CruxMap) -> CruxMap:
    """The stage: ``m`` with its thread's recoverable replies re-parented."""
    if not any(c.nesting == "unknown" for c in m.thread.comments):
        return m
    return replace(m, thread=recover_thread(m.thread))
