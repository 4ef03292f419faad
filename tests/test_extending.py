"""docs/EXTENDING.md, tested: the ublituximab example validates and shows up in the queries and the
HTML graph; validation messages guide a researcher; `mskg new drug` writes a skeleton that
validates once filled in."""

from __future__ import annotations

import csv
import os
import re
import shutil
import stat
from pathlib import Path

import pytest
from rdflib import RDF, URIRef
from rdflib.namespace import SKOS

from conftest import GRAPH_DIR, QUERIES_DIR, REPO_DIR, SHARED_DIR
from mskg.authoring.skeleton import (
    create_exclusive,
    drug_skeleton,
    placeholders,
    slugify,
    write_skeleton,
)
from mskg.cli import main
from mskg.errors import UsageError
from mskg.graph.loader import load_graph
from mskg.sparql.engine import run_query
from mskg.sparql.results import QueryResult
from mskg.validate.shacl import validate_graph
from mskg.vocab import MSKG, MSKR, SCHEMA

EXAMPLE = REPO_DIR / "examples" / "ublituximab.ttl"
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")


@pytest.fixture
def with_example(graph_copy: Path) -> Path:
    """A copy of graph/ with the worked example added as EXTENDING.md says."""
    shutil.copy(EXAMPLE, graph_copy / "data" / "ublituximab.ttl")
    return graph_copy


def column(result: QueryResult, *names: str) -> set[tuple[str, ...]]:
    index = [result.variables.index(n) for n in names]
    return {tuple(str(row[i]) for i in index) for row in result.rows}


def test_example_is_not_in_the_curated_graph() -> None:
    assert not list(GRAPH_DIR.rglob("*ublituximab*"))
    assert "ublituximab" not in "".join(p.read_text() for p in GRAPH_DIR.rglob("*.ttl"))


def test_ublituximab_validates_and_answers_the_queries(with_example: Path) -> None:
    report = validate_graph(with_example)
    assert report.conforms, "\n".join(map(str, report.problems))
    graph = load_graph(with_example)

    dmts = run_query("fda-approved-infusion-dmts", graph, queries_dir=QUERIES_DIR)
    assert ("ublituximab", "Briumvi") in column(dmts, "treatment", "brandName")
    assert len(dmts) == 5

    by_cell = run_query(
        "drugs-by-target-cell", graph, params={"cell": "B cell"}, queries_dir=QUERIES_DIR
    )
    assert ("ublituximab", "B lymphocyte", "depletion") in column(
        by_cell, "treatment", "cellType", "action"
    )

    dosing = run_query(
        "dosing-schedules", graph, params={"drug": "Briumvi"}, queries_dir=QUERIES_DIR
    )
    assert len(dosing) == 3


def test_example_sources_are_declared_pages(with_example: Path) -> None:
    graph = load_graph(with_example)
    sources = {
        o
        for s, o in graph.subject_objects(PROV_DERIVED)
        if "ublituximab" in str(s) and o != MSKR["reference-identifiers"]
    }
    assert len(sources) >= 4
    for source in sources:
        assert (source, RDF.type, MSKG.InformationSource) in graph
        url = graph.value(source, SCHEMA.url)
        assert url is not None and str(url).startswith("https://"), source


def test_example_identifiers_are_verified_rows() -> None:
    table = SHARED_DIR / "reference" / "identifiers.tsv"
    if not table.is_file():
        pytest.skip("no reference identifier table in ../shared")
    with table.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if "ublituximab" in r["entity"]]
    verified = {r["id"] for r in rows if r["status"] == "VERIFIED"}
    graph = load_graph(EXAMPLE)
    used = {
        str(o).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for o in graph.objects(None, SKOS.exactMatch)
    }
    assert used == verified == {"DB11850", "U59UGK3IPC"}


def test_example_appears_in_the_html_graph(with_example: Path, tmp_path: Path) -> None:
    out = tmp_path / "ublituximab.html"
    args = ["viz", "--graph", str(with_example), "--focus", "ublituximab", "-o", str(out)]
    assert main(args) == 0
    page = out.read_text(encoding="utf-8")
    assert "Briumvi" in page and "B lymphocyte" in page


def line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(start))


@pytest.mark.parametrize(
    ("old", "new", "node", "fix", "on_line"),
    [
        (  # a missing source
            "    mskg:actsOnCell mskr:b-cell ;\n"
            "    prov:wasDerivedFrom mskr:ublituximab-source-empr .",
            "    mskg:actsOnCell mskr:b-cell .",
            "mskr:ublituximab-mechanism",
            "add prov:wasDerivedFrom",
            "mskr:ublituximab-mechanism a",  # nothing to point at: the node's own line
        ),
        (  # an undefined property
            "mskg:actsOnCell mskr:b-cell",
            "mskg:actsOnCel mskr:b-cell",
            "mskg:actsOnCel",
            "mskg property is not defined in graph/ontology.ttl",
            "mskg:actsOnCel mskr:b-cell",
        ),
        (  # a dose without a unit
            '    schema:doseValue 150 ;\n    schema:doseUnit "mg" ;',
            "    schema:doseValue 150 ;",
            "mskr:ublituximab-first-infusion",
            'add schema:doseUnit with a UCUM code such as "mg"',
            "mskr:ublituximab-first-infusion a",
        ),
        (  # an effect without seriousness
            "mskg:hasCommonAdverseEffect mskr:infusion-reaction , mskr:infection ;",
            "mskg:hasAdverseEffect mskr:infusion-reaction ;\n"
            "    mskg:hasCommonAdverseEffect mskr:infection ;",
            "mskr:ublituximab",
            "use mskg:hasCommonAdverseEffect or mskg:hasSeriousAdverseEffect",
            "mskg:hasAdverseEffect mskr:infusion-reaction",  # the faulty link, not the drug
        ),
    ],
    ids=["missing-source", "undefined-property", "dose-without-unit", "effect-without-seriousness"],
)
def test_validation_messages_name_node_file_line_and_fix(
    with_example: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    node: str,
    fix: str,
    on_line: str,
) -> None:
    """Each message names the file and the line to edit, the node, what is wrong and the fix."""
    target = with_example / "data" / "ublituximab.ttl"
    text = target.read_text(encoding="utf-8")
    assert old in text
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert main(["validate", "--graph", str(with_example)]) == 1
    err = capsys.readouterr().err
    pattern = re.compile(rf"^{re.escape(str(target))}:(\d+): {re.escape(node)}: (.*)$", re.M)
    found = [(int(m.group(1)), m.group(2)) for m in pattern.finditer(err) if fix in m.group(2)]
    assert found, f"no message for {node} with {fix!r} in:\n{err}"
    line = target.read_text(encoding="utf-8").splitlines()[found[0][0] - 1]
    assert on_line in line, f"line {found[0][0]} is {line!r}"


FILL = {
    "TODO-short-title-of-the-source": "Example page",
    "TODO-https-address-of-the-source": "https://example.org/ublituximab",
    "TODO-which-facts-you-took-from-it": "all of it",
    "TODO-brand-name": "Briumvi",
    "TODO-one-sentence-in-your-own-words": "An anti-CD20 antibody given by infusion.",
    "mskr:TODO-drug-class": "mskr:monoclonal-antibody",
    "TODO-how-it-works-in-a-few-words": "depletes B cells",
    "TODO-how-it-works-in-a-sentence": "It binds CD20 on B cells, which are destroyed.",
    "mskg:TODO-action-type": "mskg:Depletion",
    "mskr:TODO-cell-type": "mskr:b-cell",
    "mskr:TODO-condition": "mskr:relapsing-ms",
    '"TODO-year"': '"2022"^^xsd:gYear',
    "TODO-phase-in-words": "first infusion",
    "mskg:TODO-phase-type": "mskg:InitialPhase",
    '"TODO-dose-number"': "150",
    '"TODO-interval"': '"P14D"^^xsd:duration',
    "mskr:TODO-common-effect": "mskr:infusion-reaction",
    "mskr:TODO-serious-effect": "mskr:pml",
}


def test_new_drug_skeleton_validates_once_filled_in(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["new", "drug", "Ublituximab", "--graph", str(graph_copy)]) == 0
    target = graph_copy / "data" / "ublituximab.ttl"
    out = capsys.readouterr().out
    assert f"{target}:" in out and "TODO-brand-name" in out
    # Not the graph `mskg validate` reads from here, so the hint names it.
    assert f"then run mskg validate --graph {graph_copy.resolve()}\n" in out

    # Unfilled: every placeholder is reported, in the new file, with its line.
    problems = validate_graph(graph_copy).problems
    assert problems and all(p.file == target and p.line for p in problems)
    reported = " ".join(f"{p.node} {p.message}" for p in problems)
    for _, token in placeholders(target.read_text(encoding="utf-8")):
        assert token in reported, token
    # ...naming the property as it is written in the file, not as a full IRI.
    assert "rdfs:label still holds the placeholder TODO-short-title-of-the-source" in reported
    assert "http://www.w3.org/2000/01/rdf-schema#label" not in reported

    text = target.read_text(encoding="utf-8")
    for placeholder, value in FILL.items():
        text = text.replace(placeholder, value)
    assert placeholders(text) == []
    target.write_text(text, encoding="utf-8")
    report = validate_graph(graph_copy)
    assert report.conforms, "\n".join(map(str, report.problems))
    assert (MSKR.ublituximab, SCHEMA.proprietaryName, None) in load_graph(graph_copy)

    # An existing file is never overwritten by accident.
    assert main(["new", "drug", "Ublituximab", "--graph", str(graph_copy)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_skeleton_has_an_identifiers_block_for_verified_ids_only(graph_copy: Path) -> None:
    text = drug_skeleton("Ublituximab")
    block = text[text.index("# Identifiers") : text.index("# What it is used for")]
    assert "VERIFIED" in block and "Never guess an identifier" in block
    examples = [line for line in block.splitlines() if "skos:exactMatch" in line]
    assert len(examples) == 3 and all(line.startswith("#") for line in examples)
    assert "prov:wasDerivedFrom mskr:reference-identifiers" in block
    assert not placeholders(block)  # commented out: nothing to fill unless ids are verified
    # Uncommented with the table's verified ids, the block is valid Turtle and validates.
    lines = block.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("# mskr:ublituximab"))
    uncommented = "\n".join(line[2:] for line in lines[start:] if line.startswith("#"))
    uncommented = uncommented.replace("DBnnnnn", "DB11850").replace("NNNNNNNNNN", "U59UGK3IPC")
    uncommented = "\n".join(li for li in uncommented.splitlines() if "pubchem" not in li)
    filled = text.replace(block, block + uncommented + "\n\n")
    for placeholder, value in FILL.items():
        filled = filled.replace(placeholder, value)
    (graph_copy / "data" / "ublituximab.ttl").write_text(filled, encoding="utf-8")
    report = validate_graph(graph_copy)
    assert report.conforms, "\n".join(map(str, report.problems))
    graph = load_graph(graph_copy)
    assert (MSKR.ublituximab, SKOS.exactMatch, URIRef("https://go.drugbank.com/drugs/DB11850")) in (
        graph
    )


def test_new_writes_into_the_checkout_it_runs_in(
    graph_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`mskg new` writes into the graph of the checkout around the current folder (a folder
    with graph/ontology.ttl and queries/), never into the graph mskg is installed with or runs
    from; outside any checkout it says how to make one or asks for --graph."""
    monkeypatch.delenv("MSKG_GRAPH", raising=False)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["new", "drug", "Ublituximab"]) == 2
    err = capsys.readouterr().err
    assert "there is no checkout in the current folder or above it" in err and "--graph" in err
    assert "Traceback" not in err and not list(elsewhere.iterdir())

    # A graph folder alone is not a checkout: queries/ beside it makes one.
    monkeypatch.chdir(graph_copy.parent)
    assert main(["new", "drug", "Ublituximab"]) == 2
    capsys.readouterr()
    (graph_copy.parent / "queries").mkdir()
    notes = graph_copy.parent / "notes"
    notes.mkdir()
    monkeypatch.chdir(notes)  # from a subfolder, as git finds its repository
    assert main(["new", "drug", "Ublituximab"]) == 0
    written = graph_copy / "data" / "ublituximab.ttl"
    assert written.is_file() and not (GRAPH_DIR / "data" / "ublituximab.ttl").exists()
    captured = capsys.readouterr()
    assert captured.err == f"using graph: {graph_copy.resolve()} (checkout)\n"
    # The hint names the command that will read the new file: from here, no option needed.
    assert f"wrote {written}: replace the" in captured.out
    assert "then run mskg validate\n" in captured.out


@pytest.mark.parametrize("option", ["--graph", "-o"])
def test_new_refuses_the_installed_package(option: str, capsys: pytest.CaptureFixture[str]) -> None:
    import mskg

    package = Path(mskg.__file__).resolve().parent
    target = package / "_data" / "graph"
    if option == "-o":
        target = target / "data" / "ublituximab.ttl"
    assert main(["new", "drug", "Ublituximab", option, str(target)]) == 2
    err = capsys.readouterr().err
    assert "inside the installed mskg package" in err and "Traceback" not in err
    assert not (package / "_data" / "graph" / "data" / "ublituximab.ttl").exists()


def test_new_never_overwrites_a_file_created_meanwhile(tmp_path: Path) -> None:
    """The existence check and the write are one step: a file that appears after `mskg new`
    looked (another run, an editor) is kept, and no temporary file is left behind."""
    out = tmp_path / "data" / "ublituximab.ttl"
    create_exclusive(out, "first\n")
    assert out.read_text(encoding="utf-8") == "first\n"
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
    with pytest.raises(UsageError, match="already exists"):
        create_exclusive(out, "second\n")
    assert out.read_text(encoding="utf-8") == "first\n"
    with pytest.raises(UsageError, match="already exists"):
        write_skeleton("drug", "Ublituximab", out)
    assert out.read_text(encoding="utf-8") == "first\n"
    assert sorted(p.name for p in out.parent.iterdir()) == ["ublituximab.ttl"]
    write_skeleton("drug", "Ublituximab", out, force=True)
    assert "mskr:ublituximab a mskg:Drug" in out.read_text(encoding="utf-8")


def test_skeleton_names() -> None:
    assert slugify("Ublituximab (Briumvi)") == "ublituximab-briumvi"
    assert 'rdfs:label "Ocrelizumab"@en' in drug_skeleton("Ocrelizumab")
    assert '"' not in drug_skeleton('Bad "name"').split("rdfs:label ")[1].split("@en")[0][1:-1]
