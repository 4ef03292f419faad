"""Where the graph lives: one descriptor string, one factory, three backends.

``--store`` on every command takes one of:

``memory`` (default)
    rdflib, in this process: the curated graph (or ``--graph DIR``) is parsed through
    :mod:`mskg.graph.loader` (via the parsed-graph cache of :mod:`mskg.graph.cache`). Nothing
    to start.
``oxigraph:PATH``
    an on-disk Oxigraph store opened with pyoxigraph; persistent between runs, filled by
    ``mskg load``, which replaces only a store it made (see :class:`OxigraphStore`). 30-100x
    faster than rdflib from about 10^5 triples.
``sparql:URL``
    any SPARQL 1.1 Protocol endpoint (Oxigraph server, Fuseki, QLever, Virtuoso, GraphDB), spoken
    to over HTTP with the standard library. ``mskg load`` writes to it with the SPARQL 1.1 Graph
    Store Protocol (see :class:`SparqlStore`).

:func:`open_store` reads the descriptor and returns a :class:`Store` of the backend its scheme
names (:data:`BACKENDS`, one module per backend). Every store answers :meth:`Store.query` with
the same :class:`mskg.sparql.results.QueryResult` (rdflib terms), so formatting, tests and the
server never care which backend answered; :func:`run_query` runs a named query
(header parameters bound) on any store.

pyoxigraph is imported inside the Oxigraph code only: ``mskg query`` on the memory store never
loads it (nor networkx, pyvis or pyshacl).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from mskg.stores.spec import StoreSpec, parse_store_spec

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

    from mskg.sparql.named import NamedQuery
    from mskg.sparql.results import QueryResult
    from mskg.stores.base import Store

#: The backends by descriptor scheme: module under ``mskg.stores`` and class. Imported only when
#: a store of that kind is opened, so that option parsing and the memory store load no backend.
BACKENDS: dict[str, tuple[str, str]] = {
    "memory": ("memory", "MemoryStore"),
    "oxigraph": ("oxigraph", "OxigraphStore"),
    "sparql": ("endpoint", "SparqlStore"),
}


def open_store(
    spec: str | StoreSpec | None = None,
    graph: Path | str | Graph | None = None,
    *,
    read_only: bool = False,
    create: bool = False,
    use_cache: bool = True,
    timeout: float | None = None,
) -> Store:
    """The one factory: open the store that ``spec`` describes.

    ``graph`` is the graph folder the memory store reads (default: the curated graph) or an
    rdflib graph to wrap; the other stores hold their own data and ignore it. ``read_only`` opens
    an Oxigraph store so that several processes may read it at once; ``create`` lets an Oxigraph
    store that does not exist yet be created (``mskg load``), otherwise a missing store is an
    error; with ``create`` an existing path must be an empty folder or a store mskg made.
    ``timeout`` is the HTTP timeout, in seconds, of a SPARQL endpoint.
    """
    import importlib

    parsed = parse_store_spec(spec)
    module_name, class_name = BACKENDS[parsed.kind]
    backend = getattr(importlib.import_module(f"mskg.stores.{module_name}"), class_name)
    store: Store = backend.open(
        parsed.location,
        graph,
        read_only=read_only,
        create=create,
        use_cache=use_cache,
        timeout=timeout,
    )
    return store


def run_query(
    query: NamedQuery | str,
    store: Store,
    *,
    params: Mapping[str, str | Sequence[str]] | None = None,
    queries_dir: Path | str | None = None,
    limit: int | None = None,
) -> QueryResult:
    """Run a named query (``NAME``, a ``.rq`` path, SPARQL text or a :class:`NamedQuery`) on
    ``store``, with its header parameters bound, read-only.

    On the memory store this is :func:`mskg.sparql.engine.run_query`. On the others the query
    passes the read-only guard (:meth:`Store.run_guarded`), its parameters are resolved as there
    (labels looked up by SPARQL on the store), a ``VALUES`` table of the bound parameters is
    written at the start of the WHERE clause and the text is evaluated by the store's own
    engine. A query without parameters is never parsed by rdflib.
    """
    from mskg.sparql.guard import guard_query
    from mskg.sparql.named import as_named_query
    from mskg.sparql.params import bind_parameters, check_parameter_values, check_parameters
    from mskg.stores.base import cap_result
    from mskg.stores.memory import MemoryStore

    query = as_named_query(query, queries_dir)
    check_parameter_values(params)
    if isinstance(store, MemoryStore):
        from mskg.sparql import engine

        result = engine.run_query(query, store.graph, params=params)
        check_parameters(result.bindings)  # the same refusal as on the other stores
        return cap_result(result, limit)
    bound: dict[str, list[Node]] = {}
    if params or any(p.default for p in query.header.params):
        # Binding reads the query's variables from rdflib's parse, cached per text.
        bound = bind_parameters(store.view(), query, guard_query(query), params)
    result = store.run_guarded(query, limit=limit, bound=bound)
    result.bindings = bound
    return result
