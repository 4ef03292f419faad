"""Counts of nodes by class and of triples by property."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef


@dataclass
class GraphStats:
    triples: int
    subjects: int
    by_class: list[tuple[str, int]]
    by_property: list[tuple[str, int]]

    def as_dict(self) -> dict[str, object]:
        return {
            "triples": self.triples,
            "subjects": self.subjects,
            "classes": dict(self.by_class),
            "properties": dict(self.by_property),
        }


def graph_stats(graph: Graph) -> GraphStats:
    """Count instances per class (asserted rdf:type) and triples per property, largest first."""
    classes: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    for _s, p, o in graph:
        properties[graph.namespace_manager.normalizeUri(str(p))] += 1
        if p == RDF.type and isinstance(o, URIRef):
            classes[graph.namespace_manager.normalizeUri(str(o))] += 1
    subjects = len(set(graph.subjects()))

    def ordered(counter: Counter[str]) -> list[tuple[str, int]]:
        return sorted(counter.items(), key=lambda item: (-item[1], item[0]))

    return GraphStats(len(graph), subjects, ordered(classes), ordered(properties))
