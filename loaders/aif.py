"""AIF JSON (Argument Interchange Format) as an argument map: xAIF/OVA3 files and AIFdb nodesets.

Reads both shapes AIF tools write: xAIF (``{"AIF": {"nodes", "edges", "locutions",
"participants"}, "text": ...}``, what OVA3 and :mod:`cruxmap.graph.exports.aif` write) and the
plain AIFdb nodeset (``{"nodes", "edges", "locutions"}`` at the top, ids as strings
or numbers, speakers given only in the ``"Name : text"`` of each L node).

* ``L`` nodes (locutions) become posts and comments: a locution that a ``TA``
  transition leads to is a comment replying to the locution it comes from, the others
  are posts. The speaker is the locution's participant, else the ``Name :`` prefix.
* ``I`` nodes become claims. A claim is a span of the locution it is anchored to
  (``L -> YA -> I``) when its text occurs there verbatim; otherwise (AIFdb's
  reconstructed propositions) it is a span of one extra post, kind ``excerpt``, holding
  those texts one after another, so ``claim.text == item.text[start:end]`` always holds.
* ``RA`` gives supports from each premise to the conclusion, ``CA`` an attack (a
  ``CA`` on an ``RA`` is an undercut: an attack, evidence
  :data:`~cruxmap.graph.schema.UNDERCUT`, on the inference's premises), ``MA`` (rephrase) a
  same-as link. Other nodes (``PA``, ``YA`` on transitions, ...) carry no claim.

Examples
--------
>>> doc = ('{"nodes": [{"nodeID": "1", "text": "Bob : Cats purr.", "type": "L"},'
...        ' {"nodeID": "2", "text": "Cats purr.", "type": "I"}, {"nodeID": "3", "text": "Asserting", "type": "YA"}],'
...        ' "edges": [{"edgeID": "1", "fromID": "1", "toID": "3"}, {"edgeID": "2", "fromID": "3", "toID": "2"}],'
...        ' "locutions": []}')
>>> m = parse(doc)
>>> m.thread.posts[0].text, m.thread.authors[0].name, m.claims[0].text
('Cats purr.', 'Bob', 'Cats purr.')
"""

from __future__ import annotations

from pathlib import Path

import json
import re
from collections import defaultdict
from typing import Any

from cruxmap.graph.errors import MalformedInput
from cruxmap.loaders._text import JSONValueError, json_value
from cruxmap.graph.schema import (
    UNDERCUT, Author, Claim, Comment, CruxMap, Post, Stance, Thread, author_id, claim_id, stable_id,
)

__all__ = ["parse", "sniff", "parse_aif", "read_aif"]

_JSON_OBJECT = re.compile(r"\A\s*\{")
_SPEAKER = re.compile(r"\A(.{1,100}?) : ", re.S)


def sniff(text: str) -> bool:
    """A JSON object with AIF's ``"nodes"`` holding ``"nodeID"``s."""
    head = text[:8192]
    return bool(_JSON_OBJECT.match(head)) and '"nodeID"' in head and '"nodes"' in head


def _aif(doc: Any, source: str) -> dict[str, Any]:
    aif = doc.get("AIF", doc) if isinstance(doc, dict) else None
    if not isinstance(aif, dict) or not isinstance(aif.get("nodes"), list) or not isinstance(aif.get("edges"), list):
        raise MalformedInput(source, 'not AIF JSON (expected "nodes" and "edges" lists, at the top or under "AIF")')
    return aif


def _nodes(aif: dict[str, Any], source: str) -> dict[str, dict[str, Any]]:
    nodes: dict[str, dict[str, Any]] = {}
    for i, n in enumerate(aif["nodes"]):
        if not isinstance(n, dict) or "nodeID" not in n or "type" not in n:
            raise MalformedInput(source, f"AIF node {i} has no nodeID or type")
        nid = str(n["nodeID"])
        if nid in nodes:
            raise MalformedInput(source, f"AIF nodeID {nid} is used twice")
        nodes[nid] = {**n, "nodeID": nid, "type": str(n["type"]), "text": str(n.get("text") or "")}
    return nodes


def _edges(aif: dict[str, Any], nodes: dict[str, Any], source: str) -> list[tuple[str, str]]:
    edges = []
    for i, e in enumerate(aif["edges"]):
        if not isinstance(e, dict) or "fromID" not in e or "toID" not in e:
            raise MalformedInput(source, f"AIF edge {i} has no fromID or toID")
        a, b = str(e["fromID"]), str(e["toID"])
        for end in (a, b):
            if end not in nodes:
                raise MalformedInput(source, f"AIF edge {e.get('edgeID', i)} points at node {end}, which is not in the file")
        edges.append((a, b))
    return edges


def _people(aif: dict[str, Any]) -> tuple[dict[str, str], dict[str, str]]:
    """(participant id -> name, L node id -> participant id)."""
    names = {}
    for p in aif.get("participants") or []:
        if isinstance(p, dict) and "participantID" in p:
            parts = [str(p.get(k) or "").strip() for k in ("firstname", "surname")]
            names[str(p["participantID"])] = " ".join(x for x in parts if x and x != "None")
    speaker = {str(loc["nodeID"]): str(loc["personID"]) for loc in aif.get("locutions") or []
               if isinstance(loc, dict) and "nodeID" in loc and loc.get("personID") is not None}
    return names, speaker


def parse(text: str, source: str = "<text>") -> CruxMap:
    """The argument map in an AIF JSON document.

    Raises
    ------
    MalformedInput
        On broken JSON, a document that is not AIF, edges pointing at missing nodes, or
        a file with no L or I nodes.
    """
    try:
        doc = json_value(text)
    except JSONValueError as e:
        raise MalformedInput(source, str(e)) from None
    except json.JSONDecodeError as e:
        raise MalformedInput(source, f"broken JSON ({e.msg})", line=e.lineno) from None
    aif = _aif(doc, source)
    nodes = _nodes(aif, source)
    edges = _edges(aif, nodes, source)
    out_of, into = defaultdict(list), defaultdict(list)
    for a, b in edges:
        out_of[a].append(b)
        into[b].append(a)
    kind = {nid: n["type"] for nid, n in nodes.items()}
    if not any(k in ("L", "I") for k in kind.values()):
        raise MalformedInput(source, "AIF file has no L or I nodes")
    names, speaker = _people(aif)
    locution = {str(loc["nodeID"]): loc for loc in aif.get("locutions") or [] if isinstance(loc, dict) and "nodeID" in loc}

    authors: dict[str, Author] = {}
    items: dict[str, Post | Comment] = {}
    parent_of = {}
    for nid in kind:
        if kind[nid] == "TA":
            for a in into[nid]:
                for b in out_of[nid]:
                    if kind.get(a) == "L" and kind.get(b) == "L":
                        parent_of.setdefault(b, a)
    for nid, n in nodes.items():
        if n["type"] != "L":
            continue
        name, body = names.get(speaker.get(nid, ""), ""), n["text"]
        m = _SPEAKER.match(body)
        if m and (not name or m.group(1).strip() == name):
            name, body = m.group(1).strip(), body[m.end():]
        aid = None
        if name:
            aid = author_id(name)
            authors.setdefault(aid, Author(aid, name))
        loc = locution.get(nid, {})
        stamp = str(n.get("timestamp") or loc.get("timestamp") or "")
        url = str(loc.get("source") or "") if str(loc.get("source") or "").startswith(("http://", "https://")) else ""
        iid = stable_id("aif", source, nid)
        if nid in parent_of:
            items[nid] = Comment(iid, body, parent_id=stable_id("aif", source, parent_of[nid]), author_id=aid,
                                 url=url, posted_at=stamp, source=source)
        else:
            items[nid] = Post(iid, body, author_id=aid, url=url, posted_at=stamp, source=source)
    root = {nid: nid for nid in items}
    for nid in items:  # comments belong to the post their reply chain starts from
        seen, cur = set(), nid
        while cur in parent_of and cur not in seen:
            seen.add(cur)
            cur = parent_of[cur]
        root[nid] = cur
    for nid, it in items.items():
        if isinstance(it, Comment):
            items[nid] = Comment(**{**it.__dict__, "post_id": items[root[nid]].id})

    claims, extra = _claims(nodes, kind, into, items, authors, source)
    claim_of = {nid: c for nid, c in claims.items()}
    stances, same_as = _relations(nodes, kind, into, out_of, claim_of)
    posts = [it for it in items.values() if isinstance(it, Post)] + ([extra] if extra else [])
    comments = [it for it in items.values() if isinstance(it, Comment)]
    thread = Thread(source=source, posts=tuple(posts), comments=tuple(comments), authors=tuple(authors.values()))
    return CruxMap(thread=thread, claims=tuple(claims.values()), stances=stances, same_as=same_as)


def _claims(nodes: dict[str, Any], kind: dict[str, str], into: dict[str, list[str]],
            items: dict[str, Post | Comment], authors: dict[str, Author],
            source: str) -> tuple[dict[str, Claim], Post | None]:
    """Claims for I nodes: spans of their locution where the text is there, else of one extra post."""
    claims: dict[str, Claim] = {}
    used: dict[str, set[int]] = defaultdict(set)
    loose: list[tuple[str, str | None]] = []
    for nid, n in nodes.items():
        if n["type"] != "I":
            continue
        anchors = [l for ya in into[nid] if kind.get(ya) == "YA" for l in into[ya] if kind.get(l) == "L"]
        item = items.get(anchors[0]) if anchors else None
        text = n["text"]
        if item is not None and text:
            starts = [m.start() for m in re.finditer(re.escape(text), item.text)]
            free = [s for s in starts if s not in used[item.id]]
            if starts:
                start = (free or starts)[0]
                used[item.id].add(start)
                claims[nid] = Claim(claim_id(item.id, start, start + len(text)), item.id, start,
                                    start + len(text), text, item.author_id)
                continue
        loose.append((nid, item.author_id if item is not None else None))
    if not loose:
        return claims, None
    texts = [nodes[nid]["text"] for nid, _ in loose]
    extra = Post(stable_id("post", source, "aif-propositions"), "\n\n".join(texts), title="Propositions",
                 source=source, kind="excerpt")
    start = 0
    for (nid, aid), text in zip(loose, texts):
        claims[nid] = Claim(claim_id(extra.id, start, start + len(text)), extra.id, start, start + len(text), text, aid)
        start += len(text) + 2
    return claims, extra


def _relations(nodes: dict[str, Any], kind: dict[str, str], into: dict[str, list[str]],
               out_of: dict[str, list[str]], claim_of: dict[str, Claim]
               ) -> tuple[tuple[Stance, ...], tuple[tuple[str, str, float], ...]]:
    stances: list[Stance] = []
    same_as: list[tuple[str, str, float]] = []
    seen: set[tuple[str, str, str]] = set()

    def add(a: str, b: str, stance: str, evidence: str = "") -> None:
        if a in claim_of and b in claim_of and a != b and (a, b, stance) not in seen:
            seen.add((a, b, stance))
            stances.append(Stance(claim_of[a].id, claim_of[b].id, stance, 1.0, evidence, "annotation"))

    for nid, n in nodes.items():
        t = n["type"]
        sources = [x for x in into[nid] if kind.get(x) == "I"]
        for target in out_of[nid]:
            if t == "RA" and kind.get(target) == "I":
                for s in sources:
                    add(s, target, "agree")
            elif t == "CA" and kind.get(target) == "I":
                for s in sources:
                    add(s, target, "disagree")
            elif t == "CA" and kind.get(target) == "RA":  # an undercut: the inference is attacked
                for premise in (x for x in into[target] if kind.get(x) == "I"):
                    for s in sources:
                        add(s, premise, "disagree", UNDERCUT)
            elif t == "MA" and kind.get(target) == "I":
                same_as.extend((claim_of[s].id, claim_of[target].id, 1.0) for s in sources
                               if s in claim_of and target in claim_of and s != target)
    return tuple(stances), tuple(same_as)


parse_aif = parse


def read_aif(path: str | Path) -> CruxMap:
    """Read and parse one file (see :func:`cruxmap.loaders.read`)."""
    from cruxmap import loaders  # the registry imports this module: import it when called

    return loaders.read(path, fmt="aif")
