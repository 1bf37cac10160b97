"""The map in words a reader uses: stances, confidence, crux kinds and evidence as sentences.

Decomposition records *how* it decided (model probabilities, feature names, cue phrases) in
each relation's ``evidence``. Readers get a sentence instead; the raw evidence stays
available for a "why" detail.

Examples
--------
>>> sureness(0.74)
'fairly sure'
>>> exchange_sentence("Bo", "Ann", "Cats purr when they are content.", "disagree", 0.74,
...                   'cue: "no,"; model p=0.74', "reply")
'Bo answers Ann\u2019s claim that \u201cCats purr when they are content.\u201d with \u201cno,\u201d: reads as disagreement, fairly sure.'
>>> cue_of('model attack p=0.83 (they_rate +0.41); follows: cue: "i don\\'t think" after "but"')
"i don't think"
"""

from __future__ import annotations

import re

from cruxmap.graph.schema import ATTACKS, SAME_AS, SUPPORTS

#: Who wrote a claim when the page did not say (a pasted page can hide names).
UNKNOWN_AUTHOR = "author not shown"
#: What each stance reads as.
STANCE_NOUNS = {"disagree": "disagreement", "correct": "a correction", "agree": "agreement",
                "concede": "a concession", "question": "a question", "neutral": "no clear stance"}
#: A relation type when it has no stance.
TYPE_NOUNS = {ATTACKS: "disagreement", SUPPORTS: "agreement", SAME_AS: "the same claim"}
#: How a crux was found.
CRUX_KINDS = {"explicit": "an author calls it a crux", "double": "both sides call it a crux",
              "implicit": "one side asserts it, the other attacks it"}
#: A disagreement's status.
STATUS_WORDS = {"open": "still open", "conceded": "one side conceded", "resolved": "resolved"}
#: How the answered claim was found.
HOW_FOUND = {"quote": "quoting it", "quoted": "quoting it", "addressed": "naming them",
             "reply": "", "external": ""}

_CUE = re.compile(r'cue: "((?:[^"\\]|\\.)+)"')


def sureness(confidence: float | None) -> str:
    """A confidence as words: very sure, fairly sure, somewhat sure, unsure."""
    if not isinstance(confidence, (int, float)):
        return "unsure"
    if confidence >= 0.85:
        return "very sure"
    if confidence >= 0.7:
        return "fairly sure"
    if confidence >= 0.55:
        return "somewhat sure"
    return "unsure"


def cue_of(evidence: str | None) -> str:
    """The first cue phrase an evidence string names ('' when none)."""
    m = _CUE.search(evidence or "")
    return m.group(1).replace('\\"', '"') if m else ""


def _short(text: str, n: int = 90) -> str:
    t = " ".join(str(text or "").split())
    return t if len(t) <= n else t[: n - 1].rstrip() + "\u2026"


def reads_as(stance: str | None, confidence: float | None, rel_type: str = "") -> str:
    """``"reads as disagreement, fairly sure"``."""
    noun = STANCE_NOUNS.get(stance or "", TYPE_NOUNS.get(rel_type, "a reply"))
    return f"reads as {noun}, {sureness(confidence)}"


def exchange_sentence(who: str | None, whom: str | None, their_claim: str, stance: str | None,
                      confidence: float | None, evidence: str | None = "", how: str | None = "",
                      rel_type: str = "") -> str:
    """One relation between two claims as a sentence a reader can check against the quotes."""
    who = who or "Someone (author not shown)"
    whom = f"{whom}\u2019s" if whom else "an unnamed author\u2019s"
    cue = cue_of(evidence)
    found = HOW_FOUND.get(how or "", "")
    tail = ", ".join(x for x in (f"with \u201c{cue}\u201d" if cue else "", found) if x)
    return (f"{who} answers {whom} claim that \u201c{_short(their_claim)}\u201d"
            + (f" {tail}" if tail else "") + f": {reads_as(stance, confidence, rel_type)}.")


def stance_sentence(stance: str | None, confidence: float | None, evidence: str | None = "",
                    external: bool = False) -> str:
    """A claim's own stance as a sentence: ``"Reads as disagreement, fairly sure (it says “no,”)."``."""
    cue = cue_of(evidence)
    out = reads_as(stance, confidence)
    out = out[0].upper() + out[1:]
    if cue:
        out += f" (it says \u201c{cue}\u201d)"
    if external:
        out += "; what it answers is not in the map"
    return out + "."


def crux_kind(kind: str | None) -> str:
    """How a crux was found, in words."""
    return CRUX_KINDS.get(kind or "", "what a disagreement turns on")


def status(value: str | None) -> str:
    """A disagreement's status, in words."""
    return STATUS_WORDS.get(value or "", value or "")


def balance(disagree: float, agree: float, disagreements: int = 0) -> str:
    """How a pair of authors stands, in words (the same quantity the matrix colours).

    >>> balance(2.0, 0.5), balance(0.4, 2.3, 1), balance(1.0, 1.0)
    ('They mostly disagree.', 'They mostly agree, though they disagree once.', 'They agree about as often as they disagree.')
    """
    total = disagree + agree
    net = (disagree - agree) / total if total else (1.0 if disagreements else 0.0)
    if not total and not disagreements:
        return "They do not answer each other."
    if net > 0.2:
        return "They mostly disagree."
    if net < -0.2:
        once = {0: "", 1: ", though they disagree once"}.get(disagreements, f", though they disagree {disagreements} times")
        return f"They mostly agree{once}."
    return "They agree about as often as they disagree."
