"""SSSOM/TSV mapping sets as graph files: each row becomes a cross-reference of the graph.

A mapping set (SSSOM, https://mapping-commons.github.io/sssom/) is a TSV table with one mapping
per row, under its metadata (``mapping_set_id``, ``license``, ``curie_map``...) written as a YAML
block of ``#`` lines. mskg reads every ``*.sssom.tsv`` of a graph folder as the triples it stands
for, so the table is the one source of truth for the cross-references and the graph still answers
``skos:exactMatch`` queries. Each row gives

* the mapping, as a direct triple: ``subject_id predicate_id object_id``;
* a record reifying it, in the shape of every qualified statement of the graph (graph/README.md):
  an ``mskg:Association`` with ``rdf:subject``, ``rdf:predicate``, ``rdf:object``, its source
  (``prov:wasDerivedFrom`` the row's ``mapping_provider``, else the set's: SSSOM propagates it),
  ``sssom:mapping_justification`` the row's justification and, for a row with a ``comment``, a
  ``skos:note``. Its IRI is the row's ``record_id`` (SSSOM 1.1), else one derived from the set's
  id and the triple, so that it stays the same from one load to the next.

A row that cannot be such a cross-reference (a prefix missing from the ``curie_map``, a predicate
mskg does not read as a mapping, no justification or no source, a negated mapping) is refused with
:class:`GraphLoadError` at file:line, as a Turtle syntax error is.

Rows are read with :mod:`csv`; of YAML, the metadata block may use what SSSOM headers use:
``key: value``, one level of ``key:`` followed by ``  prefix: IRI`` or ``  - value`` lines, and
plain, single- or double-quoted scalars (all read as text). PyYAML is not used: importing it would
add ~45 ms to every ``mskg query``. sssom-py (pandas) is for the tests, which validate the files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mskg.errors import GraphLoadError
from mskg.prefixes import MSKG_IRI, PREFIXES, RESOURCE_IRI

#: How a graph folder's mapping sets are named.
MAPPING_SUFFIX = ".sssom.tsv"

SSSOM_IRI = PREFIXES["sssom"]
SEMAPV_IRI = PREFIXES["semapv"]

#: Prefixes an SSSOM file uses without declaring them (the SSSOM specification's built-ins).
BUILT_IN_PREFIXES: dict[str, str] = {
    "sssom": SSSOM_IRI,
    "owl": PREFIXES["owl"],
    "rdf": PREFIXES["rdf"],
    "rdfs": PREFIXES["rdfs"],
    "skos": PREFIXES["skos"],
    "semapv": SEMAPV_IRI,
}

#: SSSOM's mapping justifications (the SEMAPV terms its schema allows).
JUSTIFICATIONS = frozenset(
    {
        "BackgroundKnowledgeBasedMatching",
        "CompositeMatching",
        "InstanceBasedMatching",
        "LexicalMatching",
        "LexicalSimilarityThresholdMatching",
        "LogicalReasoning",
        "ManualMappingCuration",
        "MappingChaining",
        "MappingInversion",
        "MappingReview",
        "SemanticSimilarityThresholdMatching",
        "StructuralMatching",
        "UnspecifiedMatching",
    }
)

_SKOS = PREFIXES["skos"]

#: The predicates mskg reads as cross-references: SKOS's mapping relations, and schema:code for
#: a code of a classification (an ATC code classifies a drug; it is not the same concept).
MAPPING_PREDICATES: dict[str, str] = {
    _SKOS + "exactMatch": "skos:exactMatch",
    _SKOS + "closeMatch": "skos:closeMatch",
    _SKOS + "broadMatch": "skos:broadMatch",
    _SKOS + "narrowMatch": "skos:narrowMatch",
    _SKOS + "relatedMatch": "skos:relatedMatch",
    PREFIXES["schema"] + "code": "schema:code",
}

_CHOICES = ", ".join(f"semapv:{name}" for name in sorted(JUSTIFICATIONS))

#: The property that gives a mapping record its justification in SSSOM's RDF form.
MAPPING_JUSTIFICATION = SSSOM_IRI + "mapping_justification"

_RDF = PREFIXES["rdf"]
_ASSOCIATION = MSKG_IRI + "Association"
_DERIVED_FROM = PREFIXES["prov"] + "wasDerivedFrom"
_NOTE = _SKOS + "note"

#: Columns every mapping set must have; the source may come from the metadata instead.
REQUIRED_COLUMNS = ("subject_id", "predicate_id", "object_id", "mapping_justification")


@dataclass(frozen=True)
class Mapping:
    """One row of a mapping set, its CURIEs expanded to IRIs."""

    line: int
    record: str
    subject: str
    predicate: str
    object: str
    justification: str
    source: str
    comment: str = ""


@dataclass(frozen=True)
class MappingSet:
    """A mapping set file: its metadata block (``curie_map`` included) and its rows."""

    file: Path
    metadata: dict[str, Any]
    prefixes: dict[str, str]
    mappings: tuple[Mapping, ...]


def is_mapping_file(path: Path) -> bool:
    """Whether ``path`` is an SSSOM/TSV mapping set (``*.sssom.tsv``)."""
    return path.name.endswith(MAPPING_SUFFIX)


def read_mapping_set(file: Path, data: bytes | None = None) -> MappingSet:
    """Read the mapping set ``file`` (or its bytes ``data``); a bad row or metadata line raises
    :class:`GraphLoadError` naming the file, the line and the fix."""
    if data is None:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise GraphLoadError(file, f"cannot read: {exc.strerror}") from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise GraphLoadError(file, "not UTF-8 text", line) from None
    lines = [line.removesuffix("\r") for line in text.split("\n")]
    header_end = 0
    while header_end < len(lines) and lines[header_end].startswith("#"):
        header_end += 1
    metadata, where = _read_metadata(file, [(n + 1, lines[n][1:]) for n in range(header_end)])
    prefixes = _prefixes(file, metadata, where)
    set_id = metadata.get("mapping_set_id")
    if not isinstance(set_id, str) or not set_id:
        raise GraphLoadError(
            file, "no mapping_set_id in the metadata block (the # lines above the table)", 1
        )
    reader = _Rows(file, prefixes, set_id, metadata.get("mapping_provider"))
    return MappingSet(file, metadata, prefixes, reader.read(lines[header_end:], header_end))


def mapping_quads(mapping_set: MappingSet) -> Iterator[Any]:
    """The triples the rows stand for, as pyoxigraph quads in the default graph."""
    from pyoxigraph import Literal, NamedNode, Quad

    rdf_type, rdf_subject = NamedNode(_RDF + "type"), NamedNode(_RDF + "subject")
    rdf_predicate, rdf_object = NamedNode(_RDF + "predicate"), NamedNode(_RDF + "object")
    association, derived_from = NamedNode(_ASSOCIATION), NamedNode(_DERIVED_FROM)
    justified_by, note = NamedNode(MAPPING_JUSTIFICATION), NamedNode(_NOTE)
    nodes: dict[str, Any] = {}  # subjects, predicates, sources... repeat from row to row

    def node(iri: str) -> Any:
        found = nodes.get(iri)
        if found is None:
            found = nodes[iri] = NamedNode(iri)
        return found

    for mapping in mapping_set.mappings:
        subject, predicate, target = map(node, (mapping.subject, mapping.predicate, mapping.object))
        record = NamedNode(mapping.record)
        source, justification = node(mapping.source), node(mapping.justification)
        yield Quad(subject, predicate, target)
        yield Quad(record, rdf_type, association)
        yield Quad(record, rdf_subject, subject)
        yield Quad(record, rdf_predicate, predicate)
        yield Quad(record, rdf_object, target)
        yield Quad(record, derived_from, source)
        yield Quad(record, justified_by, justification)
        if mapping.comment:
            yield Quad(record, note, Literal(mapping.comment, language="en"))


#: The SSSOM columns mskg writes, in the order it writes them (those some row has a key for).
WRITTEN_COLUMNS = (
    "record_id",
    "subject_id",
    "subject_label",
    "predicate_id",
    "object_id",
    "object_label",
    "mapping_justification",
    "mapping_provider",
    "comment",
)


def format_mapping_set(metadata: dict[str, Any], rows: list[dict[str, str]]) -> str:
    """The text of an SSSOM/TSV file: the metadata block (in the YAML subset read above, values
    double-quoted where YAML needs it), the column names of :data:`WRITTEN_COLUMNS` that the rows
    use, then one line per row."""
    columns = tuple(c for c in WRITTEN_COLUMNS if any(c in row for row in rows))
    lines: list[str] = []
    for key, value in metadata.items():
        if isinstance(value, dict):
            lines.append(f"#{key}:")
            lines += [f"#  {name}: {_yaml_scalar(iri)}" for name, iri in value.items()]
        elif isinstance(value, list | tuple):
            lines.append(f"#{key}:")
            lines += [f"#  - {_yaml_scalar(item)}" for item in value]
        else:
            lines.append(f"#{key}: {_yaml_scalar(str(value))}")
    body = io.StringIO()
    writer = csv.writer(body, delimiter="\t", lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return "\n".join(lines) + "\n" + body.getvalue()


# Plain YAML scalars may not start with an indicator, contain ": " or " #", or end with ":".
_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`](?:[^:#]|:(?=\S)|(?<=\S)#)*(?<![\s:])")


#: Plain scalars YAML would read as a number, a boolean, a date or null, not as text.
_TYPED = re.compile(r"[-+.\d].*|true|false|yes|no|on|off|y|n|null|~", re.IGNORECASE)


def _yaml_scalar(value: str) -> str:
    plain = _PLAIN.fullmatch(value) and not _TYPED.fullmatch(value)
    return value if plain else json.dumps(value, ensure_ascii=False)


_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_.\-]*):(?:[ ]+(.*))?")


def _read_metadata(
    file: Path, header: list[tuple[int, str]]
) -> tuple[dict[str, Any], dict[str, int]]:
    """The metadata block given as ``(line number, text without #)`` pairs, and the line of each
    key (``curie_map.mskr`` for a key inside a block)."""
    metadata: dict[str, Any] = {}
    where: dict[str, int] = {}
    block: str | None = None  # the key whose indented lines follow
    for number, raw in header:
        text = raw.rstrip()
        if not text.strip() or text.lstrip().startswith("#"):
            continue  # a blank line or a YAML comment
        if "\t" in text[: len(text) - len(text.lstrip())]:
            raise GraphLoadError(file, "the metadata block is indented with a tab", number)
        indented = text[:1] == " "
        body = text.strip()
        if not indented:
            found = _KEY.fullmatch(body)
            if found is None:
                raise _unread_yaml(file, number, "expected `key: value` or `key:`")
            key, value = found.group(1), found.group(2)
            if key in metadata:
                raise GraphLoadError(file, f"{key} is given twice in the metadata block", number)
            metadata[key] = None if not value else _scalar(file, number, value)
            where[key] = number
            block = key if not value else None
        elif block is None:
            raise _unread_yaml(file, number, "an indented line that follows no `key:` line")
        elif body == "-" or body.startswith("- "):
            items = metadata[block] if metadata[block] is not None else []
            if not isinstance(items, list):
                raise _unread_yaml(file, number, f"{block} mixes `- value` and `key: value` lines")
            items.append(_scalar(file, number, body[1:].strip()))
            metadata[block] = items
        else:
            found = _KEY.fullmatch(body)
            entries = metadata[block] if metadata[block] is not None else {}
            if found is None or not found.group(2) or not isinstance(entries, dict):
                raise _unread_yaml(file, number, f"{block} takes `name: value` lines only")
            entries[found.group(1)] = _scalar(file, number, found.group(2))
            where[f"{block}.{found.group(1)}"] = number
            metadata[block] = entries
    return metadata, where


def _scalar(file: Path, number: int, text: str) -> str:
    """A YAML scalar as text: plain (a `` #`` starts a comment), "double-" or 'single-quoted'."""
    if text.startswith('"'):
        try:
            decoded, end = json.JSONDecoder().raw_decode(text)
        except ValueError:
            raise _unread_yaml(file, number, "a double-quoted value that does not end") from None
        rest = text[end:].strip()
        if not isinstance(decoded, str) or (rest and not rest.startswith("#")):
            raise _unread_yaml(file, number, "text after a double-quoted value")
        return decoded
    if text.startswith("'"):
        found = re.match(r"'((?:[^']|'')*)'\s*(#.*)?$", text)
        if found is None:
            raise _unread_yaml(file, number, "a single-quoted value that does not end")
        return found.group(1).replace("''", "'")
    value = re.split(r"\s#", text, maxsplit=1)[0].rstrip()
    if not _PLAIN.fullmatch(value):
        raise _unread_yaml(
            file, number, f"{value!r} must be quoted (flow lists, anchors, `: ` or a final `:`)"
        )
    return value


def _unread_yaml(file: Path, number: int, what: str) -> GraphLoadError:
    return GraphLoadError(
        file,
        f"the metadata block uses YAML that mskg does not read ({what}); write `key: value`, "
        "`key:` with indented `name: value` or `- value` lines, quoting values as needed",
        number,
    )


def _prefixes(file: Path, metadata: dict[str, Any], where: dict[str, int]) -> dict[str, str]:
    curie_map = metadata.get("curie_map") or {}
    if not isinstance(curie_map, dict):
        raise GraphLoadError(
            file, "curie_map must be indented `prefix: IRI` lines", where.get("curie_map")
        )
    prefixes = dict(BUILT_IN_PREFIXES)
    for prefix, namespace in curie_map.items():
        if prefix in BUILT_IN_PREFIXES and namespace != BUILT_IN_PREFIXES[prefix]:
            raise GraphLoadError(
                file,
                f"curie_map gives the built-in SSSOM prefix {prefix} another IRI ({namespace}; "
                f"SSSOM fixes it to {BUILT_IN_PREFIXES[prefix]})",
                where.get(f"curie_map.{prefix}"),
            )
        prefixes[prefix] = namespace
    return prefixes


class _Rows:
    """Reads the table of a mapping set into :class:`Mapping` rows."""

    def __init__(
        self, file: Path, prefixes: dict[str, str], set_id: str, set_source: object
    ) -> None:
        self.file = file
        self.prefixes = prefixes
        self.set_id = set_id
        self.set_source = set_source if isinstance(set_source, str) else ""
        self._valid: set[str] = set()  # IRIs already checked

    def read(self, lines: list[str], offset: int) -> tuple[Mapping, ...]:
        reader = csv.reader(lines, delimiter="\t", strict=True)
        columns: list[str] | None = None
        mappings: list[Mapping] = []
        records: dict[str, int] = {}
        try:
            for fields in reader:
                line = offset + reader.line_num
                if not any(fields):
                    continue  # a blank line (the end of the file)
                if columns is None:
                    columns = self._columns(fields, line)
                    continue
                if len(fields) != len(columns):
                    raise GraphLoadError(
                        self.file,
                        f"expected {len(columns)} tab-separated columns, found {len(fields)}",
                        line,
                    )
                mapping = self._mapping(dict(zip(columns, fields, strict=True)), line)
                if mapping.record in records:
                    raise GraphLoadError(
                        self.file,
                        f"record_id {mapping.record} is also the record of line "
                        f"{records[mapping.record]}: each row needs its own",
                        line,
                    )
                records[mapping.record] = line
                mappings.append(mapping)
        except csv.Error as exc:
            line = offset + reader.line_num
            raise GraphLoadError(self.file, f"not a TSV row: {exc}", line) from None
        if columns is None:
            raise GraphLoadError(self.file, "no column names: the table is missing", offset + 1)
        return tuple(mappings)

    def _columns(self, fields: list[str], line: int) -> list[str]:
        missing = [c for c in REQUIRED_COLUMNS if c not in fields]
        if missing:
            raise GraphLoadError(
                self.file,
                f"the column names lack {', '.join(missing)} (an SSSOM table needs "
                f"{', '.join(REQUIRED_COLUMNS)})",
                line,
            )
        repeated = sorted({c for c in fields if fields.count(c) > 1})
        if repeated:
            raise GraphLoadError(self.file, f"column {repeated[0]} is named twice", line)
        return fields

    def _mapping(self, row: dict[str, str], line: int) -> Mapping:
        if row.get("predicate_modifier"):
            raise GraphLoadError(
                self.file,
                f"predicate_modifier {row['predicate_modifier']}: a negated mapping cannot be a "
                "triple of the graph; leave the row out",
                line,
            )
        subject = self._expand(row, "subject_id", line)
        predicate = self._expand(row, "predicate_id", line)
        if predicate not in MAPPING_PREDICATES:
            raise GraphLoadError(
                self.file,
                f"predicate_id {row['predicate_id']} is not a predicate mskg reads as a mapping; "
                f"use one of {', '.join(MAPPING_PREDICATES.values())}",
                line,
            )
        target = self._expand(row, "object_id", line)
        justification = self._justification(row, line)
        source = row.get("mapping_provider") or self.set_source
        if not source:
            raise GraphLoadError(
                self.file,
                "no source: give mapping_provider (the IRI of the source the mapping comes "
                "from) in the row or in the metadata block",
                line,
            )
        self._check_iri(source, "mapping_provider", line)
        if row.get("record_id"):
            record = self._expand(row, "record_id", line)
        else:
            key = f"{self.set_id}\n{subject}\n{predicate}\n{target}".encode()
            record = f"{RESOURCE_IRI}mapping-{hashlib.sha256(key).hexdigest()[:16]}"
        comment = " ".join(row.get("comment", "").split())
        return Mapping(line, record, subject, predicate, target, justification, source, comment)

    def _justification(self, row: dict[str, str], line: int) -> str:
        value = row.get("mapping_justification", "")
        if not value:
            raise GraphLoadError(
                self.file, f"no mapping_justification: say how it was made ({_CHOICES})", line
            )
        iri = self._expand(row, "mapping_justification", line)
        if not iri.startswith(SEMAPV_IRI) or iri[len(SEMAPV_IRI) :] not in JUSTIFICATIONS:
            raise GraphLoadError(
                self.file, f"mapping_justification {value} is not one of {_CHOICES}", line
            )
        return iri

    def _expand(self, row: dict[str, str], column: str, line: int) -> str:
        value = row.get(column, "")
        if not value:
            raise GraphLoadError(self.file, f"{column} is empty", line)
        prefix, colon, local = value.partition(":")
        if not colon or not prefix:
            raise GraphLoadError(self.file, f"{column} {value!r} is not a CURIE (prefix:id)", line)
        if prefix not in self.prefixes:
            raise GraphLoadError(
                self.file,
                f"{column} {value}: unknown prefix {prefix}; declare it in the curie_map of the "
                "metadata block",
                line,
            )
        iri = self.prefixes[prefix] + local
        self._check_iri(iri, column, line)
        return iri

    def _check_iri(self, iri: str, column: str, line: int) -> None:
        if iri in self._valid:
            return
        from pyoxigraph import NamedNode

        try:
            NamedNode(iri)
        except ValueError as exc:
            message = f"{column}: {iri!r} is not an IRI ({exc})"
            raise GraphLoadError(self.file, message, line) from None
        # mapping_provider is a URI in SSSOM, not a CURIE: "mskr:x" would pass as an IRI.
        if column == "mapping_provider" and not re.match(r"(https?://|urn:)\S", iri):
            raise GraphLoadError(
                self.file, f"{column}: {iri!r} is not a full IRI (http://... or https://...)", line
            )
        self._valid.add(iri)
