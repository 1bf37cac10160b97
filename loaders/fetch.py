"""Fetch a LessWrong / EA Forum / Alignment Forum post with its comments over GraphQL, with retries.

This is the only module in :mod:`loaders` that touches the network (the
standard library's :mod:`urllib`). What it saves is ForumMagnum GraphQL JSON,
``{"data": {"post": {"result": ...}, "comments": {"results": [...]}}}``, which
:mod:`cruxmap.loaders.lesswrong` reads.

* The site is inferred from a URL's host (``www.lesswrong.com``,
  ``forum.effectivealtruism.org``, ``www.alignmentforum.org``); a bare post id
  uses ``site``. Post ids are read from ``/posts/<id>/<slug>`` and ``/s/<seq>/p/<id>`` URLs.
* ``endpoint`` (or the ``CRUXMAP_GRAPHQL_ENDPOINT`` environment variable)
  overrides the site's GraphQL URL, e.g. to point tests at a local server.
* Network errors, timeouts, HTTP 429 (its ``Retry-After`` is honoured), HTTP 5xx
  and malformed answers are retried with exponential back-off; after the last
  attempt a :class:`~cruxmap.graph.errors.FetchError` says in one line what went wrong.
  GraphQL errors, a missing post and other HTTP 4xx answers are not retried.
* Comments are fetched in pages of ``page_size`` (oldest first) until a short page,
  or until the API's largest offset (2000): a post with more comments than
  ``2000 + page_size`` is fetched in part, and the file says so (the post's
  ``commentCount`` against what came back). A thread of more than 3,000 comments
  gets a warning too. A question post's answers and their replies come from the
  ``answersAndReplies`` view (the comments view leaves answers out).
* An Alignment Forum URL fetches the post's whole thread from LessWrong, which holds
  the same post with every comment (the AF endpoint returns AF comments only); with
  ``af_only=True`` it asks the AF endpoint and the file says that it holds AF comments only.
* What the fetch noticed is saved beside the data as ``{"cruxmap": {"notes": [...]}}``
  (the loader reads past it), and :func:`notes` returns it.

Examples
--------
>>> post_target("https://forum.effectivealtruism.org/posts/abcDEF1234567890x/some-slug")
('eaforum', 'abcDEF1234567890x')
>>> post_target("abcDEF1234567890x", site="alignmentforum")
('alignmentforum', 'abcDEF1234567890x')
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import socket
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from cruxmap.graph.errors import FetchError

__all__ = ["fetch", "save_fetch", "post_target", "endpoint_for", "notes", "SITES",
           "ENDPOINT_ENV", "QUERY"]

#: Site name -> GraphQL endpoint.
SITES = {
    "lesswrong": "https://www.lesswrong.com/graphql",
    "eaforum": "https://forum.effectivealtruism.org/graphql",
    "alignmentforum": "https://www.alignmentforum.org/graphql",
}
_HOSTS = {
    "lesswrong.com": "lesswrong",
    "greaterwrong.com": "lesswrong",
    "forum.effectivealtruism.org": "eaforum",
    "ea.greaterwrong.com": "eaforum",
    "alignmentforum.org": "alignmentforum",
}
ENDPOINT_ENV = "CRUXMAP_GRAPHQL_ENDPOINT"
USER_AGENT = "cruxmap/0.1 (+https://github.com/cruxmap; discussion crux mapping)"
MAX_RETRY_AFTER = 120.0  # seconds: never sleep longer than this on a server's say-so
MAX_BACKOFF = 30.0
MAX_OFFSET = 2000  # ForumMagnum refuses larger offsets (maxAllowedApiSkip)

_POST_FIELDS = """_id title slug pageUrl postedAt baseScore voteCount url shortform question af
      commentCount userId user { _id displayName username } coauthors { _id displayName username }
      contents { markdown html }"""
_COMMENT_FIELDS = """_id postId parentCommentId topLevelCommentId parentAnswerId answer af postedAt
      baseScore voteCount extendedScore afExtendedScore retracted deleted deletedPublic pageUrl
      author userId user { _id displayName username } contents { markdown html }"""

#: The post and the first page of its comments (legacy ``input`` form: LessWrong and the EA Forum both take it).
QUERY = f"""query CruxmapPost($postId: String, $limit: Int, $offset: Int) {{
  post(input: {{selector: {{_id: $postId}}}}) {{
    result {{ {_POST_FIELDS} }}
  }}
  comments(input: {{terms: {{view: "postCommentsOld", postId: $postId, limit: $limit, offset: $offset}}}}) {{
    results {{ {_COMMENT_FIELDS} }}
  }}
}}"""
#: Later pages of comments; ``$view`` is ``postCommentsOld`` (comments, which excludes answers)
#: or ``answersAndReplies`` (a question's answers and the replies to them).
COMMENTS_QUERY = f"""query CruxmapComments($postId: String, $view: String, $limit: Int, $offset: Int) {{
  comments(input: {{terms: {{view: $view, postId: $postId, limit: $limit, offset: $offset}}}}) {{
    results {{ {_COMMENT_FIELDS} }}
  }}
}}"""
#: The GraphQL views fetched for a post's comments, and for a question's answers.
COMMENTS_VIEW, ANSWERS_VIEW = "postCommentsOld", "answersAndReplies"
#: Threads above this many comments get a warning: they take long, and the API pages them.
BIG_THREAD = 3000

_POST_PATH = re.compile(r"/(?:posts|p)/([A-Za-z0-9]{8,24})(?:/|$)")
_POST_ID = re.compile(r"\A[A-Za-z0-9]{8,24}\Z")


class _Retry(Exception):
    """A failure worth another attempt; ``wait`` is the server's Retry-After, if any."""

    def __init__(self, reason: str, wait: float | None = None):
        super().__init__(reason)
        self.reason, self.wait = reason, wait


def post_target(url_or_id: str, site: str | None = None,
                any_host: bool = False) -> tuple[str, str]:
    """The ``(site, post id)`` a URL or bare id refers to.

    A URL's host decides the site; a bare id uses ``site`` (``lesswrong`` when None).
    A URL on a host that is not one of the forums is refused unless ``any_host``
    (set when an endpoint override says where to ask); it then counts as ``site``.

    Raises
    ------
    FetchError
        An unknown site or host, or no post id in the URL.
    """
    site = site or "lesswrong"
    if site not in SITES:
        raise FetchError(f"unknown site {site!r} (known: {', '.join(SITES)})")
    value = url_or_id.strip()
    if "://" in value or value.startswith("www."):
        parts = urlsplit(value if "://" in value else "https://" + value)
        host = (parts.hostname or "").lower()
        matches = [suffix for suffix in _HOSTS if host == suffix or host.endswith("." + suffix)]
        found = _HOSTS[max(matches, key=len)] if matches else None  # the most specific host wins
        match = _POST_PATH.search(parts.path)
        if not match:
            raise FetchError(f"no post id in {value!r} (expected .../posts/<id>/<slug>)")
        if found is None and not any_host:
            raise FetchError(f"{host or value!r} is not a known forum "
                             f"(known: {', '.join(SITES.values())})")
        return found or site, match.group(1)
    if not _POST_ID.match(value):
        raise FetchError(f"{value!r} is neither a post URL nor a post id")
    return site, value


def fetch(url_or_id: str, site: str | None = "lesswrong", endpoint: str | None = None,
          retries: int = 4, timeout: float = 30, *, page_size: int = 1000,
          backoff: float = 1.0, max_pages: int = 10, af_only: bool = False) -> dict:
    """Fetch a post and all its comments as ForumMagnum GraphQL JSON.

    Parameters
    ----------
    url_or_id : str
        A post URL (the site is taken from its host) or a bare post id.
    site : str, optional
        ``lesswrong``, ``eaforum`` or ``alignmentforum``: used for bare ids
        (None means ``lesswrong``); a URL's host takes precedence.
    endpoint : str, optional
        The GraphQL URL to POST to; defaults to ``$CRUXMAP_GRAPHQL_ENDPOINT``,
        then the site's own endpoint.
    retries : int
        Extra attempts per request after a retryable failure.
    timeout : float
        Seconds to wait for each answer.
    page_size : int
        Comments per request.
    backoff : float
        The first back-off delay in seconds; it doubles on every retry (capped at 30 s).
    max_pages : int
        Stop after this many pages of comments.
    af_only : bool
        For an Alignment Forum post: ask the AF endpoint, which returns AF comments only,
        instead of fetching the whole thread from LessWrong.

    Returns
    -------
    dict
        ``{"data": {"post": {"result": {...}}, "comments": {"results": [...]}},
        "cruxmap": {"notes": [...]}}``.

    Raises
    ------
    FetchError
        The post could not be fetched; the message is one line.

    See Also
    --------
    save_fetch : fetch and write the JSON to a file atomically.
    cruxmap.loaders.lesswrong.parse : reads what this returns.
    """
    override = endpoint or os.environ.get(ENDPOINT_ENV)
    site, post_id = post_target(url_or_id, site, any_host=bool(override))
    url = override or endpoint_for(site, af_only)
    notes: list[str] = []
    if site == "alignmentforum":
        notes.append("Alignment Forum comments only (the AF endpoint hides the rest of the "
                     "LessWrong thread)" if af_only else
                     "the whole LessWrong thread of an Alignment Forum post (AF and LW comments)")
    request = _Requester(url, retries, timeout, backoff, what=f"post {post_id}")
    data = request(QUERY, {"postId": post_id, "limit": page_size, "offset": 0})
    post = data.get("post")
    if not isinstance(post, dict) or not isinstance(post.get("result"), dict):
        raise FetchError(f"post {post_id} was not found on {site} ({url})")
    first = _results(data, request.fail)
    comments = _pages(request, post_id, COMMENTS_VIEW, first, page_size, max_pages)
    if post["result"].get("question"):
        answers = _pages(request, post_id, ANSWERS_VIEW, None, page_size, max_pages)
        seen = {c.get("_id") for c in comments if isinstance(c, dict)}
        comments = comments + [a for a in answers if isinstance(a, dict) and a.get("_id") not in seen]
    notes += _count_notes(post["result"].get("commentCount"), len(comments))
    notes += [f"the server reported an error beside its data: {m}" for m in request.partial]
    return {"data": {"post": {"result": post["result"]}, "comments": {"results": comments}},
            "cruxmap": {"notes": notes}}


def endpoint_for(site: str, af_only: bool = False) -> str:
    """The GraphQL endpoint to ask for a site's post: LessWrong's for an AF post (the whole
    thread) unless ``af_only``.

    >>> endpoint_for("alignmentforum"), endpoint_for("alignmentforum", af_only=True)
    ('https://www.lesswrong.com/graphql', 'https://www.alignmentforum.org/graphql')
    """
    return SITES["lesswrong"] if site == "alignmentforum" and not af_only else SITES[site]


def notes(doc: Any) -> list[str]:
    """What a fetch noticed about a saved document (a thread cut at the paging limit, AF only)."""
    extra = doc.get("cruxmap") if isinstance(doc, dict) else None
    found = extra.get("notes") if isinstance(extra, dict) else None
    return [str(n) for n in found] if isinstance(found, list) else []


def _pages(request: "_Requester", post_id: str, view: str, first: list | None,
           page_size: int, max_pages: int) -> list:
    """Every page of one comments view (``first`` is page one when it came with the post)."""
    page = first if first is not None else _results(request(COMMENTS_QUERY, {
        "postId": post_id, "view": view, "limit": page_size, "offset": 0}), request.fail)
    found = list(page)
    for pages in range(1, max_pages):
        if len(page) < page_size or pages * page_size > MAX_OFFSET:
            break  # a short page is the last one; the API refuses offsets past MAX_OFFSET
        more = request(COMMENTS_QUERY, {"postId": post_id, "view": view, "limit": page_size,
                                        "offset": pages * page_size})
        page = _results(more, request.fail)
        found += page
    return found


def _count_notes(count: Any, got: int) -> list[str]:
    """Warnings from the post's commentCount against what came back."""
    out = []
    if isinstance(count, int) and count > BIG_THREAD:
        out.append(f"a big thread: {count} comments (the API pages them; fetching takes long)")
    if isinstance(count, int) and got < count:
        out.append(f"holds {got} of the post's {count} comments: the rest are past the API's "
                   f"paging limit ({MAX_OFFSET} + one page) or hidden by it")
    return out


def save_fetch(url_or_id: str, out_path: str | Path | None = None, **kwargs: Any) -> Path:
    """Fetch a post with its comments and write the JSON to ``out_path`` atomically.

    ``out_path`` defaults to ``<post id>.json`` in the working directory.

    The JSON goes to a temporary file in the same directory, which then replaces
    ``out_path`` (:func:`os.replace`), so a crash or a failed fetch never leaves
    a half-written file. Keyword arguments are passed to :func:`fetch`.

    Returns
    -------
    Path
        ``out_path``.

    Raises
    ------
    FetchError
        The fetch failed, or the file could not be written.
    """
    if out_path is None:
        override = kwargs.get("endpoint") or os.environ.get(ENDPOINT_ENV)
        out_path = post_target(url_or_id, kwargs.get("site"), any_host=bool(override))[1] + ".json"
    out = Path(out_path)
    doc = fetch(url_or_id, **kwargs)
    tmp_name = None
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=out.parent or ".",
                                         prefix=f".{out.name}.", suffix=".tmp",
                                         delete=False) as fh:
            tmp_name = fh.name
            json.dump(doc, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp_name, out)
    except OSError as e:
        if tmp_name and os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise FetchError(f"cannot write {out}: {e.strerror or e}") from None
    return out


# --- one request, with retries ----------------------------------------------------------
class _Requester:
    """POSTs GraphQL queries to one endpoint, retrying what is worth retrying."""

    def __init__(self, url: str, retries: int, timeout: float, backoff: float, what: str):
        self.url, self.retries, self.timeout = url, max(0, retries), timeout
        self.backoff, self.what = backoff, what
        self.partial: list[str] = []  # errors the server reported beside the data it returned

    def fail(self, reason: str) -> FetchError:
        return FetchError(f"could not fetch {self.what} from {self.url}: {_one_line(reason)}")

    def __call__(self, query: str, variables: dict) -> dict:
        body = json.dumps({"query": query, "variables": variables}).encode("utf-8")
        attempts = self.retries + 1
        for attempt in range(attempts):
            try:
                return self._once(body)
            except _Retry as e:
                if attempt == attempts - 1:
                    raise self.fail(f"{e.reason} (gave up after {attempts} attempts)") from None
                delay = min(self.backoff * 2 ** attempt, MAX_BACKOFF)
                if e.wait is not None:
                    delay = min(max(e.wait, 0.0), MAX_RETRY_AFTER)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _once(self, body: bytes) -> dict:
        req = urllib.request.Request(self.url, data=body, method="POST", headers={
            "Content-Type": "application/json", "Accept": "application/json",
            "User-Agent": USER_AGENT})
        try:
            with _OPENER.open(req, timeout=self.timeout) as resp:
                raw = _read_capped(resp, self.fail)
        except _Refused as e:
            raise self.fail(str(e)) from None
        except urllib.error.HTTPError as e:
            raise self._http_error(e) from None
        except urllib.error.URLError as e:
            raise _Retry(f"network error: {_reason(e.reason)}") from None
        except (TimeoutError, socket.timeout):
            raise _Retry(f"no answer within {self.timeout:g} s") from None
        except (ConnectionError, OSError) as e:
            raise _Retry(f"network error: {_reason(e)}") from None
        return self._answer(raw)

    def _http_error(self, e: urllib.error.HTTPError) -> Exception:
        detail = _graphql_message(_read(e))
        status = f"HTTP {e.code} {e.reason}".rstrip() + (f": {detail}" if detail else "")
        if e.code == 429:
            return _Retry(f"rate limited ({status})", _retry_after(e.headers.get("Retry-After")))
        if e.code >= 500:
            return _Retry(status, _retry_after(e.headers.get("Retry-After")))
        return self.fail(status)

    def _answer(self, raw: bytes) -> dict:
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            start = _one_line(raw[:40].decode("utf-8", "replace"))
            raise _Retry(f"malformed answer: not JSON (starts with {start!r})") from None
        if not isinstance(doc, dict):
            raise _Retry("malformed answer: not a JSON object")
        data = doc.get("data")
        if doc.get("errors"):  # beside the data ("extensions" too) the answer may say more
            if not (isinstance(data, dict) and any(v is not None for v in data.values())):
                raise self.fail(f"the server answered with an error: {_graphql_message(doc)}")
            self.partial.append(_graphql_message(doc))
        if not isinstance(data, dict):
            raise _Retry("malformed answer: no \"data\" object")
        return data


# --- the HTTP layer: same-host redirects only, answers read in capped chunks --------------------
#: The largest answer read, in bytes ($CRUXMAP_FETCH_MAX_BYTES); a post with every comment is far less.
MAX_BYTES = int(os.environ.get("CRUXMAP_FETCH_MAX_BYTES", str(64 * 1024 * 1024)))
_CHUNK = 64 * 1024


class _Refused(Exception):
    """An answer cruxmap will not read (a redirect to another host)."""


class _SameHostRedirects(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to the same scheme, host and port, and only keeping the POST (307/308).

    The API endpoint is where the query and its answer belong; a redirect elsewhere (another
    host, or http from https) would send the request, and trust the answer, somewhere the user
    never named.
    """

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        old, new = urlsplit(req.full_url), urlsplit(urllib.parse.urljoin(req.full_url, newurl))
        if (old.scheme, old.hostname, old.port) != (new.scheme, new.hostname, new.port):
            raise _Refused(f"the API redirected to another host ({new.scheme}://{new.hostname}); "
                           "not followed")
        if code not in (307, 308):
            raise _Refused(f"the API answered HTTP {code} (a redirect that would drop the query); "
                           "not followed")
        return urllib.request.Request(new.geturl(), data=req.data, headers=dict(req.header_items()),
                                      method=req.get_method())


_OPENER = urllib.request.build_opener(_SameHostRedirects)


def _read_capped(resp, fail: Callable[[str], FetchError], limit: int | None = None) -> bytes:
    """The answer's body, read in chunks, refused as soon as it passes ``limit`` bytes."""
    limit = MAX_BYTES if limit is None else limit
    too_big = f"the answer is larger than {limit / 1e6:g} MB; refused (CRUXMAP_FETCH_MAX_BYTES raises the cap)"
    declared = resp.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise fail(too_big)
    out = bytearray()
    while chunk := resp.read(_CHUNK):
        out += chunk
        if len(out) > limit:
            raise fail(too_big)
    return bytes(out)


def _results(data: dict, fail: Callable[[str], FetchError]) -> list:
    comments = data.get("comments")
    results = comments.get("results") if isinstance(comments, dict) else None
    if not isinstance(results, list):
        raise fail("malformed answer: no comments.results list")
    return results


def _read(e: urllib.error.HTTPError) -> bytes:
    try:
        return e.read()
    except OSError:
        return b""


def _graphql_message(doc: Any) -> str:
    """The first GraphQL error message in a parsed or raw answer, or ''."""
    if isinstance(doc, bytes):
        try:
            doc = json.loads(doc.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return ""
    errors = doc.get("errors") if isinstance(doc, dict) else None
    if isinstance(errors, list) and errors:
        first = errors[0]
        return _one_line(str(first.get("message") if isinstance(first, dict) else first))
    return ""


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _reason(reason: Any) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "connection refused"
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return "timed out"
    if isinstance(reason, socket.gaierror):
        return "host not found"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror.lower()
    return str(reason)


def _one_line(text: str) -> str:
    return " ".join(text.split())
