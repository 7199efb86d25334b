"""The HTTP front of `lutonkg serve`: the public port, in front of `oxigraph serve-read-only` on a private one.

Every request is inspected before Oxigraph sees it, and every answer is checked before the client sees it:

- SPARQL 1.1 Protocol at /query (and /sparql): GET with `query=`, POST form-encoded or `application/sparql-query`,
  `default-graph-uri` / `named-graph-uri`; Accept is passed on, so Oxigraph negotiates JSON, XML, CSV, TSV, Turtle...
- refused with a one-line text/plain error and a 4xx status: updates (403, also anything at /update), SERVICE (403),
  FROM / FROM NAMED / graph parameters naming anything but the loaded named graphs (403), a query over the size limit
  (413) or nested or chained past the complexity limits (400), a malformed request (400, 411, 415);
- the answer is read whole (in memory, spilling to a file beyond SPOOL bytes) before the status is sent, so a client
  gets 200 with a complete body or an error status, never a 200 whose body stops in the middle: 504 when the time
  limit passes first, 503 when the query engine died or was restarted under the request, 500 when Oxigraph cut a
  streamed answer off (it appends its error text to a 200 stream) or the answer is larger than MAX_ANSWER;
- everything else (the query page at /, its assets, /store reads) is passed through under the same time limit.

The front keeps a few keep-alive connections to Oxigraph and lets at most SLOTS requests run there at once. When a
request passes its time limit the front asks the supervisor (lutonkg.query.server, main thread) to restart Oxigraph,
the only way to stop a query that is sorting or aggregating; requests of other clients cut off by that restart are
sent again once. Routes are looked up in ROUTES; the review site (`serve --site`) is served under /site/.
"""

from __future__ import annotations

import http.client
import io
import mimetypes
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import IO
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from lutonkg.query.guard import LIMITS, Limits, QueryRefused, check

MAX_BODY = 1 << 20  # bytes of request body accepted (a form-encoded query at the size limit fits)
MAX_ANSWER = 1 << 30  # bytes of answer passed on
SPOOL = 8 << 20  # answers larger than this are buffered in a temporary file
SLOTS = 4  # requests evaluated by Oxigraph at once; others wait (within their time limit)
CACHED_CHARS = 16_384  # verdicts on query texts up to this length are remembered (the same text, the same verdict)
RESTART_RETRY = 1  # times a request cut off by a restart for someone else's query is sent again
REFUSAL_STATUS = {"size": 413, "complexity": 400, "syntax": 400, "update": 403, "service": 403, "dataset": 403}
_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "server", "date", "te", "trailer"}
_WHOLE_ENDINGS = {"json": b"}]", "xml": b">", "csv": b"\n", "tab-separated": b"\n", "turtle": b"\n", "triples": b"\n"}
_WHOLE_ENDINGS |= {"quads": b"\n", "trig": b"\n", "n3": b"\n"}


class Refusal(Exception):
    """A request answered with an error status and a one-line message (nothing was forwarded or answered)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class _Gone(Exception):
    """The connection to Oxigraph broke before a whole answer arrived."""


class _Connection(http.client.HTTPConnection):
    """A connection to Oxigraph that sends each request at once (no Nagle delay on small writes)."""

    def connect(self) -> None:
        """Connect, then turn Nagle's algorithm off."""
        super().connect()
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass
class Upstream:
    """Oxigraph as the front sees it: where it listens, whether it is up, and why each of its lives ended.

    `generation` counts Oxigraph's starts; the supervisor calls down() and up() around a restart, and a request that
    lost its connection asks ended(generation) whether that was a restart, and for what reason.
    """

    host: str
    port: int
    generation: int = 0
    ready: bool = False
    causes: dict[int, str] = field(default_factory=dict)
    restart: tuple[int, str] | None = None  # (generation, reason) a request asks to be restarted
    changed: threading.Condition = field(default_factory=threading.Condition)
    slots: threading.BoundedSemaphore = field(default_factory=lambda: threading.BoundedSemaphore(SLOTS))
    pool: list[tuple[int, http.client.HTTPConnection]] = field(default_factory=list)
    wake: threading.Event = field(default_factory=threading.Event)

    def up(self, port: int) -> None:
        """Oxigraph answers (again), on this port."""
        with self.changed:
            self.port, self.ready = port, True
            self.changed.notify_all()

    def down(self, cause: str) -> None:
        """Oxigraph is going away (cause: timeout, memory, crashed, stopped); pooled connections are dropped."""
        with self.changed:
            self.causes[self.generation] = cause
            self.generation += 1
            self.ready = False
            stale, self.pool = self.pool, []
            self.changed.notify_all()
        for _, conn in stale:
            conn.close()

    def ask_restart(self, generation: int, reason: str) -> None:
        """Ask the supervisor to restart Oxigraph (if this generation is still running)."""
        with self.changed:
            if generation == self.generation and self.restart is None:
                self.restart = (generation, reason)
        self.wake.set()

    def take_restart(self) -> str | None:
        """The reason of a pending restart request for the running generation, clearing it (supervisor side)."""
        with self.changed:
            wanted, self.restart = self.restart, None
        self.wake.clear()
        return wanted[1] if wanted and wanted[0] == self.generation else None

    def wait_ready(self, deadline: float) -> int:
        """The running generation, once Oxigraph answers; a 504 if it is not back before the deadline."""
        with self.changed:
            while not self.ready:
                left = deadline - time.monotonic()
                if left <= 0 or not self.changed.wait(left):
                    raise Refusal(504, "the query engine is restarting and was not back within the time limit")
            return self.generation

    def ended(self, generation: int, wait: float = 2.0) -> str | None:
        """Why that generation ended (waiting briefly for the supervisor to notice), or None if it still runs."""
        limit = time.monotonic() + wait
        with self.changed:
            while self.generation == generation and time.monotonic() < limit:
                self.changed.wait(0.05)
            return self.causes.get(generation)

    def connection(self, generation: int, timeout: float) -> tuple[http.client.HTTPConnection, bool]:
        """A pooled keep-alive connection of this generation (reused: True) or a new one."""
        with self.changed:
            while self.pool:
                gen, conn = self.pool.pop()
                if gen == generation:
                    return conn, True
                conn.close()
        return _Connection(self.host, self.port, timeout=timeout), False

    def keep(self, generation: int, conn: http.client.HTTPConnection) -> None:
        """Return a connection to the pool."""
        with self.changed:
            if generation == self.generation and len(self.pool) < SLOTS * 2:
                self.pool.append((generation, conn))
                return
        conn.close()


@dataclass
class Answer:
    """What goes back to the client: status, headers and the body (a file at position 0) with its length."""

    status: int
    headers: list[tuple[str, str]]
    body: IO[bytes]
    length: int


def _whole(content_type: str, body: IO[bytes], length: int) -> bool:
    """Whether a streamed answer ends as its format must (Oxigraph appends its error text to a cut-off stream)."""
    if length == 0:
        return True
    kind = next((k for k in _WHOLE_ENDINGS if k in content_type), None)
    if kind is None:
        return True
    body.seek(max(0, length - 64))
    tail = body.read().rstrip(b" \t\r" if kind in ("json", "xml") else b" \t")
    body.seek(0)
    return bool(tail) and tail[-1:] in [bytes([c]) for c in _WHOLE_ENDINGS[kind]]


class _Exchange:
    """One request to Oxigraph and its whole answer, within a deadline."""

    def __init__(self, upstream: Upstream, deadline: float) -> None:
        self.upstream = upstream
        self.deadline = deadline
        self.sent = False

    def left(self) -> float:
        """Seconds left before the deadline; TimeoutError when none."""
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError
        return left

    def run(self, method: str, target: str, body: bytes | None, headers: dict[str, str]) -> Answer:
        """Send, wait and read; once more if Oxigraph was restarted under it to stop another client's query."""
        restarts = 0
        while True:
            generation = self.upstream.wait_ready(self.deadline)
            try:
                return self._attempt(generation, method, target, body, headers)
            except TimeoutError:
                if self.sent:  # Oxigraph is still at it: restarting it is the only way to stop a sort or aggregate
                    self.upstream.ask_restart(generation, "timeout")
                raise Refusal(504, "query stopped: the time limit passed before the answer was complete") from None
            except _Gone:
                cause = self.upstream.ended(generation)
                if cause == "timeout" and restarts < RESTART_RETRY:
                    restarts += 1
                    continue
                raise Refusal(*_gone_message(cause)) from None

    def _attempt(
        self, generation: int, method: str, target: str, body: bytes | None, headers: dict[str, str]
    ) -> Answer:
        """One try, on a pooled connection first and on a fresh one if Oxigraph had closed the pooled one."""
        conn, reused = self.upstream.connection(generation, self.left())
        while True:
            try:
                conn.timeout = self.left()
                if conn.sock is not None:
                    conn.sock.settimeout(conn.timeout)
                conn.request(method, target, body=body, headers=headers)
                self.sent = True
                response = conn.getresponse()
            except TimeoutError:
                conn.close()
                raise
            except (OSError, http.client.HTTPException):
                conn.close()
                if not reused:
                    raise _Gone from None
                conn, reused = _Connection(self.upstream.host, self.upstream.port), False
                continue
            return self._read(generation, conn, response)

    def _read(self, generation: int, conn: http.client.HTTPConnection, response: http.client.HTTPResponse) -> Answer:
        """Read the whole answer into a spool file, within the deadline and MAX_ANSWER."""
        spool: IO[bytes] = tempfile.SpooledTemporaryFile(max_size=SPOOL)  # noqa: SIM115 (handed to the caller)
        length = 0
        streamed = response.chunked and response.status == 200  # only streams can end early and still look fine
        try:
            while True:
                if conn.sock is not None:
                    conn.sock.settimeout(self.left())
                chunk = response.read1(1 << 16)
                if not chunk:
                    break
                length += len(chunk)
                if length > MAX_ANSWER:
                    raise Refusal(
                        500, f"the answer is larger than {MAX_ANSWER >> 20} MiB (the limit); narrow the query"
                    )
                spool.write(chunk)
            response.close()  # read to the end: the connection can carry the next request
            spool.seek(0)
            if streamed and not _whole(response.getheader("Content-Type", ""), spool, length):
                raise Refusal(500, "the query engine cut the answer off while sending it; nothing was answered")
        except BaseException as exc:
            spool.close()
            conn.close()
            if isinstance(exc, http.client.HTTPException) or (
                isinstance(exc, OSError) and not isinstance(exc, TimeoutError)
            ):
                raise _Gone from None
            raise
        if response.will_close:
            conn.close()
        else:
            self.upstream.keep(generation, conn)
        headers = [(k, v) for k, v in response.getheaders() if k.lower() not in _HOP]
        return Answer(response.status, headers, spool, length)


def _gone_message(cause: str | None) -> tuple[int, str]:
    """Status and message for a request whose Oxigraph went away."""
    if cause == "memory":
        return 503, "the query engine was restarted: a query needed more memory than the server's limit; try again"
    if cause == "timeout":
        return 503, "the query engine was restarted to stop a runaway query; try again"
    if cause == "crashed":
        return 503, "the query engine crashed and was restarted; nothing was answered"
    if cause == "stopped":
        return 503, "the server is shutting down"
    return 502, "the query engine closed the connection without a whole answer"


@dataclass
class Front:
    """What the request handlers share: the upstream, the time limit, the loaded graphs and the query limits."""

    upstream: Upstream
    timeout: float
    graphs: frozenset[str]
    limits: Limits = LIMITS
    site: Path | None = None  # a folder written by `lutonkg site`, served read-only under SITE_PREFIX

    def __post_init__(self) -> None:
        self._cached = lru_cache(maxsize=512)(self._inspect)

    def inspect(self, text: str) -> tuple[int, str] | None:
        """The refusal (status, message) of a query text, or None to forward it (short texts are cached)."""
        return self._cached(text) if len(text) <= CACHED_CHARS else self._inspect(text)

    def _inspect(self, text: str) -> tuple[int, str] | None:
        """The refusal (status, message) of a query text, or None."""
        try:
            check(text, self.graphs, self.limits)
        except QueryRefused as exc:
            return REFUSAL_STATUS.get(exc.reason, 400), str(exc)
        return None


class Handler(BaseHTTPRequestHandler):
    """One client connection: HTTP/1.1 keep-alive, requests dispatched on their path (see ROUTES)."""

    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a client may take to send its request
    server: FrontServer

    def setup(self) -> None:
        """Set up the connection's files, with Nagle's algorithm off (answers leave at once)."""
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (the base class's name)
        """Requests are not logged (the endpoint is local; errors go back to the client)."""

    def do_GET(self) -> None:
        """GET: a query, the query page, or a read of the store."""
        self.dispatch("GET")

    def do_HEAD(self) -> None:
        """HEAD: as GET, without the body."""
        self.dispatch("HEAD")

    def do_POST(self) -> None:
        """POST: a query (form-encoded or application/sparql-query)."""
        self.dispatch("POST")

    def do_PUT(self) -> None:
        """PUT: always refused (read-only)."""
        self.dispatch("PUT")

    def do_DELETE(self) -> None:
        """DELETE: always refused (read-only)."""
        self.dispatch("DELETE")

    def dispatch(self, method: str) -> None:
        """Route the request and send its answer or its error."""
        self.body_read = False
        path = urlsplit(self.path).path
        route = next((handler for prefix, handler in ROUTES if _matches(path, prefix)), _passthrough)
        try:
            answer = route(self, method)
        except Refusal as exc:
            self.refuse(exc.status, str(exc))
            return
        self.send(answer, method)

    def refuse(self, status: int, message: str) -> None:
        """A one-line text/plain error; the connection is closed if the request body was not read."""
        body = (" ".join(message.split()) + "\n").encode("utf-8")
        unread = self.headers.get("Content-Length") not in (None, "0") and not self.body_read
        self.close_connection = self.close_connection or unread
        try:
            self.send_response(status)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            if status == 503:
                self.send_header("Retry-After", "1")
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            self.close_connection = True  # the client left

    def send(self, answer: Answer, method: str) -> None:
        """Send a whole answer with its length."""
        try:
            self.send_response(answer.status)
            for name, value in answer.headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(answer.length))
            self.end_headers()
            if method != "HEAD":
                while chunk := answer.body.read(1 << 16):
                    self.wfile.write(chunk)
        except OSError:
            self.close_connection = True  # the client left
        finally:
            answer.body.close()

    def body(self) -> bytes:
        """The request body (Content-Length required, at most MAX_BODY bytes)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raise Refusal(411, "send the request body with a Content-Length")
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            raise Refusal(411, "a POST needs a Content-Length") from None
        if length < 0:
            raise Refusal(400, "invalid Content-Length")
        if length > MAX_BODY:
            raise Refusal(413, f"the request body is {length:,} bytes; the limit is {MAX_BODY:,}")
        data = self.rfile.read(length)
        self.body_read = True
        if len(data) != length:
            raise Refusal(400, "the request body ended early")
        return data


def _matches(path: str, prefix: str) -> bool:
    """True when the path is the prefix or below it."""
    return path == prefix or path.startswith(prefix.rstrip("/") + "/")


def _text(data: bytes) -> str:
    """Request text as UTF-8 (a 400 otherwise)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise Refusal(400, "the request is not UTF-8 text") from None


def _params(text: str) -> dict[str, list[str]]:
    """Form or query-string parameters."""
    try:
        return parse_qs(text, keep_blank_values=True, strict_parsing=False, errors="strict", max_num_fields=100)
    except (ValueError, UnicodeDecodeError):
        raise Refusal(400, "malformed parameters (form encoding)") from None


def _sparql_request(handler: Handler, method: str) -> tuple[str, dict[str, list[str]]]:
    """The query text and the protocol parameters of a SPARQL request, or the Refusal for it."""
    split = urlsplit(handler.path)
    params = _params(split.query)
    if method in ("GET", "HEAD"):
        pass
    elif method == "POST":
        content_type = handler.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type == "application/x-www-form-urlencoded":
            for name, values in _params(_text(handler.body())).items():
                params.setdefault(name, []).extend(values)
        elif content_type == "application/sparql-query":
            params.setdefault("query", []).append(_text(handler.body()))
        elif content_type == "application/sparql-update":
            raise Refusal(403, "SPARQL updates are not accepted: the graph is read-only")
        else:
            raise Refusal(415, "send the query as application/sparql-query or application/x-www-form-urlencoded")
    else:
        raise Refusal(405, f"{method} is not accepted at the query endpoint (use GET or POST)")
    if "update" in params:
        raise Refusal(403, "SPARQL updates are not accepted: the graph is read-only")
    queries = params.get("query", [])
    if len(queries) != 1:
        raise Refusal(400, "give exactly one query (the `query` parameter)")
    return queries[0], params


def _sparql(handler: Handler, method: str) -> Answer:
    """The SPARQL 1.1 query endpoint: inspect, forward as application/sparql-query, and check the answer."""
    front = handler.server.front
    deadline = time.monotonic() + front.timeout
    text, params = _sparql_request(handler, method)
    if len(text) > front.limits.chars:  # before any scanning
        raise Refusal(413, f"the query is {len(text):,} characters long; the limit is {front.limits.chars:,}")
    graphs = [(name, iri) for name in ("default-graph-uri", "named-graph-uri") for iri in params.get(name, [])]
    for name, iri in graphs:
        if iri not in front.graphs:
            raise Refusal(403, f"{name} <{iri}> is not accepted: only the loaded graph's named graphs")
    refusal = front.inspect(text)
    if refusal is not None:
        raise Refusal(*refusal)
    target = "/query" + (f"?{urlencode(graphs)}" if graphs else "")
    headers = {"Content-Type": "application/sparql-query; charset=utf-8"}
    if handler.headers.get("Accept"):
        headers["Accept"] = handler.headers["Accept"]
    with _slot(front.upstream, deadline):
        return _Exchange(front.upstream, deadline).run("POST", target, text.encode("utf-8"), headers)


@contextmanager
def _slot(upstream: Upstream, deadline: float) -> Iterator[None]:
    """One of the SLOTS places at Oxigraph, waited for until the deadline (a 504 if none frees up)."""
    if not upstream.slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
        raise Refusal(504, "the server is busy with other queries and the time limit passed")
    try:
        yield
    finally:
        upstream.slots.release()


def _refuse_update(handler: Handler, method: str) -> Answer:
    """The update endpoint: always 403."""
    raise Refusal(403, "SPARQL updates are not accepted: the graph is read-only (edit graph/data and rebuild)")


def _passthrough(handler: Handler, method: str) -> Answer:
    """Anything else Oxigraph serves read-only (the query page, its assets, /store): GET and HEAD only."""
    if method not in ("GET", "HEAD"):
        raise Refusal(403 if _matches(urlsplit(handler.path).path, "/store") else 405, f"{method} is not accepted here")
    front = handler.server.front
    deadline = time.monotonic() + front.timeout
    headers = {k: v for k, v in handler.headers.items() if k.lower() in ("accept", "accept-encoding")}
    with _slot(front.upstream, deadline):
        return _Exchange(front.upstream, deadline).run(method, handler.path, None, headers)


SITE_PREFIX = "/site"
_TYPES = {".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8", ".js": "text/javascript",
          ".json": "application/json", ".ttl": "text/turtle; charset=utf-8", ".jsonld": "application/ld+json",
          ".svg": "image/svg+xml", ".png": "image/png", ".csv": "text/csv; charset=utf-8"}  # fmt: skip


def _site(handler: Handler, method: str) -> Answer:
    """The review site's files under /site/: GET and HEAD only, nothing outside the site folder (links included)."""
    root = handler.server.front.site
    if root is None:
        raise Refusal(404, "no review site is served here (start `lutonkg serve --site`)")
    if method not in ("GET", "HEAD"):
        raise Refusal(405, f"{method} is not accepted here (the site is read-only)")
    path = urlsplit(handler.path).path
    if path == SITE_PREFIX:
        return _redirect(SITE_PREFIX + "/")
    file = _site_file(root, unquote(path[len(SITE_PREFIX) + 1 :]))
    if file.is_dir():
        if not path.endswith("/"):
            return _redirect(path + "/")
        file = _site_file(root, unquote(path[len(SITE_PREFIX) + 1 :]) + "index.html")
    if not file.is_file():
        raise Refusal(404, "no such page in the site")
    kind = _TYPES.get(file.suffix) or mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    return Answer(200, [("Content-Type", kind)], file.open("rb"), file.stat().st_size)


def _site_file(root: Path, relative: str) -> Path:
    """The file a site path names, resolved; a 404 for anything that leaves the site folder or names no file."""
    parts = [part for part in relative.split("/") if part]
    if "\0" in relative or any(part in (".", "..") or "\\" in part for part in parts):
        raise Refusal(404, "no such page in the site")
    base = root.resolve()
    try:
        target = base.joinpath(*parts).resolve(strict=True)
    except (OSError, RuntimeError):
        raise Refusal(404, "no such page in the site") from None
    if target != base and base not in target.parents:
        raise Refusal(404, "no such page in the site")
    return target


def _redirect(location: str) -> Answer:
    """A 301 to the given path."""
    return Answer(301, [("Location", location), ("Content-Type", "text/plain")], io.BytesIO(b""), 0)


Route = Callable[[Handler, str], Answer]
# Matched in order; anything else goes to Oxigraph (its query page at /).
ROUTES: list[tuple[str, Route]] = [
    ("/query", _sparql), ("/sparql", _sparql), ("/update", _refuse_update), (SITE_PREFIX, _site),
]  # fmt: skip


class FrontServer(ThreadingHTTPServer):
    """The public listener: one thread per connection, daemon threads, a deeper accept queue."""

    daemon_threads = True
    request_queue_size = 64
    allow_reuse_address = True

    def __init__(self, host: str, port: int, front: Front) -> None:
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.front = front
        super().__init__((host, port), Handler)
