"""`mskg import sider`: matching, the model of imported statements, idempotence, refusal of
damaged input, the seed-vs-SIDER query; and one run on the real SIDER 4.1 files when present."""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from conftest import GRAPH_DIR, QUERIES_DIR, SHARED_DIR, TESTS_DIR, tree_digest
from mskg.cli import main
from mskg.errors import UsageError
from mskg.graph.diff import diff_paths
from mskg.graph.loader import graph_files, load_files, load_graph
from mskg.importers.sider import (
    BY_CUI,
    BY_LABEL,
    BY_MEANING,
    CURATED_EFFECT_MATCHES,
    SiderInputError,
    import_sider,
    stitch_flat_id,
)
from mskg.sparql.engine import run_query
from mskg.validate.shacl import validate_graph
from mskg.vocab import MSKG, MSKR

FIXTURE = TESTS_DIR / "fixtures" / "sider"
REAL_SIDER = SHARED_DIR / "data" / "sider"
UMLS = "https://bioregistry.io/umls:"
DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")
SEMAPV = Namespace("https://w3id.org/semapv/vocab/")
JUSTIFIED_BY = URIRef("https://w3id.org/sssom/mapping_justification")


@pytest.fixture
def sider_gz(tmp_path: Path) -> Path:
    """The fixture as SIDER ships it: gzip-compressed TSV files."""
    folder = tmp_path / "sider"
    folder.mkdir()
    for name in ("meddra_all_se.tsv", "meddra_freq.tsv"):
        data = (FIXTURE / name).read_bytes()
        (folder / f"{name}.gz").write_bytes(gzip.compress(data, mtime=0))
    shutil.copy(FIXTURE / "indications.tsv", folder)
    return folder


def association(graph: Graph, drug: URIRef, effect: URIRef) -> URIRef:
    [node] = [
        a
        for a in graph.subjects(RDF.subject, drug)
        if (a, RDF.predicate, MSKG.hasLabelledSideEffect) in graph
        and (a, RDF.object, effect) in graph
    ]
    assert isinstance(node, URIRef)
    return node


def test_stitch_ids() -> None:
    assert stitch_flat_id(4212) == "CID100004212"


def test_import_links_sider_to_the_graph_and_validates(sider_gz: Path, graph_copy: Path) -> None:
    result = import_sider(sider_gz, graph_copy)
    assert result.output == graph_copy / "imports" / "sider.ttl"
    assert result.changed and result.output.is_file()
    assert result.drugs == {
        str(MSKR.mitoxantrone): "CID100004212",
        str(MSKR.methylprednisolone): "CID100004159",
    }
    assert result.se_rows == 15 and result.freq_rows == 9
    assert result.statements == 10  # PT rows of the two drugs; LLT and untyped rows are skipped
    report = validate_graph(graph_copy)
    assert report.conforms, "\n".join(map(str, report.problems))

    graph = load_graph(graph_copy)
    # SIDER's Alopecia is the seed's hair loss: the same node.
    assert (MSKR.mitoxantrone, MSKG.hasLabelledSideEffect, MSKR["hair-loss"]) in graph
    # Frequency bounds: the widest non-placebo range, as decimals with a decimal point.
    hair = association(graph, MSKR.mitoxantrone, MSKR["hair-loss"])
    assert (hair, RDF.type, MSKG.LabelSideEffectAssociation) in graph
    assert graph.value(hair, MSKG.frequencyLowerBound) == Literal("0.03", datatype=DECIMAL)
    assert graph.value(hair, MSKG.frequencyUpperBound) == Literal("0.17", datatype=DECIMAL)
    assert (hair, PROV.wasDerivedFrom, MSKR["sider-4-1"]) in graph
    assert (hair, PROV.wasGeneratedBy, MSKR["sider-import"]) in graph
    nausea = association(graph, MSKR.mitoxantrone, MSKR.nausea)
    assert graph.value(nausea, MSKG.frequencyUpperBound) == Literal("1.0", datatype=DECIMAL)
    # A reversed range ("3-0%") is read as 0 to 0.03.
    high_bp = association(graph, MSKR.methylprednisolone, MSKR["sider-effect-C0020538"])
    assert graph.value(high_bp, MSKG.frequencyLowerBound) == Literal("0.0", datatype=DECIMAL)
    assert graph.value(high_bp, MSKG.frequencyUpperBound) == Literal("0.03", datatype=DECIMAL)
    # An effect neither the article nor the label data has (no node is labelled hypertension)
    # gets a node of its own, named by SIDER's term and its UMLS CUI.
    new = MSKR["sider-effect-C0020538"]
    assert (new, RDF.type, MSKG.AdverseEffect) in graph
    assert str(graph.value(new, RDFS.label)) == "Hypertension"
    assert graph.value(new, SKOS.definition) is not None
    assert (new, SKOS.exactMatch, URIRef(UMLS + "C0020538")) in graph  # from the mapping set
    assert result.mapping_output == graph_copy / "imports" / "sider.sssom.tsv"
    # An effect the label layer already has is that node, not a new one: SIDER's Abdominal pain
    # is the Lemtrada label's abdominal pain, now also a SIDER side effect of mitoxantrone, with
    # SIDER's UMLS CUI kept as a mapping (from the import's mapping set).
    pain = MSKR["abdominal-pain"]
    assert (pain, PROV.wasDerivedFrom, MSKR["label-lemtrada-s6-1"]) in graph
    assert (MSKR.mitoxantrone, MSKG.hasLabelledSideEffect, pain) in graph
    assert (pain, SKOS.closeMatch, URIRef(UMLS + "C0000737")) in graph
    assert (MSKR["sider-effect-C0000737"], None, None) not in graph
    # The fixture's only frequency for Abdominal pain is the other compound's (CID100999999).
    assert (
        graph.value(association(graph, MSKR.mitoxantrone, pain), MSKG.frequencyLowerBound) is None
    )
    assert (MSKR.mitoxantrone, MSKG.hasCommonAdverseEffect, MSKR["hair-loss"]) in graph
    assert (MSKR.mitoxantrone, MSKG.hasLabelledSideEffect, MSKR["blue-green-urine"]) not in graph
    assert "C9900012" not in result.output.read_text(encoding="utf-8")


def match_record(graph: Graph, cui: str, justification: str) -> URIRef:
    """The association the import's mapping set gives a match, with its justification."""
    node = MSKR[f"sider-match-{cui}"]
    assert (node, RDF.type, MSKG.Association) in graph
    assert (node, JUSTIFIED_BY, SEMAPV[justification]) in graph
    return node


def test_effects_match_symptoms_and_labels_not_only_adverse_effects(
    sider_gz: Path, graph_copy: Path
) -> None:
    result = import_sider(sider_gz, graph_copy)
    assert result.linked_effects == {
        "C0000737": str(MSKR["abdominal-pain"]),
        "C0002170": str(MSKR["hair-loss"]),
        "C0027497": str(MSKR.nausea),
        "C0018681": str(MSKR.headache),
        "C0022346": str(MSKR.jaundice),
        "C0042109": str(MSKR.hives),
        "C0009450": str(MSKR.infection),
        "C0023530": str(MSKR["low-white-blood-cell-count"]),
        "C0750394": str(MSKR["low-white-blood-cell-count"]),
    }
    assert result.matched_by == {
        "C0000737": BY_LABEL,  # the label layer's abdominal pain has no UMLS id: its label
        "C0002170": BY_CUI,
        "C0027497": BY_CUI,
        "C0018681": BY_CUI,
        "C0022346": BY_CUI,  # the seed's jaundice is a symptom, not an adverse effect
        "C0042109": BY_CUI,  # so is hives
        "C0009450": BY_LABEL,  # the seed's infection has no UMLS id: its label
        "C0023530": BY_LABEL,  # its alternative label "leukopenia"
        "C0750394": BY_MEANING,  # White blood cell count decreased, curated
    }
    assert CURATED_EFFECT_MATCHES["C0750394"][0] == "low-white-blood-cell-count"
    assert result.new_effects == 1  # Hypertension: no node of the graph has that name
    graph = load_graph(graph_copy)
    for symptom in (MSKR.jaundice, MSKR.hives):
        assert (MSKR.mitoxantrone, MSKG.hasLabelledSideEffect, symptom) in graph
        # typed as the range of mskg:hasLabelledSideEffect entails, with the reason recorded
        assert (symptom, RDF.type, MSKG.AdverseEffect) in graph
        assert (symptom, RDF.type, MSKG.Symptom) in graph
    # No duplicate nodes: no SIDER node is labelled like a seed effect.
    labels = {
        str(label).casefold()
        for node, label in graph.subject_objects(RDFS.label)
        if str(node).startswith(str(MSKR["sider-effect-"]))
    }
    assert labels == {"hypertension"}
    # How each was matched is recorded: a row of the import's mapping set, justified.
    by_label = match_record(graph, "C0009450", "LexicalMatching")
    assert (by_label, RDF.subject, MSKR.infection) in graph
    assert (by_label, RDF.predicate, SKOS.closeMatch) in graph
    assert (by_label, PROV.wasDerivedFrom, MSKR["sider-4-1-meddra-all-se"]) in graph
    assert (MSKR.infection, SKOS.closeMatch, URIRef(UMLS + "C0009450")) in graph
    assert str(graph.value(by_label, SKOS.note)).startswith("Matched by label")
    assert "skos:altLabel 'leukopenia'" in str(
        graph.value(match_record(graph, "C0023530", "LexicalMatching"), SKOS.note)
    )
    curated = match_record(graph, "C0750394", "ManualMappingCuration")
    assert str(graph.value(curated, SKOS.note)).startswith("Matched by meaning (curated)")
    pain = match_record(graph, "C0000737", "LexicalMatching")
    assert (pain, RDF.subject, MSKR["abdominal-pain"]) in graph
    assert "rdfs:label 'abdominal pain'" in str(graph.value(pain, SKOS.note))
    new = match_record(graph, "C0020538", "UnspecifiedMatching")
    assert (new, RDF.subject, MSKR["sider-effect-C0020538"]) in graph
    # A match by UMLS CUI is the graph's own mapping: no row of the import's.
    seed = load_files(graph_files(graph_copy, exclude=("imports",)))
    assert (MSKR["hair-loss"], SKOS.exactMatch, URIRef(UMLS + "C0002170")) in seed
    assert (MSKR["sider-match-C0002170"], None, None) not in graph
    assert (MSKR.infection, SKOS.closeMatch, None) not in seed
    assert (MSKR["abdominal-pain"], SKOS.closeMatch, None) not in seed


def test_import_writes_no_seed_triple_and_records_its_own_step(
    sider_gz: Path, graph_copy: Path
) -> None:
    """The graph's own triples (drug = PubChem CID, effect = UMLS CUI) are not written again nor
    credited to SIDER: the matches are mskg's import step, a prov:Activity using SIDER's files."""
    result = import_sider(sider_gz, graph_copy)
    assert result.mapping_output is not None
    seed = load_files(graph_files(graph_copy, exclude=("imports",)))
    imported = load_files([result.output, result.mapping_output])
    assert set(imported) & set(seed) == set()

    activity = MSKR["sider-import"]
    assert (activity, RDF.type, PROV.Activity) in imported
    used = set(imported.objects(activity, PROV.used))
    assert used == {MSKR["sider-4-1-meddra-all-se"], MSKR["sider-4-1-meddra-freq"]}
    for section in used:
        assert (section, RDF.type, MSKG.SourceSection) in imported
        assert (section, DCTERMS.isPartOf, MSKR["sider-4-1"]) in imported
    # Matched through the graph's own identifiers (PubChem CID, UMLS CUI): the graph's mappings,
    # with their source, are the links; the import writes none and credits none to SIDER.
    pubchem = URIRef("http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID4212")
    assert (MSKR.mitoxantrone, SKOS.exactMatch, pubchem) in seed
    assert (None, RDF.object, pubchem) not in imported
    assert (None, RDF.object, URIRef(UMLS + "C0002170")) not in imported
    # The links it does make come from SIDER's term list, each with its justification.
    mappings = set(imported.subjects(JUSTIFIED_BY, None))
    assert mappings and all(
        set(imported.objects(m, PROV.wasDerivedFrom)) == {MSKR["sider-4-1-meddra-all-se"]}
        for m in mappings
    )
    # Every other record was generated by the import.
    records = set(imported.subjects(RDF.type, MSKG.Association)) - mappings
    assert records and all((r, PROV.wasGeneratedBy, activity) in imported for r in records)


def test_exported_import_round_trips(sider_gz: Path, graph_copy: Path, tmp_path: Path) -> None:
    """Bounds of 0 and 1 are written "0.0" and "1.0": a Turtle export reads back as the same
    graph, and `mskg diff` finds no change between the folder and its export."""
    import_sider(sider_gz, graph_copy)
    graph = load_graph(graph_copy)
    out = tmp_path / "export.ttl"
    assert main(["export", "--graph", str(graph_copy), "--format", "ttl", "-o", str(out)]) == 0
    back = load_graph(out)
    assert len(back) == len(graph)
    assert isomorphic(back, graph)
    assert diff_paths(graph_copy, out).same
    text = (graph_copy / "imports" / "sider.ttl").read_text(encoding="utf-8")
    assert '"1.0"^^xsd:decimal' in text and '"0.0"^^xsd:decimal' in text
    assert not re.search(r'"[01]"\^\^xsd:decimal', text)


def test_import_twice_changes_nothing(sider_gz: Path, graph_copy: Path) -> None:
    assert import_sider(sider_gz, graph_copy).changed
    before = tree_digest(graph_copy)
    again = import_sider(sider_gz, graph_copy)
    assert not again.changed
    assert tree_digest(graph_copy) == before


def test_plain_tsv_files_read_too(graph_copy: Path) -> None:
    result = import_sider(FIXTURE, graph_copy)
    assert result.statements == 10


def test_drugbank_match_when_the_graph_has_no_pubchem_id(sider_gz: Path, graph_copy: Path) -> None:
    mappings = graph_copy / "mappings" / "mskg.sssom.tsv"
    lines = mappings.read_text(encoding="utf-8").splitlines(keepends=True)
    row = "\tmskr:methylprednisolone\tmethylprednisolone\tskos:exactMatch\tPUBCHEM.COMPOUND:4159\t"
    assert sum(row in line for line in lines) == 1
    mappings.write_text("".join(line for line in lines if row not in line), encoding="utf-8")
    result = import_sider(sider_gz, graph_copy)
    assert result.drugs[str(MSKR.methylprednisolone)] == "CID100004159"
    assert result.mapping_output is not None
    imported = load_files([result.output, result.mapping_output])
    # SIDER's DrugBank table gives the compound: a link of the import's, made by chaining the
    # graph's DrugBank id with SIDER's table, from that file.
    record = match_record(imported, "methylprednisolone", "MappingChaining")
    pubchem = URIRef("http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID4159")
    assert (MSKR.methylprednisolone, SKOS.exactMatch, pubchem) in imported
    assert (record, RDF.object, pubchem) in imported
    assert (record, PROV.wasDerivedFrom, MSKR["sider-4-1-indications"]) in imported
    assert "DrugBank id DB00959" in str(imported.value(record, SKOS.note))
    drugbank = URIRef("https://go.drugbank.com/drugs/DB00959")
    assert (MSKR.methylprednisolone, SKOS.exactMatch, drugbank) not in imported  # the graph's
    assert (MSKR["sider-import"], PROV.used, MSKR["sider-4-1-indications"]) in imported
    assert validate_graph(graph_copy).conforms


def corrupt(folder: Path, name: str, row: int, new_line: str) -> None:
    path = folder / f"{name}.gz"
    lines = gzip.decompress(path.read_bytes()).decode().splitlines(keepends=True)
    lines[row - 1] = new_line
    path.write_bytes(gzip.compress("".join(lines).encode(), mtime=0))


@pytest.mark.parametrize(
    ("name", "row", "line", "expected"),
    [
        ("meddra_all_se.tsv", 3, "CID100004212\tCID000004212\tC0027497\tPT\n", "found 4"),
        ("meddra_all_se.tsv", 5, "CID100004212\tCID000004212\tX\tPT\tC0000737\tPain\n", "column 3"),
        (
            "meddra_freq.tsv",
            2,
            "CID100004212\tCID000004212\tC0002170\t\t20%\tmany\t0.2\tPT\tC0002170\tAlopecia\n",
            "lower bound is not a number",
        ),
        (
            "meddra_freq.tsv",
            6,
            "CID100004159\tCID000004159\tC0020538\t\t200%\t2\t2\tPT\tC0020538\tHypertension\n",
            "from 0 to 1",
        ),
    ],
)
def test_damaged_row_is_refused_and_graph_left_as_it_was(
    sider_gz: Path, graph_copy: Path, name: str, row: int, line: str, expected: str
) -> None:
    import_sider(FIXTURE, graph_copy)  # an earlier import must survive the failed one
    before = tree_digest(graph_copy)
    corrupt(sider_gz, name, row, line)
    with pytest.raises(SiderInputError) as info:
        import_sider(sider_gz, graph_copy)
    assert info.value.file == sider_gz / f"{name}.gz"
    assert info.value.row == row
    assert expected in str(info.value) and "unchanged" in str(info.value)
    assert tree_digest(graph_copy) == before


def test_truncated_file_is_refused(
    sider_gz: Path, graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sider_gz / "meddra_all_se.tsv.gz"
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    before = tree_digest(graph_copy)
    assert main(["import", "sider", str(sider_gz), "--graph", str(graph_copy)]) == 2
    err = capsys.readouterr().err
    assert f"error: {path}, row " in err and "truncated" in err and "Traceback" not in err
    assert tree_digest(graph_copy) == before

    # A file cut in the middle of a row, uncompressed, is refused too.
    plain = sider_gz / "meddra_all_se.tsv"
    plain.write_text((FIXTURE / "meddra_all_se.tsv").read_text()[:-5], encoding="utf-8")
    path.unlink()
    with pytest.raises(SiderInputError, match="row 15: row is cut short"):
        import_sider(sider_gz, graph_copy)


def test_missing_file_and_unmatched_graph(tmp_path: Path, graph_copy: Path) -> None:
    with pytest.raises(SiderInputError, match=r"meddra_all_se\.tsv\.gz: not found"):
        import_sider(tmp_path, graph_copy)
    folder = tmp_path / "other"
    folder.mkdir()
    for name in ("meddra_all_se.tsv", "meddra_freq.tsv"):
        lines = (FIXTURE / name).read_text().splitlines(keepends=True)
        (folder / name).write_text("".join(li for li in lines if "CID100999999" in li))
    with pytest.raises(UsageError, match="no drug of the graph"):
        import_sider(folder, graph_copy)
    assert not (graph_copy / "imports").exists()


def test_cli_import_prints_a_summary(
    sider_gz: Path, graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["import", "sider", str(sider_gz), "--graph", str(graph_copy)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "sider.ttl: written" in out and "CID100004212" in out
    assert main(args) == 0
    assert "unchanged" in capsys.readouterr().out


def seed_vs_sider(graph: Graph, drug: str | None = None) -> dict[tuple[str, str], dict[str, str]]:
    """(drug, effect) -> the row's non-empty cells (article, label, sider, bounds, foundIn...)."""
    params = {"drug": drug} if drug else None
    result = run_query("seed-vs-sider", graph, params=params, queries_dir=QUERIES_DIR)
    assert result.variables[0] == "drug" and result.variables[-2:] == ["drugIri", "effectIri"]
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for row in result.rows:
        values = dict(zip(result.variables, row, strict=True))
        key = (str(values["drug"]), str(values["effect"]))
        assert key not in rows, f"two rows for {key}"
        rows[key] = {
            name: str(value)
            for name, value in values.items()
            if value is not None and str(value) != "" and name not in ("drug", "effect")
        }
    return rows


def test_seed_vs_sider_query(sider_gz: Path, graph_copy: Path) -> None:
    """Each column checked against its source: the article (../shared/seed), the label data
    (graph/data/labels/*.ttl) and the SIDER fixture (tests/fixtures/sider)."""
    before = seed_vs_sider(load_graph(graph_copy))
    # The article's and the Tysabri label's PML are serious (label: boxed warning, 5.1).
    pml = before[("natalizumab", "progressive multifocal leukoencephalopathy")]
    assert (pml["article"], pml["label"], pml["sider"]) == (
        "serious",
        "serious",
        "SIDER not imported",
    )
    assert pml["foundIn"] == "article, label" and "notIn" not in pml
    assert {v["sider"] for v in before.values()} == {"SIDER not imported"}

    import_sider(sider_gz, graph_copy)
    graph = load_graph(graph_copy)
    rows = seed_vs_sider(graph, "mitoxantrone")
    assert {drug for drug, _ in rows} == {"mitoxantrone"}
    # Hair loss: common in the article; 61% in the label's MS Study 1; SIDER's Alopecia at 17% and
    # 3% (the 2% on placebo is not counted).
    hair_loss = rows[("mitoxantrone", "hair loss")]
    assert hair_loss == {
        "article": "common",
        "label": "common",
        "labelIncidence": "0.61",
        "sider": "listed",
        "siderLowerBound": "0.03",
        "siderUpperBound": "0.17",
        "foundIn": "article, label, SIDER",
        "drugIri": str(MSKR.mitoxantrone),
        "effectIri": str(MSKR["hair-loss"]),
    }
    nausea = rows[("mitoxantrone", "nausea")]  # SIDER: "frequent", 0.01 to 1
    assert (nausea["label"], nausea["labelIncidence"], nausea["sider"]) == (
        "common",
        "0.76",
        "listed",
    )
    assert (nausea["siderLowerBound"], nausea["siderUpperBound"]) == ("0.01", "1.0")
    # Blue-green urine: only the article; the label data and SIDER list other effects of the drug.
    blue_green = rows[("mitoxantrone", "blue-green urine")]
    assert (blue_green["article"], blue_green["sider"]) == ("common", "not listed")
    assert "label" not in blue_green
    assert (blue_green["foundIn"], blue_green["notIn"]) == ("article", "label, SIDER")
    # Abdominal pain: SIDER's Abdominal pain is the graph's node (from the Lemtrada label), shown
    # by its own label; for mitoxantrone neither the article nor its label data has it.
    abdominal = rows[("mitoxantrone", "abdominal pain")]
    assert ("mitoxantrone", "Abdominal pain") not in rows
    assert abdominal["effectIri"] == str(MSKR["abdominal-pain"])
    assert "article" not in abdominal and "label" not in abdominal
    assert abdominal["sider"] == "listed" and "siderLowerBound" not in abdominal
    assert (abdominal["foundIn"], abdominal["notIn"]) == ("SIDER", "article, label")
    # Matched by label and by meaning: the graph's nodes, not duplicates.
    infection = rows[("mitoxantrone", "infection")]
    assert infection["sider"] == "listed" and "article" not in infection
    assert ("mitoxantrone", "Infection") not in rows
    # Low white blood cell count: the article's; the label data lists bone marrow suppression
    # instead; SIDER's Leukopenia (1%) and White blood cell count decreased (4%) are both it.
    low_wbc = rows[("mitoxantrone", "low white blood cell count")]
    assert (low_wbc["article"], low_wbc["sider"]) == ("common", "listed")
    assert (low_wbc["siderLowerBound"], low_wbc["siderUpperBound"]) == ("0.01", "0.04")
    assert (low_wbc["foundIn"], low_wbc["notIn"]) == ("article, SIDER", "label")
    assert rows[("mitoxantrone", "bone marrow suppression")]["label"] == "serious"

    everyone = seed_vs_sider(graph)
    # The same node in the label layer of another drug: alemtuzumab's label lists it as common.
    lemtrada = everyone[("alemtuzumab", "abdominal pain")]
    assert (lemtrada["label"], lemtrada["sider"]) == ("common", "drug not in SIDER")
    assert (lemtrada["foundIn"], lemtrada["notIn"]) == ("label", "article")
    # Methylprednisolone: SIDER's Hypertension (a node of its own: no source of the graph names
    # it) and headache. The label data reads no adverse reactions of Solu-Medrol (see its file),
    # so the label is not said to lack them; the article gives the drug its infusion reaction.
    for effect in ("Hypertension", "headache"):
        row = everyone[("methylprednisolone", effect)]
        assert (row["sider"], row["foundIn"], row["notIn"]) == ("listed", "SIDER", "article")
    hypertension = everyone[("methylprednisolone", "Hypertension")]
    assert (hypertension["siderLowerBound"], hypertension["siderUpperBound"]) == ("0.0", "0.03")
    reaction = everyone[("methylprednisolone", "infusion reaction")]
    assert (reaction["article"], reaction["sider"]) == ("not classed", "not listed")
    assert (reaction["foundIn"], reaction["notIn"]) == ("article", "SIDER")
    # A source that lists no adverse effect of a drug does not lack any: the article names none
    # for IVIG (a transfusion, in its words) and does not mention ublituximab.
    for drug, effect in (
        ("intravenous immunoglobulin", "chills"),
        ("ublituximab", "upper respiratory tract infection"),
    ):
        row = everyone[(drug, effect)]
        assert (row["label"], row["foundIn"]) == ("common", "label") and "notIn" not in row

    # Drugs SIDER has no data on are not compared with it: their effects say so, and SIDER is
    # never among the sources that lack an effect.
    for antibody in ("natalizumab", "alemtuzumab", "ocrelizumab"):
        theirs = {key: value for key, value in everyone.items() if key[0] == antibody}
        assert theirs and {value["sider"] for value in theirs.values()} == {"drug not in SIDER"}
        assert not any("SIDER" in value.get("notIn", "") for value in theirs.values())
    compared = {d for (d, _), v in everyone.items() if v["sider"] != "drug not in SIDER"}
    assert compared == {"mitoxantrone", "methylprednisolone"}


@pytest.mark.sider
@pytest.mark.skipif(
    not (REAL_SIDER / "meddra_all_se.tsv.gz").is_file(), reason="no SIDER 4.1 in ../shared"
)
def test_real_sider_import(graph_copy: Path) -> None:
    result = import_sider(REAL_SIDER, graph_copy)
    assert result.se_rows == 309_849
    assert set(result.drugs) == {str(MSKR.mitoxantrone), str(MSKR.methylprednisolone)}
    assert result.linked_effects["C0002170"] == str(MSKR["hair-loss"])
    # SIDER's Infection and Leukopenia are the seed's nodes (by label), not new ones.
    assert result.linked_effects["C0009450"] == str(MSKR.infection)
    assert result.linked_effects["C0023530"] == str(MSKR["low-white-blood-cell-count"])
    assert result.linked_effects["C0022346"] == str(MSKR.jaundice)  # a seed symptom
    assert result.statements > 300
    assert not import_sider(REAL_SIDER, graph_copy).changed
    report = validate_graph(graph_copy)
    assert report.conforms, "\n".join(map(str, report.problems[:20]))
    graph = load_graph(graph_copy)
    labels = [str(label).casefold() for _, label in graph.subject_objects(RDFS.label)]
    assert labels.count("infection") == 1


@pytest.mark.sider
@pytest.mark.skipif(
    not (REAL_SIDER / "meddra_all_se.tsv.gz").is_file(), reason="no SIDER 4.1 in ../shared"
)
def test_fixture_rows_are_not_sider_rows() -> None:
    """The fixture is written by hand: no row of it is a row of the real (CC BY-NC-SA) files."""
    for name, real in (
        ("meddra_all_se.tsv", REAL_SIDER / "meddra_all_se.tsv.gz"),
        ("meddra_freq.tsv", REAL_SIDER / "meddra_freq.tsv.gz"),
        ("indications.tsv", REAL_SIDER / "indications.tsv"),
    ):
        rows = (FIXTURE / name).read_text(encoding="utf-8").splitlines()
        if name == "indications.tsv":
            rows = rows[1:]  # the header names the columns the reader needs
        assert rows
        if not real.is_file():
            continue
        opener = gzip.open if real.suffix == ".gz" else open
        with opener(real, "rt", encoding="utf-8") as handle:
            shared = {line.rstrip("\r\n") for line in handle} & set(rows)
        assert not shared, f"{name}: rows copied from SIDER: {sorted(shared)}"


def test_imported_statements_in_kgx(sider_gz: Path, graph_copy: Path) -> None:
    from mskg.exporters.kgx import kgx_tables

    import_sider(sider_gz, graph_copy)
    nodes, edges = kgx_tables(load_graph(graph_copy))
    label_edges = [e for e in edges if e["original_predicate"] == "mskg:hasLabelledSideEffect"]
    # one edge per statement: leukopenia and "white blood cell count decreased" are the same
    # seed node, two statements with their own frequencies, so two edges
    assert len(label_edges) == 10
    assert {e["primary_knowledge_source"] for e in label_edges} == {"infores:sider"}
    assert {e["agent_type"] for e in label_edges} == {"text_mining_agent"}
    assert {e["predicate"] for e in label_edges} == {"biolink:has_side_effect"}
    [hair] = [e for e in label_edges if e["id"] == "mskr:sider-mitoxantrone-C0002170"]
    assert (hair["frequency_lower_bound"], hair["frequency_upper_bound"]) == ("0.03", "0.17")
    side_effect = "biolink:ChemicalOrDrugOrTreatmentSideEffectAssociation"
    assert {e["category"] for e in label_edges} == {side_effect}
    ids = {n["id"] for n in nodes}
    assert "UMLS:C0020538" in ids  # a SIDER-only effect (Hypertension) keeps its UMLS identity
    # SIDER's Abdominal pain is the label layer's node, which has no identifier of its own: the
    # edge goes to that node, and no second node is made for the CUI. The match by label is a
    # skos:closeMatch, not an identifier of the node, so KGX's id and xref do not take it.
    [pain] = [n for n in nodes if n["iri"] == str(MSKR["abdominal-pain"])]
    assert pain["id"] == "mskr:abdominal-pain"
    [pain_edge] = [e for e in label_edges if e["id"] == "mskr:sider-mitoxantrone-C0000737"]
    assert pain_edge["object"] == pain["id"]
    assert not any("UMLS:C0000737" in (n["id"], *n["xref"].split("|")) for n in nodes)


def test_import_writes_into_the_graph_folder_here(
    sider_gz: Path, graph_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without --graph the import writes into the graph of the checkout it runs in (a folder
    with graph/ and queries/), never into the graph mskg is installed with; outside a checkout
    it asks for one or for --graph."""
    monkeypatch.delenv("MSKG_GRAPH", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    with pytest.raises(UsageError, match=r"there is no checkout in the current folder"):
        import_sider(sider_gz)
    assert not list(elsewhere.iterdir())

    (graph_copy.parent / "queries").mkdir()
    monkeypatch.chdir(graph_copy.parent)
    installed = GRAPH_DIR / "imports" / "sider.ttl"
    before = installed.read_bytes() if installed.is_file() else None
    assert main(["import", "sider", str(sider_gz), "-q"]) == 0
    assert (graph_copy / "imports" / "sider.ttl").is_file()
    assert (installed.read_bytes() if installed.is_file() else None) == before


def test_import_refuses_the_package_data(
    sider_gz: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import mskg

    bundled = Path(mskg.__file__).resolve().parent / "_data" / "graph"
    assert main(["import", "sider", str(sider_gz), "--graph", str(bundled)]) == 2
    err = capsys.readouterr().err
    assert "inside the installed mskg package" in err and "Traceback" not in err
    assert not (bundled / "imports").exists()
