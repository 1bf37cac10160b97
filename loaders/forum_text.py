"""Pasted forum pages: text copied (Ctrl-A, Ctrl-C) from a LessWrong, EA Forum or Alignment Forum page.

A browser copy of a forum page loses the markup that tells posts, comments and
authors apart. What survives is a *header line* in front of each post or comment,
with its parts fused together, and blank lines between paragraphs. This loader
rebuilds posts and comments from that, and never guesses an author.

Header lines
------------
A header line is the whole line, short (at most 80 characters), in this shape::

    [karma]<display name><age>[Ω][karma][agreement]

``Jane Q. Public3h``, ``12Jane Q. Public3h``, ``Jane Q. Public2d33-1``,
``Jane Q. Public12hΩ4210``, ``Jane Q. Public28mΩ110``. Ages are ``m`` (1-59),
``h`` (1-24), ``d`` (1-39), ``mo`` (1-12) and ``y``. The name is followed by the
age *directly*: ``I waited 3h`` has a space before ``3h`` and is a sentence, not
a header. A name starts with a letter or digit, has at most six words and 48
characters, and may contain spaces, dots, digits, ``-``, ``_``, apostrophes and
non-ASCII letters. See :func:`parse_header` for how the numbers are read and
where the reading is ambiguous.

Items
-----
* A header line always starts a new item, blank line before it or not. The body
  starts on the next line; its paragraphs (separated by blank lines) are joined
  with ``"\\n\\n"``, the lines of one paragraph with ``"\\n"``.
* A blank line alone does not start a new item: paragraphs of one item are
  separated by blank lines too, so a paragraph continues the item before it.
  The exceptions: ``(read more)`` (or ``(continue reading)``) ends an item, so
  the next paragraph starts a new item *without a header* (a truncated excerpt
  is usually followed by something else), and so does a section heading.
* Items without a header have ``author_id=None``. Authors come only from header
  lines and ``Authors:`` lines; a name mentioned in a body is never an author.

Posts and comments
------------------
* **Title.** A post's title is the line directly above its header line (no
  blank line between) when that line looks like a title (at most 150
  characters, no ``.``/``,``/``;``/``:``/``…`` at the end, not a quote or list
  item) and the header has no vote digits after the age (front-page listings
  show a post's karma *before* the name; comments show votes *after* the age).
  Votes are allowed in a posts section and under an ``X's Shortform`` title.
  Quick takes have no titles, and the first line under a comment's header is
  that comment's text, never the next post's title. A line
  directly above an ``Authors:`` or ``This is a linkpost for`` line is a title
  too. On a post page, the first paragraph is the title when it is one such
  line and the next content line is a header, ``Authors:`` or linkpost line.
  Under ``Popular Comments`` each comment is shown below the title of the post
  it answers: that title becomes a post of its own (no author, no text, kind
  ``excerpt``) and the comment attaches to it.
* **Post or comment.** An item is a post when it has a title, an ``Authors:``
  line, a linkpost line or karma before the name (only post listings show
  that), or sits in a posts or Quick Takes section. Otherwise
  it is a comment on the nearest preceding post, except for the first item of a
  section, which is a post when it has no header (an excerpt whose header was
  not copied), when it opens with ``TL;DR:`` or ``Epistemic status:`` (posts
  open like that), or when a ``Comments`` heading follows it (a post page whose
  title was not copied). A comment with no post before it in its section gets
  ``post_id=None``.
* **Sections.** Headings such as ``Latest Posts``, ``Quick Takes``, ``Recent
  Discussion``, ``Popular Comments`` start a new section, and comments never
  attach across one (the post above a ``Popular Comments`` heading is not the
  post those comments answer). ``Comments`` / ``12 comments, sorted by top
  scoring`` is a post page's comment section: it keeps the post. A bare
  ``12 comments`` is a count in a listing and is dropped.
* **Kinds.** ``quick_take`` for items of a Quick Takes section and posts titled
  ``X's Shortform`` / ``X's Quick Takes``; ``linkpost`` when a ``This is a
  linkpost for URL`` line is present (``link`` is the URL); ``excerpt`` when the
  item was cut at ``(read more)`` or has neither header nor ``Authors:`` line;
  else ``post``.
* **Nesting.** A pasted page does not show which comment answers which, so every
  comment has ``nesting="unknown"`` and ``parent_id`` = ``post_id`` = the
  nearest preceding post: recorded as unknown, not guessed. (The decomposition's
  ``replies`` stage, :mod:`cruxmap.decompose.replies`, re-parents a comment that opens by
  naming an earlier author or quotes one earlier item word for word.)

Lines that are not text
-----------------------
``This is a linkpost for ...`` and ``Authors: A*, B, C`` lines are taken out of
the text and recorded (``link``; ``author_id`` = the header's author, else the
starred or first name, ``coauthor_ids`` = the other names). ``(read more)`` is
cut off. Site navigation (``Login``, ``All Posts``, ``Reply``, ``Load More``,
``14 min read``, lone numbers, ...) and section headings are dropped. Everything
else is kept verbatim, including ``TL;DR:`` and ``Epistemic status:``
paragraphs, which are the author's own claims.

Quotes
------
Every run of ``>`` lines is a :class:`~cruxmap.graph.schema.Quote` (markers included, as
in the other loaders). ``You write: "X"`` (also ``wrote``, ``say``, ``said``,
``claim``, ``argue`` ..., straight or curly quotes) quotes ``X``; ``You write:``
at the end of a line quotes the next line (without its quotation marks: a copied
block quote loses its ``>``);
``You write: X`` without quotation marks quotes ``X`` up to the end of its first
sentence. ``text[q.start:q.end] == q.text`` always holds.

Known limits
------------
* A reply whose header was not copied reads as more paragraphs of the item
  above it, unless ``(read more)`` or a heading ends that item first.
* A short line without final punctuation directly above a post's header line
  (no blank line between) is taken for that post's title.
* The ambiguous header readings listed under :func:`parse_header`.

Ids and authors
---------------
Ids are ``stable_id("post" | "comment", source, author, title, text, n)``, where
``n`` counts identical earlier items: parsing the same text again gives the same
ids, and so does a paste with items added or removed around an item (ages are
left out because they change between pastes). Authors are
``author_id(name, site)`` with the same site keys as :mod:`cruxmap.loaders.lesswrong`:
``lw``, or ``ea`` / ``af`` when the page's navigation names the EA Forum or the
AI Alignment Forum.

Examples
--------
>>> page = '''Why Probes Overfit
... 31Ada Byron5h
... Linear probes find a direction even in random networks.
... Bo Chen2h4 1
... You write: "even in random networks" -- do you have a citation?'''
>>> t = parse(page, source="paste.txt")
>>> [(a.name, a.id) for a in t.authors]
[('Ada Byron', 'author:lw:ada byron'), ('Bo Chen', 'author:lw:bo chen')]
>>> post, comment = t.posts[0], t.comments[0]
>>> post.title, post.score, post.posted_at
('Why Probes Overfit', 31, '5h')
>>> comment.parent_id == post.id, comment.nesting, comment.score, comment.agreement
(True, 'unknown', 4, 1)
>>> comment.quotes[0].text
'even in random networks'
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import Author, Comment, Post, Quote, Thread, author_id, stable_id
from cruxmap.loaders._text import looks_like_html, quote_spans

__all__ = ["parse", "parse_forum_text", "sniff", "Header", "parse_header", "split_votes",
           "find_quotes"]

# --- header lines -------------------------------------------------------------
# Each age unit only takes the values the forums show (59m, then 1h; 24h, then 1d;
# 11mo, then 1y). This keeps a trailing digit of a name out of the age where the
# numbers allow it: "neuron423mo" is neuron42 at 3mo, since 23mo is no age.
_AGE = (r"(?:1[0-2]|[1-9])mo"
        r"|(?:[1-5]\d|[1-9])m"
        r"|(?:1\d|2[0-4]|[1-9])h"
        r"|(?:[1-3]\d|[1-9])d"
        r"|[1-9]\d?y")
_HEADER = re.compile(
    r"(?:(?P<karma>-?\d{1,5})(?=[^\W\d_]))?"  # leading karma: only if a letter follows
    r"(?P<name>\w(?:[\w.'’ -]{0,46}?[\w.'’])?)"  # shortest name that leaves a valid rest
    rf"(?P<age>{_AGE})"
    r"(?:\s?(?P<af>Ω))?"
    r"(?:\s?(?P<votes>-?\d{1,5}(?:\s?-?\d{1,5})?))?"
)
_MAX_HEADER_CHARS = 80
_MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class Header:
    """One header line taken apart (see :func:`parse_header`)."""

    name: str
    age: str
    karma: int | None = None  # the number before the name (a post's karma in a listing)
    votes: str = ""  # the digits after the age, as written
    vote_karma: int | None = None  # karma read from ``votes``
    agreement: int | None = None  # agreement read from ``votes``
    alignment_forum: bool = False  # an ``Ω`` after the age

    @property
    def score(self) -> int | None:
        """The karma shown on the line: before the name if there, else after the age."""
        return self.karma if self.karma is not None else self.vote_karma


def parse_header(line: str) -> Header | None:
    """Read a fused header line, or return None when ``line`` is not one.

    The name is the shortest prefix after which the rest of the line reads as an
    age and votes, so two-digit ages win over names ending in digits
    (``Jane Q. Public12h`` is Jane Q. Public at 12h). Digits before the name are
    karma only when a letter follows them (``80000_Hours3h`` is a name).

    The name's last word must contain a letter, so ``We trained it for 12h`` is
    a sentence (and a name like ``Agent 47`` is not recognised).

    Known ambiguities (the line alone cannot tell): a name that starts with
    digits followed by a letter loses them to the karma (``1a3orn3h`` reads as
    karma 1, name ``a3orn``); a name that ends in digits can lose its last digit
    to the age (``neuron425d`` reads as ``neuron4`` at 25d). The vote digits are
    split by :func:`split_votes`; a wrong split there never changes the author.

    Parameters
    ----------
    line : str
        One line of the paste.

    Returns
    -------
    Header or None

    Examples
    --------
    >>> h = parse_header("12Jane Q. Public3h")
    >>> h.name, h.age, h.karma, h.votes
    ('Jane Q. Public', '3h', 12, '')
    >>> h = parse_header("Jane Q. Public2d33-1")
    >>> h.name, h.age, h.score, h.agreement
    ('Jane Q. Public', '2d', 33, -1)
    >>> h = parse_header("Jane Q. Public12hΩ4210")
    >>> h.age, h.alignment_forum, h.score, h.agreement
    ('12h', True, 42, 10)
    >>> parse_header("I waited 3h") is None
    True
    """
    line = line.strip()
    if not line or len(line) > _MAX_HEADER_CHARS:
        return None
    m = _HEADER.fullmatch(line)
    if not m:
        return None
    name = m["name"]
    words = name.split()
    # The last word needs a letter: "for 12h" or "at 1.5h" end sentences, not names.
    if not any(ch.isalpha() for ch in words[-1]) or len(words) > _MAX_NAME_WORDS:
        return None
    votes = m["votes"] or ""
    vote_karma, agreement = split_votes(votes) if votes else (None, None)
    return Header(name=name, age=m["age"], karma=int(m["karma"]) if m["karma"] else None,
                  votes=votes, vote_karma=vote_karma, agreement=agreement,
                  alignment_forum=bool(m["af"]))


def split_votes(votes: str) -> tuple[int | None, int | None]:
    """Split the digits after the age into ``(karma, agreement)``.

    The forums print karma and agreement side by side, so a copy fuses them.
    A space or an inner minus sign marks the split (``"33 1"``, ``"33-1"``).
    Without one the split is a best guess: both parts must be written without
    leading zeros, and the agreement takes as many digits as it can while
    staying no larger than the karma (agreement rarely outvotes karma);
    when no split satisfies that, the karma takes one digit. A single digit
    is karma alone.

    Examples
    --------
    >>> split_votes("33-1"), split_votes("4210"), split_votes("110"), split_votes("7")
    ((33, -1), (42, 10), (11, 0), (7, None))
    >>> split_votes("12"), split_votes("100"), split_votes("-52"), split_votes("5 12")
    ((1, 2), (10, 0), (-5, 2), (5, 12))
    """
    s = votes.strip()
    parts = s.split()
    if len(parts) == 2:
        return int(parts[0]), int(parts[1])
    inner_minus = re.fullmatch(r"(-?\d+)(-\d+)", s)
    if inner_minus:
        return int(inner_minus[1]), int(inner_minus[2])
    sign, digits = ("-", s[1:]) if s.startswith("-") else ("", s)
    splits = [(int(sign + digits[:i]), int(digits[i:])) for i in range(1, len(digits))
              if _well_formed(digits[:i]) and _well_formed(digits[i:])]
    if not splits:
        return int(s), None
    plausible = [(k, a) for k, a in splits if abs(a) <= abs(k)]
    return min(plausible or splits, key=lambda ka: abs(ka[0]))


def _well_formed(digits: str) -> bool:
    return digits == "0" or not digits.startswith("0")


# --- other recognised lines ------------------------------------------------------
_AUTHORS = re.compile(r"Authors?:\s*(?P<names>\S.*)", re.I)
_LINKPOST = re.compile(r"This is a linkpost for:?(?:\s+(?P<url>(?:https?://|www\.)\S+))?.*",
                       re.I)
_READ_MORE = re.compile(r"\s*\((?:read more|continue reading|see more)\)\s*$", re.I)
_OPENER = re.compile(r"(?:TL;?DR|Epistemic status)\s*:", re.I)
_SHORTFORM = re.compile(r"['’]s (?:Shortform|Quick Takes?)$", re.I)
_TITLE_END_BAD = ".,;:…"
_NOT_TITLE_START = (">", "- ", "* ", "• ", "(")
_MAX_TITLE_CHARS = 150

# Section headings: what kind of items follow.
POSTS, QUICK_TAKES, DISCUSSION, POPULAR_COMMENTS, COMMENTS = (
    "posts", "quick_takes", "discussion", "popular_comments", "comments")
_SECTIONS = {
    "latest posts": POSTS, "latest": POSTS, "frontpage": POSTS, "curated": POSTS,
    "featured": POSTS, "recommended": POSTS, "enriched": POSTS, "from the archives": POSTS,
    "continue reading": POSTS, "bookmarks": POSTS, "popular posts": POSTS,
    "quick takes": QUICK_TAKES, "popular quick takes": QUICK_TAKES, "shortform": QUICK_TAKES,
    "recent discussion": DISCUSSION,
    "popular comments": POPULAR_COMMENTS,
    "comments": COMMENTS,
}
# "12 comments, sorted by top scoring" heads a post page's comments; a bare
# "12 comments" is a count in a listing, so it is navigation.
_COMMENT_HEADING = re.compile(r"\d+ comments?, .*", re.I)
# Navigation and buttons: never text. The site's name also tells the author id site.
_SITE_NAMES = {
    "lesswrong": "lw", "ea forum": "ea", "effective altruism forum": "ea",
    "ai alignment forum": "af", "alignment forum": "af",
}
_NAVIGATION = frozenset({
    "lw", "af", "login", "log in", "sign up", "home", "all posts", "concepts", "library",
    "best of lesswrong", "sequence highlights", "rationality: a-z", "the codex", "hpmor",
    "community events", "subscribe (rss/email)", "lw the album", "leaderboard", "about",
    "faq", "customize", "load more", "show more", "more comments", "reply", "new comment",
    "submit", "topics", "take the tour", "donate", "sequences", "community",
})
_NAVIGATION_PATTERN = re.compile(r"\d+ min read|\d+ comments?|\d+|Ω\s*\d*|•", re.I)


def _section_of(line: str) -> str | None:
    key = line.casefold()
    if key in _SECTIONS:
        return _SECTIONS[key]
    return COMMENTS if _COMMENT_HEADING.fullmatch(line) else None


def _is_navigation(line: str) -> bool:
    key = line.casefold()
    return key in _NAVIGATION or key in _SITE_NAMES or bool(_NAVIGATION_PATTERN.fullmatch(line))


def _looks_like_title(line: str) -> bool:
    return (len(line) <= _MAX_TITLE_CHARS and line[-1] not in _TITLE_END_BAD
            and not line.startswith(_NOT_TITLE_START) and not _READ_MORE.search(line)
            and not _OPENER.match(line) and not _AUTHORS.fullmatch(line)
            and not _LINKPOST.fullmatch(line) and not _is_navigation(line)
            and _section_of(line) is None and parse_header(line) is None)


def _byline_names(names: str) -> list[str]:
    """``"A*, B and C"`` -> ``["A*", "B", "C"]`` (the star is kept to find the lead author)."""
    parts = re.split(r"\s*(?:,|&|\band\b)\s*", names.strip())
    return [p.strip() for p in parts if p.strip(" *†‡")]


# --- pass 1: lines -> drafts ------------------------------------------------------
@dataclass
class _Draft:
    """An item while its lines are being collected."""

    section: str
    run: int  # which stretch between section headings it is in
    header: Header | None = None
    title: str = ""
    byline: list[str] = field(default_factory=list)
    link: str | None = None  # None: not a linkpost; "": a linkpost whose URL was not copied
    paragraphs: list[list[str]] = field(default_factory=list)
    truncated: bool = False  # cut at "(read more)"
    page_post: bool = False  # followed by a "Comments" heading: the page's post

    @property
    def awaiting_header(self) -> bool:
        """A title, byline or linkpost line was read and nothing else yet."""
        return (self.header is None and not self.paragraphs
                and bool(self.title or self.byline or self.link is not None))

    @property
    def post_cue(self) -> bool:
        """Something only posts have: a title, byline, link, or karma before the name."""
        return bool(self.title or self.byline or self.link is not None or self.page_post
                    or (self.header is not None and self.header.karma is not None))

    def add(self, line: str, new_paragraph: bool) -> None:
        if new_paragraph or not self.paragraphs:
            self.paragraphs.append([line])
        else:
            self.paragraphs[-1].append(line)

    def text(self) -> str:
        return "\n\n".join("\n".join(p) for p in self.paragraphs)


class _Segmenter:
    """Walk the lines once and cut them into :class:`_Draft` items."""

    def __init__(self, lines: list[str]):
        self.lines = lines
        self.drafts: list[_Draft] = []
        self.current: _Draft | None = None
        self.section, self.run = "", 0
        self.gap = True  # a blank or skipped line since the last text line
        self.site = ""

    def run_all(self) -> list[_Draft]:
        for i, line in enumerate(self.lines):
            self.step(i, line)
        return self.drafts

    def step(self, i: int, line: str) -> None:
        if not line:
            self.gap = True
        elif section := _section_of(line):
            self.enter_section(section)
        elif _is_navigation(line):
            self.site = self.site or _SITE_NAMES.get(line.casefold(), "")
            self.gap = True
        else:
            self.read_content(i, line)

    def enter_section(self, section: str) -> None:
        if section == COMMENTS:
            in_run = [d for d in self.drafts if d.run == self.run]
            if in_run and not any(d.post_cue for d in in_run):
                headed = [d for d in in_run if d.header]
                (headed or in_run)[0].page_post = True
        else:
            self.run += 1
        self.section, self.current, self.gap = section, None, True

    def read_content(self, i: int, line: str) -> None:
        header = parse_header(line)
        if header:
            if self.current and self.current.awaiting_header and not self.is_stub_title(header):
                self.current.header = header
            else:
                self.start(header=header)
        elif self.is_title(i, line):
            self.start(title=line)
        elif not self.read_meta(line):
            self.read_body(line)
            return
        self.gap = False

    def read_meta(self, line: str) -> bool:
        """``Authors:`` and linkpost lines, where they open an item."""
        if self.current is not None and self.current.paragraphs and not self.current.truncated:
            return False
        authors, linkpost = _AUTHORS.fullmatch(line), _LINKPOST.fullmatch(line)
        if not (authors or linkpost):
            return False
        if self.current is None or self.current.truncated:
            self.start()
        assert self.current is not None
        if authors:
            self.current.byline = _byline_names(authors["names"])
        else:
            self.current.link = linkpost["url"] or ""  # type: ignore[index]
        return True

    def read_body(self, line: str) -> None:
        if self.current is None or self.current.truncated:
            self.start()
        assert self.current is not None
        cut = _READ_MORE.search(line)
        if cut:
            line = line[:cut.start()].rstrip()
            self.current.truncated = True
        if line:
            self.current.add(line, new_paragraph=self.gap)
        self.gap = False

    def start(self, header: Header | None = None, title: str = "") -> None:
        self.current = _Draft(section=self.section, run=self.run, header=header, title=title)
        self.drafts.append(self.current)

    def is_title(self, i: int, line: str) -> bool:
        if self.section == QUICK_TAKES or self.opens_comment() or not _looks_like_title(line):
            return False  # quick takes have no titles; a comment's body starts below its header
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else ""
        if nxt and self.opens_post(nxt, line):
            return True
        if self.drafts:
            return False
        # The page's first content: a post page's title, its byline maybe after a gap.
        following = next((x for x in self.lines[i + 1:]
                          if x and not _is_navigation(x) and not _section_of(x)), "")
        return bool(following) and (parse_header(following) is not None
                                    or self.opens_post(following, line))

    def opens_comment(self) -> bool:
        """Whether the line being read is the first line under a comment's header."""
        cur = self.current
        return (self.section != POSTS and cur is not None and cur.header is not None
                and bool(cur.header.votes) and not cur.paragraphs)

    def opens_post(self, nxt: str, title: str) -> bool:
        """Whether ``nxt`` is a line that can follow a post's title directly."""
        if _AUTHORS.fullmatch(nxt) or _LINKPOST.fullmatch(nxt):
            return True
        header = parse_header(nxt)
        # Votes after the age mark a comment, except in a list of posts and on shortforms;
        # a popular comment is shown under the title of the post it answers.
        return header is not None and (not header.votes or self.section == POSTS
                                       or self.section == POPULAR_COMMENTS
                                       or bool(_SHORTFORM.search(title)))

    def is_stub_title(self, header: Header) -> bool:
        """A popular comment's header under its post's title: the title stands alone."""
        return self.section == POPULAR_COMMENTS and bool(header.votes)


# --- pass 2: drafts -> records -----------------------------------------------------
class _Builder:
    """Decide post or comment for each draft and build the schema records."""

    def __init__(self, source: str, site: str):
        self.source, self.site = source, site
        self.authors: dict[str, Author] = {}
        self.posts: list[Post] = []
        self.comments: list[Comment] = []
        self.seen: Counter[tuple[str, ...]] = Counter()

    def build(self, drafts: list[_Draft]) -> Thread:
        current_post: str | None = None
        run = None
        for d in drafts:
            if d.run != run:
                current_post, run = None, d.run
            text = d.text()
            if self.is_post(d, text, current_post is not None):
                current_post = self.add_post(d, text)
            else:
                self.add_comment(d, text, current_post)
                if d.section == POPULAR_COMMENTS:
                    current_post = None  # each popular comment answers a different post
        return Thread(source=self.source, posts=tuple(self.posts),
                      comments=tuple(self.comments), authors=tuple(self.authors.values()))

    @staticmethod
    def is_post(d: _Draft, text: str, has_post: bool) -> bool:
        if d.post_cue or d.section in (POSTS, QUICK_TAKES):
            return True
        if d.section in (COMMENTS, POPULAR_COMMENTS) or has_post:
            return False
        return d.header is None or bool(_OPENER.match(text))

    def add_post(self, d: _Draft, text: str) -> str:
        author = self.register(d.header.name) if d.header else None
        named = self.byline_authors(d.byline)  # lead author first
        author = author or (named[0] if named else None)
        coauthors = tuple(dict.fromkeys(a for a in named if a != author))
        post = Post(id=self.item_id("post", d, text), text=text, title=d.title,
                    author_id=author, posted_at=d.header.age if d.header else "",
                    score=d.header.score if d.header else None, source=self.source,
                    kind=_kind(d), coauthor_ids=coauthors, link=d.link or "",
                    quotes=find_quotes(text))
        self.posts.append(post)
        return post.id

    def add_comment(self, d: _Draft, text: str, post_id: str | None) -> None:
        h = d.header
        self.comments.append(Comment(
            id=self.item_id("comment", d, text), text=text, post_id=post_id, parent_id=post_id,
            author_id=self.register(h.name) if h else None, posted_at=h.age if h else "",
            score=h.score if h else None, agreement=h.agreement if h else None,
            source=self.source, nesting="unknown", quotes=find_quotes(text)))

    def byline_authors(self, byline: list[str]) -> list[str]:
        """Author ids of an ``Authors:`` line, the lead (starred, else first) first."""
        starred = [n for n in byline if n.endswith(("*", "†"))]
        ordered = starred[:1] + [n for n in byline if n not in starred[:1]]
        return [self.register(n.strip(" *†‡")) for n in ordered]

    def register(self, name: str) -> str:
        aid = author_id(name, self.site)
        self.authors.setdefault(aid, Author(aid, name))
        return aid

    def item_id(self, kind: str, d: _Draft, text: str) -> str:
        # No age in the key: it changes between two pastes of the same page.
        key = (kind, d.header.name.casefold() if d.header else "", d.title, text)
        self.seen[key] += 1
        return stable_id(kind, self.source, *key[1:], self.seen[key])


def _kind(d: _Draft) -> str:
    if d.section == QUICK_TAKES or _SHORTFORM.search(d.title):
        return "quick_take"
    if d.link is not None:
        return "linkpost"
    if d.truncated or (d.header is None and not d.byline):
        return "excerpt"
    return "post"


# --- quotes -------------------------------------------------------------------------
_VERBS = r"(?:write|wrote|say|said|claim|claimed|argue|argued|state|stated|suggest|suggested)"
_YOU_WRITE = re.compile(rf"\b(?:[Yy]ou|[Tt]he post)\s+(?:also\s+)?{_VERBS}(?:\s+that)?"
                        rf"(?P<colon>[ \t]*:)?[ \t]*")
_QUOTE_MARKS = {'"': '"', "“": "”", "«": "»"}
_SENTENCE_END = re.compile(r"[.!?](?=\s|$)")


def find_quotes(text: str) -> tuple[Quote, ...]:
    """Quotes of someone else in ``text``: ``>`` runs and ``You write: "X"`` forms.

    Examples
    --------
    >>> [q.text for q in find_quotes('You said: "it scales". It does not.')]
    ['it scales']
    >>> [q.text for q in find_quotes("You wrote:\\n\\nit scales\\n\\nNo.")]
    ['it scales']
    """
    marked = list(quote_spans(text))
    found = [q for q in _you_write_quotes(text)
             if not any(m.start < q.end and q.start < m.end for m in marked)]
    return tuple(sorted(marked + found, key=lambda q: q.start))


def _you_write_quotes(text: str) -> list[Quote]:
    out: list[Quote] = []
    for m in _YOU_WRITE.finditer(text):
        span = _quoted_span(text, m.end(), bool(m["colon"]))
        if span and (not out or span[0] >= out[-1].end):
            out.append(Quote(span[0], span[1], text[span[0]:span[1]]))
    return out


def _quoted_span(text: str, pos: int, colon: bool) -> tuple[int, int] | None:
    """Where the quoted words after ``You write`` (ending at ``pos``) are, if anywhere."""
    line_end = text.find("\n", pos)
    line_end = len(text) if line_end < 0 else line_end
    if pos < len(text) and text[pos] in _QUOTE_MARKS:
        close = text.find(_QUOTE_MARKS[text[pos]], pos + 1, line_end)
        return (pos + 1, close) if close > pos + 1 else None
    if not colon:
        return None  # "you said that X" paraphrases; only a colon or quotation marks quote
    if pos == line_end:  # "You write:" ends its line: the next line is the quote
        start = pos + (2 if text.startswith("\n\n", pos) else 1)
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        para = text[start:end]
        if para[:1] in _QUOTE_MARKS and para.endswith(_QUOTE_MARKS[para[0]]) and len(para) > 2:
            return start + 1, end - 1
        return (start, end) if para and not para.startswith(">") else None
    stop = _SENTENCE_END.search(text, pos, line_end)
    return pos, stop.end() if stop else line_end


# --- the loader's public functions -------------------------------------------------
def sniff(text: str) -> bool:
    """True for text with a fused header line that sits next to other text.

    A header line alone between blank lines (``Results2d`` in someone's notes)
    does not count: a copied page has the body, or the title, right next to it.

    Examples
    --------
    >>> sniff("Jane Q. Public3h\\nI think this is wrong.")
    True
    >>> sniff("# Notes\\n\\nI waited 3h\\nfor the run.")
    False
    >>> sniff('{"id": 1, "text": "Jane3h"}')
    False
    """
    head = text[:65536].lstrip("\ufeff \t\r\n")
    if not head or head[0] in "{[<":
        return False
    lines = [line.strip() for line in _normalise(head).split("\n")[:400]]
    for i, line in enumerate(lines):
        if parse_header(line):
            before = lines[i - 1] if i else ""
            after = lines[i + 1] if i + 1 < len(lines) else ""
            if before or after:
                return True
    return False


def parse_forum_text(text: str, source: str = "<text>", *, site: str | None = None) -> Thread:
    """Parse text copied from a forum front page or post page into a :class:`~cruxmap.graph.schema.Thread`.

    Parameters
    ----------
    text : str
        The pasted page (see the module docstring for what is recognised).
    source : str
        Where it came from (a path, or ``"paste"``); recorded on every item, part
        of every id, and named in errors.
    site : str, optional
        The author id site key (``lw``, ``ea``, ``af``). By default it is read
        from the page's navigation, else ``lw``.

    Returns
    -------
    Thread
        Posts and comments in page order, and every author that has a header
        line or is named on an ``Authors:`` line.

    Raises
    ------
    MalformedInput
        Empty text, binary data, an HTML page or JSON instead of copied text, or
        text with nothing but navigation.

    See Also
    --------
    sniff : tells a pasted page from other formats.
    cruxmap.loaders.lesswrong.parse : the same sites' GraphQL JSON, with the reply tree.
    """
    _check(text, source)
    lines = [line.strip() for line in _normalise(text).split("\n")]
    segmenter = _Segmenter(lines)
    drafts = segmenter.run_all()
    if not drafts:
        raise MalformedInput(source, "no posts or comments found, only page navigation "
                                     "(expected text copied from a forum page)")
    return _Builder(source, site or segmenter.site or "lw").build(drafts)


def parse(text: str, source: str = "<text>") -> Thread:
    """The registry's entry point: :func:`parse_forum_text` with the site read from the page."""
    return parse_forum_text(text, source)


def _normalise(text: str) -> str:
    # Browsers copy non-breaking spaces from the page's layout; they are spaces to a reader.
    return text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")


def _check(text: str, source: str) -> None:
    expected = "expected text copied from a LessWrong / EA Forum / Alignment Forum page"
    if "\x00" in text[:8192]:
        raise MalformedInput(source, f"binary data (NUL bytes), {expected}")
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        raise MalformedInput(source, f"empty input, {expected}")
    if looks_like_html(body) or re.match(r"<[A-Za-z!]", body):
        raise MalformedInput(source, f"looks like HTML, {expected} (select the page in the "
                                     f"browser, copy, and paste as plain text)", line=1)
    if body[0] in "{[" and _is_json(body):
        raise MalformedInput(source, f"looks like JSON, {expected}; use --format lesswrong "
                                     f"or --format jsonl for JSON")


def _is_json(body: str) -> bool:
    for candidate in (body, body.split("\n", 1)[0]):  # a whole document, or JSON Lines
        try:
            json.loads(candidate)
            return True
        except ValueError:
            continue
    return False
