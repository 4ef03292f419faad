"""mskg finds its graph the way git finds its repository: in a checkout (a folder, or a parent
of it, with graph/ontology.ttl and queries/) every command reads that checkout's graph/ and
queries/; elsewhere the packaged graph; --graph beats $MSKG_GRAPH, which beats the checkout.

The end-to-end tests run the installed `mskg` console script in a copy of the repository's graph
and queries without pyproject.toml, as a researcher's clone is after `pip install .`, with a
drug and a query of the researcher's own."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

import mskg
from conftest import GRAPH_DIR, QUERIES_DIR
from mskg.cli import main
from mskg.graph.loader import graph_files, load_graph
from mskg.paths import find_checkout, find_graph, find_queries
from mskg.sparql.engine import run_query
from mskg.stores.endpoint import wait_for_endpoint
from test_server import _free_port, stop_process

#: The console script `pip install` made, beside this interpreter.
MSKG_SCRIPT = Path(sys.executable).with_name("mskg")

MY_DRUG = """\
@prefix mskg:   <https://w3id.org/mskg/ontology/> .
@prefix mskr:   <https://w3id.org/mskg/resource/> .
@prefix rdf:    <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs:   <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos:   <http://www.w3.org/2004/02/skos/core#> .
@prefix prov:   <http://www.w3.org/ns/prov#> .
@prefix schema: <http://schema.org/> .
@prefix xsd:    <http://www.w3.org/2001/XMLSchema#> .

mskr:mydrug-source a mskg:InformationSource ;
    rdfs:label "A researcher's notes on mydrug"@en ;
    schema:url "https://example.org/mydrug"^^xsd:anyURI ;
    skos:note "Used for: everything said of mydrug here."@en .

mskr:mydrug a mskg:Drug ;
    rdfs:label "mydrug"@en ;
    skos:definition "A made-up drug that a test adds as a researcher would add one."@en ;
    mskg:hasCommonAdverseEffect mskr:infection ;
    prov:wasDerivedFrom mskr:mydrug-source .

mskr:ae-mydrug-infection a mskg:AdverseEffectAssociation ;
    rdf:subject mskr:mydrug ;
    rdf:predicate mskg:hasCommonAdverseEffect ;
    rdf:object mskr:infection ;
    prov:wasDerivedFrom mskr:mydrug-source .
"""

MY_QUESTION = """\
# title: Common adverse effects of every drug, by the researcher
# description: A question of the researcher's own, in queries/ of the checkout.

PREFIX mskg: <https://w3id.org/mskg/ontology/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>

SELECT ?drug ?effect
WHERE {
  ?drugIri a mskg:Drug ; rdfs:label ?drug ; mskg:hasCommonAdverseEffect ?effectIri .
  ?effectIri rdfs:label ?effect .
}
ORDER BY ?drug ?effect
"""


def make_checkout(root: Path, *, own_work: bool = True) -> Path:
    """A copy of graph/ and queries/ at ``root`` (no pyproject.toml), with the researcher's
    drug and query when ``own_work``."""
    shutil.copytree(GRAPH_DIR, root / "graph", ignore=shutil.ignore_patterns("imports"))
    shutil.copytree(QUERIES_DIR, root / "queries")
    if own_work:
        (root / "graph" / "data" / "mydrug.ttl").write_text(MY_DRUG, encoding="utf-8")
        (root / "queries" / "my-question.rq").write_text(MY_QUESTION, encoding="utf-8")
    return root


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = make_checkout(tmp_path / "clone")
    (root / "notes" / "deeper").mkdir(parents=True)
    return root


def mskg_environment(env: dict[str, str] | None = None) -> dict[str, str]:
    """This environment, minus any graph, queries or store choice, plus ``env``; the console
    script imports the same mskg as this test (the source tree when run from one)."""
    if not MSKG_SCRIPT.is_file():
        pytest.skip(f"no console script at {MSKG_SCRIPT}: pip install the package first")
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("MSKG_GRAPH", "MSKG_QUERIES", "MSKG_STORE")
    }
    package_root = str(Path(mskg.__file__).resolve().parent.parent)
    environment["PYTHONPATH"] = os.pathsep.join(
        p for p in (package_root, environment.get("PYTHONPATH")) if p
    )
    environment.update(env or {})
    return environment


def run_mskg(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The installed `mskg` command, run in ``cwd`` (see :func:`mskg_environment`)."""
    return subprocess.run(
        [str(MSKG_SCRIPT), *args],
        cwd=cwd,
        env=mskg_environment(env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def file_count(graph_dir: Path) -> int:
    return len(graph_files(graph_dir))


# The choice itself, in this process ---------------------------------------------------------


def test_discovery_walks_up_to_the_first_checkout(
    checkout: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MSKG_GRAPH", raising=False)
    monkeypatch.delenv("MSKG_QUERIES", raising=False)
    monkeypatch.chdir(checkout)
    assert find_checkout() == Path()  # here: messages then read graph/data/x.ttl
    assert find_graph().path == Path("graph") and find_graph().origin == "checkout"
    monkeypatch.chdir(checkout / "notes" / "deeper")
    assert find_checkout() == checkout.resolve()
    assert find_graph().path == checkout.resolve() / "graph"
    assert find_queries().path == checkout.resolve() / "queries"
    # A nested checkout is found before the one around it.
    inner = make_checkout(checkout / "notes" / "inner", own_work=False)
    monkeypatch.chdir(inner / "graph" / "data")
    assert find_checkout() == inner.resolve()


def test_a_graph_folder_without_queries_is_not_a_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MSKG_GRAPH", raising=False)
    shutil.copytree(GRAPH_DIR, tmp_path / "graph", ignore=shutil.ignore_patterns("imports"))
    monkeypatch.chdir(tmp_path)
    assert find_checkout() is None
    assert find_graph().origin == "packaged"
    assert find_graph().path != Path("graph")


def test_option_beats_environment_beats_checkout(
    checkout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(checkout)
    monkeypatch.setenv("MSKG_GRAPH", str(tmp_path / "env-graph"))
    monkeypatch.setenv("MSKG_QUERIES", str(tmp_path / "env-queries"))
    assert find_graph() == find_graph(None)
    assert (find_graph().path, find_graph().origin) == (tmp_path / "env-graph", "MSKG_GRAPH")
    assert (find_queries().path, find_queries().origin) == (
        tmp_path / "env-queries",
        "MSKG_QUERIES",
    )
    chosen = find_graph("elsewhere")
    assert (chosen.path, chosen.origin) == (Path("elsewhere"), "--graph")
    monkeypatch.setenv("MSKG_GRAPH", "")  # set but empty: as if unset
    assert find_graph().origin == "checkout"


def test_the_line_says_which_graph_once(
    checkout: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """One line on standard error, the path relative to the current folder when inside it,
    unless --graph named it; `mskg stats` also shows it on standard output."""
    monkeypatch.delenv("MSKG_GRAPH", raising=False)
    monkeypatch.chdir(checkout)
    assert main(["stats"]) == 0
    captured = capsys.readouterr()
    assert captured.err == "using graph: ./graph (checkout)\n"
    assert captured.out.splitlines()[0] == "graph     ./graph (checkout)"
    assert main(["stats", "--graph", "graph", "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # named on the command line: nothing to say
    where = json.loads(captured.out)["graph"]
    assert where == {"path": str(checkout.resolve() / "graph"), "origin": "--graph"}
    # A graph outside the current folder is named by its absolute path.
    monkeypatch.chdir(checkout / "notes")
    assert main(["stats", "--format", "json"]) == 0
    assert capsys.readouterr().err == f"using graph: {checkout.resolve() / 'graph'} (checkout)\n"


def test_no_line_when_the_graph_is_not_read(
    checkout: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown query stops before the graph is read; a store holds its own data."""
    monkeypatch.chdir(checkout)
    assert main(["query", "no-such-question"]) == 2
    assert "using graph" not in capsys.readouterr().err
    store = f"oxigraph:{checkout / 'store'}"
    assert main(["load", "--store", store]) == 0
    assert capsys.readouterr().err.count("using graph: ./graph (checkout)") == 1
    assert main(["stats", "--store", store]) == 0
    captured = capsys.readouterr()
    assert "using graph" not in captured.err
    assert captured.out.splitlines()[0] == f"store     {store}"


# End to end: the installed command in a researcher's checkout ---------------------------------


def test_a_checkout_sees_the_researchers_drug_and_query(checkout: Path, tmp_path: Path) -> None:
    """The done-when line of issue 12: after a plain install, a new drug file and a new .rq in
    the checkout are seen by validate, query and viz --focus, with no flag, from the checkout
    and from a folder inside it."""
    files = file_count(checkout / "graph")
    assert files == len(graph_files(GRAPH_DIR, exclude=("imports",))) + 1

    done = run_mskg("validate", cwd=checkout / "notes" / "deeper")
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"in {files} files conform\n")
    assert done.stderr == f"using graph: {checkout.resolve() / 'graph'} (checkout)\n"

    done = run_mskg("query", "my-question", "--format", "csv", cwd=checkout)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "using graph: ./graph (checkout)\n"
    rows = [line.split(",") for line in done.stdout.splitlines()]
    assert rows[0] == ["drug", "effect"] and ["mydrug", "infection"] in rows
    expected = run_query(
        "my-question", load_graph(checkout / "graph"), queries_dir=checkout / "queries"
    )
    assert len(rows) - 1 == len(expected)

    done = run_mskg("queries", cwd=checkout / "notes")
    assert "my-question" in done.stdout

    page = tmp_path / "mydrug.html"
    done = run_mskg("viz", "--focus", "mydrug", "-o", str(page), cwd=checkout / "notes")
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith(f"using graph: {checkout.resolve() / 'graph'} (checkout)\n")
    text = page.read_text(encoding="utf-8")
    assert "mydrug" in text and "infection" in text


def test_the_option_and_the_environment_beat_the_checkout(checkout: Path, tmp_path: Path) -> None:
    other = make_checkout(tmp_path / "other", own_work=False) / "graph"
    files = file_count(checkout / "graph")
    assert file_count(other) == files - 1

    done = run_mskg("validate", cwd=checkout, env={"MSKG_GRAPH": str(other)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"in {files - 1} files conform\n")
    assert done.stderr == f"using graph: {other.resolve()} (MSKG_GRAPH)\n"

    done = run_mskg("validate", "--graph", "graph", cwd=checkout, env={"MSKG_GRAPH": str(other)})
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith(f"in {files} files conform\n")
    assert done.stderr == ""

    # The environment's graph, with the checkout's queries.
    done = run_mskg(
        "query", "my-question", "-f", "csv", cwd=checkout, env={"MSKG_GRAPH": str(other)}
    )
    assert done.returncode == 0, done.stderr
    assert "mydrug" not in done.stdout and "drug,effect" in done.stdout


def test_outside_a_checkout_the_packaged_graph_is_read_without_a_word(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    done = run_mskg("stats", "--format", "json", cwd=empty)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    stats = json.loads(done.stdout)
    assert stats["graph"]["origin"] == "packaged"
    packaged = Path(stats["graph"]["path"])
    assert tmp_path not in packaged.parents
    assert stats["triples"] == len(load_graph(packaged))

    done = run_mskg("query", "my-question", cwd=empty)
    assert done.returncode == 2 and done.stderr.startswith("error: unknown query 'my-question'")
    done = run_mskg("query", "drug-profile", "--param", "drug=mydrug", cwd=empty)
    assert done.returncode == 2 and "unknown treatment 'mydrug'" in done.stderr
    assert "using graph" not in done.stderr


def test_serve_says_it_once_and_serves_the_checkout(checkout: Path, tmp_path: Path) -> None:
    """`mskg serve` chooses the graph once, before its workers start: one line however many
    requests, and the checkout's own named query is served."""
    environment = mskg_environment()
    port = _free_port()
    log = tmp_path / "serve.log"
    with log.open("w") as stderr:
        process = subprocess.Popen(
            [str(MSKG_SCRIPT), "serve", "--port", str(port), "--workers", "1"],
            cwd=checkout,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_endpoint(f"{base}/sparql", timeout=60)
        for _ in range(3):
            with urllib.request.urlopen(f"{base}/queries/my-question", timeout=30) as answer:
                body = json.loads(answer.read())
            drugs = {row["drug"]["value"] for row in body["results"]["bindings"]}
            assert "mydrug" in drugs
    finally:
        stop_process(process, 10)
    assert log.read_text(encoding="utf-8").count("using graph: ./graph (checkout)") == 1
