"""The services CQC had deregistered, in the year before the register's date, when a folder's profiles were first
imported: counted as closures by the market page and the commissioner report, never listed in the directory.

A first import makes no profile (and so no page) of a service already closed (issue 21: "current services only"). But
then the market's first year knew no closure: Oldham's register of 20 March 2025 records two nursing homes (235 beds)
deregistered in the year before it, and the market page said no home had closed while the report counted 120 new beds
(the commissioner review). ``import-cqc`` keeps those services' CQC facts here instead, in ``_closed.yaml`` among the
profiles (``load.find_profiles`` leaves out a name starting with ``_``), with the days it is complete for: every
service CQC deregistered from ``since`` to ``until`` that the folder holds no profile of. Later imports add to it while
their registers follow within a year of the last; a closure after the first import is a profile marked closed, as
before.
"""
from __future__ import annotations

import datetime as dt
import os
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .configfile import yaml_problem
from .fsutil import NotRegularFile, read_regular
from .kinds import default_kind
from .load import CLOSURES_FILE, display_path
from .problems import Problem
from .safetext import plain
from .yamlio import dump_profile

FILE = CLOSURES_FILE  # among the profiles, left out of them as every name starting with "_" is
MAX_BYTES = 16 * 1024 * 1024  # a national year of closures (about 1,500 services at 1.5 KB) is a few MB
MAX_DEPTH = 8  # services: - entry: group: list: the deepest the import writes is 5
MAX_PLACES = 1000  # the schema's most registered beds
WINDOW_DAYS = 365  # the year before the register's date: the report's default window for closures (recent_days)
HEADER = ("Services CQC had deregistered, in the year before its register's date, when this folder's profiles were\n"
          "first imported. None is listed in the directory (no page); the market page and the commissioner report\n"
          "count them as closures. Every service CQC deregistered from 'since' to 'until' that this folder holds no\n"
          "profile of is here. Written by 'python3 build.py import-cqc': do not edit it.")
AFTER = ("the closures it holds are not counted: remove it, or import again the register this folder was first filled "
         "from, which writes it afresh")
# the facts the market page and the report read of a closed service, and their types: an entry is kept to these
# (a hand-edited file's other keys, or these of another type, never reach a page or a traceback)
_KIND = default_kind()  # the care homes' registered beds and the flags of their types of place (with nursing, without)
KEPT: dict[tuple[str, ...], type] = {
    ("location_id",): str, ("name",): str, ("locality",): str, ("kinds",): list,
    ("provider", "cqc_id"): str, ("provider", "name"): str,
    ("address", "street"): str, ("address", "town"): str, ("address", "postcode"): str,
    **{tuple(str(c.flag).split(".")): bool for c in _KIND.capacity if c.flag},
    **({tuple(str(_KIND.registered).split(".")): int} if _KIND.registered else {}),
    ("cqc", "status"): str, ("cqc", "status_date"): dt.date, ("cqc", "registered_since"): dt.date,
    ("cqc", "imported"): dt.date, ("cqc", "rating"): str, ("cqc", "rating_date"): dt.date,
    ("cqc", "rating_given_to"): str}
try:  # libyaml's reader: a national file in a fraction of a second (PyYAML's own read 2.5 s a MB)
    _LOADER: type = yaml.CSafeLoader
except AttributeError:  # a PyYAML built without libyaml
    _LOADER = yaml.SafeLoader


@dataclass
class Closed:
    """What ``_closed.yaml`` holds: the days it is complete for, and each service's facts as a profile has them."""
    since: dt.date
    until: dt.date
    services: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        """The file's text."""
        return dump_profile({"since": self.since, "until": self.until, "services": self.services}, HEADER)

    def unlisted(self, listed: set[str]) -> list[dict[str, Any]]:
        """The services the folder holds no profile of (``listed``: the profiles' location IDs): one imported since,
        registered again under its own ID, is the profile's to count."""
        return [s for s in self.services if s["location_id"] not in listed]


def read(folder: Path) -> tuple[Closed | None, str | None]:
    """``folder``'s ``_closed.yaml`` (None when there is none), and what is wrong with it, in words that follow its
    name (it is then left out). Read once for each version of the file (its size and time)."""
    path = folder / FILE
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None, None
    except OSError as exc:
        return None, f"cannot be read ({plain(exc.strerror or str(exc), 80)}); {AFTER}"
    return _read(str(path), st.st_mtime_ns, st.st_size, st.st_mode)


@lru_cache(maxsize=8)
def _read(path: str, _mtime: int, size: int, mode: int) -> tuple[Closed | None, str | None]:
    if stat.S_ISLNK(mode):
        return None, f"is a link, where the import writes a file; {AFTER}"
    if stat.S_ISDIR(mode):  # the import cannot write it afresh there: remove it first
        return None, "is a folder, where the import writes a file: remove it; the closures it would hold are not counted"
    if not stat.S_ISREG(mode):
        return None, f"is not a regular file (a pipe or a device), where the import writes a file; {AFTER}"
    if size > MAX_BYTES:
        return None, f"is larger than {MAX_BYTES // 1024 // 1024} MB, more than any register's year of closures; {AFTER}"
    try:
        text = read_regular(path, MAX_BYTES).decode("utf-8")
        depth = 0
        for event in yaml.parse(text, Loader=_LOADER):  # refused before anything is built: aliases, deep nesting
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return None, f"holds anchors or aliases (& and *), which the import never writes; {AFTER}"
            depth += isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
            depth -= isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent))
            if depth > MAX_DEPTH:
                return None, f"is nested deeper than the import ever writes; {AFTER}"
        data = yaml.load(text, Loader=_LOADER)  # noqa: S506 (a safe loader)
    except NotRegularFile:
        return None, f"is not a regular file, where the import writes a file; {AFTER}"
    except OSError as exc:
        return None, f"cannot be read ({plain(exc.strerror or str(exc), 80)}); {AFTER}"
    except UnicodeDecodeError as exc:
        return None, f"is not UTF-8 text (byte {exc.start + 1}); {AFTER}"
    except yaml.YAMLError as exc:
        return None, f"{yaml_problem('', exc).removeprefix(': ').lstrip(', ')}; {AFTER}"
    except (ValueError, TypeError, OverflowError, RecursionError):  # a value YAML cannot build: 2025-02-30, !!int abc
        return None, f"holds a value that is not what its tag or form says (a date that does not exist, a number that is none); {AFTER}"
    data = data if isinstance(data, dict) else {}
    since, until = (_day(data.get(k)) for k in ("since", "until"))
    services = data.get("services")
    entries = [entry(s) for s in services] if isinstance(services, list) else [None]
    ids = [e["location_id"] for e in entries if e is not None]
    if not (since is not None and until is not None and since <= until and None not in entries
            and len(ids) == len(set(ids))):
        return None, f"is not as import-cqc writes it (since, until, and services each named once, with its name and the day CQC deregistered it); {AFTER}"
    return Closed(since, until, [e for e in entries if e is not None]), None


def _day(value: Any) -> dt.date | None:
    """A date as the import writes it: a day, never a time of day (a datetime is a date too in Python, and compared
    with a date is a TypeError)."""
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else None


def entry(service: Any) -> dict[str, Any] | None:
    """A closed service as the import writes it, kept to the facts that are read of it (KEPT, each of its type); None
    without its location ID, its name, or the day CQC deregistered it."""
    if not isinstance(service, dict):
        return None
    out: dict[str, Any] = {}
    for keys, kind in KEPT.items():
        node: Any = service
        for k in keys:
            node = node.get(k) if isinstance(node, dict) else None
        if node is None or not isinstance(node, kind) or (kind is int and isinstance(node, bool)):
            continue
        if kind is dt.date and _day(node) is None:  # a time of day: never compared with the days read beside it
            continue
        if isinstance(node, int) and not 0 <= node <= MAX_PLACES:  # beds: the schema's whole number 0 to 1000
            continue
        if isinstance(node, list) and not all(isinstance(item, str) for item in node):  # kinds: each a kind's id
            continue
        target = out
        for k in keys[:-1]:
            target = target.setdefault(k, {})
        target[keys[-1]] = node
    cqc = out.get("cqc", {})
    return out if ("name" in out and "location_id" in out and cqc.get("status") == "Deregistered"
                   and "status_date" in cqc) else None


def problems(paths: list[Path]) -> list[Problem]:
    """A warning for each folder among ``paths`` whose closures file cannot be read (check, build, data and report say
    it with the profiles' problems; the market page and the report then count no closure before the first import)."""
    out = []
    for folder in (p for p in paths if p.is_dir()):
        _, wrong = read(folder)
        if wrong:
            out.append(Problem(display_path(folder / FILE), 0, "file", wrong, severity="warning"))
    return out


def of_profiles(paths: list[str]) -> Closed | None:
    """The closures kept beside profiles all read from one folder (``paths``: theirs, as check read them); None for
    profiles from several folders, or a folder without the file or with one that cannot be read (check says so)."""
    folders = {os.path.dirname(p) for p in paths}  # strings: nationally 15,403 paths, no Path made of each
    return read(Path(folders.pop() or "."))[0] if len(folders) == 1 else None


def merged(old: Closed | None, new: list[dict[str, Any]], data_date: dt.date, held: set[str], whole: bool) -> Closed | None:
    """The file after an import dated ``data_date`` of a source that gives deregistered services (``new``: those that
    closed within the year before it, ``entry``'s facts), less any service the folder holds a profile of (``held``);
    None to leave it as it is. A whole register (``whole``: every location of the area, the closed ones among them)
    has every closure of the year before it, of a service listed here (its profile is marked closed) or not (kept
    here): it starts a span, or joins the one its year reaches back to. A sync of the changes alone only joins one;
    a register older than the span (--allow-older) leaves it as it is."""
    since = data_date - dt.timedelta(days=WINDOW_DAYS)
    if old is not None and old.since <= data_date and old.until >= since:  # one unbroken span
        since, until, kept = old.since, max(old.until, data_date), {s["location_id"]: s for s in old.services}
    elif whole and (old is None or data_date > old.until):
        until, kept = data_date, {}
    else:
        return None
    for s in new:
        kept[s["location_id"]] = s
    services = sorted((s for lid, s in kept.items() if lid not in held),
                      key=lambda s: (s["cqc"]["status_date"], s["location_id"]), reverse=True)
    return Closed(since, until, services)
