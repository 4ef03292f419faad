"""Where the graph and the named queries live.

Commands that only read the graph (query, validate, export, viz...) default to the bundled copy
in an installed wheel, else the source tree this package was imported from. Commands that write
into a graph (``mskg new``, ``mskg import``) never default to either: with an editable install
they would edit another checkout, and with a wheel the installed package. They use ``./graph``
when the current folder has one (with ``ontology.ttl``), else ``--graph DIR`` is required; see
:func:`writable_graph_dir`.
"""

from __future__ import annotations

from pathlib import Path

from mskg.errors import UsageError

_PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE_DIR / "_data"
_SOURCE_TREE = _PACKAGE_DIR.parent.parent

#: The folder name a writing command looks for in the current folder.
GRAPH_FOLDER = "graph"
#: The file that marks a folder as an mskg graph.
ONTOLOGY_FILE = "ontology.ttl"


def _pick(name: str) -> Path:
    source = _SOURCE_TREE / name
    # A checkout (editable install, tests) edits graph/ in place, so prefer it when present.
    if (_SOURCE_TREE / "pyproject.toml").is_file() and source.is_dir():
        return source
    return _BUNDLED / name


def default_graph_dir() -> Path:
    """The folder holding the curated graph (ontology.ttl, shapes.ttl, data/*.ttl), for reading."""
    return _pick("graph")


def default_queries_dir() -> Path:
    """The folder holding the named SPARQL queries (*.rq)."""
    return _pick("queries")


def refuse_package_data(path: Path | str) -> None:
    """Raise :class:`UsageError` if ``path`` is inside the installed mskg package (its bundled
    graph and queries), which must never be edited in place."""
    target = Path(path).resolve()
    if target == _PACKAGE_DIR or _PACKAGE_DIR in target.parents:
        raise UsageError(
            f"{path} is inside the installed mskg package ({_PACKAGE_DIR}), which is never "
            f"written to: copy the graph into a folder of your own (cp -r "
            f"{default_graph_dir()} ./graph) and work there, or pass --graph DIR"
        )


def writable_graph_dir(explicit: Path | str | None = None, *, command: str = "new") -> Path:
    """The graph folder a command that writes into the graph works on.

    ``explicit`` (the ``--graph`` option) when given; otherwise ``./graph`` if the current folder
    has one holding ``ontology.ttl``. Never the bundled package data. Raises :class:`UsageError`
    saying what to do when there is no such folder.
    """
    if explicit is not None:
        root = Path(explicit)
    else:
        here = Path.cwd() / GRAPH_FOLDER
        if not (here / ONTOLOGY_FILE).is_file():
            raise UsageError(
                f"mskg {command} writes into a graph folder, and there is no "
                f"{GRAPH_FOLDER}/{ONTOLOGY_FILE} in the current folder ({Path.cwd()}): run it "
                "from the root of your copy of the graph, or pass --graph DIR"
            )
        root = Path(GRAPH_FOLDER)
    refuse_package_data(root)
    return root
