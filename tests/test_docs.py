"""`mskg docs`: one self-contained HTML page documenting every ontology term, escaped; and the
written docs match what the commands do, with no count of the graph that goes stale."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from conftest import GRAPH_DIR, REPO_DIR
from mskg.authoring.skeleton import drug_skeleton, placeholders
from mskg.cli import main
from mskg.docs.ontology import render_docs, write_docs
from mskg.prefixes import MSKG_IRI


class Collector(HTMLParser):
    """Collects element ids, link targets and external resources; checks tags are balanced."""

    VOID = frozenset({"meta", "br", "img", "link", "hr", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.hrefs: list[str] = []
        self.external: list[str] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id"):
            self.ids.add(str(values["id"]))
        if tag == "a" and values.get("href"):
            self.hrefs.append(str(values["href"]))
        if tag in {"script", "link", "img"}:
            self.external.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"unbalanced </{tag}>"
        self.stack.pop()


def parse(page: str) -> Collector:
    collector = Collector()
    collector.feed(page)
    collector.close()
    assert not collector.stack, f"unclosed: {collector.stack}"
    return collector


def test_docs_cover_every_ontology_term(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "docs"
    assert main(["docs", "--graph", str(GRAPH_DIR), "-o", str(out)]) == 0
    assert "terms documented" in capsys.readouterr().out
    page = (out / "index.html").read_text(encoding="utf-8")
    html = parse(page)
    assert not html.external, "the page is self-contained"
    ontology = Graph().parse(GRAPH_DIR / "ontology.ttl")
    terms = {
        str(s)[len(MSKG_IRI) :]
        for s in ontology.subjects()
        if isinstance(s, URIRef) and str(s).startswith(MSKG_IRI) and str(s) != MSKG_IRI
    }
    assert terms <= html.ids
    internal = {h[1:] for h in html.hrefs if h.startswith("#")}
    assert internal <= html.ids, "every internal link has a target"
    # Alignments, hierarchy, examples from the data and the SHACL rules are shown.
    assert "https://w3id.org/biolink/vocab/has_side_effect" in html.hrefs
    assert "natalizumab" in page
    assert "a dosing phase needs one mskg:phaseType" in page
    assert "mskg: knowledge graph of multiple sclerosis infusion treatments" in page


def test_docs_escape_what_they_quote(graph_copy: Path, tmp_path: Path) -> None:
    ontology = graph_copy / "ontology.ttl"
    text = ontology.read_text(encoding="utf-8")
    text = text.replace('rdfs:label "drug"@en', 'rdfs:label "drug <script>alert(1)</script>"@en')
    ontology.write_text(text, encoding="utf-8")
    page, _ = render_docs(graph_copy)
    assert "<script>" not in page
    assert "drug &lt;script&gt;alert(1)&lt;/script&gt;" in page
    parse(page)


def test_write_docs_default_name(tmp_path: Path) -> None:
    docs = write_docs(tmp_path / "x", GRAPH_DIR)
    assert docs.index == tmp_path / "x" / "index.html" and docs.terms > 90
    shutil.rmtree(tmp_path / "x")


# The written docs (README.md, docs/, graph/README.md) match what the commands do -------------

WRITTEN_DOCS = (
    REPO_DIR / "README.md",
    *sorted((REPO_DIR / "docs").glob("*.md")),
    GRAPH_DIR / "README.md",
)

#: Counts of the curated graph that any edit of the graph makes stale: say how to get them
#: (`mskg stats`, `mskg validate`) instead of writing them down.
STALE_COUNTS = re.compile(
    r"valid: [\d,]+ triples in \d+ files"
    r"|[\d,]+ added, [\d,]+ removed, [\d,]+ unchanged"
    r"|curated graph \((?:about )?[\d,]+ (?:triples|statements|nodes)"
    r"|[\d,]+ triples in the curated graph"
)


@pytest.mark.parametrize("doc", WRITTEN_DOCS, ids=lambda p: str(p.relative_to(REPO_DIR)))
def test_docs_write_down_no_count_of_the_graph(doc: Path) -> None:
    stale = [m.group() for m in STALE_COUNTS.finditer(doc.read_text(encoding="utf-8"))]
    assert not stale, f"{doc}: counts that go stale with the graph: {stale}"


def test_docs_show_the_line_the_commands_print(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """README.md and EXTENDING.md quote the line a command prints in a checkout."""
    monkeypatch.delenv("MSKG_GRAPH", raising=False)
    monkeypatch.chdir(REPO_DIR)  # the repository is a checkout
    assert main(["stats", "--format", "json"]) == 0
    line = capsys.readouterr().err.strip()
    assert line == "using graph: ./graph (checkout)"
    extending = (REPO_DIR / "docs" / "EXTENDING.md").read_text(encoding="utf-8")
    readme = " ".join((REPO_DIR / "README.md").read_text(encoding="utf-8").split())
    assert f"$ mskg validate\n{line}\n" in extending
    assert f"`{line}`" in readme
    for name in ("MSKG_GRAPH", "MSKG_QUERIES", "--graph DIR"):
        assert name in extending and name in readme


def test_extending_counts_the_skeletons_placeholders() -> None:
    extending = (REPO_DIR / "docs" / "EXTENDING.md").read_text(encoding="utf-8")
    written = re.search(r"replace the (\d+) TODO-\.\.\. placeholders", extending)
    assert written is not None
    assert int(written.group(1)) == len(placeholders(drug_skeleton("ofatumumab")))
