"""Source layers in mskg viz (mskg.viz.layers): which layers give each edge and node, read from
the graph (tests/fixtures/viz/layers.ttl: the article's facts, the label's, both, and a source
of no layer), the same on a store outside the process, and carried into the page with its
legend, escaped. The page's switches are tested in a browser in test_viz_browser.py."""

from __future__ import annotations

import re
from pathlib import Path

import networkx as nx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from conftest import GRAPH_DIR, TESTS_DIR
from mskg.cli import main
from mskg.stores import open_store
from mskg.viz.layers import annotate_layers, layer_index
from mskg.viz.page import build_network, page_data, render_html
from mskg.viz.style import GROUPS, LAYER_DASHES, group_of
from mskg.vocab import MSKG
from test_viz import HOSTILE, HOSTILE_SCRIPT, embedded_data

R = "https://w3id.org/mskg/resource/"
M = "https://w3id.org/mskg/ontology/"
FIXTURE = TESTS_DIR / "fixtures" / "viz" / "layers.ttl"
ARTICLE, LABEL = R + "layer-article", R + "layer-label"
DRUG = R + "fixturumab"
BOXED = R + "label-boxed-warning-fixturumab-pml"


def fixture_graph() -> Graph:
    return Graph().parse(GRAPH_DIR / "ontology.ttl").parse(FIXTURE)


@pytest.fixture(scope="module")
def layered() -> Graph:
    return fixture_graph()


def edge_layers(network: nx.MultiDiGraph, s: str, p: str, o: str) -> list[str]:
    """The layers of the edge ``s p o`` (mskr: slugs or IRIs; ``p`` an mskg: name or IRI)."""
    data = network.get_edge_data(*(x if "://" in x else R + x for x in (s, o)))
    layers: list[str] = data[p if "://" in p else M + p]["layers"]
    return layers


def test_edge_layers(layered: Graph) -> None:
    network = build_network(layered)
    # Only the article: its association cites a section two levels below the article.
    assert edge_layers(network, "fixturumab", "hasCommonAdverseEffect", "fixture-headache") == [
        ARTICLE
    ]
    # Only the label: its association cites a label section.
    assert edge_layers(network, DRUG, "hasBoxedWarning", BOXED) == [LABEL]
    assert edge_layers(network, "fixturumab", "hasMolecularTarget", "fixture-cd20") == [LABEL]
    assert edge_layers(network, "fixture-cd20", "expressedOn", "fixture-b-cell") == [LABEL]
    # Both: an association from each, and the edge carries both sources.
    pml = network.get_edge_data(DRUG, R + "fixture-pml")[M + "hasSeriousAdverseEffect"]
    assert pml["layers"] == [ARTICLE, LABEL]
    assert len(pml["associations"]) == 2
    # No layered source: a classification of no layer ("other sources").
    drug_class = "http://schema.org/drugClass"
    assert edge_layers(network, DRUG, drug_class, "fixture-antibody-class") == []
    # A link without an association is in its subject's layers.
    assert edge_layers(network, BOXED, "warnsOf", "fixture-pml") == [LABEL]
    broader = str(SKOS.broader)
    assert edge_layers(network, "fixture-relapsing-ms", broader, "fixture-ms") == [ARTICLE]
    disagreement = R + "disagreement-fixturumab-pml"
    assert edge_layers(network, disagreement, "concernsTreatment", DRUG) == [ARTICLE, LABEL]


def test_node_layers_and_the_layer_nodes(layered: Graph) -> None:
    network = build_network(layered)
    layers = dict(network.nodes(data="layers"))
    assert layers[DRUG] == [ARTICLE]
    assert layers[BOXED] == [LABEL]
    assert layers[R + "fixture-cd20"] == [LABEL]  # cites a label section and general knowledge
    assert layers[R + "fixture-antibody-class"] == []
    assert layers[M + "Periodically"] == []  # a vocabulary term: no source of its own
    assert layers[R + "disagreement-fixturumab-pml"] == [ARTICLE, LABEL]
    # The layers are the page's switches, not nodes; sources are not drawn either, cited or
    # not (an older label nothing cites), unless a query asks for them.
    sources = [R + "label-fixturumab", R + "label-fixturumab-s5-1", R + "label-fixturumab-2020"]
    for node in (ARTICLE, LABEL, *sources):
        assert node not in network
    asked = build_network(
        layered,
        query="PREFIX mskg: <https://w3id.org/mskg/ontology/>\n"
        "CONSTRUCT { ?l mskg:labelOf ?d } WHERE { ?l mskg:labelOf ?d }",
    )
    assert sorted(asked.nodes) == [DRUG, R + "label-fixturumab", R + "label-fixturumab-2020"]
    assert network.graph["layers"] == [
        {
            "iri": ARTICLE,
            "key": "article",
            "label": "article layer",
            "definition": "The patient-facing article.",
        },
        {
            "iri": LABEL,
            "key": "label",
            "label": "label layer",
            "definition": "The US prescribing information.",
        },
    ]


def test_a_third_layer_just_appears(layered: Graph) -> None:
    """A layer the code has never heard of (a user's import): declared in the graph, it is a
    layer, with a dash pattern of its own; nothing lists the layers in the code."""
    graph = Graph() + layered
    layer, source = URIRef(R + "layer-mine"), URIRef(R + "my-notes")
    graph.add((layer, RDF.type, MSKG.SourceLayer))
    graph.add((layer, SKOS.notation, Literal("mine")))
    graph.add((source, MSKG.sourceLayer, layer))
    section = URIRef(R + "my-notes-1")
    graph.add((section, DCTERMS.isPartOf, source))
    graph.add((URIRef(R + "label-target-fixturumab-cd20"), PROV.wasDerivedFrom, section))
    network = build_network(graph)
    target = network.get_edge_data(DRUG, R + "fixture-cd20")[M + "hasMolecularTarget"]
    assert target["layers"] == [LABEL, str(layer)]
    assert [r["key"] for r in network.graph["layers"]] == ["article", "label", "mine"]
    data = page_data(network)
    assert [(r["key"], r["label"], r["base"], r["dashes"]) for r in data["layers"]] == [
        ("article", "article layer", True, False),
        ("label", "label layer", False, list(LAYER_DASHES[0])),
        ("mine", "mine", False, list(LAYER_DASHES[1])),
    ]


def test_no_layers_declared() -> None:
    """A graph without layers: every fact is "other sources" and the page lists no layer."""
    graph = Graph().parse(FIXTURE)
    for layer in (URIRef(ARTICLE), URIRef(LABEL)):
        graph.remove((None, MSKG.sourceLayer, layer))
        graph.remove((layer, None, None))
    network = build_network(graph)
    assert network.graph["layers"] == []
    assert all(not d["layers"] for *_, d in network.edges(data=True))
    data = page_data(network)
    assert data["layers"] == [] and data["layer_sets"] == [[]]
    assert all(len(edge) == 5 for edge in data["edges"])


def test_layer_index_walks_up_parts_and_stops_at_cycles() -> None:
    graph = Graph()
    a, b, c = (URIRef(R + x) for x in ("a", "b", "c"))
    graph.add((a, DCTERMS.isPartOf, b))
    graph.add((b, DCTERMS.isPartOf, c))
    graph.add((c, DCTERMS.isPartOf, a))  # a cycle: must not loop
    graph.add((c, MSKG.sourceLayer, URIRef(LABEL)))
    graph.add((URIRef(LABEL), RDFS.label, Literal("label layer", lang="en")))
    index = layer_index(graph)
    assert index.of_source(str(a)) == {LABEL}
    assert [(layer.key, layer.label) for layer in index.layers] == [("layer-label", "label layer")]
    assert index.of_sources([{"iri": str(a)}, {"iri": ""}, {"iri": "_:b0"}]) == {LABEL}


def test_page_carries_layers_and_styles(layered: Graph) -> None:
    network = build_network(layered)
    data = page_data(network)
    layers = data["layers"]
    assert [(r["key"], r["base"], r["edges"], r["nodes"]) for r in layers] == [
        ("article", True, 4, 7),
        ("label", False, 15, 8),
    ]
    sets = [set(s) for s in data["layer_sets"]]
    assert sets[0] == set()
    index = {n["id"]: i for i, n in enumerate(data["nodes"])}

    def edge_set(s: str, o: str) -> set[int]:
        (edge,) = [e for e in data["edges"] if e[:2] == [index[s], index[o]]]
        return sets[edge[5]] if len(edge) > 5 else set()

    assert edge_set(DRUG, R + "fixture-headache") == {0}
    assert edge_set(DRUG, BOXED) == {1}
    assert edge_set(DRUG, R + "fixture-pml") == {0, 1}
    assert edge_set(DRUG, R + "fixture-antibody-class") == set()
    nodes = {n["id"]: n for n in data["nodes"]}
    assert sets[nodes[BOXED]["layers"]] == {1}
    assert "layers" not in nodes[R + "fixture-antibody-class"]  # 0 is left out
    assert data["several_layers_halo"]["size"] > 0
    assert data["layer_only_border"]["dashes"]


def test_new_classes_have_groups(layered: Graph) -> None:
    network = build_network(layered)
    groups = {n: group_of(d).key for n, d in network.nodes(data=True)}
    assert groups[R + "fixture-cd20"] == "protein"  # a Protein and a MolecularEntity
    assert groups[BOXED] == "boxedwarning"
    assert groups[R + "fixture-rems"] == "riskprogram"
    assert groups[R + "label-monitoring-fixturumab-cbc"] == "monitoring"
    assert groups[M + "Periodically"] == "monitoring"  # the timing, a concept of its own
    assert groups[R + "fixture-cbc"] == "clinicaltest"
    assert groups[R + "label-premedication-fixturumab-antihistamine"] == "premedication"
    assert groups[R + "disagreement-fixturumab-pml"] == "disagreement"
    assert group_of({"types": [M + "PopulationGroup"]}).key == "population"
    assert group_of({"class": M + "MolecularEntity", "types": [M + "MolecularEntity"]}).key == (
        "molecule"
    )
    keys = [g.key for g in GROUPS]
    assert len(keys) == len(set(keys))
    data = page_data(network)
    legend = {g["key"]: g["label"] for g in data["groups"]}
    assert legend["protein"] == "protein (molecular target)"
    assert legend["boxedwarning"] == "boxed warning"


def test_hostile_layer_names_stay_in_their_json(layered: Graph) -> None:
    graph = Graph() + layered
    label = URIRef(LABEL)
    for p in (RDFS.label, SKOS.notation, SKOS.definition, SKOS.altLabel):
        graph.remove((label, p, None))
    graph.add((label, RDFS.label, Literal(HOSTILE, lang="en")))
    graph.add((label, SKOS.notation, Literal(HOSTILE_SCRIPT)))
    graph.add((label, SKOS.definition, Literal(f"{HOSTILE_SCRIPT} & {HOSTILE}", lang="en")))
    page = render_html(build_network(graph), title="layers")
    assert len(re.findall(r"</script", page, re.I)) == 4  # data, vis-network, page, views
    assert "<img" not in page and "<!--" not in page
    data = embedded_data(page)
    (hostile,) = [r for r in data["layers"] if r["iri"] == LABEL]
    assert (hostile["label"], hostile["key"]) == (HOSTILE, HOSTILE_SCRIPT)
    assert hostile["definition"] == f"{HOSTILE_SCRIPT} & {HOSTILE}"
    # The page's own markup: the switches' section, filled by the script with textContent.
    assert 'id="mskg-layers"' in page and 'id="mskg-layer-legend"' in page


def test_the_store_gives_the_layers_memory_gives(tmp_path: Path, layered: Graph) -> None:
    """On Oxigraph outside the process (--focus, --query), the layers come from two small
    CONSTRUCTs and equal those of the graph in memory, attribute for attribute."""
    folder = tmp_path / "graph"
    (folder / "data").mkdir(parents=True)
    (folder / "ontology.ttl").write_bytes((GRAPH_DIR / "ontology.ttl").read_bytes())
    (folder / "data" / "layers.ttl").write_bytes(FIXTURE.read_bytes())
    path = tmp_path / "store"
    assert main(["load", "--store", f"oxigraph:{path}", "--graph", str(folder)]) == 0
    query = (
        "PREFIX mskg: <https://w3id.org/mskg/ontology/>\n"
        "CONSTRUCT { ?d ?p ?o } WHERE { ?d a mskg:Drug ; ?p ?o . FILTER(isIRI(?o)) }"
    )
    with open_store(f"oxigraph:{path}", read_only=True) as store:
        copied = store.to_graph()
        for case in ({"focus": "fixturumab", "hops": 2}, {"query": query}):
            drawn = build_network(store, **case)  # type: ignore[arg-type]
            expected = build_network(copied, **case)  # type: ignore[arg-type]
            assert drawn.graph == expected.graph
            assert dict(drawn.nodes(data="layers")) == dict(expected.nodes(data="layers"))
            assert sorted(drawn.edges(keys=True, data="layers")) == sorted(
                expected.edges(keys=True, data="layers")
            )
            assert any(d for *_, d in drawn.edges(data="layers"))


def test_annotate_is_one_pass(layered: Graph) -> None:
    """Each source is walked once, whatever number of nodes and edges cite it."""
    from mskg.graph.network import to_networkx

    index = layer_index(layered)
    walked: list[str] = []
    of_source = index.of_source

    def counting(iri: str) -> frozenset[str]:
        if iri not in index._memo:
            walked.append(iri)
        return of_source(iri)

    index.of_source = counting  # type: ignore[method-assign]
    annotate_layers(to_networkx(layered), index)
    assert walked and len(walked) == len(set(walked))


def test_curated_graph_layers(graph: Graph) -> None:
    """The real graph: its two layers are found, an article statement is in the article
    layer, and the page draws the article plain."""
    network = build_network(graph)
    keys = [r["key"] for r in network.graph["layers"]]
    assert {"article", "label"} <= set(keys)
    pml = network.get_edge_data(R + "natalizumab", R + "pml")[M + "hasSeriousAdverseEffect"]
    assert ARTICLE in pml["layers"]
    assert R + "layer-article" not in network
    data = page_data(network)
    assert data["layers"][0]["key"] == "article" and data["layers"][0]["base"]
