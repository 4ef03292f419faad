"""Graph text never drives the user's terminal: control characters are shown, not sent."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import write_extra
from mskg.cli import main
from mskg.terminal import terminal_safe

HOSTILE = "Evil\x1b]0;owned\x07\x1b[2J\u202edrug\x9b"


@pytest.fixture
def hostile_graph(graph_copy: Path) -> Path:
    label = HOSTILE.replace("\\", "\\\\")
    write_extra(graph_copy, f'mskr:evil a mskg:Drug ; rdfs:label "{label}"@en .\n')
    return graph_copy


@pytest.mark.parametrize("fmt", ["table", "md"])
def test_table_output_escapes_control_characters(
    hostile_graph: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "SELECT ?l WHERE { mskr:evil rdfs:label ?l }"
    assert main(["query", "--graph", str(hostile_graph), "-f", fmt, "-e", query]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out and "\x9b" not in out
    shown = "Evil\\x1b]0;owned\\x07\\x1b[2J\\u202edrug\\x9b"
    # Markdown escapes the backslashes once more, so that a renderer shows them.
    assert (shown if fmt == "table" else shown.replace("\\", "\\\\")) in out


def test_csv_keeps_the_data_as_it_is(
    hostile_graph: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = "SELECT ?l WHERE { mskr:evil rdfs:label ?l }"
    assert main(["query", "--graph", str(hostile_graph), "-f", "csv", "-e", query]) == 0
    assert HOSTILE in capsys.readouterr().out


def test_error_lines_escape_graph_text(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["query", "drug-profile", "--param", f"drug={HOSTILE}"])
    err = capsys.readouterr().err
    assert code == 2
    assert "\x1b" not in err and "\u202e" not in err
    assert "Evil\\x1b]0;owned" in err


def test_printable_text_is_unchanged() -> None:
    text = "natalizumab (Tysabri®) — 300 mg\tq4w\nµ α 😀"
    assert terminal_safe(text) == text
