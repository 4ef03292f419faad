"""Where the graph and the named queries live: the bundled copy in an installed wheel, else the
source tree this package was imported from."""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE_DIR / "_data"
_SOURCE_TREE = _PACKAGE_DIR.parent.parent


def _pick(name: str) -> Path:
    source = _SOURCE_TREE / name
    # A checkout (editable install, tests) edits graph/ in place, so prefer it when present.
    if (_SOURCE_TREE / "pyproject.toml").is_file() and source.is_dir():
        return source
    return _BUNDLED / name


def default_graph_dir() -> Path:
    """The folder holding the curated graph (ontology.ttl, shapes.ttl, data/*.ttl)."""
    return _pick("graph")


def default_queries_dir() -> Path:
    """The folder holding the named SPARQL queries (*.rq)."""
    return _pick("queries")
