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
from mskg.graph.formats import load_format, oxigraph_format
from mskg.graph.safety import UNSAFE_FORMATS, refuse_unsafe_input
from mskg.graph.terms import XSD_STRING
from mskg.stores.base import RDF_LANG_STRING, Store, cap_result
from mskg.stores.inputs import check_files, load_syntax_error, open_rdf, show_progress
from mskg.vocab import bind_prefixes

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from mskg.sparql.results import QueryResult


_RESULTS_ACCEPT = (
    "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8, "
    "application/sparql-results+xml;q=0.5"
)


class EndpointTimeout(StoreError):
    """A SPARQL endpoint sent nothing for longer than the store's HTTP timeout."""


class SparqlStore(Store):
    """A SPARQL 1.1 Protocol endpoint over HTTP (urllib; results read as SPARQL JSON).

    Queries are POSTed form-encoded to ``URL``. :meth:`load` uses the SPARQL 1.1 Graph Store
    Protocol on the default graph: ``PUT URL?default`` replaces it, ``POST`` (append) adds to it.
    The whole upload is one HTTP request (the files are converted to one N-Triples body first),
    so "atomic" here means what the server makes of one request: Oxigraph and Fuseki apply a
    Graph Store request in one transaction, so a failed upload leaves the graph as it was. The
    Graph Store URL is ``gsp_url`` if given, else guessed from the query URL: ``.../query`` ->
    ``.../store`` (Oxigraph server), ``.../sparql`` -> ``.../data`` (Fuseki).

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

    def _request(
        self,
        url: str,
        *,
        data: bytes | IO[bytes] | None = None,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
    ) -> tuple[str, bytes]:
        import urllib.error
        import urllib.request

        request = urllib.request.Request(url, data=data, method=method, headers=dict(headers or {}))
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.headers.get("Content-Type", ""), response.read()
        except urllib.error.HTTPError as exc:
            body = exc.read().decode("utf-8", "replace").strip()
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
        content_type, data = self._request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": _RESULTS_ACCEPT,
            },
        )
        return parse_results(data, content_type, limit)

    def load(
        self, files: Sequence[Path | str], *, append: bool = False, progress: bool | None = None
    ) -> int:
        paths = check_files(files)
        show = show_progress(paths, progress)
        with tempfile.TemporaryFile() as body:
            _to_ntriples(paths, body, show)
            size = body.tell()
            body.seek(0)
            separator = "&" if "?" in self.gsp_url else "?"
            self._request(
                f"{self.gsp_url}{separator}default",
                data=body,
                method="POST" if append else "PUT",
                headers={
                    "Content-Type": "application/n-triples",
                    "Content-Length": str(size),
                },
            )
        return self.count()

    def describe(self) -> str:
        return f"sparql:{self.url}"


def _guess_gsp_url(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    path = parts.path
    for suffix, replacement in (("/query", "/store"), ("/sparql", "/data")):
        if path.endswith(suffix):
            path = path[: -len(suffix)] + replacement
            break
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def _to_ntriples(paths: Sequence[Path], out: IO[bytes], progress: bool) -> None:
    """Convert ``paths`` to one N-Triples stream (pyoxigraph's parsers; blank nodes kept apart)."""
    import pyoxigraph

    for path in paths:
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
        result.truncated = truncated  # type: ignore[attr-defined]
        return result
    rdf_formats = {
        "application/n-triples": "nt",
        "text/plain": "nt",
        "text/turtle": "turtle",
        "application/rdf+xml": "xml",
        "application/ld+json": "json-ld",
    }
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
        bind_prefixes(graph)
        result = cap_result(QueryResult("CONSTRUCT", graph=graph), limit)
        result.truncated = truncated or result.truncated  # type: ignore[attr-defined]
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
