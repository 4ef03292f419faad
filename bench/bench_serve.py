"""Benchmark: ``mskg serve`` against ``oxigraph serve-read-only`` under concurrent clients.

Loads the curated graph into a temporary Oxigraph store (``mskg load --store oxigraph:DIR``),
then starts, each on a free 127.0.0.1 port:

* ``oxigraph serve-read-only --location DIR`` (PyPI ``oxigraph``, test extra): the floor;
* ``mskg serve --store oxigraph:DIR`` with its default 4 workers and ``--per-client`` equal to
  the worker count, so the one address all benchmark clients share is not held to the
  fair-share rule (default: half the pool);
* the same with ``--answer-cache 0``: every request goes to a worker, as a stream of
  different queries would (by default a repeated request is answered from the answer cache);
* ``mskg serve`` on the default memory store (rdflib), unless ``--no-memory``.

The same SELECT (the drugs and their labels) is sent as GET ``/query`` (Oxigraph) or
``/sparql`` (mskg) with ``Accept: application/sparql-results+json`` by ``--clients`` threads,
each with its own keep-alive ``http.client`` connection (``--fresh``: a new connection for every
request), ``--requests`` requests each, after a warm-up. The servers take turns, ``--rounds``
times (interleaved). Reports requests per second (median over rounds), p50 and p95 latency
(over all requests of all rounds), failed requests (any answer but 200, or a connection error)
and the ratio of req/s to Oxigraph. Every server
must return the same number of rows: the script stops with an error if not.

The clients run in this Python process, on the same machine as the servers: on a small
machine they take CPU from the servers, so the figures are for comparing the servers with
each other, not absolute capacities. Runs once; nothing here runs in CI.

    python bench/bench_serve.py [--clients 8] [--requests 200] [--rounds 3] [--fresh]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the free-port and binary helpers of the tests

from test_server import _free_port, _oxigraph_binary  # noqa: E402

QUERY = (
    "SELECT ?drug ?label WHERE { ?drug a <https://w3id.org/mskg/ontology/Drug> ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?label }"
)
ACCEPT = "application/sparql-results+json"
MSKG = str(Path(sys.executable).with_name("mskg"))


@dataclass
class Server:
    label: str
    port: int
    path: str  # /query or /sparql
    process: subprocess.Popen
    rates: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    failed: int = 0
    rows: int = -1

    @property
    def target(self) -> str:
        return self.path + "?" + urllib.parse.urlencode({"query": QUERY})


def start(command: list[str]) -> subprocess.Popen:
    """Start a server in its own process group, so that stopping it stops its workers too."""
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # the group this script created for it
        process.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(15)
    except ProcessLookupError:
        pass


def ask(server: Server, timeout: float = 30) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=timeout)
    try:
        connection.request("GET", server.target, headers={"Accept": ACCEPT})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def wait_ready(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if server.process.poll() is not None:
            sys.exit(f"{server.label} exited with code {server.process.returncode}")
        try:
            status, body = ask(server, timeout=5)
            if status == 200:
                server.rows = len(json.loads(body)["results"]["bindings"])
                return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"{server.label} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


def client(server: Server, count: int, fresh: bool, barrier: threading.Barrier, out: list) -> None:
    """``count`` requests on one keep-alive connection (or a new one each if ``fresh``);
    appends (latencies, failures)."""
    latencies, failed = [], 0
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    barrier.wait()
    for _ in range(count):
        began = time.perf_counter()
        if fresh:
            connection.close()  # http.client opens a new one on the next request
        try:
            connection.request("GET", server.target, headers={"Accept": ACCEPT})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                failed += 1
        except (OSError, http.client.HTTPException):
            failed += 1
            connection.close()  # reconnects on the next request
        latencies.append(time.perf_counter() - began)
    connection.close()
    out.append((latencies, failed))


def burst(server: Server, clients: int, count: int, fresh: bool) -> tuple[float, list[float], int]:
    """``clients`` threads x ``count`` requests; (req/s, latencies, failures)."""
    barrier = threading.Barrier(clients + 1)
    out: list[tuple[list[float], int]] = []
    threads = [
        threading.Thread(target=client, args=(server, count, fresh, barrier, out), daemon=True)
        for _ in range(clients)
    ]
    for thread in threads:
        thread.start()
    barrier.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    latencies = [value for part, _failed in out for value in part]
    return len(latencies) / elapsed, latencies, sum(failed for _part, failed in out)


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--requests", type=int, default=200, help="per client (default 200)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (default 3)")
    parser.add_argument("--warmup", type=int, default=20, help="per client (default 20)")
    parser.add_argument("--workers", type=int, default=4, help="mskg serve workers (default 4)")
    parser.add_argument(
        "--fresh", action="store_true", help="a new connection per request, not keep-alive"
    )
    parser.add_argument("--no-memory", action="store_true", help="skip mskg on the memory store")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("stopped"))  # still stop the servers
    binary = _oxigraph_binary()
    if binary is None:
        sys.exit("oxigraph server binary not found: pip install oxigraph")
    servers: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="mskg-bench-serve-") as work:
        store = Path(work) / "store"
        subprocess.run(
            [MSKG, "load", "--store", f"oxigraph:{store}", "--no-progress"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        workers = str(args.workers)
        mskg = ["--workers", workers, "--per-client", workers]
        plans = [
            (
                "oxigraph serve-read-only",
                "/query",
                lambda p: [binary, "serve-read-only", "--location", str(store), "--bind", p],
            ),
            (
                f"mskg serve, oxigraph store, {workers} workers",
                "/sparql",
                lambda p: [MSKG, "serve", "--store", f"oxigraph:{store}", "--port", p, *mskg],
            ),
            (
                f"mskg serve, oxigraph store, {workers} workers, --answer-cache 0",
                "/sparql",
                lambda p: [
                    *[MSKG, "serve", "--store", f"oxigraph:{store}", "--port", p, *mskg],
                    *["--answer-cache", "0"],
                ],
            ),
        ]
        if not args.no_memory:
            plans.append(
                (
                    f"mskg serve, memory store, {workers} workers",
                    "/sparql",
                    lambda p: [MSKG, "serve", "--store", "memory", "--port", p, *mskg],
                )
            )
        try:
            for label, path, command in plans:
                port = _free_port()
                bind = f"127.0.0.1:{port}" if path == "/query" else str(port)
                servers.append(Server(label, port, path, start(command(bind))))
                wait_ready(servers[-1])
            rows = {server.label: server.rows for server in servers}
            if len(set(rows.values())) != 1:
                sys.exit(f"the servers disagree on the number of rows: {rows}")
            for server in servers:
                burst(server, args.clients, args.warmup, args.fresh)
            for _round in range(args.rounds):
                for server in servers:
                    rate, latencies, failed = burst(server, args.clients, args.requests, args.fresh)
                    server.rates.append(rate)
                    server.latencies += latencies
                    server.failed += failed
                    print(f"  {server.label}: {rate:.0f} req/s, {failed} failed", file=sys.stderr)
        finally:
            for server in servers:
                stop(server.process)
    floor = statistics.median(servers[0].rates)
    total = args.clients * args.requests * args.rounds
    print(
        f"{args.clients} clients x {args.requests} requests x {args.rounds} rounds per server "
        f"(after {args.warmup} warm-up requests per client), "
        f"{'a new connection per request' if args.fresh else 'keep-alive connections'}; "
        f"{servers[0].rows} rows per answer; "
        f"mskg serve with --per-client {workers} (= --workers), so the one client address is "
        "not held to half the pool."
    )
    print()
    print("| server | req/s | p50 ms | p95 ms | failed | req/s vs oxigraph |")
    print("|---|---:|---:|---:|---:|---:|")
    for server in servers:
        rate = statistics.median(server.rates)
        p50 = percentile(server.latencies, 0.50) * 1000
        p95 = percentile(server.latencies, 0.95) * 1000
        print(
            f"| {server.label} | {rate:,.0f} | {p50:.1f} | {p95:.1f} | "
            f"{server.failed} / {total:,} | {rate / floor:.2f}x |"
        )


if __name__ == "__main__":
    main()
