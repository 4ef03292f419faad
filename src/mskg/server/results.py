"""Answers in the format the client asked for: SPARQL results JSON, XML, CSV, TSV or RDF."""

from __future__ import annotations

import contextlib
import html
import re
from typing import TYPE_CHECKING

from mskg.graph.formats import OUTPUT_MEDIA_TYPES

if TYPE_CHECKING:
    from mskg.sparql.results import QueryResult


#: Result formats: name -> media type.
SELECT_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


GRAPH_TYPES = OUTPUT_MEDIA_TYPES


_ACCEPT_ALIASES = {
    "application/json": "json",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/plain": "nt",
    "application/x-turtle": "ttl",
    "application/turtle": "ttl",
}


_FORMAT_ALIASES = {
    "turtle": "ttl",
    "n-triples": "nt",
    "ntriples": "nt",
    "json-ld": "jsonld",
    "srj": "json",
    "srx": "xml",
}


def negotiate(accept: str | None, fmt: str | None, kind: str) -> str:
    """The format name to answer a ``kind`` query with, from ``format=`` or ``Accept``."""
    table = GRAPH_TYPES if kind in ("CONSTRUCT", "DESCRIBE") else SELECT_TYPES
    default = "ttl" if table is GRAPH_TYPES else "json"
    if fmt:
        name = _FORMAT_ALIASES.get(fmt.lower(), fmt.lower())
        name = _ACCEPT_ALIASES.get(name, name)
        for key, mime in table.items():
            if name in (key, mime):
                return key
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept or "").split(",")):
        pieces = [p.strip() for p in part.split(";")]
        mime = pieces[0].lower()
        if not mime:
            continue
        quality = 1.0
        for piece in pieces[1:]:
            key, _, value = piece.partition("=")
            if key.strip() == "q":
                with contextlib.suppress(ValueError):
                    quality = float(value)
        ranked.append((-quality, index, mime))
    for negative_quality, _index, mime in sorted(ranked):
        if negative_quality >= 0:
            continue
        if mime in ("*/*", "application/*", "text/*"):
            return default
        for key, media in table.items():
            if mime == media or _ACCEPT_ALIASES.get(mime) == key:
                return key
    return default


def render(result: QueryResult, fmt: str) -> tuple[str, bytes]:
    """(content type, body) of ``result`` in ``fmt``."""
    from mskg.sparql.results import format_result

    if fmt == "xml":
        return SELECT_TYPES["xml"] + "; charset=utf-8", results_xml(result).encode("utf-8")
    text = format_result(result, fmt, compact=True)
    mime = {**SELECT_TYPES, **GRAPH_TYPES}[fmt]
    if fmt == "tsv" and result.boolean is not None:
        mime = "text/plain"
    return f"{mime}; charset=utf-8", text.encode("utf-8")


#: Characters XML 1.0 does not allow in a document, even as character references.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_escape(text: str, quote: bool = True) -> str:
    """``text`` escaped for XML content (or an attribute, with ``quote``); every character XML
    1.0 does not allow becomes U+FFFD, and CR a character reference so that it survives
    parsing (a parser turns a raw CR into LF)."""
    return html.escape(_NOT_XML.sub("\ufffd", text), quote=quote).replace("\r", "&#13;")


def results_xml(result: QueryResult) -> str:
    """W3C SPARQL Query Results XML Format.

    A value holding a character XML 1.0 does not allow (a C0 control other than tab, LF and CR;
    U+FFFE, U+FFFF; a lone surrogate) has it replaced by U+FFFD: the document stays
    well-formed, at the price of that character.
    """
    from mskg.sparql.results import term_parts

    esc = xml_escape
    out = ['<?xml version="1.0" encoding="utf-8"?>']
    out.append('<sparql xmlns="http://www.w3.org/2005/sparql-results#">')
    out.append("  <head>")
    out.extend(f'    <variable name="{esc(v)}"/>' for v in result.variables)
    out.append("  </head>")
    if result.boolean is not None:
        out.append(f"  <boolean>{'true' if result.boolean else 'false'}</boolean>")
    else:
        out.append("  <results>")
        for row in result.terms():
            out.append("    <result>")
            for name, term in zip(result.variables, row, strict=True):
                if term is None:
                    continue
                parts = term_parts(term)
                text = esc(parts.value, quote=False)
                if parts.kind != "literal":
                    value = f"<{parts.kind}>{text}</{parts.kind}>"
                elif parts.language:
                    value = f'<literal xml:lang="{esc(parts.language)}">{text}</literal>'
                elif parts.datatype is not None:
                    value = f'<literal datatype="{esc(parts.datatype)}">{text}</literal>'
                else:
                    value = f"<literal>{text}</literal>"
                out.append(f'      <binding name="{esc(name)}">{value}</binding>')
            out.append("    </result>")
        out.append("  </results>")
    out.append("</sparql>")
    return "\n".join(out) + "\n"
