"""Stage 4: the cruxes disagreements hinge on, ranked by a score that means something.

Needs: ``m.claims``, ``m.stances`` and ``m.disagreements`` (stages 1-3) and the thread (for
list structure, LessWrong ``crux``/``notacrux`` reacts and agreement votes). Produces:
``m.cruxes`` (each a standalone proposition or yes/no question, with a kind, a score, its
evidence and the disagreements it underlies) and ``Claim.role = "crux"`` for the claims
they come from.

A crux is the proposition a disagreement hinges on: if one side changed its mind about
it, that side would change its mind about the main question.

Kinds
-----
explicit
    An author names it: "my crux is ...", "it hinges on ...", "depends on whether ...",
    "this only works if ...", "the real question is ...", "I'd change my mind if ...",
    or a numbered/bulleted list under a line that mentions cruxes.
double
    Both sides hold it as a crux: an explicit crux the other side endorses or calls a
    double crux, or the same crux named by authors on both sides; or, with no marker, a
    claim of one side that the other side attacks and whose attacker is attacked back on
    the same point. Phrased as a yes/no question.
implicit
    A premise or conditional ("if", "because", "only if", "assuming", ...) that one side
    asserts in support of its position and the other side attacks: reversing it would flip
    its author's stance, so the disagreement depends on it.

Text
----
Every crux must read on its own (:func:`cruxmap.decompose.propositions.defect`): wrappers such as
"my crux is that" and the speaker's asides go, and a candidate that is anaphoric ("if they
do, ..."), about the conversation ("we would each change our minds ...") or a fragment is
dropped. A marker sentence with no proposition of its own that points back ("that's our
double crux") endorses the crux named just before it instead.

Score (0-1)
-----------
base: listed crux 0.60, marker 0.50 + 0.03 per unit of marker weight (at most 3),
structural double 0.45, implicit 0.30 (+ up to 0.10 for how topical it is to the attacks);
+0.10 double crux; +0.10 when it underlies a disagreement and +0.04 per further one (at most
+0.08); +0.03 per author beyond two in those disagreements (at most +0.06); +0.05 per other
author who names or endorses it (at most +0.10); +0.04 per ``crux`` react (at most +0.16),
-0.06 per ``notacrux`` react; +0.01 per agreement vote (within ±0.08); -0.04 when it speaks
to "you". So an explicit double crux two people argued over scores about 0.85, a marker
nobody answered about 0.57, an implicit premise about 0.5.

Fewer, better: near-duplicates merge into one crux linked to all their disagreements, and
a thread keeps ``budget(n_claims)`` cruxes (about half the square root of its claims, at
least three), preferring ones that cover a disagreement no kept crux covers yet.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from cruxmap.graph.schema import Claim, Crux, CruxMap, Disagreement, stable_id

from cruxmap.decompose.claims import _LIST_MARK
from cruxmap.decompose.cues import find_cues, lexicon, score
from cruxmap.decompose.embed import Vectorizer, cosine, overlap
from cruxmap.decompose.propositions import addresses_reader, defect, tidy
from cruxmap.decompose.stance import ATTACKING

_APOS = "['’]"
_COMPLEMENT_LEAD = re.compile(r"^[\s:,—–-]*(?:is\s+|are\s+|was\s+)?(?:that\s+|whether\s+(?:or\s+not\s+)?|if\s+)?", re.I)
_CRUX_LIST_HEAD = re.compile(r"crux|cruxes|what would change my mind|would change my mind", re.I)
#: A marker sentence that points back at a crux already named: "that's our double crux".
_POINTER = re.compile(r"\b(?:this|that|it|which|here|agreed|exactly|yes)\b|\bthat['’]s\b", re.I)
_DOUBLE = re.compile(r"\bdouble[- ]crux", re.I)


def _marker_regex() -> re.Pattern[str]:
    """The crux lexicon's phrases as one case-insensitive regex over original text."""
    phrases = sorted(lexicon("crux").phrase_weight, key=len, reverse=True)
    alts = [r"\s+".join(re.escape(w).replace("'", _APOS) for w in p.split()) for p in phrases]
    return re.compile(r"(?<![\w])(?:" + "|".join(alts) + r")", re.I)


_MARKER: re.Pattern[str] | None = None


def crux_marker(text: str) -> re.Match[str] | None:
    """Where an explicit crux marker occurs in ``text``, or None."""
    global _MARKER
    if _MARKER is None:
        _MARKER = _marker_regex()
    return _MARKER.search(text)


def phrase(text: str) -> str:
    """A claim or clause as a clean proposition (or yes/no question): filler off, capital, stop.

    >>> phrase("but i think scaling will keep working")
    'Scaling will keep working.'
    """
    return tidy(text, complement=True)


def as_question(text: str) -> str:
    """A proposition as a yes/no question for a double crux.

    >>> as_question("Scaling will keep working.")
    'Is it true that scaling will keep working?'
    """
    p = phrase(text).rstrip(".!")
    if p.endswith("?"):
        return p
    head = p[0].lower() + p[1:] if not p[:2].isupper() else p
    return f"Is it true that {head}?"


def explicit_complement(text: str) -> str:
    """The standalone proposition an explicit crux marker in ``text`` names ('' if none).

    >>> explicit_complement("My crux is whether deception leaves a linear trace in activations.")
    'Deception leaves a linear trace in activations.'
    >>> explicit_complement("Yes, that's our double crux: we would each change our minds.")
    ''
    """
    m = crux_marker(text)
    if not m:
        return ""
    rest = _COMPLEMENT_LEAD.sub("", text[m.end():], count=1).strip()
    if len(re.findall(r"[A-Za-z]{3,}", rest)) >= 3:
        out = phrase(rest)
        return out if not defect(out) else ""
    before = _COMPLEMENT_LEAD.sub("", text[:m.start()]).strip()
    # "Whether scaling continues is my crux." -- but not "I think this is the crux"
    if len(re.findall(r"[A-Za-z]{3,}", before)) >= 3 and not _POINTER.search(before[-12:]):
        before = re.sub(r"\s+(?:is|are|was)$", "", before.rstrip(" ,:—–-"))
        out = phrase(before)
        return out if not defect(out) else ""
    return ""


def _reacts(item, key: str, claim=None) -> int:
    """``item``'s ``key`` reacts; an inline react (one that quotes a span) counts only for the
    claim whose text holds the quoted span."""
    count = dict(getattr(item, "reacts", ()) or ()).get(key, 0)
    quotes = [q for k, q in getattr(item, "react_quotes", ()) or () if k == key]
    if not quotes or claim is None:
        return count
    text = " ".join(claim.text.split()).casefold()
    return count if any(" ".join(q.split()).casefold() in text for q in quotes) else 0


def budget(n_claims: int) -> int:
    """How many cruxes a thread of ``n_claims`` claims keeps: a handful, growing slowly.

    >>> [budget(n) for n in (10, 100, 400, 2500)]
    [3, 5, 10, 25]
    """
    return max(3, round(math.sqrt(max(n_claims, 0)) / 2))


@dataclass
class _Candidate:
    claim: Claim
    text: str
    kind: str
    base: float
    evidence: list[str]
    disagreements: list[Disagreement] = field(default_factory=list)
    namers: set[str] = field(default_factory=set)  # authors who name or endorse it
    double: bool = False
    members: list[Claim] = field(default_factory=list)


class _Context:
    def __init__(self, m: CruxMap):
        self.m = m
        self.items = {it.id: it for it in m.thread.items()}
        self.order = {iid: i for i, iid in enumerate(self.items)}
        self.names = {a.id: a.name for a in m.thread.authors}
        self.by_id = {c.id: c for c in m.claims}
        self.claims_of: dict[str, list[Claim]] = defaultdict(list)
        for c in m.claims:
            self.claims_of[c.source_id].append(c)
        self.dis_of_claim: dict[str, list[Disagreement]] = defaultdict(list)
        self.items_of: dict[str, set[str]] = {}
        self.parties: dict[str, dict[str, str]] = {}  # disagreement id -> author -> side
        self.corrections = self._corrections(m)
        self._chains: dict[str, list[str]] = {}
        self._vectorizer: Vectorizer | None = None
        for d in m.disagreements:
            self.items_of[d.id] = set()
            self.parties[d.id] = {}
            for cid, side in d.sides:
                self.dis_of_claim[cid].append(d)
                c = self.by_id.get(cid)
                if c is not None:
                    self.items_of[d.id].add(c.source_id)
                    self.parties[d.id].setdefault(c.author_id or "", side)

    @staticmethod
    def _corrections(m: CruxMap) -> set[str]:
        """Disagreements that are only factual corrections ("the figure is 3.2, not 2.3")."""
        side_of = {cid: d.id for d in m.disagreements for cid, _ in d.sides}
        kinds: dict[str, set[str]] = defaultdict(set)
        for s in m.stances:
            d = side_of.get(s.source_claim_id)
            if s.stance in ATTACKING and d is not None and side_of.get(s.target_claim_id) == d:
                kinds[d].add(s.stance)
        return {d for d, k in kinds.items() if k == {"correct"}}

    def name(self, author: str | None) -> str:
        return self.names.get(author or "", author or "someone")

    def chain(self, item_id: str, depth: int = 30) -> list[str]:
        """The item and its ancestors, nearest first."""
        if item_id in self._chains:
            return self._chains[item_id]
        out = [item_id]
        pid = getattr(self.items.get(item_id), "parent_id", None)
        while pid and depth > 0 and pid not in out:
            out.append(pid)
            pid = getattr(self.items.get(pid), "parent_id", None)
            depth -= 1
        self._chains[item_id] = out
        return out

    def distance(self, a: str, b: str) -> int:
        """Reply-tree hops between two items (99 when unrelated)."""
        ca, cb = self.chain(a), self.chain(b)
        pos = {x: i for i, x in enumerate(cb)}
        return min((i + pos[x] for i, x in enumerate(ca) if x in pos), default=99)

    def similarity(self, a: str, b: str) -> float:
        """TF-IDF cosine over this thread's claims: words every comment uses weigh little."""
        if self._vectorizer is None:
            self._vectorizer = Vectorizer().fit(c.text for c in self.m.claims)
        vec = self._vectorizer.vector
        return cosine(vec(a), vec(b))

    def link(self, claim: Claim, text: str) -> list[Disagreement]:
        """The disagreements a crux stated in ``claim`` most likely underlies.

        Its own disagreements first, then (up to three in all) those its author is a party
        to in the surrounding exchange, or that are about the same thing (TF-IDF similarity
        to their claims) near it in the reply tree. Factual corrections are never linked: a fixed date is not
        what anyone's position hinges on.
        """
        own = self.dis_of_claim.get(claim.id, [])
        ranked = []
        reply = getattr(self.items.get(claim.source_id), "parent_id", None) is not None
        for d in self.m.disagreements:
            if d.id in self.corrections or d in own:
                continue
            dist = min((self.distance(claim.source_id, i) for i in self.items_of[d.id]), default=99)
            party = (claim.author_id or "") in self.parties[d.id]
            if dist > 2 and not party:
                continue
            topical = max((self.similarity(text, self.by_id[cid].text) for cid, _ in d.sides
                           if cid in self.by_id), default=0.0)
            rel = topical + (0.3 if party else 0.0) + {0: 0.3, 1: 0.2, 2: 0.1}.get(dist, 0.0)
            # a comment answers the exchange it sits in; a post is near every reply to it,
            # so what a post's crux underlies is decided by what the disagreement is about
            near = party and dist <= 1 and reply
            if (near or topical >= 0.15) and rel >= 0.5:
                ranked.append((rel, d))
        ranked.sort(key=lambda p: (-p[0], p[1].id))
        return (own + [d for _, d in ranked])[:3]


def _list_cruxes(ctx: _Context) -> list[tuple[Claim, str]]:
    """(claim, heading) for list items under a line that mentions cruxes."""
    out = []
    for item in ctx.m.thread.items():
        text = item.text
        if "crux" not in text.lower() and "change my mind" not in text.lower():
            continue
        pos, head_at, spans = 0, None, []
        for line in text.split("\n"):
            if _LIST_MARK.match(line) and head_at is not None:
                spans.append((pos, pos + len(line), head_at))
            elif line.strip() and not _LIST_MARK.match(line):
                head_at = line.strip() if _CRUX_LIST_HEAD.search(line) and len(line) < 200 else None
            pos += len(line) + 1
        for s, e, head in spans:
            for c in ctx.claims_of.get(item.id, ()):
                if s <= c.start < e:
                    out.append((c, head))
                    break
    return out


def _premise_strength(c: Claim) -> float:
    """How much a claim reads as a premise or condition of its author's position."""
    return score(find_cues(c.text, ("conditional",)), "conditional")


def _referred(ctx: _Context, c: Claim) -> str:
    """What "my crux is the prior" names: the conditional right after it, else the sentence before."""
    siblings = ctx.claims_of[c.source_id]
    k = siblings.index(c)
    for j in (k + 1, k - 1):
        if 0 <= j < len(siblings) and not crux_marker(siblings[j].text):
            if j == k + 1 and _premise_strength(siblings[j]) < 1.0:
                continue
            text = phrase(siblings[j].text)
            if not defect(text):
                return text
    return ""


def _endorsed(ctx: _Context, c: Claim, found: list[_Candidate]) -> _Candidate | None:
    """The crux a pointing marker sentence ("that's our double crux") refers to: the last
    one named before it in its own comment, else in the comments it replies to."""
    for dist, iid in enumerate(ctx.chain(c.source_id, depth=3)):
        here = [x for x in found if x.claim.source_id == iid and (dist or x.claim.start < c.start)]
        if here:
            return max(here, key=lambda x: x.claim.start)
    return None


def _pointed_at(ctx: _Context, c: Claim) -> _Candidate | None:
    """"I agree, and I think this is the crux" with no crux named before: the claim it
    answers (what it quotes or replies to), else the sentence before it, if either stands alone."""
    m = crux_marker(c.text)
    targets = [s.target_claim_id for s in ctx.m.stances
               if s.source_claim_id == c.id and s.target_claim_id in ctx.by_id]
    siblings = ctx.claims_of[c.source_id]
    k = siblings.index(c)
    if k > 0:
        targets.append(siblings[k - 1].id)
    for tid in targets:
        text = phrase(ctx.by_id[tid].text)
        if not defect(text) and not crux_marker(ctx.by_id[tid].text):
            return _Candidate(c, text, "explicit", 0.50 + 0.03 * min(score(find_cues(c.text, ("crux",)), "crux"), 3.0),
                              [f'cue: "{m.group(0)}" pointing at {ctx.name(ctx.by_id[tid].author_id)}\'s claim'],
                              namers={c.author_id or ""})
    return None


def explicit_cruxes(ctx: _Context) -> list[_Candidate]:
    """Cruxes authors name themselves (markers and lists), and endorsements of them."""
    found: list[_Candidate] = []
    listed = set()
    for c, head in _list_cruxes(ctx):
        text = phrase(c.text)
        listed.add(c.id)
        if not defect(text):
            found.append(_Candidate(c, text, "explicit", 0.60, [f'listed under "{head[:60]}"'],
                                    namers={c.author_id or ""}))
    pointers = []
    for c in ctx.m.claims:
        m = crux_marker(c.text)
        if c.id in listed or not m or c.text.rstrip().endswith(":"):
            continue  # a list head's items were taken above
        weight = score(find_cues(c.text, ("crux",)), "crux")
        text = explicit_complement(c.text)
        if not text and _POINTER.search(c.text[:m.start()] + " " + c.text[m.end():][:3]):
            pointers.append(c)  # "I think that's the crux": it endorses a crux named before
            continue
        text = text or _referred(ctx, c)
        if text:
            found.append(_Candidate(c, text, "explicit", 0.50 + 0.03 * min(weight, 3.0),
                                    [f'cue: "{m.group(0)}"'], namers={c.author_id or ""}))
    found.sort(key=lambda x: (ctx.order.get(x.claim.source_id, 0), x.claim.start))
    for c in pointers:
        target = _endorsed(ctx, c, found)
        if target is None:
            target = _pointed_at(ctx, c)
            if target is None:
                continue
            found.append(target)
            continue
        if _DOUBLE.search(c.text):
            target.double = True
        if (c.author_id or "") not in target.namers:
            target.namers.add(c.author_id or "")
            target.evidence.append(f'endorsed by {ctx.name(c.author_id)}: "{crux_marker(c.text).group(0)}"')
        elif _DOUBLE.search(c.text):
            target.evidence.append('called a "double crux"')
    return found


def implicit_cruxes(ctx: _Context, covered: frozenset[str] = frozenset()) -> list[_Candidate]:
    """Double and implicit cruxes from the attack graph, at most one per disagreement."""
    out = []
    attacks = [s for s in ctx.m.stances if s.stance in ATTACKING]
    for d in ctx.m.disagreements:
        if d.id in covered:
            continue  # its authors named the crux themselves
        side = dict(d.sides)
        attacked_by: dict[str, list[str]] = defaultdict(list)
        for s in attacks:
            if s.source_claim_id in side and s.target_claim_id in side and \
                    side[s.source_claim_id] != side[s.target_claim_id]:
                attacked_by[s.target_claim_id].append(s.source_claim_id)
        best: tuple[float, _Candidate] | None = None
        for cid, attackers in attacked_by.items():
            c = ctx.by_id[cid]
            text = phrase(c.text)
            if defect(text) or crux_marker(c.text) or addresses_reader(text):
                continue  # unmarked and tied to "you": a jab in one exchange, not a crux
            countered = [a for a in attackers if attacked_by.get(a)]
            premise = _premise_strength(c)
            topical = max(overlap(ctx.by_id[a].text, c.text) for a in attackers)
            if countered:
                x = _Candidate(c, as_question(text), "double", 0.45 + 0.1 * topical,
                               [f"{len(attackers)} attack(s) from the other side, countered"], [d])
            elif premise >= 1.0:
                x = _Candidate(c, text, "implicit", 0.30 + 0.1 * topical,
                               [f"premise/condition attacked {len(attackers)} time(s)"], [d])
            else:
                continue
            rank = x.base * (0.5 + 0.5 * d.confidence)
            if best is None or rank > best[0]:
                best = (rank, x)
        if best is not None:
            best[1].namers = {best[1].claim.author_id or ""}
            out.append(best[1])
    return out


def _same(a: str, b: str) -> bool:
    """Near-duplicate crux texts (most content words shared, in both directions)."""
    ab, ba = overlap(a, b), overlap(b, a)
    return max(ab, ba) >= 0.55 and min(ab, ba) >= 0.45


def _merge(ctx: _Context, found: list[_Candidate]) -> list[_Candidate]:
    """One candidate per proposition: duplicates pool their disagreements, namers and evidence.

    The candidate kept is the best-attested one (a double crux first, then the one more
    authors named or endorsed, then the stronger marker), worded as the shortest of them.
    """
    groups: list[list[_Candidate]] = []
    for x in found:
        group = next((g for g in groups if any(k.claim.id == x.claim.id or _same(k.text, x.text)
                                               for k in g)), None)
        if group is None:
            groups.append([x])
        else:
            group.append(x)
    out = []
    for group in groups:
        group.sort(key=lambda x: (-x.double, -len(x.namers), -x.base, x.claim.id))
        lead = group[0]
        lead.members = [x.claim for x in group]
        # the shortest wording says the same with the fewest asides
        lead.text = min((x.text for x in group), key=lambda t: (len(t.split()), t))
        for x in group[1:]:
            lead.disagreements += [d for d in x.disagreements if d not in lead.disagreements]
            lead.double = lead.double or x.double
            new = x.namers - lead.namers
            lead.namers |= x.namers
            lead.evidence += [e for e in x.evidence if e not in lead.evidence]
            if new:
                lead.evidence.append("also named by " + ", ".join(sorted(ctx.name(a) for a in new)))
        out.append(lead)
    return out


def _score(ctx: _Context, x: _Candidate) -> float:
    """The score of the module docstring."""
    s = x.base + (0.10 if x.double else 0.0)
    if x.disagreements:
        s += 0.10 + 0.04 * min(len(x.disagreements) - 1, 2)
        authors = {a for d in x.disagreements for a in ctx.parties[d.id]}
        s += 0.03 * min(max(len(authors) - 2, 0), 2)
    s += 0.05 * min(len(x.namers) - 1, 2)
    crux = sum(_reacts(ctx.items.get(c.source_id), "crux", c) for c in x.members or [x.claim])
    notacrux = sum(_reacts(ctx.items.get(c.source_id), "notacrux", c) for c in x.members or [x.claim])
    agreement = getattr(ctx.items.get(x.claim.source_id), "agreement", None) or 0
    s += 0.04 * min(crux, 4) - 0.06 * min(notacrux, 5) + max(-0.08, min(0.08, 0.01 * agreement))
    if addresses_reader(x.text):
        s -= 0.04
    return round(max(0.05, min(0.99, s)), 4)


def _evidence(ctx: _Context, x: _Candidate) -> str:
    parts = list(x.evidence)
    crux = sum(_reacts(ctx.items.get(c.source_id), "crux", c) for c in x.members or [x.claim])
    notacrux = sum(_reacts(ctx.items.get(c.source_id), "notacrux", c) for c in x.members or [x.claim])
    if crux or notacrux:
        parts.append(f"reacts: crux {crux}, not a crux {notacrux}")
    if x.disagreements:
        parts.append(f"underlies {len(x.disagreements)} disagreement(s)")
    return "; ".join(parts)


def _select(scored: list[tuple[float, _Candidate]], limit: int) -> list[tuple[float, _Candidate]]:
    """The best ``limit``, each pick preferring a disagreement not yet covered."""
    pool, kept, covered = sorted(scored, key=lambda p: (-p[0], p[1].claim.id)), [], set()
    while pool and len(kept) < limit:
        def gain(p):
            fresh = any(d.id not in covered for d in p[1].disagreements) or not p[1].disagreements
            return p[0] + (0.0 if fresh else -0.15)
        best = max(pool, key=lambda p: (gain(p), -pool.index(p)))
        pool.remove(best)
        kept.append(best)
        covered |= {d.id for d in best[1].disagreements}
    return kept


def find_cruxes(m: CruxMap) -> CruxMap:
    """The crux stage: ranked cruxes, and ``role="crux"`` on the claims they come from."""
    ctx = _Context(m)
    explicit = explicit_cruxes(ctx)
    for x in explicit:
        x.disagreements = ctx.link(x.claim, x.text)
    covered = frozenset(d.id for x in explicit for d in x.disagreements)
    found = _merge(ctx, explicit + implicit_cruxes(ctx, covered))
    for x in found:
        # named by both sides of one of its disagreements: a double crux
        for d in x.disagreements:
            sides = {ctx.parties[d.id].get(a) for a in x.namers} - {None}
            x.double = x.double or len(sides) == 2
        if x.double and x.kind == "explicit":
            x.kind, x.text = "double", as_question(x.text)
    kept = _select([(_score(ctx, x), x) for x in found], budget(len(m.claims)))
    kept.sort(key=lambda p: (-p[0], p[1].claim.id))
    cruxes = tuple(Crux(id=stable_id("crux", x.claim.id, x.kind), text=x.text, score=s, kind=x.kind,
                        evidence=_evidence(ctx, x), disagreement_ids=tuple(d.id for d in x.disagreements))
                   for s, x in kept)
    crux_claims = {c.id for _, x in kept for c in x.members or [x.claim]}
    claims = tuple(replace(c, role="crux") if c.id in crux_claims else c for c in m.claims)
    return replace(m, claims=claims, cruxes=cruxes)
