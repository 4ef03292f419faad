"""The ``sparql:URL`` store: any SPARQL 1.1 Protocol endpoint, over HTTP."""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from mskg.errors import GraphLoadError, QueryError, StoreError
from mskg.graph.formats import READ_MEDIA_TYPES, load_format, oxigraph_format
from mskg.graph.safety import UNSAFE_FORMATS, refuse_unsafe_input
from mskg.graph.sssom import is_mapping_file
from mskg.prefixes import RDF_LANG_STRING, XSD_STRING
from mskg.stores.base import Store, cap_result
from mskg.stores.inputs import (
    check_files,
    load_syntax_error,
    mapping_triples,
    open_rdf,
    show_progress,
)

if TYPE_CHECKING:
    from email.message import Message

    from rdflib import Graph
    from rdflib.term import Node

    from mskg.sparql.results import QueryResult


_RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5"
)

#: For a CONSTRUCT or DESCRIBE: RDF only. Offered JSON too, Virtuoso 7.2 answers a graph as
#: SPARQL JSON results (bindings of ?s ?p ?o), which is not a graph.
_GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9"


def _accept_for(sparql: str) -> str:
    """The ``Accept`` header for ``sparql``: by its query form (its first form keyword)."""
    from mskg.sparql.guard import keywords

    forms = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")
    form = next((word for word in keywords(sparql) if word in forms), "SELECT")
    return _GRAPH_ACCEPT if form in ("CONSTRUCT", "DESCRIBE") else _RESULTS_ACCEPT


class EndpointTimeout(StoreError):
    """A SPARQL endpoint sent nothing for longer than the store's HTTP timeout."""


class SparqlStore(Store):
    """A SPARQL 1.1 Protocol endpoint over HTTP (urllib; results read as SPARQL JSON).

    Queries are POSTed form-encoded to ``URL``. :meth:`load` uses the SPARQL 1.1 Graph Store
    Protocol on the graph the queries read: the default graph (``PUT GSP?default`` replaces it,
    ``POST`` (append) adds to it), or, when ``URL`` names one ``default-graph-uri=IRI``, that
    named graph (``PUT GSP?graph=IRI``), which every query then reads as its default graph.
    The whole upload is one HTTP request (the files are converted to one N-Triples body first),
    so "atomic" here means what the server makes of one request: Oxigraph and Fuseki apply a
    Graph Store request in one transaction, so a failed upload leaves the graph as it was.
    Virtuoso 7.2 does not: a PUT that fails part way on the server (a full disk) leaves the
    graph emptied and partly filled, so load again. mskg parses every file before sending
    anything, so a bad file never reaches any server. The
    Graph Store URL is ``gsp_url`` if given, else guessed from the query URL: ``.../query`` ->
    ``.../store`` (Oxigraph server), ``/sparql`` at the root -> ``/sparql-graph-crud-auth``
    (Virtuoso), other ``.../sparql`` -> ``.../data`` (Fuseki).

    Credentials come from the environment only, ``MSKG_GSP_USER`` and ``MSKG_GSP_PASSWORD``, so
    that no store descriptor, message or process list shows them; they are sent to the Graph
    Store only (queries go unauthenticated). A body-less ``HEAD`` asks the Graph Store which
    authentication it wants (Digest, as Virtuoso's ``/sparql-graph-crud-auth``, or Basic); the
    upload is then sent once, already authenticated. Virtuoso has no default graph for the Graph
    Store and queries its union of all graphs (system graphs included) without one, so give it
    a graph: ``sparql:http://127.0.0.1:8890/sparql?default-graph-uri=urn:x-mskg:graph``.

    Time limits: ``timeout`` is the HTTP timeout (seconds without a byte from the endpoint); when
    it passes the connection is closed and :class:`EndpointTimeout` raised. Closing the
    connection does not stop the query on the endpoint (an Oxigraph server keeps computing), and
    the SPARQL 1.1 Protocol has no time-limit parameter: the endpoint must enforce its own limit
    (``oxigraph serve --timeout-s N``; Fuseki ``arq:queryTimeout``). Parameters in ``URL`` are
    kept on every query request, so an endpoint's own per-request limit can be asked for there:
    ``sparql:http://host/sparql?timeout=10000`` (Virtuoso: milliseconds; units differ).
    """

    kind = "sparql"

    @classmethod
    def open(cls, location: str, graph: Path | str | Graph | None, **options: Any) -> SparqlStore:
        return cls(location, timeout=options.get("timeout"))

    def __init__(
        self, url: str, *, gsp_url: str | None = None, timeout: float | None = None
    ) -> None:
        self.url = url
        self.gsp_url = gsp_url or os.environ.get("MSKG_GSP_URL") or _guess_gsp_url(url)
        self.timeout = timeout if timeout is not None else 300.0
        user, password = os.environ.get("MSKG_GSP_USER"), os.environ.get("MSKG_GSP_PASSWORD")
        self._gsp_credentials = (user, password or "") if user else None

    def _request(
        self,
        url: str,
        *,
        data: bytes | IO[bytes] | None = None,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
    ) -> tuple[Message, bytes]:
        """The response's headers and body; an HTTP error as :class:`QueryError` (a 4xx the
        query caused) or :class:`StoreError`."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.headers, response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip()
            if "html" in (exc.headers.get("Content-Type") or "").lower():
                body = re.sub(r"<[^>]*>", " ", body)  # Virtuoso's errors are HTML pages
            body = " ".join(body.split())  # one line
            message = f"{method} {url}: HTTP {exc.code} {exc.reason}" + (
                f": {body[:500]}" if body else ""
            )
            if 400 <= exc.code < 500 and exc.code not in (401, 403, 404):
                raise QueryError(message) from exc
            raise StoreError(message) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            if isinstance(reason, TimeoutError):
                raise EndpointTimeout(
                    f"{method} {url}: no answer from the SPARQL endpoint within "
                    f"{self.timeout:g} s; the connection was closed (the endpoint may still be "
                    "computing: give it its own time limit)"
                ) from exc
            raise StoreError(f"{method} {url}: cannot reach the SPARQL endpoint: {reason}") from exc

    def _query(self, sparql: str, limit: int | None, label: str) -> QueryResult:
        body = urllib.parse.urlencode({"query": sparql}).encode("utf-8")
        headers, data = self._request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": _accept_for(sparql),
            },
        )
        result = parse_results(data, headers.get("Content-Type", ""), limit)
        # Virtuoso cuts an answer at its ResultSetMaxRows and says so only in this header.
        if headers.get("X-SPARQL-MaxRows"):
            result.truncated = True
        return result

    def load(
        self, files: Sequence[Path | str], *, append: bool = False, progress: bool | None = None
    ) -> int:
        paths = check_files(files)
        show = show_progress(paths, progress)
        with tempfile.TemporaryFile() as body:
            _to_ntriples(paths, body, show)
            size = body.tell()
            body.seek(0)
            url, method = _gsp_target(self.gsp_url, self.url), "POST" if append else "PUT"
            headers = {"Content-Type": "application/n-triples", "Content-Length": str(size)}
            if self._gsp_credentials is not None:
                headers.update(self._authorization(url, method))
            try:
                self._request(url, data=body, method=method, headers=headers)
            except StoreError as exc:
                raise self._load_error(exc, url, method) from exc
        return self.count()

    def _load_error(self, exc: StoreError, url: str, method: str) -> StoreError:
        """``exc`` of a failed upload, with the server's reason where it can be had and what to
        do about the refusals that say why."""
        message = str(exc)
        if "HTTP " not in message and not isinstance(exc, EndpointTimeout):
            # A server that refuses an upload before reading it (Virtuoso asking for credentials,
            # or having no default graph) closes the connection while the body is sent: a HEAD
            # of the same URL, authenticated as the upload was, gets the refusal.
            try:
                auth = self._authorization(url, "HEAD") if self._gsp_credentials else {}
            except StoreError:
                auth = {}
            status = self._head(url, auth)[0]
            if status >= 400 and status not in (405, 501):  # 405, 501: HEAD not supported
                message = (
                    f"{method} {url}: HTTP {status} (the server closed the connection during "
                    "the upload; its answer to a HEAD of the same URL)"
                )
        user = self._gsp_credentials[0] if self._gsp_credentials else None
        if re.search(r"HTTP 40[13]\b", message):
            if user is None:
                message += " (set MSKG_GSP_USER and MSKG_GSP_PASSWORD to the Graph Store's login)"
            else:
                message += f" (check MSKG_GSP_PASSWORD for user {user!r})"
        elif url.endswith("default") and re.search(r"default graph|HTTP 500\b", message):
            message += (
                " (a Graph Store without a default graph, as Virtuoso's: name a graph in the "
                "store URL, ?default-graph-uri=IRI)"
            )
        return type(exc)(message)

    def _head(self, url: str, headers: Mapping[str, str]) -> tuple[int, str]:
        """The status of a body-less ``HEAD`` to ``url`` and its ``WWW-Authenticate`` challenge
        (status 0 when the server cannot be reached)."""
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, method="HEAD", headers=dict(headers))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, ""
        except urllib.error.HTTPError as exc:
            return exc.code, exc.headers.get("WWW-Authenticate", "")
        except (urllib.error.URLError, OSError):
            return 0, ""

    def _authorization(self, url: str, method: str) -> dict[str, str]:
        """The ``Authorization`` header for a Graph Store request: a body-less ``HEAD`` to
        ``url`` fetches the challenge, which is answered here. urllib's own handlers would send
        the upload once unauthenticated and then again (a file body cannot be sent twice)."""
        import base64
        import urllib.request

        assert self._gsp_credentials is not None
        user, password = self._gsp_credentials
        status, challenge = self._head(url, {})
        if status != 401 or not challenge:
            return {}  # none asked for; or unreachable, which the request itself reports
        scheme, _, params = challenge.strip().partition(" ")
        if scheme.lower() == "basic":
            token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
            return {"Authorization": f"Basic {token}"}
        if scheme.lower() == "digest":
            passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            passwords.add_password(None, url, user, password)
            chal = urllib.request.parse_keqv_list(
                [p for p in urllib.request.parse_http_list(params) if p]
            )
            answer = urllib.request.HTTPDigestAuthHandler(passwords).get_authorization(
                urllib.request.Request(url, method=method), chal
            )
            if answer:
                return {"Authorization": f"Digest {answer}"}
        raise StoreError(
            f"{method} {url}: the Graph Store asks for {scheme or 'unknown'} authentication, "
            "which mskg cannot answer (it answers Basic and Digest with MD5 or SHA)"
        )

    def describe(self) -> str:
        return f"sparql:{self.url}"


def _guess_gsp_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    if path in ("/sparql", "/sparql/", "/sparql-auth"):  # Virtuoso's endpoint at the root
        return urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, "/sparql-graph-crud-auth", "", "")
        )
    for suffix, replacement in (("/query", "/store"), ("/sparql", "/data")):
        if path.endswith(suffix):
            path = path[: -len(suffix)] + replacement
            break
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _gsp_target(gsp_url: str, query_url: str) -> str:
    """The Graph Store URL of the graph the queries at ``query_url`` read: ``?graph=IRI`` when
    that URL names one ``default-graph-uri``, else ``?default``."""
    query = urllib.parse.urlsplit(query_url).query
    graphs = urllib.parse.parse_qs(query, keep_blank_values=True).get("default-graph-uri", [])
    if len(graphs) > 1:
        raise StoreError(
            "mskg load needs one graph to write: the store URL names "
            f"{len(graphs)} default-graph-uri parameters"
        )
    separator = "&" if "?" in gsp_url else "?"
    if graphs:
        return f"{gsp_url}{separator}graph={urllib.parse.quote(graphs[0], safe='')}"
    return f"{gsp_url}{separator}default"


def _to_ntriples(paths: Sequence[Path], out: IO[bytes], progress: bool) -> None:
    """Convert ``paths`` to one N-Triples stream (pyoxigraph's parsers; blank nodes kept apart)."""
    import pyoxigraph

    for path in paths:
        if is_mapping_file(path):
            triples = (quad.triple for quad in mapping_triples(path))
            pyoxigraph.serialize(triples, out, format=pyoxigraph.RdfFormat.N_TRIPLES)
            continue
        fmt, _compressed = load_format(path)
        with open_rdf(path, progress) as handle:
            try:
                quads = pyoxigraph.parse(
                    handle, format=oxigraph_format(fmt), base_iri=path.resolve().as_uri()
                )
                pyoxigraph.serialize(
                    (q.triple for q in quads), out, format=pyoxigraph.RdfFormat.N_TRIPLES
                )
            except SyntaxError as exc:
                raise load_syntax_error(path, exc) from exc


def parse_results(data: bytes, content_type: str, limit: int | None = None) -> QueryResult:
    """A SPARQL JSON results document, or an RDF graph, as a :class:`QueryResult`."""
    from rdflib import Graph as RdfGraph

    from mskg.sparql.results import QueryResult

    mime = content_type.split(";", 1)[0].strip().lower()
    if mime in ("application/sparql-results+json", "application/json"):
        try:
            document = json.loads(data)
        except ValueError as exc:
            _raise_if_cancelled(data)
            raise StoreError(f"the endpoint sent invalid SPARQL JSON: {exc}") from exc
        if "boolean" in document:
            return QueryResult("ASK", boolean=bool(document["boolean"]))
        variables = list(document.get("head", {}).get("vars", []))
        rows: list[tuple[Node | None, ...]] = []
        truncated = False
        for binding in document.get("results", {}).get("bindings", []):
            if limit is not None and len(rows) >= limit:
                truncated = True
                break
            rows.append(tuple(_from_json(binding.get(v)) for v in variables))
        result = QueryResult("SELECT", variables=variables, rows=rows)
        result.truncated = truncated
        return result
    rdf_formats = {**READ_MEDIA_TYPES, "text/plain": "nt"}
    if mime in rdf_formats:
        fmt = rdf_formats[mime]
        truncated = False
        if fmt == "nt" and limit is not None:
            # One triple per line: parse no more than the cap (and one line to know if cut).
            lines: dict[bytes, None] = {}
            for line in data.splitlines():
                line = line.strip()
                if line and not line.startswith(b"#"):
                    if len(lines) >= limit and line not in lines:
                        truncated = True
                        break
                    lines[line] = None
            data = b"\n".join(lines) + b"\n"
        if fmt in UNSAFE_FORMATS:
            # An endpoint's JSON-LD could name a remote @context, its RDF/XML declare entities:
            # the same refusal as for a graph file, so that answering never fetches or blows up.
            try:
                refuse_unsafe_input(Path("<endpoint answer>"), fmt, io.BytesIO(data))
            except GraphLoadError as exc:
                raise StoreError(f"the endpoint's {mime} answer is refused: {exc.reason}") from exc
        graph = RdfGraph()
        try:
            graph.parse(data=data, format=fmt)
        except Exception as exc:  # rdflib's parsers raise assorted exception types
            _raise_if_cancelled(data)
            raise StoreError(f"the endpoint sent an unreadable {mime} graph: {exc}") from exc
        from mskg.vocab import bind_prefixes  # rdflib: only to build a graph

        bind_prefixes(graph)
        result = cap_result(QueryResult("CONSTRUCT", graph=graph), limit)
        result.truncated = truncated or result.truncated
        return result
    raise StoreError(f"the endpoint answered with an unsupported content type {content_type!r}")


def _raise_if_cancelled(data: bytes) -> None:
    """Oxigraph's server sends 200 and then, when its ``--timeout-s`` stops the query, an error
    text in the middle of the stream; say so instead of "invalid JSON"."""
    tail = data[-300:].decode("utf-8", "replace")
    if re.search(r"cancel|timed? ?out|timeout", tail, re.IGNORECASE):
        raise EndpointTimeout(f"the SPARQL endpoint stopped the query (its time limit?): {tail}")


def _from_json(term: Mapping[str, str] | None) -> Node | None:
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return None
    kind, value = term.get("type"), term.get("value", "")
    if kind == "uri":
        return URIRef(value)
    if kind == "bnode":
        return BNode(value)
    lang = term.get("xml:lang")
    if lang:
        return Literal(value, lang=lang)
    datatype = term.get("datatype")
    if datatype and datatype not in (XSD_STRING, RDF_LANG_STRING):
        return Literal(value, datatype=URIRef(datatype))
    return Literal(value)


def wait_for_endpoint(url: str, timeout: float = 20.0) -> None:
    """Poll a SPARQL endpoint with ``ASK {}`` until it answers (for tests and scripts)."""
    deadline = time.monotonic() + timeout
    store = SparqlStore(url, timeout=2.0)
    while True:
        try:
            store.query("ASK {}", guard=False)
            return
        except (StoreError, QueryError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
