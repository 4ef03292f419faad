"""The viz page as a person uses it, in headless Debian Chromium driven by Selenium.

Checks: no console errors, no request to any outside host, as many nodes and edges on the page as
mskg.to_networkx gives for the curated graph, search finds a drug (by brand name), filtering hides
a class and a relation, and a hostile label stays text. Screenshots are kept under
out/test-artifacts/ (ignored by git) for a person to look at.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph

from conftest import REPO_DIR
from mskg.netx import to_networkx
from mskg.viz import render_html, write_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = REPO_DIR / "out" / "test-artifacts"
R = "https://w3id.org/mskg/resource/"
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_SCRIPT = "</script><script>window.pwned=1</script>"
LOCAL_SCHEMES = ("file:", "data:", "blob:", "about:", "chrome:", "chrome-untrusted:", "devtools:")

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

mskr:evil a mskg:Drug ;
    rdfs:label "{HOSTILE}"@en ;
    skos:altLabel "{HOSTILE_SCRIPT}"@en ;
    skos:definition "Definition {HOSTILE} {HOSTILE_SCRIPT}"@en ;
    skos:exactMatch <javascript:alert(1)> ;
    mskg:hasSeriousAdverseEffect <https://example.org/it's> ;
    prov:wasDerivedFrom mskr:bad-source .
mskr:bad-source rdfs:label "source <b onmouseover=alert(3)>x</b>"@en ;
    schema:url "javascript:alert(2)" .
<https://example.org/it's> a mskg:AdverseEffect ; rdfs:label "it's <svg onload=alert(4)>"@en .
"""


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
        "--window-size=1500,950",
        f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(30)
    try:
        yield browser
    finally:
        browser.quit()


class Page:
    """One loaded page, with what the browser logged while loading it."""

    def __init__(self, driver: Any, path: Path) -> None:
        self.driver = driver
        driver.get("about:blank")
        driver.get_log("browser")  # drop what came before
        driver.get_log("performance")
        driver.get(path.resolve().as_uri())
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
        self.console.extend(self.driver.get_log("browser"))
        return [e for e in self.console if e.get("level") == "SEVERE"]

    def js(self, script: str, *args: Any) -> Any:
        return self.driver.execute_script(script, *args)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.driver.save_screenshot(str(path))
        return path


@pytest.fixture(scope="module")
def curated(graph: Graph, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int, int]:
    network = to_networkx(graph)
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
    ready_ms = page.js("return mskgStats.readyMs")
    assert ready_ms < 15000
    assert page.js("return network.physics.options.enabled") is False  # settled and frozen
    legend = page.js(
        "return Array.from(document.querySelectorAll('#mskg-classes label'))"
        ".map(l => l.textContent)"
    )
    assert any("adverse effect" in row for row in legend)
    assert any("disease-modifying therapy" in row for row in legend)
    page.screenshot("viz-curated.png")
    shutil.copy(curated[0], ARTIFACTS / "viz-curated.html")


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
    assert panel.startswith("natalizumab")
    assert "Tysabri" in panel
    assert "28 days" in panel  # dosing, from the regimen's phase
    assert "progressive multifocal leukoencephalopathy" in panel
    links = page.js(
        "return Array.from(document.querySelectorAll('#mskg-details a')).map(a => a.href)"
    )
    assert any("drugbank" in href for href in links)
    time.sleep(0.5)  # let the focus animation finish for the screenshot
    page.screenshot("viz-search-natalizumab.png")
    assert page.outside_requests() == []
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

    rel = "https://w3id.org/mskg/ontology/hasCommonAdverseEffect"
    common = page.js("return edges.get({filter: e => e.rel === arguments[0]}).length", rel)
    before = page.js("return network.body.edgeIndices.length")
    page.js(f"document.querySelector(\"input[data-relation='{rel}']\").click()")
    assert page.js("return network.body.edgeIndices.length") == before - common
    page.js(f"document.querySelector(\"input[data-relation='{rel}']\").click()")
    assert page.js("return network.body.edgeIndices.length") == before
    assert page.errors() == []


def test_hostile_labels_stay_text(driver: Any, tmp_path: Path) -> None:
    from selenium.common.exceptions import NoAlertPresentException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    network = to_networkx(Graph().parse(data=HOSTILE_TTL, format="turtle"))
    path = tmp_path / "hostile.html"
    write_html(render_html(network, title=f"{HOSTILE} {HOSTILE_SCRIPT}"), path)
    page = Page(driver, path)
    assert page.js("return nodes.length") == 2
    assert page.js("return document.getElementById('mskg-title').textContent") == (
        f"{HOSTILE} {HOSTILE_SCRIPT}"
    )
    box = driver.find_element(By.ID, "mskg-search")
    box.send_keys("img src")
    box.send_keys(Keys.ENTER)
    assert page.js("return network.getSelectedNodes()") == [R + "evil"]
    assert page.js("return document.querySelector('#mskg-details h2').textContent") == HOSTILE
    # Hover tooltips and the other node's details too.
    page.js("mskgSelect(arguments[0])", "https://example.org/it's")
    assert page.js("return document.querySelector('#mskg-details h2').textContent") == (
        "it's <svg onload=alert(4)>"
    )
    page.js("mskgSelect(arguments[0])", R + "evil")
    page.screenshot("viz-hostile.png")
    time.sleep(0.3)
    with pytest.raises(NoAlertPresentException):
        _ = driver.switch_to.alert.text
    assert page.js("return window.pwned") is None
    assert (
        page.js("return document.querySelectorAll('img, svg[onload], b[onmouseover]').length") == 0
    )
    hrefs = page.js("return Array.from(document.querySelectorAll('a')).map(a => a.href)")
    assert not [h for h in hrefs if not h.startswith(("http:", "https:"))]
    assert page.errors() == []
    assert page.outside_requests() == []
