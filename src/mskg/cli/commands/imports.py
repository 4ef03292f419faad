"""mskg import: add data from another resource to the graph (today: SIDER 4.1 side effects)."""

from __future__ import annotations

import argparse
import sys

from mskg.cli.where import add_graph_argument, graph_to_write

SOURCES = ("sider",)


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", choices=SOURCES, help="what to import: sider (SIDER 4.1)")
    parser.add_argument(
        "directory",
        metavar="DIR",
        help="folder with meddra_all_se.tsv.gz and meddra_freq.tsv.gz (and optionally "
        "indications.tsv, to match drugs by DrugBank id)",
    )
    add_graph_argument(parser, writing=True)
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.importers.sider import BY_CUI, BY_LABEL, BY_MEANING, import_sider

    graph = graph_to_write(args.graph, command="import sider")
    result = import_sider(args.directory, graph, progress=not args.quiet and sys.stderr.isatty())
    if args.quiet:
        return 0
    state = "written" if result.changed else "unchanged (already up to date)"
    print(f"{result.output}: {state}")
    if result.mapping_output is not None:
        print(f"  its cross-references (SSSOM): {result.mapping_output}")
    print(
        f"  read {result.se_rows} side-effect rows and {result.freq_rows} frequency rows "
        f"in {result.seconds:.2f} s"
    )
    for drug, stitch in sorted(result.drugs.items()):
        print(f"  {drug} = SIDER {stitch}")
    how = list(result.matched_by.values())
    matched = ", ".join(f"{how.count(way)} by {way}" for way in (BY_CUI, BY_MEANING, BY_LABEL))
    print(
        f"  {result.statements} label side effects ({result.with_frequency} with frequency "
        f"bounds); {len(result.linked_effects)} matched to the graph's own effects ({matched}), "
        f"{result.new_effects} new effect nodes"
    )
    return 0
