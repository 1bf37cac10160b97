"""Stage 4: the cruxes disagreements hinge on, ranked by score.

Needs: ``m.claims``, ``m.stances`` and ``m.disagreements`` (stages 1-3) and the thread (for
list structure and LessWrong ``crux`` reacts). Produces: ``m.cruxes`` (each phrased as a
proposition or a yes/no question, with a kind, a score, its evidence and the disagreements
it underlies) and ``Claim.role = "crux"`` for the claims they come from.

Kinds
-----
explicit
    An author names it: "my crux is ...", "it hinges on ...", "depends on whether ...",
    "this only works if ...", "the real question is ...", "I'd change my mind if ...",
    or a numbered/bulleted list under a line that mentions cruxes.
double
    Both sides take opposite stances on it: a claim of one side that the other side attacks
    and whose attacker is attacked back on the same point (a double crux).
implicit
    A premise or conditional ("if", "because", "only if", "assuming", ...) that one side
    asserts in support of its position and the other side attacks: reversing it would flip
    its author's stance, so the disagreement depends on it.

Fewer, better: at most one implicit or double crux per disagreement, and in all about one
per 25 claims (never fewer than three), explicit ones first.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import replace

from graph.schema import Claim, Crux, CruxMap, Disagreement, stable_id

from decompose.claims import _LIST_MARK
from decompose.cues import find_cues, lexicon, score
from decompose.embed import overlap
from decompose.stance import ATTACKING

_APOS = "['’]"
_LEADING_FILLER = re.compile(
    r"^(?:(?:and|but|so|also|still|well|yes|no|ok|okay|however|though|honestly|basically|"
    r"i think|i believe|i suspect|i guess|i'd say|i would say|in my view|imo|to me)\b[,:]?\s+)+", re.I)
_COMPLEMENT_LEAD = re.compile(r"^[\s:,—–-]*(?:is\s+|are\s+|was\s+)?(?:that\s+|whether\s+(?:or\s+not\s+)?|if\s+)?", re.I)
_CRUX_LIST_HEAD = re.compile(r"crux|cruxes|what would change my mind|would change my mind", re.I)


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
    t = " ".join(text.split()).strip(" \"'“”*_")
    t = _LEADING_FILLER.sub("", t)
    t = re.sub(r"^(?:whether|that)\s+(?:or\s+not\s+)?", "", t, flags=re.I)
    t = t.rstrip(" ,;:—–-")
    if not t:
        return ""
    t = t[0].upper() + t[1:]
    return t if t.endswith((".", "?", "!")) else t + "."


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
    """What follows an explicit crux marker in ``text`` ('' when it names no proposition)."""
    m = crux_marker(text)
    if not m:
        return ""
    rest = _COMPLEMENT_LEAD.sub("", text[m.end():], count=1)
    rest = rest.strip()
    if len(re.findall(r"[A-Za-z]{3,}", rest)) < 3:
        before = _COMPLEMENT_LEAD.sub("", text[:m.start()]).strip()
        # "Whether scaling continues is my crux." / "Scaling continuing is the crux."
        pointer = re.search(r"\b(?:this|that|it|which|what|here)\W*$", before, re.I)  # "I think this is the crux"
        if len(re.findall(r"[A-Za-z]{3,}", before)) >= 3 and not pointer:
            before = re.sub(r"\s+(?:is|are|was)$", "", before.rstrip(" ,:—–-"))
            return phrase(re.sub(r"^(?:whether|that)\s+", "", before, flags=re.I))
        return ""
    return phrase(rest)


def _reacts(item, key: str) -> int:
    return dict(getattr(item, "reacts", ()) or ()).get(key, 0)


class _Context:
    def __init__(self, m: CruxMap):
        self.m = m
        self.items = {it.id: it for it in m.thread.items()}
        self.by_id = {c.id: c for c in m.claims}
        self.claims_of: dict[str, list[Claim]] = defaultdict(list)
        for c in m.claims:
            self.claims_of[c.source_id].append(c)
        self.dis_of_claim: dict[str, list[Disagreement]] = defaultdict(list)
        self.dis_of_item: dict[str, list[Disagreement]] = defaultdict(list)
        for d in m.disagreements:
            for cid, _ in d.sides:
                self.dis_of_claim[cid].append(d)
                c = self.by_id.get(cid)
                if c is not None and d not in self.dis_of_item[c.source_id]:
                    self.dis_of_item[c.source_id].append(d)

    def chain(self, item_id: str, depth: int = 20) -> list[str]:
        """The item and its ancestors, nearest first."""
        out = [item_id]
        pid = getattr(self.items.get(item_id), "parent_id", None)
        while pid and depth > 0 and pid not in out:
            out.append(pid)
            pid = getattr(self.items.get(pid), "parent_id", None)
            depth -= 1
        return out

    def disagreements_near(self, claim: Claim) -> list[Disagreement]:
        """Disagreements a crux statement most likely underlies: its own, its item's,
        then those of its reply chain and its replies, then its author's in the same post."""
        if self.dis_of_claim.get(claim.id):
            return self.dis_of_claim[claim.id]
        found: list[Disagreement] = []
        for iid in self.chain(claim.source_id):
            found += [d for d in self.dis_of_item.get(iid, ()) if d not in found]
        for it in self.m.thread.comments:
            if it.parent_id == claim.source_id:
                found += [d for d in self.dis_of_item.get(it.id, ()) if d not in found]
        if found:
            return found
        post = getattr(self.items.get(claim.source_id), "post_id", None) or claim.source_id
        mine = []
        for d in self.m.disagreements:
            for cid, _ in d.sides:
                c = self.by_id.get(cid)
                it = self.items.get(c.source_id) if c else None
                if c and c.author_id == claim.author_id and it is not None and \
                        (getattr(it, "post_id", None) or it.id) == post:
                    mine.append(d)
                    break
        return mine


def _list_cruxes(ctx: _Context) -> list[tuple[Claim, str, str]]:
    """(claim, crux text, evidence) for list items under a line that mentions cruxes."""
    out = []
    for item in ctx.m.thread.items():
        text = item.text
        if "crux" not in text.lower() and "change my mind" not in text.lower():
            continue
        lines, pos, head_at = text.split("\n"), 0, None
        spans = []
        for line in lines:
            if _LIST_MARK.match(line) and head_at is not None:
                spans.append((pos, pos + len(line), head_at))
            elif line.strip() and not _LIST_MARK.match(line):
                head_at = line.strip() if _CRUX_LIST_HEAD.search(line) and len(line) < 200 else None
            pos += len(line) + 1
        for s, e, head in spans:
            for c in ctx.claims_of.get(item.id, ()):
                if s <= c.start < e:
                    out.append((c, phrase(c.text), f'listed under "{head[:60]}"'))
                    break
    return out


def _referred_crux(ctx: _Context, c: Claim) -> str:
    """What "this is the crux" points at: a conditional right after it, the sentence
    before it, or the claim it answers."""
    siblings = ctx.claims_of[c.source_id]
    k = siblings.index(c)
    if k + 1 < len(siblings) and _premise_strength(siblings[k + 1]) >= 1.0:
        return phrase(siblings[k + 1].text)
    if k > 0 and not crux_marker(siblings[k - 1].text):
        return phrase(siblings[k - 1].text)  # "X. That's my crux."
    target = next((s.target_claim_id for s in ctx.m.stances if s.source_claim_id == c.id), None)
    if target not in ctx.by_id:
        return ""
    if any(crux_marker(o.text) for o in ctx.claims_of[ctx.by_id[target].source_id]):
        return ""  # "Agreed that this is the crux" endorses a crux already named upthread
    return phrase(ctx.by_id[target].text)


def explicit_cruxes(ctx: _Context) -> list[tuple[Claim, Crux]]:
    """Cruxes authors name themselves (markers and lists of cruxes)."""
    found: dict[str, tuple[Claim, str, str, float]] = {}
    for c, text, ev in _list_cruxes(ctx):
        found[c.id] = (c, text, ev, 2.5)
    for c in ctx.m.claims:
        if c.id in found:
            continue
        m = crux_marker(c.text)
        if not m:
            continue
        text = explicit_complement(c.text)
        if not text:
            text = _referred_crux(ctx, c)
            if not text:
                continue  # a list head: its items were taken above
        weight = score(find_cues(c.text, ("crux",)), "crux")
        found[c.id] = (c, text, f'cue: "{m.group(0)}"', weight)
    out = []
    for c, text, ev, weight in found.values():
        dis = ctx.disagreements_near(c)
        item = ctx.items.get(c.source_id)
        s = 0.6 + 0.05 * min(weight, 3.0) + (0.15 if dis else 0.0)
        s += 0.05 * min(_reacts(item, "crux"), 3) - 0.05 * min(_reacts(item, "notacrux"), 3)
        out.append((c, Crux(id=stable_id("crux", c.id, "explicit"), text=text,
                            score=round(min(1.0, s), 4), kind="explicit", evidence=ev,
                            disagreement_ids=tuple(d.id for d in dis[:3]))))
    return out


def _premise_strength(c: Claim) -> float:
    """How much a claim reads as a premise or condition of its author's position."""
    return score(find_cues(c.text, ("conditional",)), "conditional")


def implicit_cruxes(ctx: _Context, covered: frozenset[str] = frozenset()) -> list[tuple[Claim, Crux]]:
    """Double and implicit cruxes, at most one per disagreement (see the module docstring)."""
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
        best: tuple[float, Claim, str, str] | None = None
        for cid, attackers in attacked_by.items():
            c = ctx.by_id[cid]
            # double: the attack on c was itself attacked by c's side on the same point
            countered = [a for a in attackers if attacked_by.get(a)]
            premise = _premise_strength(c)
            # the attacked claim the attackers talk about most is the point at issue
            topical = max(overlap(ctx.by_id[a].text, c.text) for a in attackers)
            if countered:
                kind, s = "double", 0.5 + 0.05 * len(countered) + 0.05 * min(premise, 2)
                ev = f'{len(attackers)} attack(s) from side {"b" if side[cid] == "a" else "a"}, countered'
            elif premise >= 1.0:
                kind, s = "implicit", 0.35 + 0.05 * min(premise, 3) + 0.05 * min(len(attackers), 3)
                ev = f"premise/condition attacked {len(attackers)} time(s)"
            else:
                continue
            s = (s + 0.2 * topical) * (0.5 + 0.5 * d.confidence)
            if best is None or s > best[0]:
                best = (s, c, kind, ev)
        if best is None:
            continue
        s, c, kind, ev = best
        text = as_question(c.text) if kind == "double" else phrase(c.text)
        out.append((c, Crux(id=stable_id("crux", c.id, kind), text=text, score=round(s, 4),
                            kind=kind, evidence=ev, disagreement_ids=(d.id,))))
    return out


def _merge(found: list[tuple[Claim, Crux]]) -> list[tuple[Claim, Crux]]:
    """One crux per claim and per proposition: duplicates merge their disagreements."""
    kept: list[tuple[Claim, Crux]] = []
    for c, x in sorted(found, key=lambda p: (-p[1].score, p[1].id)):
        for k, (kc, kx) in enumerate(kept):
            if kc.id == c.id or (overlap(x.text, kx.text) >= 0.7 and overlap(kx.text, x.text) >= 0.7):
                ids = kx.disagreement_ids + tuple(i for i in x.disagreement_ids if i not in kx.disagreement_ids)
                kept[k] = (kc, replace(kx, disagreement_ids=ids))
                break
        else:
            kept.append((c, x))
    return kept


def find_cruxes(m: CruxMap) -> CruxMap:
    """The crux stage: ranked cruxes, and ``role="crux"`` on the claims they come from."""
    ctx = _Context(m)
    explicit = explicit_cruxes(ctx)
    limit = max(3, len(m.claims) // 25)
    covered = frozenset(i for _, x in explicit for i in x.disagreement_ids)
    implicit = sorted(implicit_cruxes(ctx, covered), key=lambda p: (-p[1].score, p[1].id))
    implicit = implicit[: max(0, limit - len(explicit))] if len(explicit) < limit else implicit[:1]
    kept = _merge(explicit + implicit)
    kept.sort(key=lambda p: (-p[1].score, p[1].id))
    crux_claims = {c.id for c, _ in kept}
    claims = tuple(replace(c, role="crux") if c.id in crux_claims else c for c in m.claims)
    return replace(m, claims=claims, cruxes=tuple(x for _, x in kept))
