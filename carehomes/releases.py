"""Data releases: snapshots kept in ``releases/<date>/``, the changelog between them, an Atom feed.

A steward runs ``python build.py release`` to snapshot the data as published; every build compares
the current data with the latest snapshot, so a changed profile shows up as a changelog entry and
a feed item, and every snapshot stays downloadable from the site.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import html
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape as xml_escape

from .publish import restore

SNAPSHOT_FILES = ("care-homes.csv", "capabilities.csv", "datapackage.json")


@dataclass
class Change:
    kind: str  # added, removed, deregistered, rating, beds
    location_id: str
    name: str
    before: str | None = None
    after: str | None = None
    published: str | None = None  # for a rating: the date CQC published the new one

    def sentence(self) -> str:
        if self.kind == "added":
            return f"{self.name} was added."
        if self.kind == "removed":
            return f"{self.name} was removed from the directory."
        if self.kind == "deregistered":
            return f"{self.name}: CQC registration status changed from {self.before or 'unknown'} to {self.after}."
        if self.kind == "rating":
            when = f" (published {self.published})" if self.published else ""
            return f"{self.name}: CQC rating changed from {self.before or 'none'} to {self.after or 'none'}{when}."
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


def diff(old: dict[str, dict], new: dict[str, dict]) -> list[Change]:
    """What changed between two releases, in a stable order."""
    out: list[Change] = []
    for lid in sorted(set(new) - set(old)):
        out.append(Change("added", lid, new[lid]["name"]))
    for lid in sorted(set(old) - set(new)):
        out.append(Change("removed", lid, old[lid]["name"]))
    for lid in sorted(set(old) & set(new)):
        a, b = old[lid], new[lid]
        if a.get("cqc_status") != b.get("cqc_status") and b.get("cqc_status") not in ("", "Registered"):
            out.append(Change("deregistered", lid, b["name"], a.get("cqc_status"), b.get("cqc_status")))
        if a.get("cqc_rating") != b.get("cqc_rating"):
            out.append(Change("rating", lid, b["name"], a.get("cqc_rating") or None, b.get("cqc_rating") or None,
                              b.get("cqc_rating_date") or None))
        if a.get("beds_registered") != b.get("beds_registered"):
            out.append(Change("beds", lid, b["name"], a.get("beds_registered") or None, b.get("beds_registered") or None))
    return out


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


def changelog(releases: list[tuple[dt.date, Path]], current_csv: str, today: dt.date) -> list[Entry]:
    """Newest first: the unreleased changes (if any), then each release against the one before."""
    entries = []
    previous: dict[str, dict] | None = None
    for date, path in releases:
        now = rows((path / "care-homes.csv").read_text(encoding="utf-8"))
        if previous is None:
            entries.append(Entry(date, f"First release: {len(now):,} homes"))
        else:
            entries.append(Entry(date, f"Release of {date.isoformat()}", diff(previous, now)))
        previous = now
    current = rows(current_csv)
    if previous is not None:
        changes = diff(previous, current)
        if changes:
            entries.append(Entry(today, f"Changes since the release of {releases[-1][0].isoformat()}", changes, unreleased=True))
    return list(reversed(entries))


def changelog_html(entries: list[Entry]) -> str:
    if not entries:
        return "<p>No releases yet.</p>"
    out = []
    for e in entries:
        out.append(f'<h3 id="release-{e.date.isoformat()}">{html.escape(e.title)}</h3>')
        if e.unreleased:
            out.append(f"<p>Published in this build ({e.date.isoformat()}); not yet snapshotted as a release.</p>")
        if e.changes:
            shown = e.changes[:200]
            out.append("<ul>" + "".join(f"<li>{html.escape(c.sentence())}</li>" for c in shown) + "</ul>")
            if len(e.changes) > len(shown):
                out.append(f"<p>And {len(e.changes) - len(shown):,} more changes: compare the release files.</p>")
        elif not e.title.startswith("First release"):
            out.append("<p>No changes to homes, ratings, registration or beds.</p>")
    return "\n".join(out)


def atom(entries: list[Entry], site_url: str, title: str, updated: dt.date) -> str:
    """An Atom feed with one item per changelog entry."""
    base = site_url.rstrip("/") + "/"
    items = []
    for e in entries:
        body = "\n".join(c.sentence() for c in e.changes) or e.title
        items.append(
            "<entry>"
            f"<id>{xml_escape(base)}open-data/#{e.id}</id>"
            f"<title>{xml_escape(e.title)}</title>"
            f"<updated>{e.date.isoformat()}T00:00:00Z</updated>"
            f'<link href="{xml_escape(base)}open-data/#release-{e.date.isoformat()}"/>'
            f'<content type="text">{xml_escape(body)}</content>'
            "</entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{xml_escape(base)}data/changes.atom</id><title>{xml_escape(title)}: data changes</title>"
            f"<updated>{updated.isoformat()}T00:00:00Z</updated>"
            f'<link rel="self" href="{xml_escape(base)}data/changes.atom"/><author><name>{xml_escape(title)}</name></author>'
            + "".join(items) + "</feed>\n")
