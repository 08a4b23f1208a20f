#!/usr/bin/env python3
"""The one entry point: ``python3 build.py --help``.

Run with the system ``python3``: the first run makes a project virtual environment in ``.venv/``
and installs ``requirements.txt`` into it (never into the system Python, which PEP 668 forbids),
then every run continues inside it. Only the standard library is used before that point.
"""
from __future__ import annotations

import os
import signal
import sys


def _interrupted_early(signum: int, frame: object) -> None:
    """Ctrl+C while Python is still loading the program: nothing to undo yet, so stop quietly with
    the shell's status for it (130). carehomes.cli.main installs Python's own handler once it runs."""
    os.write(2, b"Interrupted.\n")
    os._exit(130)


signal.signal(signal.SIGINT, _interrupted_early)

import hashlib  # noqa: E402  (after the handler: importing takes a second on a slow machine; tests/test_fuzz_commands.py
# knows the handler is set once hashlib's module is loaded, so keep it the first import after it)
import subprocess  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / ".requirements.sha256"
NO_VENV = "CAREHOMES_NO_VENV"  # set to 1 to run in the current Python as it is (it must have the packages)


def _venv_python() -> Path:
    return VENV / "bin" / "python"


def _in_project_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def _fail(message: str) -> None:
    print(f"build.py: {message}", file=sys.stderr)
    sys.exit(2)


def _ensure_venv() -> None:
    """Create .venv and install the requirements when they changed; quiet when nothing to do."""
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if _venv_python().exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return
    if not _venv_python().exists():
        print("build.py: first run: making a virtual environment in .venv/ ...", file=sys.stderr)
        made = subprocess.run([sys.executable, "-m", "venv", str(VENV)], capture_output=True, text=True)
        if made.returncode != 0 or not _venv_python().exists():
            _fail("could not make a virtual environment: Python's venv module is missing. "
                  "On Debian or Ubuntu run: sudo apt-get install python3-venv  (then run this command again)\n"
                  + made.stderr.strip())
    print("build.py: installing the Python packages in requirements.txt into .venv/ ...", file=sys.stderr)
    pip = subprocess.run([str(_venv_python()), "-m", "pip", "install", "-q", "--disable-pip-version-check",
                          "-r", str(REQUIREMENTS)])
    if pip.returncode != 0:
        _fail("installing the packages in requirements.txt failed (see pip's message above); "
              "check the network connection to PyPI and run this command again")
    STAMP.write_text(wanted + "\n")


def main() -> int:
    try:
        os.getcwd()
    except OSError:  # the shell's folder was deleted or moved away (every relative path would fail)
        _fail("the current folder no longer exists (deleted or moved); cd into the project folder again and rerun")
    if not _in_project_venv() and os.environ.get(NO_VENV) != "1":
        _ensure_venv()
        python = str(_venv_python())
        sys.stdout.flush()
        sys.stderr.flush()
        os.execv(python, [python, str(Path(__file__).resolve()), *sys.argv[1:]])
    try:
        from carehomes.cli import main as cli_main
    except ValueError as exc:  # schema/datapackage.json unreadable (carehomes.schema.SchemaError), read on import
        if type(exc).__name__ != "SchemaError":
            raise
        print(exc, file=sys.stderr)  # it names the file, the entry and what to do
        return 1
    try:
        code = cli_main()
    except KeyboardInterrupt:  # a second Ctrl+C or SIGTERM while the command was saying it had stopped: it has
        from carehomes.cli import stopped_status  # stopped, its handlers are put back; no traceback

        return stopped_status()
    import multiprocessing

    if code != 0 or multiprocessing.active_children():
        return code  # a failed or interrupted command ends as Python ends: its workers stopped, its leftovers removed
    # the command succeeded and has said everything: end here, without Python freeing every object the command kept
    # (a national build's profiles and pieces, a few tenths of a second) nor tearing down its modules one by one
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a reader gone away: end as Python does, which says so
        return code
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
