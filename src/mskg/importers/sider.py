"""Import SIDER 4.1 label side effects for the drugs already in the graph.

SIDER (http://sideeffects.embl.de/) lists the side effects found on drug labels, as MedDRA terms
with UMLS concept ids, for compounds named by STITCH ids: ``CID1`` + the PubChem CID padded to
8 digits (flat) and ``CID0`` + ... (stereo). :func:`import_sider` reads

* ``meddra_all_se.tsv.gz``: flat id, stereo id, label CUI, MedDRA type (LLT/PT), MedDRA CUI, name;
* ``meddra_freq.tsv.gz``: the same ids, placebo flag, frequency text, lower and upper bound, and
  the MedDRA type, CUI and name;
* ``indications.tsv`` when present (dhimmel/SIDER4 layout, with ``drugbank_id`` and
  ``stitch_id_flat`` columns), to match drugs known to the graph only by DrugBank id,

matches the graph's drugs by PubChem CID (``skos:exactMatch`` to a PubChem compound IRI) or DrugBank
id, and writes their side effects (MedDRA preferred terms) to ``<graph>/imports/sider.ttl`` and
the cross-references the matching adds to ``<graph>/imports/sider.sssom.tsv``, an SSSOM mapping
set read like the curated one (:mod:`mskg.graph.sssom`):

* ``drug mskg:hasLabelledSideEffect effect`` plus an ``mskg:LabelSideEffectAssociation`` that
  reifies it, with ``mskg:frequencyLowerBound``/``UpperBound`` (the widest range over the label's
  non-placebo frequencies) and ``prov:wasDerivedFrom mskr:sider-4-1``;
* the effect is the graph's own node (an adverse effect, symptom or disease) when SIDER's term is
  the same effect, found in this order: the node has ``skos:exactMatch`` to the term's UMLS CUI
  (the seed's hair loss is SIDER's Alopecia); the term is in :data:`CURATED_EFFECT_MATCHES`
  (matches by meaning, reviewed by hand); the term's name is the node's ``rdfs:label`` or
  ``skos:altLabel``, ignoring case (SIDER's Leukopenia is the seed's low white blood cell count,
  alias leukopenia). Otherwise it is a new ``mskr:sider-effect-CUI`` node.

Matching is mskg's step, not SIDER's: the Turtle records it as the ``prov:Activity``
``mskr:sider-import``, which ``prov:used`` the SIDER files (``mskg:SourceSection`` nodes of
``mskr:sider-4-1``). The links it makes to SIDER's identifiers (PubChem CIDs for compounds, UMLS
CUIs for side effects) are the rows of the mapping set, each with its justification and the
SIDER file it comes from: a side effect matched by curated meaning (``skos:closeMatch``,
``semapv:ManualMappingCuration``) or by label (``skos:closeMatch``, ``semapv:LexicalMatching``);
a new effect node and its CUI (``skos:exactMatch``); a drug matched through SIDER's DrugBank
table, and the PubChem compound that SIDER's STITCH id holds (``skos:exactMatch``,
``semapv:MappingChaining``). A match through an identifier the graph already has (a PubChem CID,
an effect's UMLS CUI) adds no row: the graph's own mapping, with its source, is the link. The
graph's own triples are never written again.

Every input row is checked before anything is written: a damaged or truncated file is refused with
:class:`SiderInputError` naming the file and the row, and the graph folder is left as it was. The
output is written text-first (no rdflib graph for the bulk), sorted, with IRIs derived from the
drug and the CUI, so importing the same files twice gives the same bytes and changes nothing.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from rdflib import RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from mskg.atomic import atomic_write
from mskg.errors import MskgError, UsageError
from mskg.graph.hierarchy import instances
from mskg.graph.sssom import format_mapping_set
from mskg.paths import writable_graph_dir
from mskg.prefixes import RESOURCE_IRI, compress_iri, turtle_prefix_block
from mskg.vocab import MSKG

SE_FILE = "meddra_all_se.tsv.gz"


FREQ_FILE = "meddra_freq.tsv.gz"


DRUGBANK_FILE = "indications.tsv"


OUTPUT = Path("imports") / "sider.ttl"


MAPPING_OUTPUT = Path("imports") / "sider.sssom.tsv"


MAPPING_SET_ID = "https://w3id.org/mskg/mappings/sider.sssom.tsv"


SOURCE_IRI = RESOURCE_IRI + "sider-4-1"


ACTIVITY_IRI = RESOURCE_IRI + "sider-import"


#: The SIDER files as parts of the source (mskg:SourceSection), by the role they play.
SECTION_IRIS = {
    SE_FILE: SOURCE_IRI + "-meddra-all-se",
    FREQ_FILE: SOURCE_IRI + "-meddra-freq",
    DRUGBANK_FILE: SOURCE_IRI + "-indications",
}


PUBCHEM_PREFIX = "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID"


DRUGBANK_PREFIX = "https://go.drugbank.com/drugs/"


UMLS_PREFIX = "https://bioregistry.io/umls:"


#: Classes whose nodes a SIDER side effect can be matched to.
EFFECT_CLASSES = (MSKG.AdverseEffect, MSKG.Symptom, MSKG.Disease)


#: Matches by meaning that neither the UMLS CUI nor a label finds, reviewed by hand: the UMLS CUI
#: of a SIDER MedDRA preferred term -> (the node under mskr:, why it is the same effect). A line
#: applies only when the node is in the graph. Add one when `mskg query seed-vs-sider` shows the
#: same effect twice: once found only in the graph's layers, once only in SIDER.
CURATED_EFFECT_MATCHES: dict[str, tuple[str, str]] = {
    "C0750394": (
        "low-white-blood-cell-count",
        "MedDRA's White blood cell count decreased is a white blood cell count below normal, "
        "which is this node's definition",
    ),
}


#: How an effect was matched, as written in the summary and the mapping notes.
BY_CUI, BY_MEANING, BY_LABEL = "UMLS CUI", "meaning (curated)", "label"


# The MedDRA type and CUI are empty together for the few terms that are neither LLT nor PT.
_SE_ROW = re.compile(
    r"(CID1\d{8})\t(CID0\d{8})\t(C\d{7})\t(?:(LLT|PT)\t(C\d{7})|()\t())\t([^\t\r\n]+)"
)


_FREQ_ROW = re.compile(
    r"(CID1\d{8})\t(CID0\d{8})\t(C\d{7})\t(placebo|)\t([^\t\r\n]*)\t([^\t\r\n]+)\t([^\t\r\n]+)"
    r"\t(?:(LLT|PT)\t(C\d{7})|()\t())\t([^\t\r\n]+)"
)


_SE_COLUMNS = (
    ("STITCH flat id", re.compile(r"CID1\d{8}")),
    ("STITCH stereo id", re.compile(r"CID0\d{8}")),
    ("UMLS concept id on the label", re.compile(r"C\d{7}")),
    ("MedDRA concept type", re.compile(r"LLT|PT|")),
    ("UMLS concept id of the MedDRA term", re.compile(r"C\d{7}|")),
    ("side effect name", re.compile(r"[^\t\r\n]+")),
)


_FREQ_COLUMNS = (
    *_SE_COLUMNS[:3],
    ("placebo flag", re.compile(r"placebo|")),
    ("frequency description", re.compile(r"[^\t\r\n]*")),
    ("frequency lower bound", re.compile(r"[^\t\r\n]+")),
    ("frequency upper bound", re.compile(r"[^\t\r\n]+")),
    *_SE_COLUMNS[3:],
)


_LOCAL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")


_PROGRESS_EVERY = 16384


class SiderInputError(MskgError):
    """A SIDER input file is missing, damaged or truncated; the message names the file and row."""

    def __init__(self, file: Path, message: str, row: int | None = None) -> None:
        self.file = file
        self.row = row
        self.reason = message
        where = f"{file}, row {row}" if row is not None else str(file)
        super().__init__(f"{where}: {message}; nothing was imported, the graph is unchanged")


@dataclass(frozen=True)
class EffectMatch:
    """A SIDER term found to be a node of the graph, and how."""

    node: str  # the node's IRI
    how: str  # BY_CUI, BY_MEANING or BY_LABEL
    why: str  # the evidence, in words


@dataclass
class SiderImport:
    """What :func:`import_sider` did."""

    output: Path
    drugs: dict[str, str]  # drug IRI -> STITCH flat id
    mapping_output: Path | None = None  # the SSSOM mapping set of the matches
    se_rows: int = 0
    freq_rows: int = 0
    statements: int = 0
    linked_effects: dict[str, str] = field(default_factory=dict)  # CUI -> existing node IRI
    matched_by: dict[str, str] = field(default_factory=dict)  # CUI -> BY_CUI, BY_MEANING...
    new_effects: int = 0
    with_frequency: int = 0
    changed: bool = False
    seconds: float = 0.0


def stitch_flat_id(pubchem_cid: int) -> str:
    """The STITCH flat id of a PubChem compound: ``CID1`` + the CID padded to 8 digits."""
    return f"CID1{pubchem_cid:08d}"


def _instances(graph: Graph, root: URIRef) -> set[URIRef]:
    return {s for s in instances(graph, root) if isinstance(s, URIRef)}


def graph_drugs(graph: Graph) -> tuple[dict[int, list[str]], dict[str, list[str]]]:
    """Treatments by PubChem CID and by DrugBank id, from their ``skos:exactMatch`` links."""
    treatments = _instances(graph, MSKG.Treatment)
    by_cid: dict[int, list[str]] = {}
    by_drugbank: dict[str, list[str]] = {}
    for subject, target in graph.subject_objects(SKOS.exactMatch):
        if subject not in treatments:
            continue
        text = str(target)
        if text.startswith(PUBCHEM_PREFIX) and text[len(PUBCHEM_PREFIX) :].isdigit():
            by_cid.setdefault(int(text[len(PUBCHEM_PREFIX) :]), []).append(str(subject))
        elif text.startswith(DRUGBANK_PREFIX):
            by_drugbank.setdefault(text[len(DRUGBANK_PREFIX) :], []).append(str(subject))
    return by_cid, by_drugbank


@dataclass
class GraphEffects:
    """The graph's adverse effects, symptoms and diseases, as :func:`graph_effects` finds them."""

    by_cui: dict[str, str]  # UMLS CUI -> node IRI (the first IRI if several)
    by_name: dict[str, tuple[str, str, str]]  # casefolded label -> (node, property, label)
    nodes: set[str]  # every such node
    adverse: set[str]  # those already typed mskg:AdverseEffect
    kinds: dict[str, str] = field(default_factory=dict)  # other nodes -> "symptom", "disease"

    def match(self, cui: str, name: str) -> EffectMatch | None:
        """The graph's node for SIDER's term ``name`` (UMLS ``cui``), or None."""
        node = self.by_cui.get(cui)
        if node is not None:
            return EffectMatch(node, BY_CUI, f"the node has skos:exactMatch to UMLS {cui}")
        curated = CURATED_EFFECT_MATCHES.get(cui)
        if curated is not None and RESOURCE_IRI + curated[0] in self.nodes:
            return EffectMatch(RESOURCE_IRI + curated[0], BY_MEANING, curated[1])
        named = self.by_name.get(name.casefold())
        if named is not None:
            node, prop, label = named
            return EffectMatch(node, BY_LABEL, f"the term is spelled as its {prop} '{label}'")
        return None


def graph_effects(graph: Graph) -> GraphEffects:
    """Adverse effects, symptoms and diseases by UMLS CUI and by label, for matching SIDER terms.

    A label (or, second, an alternative label) shared by two nodes matches neither: a name that
    names two things is no evidence.
    """
    nodes = {str(n) for cls in EFFECT_CLASSES for n in _instances(graph, cls)}
    adverse = {str(n) for n in _instances(graph, MSKG.AdverseEffect)}
    kinds = {str(n): "disease" for n in _instances(graph, MSKG.Disease)}
    kinds.update({str(n): "symptom" for n in _instances(graph, MSKG.Symptom)})
    by_cui: dict[str, str] = {}
    for subject, target in sorted(graph.subject_objects(SKOS.exactMatch)):
        text = str(target)
        if str(subject) in nodes and text.startswith(UMLS_PREFIX):
            by_cui.setdefault(text[len(UMLS_PREFIX) :], str(subject))
    by_name: dict[str, tuple[str, str, str]] = {}
    taken: set[str] = set()  # names already seen as a label: an alternative label cannot claim
    for prop, short in ((RDFS.label, "rdfs:label"), (SKOS.altLabel, "skos:altLabel")):
        found: dict[str, set[tuple[str, str]]] = {}
        for subject, value in graph.subject_objects(prop):
            if str(subject) in nodes:
                found.setdefault(str(value).casefold(), set()).add((str(subject), str(value)))
        for key, owners in sorted(found.items()):
            if key in taken:
                continue
            taken.add(key)
            if len({node for node, _ in owners}) == 1:
                node, text = min(owners)
                by_name[key] = (node, short, text)
    return GraphEffects(by_cui, by_name, nodes, adverse, kinds)


def drugbank_to_stitch(path: Path) -> dict[str, str]:
    """DrugBank id -> STITCH flat id, from a dhimmel/SIDER4 ``indications.tsv`` (if present)."""
    mapping: dict[str, str] = {}
    if not path.is_file():
        return mapping
    # Read through _rows, which checks every row's text and names the row at fault.
    reader = csv.DictReader((line for _row, line in _rows(path, None)), delimiter="\t")
    columns = reader.fieldnames or []
    if "drugbank_id" not in columns or "stitch_id_flat" not in columns:
        raise SiderInputError(path, "needs the columns drugbank_id and stitch_id_flat", row=1)
    for row in reader:
        drugbank, stitch = row.get("drugbank_id") or "", row.get("stitch_id_flat") or ""
        if drugbank and re.fullmatch(r"CID1\d{8}", stitch):
            mapping.setdefault(drugbank, stitch)
    return mapping


def _find_input(directory: Path, name: str) -> Path:
    for candidate in (directory / name, directory / name.removesuffix(".gz")):
        if candidate.is_file():
            return candidate
    raise SiderInputError(directory / name, "not found (SIDER 4.1 layout: see its README)")


def _rows(path: Path, progress: Callable[[int], None] | None) -> Iterator[tuple[int, str]]:
    """(row number, line without its end of line) for each line; damage raises SiderInputError."""
    raw = path.open("rb")
    row = 0
    try:
        stream: gzip.GzipFile | io.BufferedReader = (
            gzip.GzipFile(fileobj=raw) if path.suffix == ".gz" else raw
        )
        last = 0
        # Each row is decoded on its own: a text wrapper decodes blocks of rows ahead of the one
        # being read, and would blame a bad byte on that one.
        for row, data in enumerate(stream, start=1):
            if not data.endswith(b"\n"):
                raise SiderInputError(
                    path, "row is cut short (no end of line): truncated file", row
                )
            try:
                line = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise SiderInputError(
                    path, f"not UTF-8 text (byte {exc.start + 1} of the row)", row
                ) from None
            if progress is not None and row % _PROGRESS_EVERY == 0:
                position = raw.tell()
                progress(position - last)
                last = position
            yield row, line.rstrip("\r\n")
        if progress is not None:
            progress(raw.tell() - last)
    except EOFError as exc:
        raise SiderInputError(path, "compressed data ends early: truncated file", row + 1) from exc
    except (gzip.BadGzipFile, zlib.error, OSError) as exc:
        raise SiderInputError(path, f"damaged compressed data ({exc})", row + 1) from exc
    finally:
        raw.close()


def _bad_row(
    path: Path, row: int, line: str, columns: tuple[tuple[str, re.Pattern[str]], ...]
) -> SiderInputError:
    fields = line.split("\t")
    if len(fields) != len(columns):
        return SiderInputError(
            path, f"expected {len(columns)} tab-separated columns, found {len(fields)}", row
        )
    for number, ((name, pattern), value) in enumerate(zip(columns, fields, strict=True), 1):
        if not pattern.fullmatch(value):
            return SiderInputError(path, f"column {number} ({name}) is not valid: {value!r}", row)
    return SiderInputError(path, "row is not in SIDER format", row)


def _checked_rows(
    path: Path,
    pattern: re.Pattern[str],
    columns: tuple[tuple[str, re.Pattern[str]], ...],
    progress: Callable[[int], None] | None,
) -> Iterator[tuple[int, re.Match[str]]]:
    """(row number, match of ``pattern``) for each row of a SIDER table; a row that does not
    match is refused naming the column at fault, and so is a file with no rows."""
    match = pattern.fullmatch
    row = 0
    for row, line in _rows(path, progress):
        found = match(line)
        if found is None:
            raise _bad_row(path, row, line, columns)
        yield row, found
    if row == 0:
        raise SiderInputError(path, "has no rows")


def _bound(path: Path, row: int, text: str, what: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise SiderInputError(path, f"{what} is not a number: {text!r}", row) from None
    if not value.is_finite() or not 0 <= value <= 1:
        raise SiderInputError(path, f"{what} must be a fraction from 0 to 1, not {text}", row)
    return value


@dataclass
class _Collected:
    pairs: set[tuple[str, str]] = field(default_factory=set)  # (stitch flat, PT CUI)
    names: dict[str, str] = field(default_factory=dict)  # PT CUI -> name
    bounds: dict[tuple[str, str], tuple[Decimal, Decimal]] = field(default_factory=dict)
    se_rows: int = 0
    freq_rows: int = 0


def _read_side_effects(
    path: Path, wanted: set[str], out: _Collected, progress: Callable[[int], None] | None
) -> None:
    for row, found in _checked_rows(path, _SE_ROW, _SE_COLUMNS, progress):
        out.se_rows = row
        flat = found.group(1)
        if flat in wanted and found.group(4) == "PT":
            cui = found.group(5)
            out.pairs.add((flat, cui))
            out.names.setdefault(cui, found.group(8).strip())


def _read_frequencies(
    path: Path, wanted: set[str], out: _Collected, progress: Callable[[int], None] | None
) -> None:
    for row, found in _checked_rows(path, _FREQ_ROW, _FREQ_COLUMNS, progress):
        out.freq_rows = row
        # Every bound is checked, wanted or not: a damaged file is refused whatever it holds.
        low = _bound(path, row, found.group(6), "frequency lower bound")
        high = _bound(path, row, found.group(7), "frequency upper bound")
        flat = found.group(1)
        if flat not in wanted or found.group(8) != "PT" or found.group(4) == "placebo":
            continue
        key = (flat, found.group(9))
        low, high = min(low, high), max(low, high)  # SIDER has a few reversed ranges ("1-0%")
        seen = out.bounds.get(key)
        out.bounds[key] = (min(seen[0], low), max(seen[1], high)) if seen else (low, high)


_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}


def _literal(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'


def _iri(iri: str) -> str:
    curie = compress_iri(iri)
    if curie is not None:
        prefix, _, local = curie.partition(":")
        if prefix in ("mskr", "mskg") and _LOCAL_NAME.fullmatch(local):
            return curie
    return f"<{iri}>"


def _slug(iri: str) -> str:
    """A short, stable name for a drug in the IRIs minted for its statements."""
    if iri.startswith(RESOURCE_IRI) and _LOCAL_NAME.fullmatch(iri[len(RESOURCE_IRI) :]):
        return iri[len(RESOURCE_IRI) :]
    return "h" + hashlib.sha256(iri.encode()).hexdigest()[:12]


def _decimal(value: Decimal) -> str:
    """An xsd:decimal literal that always has a decimal point ("0.0", "1.0", "0.05").

    rdflib writes a decimal without one ("0") as ``0.0`` when it serializes Turtle, which would
    make an export differ from the imported file; with the point, the lexical form survives.
    """
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return f'"{text}"^^xsd:decimal'


_HEADER = """\
# Generated by `mskg import sider` from SIDER 4.1 (http://sideeffects.embl.de/). Do not edit:
# run the import again instead. SIDER is licensed CC BY-NC-SA 4.0, so this file is derived content
# under that licence: keep it out of version control (graph/imports/ is ignored by git).
# Input: {inputs}
# {drugs} drug(s) matched, {statements} label side effect(s); effects matched to the graph's own
# nodes: {matches}; {new} new effect node(s).

{prefixes}
mskr:sider-4-1 a mskg:InformationSource ;
    rdfs:label "SIDER 4.1 side effect resource"@en ;
    dcterms:title "SIDER 4.1: side effects mined from drug labels"@en ;
    schema:url "http://sideeffects.embl.de/"^^xsd:anyURI ;
    dcterms:license <{license}> ;
    dcterms:bibliographicCitation "{citation}" ;
    mskg:sourceLayer mskr:layer-sider ;
    skos:note "{note}"@en .

mskr:layer-sider a mskg:SourceLayer ;
    rdfs:label "SIDER layer"@en ;
    skos:altLabel "SIDER"@en ;
    skos:notation "sider" ;
    skos:definition "Side effects text-mined from drug labels by SIDER, with frequencies."@en ;
    prov:wasDerivedFrom mskr:sider-4-1 .
"""


SIDER_LICENSE = "https://creativecommons.org/licenses/by-nc-sa/4.0/"


_CITATION = (
    "Kuhn M, Letunic I, Jensen LJ, Bork P. The SIDER database of drugs and side effects. "
    "Nucleic Acids Research 44(D1):D1075-D1079, 2016."
)


_NOTE = (
    "Side effects found on drug labels, as MedDRA preferred terms with UMLS concept ids, and the "
    "frequencies the labels give. Imported by mskg import sider; statements from it are "
    "mskg:LabelSideEffectAssociation nodes, kept apart from the curated seed facts."
)


_ACTIVITY_NOTE = (
    "mskg's own step, not SIDER's: matched the graph's drugs to SIDER compounds by the graph's "
    "PubChem or DrugBank identifiers, matched SIDER's side effects to the graph's adverse "
    "effects, symptoms and diseases (by UMLS CUI, by curated meaning, then by label), and wrote "
    "the drugs' label side effects. The cross-references the matching adds are the rows of "
    "imports/sider.sssom.tsv, an SSSOM mapping set, each with its justification and source."
)


_MAPPING_SET_DESCRIPTION = (
    "The links mskg import sider makes between the graph's nodes and the identifiers SIDER 4.1 "
    "uses: side effects matched by curated meaning or by label to the UMLS CUI of SIDER's "
    "MedDRA term, new effect nodes and their CUI, and drugs matched through SIDER's DrugBank "
    "table to the PubChem compound of their STITCH id. Matches through an identifier the graph "
    "already has add no row."
)


_SECTION_ROLES = {
    SE_FILE: "the side effects on each compound's label, as MedDRA terms with UMLS concept ids",
    FREQ_FILE: "the frequencies the labels give for those side effects",
    DRUGBANK_FILE: "DrugBank ids of SIDER's compounds, used to match drugs the graph knows only "
    "by DrugBank id",
}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


@dataclass
class _Inputs:
    """The files read, as (role, path, rows) with role one of SE_FILE, FREQ_FILE, DRUGBANK_FILE."""

    files: list[tuple[str, Path, int]]

    def describe(self) -> str:
        return ", ".join(
            f"{path.name} ({rows} rows, sha256 {_digest(path)})" for _, path, rows in self.files
        )


def _provenance(inputs: _Inputs) -> str:
    """The SIDER files as sections of the source, and the import as a prov:Activity."""
    lines: list[str] = []
    for role, path, rows in inputs.files:
        note = f"{_SECTION_ROLES[role]}. Read by mskg import sider: {rows} rows, sha256 "
        note += f"{_digest(path)} (first 16 hex digits)."
        lines.append(
            f"\n{_iri(SECTION_IRIS[role])} a mskg:SourceSection ;\n"
            f"    rdfs:label {_literal(f'SIDER 4.1 file {path.name}')}@en ;\n"
            "    dcterms:isPartOf mskr:sider-4-1 ;\n"
            f"    skos:note {_literal(note)}@en .\n"
        )
    used = " , ".join(_iri(SECTION_IRIS[role]) for role, _, _ in inputs.files)
    lines.append(
        f"\n{_iri(ACTIVITY_IRI)} a prov:Activity ;\n"
        '    rdfs:label "mskg import sider: SIDER 4.1 matched to the graph"@en ;\n'
        f"    skos:note {_literal(_ACTIVITY_NOTE)}@en ;\n"
        f"    prov:used {used} .\n"
    )
    return "".join(lines)


def _match_record(
    name: str, subject: str, predicate: str, target: str, note: str, sources: list[str]
) -> str:
    return (
        f"{_iri(name)} a mskg:Association ;\n"
        f"    rdf:subject {_iri(subject)} ;\n    rdf:predicate {predicate} ;\n"
        f"    rdf:object {target} ;\n"
        f"    skos:note {_literal(note)}@en ;\n"
        f"    prov:wasDerivedFrom {' , '.join(_iri(s) for s in sources)} ;\n"
        f"    prov:wasGeneratedBy {_iri(ACTIVITY_IRI)} .\n"
    )


@dataclass
class _DrugMatch:
    """How a drug of the graph was matched to a SIDER compound."""

    stitch: str  # STITCH flat id
    identifier: str  # the graph's identifier IRI it was matched by
    how: str  # "PubChem CID" or "DrugBank id"
    via: str  # the SIDER file role that links the identifier to the compound


#: How each kind of match is justified, in SEMAPV's terms.
JUSTIFICATIONS = {
    BY_MEANING: "semapv:ManualMappingCuration",
    BY_LABEL: "semapv:LexicalMatching",
}


class _Curies:
    """CURIEs for the mapping set: mskr:, UMLS: and PUBCHEM.COMPOUND: names, and a prefix of its
    own for each other namespace a node of the graph is in (``ns1``, ``ns2``...)."""

    def __init__(self) -> None:
        self.curie_map = {
            "mskr": RESOURCE_IRI,
            "UMLS": UMLS_PREFIX,
            "PUBCHEM.COMPOUND": PUBCHEM_PREFIX,
        }

    def __call__(self, iri: str) -> str:
        for prefix, namespace in self.curie_map.items():
            local = iri[len(namespace) :]
            if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(local):
                return f"{prefix}:{local}"
        namespace = re.sub(r"[^/#:]*$", "", iri)
        prefix = f"ns{len(self.curie_map) - 2}"
        self.curie_map[prefix] = namespace
        return f"{prefix}:{iri[len(namespace) :]}"


def _label(graph: Graph, node: str) -> str:
    return str(graph.value(URIRef(node), RDFS.label) or "")


def render(
    data: _Collected,
    drugs: dict[str, list[str]],
    matched_by: dict[str, _DrugMatch],
    effects: GraphEffects,
    graph: Graph,
    inputs: _Inputs,
    result: SiderImport,
) -> tuple[str, str]:
    """The import as Turtle text and as the text of its mapping set. ``drugs`` maps STITCH flat
    id -> drug IRIs; ``matched_by`` maps drug IRI -> how it was matched."""
    per_drug: dict[str, list[str]] = {}
    for flat, cui in data.pairs:
        for drug in drugs.get(flat, ()):
            per_drug.setdefault(drug, []).append(cui)
            result.drugs[drug] = flat
    used = {cui for cuis in per_drug.values() for cui in cuis}
    matches = {
        cui: found
        for cui in sorted(used)
        if (found := effects.match(cui, data.names[cui])) is not None
    }
    new = sorted(used - matches.keys())
    result.linked_effects = {cui: m.node for cui, m in matches.items()}
    result.matched_by = {cui: m.how for cui, m in matches.items()}
    result.new_effects = len(new)

    def effect_iri(cui: str) -> str:
        found = matches.get(cui)
        return found.node if found else f"{RESOURCE_IRI}sider-effect-{cui}"

    curie = _Curies()
    rows: list[dict[str, str]] = []
    body: list[str] = [_provenance(inputs)]
    add = body.append
    for drug in sorted(per_drug):
        flat = result.drugs[drug]
        match = matched_by[drug]
        cuis = sorted(per_drug[drug], key=lambda c: (effect_iri(c), c))
        d = _iri(drug)
        slug = _slug(drug)
        add(f"\n# {d}: SIDER compound {flat}, matched by {match.how}\n")
        if match.via == DRUGBANK_FILE:
            # SIDER's table gives the compound of the graph's DrugBank id: a link of the import's.
            cid = int(flat[len("CID1") :])
            rows.append(
                {
                    "record_id": curie(f"{RESOURCE_IRI}sider-match-{slug}"),
                    "subject_id": curie(drug),
                    "subject_label": _label(graph, drug),
                    "predicate_id": "skos:exactMatch",
                    "object_id": curie(f"{PUBCHEM_PREFIX}{cid}"),
                    "mapping_justification": "semapv:MappingChaining",
                    "mapping_provider": SECTION_IRIS[DRUGBANK_FILE],
                    "comment": (
                        f"The graph's DrugBank id {match.identifier.rsplit('/', 1)[-1]} is SIDER "
                        f"4.1 compound {flat} in SIDER's DrugBank table; a STITCH flat id is "
                        "CID1 and the PubChem CID."
                    ),
                }
            )
        add(f"{d} mskg:hasLabelledSideEffect\n    ")
        add(" ,\n    ".join(_iri(effect_iri(cui)) for cui in cuis))
        add(" .\n")
        for cui in cuis:
            lines = [
                f"mskr:sider-{slug}-{cui} a mskg:LabelSideEffectAssociation ;",
                f"    rdf:subject {d} ;",
                "    rdf:predicate mskg:hasLabelledSideEffect ;",
                f"    rdf:object {_iri(effect_iri(cui))} ;",
            ]
            bounds = data.bounds.get((flat, cui))
            if bounds is not None:
                result.with_frequency += 1
                lines.append(f"    mskg:frequencyLowerBound {_decimal(bounds[0])} ;")
                lines.append(f"    mskg:frequencyUpperBound {_decimal(bounds[1])} ;")
            lines.append("    prov:wasDerivedFrom mskr:sider-4-1 ;")
            lines.append(f"    prov:wasGeneratedBy {_iri(ACTIVITY_IRI)} .\n")
            add("\n".join(lines))
            result.statements += 1
    section = SECTION_IRIS[SE_FILE]
    for cui, found in sorted(matches.items(), key=lambda item: (item[1].node, item[0])):
        if found.how == BY_CUI:
            continue  # the graph's own skos:exactMatch to the CUI is the link
        term = f"SIDER 4.1's MedDRA preferred term {data.names[cui]} (UMLS {cui})"
        rows.append(
            {
                "record_id": curie(f"{RESOURCE_IRI}sider-match-{cui}"),
                "subject_id": curie(found.node),
                "subject_label": _label(graph, found.node),
                "predicate_id": "skos:closeMatch",
                "object_id": curie(UMLS_PREFIX + cui),
                "object_label": data.names[cui],
                "mapping_justification": JUSTIFICATIONS[found.how],
                "mapping_provider": section,
                "comment": f"Matched by {found.how}: {term} is this node; {found.why}.",
            }
        )
    retyped = sorted({m.node for m in matches.values()} - effects.adverse)
    if retyped:
        add(
            "\n# Symptoms and diseases SIDER lists as side effects: typed mskg:AdverseEffect, as"
            "\n# the range of mskg:hasLabelledSideEffect entails.\n"
        )
    for node in retyped:
        terms = ", ".join(
            f'"{data.names[c]}"' for c, m in sorted(matches.items()) if m.node == node
        )
        note = (
            f"SIDER 4.1 lists this {effects.kinds.get(node, 'node')} as a side effect on drug "
            f"labels ({terms}), so it is also an adverse effect."
        )
        add(
            f"{_iri(node)} a mskg:AdverseEffect .\n"
            + _match_record(
                f"{RESOURCE_IRI}sider-type-{_slug(node)}",
                node,
                "rdf:type",
                "mskg:AdverseEffect",
                note,
                [SOURCE_IRI],
            )
        )
    if new:
        add("\n# Effects only SIDER names: MedDRA preferred terms (their UMLS CUIs are in the")
        add("\n# import's mapping set).\n")
    for cui in new:
        name = data.names[cui]
        definition = (
            f'The side effect SIDER 4.1 lists under the MedDRA preferred term "{name}" (UMLS '
            f"{cui}); mskg has no definition of its own for it yet."
        )
        add(
            f"mskr:sider-effect-{cui} a mskg:AdverseEffect ;\n"
            f"    rdfs:label {_literal(name)}@en ;\n"
            f"    skos:definition {_literal(definition)}@en ;\n"
            "    prov:wasDerivedFrom mskr:sider-4-1 ;\n"
            f"    prov:wasGeneratedBy {_iri(ACTIVITY_IRI)} .\n"
            # Like every cross-reference, the mapping to the CUI has its own sourced record.
            + _match_record(
                f"{RESOURCE_IRI}sider-match-{cui}",
                f"{RESOURCE_IRI}sider-effect-{cui}",
                "skos:exactMatch",
                f"<{UMLS_PREFIX}{cui}>",
                f'SIDER 4.1\'s MedDRA preferred term "{name}" (UMLS {cui}) is this node.',
                [section],
            )
        )
        rows.append(
            {
                "record_id": curie(f"{RESOURCE_IRI}sider-match-{cui}"),
                "subject_id": curie(f"{RESOURCE_IRI}sider-effect-{cui}"),
                "subject_label": name,
                "predicate_id": "skos:exactMatch",
                "object_id": curie(UMLS_PREFIX + cui),
                "object_label": name,
                "mapping_justification": "semapv:UnspecifiedMatching",
                "mapping_provider": section,
                "comment": (
                    "mskg import sider made this node for the SIDER 4.1 term, which SIDER names "
                    "by this UMLS CUI; no matching was involved."
                ),
            }
        )
    counts = {how: sum(m.how == how for m in matches.values()) for how in (BY_CUI, BY_MEANING)}
    counts[BY_LABEL] = sum(m.how == BY_LABEL for m in matches.values())
    header = _HEADER.format(
        prefixes=turtle_prefix_block(),
        inputs=inputs.describe(),
        drugs=len(per_drug),
        statements=result.statements,
        matches=", ".join(f"{n} by {how}" for how, n in counts.items()),
        new=len(new),
        citation=_CITATION,
        note=_NOTE,
        license=SIDER_LICENSE,
    )
    metadata = {
        "curie_map": curie.curie_map,
        "mapping_set_id": MAPPING_SET_ID,
        "mapping_set_title": "mskg import sider: the graph's drugs and effects in SIDER 4.1",
        "mapping_set_description": _MAPPING_SET_DESCRIPTION,
        "license": SIDER_LICENSE,
        "mapping_tool": "mskg import sider",
        "sssom_version": "1.1",
        "comment": (
            "Generated by mskg import sider beside imports/sider.ttl; do not edit, run the "
            "import again. Derived from SIDER 4.1 (CC BY-NC-SA 4.0): kept out of version control."
        ),
    }
    return header + "".join(body), format_mapping_set(metadata, rows)


def import_sider(
    sider_dir: Path | str,
    graph_dir: Path | str | None = None,
    *,
    progress: bool = False,
    graph: Graph | None = None,
) -> SiderImport:
    """Import SIDER 4.1 side effects for the drugs of the graph at ``graph_dir``.

    ``graph_dir`` defaults to ``./graph`` when the current folder has one
    (:func:`mskg.paths.writable_graph_dir`); the graph bundled in the installed package is never
    written. Writes ``<graph_dir>/imports/sider.ttl`` and ``sider.sssom.tsv`` atomically, each
    only if its content changes. The drugs and effects are read from the graph's other files
    (``graph`` may be given instead). Raises :class:`SiderInputError` for a damaged input
    (nothing written) and :class:`UsageError` when no drug of the graph is in SIDER's files.
    """
    started = time.perf_counter()
    sider = Path(sider_dir)
    if not sider.is_dir():
        raise UsageError(f"{sider}: not a folder holding the SIDER 4.1 files")
    root = writable_graph_dir(graph_dir, command="import sider")
    output = root / OUTPUT
    mapping_output = root / MAPPING_OUTPUT
    se_path = _find_input(sider, SE_FILE)
    freq_path = _find_input(sider, FREQ_FILE)

    if graph is None:
        from mskg.graph.loader import graph_files, load_files

        previous = {output.resolve(), mapping_output.resolve()}
        graph = load_files(f for f in graph_files(root) if f.resolve() not in previous)
    by_cid, by_drugbank = graph_drugs(graph)
    effects = graph_effects(graph)

    drugs: dict[str, list[str]] = {}
    matched_by: dict[str, _DrugMatch] = {}
    for cid, iris in sorted(by_cid.items()):
        flat = stitch_flat_id(cid)
        for iri in iris:
            drugs.setdefault(flat, []).append(iri)
            matched_by.setdefault(
                iri, _DrugMatch(flat, f"{PUBCHEM_PREFIX}{cid}", "PubChem CID", SE_FILE)
            )
    unmatched = {
        db: iris for db, iris in by_drugbank.items() if any(i not in matched_by for i in iris)
    }
    drugbank_path = sider / DRUGBANK_FILE
    if unmatched:
        via = drugbank_to_stitch(drugbank_path)
        for db, iris in sorted(unmatched.items()):
            if db in via:
                for iri in iris:
                    if iri not in matched_by:
                        drugs.setdefault(via[db], []).append(iri)
                        matched_by[iri] = _DrugMatch(
                            via[db], f"{DRUGBANK_PREFIX}{db}", "DrugBank id", DRUGBANK_FILE
                        )

    wanted = set(drugs)
    data = _Collected()
    bar = None
    update: Callable[[int], None] | None = None
    if progress:
        from tqdm import tqdm

        total = se_path.stat().st_size + freq_path.stat().st_size
        bar = tqdm(total=total, unit="B", unit_scale=True, desc="SIDER", leave=False)
        update = bar.update
    try:
        _read_side_effects(se_path, wanted, data, update)
        _read_frequencies(freq_path, wanted, data, update)
    finally:
        if bar is not None:
            bar.close()

    result = SiderImport(output=output, drugs={}, mapping_output=mapping_output)
    result.se_rows, result.freq_rows = data.se_rows, data.freq_rows
    if not data.pairs:
        raise UsageError(
            f"no drug of the graph at {root} is in {se_path.name}: SIDER is matched by "
            "skos:exactMatch to a PubChem compound (http://rdf.ncbi.nlm.nih.gov/pubchem/compound/"
            "CIDnnn) or a DrugBank id; nothing was written"
        )
    files = [(SE_FILE, se_path, data.se_rows), (FREQ_FILE, freq_path, data.freq_rows)]
    matched_flats = {flat for flat, _ in data.pairs}
    if any(m.via == DRUGBANK_FILE and m.stitch in matched_flats for m in matched_by.values()):
        with drugbank_path.open(encoding="utf-8", newline="") as handle:
            files.append((DRUGBANK_FILE, drugbank_path, sum(1 for _ in handle) - 1))
    text, mappings = render(data, drugs, matched_by, effects, graph, _Inputs(files), result)
    # The mapping set first: the Turtle of an import names it, not the other way round.
    for path, content in ((mapping_output, mappings), (output, text)):
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if current != content:
            atomic_write(path, content)
            result.changed = True
    result.seconds = time.perf_counter() - started
    return result
