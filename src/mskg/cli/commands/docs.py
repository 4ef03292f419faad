"""mskg docs: write the ontology's HTML documentation (one self-contained page) to a folder."""

from __future__ import annotations

import argparse

from mskg.cli.where import add_graph_argument, graph_to_read


def register(parser: argparse.ArgumentParser) -> None:
    add_graph_argument(parser)
    parser.add_argument(
        "-o", "--output", metavar="DIR", default="out/docs", help="folder to write (out/docs)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.docs.ontology import write_docs

    docs = write_docs(args.output, graph_to_read(args.graph))
    print(f"{docs.index}: {docs.terms} terms documented")
    return 0
