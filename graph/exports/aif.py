"""AIF: the Argument Interchange Format as JSON (xAIF, the shape OVA3 and AIFdb tools read).

Mapping (Inference Anchoring Theory, as AIFdb corpora use it):

* each author is a participant (``participantID``, ``firstname``, ``surname``);
* each post and comment is a locution: an ``L`` node whose text is ``"<name> : <text>"``
  and a ``locutions`` entry with its ``personID``, ``timestamp`` and source URL;
* each claim is an ``I`` node, anchored to the locution it was said in by a ``YA``
  node (``Asserting``): ``L -> YA -> I``;
* a reply is a ``TA`` node (``Default Transition``) from the locution it answers to
  the reply: ``L(parent) -> TA -> L(reply)``;
* a support is an ``RA`` node (``Default Inference``), an attack a ``CA`` node
  (``Default Conflict``), two claims that say the same an ``MA`` node
  (``Default Rephrase``): ``I -> RA/CA/MA -> I``.

Node and edge ids are ``"1"``, ``"2"``, ... in the order above, so the same map always
gives the same file. Timestamps are ``YYYY-MM-DD HH:MM:SS`` (UTC) where the source gave
an ISO 8601 time. Not carried (AIF has no place for them): disagreements, cruxes,
topics, scores, stance confidences, and undercuts (they become plain conflicts).

See Also
--------
cruxmap.loaders.aif : reads AIF (this and AIFdb's own files) into a map.

Examples
--------
>>> import json
>>> from cruxmap.graph.nx_store import NxStore
>>> json.loads("".join(generate(NxStore(":memory:"))))["AIF"]["nodes"]
[]
"""

from __future__ import annotations

from pathlib import Path

import json
import re
from datetime import datetime, timezone
from typing import Any, Iterator

from cruxmap.graph.exports._view import MapView
from cruxmap.graph.exports.dot import safe_url
from cruxmap.graph.schema import SUPPORTS
from cruxmap.graph.store import GraphStore

NAME = "aif"
EXTENSION = ".json"
MEDIA_TYPE = "application/json"
BINARY = False

__all__ = ["generate", "generate_aif", "write_aif", "aif_document", "aif_timestamp", "split_name"]

#: Scheme texts AIFdb uses for the default node of each type.
TEXTS = {"RA": "Default Inference", "CA": "Default Conflict", "MA": "Default Rephrase",
         "YA": "Asserting", "TA": "Default Transition"}


def aif_timestamp(posted_at: object) -> str:
    """``posted_at`` as AIFdb's ``YYYY-MM-DD HH:MM:SS`` (UTC), or '' when it is not ISO 8601.

    Examples
    --------
    >>> aif_timestamp("2024-05-01T12:00:00+02:00"), aif_timestamp("3h")
    ('2024-05-01 10:00:00', '')
    """
    s = str(posted_at or "").strip()
    if not re.match(r"\d{4}-\d{2}-\d{2}", s):
        return ""
    try:
        t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return ""
    if t.tzinfo is not None:
        t = t.astimezone(timezone.utc).replace(tzinfo=None)
    return t.strftime("%Y-%m-%d %H:%M:%S")


def split_name(name: str) -> tuple[str, str]:
    """A display name as AIF's (firstname, surname): the first word, and the rest."""
    first, _, rest = " ".join(name.split()).partition(" ")
    return first, rest


def aif_document(store: GraphStore) -> dict[str, Any]:
    """The xAIF document as a dict."""
    v = MapView.load(store)
    nodes: list[dict[str, Any]] = []
    edges: list[dict[str, Any]] = []

    def add_node(kind: str, text: str, timestamp: str = "") -> str:
        nid = str(len(nodes) + 1)
        node = {"nodeID": nid, "text": text, "type": kind}
        if timestamp:
            node["timestamp"] = timestamp
        nodes.append(node)
        return nid

    def link(a: str, b: str) -> None:
        edges.append({"edgeID": str(len(edges) + 1), "fromID": a, "toID": b, "formEdgeID": None})

    person = {a["id"]: i for i, a in enumerate(v.authors, 1)}
    participants = [{"participantID": person[a["id"]], "firstname": split_name(v.name(a["id"]))[0],
                     "surname": split_name(v.name(a["id"]))[1]} for a in v.authors]
    locutions = []
    l_node: dict[str, str] = {}
    transcript = []
    for item in v.items:
        p = item["properties"]
        aid = v.item_author(item["id"])
        name = v.name(aid)
        text = str(p.get("text", ""))
        stamp = aif_timestamp(p.get("posted_at"))
        l_node[item["id"]] = add_node("L", f"{name} : {text}" if name else text, stamp)
        transcript.append(f"{name}: {text}" if name else text)
        if aid in person:
            loc: dict[str, Any] = {"nodeID": l_node[item["id"]], "personID": person[aid]}
            if stamp:
                loc["timestamp"] = stamp
            if safe_url(p.get("url")):
                loc["source"] = safe_url(p.get("url"))
            locutions.append(loc)
    i_node: dict[str, str] = {}
    for c in v.claims:
        i_node[c["id"]] = add_node("I", v.text(c["id"]))
        item = v.claim_item(c["id"])
        if item in l_node:
            ya = add_node("YA", TEXTS["YA"])
            link(l_node[item], ya)
            link(ya, i_node[c["id"]])
    for item in v.items:
        parent = v.parent(item["id"])
        if parent in l_node:
            ta = add_node("TA", TEXTS["TA"])
            link(l_node[parent], ta)
            link(ta, l_node[item["id"]])
    for r in v.stances():
        kind = "RA" if r["type"] == SUPPORTS else "CA"
        s = add_node(kind, TEXTS[kind])
        link(i_node[r["start"]], s)
        link(s, i_node[r["end"]])
    for r in v.same_as():
        s = add_node("MA", TEXTS["MA"])
        link(i_node[r["start"]], s)
        link(s, i_node[r["end"]])
    aif = {"nodes": nodes, "edges": edges, "locutions": locutions, "participants": participants,
           "schemefulfillments": [], "descriptorfulfillments": []}
    return {"AIF": aif, "text": "\n\n".join(transcript), "dialog": bool(locutions)}


def generate(store: GraphStore) -> Iterator[str]:
    """The xAIF JSON document (one piece)."""
    yield json.dumps(aif_document(store), ensure_ascii=False, indent=1) + "\n"


generate_aif = generate


def write_aif(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the xAIF document for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
