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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .configfile import SettingsLoader, yaml_problem
from .fsutil import NotRegularFile, read_regular
from .load import display_path
from .problems import Problem
from .safetext import plain
from .yamlio import dump_profile

FILE = "_closed.yaml"
MAX_BYTES = 32 * 1024 * 1024  # a national year of closures is a few MB
WINDOW_DAYS = 365  # the year before the register's date: the report's default window for closures (recent_days)
HEADER = ("Services CQC had deregistered, in the year before its register's date, when this folder's profiles were\n"
          "first imported. None is listed in the directory (no page); the market page and the commissioner report\n"
          "count them as closures. Every service CQC deregistered from 'since' to 'until' that this folder holds no\n"
          "profile of is here. Written by 'python3 build.py import-cqc': do not edit it.")


@dataclass
class Closed:
    """What ``_closed.yaml`` holds: the days it is complete for, and each service's facts as a profile has them."""
    since: dt.date
    until: dt.date
    services: list[dict[str, Any]] = field(default_factory=list)

    def text(self) -> str:
        """The file's text."""
        return dump_profile({"since": self.since, "until": self.until, "services": self.services}, HEADER)


def read(folder: Path) -> tuple[Closed | None, str | None]:
    """``folder``'s ``_closed.yaml`` (None when there is none), and what is wrong with it (it is then left out)."""
    path = folder / FILE
    if not path.exists() and not path.is_symlink():
        return None, None
    after = "closures before the first import are not counted: import the CQC register again to write it afresh"
    try:
        raw = read_regular(path, MAX_BYTES)
        if len(raw) > MAX_BYTES:
            return None, f"{path}: is larger than {MAX_BYTES // 1024 // 1024} MB; {after}"
        data = yaml.load(raw.decode("utf-8"), Loader=SettingsLoader)  # noqa: S506 (a SafeLoader, with limits)
    except (OSError, NotRegularFile, UnicodeDecodeError) as exc:
        return None, f"{path}: cannot be read ({plain(str(exc), 120)}); {after}"
    except yaml.YAMLError as exc:
        return None, f"{yaml_problem(path, exc)}; {after}"
    data = data if isinstance(data, dict) else {}
    since, until, services = data.get("since"), data.get("until"), data.get("services")
    if not (isinstance(since, dt.date) and isinstance(until, dt.date) and since <= until and isinstance(services, list)
            and all(_one(s) for s in services)):
        return None, f"{path}: is not as import-cqc writes it (since, until and services); {after}"
    return Closed(since, until, services), None


def _one(service: Any) -> bool:
    """Whether an entry is a closed service as the import writes it: its location ID and the day CQC deregistered it."""
    cqc = service.get("cqc") if isinstance(service, dict) else None
    return (isinstance(service, dict) and isinstance(service.get("location_id"), str) and isinstance(cqc, dict)
            and cqc.get("status") == "Deregistered" and isinstance(cqc.get("status_date"), dt.date))


def problems(paths: list[Path]) -> list[Problem]:
    """A warning for each folder among ``paths`` whose closures file cannot be read (check, build, data and report say
    it with the profiles' problems; the market page and the report then count no closure before the first import)."""
    out = []
    for folder in (p for p in paths if p.is_dir()):
        _, wrong = read(folder)
        if wrong:
            shown = str(folder / FILE)
            out.append(Problem(display_path(folder / FILE), 0, "file", wrong.removeprefix(shown).lstrip(":, "),
                               severity="warning"))
    return out


def of_profiles(paths: list[str]) -> Closed | None:
    """The closures kept beside profiles all read from one folder (``paths``: theirs, as check read them)."""
    return of_folders({Path(p).parent for p in paths})


def of_folders(folders: set[Path]) -> Closed | None:
    """The closures kept in the one folder of profiles a site is built from; None for several folders, or a folder
    without the file or with one that cannot be read (check says so)."""
    return read(next(iter(folders)))[0] if len(folders) == 1 else None


def merged(old: Closed | None, new: list[dict[str, Any]], data_date: dt.date, held: set[str]) -> Closed:
    """The file after an import dated ``data_date`` whose source gives deregistered services: ``new``, those it gives
    that closed within the year before it and that no profile is of; with the old file's while this register follows
    it within a year (one unbroken span), less any service the folder now holds a profile of (``held``)."""
    since, until = data_date - dt.timedelta(days=WINDOW_DAYS), data_date
    kept: dict[str, dict[str, Any]] = {}
    if old is not None and old.until >= since:  # this register's year reaches back to the last: one span
        since, until = min(old.since, since), max(old.until, data_date)
        kept = {s["location_id"]: s for s in old.services}
    for s in new:
        kept[s["location_id"]] = s
    services = sorted((s for lid, s in kept.items() if lid not in held),
                      key=lambda s: (s["cqc"]["status_date"], s["location_id"]), reverse=True)
    return Closed(since, until, services)
