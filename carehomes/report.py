"""Early-warning signals for commissioners, from public facts (not on the public site).

Each signal names the fact that triggered it, its value and its date, so a commissioner can check
it at source. Thresholds come from ``signals.yaml``; anything missing there uses DEFAULTS.
"""
from __future__ import annotations

import csv
import datetime as dt
import errno
import html
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from .ages import nice_date
from .configfile import SettingsLoader
from .finding import site_words
from .fsutil import NotRegularFile, read_regular
from .load import number_problem
from .kinds import default_kind, kinds
from .market import (Tables, agencies, counted_from_register, earlier_ratings_text, kept_closures, registered_again_as, same_place, area_of, as_date, by_district, care_homes, current, data_date, homecare_rows, hours_text,
                     is_care_home, limits_of, manager_text, quality_rows, register_stale_words)
from .closures import Closed
from .records import CURRENT_STATUSES, closed
from .text import and_list, neutralise, undecodable
from .releases import list_releases, rows
from .safetext import plain
from .views import VALUES, HomeView

# the first kind's registered capacity (beds.registered), its column in the release CSV, and the signal it raises
REGISTERED = str(default_kind().registered)
NURSING_FLAG = str(default_kind().capacity[0].flag)  # the kind's first capacity: with nursing
REGISTERED_COLUMN = next(f.name for f in default_kind().fields if f.path == REGISTERED)
DROP = f"Sudden drop in {default_kind().unit}"
OLD_RATING = "Old rating"  # a signal of the rating's age, not of its grade: alone, no concern about the care
NEW_REGISTRATION = "New registration"
# a new registration showing an earlier registration's rating (a change of provider): not a new service (registered_again)
REGISTERED_AGAIN = "Registered again"

DEFAULTS: dict[str, float] = {"rating_older_than_days": VALUES.rating_stale_days, "staff_turnover_percent_above": 30, "nurse_turnover_percent_above": 30,
            "bed_drop_percent": 10, "bed_drop_min_beds": 3, "repeated_rating_inspections": 2, "inadequate_within_years": 5,
            "recent_days": 365}
# the thresholds counted back from today as a span of the calendar, at most a century: a longer one is before year 1
MAXIMA: dict[str, tuple[float, str]] = {"recent_days": (36525, " (100 years)"), "inadequate_within_years": (100, ""),
                                        "bed_drop_percent": (100, " (per cent of the beds)")}
# the thresholds that count things, so a whole number, and the least that makes sense (a run of 0 inspections is none)
WHOLE: dict[str, int] = {"bed_drop_min_beds": 0, "repeated_rating_inspections": 1}
# the key questions whose rating is a signal of its own, as (profile field suffix, CQC's name)
KEY_QUESTIONS = (("safe", "Safe"), ("well_led", "Well-led"))
# ratingsOfConcern in the schema lists the worst first: severity 1, then 2
SEVERITY = {**{f"Rated {r}": n for n, r in enumerate(VALUES.ratings_of_concern, 1)},
            **{f"{q} rated {r}": n for _, q in KEY_QUESTIONS for n, r in enumerate(VALUES.ratings_of_concern, 1)},
            "Not on the CQC register": 1, "No registered manager": 2, "Rating fell": 2,
            **{f"{q} rating fell": 2 for _, q in KEY_QUESTIONS},
            f"Repeated {VALUES.ratings_of_concern[1]}": 2, f"Rated {VALUES.ratings_of_concern[0]} in recent years": 2,
            DROP: 2, "High staff turnover": 3, "High nurse turnover": 3, OLD_RATING: 3,
            NEW_REGISTRATION: 3, REGISTERED_AGAIN: 3}
# Within a severity, the signals most serious first: a run of ratings before one, the whole service before a key question,
# a rating before its fall, the leadership and the beds after the ratings; then the services with most beds first
SERIOUSNESS = {name: n for n, name in enumerate((
    "Not on the CQC register", *(f"Rated {r}" for r in VALUES.ratings_of_concern[:1]),
    *(f"{q} rated {r}" for r in VALUES.ratings_of_concern[:1] for _, q in KEY_QUESTIONS),
    f"Repeated {VALUES.ratings_of_concern[1]}", f"Rated {VALUES.ratings_of_concern[0]} in recent years",
    *(f"Rated {r}" for r in VALUES.ratings_of_concern[1:]),
    *(f"{q} rated {r}" for r in VALUES.ratings_of_concern[1:] for _, q in KEY_QUESTIONS),
    "Rating fell", *(f"{q} rating fell" for _, q in KEY_QUESTIONS), "No registered manager", DROP,
    "High nurse turnover", "High staff turnover", OLD_RATING, NEW_REGISTRATION, REGISTERED_AGAIN))}
# CQC's overall ratings from best to worst, to tell a fall from a rise
RANK = {r: n for n, r in enumerate(VALUES.ratings[:4])}  # the schema lists them best first, then the two without a rating


class ConfigError(Exception):
    pass


@dataclass(frozen=True)
class Signal:
    home: str
    location_id: str
    slug: str
    locality: str
    signal: str
    fact: str
    value: str
    date: str
    provider: str = ""
    provider_id: str = ""
    beds: str = ""
    cqc_link: str = ""
    source: str = ""
    data_as_at: str = ""
    kind: str = ""  # what the location is, as its page says ("Care home with nursing", "Home care agency")
    beds_apply: bool = True  # whether it is a care home (whose beds may be not known); an agency has none to know
    shown: str = ""  # what the market page's tables say of it in brackets, when more than its day ("from Good on ...")

    @property
    def severity(self) -> int:
        return SEVERITY[self.signal]


MAX_THRESHOLDS_BYTES = 1 << 20  # a thresholds file is a few lines


def _said(value: object) -> str:
    """A threshold's wrong value as the message says it, in YAML's words: a text quoted (its first 60 characters), a list
    or a group named as such, never printed whole (an alias of an alias, '*a' nine times over, stands for a thousand
    million items: its repr never ended)."""
    if value is None:
        return "blank"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a group of settings"
    return f"'{plain(value, 60)}'"


def _as_text(value: object) -> str:
    """Why a number a person wrote is text to YAML (1e9, which YAML 1.1 reads only with a point: 1.0e9), or ""."""
    try:
        number = float(value) if isinstance(value, str) and value.strip() else None
    except ValueError:
        return ""
    if number is None or not math.isfinite(number):
        return ""
    return f" (YAML reads {plain(value, 30)} as text; write it with a point, as in 1.0e9, or in full)"


def load_thresholds(path: Path | None) -> dict[str, float]:
    """DEFAULTS with the thresholds set in ``path`` (None: the defaults); ConfigError naming the file, key
    and value when the file is missing or unreadable or a value is not a finite number of 0 or more (nor, for a span
    counted back from today, more than MAXIMA allows)."""
    t = dict(DEFAULTS)
    if path is None:
        return t
    try:
        raw = read_regular(path, MAX_THRESHOLDS_BYTES)  # never a device or pipe
        if len(raw) > MAX_THRESHOLDS_BYTES:
            raise ConfigError(f"{path}: is larger than {MAX_THRESHOLDS_BYTES // 2**20} MB, too large to be a thresholds "
                              "file; give a signals.yaml with --signals")
        text = raw.decode("utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such thresholds file; give an existing signals.yaml with --signals") from None
    except NotRegularFile:
        raise ConfigError(f"{path}: is not a regular file (a device, pipe or folder); give a signals.yaml file with --signals") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a symbolic link to itself, or through others back to itself
            raise ConfigError(f"{path}: is a symbolic link that leads back to itself, never to a file; give a "
                              "signals.yaml with --signals") from None
        raise ConfigError(f"{path}: cannot be read ({exc}); give a signals.yaml file saved as UTF-8 text with --signals") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: is not UTF-8 text: {undecodable(raw, exc.start)}; give a signals.yaml file saved as "
                          "UTF-8 text with --signals") from None
    try:
        data = yaml.load(text, Loader=SettingsLoader) or {}  # noqa: S506 (a SafeLoader with limits)
        node = yaml.compose(text, Loader=SettingsLoader)  # its keys' lines, read once for both rules below
        twice = _written_twice(node)
        misread = _misread_numbers(node)
    except yaml.YAMLError as exc:
        if re.search(r"(?m)^site_name\s*:", text):  # the site's mkdocs.yml, whose !ENV tags plain YAML cannot read
            raise ConfigError(f"{path}: is the site's settings (it has a site_name), not the report's thresholds; give "
                              "a signals.yaml with --signals, and the site's mkdocs.yml with --config") from None
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"{path}{f':{mark.line + 1}' if mark else ''}: is not valid YAML "
                          f"({getattr(exc, 'problem', None) or exc}); write one 'name: number' per line") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be 'name: number' lines")
    if "site_name" in data:  # the site's mkdocs.yml, given where the thresholds go
        raise ConfigError(f"{path}: is the site's settings (it has a site_name), not the report's thresholds; give a "
                          "signals.yaml with --signals, and the site's mkdocs.yml with --config")
    wrong = [f"{path}, line {again}: {plain(key, 60)} is written twice (first on line {first}); YAML would keep only the "
             "last one without a word, so delete the one you do not mean" for key, first, again in twice]  # every problem, at once
    wrong += [f"{path}, line {line}: {plain(key, 60)}: {what}" for key, line, what in misread]
    for k, v in data.items():
        if any(k == key for key, _, _ in misread):
            continue
        if k not in DEFAULTS:
            key = f"'{plain(k, 60)}'" if isinstance(k, str) else "a blank key" if k is None else f"the key {_said(k)}"
            wrong.append(f"{path}: {key} is not a threshold; use one of {', '.join(DEFAULTS)}")
        elif isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            wrong.append(f"{path}: {k} must be a number of 0 or more, not {_said(v)}{_as_text(v)}")
        elif k in MAXIMA and v > MAXIMA[k][0]:
            wrong.append(f"{path}: {k} must be a number from 0 to {MAXIMA[k][0]:g}{MAXIMA[k][1]}, not {_said(v)}")
        elif k in WHOLE and (v != int(v) or v < WHOLE[k]):
            wrong.append(f"{path}: {k} must be a whole number of {WHOLE[k]} or more, not {_said(v)}")
        else:
            t[k] = v
    if wrong:
        raise ConfigError("\n".join(wrong))
    return t


def _misread_numbers(node: yaml.Node | None) -> list[tuple[str, int, str]]:
    """(key, line, what is wrong) of each top-level value of a composed YAML text written in a form YAML 1.1 reads as
    another number than the one meant (030 is 24, 1:00 is 60: load.number_problem), as a profile refuses it."""
    out = []
    for key, value in node.value if isinstance(node, yaml.MappingNode) else []:
        what = number_problem(value)
        if what and isinstance(key, yaml.ScalarNode):
            out.append((str(key.value), value.start_mark.line + 1, what.split("; write ")[0] + "; write the threshold as a "
                        "plain number, like 30"))
    return out


def _written_twice(node: yaml.Node | None) -> list[tuple[str, int, int]]:
    """Each top-level key a composed YAML text writes again: (the key, its first line, the line again)."""
    seen: dict[str, int] = {}
    out = []
    for key, _ in node.value if isinstance(node, yaml.MappingNode) else []:
        if isinstance(key, yaml.ScalarNode):
            line = key.start_mark.line + 1
            if key.value in seen:
                out.append((key.value, seen[key.value], line))
            else:
                seen[key.value] = line
    return out


def cqc_link(v: HomeView) -> str:
    """The home's own registration's CQC page, as its row names that location (HomeView.cqc_url): its report's when
    that is this registration's, never the earlier registration's a rating it shows was given to."""
    return v.cqc_url


def history(v: HomeView, path: str) -> list[tuple[dt.date, str]]:
    """A rating history field ('YYYY-MM-DD Rating' items, newest first) as (date, rating) pairs; items that
    cannot be read are left out (check reports them)."""
    out = []
    for item in v.get(path) or []:
        date, _, rating = str(item).partition(" ")
        d = as_date(date)
        if d and rating in RANK:
            out.append((d, rating))
    return sorted(out, reverse=True)


def fall(items: list[tuple[dt.date, str]]) -> tuple[str, dt.date, str, list[dt.date]] | None:
    """(the rating before, its date, the rating now, the dates of the inspections that gave it) when the
    latest rating is worse than the one before the current run of it; None otherwise."""
    if not items:
        return None
    now = items[0][1]
    run = [d for d, _ in _run(items)]
    before = items[len(run)] if len(run) < len(items) else None
    if before and RANK[before[1]] < RANK[now]:
        return before[1], before[0], now, sorted(run)
    return None


def _run(items: list[tuple[dt.date, str]]) -> list[tuple[dt.date, str]]:
    """The newest items that all have the latest rating (the inspections in a row that gave it)."""
    out = []
    for d, r in items:
        if r != items[0][1]:
            break
        out.append((d, r))
    return out


def closure_window(today: dt.date, previous: tuple[dt.date, dict[str, dict]] | None, thresholds: dict[str, float]) -> dt.date:
    """The first day a closure or a registration counts as news: the CQC data date of the last release (the newest
    ``cqc_imported`` it holds; the release's own date when it holds none), or ``recent_days`` before ``today``.
    CQC's dates are compared with CQC's date, never with the day the steward made the release: a register dated
    weeks or years before the release would otherwise hide every closure and registration after it."""
    if previous:
        return max((d for row in previous[1].values() if (d := as_date(row.get("cqc_imported")))), default=previous[0])
    return today - dt.timedelta(days=int(thresholds["recent_days"]))


def closed_since(v: HomeView, since: dt.date, previous: tuple[dt.date, dict[str, dict]] | None = None) -> bool:
    """Whether a closed home closed since the last release: its CQC status date is on or after ``since``, or the
    release held it as registered (whatever date CQC gives, which can come before the release when the register
    is late to say so). With no date, a release holding it with no status counts too (taken as open); without a
    release and without a date it cannot be told."""
    if not closed(v.d):
        return False
    row = previous[1].get(v.d["location_id"]) if previous else None
    status = (row.get("cqc_status") or None) if row is not None else False
    d = as_date(v.get("cqc.status_date"))
    if d is not None:
        return d >= since or status == VALUES.registered_status
    return status in CURRENT_STATUSES


def recent_closures(views: list[HomeView], since: dt.date,
                    previous: tuple[dt.date, dict[str, dict]] | None = None, today: dt.date | None = None) -> list[HomeView]:
    """Homes closed (off the CQC register) on or after ``since`` (closed_since), and by ``today`` (the CQC data's
    date, when given), most recent first (undated last)."""
    found = [v for v in views if closed_since(v, since, previous)
             and not (today and (d := as_date(v.get("cqc.status_date"))) and d > today)]
    return sorted(found, key=lambda v: (as_date(v.get("cqc.status_date")) or dt.date.min, v.name), reverse=True)


def signals(views: list[HomeView], today: dt.date, thresholds: dict[str, float],
            previous: tuple[dt.date, dict[str, dict]] | None = None,
            localities: dict[str, list[str]] | None = None) -> list[Signal]:
    """Every signal for the homes, most serious first, each with its area as the market page groups it (the council's
    ``localities``, else the postal town on a site of one council, else the council). ``today`` is the date the data
    is as at (ages are measured from it). A closed home raises only 'Not on the CQC register', and only when it closed
    since the last release (or within ``recent_days``): its ratings and manager are history."""
    out: list[Signal] = []
    t = {**DEFAULTS, **thresholds}
    since = closure_window(today, previous, t)
    as_at = today.isoformat()
    by_town = len({str(v.get("locality")) for v in views}) == 1
    district = by_district(views, by_town, localities)
    for v in views:
        beds = v.get(REGISTERED)

        def add(name: str, fact: str, value: object, date: object, v: HomeView = v, beds: object = beds, shown: str = "") -> None:
            field = v.s.by_path.get(fact)
            out.append(Signal(v.name, v.d["location_id"], v.slug, area_of(v, by_town, localities, district), name, fact, str(value),
                              date.isoformat() if hasattr(date, "isoformat") else str(date or ""),
                              str(v.get("provider.name") or ""), str(v.get("provider.cqc_id") or ""),
                              "" if beds is None else str(beds), cqc_link(v),
                              v.s.values.owner_source(field.owner) if field else "", as_at, v.kind_text, is_care_home(v), shown))
        if closed(v.d):
            if closed_since(v, since, previous):
                add("Not on the CQC register", "cqc.status", v.status, v.get("cqc.status_date"))
            continue
        rating, rdate = v.rating, v.rating_date
        if rating in VALUES.ratings_of_concern:
            given = v.get("cqc.rating_given_to")  # CQC shows an earlier registration's rating until it rates this one
            add(f"Rated {rating}", "cqc.rating", f"{rating}, given to an earlier registration (CQC location {given})" if given
                else rating, rdate)
        for key, question in KEY_QUESTIONS:
            q = v.get(f"cqc.rating_{key}")
            if q in VALUES.ratings_of_concern:
                hist = history(v, f"cqc.rating_history_{key}")
                add(f"{question} rated {q}", f"cqc.rating_{key}", q, hist[0][0] if hist else rdate)
            drop = fall(history(v, f"cqc.rating_history_{key}"))
            if drop:  # dated when it fell: the first inspection of the run that gave the lower rating, not the latest
                add(f"{question} rating fell", f"cqc.rating_history_{key}", _fell(drop, v), drop[3][0], shown=_fell_shown(drop, v))
        overall = history(v, "cqc.rating_history")
        drop = fall(overall)
        if drop:
            add("Rating fell", "cqc.rating_history", _fell(drop, v), drop[3][0], shown=_fell_shown(drop, v))
        run = _run(overall)
        if overall and overall[0][1] == VALUES.ratings_of_concern[1] and len(run) >= t["repeated_rating_inspections"]:
            add(f"Repeated {VALUES.ratings_of_concern[1]}", "cqc.rating_history",
                f"{VALUES.ratings_of_concern[1]} at {len(run)} inspections in a row ({_dates(v, [d for d, _ in reversed(run)])})", run[0][0],
                shown=f"{len(run)} inspections in a row, from {nice_date(run[-1][0])} to {nice_date(run[0][0])}"
                + _given_share(v, [d for d, _ in run]))
        cutoff = today - dt.timedelta(days=round(t["inadequate_within_years"] * 365.25))
        worst = VALUES.ratings_of_concern[0]
        bad = [d for d, r in overall if r == worst and d >= cutoff]
        if bad and rating != worst:
            add(f"Rated {worst} in recent years", "cqc.rating_history",
                f"{worst} at {len(bad)} inspection{'s' * (len(bad) != 1)} ({_dates(v, sorted(bad))})", max(bad))
        if rdate and (today - rdate).days > t["rating_older_than_days"]:
            add(OLD_RATING, "cqc.rating_date", f"{(today - rdate).days} days old on {as_at}", rdate)
        if v.get("cqc.registered_manager") is False:
            absent = v.get("cqc.manager_absent_since")
            add("No registered manager", "cqc.manager_absent_since" if absent else "cqc.registered_manager",
                f"none since {absent.isoformat() if hasattr(absent, 'isoformat') else absent}" if absent else "no",
                absent or v.get("cqc.imported"))
        registered = as_date(v.get("cqc.registered_since"))
        if registered and since <= registered <= today:
            earlier = v.get("cqc.rating_given_to")
            add(REGISTERED_AGAIN if earlier else NEW_REGISTRATION, "cqc.registered_since",
                f"registered {registered.isoformat()}"  # an agency has no beds
                + ((f", {beds} beds" if beds is not None else ", beds not known") if is_care_home(v) else "")
                + (f", showing the rating of an earlier registration (CQC location {earlier})" if earlier else ""), registered)
        for key, name, limit in (("staff_turnover_percent", "High staff turnover", "staff_turnover_percent_above"),
                                 ("nurse_turnover_percent", "High nurse turnover", "nurse_turnover_percent_above")):
            value = v.get(f"staffing.{key}")
            if value is not None and value > t[limit]:
                add(name, f"staffing.{key}", f"{value:g}%", v.get("staffing.date"))
        if previous:
            date, before = previous
            old = before.get(v.d["location_id"], {}).get(REGISTERED_COLUMN)
            new = v.get(REGISTERED)
            if old and new is not None:
                drop_beds = int(old) - new
                if drop_beds >= t["bed_drop_min_beds"] and drop_beds * 100 >= t["bed_drop_percent"] * int(old):
                    add(DROP, REGISTERED, f"{new} (was {old} in the release of {date.isoformat()})", v.get("cqc.imported"))
    return sorted(out, key=lambda s: (s.severity, SERIOUSNESS[s.signal], -(int(s.beds) if s.beds.isdigit() else 0), s.locality, s.home))


def _fell_shown(drop: tuple[str, dt.date, str, list[dt.date]], v: HomeView) -> str:
    """A fall as the market page's tables say it: 'from <the rating before> to <the rating now> on 27 January 2021',
    with ', given to an earlier registration' when CQC gave the lower rating to one (HomeView.given_on)."""
    before, _, now, dates = drop
    return f"from {before} to {now} on {nice_date(dates[0])}{v.given_on(dates[0])}"


def _given_share(v: HomeView, dates: list[dt.date]) -> str:
    """What of ``dates`` (ratings' days) CQC gave to an earlier registration, for the market page's words: ', all given
    to an earlier registration', ', 4 of them ...', or nothing (a run of a registration begun in 2023 read as seven
    years of one home's ratings)."""
    marks = [v.given_on(d) for d in dates]
    given = sum(1 for m in marks if m)
    if not given:
        return ""
    words = next(m for m in marks if m).removeprefix(", ")
    return f", {'all' if given == len(dates) else f'{given} of them'} {words}"


def _fell(drop: tuple[str, dt.date, str, list[dt.date]], v: HomeView) -> str:
    """'<rating before> (its date) to <rating now> (the dates of the inspections that gave it)', each date as
    ``_dates`` says it."""
    before, when, now, dates = drop
    return f"{before} ({_dates(v, [when])}) to {now} ({_dates(v, dates)})"


def _dates(v: HomeView, dates: list[dt.date]) -> str:
    """Rating dates, oldest first, 'd1, d2, d3'; a date of a rating CQC gave to an earlier registration of the
    service followed by ', given to an earlier registration' (HomeView.given_on), once after 'd1, d2 and d3' when
    all of them are (a new registration shows its earlier one's ratings: CQC's continuing regulatory history)."""
    marks = [v.given_on(d) for d in dates]
    if len(dates) > 1 and all(marks):
        return and_list([d.isoformat() for d in dates]) + marks[0]
    return ("; " if any(marks) else ", ").join(d.isoformat() + m for d, m in zip(dates, marks, strict=True))


@dataclass(frozen=True)
class Unchecked:
    """A fact some homes have not given, so the signals it raises could not be checked for them."""

    fact: str
    signals: tuple[str, ...]
    not_known: int
    homes: int

    @property
    def text(self) -> str:
        return f"{self.fact} for {self.not_known:,} of {self.homes:,} home{'s' * (self.homes != 1)}"


# each fact a signal is raised from, and the signals it can raise
CHECKED_FACTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cqc.status", ("Not on the CQC register",)),
    ("cqc.rating", tuple(f"Rated {r}" for r in VALUES.ratings_of_concern)),
    ("cqc.rating_date", (OLD_RATING,)),
    ("cqc.registered_manager", ("No registered manager",)),
    (REGISTERED, (DROP,)),
    ("staffing.staff_turnover_percent", ("High staff turnover",)),
    ("staffing.nurse_turnover_percent", ("High nurse turnover",)),
)


def unchecked(views: list[HomeView]) -> list[Unchecked]:
    """For each fact a signal needs, how many homes have not given it (not known: no signal, but no all-clear either),
    out of the homes that can hold it: an agency has no registered beds or staff turnover to give (its kind has no such
    field), and a home CQC has not yet rated has no rating date to give."""
    views = [v for v in views if not closed(v.d)]
    out = []
    for fact, names in CHECKED_FACTS:
        held = [v for v in views if any(fact in k.field_paths for k in v.kinds)
                and not (fact == "cqc.rating_date" and v.get("cqc.rating") == VALUES.not_yet_rated)]
        missing = sum(1 for v in held if v.get(fact) is None)
        if missing:
            out.append(Unchecked(fact, names, missing, len(held)))
    return out


def previous_release(folder: Path) -> tuple[dt.date, dict[str, dict]] | None:
    """The last release's date and its services' rows by location ID: every kind's table it holds (care-homes.csv,
    home-care-agencies.csv when made), a service of two kinds by its first kind's row (the one with its beds), so
    that an agency the release held as registered is a closure too."""
    found = list_releases(folder)
    if not found:
        return None
    date, path = found[-1]
    held = rows((path / default_kind().csv_file).read_text(encoding="utf-8"))
    for k in kinds()[1:]:
        if (path / k.csv_file).is_file():
            for lid, row in rows((path / k.csv_file).read_text(encoding="utf-8")).items():
                held.setdefault(lid, row)
    return date, held


COLUMNS = ["home", "location_id", "kind", "provider", "provider_id", "locality", default_kind().unit, "signal", "fact", "value",
           "date", "cqc_link", "source", "data_as_at"]  # kind: an agency's empty beds are none to count, not not known


def report_csv(found: list[Signal]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for s in found:
        w.writerow([neutralise(str(getattr(s, c))) for c in COLUMNS])
    return buf.getvalue()


def kind(v: HomeView) -> str:
    """The CQC service type a committee counts beds by: with nursing (including homes with both), or without."""
    return "not known" if v.get(NURSING_FLAG) is None else "with nursing" if v.get(NURSING_FLAG) else "without nursing"


def nursing_beds(v: HomeView) -> int | None:
    """Beds in a home registered with nursing (CQC registers a home's beds, not each bed's type): its
    registered beds; 0 for a home without nursing; None when not known."""
    beds = v.get(REGISTERED)
    return None if beds is None or v.get(NURSING_FLAG) is None else beds if v.get(NURSING_FLAG) else 0


@dataclass(frozen=True)
class ProviderRow:
    """One provider's registered homes in the area, with their beds and signals."""

    provider: str
    provider_id: str
    homes: list[str]
    beds: int
    nursing_beds: int
    signals: int
    homes_with_signals: int
    care_homes: int = 0  # how many of them are care homes: with none, beds do not apply
    beds_not_known: int = 0  # care homes whose registered beds are not known, left out of ``beds``
    nursing_not_known: int = 0  # care homes whose beds or whether with nursing are not known, left out of ``nursing_beds``

    def beds_text(self, count: int, gap: int) -> str:
        """A sum of beds as the providers table shows it: 'not applicable' for a provider of home care only, and the
        care homes the sum leaves out as not known (``gap``: '120 (1 home not known)'), never a 0 standing for them."""
        if not self.care_homes:
            return "not applicable"
        if gap >= self.care_homes:  # none of its care homes has given the figure: not known, never "0 (1 home not known)"
            return VALUES.not_known.lower()
        return f"{count:,}" + (f" ({gap:,} home{'s' * (gap != 1)} not known)" if gap else "")


def providers(views: list[HomeView], found: list[Signal]) -> list[ProviderRow]:
    """Registered homes grouped by provider (CQC provider ID, else name; a home whose provider is not known alone), most
    signals then most beds first."""
    groups: dict[tuple[str, str], list[HomeView]] = {}
    for v in views:
        if not closed(v.d):
            # a home whose provider is not known is a row of its own (its provider ID empty): never one provider of them all
            key = str(v.get("provider.cqc_id") or v.get("provider.name") or "")
            groups.setdefault((key, "" if key else str(v.d["location_id"])), []).append(v)
    by_home: dict[str, int] = {}
    for s in found:
        by_home[s.location_id] = by_home.get(s.location_id, 0) + 1
    out = [ProviderRow(next((str(v.get("provider.name")) for v in vs if v.get("provider.name")), ""), key,
                       sorted(v.name for v in vs), sum(v.get(REGISTERED) or 0 for v in vs),
                       sum(nursing_beds(v) or 0 for v in vs), sum(by_home.get(v.d["location_id"], 0) for v in vs),
                       sum(1 for v in vs if by_home.get(v.d["location_id"])), len(homes := care_homes(vs)),
                       sum(1 for v in homes if v.get(REGISTERED) is None), sum(1 for v in homes if nursing_beds(v) is None))
           for (key, _), vs in groups.items()]
    return sorted(out, key=lambda p: (-p.homes_with_signals, -p.signals, -p.beds, p.provider_id))


def bed_changes(views: list[HomeView], since: dt.date, today: dt.date,
                previous: tuple[dt.date, dict[str, dict]] | None = None, before: Closed | None = None) -> list[list[str]]:
    """Closures and new registrations of care homes since ``since`` by service type: homes and beds lost and gained
    (an agency has neither beds nor a care home's service type: the home care section counts agencies); a service
    registered again (``registered_again_as``) is neither. With no earlier release, the homes CQC deregistered before the first
    import were never listed here: unless the import kept them (``before``, counted_from_register), the homes closed and
    beds lost are then only those listed here ('3 or more'), 'not known' when none is, and the net change is not known
    (never a net gain made of the registrations alone)."""
    again = registered_again_as(views)
    complete = counted_from_register(previous, before, since, today)
    # the closures the imports kept count without an earlier release, as a floor when they do not reach back to since
    views = care_homes(views) + (care_homes(kept_closures(before, today, views)) if previous is None else [])
    unknown = VALUES.not_known.lower()
    rows = []
    closures = [v for v in recent_closures(views, since, previous, today) if v.d["location_id"] not in again]
    # registered in these days, closed since or not (a home both gained and lost its beds in them)
    registered = [v for v in new_registrations(views, since, today, closed_too=True) if not v.get("cqc.rating_given_to")]
    for k in ("with nursing", "without nursing", "not known"):
        gone = [v for v in closures if kind(v) == k]
        new = [v for v in registered if kind(v) == k]
        if gone or new or (k != "not known" and (closures or registered)):  # both kinds once either has a change
            lost, gained = (sum(v.get(REGISTERED) or 0 for v in vs) for vs in (gone, new))
            # a home whose registered beds are not known: the beds a floor, the net change not known (never its 0)
            lost_part, gained_part = (any(v.get(REGISTERED) is None for v in vs) for vs in (gone, new))
            lost_cell = f"{lost:,} or more" if lost_part else f"{lost:,}"
            gained_cell = f"{gained:,} or more" if gained_part else f"{gained:,}"
            if previous is None and not complete:  # a lower bound: what closed before the first import is not here
                closed_cells = [f"{len(gone):,} or more", f"{lost:,} or more"] if gone else [unknown, unknown]
                net = unknown
            else:
                closed_cells = [f"{len(gone):,}", lost_cell]
                net = unknown if lost_part or gained_part else f"{gained - lost:+,}"
            rows.append([f"Care home {k}" if k != "not known" else "Service type not known", *closed_cells,
                         f"{len(new):,}", gained_cell, net])
    return rows


def new_registrations(views: list[HomeView], since: dt.date, today: dt.date, closed_too: bool = False) -> list[HomeView]:
    """The open care homes (``closed_too``: and those closed since) CQC registered from ``since`` to ``today``, a home
    registered again among them."""
    return [v for v in care_homes(views) if (closed_too or not closed(v.d))
            and (d := as_date(v.get("cqc.registered_since"))) and since <= d <= today]


def registered_again(views: list[HomeView], since: dt.date, today: dt.date) -> str:
    """The sentence under the table of beds lost and gained naming each new registration that is a home registered
    again (CQC gives it an earlier registration's rating: cqc.rating_given_to, as after a change of provider), not a
    new home: its beds are not gained. "" when there is none."""
    again = [v for v in new_registrations(views, since, today) if v.get("cqc.rating_given_to")]
    if not again:
        return ""
    def one(v: HomeView) -> str:
        beds = v.get(REGISTERED)
        beds_words = f"{beds:,} beds" if isinstance(beds, int) else f"beds {VALUES.not_known.lower()}"
        return (f"{v.name} ({beds_words}) is not counted as a new home or as beds gained. CQC registered it on "
                f"{nice_date(as_date(v.get('cqc.registered_since')))} but shows the rating of an earlier registration (CQC "
                f"location {v.get('cqc.rating_given_to')}), so it is most likely a home already open, registered again, for "
                "example after a change of provider.")

    return " ".join(one(v) for v in again)


def signalled(found: list[Signal], views: list[HomeView]) -> str:
    """'145 signals for 77 homes', or on a site of several kinds '... for 77 services (38 care homes and 41 home care
    agencies; 2 are both)': the locations signalled, by kind."""
    ids = {s.location_id for s in found}
    flagged = [v for v in views if v.d["location_id"] in ids]
    words = site_words(flagged or current(views))
    return f"{len(found):,} signal{'s' * (len(found) != 1)} for {words.summary(len(flagged))}"


FIRST_IMPORT_CLOSURES = ("<p>This is the first import: there is no earlier release to compare with. Locations CQC "
                         "deregistered before it were never listed in this directory, so they are not counted as closures "
                         "here; closures are counted from the next release on (python3 build.py release).</p>")


FIRST_IMPORT_BEDS = ("<p>There is no earlier release to compare with: homes CQC deregistered before the first import were "
                     "never listed here, so how many homes closed in these days, their beds and the net change in beds are "
                     f"{VALUES.not_known.lower()} (closed homes that are listed here count as a floor: \"1 or more\").</p>\n")


FROM_REGISTER = ("<p>There is no earlier release to compare with. Closures are counted from CQC's register: the imports "
                 "kept each service CQC deregistered from {since} before it was listed here (counted here, with no page "
                 "in the directory), and a listed one that closed is a profile marked closed.</p>")


FROM_REGISTER_PART = ("<p>There is no earlier release to compare with. The imports kept each service CQC deregistered "
                      "from {since} to {until} before it was listed here (counted here, with no page in the directory), "
                      "but these days reach beyond that: a closure outside it of a service never listed here is not "
                      "known, so the homes closed and beds lost are a floor (\"1 or more\").</p>")


def report_html(found: list[Signal], views: list[HomeView], today: dt.date, thresholds: dict, site_url: str,
                previous: tuple[dt.date, dict[str, dict]] | None = None, before: Closed | None = None) -> str:
    """The report page: signals, closures, bed changes by service type, providers, and what is not known;
    ``today`` is the date the CQC data is as at; ``before``: the closures the imports kept (closures.FILE)."""
    e = html.escape
    current = [v for v in views if not closed(v.d)]
    since = closure_window(today, previous, {**DEFAULTS, **thresholds})
    as_at = today.isoformat()
    answered = (views[0].today if views else today).isoformat()  # the day the services' own answers are aged from
    words = site_words(current)  # 'homes' on a site of care homes; 'services' with agencies too
    stale_words = register_stale_words(today, views)
    stale = f'<p role="note"><strong>The CQC information may be out of date.</strong> {e(stale_words)}</p>\n' if stale_words else ""
    body = "".join(
        f"<tr><th scope=\"row\"><a href=\"{e(site_url.rstrip('/'))}/homes/{e(s.slug)}/\">{e(s.home)}</a><br><small>{e(s.kind)}{', ' if s.kind else ''}{e(s.location_id)}</small></th>"
        f"<td>{e(s.provider) or 'not known'}<br><small>{e(s.provider_id)}</small></td><td>{e(s.beds) or ('not known' if s.beds_apply else 'not applicable')}</td>"
        f"<td>{e(s.locality)}</td><td>{e(s.signal)}</td><td><code>{e(s.fact)}</code> = {e(s.value)}</td><td>{e(s.date) or 'unknown'}</td>"
        f"<td><a href=\"{e(s.cqc_link)}\">CQC</a></td><td>{e(s.source)}; data as at {e(s.data_as_at)}</td></tr>"
        for s in found)
    th = "".join(f"<li><code>{e(k)}</code>: {v}</li>" for k, v in thresholds.items())
    gaps = unchecked(views)
    gap_rows = "".join(f"<tr><th scope=\"row\"><code>{e(u.fact)}</code></th><td>{e(', '.join(u.signals))}</td>"
                       f"<td>{u.not_known:,} of {u.homes:,}</td></tr>" for u in gaps)
    gap_table = _table("Facts not known, and the signals they would raise", f"""<thead><tr><th scope="col">Fact</th>
<th scope="col">Signals it would raise</th><th scope="col">Homes where it is {e(VALUES.not_known.lower())}</th></tr></thead>
<tbody>{gap_rows}</tbody>""")
    not_known = (f"""<h2>Not known: signals that could not be checked</h2>
<p>A home without a signal is not a home without a concern. These facts are {e(VALUES.not_known.lower())} for some homes
(the data we hold does not give them), so the signals they raise could not be checked for those homes.</p>
{gap_table}""" if gaps else "<p>Every fact the signals use is known for every home.</p>")
    window = (f"since the last release ({previous[0].isoformat()}, CQC data as at {since.isoformat()})"
              if previous and since != previous[0] else f"since the last release ({since.isoformat()})") if previous else f"in the {int(thresholds.get('recent_days', DEFAULTS['recent_days']))} days to {as_at}"
    complete = counted_from_register(previous, before, since, today)
    gone = recent_closures(views + (kept_closures(before, today, views) if previous is None else []), since, previous, today)
    again_as = registered_again_as(views)
    listed_ids = {v.d["location_id"] for v in views}

    def closed_note(v: HomeView) -> str:
        """Why a closure is not as it looks: a service registered again, or one never listed here."""
        lid = v.d["location_id"]
        said = [f"registered again as {again_as[lid]}: not counted as a closure" if lid in again_as else "",
                "no page here: closed before it was listed" if lid not in listed_ids else ""]
        return "".join(f"<br><small>{e(w)}</small>" for w in said if w)

    closure_rows = "".join(
        f"<tr><th scope=\"row\">{e(v.name)}<br><small>{e(v.d['location_id'])}</small>{closed_note(v)}</th><td>{e(str(v.get('cqc.status_date') or 'not known'))}</td>"
        + (f"<td>{_num(v.get(REGISTERED))}</td><td>{_num(nursing_beds(v))}</td>" if is_care_home(v) else "<td>not applicable</td>" * 2)
        + f"<td>{e(str(v.get('provider.name') or 'not known'))}<br><small>{e(str(v.get('provider.cqc_id') or ''))}</small></td>"
        f"<td><a href=\"{e(cqc_link(v))}\">CQC</a></td></tr>" for v in gone)
    closures = (_table(f"Closed {e(window)}, most recent first (CQC data as at {as_at})", f"""<thead><tr>
<th scope="col">{e(words.one.capitalize())}</th><th scope="col">Closed on</th><th scope="col">Beds</th><th scope="col">Beds with nursing</th>
<th scope="col">Provider</th><th scope="col">CQC</th></tr></thead><tbody>{closure_rows}</tbody>""")
                if gone else f"<p>No home closed {e(window)}.</p>" if previous else "")
    if complete and before is not None:  # no release, but the imports kept what CQC closed in the year before them
        closures = FROM_REGISTER.format(since=e(nice_date(before.since))) + (closures or f"<p>No home closed {e(window)}.</p>")
    elif not previous and before is not None:  # kept, but not for all these days: a floor
        closures = FROM_REGISTER_PART.format(since=e(nice_date(before.since)), until=e(nice_date(before.until))) + closures
    elif not previous:  # nothing to compare with: what CQC deregistered before the import was never listed here
        closures = FIRST_IMPORT_CLOSURES + closures
    change_rows = "".join("<tr><th scope=\"row\">" + r[0] + "</th>" + "".join(f"<td>{c}</td>" for c in r[1:]) + "</tr>"
                          for r in bed_changes(views, since, today, previous, before))
    changes = (_table(f"Homes and beds closed and newly registered {e(window)}, by CQC service type", f"""<thead><tr>
<th scope="col">Service type</th><th scope="col">Homes closed</th><th scope="col">Beds lost</th><th scope="col">Homes registered</th>
<th scope="col">Beds gained</th><th scope="col">Net change in beds from closures and new homes</th></tr></thead><tbody>{change_rows}</tbody>""")
               if change_rows else f"<p>No home closed or registered {e(window)}.</p>")
    again = registered_again(views, since, today)
    changes += f"\n<p>{e(again)}</p>" if again else ""
    anew = [v for v in new_registrations(views, since, today) if not v.get("cqc.rating_given_to")]
    changes += "".join(f"\n<p>{e(w)}</p>" for w in same_place(anew, care_homes(gone)))  # a building registered anew
    grouped = providers(views, found)
    prov_rows = "".join(
        f"<tr><th scope=\"row\">{e(p.provider) or 'not known'}<br><small>{e(p.provider_id)}</small></th><td>{len(p.homes):,}: "
        f"{e(', '.join(p.homes))}</td><td>{p.beds_text(p.beds, p.beds_not_known)}</td><td>{p.beds_text(p.nursing_beds, p.nursing_not_known)}</td><td>{p.signals:,} for "
        f"{e(words.count(p.homes_with_signals))}</td></tr>" for p in grouped)
    nameless = sum(1 for p in grouped if not p.provider and p.provider_id)
    if nameless:  # CQC's location records give the provider's ID; its name is in the provider's own record
        prov_note = (f"<p>We do not have the names of {nameless:,} of the {len(grouped):,} providers. The CQC data we import "
                     "gives only each provider's ID. To find a name, search for the ID on the CQC website.</p>")
    else:
        prov_note = ""
    agencies_too = ", then home care agencies" if any(not s.beds_apply for s in found) else ""  # no beds: after the homes
    signal_table = _table(f"Signals, most serious first; within each signal, the care homes with most beds first{agencies_too} "
                          f"(CQC data as at {as_at})", f"""<thead><tr><th scope="col">{e(words.one.capitalize())}</th><th scope="col">Provider</th>
<th scope="col">Beds</th><th scope="col">Area</th><th scope="col">Signal</th><th scope="col">Fact that triggered it</th>
<th scope="col">Date of the fact</th><th scope="col">CQC report</th><th scope="col">Source</th></tr></thead><tbody>{body}</tbody>""")
    provider_table = _table(f"Registered {e(words.many)} by provider, those with most {e(words.many)} signalled first (CQC data as at {as_at})", f"""<thead><tr>
<th scope="col">Provider</th><th scope="col">{e(words.many.capitalize())}</th><th scope="col">Beds</th><th scope="col">Beds with nursing</th>
<th scope="col">Signals</th></tr></thead><tbody>{prov_rows}</tbody>""") + prov_note
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Care market early-warning report, CQC data as at {as_at}</title>
<style>body{{font-family:sans-serif;margin:1.5rem;color:#1a1a1a;line-height:1.45}}table{{border-collapse:collapse;width:100%}}
th,td{{border:1px solid #999;padding:.35rem .5rem;text-align:left;vertical-align:top}}caption{{text-align:left;font-weight:700;padding:.4rem 0}}
a{{color:#1d3f9a}}.ch-table-wrap{{overflow-x:auto;max-width:100%}}</style></head><body><main>
<h1>Care market early-warning report</h1>
<p><strong>CQC data as at {as_at}</strong> (the newest register date in the profiles; CQC's facts are aged from it, and what
the services say themselves, such as an agency taking new clients, from the day of this report, {answered}).
{len(current):,} registered {e(words.many)}{f" ({len(views) - len(current):,} closed profiles kept for the record are not counted)" if len(views) > len(current) else ""}.
{e(signalled(found, views))}. Not for publication:
signals are prompts to look closer, not findings. Check each fact at its source before acting.</p>
{stale}{not_known}
<h2>Thresholds</h2><ul>{th}</ul>
{signal_table}
<h2>Closures</h2>
{closures}
<h2>Beds lost and gained</h2>
<p>Beds with nursing are the registered beds of homes CQC registers for care with nursing (CQC registers a home's beds, not each bed's type). The net change counts the homes that closed or were newly registered, not a change in the registered beds of a home still open (a sudden drop is among the signals above); the market page's change since a release counts both.</p>
{FIRST_IMPORT_BEDS if not previous and before is None and change_rows else ""}{changes}
{homecare_html(views, today, Tables(site_url.rstrip("/") + "/"), (found, {**DEFAULTS, **thresholds}))}
<h2>Providers</h2>
{provider_table}
</main></body></html>
"""


def _table(caption: str, rest: str) -> str:
    """One of the report's own tables (``caption``: its caption, safe HTML text; ``rest``: what follows it) in a
    keyboard-scrollable region named by its caption, as ``html_table`` makes the home care section's: at 375 px the
    signals table's nine columns made the whole page scroll sideways."""
    return (f'<div class="ch-table-wrap" role="region" tabindex="0" aria-label="{caption}">'
            f"<table><caption>{caption}</caption>{rest}</table></div>")


def old_age(thresholds: dict[str, float]) -> str:
    """How old a rating is before it raises 'Old rating', in words: the schema's (VALUES.rating_stale_age) at the default
    threshold, else the threshold's days ('400 days')."""
    days = thresholds.get("rating_older_than_days", DEFAULTS["rating_older_than_days"])
    return VALUES.rating_stale_age if days == VALUES.rating_stale_days else f"{days:,g} days"


def _num(n: object) -> str:
    return "not known" if n is None else f"{n:,}" if isinstance(n, int) else html.escape(str(n))


def concern_rows(vs: list[HomeView], found: list[Signal], up: str = "", noun: str = "Agency") -> tuple[list[str], list[list[str]], int]:
    """The services among ``vs`` (agencies, or homes: ``noun`` heads their column) with a signal in ``found`` (the
    commissioner report's signals: a rating of concern, a key question of concern, a fall, no registered manager...),
    one row per service, most serious first; and how many more have an old rating as their only signal (left out of
    the rows, where they buried the concerns: 24 of Oldham's 34 agencies, some rated Outstanding)."""
    slugs = {v.slug for v in vs}
    by_agency: dict[str, list[Signal]] = {}
    for s in found:
        if s.slug in slugs and s.signal not in (NEW_REGISTRATION, REGISTERED_AGAIN):
            by_agency.setdefault(s.slug, []).append(s)
    only_old = [slug for slug, found in by_agency.items() if all(s.signal == OLD_RATING for s in found)]
    names = {v.slug: v for v in vs}
    header = [noun, "CQC rating", "Signals"]
    rows = [[f'<a href="{html.escape(up)}homes/{html.escape(slug)}/">{html.escape(names[slug].name)}</a>', html.escape(names[slug].rating_text),
             html.escape("; ".join(f"{s.signal} ({s.shown or _signal_day(s.date, names[slug], s.fact)})" if s.shown or s.date
                                   else s.signal for s in found))]
            for slug, found in by_agency.items() if slug not in only_old]
    return header, rows, len(only_old)


def _signal_day(date: str, v: HomeView, fact: str) -> str:
    """A signal's date as the public pages write a day ("19 September 2023"; as given when it is not a day), a rating's
    with ', given to an earlier registration' when CQC gave it to one (HomeView.given_on), as the service's page says."""
    d = as_date(date)
    return nice_date(d) + (v.given_on(d) if fact.startswith("cqc.rating") else "") if d else date


def homes_of_concern_html(vs: list[HomeView], today: dt.date, tables: Tables) -> str:
    """The market page's care homes of concern (``vs``: its registered care homes, ``today``: the CQC data's date), as its
    agencies of concern are: each home with a signal of the default thresholds, most serious first, with its rating and
    signals; a home whose only signal is an old rating counted under the table."""
    header, rows, only_old = concern_rows(vs, signals(vs, today, {}), tables.up, "Home")
    out = ['<h3 id="homes-of-concern">Care homes of concern</h3>',
           f"<p>{CONCERN_PROMPT}</p>" if rows else "",
           tables.add("homes-of-concern", f"Care homes with a signal (a rating of concern, a fall in rating, no registered manager "
                      f"or another), as at {nice_date(today)}", header, rows) if rows else
           "<p>No care home has a signal.</p>" if any(v.rating for v in vs) else
           "<p>We cannot list any: this data has no CQC rating for any home.</p>"]
    if only_old:
        out.append(f"<p>{only_old_words(only_old, 'home', 'homes', DEFAULTS)} {EVERY_SIGNAL}</p>")
    return "\n".join(x for x in out if x)


# said under each table of services of concern on the public market page, of the signals it leaves out
EVERY_SIGNAL = "The council's own report for its commissioners, which is not published, lists every signal."
# said above each table of services of concern on the public market page, as the report says it is not for publication
CONCERN_PROMPT = ("These are prompts to look closer, not findings: check each one's CQC report before drawing a conclusion "
                  "about its care.")


def only_old_words(n: int, one: str, many: str, thresholds: dict) -> str:
    """The sentence under a table of services of concern counting those left out: an old rating their only signal."""
    return (f"{n:,} more {one if n == 1 else many} {'is' if n == 1 else 'are'} not listed. {'Its' if n == 1 else 'Their'} "
            f"only signal is a CQC rating more than {old_age(thresholds)} old, which on its own says nothing about the care.")


def homecare_html(views: list[HomeView], today: dt.date, tables: Tables | None = None,
                  report: tuple[list[Signal], dict[str, float]] | None = None) -> str:
    """Home care capacity by area and the agencies of concern, for the market page (the default thresholds) and the
    commissioner report (``report``: its signals and thresholds, so that its two tables agree); empty when no
    location is a home care agency."""
    vs = agencies(current(views))
    today = data_date(vs) or today
    if not vs:
        return ""
    tables = tables if tables is not None else Tables()
    taking = sum(1 for v in vs if v.taking_now)
    area = sum(1 for v in vs if v.get("coverage.districts"))
    homes_too = len(care_homes(vs))
    dormant = sum(1 for v in vs if v.get("cqc.dormant") is True)
    counted = any(v.dormant_now for v in vs)  # as taking_now counts it
    days = limits_of(vs)["availability"].words  # the pages' own limit (the schema's, or mkdocs.yml's), as they flag it
    out = ['<h2 id="home-care">Home care capacity by area</h2>',
           f"<p>{len(vs):,} registered home care agencies"
           + (f" ({homes_too:,} of them also {default_kind().plural.lower()})" if homes_too else "") + ". "
           + (f"{dormant:,} of the {len(vs):,} {'was' if dormant == 1 else 'were'} dormant on CQC's register of "
              f"{nice_date(today)}: registered, but not providing care at the time (counted among the {len(vs):,}). "
              if dormant else "")
           + (f"{taking:,} said in the last {days} that they are taking new clients, with "
              f"{hours_text(vs)} hours of care a week between them; " if taking else
              f"None has said in the last {days} that it is taking new clients; ")
           + f"{area:,} of {len(vs):,} have given "
           "the postcode districts they cover (an agency's CQC address is only its office). An agency counts in every district "
           "it covers. Whether it takes new clients and its hours come from the agency; an answer more than "
           f"{days} old counts as not known"
           + (", and an agency CQC records as dormant counts as not taking new clients, whatever it last said." if counted else
              f". CQC's register is more than {limits_of(vs)['register'].words} old, so its dormant flags may be out of "
              "date: an agency it records as dormant counts by what the agency last told us." if dormant else ".")
           + "</p>"]
    header, rows = homecare_rows(vs)
    out.append(tables.add("home-care-capacity", f"Home care agencies by postcode district covered (CQC data as at "
                          f"{nice_date(today)}; taking new clients and hours as each agency last said)", header, rows))
    header, rows = quality_rows(vs, "agencies")
    out.append(tables.add("agency-quality", f"Home care agencies by CQC rating, overall and for each key question, as at "
                          f"{nice_date(today)}", header, rows))
    earlier = earlier_ratings_text(vs, "agency", "agencies")
    out.append(f"<p>{html.escape(' '.join(filter(None, (earlier, manager_text(vs, 'agency', 'agencies')))))}</p>")
    found, thresholds = report if report is not None else (signals(vs, today, {}), DEFAULTS)
    header, rows, only_old = concern_rows(vs, found, tables.up)
    out.append('<h3 id="agencies-of-concern">Agencies of concern</h3>')
    if rows:
        out.append(f"<p>{CONCERN_PROMPT}</p>")
    out.append(tables.add("agencies-of-concern", f"Home care agencies with a signal (a rating of concern, a fall in rating, no registered "
                          f"manager or another), as at {nice_date(today)}", header, rows)
               if rows else "<p>No home care agency has a signal.</p>")
    if only_old:
        out.append(f"<p>{only_old_words(only_old, 'agency', 'agencies', thresholds)} "
                   + ("The signals table above lists every signal." if report is not None else
                      EVERY_SIGNAL) + "</p>")
    return "\n".join(out)
