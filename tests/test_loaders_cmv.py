"""The cmv-modes v2.0 loader on the real corpus (../shared/data/cmv-modes/v2.0)."""

from __future__ import annotations

import html

import pytest

from tests.conftest import unavailable

from cruxmap import loaders
from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import author_id
from cruxmap.loaders import cmv


@pytest.fixture(scope="module")
def v2(shared_data):
    root = shared_data / "cmv-modes" / "v2.0"
    if not root.is_dir():
        unavailable(f"cmv-modes v2.0 not found at {root}")
    return root


def content_lines(meta_path):
    """(id, author, start, end) per Content line, read independently of the loader."""
    out = []
    for line in meta_path.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and parts[0] == "Content":
            out.append((parts[1], parts[2], int(parts[3]), int(parts[4])))
    return out


@pytest.mark.parametrize("name", ["positive/0", "positive/77", "negative/79"])
def test_authors_and_reply_order_match_metadata(v2, name):
    txt = v2 / f"{name}.txt"
    blocks = content_lines(txt.with_suffix(".metadata"))
    t = loaders.read(txt, fmt="cmv")
    items = list(t.items())
    assert len(t.posts) == 1 and len(items) == len(blocks)
    assert [x.author_id for x in items] == [author_id(a, "reddit") for _, a, _, _ in blocks]
    assert items[0].id == f"cmv:t3_{blocks[0][0]}"
    assert [c.id for c in t.comments] == [f"cmv:t1_{cid}" for cid, _, _, _ in blocks[1:]]
    # a chain: every reply answers the block before it
    assert [c.parent_id for c in t.comments] == [x.id for x in items[:-1]]
    assert all(c.post_id == items[0].id for c in t.comments)
    # the texts are the metadata's byte spans (stripped, entities decoded)
    data = txt.read_bytes()
    for item, (_, _, start, end) in zip(items[1:], blocks[1:]):
        assert item.text == html.unescape(data[start:end].decode("utf-8")).strip()


def test_byte_offsets_with_non_ascii_text(v2):
    # positive/77 has "£" signs: its offsets are UTF-8 bytes, not characters
    t = cmv.read_cmv(v2 / "positive" / "77.txt")
    assert t.posts[0].title.startswith("CMV: Surplus Value Theorem is definitive")
    assert t.posts[0].text.startswith("As I understand it")
    assert t.comments[0].text.startswith("This is one of those views")
    assert t.comments[1].text.startswith("\u2206")  # the &#8710; delta, decoded


def test_quotes_are_recorded(v2):
    t = loaders.read(v2 / "negative" / "79.txt", fmt="cmv")
    quoted = [q for c in t.comments for q in c.quotes]
    assert len(quoted) >= 3
    assert all(c.text[q.start:q.end] == q.text for c in t.comments for q in c.quotes)


def test_title_over_two_title_lines(v2):
    # positive/94's title is two Title spans (0-147, 147-247): both are title, not body
    t = loaders.read(v2 / "positive" / "94.txt", fmt="cmv")
    assert t.posts[0].title.startswith("CMV: Most democracies are far too tolerant")
    assert t.posts[0].title.endswith("they need to be eliminated whenever they appear.")
    assert "\n" not in t.posts[0].title
    assert t.posts[0].text.startswith("I think some of the biggest threats")


def test_same_thread_in_two_files_shares_the_post(v2):
    a = loaders.read(v2 / "positive" / "0.txt", fmt="cmv")
    b = loaders.read(v2 / "negative" / "0.txt", fmt="cmv")
    assert a.posts[0].id == b.posts[0].id == "cmv:t3_2rppq9"


def test_whole_corpus_loads(v2):
    paths = sorted(v2.glob("*/*.txt"))
    assert len(paths) == 113
    threads = [cmv.read_cmv(p) for p in paths]
    assert sum(len(t.posts) + len(t.comments) for t in threads) == 456  # SOURCE.md: 456 blocks
    assert all(x.text for t in threads for x in t.items())


def test_idempotent(v2):
    path = v2 / "positive" / "0.txt"
    assert loaders.read(path, fmt="cmv") == loaders.read(path, fmt="cmv")


def test_any_sibling_path_reads_the_thread(v2):
    base = v2 / "positive" / "0"
    assert cmv.read_cmv(base.with_suffix(".ann")) == cmv.read_cmv(base.with_suffix(".txt"))


def test_never_sniffed(v2):
    text = (v2 / "positive" / "0.txt").read_text(encoding="utf-8")
    assert not cmv.sniff(text)
    assert loaders.sniff(text) != "cmv"


def test_text_alone_is_refused_with_a_hint():
    with pytest.raises(MalformedInput, match=r"^1\.txt: .*\.metadata sidecar.*--format cmv"):
        loaders.parse("CMV: x\n\nbody", fmt="cmv", source="1.txt")


def test_missing_sidecar(tmp_path):
    txt = tmp_path / "5.txt"
    txt.write_text("CMV: title\n\nbody\n", encoding="utf-8")
    with pytest.raises(MalformedInput, match=rf"^{txt}: no 5\.metadata beside it"):
        loaders.read(txt, fmt="cmv")


@pytest.mark.parametrize("meta, problem", [
    ("Title 0 5\nContent a1 ann 5 x\n", r"5\.metadata:2: bad Content line"),
    ("Title 0 5\nSource http://x/\n", r"5\.metadata: no Content lines"),
    ("Title 0 5\nContent a1 ann 5 999\n", r"5\.metadata:2: span 5-999 is outside the text"),
])
def test_bad_metadata(tmp_path, meta, problem):
    txt = tmp_path / "5.txt"
    txt.write_text("CMV: title\n\nbody\n", encoding="utf-8")
    txt.with_suffix(".metadata").write_text(meta, encoding="utf-8")
    with pytest.raises(MalformedInput, match=problem):
        loaders.read(txt, fmt="cmv")


def test_empty_text_file(tmp_path):
    txt = tmp_path / "6.txt"
    txt.write_bytes(b"")
    txt.with_suffix(".metadata").write_text("Content a ann 0 0\n", encoding="utf-8")
    with pytest.raises(MalformedInput, match=rf"^{txt}: file is empty"):
        loaders.read(txt, fmt="cmv")
