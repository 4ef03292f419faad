"""The ontology with its data is OWL 2 RL, and consistent with the PROV-O axioms it relies on.

graph/README.md ("OWL profile") says which profile the graph meets and where it departs from it;
this file checks both halves of that claim:

* structurally: every construct the graph uses is in the list below of what OWL 2 RL allows,
  every term is declared, and declared as one kind only (class, object, datatype or annotation
  property), and each property is used with the kind of value its kind takes;
* semantically: the OWL 2 RL closure (owlrl) of the graph plus PROV-O's own axioms
  (tests/fixtures/prov-o-axioms.ttl) has no inconsistency, and the same check does catch one.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from conftest import GRAPH_DIR, TESTS_DIR, write_extra
from mskg.graph.loader import graph_files, load_files
from mskg.importers.sider import import_sider
from mskg.validate.shacl import validate_graph

PROV_O_AXIOMS = TESTS_DIR / "fixtures" / "prov-o-axioms.ttl"
PROV = "http://www.w3.org/ns/prov#"

# rdflib's XSD namespace object is not imported: pytest's collection probes module globals for
# attributes, and that DefinedNamespace warns on every unknown name.
XSD_IRI = "http://www.w3.org/2001/XMLSchema#"

#: The owlrl namespace of the error records it adds to the graph for each inconsistency.
OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")

#: Built-in vocabulary that declares terms.
DECLARATIONS = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.Ontology,
    OWL.NamedIndividual,
    RDFS.Datatype,
}

#: The axioms mskg states, all allowed in OWL 2 RL between named classes and properties.
AXIOMS = {
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    RDFS.domain,
    RDFS.range,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    OWL.disjointWith,
    OWL.inverseOf,
}

#: Annotation and ontology properties OWL 2 has built in (no declaration needed).
BUILT_IN_ANNOTATIONS = {
    RDFS.label,
    RDFS.comment,
    RDFS.seeAlso,
    RDFS.isDefinedBy,
    OWL.versionInfo,
    OWL.deprecated,
    OWL.versionIRI,
    OWL.imports,
    OWL.priorVersion,
}

RL_XSD_NAMES = (
    "decimal",
    "integer",
    "nonNegativeInteger",
    "nonPositiveInteger",
    "positiveInteger",
    "negativeInteger",
    "long",
    "int",
    "short",
    "byte",
    "unsignedLong",
    "unsignedInt",
    "unsignedShort",
    "unsignedByte",
    "float",
    "double",
    "string",
    "normalizedString",
    "token",
    "language",
    "Name",
    "NCName",
    "NMTOKEN",
    "boolean",
    "hexBinary",
    "base64Binary",
    "anyURI",
    "dateTime",
    "dateTimeStamp",
)

#: The datatypes of OWL 2 RL (OWL 2 Profiles, section 4.2), with rdf:langString (RDF 1.1's
#: name for language-tagged strings, rdf:PlainLiteral in OWL 2).
RL_DATATYPES = {
    RDF.PlainLiteral,
    RDF.XMLLiteral,
    RDF.langString,
    RDFS.Literal,
    *(URIRef(XSD_IRI + name) for name in RL_XSD_NAMES),
}

#: Where mskg departs from OWL 2 RL (and OWL 2 DL), on purpose; graph/README.md says why.
#: Datatypes outside the OWL 2 datatype map: durations, years, the ontology's creation date.
DATATYPES_OUTSIDE_OWL2 = {URIRef(XSD_IRI + name) for name in ("duration", "gYear", "date")}
#: RDF reification on the association nodes: reserved vocabulary that OWL 2 DL cannot declare.
REIFICATION = {RDF.subject, RDF.predicate, RDF.object}

RESERVED = (str(RDF), str(RDFS), str(OWL), XSD_IRI)

KINDS = {
    OWL.Class: "class",
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
    RDFS.Datatype: "datatype",
}


def kinds_of(graph: Graph) -> dict[Node, set[str]]:
    """Each declared term with the kinds it is declared as."""
    found: dict[Node, set[str]] = {}
    for declaration, kind in KINDS.items():
        for term in graph.subjects(RDF.type, declaration):
            found.setdefault(term, set()).add(kind)
    return found


def profile_problems(graph: Graph) -> list[str]:
    """What in ``graph`` is outside OWL 2 RL and not one of the documented departures."""
    kinds = kinds_of(graph)

    def kind(term: Node) -> str | None:
        declared = kinds.get(term, set())
        return next(iter(declared)) if len(declared) == 1 else None

    def is_class(term: Node) -> bool:
        return kind(term) == "class" or term == OWL.Thing

    def is_datatype(term: Node) -> bool:
        return term in RL_DATATYPES or term in DATATYPES_OUTSIDE_OWL2 or kind(term) == "datatype"

    problems: list[str] = []
    for term, declared in sorted(kinds.items()):
        if len(declared) > 1:
            problems.append(f"{term} is declared as {' and '.join(sorted(declared))}")
    for s, p, o in sorted(graph):
        where = f"{s} {p} {o}"
        if p == RDF.type:
            if o not in DECLARATIONS and not is_class(o):
                problems.append(f"{where}: {o} is not a declared class")
        elif p in AXIOMS:
            if p in (RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith):
                if not (is_class(s) and is_class(o)):
                    problems.append(f"{where}: both sides must be declared classes")
            elif p in (RDFS.subPropertyOf, OWL.equivalentProperty, OWL.inverseOf):
                if kind(s) is None or kind(s) != kind(o) or kind(s) == "class":
                    problems.append(f"{where}: both sides must be properties of one kind")
            elif p == RDFS.domain:
                if kind(s) not in ("object property", "datatype property") or not is_class(o):
                    problems.append(f"{where}: a domain is a class of an object/datatype property")
            elif kind(s) == "object property":
                if not is_class(o):
                    problems.append(f"{where}: an object property's range is a declared class")
            elif kind(s) != "datatype property" or not is_datatype(o):
                problems.append(f"{where}: a datatype property's range is an OWL 2 RL datatype")
        elif p in BUILT_IN_ANNOTATIONS or p in REIFICATION:
            continue
        elif str(p).startswith(RESERVED):
            problems.append(f"{where}: {p} is not among the constructs mskg allows (OWL 2 RL)")
        elif kind(p) == "object property":
            if isinstance(o, Literal):
                problems.append(f"{where}: {p} is an object property, its value a literal")
        elif kind(p) == "datatype property":
            if not isinstance(o, Literal):
                problems.append(f"{where}: {p} is a datatype property, its value not a literal")
            elif (
                o.datatype or URIRef(XSD_IRI + "string")
            ) not in RL_DATATYPES | DATATYPES_OUTSIDE_OWL2:
                problems.append(f"{where}: {o.datatype} is not an OWL 2 RL datatype")
        elif kind(p) != "annotation property":
            problems.append(f"{where}: {p} is not declared as one kind of property")
    return problems


def punning(graph: Graph) -> list[str]:
    """Classes and properties that the graph also uses as individuals."""
    kinds = kinds_of(graph)
    individuals: set[Node] = set()
    for s, p, o in graph:
        if p == RDF.type and o not in DECLARATIONS:
            individuals.add(s)
        elif kinds.get(p, set()) & {"object property", "datatype property"}:
            individuals.add(s)
            if not isinstance(o, Literal):
                individuals.add(o)
    return sorted(
        f"{term} is a {' and '.join(sorted(kinds[term]))} and an individual"
        for term in individuals & set(kinds)
    )


def owl_rl_problems(graph: Graph, *extra: Path) -> list[str]:
    """The inconsistencies the OWL 2 RL closure of ``graph`` plus the ``extra`` Turtle files
    finds: owlrl's error records (disjoint classes with a common member, a member of
    owl:Nothing, literals outside their datatype...) and the members of owl:Nothing."""
    import owlrl

    closure = Graph()
    closure += graph
    for path in extra:
        closure.parse(path, format="turtle")
    owlrl.DeductiveClosure(
        owlrl.OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False
    ).expand(closure)
    problems = sorted(str(message) for message in closure.objects(None, OWLRL_ERROR))
    problems += sorted(
        f"{s} is a member of owl:Nothing" for s in closure.subjects(RDF.type, OWL.Nothing)
    )
    return problems


def turtle(text: str) -> Graph:
    prefixes = (
        "@prefix prov: <http://www.w3.org/ns/prov#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "@prefix ex: <http://example.org/> .\n"
    )
    return Graph().parse(data=prefixes + text, format="turtle")


def ontology() -> Graph:
    return Graph().parse(GRAPH_DIR / "ontology.ttl")


# --- structure: OWL 2 RL constructs, declarations, kinds -------------------------------------


def test_graph_uses_only_owl_2_rl_constructs(graph: Graph) -> None:
    assert profile_problems(graph) == []


def test_no_term_is_punned(graph: Graph) -> None:
    assert punning(graph) == []


def test_profile_check_catches_what_it_must() -> None:
    """Each rule of the structural check fails on a graph that breaks it."""
    bad = turtle(
        """
        ex:C a owl:Class . ex:D a owl:Class .
        ex:p a owl:ObjectProperty . ex:q a owl:DatatypeProperty .
        ex:twice a owl:ObjectProperty , owl:AnnotationProperty .
        ex:x a ex:C ; ex:p "a literal" ; ex:q ex:y ; ex:undeclared ex:y .
        ex:y a ex:Undeclared .
        ex:C owl:unionOf ( ex:D ) .
        ex:q rdfs:range xsd:dateTimeStamp .
        ex:p rdfs:subPropertyOf ex:q .
        ex:x ex:q "12"^^xsd:gMonth .
        """
    )
    found = "\n".join(profile_problems(bad))
    for expected in (
        "twice is declared as annotation property and object property",
        "ex:p is an object property, its value a literal".replace("ex:", "http://example.org/"),
        "http://example.org/q is a datatype property, its value not a literal",
        "http://example.org/undeclared is not declared as one kind of property",
        "http://example.org/Undeclared is not a declared class",
        "owl#unionOf is not among the constructs",
        "both sides must be properties of one kind",
        "gMonth is not an OWL 2 RL datatype",
    ):
        assert expected in found
    good = turtle(
        """
        ex:C a owl:Class . ex:p a owl:ObjectProperty ; rdfs:domain ex:C ; rdfs:range ex:C .
        ex:q a owl:DatatypeProperty ; rdfs:range xsd:boolean .
        ex:x a ex:C ; ex:p ex:y ; ex:q true ; rdfs:label "x" .
        """
    )
    assert profile_problems(good) == []
    punned = turtle("ex:C a owl:Class . ex:p a owl:ObjectProperty . ex:x ex:p ex:C .")
    assert punning(punned) == ["http://example.org/C is a class and an individual"]


def test_prov_terms_are_declared_as_prov_o_declares_them() -> None:
    """The ontology declares each PROV term it uses with the kind PROV-O gives it."""
    prov_o = kinds_of(Graph().parse(PROV_O_AXIOMS))
    declared = {
        term: kinds for term, kinds in kinds_of(ontology()).items() if str(term).startswith(PROV)
    }
    assert declared
    assert {term: kinds for term, kinds in declared.items() if kinds != prov_o.get(term)} == {}


# --- semantics: OWL 2 RL closure with PROV-O's axioms -----------------------------------------


def test_graph_is_consistent_with_prov_o_under_owl_2_rl(graph_copy: Path) -> None:
    """The curated graph, with what `mskg import sider` adds to it (an activity that used the
    SIDER files, matches generated by it), is consistent with PROV-O, and the import stays in
    the profile too. One closure for both: it is the slow part (about 4 s on one core)."""
    import_sider(TESTS_DIR / "fixtures" / "sider", graph_copy)
    graph = load_files(graph_files(graph_copy))
    assert (None, URIRef(PROV + "wasGeneratedBy"), None) in graph
    assert profile_problems(graph) == []
    started = time.perf_counter()
    assert owl_rl_problems(graph, PROV_O_AXIOMS) == []
    assert time.perf_counter() - started < 30, "the OWL 2 RL check should take seconds"


@pytest.mark.parametrize(
    ("data", "clash"),
    [
        # the old approvals: an activity that carries prov:wasDerivedFrom
        ("ex:approval a prov:Activity ; prov:wasDerivedFrom ex:article .", "approval"),
        # the old FDA node: an agent that carries prov:wasDerivedFrom
        ("ex:fda a prov:Agent ; prov:wasDerivedFrom ex:article .", "fda"),
        # an entity attributed to an activity
        ("ex:e prov:wasAttributedTo ex:run . ex:run prov:used ex:e .", "run"),
        ("ex:e a owl:Nothing .", "owl:Nothing"),
    ],
)
def test_consistency_check_catches_a_clash(data: str, clash: str) -> None:
    problems = owl_rl_problems(turtle(data), PROV_O_AXIOMS)
    assert problems and any(clash in problem for problem in problems)


def test_consistency_check_passes_consistent_provenance() -> None:
    data = """
        ex:approval prov:wasAttributedTo ex:fda ; prov:wasDerivedFrom ex:article .
        ex:run prov:used ex:file . ex:match prov:wasGeneratedBy ex:run .
    """
    assert owl_rl_problems(turtle(data), PROV_O_AXIOMS) == []


def test_validate_keeps_agents_out_of_prov_derivation(tmp_path: Path) -> None:
    """SHACL refuses the clash before any reasoner runs: an agency sourced the way entities are
    is told to use dcterms:source; one sourced with it validates."""
    folder = tmp_path / "graph"
    (folder / "data").mkdir(parents=True)
    for name in ("ontology.ttl", "shapes.ttl"):
        shutil.copy(GRAPH_DIR / name, folder / name)
    write_extra(
        folder,
        """
mskr:article a mskg:InformationSource ; rdfs:label "an article"@en .
mskr:good-agency a mskg:RegulatoryAgency ; rdfs:label "good agency"@en ;
    dcterms:source mskr:article .
mskr:bad-agency a mskg:RegulatoryAgency ; rdfs:label "bad agency"@en ;
    prov:wasDerivedFrom mskr:article .
""",
    )
    # (the ontology's dcterms:source points at seed sections this small graph leaves out)
    problems = [p for p in validate_graph(folder).problems if p.node.endswith("agency")]
    assert {p.node for p in problems} == {"mskr:bad-agency"}
    messages = " | ".join(p.message for p in problems)
    assert "agent has no source: add dcterms:source" in messages
    assert "an agent takes dcterms:source, not prov:wasDerivedFrom" in messages
