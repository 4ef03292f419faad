"""`mskg import sider`: matching, the model of imported statements, idempotence, refusal of
damaged input, the seed-vs-SIDER query; and one run on the real SIDER 4.1 files when present."""

from __future__ import annotations

import gzip
import hashlib
import shutil
import time
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from conftest import QUERIES_DIR, SHARED_DIR, TESTS_DIR
from mskg.cli import main
from mskg.errors import UsageError
from mskg.loader import load_graph
from mskg.query import run_query
from mskg.sider import SiderInputError, import_sider, stitch_flat_id
from mskg.validate import validate_graph
from mskg.vocab import MSKG, MSKR

FIXTURE = TESTS_DIR / "fixtures" / "sider"
REAL_SIDER = SHARED_DIR / "data" / "sider"
PROV = "http://www.w3.org/ns/prov#"
UMLS = "https://bioregistry.io/umls:"
DECIMAL = URIRef("http://www.w3.org/2001/XMLSchema#decimal")


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


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
    assert result.se_rows == 13 and result.freq_rows == 7
    assert result.statements == 5  # PT rows of the two drugs; LLT and untyped rows are skipped
    assert result.linked_effects == {
        "C0002170": str(MSKR["hair-loss"]),
        "C0027497": str(MSKR.nausea),
        "C0018681": str(MSKR.headache),
    }
    report = validate_graph(graph_copy)
    assert report.conforms, "\n".join(map(str, report.problems))

    graph = load_graph(graph_copy)
    # SIDER's Alopecia is the seed's hair loss: the same node, with the mapping recorded.
    assert (MSKR.mitoxantrone, MSKG.hasLabelledSideEffect, MSKR["hair-loss"]) in graph
    mapping = MSKR["sider-match-C0002170"]
    assert (mapping, RDF.subject, MSKR["hair-loss"]) in graph
    assert (mapping, RDF.predicate, SKOS.exactMatch) in graph
    assert (mapping, RDF.object, URIRef(UMLS + "C0002170")) in graph
    assert (mapping, URIRef(PROV + "wasDerivedFrom"), MSKR["sider-4-1"]) in graph
    # Frequency bounds: the widest non-placebo range, as decimals.
    hair = association(graph, MSKR.mitoxantrone, MSKR["hair-loss"])
    assert (hair, RDF.type, MSKG.LabelSideEffectAssociation) in graph
    assert graph.value(hair, MSKG.frequencyLowerBound) == Literal("0.05", datatype=DECIMAL)
    assert graph.value(hair, MSKG.frequencyUpperBound) == Literal("0.2", datatype=DECIMAL)
    assert (hair, URIRef(PROV + "wasDerivedFrom"), MSKR["sider-4-1"]) in graph
    # A reversed range ("2-0%") is read as 0 to 0.02.
    high_bp = association(graph, MSKR.methylprednisolone, MSKR["sider-effect-C0020538"])
    assert str(graph.value(high_bp, MSKG.frequencyLowerBound)) == "0"
    assert str(graph.value(high_bp, MSKG.frequencyUpperBound)) == "0.02"
    # Effects only SIDER names get nodes of their own; the curated statements are untouched.
    pain = MSKR["sider-effect-C0000737"]
    assert (pain, RDF.type, MSKG.AdverseEffect) in graph
    assert str(graph.value(pain, URIRef("http://www.w3.org/2000/01/rdf-schema#label"))) == (
        "Abdominal pain"
    )
    assert (MSKR.mitoxantrone, MSKG.hasCommonAdverseEffect, MSKR["hair-loss"]) in graph
    assert (MSKR.mitoxantrone, MSKG.hasLabelledSideEffect, MSKR["blue-green-urine"]) not in graph
    assert "C0999999" not in result.output.read_text(encoding="utf-8")


def test_import_twice_changes_nothing(sider_gz: Path, graph_copy: Path) -> None:
    assert import_sider(sider_gz, graph_copy).changed
    before = tree_digest(graph_copy)
    again = import_sider(sider_gz, graph_copy)
    assert not again.changed
    assert tree_digest(graph_copy) == before


def test_plain_tsv_files_read_too(graph_copy: Path) -> None:
    result = import_sider(FIXTURE, graph_copy)
    assert result.statements == 5


def test_drugbank_match_when_the_graph_has_no_pubchem_id(sider_gz: Path, graph_copy: Path) -> None:
    mappings = graph_copy / "data" / "mappings.ttl"
    text = mappings.read_text(encoding="utf-8")
    pubchem = "skos:exactMatch <http://rdf.ncbi.nlm.nih.gov/pubchem/compound/CID4159> ;"
    assert pubchem in text
    mappings.write_text(text.replace(pubchem, ""), encoding="utf-8")
    result = import_sider(sider_gz, graph_copy)
    assert result.drugs[str(MSKR.methylprednisolone)] == "CID100004159"
    text = result.output.read_text(encoding="utf-8")
    assert "mskr:methylprednisolone skos:exactMatch <https://go.drugbank.com/drugs/DB00959>" in text


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
    with pytest.raises(SiderInputError, match="row 13: row is cut short"):
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


def test_seed_vs_sider_query(sider_gz: Path, graph_copy: Path) -> None:
    import_sider(sider_gz, graph_copy)
    graph = load_graph(graph_copy)
    result = run_query(
        "seed-vs-sider", graph, params={"drug": "mitoxantrone"}, queries_dir=QUERIES_DIR
    )
    index = {v: i for i, v in enumerate(result.variables)}
    rows = {(str(r[index["effect"]]), str(r[index["comparison"]])): r for r in result.rows}
    assert ("hair loss", "confirmed") in rows
    assert ("nausea", "confirmed") in rows
    assert ("blue-green urine", "only in the seed") in rows
    assert ("Abdominal pain", "only in the label data") in rows
    assert str(rows[("hair loss", "confirmed")][index["seedClass"]]) == "common"
    assert str(rows[("hair loss", "confirmed")][index["frequencyUpperBound"]]) == "0.2"
    assert {str(r[index["drugName"]]) for r in result.rows} == {"mitoxantrone"}


@pytest.mark.sider
@pytest.mark.skipif(
    not (REAL_SIDER / "meddra_all_se.tsv.gz").is_file(), reason="no SIDER 4.1 in ../shared"
)
def test_real_sider_import(graph_copy: Path) -> None:
    started = time.perf_counter()
    result = import_sider(REAL_SIDER, graph_copy)
    elapsed = time.perf_counter() - started
    assert result.se_rows == 309_849
    assert set(result.drugs) == {str(MSKR.mitoxantrone), str(MSKR.methylprednisolone)}
    assert result.linked_effects["C0002170"] == str(MSKR["hair-loss"])
    assert result.statements > 300
    assert elapsed < 20, f"import took {elapsed:.1f} s"
    assert not import_sider(REAL_SIDER, graph_copy).changed
    report = validate_graph(graph_copy)
    assert report.conforms, "\n".join(map(str, report.problems[:20]))


def test_imported_statements_in_kgx(sider_gz: Path, graph_copy: Path) -> None:
    from mskg.kgx import kgx_tables

    import_sider(sider_gz, graph_copy)
    nodes, edges = kgx_tables(load_graph(graph_copy))
    label_edges = [e for e in edges if e["original_predicate"] == "mskg:hasLabelledSideEffect"]
    assert len(label_edges) == 5
    assert {e["primary_knowledge_source"] for e in label_edges} == {"infores:sider"}
    assert {e["agent_type"] for e in label_edges} == {"text_mining_agent"}
    assert {e["predicate"] for e in label_edges} == {"biolink:has_side_effect"}
    [hair] = [e for e in label_edges if e["id"] == "mskr:sider-mitoxantrone-C0002170"]
    assert (hair["frequency_lower_bound"], hair["frequency_upper_bound"]) == ("0.05", "0.2")
    ids = {n["id"] for n in nodes}
    assert "UMLS:C0000737" in ids  # a SIDER-only effect keeps its UMLS identity
