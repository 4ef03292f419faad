"""`mskg load` never destroys what it did not make: foreign paths are refused, foreign leftovers
beside a store are left alone, and a crash between the two renames of a swap is put right."""

from __future__ import annotations

import functools
import gc
import json
import os
import subprocess
from pathlib import Path

import pytest

from mskg.cli import main
from mskg.errors import StoreError
from mskg.stores import open_store
from mskg.stores import oxigraph as store_module
from mskg.stores.oxigraph import STAGING_MARKER, STORE_MARKER, OxigraphStore, _write_lock

P = "http://x/p"


def _nt(folder: Path, name: str, *subjects: str) -> Path:
    """An N-Triples file of ``<http://x/S> <http://x/p> "S"`` per subject."""
    path = folder / name
    path.write_text("".join(f'<http://x/{s}> <{P}> "{s}" .\n' for s in subjects))
    return path


def _load(store: Path, *args: str) -> int:
    return main(["load", *args, "--no-graph", "--no-progress", "--store", f"oxigraph:{store}"])


def _subjects(store: Path) -> list[str]:
    """What the store holds, read the way `mskg query` reads it (read-only)."""
    with open_store(f"oxigraph:{store}", read_only=True) as opened:
        rows = opened.select_values(f"SELECT ?s WHERE {{ ?s <{P}> ?o }}")
    return sorted(str(s).rsplit("/", 1)[-1] for (s,) in rows)


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry under ``folder``: a file's bytes, None for a folder."""
    return {
        str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


def _listing(folder: Path) -> list[str]:
    gc.collect()  # no store left open that could write into the folder
    return sorted(p.name for p in folder.iterdir())


def _foreign_oxigraph(path: Path, *subjects: str) -> None:
    """An Oxigraph store made directly with pyoxigraph, as another tool would."""
    import pyoxigraph

    made = pyoxigraph.Store(str(path))
    for s in subjects:
        made.add(
            pyoxigraph.Quad(
                pyoxigraph.NamedNode(f"http://x/{s}"),
                pyoxigraph.NamedNode(P),
                pyoxigraph.Literal(s),
            )
        )
    made.flush()
    del made
    gc.collect()


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


# Refused: a path that exists and is not a store mskg made ---------------------------------------


@pytest.mark.parametrize("append", [False, True])
def test_load_refuses_a_folder_of_user_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], append: bool
) -> None:
    folder = tmp_path / "mine"
    (folder / "sub").mkdir(parents=True)
    (folder / "notes.txt").write_text("my notes\n")
    (folder / "sub" / "photo.bin").write_bytes(bytes(range(256)))
    before = _snapshot(folder)
    data = _nt(tmp_path, "data.nt", "a")
    assert _load(folder, str(data), *(["--append"] if append else [])) == 2
    line = _one_line_error(capsys)
    assert str(folder) in line and "not an mskg store" in line
    assert "choose a new path, or an empty folder" in line
    assert _snapshot(folder) == before
    assert _listing(tmp_path) == ["data.nt", "mine"]  # nothing parked, staged or locked


def test_load_refuses_a_plain_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "kg"
    target.write_bytes(b"not a store\x00\xff")
    data = _nt(tmp_path, "data.nt", "a")
    for _attempt in range(2):  # a refused load must not move the file aside for the next one
        assert _load(target, str(data)) == 2
        line = _one_line_error(capsys)
        assert str(target) in line and "is a file" in line and "choose a new path" in line
        assert target.read_bytes() == b"not a store\x00\xff"
        assert _listing(tmp_path) == ["data.nt", "kg"]
    with pytest.raises(StoreError, match="is a file"):
        open_store(f"oxigraph:{target}", create=True)
    assert _load(tmp_path / "kg2", str(data)) == 0
    assert _subjects(tmp_path / "kg2") == ["a"]


def test_load_refuses_a_foreign_oxigraph_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "theirs"
    _foreign_oxigraph(target, "x", "y")
    data = _nt(tmp_path, "data.nt", "a")
    for extra in ([], ["--append"]):
        assert _load(target, str(data), *extra) == 2
        line = _one_line_error(capsys)
        assert str(target) in line and "Oxigraph store that mskg did not make" in line
        assert "new path" in line and "delete it yourself" in line
    assert _subjects(target) == ["x", "y"]  # still readable, content unchanged
    assert not (target / STORE_MARKER).exists()
    assert _listing(tmp_path) == ["data.nt", "theirs"]
    assert main(["query", "-e", "SELECT ?s { ?s ?p ?o }", "--store", f"oxigraph:{target}"]) == 0


def test_load_refuses_a_symbolic_link(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    real = tmp_path / "real"
    assert _load(real, str(_nt(tmp_path, "data.nt", "a"))) == 0
    link = tmp_path / "link"
    link.symlink_to(real)
    capsys.readouterr()
    assert _load(link, str(tmp_path / "data.nt")) == 2
    assert "symbolic link" in _one_line_error(capsys)
    assert link.is_symlink() and _subjects(real) == ["a"]


def test_an_empty_folder_is_accepted(tmp_path: Path) -> None:
    target = tmp_path / "empty"
    target.mkdir()
    assert _load(target, str(_nt(tmp_path, "data.nt", "a", "b"))) == 0
    assert _subjects(target) == ["a", "b"]
    assert json.loads((target / STORE_MARKER).read_text())["made_by"] == "mskg"
    assert _listing(tmp_path) == ["data.nt", "empty"]


# Accepted: mskg's own store ------------------------------------------------------------------


def test_load_then_reload_and_append_into_an_mskg_store(tmp_path: Path) -> None:
    kg = tmp_path / "kg"
    assert _load(kg, str(_nt(tmp_path, "one.nt", "a"))) == 0
    marker = json.loads((kg / STORE_MARKER).read_text())
    assert marker["made_by"] == "mskg" and marker["version"] and "T" in marker["loaded"]
    first = kg.stat().st_ino
    assert _load(kg, str(_nt(tmp_path, "two.nt", "b"))) == 0
    assert _subjects(kg) == ["b"]  # replaced
    second = kg.stat().st_ino
    assert _load(kg, "--append", str(_nt(tmp_path, "three.nt", "c"))) == 0
    assert _subjects(kg) == ["b", "c"]
    assert (kg / STORE_MARKER).is_file()  # written again: backup() does not copy it
    assert len({first, second, kg.stat().st_ino}) == 3  # a new directory at every load
    assert _listing(tmp_path) == ["kg", "one.nt", "three.nt", "two.nt"]


def test_a_store_made_by_the_api_can_be_reloaded(tmp_path: Path) -> None:
    """An empty store that `open_store(create=True)` made for writing is mskg's."""
    kg = tmp_path / "kg"
    with open_store(f"oxigraph:{kg}", create=True) as made:
        assert made.count() == 0
    assert (kg / STORE_MARKER).is_file()
    assert _load(kg, str(_nt(tmp_path, "data.nt", "a"))) == 0
    assert _subjects(kg) == ["a"]


# Leftovers beside a store ---------------------------------------------------------------------


def test_foreign_leftover_lookalikes_survive_loads(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kg = tmp_path / "kg"
    assert _load(kg, str(_nt(tmp_path, "one.nt", "a"))) == 0
    old, loading = tmp_path / ".kg.old", tmp_path / ".kg.loading-x"
    for folder in (old, loading):
        (folder / "deep").mkdir(parents=True)
        (folder / "deep" / "keep.txt").write_text(f"{folder.name} is mine\n")
    _foreign_oxigraph(tmp_path / ".kg.loading-oldmskg", "z")  # an unmarked staging store
    before = {p: _snapshot(p) for p in (old, loading)}
    capsys.readouterr()
    assert _load(kg, str(_nt(tmp_path, "two.nt", "b"))) == 0
    warning = capsys.readouterr().err
    assert "left alone, not made by mskg" in warning
    assert str(old) in warning and str(loading) in warning
    assert _load(kg, "--append", str(_nt(tmp_path, "three.nt", "c"))) == 0
    assert _subjects(kg) == ["b", "c"]
    assert {p: _snapshot(p) for p in (old, loading)} == before
    assert _subjects(tmp_path / ".kg.loading-oldmskg") == ["z"]
    assert _listing(tmp_path) == [
        ".kg.loading-oldmskg",
        ".kg.loading-x",
        ".kg.old",
        "kg",
        "one.nt",
        "three.nt",
        "two.nt",
    ]


def test_mskg_leftovers_are_cleaned_up(tmp_path: Path) -> None:
    """A crashed load's marked staging folder, and a store parked after a finished swap, go."""
    kg = tmp_path / "kg"
    assert _load(kg, str(_nt(tmp_path, "one.nt", "a"))) == 0
    staging = tmp_path / ".kg.loading-crashed"
    staging.mkdir()
    _foreign_oxigraph(staging / "store", "half")
    (staging / STAGING_MARKER).write_text('{"made_by": "mskg"}')
    assert _load(tmp_path / "spare", str(tmp_path / "one.nt")) == 0
    (tmp_path / "spare").rename(tmp_path / ".kg.old")  # parked, with its marker
    assert _load(kg, "--append", str(_nt(tmp_path, "two.nt", "b"))) == 0
    assert _subjects(kg) == ["a", "b"]
    assert _listing(tmp_path) == ["kg", "one.nt", "two.nt"]


# A crash between the two renames of a swap ---------------------------------------------------


def _crash_mid_swap(tmp_path: Path) -> tuple[Path, Path, int]:
    """An mskg store holding a and b, renamed away as a load that died mid-swap leaves it."""
    kg = tmp_path / "kg"
    assert _load(kg, str(_nt(tmp_path, "data.nt", "a", "b"))) == 0
    inode = kg.stat().st_ino
    old = tmp_path / ".kg.old"
    kg.rename(old)
    return kg, old, inode


def test_a_crash_mid_swap_is_recovered_by_the_next_query(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kg, _old, inode = _crash_mid_swap(tmp_path)
    text = f"SELECT ?s WHERE {{ ?s <{P}> ?o }} ORDER BY ?s"
    assert main(["query", "-e", text, "-f", "csv", "--store", f"oxigraph:{kg}"]) == 0
    assert capsys.readouterr().out.split() == ["s", "http://x/a", "http://x/b"]
    assert kg.stat().st_ino == inode  # the very store, put back
    assert _listing(tmp_path) == ["data.nt", "kg"]


def test_a_crash_mid_swap_is_recovered_by_the_next_load(tmp_path: Path) -> None:
    kg, _old, _inode = _crash_mid_swap(tmp_path)
    assert _load(kg, "--append", str(_nt(tmp_path, "more.nt", "c"))) == 0
    assert _subjects(kg) == ["a", "b", "c"]  # appended to the recovered data, nothing lost
    assert _listing(tmp_path) == ["data.nt", "kg", "more.nt"]


def test_a_crash_mid_swap_parked_at_a_spare_name_is_recovered(tmp_path: Path) -> None:
    """With a foreign `.kg.old` in the way, a swap parks the store at `.kg.old-XXXXXXXX`."""
    kg, old, _inode = _crash_mid_swap(tmp_path)
    old.rename(tmp_path / ".kg.old-1234abcd")
    (tmp_path / ".kg.old").mkdir()
    (tmp_path / ".kg.old" / "keep.txt").write_text("mine\n")
    assert _subjects(kg) == ["a", "b"]
    assert _listing(tmp_path) == [".kg.old", "data.nt", "kg"]


def test_when_recovery_is_impossible_the_message_gives_the_mv_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    kg, old, _inode = _crash_mid_swap(tmp_path)
    quick = functools.partial(store_module._wait_for_swap, seconds=0.1)
    monkeypatch.setattr(store_module, "_wait_for_swap", quick)
    capsys.readouterr()
    with _write_lock(kg):  # a load that holds the lock and never finishes its swap
        assert main(["query", "-e", "ASK {}", "--store", f"oxigraph:{kg}"]) == 2
    line = _one_line_error(capsys)
    assert "interrupted" in line and str(old) in line
    assert "create one" not in line  # a new load would replace the data
    move = line.split("`")[-2]
    assert move == f"mv {old} {kg}"
    subprocess.run(move.split(), check=True)
    assert _subjects(kg) == ["a", "b"]


def test_a_foreign_old_store_is_never_put_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kg, old = tmp_path / "kg", tmp_path / ".kg.old"
    _foreign_oxigraph(old, "theirs")
    with pytest.raises(StoreError, match=r"did not mark as its own.*`mv .*\.kg\.old .*kg`"):
        open_store(f"oxigraph:{kg}", read_only=True)
    assert not os.path.lexists(kg)
    assert _load(kg, str(_nt(tmp_path, "data.nt", "a"))) == 0
    assert str(old) in capsys.readouterr().err  # the warning names it
    assert _subjects(kg) == ["a"] and _subjects(old) == ["theirs"]


def test_writers_refuse_at_open_before_any_write(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("x")
    with pytest.raises(StoreError, match="not an mskg store"):
        OxigraphStore(folder, create=True)
    assert _listing(folder) == ["notes.txt"]


def test_a_parked_store_is_kept_until_an_mskg_store_is_in_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    kg, old, _inode = _crash_mid_swap(tmp_path)
    kg.write_text("made after the crash\n")
    assert _load(kg, str(tmp_path / "data.nt")) == 2  # refused: a file
    assert "is a file" in capsys.readouterr().err
    assert kg.read_text() == "made after the crash\n"
    assert _subjects(old) == ["a", "b"]  # the parked store may be the only copy: kept
    kg.unlink()
    kg.mkdir()  # an empty folder in its place counts as absent
    assert _subjects(kg) == ["a", "b"]
    assert _listing(tmp_path) == ["data.nt", "kg"]
