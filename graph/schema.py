"""The single source of truth for cruxmap's data model.

Two views of the same map live here:

* **Typed records** (frozen dataclasses) that flow between the stages:
  loaders produce a :class:`Thread`, the decomposition pipeline turns it into a
  :class:`CruxMap`.
* **The property graph** that the stores, exporters and the UI read: node labels,
  relationship types and their properties (:data:`NODE_PROPERTIES`,
  :data:`RELATIONSHIP_TYPES`), and :func:`to_graph`, which turns a
  :class:`CruxMap` into plain ``Node`` / ``Relationship`` dicts.

Nothing else in the code base spells a label or a relationship type as a string
literal; import the constants below.

Ids are deterministic (derived from the source and the span), so ingesting the
same source twice yields the same ids and changes nothing.

Examples
--------
>>> claim_id("lw:comment:abc", 0, 12)
'claim:lw:comment:abc:0-12'
>>> stable_id("post", "https://example.org/a")[:5]
'post:'
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, Iterable, Iterator, TypedDict

SCHEMA_VERSION = 1

# --- node labels -----------------------------------------------------------
AUTHOR = "Author"
POST = "Post"
COMMENT = "Comment"
CLAIM = "Claim"
DISAGREEMENT = "Disagreement"
CRUX = "Crux"
TOPIC = "Topic"

# --- relationship types ----------------------------------------------------
WROTE = "WROTE"            # Author -> Post | Comment
REPLIES_TO = "REPLIES_TO"  # Comment -> Post | Comment
CONTAINS = "CONTAINS"      # Post | Comment -> Claim
SUPPORTS = "SUPPORTS"      # Claim -> Claim
ATTACKS = "ATTACKS"        # Claim -> Claim
PARTY_TO = "PARTY_TO"      # Claim -> Disagreement
CRUX_OF = "CRUX_OF"        # Crux -> Disagreement
ABOUT = "ABOUT"            # Claim -> Topic
SAME_AS = "SAME_AS"        # Claim -> Claim
QUOTES = "QUOTES"          # Post | Comment -> Claim it quotes verbatim (extension)

#: Every node label with the properties a node of that label may carry.
#: ``id`` is always present and unique across the whole graph.
NODE_PROPERTIES: dict[str, tuple[str, ...]] = {
    AUTHOR: ("id", "name"),
    POST: ("id", "title", "text", "url", "posted_at", "score", "source",
           "vote_count", "kind", "coauthors", "attribution", "thread", "deleted"),
    COMMENT: ("id", "text", "url", "posted_at", "score", "agreement", "source",
              "post_id", "nesting", "reacts", "crux_reacts", "notacrux_reacts", "retracted",
              "stance", "stance_confidence", "attribution", "answer", "af", "deleted_public",
              "agreement_votes", "react_quotes", "position", "thread", "deleted"),
    CLAIM: ("id", "text", "start", "end", "source_id", "author_id", "kind", "role",
            "stance", "stance_confidence", "stance_evidence", "stance_target"),
    DISAGREEMENT: ("id", "summary", "status", "confidence", "crux_note"),
    CRUX: ("id", "text", "score", "kind", "evidence", "quote_a", "quote_b", "authors_a", "authors_b",
           "mind_changer"),
    TOPIC: ("id", "label"),
}

#: Relationship type -> (allowed start labels, allowed end labels, properties).
RELATIONSHIP_TYPES: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    WROTE: ((AUTHOR,), (POST, COMMENT), ()),
    REPLIES_TO: ((COMMENT,), (POST, COMMENT), ("nesting",)),
    CONTAINS: ((POST, COMMENT), (CLAIM,), ()),
    SUPPORTS: ((CLAIM,), (CLAIM,), ("confidence", "evidence", "stance", "target")),
    ATTACKS: ((CLAIM,), (CLAIM,), ("confidence", "evidence", "stance", "target")),
    PARTY_TO: ((CLAIM,), (DISAGREEMENT,), ("side",)),
    CRUX_OF: ((CRUX,), (DISAGREEMENT,), ("confidence",)),
    ABOUT: ((CLAIM,), (TOPIC,), ("weight",)),
    SAME_AS: ((CLAIM,), (CLAIM,), ("confidence",)),
    QUOTES: ((POST, COMMENT), (CLAIM,), ("start", "end")),
}

NODE_LABELS: tuple[str, ...] = tuple(NODE_PROPERTIES)
REL_TYPES: tuple[str, ...] = tuple(RELATIONSHIP_TYPES)

DISAGREEMENT_STATUSES = ("open", "conceded", "resolved")
STANCES = ("agree", "disagree", "correct", "concede", "question", "neutral")
#: The id used for a target that is not in the data ("external").
EXTERNAL_TARGET = "external"
#: ``Stance.evidence`` of an attack on an inference rather than on a claim (an undercut):
#: imports set it (Argdown ``_>``, arg-microtexts ``und``), the Argdown export writes ``_>`` for it.
UNDERCUT = "undercut"


# --- ownership: what belongs to which source item and thread ----------------------
# Two kinds of records live in a map:
#
# * **Source items**: Author, Post, Comment and their WROTE / REPLIES_TO edges. They are what
#   the source said, keyed by the source's own ids. Every Post and Comment carries ``thread``,
#   the id of the post its discussion hangs from (:func:`thread_keys`).
# * **Derived records**: everything decomposition computes (:data:`DERIVED_LABELS`,
#   :data:`DERIVED_TYPES`). Each is owned by the source items it was computed from, and through
#   them by their thread: a Claim by its item (``source_id``); a derived relationship by the
#   items of its ends (a stance by the replying item and the item it answers); a Disagreement
#   by its PARTY_TO edges (its identity is its set of parties); a Crux by its CRUX_OF edges and
#   a Topic by its ABOUT edges.
#
# **Replacing** the derived records of a scope (a set of source items: the items of one input,
# or a whole thread) is one operation with one meaning on both stores
# (``GraphStore.upsert_batches(..., replace=Scope(...))``): afterwards, every derived record that
# draws on an item of the scope is one this write produced. Concretely, in the same transaction
# (embedded store) or the same load (Neo4j):
#
# 1. claims of scope items that this write did not produce are deleted with their edges;
# 2. derived relationships touching a scope item or its claims that this write did not produce
#    are deleted;
# 3. a Disagreement that lost a party edge, and a Crux or Topic left with no edge, are deleted;
# 4. items of a re-ingested thread that are missing from its newer copy become tombstones
#    (``deleted: true``, kept so replies still hang from them, their claims gone by rule 1).
#
# A record with ``curated: true`` (a person's edit) is never deleted by a replacement: human
# curation builds on this. A complete copy of a thread (its post is in the input) replaces the
# whole thread; an input of some comments only (replies added later) replaces just those items.
DERIVED_LABELS: tuple[str, ...] = (CLAIM, DISAGREEMENT, CRUX, TOPIC)
DERIVED_TYPES: tuple[str, ...] = (CONTAINS, QUOTES, SUPPORTS, ATTACKS, PARTY_TO, CRUX_OF, ABOUT, SAME_AS)
#: Property of a record a person edited: replacement leaves it alone.
CURATED = "curated"
#: Property of a post or comment that a newer copy of its thread no longer holds (a tombstone).
DELETED = "deleted"


@dataclass(frozen=True)
class Scope:
    """What one write replaces (see the ownership notes above).

    ``items``: source item ids whose derived records this write recomputes. ``threads``: thread
    keys of which this write holds a complete copy: their stored items are in scope too, and
    those the copy no longer holds become tombstones unless ``keep_missing``.
    """

    items: frozenset[str] = frozenset()
    threads: frozenset[str] = frozenset()
    keep_missing: bool = False


def thread_keys(thread: "Thread") -> dict[str, str]:
    """Item id -> the id of the post its discussion hangs from, for every item it can tell.

    A post is its own thread; a comment belongs to its ``post_id``, else to the post its reply
    chain reaches (walked with a bound, never recursively). A comment whose chain ends outside
    the input has no thread key here.
    """
    keys = {p.id: p.id for p in thread.posts}
    parent = {c.id: c.parent_id for c in thread.comments}
    post_of = {c.id: c.post_id for c in thread.comments}
    for c in thread.comments:
        if c.post_id:
            keys[c.id] = c.post_id
            continue
        node, steps = c.parent_id, 0
        while node and steps < len(parent) + 1:
            if node in keys and node not in parent:
                keys[c.id] = keys[node]
                break
            if post_of.get(node):
                keys[c.id] = post_of[node]
                break
            node, steps = parent.get(node), steps + 1
    return keys


def scope_of(thread: "Thread", keep_missing: bool = False) -> Scope:
    """The :class:`Scope` an ingest of ``thread`` replaces: its items, and the threads whose post it holds."""
    return Scope(items=frozenset(i.id for i in thread.items()),
                 threads=frozenset(p.id for p in thread.posts), keep_missing=keep_missing)


# --- ids -------------------------------------------------------------------
def stable_id(kind: str, *parts: object) -> str:
    """A short deterministic id ``kind:<hash>`` from the given parts."""
    # surrogatepass: an id must never be what fails on a lone surrogate in a title
    digest = hashlib.sha1("\x1f".join(str(p) for p in parts).encode("utf-8", "surrogatepass")).hexdigest()
    return f"{kind}:{digest[:16]}"


def author_id(name: str, site: str = "") -> str:
    """Authors are keyed by site and display name, case-insensitively."""
    key = " ".join(name.split()).casefold()
    return f"author:{site + ':' if site else ''}{key}"


def claim_id(source_id: str, start: int, end: int) -> str:
    """Claim ids are their source plus span, so they are stable and readable."""
    return f"claim:{source_id}:{start}-{end}"


# --- typed records: what loaders produce ------------------------------------
@dataclass(frozen=True)
class Author:
    id: str
    name: str


@dataclass(frozen=True)
class Quote:
    """A span of a post or comment that quotes someone else (``> X``, ``You write: X``)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Post:
    """A top-level post (article, quick take, linkpost or a pasted excerpt)."""

    id: str
    text: str
    title: str = ""
    author_id: str | None = None  # None: author unknown, never invented
    url: str = ""
    posted_at: str = ""  # ISO 8601 where known, else what the source said ("3h")
    score: int | None = None
    vote_count: int | None = None
    source: str = ""  # where it came from: a file path, a URL, "paste"
    kind: str = "post"  # post | quick_take | linkpost | excerpt
    coauthor_ids: tuple[str, ...] = ()
    link: str = ""  # the target of a linkpost
    quotes: tuple[Quote, ...] = ()
    #: How the author and the item's boundary were decided, where a source leaves that open
    #: (a pasted page): ``header`` (the item's own header line), ``authors-line`` (an
    #: ``Authors:`` / ``by`` line), ``continued`` (a header, plus paragraphs the page did not
    #: attribute that clearly continue the same text), ``unknown`` (the page shows no author).
    #: Empty for sources that name every author.
    attribution: str = ""


@dataclass(frozen=True)
class Comment:
    """A reply. ``parent_id`` is a Post or Comment id, or None when the nesting is unknown."""

    id: str
    text: str
    post_id: str | None = None
    parent_id: str | None = None
    author_id: str | None = None
    url: str = ""
    posted_at: str = ""
    score: int | None = None
    agreement: int | None = None
    source: str = ""
    #: known | unknown (pasted pages lose the tree) | addressed | quoted | answered (recovered by
    #: decompose.replies) | parent-hidden (the API hides the parent: attached to the post) |
    #: deleted (it answered a deleted item: parent_id is the nearest kept ancestor, whom it
    #: answered is unknown)
    nesting: str = "known"
    reacts: tuple[tuple[str, int], ...] = ()  # e.g. (("crux", 2), ("notacrux", 1))
    #: inline reacts' quoted spans, (react name, quoted text): e.g. (("crux", "X is cheap"),)
    react_quotes: tuple[tuple[str, str], ...] = ()
    retracted: bool = False
    quotes: tuple[Quote, ...] = ()
    attribution: str = ""  # as Post.attribution
    answer: bool = False  # an answer to a question post (not a plain comment)
    af: bool = False  # also on the Alignment Forum
    deleted_public: bool = False  # deleted, with the deletion shown (its replies stay under it)
    agreement_votes: int | None = None  # how many agreement votes (ForumMagnum agreementVoteCount)
    #: its place in the source's order, where dates cannot give the order (a pasted page shows
    #: relative ages such as "2d"): the thread reader keeps a pasted thread in page order
    position: int | None = None


@dataclass(frozen=True)
class Thread:
    """What every loader returns: posts, their comments and the authors, in source order."""

    source: str
    posts: tuple[Post, ...] = ()
    comments: tuple[Comment, ...] = ()
    authors: tuple[Author, ...] = ()

    def items(self) -> Iterator[Post | Comment]:
        """Posts and comments in source order (posts first within each thread)."""
        yield from self.posts
        yield from self.comments

    def merged(self, other: "Thread") -> "Thread":
        """This thread and another one as one (ids de-duplicated, order kept)."""
        def uniq(xs: Iterable[Any]) -> tuple[Any, ...]:
            seen: dict[str, Any] = {}
            for x in xs:
                seen.setdefault(x.id, x)
            return tuple(seen.values())
        return Thread(
            source=self.source if self.source == other.source else f"{self.source}+{other.source}",
            posts=uniq(self.posts + other.posts),
            comments=uniq(self.comments + other.comments),
            authors=uniq(self.authors + other.authors),
        )


# --- typed records: what decomposition produces ------------------------------
@dataclass(frozen=True)
class Claim:
    """A sentence-level claim: ``text == source_text[start:end]`` always holds."""

    id: str
    source_id: str  # the Post or Comment it is in
    start: int
    end: int
    text: str
    author_id: str | None = None
    kind: str = "claim"  # claim | question | quote | crux_statement
    role: str = "claim"  # claim | attack | support | crux (filled by stance/crux stages)


@dataclass(frozen=True)
class Stance:
    """How one claim relates to the claim it answers (an ATTACKS or SUPPORTS edge)."""

    source_claim_id: str
    target_claim_id: str  # a Claim id, or EXTERNAL_TARGET
    stance: str  # one of STANCES
    confidence: float
    evidence: str  # the cue, quote or model score that produced it
    target: str = "reply"  # how the target was found: quote | reply | similarity | external

    @property
    def rel_type(self) -> str:
        return SUPPORTS if self.stance in ("agree", "concede") else ATTACKS


@dataclass(frozen=True)
class Disagreement:
    id: str
    summary: str
    status: str  # one of DISAGREEMENT_STATUSES
    sides: tuple[tuple[str, str], ...]  # (claim id, side "a" | "b")
    confidence: float = 0.5
    crux_note: str = ""  # "no crux found: ..." when the crux stage found none it could phrase


@dataclass(frozen=True)
class Crux:
    id: str
    text: str
    score: float
    disagreement_ids: tuple[str, ...] = ()
    kind: str = "explicit"  # explicit | implicit | double
    evidence: str = ""
    # the crux card: each side's best verbatim quote and its authors (display names), and what
    # would change a mind, verbatim, if anyone said so ("" when nobody did)
    quote_a: str = ""
    quote_b: str = ""
    authors_a: tuple[str, ...] = ()
    authors_b: tuple[str, ...] = ()
    mind_changer: str = ""


@dataclass(frozen=True)
class Topic:
    id: str
    label: str
    claim_ids: tuple[str, ...] = ()


@dataclass(frozen=True)
class CruxMap:
    """Everything one ingest produces: the thread and what decomposition found in it."""

    thread: Thread
    claims: tuple[Claim, ...] = ()
    stances: tuple[Stance, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    cruxes: tuple[Crux, ...] = ()
    topics: tuple[Topic, ...] = ()
    same_as: tuple[tuple[str, str, float], ...] = ()  # (claim id, claim id, confidence)
    comment_stances: tuple[tuple[str, str, float], ...] = ()  # (comment id, stance, confidence)


# --- the property graph -------------------------------------------------------
class Node(TypedDict):
    id: str
    label: str
    properties: dict[str, Any]


class Relationship(TypedDict):
    id: str
    type: str
    start: str
    end: str
    properties: dict[str, Any]


def node(id: str, label: str, /, **properties: Any) -> Node:
    """A node dict, dropping ``None`` properties (stores cannot hold them)."""
    props = {k: v for k, v in properties.items() if v is not None}
    props["id"] = id
    return {"id": id, "label": label, "properties": props}


def relationship(type: str, start: str, end: str, /, **properties: Any) -> Relationship:
    """A relationship dict with a deterministic id (type, start, end)."""
    props = {k: v for k, v in properties.items() if v is not None}
    return {"id": f"{type}:{start}->{end}", "type": type, "start": start, "end": end,
            "properties": props}


def to_graph(m: CruxMap) -> tuple[list[Node], list[Relationship]]:
    """Flatten a :class:`CruxMap` into nodes and relationships (plain dicts).

    This is the only place where typed records become graph records, so stores
    and exporters agree on every label, type and property name.
    """
    nodes: list[Node] = []
    rels: list[Relationship] = []
    t = m.thread
    threads = thread_keys(t)
    for a in t.authors:
        nodes.append(node(a.id, AUTHOR, name=a.name))
    for p in t.posts:
        nodes.append(node(p.id, POST, title=p.title, text=p.text, url=p.url,
                          posted_at=p.posted_at, score=p.score, source=p.source,
                          vote_count=p.vote_count, kind=p.kind,
                          coauthors=list(p.coauthor_ids) or None,
                          attribution=p.attribution or None, thread=threads.get(p.id)))
        for aid in ((p.author_id,) if p.author_id else ()) + p.coauthor_ids:
            rels.append(relationship(WROTE, aid, p.id))
    stance_of = {cid: (s, c) for cid, s, c in m.comment_stances}
    for c in t.comments:
        s = stance_of.get(c.id)
        nodes.append(node(c.id, COMMENT, text=c.text, url=c.url, posted_at=c.posted_at,
                          score=c.score, agreement=c.agreement, source=c.source,
                          post_id=c.post_id, nesting=c.nesting,
                          # property values must be scalars or lists (Neo4j has no maps)
                          reacts=[f"{k}:{v}" for k, v in c.reacts] or None,
                          crux_reacts=dict(c.reacts).get("crux"),
                          notacrux_reacts=dict(c.reacts).get("notacrux"),
                          retracted=c.retracted or None,
                          stance=s[0] if s else None,
                          stance_confidence=s[1] if s else None,
                          attribution=c.attribution or None, answer=c.answer or None,
                          af=c.af or None, deleted_public=c.deleted_public or None,
                          agreement_votes=c.agreement_votes,
                          react_quotes=[f"{k}:{q}" for k, q in c.react_quotes] or None,
                          position=c.position, thread=threads.get(c.id)))
        if c.author_id:
            rels.append(relationship(WROTE, c.author_id, c.id))
        if c.parent_id:
            rels.append(relationship(REPLIES_TO, c.id, c.parent_id, nesting=c.nesting))
    best: dict[str, Stance] = {}
    for s in m.stances:  # a claim's own stance: its most confident one
        if s.source_claim_id not in best or s.confidence > best[s.source_claim_id].confidence:
            best[s.source_claim_id] = s
    for cl in m.claims:
        st = best.get(cl.id)
        nodes.append(node(cl.id, CLAIM, text=cl.text, start=cl.start, end=cl.end,
                          source_id=cl.source_id, author_id=cl.author_id,
                          kind=cl.kind, role=cl.role,
                          stance=st.stance if st else None,
                          stance_confidence=round(st.confidence, 4) if st else None,
                          stance_evidence=st.evidence if st else None,
                          stance_target=st.target if st else None))
        rels.append(relationship(CONTAINS, cl.source_id, cl.id))
    for s in m.stances:
        if s.target_claim_id == EXTERNAL_TARGET:
            continue  # no node to point at: the stance lives on the claim (stance_target)
        rels.append(relationship(s.rel_type, s.source_claim_id, s.target_claim_id,
                                 confidence=round(s.confidence, 4), evidence=s.evidence,
                                 stance=s.stance, target=s.target))
    for d in m.disagreements:
        nodes.append(node(d.id, DISAGREEMENT, summary=d.summary, status=d.status,
                          confidence=round(d.confidence, 4), crux_note=d.crux_note or None))
        for cid, side in d.sides:
            rels.append(relationship(PARTY_TO, cid, d.id, side=side))
    for x in m.cruxes:
        nodes.append(node(x.id, CRUX, text=x.text, score=round(x.score, 4), kind=x.kind,
                          evidence=x.evidence or None, quote_a=x.quote_a or None,
                          quote_b=x.quote_b or None, authors_a=list(x.authors_a) or None,
                          authors_b=list(x.authors_b) or None, mind_changer=x.mind_changer or None))
        for did in x.disagreement_ids:
            rels.append(relationship(CRUX_OF, x.id, did))
    for tp in m.topics:
        nodes.append(node(tp.id, TOPIC, label=tp.label))
        for cid in tp.claim_ids:
            rels.append(relationship(ABOUT, cid, tp.id))
    for a, b, conf in m.same_as:
        rels.append(relationship(SAME_AS, a, b, confidence=round(conf, 4)))
    return nodes, rels


def record_dict(obj: Any) -> dict[str, Any]:
    """A dataclass record as a plain dict (for JSON and debugging)."""
    return asdict(obj)

