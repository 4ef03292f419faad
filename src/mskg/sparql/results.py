"""The answer to a query, and its table, CSV, TSV, JSON, Markdown and RDF forms."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mskg.errors import UsageError
from mskg.graph.formats import OUTPUT_FORMATS
from mskg.terminal import terminal_safe
from mskg.vocab import compress_iri

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node


#: Output formats for SELECT and ASK results.
TABLE_FORMATS = ("table", "csv", "tsv", "json", "md")


#: Output formats for CONSTRUCT and DESCRIBE results (``json`` is read as ``jsonld``).
GRAPH_FORMATS = tuple(OUTPUT_FORMATS)


@dataclass
class QueryResult:
    """The answer to a query, independent of any output format.

    ``kind`` is SELECT, ASK, CONSTRUCT or DESCRIBE. SELECT fills ``variables`` and ``rows`` (a
    row holds one rdflib term or None per variable); ASK fills ``boolean``; CONSTRUCT and DESCRIBE
    fill ``graph``. ``bindings`` records the nodes bound to each query variable by the parameters
    (``{"drugIri": [mskr:natalizumab]}`` for ``--param drug=natalizumab``).
    """

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Node | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None
    bindings: dict[str, list[Node]] = field(default_factory=dict)

    def __len__(self) -> int:
        if self.graph is not None:
            return len(self.graph)
        return len(self.rows)

    def column(self, name: str) -> list[Node | None]:
        """The values of one variable, in row order."""
        index = self.variables.index(name)
        return [row[index] for row in self.rows]

    def as_strings(self) -> list[tuple[str, ...]]:
        """Rows as plain strings (lexical forms and full IRIs; empty for unbound), for tests."""
        return [tuple("" if v is None else str(v) for v in row) for row in self.rows]


def default_format(result: QueryResult, interactive: bool) -> str:
    """``table`` on a terminal, ``csv`` in a pipe; Turtle for graphs."""
    if result.graph is not None:
        return "ttl"
    return "table" if interactive else "csv"


def format_result(result: QueryResult, fmt: str) -> str:
    """Render ``result`` as ``table``, ``csv``, ``tsv``, ``json``, ``md``, ``ttl``, ``nt`` or
    ``jsonld``. ``json`` is the W3C SPARQL 1.1 Query Results JSON format (JSON-LD for a graph);
    ``csv`` and ``tsv`` follow the W3C SPARQL 1.1 CSV and TSV formats."""
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
            return json.dumps({"head": {}, "boolean": result.boolean}, indent=2) + "\n"
        return ("true" if result.boolean else "false") + "\n"
    return _FORMATTERS[fmt](result)


def display_term(term: Node | None) -> str:
    """A term as a person reads it: a literal's text, an IRI as a prefixed name."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return ""
    if isinstance(term, Literal):
        return terminal_safe(str(term))
    if isinstance(term, URIRef):
        iri = str(term)
        curie = compress_iri(iri)
        # Only a local name that needs no escaping reads as a prefixed name; the rest stay IRIs.
        if curie is not None and re.fullmatch(r"[\w.-]*", curie.partition(":")[2]):
            return curie
        return terminal_safe(f"<{iri}>")
    if isinstance(term, BNode):
        return terminal_safe(f"_:{term}")
    return terminal_safe(str(term))


def _format_table(result: QueryResult) -> str:
    header = result.variables
    body = [[display_term(v).replace("\n", " ") for v in row] for row in result.rows]
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
    for row in result.rows:
        out.append("| " + " | ".join(cell(display_term(v)) for v in row) + " |")
    return "\n".join(out) + "\n"


def _format_csv(result: QueryResult) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if v is None else str(v) for v in row])
    return buffer.getvalue()


def _format_tsv(result: QueryResult) -> str:
    out = ["\t".join(f"?{v}" for v in result.variables)]
    for row in result.rows:
        out.append("\t".join("" if v is None else _n3(v) for v in row))
    return "\n".join(out) + "\n"


def _n3(term: Node) -> str:
    from rdflib import BNode

    if isinstance(term, BNode):
        return f"_:{term}"
    return term.n3().replace("\t", "\\t")


def _format_json(result: QueryResult) -> str:
    document = {
        "head": {"vars": result.variables},
        "results": {
            "bindings": [
                {
                    name: _json_term(value)
                    for name, value in zip(result.variables, row, strict=True)
                    if value is not None
                }
                for row in result.rows
            ]
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _json_term(term: Node) -> dict[str, str]:
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "literal", "value": str(term)}


_FORMATTERS = {
    "table": _format_table,
    "md": _format_md,
    "csv": _format_csv,
    "tsv": _format_tsv,
    "json": _format_json,
}
