"""mskg new drug NAME: write a skeleton Turtle file with TODO-... placeholders to fill in."""

from __future__ import annotations

import argparse
from pathlib import Path

from mskg.cli.where import add_graph_argument


def register(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("drug",), help="what to add (today: drug)")
    parser.add_argument("name", metavar="NAME", help="generic name, e.g. ofatumumab")
    add_graph_argument(parser, writing=True)
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="where to write (default: GRAPH/data/NAME.ttl)"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from mskg.authoring.skeleton import placeholders, slugify, write_skeleton
    from mskg.cli.where import graph_to_write

    if args.output is not None:
        out = Path(args.output)
    else:
        graph = graph_to_write(args.graph, command="new")
        out = graph / "data" / f"{slugify(args.name)}.ttl"
    write_skeleton(args.kind, args.name, out, force=args.force)
    todo = placeholders(out.read_text(encoding="utf-8"))
    print(
        f"wrote {out}: replace the {len(todo)} TODO-... placeholders, then run "
        f"{validate_command(out)}"
    )
    for line, token in todo:
        print(f"  {out}:{line}: {token}")
    return 0


def validate_command(written: Path) -> str:
    """The ``mskg validate`` that reads the file just written: with no option when the graph it
    reads from here holds the file, else with ``--graph`` naming the graph folder around it."""
    from mskg.cli.where import shown_path
    from mskg.paths import ONTOLOGY_FILE, find_graph

    target = written.resolve()
    if find_graph().path.resolve() in target.parents:
        return "mskg validate"
    folder = next((p for p in target.parents if (p / ONTOLOGY_FILE).is_file()), None)
    return f"mskg validate --graph {shown_path(folder)}" if folder else "mskg validate --graph DIR"
