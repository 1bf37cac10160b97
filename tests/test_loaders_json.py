"""The JSON loaders (LessWrong GraphQL, Reddit, JSON Lines): golden fixtures, shapes, sniffing, bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cruxmap import loaders
from cruxmap.graph.errors import MalformedInput
from cruxmap.graph.schema import Thread
from cruxmap.loaders import jsonl, lesswrong, reddit
from cruxmap.loaders._text import html_to_text, markdown_to_text

DATA = Path(__file__).resolve().parent / "data"
LW_FILE = DATA / "lw_post_with_comments.json"
REDDIT_FILE = DATA / "reddit_thread.json"
JSONL_FILE = DATA / "thread.jsonl"
PID = "Xq7Lm2PcR9tYv3KdA"


def lw_doc() -> dict:
    return json.loads(LW_FILE.read_text(encoding="utf-8"))


def by_id(thread: Thread) -> dict:
    return {x.id: x for x in thread.items()}


# --- LessWrong / ForumMagnum ----------------------------------------------------------------
class TestLessWrong:
    def test_post_fields(self):
        t = loaders.read(LW_FILE)
        post = t.posts[0]
        assert post.id == f"lw:post:{PID}"
        assert post.title == "Chain-of-thought monitoring buys less time than we think"
        assert post.author_id == "author:lw:mira castellanos"
        assert post.coauthor_ids == ("author:lw:tobias wren",)
        assert (post.score, post.vote_count) == (87, 41)
        assert post.url.startswith(f"https://www.lesswrong.com/posts/{PID}/")
        assert post.posted_at == "2025-03-14T16:02:11.482Z"
        assert post.source == str(LW_FILE)

    def test_html_keeps_paragraphs_lists_and_quotes(self):
        text = loaders.read(LW_FILE).posts[0].text
        paragraphs = text.split("\n\n")
        assert paragraphs[0].startswith("A common hope")
        assert "1. Legibility is a training artefact, not a law of nature.\n" \
               "2. Optimisation pressure on outputs leaks into the reasoning." in text
        assert "\n\n> We observed no degradation in the faithfulness of reasoning traces " \
               "across training checkpoints.\n\n" in text
        assert "“no degradation so far”" in text  # entities decoded
        assert "<" not in text

    def test_quote_spans_are_exact(self):
        t = loaders.read(LW_FILE)
        quoted = [(x, q) for x in t.items() for q in x.quotes]
        assert len(quoted) == 2  # the post's blockquote and Devi's markdown quote
        for item, q in quoted:
            assert item.text[q.start:q.end] == q.text
            assert q.text.startswith("> ")
        assert quoted[1][1].text == ("> Once a grader reads the reasoning, the reasoning "
                                     "becomes an output like any other")

    def test_reply_tree_three_deep(self):
        c = by_id(loaders.read(LW_FILE))
        post = f"lw:post:{PID}"
        chain = ["cA1kP0wq9ZrT5bLmN", "cB2mQ1xr0AsU6cMnP", "cC3nR2ys1BtV7dNoQ", "cD4oS3zt2CuW8eOpR"]
        parent = post
        for cid in chain:
            comment = c[f"lw:comment:{cid}"]
            assert comment.parent_id == parent and comment.post_id == post
            parent = comment.id
        assert c["lw:comment:cE5pT4au3DvX9fPqS"].parent_id == "lw:comment:cA1kP0wq9ZrT5bLmN"

    def test_votes_and_reacts(self):
        c = by_id(loaders.read(LW_FILE))
        top = c["lw:comment:cA1kP0wq9ZrT5bLmN"]
        assert (top.score, top.agreement) == (34, -4)
        assert top.reacts == (("crux", 2), ("insightful", 1))
        # as the site counts them: created + seconded - disagreed, so one crux react and one
        # "disagreed" on it cancel out (this used to count as one crux react)
        assert c["lw:comment:cC3nR2ys1BtV7dNoQ"].reacts == (("notacrux", 1),)
        assert c["lw:comment:cD4oS3zt2CuW8eOpR"].reacts == ()

    def test_deleted_dropped_retracted_kept(self):
        c = by_id(loaders.read(LW_FILE))
        assert "lw:comment:cG7rV6cw5FxZ1hRsU" not in c
        retracted = c["lw:comment:cF6qU5bv4EwY0gQrT"]
        assert retracted.retracted and "Retracting" in retracted.text
        # the reply to the deleted comment hangs from the post instead of a missing node
        assert c["lw:comment:cH8sW7dx6GyA2iStV"].parent_id == f"lw:post:{PID}"
        assert sum(x.retracted for x in loaders.read(LW_FILE).comments) == 1

    def test_markdown_preferred_and_cleaned(self):
        c = by_id(loaders.read(LW_FILE))
        text = c["lw:comment:cA1kP0wq9ZrT5bLmN"].text
        assert "pushes toward faithful reasoning, the second" in text  # link text kept, URL gone
        assert "**" not in text and "example.org" not in text
        assert "The labs that do grade reasoning" in text

    def test_authors_unique_and_complete(self):
        t = loaders.read(LW_FILE)
        names = [a.name for a in t.authors]
        assert names == ["Mira Castellanos", "Tobias Wren", "Devi Okafor", "Sam Kirby",
                         "Priya Raman", "Hal Brennan"]
        ids = {a.id for a in t.authors}
        assert {x.author_id for x in t.items()} <= ids

    def test_idempotent(self):
        text = LW_FILE.read_text(encoding="utf-8")
        assert lesswrong.parse(text, "x") == lesswrong.parse(text, "x")
        assert loaders.read(LW_FILE) == loaders.read(LW_FILE)

    @pytest.mark.parametrize("shape", ["comments_only", "post_only", "posts_list", "bare_list",
                                       "post_and_comments", "minified", "one_per_line"])
    def test_accepted_shapes(self, shape):
        doc = lw_doc()
        post, comments = doc["data"]["post"]["result"], doc["data"]["comments"]["results"]
        wrapped = {
            "comments_only": {"data": {"comments": {"results": comments}}},
            "post_only": {"data": {"post": {"result": post}}},
            "posts_list": {"data": {"posts": {"results": [post, dict(post, _id="other0000000000")]}}},
            "bare_list": [post] + comments,
            "post_and_comments": {"post": post, "comments": comments},
            "minified": doc,
            "one_per_line": None,
        }[shape]
        text = json.dumps(wrapped, separators=(",", ":") if shape == "minified" else None)
        if shape == "one_per_line":  # JSON Lines of ForumMagnum objects, as scrapers save them
            text = "\n".join(json.dumps(x) for x in [post] + comments)
        assert lesswrong.sniff(text) and not reddit.sniff(text) and not jsonl.sniff(text)
        t = loaders.parse(text, source="shape.json")
        full = loaders.read(LW_FILE)
        if shape in ("comments_only", "bare_list", "post_and_comments", "minified", "one_per_line"):
            assert [c.id for c in t.comments] == [c.id for c in full.comments]
            # without the post in the file, top-level comments answer nothing in it (so the
            # file ingests on its own); replies keep their parents
            expected = [None if shape == "comments_only" and p == c.post_id else p
                        for c, p in ((c, c.parent_id) for c in full.comments)]
            assert [c.parent_id for c in t.comments] == expected
        if shape == "posts_list":
            assert [p.id for p in t.posts] == [f"lw:post:{PID}", "lw:post:other0000000000"]
        if shape == "comments_only":
            assert t.posts == ()

    def test_site_prefix_from_page_url(self):
        doc = lw_doc()
        doc["data"]["post"]["result"]["pageUrl"] = f"https://forum.effectivealtruism.org/posts/{PID}/x"
        for c in doc["data"]["comments"]["results"]:
            c["pageUrl"] = c["pageUrl"].replace("www.lesswrong.com", "forum.effectivealtruism.org")
        t = lesswrong.parse(json.dumps(doc))
        assert t.posts[0].id == f"ea:post:{PID}"
        assert t.comments[0].parent_id == f"ea:post:{PID}"
        assert t.posts[0].author_id == "author:ea:mira castellanos"

    def test_reacts_as_plain_counts(self):
        comment = {"_id": "c1", "postId": "p1", "parentCommentId": None,
                   "extendedScore": {"agreement": 2.0, "reacts": {"crux": 3, "notacrux": 0}},
                   "contents": {"html": "<p>x</p>"}}
        t = lesswrong.parse(json.dumps([comment]))
        assert t.comments[0].reacts == (("crux", 3),) and t.comments[0].agreement == 2

    def test_graphql_errors_carry_server_message(self):
        text = json.dumps({"errors": [{"message": "app.missing_document", "path": ["post"]}],
                           "data": {"post": None}})
        with pytest.raises(MalformedInput, match="app.missing_document"):
            loaders.parse(text, source="answer.json")

    @pytest.mark.parametrize("doc", [{"data": {"user": {"result": {"_id": "u1", "displayName": "X"}}}},
                                     {"data": {"post": {"result": None}}}, {"data": {}}, []])
    def test_wrong_shape_names_what_was_expected(self, doc):
        with pytest.raises(MalformedInput) as e:
            lesswrong.parse(json.dumps(doc), source="f.json")
        assert str(e.value).startswith("f.json: ") and "expected ForumMagnum GraphQL JSON" in str(e.value)


# --- Reddit -----------------------------------------------------------------------------------
class TestReddit:
    def test_post_and_tree(self):
        t = loaders.read(REDDIT_FILE)
        post = t.posts[0]
        assert post.id == "reddit:t3_1b7xq2k" and post.author_id == "author:reddit:quiet_gradient"
        assert post.title.startswith("Should frontier labs publish model weights")
        assert post.url == ("https://www.reddit.com/r/ControlProblem/comments/1b7xq2k/"
                            "should_frontier_labs_publish_model_weights/")
        assert post.posted_at == "2024-04-05T19:34:38Z" and post.score == 142
        assert post.kind == "post"
        parents = {c.id: c.parent_id for c in t.comments}
        assert parents == {
            "reddit:t1_kz1aaa": "reddit:t3_1b7xq2k",
            "reddit:t1_kz2bbb": "reddit:t1_kz1aaa",
            "reddit:t1_kz3ccc": "reddit:t1_kz2bbb",
            "reddit:t1_kz4ddd": "reddit:t1_kz3ccc",
            "reddit:t1_kz6fff": "reddit:t1_kz1aaa",  # its parent was [removed]: re-attached
            "reddit:t1_kz7ggg": "reddit:t3_1b7xq2k",
        }
        assert all(c.post_id == "reddit:t3_1b7xq2k" for c in t.comments)

    def test_deleted_author_unknown_removed_body_dropped_more_skipped(self):
        c = by_id(loaders.read(REDDIT_FILE))
        assert c["reddit:t1_kz4ddd"].author_id is None
        assert "reddit:t1_kz5eee" not in c and "reddit:t1_kz9more" not in c
        assert c["reddit:t1_kz4ddd"].text.endswith("right frame & the one policy people use.")

    def test_escaped_quote_is_a_quote(self):
        first = by_id(loaders.read(REDDIT_FILE))["reddit:t1_kz1aaa"]
        assert first.text.startswith("> older models are no longer dangerous enough to matter\n\n")
        assert first.quotes[0].text == "> older models are no longer dangerous enough to matter"

    def test_authors(self):
        t = loaders.read(REDDIT_FILE)
        assert [a.name for a in t.authors] == ["quiet_gradient", "lattice_of_doubt", "sparse_probe"]

    def test_idempotent(self):
        assert loaders.read(REDDIT_FILE) == loaders.read(REDDIT_FILE)

    def test_link_post(self):
        doc = json.loads(REDDIT_FILE.read_text())
        data = doc[0]["data"]["children"][0]["data"]
        data.update(is_self=False, url="https://arxiv.org/abs/2401.00001", selftext="")
        post = reddit.parse(json.dumps(doc)).posts[0]
        assert post.kind == "linkpost" and post.link == "https://arxiv.org/abs/2401.00001"

    @pytest.mark.parametrize("doc", [[{"kind": "t3", "data": {}}], [], {"kind": "Listing"},
                                     [{"kind": "Listing", "data": {"children": []}}]])
    def test_wrong_shape(self, doc):
        with pytest.raises(MalformedInput, match=r"^r\.json: .*Reddit thread JSON"):
            reddit.parse(json.dumps(doc), source="r.json")


# --- JSON Lines ----------------------------------------------------------------------------------
class TestJsonl:
    def test_fixture(self):
        t = loaders.read(JSONL_FILE)
        assert [p.id for p in t.posts] == ["hn:39871001"]
        assert [(c.id, c.parent_id, c.post_id) for c in t.comments] == [
            ("hn:39871044", "hn:39871001", "hn:39871001"),
            ("hn:39871102", "hn:39871044", "hn:39871001"),
            ("hn:39871160", "hn:39871102", "hn:39871001"),
            ("hn:39871200", "hn:39871001", "hn:39871001"),  # no parent_id: replies to the post
        ]
        c = by_id(t)
        assert c["hn:39871001"].posted_at == "2024-04-01T10:00:00Z"
        assert c["hn:39871102"].reacts == (("crux", 2),) and c["hn:39871102"].agreement == 4
        assert c["hn:39871102"].quotes[0].text == "> refusals are the easiest behaviour to fake"
        assert [a.name for a in t.authors] == ["kestrel_ops", "ferrous_wheel", "null_hypothesis_fan"]

    def test_post_or_comment_rules_and_namespaces(self):
        lines = [
            {"id": 1, "text": "A post: no parent, no post id."},
            {"id": "t", "title": "Titled", "post_id": "1", "text": "A title makes it a post."},
            {"id": 2, "post_id": 1, "text": "Top-level comment.", "author": "[deleted]"},
            {"id": 3, "parent_id": 2, "text": "Reply without post id."},
            {"id": "x:4", "parent_id": "x:2", "text": "Already namespaced."},
        ]
        t = jsonl.parse("\n".join(json.dumps(x) for x in lines))
        assert [p.id for p in t.posts] == ["jsonl:1", "jsonl:t"]
        assert [(c.id, c.parent_id, c.post_id) for c in t.comments] == [
            ("jsonl:2", "jsonl:1", "jsonl:1"), ("jsonl:3", "jsonl:2", None), ("x:4", "x:2", None)]
        assert t.comments[0].author_id is None and t.authors == ()

    def test_byte_order_mark_on_first_line(self):
        t = next(jsonl.iter_parse(['\ufeff{"id": 1, "text": "x"}\n'], "bom.jsonl"))
        assert t.posts[0].id == "jsonl:1"

    def test_line_separator_inside_text_is_not_a_line_break(self):
        t = jsonl.parse(json.dumps({"id": 1, "text": "a\u2028b"}, ensure_ascii=False))
        assert t.posts[0].text == "a\u2028b"

    def test_iter_parse_batches_merge_to_parse(self):
        text = JSONL_FILE.read_text(encoding="utf-8")
        batches = list(jsonl.iter_parse(text.split("\n"), "f", batch_size=2))
        assert [len(b.posts) + len(b.comments) for b in batches] == [2, 2, 1]
        merged = batches[0]
        for b in batches[1:]:
            merged = merged.merged(b)
        whole = jsonl.parse(text, "f")
        assert (merged.posts, merged.comments) == (whole.posts, whole.comments)
        assert {a.id for a in merged.authors} == {a.id for a in whole.authors}

    def test_iter_parse_is_lazy(self):
        consumed = 0

        def lines():
            nonlocal consumed
            for i in range(1_000_000):  # far more than is ever read
                consumed += 1
                yield json.dumps({"id": i, "post_id": 0, "text": f"comment {i}"})

        first = next(jsonl.iter_parse(lines(), "big.jsonl", batch_size=500))
        assert len(first.comments) == 500 and consumed == 500

    def test_iter_read_reports_bad_utf8_line(self, tmp_path):
        path = tmp_path / "bad.jsonl"
        path.write_bytes(b'{"id": 1, "text": "fine"}\n{"id": 2, "text": "fine"}\n'
                         b'{"id": 3, "text": "\xff\xfe"}\n')
        with pytest.raises(MalformedInput) as e:
            list(jsonl.iter_read(path))
        assert str(path) in str(e.value) and "UTF-8" in str(e.value)

    @pytest.mark.parametrize("line, reason", [
        ('{"id": 2, "text": ', "truncated JSON"),
        ('[1, 2]', "got a list of 2 items"),
        ('{"text": "no id"}', "missing id"),
        ('{"id": 2}', "missing text"),
        ('{"id": 2, "text": 5}', "text is a int"),
        ('{"id": {"a": 1}, "text": "x"}', "id is an object"),
        ('{"id": 2, "text": "x", "score": "high"}', "score is a str"),
        ('{"id": 2, "text": "x", "posted_at": [1]}', "posted_at is a list"),
        ('{"id": 2, "post_id": 1, "text": "x", "reacts": ["crux"]}', "reacts must be an object"),
        ('{"id": 2, "text": "x",, "url": ""}', "not a JSON object"),
    ])
    def test_bad_line_names_file_and_line(self, line, reason):
        text = '{"id": 1, "text": "A fine first line."}\n\n' + line + "\n"
        with pytest.raises(MalformedInput) as e:
            jsonl.parse(text, source="in.jsonl")
        assert e.value.line == 3 and str(e.value).startswith("in.jsonl:3: ")
        assert reason in str(e.value)


# --- sniffing ------------------------------------------------------------------------------------
def _samples() -> dict[str, str]:
    doc = lw_doc()
    return {
        "lesswrong": LW_FILE.read_text(encoding="utf-8"),
        "lesswrong-minified": json.dumps(doc, separators=(",", ":")),
        "lesswrong-list": json.dumps(doc["data"]["comments"]["results"]),
        "lesswrong-errors": '{"errors": [{"message": "boom"}]}',
        "reddit": REDDIT_FILE.read_text(encoding="utf-8"),
        "reddit-minified": json.dumps(json.loads(REDDIT_FILE.read_text()), separators=(",", ":")),
        "jsonl": JSONL_FILE.read_text(encoding="utf-8"),
        "prose": "# A title\n\nCats are better than dogs.\n",
        "html": "<!DOCTYPE html><html><body><p>Hi</p></body></html>",
        "json-other": '{"name": "not a forum", "items": [1, 2]}',
    }


@pytest.mark.parametrize("name, text", list(_samples().items()))
def test_sniffers_are_mutually_exclusive(name, text):
    hits = {mod.__name__.split(".")[-1] for mod in (lesswrong, reddit, jsonl) if mod.sniff(text)}
    expected = name.split("-")[0]
    assert hits == ({expected} if expected in ("lesswrong", "reddit", "jsonl") else set())


def test_registry_sniffs_each_fixture():
    assert loaders.sniff(LW_FILE.read_text()) == "lesswrong"
    assert loaders.sniff(REDDIT_FILE.read_text()) == "reddit"
    assert loaders.sniff(JSONL_FILE.read_text()) == "jsonl"


# --- bad input through loaders.read(path) ----------------------------------------------------------
BAD_INPUTS = {
    "empty": (b"", "empty"),
    "blank": (b"  \n\n ", "empty"),
    "binary": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    "invalid-utf8": (b'{"data": {"post": "caf\xe9"}}', "UTF-8"),
    "truncated": (LW_FILE.read_bytes()[:700], "truncated JSON"),
    "html": (b"<!DOCTYPE html>\n<html><head><title>LessWrong</title></head><body></body></html>",
             "HTML"),
}


@pytest.mark.parametrize("fmt", ["lesswrong", "reddit", "jsonl"])
@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_names_file_and_problem(tmp_path, fmt, case):
    content, problem = BAD_INPUTS[case]
    path = tmp_path / f"{case}.json"
    path.write_bytes(content)
    with pytest.raises(MalformedInput) as e:
        loaders.read(path, fmt=fmt)
    message = str(e.value)
    assert message.startswith(str(path)) and problem.lower() in message.lower()
    assert "\n" not in message


@pytest.mark.parametrize("fmt", ["lesswrong", "reddit", "jsonl", "cmv"])
def test_nonexistent_path(tmp_path, fmt):
    missing = tmp_path / "nope.json"
    with pytest.raises(MalformedInput, match=f"^{missing}: no such file"):
        loaders.read(missing, fmt=fmt)


@pytest.mark.parametrize("fmt, doc, expected", [
    ("lesswrong", {"results": [1, 2]}, "expected a post or comment object"),
    ("lesswrong", {"data": {"viewer": {"name": "x"}}}, "expected ForumMagnum GraphQL JSON"),
    ("reddit", {"data": {"post": {"result": {}}}}, "expected Reddit thread JSON"),
    ("reddit", LW_FILE, "expected Reddit thread JSON"),
    ("jsonl", [{"id": 1, "text": "a list, not lines"}], "got a list"),
    ("jsonl", {"id": 1}, "missing text"),
])
def test_wrong_shape_json(tmp_path, fmt, doc, expected):
    path = tmp_path / "wrong.json"
    if isinstance(doc, Path):
        path.write_bytes(doc.read_bytes())
    else:
        path.write_text(json.dumps(doc))
    with pytest.raises(MalformedInput) as e:
        loaders.read(path, fmt=fmt)
    assert str(e.value).startswith(str(path)) and expected in str(e.value)


def test_truncated_forum_json_is_sniffed_and_reported(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes(LW_FILE.read_bytes()[:2000])
    with pytest.raises(MalformedInput, match=r"cut\.json: truncated JSON"):
        loaders.read(path)


# --- the text helpers -------------------------------------------------------------------------------
def test_html_to_text_structure():
    html = ("<p>First   para\nwrapped.</p><blockquote><p>Q one.</p><p>Q two.</p></blockquote>"
            "<ul><li>a</li><li>b<ul><li>nested</li></ul></li></ul><p>x<br>y</p>"
            "<script>alert(1)</script><pre>keep  this\n  indent</pre>")
    assert html_to_text(html) == ("First para wrapped.\n\n> Q one.\n>\n> Q two.\n\n- a\n- b\n"
                                  "  - nested\n\nx\ny\n\nkeep  this\n  indent")


def test_markdown_to_text_minimal():
    md = "# Head\n\n> quote *here*\n\nA [link](http://x.org/a_(b)) and 2 * 3 = 6, snake_case_name, \\*lit\\*."
    assert markdown_to_text(md) == ("Head\n\n> quote here\n\nA link and 2 * 3 = 6, "
                                    "snake_case_name, *lit*.")
