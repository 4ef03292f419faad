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
            return _graph_page(store)
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


def _graph_page(store: Store) -> Answer:
    count = store.count()
    if count > GRAPH_PAGE_MAX_TRIPLES:
        return error_answer(
            413,
            f"the store holds {count} triples; the graph page draws at most "
            f"{GRAPH_PAGE_MAX_TRIPLES}: use `mskg viz --focus NAME` or a CONSTRUCT query",
        )
    from mskg.viz.page import build_network, render_html

    text = render_html(build_network(store.to_graph()), title="mskg")
    return Answer(200, "text/html; charset=utf-8", text.encode("utf-8"))


def one_line(exc: BaseException) -> str:
    """``TYPE: message`` on one line, for the log."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
