"""Benchmark mskg viz: build time in Python and time to a settled layout in headless Chromium.

    python bench/bench_viz.py [--runs 3] [--sizes 1000 5000] [--out out/bench]

For the curated graph and for synthetic graphs of N nodes (an RDF graph shaped like an imported
side-effect table: drugs, their common and serious effects with association nodes, symptoms),
it reports the time for ``to_networkx`` and ``render_html`` (which includes the precomputed
layout above the physics threshold; ``layout_s`` is that layout alone), the page size, and the
time from navigation start to the page's ``mskgReady`` (physics stabilised and frozen, or first
drawing when positions were precomputed), as the median of ``--runs`` page loads in a
1600x1000 viewport, with the physics steps taken and whether the layout came to rest before the
step limit. Also one row with physics forced on for the first synthetic size, to show why the
threshold exists. Results go to stdout and to ``OUT/bench-viz.json``; a screenshot per graph
to ``OUT/``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef

from mskg.graph.loader import load_graph
from mskg.graph.network import to_networkx
from mskg.viz.layout import DEFAULT_PHYSICS_THRESHOLD, layout_positions
from mskg.viz.page import render_html, write_html

MSKG = Namespace("https://w3id.org/mskg/ontology/")
SYN = Namespace("https://example.org/bench/")
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")


def synthetic_graph(n_nodes: int, seed: int = 1) -> Graph:
    """About ``n_nodes`` drawn nodes: 5% drugs, 80% effects, 15% symptoms."""
    rng = random.Random(seed)
    g = Graph()
    n_drugs = max(2, n_nodes // 20)
    n_symptoms = max(2, n_nodes * 15 // 100)
    n_effects = max(2, n_nodes - n_drugs - n_symptoms)
    g.add((SYN.source, RDFS.label, Literal("synthetic source")))
    effects = [SYN[f"effect-{i}"] for i in range(n_effects)]
    symptoms = [SYN[f"symptom-{i}"] for i in range(n_symptoms)]
    for i, e in enumerate(effects):
        g.add((e, RDF.type, MSKG.AdverseEffect))
        g.add((e, RDFS.label, Literal(f"effect {i}", lang="en")))
    for i, s in enumerate(symptoms):
        g.add((s, RDF.type, MSKG.Symptom))
        g.add((s, RDFS.label, Literal(f"symptom {i}", lang="en")))
    for i, e in enumerate(effects):
        g.add((e, MSKG.hasSymptom, symptoms[i % n_symptoms]))
    for d in range(n_drugs):
        drug = SYN[f"drug-{d}"]
        g.add((drug, RDF.type, MSKG.Drug))
        g.add((drug, RDFS.label, Literal(f"drug {d}", lang="en")))
        # Every effect is used at least once; popular effects are shared by many drugs.
        own = effects[d::n_drugs]
        shared = rng.sample(effects, min(len(effects), 15))
        for k, effect in enumerate(sorted(set(own) | set(shared))):
            predicate = MSKG.hasSeriousAdverseEffect if k % 5 == 0 else MSKG.hasCommonAdverseEffect
            g.add((drug, predicate, effect))
            a = SYN[f"ae-{d}-{k}"]
            g.add((a, RDF.type, MSKG.AdverseEffectAssociation))
            g.add((a, RDF.subject, drug))
            g.add((a, RDF.predicate, predicate))
            g.add((a, RDF.object, effect))
            g.add((a, PROV_DERIVED, SYN.source))
            if k % 10 == 0:
                g.add((a, MSKG.potentiallyFatal, Literal(True)))
    return g


def make_driver(profile: Path) -> Any:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
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
        "--window-size=1600,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    driver.set_page_load_timeout(120)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1600, "height": 1000, "deviceScaleFactor": 1, "mobile": False},
    )
    return driver


def time_page(driver: Any, path: Path, timeout: float = 120.0) -> dict[str, Any]:
    """Milliseconds from navigation start to mskgReady, and the page's layout statistics."""
    driver.get("about:blank")
    driver.get(path.resolve().as_uri())
    deadline = time.monotonic() + timeout
    while not driver.execute_script("return window.mskgReady === true"):
        if time.monotonic() > deadline:
            return {"readyMs": float("nan"), "iterations": None, "converged": None}
        time.sleep(0.02)
    stats: dict[str, Any] = driver.execute_script("return mskgStats")
    return stats


def bench_one(
    name: str, graph: Graph, driver: Any, out: Path, runs: int, threshold: int
) -> dict[str, Any]:
    t0 = time.perf_counter()
    network = to_networkx(graph)
    t1 = time.perf_counter()
    page = render_html(network, title=f"bench: {name}", physics_threshold=threshold)
    t2 = time.perf_counter()
    large = network.number_of_nodes() > threshold
    layout_s = None
    if large:
        t3 = time.perf_counter()
        layout_positions(network)
        layout_s = round(time.perf_counter() - t3, 3)
    path = write_html(page, out / f"bench-{name}.html")
    loads = [time_page(driver, path) for _ in range(runs)]
    driver.save_screenshot(str(out / f"bench-{name}.png"))
    path.unlink()
    ready = [float(load["readyMs"]) for load in loads]
    return {
        "graph": name,
        "nodes": network.number_of_nodes(),
        "edges": network.number_of_edges(),
        "layout": "precomputed, physics off" if large else "physics, then frozen",
        "to_networkx_s": round(t1 - t0, 3),
        "render_s": round(t2 - t1, 3),
        "layout_s": layout_s,
        "html_mb": round(len(page.encode()) / 1e6, 2),
        "browser_ready_ms": round(statistics.median(ready), 0),
        "browser_ready_ms_runs": [round(x, 0) for x in ready],
        "physics_iterations": loads[-1].get("iterations"),
        "physics_converged": loads[-1].get("converged"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 5000])
    parser.add_argument("--out", type=Path, default=Path("out/bench"))
    parser.add_argument("--no-forced-physics", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as profile:
        driver = make_driver(Path(profile))
        try:
            cases: list[tuple[str, Graph, int]] = [
                ("curated", load_graph(), DEFAULT_PHYSICS_THRESHOLD)
            ]
            for size in args.sizes:
                cases.append(
                    (f"synthetic-{size}", synthetic_graph(size), DEFAULT_PHYSICS_THRESHOLD)
                )
            if not args.no_forced_physics and args.sizes:
                size = args.sizes[0]
                cases.append((f"synthetic-{size}-physics", synthetic_graph(size), 10**9))
            for name, graph, threshold in cases:
                row = bench_one(name, graph, driver, args.out, args.runs, threshold)
                rows.append(row)
                physics = (
                    f"{row['physics_iterations']} steps, "
                    + ("at rest" if row["physics_converged"] else "NOT at rest")
                    if row["physics_converged"] is not None
                    else "no physics"
                )
                print(
                    f"{row['graph']:<26} {row['nodes']:>6} nodes {row['edges']:>6} edges  "
                    f"to_networkx {row['to_networkx_s']:>6.2f}s  render {row['render_s']:>6.2f}s  "
                    f"{row['html_mb']:>5.2f} MB  ready {row['browser_ready_ms']:>7.0f} ms  "
                    f"({row['layout']}; {physics})",
                    flush=True,
                )
        finally:
            driver.quit()
    (args.out / "bench-viz.json").write_text(json.dumps(rows, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
