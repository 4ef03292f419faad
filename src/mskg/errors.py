"""The mskg exception family. Every message names the file, line, column or term at fault."""

from __future__ import annotations

from pathlib import Path


class MskgError(Exception):
    """Base of every error mskg raises on purpose; the CLI prints it without a traceback."""

    exit_code = 2


class UsageError(MskgError):
    """The command was called wrongly: unknown option value, missing file, bad parameter."""


class GraphLoadError(MskgError):
    """An RDF file could not be read or parsed."""

    def __init__(self, file: Path | str, message: str, line: int | None = None) -> None:
        self.file = Path(file)
        self.line = line
        self.reason = message
        where = f"{self.file}:{line}" if line is not None else f"{self.file}"
        super().__init__(f"{where}: {message}")


class QueryError(MskgError):
    """A SPARQL query is malformed, refused (would write or fetch) or failed."""

    def __init__(
        self,
        message: str,
        line: int | None = None,
        column: int | None = None,
        source_line: str | None = None,
        name: str | None = None,
    ) -> None:
        self.line = line
        self.column = column
        self.source_line = source_line
        self.reason = message
        where = f"{name}: " if name else ""
        if line is not None:
            where += f"line {line}, column {column}: "
        text = f"{where}{message}"
        if source_line is not None and column is not None:
            text += f"\n    {source_line}\n    {' ' * max(column - 1, 0)}^"
        super().__init__(text)


class UnknownNameError(MskgError):
    """A named query, drug or other term was not found; the message lists the closest names."""

    def __init__(self, kind: str, name: str, candidates: list[str]) -> None:
        import difflib

        self.kind = kind
        self.name = name
        close = difflib.get_close_matches(name, candidates, n=5, cutoff=0.4)
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        super().__init__(f"unknown {kind} {name!r}{hint}")


class StoreError(MskgError):
    """A store could not be opened, loaded or queried."""
