"""Early-warning signals for commissioners, from public facts (not on the public site).

Each signal names the fact that triggered it, its value and its date, so a commissioner can check
it at source. Thresholds come from ``signals.yaml``; anything missing there uses DEFAULTS.
"""
from __future__ import annotations

import csv
import datetime as dt
import html
import io
import math
from dataclasses import dataclass
from pathlib import Path

import yaml

from .kinds import default_kind
from .text import neutralise
from .releases import list_releases, rows
from .views import VALUES, HomeView

# the first kind's registered capacity (beds.registered), its column in the release CSV, and the signal it raises
REGISTERED = str(default_kind().registered)
REGISTERED_COLUMN = next(f.name for f in default_kind().fields if f.path == REGISTERED)
DROP = f"Sudden drop in {default_kind().unit}"

DEFAULTS: dict[str, float] = {"rating_older_than_days": VALUES.rating_stale_days, "staff_turnover_percent_above": 30, "nurse_turnover_percent_above": 30,
            "bed_drop_percent": 10, "bed_drop_min_beds": 3}
# ratingsOfConcern in the schema lists the worst first: severity 1, then 2
SEVERITY = {**{f"Rated {r}": n for n, r in enumerate(VALUES.ratings_of_concern, 1)},
            "Not on the CQC register": 1, "No registered manager": 2,
            DROP: 2, "High staff turnover": 3, "High nurse turnover": 3, "Rating out of date": 3}


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

    @property
    def severity(self) -> int:
        return SEVERITY[self.signal]


def load_thresholds(path: Path | None) -> dict[str, float]:
    """DEFAULTS with the thresholds set in ``path`` (None: the defaults); ConfigError naming the file, key
    and value when the file is missing or unreadable or a value is not a finite number of 0 or more."""
    t = dict(DEFAULTS)
    if path is None:
        return t
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such thresholds file; give an existing signals.yaml with --config") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot be read ({exc}); give a signals.yaml file saved as UTF-8 text with --config") from None
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(f"{path}{f':{mark.line + 1}' if mark else ''}: is not valid YAML "
                          f"({getattr(exc, 'problem', None) or exc}); write one 'name: number' per line") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: must be 'name: number' lines")
    for k, v in data.items():
        if k not in DEFAULTS:
            raise ConfigError(f"{path}: '{k}' is not a threshold; use one of {', '.join(DEFAULTS)}")
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or v < 0:
            raise ConfigError(f"{path}: {k} must be a number of 0 or more, not {v!r}")
        t[k] = v
    return t


def signals(views: list[HomeView], today: dt.date, thresholds: dict[str, float],
            previous: tuple[dt.date, dict[str, dict]] | None = None) -> list[Signal]:
    out: list[Signal] = []
    for v in views:
        def add(name: str, fact: str, value: object, date: object, v: HomeView = v) -> None:
            out.append(Signal(v.name, v.d["location_id"], v.slug, str(v.get("locality")), name, fact, str(value),
                              date.isoformat() if hasattr(date, "isoformat") else str(date or "")))
        rating, rdate = v.rating, v.rating_date
        if rating in VALUES.ratings_of_concern:
            add(f"Rated {rating}", "cqc.rating", rating, rdate)
        if rdate and (today - rdate).days > thresholds["rating_older_than_days"]:
            add("Rating out of date", "cqc.rating_date", f"{(today - rdate).days} days old", rdate)
        if v.get("cqc.registered_manager") is False:
            add("No registered manager", "cqc.registered_manager", "no", v.get("cqc.imported"))
        if not v.on_register:
            add("Not on the CQC register", "cqc.status", v.status, v.get("cqc.status_date"))
        for key, name, limit in (("staff_turnover_percent", "High staff turnover", "staff_turnover_percent_above"),
                                 ("nurse_turnover_percent", "High nurse turnover", "nurse_turnover_percent_above")):
            value = v.get(f"staffing.{key}")
            if value is not None and value > thresholds[limit]:
                add(name, f"staffing.{key}", f"{value:g}%", v.get("staffing.date"))
        if previous:
            date, before = previous
            old = before.get(v.d["location_id"], {}).get(REGISTERED_COLUMN)
            new = v.get(REGISTERED)
            if old and new is not None:
                drop = int(old) - new
                if drop >= thresholds["bed_drop_min_beds"] and drop * 100 >= thresholds["bed_drop_percent"] * int(old):
                    add(DROP, REGISTERED, f"{new} (was {old} in the release of {date.isoformat()})", v.get("cqc.imported"))
    return sorted(out, key=lambda s: (s.severity, s.locality, s.home, s.signal))


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
    ("cqc.rating_date", ("Rating out of date",)),
    ("cqc.registered_manager", ("No registered manager",)),
    (REGISTERED, (DROP,)),
    ("staffing.staff_turnover_percent", ("High staff turnover",)),
    ("staffing.nurse_turnover_percent", ("High nurse turnover",)),
)


def unchecked(views: list[HomeView]) -> list[Unchecked]:
    """For each fact a signal needs, how many homes have not given it (not known: no signal, but no all-clear either)."""
    out = []
    for fact, names in CHECKED_FACTS:
        missing = sum(1 for v in views if v.get(fact) is None)
        if missing:
            out.append(Unchecked(fact, names, missing, len(views)))
    return out


def previous_release(folder: Path) -> tuple[dt.date, dict[str, dict]] | None:
    found = list_releases(folder)
    if not found:
        return None
    date, path = found[-1]
    return date, rows((path / default_kind().csv_file).read_text(encoding="utf-8"))


COLUMNS = ["home", "location_id", "locality", "signal", "fact", "value", "date"]


def report_csv(found: list[Signal]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for s in found:
        w.writerow([neutralise(str(getattr(s, c))) for c in COLUMNS])
    return buf.getvalue()


def report_html(found: list[Signal], views: list[HomeView], today: dt.date, thresholds: dict, site_url: str) -> str:
    e = html.escape
    homes = len({s.location_id for s in found})
    body = "".join(
        f"<tr><th scope=\"row\"><a href=\"{e(site_url.rstrip('/'))}/homes/{e(s.slug)}/\">{e(s.home)}</a><br><small>{e(s.location_id)}</small></th>"
        f"<td>{e(s.locality)}</td><td>{e(s.signal)}</td><td><code>{e(s.fact)}</code> = {e(s.value)}</td><td>{e(s.date) or 'unknown'}</td></tr>"
        for s in found)
    th = "".join(f"<li><code>{e(k)}</code>: {v}</li>" for k, v in thresholds.items())
    gaps = unchecked(views)
    gap_rows = "".join(f"<tr><th scope=\"row\"><code>{e(u.fact)}</code></th><td>{e(', '.join(u.signals))}</td>"
                       f"<td>{u.not_known:,} of {u.homes:,}</td></tr>" for u in gaps)
    not_known = (f"""<h2>Not known: signals that could not be checked</h2>
<p>A home without a signal is not a home without a concern. These facts are {e(VALUES.not_known.lower())} for some homes
(the data we hold does not give them), so the signals they raise could not be checked for those homes.</p>
<table><caption>Facts not known, and the signals they would raise</caption><thead><tr><th scope="col">Fact</th>
<th scope="col">Signals it would raise</th><th scope="col">Homes where it is {e(VALUES.not_known.lower())}</th></tr></thead>
<tbody>{gap_rows}</tbody></table>""" if gaps else "<p>Every fact the signals use is known for every home.</p>")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Care market early-warning report, {today.isoformat()}</title>
<style>body{{font-family:sans-serif;margin:1.5rem;color:#1a1a1a;line-height:1.45}}table{{border-collapse:collapse;width:100%}}
th,td{{border:1px solid #999;padding:.35rem .5rem;text-align:left;vertical-align:top}}caption{{text-align:left;font-weight:700;padding:.4rem 0}}
a{{color:#1d3f9a}}</style></head><body>
<h1>Care market early-warning report</h1>
<p>Made on {today.isoformat()} from {len(views):,} profiles. {len(found):,} signals for {homes:,} homes. Not for publication:
signals are prompts to look closer, not findings. Check each fact at its source before acting.</p>
{not_known}
<h2>Thresholds</h2><ul>{th}</ul>
<table><caption>Signals, most serious first</caption><thead><tr><th scope="col">Home</th><th scope="col">Area</th>
<th scope="col">Signal</th><th scope="col">Fact that triggered it</th><th scope="col">Date of the fact</th></tr></thead><tbody>{body}</tbody></table>
</body></html>
"""
