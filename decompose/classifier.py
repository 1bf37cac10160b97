"""A small numpy softmax regression over hashed n-gram and cue features.

Used to measure what learning adds on top of the cue lexicons: ``cruxmap eval`` trains it
at evaluation time on the dev split of a labelled corpus and scores the test split. No
weights trained on a corpus without a redistribution licence are shipped with the package;
:func:`reply_features` and :class:`SoftmaxRegression` are all there is.

Examples
--------
>>> X = [["w:good"], ["w:bad"], ["w:good", "w:fine"], ["w:bad", "w:awful"]]
>>> model = SoftmaxRegression(n_classes=2, dim=64).fit(X, [1, 0, 1, 0])
>>> model.predict([["w:good"], ["w:awful"]]).tolist()
[1, 0]
"""

from __future__ import annotations

import zlib
from typing import Sequence

import numpy as np

from cruxmap.decompose.cues import find_cues, score
from cruxmap.decompose.embed import content_words, tokens


def reply_features(parent: str, child: str) -> list[str]:
    """Features of a reply ``child`` to ``parent``: n-grams, openers, cue scores, overlap."""
    from cruxmap.decompose.stance import comment_stance  # late: stance imports this module's users

    toks = tokens(child)
    feats = [f"w:{t}" for t in toks]
    feats += [f"b:{a}_{b}" for a, b in zip(toks, toks[1:])]
    feats += [f"start:{t}" for t in toks[:3]]
    feats.append("start2:" + "_".join(toks[:2]))
    cues = find_cues(child)
    for cat in cues:
        feats.append(f"cue:{cat}")
        feats.append(f"cue:{cat}:{min(3, int(score(cues, cat)))}")
    feats.append("lex:" + comment_stance(child).stance)
    pw, cw = set(content_words(parent)), set(content_words(child))
    ov = len(pw & cw) / len(cw) if cw else 0.0
    feats.append(f"overlap:{min(4, int(ov * 5))}")
    feats.append(f"len:{min(6, len(toks).bit_length())}")
    feats.append("has_q" if "?" in child else "no_q")
    feats.append("quotes" if child.lstrip().startswith((">", '"', "“", "'")) else "no_quote")
    return feats


def _hash(feature: str, dim: int) -> int:
    return zlib.crc32(feature.encode("utf-8")) % dim


class SoftmaxRegression:
    """Multinomial logistic regression on hashed binary features (L2, Adam, full batch)."""

    def __init__(self, n_classes: int, dim: int = 1 << 18, l2: float = 1e-4,
                 epochs: int = 150, lr: float = 0.05, seed: int = 0):
        self.n_classes, self.dim, self.l2 = n_classes, dim, l2
        self.epochs, self.lr = epochs, lr
        self.rng = np.random.default_rng(seed)
        self.W = np.zeros((dim, n_classes))
        self.b = np.zeros(n_classes)

    def _encode(self, X: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        idx, starts = [], []
        for feats in X:
            starts.append(len(idx))
            idx.extend(sorted({_hash(f, self.dim) for f in feats}) or [0])
        return np.asarray(idx, dtype=np.int64), np.asarray(starts, dtype=np.int64)

    def _logits(self, idx: np.ndarray, starts: np.ndarray) -> np.ndarray:
        return np.add.reduceat(self.W[idx], starts, axis=0) + self.b

    def fit(self, X: Sequence[Sequence[str]], y: Sequence[int]) -> "SoftmaxRegression":
        idx, starts = self._encode(X)
        y = np.asarray(y)
        n = len(y)
        row = np.repeat(np.arange(n), np.diff(np.append(starts, len(idx))))
        onehot = np.eye(self.n_classes)[y]
        mW, vW = np.zeros_like(self.W), np.zeros_like(self.W)
        mb, vb = np.zeros_like(self.b), np.zeros_like(self.b)
        for t in range(1, self.epochs + 1):
            z = self._logits(idx, starts)
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            g = (p - onehot) / n
            gW = np.zeros_like(self.W)
            np.add.at(gW, idx, g[row])
            gW += self.l2 * self.W
            gb = g.sum(axis=0)
            for param, grad, m, v in ((self.W, gW, mW, vW), (self.b, gb, mb, vb)):
                m *= 0.9
                m += 0.1 * grad
                v *= 0.999
                v += 0.001 * grad * grad
                param -= self.lr * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.999 ** t)) + 1e-8)
        return self

    def predict_proba(self, X: Sequence[Sequence[str]]) -> np.ndarray:
        idx, starts = self._encode(X)
        z = self._logits(idx, starts)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)

    def predict(self, X: Sequence[Sequence[str]]) -> np.ndarray:
        return self.predict_proba(X).argmax(axis=1)
