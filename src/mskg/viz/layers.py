"""Source layers of what is drawn: which family of sources (the article, the drug labels, a
side-effect import...) gives each edge and each node, so the page can tell them apart and switch
them off one by one.

The layers are read from the graph, never listed here: every ``mskg:SourceLayer`` (and anything
used as the object of ``mskg:sourceLayer``), with its ``skos:notation`` (the short key, else the
IRI's local name), label and definition. A source is in layer L when it has ``mskg:sourceLayer L``
or is part of (``dcterms:isPartOf``, at any depth) a document that has it.

* **An edge** described by association nodes is in the layers of the association's sources (the
  ``sources`` that :func:`mskg.graph.network.to_networkx` collects on it): article, label, or
  both when both sources describe the same triple. An edge with no association takes its source
  from its subject node, as graph/README's provenance rule says ("a node's sources cover links
  that have no association"): a label's boxed-warning node's ``mskg:warnsOf`` link is in the
  label layer.
* **A node** is in the layers of its own sources.
* Edges and nodes with no layered source (general knowledge, the ATC index, the Lublin paper, or
  no source at all) are in no layer: "other sources", always drawn.

The layer nodes themselves are not drawn: they are the page's switches.

Cost: one pass over the network, and a walk up ``dcterms:isPartOf`` from each source it names
(a few hundred at most, each walked once). A store that keeps its triples elsewhere is asked two
CONSTRUCT queries instead (the layers; the layers of the sources the drawing names, chunked),
whose small answer has the same shape and is read by the same code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from mskg.vocab import MSKG

if TYPE_CHECKING:
    import networkx as nx

    from mskg.stores.base import Store


#: What names a layer, in order of preference: its key (the short name the page shows on its
#: switch and legend) and its label.
_KEY_PREDICATES = (SKOS.notation,)
_LABEL_PREDICATES = (RDFS.label, SKOS.prefLabel, SKOS.altLabel)
_DEFINITION_PREDICATES = (SKOS.definition, RDFS.comment)
_DESCRIBING = (RDF.type, *_KEY_PREDICATES, *_LABEL_PREDICATES, *_DEFINITION_PREDICATES)


@dataclass(frozen=True)
class Layer:
    """One source layer as the page names it."""

    iri: str
    key: str
    label: str
    definition: str

    def record(self) -> dict[str, str]:
        return {
            "iri": self.iri,
            "key": self.key,
            "label": self.label,
            "definition": self.definition,
        }


def _text(graph: Graph, subject: Node, predicates: Iterable[URIRef]) -> str:
    """The English (else untagged, else any) literal of the first predicate that has one."""
    for predicate in predicates:
        values = [
            (0 if (v.language or "").lower().startswith("en") else 1 if not v.language else 2, v)
            for v in graph.objects(subject, predicate)
            if isinstance(v, Literal)
        ]
        if values:
            return str(min(values, key=lambda pair: (pair[0], str(pair[1])))[1])
    return ""


def _local_name(iri: str) -> str:
    for sep in ("#", "/", ":"):
        tail = iri.rstrip(sep).rsplit(sep, 1)[-1]
        if tail and tail != iri.rstrip(sep):
            return tail
    return iri


class LayerIndex:
    """The layers of a graph and the layers of its sources."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        found = set(graph.subjects(RDF.type, MSKG.SourceLayer))
        found |= {o for o in graph.objects(None, MSKG.sourceLayer) if isinstance(o, URIRef)}
        layers = []
        for term in found:
            if not isinstance(term, URIRef):
                continue
            key = _text(graph, term, _KEY_PREDICATES) or _local_name(str(term))
            label = _text(graph, term, _LABEL_PREDICATES) or key
            definition = _text(graph, term, _DEFINITION_PREDICATES)
            layers.append(Layer(str(term), key, label, definition))
        #: Every layer, by key then IRI (the page decides which one is drawn plain).
        self.layers: list[Layer] = sorted(layers, key=lambda layer: (layer.key, layer.iri))
        self._known = {layer.iri for layer in self.layers}
        self._memo: dict[str, frozenset[str]] = {}

    def of_source(self, iri: str) -> frozenset[str]:
        """The layers (IRIs) of one source: its own, and those of every document it is part
        of, at any depth."""
        if iri in self._memo:
            return self._memo[iri]
        found: set[str] = set()
        seen: set[Node] = set()
        pending: list[Node] = [URIRef(iri)]
        while pending:
            term = pending.pop()
            if term in seen:
                continue
            seen.add(term)
            found.update(str(o) for o in self.graph.objects(term, MSKG.sourceLayer))
            pending.extend(self.graph.objects(term, DCTERMS.isPartOf))
        layers = frozenset(found & self._known)
        self._memo[iri] = layers
        return layers

    def of_sources(self, entries: Iterable[dict[str, str]]) -> frozenset[str]:
        """The layers of the ``sources`` entries of a node or edge of the network."""
        out: set[str] = set()
        for entry in entries:
            iri = entry.get("iri", "")
            if iri and not iri.startswith("_:"):
                out |= self.of_source(iri)
        return frozenset(out)


def layer_index(graph: Graph) -> LayerIndex:
    """The layers of ``graph`` (the whole graph, or the small graph a store answered)."""
    return LayerIndex(graph)


def network_sources(network: nx.MultiDiGraph) -> set[str]:
    """The IRIs of every source a node or edge of ``network`` cites."""
    found: set[str] = set()
    for _, attrs in network.nodes(data=True):
        found.update(e.get("iri", "") for e in attrs.get("sources", []))
    for _, _, attrs in network.edges(data=True):
        found.update(e.get("iri", "") for e in attrs.get("sources", []))
    return {iri for iri in found if iri and not iri.startswith("_:")}


def store_layer_index(store: Store, sources: Iterable[str]) -> LayerIndex:
    """:class:`LayerIndex` of a store that keeps its triples elsewhere: it is asked for the
    layers and for the layer of each of ``sources`` only (``dcterms:isPartOf*`` walked by the
    store), as a small graph where each source names its layers directly."""
    from mskg.viz.fetch import _chunks

    describing = ", ".join(f"<{p}>" for p in _DESCRIBING)
    layer, part_of = f"<{MSKG.sourceLayer}>", f"<{DCTERMS.isPartOf}>"
    graph = Graph()
    graph += _construct(
        store,
        f"CONSTRUCT {{ ?l <{RDF.type}> <{MSKG.SourceLayer}> . ?l ?p ?o }} WHERE {{ "
        f"{{ ?l <{RDF.type}> <{MSKG.SourceLayer}> }} UNION {{ ?x {layer} ?l FILTER(isIRI(?l)) }} "
        f"OPTIONAL {{ ?l ?p ?o FILTER(?p IN ({describing})) }} }}",
    )
    for chunk in _chunks(URIRef(iri) for iri in sources):
        graph += _construct(
            store,
            f"CONSTRUCT {{ ?s {layer} ?l }} WHERE {{ VALUES ?s {{ {chunk} }} "
            f"?s {part_of}* ?d . ?d {layer} ?l }}",
        )
    return LayerIndex(graph)


def _construct(store: Store, sparql: str) -> Graph:
    # Internal queries built from IRIs checked by fetch._chunks: no guard to parse them.
    graph = store.query(sparql, guard=False, name="mskg viz").graph
    return graph if graph is not None else Graph()


#: Classes of sources: not drawn as nodes (see :func:`annotate_layers`).
SOURCE_CLASSES = frozenset(
    str(c) for c in (MSKG.InformationSource, MSKG.DrugLabel, MSKG.SourceSection, MSKG.SourceLayer)
)


def annotate_layers(
    network: nx.MultiDiGraph, index: LayerIndex, *, drop_sources: bool = True
) -> nx.MultiDiGraph:
    """Give every node and edge of ``network`` its ``layers`` (sorted layer IRIs, empty for
    "other sources") and the network the layers of the graph (``network.graph["layers"]``,
    records with ``iri``, ``key``, ``label``, ``definition``). Returns ``network``, changed in
    place.

    The layer nodes are removed: they are the page's switches, not things. With
    ``drop_sources`` (all but a ``--query`` drawing, which shows what it asked for) so are
    sources that no statement cites, which :func:`mskg.graph.network.to_networkx` cannot tell
    from things (a label whose sections nothing cites yet, with its ``mskg:labelOf`` link): a
    node of a :data:`SOURCE_CLASSES` class. Cited sources are never nodes."""
    layer_iris = {layer.iri for layer in index.layers}
    dropped = SOURCE_CLASSES if drop_sources else {str(MSKG.SourceLayer)}
    network.remove_nodes_from(
        [
            n
            for n, attrs in network.nodes(data=True)
            if n in layer_iris or dropped.intersection(attrs.get("types", []))
        ]
    )
    node_layers: dict[Any, frozenset[str]] = {}
    for n, attrs in network.nodes(data=True):
        node_layers[n] = index.of_sources(attrs.get("sources", []))
        attrs["layers"] = sorted(node_layers[n])
    for u, _, attrs in network.edges(data=True):
        if attrs.get("associations"):
            layers = index.of_sources(attrs.get("sources", []))
        else:
            # A link without an association is covered by its subject's sources.
            layers = node_layers[u]
        attrs["layers"] = sorted(layers)
    network.graph["layers"] = [layer.record() for layer in index.layers]
    return network
