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


from .load import MAX_BYTES, errors, load_profile, parse_bytes
from .records import get_path
from .schema import Schema, load_schema

STEWARDS_FILE = "stewards.yaml"
PROFILE = re.compile(r"providers/[^_./][^/]*\.yaml")  # the loader's rule: *.yaml exactly
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


def _blob(root: Path, base: str, path: str) -> bytes | None:
    """A file's bytes at ``base`` through the loader's size rule (at most MAX_BYTES + 1 bytes are kept)."""
    try:
        size = int(_git(root, "cat-file", "-s", f"{base}:{path}").strip())
    except (GitError, ValueError):
        return None
    if size > MAX_BYTES:
        return b"\0" * (MAX_BYTES + 1)  # the loader refuses it by its size, as it would the file
    proc = subprocess.run(["git", "cat-file", "blob", f"{base}:{path}"], cwd=root, capture_output=True)
    return proc.stdout if proc.returncode == 0 else None


def _mapping_at(root: Path, base: str, path: str) -> dict | None:
    """A YAML file at ``base`` read by the one loader (same encoding, size and syntax rules); None if refused."""
    raw = _blob(root, base, path)
    profile, _ = parse_bytes(raw, path) if raw is not None else (None, [])
    return profile.data if profile is not None and isinstance(profile.data, dict) else None


def stewards(root: Path, base: str) -> set[str]:
    data = _mapping_at(root, base, STEWARDS_FILE)
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
    old = _mapping_at(root, base, path) or {}
    maintainers = [str(m) for m in old.get("maintainers") or []]
    if not is_maintainer(author, old):
        listed = ", ".join(maintainers) if maintainers else "nobody yet"
        return [f"{path}: {author} is not a maintainer of this profile (maintainers: {listed}); "
                "ask the council to add you, or report the change with 'Report incorrect details'"]
    new_profile, found = load_profile(root / path, base=root, folder=root / "providers")
    if new_profile is None:  # what cannot be read cannot be judged: refuse it, with check's message
        return [f"{p}; the change cannot be judged until then" for p in errors(found)]
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


def is_maintainer(author: str, data: dict) -> bool:
    """Whether ``author`` is listed in a profile's ``maintainers`` (usernames compared without case)."""
    return author.lower() in {str(m).lower() for m in data.get("maintainers") or []}
