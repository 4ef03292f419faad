"""pyoxigraph terms as rdflib terms, keeping every literal as written.

pyoxigraph parses (strict, fast) and rdflib holds the graph for the Python API, pySHACL and
inference. Literals are made with ``normalize=False`` so that ``"PT24H"^^xsd:duration`` stays
``PT24H`` and ``"01"^^xsd:integer`` stays ``01``, without touching rdflib's process-wide
``NORMALIZE_LITERALS`` switch.

A literal that does not fit its datatype (``"five"^^xsd:integer`` in a file, or a SPARQL
endpoint's ``"7200.0"^^xsd:duration``) is kept as written (``Literal.ill_typed`` is true); the
traceback rdflib logs for it is dropped here, for every part that makes rdflib terms.
"""

from __future__ import annotations

import hashlib
import logging
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef

from mskg.prefixes import XSD_STRING

if TYPE_CHECKING:
    from rdflib.term import Node


class _QuietIllTypedLiterals(logging.Filter):
    """Drop rdflib's traceback for a literal that does not fit its datatype ("five"^^xsd:integer).

    The literal is still made (``Literal.ill_typed`` is true) and ``mskg validate`` reports it
    with its file and line, so the traceback is noise on a user's terminal.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal")


logging.getLogger("rdflib.term").addFilter(_QuietIllTypedLiterals())


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


def to_oxigraph(term: Node) -> Any:
    """The pyoxigraph term for an rdflib ``URIRef``, ``BNode`` or ``Literal``; a literal keeps its
    lexical form (``"01"^^xsd:integer`` stays ``01``). A blank node whose name pyoxigraph does not
    accept is named by a hash of it, so that it stays one node. Raises ``ValueError`` for an IRI
    that is not one."""
    import pyoxigraph

    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        if term.datatype is not None and str(term.datatype) != XSD_STRING:
            return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
        return pyoxigraph.Literal(str(term))
    if isinstance(term, BNode):
        try:
            return pyoxigraph.BlankNode(str(term))
        except ValueError:
            return pyoxigraph.BlankNode("h" + hashlib.sha256(str(term).encode()).hexdigest()[:32])
    raise TypeError(f"not an RDF 1.1 term: {term!r}")


def solution_term(term: Any) -> Node | None:
    """A query solution's pyoxigraph term as an rdflib term (None where unbound); an RDF 1.2
    triple term, which rdflib cannot hold, as a literal of its text."""
    if term is None:
        return None
    try:
        return from_oxigraph(term)
    except TypeError:
        return Literal(str(term))
