"""mskg stats: counts by class and by property."""

from __future__ import annotations

import argparse
import json


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--graph", metavar="DIR", help="graph folder (default: the curated graph)")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.loader import load_graph
    from mskg.stats import graph_stats

    stats = graph_stats(load_graph(args.graph))
    if args.format == "json":
        print(json.dumps(stats.as_dict(), indent=2))
        return 0
    print(f"triples   {stats.triples}")
    print(f"subjects  {stats.subjects}")
    for title, rows in (("class", stats.by_class), ("property", stats.by_property)):
        width = max((len(name) for name, _ in rows), default=10)
        print(f"\n{title:<{width}}  count")
        for name, count in rows:
            print(f"{name:<{width}}  {count:>5}")
    return 0
