"""The data package in ``schema/``: the one list of fields everything else derives from."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_PATH = ROOT / "schema" / "datapackage.json"
OWNERS = {
    "cqc": "CQC register (changed only by import)",
    "provider": "The home (changed by pull request)",
    "council": "The council",
    "fsa": "Food Standards Agency food hygiene data (changed only by import)",
}


@dataclass(frozen=True)
class Field:
    """One published column and where it lives in a profile."""

    name: str
    path: str
    type: str
    owner: str
    title: str
    description: str
    example: Any
    constraints: dict = field(default_factory=dict)
    format: str | None = None
    item_pattern: str | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(self.path.split("."))

    @property
    def required(self) -> bool:
        return bool(self.constraints.get("required"))


@dataclass(frozen=True)
class Capability:
    code: str
    label: str


class Schema:
    """Read access to the data package, with lookups derived from it."""

    def __init__(self, package: dict):
        self.package = package
        res = {r["name"]: r for r in package["resources"]}
        self.home_fields = [_field(f) for f in res["care-homes"]["schema"]["fields"]]
        self.capability_fields = [_field(f) for f in res["capabilities"]["schema"]["fields"]]
        cap = next(f for f in res["capabilities"]["schema"]["fields"] if f["name"] == "capability")
        labels = {c["value"]: c["label"] for c in cap.get("categories", [])}
        self.capabilities = [Capability(c, labels.get(c, c)) for c in cap["constraints"]["enum"]]
        self.by_path: dict[str, Field] = {f.path: f for f in self.home_fields}
        for cap_code in self.capability_codes:
            for f in self.capability_fields:
                if f.name in ("location_id", "capability"):
                    continue
                path = f.path.replace("{capability}", cap_code)
                self.by_path[path] = Field(f.name, path, f.type, f.owner, f.title, f.description,
                                           f.example, f.constraints, f.format, f.item_pattern)
        self.tree = _tree(self.by_path)
        self.required_fields = [f for f in self.home_fields if f.required]

    @property
    def capability_codes(self) -> list[str]:
        return [c.code for c in self.capabilities]

    def children(self, prefix: tuple[str, ...]) -> dict | None:
        """The allowed keys under a mapping in a profile, or None if it is a leaf."""
        node: Any = self.tree
        for key in prefix:
            if not isinstance(node, dict) or key not in node:
                return None
            node = node[key]
        return node if isinstance(node, dict) else None

    def leaf_paths_named(self, key: str) -> list[str]:
        """Every field path whose last key is ``key`` (for 'did you mean' hints)."""
        return sorted(p for p in self.by_path if p.rsplit(".", 1)[-1] == key)

    def group_paths(self) -> list[str]:
        """Dotted paths of every mapping (group) in a profile, outermost first."""
        out: list[str] = []

        def walk(node: dict, prefix: str) -> None:
            for k, v in node.items():
                if isinstance(v, dict):
                    out.append(prefix + k)
                    walk(v, prefix + k + ".")

        walk(self.tree, "")
        return out


def _field(d: dict) -> Field:
    return Field(d["name"], d["profilePath"], d["type"], d["owner"], d.get("title", d["name"]),
                 d.get("description", ""), d.get("example"), d.get("constraints", {}), d.get("format"), d.get("itemPattern"))


def _tree(by_path: dict[str, Field]) -> dict:
    tree: dict = {}
    for path, f in by_path.items():
        node = tree
        *parents, last = path.split(".")
        for key in parents:
            node = node.setdefault(key, {})
        node[last] = f
    return tree


@lru_cache(maxsize=4)
def load_schema(path: Path = SCHEMA_PATH) -> Schema:
    """Load and cache the schema from ``schema/datapackage.json``."""
    with open(path, encoding="utf-8") as fh:
        return Schema(json.load(fh))
