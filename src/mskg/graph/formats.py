"""The one table of RDF syntaxes: file suffixes, media type, rdflib's and pyoxigraph's names,
and the name mskg writes it under; the other tables of formats are read from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mskg.errors import UsageError


@dataclass(frozen=True)
class RdfSyntax:
    name: str  # rdflib's parser and serializer name, used as the format name throughout mskg
    suffixes: tuple[str, ...]
    media_type: str
    oxigraph_name: str  # the pyoxigraph.RdfFormat member
    output_name: str | None = None  # what --format calls it, where mskg writes it
    in_graph_folder: bool = True  # N3 is only loaded into stores, never read from a graph folder


SYNTAXES: tuple[RdfSyntax, ...] = (
    RdfSyntax("turtle", (".ttl",), "text/turtle", "TURTLE", output_name="ttl"),
    RdfSyntax("nt", (".nt",), "application/n-triples", "N_TRIPLES", output_name="nt"),
    RdfSyntax("json-ld", (".jsonld",), "application/ld+json", "JSON_LD", output_name="jsonld"),
    RdfSyntax("xml", (".rdf", ".owl"), "application/rdf+xml", "RDF_XML"),
    RdfSyntax("n3", (".n3",), "text/n3", "N3", in_graph_folder=False),
)

_BY_NAME = {syntax.name: syntax for syntax in SYNTAXES}

#: RDF formats read from a graph folder, by file suffix (rdflib's parser names).
RDF_FORMATS: dict[str, str] = {
    suffix: syntax.name
    for syntax in SYNTAXES
    if syntax.in_graph_folder
    for suffix in syntax.suffixes
}

#: RDF syntaxes a store can load, by file suffix (a further ``.gz`` is decompressed on the fly):
#: those of a graph folder, and N3.
LOAD_FORMATS: dict[str, str] = {
    suffix: syntax.name for syntax in SYNTAXES for suffix in syntax.suffixes
}

#: RDF syntaxes mskg writes (exports, CONSTRUCT answers): output name -> rdflib serializer.
OUTPUT_FORMATS: dict[str, str] = {
    syntax.output_name: syntax.name for syntax in SYNTAXES if syntax.output_name
}

#: The media type of each output name.
OUTPUT_MEDIA_TYPES: dict[str, str] = {
    syntax.output_name: syntax.media_type for syntax in SYNTAXES if syntax.output_name
}

#: Media types of the RDF a SPARQL endpoint may answer with, as of a graph folder's files.
READ_MEDIA_TYPES: dict[str, str] = {
    syntax.media_type: syntax.name for syntax in SYNTAXES if syntax.in_graph_folder
}


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

    return getattr(pyoxigraph.RdfFormat, _BY_NAME[name].oxigraph_name)
