"""`mskg export`: the RDF formats round-trip without loss; KGX TSV carries Biolink categories and
predicates; the network formats open in networkx."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from conftest import GRAPH_DIR, TESTS_DIR
from mskg.cli import main
from mskg.exporters.kgx import EDGE_COLUMNS, NODE_COLUMNS, curie, kgx_tables
from mskg.exporters.rdf import serialize_rdf
from mskg.graph.loader import load_graph

FORMATS = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}


#: A graph folder of literals in other than canonical form, an ill-typed one, language tags,
#: escapes and nested blank nodes.
LITERALS = TESTS_DIR / "fixtures" / "literals"
XSD = "http://www.w3.org/2001/XMLSchema#"


def literal_forms(graph: Graph) -> set[tuple[str, str | None, str | None]]:
    """Every literal's lexical form, datatype and language, as written."""
    return {
        (str(o), o.datatype and str(o.datatype), o.language)
        for o in graph.objects()
        if isinstance(o, Literal)
    }


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_rdf_exports_are_lossless_to_the_letter(fmt: str, tmp_path: Path) -> None:
    """Read back by mskg's loader, an export is the graph the loader read, every literal in the
    form it was written ("PT24H"^^xsd:duration stays PT24H, "01" stays 01, "1.0E0" stays 1.0E0,
    "1"^^xsd:boolean stays a boolean)."""
    source = load_graph(LITERALS)
    out = tmp_path / f"literals.{fmt}"
    assert main(["export", "--graph", str(LITERALS), "--format", fmt, "-o", str(out)]) == 0
    back = load_graph(out)
    assert len(back) == len(source) == 17
    assert isomorphic(back, source)
    assert literal_forms(back) == literal_forms(source)
    assert {
        ("PT24H", XSD + "duration", None),
        ("01", XSD + "integer", None),
        ("+5", XSD + "integer", None),
        ("1.50", XSD + "decimal", None),
        ("2", XSD + "decimal", None),
        ("1.0E0", XSD + "double", None),
        ("1", XSD + "boolean", None),
        ("five", XSD + "integer", None),
        ("réaction cutanée", None, "fr"),
        ('two lines\nand a "quote"\tand a tab', None, None),
    } <= literal_forms(back)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_graph_made_in_python_exports_as_written(fmt: str, tmp_path: Path) -> None:
    """Literals made with rdflib (normalize=False), not read from a file, keep their form too."""
    graph = Graph()
    reaction = URIRef("http://example.org/reaction")
    for lexical, datatype in (("PT24H", "duration"), ("01", "integer"), ("0.50", "decimal")):
        value = Literal(lexical, datatype=URIRef(XSD + datatype), normalize=False)
        graph.add((reaction, URIRef(f"http://example.org/{datatype}"), value))
    out = tmp_path / f"made.{fmt}"
    out.write_text(serialize_rdf(graph, fmt), encoding="utf-8")
    back = load_graph(out)
    assert isomorphic(back, graph)
    assert {form for form, _, _ in literal_forms(back)} == {"PT24H", "01", "0.50"}


def test_an_oxigraph_store_exports_its_own_canonical_forms(tmp_path: Path) -> None:
    """What `mskg export --help` says: a store keeps values, not their text, so an export from
    it is not lossless to the letter; the graph folder's export is."""
    store = f"oxigraph:{tmp_path / 'store'}"
    assert main(["load", "--graph", str(LITERALS), "--store", store]) == 0
    out = tmp_path / "from-store.nt"
    assert main(["export", "--store", store, "--format", "nt", "-o", str(out)]) == 0
    forms = {form for form, _, _ in literal_forms(load_graph(out))}
    assert "P1D" in forms and "PT24H" not in forms
    assert "1" in forms and "01" not in forms


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_export_command_writes_a_file_that_loads_back(
    graph: Graph, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"mskg.{fmt}"
    assert main(["export", "--graph", str(GRAPH_DIR), "--format", fmt, "-o", str(out)]) == 0
    assert isomorphic(load_graph(out), graph)


def test_nt_export_is_sorted_and_stable(graph: Graph) -> None:
    first = serialize_rdf(graph, "nt")
    assert first == serialize_rdf(load_graph(GRAPH_DIR), "nt")
    lines = first.splitlines()
    assert lines == sorted(lines)


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_kgx_export(tmp_path: Path) -> None:
    out = tmp_path / "kgx"
    assert main(["export", "--graph", str(GRAPH_DIR), "--format", "kgx", "-o", str(out)]) == 0
    nodes, edges = read_tsv(out / "nodes.tsv"), read_tsv(out / "edges.tsv")
    assert tuple(nodes[0]) == NODE_COLUMNS and tuple(edges[0]) == EDGE_COLUMNS
    by_iri = {n["iri"].rsplit("/", 1)[-1]: n for n in nodes}
    ids = {n["id"] for n in nodes}
    assert len(ids) == len(nodes), "node ids are unique"
    assert all(c.startswith("biolink:") for n in nodes for c in n["category"].split("|"))
    assert all(e["predicate"].startswith("biolink:") for e in edges)
    assert all(e["subject"] in ids and e["object"] in ids for e in edges)
    assert len({e["id"] for e in edges}) == len(edges)
    # Nodes take their preferred external identifier, so they merge with Biolink graphs.
    mitoxantrone = by_iri["mitoxantrone"]
    assert mitoxantrone["id"] == "PUBCHEM.COMPOUND:4212"
    assert mitoxantrone["category"] == "biolink:Drug"
    assert "DRUGBANK:DB01204" in mitoxantrone["xref"].split("|")
    assert "mskr:mitoxantrone" in mitoxantrone["xref"].split("|")
    assert by_iri["b-cell"]["id"] == "CL:0000236"
    assert by_iri["b-cell"]["category"] == "biolink:Cell"
    # a procedure used as a treatment is both: biolink:treats needs a treatment as its subject
    assert by_iri["plasmapheresis"]["category"] == "biolink:Procedure|biolink:Treatment"
    # The natalizumab -> PML fact, which the article and the Tysabri label both state: one edge
    # per statement, each with the Biolink predicate, the original one, and its own qualifiers
    # and sources. "Rare" is the article's word; the label's boxed warning gives no frequency.
    natalizumab, pml = by_iri["natalizumab"]["id"], by_iri["pml"]["id"]
    pml_edges = {e["id"]: e for e in edges if e["subject"] == natalizumab and e["object"] == pml}
    assert set(pml_edges) == {"mskr:ae-natalizumab-pml", "mskr:label-ae-natalizumab-pml"}
    for edge in pml_edges.values():
        assert edge["predicate"] == "biolink:has_side_effect"
        assert edge["original_predicate"] == "mskg:hasSeriousAdverseEffect"
        assert edge["potentially_fatal"] == "true"
        assert edge["primary_knowledge_source"] == "infores:mskg"
        assert edge["knowledge_level"] == "knowledge_assertion"
        assert edge["agent_type"] == "manual_agent"
    article = pml_edges["mskr:ae-natalizumab-pml"]
    assert article["frequency_qualifier"] == "mskg:Rare"
    assert article["mskg_sources"] == "mskr:seed-section-natalizumab"
    label = pml_edges["mskr:label-ae-natalizumab-pml"]
    assert label["frequency_qualifier"] == ""
    assert label["mskg_sources"] == "mskr:label-tysabri-boxed-warning|mskr:label-tysabri-s5-1"
    # No statement is merged into another: the edges of one triple are its associations.
    by_triple: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for e in edges:
        by_triple.setdefault((e["subject"], e["original_predicate"], e["object"]), []).append(e)
    shared = [group for group in by_triple.values() if len(group) > 1]
    assert shared and all(e["mskg_association"] for group in shared for e in group)
    treats = [e for e in edges if e["predicate"] == "biolink:treats"]
    assert {e["original_predicate"] for e in treats} == {"mskg:indicatedFor"}
    # Every side-effect edge is a chemical-or-drug-or-treatment side-effect association, every
    # treats edge a treatment association; the others are plain associations.
    side_effects = [e for e in edges if e["predicate"] == "biolink:has_side_effect"]
    assert {e["category"] for e in side_effects} == {
        "biolink:ChemicalOrDrugOrTreatmentSideEffectAssociation"
    }
    # hedged uses are applied_to_treat, not treats: Biolink's treats is for established uses
    applied = [e for e in edges if e["predicate"] == "biolink:applied_to_treat"]
    assert applied and {e["original_predicate"] for e in applied} == {"mskg:mayBeUsedFor"}
    assert {e["category"] for e in treats + applied} == {
        "biolink:ChemicalOrDrugOrTreatmentToDiseaseOrPhenotypicFeatureAssociation"
    }
    others = [e for e in edges if e not in side_effects and e not in treats + applied]
    assert {e["category"] for e in others} == {"biolink:Association"}
    # How a treatment is given is not a drug or a treatment: what the infusion itself causes is
    # biolink:causes, not a side effect (whose subject Biolink restricts to those).
    infusion = by_iri["intravenous-infusion"]["id"]
    assert not any(e["subject"] == infusion for e in side_effects)
    from_infusion = [e for e in edges if e["original_predicate"] == "mskg:hasProcessSideEffect"]
    assert from_infusion and {e["predicate"] for e in from_infusion} == {"biolink:causes"}
    assert all(e["subject"] == infusion for e in from_infusion)


def test_kgx_is_deterministic(graph: Graph) -> None:
    assert kgx_tables(graph) == kgx_tables(load_graph(GRAPH_DIR))


def test_curie() -> None:
    assert curie("http://purl.obolibrary.org/obo/MONDO_0005301") == "MONDO:0005301"
    assert curie("https://bioregistry.io/umls:C0002170") == "UMLS:C0002170"
    assert curie("http://schema.org/drugClass") == "schema:drugClass"


def test_kgx_needs_a_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["export", "--graph", str(GRAPH_DIR), "--format", "kgx"]) == 2
    assert "give a folder" in capsys.readouterr().err


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_network_exports_open_in_networkx(graph: Graph, tmp_path: Path, fmt: str) -> None:
    import networkx as nx

    out = tmp_path / f"mskg.{fmt}"
    assert main(["export", "--graph", str(GRAPH_DIR), "--format", fmt, "-o", str(out)]) == 0
    network = nx.read_graphml(out) if fmt == "graphml" else nx.read_gexf(out)
    labels = {data.get("label") for _, data in network.nodes(data=True)}
    assert "natalizumab" in labels
