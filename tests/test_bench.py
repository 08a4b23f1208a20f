"""bench/national.py's own logic (the benchmark itself is run by hand: docs/performance.md)."""
from __future__ import annotations

import importlib.util
import threading
import time
from pathlib import Path

from carehomes.schema import ROOT


def _bench():
    spec = importlib.util.spec_from_file_location("national_bench", ROOT / "bench" / "national.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
