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


def test_ms_forms_are_diseases_and_severities_are_not(graph: Graph) -> None:
    forms = instances(graph, MSKG.MSForm)
    course = MSKR["relapsing-remitting-ms"]
    course_with_modifier = MSKR["active-secondary-progressive-ms"]
    grouping = MSKR["relapsing-ms"]
    assert {course, course_with_modifier, grouping} <= forms <= instances(graph, MSKG.Disease)
    # a severity qualifies an indication; a relapse is an episode of MS, not a form of it
    assert MSKR["severe-ms"] not in instances(graph, MSKG.Disease)
    assert MSKR["ms-relapse"] not in forms
    assert MSKG.MSSeverity not in subclasses(graph, MSKG.Disease)
