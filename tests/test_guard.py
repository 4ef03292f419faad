"""The one read-only guard: it judges the text the engine runs, the way the engine reads it.

Regression tests for the SSRF found by probing: rdflib applies ``\\u0022`` to the whole query
before parsing (a quote that ends the string) while Oxigraph reads it inside the string (an
escaped quote), so the guard once saw a harmless string where Oxigraph saw a live ``SERVICE``
call. Every attack runs against a real loopback listener, which must receive nothing.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph

from conftest import GRAPH_DIR
from mskg.cli import main
from mskg.errors import QueryError, RefusedQueryError, StoreError
from mskg.server.config import ServerConfig
from mskg.server.http import MskgHTTPServer
from mskg.sparql.guard import engine_text, prepare_query, refuse_remote_keywords
from mskg.sparql.named import query_from_text
from mskg.stores import open_store, run_query
from test_server import running_mskg

#: Queries that would make a request to ``{url}``, each hiding it differently.
ATTACKS = {
    "quote escape": (
        'SELECT ?s WHERE {{ BIND(CONCAT("a1\\u0022, ") AS ?z) '
        "SERVICE <{url}/x> {{ ?s ?p ?o }} "
        'BIND(CONCAT(", \\u0022b2") AS ?w) }}'
    ),
    "long quote escape": (
        'SELECT ?s WHERE {{ BIND(CONCAT("a1\\U00000022, ") AS ?z) '
        "SERVICE <{url}/x> {{ ?s ?p ?o }} "
        'BIND(CONCAT(", \\U00000022b2") AS ?w) }}'
    ),
    "malformed long escape": (
        'SELECT ?s WHERE {{ BIND(CONCAT("a1\\U0022, ") AS ?z) '
        "SERVICE <{url}/x> {{ ?s ?p ?o }} "
        'BIND(CONCAT(", \\U0022b2") AS ?w) }}'
    ),
    "escaped keyword": "SELECT * WHERE {{ \\u0053ERVICE <{url}/x> {{ ?s ?p ?o }} }}",
    "lower case, no space": "SELECT * WHERE {{ service<{url}/x>{{ ?s ?p ?o }} }}",
    "mixed case, variable endpoint": (
        'SELECT * WHERE {{ BIND(IRI("{url}/x") AS ?u) SeRvIcE ?u {{ ?s ?p ?o }} }}'
    ),
    "after a comment ended by CR": "SELECT * WHERE {{ # note\rSERVICE <{url}/x> {{ ?s ?p ?o }} }}",
    "escaped comment end": "SELECT * WHERE {{ # note\\u000ASERVICE <{url}/x> {{ ?s ?p ?o }} }}",
    "silent, nested sub-select": (
        "SELECT * WHERE {{ {{ SELECT ?s WHERE {{ {{ SELECT ?s WHERE "
        "{{ SERVICE SILENT <{url}/x> {{ ?s ?p ?o }} }} }} }} }} }}"
    ),
    "inside FILTER EXISTS": (
        "SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{url}/x> {{ ?s ?p ?o }} }} }}"
    ),
    "FROM": "SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
    "escaped FROM": "SELECT * \\u0046ROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }}",
    "FROM in a sub-select": (
        "SELECT * WHERE {{ {{ SELECT * FROM <{url}/data.ttl> WHERE {{ ?s ?p ?o }} }} }}"
    ),
    "LOAD": "LOAD <{url}/data.ttl>",
}


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_attacks_never_reach_the_network(
    name: str, http_server: tuple[str, list[str]], tmp_path: Path
) -> None:
    """Each attack is refused, or read as harmless text by the guard and the engine alike."""
    url, requests = http_server
    text = ATTACKS[name].format(url=url)
    memory = open_store("memory", GRAPH_DIR)
    with open_store(f"oxigraph:{tmp_path / 'kg'}", create=True) as oxigraph:
        for store in (memory, oxigraph):
            with contextlib.suppress(QueryError):
                run_query(text, store)
            with contextlib.suppress(QueryError):
                store.query(text)
    time.sleep(0.05)
    assert requests == []


def test_the_escape_attack_reads_as_one_string_on_every_store(
    http_server: tuple[str, list[str]], tmp_path: Path
) -> None:
    """The probe's query, with the string it hides the call in projected: both engines read the
    SERVICE clause as part of a string, as the guard did."""
    url, requests = http_server
    text = ATTACKS["quote escape"].format(url=url).replace("SELECT ?s", "SELECT ?w")
    path = tmp_path / "kg"
    assert main(["load", "--store", f"oxigraph:{path}", "--graph", str(GRAPH_DIR)]) == 0
    answers = []
    for spec in ("memory", f"oxigraph:{path}"):
        with open_store(spec, GRAPH_DIR, read_only=True) as store:
            answers.append(run_query(text, store).as_strings())
    assert answers[0] == answers[1]
    ((value,),) = answers[0]
    assert value == f"a1) AS ?z) SERVICE <{url}/x> {{ ?s ?p ?o }} BIND(CONCAT(b2"
    assert requests == []


@pytest.mark.parametrize("store_kind", ["memory", "oxigraph"])
def test_escaped_attacks_are_refused_by_the_command(
    store_kind: str,
    http_server: tuple[str, list[str]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, requests = http_server
    store = "memory"
    if store_kind == "oxigraph":
        store = f"oxigraph:{tmp_path / 'kg'}"
        assert main(["load", "--store", store, "--graph", str(GRAPH_DIR)]) == 0
    for name in ("escaped keyword", "escaped FROM", "after a comment ended by CR"):
        capsys.readouterr()
        code = main(["query", "--store", store, "-e", ATTACKS[name].format(url=url)])
        err = capsys.readouterr().err
        assert code == 2, name
        assert "is refused" in err and "Traceback" not in err
    time.sleep(0.05)
    assert requests == []


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MskgHTTPServer]:
    path = tmp_path_factory.mktemp("guarded") / "kg"
    assert main(["load", "--store", f"oxigraph:{path}", "--graph", str(GRAPH_DIR)]) == 0
    with running_mskg(ServerConfig(store=f"oxigraph:{path}", workers=1)) as server:
        yield server


def _get(server: MskgHTTPServer, query: str) -> tuple[int, str]:
    address = f"{server.url}/sparql?" + urllib.parse.urlencode({"query": query})
    try:
        with urllib.request.urlopen(address, timeout=30) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def test_escaped_attacks_get_403_from_the_endpoint_on_oxigraph(
    oxigraph_server: MskgHTTPServer, http_server: tuple[str, list[str]]
) -> None:
    url, requests = http_server
    for name in ("escaped keyword", "escaped FROM", "after a comment ended by CR"):
        status, body = _get(oxigraph_server, ATTACKS[name].format(url=url))
        assert status == 403, (name, body)
    status, body = _get(oxigraph_server, ATTACKS["quote escape"].format(url=url))
    assert status == 200  # the SERVICE clause is inside a string for the engine too
    time.sleep(0.05)
    assert requests == []
    # The legitimate use still works on the same server.
    status, body = _get(oxigraph_server, "SELECT ?d WHERE { ?d a mskg:Drug }")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) >= 4


@pytest.mark.parametrize(
    "escape",
    ["\\UFFFFFFFF", "\\uD800", "\\U0000DFFF", "\\U00110000", "\\u005Cu0022", "\\U0022"],
)
def test_a_bad_codepoint_escape_is_the_clients_error(
    escape: str, oxigraph_server: MskgHTTPServer
) -> None:
    text = f'SELECT ?x WHERE {{ BIND("{escape}" AS ?x) }}'
    with pytest.raises(QueryError) as caught:
        engine_text(text)
    assert not isinstance(caught.value, RefusedQueryError)
    status, body = _get(oxigraph_server, text)
    assert status == 400, body
    assert "internal error" not in body


def test_a_bad_escape_names_its_line_and_column() -> None:
    with pytest.raises(QueryError) as caught:
        engine_text('SELECT ?x WHERE {\n  BIND("ok \\UFFFFFFFF" AS ?x) }')
    assert (caught.value.line, caught.value.column) == (2, 12)


# Hard cases, table-driven: keywords where they are harmless, and where they are not ----------

HARMLESS = [
    'SELECT ?x WHERE { BIND("SERVICE <http://e/x> { ?s ?p ?o }" AS ?x) }',
    "SELECT ?x WHERE { BIND('''FROM <http://e/g> \"LOAD\"''' AS ?x) }",
    'SELECT ?x WHERE { BIND("""a "quoted" SERVICE""" AS ?x) }',
    'SELECT ?x WHERE { BIND("escaped \\" SERVICE \\\\" AS ?x) }',
    "SELECT ?x WHERE { ?x <http://example.org/SERVICE> ?y }",
    "SELECT ?x WHERE { ?x a <http://e/from#insert> }",
    "# SERVICE <http://e/x> in a comment\nSELECT ?x WHERE { ?x ?p ?o }",
    "SELECT ?service ?from ?load WHERE { ?service ?from ?load }",
    "SELECT $insert WHERE { $insert ?p ?o }",
    "PREFIX ex: <http://e/> SELECT ?x WHERE { ?x ex:service ex:from }",
    "SELECT ?x WHERE { ?x ?p ?o FILTER(?o<10&&?o>2) }",
    'SELECT ?x WHERE { ?x rdfs:label ?l FILTER(CONTAINS(?l, "\\u00e9")) }',
]

REFUSED = [
    "SELECT * WHERE { SERVICE <http://e/x> { ?s ?p ?o } }",
    "SELECT * WHERE {\n\tService\n<http://e/x> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o .SERVICE <http://e/x> { ?s ?p ?o } }",
    "SELECT * WHERE { ?s ?p ?o } #x\rLOAD <http://e/x>",
    'SELECT * WHERE { BIND("a\\u0022 AS ?x) SERVICE <http://e/x> {} BIND(\\u0022" AS ?y) }',
    "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }",
    "select * from named <http://e/g> where { graph ?g { ?s ?p ?o } }",
    "WITH <http://e/g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
]


@pytest.mark.parametrize("text", HARMLESS)
def test_harmless_keywords_pass_the_guard(text: str, graph: Graph) -> None:
    refuse_remote_keywords(engine_text(text))
    prepare_query(query_from_text(text))


@pytest.mark.parametrize("text", REFUSED)
def test_keywords_that_write_or_fetch_are_refused(text: str) -> None:
    with pytest.raises(RefusedQueryError):
        refuse_remote_keywords(engine_text(text))
    with pytest.raises(RefusedQueryError):
        prepare_query(query_from_text(text))


def test_an_escaped_character_means_the_same_on_every_store(tmp_path: Path) -> None:
    """The engine text is what every store runs: an escape in a string is its character."""
    path = tmp_path / "kg"
    assert main(["load", "--store", f"oxigraph:{path}", "--graph", str(GRAPH_DIR)]) == 0
    text = (
        "SELECT ?drug WHERE { ?drug a mskg:Drug ; rdfs:label ?l "
        'FILTER(?l = "n\\u0061talizumab"@en) }'
    )
    answers = []
    for spec in ("memory", f"oxigraph:{path}"):
        with open_store(spec, GRAPH_DIR, read_only=True) as store:
            answers.append(run_query(text, store).as_strings())
    assert answers[0] == answers[1] == [("https://w3id.org/mskg/resource/natalizumab",)]


class _JsonLdEndpoint(http.server.BaseHTTPRequestHandler):
    """A SPARQL endpoint that answers every query with JSON-LD naming a remote context."""

    context_url = ""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.dumps(
            {"@context": self.context_url, "@id": "http://e/a", "http://e/b": "c"}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


def test_an_endpoint_answer_never_makes_mskg_fetch(http_server: tuple[str, list[str]]) -> None:
    url, requests = http_server
    handler = type("Endpoint", (_JsonLdEndpoint,), {"context_url": f"{url}/context.jsonld"})
    endpoint = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=endpoint.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        store = open_store(f"sparql:http://127.0.0.1:{endpoint.server_address[1]}/sparql")
        with pytest.raises(StoreError, match="answer is refused: JSON-LD context by reference"):
            store.query("CONSTRUCT WHERE { ?s ?p ?o }")
    finally:
        endpoint.shutdown()
        endpoint.server_close()
    time.sleep(0.05)
    assert requests == []
