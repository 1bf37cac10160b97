"""The author x claim stance matrix as the CSV files Polis exports (its "openData" layout), zipped.

Polis conversations are participants voting on comments; here the participants are
the map's authors and the comments its claims. The zip holds:

* ``participants-votes.csv``: ``participant, group-id, n-comments, n-votes, n-agree,
  n-disagree``, then one column per claim (named by its comment id) holding the
  author's vote: ``1`` agree, ``-1`` disagree, empty when the author took no stance;
* ``comments.csv``: ``timestamp, datetime, comment-id, author-id, agrees, disagrees,
  moderated, comment-body``.

An author agrees with their own claims (as Polis counts an author's own comment), and
with a claim one of their claims supports; they disagree with a claim one of their
claims attacks (when both, the more confident side wins). ``group-id`` is the side
(``0`` for a, ``1`` for b) the author stands on in most disagreements, empty when none.
``timestamp`` is milliseconds since 1970 where the claim's post or comment has an ISO
time. Participant and comment ids are ``0, 1, ...`` in author-name and claim order.

Examples
--------
>>> import io, zipfile
>>> from cruxmap.graph.nx_store import NxStore
>>> z = zipfile.ZipFile(io.BytesIO(b"".join(generate(NxStore(":memory:")))))
>>> sorted(z.namelist())
['comments.csv', 'participants-votes.csv']
"""

from __future__ import annotations

from pathlib import Path

import csv
import io
import zipfile
from collections import Counter, defaultdict
from datetime import datetime, timezone
from typing import Iterator

from cruxmap.graph.exports._view import MapView
from cruxmap.graph.schema import SUPPORTS
from cruxmap.graph.exports._cells import formula_safe
from cruxmap.graph.store import GraphStore

NAME = "polis"
EXTENSION = ".zip"
MEDIA_TYPE = "application/zip"
BINARY = True

__all__ = ["generate", "generate_polis", "write_polis", "votes"]

_ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def votes(v: MapView) -> dict[tuple[str, str], int]:
    """``{(author id, claim id): 1 | -1}`` for the stances the map records."""
    weight: dict[tuple[str, str], float] = defaultdict(float)
    out: dict[tuple[str, str], int] = {}
    for r in v.stances():
        aid = v.claim_author(r["start"])
        if aid:
            sign = 1 if r["type"] == SUPPORTS else -1
            weight[(aid, r["end"])] += sign * float(r["properties"].get("confidence", 1.0) or 1.0)
    for key, w in weight.items():
        if w:
            out[key] = 1 if w > 0 else -1
    for c in v.claims:
        aid = v.claim_author(c["id"])
        if aid:
            out[(aid, c["id"])] = 1
    return out


def _millis(posted_at: object) -> tuple[str, str]:
    s = str(posted_at or "")
    try:
        t = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        return "", s
    if t.tzinfo is None:
        t = t.replace(tzinfo=timezone.utc)
    return str(int(t.timestamp() * 1000)), s


def _csv(rows: list[list[object]]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows([formula_safe(c) for c in row] for row in rows)
    return buf.getvalue()


def generate(store: GraphStore) -> Iterator[bytes]:
    """The zip with ``participants-votes.csv`` and ``comments.csv`` (one piece)."""
    v = MapView.load(store)
    authors = [a["id"] for a in v.authors]
    claims = [c["id"] for c in v.claims]
    pid = {a: i for i, a in enumerate(authors)}
    vote = votes(v)
    sides: dict[str, Counter[str]] = defaultdict(Counter)
    for d in v.disagreements:
        for side, cids in d.sides.items():
            for cid in cids:
                aid = v.claim_author(cid)
                if aid:
                    sides[aid][side] += 1
    rows: list[list[object]] = [["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree",
                                 *range(len(claims))]]
    for a in authors:
        mine = [vote.get((a, c)) for c in claims]
        counts = sides.get(a, Counter()).most_common()
        group = "" if not counts or (len(counts) > 1 and counts[0][1] == counts[1][1]) else \
            ("0" if counts[0][0] == "a" else "1")
        rows.append([pid[a], group, sum(1 for c in claims if v.claim_author(c) == a),
                     sum(x is not None for x in mine), mine.count(1), mine.count(-1),
                     *("" if x is None else x for x in mine)])
    comments: list[list[object]] = [["timestamp", "datetime", "comment-id", "author-id", "agrees", "disagrees",
                                     "moderated", "comment-body"]]
    for i, c in enumerate(claims):
        stamp, when = _millis(v.props(v.claim_item(c) or "").get("posted_at"))
        column = [vote.get((a, c)) for a in authors]
        comments.append([stamp, when, i, pid.get(v.claim_author(c) or "", ""), column.count(1), column.count(-1),
                         1, " ".join(v.text(c).split())])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, table in (("participants-votes.csv", rows), ("comments.csv", comments)):
            info = zipfile.ZipInfo(name, date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, _csv(table).encode("utf-8"))
    yield buf.getvalue()


generate_polis = generate


def write_polis(store: GraphStore, path: str | Path, **filters: str | None) -> Path:
    """Write the Polis zip for the (filtered) map to ``path``, atomically (see :func:`cruxmap.graph.exports.write`)."""
    from cruxmap.graph.exports import write  # the registry imports this module: import it when called

    return write(store, NAME, path, **filters)
