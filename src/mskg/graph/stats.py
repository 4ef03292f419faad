"""Counts of nodes by class and of triples by property."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import RDF, Graph, URIRef

from mskg.prefixes import compress_iri


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


def stats_name(iri: str) -> str:
    """How the statistics name a class or property: its prefixed name, else ``<IRI>`` (the same
    on every store, whatever prefixes the graph's files declared)."""
    return compress_iri(iri) or f"<{iri}>"


def largest_first(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def graph_stats(graph: Graph) -> GraphStats:
    """Count instances per class (asserted rdf:type) and triples per property, largest first."""
    classes: Counter[str] = Counter()
    properties: Counter[str] = Counter()
    for _s, p, o in graph:
        properties[stats_name(str(p))] += 1
        if p == RDF.type and isinstance(o, URIRef):
            classes[stats_name(str(o))] += 1
    subjects = len(set(graph.subjects()))
    return GraphStats(len(graph), subjects, largest_first(classes), largest_first(properties))
