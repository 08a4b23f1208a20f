"""A full disk, or a folder the user may not write to, as commands meet them: the open data is replaced as a whole set
or not at all, and the message says what happened and what to do (Python's own says "[Errno 28] No space left on device",
naming neither the file nor a way out)."""
from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from carehomes.fsutil import not_written
from carehomes.publish import write_files
from conftest import FIXTURES, run_build


def _run(*args: str) -> tuple[int, str, str]:
    done = run_build(*args)
    return done.returncode, done.stdout, done.stderr

FULL = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def _fill_after(monkeypatch: pytest.MonkeyPatch, files: int) -> None:
    """Path.write_bytes works for the first ``files`` files, then the disk is full."""
    real = Path.write_bytes
    count = {"n": 0}

    def write_bytes(self: Path, data: bytes) -> int:
        count["n"] += 1
        if count["n"] > files:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real(self, data)
    monkeypatch.setattr(Path, "write_bytes", write_bytes)


def test_a_full_disk_half_way_leaves_every_file_as_it_was(tmp_path, monkeypatch):
    """Each file was replaced on its own, so a disk that filled at the third left the first two new and the rest old: a
    datapackage.json describing CSVs that were not the ones beside it."""
    for name in ("datapackage.json", "a.csv", "sub/b.csv"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("old " + name, encoding="utf-8")
    _fill_after(monkeypatch, 2)
    with pytest.raises(OSError) as caught:
        write_files({"datapackage.json": b"new", "a.csv": b"new", "sub/b.csv": b"new"}, tmp_path)
    assert caught.value.errno == errno.ENOSPC
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == [
        "a.csv", "datapackage.json", "sub/b.csv"]  # no temporary file left behind
    assert [(tmp_path / n).read_text(encoding="utf-8") for n in ("datapackage.json", "a.csv", "sub/b.csv")] == [
        "old datapackage.json", "old a.csv", "old sub/b.csv"]


def test_every_file_is_replaced_when_all_can_be_written(tmp_path):
    (tmp_path / "a.csv").write_text("old", encoding="utf-8")
    assert write_files({"a.csv": b"new!", "sub/b.csv": b"b"}, tmp_path) == {"a.csv": 4, "sub/b.csv": 1}
    assert (tmp_path / "a.csv").read_bytes() == b"new!" and (tmp_path / "sub" / "b.csv").read_bytes() == b"b"
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["a.csv", "b.csv", "sub"]


@pytest.mark.parametrize(("code", "said"), [
    (errno.ENOSPC, "site/data: cannot be written: the disk is full (no space left on it). Free some space on the disk "
                   "that holds site/data, or give --out a folder on another disk, and run the command again"),
    (errno.EACCES, "site/data: cannot be written: you are not allowed to write there (permission denied). Make it "
                   "writable for you, or give --out another folder"),
    (errno.EROFS, "site/data: cannot be written: its disk is read-only. Give --out a folder on a disk you can write to"),
    (errno.EIO, "site/data: cannot be written (Input/output error)"),
])
def test_why_a_file_cannot_be_written_is_said_with_what_to_do(code, said):
    assert not_written(OSError(code, os.strerror(code)), "site/data") == said


def test_the_file_is_named_when_python_knows_it():
    exc = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "site/data/care-homes.db")
    assert not_written(exc, "site/data", "--releases").startswith(
        "site/data/care-homes.db: cannot be written: the disk is full (no space left on it). Free some space on the "
        "disk that holds site/data, or give --releases a folder")


def test_data_on_a_full_disk_says_so_and_changes_nothing(tmp_path, monkeypatch):
    out = tmp_path / "data"
    code, _, err = _run("data", "--providers", str(FIXTURES / "profiles"), "--out", str(out))
    assert code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edited = tmp_path / "profiles"
    edited.mkdir()
    for p in (FIXTURES / "profiles").glob("*.yaml"):
        (edited / p.name).write_text(p.read_text(encoding="utf-8").replace("name: ", "name: Renamed ", 1), encoding="utf-8")
    _fill_after(monkeypatch, 5)
    code, _, err = _run("data", "--providers", str(edited), "--out", str(out))
    assert (code, err) == (1, f"Writing the open data into {out} failed, so every file in it was left as it was:\n"
                              f"{out}: cannot be written: the disk is full (no space left on it). Free some space on the "
                              f"disk that holds {out}, or give --out a folder on another disk, and run the command again\n")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


def test_a_build_on_a_full_disk_says_so_and_keeps_the_site(tmp_path, monkeypatch):
    out = tmp_path / "site"
    assert _run("build", "--providers", str(FIXTURES / "profiles"), "--out", str(out), "--no-search")[0] == 0
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    _fill_after(monkeypatch, 0)
    code, _, err = _run("build", "--providers", str(FIXTURES / "profiles"), "--out", str(out), "--no-search")
    assert code == 1
    assert err.endswith(f"The build failed, so {out} was left as it was:\n{out}: cannot be written: the disk is full "
                        f"(no space left on it). Free some space on the disk that holds {out}, or give --out a folder "
                        f"on another disk, and run the command again\n"), err
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
