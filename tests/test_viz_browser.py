"""The viz page as a person uses it, in headless Debian Chromium driven by Selenium.

Checks: no console errors or warnings, no request to any outside host, as many nodes and edges
on the page as mskg.to_networkx gives for the curated graph, a layout that really came to rest,
readable labels (none under 11 px on screen, none drawn over another), search finds a drug (by
brand name), clicking a node highlights its neighbourhood and labels its relations without
stacking them, filtering hides a class and a relation, a hostile label stays text (in the
details, the filters and a real hover tooltip), and pages written by the ``mskg viz`` command
itself (--focus, --query, an empty result) work.
The effect matrix and dosing timeline tabs render the page's data (rows, cells, lanes, marks at
the data's times), sort, show symptoms on hover, are chosen by the URL's hash and keep hostile
names as text; no node label is split inside a word, and a two-hop --focus page labels its
outer nodes without overlaps.
Screenshots are kept under out/test-artifacts/ (ignored by git) for a person to look at, and
checked not to be blank.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import time
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, RDFS, SKOS, Graph, Literal, URIRef

from conftest import GRAPH_DIR, REPO_DIR
from mskg.cli import main
from mskg.graph.network import to_networkx
from mskg.viz.page import build_network, render_html, write_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = REPO_DIR / "out" / "test-artifacts"
R = "https://w3id.org/mskg/resource/"
M = "https://w3id.org/mskg/ontology/"
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>window.pwned=1</script>"
HOSTILE_RELATION = "<img src=y onerror=alert(5)> relation"
# Not a valid IRI, but rdflib takes it, and a graph built in code may hold it.
HOSTILE_IRI = 'https://example.org/"quoted"<b onmouseover=alert(6)>x</b>'
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "chrome-untrusted:", "devtools:")
WIDTH, HEIGHT = 1600, 1000

# On a developer's machine without the browser these tests skip; in CI (CI=true, where .ci/run
# installs it) a missing browser must fail, or a broken install step would pass unnoticed.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()) and not os.environ.get("CI"),
        reason="needs Debian chromium and chromium-driver (/usr/bin/chromium, "
        "/usr/bin/chromedriver); install them with tools/install-browser.sh",
    ),
]

HOSTILE_TTL = f"""
@prefix mskg: <https://w3id.org/mskg/ontology/> .
@prefix mskr: <https://w3id.org/mskg/resource/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <http://schema.org/> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .

mskr:evil a mskg:Drug ;
    rdfs:label "{HOSTILE}"@en ;
    skos:altLabel "{HOSTILE_SCRIPT}"@en ;
    skos:definition "Definition {HOSTILE} {HOSTILE_SCRIPT}"@en ;
    skos:exactMatch <javascript:alert(1)> ;
    mskg:hasSeriousAdverseEffect <https://example.org/it's> ;
    mskg:evilRelation <https://example.org/it's> ;
    prov:wasDerivedFrom mskr:bad-source .
mskg:evilRelation a owl:ObjectProperty ; rdfs:label "{HOSTILE_RELATION}"@en .
mskr:bad-source rdfs:label "source <b onmouseover=alert(3)>x</b>"@en ;
    schema:url "javascript:alert(2)" .
<https://example.org/it's> a mskg:AdverseEffect ; rdfs:label "it's <svg onload=alert(4)>"@en .
"""


def hostile_graph() -> Graph:
    g = Graph().parse(data=HOSTILE_TTL, format="turtle")
    odd = URIRef(HOSTILE_IRI)
    g.add((odd, RDF.type, URIRef(M + "Symptom")))
    g.add((odd, RDFS.label, Literal('odd <iri> "symptom"', lang="en")))
    g.add((URIRef("https://example.org/it's"), URIRef(M + "hasSymptom"), odd))
    return g


def png_colours(path: Path) -> int:
    """How many distinct colours a PNG screenshot has (a small decoder: no Pillow here)."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        chunk = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour_type, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and interlace == 0 and colour_type in (2, 6)
    bpp = 3 if colour_type == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    previous = bytearray(stride)
    colours: set[bytes] = set()
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - bpp] if i >= bpp else 0
            up = previous[i]
            corner = previous[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + left) & 0xFF
            elif kind == 2:
                line[i] = (line[i] + up) & 0xFF
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                pred = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[i] = (line[i] + pred) & 0xFF
        if y % 4 == 0:
            colours.update(bytes(line[i : i + 3]) for i in range(0, stride, bpp * 2))
        previous = line
    return len(colours)


@pytest.fixture(scope="module")
def driver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        f"--window-size={WIDTH},{HEIGHT}",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(30)
    # The page itself gets 1600x1000, whatever the headless window's decorations take.
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": WIDTH, "height": HEIGHT, "deviceScaleFactor": 1, "mobile": False},
    )
    try:
        yield browser
    finally:
        browser.quit()


class Page:
    """One loaded page, with what the browser logged while loading it."""

    def __init__(self, driver: Any, path: Path, fragment: str = "") -> None:
        self.driver = driver
        driver.get("about:blank")
        driver.get_log("browser")  # drop what came before
        driver.get_log("performance")
        driver.get(path.resolve().as_uri() + (f"#{fragment}" if fragment else ""))
        deadline = time.monotonic() + 30
        while not driver.execute_script("return window.mskgReady === true"):
            assert time.monotonic() < deadline, "the page did not become ready in 30 s"
            time.sleep(0.05)
        self.console: list[dict[str, Any]] = list(driver.get_log("browser"))
        self.requests: list[str] = []
        self._collect_requests()

    def _collect_requests(self) -> None:
        for entry in self.driver.get_log("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] in ("Network.requestWillBeSent", "Network.webSocketCreated"):
                params = message["params"]
                self.requests.append(params.get("request", {}).get("url") or params.get("url", ""))

    def outside_requests(self) -> list[str]:
        self._collect_requests()
        return [url for url in self.requests if not url.startswith(LOCAL_SCHEMES)]

    def errors(self) -> list[dict[str, Any]]:
        """Console errors and warnings, and vis-network's notes that its layout gave up."""
        self.console.extend(self.driver.get_log("browser"))
        return [
            e
            for e in self.console
            if e.get("level") in ("SEVERE", "WARNING")
            or "clustering didn't succeed" in e.get("message", "")
        ]

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def wait(self, script: str, *args: Any, timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        while not (value := self.js(script, *args)):
            assert time.monotonic() < deadline, f"timed out waiting for: {script}"
            time.sleep(0.05)
        return value

    def settle(self) -> None:
        """Wait until the view has stopped moving and the labels are placed for it: by what
        the page reports, not by a fixed time, so a busy machine only makes it slower."""
        deadline = time.monotonic() + 60
        before = None
        while time.monotonic() < deadline:
            time.sleep(0.25)
            view, placed = self.js(
                "var at = network.getViewPosition();"
                "return [network.getScale() + ':' + Math.round(at.x) + ':' + Math.round(at.y),"
                "        mskgStats.labelsPlacedFor];"
            )
            if view == before and placed == view:
                return
            before = view
        raise AssertionError("the view never came to rest with its labels placed")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.driver.save_screenshot(str(path))
        # Not a blank or half-drawn page: the graph's colours are on it.
        assert png_colours(path) > 40, f"{path} looks blank"
        return path

    def node_on_screen(self, node: str) -> tuple[int, int]:
        """Where ``node`` is, relative to the centre of the canvas (for ActionChains)."""
        x, y, w, h = self.js(
            "var p = network.getPositions([arguments[0]])[arguments[0]];"
            "var c = network.canvasToDOM(p);"
            "var r = document.getElementById('mynetwork').getBoundingClientRect();"
            "return [c.x, c.y, r.width, r.height];",
            node,
        )
        return round(x - w / 2), round(y - h / 2)

    def click_node(self, node: str) -> None:
        from selenium.webdriver.common.action_chains import ActionChains
        from selenium.webdriver.common.by import By

        canvas = self.driver.find_element(By.CSS_SELECTOR, "#mynetwork canvas")
        x, y = self.node_on_screen(node)
        ActionChains(self.driver).move_to_element_with_offset(canvas, x, y).click().perform()
        self.settle()

    def node_labels(self) -> list[dict[str, Any]]:
        """The node labels in view, each with the box vis-network drew it in and whether it is
        drawn (not transparent: left out for want of room, or dimmed)."""
        return self.js(
            "var r = document.getElementById('mynetwork').getBoundingClientRect();"
            "var tl = network.DOMtoCanvas({x: 0, y: 0});"
            "var br = network.DOMtoCanvas({x: r.width, y: r.height});"
            "return nodes.get({filter: n => !n.hidden}).map(n => {"
            "  var b = network.body.nodes[n.id], s = b.labelModule.size;"
            "  return {id: n.id, label: n.label,"
            "          drawn: b.labelModule.fontOptions.color !== 'rgba(0,0,0,0)',"
            "          box: [s.left, s.top, s.left + s.width, s.top + s.height]}; })"
            ".filter(l => l.box[2] > l.box[0]"
            "  && l.box[2] > tl.x && l.box[0] < br.x && l.box[3] > tl.y && l.box[1] < br.y)"
        )

    def labelled_edges(self) -> list[dict[str, Any]]:
        """The edges whose label vis-network draws (it skips labels under 4 px on screen)."""
        return self.js(
            "var scale = network.getScale();"
            "return edges.get().filter(e => {"
            "  var b = network.body.edges[e.id];"
            "  return b.options.label !== undefined && !b.options.hidden"
            "    && b.labelModule.fontOptions.size * scale >= 4; })"
            ".map(e => {"
            "  var s = network.body.edges[e.id].labelModule.size;"
            "  return {id: e.id, from: e.from, to: e.to, label: e.label,"
            "          box: [s.left, s.top, s.left + s.width, s.top + s.height]}; })"
        )


def overlap(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return not (
        a["box"][2] <= b["box"][0]
        or b["box"][2] <= a["box"][0]
        or a["box"][3] <= b["box"][1]
        or b["box"][3] <= a["box"][1]
    )


def assert_no_stacked_labels(labels: list[dict[str, Any]]) -> None:
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            assert not overlap(a, b), f"labels overlap: {a['label']!r} and {b['label']!r}"


@pytest.fixture(scope="module")
def curated(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    network = build_network(graph)  # what mskg viz draws: to_networkx's, with source layers
    path = tmp_path_factory.mktemp("viz") / "mskg.html"
    write_html(render_html(network, title="mskg (browser test)"), path)
    return path, network.number_of_nodes(), network.number_of_edges()


@pytest.fixture(scope="module")
def curated_page(driver: Any, curated: tuple[Path, int, int]) -> Page:
    return Page(driver, curated[0])


def test_curated_graph_opens_clean_and_complete(
    curated_page: Page, curated: tuple[Path, int, int]
) -> None:
    page = curated_page
    _, n_nodes, n_edges = curated
    assert page.errors() == []
    assert page.outside_requests() == []
    assert page.js("return nodes.length") == n_nodes
    assert page.js("return edges.length") == n_edges
    # What vis-network actually drew, not only what it was given.
    assert page.js("return network.body.nodeIndices.length") == n_nodes
    assert page.js("return network.body.edgeIndices.length") == n_edges
    assert page.js("return Object.keys(network.getPositions()).length") == n_nodes
    assert page.js("return mskgStats.readyMs") is not None  # the page said it was ready
    legend = page.js(
        "return Array.from(document.querySelectorAll('#mskg-classes label'))"
        ".map(l => l.textContent)"
    )
    assert any("adverse effect" in row for row in legend)
    assert any("disease-modifying therapy" in row for row in legend)
    edge_legend = page.js(
        "return Array.from(document.querySelectorAll('#mskg-edge-legend .mskg-legend-row'))"
        ".map(l => l.textContent)"
    )
    assert edge_legend == [
        "serious adverse effect",
        "serious, can be fatal",
        "common adverse effect",
        "other relation",
    ]
    relations = page.js(
        "return Array.from(document.querySelectorAll('#mskg-relations label'))"
        ".map(l => l.textContent)"
    )
    assert any(row.startswith("is a kind of") for row in relations)
    # One switch per layer of the graph (the article's and the labels', at least).
    layers = page.js(
        "return Array.from(document.querySelectorAll('#mskg-layers input'))"
        ".map(i => i.dataset.layer)"
    )
    assert {"article", "label"} <= set(layers)
    page.screenshot("viz-curated.png")
    shutil.copy(curated[0], ARTIFACTS / "viz-curated.html")


def test_layout_really_settled(curated_page: Page) -> None:
    page = curated_page
    stats = page.js("return mskgStats")
    assert stats["iterations"] > 0  # physics ran...
    assert stats["converged"] is True  # ...and came to rest before the step limit
    assert page.js("return network.physics.options.enabled") is False  # then froze
    before = page.js("return network.getPositions()")
    time.sleep(0.5)
    assert page.js("return network.getPositions()") == before
    # Spread out: no two nodes on top of each other.
    points = list(before.values())
    close = [
        (a, b)
        for i, a in enumerate(points)
        for b in points[i + 1 :]
        if abs(a["x"] - b["x"]) < 5 and abs(a["y"] - b["y"]) < 5
    ]
    assert close == []


def test_labels_are_readable_at_the_whole_graph_view(curated_page: Page) -> None:
    page = curated_page
    page.js("mskgClearSelection(); network.fit()")
    page.settle()
    scale = page.js("return network.getScale()")
    assert scale < 0.9  # the whole graph does not fit at full size...
    sizes = page.js(
        "return nodes.getIds().map(id => network.body.nodes[id].labelModule.fontOptions.size)"
    )
    assert min(sizes) * scale >= 10.9  # ...yet no label is drawn smaller than 11 px
    assert page.labelled_edges() == []  # and no clutter of edge labels
    # Nor a pile of node labels: those drawn cover none of the others. The treatments' come
    # first: one is left out only where it would cover another treatment's; the rest wait for
    # a zoom that makes room.
    labels = page.node_labels()
    drawn = [label for label in labels if label["drawn"]]
    assert_no_stacked_labels(drawn)
    assert page.js("return mskgStats.nodeLabels") == len(drawn)
    assert len(drawn) > len(labels) / 3
    treatments = set(
        page.js(
            "return nodes.get({filter: n => ['dmt', 'relapse', 'treatment'].includes(n.cls)})"
            ".map(n => n.id)"
        )
    )
    assert {R + "natalizumab", R + "ublituximab", R + "plasmapheresis"} <= treatments
    drawn_treatments = [label for label in drawn if label["id"] in treatments]
    for label in labels:
        if label["id"] in treatments and not label["drawn"]:
            assert any(overlap(label, other) for other in drawn_treatments), label["label"]
    # A node whose label was left out shows it once selected.
    left_out = sorted(label["id"] for label in labels if not label["drawn"])
    assert left_out
    node = left_out[0]
    page.js("mskgSelect(arguments[0], {zoom: false})", node)
    page.settle()
    assert node in {label["id"] for label in page.node_labels() if label["drawn"]}
    page.js("mskgClearSelection()")
    page.settle()
    page.screenshot("viz-whole-graph.png")


def test_search_finds_a_drug_by_brand_name(curated_page: Page) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = curated_page
    box = page.driver.find_element(By.ID, "mskg-search")
    box.clear()
    box.send_keys("tysab")
    results = page.js(
        "return Array.from(document.querySelectorAll('#mskg-results li')).map(l => l.dataset.node)"
    )
    assert results[0] == R + "natalizumab"
    box.send_keys(Keys.ENTER)
    assert page.js("return network.getSelectedNodes()") == [R + "natalizumab"]
    panel = page.js("return document.getElementById('mskg-details').innerText")
    assert panel.lstrip("×\n ").startswith("natalizumab")
    assert "Tysabri" in panel
    assert "28 days" in panel  # dosing, from the regimen's phase
    assert "progressive multifocal leukoencephalopathy" in panel
    links = page.js(
        "return Array.from(document.querySelectorAll('#mskg-details a')).map(a => a.href)"
    )
    assert any("drugbank" in href for href in links)
    page.settle()  # let the zoom to the neighbourhood finish for the screenshot
    page.screenshot("viz-search-natalizumab.png")
    assert page.outside_requests() == []
    assert page.errors() == []


def test_clicking_a_node_highlights_its_neighbourhood(curated_page: Page) -> None:
    page = curated_page
    page.js("mskgClearSelection(); network.fit()")
    page.settle()
    scale = page.js("return network.getScale()")
    page.click_node(R + "natalizumab")
    assert page.js("return network.getSelectedNodes()") == [R + "natalizumab"]
    assert page.js("return document.getElementById('mskg-details').dataset.node") == (
        R + "natalizumab"
    )
    assert page.js("return network.getScale()") > scale  # zoomed in on the neighbourhood
    neighbours = set(page.js("return network.getConnectedNodes(arguments[0])", R + "natalizumab"))
    opacity = page.js(
        "var o = {}; nodes.forEach(n => { o[n.id] = n.opacity === undefined ? 1 : n.opacity; });"
        "return o;"
    )
    assert opacity[R + "natalizumab"] == 1
    assert all(opacity[n] == 1 for n in neighbours)
    dimmed = [n for n, value in opacity.items() if value < 1]
    assert dimmed and not set(dimmed) & (neighbours | {R + "natalizumab"})
    # Its relations are labelled, and only its: none stacked on another.
    labelled = page.labelled_edges()
    assert len(labelled) >= 5
    assert all(R + "natalizumab" in (e["from"], e["to"]) for e in labelled)
    assert_no_stacked_labels(labelled)
    page.screenshot("viz-click-natalizumab.png")
    # Zoomed in, every edge in view shows its relation where there is room, still unstacked.
    page.js("mskgClearSelection()")
    page.js(
        "var at = network.getPositions([arguments[0]])[arguments[0]];"
        "network.moveTo({scale: 1.0, position: at})",
        R + "alemtuzumab",
    )
    page.settle()
    labelled = page.labelled_edges()
    assert len(labelled) >= 8
    assert_no_stacked_labels(labelled)
    page.screenshot("viz-zoom-alemtuzumab.png")
    page.js("mskgClearSelection(); network.fit()")
    assert page.errors() == []


def test_filters_hide_a_class_and_a_relation(curated_page: Page) -> None:
    page = curated_page
    total = page.js("return network.body.nodeIndices.length")
    effects = page.js("return nodes.get({filter: n => n.cls === 'adverse'}).length")
    assert effects > 10
    page.js("document.querySelector(\"input[data-class='adverse']\").click()")
    assert page.js("return network.body.nodeIndices.length") == total - effects
    assert page.js("return nodes.get({filter: n => n.cls === 'adverse' && !n.hidden}).length") == 0
    page.screenshot("viz-filter-no-adverse-effects.png")
    page.js("document.querySelector(\"input[data-class='adverse']\").click()")
    assert page.js("return network.body.nodeIndices.length") == total

    rel = M + "hasCommonAdverseEffect"
    common = page.js("return edges.get({filter: e => e.rel === arguments[0]}).length", rel)
    before = page.js("return network.body.edgeIndices.length")
    page.js(f"document.querySelector(\"input[data-relation='{rel}']\").click()")
    assert page.js("return network.body.edgeIndices.length") == before - common
    page.js(f"document.querySelector(\"input[data-relation='{rel}']\").click()")
    assert page.js("return network.body.edgeIndices.length") == before
    assert page.errors() == []


def test_effect_matrix_from_the_hash_sorts_and_shows_symptoms(
    curated_page: Page, curated: tuple[Path, int, int]
) -> None:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    views = page_views(curated[0])
    matrix = views["matrix"]
    page = curated_page  # the network is laid out: the hash brings the matrix over it
    driver = page.driver
    if not driver.current_url.startswith(curated[0].resolve().as_uri()):
        page = Page(driver, curated[0])  # another test's page came in between
    page.js("mskgClearSelection(); location.hash = 'matrix'")
    page.wait("return mskgViews.shown === 'matrix'")
    assert page.js("return mskgViews.shown") == "matrix"
    assert page.js("return document.getElementById('mskg-view-matrix').hidden") is False
    assert (
        page.js("return document.getElementById('mskg-tab-matrix').getAttribute('aria-selected')")
        == "true"
    )
    rows = page.js(
        "return Array.from(document.querySelectorAll('#mskg-matrix tbody tr'))"
        ".map(r => r.dataset.effect)"
    )
    assert sorted(rows) == sorted(e["id"] for e in matrix["effects"])
    heads = page.js(
        "return Array.from(document.querySelectorAll('#mskg-matrix th.mskg-treatment-col'))"
        ".map(t => t.textContent)"
    )
    assert heads == [t["label"] for t in matrix["treatments"]]
    assert page.js("return document.querySelectorAll('#mskg-matrix td[data-marks]').length") == len(
        matrix["cells"]
    )
    fatal = sum(1 for *_, marks in matrix["cells"] if "fatal" in marks)
    assert (
        page.js("return document.querySelectorAll('#mskg-matrix td.mskg-level-fatal').length")
        == fatal
    )
    # Readable without colour: the cell's text and its accessible name say what it is.
    t = [x["label"] for x in matrix["treatments"]].index("natalizumab")
    pml = page.js(
        "var td = document.querySelector('#mskg-matrix tr[data-effect=\"' + arguments[0] + '\"]')"
        ".children[2 + arguments[1]]; return [td.textContent, td.getAttribute('aria-label')];",
        R + "pml",
        t,
    )
    assert pml[0].startswith("† S")
    assert "serious (article + label)" in pml[1] and "potentially fatal (article + label)" in pml[1]
    # Sorting: by count (the first view), by name, by a treatment's most serious effects.
    counts = page.js(
        "return Array.from(document.querySelectorAll('#mskg-matrix tbody td.mskg-count'))"
        ".map(c => Number(c.textContent))"
    )
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    by_count = page.js("return mskgViews.matrixOrder")
    driver.find_element(By.CSS_SELECTOR, "button[data-sort='name']").click()
    names = page.js(
        "return Array.from(document.querySelectorAll('#mskg-matrix tbody th'))"
        ".map(c => c.textContent)"
    )
    assert (
        names == sorted(names, key=str.lower)
        and page.js("return mskgViews.matrixOrder") != by_count
    )
    driver.find_element(By.CSS_SELECTOR, f"button[data-sort='t{t}']").click()
    levels = page.js(
        "return Array.from(document.querySelectorAll('#mskg-matrix tbody tr'))"
        ".map(r => (r.children[2 + arguments[0]]"
        ".className.match(/mskg-level-(\\w+)/) || [0, 'none'])[1])",
        t,
    )
    rank = ["fatal", "serious", "common", "infusion", "none"]
    assert levels[0] == "fatal" and levels[-1] == "none"
    assert [rank.index(x) for x in levels] == sorted(rank.index(x) for x in levels)
    page.screenshot("viz-matrix.png")
    # Hover an effect: its symptoms, from the graph, in a tooltip (text).
    liver = next(e for e in matrix["effects"] if e["id"] == R + "liver-problems")
    header = driver.find_element(
        By.CSS_SELECTOR, f"#mskg-matrix tr[data-effect='{R}liver-problems'] th"
    )
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", header)
    ActionChains(driver).move_to_element(header).perform()
    page.wait("return !document.getElementById('mskg-view-tip').hidden")
    tip = page.js("return document.getElementById('mskg-view-tip').innerText")
    assert "Symptoms: " + ", ".join(liver["symptoms"]) in tip and "jaundice" in tip
    page.screenshot("viz-matrix-hover.png")
    # Clicking the effect shows it in the network, selected.
    header.click()
    page.wait("return mskgViews.shown === 'graph'")
    assert page.js("return network.getSelectedNodes()") == [R + "liver-problems"]
    assert page.js("return document.getElementById('mskg-view-matrix').hidden") is True
    assert page.errors() == []
    assert page.outside_requests() == []

    # The timeline tab: the hash follows; one lane per treatment with a regimen, marks where
    # the data puts the doses.
    timeline = views["timeline"]
    driver.find_element(By.ID, "mskg-tab-timeline").click()
    page.wait("return mskgViews.shown === 'timeline'")
    assert page.js("return location.hash") == "#timeline"
    lanes = page.js(
        "return Array.from(document.querySelectorAll('#mskg-timeline g.mskg-lane'))"
        ".map(g => g.dataset.treatment)"
    )
    assert lanes == [lane["id"] for lane in timeline["lanes"]]
    left, scale = page.js(
        "var s = document.getElementById('mskg-timeline');"
        " return [Number(s.dataset.left), Number(s.dataset.scale)]"
    )
    for lane in timeline["lanes"]:
        for regimen in lane["regimens"]:
            marks = page.js(
                "var g = document.querySelector("
                "  '#mskg-timeline g.mskg-regimen[data-regimen=\"' + arguments[0] + '\"]');"
                "return Array.from(g.querySelectorAll('rect.mskg-dose'))"
                ".map(r => [Number(r.dataset.day), Number(r.getAttribute('x')) + 2.5]);",
                regimen["id"],
            )
            days = sorted(t for phase in regimen["phases"] for t in phase["times"])
            assert sorted(day for day, _ in marks) == pytest.approx(days)
            for day, x in marks:
                assert x == pytest.approx(left + day * scale, abs=0.01)
    unscheduled = page.js(
        "return Array.from(document.querySelectorAll('.mskg-unscheduled li'))"
        ".map(li => li.textContent)"
    )
    assert unscheduled == [u["label"] for u in timeline["unscheduled"]]
    assert "ublituximab" in unscheduled
    cap = page.js("return document.querySelectorAll('#mskg-timeline .mskg-cap-line').length")
    assert cap == sum(1 for lane in timeline["lanes"] for r in lane["regimens"] if r["cap"])
    page.screenshot("viz-timeline.png")

    # Back to the network, which was laid out beneath all along: no word split in any label.
    driver.find_element(By.ID, "mskg-tab-graph").click()
    page.wait("return mskgViews.shown === 'graph'")
    assert page.js("return location.hash") == "#graph"
    assert page.js("return document.getElementById('mskg-view-timeline').hidden") is True
    page.js("mskgClearSelection(); network.fit()")
    page.settle()
    assert_no_word_split(page)
    assert_no_stacked_labels([x for x in page.node_labels() if x["drawn"]])
    assert page.errors() == []


def test_hostile_labels_stay_text(driver: Any, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    network = to_networkx(hostile_graph())
    path = tmp_path / "hostile.html"
    write_html(render_html(network, title=f"{HOSTILE} {HOSTILE_SCRIPT}"), path)
    page = Page(driver, path)
    assert page.js("return nodes.length") == 3
    assert page.js("return document.getElementById('mskg-title').textContent") == (
        f"{HOSTILE} {HOSTILE_SCRIPT}"
    )
    # A real hover: vis-network's own tooltip shows the label as text.
    page.js("network.fit()")
    page.settle()
    canvas = driver.find_element(By.CSS_SELECTOR, "#mynetwork canvas")
    x, y = page.node_on_screen(R + "evil")
    ActionChains(driver).move_to_element_with_offset(canvas, x, y).perform()
    ActionChains(driver).move_by_offset(1, 1).perform()
    page.wait(
        "var t = document.querySelector('div.vis-tooltip');"
        "return t && getComputedStyle(t).visibility === 'visible'"
    )
    assert page.js("return document.querySelector('div.vis-tooltip b').textContent") == HOSTILE
    tooltip = page.js("return document.querySelector('div.vis-tooltip').innerText")
    assert f"Definition {HOSTILE} {HOSTILE_SCRIPT}" in tooltip
    # Only the elements the page script made: the text made none of its own.
    tags = page.js(
        "return Array.from(document.querySelectorAll('div.vis-tooltip *')).map(e => e.tagName)"
    )
    assert tags == ["DIV", "B", "SPAN", "DIV"]
    page.screenshot("viz-hostile-hover.png")

    box = driver.find_element(By.ID, "mskg-search")
    box.send_keys("img src")
    box.send_keys(Keys.ENTER)
    assert page.js("return network.getSelectedNodes()") == [R + "evil"]
    assert page.js("return document.querySelector('#mskg-details h2').textContent") == HOSTILE
    details = page.js("return document.getElementById('mskg-details').innerText")
    assert HOSTILE_RELATION in details  # the hostile predicate label, as text
    filters = page.js(
        "return Array.from(document.querySelectorAll('#mskg-relations label span'))"
        ".map(s => s.textContent)"
    )
    assert HOSTILE_RELATION in filters
    # The other nodes' details too, including the one whose IRI has quotes and angle brackets.
    page.js("mskgSelect(arguments[0])", "https://example.org/it's")
    assert page.js("return document.querySelector('#mskg-details h2').textContent") == (
        "it's <svg onload=alert(4)>"
    )
    page.js("mskgSelect(arguments[0])", HOSTILE_IRI)
    assert page.js("return document.getElementById('mskg-details').dataset.node") == HOSTILE_IRI
    assert HOSTILE_IRI in page.js("return document.getElementById('mskg-details').innerText")
    page.js("mskgSelect(arguments[0])", R + "evil")
    page.settle()
    page.screenshot("viz-hostile.png")
    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert.text
    assert page.js("return window.pwned") is None
    injected = "img, svg[onload], b[onmouseover], b[onmouseover] *, script[src]"
    assert page.js(f"return document.querySelectorAll('{injected}').length") == 0
    hrefs = page.js("return Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert not [h for h in hrefs if not h.startswith(("http:", "https:"))]
    assert page.errors() == []
    assert page.outside_requests() == []


def test_pages_made_by_the_command(driver: Any, tmp_path: Path) -> None:
    """`mskg viz --focus` opens on the drug, selected, with its details; `--query` draws the
    CONSTRUCT result; a query that matches nothing says so instead of laying out forever."""
    focus = tmp_path / "tysabri.html"
    assert main(["viz", "--graph", str(GRAPH_DIR), "-o", str(focus), "--focus", "Tysabri"]) == 0
    page = Page(driver, focus)
    assert page.js("return network.getSelectedNodes()") == [R + "natalizumab"]
    assert page.js("return document.getElementById('mskg-details').dataset.node") == (
        R + "natalizumab"
    )
    assert "Tysabri" in page.js("return document.getElementById('mskg-details').innerText")
    assert page.js("return mskgStats.converged") is True
    # The whole neighbourhood is in view, beside the details panel.
    panel_left = page.js(
        "return document.getElementById('mskg-details').getBoundingClientRect().left"
    )
    canvas_left = page.js(
        "return document.getElementById('mynetwork').getBoundingClientRect().left"
    )
    xs = page.js(
        "var p = network.getPositions();return Object.keys(p).map(k => network.canvasToDOM(p[k]).x)"
    )
    assert all(0 <= x <= panel_left - canvas_left for x in xs)
    page.settle()
    page.screenshot("viz-command-focus.png")
    assert page.errors() == []
    assert page.outside_requests() == []

    rq = tmp_path / "serious.rq"
    rq.write_text(
        "PREFIX mskg: <https://w3id.org/mskg/ontology/>\n"
        "CONSTRUCT { ?d mskg:hasSeriousAdverseEffect ?e } "
        "WHERE { ?d mskg:hasSeriousAdverseEffect ?e }\n"
    )
    serious = tmp_path / "serious.html"
    assert main(["viz", "--graph", str(GRAPH_DIR), "-o", str(serious), "--query", str(rq)]) == 0
    page = Page(driver, serious)
    severities = page.js("return Array.from(new Set(edges.map(e => e.severity)))")
    assert severities == ["serious"]
    assert page.js("return nodes.length") > 10
    page.screenshot("viz-command-query.png")
    assert page.errors() == []

    rq.write_text("CONSTRUCT { ?s ?p ?o } WHERE { ?s a <https://example.org/Nothing> ; ?p ?o }")
    nothing = tmp_path / "nothing.html"
    assert main(["viz", "--graph", str(GRAPH_DIR), "-o", str(nothing), "--query", str(rq)]) == 0
    page = Page(driver, nothing)  # becomes ready (it used to wait for a layout forever)
    assert page.js("return mskgStats.empty") is True
    message = page.js("return document.getElementById('mskg-loading').innerText")
    assert message.startswith("Nothing to draw")
    assert (
        page.js("return getComputedStyle(document.getElementById('mskg-loading')).display")
        != "none"
    )
    assert page.errors() == []


# --- source layers -------------------------------------------------------------------------------

LAYERS_FIXTURE = REPO_DIR / "tests" / "fixtures" / "viz" / "layers.ttl"
DRUG = R + "fixturumab"
BOXED = R + "label-boxed-warning-fixturumab-pml"
LABEL_ONLY_NODES = [BOXED, R + "fixture-cd20", R + "fixture-rems", R + "fixture-cbc"]


def edge_id(page: Page, source: str, target: str) -> str:
    found = page.js(
        "return edges.get({filter: e => e.from === arguments[0] && e.to === arguments[1]})"
        ".map(e => e.id)",
        source,
        target,
    )
    assert len(found) == 1, (source, target, found)
    return str(found[0])


def shown_edges(page: Page) -> set[str]:
    return set(page.js("return edges.get({filter: e => !e.hidden}).map(e => e.id)"))


def shown_nodes(page: Page) -> set[str]:
    return set(page.js("return nodes.get({filter: n => !n.hidden}).map(n => n.id)"))


@pytest.fixture(scope="module")
def layers_page(driver: Any, tmp_path_factory: pytest.TempPathFactory) -> Page:
    graph = Graph().parse(GRAPH_DIR / "ontology.ttl").parse(LAYERS_FIXTURE)
    path = tmp_path_factory.mktemp("viz-layers") / "layers.html"
    write_html(render_html(build_network(graph), title="mskg layers (browser test)"), path)
    return Page(driver, path)


def test_layers_are_drawn_apart_with_their_legend(layers_page: Page) -> None:
    page = layers_page
    assert page.errors() == []
    assert page.outside_requests() == []
    switches = page.js(
        "return Array.from(document.querySelectorAll('#mskg-layers label'))"
        ".map(l => [l.querySelector('input').dataset.layer, l.textContent, l.title])"
    )
    assert switches == [
        ["article", "article layer4", "The patient-facing article."],
        ["label", "label layer15", "The US prescribing information."],
    ]
    legend = page.js(
        "return Array.from(document.querySelectorAll('#mskg-layer-legend .mskg-legend-row'))"
        ".map(l => l.textContent)"
    )
    assert legend == [
        "article only",
        "label only",
        "article and label",
        "other sources (always shown)",
        "node from the label only",
    ]
    # Label-only edges are dash-dotted, article-only and other ones plain; those both sources give
    # are plain on a halo, and their tooltip names both.
    label_only = edge_id(page, DRUG, BOXED)
    article_only = edge_id(page, DRUG, R + "fixture-headache")
    both = edge_id(page, DRUG, R + "fixture-pml")
    other = edge_id(page, DRUG, R + "fixture-antibody-class")
    look = page.js(
        "var o = {}; arguments[0].forEach(id => { var e = network.body.edges[id].options;"
        "  o[id] = [e.dashes, e.background.enabled]; }); return o;",
        [label_only, article_only, both, other],
    )
    assert look[label_only] == [[10, 3, 2, 3], False]
    assert look[article_only] == [[6, 4], False]  # a common effect's own dashes
    assert look[both] == [False, True]
    assert look[other] == [False, False]
    tip = page.js("return edges.get(arguments[0]).title.innerText", both)
    assert "from: article + label" in tip
    # Nodes only the label gives have a dashed outline; the others a plain one.
    dashes = page.js(
        "var o = {}; nodes.forEach(n => { o[n.id] ="
        "  network.body.nodes[n.id].options.shapeProperties.borderDashes; }); return o;"
    )
    assert all(dashes[n] for n in LABEL_ONLY_NODES)
    assert not dashes[DRUG] and not dashes[R + "fixture-pml"]
    page.js("mskgSelect(arguments[0], {zoom: false})", BOXED)
    assert page.js("return document.querySelector('#mskg-details .mskg-layers').textContent") == (
        "label"
    )
    page.js("mskgClearSelection(); network.fit()")
    page.settle()
    page.screenshot("viz-layers.png")


def test_switching_the_label_layer_off_and_on(layers_page: Page) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    page = layers_page
    all_edges, all_nodes = shown_edges(page), shown_nodes(page)
    label_only = edge_id(page, DRUG, BOXED)
    both = edge_id(page, DRUG, R + "fixture-pml")
    other = edge_id(page, DRUG, R + "fixture-antibody-class")
    box = page.driver.find_element(By.CSS_SELECTOR, "input[data-layer='label']")
    assert box.accessible_name.startswith("label layer")  # its label names it
    assert box.is_selected()
    box.click()
    assert not box.is_selected()
    edges_now, nodes_now = shown_edges(page), shown_nodes(page)
    assert label_only not in edges_now
    assert {both, other} <= edges_now  # both sources, and no layered source, stay
    assert len(edges_now) == len(all_edges) - 13  # 14 label edges, one also the article's
    # Nodes left with no edge: the label's, and the article's cell only the label links.
    assert not (set(LABEL_ONLY_NODES) | {R + "fixture-b-cell", M + "Periodically"}) & nodes_now
    assert {DRUG, R + "fixture-pml", R + "fixture-relapsing-ms"} <= nodes_now
    # What vis-network draws, not only the data set.
    assert page.js("return network.body.nodeIndices.length") == len(nodes_now)
    page.screenshot("viz-layers-no-label.png")
    # Keyboard: focus the switch and press space.
    box.send_keys(Keys.SPACE)
    assert box.is_selected()
    assert page.js("return document.activeElement.dataset.layer") == "label"
    assert shown_edges(page) == all_edges and shown_nodes(page) == all_nodes

    # The article switched off: its common effect goes, the drug stays for its label facts.
    article = page.driver.find_element(By.CSS_SELECTOR, "input[data-layer='article']")
    article.click()
    edges_now, nodes_now = shown_edges(page), shown_nodes(page)
    assert edge_id(page, DRUG, R + "fixture-headache") not in edges_now
    assert R + "fixture-headache" not in nodes_now and R + "fixture-ms" not in nodes_now
    assert {label_only, both, other} <= edges_now and DRUG in nodes_now
    article.click()
    assert shown_edges(page) == all_edges

    # Choosing a hidden node (search) switches its layer back on.
    box.click()
    assert BOXED not in shown_nodes(page)
    page.js("mskgSelect(arguments[0], {zoom: false})", BOXED)
    assert box.is_selected() and BOXED in shown_nodes(page)
    assert shown_edges(page) == all_edges
    page.js("mskgClearSelection()")
    assert page.errors() == []


def test_hostile_layer_names_stay_text(driver: Any, tmp_path: Path) -> None:
    graph = Graph().parse(GRAPH_DIR / "ontology.ttl").parse(LAYERS_FIXTURE)
    layer = URIRef(R + "layer-label")
    for p in (RDFS.label, SKOS.notation, SKOS.definition, SKOS.altLabel):
        graph.remove((layer, p, None))
    graph.add((layer, RDFS.label, Literal(HOSTILE, lang="en")))
    graph.add((layer, SKOS.notation, Literal(HOSTILE_SCRIPT)))
    graph.add((layer, SKOS.definition, Literal(f"def {HOSTILE}", lang="en")))
    path = tmp_path / "hostile-layers.html"
    write_html(render_html(build_network(graph)), path)
    page = Page(driver, path)
    names = page.js(
        "return Array.from(document.querySelectorAll('#mskg-layers label span:not(.mskg-count)'))"
        ".map(s => s.textContent)"
    )
    assert HOSTILE in names
    legend = page.js(
        "return Array.from(document.querySelectorAll('#mskg-layer-legend span'))"
        ".map(s => s.textContent)"
    )
    assert f"{HOSTILE_SCRIPT} only" in legend
    tip = page.js(
        "return edges.get(arguments[0]).title.innerText", edge_id(page, DRUG, R + "fixture-pml")
    )
    assert f"article + {HOSTILE_SCRIPT}" in tip
    # The switch still works, found by its hostile key.
    page.js(
        "document.querySelector('input[data-layer=\"' + CSS.escape(arguments[0]) + '\"]').click()",
        HOSTILE_SCRIPT,
    )
    assert BOXED not in shown_nodes(page)
    assert page.js("return window.pwned") is None
    assert page.js("return document.querySelectorAll('img, script[src]').length") == 0
    assert page.errors() == []


# --- the views beside the network (effect matrix, dosing timeline) ----------------------------


def page_views(path: Path) -> dict[str, Any]:
    """The views data the page was given (mskg.viz.views, through build_network)."""
    from test_viz import embedded_data

    views = embedded_data(path.read_text(encoding="utf-8"))["views"]
    assert views is not None
    return dict(views)


def label_lines(page: Page) -> list[dict[str, Any]]:
    """Each node's label and the lines vis-network wrapped it into."""
    return page.js(
        "return nodes.get().map(n => { var lm = network.body.nodes[n.id].labelModule;"
        "  var lines = Array.isArray(lm.lines) ? lm.lines : (lm.lines && lm.lines.lines) || [];"
        "  return {id: n.id, label: n.label,"
        "          lines: lines.map(l => (l.blocks || []).map(b => b.text).join(''))}; })"
    )


def assert_no_word_split(page: Page) -> None:
    lines = label_lines(page)
    assert sum(1 for x in lines if len(x["lines"]) > 1) > 10  # long labels do wrap
    for x in lines:
        assert " ".join(x["lines"]).split() == x["label"].split(), (x["label"], x["lines"])


def test_two_hop_focus_labels_its_outer_nodes(driver: Any, graph: Graph, tmp_path: Path) -> None:
    import networkx as nx

    path = tmp_path / "two-hops.html"
    assert (
        main(
            [
                "viz",
                "--graph",
                str(GRAPH_DIR),
                "-o",
                str(path),
                "--focus",
                "natalizumab",
                "--hops",
                "2",
            ]
        )
        == 0
    )
    network = build_network(graph, focus="natalizumab", hops=2)
    distance = nx.single_source_shortest_path_length(
        network.to_undirected(as_view=True), R + "natalizumab"
    )
    outer = {n for n, d in distance.items() if d == 2}
    assert len(outer) > 30
    page = Page(driver, path)
    page.settle()
    assert page.js("return network.getSelectedNodes()") == [R + "natalizumab"]
    # Nothing of the drawn neighbourhood is dimmed.
    dimmed = page.js("return nodes.get({filter: n => n.opacity === 0.2}).map(n => n.id)")
    assert dimmed == []
    labels = page.node_labels()
    drawn = [x for x in labels if x["drawn"]]
    assert_no_stacked_labels(drawn)
    labelled_outer = {x["id"] for x in drawn} & outer
    # Most of the outer ring has its label; the rest are left out only for want of room.
    assert len(labelled_outer) >= 0.6 * len(outer), (len(labelled_outer), len(outer))
    assert_no_word_split(page)
    page.screenshot("viz-focus-two-hops.png")
    # The rest wait for room: zoomed in on one of them, it is labelled, still without overlaps.
    left_out = sorted(outer - labelled_outer)
    for node in left_out[:3]:
        page.js(
            "var at = network.getPositions([arguments[0]])[arguments[0]];"
            "network.moveTo({scale: 2.0, position: at})",
            node,
        )
        page.settle()
        zoomed = [x for x in page.node_labels() if x["drawn"]]
        assert node in {x["id"] for x in zoomed}, node
        assert_no_stacked_labels(zoomed)
    assert page.errors() == []
    assert page.outside_requests() == []


def test_hostile_names_stay_text_in_the_views(driver: Any, graph: Graph, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    hostile = hostile_graph()
    hostile.parse(GRAPH_DIR / "ontology.ttl")
    path = tmp_path / "hostile-views.html"
    write_html(render_html(build_network(hostile)), path)
    page = Page(driver, path, "matrix")
    heads = page.js(
        "return Array.from(document.querySelectorAll('#mskg-matrix th.mskg-treatment-col'))"
        ".map(t => t.textContent)"
    )
    assert heads == [HOSTILE]
    rows = page.js(
        "return Array.from(document.querySelectorAll('#mskg-matrix tbody th'))"
        ".map(t => t.textContent)"
    )
    assert rows == ["it's <svg onload=alert(4)>"]
    header = driver.find_element(By.CSS_SELECTOR, "#mskg-matrix tbody th")
    ActionChains(driver).move_to_element(header).perform()
    page.wait("return !document.getElementById('mskg-view-tip').hidden")
    assert 'odd <iri> "symptom"' in page.js(
        "return document.getElementById('mskg-view-tip').innerText"
    )
    page.screenshot("viz-views-hostile.png")
    page.js("location.hash = 'timeline'")
    page.wait("return mskgViews.shown === 'timeline'")
    assert page.js(
        "return Array.from(document.querySelectorAll('.mskg-unscheduled li'))"
        ".map(li => li.textContent)"
    ) == [HOSTILE]
    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert.text
    assert page.js("return window.pwned") is None
    assert page.js("return document.querySelectorAll('img, svg[onload], script[src]').length") == 0
    assert page.errors() == []
    assert page.outside_requests() == []
