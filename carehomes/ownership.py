"""Who may change what, judged against a base git revision.

Providers may change only the profiles that list them as maintainers (in the base revision,
so nobody can add themselves), and only the fields their home owns. Council stewards, listed in
``stewards.yaml`` at the base revision, may change anything.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any


from .load import parse_profile, yaml_mapping
from .records import get_path
from .schema import Schema, load_schema

STEWARDS_FILE = "stewards.yaml"
PROFILE = re.compile(r"providers/[^_./][^/]*\.ya?ml")
OWNER_WORDS = {"cqc": "CQC (set only by the register import)", "council": "the council"}


class GitError(Exception):
    pass


@dataclass(frozen=True)
class Change:
    status: str  # A, M or D
    path: str


def _git(root: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if proc.returncode != 0:
        raise GitError(proc.stderr.strip() or f"git {' '.join(args)} failed")
    return proc.stdout


def changes(root: Path, base: str) -> list[Change]:
    """Files that differ between ``base`` and the working tree, untracked files included."""
    out = [Change(line[0], line.split("\t", 1)[1]) for line in _git(root, "diff", "--name-status", "--no-renames", base).splitlines() if line]
    out += [Change("A", p) for p in _git(root, "ls-files", "--others", "--exclude-standard").splitlines() if p]
    return sorted(set(out), key=lambda c: c.path)


def _at(root: Path, base: str, path: str) -> str | None:
    try:
        return _git(root, "show", f"{base}:{path}")
    except GitError:
        return None


def stewards(root: Path, base: str) -> set[str]:
    text = _at(root, base, STEWARDS_FILE)
    data = yaml_mapping(text, STEWARDS_FILE) if text else None
    names = (data or {}).get("stewards") or []
    return {str(n).lower() for n in names}


def check_ownership(root: Path, author: str, base: str, schema: Schema | None = None) -> list[str]:
    """Every reason the author may not make the changes between ``base`` and the working tree."""
    schema = schema or load_schema()
    _git(root, "rev-parse", "--verify", f"{base}^{{commit}}")
    who = author.lower()
    if who in stewards(root, base):
        return []
    problems = []
    for c in changes(root, base):
        if not PROFILE.fullmatch(c.path):
            problems.append(f"{c.path}: only council stewards may change this file; a provider changes only their own profile")
        elif c.status == "A":
            problems.append(f"{c.path}: only council stewards may add a profile; ask the council to add your home")
        elif c.status == "D":
            problems.append(f"{c.path}: only council stewards may remove a profile; ask the council if your home has closed")
        else:
            problems.extend(_profile_change(root, base, c.path, author, schema))
    return problems


def _profile_change(root: Path, base: str, path: str, author: str, schema: Schema) -> list[str]:
    old_text = _at(root, base, path) or ""
    old = (yaml_mapping(old_text, path) if old_text else None) or {}
    maintainers = [str(m) for m in old.get("maintainers") or []]
    if author.lower() not in {m.lower() for m in maintainers}:
        listed = ", ".join(maintainers) if maintainers else "nobody yet"
        return [f"{path}: {author} is not a maintainer of this profile (maintainers: {listed}); "
                "ask the council to add you, or report the change with 'Report incorrect details'"]
    new_profile, _ = parse_profile((root / path).read_text(encoding="utf-8"), path)
    if new_profile is None:
        return []  # 'check' reports the broken YAML with its line
    out = []
    for dotted, f in schema.by_path.items():
        if f.owner == "provider":
            continue
        before, after = _value(old, dotted), _value(new_profile.data, dotted)
        if before != after:
            out.append(f"{path}:{new_profile.line(dotted)}: {dotted}: only {OWNER_WORDS[f.owner]} may change this field; "
                       f"put it back to {_show(before)}")
    return out


def _value(data: dict, dotted: str) -> Any:
    value = get_path(data, dotted.split("."))
    return value.isoformat() if hasattr(value, "isoformat") else value


def _show(value: Any) -> str:
    return "nothing (remove the line)" if value is None else repr(value)
