"""Input that would make a parser fetch a URL, read another file or expand without bound."""

from __future__ import annotations

import codecs
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from mskg.errors import GraphLoadError

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
    ``mskg load`` (:func:`mskg.stores.inputs.check_files`); ``source`` is the file's (decompressed)
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
        return  # not JSON: the parser says where
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
