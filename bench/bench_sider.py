"""Benchmark `mskg import sider` on the real SIDER 4.1 files (never copied into the project).

    python bench/bench_sider.py [SIDER_DIR]

Two runs, each into a temporary copy of graph/:

* ``curated``: the graph as it is (mitoxantrone and methylprednisolone match SIDER);
* ``all drugs``: the graph plus a stand-in drug for every compound in meddra_all_se.tsv.gz, so
  that every row of the file is imported, which measures the text writer on the whole file.

Each run is timed twice: the first import writes the file, the second finds it up to date.
The curated run is then validated (`mskg validate` on the graph with the import), and timed.
"""

from __future__ import annotations

import gzip
import shutil
import sys
import tempfile
import time
from pathlib import Path

from mskg.importers.sider import SE_FILE, import_sider
from mskg.paths import default_graph_dir
from mskg.validate.shacl import validate_graph

DEFAULT_SIDER = Path(__file__).resolve().parents[2] / "shared" / "data" / "sider"


def stand_in_drugs(sider: Path) -> str:
    """Turtle for one mskg:Drug per STITCH flat id in the side-effect file."""
    cids = set()
    with gzip.open(sider / SE_FILE, "rt", encoding="utf-8") as handle:
        for line in handle:
            cids.add(int(line[4:12]))
    lines = [
        "@prefix mskg: <https://w3id.org/mskg/ontology/> .",
        "@prefix mskr: <https://w3id.org/mskg/resource/> .",
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix prov: <http://www.w3.org/ns/prov#> .",
    ]
    for cid in sorted(cids):
        lines.append(
            f'mskr:bench-cid-{cid} a mskg:Drug ; rdfs:label "compound {cid}"@en ; '
            f"skos:exactMatch <http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID{cid}> ; "
            "prov:wasDerivedFrom mskr:reference-identifiers ."
        )
    return "\n".join(lines) + "\n"


def run(label: str, sider: Path, graph: Path) -> None:
    for attempt in ("first", "again"):
        started = time.perf_counter()
        result = import_sider(sider, graph)
        elapsed = time.perf_counter() - started
        size = result.output.stat().st_size / 1e6
        print(
            f"{label:>9} {attempt:>5}: {result.se_rows:,} + {result.freq_rows:,} rows read, "
            f"{len(result.drugs):,} drugs, {result.statements:,} statements, {size:.1f} MB, "
            f"{'written' if result.changed else 'unchanged'} in {elapsed:.2f} s"
        )


def main(argv: list[str]) -> int:
    sider = Path(argv[0]) if argv else DEFAULT_SIDER
    if not (sider / SE_FILE).is_file():
        print(f"no SIDER 4.1 files in {sider}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        curated = Path(tmp) / "curated"
        shutil.copytree(default_graph_dir(), curated, ignore=shutil.ignore_patterns("imports"))
        run("curated", sider, curated)
        started = time.perf_counter()
        report = validate_graph(curated)
        elapsed = time.perf_counter() - started
        state = "conforms" if report.conforms else f"{len(report.problems)} problems"
        print(f"{'curated':>9} validate: {report.triples:,} triples, {state}, in {elapsed:.2f} s")
        everything = Path(tmp) / "all"
        shutil.copytree(curated, everything, ignore=shutil.ignore_patterns("imports"))
        (everything / "data" / "bench-drugs.ttl").write_text(stand_in_drugs(sider))
        run("all drugs", sider, everything)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
