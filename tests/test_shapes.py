"""Every SHACL shape of graph/shapes.ttl, tested in the pattern of the W3C SHACL test suite.

Each file under tests/fixtures/shacl/ is one test: its triples are the data, and a manifest in the
same file (``mf:Manifest``, one ``sht:Validate`` entry) gives the expected report: whether the
data conforms and, for each validation result, the focus node, ``sh:resultPath``,
``sh:sourceShape`` and ``sh:sourceConstraintComponent``. A property constraint is a blank node
in shapes.ttl, so an expected result names the node shape that holds it and its path.

The data graph is the file's triples without the manifest, plus graph/ontology.ttl, as
``mskg validate`` reads a graph folder; it is validated by mskg's own entry point
(:func:`mskg.validate.shacl.shacl_problems`). ``<Shape>-pass*.ttl`` files must conform,
``<Shape>-fail*.ttl`` files must not, and every shape has both: the last tests check that each
constraint of every shape fails in some fixture, and that each pass fixture gives the shape's
every property a value to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from conftest import GRAPH_DIR, TESTS_DIR
from mskg.graph.files import graph_files
from mskg.graph.loader import load_files, load_shapes
from mskg.validate.shacl import (
    focus_nodes,
    shacl_problems,
    undefined_terms,
    unknown_standard_terms,
)

FIXTURES = TESTS_DIR / "fixtures" / "shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

#: The constraint component each parameter of a shape belongs to. A parameter missing here makes
#: the coverage test fail, so a new kind of constraint cannot go unchecked.
COMPONENTS: dict[URIRef, URIRef] = {
    SH[name]: SH[f"{name[0].upper()}{name[1:]}ConstraintComponent"]
    for name in (
        "class",
        "datatype",
        "nodeKind",
        "minCount",
        "maxCount",
        "minInclusive",
        "maxInclusive",
        "minExclusive",
        "maxExclusive",
        "minLength",
        "maxLength",
        "pattern",
        "languageIn",
        "uniqueLang",
        "in",
        "hasValue",
        "or",
        "and",
        "not",
        "xone",
        "node",
        "equals",
        "disjoint",
        "lessThan",
        "lessThanOrEquals",
        "closed",
    )
} | {SH.sparql: SH.SPARQLConstraintComponent}

#: What else a shape may say: targets, messages, documentation, and the parts of a constraint
#: that are not constraints of their own.
NOT_CONSTRAINTS = {
    RDF.type,
    URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
    URIRef("http://www.w3.org/2000/01/rdf-schema#comment"),
    SH.message,
    SH.path,
    SH.property,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.severity,
    SH.name,
    SH.description,
    SH.flags,
    SH.ignoredProperties,
}


@dataclass(frozen=True)
class Result:
    """One validation result, as the fixture manifests name it."""

    focus: Node
    path: Node | None
    shape: Node  # the node shape, also for a result of one of its property constraints
    component: Node

    def __str__(self) -> str:
        path = f" {self.path.n3()}" if self.path is not None else ""
        return f"{self.focus.n3()}{path} [{self.shape.n3()} {self.component.n3()}]"


@dataclass(frozen=True)
class Case:
    file: Path
    label: str
    fixture: Graph  # the file's data
    data: Graph  # and the ontology: what is validated
    shapes_file: Path
    conforms: bool
    results: frozenset[Result]


def read_case(file: Path) -> Case:
    """The data and the expected report of one fixture file."""
    graph = load_files([file])
    [manifest] = graph.subjects(RDF.type, MF.Manifest)
    [entry] = Collection(graph, graph.value(manifest, MF.entries))
    assert (entry, RDF.type, SHT.Validate) in graph
    action = graph.value(entry, MF.action)
    assert graph.value(action, SHT.dataGraph) == URIRef(file.resolve().as_uri())
    shapes_graph = graph.value(action, SHT.shapesGraph)
    report = graph.value(entry, MF.result)
    expected = frozenset(
        Result(
            focus=_one(graph, result, SH.focusNode),
            path=graph.value(result, SH.resultPath),
            shape=_one(graph, result, SH.sourceShape),
            component=_one(graph, result, SH.sourceConstraintComponent),
        )
        for result in graph.objects(report, SH.result)
    )
    fixture = graph - graph.cbd(manifest) - graph.cbd(entry)
    data = fixture + ontology()
    return Case(
        file=file,
        label=str(graph.value(entry, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))),
        fixture=fixture,
        data=data,
        shapes_file=Path(str(shapes_graph).removeprefix("file://")),
        conforms=graph.value(report, SH.conforms).toPython(),  # type: ignore[union-attr]
        results=expected,
    )


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node:
    [value] = graph.objects(subject, predicate)
    return value


@cache
def ontology() -> Graph:
    return load_files([GRAPH_DIR / "ontology.ttl"])


@cache
def shapes() -> Graph:
    """The shapes graph, loaded once: blank property shapes keep their identity across tests."""
    return load_shapes(GRAPH_DIR)


def node_shape_of(shape: Node) -> Node:
    """The node shape holding ``shape``: itself, or the node shape of a property constraint."""
    return shapes().value(predicate=SH.property, object=shape) or shape


def fixture_files() -> list[Path]:
    return sorted(FIXTURES.glob("*.ttl"))


@pytest.mark.parametrize("file", fixture_files(), ids=lambda f: f.stem)
def test_fixture(file: Path) -> None:
    case = read_case(file)
    assert case.shapes_file.resolve() == (GRAPH_DIR / "shapes.ttl").resolve()
    assert case.conforms == file.stem.split("-")[1].startswith("pass"), "named -pass or -fail"
    assert case.conforms == (not case.results), "a report conforms when it has no results"
    # A fixture made of typos would test nothing: its terms must be the ontology's.
    used = {term for triple in case.fixture for term in triple}
    unknown = undefined_terms(case.data) + unknown_standard_terms(case.data)
    assert [(term, why) for term, why in unknown if term in used] == []
    found = {
        Result(
            focus=finding.focus,  # type: ignore[arg-type]
            path=finding.path,  # type: ignore[arg-type]
            shape=node_shape_of(finding.shape),  # type: ignore[arg-type]
            component=finding.component,  # type: ignore[arg-type]
        )
        for finding in shacl_problems(case.data, shapes())
    }
    missing = "\n".join(sorted(map(str, case.results - found)))
    unexpected = "\n".join(sorted(map(str, found - case.results)))
    assert found == case.results, f"{case.label}\nmissing:\n{missing}\nunexpected:\n{unexpected}"


def node_shapes() -> list[URIRef]:
    return sorted(s for s in shapes().subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))


def constraints(shape: Node) -> set[tuple[Node | None, URIRef]]:
    """(path or None, component) of every constraint of a node shape and of its properties."""
    found: set[tuple[Node | None, URIRef]] = set()
    for part in (shape, *shapes().objects(shape, SH.property)):
        path = shapes().value(part, SH.path)
        for parameter in set(shapes().predicates(part)) - NOT_CONSTRAINTS:
            assert parameter in COMPONENTS, f"{shape}: unknown shape parameter {parameter}"
            found.add((path, COMPONENTS[parameter]))  # type: ignore[index]
    return found


def cases(kind: str) -> list[Case]:
    return [read_case(f) for f in fixture_files() if f.stem.split("-")[1].startswith(kind)]


def test_every_constraint_of_every_shape_fails_in_a_fixture() -> None:
    """A constraint that no fixture makes fail may be one that cannot fail."""
    failed = {(r.shape, r.path, r.component) for case in cases("fail") for r in case.results}
    untested = [
        f"{shape.n3()} {path.n3() if path is not None else '(node)'} {component.n3()}"
        for shape in node_shapes()
        for path, component in sorted(constraints(shape), key=str)
        if (shape, path, component) not in failed
    ]
    assert untested == [], "constraints without a failing fixture:\n" + "\n".join(untested)


def test_every_shape_has_a_pass_fixture_that_exercises_it() -> None:
    """``<Shape>-pass.ttl`` conforms with at least one focus node of the shape, and gives each of
    the shape's properties a value on one of them, so each constraint has something to check."""
    passing = {case.file.stem.split("-")[0]: case for case in cases("pass")}
    problems = []
    for shape in node_shapes():
        name = str(shape).rsplit("/", 1)[-1]
        case = passing.get(name)
        if case is None:
            problems.append(f"{name}: no {name}-pass.ttl")
            continue
        focus = focus_nodes(case.data, shapes(), shape)
        if not focus:
            problems.append(f"{name}: {case.file.name} has no node the shape targets")
        for prop in shapes().objects(shape, SH.property):
            path = shapes().value(prop, SH.path)
            if shapes().value(prop, SH.maxCount) == Literal(0):
                continue  # a property the shape forbids: conforming data has no value for it
            if not any(case.data.value(node, path) is not None for node in focus):  # type: ignore[arg-type]
                problems.append(f"{name}: {case.file.name} gives no focus node a {path.n3()}")
    assert problems == [], "\n".join(problems)


def test_every_fixture_names_a_shape() -> None:
    names = {str(s).rsplit("/", 1)[-1] for s in node_shapes()}
    assert fixture_files()
    assert [f.name for f in fixture_files() if f.stem.split("-")[0] not in names] == []


def test_validation_reads_the_data_graph_without_changing_it() -> None:
    # shacl_problems lets pySHACL work on the data graph itself (no copy): only sound while the
    # shapes hold no SHACL rules, which would add triples to it.
    assert not list(shapes().triples((None, SH.rule, None)))
    data = load_files(graph_files(GRAPH_DIR))
    before = set(data)
    assert shacl_problems(data, shapes()) == []
    assert set(data) == before
