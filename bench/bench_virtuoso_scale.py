"""Benchmark: Virtuoso 7.2 on the SIDER-shaped data of bench_stores.py, 10^5 to 10^7 triples.

For each size, the N-Triples file bench_stores.py generates (the same file, in the same
``--workdir``, made if missing) goes into a fresh ``virtuoso-t`` (started on free loopback
ports by bench_endpoints.launch_virtuoso, database in a temporary folder, the packaged ini with
the buffers and limits of :data:`SETTINGS` written over it) with Virtuoso's bulk loader:
``ld_dir`` + ``rdf_loader_run()`` through ``isql-vt``, then ``checkpoint``. As Virtuoso's
documentation advises for big files, the file is first cut into ``--loaders`` parts (default:
one per CPU; the cut is timed apart, not in the load) and as many loaders run at once. Up to
``--gsp-max`` triples, the same file also goes into another fresh server through mskg's own
``mskg load --store sparql:URL`` (one Graph Store PUT), for comparison.

Then the four SIDER-style queries of bench_stores.py (imported from it, not copied) run
``--repeat`` times each after one warm-up, alternating two clients in this process:

* ``mskg sparql:``: ``open_store("sparql:URL")`` then ``mskg.stores.run_query`` (guard, HTTP,
  SPARQL JSON into rdflib terms);
* ``plain HTTP``: the floor, a form-encoded POST with urllib and ``json.loads``, every value
  read out.

Both must return the same number of rows, and as many as Oxigraph if ``--compare`` names the
``--json`` files of bench_stores.py runs on the same sizes; the script stops if not, or if
Virtuoso says it cut an answer (``X-SPARQL-MaxRows``) or stopped a query early (``X-SQL-State``,
its "anytime" partial answers). Medians; load times are wall-clock (the server's CPU time read
from /proc beside them), query CPU time is this client's only. Runs once; nothing here runs in
CI.

    python bench/bench_stores.py --sizes 1e5 1e6 1e7 --json /tmp/stores.json
    python bench/bench_virtuoso_scale.py --sizes 1e5 1e6 1e7 --compare /tmp/stores.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_endpoints import GRAPH, Virtuoso, isql, launch_virtuoso, stop  # noqa: E402
from bench_stores import QUERIES, count_lines, datasets  # noqa: E402
from mskg.stores import open_store, run_query  # noqa: E402

MSKG = str(Path(sys.executable).with_name("mskg"))
#: Written over the packaged virtuoso.ini. Buffers: the packaged file's line for "8 GB of
#: system memory free" (680,000 x 8 kB pages, about 5.2 GiB; the default is 10,000, 80 MB);
#: answers and time limits raised above what the largest query here needs (drug-profile at
#: 10^7 returns about 20,000 rows; the packaged cap is 10,000 and 60 s).
SETTINGS: dict[str, dict[str, object]] = {
    "Parameters": {"NumberOfBuffers": 680_000, "MaxDirtyBuffers": 500_000},
    "SPARQL": {
        "ResultSetMaxRows": 1_000_000,
        "MaxQueryCostEstimationTime": 3600,
        "MaxQueryExecutionTime": 3600,
    },
}


# --------------------------------------------------------------------------------------------
# The server's side
# --------------------------------------------------------------------------------------------


def server_cpu(process: subprocess.Popen) -> float:
    """User + system CPU seconds of the server so far (/proc/PID/stat)."""
    fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_peak_mb(process: subprocess.Popen) -> float:
    for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def split(data: Path, parts: int, workdir: Path) -> tuple[Path, str]:
    """(folder, ld_dir mask) of ``data``: itself, or cut at line ends into ``parts`` files of
    about the same size in a folder of their own (made once, kept in ``workdir``)."""
    if parts <= 1:
        return data.parent, data.name
    folder = workdir / f"{data.stem}-split{parts}"
    if not (folder / "done").is_file():
        folder.mkdir(exist_ok=True)
        share = data.stat().st_size // parts + 1
        with data.open("rb") as source:
            for i in range(parts):
                with (folder / f"part-{i:02d}.nt").open("wb") as out:
                    written = 0
                    while written < share and (chunk := source.read(min(1 << 20, share - written))):
                        out.write(chunk)
                        written += len(chunk)
                    out.write(source.readline())  # to the end of the line cut
        (folder / "done").write_text("")
    return folder, "part-%.nt"


def bulk_load(server: Virtuoso, folder: Path, mask: str, loaders: int) -> dict[str, float]:
    """``ld_dir`` + ``rdf_loader_run()`` (``loaders`` at once), then ``checkpoint``: seconds of
    each step and the server's CPU seconds."""

    def sql(text: str) -> str:
        return isql(server.sql_port, server.password, text)

    cpu, started = server_cpu(server.process), time.perf_counter()
    sql(f"ld_dir({_sql_text(str(folder))}, {_sql_text(mask)}, {_sql_text(GRAPH)});")
    with ThreadPoolExecutor(loaders) as pool:  # each loader is an isql-vt process
        list(pool.map(sql, ["rdf_loader_run();"] * loaders))
    loaded = time.perf_counter()
    sql("checkpoint;")
    done = time.perf_counter()
    errors = sql("SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
    if "0 Rows." not in errors:
        raise SystemExit(f"Virtuoso's bulk loader reported errors:\n{errors}")
    return {
        "load": done - started,
        "loader": loaded - started,
        "checkpoint": done - loaded,
        "server_cpu": server_cpu(server.process) - cpu,
    }


def gsp_load(server: Virtuoso, data: Path) -> dict[str, float]:
    """``mskg load FILE --no-graph --store sparql:URL`` as a process of its own (one PUT)."""
    cpu, started = server_cpu(server.process), time.perf_counter()
    command = [MSKG, "load", str(data), "--no-graph", "--no-progress"]
    command += ["--store", f"sparql:{server.url}"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        raise SystemExit(f"mskg load failed: {done.stderr}")
    return {"load": time.perf_counter() - started, "server_cpu": server_cpu(server.process) - cpu}


# --------------------------------------------------------------------------------------------
# The client's side
# --------------------------------------------------------------------------------------------


def plain(url: str, text: str) -> Callable[[], int]:
    """The floor: one form-encoded POST with urllib, SPARQL JSON read with json.loads."""
    body = urllib.parse.urlencode({"query": text}).encode()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Accept": "application/sparql-results+json",
    }

    def run() -> int:
        request = urllib.request.Request(url, data=body, method="POST", headers=headers)
        with urllib.request.urlopen(request, timeout=3600) as response:
            cut = response.headers.get("X-SPARQL-MaxRows") or response.headers.get("X-SQL-State")
            if cut:
                raise SystemExit(f"Virtuoso cut or stopped the answer ({cut}): raise its limits")
            document = json.loads(response.read())
        names = document["head"]["vars"]
        rows = [
            tuple(b[n]["value"] if n in b else None for n in names)
            for b in document["results"]["bindings"]
        ]
        return len(rows)

    return run


def through_mskg(url: str, text: str) -> Callable[[], int]:
    store = open_store(f"sparql:{url}")

    def run() -> int:
        result = run_query(text, store)
        if result.rows is None or result.truncated:
            raise SystemExit(f"mskg: no rows, or an answer cut short: {text[-60:]!r}")
        return len(result.rows)

    return run


def run_queries(url: str, repeat: int) -> dict[str, dict[str, dict[str, Any]]]:
    """client -> query -> median seconds, median client CPU seconds, rows; the two clients
    take turns on every run."""
    clients = {"plain": plain, "mskg": through_mskg}
    out: dict[str, dict[str, dict[str, Any]]] = {client: {} for client in clients}
    for name, text in QUERIES.items():
        runners = {client: make(url, text) for client, make in clients.items()}
        samples: dict[str, list[tuple[float, float, int]]] = {client: [] for client in clients}
        for turn in range(repeat + 1):  # the first is a warm-up
            for client, runner in runners.items():
                wall, cpu = time.perf_counter(), time.process_time()
                rows = runner()
                if turn:
                    sample = (time.perf_counter() - wall, time.process_time() - cpu, rows)
                    samples[client].append(sample)
        for client, got in samples.items():
            rows_seen = {rows for _w, _c, rows in got}
            if len(rows_seen) != 1:
                raise SystemExit(f"{client} {name}: {sorted(rows_seen)} rows in different runs")
            out[client][name] = {
                "seconds": statistics.median(w for w, _c, _r in got),
                "cpu": statistics.median(c for _w, c, _r in got),
                "rows": rows_seen.pop(),
            }
    return out


def check_rows(label: str, got: dict[str, int], others: dict[str, dict[str, int]]) -> None:
    """Fail unless ``got`` (query -> rows) is what each of ``others`` (name -> query -> rows)
    returned on the same data."""
    for other, rows in others.items():
        if rows != got:
            raise SystemExit(f"{label}: Virtuoso through mskg returned {got} rows, {other} {rows}")


# --------------------------------------------------------------------------------------------
# The runner
# --------------------------------------------------------------------------------------------


def measure(
    data: Path, how: str, args: argparse.Namespace, workdir: Path, expected: dict[str, Any]
) -> dict[str, Any]:
    """One fresh server: load ``data`` (``how``: bulk or gsp), count, run the queries."""
    with tempfile.TemporaryDirectory(prefix="virtuoso-", dir=workdir) as temp:
        folder = Path(temp)
        cut = time.perf_counter()
        source, mask = split(data, args.loaders, workdir) if how == "bulk" else (data.parent, "")
        cut = time.perf_counter() - cut
        settings = {**SETTINGS, "Parameters": dict(SETTINGS["Parameters"])}
        settings["Parameters"]["DirsAllowed"] = f"{folder}, {source}"
        server = launch_virtuoso(folder, settings)
        try:
            if how == "bulk":
                load = bulk_load(server, source, mask, args.loaders)
            else:
                load = gsp_load(server, data)
            triples = open_store(f"sparql:{server.url}").count()
            queries = run_queries(server.url, args.repeat)
            peak = server_peak_mb(server.process)
        finally:
            stop(server.process)
    rows = {client: {n: q["rows"] for n, q in got.items()} for client, got in queries.items()}
    check_rows(f"{data.name} ({how})", rows["mskg"], {"the other client": rows["plain"]})
    check_rows(f"{data.name} ({how})", rows["mskg"], expected)
    return {**load, "split": cut, "triples": triples, "queries": queries, "peak_mb": peak}


def expected_rows(paths: list[Path]) -> dict[str, dict[str, dict[str, int]]]:
    """data label -> store -> query -> rows, from bench_stores.py --json files."""
    out: dict[str, dict[str, dict[str, int]]] = {}
    for path in paths:
        for got in json.loads(path.read_text()):
            rows = {name: q["rows"] for name, q in got["queries"].items()}
            out.setdefault(got["data"], {})[got["store"]] = rows
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", nargs="+", type=float, default=[1e5, 1e6, 1e7])
    parser.add_argument(
        "--gsp-max", type=float, default=1e5, help="also mskg load (GSP) up to this size"
    )
    parser.add_argument(
        "--loaders",
        type=int,
        default=os.cpu_count() or 1,
        help="bulk loaders at once, the file split into as many parts (default: one per CPU)",
    )
    parser.add_argument("--repeat", type=int, default=5, help="runs of each query (median)")
    parser.add_argument("--workdir", type=Path, help="bench_stores.py's (its data is reused)")
    parser.add_argument(
        "--compare", type=Path, nargs="+", default=[], help="bench_stores.py --json: same rows"
    )
    parser.add_argument("--json", type=Path, help="also write the raw numbers here")
    args = parser.parse_args(argv)
    args.sider = None
    workdir = args.workdir or Path(tempfile.gettempdir()) / "mskg-bench"
    workdir.mkdir(parents=True, exist_ok=True)
    expected = expected_rows(args.compare)

    print(
        f"Virtuoso, {SETTINGS}; {args.loaders} loader(s); medians of {args.repeat} runs per "
        f"query; {os.cpu_count()} CPUs, Python {sys.version.split()[0]}",
        flush=True,
    )
    print(
        "| data | triples | load | load s | server CPU s | checkpoint s | server peak MB "
        "| 4 queries s, plain HTTP | mskg `sparql:` | query CPU s (client), plain / mskg "
        "| mskg vs plain |"
    )
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    results, per_query = [], []
    for label, path in datasets(args, workdir):
        lines = count_lines(path)
        for how in ("bulk", "gsp") if lines <= args.gsp_max * 1.5 else ("bulk",):
            got = measure(path, how, args, workdir, expected.get(label, {}))
            if got["triples"] != lines:
                raise SystemExit(f"{label}: Virtuoso holds {got['triples']:,} of {lines:,} triples")
            totals = {
                client: (
                    sum(q["seconds"] for q in got["queries"][client].values()),
                    sum(q["cpu"] for q in got["queries"][client].values()),
                )
                for client in ("plain", "mskg")
            }
            what = "bulk loader" + (f" x{args.loaders}" if args.loaders > 1 else "")
            if how == "bulk" and args.loaders > 1:
                print(f"({label}: cut into {args.loaders} files in {got['split']:.1f} s, once)")
            what = what if how == "bulk" else "mskg load (GSP PUT)"
            checkpoint = f"{got['checkpoint']:.1f}" if "checkpoint" in got else "-"
            print(
                f"| {label} | {got['triples']:,} | {what} | {got['load']:.2f} | "
                f"{got['server_cpu']:.1f} | {checkpoint} | {got['peak_mb']:,.0f} | "
                f"{totals['plain'][0]:.3f} | {totals['mskg'][0]:.3f} | "
                f"{totals['plain'][1]:.3f} / {totals['mskg'][1]:.3f} | "
                f"{totals['mskg'][0] / totals['plain'][0]:.2f}x |",
                flush=True,
            )
            got.update(data=label, load_method=how)
            results.append(got)
            for name in QUERIES:
                base, ours = got["queries"]["plain"][name], got["queries"]["mskg"][name]
                per_query.append(
                    f"| {label} ({how}) | {name} | {ours['rows']:,} | {base['seconds']:.4f} | "
                    f"{ours['seconds']:.4f} ({ours['seconds'] / base['seconds']:.2f}x) |"
                )
    print()
    print("| data | query | rows | plain HTTP s | mskg `sparql:` s |")
    print("|---|---|---:|---:|---:|")
    print("\n".join(per_query))
    if args.json is not None:
        from mskg.atomic import atomic_write

        atomic_write(args.json, json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
