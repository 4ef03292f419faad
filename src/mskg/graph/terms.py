"""pyoxigraph terms as rdflib terms, keeping every literal as written.

pyoxigraph parses (strict, fast) and rdflib holds the graph for the Python API, pySHACL and
inference. Literals are made with ``normalize=False`` so that ``"PT24H"^^xsd:duration`` stays
``PT24H`` and ``"01"^^xsd:integer`` stays ``01``, without touching rdflib's process-wide
``NORMALIZE_LITERALS`` switch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef

if TYPE_CHECKING:
    from rdflib.term import Node

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def from_oxigraph(term: Any) -> Node:
    """The rdflib term for a pyoxigraph ``NamedNode``, ``BlankNode`` or ``Literal``."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    raise TypeError(f"not an RDF 1.1 term: {term}")  # an RDF 1.2 triple term
