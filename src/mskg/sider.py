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
id, and writes their side effects (MedDRA preferred terms) to ``<graph>/imports/sider.ttl``:

* ``drug mskg:hasLabelledSideEffect effect`` plus an ``mskg:LabelSideEffectAssociation`` that
  reifies it, with ``mskg:frequencyLowerBound``/``UpperBound`` (the widest range over the label's
  non-placebo frequencies) and ``prov:wasDerivedFrom mskr:sider-4-1``;
* the effect is the graph's own node when one carries ``skos:exactMatch`` to the same UMLS CUI
  (the seed's hair loss is SIDER's Alopecia), and that match is recorded as an ``mskg:Association``
  reifying ``node skos:exactMatch umls:CUI``; otherwise a new ``mskr:sider-effect-CUI`` node.

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

from rdflib import RDF, RDFS, Graph, URIRef
from rdflib.namespace import SKOS

from mskg.atomic import atomic_write
from mskg.errors import MskgError, UsageError
from mskg.paths import default_graph_dir
from mskg.vocab import MSKG, MSKG_IRI, RESOURCE_IRI

SE_FILE = "meddra_all_se.tsv.gz"
FREQ_FILE = "meddra_freq.tsv.gz"
DRUGBANK_FILE = "indications.tsv"
OUTPUT = Path("imports") / "sider.ttl"

SOURCE_IRI = RESOURCE_IRI + "sider-4-1"
PUBCHEM_PREFIX = "http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID"
DRUGBANK_PREFIX = "https://go.drugbank.com/drugs/"
UMLS_PREFIX = "https://bioregistry.io/umls:"

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


@dataclass
class SiderImport:
    """What :func:`import_sider` did."""

    output: Path
    drugs: dict[str, str]  # drug IRI -> STITCH flat id
    se_rows: int = 0
    freq_rows: int = 0
    statements: int = 0
    linked_effects: dict[str, str] = field(default_factory=dict)  # CUI -> existing node IRI
    new_effects: int = 0
    with_frequency: int = 0
    changed: bool = False
    seconds: float = 0.0


# --------------------------------------------------------------------------------------------
# Reading the graph: which drugs and effects SIDER can be matched to
# --------------------------------------------------------------------------------------------


def stitch_flat_id(pubchem_cid: int) -> str:
    """The STITCH flat id of a PubChem compound: ``CID1`` + the CID padded to 8 digits."""
    return f"CID1{pubchem_cid:08d}"


def _subclasses(graph: Graph, root: URIRef) -> set[URIRef]:
    found = {root}
    frontier = [root]
    while frontier:
        cls = frontier.pop()
        for sub in graph.subjects(RDFS.subClassOf, cls):
            if isinstance(sub, URIRef) and sub not in found:
                found.add(sub)
                frontier.append(sub)
    return found


def _instances(graph: Graph, root: URIRef) -> set[URIRef]:
    return {
        s
        for cls in _subclasses(graph, root)
        for s in graph.subjects(RDF.type, cls)
        if isinstance(s, URIRef)
    }


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


def graph_effects(graph: Graph) -> dict[str, str]:
    """Adverse-effect nodes by the UMLS CUI they are an exact match of (first IRI if several)."""
    effects = _instances(graph, MSKG.AdverseEffect)
    by_cui: dict[str, str] = {}
    for subject, target in sorted(graph.subject_objects(SKOS.exactMatch)):
        text = str(target)
        if subject in effects and text.startswith(UMLS_PREFIX):
            by_cui.setdefault(text[len(UMLS_PREFIX) :], str(subject))
    return by_cui


def drugbank_to_stitch(path: Path) -> dict[str, str]:
    """DrugBank id -> STITCH flat id, from a dhimmel/SIDER4 ``indications.tsv`` (if present)."""
    mapping: dict[str, str] = {}
    if not path.is_file():
        return mapping
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter="\t")
        columns = reader.fieldnames or []
        if "drugbank_id" not in columns or "stitch_id_flat" not in columns:
            raise SiderInputError(path, "needs the columns drugbank_id and stitch_id_flat", row=1)
        for row in reader:
            drugbank, stitch = row.get("drugbank_id") or "", row.get("stitch_id_flat") or ""
            if drugbank and re.fullmatch(r"CID1\d{8}", stitch):
                mapping.setdefault(drugbank, stitch)
    return mapping


# --------------------------------------------------------------------------------------------
# Reading SIDER: every row checked, progress by compressed bytes
# --------------------------------------------------------------------------------------------


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
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
        last = 0
        for row, line in enumerate(text, start=1):
            if not line.endswith("\n"):
                raise SiderInputError(
                    path, "row is cut short (no end of line): truncated file", row
                )
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
    except UnicodeDecodeError as exc:
        raise SiderInputError(path, "not UTF-8 text", row + 1) from exc
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
    match = _SE_ROW.fullmatch
    for row, line in _rows(path, progress):
        found = match(line)
        if found is None:
            raise _bad_row(path, row, line, _SE_COLUMNS)
        out.se_rows = row
        flat = found.group(1)
        if flat in wanted and found.group(4) == "PT":
            cui = found.group(5)
            out.pairs.add((flat, cui))
            out.names.setdefault(cui, found.group(8).strip())
    if out.se_rows == 0:
        raise SiderInputError(path, "has no rows")


def _read_frequencies(
    path: Path, wanted: set[str], out: _Collected, progress: Callable[[int], None] | None
) -> None:
    match = _FREQ_ROW.fullmatch
    for row, line in _rows(path, progress):
        found = match(line)
        if found is None:
            raise _bad_row(path, row, line, _FREQ_COLUMNS)
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
    if out.freq_rows == 0:
        raise SiderInputError(path, "has no rows")


# --------------------------------------------------------------------------------------------
# Writing Turtle text
# --------------------------------------------------------------------------------------------

_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}


def _literal(text: str) -> str:
    return '"' + text.translate(_ESCAPES) + '"'


def _iri(iri: str) -> str:
    for prefix, namespace in (("mskr", RESOURCE_IRI), ("mskg", MSKG_IRI)):
        if iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


def _slug(iri: str) -> str:
    """A short, stable name for a drug in the IRIs minted for its statements."""
    if iri.startswith(RESOURCE_IRI) and _LOCAL_NAME.fullmatch(iri[len(RESOURCE_IRI) :]):
        return iri[len(RESOURCE_IRI) :]
    return "h" + hashlib.sha256(iri.encode()).hexdigest()[:12]


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return f'"{text}"^^xsd:decimal'


_HEADER = """\
# Generated by `mskg import sider` from SIDER 4.1 (http://sideeffects.embl.de/). Do not edit:
# run the import again instead. SIDER is licensed CC BY-NC-SA 4.0, so this file is derived content
# under that licence: keep it out of version control (graph/imports/ is ignored by git).
# Input: {inputs}
# {drugs} drug(s) matched, {statements} label side effect(s), {linked} matched to existing effect
# nodes by UMLS CUI, {new} new effect node(s).

@prefix mskg:    <https://w3id.org/mskg/ontology/> .
@prefix mskr:    <https://w3id.org/mskg/resource/> .
@prefix rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:    <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd:     <http://www.w3.org/2001/XMLSchema#> .
@prefix skos:    <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix prov:    <http://www.w3.org/ns/prov#> .
@prefix schema:  <http://schema.org/> .

mskr:sider-4-1 a mskg:InformationSource ;
    rdfs:label "SIDER 4.1 side effect resource"@en ;
    dcterms:title "SIDER 4.1: side effects mined from drug labels"@en ;
    schema:url "http://sideeffects.embl.de/"^^xsd:anyURI ;
    dcterms:license <https://creativecommons.org/licenses/by-nc-sa/4.0/> ;
    dcterms:bibliographicCitation "{citation}" ;
    skos:note "{note}"@en .
"""
_CITATION = (
    "Kuhn M, Letunic I, Jensen LJ, Bork P. The SIDER database of drugs and side effects. "
    "Nucleic Acids Research 44(D1):D1075-D1079, 2016."
)
_NOTE = (
    "Side effects found on drug labels, as MedDRA preferred terms with UMLS concept ids, and the "
    "frequencies the labels give. Imported by mskg import sider; statements from it are "
    "mskg:LabelSideEffectAssociation nodes, kept apart from the curated seed facts."
)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def render(
    data: _Collected,
    drugs: dict[str, list[str]],
    matched_by: dict[str, str],
    effects_by_cui: dict[str, str],
    inputs: str,
    result: SiderImport,
) -> str:
    """The import as Turtle text. ``drugs`` maps STITCH flat id -> drug IRIs; ``matched_by`` maps
    drug IRI -> the IRI of the identifier it was matched by."""
    per_drug: dict[str, list[str]] = {}
    for flat, cui in data.pairs:
        for drug in drugs.get(flat, ()):
            per_drug.setdefault(drug, []).append(cui)
            result.drugs[drug] = flat
    used = {cui for cuis in per_drug.values() for cui in cuis}
    linked = {cui: effects_by_cui[cui] for cui in used if cui in effects_by_cui}
    new = sorted(used - linked.keys())
    result.linked_effects = dict(sorted(linked.items()))
    result.new_effects = len(new)

    def effect_iri(cui: str) -> str:
        return linked.get(cui) or f"{RESOURCE_IRI}sider-effect-{cui}"

    body: list[str] = []
    add = body.append
    for drug in sorted(per_drug):
        flat = result.drugs[drug]
        cuis = sorted(per_drug[drug], key=lambda c: (effect_iri(c), c))
        d = _iri(drug)
        slug = _slug(drug)
        add(f"\n# {d}: SIDER compound {flat}\n")
        add(f"{d} skos:exactMatch <{matched_by[drug]}> .\n")
        add(
            f"mskr:sider-match-{slug} a mskg:Association ;\n"
            f"    rdf:subject {d} ;\n    rdf:predicate skos:exactMatch ;\n"
            f"    rdf:object <{matched_by[drug]}> ;\n"
            f"    skos:note {_literal(f'Matched to SIDER 4.1 compound {flat} by this identifier.')}"
            "@en ;\n    prov:wasDerivedFrom mskr:sider-4-1 .\n"
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
            lines.append("    prov:wasDerivedFrom mskr:sider-4-1 .\n")
            add("\n".join(lines))
            result.statements += 1
    if linked:
        add("\n# Effects SIDER shares with the graph (same UMLS concept), with the mapping.\n")
    for cui, node in sorted(linked.items(), key=lambda item: (item[1], item[0])):
        umls = f"<{UMLS_PREFIX}{cui}>"
        note = f"SIDER 4.1 MedDRA preferred term {data.names[cui]} (UMLS {cui}) is this effect."
        add(
            f"{_iri(node)} skos:exactMatch {umls} .\n"
            f"mskr:sider-match-{cui} a mskg:Association ;\n"
            f"    rdf:subject {_iri(node)} ;\n    rdf:predicate skos:exactMatch ;\n"
            f"    rdf:object {umls} ;\n    skos:note {_literal(note)}@en ;\n"
            "    prov:wasDerivedFrom mskr:sider-4-1 .\n"
        )
    if new:
        add("\n# Effects only SIDER names: MedDRA preferred terms.\n")
    for cui in new:
        add(
            f"mskr:sider-effect-{cui} a mskg:AdverseEffect ;\n"
            f"    rdfs:label {_literal(data.names[cui])}@en ;\n"
            f"    skos:exactMatch <{UMLS_PREFIX}{cui}> ;\n"
            "    prov:wasDerivedFrom mskr:sider-4-1 .\n"
        )
    header = _HEADER.format(
        inputs=inputs,
        drugs=len(per_drug),
        statements=result.statements,
        linked=len(linked),
        new=len(new),
        citation=_CITATION,
        note=_NOTE,
    )
    return header + "".join(body)


# --------------------------------------------------------------------------------------------
# The import
# --------------------------------------------------------------------------------------------


def import_sider(
    sider_dir: Path | str,
    graph_dir: Path | str | None = None,
    *,
    progress: bool = False,
    graph: Graph | None = None,
) -> SiderImport:
    """Import SIDER 4.1 side effects for the drugs of the graph at ``graph_dir``.

    Writes ``<graph_dir>/imports/sider.ttl`` atomically, and only if its content changes. The
    drugs and effects are read from the graph's other files (``graph`` may be given instead).
    Raises :class:`SiderInputError` for a damaged input (nothing written) and
    :class:`UsageError` when no drug of the graph is in SIDER's files.
    """
    started = time.perf_counter()
    sider = Path(sider_dir)
    if not sider.is_dir():
        raise UsageError(f"{sider}: not a folder holding the SIDER 4.1 files")
    root = Path(graph_dir) if graph_dir is not None else default_graph_dir()
    output = root / OUTPUT
    se_path = _find_input(sider, SE_FILE)
    freq_path = _find_input(sider, FREQ_FILE)

    if graph is None:
        from mskg.loader import graph_files, load_files

        previous = output.resolve()
        graph = load_files(f for f in graph_files(root) if f.resolve() != previous)
    by_cid, by_drugbank = graph_drugs(graph)
    effects_by_cui = graph_effects(graph)

    drugs: dict[str, list[str]] = {}
    matched_by: dict[str, str] = {}
    for cid, iris in sorted(by_cid.items()):
        for iri in iris:
            drugs.setdefault(stitch_flat_id(cid), []).append(iri)
            matched_by.setdefault(iri, f"{PUBCHEM_PREFIX}{cid}")
    unmatched = {
        db: iris for db, iris in by_drugbank.items() if any(i not in matched_by for i in iris)
    }
    if unmatched:
        via = drugbank_to_stitch(sider / DRUGBANK_FILE)
        for db, iris in sorted(unmatched.items()):
            if db in via:
                for iri in iris:
                    if iri not in matched_by:
                        drugs.setdefault(via[db], []).append(iri)
                        matched_by[iri] = f"{DRUGBANK_PREFIX}{db}"

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

    result = SiderImport(output=output, drugs={})
    result.se_rows, result.freq_rows = data.se_rows, data.freq_rows
    if not data.pairs:
        raise UsageError(
            f"no drug of the graph at {root} is in {se_path.name}: SIDER is matched by "
            "skos:exactMatch to a PubChem compound (http://rdf.ncbi.nlm.nih.gov/pubchem/compound/"
            "CIDnnn) or a DrugBank id; nothing was written"
        )
    inputs = (
        f"{se_path.name} ({data.se_rows} rows, sha256 {_digest(se_path)}), "
        f"{freq_path.name} ({data.freq_rows} rows, sha256 {_digest(freq_path)})"
    )
    text = render(data, drugs, matched_by, effects_by_cui, inputs, result)
    current = output.read_text(encoding="utf-8") if output.is_file() else None
    if current != text:
        atomic_write(output, text)
        result.changed = True
    result.seconds = time.perf_counter() - started
    return result
