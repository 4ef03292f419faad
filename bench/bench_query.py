"""Benchmark: `mskg query NAME` against a plain rdflib script, both as whole processes.

The plain script is what a researcher would write without mskg: parse every graph/**/*.ttl (less
shapes.ttl) with rdflib, run the same SPARQL text, print the rows as CSV. Beside it: the
hand-written pyoxigraph script (parse the same files into an in-memory Oxigraph store, run the
same text, print CSV), the floor of any engine that answers in memory; `mskg query NAME`, which
Oxigraph answers (mskg.sparql.native); and, for the queries rdflib still answers (parameters,
computed numbers, CONSTRUCT), `mskg query` with a parameter, cache warm, which answers another
question and is not compared. A process that only imports rdflib and its SPARQL engine is the
floor of the rdflib route.

Runs are interleaved (one of each, N times) after two warm-up rounds, so drift in machine load
hits every variant alike. Byte code is cached for all of them (PYTHONPYCACHEPREFIX, a temporary
folder), as after a normal install, even where PYTHONDONTWRITEBYTECODE is set. Prints a Markdown
table in milliseconds of wall-clock time and of CPU time (user + system of the child process,
from getrusage(RUSAGE_CHILDREN) before and after each run). On a shared machine wall-clock time
includes waiting for a CPU; CPU time does not, so it is the steadier of the two.

    python bench/bench_query.py [--query NAME] [--runs N]

NAME must be a query whose parameters have no default (the plain script binds none).
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PLAIN_SCRIPT = """\
import sys
from pathlib import Path

import rdflib

graph = rdflib.Graph()
for path in sorted(Path(sys.argv[1]).rglob("*.ttl")):
    if path.name != "shapes.ttl":
        graph.parse(path, format="turtle")
result = graph.query(Path(sys.argv[2]).read_text(encoding="utf-8"))
sys.stdout.write(result.serialize(format="csv").decode("utf-8"))
"""

FLOOR_SCRIPT = "import rdflib, rdflib.plugins.sparql.processor"

OXIGRAPH_SCRIPT = """\
import csv
import sys
from pathlib import Path

import pyoxigraph

store = pyoxigraph.Store()
for path in sorted(Path(sys.argv[1]).rglob("*.ttl")):
    if path.name != "shapes.ttl":
        store.bulk_load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
prefixes = "".join(f"PREFIX {p}: <{n}>\\n" for p, n in PREFIXES.items())
result = store.query(prefixes + Path(sys.argv[2]).read_text(encoding="utf-8"))
out = csv.writer(sys.stdout, lineterminator="\\r\\n")
out.writerow([v.value for v in result.variables])
for row in result:
    out.writerow(["" if term is None else term.value for term in row])
"""


def _children_cpu() -> float:
    """Seconds of CPU (user + system) used so far by the children this process has waited for."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(command: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run ``command``; return its wall-clock and CPU milliseconds, and its output."""
    cpu_before = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    elapsed = (time.perf_counter() - start) * 1000
    cpu = (_children_cpu() - cpu_before) * 1000
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return elapsed, cpu, done.stdout


def rows(text: str) -> list[tuple[str, ...]]:
    return sorted(tuple(r) for r in csv.reader(io.StringIO(text)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--query", default="approvals", help="a named query Oxigraph answers")
    parser.add_argument("--runs", type=int, default=20, help="timed runs of each variant")
    parser.add_argument("--graph", type=Path, default=REPO / "graph")
    args = parser.parse_args()

    query_file = REPO / "queries" / f"{args.query}.rq"
    from mskg.sparql.named import read_query

    if any(p.default for p in read_query(query_file).header.params):
        # The plain script cannot resolve "natalizumab" to an IRI; it would answer another question.
        parser.error(f"{args.query} has parameters with defaults; pick a query without")
    python = sys.executable
    work = Path(tempfile.mkdtemp(prefix="mskg-bench-"))
    try:
        plain = work / "plain.py"
        plain.write_text(PLAIN_SCRIPT, encoding="utf-8")
        from mskg.prefixes import PREFIXES

        oxigraph = work / "oxigraph.py"
        oxigraph.write_text(f"PREFIXES = {PREFIXES!r}\n{OXIGRAPH_SCRIPT}", encoding="utf-8")
        base_env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("MSKG_") and k != "PYTHONDONTWRITEBYTECODE"
        }
        # Byte-code caches for every module (rdflib's and mskg's alike) in one private folder,
        # as after a normal install; the warm-up rounds fill it. Keeps the source tree clean.
        base_env["PYTHONPYCACHEPREFIX"] = str(work / "pycache")
        mskg = [python, "-m", "mskg.cli", "query", args.query, "--graph", str(args.graph)]
        mskg += ["--format", "csv"]
        with_param = [python, "-m", "mskg.cli", "query", "serious-adverse-effects"]
        with_param += ["--param", "drug=natalizumab", "--graph", str(args.graph), "-f", "csv"]
        warm_cache = work / "warm-cache"
        variants: dict[str, tuple[list[str], dict[str, str]]] = {
            "floor: python importing rdflib + SPARQL": ([python, "-c", FLOOR_SCRIPT], base_env),
            "plain rdflib script": (
                [python, str(plain), str(args.graph), str(query_file)],
                base_env,
            ),
            "hand-written pyoxigraph script": (
                [python, str(oxigraph), str(args.graph), str(query_file)],
                base_env,
            ),
            "mskg query (Oxigraph in memory)": (mskg, base_env),
            "mskg query --param (rdflib, warm cache; not compared)": (
                with_param,
                {**base_env, "MSKG_CACHE_DIR": str(warm_cache)},
            ),
        }
        times: dict[str, list[float]] = {name: [] for name in variants}
        cpu_times: dict[str, list[float]] = {name: [] for name in variants}
        outputs: dict[str, str] = {}
        for round_number in range(args.runs + 2):
            for name, (command, env) in variants.items():
                elapsed, cpu, out = timed(command, env)
                if round_number >= 2:  # two warm-up rounds
                    times[name].append(elapsed)
                    cpu_times[name].append(cpu)
                outputs[name] = out
    finally:
        shutil.rmtree(work, ignore_errors=True)

    reference = rows(outputs["plain rdflib script"])
    compared = [name for name in variants if "script" in name or name.endswith("memory)")]
    same = all(rows(outputs[name]) == reference for name in compared)
    plain_median = statistics.median(times["plain rdflib script"])
    plain_cpu = statistics.median(cpu_times["plain rdflib script"])
    print(f"query: {args.query}   runs: {args.runs}   python: {sys.version.split()[0]}")
    print(f"same rows as the plain script (pyoxigraph script, mskg): {'yes' if same else 'NO'}\n")
    print(
        "| variant | wall median ms | wall min ms | wall mean ± sd ms | CPU median ms "
        "| CPU min ms | wall vs plain | CPU vs plain |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, samples in times.items():
        median = statistics.median(samples)
        spread = statistics.stdev(samples) if len(samples) > 1 else 0.0
        cpu = cpu_times[name]
        cpu_median = statistics.median(cpu)
        print(
            f"| {name} | {median:.0f} | {min(samples):.0f} | "
            f"{statistics.mean(samples):.0f} ± {spread:.0f} | {cpu_median:.0f} | {min(cpu):.0f} | "
            f"{median / plain_median:.2f}× | {cpu_median / plain_cpu:.2f}× |"
        )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
