"""The Python vocabulary stays in step with graph/ontology.ttl, and refuses typos."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from conftest import GRAPH_DIR
from mskg.prefixes import MSKG_IRI, compress_iri, curie_converter, expand_curie
from mskg.vocab import MSKG


def ontology_terms() -> set[str]:
    ontology = Graph().parse(GRAPH_DIR / "ontology.ttl")
    return {
        str(s)[len(MSKG_IRI) :]
        for s in ontology.subjects(RDF.type, None)
        if isinstance(s, URIRef) and str(s).startswith(MSKG_IRI) and str(s) != MSKG_IRI
    }


def test_vocabulary_matches_ontology() -> None:
    python_terms = set(MSKG.__annotations__)
    assert python_terms == ontology_terms()


def test_typo_raises() -> None:
    assert MSKG.hasSeriousAdverseEffect == URIRef(MSKG_IRI + "hasSeriousAdverseEffect")
    with pytest.raises(AttributeError):
        _ = MSKG.hasSeriusAdverseEffect


def test_every_mskg_term_has_label_definition_and_alignment() -> None:
    ontology = Graph().parse(GRAPH_DIR / "ontology.ttl")
    alignments = (
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        SKOS.exactMatch,
        SKOS.closeMatch,
        SKOS.broadMatch,
        SKOS.narrowMatch,
        SKOS.relatedMatch,
        # Where the nearest standard term is of another kind (a property for a concept, say),
        # a match would be a category error; rdfs:seeAlso points at it without claiming one.
        RDFS.seeAlso,
    )
    missing = []
    for name in sorted(ontology_terms()):
        term = URIRef(MSKG_IRI + name)
        if ontology.value(term, RDFS.label) is None:
            missing.append(f"{name}: label")
        definition = ontology.value(term, SKOS.definition) or ontology.value(term, RDFS.comment)
        if definition is None:
            missing.append(f"{name}: definition")
        if not any(ontology.value(term, p) is not None for p in alignments):
            missing.append(f"{name}: alignment")
    assert not missing


def test_ontology_header() -> None:
    ontology = Graph().parse(GRAPH_DIR / "ontology.ttl")
    [header] = list(ontology.subjects(RDF.type, OWL.Ontology))
    assert ontology.value(header, OWL.versionInfo) is not None
    assert ontology.value(header, URIRef("http://purl.org/dc/terms/license")) is not None


def test_prefixed_names_both_ways() -> None:
    assert compress_iri(MSKG_IRI + "Drug") == "mskg:Drug"
    assert compress_iri("http://example.org/x") is None
    assert expand_curie("mskr:natalizumab") == "https://w3id.org/mskg/resource/natalizumab"
    assert expand_curie("ex:x") is None
    assert expand_curie("natalizumab") is None


def test_the_longest_namespace_wins() -> None:
    converter = curie_converter({"mskrx": "https://w3id.org/mskg/resource/x/"})
    assert converter.compress("https://w3id.org/mskg/resource/x/a") == "mskrx:a"
    assert converter.compress("https://w3id.org/mskg/resource/xa") == "mskr:xa"


#: Links that join terms of one kind (graph/README.md, "Standard vocabularies"); rdfs:seeAlso
#: joins terms of different kinds.
SAME_KIND_LINKS = (
    SKOS.exactMatch,
    SKOS.closeMatch,
    SKOS.broadMatch,
    SKOS.narrowMatch,
    SKOS.relatedMatch,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
)

DECLARED_KINDS = {
    OWL.Class: "class",
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
}


def term_kind(ontology: Graph, term: URIRef) -> str | None:
    """A term's kind: as declared; an individual when it has other types; for an undeclared
    term, a class when its name is capitalised (schema.org's convention), else None (a property
    of unknown kind)."""
    declared = {DECLARED_KINDS[t] for t in ontology.objects(term, RDF.type) if t in DECLARED_KINDS}
    if len(declared) == 1:
        return declared.pop()
    if (term, RDF.type, None) in ontology:
        return "individual"
    local = str(term).rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    return "class" if local[:1].isupper() else None


def kinds_differ(first: str | None, second: str | None) -> bool | None:
    """Whether two kinds differ; None when one is a property of unknown kind and the other a
    property too."""
    if first is None or second is None:
        known = first if second is None else second
        return None if known is None or known.endswith("property") else True
    return first != second


def alignment_kind_problems(ontology: Graph) -> list[str]:
    """Links from mskg terms to other vocabularies that break the one-relation-per-link rule
    (Biolink terms are checked against the Biolink model in tests/test_biolink.py)."""
    problems = []
    for term, link, target in sorted(ontology):
        if not str(term).startswith(MSKG_IRI) or not isinstance(target, URIRef):
            continue
        if str(target).startswith("https://w3id.org/biolink/"):
            continue
        if link not in (*SAME_KIND_LINKS, RDFS.seeAlso):
            continue
        assert isinstance(term, URIRef)
        differ = kinds_differ(term_kind(ontology, term), term_kind(ontology, target))
        where = f"{compress_iri(str(term))} {compress_iri(str(link))} {target}"
        if link == RDFS.seeAlso and differ is not True:
            problems.append(
                f"{where}: same kind (or unknown): use skos:relatedMatch, or declare it"
            )
        elif link != RDFS.seeAlso and differ:
            problems.append(f"{where}: the two are of different kinds: use rdfs:seeAlso")
    return problems


def test_links_to_other_vocabularies_keep_to_their_kind() -> None:
    assert alignment_kind_problems(Graph().parse(GRAPH_DIR / "ontology.ttl")) == []


def test_the_kind_rule_catches_mixed_links() -> None:
    bad = Graph().parse(
        format="turtle",
        data="""
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix schema: <http://schema.org/> .
        @prefix mskg: <https://w3id.org/mskg/ontology/> .
        schema:administrationRoute a owl:DatatypeProperty .
        mskg:administeredBy a owl:ObjectProperty ; skos:closeMatch schema:administrationRoute .
        mskg:Mechanism a owl:Class ; skos:closeMatch schema:mechanismOfAction ;
            rdfs:seeAlso schema:MedicalEntity .
        mskg:curable a owl:DatatypeProperty ; rdfs:seeAlso schema:expectedPrognosis .
        """,
    )
    found = "\n".join(alignment_kind_problems(bad))
    assert "mskg:administeredBy skos:closeMatch" in found
    assert "mskg:Mechanism skos:closeMatch http://schema.org/mechanismOfAction" in found
    assert "mskg:Mechanism rdfs:seeAlso http://schema.org/MedicalEntity" in found
    assert "mskg:curable rdfs:seeAlso" in found
