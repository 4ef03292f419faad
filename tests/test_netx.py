"""mskg.to_networkx: the readable projection of RDF, and write_network's GraphML, GEXF, JSON."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import networkx as nx
import pytest
from rdflib import RDF, Graph, URIRef

import mskg
from mskg.errors import UsageError
from mskg.graph.network import flatten, network_text, to_networkx, write_network

M = "https://w3id.org/mskg/ontology/"
R = "https://w3id.org/mskg/resource/"

FIXTURE = """
@prefix mskg: <https://w3id.org/mskg/ontology/> .
@prefix mskr: <https://w3id.org/mskg/resource/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix schema: <http://schema.org/> .
@prefix vann: <http://purl.org/vocab/vann/> .

<https://w3id.org/mskg/ontology> a owl:Ontology ;
    vann:preferredNamespaceUri "https://w3id.org/mskg/ontology/" .
mskg:Drug a owl:Class ; rdfs:label "drug"@en .
mskg:DiseaseModifyingTherapy a owl:Class ; rdfs:label "disease-modifying therapy"@en ;
    rdfs:subClassOf mskg:Drug .
mskg:AdverseEffect a owl:Class ; rdfs:label "adverse effect"@en .
mskg:hasSeriousAdverseEffect a owl:ObjectProperty ; rdfs:label "has serious adverse effect"@en .
mskg:hasCommonAdverseEffect a owl:ObjectProperty ; rdfs:label "has common adverse effect"@en .
mskg:Rare a mskg:FrequencyCategory , skos:Concept ; rdfs:label "rare"@en .
mskg:Targeting a mskg:ActionType , skos:Concept ; rdfs:label "targeting"@en .
mskg:MaintenancePhase a mskg:DosingPhaseType , skos:Concept ; rdfs:label "maintenance phase"@en .

mskr:article a mskg:InformationSource ; rdfs:label "The article"@en ;
    schema:url "https://example.org/article"^^xsd:anyURI .
mskr:section-1 a mskg:SourceSection ; rdfs:label "Article, section 1"@en ;
    dcterms:isPartOf mskr:article .

mskr:drug-a a mskg:Drug , mskg:DiseaseModifyingTherapy ;
    rdfs:label "drug A"@en , "Arzneimittel A"@de ;
    skos:altLabel "DA"@en ;
    schema:proprietaryName "Brandix" ;
    skos:definition "A drug for testing."@en ;
    skos:exactMatch <https://go.drugbank.com/drugs/DB00001> ;
    mskg:hasSeriousAdverseEffect mskr:pml ;
    mskg:hasCommonAdverseEffect mskr:headache ;
    mskg:hasMechanism [ a mskg:MechanismOfAction ; rdfs:label "binds things"@en ;
                        mskg:actionType mskg:Targeting ] ;
    mskg:hasDosingRegimen mskr:drug-a-regimen ;
    prov:wasDerivedFrom mskr:section-1 .

mskr:pml a mskg:AdverseEffect ; rdfs:label "PML"@en ; prov:wasDerivedFrom mskr:section-1 .
mskr:headache a mskg:AdverseEffect ; rdfs:label "headache"@en .

mskr:ae-a-pml a mskg:AdverseEffectAssociation ;
    rdf:subject mskr:drug-a ; rdf:predicate mskg:hasSeriousAdverseEffect ; rdf:object mskr:pml ;
    mskg:potentiallyFatal true ; mskg:frequency mskg:Rare ;
    mskg:usageRestriction mskr:only-adults ;
    prov:wasDerivedFrom mskr:section-1 .
mskr:only-adults a mskg:UsageRestriction ; rdfs:label "adults only"@en .

mskr:drug-a-regimen a mskg:DosingRegimen ; rdfs:label "drug A dosing"@en ;
    mskg:hasPhase mskr:phase-2 , mskr:phase-1 .
mskr:phase-1 a mskg:DosingPhase ; rdfs:label "start"@en ; mskg:phaseOrder 1 ;
    schema:doseValue 300 ; schema:doseUnit "mg" ; mskg:doseInterval "P14D"^^xsd:duration .
mskr:phase-2 a mskg:DosingPhase ; rdfs:label "maintenance"@en ; mskg:phaseOrder 2 ;
    mskg:phaseType mskg:MaintenancePhase ; mskg:doseInterval "PT24H"^^xsd:duration .
"""


def parse(text: str = FIXTURE) -> Graph:
    import rdflib

    rdflib.NORMALIZE_LITERALS = False
    return Graph().parse(data=text, format="turtle")


@pytest.fixture(scope="module")
def fixture_network() -> nx.MultiDiGraph:
    return to_networkx(parse())


def labels(network: nx.MultiDiGraph) -> set[str]:
    return {attrs["label"] for _, attrs in network.nodes(data=True)}


def test_returns_a_multidigraph_through_the_lazy_export(fixture_network: nx.MultiDiGraph) -> None:
    assert isinstance(mskg.to_networkx(parse()), nx.MultiDiGraph)
    assert isinstance(fixture_network, nx.MultiDiGraph)


def test_vocabulary_associations_sources_and_parts_are_not_nodes(
    fixture_network: nx.MultiDiGraph,
) -> None:
    assert labels(fixture_network) == {
        "drug A",
        "PML",
        "headache",
        "binds things",
        "targeting",  # a vocabulary term that instance data points at is drawn
        "drug A dosing",
    }
    for absent in ("ae-a-pml", "section-1", "article", "phase-1", "only-adults"):
        assert R + absent not in fixture_network
    assert M + "Drug" not in fixture_network
    assert M + "Rare" not in fixture_network


def test_node_attributes(fixture_network: nx.MultiDiGraph) -> None:
    drug = fixture_network.nodes[R + "drug-a"]
    assert drug["iri"] == R + "drug-a"
    assert drug["label"] == "drug A"  # English wins over German
    assert drug["class"] == M + "DiseaseModifyingTherapy"
    assert drug["class_label"] == "disease-modifying therapy"
    assert drug["types"] == [M + "DiseaseModifyingTherapy", M + "Drug"]
    assert drug["definition"] == "A drug for testing."
    assert drug["alt_labels"] == ["DA"]
    assert drug["identifiers"] == [
        {"iri": "https://go.drugbank.com/drugs/DB00001", "relation": "skos:exactMatch"}
    ]
    assert drug["properties"] == {"schema:proprietaryName": ["Brandix"]}
    [source] = drug["sources"]
    assert source["iri"] == R + "section-1"
    assert source["label"] == "Article, section 1"
    assert source["part_of"] == "The article"
    assert source["url"] == "https://example.org/article"


def test_no_type_or_literal_edges(fixture_network: nx.MultiDiGraph) -> None:
    predicates = {key for _, _, key in fixture_network.edges(keys=True)}
    assert "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" not in predicates
    assert "http://www.w3.org/ns/prov#wasDerivedFrom" not in predicates
    assert "http://www.w3.org/2004/02/skos/core#exactMatch" not in predicates
    assert all(not attrs["iri"].startswith('"') for _, attrs in fixture_network.nodes(data=True))


def test_association_qualifiers_on_the_edge(fixture_network: nx.MultiDiGraph) -> None:
    serious = fixture_network.get_edge_data(
        R + "drug-a", R + "pml", key=M + "hasSeriousAdverseEffect"
    )
    assert serious["predicate"] == M + "hasSeriousAdverseEffect"
    assert serious["label"] == "has serious adverse effect"
    assert serious["severity"] == "serious"
    assert serious["potentially_fatal"] is True
    assert serious["frequency"] == "rare"
    assert serious["associations"] == [R + "ae-a-pml"]
    assert [s["iri"] for s in serious["sources"]] == [R + "section-1"]
    assert serious["properties"] == {"mskg:usageRestriction": ["adults only"]}
    common = fixture_network.get_edge_data(
        R + "drug-a", R + "headache", key=M + "hasCommonAdverseEffect"
    )
    assert common["severity"] == "common"
    assert common["potentially_fatal"] is False
    assert common["associations"] == []


def test_dosing_phases_fold_into_the_regimen_in_order(fixture_network: nx.MultiDiGraph) -> None:
    regimen = fixture_network.nodes[R + "drug-a-regimen"]
    assert [p["label"] for p in regimen["parts"]] == ["start", "maintenance"]
    start, maintenance = regimen["parts"]
    assert start["properties"]["schema:doseValue"] == ["300"]
    assert start["properties"]["schema:doseUnit"] == ["mg"]
    assert start["properties"]["mskg:doseInterval"] == ["P14D"]
    # Lexical forms as written, and IRI values of a part shown by their label.
    assert maintenance["properties"]["mskg:doseInterval"] == ["PT24H"]
    assert maintenance["properties"]["mskg:phaseType"] == ["maintenance phase"]
    assert fixture_network.has_edge(R + "drug-a", R + "drug-a-regimen")


def test_blank_nodes_get_stable_ids() -> None:
    first = to_networkx(parse())
    second = to_networkx(parse())
    blank = [n for n in first if n.startswith("_:")]
    assert len(blank) == 1
    assert blank == [n for n in second if n.startswith("_:")]
    assert first.nodes[blank[0]]["label"] == "binds things"


def test_same_graph_same_network_whatever_the_triple_order() -> None:
    lines = [line for line in FIXTURE.splitlines() if line.strip()]
    g1 = parse()
    g2 = Graph()
    for triple in sorted(g1, key=lambda t: str(t[::-1]), reverse=True):
        g2.add(triple)
    n1, n2 = to_networkx(g1), to_networkx(g2)
    assert list(n1.nodes(data=True)) == list(n2.nodes(data=True))
    assert list(n1.edges(keys=True, data=True)) == list(n2.edges(keys=True, data=True))
    assert lines  # the fixture is not empty


def test_construct_result_with_context_and_unasserted_reification() -> None:
    full = parse()
    result = full.query(
        """PREFIX mskg: <https://w3id.org/mskg/ontology/>
        CONSTRUCT { ?d mskg:hasSeriousAdverseEffect ?e }
        WHERE { ?d mskg:hasSeriousAdverseEffect ?e }"""
    ).graph
    assert result is not None
    bare = to_networkx(result)
    assert bare.nodes[R + "drug-a"]["label"] == "drug-a"  # no labels in the result itself
    network = to_networkx(result, context=full)
    assert sorted(labels(network)) == ["PML", "drug A"]
    edge = network.get_edge_data(R + "drug-a", R + "pml", key=M + "hasSeriousAdverseEffect")
    assert edge["severity"] == "serious"
    # Qualifiers of the edges the result has come from the associations in the context.
    assert edge["potentially_fatal"] is True
    assert edge["frequency"] == "rare"
    assert edge["associations"] == [R + "ae-a-pml"]

    only_association = parse(FIXTURE.replace("mskg:hasSeriousAdverseEffect mskr:pml ;", ""))
    network = to_networkx(only_association)
    assert network.has_edge(R + "drug-a", R + "pml", key=M + "hasSeriousAdverseEffect")


def test_any_rdf_graph() -> None:
    g = parse(
        """@prefix ex: <http://example.org/> .
        ex:a ex:knows ex:b ; ex:name "A" .
        ex:b ex:knows ex:a .
        ex:lonely ex:note "only literals" ."""
    )
    network = to_networkx(g)
    assert sorted(network.nodes) == [
        "http://example.org/a",
        "http://example.org/b",
        "http://example.org/lonely",
    ]
    assert network.number_of_edges() == 2
    assert network.nodes["http://example.org/a"]["properties"] == {"http://example.org/name": ["A"]}
    assert (
        network.get_edge_data("http://example.org/a", "http://example.org/b")[
            "http://example.org/knows"
        ]["label"]
        == "knows"
    )


def test_general_predicates_read_as_sentences() -> None:
    g = parse(
        """@prefix ex: <http://example.org/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        skos:broader rdfs:label "broader"@en .
        ex:pml skos:broader ex:infection .
        ex:infection ex:note "x" ."""
    )
    edge = to_networkx(g).get_edge_data("http://example.org/pml", "http://example.org/infection")
    # The graph's own label "broader" reads badly on an edge: "PML broader infection".
    assert edge["http://www.w3.org/2004/02/skos/core#broader"]["label"] == "is a kind of"


def test_a_reified_cross_reference_stays_an_identifier() -> None:
    """A mapping described by an association (for its provenance) is still a cross-reference,
    not an edge to a node for the outside IRI."""
    g = parse(
        """@prefix ex: <http://example.org/> .
        @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
        @prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
        @prefix prov: <http://www.w3.org/ns/prov#> .
        ex:drug ex:treats ex:disease ;
            skos:exactMatch <https://go.drugbank.com/drugs/DB00108> .
        ex:map rdf:subject ex:drug ; rdf:predicate skos:exactMatch ;
            rdf:object <https://go.drugbank.com/drugs/DB00108> ; prov:wasDerivedFrom ex:table ."""
    )
    network = to_networkx(g)
    assert sorted(network.nodes) == ["http://example.org/disease", "http://example.org/drug"]
    identifiers = network.nodes["http://example.org/drug"]["identifiers"]
    assert [i["iri"] for i in identifiers] == ["https://go.drugbank.com/drugs/DB00108"]


def test_context_lookups_match_rdflib(graph: Graph) -> None:
    """The index to_networkx reads from gives what rdflib's own pattern matching gives."""
    from mskg.graph.network import _Lookup

    lookup = _Lookup(Graph(), graph)
    natalizumab = URIRef(R + "natalizumab")
    assert lookup.objects(natalizumab, RDF.type) == sorted(
        set(graph.objects(natalizumab, RDF.type)), key=str
    )
    assert {(p, o) for p, o in lookup.predicate_objects(natalizumab)} == {
        (p, o) for p, o in graph.predicate_objects(natalizumab)
    }
    assert lookup.has_triples(natalizumab)
    assert not lookup.has_triples(URIRef(R + "no-such-thing"))


# --- the real graph ------------------------------------------------------------------------------


def test_real_graph_projection(graph: Graph) -> None:
    network = to_networkx(graph)
    assert network.number_of_nodes() > 50
    classes = {attrs["class"] for _, attrs in network.nodes(data=True)}
    assert M + "AdverseEffectAssociation" not in classes
    assert M + "IndicationAssociation" not in classes
    assert M + "SourceSection" not in classes
    assert M + "DosingPhase" not in classes
    assert all(not n.startswith(M) or network.in_degree(n) for n in network)
    pml = network.get_edge_data(R + "natalizumab", R + "pml", key=M + "hasSeriousAdverseEffect")
    assert pml["severity"] == "serious"
    assert pml["potentially_fatal"] is True
    assert pml["frequency"] == "rare"
    assert pml["sources"]
    natalizumab = network.nodes[R + "natalizumab"]
    assert natalizumab["properties"]["schema:proprietaryName"] == ["Tysabri"]
    assert any("drugbank" in i["iri"] for i in natalizumab["identifiers"])
    ocrelizumab = network.nodes[R + "ocrelizumab-regimen"]
    assert [p["properties"].get("schema:doseValue") for p in ocrelizumab["parts"]] == [
        ["300"],
        ["600"],
    ]
    # No literal ever became a node: doses are details.
    assert not any(n[:1].isdigit() for n in network)


# --- export --------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_write_network_round_trips(fmt: str, tmp_path: Path) -> None:
    network = to_networkx(parse())
    out = tmp_path / f"g.{fmt}"
    write_network(parse(), fmt, out)
    assert out.read_bytes() == network_text(network, fmt)  # deterministic
    if fmt == "graphml":
        back = nx.read_graphml(out)
        drug = back.nodes[R + "drug-a"]
        assert drug["label"] == "drug A"
        assert drug["schema:proprietaryName"] == "Brandix"
        assert drug["identifiers"] == "https://go.drugbank.com/drugs/DB00001"
    elif fmt == "gexf":
        back = nx.read_gexf(out)
    else:
        data = json.loads(out.read_text())
        back = nx.node_link_graph(data, edges="edges")
        assert back.nodes[R + "drug-a"]["alt_labels"] == ["DA"]
    assert back.number_of_nodes() == network.number_of_nodes()
    assert back.number_of_edges() == network.number_of_edges()
    assert not list(tmp_path.glob(".*.tmp"))


def test_write_network_real_graph_graphml(graph: Graph, tmp_path: Path) -> None:
    write_network(graph, "graphml", tmp_path / "mskg.graphml")
    back = nx.read_graphml(tmp_path / "mskg.graphml")
    network = to_networkx(graph)
    assert (back.number_of_nodes(), back.number_of_edges()) == (
        network.number_of_nodes(),
        network.number_of_edges(),
    )


def test_flatten_gives_every_node_every_column() -> None:
    flat = flatten(to_networkx(parse()))
    columns = {frozenset(attrs) for _, attrs in flat.nodes(data=True)}
    assert len(columns) == 1
    for _, attrs in flat.nodes(data=True):
        assert all(isinstance(v, str | bool | int | float) for v in attrs.values())


def test_written_files_are_readable_as_umask_allows(tmp_path: Path) -> None:
    """Like every file mskg writes (the viz page too): 0666 less the umask, not 0600."""
    old = os.umask(0o022)
    try:
        write_network(parse(), "graphml", tmp_path / "a.graphml")
        assert stat.S_IMODE((tmp_path / "a.graphml").stat().st_mode) == 0o644
        os.umask(0o027)
        write_network(parse(), "json", tmp_path / "b.json")
        assert stat.S_IMODE((tmp_path / "b.json").stat().st_mode) == 0o640
    finally:
        os.umask(old)


def test_write_network_to_stdout(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    write_network(parse(), "json", None)
    assert json.loads(capsysbinary.readouterr().out)["directed"] is True


def test_unknown_network_format() -> None:
    with pytest.raises(UsageError, match="graphml"):
        network_text(parse(), "dot")
