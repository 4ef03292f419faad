"""The class hierarchy of a loaded graph: subclasses and instances through ``rdfs:subClassOf*``."""

from __future__ import annotations

from rdflib import RDF, RDFS, Graph
from rdflib.term import Node


def subclasses(graph: Graph, cls: Node) -> set[Node]:
    """``cls`` and every class below it (``rdfs:subClassOf*``); a cycle ends the walk.

    Only ``graph.subjects(predicate, object)`` is called, which a store's view
    (:meth:`mskg.stores.base.Store.view`) also answers.
    """
    found: set[Node] = {cls}
    frontier = [cls]
    while frontier:
        for sub in graph.subjects(RDFS.subClassOf, frontier.pop()):
            if sub not in found:
                found.add(sub)
                frontier.append(sub)
    return found


def instances(graph: Graph, cls: Node) -> set[Node]:
    """The nodes typed ``cls`` or one of its subclasses."""
    return {node for c in subclasses(graph, cls) for node in graph.subjects(RDF.type, c)}
