"""The one table of RDF file formats: suffix to parser name, for rdflib and for pyoxigraph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mskg.errors import UsageError

#: RDF formats read from a graph folder, by file suffix (rdflib's parser names).
RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}

#: RDF syntaxes a store can load, by file suffix (a further ``.gz`` is decompressed on the fly):
#: those of a graph folder, and N3.
LOAD_FORMATS: dict[str, str] = {**RDF_FORMATS, ".n3": "n3"}


def load_format(path: Path) -> tuple[str, bool]:
    """(format name, gzip-compressed) of a file to load, from its suffixes."""
    suffixes = [s.lower() for s in path.suffixes]
    compressed = bool(suffixes) and suffixes[-1] == ".gz"
    suffix = suffixes[-2] if compressed and len(suffixes) >= 2 else (suffixes or [""])[-1]
    if suffix not in LOAD_FORMATS:
        known = ", ".join(f"*{s}" for s in LOAD_FORMATS)
        raise UsageError(f"{path}: unknown RDF file type; expected {known} (optionally .gz)")
    return LOAD_FORMATS[suffix], compressed


def oxigraph_format(name: str) -> Any:
    """pyoxigraph's format for one of the format names above."""
    import pyoxigraph

    return {
        "turtle": pyoxigraph.RdfFormat.TURTLE,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "json-ld": pyoxigraph.RdfFormat.JSON_LD,
        "xml": pyoxigraph.RdfFormat.RDF_XML,
        "n3": pyoxigraph.RdfFormat.N3,
    }[name]
