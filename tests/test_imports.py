"""Imports of argument maps: round trips, real corpora, and the real Argdown parser as referee.

* Round trip: export -> import -> export gives the same document for json, graphml,
  argdown, aif (and kialo), on two hand-built maps and on real arg-microtexts files.
* arg-microtexts: all 112 English files of ``../shared/data/arg-microtexts``.
* Argdown: our reading of a hand-written debate agrees with the real parser's model.
* AIF: an AIFdb-shaped nodeset (numeric ids, no participants, reconstructed propositions,
  an undercut) and the xAIF we write.
* Sniffing: each format is recognised, and prose, Markdown and other sources never are.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from cruxmap import loaders
from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.exports import export
from cruxmap.graph.nx_store import NxStore
from cruxmap.graph.schema import EXTERNAL_TARGET, UNDERCUT, CruxMap, to_graph
from cruxmap.loaders import aif, argdown, cruxmap_json, graphml, kialo, microtexts
from tests.interchange_map import build_map
from tests.sample_map import sample_map
from tests.test_exports import run_argdown_parser

DATA = Path(__file__).resolve().parent / "data"
LOADER_OF = {"json": "cruxmap-json", "graphml": "graphml", "argdown": "argdown", "aif": "aif", "kialo": "kialo"}


def store_of(m: CruxMap) -> NxStore:
    s = NxStore(":memory:")
    s.upsert_map(m)
    return s


def doc(m: CruxMap, fmt: str) -> str:
    return "".join(export(store_of(m), fmt))


def check_spans(m: CruxMap) -> None:
    """Every claim is the exact span of its post or comment it says it is."""
    texts = {i.id: i.text for i in m.thread.items()}
    for c in m.claims:
        assert texts[c.source_id][c.start:c.end] == c.text, c
    to_graph(m)  # and the map turns into a graph


def microtext(shared_data: Path, name: str) -> CruxMap:
    path = shared_data / "arg-microtexts" / "en" / f"{name}.xml"
    return microtexts.parse(path.read_text(encoding="utf-8"), str(path))


# --- round trips ------------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", sorted(LOADER_OF))
@pytest.mark.parametrize("make", [build_map, sample_map], ids=["interchange", "sample"])
def test_export_import_export_gives_the_same_document(fmt, make):
    first = doc(make(), fmt)
    assert loaders.sniff(first) == LOADER_OF[fmt]
    imported = loaders.parse(first, source=f"map.{fmt}")
    assert isinstance(imported, CruxMap)
    check_spans(imported)
    assert doc(imported, fmt) == first


@pytest.mark.parametrize("make", [build_map, sample_map], ids=["interchange", "sample"])
def test_json_and_graphml_imports_restore_the_whole_graph(make):
    m = make()
    for fmt, module in (("json", cruxmap_json), ("graphml", graphml)):
        back = module.parse(doc(m, fmt), "x")
        assert doc(back, "json") == doc(m, "json"), fmt


@pytest.mark.parametrize("name", ["micro_b001", "micro_k012", "micro_d05"])
@pytest.mark.parametrize("fmt", ["argdown", "aif", "json", "graphml", "kialo"])
def test_real_microtexts_round_trip_through_every_map_format(shared_data, name, fmt):
    first = doc(microtext(shared_data, name), fmt)
    again = loaders.parse(first, LOADER_OF[fmt], source="x")
    assert doc(again, fmt) == first


def test_imports_go_through_ingest_and_keep_the_map_as_it_is(tmp_path):
    from cruxmap.ui.ingest import ingest

    m = build_map()
    for fmt in LOADER_OF:
        path = tmp_path / f"map.{fmt}"
        path.write_text(doc(m, fmt), encoding="utf-8")
        with NxStore(tmp_path / f"{fmt}.db") as s:
            report = ingest(s, [path])
            assert report.files[0].format == LOADER_OF[fmt]
            assert "".join(export(s, fmt)) == doc(m, fmt), fmt


# --- arg-microtexts: the whole corpus ------------------------------------------------------------
def test_every_arg_microtext_reads_with_exact_spans_and_the_corpus_counts(shared_data):
    files = sorted((shared_data / "arg-microtexts" / "en").glob("micro_*.xml"))
    assert len(files) == 112
    units = support = attack = undercut = theses = 0
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert loaders.sniff(text) == "arg-microtexts"
        m = microtexts.parse(text, str(path))
        check_spans(m)
        plain = path.with_suffix(".txt").read_text(encoding="utf-8")
        assert m.thread.posts[0].text == " ".join(plain.split())
        units += len(m.claims)
        theses += sum(c.kind == "thesis" for c in m.claims)
        support += sum(s.stance == "agree" for s in m.stances)
        attack += sum(s.stance == "disagree" for s in m.stances)
        undercut += sum(s.evidence == UNDERCUT for s in m.stances)
    # SOURCE.md: 576 units; 263 sup + 9 exa, 108 reb + 63 und, 21 add (each add joins one of those)
    assert units == 576 and theses == 112
    assert support + attack == 263 + 9 + 108 + 63 + 21
    assert 263 + 9 <= support <= 263 + 9 + 21 and 108 + 63 <= attack <= 108 + 63 + 21
    assert 63 <= undercut <= 63 + 21


def test_microtext_b001_reads_as_annotated(shared_data):
    m = microtext(shared_data, "micro_b001")
    text = {c.id: c.text for c in m.claims}
    rel = {(text[s.source_claim_id][:20], text[s.target_claim_id][:20], s.stance, s.evidence) for s in m.stances}
    assert rel == {
        ("Yes, it's annoying a", "We Berliners should ", "disagree", "rebuttal"),   # c1: a1 reb a5
        ("Three different bin ", "Yes, it's annoying a", "agree", "support"),         # c2: a2 sup a1
        ("But still Germany pr", "Yes, it's annoying a", "disagree", UNDERCUT),       # c3: a3 und c1
        ("and too many resourc", "Yes, it's annoying a", "disagree", UNDERCUT),       # c4: a4 add c3
    }
    thesis = [c for c in m.claims if c.kind == "thesis"]
    assert [c.text for c in thesis] == ["We Berliners should take the chance and become pioneers in waste separation!"]
    (d,) = m.disagreements
    assert d.summary == thesis[0].text
    assert sorted(side for _, side in d.sides) == ["a", "a", "a", "b", "b"]  # 3 pro units, 2 opp
    assert m.topics[0].label == "waste_separation"


@pytest.mark.parametrize("bad, reason", [
    ("<arggraph id='x'><edu id='e1'>A.</edu>", "broken XML"),
    ("<arggraph id='x'><edu id='e1'>A.</edu><adu id='a1'/></arggraph>", "unit a1 has no segment"),
    ("<arggraph id='x'><edu id='e1'>A.</edu><adu id='a1'/><edge id='c1' src='e1' trg='a1' type='seg'/>"
     "<edge id='c2' src='a1' trg='a9' type='sup'/></arggraph>", "points at a9"),
])
def test_broken_microtexts_are_refused_with_a_reason(bad, reason):
    with pytest.raises(MalformedInput, match=reason):
        microtexts.parse(bad, "bad.xml")


# --- Argdown: our reading agrees with the real parser ------------------------------------------------
def _untagged(text: str, tags: list[str]) -> str:
    for tag in tags:
        text = text.replace(f"#({tag})", "").replace(f"#{tag}", "")
    return " ".join(text.split())


def test_argdown_import_agrees_with_the_real_parser(tmp_path):
    source = (DATA / "argdown" / "school_uniforms.argdown").read_text(encoding="utf-8")
    real = run_argdown_parser(tmp_path, source)[0]
    assert real["parserErrors"] == [] and real["exceptions"] == []
    m = argdown.parse(source, "school_uniforms.argdown")
    check_spans(m)
    ours = {c.text for c in m.claims}
    theirs = {_untagged(s["text"], s["tags"]) for s in real["statements"].values()} | \
             {_untagged(a["text"], a["tags"]) for a in real["arguments"].values() if a["text"]}
    assert ours == theirs
    # authors: each statement's first tag
    authors = {a.id: a.name for a in m.thread.authors}
    by_text = {c.text: authors.get(c.author_id) for c in m.claims}
    for s in real["statements"].values():
        assert by_text[_untagged(s["text"], s["tags"])] == (s["tags"][0] if s["tags"] else None)
    # every relation the parser sees is a stance of ours
    text_of = {("equivalence-class", t): _untagged(s["text"], s["tags"]) for t, s in real["statements"].items()}
    text_of |= {("argument", t): _untagged(a["text"], a["tags"]) for t, a in real["arguments"].items()}
    claim_text = {c.id: c.text for c in m.claims}
    stances = {(claim_text[s.source_claim_id], claim_text[s.target_claim_id], s.stance, s.evidence)
               for s in m.stances}
    want = {"support": ("agree", ""), "attack": ("disagree", ""), "undercut": ("disagree", UNDERCUT),
            "contradictory": ("disagree", "")}
    for r in real["relations"]:
        a, b = text_of[(r["fromType"], r["from"])], text_of[(r["toType"], r["to"])]
        assert (a, b, *want[r["relationType"]]) in stances, r
    # the premise-conclusion structure: both premises support the conclusion
    conclusion = "Uniforms cost less than fashion."
    premises = {a for a, b, st, _ in stances if b == conclusion and st == "agree"}
    assert {"A uniform set costs about 100$ a year.",
            "Keeping up with fashion costs more than 100$ a year."} <= premises
    assert m.thread.posts[0].title == "School uniforms"


def test_argdown_sections_become_disagreements_cruxes_and_topics():
    m = argdown.parse(doc(build_map(), "argdown"), "map.argdown")
    (d,) = m.disagreements
    assert (d.summary, d.status, d.confidence) == ("Does remote work make teams more productive?", "open", 0.85)
    text = {c.id: c.text for c in m.claims}
    assert sorted((text[c][:12], s) for c, s in d.sides) == [("Hallway chat", "a"), ("Remote work ", "a"),
                                                             ("Teams lose t", "b")]
    (x,) = m.cruxes
    assert (x.text, x.score, x.kind, x.evidence, x.disagreement_ids) == (
        "Whether hallway conversations drive most new ideas.", 0.9, "implicit", "hallway", (d.id,))
    assert [t.label for t in m.topics] == ["remote work"] and len(m.topics[0].claim_ids) == 3
    assert {a.name for a in m.thread.authors} == {"Ann Lee", "Bob", "Cy"}


@pytest.mark.parametrize("bad, reason", [
    ("[A]: a claim\n\n  + [B]: a reason\n", "relation with no statement above it"),
    ("===\ntitle: [unclosed\n===\n\n[A]: x\n  - [B]: y\n", "front matter is not valid YAML"),
    ("// only a comment\n/* and another */\n", "no Argdown statements"),
])
def test_broken_argdown_is_refused_with_a_reason(bad, reason):
    with pytest.raises(MalformedInput, match=reason):
        argdown.parse(bad, "bad.argdown")


# --- AIF ---------------------------------------------------------------------------------------------
def test_an_aifdb_nodeset_reads_as_a_dialogue_with_claims_and_relations():
    m = aif.parse((DATA / "aif" / "aifdb_nodeset.json").read_text(encoding="utf-8"), "nodeset.json")
    check_spans(m)
    t = m.thread
    assert {a.name for a in t.authors} == {"Alice Smith", "Bob"}  # from the "Name : text" of each L node
    assert [p.text for p in t.posts if p.kind == "post"] == [
        "We should ban cars from the city centre because air pollution kills."]
    replies = {c.text: c for c in t.comments}
    assert len(replies) == 3 and all(c.post_id == t.posts[0].id for c in replies.values())
    bob = replies["But shops in the centre would lose their customers."]
    assert bob.parent_id == t.posts[0].id and bob.posted_at == "2016-03-10 10:01:00"
    text = {c.id: c for c in m.claims}
    verbatim = next(c for c in m.claims if c.text == "We should ban cars from the city centre")
    assert verbatim.source_id == t.posts[0].id and verbatim.start == 0
    # reconstructed propositions (not verbatim in their locution) live in one extra post
    extra = next(p for p in t.posts if p.kind == "excerpt")
    assert {c.text for c in m.claims if c.source_id == extra.id} == {
        "Air pollution in the centre kills people", "Shops in the centre would lose their customers",
        "Cars should go from the centre"}
    rel = {(text[s.source_claim_id].text[:14], text[s.target_claim_id].text[:14], s.stance, s.evidence)
           for s in m.stances}
    assert rel == {("Air pollution ", "We should ban ", "agree", ""),
                   ("Shops in the c", "We should ban ", "disagree", ""),
                   ("Not every deat", "Air pollution ", "disagree", UNDERCUT)}  # CA on an RA
    assert [(text[a].text[:4], text[b].text[:4]) for a, b, _ in m.same_as] == [("Cars", "We s")]
    bob_claim = next(c for c in m.claims if c.text.startswith("Shops"))
    assert bob_claim.author_id == bob.author_id  # anchored in Bob's locution


def test_aif_import_accepts_both_shapes_and_keeps_sources():
    x = json.loads(doc(build_map(), "aif"))
    plain = json.dumps(x["AIF"])  # AIFdb's shape: no "AIF" wrapper
    a, b = aif.parse(json.dumps(x), "a"), aif.parse(plain, "b")
    assert [c.text for c in a.claims] == [c.text for c in b.claims]
    assert a.thread.comments[0].url.startswith("https://www.lesswrong.com/")


@pytest.mark.parametrize("bad, reason", [
    ('{"nodes": [{"nodeID": "1", "type": "I", "text": "x"}], "edges": [{"fromID": "1", "toID": "9"}]}',
     "points at node 9"),
    ('{"nodes": [{"nodeID": "1", "type": "I"}, {"nodeID": "1", "type": "I"}], "edges": []}', "used twice"),
    ('{"nodes": "x", "edges": []}', "not AIF JSON"),
    ('{"nodes": [{"nodeID": "1", "type": "RA"}], "edges": []}', "no L or I nodes"),
    ('{"nodes": [', "broken JSON"),
])
def test_broken_aif_is_refused_with_a_reason(bad, reason):
    with pytest.raises(MalformedInput, match=reason):
        aif.parse(bad, "bad.json")


# --- Kialo ----------------------------------------------------------------------------------------
def test_kialo_export_reads_as_a_pro_con_tree_with_links_and_continued_lines():
    m = kialo.parse((DATA / "kialo" / "four_day_week.txt").read_text(encoding="utf-8"), "kialo.txt")
    check_spans(m)
    text = {c.id: c.text for c in m.claims}
    assert m.thread.posts[0].title == "Should companies adopt a four-day work week?"
    assert "Fewer hours mean longer days,\nwhich tire people too." in text.values()
    rel = [(text[s.source_claim_id][:10], text[s.target_claim_id][:10], s.stance) for s in m.stances]
    assert ("Fewer hour", "Rested sta", "disagree") in rel
    assert ("Fewer hour", "Customers ", "agree") in rel  # the "-> See 1.1.1." link
    (d,) = m.disagreements
    side = {text[c][:10]: s for c, s in d.sides}
    assert side["Companies "] == "a" and side["Customers "] == "b" and side["Staff can "] == "a"
    assert side["Rested sta"] == "a" and side["Fewer hour"] == "b"


@pytest.mark.parametrize("bad, reason", [
    ("Discussion Title: x\n\n1.1. Pro: orphan\n", "no '1.' thesis"),
    ("1. Thesis\n1.2.1. Pro: no parent\n", "has no parent 1.2"),
    ("1. Thesis\n1.1. Pro: -> See 1.9.\n", "link to 1.9"),
])
def test_broken_kialo_is_refused_with_a_reason(bad, reason):
    with pytest.raises(MalformedInput, match=reason):
        kialo.parse(bad, "bad.txt")


# --- cruxmap JSON and GraphML ------------------------------------------------------------------------------
def test_cruxmap_json_refuses_other_versions_and_claims_that_are_not_spans():
    first = doc(build_map(), "json")
    with pytest.raises(MalformedInput, match="version 99"):
        cruxmap_json.parse(first.replace('"version": 1', '"version": 99', 1), "x.json")
    bad = first.replace('"text": "Remote work makes teams more productive."',
                        '"text": "Remote work makes teams less productive."', 1)
    with pytest.raises(MalformedInput, match="text is not"):
        cruxmap_json.parse(bad, "x.json")


def test_graphml_from_other_tools_is_refused_clearly():
    foreign = ('<?xml version="1.0"?><graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
               '<graph edgedefault="directed"><node id="a"/></graph></graphml>')
    assert loaders.sniff(foreign) == "graphml"
    with pytest.raises(MalformedInput, match="only GraphML written by cruxmap"):
        graphml.parse(foreign, "yed.graphml")


def test_external_stances_survive_the_json_round_trip():
    m = build_map()
    only_external = replace(m, stances=tuple(s for s in m.stances if s.target_claim_id == EXTERNAL_TARGET))
    back = cruxmap_json.parse(doc(only_external, "json"), "x")
    assert [(s.target_claim_id, s.target) for s in back.stances] == [(EXTERNAL_TARGET, "external")]


# --- sniffing: exact -------------------------------------------------------------------------------------
MINE = {"cruxmap-json", "graphml", "aif", "arg-microtexts", "argdown", "kialo"}


@pytest.mark.parametrize("text", [
    "I think cats are better than dogs. [1]: https://example.org/cats\n\nDogs: loyal. Cats: clean.\n",
    "# Notes\n\n[1]: https://example.org\n[2]: https://example.org/b\n\n- one\n- two\n",
    "[^1]: A footnote.\n[^2]: Another footnote.\n",
    "Meeting notes\n\n1. Budget\n1.1. Pro: cheap\n",  # numbered notes, no "1." thesis line first
    "The plan: [Phase 1]: research. Then <b>: bold.\n",
    '{"nodes": [{"id": "a"}], "edges": []}',
    "<graph><node/></graph>",
    "",
])
def test_prose_markdown_and_other_json_are_not_taken_for_a_map(text):
    assert not any(loaders.loaders()[name].sniff(text) for name in MINE)


def test_other_sources_in_the_test_data_and_corpora_are_not_taken_for_a_map(shared_data):
    samples = [p for p in DATA.iterdir() if p.is_file()]
    samples += sorted((shared_data / "cmv-modes").rglob("*.txt"))[:20]
    samples += [shared_data / "ibm-claim-stance" / "claim_stance_dataset_v1.csv",
                shared_data / "debagreement" / "debagreement_test_split.csv"]
    for path in samples:
        head = path.read_text(encoding="utf-8", errors="replace")[:20000]
        assert not [n for n in MINE if loaders.loaders()[n].sniff(head)], path
