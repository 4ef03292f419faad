"""Choosing what to draw from a store whose triples live outside this process (Oxigraph, a
SPARQL endpoint): the store is asked for what is drawn, and never copied whole.

On the memory store, :func:`mskg.graph.network.to_networkx` projects the whole graph and
:mod:`mskg.viz.select` picks from the network. Here the same network is built from what the
store answers:

* **The focus node** (:meth:`_Asker.find`): SPARQL finds every IRI that ``NAME`` could name
  (the IRI itself, a prefixed name, any label, other label or brand name in any case, a local
  name); their 1-hop neighbourhoods are fetched and projected as below, and
  :func:`mskg.viz.select.find_node` chooses among them exactly as it does on the whole network.
* **The neighbourhood** (:meth:`_Asker.ball`) is walked hop by hop, one SELECT per hop over the
  frontier, along the relations to_networkx draws: a triple from a thing to a thing, or the
  triple an association node reifies; never ``rdf:type``, provenance, folded parts, nor triples
  out of vocabulary terms, association nodes, sources or parts (:class:`_Sparql` spells these
  rules of :mod:`mskg.graph.network` as SPARQL filters).
* **What to_networkx reads** is fetched as *descriptions* (every triple of a subject, with the
  descriptions of its blank-node objects): the nodes' descriptions (``graph``), the association
  nodes that qualify their edges, and the context that labels and styles them
  (:meth:`_Asker.context`: the types, predicates, sources and what they are part of, folded
  parts, cross-reference targets and qualifier values, and the ontology declarations). Nodes
  to_networkx never draws relations from (vocabulary, sources, parts) have their description
  in ``context``, so that they are drawn only as the objects they are, as from the whole graph.

``--query`` runs the CONSTRUCT on the store through the one guard
(:func:`mskg.stores.run_query`) and fetches the same context for the terms it returns.

to_networkx reads nothing about a term but its description, and each description fetched is
complete, so nodes, edges and their attributes come out as from the whole graph. Limits: blank
nodes cannot be named in a query, so the walk does not step onto them (none are in the
curated graph); an association with several ``rdf:subject`` values is walked along each, and
to_networkx keeps the first (the neighbourhood cut then drops what only the others reached).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF
from rdflib.term import Node

from mskg.errors import UnknownNameError, UsageError
from mskg.graph.network import (
    ALT_LABEL_PREDICATES,
    FOLD_PREDICATES,
    IDENTIFIER_PREDICATES,
    LABEL_PREDICATES,
    REIFICATION,
    SOURCE_PREDICATES,
    VANN_PREFERRED_NS,
    VOCABULARY_TYPES,
    node_id,
    to_networkx,
    vocabulary_namespaces,
)
from mskg.viz.select import NAME_PROPERTIES, construct_query, find_node
from mskg.viz.style import GROUPS, TREATMENT_GROUPS

if TYPE_CHECKING:
    import networkx as nx

    from mskg.stores.base import Store


#: Terms named in one query's VALUES: a few hundred keep every query text small (tens of kB).
CHUNK = 300


#: Objects whose descriptions to_networkx reads for a subject it describes: its classes (their
#: labels), sources and what they are part of, folded parts, cross-reference targets (whether
#: they are described decides between identifier and relation).
_FOLLOW = frozenset(
    {RDF.type, DCTERMS.isPartOf, *SOURCE_PREDICATES, *FOLD_PREDICATES, *IDENTIFIER_PREDICATES}
)


#: Predicates whose triples are never drawn as edges.
_NO_EDGE = (RDF.type, *SOURCE_PREDICATES, *FOLD_PREDICATES)


def nameable(term: Node) -> bool:
    """Whether ``term`` can be written into a query: an IRI that is valid."""
    from mskg.sparql.params import valid_iri

    return isinstance(term, URIRef) and valid_iri(str(term))


def _iri_text(text: str) -> bool:
    """Whether ``text`` could be an IRI: no space or character that IRIs exclude. Checked
    before ``URIRef(text)``, which logs a warning for such a text ("B cell")."""
    return not any(c.isspace() or c in '<>"{}|^`\\' or ord(c) < 0x20 for c in text) and (
        nameable(URIRef(text))
    )


def _chunks(terms: Iterable[Node]) -> Iterator[str]:
    """The nameable ``terms``, sorted, as VALUES bodies of at most :data:`CHUNK` IRIs."""
    names = sorted(str(t) for t in terms if nameable(t))
    for start in range(0, len(names), CHUNK):
        yield " ".join(f"<{iri}>" for iri in names[start : start + CHUNK])


def _iris(terms: Iterable[Node | str]) -> str:
    return ", ".join(f"<{t}>" for t in sorted(str(t) for t in terms))


def _alternatives(predicates: Iterable[Node]) -> str:
    return "(" + "|".join(f"<{p}>" for p in predicates) + ")"


class _Sparql:
    """The rules of :func:`mskg.graph.network.to_networkx` that decide what is drawn, as SPARQL
    filter expressions over the whole store. Every ``EXISTS`` gets variables of its own: one
    that shared a name with the enclosing pattern would be bound by it."""

    def __init__(self, namespaces: Iterable[str]) -> None:
        self.namespaces = sorted(set(namespaces))
        self.bases = sorted({n.rstrip("/#") for n in self.namespaces})
        self._count = 0

    def _var(self) -> str:
        self._count += 1
        return f"?_v{self._count}"

    def vocabulary(self, v: str) -> str:
        """A class, property, ontology... or any term in a declared ontology's namespace."""
        t = self._var()
        typed = f"EXISTS {{ {v} <{RDF.type}> {t} . FILTER({t} IN ({_iris(VOCABULARY_TYPES)})) }}"
        names = [f"STRSTARTS(STR({v}), {Literal(n).n3()})" for n in self.namespaces]
        names += [f"STR({v}) = {Literal(b).n3()}" for b in self.bases]
        if not names:
            return typed
        return f"({typed} || (isIRI({v}) && ({' || '.join(names)})))"

    def association(self, v: str) -> str:
        """A node reifying a triple (rdf:subject, rdf:predicate, rdf:object), not vocabulary."""
        parts = " . ".join(f"{v} <{p}> {self._var()}" for p in REIFICATION)
        return f"(EXISTS {{ {parts} }} && !{self.vocabulary(v)})"

    def source(self, v: str) -> str:
        """The object of a provenance predicate, or what one is part of (dcterms:isPartOf*)."""
        # Two EXISTS, not one path src/isPartOf*: Oxigraph walks that path from every source
        # triple for each term tested (15x slower on the curated graph).
        src, whole = _alternatives(SOURCE_PREDICATES), f"<{DCTERMS.isPartOf}>"
        m = self._var()
        return (
            f"(EXISTS {{ {self._var()} {src} {v} }} "
            f"|| EXISTS {{ {m} {whole}+ {v} . {self._var()} {src} {m} }})"
        )

    def part(self, v: str) -> str:
        """A part folded into its whole (the object of mskg:hasPhase)."""
        return f"EXISTS {{ {self._var()} {_alternatives(FOLD_PREDICATES)} {v} }}"

    def described(self, v: str) -> str:
        return f"EXISTS {{ {v} {self._var()} {self._var()} }}"

    def skipped(self, v: str) -> str:
        """A subject whose triples are not relations: vocabulary, association, source, part."""
        return (
            f"({self.vocabulary(v)} || {self.association(v)} || {self.source(v)} || {self.part(v)})"
        )

    def _cross_reference(self, p: str, o: str) -> str:
        # A cross-reference to an IRI without triples of its own is an identifier, not an edge.
        return f"({p} NOT IN ({_iris(IDENTIFIER_PREDICATES)}) || {self.described(o)})"

    def direct(self, s: str, p: str, o: str) -> str:
        """The triple ``s p o`` is drawn as an edge."""
        return (
            f"!isLiteral({o}) && {p} NOT IN ({_iris(_NO_EDGE)}) && !{self.skipped(s)} "
            f"&& !{self.association(o)} && {self._cross_reference(p, o)}"
        )

    def reified(self, a: str, s: str, p: str, o: str) -> str:
        """The triple ``s p o`` that association ``a`` reifies is drawn as an edge it qualifies."""
        return (
            f"!{self.vocabulary(a)} && isIRI({p}) && !isLiteral({s}) && !isLiteral({o}) "
            f"&& !{self.skipped(s)} && !{self.association(o)} && !{self.source(o)} "
            f"&& !{self.part(o)} && {self._cross_reference(p, o)}"
        )


class _Asker:
    """Asks one store for the parts of the graph a drawing needs."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.ontologies = self._graph(
            f"CONSTRUCT {{ ?o <{RDF.type}> <{OWL.Ontology}> . ?o <{VANN_PREFERRED_NS}> ?ns }} "
            f"WHERE {{ ?o <{RDF.type}> <{OWL.Ontology}> "
            f"OPTIONAL {{ ?o <{VANN_PREFERRED_NS}> ?ns }} }}"
        )
        self.namespaces = vocabulary_namespaces([self.ontologies])
        # Neighbours already asked for: finding the focus walks one hop around it first.
        self._adjacent: dict[Node, set[Node]] = {}

    # The store --------------------------------------------------------------------------------

    def _rows(self, sparql: str) -> list[tuple[Node | None, ...]]:
        # Internal queries built here from IRIs checked by nameable: no guard to parse them.
        return self.store.query(sparql, guard=False, name="mskg viz").rows

    def _graph(self, sparql: str) -> Graph:
        graph = self.store.query(sparql, guard=False, name="mskg viz").graph
        return graph if graph is not None else Graph()

    def _select_terms(self, terms: Iterable[Node], body: str) -> set[Node]:
        """``?t`` of ``body`` for ``?t`` in ``terms``, chunk by chunk."""
        found: set[Node] = set()
        for chunk in _chunks(terms):
            rows = self._rows(f"SELECT DISTINCT ?t WHERE {{ VALUES ?x {{ {chunk} }} {body} }}")
            found.update(row[0] for row in rows if row[0] is not None)
        return found

    def describe(self, terms: Iterable[Node]) -> Graph:
        """Every triple whose subject is one of ``terms``, and those of their blank-node objects
        (the only way to reach a blank node: it has no name to ask for)."""
        out = Graph()
        for chunk in _chunks(terms):
            out += self._graph(
                f"CONSTRUCT {{ ?s ?p ?o . ?o ?bp ?bo }} WHERE {{ VALUES ?s {{ {chunk} }} "
                f"?s ?p ?o OPTIONAL {{ FILTER(isBlank(?o)) ?o ?bp ?bo }} }}"
            )
        return out

    # What is drawn ----------------------------------------------------------------------------

    def neighbours(self, frontier: Iterable[Node]) -> set[Node]:
        """The nodes one drawn edge away from a node of ``frontier``, either direction."""
        rule = _Sparql(self.namespaces)
        s, p, o = (f"<{t}>" for t in REIFICATION)
        body = (
            f"{{ ?x ?p ?t . FILTER({rule.direct('?x', '?p', '?t')}) }} "
            f"UNION {{ ?t ?p ?x . FILTER({rule.direct('?t', '?p', '?x')}) }} "
            f"UNION {{ ?a {s} ?x . ?a {p} ?p . ?a {o} ?t . "
            f"FILTER({rule.reified('?a', '?x', '?p', '?t')}) }} "
            f"UNION {{ ?a {s} ?t . ?a {p} ?p . ?a {o} ?x . "
            f"FILTER({rule.reified('?a', '?t', '?p', '?x')}) }}"
        )
        asked = {t for t in frontier if t not in self._adjacent}
        for chunk in _chunks(asked):
            rows = self._rows(f"SELECT DISTINCT ?x ?t WHERE {{ VALUES ?x {{ {chunk} }} {body} }}")
            for x, t in rows:
                if x is not None and isinstance(t, URIRef):
                    self._adjacent.setdefault(x, set()).add(t)
        found: set[Node] = set()
        for x in frontier:
            found |= self._adjacent.setdefault(x, set())
        return found

    def relation_subjects(self, terms: Iterable[Node]) -> set[Node]:
        """Those of ``terms`` whose triples to_networkx reads as relations (not skipped)."""
        rule = _Sparql(self.namespaces)
        return self._select_terms(terms, f"BIND(?x AS ?t) FILTER(!{rule.skipped('?t')})")

    def qualifiers(self, subjects: Iterable[Node]) -> Graph:
        """The association nodes that qualify the drawn edges out of ``subjects``."""
        rule = _Sparql(self.namespaces)
        s, p, o = (f"<{t}>" for t in REIFICATION)
        out = Graph()
        for chunk in _chunks(subjects):
            out += self._graph(
                f"CONSTRUCT {{ ?a ?ap ?av }} WHERE {{ VALUES ?x {{ {chunk} }} "
                f"?a {s} ?x . ?a {p} ?p . ?a {o} ?o . "
                f"FILTER({rule.reified('?a', '?x', '?p', '?o')}) ?a ?ap ?av }}"
            )
        return out

    def reifying(self, graph: Graph, terms: set[Node]) -> Graph:
        """The association nodes that reify a triple between ``terms`` that ``graph`` holds or
        reifies: to_networkx qualifies those edges of a CONSTRUCT result from its context."""
        triples = set(graph)
        for a in set(graph.subjects(RDF.subject)):
            for triple in _reified(graph, a):
                triples.add(triple)
        found = Graph()
        for chunk in _chunks(t for t in terms if isinstance(t, URIRef)):
            found += self._graph(
                f"CONSTRUCT {{ ?a ?ap ?av }} WHERE {{ VALUES ?x {{ {chunk} }} "
                f"?a <{RDF.subject}> ?x . ?a <{RDF.object}> ?o . FILTER(isIRI(?o)) ?a ?ap ?av }}"
            )
        out = Graph()
        for a in set(found.subjects(RDF.subject)):
            if any(triple in triples for triple in _reified(found, a)):
                for _, p, v in found.triples((a, None, None)):
                    out.add((a, p, v))
        return out

    def context(self, read: Iterable[Graph], start: Iterable[Node], described: set[Node]) -> Graph:
        """The descriptions to_networkx reads to label and style what ``read`` holds: of
        ``start`` (nodes, predicates), then of what those and the graphs in ``read`` point to in
        :data:`_FOLLOW`, and of every resource an association or a part names (their labels
        are shown), until nothing new is named. ``described`` are not fetched again."""
        parts: set[Node] = set()
        pending = set(start)
        for graph in read:
            pending |= _followed(graph, parts)
        out = Graph()
        while True:
            pending = {t for t in pending if nameable(t)} - described
            if not pending:
                return out
            described |= pending
            fetched = self.describe(pending)
            out += fetched
            pending = _followed(fetched, parts)

    def ball(self, starts: Iterable[Node], hops: int, *, qualified: bool = True) -> nx.MultiDiGraph:
        """The drawn nodes within ``hops`` edges of ``starts`` (those of ``starts`` that are
        drawn at all), with the edges between them, as on the whole graph's network.
        ``qualified=False`` leaves out the association nodes (edges without qualifiers)."""
        ball = {t for t in starts if nameable(t)}
        frontier = set(ball)
        for _ in range(hops):
            if not frontier:
                break
            frontier = self.neighbours(frontier) - ball
            ball |= frontier
        relation_subjects = self.relation_subjects(ball)
        graph = self.describe(relation_subjects)
        associations: set[Node] = set()
        if qualified:
            qualifiers = self.qualifiers(relation_subjects)
            associations = set(qualifiers.subjects())
            graph += qualifiers
        # Vocabulary, sources and parts in the ball are drawn only as objects: their triples are
        # context, read for their attributes, never as relations.
        context = self.describe(ball - relation_subjects)
        context += self.ontologies
        predicates = {p for _, p, _ in graph}
        context += self.context([graph, context], predicates, ball | associations)
        # On the whole graph (no context) edges take qualifiers only from associations in the
        # graph: none may come from the context.
        context.remove((None, RDF.subject, None))
        network = to_networkx(graph, context=context)
        keep = sorted(n for n in (node_id(t) for t in ball) if n in network)
        sub: nx.MultiDiGraph = network.subgraph(keep).copy()
        return sub

    # Naming -----------------------------------------------------------------------------------

    def named(self, name: str) -> set[Node]:
        """Every IRI ``name`` could name for :func:`find_node`: the IRI, the prefixed name, a
        node with that label, other label or brand name, or that local name (any case). A
        superset: find_node decides among them."""
        from mskg.prefixes import expand_curie

        wanted = name.strip()
        found: set[Node] = set()
        for iri in (wanted, expand_curie(wanted)):
            if iri and ":" in iri and _iri_text(iri):
                found.add(URIRef(iri))
        if not wanted:
            return found
        folded = sorted({wanted.lower(), wanted.casefold()})
        names = (*LABEL_PREDICATES, *ALT_LABEL_PREDICATES, *_expanded(NAME_PROPERTIES))
        branches = [
            f"{{ VALUES ?p {{ {' '.join(f'<{p}>' for p in names)} }} ?t ?p ?name . "
            f"FILTER(isLiteral(?name) && LCASE(STR(?name)) IN "
            f"({', '.join(Literal(f).n3() for f in folded)})) }}"
        ]
        if _iri_text(wanted):
            # A node without a label is called by its local name (after the last #, / or :).
            ends = " || ".join(
                f"STRENDS(LCASE(STR(?t)), {Literal(sep + f + tail).n3()})"
                for f in folded
                for sep in "#/:"
                for tail in ("", "/", "#")
            )
            branches.append(f"{{ ?t ?p ?o . FILTER(isIRI(?t) && ({ends})) }}")
            branches.append(f"{{ ?s ?p ?t . FILTER(isIRI(?t) && ({ends})) }}")
        rows = self._rows(f"SELECT DISTINCT ?t WHERE {{ {' UNION '.join(branches)} }}")
        found.update(row[0] for row in rows if isinstance(row[0], URIRef))
        return found

    def treatments(self) -> set[Node]:
        """Every instance of a treatment class (the nodes find_node suggests)."""
        classes = [c for g in GROUPS if g.key in TREATMENT_GROUPS for c in g.classes]
        rows = self._rows(
            f"SELECT DISTINCT ?t WHERE {{ ?t <{RDF.type}> ?c . FILTER(?c IN ({_iris(classes)})) }}"
        )
        return {row[0] for row in rows if isinstance(row[0], URIRef)}

    def find(self, name: str) -> str:
        """The node :func:`find_node` picks for ``name`` on the whole graph's network."""
        try:
            return find_node(self.ball(self.named(name), 1), name)
        except UnknownNameError:
            # Raised again, with the treatments of the whole store as suggestions.
            return find_node(self.ball(self.treatments(), 0, qualified=False), name)


def _expanded(curies: Iterable[str]) -> list[URIRef]:
    from mskg.prefixes import expand_curie

    return [URIRef(iri) for iri in (expand_curie(c) for c in curies) if iri]


def _reified(graph: Graph, a: Node) -> Iterator[tuple[Node, Node, Node]]:
    for s in graph.objects(a, RDF.subject):
        for p in graph.objects(a, RDF.predicate):
            for o in graph.objects(a, RDF.object):
                yield (s, p, o)


def _followed(graph: Graph, parts: set[Node]) -> set[Node]:
    """What to describe next for ``graph``'s subjects (see :meth:`_Asker.context`); ``parts``
    collects the folded parts seen so far, whose descriptions may come later."""
    parts.update(o for p in FOLD_PREDICATES for o in graph.objects(None, p))
    associations = {
        a for a in graph.subjects(RDF.subject) if all(graph.value(a, p) for p in REIFICATION)
    }
    out: set[Node] = set()
    for s, p, o in graph:
        if isinstance(o, Literal | BNode):  # blank nodes come with their subject
            continue
        if p in _FOLLOW or s in associations or s in parts:
            out.add(o)
    return out


def focus_network(store: Store, name: str, hops: int) -> nx.MultiDiGraph:
    """``mskg viz --focus NAME --hops N`` on ``store``: the node's neighbourhood, as
    :func:`mskg.viz.select.neighbourhood` cuts it from the whole graph's network."""
    from mskg.viz.select import neighbourhood

    if hops < 0:
        raise UsageError(f"--hops must be 0 or more, not {hops}")
    asker = _Asker(store)
    center = asker.find(name)
    network = neighbourhood(asker.ball([URIRef(center)], hops), center, hops)
    network.graph["focus"] = center  # the page selects it and shows its details
    return network


def construct_network(store: Store, query_text: str, name: str | None = None) -> nx.MultiDiGraph:
    """``mskg viz --query FILE`` on ``store``: the CONSTRUCT result, run by the store through
    the one guard, projected with the context it needs fetched from the store."""
    from mskg.stores import run_query

    result = run_query(construct_query(query_text, name), store)
    graph = result.graph if result.graph is not None else Graph()
    asker = _Asker(store)
    terms = {t for s, _, o in graph for t in (s, o) if not isinstance(t, Literal)}
    predicates = {p for _, p, _ in graph}
    associations = asker.reifying(graph, terms)
    context = asker.context([graph, associations], terms | predicates, set(associations.subjects()))
    context += associations
    context += asker.ontologies
    return to_networkx(graph, context=context)
