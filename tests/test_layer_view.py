"""One source layer's view of a graph (mskg.graph.layers.layer_view), on a tiny fixture whose
every triple is placed by hand, and on the curated graph checked against a SPARQL reading of the
provenance model that does not use the function."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from mskg.errors import UsageError
from mskg.graph.layers import find_layer, layer_view, source_layers
from mskg.graph.loader import load_files
from mskg.prefixes import turtle_prefix_block
from mskg.vocab import MSKG, MSKR, SCHEMA

# Three layers: the article (typed, sections one level under its document), the label (typed,
# a section two levels under its document) and "sider", declared only by being used, whose
# document is cited directly. The ATC index is a source in no layer, and so is mskr:ms.
FIXTURE = """
@prefix owl: <http://www.w3.org/2002/07/owl#> .

mskr:layer-a a mskg:SourceLayer ; skos:notation "article" .
mskr:layer-l a mskg:SourceLayer ; skos:notation "label" .
mskr:layer-s skos:notation "sider" .

mskr:doc-a mskg:sourceLayer mskr:layer-a .
mskr:doc-a-s1 a mskg:SourceSection ; dcterms:isPartOf mskr:doc-a .
mskr:doc-l mskg:sourceLayer mskr:layer-l .
mskr:doc-l-s5 dcterms:isPartOf mskr:doc-l .
mskr:doc-l-s5-1 a mskg:SourceSection ; dcterms:isPartOf mskr:doc-l-s5 .
mskr:sider mskg:sourceLayer mskr:layer-s .
mskr:atc a mskg:InformationSource .

mskg:Drug a owl:Class ; rdfs:subClassOf mskg:Treatment ; dcterms:source mskr:doc-a-s1 .

mskr:drug a mskg:Drug ; rdfs:label "drug"@en ;
    prov:wasDerivedFrom mskr:doc-a-s1 , mskr:doc-l-s5-1 .
mskr:new-drug a mskg:Drug ; rdfs:label "new drug"@en ; schema:proprietaryName "Newbrand" ;
    prov:wasDerivedFrom mskr:doc-l-s5-1 .
mskr:headache a mskg:AdverseEffect ; rdfs:label "headache"@en ; skos:definition "A pain."@en ;
    mskg:hasSymptom mskr:pain ; prov:wasDerivedFrom mskr:doc-a-s1 .
mskr:rash a mskg:AdverseEffect ; rdfs:label "rash"@en ; prov:wasDerivedFrom mskr:doc-l-s5-1 .
mskr:nausea a mskg:AdverseEffect ; rdfs:label "nausea"@en ; prov:wasDerivedFrom mskr:sider .
mskr:ms a mskg:Disease ; rdfs:label "MS"@en .
mskr:class a mskg:DrugClass ; rdfs:label "a class"@en .

# both layers: one triple, a statement each, with qualifiers of their own
mskr:drug mskg:hasCommonAdverseEffect mskr:headache .
mskr:a-headache a mskg:AdverseEffectAssociation ; rdf:subject mskr:drug ;
    rdf:predicate mskg:hasCommonAdverseEffect ; rdf:object mskr:headache ;
    mskg:frequency mskg:Rare ; prov:wasDerivedFrom mskr:doc-a-s1 .
mskr:l-headache a mskg:AdverseEffectAssociation ; rdf:subject mskr:drug ;
    rdf:predicate mskg:hasCommonAdverseEffect ; rdf:object mskr:headache ;
    mskg:reportedIncidence "0.10"^^xsd:decimal ; prov:wasDerivedFrom mskr:doc-l-s5-1 .

# the label only, SIDER only
mskr:drug mskg:hasCommonAdverseEffect mskr:rash .
mskr:l-rash a mskg:AdverseEffectAssociation ; rdf:subject mskr:drug ;
    rdf:predicate mskg:hasCommonAdverseEffect ; rdf:object mskr:rash ;
    prov:wasDerivedFrom mskr:doc-l-s5-1 .
mskr:drug mskg:hasLabelledSideEffect mskr:nausea .
mskr:s-nausea a mskg:Association ; rdf:subject mskr:drug ;
    rdf:predicate mskg:hasLabelledSideEffect ; rdf:object mskr:nausea ;
    prov:wasDerivedFrom mskr:sider .

# a drug only the label gives, with a fact of the label and one of no layer
mskr:new-drug mskg:hasCommonAdverseEffect mskr:headache .
mskr:l-new-headache a mskg:AdverseEffectAssociation ; rdf:subject mskr:new-drug ;
    rdf:predicate mskg:hasCommonAdverseEffect ; rdf:object mskr:headache ;
    prov:wasDerivedFrom mskr:doc-l-s5-1 .
mskr:new-drug schema:drugClass mskr:class .
mskr:atc-new-drug a mskg:Association ; rdf:subject mskr:new-drug ;
    rdf:predicate schema:drugClass ; rdf:object mskr:class ; prov:wasDerivedFrom mskr:atc .

# a fact of no layer about a drug of both, and one statement citing both layers
mskr:drug schema:drugClass mskr:class .
mskr:atc-drug a mskg:Association ; rdf:subject mskr:drug ;
    rdf:predicate schema:drugClass ; rdf:object mskr:class ; prov:wasDerivedFrom mskr:atc .
mskr:drug mskg:mayBeUsedFor mskr:ms .
mskr:both-ms a mskg:IndicationAssociation ; rdf:subject mskr:drug ;
    rdf:predicate mskg:mayBeUsedFor ; rdf:object mskr:ms ;
    prov:wasDerivedFrom mskr:doc-a-s1 , mskr:doc-l-s5-1 .
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Graph:
    path = tmp_path_factory.mktemp("layers") / "layers.ttl"
    path.write_text(turtle_prefix_block() + FIXTURE, encoding="utf-8")
    return load_files([path])


DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")


def own(view: Graph, node: URIRef) -> set[tuple[object, object]]:
    """Every triple of ``node`` in ``view``, as (predicate, object)."""
    return set(view.predicate_objects(node))


def unreified(view: Graph, node: URIRef) -> set[tuple[object, object]]:
    """The triples of ``node`` in ``view`` that no statement describes (types, names...)."""
    return {
        (p, o)
        for p, o in own(view, node)
        if not set(view.subjects(RDF.subject, node)) & set(view.subjects(RDF.object, o))
    }


def test_the_layers_are_read_from_the_graph(tiny: Graph) -> None:
    assert source_layers(tiny) == {
        MSKR["layer-a"]: "article",
        MSKR["layer-l"]: "label",
        MSKR["layer-s"]: "sider",  # declared only by being used
    }
    assert find_layer(tiny, "sider") == MSKR["layer-s"]
    assert find_layer(tiny, MSKR["layer-l"]) == find_layer(tiny, str(MSKR["layer-l"]))
    with pytest.raises(UsageError, match=r"'guideline' names no source layer .*article, label"):
        layer_view(tiny, "guideline")
    twice = Graph()
    twice += tiny
    twice.add((MSKR["layer-s"], SKOS.notation, Literal("label")))
    twice.remove((MSKR["layer-s"], SKOS.notation, Literal("sider")))
    with pytest.raises(UsageError, match="several source layers"):
        find_layer(twice, "label")


def test_the_article_view(tiny: Graph) -> None:
    before = len(tiny)
    view = layer_view(tiny, "article")
    assert len(tiny) == before, "the graph is not changed"
    drug = MSKR.drug
    # the fact both layers state stays, with the article's statement and its qualifier only
    assert (drug, MSKG.hasCommonAdverseEffect, MSKR.headache) in view
    assert own(view, MSKR["a-headache"]) == own(tiny, MSKR["a-headache"])
    assert not own(view, MSKR["l-headache"])
    # what only the label or SIDER says is gone, with the nodes only they give
    assert (drug, MSKG.hasCommonAdverseEffect, MSKR.rash) not in view
    assert (drug, MSKG.hasLabelledSideEffect, MSKR.nausea) not in view
    for node in ("l-rash", "s-nausea", "rash", "nausea", "new-drug", "l-new-headache"):
        assert not own(view, MSKR[node]), node
    assert not list(view.subjects(RDF.subject, MSKR["new-drug"]))
    # a fact of no layer stays about a node the article has, not about one only the label has
    assert (drug, SCHEMA.drugClass, MSKR["class"]) in view
    assert own(view, MSKR["atc-drug"]) == own(tiny, MSKR["atc-drug"])
    assert (MSKR["new-drug"], SCHEMA.drugClass, MSKR["class"]) not in view
    # a statement citing both layers is in both
    assert own(view, MSKR["both-ms"]) == own(tiny, MSKR["both-ms"])
    # the nodes of both layers keep their own triples; the ontology is always there
    assert unreified(view, drug) == unreified(tiny, drug)
    assert own(view, MSKR.headache) == own(tiny, MSKR.headache)
    assert (MSKG.Drug, RDFS.subClassOf, MSKG.Treatment) in view
    # sources: the article's and those of no layer stay, the other layers' go
    assert own(view, MSKR["doc-a-s1"]) and own(view, MSKR.atc) and own(view, MSKR["layer-l"])
    for source in ("doc-l", "doc-l-s5", "doc-l-s5-1", "sider"):
        assert not own(view, MSKR[source]), source


def test_the_label_view(tiny: Graph) -> None:
    view = layer_view(tiny, "label")
    drug = MSKR.drug
    assert (drug, MSKG.hasCommonAdverseEffect, MSKR.headache) in view
    assert not own(view, MSKR["a-headache"])
    # its statement keeps its value as written
    incidence = view.value(MSKR["l-headache"], MSKG.reportedIncidence)
    assert incidence == Literal("0.10", datatype=DECIMAL) and str(incidence) == "0.10"
    assert (drug, MSKG.hasCommonAdverseEffect, MSKR.rash) in view
    assert own(view, MSKR["new-drug"]) == own(tiny, MSKR["new-drug"])
    assert (MSKR["new-drug"], SCHEMA.drugClass, MSKR["class"]) in view
    assert (drug, SCHEMA.drugClass, MSKR["class"]) in view
    # headache is the article's node: the label names it, so it keeps its name and kind, not
    # what the article says of it
    assert own(view, MSKR.headache) == {
        (RDF.type, MSKG.AdverseEffect),
        (RDFS.label, Literal("headache", lang="en")),
        (SKOS.definition, Literal("A pain.", lang="en")),
    }
    assert not own(view, MSKR["doc-a-s1"]) and not own(view, MSKR["doc-a"])


def test_a_layer_that_cites_its_document_directly(tiny: Graph) -> None:
    view = layer_view(tiny, MSKR["layer-s"])
    assert own(view, MSKR["s-nausea"]) == own(tiny, MSKR["s-nausea"])
    assert own(view, MSKR.nausea) == own(tiny, MSKR.nausea)
    for node in ("a-headache", "l-headache", "l-rash", "both-ms", "atc-drug"):
        assert not own(view, MSKR[node]), node
    # the drug is named by SIDER's fact, but none of its facts are SIDER's
    assert unreified(view, MSKR.drug) == {
        (RDF.type, MSKG.Drug),
        (RDFS.label, Literal("drug", lang="en")),
    }
    assert (MSKR.drug, SCHEMA.drugClass, MSKR["class"]) not in view
    assert (MSKG.Drug, RDF.type, OWL.Class) in view


STATEMENTS = """
SELECT DISTINCT ?s ?p ?o ?layer WHERE {
  ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o .
  OPTIONAL {
    { ?st prov:wasDerivedFrom|prov:hadPrimarySource|dcterms:source ?src }
    ?src dcterms:isPartOf* ?doc . ?doc mskg:sourceLayer/skos:notation ?layer
  }
}
"""


@pytest.mark.parametrize("layer", ["article", "label"])
def test_the_curated_graph_by_layer(graph: Graph, layer: str) -> None:
    """Every fact a statement of the layer gives is in its view; every other described fact in
    it has a statement of no layer (ATC, cross-references) and none of the layer's."""
    by_triple: dict[tuple[object, ...], set[object]] = {}
    for row in graph.query(STATEMENTS):
        s, p, o, found = row  # type: ignore[misc]
        by_triple.setdefault((s, p, o), set()).add(str(found) if found is not None else None)
    view = layer_view(graph, layer)
    assert len(view) < len(graph)
    for triple, layers in by_triple.items():
        if triple not in graph:
            continue  # a statement of a triple the graph does not assert
        if layer in layers:
            assert triple in view, triple
        elif triple in view:
            assert None in layers, triple
    # the test can fail: facts of both layers, and facts of the other layer alone, are there
    assert any({"article", "label"} <= layers for layers in by_triple.values())
    assert any(layer not in layers and None not in layers for layers in by_triple.values())
