"""bench/national.py's own logic (the benchmark itself is run by hand: docs/performance.md)."""
from __future__ import annotations

import importlib.util
import threading
import time
from pathlib import Path

import pytest

from carehomes.schema import ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("national_bench", ROOT / "bench" / "national.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow  # waits on a removal in a process of its own
def test_a_timed_run_waits_until_the_output_an_earlier_run_replaced_is_removed(tmp_path: Path):
    """fsutil.remove_later deletes a replaced build in a process of its own after the command has ended; the
    benchmark's next run must not be timed while that runs (nationally several seconds of the kernel's time)."""
    bench = _bench()
    out = tmp_path / "site"
    assert bench._out_of(("build", "--providers", "p", "--out", str(out), "--timings")) == out
    assert bench._out_of(("check", "p")) is None and bench.wait_for_removal(None) == 0.0
    assert bench.wait_for_removal(out) < 0.05  # no builds folder yet
    trash = tmp_path / ".site-builds" / ".trash-1"
    trash.mkdir(parents=True)
    (tmp_path / ".site-builds" / "2").mkdir()  # the published build is not waited for
    timer = threading.Timer(0.4, trash.rmdir)
    timer.start()
    try:
        start = time.perf_counter()
        waited = bench.wait_for_removal(out)
        assert 0.3 <= waited and not trash.exists() and time.perf_counter() - start < 5
    finally:
        timer.cancel()
    assert bench.wait_for_removal(out) < 0.05


def test_a_fresh_checkout_run_starts_with_no_site_and_no_builds_but_the_cache(tmp_path: Path):
    """The publish workflow's runner has no site of its own: the run before which the site (a link to its build)
    and the builds folder are removed, and nothing beside them (the profiles, the cache)."""
    bench = _bench()
    out, builds, cache = tmp_path / "site", tmp_path / ".site-builds", tmp_path / "kept-checks" / "lookup"
    (builds / "1" / "homes").mkdir(parents=True)
    cache.mkdir(parents=True)
    out.symlink_to(builds / "1")
    bench.fresh_checkout(out)()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept-checks"] and cache.is_dir()
    out.mkdir()  # a site folder of its own (not a link)
    bench.fresh_checkout(out)()
    assert not out.exists()


def test_a_replaced_build_is_removed_in_the_background_at_the_lowest_priority(tmp_path: Path, monkeypatch):
    """remove_later renames the old build out of the way at once and leaves its removal to `nice -n 19 rm -rf`."""
    import subprocess

    from carehomes import fsutil

    started: list[list[str]] = []

    class Fake:
        def __init__(self, cmd, **kw):
            started.append(cmd)

    monkeypatch.setattr(subprocess, "Popen", Fake)
    old = tmp_path / ".site-builds" / "1"
    old.mkdir(parents=True)
    fsutil.remove_later(old)
    assert not old.exists() and (tmp_path / ".site-builds" / ".trash-1").is_dir()
    cmd = started[0]
    assert cmd[-3:] == ["-rf", "--", str(tmp_path / ".site-builds" / ".trash-1")]
    assert cmd[0].endswith("nice") and cmd[1:3] == ["-n", "19"] and cmd[3].endswith("rm")


def test_timed_commands_write_the_bytecode_cache_as_a_stock_machine_does(monkeypatch):
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    env = _bench()._run_env()
    assert "PYTHONDONTWRITEBYTECODE" not in env and env["CAREHOMES_NO_VENV"] == "1"


MOUNTS = """/dev/vda / ext4 rw,relatime,discard 0 0
proc /proc proc rw,nosuid 0 0
/dev/loop0 /mnt/bench ext4 rw,relatime 0 0
tmpfs /dev/shm tmpfs rw 0 0
/dev/sdb1 /mnt/my\\040disk ext4 rw 0 0
"""


def test_the_file_system_of_the_runs_is_named_and_an_ext4_without_a_journal_is_warned_of():
    """On an ext4 without a journal every new file skips the inodes deleted in the last minutes, so a run after
    another's 54,000 deleted files is slower by an amount that depends on the runs before (measured: 15,000
    folders 1.0 s, then 1.7 s right after 30,000 files were deleted; 0.5 s either way on a journaled ext4)."""
    bench = _bench()
    assert bench.mount_of(Path("/mnt/bench/natq"), MOUNTS) == ("/dev/loop0", "/mnt/bench", "ext4")
    assert bench.mount_of(Path("/mnt/benchmark"), MOUNTS)[1] == "/"  # not under /mnt/bench
    assert bench.mount_of(Path("/mnt/my disk/x"), MOUNTS) == ("/dev/sdb1", "/mnt/my disk", "ext4")
    journaled = bench.filesystem_note(Path("/mnt/bench/natq"), MOUNTS, ["loop0-8"])
    assert journaled == "file system: ext4 on /dev/loop0 (mounted at /mnt/bench)"
    bare = bench.filesystem_note(Path("/tmp/natq"), MOUNTS, ["loop0-8"])
    assert bare.startswith("file system: ext4 on /dev/vda (mounted at /) WITHOUT A JOURNAL: ")
    assert "journaled file system" in bare
    assert bench.filesystem_note(Path("/dev/shm/x"), MOUNTS, []) == "file system: tmpfs on tmpfs (mounted at /dev/shm)"
    assert bench.filesystem_note(Path("/x"), "", []) == "file system: unknown"


def test_each_timed_run_after_the_first_follows_one_profile_edited_and_the_profile_is_put_back(tmp_path, monkeypatch):
    """The data and build figures against their targets are runs after one profile's name was edited (the checks
    and pages of the others kept from the run before): the benchmark edits a profile before each run and puts its bytes back;
    the first run forgets every kept check."""
    bench = _bench()
    prov = tmp_path / "providers"
    prov.mkdir()
    (prov / "b.yaml").write_bytes(b"name: B\n")
    (prov / "a.yaml").write_bytes(b"slug: a\nname: A\n")
    edit = bench.OneEdit(prov)
    edit()
    edit()
    assert (prov / "a.yaml").read_text(encoding="utf-8") == "slug: a\nname: Edited 2 A\n"
    assert (prov / "b.yaml").read_bytes() == b"name: B\n"
    edit.restore()
    assert (prov / "a.yaml").read_bytes() == b"slug: a\nname: A\n"
    monkeypatch.setattr(bench, "KEPT", [tmp_path / "kept"])
    assert bench._run_env()["CAREHOMES_CACHE"] == str(tmp_path / "kept")
    (tmp_path / "kept" / "x.sqlite").parent.mkdir()
    (tmp_path / "kept" / "x.sqlite").write_bytes(b"")
    bench.forget_checks()
    assert not (tmp_path / "kept").exists()


def test_forgetting_the_pages_keeps_this_codes_checks_and_listings_alone(tmp_path, monkeypatch):
    """The benchmark's build after a change to the pages' code: every kept store removed (with its journal) but
    this code's checks and listings, and the lookups and feeds beside them."""
    from carehomes import checkcache

    bench = _bench()
    kept = tmp_path / "kept"
    monkeypatch.setattr(bench, "KEPT", [kept])
    checks = kept / checkcache.CHECKS
    checks.mkdir(parents=True)
    mine = [f"{checkcache._checks_digest()}.sqlite", f"{checkcache._listings_digest()}.sqlite"]
    for name in (*mine, f"{checkcache._code_digest()}.sqlite", f"{checkcache._code_digest()}.sqlite-journal", "old.sqlite"):
        (checks / name).write_bytes(b"")
    (kept / checkcache.LOOKUPS).mkdir()
    bench.forget_pages()
    assert sorted(p.name for p in checks.iterdir()) == sorted(mine)
    assert (kept / checkcache.LOOKUPS).is_dir()


@pytest.mark.slow  # a data run in a process of its own
def test_a_command_run_as_of_a_day_sees_that_day(tmp_path: Path):
    """bench/as_of.py, by which the benchmark's build of the next day takes what today's runs kept."""
    import os
    import subprocess
    import sys

    env = {**os.environ, "CAREHOMES_NO_VENV": "1", "CAREHOMES_CACHE": "off"}
    env.pop("SOURCE_DATE_EPOCH", None)
    done = subprocess.run([sys.executable, str(ROOT / "bench" / "as_of.py"), "2031-02-03", "data", "--out", str(tmp_path / "out")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    package = (tmp_path / "out" / "datapackage.json").read_text(encoding="utf-8")
    assert "2031-02-03" in package and "Traceback" not in done.stderr


@pytest.mark.parametrize("argv", [[], ["tomorrow", "check"], ["2026-02-30", "check"], ["20260101", "check"]])
def test_as_of_without_a_real_day_says_how_to_use_it(argv, capsys):
    spec = importlib.util.spec_from_file_location("as_of", ROOT / "bench" / "as_of.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.main(argv) == 2
    assert capsys.readouterr().err == ("usage: python bench/as_of.py YYYY-MM-DD BUILD_PY_ARGS... (a real day, then "
                                       "build.py's arguments)\n")


def test_a_change_to_the_code_while_the_benchmark_runs_is_found(tmp_path: Path, monkeypatch):
    """bench75 was run from the working copy while the theme and schema were edited: its next day's build rendered
    every page, and nothing said so. The benchmark notes the code's files at its start and names those changed
    by its end."""
    bench = _bench()
    for d in ("carehomes", "overrides", "schema", "bench", "content"):
        (tmp_path / d).mkdir()
    (tmp_path / "build.py").write_text("", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("", encoding="utf-8")
    (tmp_path / "overrides" / "directory.js").write_text("a", encoding="utf-8")
    (tmp_path / "carehomes" / "__pycache__").mkdir()
    monkeypatch.setattr(bench, "ROOT", tmp_path)
    start = bench.code_state()
    assert set(start) == {"build.py", "mkdocs.yml", "overrides/directory.js"}
    (tmp_path / "carehomes" / "__pycache__" / "x.pyc").write_bytes(b"")  # Python's own caches are no change
    assert bench.changed_since(start) == []
    (tmp_path / "overrides" / "directory.js").write_text("ab", encoding="utf-8")
    (tmp_path / "schema" / "new.json").write_text("{}", encoding="utf-8")
    assert bench.changed_since(start) == ["overrides/directory.js", "schema/new.json"]
