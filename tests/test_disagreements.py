"""Disagreements: grouping attacks between two authors, sides, status, contradictions across posts."""

from __future__ import annotations

from pathlib import Path

from cruxmap.graph.schema import Author, Post, Thread, to_graph, PARTY_TO
from cruxmap.graph.store import open_store
from cruxmap.decompose.evaluate import load_crux_thread
from cruxmap.decompose.pipeline import decompose

HERE = Path(__file__).resolve().parent / "data"


def _map(name: str):
    thread, expected = load_crux_thread(HERE / name)
    return thread, decompose(thread), expected


def _authors(m, d, side):
    by_id = {c.id: c.author_id for c in m.claims}
    return {by_id[cid] for cid, s in d.sides if s == side}


def test_back_and_forth_on_one_point_is_one_disagreement():
    thread, m, _ = _map("crux_interpretability.json")
    between = [d for d in m.disagreements
               if {*_authors(m, d, "a"), *_authors(m, d, "b")} == {"author:maya chen", "author:tom okafor"}]
    assert len(between) == 1
    d = between[0]
    assert _authors(m, d, "a") == {"author:maya chen"}  # she was attacked first
    assert _authors(m, d, "b") == {"author:tom okafor"}
    assert d.summary.startswith("Tom Okafor disputes Maya Chen")
    assert "\n" not in d.summary and d.status == "open"
    # the agreeing reply makes no disagreement
    assert not any("author:priya raman" in _authors(m, x, s) for x in m.disagreements for s in "ab")


def test_a_later_concession_marks_the_disagreement_conceded():
    _, m, expected = _map("crux_electronics.json")
    d = next(d for d in m.disagreements if _authors(m, d, "b") == {"author:oldtimer"})
    assert d.status == "conceded"
    correction = next(d for d in m.disagreements if _authors(m, d, "b") == {"author:lena_k"})
    assert correction.summary.startswith("lena_k corrects sparky")
    assert correction.status == "open"


def test_ids_are_deterministic_and_the_store_answers_between():
    thread, m, _ = _map("crux_neuroscience.json")
    assert [d.id for d in decompose(thread).disagreements] == [d.id for d in m.disagreements]
    _, rels = to_graph(m)
    assert {r["properties"]["side"] for r in rels if r["type"] == PARTY_TO} == {"a", "b"}
    with open_store(":memory:") as store:
        store.upsert_map(m)
        rows = store.disagreements(between=("ravi", "dana"))
        assert rows and rows[0]["status"] == "conceded"
        assert rows[0]["authors"] == {"a": ["author:dana"], "b": ["author:ravi"]}


def test_contradicting_claims_in_different_posts_disagree():
    authors = (Author("author:a", "ann"), Author("author:b", "ben"))
    thread = Thread("two posts", posts=(
        Post(id="p1", author_id="author:a", text="Open-weight models increase catastrophic misuse risk. We should slow releases."),
        Post(id="p2", author_id="author:b", text="Open-weight models do not increase catastrophic misuse risk. Releases help defenders."),
    ), authors=authors)
    m = decompose(thread)
    st = [s for s in m.stances if s.target == "similarity"]
    assert st and st[0].stance == "disagree" and "negation" in st[0].evidence
    assert len(m.disagreements) == 1
    assert m.disagreements[0].summary.startswith("ben disputes ann")


# --- properties on realistic threads -------------------------------------------------------
DEMO = Path(__file__).resolve().parents[1] / "ui" / "demo_data" / "demo_thread.jsonl"


def _names_on(m, d):
    names = {a.id: a.name for a in m.thread.authors}
    return {s: {names.get(a, a) for a in _authors(m, d, s)} for s in "ab"}


def test_demo_disagreements_are_between_two_camps_with_readable_summaries():
    from cruxmap.loaders import read

    m = decompose(read(DEMO))
    assert m.disagreements
    for d in m.disagreements:
        sides = _names_on(m, d)
        assert sides["a"] and sides["b"] and not sides["a"] & sides["b"], d
        (a,), (b,) = sides["a"], sides["b"]
        assert d.summary.startswith(f"{b} ") and f" {a}" in d.summary and "\n" not in d.summary
        assert "epistemic status" not in d.summary.lower()  # a meta line is never the point
        assert 0 < d.confidence < 1 and d.status in ("open", "conceded", "resolved")
    # Jonas and Dev argue in one reply chain (c07 -> c08 -> c09 -> c10): one disagreement
    between = [d for d in m.disagreements
               if _names_on(m, d)["a"] | _names_on(m, d)["b"] == {"Jonas Weber", "Dev Anand"}]
    assert len(between) == 1


def test_a_concession_to_someone_else_does_not_settle_a_disagreement():
    _, m, _ = _map("crux_housing.json")
    by_pair = {frozenset(_names_on(m, d)["a"] | _names_on(m, d)["b"]): d for d in m.disagreements}
    # marta concedes kei's date correction ("Good catch ... I'll fix it") ...
    assert by_pair[frozenset({"kei", "marta"})].status == "conceded"
    assert by_pair[frozenset({"kei", "marta"})].summary.startswith("kei corrects marta")
    # ... which says nothing about her argument with devon
    assert by_pair[frozenset({"devon", "marta"})].status == "open"
