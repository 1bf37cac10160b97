"""A small logistic model over named, hand-designed reply features.

Most replies that agree or disagree carry no explicit marker: they argue the same side, or
the other side, in their own words. Cues alone miss them. This module turns a reply (and the
text it answers) into a few dozen *generic* features — cue-lexicon scores by category from
our own lexicon files, the cue stage's verdict, sentiment polarity (VADER, MIT licence),
pronoun rates, punctuation, length, lexical overlap with the parent, quotes, a negation
mismatch with the most similar parent sentence — and scores them with a multinomial logistic
regression whose weights live in ``decompose/models/stance_features.json``.

The weights are fitted by ``python -m cruxmap.decompose.train_stance`` on the dev halves of
DEBAGREEMENT (reply stance) and cmv-modes (cross-author support vs attack). They are a few
dozen numbers per class over named features, like thresholds tuned on dev: no word, n-gram
or sentence of those corpora is encoded in them (see EVAL.md).

Examples
--------
>>> names = feature_names()
>>> len(names) == len(reply_features("The earth is flat.", "No it isn't."))
True
>>> model = load_model("reply")
>>> p = model.predict_proba(reply_features("Tax cuts pay for themselves through higher growth.",
...     "You clearly haven't looked at the numbers. Deficits exploded every time."))
>>> model.classes[int(p.argmax())]
'disagree'
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from cruxmap.decompose import claims as claims_stage
from cruxmap.decompose.cues import find_cues, score
from cruxmap.decompose.embed import content_words, tokens

MODEL_PATH = Path(__file__).resolve().parent / "models" / "stance_features.json"
PROTOTYPES_PATH = Path(__file__).resolve().parent / "lexicons" / "stance_prototypes.json"
#: The stances whose example replies the encoder features compare against.
PROTOTYPE_STANCES = ("agree", "disagree", "neutral")
#: How many of a reply's and of its parent's sentences the encoder features read.
ENCODER_SENTENCES, ENCODER_PARENT_SENTENCES = 6, 10

_CUE_CATEGORIES = ("disagree", "dismissive", "agree", "concede", "correct", "question",
                   "hedge", "contrast", "conditional", "negation")
_FIRST_CATEGORIES = ("disagree", "dismissive", "agree", "concede", "contrast", "negation")
_VERDICTS = ("disagree", "agree", "concede", "correct", "question")
_YOU = frozenset({"you", "your", "you're", "yours", "yourself", "u", "ur", "youre"})
_I = frozenset({"i", "me", "my", "i'm", "mine", "myself", "im", "i've", "i'd", "i'll"})
_WE = frozenset({"we", "us", "our", "we're", "ours", "ourselves"})
_THEY = frozenset({"they", "them", "their", "they're", "theirs", "themselves"})
_LAUGH = re.compile(r"\b(?:lol+|lmf?ao+|rofl|(?:ha){2,}h?|hehe+|kek)\b", re.I)
_URL = re.compile(r"https?://|www\.", re.I)
_QUOTED_LINE = re.compile(r"^\s*(?:>|&gt;)[^\n]*$", re.M)
# How a reply opens says much about what it does with the parent: it adds to it ("And ...",
# "Also ...", "Plus ..."), pushes back ("Well ...", "Actually ...", "Nah ..."), or turns on
# the other person ("You ...").
_ADDITIVE_OPENER = re.compile(r"^\W*(?:and|also|plus|same|this|exactly|yes|yep|yeah|yup|true|indeed|"
                              r"not only|on top of|especially|even|hell yes|amen|100)\b", re.I)
_ADVERSATIVE_OPENER = re.compile(r"^\W*(?:well|actually|nope|nah|no|not|um+|uh+|wait|wrong|what|lol|"
                                 r"except|sure|ok|okay|so you|how about|funny)\b", re.I)
_YOU_OPENER = re.compile(r"^\W*(?:you|your|you're|youre|ur)\b", re.I)
_PROFANITY = re.compile(r"\b(?:fuck\w*|shit\w*|damn\w*|crap\w*|ass|asshole\w*|bitch\w*|dick\w*|"
                        r"bastard\w*|wtf|stfu)\b", re.I)
_SARCASM = re.compile(r"(?:^|\s)/s\b|\byeah,? right\b|\boh,? (?:sure|right|yeah)\b|\bsure,? jan\b", re.I)
_BECAUSE = re.compile(r"\b(?:because|since|cause|'cause|due to|that's why|which is why)\b", re.I)


def feature_names() -> list[str]:
    """The names of the features, in the order :func:`reply_features` returns them."""
    names = [f"cue_{c}" for c in _CUE_CATEGORIES]
    names += [f"first_{c}" for c in _FIRST_CATEGORIES] + ["first_question"]
    names += [f"verdict_{v}" for v in _VERDICTS]
    names += ["share_attacking", "share_supporting"]
    names += ["sentiment", "sentiment_pos", "sentiment_neg", "first_sentiment",
              "parent_sentiment", "sentiment_agreement"]
    names += ["you_rate", "i_rate", "we_rate", "they_rate"]
    names += ["question_marks", "ends_with_question", "exclamations", "caps_words", "laughter",
              "url", "digits"]
    names += ["log_length", "log_parent_length", "log_sentences", "short_reply"]
    names += ["overlap_with_parent", "parent_covered", "best_sentence_overlap",
              "negation_mismatch", "quotes_parent"]
    names += ["parent_question", "parent_disagree", "parent_agree", "parent_dismissive",
              "parent_you_rate"]
    names += ["additive_opener", "adversative_opener", "you_opener", "profanity", "sarcasm",
              "because", "sentiment_strength", "same_polarity", "opposite_polarity",
              "first_verdict_attacking", "first_verdict_supporting", "length_ratio",
              "negation_density_gap"]
    return names


def encoder_feature_names() -> list[str]:
    """The names of :func:`encoder_features`, in order (the optional ``minilm`` encoder)."""
    names = ["enc_reply_parent_cos", "enc_first_parent_cos"]
    names += [f"enc_reply_{k}" for k in PROTOTYPE_STANCES] + [f"enc_first_{k}" for k in PROTOTYPE_STANCES]
    names += ["enc_best_sentence_cos", "enc_first_best_sentence_cos", "enc_mean_sentence_cos"]
    for k in PROTOTYPE_STANCES:
        names += [f"enc_max_{k}_example", f"enc_mean_{k}_example", f"enc_max_{k}_centroid"]
    return names


@lru_cache(maxsize=1)
def _prototypes() -> dict[str, list[str]]:
    d = json.loads(PROTOTYPES_PATH.read_text(encoding="utf-8"))
    return {k: list(d[k]) for k in PROTOTYPE_STANCES}


def _encoder_inputs(parent: str, child: str) -> tuple[str, list[str], list[str]]:
    own = _QUOTED_LINE.sub(" ", child)
    sents = list(_text(own).sentences[:ENCODER_SENTENCES]) or [own]
    psents = list(_text(parent).sentences[:ENCODER_PARENT_SENTENCES]) or [parent]
    return own, sents, psents


def encoder_texts(pairs: Iterable[tuple[str, str]]) -> list[str]:
    """Every text :func:`encoder_features` will encode for these ``(parent, child)`` pairs.

    Encoding them all at once first (``encoder.encode(encoder_texts(pairs))``) batches texts
    of similar length together, several times faster than reply by reply; the encoder's cache
    then serves :func:`encoder_features`.
    """
    out = [t for k in PROTOTYPE_STANCES for t in _prototypes()[k]]
    for parent, child in pairs:
        own, sents, psents = _encoder_inputs(parent, child)
        out += [own, parent, *sents, *psents]
    return list(dict.fromkeys(out))


def encoder_features(parent: str, child: str, encoder) -> np.ndarray:
    """Sentence-embedding features of reply ``child`` to ``parent``, named by
    :func:`encoder_feature_names`: cosine of the reply (and of its first sentence) to the
    parent, of each reply sentence to the closest parent sentence, and to our own example
    replies of each stance (``lexicons/stance_prototypes.json``) and their centroid.

    ``encoder`` has ``encode(texts) -> unit-length rows`` (:class:`cruxmap.decompose.minilm.MiniLMEncoder`).
    """
    own, sents, psents = _encoder_inputs(parent, child)
    protos = _prototypes()
    examples = {k: encoder.encode(v) for k, v in protos.items()}
    rows = encoder.encode([own, parent] + sents + psents)
    reply, par = rows[0], rows[1]
    es, eps = rows[2:2 + len(sents)], rows[2 + len(sents):]
    first = es[0]
    centroid = {}
    for k, e in examples.items():
        c = e.mean(axis=0)
        centroid[k] = c / np.linalg.norm(c)
    sim = es @ eps.T
    f = [float(reply @ par), float(first @ par)]
    f += [float(reply @ centroid[k]) for k in PROTOTYPE_STANCES]
    f += [float(first @ centroid[k]) for k in PROTOTYPE_STANCES]
    f += [float(sim.max()), float(sim[0].max()), float(sim.mean())]
    for k in PROTOTYPE_STANCES:
        s = es @ examples[k].T
        f += [float(s.max()), float(s.max(axis=1).mean()), float((es @ centroid[k]).max())]
    return np.asarray(f, dtype=float)


@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


def sentiment(text: str) -> dict[str, float]:
    """VADER polarity scores of ``text`` (``compound`` in -1..1, ``pos``/``neg`` shares)."""
    return _vader().polarity_scores(text[:2000]) if text.strip() else {"compound": 0.0, "pos": 0.0,
                                                                       "neg": 0.0, "neu": 1.0}


def _rate(toks: list[str], words: frozenset[str]) -> float:
    return 10.0 * sum(t in words for t in toks) / (len(toks) + 5)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


@dataclass(frozen=True)
class _Text:
    """What the features need of one text, computed once (a parent is shared by its replies)."""

    sentences: tuple[str, ...]
    sentence_words: tuple[frozenset[str], ...]
    sentence_negated: tuple[bool, ...]
    words: frozenset[str]
    tokens: tuple[str, ...]
    sentiment: dict[str, float]
    cues: dict[str, list]


@lru_cache(maxsize=4096)
def _text(text: str) -> _Text:
    sents = [text[s:e] for s, e in claims_stage.sentence_spans(text)] or ([text] if text.strip() else [])
    sents = sents[:30]
    words = [frozenset(content_words(s)) for s in sents]
    # cues per sentence, merged: the cue stage has already looked at these sentences (cached)
    per_sentence = [find_cues(s) for s in sents]
    cues: dict[str, list] = {}
    for found in per_sentence:
        for cat, hits in found.items():
            cues.setdefault(cat, []).extend(hits)
    negated = ["negation" in found for found in per_sentence]
    return _Text(tuple(sents), tuple(words), tuple(negated), frozenset(content_words(text)),
                 tuple(tokens(text)), sentiment(text), cues)


def reply_features(parent: str, child: str, verdict: str = "", sentence_verdicts: Sequence[str] = (),
                   quoted: bool | None = None) -> np.ndarray:
    """The feature vector of reply ``child`` to ``parent`` (``parent`` may be empty).

    ``verdict`` is the cue stage's stance for the whole reply and ``sentence_verdicts`` its
    per-sentence stances (computed here when not given); ``quoted`` says whether the reply
    quotes what it answers (found here when None). Quoted lines (``> X``) are left out of
    the reply's own features.
    """
    if quoted is None:
        quoted = bool(_QUOTED_LINE.search(child))
    own = _QUOTED_LINE.sub(" ", child) if quoted else child
    if not verdict:
        from cruxmap.decompose.stance import cue_sentence_stances, overall_stance  # late: stance imports us

        sts = [st for _, _, st in cue_sentence_stances(own)]
        verdict = overall_stance(sts).stance
        sentence_verdicts = [st.stance for st in sts]
    c, p = _text(own), _text(parent)
    sents = c.sentences
    first = sents[0] if sents else ""
    cues, first_cues = c.cues, find_cues(first)
    toks, ptoks = c.tokens, p.tokens
    s_child, s_first, s_parent = c.sentiment, _text(first).sentiment, p.sentiment
    n_sent = max(1, len(sentence_verdicts))
    cw, pw = c.words, p.words
    best, mismatch = 0.0, 0.0
    for scw, sneg in zip(c.sentence_words, c.sentence_negated):
        for pc, pneg in zip(p.sentence_words, p.sentence_negated):
            j = _jaccard(scw, pc)
            if j > best:
                best, mismatch = j, float(j > 0.15 and sneg != pneg)
    pcues = p.cues
    f = [math.log1p(score(cues, c)) for c in _CUE_CATEGORIES]
    f += [math.log1p(score(first_cues, c)) for c in _FIRST_CATEGORIES]
    f += [float(first.rstrip().endswith("?"))]
    f += [float(verdict == v) for v in _VERDICTS]
    f += [sum(v in ("disagree", "correct") for v in sentence_verdicts) / n_sent,
          sum(v in ("agree", "concede") for v in sentence_verdicts) / n_sent]
    f += [s_child["compound"], s_child["pos"], s_child["neg"], s_first["compound"],
          s_parent["compound"], s_child["compound"] * s_parent["compound"]]
    f += [_rate(toks, _YOU), _rate(toks, _I), _rate(toks, _WE), _rate(toks, _THEY)]
    f += [math.log1p(own.count("?")), float(own.rstrip().endswith("?")), math.log1p(own.count("!")),
          10.0 * sum(w.isupper() and len(w) > 2 for w in own.split()) / (len(toks) + 5),
          float(bool(_LAUGH.search(own))), float(bool(_URL.search(own))),
          float(any(ch.isdigit() for ch in own))]
    f += [math.log1p(len(toks)), math.log1p(len(ptoks)), math.log1p(len(sents)), float(len(toks) < 8)]
    f += [len(cw & pw) / len(cw) if cw else 0.0, len(cw & pw) / len(pw) if pw else 0.0, best, mismatch,
          float(quoted)]
    f += [float("?" in parent), math.log1p(score(pcues, "disagree")), math.log1p(score(pcues, "agree")),
          math.log1p(score(pcues, "dismissive")), _rate(ptoks, _YOU)]
    cc, pc = s_child["compound"], s_parent["compound"]
    f += [float(bool(_ADDITIVE_OPENER.search(own))), float(bool(_ADVERSATIVE_OPENER.search(own))),
          float(bool(_YOU_OPENER.search(own))), float(bool(_PROFANITY.search(own))),
          float(bool(_SARCASM.search(own))), float(bool(_BECAUSE.search(own))), abs(cc),
          float(cc * pc > 0.05), float(cc * pc < -0.05)]
    first_verdict = sentence_verdicts[0] if sentence_verdicts else "neutral"
    f += [float(first_verdict in ("disagree", "correct")), float(first_verdict in ("agree", "concede")),
          math.log((len(toks) + 5) / (len(ptoks) + 5)),
          10 * (score(cues, "negation") / (len(toks) + 5)
                - score(pcues, "negation") / (len(ptoks) + 5))]
    return np.asarray(f, dtype=float)


@dataclass(frozen=True)
class FeatureModel:
    """Multinomial logistic regression over standardised named features."""

    classes: tuple[str, ...]
    names: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (n_features, n_classes)
    bias: np.ndarray      # (n_classes,)

    def logits(self, x: np.ndarray) -> np.ndarray:
        return ((x - self.mean) / self.scale) @ self.weights + self.bias

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities for one vector (or a matrix of row vectors)."""
        z = self.logits(np.asarray(x, dtype=float))
        z = z - z.max(axis=-1, keepdims=True)
        p = np.exp(z)
        return p / p.sum(axis=-1, keepdims=True)

    def contributions(self, x: np.ndarray, cls: str, top: int = 3) -> list[tuple[str, float]]:
        """The features that pushed ``x`` most toward ``cls`` (against the other classes' mean)."""
        k = self.classes.index(cls)
        z = (np.asarray(x, dtype=float) - self.mean) / self.scale
        w = self.weights[:, k] - np.delete(self.weights, k, axis=1).mean(axis=1)
        c = z * w * (np.asarray(x, dtype=float) != 0)  # only what the text has, not what it lacks
        order = np.argsort(-c, kind="stable")[:top]
        return [(self.names[i], round(float(c[i]), 2)) for i in order if c[i] > 0.05]

    def to_json(self) -> dict:
        return {"classes": list(self.classes), "features": list(self.names),
                "mean": _round(self.mean), "scale": _round(self.scale),
                "weights": {n: _round(w) for n, w in zip(self.names, self.weights)},
                "bias": _round(self.bias)}

    @classmethod
    def from_json(cls, d: dict) -> "FeatureModel":
        names = tuple(d["features"])
        return cls(tuple(d["classes"]), names, np.asarray(d["mean"], float), np.asarray(d["scale"], float),
                   np.asarray([d["weights"][n] for n in names], float), np.asarray(d["bias"], float))


def _round(a: np.ndarray) -> list[float]:
    return [round(float(v), 5) for v in np.ravel(a)]


def fit_model(X: np.ndarray, y: Sequence[int], classes: Sequence[str], l2: float = 1.0,
              class_weight: Sequence[float] | None = None, iterations: int = 3000,
              names: Sequence[str] | None = None) -> FeatureModel:
    """Fit a :class:`FeatureModel` deterministically (full-batch gradient descent, L2 penalty).

    ``l2`` is the penalty per example-weight unit on the standardised weights; ``class_weight``
    reweights classes (balanced macro-F1 wants rarer classes up-weighted); ``names`` name the
    columns of ``X`` (default :func:`feature_names`).
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y)
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    Z = (X - mean) / scale
    n, d = Z.shape
    k = len(classes)
    onehot = np.eye(k)[y]
    cw = np.ones(k) if class_weight is None else np.asarray(class_weight, float)
    sw = cw[y] / cw[y].mean()
    W, b = np.zeros((d, k)), np.zeros(k)
    lr = 0.5
    for _ in range(iterations):
        z = Z @ W + b
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(axis=1, keepdims=True)
        g = (p - onehot) * sw[:, None] / n
        W -= lr * (Z.T @ g + l2 * W / n)
        b -= lr * g.sum(axis=0)
    return FeatureModel(tuple(classes), tuple(names or feature_names()), mean, scale, W, b)


@lru_cache(maxsize=None)
def load_model(name: str, path: Path = MODEL_PATH) -> FeatureModel:
    """The shipped model ``name`` from ``stance_features.json``: ``"reply"``, ``"relation"``,
    or ``"reply_minilm"`` (the reply model over named and encoder features)."""
    d = json.loads(path.read_text(encoding="utf-8"))
    return FeatureModel.from_json(d["models"][name])
