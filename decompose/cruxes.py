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
    For a disagreement without a stated crux: the contested proposition (a claim one side
    asserts and the other attacks; a premise or conditional first, then the most attacked;
    failing those, either side's standalone claim nearest the other side's words), phrased as
    a yes/no question built from its parse (:mod:`cruxmap.decompose.questions`). A disagreement
    where none makes a grammatical standalone question gets ``crux_note`` "no crux found: ...".

Stated cruxes also include conditional concessions ("if you could show X, I would change my
mind": X, with the sentence as the card's ``mind_changer``), either/or questions ("Which is
harder, A or B?"), "it comes down to this:" with the crux in the next sentence, and inline
lists ("my cruxes: (1) X, (2) Y"). They are always kept, with or without an opponent; one that
does not read alone marks its claim as a crux but gets no card of its own.

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
a thread keeps every stated crux and at most ``max(budget(n_claims), n_disagreements)``
inferred ones (``budget``: about half the square root of its claims, at least three),
preferring ones that cover a disagreement no kept crux covers yet. Each crux carries its card:
each side's best verbatim quote (``quote_a`` / ``quote_b``), the authors on each side and what
would change a mind, verbatim, if anyone in its disagreements said so.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace

from cruxmap.graph.schema import Claim, Crux, CruxMap, Disagreement, stable_id

from cruxmap.decompose import questions
from cruxmap.decompose.claims import _LIST_MARK
from cruxmap.decompose.cues import find_cues, lexicon, score
from cruxmap.decompose.embed import Vectorizer, content_words, cosine, overlap
from cruxmap.decompose.propositions import addresses_reader, defect, filler, substantive, tidy
from cruxmap.decompose.stance import ATTACKING

_APOS = "['’]"
_COMPLEMENT_LEAD = re.compile(r"^[\s:,—–-]*(?:is\s+|are\s+|was\s+)?(?:(?:this|the following|one thing)\s*[:,—–-]+\s*)?"
                              r"(?:that\s+|whether\s+(?:or\s+not\s+)?|if\s+)?", re.I)
#: What a stated crux may be that an inferred one may not: a wh- or either/or question
#: ("which is harder, A or B?"), or longer than a summary line.
_STATED_OK = ("", "wh-question", "long")
#: An either/or question that poses the alternatives a disagreement turns on:
#: "Which is harder, A or B?", "Is it A, or is it B?".
_ALTERNATIVES = re.compile(
    r"^(?:(?:so|but|and|then|really|ultimately)[, ]+)?(?:(?:which|what)\b[^?]{0,60},\s*[^?]+\bor\b[^?]+|"
    r"(?:is|are|does|do|did|was|were|will|would|can|could|should|has|have)\b[^?]+,\s*or\s+"
    r"(?:is|are|does|do|did|was|were|will|would|can|could|should|has|have|it|they)\b[^?]+)\?\s*$", re.I)
#: A conditional concession: "if you could show X, I would change my mind / that would be
#: evidence for your idea". X is what would settle the crux.
_IF_SHOWN = re.compile(
    r"\bif\s+(?:you|someone|anyone|somebody|they|we|the data|studies|research)\s+"
    r"(?:could\s+|can\s+|were to\s+|did\s+|would\s+)?"
    r"(?:show(?:ed|n)?|demonstrate[sd]?|prove[sd]?|find|found|point(?:ed)?\s+(?:me\s+)?to|provide[sd]?|"
    r"cite[sd]?|produce[sd]?|give\s+me)\b\s*(?:me\s+)?(?:that\s+)?(?P<x>[^,;]+?)\s*,?\s*(?:then\s+)?"
    r"(?:i(?:'d|’d|\s+would|\s+will|'ll|’ll)|that(?:'d|’d|\s+would)|it(?:'d|’d|\s+would)|this\s+would)\b"
    r"(?P<then>[^.?!]*)", re.I)
_THEN_CHANGES = re.compile(r"change (?:my|your) mind|convinc|persuad|agree|update|evidence|concede|accept|"
                           r"reconsider|believe|be wrong|support (?:your|the)|in favou?r", re.I)
#: "If the majority behaved that way, I would agree that X": the condition is the crux.
_IF_THEN_AGREE = re.compile(
    r"^\W*if\s+(?P<x>[^,;]+?)\s*,?\s*(?:then\s+)?i(?:'d|’d|\s+would|\s+will|'ll|’ll)\s+(?:happily\s+|gladly\s+)?"
    r"(?:agree|concede|change my mind|accept|be convinced|reconsider|update|admit|come around)\b", re.I)
_WOULD_IF = re.compile(
    r"\b(?:i(?:'d|’d|\s+would|'ll|’ll|\s+will))\s+(?:be\s+)?(?:convinced|persuaded|agree|concede|reconsider|"
    r"come around|accept (?:that|your|it))\w*\s+(?:if|once|when)\s+(?P<x>[^.?!]+)", re.I)
#: Inline enumerations: "My cruxes: (1) X, (2) Y" / "1. X 2. Y".
_INLINE_ITEM = re.compile(r"(?:^|[\s,;:])(?:\((?:\d{1,2}|[a-z])\)|\d{1,2}[.)])\s+")
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
    """A proposition as the yes/no question a person would write ('' when the parse shows no
    clean declarative clause: :func:`cruxmap.decompose.questions.yes_no`).

    >>> as_question("Scaling will keep working.")
    'Will scaling keep working?'
    >>> as_question("If they do, it works.")
    ''
    """
    p = phrase(text)
    if p.endswith("?"):
        return p
    return questions.yes_no(p) or ""


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
        return out if defect(out) in _STATED_OK else ""
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
    mind_changer: str = ""  # verbatim: what its author said would change their mind


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
        self.weak_stated: set[str] = set()  # stated cruxes that do not read alone (claim ids)
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
                    out.append((c, head, ""))
                    break
        out += _inline_list(ctx, item)
    return out


def _inline_list(ctx: _Context, item) -> list[tuple[Claim, str, str]]:
    """(claim, heading, item text) for "my cruxes: (1) X, (2) Y" written on one line."""
    out = []
    for line_m in re.finditer(r"[^\n]+", item.text):
        line = line_m.group(0)
        head = _CRUX_LIST_HEAD.search(line)
        if not head:
            continue
        marks = [m for m in _INLINE_ITEM.finditer(line, head.end())]
        if len(marks) < 2:
            continue
        for k, mk in enumerate(marks):
            end = marks[k + 1].start() if k + 1 < len(marks) else len(line)
            piece = line[mk.end():end].strip(" ,;")
            pos = line_m.start() + mk.end()
            claim = next((c for c in ctx.claims_of.get(item.id, ()) if c.start <= pos < c.end + 1), None)
            if claim is not None and len(piece.split()) >= 3:
                out.append((claim, line[:head.end() + 12].strip(), piece))
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
    for c, head, piece in _list_cruxes(ctx):
        text = phrase(piece or c.text)
        listed.add(c.id)
        if defect(text) in _STATED_OK:
            found.append(_Candidate(c, text, "explicit", 0.60, [f'listed under "{head[:60]}"'],
                                    namers={c.author_id or ""}))
    pointers = []
    for c in ctx.m.claims:
        if c.id in listed or c.kind == "quote":
            continue
        stated = _stated_form(ctx, c)
        if stated is not None:
            found.append(stated)
            continue
        m = crux_marker(c.text)
        if not m:
            continue
        if c.text.rstrip().endswith(":"):
            # "It comes down to this:" names the crux in the sentence after it
            nxt = _next_sentence(ctx, c)
            if nxt and defect(phrase(nxt)) in _STATED_OK:
                found.append(_Candidate(c, phrase(nxt), "explicit", 0.56, [f'cue: "{m.group(0)}"'],
                                        namers={c.author_id or ""}))
            continue  # a list head's items were taken above
        weight = score(find_cues(c.text, ("crux",)), "crux")
        text = explicit_complement(c.text)
        if not text and _POINTER.search(c.text[:m.start()] + " " + c.text[m.end():][:3]):
            pointers.append(c)  # "I think that's the crux": it endorses a crux named before
            continue
        text = text or _referred(ctx, c)
        if not text and len(re.findall(r"[A-Za-z]{3,}", c.text[m.end():])) >= 3:
            ctx.weak_stated.add(c.id)  # "we differ: me for the individual, you for society"
            continue
        if text and not _reads_alone(text):
            ctx.weak_stated.add(c.id)
            continue
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


def _reads_alone(text: str) -> bool:
    """A stated crux worth a card: a verb, content words, nothing pointing back ("that way")."""
    return text.endswith("?") or substantive(text) and not \
        re.search(r"\b(?:that|this|the same) way\b|[:;]\s+(?:he|she|it|they)\b", text, re.I)


def _next_sentence(ctx: _Context, c: Claim) -> str:
    """The sentence right after claim ``c`` in its item (claim or not: "Which is harder?" too)."""
    text = ctx.items[c.source_id].text
    from cruxmap.decompose.claims import sentence_spans
    for s, e in sentence_spans(text):
        if s >= c.end:
            return text[s:e]
    return ""


def _stated_form(ctx: _Context, c: Claim) -> _Candidate | None:
    """Stated cruxes without a crux word: a conditional concession ("if you could show X, I
    would change my mind", "I'd be convinced if X") or an either/or question ("Which is harder,
    A or B?"). The first names what would change a mind."""
    m = _IF_SHOWN.search(c.text)
    if m and _THEN_CHANGES.search(m.group("then")):
        x = phrase(m.group("x"))
        if len(content_words(x)) >= 2:
            return _Candidate(c, x, "explicit", 0.58, ['conditional concession: "' + m.group(0)[:50] + '"'],
                              namers={c.author_id or ""}, mind_changer=" ".join(c.text.split()))
    m = _WOULD_IF.search(c.text) or _IF_THEN_AGREE.search(c.text)
    if m:
        x = phrase(m.group("x"))
        if defect(x) not in _STATED_OK or not _reads_alone(x):
            # "If they arrive later, I'd agree": stated, but not standalone; the crux card of its
            # disagreement shows it as what would change a mind
            ctx.weak_stated.add(c.id)
        elif len(content_words(x)) >= 2:
            return _Candidate(c, x, "explicit", 0.56, ['conditional concession: "' + m.group(0)[:50] + '"'],
                              namers={c.author_id or ""}, mind_changer=" ".join(c.text.split()))
    t = " ".join(c.text.split())
    if _ALTERNATIVES.match(t) and not addresses_reader(t) and \
            all(len(content_words(part)) >= 1 for part in re.split(r"\bor\b", t, maxsplit=1)) and \
            len(content_words(t)) >= 4:
        return _Candidate(c, tidy(t), "explicit", 0.52, ["either/or question"], namers={c.author_id or ""})
    return None


def _contested(ctx: _Context, d: Disagreement, attacks: list) -> list[tuple[float, str, Claim, list[str]]]:
    """The claims of ``d`` one side asserts and the other attacks, best first, as
    ``(rank, kind, claim, attackers)``: attacked and countered (both sides hold it: double),
    a premise or condition (implicit), or simply the most attacked standalone claim."""
    side = dict(d.sides)
    attacked_by: dict[str, list[str]] = defaultdict(list)
    for s in attacks:
        if s.source_claim_id in side and s.target_claim_id in side and \
                side[s.source_claim_id] != side[s.target_claim_id]:
            attacked_by[s.target_claim_id].append(s.source_claim_id)
    out = []
    for cid, attackers in attacked_by.items():
        c = ctx.by_id[cid]
        text = phrase(c.text)
        if defect(text) or crux_marker(c.text) or addresses_reader(text) or not substantive(c.text):
            continue  # unmarked and tied to "you": a jab in one exchange, not a crux
        countered = [a for a in attackers if attacked_by.get(a)]
        topical = max(overlap(ctx.by_id[a].text, c.text) for a in attackers)
        if countered:
            kind, base = "double", 0.45 + 0.1 * topical
        elif _premise_strength(c) >= 1.0:
            kind, base = "implicit", 0.32 + 0.1 * topical
        else:
            kind, base = "implicit", 0.28 + 0.1 * topical + 0.02 * min(len(attackers) - 1, 3)
        out.append((base * (0.5 + 0.5 * d.confidence), kind, c, attackers))
    out.sort(key=lambda t: (-t[0], t[2].id))
    # then what either side asserts in the exchange, closest to the other side's words first:
    # the contested point is often stated beside the sentence that drew the attack
    taken = {t[2].id for t in out}
    rest = []
    for cid, sd in d.sides:
        c = ctx.by_id.get(cid)
        if c is None or cid in taken or crux_marker(c.text) or not substantive(c.text):
            continue
        text = phrase(c.text)
        if defect(text) or addresses_reader(text):
            continue
        other = [ctx.by_id[o].text for o, so in d.sides if so != sd and o in ctx.by_id]
        near = max((overlap(o, c.text) for o in other), default=0.0)
        rest.append((0.2 + 0.1 * near, "implicit", c, []))
    rest.sort(key=lambda t: (-t[0], t[2].id))
    return out + rest


def implicit_cruxes(ctx: _Context, covered: frozenset[str] = frozenset()) -> list[_Candidate]:
    """For each disagreement without a stated crux, its contested proposition as a yes/no
    question built from the claim's parse (:mod:`cruxmap.decompose.questions`); the first
    candidate that makes a grammatical question wins, none means "no crux found"."""
    attacks = [s for s in ctx.m.stances if s.stance in ATTACKING]
    # a fixed date or figure is no crux: factual corrections get none
    per = {d.id: _contested(ctx, d, attacks)[:6] for d in ctx.m.disagreements
           if d.id not in covered and d.id not in ctx.corrections}
    # one batched parse of the likeliest candidate per disagreement; the rest only when it fails
    questions.prime(phrase(c.text) for cands in per.values() for _, _, c, _ in cands[:1])
    out = []
    for d in ctx.m.disagreements:
        for rank, kind, c, attackers in per.get(d.id, ()):
            q = as_question(c.text)
            if not q:
                continue
            evidence = (f"{len(attackers)} attack(s) from the other side, countered" if kind == "double"
                        else f"contested: asserted by {ctx.name(c.author_id)}, attacked {len(attackers)} time(s)"
                        if attackers else f"asserted by {ctx.name(c.author_id)} in the exchange")
            out.append(_Candidate(c, q, kind, rank / (0.5 + 0.5 * d.confidence), [evidence], [d],
                                  namers={c.author_id or ""}))
            break
    return out


def _same(a: str, b: str) -> bool:
    """Near-duplicate crux texts (most content words shared, in both directions)."""
    ab, ba = overlap(a, b), overlap(b, a)
    return max(ab, ba) >= 0.55 and min(ab, ba) >= 0.45


def _listed(x: _Candidate) -> bool:
    """An item of a crux list (several may share one claim: "my cruxes: (1) X, (2) Y")."""
    return bool(x.evidence) and x.evidence[0].startswith("listed under")


def _merge(ctx: _Context, found: list[_Candidate]) -> list[_Candidate]:
    """One candidate per proposition: duplicates pool their disagreements, namers and evidence.

    The candidate kept is the best-attested one (a double crux first, then the one more
    authors named or endorsed, then the stronger marker), worded as the shortest of them.
    """
    groups: list[list[_Candidate]] = []
    for x in found:
        group = next((g for g in groups if any(_same(k.text, x.text) or k.claim.id == x.claim.id
                                               and not (_listed(k) and _listed(x)) for k in g)), None)
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
            x.kind, x.text = "double", as_question(x.text) or x.text
    scored = [(_score(ctx, x), x) for x in found]
    # stated cruxes are always kept; inferred ones within the budget, one per disagreement at most
    stated = [p for p in scored if p[1].kind == "explicit" or p[1].namers - {""} and p[1].mind_changer]
    inferred = [p for p in scored if p not in stated]
    kept = stated + _select(inferred, max(budget(len(m.claims)), len(m.disagreements)))
    kept.sort(key=lambda p: (-p[0], p[1].claim.id))
    ids: set[str] = set()

    def crux_id(x: _Candidate) -> str:
        cid = stable_id("crux", x.claim.id, x.kind)
        cid = cid if cid not in ids else stable_id("crux", x.claim.id, x.kind, x.text)  # one list, many items
        ids.add(cid)
        return cid

    cruxes = tuple(_card(ctx, Crux(id=crux_id(x), text=x.text, score=s, kind=x.kind,
                                   evidence=_evidence(ctx, x),
                                   disagreement_ids=tuple(d.id for d in x.disagreements)), x)
                   for s, x in kept)
    stated_claims = {c.id for _, x in kept if x.kind != "implicit" for c in x.members or [x.claim]}
    inferred_claims = {c.id for _, x in kept if x.kind == "implicit" for c in x.members or [x.claim]}
    crux_claims = stated_claims | ctx.weak_stated
    # an inferred crux's claim keeps an attack or support role it already has
    claims = tuple(replace(c, role="crux") if c.id in crux_claims or c.id in inferred_claims and c.role == "claim"
                   else c for c in m.claims)
    with_crux = {d for x in cruxes for d in x.disagreement_ids}
    disagreements = tuple(d if d.id in with_crux else replace(d, crux_note=_no_crux(ctx, d))
                          for d in m.disagreements)
    return replace(m, claims=claims, cruxes=cruxes, disagreements=disagreements)


def _no_crux(ctx: _Context, d: Disagreement) -> str:
    """Why a disagreement has no crux, said to the reader."""
    if d.id in ctx.corrections:
        return "no crux found: a factual correction"
    return "no crux found: no stated crux, and no contested claim that reads as a standalone yes/no question"


def _card(ctx: _Context, crux: Crux, x: _Candidate) -> Crux:
    """The crux card: each side's best verbatim quote and its authors, and what would change a
    mind (verbatim, if anyone in its disagreements said so)."""
    quotes: dict[str, list[tuple[float, Claim]]] = {"a": [], "b": []}
    authors: dict[str, list[str]] = {"a": [], "b": []}
    for d in x.disagreements:
        for cid, side in d.sides:
            c = ctx.by_id.get(cid)
            if c is None:
                continue
            name = ctx.name(c.author_id)
            if name not in authors[side] and name not in authors["b" if side == "a" else "a"]:
                authors[side].append(name)
            if substantive(c.text) and not filler(c.text):
                quotes[side].append((ctx.similarity(x.text, c.text) + (1.0 if c.id == x.claim.id else 0.0), c))
    best = {k: max(v, key=lambda p: (p[0], -p[1].start))[1].text if v else "" for k, v in quotes.items()}
    changer = x.mind_changer
    if not changer:
        for d in x.disagreements:
            for cid, _ in d.sides:
                for c in ctx.claims_of.get(ctx.by_id[cid].source_id, ()) if cid in ctx.by_id else ():
                    if _mind_changer(c.text):
                        changer = " ".join(c.text.split())
                        break
                if changer:
                    break
            if changer:
                break
    if not x.disagreements and x.claim.author_id:  # stated without an opponent: its author's side
        authors["a"] = [ctx.name(x.claim.author_id)]
        best["a"] = x.claim.text
    return replace(crux, quote_a=best["a"], quote_b=best["b"], authors_a=tuple(authors["a"]),
                   authors_b=tuple(authors["b"]), mind_changer=changer)


_CHANGE_MIND = re.compile(r"change (?:my|your|his|her|their) mind|would convince me|i(?:'d| would) (?:be convinced|update)|"
                          r"that would be evidence", re.I)


def _mind_changer(text: str) -> bool:
    """A sentence that says what would change someone's mind."""
    return bool(_CHANGE_MIND.search(text) or _IF_SHOWN.search(text) or _IF_THEN_AGREE.search(text)
                or _WOULD_IF.search(text))
