"""Choosing what to draw: a CONSTRUCT query, a node's neighbourhood, some types."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from mskg.errors import QueryError, UnknownNameError, UsageError
from mskg.viz.style import GROUPS, TREATMENT_GROUPS, group_of

if TYPE_CHECKING:
    import networkx as nx
    from rdflib import Graph

    from mskg.sparql.named import NamedQuery


def construct_query(query_text: str, name: str | None = None) -> NamedQuery:
    """``query_text`` as a query, checked by the one read-only guard
    (:func:`mskg.sparql.guard.prepare_query`) and refused unless it is a CONSTRUCT query."""
    from mskg.sparql.guard import prepare_query
    from mskg.sparql.named import query_from_text

    query = query_from_text(query_text, name or "<query>")
    form = prepare_query(query).algebra.name
    if form != "ConstructQuery":
        kind = form.replace("Query", "").upper() or form
        raise QueryError(
            f"mskg viz --query needs a CONSTRUCT query (it draws the triples it returns); "
            f"this is a {kind} query",
            name=name,
        )
    return query


def construct(graph: Graph, query_text: str, name: str | None = None) -> Graph:
    """The graph a SPARQL CONSTRUCT query returns; any other query form is refused."""
    from mskg.sparql.engine import run_query

    query = construct_query(query_text, name)
    result = run_query(query, graph)
    assert result.graph is not None  # a CONSTRUCT query always returns a graph
    return result.graph


#: Properties whose values name a node for :func:`find_node`, besides its labels (brand names).
NAME_PROPERTIES = ("schema:proprietaryName", "schema:nonProprietaryName", "schema:name")


def _names(attrs: dict[str, Any]) -> list[str]:
    props = attrs.get("properties", {})
    names = [attrs.get("label", ""), *attrs.get("alt_labels", [])]
    for key in NAME_PROPERTIES:
        names.extend(props.get(key, []))
    return [n for n in names if n]


def find_node(network: nx.MultiDiGraph, name: str) -> str:
    """The node called ``name``: its IRI, CURIE, label, other label or brand name (any case).

    When several nodes share the name, treatments win, then the first in sorted order. Raises
    :class:`UnknownNameError` listing the closest names.
    """
    from mskg.prefixes import expand_curie

    wanted = name.strip()
    if wanted in network:
        return wanted
    iri = expand_curie(wanted)
    if iri is not None and iri in network:
        return iri
    folded = wanted.casefold()
    hits = [
        n
        for n, attrs in network.nodes(data=True)
        if any(folded == candidate.casefold() for candidate in _names(attrs))
    ]
    if hits:
        hits.sort(key=lambda n: (group_of(network.nodes[n]).key not in TREATMENT_GROUPS, n))
        return str(hits[0])
    # Suggest treatments only: a near miss of "rituximab" should not offer "chemotherapy drug".
    candidates = sorted(
        {
            c
            for _, attrs in network.nodes(data=True)
            if group_of(attrs).key in TREATMENT_GROUPS
            for c in _names(attrs)
        }
    )
    raise UnknownNameError("focus node", name, candidates)


def neighbourhood(network: nx.MultiDiGraph, center: str, hops: int) -> nx.MultiDiGraph:
    """The nodes within ``hops`` relations of ``center`` (either direction) and their edges."""
    import networkx as nx

    if hops < 0:
        raise UsageError(f"--hops must be 0 or more, not {hops}")
    keep = nx.single_source_shortest_path_length(network.to_undirected(as_view=True), center, hops)
    sub: nx.MultiDiGraph = network.subgraph(sorted(keep)).copy()
    return sub


def filter_types(
    network: nx.MultiDiGraph, names: Sequence[str], graph: Graph | None = None
) -> nx.MultiDiGraph:
    """Only the nodes having one of the classes ``names`` (or a subclass), and their edges.

    A name is a class IRI, CURIE (``mskg:Drug``), local name (``AdverseEffect``), class label
    (``adverse effect``) or display group (``dmt``, ``adverse``...).
    """
    from rdflib import URIRef
    from rdflib.namespace import RDFS

    from mskg.graph.hierarchy import subclasses
    from mskg.prefixes import compress_iri

    known: dict[str, set[str]] = {}
    spelled: dict[str, str] = {}

    def remember(key: str, iris: Iterable[str]) -> None:
        known.setdefault(key.casefold(), set()).update(iris)
        spelled.setdefault(key.casefold(), key)

    for group in GROUPS:
        remember(group.key, group.classes)
        remember(group.label, group.classes)
    labels: dict[str, str] = {}
    for _, attrs in network.nodes(data=True):
        if attrs.get("class") and attrs.get("class_label"):
            labels[attrs["class"]] = attrs["class_label"]
        for iri in attrs.get("types", []):
            labels.setdefault(iri, "")
    if graph is not None:
        from rdflib.namespace import OWL, RDF

        for cls_type in (OWL.Class, RDFS.Class):
            for cls in graph.subjects(RDF.type, cls_type):
                if isinstance(cls, URIRef):
                    cls_label = graph.value(cls, RDFS.label)
                    labels.setdefault(str(cls), "" if cls_label is None else str(cls_label))
    for iri, text in labels.items():
        remember(iri, [iri])
        remember(re.split(r"[/#]", iri)[-1], [iri])
        if text:
            remember(text, [iri])
        curie = compress_iri(iri)
        if curie is not None:
            remember(curie, [iri])
    wanted: set[str] = set()
    for name in names:
        for part in (p.strip() for p in name.split(",")):
            if not part:
                continue
            iris = known.get(part.casefold())
            if iris is None:
                names_ = sorted(spelled[k] for k in known if "/" not in k and "#" not in k)
                raise UnknownNameError("class", part, names_)
            wanted |= iris
    if graph is not None:
        for iri in list(wanted):
            wanted |= {str(sub) for sub in subclasses(graph, URIRef(iri))}
    keep = [n for n, attrs in network.nodes(data=True) if wanted & set(attrs.get("types", []))]
    result: nx.MultiDiGraph = network.subgraph(sorted(keep)).copy()
    return result
