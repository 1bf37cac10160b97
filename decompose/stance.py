"""Stage 2: the stance of every reply claim toward the claim it answers.

Needs: ``m.claims`` (from :mod:`cruxmap.decompose.claims`) and the thread's reply structure
(``Comment.parent_id``) and quotes (``Comment.quotes``, inline ``You write: "X"``).
Produces: ``m.stances`` (one :class:`cruxmap.graph.schema.Stance` per reply claim that takes a
stance: agree, disagree, correct, concede or question; neutral claims get none),
``m.comment_stances`` (every reply comment's overall stance, neutral included) and
``Claim.role`` (``attack`` for disagree/correct, ``support`` for agree/concede).

How a stance is found
---------------------
1. *Cues* (``decompose/lexicons``): each sentence of a reply is scored for disagreement,
   dismissal, agreement, concession, correction and question cues, hedges lower the
   confidence. Cue-less sentences continue the stance of the sentence before them
   ("No. Scaling stalls. Data is short." attacks three times) and a sentence opening with a
   contrast marker after an agreeing one turns to disagreement ("Agreed. But ...").
2. *The feature model* (:mod:`cruxmap.decompose.stance_model`), when the parent's text is known:
   explicit cues stand (their confidence averaged with the model's probability), a
   logistic model over a few dozen named features decides the reply's overall
   disagree / neutral / agree where cues are silent, and a second one decides attack or
   support for each cue-less sentence (or one that merely continues an agreement or
   disagreement). Corrections, concessions and questions stay with the cues.
3. *Targets*, in order of reliability: a quote in the reply (``> X`` or ``You write: X``)
   targets the parent-chain claim it matches best by content-word overlap (target
   ``quote``); otherwise the parent's claim most similar to the reply claim (``reply``);
   for items with no known parent, the most similar earlier claim of another author
   (``similarity``); a rejection of something not in the data is kept with
   ``target_claim_id=EXTERNAL_TARGET`` (``external``).

The evidence string names what decided: ``cue: "fair point"``, ``quote: "..."``,
``follows: ...``, ``contrast: "but"`` or ``model attack p=0.81 (you_rate +0.40, ...)`` (the
features that pushed the model most).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Iterable, Sequence

import numpy as np

from cruxmap.graph.schema import (EXTERNAL_TARGET, Claim, Comment, CruxMap, Post, Quote, Stance)

from cruxmap.decompose import claims as claims_stage
from cruxmap.decompose import stance_model
from cruxmap.decompose.cues import find_cues, lexicon, normalise, score, strongest
from cruxmap.decompose.embed import SimilarityIndex, Vectorizer, content_words, cosine

#: Stances that attack what they answer, and those that support it.
ATTACKING = ("disagree", "correct")
SUPPORTING = ("agree", "concede")

_INLINE_QUOTE = re.compile(
    r"(?:\byou\s+(?:write|wrote|said|say|claim|claimed|argue|argued|state|stated|suggest|suggested)"
    r"|\bas\s+you\s+put\s+it)\s*(?:that\s*)?[:,]?\s*[\"“'‘]([^\"”’]{8,}?)[\"”’]", re.I)
_LEADING_QUOTE = re.compile(r"^\s*[\"“]([^\"”]{12,}?)[\"”]")
_EXTERNAL_REF = re.compile(
    r"\b(?:that|the|this|his|her|their|your|these|those)\s+(?:\w+\s+)?"
    r"(paper|article|study|studies|book|essay|report|video|talk|podcast|interview|survey|"
    r"tweet|blog|author|authors|researchers|experts|critics|proponents|lesson)\b", re.I)


@dataclass(frozen=True)
class SentenceStance:
    """The stance one sentence takes, how sure we are, and the cue that decided it."""

    stance: str
    confidence: float
    evidence: str


NEUTRAL = SentenceStance("neutral", 0.5, "no cue")


def _starts_with(text: str, category: str) -> str:
    """The sentence-initial cue of ``category`` that ``text`` opens with, or ''."""
    norm = normalise(text)
    for pat, _, label in lexicon(category).patterns:
        if pat.pattern.startswith("^") and pat.search(norm):
            return label.strip("^")
    return ""


def _conf(base: float, strength: float, hedge: float) -> float:
    """Confidence from a cue's strength, lowered by hedges; always in (0, 0.95]."""
    c = base + 0.08 * min(strength, 5.0)
    return round(max(0.05, min(0.95, c * (1.0 - 0.08 * min(hedge, 3.0)))), 4)


_TURN = re.compile(r"(?:,|;|\s)\s*(?:but|however|although|though|yet|that said)\b[,]?\s+", re.I)


def sentence_stance(text: str, previous: SentenceStance | None = None) -> SentenceStance:
    """The stance of one reply sentence toward what it answers.

    ``previous`` is the stance of the sentence before it in the same reply (None for the
    first sentence): cue-less sentences continue it, contrast openers turn it.

    Examples
    --------
    >>> sentence_stance("Small correction: the figure is 3.2, not 2.3.").stance
    'correct'
    >>> sentence_stance("Fair point, I stand corrected.").stance
    'concede'
    >>> sentence_stance("But that only holds for small models.", SentenceStance("agree", 0.8, "")).stance
    'disagree'
    >>> sentence_stance("What do you mean by alignment?").stance
    'question'
    >>> sentence_stance("Fair point about the metric, but I disagree that it matters.").stance
    'disagree'
    """
    turn = _TURN.search(text)
    if turn and turn.start() > 0:
        # "Fair point, but I disagree that ...": what follows the turn is the stance taken
        head, tail = _cue_stance(text[:turn.start()], previous), _cue_stance(text[turn.end():], None)
        if tail.stance not in ("neutral", "question") and tail.stance != head.stance:
            return SentenceStance(tail.stance, tail.confidence,
                                  f'{tail.evidence} after "{turn.group(0).strip(" ,;")}"')
    return _cue_stance(text, previous)


def _cue_stance(text: str, previous: SentenceStance | None) -> SentenceStance:
    cues = find_cues(text)
    hedge = score(cues, "hedge")
    dis = score(cues, "disagree") + 0.8 * score(cues, "dismissive")
    agr, con, cor = score(cues, "agree"), score(cues, "concede"), score(cues, "correct")
    agr += score(cues, "additive")  # "to add to this", "great explanation": extends or applauds
    asks = text.rstrip().endswith("?")
    if score(cues, "sarcasm") >= 1.5 and dis < 1.0:
        # "Oh sure, because that always works /s": the literal agreement is not meant, and
        # whether the mockery aims at what it answers or at a third view is not in the words
        return SentenceStance("neutral", 0.3, f'sarcasm: "{strongest(cues, "sarcasm")}"')
    if con >= 1.5 and con >= dis:
        return SentenceStance("concede", _conf(0.55, con, hedge), f'cue: "{strongest(cues, "concede")}"')
    if cor >= 1.5 and cor >= agr and not asks:
        return SentenceStance("correct", _conf(0.5, cor, hedge), f'cue: "{strongest(cues, "correct")}"')
    contrast = _starts_with(text, "contrast")
    if dis >= 1.0 and dis > agr:
        cue = strongest(cues, "disagree") or strongest(cues, "dismissive")
        return SentenceStance("disagree", _conf(0.5, dis - agr, hedge), f'cue: "{cue}"')
    if agr >= 1.0 and agr > dis:
        if score(cues, "contrast") >= 1.0 and not contrast and dis > 0:
            return SentenceStance("disagree", _conf(0.35, dis, hedge),
                                  f'cue: "{strongest(cues, "agree")} ... {strongest(cues, "contrast")}"')
        cue = strongest(cues, "agree") or strongest(cues, "additive")
        return SentenceStance("agree", _conf(0.5, agr - dis, hedge), f'cue: "{cue}"')
    if asks:
        q = score(cues, "question")
        return SentenceStance("question", _conf(0.45, q, 0.0), 'cue: "?"' if not q
                              else f'cue: "{strongest(cues, "question")}"')
    if contrast and (previous is None or previous.stance in ("agree", "concede", "neutral")):
        return SentenceStance("disagree", _conf(0.35, 1.0, hedge), f'contrast: "{contrast}"')
    if previous is not None and previous.stance in ATTACKING + SUPPORTING:
        return SentenceStance(previous.stance, round(previous.confidence * 0.8, 4),
                              "follows: " + previous.evidence.removeprefix("follows: "))
    return NEUTRAL


def _quoted_spans(item: Post | Comment) -> list[Quote]:
    """Quotes of others in ``item``: its ``quotes`` plus inline ``You write: "X"`` spans."""
    spans = list(getattr(item, "quotes", ()))
    for m in _INLINE_QUOTE.finditer(item.text):
        spans.append(Quote(m.start(1), m.end(1), m.group(1)))
    m = _LEADING_QUOTE.match(item.text)
    if m and not spans:
        spans.append(Quote(m.start(1), m.end(1), m.group(1)))
    return sorted(spans, key=lambda q: q.start)


def cue_sentence_stances(text: str, quotes: Sequence[Quote] = ()) -> list[tuple[int, int, SentenceStance]]:
    """``(start, end, stance)`` from cues alone for each sentence not inside a quote."""
    out: list[tuple[int, int, SentenceStance]] = []
    prev: SentenceStance | None = None
    for s, e in claims_stage.sentence_spans(text):
        if any(q.start <= s < q.end for q in quotes) or text[s:e].lstrip().startswith(">"):
            continue
        st = sentence_stance(text[s:e], prev)
        out.append((s, e, st))
        prev = st
    return out


def overall_stance(sentences: Sequence[SentenceStance]) -> SentenceStance:
    """A comment's stance from its sentences' cues: the opener counts most, then the weighted vote.

    >>> overall_stance([sentence_stance("Fair point."), sentence_stance("I'll fix it.")]).stance
    'concede'
    """
    if not sentences:
        return NEUTRAL
    votes: dict[str, float] = {}
    for i, st in enumerate(sentences):
        if st.stance == "neutral" or st.evidence.startswith("follows"):
            continue
        weight = st.confidence * (1.6 if i == 0 else 1.0 if i < 3 else 0.6)
        votes[st.stance] = votes.get(st.stance, 0.0) + weight
    if not votes:
        return NEUTRAL
    # a concession or correction anywhere is the point of the reply
    for special in ("concede", "correct"):
        if votes.get(special, 0.0) >= 0.6:
            best = special
            break
    else:
        best = max(votes, key=lambda k: (votes[k], k))
    conf = min(0.95, votes[best] / (sum(votes.values()) + 0.3) + 0.2)
    first = next(st for st in sentences if st.stance == best)
    return SentenceStance(best, round(conf, 4), first.evidence)


# --- the learned feature model ---------------------------------------------------------
def _model_evidence(model: stance_model.FeatureModel, x, cls: str, p: float, cue: SentenceStance) -> str:
    parts = ", ".join(f"{name} +{c:.2f}" for name, c in model.contributions(x, cls))
    text = f"model {cls} p={p:.2f}" + (f" ({parts})" if parts else "")
    return text + (f"; {cue.evidence}" if cue.stance != "neutral" else "")


def _explicit(st: SentenceStance) -> bool:
    """A stance a cue in the sentence itself decided (not inherited, not a bare question)."""
    return st.stance in ATTACKING + SUPPORTING and not st.evidence.startswith("follows")


def model_comment_stance(parent: str, text: str, sentences: Sequence[SentenceStance],
                         encoder=None) -> SentenceStance:
    """A reply's overall stance: explicit cues stand, the reply model decides the rest.

    An explicit agree / disagree / concede / correct cue decides the stance; its confidence is
    the mean of the cue's and the model's probability for that stance. A question stands when
    the model reads the reply as disagreement or the question cue is explicit ("what do you
    mean", "source?"). Otherwise the model's disagree / neutral / agree, with its probability
    as the confidence. With ``encoder`` (:class:`cruxmap.decompose.minilm.MiniLMEncoder`), the
    ``reply_minilm`` model also reads the encoder's sentence-embedding features.
    """
    cue = overall_stance(sentences)
    x = stance_model.reply_features(parent, text, cue.stance, [st.stance for st in sentences])
    if encoder is None:
        model = stance_model.load_model("reply")
    else:
        model = stance_model.load_model("reply_minilm")
        x = np.concatenate([x, stance_model.encoder_features(parent, text, encoder)])
    p = model.predict_proba(x)
    if cue.stance in ATTACKING + SUPPORTING:
        cls = "disagree" if cue.stance in ATTACKING else "agree"
        pc = float(p[model.classes.index(cls)])
        return SentenceStance(cue.stance, round((cue.confidence + pc) / 2, 4),
                              f"{cue.evidence}; model {cls} p={pc:.2f}")
    best = model.classes[int(p.argmax())]
    if cue.stance == "question" and (best == "disagree" or "question" in find_cues(text, ("question",))):
        return SentenceStance("question", round(float(max(p[0], cue.confidence)), 4),
                              f"{cue.evidence}; model disagree p={p[0]:.2f}")
    return SentenceStance(best, round(float(p.max()), 4), _model_evidence(model, x, best, float(p.max()), cue))


def model_sentence_stance(parent: str, text: str, cue: SentenceStance, neutral_reply: bool) -> SentenceStance:
    """One reply sentence's stance: explicit cues, questions and the sentences that continue a
    correction or concession stand; the relation model (attack vs support) decides cue-less
    sentences and those that continue an agreement or disagreement. In a reply that reads as
    neutral overall, a sentence without a cue stays neutral. Confidence is the model's
    probability (averaged with the cue's when a cue decided)."""
    if cue.stance == "question" or (neutral_reply and cue.stance == "neutral"):
        return cue
    if cue.stance in ("correct", "concede") and not _explicit(cue):
        return cue  # "Small correction: X. It doesn't change your argument." is still a correction
    model = stance_model.load_model("relation")
    x = stance_model.reply_features(parent, text, cue.stance, [cue.stance])
    p = model.predict_proba(x)
    if _explicit(cue):
        pc = float(p[model.classes.index("attack" if cue.stance in ATTACKING else "support")])
        return SentenceStance(cue.stance, round((cue.confidence + pc) / 2, 4), f"{cue.evidence}; model p={pc:.2f}")
    cls = model.classes[int(p.argmax())]
    inherited = cue.stance in ATTACKING + SUPPORTING  # continues an explicit cue before it
    if inherited and ("attack" if cue.stance in ATTACKING else "support") != cls and p.max() < OVERRIDE_P:
        # "I agree. X." — X goes on agreeing unless the model is sure it turns (a contrast
        # marker would have turned the cue already): a reply rarely flips without saying so
        pc = float(p[model.classes.index("attack" if cue.stance in ATTACKING else "support")])
        return SentenceStance(cue.stance, round(max(pc, 0.5 * cue.confidence), 4),
                              f"{cue.evidence}; model p={pc:.2f}")
    stance = "disagree" if cls == "attack" else "agree"
    return SentenceStance(stance, round(float(p.max()), 4), _model_evidence(model, x, cls, float(p.max()), cue))


#: The relation model overrides a stance inherited from an explicit cue only above this probability.
OVERRIDE_P = 0.75


def reply_stances(text: str, quotes: Sequence[Quote] = (), parent: str | None = None, encoder=None
                  ) -> tuple[list[tuple[int, int, SentenceStance]], SentenceStance]:
    """Each sentence's stance and the reply's overall stance toward ``parent``.

    With ``parent=None`` (no parent text known) only cues decide. With a parent, the feature
    model decides as :func:`model_comment_stance` and :func:`model_sentence_stance` say
    (``encoder``: the optional sentence encoder for the reply model).
    """
    cue = cue_sentence_stances(text, quotes)
    if parent is None:
        overall = overall_stance([st for _, _, st in cue])
        return _granting(text, cue, overall), overall
    overall = model_comment_stance(parent, text, [st for _, _, st in cue], encoder)
    neutral = overall.stance == "neutral"
    out = [(s, e, model_sentence_stance(parent, text[s:e], st, neutral)) for s, e, st in cue]
    return _granting(text, out, overall, cue), overall


def _turned(st: SentenceStance) -> bool:
    """An attack the sentence itself announces: after a contrast ("..., but"), or an explicit
    rejection ("I disagree", "that's not true"), never one the model read into a cue-less line."""
    if st.stance not in ATTACKING:
        return False
    ev = st.evidence.split(";")[0]
    return ev.startswith("contrast:") or ' after "' in ev or _strong_rejection(ev)


def _strong_rejection(evidence: str) -> bool:
    m = re.match(r'cue: "([^"]*)"', evidence)
    if not m:
        return False
    cues = find_cues(m.group(1), ("disagree", "dismissive", "correct"))
    return max(score(cues, "disagree"), score(cues, "correct"), score(cues, "dismissive")) >= 1.5


def _granting(text: str, sentences: list[tuple[int, int, SentenceStance]], overall: SentenceStance,
              cues: list[tuple[int, int, SentenceStance]] | None = None
              ) -> list[tuple[int, int, SentenceStance]]:
    """Agreeing, praising, additive and conceding replies attack nothing unless they turn.

    In a reply whose overall stance supports what it answers, a sentence attacks only when it
    says so itself (a contrast after the granting: "Fair, but ...", or an explicit rejection);
    the model's attack on a cue-less sentence of such a reply becomes support. An attack that
    follows a granting sentence names it in its evidence (``after granting: "..."``), so a
    reader sees what was conceded before the objection.
    """
    cues = cues or sentences
    # the reply grants, praises or extends from its first words ("You're right.", "Great
    # explanation", "To add to this", "Fair point"), and reads as support overall
    supporting = overall.stance in SUPPORTING and bool(cues) and _explicit(cues[0][2]) and \
        cues[0][2].stance in SUPPORTING
    out, granted, turned = [], "", False
    for (s, e, st), (_, _, cue) in zip(sentences, cues):
        if st.stance in ATTACKING:
            sentence = text[s:e]
            turned = turned or bool(_starts_with(sentence, "contrast") or _TURN.search(sentence)
                                    or _turned(cue) or _turned(st))
            if supporting and not turned:
                st = SentenceStance("agree" if overall.stance == "agree" else "neutral",
                                    round(min(st.confidence, overall.confidence), 4),
                                    f"follows: the reply {overall.stance}s ({overall.evidence.split(';')[0]})")
            elif granted:
                st = replace(st, evidence=f'{st.evidence}; after granting: "{granted}"')
        elif st.stance in SUPPORTING and not granted:
            granted = " ".join(text[s:e].split())[:80]
        out.append((s, e, st))
    return out


def sentence_stances(text: str, quotes: Sequence[Quote] = (), parent: str | None = None
                     ) -> list[tuple[int, int, SentenceStance]]:
    """``(start, end, stance)`` for each sentence of a reply that is not inside a quote.

    ``parent`` is the text replied to; when given, the feature model decides (see
    :func:`reply_stances`), otherwise cues alone.
    """
    return reply_stances(text, quotes, parent)[0]


def comment_stance(text: str, quotes: Sequence[Quote] = (), parent: str | None = None,
                   encoder=None) -> SentenceStance:
    """The overall stance of a reply's text toward its parent (``parent`` text if known;
    ``encoder`` as in :func:`reply_stances`).

    >>> comment_stance("No. That is not how scaling works.").stance
    'disagree'
    >>> st = comment_stance("You clearly haven't looked at the numbers. Deficits exploded every time.",
    ...                     parent="Tax cuts pay for themselves through higher growth.")
    >>> st.stance, st.evidence.startswith("model disagree")
    ('disagree', True)
    """
    return reply_stances(text, quotes, parent, encoder)[1]


# --- targets -----------------------------------------------------------------------
#: What a deleted or removed item's text says where the source keeps a placeholder for it.
_DELETED_TEXT = re.compile(r"^\W*(?:deleted|removed|comment (?:deleted|removed)|flagged|dead|"
                           r"this comment (?:has been|was) (?:deleted|removed)[^\n]*)\W*$", re.I)


def deleted(item: Post | Comment | None) -> bool:
    """True for a placeholder of a deleted or removed item ("[deleted]", "[removed]").

    >>> deleted(Comment(id="c", text="[deleted]"))
    True
    """
    return item is not None and (not item.text.strip() or bool(_DELETED_TEXT.match(item.text.strip())))


def answers_deleted(items: dict, item: Post | Comment) -> bool:
    """True when ``item`` replies to a deleted item (a placeholder, or a loader that re-attached
    it records ``nesting="deleted"``): whom it answers is unknown."""
    return getattr(item, "nesting", "") == "deleted" or \
        deleted(items.get(getattr(item, "parent_id", None) or ""))


class _Context:
    """Lookups over one thread shared by the target finders."""

    def __init__(self, m: CruxMap):
        self.items = {it.id: it for it in m.thread.items()}
        self.claims_of: dict[str, list[Claim]] = {}
        for c in m.claims:
            self.claims_of.setdefault(c.source_id, []).append(c)
        self.claims = list(m.claims)
        self.index_of = {c.id: i for i, c in enumerate(self.claims)}
        self.order = {it.id: i for i, it in enumerate(m.thread.items())}
        self.vectorizer = Vectorizer().fit(c.text for c in self.claims)
        self.vectors = [self.vectorizer.vector(c.text) for c in self.claims]
        self._index: SimilarityIndex | None = None

    @property
    def index(self) -> SimilarityIndex:
        if self._index is None:
            self._index = SimilarityIndex(self.vectors)
        return self._index

    def parent_claims(self, item: Post | Comment, depth: int = 3) -> list[Claim]:
        """The claims of the nearest ancestor that has any (a bare "Yes." parent has none).

        A deleted ancestor stops the walk: what answered it answered someone unknown, never
        the author above it (see :func:`answers_deleted`)."""
        pid = getattr(item, "parent_id", None)
        while pid and depth > 0:
            if deleted(self.items.get(pid)):
                return []
            found = self.claims_of.get(pid)
            if found:
                return found
            pid = getattr(self.items.get(pid), "parent_id", None)
            depth -= 1
        return []

    def ancestor_claims(self, item: Post | Comment, depth: int = 4) -> list[Claim]:
        out: list[Claim] = []
        pid = getattr(item, "parent_id", None)
        while pid and depth > 0:
            out.extend(self.claims_of.get(pid, ()))
            pid = getattr(self.items.get(pid), "parent_id", None)
            depth -= 1
        return out


def best_quote_target(quote: str, candidates: Iterable[Claim]) -> tuple[Claim | None, float]:
    """The candidate claim a quote matches best by content-word overlap, and the overlap."""
    q = set(content_words(quote))
    best, best_score = None, 0.0
    if not q:
        return None, 0.0
    for c in candidates:
        cw = set(content_words(c.text))
        if not cw:
            continue
        inter = len(q & cw)
        s = inter / min(len(q), len(cw)) if inter >= 2 or len(cw) <= 2 else 0.0
        if s > best_score:
            best, best_score = c, s
    return best, best_score


def _similar_earlier(ctx: _Context, claim: Claim, min_score: float = 0.25) -> tuple[Claim | None, float]:
    """The most similar claim by another author in an earlier item (for items without a parent)."""
    i = ctx.index_of[claim.id]
    here = ctx.order.get(claim.source_id, 0)

    def keep(j: int) -> bool:
        o = ctx.claims[j]
        return (o.source_id != claim.source_id and o.author_id != claim.author_id
                and ctx.order.get(o.source_id, 0) < here)

    hits = ctx.index.neighbours(i, k=1, min_score=min_score, keep=keep)
    return (ctx.claims[hits[0][0]], hits[0][1]) if hits else (None, 0.0)


def _reply_target(ctx: _Context, claim: Claim, parents: list[Claim]) -> tuple[Claim, float]:
    v = ctx.vectors[ctx.index_of[claim.id]]
    scored = [(cosine(v, ctx.vectors[ctx.index_of[p.id]]), -k, p) for k, p in enumerate(parents)]
    sim, _, best = max(scored, key=lambda t: (t[0], t[1]))
    return best, sim


def _target(ctx: _Context, item: Post | Comment, claim: Claim, st: SentenceStance,
            quote_target: tuple[Claim, str] | None) -> Stance | None:
    """The Stance record of ``claim``: its target found by quote, reply, similarity or none."""
    if quote_target is not None:
        tgt, qtext = quote_target
        short = " ".join(qtext.lstrip("> ").split())[:60]
        return Stance(claim.id, tgt.id, st.stance, st.confidence,
                      f'{st.evidence}; quote: "{short}"', target="quote")
    if answers_deleted(ctx.items, item):
        # its target is gone: an unknown author's, never the post author's above it
        return Stance(claim.id, EXTERNAL_TARGET, st.stance, st.confidence,
                      f"{st.evidence}; answers a deleted item", target="external")
    parents = ctx.parent_claims(item)
    if parents:
        tgt, sim = _reply_target(ctx, claim, parents)
        ref = _EXTERNAL_REF.search(claim.text)
        if sim < 0.2 and ref and st.stance in ATTACKING and \
                ref.group(1).lower() not in " ".join(p.text for p in parents).lower():
            return Stance(claim.id, EXTERNAL_TARGET, st.stance, st.confidence,
                          f'{st.evidence}; refers to "{ref.group(0)}" outside the thread', target="external")
        return Stance(claim.id, tgt.id, st.stance, round(st.confidence * (0.9 + 0.1 * min(1.0, 3 * sim)), 4),
                      f"{st.evidence}; reply similarity {sim:.2f}", target="reply")
    if st.evidence.startswith("follows") or st.confidence < 0.6:
        return None  # without a parent, only a clear cue is a stance at all
    tgt, sim = _similar_earlier(ctx, claim)
    if tgt is not None:
        return Stance(claim.id, tgt.id, st.stance, round(st.confidence * min(1.0, 0.5 + sim), 4),
                      f"{st.evidence}; similarity {sim:.2f}", target="similarity")
    return Stance(claim.id, EXTERNAL_TARGET, st.stance, st.confidence,
                  f"{st.evidence}; target not in the thread", target="external")


def _quote_targets(ctx: _Context, item: Post | Comment, claims: list[Claim]) -> dict[str, tuple[Claim, str]]:
    """Claim id -> (quoted claim, quote text) for claims that answer a quote in ``item``."""
    quotes = _quoted_spans(item)
    if not quotes:
        return {}
    candidates = ctx.ancestor_claims(item) or [
        c for c in ctx.claims if c.author_id != item.author_id and c.source_id != item.id
        and ctx.order.get(c.source_id, 0) < ctx.order.get(item.id, 0)][-500:]
    out: dict[str, tuple[Claim, str]] = {}
    for k, q in enumerate(quotes):
        tgt, s = best_quote_target(q.text, candidates)
        if tgt is None or s < 0.5:
            continue
        nxt = quotes[k + 1].start if k + 1 < len(quotes) else len(item.text) + 1
        for c in claims:
            # the claims after a quote answer it; a claim holding an inline quote answers it too
            if q.end <= c.start < nxt or c.start <= q.start < c.end:
                out[c.id] = (tgt, q.text)
    return out


#: What a stance's evidence says when decompose/replies.py recovered the parent on a pasted page.
_RECOVERED_PARENT = {"addressed": "parent: the author it addresses by name", "quoted": "parent: the item it quotes",
                     "answered": "parent: the question it answers"}


def _item_stances(ctx: _Context, item: Post | Comment, encoder=None) -> tuple[list[Stance], SentenceStance | None]:
    claims = ctx.claims_of.get(item.id, [])
    quotes = _quoted_spans(item)
    parent = ctx.items.get(getattr(item, "parent_id", None) or "")
    sentences, overall = reply_stances(item.text, quotes, parent.text if parent is not None else None, encoder)
    if not getattr(item, "parent_id", None):
        overall = None
    if not claims:
        return [], overall
    by_span = {(s, e): st for s, e, st in sentences}
    qtargets = _quote_targets(ctx, item, claims)
    out = []
    for c in claims:
        if c.kind == "quote":
            continue  # a source the author quoted: it takes no stance of its own
        st = by_span.get((c.start, c.end)) or sentence_stance(c.text)
        if st.stance == "neutral":
            continue
        rec = _target(ctx, item, c, st, qtargets.get(c.id))
        how = _RECOVERED_PARENT.get(getattr(item, "nesting", "known"))
        if rec is not None and how:
            rec = replace(rec, evidence=f"{rec.evidence}; {how}")
        if rec is not None:
            out.append(rec)
    return out, overall


def role_of(stance: str) -> str:
    """The claim role a stance gives: ``attack``, ``support`` or ``claim``."""
    return "attack" if stance in ATTACKING else "support" if stance in SUPPORTING else "claim"


#: Items whose texts the optional encoder embeds in one batched pass.
ENCODE_CHUNK = 256


def assign_stances(m: CruxMap, encoder=None) -> CruxMap:
    """The stance stage: ``m`` with ``stances``, ``comment_stances`` and claim roles filled.

    ``encoder``: the optional sentence encoder (:class:`cruxmap.decompose.minilm.MiniLMEncoder`) whose
    features the reply model then reads too; None keeps the default named features only.
    """
    ctx = _Context(m)
    stances: list[Stance] = []
    comment_stances: list[tuple[str, str, float]] = []
    items = list(m.thread.items())
    for start in range(0, len(items), ENCODE_CHUNK):
        chunk = items[start:start + ENCODE_CHUNK]
        if encoder is not None:  # one batched pass per chunk: features then hit the encoder's cache
            encoder.encode(stance_model.encoder_texts(
                (ctx.items[it.parent_id].text, it.text) for it in chunk
                if getattr(it, "parent_id", None) in ctx.items))
        for item in chunk:
            recs, overall = _item_stances(ctx, item, encoder)
            stances.extend(recs)
            if overall is not None:
                comment_stances.append((item.id, overall.stance, overall.confidence))
    role = {}
    for s in stances:  # a claim's role follows its most confident stance
        if s.source_claim_id not in role or s.confidence > role[s.source_claim_id][1]:
            role[s.source_claim_id] = (role_of(s.stance), s.confidence)
    claims = tuple(replace(c, role=role[c.id][0]) if c.id in role and c.role == "claim" else c
                   for c in m.claims)
    return replace(m, claims=claims, stances=tuple(stances), comment_stances=tuple(comment_stances))
