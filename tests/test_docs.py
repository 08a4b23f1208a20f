"""Documentation is checked like code: every command and module the README names exists, and none is missing."""
from __future__ import annotations

import re

from conftest import ROOT

from carehomes.cli import parser

DOCS = ["README.md", "CONTRIBUTING.md", "SECURITY.md"]


def _commands() -> set[str]:
    sub = next(a for a in parser()._actions if a.dest == "command")
    return set(sub.choices)  # type: ignore[arg-type]


def _read(name: str) -> str:
    path = ROOT / name
    return path.read_text(encoding="utf-8") if path.exists() else ""


def test_readme_command_table_lists_exactly_the_commands():
    readme = _read("README.md")
    table = re.findall(r"^\| `([a-z][a-z-]*)[^`]*` \|", readme, flags=re.M)
    assert table, "README has no command table"
    assert set(table) == _commands(), "README's command table and `build.py --help` differ"


def test_every_command_named_in_the_docs_exists():
    commands = _commands()
    for name in DOCS:
        for cmd in re.findall(r"python3? build\.py ([a-z][a-z-]*)", _read(name)):
            assert cmd in commands, f"{name} names `build.py {cmd}`, which is not a command"


def test_docs_name_only_files_that_exist():
    for name in DOCS:
        for path in re.findall(r"`((?:\.github|\.ci|schema|content|overrides|providers|tests|bench)/[\w./-]+)`", _read(name)):
            if "<" in path or "*" in path:
                continue
            assert (ROOT / path).exists(), f"{name} names {path}, which does not exist"
