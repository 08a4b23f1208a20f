"""Federation: combine several councils' published packages into one regional package.

Homes are matched by CQC location ID. When two packages hold the same home, the package listed
first wins and every field that differs is reported, so conflicts are never settled silently.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .load import Profile
from .outputs.tables import read_tables
from .records import get_path, typed_dates
from .schema import Schema, load_schema
from .validate import check_profile
from .yamlio import dump_profile


class MergeError(Exception):
    pass


@dataclass
class MergeReport:
    sources: list[tuple[str, int]] = field(default_factory=list)
    duplicates: int = 0
    conflicts: list[str] = field(default_factory=list)
    renamed: list[str] = field(default_factory=list)

    def text(self, total: int) -> str:
        lines = [f"Merged {total:,} homes from {len(self.sources)} packages:"]
        lines += [f"  {path}: {n:,} homes" for path, n in self.sources]
        n = len(self.conflicts)
        lines.append(f"  {self.duplicates} homes were in more than one package; {n} field{'s' * (n != 1)} differed")
        lines += [f"  conflict: {c}" for c in self.conflicts]
        lines += [f"  page name changed: {r}" for r in self.renamed]
        return "\n".join(lines)


def read_package(path: Path, schema: Schema) -> list[dict]:
    """A published package's homes as profiles; refuses a package whose columns differ from ours."""
    try:
        pkg = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise MergeError(f"{path}: cannot be read as a data package ({exc})") from None
    res = {r.get("name"): r for r in pkg.get("resources", []) if isinstance(r, dict)}
    for name, fields in (("care-homes", schema.home_fields), ("capabilities", schema.capability_fields)):
        if name not in res:
            raise MergeError(f"{path}: has no '{name}' resource; is it a care homes directory package?")
        theirs = [f.get("name") for f in res[name].get("schema", {}).get("fields", [])]
        ours = [f.name for f in fields]
        if theirs != ours:
            missing, extra = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
            raise MergeError(f"{path}: {name} columns differ from this schema (missing: {', '.join(missing) or 'none'}; "
                             f"extra: {', '.join(extra) or 'none'}); rebuild it with the same schema version")
    folder = path.parent
    try:
        homes = (folder / res["care-homes"]["path"]).read_text(encoding="utf-8")
        caps = (folder / res["capabilities"]["path"]).read_text(encoding="utf-8")
    except OSError as exc:
        raise MergeError(f"{path}: a data file is missing ({exc.filename})") from None
    return read_tables(homes, caps, schema)


def merge(paths: list[Path], schema: Schema | None = None) -> tuple[list[dict], MergeReport]:
    schema = schema or load_schema()
    report = MergeReport()
    kept: dict[str, tuple[dict, str]] = {}
    for path in paths:
        homes = read_package(path, schema)
        report.sources.append((str(path), len(homes)))
        for h in homes:
            lid = h["location_id"]
            if lid not in kept:
                kept[lid] = (h, str(path))
                continue
            report.duplicates += 1
            first, first_path = kept[lid]
            for p in schema.by_path:
                a, b = get_path(first, p.split(".")), get_path(h, p.split("."))
                if a != b and p != "slug":
                    report.conflicts.append(f"{lid} ({first['name']}): {p} is {a!r} in {first_path} but {b!r} in {path}; kept {a!r}")
    homes = [h for h, _ in kept.values()]
    used: set[str] = set()
    for h in sorted(homes, key=lambda h: h["location_id"]):
        slug = h["slug"]
        if slug in used:
            new = f"{slug}-{h['location_id'].lower().replace('-', '')}"
            report.renamed.append(f"{h['location_id']}: {slug} -> {new} (the name was taken)")
            h["slug"] = new
        used.add(h["slug"])
    return sorted(homes, key=lambda h: h["location_id"]), report


def write_profiles(homes: list[dict], folder: Path, schema: Schema | None = None) -> list[Profile]:
    """Write merged homes as profiles (so a site can be built from them); they must all pass check."""
    schema = schema or load_schema()
    folder.mkdir(parents=True, exist_ok=True)
    profiles, problems = [], []
    for h in homes:
        typed = typed_dates(h, schema)
        path = folder / f"{h['slug']}.yaml"
        path.write_text(dump_profile(typed, f"{h['name']}\nMerged from published data packages."), encoding="utf-8")
        profile = Profile(str(path), typed)
        problems += check_profile(profile)
        profiles.append(profile)
    if problems:
        raise MergeError("the merged homes do not pass the checks:\n" + "\n".join(str(p) for p in problems[:20]))
    return profiles
