"""The ``mskg`` command: a thin layer over the library.

Each subcommand lives in ``mskg/cli/commands/<name>.py`` with ``register(subparsers)``; it parses
its arguments, calls one library function and formats the result. Modules are imported only when
their command runs, so ``mskg query`` never loads pyshacl, networkx or pyvis.

Exit codes: 0 success; 1 a negative answer (graph does not validate); 2 usage or load error
(bad option, unreadable file, SPARQL syntax error, unknown name); 130 interrupted.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mskg import __version__
from mskg.errors import MskgError
from mskg.terminal import terminal_safe

#: Subcommand name -> (module under mskg.cli.commands, one-line help).
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "check Turtle syntax, SHACL shapes and undefined ontology terms"),
    "stats": ("stats", "count nodes by class and triples by property"),
    "export": ("export", "write the graph in another format"),
    "query": ("query", "run a named query, a .rq file or a SPARQL string"),
    "queries": ("queries", "list the named queries"),
    "load": ("load", "write the graph plus extra RDF files into an Oxigraph store or endpoint"),
    "serve": ("serve", "serve a read-only SPARQL endpoint with a query page"),
    "viz": ("viz", "draw the graph as an interactive HTML page"),
    "import": ("imports", "import side effects from SIDER 4.1 into graph/imports/"),
    "new": ("new", "write a skeleton Turtle file for a new drug, to fill in"),
    "docs": ("docs", "write HTML documentation of the ontology"),
    "diff": ("diff", "statements added and removed between two versions of the graph"),
}


EPILOG = """exit codes:
  0    success
  1    negative answer (validate: the graph does not conform; query: ASK answered false)
  2    usage, load or query error (bad option, unreadable or unparsable input, SPARQL syntax
       error, refused query, unknown name); also an unexpected error (rerun with --debug)
  130  interrupted (Ctrl-C)
"""


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="mskg",
        description="Knowledge graph of multiple sclerosis infusion treatments.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"mskg {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        if only is not None and name != only:
            # Other commands get a stub so `mskg --help` lists them without importing them.
            sub.add_parser(name, help=help_text)
            continue
        module = importlib.import_module(f"mskg.cli.commands.{module_name}")
        command_parser = sub.add_parser(
            name,
            help=help_text,
            description=help_text,
            epilog=EPILOG,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        command_parser.add_argument(
            "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks"
        )
        module.register(command_parser)
    return parser


def _requested_command(argv: Sequence[str]) -> str | None:
    for arg in argv:
        if arg in COMMANDS:
            return arg
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = _requested_command(args_list)
    parser = build_parser(only=command)
    args = parser.parse_args(args_list)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        result: int = args.func(args)
        return result
    except MskgError as exc:
        if args.debug:
            raise
        print(f"error: {terminal_safe(str(exc))}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:
        # A bug, not the user's input: still no traceback unless asked, but say how to get one.
        if args.debug:
            raise
        print(
            f"error: unexpected {type(exc).__name__}: {terminal_safe(str(exc))} "
            "(a bug in mskg: rerun with --debug and report the traceback)",
            file=sys.stderr,
        )
        return 2


def run() -> None:
    sys.exit(main())
