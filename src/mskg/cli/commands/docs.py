"""mskg docs: write the ontology's HTML documentation (one self-contained page) to a folder."""

from __future__ import annotations

import argparse


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--graph", metavar="DIR", help="graph folder (default: the curated graph)")
    parser.add_argument(
        "-o", "--output", metavar="DIR", default="out/docs", help="folder to write (out/docs)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.docs.ontology import write_docs

    docs = write_docs(args.output, args.graph)
    print(f"{docs.index}: {docs.terms} terms documented")
    return 0
