"""mskg new drug NAME: write a skeleton Turtle file with TODO-... placeholders to fill in."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("drug",), help="what to add (today: drug)")
    parser.add_argument("name", metavar="NAME", help="generic name, e.g. ublituximab")
    parser.add_argument(
        "--graph",
        metavar="DIR",
        help="graph folder to write into (default: ./graph, when the current folder has one "
        "with ontology.ttl; the graph bundled with mskg is never written)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="where to write (default: GRAPH/data/NAME.ttl)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.authoring.skeleton import placeholders, slugify, write_skeleton
    from mskg.paths import writable_graph_dir

    if args.output is not None:
        out = Path(args.output)
    else:
        graph = writable_graph_dir(args.graph, command="new")
        out = graph / "data" / f"{slugify(args.name)}.ttl"
    write_skeleton(args.kind, args.name, out, force=args.force)
    todo = placeholders(out.read_text(encoding="utf-8"))
    print(f"wrote {out}: replace the {len(todo)} TODO-... placeholders, then run mskg validate")
    for line, token in todo:
        print(f"  {out}:{line}: {token}")
    return 0
