"""Every Biolink term mskg uses exists in the current Biolink model, is not deprecated, and is used
as Biolink defines it: in the ontology's alignments and in the KGX export's categories and
predicates. The model is the one the ``biolink-model`` package ships (tests/biolink.py), offline.

The alignment rule (graph/README.md, "Standard vocabularies"): an mskg term names the nearest
Biolink term of its own kind with ``skos:closeMatch``, a wider grouping term with
``skos:broadMatch``, a related one that is neither with ``skos:relatedMatch``, and a term of
another kind (a slot for a class) with ``rdfs:seeAlso``; ``skos:exactMatch`` is kept for
identifiers of the same thing, never for an ontology term to Biolink.
"""

from __future__ import annotations

from collections.abc import Iterable

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS
from rdflib.term import Node

from biolink import BIOLINK_IRI, BiolinkModel, biolink_model
from mskg.exporters.kgx import kgx_tables

#: Alignments that claim the mskg term and the Biolink term are of one kind.
SAME_KIND = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
)

#: Alignments that claim statements with the one hold with the other: the values agree in kind.
NEAR = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch)

#: Biolink's grouping terms: what everything is, or a catch-all slot. A term is never close to
#: them; it is narrower (skos:broadMatch).
GROUPINGS = (
    "entity",
    "named thing",
    "related to",
    "related to at instance level",
    "related to at concept level",
    "association slot",
    "node property",
    "qualifier",
    "has attribute",
)

#: The side-effect association class mskg used until Biolink 4 removed it.
GONE_ASSOCIATION = "ChemicalOrDrugOrTreatmentSideEffectDiseaseOrPhenotypicFeatureAssociation"

PROPERTY_KINDS = {
    OWL.ObjectProperty: "node",
    OWL.DatatypeProperty: "literal",
    OWL.AnnotationProperty: "any",
}


def biolink_terms(graph: Graph) -> set[URIRef]:
    return {
        term
        for triple in graph
        for term in triple
        if isinstance(term, URIRef) and str(term).startswith(BIOLINK_IRI)
    }


def short(term: Node) -> str:
    text = str(term)
    for prefix, namespace in (
        ("biolink:", BIOLINK_IRI),
        ("mskg:", "https://w3id.org/mskg/ontology/"),
    ):
        if text.startswith(namespace):
            return prefix + text[len(namespace) :]
    return text


def term_problems(model: BiolinkModel, terms: Iterable[Node]) -> list[str]:
    """Biolink IRIs that name no current Biolink class or slot."""
    problems = []
    for term in sorted(terms, key=str):
        element = model.element(str(term))
        if element is None:
            problems.append(f"{short(term)} is not in Biolink {model.version}")
        elif element.kind not in ("class", "slot"):
            problems.append(f"{short(term)} is a Biolink {element.kind}, not a class or slot")
        elif element.deprecated:
            problems.append(f"{short(term)} is deprecated in Biolink {model.version}")
    return problems


def alignment_problems(model: BiolinkModel, ontology: Graph) -> list[str]:
    """Alignments to Biolink that break the rule in this module's docstring."""
    problems = []
    for term, relation, target in sorted(ontology):
        element = model.element(str(target))
        if not isinstance(target, URIRef) or element is None or relation not in SAME_KIND:
            continue
        where = f"{short(term)} {short(relation).split('#')[-1]} {short(target)}"
        types = set(ontology.objects(term, RDF.type))
        if OWL.Class in types:
            kind, values = "class", None
        elif types & set(PROPERTY_KINDS):
            kind, values = "slot", PROPERTY_KINDS[next(iter(types & set(PROPERTY_KINDS)))]
        else:
            problems.append(f"{where}: only classes and properties match Biolink; use rdfs:seeAlso")
            continue
        if element.kind != kind:
            problems.append(f"{where}: a {element.kind} for a {kind}; use rdfs:seeAlso")
            continue
        if relation == SKOS.exactMatch:
            problems.append(f"{where}: exactMatch is for identifiers; use skos:closeMatch")
        if relation in (SKOS.exactMatch, SKOS.closeMatch) and element.name in GROUPINGS:
            problems.append(f"{where}: {element.name} is a grouping term; use skos:broadMatch")
        if relation in NEAR and kind == "slot":
            takes = model.value_kind(element.name)
            if "any" not in (takes, values) and takes != values:
                problems.append(
                    f"{where}: the property's values are {values}s, the slot's {takes}s; "
                    "use skos:relatedMatch"
                )
    return problems


def kgx_problems(
    model: BiolinkModel, nodes: list[dict[str, str]], edges: list[dict[str, str]]
) -> list[str]:
    """KGX rows whose categories or predicates are not Biolink's, or not used as Biolink says:
    a category is a class (not a mixin, not abstract), a predicate a slot below ``related to``,
    an edge category an association whose predicate constraint the edge meets, and the subject
    and object fit the predicate's domain and range."""
    problems: list[str] = []
    categories: dict[str, list[str]] = {}
    for node in nodes:
        names = []
        for category in node["category"].split("|"):
            element = model.element(category)
            problems += term_problems(model, [URIRef(BIOLINK_IRI + category.split(":", 1)[-1])])
            if element is None or element.kind != "class":
                continue
            if element.mixin or element.abstract:
                problems.append(f"node {node['id']}: {category} is a mixin or abstract class")
            names.append(element.name)
        categories[node["id"]] = names
    for edge in edges:
        where = f"edge {edge['id']} ({edge['original_predicate']})"
        predicate = model.element(edge["predicate"])
        association = model.element(edge["category"])
        problems += [
            f"{where}: {problem}"
            for problem in term_problems(
                model,
                [
                    URIRef(BIOLINK_IRI + edge[c].split(":", 1)[-1])
                    for c in ("predicate", "category")
                ],
            )
        ]
        if predicate is None or association is None:
            continue
        if predicate.kind != "slot" or not model.is_predicate(predicate.name):
            problems.append(f"{where}: {edge['predicate']} is not a Biolink predicate")
            continue
        if association.kind != "class" or "association" not in model.class_ancestors(
            association.name
        ):
            problems.append(f"{where}: {edge['category']} is not a Biolink association")
            continue
        required = model.predicate_of_association(association.name)
        if required and required not in model.slot_ancestors(predicate.name):
            problems.append(f"{where}: {edge['category']} needs a predicate under {required}")
        for end, key in (("subject", "domain"), ("object", "range")):
            wanted = model.inherited(predicate.name, key)
            if wanted is None or wanted not in model.classes:
                continue
            ancestors = {a for c in categories.get(edge[end], []) for a in model.class_ancestors(c)}
            if wanted not in ancestors:
                problems.append(
                    f"{where}: the {end} {edge[end]} ({', '.join(categories.get(edge[end], []))})"
                    f" is not a {wanted}, the {key} of {edge['predicate']}"
                )
    return sorted(set(problems))


@pytest.fixture(scope="module")
def model() -> BiolinkModel:
    return biolink_model()


def test_the_model_is_the_installed_package(model: BiolinkModel) -> None:
    assert model.version.startswith("4.")
    assert model.is_predicate("treats") and "named thing" in model.classes


def test_every_biolink_term_is_current(model: BiolinkModel, graph: Graph) -> None:
    """Ontology and data: every biolink: IRI names a class or slot that is not deprecated."""
    terms = biolink_terms(graph)
    assert len(terms) > 20
    assert term_problems(model, terms) == []


def test_alignments_to_biolink_follow_the_rule(model: BiolinkModel, graph: Graph) -> None:
    assert alignment_problems(model, graph) == []


def test_kgx_categories_and_predicates_are_biolink(model: BiolinkModel, graph: Graph) -> None:
    nodes, edges = kgx_tables(graph)
    assert nodes and edges
    assert kgx_problems(model, nodes, edges) == []


def test_the_checks_catch_misuse(model: BiolinkModel) -> None:
    """Each rule fails on a term that breaks it: the issue's own examples among them."""
    ontology = Graph().parse(
        format="turtle",
        data=f"""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix biolink: <https://w3id.org/biolink/vocab/> .
        @prefix ex: <http://example.org/> .
        ex:Effect a owl:Class ; skos:closeMatch biolink:{GONE_ASSOCIATION} .
        ex:fatal a owl:DatatypeProperty ; skos:closeMatch biolink:severity_qualifier .
        ex:onset a owl:DatatypeProperty ; skos:closeMatch biolink:onset_qualifier .
        ex:Drug a owl:Class ; skos:exactMatch biolink:Drug ; skos:closeMatch biolink:treats .
        ex:reason a owl:ObjectProperty ; skos:closeMatch biolink:related_to .
        ex:Rare skos:closeMatch biolink:frequency_qualifier .
        """,
    )
    found = term_problems(model, biolink_terms(ontology)) + alignment_problems(model, ontology)
    text = "\n".join(found)
    for expected in (
        f"{GONE_ASSOCIATION} is not in",
        "biolink:severity_qualifier is deprecated",
        "ex:onset".replace("ex:", "http://example.org/") + " closeMatch biolink:onset_qualifier:"
        " the property's values are literals, the slot's nodes",
        "exactMatch is for identifiers",
        "a slot for a class",
        "related to is a grouping term",
        "only classes and properties match Biolink",
    ):
        assert expected in text
    nodes = [
        {"id": "ex:low-wbc", "category": "biolink:DiseaseOrPhenotypicFeature"},
        {"id": "ex:infection", "category": "biolink:Disease"},
        {"id": "ex:drug", "category": "biolink:Drug"},
        {"id": "ex:mixin", "category": "biolink:ChemicalOrDrugOrTreatment"},
    ]
    edges = [
        # the example: a condition does not predispose as a chemical, drug or treatment
        ("e1", "ex:low-wbc", "biolink:predisposes_to_condition", "ex:infection", "Association"),
        ("e2", "ex:drug", "biolink:has_attribute", "ex:infection", "Association"),
        (
            "e3",
            "ex:drug",
            "biolink:treats",
            "ex:infection",
            "ChemicalOrDrugOrTreatmentSideEffectAssociation",
        ),
        ("e4", "ex:drug", "biolink:treats", "ex:infection", "Drug"),
    ]
    rows = [
        {"id": e, "subject": s, "predicate": p, "object": o, "category": "biolink:" + c}
        | {"original_predicate": p}
        for e, s, p, o, c in edges
    ]
    text = "\n".join(kgx_problems(model, nodes, rows))
    for expected in (
        "ex:low-wbc (disease or phenotypic feature) is not a chemical or drug or treatment",
        "biolink:has_attribute is not a Biolink predicate",
        "SideEffectAssociation needs a predicate under has side effect",
        "biolink:Drug is not a Biolink association",
        "biolink:ChemicalOrDrugOrTreatment is a mixin or abstract class",
    ):
        assert expected in text
    good = [{"id": "e5", "subject": "ex:drug", "predicate": "biolink:treats"}]
    good[0] |= {"object": "ex:infection", "original_predicate": "treats"}
    good[0]["category"] = "biolink:ChemicalOrDrugOrTreatmentToDiseaseOrPhenotypicFeatureAssociation"
    assert kgx_problems(model, nodes[1:3], good) == []
