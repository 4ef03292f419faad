"""The one way in: every command, the viz, the server and the tests load the graph here."""

from __future__ import annotations

import codecs
import io
import json
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import rdflib
from rdflib import Graph

from mskg.errors import GraphLoadError
from mskg.paths import default_graph_dir

# Keep literals as written: rdflib would otherwise rewrite "PT24H"^^xsd:duration as "P1D", and
# researchers query, diff and export the lexical forms they wrote.
rdflib.NORMALIZE_LITERALS = False

#: RDF formats read from a graph folder, by file suffix.
RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".nt": "nt",
    ".jsonld": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
}

#: The SHACL shapes are the graph's schema, not knowledge: kept out of the data graph.
SHAPES_FILE = "shapes.ttl"

_LINE_PATTERNS = (
    re.compile(r"at line (\d+)"),
    re.compile(r"line (\d+)"),
    re.compile(r":(\d+):"),
)


def graph_files(
    path: Path | str | None = None, *, include_shapes: bool = False, exclude: Iterable[str] = ()
) -> list[Path]:
    """The RDF files that make up the graph at ``path`` (a folder or one file), sorted.

    ``exclude`` names sub-folders to leave out (e.g. ``("imports",)``).
    """
    skipped = set(exclude)
    root = Path(path) if path is not None else default_graph_dir()
    if not root.exists():
        raise GraphLoadError(root, "no such file or directory")
    if root.is_file():
        return [root]
    files = sorted(
        p
        for p in root.rglob("*")
        if p.is_file()
        and p.suffix in RDF_FORMATS
        and not any(
            part.startswith(".") or part in skipped for part in p.relative_to(root).parent.parts
        )
        and not p.name.startswith(".")
        and (include_shapes or p.name != SHAPES_FILE)
    )
    if not files:
        raise GraphLoadError(root, "no RDF files (*.ttl, *.nt, *.jsonld, *.rdf, *.owl) found")
    return files


def parse_file(graph: Graph, file: Path) -> None:
    """Parse one RDF file into ``graph``, turning parser failures into a file:line error.

    Before rdflib sees the file, :func:`refuse_unsafe_input` refuses what would make a parser
    fetch a URL, read another file or expand entities without bound, and :func:`check_syntax`
    runs pyoxigraph's strict parser: the one ``mskg load`` uses, so that validate, query and load
    accept and refuse the same files, with the same file:line:column.
    """
    fmt = RDF_FORMATS.get(file.suffix, "turtle")
    try:
        # Bytes, not a path: rdflib then never resolves the location as a URL.
        data = file.read_bytes()
    except OSError as exc:
        raise GraphLoadError(file, f"cannot read: {exc.strerror}") from exc
    base = file.resolve().as_uri()
    refuse_unsafe_input(file, fmt, io.BytesIO(data))
    check_syntax(file, fmt, data, base)
    try:
        graph.parse(data=data, format=fmt, publicID=base)
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        error = _syntax_error(file, exc)
        if error.line is None and fmt == "nt":
            error = GraphLoadError(file, error.reason, line=_first_bad_ntriples_line(data))
        raise error from exc


def oxigraph_format(rdflib_format: str) -> Any:
    """pyoxigraph's name for one of the rdflib format names of :data:`RDF_FORMATS` (or N3)."""
    import pyoxigraph

    return {
        "turtle": pyoxigraph.RdfFormat.TURTLE,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "json-ld": pyoxigraph.RdfFormat.JSON_LD,
        "xml": pyoxigraph.RdfFormat.RDF_XML,
        "n3": pyoxigraph.RdfFormat.N3,
    }[rdflib_format]


def check_syntax(file: Path, fmt: str, data: bytes, base_iri: str) -> None:
    """Parse ``data`` with pyoxigraph (strict: IRIs, escapes, UTF-8, numbers), keeping nothing.

    rdflib accepts some of what pyoxigraph refuses (an IRI with a space, ``1.2.3``) and reports
    some errors without a line (bad UTF-8); a file must pass both.
    """
    import pyoxigraph

    try:
        for _quad in pyoxigraph.parse(data, format=oxigraph_format(fmt), base_iri=base_iri):
            pass
    except SyntaxError as exc:
        raise oxigraph_syntax_error(file, exc, io.BytesIO(data)) from exc


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


def _first_bad_ntriples_line(data: bytes) -> int | None:
    """rdflib's N-Triples errors quote the rest of the line but not its number: find it."""
    from rdflib.plugins.parsers.ntriples import NTGraphSink, W3CNTriplesParser

    parser = W3CNTriplesParser(sink=NTGraphSink(Graph()))
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            parser.parsestring(line)
        except Exception:
            return number
    return None


def _syntax_error(file: Path, exc: Exception) -> GraphLoadError:
    line = getattr(exc, "lines", None)
    if isinstance(line, int):
        line += 1  # rdflib's notation3 parser counts lines from zero
    message = getattr(exc, "_why", None) or str(exc).strip().splitlines()[-1]
    if not isinstance(line, int):
        for pattern in _LINE_PATTERNS:
            match = pattern.search(str(exc))
            if match:
                line = int(match.group(1))
                break
    return GraphLoadError(file, f"syntax error: {message}", line=line)


# --------------------------------------------------------------------------------------------
# Input that would make a parser fetch, read other files or expand without bound
# --------------------------------------------------------------------------------------------

#: The formats :func:`refuse_unsafe_input` checks: Turtle, N-Triples and N3 cannot refer outside.
UNSAFE_FORMATS = frozenset({"json-ld", "xml"})

_NEVER_FETCHES = "mskg never fetches URLs or reads other files while loading a graph"


def refuse_unsafe_input(file: Path, fmt: str, source: IO[bytes]) -> None:
    """Refuse a document whose parsing would fetch a URL, read another file or blow up.

    JSON-LD: a ``@context`` given by reference (a string, also in a list or a scoped context) or
    an ``@import`` makes rdflib fetch it. RDF/XML (``.rdf``, ``.owl``): a DOCTYPE naming an
    external DTD or declaring external or parameter entities, entities that refer to other
    entities (billion laughs), entity references whose expansion exceeds
    :func:`expansion_limit` (quadratic blow-up), and a DOCTYPE or ENTITY declaration after the
    prolog (pyoxigraph reads one there). Plain abbreviations as Protégé writes them
    (``<!ENTITY owl "http://www.w3.org/2002/07/owl#">``) pass. Used by the loader and by
    ``mskg load`` (:func:`mskg.store._check_files`); ``source`` is the file's (decompressed)
    bytes. Raises :class:`GraphLoadError` at the line at fault.
    """
    if fmt == "json-ld":
        _refuse_remote_contexts(file, source.read())
    elif fmt == "xml":
        _refuse_entity_expansion(file, source)


def _line_breaks(text: str) -> int:
    """How many lines end in ``text`` (CR, LF and CRLF each end one)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _line_at(text: str, offset: int) -> int:
    """The 1-based line of ``offset`` in ``text``."""
    return _line_breaks(text[:offset]) + 1


class _Pairs(list[tuple[str, Any]]):
    """A JSON object as its (key, value) pairs: a key given twice is seen twice."""


class _Located(str):
    """A JSON string value that knows the offset of its opening quote."""

    offset = 0


def _refuse_remote_contexts(file: Path, data: bytes) -> None:
    try:
        document = json.loads(data, object_pairs_hook=_Pairs)
    except (ValueError, RecursionError):
        return  # not JSON: check_syntax says where
    remote = next(_remote_contexts(document), None)
    if remote is None:
        return
    # Found: parse again, slowly, keeping where each string is, to name the line.
    text = data.decode(json.detect_encoding(data))
    decoder = json.JSONDecoder(object_pairs_hook=_Pairs)

    def located_string(s: str, end: int, strict: bool = True) -> tuple[str, int]:
        value, after = json.decoder.scanstring(s, end, strict)  # type: ignore[attr-defined]
        found = _Located(value)
        found.offset = end - 1
        return found, after

    decoder.parse_string = located_string  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # type: ignore[attr-defined]
    line = None
    try:
        located = next(_remote_contexts(decoder.decode(text)), None)
        if isinstance(located, _Located):
            line = _line_at(text, located.offset)
    except RecursionError:
        pass
    raise GraphLoadError(
        file,
        f"JSON-LD context by reference ({remote!r}) refused: {_NEVER_FETCHES}; inline the "
        'context: put its JSON object as the value of "@context"',
        line=line,
    )


def _remote_contexts(value: Any) -> Iterator[str]:
    """The context references in a JSON-LD document, anywhere (scoped contexts included)."""
    if isinstance(value, _Pairs):
        for key, item in value:
            if key == "@context":
                yield from _context_references(item)
            elif key == "@import" and isinstance(item, str):
                yield item
            yield from _remote_contexts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _remote_contexts(item)


def _context_references(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list) and not isinstance(value, _Pairs):
        for item in value:
            yield from _context_references(item)


#: Entity expansion allowed in an RDF/XML file: this many times its size, and at least
#: :data:`EXPANSION_MIN` characters.
EXPANSION_FACTOR = 10
EXPANSION_MIN = 1 << 20
#: A DOCTYPE must end within this many characters of the start of the file.
DOCTYPE_MAX = 1 << 20
_CHUNK = 1 << 20

_QUOTED = r""""[^"]*"|'[^']*'"""
_PROLOG_ITEM = re.compile(r"\s+|<\?.*?\?>|<!--.*?-->", re.S)
_DOCTYPE_START = re.compile(
    rf"<!DOCTYPE\s+[^\s\[>]+(?:\s+(?P<external>SYSTEM|PUBLIC)(?:\s*(?:{_QUOTED}))+)?\s*(?P<open>[\[>])",
    re.S | re.I,  # pyoxigraph reads <!doctype too
)
_DTD_ITEM = re.compile(
    rf"""(?P<space>\s+)
    | <!--.*?-->
    | <\?.*?\?>
    | (?P<entity><!ENTITY\s+(?P<parameter>%\s+)?(?P<name>[^\s%>]+)\s+
        (?P<body>(?:{_QUOTED}|[^>"'])*)>)
    | (?P<markup><!(?:ELEMENT|ATTLIST|NOTATION)\b(?:{_QUOTED}|[^>"'])*>)
    | (?P<reference>%[^;\s]*;)
    | (?P<end>\]\s*>)""",
    re.S | re.X | re.I,
)
_INTERNAL_VALUE = re.compile(rf"\s*({_QUOTED})\s*", re.S)
_CHARACTER_REFERENCE = re.compile(r"&#(?:x([0-9a-fA-F]+)|([0-9]+));")
_ENTITY_REFERENCE = re.compile(r"[&%]([^\s&%;<>\"'#]+);")
_GENERAL_REFERENCE = re.compile(r"&([^\s&%;<>\"'#]+);")
_PREDEFINED_ENTITIES = frozenset({"lt", "gt", "amp", "apos", "quot"})
_DECLARATION_LATER = re.compile(r"<!(?:DOCTYPE|ENTITY)\b", re.I)


def expansion_limit(size: int) -> int:
    """The most characters entity references may expand to in a file of ``size``."""
    return max(EXPANSION_FACTOR * size, EXPANSION_MIN)


def _xml_chunks(source: IO[bytes]) -> Iterator[str]:
    """The document as text, in chunks. Markup is ASCII in every encoding XML allows without a
    declaration but UTF-16/32; other bytes are read one character each (their count is close
    enough for a limit), so an undecodable byte cannot hide a declaration."""
    head = source.read(4)
    if head.startswith(b"\xef\xbb\xbf"):  # the UTF-8 byte order mark: markup starts after it
        head = head[3:]
    encoding = "latin-1"
    for marks, name in (
        ((b"\x00\x00\xfe\xff", b"\x00\x00\x00<"), "utf-32-be"),
        ((b"\xff\xfe\x00\x00", b"<\x00\x00\x00"), "utf-32-le"),
        ((b"\xfe\xff", b"\x00<\x00"), "utf-16-be"),
        ((b"\xff\xfe", b"<\x00?\x00", b"<\x00!\x00"), "utf-16-le"),
    ):
        if head.startswith(marks):
            encoding = name
            break
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    block = head
    while block:
        yield decoder.decode(block)
        block = source.read(_CHUNK)
    yield decoder.decode(b"", final=True)


def _refuse_entity_expansion(file: Path, source: IO[bytes]) -> None:
    chunks = _xml_chunks(source)
    head = ""
    ended = False
    while len(head) < DOCTYPE_MAX and not ended:
        chunk = next(chunks, None)
        ended = chunk is None
        head += chunk or ""
    position, entities = _read_doctype(file, head, complete=ended)
    if not entities and _DECLARATION_LATER.search(head, position) is None and ended:
        return
    _count_expansion(file, head, position, chunks, entities)


def _read_doctype(
    file: Path, head: str, *, complete: bool
) -> tuple[int, dict[str, tuple[str, int]]]:
    """Where the prolog ends in ``head``, and the entities its DOCTYPE declares: name -> (value,
    line). Refuses what cannot be expanded safely."""
    position = 0
    if head.startswith("\ufeff"):
        position = 1
    while (item := _PROLOG_ITEM.match(head, position)) is not None:
        position = item.end()
    doctype = _DOCTYPE_START.match(head, position)
    if doctype is None:
        return position, {}
    if doctype.group("external"):
        raise GraphLoadError(
            file,
            f"the DOCTYPE names an external DTD ({doctype.group('external')}): {_NEVER_FETCHES}; "
            "remove the SYSTEM or PUBLIC identifier",
            line=_line_at(head, position),
        )
    position = doctype.end()
    entities: dict[str, tuple[str, int]] = {}
    if doctype.group("open") == ">":
        return position, entities
    while True:
        item = _DTD_ITEM.match(head, position)
        if item is None:
            reason = "is not closed" if complete else f"is longer than {DOCTYPE_MAX} characters"
            if complete and position < len(head):
                reason = "cannot be read here (mskg reads entity declarations and comments)"
            raise GraphLoadError(
                file, f"the DOCTYPE {reason}; refused", line=_line_at(head, position)
            )
        line = _line_at(head, item.start())
        if item.group("entity"):
            name, value = _entity(file, item, line)
            entities[name] = (value, line)
        elif item.group("reference"):
            raise GraphLoadError(
                file, "parameter entity reference in the DOCTYPE refused", line=line
            )
        elif item.group("markup") and _declared_references(item.group("markup"), entities):
            raise GraphLoadError(
                file, "entity reference inside a DOCTYPE declaration refused", line=line
            )
        position = item.end()
        if item.group("end"):
            return position, entities


def _entity(file: Path, item: re.Match[str], line: int) -> tuple[str, str]:
    """The name and value of an internal general entity whose value refers to no entity."""
    name = item.group("name")
    if item.group("parameter"):
        raise GraphLoadError(file, f"parameter entity %{name}; refused", line=line)
    body = _INTERNAL_VALUE.fullmatch(item.group("body"))
    if body is None:
        raise GraphLoadError(
            file,
            f"external entity &{name}; (SYSTEM or PUBLIC) refused: {_NEVER_FETCHES}",
            line=line,
        )
    # Character references are replaced when the entity is declared, so "&#38;a;" refers to &a;.
    value = _CHARACTER_REFERENCE.sub(_character, body.group(1)[1:-1])
    for reference in _ENTITY_REFERENCE.finditer(value):
        if reference.group(0)[0] == "%" or reference.group(1) not in _PREDEFINED_ENTITIES:
            raise GraphLoadError(
                file,
                f"entity &{name}; refers to the entity {reference.group(0)} (nested entities, "
                "as in an entity bomb, are refused; write the text out)",
                line=line,
            )
    return name, value


def _character(reference: re.Match[str]) -> str:
    code = int(reference.group(1), 16) if reference.group(1) else int(reference.group(2))
    return chr(code) if code <= 0x10FFFF else reference.group(0)  # the parser refuses it


def _declared_references(text: str, entities: dict[str, tuple[str, int]]) -> bool:
    return any(m.group(1) in entities for m in _GENERAL_REFERENCE.finditer(text))


def _count_expansion(
    file: Path,
    head: str,
    position: int,
    chunks: Iterator[str],
    entities: dict[str, tuple[str, int]],
) -> None:
    """Count the references to ``entities`` after the prolog; refuse a later DOCTYPE or ENTITY
    declaration (pyoxigraph reads one anywhere) and an expansion over :func:`expansion_limit`."""
    counts: Counter[str] = Counter()
    # A reference or declaration cut by a chunk boundary is carried to the next chunk whole.
    window = max((len(name) for name in entities), default=0) + 12
    lines_before = _line_at(head, position) - 1
    size = len(head)
    buffer = head[position:]
    more = True
    while more:
        chunk = next(chunks, None)
        more = chunk is not None
        if chunk:
            size += len(chunk)
            buffer += chunk
        cut = len(buffer)
        if more:
            tail = max(len(buffer) - window, 0)
            marks = [p for p in (buffer.find("&", tail), buffer.find("<", tail)) if p >= 0]
            cut = min(marks, default=cut)
        block, buffer = buffer[:cut], buffer[cut:]
        later = _DECLARATION_LATER.search(block)
        if later is not None:
            raise GraphLoadError(
                file,
                "a DOCTYPE or ENTITY declaration after the start of the document refused",
                line=lines_before + _line_at(block, later.start()),
            )
        if entities:
            counts.update(
                m.group(1) for m in _GENERAL_REFERENCE.finditer(block) if m.group(1) in entities
            )
        lines_before += _line_breaks(block)
    expansion = sum(len(entities[name][0]) * count for name, count in counts.items())
    if expansion > expansion_limit(size):
        worst = max(counts, key=lambda name: len(entities[name][0]) * counts[name])
        raise GraphLoadError(
            file,
            f"entity references expand to {expansion} characters, more than {EXPANSION_FACTOR} "
            f"times the file (limit {expansion_limit(size)}): &{worst}; "
            f"({len(entities[worst][0])} characters) is used {counts[worst]} times; refused",
            line=entities[worst][1],
        )


class _QuietIllTypedLiterals(logging.Filter):
    """Drop rdflib's traceback for a literal that does not fit its datatype ("five"^^xsd:integer).

    The literal is still loaded (``Literal.ill_typed`` is true) and ``mskg validate`` reports it
    with its file and line, so the traceback is noise on a user's terminal.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal")


_RDFLIB_TERM_LOGGER = logging.getLogger("rdflib.term")
_RDFLIB_TERM_LOGGER.addFilter(_QuietIllTypedLiterals())


def load_files(files: Iterable[Path]) -> Graph:
    """Parse the given files into one fresh rdflib graph."""
    # Set on every load, not once: pySHACL's validate() resets this global when it finishes.
    rdflib.NORMALIZE_LITERALS = False
    graph = Graph(bind_namespaces="core")
    for file in files:
        parse_file(graph, file)
    _bind_prefixes(graph)
    return graph


def load_graph(path: Path | str | None = None, *, include_shapes: bool = False) -> Graph:
    """Return an rdflib graph with every triple of the RDF files under ``path``.

    ``path`` defaults to the curated graph shipped with mskg (``graph/``). The SHACL shapes file
    is left out unless ``include_shapes`` is true: shapes describe the data, they are not facts.
    Raises :class:`mskg.GraphLoadError` naming the file and line of the first syntax error.
    """
    return load_files(graph_files(path, include_shapes=include_shapes))


def load_shapes(path: Path | str | None = None) -> Graph:
    """The SHACL shapes graph (``shapes.ttl``) of the graph folder at ``path``."""
    root = Path(path) if path is not None else default_graph_dir()
    shapes = root / SHAPES_FILE if root.is_dir() else root
    if not shapes.is_file():
        shapes = default_graph_dir() / SHAPES_FILE
    return load_files([shapes])


def _bind_prefixes(graph: Graph) -> None:
    from mskg.vocab import PREFIXES

    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
