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
(default), N-Triples or JSON-LD for CONSTRUCT and DESCRIBE. In XML, a character XML 1.0 does not
allow (a C0 control other than tab, LF and CR; U+FFFE, U+FFFF; a lone surrogate) is written as
U+FFFD, so the document stays well-formed.

No CORS headers are sent unless ``--cors`` names the origins whose web pages may read the answers
(``ServerConfig.cors``): the endpoint is local by default, and ``Access-Control-Allow-Origin: *``
would let any page the user opens query it. ``--cors '*'`` allows every origin; otherwise the
request's ``Origin`` is echoed when it is one of those named (with ``Vary: Origin``).

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
* fair share: a client, known by its remote address, holds at most ``per_client`` workers at
  once (``--per-client``; default: half the pool, rounded up); its further requests wait, within
  ``queue_timeout`` like any other. A worker that comes free goes to the waiting request whose
  client holds the fewest workers, the one waiting longest among those, so a client sending
  many runaway queries slows down itself, not the others. Behind a reverse proxy every client
  has the proxy's address: they share one client's workers.
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
  request bodies over ``max_request_bytes`` get 413.
* a named query is a name from the list of ``/queries``, never a path: any other name gets 404
  before a worker sees it, and the worker looks it up again.
* a request (line, headers and body) must arrive within ``request_read_timeout`` seconds of the
  server starting to wait for it, idle keep-alive time included; a client sending a byte now
  and then is cut off then. A body framed in any way but one ``Content-Length`` (chunked,
  duplicate or invalid lengths) is refused and its connection closed, so the rest of it is
  never read as another request.
* a client hanging up early is normal traffic: no traceback in the log, and any other error in
  a connection is one line.
* bound to 127.0.0.1 unless ``--host`` says otherwise; on a loopback address a request whose
  ``Host`` header names another host (``localhost``, ``*.localhost`` and loopback addresses are
  this server) gets 421, so a web page that re-points its own domain at 127.0.0.1 (DNS
  rebinding) cannot read the answers either.

The workers open the store read-only (Oxigraph) or each parse the graph (memory), and each
reports the generation of the data it opened (:func:`store_generation`). A ``mskg load`` into
the served store is noticed before the next query (the pool looks at most every 0.5 s): one
worker is started on the new data and, once it is ready, the idle workers of the old data are
replaced, the busy ones when their query ends. Once one answer has come from the new data, no
later request is answered from the old (a query already running when the switch happens still
finishes on the old data). A load that fails changes nothing on disk, and a store no worker can
open leaves the old workers answering (one line on stderr).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
import io
import json
import re
import socket
import sys
import threading
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from mskg.errors import MskgError, StoreError, UsageError
from mskg.terminal import terminal_safe

if TYPE_CHECKING:
    from multiprocessing.connection import Connection

    from _typeshed import WriteableBuffer

    from mskg.query import QueryResult
    from mskg.store import Store

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 7878
DEFAULT_TIMEOUT = 30.0
DEFAULT_WORKERS = 4
DEFAULT_MAX_ROWS = 10_000
DEFAULT_MAX_REQUEST_BYTES = 1 << 20
#: Seconds a client has to send a whole request (line, headers, body), from when the server
#: starts waiting for it: a keep-alive connection idles at most this long between requests.
DEFAULT_REQUEST_READ_TIMEOUT = 30.0
#: After refusing a badly framed body, how long (and how many bytes) the server keeps reading
#: and dropping what the client still sends before closing: closing a socket with unread input
#: sends a reset, which can destroy the error answer before the client reads it.
LINGER_SECONDS = 1.0
LINGER_BYTES = 1 << 20
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


#: Characters XML 1.0 does not allow in a document, even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_escape(text: str, quote: bool = True) -> str:
    """``text`` escaped for XML content (or an attribute, with ``quote``); every character XML
    1.0 does not allow becomes U+FFFD, and CR a character reference so that it survives
    parsing (a parser turns a raw CR into LF)."""
    return html.escape(_NOT_XML.sub("\ufffd", text), quote=quote).replace("\r", "&#13;")


def results_xml(result: QueryResult) -> str:
    """W3C SPARQL Query Results XML Format.

    A value holding a character XML 1.0 does not allow (a C0 control other than tab, LF and CR;
    U+FFFE, U+FFFF; a lone surrogate) has it replaced by U+FFFD: the document stays
    well-formed, at the price of that character.
    """
    from rdflib import BNode, Literal, URIRef

    esc = xml_escape
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


def named_query_file(name: str) -> Path:
    """The file of the named query ``name``: a name from :func:`mskg.query.query_names` of the
    served queries folder, never a path. Anything else (``/etc/passwd``, ``../x``, ``/tmp/x.rq``)
    raises :class:`UnknownNameError` with the closest names, and no file is opened."""
    from mskg.errors import UnknownNameError
    from mskg.paths import default_queries_dir
    from mskg.query import QUERY_SUFFIX, query_names

    folder = default_queries_dir()
    names = query_names(folder)
    if name not in names:
        # difflib over a 64 KB name would take seconds: a long name gets no suggestions.
        shown = name if len(name) <= 200 else name[:200] + "..."
        raise UnknownNameError("query", shown, names if len(name) <= 200 else [], see="/queries")
    return folder / f"{name}{QUERY_SUFFIX}"


def answer(store: Store, job: Job) -> Answer:
    """Run ``job`` on ``store`` (inside a worker) and serialise the outcome."""
    from mskg.errors import QueryError, RefusedQueryError, UnknownNameError
    from mskg.query import query_from_text, read_query
    from mskg.store import EndpointTimeout, run_query

    try:
        if job.kind == "graph":
            return _graph_page(store)
        if job.kind == "named":
            # Checked again here: a job reaching a worker by another way is still only a name.
            named = read_query(named_query_file(job.query), job.query)
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
    conn.send(("ready", store_generation(spec, graph_dir)))  # after opening: see _admit
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = answer(store, job)
        except Exception as exc:
            message = f"internal error: {one_line(exc)}"
            reply = error_answer(500, message)
            print(f"mskg serve: query worker: {message}", file=sys.stderr)
        conn.send(reply)


def one_line(exc: BaseException) -> str:
    """``TYPE: message`` on one line, for the log."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def worker_entry() -> None:
    """Entry point of a worker subprocess: ``argv`` = FD SPEC GRAPH_DIR TIMEOUT (JSON)."""
    from multiprocessing.connection import Connection

    fd, spec, graph_dir, timeout = json.loads(sys.argv[1])
    _worker_main(Connection(fd), spec, graph_dir, timeout)


def store_generation(spec: str, graph_dir: str | None) -> str | None:
    """Which data the store ``spec`` holds on disk now: a short text that every ``mskg load``
    changes (and, for the memory store, every edit of a graph file). None for a ``sparql:``
    store, which has no generation here, or when it cannot be told just now (a load between its
    two renames, a missing folder): None never makes the pool switch.

    Oxigraph: the device and inode of the store folder, as a load renames a new folder into
    place (a failed load renames nothing). Memory: a digest of the path, size and modification
    time of every graph file. Both are a few ``stat`` calls.
    """
    from mskg.storespec import parse_store_spec

    parsed = parse_store_spec(spec)
    try:
        if parsed.kind == "oxigraph":
            status = Path(parsed.location).expanduser().stat()
            return f"{status.st_dev}:{status.st_ino}"
        if parsed.kind == "memory":
            from mskg.loader import graph_files

            digest = hashlib.sha256()
            for path in graph_files(graph_dir):
                status = path.stat()
                digest.update(f"{path}\0{status.st_size}\0{status.st_mtime_ns}\n".encode())
            return digest.hexdigest()[:32]
    except (OSError, MskgError):
        return None
    return None


class _Worker:
    """One worker: a fresh ``python`` subprocess (never a fork of the threaded server, and no
    re-import of the caller's ``__main__`` as multiprocessing's spawn would do), talking over a
    socket pair with pickled :class:`Job` and :class:`Answer` objects.

    ``expected`` is the store's generation on disk just before the process started,
    ``generation`` the one the worker saw just after opening the store (its ready message).
    """

    def __init__(
        self, spec: str, graph_dir: str | None, timeout: float, expected: str | None = None
    ) -> None:
        import multiprocessing
        import subprocess

        self.expected = expected
        self.generation: str | None = None
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
            status, detail = self.conn.recv()
        except EOFError as exc:
            self.kill()
            raise StoreError("a query worker died while starting") from exc
        if status != "ready":
            self.kill()
            raise StoreError(f"a query worker could not open the store: {detail}")
        self.generation = detail

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.wait(5)
        with contextlib.suppress(Exception):
            self.conn.close()


#: Whose job it is when no HTTP client asked for it (the graph page, scripts).
LOCAL_CLIENT = "local"
#: The pool looks at the store on disk at most this often (seconds) to notice a ``mskg load``.
GENERATION_CHECK_INTERVAL = 0.5

W = TypeVar("W")


@dataclass(eq=False)
class _Waiter(Generic[W]):
    client: str
    worker: W | None = None


class FairQueue(Generic[W]):
    """The idle workers, and the requests waiting for one, shared out fairly between clients.

    A client holds at most ``per_client`` workers at once; its further requests wait. A worker
    that comes free goes to the waiting request whose client holds the fewest workers, the one
    waiting longest among those: a client running many slow queries delays its own requests,
    not everyone else's.
    """

    def __init__(self, per_client: int) -> None:
        self.per_client = max(1, per_client)
        self._cond = threading.Condition()
        self._idle: list[W] = []
        self._waiting: list[_Waiter[W]] = []
        self._held: dict[str, int] = {}
        self._closed = False

    def get(self, client: str, timeout: float) -> W | None:
        """A worker for ``client``; None after ``timeout`` seconds, or once closed."""
        deadline = time.monotonic() + timeout
        waiter: _Waiter[W] = _Waiter(client)
        with self._cond:
            self._waiting.append(waiter)
            self._dispatch()
            while waiter.worker is None:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self._closed:
                    self._waiting.remove(waiter)
                    return None
                self._cond.wait(remaining)
            return waiter.worker

    def put(self, worker: W) -> None:
        """Add a worker ready for a job."""
        with self._cond:
            self._idle.append(worker)
            self._dispatch()

    def done(self, client: str, worker: W | None) -> None:
        """``client`` gives its worker back: idle again, or None when it is gone."""
        with self._cond:
            held = self._held.get(client, 0) - 1
            if held > 0:
                self._held[client] = held
            else:
                self._held.pop(client, None)
            if worker is not None:
                self._idle.append(worker)
            self._dispatch()

    def drain(self) -> list[W]:
        """Take every idle worker out."""
        with self._cond:
            idle, self._idle = self._idle, []
            return idle

    def close(self) -> None:
        """Forget the idle workers and wake every waiting request: it gets None."""
        with self._cond:
            self._closed = True
            self._idle.clear()
            self._cond.notify_all()

    def held(self, client: str) -> int:
        with self._cond:
            return self._held.get(client, 0)

    def waiting(self, client: str | None = None) -> int:
        with self._cond:
            return sum(client in (None, w.client) for w in self._waiting)

    def _dispatch(self) -> None:
        # Called with the condition held. min() keeps the first of equals: the longest waiting.
        handed = False
        while self._idle:
            eligible = [w for w in self._waiting if self._held.get(w.client, 0) < self.per_client]
            if not eligible:
                break
            waiter = min(eligible, key=lambda w: self._held.get(w.client, 0))
            self._waiting.remove(waiter)
            waiter.worker = self._idle.pop()
            self._held[waiter.client] = self._held.get(waiter.client, 0) + 1
            handed = True
        if handed:
            self._cond.notify_all()


class WorkerPool:
    """A fixed number of worker processes; a timed-out worker is killed and replaced.

    Each worker is a fresh interpreter: the server's threads are never forked, and a worker
    holds no handle it did not open itself (several may open one Oxigraph store read-only).

    Fair share: :class:`FairQueue`, clients named by :meth:`run`'s ``client``.

    Reload: every worker holds the data of one generation of the store (:func:`store_generation`)
    and jobs go only to workers of the pool's current one. Before a job, at most every
    :data:`GENERATION_CHECK_INTERVAL` seconds, the pool looks at the store on disk; when it has
    changed, one more worker is started on the new data and, once it is ready, the pool switches
    to it: the idle workers of the old data are killed and replaced, the busy ones when their
    job ends. Until then the old workers keep answering, so a store no worker can open (a graph
    file saved half-written) never leaves the server without workers.
    """

    def __init__(
        self,
        spec: str,
        graph_dir: str | None,
        *,
        size: int = DEFAULT_WORKERS,
        timeout: float = DEFAULT_TIMEOUT,
        queue_timeout: float | None = None,
        per_client: int | None = None,
        start_timeout: float = 120.0,
    ) -> None:
        from mskg.storespec import parse_store_spec

        self.spec = spec
        self.graph_dir = graph_dir
        self.timeout = timeout
        self.queue_timeout = (
            queue_timeout if queue_timeout is not None else max(timeout, MIN_QUEUE_TIMEOUT)
        )
        self.start_timeout = start_timeout
        self.size = max(1, size)
        self.per_client = max(1, per_client if per_client is not None else (self.size + 1) // 2)
        self._queue: FairQueue[_Worker] = FairQueue(self.per_client)
        # Lock order: self._lock, then the queue's; never the other way round.
        self._lock = threading.Lock()
        self._all: set[_Worker] = set()  # every process, starting or ready: close() kills them
        self._ready: set[_Worker] = set()  # idle or busy
        self._starting = 0  # threads starting a worker
        self._closed = False
        self._tracked = parse_store_spec(spec).kind != "sparql"
        self._generation = self._on_disk()
        self._probing: str | None = None  # the new generation a worker is being started for
        self._refused: str | None = None  # a new generation no worker could open
        self._check_lock = threading.Lock()
        self._checked = time.monotonic()
        workers: list[_Worker] = []
        try:
            workers.extend(self._spawn() for _ in range(self.size))
            for worker in workers:
                worker.wait_ready(start_timeout)
        except BaseException:
            self.close()
            raise
        for worker in workers:
            self._admit(worker)
        self._top_up()

    def _on_disk(self) -> str | None:
        return store_generation(self.spec, self.graph_dir) if self._tracked else None

    def _spawn(self) -> _Worker:
        worker = _Worker(self.spec, self.graph_dir, self.timeout, self._on_disk())
        with self._lock:
            self._all.add(worker)
            closed = self._closed
        if closed:  # close() ran while it started: it missed this one
            worker.kill()
        return worker

    def _start(self, probe: str | None = None) -> None:
        """Start a worker in the background (``probe``: to open that new generation); the
        caller holds ``self._lock``."""
        self._starting += 1
        threading.Thread(target=self._replace, args=(probe,), daemon=True).start()

    def _top_up(self) -> None:
        with self._lock:
            if not self._closed:
                for _missing in range(self.size - len(self._ready) - self._starting):
                    self._start()

    def _replace(self, probe: str | None) -> None:
        problem, expected = "", probe
        for _attempt in range(3):
            if self._closed:
                break
            try:
                worker = self._spawn()
            except OSError as exc:
                problem = f"cannot start a process: {exc}"
                continue
            expected = worker.expected
            try:
                worker.wait_ready(self.start_timeout)
            except StoreError as exc:
                with self._lock:
                    self._all.discard(worker)
                problem = str(exc)
                continue
            if self._admit(worker, replacing=True):
                return
            problem = "the store changed on disk while it started"
        problem = " ".join(problem.split())  # the log takes one line per event
        with self._lock:
            self._starting -= 1
            if probe is not None and self._probing == probe:
                self._probing = None
            if self._closed:
                return
            # A generation none of three workers could open is not tried again by _refresh.
            new = expected not in (None, self._generation, self._refused)
            if new:
                self._refused = expected
        if new:
            print(
                f"mskg serve: the store changed on disk, but a worker could not open it "
                f"({problem}); still answering from the data opened before",
                file=sys.stderr,
            )
        else:
            print(f"mskg serve: could not restart a query worker: {problem}", file=sys.stderr)

    def _admit(self, worker: _Worker, *, replacing: bool = False) -> bool:
        """Put a worker that has just started to work if it holds the data to serve. A worker
        holding data newer than the pool's, the data on disk now, switches the pool to it.
        ``replacing``: it was started by :meth:`_replace`, whose slot it takes once admitted."""
        generation = worker.generation
        # Equal before and after the open, the data opened is that generation's; otherwise a
        # load ran meanwhile and which data the worker holds is unknown.
        consistent = generation == worker.expected
        on_disk = self._on_disk() if consistent and generation != self._generation else None
        switched = False
        stale: list[_Worker] = []
        with self._lock:
            admitted = not self._closed and consistent
            if admitted and generation != self._generation:
                admitted = switched = generation is not None and generation == on_disk
                if switched:
                    self._generation = generation
                    self._probing = None
                    stale = self._queue.drain()  # every idle worker holds the old data
                    self._ready.difference_update(stale)
                    self._all.difference_update(stale)
            if admitted:
                self._ready.add(worker)
                if replacing:
                    self._starting -= 1
                self._queue.put(worker)
            else:
                self._all.discard(worker)
        if not admitted:
            worker.kill()
            return False
        if switched:
            for old in stale:
                old.kill()
            print("mskg serve: the store changed on disk; workers reopened it", file=sys.stderr)
            self._top_up()
        return True

    def _refresh(self) -> None:
        """Look at the store on disk (at most every GENERATION_CHECK_INTERVAL seconds) and start
        a worker on new data; :meth:`_admit` switches the pool when it is ready."""
        if not self._tracked:
            return
        with self._check_lock:
            now = time.monotonic()
            if now - self._checked < GENERATION_CHECK_INTERVAL:
                return
            self._checked = now
            on_disk = self._on_disk()
        with self._lock:
            if self._closed or on_disk in (None, self._generation, self._probing, self._refused):
                return
            self._probing = on_disk
            self._start(on_disk)

    def _release(self, worker: _Worker, client: str, alive: bool) -> None:
        with self._lock:
            keep = alive and not self._closed and worker.generation == self._generation
            if not keep:
                self._ready.discard(worker)
                self._all.discard(worker)
            self._queue.done(client, worker if keep else None)
        if not keep:
            worker.kill()
            self._top_up()

    def run(self, job: Job, client: str = LOCAL_CLIENT) -> Answer:
        """Run ``job`` for ``client`` (an HTTP client's address) on a worker: wait at most
        ``queue_timeout`` for one, then at most ``timeout`` for the answer."""
        self._refresh()
        worker = self._queue.get(client, self.queue_timeout)
        if worker is None:
            if self._queue.held(client) >= self.per_client:
                return error_answer(
                    503,
                    f"this client already has {self.per_client} queries running, the most one "
                    "client may; retry later",
                )
            return error_answer(
                503, f"all query workers busy for {self.queue_timeout:g} s; retry later"
            )
        alive = False
        try:
            worker.conn.send(job)
            if not worker.conn.poll(self.timeout):
                return error_answer(
                    503, f"query stopped: it ran longer than the {self.timeout:g} s time limit"
                )
            reply: Answer = worker.conn.recv()
            alive = True
            return reply
        except (EOFError, OSError):
            return error_answer(500, "the query worker died (out of memory?); try again")
        finally:
            self._release(worker, client, alive)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            workers = list(self._all)
            self._all.clear()
            self._ready.clear()
        self._queue.close()
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
    #: Workers one client (remote address) may hold at once; default: half of them, rounded up.
    per_client: int | None = None
    #: Origins whose web pages may read the answers (CORS): none by default, ``("*",)`` any.
    cors: tuple[str, ...] = ()
    request_read_timeout: float = DEFAULT_REQUEST_READ_TIMEOUT


_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://[^\s/?#@]+")


def cors_origins(values: Sequence[str]) -> tuple[str, ...]:
    """``--cors`` values (each one origin, or several separated by commas) checked and made
    lower case as browsers send them: ``*``, or origins like ``http://localhost:3000``."""
    origins: list[str] = []
    for value in values:
        for item in value.replace(",", " ").split():
            origin = item.lower().rstrip("/")
            if origin != "*" and not _ORIGIN.fullmatch(origin):
                raise UsageError(
                    f"--cors {item!r} is not an origin: give '*' or scheme://host[:port], "
                    "such as http://localhost:3000 (no path)"
                )
            origins.append(origin)
    return tuple(dict.fromkeys(origins))


#: A client that hangs up (or stalls until its time is up) before its answer: normal traffic.
_HANG_UPS = (ConnectionError, TimeoutError)


class MskgHTTPServer(ThreadingHTTPServer):
    """The HTTP server: threads for connections, a :class:`WorkerPool` for queries."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], config: ServerConfig) -> None:
        from mskg.store import parse_store_spec

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
    #: Bytes of the current request's body not read yet: left there, they must never be
    #: parsed as the next request, so an answer given without reading them closes.
    _body_pending = 0
    #: Close with a short drain of the input (see LINGER_SECONDS) rather than at once.
    _linger = False

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
            headers["Access-Control-Expose-Headers"] = "X-MSKG-Truncated, X-MSKG-Max-Rows"
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
        self._answer(self.server.pool.run(job, self.client_address[0]))

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
