"""Data releases: snapshots kept in ``releases/<date>/``, the changelog between them, an Atom feed.

A steward runs ``python3 build.py release`` to snapshot the data as published; every build compares
the current data with the latest snapshot, so a changed profile shows up as a changelog entry and
a feed item, and every snapshot stays downloadable from the site.
"""
from __future__ import annotations

import csv
import datetime as dt
import errno
import hashlib
import io
import json
import math
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from .fsutil import write_folder
from .kinds import Kind, default_kind, kinds
from .outputs.tables import ALSO_PUBLISHED, read_homes
from .records import CURRENT_STATUSES, get_path
from .safetext import cut, plain
from .schema import Field, Schema, load_schema
from .text import FORMULA_START, and_list, restore, undecodable

FIRST = default_kind()  # releases compare the first kind's table (care homes); its name never changes
HOMES_CSV = FIRST.csv_file
SNAPSHOT_FILES = (HOMES_CSV, "capabilities.csv", "datapackage.json")
OTHER_KINDS = tuple(k for k in kinds() if k.id != FIRST.id)  # their tables are kept too (home-care-agencies.csv), when made


@dataclass
class Change:
    kind: str  # added, removed, renamed, status (left or back on CQC's register), rating, or the first kind's unit (beds): registered capacity
    location_id: str
    name: str
    before: str | None = None
    after: str | None = None
    published: str | None = None  # for a rating: the date CQC published the new one; for a status: the date it changed

    def sentence(self) -> str:
        if self.kind == "added":
            return f"{self.name} was added."
        if self.kind == "removed":
            return f"{self.name} was removed from the directory."
        if self.kind == "renamed":
            return f"{self.before} is now called {self.name}."
        if self.kind == "status":
            when = f" on {self.published}" if self.published else ""
            return f"{self.name}: CQC registration status changed from {self.before or 'unknown'} to {self.after}{when}."
        if self.kind == "rating":
            when = f" (published {self.published})" if self.published else ""
            return f"{self.name}: CQC rating changed from {self.before or 'none'} to {self.after or 'none'}{when}."
        return f"{self.name}: registered {FIRST.unit} changed from {self.before or 'unknown'} to {self.after or 'unknown'}."


@dataclass
class Entry:
    date: dt.date
    title: str
    changes: list[Change] = field(default_factory=list)
    unreleased: bool = False
    since: dt.date | None = None  # the release the changes are measured against (None: the first release)

    @property
    def id(self) -> str:
        """Stable for the same changes: the release they follow and what they are, never the build date nor
        whether they are released yet, so a daily rebuild keeps the feed entry, and so does the release
        that publishes the changes."""
        if self.since is None:
            return f"first-release-{self.date.isoformat()}"
        digest = hashlib.sha256("\n".join(c.sentence() for c in self.changes).encode()).hexdigest()[:16]
        return f"changes-since-{self.since.isoformat()}-{digest}"

    @property
    def anchor(self) -> str:
        """The entry's fragment on the Changes and open data pages."""
        return "unreleased" if self.unreleased else f"release-{self.date.isoformat()}"


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
        if _value(a, ("name",)) not in (None, _value(b, ("name",))):
            out.append(Change("renamed", lid, b["name"], a["name"], b["name"]))
        for kind, keys in (("status", ("cqc", "status")), ("rating", ("cqc", "rating")),
                           *(((FIRST.unit, tuple(FIRST.registered.split("."))),) if FIRST.registered else ())):
            before, after = _value(a, keys), _value(b, keys)
            # a status: left the register (Deregistered, not in the latest register), or back on it from either
            # (a status now given where none was, or none now, is no news)
            if before != after and (kind != "status" or (after is not None and (after not in CURRENT_STATUSES
                                                                                 or before is not None))):
                dated = {"rating": ("cqc", "rating_date"), "status": ("cqc", "status_date")}.get(kind)
                published = _value(b, dated) if dated else None
                out.append(Change(kind, lid, b["name"], before, after, published))
    return out


def release_records(folder: Path, schema: Schema | None = None) -> dict[str, dict]:
    """A release snapshot's locations as records (location ID -> record), read leniently: a release made
    with an older schema may have other columns. Every kind's table it holds is read (a location in two
    is one record with both kinds); a snapshot made before a kind was declared holds none of that kind."""
    schema = schema or load_schema()
    records = read_homes((folder / HOMES_CSV).read_text(encoding="utf-8"), schema, strict=False)
    for k in kinds(schema)[1:]:
        table = folder / k.csv_file
        if not table.is_file():
            continue
        for lid, rec in read_homes(table.read_text(encoding="utf-8"), schema, strict=False, kind=k).items():
            held = records.get(lid)
            ids = [*((held.get("kinds") or [FIRST.id]) if held is not None else []), k.id]
            records[lid] = {**(held or {}), **rec, "kinds": ids}
    return records


def current_records(datas: list[dict]) -> dict[str, dict]:
    """Location ID -> record for the profiles being published."""
    return {str(d.get("location_id")): d for d in datas}


class ReleaseError(ValueError):
    """Release snapshots that cannot be trusted; the message names each file, what is wrong and what to do."""


REPAIR_COMMAND = "python3 build.py release --force"  # the CLI adds the --area and --releases it was given
DAMAGED = ("A damaged release snapshot was changed by hand or left half-written by an interrupted release (Ctrl+C, a full "
           f"disk). To repair today's, make it again with: {REPAIR_COMMAND}; to repair an older one, "
           "restore it from git (git checkout -- <folder>) or remove its folder")
SNAPSHOT_NAME = re.compile(r"\d{4}-\d{2}-\d{2}")
REQUIRED_COLUMNS = ("location_id", "name")


def stray_folders(folder: Path) -> list[str]:
    """A warning for each folder in ``folder`` that no release snapshot is named like (``YYYY-MM-DD``), as a copy
    ('2026-12-05 copy') or a rename would be: list_releases leaves it out, so the changelog does too. Hidden
    folders and files are a tool's, not a steward's, and are passed over. A folder's name is shown in one line
    (plain: a line break or a terminal escape in it as an escape)."""
    try:
        found = sorted(folder.iterdir()) if folder.is_dir() else []
    except OSError:  # list_releases, which read it first, says why it cannot be read
        return []
    return [f"{plain(d)}: not a release snapshot (a snapshot's folder is named by its day, YYYY-MM-DD), so the changelog "
            "leaves it out; rename it by its day, or move it out of the releases folder"
            for d in found if d.is_dir() and not d.name.startswith(".") and not SNAPSHOT_NAME.fullmatch(d.name)]


def list_releases(folder: Path, replacing: dt.date | None = None) -> list[tuple[dt.date, Path]]:
    """The release snapshots in ``folder`` (``<YYYY-MM-DD>/`` folders), oldest first.

    Every snapshot is read before any is used: one that is incomplete or unreadable raises ``ReleaseError``
    listing every such problem, so a damaged snapshot is never compared with as if it were an empty release.
    Dates are not checked against the computer's clock: a release made with a later SOURCE_DATE_EPOCH is as
    good as any, and the release command refuses one dated before the newest (``check_new_release``).
    ``replacing``: the day of a snapshot ``release --force`` is about to replace, passed over (not read: a damaged one
    is what --force repairs). Hidden folders (a release's half-written one, ``.<date>.new-*``) are passed over."""
    out: list[tuple[dt.date, Path]] = []
    problems: list[str] = []
    if not folder.is_dir():
        return out
    try:
        listed = sorted(folder.iterdir())
    except OSError as exc:
        raise ReleaseError(f"{plain(folder)}: the releases folder cannot be read ({exc.strerror or exc}); give this "
                           "user permission to read it, or name another with --releases") from None
    for d in listed:
        if not (d.is_dir() and SNAPSHOT_NAME.fullmatch(d.name)) or (replacing is not None and d.name == replacing.isoformat()):
            continue
        try:
            date = dt.date.fromisoformat(d.name)
        except ValueError:
            problems.append(f"{d}: is not a date; name a release snapshot's folder by the day it was made "
                            "(YYYY-MM-DD), or remove it")
            continue
        found = snapshot_problems(d)
        problems.extend(found)
        if not found:
            out.append((date, d))
    if problems:
        raise ReleaseError("\n".join(problems + [DAMAGED]))
    return sorted(out)


def check_new_release(releases: list[tuple[dt.date, Path]], date: dt.date) -> None:
    """A new release dated ``date`` must not come before the newest one already made; ReleaseError says so."""
    if releases and date < releases[-1][0]:
        raise ReleaseError(f"{releases[-1][1]}: the newest release is dated {releases[-1][0].isoformat()}, after "
                           f"this release's date ({date.isoformat()}); releases follow each other in time: remove the "
                           "wrongly dated snapshot, or make this release on that day or later (SOURCE_DATE_EPOCH)")


# Each snapshot folder's problems as last read in this process, by its files' names, sizes and times: every build
# reads every snapshot (serve on every save), and a national snapshot takes about a quarter of a second to read
_READ: dict[str, tuple[tuple, list[str]]] = {}


def snapshot_problems(d: Path) -> list[str]:
    """What makes the snapshot folder ``d`` unreadable: missing files, a care-homes.csv without its
    columns or with a row without a location ID, a number cell that is not a number, a datapackage.json that is
    not JSON. Read again only when one of its files has changed."""
    try:
        stamp = tuple(sorted((e.name, e.stat().st_size, e.stat().st_mtime_ns) for e in os.scandir(d) if e.is_file()))
    except OSError:
        stamp = None
    seen = _READ.get(str(d))
    if stamp is not None and seen is not None and seen[0] == stamp:
        return list(seen[1])
    problems = _snapshot_problems(d)
    if stamp is not None:
        _READ[str(d)] = (stamp, problems)
    return list(problems)


def _first_undecodable(path: Path) -> str:
    """The first byte of ``path`` that is not UTF-8, as every 'is not UTF-8 text' message names it (text.undecodable):
    the reader that met it streams, so its offset is within a chunk, not the file."""
    raw = path.read_bytes()
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return undecodable(raw, exc.start)
    return "a byte that is not UTF-8"


def _snapshot_problems(d: Path) -> list[str]:
    problems = [f"{d / name}: is missing; a release snapshot has {', '.join(SNAPSHOT_FILES)}"
                for name in SNAPSHOT_FILES if not (d / name).is_file()]
    homes = d / HOMES_CSV
    if homes.is_file():
        try:
            reader = csv.DictReader(io.StringIO(homes.read_bytes().decode("utf-8")))
            missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
            if missing:
                problems.append(f"{homes}:1: has no column {' or '.join(missing)}; it is not a {HOMES_CSV} "
                                "made by the release command")
            else:
                numbers, seen, no_id, short = _number_fields(FIRST), set[str](), False, False
                texts, formula = _text_fields(FIRST), False
                for row in reader:  # one pass: each row's location ID, its number of cells, its numbers and its text
                    if not no_id and not (row.get("location_id") or "").strip():
                        problems.append(f"{homes}:{reader.line_num}: has no location_id; the file is damaged")
                        no_id = True
                    if not short and (found := _cells_problem(homes, reader, row)):
                        problems.append(found)
                        short = True
                    problems += _number_problems(homes, reader.line_num, row, numbers, seen)
                    if not formula and (found := _formula_problem(homes, reader.line_num, row, texts)):
                        problems.append(found)
                        formula = True
        except UnicodeDecodeError:
            problems.append(f"{homes}: is not UTF-8 text: {_first_undecodable(homes)}; the file is damaged")
        except (csv.Error, OSError) as exc:
            problems.append(f"{homes}: cannot be read ({exc}); the file is damaged")
    for k in kinds(load_schema())[1:]:  # another kind's table: its numbers (read leniently otherwise)
        table = d / k.csv_file
        if table.is_file():
            try:
                reader = csv.DictReader(io.StringIO(table.read_bytes().decode("utf-8")))
                numbers, seen, short = _number_fields(k), set[str](), False
                texts, formula = _text_fields(k), False
                for row in reader:
                    if not short and (found := _cells_problem(table, reader, row)):
                        problems.append(found)
                        short = True
                    problems += _number_problems(table, reader.line_num, row, numbers, seen)
                    if not formula and (found := _formula_problem(table, reader.line_num, row, texts)):
                        problems.append(found)
                        formula = True
            except (UnicodeDecodeError, csv.Error, OSError):
                pass
    package = d / "datapackage.json"
    if package.is_file():
        try:
            if not isinstance(json.loads(package.read_bytes()), dict):
                raise ValueError("not a JSON object")
        except (ValueError, OSError, RecursionError) as exc:
            problems.append(f"{package}: is not a data package descriptor ({exc}); the file is damaged")
    return problems


def _cells_problem(table: Path, reader: csv.DictReader, row: dict) -> str | None:
    """A row with fewer cells than the first line names columns (a file cut short) or more (cells added by hand)."""
    if None not in row and None not in row.values():
        return None
    cells = len(row) - (None in row) + len(row.get(None) or []) - list(row.values()).count(None)
    return (f"{table}:{reader.line_num}: has {cells} cells where the first line names {len(reader.fieldnames or [])} "
            "columns; the file is damaged")


def _text_fields(kind: Kind) -> frozenset[str]:
    """A kind's table columns that hold text or lists (a number may start with a minus: a longitude)."""
    return frozenset(f.name for f in kind.fields if f.type in ("string", "list"))


def _formula_problem(table: Path, line: int, row: dict, texts: frozenset[str]) -> str | None:
    """The first text cell of a snapshot's row that a spreadsheet would run as a formula (release writes such a value
    after an apostrophe): the build publishes the snapshot as it is, so one changed by hand or saved by a spreadsheet
    (a review's '=HYPERLINK(...)' name) would be served as a formula."""
    for name, text in row.items():
        if isinstance(name, str) and name in texts and isinstance(text, str) and text.startswith(FORMULA_START):
            return (f"{table}:{line}: {name} is {cut(text, 40)!r}, which a spreadsheet would run as a formula; release writes "
                    "such a value after an apostrophe, so the file was changed after it was made (by hand, or saved by a "
                    "spreadsheet): restore it from git")
    return None


def _number_fields(kind: Kind) -> dict[str, Field]:
    """A kind's table columns that hold numbers, by name."""
    return {f.name: f for f in kind.fields if f.type in ("integer", "number")}


def _number_problems(table: Path, line: int, row: dict, numbers: dict[str, Field], seen: set[str]) -> list[str]:
    """The cells of one row of a snapshot's table that are not numbers of their field's kind (``beds_registered``
    of ``abc`` or ``16.5``, a ``latitude`` of ``1e400``): the market page and the report count with them. Only
    the first of each column (``seen``), so a file damaged throughout is a few lines."""
    out: list[str] = []
    for name, text in row.items():
        f = numbers.get(name) if isinstance(name, str) else None
        if f is None or not text or name in seen:
            continue
        try:  # its kind only: a limit the schema sets now may be newer than the snapshot
            if f.type == "number":
                wrong = not math.isfinite(float(text))
            else:
                int(text)
                wrong = False
        except (ValueError, OverflowError):
            wrong = True
        if wrong:
            seen.add(name)
            out.append(f"{table}:{line}: {name} is '{text[:40]}', not {'a whole number' if f.type == 'integer' else 'a number'}; "
                       "the file is damaged")
    return out


def snapshot(files: dict[str, bytes], folder: Path, date: dt.date, force: bool = False) -> Path:
    """Make the release snapshot ``folder/<date>/`` whole or not at all (``fsutil.write_folder``): its files are written
    in a hidden folder beside it and it appears only when every one is on the disk, so a full disk or Ctrl+C leaves
    ``folder`` as it was (a snapshot cut short stopped every build). With ``force`` the day's snapshot, whatever it
    holds (a damaged one too), is kept until the new one is whole, then replaced in one step."""
    target = folder / date.isoformat()
    exists = FileExistsError(f"{target} exists; a release is made once a day (use --force to replace it)")
    kept = [name for name in SNAPSHOT_FILES if name != "datapackage.json"] + [k.csv_file for k in OTHER_KINDS if k.csv_file in files]
    written = [(name, files[name]) for name in kept] + [("datapackage.json", _snapshot_package(files["datapackage.json"], kept, date))]
    done = f"The release snapshot {target} had been written whole before it stopped."
    try:
        write_folder(target, written, replace=force, done=done, names=SNAPSHOT_NAME)
    except FileExistsError as exc:
        if exc.errno == errno.EEXIST and exc.filename == str(target):  # there already, or made meanwhile by another release
            raise exists from None
        raise
    return target


def release_files(folder: Path) -> list[str]:
    """The files of a release snapshot the open data page links to, in the order of the published files: the first
    kind's table, each other kind's table the snapshot kept (home-care-agencies.csv, from a release that had agencies),
    capabilities.csv and datapackage.json."""
    return [HOMES_CSV, *(k.csv_file for k in OTHER_KINDS if (folder / k.csv_file).is_file()), "capabilities.csv", "datapackage.json"]


def _snapshot_package(package: bytes, kept: list[str], date: dt.date) -> bytes:
    """The release's datapackage.json describing only the files the snapshot keeps (``kept``): the published one
    lists the workbook, the database, the JSON and the rest too, which are not kept, so ``frictionless validate`` of a
    release failed on each missing file; and its description says what the snapshot is, not what the site publishes
    beside the package (the feed, the workbook, the ORUK API), which the snapshot's folder does not hold."""
    pkg = json.loads(package)
    pkg["resources"] = [r for r in pkg.get("resources", []) if r.get("path") in kept]
    said = str(pkg.get("description", "")).split(ALSO_PUBLISHED)[0].rstrip()
    pkg["description"] = (f"{said} The release of {date.isoformat()}, kept as it was published: "
                          f"{and_list([*kept, 'this datapackage.json'])}.").lstrip()
    return (json.dumps(pkg, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def changelog(releases: list[tuple[dt.date, Path]], current: dict[str, dict], today: dt.date,
              schema: Schema | None = None) -> list[Entry]:
    """Newest first: the unreleased changes (if any), then each release against the one before.

    ``current`` is location ID -> record for the homes being published (see ``current_records``).
    """
    schema = schema or load_schema()
    entries = []
    previous: dict[str, dict] | None = None
    for i, (date, path) in enumerate(releases):
        now = release_records(path, schema)
        if previous is None:
            entries.append(Entry(date, f"First release: {len(now):,} homes"))
        else:
            since = releases[i - 1][0]
            changes = diff(previous, now)
            entries.append(Entry(date, f"Release of {date.isoformat()}", changes, since=since))
        previous = now
    if previous is not None:
        changes = diff(previous, current)
        if changes:
            since = releases[-1][0]
            entries.append(Entry(today, f"Changes since the release of {since.isoformat()}", changes, unreleased=True,
                                 since=since))
    return list(reversed(entries))


def newest_fact(record: dict, schema: Schema) -> dt.date | None:
    """The newest date among a home's dated facts (the date fields of care-homes.csv: a rating, beds confirmed,
    an import), written as a date or as its ISO text; None when it has none."""
    found = []
    for keys in _date_keys(schema):
        value = get_path(record, keys)
        if value is None:  # most homes lack most dates: no text to parse, no exception raised and caught
            continue
        if isinstance(value, dt.date):
            found.append(value.date() if isinstance(value, dt.datetime) else value)
            continue
        try:
            found.append(dt.date.fromisoformat(str(value)[:10]))
        except ValueError:
            continue
    return max(found, default=None)


_DATE_KEYS: dict[int, tuple[Schema, tuple[tuple[str, ...], ...]]] = {}


def _date_keys(schema: Schema) -> tuple[tuple[str, ...], ...]:
    """The steps to each date field of the schema's home table, worked out once a schema (not twice a home)."""
    held = _DATE_KEYS.get(id(schema))
    if held is None or held[0] is not schema:
        held = _DATE_KEYS[id(schema)] = (schema, tuple(f.keys for f in schema.home_fields if f.type == "date"))
    return held[1]


def copy_releases(releases: list[tuple[dt.date, Path]], out_dir: Path) -> None:
    """Every snapshot into ``out_dir/<date>/``, so each stays downloadable from the site."""
    for date, folder in releases:
        shutil.copytree(folder, out_dir / date.isoformat())

