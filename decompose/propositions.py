"""Is a sentence a proposition a reader can act on without the thread around it?

Cruxes and disagreement summaries quote one sentence out of its thread. That only helps a
reader when the sentence stands alone: it states something that can be true or false (or
asks a yes/no question about it), its subject is named rather than pointed at ("they",
"this"), and it is about the world, not about the conversation ("we would each change our
minds", "epistemic status: ..."). :func:`defect` says what is wrong with a sentence, if
anything; :func:`tidy` strips the wrappers a speaker puts around a proposition.

Used by :mod:`cruxmap.decompose.disagreements` (to choose the point a summary names) and
:mod:`cruxmap.decompose.cruxes` (to phrase and filter cruxes). Pure string functions: no model.

Examples
--------
>>> defect("Probes trained on planted deception generalise to natural deception.")
''
>>> defect("If they do, the audit plan is viable.")
'anaphoric'
>>> defect("We would each change our minds on the same experiment.")
'meta'
>>> tidy("Gradient descent selects for deception, and I think the evidence is thin.")
'Gradient descent selects for deception.'
"""

from __future__ import annotations

import re

from cruxmap.decompose.embed import content_words

#: Words that point back at something said earlier: as the subject of a clause they leave
#: the reader asking "who?" or "what?".
_ANAPHORA = ("it", "they", "them", "this", "that", "these", "those", "he", "she", "his", "her",
             "its", "their", "such", "which", "both", "neither", "either", "so", "same", "there")
#: Openings after which a clause's subject follows: "if they do", "but this", "and it".
_CLAUSE_OPENERS = ("if", "when", "unless", "and", "but", "so", "because", "since", "then",
                   "whereas", "while", "though", "although", "or", "yet", "perhaps", "maybe",
                   "probably", "clearly", "obviously", "surely", "now", "again")
_EXPLETIVE_IT = re.compile(r"^it(?:'s| is| was| would be| will be| seems| remains)\s+(?:\w+\s+){0,3}?"
                           r"(?:that|to|whether|for)\b", re.I)
_EXISTENTIAL = re.compile(r"^there(?:'s| is| are| was| were| will be| would be| exists?)\s+\w+", re.I)
_META = re.compile(
    r"\b(?:change (?:my|our|your|his|her|their) minds?|cruxe?s?|cruxy|double crux|"
    r"(?:we|you|i) (?:just |still |both |all |really )?(?:dis)?agree|"
    r"(?:our|the|my|this) (?:dis)?agreement (?:is|comes|here)|epistemic status|"
    r"(?:you|he|she|they)(?:'re| are| were) (?:right|wrong|correct)|"
    r"(?:your|my|this|that) (?:point|argument|framing|view|question|comment|post|claim)\b(?! that))",
    re.I)
_FIRST_PERSON = re.compile(r"\b(?:I|me|my|mine|myself|I'm|I'd|I've|I'll)\b|\bI['’](?:m|d|ve|ll)\b")
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|yours)\b", re.I)
_WH_START = re.compile(r"^(?:what|which|who|whom|whose|how|why|when|where)\b", re.I)
_YES_NO_START = re.compile(
    r"^(?:is|are|was|were|do|does|did|can|could|will|would|should|shall|has|have|had|may|might|must)\b", re.I)
_IMPERATIVE_START = re.compile(r"^(?:imagine|consider|suppose|note|look|remember|see|take|let(?:'s)?|say|"
                               r"think about|compare|read|check)\b", re.I)
_LEADING = re.compile(
    r"^(?:(?:and|but|so|also|still|well|yes|no|ok|okay|however|though|honestly|basically|then|"
    r"for example|for instance|e\.g\.|i think|i believe|i suspect|i guess|i'd say|i would say|"
    r"in my view|imo|to me|in short|in other words|ultimately|really)\b[,:]?\s+)+", re.I)
#: "Reasoning: ...", "Edit: ..." — a short label before a colon is not part of the claim.
_LABEL = re.compile(r"^[A-Z][\w'’ -]{0,24}:\s+(?=\S)")
#: ", and I think the evidence is thin" — the speaker's comment tacked onto a proposition.
_TRAILING_ASIDE = re.compile(
    r"\s*(?:[,;—–]|\s-)\s*(?:and |but |so |though |which )?(?:i|we)(?:'d| would| think| believe| suspect|"
    r" expect| doubt| guess| find| feel| agree| disagree)\b.*$", re.I)
_MAX_WORDS = 45


def tidy(text: str, complement: bool = False) -> str:
    """``text`` as a clean sentence: filler, labels and the speaker's asides off; capital; stop.

    With ``complement`` (the words after "my crux is", "depends on"), a leading "whether"
    or "that" goes too. A question in statement word order becomes a statement.

    >>> tidy("so, for example, prices rise when supply falls")
    'Prices rise when supply falls.'
    >>> tidy("Reasoning: the load is always connected")
    'The load is always connected.'
    """
    t = " ".join(text.split()).strip(" \"'“”*_>")
    for _ in range(3):  # "So, I think, for example, ..." needs more than one pass
        before = t
        t = _LEADING.sub("", t)
        if _LABEL.match(t) and not _META.match(t):
            t = _LABEL.sub("", t, count=1)
        if complement:
            t = re.sub(r"^(?:whether|that)\s+(?:or\s+not\s+)?", "", t, flags=re.I)
        if t == before:
            break
    question = t.rstrip().endswith("?") and bool(_YES_NO_START.match(t) or _WH_START.match(t))
    cut = _TRAILING_ASIDE.sub("", t)
    if len(content_words(cut)) >= 3:
        t = cut
    t = t.rstrip(" ,;:—–-.!?…")
    if not t:
        return ""
    t = t[0].upper() + t[1:]
    return t + ("?" if question else ".")


def _clause_subjects(text: str) -> list[str]:
    """The first words of the sentence's first clause and of each clause after a semicolon
    (after an opener like "if" or "but"). Later clauses joined by a comma may point back
    at the first one ("X grew fast, but it stalled"), which is fine."""
    out = []
    clauses = []
    for part in re.split(r";\s+", text):
        first = re.split(r",\s+(?=(?:but|and|so|then|which|although|though|yet)\b)", part)[0]
        clauses.append(first)
    for clause in clauses:
        words = re.findall(r"[A-Za-z][A-Za-z'’]*", clause)
        while words and words[0].lower() in _CLAUSE_OPENERS:
            words = words[1:]
        if words:
            out.append(" ".join(words[:4]))
    return out


def anaphoric(text: str) -> bool:
    """True when a clause's subject points back at something the sentence does not name.

    >>> anaphoric("If they do, the plan works.")
    True
    >>> anaphoric("It is unlikely that scaling stops.")
    False
    """
    for head in _clause_subjects(text):
        first = head.split()[0].lower().replace("’", "'")
        if first in ("it's", "that's", "they're", "there's", "this's"):
            first = first.split("'")[0]
        if first not in _ANAPHORA:
            continue
        if first == "it" and _EXPLETIVE_IT.match(head + " that"):
            continue  # "it is likely that ..." names its subject after all
        if first == "there" and _EXISTENTIAL.match(head) and len(content_words(text)) >= 4:
            continue  # "there are no cheap tests for X" states something
        return True
    return False


def defect(text: str) -> str:
    """What keeps ``text`` from being a standalone proposition or yes/no question ('' if nothing).

    One of ``fragment`` (too few content words), ``long`` (more than a reader can hold),
    ``meta`` (about the conversation, not the world), ``first person`` (about the
    speaker), ``wh-question`` (not answerable yes or no), ``imperative`` or ``anaphoric``.

    >>> defect("What would voters think of the new tax law?")
    'wh-question'
    >>> defect("I have a Masters degree in biology.")
    'first person'
    >>> defect("There are.")
    'fragment'
    """
    t = " ".join(text.split())
    words = t.split()
    if len(words) < 4 or len(content_words(t)) < 2:
        return "fragment"
    if len(words) > _MAX_WORDS:
        return "long"
    letters = [ch for ch in t if ch.isalpha()]
    if letters and sum(ch.isupper() for ch in letters) > 0.6 * len(letters):
        return "fragment"  # a shouted heading, not a claim
    if _META.search(t):
        return "meta"
    if _FIRST_PERSON.search(t):
        return "first person"
    if _WH_START.match(t) or (t.endswith("?") and not _YES_NO_START.match(t)):
        return "wh-question"
    if _IMPERATIVE_START.match(t):
        return "imperative"
    if anaphoric(t):
        return "anaphoric"
    return ""


#: Lines that label or point rather than claim: "Source: ...", "Excerpt from the study", "Link".
_FILLER = re.compile(
    r"^\W*(?:sources?|links?|via|ref(?:erence)?s?|citations?|excerpts?|quote|quoted|from|see|edit|"
    r"update|tl;?dr|here(?:'s| is| are)(?: the| a| an| my)? (?:link|source|study|paper|article|excerpt|"
    r"quote|video)s?)\b\W*", re.I)
_DATE = re.compile(r"^\W*(?:\d{1,4}(?:[-/.]\d{1,2}){0,2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                   r"\w*\.?\s+\d{1,4}(?:,?\s+\d{4})?|\d{1,2}\s+\w+\s+\d{4})\W*$", re.I)
_URL = re.compile(r"https?://\S+|www\.\S+|\[[^\]]*\]\([^)]*\)")
#: A finite verb or an auxiliary, roughly: what makes a string of words a proposition.
_VERBISH = re.compile(
    r"\b(?:is|are|was|were|be|been|being|am|has|have|had|do|does|did|can|could|will|would|should|"
    r"may|might|must|shall|need|needs|cause[sd]?|make[sd]?|get|got|show(?:s|ed|n)?|work(?:s|ed)?|"
    r"mean[st]?|seem[sd]?|think|know|want|say|said|says)\b|n't\b|['’](?:s|re|ve|ll|d|m)\b|"
    r"\b[a-z]{3,}(?:ed|es)\b|\b[a-z]{2,}[^s\W]s\b", re.I)


def filler(text: str) -> bool:
    """True for what is no evidence at all: a date, a link line, a label ("Source: ..."), or a
    retort of one or two words ("Sorta.", "Proof!", "Lol no.").

    >>> [filler(t) for t in ("2011.", "Source: https://x.org/a", "Proof!", "The first one is answered.")]
    [True, True, True, False]
    """
    raw = " ".join(text.split())
    t = _URL.sub(" ", raw).strip()
    if _DATE.match(t) or _FILLER.match(t) and len(_FILLER.sub("", t, count=1).split()) < 6:
        return True
    words = re.findall(r"[A-Za-z][A-Za-z'’-]*", t)
    if t != raw and len(words) < 7 or t.rstrip().endswith(":") and len(words) < 6:
        return True  # "Issue created by migration from <link>", "Replying to [comment:3]:"
    return len(words) < 3


def substantive(text: str) -> bool:
    """True for a proposition worth disputing: a verb and at least two content words; never a
    date, a link line, a label ("Source: ...", "Excerpt from the study") or a one-word retort.

    >>> [substantive(t) for t in ("2011.", "Source: https://x.org/a", "Sorta.", "Proof!",
    ...                           "Excerpt from the study", "Minimum wages reduce teen employment.")]
    [False, False, False, False, False, True]
    """
    if filler(text):
        return False
    t = _URL.sub(" ", " ".join(text.split())).strip()
    return len(content_words(t)) >= 2 and bool(_VERBISH.search(t))


def addresses_reader(text: str) -> bool:
    """True when ``text`` speaks to "you" (readable, but tied to one exchange)."""
    return bool(_SECOND_PERSON.search(text))
