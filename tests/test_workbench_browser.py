"""The query page of ``mskg serve`` as a person uses it, in headless Debian Chromium.

One server (the curated graph plus a drug with hostile labels) and one browser for the module.
Checks: the page loads with no console error and no request to any other host; the editor is a
YASQE instance that highlights SPARQL, completes the ontology's terms from this graph and marks
a syntax error at its line; a named query with a parameter is chosen from the grouped picker, the
parameter filled from the graph's suggestions, and Run gives a table whose cells link to
``/resource/...`` and carry no ``@en``, with downloads and a graph link over the same answer;
the URL holds the state and a reload restores it; a hostile label stays text.
Screenshots go to out/test-artifacts/ (ignored by git).
"""

from __future__ import annotations

import json
import shutil
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import GRAPH_DIR, write_extra
from mskg.server.config import ServerConfig
from mskg.server.http import MskgHTTPServer
from test_server import fetch, running_mskg
from test_viz_browser import ARTIFACTS, HOSTILE, HOSTILE_SCRIPT, LOCAL_SCHEMES, png_colours
from test_viz_browser import driver as _viz_driver
from test_viz_browser import pytestmark as _browser_marks

pytestmark = _browser_marks
#: The module's one browser, set up as the viz page's tests set it up (a fixture of this module).
driver = _viz_driver
R = "https://w3id.org/mskg/resource/"

EVIL_TTL = f"""
mskr:evil a mskg:Drug ;
    rdfs:label "{HOSTILE}"@en ;
    skos:altLabel "{HOSTILE_SCRIPT}"@en ;
    skos:exactMatch <javascript:alert(1)> .
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MskgHTTPServer]:
    graph_dir = tmp_path_factory.mktemp("workbench") / "graph"
    shutil.copytree(GRAPH_DIR, graph_dir)
    write_extra(graph_dir, EVIL_TTL, "evil.ttl")
    config = ServerConfig(graph_dir=str(graph_dir), timeout=60, workers=2, max_rows=2000)
    with running_mskg(config) as running:
        yield running


class Page:
    """The query page loaded at ``path``, with what the browser logged and requested."""

    def __init__(self, driver: Any, server: MskgHTTPServer, path: str = "/") -> None:
        self.driver = driver
        self.server = server
        driver.get("about:blank")
        driver.get_log("browser")
        driver.get_log("performance")
        driver.get(server.url + path)
        self.ready()
        self.console: list[dict[str, Any]] = []
        self.requests: list[str] = []

    def ready(self) -> None:
        self.wait("return window.mskgReady === true", timeout=30)

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def wait(self, script: str, *args: Any, timeout: float = 30.0) -> Any:
        deadline = time.monotonic() + timeout
        while not (value := self.js(script, *args)):
            assert time.monotonic() < deadline, f"timed out waiting for: {script}"
            time.sleep(0.05)
        return value

    def wait_for_answer(self) -> None:
        self.wait(
            "return ['done', 'failed'].includes(document.getElementById('out').dataset.state)"
        )
        assert self.js("return document.getElementById('out').dataset.state") == "done", self.js(
            "return document.getElementById('out').textContent"
        )

    def collect(self) -> None:
        self.console.extend(self.driver.get_log("browser"))
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
                params = message["params"]
                self.requests.append(params.get("request", {}).get("url") or params.get("url", ""))

    def errors(self) -> list[dict[str, Any]]:
        self.collect()
        return [e for e in self.console if e.get("level") in ("SEVERE", "WARNING")]

    def outside_requests(self) -> list[str]:
        """Requests to anything but this server (local schemes such as data: aside)."""
        self.collect()
        here = urllib.parse.urlsplit(self.server.url).netloc
        return [
            url
            for url in self.requests
            if not url.startswith(LOCAL_SCHEMES) and urllib.parse.urlsplit(url).netloc != here
        ]

    def table(self) -> dict[str, Any]:
        return self.js(
            """const t = document.querySelector('#out table.results');
            if (!t) return null;
            const head = [...t.tHead.rows[0].cells].map(c => c.textContent);
            const rows = [...t.tBodies[0].rows].map(r => [...r.cells].map(c => {
              const a = c.querySelector('a');
              return {text: c.textContent, href: a ? a.getAttribute('href') : null,
                      html: c.innerHTML};
            }));
            return {head, rows};"""
        )

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"workbench-{name}.png"
        self.driver.save_screenshot(str(path))
        assert png_colours(path) > 20, f"{path} looks blank"
        return path


def test_page_loads_an_offline_yasqe_editor(driver: Any, server: MskgHTTPServer) -> None:
    page = Page(driver, server)
    assert page.errors() == []
    assert page.outside_requests() == []
    assert any(url.endswith("/static/yasqe-4.6.2/yasqe.min.js") for url in page.requests)
    # a YASQE instance, in its SPARQL mode, with only the page's own completers
    assert page.js("return window.mskgWorkbench.yasqe instanceof window.Yasqe")
    assert page.js("return window.mskgWorkbench.yasqe.getOption('mode')") == "sparql11"
    assert page.js("return window.mskgWorkbench.yasqe.config.autocompleters") == [
        "variables",
        "mskgPrefixes",
        "mskgProperty",
        "mskgClass",
    ]
    # syntax highlighting: the default query's keywords and variables are styled tokens
    keywords = page.js(
        "return [...document.querySelectorAll('.CodeMirror-code .cm-keyword')]"
        ".map(e => e.textContent)"
    )
    assert {"PREFIX", "SELECT", "WHERE"} <= set(keywords)
    styled = page.js(
        "return [...document.querySelectorAll('.CodeMirror-code span[class^=cm-]')]"
        ".filter(e => e.textContent === '?drug').map(e => e.className)"
    )
    assert styled and all(c.startswith("cm-") for c in styled)

    # completion of a class from this graph's ontology (typed, then Ctrl-Space)
    page.js(
        """const y = window.mskgWorkbench.yasqe;
        y.setValue('PREFIX mskg: <https://w3id.org/mskg/ontology/>\\n' +
                   'SELECT * WHERE { ?x a mskg:AdverseEff');
        y.focus(); y.setCursor(y.lastLine(), 1000); y.autocomplete();"""
    )
    hints = page.wait(
        "const h = [...document.querySelectorAll('.CodeMirror-hints li')]"
        ".map(e => e.textContent); return h.length ? h : null"
    )
    assert "mskg:AdverseEffect" in hints
    # and of a property
    page.js(
        """const y = window.mskgWorkbench.yasqe;
        y.setValue('PREFIX mskg: <https://w3id.org/mskg/ontology/>\\n' +
                   'SELECT * WHERE { ?x mskg:hasSeriousAdv');
        y.focus(); y.setCursor(y.lastLine(), 1000); y.autocomplete();"""
    )
    hints = page.wait(
        "const h = [...document.querySelectorAll('.CodeMirror-hints li')]"
        ".map(e => e.textContent); return h.some(t => t.includes('Serious')) ? h : null"
    )
    assert "mskg:hasSeriousAdverseEffect" in hints

    # a syntax error is marked at its line (the third)
    page.js("window.mskgWorkbench.yasqe.setValue('SELECT ?x\\nWHERE {\\n  ?x ?y ?z ) .\\n}')")
    line = page.wait(
        """const icon = document.querySelector('.CodeMirror .parseErrorIcon');
        if (!icon) return null;
        return icon.closest('.CodeMirror-gutter-wrapper').parentNode
          .querySelector('.CodeMirror-linenumber').textContent;"""
    )
    assert line == "3"
    page.screenshot("syntax-error")
    assert page.errors() == []
    assert page.outside_requests() == []


def test_named_query_with_a_parameter_from_the_picker(driver: Any, server: MskgHTTPServer) -> None:
    page = Page(driver, server)
    # the picker is grouped, with the query under its group
    groups = page.js("return [...document.querySelectorAll('#picker optgroup')].map(g => g.label)")
    assert groups[:2] == ["treatments", "adverse effects"]
    group = page.js(
        "return document.querySelector('#picker option[value=\"drugs-with-effect\"]')"
        ".parentNode.label"
    )
    assert group == "adverse effects"

    from selenium.webdriver.support.ui import Select

    Select(driver.find_element("id", "picker")).select_by_value("drugs-with-effect")
    assert page.js("return document.getElementById('named-title').textContent") == (
        "Drugs with an adverse effect"
    )
    assert "narrower kinds" in page.js(
        "return document.getElementById('named-description').textContent"
    )
    # the editor shows the query's text
    assert "GROUP_CONCAT" in page.js("return window.mskgWorkbench.yasqe.getValue()")
    # suggestions from the graph: adverse effects for effect, layers for source
    effects = page.wait(
        "const l = document.getElementById('suggest-effect');"
        "return l.dataset.loaded ? [...l.options].map(o => o.value) : null"
    )
    assert {"infection", "progressive multifocal leukoencephalopathy"} <= set(effects)
    assert "natalizumab" not in effects  # a drug is not an adverse effect
    layers = page.wait(
        "const l = document.getElementById('suggest-source');"
        "return l.dataset.loaded ? [...l.options].map(o => o.value) : null"
    )
    assert {"article", "label"} <= set(layers)

    field = driver.find_element("id", "param-effect")
    field.clear()
    field.send_keys("infection")
    driver.find_element("id", "run").click()
    page.wait_for_answer()
    table = page.table()
    assert table["head"][:2] == ["drug", "adverseEffect"]
    assert "drugIri" not in table["head"]  # folded into the drug's link

    # the same answer as the endpoint gives for the named query
    status, _, body = fetch(server.url + "/queries/drugs-with-effect?effect=infection")
    assert status == 200
    expected = json.loads(body)["results"]["bindings"]
    assert len(table["rows"]) == len(expected) > 5
    assert {r[0]["text"] for r in table["rows"]} == {row["drug"]["value"] for row in expected}
    for row, binding in zip(table["rows"], expected, strict=True):
        drug = binding["drugIri"]["value"]
        assert row[0]["href"] == "/resource/" + drug.removeprefix(R)
        assert row[1]["href"].startswith("/resource/")
        assert all("@en" not in cell["text"] for cell in row)
    assert "/resource/natalizumab" in {r[0]["href"] for r in table["rows"]}
    assert "/resource/pml" in {r[1]["href"] for r in table["rows"]}

    # downloads are the same answer in CSV and JSON
    links = page.js(
        "return Object.fromEntries([...document.querySelectorAll('#tools a.download')]"
        ".map(a => [a.dataset.format, a.getAttribute('href')]))"
    )
    status, headers, body = fetch(server.url + links["csv"])
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert len(body.decode().strip().splitlines()) == len(expected) + 1
    status, _, body = fetch(server.url + links["json"])
    assert json.loads(body)["results"]["bindings"] == expected
    # the graph of the answer's nodes
    graph_link = page.js("return document.getElementById('show-graph').getAttribute('href')")
    nodes = urllib.parse.parse_qs(urllib.parse.urlsplit(graph_link).query)["node"]
    assert R + "natalizumab" in nodes and R + "pml" in nodes
    status, _, body = fetch(server.url + graph_link)
    assert status == 200 and b"natalizumab" in body

    # the URL holds the state; a reload restores it and answers again
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(driver.current_url).fragment) == {
        "query": ["drugs-with-effect"],
        "param.effect": ["infection"],
    }
    page.screenshot("named-query")
    driver.refresh()
    page.ready()
    page.wait_for_answer()
    assert page.js("return document.getElementById('picker').value") == "drugs-with-effect"
    assert page.js("return document.getElementById('param-effect').value") == "infection"
    assert page.table() == table
    # a link to a query text, followed from here (the same document: only the hash changes),
    # leaves the named query and runs the text
    runs = page.js("return window.mskgWorkbench.timing.runs")
    text = "SELECT ?drug ?label WHERE { ?drug a mskg:Drug ; rdfs:label ?label }"
    driver.get(server.url + "/#" + urllib.parse.urlencode({"sparql": text}))
    page.wait("return window.mskgWorkbench.timing.runs > arguments[0]", runs)
    page.wait_for_answer()
    assert page.js("return document.getElementById('picker').value") == ""
    assert page.js("return window.mskgWorkbench.yasqe.getValue()") == text
    assert page.table()["head"] == ["drug", "label"]
    assert page.errors() == []
    assert page.outside_requests() == []


def test_free_query_in_the_url_and_hostile_labels_stay_text(
    driver: Any, server: MskgHTTPServer
) -> None:
    text = (
        "PREFIX mskr: <https://w3id.org/mskg/resource/>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n"
        "SELECT ?name ?match WHERE {\n"
        "  { mskr:evil rdfs:label ?name } UNION { mskr:evil skos:altLabel ?name }\n"
        "  mskr:evil skos:exactMatch ?match .\n} ORDER BY ?name"
    )
    page = Page(driver, server, "/#" + urllib.parse.urlencode({"sparql": text}))
    page.wait_for_answer()
    assert page.js("return window.mskgWorkbench.yasqe.getValue()") == text
    assert page.js("return document.getElementById('picker').value") == ""
    table = page.table()
    assert sorted(r[0]["text"] for r in table["rows"]) == sorted([HOSTILE, HOSTILE_SCRIPT])
    # text, not markup: no element was made from a label, no script ran
    assert page.js("return document.querySelectorAll('#out img, #out script').length") == 0
    assert page.js("return window.pwned") is None
    # the javascript: IRI is shown, and is no link
    assert {r[1]["text"] for r in table["rows"]} == {"javascript:alert(1)"}
    assert all(r[1]["href"] is None for r in table["rows"])
    # the hostile drug's label is also a suggestion for a treatment, as a value only
    page.js(
        "document.getElementById('picker').value = 'drug-profile';"
        "document.getElementById('picker').dispatchEvent(new Event('change'))"
    )
    names = page.wait(
        "const l = document.getElementById('suggest-drug');"
        "return l.dataset.loaded ? [...l.options].map(o => o.value) : null"
    )
    assert HOSTILE in names and "Tysabri" in names
    assert page.js("return document.querySelectorAll('img').length") == 0
    assert page.errors() == []
    assert page.outside_requests() == []


def test_warnings_and_construct_answers(driver: Any, server: MskgHTTPServer) -> None:
    typo = (
        "PREFIX mskg: <https://w3id.org/mskg/ontology/>\n"
        "SELECT ?d ?e WHERE { ?d mskg:hasCommonAdverseEfect ?e }"
    )
    page = Page(driver, server, "/#" + urllib.parse.urlencode({"sparql": typo}))
    page.wait_for_answer()
    warnings = page.js(
        "return [...document.querySelectorAll('#warnings .warning')].map(p => p.textContent)"
    )
    assert any("hasCommonAdverseEffect" in w for w in warnings), warnings
    # a warning quoting graph-like text shows it as text, markup and all
    hostile = 'SELECT ?d WHERE { ?d rdfs:label "<img src=x onerror=alert(1)>" }'
    page.js(
        "window.mskgWorkbench.yasqe.setValue(arguments[0]);document.getElementById('run').click()",
        hostile,
    )
    page.wait_for_answer()
    (shown,) = page.js(
        "return [...document.querySelectorAll('#warnings .warning')].map(p => p.textContent)"
    )
    assert shown.startswith('warning: line 1, column 33: "<img src=x onerror=alert(1)>"')
    assert "strings tagged @en" in shown
    assert page.js("return document.querySelectorAll('#warnings *:not(p)').length") == 0
    construct = (
        "PREFIX mskg: <https://w3id.org/mskg/ontology/>\n"
        "PREFIX mskr: <https://w3id.org/mskg/resource/>\n"
        "CONSTRUCT { mskr:natalizumab mskg:hasSeriousAdverseEffect ?e }\n"
        "WHERE { mskr:natalizumab mskg:hasSeriousAdverseEffect ?e }"
    )
    page.js(
        "window.mskgWorkbench.yasqe.setValue(arguments[0]);document.getElementById('run').click()",
        construct,
    )
    page.wait_for_answer()
    table = page.table()
    assert table["head"] == ["subject", "predicate", "object"]
    assert {r[0]["href"] for r in table["rows"]} == {"/resource/natalizumab"}
    assert {r[1]["href"] for r in table["rows"]} == {"/ontology/hasSeriousAdverseEffect"}
    assert "/resource/pml" in {r[2]["href"] for r in table["rows"]}
    graph_link = page.js("return document.getElementById('show-graph').getAttribute('href')")
    nodes = urllib.parse.parse_qs(urllib.parse.urlsplit(graph_link).query)["node"]
    assert set(nodes) == {R + "natalizumab"} | {
        R + r[2]["href"].removeprefix("/resource/") for r in table["rows"]
    }
    page.screenshot("construct")
    assert page.errors() == []
    assert page.outside_requests() == []


def test_result_links_open_resource_pages_and_the_graph(
    driver: Any, server: MskgHTTPServer
) -> None:
    """From a named query's table to the effect's resource page, back to the query, and on to
    "Show as graph", which draws exactly the answer's nodes: the three views a person walks
    through, with nothing leaving the server on the way."""
    page = Page(driver, server, "/#query=drugs-with-effect&param.effect=pml")
    page.wait_for_answer()
    drugs = {r[0]["href"] for r in page.table()["rows"]}
    assert {"/resource/natalizumab", "/resource/ocrelizumab", "/resource/rituximab"} <= drugs
    query_page = driver.current_window_handle

    driver.find_element("css selector", '#out table.results a[href="/resource/pml"]').click()
    page.wait("return document.location.pathname === '/resource/pml'")
    page.wait("return document.readyState === 'complete'")
    assert driver.find_element("tag name", "h1").text == (
        "progressive multifocal leukoencephalopathy"
    )
    # the effect's page lists the drugs the query found, each linking to its own page
    linked = set(
        page.js("return [...document.querySelectorAll('a')].map(a => a.getAttribute('href'))")
    )
    assert drugs <= linked
    page.screenshot("resource-from-result")

    driver.back()
    page.ready()
    page.wait_for_answer()
    windows = set(driver.window_handles)
    driver.find_element("id", "show-graph").click()
    page.wait("return true")  # let the new tab open
    deadline = time.monotonic() + 30
    while not (new := set(driver.window_handles) - windows):
        assert time.monotonic() < deadline, "Show as graph opened no window"
        time.sleep(0.05)
    [graph_window] = new
    driver.switch_to.window(graph_window)
    try:
        page.wait("return window.mskgReady === true")
        drawn = set(page.js("return nodes.getIds()"))
        table_nodes = {R + href.removeprefix("/resource/") for href in drugs} | {R + "pml"}
        assert table_nodes <= drawn
        # only the answer's nodes: every drawn node is one of the answer's IRIs
        status, _, body = fetch(server.url + "/queries/drugs-with-effect?effect=pml")
        assert status == 200
        answer = {
            value["value"]
            for row in json.loads(body)["results"]["bindings"]
            for value in row.values()
            if value["type"] == "uri"
        }
        assert drawn == answer
        page.screenshot("show-as-graph")
        assert page.errors() == []
    finally:
        driver.close()
        driver.switch_to.window(query_page)
    assert page.outside_requests() == []
