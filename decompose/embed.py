"""Sparse TF-IDF vectors and a small inverted index for claim similarity (numpy-free, offline).

Similarity finds a reply's target among its parent's claims, the same claim said by two
authors (``SAME_AS``), contradicting claims in different posts and topic clusters. A sparse
bag of stemmed content words and their bigrams is enough for that and costs microseconds per
sentence; it needs no model download. Candidate pairs come from :class:`SimilarityIndex`
(an inverted index), so nothing compares every claim with every other claim.

Examples
--------
>>> v = Vectorizer().fit(["Scaling laws hold.", "Scaling laws will break down soon.", "Cats purr."])
>>> round(cosine(v.vector("scaling laws break"), v.vector("Scaling laws will break down soon.")), 2)
0.81
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Iterable, Sequence

from cruxmap.decompose.cues import stopwords

Vector = dict[str, float]

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'"})


def tokens(text: str) -> list[str]:
    """Lower-case word tokens (apostrophes kept inside words: ``don't``)."""
    return _TOKEN.findall(text.translate(_APOSTROPHES).lower())


def stem(word: str) -> str:
    """A light suffix stripper, enough to match ``model``/``models``, ``scale``/``scaling``.

    >>> [stem(w) for w in ("models", "scaling", "studies", "argued", "class")]
    ['model', 'scal', 'study', 'argu', 'class']
    """
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    if len(word) > 4 and word.endswith("e"):
        return word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """Stemmed tokens that carry content (no stopwords, no one-letter words)."""
    stop = stopwords()
    return [stem(t) for t in tokens(text)
            if t not in stop and (len(t) > 2 or t.isdigit()) and not t.endswith("n't")]


def features(text: str) -> list[str]:
    """Content words and their adjacent bigrams."""
    words = content_words(text)
    return words + [f"{a}_{b}" for a, b in zip(words, words[1:])]


def overlap(a: str, b: str) -> float:
    """Share of ``a``'s content words found in ``b`` (0..1); how well a quote matches a claim.

    >>> overlap("scaling will stop", "I think scaling will stop by 2030.")
    1.0
    """
    wa = set(content_words(a))
    return len(wa & set(content_words(b))) / len(wa) if wa else 0.0


class Vectorizer:
    """TF-IDF over :func:`features`, fitted on the texts of one thread."""

    def __init__(self) -> None:
        self.idf: dict[str, float] = {}
        self.default_idf = 1.0

    def fit(self, texts: Iterable[str]) -> "Vectorizer":
        df: Counter[str] = Counter()
        n = 0
        for t in texts:
            n += 1
            df.update(set(features(t)))
        self.idf = {f: math.log((1 + n) / (1 + c)) + 1.0 for f, c in df.items()}
        self.default_idf = math.log(1 + n) + 1.0
        return self

    def vector(self, text: str) -> Vector:
        """The L2-normalised TF-IDF vector of ``text`` (empty for text without content words)."""
        tf = Counter(features(text))
        v = {f: (1 + math.log(c)) * self.idf.get(f, self.default_idf) for f, c in tf.items()}
        norm = math.sqrt(sum(x * x for x in v.values()))
        return {f: x / norm for f, x in v.items()} if norm else {}


def cosine(a: Vector, b: Vector) -> float:
    """Cosine of two normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(x * b.get(f, 0.0) for f, x in a.items())


class SimilarityIndex:
    """An inverted index over sparse vectors: top-k neighbours without an all-pairs scan.

    Very common features (in more than ``max_df`` of the documents, once there are many)
    are not indexed: they would make every query touch every document.
    """

    def __init__(self, vectors: Sequence[Vector], max_df: float = 0.05, min_docs: int = 200):
        self.vectors = vectors
        postings: dict[str, list[int]] = defaultdict(list)
        for i, v in enumerate(vectors):
            for f in v:
                postings[f].append(i)
        limit = max(min_docs, int(max_df * len(vectors)))
        self.postings = {f: ids for f, ids in postings.items() if len(ids) <= limit}

    def neighbours(self, i: int, k: int = 5, min_score: float = 0.2,
                   keep=lambda j: True) -> list[tuple[int, float]]:
        """The ``k`` documents most similar to document ``i`` (not ``i``), best first."""
        q = self.vectors[i]
        acc: dict[int, float] = defaultdict(float)
        for f, x in q.items():
            for j in self.postings.get(f, ()):
                if j != i:
                    acc[j] += x * self.vectors[j][f]
        hits = [(j, s) for j, s in acc.items() if s >= min_score and keep(j)]
        hits.sort(key=lambda h: (-h[1], h[0]))
        return hits[:k]
