"""The project's own checks: ``python3 build.py test`` runs ruff, mypy, actionlint, zizmor, eslint, node --test and the whole pytest suite."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .schema import SHARED_ENV, shared_folder  # noqa: F401  (the tests' and the CLI's, named here as before)

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
# The browser tests' Chromium: Debian's headless build of the same version (the old headless mode, Playwright's own
# default for headless runs), a third less CPU a test than the whole browser run headless (the browser tests took
# 49 s instead of 74 s); the tests use the whole browser when only it can be had (tests/conftest.py CHROMIUM).
HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"


def _say(msg: str) -> None:
    print(f"build.py test: {msg}", file=sys.stderr, flush=True)


VALIDATORS = ROOT / "tools" / "validators"  # npm: the Nu Html Checker (vnu-jar), schema-dts and actionlint, pinned by package-lock.json
ACTIONLINT = VALIDATORS / "node_modules" / "@tktco" / "node-actionlint" / "bin" / "node-actionlint.js"
ESLINT = VALIDATORS / "node_modules" / "eslint" / "bin" / "eslint.js"  # the site's scripts, with tools/validators/eslint.config.mjs
# zizmor as a council's security reviewer runs it: the auditor persona also reports what the default one leaves out,
# such as a secret read by a job that names no environment (secrets-outside-env; docs/deployment.md, "Environments")
ZIZMOR_ARGS = ["--offline", "--persona", "auditor", "--quiet", "--no-progress", ".github/workflows"]


def _apt_install(packages: list[str], why: str, ask: bool = True) -> str | None:
    """Install Debian packages (as root or through sudo; ``ask=False``: only if sudo needs no password); an error
    message or None."""
    apt = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *packages]
    if not shutil.which("apt-get"):  # not Debian or Ubuntu
        return (f"{why} need Debian's {' and '.join(packages)}, and this system has no apt-get; "
                f"install {' and '.join(packages)} with its own package manager")
    if os.geteuid() == 0:
        prefix: list[str] = []
    elif shutil.which("sudo"):
        prefix = ["sudo"] if ask else ["sudo", "-n"]
    else:
        return (f"{why} need Debian's {' and '.join(packages)}, and this user cannot install them. "
                f"Ask an administrator to run: apt-get install {' '.join(packages)}")
    _say(f"installing Debian's {' '.join(packages)} for {why} (apt-get) ...")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in (["apt-get", "update", "-qq"], apt):
        if subprocess.run(prefix + cmd, env=env).returncode != 0:
            return f"'{' '.join(prefix + cmd)}' failed; install {' '.join(packages)} by hand and run the tests again"
    return None


def ensure_chromium() -> str | None:
    """Install Debian's chromium when missing (an error message if that fails, else None), then its headless build
    (chromium-headless-shell, which the browser tests prefer) if it can be had: without it the tests run in the
    whole browser, and this says so."""
    if not Path(CHROMIUM).exists():
        problem = _apt_install(["chromium"], "the browser tests")
        if problem:
            return problem + "  (or run the fast suite: python3 build.py test --fast)"
    if not Path(HEADLESS_SHELL).exists():
        problem = _apt_install(["chromium-headless-shell"], "quicker browser tests", ask=False)
        if problem:
            _say(f"{problem}; the browser tests run in {CHROMIUM} instead (slower)")
    return None


def ensure_validators() -> str | None:
    """Java (Debian's default-jre-headless) and npm for the validators the tests run, then the pinned npm
    packages in tools/validators (``npm ci``, again only when package-lock.json changed); an error or None."""
    missing = [pkg for tool, pkg in (("java", "default-jre-headless"), ("npm", "npm")) if not shutil.which(tool)]
    if missing:
        problem = _apt_install(missing, "the HTML and schema.org validator tests")
        if problem:
            return problem
    lock = (VALIDATORS / "package-lock.json").read_bytes()
    stamp = VALIDATORS / "node_modules" / ".installed-lock"
    if stamp.exists() and stamp.read_bytes() == lock:
        return None
    _say("installing the validators in tools/validators (npm ci) ...")
    # --ignore-scripts: vnu-jar's install script would download a Java runtime; Debian's is used instead.
    done = subprocess.run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefix", str(VALIDATORS)])
    if done.returncode != 0:
        return "'npm ci' in tools/validators failed; see npm's message above, then run the tests again"
    stamp.write_bytes(lock)
    return None


# pytest in three worker processes (pytest-xdist) on CI's two cores: a third of the suite's time is waiting (on
# Chromium, on servers and git in subprocesses), so a third worker keeps both cores busy: the whole suite 265 s against
# 306 s with two (four: 279 s). Whole-site builds take 1-2 s, so each worker building the sites its tests need costs
# less than the time it saves. `--dist loadgroup` keeps each engine's browser tests (conftest: xdist_group
# "browser-mkdocs", "browser-zensical") on one worker, one Chromium each, while the third runs the rest;
# `build.py test -- -n 0` runs everything in this one process. The fast set, with no browser tests, keeps the cores
# busy with two and a third only adds its start (31-32 s against 33 s).
PYTEST_WORKERS = 3
FAST_WORKERS = 2


def _workers(fast: bool = False) -> list[str]:
    """pytest's options for PYTEST_WORKERS worker processes (FAST_WORKERS for the fast set); none (with a note)
    when pytest-xdist is missing."""
    import importlib.util

    if importlib.util.find_spec("xdist") is None:
        _say("pytest-xdist is missing, so pytest runs in one process (slower); "
             f"install requirements.txt into this Python ({sys.executable} -m pip install -r requirements.txt)")
        return []
    return ["-n", str(FAST_WORKERS if fast else PYTEST_WORKERS), "--dist", "loadgroup"]


def run_tests(fast: bool = False, pytest_args: list[str] | None = None) -> int:
    """Lint (ruff), type-check (mypy), lint and audit the workflows (actionlint, zizmor offline as an auditor), lint and unit-test
    the site's scripts (eslint, node --test), then pytest;
    the first failing step's exit status."""
    if not (shared_folder() / "data").is_dir():
        _say(f"the tests need the project's shared data sets in {shared_folder()}/data (see README, 'Shared data'); "
             f"put them there or set {SHARED_ENV} to their folder")
        return 2
    for ensure in (ensure_validators, *([] if fast else [ensure_chromium])):
        problem = ensure()
        if problem:
            _say(problem)
            return 2
    python = sys.executable
    zizmor = Path(python).parent / "zizmor"
    if not zizmor.exists():
        _say(f"zizmor is missing from {zizmor.parent}; install requirements.txt into this Python "
             f"({python} -m pip install -r requirements.txt), or run python3 build.py test without CAREHOMES_NO_VENV=1")
        return 2
    steps = [
        ("ruff", [python, "-m", "ruff", "check", "--quiet", "."]),
        ("mypy", [python, "-m", "mypy"]),
        ("actionlint", ["node", str(ACTIONLINT), ".github/workflows/*.yml"]),
        ("zizmor", [str(zizmor), *ZIZMOR_ARGS]),
        ("eslint", ["node", str(ESLINT), "--config", str(VALIDATORS / "eslint.config.mjs"), "overrides/assets/*.js", "tests/js/*.test.mjs"]),
        ("node --test", ["node", "--test", "tests/js/"]),  # the scripts' unit tests (Node's own runner)
        ("pytest", [python, "-m", "pytest", "-q", "-p", "no:cacheprovider", *_workers(fast),
                    *(["-m", "not browser and not slow"] if fast else []), *(pytest_args or [])]),
    ]
    for name, cmd in steps:
        _say(f"{name} ...")
        code = subprocess.run(cmd, cwd=ROOT).returncode
        if code != 0:
            _say(f"{name} failed (exit {code})")
            return code
    return 0
