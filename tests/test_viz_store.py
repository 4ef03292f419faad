"""``mskg viz --focus/--query`` on a store outside the process (Oxigraph on disk, an Oxigraph
server as a SPARQL endpoint) asks the store for what it draws (mskg.viz.fetch) and draws what
the memory store draws; the store is never copied whole."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import networkx as nx
import pytest
from rdflib import Graph

from conftest import GRAPH_DIR, write_extra
from mskg.cli import main
from mskg.errors import UnknownNameError
from mskg.stores import open_store
from mskg.stores.base import Store
from mskg.stores.oxigraph import OxigraphStore
from mskg.viz.page import build_network
from test_viz import embedded_data

R = "https://w3id.org/mskg/resource/"
SERIOUS = """PREFIX mskg: <https://w3id.org/mskg/ontology/>
CONSTRUCT { ?d mskg:hasSeriousAdverseEffect ?e } WHERE { ?d mskg:hasSeriousAdverseEffect ?e }"""
# Triples and association nodes: the page qualifies edges from both.
DOSING = """PREFIX mskg: <https://w3id.org/mskg/ontology/>
CONSTRUCT { ?d mskg:hasDosingRegimen ?r . ?d mskg:hasCommonAdverseEffect ?e . ?a ?p ?o }
WHERE { ?d mskg:hasDosingRegimen ?r .
        OPTIONAL { ?d mskg:hasCommonAdverseEffect ?e .
                   ?a rdf:subject ?d ; rdf:object ?e ; ?p ?o } }"""
FOCI = [("natalizumab", 2), ("Tysabri", 1), ("mskr:b-cell", 3), ("PML", 0)]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("viz-oxi") / "store"
    assert main(["load", "--store", f"oxigraph:{path}", "--graph", str(GRAPH_DIR)]) == 0
    return path


@pytest.fixture(scope="module")
def oxigraph(store_path: Path) -> Iterator[Store]:
    with open_store(f"oxigraph:{store_path}", read_only=True) as store:
        yield store


@pytest.fixture(scope="module")
def copied(oxigraph: Store) -> Graph:
    """Every triple of the store, as the command copied it before it asked the store."""
    return oxigraph.to_graph()


@pytest.fixture
def no_copy(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Copying a whole store fails; counts what the Oxigraph store answers (triples of graphs
    and rows of tables) and how many queries it ran."""
    fetched = {"queries": 0, "answered": 0}
    answer = OxigraphStore._query

    def counting(self: OxigraphStore, sparql: str, limit: int | None, label: str) -> Any:
        result = answer(self, sparql, limit, label)
        fetched["queries"] += 1
        fetched["answered"] += len(result.graph) if result.graph is not None else len(result.rows)
        return result

    def refuse(self: Store) -> Graph:
        raise AssertionError("the whole store was copied")

    monkeypatch.setattr(OxigraphStore, "_query", counting)
    monkeypatch.setattr(Store, "to_graph", refuse)
    return fetched


def edges(network: nx.MultiDiGraph) -> dict[tuple[str, str, str], dict[str, Any]]:
    return {(u, v, k): d for u, v, k, d in network.edges(keys=True, data=True)}


def assert_same_drawing(expected: nx.MultiDiGraph, drawn: nx.MultiDiGraph) -> None:
    """The same nodes, edges (with keys) and labels, and the same focus."""
    assert sorted(drawn.nodes) == sorted(expected.nodes)
    assert sorted(edges(drawn)) == sorted(edges(expected))
    assert dict(drawn.nodes(data="label")) == dict(expected.nodes(data="label"))
    assert {k: d["label"] for k, d in edges(drawn).items()} == {
        k: d["label"] for k, d in edges(expected).items()
    }
    assert drawn.graph == expected.graph


def assert_same_network(expected: nx.MultiDiGraph, drawn: nx.MultiDiGraph) -> None:
    """Every attribute of every node and edge too."""
    assert_same_drawing(expected, drawn)
    assert dict(drawn.nodes(data=True)) == dict(expected.nodes(data=True))
    assert edges(drawn) == edges(expected)


@pytest.mark.parametrize(("focus", "hops"), FOCI)
def test_focus_on_the_store_draws_what_memory_draws(
    graph: Graph,
    oxigraph: Store,
    copied: Graph,
    no_copy: dict[str, int],
    focus: str,
    hops: int,
) -> None:
    drawn = build_network(oxigraph, focus=focus, hops=hops)
    assert no_copy["queries"] > 0
    assert drawn.number_of_nodes() >= 1 and drawn.graph["focus"].startswith(R)
    assert_same_drawing(build_network(graph, focus=focus, hops=hops), drawn)
    # Attributes too, against the store's own triples (Oxigraph keeps a literal in canonical
    # form, "PT24H" as "P1D": against the files only nodes, edges and labels are compared).
    assert_same_network(build_network(copied, focus=focus, hops=hops), drawn)


@pytest.mark.parametrize("query", [SERIOUS, DOSING], ids=["triples", "with-associations"])
def test_query_on_the_store_draws_what_memory_draws(
    graph: Graph, oxigraph: Store, copied: Graph, no_copy: dict[str, int], query: str
) -> None:
    drawn = build_network(oxigraph, query=query)
    assert drawn.number_of_edges() > 5
    assert_same_drawing(build_network(graph, query=query), drawn)
    assert_same_network(build_network(copied, query=query), drawn)
    focused = build_network(oxigraph, query=query, focus="natalizumab", hops=1)
    assert_same_network(build_network(copied, query=query, focus="natalizumab", hops=1), focused)


def test_focus_with_types_on_the_store(
    graph: Graph, oxigraph: Store, no_copy: dict[str, int]
) -> None:
    drawn = build_network(oxigraph, focus="Tysabri", hops=2, types=["adverse"])
    assert R + "pml" in drawn
    assert_same_drawing(build_network(graph, focus="Tysabri", hops=2, types=["adverse"]), drawn)


@pytest.mark.parametrize("name", ["natalizumb", "nosuchdrug", "mskr:natalizumab-maintenance"])
def test_unknown_focus_on_the_store_suggests_as_memory_does(
    graph: Graph, oxigraph: Store, no_copy: dict[str, int], name: str
) -> None:
    with pytest.raises(UnknownNameError) as on_memory:
        build_network(graph, focus=name)
    with pytest.raises(UnknownNameError) as on_store:
        build_network(oxigraph, focus=name)
    assert str(on_store.value) == str(on_memory.value)


def test_the_store_is_not_copied(
    graph: Graph, oxigraph: Store, graph_copy: Path, tmp_path: Path, no_copy: dict[str, int]
) -> None:
    """A store holding many triples besides the curated graph, sharing its classes and a source
    (which the walk must not step through): drawing a neighbourhood or a query fetches exactly
    what it fetches from the curated graph alone, and draws the same."""
    things = 8000  # four triples each: several times the curated graph
    write_extra(
        graph_copy,
        "".join(
            f'mskr:unrelated-{i} a mskg:AdverseEffect ; rdfs:label "unrelated {i}"@en ;\n'
            f"    skos:broader mskr:unrelated-{(i + 1) % things} ;\n"
            f"    prov:wasDerivedFrom mskr:seed-section-natalizumab .\n"
            for i in range(things)
        ),
    )
    path = tmp_path / "store"
    assert main(["load", "--store", f"oxigraph:{path}", "--graph", str(graph_copy)]) == 0
    cases: list[dict[str, Any]] = [{"focus": "natalizumab", "hops": 2}, {"query": SERIOUS}]
    with open_store(f"oxigraph:{path}", read_only=True) as store:
        assert store.count() >= len(graph) + 4 * things
        for case in cases:
            no_copy.update(queries=0, answered=0)
            drawn = build_network(store, **case)
            fetched = dict(no_copy)
            assert fetched["answered"] < store.count() / 5
            no_copy.update(queries=0, answered=0)
            assert_same_network(build_network(oxigraph, **case), drawn)
            assert fetched == no_copy  # the unrelated triples cost nothing
            assert_same_drawing(build_network(graph, **case), drawn)


def test_command_on_the_store(
    store_path: Path, tmp_path: Path, no_copy: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "tysabri.html"
    store = f"oxigraph:{store_path}"
    assert main(["viz", "--store", store, "-o", str(out), "--focus", "Tysabri"]) == 0
    data = embedded_data(out.read_text())
    assert data["focus"] == R + "natalizumab"
    assert data["title"] == "mskg: Tysabri (1 hop)"
    rq = tmp_path / "serious.rq"
    rq.write_text(SERIOUS)
    assert main(["viz", "--store", store, "-o", str(out), "--query", str(rq)]) == 0
    assert embedded_data(out.read_text())["title"] == "mskg: serious.rq"
    assert main(["viz", "--store", store, "-o", str(out), "--focus", "nothing"]) == 2
    assert "unknown focus node 'nothing'" in capsys.readouterr().err


def test_sparql_endpoint_draws_what_memory_draws(graph: Graph, tmp_path: Path) -> None:
    from test_server import STORE_TIMEOUT, running_oxigraph

    with running_oxigraph(tmp_path / "db") as (url, _process):
        assert main(["load", "--store", f"sparql:{url}", "--graph", str(GRAPH_DIR)]) == 0
        store = open_store(f"sparql:{url}", timeout=STORE_TIMEOUT)
        copied = store.to_graph()
        for focus, hops in FOCI[:2]:
            drawn = build_network(store, focus=focus, hops=hops)
            assert_same_drawing(build_network(graph, focus=focus, hops=hops), drawn)
            assert_same_network(build_network(copied, focus=focus, hops=hops), drawn)
        assert_same_network(
            build_network(copied, query=SERIOUS), build_network(store, query=SERIOUS)
        )
