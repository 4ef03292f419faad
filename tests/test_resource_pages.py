"""Every IRI of the graph dereferences in ``mskg serve``: ``/resource/NAME``, ``/ontology/TERM``
and ``/ontology``, as an HTML page or as Turtle, N-Triples or JSON-LD by content negotiation.

Against a real server on the curated graph (memory store; an Oxigraph store and a remote
``oxigraph serve`` endpoint must give the same answers; tests/test_virtuoso.py checks Virtuoso),
checked against the graph itself: natalizumab's page lists PML as a
serious, potentially fatal effect with the article section as its source and Tysabri as its
brand name, an adverse effect's page lists the drugs that cause it, the RDF forms parse and hold
the statements. Hostile names in the URL and hostile text in the graph stay harmless. The
w3id.org redirect file sends the public IRIs to these paths. One headless Chromium test opens a
page and follows a link (screenshots under out/test-artifacts/).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import socket
import time
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV, RDFS

from conftest import GRAPH_DIR, QUERIES_DIR, REPO_DIR
from mskg.cli import main
from mskg.prefixes import MSKG_IRI, RESOURCE_IRI
from mskg.server.config import ServerConfig
from mskg.server.http import MskgHTTPServer
from mskg.server.resource import iri_of_path, resource_answer
from mskg.stores import open_store
from mskg.stores.memory import MemoryStore
from test_server import fetch, running_mskg, running_oxigraph
from test_viz_browser import ARTIFACTS, png_colours
from test_viz_browser import driver as driver  # the module's one browser (headless, offline)

pytestmark = pytest.mark.server

R = RESOURCE_IRI
M = MSKG_IRI
NATALIZUMAB = URIRef(R + "natalizumab")
PML = URIRef(R + "pml")
SERIOUS = URIRef(M + "hasSeriousAdverseEffect")
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/webp,*/*;q=0.8"


@pytest.fixture(scope="module")
def server() -> Iterator[MskgHTTPServer]:
    with running_mskg(ServerConfig(timeout=30, workers=2)) as running:
        yield running


@pytest.fixture(scope="module")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MskgHTTPServer]:
    path = tmp_path_factory.mktemp("resource-pages") / "kg"
    assert main(["load", "--store", f"oxigraph:{path}", "--graph", str(GRAPH_DIR)]) == 0
    with running_mskg(ServerConfig(store=f"oxigraph:{path}", timeout=30, workers=1)) as running:
        yield running


def get(
    server: MskgHTTPServer, path: str, accept: str | None = BROWSER
) -> tuple[int, dict[str, str], bytes]:
    headers = {"Accept": accept} if accept is not None else {}
    return fetch(server.url + path, headers=headers)


class PageParser(HTMLParser):
    """The facts of a resource page (per section and relation: the object's link and text, and
    each statement's text and links), and every tag with its attributes, for the safety checks.
    """

    VOID = frozenset({"meta", "br", "link", "img", "input", "hr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.section = ""
        self.relation = ""
        self.facts: list[dict[str, Any]] = []
        self.title = ""
        self.svg_links: list[str | None] = []
        self._capture: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append((tag, values))
        if tag not in self.VOID and not tag.endswith("/"):
            self.stack.append((tag, values))
        classes = (values.get("class") or "").split()
        if tag == "h2":
            self._capture = []
        elif tag == "h3" and values.get("title"):
            self.relation = str(values["title"])
        elif tag == "li" and self._in("ul", "facts") and not self._in("div", "statement"):
            self.facts.append(
                {"section": self.section, "relation": self.relation, "object": None, "text": ""}
                | {"statements": []}
            )
        elif tag == "div" and "statement" in classes and self.facts:
            self.facts[-1]["statements"].append({"text": "", "links": []})
        elif tag == "a" and self._in("svg"):
            self.svg_links.append(values.get("href"))
        elif tag == "a" and self.facts and self._in("li"):
            href = values.get("href")
            fact = self.facts[-1]
            if fact["statements"] and self._in("div", "statement"):
                fact["statements"][-1]["links"].append(href)
            elif fact["object"] is None:
                fact["object"] = href

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag == "h2" and self._capture is not None:
            self.section = "".join(self._capture).strip()
            self._capture = None
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.texts.append(data)
        if self._capture is not None:
            self._capture.append(data)
        if self.stack and self.stack[-1][0] == "h1":
            self.title += data
        if self.facts and self._in("li"):
            fact = self.facts[-1]
            if fact["statements"] and self._in("div", "statement"):
                fact["statements"][-1]["text"] += data
            else:
                fact["text"] += data

    def _in(self, tag: str, cls: str | None = None) -> bool:
        return any(
            t == tag and (cls is None or cls in (a.get("class") or "").split())
            for t, a in self.stack
        )

    def group(self, section: str, relation: str) -> list[dict[str, Any]]:
        return [f for f in self.facts if f["section"] == section and f["relation"] == relation]

    def text(self) -> str:
        """The page's text, one space between text nodes and between words."""
        return " ".join(" ".join(self.texts).split())


def parse_page(body: bytes) -> PageParser:
    parser = PageParser()
    parser.feed(body.decode("utf-8"))
    parser.close()
    return parser


def path_of(iri: str) -> str:
    return "/resource/" + iri[len(R) :] if iri.startswith(R) else "/ontology/" + iri[len(M) :]


# The HTML page ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def natalizumab_page(server: MskgHTTPServer) -> tuple[dict[str, str], PageParser]:
    status, headers, body = get(server, "/resource/natalizumab")
    assert status == 200, body
    return headers, parse_page(body)


def test_natalizumab_page_names_it_and_its_brand(
    natalizumab_page: tuple[dict[str, str], PageParser],
) -> None:
    headers, page = natalizumab_page
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" in headers["Vary"]
    assert page.title == "natalizumab"
    text = page.text()
    assert "brand names Tysabri" in text
    # its definition, types and identifiers as the graph has them
    assert "keeps damaging immune cells out of the brain and spinal cord" in text
    hrefs = {a.get("href") for tag, a in page.tags if tag == "a"}
    assert {"/ontology/Drug", "/ontology/DiseaseModifyingTherapy"} <= hrefs
    assert "https://go.drugbank.com/drugs/DB00108" in hrefs


def test_pml_is_a_serious_potentially_fatal_effect_with_its_source(
    natalizumab_page: tuple[dict[str, str], PageParser],
) -> None:
    _headers, page = natalizumab_page
    pml = [f for f in page.group("Facts", str(SERIOUS)) if f["object"] == "/resource/pml"]
    assert len(pml) == 1
    assert pml[0]["text"].strip() == "progressive multifocal leukoencephalopathy"
    article = [
        s for s in pml[0]["statements"] if "/resource/seed-section-natalizumab" in s["links"]
    ]
    assert len(article) == 1, pml[0]["statements"]
    statement = " ".join(article[0]["text"].split())
    assert "potentially fatal" in statement
    assert "frequency: rare" in statement
    assert "Seed article, natalizumab (Tysabri)" in statement
    assert "/resource/seed-article" in article[0]["links"]  # the section's document
    # and the label's own statement of it, with its boxed warning as source
    assert any("/resource/label-tysabri-boxed-warning" in s["links"] for s in pml[0]["statements"])


def test_every_relation_of_natalizumab_is_on_its_page(
    natalizumab_page: tuple[dict[str, str], PageParser], graph: Graph
) -> None:
    _headers, page = natalizumab_page
    shown = {(f["relation"], f["object"]) for f in page.facts if f["section"] == "Facts"}
    header = {RDF.type, PROV.wasDerivedFrom, RDFS.label}
    expected = {
        (str(p), path_of(str(o)))
        for p, o in graph.predicate_objects(NATALIZUMAB)
        if isinstance(o, URIRef)
        and p not in header
        and str(o).startswith((R, M))
        and "Match" not in str(p)
    }
    assert expected, "natalizumab has relations in the graph"
    assert expected <= shown, expected - shown


def test_an_adverse_effect_page_lists_the_drugs_that_cause_it(
    server: MskgHTTPServer, graph: Graph
) -> None:
    status, _headers, body = get(server, "/resource/pml")
    assert status == 200
    page = parse_page(body)
    listed = {f["object"] for f in page.group("Pointing here", str(SERIOUS))}
    causes = {path_of(str(drug)) for drug in graph.subjects(SERIOUS, PML)}
    assert {"/resource/natalizumab", "/resource/ocrelizumab"} <= causes
    assert listed == causes
    natalizumab = next(
        f for f in page.group("Pointing here", str(SERIOUS)) if f["object"].endswith("natalizumab")
    )
    assert any("potentially fatal" in s["text"] for s in natalizumab["statements"])
    assert "also called PML" in page.text()  # its alternative name


def test_page_links_to_its_rdf_and_the_graph(
    natalizumab_page: tuple[dict[str, str], PageParser],
) -> None:
    _headers, page = natalizumab_page
    alternates = {
        a["type"]: a["href"]
        for tag, a in page.tags
        if tag == "link" and a.get("rel") == "alternate"
    }
    assert alternates == {
        "text/turtle": "/resource/natalizumab?format=ttl",
        "application/n-triples": "/resource/natalizumab?format=nt",
        "application/ld+json": "/resource/natalizumab?format=jsonld",
    }
    opened = [a["href"] for tag, a in page.tags if tag == "a" and a.get("id") == "open-graph"]
    assert opened == ["/graph?focus=" + urllib.parse.quote(str(NATALIZUMAB), safe="")]
    # the small graph: one link per neighbour, each to a page of the graph
    svg_links = page.svg_links
    assert "/resource/pml" in svg_links
    assert len(svg_links) == len(set(svg_links)) >= 10
    assert all(str(link).startswith(("/resource/", "/ontology/")) for link in svg_links)


def test_page_runs_no_script_under_a_strict_policy(
    natalizumab_page: tuple[dict[str, str], PageParser], server: MskgHTTPServer
) -> None:
    headers, page = natalizumab_page
    policy = headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy
    assert "unsafe-inline" not in policy
    _status, _h, body = get(server, "/resource/natalizumab")
    style = re.search(rb"<style>(.*?)</style>", body, re.DOTALL)
    assert style is not None
    digest = base64.b64encode(hashlib.sha256(style.group(1)).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in policy  # the one style block, by its hash
    assert not [t for t, _a in page.tags if t == "script"]


def test_ontology_term_page(server: MskgHTTPServer, graph: Graph) -> None:
    status, _headers, body = get(server, "/ontology/hasSeriousAdverseEffect")
    assert status == 200
    page = parse_page(body)
    assert page.title == "has serious adverse effect"
    groups = {(f["relation"], f["object"]) for f in page.facts if f["section"] == "Facts"}
    assert (str(RDFS.domain), "/ontology/Treatment") in groups
    assert (str(RDFS.range), "/ontology/AdverseEffect") in groups
    assert (str(RDFS.subPropertyOf), "/ontology/hasAdverseEffect") in groups
    # the named queries that use it, read from the queries folder
    using = sorted(
        p.stem for p in QUERIES_DIR.glob("*.rq") if "mskg:hasSeriousAdverseEffect" in p.read_text()
    )
    assert using
    hrefs = {a.get("href") for tag, a in page.tags if tag == "a"}
    # each opens in the query page, which runs the query named in its address
    assert {f"/#query={name}" for name in using} <= hrefs
    # the triples that use it, subject and object linked
    used = [f for f in page.facts if f["section"] == "Used in the graph"]
    assert len(used) == min(100, len(list(graph.triples((None, SERIOUS, None)))))
    assert any(
        f["object"] == "/resource/natalizumab"
        and " ".join(f["text"].split())
        == "natalizumab → progressive multifocal leukoencephalopathy"
        for f in used
    )
    # a class: its mapping as an outside link, its subclasses and instances pointing here
    status, _headers, body = get(server, "/ontology/Drug")
    page = parse_page(body)
    hrefs = {a.get("href") for tag, a in page.tags if tag == "a"}
    assert "https://w3id.org/biolink/vocab/Drug" in hrefs
    instances = {f["object"] for f in page.group("Pointing here", str(RDF.type))}
    assert "/resource/natalizumab" in instances


def test_ontology_page_lists_its_terms(server: MskgHTTPServer, graph: Graph) -> None:
    for path in ("/ontology", "/ontology/"):
        status, _headers, body = get(server, path)
        assert status == 200
    page = parse_page(body)
    assert page.title == "mskg ontology"
    hrefs = {a.get("href") for tag, a in page.tags if tag == "a"}
    classes = {
        path_of(str(c))
        for c in graph.subjects(RDF.type, URIRef("http://www.w3.org/2002/07/owl#Class"))
        if str(c).startswith(M)
    }
    assert classes and classes <= hrefs


# RDF forms -------------------------------------------------------------------------------------


def test_turtle_holds_the_description(server: MskgHTTPServer) -> None:
    status, headers, body = get(server, "/resource/natalizumab", "text/turtle")
    assert status == 200
    assert headers["Content-Type"] == "text/turtle; charset=utf-8"
    assert "Accept" in headers["Vary"]
    text = body.decode("utf-8")
    assert "@prefix mskr: <https://w3id.org/mskg/resource/> ." in text
    assert "mskr:natalizumab" in text
    described = Graph().parse(data=text, format="turtle")
    statement = URIRef(R + "ae-natalizumab-pml")
    assert (NATALIZUMAB, SERIOUS, PML) in described
    assert (statement, RDF.subject, NATALIZUMAB) in described
    assert (statement, URIRef(M + "potentiallyFatal"), Literal(True)) in described
    assert (statement, PROV.wasDerivedFrom, URIRef(R + "seed-section-natalizumab")) in described
    assert (PML, RDFS.label, Literal("progressive multifocal leukoencephalopathy", lang="en")) in (
        described
    )
    assert (NATALIZUMAB, URIRef("http://schema.org/proprietaryName"), Literal("Tysabri")) in (
        described
    )
    # only about natalizumab: nothing of another drug's statements
    assert not list(described.triples((None, RDF.subject, URIRef(R + "ocrelizumab"))))


def test_ntriples_and_jsonld_are_the_same_graph(server: MskgHTTPServer) -> None:
    forms = {}
    for accept, fmt in (
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
    ):
        status, headers, body = get(server, "/resource/pml", accept)
        assert status == 200
        assert headers["Content-Type"].startswith(accept)
        if fmt == "json-ld":
            json.loads(body)
        forms[fmt] = Graph().parse(data=body.decode("utf-8"), format=fmt)
    assert len(forms["turtle"]) > 10
    assert isomorphic(forms["turtle"], forms["nt"])
    assert isomorphic(forms["turtle"], forms["json-ld"])


@pytest.mark.parametrize(
    ("accept", "query", "expected"),
    [
        (BROWSER, "", "text/html"),
        (None, "", "text/html"),
        ("*/*", "", "text/html"),
        ("text/turtle;q=0.5, application/ld+json", "", "application/ld+json"),
        ("application/n-triples, text/html;q=0.1", "", "application/n-triples"),
        (BROWSER, "?format=ttl", "text/turtle"),
        ("text/turtle", "?format=html", "text/html"),
        ("image/png", "?format=jsonld", "application/ld+json"),
    ],
)
def test_content_negotiation(
    server: MskgHTTPServer, accept: str | None, query: str, expected: str
) -> None:
    status, headers, _body = get(server, "/resource/fatigue" + query, accept)
    assert status == 200
    assert headers["Content-Type"] == expected + "; charset=utf-8"


def test_unoffered_types_get_406_and_bad_formats_400(server: MskgHTTPServer) -> None:
    for accept in ("image/png", "application/rdf+xml", "text/html;q=0"):
        status, headers, body = get(server, "/resource/natalizumab", accept)
        assert status == 406, accept
        assert headers["Content-Type"].startswith("text/plain")
        assert b"text/turtle" in body and b"?format=" in body
    status, _headers, body = get(server, "/resource/natalizumab?format=rdfxml")
    assert status == 400 and b"unknown format" in body


def test_unknown_names_get_404(server: MskgHTTPServer) -> None:
    for path in ("/resource/no-such-thing", "/ontology/NoSuchTerm", "/resource/", "/resource"):
        for accept in (BROWSER, "text/turtle"):
            status, headers, body = get(server, path, accept)
            assert status == 404, (path, accept)
            assert headers["Content-Type"].startswith("text/plain")
            assert b"Traceback" not in body


HOSTILE_NAMES = [
    "x%3E",  # x>
    "a%22b",  # a"b
    "%0a",
    "a%0d%0aSet-Cookie:%20x=1",
    "..",
    "..%2f..%2fetc%2fpasswd",
    "%2e%2e",
    "x%3E%20.%20%3Fs%20%3Fp%20%3Fo%20%7B",  # x> . ?s ?p ?o {
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "%ff%fe",
    "natalizumab%00",
    "a" * 300,
]


def raw_get(server: MskgHTTPServer, path: str) -> bytes:
    """A GET sent byte for byte (a client library would normalise ``../``)."""
    host, port = server.server_address[:2]
    with socket.create_connection((str(host), int(port)), timeout=30) as conn:
        conn.sendall(
            f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
        )
        received = b""
        while chunk := conn.recv(65536):
            received += chunk
    return received


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_hostile_names_are_refused_before_any_query(server: MskgHTTPServer, name: str) -> None:
    for prefix in ("/resource/", "/ontology/"):
        reply = raw_get(server, prefix + name)
        head, _, body = reply.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 404 "), head
        assert b"Content-Type: text/plain" in head
        assert b"Set-Cookie" not in head
        assert b"Traceback" not in body
    assert iri_of_path("/resource/" + name) is None


def test_raw_dot_segments_are_not_a_path(server: MskgHTTPServer) -> None:
    for path in ("/resource/../etc/passwd", "/resource/./natalizumab", "/ontology/../../x"):
        head = raw_get(server, path).partition(b"\r\n\r\n")[0]
        assert head.startswith(b"HTTP/1.1 404 "), (path, head)


# Hostile text in the graph ---------------------------------------------------------------------

HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>window.pwned=1</script>"
HOSTILE_TTL = f"""
@prefix mskg: <https://w3id.org/mskg/ontology/> .
@prefix mskr: <https://w3id.org/mskg/resource/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

mskr:evil a mskg:Drug ;
    rdfs:label "{HOSTILE}"@en ;
    schema:proprietaryName "{HOSTILE_SCRIPT}" ;
    skos:definition "Definition {HOSTILE} {HOSTILE_SCRIPT}"@en ;
    skos:exactMatch <javascript:alert(1)> , <data:text/html,hi> , <https://example.org/ok> ;
    mskg:hasSeriousAdverseEffect <https://example.org/it's> , mskr:harm ;
    mskg:evilRelation <javascript:alert(7)> ;
    prov:wasDerivedFrom mskr:bad-source .
mskg:evilRelation rdfs:label "{HOSTILE} relation"@en .
mskr:harm a mskg:AdverseEffect ; rdfs:label "harm \\" onmouseover=\\"alert(8)"@en .
mskr:st a mskg:AdverseEffectAssociation ; rdf:subject mskr:evil ;
    rdf:predicate mskg:hasSeriousAdverseEffect ; rdf:object mskr:harm ;
    mskg:evilRelation "{HOSTILE_SCRIPT}" ; prov:wasDerivedFrom mskr:bad-source .
mskr:bad-source rdfs:label "source <b onmouseover=alert(3)>x</b>"@en ;
    dcterms:isPartOf <javascript:alert(2)> .
<https://example.org/it's> a mskg:AdverseEffect ; rdfs:label "it's <svg onload=alert(4)>"@en .
"""


#: Not a valid IRI, but a graph built in code may hold it: it must stay text, and never be
#: written into a query.
ODD = URIRef('https://example.org/"quoted"<b onmouseover=alert(6)>x</b>')


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> MemoryStore:
    graph = Graph().parse(data=HOSTILE_TTL, format="turtle")
    graph.add((URIRef(R + "evil"), URIRef(M + "hasSymptom"), ODD))
    graph.add((ODD, RDFS.label, Literal('odd <iri> "symptom"', lang="en")))
    return MemoryStore(graph)


def test_hostile_graph_text_stays_text(hostile_store: MemoryStore) -> None:
    reply = resource_answer(hostile_store, R + "evil", "html")
    assert reply.status == 200, reply.body
    page = parse_page(reply.body)
    assert page.title == HOSTILE
    text = page.text()
    for piece in (HOSTILE_SCRIPT, "source <b onmouseover=alert(3)>x</b>", str(ODD)):
        assert piece in text  # shown as the text it is (ODD: never asked for its label)
    for tag, attrs in page.tags:
        assert tag not in ("script", "img", "iframe", "object", "embed"), tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
        if tag == "link":  # the page's own: RDF forms, and an empty icon (no favicon request)
            assert attrs.get("href") == "data:," or str(attrs.get("href")).startswith("/")
            continue
        for name in ("href", "src", "xlink:href"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, attrs)
    hrefs = {a.get("href") for tag, a in page.tags if tag == "a"}
    assert "https://example.org/ok" in hrefs  # an http(s) mapping stays a link
    assert "/resource/harm" in hrefs
    # the hostile relation's label is its heading, as text
    assert f"{HOSTILE} relation" in text
    # the RDF answer of the same graph is still well-formed
    turtle = resource_answer(hostile_store, R + "evil", "ttl")
    assert turtle.status == 200
    parsed = Graph().parse(data=turtle.body.decode("utf-8"), format="turtle")
    assert (URIRef(R + "evil"), RDFS.label, Literal(HOSTILE, lang="en")) in parsed
    assert not list(parsed.triples((None, None, ODD)))  # left out, and said so
    assert "1 triples left out" in urllib.parse.unquote(turtle.headers["X-MSKG-Warning"])


# Every store, few queries ----------------------------------------------------------------------


def test_oxigraph_store_gives_the_same_answers(
    server: MskgHTTPServer, oxigraph_server: MskgHTTPServer
) -> None:
    for path in ("/resource/natalizumab", "/resource/pml", "/ontology/Drug"):
        memory_page = get(server, path)
        oxigraph_page = get(oxigraph_server, path)
        assert memory_page[0] == oxigraph_page[0] == 200
        assert memory_page[2] == oxigraph_page[2], path  # the same page, byte for byte
        graphs = [
            Graph().parse(data=get(s, path, "application/n-triples")[2].decode(), format="nt")
            for s in (server, oxigraph_server)
        ]
        assert len(graphs[0]) > 0 and isomorphic(*graphs)
    assert get(oxigraph_server, "/resource/no-such-thing")[0] == 404


def test_a_remote_endpoint_gives_the_same_answers(
    memory: MemoryStore, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A ``sparql:`` store (a real ``oxigraph serve``): the same page and RDF as in memory."""
    with running_oxigraph(tmp_path_factory.mktemp("resource-endpoint")) as (url, _process):
        assert main(["load", "--store", f"sparql:{url}", "--graph", str(GRAPH_DIR)]) == 0
        remote = open_store(f"sparql:{url}")
        for iri in (R + "natalizumab", M + "hasSeriousAdverseEffect"):
            page = resource_answer(remote, iri, "html")
            assert page.status == 200
            assert page.body == resource_answer(memory, iri, "html").body
            rdf = [resource_answer(store, iri, "nt").body.decode() for store in (remote, memory)]
            assert isomorphic(*(Graph().parse(data=text, format="nt") for text in rdf))
        assert resource_answer(remote, R + "no-such-thing", "ttl").status == 404


class CountingStore:
    """A store that counts the queries asked of it."""

    def __init__(self, store: MemoryStore) -> None:
        self.store = store
        self.queries: list[str] = []

    def query(self, sparql: str, **options: Any) -> Any:
        self.queries.append(sparql)
        return self.store.query(sparql, **options)


@pytest.mark.parametrize(
    ("iri", "fmt", "most"),
    [
        (R + "natalizumab", "html", 3),
        (R + "natalizumab", "ttl", 2),
        (R + "general-knowledge", "html", 3),
        (M + "hasSeriousAdverseEffect", "html", 4),  # and the triples that use it
        (M.rstrip("/"), "html", 4),  # and the ontology's terms
    ],
)
def test_a_page_takes_a_few_queries(memory: MemoryStore, iri: str, fmt: str, most: int) -> None:
    counting = CountingStore(memory)
    reply = resource_answer(counting, iri, fmt)  # type: ignore[arg-type]
    assert reply.status == 200
    assert len(counting.queries) <= most, (fmt, len(counting.queries))


# The w3id.org redirect -------------------------------------------------------------------------

HTACCESS = REPO_DIR / "docs" / "w3id" / ".htaccess"


def rewrite_rules() -> list[tuple[re.Pattern[str], str, list[str]]]:
    rules = []
    for line in HTACCESS.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts and parts[0] == "RewriteRule":
            pattern, target, flags = parts[1], parts[2], parts[3].strip("[]").split(",")
            rules.append((re.compile(pattern), target, flags))
    return rules


def redirect(iri: str) -> tuple[str, str] | None:
    """(status flag, target) that w3id.org's Apache gives ``iri`` under these rules: the
    pattern sees the path below the ``mskg/`` folder, without its leading slash."""
    base = "https://w3id.org/mskg/"
    assert iri.startswith(base) or iri + "/" == base
    local = iri[len(base) :]
    for pattern, target, flags in rewrite_rules():
        match = pattern.search(local)
        if match:
            result = re.sub(r"\$(\d)", lambda m, found=match: found.group(int(m.group(1))), target)
            return next(f for f in flags if f.startswith("R=")), result
    return None


@pytest.mark.parametrize(
    "iri",
    [
        R + "natalizumab",
        R + "ae-natalizumab-pml",
        M + "hasSeriousAdverseEffect",
        M + "Drug",
        "https://w3id.org/mskg/ontology",
    ],
)
def test_w3id_rules_send_each_iri_to_its_page(iri: str, server: MskgHTTPServer) -> None:
    found = redirect(iri)
    assert found is not None, iri
    status, target = found
    assert status == "R=303"
    url = urllib.parse.urlsplit(target)
    assert url.scheme == "https" and url.netloc
    assert iri_of_path(url.path) == iri
    # and the deployed server answers that path
    assert get(server, url.path, "text/turtle")[0] == 200


def test_w3id_rules_pass_on_no_other_path() -> None:
    assert redirect(R + "x%3E") is None
    assert redirect(R + "../etc") is None
    assert redirect("https://w3id.org/mskg/other/thing") is None


# In a browser ----------------------------------------------------------------------------------


@pytest.mark.browser
@pytest.mark.skipif(
    not (Path("/usr/bin/chromium").exists() and Path("/usr/bin/chromedriver").exists())
    and not os.environ.get("CI"),
    reason="needs Debian chromium and chromium-driver (tools/install-browser.sh)",
)
def test_resource_page_in_chromium(server: MskgHTTPServer, driver: Any) -> None:
    from selenium.webdriver.common.by import By

    browser = driver
    browser.get("about:blank")
    browser.get_log("browser")
    browser.get_log("performance")
    browser.get(server.url + "/resource/natalizumab")
    _wait_loaded(browser)
    assert browser.find_element(By.TAG_NAME, "h1").text == "natalizumab"
    assert browser.find_elements(By.CSS_SELECTOR, "svg a")  # the neighbours are drawn
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    first = ARTIFACTS / "resource-natalizumab.png"
    browser.save_screenshot(str(first))
    assert png_colours(first) > 20, f"{first} looks blank"
    link = browser.find_element(By.CSS_SELECTOR, 'ul.facts a[href="/resource/pml"]')
    link.click()
    _wait_loaded(browser, "/resource/pml")
    title = browser.find_element(By.TAG_NAME, "h1").text
    assert title == "progressive multifocal leukoencephalopathy"
    causes = browser.find_elements(By.CSS_SELECTOR, 'ul.facts a[href="/resource/natalizumab"]')
    assert causes
    second = ARTIFACTS / "resource-pml.png"
    browser.save_screenshot(str(second))
    assert png_colours(second) > 20, f"{second} looks blank"
    requests = _requests(browser)
    assert requests
    outside = [u for u in requests if not u.startswith((server.url + "/", "about:", "data:"))]
    assert not outside, outside
    errors = [e for e in browser.get_log("browser") if e.get("level") in ("SEVERE", "WARNING")]
    assert not errors, errors


def _wait_loaded(browser: Any, path: str | None = None) -> None:
    deadline = time.monotonic() + 30
    while not (
        browser.execute_script("return document.readyState") == "complete"
        and (path is None or urllib.parse.urlsplit(browser.current_url).path == path)
    ):
        assert time.monotonic() < deadline, "the page did not load in 30 s"
        time.sleep(0.05)


def _requests(browser: Any) -> list[str]:
    urls = []
    for entry in browser.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
            params = message["params"]
            urls.append(params.get("request", {}).get("url") or params.get("url", ""))
    return urls
