"""mskg viz: draw the graph, a drug's neighbourhood or a CONSTRUCT result as one HTML page."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(parser: argparse.ArgumentParser) -> None:
    from mskg.cli.where import add_graph_argument
    from mskg.viz.layout import DEFAULT_PHYSICS_THRESHOLD as PHYSICS_THRESHOLD

    add_graph_argument(parser)
    from mskg.stores.spec import add_store_argument

    add_store_argument(parser)
    parser.add_argument(
        "-o", "--output", metavar="FILE", default="mskg.html", help="HTML file to write"
    )
    parser.add_argument(
        "--focus", metavar="NAME", help="draw only this node's neighbourhood (label, brand or IRI)"
    )
    parser.add_argument(
        "--hops", type=int, default=1, metavar="N", help="neighbourhood radius (default: 1)"
    )
    parser.add_argument(
        "--query", metavar="FILE.rq", help="draw the triples a SPARQL CONSTRUCT query returns"
    )
    parser.add_argument(
        "--types",
        nargs="+",
        metavar="CLASS",
        help="keep only nodes of these classes (mskg:Drug, AdverseEffect, 'cell type', ...)",
    )
    parser.add_argument("--title", help="page heading (default: mskg and what is drawn)")
    parser.add_argument(
        "--physics-threshold",
        type=int,
        default=None,
        metavar="N",
        help=f"above N nodes, lay out in Python with physics off (default: {PHYSICS_THRESHOLD})",
    )
    parser.add_argument("--open", action="store_true", help="open the page in a web browser")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.cli.where import graph_of_store
    from mskg.errors import UsageError
    from mskg.stores import open_store
    from mskg.viz.layout import DEFAULT_PHYSICS_THRESHOLD
    from mskg.viz.page import open_in_browser, visualize

    query = query_name = None
    if args.query is not None:
        path = Path(args.query)
        try:
            query = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{path}: cannot read query: {exc.strerror}") from exc
        query_name = path.name
    threshold = args.physics_threshold
    # The store itself, not a copy of it: --focus and --query ask it for what they draw.
    graph = graph_of_store(args.store, args.graph)
    with open_store(args.store, None if graph is None else graph.path, read_only=True) as store:
        out, network = visualize(
            store,
            args.output,
            focus=args.focus,
            hops=args.hops,
            query=query,
            query_name=query_name,
            types=args.types,
            title=args.title,
            physics_threshold=DEFAULT_PHYSICS_THRESHOLD if threshold is None else threshold,
        )
    print(
        f"wrote {out}: {network.number_of_nodes()} nodes, {network.number_of_edges()} edges",
        file=sys.stderr,
    )
    if network.number_of_nodes() == 0:
        print(
            "warning: nothing to draw: the "
            + ("query returned" if query is not None else "selection has")
            + " no nodes; the page says so",
            file=sys.stderr,
        )
    if args.open and not open_in_browser(out):
        print(f"no browser found; open {out.resolve().as_uri()}", file=sys.stderr)
    return 0
