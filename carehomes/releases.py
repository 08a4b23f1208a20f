"""Data releases: snapshots kept in ``releases/<date>/``, the changelog between them, an Atom feed.

A steward runs ``python3 build.py release`` to snapshot the data as published; every build compares
the current data with the latest snapshot, so a changed profile shows up as a changelog entry and
a feed item, and every snapshot stays downloadable from the site.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .outputs.tables import read_homes
from .records import get_path
from .schema import Schema, load_schema
from .text import restore

SNAPSHOT_FILES = ("care-homes.csv", "capabilities.csv", "datapackage.json")


@dataclass
class Change:
    kind: str  # added, removed, deregistered, rating, beds
    location_id: str
    name: str
    before: str | None = None
    after: str | None = None

    def sentence(self) -> str:
        if self.kind == "added":
            return f"{self.name} was added."
        if self.kind == "removed":
            return f"{self.name} was removed from the directory."
        if self.kind == "deregistered":
            return f"{self.name}: CQC registration status changed from {self.before or 'unknown'} to {self.after}."
        if self.kind == "rating":
            return f"{self.name}: CQC rating changed from {self.before or 'none'} to {self.after or 'none'}."
        return f"{self.name}: registered beds changed from {self.before or 'unknown'} to {self.after or 'unknown'}."


@dataclass
class Entry:
    date: dt.date
    title: str
    changes: list[Change] = field(default_factory=list)
    unreleased: bool = False

    @property
    def id(self) -> str:
        digest = hashlib.sha256("\n".join(c.sentence() for c in self.changes).encode()).hexdigest()[:16]
        return f"{self.date.isoformat()}-{digest}"


def rows(csv_text: str) -> dict[str, dict[str, str]]:
    """care-homes.csv text -> location ID -> row (formula-neutralised text restored)."""
    return {r["location_id"]: {k: restore(v) for k, v in r.items()} for r in csv.DictReader(io.StringIO(csv_text))}


def _value(record: dict, keys: tuple[str, ...]) -> str | None:
    """A compared fact as text; empty and missing are both None (unknown)."""
    value = get_path(record, keys)
    return None if value is None or value == "" else str(value)


def diff(old: dict[str, dict], new: dict[str, dict]) -> list[Change]:
    """What changed between two sets of records (location ID -> record), in a stable order."""
    out: list[Change] = []
    for lid in sorted(set(new) - set(old)):
        out.append(Change("added", lid, new[lid]["name"]))
    for lid in sorted(set(old) - set(new)):
        out.append(Change("removed", lid, old[lid]["name"]))
    for lid in sorted(set(old) & set(new)):
        a, b = old[lid], new[lid]
        for kind, keys in (("deregistered", ("cqc", "status")), ("rating", ("cqc", "rating")), ("beds", ("beds", "registered"))):
            before, after = _value(a, keys), _value(b, keys)
            if before != after and (kind != "deregistered" or after not in (None, "Registered")):
                out.append(Change(kind, lid, b["name"], before, after))
    return out


def release_records(folder: Path, schema: Schema | None = None) -> dict[str, dict]:
    """A release snapshot's homes as records (location ID -> record), read leniently: a release made
    with an older schema may have other columns."""
    return read_homes((folder / "care-homes.csv").read_text(encoding="utf-8"), schema or load_schema(), strict=False)


def current_records(datas: list[dict]) -> dict[str, dict]:
    """Location ID -> record for the profiles being published."""
    return {str(d.get("location_id")): d for d in datas}


def list_releases(folder: Path) -> list[tuple[dt.date, Path]]:
    out = []
    if folder.is_dir():
        for d in folder.iterdir():
            if d.is_dir() and re.fullmatch(r"\d{4}-\d{2}-\d{2}", d.name) and (d / "care-homes.csv").exists():
                out.append((dt.date.fromisoformat(d.name), d))
    return sorted(out)


def snapshot(files: dict[str, bytes], folder: Path, date: dt.date, force: bool = False) -> Path:
    target = folder / date.isoformat()
    if target.exists() and not force:
        raise FileExistsError(f"{target} exists; a release is made once a day (use --force to replace it)")
    target.mkdir(parents=True, exist_ok=True)
    for name in SNAPSHOT_FILES:
        (target / name).write_bytes(files[name])
    return target


def changelog(releases: list[tuple[dt.date, Path]], current: dict[str, dict], today: dt.date,
              schema: Schema | None = None) -> list[Entry]:
    """Newest first: the unreleased changes (if any), then each release against the one before.

    ``current`` is location ID -> record for the homes being published (see ``current_records``).
    """
    schema = schema or load_schema()
    entries = []
    previous: dict[str, dict] | None = None
    for date, path in releases:
        now = release_records(path, schema)
        if previous is None:
            entries.append(Entry(date, f"First release: {len(now):,} homes"))
        else:
            entries.append(Entry(date, f"Release of {date.isoformat()}", diff(previous, now)))
        previous = now
    if previous is not None:
        changes = diff(previous, current)
        if changes:
            entries.append(Entry(today, f"Changes since the release of {releases[-1][0].isoformat()}", changes, unreleased=True))
    return list(reversed(entries))


def copy_releases(releases: list[tuple[dt.date, Path]], out_dir: Path) -> None:
    """Every snapshot into ``out_dir/<date>/``, so each stays downloadable from the site."""
    for date, folder in releases:
        shutil.copytree(folder, out_dir / date.isoformat())

