"""cruxmap.loaders.fetch against real HTTP servers on 127.0.0.1 (never the internet)."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import pytest

from cruxmap import loaders
from cruxmap.graph.errors import FetchError
from cruxmap.loaders import fetch as fetch_mod
from cruxmap.loaders.fetch import fetch, post_target, save_fetch

DATA = Path(__file__).resolve().parent / "data"
RECORDED = json.loads((DATA / "lw_post_with_comments.json").read_text(encoding="utf-8"))
PID = RECORDED["data"]["post"]["result"]["_id"]
URL = RECORDED["data"]["post"]["result"]["pageUrl"]
FAST = dict(backoff=0.01, timeout=5)

# Answer = (status, headers, body); a handler gets the request's JSON and how many came before.
Answer = tuple[int, dict, bytes]


@pytest.fixture(autouse=True)
def no_proxy(monkeypatch):
    """A proxy configured on the machine must not intercept 127.0.0.1."""
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv(fetch_mod.ENDPOINT_ENV, raising=False)


class _QuietServer(ThreadingHTTPServer):
    """A client that gives up on purpose (an oversized or slow answer) closes the socket while
    the handler still writes: that is the behaviour under test, not a server error to print."""

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            super().handle_error(request, client_address)


class Server:
    """A real HTTP server in a thread; records every request it gets."""

    def __init__(self, answer: Callable[[dict, int], Answer]):
        self.requests: list[dict] = []
        self.answer = answer
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (the stdlib's name)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                request = {"body": json.loads(body), "headers": dict(self.headers),
                           "path": self.path}
                outer.requests.append(request)
                status, headers, payload = outer.answer(request["body"], len(outer.requests) - 1)
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):  # keep pytest output clean
                pass

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/graphql"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def recorded_answer(body: dict, _: int) -> Answer:
    """A small GraphQL stand-in: the recorded post, comments sliced by limit/offset."""
    variables = body["variables"]
    assert variables["postId"] == PID
    comments = RECORDED["data"]["comments"]["results"]
    page = comments[variables["offset"]:variables["offset"] + variables["limit"]]
    data = {"comments": {"results": page}}
    if "post(" in body["query"]:
        data["post"] = RECORDED["data"]["post"]
    return 200, {"Content-Type": "application/json"}, json.dumps({"data": data}).encode()


def json_answer(doc, status=200, **headers) -> Answer:
    return status, {"Content-Type": "application/json", **headers}, json.dumps(doc).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the happy path ---------------------------------------------------------------------------
def test_fetch_recorded_answer_parses_like_the_fixture():
    with Server(recorded_answer) as server:
        doc = fetch(URL, endpoint=server.url, **FAST)
    assert len(server.requests) == 1
    request = server.requests[0]
    assert request["headers"]["Content-Type"] == "application/json"
    assert "cruxmap" in request["headers"]["User-Agent"]
    assert doc["data"] == RECORDED["data"]
    fetched = loaders.parse(json.dumps(doc), source="x")
    assert fetched == loaders.parse(json.dumps(RECORDED), source="x")


def test_comments_are_paged():
    with Server(recorded_answer) as server:
        doc = fetch(PID, endpoint=server.url, page_size=3, **FAST)
    offsets = [r["body"]["variables"]["offset"] for r in server.requests]
    assert offsets == [0, 3, 6]  # 8 comments: pages of 3, 3, 2
    assert doc["data"]["comments"]["results"] == RECORDED["data"]["comments"]["results"]
    assert "post(" not in server.requests[1]["body"]["query"]


def test_save_fetch_writes_loadable_json_atomically(tmp_path):
    out = tmp_path / "post.json"
    with Server(recorded_answer) as server:
        assert save_fetch(URL, out, endpoint=server.url, **FAST) == out
    assert [p.name for p in tmp_path.iterdir()] == ["post.json"]  # no temp file left
    thread = loaders.read(out)
    assert thread.posts[0].id == f"lw:post:{PID}" and len(thread.comments) == 7


def test_save_fetch_default_name_and_site(tmp_path, monkeypatch):
    # what `cruxmap fetch URL` does: no --site, no -o
    monkeypatch.chdir(tmp_path)
    with Server(recorded_answer) as server:
        out = save_fetch(URL, None, site=None, endpoint=server.url, **FAST)
    assert out == Path(f"{PID}.json") and loaders.read(tmp_path / out).posts


def test_failed_save_keeps_previous_file(tmp_path):
    out = tmp_path / "post.json"
    out.write_text("previous content")
    with Server(lambda b, n: json_answer({"errors": [{"message": "nope"}]})) as server:
        with pytest.raises(FetchError):
            save_fetch(URL, out, endpoint=server.url, **FAST)
    assert out.read_text() == "previous content"
    assert [p.name for p in tmp_path.iterdir()] == ["post.json"]


def test_endpoint_from_environment(monkeypatch):
    with Server(recorded_answer) as server:
        monkeypatch.setenv(fetch_mod.ENDPOINT_ENV, server.url)
        doc = fetch(URL, **FAST)
    assert doc["data"] == RECORDED["data"] and len(server.requests) == 1


# --- retries and clear failures ----------------------------------------------------------------
def test_429_twice_then_success_is_retried():
    def answer(body, n):
        if n < 2:
            return json_answer({"errors": [{"message": "slow down"}]}, 429, **{"Retry-After": "0"})
        return recorded_answer(body, n)

    with Server(answer) as server:
        doc = fetch(URL, endpoint=server.url, **FAST)
    assert len(server.requests) == 3 and doc["data"] == RECORDED["data"]


def test_retry_after_is_honoured():
    def answer(body, n):
        return (429, {"Retry-After": "1"}, b"") if n == 0 else recorded_answer(body, n)

    with Server(answer) as server:
        started = time.monotonic()
        fetch(URL, endpoint=server.url, **FAST)
        elapsed = time.monotonic() - started
    assert len(server.requests) == 2 and elapsed >= 0.9


def test_rate_limit_gives_up_with_one_line():
    with Server(lambda b, n: (429, {"Retry-After": "0"}, b"")) as server:
        with pytest.raises(FetchError) as e:
            fetch(URL, endpoint=server.url, retries=2, **FAST)
    assert len(server.requests) == 3
    message = str(e.value)
    assert "rate limited" in message and "HTTP 429" in message and "after 3 attempts" in message
    assert server.url in message and "\n" not in message


def test_garbage_answer():
    with Server(lambda b, n: (200, {"Content-Type": "text/html"}, b"<html>\n<h1>Oops</h1>")) as server:
        with pytest.raises(FetchError) as e:
            fetch(URL, endpoint=server.url, retries=1, **FAST)
    assert len(server.requests) == 2
    assert "malformed answer: not JSON (starts with '<html> <h1>Oops</h1>')" in str(e.value)
    assert "\n" not in str(e.value)


def test_server_errors_are_retried_then_reported():
    with Server(lambda b, n: (503, {}, b"upstream down")) as server:
        with pytest.raises(FetchError, match=r"HTTP 503 .*gave up after 2 attempts"):
            fetch(URL, endpoint=server.url, retries=1, **FAST)
    assert len(server.requests) == 2


def test_unreachable_port():
    endpoint = f"http://127.0.0.1:{free_port()}/graphql"
    with pytest.raises(FetchError) as e:
        fetch(URL, endpoint=endpoint, retries=1, **FAST)
    assert "connection refused" in str(e.value) and endpoint in str(e.value)


def test_timeout():
    def slow(body, n):
        time.sleep(1.0)
        return recorded_answer(body, n)

    with Server(slow) as server:
        with pytest.raises(FetchError, match=r"no answer within 0\.2 s"):
            fetch(URL, endpoint=server.url, retries=0, timeout=0.2, backoff=0.01)


def test_graphql_error_is_not_retried():
    answer = json_answer({"errors": [{"message": 'Cannot query field "htmlBodyX" on type "Post".'}]})
    with Server(lambda b, n: answer) as server:
        with pytest.raises(FetchError, match='Cannot query field "htmlBodyX"'):
            fetch(URL, endpoint=server.url, **FAST)
    assert len(server.requests) == 1


def test_missing_post():
    with Server(lambda b, n: json_answer({"data": {"post": {"result": None},
                                                   "comments": {"results": []}}})) as server:
        with pytest.raises(FetchError, match=f"post {PID} was not found"):
            fetch(URL, endpoint=server.url, **FAST)


def test_client_error_is_not_retried():
    with Server(lambda b, n: json_answer({"errors": [{"message": "bad query"}]}, 400)) as server:
        with pytest.raises(FetchError, match=r"HTTP 400 Bad Request: bad query"):
            fetch(URL, endpoint=server.url, **FAST)
    assert len(server.requests) == 1


# --- URLs and ids -----------------------------------------------------------------------------
@pytest.mark.parametrize("value, site, expected", [
    (f"https://www.lesswrong.com/posts/{PID}/some-slug", "lesswrong", ("lesswrong", PID)),
    (f"https://www.lesswrong.com/posts/{PID}/some-slug?commentId=abc", "eaforum", ("lesswrong", PID)),
    (f"https://forum.effectivealtruism.org/posts/{PID}", "lesswrong", ("eaforum", PID)),
    (f"https://www.alignmentforum.org/posts/{PID}/x", "lesswrong", ("alignmentforum", PID)),
    (f"https://www.lesswrong.com/s/abcdefghijklmnopq/p/{PID}", "lesswrong", ("lesswrong", PID)),
    (f"www.lesswrong.com/posts/{PID}/x", "lesswrong", ("lesswrong", PID)),
    (PID, "eaforum", ("eaforum", PID)),
    (PID, None, ("lesswrong", PID)),
    (f"https://ea.greaterwrong.com/posts/{PID}/x", None, ("eaforum", PID)),
    (f"https://forum.effectivealtruism.org/posts/{PID}", None, ("eaforum", PID)),
])
def test_post_target(value, site, expected):
    assert post_target(value, site) == expected


@pytest.mark.parametrize("value, site, problem", [
    ("https://www.lesswrong.com/tag/ai", "lesswrong", "no post id"),
    (f"https://example.org/posts/{PID}/x", "lesswrong", "not a known forum"),
    ("not an id!", "lesswrong", "neither a post URL nor a post id"),
    (PID, "reddit", "unknown site 'reddit'"),
])
def test_post_target_errors(value, site, problem):
    with pytest.raises(FetchError, match=problem):
        post_target(value, site)


def test_cli_fetch_then_ingest(tmp_path, monkeypatch):
    """`cruxmap fetch URL` saves the JSON that `cruxmap ingest` then maps; failures are one line."""
    from click.testing import CliRunner

    from cruxmap.ui.cli import cli

    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    with Server(recorded_answer) as server:
        monkeypatch.setenv(fetch_mod.ENDPOINT_ENV, server.url)
        result = runner.invoke(cli, ["fetch", URL, "-o", "post.json"])
    assert result.exit_code == 0, result.output
    assert "saved post.json; next: cruxmap ingest post.json" in result.output
    ingested = runner.invoke(cli, ["ingest", "post.json", "--db", "map.db"])
    assert ingested.exit_code == 0 and "lesswrong" in ingested.output
    with Server(lambda body, n: (404, {}, b"<html>not found</html>")) as server:  # not retried
        monkeypatch.setenv(fetch_mod.ENDPOINT_ENV, server.url)
        failed = runner.invoke(cli, ["fetch", URL, "-o", "bad.json"])
    assert failed.exit_code == 2 and failed.output.startswith("error: ")
    assert len(failed.output.strip().splitlines()) == 1
    assert not (tmp_path / "bad.json").exists()


# --- a stand-in that serves ForumMagnum's shapes: views, paging limit, wrappers ---------------
THREAD = json.loads((DATA / "forum_api" / "question_thread.json").read_text(encoding="utf-8"))
QID = THREAD["post"]["_id"]
EXTENSIONS = {"cacheControl": {"version": 1, "hints": [{"path": ["post"], "maxAge": 0}]},
              "tracing": ["parse", "validate", "execute"]}  # a list of strings, as servers send


class StandIn:
    """What ForumMagnum's /graphql does with cruxmap's queries: the post, comments by view
    (postCommentsOld leaves answers out; answersAndReplies holds them), limit/offset paging
    that refuses offsets past maxAllowedApiSkip (2000), and an ``extensions`` block."""

    def __init__(self, post=None, views=None, partial_error=False):
        self.post = post or THREAD["post"]
        self.views = views or {"postCommentsOld": THREAD["postCommentsOld"],
                               "answersAndReplies": THREAD["answersAndReplies"]}
        self.partial_error = partial_error

    def __call__(self, body, n):
        v = body["variables"]
        view = v.get("view") or ("postCommentsOld" if "postCommentsOld" in body["query"] else None)
        if v["offset"] > fetch_mod.MAX_OFFSET:
            return json_answer({"errors": [{"message": "Exceeded maximum value for skip"}],
                                "data": {"comments": None}})
        data = {"comments": {"results": self.views.get(view, [])[v["offset"]:v["offset"] + v["limit"]]}}
        if "post(" in body["query"]:
            data["post"] = {"result": self.post if v["postId"] == self.post["_id"] else None}
        doc = {"data": data, "extensions": EXTENSIONS}
        if self.partial_error:
            doc["errors"] = [{"message": "coauthors: resolver timed out", "path": ["post", "result"]}]
        return json_answer(doc)


def test_question_posts_fetch_answers_and_their_replies_too():
    with Server(StandIn()) as server:
        doc = fetch(QID, endpoint=server.url, **FAST)
    views = [r["body"]["variables"].get("view") for r in server.requests]
    assert views == [None, "answersAndReplies"]  # the first query names postCommentsOld itself
    t = loaders.parse(json.dumps(doc), source="q.json")
    answer = next(c for c in t.comments if c.answer)
    reply = next(c for c in t.comments if c.id == "lw:comment:aReplyToAnswer01")
    assert answer.text.startswith("A clean result") and answer.parent_id == f"lw:post:{QID}"
    assert reply.parent_id == answer.id and not reply.answer
    assert t.posts[0].kind == "question"


def test_a_reply_whose_parent_the_api_hides_attaches_to_the_post_and_ingests(tmp_path):
    from cruxmap.graph.nx_store import NxStore
    from cruxmap.ui.ingest import ingest

    out = tmp_path / "q.json"
    with Server(StandIn()) as server:
        save_fetch(QID, out, endpoint=server.url, **FAST)
    t = loaders.read(out)
    orphan = next(c for c in t.comments if c.id == "lw:comment:cRep1yToDeleted1")
    assert (orphan.parent_id, orphan.nesting) == (f"lw:post:{QID}", "parent-hidden")
    shown_deleted = next(c for c in t.comments if c.id == "lw:comment:cDelPublic000001")
    assert shown_deleted.deleted_public and shown_deleted.text == ""
    under = next(c for c in t.comments if c.id == "lw:comment:cUnderDelPub0001")
    assert under.parent_id == shown_deleted.id and under.af and under.nesting == "known"
    with NxStore(tmp_path / "m.db") as store:
        report = ingest(store, [out])
        assert report.files[0].comments == 6
        assert store.node(orphan.id)["properties"]["nesting"] == "parent-hidden"


def test_extensions_and_errors_beside_the_data_are_read_past():
    with Server(StandIn(partial_error=True)) as server:
        doc = fetch(QID, endpoint=server.url, **FAST)
    assert any("resolver timed out" in n for n in fetch_mod.notes(doc))
    raw = {"data": doc["data"], "extensions": EXTENSIONS,
           "errors": [{"message": "coauthors: resolver timed out"}]}
    t = loaders.parse(json.dumps(raw), source="answer.json")  # used to fail: "item 0 is a str"
    assert len(t.comments) == 6 and t.posts[0].id == f"lw:post:{QID}"


def test_a_thread_cut_at_the_paging_limit_says_so_and_a_big_thread_warns():
    many = [dict(THREAD["postCommentsOld"][0], _id=f"cMany{i:012d}") for i in range(3400)]
    post = dict(THREAD["post"], question=False, commentCount=3400)
    with Server(StandIn(post=post, views={"postCommentsOld": many})) as server:
        doc = fetch(QID, endpoint=server.url, **FAST)
    assert len(doc["data"]["comments"]["results"]) == 3000  # offsets 0, 1000, 2000: the API's limit
    found = fetch_mod.notes(doc)
    assert any("big thread: 3400 comments" in n for n in found)
    assert any("holds 3000 of the post's 3400 comments" in n for n in found)


def test_alignment_forum_urls_fetch_the_whole_lesswrong_thread_or_say_af_only():
    af_url = f"https://www.alignmentforum.org/posts/{QID}/x"
    assert fetch_mod.endpoint_for("alignmentforum") == fetch_mod.SITES["lesswrong"]
    assert fetch_mod.endpoint_for("alignmentforum", af_only=True) == fetch_mod.SITES["alignmentforum"]
    with Server(StandIn()) as server:
        whole = fetch(af_url, endpoint=server.url, **FAST)
        af_only = fetch(af_url, endpoint=server.url, af_only=True, **FAST)
    assert any("whole LessWrong thread" in n for n in fetch_mod.notes(whole))
    assert any("Alignment Forum comments only" in n for n in fetch_mod.notes(af_only))


def test_cli_fetch_af_only_says_so(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cruxmap.ui.cli import cli

    monkeypatch.chdir(tmp_path)
    with Server(StandIn()) as server:
        monkeypatch.setenv(fetch_mod.ENDPOINT_ENV, server.url)
        result = CliRunner().invoke(cli, ["fetch", f"https://www.alignmentforum.org/posts/{QID}/x",
                                          "--af-only", "-o", "q.json"])
    assert result.exit_code == 0, result.output
    assert "note: Alignment Forum comments only" in result.output


def test_reacts_as_the_site_counts_them_with_inline_quotes_and_authors_by_user_id():
    with Server(StandIn()) as server:
        doc = fetch(QID, endpoint=server.url, **FAST)
    t = loaders.parse(json.dumps(doc), source="q.json")
    top = next(c for c in t.comments if c.id == "lw:comment:cTop000000000001a")
    assert top.reacts == (("crux", 1), ("notacrux", 1))  # created + seconded - disagreed
    assert top.react_quotes == (("crux", "autonomy evals are the crux"),)
    assert top.agreement_votes == 4 and top.agreement == 3
    aiko = [a for a in t.authors if a.id == "author:lw:user:uAikoTanaka000001"]
    assert [a.name for a in aiko] == ["Aiko Tanaka"]  # one author under two display names
    reply = next(c for c in t.comments if c.id == "lw:comment:aReplyToAnswer01")
    assert reply.author_id == t.posts[0].author_id == aiko[0].id


def test_a_comments_only_file_ingests_on_its_own(tmp_path):
    from cruxmap.graph.nx_store import NxStore
    from cruxmap.ui.ingest import ingest

    path = tmp_path / "comments.json"
    path.write_text(json.dumps({"data": {"comments": {"results": THREAD["answersAndReplies"]}}}))
    with NxStore(tmp_path / "m.db") as store:
        report = ingest(store, [path])
        assert (report.files[0].posts, report.files[0].comments) == (0, 2)
        reply = store.node("lw:comment:aReplyToAnswer01")["properties"]
        assert reply["post_id"] == f"lw:post:{QID}"


def test_cli_fetch_prints_what_the_fetch_noticed(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from cruxmap.ui.cli import cli

    monkeypatch.chdir(tmp_path)
    with Server(StandIn(partial_error=True)) as server:
        monkeypatch.setenv(fetch_mod.ENDPOINT_ENV, server.url)
        result = CliRunner().invoke(cli, ["fetch", QID, "-o", "q.json"])
    assert result.exit_code == 0, result.output
    assert "note: the server reported an error beside its data" in result.output


# --- the HTTP layer: redirects and size (issue 12, item 8) ------------------------------------
class RedirectServer:
    """Answers every POST with a redirect to ``location``."""

    def __init__(self, code: int, location: str):
        hits = self.hits = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                hits.append(self.path)
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(code)
                self.send_header("Location", location)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/graphql"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.mark.parametrize("code", [301, 302, 307, 308])
def test_a_redirect_to_another_host_is_not_followed(code):
    with Server(recorded_answer) as other:
        elsewhere = other.url.replace("127.0.0.1", "localhost")  # another host, same machine
        redirect = RedirectServer(code, elsewhere)
        try:
            with pytest.raises(FetchError, match="redirected to another host"):
                fetch(URL, endpoint=redirect.url, retries=0, **FAST)
        finally:
            redirect.close()
        assert other.requests == []  # the query never went there


def test_a_same_host_307_keeps_the_post():
    """A 307 to another path of the same server is followed, with the query still POSTed."""
    posts = []

    class Moved(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            posts.append((self.path, body))
            if self.path == "/old":
                self.send_response(307)
                self.send_header("Location", "/graphql")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            _, headers, payload = recorded_answer(body, 0)
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Moved)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        doc = fetch(URL, endpoint=f"http://127.0.0.1:{httpd.server_address[1]}/old", **FAST)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert doc["data"] == RECORDED["data"]
    assert [p for p, _ in posts] == ["/old", "/graphql"] and posts[1][1]["variables"]["postId"] == PID


def test_an_answer_over_the_cap_is_refused_while_reading(monkeypatch):
    monkeypatch.setattr(fetch_mod, "MAX_BYTES", 100_000)
    big = json.dumps({"data": {"post": RECORDED["data"]["post"], "comments": {"results": [
        {"_id": str(i), "contents": {"markdown": "x" * 1000}} for i in range(500)]}}}).encode()

    def answer(body, n):
        return 200, {"Content-Type": "application/json"}, big
    with Server(answer) as server:
        with pytest.raises(FetchError, match="larger than 0.1 MB; refused"):
            fetch(URL, endpoint=server.url, retries=0, **FAST)


def test_an_unannounced_big_answer_is_cut_off_at_the_cap(monkeypatch):
    """No Content-Length: the body is read in chunks, and reading stops past the cap."""
    monkeypatch.setattr(fetch_mod, "MAX_BYTES", 50_000)
    sent = []

    class Endless(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_POST(self):  # noqa: N802
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            try:
                for _ in range(2000):  # 2,000 x 10 kB = 20 MB, if anyone read it all
                    self.wfile.write(b" " * 10_000)
                    sent.append(1)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Endless)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        with pytest.raises(FetchError, match="larger than"):
            fetch(URL, endpoint=f"http://127.0.0.1:{httpd.server_address[1]}/graphql", retries=0, **FAST)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert len(sent) < 2000
