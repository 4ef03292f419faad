"""The store factory and the Oxigraph store: same answers as rdflib, atomic loads, guards."""

from __future__ import annotations

import gc
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef

from conftest import GRAPH_DIR
from mskg.cli import main
from mskg.errors import GraphLoadError, QueryError, StoreError, UsageError
from mskg.exporters import export_store
from mskg.graph.loader import graph_files
from mskg.sparql.guard import _guard_text
from mskg.sparql.named import load_query, query_names
from mskg.sparql.params import inject_values, with_prefixes
from mskg.sparql.results import QueryResult
from mskg.stores import open_store, run_query
from mskg.stores.endpoint import SparqlStore, parse_results
from mskg.stores.memory import MemoryStore
from mskg.stores.oxigraph import STORE_MARKER, OxigraphStore, _write_lock
from mskg.stores.spec import StoreSpec, parse_store_spec

EXTRA_TTL = """@prefix ex: <http://example.org/> .
ex:drug1 ex:causes ex:effect1, ex:effect2 .
ex:drug1 ex:note [ ex:text "a blank node" ] .
"""


#: Datatypes Oxigraph stores as values, answering in canonical form: "PT24H" comes back "P1D".
#: Users see the difference (documented in bench/README.md); rows compare them by value.
CANONICALISED = {
    "http://www.w3.org/2001/XMLSchema#duration",
    "http://www.w3.org/2001/XMLSchema#dayTimeDuration",
    "http://www.w3.org/2001/XMLSchema#yearMonthDuration",
}


def comparable(rows: Sequence[Sequence[object]], *, ignore_lang: bool = False) -> list[tuple]:
    """Rows as sortable values that must be equal on every engine.

    Terms are compared exactly (IRIs, lexical forms, datatypes and language tags) except:
    blank node labels, which are engine-specific; durations, which Oxigraph answers in canonical
    form (compared by value); and with ``ignore_lang`` language tags, for a GROUP_CONCAT over
    tagged strings (Oxigraph keeps the common tag, rdflib drops it) in a query that does not wrap
    its argument in STR().
    """
    out = []
    for row in rows:
        cells: list[object] = []
        for value in row:
            if value is None:
                cells.append("")
            elif isinstance(value, BNode):
                cells.append("_:")
            elif isinstance(value, Literal) and str(value.datatype) in CANONICALISED:
                cells.append(f"{value.toPython()!r}^^{value.datatype}")
            elif isinstance(value, Literal) and ignore_lang and value.language:
                cells.append(Literal(str(value)).n3())
            elif isinstance(value, (Literal, URIRef)):
                cells.append(value.n3())
            else:
                cells.append(repr(value))
        out.append(tuple(cells))
    return sorted(out)


def concat_keeps_tags(name: str) -> bool:
    """Whether the named query GROUP_CONCATs a variable directly (not STR(?x)), so engines may
    disagree on the language tag of the result."""
    return (
        re.search(r"GROUP_CONCAT\s*\(\s*(DISTINCT\s+)?\?", load_query(name).text, re.I) is not None
    )


#: ``GROUP_CONCAT(...) AS ?name``: the columns whose cells are lists an engine joins in its order.
_CONCAT_COLUMN = re.compile(
    r"GROUP_CONCAT\s*\((?:[^()]|\((?:[^()]|\([^()]*\))*\))*\)\s+AS\s+\?(\w+)", re.I
)


def concatenated_columns(name: str) -> set[str]:
    """The columns of the named query that GROUP_CONCAT makes."""
    return set(_CONCAT_COLUMN.findall(load_query(name).text))


def items_sorted(rows: Sequence[Sequence[object]], columns: Sequence[int]) -> list[tuple]:
    """Rows with the items of each concatenated cell sorted: SPARQL leaves the order in which
    GROUP_CONCAT joins its items to the engine, so engines agree on the items only."""
    out = []
    for row in rows:
        cells = list(row)
        for i in columns:
            if isinstance(cells[i], Literal):
                cells[i] = Literal(", ".join(sorted(re.split(r"; |, ", str(cells[i])))))
        out.append(tuple(cells))
    return out


def assert_same_rows(name: str, expected: QueryResult, got: QueryResult) -> None:
    assert got.kind == expected.kind, name
    if expected.graph is not None:
        assert got.graph is not None, name
        assert len(got.graph) == len(expected.graph), name
        return
    assert got.variables == expected.variables, name
    assert got.boolean == expected.boolean, name
    loose = concat_keeps_tags(name)
    lists = [i for i, v in enumerate(expected.variables) if v in concatenated_columns(name)]
    assert comparable(items_sorted(got.rows, lists), ignore_lang=loose) == comparable(
        items_sorted(expected.rows, lists), ignore_lang=loose
    )
    assert got.bindings == expected.bindings, name


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
        "import sys, mskg.stores.memory, mskg.stores.oxigraph, mskg.stores.endpoint\n"
        "import mskg.cli.commands.load, mskg.cli.commands.serve\n"
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
    assert_same_rows(name, run_query(name, memory), run_query(name, oxigraph))


def layered_queries() -> list[str]:
    """The named queries that answer from one source layer when asked (``source``)."""
    return [
        name
        for name in query_names()
        if any(p.name == "source" for p in load_query(name).header.params)
    ]


@pytest.mark.parametrize("layer", [None, "article", "label"])
@pytest.mark.parametrize("name", layered_queries())
def test_layered_query_same_rows_in_the_same_order_on_oxigraph(
    name: str, layer: str | None, memory: MemoryStore, oxigraph: OxigraphStore
) -> None:
    """Each layer alone, and all: the same rows, and each list of layers (or drugs, targets...)
    in its cell in the same order, which the queries fix by joining sorted sub-selects."""
    params = {"source": [layer]} if layer else None
    expected = run_query(name, memory, params=params)
    got = run_query(name, oxigraph, params=params)
    assert expected.rows, name
    assert got.variables == expected.variables, name
    assert comparable(got.rows) == comparable(expected.rows), name


def test_comparable_sees_what_users_see() -> None:
    """The row comparison must not hide differences: tags, datatypes and forms count."""
    en, plain = Literal("nausea", lang="en"), Literal("nausea")
    assert comparable([(en,)]) != comparable([(plain,)])
    assert comparable([(en,)], ignore_lang=True) == comparable([(plain,)], ignore_lang=True)
    assert comparable([(Literal("1", datatype=URIRef("http://x/t")),)]) != comparable([(plain,)])
    assert comparable([(URIRef("http://x/a"),)]) != comparable([(Literal("http://x/a"),)])
    day = "http://www.w3.org/2001/XMLSchema#duration"
    pt24h = Literal("PT24H", datatype=URIRef(day))
    assert comparable([(pt24h,)]) == comparable([(Literal("P1D", datatype=URIRef(day)),)])


def test_parameters_resolve_by_label_on_oxigraph(
    memory: MemoryStore, oxigraph: OxigraphStore
) -> None:
    params = {"drug": ["Tysabri"]}
    expected = run_query("serious-adverse-effects", memory, params=params)
    got = run_query("serious-adverse-effects", oxigraph, params=params)
    assert expected.rows, "the brand name should find natalizumab"
    assert_same_rows("serious-adverse-effects", expected, got)
    # The parse is cached per text: other parameters on the same query must still bind afresh.
    other = run_query("serious-adverse-effects", oxigraph, params={"drug": ["alemtuzumab"]})
    assert other.rows and comparable(other.rows) != comparable(got.rows)


BAD_IRIS = [
    "http://x/a> } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #",
    "<http://x/a b>",
    'http://x/"a"',
]


@pytest.mark.parametrize("value", BAD_IRIS)
def test_bad_iri_parameter_is_a_usage_error_on_every_store(
    value: str, memory: MemoryStore, oxigraph: OxigraphStore
) -> None:
    for store in (memory, oxigraph):
        with pytest.raises(UsageError, match="not a valid IRI"):
            run_query("serious-adverse-effects", store, params={"drug": [value]})


def test_the_guard_parses_no_readable_query(oxigraph: OxigraphStore) -> None:
    """No rdflib parse on the hot path: the lexical guard passes the query, Oxigraph reads it;
    a refusal is still worded by the full guard, for each query's own name."""
    text = "SELECT ?d WHERE { ?d a mskg:Drug } # cache test"
    before = _guard_text.cache_info()
    first = oxigraph.query(text)
    second = oxigraph.query(text)
    after = _guard_text.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)
    assert comparable(first.rows) == comparable(second.rows) and first.rows
    refused = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    for label in ("one", "two"):
        with pytest.raises(QueryError, match=f"{label}: .*refused"):
            oxigraph.query(refused, name=label)


def test_a_syntax_error_on_oxigraph_names_line_and_column(oxigraph: OxigraphStore) -> None:
    with pytest.raises(QueryError) as caught:
        oxigraph.query("SELECT ?d\nWHERE { ?d a mskg:Drug \n  FILTER(?d = ) }", name="bad.rq")
    assert caught.value.line == 3 and caught.value.column is not None
    assert "bad.rq" in str(caught.value) and "FILTER(?d = )" in str(caught.value)


def test_row_cap(oxigraph: OxigraphStore, memory: MemoryStore) -> None:
    text = "SELECT ?s WHERE { ?s ?p ?o }"
    for store in (oxigraph, memory):
        result = store.query(text, limit=5)
        assert len(result.rows) == 5
        assert result.truncated


@pytest.mark.parametrize("form", ["CONSTRUCT WHERE { ?s ?p ?o }", "DESCRIBE ?d WHERE { ?d ?p ?o }"])
def test_row_cap_applies_to_graphs(oxigraph: OxigraphStore, memory: MemoryStore, form: str) -> None:
    for store in (oxigraph, memory):
        full = store.query(form)
        assert full.graph is not None and len(full.graph) > 7
        assert not full.truncated
        capped = store.query(form, limit=7)
        assert capped.graph is not None and len(capped.graph) == 7, store.kind
        assert capped.truncated
        assert set(capped.graph) <= set(full.graph)
        exact = store.query(form, limit=len(full.graph))
        assert not exact.truncated


def test_parse_results_caps_graphs() -> None:
    lines = [f"<http://x/s{i}> <http://x/p> <http://x/o> .".encode() for i in range(10)]
    body = b"\n".join([lines[0], *lines]) + b"\n"  # a duplicate line counts once
    for mime in ("application/n-triples", "text/turtle"):
        capped = parse_results(body, mime, limit=4)
        assert capped.graph is not None and len(capped.graph) == 4
        assert capped.truncated
        whole = parse_results(body, mime, limit=10)
        assert whole.graph is not None and len(whole.graph) == 10
        assert not whole.truncated


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
    export_store(oxigraph, "nt", out)
    assert len(Graph().parse(out, format="nt")) == oxigraph.count()
    ttl = tmp_path / "all.ttl"
    export_store(oxigraph, "ttl", ttl)
    assert ttl.read_text().startswith("@prefix")


# Loading --------------------------------------------------------------------------------------


def _listing(folder: Path) -> list[str]:
    """The folder's entries, once every store and exception that could write into it is gone."""
    gc.collect()
    return sorted(p.name for p in folder.iterdir())


BAD_TTL = "@prefix ex: <http://example.org/> .\nex:a ex:b ex:c .\nex:broken ex:b .\n"


def test_load_replaces_appends_and_is_atomic(tmp_path: Path, memory: MemoryStore) -> None:
    path = tmp_path / "kg"
    extra = tmp_path / "extra.ttl"
    extra.write_text(EXTRA_TTL)
    store = open_store(f"oxigraph:{path}", create=True)
    assert store.load([*graph_files(GRAPH_DIR), extra]) == memory.count() + 4
    assert store.load(graph_files(GRAPH_DIR)) == memory.count()  # replaced, not added
    assert store.load([extra], append=True) == memory.count() + 4

    bad = tmp_path / "bad.ttl"
    bad.write_text(BAD_TTL)
    with pytest.raises(GraphLoadError, match=r"bad.ttl:3") as failed:
        store.load([*graph_files(GRAPH_DIR), bad])
    assert store.count() == memory.count() + 4  # as it was
    with pytest.raises(GraphLoadError):
        store.load([bad], append=True)
    assert store.count() == memory.count() + 4
    # The staging store of a failed load must be closed before its folder is deleted (RocksDB
    # writes back on close): look only once the store, the exception and its frames are gone.
    store.close()
    del store, failed
    assert _listing(tmp_path) == ["bad.ttl", "extra.ttl", "kg"]


def test_failed_load_command_leaves_no_trace(tmp_path: Path, memory: MemoryStore) -> None:
    path = tmp_path / "kg"
    good, bad = tmp_path / "good.nt", tmp_path / "bad.ttl"
    good.write_text("<http://x/a> <http://x/b> <http://x/c> .\n")
    bad.write_text(BAD_TTL)
    assert main(["load", "--store", f"oxigraph:{path}", "--graph", str(GRAPH_DIR)]) == 0
    expected = ["bad.ttl", "good.nt", "kg"]
    assert _listing(tmp_path) == expected
    # A staging folder deleted while its store is still open comes back, now and then, when the
    # store closes: repeat, so that a regression shows up reliably (it did 6 times in 8 here).
    for _round in range(5):
        for extra in ([], ["--append"]):
            argv = ["load", str(good), str(bad), str(good), "--store", f"oxigraph:{path}", *extra]
            assert main([*argv, "--graph", str(GRAPH_DIR)]) == 2
            assert _listing(tmp_path) == expected
    with open_store(f"oxigraph:{path}", read_only=True) as store:
        assert store.count() == memory.count()
    assert _listing(tmp_path) == expected


def test_a_second_load_is_refused_while_one_runs(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    good = tmp_path / "good.nt"
    good.write_text("<http://x/a> <http://x/b> <http://x/c> .\n")
    store = open_store(f"oxigraph:{path}", create=True)
    assert store.load([good]) == 1
    with _write_lock(path) as locked:  # as another `mskg load` would hold it
        assert locked
        with pytest.raises(StoreError, match="another `mskg load`"):
            store.load([good])
    assert store.load([good], append=True) == 1  # free again
    store.close()
    assert _listing(tmp_path) == ["good.nt", "kg"]  # no lock file left


def test_readers_never_undo_a_swap_in_progress(tmp_path: Path) -> None:
    """Opening the store (read-only, or for writing) while a load holds the lock mid-swap must
    not put the old store back: only an opener that gets the lock repairs a crashed swap."""
    path, old, new = tmp_path / "kg", tmp_path / ".kg.old", tmp_path / ".kg.loading-x"
    for folder, triple in (
        (path, '<http://x/old> <http://x/p> "1" .'),
        (new, '<http://x/new> <http://x/p> "2" .'),
    ):
        import pyoxigraph

        ox = pyoxigraph.Store(str(folder))
        ox.add(next(iter(pyoxigraph.parse(triple, format=pyoxigraph.RdfFormat.N_TRIPLES))))
        ox.flush()
        del ox
        (folder / STORE_MARKER).write_text('{"made_by": "mskg"}')  # as mskg load makes them
    gc.collect()
    with _write_lock(path):  # the loader, between its two renames
        path.rename(old)
        finish = threading.Timer(0.3, lambda: new.rename(path))
        finish.start()
        reader = open_store(f"oxigraph:{path}", read_only=True)  # waits for the second rename
        finish.join()
        assert [str(s) for (s,) in reader.select_values("SELECT ?s { ?s ?p ?o }")] == [
            "http://x/new"
        ]
        reader.close()
        old.mkdir(exist_ok=True)  # a writer that cannot take the lock leaves it alone
        OxigraphStore(path).close()
        assert old.exists()
    # Crashed between the renames (no load running): whoever opens the store next takes the free
    # lock and puts the old store back, a reader as well as a writer.
    for opener in (
        lambda: open_store(f"oxigraph:{path}", read_only=True),
        lambda: OxigraphStore(path),
    ):
        shutil.rmtree(old, ignore_errors=True)
        path.rename(old)
        (tmp_path / ".kg.loading-stale").mkdir()  # empty: a crash right after mkdtemp
        with opener() as store:
            assert [str(s) for (s,) in store.select_values("SELECT ?s { ?s ?p ?o }")] == [
                "http://x/new"
            ]
        assert _listing(tmp_path) == ["kg"]


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


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("drugs-with-effect", {"effect": ["infection"]}),
        ("drugs-with-effect", {"effect": ["PML"], "source": ["label"]}),
        ("effects-shared-with-infusion-reaction", {"source": ["article"]}),
    ],
)
def test_named_query_with_parameters_same_rows_on_oxigraph(
    name: str, params: dict[str, list[str]], memory: MemoryStore, oxigraph: OxigraphStore
) -> None:
    expected = run_query(name, memory, params=params)
    assert expected.rows
    assert_same_rows(name, expected, run_query(name, oxigraph, params=params))
