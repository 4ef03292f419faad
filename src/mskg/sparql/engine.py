"""Running a query on an rdflib graph (the memory store), read-only.

:func:`run_query` parses the query through the guard (:mod:`mskg.sparql.guard`), binds the
parameters by injecting a ``VALUES`` table into the query algebra, and returns a
:class:`~mskg.sparql.results.QueryResult`; ``--infer`` adds the RDFS or OWL 2 RL closure first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mskg.errors import QueryError, UsageError
from mskg.sparql.guard import prepare_query, walk_algebra
from mskg.sparql.named import NamedQuery, as_named_query
from mskg.sparql.params import bind_parameters, inject_values_algebra
from mskg.sparql.results import QueryResult
from mskg.vocab import bind_prefixes

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.plugins.sparql.sparql import Query
    from rdflib.term import Node


#: Inference regimes accepted by :func:`run_query`.
INFERENCE = ("owlrl", "rdfs")


def load_query_graph(
    path: Path | str | None = None, *, infer: str | None = None, use_cache: bool = True
) -> Graph:
    """The graph queries run on: the curated graph (or ``path``), optionally with its closure.

    ``infer`` is None (the asserted triples only), ``"rdfs"`` or ``"owlrl"``. The parsed graph,
    and each closure, is cached (see :mod:`mskg.graph.cache`).
    """
    from mskg.graph.cache import cached_graph

    if infer is None:
        return cached_graph(path, use_cache=use_cache)
    if infer not in INFERENCE:
        raise UsageError(f"unknown inference regime {infer!r}; use one of {', '.join(INFERENCE)}")
    regime = infer
    return cached_graph(
        path, variant=regime, transform=lambda g: infer_closure(g, regime), use_cache=use_cache
    )


#: SKOS axioms added before inference, so that ``skos:broaderTransitive`` is the closure of
#: ``skos:broader`` (PML is an infection, breast cancer a cancer).
_SKOS_AXIOMS = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
skos:broader rdfs:subPropertyOf skos:broaderTransitive ; owl:inverseOf skos:narrower .
skos:narrower rdfs:subPropertyOf skos:narrowerTransitive .
skos:broaderTransitive a owl:TransitiveProperty ; owl:inverseOf skos:narrowerTransitive .
skos:narrowerTransitive a owl:TransitiveProperty .
"""


def infer_closure(graph: Graph, regime: str = "owlrl") -> Graph:
    """A copy of ``graph`` with its RDFS or OWL 2 RL closure (via owlrl) added.

    The input graph is not changed. Subclasses, subproperties, inverse and transitive properties
    are applied: ``mskg:hasSeriousAdverseEffect`` implies ``mskg:hasAdverseEffect``, a
    ``mskg:Drug`` is a ``mskg:Treatment``, and an instance of a subclass of a class is an instance
    of that class.
    """
    import owlrl
    from rdflib import Graph as RdfGraph

    closure = RdfGraph()
    for prefix, namespace in graph.namespaces():
        closure.bind(prefix, namespace, override=True, replace=True)
    closure += graph
    if regime == "owlrl":
        closure.parse(data=_SKOS_AXIOMS, format="turtle")
        semantics: Any = owlrl.OWLRL_Semantics
    else:
        closure.parse(data=_SKOS_AXIOMS.split("owl:inverseOf")[0] + ".", format="turtle")
        semantics = owlrl.RDFS_Semantics
    owlrl.DeductiveClosure(semantics).expand(closure)
    return closure


def run_query(
    query: NamedQuery | str,
    graph: Graph | None = None,
    *,
    params: Mapping[str, str | Sequence[str]] | None = None,
    graph_dir: Path | str | None = None,
    infer: str | None = None,
    use_cache: bool = True,
    queries_dir: Path | str | None = None,
) -> QueryResult:
    """Run a named query, a :class:`NamedQuery` or a SPARQL string, read-only.

    ``query`` may be a query name, a path to a ``.rq`` file or, if it contains ``{`` or a space,
    SPARQL text.
    ``graph`` is the graph to query; by default the graph at ``graph_dir`` (or the curated graph)
    is loaded through the cache, with its ``infer`` closure if asked. ``params`` maps parameter
    names to one value or several (label, IRI or prefixed name).
    """
    query = as_named_query(query, queries_dir)
    prepared = prepare_query(query)
    if graph is None:
        graph = load_query_graph(graph_dir, infer=infer, use_cache=use_cache)
    elif infer is not None:
        graph = infer_closure(graph, infer)
    bound = bind_parameters(graph, query, prepared, params)
    inject_values_algebra(prepared, bound)
    return _evaluate(graph, prepared, query, bound)


def _refuse_named_graphs(prepared: Query, label: str) -> None:
    """A ``GRAPH`` pattern needs a dataset; the in-memory graph is one default graph."""
    for node in walk_algebra(prepared.algebra):
        if node.name == "Graph" and "term" in node:
            term = node.term
            shown = term.n3() if hasattr(term, "n3") else str(term)
            raise QueryError(
                f"GRAPH {shown} {{ ... }}: named graphs are not supported by the in-memory "
                "store, which holds the whole graph as one default graph; drop the GRAPH clause "
                "and match the triples directly",
                name=label,
            )


def _evaluate(
    graph: Graph, prepared: Query, query: NamedQuery, bound: dict[str, list[Node]]
) -> QueryResult:
    label = str(query.path) if query.path is not None else query.name
    # rdflib would fetch a SERVICE or FROM URL; the guard refused both before this point, by two
    # independent checks (prepare_query). rdflib's only other switches (CUSTOM_EVALS,
    # SPARQL_LOAD_GRAPHS) are process-wide, and not flipped per query here.
    if not getattr(graph, "context_aware", False):
        _refuse_named_graphs(prepared, label)
    try:
        result = graph.query(prepared)
        kind = str(result.type)
        if kind == "SELECT":
            variables = [str(v) for v in result.vars or []]
            rows: list[tuple[Node | None, ...]] = [tuple(row) for row in result]  # type: ignore[arg-type]
            return QueryResult(kind, variables=variables, rows=rows, bindings=bound)
        if kind == "ASK":
            return QueryResult(kind, boolean=bool(result.askAnswer), bindings=bound)
        out = result.graph
        if out is not None:
            bind_prefixes(out)
        return QueryResult(kind, graph=out, bindings=bound)
    except QueryError:
        raise
    except RecursionError as exc:
        raise QueryError("query too deeply nested to evaluate", name=label) from exc
    except Exception as exc:  # rdflib raises many types while evaluating
        raise QueryError(f"query failed: {type(exc).__name__}: {exc}", name=label) from exc
