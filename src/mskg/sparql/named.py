"""Named queries: ``queries/NAME.rq`` files and their comment headers.

A named query is a ``queries/NAME.rq`` file whose leading comment lines form a header::

    # title: Serious adverse effects per drug
    # group: adverse effects
    # description: For each drug, the serious adverse effects the source names, with the
    #   qualifiers of each link (potentially fatal, rare, only if already present).
    # param: drug (mskg:Treatment) -- the drug, by label, brand name or IRI; all drugs if unset
    # param: b (mskg:Treatment) = ocrelizumab -- the second drug

``param: NAME [(CLASS)] [= DEFAULT] [-- DESCRIPTION]`` declares a parameter (see
:func:`parse_header`, the one parser of headers); its value is bound to the query variable
``?NAMEIri`` if the query uses one, else ``?NAME`` (see :func:`parameter_variable`). A parameter
with no default and no value given is left unbound, so the query answers for all.
``group:`` files the query under one of :data:`QUERY_GROUPS` (the query page's picker groups
them so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from mskg.errors import QueryError, UnknownNameError, UsageError
from mskg.paths import default_queries_dir

if TYPE_CHECKING:
    pass


QUERY_SUFFIX = ".rq"


_HEADER_KEYS = ("title", "group", "description", "param")

#: The groups a named query may give in its ``# group:`` line, in the order the query page shows
#: them; a short fixed list, so that the picker stays one screen.
QUERY_GROUPS = (
    "treatments",
    "adverse effects",
    "dosing and monitoring",
    "mechanisms and targets",
    "sources",
)


_KEY_LINE = re.compile(r"^#\s*(?P<key>[A-Za-z]+)\s*:\s*(?P<value>.*?)\s*$")


_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\((?P<cls>[^()]*)\))?\s*(?:=\s*(?P<default>.*?))?\s*$"
)


@dataclass(frozen=True)
class Param:
    """A parameter declared in a query header."""

    name: str
    default: str | None = None
    cls: str | None = None
    description: str = ""


@dataclass(frozen=True)
class QueryHeader:
    """Title, description and parameters read from the leading comments of a query."""

    title: str = ""
    description: str = ""
    params: tuple[Param, ...] = ()
    group: str = ""

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True)
class NamedQuery:
    """A query's text with its header; ``path`` is None for a query given as a string."""

    name: str
    text: str
    header: QueryHeader
    path: Path | None = None

    @property
    def title(self) -> str:
        return self.header.title or self.name


def parse_header(text: str, name: str | None = None) -> QueryHeader:
    """Read the header of a query: its leading ``#`` comment lines, up to the first other line.

    Recognised lines are ``# title: ...``, ``# group: ...``, ``# description: ...`` and
    ``# param: ...``; a line
    indented by two or more spaces after ``#`` continues the previous title, description or
    parameter description; other comment lines are free text. Raises :class:`QueryError` naming
    the line of a malformed or repeated parameter.
    """
    title: list[str] = []
    group = ""
    description: list[str] = []
    params: list[Param] = []
    current: list[str] | None = None
    param_lines: list[tuple[int, list[str]]] = []

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            current = None
            continue
        if not line.startswith("#"):
            break
        match = _KEY_LINE.match(line)
        if match and match.group("key").lower() in _HEADER_KEYS:
            key, value = match.group("key").lower(), match.group("value")
            if key == "group":
                # one line, never continued: a group is a name from QUERY_GROUPS
                group = " ".join(value.split()).lower()
                current = None
                continue
            if key == "title":
                current = title
            elif key == "description":
                current = description
            else:
                current = [value]
                param_lines.append((number, current))
                continue
            current.append(value)
        elif current is not None and re.match(r"^#\s{2,}\S", line):
            current.append(line[1:].strip())
        else:
            current = None

    for number, parts in param_lines:
        spec, _, doc = " ".join(parts).partition("--")
        match = _PARAM.match(spec.strip())
        if match is None:
            raise QueryError(
                "malformed parameter line; expected "
                "'# param: NAME [(CLASS)] [= DEFAULT] [-- DESCRIPTION]'",
                line=number,
                column=1,
                source_line=text.splitlines()[number - 1],
                name=name,
            )
        pname = match.group("name")
        if any(p.name == pname for p in params):
            raise QueryError(f"parameter {pname!r} declared twice", line=number, name=name)
        default = match.group("default")
        params.append(
            Param(
                name=pname,
                default=(default or "").strip() or None,
                cls=(match.group("cls") or "").strip() or None,
                description=doc.strip(),
            )
        )
    return QueryHeader(" ".join(title).strip(), " ".join(description).strip(), tuple(params), group)


def read_query(path: Path | str, name: str | None = None) -> NamedQuery:
    """Read a ``.rq`` file and its header."""
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise UsageError(f"{file}: no such query file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{file}: cannot read: {exc}") from exc
    label = name or file.stem
    return NamedQuery(label, text, parse_header(text, str(file)), file)


def query_names(directory: Path | str | None = None) -> list[str]:
    """The names of the queries in ``directory`` (default: the bundled ``queries/``), sorted."""
    folder = Path(directory) if directory is not None else default_queries_dir()
    if not folder.is_dir():
        return []
    return sorted(p.stem for p in folder.glob(f"*{QUERY_SUFFIX}") if p.is_file())


def list_queries(directory: Path | str | None = None) -> list[NamedQuery]:
    """Every named query with its header, sorted by name."""
    folder = Path(directory) if directory is not None else default_queries_dir()
    return [read_query(folder / f"{name}{QUERY_SUFFIX}") for name in query_names(folder)]


def load_query(name_or_path: str | Path, directory: Path | str | None = None) -> NamedQuery:
    """A named query (``fda-approved-infusion-dmts``) or a query file (``my/question.rq``).

    An unknown name raises :class:`UnknownNameError` listing the closest names.
    """
    text = str(name_or_path)
    candidate = Path(text)
    looks_like_file = text.endswith(QUERY_SUFFIX) or "/" in text or "\\" in text
    if looks_like_file or (candidate.is_file() and not _is_name(text, directory)):
        return read_query(candidate)
    folder = Path(directory) if directory is not None else default_queries_dir()
    file = folder / f"{text}{QUERY_SUFFIX}"
    if file.is_file():
        return read_query(file)
    raise UnknownNameError("query", text, query_names(folder), see="`mskg queries`")


def _is_name(text: str, directory: Path | str | None) -> bool:
    folder = Path(directory) if directory is not None else default_queries_dir()
    return (folder / f"{text}{QUERY_SUFFIX}").is_file()


def query_from_text(text: str, name: str = "<expression>") -> NamedQuery:
    """A query given as a string (``mskg query -e``); it may carry a header too."""
    return NamedQuery(name, text, parse_header(text, name))


def as_named_query(query: NamedQuery | str, directory: Path | str | None = None) -> NamedQuery:
    """``query`` as a :class:`NamedQuery`: a string is SPARQL text if it holds ``{`` or a space,
    else a query name or a ``.rq`` path (:func:`load_query`)."""
    if not isinstance(query, str):
        return query
    is_text = "{" in query or any(c.isspace() for c in query.strip())
    return query_from_text(query) if is_text else load_query(query, directory)
