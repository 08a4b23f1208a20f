"""The project's own checks: ``python3 build.py test`` runs ruff, mypy and the whole pytest suite."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED_ENV = "CAREHOMES_SHARED"
CHROMIUM = "/usr/bin/chromium"


def shared_folder() -> Path:
    """Where the real open data sets live: ``$CAREHOMES_SHARED`` or ``../shared`` beside the repository."""
    return Path(os.environ.get(SHARED_ENV) or ROOT.parent / "shared")


def _say(msg: str) -> None:
    print(f"build.py test: {msg}", file=sys.stderr, flush=True)


def ensure_chromium() -> str | None:
    """Install Debian's chromium for the browser tests when it is missing; an error message or None."""
    if shutil.which("chromium") or Path(CHROMIUM).exists():
        return None
    apt = ["apt-get", "install", "-y", "-qq", "chromium"]
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo"]
    else:
        return ("the browser tests need Debian's chromium, and this user cannot install it. "
                "Ask an administrator to run: apt-get install chromium  (or run the fast suite: python3 build.py test --fast)")
    _say("installing Debian's chromium for the browser tests (apt-get) ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], apt):
        if subprocess.run(prefix + cmd, env=env).returncode != 0:
            return f"'{' '.join(prefix + cmd)}' failed; install chromium by hand and run the tests again"
    return None


def run_tests(fast: bool = False, pytest_args: list[str] | None = None) -> int:
    """Lint (ruff), type-check (mypy), then pytest; the first failing step's exit status."""
    if not (shared_folder() / "data").is_dir():
        _say(f"the tests need the project's shared data sets in {shared_folder()}/data (see README, 'Shared data'); "
             f"put them there or set {SHARED_ENV} to their folder")
        return 2
    if not fast:
        problem = ensure_chromium()
        if problem:
            _say(problem)
            return 2
    python = sys.executable
    steps = [
        ("ruff", [python, "-m", "ruff", "check", "--quiet", "."]),
        ("mypy", [python, "-m", "mypy"]),
        ("pytest", [python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    *(["-m", "not browser and not slow"] if fast else []), *(pytest_args or [])]),
    ]
    for name, cmd in steps:
        _say(f"{name} ...")
        code = subprocess.run(cmd, cwd=ROOT).returncode
        if code != 0:
            _say(f"{name} failed (exit {code})")
            return code
    return 0
