"""Kialo text exports (1. / 1.1. Pro: / 1.1.2. Con:) as an argument map.

A Kialo discussion is a tree: the thesis (``1.``), and under every claim the claims
for it (``Pro``) and against it (``Con``). ``-> See 1.2.`` lines link a claim that
also stands elsewhere. A line that starts with no number continues the claim above.

The map: one post (kind ``excerpt``, titled with the ``Discussion Title``) whose text
is the claims one after another, each claim a span of it; a support for each ``Pro``
and an attack for each ``Con`` (confidence 1); and one disagreement over the thesis,
whose sides follow the tree (a ``Pro`` stands with its parent, a ``Con`` against).
Kialo exports carry no authors.

Examples
--------
>>> m = parse("Discussion Title: Pets\\n\\n1. Cats are best.\\n1.1. Pro: They purr.\\n1.2. Con: They scratch.\\n")
>>> [(s.stance, s.confidence) for s in m.stances]
[('agree', 1.0), ('disagree', 1.0)]
>>> m.disagreements[0].sides[2]
('claim:post:...:28-41', 'b')
"""

from __future__ import annotations

from pathlib import Path

import re

from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import Claim, CruxMap, Disagreement, Post, Stance, Thread, claim_id, stable_id

__all__ = ["parse", "sniff", "parse_kialo", "read_kialo"]

_TITLE = re.compile(r"^\ufeff?Discussion Title:[ \t]*(.*)$")
_LINE = re.compile(r"^(\d+(?:\.\d+)*)\.[ \t]+(?:(Pro|Con):[ \t]*)?(.*)$")
_SEE = re.compile(r"^->[ \t]*See[ \t]+(\d+(?:\.\d+)*)\.?[ \t]*$")
_CHILD = re.compile(r"^1\.\d+\.[ \t]+(?:Pro|Con):", re.M)


def sniff(text: str) -> bool:
    """A ``Discussion Title:`` line first, or a ``1.`` thesis followed by ``1.N. Pro:``/``Con:`` lines."""
    head = text[:8192].lstrip("\ufeff")
    first = next((line for line in head.splitlines() if line.strip()), "")
    return bool(_TITLE.match(first)) or (bool(re.match(r"^1\.[ \t]+\S", first)) and bool(_CHILD.search(head)))


def parse(text: str, source: str = "<text>") -> CruxMap:
    """The argument map in a Kialo text export.

    Raises
    ------
    MalformedInput
        When there is no ``1.`` thesis, a claim's parent is missing, or a link points
        at a claim that is not in the file.
    """
    title, entries = "", []  # (number, kind, text, line)
    for no, line in enumerate(text.splitlines(), 1):
        if not entries and not title and (m := _TITLE.match(line)):
            title = m.group(1).strip()
        elif m := _LINE.match(line.strip()):
            entries.append([m.group(1), m.group(2), m.group(3).strip(), no])
        elif line.strip() and entries:
            entries[-1][2] += "\n" + line.strip()
        elif line.strip():
            raise MalformedInput(source, "expected a Kialo line like '1. Thesis' here", line=no)
    if not entries or entries[0][0] != "1":
        raise MalformedInput(source, "no '1.' thesis: not a Kialo text export")
    claims_text = [(num, kind, txt, no) for num, kind, txt, no in entries if not _SEE.match(txt)]
    body = "\n\n".join(t for _, _, t, _ in claims_text)
    post = Post(stable_id("post", source, "kialo", title), body, title=title, source=source, kind="excerpt")
    claims: dict[str, Claim] = {}
    start = 0
    for num, _, txt, _ in claims_text:
        claims[num] = Claim(claim_id(post.id, start, start + len(txt)), post.id, start, start + len(txt), txt)
        start += len(txt) + 2
    stances, side = [], {"1": "a"}
    for num, kind, txt, no in entries:
        if num == "1":
            continue
        parent = num.rsplit(".", 1)[0]
        if parent not in claims:
            raise MalformedInput(source, f"claim {num} has no parent {parent} above it", line=no)
        see = _SEE.match(txt)
        target = see.group(1) if see else num
        if target not in claims:
            raise MalformedInput(source, f"link to {target}, which is not in the file", line=no)
        agree = kind != "Con"
        stances.append(Stance(claims[target].id, claims[parent].id, "agree" if agree else "disagree", 1.0,
                              "kialo", "annotation"))
        if parent in side and target not in side:
            side[target] = side[parent] if agree else ("b" if side[parent] == "a" else "a")
    roles = {s.source_claim_id: "support" if s.stance == "agree" else "attack" for s in reversed(stances)}
    claim_list = tuple(Claim(c.id, c.source_id, c.start, c.end, c.text, role=roles.get(c.id, "claim"))
                       for c in claims.values())
    disagreement = Disagreement(stable_id("disagreement", source, "kialo", title), title or claims["1"].text,
                                "open", tuple((claims[n].id, s) for n, s in side.items()), 0.5)
    return CruxMap(thread=Thread(source=source, posts=(post,)), claims=claim_list, stances=tuple(stances),
                   disagreements=(disagreement,))


parse_kialo = parse


def read_kialo(path: str | Path) -> CruxMap:
    """Read and parse one file (see :func:`cruxmap.loaders.read`)."""
    from cruxmap import loaders  # the registry imports this module: import it when called

    return loaders.read(path, fmt="kialo")
