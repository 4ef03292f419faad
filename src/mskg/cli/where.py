"""Which graph folder a command reads or writes (:mod:`mskg.paths` chooses), and the one line on
standard error that says so when the command line does not: for the graph of the checkout around
the current folder and for ``$MSKG_GRAPH``, not for ``--graph DIR`` (just typed) nor for the
packaged graph (the default outside a checkout)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from mskg.paths import FROM_OPTION, FROM_PACKAGE, Location, find_graph, find_writable_graph
from mskg.terminal import terminal_safe

#: Help of ``--graph`` on the commands that read the graph.
GRAPH_HELP = (
    "graph folder (default: $MSKG_GRAPH, else graph/ of the checkout around the current folder, "
    "else the graph installed with mskg)"
)
#: Help of ``--graph`` on the commands that write into the graph.
WRITABLE_GRAPH_HELP = (
    "graph folder to write into (default: $MSKG_GRAPH, else graph/ of the checkout around the "
    "current folder; the graph installed with mskg is never written)"
)


def add_graph_argument(parser: argparse.ArgumentParser, *, writing: bool = False) -> None:
    parser.add_argument(
        "--graph", metavar="DIR", help=WRITABLE_GRAPH_HELP if writing else GRAPH_HELP
    )


def shown_path(path: Path) -> str:
    """``path`` relative to the current folder (``./graph``) when it is inside it, else
    absolute."""
    absolute = path.resolve()
    try:
        inside = absolute.relative_to(Path.cwd().resolve())
    except ValueError:
        return str(absolute)
    return "." if inside == Path() else f"./{inside}"


def describe(location: Location) -> str:
    """``./graph (checkout)``: where and why."""
    return f"{shown_path(location.path)} ({location.origin})"


def announce(location: Location) -> Path:
    """Say on standard error which graph is used, unless it is the packaged one or was named on
    the command line; return it."""
    if location.origin not in (FROM_PACKAGE, FROM_OPTION):
        print(f"using graph: {terminal_safe(describe(location))}", file=sys.stderr)
    return location.path


def graph_to_read(explicit: str | None) -> Path:
    """The graph folder a reading command uses (announced)."""
    return announce(find_graph(explicit))


def graph_to_write(explicit: str | None, command: str) -> Path:
    """The graph folder a writing command writes into (announced); never the packaged one."""
    return announce(find_writable_graph(explicit, command=command))


def graph_of_store(store: str, explicit: str | None) -> Location | None:
    """The graph folder the memory store of ``--store`` reads (announced), or None for the other
    stores, which hold their own data."""
    from mskg.stores.spec import parse_store_spec

    if parse_store_spec(store).kind != "memory":
        return None
    location = find_graph(explicit)
    announce(location)
    return location
