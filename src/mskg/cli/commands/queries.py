"""mskg queries: list the named queries, or show one."""

from __future__ import annotations

import argparse
import json


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", metavar="NAME", help="show this query in full")
    parser.add_argument("--format", choices=["table", "json"], default="table")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.sparql.named import NamedQuery, list_queries, load_query

    queries: list[NamedQuery] = [load_query(args.name)] if args.name else list_queries()
    if args.format == "json":
        print(json.dumps([_as_dict(q) for q in queries], indent=2))
        return 0
    if args.name:
        query = queries[0]
        print(f"{query.name}: {query.title}")
        if query.header.description:
            print(f"\n{query.header.description}")
        if query.header.params:
            print("\nparameters:")
            for p in query.header.params:
                extra = f" (default: {p.default})" if p.default else " (default: all)"
                kind = f" [{p.cls}]" if p.cls else ""
                print(f"  {p.name}{kind}{extra}  {p.description}".rstrip())
        print(f"\nfile: {query.path}\n")
        print(query.text.rstrip())
        return 0
    width = max((len(q.name) for q in queries), default=4)
    for query in queries:
        # NAME=DEFAULT, or NAME=(all) for a parameter that is unbound unless given
        params = " ".join(f"{p.name}={p.default or '(all)'}" for p in query.header.params)
        print(f"{query.name:<{width}}  {query.title}" + (f"  [{params}]" if params else ""))
    return 0


def _as_dict(query: object) -> dict[str, object]:
    from mskg.sparql.named import NamedQuery

    assert isinstance(query, NamedQuery)
    return {
        "name": query.name,
        "title": query.title,
        "description": query.header.description,
        "params": [
            {"name": p.name, "class": p.cls, "default": p.default, "description": p.description}
            for p in query.header.params
        ],
        "file": str(query.path) if query.path else None,
    }
