"""mskg export: the graph in another format, to standard output or a file."""

from __future__ import annotations

import argparse

from mskg.exporters import FORMATS
from mskg.stores.spec import add_store_argument


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--graph", metavar="DIR", help="graph folder (default: the curated graph)")
    add_store_argument(parser)
    parser.add_argument("--format", "-f", choices=FORMATS, default="ttl")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write here (atomically); default: standard output"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.exporters import export_store
    from mskg.stores import open_store

    with open_store(args.store, args.graph, read_only=True) as store:
        export_store(store, args.format, args.output)
    return 0
