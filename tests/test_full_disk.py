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


def test_a_copy_that_fills_the_disk_names_the_file_it_was_writing_not_the_one_it_read(tmp_path):
    """shutil's copy (the engine copying the theme's files) raises its error naming its source first and its
    destination second: a full disk was said as ".venv/.../search.a7633da7.min.js: cannot be written"
    (hostile-input review), a file of the theme's own, not the site's."""
    source, target = tmp_path / "theme.js", tmp_path / "site" / "theme.js"
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(source), None, str(target))  # as shutil raises it
    assert not_written(full, tmp_path / "site").startswith(f"{target}: cannot be written: the disk is full")
    denied = OSError(errno.EACCES, os.strerror(errno.EACCES), str(target))  # one file named: that one
    assert not_written(denied, tmp_path / "site").startswith(f"{target}: cannot be written: you are not allowed")


@pytest.mark.slow  # builds a whole site (the fast set stays under 30 s)
def _renamed_profiles(tmp_path: Path) -> Path:
    """A copy of the fixture profiles, each home renamed ("Renamed ..."): a second run with something to write."""
    edited = tmp_path / "profiles"
    edited.mkdir()
    for p in (FIXTURES / "profiles").glob("*.yaml"):
        (edited / p.name).write_text(p.read_text(encoding="utf-8").replace("name: ", "name: Renamed ", 1), encoding="utf-8")
    return edited


def test_data_on_a_full_disk_says_so_and_changes_nothing(tmp_path, monkeypatch):
    out = tmp_path / "data"
    code, _, err = _run("data", "--providers", str(FIXTURES / "profiles"), "--out", str(out))
    assert code == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    edited = _renamed_profiles(tmp_path)
    _fill_after(monkeypatch, 5)
    code, _, err = _run("data", "--providers", str(edited), "--out", str(out))
    assert (code, err) == (1, f"Writing the open data into {out} failed, so every file in it was left as it was:\n"
                              f"{out / 'nhs-trusts.csv'}: cannot be written: the disk is full (no space left on it). Free some space on the "
                              f"disk that holds {out}, or give --out a folder on another disk, and run the command again\n")
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before


@pytest.mark.slow  # builds a whole site (the fast set stays under 30 s)
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


# --- profiles: import-cqc, import-fsa, vacancies, apply-update, claim, fmt ------------------------------------------


def _fill_profiles_after(monkeypatch: pytest.MonkeyPatch, files: int) -> None:
    """A profile written beside its place (fsutil.write_set, as the open data) fits for the first ``files`` files, then
    the disk is full."""
    _fill_after(monkeypatch, files)


def _files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()} if folder.is_dir() else {}


def test_profiles_that_belong_together_are_written_all_or_none(tmp_path, monkeypatch):
    """Each profile was replaced on its own: a disk that filled at the third left two new and the rest old."""
    from carehomes.yamlio import NotWritten, write_texts_atomic

    for name in ("a.yaml", "b.yaml", "c.yaml"):
        (tmp_path / name).write_text("old", encoding="utf-8")
    _fill_profiles_after(monkeypatch, 2)
    with pytest.raises(NotWritten) as caught:
        write_texts_atomic([(tmp_path / n, "new") for n in ("a.yaml", "b.yaml", "c.yaml")])
    assert (caught.value.errno, caught.value.filename) == (errno.ENOSPC, str(tmp_path / "c.yaml"))  # the profile, not
    assert _files(tmp_path) == {"a.yaml": b"old", "b.yaml": b"old", "c.yaml": b"old"}  # a temporary file's name


def test_import_cqc_on_a_full_disk_says_so_and_writes_no_profile(tmp_path, monkeypatch, shared_data):
    """It stopped with a traceback ('OSError: [Errno 28] No space left on device') after 43 of Herefordshire's 88
    new profiles: an import is all or nothing."""
    from test_importer import national_slice

    src, _ = national_slice(tmp_path, {"Herefordshire, County of"}, limit=5)
    folder = tmp_path / "p"
    _fill_profiles_after(monkeypatch, 3)
    code, _, err = _run("import-cqc", str(src), "--providers", str(folder))
    assert code == 1 and "Traceback" not in err, err
    assert err.endswith(f": cannot be written: the disk is full (no space left on it). Free some space on the disk that "
                        f"holds {folder}, or give --providers a folder on another disk, and run the command again; "
                        "nothing was imported\n"), err
    assert err.startswith(str(folder) + "/") and err.count("\n") == 1
    assert _files(folder) == {}


def _profiles(tmp_path: Path) -> Path:
    from conftest import ROOT

    folder = tmp_path / "providers"
    folder.mkdir()
    for slug in ("aston-house", "blackwells", "whitegates"):
        (folder / f"{slug}.yaml").write_bytes((ROOT / "providers" / f"{slug}.yaml").read_bytes())
    return folder


def test_a_vacancy_sheet_on_a_full_disk_changes_no_home(tmp_path, monkeypatch):
    folder = _profiles(tmp_path)
    before = _files(folder)
    sheet = tmp_path / "sheet.csv"
    sheet.write_text("home,nursing_free,residential_free\naston-house,,1\nblackwells,,2\nwhitegates,,3\n", encoding="utf-8")
    _fill_profiles_after(monkeypatch, 2)
    code, out, err = _run("vacancies", "--from-csv", str(sheet), "--providers", str(folder))
    assert (code, out) == (1, "")
    assert err == (f"{folder / 'whitegates.yaml'}: cannot be written: the disk is full (no space left on it). Free some "
                   f"space on the disk that holds {folder}, or give --providers a folder on another disk, and run the "
                   "command again; nothing was changed\n")
    assert _files(folder) == before


def test_one_home_s_vacancies_on_a_full_disk(tmp_path, monkeypatch):
    folder = _profiles(tmp_path)
    before = _files(folder)
    _fill_profiles_after(monkeypatch, 0)
    code, _, err = _run("vacancies", "aston-house", "--residential", "2", "--providers", str(folder))
    assert code == 1 and "Traceback" not in err
    assert err.endswith(f"and run the command again; {folder / 'aston-house.yaml'} was not changed\n"), err
    assert _files(folder) == before


def test_fmt_on_a_full_disk_names_the_profile_it_stopped_at(tmp_path, monkeypatch):
    folder = _profiles(tmp_path)
    aston = folder / "aston-house.yaml"
    aston.write_bytes(aston.read_bytes().replace(b"\n", b"\r\n"))  # saved by Notepad: fmt writes it again
    before = _files(folder)
    _fill_profiles_after(monkeypatch, 0)
    code, _, err = _run("fmt", str(folder))
    assert (code, err) == (1, f"{aston}: cannot be written (No space left on device), so it and the profiles after it "
                              "were not formatted; free some space on its disk or make its folder writable, and run "
                              "fmt again\n")
    assert _files(folder) == before


def test_apply_update_on_a_full_disk_replies_with_the_reason(tmp_path, monkeypatch):
    from carehomes.updates import apply_update

    folder = _profiles(tmp_path)
    aston = folder / "aston-house.yaml"
    aston.write_text(aston.read_text(encoding="utf-8") + "maintainers:\n- aston-manager\n", encoding="utf-8")
    before = _files(folder)
    _fill_profiles_after(monkeypatch, 0)
    import datetime as dt

    res = apply_update("### Your home's page name\n\naston-house\n\n### Lead manager\n\nAlex Example\n", "aston-manager",
                       tmp_path, dt.date(2026, 12, 6))
    assert res.status == "failed"  # the runner's fault: the manager is not asked to edit their answers
    assert res.errors == [f"{aston}: cannot be written: the disk is full (no space left on it). Free some space on the "
                          f"disk that holds {folder}, or give --repo a folder on another disk, and run the command again"]
    assert _files(folder) == before
    reply = res.comment()
    assert reply.startswith("This update was not made, because of a problem on our side: the directory could not save "
                            "it. You do not need to change or send anything: someone from the council will put it right "
                            "and make this update.")
    assert "Edit" not in reply and "disk" not in reply  # nothing for the manager to do, no runner's words


def test_without_another_folder_to_give_the_words_do_not_offer_one():
    """docs writes its pages in place: it told a full disk to 'make it a writable file'."""
    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "docs/commands.md")
    assert not_written(full, "docs", "") == ("docs/commands.md: cannot be written: the disk is full (no space left on "
                                             "it). Free some space on the disk that holds docs, and run the command again")
    shut = OSError(errno.EACCES, os.strerror(errno.EACCES), "docs/commands.md")
    assert not_written(shut, "docs", "") == ("docs/commands.md: cannot be written: you are not allowed to write there "
                                             "(permission denied). Make it writable for you")
    read_only = OSError(errno.EROFS, os.strerror(errno.EROFS), "docs/commands.md")
    assert not_written(read_only, "docs", "").endswith("its disk is read-only. Run the command in a copy on a disk you "
                                                       "can write to")


def test_a_folder_where_a_file_of_the_set_goes_leaves_every_file_as_it_was(tmp_path):
    """os.replace fails only at a folder standing where a file goes, after the files before it were put in place: a
    datapackage.json new, the CSV beside it old, and the message naming a temporary file ('.b.csv.tmp-4242')."""
    from carehomes.yamlio import NotWritten, write_texts_atomic

    (tmp_path / "a.csv").write_text("old", encoding="utf-8")
    (tmp_path / "b.csv").mkdir()
    with pytest.raises(IsADirectoryError) as caught:
        write_files({"a.csv": b"new", "b.csv": b"new"}, tmp_path)
    assert caught.value.filename == str(tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_text(encoding="utf-8") == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv"]
    (tmp_path / "a.yaml").write_text("old", encoding="utf-8")
    (tmp_path / "b.yaml").mkdir()
    with pytest.raises(NotWritten) as not_written_:
        write_texts_atomic([(tmp_path / "a.yaml", "new"), (tmp_path / "b.yaml", "new")])
    assert not_written(not_written_.value, tmp_path) == f"{tmp_path / 'b.yaml'}: cannot be written (Is a directory)"
    assert (tmp_path / "a.yaml").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "a.yaml", "b.csv", "b.yaml"]


def test_a_profile_written_keeps_its_permissions(tmp_path):
    """Every profile written (import-cqc, fmt, vacancies, apply-update) was left readable by its owner alone (0600,
    tempfile.mkstemp's), so a build run as another user, or a web server, could not read it."""
    from carehomes.yamlio import write_texts_atomic

    (tmp_path / "shared.yaml").write_text("old", encoding="utf-8")
    os.chmod(tmp_path / "shared.yaml", 0o664)
    mask = os.umask(0o022)
    try:
        write_texts_atomic([(tmp_path / "shared.yaml", "new"), (tmp_path / "new.yaml", "new")])
    finally:
        os.umask(mask)
    assert {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()} == {"shared.yaml": 0o664, "new.yaml": 0o644}


def test_ctrl_c_while_the_set_is_put_in_place_waits_for_the_last_file(tmp_path, monkeypatch):
    """Ctrl+C between two renames left the set half replaced (the hostile review): it now waits for the last."""
    import signal

    from carehomes import publish

    for name in ("a.csv", "b.csv", "c.csv"):
        (tmp_path / name).write_text("old", encoding="utf-8")
    real, calls = os.replace, []

    def replace(src, dst):
        calls.append(dst)
        if len(calls) == 1:
            signal.raise_signal(signal.SIGINT)  # Ctrl+C after the first file is put in place
        return real(src, dst)
    monkeypatch.setattr(publish.os, "replace", replace)
    with pytest.raises(KeyboardInterrupt):
        write_files({"a.csv": b"new", "b.csv": b"new", "c.csv": b"new"}, tmp_path)
    assert [(tmp_path / n).read_bytes() for n in ("a.csv", "b.csv", "c.csv")] == [b"new"] * 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "b.csv", "c.csv"]


def test_an_error_of_ours_keeps_its_own_words(tmp_path):
    """A damaged Code-Point file met while the build writes the postcode lookup said "s1: cannot be written (... is
    damaged ...)" once build said every OSError as a file not written (the hostile review)."""
    from carehomes.sources.postcodes import DamagedFile

    damaged = DamagedFile(tmp_path / "hr.csv.gz", "this Code-Point Open file is damaged (cut short); fetch it again")
    assert not_written(damaged, tmp_path / "site") == f"{tmp_path / 'hr.csv.gz'}: this Code-Point Open file is damaged (cut short); fetch it again"


def test_a_new_file_is_made_without_setting_the_umask(tmp_path, monkeypatch):
    """The mode of a new file was found by setting the process's umask to 022 and back: under serve another thread
    making a file in that moment got 0644 where the umask said 0600 (401 of 50,000 files in the hostile review's loop).
    A new file is now made as any file is (0666 less the umask), and the umask is never set."""
    from carehomes import fsutil

    (tmp_path / "kept.csv").write_text("old", encoding="utf-8")
    os.chmod(tmp_path / "kept.csv", 0o604)
    mask = os.umask(0o027)
    try:
        def umask(_mask: int) -> int:
            raise AssertionError("the umask was set while another thread may be making a file")
        monkeypatch.setattr(fsutil.os, "umask", umask)
        fsutil.write_set([(tmp_path / "kept.csv", b"new"), (tmp_path / "new.csv", b"new"), (tmp_path / "sub" / "s.csv", b"n")])
    finally:
        monkeypatch.undo()
        os.umask(mask)
    assert {str(p.relative_to(tmp_path)): p.stat().st_mode & 0o777 for p in tmp_path.rglob("*.csv")} == {
        "kept.csv": 0o604, "new.csv": 0o640, "sub/s.csv": 0o640}


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file to another user")
def test_a_file_written_by_root_keeps_its_owner(tmp_path):
    """A profile owned by the council's user, written by root (sudo, a cron job: vacancies, import-cqc), became root's,
    0644 or 0640, which that user could then no longer change or read: it keeps its owner, group and permissions."""
    from carehomes.fsutil import write_set

    mine = tmp_path / "aston-house.yaml"
    mine.write_text("old", encoding="utf-8")
    os.chown(mine, 4321, 4322)
    os.chmod(mine, 0o640)
    write_set([(mine, b"new")])
    kept = mine.stat()
    assert (kept.st_uid, kept.st_gid, kept.st_mode & 0o7777, mine.read_bytes()) == (4321, 4322, 0o640, b"new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["aston-house.yaml"]


def test_two_writers_of_one_set_put_theirs_in_place_one_after_the_other(tmp_path, monkeypatch):
    """Two 'data' runs at once into one folder (a steward's and a cron job's) put their files in place in turns: one
    that started first and was slowed part way left the folder with the second's first file and its own others, a
    datapackage.json describing CSVs it did not make. Now the last to start puts its whole set in place last."""
    import threading

    from carehomes import fsutil

    names = ("datapackage.json", "a.csv", "b.csv", "sub/c.csv")
    real, first_in, second_done = os.replace, threading.Event(), threading.Event()

    def replace(src, dst):
        real(src, dst)
        if threading.current_thread().name == "first" and not first_in.is_set():
            first_in.set()
            second_done.wait(1)  # the second writer runs here, or waits for this one to finish
    monkeypatch.setattr(fsutil.os, "replace", replace)

    def second() -> None:
        first_in.wait(5)
        fsutil.write_set([(tmp_path / n, b"second") for n in names])
        second_done.set()
    one = threading.Thread(target=lambda: fsutil.write_set([(tmp_path / n, b"first") for n in names]), name="first")
    two = threading.Thread(target=second, name="second")
    one.start(), two.start()
    one.join(10), two.join(10)
    assert {n: (tmp_path / n).read_bytes() for n in names} == {n: b"second" for n in names}
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == sorted([*names, "sub"])


def test_report_writes_its_html_and_csv_together_or_neither(tmp_path, monkeypatch):
    """The report's two files are one run's: with the disk full after the HTML (the CSV not written), the HTML is
    the last run's too, as the message says (the new HTML was left beside the old CSV)."""
    out = tmp_path / "report"
    code, _, err = _run("report", "--providers", str(FIXTURES / "profiles"), "--out", str(out))
    assert code == 0, err
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(before) == ["commissioner-report.csv", "commissioner-report.html"]
    edited = _renamed_profiles(tmp_path)
    _fill_after(monkeypatch, 1)
    code, _, err = _run("report", "--providers", str(edited), "--out", str(out))
    assert code == 1 and err.endswith("; the report was not written\n"), err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
