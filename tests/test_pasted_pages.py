"""Pasted pages built to ForumMagnum's layout, scored against their gold (tests/data/pasted).

Per page: the loader's item count is in the page's real range, at least 98% of the sentences it
credits go to the person who wrote them, every author the page names is found and no one else.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cruxmap.graph.schema import Thread
from cruxmap.loaders.attribution import page_text, read_gold, score, table
from cruxmap.loaders.forum_text import parse

PAGES = Path(__file__).resolve().parent / "data" / "pasted"
GOLD = sorted(PAGES.glob("*.gold.txt")) + sorted((PAGES / "heldout").glob("*.gold.txt"))


def _read(gold_path: Path):
    gold = read_gold(gold_path.read_text(encoding="utf-8"))
    page = gold_path.with_name(gold_path.name.replace(".gold.txt", ".txt"))
    return gold, page


def test_there_are_the_pages_the_issue_asks_for():
    names = {p.name.removesuffix(".gold.txt") for p in GOLD}
    assert {"lw_frontpage", "lw_postpage_long", "lw_quicktakes", "ea_question", "af_postpage",
            "lw_collapsed"} <= names
    gold, _ = _read(PAGES / "lw_postpage_long.gold.txt")
    assert sum(1 for i in gold.items if i.kind == "comment") >= 40


@pytest.mark.parametrize("gold_path", GOLD, ids=lambda p: p.name.removesuffix(".gold.txt"))
def test_page_file_is_the_gold_without_its_annotations(gold_path):
    gold, page = _read(gold_path)
    assert page.read_text(encoding="utf-8") == page_text(gold.source)


@pytest.mark.parametrize("gold_path", GOLD, ids=lambda p: p.name.removesuffix(".gold.txt"))
def test_page_attribution(gold_path):
    gold, page = _read(gold_path)
    thread = parse(page.read_text(encoding="utf-8"), source=page.name)
    s = score(thread, gold, page=page.name)
    assert s.in_range, (s.items, s.range)
    assert s.precision >= 0.98, s.wrong_examples
    assert s.missing_authors == [] and s.false_authors == []
    assert s.cross_thread == 0


def test_unknown_is_not_found_never_wrong_and_a_wrong_credit_counts():
    gold = read_gold('@@ item {"kind": "comment", "author": "Ada Byron"}\n~ Ada Byron3h\n'
                     'Probes work.\n@@ item {"kind": "comment", "author": null}\n\nThey do not.')
    thread = parse(page_text(gold.source))
    s = score(thread, gold)
    assert (s.correct, s.unknown, s.wrong, s.precision, s.recall) == (1, 1, 0, 1.0, 1.0)
    merged = Thread("x", comments=(thread.comments[0].__class__(
        id="c", text="Probes work.\n\nThey do not.", author_id=thread.comments[0].author_id),),
        authors=thread.authors)
    s = score(merged, gold)
    assert (s.correct, s.wrong, s.precision) == (1, 1, 0.5)


def test_table_names_every_page():
    rows = []
    for gold_path in GOLD:
        gold, page = _read(gold_path)
        rows.append(score(parse(page.read_text(encoding="utf-8")), gold, page=page.stem))
    out = table(rows)
    assert all(p.stem in out for _, p in map(_read, GOLD)) and "all pages" in out


def test_ingest_says_how_many_items_had_no_visible_author(tmp_path):
    from click.testing import CliRunner

    from cruxmap.ui.cli import cli

    page = PAGES / "lw_frontpage.txt"
    result = CliRunner().invoke(cli, ["ingest", str(page), "--db", str(tmp_path / "m.db")])
    assert result.exit_code == 0, result.output
    assert "7 items with no visible author" in result.output


def test_the_thread_reader_shows_unattributed_comments_as_such(tmp_path):
    from cruxmap.graph.analysis import threads
    from cruxmap.graph.nx_store import NxStore
    from cruxmap.ui.ingest import ingest
    from cruxmap.ui.render import thread_html

    with NxStore(tmp_path / "m.db") as store:
        ingest(store, [PAGES / "lw_frontpage.txt"])
        post = next(p for p in threads.posts(store) if p["title"] == "Prompting Is Not Elicitation"
                    and p["comments"])
        t = threads.thread(store, post["id"])
        unshown = [c for c in t["comments"] if c["author"] is None]
        assert len(unshown) == 1 and unshown[0]["attribution"] == "unknown"
        assert unshown[0]["text"].startswith("I agree that elicitation gaps matter")
        html = thread_html(t, {})
        assert html.count("author not shown on the page") == 1
        assert "Lukas Brenner" in html


def test_the_thread_reader_keeps_a_pasted_thread_in_page_order(tmp_path):
    from cruxmap.graph.analysis import threads
    from cruxmap.graph.nx_store import NxStore
    from cruxmap.ui.ingest import ingest

    page = PAGES / "lw_postpage_long.txt"
    with NxStore(tmp_path / "m.db") as store:
        ingest(store, [page])
        (post,) = [p for p in threads.posts(store) if p["comments"]]
        shown = [c["text"][:30] for c in threads.thread(store, post["id"])["comments"]]
    pasted = [c.text[:30] for c in parse(page.read_text(encoding="utf-8")).comments]
    assert sorted(shown) == sorted(pasted) and shown[:3] == pasted[:3]
