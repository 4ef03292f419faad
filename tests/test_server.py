"""A real Oxigraph server as a ``sparql:`` store, and ``mskg serve`` under a real client.

The Oxigraph server comes from the PyPI ``oxigraph`` package (test extra); it is started on a
free loopback port and stopped after. ``mskg serve`` runs in this process on a free port.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import GRAPH_DIR
from mskg.cli import main
from mskg.errors import GraphLoadError
from mskg.query import query_names
from mskg.server import MskgHTTPServer, ServerConfig, make_server
from mskg.store import MemoryStore, SparqlStore, open_store, run_query, wait_for_endpoint
from test_store import comparable

pytestmark = pytest.mark.server

#: A query rdflib cannot finish in any reasonable time: three-way cross product of the graph.
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DRUGS = "SELECT ?drug ?label WHERE { ?drug a mskg:Drug ; rdfs:label ?label } ORDER BY ?label"
TIMEOUT = 2.0


def _oxigraph_binary() -> str | None:
    beside = Path(sys.executable).with_name("oxigraph")
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def memory() -> MemoryStore:
    store = open_store("memory", GRAPH_DIR)
    assert isinstance(store, MemoryStore)
    return store


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query URL of a fresh ``oxigraph serve`` on a free loopback port."""
    binary = _oxigraph_binary()
    if binary is None:
        reason = "the oxigraph server binary is absent: pip install oxigraph (test extra)"
        # CI installs the test extra, so there a missing server is a broken install, not a skip.
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    port = _free_port()
    location = tmp_path_factory.mktemp("oxigraph-server")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    try:
        wait_for_endpoint(url, timeout=30)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def loaded_server(oxigraph_server: str) -> str:
    assert main(["load", "--store", f"sparql:{oxigraph_server}", "--graph", str(GRAPH_DIR)]) == 0
    return oxigraph_server


@pytest.fixture(scope="module")
def mskg_server() -> Iterator[MskgHTTPServer]:
    server = make_server("127.0.0.1", 0, ServerConfig(timeout=TIMEOUT, workers=3, max_rows=500))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def fetch(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def q(text: str) -> str:
    return urllib.parse.urlencode({"query": text})


# An Oxigraph server as the sparql: store ----------------------------------------------------


def test_load_into_server_then_same_rows(loaded_server: str, memory: MemoryStore) -> None:
    store = open_store(f"sparql:{loaded_server}")
    assert store.count() == memory.count()
    for name in query_names():
        expected = run_query(name, memory)
        got = run_query(name, store)
        if expected.graph is not None:
            assert got.graph is not None and len(got.graph) == len(expected.graph), name
        else:
            assert got.variables == expected.variables, name
            assert comparable(got.rows) == comparable(expected.rows), name


def test_failed_load_into_server_changes_nothing(
    loaded_server: str, memory: MemoryStore, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("<http://x/a> <http://x/b> .\n")
    store = SparqlStore(loaded_server)
    with pytest.raises(GraphLoadError, match=r"bad\.ttl"):
        store.load([bad])
    assert store.count() == memory.count()


# mskg serve ------------------------------------------------------------------------------------


def test_sparqlwrapper_select_in_every_format(mskg_server: MskgHTTPServer) -> None:
    from SPARQLWrapper import CSV, JSON, TSV, XML, SPARQLWrapper

    client = SPARQLWrapper(f"{mskg_server.url}/sparql")
    client.setQuery(DRUGS)
    client.setReturnFormat(JSON)
    document = client.query().convert()
    assert isinstance(document, dict)
    assert document["head"]["vars"] == ["drug", "label"]
    bindings = document["results"]["bindings"]
    assert {"type": "literal", "value": "natalizumab", "xml:lang": "en"} in [
        b["label"] for b in bindings
    ]
    assert all(b["drug"]["type"] == "uri" for b in bindings)

    client.setReturnFormat(XML)
    xml = client.query().convert()
    assert len(xml.getElementsByTagName("result")) == len(bindings)  # type: ignore[union-attr]
    for fmt, separator in ((CSV, b","), (TSV, b"\t")):
        client.setReturnFormat(fmt)
        lines = client.query().convert().splitlines()  # type: ignore[union-attr]
        assert len(lines) == len(bindings) + 1 and separator in lines[0]


def test_post_and_construct(mskg_server: MskgHTTPServer) -> None:
    from SPARQLWrapper import POST, TURTLE, SPARQLWrapper

    client = SPARQLWrapper(f"{mskg_server.url}/sparql")
    client.setMethod(POST)
    client.setQuery("CONSTRUCT WHERE { ?d a mskg:Drug }")
    client.setReturnFormat(TURTLE)
    text = client.query().convert()
    assert b"mskg:Drug" in text  # type: ignore[operator]
    status, headers, body = fetch(
        f"{mskg_server.url}/sparql",
        data=b"ASK { ?d a mskg:Drug }",
        headers={"Content-Type": "application/sparql-query", "Accept": "application/json"},
    )
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}
    assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"url": "/sparql?update=DROP%20ALL"}, 403),
        ({"url": "/sparql?" + q("DELETE WHERE { ?s ?p ?o }")}, 403),
        (
            {
                "url": "/sparql",
                "data": b"INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
                "headers": {"Content-Type": "application/sparql-update"},
            },
            403,
        ),
        ({"url": "/sparql?" + q("SELECT * { SERVICE <http://127.0.0.1:1/> { ?s ?p ?o } }")}, 403),
        ({"url": "/sparql?" + q("SELECT * FROM <http://example.org/x.ttl> { ?s ?p ?o }")}, 403),
        ({"url": "/sparql?" + q("SELECT * WHERE { ?s ?p }")}, 400),
        ({"url": "/sparql?" + q(DRUGS) + "&default-graph-uri=http://example.org/"}, 400),
        ({"url": "/queries/no-such-query"}, 404),
        ({"url": "/sparql", "data": b"x" * 2_000_000}, 413),
    ],
)
def test_refusals(mskg_server: MskgHTTPServer, request_kwargs: dict, status: int) -> None:
    url = mskg_server.url + request_kwargs.pop("url")
    got, _headers, body = fetch(url, **request_kwargs)
    assert got == status, body


def test_row_cap(mskg_server: MskgHTTPServer) -> None:
    status, headers, body = fetch(
        f"{mskg_server.url}/sparql?" + q("SELECT * { ?s ?p ?o }") + "&format=json"
    )
    assert status == 200 and headers["X-MSKG-Truncated"] == "true"
    assert len(json.loads(body)["results"]["bindings"]) == 500


def test_pages_and_named_queries(mskg_server: MskgHTTPServer) -> None:
    status, _headers, page = fetch(f"{mskg_server.url}/")
    assert status == 200 and b"<textarea" in page
    status, _headers, listing = fetch(f"{mskg_server.url}/queries")
    names = [item["name"] for item in json.loads(listing)]
    assert names == query_names()
    status, headers, body = fetch(
        f"{mskg_server.url}/queries/serious-adverse-effects?drug=Tysabri&format=csv"
    )
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert b"progressive multifocal leukoencephalopathy" in body.lower()
    status, headers, html = fetch(f"{mskg_server.url}/graph")
    assert status == 200 and b"natalizumab" in html


def test_timeout_stops_the_query_while_others_are_answered(mskg_server: MskgHTTPServer) -> None:
    url = f"{mskg_server.url}/sparql?" + q(DRUGS)
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        started = time.monotonic()
        endless = pool.submit(fetch, f"{mskg_server.url}/sparql?" + q(ENDLESS))
        time.sleep(0.1)
        burst = [pool.submit(fetch, url, headers={"Accept": "text/csv"}) for _ in range(60)]
        statuses = [future.result()[0] for future in burst]
        status, _headers, body = endless.result()
        elapsed = time.monotonic() - started
    assert statuses == [200] * 60
    assert status == 503 and b"time limit" in body
    assert elapsed < TIMEOUT + 3
    # The killed worker is replaced: the pool answers a full burst again.
    time.sleep(0.5)
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        again = list(pool.map(lambda _: fetch(url)[0], range(24)))
    assert again == [200] * 24


def test_serve_an_oxigraph_store(tmp_path: Path) -> None:
    path = tmp_path / "kg"
    assert main(["load", "--store", f"oxigraph:{path}", "--graph", str(GRAPH_DIR)]) == 0
    server = make_server("127.0.0.1", 0, ServerConfig(store=f"oxigraph:{path}", workers=2))
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        status, _headers, body = fetch(f"{server.url}/sparql?" + q(DRUGS) + "&format=json")
        assert status == 200
        labels = [b["label"]["value"] for b in json.loads(body)["results"]["bindings"]]
        assert "natalizumab" in labels
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
