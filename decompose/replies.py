"""Stage 0: recover who answers whom where a pasted page lost the reply tree.

Needs: ``m.thread`` (comments, their ``nesting`` and authors' display names).
Produces: ``m.thread`` with each recovered comment's ``parent_id`` set to the item it answers
and ``nesting`` set to how that was found (``"addressed"`` or ``"quoted"``). Other comments
are left as they are.

A page copied as text shows comments in page order without their nesting, so the loader
records ``nesting="unknown"`` with the post as parent (see :mod:`cruxmap.loaders.forum_text`). Some
comments say what they answer, and then it is recovered:

1. *addressed*: the comment opens by naming an earlier author ("Fergus, I think that is too
   strong.", "@ellie.m: ..."): that author's latest earlier item under the same post. The
   full display name or its first word counts, the first word only when no other earlier
   author shares it. A word that merely opens the comment ("However, ...") is no author's
   name, so it never matches. Whom a comment speaks to decides, even when it also quotes
   someone else.
2. *quoted*: otherwise, a quote in the comment (``> X``, ``You write: "X"``) that appears
   word for word in exactly one earlier item of another author under the same post: that item.
3. *answered*: otherwise, a comment that opens with an answer ("Yes", "No", "Not yet", "Good
   question") directly below an item of another author under the same post that ends by asking
   a question: that item.

Everything else stays unknown: nothing is guessed from position alone.

Examples
--------
>>> from cruxmap.graph.schema import Author, Comment, CruxMap, Post, Thread
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

from cruxmap.graph.schema import Comment, CruxMap, Post, Thread

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


def _normal(text: str) -> str:
    """Text with quote markers, quotation marks and spacing evened out, for verbatim matching."""
    text = re.sub(r"^\s*(?:>|&gt;)\s?", "", text, flags=re.M)
    return " ".join(re.sub(r"[\"“”‘’']", "", text).split()).casefold()


def quoted_source(item: Comment, earlier: list[Post | Comment]) -> str | None:
    """The id of the one earlier item (of another author) that ``item`` quotes word for word."""
    for q in item.quotes:
        said = _normal(q.text)
        if len(said) < 20:
            continue  # too short to say where it comes from
        found = [e.id for e in earlier if e.author_id != item.author_id and said in _normal(e.text)]
        if len(found) == 1:
            return found[0]
    return None


_ANSWER = re.compile(r"\s*(?:yes|no|yeah|yep|nope|not yet|not really|good question|sort of|partly"
                     r"|kind of|both)\b", re.I)


def answers_question(item: Comment, previous: Post | Comment | None) -> bool:
    """Whether ``item`` opens by answering the question that ``previous`` (the item just above
    it, by someone else) ends with.

    >>> from cruxmap.graph.schema import Comment
    >>> q = Comment(id="q", text="Did you control for length?", author_id="a")
    >>> answers_question(Comment(id="r", text="Yes, it changes nothing.", author_id="b"), q)
    True
    """
    if previous is None or not _ANSWER.match(item.text):
        return False
    if previous.author_id == item.author_id:
        return False  # the same author, or two items whose authors the page does not show
    return previous.text.rstrip().endswith("?")


def recover_thread(thread: Thread) -> Thread:
    """``thread`` with the comments of unknown nesting that quote or address an earlier item re-parented."""
    names = {a.id: a.name for a in thread.authors if a.name}
    latest: dict[tuple[str | None, str], str] = {}  # (post id, author id) -> latest item id so far
    seen: dict[str | None, list[Post | Comment]] = {}  # post id -> its items so far
    comments = []
    above: dict[str | None, Post | Comment] = {}  # post id -> the item just above, in page order
    for item in thread.items():
        post = item.id if isinstance(item, Post) else item.post_id
        if isinstance(item, Comment) and item.nesting == "unknown":
            source = quoted_source(item, seen.get(post, []))
            earlier = {a: names[a] for (p, a) in latest if p == post and a != item.author_id and a in names}
            named = addressee(item.text, earlier)
            if named is not None:  # whom it speaks to, even when it also quotes someone else
                item = replace(item, parent_id=latest[(post, named)], nesting="addressed")
            elif source is not None:
                item = replace(item, parent_id=source, nesting="quoted")
            elif answers_question(item, above.get(post)):
                item = replace(item, parent_id=above[post].id, nesting="answered")
        if isinstance(item, Comment):
            comments.append(item)
        seen.setdefault(post, []).append(item)
        above[post] = item
        if item.author_id:
            latest[(post, item.author_id)] = item.id
    return replace(thread, comments=tuple(comments))


def recover_replies(m: CruxMap) -> CruxMap:
    """The stage: ``m`` with its thread's recoverable replies re-parented."""
    if not any(c.nesting == "unknown" for c in m.thread.comments):
        return m
    return replace(m, thread=recover_thread(m.thread))
