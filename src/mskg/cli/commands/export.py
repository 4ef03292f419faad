"""mskg export: the graph in another format, to standard output or a file."""

from __future__ import annotations

import argparse

from mskg.cli.where import add_graph_argument, graph_of_store
from mskg.exporters import FORMATS
from mskg.stores.spec import add_store_argument

LOSSLESS = """literals:
  From a graph folder (the memory store), ttl, nt and jsonld write every literal as the files
  have it: "PT24H"^^xsd:duration stays PT24H, "01"^^xsd:integer stays 01 (language tags come
  out in lower case, as RDF allows). From --store oxigraph:PATH or sparql:URL they are as that
  store gives them back: Oxigraph keeps values, not their text, so "PT24H" comes out "P1D" and
  "01" comes out "1"; Virtuoso writes durations as numbers of seconds ("7200.0").

"""


def register(parser: argparse.ArgumentParser) -> None:
    parser.epilog = LOSSLESS + (parser.epilog or "")
    add_graph_argument(parser)
    add_store_argument(parser)
    parser.add_argument("--format", "-f", choices=FORMATS, default="ttl")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write here (atomically); default: standard output"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.exporters import export_store
    from mskg.stores import open_store

    graph = graph_of_store(args.store, args.graph)
    with open_store(args.store, None if graph is None else graph.path, read_only=True) as store:
        export_store(store, args.format, args.output)
    return 0
