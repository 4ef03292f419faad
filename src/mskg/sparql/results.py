"""The answer to a query, and its table, CSV, TSV, JSON, Markdown and RDF forms."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from mskg.errors import UsageError
from mskg.graph.formats import OUTPUT_FORMATS
from mskg.prefixes import XSD_STRING, compress_iri
from mskg.terminal import terminal_safe

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

#: A term in a result row as the engine gave it: an rdflib term, or a pyoxigraph term when
#: Oxigraph answered (:meth:`QueryResult.terms`); :func:`term_parts` reads either.
Term = Any


class TermParts(NamedTuple):
    """What every output format needs of a term, whichever library made it."""

    kind: str  # "uri", "bnode" or "literal", as in the SPARQL JSON results format
    value: str  # the IRI, the blank node's id or the literal's lexical form
    datatype: str | None = None  # None for a plain or language-tagged literal
    language: str | None = None


def term_parts(term: Term) -> TermParts:
    """The kind, value, datatype and language of an rdflib or a pyoxigraph term.

    rdflib terms are ``str`` subclasses; anything else is a pyoxigraph term. Neither library is
    imported here: a term of either comes from a library already loaded.
    """
    if isinstance(term, str):
        from rdflib import BNode, Literal

        if isinstance(term, Literal):
            datatype = str(term.datatype) if term.datatype is not None else None
            return TermParts("literal", str(term), datatype, term.language)
        return TermParts("bnode" if isinstance(term, BNode) else "uri", str(term))
    kind = type(term).__name__
    if kind == "Literal":
        datatype = term.datatype.value
        plain = term.language or datatype == XSD_STRING
        return TermParts("literal", term.value, None if plain else datatype, term.language)
    return TermParts("bnode" if kind == "BlankNode" else "uri", term.value)


#: Output formats for SELECT and ASK results.
TABLE_FORMATS = ("table", "csv", "tsv", "json", "md")


#: Output formats for CONSTRUCT and DESCRIBE results (``json`` is read as ``jsonld``).
GRAPH_FORMATS = tuple(OUTPUT_FORMATS)


class QueryResult:
    """The answer to a query, independent of any output format.

    ``kind`` is SELECT, ASK, CONSTRUCT or DESCRIBE. SELECT fills ``variables`` and ``rows`` (a
    row holds one rdflib term or None per variable); ASK fills ``boolean``; CONSTRUCT and DESCRIBE
    fill ``graph``. ``bindings`` records the nodes bound to each query variable by the parameters
    (``{"drugIri": [mskr:natalizumab]}`` for ``--param drug=natalizumab``). ``truncated`` says
    that a row or triple limit dropped part of the answer.

    An answer from Oxigraph is given as ``native_rows`` (pyoxigraph terms): ``rows`` turns them
    into rdflib terms when first read, while the output formats read them as they are
    (:meth:`terms`), so that printing an answer never imports rdflib.
    """

    def __init__(
        self,
        kind: str,
        *,
        variables: Sequence[str] = (),
        rows: list[tuple[Node | None, ...]] | None = None,
        native_rows: list[tuple[Any, ...]] | None = None,
        boolean: bool | None = None,
        graph: Graph | None = None,
        bindings: dict[str, list[Node]] | None = None,
        truncated: bool = False,
    ) -> None:
        self.kind = kind
        self.variables = list(variables)
        self._rows = rows if rows is not None or native_rows is not None else []
        self._native_rows = native_rows if rows is None else None
        self.boolean = boolean
        self.graph = graph
        self.bindings: dict[str, list[Node]] = bindings if bindings is not None else {}
        self.truncated = truncated

    @property
    def rows(self) -> list[tuple[Node | None, ...]]:
        """The rows as rdflib terms (None where a variable is unbound)."""
        if self._rows is None:
            from mskg.graph.terms import solution_term

            native = self._native_rows or []
            self._rows = [tuple(solution_term(term) for term in row) for row in native]
            self._native_rows = None
        return self._rows

    @rows.setter
    def rows(self, rows: list[tuple[Node | None, ...]]) -> None:
        self._rows = rows
        self._native_rows = None

    def terms(self) -> Sequence[tuple[Term | None, ...]]:
        """The rows with the terms the engine gave: pyoxigraph terms from Oxigraph until
        :attr:`rows` is read, rdflib terms otherwise; :func:`term_parts` reads either."""
        if self._rows is None and self._native_rows is not None:
            return self._native_rows
        return self.rows

    def __len__(self) -> int:
        if self.graph is not None:
            return len(self.graph)
        return len(self.terms())

    def __repr__(self) -> str:
        size = f"{len(self)} {'triples' if self.graph is not None else 'rows'}"
        return f"QueryResult({self.kind}, {self.variables}, {size}, boolean={self.boolean})"

    def column(self, name: str) -> list[Node | None]:
        """The values of one variable, in row order."""
        index = self.variables.index(name)
        return [row[index] for row in self.rows]

    def as_strings(self) -> list[tuple[str, ...]]:
        """Rows as plain strings (lexical forms and full IRIs; empty for unbound), for tests."""
        return [
            tuple("" if v is None else term_parts(v).value for v in row) for row in self.terms()
        ]


def default_format(result: QueryResult, interactive: bool) -> str:
    """``table`` on a terminal, ``csv`` in a pipe; Turtle for graphs."""
    if result.graph is not None:
        return "ttl"
    return "table" if interactive else "csv"


def format_result(result: QueryResult, fmt: str, *, compact: bool = False) -> str:
    """Render ``result`` as ``table``, ``csv``, ``tsv``, ``json``, ``md``, ``ttl``, ``nt`` or
    ``jsonld``. ``json`` is the W3C SPARQL 1.1 Query Results JSON format (JSON-LD for a graph);
    ``csv`` and ``tsv`` follow the W3C SPARQL 1.1 CSV and TSV formats. ``compact`` writes JSON
    results on one line (for programs: several times faster to write), else indented."""
    if result.graph is not None:
        fmt = {"json": "jsonld", "turtle": "ttl"}.get(fmt, fmt)
        if fmt not in GRAPH_FORMATS:
            raise UsageError(
                f"{result.kind} returns a graph: use --format {', '.join(GRAPH_FORMATS)}"
            )
        text = result.graph.serialize(format=OUTPUT_FORMATS[fmt])
        return text if text.endswith("\n") else text + "\n"
    if fmt not in TABLE_FORMATS:
        raise UsageError(
            f"{result.kind} returns {'a boolean' if result.kind == 'ASK' else 'rows'}: "
            f"use --format {', '.join(TABLE_FORMATS)}"
        )
    if result.boolean is not None:
        if fmt == "json":
            return _json_text({"head": {}, "boolean": result.boolean}, compact)
        return ("true" if result.boolean else "false") + "\n"
    if fmt == "json":
        return _format_json(result, compact)
    return _FORMATTERS[fmt](result)


def display_term(term: Term | None) -> str:
    """A term as a person reads it: a literal's text, an IRI as a prefixed name."""
    if term is None:
        return ""
    parts = term_parts(term)
    if parts.kind == "literal":
        return terminal_safe(parts.value)
    if parts.kind == "bnode":
        return terminal_safe(f"_:{parts.value}")
    curie = compress_iri(parts.value)
    # Only a local name that needs no escaping reads as a prefixed name; the rest stay IRIs.
    if curie is not None and re.fullmatch(r"[\w.-]*", curie.partition(":")[2]):
        return curie
    return terminal_safe(f"<{parts.value}>")


def _format_table(result: QueryResult) -> str:
    header = result.variables
    body = [[display_term(v).replace("\n", " ") for v in row] for row in result.terms()]
    widths = [len(h) for h in header]
    for row in body:
        widths = [max(w, len(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(header), line(["-" * w for w in widths])]
    out.extend(line(row) for row in body)
    count = len(body)
    out.append(f"({count} row{'' if count == 1 else 's'})")
    return "\n".join(out) + "\n"


def _format_md(result: QueryResult) -> str:
    def cell(text: str) -> str:
        return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")

    out = ["| " + " | ".join(result.variables) + " |"]
    out.append("|" + "|".join("---" for _ in result.variables) + "|")
    for row in result.terms():
        out.append("| " + " | ".join(cell(display_term(v)) for v in row) + " |")
    return "\n".join(out) + "\n"


def _format_csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.terms():
        writer.writerow(["" if v is None else term_parts(v).value for v in row])
    return buffer.getvalue()


def _format_tsv(result: QueryResult) -> str:
    out = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.terms():
        out.append("\t".join("" if v is None else _n3(v) for v in row))
    return "\n".join(out) + "\n"


#: How a literal's text is escaped in a TSV cell: as in N-Triples, so that a cell never holds a
#: tab or a line break.
_TSV_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _n3(term: Term) -> str:
    parts = term_parts(term)
    if parts.kind == "uri":
        return f"<{parts.value}>"
    if parts.kind == "bnode":
        return f"_:{parts.value}"
    text = f'"{parts.value.translate(_TSV_ESCAPES)}"'
    if parts.language:
        return f"{text}@{parts.language}"
    return f"{text}^^<{parts.datatype}>" if parts.datatype else text


def _json_text(document: object, compact: bool) -> str:
    if compact:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _format_json(result: QueryResult, compact: bool = False) -> str:
    document = {
        "head": {"vars": result.variables},
        "results": {
            "bindings": [
                {
                    name: _json_term(value)
                    for name, value in zip(result.variables, row, strict=True)
                    if value is not None
                }
                for row in result.terms()
            ]
        },
    }
    return _json_text(document, compact)


def _json_term(term: Term) -> dict[str, str]:
    parts = term_parts(term)
    out = {"type": parts.kind, "value": parts.value}
    if parts.language:
        out["xml:lang"] = parts.language
    elif parts.datatype is not None:
        out["datatype"] = parts.datatype
    return out


_FORMATTERS = {
    "table": _format_table,
    "md": _format_md,
    "csv": _format_csv,
    "tsv": _format_tsv,
}
