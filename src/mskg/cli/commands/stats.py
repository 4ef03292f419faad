"""mskg stats: counts by class and by property."""

from __future__ import annotations

import argparse
import json

from mskg.cli.where import add_graph_argument, describe, graph_of_store
from mskg.stores.spec import add_store_argument
from mskg.terminal import terminal_safe


def register(parser: argparse.ArgumentParser) -> None:
    add_graph_argument(parser)
    add_store_argument(parser)
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.stores import open_store, parse_store_spec

    graph = graph_of_store(args.store, args.graph)
    with open_store(args.store, None if graph is None else graph.path, read_only=True) as store:
        stats = store.stats()
    if args.format == "json":
        where: dict[str, object] = (
            {"store": str(parse_store_spec(args.store))}
            if graph is None
            else {"graph": {"path": str(graph.path.resolve()), "origin": graph.origin}}
        )
        print(json.dumps({**where, **stats.as_dict()}, indent=2))
        return 0
    if graph is None:
        print(f"store     {terminal_safe(str(parse_store_spec(args.store)))}")
    else:
        print(f"graph     {terminal_safe(describe(graph))}")
    print(f"triples   {stats.triples}")
    print(f"subjects  {stats.subjects}")
    for title, rows in (("class", stats.by_class), ("property", stats.by_property)):
        width = max((len(name) for name, _ in rows), default=10)
        print(f"\n{title:<{width}}  count")
        for name, count in rows:
            print(f"{name:<{width}}  {count:>5}")
    return 0
