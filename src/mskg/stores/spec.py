"""The ``--store`` descriptor: its option, its help text and its parser.

Kept apart from :mod:`mskg.stores` (the backends) so that a command can declare and read
``--store`` without importing the backends: ``mskg query`` on the default memory store never
imports :mod:`mskg.stores`. :mod:`mskg.stores` re-exports every name here.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass
from typing import Any

from mskg.errors import UsageError

#: Help text for ``--store``, shared by every command.
STORE_HELP = (
    "where the graph is: memory (default: rdflib, the graph folder), oxigraph:PATH (an on-disk "
    "Oxigraph store filled by `mskg load`) or sparql:URL (a SPARQL 1.1 endpoint)"
)


STORE_KINDS = ("memory", "oxigraph", "sparql")


def add_store_argument(parser: Any) -> None:
    """Add the shared ``--store SPEC`` option to an argparse parser."""
    parser.add_argument(
        "--store",
        metavar="SPEC",
        default=os.environ.get("MSKG_STORE") or "memory",
        help=STORE_HELP + "; default from $MSKG_STORE, else memory",
    )


@dataclass(frozen=True)
class StoreSpec:
    """A parsed ``--store`` descriptor: ``kind`` is memory, oxigraph or sparql."""

    kind: str
    location: str = ""

    def __str__(self) -> str:
        return self.kind if not self.location else f"{self.kind}:{self.location}"


def parse_store_spec(spec: str | StoreSpec | None) -> StoreSpec:
    """Read ``memory``, ``oxigraph:PATH`` or ``sparql:URL``; raise :class:`UsageError` otherwise."""
    if isinstance(spec, StoreSpec):
        return spec
    text = (spec or "memory").strip()
    kind, sep, location = text.partition(":")
    kind = kind.strip().lower()
    if kind == "memory" and not location:
        return StoreSpec("memory")
    if kind == "oxigraph" and sep and location.strip():
        return StoreSpec("oxigraph", location.strip())
    if kind == "sparql" and sep:
        url = location.strip()
        if urllib.parse.urlsplit(url).scheme in ("http", "https"):
            return StoreSpec("sparql", url)
        raise UsageError(f"--store {text!r}: expected sparql:http://HOST:PORT/PATH")
    if kind in ("http", "https"):
        raise UsageError(f"--store {text!r}: write sparql:{text} for a SPARQL endpoint")
    raise UsageError(
        f"--store {text!r}: expected memory, oxigraph:PATH or sparql:URL "
        "(e.g. oxigraph:./mskg.oxigraph, sparql:http://127.0.0.1:7878/query)"
    )
