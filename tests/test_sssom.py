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


def test_sssom_py_sees_the_rows_mskg_reads() -> None:
    """sssom-py and mskg's own reader agree on the rows, their IRIs and the metadata block."""
    from sssom.parsers import parse_sssom_table

    msdf = parse_sssom_table(CURATED)
    ours = read_mapping_set(CURATED)
    expand = msdf.converter.expand
    theirs = {
        (expand(r.subject_id), expand(r.predicate_id), expand(r.object_id), r.mapping_provider)
        for r in msdf.df.itertuples()
    }
    assert theirs == {(m.subject, m.predicate, m.object, m.source) for m in ours.mappings}
    header = "\n".join(line[1:] for line in CURATED.read_text().splitlines() if line[:1] == "#")
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
    written = module.main(IDENTIFIERS, graph_copy)
    assert written.read_bytes() == CURATED.read_bytes()
    assert not list(written.parent.glob(".*"))  # no temporary file left
    loaded = load_graph(graph_copy)
    expand = {"skos:": str(SKOS), "schema:": str(SCHEMA)}
    for mapping in module.select(IDENTIFIERS):
        prefix, _, local = mapping.predicate.partition(":")
        predicate = URIRef(expand[prefix + ":"] + local)
        assert (MSKR[mapping.node], predicate, URIRef(mapping.iri)) in loaded


def test_subject_labels_are_the_graph_labels(graph: Graph) -> None:
    from rdflib import RDFS

    for row in read_mapping_set(CURATED).mappings:
        label = graph.value(URIRef(row.subject), RDFS.label)
        assert label is not None, row.subject
    text = CURATED.read_text(encoding="utf-8").splitlines()
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
