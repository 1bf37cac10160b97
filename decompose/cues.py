"""Cue lexicons: load the data files in ``decompose/lexicons`` and find their cues in text.

A cue is a phrase, a sentence-initial pattern (``^no,``) or a regular expression, with a
weight. :func:`find_cues` returns, per lexicon, the cues found in a sentence; the stance,
crux and disagreement stages combine them. The lexicons are plain text so that users can
read and extend them (see ``decompose/lexicons/README.md`` for the format).

Examples
--------
>>> c = find_cues("No, that's not true: the figure is 3.2, not 2.3.")
>>> sorted(c)
['correct', 'disagree', 'negation']
>>> score(c, "disagree") > 3
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"

#: The lexicons that :func:`find_cues` looks for (file stems in :data:`LEXICON_DIR`).
CATEGORIES = ("disagree", "dismissive", "agree", "concede", "correct", "question", "hedge",
              "contrast", "conditional", "negation", "crux", "additive", "sarcasm")

# Sentence starts may carry quote marks, list markers, emphasis or brackets before the words.
_LEAD = r"^[\s\"'“”‘’>*_(\[\-–—•]*"
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})

Cue = tuple[str, float]  # (the text that matched, its weight)


@dataclass(frozen=True)
class Lexicon:
    """One lexicon compiled: a phrase alternation plus anchored and free patterns."""

    name: str
    phrases: re.Pattern[str] | None
    phrase_weight: dict[str, float]
    patterns: tuple[tuple[re.Pattern[str], float, str], ...]

    def find(self, norm: str) -> list[Cue]:
        """Cues of this lexicon in ``norm`` (text already passed through :func:`normalise`)."""
        found: list[Cue] = []
        if self.phrases is not None:
            for m in self.phrases.finditer(norm):
                key = " ".join(m.group(0).split())
                found.append((key, self.phrase_weight.get(key, 1.0)))
        for pat, weight, label in self.patterns:
            m = pat.search(norm)
            if m:
                found.append((m.group(0).strip(" \"'“”>*_([-") or label, weight))
        return found


def normalise(text: str) -> str:
    """Lower-case text with straight apostrophes and single spaces (cues are matched on this)."""
    return " ".join(text.translate(_APOSTROPHES).lower().split())


def _phrase_regex(phrase: str) -> str:
    body = r"\s+".join(re.escape(w) for w in phrase.split())
    head = r"(?<![\w'])" if phrase[0].isalnum() else ""
    tail = r"(?![\w'])" if phrase[-1].isalnum() else ""
    return head + body + tail


def parse_lexicon(name: str, lines: list[str]) -> Lexicon:
    """Compile the lines of a lexicon file (see the README for the format)."""
    weights: dict[str, float] = {}
    patterns: list[tuple[re.Pattern[str], float, str]] = []
    for raw in lines:
        line = raw.split("#", 1)[0] if not raw.lstrip().startswith(("re:", "^")) else raw
        line = line.rstrip("\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        cue, _, w = line.partition("\t")
        cue = cue.strip()
        weight = float(w) if w.strip() else 1.0
        if cue.startswith("re:"):
            patterns.append((re.compile(cue[3:]), weight, cue[3:]))
        elif cue.startswith("^"):
            body = cue[1:]
            tail = r"(?![\w'])" if body[-1:].isalnum() else ""
            patterns.append((re.compile(_LEAD + body + tail), weight, body))
        else:
            weights[normalise(cue)] = weight
    phrases = None
    if weights:
        alternation = "|".join(_phrase_regex(p) for p in sorted(weights, key=len, reverse=True))
        phrases = re.compile(alternation)
    return Lexicon(name, phrases, weights, tuple(patterns))


@lru_cache(maxsize=None)
def lexicon(name: str) -> Lexicon:
    """The compiled lexicon ``name`` (a file stem in ``decompose/lexicons``)."""
    path = LEXICON_DIR / f"{name}.txt"
    return parse_lexicon(name, path.read_text(encoding="utf-8").splitlines())


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    """Function words left out of similarity and topic labels."""
    return frozenset((LEXICON_DIR / "stopwords.txt").read_text(encoding="utf-8").split())


def find_cues(text: str, categories: tuple[str, ...] = CATEGORIES) -> dict[str, list[Cue]]:
    """The cues of each lexicon found in ``text``; lexicons with no cue are left out."""
    return dict(_find_cues(text, categories))


@lru_cache(maxsize=1 << 16)
def _find_cues(text: str, categories: tuple[str, ...]) -> dict[str, list[Cue]]:
    # cached: the stance stage and the stance model's features look at the same sentences
    norm = normalise(text)
    out: dict[str, list[Cue]] = {}
    for name in categories:
        found = lexicon(name).find(norm)
        if found:
            out[name] = found
    return out


def score(cues: dict[str, list[Cue]], category: str) -> float:
    """The summed weight of one lexicon's cues."""
    return sum(w for _, w in cues.get(category, ()))


def strongest(cues: dict[str, list[Cue]], category: str) -> str:
    """The text of the heaviest cue of ``category`` (empty when there is none)."""
    found = cues.get(category)
    return max(found, key=lambda c: c[1])[0] if found else ""
