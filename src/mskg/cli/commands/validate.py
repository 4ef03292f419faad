"""mskg validate: exit 0 valid, 1 invalid, 2 could not load."""

from __future__ import annotations

import argparse
import sys

from mskg.cli.where import add_graph_argument, graph_to_read


def register(parser: argparse.ArgumentParser) -> None:
    add_graph_argument(parser)
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.validate.shacl import validate_graph

    report = validate_graph(graph_to_read(args.graph))
    for problem in report.problems:
        print(problem, file=sys.stderr)
    if report.conforms:
        if not args.quiet:
            print(f"valid: {report.triples} triples in {len(report.files)} files conform")
        return 0
    print(f"invalid: {len(report.problems)} problem(s)", file=sys.stderr)
    return 1
