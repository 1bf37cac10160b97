"""Stage 5: topics with readable labels, and the same claim said by different authors.

Needs: ``m.claims`` (and ``m.stances``, so that a claim and its rebuttal are never called
the same). Produces: ``m.topics`` (each a :class:`cruxmap.graph.schema.Topic` whose label is the
thread's most distinctive key phrase for it, plus a second phrase when one helps) and
``m.same_as`` (``(claim id, claim id, confidence)`` for near-identical claims of two
authors with the same polarity).

Topics are found greedily: the key phrase (a run of one or two content words, bigrams
preferred) that covers the most not-yet-covered claims while staying distinctive (in at
most half of the claims) seeds a topic of the claims that mention it; repeat. Cheap,
deterministic and readable; a claim mentioning none of the phrases gets no topic.

Examples
--------
>>> from cruxmap.graph.schema import Claim, CruxMap, Thread
>>> texts = ["Sparse autoencoders find features.", "Sparse autoencoders miss features.",
...          "Interpretability needs sparse autoencoders.", "Cats purr."]
>>> cl = tuple(Claim(id=f"c{i}", source_id=f"s{i}", start=0, end=len(t), text=t, author_id=f"a{i}")
...            for i, t in enumerate(texts))
>>> [t.label for t in assign_topics(CruxMap(thread=Thread("x"), claims=cl)).topics]
['sparse autoencoders · features']
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import replace

from cruxmap.graph.schema import CruxMap, Topic, stable_id

from cruxmap.decompose.cues import find_cues, score, stopwords
from cruxmap.decompose.embed import SimilarityIndex, Vectorizer, stem, tokens
from cruxmap.decompose.stance import ATTACKING

#: Claims closer than this (TF-IDF cosine) are the same claim.
SAME_AS_THRESHOLD = 0.6


def key_phrases(text: str) -> list[tuple[str, str]]:
    """``(key, surface)`` for the content unigrams and bigrams of ``text`` (keys are stemmed).

    >>> [s for _, s in key_phrases("The scaling laws of language models")]
    ['scaling', 'laws', 'language', 'models', 'scaling laws', 'language models']
    """
    stop = stopwords()
    runs: list[list[str]] = [[]]
    for t in tokens(text):
        if t in stop or len(t) < 3 or t.isdigit() or "'" in t:
            runs.append([])
        else:
            runs[-1].append(t)
    uni, bi = [], []
    for run in runs:
        uni += [(stem(w), w) for w in run]
        bi += [(f"{stem(a)} {stem(b)}", f"{a} {b}") for a, b in zip(run, run[1:])]
    return uni + bi


def find_topics(m: CruxMap, max_topics: int = 12) -> tuple[Topic, ...]:
    """Readable topics over the claims of ``m`` (see the module docstring)."""
    claims = [c for c in m.claims if c.kind in ("claim", "question", "crux_statement")]
    n = len(claims)
    if n < 3:
        return ()
    keys_of: list[set[str]] = []
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    df: Counter[str] = Counter()
    for c in claims:
        ks = set()
        for k, s in key_phrases(c.text):
            ks.add(k)
            surface[k][s] += 1
        keys_of.append(ks)
        df.update(ks)
    limit = min(max_topics, max(1, n // 6))
    covered = [False] * n
    topics = []
    used: set[str] = set()
    while len(topics) < limit:
        fresh: Counter[str] = Counter()
        for i, ks in enumerate(keys_of):
            if not covered[i]:
                fresh.update(k for k in ks if k not in used)
        best, best_score = None, 0.0
        for k, f in fresh.items():
            if f < 2 or df[k] > max(3, int(0.6 * n)):
                continue
            s = f * math.log(1 + n / df[k]) * (1.6 if " " in k else 1.0)
            if s > best_score or (s == best_score and best is not None and k < best):
                best, best_score = k, s
        if best is None:
            break
        members = [i for i, ks in enumerate(keys_of) if best in ks]
        used.add(best)
        # a second phrase that most of the members share makes a label readable on its own
        co = Counter(k for i in members for k in keys_of[i]
                     if k != best and k not in best.split() and best not in k and df[k] < n // 2 + 1)
        label = surface[best].most_common(1)[0][0]
        if co:
            k2, f2 = max(co.items(), key=lambda kv: (kv[1] * (1.3 if " " in kv[0] else 1), kv[0]))
            if f2 >= max(2, len(members) // 2) and k2 not in used:
                label = f"{label} · {surface[k2].most_common(1)[0][0]}"
        for i in members:
            covered[i] = True
        ids = tuple(claims[i].id for i in members)
        topics.append(Topic(id=stable_id("topic", m.thread.source, best), label=label, claim_ids=ids))
    return tuple(topics)


def _polarity(text: str) -> bool:
    return score(find_cues(text, ("negation",)), "negation") % 2 == 1


def find_same_as(m: CruxMap, k: int = 3, threshold: float = SAME_AS_THRESHOLD) -> tuple[tuple[str, str, float], ...]:
    """Pairs of near-identical claims by different authors (never a claim and its rebuttal)."""
    claims = [c for c in m.claims if c.kind == "claim" and c.author_id]
    if len(claims) < 2:
        return ()
    vec = Vectorizer().fit(c.text for c in claims)
    vectors = [vec.vector(c.text) for c in claims]
    index = SimilarityIndex(vectors)
    opposed = {frozenset((s.source_claim_id, s.target_claim_id)) for s in m.stances if s.stance in ATTACKING}
    pairs: dict[tuple[str, str], float] = {}
    for i, c in enumerate(claims):
        for j, sim in index.neighbours(i, k=k, min_score=threshold,
                                       keep=lambda j: claims[j].author_id != c.author_id):
            o = claims[j]
            if frozenset((c.id, o.id)) in opposed or _polarity(c.text) != _polarity(o.text):
                continue
            a, b = sorted((c.id, o.id))
            pairs[(a, b)] = round(max(sim, pairs.get((a, b), 0.0)), 4)
    return tuple((a, b, s) for (a, b), s in sorted(pairs.items()))


def assign_topics(m: CruxMap) -> CruxMap:
    """The topic stage: ``m`` with ``topics`` and ``same_as`` filled."""
    return replace(m, topics=find_topics(m), same_as=find_same_as(m))
