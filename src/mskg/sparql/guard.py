"""The one read-only guard: every query, on every path and store, is judged here."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from mskg.errors import QueryError, RefusedQueryError
from mskg.prefixes import PREFIXES

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

    from mskg.sparql.named import NamedQuery


READ_ONLY = (
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


def line_and_column(text: str, offset: int) -> tuple[int, int]:
    """The line and column (both from 1) of a character offset in ``text``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _error_at(
    text: str, offset: int, message: str, label: str, error: type[QueryError] = QueryError
) -> QueryError:
    """``error`` pointing at the line and column of a character offset in ``text``."""
    line, column = line_and_column(text, offset)
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


def opaque_tokens(text: str) -> Iterator[re.Match[str]]:
    """The comments, strings and IRIs (``<...>``) of ``text``, in order, as regex matches."""
    return _OPAQUE_TOKEN.finditer(text)


def code_only(text: str) -> str:
    """``text`` with its comments, strings and IRIs blanked out: what is left is SPARQL's own
    words, variables and punctuation, at the offsets (and lines) they have in ``text``."""
    position = 0
    code: list[str] = []
    for match in opaque_tokens(text):
        code.append(text[position : match.start()])
        code.append(re.sub(r"[^\n]", " ", match.group()))
        position = match.end()
    code.append(text[position:])
    return "".join(code)


_KEYWORD = re.compile(r"(?<![\w?$:])[A-Za-z]+(?![\w:])")


def keywords(text: str) -> list[str]:
    """The words of ``text`` outside its comments, strings and IRIs, upper-cased, in order:
    SPARQL's keywords and function names (and bare local names such as ``a``)."""
    return [word.upper() for word in _KEYWORD.findall(code_only(text))]


def lexical_guard(text: str, label: str = "<query>") -> str:
    """The guard without a parser: refuse a text that would write or fetch
    (:func:`refuse_remote_keywords`) and return the text an engine must run
    (:func:`engine_text`). Microseconds, where rdflib's parse takes milliseconds; a path that
    runs the text on Oxigraph leaves the syntax to Oxigraph's own parser."""
    text = engine_text(text, label)
    refuse_remote_keywords(text, label)
    return text


def refuse_remote_keywords(text: str, label: str = "<query>") -> None:
    """Refuse ``text`` if a keyword that writes or fetches stands outside its comments, strings
    and IRIs, whatever a parser makes of the query.

    The guard's second wall, independent of rdflib: a bare ``SERVICE``, ``FROM``, ``LOAD``,
    ``INSERT`` ... never belongs to a read-only query over the local graph. It errs on the side
    of refusing: a prefixed name such as ``ex:a-from`` is refused too.
    """
    found = _REMOTE_WORD.search(code_only(text))
    if found is None:
        return
    word = found.group().upper()
    what = word if word in ("SERVICE", "FROM") else f"SPARQL UPDATE ({word})"
    operations = _update_operations(text) if word != "SERVICE" else []
    if operations:
        what = f"SPARQL UPDATE ({', '.join(operations)})"
    raise _error_at(
        text, found.start(), f"{what} is refused: {READ_ONLY}", label, RefusedQueryError
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


def walk_algebra(node: Any, *, required_only: bool = False) -> Iterator[Any]:
    """Every CompValue in a parsed or translated query, including inside FILTER EXISTS.

    With ``required_only``, only the parts a solution must match: not the optional side of an
    OPTIONAL (``LeftJoin``), nor what MINUS or FILTER NOT EXISTS take away, which cannot empty
    an answer. The guard never uses it: it judges every part.
    """
    from rdflib.plugins.sparql.parserutils import CompValue

    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, CompValue):
            yield item
            if required_only and item.name in ("LeftJoin", "Minus"):
                stack.append(item.p1)
            elif not (required_only and item.name == "Builtin_NOTEXISTS"):
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
        raise RefusedQueryError(f"{', '.join(iris)} is refused: {READ_ONLY}", name=label)
    for node in walk_algebra(algebra):
        if node.name == "ServiceGraphPattern":
            term = node.term
            shown = term.n3() if hasattr(term, "n3") else f"<{term}>"
            raise RefusedQueryError(f"SERVICE {shown} is refused: {READ_ONLY}", name=label)


def read_only_text(query: NamedQuery) -> str:
    """The guard on the hot path: the text an engine must run, once the lexical guard
    (:func:`lexical_guard`) has judged it, without parsing it.

    A refused or unreadable query is worded as the full guard (:func:`prepare_query`) words it:
    the parse is paid only on that path. An engine that then fails to read the text should call
    :func:`explain_engine_error`.
    """
    label = str(query.path) if query.path is not None else query.name
    try:
        return lexical_guard(query.text, label)
    except QueryError:
        guard_query(query)  # raises the same refusal, with the IRI it names
        raise


def explain_engine_error(query: NamedQuery) -> None:
    """After an engine failed to read a query the guard passed: raise rdflib's syntax error,
    with line, column and the line itself, if rdflib cannot read it either; else return, and
    the engine's own error stands."""
    guard_query(query)


def check_read_only(sparql: str, name: str | None = None) -> str:
    """Refuse anything but a read-only query over the store (UPDATE, LOAD, SERVICE, FROM), and
    return the text to give the engine: the text the guard judged (:func:`read_only_text`)."""
    from mskg.sparql.named import query_from_text

    return read_only_text(query_from_text(sparql, name or "<query>"))


#: Query texts up to this size have their parse cached (:func:`guard_query`).
_CACHED_TEXT_MAX = 20_000


def guard_query(query: NamedQuery) -> Any:
    """:func:`mskg.sparql.guard.prepare_query` (the guard), parsed once per distinct query text.

    rdflib's parser takes 5-15 ms per query, more than Oxigraph needs to answer most of them, so
    the translated query of a text that passed the guard is kept (the last 256 texts under 20 kB).
    It is shared: callers must not change it. A refused or malformed text is parsed again, so
    that its error names this query; errors are never cached.
    """
    from mskg.sparql.guard import prepare_query

    if len(query.text) > _CACHED_TEXT_MAX:
        return prepare_query(query)
    try:
        return _guard_text(query.text)
    except QueryError:
        return prepare_query(query)  # raises again, with the right name


@functools.lru_cache(maxsize=256)
def _guard_text(text: str) -> Any:
    from mskg.sparql.guard import prepare_query
    from mskg.sparql.named import query_from_text

    return prepare_query(query_from_text(text, "<query>"))
