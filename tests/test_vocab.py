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
