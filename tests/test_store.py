"""The store factory and the Oxigraph store: same answers as rdflib, atomic loads, guards."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal

from conftest import GRAPH_DIR
from mskg.cli import main
from mskg.errors import GraphLoadError, QueryError, StoreError, UsageError
from mskg.loader import graph_files
from mskg.query import query_names
from mskg.store import (
    MemoryStore,
    OxigraphStore,
    SparqlStore,
    StoreSpec,
    inject_values,
    open_store,
    parse_store_spec,
    run_query,
    with_prefixes,
)

EXTRA_TTL = """@prefix ex: <http://example.org/> .
ex:drug1 ex:causes ex:effect1, ex:effect2 .
ex:drug1 ex:note [ ex:text "a blank node" ] .
"""


def comparable(rows: Sequence[Sequence[object]]) -> list[tuple[str, ...]]:
    """Rows as sortable strings that mean the same on every engine.

    Blank node labels are engine-specific; Oxigraph writes numbers and durations in canonical
    form ("P1D" for "PT24H"), so typed literals are compared by value; language tags are left
    out because engines differ on the tag of GROUP_CONCAT over tagged strings.
    """
    out = []
    for row in rows:
        cells = []
        for value in row:
            if value is None:
                cells.append("")
            elif isinstance(value, BNode):
                cells.append("_:")
            elif isinstance(value, Literal) and value.datatype is not None:
                cells.append(f"{value.toPython()!r}^^{value.datatype}")
            else:
                cells.append(str(value))
        out.append(tuple(cells))
    return sorted(out)


@pytest.fixture(scope="session")
def memory() -> MemoryStore:
    store = open_store("memory", GRAPH_DIR)
    assert isinstance(store, MemoryStore)
    return store


@pytest.fixture(scope="session")
def oxigraph_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("oxi") / "store"
    assert main(["load", "--store", f"oxigraph:{path}", "--graph", str(GRAPH_DIR)]) == 0
    return path


@pytest.fixture(scope="session")
def oxigraph(oxigraph_path: Path) -> OxigraphStore:
    store = open_store(f"oxigraph:{oxigraph_path}", read_only=True)
    assert isinstance(store, OxigraphStore)
    return store


# The descriptor -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "spec"),
    [
        (None, StoreSpec("memory")),
        ("memory", StoreSpec("memory")),
        ("oxigraph:./data/kg", StoreSpec("oxigraph", "./data/kg")),
        ("sparql:http://127.0.0.1:7878/query", StoreSpec("sparql", "http://127.0.0.1:7878/query")),
    ],
)
def test_parse_store_spec(text: str | None, spec: StoreSpec) -> None:
    assert parse_store_spec(text) == spec


@pytest.mark.parametrize(
    "text", ["mem", "oxigraph:", "sparql:ftp://x", "http://localhost/sparql", "fuseki:x"]
)
def test_bad_store_spec_names_the_forms(text: str) -> None:
    with pytest.raises(UsageError, match=r"memory, oxigraph:PATH or sparql:URL|sparql:"):
        parse_store_spec(text)


def test_missing_oxigraph_store_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="mskg load"):
        open_store(f"oxigraph:{tmp_path / 'nothing'}")


def test_sparql_store_guesses_graph_store_url() -> None:
    store = open_store("sparql:http://127.0.0.1:7878/query")
    assert isinstance(store, SparqlStore)
    assert store.gsp_url == "http://127.0.0.1:7878/store"
    assert SparqlStore("http://h/ds/sparql").gsp_url == "http://h/ds/data"


def test_store_module_does_not_import_heavy_packages() -> None:
    code = (
        "import sys, mskg.store, mskg.commands.load, mskg.commands.serve\n"
        "heavy = {'pyoxigraph', 'networkx', 'pyvis', 'pyshacl'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# Query text helpers -----------------------------------------------------------------------------


def test_inject_values_goes_into_the_where_clause() -> None:
    from rdflib import URIRef

    text = 'CONSTRUCT { ?d ?p "WHERE {" } # WHERE {\nWHERE { ?d ?p ?o }'
    out = inject_values(text, {"d": [URIRef("http://x/a"), URIRef("http://x/b")]})
    assert out.endswith("WHERE { VALUES (?d) { (<http://x/a>) (<http://x/b>) }  ?d ?p ?o }")
    assert inject_values("SELECT * { ?s ?p ?o }", {"s": [Literal("x")]}).startswith(
        'SELECT * { VALUES (?s) { ("x") }'
    )


def test_with_prefixes_declares_only_what_is_missing() -> None:
    text = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\nSELECT * { ?d a mskg:Drug }"
    out = with_prefixes(text)
    assert out.startswith("PREFIX mskg: <https://w3id.org/mskg/ontology/>\n")
    assert out.count("PREFIX rdfs:") == 1


# Same answers ---------------------------------------------------------------------------------


def test_oxigraph_holds_the_same_triples(memory: MemoryStore, oxigraph: OxigraphStore) -> None:
    assert oxigraph.count() == memory.count() == len(memory.graph)
    assert oxigraph.stats().as_dict() == memory.stats().as_dict()


@pytest.mark.parametrize("name", query_names())
def test_named_query_same_rows_on_oxigraph(
    name: str, memory: MemoryStore, oxigraph: OxigraphStore
) -> None:
    expected = run_query(name, memory)
    got = run_query(name, oxigraph)
    assert got.kind == expected.kind
    if expected.graph is not None:
        assert got.graph is not None
        assert len(got.graph) == len(expected.graph)
        return
    assert got.variables == expected.variables
    assert got.boolean == expected.boolean
    assert comparable(got.rows) == comparable(expected.rows)
    assert got.bindings == expected.bindings


def test_parameters_resolve_by_label_on_oxigraph(
    memory: MemoryStore, oxigraph: OxigraphStore
) -> None:
    params = {"drug": ["Tysabri"]}
    expected = run_query("serious-adverse-effects", memory, params=params)
    got = run_query("serious-adverse-effects", oxigraph, params=params)
    assert expected.rows, "the brand name should find natalizumab"
    assert comparable(got.rows) == comparable(expected.rows)


def test_row_cap(oxigraph: OxigraphStore, memory: MemoryStore) -> None:
    text = "SELECT ?s WHERE { ?s ?p ?o }"
    for store in (oxigraph, memory):
        result = store.query(text, limit=5)
        assert len(result.rows) == 5
        assert result.truncated  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "text",
    [
        "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * FROM <http://example.org/data.ttl> WHERE { ?s ?p ?o }",
    ],
)
def test_oxigraph_store_refuses_writes_and_fetches(oxigraph: OxigraphStore, text: str) -> None:
    with pytest.raises(QueryError, match="refused"):
        oxigraph.query(text)


def test_construct_and_export(oxigraph: OxigraphStore, tmp_path: Path) -> None:
    drugs = oxigraph.construct("CONSTRUCT WHERE { ?d a mskg:Drug }")
    assert len(drugs) >= 4
    out = tmp_path / "all.nt"
    oxigraph.export("nt", out)
    assert len(Graph().parse(out, format="nt")) == oxigraph.count()
    ttl = tmp_path / "all.ttl"
    oxigraph.export("ttl", ttl)
    assert ttl.read_text().startswith("@prefix")


# Loading --------------------------------------------------------------------------------------


def test_load_replaces_appends_and_is_atomic(tmp_path: Path, memory: MemoryStore) -> None:
    path = tmp_path / "kg"
    extra = tmp_path / "extra.ttl"
    extra.write_text(EXTRA_TTL)
    store = open_store(f"oxigraph:{path}", create=True)
    assert store.load([*graph_files(GRAPH_DIR), extra]) == memory.count() + 4
    assert store.load(graph_files(GRAPH_DIR)) == memory.count()  # replaced, not added
    assert store.load([extra], append=True) == memory.count() + 4

    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:broken ex:b .\n")
    with pytest.raises(GraphLoadError, match=r"bad.ttl:3"):
        store.load([*graph_files(GRAPH_DIR), bad])
    assert store.count() == memory.count() + 4  # as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.ttl", "extra.ttl", "kg"]


def test_load_command_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "--store", "memory"]) == 2
    assert "not persistent" in capsys.readouterr().err
    assert main(["load", str(tmp_path / "x.csv"), "--store", f"oxigraph:{tmp_path}/kg"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_load_gzip_with_progress(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import gzip

    data = tmp_path / "extra.nt.gz"
    data.write_bytes(
        gzip.compress(
            b'<http://x/a> <http://x/b> <http://x/c> .\n<http://x/a> <http://x/b> "1" .\n'
        )
    )
    store = open_store(f"oxigraph:{tmp_path / 'kg'}", create=True)
    assert store.load([data], progress=True) == 2
    assert "extra.nt.gz" in capsys.readouterr().err
