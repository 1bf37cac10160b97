"""Argdown: claims as statements tagged with their author, and how they support or attack each other.

A person can read and fix the map by hand and import it back (:mod:`cruxmap.loaders.argdown`);
the file passes the real Argdown parser (``@argdown/cli``) without errors. Layout::

    ===
    title: "Remote work"
    generator: cruxmap
    ===

    # Ann Lee

    [Ann Lee 1]: Remote work makes teams more productive. #(Ann Lee)

    [Ann Lee 2]: Hallway chats matter less than deep work. #(Ann Lee)
      _> [Bob 1]

    # Bob

    [Bob 1]: Teams lose the hallway conversations. #Bob
      -> [Ann Lee 1]

    # Disagreement: Does remote work help? {status: "open", confidence: 0.85}

    ## Side A

    [Ann Lee 1]

    ## Side B

    [Bob 1]

    ## Cruxes

    [Crux 1]: Whether hallway conversations drive new ideas. #crux {score: 0.9, kind: "implicit"}

    # Topic: remote work

    [Ann Lee 1]

* Each author gets a section; their claims are statements titled ``<name> <n>`` and
  tagged ``#<name>`` (``#(<name>)`` when the name has spaces or punctuation); claims
  without an author go under ``# Unattributed``, titled ``Claim <n>``.
* Under each claim, its stances: ``+>`` supports, ``->`` attacks, ``_>`` undercuts
  (an attack whose evidence is :data:`cruxmap.graph.schema.UNDERCUT`).
* Each disagreement is a section with its status and confidence as data, its sides as
  sub-sections listing the claims, and its cruxes as statements tagged ``#crux`` with
  their score and kind as data. Each topic is a section listing its claims.
* Text is one line per statement; Argdown's special characters (``\\ * _ # [ ] < > { } @``,
  ``//``, ``/*`` and ``.x.``/``:x:`` runs) are backslash-escaped so they read as text.

Not carried: the posts and comments themselves (only the claims), claims that say the
same thing, stance confidences and evidence (other than undercut).

See Also
--------
cruxmap.loaders.argdown : reads Argdown (this layout and more) into a map.
"""

from __future__ import annotations

from pathlib import Path

import json
import re
from typing import Iterator

from cruxmap.graph.exports._view import MapView
from cruxmap.graph.schema import SUPPORTS, UNDERCUT
from cruxmap.graph.store import GraphStore

NAME = "argdown"
EXTENSION = ".argdown"
MEDIA_TYPE = "text/x-argdown"
BINARY = False

__all__ = ["generate", "generate_argdown", "write_argdown", "argdown_escape", "argdown_tag"]

#: Section and sub-section titles the importer recognises (keep in step with loaders.argdown).
UNATTRIBUTED = "Unattributed"
DISAGREEMENT_PREFIX = "Disagreement:"
TOPIC_PREFIX = "Topic:"
SIDE_TITLES = {"a": "Side A", "b": "Side B"}
CRUXES_TITLE = "Cruxes"
CRUX_TAG = "crux"

_ALWAYS = set("\\*_#[]<>{}@")
_PAIRED = re.compile(r"[.:]")  # '.x.' and ':x:' runs are Argdown's special characters


def argdown_escape(text: str) -> str:
    """``text`` on one line, with Argdown's control characters escaped.

    Examples
    --------
    >>> print(argdown_escape("a_b *c* e.g. http://x.org #1"))
    a\\_b \\*c\\* e\\.g. http:\\//x.org \\#1
    """
    text = " ".join(text.split())
    out = []
    for i, ch in enumerate(text):
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if ch in _ALWAYS:
            out.append("\\" + ch)
        elif ch == "/" and nxt in "/*":
            out.append("\\/")
        elif ch in ".:" and re.match(rf"\{ch}\S+?\{ch}", text[i:]):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def argdown_tag(name: str) -> str:
    """An Argdown tag for ``name``: ``#Bob``, or ``#(Ann Lee)`` when it needs brackets.

    Examples
    --------
    >>> argdown_tag("Bob"), argdown_tag("Ann Lee")
    ('#Bob', '#(Ann Lee)')
    """
    name = " ".join(name.split()).replace(")", "\uff09")  # ')' would end the tag
    return f"#{name}" if re.fullmatch(r"[A-Za-z0-9-]+", name) else f"#({name})"


def _title(name: str) -> str:
    return " ".join(re.sub(r"[\[\]]", "", name).split()).lstrip("-") or "Claim"


def _data(d: dict[str, object]) -> str:
    """A YAML flow map that is also JSON, with braces escaped inside strings (Argdown's data rule)."""
    parts = []
    for k, v in d.items():
        val = json.dumps(v, ensure_ascii=False).replace("{", "\\u007b").replace("}", "\\u007d")
        parts.append(f"{k}: {val}")
    return "{" + ", ".join(parts) + "}"


def _frontmatter(title: str) -> str:
    return f"===\ntitle: {json.dumps(title, ensure_ascii=False)}\ngenerator: cruxmap\n===\n\n"


def generate(store: GraphStore) -> Iterator[str]:
    """The Argdown document, section by section."""
    v = MapView.load(store)
    titles = [n["properties"].get("title") for n in v.items if n["properties"].get("title")]
    yield _frontmatter(str(titles[0]) if titles else "cruxmap map")
    yield ("// cruxmap map: claims are statements tagged with their author; +> supports, -> attacks,\n"
           "// _> undercuts. Then each disagreement (its sides and cruxes) and each topic.\n\n")
    by_author: dict[str | None, list[str]] = {}
    for c in v.claims:
        aid = v.claim_author(c["id"])
        by_author.setdefault(aid if v.name(aid) else None, []).append(c["id"])
    sections = [(a["id"], v.name(a["id"])) for a in v.authors if a["id"] in by_author]
    if None in by_author:
        sections.append((None, ""))
    title_of: dict[str, str] = {}
    order: list[str] = []  # claims in the order they are defined here
    for aid, name in sections:
        for n, cid in enumerate(by_author[aid], 1):
            title_of[cid] = f"{_title(name) if name else 'Claim'} {n}"
            order.append(cid)
    pos = {cid: i for i, cid in enumerate(order)}
    stances: dict[str, list[tuple[str, str]]] = {}
    for r in v.stances():
        arrow = "+>" if r["type"] == SUPPORTS else ("_>" if r["properties"].get("evidence") == UNDERCUT else "->")
        stances.setdefault(r["start"], []).append((arrow, r["end"]))
    for aid, name in sections:
        yield f"# {argdown_escape(name) if name else UNATTRIBUTED}\n\n"
        for cid in by_author[aid]:
            tag = f" {argdown_tag(name)}" if name else ""
            yield f"[{title_of[cid]}]: {argdown_escape(v.text(cid))}{tag}\n"
            for arrow, target in sorted(stances.get(cid, []), key=lambda s: (pos[s[1]], s[0])):
                yield f"  {arrow} [{title_of[target]}]\n"
            yield "\n"
    crux_title: dict[str, str] = {}
    for d in v.disagreements:
        yield (f"# {DISAGREEMENT_PREFIX} {argdown_escape(d.summary)} "
               f"{_data({'status': d.status, 'confidence': round(d.confidence, 4)})}\n\n")
        for side in ("a", "b"):
            cids = sorted((c for c in d.sides.get(side, []) if c in pos), key=pos.__getitem__)
            if cids:
                yield f"## {SIDE_TITLES[side]}\n\n" + "".join(f"[{title_of[c]}]\n\n" for c in cids)
        if d.cruxes:
            yield f"## {CRUXES_TITLE}\n\n"
            for xid in d.cruxes:
                if xid in crux_title:
                    yield f"[{crux_title[xid]}]\n\n"
                    continue
                crux_title[xid] = f"Crux {len(crux_title) + 1}"
                p = v.props(xid)
                data = {"score": round(float(p.get("score", 0) or 0), 4), "kind": str(p.get("kind", ""))}
                if p.get("evidence"):
                    data["evidence"] = str(p["evidence"])
                yield (f"[{crux_title[xid]}]: {argdown_escape(str(p.get('text', '')))} "
                       f"{argdown_tag(CRUX_TAG)} {_data(data)}\n\n")
    for t in v.topics:
        cids = sorted((c for c in v.topic_claims(t["id"]) if c in pos), key=pos.__getitem__)
        yield f"# {TOPIC_PREFIX} {argdown_escape(str(t['properties'].get('label', '')))}\n\n"
        yield "".join(f"[{title_of[c]}]\n\n" for c in cids)


generate_argdown = generate


def write_argdown(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the Argdown document for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
