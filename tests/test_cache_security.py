"""The parsed-graph cache never executes what it finds, and never trusts what others may write.

Regression tests for the hole found by probing: with ``MSKG_CACHE_DIR`` on a folder others can
write, a planted pickle ran code on the next ``mskg query``.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import GRAPH_DIR
from mskg.cli import main
from mskg.graph import cache as cache_module
from mskg.graph.loader import graph_files

NATALIZUMAB = "https://w3id.org/mskg/resource/natalizumab"


class _Payload:
    """Unpickling this creates a file: proof that the cache executed data."""

    def __init__(self, proof: Path) -> None:
        self.proof = proof

    def __reduce__(self) -> tuple[object, tuple[str, str]]:
        return (Path.write_text, (str(self.proof), "executed"))  # type: ignore[return-value]


def _entry_path(folder: Path, variant: str = "asserted") -> Path:
    """Where the cache keeps the curated graph: the name is computable by anyone."""
    files = graph_files(GRAPH_DIR)
    prefix = cache_module._entry_prefix(GRAPH_DIR, variant)
    digest = cache_module.fingerprint(files, variant)[:32]
    return folder / f"{prefix}{digest}{cache_module.ENTRY_SUFFIX}"


def _drugs(capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    # A parameter sends the query to the rdflib engine, which reads the graph through the cache.
    args = ["--param", "drug=natalizumab", "-f", "csv"]
    code = main(["query", "--graph", str(GRAPH_DIR), "serious-adverse-effects", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_a_planted_pickle_is_never_executed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("MSKG_CACHE_DIR", str(folder))
    proof = tmp_path / "proof"
    entry = _entry_path(folder)
    entry.write_bytes(pickle.dumps(_Payload(proof)))
    # The same payload under the names an older mskg used.
    entry.with_suffix(".pickle").write_bytes(pickle.dumps(_Payload(proof)))
    code, out, _err = _drugs(capsys)
    assert code == 0
    assert "natalizumab" in out.lower()
    assert not proof.exists()
    # The planted entry was a miss and has been replaced by a real one, which is text.
    assert entry.read_bytes().startswith(b"# mskg-cache ")


def _poisoned_entry(entry: Path) -> None:
    """A well-formed entry (right header, right digest) whose graph holds one made-up drug."""
    body = f'<{NATALIZUMAB}> <http://www.w3.org/2000/01/rdf-schema#label> "poisoned" .\n'.encode()
    meta = {
        "format": cache_module.CACHE_FORMAT,
        "sha256": hashlib.sha256(body).hexdigest(),
        "prefixes": {},
    }
    entry.write_bytes(b"# mskg-cache " + json.dumps(meta).encode() + b"\n" + body)


def test_a_folder_others_may_write_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "shared-cache"
    folder.mkdir()
    folder.chmod(0o777)
    monkeypatch.setenv("MSKG_CACHE_DIR", str(folder))
    entry = _entry_path(folder)
    _poisoned_entry(entry)
    code, out, err = _drugs(capsys)
    assert code == 0
    assert "poisoned" not in out and "natalizumab" in out.lower()
    assert f"not using the cache at {folder}: others may write to it" in err
    assert sorted(p.name for p in folder.iterdir()) == [entry.name]  # nothing written there


@pytest.fixture
def planted_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A well-formed, poisoned entry for the curated graph, in a private cache folder."""
    folder = tmp_path / "cache"
    folder.mkdir(mode=0o700)
    monkeypatch.setenv("MSKG_CACHE_DIR", str(folder))
    entry = _entry_path(folder)
    _poisoned_entry(entry)
    entry.chmod(0o600)
    return entry


def _chown_to_nobody(entry: Path) -> None:
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        pytest.skip("needs root to give the entry to another user")
    os.chown(entry, 65534, 65534)


@pytest.mark.parametrize(
    "untrust",
    [lambda entry: entry.chmod(0o666), _chown_to_nobody],
    ids=["others may write it", "another user owns it"],
)
def test_an_entry_that_is_not_the_users_own_is_not_read(
    planted_entry: Path, untrust: Callable[[Path], None], capsys: pytest.CaptureFixture[str]
) -> None:
    untrust(planted_entry)
    code, out, _err = _drugs(capsys)
    assert code == 0
    assert "poisoned" not in out and "natalizumab" in out.lower()


def test_a_well_formed_entry_of_ones_own_is_used(planted_entry: Path) -> None:
    """The control for the tests above: the same planted entry, in a private folder and file,
    is read, so those tests fail if the checks are removed."""
    graph = cache_module.cached_graph(GRAPH_DIR)
    assert {str(o) for o in graph.objects()} == {"poisoned"}


def test_a_truncated_entry_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "cache"
    monkeypatch.setenv("MSKG_CACHE_DIR", str(folder))
    full = len(cache_module.cached_graph(GRAPH_DIR))
    entry = _entry_path(folder)
    data = entry.read_bytes()
    cut = data.rindex(b"\n", 0, len(data) // 2) + 1  # whole lines: still valid N-Triples
    entry.write_bytes(data[:cut])
    assert len(cache_module.cached_graph(GRAPH_DIR)) == full
