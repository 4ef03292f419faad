"""``mskg serve``: a read-only SPARQL 1.1 Protocol endpoint, safe to leave running.

Routes::

    GET  /                  a page to type a query (or pick a named one) and see a table
    GET  /sparql?query=...  SPARQL 1.1 Protocol query via GET
    POST /sparql            query via POST (application/sparql-query, or form-encoded query=)
    GET  /queries           the named queries (JSON: name, title, description, params, text)
    GET  /queries/NAME      run a named query; other URL parameters bind its header parameters
    GET  /graph             the interactive HTML graph (as ``mskg viz`` draws it)

Results are content-negotiated (``Accept``, or ``format=json|xml|csv|tsv|ttl|nt|jsonld``):
W3C SPARQL 1.1 Query Results JSON (default), XML, CSV and TSV for SELECT and ASK; Turtle
(default), N-Triples or JSON-LD for CONSTRUCT and DESCRIBE. Every answer carries CORS headers.

Safety:

* read-only: SPARQL UPDATE (``update=`` or ``application/sparql-update``) is refused with 403, as
  is a query that would fetch anything: SERVICE, FROM / FROM NAMED, LOAD (the one guard,
  :func:`mskg.query.prepare_query`). ``default-graph-uri`` and ``named-graph-uri`` are refused
  (400). The server itself makes no outbound request, except to the endpoint of a ``sparql:``
  store it was told to serve.
* every query runs in a worker process from a fixed pool. A query that exceeds ``--timeout``
  has its worker process killed (the only way to really stop rdflib, which cannot be
  interrupted, and pyoxigraph, whose Python API has no cancellation) and a fresh worker started;
  the client gets 503. The other workers keep answering meanwhile, and the HTTP threads
  (``ThreadingHTTPServer``) never run a query themselves, so one long query blocks nobody.
  A request waits at most ``queue_timeout`` (default: ``max(timeout, 10 s)``) for a free worker
  before it gets 503; the listen backlog is 64 connections.
* with a ``sparql:`` store the query runs on the upstream endpoint, and ``--timeout`` stops
  only the local side: the worker's HTTP request gives up (504) and its connection is closed,
  or the worker is killed, which closes it too. **Closing the connection does not stop the
  query upstream** (an Oxigraph server computes to the end), and the SPARQL 1.1 Protocol has no
  time-limit parameter. The upstream endpoint must enforce its own limit: ``oxigraph serve
  --timeout-s N``, Fuseki's ``arq:queryTimeout``, Virtuoso's ``MaxQueryExecutionTime``; a
  per-request limit the endpoint accepts can be written into the store URL, as every query
  request keeps it (``sparql:http://host/sparql?timeout=10000`` for Virtuoso, milliseconds).
  See "Stores: what differs" in ``bench/README.md``.
  ``mskg serve`` prints this warning when it starts on a ``sparql:`` store.
* at most ``max_rows`` rows, or triples of a CONSTRUCT / DESCRIBE, are returned (header
  ``X-MSKG-Truncated: true`` when cut);
  request bodies over ``max_request_bytes`` get 413; idle connections time out.
* bound to 127.0.0.1 unless ``--host`` says otherwise.

The workers open the store read-only (Oxigraph) or each parse the graph (memory). They do not
see a later ``mskg load``: restart the server after loading.
"""

from __future__ import annotations

import contextlib
import html
import json
import queue
import sys
import threading
import time
import traceback
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from mskg.errors import MskgError, StoreError, UsageError

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from mskg.query import QueryResult
    from mskg.store import Store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
DEFAULT_WORKERS = 4
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_REQUEST_BYTES = 1 << 20
#: The shortest wait for a free worker (``queue_timeout`` defaults to max(timeout, this)).
MIN_QUEUE_TIMEOUT = 10.0
#: Connections the kernel queues before the server accepts them (``listen`` backlog).
LISTEN_BACKLOG = 64
#: A ``sparql:`` store's HTTP timeout, as a share of ``--timeout``: the worker gives up on the
#: endpoint (and closes the connection) just before the pool would kill it.
UPSTREAM_TIMEOUT_SHARE = 0.9
#: A graph page is drawn only for stores up to this many triples.
GRAPH_PAGE_MAX_TRIPLES = 50_000

#: Result formats: name -> media type.
SELECT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH_TYPES = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
}
_ACCEPT_ALIASES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/plain": "nt",
    "application/x-turtle": "ttl",
    "application/turtle": "ttl",
}
_FORMAT_ALIASES = {
    "turtle": "ttl",
    "n-triples": "nt",
    "ntriples": "nt",
    "json-ld": "jsonld",
    "srj": "json",
    "srx": "xml",
}


# --------------------------------------------------------------------------------------------
# Results: negotiation and serialisation
# --------------------------------------------------------------------------------------------


def negotiate(accept: str | None, fmt: str | None, kind: str) -> str:
    """The format name to answer a ``kind`` query with, from ``format=`` or ``Accept``."""
    table = GRAPH_TYPES if kind in ("CONSTRUCT", "DESCRIBE") else SELECT_TYPES
    default = "ttl" if table is GRAPH_TYPES else "json"
    if fmt:
        name = _FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        name = _ACCEPT_ALIASES.get(name, name)
        for key, mime in table.items():
            if name in (key, mime):
                return key
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        mime = pieces[0].lower()
        if not mime:
            continue
        quality = 1.0
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            if key.strip() == "q":
                with contextlib.suppress(ValueError):
                    quality = float(value)
        ranked.append((-quality, index, mime))
    for negative_quality, _index, mime in sorted(ranked):
        if negative_quality >= 0:
            continue
        if mime in ("*/*", "application/*", "text/*"):
            return default
        for key, media in table.items():
            if mime == media or _ACCEPT_ALIASES.get(mime) == key:
                return key
    return default


def render(result: QueryResult, fmt: str) -> tuple[str, bytes]:
    """(content type, body) of ``result`` in ``fmt``."""
    from mskg.query import format_result

    if fmt == "xml":
        return SELECT_TYPES["xml"] + "; charset=utf-8", results_xml(result).encode("utf-8")
    text = format_result(result, fmt)
    mime = {**SELECT_TYPES, **GRAPH_TYPES}[fmt]
    if fmt == "tsv" and result.boolean is not None:
        mime = "text/plain"
    return f"{mime}; charset=utf-8", text.encode("utf-8")


def results_xml(result: QueryResult) -> str:
    """W3C SPARQL Query Results XML Format."""
    from rdflib import BNode, Literal, URIRef

    esc = html.escape
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    out.append('<sparql xmlns="http://www.w3.org/2005/sparql-results#">')
    out.append("  <head>")
    out.extend(f'    <variable name="{esc(v)}"/>' for v in result.variables)
    out.append("  </head>")
    if result.boolean is not None:
        out.append(f"  <boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("  <results>")
        for row in result.rows:
            out.append("    <result>")
            for name, term in zip(result.variables, row, strict=True):
                if term is None:
                    continue
                if isinstance(term, URIRef):
                    value = f"<uri>{esc(str(term), quote=False)}</uri>"
                elif isinstance(term, BNode):
                    value = f"<bnode>{esc(str(term), quote=False)}</bnode>"
                elif isinstance(term, Literal) and term.language:
                    value = (
                        f'<literal xml:lang="{esc(term.language)}">'
                        f"{esc(str(term), quote=False)}</literal>"
                    )
                elif isinstance(term, Literal) and term.datatype is not None:
                    value = (
                        f'<literal datatype="{esc(str(term.datatype))}">'
                        f"{esc(str(term), quote=False)}</literal>"
                    )
                else:
                    value = f"<literal>{esc(str(term), quote=False)}</literal>"
                out.append(f'      <binding name="{esc(name)}">{value}</binding>')
            out.append("    </result>")
        out.append("  </results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------------------------
# Worker processes
# --------------------------------------------------------------------------------------------


@dataclass
class Job:
    """One request for a worker: a SPARQL text, a named query or the graph page."""

    kind: str  # "sparql", "named" or "graph"
    query: str = ""
    params: dict[str, list[str]] = field(default_factory=dict)
    accept: str = ""
    fmt: str | None = None
    max_rows: int = DEFAULT_MAX_ROWS


@dataclass
class Answer:
    """What a worker sends back: an HTTP status, headers and a body."""

    status: int
    content_type: str
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def error_answer(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message.rstrip() + "\n").encode("utf-8"))


def answer(store: Store, job: Job) -> Answer:
    """Run ``job`` on ``store`` (inside a worker) and serialise the outcome."""
    from mskg.errors import QueryError, RefusedQueryError, UnknownNameError
    from mskg.query import load_query, query_from_text
    from mskg.store import EndpointTimeout, run_query

    try:
        if job.kind == "graph":
            return _graph_page(store)
        if job.kind == "named":
            named = load_query(job.query)
        else:
            named = query_from_text(job.query, "query")
        result = run_query(named, store, params=job.params, limit=job.max_rows)
    except UnknownNameError as exc:
        return error_answer(404, str(exc))
    except RefusedQueryError as exc:
        return error_answer(403, str(exc))
    except QueryError as exc:
        return error_answer(400, str(exc))
    except EndpointTimeout as exc:
        return error_answer(504, str(exc))
    except StoreError as exc:
        return error_answer(502, str(exc))
    except MskgError as exc:
        return error_answer(400, str(exc))
    fmt = negotiate(job.accept, job.fmt, result.kind)
    content_type, body = render(result, fmt)
    headers = {}
    if getattr(result, "truncated", False):
        headers["X-MSKG-Truncated"] = "true"
        headers["X-MSKG-Max-Rows"] = str(job.max_rows)
    return Answer(200, content_type, body, headers)


def _graph_page(store: Store) -> Answer:
    count = store.count()
    if count > GRAPH_PAGE_MAX_TRIPLES:
        return error_answer(
            413,
            f"the store holds {count} triples; the graph page draws at most "
            f"{GRAPH_PAGE_MAX_TRIPLES}: use `mskg viz --focus NAME` or a CONSTRUCT query",
        )
    from mskg.viz import build_network, render_html

    text = render_html(build_network(store.to_graph()), title="mskg")
    return Answer(200, "text/html; charset=utf-8", text.encode("utf-8"))


def _worker_main(conn: Connection, spec: str, graph_dir: str | None, timeout: float) -> None:
    """A worker process: open the store once, then answer jobs until the pipe closes."""
    from mskg.store import open_store

    try:
        store = open_store(
            spec, graph_dir, read_only=True, timeout=timeout * UPSTREAM_TIMEOUT_SHARE
        )
        store.count()  # parse the graph / open the database now, not on the first query
    except BaseException as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", ""))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = answer(store, job)
        except Exception as exc:
            reply = error_answer(500, f"internal error: {type(exc).__name__}: {exc}")
            traceback.print_exc(file=sys.stderr)
        conn.send(reply)


def worker_entry() -> None:
    """Entry point of a worker subprocess: ``argv`` = FD SPEC GRAPH_DIR TIMEOUT (JSON)."""
    from multiprocessing.connection import Connection

    fd, spec, graph_dir, timeout = json.loads(sys.argv[1])
    _worker_main(Connection(fd), spec, graph_dir, timeout)


class _Worker:
    """One worker: a fresh ``python`` subprocess (never a fork of the threaded server, and no
    re-import of the caller's ``__main__`` as multiprocessing's spawn would do), talking over a
    socket pair with pickled :class:`Job` and :class:`Answer` objects."""

    def __init__(self, spec: str, graph_dir: str | None, timeout: float) -> None:
        import multiprocessing
        import subprocess

        self.conn, child = multiprocessing.Pipe()
        fd = child.fileno()
        argument = json.dumps([fd, spec, graph_dir, timeout])
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from mskg.server import worker_entry; worker_entry()",
                argument,
            ],
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
        )
        child.close()

    def wait_ready(self, timeout: float) -> None:
        if not self.conn.poll(timeout):
            self.kill()
            raise StoreError(f"a query worker did not start within {timeout:.0f} s")
        try:
            status, message = self.conn.recv()
        except EOFError as exc:
            self.kill()
            raise StoreError("a query worker died while starting") from exc
        if status != "ready":
            self.kill()
            raise StoreError(f"a query worker could not open the store: {message}")

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()


class WorkerPool:
    """A fixed number of worker processes; a timed-out worker is killed and replaced.

    Each worker is a fresh interpreter: the server's threads are never forked, and a worker
    holds no handle it did not open itself (several may open one Oxigraph store read-only).
    """

    def __init__(
        self,
        spec: str,
        graph_dir: str | None,
        *,
        size: int = DEFAULT_WORKERS,
        timeout: float = DEFAULT_TIMEOUT,
        queue_timeout: float | None = None,
        start_timeout: float = 120.0,
    ) -> None:
        self.spec = spec
        self.graph_dir = graph_dir
        self.timeout = timeout
        self.queue_timeout = (
            queue_timeout if queue_timeout is not None else max(timeout, MIN_QUEUE_TIMEOUT)
        )
        self.start_timeout = start_timeout
        self.size = max(1, size)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        workers = [self._spawn() for _ in range(self.size)]
        try:
            for worker in workers:
                worker.wait_ready(start_timeout)
                self._idle.put(worker)
        except BaseException:
            self.close()
            raise

    def _spawn(self) -> _Worker:
        worker = _Worker(self.spec, self.graph_dir, self.timeout)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._all.discard(worker)
            closed = self._closed
        if not closed:
            threading.Thread(target=self._replace, daemon=True).start()

    def _replace(self) -> None:
        for _attempt in range(3):
            worker = self._spawn()
            try:
                worker.wait_ready(self.start_timeout)
            except StoreError:
                with self._lock:
                    self._all.discard(worker)
                continue
            if self._closed:
                worker.kill()
                return
            self._idle.put(worker)
            return
        print("mskg serve: could not restart a query worker", file=sys.stderr)

    def run(self, job: Job) -> Answer:
        """Run ``job`` on an idle worker: wait at most ``queue_timeout`` for one, then at most
        ``timeout`` for the answer."""
        try:
            worker = self._idle.get(timeout=self.queue_timeout)
        except queue.Empty:
            return error_answer(
                503, f"all query workers busy for {self.queue_timeout:g} s; retry later"
            )
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):
                self._retire(worker)
                return error_answer(
                    503, f"query stopped: it ran longer than the {self.timeout:g} s time limit"
                )
            reply: Answer = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            self._retire(worker)
            return error_answer(500, "the query worker died (out of memory?); try again")
        self._idle.put(worker)
        return reply

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.kill()


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


@dataclass
class ServerConfig:
    store: str = "memory"
    graph_dir: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    workers: int = DEFAULT_WORKERS
    max_rows: int = DEFAULT_MAX_ROWS
    max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES
    queue_timeout: float | None = None  # default: max(timeout, MIN_QUEUE_TIMEOUT)


class MskgHTTPServer(ThreadingHTTPServer):
    """The HTTP server: threads for connections, a :class:`WorkerPool` for queries."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], config: ServerConfig) -> None:
        from mskg.store import parse_store_spec

        parse_store_spec(config.store)  # fail on a bad descriptor before starting anything
        self.config = config
        self.pool = WorkerPool(
            config.store,
            config.graph_dir,
            size=config.workers,
            timeout=config.timeout,
            queue_timeout=config.queue_timeout,
        )
        self._graph_page: Answer | None = None
        self._graph_lock = threading.Lock()
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
        with self._graph_lock:
            if self._graph_page is None:
                page = self.pool.run(Job("graph"))
                if page.status != 200:
                    return page
                self._graph_page = page
            return self._graph_page

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


class RequestHandler(BaseHTTPRequestHandler):
    server: MskgHTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "mskg"
    timeout = 60  # seconds a client may stay silent before its connection is dropped

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.address_string()} - {format % args}\n")

    # Plumbing ---------------------------------------------------------------------------------

    def _send(
        self,
        status: int,
        content_type: str,
        body: bytes,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Expose-Headers", "X-MSKG-Truncated, X-MSKG-Max-Rows")
        self.send_header("Vary", "Accept")
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _answer(self, reply: Answer) -> None:
        self._send(reply.status, reply.content_type, reply.body, reply.headers)

    def _error(self, status: int, message: str, headers: Mapping[str, str] | None = None) -> None:
        reply = error_answer(status, message)
        self._send(reply.status, reply.content_type, reply.body, headers)

    def _read_body(self) -> bytes | None:
        length_text = self.headers.get("Content-Length")
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            self._error(411, "send a Content-Length; chunked request bodies are not accepted")
            return None
        if length_text is None:
            self._error(411, "POST needs a Content-Length")
            return None
        try:
            length = int(length_text)
        except ValueError:
            self._error(400, "bad Content-Length")
            return None
        if length < 0 or length > self.server.config.max_request_bytes:
            self.close_connection = True
            if 0 < length <= 32 * self.server.config.max_request_bytes:
                # Read and drop the body, so the client sees the 413 and not a reset connection.
                remaining = length
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 16))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            self._error(
                413, f"request body over {self.server.config.max_request_bytes} bytes refused"
            )
            return None
        return self.rfile.read(length)

    # Methods ----------------------------------------------------------------------------------

    def do_OPTIONS(self) -> None:
        self.send_response(204)
        self.send_header("Access-Control-Allow-Origin", "*")
        self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
        self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
        self.send_header("Access-Control-Max-Age", "86400")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        url = urllib.parse.urlsplit(self.path)
        params = urllib.parse.parse_qs(url.query, keep_blank_values=True)
        path = url.path.rstrip("/") or "/"
        if path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", PAGE.encode("utf-8"), _PAGE_HEADERS)
        elif path == "/sparql":
            if "query" not in params and "update" not in params:
                self._send(200, "text/html; charset=utf-8", PAGE.encode("utf-8"), _PAGE_HEADERS)
                return
            self._sparql(params)
        elif path == "/queries":
            self._list_queries()
        elif path.startswith("/queries/"):
            self._named(urllib.parse.unquote(path[len("/queries/") :]), params)
        elif path == "/graph":
            self._answer(self.server.graph_page())
        else:
            self._error(404, f"no such page: {url.path}; try /, /sparql, /queries or /graph")

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
        self._answer(self.server.pool.run(job))

    def _list_queries(self) -> None:
        from mskg.query import list_queries

        items = [
            {
                "name": q.name,
                "title": q.title,
                "description": q.header.description,
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

    def _named(self, name: str, params: Mapping[str, list[str]]) -> None:
        bind = {k: list(v) for k, v in params.items() if k not in ("format", "output") and any(v)}
        job = Job(
            "named",
            name,
            params=bind,
            accept=self.headers.get("Accept", ""),
            fmt=_first(params, "format") or _first(params, "output"),
            max_rows=self.server.config.max_rows,
        )
        self._answer(self.server.pool.run(job))


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
    from mskg.store import parse_store_spec

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


_PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        "connect-src 'self'; base-uri 'none'; form-action 'none'"
    )
}

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>mskg SPARQL</title>
<style>
body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
textarea { width: 100%; height: 14rem; font: 13px/1.4 monospace; }
table { border-collapse: collapse; margin-top: 1rem; }
td, th { border: 1px solid #ccc; padding: .25rem .5rem; vertical-align: top; text-align: left; }
th { background: #f3f3f3; }
#status { margin-left: 1rem; color: #555; }
#queries { max-width: 40rem; }
pre { background: #f7f7f7; padding: .5rem; overflow: auto; }
</style>
</head>
<body>
<h1>mskg SPARQL endpoint</h1>
<p>Read-only. Endpoint: <code>/sparql</code> (GET or POST).
Named queries: <a href="queries">/queries</a>. Drawn graph: <a href="graph">/graph</a>.</p>
<p><label>Named query: <select id="queries">
<option value="">(type your own)</option></select></label></p>
<textarea id="text" spellcheck="false">SELECT ?drug ?label WHERE {
  ?drug a mskg:Drug ; rdfs:label ?label .
} ORDER BY ?label</textarea>
<p><button id="run">Run</button><span id="status"></span></p>
<div id="out"></div>
<script>
"use strict";
const texts = {};
const sel = document.getElementById("queries");
fetch("queries").then(r => r.json()).then(list => {
  for (const q of list) {
    texts[q.name] = q.text;
    const o = document.createElement("option");
    o.value = q.name; o.textContent = q.name + ": " + q.title;
    sel.appendChild(o);
  }
});
sel.addEventListener("change", () => {
  if (texts[sel.value]) document.getElementById("text").value = texts[sel.value];
});
function show(term) {
  if (!term) return "";
  if (term.type === "literal" && term["xml:lang"]) return term.value + " @" + term["xml:lang"];
  return term.value;
}
document.getElementById("run").addEventListener("click", async () => {
  const status = document.getElementById("status"), out = document.getElementById("out");
  out.textContent = ""; status.textContent = "running...";
  const started = performance.now();
  let r;
  try {
    r = await fetch("sparql", {method: "POST",
      headers: {"Content-Type": "application/sparql-query",
                "Accept": "application/sparql-results+json, text/turtle;q=0.9"},
      body: document.getElementById("text").value});
  } catch (e) { status.textContent = "request failed: " + e; return; }
  const ms = Math.round(performance.now() - started);
  const type = r.headers.get("Content-Type") || "";
  if (!r.ok || !type.startsWith("application/sparql-results+json")) {
    const pre = document.createElement("pre"); pre.textContent = await r.text();
    out.appendChild(pre);
    status.textContent = (r.ok ? "" : "error " + r.status + " ") + "(" + ms + " ms)";
    return;
  }
  const data = await r.json();
  if ("boolean" in data) { status.textContent = String(data.boolean) + " (" + ms + " ms)"; return; }
  const vars = data.head.vars, rows = data.results.bindings;
  const table = document.createElement("table"), head = table.insertRow();
  for (const v of vars) {
    const th = document.createElement("th"); th.textContent = v; head.appendChild(th);
  }
  for (const row of rows) {
    const tr = table.insertRow();
    for (const v of vars) tr.insertCell().textContent = show(row[v]);
  }
  out.appendChild(table);
  const cut = r.headers.get("X-MSKG-Truncated")
    ? " (cut at " + r.headers.get("X-MSKG-Max-Rows") + ")" : "";
  status.textContent = rows.length + " rows" + cut + " (" + ms + " ms)";
});
</script>
</body>
</html>
"""
