"""Syntax checks by pyoxigraph's strict parser, and parser errors as file:line:column."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from mskg.errors import GraphLoadError

# pyoxigraph puts the position in front of its message; mskg shows it as file:line:column.
_OXIGRAPH_POSITION = re.compile(
    r"^Parser error (?:at line \d+ (?:between columns \d+ and \d+|column \d+)"
    r"|between line \d+ column \d+ and line \d+ column \d+): "
)


# Messages about something missing at the end of a statement (a dot, a bracket) that the parser
# notices only at the next token, or at the end of the file.
_MISSING_AT_END = re.compile(r"expect|must be followed|should end|unexpected end", re.IGNORECASE)


_BAD_IRI_MESSAGE = re.compile(r"error while parsing IRI '(.+?)'")


def oxigraph_syntax_error(
    file: Path, exc: SyntaxError, source: IO[bytes] | None = None
) -> GraphLoadError:
    """pyoxigraph's SyntaxError as a GraphLoadError at file:line:column.

    With ``source`` (the file's bytes, read again on failure), a statement left open is reported
    at the end of its last line, where the fix goes, rather than at the next token or the end of
    the file, where the parser noticed; and an RDF/XML error about an IRI (pyoxigraph gives no
    position for RDF/XML) at the first place the IRI is written.
    """
    message = _OXIGRAPH_POSITION.sub("", str(exc.msg or exc)).strip()
    line, column = exc.lineno, exc.offset
    if source is not None:
        bad_iri = _BAD_IRI_MESSAGE.search(message)
        if line is None and bad_iri:
            line, column = _find_text(source, bad_iri.group(1))
        elif line is not None and _MISSING_AT_END.search(message):
            noticed = f" (noticed at line {line}, column {column})"
            line, column = _end_of_last_statement(source, line, column)
            if message == "Unexpected end":
                message = "the file ends before this statement does (a missing '.', ']' or ')'?)"
            elif line != exc.lineno:
                message += noticed
    return GraphLoadError(file, f"syntax error: {message}", line=line, column=column)


def _text_lines(source: IO[bytes]) -> Iterator[tuple[int, str]]:
    """(number, text) of each line, counted as pyoxigraph counts them (CR, LF or CRLF ends one)."""
    text = io.TextIOWrapper(source, encoding="utf-8", errors="replace", newline=None)
    for number, row in enumerate(text, start=1):
        yield number, row.rstrip("\n")


def _end_of_last_statement(
    source: IO[bytes], line: int, column: int | None
) -> tuple[int, int | None]:
    """Where the last line with content before (``line``, ``column``) ends, when only blank and
    comment lines lie between them; else (``line``, ``column``) unchanged."""
    last: tuple[int, int] | None = None
    for number, row in _text_lines(source):
        if number == line:
            if row[: (column or 1) - 1].strip():
                return line, column  # the fault is after other content on its own line
            break
        code = row.strip()
        if code and not code.startswith("#"):
            last = (number, len(row.rstrip()) + 1)
    return last if last is not None else (line, column)


def _find_text(source: IO[bytes], needle: str) -> tuple[int | None, int | None]:
    for number, row in _text_lines(source):
        found = row.find(needle)
        if found >= 0:
            return number, found + 1
    return None, None
