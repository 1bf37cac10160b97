"""Every input the audit crashed or hung cruxmap with, as a named test (issue 12, items 2, 6, 9).

Each gives one line naming the file and exit code 2, or a valid map; never a traceback, and in
time linear in the input.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from pathlib import Path

import pytest
from click.testing import CliRunner

from cruxmap import loaders
from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.store import open_store
from cruxmap.ui.cli import cli
from cruxmap.ui.ingest import ingest


@pytest.fixture
def cruxmap(tmp_path, monkeypatch):
    """Run ``cruxmap ingest`` on a file with this content; return (exit code, output, db)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CRUXMAP_DB", raising=False)

    def run(name: str, content: str, *args: str):
        path = tmp_path / name
        path.write_text(content, encoding="utf-8", errors="surrogatepass")
        result = CliRunner().invoke(cli, ["ingest", str(path), *args])
        assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), \
            result.exception
        assert "Traceback" not in result.output
        return result.exit_code, result.output, tmp_path / "cruxmap.db"
    return run


def one_error_line(output: str, name: str) -> str:
    lines = [line for line in output.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, output
    assert name in lines[0], lines[0]
    return lines[0]


def reddit(comments: str, created: str = "0") -> str:
    post = ('{"kind":"Listing","data":{"children":[{"kind":"t3","data":{"name":"t3_a","id":"a","title":"T",'
            f'"selftext":"Cats are better than dogs.","author":"ann","created_utc":{created}}}}}]}}}}')
    return f'[{post},{{"kind":"Listing","data":{{"children":[{comments}]}}}}]'


def reddit_chain(depth: int) -> str:
    inner = ""
    for i in range(depth, 0, -1):
        replies = '""' if not inner else '{"kind":"Listing","data":{"children":[' + inner + "]}}"
        inner = ('{"kind":"t1","data":{"name":"t1_%d","id":"%d","parent_id":"%s","link_id":"t3_a",'
                 '"author":"%s","body":"No, that is wrong: point %d.","replies":%s}}'
                 % (i, i, f"t1_{i - 1}" if i > 1 else "t3_a", "bo" if i % 2 else "ann", i, replies))
    return reddit(inner)


def test_deep_json_nesting(cruxmap):
    code, out, _ = cruxmap("deep.json", "[" * 100_000 + "]" * 100_000, "--format", "reddit")
    assert code == 2 and one_error_line(out, "deep.json")
    code, out, _ = cruxmap("deep.jsonl", '{"id": "a", "text": "x", "score": ' + "[" * 50_000
                           + "]" * 50_000 + "}\n", "--format", "jsonl")
    assert code == 2 and "deep.jsonl:1" in one_error_line(out, "deep.jsonl")


def test_reddit_reply_chain_200_deep(cruxmap):
    code, out, db = cruxmap("chain.json", reddit_chain(200))
    assert code == 0, out
    assert "200 comments" in out
    with open_store(str(db), read_only=True) as s:
        assert s.stats()["nodes"]["Comment"] == 200


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_scores(cruxmap, value):
    code, out, _ = cruxmap("score.jsonl", '{"id": "a", "text": "Cats purr.", "score": %s}\n' % value)
    assert code == 2 and "score.jsonl:1" in one_error_line(out, "score.jsonl")
    code, out, _ = cruxmap("score.json", reddit("", created="0").replace('"created_utc":0',
                                                                        f'"created_utc":0,"score":{value}'))
    assert code == 2 and one_error_line(out, "score.json")


def test_5000_digit_integer(cruxmap):
    code, out, _ = cruxmap("big.jsonl", '{"id": "a", "text": "Cats purr.", "score": ' + "9" * 5000 + "}\n")
    line = one_error_line(out, "big.jsonl")
    assert code == 2 and "5000-digit integer" in line


def test_lone_surrogate_in_text(cruxmap):
    code, out, db = cruxmap("s.jsonl", '{"id": "a", "title": "T", "text": "Cats \\ud800 purr. Dogs bark."}\n')
    assert code == 0, out
    with open_store(str(db), read_only=True) as s:
        text = s.node("jsonl:a")["properties"]["text"]
        assert text == "Cats \ufffd purr. Dogs bark."  # same length: claim spans stay exact
        assert all(c["text"] == text[c["start"]:c["end"]] for c in s.claims())


def test_argdown_confidence_list(cruxmap):
    doc = ("[A]: Cats are better. #Ann\n  -> [B]\n\n[B]: Dogs are better. #Bo\n\n"
           "# Disagreement: pets {confidence: [1,2], status: open}\n\n## Side A\n\n[A]\n\n## Side B\n\n[B]\n")
    code, out, db = cruxmap("x.argdown", doc)
    assert code == 0, out
    with open_store(str(db), read_only=True) as s:
        assert [d["confidence"] for d in s.disagreements()] == [0.5]  # unreadable data: the default


def test_start_property_that_is_a_list(cruxmap):
    doc = {"format": "cruxmap-graph", "version": 1, "relationships": [], "nodes": [
        {"id": "p", "label": "Post", "properties": {"id": "p", "text": "Hello world."}},
        {"id": "c", "label": "Claim", "properties": {"id": "c", "text": "Hello", "start": [0], "end": 5,
                                                     "source_id": "p"}}]}
    code, out, _ = cruxmap("m.json", json.dumps(doc))
    assert code == 2 and "expected an integer, got [0]" in one_error_line(out, "m.json")


def test_reddit_created_utc_1e20(cruxmap):
    code, out, db = cruxmap("t.json", reddit("", created="1e20"))
    assert code == 0, out
    with open_store(str(db), read_only=True) as s:
        assert s.node("reddit:t3_a")["properties"].get("posted_at", "") == ""  # unknown, not invented


@pytest.mark.parametrize("char", ["{", "["])
def test_argdown_runs_of_brackets_are_linear(char):
    """``'{' * N`` and ``'[' * N`` took 46 s at 32k (quadratic); now the time grows with N."""
    def seconds(n: int) -> float:  # best of three: a busy machine only ever adds time
        text = "[A]: x " + char * n + "\n  -> [B]\n\n[B]: y\n"
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            try:
                loaders.parse(text, fmt="argdown", source="x.argdown")
            except MalformedInput:
                pass
            best = min(best, time.perf_counter() - started)
        return best
    small, big = seconds(25_000), seconds(100_000)  # 4x the input: 16x the time if quadratic
    assert big < 5.0 and big < 10 * max(small, 0.02), (small, big)


def test_yaml_alias_bomb_in_front_matter(cruxmap):
    levels = ["a: &a [" + ",".join(['"lol"'] * 9) + "]"]
    for prev, name in zip("abcdefgh", "bcdefghi"):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    doc = "===\n" + "\n".join(levels) + "\ntitle: x\n===\n\n[A]: Cats.\n  -> [B]\n\n[B]: Dogs.\n"
    tracemalloc.start()
    code, out, _ = cruxmap("bomb.argdown", doc)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert code == 2 and "aliases" in one_error_line(out, "bomb.argdown")
    assert peak < 50 * 1024 * 1024


def test_yaml_alias_in_statement_data_is_ignored_not_expanded():
    doc = "[A]: Cats. {a: &x [1,2], b: *x, score: 0.9}\n  -> [B]\n\n[B]: Dogs.\n"
    m = loaders.parse(doc, fmt="argdown", source="x.argdown")
    assert [c.text for c in m.claims] == ["Cats.", "Dogs."]


def _one_post(fmt: str, text: str) -> str:
    """A document of format ``fmt`` holding one post whose text is ``text``."""
    flat = text.replace("\n\n", " ")
    return {
        "markdown": "# One long post\n\n" + text,
        "forum-text": text,
        "jsonl": json.dumps({"id": "p", "title": "T", "text": text}) + "\n",
        "reddit": json.dumps([{"kind": "Listing", "data": {"children": [{"kind": "t3", "data": {
            "name": "t3_a", "id": "a", "title": "T", "selftext": text, "author": "ann"}}]}}]),
        "lesswrong": json.dumps({"data": {"post": {"result": {"_id": "abcdefghij", "title": "T",
                                 "contents": {"markdown": text}, "user": {"displayName": "Ann"}}},
                                 "comments": {"results": []}}}),
        "argdown": "[A]: " + flat + "\n  -> [B]\n\n[B]: y\n",
        "kialo": "Discussion Title: T\n\n1. " + flat + "\n1.1. Pro: yes\n",
    }[fmt]


LONG = ("A model can improve its loss by a few nats without understanding the world. " * 8 + "\n\n")


def _peak(doc: str, fmt: str) -> int:
    tracemalloc.start()
    try:
        loaders.parse(doc, fmt=fmt, source="big")
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("fmt", ["markdown", "forum-text", "jsonl", "reddit", "lesswrong", "argdown", "kialo"])
def test_ten_megabyte_single_post_reads_at_a_megabyte_a_second(fmt):
    """A 10 MB post took minutes; each loader now reads it in under 10 s, in bounded memory:
    at most 10x the input plus a constant, i.e. each extra megabyte of input costs at most
    10 MB more at the peak (measured between a 1 MB and a 4 MB post).

    (Decomposing such a post is another matter: the stance stage reads ~30 s per MB.)
    """
    doc = _one_post(fmt, LONG * (10 * 1024 * 1024 // len(LONG)))
    started = time.perf_counter()
    thread = loaders.parse(doc, fmt=fmt, source="big")
    elapsed = time.perf_counter() - started
    m = thread if hasattr(thread, "thread") else None
    posts = (m.thread if m else thread).posts
    assert len(posts[0].text) > 9_000_000 or (m and len(m.claims) >= 1)
    assert elapsed < 10.0, (fmt, elapsed)  # >= 1 MB/s
    small, large = (_one_post(fmt, LONG * (mb * 1024 * 1024 // len(LONG))) for mb in (1, 4))
    peak_small, peak_large = _peak(small, fmt), _peak(large, fmt)
    per_byte = (peak_large - peak_small) / (len(large) - len(small))
    assert per_byte <= 10, (fmt, round(per_byte, 2))
    assert peak_small < 10 * len(small) + 20 * 1024 * 1024, (fmt, peak_small)  # the constant is small


def test_duplicate_ids_name_both_lines(cruxmap):
    doc = ('{"id": "p", "title": "T", "text": "Cats purr."}\n'
           '{"id": "c1", "post_id": "p", "text": "No.", "author": "Ann"}\n'
           '{"id": "c1", "post_id": "p", "text": "Yes.", "author": "Bo"}\n')
    code, out, db = cruxmap("dup.jsonl", doc)
    line = one_error_line(out, "dup.jsonl")
    assert code == 2 and "lines 2 and 3" in line and "jsonl:c1" in line
    assert not db.exists() or open_store(str(db), read_only=True).stats()["nodes"] == {}


def test_duplicate_ids_in_a_reddit_thread(cruxmap):
    c = '{"kind":"t1","data":{"name":"t1_x","id":"x","parent_id":"t3_a","link_id":"t3_a","author":"%s","body":"No.","replies":""}}'
    code, out, _ = cruxmap("dup.json", reddit(c % "ann" + "," + c % "bo"))
    assert code == 2 and "reddit:t1_x" in one_error_line(out, "dup.json")


def test_self_parent_is_refused(cruxmap):
    doc = ('{"id": "p", "title": "T", "text": "Cats purr."}\n'
           '{"id": "c1", "post_id": "p", "parent_id": "c1", "text": "No.", "author": "Ann"}\n')
    code, out, _ = cruxmap("self.jsonl", doc)
    assert code == 2 and "replies to itself" in one_error_line(out, "self.jsonl")


def test_reply_cycle_is_refused(cruxmap):
    doc = ('{"id": "p", "title": "T", "text": "Cats purr."}\n'
           '{"id": "c1", "post_id": "p", "parent_id": "c2", "text": "No.", "author": "Ann"}\n'
           '{"id": "c2", "post_id": "p", "parent_id": "c1", "text": "Yes.", "author": "Bo"}\n')
    code, out, _ = cruxmap("loop.jsonl", doc)
    line = one_error_line(out, "loop.jsonl")
    assert code == 2 and "loop" in line and "jsonl:c1" in line


def test_orphan_parent_names_the_file(cruxmap):
    doc = ('{"id": "p", "title": "T", "text": "Cats purr."}\n'
           '{"id": "c1", "post_id": "p", "parent_id": "c9", "text": "No.", "author": "Ann"}\n')
    code, out, _ = cruxmap("orphan.jsonl", doc)
    line = one_error_line(out, "orphan.jsonl")
    assert code == 2 and "jsonl:c9" in line


def test_streamed_jsonl_gets_the_same_checks(tmp_path, monkeypatch):
    from cruxmap.ui import ingest as ingest_module

    monkeypatch.setattr(ingest_module, "STREAM_THRESHOLD", 10)
    path = tmp_path / "big.jsonl"
    path.write_text('{"id": "p", "title": "T", "text": "Cats \\ud800 purr."}\n'
                    '{"id": "p", "title": "T", "text": "again"}\n')
    with open_store(str(tmp_path / "m.db")) as s, pytest.raises(MalformedInput, match="lines 1 and 2"):
        ingest(s, [path])


def test_the_thread_reader_walks_a_deep_reply_chain_without_recursion(tmp_path):
    from cruxmap.graph.analysis import threads

    path = tmp_path / "deep.json"
    path.write_text(reddit_chain(1500))
    with open_store(str(tmp_path / "m.db")) as s:
        ingest(s, [path])
        rows = threads.thread(s, "reddit:t3_a")["comments"]
    assert len(rows) == 1500 and max(r["depth"] for r in rows) == 1500
