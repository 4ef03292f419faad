"""Benchmark the stores: load time, query time and peak memory, at 10^3 to 10^7 triples.

For each data set (SIDER-shaped synthetic data from generate_sider_like.py, and optionally the
real SIDER 4.1 files converted to the same shape) and each variant, ``--runs`` fresh processes
each load the data and run four SIDER-style queries ``--repeat`` times; the variants take turns
(one process of each, then the next round). Reported: the median over runs of the load time,
the median over every run of each query, both as wall-clock and as CPU time (all threads of the
process), and the median peak resident memory. Variants:

* ``memory``: mskg's default store (rdflib), ``open_store("memory", FILE)``, ``run_query``;
* ``mskg-oxigraph``: ``open_store("oxigraph:DIR").load([FILE])`` (atomic bulk load), then
  ``mskg.stores.run_query`` (read-only guard, prefixes, rdflib terms out);
* ``pyoxigraph``: the floor, a hand-written script: ``Store(DIR).bulk_load(path=FILE)``, then
  ``store.query(text)`` with every value read out as a Python string.

Every variant must return the same number of rows for every query on a data set; the run stops
with an error if not. Prints two Markdown tables (totals, then each query with its ratio to the
floor); ``--json FILE`` writes the raw numbers. Generated data and stores go to ``--workdir``
(default: a folder under the system temp dir), never into the repository.

    python bench/bench_stores.py                      # 1e3 1e4 1e5 1e6, memory up to 1e6
    python bench/bench_stores.py --sizes 1e5 1e6 1e7 --memory-max 1e5
    python bench/bench_stores.py --sider ../shared/data/sider
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
VARIANTS = ("memory", "mskg-oxigraph", "pyoxigraph")

PREFIXES = """PREFIX mskg: <https://w3id.org/mskg/ontology/>
PREFIX mskr: <https://w3id.org/mskg/resource/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""

#: SIDER-style questions: the commonest effects, one drug's profile, effects two drugs share,
#: and pairs by frequency band.
QUERIES = {
    "top-effects": PREFIXES
    + """SELECT ?effect ?label (COUNT(?drug) AS ?drugs) WHERE {
  ?drug mskg:hasAdverseEffect ?effect . ?effect rdfs:label ?label .
} GROUP BY ?effect ?label ORDER BY DESC(?drugs) LIMIT 20""",
    "drug-profile": PREFIXES
    + """SELECT ?effect ?label WHERE {
  mskr:drug-0 mskg:hasAdverseEffect ?effect . ?effect rdfs:label ?label .
} ORDER BY ?label""",
    "shared-effects": PREFIXES
    + """SELECT ?label WHERE {
  mskr:drug-0 mskg:hasAdverseEffect ?effect . mskr:drug-1 mskg:hasAdverseEffect ?effect .
  ?effect rdfs:label ?label .
}""",
    "frequency-bands": PREFIXES
    + """SELECT ?band (COUNT(*) AS ?pairs) WHERE {
  ?a a mskg:AdverseEffectAssociation ; mskg:frequencyLowerBound ?band ; rdf:object ?e .
} GROUP BY ?band ORDER BY ?band""",
}


# --------------------------------------------------------------------------------------------
# One measurement, in its own process
# --------------------------------------------------------------------------------------------


def _timed(run: Any, repeat: int) -> tuple[list[float], list[float], int]:
    """(wall seconds, CPU seconds, rows) of ``repeat`` runs of ``run``."""
    walls, cpus, rows = [], [], 0
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        rows = run()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, rows


def _peak_mb() -> float:
    """This process's peak resident memory. VmHWM, not ru_maxrss: Linux carries ru_maxrss over
    from the parent through fork and exec, so a big parent would inflate every child."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(variant: str, data: Path, workdir: Path, repeat: int) -> dict[str, Any]:
    store_dir = workdir / f"store-{variant}-{os.getpid()}"
    shutil.rmtree(store_dir, ignore_errors=True)
    started, cpu_started = time.perf_counter(), time.process_time()
    if variant == "pyoxigraph":
        import pyoxigraph

        ox = pyoxigraph.Store(str(store_dir))
        ox.bulk_load(path=str(data), format=pyoxigraph.RdfFormat.N_TRIPLES)
        ox.flush()
        load, load_cpu = time.perf_counter() - started, time.process_time() - cpu_started

        def runner(text: str) -> Any:
            def run() -> int:
                rows = [
                    tuple(None if t is None else t.value for t in solution)
                    for solution in ox.query(text)  # type: ignore[union-attr]
                ]
                return len(rows)

            return run
    else:
        from mskg.stores import open_store, run_query

        if variant == "memory":
            store = open_store("memory", data, use_cache=False)
            store.count()  # parses the file
        else:
            store = open_store(f"oxigraph:{store_dir}", create=True)
            store.load([data], progress=False)
        load, load_cpu = time.perf_counter() - started, time.process_time() - cpu_started

        def runner(text: str) -> Any:
            def run() -> int:
                return len(run_query(text, store).rows)

            return run

    queries = {}
    for name, text in QUERIES.items():
        walls, cpus, rows = _timed(runner(text), repeat)
        queries[name] = {"seconds": walls, "cpu": cpus, "rows": rows}
    peak_mb = _peak_mb()
    shutil.rmtree(store_dir, ignore_errors=True)
    return {"load": load, "load_cpu": load_cpu, "queries": queries, "peak_mb": peak_mb}


# --------------------------------------------------------------------------------------------
# The runner
# --------------------------------------------------------------------------------------------


def sample(
    variant: str, data: Path, workdir: Path, repeat: int, timeout: float
) -> dict[str, Any] | None:
    """One fresh process: load (wall, CPU), each query ``repeat`` times, peak memory; None if
    it ran out of time."""
    command = [sys.executable, __file__, "--child", variant, str(data), "--workdir", str(workdir)]
    command += ["--repeat", str(repeat)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(exc.stderr)
        raise
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(variant: str, data: Path, samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the processes' ``samples``: load (wall, CPU), each query, peak memory."""
    median = statistics.median
    queries: dict[str, dict[str, Any]] = {}
    for name in QUERIES:
        rows = {sample["queries"][name]["rows"] for sample in samples}
        if len(rows) != 1:
            raise SystemExit(f"{variant} on {data}: {name} returned {sorted(rows)} rows in runs")
        queries[name] = {
            "seconds": median(t for s in samples for t in s["queries"][name]["seconds"]),
            "cpu": median(t for s in samples for t in s["queries"][name]["cpu"]),
            "rows": rows.pop(),
        }
    return {
        "load": median(s["load"] for s in samples),
        "load_cpu": median(s["load_cpu"] for s in samples),
        "peak_mb": median(s["peak_mb"] for s in samples),
        "queries": queries,
        "runs": len(samples),
    }


def check_rows(label: str, results: dict[str, dict[str, Any]]) -> None:
    """Fail loudly unless every variant returned the same row count for every query."""
    problems = []
    for name in QUERIES:
        counts = {variant: got["queries"][name]["rows"] for variant, got in results.items()}
        if len(set(counts.values())) > 1:
            problems.append(f"  {name}: " + ", ".join(f"{v} {n}" for v, n in counts.items()))
    if problems:
        raise SystemExit(f"{label}: the stores disagree on row counts:\n" + "\n".join(problems))


def count_lines(path: Path) -> int:
    with path.open("rb") as handle:
        return sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b""))


def datasets(args: argparse.Namespace, workdir: Path) -> list[tuple[str, Path]]:
    sys.path.insert(0, str(HERE))
    import generate_sider_like as gen

    out = []
    for size in args.sizes:
        path = workdir / f"sider-like-{size:.0e}.nt"
        if not path.is_file():
            gen.write(gen.synthetic(int(size)), path)
        out.append((f"synthetic {size:.0e}", path))
    if args.sider is not None:
        path = workdir / "sider-4.1.nt"
        if not path.is_file():
            gen.write(gen.from_sider(args.sider), path)
        out.append(("SIDER 4.1", path))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e3, 1e4, 1e5, 1e6])
    parser.add_argument("--sider", type=Path, metavar="DIR", help="also the real SIDER 4.1 files")
    parser.add_argument(
        "--memory-max", type=float, default=1e6, help="skip the memory store above this size"
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query per process")
    parser.add_argument("--runs", type=int, default=3, help="processes per measurement (median)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per process")
    parser.add_argument("--workdir", type=Path, help="where data and stores go")
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    parser.add_argument("--child", nargs=2, metavar=("VARIANT", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.runs < 1:
        parser.error("--repeat and --runs must be at least 1")

    workdir = args.workdir or Path(tempfile.gettempdir()) / "mskg-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    if args.child:
        variant, data = args.child
        print(json.dumps(child(variant, Path(data), workdir, args.repeat)))
        return 0

    print(
        f"medians of {args.runs} processes x {args.repeat} runs per query; "
        f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        flush=True,
    )
    print(
        "| data | triples | store | load s | load CPU s | query s (4 queries) | query CPU s "
        "| peak MB | vs floor: load / query |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    results = []
    per_query: list[str] = []
    for label, path in datasets(args, workdir):
        triples = count_lines(path)
        variants = [  # the floor first, for the ratios
            v for v in reversed(VARIANTS) if v != "memory" or triples <= args.memory_max * 1.5
        ]
        # The variants take turns (run 1 of each, then run 2, ...), so that a change in the
        # load of a shared machine falls on all of them rather than on one.
        samples: dict[str, list[dict[str, Any]] | None] = {v: [] for v in variants}
        for _run in range(args.runs):
            for variant in variants:
                taken = samples[variant]
                if taken is not None:
                    got = sample(variant, path, workdir, args.repeat, args.timeout)
                    samples[variant] = None if got is None else [*taken, got]
        measured: dict[str, dict[str, Any]] = {}
        for variant in variants:
            taken = samples[variant]
            if taken is None:
                print(f"| {label} | {triples:,} | {variant} | timeout | | | | | |", flush=True)
                continue
            got = measure(variant, path, taken)
            query = sum(q["seconds"] for q in got["queries"].values())
            query_cpu = sum(q["cpu"] for q in got["queries"].values())
            got.update(data=label, triples=triples, store=variant, query=query, query_cpu=query_cpu)
            results.append(got)
            measured[variant] = got
            floor = measured.get("pyoxigraph")
            ratio = ""
            if floor is not None and variant != "pyoxigraph":
                ratio = f"{got['load'] / floor['load']:.2f}x / {query / floor['query']:.2f}x"
            print(
                f"| {label} | {triples:,} | {variant} | {got['load']:.3f} | "
                f"{got['load_cpu']:.3f} | {query:.3f} | {query_cpu:.3f} | "
                f"{got['peak_mb']:,.0f} | {ratio} |",
                flush=True,
            )
        check_rows(label, measured)
        per_query.extend(_query_lines(label, measured))
    print()
    print("| data | query | rows | " + " | ".join(f"{v} s" for v in reversed(VARIANTS)) + " |")
    print("|---|---|---:|" + "---:|" * len(VARIANTS))
    print("\n".join(per_query))
    if args.json is not None:
        from mskg.atomic import atomic_write

        atomic_write(args.json, json.dumps(results, indent=2))
    return 0


def _query_lines(label: str, measured: dict[str, dict[str, Any]]) -> list[str]:
    """One table line per query: each variant's median, with its ratio to the floor."""
    floor = measured.get("pyoxigraph")
    lines = []
    for name in QUERIES:
        rows = next(iter(measured.values()))["queries"][name]["rows"] if measured else 0
        cells = []
        for variant in reversed(VARIANTS):
            got = measured.get(variant)
            if got is None:
                cells.append("")
                continue
            seconds = got["queries"][name]["seconds"]
            cell = f"{seconds:.4f}"
            if floor is not None and variant != "pyoxigraph":
                base = floor["queries"][name]["seconds"]
                cell += f" ({seconds / base:.2f}x)" if base > 0 else ""
            cells.append(cell)
        lines.append(f"| {label} | {name} | {rows:,} | " + " | ".join(cells) + " |")
    return lines


if __name__ == "__main__":
    sys.exit(main())
