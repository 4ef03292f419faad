"""docs/EXTENDING.md, tested: the ofatumumab example, a drug added from its US label, validates
and shows up in the queries and the HTML graph; validation messages guide a researcher; `mskg new
drug` writes a skeleton that validates once filled in."""

from __future__ import annotations

import csv
import os
import re
import shutil
import stat
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

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

EXAMPLE = REPO_DIR / "examples" / "ofatumumab.ttl"
PROV_DERIVED = URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
LABEL = MSKR["label-kesimpta"]


@pytest.fixture
def with_example(graph_copy: Path) -> Path:
    """A copy of graph/ with the worked example added as EXTENDING.md says."""
    shutil.copy(EXAMPLE, graph_copy / "data" / "ofatumumab.ttl")
    return graph_copy


def column(result: QueryResult, *names: str) -> set[tuple[str, ...]]:
    index = [result.variables.index(n) for n in names]
    return {tuple("" if row[i] is None else str(row[i]) for i in index) for row in result.rows}


def described(graph: Graph) -> set[URIRef]:
    """The nodes a file describes: those it gives a type."""
    return {s for s in graph.subjects(RDF.type, None) if isinstance(s, URIRef)}


def test_example_is_not_in_the_curated_graph(graph: Graph) -> None:
    for name in ("ofatumumab", "kesimpta"):
        assert not list(GRAPH_DIR.rglob(f"*{name}*"))
        assert name not in "".join(p.read_text() for p in GRAPH_DIR.rglob("*.ttl")).lower()
    example = load_graph(EXAMPLE)
    new = described(example)
    assert MSKR.ofatumumab in new and LABEL in new
    assert not {s for s in new if (s, None, None) in graph}, "the example adds only new nodes"
    # ...and links them to the graph's own nodes: the route it defines is the only node it
    # points at that the curated graph does not have.
    linked = {o for o in example.objects() if isinstance(o, URIRef) and o.startswith(MSKR)}
    reused = linked - new
    assert {MSKR.cd20, MSKR["relapsing-ms"], MSKR["b-cell"], MSKR.headache} <= reused
    assert all((o, RDF.type, None) in graph for o in reused), reused - set(graph.subjects())
    assert MSKR["subcutaneous-injection"] in new
    assert (MSKR["subcutaneous-injection"], None, None) not in graph


def test_ofatumumab_validates_and_answers_the_queries(with_example: Path, graph: Graph) -> None:
    report = validate_graph(with_example)
    assert report.conforms, "\n".join(map(str, report.problems))
    merged = load_graph(with_example)

    # Injected under the skin: a disease-modifying drug, not an infusion treatment.
    drug = MSKR.ofatumumab
    assert {MSKG.Drug, MSKG.DiseaseModifyingTherapy} <= set(merged.objects(drug, RDF.type))
    assert (drug, RDF.type, MSKG.InfusionTreatment) not in merged
    assert (drug, MSKG.administeredBy, MSKR["subcutaneous-injection"]) in merged
    assert (drug, MSKG.administeredBy, MSKR["intravenous-infusion"]) not in merged
    assert (drug, MSKG.hasInfusionReaction, None) not in merged
    dmts = run_query("fda-approved-infusion-dmts", merged, queries_dir=QUERIES_DIR)
    before = run_query("fda-approved-infusion-dmts", graph, queries_dir=QUERIES_DIR)
    assert "ofatumumab" not in {t for (t,) in column(dmts, "treatment")}
    assert column(dmts, "treatment") == column(before, "treatment")

    by_cell = run_query(
        "drugs-by-target-cell", merged, params={"cell": "B cell"}, queries_dir=QUERIES_DIR
    )
    assert ("ofatumumab", "B lymphocyte", "depletion") in column(
        by_cell, "treatment", "cellType", "action"
    )

    # The target and class from the Highlights' class phrase, cited by section.
    targets = run_query(
        "molecular-targets", merged, params={"drug": "Kesimpta"}, queries_dir=QUERIES_DIR
    )
    assert column(targets, "drug", "target", "labelledClass", "source") == {
        (
            "ofatumumab",
            "B-lymphocyte antigen CD20",
            "CD20-directed cytolytic antibody",
            "Kesimpta label, highlights of prescribing information",
        )
    }

    # 2.2 and the Medication Guide: 20 mg at weeks 0, 1 and 2, then monthly from week 4.
    dosing = run_query(
        "dosing-schedules", merged, params={"drug": "Kesimpta"}, queries_dir=QUERIES_DIR
    )
    names = ("phaseOrder", "doseValue", "doseUnit", "interval", "numberOfDoses", "startsAfter")
    assert column(dosing, *names) == {
        ("1", "20", "mg", "P7D", "3", ""),
        ("2", "20", "mg", "P1M", "", "P28D"),
    }

    # The label's common reactions: two effects the graph has, and the injection reaction of
    # 5.2 with its trial incidence (21 in 100); nothing from the article.
    common = run_query(
        "common-adverse-effects",
        merged,
        params={"drug": "ofatumumab", "source": "label"},
        queries_dir=QUERIES_DIR,
    )
    assert column(common, "effect", "sources", "labelIncidence") == {
        ("upper respiratory tract infection", "label", ""),
        ("headache", "label", ""),
        ("injection-related reaction", "label", "0.21"),
    }
    from_article = run_query(
        "common-adverse-effects",
        merged,
        params={"drug": "ofatumumab", "source": "article"},
        queries_dir=QUERIES_DIR,
    )
    assert len(from_article) == 0


def test_example_sources_are_declared_pages(with_example: Path) -> None:
    """Every statement of the example cites a numbered section of its label (or the curators'
    general knowledge, for a gloss); the label names each page it was read on, says in its note
    what was read there, and belongs to the label layer."""
    merged = load_graph(with_example)
    cited = {o for s in described(load_graph(EXAMPLE)) for o in merged.objects(s, PROV_DERIVED)}
    sections = cited - {MSKR["general-knowledge"]}
    assert len(sections) >= 5
    for section in sections:
        assert (section, RDF.type, MSKG.SourceSection) in merged, section
        assert (section, DCTERMS.isPartOf, LABEL) in merged, section
        assert merged.value(section, MSKG.sectionNumber) is not None, section

    assert (LABEL, RDF.type, MSKG.DrugLabel) in merged
    assert (LABEL, MSKG.sourceLayer, MSKR["layer-label"]) in merged
    assert (LABEL, MSKG.labelOf, MSKR.ofatumumab) in merged
    pages = [str(url) for url in merged.objects(LABEL, SCHEMA.url)]
    assert len(pages) >= 4
    note = str(merged.value(LABEL, SKOS.note)).lower()
    for page in pages:
        parts = urlsplit(page)
        assert parts.scheme == "https" and parts.path, page
        assert parts.hostname is not None and parts.hostname.split(".")[-2] in note, page


def test_example_identifiers_are_verified_rows() -> None:
    """The example states no identifier: the reference table has no verified one for it."""
    used = {
        str(o)
        for p in (SKOS.exactMatch, SKOS.closeMatch, SCHEMA.code)
        for o in load_graph(EXAMPLE).objects(None, p)
    }
    assert used == set()
    table = SHARED_DIR / "reference" / "identifiers.tsv"
    if not table.is_file():
        pytest.skip("no reference identifier table in ../shared")
    with table.open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if "ofatumumab" in r["entity"]]
    assert {r["id"] for r in rows if r["status"] == "VERIFIED"} == used


def test_example_appears_in_the_html_graph(with_example: Path, tmp_path: Path) -> None:
    out = tmp_path / "ofatumumab.html"
    args = ["viz", "--graph", str(with_example), "--focus", "ofatumumab", "-o", str(out)]
    assert main(args) == 0
    page = out.read_text(encoding="utf-8")
    assert "Kesimpta" in page and "B lymphocyte" in page and "subcutaneous injection" in page


def line_of(path: Path, start: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if line.startswith(start))


@pytest.mark.parametrize(
    ("old", "new", "node", "fix", "on_line"),
    [
        (  # a missing source
            "    mskg:actsOnCell mskr:b-cell ;\n"
            "    prov:wasDerivedFrom mskr:label-kesimpta-highlights , mskr:label-kesimpta-s2-1 ,"
            " mskr:label-kesimpta-s5-3 .",
            "    mskg:actsOnCell mskr:b-cell .",
            "mskr:label-ofatumumab-mechanism",
            "add prov:wasDerivedFrom",
            "mskr:label-ofatumumab-mechanism a",  # nothing to point at: the node's own line
        ),
        (  # an undefined property
            "mskg:actsOnCell mskr:b-cell",
            "mskg:actsOnCel mskr:b-cell",
            "mskg:actsOnCel",
            "mskg property is not defined in graph/ontology.ttl",
            "mskg:actsOnCel mskr:b-cell",
        ),
        (  # a dose without a unit
            '    schema:doseValue 20 ;\n    schema:doseUnit "mg" ;',
            "    schema:doseValue 20 ;",
            "mskr:label-ofatumumab-starting-doses",
            'add schema:doseUnit with a UCUM code such as "mg"',
            "mskr:label-ofatumumab-starting-doses a",
        ),
        (  # an effect without seriousness
            "mskg:hasCommonAdverseEffect mskr:upper-respiratory-tract-infection , mskr:headache ,",
            "mskg:hasAdverseEffect mskr:upper-respiratory-tract-infection ;\n"
            "    mskg:hasCommonAdverseEffect mskr:headache ,",
            "mskr:ofatumumab",
            "use mskg:hasCommonAdverseEffect or mskg:hasSeriousAdverseEffect",
            "mskg:hasAdverseEffect mskr:upper-respiratory-tract-infection",  # the faulty link
        ),
        (  # a statement citing the whole label instead of its section
            "prov:wasDerivedFrom mskr:label-kesimpta-s1 .",
            "prov:wasDerivedFrom mskr:label-kesimpta .",
            "mskr:label-kesimpta",
            "mskr:label-indication-ofatumumab-relapsing-ms cites the whole label: cite the section",
            "mskr:label-kesimpta a mskg:DrugLabel",
        ),
        (  # a misspelt route
            "mskg:administeredBy mskr:subcutaneous-injection ;",
            "mskg:administeredBy mskr:subcutaneous-injecton ;",
            "mskr:subcutaneous-injecton",
            "resource is used but never described (a typo?)",
            "mskg:administeredBy mskr:subcutaneous-injecton",
        ),
    ],
    ids=[
        "missing-source",
        "undefined-property",
        "dose-without-unit",
        "effect-without-seriousness",
        "whole-label-cited",
        "misspelt-node",
    ],
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
    target = with_example / "data" / "ofatumumab.ttl"
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


#: An invented drug for the skeleton tests: a name that no curated file describes, now or after
#: a real drug is promoted into the graph (as ublituximab, the former example, was).
NEW_DRUG = "Examplumab"
NEW_SLUG = "examplumab"

FILL = {
    "TODO-short-title-of-the-source": "Example page",
    "TODO-https-address-of-the-source": "https://example.org/examplumab",
    "TODO-which-facts-you-took-from-it": "all of it",
    "TODO-brand-name": "Exampla",
    "TODO-one-sentence-in-your-own-words": "An invented anti-CD20 antibody given by infusion.",
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
    graph_copy: Path, graph: Graph, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (MSKR[NEW_SLUG], None, None) not in graph
    assert main(["new", "drug", NEW_DRUG, "--graph", str(graph_copy)]) == 0
    target = graph_copy / "data" / f"{NEW_SLUG}.ttl"
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
    assert (MSKR[NEW_SLUG], SCHEMA.proprietaryName, None) in load_graph(graph_copy)

    # An existing file is never overwritten by accident.
    assert main(["new", "drug", NEW_DRUG, "--graph", str(graph_copy)]) == 2
    assert "already exists" in capsys.readouterr().err


def test_skeleton_has_an_identifiers_block_for_verified_ids_only(graph_copy: Path) -> None:
    text = drug_skeleton(NEW_DRUG)
    block = text[text.index("# Identifiers") : text.index("# What it is used for")]
    assert "VERIFIED" in block and "Never guess an identifier" in block
    examples = [line for line in block.splitlines() if "skos:exactMatch" in line]
    assert len(examples) == 3 and all(line.startswith("#") for line in examples)
    assert "prov:wasDerivedFrom mskr:reference-identifiers" in block
    assert not placeholders(block)  # commented out: nothing to fill unless ids are verified
    # Uncommented with ids in the table's shapes, the block is valid Turtle and validates (the
    # drug is invented, and so are its ids: DrugBank numbers start at DB00001).
    lines = block.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(f"# mskr:{NEW_SLUG}"))
    uncommented = "\n".join(line[2:] for line in lines[start:] if line.startswith("#"))
    uncommented = uncommented.replace("DBnnnnn", "DB00000").replace("NNNNNNNNNN", "0000000000")
    uncommented = "\n".join(li for li in uncommented.splitlines() if "pubchem" not in li)
    filled = text.replace(block, block + uncommented + "\n\n")
    for placeholder, value in FILL.items():
        filled = filled.replace(placeholder, value)
    (graph_copy / "data" / f"{NEW_SLUG}.ttl").write_text(filled, encoding="utf-8")
    report = validate_graph(graph_copy)
    assert report.conforms, "\n".join(map(str, report.problems))
    drugbank = URIRef("https://go.drugbank.com/drugs/DB00000")
    assert (MSKR[NEW_SLUG], SKOS.exactMatch, drugbank) in load_graph(graph_copy)


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
    assert main(["new", "drug", NEW_DRUG]) == 2
    err = capsys.readouterr().err
    assert "there is no checkout in the current folder or above it" in err and "--graph" in err
    assert "Traceback" not in err and not list(elsewhere.iterdir())

    # A graph folder alone is not a checkout: queries/ beside it makes one.
    monkeypatch.chdir(graph_copy.parent)
    assert main(["new", "drug", NEW_DRUG]) == 2
    capsys.readouterr()
    (graph_copy.parent / "queries").mkdir()
    notes = graph_copy.parent / "notes"
    notes.mkdir()
    monkeypatch.chdir(notes)  # from a subfolder, as git finds its repository
    assert main(["new", "drug", NEW_DRUG]) == 0
    written = graph_copy / "data" / f"{NEW_SLUG}.ttl"
    assert written.is_file() and not (GRAPH_DIR / "data" / f"{NEW_SLUG}.ttl").exists()
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
        target = target / "data" / f"{NEW_SLUG}.ttl"
    assert main(["new", "drug", NEW_DRUG, option, str(target)]) == 2
    err = capsys.readouterr().err
    assert "inside the installed mskg package" in err and "Traceback" not in err
    assert not (package / "_data" / "graph" / "data" / f"{NEW_SLUG}.ttl").exists()


def test_new_never_overwrites_a_file_created_meanwhile(tmp_path: Path) -> None:
    """The existence check and the write are one step: a file that appears after `mskg new`
    looked (another run, an editor) is kept, and no temporary file is left behind."""
    out = tmp_path / "data" / f"{NEW_SLUG}.ttl"
    create_exclusive(out, "first\n")
    assert out.read_text(encoding="utf-8") == "first\n"
    mask = os.umask(0o022)
    os.umask(mask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~mask
    with pytest.raises(UsageError, match="already exists"):
        create_exclusive(out, "second\n")
    assert out.read_text(encoding="utf-8") == "first\n"
    with pytest.raises(UsageError, match="already exists"):
        write_skeleton("drug", NEW_DRUG, out)
    assert out.read_text(encoding="utf-8") == "first\n"
    assert sorted(p.name for p in out.parent.iterdir()) == [f"{NEW_SLUG}.ttl"]
    write_skeleton("drug", NEW_DRUG, out, force=True)
    assert f"mskr:{NEW_SLUG} a mskg:Drug" in out.read_text(encoding="utf-8")


def test_skeleton_names() -> None:
    assert slugify("Ofatumumab (Kesimpta)") == "ofatumumab-kesimpta"
    assert 'rdfs:label "Ocrelizumab"@en' in drug_skeleton("Ocrelizumab")
    assert '"' not in drug_skeleton('Bad "name"').split("rdfs:label ")[1].split("@en")[0][1:-1]
