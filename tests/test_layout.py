"""The package layout holds: every import follows the layers of src/mskg/README.md."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from conftest import REPO_DIR

PACKAGE = REPO_DIR / "src" / "mskg"


def layers() -> dict[str, int]:
    """Part name (``graph``, ``errors``) -> layer, read from the table in src/mskg/README.md."""
    text = (PACKAGE / "README.md").read_text(encoding="utf-8")
    found = {
        match.group(1): int(match.group(2))
        for match in re.finditer(r"^\| `(\w+)(?:/|\.py)` \| (\d) \|", text, re.MULTILINE)
    }
    assert found, "no layer table in src/mskg/README.md"
    return found


def part_of(module: str) -> str | None:
    """The part a module ``mskg.X...`` belongs to; None for the package itself."""
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 and pieces[0] == "mskg" else None


def imports(file: Path) -> list[tuple[int, str]]:
    """(line, module) of every mskg import in ``file``, inside functions too."""
    found = []
    for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "mskg":
                found += [(node.lineno, f"mskg.{alias.name}") for alias in node.names]
            elif node.module.startswith("mskg."):
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("mskg.")]
    return found


def sources() -> list[Path]:
    return sorted(
        p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE
    )


def test_every_part_is_in_the_table() -> None:
    table = layers()
    parts = {p.stem if p.is_file() else p.name for p in PACKAGE.iterdir()}
    parts -= {"__init__", "__pycache__", "README", "py"}
    parts = {p for p in parts if (PACKAGE / p).is_dir() or (PACKAGE / f"{p}.py").is_file()}
    assert parts == set(table), "add the part to the table in src/mskg/README.md"


@pytest.mark.parametrize("file", sources(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_follow_the_layers(file: Path) -> None:
    table = layers()
    own = part_of("mskg." + ".".join(file.relative_to(PACKAGE).with_suffix("").parts))
    assert own in table
    for line, module in imports(file):
        other = part_of(module)
        if other is None or other == own or other == "__version__":
            continue
        assert other in table, f"{file.name}:{line} imports {module}: not a part in the table"
        assert table[other] < table[own], (
            f"{file.relative_to(PACKAGE)}:{line} imports {module}: layer {table[other]} "
            f"({other}) is not below layer {table[own]} ({own})"
        )


def test_the_rule_catches_an_upward_import(tmp_path: Path) -> None:
    """The check above can fail: an import from a higher layer is found, inside a function too."""
    file = tmp_path / "bad.py"
    file.write_text("def f():\n    from mskg.server.http import serve\n    return serve\n")
    table = layers()
    ((line, module),) = imports(file)
    assert (line, part_of(module)) == (2, "server")
    assert table["server"] > table["stores"]


def test_no_module_flips_rdflib_globals() -> None:
    """rdflib's process-wide switches are set nowhere in the package."""
    pattern = re.compile(r"NORMALIZE_LITERALS\s*=|CUSTOM_EVALS\[[^]]*\]\s*=|SPARQL_LOAD_GRAPHS\s*=")
    offenders = [
        f"{file.relative_to(PACKAGE)}:{number}"
        for file in [*sources(), PACKAGE / "__init__.py"]
        for number, line in enumerate(file.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []
