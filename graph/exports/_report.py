"""What the readable reports say, as plain data; :mod:`markdown` and :mod:`html` render it.

Private to :mod:`cruxmap.graph.exports`. A report answers, for one map: who disagrees with
whom, about what (each disagreement with the two sides' quotes side by side), the
cruxes it hinges on, the exchanges (who attacked or backed whose claim) and the topics.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from cruxmap.graph.analysis.words import UNKNOWN_AUTHOR
from cruxmap.graph.exports._view import MapView
from cruxmap.graph.exports.dot import safe_url
from cruxmap.graph.schema import ATTACKS, POST, SUPPORTS, UNDERCUT
from cruxmap.graph.store import GraphStore


@dataclass
class Quote:
    text: str
    author: str
    url: str  # http(s) only, else ''


@dataclass
class Pair:
    a: str
    b: str
    disagreements: int = 0
    attacks: int = 0
    supports: int = 0


@dataclass
class DisagreementReport:
    id: str
    summary: str
    status: str
    confidence: float
    sides: dict[str, list[Quote]]
    authors: dict[str, list[str]]
    cruxes: list[str]


@dataclass
class CruxRow:
    """One row of the crux map: a crux, the authors on each side, the disagreements under it.

    ``text`` is '' for the row of disagreements that hinge on no crux found.
    """

    text: str
    kind: str
    score: float
    authors: dict[str, list[str]]
    disagreements: list[DisagreementReport]


@dataclass
class Report:
    title: str
    counts: dict[str, int]
    crux_rows: list[CruxRow] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    disagreements: list[DisagreementReport] = field(default_factory=list)
    cruxes: list[dict[str, Any]] = field(default_factory=list)
    exchanges: list[tuple[Quote, str, Quote]] = field(default_factory=list)
    topics: list[tuple[str, int]] = field(default_factory=list)


def build(store: GraphStore) -> tuple[Report, MapView]:
    """The report of the map in ``store`` (and the view it was read from)."""
    v = MapView.load(store)

    def quote(cid: str) -> Quote:
        item = v.claim_item(cid)
        return Quote(v.text(cid), v.name(v.claim_author(cid)) or UNKNOWN_AUTHOR,
                     safe_url(v.props(item).get("url")) if item else "")

    posts = [n for n in v.items if n["label"] == POST and n["properties"].get("title")]
    title = str(posts[0]["properties"]["title"]) if posts else "cruxmap map"
    report = Report(title, {"authors": len(v.authors), "claims": len(v.claims),
                            "disagreements": len(v.disagreements), "cruxes": len(v.cruxes),
                            "topics": len(v.topics)})
    pairs: dict[tuple[str, str], Pair] = {}

    def pair(x: str, y: str) -> Pair:
        a, b = sorted((x, y), key=str.casefold)
        return pairs.setdefault((a, b), Pair(a, b))

    for d in v.disagreements:
        authors = {s: sorted({quote(c).author for c in cids}, key=str.casefold) for s, cids in d.sides.items()}
        for x in authors.get("a", []):
            for y in authors.get("b", []):
                if x != y:
                    pair(x, y).disagreements += 1
        report.disagreements.append(DisagreementReport(
            d.id, d.summary, d.status, d.confidence, {s: [quote(c) for c in cids] for s, cids in d.sides.items()},
            authors, [str(v.props(x).get("text", "")) for x in d.cruxes]))
    for r in v.stances():
        src, dst = quote(r["start"]), quote(r["end"])
        kind = "supports" if r["type"] == SUPPORTS else \
            ("undercuts" if r["properties"].get("evidence") == UNDERCUT else "attacks")
        report.exchanges.append((src, kind, dst))
        if src.author != dst.author:
            p = pair(src.author, dst.author)
            if r["type"] == ATTACKS:
                p.attacks += 1
            else:
                p.supports += 1
    report.pairs = sorted(pairs.values(), key=lambda p: (-p.disagreements, -p.attacks, -p.supports,
                                                         p.a.casefold(), p.b.casefold()))
    summaries = {d.id: d.summary for d in v.disagreements}
    for x in v.cruxes:
        p = x["properties"]
        report.cruxes.append({"text": str(p.get("text", "")), "score": float(p.get("score", 0) or 0),
                              "kind": str(p.get("kind", "")),
                              "disagreements": [summaries[d] for d in v.crux_disagreements(x["id"]) if d in summaries]})
    report.topics = sorted(((str(t["properties"].get("label", "")), len(v.topic_claims(t["id"])))
                            for t in v.topics), key=lambda t: (-t[1], t[0].casefold()))
    report.crux_rows = crux_rows(v, report.disagreements)
    return report, v


def crux_rows(v: MapView, disagreements: list[DisagreementReport]) -> list[CruxRow]:
    """The crux map: each crux (best first) with its disagreements; then those under no crux."""
    by_id = {d.id: d for d in disagreements}
    rows, placed = [], set()
    for x in v.cruxes:
        ds = [by_id[i] for i in v.crux_disagreements(x["id"]) if i in by_id]
        ds.sort(key=disagreements.index)
        placed.update(d.id for d in ds)
        p = x["properties"]
        rows.append(CruxRow(str(p.get("text", "")), str(p.get("kind", "")), float(p.get("score", 0) or 0),
                            _sides(ds), ds))
    rest = [d for d in disagreements if d.id not in placed]
    if rest:
        rows.append(CruxRow("", "", 0.0, _sides(rest), rest))
    return rows


def _sides(ds: list[DisagreementReport]) -> dict[str, list[str]]:
    """The authors on each side across disagreements, in order of first appearance."""
    out: dict[str, list[str]] = {"a": [], "b": []}
    for d in ds:
        for side in ("a", "b"):
            for name in d.authors.get(side, []):
                if name not in out[side]:
                    out[side].append(name)
    return out


def counts_line(counts: dict[str, int]) -> str:
    """``"3 authors, 6 claims, 1 disagreement, ..."``."""
    singular = {"authors": "author", "claims": "claim", "disagreements": "disagreement",
                "cruxes": "crux", "topics": "topic"}
    return ", ".join(f"{n} {singular[k] if n == 1 else k}" for k, n in counts.items())


def by_author(v: MapView) -> dict[str, list[str]]:
    """Claim texts per author name, authors in name order."""
    out: dict[str, list[str]] = defaultdict(list)
    for c in v.claims:
        out[v.name(v.claim_author(c["id"])) or UNKNOWN_AUTHOR].append(v.text(c["id"]))
    return dict(sorted(out.items(), key=lambda kv: kv[0].casefold()))
