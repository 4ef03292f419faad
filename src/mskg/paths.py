"""Where the graph and the named queries live: found the way git finds its repository.

From the current folder upwards, the first folder holding ``graph/ontology.ttl`` and a
``queries/`` folder is a *checkout*: every command reads its ``graph/`` and ``queries/``, so a
researcher's own ``graph/data/mydrug.ttl`` and ``queries/my-question.rq`` are seen with no flag.
Outside any checkout mskg reads its *packaged* graph: the copy bundled in an installed wheel, or
the source tree this package was imported from (an editable install). ``--graph DIR`` beats
``$MSKG_GRAPH``, which beats the checkout (``$MSKG_QUERIES`` likewise for the queries).

:func:`find_graph` and :func:`find_queries` return the choice and why (:class:`Location`); the
library only returns it, the command line says it (``using graph: ./graph (checkout)``) unless
``--graph`` named it.
Commands that write into a graph (``mskg new``, ``mskg import``) take the same choice but never
the packaged graph: :func:`writable_graph_dir`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from mskg.errors import UsageError

_PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE_DIR / "_data"
_SOURCE_TREE = _PACKAGE_DIR.parent.parent

#: The graph folder of a checkout.
GRAPH_FOLDER = "graph"
#: The named-queries folder of a checkout.
QUERIES_FOLDER = "queries"
#: The file that marks a folder as an mskg graph.
ONTOLOGY_FILE = "ontology.ttl"
#: The environment variables that name the graph folder and the queries folder.
GRAPH_ENV = "MSKG_GRAPH"
QUERIES_ENV = "MSKG_QUERIES"

#: Where a :class:`Location` came from, strongest first.
FROM_OPTION = "--graph"
FROM_CHECKOUT = "checkout"
FROM_PACKAGE = "packaged"


@dataclass(frozen=True)
class Location:
    """A folder mskg reads, and why: ``origin`` is ``--graph``, ``MSKG_GRAPH`` (or
    ``MSKG_QUERIES``), ``checkout`` or ``packaged``."""

    path: Path
    origin: str

    @property
    def packaged(self) -> bool:
        return self.origin == FROM_PACKAGE


def _packaged(name: str) -> Path:
    source = _SOURCE_TREE / name
    # An editable install (pyproject.toml beside src/) reads its own tree, else the wheel's copy.
    if (_SOURCE_TREE / "pyproject.toml").is_file() and source.is_dir():
        return source
    return _BUNDLED / name


def find_checkout() -> Path | None:
    """The first folder from the current folder upwards that holds
    ``graph/ontology.ttl`` and a ``queries/`` folder, or None. The current folder itself is
    returned as ``.``, so that file names in messages read ``graph/data/x.ttl``."""
    try:
        cwd = Path.cwd()
    except OSError:  # the current folder was deleted
        return None
    for folder in (cwd, *cwd.parents):
        if (folder / GRAPH_FOLDER / ONTOLOGY_FILE).is_file() and (folder / QUERIES_FOLDER).is_dir():
            return Path() if folder == cwd else folder
    return None


def _choose(folder: str, env: str, explicit: Path | str | None) -> Location:
    if explicit is not None:
        return Location(Path(explicit), FROM_OPTION)
    named = os.environ.get(env)
    if named:
        return Location(Path(named), env)
    checkout = find_checkout()
    if checkout is not None:
        return Location(checkout / folder, FROM_CHECKOUT)
    return Location(_packaged(folder), FROM_PACKAGE)


def find_graph(explicit: Path | str | None = None) -> Location:
    """The graph folder a command reads: ``explicit`` (``--graph DIR``), else ``$MSKG_GRAPH``,
    else ``graph/`` of the checkout around the current folder, else the packaged graph."""
    return _choose(GRAPH_FOLDER, GRAPH_ENV, explicit)


def find_queries() -> Location:
    """The folder of the named queries: ``$MSKG_QUERIES``, else ``queries/`` of the checkout
    around the current folder, else the packaged queries."""
    return _choose(QUERIES_FOLDER, QUERIES_ENV, None)


def default_graph_dir() -> Path:
    """The folder holding the graph (ontology.ttl, shapes.ttl, data/*.ttl), for reading."""
    return find_graph().path


def default_queries_dir() -> Path:
    """The folder holding the named SPARQL queries (*.rq)."""
    return find_queries().path


def _how_to_start() -> str:
    return (
        f"work in a checkout (a folder holding {GRAPH_FOLDER}/{ONTOLOGY_FILE} and "
        f"{QUERIES_FOLDER}/, such as a clone of mskg; to start one, copy "
        f"{_packaged(GRAPH_FOLDER)} and {_packaged(QUERIES_FOLDER)} into a folder of your own), "
        "or pass --graph DIR"
    )


def refuse_package_data(path: Path | str) -> None:
    """Raise :class:`UsageError` if ``path`` is inside the installed mskg package (its bundled
    graph and queries), which must never be edited in place."""
    target = Path(path).resolve()
    if target == _PACKAGE_DIR or _PACKAGE_DIR in target.parents:
        raise UsageError(
            f"{path} is inside the installed mskg package ({_PACKAGE_DIR}), which is never "
            f"written to: {_how_to_start()}"
        )


def find_writable_graph(explicit: Path | str | None = None, *, command: str = "new") -> Location:
    """The graph folder a command that writes into the graph works on: the choice of
    :func:`find_graph`, except that the packaged graph is never written. Raises
    :class:`UsageError` saying what to do when there is no checkout and no folder was named."""
    location = find_graph(explicit)
    if location.packaged:
        raise UsageError(
            f"mskg {command} writes into a graph folder, and there is no checkout in the current "
            f"folder or above it: {_how_to_start()}"
        )
    refuse_package_data(location.path)
    return location


def writable_graph_dir(explicit: Path | str | None = None, *, command: str = "new") -> Path:
    """The folder of :func:`find_writable_graph`."""
    return find_writable_graph(explicit, command=command).path
