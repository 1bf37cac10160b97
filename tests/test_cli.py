"""The command line as a user meets it: help, ingest, query, export, and clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cruxmap.ui.cli import cli

DATA = Path(__file__).parent / "data"
ESSAY = DATA / "essay.md"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRUXMAP_DB", raising=False)
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, list(args), catch_exceptions=False)
    return invoke


def export_json(run) -> dict:
    result = run("export", "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("command", [[], ["ingest"], ["export"], ["stats"], ["query"], ["demo"],
                                     ["ui"], ["fetch"]])
def test_every_command_has_help_with_an_example(run, command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_ingest_then_stats_and_query(run, tmp_path):
    result = run("ingest", str(ESSAY))
    assert result.exit_code == 0, result.output
    assert "essay.md: markdown, 1 post, 0 comments" in result.output
    assert (tmp_path / "cruxmap.db").exists()  # the default database lives in the working directory
    stats = json.loads(run("stats", "--json").output)
    assert stats["nodes"]["Post"] == 1 and stats["nodes"]["Claim"] >= 8
    claims = run("query", "claims", "--text", "loss", "--json")
    texts = [c["text"] for c in json.loads(claims.output)]
    assert any(t.startswith("A model can improve its loss by 0.02 nats") for t in texts)


def test_reingest_changes_nothing(run):
    run("ingest", str(ESSAY))
    first = export_json(run)
    again = run("ingest", str(ESSAY))
    assert "0 nodes, 0 relationships" in again.output
    assert export_json(run) == first


def test_db_option_and_env(run, tmp_path, monkeypatch):
    assert run("ingest", str(ESSAY), "--db", "other.db").exit_code == 0
    assert (tmp_path / "other.db").exists()
    monkeypatch.setenv("CRUXMAP_DB", str(tmp_path / "other.db"))
    assert json.loads(run("stats", "--json").output)["nodes"]["Post"] == 1


def test_json_export_is_the_contract(run, tmp_path):
    run("ingest", str(ESSAY))
    doc = export_json(run)
    assert doc["format"] == "cruxmap-graph" and doc["version"] == 1
    post = next(n for n in doc["nodes"] if n["label"] == "Post")
    claims = [n for n in doc["nodes"] if n["label"] == "Claim"]
    for c in claims:  # every claim is a verbatim span of its source
        p = c["properties"]
        assert post["properties"]["text"][p["start"]:p["end"]] == p["text"]
    assert all(set(r) == {"id", "type", "start", "end", "properties"} for r in doc["relationships"])
    assert run("export", "-o", "map.json").exit_code == 0
    assert json.loads((tmp_path / "map.json").read_text()) == doc


def test_export_of_missing_database_is_a_clear_error(run):
    result = run("export")
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: cruxmap.db: no such database")


def test_unknown_export_format(run):
    run("ingest", str(ESSAY))
    result = run("export", "--format", "nope")
    assert result.exit_code == 2 and "unknown export format 'nope'" in result.output


BAD_INPUTS = {
    "empty.txt": (b"", "file is empty"),
    "blank.md": (b"\n\n   \n", "file is empty"),
    "binary.bin": (bytes(range(256)) * 4, "binary file"),
    "latin1.md": ("Caf\u00e9 cr\u00e8me is good.".encode("latin-1"), "not valid UTF-8"),
    "page.html": (b"<!DOCTYPE html><html><body><p>Hi</p></body></html>", "looks like HTML"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_one_line_exit_2_store_untouched(run, tmp_path, name):
    content, message = BAD_INPUTS[name]
    run("ingest", str(ESSAY))
    before = export_json(run)
    bad = tmp_path / name
    bad.write_bytes(content)
    result = run("ingest", str(ESSAY), str(bad))  # the good file is not written either
    assert result.exit_code == 2
    lines = [x for x in result.output.splitlines() if x.startswith("error:")]
    assert len(lines) == 1 and name in lines[0] and message in lines[0], result.output
    assert "Traceback" not in result.output
    assert export_json(run) == before


def test_missing_path_is_a_clear_error(run):
    result = run("ingest", "nowhere.md")
    assert result.exit_code == 2 and "nowhere.md" in result.output


def test_unknown_format_option(run):
    result = run("ingest", "--format", "klingon", str(ESSAY))
    assert result.exit_code == 2 and "unknown format 'klingon'" in result.output


def test_query_disagreements_and_cruxes_on_sample_map(run, tmp_path):
    from cruxmap.graph.nx_store import NxStore
    from tests.sample_map import sample_map
    with NxStore(tmp_path / "cruxmap.db") as s:
        s.upsert_map(sample_map())
    out = run("query", "disagreements", "--between", "Ann", "Bo").output
    assert "Are features in large models mostly monosemantic?" in out
    assert "side A (Ann)" in out and "side B (Bo)" in out
    assert "“I disagree that features are mostly monosemantic.”" in out
    cruxes = run("query", "cruxes").output.splitlines()
    assert cruxes[0] == "1. (0.90, double) Is superposition common in frontier models?"
    assert run("query", "disagreements", "--between", "Ann", "Nobody").output.strip() == \
        "no disagreements found"
    div = run("query", "divergence").output.splitlines()
    assert div[0].startswith("Ann vs Bo: 1 disagreement (disagreement weight 1.5")


def test_pasted_front_page_end_to_end(run):
    """A pasted front page: every header author found, no mentioned name invented, 80-95% kept."""
    from cruxmap.decompose.claims import sentence_count, split_claims
    from cruxmap.loaders import read
    from tests.test_forum_text import FRONTPAGE_HEADER_AUTHORS, FRONTPAGE_MENTIONED_ONLY

    page = DATA / "pasted_frontpage.txt"
    result = run("ingest", str(page))
    assert result.exit_code == 0 and "forum-text" in result.output
    authors = {a["name"] for a in json.loads(run("query", "authors", "--json").output)}
    assert authors == FRONTPAGE_HEADER_AUTHORS and len(authors) >= 12
    assert not authors & FRONTPAGE_MENTIONED_ONLY
    thread = read(page)
    kept = len(split_claims(thread)) / sentence_count(thread)
    assert 0.80 <= kept <= 0.95, kept


def test_terminal_escape_codes_in_text_never_reach_the_terminal(run, tmp_path):
    """A comment that clears the screen, retitles the window or reverses text prints as plain text."""
    evil = "Cats are better\u001b[2J\u001b]0;pwned\u0007 than dogs.\u202e sdrawkcab \u009b31m"
    path = tmp_path / "evil.jsonl"
    path.write_text(json.dumps({"id": "p1", "title": "T", "text": evil, "author": "Ann\u001b[31m"}) + "\n")
    assert run("ingest", str(path)).exit_code == 0
    for args in (["query", "claims"], ["query", "claims", "--json"], ["query", "authors"]):
        out = run(*args).output
        assert ("Ann" if args[1] == "authors" else "Cats are better") in out, args
        assert not any(ch in out for ch in "\u001b\u0007\u009b\u202e"), args
    missing = run("ingest", str(tmp_path / "gone\u001b[31m.jsonl"))
    assert missing.exit_code == 2 and "\u001b" not in missing.output


def test_ingest_a_folder_reads_every_file_by_its_format(run, tmp_path):
    folder = tmp_path / "threads"
    (folder / "reddit").mkdir(parents=True)
    (folder / "essay.md").write_bytes(ESSAY.read_bytes())
    (folder / "reddit" / "thread.json").write_bytes((DATA / "reddit_thread.json").read_bytes())
    (folder / "reddit" / "page.html").write_text("<!DOCTYPE html><html><body>x</body></html>")
    (folder / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    (folder / ".hidden.md").write_text("Not for the map, this one.")
    result = run("ingest", str(folder))
    assert result.exit_code == 0, result.output
    out = result.output
    assert "essay.md: markdown, 1 post," in out and "thread.json: reddit," in out
    assert "skipped 2 files no loader reads:" in out and "page.html (looks like HTML" in out
    assert "logo.png (binary file" in out and ".hidden" not in out
    assert "2 files: 2 posts," in out
    again = run("ingest", str(folder))
    assert "written: 0 nodes, 0 relationships" in again.output


def test_a_bad_file_named_in_a_folder_still_stops_the_ingest(run, tmp_path):
    (tmp_path / "f").mkdir()
    (tmp_path / "f" / "essay.md").write_bytes(ESSAY.read_bytes())
    (tmp_path / "f" / "broken.jsonl").write_text('{"id": "1", "text": "hi"}\n{oops\n')
    result = run("ingest", str(tmp_path / "f"))
    assert result.exit_code == 2 and "broken.jsonl" in result.output
    stats = run("stats", "--json")  # nothing was written, not even the good file
    assert stats.exit_code == 2 or not any(json.loads(stats.output)["nodes"].values())


def test_a_missing_map_names_the_demo_map(run, tmp_path):
    plain = run("query", "cruxes")
    assert plain.exit_code == 2 and "cruxmap ingest FILE" in plain.output and "cruxmap demo" in plain.output
    assert run("demo", "--no-browser").exit_code == 0
    hinted = run("query", "cruxes")
    assert hinted.exit_code == 2
    assert "no such database" in hinted.output and "--db cruxmap-demo.db" in hinted.output
    assert run("query", "cruxes", "--db", "cruxmap-demo.db").exit_code == 0


def test_exports_get_the_users_umask_not_0600(run, tmp_path):
    import os

    run("ingest", str(ESSAY))
    old = os.umask(0o022)
    try:
        assert run("export", "--format", "markdown", "-o", "map.md").exit_code == 0
        os.umask(0o002)
        assert run("export", "--format", "json", "-o", "map.json").exit_code == 0
    finally:
        os.umask(old)
    assert (tmp_path / "map.md").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "map.json").stat().st_mode & 0o777 == 0o664


def test_progress_on_a_terminal_shows_rate_and_eta(monkeypatch):
    import io

    from cruxmap.ui import progress

    clock = iter([0.0, 0.0, 1.0, 2.0, 2.0, 2.0])
    monkeypatch.setattr(progress.time, "monotonic", lambda: next(clock))
    out = io.StringIO()
    with progress.Progress("ingesting", total=4_000_000, stream=out, tty=True) as bar:
        bar.update(1_000_000, items=100)
        bar.update(1_000_000, items=100)
    screen = out.getvalue()
    assert "\r" in screen and "50%" in screen and "items/s" in screen and "ETA 0:02" in screen
    assert screen.endswith("\n")
