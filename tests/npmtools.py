"""The npm-installed validators the tests use (tools/validators, installed by ``python3 build.py test``)."""
from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NODE_MODULES = ROOT / "tools" / "validators" / "node_modules"
SCHEMA_DTS = NODE_MODULES / "schema-dts" / "dist" / "schema.d.ts"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def need(path: Path) -> Path:
    """``path``, or fail the test saying how to install it."""
    if not path.exists():
        pytest.fail(f"{path} is missing: run python3 build.py test (it installs tools/validators with npm ci), "
                    "or: npm ci --ignore-scripts --prefix tools/validators")
    return path


class Vocabulary:
    """The schema.org vocabulary as schema-dts (Google's typings generated from schema.org's own
    vocabulary file) states it: which types exist, their subtypes, and the properties of each type."""

    def __init__(self, text: str):
        self.subtypes: dict[str, set[str]] = {}
        for name, union in re.findall(r"^export type (\w+) = (\w+Leaf\b[^;]*);", text, re.M):
            self.subtypes[name] = {t.strip() for t in union.split("|")} - {f"{name}Leaf", "string"}
        self.extends: dict[str, list[str]] = {}
        self.props: dict[str, set[str]] = {}
        for name, parents, body in re.findall(r"^(?:export )?interface (\w+) extends ([\w, <>]+?) \{\n(.*?)^\}", text, re.M | re.S):
            self.extends[name] = [p.strip() for p in parents.split(",") if p.strip().endswith(("Base", "Leaf"))]
            self.props[name] = set(re.findall(r'^    "(\w+)"\?:', body, re.M))

    def exists(self, type_name: str) -> bool:
        return type_name in self.subtypes

    def is_a(self, type_name: str, ancestor: str) -> bool:
        """Whether ``type_name`` is ``ancestor`` or one of its subtypes, at any depth."""
        return type_name == ancestor or any(self.is_a(type_name, s) for s in self.subtypes.get(ancestor, ()))

    def properties(self, type_name: str) -> set[str]:
        """Every property a ``type_name`` may carry, its own and inherited."""
        seen: set[str] = set()
        todo, out = [f"{type_name}Leaf"], set()
        while todo:
            iface = todo.pop()
            if iface not in seen:
                seen.add(iface)
                out |= self.props.get(iface, set())
                todo.extend(self.extends.get(iface, []))
        return out


@cache
def vocabulary() -> Vocabulary:
    return Vocabulary(need(SCHEMA_DTS).read_text(encoding="utf-8"))
