"""Pasted forum pages: text copied (Ctrl-A, Ctrl-C) from a LessWrong, EA Forum or Alignment Forum page.

A browser copy of a forum page loses the markup that tells posts, comments and
authors apart. What survives is a *header line* in front of each post or comment,
with its parts fused together, and blank lines between paragraphs. This loader
rebuilds posts and comments from that, and never guesses an author.

Header lines
------------
A header line is the whole line, in the shapes ForumMagnum renders (see
:func:`parse_header`)::

    [-][karma][Answer by ]<display name><age>[*][Moderator Comment][Ω][karma][agreement][tail]

``4Jane Doe1h`` (a single-line comment: karma first, then the whole comment on
one line), ``[-]Jane Doe2d19 4`` (a comment on a post page), ``Jane Doe12hΩ6130``
(a listed quick take, maybe with its repliers' names and comment count after the
votes, which are never authors), ``34Jane Doe, Bo Chen5h`` (a post's meta line),
``[anonymous]2d5 1`` (no author shown). Ages are ForumMagnum's: ``now``, ``1m``-``45m``,
``1h``-``22h``, ``1d``-``26d``, ``1mo``-``11mo``, ``1y``. The name is followed by the
age *directly*: ``I waited 3h`` is a sentence. A browser that puts each part of a
header on its own line (``[-]`` / ``Jane Doe`` / ``2d`` / ``19`` / ``4``) is read too.

Items and their authors
-----------------------
Precision first: text is credited only to the author whose header (or ``Authors:`` /
``by`` line) the page shows for it. Each item records how that was decided in
``attribution``: ``header``, ``authors-line``, ``continued`` (a header, plus paragraphs
the page did not attribute that clearly continue the same text: a list carried on, a
colon that announces it, a sentence cut across lines, a quote or a greeting that the
rest answers) or ``unknown``.

* A header line always starts a new item; the body starts on the next line.
* Posts run over many paragraphs, and so do comments on a post page (each has its
  own header, and its ``Reply`` / ``Add Comment`` button ends it).
* On a listing page (front page, Recent Discussion, Quick Takes) a single-line
  comment or a listed quick take is one line, and a comment is usually one paragraph:
  a paragraph that does not clearly continue it is a new item whose author is not
  shown (``author_id=None``), in the same thread; several quick takes may stand on
  consecutive lines.
* Authors come only from header lines, ``Authors:`` and ``by`` lines; a name in a body
  or after a quick take's votes is never an author.

Posts, comments and threads
---------------------------
* **Posts**: a title line directly above a header (or ``Authors:``, ``by``, linkpost
  line), a post page's first item, a post-list row (``62Title Of It Jane Doe2d``: a
  post shown by its title only, kind ``stub``), a listed quick take, a text whose
  ``(See More - N more words)`` / ``(Continue Reading ...)`` line marks an excerpt, or
  the first text of a stretch with no header. Karma before the name does *not* make
  a post: without a title above it, ``4Jane Doe1h`` is a comment.
* **Kinds**: ``post``, ``excerpt``, ``linkpost``, ``quick_take``, ``stub``; comments
  under ``N Answers`` headings (or ``Answer by``) are answers (``answer=True``).
* **Threads from position**: a comment belongs to the nearest post above it in its
  section and never attaches across a section heading; a shortform's first take is a
  quick take, and the replies below it are its comments. Under ``Popular Comments``
  each comment answers the post named after its votes (or on the line above it).
* **Nesting**: a pasted page does not show which comment answers which, so every
  comment has ``nesting="unknown"`` and ``parent_id`` = ``post_id``; the decomposition's
  ``replies`` stage (:mod:`cruxmap.decompose.replies`) recovers a parent only from the
  text (an addressed author, a quote, an answered question).

Lines that are not text
-----------------------
``This is a linkpost for ...``, ``Authors: A*, B, C`` and ``by A, B`` lines are taken
out of the text and recorded (``link``; ``author_id`` = the header's author, else the
starred or first name, ``coauthor_ids`` = the other names). ``(read more)`` is
cut off. Site navigation (``Login``, ``All Posts``, ``Reply``, ``Load More``,
``14 min read``, dates, lone numbers, ``Showing 2 of 5 replies``, ...), a post page's
tags and section headings are dropped; ``[This comment is no longer endorsed by its
author]`` sets ``retracted``. Everything
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
* A short line without final punctuation directly above a post's header line
  (no blank line between) is taken for that post's title.
* A post-list row whose title ends in a lowercase word fused to a lowercase name
  (``...Practiceellie.m2d``) cannot be split: it is a title-only post with no author.
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
# Ages as ForumMagnum's formatRelative prints them: "now", 1-45m, then 1-22h, 1-26d,
# 1-11mo, then years. Only these values keep a trailing digit of a name out of the age
# where the numbers allow it: "neuron423mo" is neuron42 at 3mo, since 23mo is no age.
_AGE = (r"now"
        r"|(?:1[01]|[1-9])mo"
        r"|(?:4[0-5]|[1-3]\d|[1-9])m(?!o)"
        r"|(?:2[0-2]|1\d|[1-9])h"
        r"|(?:2[0-6]|1\d|[1-9])d"
        r"|[1-9]\d?y")
_NAME = r"\w(?:[\w.'’ -]{0,46}?[\w.'’])?"
_HEADER = re.compile(
    r"(?P<collapse>\[[-+]\])?"  # a post page's collapse button
    r"(?:(?P<karma>-?\d{1,5})(?=[^\W\d_]|\[))?"  # leading karma: only if a letter follows
    r"(?P<answer>Answer by )?"
    rf"(?P<name>\[(?:anonymous|deleted|comment deleted)\]|{_NAME}(?:, {_NAME}){{0,5}}?)"
    rf"(?P<age>{_AGE})(?P<edited>\*)?"
    r"(?P<moderator>Moderator Comment)?"
    r"(?:\s?(?P<af>Ω)\s?)?"
    r"(?:(?P<votes>-?\d{1,5}(?:\s?-?\d{1,5})?)(?P<tail>[^\d\s-].*)?)?"
)
#: What may follow the votes of a collapsed quick take: the people who replied, then a count.
_COMMENTERS = re.compile(rf"{_NAME}(?:, {_NAME})*(?:,? and \d+ more)?\d+")
_FUSED_WORDS = re.compile(r"[a-z]{3}[A-Z]")  # "OverfitAda": a title fused to a name
_UNSHOWN = ("[anonymous]", "[deleted]", "[comment deleted]")
_MAX_HEADER_CHARS = 160
_MAX_NAME_WORDS = 5


@dataclass(frozen=True)
class Header:
    """One header line taken apart (see :func:`parse_header`)."""

    name: str  # "" when the page hides the author ([anonymous], [deleted])
    age: str
    karma: int | None = None  # the number before the name (post meta, single-line comments)
    votes: str = ""  # the digits after the age, as written
    vote_karma: int | None = None  # karma read from ``votes``
    agreement: int | None = None  # agreement read from ``votes``
    alignment_forum: bool = False  # an ``Ω`` after the age
    coauthors: tuple[str, ...] = ()  # more names of a post's meta line ("A, B3d")
    collapse: str = ""  # "[-]" or "[+]": a post page's comment
    answer: bool = False  # "Answer by Jane"
    deleted: bool = False  # "[comment deleted]"
    tail: str = ""  # what follows the votes: commenters of a quick take, a popular comment's post

    @property
    def score(self) -> int | None:
        """The karma shown on the line: before the name if there, else after the age."""
        return self.karma if self.karma is not None else self.vote_karma

    @property
    def single_line(self) -> bool:
        """Karma before the name and no votes after: a single-line comment or a post's meta."""
        return self.karma is not None and not self.votes and not self.collapse


def _plausible_name(name: str) -> bool:
    words = name.split()
    return (bool(words) and len(words) <= _MAX_NAME_WORDS and len(name) <= 48
            and any(ch.isalpha() for ch in words[-1]) and not _FUSED_WORDS.search(name))


def parse_header(line: str, titled: bool = False) -> Header | None:
    """Read a fused header line, or return None when ``line`` is not one.

    The name is the shortest prefix after which the rest of the line reads as an
    age and votes, so two-digit ages win over names ending in digits
    (``Jane Q. Public12h`` is Jane Q. Public at 12h). Digits before the name are
    karma only when a letter follows them (``80000_Hours3h`` is a name). A post
    page's ``[-]`` / ``[+]``, ``Answer by``, an edit mark ``*``, ``Moderator Comment``
    and ``Ω`` are read too; ``[anonymous]`` and ``[comment deleted]`` give an empty name.
    After the votes may come the names of a quick take's repliers and its comment count
    (never authors), or, with ``titled``, a popular comment's post title.

    The name's last word must contain a letter, so ``We trained it for 12h`` is
    a sentence (and a name like ``Agent 47`` is not recognised); a name of more than
    five words, or with a word fused to the next (``OverfitAda``), is no name.

    Known ambiguities (the line alone cannot tell): a name that starts with
    digits followed by a letter loses them to the karma (``1a3orn3h`` reads as
    karma 1, name ``a3orn``); a name that ends in digits can lose its last digit
    to the age (``neuron425d`` reads as ``neuron4`` at 25d). The vote digits are
    split by :func:`split_votes`; a wrong split there never changes the author.

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
    >>> h = parse_header("Jane Doe2d41Bo Chen, Cy Diaz, and 2 more9")
    >>> h.name, h.tail
    ('Jane Doe', 'Bo Chen, Cy Diaz, and 2 more9')
    >>> parse_header("[-][anonymous]1d6 0").name
    ''
    >>> parse_header("I waited 3h") is None
    True
    """
    line = line.strip()
    if not line or len(line) > _MAX_HEADER_CHARS:
        return None
    m = _HEADER.fullmatch(line)
    if not m:
        return None
    votes, tail = m["votes"] or "", (m["tail"] or "").strip()
    if tail and not (votes and (_COMMENTERS.fullmatch(tail) or titled)):
        return None
    raw = m["name"]
    names = [raw] if raw in _UNSHOWN else [n.strip() for n in raw.split(",")]
    if len(names) > 1 and (votes or m["collapse"]):
        return None  # several names only on a post's meta line, which has no votes
    if raw not in _UNSHOWN and not all(_plausible_name(n) for n in names):
        return None
    vote_karma, agreement = split_votes(votes) if votes else (None, None)
    shown = "" if raw in _UNSHOWN else names[0]
    return Header(name=shown, age=m["age"], karma=int(m["karma"]) if m["karma"] else None,
                  votes=votes, vote_karma=vote_karma, agreement=agreement,
                  alignment_forum=bool(m["af"]), coauthors=tuple(names[1:]),
                  collapse=m["collapse"] or "", answer=bool(m["answer"]),
                  deleted=raw == "[comment deleted]", tail=tail)


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
_BYLINE = re.compile(r"by (?P<names>\S.*)")
_LINKPOST = re.compile(r"This is a linkpost for:?(?:\s+(?P<url>(?:https?://|www\.)\S+))?.*",
                       re.I)
_READ_MORE = re.compile(r"\s*\((?:read more|continue reading|see more)\)\s*$", re.I)
#: The line under a post excerpt (PostsHighlight's "see more" link).
_EXCERPT_END = re.compile(r"\((?:See More|Continue Reading)(?: - [\d,]+ more words)?\)"
                          r"|Continue reading", re.I)
#: The buttons under a comment's body: nothing after them in the same item.
_END_BUTTONS = frozenset({"reply", "add comment"})
_RETRACTED = "[This comment is no longer endorsed by its author]"
_OPENER = re.compile(r"(?:TL;?DR|Epistemic status)\s*:", re.I)
_SHORTFORM = re.compile(r"['’]s (?:Shortform|Quick Takes?)$", re.I)
_TITLE_END_BAD = ".,;:…"
_NOT_TITLE_START = (">", "- ", "* ", "• ", "(")
_MAX_TITLE_CHARS = 150
#: A post-list row fused on one line: karma, title, authors, age (LWPostsItem).
_ROW = re.compile(rf"(?P<karma>-?\d{{1,5}})(?P<rest>[^\W\d_].*?)(?P<age>{_AGE})?")
_ROW_SPLIT = re.compile(r"(?<=[a-z0-9?!).'’\"\]])(?=[A-Z])")
#: A paragraph that begins a new thought addressed to someone: on a listing page, very often
#: another person's comment whose header was not copied.
_REPLY_CUE = re.compile(
    r"(?:>|@|I (?:agree|disagree|think|don['’]t|do not|am not|['’]m not|would|['’]d|suspect"
    r"|doubt|['’]m|am|like|love|wonder)\b|I['’](?:d|m)\b|Agreed|Disagree|Strong(?:ly)? (?:agree|disagree)"
    r"|Yes\b|No\b|Yeah|Yep|Nope|Fair\b|Good (?:point|question)|Great (?:point|post|question)"
    r"|Thanks|Thank you|Interesting|Hmm|Wait\b|Sure\b|Not sure|Somewhat of|(?:Minor )?[Nn]itpick"
    r"|To be clear|You\b|Your\b|You['’]|Re:|In response|This (?:seems|is|post|sounds)"
    r"|That['’]s|That (?:is|seems)|(?:Why|How|What|Where|When|Who|Which|Does|Did|Do|Is|Are"
    r"|Have|Has|Could|Would|Can|Should) \S[^?]*\?)")
_SENTENCE_ENDS = ".!?…\"”’')]"
_LIST_ITEM = re.compile(r"(?:[-*+•]|\d+[.)]|\(\d+\))\s")

# Section headings: what kind of items follow.
POSTS, QUICK_TAKES, DISCUSSION, POPULAR_COMMENTS, COMMENTS, ANSWERS, FOOTER = (
    "posts", "quick_takes", "discussion", "popular_comments", "comments", "answers", "footer")
_SECTIONS = {
    "latest posts": POSTS, "latest": POSTS, "curated": POSTS,
    "featured": POSTS, "recommended": POSTS, "enriched": POSTS, "from the archives": POSTS,
    "continue reading": POSTS, "bookmarks": POSTS, "popular posts": POSTS,
    "quick takes": QUICK_TAKES, "popular quick takes": QUICK_TAKES, "shortform": QUICK_TAKES,
    "recent discussion": DISCUSSION,
    "popular comments": POPULAR_COMMENTS,
    "comments": COMMENTS,
    "curated and popular this week": FOOTER, "more posts like this": FOOTER,
    "mentioned in": FOOTER, "recommended sequences": FOOTER,
}
# "12 comments, sorted by top scoring" heads a post page's comments; a bare
# "12 comments" is a count in a listing, so it is navigation.
_COMMENT_HEADING = re.compile(r"\d+ comments?, .*|Rendering \d+/\d+ comments.*", re.I)
_ANSWER_HEADING = re.compile(r"\d+ Answers?(?: sorted by .*)?", re.I)
_FOOTER_HEADING = re.compile(r"More from .{1,60}", re.I)
# Navigation and buttons: never text. The site's name also tells the author id site.
_SITE_NAMES = {
    "lesswrong": "lw", "ea forum": "ea", "effective altruism forum": "ea",
    "ai alignment forum": "af", "alignment forum": "af",
}
_NAVIGATION = frozenset({
    "lw", "af", "login", "log in", "sign up", "home", "all posts", "concepts", "library",
    "best of lesswrong", "sequence highlights", "rationality: a-z", "the codex", "hpmor",
    "community events", "subscribe (rss/email)", "lw the album", "leaderboard", "about",
    "faq", "customize", "load more", "show more", "more comments", "new comment",
    "submit", "topics", "take the tour", "donate", "sequences", "community", "questions",
    "customize feed", "moderation log", "view more", "events", "groups directory",
    "sorted by top", "cancel", "frontpage", "personal blog", "(show more)", "see all",
})
_NAVIGATION_PATTERN = re.compile(
    r"\d+ min read|\d+ comments?|-?\d+|Ω\s*\d*|•|Ω"
    r"|Click to highlight new (?:comments|quick takes) since.*"
    r"|Showing \d+ of \d+ repl(?:y|ies).*|Highlighting \d+ new .*|No new (?:comments|quick takes) since.*"
    r"|(?:\d{1,2}(?:st|nd|rd|th)? \w{3,9},? \d{4}|\w{3,9} \d{1,2}(?:st|nd|rd|th)?,? \d{4})"
    r"|Deleted by .{1,60}|Reason: .{0,200}|Pinned by .{1,60}|This is a special post for quick takes by .*"
    r"|A moderator has deactivated replies on this comment.*|Crossposted from .{1,60}", re.I)


def _section_of(line: str) -> str | None:
    key = line.casefold()
    if key in _SECTIONS:
        return _SECTIONS[key]
    if _COMMENT_HEADING.fullmatch(line):
        return COMMENTS
    if _ANSWER_HEADING.fullmatch(line):
        return ANSWERS
    return FOOTER if _FOOTER_HEADING.fullmatch(line) else None


def _is_navigation(line: str) -> bool:
    key = line.casefold()
    return (key in _NAVIGATION or key in _SITE_NAMES or key in _END_BUTTONS
            or bool(_NAVIGATION_PATTERN.fullmatch(line)) or bool(_EXCERPT_END.fullmatch(line)))


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


def _names_ok(names: list[str]) -> bool:
    return bool(names) and all(_plausible_name(n.strip(" *†‡")) for n in names)


def _row(line: str) -> tuple[str, list[str], str] | None:
    """A post-list row fused on one line -> (title, authors, age), or None."""
    m = _ROW.fullmatch(line)
    if not m or not _looks_like_title(m["rest"]) and not m["age"]:
        return None
    rest = m["rest"]
    if m["age"]:
        for cut in reversed([b.start() for b in _ROW_SPLIT.finditer(rest)]):
            names = [n.strip() for n in rest[cut:].split(",")]
            if _names_ok(names):
                return rest[:cut].strip(), names, m["age"]
        return rest.strip(), [], m["age"]  # a title fused to a name we cannot tell apart
    return rest.strip(), [], ""


def _continues(previous: str, line: str) -> bool:
    """Whether ``line`` clearly continues the text that ends with ``previous``: a list carried
    on, a colon that announces it, a sentence cut across lines."""
    prev = previous.rstrip()
    if not prev:
        return False
    if prev.endswith(":"):
        return True
    if _LIST_ITEM.match(line) and _LIST_ITEM.match(prev.split("\n")[-1]):
        return True
    return prev[-1] not in _SENTENCE_ENDS and line[:1].islower()


_COURTESY = re.compile(r"(?:thanks|thank you|nice|great|good|interesting|wow|congrat\w*|"
                       r"strong(?:ly)? (?:up|agree)\w*)\b[^.!?]{0,60}[.!?]*", re.I)


def _only_preamble(d: "_Draft") -> bool:
    """The item so far only quotes, or only thanks: what it has to say comes next."""
    text = d.text()
    last = d.paragraphs[-1] if d.paragraphs else []
    if last and all(x.startswith(">") for x in last):
        return True
    if find_quotes(text) and text.rstrip().endswith(find_quotes(text)[-1].text.rstrip()):
        return True
    return len(d.paragraphs) == 1 and bool(_COURTESY.fullmatch(text.strip()))


def _split_headers(lines: list[str]) -> list[str]:
    """Join headers that a browser copied with a line break between their parts.

    ``[-]`` / ``Jane Doe`` / ``2d`` / ``19`` / ``4`` (and ``4`` / ``Jane Doe`` / ``1h``)
    become ``[-]Jane Doe2d19 4`` (and ``4Jane Doe1h``). Only a line that is an age alone
    starts this, and only when the line above it reads as a name.
    """
    age_alone = re.compile(rf"(?:{_AGE})\*?")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if age_alone.fullmatch(line) and out and out[-1] and parse_header(out[-1] + line):
            name = out.pop()
            prefix = ""
            if out and re.fullmatch(r"\[[-+]\]", out[-1]):
                prefix = out.pop()
            elif out and re.fullmatch(r"-?\d{1,5}", out[-1]) and (len(out) < 2 or not out[-2]):
                prefix = out.pop()
            votes = []
            while (len(votes) < 2 and i + 1 < len(lines)
                   and re.fullmatch(r"-?\d{1,5}", lines[i + 1])):
                i += 1
                votes.append(lines[i])
            fused = prefix + name + line + " ".join(votes)
            out.append(fused if parse_header(fused) else prefix + name + line)
            if not parse_header(fused):
                out.extend(votes)
        else:
            out.append(line)
        i += 1
    return out


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
    excerpt_end: bool = False  # followed by "(See More - N more words)": a post excerpt
    closed: bool = False  # its Reply / Add Comment button was read
    page_post: bool = False  # the post of a post page (a Comments heading follows)
    continued: bool = False  # holds paragraphs the page did not attribute
    retracted: bool = False
    row: bool = False  # a post-list row

    @property
    def awaiting_header(self) -> bool:
        """A title, byline or linkpost line was read and nothing else yet."""
        return (self.header is None and not self.paragraphs
                and bool(self.title or self.byline or self.link is not None))

    @property
    def post_cue(self) -> bool:
        """Something only posts have: a title, a byline, a link, a post list's row."""
        return bool(self.title or self.byline or self.link is not None or self.page_post
                    or self.row or (self.header is not None and self.header.coauthors))

    @property
    def single_line(self) -> bool:
        """Shown on one line by the page (a single-line comment, a collapsed quick take)."""
        if self.post_cue:
            return False
        if self.section == QUICK_TAKES:
            return True
        return self.header is not None and self.header.single_line

    def add(self, line: str, new_paragraph: bool) -> None:
        if new_paragraph or not self.paragraphs:
            self.paragraphs.append([line])
        else:
            self.paragraphs[-1].append(line)

    def last_line(self) -> str:
        return self.paragraphs[-1][-1] if self.paragraphs else ""

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
        self.post_page = False  # a post page's comment section has been entered

    def run_all(self) -> list[_Draft]:
        for i, line in enumerate(self.lines):
            self.step(i, line)
        return self.drafts

    def step(self, i: int, line: str) -> None:
        if not line:
            self.gap = True
        elif (section := _section_of(line)) or (line.casefold() == "frontpage" and not self.drafts):
            self.enter_section(section or POSTS)
        elif line == _RETRACTED:
            if self.current is not None:
                self.current.retracted = True
        elif self.is_byline(line):
            assert self.current is not None
            self.current.byline = _byline_names(line[3:])
        elif _is_navigation(line):
            self.read_navigation(line)
        else:
            self.read_content(i, line)

    def is_byline(self, line: str) -> bool:
        """``by A, B`` under a post page's title."""
        cur = self.current
        m = _BYLINE.fullmatch(line)
        return bool(m and cur is not None and cur.title and cur.header is None
                    and not cur.paragraphs and not cur.byline and _names_ok(_byline_names(m["names"])))

    def read_navigation(self, line: str) -> None:
        self.site = self.site or _SITE_NAMES.get(line.casefold(), "")
        cur = self.current
        if cur is not None:
            if line.casefold() in _END_BUTTONS:
                cur.closed = True
            elif _EXCERPT_END.fullmatch(line):
                cur.excerpt_end = cur.truncated = True
        self.gap = True

    def enter_section(self, section: str) -> None:
        if section in (COMMENTS, ANSWERS):
            in_run = [d for d in self.drafts if d.run == self.run]
            posts = [d for d in in_run if d.page_post]
            if not posts and in_run:
                first = next((d for d in in_run if d.post_cue), None) or \
                    next((d for d in in_run if d.header), in_run[0])
                first.page_post = True
                _drop_tags(first)
            self.post_page = True
        else:
            self.run += 1
        self.section, self.current, self.gap = section, None, True

    def read_content(self, i: int, line: str) -> None:
        header = parse_header(line, titled=self.section == POPULAR_COMMENTS)
        if header:
            if self.current and self.current.awaiting_header and not self.is_stub_title(header):
                self.current.header = header
            else:
                self.start(header=header)
        elif self.section in (POSTS, FOOTER) and (row := _row(line)):
            title, names, age = row
            self.start(title=title)
            assert self.current is not None
            self.current.row = True
            if names:
                self.current.header = Header(name=names[0], age=age, coauthors=tuple(names[1:]))
            self.current.closed = True
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
        if self.current is None or self.current.truncated or self.current.closed:
            self.start()
        assert self.current is not None
        if authors:
            self.current.byline = _byline_names(authors["names"])
        else:
            self.current.link = linkpost["url"] or ""  # type: ignore[index]
        return True

    def read_body(self, line: str) -> None:
        cur = self.current
        if cur is None or cur.truncated or cur.closed or (cur.row and cur.paragraphs):
            cur = self.start()
        elif cur.paragraphs and not self.same_item(cur, line):
            cur = self.start()
        cut = _READ_MORE.search(line)
        if cut:
            line = line[:cut.start()].rstrip()
            cur.truncated = True
        if line:
            cur.add(line, new_paragraph=self.gap)
        self.gap = False

    def same_item(self, cur: _Draft, line: str) -> bool:
        """Whether a line without a header belongs to the item above it.

        Posts run over many paragraphs, and so do comments on a post page (each has its
        own header, and its Reply button ends it). A comment or quick take that the page
        shows on one line is done after that line, and a comment on a listing page is
        usually one paragraph: what follows is someone else's unless it clearly continues
        the same text. Unattributed text is never credited to the author above it on a guess.
        """
        previous = cur.last_line()
        if cur.post_cue or (cur.header is None and cur is self.opening_block()):
            return True
        if cur.single_line:
            keep = _continues(previous, line)
        elif not self.gap:
            return True  # the next line of the same paragraph
        elif cur.header is None:
            keep = _continues(previous, line)  # two unattributed blocks: keep them apart
        elif self.post_page or self.section in (COMMENTS, ANSWERS, POPULAR_COMMENTS) \
                or self.titled_quick_takes():
            return True
        else:  # a full comment on a listing page: one paragraph, unless it clearly goes on
            keep = _continues(previous, line) or _only_preamble(cur)
        if keep and cur.header is not None:
            cur.continued = True
        return keep

    def opening_block(self) -> _Draft | None:
        """The first item of the current stretch when it has no header (a post's text)."""
        in_run = [d for d in self.drafts if d.run == self.run]
        return in_run[0] if in_run and in_run[0].header is None and self.section not in (
            QUICK_TAKES, COMMENTS, ANSWERS, POPULAR_COMMENTS) and not self.post_page else None

    def titled_quick_takes(self) -> bool:
        return self.section == QUICK_TAKES and any(
            _SHORTFORM.search(d.title) for d in self.drafts if d.run == self.run)

    def start(self, header: Header | None = None, title: str = "") -> _Draft:
        self.current = _Draft(section=self.section, run=self.run, header=header, title=title)
        self.drafts.append(self.current)
        return self.current

    def is_title(self, i: int, line: str) -> bool:
        shortform = bool(_SHORTFORM.search(line))
        if (self.section == QUICK_TAKES and not shortform) or self.opens_comment() \
                or not _looks_like_title(line):
            return False  # listed quick takes have no titles; a comment's body is below its header
        nxt = self.lines[i + 1] if i + 1 < len(self.lines) else ""
        if nxt and self.opens_post(nxt, line):
            return True
        if self.drafts:
            return False
        # The page's first content: a post page's title, its byline maybe after a gap.
        following = next((x for x in self.lines[i + 1:]
                          if x and not _is_navigation(x) and not _section_of(x)), "")
        return bool(following) and (parse_header(following) is not None
                                    or self.opens_post(following, line)
                                    or bool(_BYLINE.fullmatch(following)))

    def opens_comment(self) -> bool:
        """Whether the line being read is the first line under a comment's header."""
        cur = self.current
        return (self.section != POSTS and cur is not None and cur.header is not None
                and not cur.post_cue and not cur.paragraphs and not cur.closed)

    def opens_post(self, nxt: str, title: str) -> bool:
        """Whether ``nxt`` is a line that can follow a post's title directly."""
        if _AUTHORS.fullmatch(nxt) or _LINKPOST.fullmatch(nxt):
            return True
        if (m := _BYLINE.fullmatch(nxt)) and _names_ok(_byline_names(m["names"])):
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


def _drop_tags(post: _Draft) -> None:
    """A post page's tags sit between its text and its comments: short lines, one a paragraph."""
    def tag(line: str) -> bool:
        return len(line.split()) <= 5 and line[-1] not in _SENTENCE_ENDS + ":" and \
            not _LIST_ITEM.match(line)

    while len(post.paragraphs) > 1 and all(tag(x) for x in post.paragraphs[-1]):
        post.paragraphs.pop()


# --- pass 2: drafts -> records -----------------------------------------------------
class _Builder:
    """Decide post or comment for each draft and build the schema records."""

    def __init__(self, source: str, site: str):
        self.source, self.site = source, site
        self.authors: dict[str, Author] = {}
        self.posts: list[Post] = []
        self.comments: list[Comment] = []
        self.seen: Counter[tuple[str, ...]] = Counter()
        self.commented_runs: set[int] = set()

    def run_has_comment(self, run: int) -> bool:
        return run in self.commented_runs

    def build(self, drafts: list[_Draft]) -> Thread:
        current_post: Post | None = None
        run = None
        titled_runs = {d.run for d in drafts if d.section == QUICK_TAKES and _SHORTFORM.search(d.title)}
        for d in drafts:
            if d.run != run:
                current_post, run = None, d.run
            text = d.text()
            if d.section == POPULAR_COMMENTS and d.header is not None and d.header.tail:
                current_post = self.add_post(_Draft(d.section, d.run, title=d.header.tail), "",
                                             "stub")
            elif d.section == POPULAR_COMMENTS and d.header is not None and current_post \
                    and self.comments and self.comments[-1].post_id == current_post.id:
                current_post = None  # each popular comment answers another post
            kind = self.post_kind(d, text, current_post, d.run in titled_runs,
                                  self.run_has_comment(d.run))
            if kind:
                current_post = self.add_post(d, text, kind)
            else:
                self.add_comment(d, text, current_post)
                self.commented_runs.add(d.run)
        return Thread(source=self.source, posts=tuple(self.posts),
                      comments=tuple(self.comments), authors=tuple(self.authors.values()))

    @staticmethod
    def post_kind(d: _Draft, text: str, current: Post | None, titled_qt: bool,
                  after_comment: bool = False) -> str:
        """The kind of post ``d`` is, or "" for a comment on ``current``."""
        if d.section == QUICK_TAKES:
            if not titled_qt or _SHORTFORM.search(d.title):
                return "quick_take"
            return ""
        if _SHORTFORM.search(d.title):
            return "stub" if not text else "quick_take"
        if current is not None and current.kind == "stub" and _SHORTFORM.search(current.title) \
                and d.header is not None and not d.post_cue:
            return "quick_take"  # the shortform's first take, under its title and meta
        if d.row:
            return "stub"
        if d.post_cue or d.section in (POSTS, FOOTER):
            if d.link is not None:
                return "linkpost"
            if d.page_post:
                return "post"
            if not text:
                return "stub"
            if d.truncated or (d.section == DISCUSSION and not d.byline):
                return "excerpt"
            return "post"
        if d.section in (COMMENTS, ANSWERS, POPULAR_COMMENTS):
            return ""
        if d.header is None and (d.excerpt_end or _OPENER.match(text)
                                 or (current is None and not after_comment)):
            return "excerpt"
        if current is None and d.header is not None and _OPENER.match(text):
            return "post"
        return ""

    def add_post(self, d: _Draft, text: str, kind: str) -> Post:
        author = self.register(d.header.name) if d.header and d.header.name else None
        named = self.byline_authors(d.byline)  # lead author first
        if d.header:
            named += [self.register(n) for n in d.header.coauthors]
        author = author or (named[0] if named else None)
        coauthors = tuple(dict.fromkeys(a for a in named if a != author))
        how = ("header" if d.header and d.header.name else "authors-line" if named else "unknown")
        if how == "header" and d.continued:
            how = "continued"
        post = Post(id=self.item_id("post", d, text), text=text, title=d.title,
                    author_id=author, posted_at=d.header.age if d.header else "",
                    score=d.header.score if d.header else None, source=self.source,
                    kind=kind, coauthor_ids=coauthors, link=d.link or "",
                    quotes=find_quotes(text), attribution=how)
        self.posts.append(post)
        return post

    def add_comment(self, d: _Draft, text: str, post: Post | None) -> None:
        h = d.header
        author = self.register(h.name) if h and h.name else None
        how = "unknown" if author is None else "continued" if d.continued else "header"
        answer = bool(h and (h.answer or (d.section == ANSWERS and not h.collapse
                                          and not h.single_line)))
        post_id = post.id if post else None
        self.comments.append(Comment(
            id=self.item_id("comment", d, text), text=text, post_id=post_id, parent_id=post_id,
            author_id=author, posted_at=h.age if h else "",
            score=h.score if h else None, agreement=h.agreement if h else None,
            source=self.source, nesting="unknown", quotes=find_quotes(text),
            retracted=d.retracted, attribution=how, answer=answer,
            position=len(self.posts) + len(self.comments)))

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
    lines = _split_headers([line.strip() for line in _normalise(text).split("\n")])
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
