"""The HTTP front end of ``mskg serve``: routes, framing, limits, CORS and the Host check."""

from __future__ import annotations

import contextlib
import io
import json
import re
import socket
import sys
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from mskg.errors import UsageError
from mskg.server.config import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    LINGER_BYTES,
    LINGER_SECONDS,
    LISTEN_BACKLOG,
    ServerConfig,
    cors_origins,
)
from mskg.server.jobs import Answer, Job, error_answer, named_query_file, one_line
from mskg.server.page import _PAGE_HEADERS, page_bytes
from mskg.server.pool import WorkerPool
from mskg.terminal import terminal_safe

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer


#: A client that hangs up (or stalls until its time is up) before its answer: normal traffic.
_HANG_UPS = (ConnectionError, TimeoutError)


class MskgHTTPServer(ThreadingHTTPServer):
    """The HTTP server: threads for connections, a :class:`WorkerPool` for queries."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], config: ServerConfig) -> None:
        from mskg.stores.spec import parse_store_spec

        parse_store_spec(config.store)  # fail on a bad descriptor before starting anything
        self.cors = cors_origins(config.cors)
        self.config = config
        self.pool = WorkerPool(
            config.store,
            config.graph_dir,
            size=config.workers,
            timeout=config.timeout,
            queue_timeout=config.queue_timeout,
            per_client=config.per_client,
            answer_cache_bytes=config.answer_cache_bytes,
        )
        try:
            super().__init__(address, RequestHandler)
        except BaseException:
            self.pool.close()
            raise

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        text = host.decode() if isinstance(host, bytes) else str(host)
        shown = f"[{text}]" if ":" in text else text
        return f"http://{shown}:{port}"

    def graph_page(self) -> Answer:
        """The HTML graph of the store: drawn once per generation of its data (the answer
        cache keeps it)."""
        return self.pool.run(Job("graph"))

    @property
    def cors_by_origin(self) -> bool:
        """Whether answers depend on the request's ``Origin`` (a list of origins, not ``*``)."""
        return bool(self.cors) and "*" not in self.cors

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line for an unexpected error in a connection, none for a client hanging up;
        never the traceback ``socketserver`` prints by default."""
        error = sys.exc_info()[1]
        if error is None or isinstance(error, _HANG_UPS):
            return
        host, port = client_address[:2]
        print(
            f"mskg serve: error handling request from {host}:{port}: {one_line(error)}",
            file=sys.stderr,
        )

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()


def make_server(
    host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, config: ServerConfig | None = None
) -> MskgHTTPServer:
    """Start the worker pool and bind the socket (``port=0``: any free port); call
    ``serve_forever()`` on the result, ``shutdown()`` and ``server_close()`` to stop."""
    try:
        return MskgHTTPServer((host, port), config or ServerConfig())
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


class _DeadlineReader(io.RawIOBase):
    """The read side of a connection with one deadline for a whole request.

    A socket timeout alone restarts at every byte, so a client sending one byte every 30 s
    would hold its connection (and thread) forever; here each ``recv`` waits only for the time
    left until :attr:`deadline`, then raises :class:`TimeoutError`. Between reads the socket
    keeps its own timeout, which bounds each write of an answer.
    """

    def __init__(self, connection: socket.socket) -> None:
        super().__init__()
        self._connection = connection
        self._write_timeout = connection.gettimeout()
        self.deadline = time.monotonic()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("the request did not arrive within its time")
        self._connection.settimeout(left)
        try:
            return self._connection.recv_into(buffer)
        finally:
            self._connection.settimeout(self._write_timeout)


_DIGITS = re.compile(r"[0-9]+")


class RequestHandler(BaseHTTPRequestHandler):
    server: MskgHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "mskg"
    timeout = 60  # seconds a write of an answer may take; reads: request_read_timeout
    # Headers and body go out in two writes: with Nagle's algorithm on, the body waits for the
    # client's delayed ACK, about 40 ms a request on a keep-alive connection.
    disable_nagle_algorithm = True
    #: Bytes of the current request's body not read yet: left there, they must never be
    #: parsed as the next request, so an answer given without reading them closes.
    _body_pending = 0
    #: Close with a short drain of the input (see LINGER_SECONDS) rather than at once.
    _linger = False

    #: Headers and a small body leave in one segment: handle_one_request flushes after each
    #: answer (an unbuffered writer sends the headers and the body as two).
    wbufsize = 1 << 16

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    # Plumbing ---------------------------------------------------------------------------------

    def setup(self) -> None:
        super().setup()
        self.rfile.close()  # the socket stays open: this only drops the buffered reader's hold
        self._reader = _DeadlineReader(self.connection)
        self.rfile = io.BufferedReader(self._reader)

    def handle_one_request(self) -> None:
        # The clock starts when the server waits for a request, so idle keep-alive time counts.
        self._reader.deadline = time.monotonic() + self.server.config.request_read_timeout
        self._body_pending = 0
        super().handle_one_request()
        # Also after an answer given while parsing the request (an error, a 100 Continue).
        with contextlib.suppress(OSError, ValueError):
            self.wfile.flush()

    def handle_expect_100(self) -> bool:
        accepted = super().handle_expect_100()
        self.wfile.flush()  # the client waits for it before sending the body
        return accepted

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        lengths = self.headers.get_all("Content-Length") or []
        if self.headers.get_all("Transfer-Encoding"):
            problem = (
                (400, "both Content-Length and Transfer-Encoding: refused")
                if lengths
                else (411, "send a Content-Length; chunked request bodies are not accepted")
            )
        elif len(lengths) > 1:
            problem = (400, "more than one Content-Length: refused")
        elif lengths and not _DIGITS.fullmatch(lengths[0].strip()):
            problem = (400, "bad Content-Length")
        elif not self._host_allowed():
            host = terminal_safe(self.headers.get("Host", ""))[:200]
            problem = (421, f"Host {host!r} does not name this local server; use localhost")
        else:
            self._body_pending = int(lengths[0]) if lengths else 0
            return True
        # Where this body ends is unknown, so nothing after it on this connection can be read
        # as a request.
        self.close_connection = self._linger = True
        self._error(*problem)
        return False

    def _host_allowed(self) -> bool:
        """On a loopback address, the ``Host`` header must name a loopback host too: a web page
        whose domain an attacker re-points at 127.0.0.1 (DNS rebinding) sends its own domain
        there, and would otherwise read the answers as if it were this server's own page."""
        host = self.headers.get("Host")
        if host is None or not _is_loopback(str(self.server.server_address[0])):
            return True
        name = host.strip().lower()
        name = name[1 : name.find("]")] if name.startswith("[") else name.rsplit(":", 1)[0]
        return _is_loopback(name) or name == "localhost" or name.endswith(".localhost")

    def finish(self) -> None:
        super().finish()
        if self._linger:
            self._drain()

    def _drain(self) -> None:
        """Read and drop what the client still sends, for a bounded time, after the answer:
        closing with unread input resets the connection, which may destroy that answer."""
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + LINGER_SECONDS
            dropped = 0
            while dropped < LINGER_BYTES and time.monotonic() < deadline:
                self.connection.settimeout(max(0.01, deadline - time.monotonic()))
                chunk = self.connection.recv(1 << 16)
                if not chunk:
                    break
                dropped += len(chunk)

    def _start(self, status: int, headers: Mapping[str, str], *, preflight: bool = False) -> None:
        """The status line and the headers every answer carries, then ``headers``."""
        if self._body_pending:
            self.close_connection = self._linger = True
        self.send_response(status)
        vary = "Accept, Origin" if self.server.cors_by_origin else "Accept"
        self.send_header("Vary", vary)
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in self._cors_headers(preflight).items():
            self.send_header(key, value)
        for key, value in headers.items():
            self.send_header(key, value)
        if self.close_connection:
            self.send_header("Connection", "close")

    def _cors_headers(self, preflight: bool) -> dict[str, str]:
        """CORS headers, only for an origin ``--cors`` allows: none at all by default."""
        allowed = self.server.cors
        origin = (self.headers.get("Origin") or "").strip().lower()
        if "*" in allowed:
            headers = {"Access-Control-Allow-Origin": "*"}
        elif origin and origin in allowed:
            headers = {"Access-Control-Allow-Origin": origin}
        else:
            return {}
        if preflight:
            headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            headers["Access-Control-Allow-Headers"] = "Content-Type, Accept"
            headers["Access-Control-Max-Age"] = "86400"
        else:
            headers["Access-Control-Expose-Headers"] = (
                "X-MSKG-Truncated, X-MSKG-Max-Rows, X-MSKG-Warning"
            )
        return headers

    def _send(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self._start(
            status,
            {"Content-Type": content_type, "Content-Length": str(len(body)), **(headers or {})},
        )
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _answer(self, reply: Answer) -> None:
        self._send(reply.status, reply.content_type, reply.body, reply.headers)

    def _error(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        reply = error_answer(status, message)
        self._send(reply.status, reply.content_type, reply.body, headers)

    def _read_body(self) -> bytes | None:
        """The request body (framing was checked by :meth:`parse_request`), or ``None`` once
        an error is answered; after an error the connection closes."""
        if self.headers.get("Content-Length") is None:
            self.close_connection = True
            self._error(411, "POST needs a Content-Length")
            return None
        length = self._body_pending
        limit = self.server.config.max_request_bytes
        if length > limit:
            self.close_connection = True
            if length <= 32 * limit:
                # Read and drop the body, so the client sees the 413 and not a reset connection.
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 16))
                    if not chunk:
                        break
                    remaining -= len(chunk)
                self._body_pending = remaining
            self._error(413, f"request body over {limit} bytes refused")
            return None
        body = self.rfile.read(length)
        self._body_pending = 0
        if len(body) < length:  # the client hung up mid-body: nobody to answer
            self.close_connection = True
            return None
        return body

    # Methods ----------------------------------------------------------------------------------

    def do_OPTIONS(self) -> None:
        self._start(
            204, {"Allow": "GET, HEAD, POST, OPTIONS", "Content-Length": "0"}, preflight=True
        )
        self.end_headers()

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        path = url.path.rstrip("/") or "/"
        if path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", page_bytes(), _PAGE_HEADERS)
        elif path == "/sparql":
            if "query" not in params and "update" not in params:
                self._send(200, "text/html; charset=utf-8", page_bytes(), _PAGE_HEADERS)
                return
            self._sparql(params)
        elif path == "/queries":
            self._list_queries()
        elif path.startswith("/queries/"):
            self._named(urllib.parse.unquote(path[len("/queries/") :]), params)
        elif path == "/graph":
            self._graph(params)
        elif path.startswith("/static/"):
            self._static(path[len("/static/") :])
        elif path in ("/resource", "/ontology") or path.startswith(("/resource/", "/ontology/")):
            self._resource(url.path, params)
        else:
            self._error(
                404,
                f"no such page: {url.path}; try /, /sparql, /queries, /graph, /resource/NAME"
                " or /ontology",
            )

    def do_POST(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        path = url.path.rstrip("/")
        if path != "/sparql":
            self._error(404 if path not in ("", "/queries", "/graph") else 405, "POST to /sparql")
            return
        body = self._read_body()
        if body is None:
            return
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        mime = self.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if mime == "application/sparql-update":
            self._error(403, "SPARQL UPDATE is refused: this endpoint is read-only")
            return
        if mime == "application/sparql-query":
            params["query"] = [body.decode("utf-8", "replace")]
        elif mime in ("application/x-www-form-urlencoded", ""):
            form = urllib.parse.parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
            for key, values in form.items():
                params.setdefault(key, []).extend(values)
        else:
            self._error(
                415,
                "send application/sparql-query or application/x-www-form-urlencoded (query=...)",
            )
            return
        self._sparql(params)

    def do_PUT(self) -> None:
        self._error(405, "this endpoint is read-only", {"Allow": "GET, POST, OPTIONS"})

    do_DELETE = do_PUT
    do_PATCH = do_PUT

    # Routes -----------------------------------------------------------------------------------

    def _sparql(self, params: Mapping[str, Sequence[str]]) -> None:
        if "update" in params:
            self._error(403, "SPARQL UPDATE is refused: this endpoint is read-only")
            return
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            self._error(
                400, "default-graph-uri and named-graph-uri are not supported: one graph here"
            )
            return
        queries = params.get("query") or []
        if len(queries) != 1 or not queries[0].strip():
            self._error(400, "give exactly one non-empty query parameter")
            return
        if len(queries[0].encode("utf-8")) > self.server.config.max_request_bytes:
            self._error(413, "query too long")
            return
        job = Job(
            "sparql",
            queries[0],
            accept=self.headers.get("Accept", ""),
            fmt=_first(params, "format") or _first(params, "output"),
            max_rows=self.server.config.max_rows,
        )
        self._answer(self.server.pool.run(job, self.client_address[0]))

    def _resource(self, path: str, params: Mapping[str, Sequence[str]]) -> None:
        """A resource or ontology IRI's page or RDF (:mod:`mskg.server.resource`): the name and
        the format are checked here, the store is asked in a worker."""
        from mskg.server.resource import resource_request

        request = resource_request(path, self.headers.get("Accept", ""), _first(params, "format"))
        if isinstance(request, Answer):
            self._answer(request)
            return
        job = Job("resource", request.iri, fmt=request.fmt)
        self._answer(self.server.pool.run(job, self.client_address[0]))

    def _list_queries(self) -> None:
        from mskg.sparql.named import list_queries

        items = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.header.description,
                "group": q.header.group,
                "params": [
                    {
                        "name": p.name,
                        "class": p.cls,
                        "default": p.default,
                        "description": p.description,
                    }
                    for p in q.header.params
                ],
                "text": q.text,
                "url": f"/queries/{urllib.parse.quote(q.name)}",
            }
            for q in list_queries()
        ]
        body = json.dumps(items, indent=2, ensure_ascii=False).encode("utf-8")
        self._send(200, "application/json; charset=utf-8", body)

    def _graph(self, params: Mapping[str, list[str]]) -> None:
        """``/graph``: the whole graph, or the nodes (``node=IRI``, repeated) or neighbourhood
        (``focus=IRI&hops=N``) the query page asks for; bad values are a 400 here, before any
        worker."""
        from mskg.errors import UsageError
        from mskg.server.jobs import graph_params

        try:
            checked = graph_params(dict(params))
        except UsageError as exc:
            self._error(400, str(exc))
            return
        if not checked:
            self._answer(self.server.graph_page())
            return
        self._answer(self.server.pool.run(Job("graph", params=checked), self.client_address[0]))

    def _static(self, name: str) -> None:
        """``/static/NAME``: a file of the query page's allow-list (:mod:`mskg.server.static`);
        the raw URL path is looked up as it came, never decoded into a file path."""
        from mskg.server.static import StaticRefused, static_file

        try:
            found = static_file(name)
        except StaticRefused:
            self._error(404, "no such file")
            return
        if found.headers["ETag"] == (self.headers.get("If-None-Match") or "").strip():
            self._start(304, found.headers)
            self.end_headers()
            return
        self._send(200, found.content_type, found.body, found.headers)

    def _named(self, name: str, params: Mapping[str, list[str]]) -> None:
        from mskg.errors import UnknownNameError

        try:
            named_query_file(name)  # a name from the list, never a path: no job otherwise
        except UnknownNameError as exc:
            self._error(404, str(exc))
            return
        bind = {k: list(v) for k, v in params.items() if k not in ("format", "output") and any(v)}
        job = Job(
            "named",
            name,
            params=bind,
            accept=self.headers.get("Accept", ""),
            fmt=_first(params, "format") or _first(params, "output"),
            max_rows=self.server.config.max_rows,
        )
        self._answer(self.server.pool.run(job, self.client_address[0]))


def _is_loopback(address: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def _first(params: Mapping[str, Sequence[str]], key: str) -> str | None:
    values = params.get(key)
    return values[0] if values else None


def serve(
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    config: ServerConfig | None = None,
    *,
    announce: bool = True,
) -> None:
    """Run the server until interrupted."""
    server = make_server(host, port, config)
    if announce:
        cfg = server.config
        print(
            f"mskg serve: {server.url}/ (SPARQL endpoint {server.url}/sparql) on store "
            f"{cfg.store}; {cfg.workers} workers, {cfg.timeout:g} s per query, "
            f"{cfg.max_rows} rows at most. Ctrl-C stops.",
            file=sys.stderr,
        )
        if host not in ("127.0.0.1", "localhost", "::1"):
            print(
                f"mskg serve: listening on {host}: reachable from other machines", file=sys.stderr
            )
        if server.cors:
            print(
                f"mskg serve: web pages from {', '.join(server.cors)} may read the answers "
                "(--cors)",
                file=sys.stderr,
            )
        warning = upstream_warning(cfg.store, cfg.timeout)
        if warning:
            print(warning, file=sys.stderr)
    try:
        server.serve_forever(poll_interval=0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


def upstream_warning(store: str, timeout: float) -> str | None:
    """The start-up warning for a ``sparql:`` store: ``--timeout`` cannot stop its queries."""
    from mskg.stores.spec import parse_store_spec

    spec = parse_store_spec(store)
    if spec.kind != "sparql":
        return None
    return (
        f"mskg serve: warning: queries run on {spec.location}; --timeout ({timeout:g} s) stops "
        "only this server's side (it closes the connection), not the query on the endpoint. "
        "Give the endpoint its own time limit (oxigraph serve --timeout-s N; Fuseki "
        "arq:queryTimeout; or the endpoint's timeout parameter in the sparql: URL)."
    )


def wait_until_up(url: str, timeout: float = 30.0) -> None:
    """Block until ``url`` answers HTTP (for tests and scripts)."""
    import urllib.request

    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
