"""Benchmark: the curated graph on two SPARQL endpoints, an Oxigraph server and Virtuoso.

Starts ``oxigraph serve`` (PyPI ``oxigraph``, test extra) and ``virtuoso-t`` (Debian
``virtuoso-opensource``, ``tools/install-virtuoso.sh``; the packaged default ini with its files
in a temporary folder, as tests/test_virtuoso.py does) on free 127.0.0.1 ports, then, through
mskg's ``sparql:`` store in this process:

* load: ``SparqlStore.load`` of the curated graph (convert to N-Triples, one Graph Store PUT,
  then a COUNT), ``--runs`` times, each replacing the last;
* queries: every named query with its default parameters via ``mskg.stores.run_query``
  (guard, parameters, HTTP, JSON results into rdflib terms), ``--repeat`` times each after one
  warm-up run; the memory store (rdflib in this process) for reference.

Prints medians in milliseconds, wall-clock and CPU time of this process (the client's share;
the servers' CPU time is not in it). Runs once; nothing here runs in CI.

    python bench/bench_endpoints.py [--runs 5] [--repeat 5]
"""

from __future__ import annotations

import argparse
import configparser
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the ini writer and free-port helper of the tests

from mskg.graph.loader import graph_files  # noqa: E402
from mskg.sparql.named import query_names  # noqa: E402
from mskg.stores import open_store, run_query  # noqa: E402
from mskg.stores.base import Store  # noqa: E402
from mskg.stores.endpoint import SparqlStore, wait_for_endpoint  # noqa: E402
from test_server import _free_port, _oxigraph_binary  # noqa: E402
from test_server import stop_process as stop  # noqa: E402
from test_virtuoso import write_ini  # noqa: E402

GRAPH = "urn:x-mskg:bench"


def timed(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall-clock and CPU milliseconds of ``runs`` calls."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def start_oxigraph(folder: Path) -> tuple[str, subprocess.Popen]:
    binary = _oxigraph_binary()
    if binary is None:
        sys.exit("oxigraph server binary not found: pip install oxigraph")
    port = _free_port()
    process = subprocess.Popen(
        [binary, "serve", "--location", str(folder), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/query"
    wait_for_endpoint(url, timeout=60)
    return url, process


@dataclass
class Virtuoso:
    """A ``virtuoso-t`` started by :func:`launch_virtuoso`."""

    url: str  # the query URL of GRAPH (``?default-graph-uri=``), for ``sparql:``
    process: subprocess.Popen
    sql_port: int
    password: str  # dba's, also in MSKG_GSP_PASSWORD


def isql(sql_port: int, password: str, sql: str, timeout: float | None = None) -> str:
    """Run ``sql`` (statements ending in ``;``) through ``isql-vt`` as dba; its output. Fails
    on any error, which isql reports in its output rather than always in its exit status. The
    text goes in on stdin: isql decodes ``EXEC=`` text as a URL (``+`` and ``%XX``)."""
    binary = shutil.which("isql-vt")
    if binary is None:
        sys.exit("isql-vt not found: sh tools/install-virtuoso.sh")
    done = subprocess.run(
        [binary, f"127.0.0.1:{sql_port}", "dba", password],
        input=sql,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql-vt {sql!r}: {done.stdout} {done.stderr}".strip())
    return done.stdout


def launch_virtuoso(
    folder: Path, settings: Mapping[str, Mapping[str, object]] | None = None
) -> Virtuoso:
    """``virtuoso-t`` on free loopback ports with its database in ``folder``: the packaged ini
    as the tests write it, with ``settings`` (section -> key -> value) written over it; dba's
    password set to a random one and put in MSKG_GSP_USER / MSKG_GSP_PASSWORD."""
    binary = shutil.which("virtuoso-t")
    if binary is None:
        sys.exit("virtuoso-t not found: sh tools/install-virtuoso.sh")
    sql_port, http_port = _free_port(), _free_port()
    ini = write_ini(folder, sql_port, http_port)
    if settings:
        config = configparser.ConfigParser(
            strict=False, interpolation=None, comment_prefixes=(";", "#")
        )
        config.optionxform = str  # type: ignore[assignment,method-assign]  # case-sensitive keys
        config.read(ini)
        for section, values in settings.items():
            if not config.has_section(section):
                config.add_section(section)
            for key, value in values.items():
                config.set(section, key, str(value))
        with ini.open("w") as handle:
            config.write(handle)
    process = subprocess.Popen(
        [binary, "+foreground", "+configfile", str(ini)],
        cwd=folder,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_endpoint(f"http://127.0.0.1:{http_port}/sparql", timeout=120)
    password = "p" + secrets.token_hex(12)
    isql(sql_port, "dba", f"SET PASSWORD dba {password};", timeout=60)
    os.environ["MSKG_GSP_USER"], os.environ["MSKG_GSP_PASSWORD"] = "dba", password
    url = f"http://127.0.0.1:{http_port}/sparql?default-graph-uri={GRAPH}"
    return Virtuoso(url, process, sql_port, password)


def start_virtuoso(folder: Path) -> tuple[str, subprocess.Popen]:
    server = launch_virtuoso(folder)
    return server.url, server.process


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=5, help="loads per store (default 5)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (default 5)")
    args = parser.parse_args()
    files = graph_files()
    names = query_names()
    loads: dict[str, tuple[float, float]] = {}
    queries: dict[str, dict[str, tuple[float, float]]] = {}
    triples: dict[str, int] = {}
    processes: list[subprocess.Popen] = []
    with tempfile.TemporaryDirectory(prefix="mskg-bench-endpoints-") as work:
        try:
            stores: dict[str, Store] = {"memory (rdflib)": open_store("memory")}
            for label, start in (("Oxigraph server", start_oxigraph), ("Virtuoso", start_virtuoso)):
                folder = Path(work) / label.split()[0].lower()
                folder.mkdir()
                url, process = start(folder)
                processes.append(process)
                store = SparqlStore(url)
                store.load(files, progress=False)  # warm-up
                loads[label] = timed(lambda s=store: s.load(files, progress=False), args.runs)
                stores[label] = store
            for label, store in stores.items():
                triples[label] = store.count()
                queries[label] = {}
                for name in names:
                    run_query(name, store)  # warm-up: the guard's parse is cached per text
                    queries[label][name] = timed(
                        lambda n=name, s=store: run_query(n, s), args.repeat
                    )
        finally:
            for process in processes:
                stop(process)
    print(f"| store | triples | load ms | load CPU ms | {len(names)} queries ms | CPU ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, times in queries.items():
        load = "{:.0f} | {:.0f}".format(*loads[label]) if label in loads else "- | -"
        wall = sum(w for w, _c in times.values())
        cpu = sum(c for _w, c in times.values())
        print(f"| {label} | {triples[label]:,} | {load} | {wall:.0f} | {cpu:.0f} |")
    print()
    print("| query | " + " | ".join(queries) + " |")
    print("|---|" + "---:|" * len(queries))
    for name in names:
        cells = " | ".join(f"{queries[label][name][0]:.1f}" for label in queries)
        print(f"| {name} | {cells} |")


if __name__ == "__main__":
    main()
