"""The linters configured in pyproject.toml pass: ruff (lint and format) and mypy.

They run as tests so that CI, which runs only pytest, holds every change to them.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import REPO_DIR


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args], cwd=REPO_DIR, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",)],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_linter_passes(command: tuple[str, ...]) -> None:
    result = _run(*command)
    assert result.returncode == 0, result.stdout + result.stderr
