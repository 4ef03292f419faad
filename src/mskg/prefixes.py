"""The project's prefixes, and the one way between an IRI and a prefixed name.

Free of rdflib, so that the paths that do not need it (``mskg query`` on the Oxigraph engine,
the guard, result formats) do not pay for importing it. :func:`compress_iri` and
:func:`expand_curie` go through a ``curies`` converter built from :data:`PREFIXES`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from curies import Converter

MSKG_IRI = "https://w3id.org/mskg/ontology/"
RESOURCE_IRI = "https://w3id.org/mskg/resource/"

#: The datatypes of plain and of language-tagged strings.
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


#: Prefixes bound on every loaded graph and declared in every query.
PREFIXES: dict[str, str] = {
    "mskg": MSKG_IRI,
    "mskr": RESOURCE_IRI,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "schema": "http://schema.org/",
    "biolink": "https://w3id.org/biolink/vocab/",
    "qudt": "http://qudt.org/schema/qudt/",
    "unit": "http://qudt.org/vocab/unit/",
    "sh": "http://www.w3.org/ns/shacl#",
    "vann": "http://purl.org/vocab/vann/",
    "sssom": "https://w3id.org/sssom/",
    "semapv": "https://w3id.org/semapv/vocab/",
}


#: The prefixes written at the top of Turtle files mskg generates (import output, skeletons).
TURTLE_PREFIXES = ("mskg", "mskr", "rdf", "rdfs", "xsd", "skos", "dcterms", "prov", "schema")


def turtle_prefix_block(names: tuple[str, ...] = TURTLE_PREFIXES) -> str:
    """``@prefix`` lines for ``names``, aligned as in graph/data/*.ttl."""
    return "".join(f"@prefix {name + ':':<8} <{PREFIXES[name]}> .\n" for name in names)


def curie_converter(extra_prefixes: Mapping[str, str] | None = None) -> Converter:
    """A ``curies`` converter for :data:`PREFIXES` and ``extra_prefixes`` (an output format's own,
    such as KGX's ``DRUGBANK:``). Where namespaces nest, the longest one an IRI starts with wins."""
    import curies  # imported when first needed: it brings pydantic, slow to import

    return curies.Converter.from_prefix_map({**PREFIXES, **(extra_prefixes or {})})


@functools.cache
def _converter() -> Converter:
    return curie_converter()


def compress_iri(iri: str) -> str | None:
    """``iri`` as a prefixed name under :data:`PREFIXES` (``mskr:natalizumab``), or None when it
    is in none of their namespaces. A namespace itself gives an empty local name (``mskr:``)."""
    return _converter().compress(iri)


def curie_or_iri(iri: str) -> str:
    """``iri`` as a prefixed name where it has a local name under :data:`PREFIXES`, else ``iri``
    itself: a namespace alone (``http://schema.org/``) stays as written."""
    curie = compress_iri(iri)
    return curie if curie is not None and curie.partition(":")[2] else iri


def expand_curie(curie: str) -> str | None:
    """The IRI a prefixed name under :data:`PREFIXES` stands for, or None when its prefix is not
    one of them (or it has no colon)."""
    if ":" not in curie:
        return None
    return _converter().expand(curie)
