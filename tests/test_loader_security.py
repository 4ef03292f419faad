"""Hostile input to the loader, `mskg validate`, `mskg load` and `mskg import sider`: each attack is
made with real files and must fail safely, with one clear line (file and line), exit code 2, no
traceback, nothing fetched or read from elsewhere; legitimate input next to it still loads."""

from __future__ import annotations

import gzip
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from conftest import TESTS_DIR, tree_digest, write_extra
from mskg import GraphLoadError, load_graph
from mskg.cli import main
from mskg.importers.sider import SiderInputError, drugbank_to_stitch, import_sider
from mskg.validate.shacl import validate_graph


class Listener:
    """A TCP socket on 127.0.0.1 that records every connection made to it, answering none.

    A connection is recorded before it is closed, and a client blocks until then, so once the
    code under test has returned, every connection it made is in :attr:`connections`.
    """

    def __init__(self) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.bind(("127.0.0.1", 0))
        self._socket.listen(16)
        self._socket.settimeout(0.1)
        self.port: int = self._socket.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                client, address = self._socket.accept()
            except OSError:
                continue
            self.connections.append(address)
            client.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


def line_of(path: Path, text: str) -> int:
    """The 1-based number of the first line of ``path`` holding ``text``."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, 1) if text in line)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and stderr of ``mskg ARGS``; a failure prints nothing on stdout."""
    code = main(args)
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    if code != 0:
        assert captured.out == ""
    return code, captured.err


def load_args(files: list[Path], tmp_path: Path) -> list[str]:
    return ["load", *map(str, files), "--no-graph", "--store", f"oxigraph:{tmp_path / 'store'}"]


def query_args(folder: Path) -> list[str]:
    return ["query", "--graph", str(folder), "--no-cache", "-f", "csv", "-e", "SELECT * {?s ?p ?o}"]


# 1. JSON-LD contexts by reference ------------------------------------------------------------

REMOTE_CONTEXTS = {
    "string": '{{\n  "@context": "{url}/context.jsonld",\n  "@id": "http://example.org/a"\n}}\n',
    "list": (
        '{{\n  "@context": [\n    {{"ex": "http://example.org/"}},\n'
        '    "{url}/context.jsonld"\n  ],\n  "@id": "ex:a"\n}}\n'
    ),
    "scoped, nested in a node": (
        '{{\n  "@graph": [{{\n    "@id": "http://example.org/a",\n'
        '    "http://example.org/p": {{\n      "@context": [["{url}/context.jsonld"]],\n'
        '      "@id": "http://example.org/b"\n    }}\n  }}]\n}}\n'
    ),
    "@import": (
        '{{\n  "@context": {{\n    "@version": 1.1,\n    "@import": "{url}/context.jsonld"\n'
        '  }},\n  "@id": "http://example.org/a"\n}}\n'
    ),
}


@pytest.mark.parametrize("form", REMOTE_CONTEXTS)
def test_jsonld_context_by_url_is_never_fetched(
    form: str,
    graph_copy: Path,
    tmp_path: Path,
    listener: Listener,
    capsys: pytest.CaptureFixture[str],
) -> None:
    hostile = graph_copy / "data" / "hostile.jsonld"
    hostile.write_text(REMOTE_CONTEXTS[form].format(url=listener.url), encoding="utf-8")
    line = line_of(hostile, listener.url)

    with pytest.raises(GraphLoadError) as info:
        load_graph(graph_copy)
    assert listener.connections == []
    assert (info.value.file, info.value.line) == (hostile, line)
    assert "mskg never fetches URLs" in str(info.value) and "inline the context" in str(info.value)
    for args in (["validate", "--graph", str(graph_copy)], load_args([hostile], tmp_path)):
        code, err = run_cli(args, capsys)
        assert listener.connections == []
        assert code == 2
        assert f"error: {hostile}:{line}: JSON-LD context by reference" in err


def test_jsonld_with_an_inline_context_still_loads(graph_copy: Path) -> None:
    inline = graph_copy / "data" / "inline.jsonld"
    inline.write_text(
        '{"@context": {"rdfs": "http://www.w3.org/2000/01/rdf-schema#",\n'
        '              "mskr": "https://w3id.org/mskg/resource/"},\n'
        ' "@id": "mskr:natalizumab", "rdfs:comment": "added in JSON-LD"}\n',
        encoding="utf-8",
    )
    graph = load_graph(graph_copy)
    natalizumab = URIRef("https://w3id.org/mskg/resource/natalizumab")
    assert (natalizumab, RDFS.comment, Literal("added in JSON-LD")) in graph
    report = validate_graph(graph_copy)
    assert report.conforms, "\n".join(map(str, report.problems))


# 2. SPARQL in the shapes graph -----------------------------------------------------------------

# Each shape reaches the listener through a different SPARQL text pySHACL or mskg's own runner
# would execute; {url} is the listener. The first name is the node the error must name.
HOSTILE_SHAPES = {
    "constraint of a named shape (mskg's runner)": (
        "shape:LeakShape",
        """
mskgsh:LeakShape a sh:NodeShape ;
    sh:targetClass mskg:Treatment ;
    sh:sparql [
        a sh:SPARQLConstraint ;
        sh:message "leak" ;
        sh:prefixes mskgsh: ;
        sh:select \"\"\"
            SELECT $this WHERE {{
                SERVICE <{url}/sparql> {{ $this ?p ?o }}
            }}\"\"\" ;
    ] .
""",
    ),
    "constraint of a property shape (pySHACL)": (
        "shape:LeakPropertyShape",
        """
mskgsh:LeakPropertyShape a sh:NodeShape ;
    sh:targetClass mskg:Treatment ;
    sh:property [
        sh:path rdfs:label ;
        sh:sparql [
            sh:select "SELECT $this WHERE {{ SERVICE <{url}/sparql> {{ $this ?p ?o }} }}" ;
        ] ;
    ] .
""",
    ),
    "SPARQL target": (
        "shape:LeakTargetShape",
        """
mskgsh:LeakTargetShape a sh:NodeShape ;
    sh:target [
        a sh:SPARQLTarget ;
        sh:select "SELECT ?this WHERE {{ SERVICE <{url}/sparql> {{ ?this ?p ?o }} }}" ;
    ] ;
    sh:nodeKind sh:IRI .
""",
    ),
    "SPARQL target type": (
        "shape:LeakTargetType",
        """
mskgsh:LeakTargetType a sh:SPARQLTargetType ;
    rdfs:subClassOf sh:Target ;
    sh:select "SELECT ?this WHERE {{ SERVICE <{url}/sparql> {{ ?this ?p ?o }} }}" .
mskgsh:TypedTargetShape a sh:NodeShape ;
    sh:target [ a mskgsh:LeakTargetType ] ;
    sh:nodeKind sh:IRI .
""",
    ),
    "ASK validator of a constraint component": (
        "shape:LeakComponent",
        """
mskgsh:LeakComponent a sh:ConstraintComponent ;
    sh:parameter [ sh:path mskgsh:leak ] ;
    sh:validator [
        a sh:SPARQLAskValidator ;
        sh:ask "ASK {{ SERVICE <{url}/sparql> {{ $value ?p ?o }} }}" ;
    ] .
mskgsh:ComponentShape a sh:NodeShape ;
    sh:targetClass mskg:Treatment ;
    mskgsh:leak true .
""",
    ),
    "FROM of a constraint": (
        "shape:FromShape",
        """
mskgsh:FromShape a sh:NodeShape ;
    sh:targetClass mskg:Treatment ;
    sh:sparql [
        sh:select "SELECT $this FROM <{url}/data.ttl> WHERE {{ $this ?p ?o }}" ;
    ] .
""",
    ),
}


@pytest.mark.parametrize("case", HOSTILE_SHAPES)
def test_shapes_with_service_never_connect(
    case: str, graph_copy: Path, listener: Listener, capsys: pytest.CaptureFixture[str]
) -> None:
    shape, turtle = HOSTILE_SHAPES[case]
    shapes = graph_copy / "shapes.ttl"
    with shapes.open("a", encoding="utf-8") as out:
        out.write(turtle.format(url=listener.url))

    code, err = run_cli(["validate", "--graph", str(graph_copy)], capsys)
    assert listener.connections == []
    assert code == 2
    [message] = err.splitlines()
    assert message.startswith("error: the SHACL shapes cannot be used: the SPARQL ")
    assert f" of {shape} is refused: " in message
    assert ("SERVICE" if "FROM" not in case else "FROM") in message


def test_the_curated_shapes_pass_the_guard(capsys: pytest.CaptureFixture[str]) -> None:
    from mskg.graph.loader import load_shapes
    from mskg.validate.shacl import check_shapes_sparql

    check_shapes_sparql(load_shapes())  # the real $this-anchored constraints are accepted
    assert run_cli(["validate"], capsys)[0] == 0


def test_a_guarded_constraint_still_runs_with_the_data_graph_prefixes(
    graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """rdflib lets a query use the prefixes bound in the data graph: the guard accepts them too."""
    write_extra(
        graph_copy, "@prefix ex: <http://example.org/ns#> .\nmskr:natalizumab ex:flag true .\n"
    )
    with (graph_copy / "shapes.ttl").open("a", encoding="utf-8") as out:
        out.write(
            "\nmskgsh:FlagShape a sh:NodeShape ;\n    sh:targetClass mskg:Treatment ;\n"
            '    sh:sparql [ sh:message "flagged" ; sh:select "SELECT $this WHERE '
            '{ $this ex:flag true }" ] .\n'
        )
    code, err = run_cli(["validate", "--graph", str(graph_copy)], capsys)
    assert code == 1
    assert "mskr:natalizumab: flagged [shape:FlagShape]" in err


# 3. Entity expansion in RDF/XML ----------------------------------------------------------------

RDF_HEADER = '<?xml version="1.0"?>\n'
RDF_ROOT = (
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
    '         xmlns:ex="http://example.org/">\n'
)


def rdf_xml(doctype: str, body: str) -> str:
    return f"{RDF_HEADER}{doctype}{RDF_ROOT}{body}</rdf:RDF>\n"


def billion_laughs() -> str:
    """Ten levels of ten references each: 10^10 characters from about 1 KB."""
    levels = ['  <!ENTITY lol0 "lol">\n']
    levels += [f'  <!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">\n' for n in range(1, 10)]
    return rdf_xml(
        "<!DOCTYPE rdf:RDF [\n" + "".join(levels) + "]>\n",
        '  <rdf:Description rdf:about="http://example.org/a"><ex:p>&lol9;</ex:p>'
        "</rdf:Description>\n",
    )


def quadratic_blowup() -> str:
    """One 20 kB entity used 20,000 times: 400 MB from 80 kB, no entity in an entity."""
    return rdf_xml(
        f'<!DOCTYPE rdf:RDF [\n  <!ENTITY big "{"x" * 20_000}">\n]>\n',
        '  <rdf:Description rdf:about="http://example.org/a"><ex:p>'
        + "&big;" * 20_000
        + "</ex:p></rdf:Description>\n",
    )


HOSTILE_XML = {
    "billion laughs": (billion_laughs, "<!ENTITY lol1 ", "refers to the entity &lol0;"),
    "quadratic blow-up": (quadratic_blowup, "<!ENTITY big ", "expand to 400000000 characters"),
    "parameter entity": (
        lambda: rdf_xml('<!DOCTYPE rdf:RDF [\n  <!ENTITY % p "x">\n]>\n', ""),
        "<!ENTITY % p",
        "parameter entity %p; refused",
    ),
    "character reference smuggling a reference": (
        lambda: rdf_xml(
            '<!DOCTYPE rdf:RDF [\n  <!ENTITY a "aaaa">\n  <!ENTITY b "&#38;a;&#38;a;">\n]>\n', ""
        ),
        "<!ENTITY b ",
        "refers to the entity &a;",
    ),
    "lower-case doctype (pyoxigraph reads it)": (
        lambda: rdf_xml(
            '<!doctype rdf:RDF [\n  <!ENTITY a "aaaa">\n  <!ENTITY b "&a;&a;">\n]>\n', ""
        ),
        "<!ENTITY b ",
        "refers to the entity &a;",
    ),
    "external DTD": (
        lambda: rdf_xml('<!DOCTYPE rdf:RDF SYSTEM "http://127.0.0.1:9/x.dtd">\n', ""),
        "<!DOCTYPE",
        "external DTD",
    ),
    "DOCTYPE after the root element": (
        lambda: rdf_xml("", '<!DOCTYPE rdf:RDF [\n  <!ENTITY a "a">\n]>\n'),
        "<!DOCTYPE",
        "after the start of the document",
    ),
}


@pytest.mark.parametrize("case", HOSTILE_XML)
@pytest.mark.parametrize("suffix", [".rdf", ".owl"])
def test_entity_tricks_are_refused_by_every_reader(
    case: str, suffix: str, graph_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    make, declaration, reason = HOSTILE_XML[case]
    hostile = graph_copy / "data" / f"hostile{suffix}"
    hostile.write_text(make(), encoding="utf-8")
    line = line_of(hostile, declaration)

    with pytest.raises(GraphLoadError) as info:
        load_graph(graph_copy)
    assert (info.value.file, info.value.line) == (hostile, line)
    assert reason in info.value.reason
    for args in (
        ["validate", "--graph", str(graph_copy)],
        query_args(graph_copy),
        ["viz", "--graph", str(graph_copy), "-o", str(tmp_path / "viz.html")],
        load_args([hostile], tmp_path),
    ):
        code, err = run_cli(args, capsys)
        assert code == 2, args
        assert f"error: {hostile}:{line}: " in err and reason in err, args
    assert not (tmp_path / "viz.html").exists()


def test_external_entity_is_refused_and_never_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-7c1f-NOT-FOR-THE-GRAPH\n", encoding="utf-8")
    folder = tmp_path / "graph"
    folder.mkdir()
    for index, target in enumerate((secret.as_uri(), "file:///etc/passwd")):
        hostile = folder / "data.rdf"
        hostile.write_text(
            rdf_xml(
                f'<!DOCTYPE rdf:RDF [\n  <!ENTITY leak SYSTEM "{target}">\n]>\n',
                '  <rdf:Description rdf:about="http://example.org/a"><ex:p>&leak;</ex:p>'
                "</rdf:Description>\n",
            ),
            encoding="utf-8",
        )
        for args in (
            ["validate", "--graph", str(folder)],
            query_args(folder),
            load_args([hostile], tmp_path / str(index)),
        ):
            code, err = run_cli(args, capsys)
            assert code == 2
            assert f"error: {hostile}:3: external entity &leak; (SYSTEM or PUBLIC) refused" in err
            assert "SECRET-7c1f" not in err and "root:" not in err


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "with a BOM"])
def test_protege_entities_still_load(
    bom: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ontology = tmp_path / "graph" / "ontology.owl"
    ontology.parent.mkdir()
    protege = (
        '<?xml version="1.0"?>\n'
        "<!DOCTYPE rdf:RDF [\n"
        '    <!ENTITY owl "http://www.w3.org/2002/07/owl#" >\n'
        '    <!ENTITY xsd "http://www.w3.org/2001/XMLSchema#" >\n'
        '    <!ENTITY rdfs "http://www.w3.org/2000/01/rdf-schema#" >\n'
        '    <!ENTITY rdf "http://www.w3.org/1999/02/22-rdf-syntax-ns#" >\n'
        '    <!ENTITY ex "http://example.org/onto#" >\n'
        "]>\n"
        '<rdf:RDF xmlns="http://example.org/onto#" xml:base="http://example.org/onto"\n'
        '     xmlns:rdf="&rdf;" xmlns:rdfs="&rdfs;" xmlns:owl="&owl;" xmlns:xsd="&xsd;">\n'
        '    <owl:Ontology rdf:about="http://example.org/onto"/>\n'
        '    <owl:Class rdf:about="&ex;Drug">\n'
        '        <rdfs:subClassOf rdf:resource="&owl;Thing"/>\n'
        '        <rdfs:label rdf:datatype="&xsd;string">drug</rdfs:label>\n'
        "    </owl:Class>\n"
        "</rdf:RDF>\n"
    )
    ontology.write_bytes(bom + protege.encode())
    graph = load_graph(ontology.parent)
    drug = URIRef("http://example.org/onto#Drug")
    assert (drug, RDF.type, OWL.Class) in graph
    assert (drug, RDFS.subClassOf, OWL.Thing) in graph
    # "&xsd;string" expanded: an xsd:string literal, which RDF 1.1 writes as a simple literal.
    assert graph.value(drug, RDFS.label) == Literal("drug")
    code, err = run_cli(load_args([ontology], tmp_path), capsys)
    assert code == 0, err
    assert "4 triples in the store" in err


# 4. Syntax errors: the line, and the same verdict from validate and load ---------------------

TTL_HEAD = "@prefix ex: <http://example.org/> .\nex:ok ex:p ex:o .\n"
NT_HEAD = "<http://example.org/ok> <http://example.org/p> <http://example.org/o> .\n"
TTL_TAIL = "ex:after ex:p ex:o .\n"
NT_TAIL = "<http://example.org/after> <http://example.org/p> <http://example.org/o> .\n"

# (suffix, the bad line (always line 3, after the head), what follows it); the error must be on
# line 3 whatever the parser noticed later (an unclosed statement is reported where it ends).
BAD_SYNTAX: dict[str, tuple[str, bytes, str]] = {
    "unterminated string": (".ttl", b'ex:a ex:p "open .\n', TTL_TAIL),
    "unterminated long string": (".ttl", b'ex:a ex:p """open .\n', TTL_TAIL),
    "bad escape": (".ttl", b'ex:a ex:p "a\\qb" .\n', TTL_TAIL),
    "bad unicode escape": (".ttl", b'ex:a ex:p "\\uZZZZ" .\n', TTL_TAIL),
    "IRI with a space": (".ttl", b"ex:a ex:p <http://example.org/a b> .\n", TTL_TAIL),
    "IRI with a brace": (".ttl", b"ex:a ex:p <http://example.org/{a}> .\n", TTL_TAIL),
    "missing dot before the next statement": (".ttl", b"ex:a ex:p ex:o\n", TTL_TAIL),
    "missing final dot": (".ttl", b"ex:a ex:p ex:o\n", ""),
    "missing final dot, comment after": (".ttl", b"ex:a ex:p ex:o\n\n# the end\n", ""),
    "unknown prefix": (".ttl", b"ex:a ex:p nope:o .\n", TTL_TAIL),
    "bad language tag": (".ttl", b'ex:a ex:p "x"@-en .\n', TTL_TAIL),
    "bad numeric literal": (".ttl", b"ex:a ex:p 1.2.3 .\n", TTL_TAIL),
    "datatype without IRI": (".ttl", b'ex:a ex:p "x"^^ .\n', TTL_TAIL),
    "literal as subject": (".ttl", b'"x" ex:p ex:o .\n', TTL_TAIL),
    "end of file inside a blank node": (".ttl", b"ex:a ex:p [ ex:q ex:r\n", ""),
    "end of file inside a collection": (".ttl", b"ex:a ex:p ( ex:q ex:r\n", ""),
    "bad UTF-8": (".ttl", b'ex:a ex:p "caf\xe9" .\n', TTL_TAIL),
    "@prefix without IRI": (".ttl", b"@prefix nope: .\n", TTL_TAIL),
    "N-Triples: IRI with a space": (
        ".nt",
        b"<http://example.org/a> <http://example.org/p> <http://example.org/a b> .\n",
        NT_TAIL,
    ),
    "N-Triples: missing dot": (
        ".nt",
        b"<http://example.org/a> <http://example.org/p> <http://example.org/o>\n",
        NT_TAIL,
    ),
    "N-Triples: bad escape": (
        ".nt",
        b'<http://example.org/a> <http://example.org/p> "a\\qb" .\n',
        NT_TAIL,
    ),
    "N-Triples: relative IRI": (
        ".nt",
        b"<a> <http://example.org/p> <http://example.org/o> .\n",
        NT_TAIL,
    ),
    "N-Triples: bad UTF-8": (
        ".nt",
        b'<http://example.org/a> <http://example.org/p> "caf\xe9" .\n',
        NT_TAIL,
    ),
}


@pytest.mark.parametrize("case", BAD_SYNTAX)
def test_validate_and_load_refuse_the_same_syntax_error_at_its_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    suffix, bad_line, tail = BAD_SYNTAX[case]
    folder = tmp_path / "graph"
    folder.mkdir()
    broken = folder / f"broken{suffix}"
    head = TTL_HEAD if suffix == ".ttl" else NT_HEAD + NT_HEAD.replace("ok>", "ok2>")
    broken.write_bytes(head.encode() + bad_line + tail.encode())

    with pytest.raises(GraphLoadError) as info:
        load_graph(folder)
    assert (info.value.file, info.value.line) == (broken, 3), str(info.value)
    where = f"{broken}:3:{info.value.column}: syntax error: "
    code, validate_err = run_cli(["validate", "--graph", str(folder)], capsys)
    assert code == 2 and validate_err.startswith(f"error: {where}"), validate_err
    code, load_err = run_cli(load_args([broken], tmp_path), capsys)
    assert code == 2 and load_err.startswith(f"error: {where}"), load_err
    assert len(validate_err.splitlines()) == len(load_err.splitlines()) == 1


def test_rdfxml_bad_iri_is_located_by_validate_and_load(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pyoxigraph gives no position for RDF/XML errors: an IRI error points where it is written."""
    folder = tmp_path / "graph"
    folder.mkdir()
    broken = folder / "broken.rdf"
    broken.write_text(
        rdf_xml("", '  <rdf:Description rdf:about="http://example.org/a b"/>\n'), encoding="utf-8"
    )
    where = f"error: {broken}:4:31: syntax error: error while parsing IRI 'http://example.org/a b'"
    for args in (["validate", "--graph", str(folder)], load_args([broken], tmp_path)):
        code, err = run_cli(args, capsys)
        assert code == 2 and err.startswith(where), err


def test_validate_and_load_accept_the_same_unusual_but_valid_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "graph"
    folder.mkdir()
    valid = folder / "valid.ttl"
    # A NUL character is allowed in a Turtle string; a relative IRI resolves against the file.
    valid.write_bytes(TTL_HEAD.encode() + b'ex:a ex:p "nul\x00here" ; ex:q <relative> .\n')
    assert len(load_graph(folder)) == 3
    code, err = run_cli(load_args([valid], tmp_path), capsys)
    assert code == 0 and "3 triples in the store" in err


# 5. SIDER: the row of bad UTF-8 ----------------------------------------------------------------

SIDER_FIXTURE = TESTS_DIR / "fixtures" / "sider"


@pytest.mark.parametrize("compressed", [False, True], ids=["tsv", "tsv.gz"])
def test_sider_bad_utf8_names_its_row(
    compressed: bool, tmp_path: Path, graph_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "sider"
    folder.mkdir()
    for name in ("meddra_freq.tsv", "indications.tsv"):
        shutil.copy(SIDER_FIXTURE / name, folder)
    # 60 made-up rows (the fixture's, repeated), row 51 with a Latin-1 byte in its name.
    rows = (SIDER_FIXTURE / "meddra_all_se.tsv").read_bytes().splitlines(keepends=True)
    rows = (rows * (60 // len(rows) + 1))[:60]
    rows[50] = rows[50].rstrip(b"\n") + b" (caf\xe9)\n"
    data = b"".join(rows)
    target = folder / ("meddra_all_se.tsv.gz" if compressed else "meddra_all_se.tsv")
    target.write_bytes(gzip.compress(data, mtime=0) if compressed else data)
    before = tree_digest(graph_copy)

    with pytest.raises(SiderInputError) as info:
        import_sider(folder, graph_copy)
    assert (info.value.file, info.value.row) == (target, 51)
    code, err = run_cli(["import", "sider", str(folder), "--graph", str(graph_copy)], capsys)
    assert code == 2
    assert f"error: {target}, row 51: not UTF-8 text (byte {len(rows[50]) - 2} of the row)" in err
    assert tree_digest(graph_copy) == before

    # The same file, repaired, imports.
    repaired = data.replace(b"\xe9", b"e")
    target.write_bytes(gzip.compress(repaired, mtime=0) if compressed else repaired)
    assert import_sider(folder, graph_copy).se_rows == 60


def test_sider_bad_utf8_in_the_drugbank_table_names_its_row(tmp_path: Path) -> None:
    table = tmp_path / "indications.tsv"
    rows = (SIDER_FIXTURE / "indications.tsv").read_bytes().splitlines(keepends=True)
    rows.insert(2, rows[1].replace(b"Made-up", b"Made-\xff-up"))
    table.write_bytes(b"".join(rows))
    with pytest.raises(SiderInputError) as info:
        drugbank_to_stitch(table)
    assert (info.value.file, info.value.row) == (table, 3)
    assert "not UTF-8 text" in str(info.value)
