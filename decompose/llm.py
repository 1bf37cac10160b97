"""Optional LLM stage: stances (and explicit cruxes) judged by a chat model, quotes checked.

For users who have one, any OpenAI-compatible chat endpoint (a hosted API, Ollama, a
llama.cpp server) can judge each reply against its parent. The offline pipeline stays the
default: this stage runs only when a caller gives a configuration (``cruxmap ingest --llm URL``,
which defaults to ``CRUXMAP_LLM_URL``).

Needs: ``m.claims`` and ``m.stances`` (stages 1-2) and the reply structure. Produces: for
every reply whose parent (or nearest ancestor) has claims, the model's stance for each
reply claim replaces the offline one, with ``Stance.evidence`` ``llm <model>: "<quote>"``;
the reply's overall stance and the claims' roles follow. After the crux stage, sentences the
model names as explicit cruxes are added as cruxes (within the thread's crux budget).

What is sent and what is accepted
---------------------------------
One ``POST <url>/v1/chat/completions`` per reply (urllib only): the parent's claims as
``P1: "…"``, the reply's claims as ``R1: "…"``, and a ``response_format`` of type
``json_schema`` with one required judgement per reply claim and targets limited to those ids
(:func:`reply_schema`). The answer is checked against the schema here too (:func:`validate`):
servers that ignore the format, or enforce it loosely (llama.cpp does not enforce number
ranges), are caught. Every quote must be a verbatim span of the reply's text (``str.find``;
offsets are recorded) and every crux a verbatim span of the reply or the parent. Whatever
fails is rejected and counted, and for those claims the offline stance stands.

Cost and safety
---------------
Answers are cached on disk by model and prompt (:mod:`cruxmap.decompose.llm_cache`): a re-run sends
nothing. :func:`estimate` counts requests, tokens (4 characters a token) and cost before a
run. Requests run on a thread pool of ``max_workers``; 429, 5xx, timeouts and dropped
connections are retried with exponential back-off (``Retry-After`` is honoured); any other
failure stops the run with one :class:`cruxmap.graph.errors.DecomposeError` line (stage ``llm``).

Configuration from the environment
----------------------------------
``CRUXMAP_LLM_URL`` (e.g. ``http://localhost:8080`` or ``http://localhost:11434/v1``),
``CRUXMAP_LLM_MODEL``, ``CRUXMAP_LLM_API_KEY``, ``CRUXMAP_LLM_WORKERS``,
``CRUXMAP_LLM_PRICE_IN`` / ``CRUXMAP_LLM_PRICE_OUT`` (per 1000 tokens) and ``CRUXMAP_CACHE``.

Examples
--------
>>> LLMConfig.from_env({}) is None
True
>>> LLMConfig("http://localhost:11434/v1", "llama3.2").endpoint
'http://localhost:11434/v1/chat/completions'
>>> locate_quote("fair point", "OK, fair point. I was wrong.")
(4, 14)
>>> locate_quote("a fair argument", "OK, fair point. I was wrong.") is None
True
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import http.client
import json
import math
import os
import random
import re
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from cruxmap.graph.errors import DecomposeError
from cruxmap.graph.schema import (EXTERNAL_TARGET, STANCES, Claim, Comment, Crux, CruxMap, Post, Stance,
                          Thread, stable_id)

from cruxmap.decompose import claims as claims_stage
from cruxmap.decompose.cruxes import budget, phrase
from cruxmap.decompose.embed import content_words
from cruxmap.decompose.llm_cache import ResponseCache, request_key
from cruxmap.decompose.propositions import defect
from cruxmap.decompose.stance import SentenceStance, overall_stance, role_of

__all__ = ["Estimate", "Judgement", "LLMClient", "LLMConfig", "LLMStage", "LLMStats", "ReplyJob",
           "Verdict", "estimate", "locate_quote", "parse_verdict", "plan", "reply_schema", "resolve",
           "using", "validate"]

#: Characters per token for estimates (a common rule of thumb for English).
CHARS_PER_TOKEN = 4
#: Completion tokens an answer needs per reply claim (id, quote, stance, target, confidence).
TOKENS_PER_JUDGEMENT = 40
#: Longest quote or crux the schema allows (characters).
MAX_QUOTE_CHARS = 200
#: Cruxes asked for per reply at most.
MAX_CRUXES = 2
_LONGEST_WAIT = 60.0  # seconds: cap on Retry-After and on the back-off

SYSTEM_PROMPT = (
    "You label how each claim of a forum reply relates to the parent comment it answers.\n"
    "Stances: agree; disagree; correct (fixes a factual error in the parent); concede (admits "
    "the parent is right, e.g. 'fair point, I stand corrected'); question (asks the parent "
    "something); neutral (takes no side).\n"
    "For every reply claim R1, R2, ... give: id; quote, words copied exactly from that reply "
    "claim that show its stance; stance; target, the parent claim it answers (P1, P2, ...) or "
    "\"external\" when it answers something not in the parent; confidence from 0 to 1.\n"
    "cruxes: at most two sentences copied exactly from either text that the disagreement "
    "hinges on (an empty list if none).\n"
    "Answer with JSON only."
)


# --- configuration -----------------------------------------------------------------------
@dataclass(frozen=True)
class LLMConfig:
    """Where the chat endpoint is and how to use it.

    Parameters
    ----------
    url
        The server (``http://localhost:8080``), its ``/v1`` base, or the full
        ``…/chat/completions`` address.
    model
        The model name sent with each request (and part of the cache key).
    api_key
        Sent as ``Authorization: Bearer …`` when given.
    max_workers
        Requests in flight at once.
    timeout, retries, backoff
        Seconds per request; retries after 429/5xx/timeouts; first back-off in seconds
        (doubled each retry).
    max_tokens, temperature
        Sampling settings of each request.
    price_in, price_out
        Price per 1000 prompt / completion tokens, for :func:`estimate`.
    cache_dir
        Directory of the answer cache (None: ``$CRUXMAP_CACHE`` or ``~/.cache/cruxmap``);
        ``use_cache=False`` turns caching off.
    max_parent_claims, max_reply_claims
        How much of a long parent or reply is sent (parent claims sharing most words with
        the reply are kept; reply claims beyond the limit keep their offline stance).
    """

    url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    max_workers: int = 4
    timeout: float = 120.0
    retries: int = 4
    backoff: float = 1.0
    max_tokens: int = 2048
    temperature: float = 0.0
    price_in: float = 0.0
    price_out: float = 0.0
    cache_dir: str | None = None
    use_cache: bool = True
    max_parent_claims: int = 30
    max_reply_claims: int = 30

    def __post_init__(self):
        if not self.url.startswith(("http://", "https://")):
            raise DecomposeError("llm", f"LLM url must start with http:// or https://, not {self.url!r}")
        if not self.model:
            raise DecomposeError("llm", "no LLM model named (--llm-model or CRUXMAP_LLM_MODEL)")
        if self.max_workers < 1:
            raise DecomposeError("llm", f"max_workers must be at least 1, not {self.max_workers}")

    @property
    def endpoint(self) -> str:
        """The chat completions address."""
        base = self.url.rstrip("/")
        if base.endswith("/chat/completions"):
            return base
        return base + ("/chat/completions" if base.endswith("/v1") else "/v1/chat/completions")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> LLMConfig | None:
        """The configuration in ``CRUXMAP_LLM_*`` variables (``overrides`` win), or None if no URL.

        >>> LLMConfig.from_env({"CRUXMAP_LLM_URL": "http://h:1", "CRUXMAP_LLM_MODEL": "m",
        ...                     "CRUXMAP_LLM_WORKERS": "2"}).max_workers
        2
        """
        env = os.environ if environ is None else environ
        url = overrides.pop("url", None) or env.get("CRUXMAP_LLM_URL")
        if not url:
            return None
        model = overrides.pop("model", None) or env.get("CRUXMAP_LLM_MODEL", "")
        settings: dict[str, Any] = {"api_key": env.get("CRUXMAP_LLM_API_KEY") or None}
        for name, var, kind in (("max_workers", "CRUXMAP_LLM_WORKERS", int),
                                ("price_in", "CRUXMAP_LLM_PRICE_IN", float),
                                ("price_out", "CRUXMAP_LLM_PRICE_OUT", float)):
            if env.get(var):
                try:
                    settings[name] = kind(env[var])
                except ValueError:
                    raise DecomposeError("llm", f"{var}={env[var]!r} is not a number") from None
        settings.update({k: v for k, v in overrides.items() if v is not None})
        return cls(url=url, model=model, **settings)


# --- the HTTP client -------------------------------------------------------------------------
@dataclass
class LLMStats:
    """What a client did: requests sent, answers from the cache, retries, rejections."""

    requests: int = 0  # HTTP requests sent, retries included
    answers: int = 0  # answers received from the endpoint
    cache_hits: int = 0
    retries: int = 0
    prompt_tokens: int = 0  # as the endpoint reported them
    completion_tokens: int = 0
    rejected_quotes: int = 0  # quotes or cruxes that are not verbatim in the source
    rejected_judgements: int = 0  # single judgements that break the schema
    rejected_answers: int = 0  # answers that are not JSON or not of the schema's shape
    max_in_flight: int = 0

    def __str__(self) -> str:
        return (f"{self.answers} LLM answers ({self.requests} requests, {self.retries} retries), "
                f"{self.cache_hits} from the cache, {self.rejected_quotes} quotes rejected "
                f"(not verbatim), {self.rejected_judgements} judgements and {self.rejected_answers} "
                f"answers rejected (schema)")


class _Retry(Exception):
    """A failure worth trying again (429, 5xx, timeout, dropped connection)."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.wait = wait


class LLMClient:
    """Chat completions over urllib with a disk cache, retries and bounded concurrency.

    Thread-safe; one client can serve many decompositions (its :attr:`stats` add up).
    """

    def __init__(self, config: LLMConfig, cache: ResponseCache | None = None):
        self.config = config
        self.cache = cache if cache is not None else (
            ResponseCache(config.cache_dir) if config.use_cache else None)
        self.stats = LLMStats()
        self._lock = threading.Lock()
        self._in_flight = 0

    def key(self, body: dict[str, Any]) -> str:
        """The cache key of a request body."""
        return request_key(self.config.model, body)

    def is_cached(self, body: dict[str, Any]) -> bool:
        return self.cache is not None and self.key(body) in self.cache

    def count(self, **increments: int) -> None:
        """Add to :attr:`stats` (thread-safe)."""
        with self._lock:
            for name, n in increments.items():
                setattr(self.stats, name, getattr(self.stats, name) + n)

    def complete(self, body: dict[str, Any]) -> str:
        """The assistant message for ``body``: from the cache, else from the endpoint (then cached)."""
        key = self.key(body)
        if self.cache is not None:
            hit = self.cache.get(key)
            if hit is not None:
                self.count(cache_hits=1)
                return hit
        content = self._ask(body)
        if self.cache is not None:
            self.cache.put(key, self.config.model, content)
        return content

    def complete_all(self, bodies: Sequence[dict[str, Any]]) -> list[str]:
        """:meth:`complete` for each body, at most ``max_workers`` at a time, in order."""
        if len(bodies) <= 1 or self.config.max_workers == 1:
            return [self.complete(b) for b in bodies]
        pool = ThreadPoolExecutor(max_workers=self.config.max_workers, thread_name_prefix="cruxmap-llm")
        try:
            futures = [pool.submit(self.complete, b) for b in bodies]
            return [f.result() for f in futures]
        finally:
            # on a failure, drop the requests not yet started (what was answered is cached)
            pool.shutdown(wait=True, cancel_futures=True)

    # - one request, with retries -
    def _ask(self, body: dict[str, Any]) -> str:
        cfg = self.config
        payload = json.dumps({"model": cfg.model, **body}).encode("utf-8")
        last = ""
        for attempt in range(cfg.retries + 1):
            if attempt:
                self.count(retries=1)
            try:
                return self._post(payload)
            except _Retry as e:
                last = str(e)
                if attempt == cfg.retries:
                    break
                wait = e.wait if e.wait is not None else cfg.backoff * 2 ** attempt * random.uniform(1.0, 1.25)
                time.sleep(min(wait, _LONGEST_WAIT))
        raise DecomposeError("llm", f"{cfg.endpoint}: {last} (gave up after {cfg.retries + 1} attempts)")

    def _post(self, payload: bytes) -> str:
        cfg = self.config
        headers = {"Content-Type": "application/json", "Accept": "application/json",
                   "User-Agent": "cruxmap"}
        if cfg.api_key:
            headers["Authorization"] = f"Bearer {cfg.api_key}"
        request = urllib.request.Request(cfg.endpoint, data=payload, headers=headers, method="POST")
        with self._lock:
            self._in_flight += 1
            self.stats.requests += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, self._in_flight)
        try:
            with urllib.request.urlopen(request, timeout=cfg.timeout) as r:
                raw = r.read()
        except urllib.error.HTTPError as e:
            detail = _error_detail(e)
            if e.code == 429 or e.code >= 500:
                raise _Retry(f"HTTP {e.code}{detail}", _retry_after(e.headers)) from None
            raise DecomposeError("llm", f"{cfg.endpoint} answered HTTP {e.code}{detail}") from None
        except urllib.error.URLError as e:
            if isinstance(e.reason, OSError):  # refused, reset, timed out, name not resolved
                raise _Retry(f"cannot reach the server ({_reason(e.reason)})") from None
            raise DecomposeError("llm", f"{cfg.endpoint}: {_reason(e.reason)}") from None
        except TimeoutError:  # socket.timeout is TimeoutError since Python 3.10
            raise _Retry(f"no answer within {cfg.timeout:g} s") from None
        except (ConnectionError, http.client.HTTPException) as e:
            raise _Retry(f"connection dropped ({_reason(e)})") from None
        finally:
            with self._lock:
                self._in_flight -= 1
        return self._content(raw)

    def _content(self, raw: bytes) -> str:
        try:
            reply = json.loads(raw.decode("utf-8"))
            content = reply["choices"][0]["message"]["content"]
        except (UnicodeDecodeError, ValueError, KeyError, IndexError, TypeError):
            raise DecomposeError("llm", f"{self.config.endpoint} did not answer in the OpenAI chat "
                                        f"format: {raw[:80]!r}") from None
        usage = reply.get("usage") or {}
        self.count(answers=1, prompt_tokens=int(usage.get("prompt_tokens") or 0),
                   completion_tokens=int(usage.get("completion_tokens") or 0))
        return content if isinstance(content, str) else json.dumps(content)

    def close(self) -> None:
        if self.cache is not None:
            self.cache.close()


def _reason(reason: object) -> str:
    text = str(getattr(reason, "strerror", None) or reason)
    return " ".join(text.split()) or type(reason).__name__


def _error_detail(e: urllib.error.HTTPError) -> str:
    """``: <message>`` from an error body (OpenAI's ``{"error": {"message": …}}``), or ''."""
    try:
        body = e.read()[:2000].decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):  # the body only decorates the message
        return ""
    try:
        err = json.loads(body).get("error")
        msg = err.get("message") if isinstance(err, dict) else err
    except (ValueError, AttributeError):
        msg = body
    msg = " ".join(str(msg or "").split())
    return f": {msg[:160]}" if msg else ""


def _retry_after(headers: Mapping[str, str] | None) -> float | None:
    value = (headers or {}).get("Retry-After")
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None  # an HTTP date: fall back to our own back-off


# --- the request for one reply ---------------------------------------------------------------
@dataclass(frozen=True)
class ReplyJob:
    """One reply and the parent it answers, as the model will see them."""

    reply: Post | Comment
    parent: Post | Comment
    reply_claims: tuple[Claim, ...]
    parent_claims: tuple[Claim, ...]
    max_tokens: int = 2048
    temperature: float = 0.0

    @property
    def schema(self) -> dict[str, Any]:
        return reply_schema(len(self.reply_claims), len(self.parent_claims))

    @property
    def prompt(self) -> str:
        """The claims as JSON strings: a quote copied into the JSON answer decodes to the same text."""
        def show(tag: str, claims: Sequence[Claim]) -> list[str]:
            return [f"{tag}{i}: {json.dumps(c.text, ensure_ascii=False)}" for i, c in enumerate(claims, 1)]
        return "\n".join(["Parent:", *show("P", self.parent_claims), "", "Reply:",
                          *show("R", self.reply_claims)])

    @property
    def body(self) -> dict[str, Any]:
        """The chat completions request body (without ``model``)."""
        return {
            "messages": [{"role": "system", "content": SYSTEM_PROMPT},
                         {"role": "user", "content": self.prompt}],
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "reply_stances", "strict": True,
                                                "schema": self.schema}},
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
        }


def _judgement_schema(n_parent: int) -> dict[str, Any]:
    """The schema of one reply claim's judgement (a new dict each call)."""
    return {
        "type": "object",
        "properties": {
            "quote": {"type": "string", "minLength": 1, "maxLength": MAX_QUOTE_CHARS},
            "stance": {"type": "string", "enum": list(STANCES)},
            "target": {"type": "string",
                       "enum": [f"P{i}" for i in range(1, n_parent + 1)] + [EXTERNAL_TARGET]},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        },
        "required": ["quote", "stance", "target", "confidence"],
        "additionalProperties": False,
    }


def reply_schema(n_reply: int, n_parent: int) -> dict[str, Any]:
    """The JSON schema of an answer about ``n_reply`` reply claims and ``n_parent`` parent claims.

    One required property per reply claim (``R1``, ``R2``, …), so every claim is judged once;
    targets are an enum (``P1``, … or ``external``), so a constrained model cannot name a
    claim it was not shown.

    >>> claims = reply_schema(2, 1)["properties"]["claims"]
    >>> claims["required"], claims["properties"]["R1"]["properties"]["target"]["enum"]
    (['R1', 'R2'], ['P1', 'external'])
    """
    ids = [f"R{i}" for i in range(1, n_reply + 1)]
    return {
        "type": "object",
        "properties": {
            "claims": {"type": "object", "properties": {i: _judgement_schema(n_parent) for i in ids},
                       "required": ids, "additionalProperties": False},
            "cruxes": {"type": "array", "maxItems": MAX_CRUXES,
                       "items": {"type": "string", "minLength": 1, "maxLength": MAX_QUOTE_CHARS}},
        },
        "required": ["claims", "cruxes"],
        "additionalProperties": False,
    }


def _shape(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``schema`` with each claim's judgement reduced to "an object": checked one by one instead."""
    claims = schema["properties"]["claims"]
    loose = {**claims, "properties": {k: {"type": "object"} for k in claims["properties"]}}
    return {**schema, "properties": {**schema["properties"], "claims": loose}}


_TYPES = {"object": dict, "array": list, "string": str, "boolean": bool}


def validate(value: Any, schema: Mapping[str, Any], path: str = "$") -> list[str]:
    """What in ``value`` breaks ``schema`` (the subset :func:`reply_schema` uses); [] if nothing.

    >>> validate({"a": 1}, {"type": "object", "properties": {"a": {"type": "string"}}})
    ['$.a: expected string']
    """
    t = schema.get("type")
    if t in ("number", "integer"):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or \
                (t == "integer" and not float(value).is_integer()) or not math.isfinite(value):
            return [f"{path}: expected {t}"]
    elif t in _TYPES and not isinstance(value, _TYPES[t]):
        return [f"{path}: expected {t}"]
    errors = []
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            errors.append(f"{path}: below {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            errors.append(f"{path}: above {schema['maximum']}")
    if isinstance(value, (str, list)):
        kind = "characters" if isinstance(value, str) else "items"
        lo, hi = schema.get("minLength", schema.get("minItems")), schema.get("maxLength", schema.get("maxItems"))
        if lo is not None and len(value) < lo:
            errors.append(f"{path}: fewer than {lo} {kind}")
        if hi is not None and len(value) > hi:
            errors.append(f"{path}: more than {hi} {kind}")
    if isinstance(value, list) and "items" in schema:
        for i, v in enumerate(value):
            errors += validate(v, schema["items"], f"{path}[{i}]")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        errors += [f"{path}: missing {k!r}" for k in schema.get("required", ()) if k not in value]
        if schema.get("additionalProperties") is False:
            errors += [f"{path}: unexpected {k!r}" for k in value if k not in props]
        for k, sub in props.items():
            if k in value:
                errors += validate(value[k], sub, f"{path}.{k}")
    return errors


def _nearest_with_claims(items: Mapping[str, Post | Comment], claims_of: Mapping[str, list[Claim]],
                         item: Post | Comment, depth: int = 3) -> Post | Comment | None:
    """The parent of ``item``, or its nearest ancestor with claims (a bare "Yes." has none)."""
    pid = getattr(item, "parent_id", None)
    while pid and depth > 0:
        parent = items.get(pid)
        if parent is None:
            return None
        if claims_of.get(pid):
            return parent
        pid = getattr(parent, "parent_id", None)
        depth -= 1
    return None


def _closest(parent_claims: list[Claim], reply_claims: Sequence[Claim], limit: int) -> tuple[Claim, ...]:
    """At most ``limit`` parent claims: those sharing most content words with the reply, in order."""
    if len(parent_claims) <= limit:
        return tuple(parent_claims)
    words = {w for c in reply_claims for w in content_words(c.text)}
    ranked = sorted(range(len(parent_claims)),
                    key=lambda i: (-len(words & set(content_words(parent_claims[i].text))), i))
    return tuple(parent_claims[i] for i in sorted(ranked[:limit]))


def plan(m: CruxMap, config: LLMConfig) -> list[ReplyJob]:
    """One :class:`ReplyJob` per reply whose parent (or nearest ancestor) has claims."""
    items = {it.id: it for it in m.thread.items()}
    claims_of: dict[str, list[Claim]] = {}
    for c in m.claims:
        claims_of.setdefault(c.source_id, []).append(c)
    jobs = []
    for item in m.thread.items():
        mine = claims_of.get(item.id)
        parent = _nearest_with_claims(items, claims_of, item) if mine else None
        if parent is None:
            continue
        reply_claims = tuple(mine[:config.max_reply_claims])
        jobs.append(ReplyJob(item, parent, reply_claims,
                             _closest(claims_of[parent.id], reply_claims, config.max_parent_claims),
                             config.max_tokens, config.temperature))
    return jobs


# --- estimate ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Estimate:
    """What a run would cost: requests not yet cached, tokens (about 4 characters each), price."""

    requests: int
    cached: int
    prompt_tokens: int
    completion_tokens: int
    cost: float

    def __str__(self) -> str:
        return (f"{self.requests} LLM requests ({self.cached} more answered from the cache), "
                f"about {self.prompt_tokens:,} prompt + {self.completion_tokens:,} completion tokens, "
                f"about ${self.cost:.4f}")


def _tokens(text: str) -> int:
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def estimate(threads: Iterable[Thread | CruxMap], client: LLMClient) -> Estimate:
    """The requests, tokens and cost the LLM stage would need for ``threads`` (cached ones are free).

    Prompt tokens count the messages and the schema at 4 characters a token; completion tokens
    are about :data:`TOKENS_PER_JUDGEMENT` per reply claim, at most ``max_tokens``.
    """
    cfg = client.config
    requests = cached = prompt = completion = 0
    for t in threads:
        m = t if isinstance(t, CruxMap) else CruxMap(thread=t, claims=claims_stage.split_claims(t))
        for job in plan(m, cfg):
            body = job.body
            if client.is_cached(body):
                cached += 1
                continue
            requests += 1
            prompt += sum(_tokens(msg["content"]) + 4 for msg in body["messages"])
            prompt += _tokens(json.dumps(job.schema))
            completion += min(cfg.max_tokens, 16 + TOKENS_PER_JUDGEMENT * len(job.reply_claims))
    cost = prompt / 1000 * cfg.price_in + completion / 1000 * cfg.price_out
    return Estimate(requests, cached, prompt, completion, round(cost, 6))


# --- reading an answer -------------------------------------------------------------------------
@dataclass(frozen=True)
class Judgement:
    """The model's stance for one reply claim; ``quote == reply.text[start:end]``."""

    claim_id: str
    stance: str
    target_claim_id: str  # a parent claim id or EXTERNAL_TARGET
    quote: str
    start: int
    end: int
    confidence: float


@dataclass(frozen=True)
class CruxSpan:
    """A sentence the model named as a crux, found verbatim in ``source_id``'s text."""

    source_id: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Verdict:
    """Everything accepted from one answer, and why the rest was not."""

    job: ReplyJob
    judgements: tuple[Judgement, ...] = ()
    cruxes: tuple[CruxSpan, ...] = ()
    rejected_quotes: int = 0  # quotes and cruxes not found verbatim
    rejected_judgements: int = 0  # judgements that break the schema
    problem: str = ""  # why the whole answer was rejected ('' when it was read)


_FENCE = re.compile(r"^\s*```(?:json)?\s*(.*?)\s*```\s*$", re.DOTALL)
_WRAPPING = " \t\r\n\"'“”‘’`"


def locate_quote(quote: str, text: str, within: tuple[int, int] | None = None) -> tuple[int, int] | None:
    """Where ``quote`` occurs verbatim in ``text`` as ``(start, end)``, or None.

    Only surrounding whitespace and quotation marks are trimmed; the rest must match exactly.
    An occurrence inside ``within`` (a claim's span) is preferred.

    >>> locate_quote('"No."', "No. That is wrong. No.", within=(19, 22))
    (19, 22)
    """
    q = quote.strip(_WRAPPING)
    if not any(ch.isalnum() for ch in q):
        return None
    if within is not None:
        s = text.find(q, within[0], within[1])
        if s >= 0:
            return s, s + len(q)
    s = text.find(q)
    return (s, s + len(q)) if s >= 0 else None


def _decode(content: str) -> Any:
    fenced = _FENCE.match(content)
    return json.loads(fenced.group(1) if fenced else content)


def parse_verdict(job: ReplyJob, content: str) -> Verdict:
    """Read the model's answer for ``job``: schema-checked, quotes located verbatim.

    An answer that is not JSON or not of the schema's shape is rejected whole; a judgement
    that breaks the schema (a confidence of 1.5) or quotes words not in the reply is
    rejected alone, and its claim keeps the offline stance.
    """
    try:
        answer = _decode(content)
    except ValueError:
        return Verdict(job, problem=f"not JSON: {content[:60]!r}")
    schema = job.schema
    errors = validate(answer, _shape(schema))
    if errors:
        return Verdict(job, problem="; ".join(errors[:3]))
    text = job.reply.text
    judgements, rejected, broken = [], 0, 0
    for i, claim in enumerate(job.reply_claims, 1):
        item = answer["claims"][f"R{i}"]
        if validate(item, schema["properties"]["claims"]["properties"][f"R{i}"]):
            broken += 1
            continue
        span = locate_quote(item["quote"], text, within=(claim.start, claim.end))
        if span is None:
            rejected += 1
            continue
        target = item["target"]
        judgements.append(Judgement(
            claim.id, item["stance"],
            EXTERNAL_TARGET if target == EXTERNAL_TARGET else job.parent_claims[int(target[1:]) - 1].id,
            text[span[0]:span[1]], span[0], span[1], round(float(item["confidence"]), 4)))
    cruxes = []
    for sentence in answer["cruxes"]:
        for source in (job.reply, job.parent):
            span = locate_quote(sentence, source.text)
            if span is not None:
                cruxes.append(CruxSpan(source.id, span[0], span[1], source.text[span[0]:span[1]]))
                break
        else:
            rejected += 1
    return Verdict(job, tuple(judgements), tuple(cruxes), rejected, broken)


# --- crux questions --------------------------------------------------------------------------
CRUX_PROMPT = (
    "Two sides of a forum disagreement follow (A1, A2, ... and B1, B2, ...).\n"
    "question: the one proposition the disagreement turns on, as a short yes/no or either/or "
    "question that a reader understands without the thread (name things, no 'this' or 'you'; "
    "never begin with 'Is it true that').\n"
    "quote_a, quote_b: words copied exactly from one A claim and one B claim that show each side.\n"
    "Answer with JSON only."
)
_CRUX_SCHEMA = {
    "type": "object",
    "properties": {"question": {"type": "string", "minLength": 8, "maxLength": 240},
                   "quote_a": {"type": "string", "minLength": 1, "maxLength": MAX_QUOTE_CHARS},
                   "quote_b": {"type": "string", "minLength": 1, "maxLength": MAX_QUOTE_CHARS}},
    "required": ["question", "quote_a", "quote_b"],
    "additionalProperties": False,
}


def _crux_body(sides: Mapping[str, Sequence[Claim]]) -> dict[str, Any]:
    """The request that asks for one disagreement's crux question."""
    lines = []
    for k in "ab":
        lines += [f"{k.upper()}{i}: {json.dumps(c.text, ensure_ascii=False)}" for i, c in enumerate(sides[k], 1)]
    return {"messages": [{"role": "system", "content": CRUX_PROMPT}, {"role": "user", "content": "\n".join(lines)}],
            "response_format": {"type": "json_schema",
                                "json_schema": {"name": "crux_question", "strict": True, "schema": _CRUX_SCHEMA}},
            "max_tokens": 256, "temperature": 0.0}


def _read_crux_answer(content: str, sides: Mapping[str, Sequence[Claim]]) -> tuple[str, str, str] | None:
    """``(question, quote_a, quote_b)`` when the answer holds, else None: each quote verbatim in a
    claim of its side, the question one question of at most 30 words, not "Is it true that".

    >>> c = lambda t: Claim(id=t, source_id="x", start=0, end=len(t), text=t)
    >>> sides = {"a": [c("Rents fall when supply grows.")], "b": [c("Supply barely moves rents.")]}
    >>> _read_crux_answer('{"question": "Does new supply lower rents?", "quote_a": "Rents fall", '
    ...                   '"quote_b": "barely moves rents"}', sides)
    ('Does new supply lower rents?', 'Rents fall', 'barely moves rents')
    >>> _read_crux_answer('{"question": "Does new supply lower rents?", "quote_a": "Rents rise", '
    ...                   '"quote_b": "barely moves rents"}', sides) is None
    True
    """
    try:
        answer = _decode(content)
    except ValueError:
        return None
    if validate(answer, _CRUX_SCHEMA):
        return None
    q = " ".join(answer["question"].split())
    if not q.endswith("?") or q.count("?") != 1 or len(q.split()) > 30 or q.lower().startswith("is it true that"):
        return None
    quotes = []
    for k, key in (("a", "quote_a"), ("b", "quote_b")):
        found = next(((c.text, span) for c in sides[k] if (span := locate_quote(answer[key], c.text))), None)
        if found is None:
            return None
        quotes.append(found[0][found[1][0]:found[1][1]])
    return q, quotes[0], quotes[1]


# --- the stages ----------------------------------------------------------------------------
def _short(quote: str, limit: int = 80) -> str:
    q = " ".join(quote.split())
    return q if len(q) <= limit else q[:limit - 1] + "…"


class LLMStage:
    """The LLM stages of one decomposition: :meth:`refine_stances` then :meth:`add_cruxes`.

    Examples
    --------
    >>> stage = LLMStage(LLMClient(LLMConfig("http://127.0.0.1:9", "m", use_cache=False)))
    >>> from cruxmap.graph.schema import Thread, Post
    >>> m = CruxMap(thread=Thread("x", posts=(Post(id="p", text="One claim here."),)))
    >>> stage.refine_stances(m) is m  # no replies: nothing to ask
    True
    """

    def __init__(self, client: LLMClient):
        self.client = client
        self.verdicts: list[Verdict] = []

    @property
    def model(self) -> str:
        return self.client.config.model

    def judge(self, m: CruxMap) -> list[Verdict]:
        """Ask about every reply of ``m`` (cached answers first) and read the answers."""
        jobs = plan(m, self.client.config)
        answers = self.client.complete_all([job.body for job in jobs])
        verdicts = [parse_verdict(job, content) for job, content in zip(jobs, answers)]
        self.client.count(rejected_quotes=sum(v.rejected_quotes for v in verdicts),
                          rejected_judgements=sum(v.rejected_judgements for v in verdicts),
                          rejected_answers=sum(1 for v in verdicts if v.problem))
        return verdicts

    def refine_stances(self, m: CruxMap) -> CruxMap:
        """Stage ``llm``: the model's stances replace the offline ones where they were accepted."""
        self.verdicts = self.judge(m)
        judged = {j.claim_id: j for v in self.verdicts for j in v.judgements}
        if not judged:
            return m
        stances = [s for s in m.stances if s.source_claim_id not in judged]
        for j in judged.values():
            if j.stance == "neutral":
                continue  # the model says it takes no side: no edge
            external = j.target_claim_id == EXTERNAL_TARGET
            stances.append(Stance(j.claim_id, j.target_claim_id, j.stance, j.confidence,
                                  f'llm {self.model}: "{_short(j.quote)}"',
                                  target="external" if external else "reply"))
        order = {c.id: i for i, c in enumerate(m.claims)}
        stances.sort(key=lambda s: order.get(s.source_claim_id, -1))  # source order, as stage 2 left it
        return replace(m, stances=tuple(stances), claims=self._roles(m.claims, stances, judged),
                       comment_stances=self._comment_stances(m))

    @staticmethod
    def _roles(claims: Sequence[Claim], stances: Sequence[Stance], judged: Mapping[str, Judgement]
               ) -> tuple[Claim, ...]:
        best: dict[str, Stance] = {}
        for s in stances:
            if s.source_claim_id in judged and (
                    s.source_claim_id not in best or s.confidence > best[s.source_claim_id].confidence):
                best[s.source_claim_id] = s
        out = []
        for c in claims:
            if c.id in judged and c.role in ("claim", "attack", "support"):
                s = best.get(c.id)
                c = replace(c, role=role_of(s.stance) if s else "claim")
            out.append(c)
        return tuple(out)

    def _comment_stances(self, m: CruxMap) -> tuple[tuple[str, str, float], ...]:
        overall = {}
        for v in self.verdicts:
            if v.judgements and isinstance(v.job.reply, Comment):
                sentences = [SentenceStance(j.stance, j.confidence, f"llm {self.model}")
                             for j in v.judgements]  # in claim order
                st = overall_stance(sentences)
                overall[v.job.reply.id] = (v.job.reply.id, st.stance, st.confidence)
        kept = [overall.pop(cid, (cid, s, c)) for cid, s, c in m.comment_stances]
        return tuple(kept + list(overall.values()))

    def add_cruxes(self, m: CruxMap) -> CruxMap:
        """Stage ``llm-cruxes``: sentences the model named as cruxes, within the crux budget, then
        a question phrased by the model for each disagreement the offline stage found no crux for."""
        return self.phrase_cruxes(self._named_cruxes(m))

    def phrase_cruxes(self, m: CruxMap) -> CruxMap:
        """For each disagreement with no crux (``crux_note``), the model phrases the question it
        turns on and names one verbatim quote of each side; an answer whose quotes are not
        verbatim in that side's claims, or whose question is not a yes/no or either/or
        question, is rejected and the "no crux found" note stays (the offline result)."""
        todo = [d for d in m.disagreements if d.crux_note]
        if not todo:
            return m
        by_id = {c.id: c for c in m.claims}
        names = {a.id: a.name for a in m.thread.authors}
        sides = [{k: [by_id[cid] for cid, sd in d.sides if sd == k and cid in by_id][:6] for k in "ab"}
                 for d in todo]
        bodies = [_crux_body(sd) for sd in sides]
        answers = self.client.complete_all(bodies)
        cruxes, phrased = list(m.cruxes), {}
        for d, sd, content in zip(todo, sides, answers):
            card = _read_crux_answer(content, sd)
            if card is None:
                self.client.count(rejected_answers=1)
                continue
            question, qa, qb = card
            crux = Crux(id=stable_id("crux", d.id, "llm"), text=question, score=0.4, kind="implicit",
                        disagreement_ids=(d.id,), evidence=f'llm {self.model}: phrased from "{_short(qa)}" '
                                                           f'and "{_short(qb)}"',
                        quote_a=qa, quote_b=qb,
                        authors_a=tuple(dict.fromkeys(names.get(c.author_id or "", "someone") for c in sd["a"])),
                        authors_b=tuple(dict.fromkeys(names.get(c.author_id or "", "someone") for c in sd["b"])))
            cruxes.append(crux)
            phrased[d.id] = crux
        if not phrased:
            return m
        disagreements = tuple(replace(d, crux_note="") if d.id in phrased else d for d in m.disagreements)
        return replace(m, cruxes=tuple(sorted(cruxes, key=lambda x: -x.score)), disagreements=disagreements)

    def _named_cruxes(self, m: CruxMap) -> CruxMap:
        room = budget(len(m.claims)) - len(m.cruxes)
        spans = [(x, v) for v in self.verdicts for x in v.cruxes]
        if room <= 0 or not spans:
            return m
        source_of = {c.id: c.source_id for c in m.claims}
        taken = {c.id for c in m.claims if c.role == "crux"}
        by_source: dict[str, list[Claim]] = {}
        for c in m.claims:
            by_source.setdefault(c.source_id, []).append(c)
        new: list[tuple[Crux, str]] = []
        for x, v in spans:
            claim = next((c for c in by_source.get(x.source_id, ()) if c.start <= x.start < c.end), None)
            if claim is None or claim.id in taken:
                continue
            text = phrase(claim.text)
            if defect(text):
                continue  # not a standalone proposition: as the offline crux stage would judge
            taken.add(claim.id)
            pair = {v.job.reply.id, v.job.parent.id}
            linked = tuple(d.id for d in m.disagreements
                           if any(source_of.get(cid) in pair for cid, _ in d.sides))
            new.append((Crux(id=stable_id("crux", claim.id, "explicit"), text=text,
                             score=0.6 if linked else 0.5, disagreement_ids=linked, kind="explicit",
                             evidence=f'llm {self.model}: "{_short(x.text)}"'), claim.id))
        new = sorted(new, key=lambda p: -p[0].score)[:room]
        keep = {cid for _, cid in new}
        claims = tuple(replace(c, role="crux") if c.id in keep else c for c in m.claims)
        cruxes = tuple(sorted(m.cruxes + tuple(x for x, _ in new), key=lambda x: -x.score))
        return replace(m, claims=claims, cruxes=cruxes)


# --- choosing the client for a run ---------------------------------------------------------
_ACTIVE: contextvars.ContextVar[LLMClient | None] = contextvars.ContextVar("cruxmap_llm", default=None)


@contextlib.contextmanager
def using(client: LLMClient | None) -> Iterator[None]:
    """Make ``client`` the LLM of every :func:`cruxmap.decompose.pipeline.decompose` call inside the block.

    For callers that reach the pipeline through other layers (the CLI's ingest). None: no change.
    """
    token = _ACTIVE.set(client) if client is not None else None
    try:
        yield
    finally:
        if token is not None:
            _ACTIVE.reset(token)


@functools.lru_cache(maxsize=8)
def _client_for(config: LLMConfig) -> LLMClient:
    return LLMClient(config)  # one client (one cache connection) per configuration


def resolve(llm: LLMConfig | LLMClient | bool | None) -> LLMClient | None:
    """The client a decomposition uses: given, set by :func:`using`, or none (offline).

    The environment (``CRUXMAP_LLM_URL``) is read by the CLI, never here, so evaluation,
    the app and library calls stay offline unless a caller asks for the LLM.

    >>> resolve(False) is None
    True
    """
    if llm is False:
        return None
    if isinstance(llm, LLMClient):
        return llm
    if isinstance(llm, LLMConfig):
        return _client_for(llm)
    if llm is not None:
        raise TypeError(f"llm must be an LLMConfig, an LLMClient, False or None, not {type(llm).__name__}")
    return _ACTIVE.get()
