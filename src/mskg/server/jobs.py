"""What a worker does with a job: run a named query, a SPARQL text, draw the graph page or
describe one resource (:mod:`mskg.server.resource`)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mskg.errors import MskgError, StoreError
from mskg.server.config import DEFAULT_MAX_ROWS, GRAPH_PAGE_MAX_TRIPLES
from mskg.server.results import negotiate, render

if TYPE_CHECKING:
    from mskg.stores.base import Store


@dataclass
class Job:
    """One request for a worker: a SPARQL text, a named query or the graph page."""

    kind: str  # "sparql", "named", "graph" or "resource" (query: the IRI, fmt: its format)
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
    """The file of the named query ``name``: a name from :func:`mskg.sparql.named.query_names` of
    the served queries folder, never a path. Anything else (``/etc/passwd``, ``../x``,
    ``/tmp/x.rq``)
    raises :class:`UnknownNameError` with the closest names, and no file is opened."""
    from mskg.errors import UnknownNameError
    from mskg.paths import default_queries_dir
    from mskg.sparql.named import QUERY_SUFFIX, query_names

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
    from mskg.sparql.named import query_from_text, read_query
    from mskg.stores import run_query
    from mskg.stores.endpoint import EndpointTimeout

    try:
        if job.kind == "graph":
            return _graph_page(store, job.params)
        if job.kind == "resource":
            from mskg.server.resource import resource_answer

            return resource_answer(store, job.query, job.fmt or "html")
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
    if result.truncated:
        headers["X-MSKG-Truncated"] = "true"
        headers["X-MSKG-Max-Rows"] = str(job.max_rows)
    from mskg.sparql.lint import GraphFacts, answer_warnings

    warnings = answer_warnings(named, result, GraphFacts.from_store(store))
    if warnings:
        headers[WARNING_HEADER] = header_list(str(warning) for warning in warnings)
    return Answer(200, content_type, body, headers)


#: The response header that carries the warnings about a query (:mod:`mskg.sparql.lint`): a
#: comma-separated list, each warning percent-encoded (:func:`header_list`). In a header, not in
#: the body, so that SPARQL protocol clients read the answer as the standard formats have it.
WARNING_HEADER = "X-MSKG-Warning"


def header_list(values: Iterable[str], limit: int = 4000) -> str:
    """``values`` as one HTTP header value: a comma-separated list of the values with ``%``,
    ``,`` and every character outside printable ASCII percent-encoded (UTF-8), so that a list
    item holds no comma, no line break and nothing a header cannot carry, and reads back with
    JavaScript's ``decodeURIComponent``; at most ``limit`` characters of whole items."""
    import urllib.parse

    items: list[str] = []
    size = 0
    for value in values:
        item = urllib.parse.quote(value, safe=" !\"#$&'()*+-./:;<=>?@[\\]^_`{|}~")
        if items and size + len(item) + 2 > limit:
            break
        items.append(item)
        size += len(item) + 2
    return ", ".join(items)


#: The most nodes ``/graph?node=...`` draws, and the most hops around a ``focus``: a link from
#: the query page names the nodes of one answer, not a graph.
GRAPH_MAX_NODES = 500
GRAPH_MAX_HOPS = 3
_GRAPH_PARAMS = ("node", "focus", "hops")


def graph_params(params: dict[str, list[str]]) -> dict[str, list[str]]:
    """The checked parameters of ``/graph``: ``node`` (repeated; IRIs or prefixed names, up to
    :data:`GRAPH_MAX_NODES`), or ``focus`` (an IRI, prefixed name or label) with ``hops``
    (0 to :data:`GRAPH_MAX_HOPS`, default 1). Raises :class:`UsageError` (a 400) otherwise."""
    from mskg.errors import UsageError
    from mskg.prefixes import expand_curie
    from mskg.sparql.params import valid_iri

    unknown = sorted(set(params) - set(_GRAPH_PARAMS))
    if unknown:
        raise UsageError(
            f"/graph takes node=IRI (repeated), or focus=IRI and hops=N; not {', '.join(unknown)}"
        )
    nodes = params.get("node", [])
    focus = params.get("focus", [])
    hops = params.get("hops", [])
    if nodes and (focus or hops):
        raise UsageError("/graph takes either node=... or focus=... (with hops), not both")
    if len(focus) > 1 or len(hops) > 1:
        raise UsageError("/graph takes one focus and one hops")
    if hops and not focus:
        raise UsageError("/graph: hops needs a focus")
    if len(nodes) > GRAPH_MAX_NODES:
        raise UsageError(f"/graph draws at most {GRAPH_MAX_NODES} nodes, not {len(nodes)}")
    checked: dict[str, list[str]] = {}
    if nodes:
        iris = []
        for node in nodes:
            iri = node.strip()
            if iri.startswith("<") and iri.endswith(">"):
                iri = iri[1:-1]
            elif not iri.startswith(("http://", "https://", "urn:")):
                iri = expand_curie(iri) or iri
            if (
                not iri.startswith(("http://", "https://", "urn:"))
                or len(iri) > 2000
                or not valid_iri(iri)
            ):
                shown = node if len(node) <= 100 else node[:100] + "..."
                raise UsageError(
                    f"/graph: node={shown!r} is not an IRI (http://, https:// or urn:) "
                    "nor a prefixed name such as mskr:natalizumab"
                )
            iris.append(iri)
        checked["node"] = sorted(set(iris))
    if focus:
        name = focus[0].strip()
        if not name or len(name) > 2000 or any(ord(c) < 32 for c in name):
            raise UsageError("/graph: focus must be an IRI, a prefixed name or a label")
        checked["focus"] = [name]
        value = hops[0].strip() if hops else "1"
        if not value.isdigit() or int(value) > GRAPH_MAX_HOPS:
            raise UsageError(f"/graph: hops must be a whole number from 0 to {GRAPH_MAX_HOPS}")
        checked["hops"] = [str(int(value))]
    return checked


def _graph_page(store: Store, params: dict[str, list[str]]) -> Answer:
    """The HTML graph: the whole store, the nodes ``params["node"]`` name (and the edges
    between them), or the neighbourhood of ``params["focus"]`` (see :func:`graph_params`)."""
    count = store.count()
    if count > GRAPH_PAGE_MAX_TRIPLES:
        return error_answer(
            413,
            f"the store holds {count} triples; the graph page draws at most "
            f"{GRAPH_PAGE_MAX_TRIPLES}: use `mskg viz --focus NAME` or a CONSTRUCT query",
        )
    from mskg.viz.page import build_network, page_title, render_html

    title = "mskg"
    if "focus" in params:
        hops = int(params["hops"][0])
        focus = params["focus"][0]
        network = build_network(store, focus=focus, hops=hops)
        title = page_title(focus=focus, hops=hops)
    else:
        network = build_network(store)
        if "node" in params:
            wanted = [n for n in params["node"] if n in network]
            if not wanted:
                return error_answer(
                    404,
                    "none of the nodes asked for is drawn in the graph (literals, "
                    "classes and statement nodes are not nodes of the drawing)",
                )
            network = network.subgraph(wanted).copy()
            title = f"mskg: {len(wanted)} node{'s' if len(wanted) != 1 else ''} of an answer"
    text = render_html(network, title=title)
    return Answer(200, "text/html; charset=utf-8", text.encode("utf-8"))


def one_line(exc: BaseException) -> str:
    """``TYPE: message`` on one line, for the log."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
