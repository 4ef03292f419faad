"""mskg diff OLD NEW: statements added and removed. Exit 0 same, 1 different, 2 load error."""

from __future__ import annotations

import argparse
import sys

FORMATS = ("text", "nt", "json")


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("old", metavar="OLD", help="the earlier graph: a folder or an RDF file")
    parser.add_argument("new", metavar="NEW", help="the later graph: a folder or an RDF file")
    parser.add_argument(
        "-f",
        "--format",
        choices=FORMATS,
        default="text",
        help="text: '+ s p o .' / '- s p o .' with prefixed names and a summary (default); "
        "nt: the same in N-Triples; json",
    )
    parser.epilog = (parser.epilog or "") + (
        "  diff exits 0 when OLD and NEW hold the same statements, 1 when they differ\n"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.graph.diff import diff_paths, format_diff

    result = diff_paths(args.old, args.new)
    sys.stdout.write(format_diff(result, args.format))
    return 0 if result.same else 1
