"""The one subclass walk (mskg.graph.hierarchy) that queries, validation, exports and viz share."""

from __future__ import annotations

from rdflib import Graph
from rdflib.namespace import RDFS

from mskg.graph.hierarchy import instances, subclasses
from mskg.vocab import MSKG, MSKR


def test_instances_of_a_class_include_those_of_its_subclasses(graph: Graph) -> None:
    assert {MSKG.DiseaseModifyingTherapy, MSKG.RelapseTreatment} <= subclasses(
        graph, MSKG.Treatment
    )
    assert {MSKR.natalizumab, MSKR.plasmapheresis} <= instances(graph, MSKG.Treatment)


def test_a_cycle_ends_the_walk() -> None:
    loop = Graph()
    loop.add((MSKR.a, RDFS.subClassOf, MSKR.b))
    loop.add((MSKR.b, RDFS.subClassOf, MSKR.a))
    assert subclasses(loop, MSKR.a) == {MSKR.a, MSKR.b}
