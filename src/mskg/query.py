"""Named SPARQL queries: find them, read their headers, bind parameters, run them read-only.

A named query is a ``queries/NAME.rq`` file whose leading comment lines form a header::

    # title: Serious adverse effects per drug
    # description: For each drug, the serious adverse effects the source names, with the
    #   qualifiers of each link (potentially fatal, rare, only if already present).
    # param: drug (mskg:Treatment) -- the drug, by label, brand name or IRI; all drugs if unset
    # param: b (mskg:Treatment) = ocrelizumab -- the second drug

``param: NAME [(CLASS)] [= DEFAULT] [-- DESCRIPTION]`` declares a parameter (see
:func:`parse_header`, the one parser of headers); its value is bound to the query variable
``?NAMEIri`` if the query uses one, else ``?NAME`` (see :func:`parameter_variable`). A parameter
with no default and no value given is left unbound, so the query answers for all.

:func:`run_query` parses the query, refuses anything that would write or fetch (UPDATE, LOAD,
SERVICE, FROM), binds the parameters by injecting a ``VALUES`` table into the query algebra, and
returns a :class:`QueryResult`. :func:`format_result` renders one for the CLI.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mskg.errors import QueryError, RefusedQueryError, UnknownNameError, UsageError
from mskg.paths import default_queries_dir
from mskg.terminal import terminal_safe
from mskg.vocab import PREFIXES

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.plugins.sparql.sparql import Query
    from rdflib.term import Node

#: Output formats for SELECT and ASK results.
TABLE_FORMATS = ("table", "csv", "tsv", "json", "md")
#: Output formats for CONSTRUCT and DESCRIBE results (``json`` is read as ``jsonld``).
GRAPH_FORMATS = ("ttl", "nt", "jsonld")
#: Inference regimes accepted by :func:`run_query`.
INFERENCE = ("owlrl", "rdfs")

QUERY_SUFFIX = ".rq"

_HEADER_KEYS = ("title", "description", "param")
_KEY_LINE = re.compile(r"^#\s*(?P<key>[A-Za-z]+)\s*:\s*(?P<value>.*?)\s*$")
_PARAM = re.compile(
    r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?:\((?P<cls>[^()]*)\))?\s*(?:=\s*(?P<default>.*?))?\s*$"
)
_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>[^\s<>\"]*)$")
_IRI_SCHEMES = ("http://", "https://", "urn:", "file:", "mailto:")

#: Properties whose values name a node, for binding parameters by label.
_LABEL_PROPERTIES = (
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://schema.org/proprietaryName",
    "http://schema.org/nonProprietaryName",
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


# --------------------------------------------------------------------------------------------
# Headers and named queries
# --------------------------------------------------------------------------------------------


def parse_header(text: str, name: str | None = None) -> QueryHeader:
    """Read the header of a query: its leading ``#`` comment lines, up to the first other line.

    Recognised lines are ``# title: ...``, ``# description: ...`` and ``# param: ...``; a line
    indented by two or more spaces after ``#`` continues the previous title, description or
    parameter description; other comment lines are free text. Raises :class:`QueryError` naming
    the line of a malformed or repeated parameter.
    """
    title: list[str] = []
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
    return QueryHeader(" ".join(title).strip(), " ".join(description).strip(), tuple(params))


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


# --------------------------------------------------------------------------------------------
# Parsing and the read-only guard
# --------------------------------------------------------------------------------------------

_READ_ONLY = (
    "mskg query is read-only and answers from the local graph only; it never changes the graph "
    "or fetches a URL"
)


def prepare_query(query: NamedQuery) -> Query:
    """Parse and translate ``query``; refuse updates, SERVICE and FROM.

    The text judged is :func:`engine_text` of the query, the text every store is given to run:
    the guard and the engine read the same characters. Two independent checks must both pass:
    a lexical scan for the keywords that write or fetch (:func:`refuse_remote_keywords`) and
    rdflib's parse of the whole query (:func:`_refuse_remote`).
    Raises :class:`QueryError` with line, column and the offending line for a syntax error,
    :class:`RefusedQueryError` for a query that would write or fetch.
    """
    from pyparsing import ParseException
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    label = str(query.path) if query.path is not None else query.name
    text = engine_text(query.text, label)
    try:
        parsed = parseQuery(text)
    except ParseException as exc:
        refuse_remote_keywords(text, label)  # an update is refused, not called malformed
        raise _syntax_error(exc, label) from exc
    except RecursionError as exc:
        raise QueryError("query too deeply nested to parse", name=label) from exc
    try:
        translated = translateQuery(parsed, initNs=PREFIXES)
    except Exception as exc:  # rdflib raises bare Exception for e.g. an unknown prefix
        raise _translation_error(exc, text, label) from exc
    _refuse_remote(translated, label)
    refuse_remote_keywords(text, label)
    return translated


#: SPARQL's codepoint escapes, which SPARQL 1.1 applies to the whole text before parsing.
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
#: What any engine might still read as one after that: rdflib also takes ``\U`` + 4 digits.
_ESCAPE_LIKE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")


def engine_text(text: str, label: str = "<query>") -> str:
    r"""The query with every codepoint escape (``\u0022``, ``\U0001F600``) replaced by its
    character, everywhere in the text: the one text that the guard judges and every store runs.

    Engines disagree on where these escapes count: rdflib applies them to the whole text before
    parsing (SPARQL 1.1, section 19.2), Oxigraph only inside strings and IRIs (as SPARQL 1.2
    does). So ``"a\u0022, ") SERVICE <...> ...`` held a harmless string for one and a live
    ``SERVICE`` call for the other. Once no escape is left, both read the same characters. An
    escape of a code point that is not a character (a surrogate, or past U+10FFFF) is a
    :class:`QueryError`; so is anything still shaped like an escape afterwards (``\u005Cu0022``
    spells one, ``\U0022`` is malformed), which engines would read differently.
    """
    if "\\" not in text:
        return text

    def replace(match: re.Match[str]) -> str:
        value = int(match.group(1) or match.group(2), 16)
        if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
            raise _error_at(
                text, match.start(), f"{match.group()} is not a Unicode character", label
            )
        return chr(value)

    unescaped = _CODEPOINT_ESCAPE.sub(replace, text)
    leftover = _ESCAPE_LIKE.search(unescaped)
    if leftover is not None:
        message = f"{leftover.group()} is ambiguous here: write the character itself"
        if unescaped == text:  # offsets still those of the text: point at it
            raise _error_at(text, leftover.start(), message, label)
        raise QueryError(message, name=label)
    return unescaped


def _update_operations(text: str) -> list[str]:
    """The operations of ``text`` if it is a SPARQL UPDATE request (parsed, never run), to name
    them in the refusal."""
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        update = parseUpdate(text)
    except (ParseException, RecursionError):
        return []
    names = [re.sub(r"(?<=[a-z])(?=[A-Z])", " ", r.name).upper() for r in update.request]
    return list(dict.fromkeys(names)) or ["empty update"]


def _error_at(
    text: str, offset: int, message: str, label: str, error: type[QueryError] = QueryError
) -> QueryError:
    """``error`` pointing at the line and column of a character offset in ``text``."""
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return error(
        message, line=line, column=column, source_line=text.splitlines()[line - 1], name=label
    )


#: Keywords that only a request that writes (SPARQL Update) or fetches (SERVICE, FROM) holds.
_REMOTE_KEYWORDS = (
    "SERVICE",
    "FROM",
    "LOAD",
    "INSERT",
    "DELETE",
    "CLEAR",
    "DROP",
    "CREATE",
    "ADD",
    "MOVE",
    "COPY",
    "WITH",
    "USING",
)
#: The tokens that may hold any word: comments, strings and IRIs, delimited as the SPARQL
#: grammar delimits them (a comment ends at CR or LF; an escape is a backslash and one character).
_OPAQUE_TOKEN = re.compile(
    r"""\#[^\r\n]*
      | '''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
      | \"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"
      | '(?:[^'\\\r\n]|\\.)*'
      | "(?:[^"\\\r\n]|\\.)*"
      | <[^<>"{}|^`\\\x00-\x20]*>""",
    re.VERBOSE | re.DOTALL,
)
_REMOTE_WORD = re.compile(
    rf"(?<![\w?$:])({'|'.join(_REMOTE_KEYWORDS)})(?![\w:])", re.IGNORECASE | re.ASCII
)


def refuse_remote_keywords(text: str, label: str = "<query>") -> None:
    """Refuse ``text`` if a keyword that writes or fetches stands outside its comments, strings
    and IRIs, whatever a parser makes of the query.

    The guard's second wall, independent of rdflib: a bare ``SERVICE``, ``FROM``, ``LOAD``,
    ``INSERT`` ... never belongs to a read-only query over the local graph. It errs on the side
    of refusing: a prefixed name such as ``ex:a-from`` is refused too.
    """
    position = 0
    code: list[str] = []
    for match in _OPAQUE_TOKEN.finditer(text):
        code.append(text[position : match.start()])
        # Blanked out, not dropped, so that offsets (and line numbers) stay those of the text.
        code.append(re.sub(r"[^\n]", " ", match.group()))
        position = match.end()
    code.append(text[position:])
    found = _REMOTE_WORD.search("".join(code))
    if found is None:
        return
    word = found.group().upper()
    what = word if word in ("SERVICE", "FROM") else f"SPARQL UPDATE ({word})"
    operations = _update_operations(text) if word != "SERVICE" else []
    if operations:
        what = f"SPARQL UPDATE ({', '.join(operations)})"
    raise _error_at(
        text, found.start(), f"{what} is refused: {_READ_ONLY}", label, RefusedQueryError
    )


def _syntax_error(exc: Any, label: str) -> QueryError:
    message = "SPARQL syntax error: the query cannot be read from the marked point on"
    expected = str(getattr(exc, "msg", "") or "")
    # pyparsing's "Expected SelectQuery" names the whole rule, not the fault; skip it.
    if expected and not re.search(r"(Select|Construct|Describe|Ask)Query", expected):
        message += f" ({expected.lower()})"
    return QueryError(
        message,
        line=getattr(exc, "lineno", None),
        column=getattr(exc, "col", None),
        source_line=getattr(exc, "line", None),
        name=label,
    )


def _translation_error(exc: Exception, text: str, label: str) -> QueryError:
    message = str(exc).strip() or type(exc).__name__
    prefix = re.match(r"Unknown namespace prefix\s*:\s*(\S+)", message)
    if prefix:
        name = prefix.group(1)
        known = ", ".join(sorted(PREFIXES))
        for number, line in enumerate(text.splitlines(), start=1):
            code = line.split("#", 1)[0]
            found = re.search(rf"(?<![\w:<]){re.escape(name)}:", code)
            if found:
                return QueryError(
                    f"unknown prefix {name!r}: declare it with PREFIX or use one of {known}",
                    line=number,
                    column=found.start() + 1,
                    source_line=line,
                    name=label,
                )
        return QueryError(f"unknown prefix {name!r}; known prefixes: {known}", name=label)
    return QueryError(f"cannot translate query: {message}", name=label)


def _walk(node: Any) -> Iterator[Any]:
    """Every CompValue in a parsed or translated query, including inside FILTER EXISTS."""
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)) or type(item).__name__ == "ParseResults":
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())


def _refuse_remote(query: Query, label: str) -> None:
    algebra = query.algebra
    if algebra.datasetClause:
        iris = []
        for clause in algebra.datasetClause:
            iris.append(
                f"FROM NAMED <{clause.named}>" if clause.named else f"FROM <{clause.default}>"
            )
        raise RefusedQueryError(f"{', '.join(iris)} is refused: {_READ_ONLY}", name=label)
    for node in _walk(algebra):
        if node.name == "ServiceGraphPattern":
            term = node.term
            shown = term.n3() if hasattr(term, "n3") else f"<{term}>"
            raise RefusedQueryError(f"SERVICE {shown} is refused: {_READ_ONLY}", name=label)


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------


def parse_param_args(items: Sequence[str]) -> dict[str, list[str]]:
    """``["drug=natalizumab", "drug=Ocrevus"]`` -> ``{"drug": ["natalizumab", "Ocrevus"]}``."""
    params: dict[str, list[str]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("?$")
        if not sep or not name:
            raise UsageError(f"--param {item!r}: expected NAME=VALUE, e.g. drug=natalizumab")
        params.setdefault(name, []).append(value.strip())
    return params


def resolve_value(graph: Graph, value: str, cls: str | None = None) -> list[Node]:
    """The nodes a parameter value names.

    ``<IRI>``, an absolute IRI (``https://...``) or a prefixed name (``mskr:natalizumab``) name one
    node, which must be in the graph and, when ``cls`` is given, an instance of it (or of a
    subclass); ``"text"`` is a plain literal; anything else is matched, ignoring case, against
    labels (rdfs:label, skos:prefLabel, skos:altLabel, brand and generic names) and against the
    last segment of mskr: IRIs, restricted to instances of ``cls`` when given. Raises
    :class:`UnknownNameError` with the closest names when nothing matches.
    """
    from rdflib import Literal, URIRef

    text = value.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return [Literal(text[1:-1])]
    iri: URIRef | None = None
    if text.startswith("<") and text.endswith(">"):
        iri = URIRef(text[1:-1])
    elif text.startswith(_IRI_SCHEMES):
        iri = URIRef(text)
    else:
        prefixed = _PREFIXED.match(text)
        if prefixed:
            namespace = _namespace(graph, prefixed.group("prefix") or "")
            if namespace is not None:
                iri = URIRef(namespace + prefixed.group("local"))
    members = _instances(graph, cls) if cls else None
    kind = _class_label(graph, cls) if cls else "name"
    if iri is not None:
        if members is not None and iri in members:
            return [iri]
        in_graph = _in_graph(graph, iri)
        if members is None and in_graph:
            return [iri]
        note = f"in the graph, but not a {kind}" if in_graph else "not in the graph"
        raise UnknownNameError(kind, text, _candidates(graph, members, iris=True), note=note)

    wanted = text.casefold()
    found: dict[Node, None] = {}
    for prop in _LABEL_PROPERTIES:
        for subject, label in graph.subject_objects(URIRef(prop)):
            if str(label).casefold() == wanted and (members is None or subject in members):
                found[subject] = None
    if re.fullmatch(r"[\w.-]+", text):
        local = URIRef(PREFIXES["mskr"] + text)
        if (local, None, None) in graph and (members is None or local in members):
            found[local] = None
    if found:
        return sorted(found, key=str)
    raise UnknownNameError(kind, text, _candidates(graph, members))


def _in_graph(graph: Graph, node: Node) -> bool:
    """Whether ``node`` occurs in ``graph``, as subject, predicate or object."""
    return any(
        pattern in graph for pattern in ((node, None, None), (None, None, node), (None, node, None))
    )


def _candidates(graph: Graph, members: set[Node] | None, iris: bool = False) -> list[str]:
    """The names to suggest: the labels of the labelled nodes (of ``members`` only, when given),
    or their prefixed names (``mskr:natalizumab``) when the value was written as an IRI."""
    from rdflib import URIRef

    names: set[str] = set()
    for prop in _LABEL_PROPERTIES:
        for subject, label in graph.subject_objects(URIRef(prop)):
            if members is None or subject in members:
                if not iris:
                    names.add(str(label))
                elif isinstance(subject, URIRef):
                    names.add(_display(subject))
    return sorted(names)


def _namespace(graph: Graph, prefix: str) -> str | None:
    if prefix in PREFIXES:
        return PREFIXES[prefix]
    for bound, namespace in graph.namespaces():
        if bound == prefix:
            return str(namespace)
    return None


def _expand(graph: Graph, name: str) -> str:
    prefixed = _PREFIXED.match(name)
    if prefixed and not name.startswith(_IRI_SCHEMES):
        namespace = _namespace(graph, prefixed.group("prefix") or "")
        if namespace is not None:
            return namespace + prefixed.group("local")
    return name.strip("<>")


def _instances(graph: Graph, cls: str) -> set[Node]:
    """Instances of ``cls`` or of any of its subclasses (``rdfs:subClassOf*``)."""
    from rdflib import URIRef
    from rdflib.namespace import RDF, RDFS

    root = URIRef(_expand(graph, cls))
    classes: set[Node] = {root}
    frontier: list[Node] = [root]
    while frontier:
        current = frontier.pop()
        for sub in graph.subjects(RDFS.subClassOf, current):
            if sub not in classes:
                classes.add(sub)
                frontier.append(sub)
    return {s for c in classes for s in graph.subjects(RDF.type, c)}


def _class_label(graph: Graph, cls: str) -> str:
    from rdflib import URIRef
    from rdflib.namespace import RDFS

    label = graph.value(URIRef(_expand(graph, cls)), RDFS.label)
    return str(label) if label is not None else cls


def _query_variables(query: Query) -> set[str]:
    from rdflib.term import Variable

    names: set[str] = set()
    for node in _walk(query.algebra):
        for value in node.values():
            if isinstance(value, Variable):
                names.add(str(value))
            elif isinstance(value, (list, tuple, set)):
                names.update(str(v) for v in value if isinstance(v, Variable))
        for triple in node.get("triples") or []:
            names.update(str(t) for t in triple if isinstance(t, Variable))
    return {n for n in names if not n.startswith("__")}


def parameter_variable(name: str, variables: Collection[str]) -> str:
    """The query variable that parameter ``name`` binds: ``?NAMEIri`` if the query uses it,
    else ``?NAME``.

    This follows the column convention of the named queries: ``?drug`` is a drug's label and
    ``?drugIri`` its IRI, and ``--param drug=natalizumab`` names the drug, so it binds the IRI.
    """
    iri = f"{name}Iri"
    return iri if iri in variables else name


def bind_parameters(
    graph: Graph,
    query: NamedQuery,
    prepared: Query,
    values: Mapping[str, str | Sequence[str]] | None,
) -> dict[str, list[Node]]:
    """Resolve the parameter values (given or default) of ``query`` to nodes of ``graph``.

    Returns the nodes bound to each query variable (see :func:`parameter_variable`). A query
    with a header (a title or parameters) accepts only the parameters it declares; a query
    without one (e.g. ``mskg query -e``) accepts any variable it uses. Unknown parameter names
    raise :class:`UsageError` listing the accepted ones; values that name nothing raise
    :class:`UnknownNameError` listing the closest names.
    """
    given: dict[str, list[str]] = {}
    for key, raw in (values or {}).items():
        given[key.lstrip("?$")] = [raw] if isinstance(raw, str) else list(raw)
    declared = {p.name: p for p in query.header.params}
    has_header = bool(declared or query.header.title)
    variables = _query_variables(prepared)
    accepted = set(declared) if has_header else variables
    for key in given:
        if key not in accepted:
            takes = ", ".join(sorted(accepted)) if accepted else "none"
            raise UsageError(f"unknown parameter {key!r} for {query.name}; it takes: {takes}")
    bound: dict[str, list[Node]] = {}
    source: dict[str, str] = {}
    for key in sorted(accepted):
        param = declared.get(key)
        raw_values = given.get(key) or ([param.default] if param and param.default else [])
        nodes: dict[Node, None] = {}
        for raw in raw_values:
            for node in resolve_value(graph, raw, param.cls if param else None):
                nodes[node] = None
        if not nodes:
            continue
        variable = parameter_variable(key, variables)
        if variable in bound:
            raise UsageError(
                f"parameters {source[variable]!r} and {key!r} both bind ?{variable}; give one"
            )
        bound[variable] = list(nodes)
        source[variable] = key
    return bound


_WRAPPERS = {
    "Slice",
    "Distinct",
    "Reduced",
    "OrderBy",
    "Project",
    "Extend",
    "Filter",
    "AggregateJoin",
    "Group",
}


def _inject_values(query: Query, bound: Mapping[str, Sequence[Node]]) -> None:
    """Join a VALUES table of the bound parameters into the query's WHERE pattern.

    Equivalent to writing ``VALUES ?drug { mskr:natalizumab }`` at the start of the WHERE clause:
    the table goes under the solution modifiers, grouping and the pattern's own filters and
    binds, and is joined lazily, so the pattern is evaluated with the parameters already bound.
    """
    import itertools

    from rdflib.plugins.sparql.parserutils import CompValue
    from rdflib.term import Variable

    if not bound:
        return
    names = sorted(bound)
    rows = [
        {Variable(n): v for n, v in zip(names, combo, strict=True)}
        for combo in itertools.product(*(bound[n] for n in names))
    ]
    values = CompValue("ToMultiSet", p=CompValue("values", res=rows))
    values["_vars"] = {Variable(n) for n in names}

    parent: CompValue = query.algebra
    while True:
        child = parent.get("p")
        if child is None:
            raise UsageError("the query has no WHERE clause to bind parameters in")
        if isinstance(child, CompValue) and child.name in _WRAPPERS:
            parent = child
            continue
        break
    join = CompValue("Join", p1=values, p2=child, lazy=True)
    join["_vars"] = set(values["_vars"]) | set(child.get("_vars") or ())
    parent["p"] = join


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------


def load_query_graph(
    path: Path | str | None = None, *, infer: str | None = None, use_cache: bool = True
) -> Graph:
    """The graph queries run on: the curated graph (or ``path``), optionally with its closure.

    ``infer`` is None (the asserted triples only), ``"rdfs"`` or ``"owlrl"``. The parsed graph,
    and each closure, is cached (see :mod:`mskg.cache`).
    """
    from mskg.cache import cached_graph

    if infer is None:
        return cached_graph(path, use_cache=use_cache)
    if infer not in INFERENCE:
        raise UsageError(f"unknown inference regime {infer!r}; use one of {', '.join(INFERENCE)}")
    regime = infer
    return cached_graph(
        path, variant=regime, transform=lambda g: infer_closure(g, regime), use_cache=use_cache
    )


#: SKOS axioms added before inference, so that ``skos:broaderTransitive`` is the closure of
#: ``skos:broader`` (PML is an infection, breast cancer a cancer).
_SKOS_AXIOMS = """
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix owl:  <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
skos:broader rdfs:subPropertyOf skos:broaderTransitive ; owl:inverseOf skos:narrower .
skos:narrower rdfs:subPropertyOf skos:narrowerTransitive .
skos:broaderTransitive a owl:TransitiveProperty ; owl:inverseOf skos:narrowerTransitive .
skos:narrowerTransitive a owl:TransitiveProperty .
"""


def infer_closure(graph: Graph, regime: str = "owlrl") -> Graph:
    """A copy of ``graph`` with its RDFS or OWL 2 RL closure (via owlrl) added.

    The input graph is not changed. Subclasses, subproperties, inverse and transitive properties
    are applied: ``mskg:hasSeriousAdverseEffect`` implies ``mskg:hasAdverseEffect``, a
    ``mskg:Drug`` is a ``mskg:Treatment``, and an instance of a subclass of a class is an instance
    of that class.
    """
    import owlrl
    import rdflib
    from rdflib import Graph as RdfGraph

    closure = RdfGraph()
    for prefix, namespace in graph.namespaces():
        closure.bind(prefix, namespace, override=True, replace=True)
    closure += graph
    if regime == "owlrl":
        closure.parse(data=_SKOS_AXIOMS, format="turtle")
        semantics: Any = owlrl.OWLRL_Semantics
    else:
        closure.parse(data=_SKOS_AXIOMS.split("owl:inverseOf")[0] + ".", format="turtle")
        semantics = owlrl.RDFS_Semantics
    normalize = rdflib.NORMALIZE_LITERALS
    try:
        rdflib.NORMALIZE_LITERALS = False
        owlrl.DeductiveClosure(semantics).expand(closure)
    finally:
        rdflib.NORMALIZE_LITERALS = normalize
    return closure


def run_query(
    query: NamedQuery | str,
    graph: Graph | None = None,
    *,
    params: Mapping[str, str | Sequence[str]] | None = None,
    graph_dir: Path | str | None = None,
    infer: str | None = None,
    use_cache: bool = True,
    queries_dir: Path | str | None = None,
) -> QueryResult:
    """Run a named query, a :class:`NamedQuery` or a SPARQL string, read-only.

    ``query`` may be a query name, a path to a ``.rq`` file or, if it contains ``{`` or a space,
    SPARQL text.
    ``graph`` is the graph to query; by default the graph at ``graph_dir`` (or the curated graph)
    is loaded through the cache, with its ``infer`` closure if asked. ``params`` maps parameter
    names to one value or several (label, IRI or prefixed name).
    """
    if isinstance(query, str):
        is_text = "{" in query or any(c.isspace() for c in query.strip())
        query = query_from_text(query) if is_text else load_query(query, queries_dir)
    prepared = prepare_query(query)
    if graph is None:
        graph = load_query_graph(graph_dir, infer=infer, use_cache=use_cache)
    elif infer is not None:
        graph = infer_closure(graph, infer)
    bound = bind_parameters(graph, query, prepared, params)
    _inject_values(prepared, bound)
    return _evaluate(graph, prepared, query, bound)


def _refuse_named_graphs(prepared: Query, label: str) -> None:
    """A ``GRAPH`` pattern needs a dataset; the in-memory graph is one default graph."""
    for node in _walk(prepared.algebra):
        if node.name == "Graph" and "term" in node:
            term = node.term
            shown = term.n3() if hasattr(term, "n3") else str(term)
            raise QueryError(
                f"GRAPH {shown} {{ ... }}: named graphs are not supported by the in-memory "
                "store, which holds the whole graph as one default graph; drop the GRAPH clause "
                "and match the triples directly",
                name=label,
            )


def _evaluate(
    graph: Graph, prepared: Query, query: NamedQuery, bound: dict[str, list[Node]]
) -> QueryResult:
    import rdflib.plugins.sparql as sparql

    label = str(query.path) if query.path is not None else query.name

    def no_service(ctx: Any, part: Any) -> Any:
        # Second line of defence: the algebra was checked, but never let SERVICE reach urlopen.
        if getattr(part, "name", None) == "ServiceGraphPattern":
            raise RefusedQueryError(f"SERVICE is refused: {_READ_ONLY}", name=label)
        raise NotImplementedError

    if not getattr(graph, "context_aware", False):
        _refuse_named_graphs(prepared, label)
    key = "mskg-read-only"
    load_graphs = sparql.SPARQL_LOAD_GRAPHS
    sparql.CUSTOM_EVALS[key] = no_service
    sparql.SPARQL_LOAD_GRAPHS = False
    try:
        result = graph.query(prepared)
        kind = str(result.type)
        if kind == "SELECT":
            variables = [str(v) for v in result.vars or []]
            rows: list[tuple[Node | None, ...]] = [tuple(row) for row in result]  # type: ignore[arg-type]
            return QueryResult(kind, variables=variables, rows=rows, bindings=bound)
        if kind == "ASK":
            return QueryResult(kind, boolean=bool(result.askAnswer), bindings=bound)
        out = result.graph
        if out is not None:
            for prefix, namespace in PREFIXES.items():
                out.bind(prefix, namespace, override=True, replace=True)
        return QueryResult(kind, graph=out, bindings=bound)
    except QueryError:
        raise
    except RecursionError as exc:
        raise QueryError("query too deeply nested to evaluate", name=label) from exc
    except Exception as exc:  # rdflib raises many types while evaluating
        raise QueryError(f"query failed: {type(exc).__name__}: {exc}", name=label) from exc
    finally:
        sparql.CUSTOM_EVALS.pop(key, None)
        sparql.SPARQL_LOAD_GRAPHS = load_graphs


# --------------------------------------------------------------------------------------------
# Formatting
# --------------------------------------------------------------------------------------------


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
        rdf_format = {"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt]
        text = result.graph.serialize(format=rdf_format)
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


def _display(term: Node | None) -> str:
    """A term as a person reads it: a literal's text, an IRI as a prefixed name."""
    from rdflib import BNode, Literal, URIRef

    if term is None:
        return ""
    if isinstance(term, Literal):
        return terminal_safe(str(term))
    if isinstance(term, URIRef):
        iri = str(term)
        for prefix, namespace in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
            if iri.startswith(namespace) and re.fullmatch(r"[\w.-]*", iri[len(namespace) :]):
                return f"{prefix}:{iri[len(namespace) :]}"
        return terminal_safe(f"<{iri}>")
    if isinstance(term, BNode):
        return terminal_safe(f"_:{term}")
    return terminal_safe(str(term))


def _format_table(result: QueryResult) -> str:
    header = result.variables
    body = [[_display(v).replace("\n", " ") for v in row] for row in result.rows]
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
        out.append("| " + " | ".join(cell(_display(v)) for v in row) + " |")
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
