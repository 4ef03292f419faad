"""One source layer's view of a graph: what the article alone says, what the labels alone say.

The graph reads several source layers side by side (graph/README.md, "Two source layers"): a
source document names its layer with ``mskg:sourceLayer``, a section is in the layer of the
document it is part of (``dcterms:isPartOf``, at any depth), and a fact that two layers state is
one asserted triple with one reified statement per source (``rdf:subject``, ``rdf:predicate``,
``rdf:object``, cited with ``prov:wasDerivedFrom``). :func:`layer_view` gives the graph as one
layer says it, by these rules:

* **A thing's layers** are the layers of the sources it cites (:data:`SOURCE_PREDICATES`) and,
  for a source, the layer it is in itself. A thing with no source in any layer (general
  knowledge, the ATC index, the reference table of identifiers, or no source at all) is
  background, and so is every term of the vocabulary (:data:`VOCABULARY_TYPES`: classes,
  properties, shapes), which every layer is written in, even where the ontology cites the
  article for a definition.
* **A node** is in the view when one of its layers is the layer asked for, or it is background.
  Its un-reified triples (types, labels, its own properties) are kept exactly when it is: a node
  that only the labels give (a drug brought in from its label, an effect only a label lists) is
  left out of the article's view with all of them.
* **A statement** (a node with ``rdf:subject``, ``rdf:predicate`` and ``rdf:object``) is in the
  view when one of its layers is the layer asked for; a background statement (an ATC drug class,
  a cross-reference) is in it when the thing it is about (its ``rdf:subject``) is. Its own
  triples (qualifiers, sources) are kept exactly when it is in the view.
* **A reified triple** (one that some statement describes) is kept when at least one of its
  statements is in the view: a fact that the article and a label both state is kept in the
  article's view with the article's statement only, and one only the label states is left out.
* **The nodes a kept fact names** but that are not in the view themselves (an effect the
  article introduced, which a label lists too) keep what makes them the same node in every
  layer: :data:`NAMING_PREDICATES` (type, label, synonyms, definition), none of their facts.

What a layer cannot be told apart from is kept: a node that both layers cite keeps every
un-reified triple it has, whichever layer's file wrote it, and a node citing both layers (a
``mskg:SourceDisagreement``) keeps its links to the other layer's statements and sections. The
view is a new graph of the same terms (literals keep their lexical forms); ``graph`` is not
changed.

Cost: two passes over the triples, and a walk up ``dcterms:isPartOf`` from each source cited
(each walked once).
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS
from rdflib.term import Node

from mskg.errors import UsageError
from mskg.graph.network import SOURCE_PREDICATES, VOCABULARY_TYPES
from mskg.vocab import MSKG

#: What a node is called and what it is, whichever layer says what of it: kept for a node that a
#: fact of the view names, when the node is not in the view itself.
NAMING_PREDICATES = (RDF.type, RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.definition)


def source_layers(graph: Graph) -> dict[URIRef, str]:
    """Every layer of ``graph`` (each ``mskg:SourceLayer``, and each object of
    ``mskg:sourceLayer``) with its notation (``skos:notation``; "" when it has none)."""
    found = {t for t in graph.subjects(RDF.type, MSKG.SourceLayer) if isinstance(t, URIRef)}
    found |= {t for t in graph.objects(None, MSKG.sourceLayer) if isinstance(t, URIRef)}
    return {
        layer: min((str(n) for n in graph.objects(layer, SKOS.notation)), default="")
        for layer in found
    }


def find_layer(graph: Graph, layer: str | URIRef) -> URIRef:
    """The layer ``layer`` names: its IRI, or its ``skos:notation`` (``article``, ``label``,
    ``sider``...). A name that matches no layer, or two, is a :class:`UsageError`."""
    layers = source_layers(graph)
    if URIRef(str(layer)) in layers:
        return URIRef(str(layer))
    matches = sorted(iri for iri, notation in layers.items() if notation == str(layer))
    if len(matches) != 1:
        known = ", ".join(sorted(n for n in layers.values() if n)) or "none"
        problem = "names no source layer" if not matches else "names several source layers"
        raise UsageError(f"{layer!r} {problem} (notations: {known})")
    return matches[0]


class _Layers:
    """The layers of the things of one graph, each source walked once."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.known = set(source_layers(graph))
        self._of_source: dict[Node, frozenset[URIRef]] = {}

    def of_source(self, source: Node) -> frozenset[URIRef]:
        """The layers of a source: its own and those of every document it is part of."""
        if source not in self._of_source:
            found: set[URIRef] = set()
            seen: set[Node] = set()
            pending: list[Node] = [source]
            while pending:
                term = pending.pop()
                if term in seen or isinstance(term, Literal):
                    continue
                seen.add(term)
                layers = self.graph.objects(term, MSKG.sourceLayer)
                found.update(o for o in layers if isinstance(o, URIRef))
                pending.extend(self.graph.objects(term, DCTERMS.isPartOf))
            self._of_source[source] = frozenset(found & self.known)
        return self._of_source[source]

    def of_thing(self, thing: Node) -> frozenset[URIRef]:
        """The layers of what ``thing`` cites, and its own if it is a source; none for a term
        of the vocabulary (a class, a property, a shape), which every layer is written in."""
        if any(t in VOCABULARY_TYPES for t in self.graph.objects(thing, RDF.type)):
            return frozenset()
        layers = set(self.of_source(thing))
        for predicate in SOURCE_PREDICATES:
            for source in self.graph.objects(thing, predicate):
                layers |= self.of_source(source)
        return frozenset(layers)


def layer_view(graph: Graph, layer: str | URIRef) -> Graph:
    """The triples of ``graph`` that the source layer ``layer`` (its IRI or its notation) says,
    with the background every layer shares: see the module's rules."""
    wanted = find_layer(graph, layer)
    layers = _Layers(graph)
    verdicts: dict[Node, bool] = {}

    def in_view(thing: Node) -> bool:
        if thing not in verdicts:
            found = layers.of_thing(thing)
            verdicts[thing] = not found or wanted in found
        return verdicts[thing]

    statements: dict[tuple[Node, Node, Node], list[Node]] = {}
    about: dict[Node, Node] = {}
    for statement, subject in graph.subject_objects(RDF.subject):
        verb, target = graph.value(statement, RDF.predicate), graph.value(statement, RDF.object)
        if verb is not None and target is not None:
            statements.setdefault((subject, verb, target), []).append(statement)
            about[statement] = subject

    def statement_in_view(statement: Node) -> bool:
        if layers.of_thing(statement):
            return in_view(statement)
        return in_view(about[statement])

    view = Graph(bind_namespaces="core")
    for prefix, namespace in graph.namespaces():
        view.bind(prefix, namespace, override=True, replace=True)
    named: set[Node] = set()
    for triple in graph:
        subject, predicate, target = triple
        if subject in about:
            keep = statement_in_view(subject)
        elif triple in statements:
            keep = any(statement_in_view(st) for st in statements[triple])
        else:
            keep = in_view(subject)
        if keep:
            view.add(triple)
            if subject not in about:
                named.add(subject)
                if predicate not in SOURCE_PREDICATES and isinstance(target, URIRef | BNode):
                    named.add(target)
    for node in named - about.keys():
        if not in_view(node):
            for predicate in NAMING_PREDICATES:
                for value in graph.objects(node, predicate):
                    view.add((node, predicate, value))
    return view
