"""Cross-references as SSSOM mapping sets: the files sssom-py validates, the triples mskg makes of
them, the rows it refuses (with file and line), and the tool that writes the curated set."""

from __future__ import annotations

import functools
import importlib.util
import inspect
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from rdflib import OWL, RDF, Graph, URIRef
from rdflib.namespace import PROV, SKOS

from conftest import GRAPH_DIR, REPO_DIR, SHARED_DIR, TESTS_DIR
from mskg.cli import main
from mskg.errors import GraphLoadError
from mskg.graph.loader import load_files, load_graph
from mskg.graph.native import load_native_graph
from mskg.graph.sssom import (
    JUSTIFICATIONS,
    MAPPING_JUSTIFICATION,
    MAPPING_PREDICATES,
    WRITTEN_COLUMNS,
    format_mapping_set,
    read_mapping_set,
)
from mskg.importers.sider import import_sider
from mskg.vocab import MSKG, MSKR, SCHEMA

CURATED = GRAPH_DIR / "mappings" / "mskg.sssom.tsv"
PAGE_CURATED = GRAPH_DIR / "mappings" / "mskg-page-evidenced.sssom.tsv"
PAGE_TABLES = REPO_DIR / "tools" / "identifiers"
IDENTIFIERS = SHARED_DIR / "reference" / "identifiers.tsv"
SEMAPV = "https://w3id.org/semapv/vocab/"
ATC = "https://bioregistry.io/atc:"
JUSTIFIED_BY = URIRef(MAPPING_JUSTIFICATION)

needs_table = pytest.mark.skipif(
    not IDENTIFIERS.is_file(), reason="no reference identifier table in ../shared"
)


@functools.cache
def tool() -> ModuleType:
    """tools/mappings_from_reference.py, imported from its file (tools/ is not a package)."""
    path = REPO_DIR / "tools" / "mappings_from_reference.py"
    spec = importlib.util.spec_from_file_location("mappings_from_reference", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@functools.cache
def sssom_schema() -> dict[str, Any]:
    """The SSSOM LinkML schema as the sssom-schema package ships it (offline)."""
    import sssom_schema

    path = Path(sssom_schema.__file__).parent / "schema" / "sssom_schema.yaml"
    loaded: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded


def sssom_problems(path: Path) -> list[str]:
    """What sssom-py's validation (JSON schema, prefix map, CURIE format) finds in ``path``."""
    from sssom.parsers import parse_sssom_table
    from sssom.validators import validate

    reports = validate(parse_sssom_table(path), fail_on_error=False)
    return [
        f"{kind}: {result.message}" for kind, report in reports.items() for result in report.results
    ]


def test_sssom_py_validates_the_curated_set(tmp_path: Path) -> None:
    assert sssom_problems(CURATED) == []
    assert sssom_problems(PAGE_CURATED) == []
    # The check can fail: a prefix left out of the curie_map is reported.
    broken = tmp_path / "broken.sssom.tsv"
    text = CURATED.read_text(encoding="utf-8")
    broken.write_text(text.replace("#  MESH: http://id.nlm.nih.gov/mesh/\n", ""), "utf-8")
    assert any("MESH" in problem for problem in sssom_problems(broken))


def test_sssom_py_validates_a_sider_import(graph_copy: Path) -> None:
    result = import_sider(TESTS_DIR / "fixtures" / "sider", graph_copy)
    assert result.mapping_output is not None and result.mapping_output.is_file()
    assert sssom_problems(result.mapping_output) == []
    # The import's rows are justified as it matched: curated meaning, label, a node it made.
    rows = read_mapping_set(result.mapping_output).mappings
    assert {m.justification.removeprefix(SEMAPV) for m in rows} == {
        "ManualMappingCuration",
        "LexicalMatching",
        "UnspecifiedMatching",
    }


@pytest.mark.parametrize("curated", [CURATED, PAGE_CURATED], ids=lambda path: path.name)
def test_sssom_py_sees_the_rows_mskg_reads(curated: Path) -> None:
    """sssom-py and mskg's own reader agree on the rows, their IRIs and the metadata block."""
    from sssom.parsers import parse_sssom_table

    msdf = parse_sssom_table(curated)
    ours = read_mapping_set(curated)
    expand = msdf.converter.expand
    theirs = {
        (expand(r.subject_id), expand(r.predicate_id), expand(r.object_id), r.mapping_provider)
        for r in msdf.df.itertuples()
    }
    assert theirs == {(m.subject, m.predicate, m.object, m.source) for m in ours.mappings}
    header = "\n".join(line[1:] for line in curated.read_text().splitlines() if line[:1] == "#")
    assert yaml.safe_load(header) == ours.metadata


def test_justifications_and_slots_are_sssom_schema_ones() -> None:
    """mskg's list of justifications is the schema's, and the slots the files use are the schema's
    slots of a mapping, for the meaning mskg gives them."""
    schema = sssom_schema()
    slots = schema["slots"]
    allowed = {e["equals_string"] for e in slots["mapping_justification"]["any_of"]}
    assert {f"semapv:{name}" for name in JUSTIFICATIONS} == allowed
    mapping_slots = set(schema["classes"]["mapping"]["slots"])
    columns = set(WRITTEN_COLUMNS)
    assert columns <= mapping_slots
    # The source is mapping_provider: "the source that provided the mapping ... a database from
    # which it was derived", set once for the curated set (SSSOM propagates it to each row).
    assert "derived" in slots["mapping_provider"]["description"]
    assert slots["mapping_provider"]["annotations"]["propagated"] is True
    # record_id is meant as the record's IRI in RDF, as mskg uses it; it needs SSSOM 1.1.
    assert "RDF" in " ".join(slots["record_id"]["description"].split())
    assert read_mapping_set(CURATED).metadata["sssom_version"] == "1.1"


def test_rows_become_the_direct_triple_and_its_association(graph: Graph) -> None:
    record = MSKR["xref-natalizumab-db00108"]
    drugbank = URIRef("https://go.drugbank.com/drugs/DB00108")
    assert (MSKR.natalizumab, SKOS.exactMatch, drugbank) in graph
    assert set(graph.predicate_objects(record)) == {
        (RDF.type, MSKG.Association),
        (RDF.subject, MSKR.natalizumab),
        (RDF.predicate, SKOS.exactMatch),
        (RDF.object, drugbank),
        (PROV.wasDerivedFrom, MSKR["reference-identifiers"]),
        (JUSTIFIED_BY, URIRef(SEMAPV + "ManualMappingCuration")),
    }
    # A row's comment is the association's note: why the HPO term is only close.
    close = MSKR["xref-urinary-tract-infection-hp-0000010"]
    assert (close, RDF.predicate, SKOS.closeMatch) in graph
    assert "recurrent" in str(graph.value(close, SKOS.note))


def test_every_cross_reference_has_its_association(graph: Graph) -> None:
    """The shape the SHACL rules read: each mapping triple of an mskr: node is reified by an
    mskg:Association with a source and a justification."""
    reified = {
        (graph.value(a, RDF.subject), graph.value(a, RDF.predicate), graph.value(a, RDF.object)): a
        for a in graph.subjects(RDF.type, MSKG.Association)
    }
    mappings = [
        (s, p, o)
        for p in map(URIRef, MAPPING_PREDICATES)
        for s, o in graph.subject_objects(p)
        if str(s).startswith(str(MSKR))
    ]
    assert len(mappings) > 200
    for triple in mappings:
        record = reified[triple]
        assert graph.value(record, PROV.wasDerivedFrom) is not None
        assert str(graph.value(record, JUSTIFIED_BY)).startswith(SEMAPV)


def vocabulary_comment(module: ModuleType, term: str) -> str:
    """The definition rdflib's copy of a vocabulary gives ``term`` (the comment of its line)."""
    for line in inspect.getsource(module).splitlines():
        if line.strip().startswith(f"{term}: URIRef"):
            return line.partition("#")[2].strip()
    raise AssertionError(f"{term} is not in {module.__name__}")


def test_atc_codes_are_classification_codes_not_matches(graph: Graph) -> None:
    """An ATC code classifies a drug for a therapeutic use; it is not the drug. The candidates'
    own definitions, offline: schema:code is a code from a controlled vocabulary; a SKOS match
    links two concepts (broadMatch: a hierarchical link between them); oboInOwl:hasDbXref says
    only "related in some way" (SSSOM's own guidance)."""
    from rdflib.namespace import _SDO, _SKOS

    code = vocabulary_comment(_SDO, "code")
    assert "medical code" in code and "controlled vocabulary" in code
    assert "MedicalCode" in _SDO.SDO.__annotations__
    assert "two conceptual resources" in vocabulary_comment(_SKOS, "broadMatch")
    assert "concepts can be used interchangeably" in vocabulary_comment(_SKOS, "exactMatch")
    examples = sssom_schema()["slots"]["predicate_id"]["examples"]
    xref = next(e for e in examples if e["value"] == "oboInOwl:hasDbXref")
    assert "related in some way" in xref["description"]

    assert (SCHEMA.code, RDF.type, OWL.ObjectProperty) in graph
    codes = {(s, o) for s, o in graph.subject_objects(SCHEMA.code)}
    assert (MSKR.alemtuzumab, URIRef(ATC + "L04AG06")) in codes
    assert (MSKR.alemtuzumab, URIRef(ATC + "L01XC04")) in codes  # the replaced code too
    assert all(str(o).startswith(ATC) for _, o in codes)
    for predicate in map(URIRef, MAPPING_PREDICATES):
        if predicate != SCHEMA.code:
            assert not any(str(o).startswith(ATC) for o in graph.objects(None, predicate))


def test_native_engine_answers_exact_match_queries(capsys: pytest.CaptureFixture[str]) -> None:
    """mskg query on the Oxigraph path reads the mapping set too."""
    native = load_native_graph(GRAPH_DIR)
    assert any(f.name == "mskg.sssom.tsv" for f in native.files)
    assert native.as_written
    query = (
        "PREFIX mskr: <https://w3id.org/mskg/resource/> "
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "SELECT ?id WHERE { mskr:natalizumab skos:exactMatch ?id }"
    )
    ids = {str(row[0].value) for row in native.store.query(query)}
    assert "https://go.drugbank.com/drugs/DB00108" in ids
    assert main(["query", "--graph", str(GRAPH_DIR), "-e", query]) == 0
    assert "https://go.drugbank.com/drugs/DB00108" in capsys.readouterr().out


def write_set(folder: Path, rows: list[str], header: str | None = None) -> Path:
    """A small mapping set file: the metadata block, the column names, then ``rows``."""
    path = folder / "bad.sssom.tsv"
    block = header or (
        "#curie_map:\n#  mskr: https://w3id.org/mskg/resource/\n"
        "#  DRUGBANK: https://go.drugbank.com/drugs/\n"
        "#mapping_set_id: https://example.org/test.sssom.tsv\n"
        "#mapping_provider: https://w3id.org/mskg/resource/reference-identifiers\n"
    )
    columns = "subject_id\tpredicate_id\tobject_id\tmapping_justification\tmapping_provider\n"
    path.write_text(block + columns + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


GOOD = "mskr:natalizumab\tskos:exactMatch\tDRUGBANK:DB00108\tsemapv:ManualMappingCuration\t"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            GOOD.replace("DRUGBANK:", "DRUGBNK:"),
            "unknown prefix DRUGBNK; declare it in the curie_map",
        ),
        (GOOD.replace("skos:exactMatch", "skos:exactMach"), "is not a predicate mskg reads"),
        (GOOD.replace("skos:exactMatch", "owl:sameAs"), "use one of skos:exactMatch"),
        (GOOD.replace("semapv:ManualMappingCuration", ""), "no mapping_justification"),
        (GOOD.replace("semapv:ManualMappingCuration", "semapv:Guess"), "is not one of semapv:"),
        (GOOD.replace("semapv:", "skos:"), "is not one of semapv:"),
        (GOOD + "mskr:reference-identifiers", "is not a full IRI"),
        (GOOD.replace("\tskos", "\t\tskos"), "expected 5 tab-separated columns, found 6"),
        (GOOD.replace("mskr:natalizumab", "natalizumab"), "is not a CURIE"),
    ],
)
def test_a_bad_row_is_refused_with_file_and_line(tmp_path: Path, row: str, expected: str) -> None:
    path = write_set(tmp_path, [GOOD.replace("DB00108", "DB00087"), row])
    with pytest.raises(GraphLoadError) as info:
        load_graph(path)
    assert info.value.file == path and info.value.line == 8  # 5 metadata lines, columns, a row
    assert expected in str(info.value)
    assert str(info.value).startswith(f"{path}:8: ")


def test_a_row_without_source_is_refused(tmp_path: Path) -> None:
    header = (
        "#curie_map:\n#  DRUGBANK: https://go.drugbank.com/drugs/\n"
        "#  mskr: https://w3id.org/mskg/resource/\n#mapping_set_id: https://example.org/x\n"
    )
    path = write_set(tmp_path, [GOOD], header)
    with pytest.raises(
        GraphLoadError, match=r"bad\.sssom\.tsv:6: no source: give mapping_provider"
    ):
        load_graph(path)


@pytest.mark.parametrize(
    ("header", "line", "expected"),
    [
        ("#curie_map:\n#  mskr: [a, b]\n", 2, "must be quoted"),
        ("#mapping_set_id: https://example.org/x\n#\tlicense: x\n", 2, "indented with a tab"),
        ("#curie_map:\n#  skos: https://example.org/skos#\n", 2, "built-in SSSOM prefix skos"),
        ("#license: https://example.org/\n", 1, "no mapping_set_id"),
        ('#mapping_set_id: "https://example.org/x\n', 1, "does not end"),
    ],
)
def test_a_bad_metadata_block_is_refused_with_its_line(
    tmp_path: Path, header: str, line: int, expected: str
) -> None:
    path = write_set(tmp_path, [GOOD], header)
    with pytest.raises(GraphLoadError) as info:
        load_graph(path)
    assert info.value.line == line and expected in str(info.value)


def test_negated_and_repeated_rows_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "neg.sssom.tsv"
    header = "#curie_map:\n#  DRUGBANK: https://go.drugbank.com/drugs/\n"
    header += "#  mskr: https://w3id.org/mskg/resource/\n#mapping_set_id: https://example.org/x\n"
    header += "#mapping_provider: https://example.org/source\n"
    columns = "record_id\tsubject_id\tpredicate_id\tpredicate_modifier\tobject_id\t"
    columns += "mapping_justification\n"
    row = (
        "mskr:r1\tmskr:natalizumab\tskos:exactMatch\t{}\tDRUGBANK:DB00108\tsemapv:LexicalMatching\n"
    )
    path.write_text(header + columns + row.format("Not"), encoding="utf-8")
    with pytest.raises(GraphLoadError, match=r":7: predicate_modifier Not: a negated mapping"):
        load_graph(path)
    path.write_text(header + columns + row.format("") * 2, encoding="utf-8")
    with pytest.raises(GraphLoadError, match=r":8: record_id .*r1 is also the record of line 7"):
        load_graph(path)


def test_validate_reports_a_bad_row_without_traceback(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    curated = graph_copy / "mappings" / "mskg.sssom.tsv"
    lines = curated.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(n for n, line in enumerate(lines, 1) if line.startswith("mskr:xref-pml-"))
    lines[number - 1] = lines[number - 1].replace("skos:exactMatch", "skos:sameAs")
    curated.write_text("".join(lines), encoding="utf-8")
    assert main(["validate", "--graph", str(graph_copy)]) == 2
    err = capsys.readouterr().err
    assert f"{curated}:{number}: predicate_id skos:sameAs" in err and "Traceback" not in err


def test_metadata_values_round_trip_through_the_writer(tmp_path: Path) -> None:
    """Values YAML would misread unquoted (a final colon, `: `, a number, a leading #) are written
    quoted, and read back the same by mskg and by PyYAML."""
    metadata = {
        "curie_map": {"mskr": "https://w3id.org/mskg/resource/", "X": "https://example.org/x:"},
        "mapping_set_id": "https://example.org/set",
        "mapping_set_description": "Text: with a colon, 'quotes' and \"double\" ones # and more",
        "sssom_version": "1.1",
        "mapping_provider": "https://example.org/source",
        "creator_id": ["orcid:0000-0000", "#hash"],
    }
    path = tmp_path / "round.sssom.tsv"
    path.write_text(format_mapping_set(metadata, [{"subject_id": "mskr:a"}]), encoding="utf-8")
    header = "\n".join(line[1:] for line in path.read_text().splitlines() if line[:1] == "#")
    assert yaml.safe_load(header) == metadata
    with pytest.raises(GraphLoadError, match="the column names lack predicate_id"):
        read_mapping_set(path)


@needs_table
def test_one_mapping_per_verified_row_the_tool_selects(graph: Graph) -> None:
    selected = tool().select(IDENTIFIERS)
    rows = read_mapping_set(CURATED).mappings
    assert len(rows) == len(selected) > 200
    from_table = set(graph.subjects(PROV.wasDerivedFrom, MSKR["reference-identifiers"]))
    records = {URIRef(m.record) for m in rows}
    assert records <= from_table
    assert len(records) == len(selected)


@needs_table
def test_tool_to_table_to_graph_round_trip(graph_copy: Path) -> None:
    """The tool writes the committed file byte for byte (atomically, into a graph folder), and
    each mapping it selects is a triple of the graph loaded from it."""
    module = tool()
    (graph_copy / "mappings" / "mskg.sssom.tsv").unlink()
    (graph_copy / "mappings" / PAGE_CURATED.name).unlink()
    written, page_set = module.main(IDENTIFIERS, graph_copy)
    assert written.read_bytes() == CURATED.read_bytes()
    assert page_set.read_bytes() == PAGE_CURATED.read_bytes()
    assert not list(written.parent.glob(".*"))  # no temporary file left
    loaded = load_graph(graph_copy)
    expand = {"skos:": str(SKOS), "schema:": str(SCHEMA)}
    reference = module.select(IDENTIFIERS)
    for mapping in reference + module.select_pages(PAGE_TABLES, reference):
        prefix, _, local = mapping.predicate.partition(":")
        predicate = URIRef(expand[prefix + ":"] + local)
        assert (MSKR[mapping.node], predicate, URIRef(mapping.iri)) in loaded


@pytest.mark.parametrize("curated", [CURATED, PAGE_CURATED], ids=lambda path: path.name)
def test_subject_labels_are_the_graph_labels(graph: Graph, curated: Path) -> None:
    from rdflib import RDFS

    for row in read_mapping_set(curated).mappings:
        label = graph.value(URIRef(row.subject), RDFS.label)
        assert label is not None, row.subject
    text = curated.read_text(encoding="utf-8").splitlines()
    columns = next(line for line in text if not line.startswith("#")).split("\t")
    for line in text[text.index("\t".join(columns)) + 1 :]:
        values = dict(zip(columns, line.split("\t"), strict=True))
        subject = URIRef(str(MSKR) + values["subject_id"].removeprefix("mskr:"))
        assert values["subject_label"] == str(graph.value(subject, RDFS.label))


def test_tool_prefixes_agree_with_the_kgx_export() -> None:
    """One name per namespace: the CURIE prefixes of the mapping set are the KGX export's."""
    from mskg.exporters.kgx import KGX_PREFIXES

    for prefix, namespace in tool().SCHEMES.values():
        if prefix in KGX_PREFIXES:
            assert KGX_PREFIXES[prefix] == namespace


PAGE_HEADER = "node\tscheme\tid\tlabel_at_source\tevidence_url\tstatus\n"


def page_table(folder: Path, name: str, rows: list[str]) -> Path:
    """A table of tools/identifiers in ``folder``: the column names, then ``rows``."""
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(PAGE_HEADER + "".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def test_page_tables_give_their_verified_rows_with_the_evidence(tmp_path: Path) -> None:
    """A VERIFIED row of tools/identifiers becomes a mapping whose association keeps the page it
    was checked against and names the page-evidenced source; a row with another status is
    skipped; an HGNC gene is only related to its protein; a mapping two tables give is one, with
    both pages; one the reference table already gives is not repeated."""
    module = tool()
    tables = tmp_path / "identifiers"
    uniprot = "cd20\tUniProt\tP11836\tB-lymphocyte antigen CD20\thttps://example.org/cd20\t"
    page_table(
        tables,
        "a.tsv",
        [
            uniprot + "VERIFIED",
            "cd20\tHGNC\tHGNC:7315\tMS4A1\tgithub:owner/repo:genes/MS4A1.txt\tVERIFIED",
            "cd52\tUniProt\tP31358\tCAMPATH-1 antigen\thttps://example.org/cd52\tUNVERIFIED",
            "cd52\tUniProt\tP31358\tCAMPATH-1 antigen\thttps://example.org/cd52\t",
            "natalizumab\tDrugBank\tDB00108\tNatalizumab\thttps://example.org/n\tVERIFIED",
        ],
    )
    page_table(tables, "b.tsv", [uniprot.replace("example.org/cd20", "example.org/b") + "VERIFIED"])
    reference = [
        module.Selected("natalizumab", module.EXACT, "DRUGBANK", "DB00108", "Natalizumab", "")
    ]
    selected = module.select_pages(tables, reference)
    assert {(s.node, s.predicate, s.prefix, s.local) for s in selected} == {
        ("cd20", module.EXACT, "UniProtKB", "P11836"),
        ("cd20", module.RELATED, "HGNC", "7315"),
    }
    labels = {"cd20": "B-lymphocyte antigen CD20"}
    path = tmp_path / "pages.sssom.tsv"
    path.write_text(module.mapping_set_text(selected, labels, module.PAGE_SET), encoding="utf-8")
    assert sssom_problems(path) == []
    loaded = load_graph(path)
    protein = URIRef("http://purl.uniprot.org/uniprot/P11836")
    gene = URIRef("https://identifiers.org/hgnc:7315")
    assert (MSKR.cd20, SKOS.exactMatch, protein) in loaded
    assert (MSKR.cd20, SKOS.relatedMatch, gene) in loaded
    record = MSKR["xref-cd20-p11836"]
    assert loaded.value(record, PROV.wasDerivedFrom) == MSKR["page-evidenced-identifiers"]
    note = str(loaded.value(record, SKOS.note))
    assert note == "Evidence: https://example.org/cd20 | https://example.org/b"
    gene_note = str(loaded.value(MSKR["xref-cd20-hgnc-7315"], SKOS.note))
    assert gene_note.startswith("HGNC names the gene") and "github:owner/repo:" in gene_note


@pytest.mark.parametrize(
    ("rows", "line", "expected"),
    [
        (["cd20\tUniprot\tP11836\tCD20\thttps://e.org\tVERIFIED"], 2, "scheme 'Uniprot'"),
        (["cd20\tUniProt (same)\tP11836\tCD20\thttps://e.org\tVERIFIED"], 2, "(related)"),
        (["cd20\tUniProt\tCD20\tCD20\thttps://e.org\tVERIFIED"], 2, "not a UniProt identifier"),
        (["cd20\tMONDO\tMONDO:123\tx\thttps://e.org\tVERIFIED"], 2, "not a MONDO identifier"),
        (["cd20\tUniProt\tP11836\tCD20\tUniProt website\tVERIFIED"], 2, "evidence_url"),
        (["cd20\tUniProt\tP11836\t\thttps://e.org\tVERIFIED"], 2, "label_at_source is empty"),
        (["mskr:CD 20\tUniProt\tP11836\tCD20\thttps://e.org\tVERIFIED"], 2, "not an mskr:"),
        (["cd20\tUniProt\tP11836\tCD20"], 2, "expected 6 columns"),
        (
            [
                "cd20\tUniProt\tP11836\tCD20\thttps://e.org\tVERIFIED",
                "cd20\tUniProt (related)\tP11836\tCD20\thttps://e.org\tVERIFIED",
            ],
            3,
            "skos:relatedMatch here and skos:exactMatch at",
        ),
    ],
)
def test_a_page_row_mskg_cannot_read_stops_the_tool_at_its_line(
    tmp_path: Path, rows: list[str], line: int, expected: str
) -> None:
    """A VERIFIED row is never dropped silently: the tool stops at its file and line."""
    table = page_table(tmp_path / "identifiers", "t.tsv", rows)
    with pytest.raises(SystemExit) as info:
        tool().select_pages(table.parent)
    assert str(info.value).startswith(f"{table}:{line}: ") and expected in str(info.value)
    (table.parent / "t.tsv").write_text("node\tscheme\tid\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="the column names lack label_at_source"):
        tool().select_pages(table.parent)


def test_main_writes_the_page_set_only_when_a_row_is_verified(
    tmp_path: Path, graph_copy: Path
) -> None:
    """The two sets are written side by side; with no VERIFIED page row the page set goes, since
    a set without rows is not one mskg reads."""
    module = tool()
    reference = tmp_path / "identifiers.tsv"
    reference.write_text(
        "entity\tscheme\tid\tlabel_at_source\tevidence\tstatus\n"
        "natalizumab (Tysabri)\tDrugBank\tDB00108\tNatalizumab\tsomewhere\tVERIFIED\n",
        encoding="utf-8",
    )
    tables = tmp_path / "identifiers"
    page_table(tables, "t.tsv", ["cd52\tUniProt\tP31358\tCD52\thttps://e.org/cd52\tVERIFIED"])
    curated, pages = module.main(reference, graph_copy, tables)
    assert pages == graph_copy / "mappings" / PAGE_CURATED.name
    assert [m.object for m in read_mapping_set(curated).mappings] == [
        "https://go.drugbank.com/drugs/DB00108"
    ]
    assert [m.record for m in read_mapping_set(pages).mappings] == [str(MSKR["xref-cd52-p31358"])]
    page_table(tables, "t.tsv", ["cd52\tUniProt\tP31358\tCD52\thttps://e.org/cd52\tTODO"])
    assert module.main(reference, graph_copy, tables) == [curated]
    assert not pages.exists()


def test_store_load_reads_mapping_sets(tmp_path: Path, graph_copy: Path) -> None:
    """`mskg load` puts a mapping set's triples in an Oxigraph store, as the loader reads them."""
    from mskg.stores import open_store

    store_path = tmp_path / "store"
    mappings = graph_copy / "mappings" / "mskg.sssom.tsv"
    assert main(["load", "--store", f"oxigraph:{store_path}", "--no-graph", str(mappings)]) == 0
    with open_store(f"oxigraph:{store_path}") as store:
        assert store.count() == len(load_files([mappings]))
    bad = tmp_path / "bad.sssom.tsv"
    shutil.copy(mappings, bad)
    bad.write_text(bad.read_text().replace("semapv:ManualMappingCuration", "semapv:X", 1), "utf-8")
    assert main(["load", "--store", f"oxigraph:{store_path}", "--no-graph", str(bad)]) == 2
    with open_store(f"oxigraph:{store_path}") as store:
        assert store.count() == len(load_files([mappings]))  # refused before the store changed


def test_the_wheel_ships_every_graph_file() -> None:
    """pyproject's force-include names the curated graph file by file or folder: the mapping set
    must be among them, or an installed mskg would have no cross-references."""
    import tomllib

    from mskg.graph.loader import graph_files

    config = tomllib.loads((REPO_DIR / "pyproject.toml").read_text(encoding="utf-8"))
    shipped = config["tool"]["hatch"]["build"]["targets"]["wheel"]["force-include"]
    sources = [REPO_DIR / source for source in shipped]
    for file in graph_files(GRAPH_DIR, exclude=("imports",)):
        assert any(file == s or s in file.parents for s in sources), file
    assert (REPO_DIR / "graph" / "mappings") in sources
