"""The RDF graph as a readable property graph: :func:`to_networkx` and :func:`write_network`.

``to_networkx(graph)`` turns any rdflib graph (the curated graph, a CONSTRUCT result, an import)
into a :class:`networkx.MultiDiGraph` that a person can read: one node per thing, one edge per
relation between things, and everything else folded into attributes. The projection rules:

* **Vocabulary is not drawn.** Subjects declared as classes, properties or ontologies
  (``owl:Class``, ``rdfs:Class``, ``rdf:Property``, ``owl:*Property``, ``owl:Ontology``...), and
  every term in the namespace of an ``owl:Ontology`` declared in the graph (its IRI, or its
  ``vann:preferredNamespaceUri``), contribute labels and definitions only. A vocabulary term
  becomes a node only when instance data points at it (``mskg:actionType mskg:Targeting``).
* **Types are attributes, not edges.** ``rdf:type`` gives ``types`` and the primary ``class``
  (the most specific mskg class by :data:`CLASS_PRIORITY`, else the first IRI in sorted order).
* **Literals are attributes.** ``rdfs:label``/``skos:prefLabel``/``schema:name`` give ``label``
  (English first, then untagged), ``skos:definition``/``rdfs:comment`` give ``definition``,
  ``skos:altLabel`` gives ``alt_labels``, and every other literal goes to ``properties``
  (keyed by CURIE, values as written: ``"P28D"`` stays ``"P28D"``). Doses are never nodes.
* **Reified statements become edge attributes.** A node with ``rdf:subject``, ``rdf:predicate``
  and ``rdf:object`` (mskg's association nodes) is not drawn; its qualifiers go onto the edge it
  describes: ``severity`` (``serious``/``common``, from the predicate), ``potentially_fatal``,
  ``frequency``, ``sources`` and any other qualifier in ``properties``. Resources used only as
  qualifiers (a usage restriction with no relations of its own) are not drawn either. When the
  described triple is not asserted in ``graph`` (a CONSTRUCT that returned the association only),
  the edge is still added.
* **Provenance is an attribute.** Objects of ``prov:wasDerivedFrom`` (and ``dcterms:isPartOf``
  chains above them) become ``sources`` on the node or edge, not nodes.
* **Cross-references are attributes.** ``skos:exactMatch``/``closeMatch``/``broadMatch``/
  ``narrowMatch``/``relatedMatch``, ``owl:sameAs`` and ``schema:code`` (ATC codes) to IRIs that
  have no triples of their own
  (DrugBank, ChEBI, MeSH, Wikidata, CL, MONDO, HPO...) become ``identifiers``, also when a
  reified statement records where the mapping came from.
* **Parts are folded into their whole.** Objects of :data:`FOLD_PREDICATES` (``mskg:hasPhase``:
  the phases of a dosing regimen) become ``parts`` of the subject, with their own properties,
  ordered by ``mskg:phaseOrder``. The regimen itself stays a node (class "dosing").
* **Edges read as sentences.** An edge's ``label`` is the predicate's label, except for
  general-purpose predicates in :data:`PREDICATE_LABELS` (``skos:broader`` is "is a kind of").
* **Blank nodes get stable ids** (``_:`` plus a hash from rdflib's canonical labelling), so the
  same graph always gives the same network.

``context`` (optional) is a second graph, usually the full curated graph, consulted for labels,
types, definitions, identifiers, sources and association qualifiers of the nodes and edges that
``graph`` has; it never adds nodes or edges. ``mskg viz --query`` uses it so a CONSTRUCT that
returns bare triples still shows names, classes and severities.

Node attributes: ``iri``, ``label``, ``class``, ``class_label``, ``types``, ``definition``,
``alt_labels``, ``identifiers`` (``[{"iri", "relation"}]``), ``sources`` (``[{"iri", "label"}]``),
``properties`` (``{curie: [values]}``), ``parts``. Edge attributes (the key is the predicate IRI):
``predicate``, ``label``, ``severity``, ``potentially_fatal``, ``frequency``, ``sources``,
``associations``, ``properties``. :func:`write_network` flattens lists and dicts for GraphML and
GEXF, which take scalar attributes only.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from mskg.errors import UsageError
from mskg.prefixes import curie_or_iri
from mskg.vocab import MSKG, SCHEMA

if TYPE_CHECKING:
    import networkx as nx


VANN_PREFERRED_NS = URIRef("http://purl.org/vocab/vann/preferredNamespaceUri")


SH = "http://www.w3.org/ns/shacl#"


#: Types whose instances are vocabulary: their triples are schema, not knowledge.
VOCABULARY_TYPES: frozenset[URIRef] = frozenset(
    {
        OWL.Class,
        RDFS.Class,
        RDF.Property,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.AnnotationProperty,
        OWL.TransitiveProperty,
        OWL.SymmetricProperty,
        OWL.FunctionalProperty,
        OWL.InverseFunctionalProperty,
        OWL.Ontology,
        OWL.Restriction,
        OWL.AllDisjointClasses,
        RDFS.Datatype,
        URIRef(SH + "NodeShape"),
        URIRef(SH + "PropertyShape"),
    }
)


LABEL_PREDICATES = (RDFS.label, SKOS.prefLabel, SCHEMA.name, DCTERMS.title)


DEFINITION_PREDICATES = (SKOS.definition, RDFS.comment, DCTERMS.description)


ALT_LABEL_PREDICATES = (SKOS.altLabel,)


IDENTIFIER_PREDICATES = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
    OWL.sameAs,
    SCHEMA.code,  # a classification code (ATC), read as a cross-reference
)


SOURCE_PREDICATES = (PROV.wasDerivedFrom, PROV.hadPrimarySource, DCTERMS.source)


#: Predicates whose object is folded into the subject as one of its ``parts``.
FOLD_PREDICATES = (MSKG.hasPhase,)


#: Order of parts, when they have it.
PART_ORDER_PREDICATES = (MSKG.phaseOrder, MSKG.sectionOrder)


REIFICATION = (RDF.subject, RDF.predicate, RDF.object)


#: Severity of an adverse-effect edge, from its predicate.
SEVERITY_BY_PREDICATE: dict[URIRef, str] = {
    MSKG.hasSeriousAdverseEffect: "serious",
    MSKG.hasCommonAdverseEffect: "common",
}


#: Primary class of a node with several types: the first of these it has.
CLASS_PRIORITY: tuple[URIRef, ...] = (
    MSKG.DiseaseModifyingTherapy,
    MSKG.RelapseTreatment,
    MSKG.Drug,
    MSKG.BloodProduct,
    MSKG.Procedure,
    MSKG.InfusionTreatment,
    MSKG.Treatment,
    MSKG.MechanismOfAction,
    MSKG.CellType,
    MSKG.MolecularEntity,
    MSKG.MSSubtype,
    MSKG.QualifiedMSCourse,
    MSKG.MSCourseGroup,
    MSKG.MSSeverity,
    MSKG.MSForm,
    MSKG.DiseaseEpisode,
    MSKG.AdverseEffect,
    MSKG.Symptom,
    MSKG.Disease,
    MSKG.DosingRegimen,
    MSKG.CumulativeDoseLimit,
    MSKG.DosingPhase,
    MSKG.DrugClass,
    MSKG.AdministrationMethod,
    MSKG.CareSetting,
    MSKG.RegulatoryApproval,
    MSKG.RegulatoryAgency,
    MSKG.AnatomicalStructure,
    MSKG.UsageRestriction,
    MSKG.ActionType,
    MSKG.DosingPhaseType,
    MSKG.FrequencyCategory,
    MSKG.SourceSection,
    MSKG.InformationSource,
)


_IGNORED_TYPES = frozenset({OWL.NamedIndividual, OWL.Thing, RDFS.Resource, SKOS.Concept})


#: Edge labels for general-purpose predicates whose own labels ("broader") read badly on an edge.
PREDICATE_LABELS: dict[URIRef, str] = {
    SKOS.broader: "is a kind of",
    SKOS.narrower: "has kind",
    SKOS.related: "is related to",
    RDFS.subClassOf: "is a subclass of",
    RDFS.seeAlso: "see also",
    DCTERMS.isPartOf: "is part of",
    DCTERMS.hasPart: "has part",
}


#: Network formats written by :func:`write_network`.
NETWORK_FORMATS = ("graphml", "gexf", "json")


class _Index:
    """One pass over a graph: subject -> predicate -> objects, so that lookups are dict reads
    (rdflib's triple pattern matching costs microseconds per call, and to_networkx makes
    hundreds of thousands of them for a graph of a few thousand nodes)."""

    def __init__(self, triples: Iterable[tuple[Node, Node, Node]]) -> None:
        index: dict[Node, dict[URIRef, list[Node]]] = {}
        for s, p, o in triples:
            index.setdefault(s, {}).setdefault(URIRef(str(p)), []).append(o)
        self.by_subject = index

    def objects(self, subject: Node, predicate: URIRef) -> list[Node]:
        return self.by_subject.get(subject, {}).get(predicate, [])


class _Lookup:
    """Reads attributes from ``graph`` and, for what ``graph`` lacks, from ``context``."""

    def __init__(
        self,
        graph: Graph,
        context: Graph | None,
        triples: Iterable[tuple[Node, Node, Node]] | None = None,
    ) -> None:
        self.graphs = [graph] if context is None or context is graph else [graph, context]
        self.indexes = [_Index(graph if triples is None else triples)]
        self.indexes.extend(_Index(g) for g in self.graphs[1:])
        self._labels: dict[Node, str] = {}

    def objects(self, subject: Node, predicate: URIRef) -> list[Node]:
        if len(self.indexes) == 1:
            return sorted(set(self.indexes[0].objects(subject, predicate)), key=term_sort_key)
        found: set[Node] = set()
        for index in self.indexes:
            found.update(index.objects(subject, predicate))
        return sorted(found, key=term_sort_key)

    def predicate_objects(self, subject: Node) -> list[tuple[URIRef, Node]]:
        found: set[tuple[URIRef, Node]] = set()
        for index in self.indexes:
            for p, objects in index.by_subject.get(subject, {}).items():
                found.update((p, o) for o in objects)
        return sorted(found, key=lambda po: (str(po[0]), term_sort_key(po[1])))

    def has_triples(self, subject: Node) -> bool:
        return any(subject in index.by_subject for index in self.indexes)

    def label(self, node: Node) -> str:
        if node in self._labels:
            return self._labels[node]
        label = ""
        for predicate in LABEL_PREDICATES:
            label = best_literal(self.objects(node, predicate))
            if label:
                break
        if not label:
            label = _local_name(node)
        self._labels[node] = label
        return label

    def text(self, node: Node, predicates: Iterable[URIRef]) -> str:
        for predicate in predicates:
            value = best_literal(self.objects(node, predicate))
            if value:
                return value
        return ""


def predicate_label(lookup: _Lookup, predicate: URIRef) -> str:
    """How an edge of ``predicate`` is labelled: :data:`PREDICATE_LABELS`, else the predicate's
    label in the graph, else its local name in words."""
    if predicate in PREDICATE_LABELS:
        return PREDICATE_LABELS[predicate]
    if lookup.has_triples(predicate):
        return lookup.label(predicate)
    return _camel_to_words(_local_name(predicate))


def term_sort_key(term: Node) -> tuple[int, str]:
    """A total order of RDF terms: IRIs, then blank nodes, then literals, each by text."""
    return (0 if isinstance(term, URIRef) else 1 if isinstance(term, BNode) else 2, str(term))


def preferred_literal(values: Iterable[Node]) -> Literal | None:
    """The English literal if there is one, else an untagged one, else the first other (by
    language tag, then text); None when no value is a literal."""
    literals = [v for v in values if isinstance(v, Literal)]
    if not literals:
        return None

    def rank(lit: Literal) -> tuple[int, str, str]:
        lang = (lit.language or "").lower()
        order = 0 if lang in ("en", "en-gb", "en-us") else 1 if not lang else 2
        return (order, lang, str(lit))

    return min(literals, key=rank)


def best_literal(values: Iterable[Node]) -> str:
    """The text of :func:`preferred_literal`, or "" when there is none."""
    literal = preferred_literal(values)
    return "" if literal is None else str(literal)


def _camel_to_words(text: str) -> str:
    """``hasSeriousAdverseEffect`` -> ``has serious adverse effect``; acronyms stay (``MS``)."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", text).replace("_", " ").split()
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)


def _local_name(node: Node) -> str:
    text = str(node)
    if isinstance(node, BNode):
        return f"_:{text[:8]}"
    for sep in ("#", "/", ":"):
        if sep in text.rstrip(sep):
            tail = text.rstrip(sep).rsplit(sep, 1)[1]
            if tail:
                return tail
    return text


def _literal_value(literal: Literal) -> str:
    return str(literal)


def node_id(term: Node) -> str:
    """The networkx node key of an RDF term: the IRI, or ``_:`` and a stable blank-node id."""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def _canonical(
    graph: Graph, triples: list[tuple[Node, Node, Node]]
) -> tuple[Graph, list[tuple[Node, Node, Node]]]:
    """``graph`` and its ``triples`` as they are, or, when it has blank nodes, a copy with
    stable blank-node ids."""
    if not any(isinstance(s, BNode) or isinstance(o, BNode) for s, _, o in triples):
        return graph, triples
    from rdflib.compare import to_canonical_graph

    canonical = to_canonical_graph(graph)
    renamed = Graph()
    mapping: dict[BNode, BNode] = {}

    def rename(term: Node) -> Node:
        if isinstance(term, BNode):
            if term not in mapping:
                mapping[term] = BNode("b" + hashlib.sha1(str(term).encode()).hexdigest()[:12])
            return mapping[term]
        return term

    for s, p, o in canonical:
        renamed.add((rename(s), p, rename(o)))
    for prefix, namespace in graph.namespaces():
        renamed.bind(prefix, namespace)
    return renamed, list(renamed)


def vocabulary_namespaces(graphs: Iterable[Graph]) -> list[str]:
    """The namespaces of the ontologies that ``graphs`` declare (``owl:Ontology``): the
    ontology IRI with ``/`` and ``#``, and its ``vann:preferredNamespaceUri``. Their terms are
    vocabulary (the module docstring's first rule); ``rstrip("/#")`` of each is the ontology."""
    namespaces: list[str] = []
    for g in graphs:
        for ontology in g.subjects(RDF.type, OWL.Ontology):
            base = str(ontology)
            namespaces.extend([base + "/", base + "#"] if base[-1] not in "/#" else [base])
            for ns in g.objects(ontology, VANN_PREFERRED_NS):
                namespaces.append(str(ns))
    return namespaces


def _vocabulary(lookup: _Lookup, subjects: Iterable[Node]) -> set[Node]:
    namespaces = vocabulary_namespaces(lookup.graphs)
    bases = {n.rstrip("/#") for n in namespaces}
    vocab: set[Node] = set()
    for subject in subjects:
        typed = any(t in VOCABULARY_TYPES for t in lookup.objects(subject, RDF.type))
        in_namespace = isinstance(subject, URIRef) and (
            any(str(subject).startswith(n) for n in namespaces) or str(subject) in bases
        )
        if typed or in_namespace:
            vocab.add(subject)
    return vocab


def _own(index: _Index, subject: Node) -> list[tuple[URIRef, Node]]:
    """The (predicate, object) pairs of ``subject`` in the indexed graph alone, sorted."""
    pairs = {(p, o) for p, objects in index.by_subject.get(subject, {}).items() for o in objects}
    return sorted(pairs, key=lambda po: (str(po[0]), term_sort_key(po[1])))


def _is_association(index: _Index, subject: Node) -> bool:
    return all(index.objects(subject, p) for p in REIFICATION)


def _primary_class(types: list[Node]) -> Node | None:
    for cls in CLASS_PRIORITY:
        if cls in types:
            return cls
    rest = [t for t in types if t not in _IGNORED_TYPES]
    if rest:
        return rest[0]
    return types[0] if types else None


def _sources(lookup: _Lookup, subject: Node) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for predicate in SOURCE_PREDICATES:
        for source in lookup.objects(subject, predicate):
            label = lookup.label(source) if not isinstance(source, Literal) else str(source)
            entry = {
                "iri": node_id(source) if not isinstance(source, Literal) else "",
                "label": label,
            }
            whole = lookup.objects(source, DCTERMS.isPartOf)
            if whole:
                entry["part_of"] = "; ".join(lookup.label(w) for w in whole)
            urls = [str(u) for u in lookup.objects(source, SCHEMA.url)]
            for w in whole:
                urls.extend(str(u) for u in lookup.objects(w, SCHEMA.url))
            if urls:
                entry["url"] = urls[0]
            out.append(entry)
    return out


def _properties(
    lookup: _Lookup, subject: Node, skip: Iterable[URIRef], resources_as_labels: bool
) -> dict[str, list[str]]:
    """Literal properties of ``subject`` by CURIE; IRI values too if ``resources_as_labels``."""
    skipped = set(skip)
    props: dict[str, list[str]] = defaultdict(list)
    for predicate, value in lookup.predicate_objects(subject):
        if predicate in skipped:
            continue
        if isinstance(value, Literal):
            props[curie_or_iri(str(predicate))].append(_literal_value(value))
        elif resources_as_labels:
            props[curie_or_iri(str(predicate))].append(lookup.label(value))
    return {key: values for key, values in sorted(props.items())}


_NODE_LITERAL_SKIP = (
    RDF.type,
    *LABEL_PREDICATES,
    *DEFINITION_PREDICATES,
    *ALT_LABEL_PREDICATES,
    *SOURCE_PREDICATES,
)


def _part(lookup: _Lookup, part: Node) -> dict[str, Any]:
    types = lookup.objects(part, RDF.type)
    cls = _primary_class(types)
    order = ""
    for predicate in PART_ORDER_PREDICATES:
        values = lookup.objects(part, predicate)
        if values:
            order = str(values[0])
            break
    skip = (*_NODE_LITERAL_SKIP, *PART_ORDER_PREDICATES, *IDENTIFIER_PREDICATES)
    return {
        "iri": node_id(part),
        "label": lookup.label(part),
        "class_label": lookup.label(cls) if cls is not None else "",
        "definition": lookup.text(part, DEFINITION_PREDICATES),
        "order": order,
        "properties": _properties(lookup, part, skip, resources_as_labels=True),
        "sources": _sources(lookup, part),
    }


def _part_sort_key(part: dict[str, Any]) -> tuple[float, str, str]:
    try:
        order = float(part["order"])
    except ValueError:
        order = float("inf")
    return (order, part["label"], part["iri"])


def to_networkx(graph: Graph, *, context: Graph | None = None) -> nx.MultiDiGraph:
    """The readable property graph of ``graph`` (rules in this module's docstring).

    ``context``, usually the full curated graph, supplies labels, classes, definitions,
    identifiers, sources and association qualifiers for what ``graph`` contains.
    """
    import networkx as nx

    graph, triples = _canonical(graph, list(graph))
    lookup = _Lookup(graph, context, triples)
    own = lookup.indexes[0]
    subjects = sorted(own.by_subject, key=term_sort_key)
    vocabulary = _vocabulary(lookup, subjects)
    associations = [s for s in subjects if s not in vocabulary and _is_association(own, s)]
    association_set = set(associations)

    # Sources: objects of provenance predicates, and what they are part of.
    source_nodes: set[Node] = set()
    frontier = [o for p in SOURCE_PREDICATES for o in graph.objects(None, p)]
    while frontier:
        source = frontier.pop()
        if source in source_nodes or isinstance(source, Literal):
            continue
        source_nodes.add(source)
        frontier.extend(graph.objects(source, DCTERMS.isPartOf))

    fold_objects = {o for p in FOLD_PREDICATES for o in graph.objects(None, p)}
    skip_subjects = vocabulary | association_set | source_nodes | fold_objects

    # Which IRIs are described somewhere (a cross-reference to them is then a relation).
    def described(term: Node) -> bool:
        return not isinstance(term, Literal) and lookup.has_triples(term)

    qualifier_only: set[Node] = set()
    edges: dict[tuple[str, str, str], dict[str, Any]] = {}
    node_terms: dict[str, Node] = {}

    def add_edge(s: Node, p: URIRef, o: Node) -> dict[str, Any]:
        key = (node_id(s), node_id(o), str(p))
        if key not in edges:
            node_terms[key[0]] = s
            node_terms[key[1]] = o
            edges[key] = {
                "predicate": str(p),
                "label": predicate_label(lookup, p),
                "severity": SEVERITY_BY_PREDICATE.get(p, ""),
                "potentially_fatal": False,
                "frequency": "",
                "sources": [],
                "associations": [],
                "properties": {},
            }
        return edges[key]

    for s in subjects:
        if s in skip_subjects:
            continue
        node_terms[node_id(s)] = s
        for p, o in _own(own, s):
            if isinstance(o, Literal) or p == RDF.type or p in SOURCE_PREDICATES:
                continue
            if p in FOLD_PREDICATES:
                continue
            if p in IDENTIFIER_PREDICATES and not described(o):
                continue
            if o in association_set:
                continue
            add_edge(s, p, o)

    # Reified statements: qualifiers onto their edge.
    def qualify(edge: dict[str, Any], a: Node) -> None:
        edge["associations"].append(node_id(a))
        for entry in _sources(lookup, a):
            if entry not in edge["sources"]:
                edge["sources"].append(entry)
        for p, value in lookup.predicate_objects(a):
            if p in REIFICATION or p == RDF.type or p in SOURCE_PREDICATES:
                continue
            if p == MSKG.potentiallyFatal:
                edge["potentially_fatal"] = edge["potentially_fatal"] or (
                    isinstance(value, Literal) and value.toPython() is True
                )
                continue
            shown = str(value) if isinstance(value, Literal) else lookup.label(value)
            if p == MSKG.frequency:
                edge["frequency"] = shown
                continue
            if not isinstance(value, Literal):
                qualifier_only.add(value)
            values = edge["properties"].setdefault(curie_or_iri(str(p)), [])
            if shown not in values:
                values.append(shown)

    not_drawn_objects = association_set | source_nodes | fold_objects
    for a in associations:
        subject = min(own.objects(a, RDF.subject), key=term_sort_key)
        predicate = min(own.objects(a, RDF.predicate), key=term_sort_key)
        obj = min(own.objects(a, RDF.object), key=term_sort_key)
        if not isinstance(predicate, URIRef) or isinstance(subject, Literal):
            continue
        if isinstance(obj, Literal):
            continue  # a qualified literal statement: nothing to draw
        if subject in skip_subjects or obj in not_drawn_objects:
            continue
        if predicate in IDENTIFIER_PREDICATES and not described(obj):
            continue  # the provenance of a cross-reference: it stays an identifier
        qualify(add_edge(subject, predicate, obj), a)

    if context is not None and context is not graph:
        # Edges of a CONSTRUCT result take their qualifiers from the context's associations.
        described_by: dict[tuple[str, str, str], set[Node]] = defaultdict(set)
        for a, s in context.subject_objects(RDF.subject):
            for relation in context.objects(a, RDF.predicate):
                for o in context.objects(a, RDF.object):
                    if isinstance(s, URIRef) and isinstance(o, URIRef):
                        described_by[(str(s), str(relation), str(o))].add(a)
        for (u, v, p_iri), edge in sorted(edges.items()):
            if edge["associations"] or u.startswith("_:") or v.startswith("_:"):
                continue
            for a in sorted(described_by.get((u, p_iri, v), ()), key=term_sort_key):
                qualify(edge, a)

    endpoints = {k[0] for k in edges} | {k[1] for k in edges}
    drawn: dict[str, Node] = {}
    for key, term in node_terms.items():
        if key in endpoints or term not in qualifier_only:
            drawn[key] = term

    g = nx.MultiDiGraph()
    for key in sorted(drawn):
        g.add_node(key, **_node_attributes(lookup, drawn[key], graph))
    for (u, v, pred), attrs in sorted(edges.items()):
        g.add_edge(u, v, key=pred, **attrs)
    return g


def _node_attributes(lookup: _Lookup, term: Node, graph: Graph) -> dict[str, Any]:
    types = lookup.objects(term, RDF.type)
    cls = _primary_class(types)
    identifiers = []
    for predicate in IDENTIFIER_PREDICATES:
        for target in lookup.objects(term, predicate):
            if isinstance(target, URIRef) and not lookup.has_triples(target):
                identifiers.append({"iri": str(target), "relation": curie_or_iri(str(predicate))})
    parts = sorted(
        (_part(lookup, part) for p in FOLD_PREDICATES for part in lookup.objects(term, p)),
        key=_part_sort_key,
    )
    alt_labels: list[str] = []
    for predicate in ALT_LABEL_PREDICATES:
        alt_labels.extend(str(v) for v in lookup.objects(term, predicate) if isinstance(v, Literal))
    return {
        "iri": node_id(term),
        "label": lookup.label(term),
        "class": str(cls) if cls is not None else "",
        "class_label": lookup.label(cls) if cls is not None else "",
        "types": [str(t) for t in types],
        "definition": lookup.text(term, DEFINITION_PREDICATES),
        "alt_labels": sorted(set(alt_labels)),
        "identifiers": identifiers,
        "sources": _sources(lookup, term),
        "properties": _properties(lookup, term, _NODE_LITERAL_SKIP, resources_as_labels=False),
        "parts": parts,
    }


def iter_flat_attributes(attrs: dict[str, Any]) -> Iterator[tuple[str, str | bool | int | float]]:
    """Attributes as scalars: lists joined with ``"; "``, nested records as JSON."""
    for name, value in sorted(attrs.items()):
        if isinstance(value, bool | int | float | str):
            yield name, value
        elif name == "properties" and isinstance(value, dict):
            for prop, values in value.items():
                yield prop, "; ".join(str(v) for v in values)
        elif name == "identifiers" and isinstance(value, list):
            yield name, "; ".join(str(v["iri"]) for v in value)
        elif name == "sources" and isinstance(value, list):
            yield name, "; ".join(str(v.get("label") or v.get("iri")) for v in value)
            yield "source_iris", "; ".join(str(v.get("iri", "")) for v in value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            yield name, "; ".join(value)
        elif value is None:
            continue
        else:
            yield name, json.dumps(value, sort_keys=True, ensure_ascii=False)


def flatten(network: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``network`` whose attributes are all strings, numbers or booleans.

    Every node (and every edge) gets every column, empty where it has no value, because Gephi
    and Cytoscape build one column per attribute key.
    """
    import networkx as nx

    flat = nx.MultiDiGraph()
    node_rows = {n: dict(iter_flat_attributes(a)) for n, a in network.nodes(data=True)}
    edge_rows = [
        (u, v, k, dict(iter_flat_attributes(a)))
        for u, v, k, a in network.edges(keys=True, data=True)
    ]
    node_cols = _column_types(node_rows.values())
    edge_cols = _column_types(row for *_, row in edge_rows)
    for n, row in node_rows.items():
        flat.add_node(n, **{c: row.get(c, default) for c, default in node_cols.items()})
    for u, v, k, row in edge_rows:
        flat.add_edge(u, v, key=k, **{c: row.get(c, default) for c, default in edge_cols.items()})
    return flat


def _column_types(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for row in rows:
        for name, value in row.items():
            if name not in columns:
                columns[name] = False if isinstance(value, bool) else ""
            elif not isinstance(value, type(columns[name])):
                columns[name] = ""
    # A column mixing types is written as text everywhere.
    return dict(sorted(columns.items()))


def network_text(graph: Graph | nx.MultiDiGraph, fmt: str) -> bytes:
    """``graph`` (RDF, or a network from :func:`to_networkx`) serialised as ``fmt``."""
    import networkx as nx

    if fmt not in NETWORK_FORMATS:
        raise UsageError(
            f"unknown network format {fmt!r}; choose one of {', '.join(NETWORK_FORMATS)}"
        )
    network = to_networkx(graph) if isinstance(graph, Graph) else graph
    if fmt == "json":
        try:
            data = nx.node_link_data(network, edges="edges")
        except TypeError:  # networkx < 3.4 has no edges= and calls them links
            data = nx.node_link_data(network)
        return (json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()
    flat = flatten(network)
    # Keep string-typed columns consistent: bools stay bools, everything else is text.
    for _, attrs in flat.nodes(data=True):
        for name, value in attrs.items():
            if not isinstance(value, bool | str):
                attrs[name] = str(value)
    for _, _, attrs in flat.edges(data=True):
        for name, value in attrs.items():
            if not isinstance(value, bool | str):
                attrs[name] = str(value)
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(flat, buffer, encoding="utf-8", prettyprint=True)
    else:
        nx.write_gexf(flat, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def write_network(graph: Graph | nx.MultiDiGraph, fmt: str, out: Path | str | None = None) -> None:
    """Write ``graph`` as GraphML, GEXF or node-link JSON to ``out`` (atomically) or stdout."""
    from mskg.atomic import atomic_write

    data = network_text(graph, fmt)
    if out is None or str(out) == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    atomic_write(out, data)
