"""Sentence-level claims: exact spans, hard sentence boundaries, and what is not a claim."""

from __future__ import annotations

import re

import pytest

from cruxmap.decompose.claims import claim_kind, sentence_spans, split_claims, split_item
from cruxmap.graph.schema import Comment, Post, Quote, Thread


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in sentence_spans(text)]


@pytest.mark.parametrize("text, expected", [
    ("Dr. Smith et al. found it. Mr. Jones did not.", ["Dr. Smith et al. found it.", "Mr. Jones did not."]),
    ("The figure is 3.2, not 2.3. It matters.", ["The figure is 3.2, not 2.3.", "It matters."]),
    ("See https://arxiv.org/abs/2301.00001v2 for details. Then decide.",
     ["See https://arxiv.org/abs/2301.00001v2 for details.", "Then decide."]),
    ("He said \"scaling is all you need.\" I doubt it.", ["He said \"scaling is all you need.\"", "I doubt it."]),
    ("Well... maybe not. We will see.", ["Well... maybe not.", "We will see."]),
    ("First paragraph ends here\n\nSecond one starts", ["First paragraph ends here", "Second one starts"]),
    ("My cruxes:\n1. Models plan.\n2. Loss tracks skill.", ["My cruxes:", "Models plan.", "Loss tracks skill."]),
])
def test_sentence_boundaries(text, expected):
    assert sentences(text) == expected


def test_spans_are_verbatim_and_ordered():
    text = "  Alpha is true.  Beta is false!\n\n- gamma holds\n- delta too "
    spans = sentence_spans(text)
    assert [text[s:e] for s, e in spans] == ["Alpha is true.", "Beta is false!", "gamma holds", "delta too"]
    assert spans == sorted(spans)


@pytest.mark.parametrize("sentence", [
    "Thanks!", "Thank you so much for writing this.", "Hi all,", "Cheers", "Why?", "What do you mean?",
    "https://example.com/paper.pdf", "(read more)", "— Dana", "Great post!",
    "Epistemic status: moderately confident about the argument, much less about the numbers.",
])
def test_not_claims(sentence):
    assert claim_kind(sentence) is None


@pytest.mark.parametrize("sentence, kind", [
    ("Scaling alone will not produce agents.", "claim"),
    ("Isn't it obvious that the benchmark is saturated by memorisation alone?", "question"),
    ("I think so.", "claim"),
])
def test_claims(sentence, kind):
    assert claim_kind(sentence) == kind


def test_quoted_lines_are_not_the_replier_claims():
    text = "> Loss keeps going down.\n\nThat does not mean capabilities go up."
    c = Comment(id="c", text=text, author_id="author:bo", quotes=(Quote(0, 24, text[:24]),))
    assert [x.text for x in split_item(c)] == ["That does not mean capabilities go up."]
    assert split_item(c)[0].author_id == "author:bo"


def test_claim_ids_are_stable():
    t = Thread("x", posts=(Post(id="p", text="One claim here. Another claim there."),))
    assert split_claims(t) == split_claims(t)
    assert [c.id for c in split_claims(t)] == ["claim:p:0-15", "claim:p:16-36"]


def _tokens(text: str, s: int, e: int) -> set[int]:
    return {m.start() + s for m in re.finditer(r"\w+", text[s:e])}


def test_real_cmv_threads_gold_claims_are_covered(shared_data):
    """On real r/ChangeMyView threads, nearly every annotated claim/premise is one of our claims."""
    files = sorted((shared_data / "cmv-modes" / "v2.0" / "negative").glob("*.txt"))[:20]
    assert files
    gold = hit = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        post = Post(id=f.stem, text=text)
        spans = [(c.start, c.end) for c in split_item(post)]
        assert all(text[c.start:c.end] == c.text for c in split_item(post))
        for line in (f.with_suffix(".ann")).read_text(encoding="utf-8").splitlines():
            if not line.startswith("T"):
                continue
            s, e = map(int, line.split("\t")[1].split()[1:3])
            g = _tokens(text, s, e)
            gold += 1
            hit += any(len(g & _tokens(text, a, b)) >= 0.5 * len(g) for a, b in spans)
    assert gold > 200 and hit / gold >= 0.9


def test_an_inline_numbered_list_stays_one_list_never_claims_named_by_their_number():
    from cruxmap.graph.schema import Post, Thread
    from cruxmap.decompose.claims import split_claims

    text = ("My current main cruxes: 1. Features keep their meaning at scale. 2. Labs act on "
            "findings that cost a release. 3. Tools improve faster than models. I put 60% on "
            "the first.")
    claims = [c.text for c in split_claims(Thread("x", posts=(Post(id="p", text=text),)))]
    assert claims == [text[:text.index(" I put")], "I put 60% on the first."]
    assert not any(c.strip().rstrip(".").isdigit() for c in claims)
