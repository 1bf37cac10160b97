"""Stage 5: topics a reader would use, and the same claim said by different authors.

Needs: ``m.claims`` (and ``m.stances``, so that a claim and its rebuttal are never called
the same). Produces: ``m.topics`` (each a :class:`cruxmap.graph.schema.Topic` labelled with a
noun phrase of the thread, such as "compute overhang", "p(doom)" or "sparse autoencoders")
and ``m.same_as`` (``(claim id, claim id, confidence)`` for near-identical claims of two
authors with the same polarity).

Topic phrases are found without a parser (a full parser per sentence is far too slow for
the ingest rate): runs of content words between stopwords and punctuation, cut into two-
and three-word phrases whose last word is no vague word ("thing", "way", "possible") and no
verb form ending in -ed; a single word counts only when it reads as a term (an abstract noun
such as "interpretability", recurring in three claims or more; an acronym such
as "RLHF", a bracketed word such as "p(doom)", a word with a digit such as "GPT-4"). Phrases are keyed
by their stems, so "sparse autoencoder" and "sparse autoencoders" are one. Then, greedily,
the phrase that covers the most not-yet-covered claims while staying distinctive (in at
most half of the claims) seeds a topic of the claims that mention it; a phrase inside a
chosen one, or sharing its words and most of its claims, is the same topic and is skipped.
At most :data:`MAX_TOPICS` topics, fewer for short threads. Topic ids come from the phrase,
so the same topic found in several threads of one map is one topic there.

Examples
--------
>>> from cruxmap.graph.schema import Claim, CruxMap, Thread
>>> texts = ["Sparse autoencoders find features.", "Sparse autoencoders miss features.",
...          "Interpretability needs sparse autoencoders.", "My p(doom) is high.",
...          "Your p(doom) is too high, and the cost is large.", "Cats purr."]
>>> cl = tuple(Claim(id=f"c{i}", source_id=f"s{i}", start=0, end=len(t), text=t, author_id=f"a{i}")
...            for i, t in enumerate(texts))
>>> [t.label for t in assign_topics(CruxMap(thread=Thread("x"), claims=cl)).topics]
['sparse autoencoders', 'p(doom)']
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from dataclasses import replace
from functools import lru_cache

from cruxmap.graph.schema import CruxMap, Topic, stable_id

from cruxmap.decompose.cues import find_cues, score, stopwords
from cruxmap.decompose.embed import SimilarityIndex, Vectorizer, stem
from cruxmap.decompose.stance import ATTACKING

#: Claims closer than this (TF-IDF cosine) are the same claim.
SAME_AS_THRESHOLD = 0.6
#: The most topics one thread gets.
MAX_TOPICS = 10

#: A word, with inner hyphens, apostrophes, digits and a bracketed part: GPT-4, p(doom), don't.
_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9]*(?:[-'’][A-Za-z0-9]+)*(?:\([A-Za-z0-9 ]{1,12}\))?")
#: Words that end a phrase: vague nouns, adjectives and adverbs, common verbs, discourse words.
_VAGUE = frozenset("""
thing things stuff way ways lot lots kind kinds sort sorts bit part parts point points case cases fact
facts idea ideas time times year years day days people person someone something anything everything
nothing example examples number numbers place question questions answer reason reasons problem problems
issue issues thought thoughts sense side sides end start level levels amount amounts term terms
figure list cost costs piece pieces area areas form forms type types matter matters
possible large small big huge little good bad better best worse worst new old same different other
certain sure real true clear likely unlikely important main whole high low long short easy hard
many much several various enough quite rather really actually probably maybe perhaps basically simply
just still already also even ever never always often sometimes usually generally especially mostly
think thinks thought know knows say says said see sees seem seems seemed feel feels want wants need
needs mean means meant going get gets got make makes made take takes took give gives come comes use
uses used work works find finds found look looks keep keeps let tell tells try tries put puts call
went goes go gone came become becomes became happen happens exist exists help helps run runs ran seen
shown given taken known done wrote write writes read reads change changes fail fails hold holds stay
stays lead leads led gave begin begins began grow grows grew fall falls fell rise rises rose
implement implements complement supplement
agree disagree argue argues claim claims post comment comments reply replies article yes okay ok
lol etc vs via per re im ive dont doesnt isnt cant wont thats theres youre
""".split())
#: Words that cannot start a phrase (verbs and quantifiers that precede a noun phrase).
_NOT_FIRST = _VAGUE | frozenset("""
lets using doing having getting making taking giving saying seeing trying working looking thinking
believe believes suggest suggests show shows shown prove proves assume assumes expect expects
increase increases decrease decreases improve improves reduce reduces create creates creating prevent
prevents allow allows require requires cause causes support supports stop stops avoid avoids
""".split())


#: Stopwords that can be part of a term ("false positive").
_KEEP = frozenset({"false", "true"})
#: Endings that mark a single word as an abstract noun ("interpretability", "immigration"): the
#: only plain single words that can be topics, since without a tagger "cheap" or "suggests" can't be told apart.
_NOUN_ENDINGS = ("tion", "tions", "sion", "sions", "ment", "ments", "ness", "ity", "ism", "isms",
                 "ance", "ence", "ship", "ology", "ics")
#: Endings of words that do not end a noun phrase (past participles, adverbs, adjectives).
_NOT_LAST = ("ed", "ly", "able", "ible", "ous", "ful")


@lru_cache(maxsize=1)
def _stop() -> frozenset[str]:
    return frozenset(stopwords() - _KEEP)


def key_phrases(text: str) -> list[tuple[str, str]]:
    """``(key, surface)`` for the topic phrases of ``text`` (keys are stemmed, surfaces lower-cased
    except acronyms).

    >>> [s for _, s in key_phrases("The scaling laws of language models, and RLHF.")]
    ['scaling laws', 'language models', 'RLHF']
    >>> [s for _, s in key_phrases("A compute overhang is possible; my p(doom) went up.")]
    ['compute overhang', 'p(doom)']
    """
    stop = _stop()
    runs: list[list[str]] = [[]]
    last_end = 0
    for m in _WORD.finditer(text):
        gap = text[last_end:m.start()]
        last_end = m.end()
        word = m.group()
        low = word.lower()
        if gap.strip() or low in stop or len(low) < 2 or low.isdigit() or "'" in low or "\u2019" in low:
            runs.append([])
        if low in stop or low.isdigit() or "'" in low or "\u2019" in low:
            continue
        runs[-1].append(word)
    out: list[tuple[str, str]] = []
    for run in runs:
        for size in (3, 2):
            for i in range(len(run) - size + 1):
                words = run[i:i + size]
                lows = [w.lower() for w in words]
                if lows[0] in _NOT_FIRST or lows[0].endswith("ly") or lows[-1] in _VAGUE \
                        or lows[-1].endswith(_NOT_LAST) \
                        or any(len(w) < 3 and not _term(x) for w, x in zip(lows, words)) \
                        or any(w in _VAGUE for w in lows[1:-1]):
                    continue
                out.append((" ".join(stem(w) for w in lows), " ".join(_surface(w) for w in words)))
        out += [(stem(w.lower()), _surface(w)) for w in run if w.lower() not in _VAGUE and (
            _term(w) or (w.isalpha() and w.lower().endswith(_NOUN_ENDINGS)))]
    return out


@lru_cache(maxsize=1 << 16)
def _term(word: str) -> bool:
    """A single word that names something: an acronym, or a word with a digit or a bracket."""
    if word.isalpha() and word.islower():  # the common case, a plain word: answered at once
        return False
    letters = [c for c in word if c.isalpha()]
    acronym = len(letters) >= 2 and sum(c.isupper() for c in letters) >= max(2, len(letters) - 1)
    return acronym or (len(word) > 3 and "(" in word) or \
        (any(c.isdigit() for c in word) and any(c.isalpha() for c in word))


def _surface(word: str) -> str:
    return word if _term(word) and any(c.isupper() for c in word[1:]) else word.lower()


def find_topics(m: CruxMap, max_topics: int = MAX_TOPICS) -> tuple[Topic, ...]:
    """Readable topics over the claims of ``m`` (see the module docstring)."""
    claims = [c for c in m.claims if c.kind in ("claim", "question", "crux_statement")]
    n = len(claims)
    if n < 3:
        return ()
    keys_of: list[set[str]] = []
    surface: dict[str, Counter[str]] = defaultdict(Counter)
    authors: dict[str, set] = defaultdict(set)
    df: Counter[str] = Counter()
    for c in claims:
        ks = set()
        for k, s in key_phrases(c.text):
            ks.add(k)
            surface[k][s] += 1
            authors[k].add(c.author_id)
        keys_of.append(ks)
        df.update(ks)
    limit = min(max_topics, max(2, n // 5))
    covered = [False] * n
    topics: list[Topic] = []
    chosen: list[tuple[str, set[int]]] = []
    rejected: set[str] = set()
    while len(topics) < limit:
        fresh: Counter[str] = Counter()
        for i, ks in enumerate(keys_of):
            if not covered[i]:
                fresh.update(k for k in ks if k not in rejected)
        best, best_score = None, 0.0
        for k, f in fresh.items():
            single = " " not in k and not _term(surface[k].most_common(1)[0][0])
            if f < (3 if single else 2) or df[k] > max(3, int(0.5 * n)):
                continue  # a plain single word must recur more to name a topic
            s = f * math.log(1 + n / df[k]) * (0.6 if single else 1 + 0.4 * k.count(" ")) * \
                (1.25 if len(authors[k]) > 1 else 1.0)
            if s > best_score or (s == best_score and best is not None and k < best):
                best, best_score = k, s
        if best is None:
            break
        rejected.add(best)
        members = {i for i, ks in enumerate(keys_of) if best in ks}
        if any(_same_topic(best, members, k, ms) for k, ms in chosen):
            continue
        chosen.append((best, members))
        for i in members:
            covered[i] = True
        label = surface[best].most_common(1)[0][0]
        ids = tuple(claims[i].id for i in sorted(members))
        topics.append(Topic(id=stable_id("topic", best), label=label, claim_ids=ids))
    return tuple(topics)


def _same_topic(key: str, members: set[int], other: str, other_members: set[int]) -> bool:
    """One phrase inside the other, or sharing a word and most of their claims."""
    if f" {key} " in f" {other} " or f" {other} " in f" {key} ":
        return True
    shared = set(key.split()) & set(other.split())
    return bool(shared) and len(members & other_members) >= 0.5 * min(len(members), len(other_members))


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
