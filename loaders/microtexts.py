"""The arg-microtexts corpus XML (<arggraph>): short texts with gold argument graphs.

The format of Peldszus & Stede's corpus (``micro_*.xml``, DTD ``arggraph.dtd``):
``<edu>`` text segments, ``<adu type="pro|opp">`` argumentative units, and ``<edge>``\\ s:
``seg`` (segment -> unit), ``sup`` (support), ``exa`` (support by example), ``reb``
(rebut), ``und`` (undercut: attacks an edge, i.e. an inference) and ``add`` (a linked
premise joining an edge).

The map: one post whose text is the segments joined by spaces (the corpus's plain
text); each unit is a claim spanning its segments; ``sup``/``exa`` are supports,
``reb``/``und`` attacks (an undercut attacks the premise of the inference it targets,
evidence :data:`~cruxmap.graph.schema.UNDERCUT`), and an ``add`` premise relates like the edge
it joins. The central claim (the unit with no outgoing edge) has kind ``thesis``. When
the text voices an opponent (``opp`` units), proponent and opponent units are the two
sides of one disagreement about the central claim. The text's topic is a topic.
No authors: the writers are anonymous.

Examples
--------
>>> xml = ('<arggraph id="m1" topic_id="pets"><edu id="e1"><![CDATA[Cats are best.]]></edu>'
...        '<edu id="e2"><![CDATA[They purr.]]></edu><adu id="a1" type="pro"/><adu id="a2" type="pro"/>'
...        '<edge id="c1" src="e1" trg="a1" type="seg"/><edge id="c2" src="e2" trg="a2" type="seg"/>'
...        '<edge id="c3" src="a2" trg="a1" type="sup"/></arggraph>')
>>> m = parse(xml)
>>> [(c.text, c.kind) for c in m.claims]
[('Cats are best.', 'thesis'), ('They purr.', 'claim')]
>>> m.stances[0].stance, m.topics[0].label
('agree', 'pets')
"""

from __future__ import annotations

from pathlib import Path

import re
import xml.etree.ElementTree as ET

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import (
    UNDERCUT, Claim, CruxMap, Disagreement, Post, Stance, Thread, Topic, claim_id, stable_id,
)

__all__ = ["parse", "sniff", "parse_microtexts", "read_microtexts"]

_HEAD = re.compile(r"\A\s*(?:<\?xml[^>]*\?>\s*)?(?:<!DOCTYPE[^>]*>\s*)?(?:<!--.*?-->\s*)*<arggraph[\s>]", re.S)
EVIDENCE = {"sup": "support", "exa": "example", "reb": "rebuttal", "und": UNDERCUT}
ATTACKING = {"reb", "und"}


def sniff(text: str) -> bool:
    """An XML document whose root element is ``<arggraph>``."""
    return bool(_HEAD.match(text[:4096]))


def parse(text: str, source: str = "<text>") -> CruxMap:
    """The argument map in one arg-microtexts XML file.

    Raises
    ------
    MalformedInput
        On broken XML, a root that is not ``<arggraph>``, or edges that point at
        nothing.
    """
    try:
        root = ET.fromstring(text.encode("utf-8"))
    except ET.ParseError as e:
        raise MalformedInput(source, f"broken XML ({e})", line=e.position[0]) from None
    except (LookupError, ValueError) as e:  # an XML declaration naming an unknown encoding
        raise MalformedInput(source, f"broken XML ({e})") from None
    if root.tag != "arggraph":
        raise MalformedInput(source, f"root element is <{root.tag}>, expected <arggraph>")
    edus = [(e.get("id"), " ".join((e.text or "").split())) for e in root.iter("edu")]
    adus = {a.get("id"): a.get("type", "pro") for a in root.iter("adu")}
    edges = {e.get("id"): (e.get("src"), e.get("trg"), e.get("type")) for e in root.iter("edge")}
    if not edus or not adus:
        raise MalformedInput(source, "no <edu> or <adu> elements")
    body, spans, at = [], {}, 0
    for eid, t in edus:
        spans[eid] = (at, at + len(t))
        body.append(t)
        at += len(t) + 1
    post = Post(stable_id("post", source, root.get("id", "")), " ".join(body),
                title=root.get("id", ""), source=source, kind="excerpt")
    segments: dict[str, list[str]] = {a: [] for a in adus}
    for src, trg, typ in edges.values():
        if typ == "seg":
            if src not in spans or trg not in adus:
                raise MalformedInput(source, f"seg edge {src} -> {trg} does not join a segment to a unit")
            segments[trg].append(src)
    claims: dict[str, Claim] = {}
    for aid in adus:
        if not segments[aid]:
            raise MalformedInput(source, f"unit {aid} has no segment")
        start, end = min(spans[e][0] for e in segments[aid]), max(spans[e][1] for e in segments[aid])
        claims[aid] = Claim(claim_id(post.id, start, end), post.id, start, end, post.text[start:end])
    relations = _relations(edges, adus, source)
    central = [a for a in adus if not any(r[0] == a for r in relations)]
    stances = tuple(Stance(claims[s].id, claims[t].id, "disagree" if typ in ATTACKING else "agree", 1.0,
                           EVIDENCE[typ], "annotation") for s, t, typ in relations)
    role = {}
    for s, _, typ in relations:
        role.setdefault(s, "attack" if typ in ATTACKING else "support")
    claim_list = tuple(Claim(c.id, c.source_id, c.start, c.end, c.text, None,
                             kind="thesis" if a in central else "claim", role=role.get(a, "claim"))
                       for a, c in claims.items())
    disagreements = ()
    if "opp" in adus.values() and central:
        disagreements = (Disagreement(
            stable_id("disagreement", source, root.get("id", "")), claims[central[0]].text, "open",
            tuple((claims[a].id, "b" if t == "opp" else "a") for a, t in adus.items()), 1.0),)
    topics = (Topic(stable_id("topic", root.get("topic_id")), root.get("topic_id"),
                    tuple(c.id for c in claim_list)),) if root.get("topic_id") else ()
    return CruxMap(thread=Thread(source=source, posts=(post,)), claims=claim_list, stances=stances,
                   disagreements=disagreements, topics=topics)


def _relations(edges: dict[str, tuple[str, str, str]], adus: dict[str, str],
               source: str) -> list[tuple[str, str, str]]:
    """(unit, unit it supports or attacks, edge type) for every argumentative edge."""
    def effective(eid: str, seen: frozenset[str] = frozenset()) -> tuple[str, str]:
        """The target unit and type of edge ``eid`` (an ``add`` takes those of the edge it joins)."""
        if eid in seen or eid not in edges:
            raise MalformedInput(source, f"edge {eid} is missing or part of a cycle")
        src, trg, typ = edges[eid]
        if typ == "add":
            return effective(trg, seen | {eid})
        if trg in adus:
            return trg, typ
        if trg in edges:  # an edge on an edge (undercut): it meets the premise of that inference
            inner_src = edges[trg][0]
            return (inner_src if inner_src in adus else effective(trg, seen | {eid})[0]), typ
        raise MalformedInput(source, f"edge {eid} points at {trg}, which is not in the file")

    out = []
    for eid, (src, _, typ) in edges.items():
        if typ == "seg":
            continue
        if typ not in EVIDENCE and typ != "add":
            raise MalformedInput(source, f"edge {eid} has unknown type {typ!r}")
        target, kind = effective(eid)
        if src in adus and target != src:
            out.append((src, target, kind))
    return out


parse_microtexts = parse


def read_microtexts(path: str | Path) -> CruxMap:
    """Read and parse one file (see :func:`cruxmap.loaders.read`)."""
    from cruxmap import loaders  # the registry imports this module: import it when called

    return loaders.read(path, fmt="arg-microtexts")
