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

    def __init__(
        self, file: Path | str, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        self.file = Path(file)
        self.line = line
        self.column = column if line is not None else None
        self.reason = message
        where = f"{self.file}"
        if line is not None:
            where += f":{line}" + (f":{column}" if column is not None else "")
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


class RefusedQueryError(QueryError):
    """A well-formed query that mskg will not run: it would write (UPDATE, LOAD) or fetch (SERVICE,
    FROM). The endpoint answers it with 403, a malformed query with 400."""


class UnknownNameError(MskgError):
    """A named query, drug or other term was not found; the message lists the closest names.

    The suggestions are the names that contain ``name`` (``pml`` -> ``drugs-with-pml-risk``),
    then the closest spellings (``natalizumb`` -> ``natalizumab``), at most :attr:`MAX_HINTS`.
    ``note`` adds why the name was refused (``it is in the graph, but not a treatment``);
    ``see`` names where to find every name (``mskg queries``) and ends the message.
    """

    MAX_HINTS = 6

    def __init__(
        self,
        kind: str,
        name: str,
        candidates: list[str],
        *,
        note: str | None = None,
        see: str | None = None,
    ) -> None:
        self.kind = kind
        self.name = name
        self.suggestions = closest_names(name, candidates, self.MAX_HINTS)
        text = f"unknown {kind} {name!r}"
        if note:
            text += f" ({note})"
        if self.suggestions:
            text += f"; did you mean: {', '.join(self.suggestions)}?"
            if see:
                text += f" Otherwise see {see}"
        elif see:
            text += f"; see {see}"
        super().__init__(text)


def closest_names(name: str, candidates: list[str], limit: int = 6) -> list[str]:
    """The candidates containing ``name`` (ignoring case), then those spelled most like it."""
    import difflib

    wanted = name.strip().casefold()
    unique = list(dict.fromkeys(candidates))
    containing = [c for c in unique if len(wanted) >= 3 and wanted in c.casefold() and c != name]
    containing.sort(key=lambda c: (len(c), c))
    close = difflib.get_close_matches(name, unique, n=limit, cutoff=0.4)
    return list(dict.fromkeys(containing + close))[:limit]


class ShapesError(MskgError):
    """The SHACL shapes graph itself is unusable (pySHACL refused it)."""


class StoreError(MskgError):
    """A store could not be opened, loaded or queried."""
