"""mskg export: the graph in another format, to standard output or a file."""

from __future__ import annotations

import argparse

from mskg.export import FORMATS


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--graph", metavar="DIR", help="graph folder (default: the curated graph)")
    parser.add_argument("--format", "-f", choices=FORMATS, default="ttl")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write here (atomically); default: standard output"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.export import export_graph
    from mskg.loader import load_graph

    export_graph(load_graph(args.graph), args.format, args.output)
    return 0
