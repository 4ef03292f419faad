"""mskg stats: counts by class and by property."""

from __future__ import annotations

import argparse
import json

from mskg.stores.spec import add_store_argument


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--graph", metavar="DIR", help="graph folder (default: the curated graph)")
    add_store_argument(parser)
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.stores import open_store

    with open_store(args.store, args.graph, read_only=True) as store:
        stats = store.stats()
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
