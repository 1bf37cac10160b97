"""Every export format, checked against the real tools that read it.

GraphML and GEXF are read back with NetworkX, DOT is rendered by Graphviz's ``dot``,
Argdown is parsed by the real Argdown parser (``@argdown/cli`` from npm, installed in
``tests/tools``), AIF is read by the ``xaif`` package and checked against the AIF
structure rules, the Cypher script is run against a real Neo4j server. The map is a
small hand-built one (``tests/interchange_map.py``) whose texts carry quotes,
backslashes, newlines and markup.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest

from tests.conftest import unavailable

from cruxmap.graph.errors import ExportError
from cruxmap.graph.exports import export, exporters, write
from cruxmap.graph.exports.argdown import argdown_escape
from cruxmap.graph.exports.cypher import cypher_string
from cruxmap.graph.nx_store import NxStore
from cruxmap.graph.schema import AUTHOR, CLAIM, COMMENT, POST, TOPIC, to_graph
from tests.interchange_map import A3, B1, B2, P1, P2, Y1, build_map
from tests.sample_map import sample_map

ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tests" / "tools"
ALL_FORMATS = {"json", "graphml", "gexf", "csv", "cypher", "argdown", "aif", "kialo", "polis",
               "markdown", "html", "dot", "svg", "png"}
CLAIMS = (P1, P2, B1, B2, Y1, A3)


def store_of(m) -> NxStore:
    s = NxStore(":memory:")
    s.upsert_map(m)
    return s


@pytest.fixture
def store() -> NxStore:
    return store_of(build_map())


def text(store: NxStore, fmt: str, **filters) -> str:
    return "".join(export(store, fmt, **filters))


def blob(store: NxStore, fmt: str) -> bytes:
    return b"".join(export(store, fmt))


def need_tool(ok: bool, what: str) -> None:
    """Skip without a tool; under CI (which installs it) a missing tool is a failure."""
    if not ok:
        unavailable(f"{what} is not installed")


def run_argdown_parser(tmp_path: Path, *docs: str) -> list[dict]:
    """The real Argdown parser's verdict and model for each document."""
    need_tool(shutil.which("node") is not None and (TOOLS / "node_modules" / "@argdown" / "core").is_dir(),
              "the Argdown parser (npm ci --prefix tests/tools)")
    files = []
    for i, doc in enumerate(docs):
        files.append(tmp_path / f"doc{i}.argdown")
        files[-1].write_text(doc, encoding="utf-8")
    done = subprocess.run(["node", str(TOOLS / "check_argdown.js"), *map(str, files)],
                          capture_output=True, text=True, timeout=120)
    assert done.stdout, done.stderr[-2000:]
    return json.loads(done.stdout)


# --- the registry ---------------------------------------------------------------------------
def test_every_format_is_registered_with_a_one_line_description():
    regs = exporters()
    assert set(regs) == ALL_FORMATS
    for name, e in regs.items():
        assert e.name == name and e.extension.startswith(".") and "/" in e.media_type
        assert e.description and "``" not in e.description and ":mod:" not in e.description


@pytest.mark.parametrize("fmt", sorted(ALL_FORMATS))
def test_each_format_writes_a_file_of_its_kind(store, fmt, tmp_path):
    e = exporters()[fmt]
    if fmt in ("svg", "png"):
        need_tool(shutil.which("dot") is not None, "Graphviz (apt-get install graphviz)")
    pieces = list(export(store, fmt))
    assert pieces and all(isinstance(p, bytes if e.binary else str) for p in pieces)
    path = write(store, fmt, tmp_path / f"map{e.extension}")
    data = path.read_bytes()
    assert data == (b"".join(pieces) if e.binary else "".join(pieces).encode("utf-8"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temp file left


@pytest.mark.parametrize("fmt", sorted(ALL_FORMATS - {"gexf", "svg", "png"}))
def test_the_same_map_always_exports_the_same_bytes(fmt):
    a, b = store_of(build_map()), store_of(build_map())
    assert b"".join(x if isinstance(x, bytes) else x.encode() for x in export(a, fmt)) == \
        b"".join(x if isinstance(x, bytes) else x.encode() for x in export(b, fmt))


@pytest.mark.parametrize("fmt", sorted(ALL_FORMATS - {"svg", "png", "kialo"}))
def test_an_empty_map_exports_without_error(fmt):
    assert list(export(NxStore(":memory:"), fmt))


def test_unknown_format_is_a_clear_error(store):
    with pytest.raises(ExportError, match="unknown export format 'yaml'"):
        export(store, "yaml")


# --- GraphML and GEXF: NetworkX reads them back ---------------------------------------------------
def test_graphml_reads_back_with_networkx_with_attributes_and_types_intact(store):
    g = nx.parse_graphml(text(store, "graphml"), force_multigraph=True)
    nodes, rels = to_graph(build_map())
    assert g.number_of_nodes() == len(nodes) and g.number_of_edges() == len(rels)
    lists = set(g.graph["list_properties"].split())
    assert lists == {"coauthors", "reacts"}
    for n in nodes:
        attrs = g.nodes[n["id"]]
        assert attrs["labels"] == ":" + n["label"]
        for k, v in n["properties"].items():
            if k == "id":
                continue
            got = json.loads(attrs[k]) if k in lists else attrs[k]
            assert got == v, (n["id"], k)
            # an integer stays an integer unless the key also holds fractions (score: posts vs cruxes)
            assert type(got) is type(v) or (k == "score" and isinstance(got, float)), (k, got, v)
    for r in rels:
        attrs = g.edges[r["start"], r["end"], r["id"]]
        assert attrs["label"] == r["type"]
        assert {k: attrs[k] for k in r["properties"]} == r["properties"]


def test_gexf_reads_back_with_networkx_with_labels_and_typed_attributes(store):
    g = nx.read_gexf(io.BytesIO(text(store, "gexf").encode("utf-8")))
    nodes, rels = to_graph(build_map())
    assert g.number_of_nodes() == len(nodes) and g.number_of_edges() == len(rels)
    by_id = {n["id"]: n for n in nodes}
    assert g.nodes["topic:remote-work"]["label"] == "remote work"
    assert g.nodes[build_map().thread.authors[0].id]["label"] == "Ann Lee"
    claim = g.nodes[B2.id]
    assert claim["labels"] == ":" + CLAIM and claim["text"] == B2.text
    assert (claim["span_start"], claim["span_end"]) == (B2.start, B2.end)  # GEXF reserves start/end
    assert isinstance(claim["span_start"], int) and isinstance(claim["stance_confidence"], float)
    comment = g.nodes["lw:comment:c3"]
    assert comment["retracted"] is True and comment["score"] == by_id["lw:comment:c3"]["properties"]["score"]
    types = {d["label"] for _, _, d in g.edges(data=True)}
    assert types == {r["type"] for r in rels}


# --- CSV for neo4j-admin ---------------------------------------------------------------------------
def test_csv_zip_has_one_file_per_label_and_type_with_neo4j_admin_headers(store):
    z = zipfile.ZipFile(io.BytesIO(blob(store, "csv")))
    nodes, rels = to_graph(build_map())
    names = set(z.namelist())
    assert {f"nodes_{n['label']}.csv" for n in nodes} | {f"relationships_{r['type']}.csv" for r in rels} \
        | {"import.sh"} == names
    script = z.read("import.sh").decode()
    assert "neo4j-admin database import full" in script and "--multiline-fields=true" in script
    assert all(f"={name}" in script for name in names - {"import.sh"})
    header, *rows = list(csv.reader(io.StringIO(z.read("nodes_Comment.csv").decode())))
    assert header[0] == "id:ID" and header[-1] == ":LABEL"
    assert {"score:long", "retracted:boolean", "reacts:string[]", "stance_confidence:double"} <= set(header)
    c1 = dict(zip(header, next(r for r in rows if r[0] == "lw:comment:c1")))
    assert c1["text:string"] == build_map().thread.comments[0].text  # quotes, backslash survive
    assert c1["reacts:string[]"] == "crux:2;notacrux:1" and c1["score:long"] == "-3"
    header, *rows = list(csv.reader(io.StringIO(z.read("nodes_Post.csv").decode())))
    post = dict(zip(header, rows[0]))
    assert "\n" in post["text:string"]  # a multi-line field (hence --multiline-fields)
    header, *rows = list(csv.reader(io.StringIO(z.read("relationships_ATTACKS.csv").decode())))
    assert header[:3] == [":START_ID", ":END_ID", ":TYPE"] and "confidence:double" in header
    assert len(rows) == 3
    assert "score:double" in z.read("nodes_Crux.csv").decode().splitlines()[0]


def test_csv_keeps_empty_strings_apart_from_missing_values():
    s = NxStore(":memory:")
    from cruxmap.graph.schema import node
    s.upsert([node("p:1", POST, text="x", title=""), node("p:2", POST, text="y")], [])
    table = zipfile.ZipFile(io.BytesIO(b"".join(export(s, "csv")))).read("nodes_Post.csv").decode()
    assert table.splitlines()[1:] == ['"p:1","","x","Post"', '"p:2",,"y","Post"']


# --- Cypher -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("raw, literal", [
    ("plain", "'plain'"),
    ("it's", "'it\\'s'"),
    ("back\\slash", "'back\\\\slash'"),
    ("two\nlines\r\n", "'two\\nlines\\r\\n'"),
    ("tab\there", "'tab\\there'"),
    ("nul\x00bell\x07", "'nul\\u0000bell\\u0007'"),
    ("`x` \"y\" ; // MATCH (n) DETACH DELETE n", "'`x` \"y\" ; // MATCH (n) DETACH DELETE n'"),
])
def test_cypher_strings_are_escaped(raw, literal):
    assert cypher_string(raw) == literal


def test_cypher_script_uses_only_schema_labels_and_types(store):
    script = text(store, "cypher")
    statements = [s for s in script.split(";\n") if s.strip() and not s.lstrip().startswith("//")]
    assert all(s.split("\n")[-1].startswith(("CREATE CONSTRAINT", "MERGE", "MATCH")) or "MERGE" in s
               for s in statements)
    assert script.count("CREATE CONSTRAINT IF NOT EXISTS") == len({n["label"] for n in to_graph(build_map())[0]})
    assert "MERGE (n:Claim {id: row.id}) SET n += row" in script
    assert "MERGE (a)-[r:ATTACKS]->(b) SET r += row.props" in script


def test_cypher_script_loads_into_neo4j_and_running_it_twice_changes_nothing(neo4j_clean):
    from neo4j import GraphDatabase

    m = sample_map()  # its texts hold Cypher-looking strings, quotes and backslashes
    script = text(store_of(m), "cypher")
    statements = [s for s in script.split(";\n") if s.strip() and not s.lstrip().startswith("//")]
    nodes, rels = to_graph(m)
    with GraphDatabase.driver(neo4j_clean.uri, auth=neo4j_clean.auth) as driver:
        for _ in range(2):
            for st in statements:
                driver.execute_query(st)
            counts = driver.execute_query("MATCH (n) RETURN count(n) AS n").records[0]["n"], \
                driver.execute_query("MATCH ()-[r]->() RETURN count(r) AS n").records[0]["n"]
            assert counts == (len(nodes), len(rels))
        for n in nodes:
            rec = driver.execute_query(f"MATCH (n:{n['label']} {{id: $id}}) RETURN properties(n) AS p",
                                       id=n["id"]).records
            assert len(rec) == 1 and rec[0]["p"] == n["properties"]
        for r in rels:
            rec = driver.execute_query(f"MATCH (a {{id: $s}})-[r:{r['type']}]->(b {{id: $e}}) "
                                       "RETURN properties(r) AS p", s=r["start"], e=r["end"]).records
            assert len(rec) == 1 and rec[0]["p"] == r["properties"]


# --- DOT, SVG, PNG: Graphviz draws them -------------------------------------------------------------
def test_graphviz_renders_the_dot_without_warnings(store):
    need_tool(shutil.which("dot") is not None, "Graphviz (apt-get install graphviz)")
    done = subprocess.run(["dot", "-Tsvg"], input=text(store, "dot").encode(), capture_output=True, timeout=60)
    assert done.returncode == 0 and done.stderr == b""
    svg = done.stdout.decode()
    import xml.etree.ElementTree as ET
    root = ET.fromstring(svg.encode())
    titles = [t.text for t in root.iter("{http://www.w3.org/2000/svg}title")]
    assert "cluster_0" in titles  # an author's cluster
    assert "&lt;script&gt;" in svg and "<script" not in svg  # labels are text, never markup
    assert 'xlink:href="https://www.lesswrong.com/posts/p1/remote?commentId=c1"' in svg


def test_svg_and_png_are_pictures(store):
    need_tool(shutil.which("dot") is not None, "Graphviz (apt-get install graphviz)")
    assert text(store, "svg").lstrip().startswith("<?xml")
    assert blob(store, "png")[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_pictures_say_clearly_when_graphviz_is_missing(store, fmt, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ExportError, match="Graphviz is not installed.*apt-get install graphviz"):
        list(export(store, fmt))


def test_dot_labels_cannot_break_out_of_their_strings():
    m = sample_map()
    dot = text(store_of(m), "dot")
    for line in dot.splitlines():
        if "label=" in line:
            # every double quote inside a label is escaped: quotes pair up once escapes are removed
            assert line.replace('\\\\', '').replace('\\"', '').count('"') % 2 == 0, line


# --- the reports ----------------------------------------------------------------------------------
class _Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_one_self_contained_page_with_every_source_string_escaped(store):
    page = text(store, "html")
    p = _Page()
    p.feed(page)
    assert p.tags.count("html") == 1 and "svg" in p.tags
    assert "script" not in p.tags and "link" not in p.tags and "iframe" not in p.tags
    assert not [a for a in p.attrs if a[1] in ("src", "srcset")]  # nothing loaded from elsewhere
    hrefs = [v for _, k, v in p.attrs if k in ("href", "xlink:href")]
    assert hrefs and all(v.startswith("https://") for v in hrefs)
    seen = "".join(p.text)
    for c in CLAIMS:
        assert " ".join(c.text.split()) in " ".join(seen.split())
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Ann Lee" in seen and "Bob" in seen and "The crux map" in seen


def test_html_opens_with_the_crux_map_cruxes_as_rows_sides_and_disagreements():
    s = store_of(build_map())
    page = text(s, "html")
    crux_map = page[page.index('<section id="map">'):page.index('<section id="pairs">')]
    assert '<p class="crux-text">1. Whether hallway conversations drive most new ideas.</p>' in crux_map
    who = crux_map[crux_map.index('<div class="who">'):]
    assert who.index("Ann Lee") < who.index(">vs<") < who.index("Bob")  # the two sides of the crux
    summary = crux_map[crux_map.index("<summary>"):crux_map.index("</summary>")]
    assert "Does remote work make teams more productive?" in summary and "still open" in summary
    assert "<blockquote>" in crux_map  # each side's quotes, one click away
    assert "p=" not in crux_map and "0." not in summary  # words, not model numbers


def test_html_without_graphviz_still_reads(store, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    page = text(store, "html")
    assert "The crux map" in page and "&lt;script&gt;" in page
    assert "Graphviz is not installed" in page and "--format gexf" in page


def test_markdown_report_says_who_disagrees_with_whom_and_quotes_both_sides(store):
    md = text(store, "markdown")
    assert "| Ann Lee | Bob | 1 | 3 | 0 |" in md
    assert "### 1. Does remote work make teams more productive?" in md
    assert "| Side A (Ann Lee) | Side B (Bob) |" in md
    assert "\\<script\\>alert\\(1\\)\\</script\\>" in md and "<script>" not in md
    assert "([source](<https://www.lesswrong.com/posts/p1/remote?commentId=c1>))" in md
    assert "**Whether hallway conversations drive most new ideas.**" in md


def test_reports_link_only_to_web_pages():
    m = build_map()
    from dataclasses import replace
    evil = replace(m, thread=replace(m.thread, posts=(replace(m.thread.posts[0], url="javascript:alert(1)"),)))
    s = store_of(evil)
    assert "javascript:" not in text(s, "html") and "javascript:" not in text(s, "markdown")


# --- Argdown: the real parser reads it ------------------------------------------------------------
def _untagged(statement: dict) -> str:
    """A statement's text as the Argdown parser gives it, without the tags it keeps at the end."""
    body = statement["text"]
    for tag in statement["tags"]:
        body = body.replace(f" #({tag})", "").replace(f" #{tag}", "")
    return " ".join(body.split())


@pytest.mark.parametrize("make", [build_map, sample_map], ids=["interchange", "sample"])
def test_argdown_passes_the_real_argdown_parser(make, tmp_path):
    m = make()
    doc = text(store_of(m), "argdown")
    result = run_argdown_parser(tmp_path, doc)[0]
    assert result["lexerErrors"] == [] and result["parserErrors"] == [] and result["exceptions"] == []
    names = {a.id: a.name for a in m.thread.authors}
    got = {_untagged(st): st["tags"] for st in result["statements"].values() if "crux" not in st["tags"]}
    want = {" ".join(c.text.split()): [names[c.author_id]] for c in m.claims}
    assert got == want
    kinds = {(r["from"], r["to"]): r["relationType"] for r in result["relations"]}
    assert len(kinds) == len([s for s in m.stances if s.target_claim_id != "external"])
    assert set(kinds.values()) <= {"support", "attack", "undercut"}
    dis = [s for s in result["sections"] if s["title"].startswith("Disagreement: ")]
    assert [(s["title"][len("Disagreement: "):], s["data"]["status"]) for s in dis] == \
        [(d.summary, d.status) for d in m.disagreements]


def test_argdown_relations_match_the_map(store, tmp_path):
    result = run_argdown_parser(tmp_path, text(store, "argdown"))[0]
    title = {_untagged(st): t for t, st in result["statements"].items()}
    rel = {(r["from"], r["to"], r["relationType"]) for r in result["relations"]}
    t = {c.id: title[" ".join(c.text.split())] for c in CLAIMS}
    assert (t[P2.id], t[P1.id], "support") in rel
    assert (t[B1.id], t[P1.id], "attack") in rel
    assert (t[A3.id], t[B1.id], "undercut") in rel
    assert result["statements"]["Crux 1"]["data"] == {"score": 0.9, "kind": "implicit", "evidence": "hallway"}


@pytest.mark.parametrize("raw", [
    "a_b *c* __d__ e.g. U.S.A. 10:30 :smile: .name. http://x.org/a//b /* c */ // d",
    "#tag [ref] <arg> {data: 1} @[mention] @<m> \\ back\\slash",
    "+> -> _> >< ( ) , ; ! ? ~ ` = $ % ^ & | \" '",
    "ünïcødé — “quotes” 😀 \u00a0nbsp",
])
def test_argdown_escaping_keeps_any_text_as_it_is(raw, tmp_path):
    doc = f"[T]: {argdown_escape(raw)}\n"
    result = run_argdown_parser(tmp_path, doc)[0]
    assert result["parserErrors"] == [] and result["exceptions"] == []
    assert result["statements"]["T"]["text"] == " ".join(raw.split())
    assert result["statements"]["T"]["tags"] == []


# --- AIF: xaif reads it, and it follows AIF's structure rules ---------------------------------------
def check_aif_structure(aif: dict) -> None:
    """The AIF core and AIF+ rules a document must follow (see test_aif_... docstring)."""
    nodes = {n["nodeID"]: n["type"] for n in aif["nodes"]}
    assert len(nodes) == len(aif["nodes"]), "node ids are unique"
    assert set(nodes.values()) <= {"I", "L", "RA", "CA", "MA", "PA", "YA", "TA"}
    into: dict[str, list[str]] = {n: [] for n in nodes}
    out: dict[str, list[str]] = {n: [] for n in nodes}
    for e in aif["edges"]:
        assert e["fromID"] in nodes and e["toID"] in nodes, "edges join existing nodes"
        a, b = nodes[e["fromID"]], nodes[e["toID"]]
        assert not (a == "I" and b == "I"), "I-nodes meet only through S-nodes"
        assert not (a in "IL" and b in "IL" and len(a) == len(b) == 1), "no direct I/L edges"
        out[e["fromID"]].append(b)
        into[e["toID"]].append(a)
    for nid, t in nodes.items():
        if t in ("RA", "CA", "MA"):
            assert into[nid] and len(out[nid]) == 1, f"{t} {nid}: premises in, one conclusion out"
            assert set(into[nid]) == {"I"} and out[nid] == ["I"]
            if t in ("CA", "MA"):
                assert len(into[nid]) == 1, f"{t} {nid} joins exactly two I-nodes"
        if t == "YA":
            assert into[nid] == ["L"] and out[nid] == ["I"], "YA anchors an I-node in an L-node"
        if t == "TA":
            assert into[nid] == ["L"] and out[nid] == ["L"], "TA goes from one locution to the next"
    people = {p["participantID"] for p in aif["participants"]}
    for loc in aif["locutions"]:
        assert nodes[loc["nodeID"]] == "L" and loc["personID"] in people


def test_aif_is_read_by_xaif_and_follows_the_aif_structure_rules(store):
    """Rules from the AIF specification (Chesnevar et al. 2006, "Towards an argument interchange
    format", Knowledge Engineering Review 21(4)) and its dialogue extension AIF+ (Reed et al. 2008,
    "AIF+: Dialogue in the Argument Interchange Format", COMMA): information (I) nodes connect only
    through scheme nodes (RA inference, CA conflict, MA rephrase), a conflict and a rephrase join
    exactly two I-nodes, each scheme node has one conclusion; locutions (L) anchor their
    propositions through YA and follow each other through TA."""
    from xaif import AIF

    doc = json.loads(text(store, "aif"))
    check_aif_structure(doc["AIF"])
    x = AIF(doc)
    assert x.is_valid_json_aif() and x.is_json_aif_dialog()
    l_of = {n["text"].split(" : ", 1)[1]: n["nodeID"] for n in doc["AIF"]["nodes"] if n["type"] == "L"}
    assert x.get_speaker(l_of[build_map().thread.comments[0].text]) == ("Bob ", 2)
    assert x.get_speaker(l_of[build_map().thread.posts[0].text])[0] == "Ann Lee"
    table = x.get_csv("argument-relation")
    rel = {(a, b, r) for a, b, r in zip(table["proposition1_text"], table["proposition2_text"], table["relation"])
           if r != "None"}
    assert (P2.text, P1.text, "Default Inference") in rel
    assert (B1.text, P1.text, "Default Conflict") in rel
    assert (Y1.text, P1.text, "Default Rephrase") in rel
    assert len(rel) == 6


def test_aif_keeps_timestamps_sources_and_replies(store):
    aif = json.loads(text(store, "aif"))["AIF"]
    loc = {x["nodeID"]: x for x in aif["locutions"]}
    first = next(n for n in aif["nodes"] if n["type"] == "L")
    assert first["timestamp"] == "2024-05-01 10:00:00" and first["text"].startswith("Ann Lee : Remote work")
    assert loc[first["nodeID"]]["source"] == "https://www.lesswrong.com/posts/p1/remote?a=1&b=2"
    assert sum(n["type"] == "TA" for n in aif["nodes"]) == 3


# --- Kialo and Polis --------------------------------------------------------------------------------
def test_kialo_outline_is_the_disagreement_as_a_pro_con_tree(store):
    lines = text(store, "kialo").splitlines()
    assert lines[0] == "Discussion Title: Does remote work make teams more productive?"
    assert lines[2] == "1. " + P1.text
    assert f"1.2. Con: {B1.text}" in lines and f"1.2.1. Con: {A3.text}" in lines
    assert any(x.startswith("1.1. Pro: Commutes waste") for x in lines)


def test_kialo_asks_which_disagreement_when_there_are_several(store):
    from dataclasses import replace
    m = build_map()
    other = replace(m.disagreements[0], id="disagreement:other", summary="Another one",
                    sides=((Y1.id, "a"), (B1.id, "b")))  # B1 is in both
    s = store_of(replace(m, disagreements=m.disagreements + (other,)))
    with pytest.raises(ExportError, match="--disagreement"):
        text(s, "kialo")
    assert text(s, "kialo", disagreement="disagreement:other").startswith("Discussion Title: Another one")
    assert text(s, "kialo", disagreement="disagreement:remote").startswith("Discussion Title: Does remote")


def test_polis_matrix_has_one_row_per_author_and_a_column_per_claim(store):
    z = zipfile.ZipFile(io.BytesIO(blob(store, "polis")))
    header, *rows = list(csv.reader(io.StringIO(z.read("participants-votes.csv").decode())))
    assert header[:6] == ["participant", "group-id", "n-comments", "n-votes", "n-agree", "n-disagree"]
    assert header[6:] == [str(i) for i in range(len(CLAIMS))]
    comments = list(csv.DictReader(io.StringIO(z.read("comments.csv").decode())))
    body = {c["comment-body"]: int(c["comment-id"]) for c in comments}
    bob = next(r for r in rows if r[0] == "1")  # authors in name order: Ann Lee, Bob, Cy
    assert bob[1] == "1"  # Bob stands on side b
    assert bob[6 + body[" ".join(P1.text.split())]] == "-1" and bob[6 + body[B1.text]] == "1"
    cy = next(r for r in rows if r[0] == "2")
    assert cy[6 + body[" ".join(P1.text.split())]] == "1" and cy[1] == ""
    for r in rows:
        votes = [v for v in r[6:] if v]
        assert int(r[3]) == len(votes) and int(r[4]) == votes.count("1") and int(r[5]) == votes.count("-1")


# --- filters apply to every format --------------------------------------------------------------------
def test_filtered_exports_hold_only_the_selection(store):
    doc = text(store, "argdown", author="Cy")
    assert "[Cy 1]:" in doc and "Bob 1" not in doc
    g = nx.parse_graphml(text(store, "graphml", disagreement="disagreement:remote"), force_multigraph=True)
    claims = {n for n, d in g.nodes(data=True) if d["labels"] == ":" + CLAIM}
    assert claims == {P1.id, A3.id, B1.id}
    assert {d["labels"] for _, d in g.nodes(data=True)} >= {":" + AUTHOR, ":" + POST, ":" + COMMENT, ":" + TOPIC}


def test_control_characters_in_sources_do_not_break_xml_formats(tmp_path):
    m = build_map()
    post = replace_post_text(m, "Bell\x07 and vertical\x0btab in a post.")
    s = store_of(post)
    g = nx.parse_graphml(text(s, "graphml"))
    assert "\ufffd" in g.nodes["lw:post:p1"]["text"]
    nx.read_gexf(io.BytesIO(text(s, "gexf").encode()))
    _Page().feed(text(s, "html"))
    assert "\x07" not in text(s, "html")
    if shutil.which("dot"):
        import xml.etree.ElementTree as ET
        ET.fromstring(text(s, "svg").encode())  # Graphviz's SVG stays well-formed XML


def replace_post_text(m, new_text):
    from dataclasses import replace
    post = replace(m.thread.posts[0], text=new_text)
    claims = tuple(c for c in m.claims if c.source_id != post.id)
    keep = {c.id for c in claims}
    return replace(m, thread=replace(m.thread, posts=(post,)), claims=claims,
                   stances=tuple(x for x in m.stances if x.source_claim_id in keep and x.target_claim_id in keep | {"external"}),
                   disagreements=(), cruxes=(), topics=(), same_as=())
