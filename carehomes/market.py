"""Market overview for commissioners: capacity, vacancies, capability gaps and quality, by area.

Charts are SVG made here at build time, each with a title, a description and the same numbers
in a table beside it; no chart library and nothing loaded from the network.
"""
from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from .ages import Age, age_words, nice_date
from .closures import WINDOW_DAYS, Closed
from .finding import locality_for
from .docs import html_table
from .kinds import default_kind
from .outputs.tables import DP_V2, csv_writer
from .records import closed, get_path
from .schema import load_schema
from .text import and_list, neutralise
from .views import VALUES, HomeView

KIND = default_kind()  # the market page is the care homes': their beds, with and without nursing
REGISTERED = str(KIND.registered)
NURSING, RESIDENTIAL = KIND.capacity  # the pair, as the kind declares it (with nursing, without)

YEAR_DAYS = 365


def age_labels(limit: Age) -> list[str]:
    """The rating-age buckets, oldest last; the last-but-one ends at the rating's staleness threshold."""
    return ["Under 1 year", f"1 year to {limit.words}", f"Over {limit.words}", "No rating date"]


def limits_of(views: list[HomeView]) -> dict[str, Age]:
    """The staleness thresholds the homes' pages use (the schema's, with mkdocs.yml's overrides)."""
    return views[0].limits if views else dict(VALUES.staleness)


TOTAL = "Total"  # the tables' last row: every area's homes
NO_PLACE = "Unknown"  # the area of a home whose address gives no town (or postcode, where areas are districts)
OWN_ROWS = (TOTAL, NO_PLACE)  # names of the tables' own rows, which no locality of a council's may take (siteconfig)


def town_name(town: str | None) -> str:
    """'Ross On Wye', 'ross-on-wye' -> 'Ross-on-Wye', 'Ottery St. Mary' -> 'Ottery St Mary'; 'Near Leominster' stays 'Near Leominster', as the browse lists
    and the find page group towns (finding.town_key): a town the address names, never another one."""
    if not town:
        return NO_PLACE
    t = re.sub(r"\s+", " ", town.replace(".", " ")).strip()  # 'Ottery St. Mary' and 'Ottery St Mary': one town, one row
    t = re.sub(r"[\s-]+", "-", t) if re.search(r"\bon\b", t, re.I) else t
    words = re.split(r"(-|\s)", t)
    small = {"on", "upon", "in", "by", "the", "under", "le"}
    return "".join(w.lower() if w.lower() in small and i else w[:1].upper() + w[1:].lower() for i, w in enumerate(words))


class Located(Protocol):
    """A home now (a HomeView) or in a release snapshot (a ``Released``): anything with its facts by path (``get``)
    from its record (``d``)."""

    @property
    def d(self) -> dict: ...

    def get(self, path: str) -> Any: ...


def _values(vs: Sequence[Located], path: str) -> list[Any]:
    """``[v.get(path) for v in vs]``, read from each home's record (``get_path``) without the view remembering it:
    the market page reads each of its values in one or two passes, so remembering 40 values in each of 15,403 views
    nationally cost more than it saved."""
    steps = path.split(".")
    return [get_path(v.d, steps) for v in vs]


@dataclass(frozen=True)
class Released:
    """A home as a release snapshot recorded it, read by path as a HomeView is."""

    d: dict

    def get(self, path: str) -> Any:
        return get_path(self.d, path.split("."))


def by_district(views: Sequence[Located], by_town: bool, localities: dict[str, list[str]] | None) -> bool:
    """Whether a page of one council groups its homes by postcode district: when no home has a town (CQC's care
    directory gives the address in one line) and the council sets no localities, rather than every home under 'Unknown'."""
    return by_town and not localities and not any(v.get("address.town") for v in views)


NOT_LISTED = "(not in a listed locality)"


def area_of(v: Located, by_town: bool, localities: dict[str, list[str]] | None = None, district: bool = False) -> str:
    """The home's council-defined locality (``localities``: name -> postcode districts or sectors, such as
    HR6 or 'HR1 2'; its postal town and NOT_LISTED when none lists its postcode), else its postal town when the page
    covers one council (its postcode district with ``district``:
    by_district), else its council."""
    if localities:
        postcode = str(v.get("address.postcode") or "").upper()
        found = locality_for(postcode, localities)
        if found:
            return found
        if postcode:  # none of the council's localities lists it: its postal town, said to be no locality of the council's
            # ("Manchester" read as one of Oldham's areas beside its five localities, for three agencies at M24)
            return f"{town_name(v.get('address.town'))} {NOT_LISTED}"
    if district:
        return str(v.get("address.postcode") or "").upper().split(" ")[0] or NO_PLACE
    return town_name(v.get("address.town")) if by_town else str(v.get("locality"))


def register_dates(views: list[HomeView]) -> list[dt.date]:
    """The CQC register dates of the profiles that give one (``cqc.imported``), a profile's each."""
    return [d for d in (as_date(v.get("cqc.imported")) for v in views) if d]


def data_date(views: list[HomeView]) -> dt.date | None:
    """The date the market page and the report are 'as at': the newest CQC register date in the profiles
    (not the clock, so ages read as they did when CQC published the data); None when no home has one."""
    return max(register_dates(views), default=None)


def oldest_data_date(views: list[HomeView]) -> dt.date | None:
    """The oldest CQC register date in the profiles: data_date's, unless they come from registers of several dates
    (a merge of two councils' open data, each imported on its own day); None when no home has one."""
    return min(register_dates(views), default=None)


def as_at_words(views: list[HomeView], today: dt.date) -> str:
    """A table's date: "as at 20 March 2025", or with registers of several dates (a merge) their span, "as at 31 March
    2021 to 20 March 2025" (a caption is read on its own: it gave the newest alone, the accessibility review)."""
    oldest = oldest_data_date(views)
    return f"as at {nice_date(oldest)} to {nice_date(today)}" if oldest and oldest < today else f"as at {nice_date(today)}"


def register_stale_words(as_at: dt.date | None, views: list[HomeView], some: bool = False) -> str | None:
    """Why the market page's and the report's figures may be out of date, when the CQC register they are as at is older
    than the register's staleness age (mkdocs.yml staleness.register) on the day they are made (the views' today):
    "They are from CQC's register of 20 March 2025 (1 year 8 months ago), more than 3 months ago: ..."; else None."""
    if as_at is None or not views:
        return None
    limit, today = views[0].limits["register"], views[0].today
    if not limit.passed(as_at, today):
        return None
    return (f"{'Some of the' if some else 'The'} CQC figures are from CQC's register of {nice_date(as_at)}, "
            f"{age_words(as_at, today)}. Since then, services "
            "may have opened, closed, changed their beds or been inspected. We show this warning when CQC's data is more "
            f"than {limit.words} old.")


def release_data_date(previous: tuple[dt.date, dict[str, dict]] | None) -> dt.date | None:
    """The CQC data date of a release (its date and records): the newest ``cqc.imported`` it holds, as ``data_date``
    is now's; None without a release or a date in it. A release made in November 2026 of a register of March 2021
    compares March 2021 with March 2021, whatever its own date says."""
    dates = [d for r in (previous[1].values() if previous else ()) if (d := as_date(get_path(r, ["cqc", "imported"])))]
    return max(dates) if dates else None


def as_date(value: object) -> dt.date | None:
    """A profile's date (a date, or ISO text); None when missing or not a date."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def current(views: list[HomeView]) -> list[HomeView]:
    """The homes on the CQC register (a closed home keeps its profile but is not counted)."""
    return [v for v in views if not closed(v.d)]


@dataclass
class Chart:
    id: str
    title: str
    description: str
    labels: list[str]
    values: list[int]
    unit: str
    group: str = "Group"

    # Each bar under its label, in a chart 300 wide at 14 px text: at 320 px a phone shows it at nearly its own size
    # (text about 13 px). Labels beside the bars needed a chart 560-650 wide, which a phone shrank to half, its text
    # to 6-7 px; and a label column of fixed width cut "Royton, Shaw and Crompton" and still ran past the chart's
    # left edge. A label longer than LABEL_MOST characters (about the chart's width) is cut with "…"; the table
    # under the chart holds it whole.
    WIDTH, LABEL_MOST = 300, 36

    def svg(self) -> str:
        """A horizontal bar chart, each bar under its label; text is escaped; sized to fit a phone."""
        label_h, bar_h, gap, value_w = 17, 18, 12, 64
        top = 4
        row_h = label_h + bar_h + gap
        height = top + len(self.labels) * row_h
        peak = max(self.values + [1])
        rows = []
        for i, (label, value) in enumerate(zip(self.labels, self.values, strict=True)):
            y = top + i * row_h
            w = 0 if value == 0 else max(2, round((self.WIDTH - value_w) * value / peak))
            short = label if len(label) <= self.LABEL_MOST else label[:self.LABEL_MOST - 1] + "…"
            rows.append(f'<text class="ch-chart-label" x="0" y="{y + 13}">{html.escape(short)}</text>'
                        f'<rect x="0" y="{y + label_h}" width="{w}" height="{bar_h}" fill="#3f51b5"></rect>'
                        f'<text x="{w + 6}" y="{y + label_h + 14}">{value:,}</text>')
        return (f'<svg class="ch-chart" width="{self.WIDTH}" height="{height}" viewBox="0 0 {self.WIDTH} {height}" role="img" aria-labelledby="{self.id}-t {self.id}-d" '
                f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="14" fill="#1a1a1a">'
                f'<title id="{self.id}-t">{html.escape(self.title)}</title><desc id="{self.id}-d">{html.escape(self.description)}</desc>'
                + "".join(rows) + "</svg>")

    def table(self) -> str:
        body = "".join(f"<tr><th scope=\"row\">{html.escape(label)}</th><td>{v:,}</td></tr>" for label, v in zip(self.labels, self.values, strict=True))
        return (f'<table class="ch-table"><caption>{html.escape(self.title)} (the numbers in the chart)</caption>'
                f'<thead><tr><th scope="col">{html.escape(self.group)}</th><th scope="col">{html.escape(self.unit)}</th></tr></thead><tbody>{body}</tbody></table>')

    def html(self) -> str:
        return f'<figure class="ch-figure" id="{self.id}"><figcaption>{html.escape(self.description)}</figcaption>{self.svg()}{self.table()}</figure>'


def overview(views: list[HomeView], today: dt.date, localities: dict[str, list[str]] | None = None) -> dict:
    """All the numbers the market page shows."""
    localities_seen = sorted({str(v.get("locality")) for v in views})
    by_town = len(localities_seen) == 1
    district = by_district(views, by_town, localities)
    areas: dict[str, list[HomeView]] = defaultdict(list)
    for v in views:
        areas[area_of(v, by_town, localities, district)].append(v)
    for name in localities or {}:  # a locality the council names with no care home (its last one closed): a row of 0
        areas.setdefault(name, [])
    names = sorted(areas, key=lambda a: (-len(areas[a]), a))
    cap = []
    caps = views[0].s.capabilities if views else []
    for c in caps:
        accepted = f"capabilities.{c.code}.accepted"
        row: dict[str, Any] = {"label": c.label.split(" (")[0], "cells": [], "told": 0}
        for a in names:  # every home is in one area: each home's answer read once
            answers = list(zip(areas[a], _values(areas[a], accepted), strict=True))
            told = [v for v, x in answers if x is not None]
            homes = [v for v, x in answers if x is not None and x]
            row["told"] += len(told)
            row["cells"].append(NeedCell(len(homes), len(told), tuple(_known_sum(homes, f"capabilities.{c.code}.{n.needs_field}")
                                                                      for n in KIND.capacity if n.needs_field), not areas[a]))
        cap.append(row)
    ratings = Counter(v.rating_label for v in views)
    ages: Counter = Counter()
    limit = limits_of(views)["rating"]
    under_year, under_stale, over_stale, undated = age_labels(limit)
    for v in views:
        d = v.rating_date
        ages[undated if not d else under_year if (today - d).days <= YEAR_DAYS else
             over_stale if limit.passed(d, today) else under_stale] += 1
    return {"by_town": by_town, "by_district": district, "areas": names, "groups": areas, "capabilities": cap, "ratings": ratings, "ages": ages,
            "localities": localities_seen}


def _sum(vs: list[HomeView], path: str) -> int:
    return sum(v.get(path) or 0 for v in vs)


def _known_sum(vs: Sequence[Located], path: str) -> int | None:
    """The total over the homes that gave the figure, or None when none did (not known, not 0)."""
    given = [x for x in _values(vs, path) if x is not None]  # each home's value read once
    return sum(given) if given or not vs else None  # no homes at all: 0, known (a locality whose last home closed)


def _not_known() -> str:
    return VALUES.not_known.lower()


@dataclass(frozen=True)
class Part:
    """One column of a table's CSV and of its data package: its name, its Table Schema type (``integer``, ``number``,
    ``date`` or ``string``), what a value is where the name alone does not say, and the words besides the not-known
    wording (``missing_values``) that it writes for no value ("no reports")."""

    name: str
    type: str = "string"
    description: str = ""
    missing: tuple[str, ...] = ()


class Column(str):
    """A table's header cell as the page shows it, with the CSV columns it is written as (``parts``): one, or one for
    each number a cell under it holds ("With nursing: homes (beds)" is "With nursing: homes" and "With nursing: beds").
    A header that is a plain ``str`` is one column of text, as is a ``Column`` given no parts."""

    parts: tuple[Part, ...]

    def __new__(cls, text: str, *parts: Part) -> Column:
        column = super().__new__(cls, text)
        column.parts = parts or (Part(text.strip()),)
        return column


class Cell(str):
    """A table cell's HTML as the page shows it ("14 (560 beds)"), with its values for its column's CSV columns, one a
    part (14 and 560): an int, a float, a date, or the words the page says for no value ("not known"). Made where the
    row is built, so no CSV value is read back from the page's text."""

    values: tuple[Any, ...]

    def __new__(cls, text: str, *values: Any) -> Cell:
        cell = super().__new__(cls, text)
        cell.values = values
        return cell


def integer(text: str, description: str = "", missing: tuple[str, ...] = ()) -> Column:
    """A column of whole numbers (counts), named as its header."""
    return Column(text, Part(text.strip(), "integer", description, missing))


def unknown(parts: int) -> Cell:
    """The not-known wording, in each of a column's ``parts`` CSV columns (a release there is none of)."""
    return Cell(_not_known(), *[_not_known()] * parts)


def total_column(text: str, what: str) -> Column:
    """A column of ``_total_of``'s cells: the sum over the homes that gave ``what``, and how many did not."""
    name = text.strip()
    return Column(text, Part(name, "integer", f"The sum of {what} over the homes that gave them."),
                  Part(f"{name}: homes not known", "integer", f"Homes whose {what} are {_not_known()}: not in the sum."))


def count_column(text: str, what: str) -> Column:
    """A column of ``_count_of``'s cells: the homes that have ``what``, and how many have not said."""
    name = text.strip()
    return Column(text, Part(name, "integer", f"Homes that {what}, of those whose data says."),
                  Part(f"{name}: not known", "integer", f"Homes whose data does not say whether they {what}."))


def given_column(text: str, what: str) -> Column:
    """A column of ``_given``'s cells: the total the homes gave of ``what``, and how many homes gave it."""
    name = text.strip()
    return Column(text, Part(name, "integer", f"The sum of the {what} the homes gave, over the homes that gave a figure."),
                  Part(f"{name}: homes that gave it", "integer", "Homes that gave the figure: the others are not in the sum."))


def _given(vs: list[HomeView], path: str) -> Cell:
    """A total over the homes that gave the figure, or 'not known' when none did."""
    given = [x for x in _values(vs, path) if x is not None]
    return (Cell(f"{sum(given):,} ({len(given)} home{'s' * (len(given) != 1)})", sum(given), len(given)) if given
            else Cell(_not_known(), _not_known(), 0))


def _count(vs: list[HomeView], path: str, yes: bool = True) -> Cell:
    """How many homes have ``path`` true (or false), saying how many have not given it: '3' or '3 (2 not known)'."""
    return _count_of(_values(vs, path), yes)  # each home's read once


def _count_of(values: list[Any], yes: bool = True) -> Cell:
    """_count from the homes' values: 'not known' when no home has given it (never a 0 that reads as none does)."""
    n = sum(1 for x in values if x is not None and bool(x) == yes)
    unknown = sum(1 for x in values if x is None)
    if values and unknown == len(values):
        return Cell(_not_known(), _not_known(), unknown)
    return Cell(f"{n:,}" + (f" ({unknown:,} {_not_known()})" if unknown else ""), n, unknown)


def _total(vs: Sequence[Located], path: str) -> Cell:
    """A sum over the homes, saying how many have not given the figure."""
    return _total_of(_values(vs, path))  # each home's read once


def _total_of(values: list[Any]) -> Cell:
    """_total from the homes' values."""
    given = [x for x in values if x is not None]
    unknown = len(values) - len(given)
    known = sum(given) if given or not values else None  # _known_sum
    if known is None:
        return Cell(_not_known(), _not_known(), unknown)
    return Cell(f"{known:,}" + (f" ({unknown:,} home{'s' * (unknown != 1)} {_not_known()})" if unknown else ""), known, unknown)


@dataclass(frozen=True)
class NeedCell:
    """One need in one area: homes that say they can, homes that told us at all, and their beds of each type
    (with nursing, without)."""

    can: int
    told: int
    beds: tuple[int | None, ...]
    none_here: bool = False  # the area has no care home at all (a locality the council names whose last one closed)

    def html(self) -> str:
        """The schema's not-known wording when no home told us; its no-home-can wording (a real gap) when homes told us
        and all said no, or when the area has no care home at all (it said the not-known wording, though the gap is certain: the
        accessibility review)."""
        if self.none_here:
            return f'<strong class="ch-gap">{html.escape(VALUES.unknowns.no_home_can)}</strong>; no care home here'
        if self.told == 0:
            return f'<span class="ch-unknown">{html.escape(VALUES.not_known)}</span>'
        told = f"{self.told} told us"
        if self.can == 0:
            return f'<strong class="ch-gap">{html.escape(VALUES.unknowns.no_home_can)}</strong>; {told}'
        beds = " / ".join(_not_known() if b is None else f"{b:,}" for b in self.beds)
        return f"{self.can} home{'s' * (self.can != 1)} can ({KIND.unit}: {beds}); {told}"

    def cell(self) -> Cell:
        """The cell the page shows (``html``), with its values for the CSV: the homes that can meet the need, their beds
        of each type (0 when none can: a real gap) and the homes that told us; the schema's not-known wording where no home told us."""
        if self.told == 0 and not self.none_here:
            return Cell(self.html(), VALUES.not_known, *[VALUES.not_known] * len(self.beds), 0)
        beds = [_not_known() if b is None else b for b in self.beds] if self.can else [0] * len(self.beds)
        return Cell(self.html(), self.can, *beds, self.told)

    @staticmethod
    def column(area: str) -> Column:
        """An area's column of the needs table: its cells' CSV columns (``cell``)."""
        name = area.strip()
        return Column(area, Part(f"{name}: homes that can", "integer", "Homes in the area that say they can meet the need."),
                      *(Part(f"{name}: {KIND.unit} {c.label}", "integer",
                             f"The {KIND.unit} {c.label} for the need the homes that can meet it say they have, over the homes "
                             "that gave a figure (0 when none can).") for c in KIND.capacity if c.needs_field),
                      Part(f"{name}: homes that told us", "integer", "Homes in the area that told us whether they can (yes or no)."))


def _of_homes(some: int, every: int) -> str:
    """'3 of 44 homes have', '0 of 1 home has' (a market of one home)."""
    return f"{some:,} of {every:,} " + ("home has" if every == 1 else "homes have")


def manager_text(views: list[HomeView], one: str = "home", many: str = "homes") -> str:
    """Registered managers, counting only the locations (homes, or ``many``) whose CQC data says; never 0 for 'not known'."""
    no = sum(1 for v in views if v.get("cqc.registered_manager") is False)
    known = sum(1 for v in views if v.get("cqc.registered_manager") is not None)
    if not known:
        every = f"the 1 {one}" if len(views) == 1 else f"all {len(views):,} {many}"
        return (f"Whether a registered manager is in post is {_not_known()} for {every}: "
                "the CQC data we hold does not say.")
    unknown = len(views) - known
    return (f"{many.capitalize()} with no registered manager in post according to CQC: {no:,} of the {known:,} whose CQC data says."
            + (f" For {unknown:,} {one if unknown == 1 else many} it is {_not_known()}." if unknown else ""))


def earlier_ratings_text(views: list[HomeView], one: str = "home", many: str = "homes") -> str:
    """How many of the ratings counted CQC gave to an earlier registration of the service (cqc.rating_given_to: after a
    change of provider, a registration shows its earlier one's rating until CQC rates it), by rating; "" when none is."""
    given = [v for v in views if v.rating and v.get("cqc.rating_given_to")]
    if not given:
        return ""
    by = Counter(str(v.rating) for v in given)
    each = ", ".join(f"{r} {by[r]:,}" for r in VALUES.rating_choices if by.get(r))
    rated = sum(1 for v in views if v.rating in VALUES.ratings[:4])  # the schema lists the four grades first
    return (f"{len(given):,} of the {rated:,} rated {many} show a rating CQC gave to an earlier registration of the {one} "
            f"({each}), for example before a change of provider: CQC shows it until it rates the new registration.")


def register_text(views: list[HomeView], as_at: dt.date) -> str:
    """Homes no longer on the CQC register dated ``as_at`` (the data's date: the site cannot know of a closure
    since), and how many have no status at all; ``views`` are every profile, closed ones too (the page's counts leave
    them out, so counting them among those would always say 0)."""
    off = sum(1 for v in views if v.status is not None and not v.on_register)
    unknown = sum(1 for v in views if v.status is None)
    dates = register_dates(views)
    oldest, newest = min(dates, default=None), max(dates, default=None)
    # registers of several dates (a merge): each home's closing is known to its own register's date alone
    by = (f"{nice_date(as_at)}, the date of CQC's register" if not oldest or oldest >= as_at or newest != as_at else
          f"the dates of the CQC registers its profiles come from ({nice_date(oldest)} to {nice_date(as_at)})")
    return ((f"No home in this directory had closed by {by}." if not off else
             f"{off:,} home{'' if off == 1 else 's'} in this directory had closed by {by}. "
             f"{'Its page stays' if off == 1 else 'Their pages stay'} up, marked closed. "
             f"{'It is' if off == 1 else 'They are'} not counted on this page.")
            + (f" The registration status of {unknown:,} home{'s' * (unknown != 1)} is {_not_known()}." if unknown else ""))


def _of(n: int, of: int, none: str) -> Cell:
    """'3 of 40', or ``none`` when there is nothing to count (a 0 there would mean 'no data'); its values the count
    (``none`` for none) and what it is out of."""
    return Cell(f"{n:,} of {of:,}", n, of) if of else Cell(none, none, of)


NO_VACANCIES = "no home has told us its vacancies"  # the freshness table's words for a count of no homes' vacancies
NO_REPORTS = "no reports"  # the vacancies table's, for an area none of whose homes has told us its vacancies


def no_rating_dates() -> str:
    """The freshness table's words for a count of old ratings when no home has a rating date."""
    return f"{_not_known()}: no home has a rating date"


TAG = re.compile(r"<[^>]*>")
NUMBER = re.compile(r"[+-]?\d{1,3}(,\d{3})*")
NUMERIC = frozenset(("integer", "number"))  # a Part's types whose text cells are written as numbers


def cell_text(cell: str) -> str:
    """A table cell's safe HTML as the text a reader sees (tags dropped, entities read)."""
    return html.unescape(TAG.sub("", cell)).strip()


def plain(cell: str) -> str:
    """A table cell's text as a reader sees it (``cell_text``); a whole number loses its thousands commas, so a
    spreadsheet reads it as a number."""
    text = cell_text(cell)
    return text.replace(",", "") if NUMBER.fullmatch(text) else text


def parts_of(header: list[str]) -> list[Part]:
    """A table's CSV columns: each header's (a ``Column``'s parts; a plain header is one column of text)."""
    return [p for h in header for p in (h.parts if isinstance(h, Column) else (Part(h),))]


def csv_header(header: list[str]) -> list[str]:
    """A table's header as its CSV's first line writes it, and as its data package names its columns: without spaces
    around a name (a reader takes them off a label, so it would not match the package's name with them)."""
    return [neutralise(p.name.strip()) for p in parts_of(header)]


def csv_value(value: Any) -> str:
    """One of a cell's values as its CSV writes it: a number plainly (no thousands commas, no '+', no apostrophe: -2
    is a number), a date as ISO, words (not known) as they are, an apostrophe before one starting like a formula."""
    if isinstance(value, int):
        return str(int(value))  # a count of True is 1, not 'True'
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return neutralise(str(value))


def csv_row(header: list[str], row: list[str]) -> list[str]:
    """A row of a page table as its CSV's cells: each ``Cell``'s values, one a column; any other cell as the text the
    page shows (under a column of numbers, a whole number without its commas), with an apostrophe before one that is
    not such a number and starts with =, +, -, @, a tab or a carriage return, so a spreadsheet never runs it as a
    formula. Under a column of words (a town's name) text that looks like a number stays as shown."""
    out = []
    for h, c in zip(header, row, strict=True):
        parts = h.parts if isinstance(h, Column) else (Part(h),)
        if isinstance(c, Cell):
            if len(c.values) != len(parts):
                raise ValueError(f"a cell under {h!r} has {len(c.values)} values for its {len(parts)} columns: {c!r}")
            out += [csv_value(v) for v in c.values]
        elif len(parts) > 1:
            raise ValueError(f"a cell under {h!r} is text ({c!r}), not the {len(parts)} values of its columns")
        elif parts[0].type in NUMERIC:
            text = plain(c)
            out.append(text if NUMBER.fullmatch(text) else neutralise(text))
        else:  # words (a town's name): as the page shows them, "1,234" too, never read as a number
            out.append(neutralise(cell_text(c)))
    return out


def table_csv(header: list[str], rows: list[list[str]]) -> str:
    """A page table as CSV: a cell holding numbers as a column for each (``Cell``, ``Column``), any other the text the
    page shows (``csv_row``)."""
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow(csv_header(header))
    for r in rows:
        w.writerow(csv_row(header, r))
    return buf.getvalue()


@dataclass
class Tables:
    """The market page's tables, each also a CSV file (``files``: table id -> text) that the site publishes beside
    the page as ``market/<id>.csv``; ``up`` leads from the page's links to the site's root (see render.UP)."""

    up: str = ""
    files: dict[str, str] = field(default_factory=dict)
    about: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # table id -> (its caption, its header)

    def add(self, id: str, caption: str, header: list[str], rows: list[list[str]]) -> str:
        """The table (first cell of each row its header) with a link to its CSV under it."""
        return html_table(caption, header, rows, row_headers=True) + self.download(id, header, rows, caption=caption)

    def download(self, id: str, header: list[str], rows: list[list[str]], what: str = "table", caption: str = "") -> str:
        """The link to a table's CSV (its rows kept as ``id``.csv): under a table, or under a chart's own table;
        ``caption`` says what it counts and as at when (its title in the tables' datapackage.json)."""
        self.files[id] = table_csv(header, rows)
        self.about[id] = (caption, header)
        return (f'<p class="ch-download"><a href="{html.escape(self.up)}market/{id}.csv" download>Download this {what} '
                f"as CSV</a> ({id}.csv)</p>")


NEEDS_SHOWN = 12  # the needs table's areas on the page (each a column of 4 figures); its CSV holds every one


PACKAGE_FILE = "datapackage.json"  # beside the tables' CSV files in market/: what each is, as at when, from whom


def missing_values() -> list[str]:
    """What a table's cells say for no value, which a typed reader reads as null: nothing, and the not-known wording
    (lower case within a sentence, as most cells say it; capitalised, as the needs table's cells say it)."""
    return ["", _not_known(), VALUES.not_known]


def package_field(name: str, part: Part) -> dict[str, Any]:
    """A CSV column's entry in the tables' data package: named as the CSV's header writes it ("'=1+1", a locality
    named like a formula: a name the file's header does not have makes the package invalid), with its type, what it is
    and its own words for no value besides the table's; a column of text (a locality's name, a need) only an empty cell: a
    locality named as the not-known wording is that name, never a value not known."""
    missing = [*missing_values(), *part.missing] if part.missing else [""] if part.type == "string" else None
    return {"name": name, "type": part.type, **({"description": part.description} if part.description else {}),
            **({"missingValues": missing} if missing is not None else {})}


def tables_package(tables: Tables, title: str, as_at: dt.date, made: dt.date, package: dict[str, Any], sources: list[dict]) -> str:
    """The market page's tables as a Data Package (v2): each CSV a table resource titled by its caption (what it
    counts, and as at when), each column typed (a count an integer, a fee a number, a date a date, else text), with
    the words that say a value is not known as missing values, the open data's licence and the sources its figures are
    counted from. A council sharing one file with another shares what it is."""
    resources = [{"name": id, "type": "table", "path": f"{id}.csv", "title": plain(caption) or id, "format": "csv",
                  "mediatype": "text/csv", "encoding": "utf-8",
                  "schema": {"fields": [package_field(name, part) for name, part in zip(csv_header(header), parts_of(header), strict=True)],
                             "missingValues": missing_values()}}
                 for id, (caption, header) in tables.about.items()]
    pkg = {"$schema": DP_V2, "name": "care-market-overview", "title": f"{title}: care market overview tables".lstrip(": "),
           "description": ("The tables of the site's care market overview page (market/), each as the CSV its page "
                           f"links under it, counted from the profiles as at {as_at.isoformat()} (the CQC data's date); "
                           "each table's title says what it counts. A cell of the page holding two numbers ('14 (560 "
                           "beds)', '3 of 40') is a column for each; 'not known' is a missing value, never 0. The records "
                           "they are counted from are the site's open data (data/)."),
           "created": f"{made.isoformat()}T00:00:00Z", "licenses": package.get("licenses", []), "sources": sources,
           "resources": resources}
    return json.dumps(pkg, ensure_ascii=False, indent=2) + "\n"


def released_groups(previous: tuple[dt.date, dict[str, dict]] | None, by_town: bool,
                    localities: dict[str, list[str]] | None, district: bool = False) -> dict[str, list[Located]] | None:
    """The homes registered at the newest release (``previous``: its date and records), by the page's areas;
    None when there is no earlier release."""
    if previous is None:
        return None
    out: dict[str, list[Located]] = defaultdict(list)
    for record in previous[1].values():
        # the care homes alone, as now (the release holds the agencies too: Oldham's 60 counted as homes then)
        if not closed(record) and KIND.id in (record.get("kinds") or [KIND.id]):
            home = Released(record)
            out[area_of(home, by_town, localities, district)].append(home)
    return out


def _change(now: list[Located], then: list[Located]) -> Cell:
    """The change in registered beds, over the homes that gave them, saying how many did not."""
    a, b = _known_sum(now, REGISTERED), _known_sum(then, REGISTERED)
    unknown = sum(1 for v in [*now, *then] if v.get(REGISTERED) is None)
    if a is None or b is None:
        return Cell(_not_known(), _not_known(), unknown)
    return Cell(f"{a - b:+,}" + (f" ({unknown:,} home{'s' * (unknown != 1)} {_not_known()})" if unknown else ""), a - b, unknown)


def change_columns(area_word: str, unit: str, then_word: str) -> list[str]:
    """The change since the last release's header (``change_rows``), with its CSV columns."""
    change = f"Change in registered {unit}"
    return [area_word.capitalize(), integer("Homes now"), integer(f"Homes at {then_word}"),
            integer("Change in homes", "Homes now less homes then."), total_column(f"Registered {unit} now", f"registered {unit}"),
            total_column(f"Registered {unit} at {then_word}", f"registered {unit}"),
            Column(change, Part(change, "integer", f"Registered {unit} now less then, each over the homes that gave them."),
                   Part(f"{change}: homes not known", "integer", f"Homes now and then whose registered {unit} are "
                        f"{_not_known()}: not in the change (a home counts once now and once then)."))]


def change_rows(names: list[str], groups: dict[str, list[HomeView]], before: dict[str, list[Located]] | None) -> list[list[str]]:
    """Homes and registered beds in each area now and at the newest release, with the change, and a total row;
    every 'then' and change cell is 'not known' when there is no earlier release (never 0)."""
    then = before or {}
    areas = [*names, *sorted(set(then) - set(names))]
    total_now = [v for a in names for v in groups[a]]
    total_then = [v for a in then for v in then[a]]
    # the councils the release held homes of: an area with none then, whose homes now are all of other councils, was
    # not in it (a merge adding Oldham to Herefordshire's directory: "+44 homes" since a release of Herefordshire alone,
    # the accessibility review), so its "then" is not known; within them, none then is 0 (a town's first home)
    covered = {str(v.get("locality")) for v in total_then}
    outside = {a for a in names if not then.get(a) and groups[a] and not any(str(v.get("locality")) in covered for v in groups[a])}
    rows = []
    for a, vs, old in [*((a, list(groups.get(a, [])), then.get(a, [])) for a in areas), (TOTAL, total_now, total_then)]:
        now: list[Located] = list(vs)
        if before is None or a in outside or (a == TOTAL and outside):  # the total too, when part of it was not in it
            rows.append([html.escape(a), f"{len(now):,}", _not_known(), _not_known(), _total(now, REGISTERED), unknown(2), unknown(2)])
        else:
            rows.append([html.escape(a), f"{len(now):,}", f"{len(old):,}", Cell(f"{len(now) - len(old):+,}", len(now) - len(old)),
                         _total(now, REGISTERED), _total(old, REGISTERED), _change(now, old)])
    return rows


def counted_from_register(previous: tuple[dt.date, dict[str, dict]] | None, before: Closed | None, since: dt.date,
                          today: dt.date) -> bool:
    """Whether every closure from ``since`` to ``today`` (the CQC data's date, closures_as_at) is known without an
    earlier release: the imports kept each service CQC deregistered in those days and never listed here
    (closures.FILE, ``before``: its span holds them both), and the profiles hold every closure of a service they list."""
    return previous is None and before is not None and before.since <= since and before.until >= today


def closures_as_at(views: list[HomeView], before: Closed | None) -> dt.date | None:
    """The CQC data's date for counting closures: the newest register date of every profile, closed ones and every
    kind's among them, or of the closures kept (a sync may add one after every profile's date); None with neither."""
    days = [d for d in (data_date(views), before.until if before else None) if d]
    return max(days) if days else None


def kept_closures(before: Closed | None, today: dt.date, views: list[HomeView]) -> list[HomeView]:
    """The services closed before the imports listed them (closures.FILE) as views, less any the profiles (``views``)
    now hold (imported since): counted, never listed."""
    listed = {str(v.d.get("location_id")) for v in views}
    return [HomeView(d, today) for d in before.unlisted(listed)] if before else []


def registered_again_as(views: list[HomeView]) -> dict[str, str]:
    """Each CQC location a current registration shows the rating of (cqc.rating_given_to), and that registration's
    name: it closed as the service was registered again (a change of provider, legal entity or address), so it is
    neither a closure nor, the new one, a new home."""
    return {str(g): v.name for v in current(views) if (g := v.get("cqc.rating_given_to"))}


def register_year_text(views: list[HomeView], before: Closed | None, today: dt.date) -> str:
    """With no earlier release, the care homes closed and newly registered in the year to the CQC data's date, from
    CQC's own dates: the closures the imports kept (``before``: closures.FILE, which has every one from its
    ``since``) and those of the profiles; a service registered again (a change of provider: cqc.rating_given_to) is
    neither. "" when the kept closures do not reach back a year (not known)."""
    since = today - dt.timedelta(days=WINDOW_DAYS)
    if not counted_from_register(None, before, since, today):
        return ""
    again = registered_again_as(views)
    every = care_homes([*views, *kept_closures(before, today, views)])

    def within(v: HomeView, path: str) -> bool:
        d = as_date(v.get(path))
        return d is not None and since <= d <= today

    gone = sorted((v for v in every if closed(v.d) and within(v, "cqc.status_date") and v.d["location_id"] not in again),
                  key=lambda v: (as_date(v.get("cqc.status_date")), v.name), reverse=True)
    # registered in the year, closed since or not (a home both gained and lost its beds in it)
    new = [v for v in every if within(v, "cqc.registered_since") and not v.get("cqc.rating_given_to")]

    def beds(vs: list[HomeView]) -> str:
        known = [v for v in vs if isinstance(v.get(REGISTERED), int)]
        if not known:  # never "0 registered beds" for beds not known
            return f"registered {KIND.unit} {_not_known()}"
        told = sum(v.get(REGISTERED) for v in known)
        nursing = sum(v.get(REGISTERED) for v in known if v.get(str(NURSING.flag)))
        which = ("" if any(v.get(str(NURSING.flag)) is None for v in known) else  # the service type not known: not said
                 f", {f'{nursing:,}' if nursing else 'none'} of them in homes {NURSING.label}")
        return (f"{told:,} registered {KIND.unit}{which}"
                + (f" (the {KIND.unit} of {len(vs) - len(known):,} {_not_known()})" if len(known) < len(vs) else ""))

    def homes(n: int, what: str) -> str:
        return f"{n:,} care home{'s' * (n != 1)} {what}"

    named = and_list([f"{v.name} ({f'{v.get(REGISTERED):,} {KIND.unit}' if v.get(REGISTERED) is not None else f'{KIND.unit} {_not_known()}'}, "
                      f"{nice_date(as_date(v.get('cqc.status_date')))})" for v in gone[:6]] + (["others"] if len(gone) > 6 else []))
    return (f"From CQC's own dates, in the year to {nice_date(today)}: "
            + (f"{homes(len(gone), 'closed')}, with {beds(gone)}: {named}" if gone else "no care home closed")
            + "; " + (f"{homes(len(new), 'were newly registered' if len(new) != 1 else 'was newly registered')}, with "
                      f"{beds(new)}" if new else "no care home was newly registered")
            + ". A home registered again, after a change of provider for example, counts as neither."
            + "".join(f" {w}" for w in same_place(new, gone)))


def same_place(new: list[HomeView], gone: list[HomeView], days: int = 183) -> list[str]:
    """For each closed home, the new registrations by its provider at its postcode within ``days`` of its closing,
    in words: most likely the same building registered anew (CQC links them only when it carries a rating over, so
    this is said as the dates and places, never as a fact); [] when there are none."""
    out = []
    for g in gone:
        key = (g.get("provider.cqc_id"), str(g.get("address.postcode") or "").upper())
        when = as_date(g.get("cqc.status_date"))
        if not key[0] or not key[1] or when is None:
            continue
        same = [v for v in new if (v.get("provider.cqc_id"), str(v.get("address.postcode") or "").upper()) == key
                and (d := as_date(v.get("cqc.registered_since"))) is not None and abs((d - when).days) <= days]
        if same:
            out.append(f"{and_list([v.name for v in same])} {'were' if len(same) > 1 else 'was'} registered by the "
                       f"provider of {g.name}, at its postcode ({key[1]}), within {days // 30} months of its closing.")
    return out


def market_html(views: list[HomeView], today: dt.date, localities: dict[str, list[str]] | None = None,
                previous: tuple[dt.date, dict[str, dict]] | None = None, tables: Tables | None = None,
                concerns: Callable[[list[HomeView], dt.date, Tables], str] | None = None,
                before: Closed | None = None) -> str:
    """The body of the market overview page (HTML inside Markdown): registered homes only, as at the CQC
    data's date (``today`` when no home has one), grouped by ``localities`` when the council sets them.
    ``previous`` is the newest release (its date and records), for the change since then; ``tables`` collects
    each table's CSV for the site to publish beside the page."""
    tables = tables if tables is not None else Tables()
    every_kind = views  # closed ones too: the date of the closures counted
    services = current(views)  # every kind's, for the register's date and age
    views = care_homes(views)  # the care home tables count care homes; agencies have their own section below
    everyone = views
    views = current(views)
    today = data_date(views) or today
    o = overview(views, today, localities)
    area_word = ("locality" if localities else "postcode district" if o["by_district"] else "town" if o["by_town"]
                 else "local authority area")
    names, groups = o["areas"], o["groups"]
    gone = len(everyone) - len(views)
    beds = _values(views, REGISTERED)
    beds_told = any(b is not None for b in beds)  # none: CQC's care directory gives no beds (never "0 beds")
    out = [f'<p class="ch-as-at"><strong>CQC data as at {nice_date(today)}</strong>: {len(views):,} registered care home{"s" * (len(views) != 1)} '
           + (f"with {_total_of(beds)} registered beds" if beds_told else f"(registered beds {_not_known()})")
           + f", grouped by {area_word}. Rating ages are measured from that date. "
           "Beds registered and service types come from the CQC register; vacancies and the needs homes can meet come from "
           "the homes themselves."
           + (f" {gone:,} closed home{'s are' if gone != 1 else ' is'} not counted." if gone else "") + "</p>"]
    older = sum(1 for v in views if (d := as_date(v.get("cqc.imported"))) and d < today)
    if older:  # registers of several dates (a merge): said, the tables' dates the newest
        out.append(f'<p class="ch-as-at">The profiles come from CQC registers of more than one date: {older:,} of these '
                   f"care homes are as at an older one, back to {nice_date(oldest_data_date(views))}. Each figure counts "
                   "each home as its own register has it; the tables' dates below are the newest.</p>")
    # the warning by the oldest register of any kind's (the newest's age is no warning when some are older)
    oldest = oldest_data_date(services)
    stale_words = register_stale_words(oldest, services, some=bool(oldest and oldest < (data_date(services) or oldest)))
    if stale_words:
        out.append('<div class="admonition warning" role="note"><p class="admonition-title">The CQC information may be out of date</p>'
                   f"<p>{html.escape(stale_words)}</p></div>")
    out.append(kind_html(views, names, groups, area_word, today, tables))

    out.append(f'<h2 id="capacity">Homes and {KIND.unit}</h2>')
    unit, registered, caps = KIND.unit, str(KIND.registered), KIND.capacity
    every = [v for a in names for v in groups[a]]  # the total row (commissioner review: the one table without one)
    cap_rows = [[html.escape(a), f"{len(vs):,}", *(_count(vs, str(c.flag)) for c in caps),
                 _total(vs, registered), *(_given(vs, str(c.total)) for c in caps)]
                for a, vs in [*((a, groups[a]) for a in names), (TOTAL, every)]]
    top = sorted(names, key=lambda a: (-_sum(groups[a], registered), a))[:15]
    untold = sum(1 for b in beds if b is None)
    if beds_told:  # a chart of known beds only: with none known, every bar would be a 0 standing for "not known"
        out.append(Chart("chart-beds", f"Registered {unit} by {area_word}", f"{unit.capitalize()} registered with CQC in each {area_word}"
                         + (" (the 15 largest)" if len(names) > 15 else "") + "."
                         + (f" {untold:,} home{'s' * (untold != 1)} whose registered {unit} are {_not_known()} "
                            f"{'are' if untold != 1 else 'is'} not counted." if untold else ""), top,
                         [_sum(groups[a], registered) for a in top], f"Registered {unit}", area_word.capitalize()).html())
    out.append(tables.add("homes-and-beds", f"Homes and {unit} by {area_word}", [area_word.capitalize(), integer("Homes"),
                                                          *(count_column(c.label.capitalize(), f"are registered by CQC for care {c.label}") for c in caps),
                                                          total_column(f"Registered {unit}", f"registered {unit}"),
                                                          *(given_column(f"{unit.capitalize()} {c.label} (homes' own figures)", f"{unit} {c.label}")
                                                            for c in caps)],
                          cap_rows))
    since = f"the release of {previous[0].isoformat()}" if previous else "the last release"
    out.append(f'<h3 id="change-since-release">Change since {since}</h3>')
    then_cqc = release_data_date(previous)
    out.append(f"<p>Registered homes and {unit} in each {area_word} now and in the newest published release; "
               + ("a home closed since then counts then, not now." if previous else
                  f"there is no earlier release, so the change is {_not_known()}.")
               + ("" if then_cqc is None else
                  f" That release's CQC data is as at {nice_date(then_cqc)}, the same as now: CQC's register has not been "
                  "imported again since, so this cannot show a change in the market." if then_cqc == today else
                  f" That release's CQC data is as at {nice_date(then_cqc)}: the change is the register's from then to "
                  f"{nice_date(today)}.") + "</p>")
    year_at = closures_as_at(every_kind, before)
    year = "" if previous or year_at is None else register_year_text(everyone, before, year_at)
    if year:
        out.append(f"<p>{html.escape(year)}</p>")
    then_word = previous[0].isoformat() if previous else "the last release"
    out.append(tables.add("change-since-release", f"Homes and registered {unit} by {area_word}, now and at {then_word}"
                          + ("" if then_cqc is None else f" (CQC data as at {nice_date(today)} in both)" if then_cqc == today
                             else f" (CQC data as at {nice_date(today)} now, {nice_date(then_cqc)} then)"),
                          change_columns(area_word, unit, then_word),
                          change_rows(names, groups, released_groups(previous, o["by_town"], localities, o["by_district"]))))

    out.append('<h2 id="vacancies">Vacancies now</h2>')
    vac_rows = []
    for a in names:
        vs = groups[a]
        reporting = [v for v in vs if v.beds_confirmed]
        stale = sum(1 for v in reporting if v.availability_stale)
        newest = max((v.beds_confirmed for v in reporting), default=None)
        vac_rows.append([html.escape(a), *(_given(vs, p) for p in KIND.available_paths),
                         Cell(f"{len(reporting)} of {len(vs)}", len(reporting), len(vs)), f"{stale}" if reporting else NO_REPORTS,
                         newest.isoformat() if newest else NO_REPORTS])
    reporting_all = sum(1 for v in views if v.beds_confirmed)
    days = limits_of(views)["availability"].words
    out.append(f"<p>{_of_homes(reporting_all, len(views))} told us their vacancies. Vacancies confirmed more than "
               f"{days} ago count as out of date.</p>")
    out.append(tables.add("vacancies", f"Free {unit} by {area_word} and {KIND.unit_one} type",
                          [area_word.capitalize(), *(given_column(f"Free {unit} {c.label}", f"free {unit} {c.label}") for c in caps if c.available),
                           Column("Homes reporting", Part("Homes reporting", "integer", "Homes that have told us their vacancies."),
                                  Part("Homes", "integer", "Every home in the area.")),
                           integer("Reports out of date", f"Homes whose vacancies were confirmed more than {days} ago.", (NO_REPORTS,)),
                           Column("Newest report", Part("Newest report", "date", "The newest day a home confirmed its vacancies.", (NO_REPORTS,)))],
                          vac_rows))

    out.append('<h2 id="needs">Needs homes can meet, and gaps</h2>')
    out.append(f"<p>For each need in the NHS Quick Guide, how many homes in each {area_word} say they can meet it, with "
               "how many beds (with nursing / without nursing), and how many homes told us at all (yes or no). "
               f"<strong>{html.escape(VALUES.unknowns.no_home_can)}</strong> marks a real gap: homes in that area told us, "
               f"and none can meet the need. <strong>{html.escape(VALUES.not_known)}</strong> means no home in that area "
               "has told us yet, so we cannot say whether there is a gap.</p>")
    header = ["Need", Column("Homes that told us (all areas)", Part("Homes that told us (all areas)", "integer",
                                                                     "Homes that told us whether they can meet the need (yes or no)."),
                             Part("Homes (all areas)", "integer", "Every home the page counts.")),
              *(NeedCell.column(a) for a in names)]
    rows = []
    for row in o["capabilities"]:
        cells: list[str] = [html.escape(row["label"]), Cell(f"{row['told']:,} of {len(views):,}", row["told"], len(views))]
        cells += [cell.cell() for cell in row["cells"]]
        rows.append(cells)
    answered = sum(1 for v in views if v.get("capabilities.confirmed"))
    out.append(f"<p>{_of_homes(answered, len(views))} told us which needs they can meet.</p>")
    caption = f"Homes able to meet each need, by {area_word}"
    # the page shows the 12 largest by registered beds (homes, then name, breaking ties: it took the first 12 by homes
    # and then A to Z, keeping Ludlow's 7 beds over Withington's 28); the CSV every one (the commissioner review)
    shown = [2 + i for i in sorted(range(len(names)), key=lambda i: (-_sum(groups[names[i]], registered),
                                                                      -len(groups[names[i]]), names[i]))[:NEEDS_SHOWN]]
    keep = [0, 1, *sorted(shown)]
    out.append(html_table(caption + (f" (the {NEEDS_SHOWN} largest by registered {unit}; every {area_word} in needs.csv)"
                                     if len(names) > NEEDS_SHOWN else ""),
                          [header[i] for i in keep], [[r[i] for i in keep] for r in rows], row_headers=True)
               + tables.download("needs", header, rows, caption=caption))

    out.append('<h2 id="quality">Quality</h2>')
    ratings = [r for r in VALUES.rating_choices if o["ratings"].get(r)]
    out.append(Chart("chart-ratings", "CQC overall ratings", "Number of homes with each CQC overall rating.",
                     ratings, [o["ratings"][r] for r in ratings], "Homes", "CQC rating").html())
    ages = [a for a in age_labels(limits_of(views)["rating"]) if o["ages"].get(a)]
    out.append(Chart("chart-rating-age", "How old the CQC ratings are", f"Homes by the age of their latest CQC rating on "
                     f"{nice_date(today)}, the date of the CQC data. A home's page flags a rating over "
                     f"{limits_of(views)['rating'].words} old on the day the site was built, so it may flag more (the "
                     "freshness table below counts them).", ages, [o["ages"][a] for a in ages], "Homes", "Age of rating").html())
    # the chart's numbers as a file too, as every table's are: no other file holds the ages (quality.csv holds the ratings)
    out.append(tables.download("rating-age", ["Age of rating", integer("Homes")], [[html.escape(a), f"{o['ages'][a]:,}"] for a in ages],
                               "chart's numbers", f"Homes by the age of their latest CQC rating, {as_at_words(views, today)}"))
    earlier = earlier_ratings_text(views)
    out.append(f"<p>{html.escape(earlier)}</p>" if earlier else "")
    # the homes never listed here that CQC closed are counted above ("No home in this directory had closed" is of those listed)
    unlisted = (" The care homes CQC closed before this directory listed them are counted under the change since the last "
                "release, above.") if year and year_at and care_homes(kept_closures(before, year_at, every_kind)) else ""
    out.append(f"<p>{html.escape(manager_text(views))} {html.escape(register_text(everyone, today))}{html.escape(unlisted)}</p>")
    if concerns is not None:  # the homes of concern, by the report's signals (report.homes_of_concern_html)
        out.append(concerns(views, today, tables))

    out.append('<h2 id="freshness">How up to date the profiles are</h2>')
    provided = sum(1 for v in views if any(v.get(p) is not None for p in (str(KIND.confirmed), "capabilities.confirmed", "fees.date", "contact.phone")))
    stale = sum(1 for v in views if v.availability_stale)
    dated = sum(1 for v in views if v.rating_date)
    never = sum(1 for v in views if not v.beds_confirmed)
    old_ratings = _of(sum(1 for v in views if v.rating_stale), dated, no_rating_dates())
    out.append(tables.add("freshness", "Profile freshness", ["Measure", Column(
        "Homes", Part("Homes", "integer", "", (NO_VACANCIES, no_rating_dates())),
        Part("Of homes", "integer", "What the count is out of: every home; for vacancies out of date, the homes that told us "
             "their vacancies; for ratings, the homes with a rating date."))], [
        ["Homes that have added their own information", Cell(f"{provided:,} of {len(views):,}", provided, len(views))],
        [f"Vacancies more than {limits_of(views)['availability'].words} old", _of(stale, reporting_all, NO_VACANCIES)],
        ["Vacancies never given", Cell(f"{never:,}", never, len(views))],
        [f"CQC ratings more than {limits_of(views)['rating'].words} old on {nice_date(views[0].today if views else today)} "
         "(the day the site was built, as each home page flags them)",
         Cell(old_ratings + (f" with a rating date ({len(views) - dated:,} without)" if 0 < dated < len(views) else ""), *old_ratings.values)],
    ]))
    return "\n".join(out)


def is_care_home(v: HomeView) -> bool:
    """Whether the location is a care home (the first kind), perhaps besides another kind."""
    return any(k.id == KIND.id for k in v.kinds)


def care_homes(views: list[HomeView]) -> list[HomeView]:
    """The locations that are care homes (the first kind): the care home tables count only them."""
    return [v for v in views if is_care_home(v)]


def agencies(views: list[HomeView]) -> list[HomeView]:
    """The locations of a kind that takes new clients (home care agencies; a location that is also a care home too)."""
    return [v for v in views if "taking" in v.kind_paths]


def hours_text(vs: list[HomeView]) -> Cell:
    """Hours of care a week the agencies taking new clients now can start, saying how many of them have not said.
    With none taking: "none" when each has said it is not, "not known" when none has said (not 0 hours), else
    "none" with how many have not said."""
    taking = [v for v in vs if v.taking_now]
    hours = [v.hours_now for v in taking if v.hours_now is not None]
    unsaid = len(taking) - len(hours)
    if not taking:
        untold = sum(1 for v in vs if v.taking_now is None)
        if vs and untold == len(vs):
            return Cell("not known", "not known", untold)
        return Cell("none" + (f" ({untold:,} not known)" if untold else ""), 0, untold)
    return Cell(f"{sum(hours):,}" + (f" ({unsaid:,} not known)" if unsaid else ""), sum(hours), unsaid)


def homecare_rows(vs: list[HomeView]) -> tuple[list[str], list[list[str]]]:
    """Home care capacity by the postcode district agencies say they cover (an agency counts in each district it
    covers), then the agencies that have not given their area: agencies, taking new clients now, hours a week."""
    by_district: dict[str, list[HomeView]] = defaultdict(list)
    no_area = []
    for v in vs:
        covers = v.get("coverage.districts")
        if isinstance(covers, list) and covers:
            for d in covers:
                by_district[str(d).upper()].append(v)
        else:
            no_area.append(v)
    hours = "Hours of care a week they can start"
    header = ["Postcode district covered", integer("Agencies"), integer("Taking new clients now"), integer("Not taking new clients"),
              integer(f"Not known or more than {limits_of(vs)['availability'].words} old",
                      "Agencies that have not said whether they are taking new clients, or said it longer ago."),
              Column(hours, Part(hours, "integer", "The hours the agencies taking new clients now say they can start, over those "
                                                   "that said (0 when each that said is not taking new clients)."),
                     Part(f"{hours}: agencies not known", "integer",
                          "Agencies not in the sum: those taking new clients that have not said their hours; when none is "
                          "taking new clients, those that have not said whether they are."))]
    groups = [*sorted(by_district.items()), *([("Area not given", no_area)] if no_area else [])]
    rows = [[html.escape(d), f"{len(g):,}", f"{sum(1 for v in g if v.taking_now):,}", f"{sum(1 for v in g if v.taking_now is False):,}",
             f"{sum(1 for v in g if v.taking_now is None):,}", hours_text(g)] for d, g in groups]
    return header, rows


VALUES_SCHEMA = load_schema()
BANDS = ("dementia", "learning_disability_autism", "mental_health")  # the CQC bands a committee plans capacity for
QUESTIONS = (("rating", "Overall"), ("rating_safe", "Safe"), ("rating_effective", "Effective"), ("rating_caring", "Caring"),
             ("rating_responsive", "Responsive"), ("rating_well_led", "Well-led"))


def _homes_beds_of(flags: list[Any], beds: list[Any]) -> Cell:
    """'3 (90 beds)' for the homes with a path yes, from the homes' values of it (``flags``) and their registered beds,
    in the same order, saying how many have not told CQC's answer."""
    yes = [b for f, b in zip(flags, beds, strict=True) if f]
    unknown = sum(1 for f in flags if f is None)
    given = [b for b in yes if b is not None]
    total = sum(given) if given else None  # _known_sum of the homes with the path yes
    beds_known = not (total is None and yes)
    return Cell(f"{len(yes):,} ({f'{total or 0:,} beds' if beds_known else f'beds {_not_known()}'})"
                + (f"; {unknown:,} {_not_known()}" if unknown else ""), len(yes), (total or 0) if beds_known else _not_known(), unknown)


def homes_beds_column(text: str, what: str) -> Column:
    """A column of ``_homes_beds_of``'s cells ("With nursing: homes (beds)"): its homes, their beds and the homes
    whose CQC data does not say."""
    name = text.strip().removesuffix(" homes (beds)")
    return Column(text, Part(f"{name} homes", "integer", f"Homes CQC registers for {what}."),
                  Part(f"{name} beds", "integer", "The registered beds of those homes, over those whose beds CQC gives (a "
                                                  "home's beds count in each column it is registered for)."),
                  Part(f"{name} homes not known", "integer", f"Homes whose CQC data does not say whether it registers them for {what}."))


def _columns(names: list[str], groups: dict[str, list[HomeView]], paths: list[str]) -> list[tuple[str, int, list[list[Any]]]]:
    """Each area's (name, homes, each path's values of its homes, read once), then the 'Total' row's: every area's
    values one after the other, as reading them from a list of all the areas' homes gives."""
    rows = [(a, len(groups[a]), [_values(groups[a], p) for p in paths]) for a in names]
    total = [[x for _, _, cols in rows for x in cols[i]] for i in range(len(paths))]
    return [*rows, (TOTAL, sum(n for _, n, _ in rows), total)]


def kind_rows(names: list[str], groups: dict[str, list[HomeView]]) -> tuple[list[str], list[list[str]]]:
    """Capacity by area and kind (homes and registered beds, with and without nursing, the CQC bands), with a total row."""
    titles = {f.path: f.title for f in VALUES_SCHEMA.home_fields}
    header = ["Area", integer("Homes"), total_column("Registered beds", "registered beds"),
              homes_beds_column("With nursing: homes (beds)", f"care {NURSING.label}"),
              homes_beds_column("Without nursing: homes (beds)", f"care {RESIDENTIAL.label}"),
              *(homes_beds_column(f"{titles[f'care.user_bands.{b}']}: homes (beds)", f"the service user band {titles[f'care.user_bands.{b}']}")
                for b in BANDS),
              count_column("Council rate accepted", "accept the council's rate")]
    rows = []
    flags = [str(NURSING.flag), str(RESIDENTIAL.flag), *(f"care.user_bands.{b}" for b in BANDS)]
    for a, n, (beds, council, *flagged) in _columns(names, groups, [REGISTERED, "fees.council_rate_accepted", *flags]):
        rows.append([html.escape(a), f"{n:,}", _total_of(beds), *(_homes_beds_of(f, beds) for f in flagged), _count_of(council)])
    return header, rows


def quality_rows(views: list[HomeView], many: str = "homes") -> tuple[list[str], list[list[str]]]:
    """Homes (``many``: agencies) by rating for the overall rating and each key question: the four grades, then each of CQC's words for a
    home it has given no grade (the schema's ungraded values: a column when any home has one), then 'not known' where
    our data has none. A key question of a home CQC has not yet rated counts as not yet rated: CQC has graded none of
    its questions, which is known, not missing. Only that ungraded overall: an inspection that gave no overall grade
    looks at some questions (CQC publishes no rating for the others), so a question without a value stays not
    known."""
    ratings = list(VALUES.ratings)  # the schema lists the four ratings best first, then the two without one
    counted, index = [], {r: i for i, r in enumerate(ratings)}
    overall = _values(views, f"cqc.{QUESTIONS[0][0]}")
    for path, label in QUESTIONS:  # one pass over the homes a question, not one a rating (nationally 0.3 s to 0.1)
        field = f"cqc.{path}"
        values = _values(views, field)
        if path != QUESTIONS[0][0]:
            values = [o if x is None and o == VALUES.not_yet_rated else x for x, o in zip(values, overall, strict=True)]
        try:
            seen = Counter(values)  # counted in C (nationally 0.1 s to 0.03)
        except TypeError:  # a value that cannot be a key (a list): counted one by one, as no rating
            counts = [0] * (len(ratings) + 1)  # each rating's, then those with none of them
            for x in values:
                try:
                    counts[index.get(x, len(ratings))] += 1
                except TypeError:
                    counts[-1] += 1
        else:
            counts = [seen.get(r, 0) for r in ratings]
            counts.append(len(values) - sum(counts))
        counted.append((label, counts))
    # the four grades always; an ungraded value only where a home has it; then those with none of them
    shown = [i for i in range(len(ratings)) if i < 4 or any(c[i] for _, c in counted)] + [len(ratings)]
    header = ["CQC rating", *(integer(ratings[i]) for i in shown[:-1]),
              integer(_not_known().capitalize(), f"{many.capitalize()} whose rating our data does not have.")]
    rows = [[label, *(f"{counts[i]:,}" for i in shown)] for label, counts in counted]
    return header, rows


def fee_rows(names: list[str], groups: dict[str, list[HomeView]]) -> tuple[list[str], list[list[str]]]:
    """Weekly fees the homes publish, by area: the lowest 'from' and highest 'to', and how many homes gave them."""
    def span(froms: list[Any], tos: list[Any], homes: int) -> Cell:
        lo = [x for x in froms if x is not None]
        hi = [x for x in tos if x is not None]
        if not homes:  # a locality with no care home: no fee to know (it said "not known"), and none in the CSV
            return Cell("no homes", "", "", 0, 0)
        if not lo and not hi:
            return Cell(_not_known(), _not_known(), _not_known(), 0, homes)
        rng = f"£{min(lo or hi):,.0f} to £{max(hi or lo):,.0f}"
        return Cell(f"{rng} ({len(lo or hi)} of {homes} homes)", min(lo or hi), max(hi or lo), len(lo or hi), homes)

    def column(text: str) -> Column:
        return Column(text, Part(f"{text}: lowest", "number", "The lowest weekly fee in pounds the homes publish (their 'from', "
                                                             "or their 'to' where none gives a 'from'), as they give it: the "
                                                             "page rounds it to whole pounds."),
                      Part(f"{text}: highest", "number", "The highest weekly fee in pounds the homes publish (their 'to', or "
                                                         "their 'from' where none gives a 'to'), as they give it."),
                      Part(f"{text}: homes giving it", "integer", "Homes that publish the fee."),
                      Part(f"{text}: homes", "integer", "Every home in the area, those that publish the fee or not."))
    header = ["Area", column("Weekly fee with nursing"), column("Weekly fee without nursing")]
    paths = [f"fees.{kind}_{end}" for kind in (NURSING.key, RESIDENTIAL.key) for end in ("from", "to")]
    return header, [[html.escape(a), span(c[0], c[1], n), span(c[2], c[3], n)] for a, n, c in _columns(names, groups, paths)]


def kind_html(views: list[HomeView], names: list[str], groups: dict[str, list[HomeView]], area_word: str, today: dt.date,
              tables: Tables | None = None) -> str:
    """The capacity, quality and fee tables a committee reads, each as at the CQC data's date."""
    out = ['<h2 id="capacity-by-kind">Capacity by kind of care</h2>',
           f"<p>Homes and registered beds by {area_word}, by CQC service type and by the CQC service user bands "
           "(a home registered for a band may not have a bed for it free). CQC registers a home's beds, not each bed's type: "
           "beds of a home with and without nursing count in both columns.</p>"]
    tables = tables if tables is not None else Tables()
    header, rows = kind_rows(names, groups)
    header[0] = area_word.capitalize()
    as_at = as_at_words(views, today)
    out.append(tables.add("capacity-by-kind", f"Capacity by {area_word} and kind, CQC data {as_at}", header, rows))
    header, rows = quality_rows(views)
    out.append(tables.add("quality", f"Homes by CQC rating, overall and for each key question, {as_at}", header, rows))
    header, rows = fee_rows(names, groups)
    header[0] = area_word.capitalize()
    out.append(tables.add("fees", f"Fees the homes publish, by {area_word}", header, rows))
    return "\n".join(out)
