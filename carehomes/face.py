"""The public face of each kind of service, declared once in ``schema/face.json`` (referenced from the data
package's ``x-directory.face``): a home page's groups and facts, the result card's lines, the compare table's
rows and the find page's facets (filters) and sorts. views.py builds pages, cards and compare rows from it,
search_index.py the search filters, search.py the counts, and the find and compare pages carry ``Face.for_script()`` as JSON.

Every wording is finished here, in Python: the JavaScript only places strings, filters and sorts.
A fact's label is its schema field's ``title`` unless the face gives its own; its value is worded by a
formatter named in ``FORMATS``; a value nobody has given is never worded as no or 0.
"""
from __future__ import annotations

import json
import re
import weakref
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .ages import date_of, nice_date
from .kinds import kinds
from .safetext import json_for_html, safe_url, tel_href
from .schema import Shape, shape_problem
from .text import and_list

if TYPE_CHECKING:
    from .schema import Schema

View = Any  # a views.HomeView (not imported: views imports this module)
_PLACEHOLDER = re.compile(r"\{(\w*)\}")  # "{date}" in words a page fills in
NOTE_PLACES = ("date", "age", "register", "given", "earlier")  # what a note's text may name (HomeView._note fills them)
FACE_KEY = "face"  # x-directory.face: the face file, beside datapackage.json
KIND = "care_home"
READ_OR = "|"  # between the reads of one filter a face names in several options (Face.filter_reads): the first given decides
HOLDS = "="  # "cqc.regulated_activities=Personal care": yes when that list holds the item, else not known (never no)


@dataclass(frozen=True)
class Shown:
    """A value as a page shows it: text, and perhaps a checked link and a note in brackets."""

    text: str
    href: str | None = None
    note: str | None = None
    link: str | None = None         # the words of ``text`` that are the link ("see the CQC page"); None: all of it


@dataclass(frozen=True)
class FactSpec:
    """One fact of a page group (``page[].facts[]``)."""

    path: str
    format: str
    label: str
    short: str | None = None        # its name in the "not known yet" block; facts sharing one are named once
    if_known: bool = False          # left out altogether (not listed as unknown) when not known
    note: tuple[str, str] | None = None      # (path, "published {date}"): a dated note when that date is known
    fallback: tuple[str, str] | None = None  # (read, note): shown from this read (a path, or a list's item: HOLDS), with this note, when the fact is not known
    options: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupSpec:
    """One group of a home's page (``page[]``): its heading, source, date and facts."""

    id: str
    title: str
    source: str
    facts: tuple[FactSpec, ...]
    date: str | None = None          # a field path, or a date rule (DATES)
    date_label: str = "Last updated"
    stale: str | None = None         # a staleness rule (views.STALE)
    table: str | None = None         # "capabilities": the needs table
    short: str | None = None
    register_date: str | None = None  # registerDate: the label of the CQC register's date, said when CQC gave a fact shown
    stale_text: str | None = None    # staleText: the warning when the group's date is older than its ``stale`` age


@dataclass(frozen=True)
class LineSpec:
    """A result card's line or a compare table's row: a formatter and how its known and unknown values read."""

    id: str
    format: str
    label: str
    path: str | None = None
    template: str = "{value}"
    unknown: str | None = None      # the card's wording when not known ({notProvided}); None: the line is left out
    options: Mapping[str, Any] = field(default_factory=dict)
    fallback: tuple[str, str] | None = None  # (path, note): as a page's fact's fallback (CQC's phone in a compare row)
    unknown_cell: str = ""  # a compare row's cell when not known, by whose fact it is ("Not in the CQC data we hold"); "": not provided
    owner: str = ""  # whose fact it is (the field's owner)
    not_held: str = ""  # the cell when not known on a site that does not gather the owner's facts at all (compare.notHeldBy)
    note: tuple[str, str] | None = None  # (path, "since {date}, {age}"): as a page's fact's, when the line is shown and that date known


@dataclass(frozen=True)
class Option:
    """One yes/no filter of the find page: a checkbox, its search filter and the field it reads."""

    id: str
    filter: str
    path: str
    value: str
    label: str
    words: tuple[str, ...] = ()     # what a search box word naming it looks like ("nursing"), plain lower case
    derived: str | None = None      # a derived value (views.DERIVED) filtered on instead of the field ("taking_now")
    holds: str | None = None        # a list field's item ("Personal care" of cqc.regulated_activities): yes when it is listed
    shown_by: str | None = None     # shownBy: the compare row that already shows its fact (the dormant row for "providing"):
    # the compare page has no "You searched for" row of it, which said that row's fact again in a find page's instruction

    @property
    def reads(self) -> str:
        """What a page's yes for this filter is read from: the derived value, the field, or whether the list field
        holds the item (``holds``: yes when listed, else not known)."""
        return self.derived or (f"{self.path}{HOLDS}{self.holds}" if self.holds else self.path)


@dataclass(frozen=True)
class Known:
    """A count of the homes that have given a fact at all (yes or no), and how a filter nobody answered is asked."""

    key: str
    value: str                      # a field path or a derived value (views.DERIVED)
    question: str | None = None
    requires: str | None = None     # a yes/no filter a home must not answer no to for the fact to be its at all


@dataclass(frozen=True)
class Facet:
    """A filter of the find page (``facets[]``)."""

    key: str
    control: str                    # checks, free, rating, maxfee or none (counted only)
    legend: str = ""
    question: str | None = None
    options: tuple[Option, ...] = ()
    known: tuple[Known, ...] = ()
    browse: bool = False            # each option also gets a static list page (browse/need-...)
    need_words: bool = False        # a search box word naming an option is that filter, never text
    miles: tuple[float, ...] = ()   # control "radius": the distances offered ("Within 5 miles"), smallest first
    hint: str | None = None         # control "radius": why it cannot be chosen yet (no postcode given)
    kind: str = ""                  # the kind whose face declares it
    each: str | None = None         # "kinds": one option per kind of service (shown when a site holds more than one)
    browse_title: str = "{many} for: {label}"  # a list page's title (browseTitle): who says so, in the facet's words
    browse_note: str = ""           # a list page's sentence after its count (browseNote): whose word puts a service on it
    matched: str = "{label}"        # needWords: why a card a need word found is listed, by whose word ("registered with CQC to support {label}")
    fold: bool = False              # the find page shows its boxes folded under one summary (a long group: one tab stop, not one a box)

    @property
    def radius_choices(self) -> list[tuple[str, str]]:
        """(value, label) of each distance a radius filter offers: ("5", "Within 5 miles")."""
        return [(f"{m:g}", within_label(m)) for m in self.miles]


@dataclass(frozen=True)
class Sort:
    """An order of the find page's results (``sorts[]``)."""

    key: str
    label: str
    words: str                      # "most beds free first", in the count line
    rank: str | None = None         # the value ranked at build time (a path or a derived value)
    descending: bool = False
    filter: str | None = None       # the search filter holding the homes with no value
    filter_value: str | None = None  # the derived value that filter holds for each home
    unknown_value: str | None = None
    unknown_one: str = ""
    unknown_many: str = ""
    kind: str = ""                  # the kind whose face declares it
    known_none: str = ""            # "has given its fees": said of none of a list of which none has a value for the sort


@dataclass(frozen=True)
class Face:
    kind: str
    page: tuple[GroupSpec, ...]
    card: tuple[LineSpec, ...]
    compare: tuple[LineSpec, ...]
    facets: tuple[Facet, ...]
    sorts: tuple[Sort, ...]
    search: Mapping[str, Any] = field(default_factory=dict)
    coverage: Mapping[str, Any] = field(default_factory=dict)  # how a kind found by the area it covers is worded
    by_kind: Mapping[str, Any] = field(default_factory=dict)   # the site's face: kind id -> (plural, its compare rows, its filter labels, title)
    coverage_kinds: tuple[str, ...] = ()  # the kinds whose face words an area covered (coverage): an agency's
    key: tuple[LineSpec, ...] = ()  # keyFacts: lines a page's key facts add after the first kind's own (weekend admissions)
    also: tuple[LineSpec, ...] = ()  # its card lines a location of this kind and another, shown as the other, adds (also)
    recent: str = ""  # {recent} as the schema's availability staleness age says it (Age.recent), unless a site says its own

    @property
    def options(self) -> list[Option]:
        """Every yes/no filter, in the find page's order."""
        return [o for f in self.facets for o in f.options]

    @property
    def questions(self) -> dict[str, str]:
        """Filter or count key -> how the find page asks it when no home has answered ("can meet this need: Stoma care")."""
        out: dict[str, str] = {}
        for f in self.facets:  # a filter two kinds share (band_dementia) is asked as the first kind asks it
            for o in f.options if f.question else ():
                out.setdefault(o.filter, (f.question or "").replace("{label}", o.label))
            for k in f.known:
                if k.question:
                    out.setdefault(k.key, k.question)
        return out

    @property
    def requires(self) -> dict[str, str]:
        """Count key -> the yes/no filter a home must not answer no to for that fact to be its at all (known[].requires:
        free_nursing -> care_nursing)."""
        return {k.key: k.requires for f in self.facets for k in f.known if k.requires}

    def filter_reads(self) -> dict[str, str]:
        """Search filter -> what a page's answer to it is read from (HomeView.value): its option's field or derived
        value; when the face names one filter in several options (an agency's own answer to a need, then CQC's
        registration for it: band_mental_health), each of theirs in the face's order, joined by READ_OR, and the first
        a page has given decides, yes or no."""
        out: dict[str, list[str]] = {}
        for o in self.options:
            reads = out.setdefault(o.filter, [])
            if o.reads not in reads:
                reads.append(o.reads)
        return {key: READ_OR.join(reads) for key, reads in out.items()}

    def known_values(self) -> dict[str, str]:
        """Filter or count key (as in the find page's ``data-filter`` / ``data-known``) -> the path or derived
        value a home has given when it has told us that fact at all, yes or no (filter_reads)."""
        kinds = {o.filter for o in self.options if o.path.startswith("kind:")}  # a kind is no fact a home gives
        out = {key: reads for key, reads in self.filter_reads().items() if key not in kinds}
        out.update({k.key: k.value for f in self.facets for k in f.known})
        return out

    def need_words(self, present: Collection[str] | None = None) -> list[list[Any]]:
        """[phrase, search filter, {kind: why a card of that kind it found is listed}] for every word or phrase that
        names a need, longest first, so the find page takes "palliative care" as one need before "care" could be
        anything else. A phrase two options name ("mental health": CQC's registration, and an agency's own answer) is
        the first facet's filter only: one word never asks two things of every home. Why is the ``matched`` text
        (whose word it is) of each kind's first facet naming that filter, as each kind reads it its own way."""
        first: dict[str, str] = {}
        why: dict[str, dict[str, str]] = {}
        # ``present``: the kinds a site holds, whose facets' words alone it takes, and the phrases of those kinds only
        # ("home care dementia" found nothing on a site of care homes, its kind's filter no home's)
        def held(f: Facet, o: Option) -> bool:
            return present is None or (o.value in present if f.each == "kinds" else not f.kind or f.kind in present)
        for f in (f for f in self.facets if f.need_words):
            for o in (o for o in f.options if held(f, o)):
                for w in o.words:
                    if first.setdefault(w, o.filter) == o.filter:
                        said = why.setdefault(w, {})
                        if f.each != "kinds":  # a kind's phrase ("home care") finds only that kind: its card says what it is
                            said.setdefault(f.kind, f.matched.replace("{label}", o.label.lower()))
        for by_kind in why.values():  # a facet several kinds declare (kind ""): for each kind without its own
            shared = by_kind.pop("", "")
            for k in (self.by_kind or {self.kind: None}) if shared else ():
                by_kind.setdefault(k, shared)
        found = sorted(first.items(), key=lambda x: (-len(x[0]), x))  # ties in a fixed order
        return [[w, filt, why[w]] for w, filt in found]

    def browse_choices(self) -> list[tuple[str, str]]:
        """(search filter, label) of every yes/no filter that has static list pages."""
        out: dict[str, str] = {}
        for o in (o for f in self.facets if f.browse for o in f.options):
            out.setdefault(o.filter, o.label)  # a filter several kinds or facets name: listed once, as first named
        return list(out.items())

    def browse_titles(self) -> dict[str, str]:
        """Search filter -> its list page's title template (Facet.browse_title), as browse_choices names it."""
        out: dict[str, str] = {}
        for f in (f for f in self.facets if f.browse):
            for o in f.options:
                out.setdefault(o.filter, f.browse_title)
        return out

    def browse_notes(self, present: list[str], shared_only: bool = False) -> dict[str, str]:
        """Search filter -> whose word puts a service on its list page, on a site holding the kinds ``present``: the
        browseNote of each facet of those kinds that names the filter, in the face's order, once each (a care home by
        its CQC registration; an agency by its own answer, else its registration). ``shared_only``: only the filters
        whose notes differ by kind (the find page says so under such a filter's legend)."""
        out: dict[str, list[str]] = {}
        for f in self.facets:
            if f.browse_note and (not f.kind or f.kind in present):
                for o in f.options:
                    said = out.setdefault(o.filter, [])
                    if f.browse_note not in said:
                        said.append(f.browse_note)
        return {key: " ".join(notes) for key, notes in out.items() if len(notes) > 1 or not shared_only}

    def facets_for(self, present: list[str]) -> list[Facet]:
        """The facets a site holding the kinds ``present`` shows: each kind's own, and the choice of kind
        only when there are several (a site of care homes alone shows what it showed before). A filter is offered
        once, by the first facet shown that names it (an agency's 'Care given at home: Mental health' is the filter
        'Registered with CQC to support: Mental health' already offers); a facet left with none of its own is left out."""
        out: list[Facet] = []
        offered: set[str] = set()
        for f in self.facets:
            if not (len(present) > 1 if f.each == "kinds" else not f.kind or f.kind in present):
                continue
            own = tuple(o for o in f.options if o.filter not in offered)
            offered.update(o.filter for o in f.options)
            if f.options and not own:
                continue
            out.append(f if len(own) == len(f.options) else replace(f, options=own))
        return out

    def sorts_for(self, present: list[str]) -> list[Sort]:
        """The orders a site holding the kinds ``present`` offers."""
        return [s for s in self.sorts if not s.kind or s.kind in present]

    @staticmethod
    def not_held_cell(row: LineSpec, ungathered: Collection[str]) -> str:
        """A compare row's cell when not known: on a site that does not gather the row's owner's facts at all
        (``ungathered``: siteconfig.ungathered), the schema's compare.notHeldBy words for that owner ("This directory
        holds no food hygiene ratings"), else its unknownBy words (row.unknown_cell)."""
        return row.not_held if row.not_held and row.owner in ungathered else row.unknown_cell

    def for_script(self, ungathered: Collection[str] = (), recent: str | None = None,
                   present: Collection[str] | None = None) -> dict[str, Any]:
        """What the find and compare pages' JavaScript needs, every wording finished (``ungathered``: the owners whose
        facts the site does not gather, whose compare cells say so; ``recent``: the span of a fresh answer, as the
        site's availability staleness age says it, in place of {recent}: Age.recent; None: the schema's)."""
        return recently(self._for_script(ungathered, present), self.recent if recent is None else recent)

    def _for_script(self, ungathered: Collection[str], present: Collection[str] | None = None) -> dict[str, Any]:
        return {
            "fields": [f.key for f in self.facets if f.control != "none"],
            "filters": {f.key: [o.filter for o in f.options] for f in self.facets if f.control == "checks"},
            "questions": self.questions,
            # a count key's fact that is no home's whose answer to this filter is no (a bed with nursing free, of a home
            # CQC registers without nursing): a search again with those that have not told us leaves such homes out
            "requires": self.requires,
            # each sort's kind ("": it fits every kind): the page offers only the sorts that fit the kinds chosen
            "sorts": {s.key: {"words": s.words, "filter": s.filter, "unknownValue": s.unknown_value,
                              "unknownOne": s.unknown_one, "unknownMany": s.unknown_many, "knownNone": s.known_none,
                              "kind": s.kind} for s in self.sorts},
            # the field whose ticked values are the kinds of service chosen (none ticked: every kind)
            "kindField": next((f.key for f in self.facets if f.each == "kinds"), ""),
            # each kind's own filter ("care_home" -> "kind_care_home"): a sort of one kind counts that kind's unknowns
            "kindFilters": {o.value: o.filter for f in self.facets if f.each == "kinds" for o in f.options},
            # each row: [id, label, its cells' words when not known (by whose fact it is; "": "Not provided yet")]
            "compare": [[r.id, r.label, self.not_held_cell(r, ungathered)] for r in self.compare],
            # rows the compare page works out in the browser: distance (from the search's postcode) and
            # the needs the person filtered for (one row each, from home.json's answers)
            "compareRows": {r.id: r.format for r in self.compare if r.format in BROWSER_ROWS},
            "filterLabels": self.filter_labels(),
            "radius": self.radius_for_script(),
            "needWords": self.need_words(present),
            "search": {k: v for k, v in self.search.items() if k != "description"},
            # the coverage wording, and the kinds it is about (an agency's area covered): its notes are said only
            # when the kinds chosen can list them
            "coverage": {**{k: v for k, v in self.coverage.items() if k != "description"}, "kinds": list(self.coverage_kinds)},
            # with several kinds, the compare page shows each kind's homes with that kind's own rows
            # and the filters its homes answer in home.json (the compare page's "You searched for" rows: a care home was
            # shown "Not provided yet" for an agency's question)
            # and what one and several of each are called in a sentence ("home care agency"), for a sort of one kind
            "kinds": {k: {"plural": plural, "compare": [[r.id, r.label, self.not_held_cell(r, ungathered)] for r in rows],
                          "filterLabels": labels, "many": str(plural).lower(), "one": str(title).lower()}
                      for k, (plural, rows, labels, title) in self.by_kind.items()},
            "compareApart": self.compare_apart,
        }

    @property
    def compare_apart(self) -> str:
        """What the compare page says when a shortlist holds several kinds ("compare care homes with care homes...")."""
        plurals = [p.lower() for p, *_ in self.by_kind.values()]
        if len(plurals) < 2:
            return ""
        pairs = [f"{p} with {p}" for p in plurals]
        return f"Compare {', '.join(pairs[:-1])} and {pairs[-1]}: each kind is in a table of its own, with its own rows."

    def filter_labels(self) -> dict[str, str]:
        """Search filter -> its label as first named (a filter two kinds share, band_mental_health, is named as the first
        kind's face names it: "Mental health"): the filters home.json answers (HomeView._compare_plan), for the compare
        page's "You searched for" rows; not the type of service (it answers none: "Care home: Not provided yet"), nor a
        filter whose fact a compare row of its own shows (shownBy: "Providing care at the moment (CQC)" is that row's)."""
        out: dict[str, str] = {}
        shown = {o.filter for o in self.options if o.shown_by}
        for o in self.options:
            if not o.path.startswith("kind:") and o.filter not in shown:
                out.setdefault(o.filter, o.label)
        return out

    def radius_for_script(self) -> dict[str, Any] | None:
        """The distance filter (the first facet with control "radius"): its field, distances, labels and hint."""
        f = next((f for f in self.facets if f.control == "radius"), None)
        if f is None:
            return None
        return {"key": f.key, "miles": list(f.miles), "labels": dict(f.radius_choices), "hint": f.hint or ""}

    def script_json(self, ungathered: Collection[str] = (), recent: str | None = None,
                    present: Collection[str] | None = None) -> str:
        """``for_script(ungathered, recent, present)`` as JSON that is safe inside an HTML script element."""
        return json_for_html(json.dumps(self.for_script(ungathered, recent, present), ensure_ascii=False, separators=(",", ":"),
                                        sort_keys=True))


def recently(value: Any, recent: str) -> Any:
    """``value`` (text, or lists and mappings of it) with {recent} worded: the span within which an answer is fresh
    ("the last week", or "the last 14 days" where mkdocs.yml sets the availability staleness age to 14 days)."""
    if isinstance(value, str):
        return value.replace("{recent}", recent)
    if isinstance(value, dict):
        return {k: recently(v, recent) for k, v in value.items()}
    if isinstance(value, list):
        return [recently(v, recent) for v in value]
    return value


class FaceError(ValueError):
    """schema/face.json is missing something or names something that does not exist."""


# ---- small wordings every page shares (views.py re-exports them) -------------------------------------------

KEY_QUESTIONS = (("safe", "Safe"), ("effective", "Effective"), ("caring", "Caring"), ("responsive", "Responsive"),
                 ("well_led", "Well-led"))
FREE_KINDS = {"nursing": "with nursing", "residential": "without nursing"}  # kinds of bed, as pages name them


def within_label(miles: float) -> str:
    """'Within 5 miles' (a radius filter's choice)."""
    return f"Within {miles:g} mile{'' if miles == 1 else 's'}"


def lower_first(text: str) -> str:
    """'Weekend assessments' -> 'weekend assessments', 'A top-up may be asked for' -> 'a top-up ...'; 'CQC rating'
    and 'UK-wide' stay (a second letter in capitals: an abbreviation)."""
    return text[:1].lower() + text[1:] if text[1:2].islower() or text[:2] == "A " else text


def money(value: Any) -> str | None:
    if value is None:
        return None
    return f"£{value:,.0f}" if float(value).is_integer() else f"£{value:,.2f}"


def money_range(lo: Any, hi: Any, per: str) -> str | None:
    """'£950 to £1,150 a week'; 'from £950 a week' when only the lowest is given, 'up to £1,150 a week' when only the
    highest (one end alone is no fixed price); None when neither is."""
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None:
        return f"{money(lo)} {per}" if lo == hi else f"{money(lo)} to {money(hi)} {per}"
    return f"from {money(lo)} {per}" if lo is not None else f"up to {money(hi)} {per}"


def fee_range(lo: Any, hi: Any) -> str | None:
    return money_range(lo, hi, "a week")


# ---- formatters: a value (and the home) -> how pages show it, or None when it is not known ----------------

CQC_LINK = "see the CQC page"
CQC_PAGE = "See the CQC page"
BROWSER_ROWS = ("distance", "filtered")  # compare rows the page fills in the browser (Face.for_script compareRows)
Formatter = Callable[[View, Any, Any], "Shown | None"]
FORMATS: dict[str, Formatter] = {}


def formatter(name: str) -> Callable[[Formatter], Formatter]:
    def add(fn: Formatter) -> Formatter:
        FORMATS[name] = fn
        return fn
    return add


def _aged(v: View, value: Any) -> str:
    """'2 January 2020, 6 years 11 months ago': a date and its age on the build's day (inside brackets already)."""
    return f"{nice_date(value)}, {v.age(value)}"


def _known(value: Any) -> bool:
    return value is not None and value != "" and value != []


@formatter("text")
def _text(v: View, value: Any, spec: Any) -> Shown | None:
    return Shown(str(value)) if _known(value) else None


@formatter("count")
def _count(v: View, value: Any, spec: Any) -> Shown | None:
    return None if value is None else Shown(str(value))


@formatter("yes_no")
def _yes_no(v: View, value: Any, spec: Any) -> Shown | None:
    return None if value is None else Shown("Yes" if value else "No")


@formatter("date")
def _date_text(v: View, value: Any, spec: Any) -> Shown | None:

    return Shown(nice_date(value)) if nice_date(value) else None


@formatter("percent")
def _percent(v: View, value: Any, spec: Any) -> Shown | None:
    return None if value is None else Shown(f"{value:g}%")


@formatter("list")
def _list(v: View, value: Any, spec: Any) -> Shown | None:
    items = [str(x) for x in value] if isinstance(value, list) else []
    return Shown(spec.options.get("separator", "; ").join(items)) if items else None


@formatter("fee_range")
def _fee_range(v: View, value: Any, spec: Any) -> Shown | None:

    text = fee_range(value, v.get(spec.options["to"]))
    return Shown(text) if text else None


@formatter("fee_from")
def _fee_from(v: View, value: Any, spec: Any) -> Shown | None:

    return None if v.fee_from is None else Shown(money(v.fee_from) or "")


@formatter("care_type")
def _care_type(v: View, value: Any, spec: Any) -> Shown | None:
    return Shown(v.care_type_text) if v.care_types else None


@formatter("care_text")
def _care_text(v: View, value: Any, spec: Any) -> Shown | None:
    """Its type of care and every other kind it is ('Care home with nursing and home care agency': HomeView.kind_text)."""
    return Shown(v.kind_text)


@formatter("bands")
def _bands(v: View, value: Any, spec: Any) -> Shown | None:
    """The groups CQC registers it to support; with the item its ``everyone`` names where that list holds it (CQC's
    specialism "Services for everyone", as its page's "Specialisms (CQC)" says), that too, and the groups it has said
    neither way in its note ("not known: older people, younger adults"): a group CQC did not name beside "Services
    for everyone" is not known (the importer's), never left out as if a no. None when it names none."""
    yes, _, untold = _answers(v, spec.path)
    everyone = spec.options.get("everyone")
    said = [*yes, *([everyone.split(HOLDS, 1)[1]] if everyone and v.value(everyone) else [])]
    if not said:
        return None
    return Shown(", ".join(said), note=f"{v.s.values.not_known.lower()}: {', '.join(untold)}" if untold else None)


@formatter("needs")
def _needs(v: View, value: Any, spec: Any) -> Shown | None:
    return Shown(", ".join(v.needs_short)) if v.needs_short else None


@formatter("trusts")
def _trusts(v: View, value: Any, spec: Any) -> Shown | None:
    return Shown("; ".join(v.trust_names)) if v.trust_names else None


@formatter("rating")
def _rating(v: View, value: Any, spec: Any) -> Shown:
    """Never says unrated unless CQC says so; with no rating known, links to the CQC page."""
    return Shown(v.rating_text, href=None if v.rating else v.cqc_url)


@formatter("rating_dated")
def _rating_dated(v: View, value: Any, spec: Any) -> Shown:
    """'Good (3 May 2023), more than two years old', 'Not yet rated by CQC' or 'Rating not in our data: see the CQC page'."""

    r = v.rating
    if not r:
        return Shown(v.rating_text, href=v.cqc_url, link=CQC_LINK)
    if r == v.s.values.not_yet_rated:
        return Shown(v.rating_text + not_yet_rated_when(v, spec), href=v.cqc_url, link=CQC_PAGE)
    when = f" ({_aged(v, v.rating_date)})" if v.rating_date else ""
    return Shown(f"{r}{when}" + given_words(v, spec) + (f", more than {v.limits['rating'].words} old" if v.rating_stale else ""),
                 href=v.cqc_url, link=CQC_PAGE)


def not_yet_rated_when(v: View, spec: Any) -> str:
    """" (as at 20 March 2025, 1 year 8 months ago)": when CQC's "Not yet rated" was so, the CQC register data's date, in
    the line's ``notYetRated`` words; "" without them or without that date."""
    words, when = spec.options.get("notYetRated"), v.register_date
    return f" ({words.replace('{date}', _aged(v, when))})" if isinstance(words, str) and words and when else ""


def given_words(v: View, spec: Any, given_to: str = "cqc.rating_given_to") -> str:
    """", " and the line's ``given`` words when CQC gave the rating to an earlier registration of the service (the
    registration ``given_to`` names: cqc.rating_given_to for the current rating); "" when to this one, or when the line
    declares no such words."""
    words = spec.options.get("given") if v.get(given_to) else None
    return f", {words}" if isinstance(words, str) and words else ""


@formatter("rating_given_to")
def _rating_given_to(v: View, value: Any, spec: Any) -> Shown | None:
    """Whom CQC gave the current rating to, when not this registration: 'its earlier registration, CQC location 1-...'
    (a link to that registration's CQC page), noting that it was not this registration (of its registered_since date),
    as CQC asks a service showing an inherited rating to make clear. None when CQC gave the rating to this one."""
    if not _known(value) or not v.rating:
        return None
    opts, since = spec.options, date_of(v.get("cqc.registered_since"))
    note = str(opts.get("givenNote", "")).replace("{date}", nice_date(since)) if since else str(opts.get("givenNoteUndated", ""))
    return Shown(str(opts.get("given", "{location}")).replace("{location}", str(value)),
                 href=f"https://www.cqc.org.uk/location/{value}", note=note or None)


@formatter("card_rating")
def _card_rating(v: View, value: Any, spec: Any) -> Shown:
    """'CQC rating: Good (3 May 2023). This rating is more than two years old', as a result card says it."""

    r = v.rating
    if not r:
        return Shown(f"CQC rating: {v.rating_label} ({CQC_LINK})", href=v.cqc_url, link=CQC_LINK)
    unrated = r == v.s.values.not_yet_rated
    when = not_yet_rated_when(v, spec) if unrated else f" ({_aged(v, v.rating_date)})" if v.rating_date else ""
    text = v.rating_text + when + (given_words(v, spec) if not unrated else "")
    return Shown(f"CQC rating: {text}" + rating_stale_words(v))


def rating_stale_words(v: View) -> str:
    """'. This rating is more than {limit} old' after a rating older than the site's limit, as its card and the page's
    key facts say it; empty for a newer one."""
    return f". This rating is more than {v.limits['rating'].words} old" if v.rating_stale else ""


@formatter("distance")
def _distance(v: View, value: Any, spec: Any) -> Shown | None:
    """Worked out in the browser from the search's postcode and the home's position (home.json ``at``)."""
    return None


@formatter("filtered")
def _filtered(v: View, value: Any, spec: Any) -> Shown | None:
    """One row for each need the person filtered for, placed in the browser from home.json's ``answers``."""
    return None


@formatter("card_beds")
def _card_beds(v: View, value: Any, spec: Any) -> Shown | None:
    """'Beds free: 2 with nursing, without nursing: not provided yet (confirmed 3 May 2026)'; None when no date was confirmed."""

    if not v.beds_confirmed:
        return None
    parts = []
    for kind, words in FREE_KINDS.items():
        n = v.free(kind)
        if n is not None:
            parts.append(f"{n} {words}")
        elif kind in v.free_unknown_kinds:
            parts.append(f"{words}: {v.s.values.not_provided.lower()}")
    text = f"Beds free: {', '.join(parts) or 'none given'} (confirmed {_aged(v, v.beds_confirmed)})"
    return Shown(text + (". May be out of date" if v.availability_stale else ""))


@formatter("confirmed")
def _confirmed(v: View, value: Any, spec: Any) -> Shown | None:

    if not v.beds_confirmed:
        return None
    return Shown(_aged(v, v.beds_confirmed) + (" (may be out of date)" if v.availability_stale else ""))


@formatter("key_questions")
def _key_questions(v: View, value: Any, spec: Any) -> Shown | None:
    """'Safe: Good; Effective: Good (published 11 August 2018, 6 years ago); ...': each key question's current rating
    (cqc.rating_<question>), with its own date (cqc.rating_<question>_date, worded by the fact's ``dated``) where CQC
    gave it in another report than the overall rating's (cqc.rating_date, the group's date), and, as the overall
    rating does, that it is more than the rating's staleness limit old (``stale``: ", more than {limit} old"). A question
    whose date is not known says so (``undated``); when no question's date is known (a profile imported before they
    were kept), the line says it once, as its note (``undatedAll``); a question with no rating, after the others
    (``unrated``: "{title}: no rating in the CQC data we hold"). A date before this registration began
    (cqc.registered_since) is of a rating CQC gave an earlier registration of the service, and is said to be
    (``earlier``: Unicorn1care's Effective and Caring of 18 April 2019, registered since 25 September 2020, whose entries
    in CQC's data name the earlier registration). None when no question is rated."""
    overall = date_of(v.get("cqc.rating_date"))
    since = date_of(v.get("cqc.registered_since"))
    rated = [(title, r, date_of(v.get(f"cqc.rating_{key}_date"))) for key, title in KEY_QUESTIONS if (r := v.get(f"cqc.rating_{key}"))]
    if not rated:
        return None
    opts = spec.options
    none_dated = all(when is None for _, _, when in rated)
    said = []
    for title, r, when in rated:
        if when is None:
            note = "" if none_dated else str(opts.get("undated", "date not known"))
        elif when != overall:
            note = str(opts.get("dated", "published {date}")).replace("{date}", nice_date(when)).replace("{age}", v.age(when))
            if v.stale("rating", when):
                note += str(opts.get("stale", ", more than {limit} old")).replace("{limit}", v.limits["rating"].words)
            if since and when < since:
                note += str(opts.get("earlier", ", given to an earlier registration"))
        else:
            note = ""
        said.append(f"{title}: {r}" + (f" ({note})" if note else ""))
    # a question CQC's data we hold gives no rating for (a focused inspection's "No published rating") is named, not
    # left out: the line showed three of the five without a word (the Devon review)
    unrated = str(opts.get("unrated", "{title}: not known"))
    said += [unrated.replace("{title}", title) for key, title in KEY_QUESTIONS if not v.get(f"cqc.rating_{key}")]
    return Shown("; ".join(said), note=str(opts.get("undatedAll", "dates not known")) if none_dated else None)


@formatter("cqc_report")
def _cqc_report(v: View, value: Any, spec: Any) -> Shown:
    """CQC's reports on the service, when CQC has published one as far as our data says (a report's address or
    date); else its page on CQC's website, with no claim of a report (a service registered but not yet inspected)."""
    if v.get("cqc.report_url") or v.get("cqc.report_date"):
        # the import links the earlier registration's reports when this has none: the report link says so
        return Shown("Read the CQC report" + (" of its earlier registration" if v.report_of_earlier else ""), href=v.cqc_report_url)
    return Shown("No report in our data: see its page on CQC's website", href=v.cqc_url, link="its page on CQC's website")


def fsa_rated(value: Any) -> bool:
    """Whether a food_hygiene.rating is a rating (0 to 5): "Exempt" and "Awaiting inspection" are the FSA's record of a
    kitchen it gives no rating, dated when recorded, not rated."""
    return str(value).isdigit()


@formatter("food_hygiene")
def _food_hygiene(v: View, value: Any, spec: Any) -> Shown | None:
    """The FSA rating with its date and source."""

    if value is None:
        return None
    d = date_of(v.get("food_hygiene.date"))
    old = ", so it may have changed" if v.stale("foodHygiene", d) else ""  # older than staleness.foodHygiene
    rated = fsa_rated(value)
    text = f"{value} out of 5" if rated else "Exempt: the Food Standards Agency does not rate it" if value == "Exempt" else str(value)
    when = f"{_fsa_dated(v, value, d)}{old}; " if d else ""
    return Shown(text, note=when + f"source: {v.s.values.owner_source('fsa')}")


def _fsa_dated(v: View, value: Any, d: Any) -> str:
    """'rated 12 March 2019, 6 years ago', or 'recorded ...' for a record that is no rating (fsa_rated)."""
    return f"{'rated' if fsa_rated(value) else 'recorded'} {_aged(v, d)}"


@formatter("fhrs_link")
def _fhrs_link(v: View, value: Any, spec: Any) -> Shown | None:
    """A link to the FSA's page, when a rating is matched."""
    if not isinstance(value, int) or isinstance(value, bool) or v.get("food_hygiene.rating") is None:
        return None
    return Shown("See this rating on the Food Standards Agency's website", href=f"https://ratings.food.gov.uk/business/{value}")


@formatter("user_rating")
def _user_rating(v: View, value: Any, spec: Any) -> Shown | None:

    if value is None:
        return None
    return Shown(f"{value:g} out of {v.get('user_rating.out_of'):g}",
                 note=f"from {v.get('user_rating.source')}, {_aged(v, v.get('user_rating.date'))}" if date_of(v.get("user_rating.date"))
                 else f"from {v.get('user_rating.source')}")


@formatter("phone")
def _phone(v: View, value: Any, spec: Any) -> Shown | None:
    return Shown(value, href=tel_href(value)) if isinstance(value, str) and value else None


@formatter("email")
def _email(v: View, value: Any, spec: Any) -> Shown | None:
    # an apostrophe, which check allows in an address (o'brien@...), is %27 in the link: safe_url refuses it as it is
    return Shown(value, href=safe_url(f"mailto:{value.replace(chr(39), '%27')}")) if isinstance(value, str) and value else None


@formatter("website")
def _website(v: View, value: Any, spec: Any) -> Shown | None:
    web = safe_url(value)
    return Shown(web, href=web) if web else None


@formatter("link")
def _link(v: View, value: Any, spec: Any) -> Shown | None:
    web = safe_url(value)
    return Shown(spec.options.get("text", web), href=web) if web else None


@formatter("address")
def _address(v: View, value: Any, spec: Any) -> Shown | None:
    return Shown(v.address_line) if v.address_line else None


@formatter("map")
def _map(v: View, value: Any, spec: Any) -> Shown | None:
    return Shown("See on OpenStreetMap", href=v.map_url) if v.map_url else None


@formatter("dormant")
def _dormant(v: View, value: Any, spec: Any) -> Shown | None:
    return Shown("Yes: registered but not providing care at the moment") if value else None


@formatter("providing")
def _providing(v: View, value: Any, spec: Any) -> Shown | None:
    """Whether CQC records the service as providing care, from its dormant flag: "No" while dormant, "Yes" while not,
    None when CQC does not say (a compare row asking "Providing care at the moment?", not the double negative "Not
    providing care at the moment: No")."""
    if value is None:
        return None
    if value:
        return Shown("No")  # its note, since when, as at CQC's register of ... (face.json note)
    # a Yes is as at CQC's register too ("at the moment" read as today, from data a year old: the accessibility review),
    # in the row's yesNote words ({register}: that register's date)
    when, words = nice_date(v.register_date), spec.options.get("yesNote")
    return Shown("Yes", note=str(words).replace("{register}", when) if when and words else None)


DORMANT_SAID = "Not providing care at the moment, CQC says"  # a card's and a list line's words for a dormant location


@formatter("card_dormant")
def _card_dormant(v: View, value: Any, spec: Any) -> Shown | None:
    """A result card's warning for a location CQC records as dormant; None (no line) for any other."""
    return Shown(DORMANT_SAID) if value is True else None


@formatter("sources")
def _sources(v: View, value: Any, spec: Any) -> Shown:
    """Who gave the facts and when: 'Care Quality Commission register (dated 1 May 2026); the home (beds confirmed ...)'
    ('... (dated 31 March 2021, 5 years 8 months ago; may be out of date)' past the register's staleness age),
    the service named in its kind's words ("the agency") only when it has given a fact (a profile as imported holds
    the register's alone), with the date of each of its dated facts in the compare table (_provider_dates). A location
    of several kinds (a care home that is a home care agency too) is named for each kind as its page's groups name it:
    "the home" for its own kind's facts, "the agency (taking new clients confirmed ...)" for the facts of the lines
    its other kind adds to its column (face.json ``also``)."""

    stale = "; may be out of date" if v.stale("register", v.register_date) else ""  # as the page's warning says
    parts = [v.s.values.owner_source("cqc") + (f" (dated {_aged(v, v.get('cqc.imported'))}{stale})" if nice_date(v.get("cqc.imported")) else "")]
    if v.get("food_hygiene.rating") is not None:  # the FSA's, beside it in the compare table
        d = date_of(v.get("food_hygiene.date"))
        parts.append(v.s.values.owner_source("fsa") + (f" ({_fsa_dated(v, v.get('food_hygiene.rating'), d)})" if d else ""))
    faces = v.faces
    for f in faces:
        dated = []
        for date, rows, unit in _provider_dates(v, f):
            known = [label for path, label in rows if _known(v.get(path))]
            words = unit or (and_list(known) if known else "")
            if words and nice_date(v.get(date)):
                dated.append(f"{words} confirmed {_aged(v, v.get(date))}")
        if dated or (_provider_gave(v) if len(faces) == 1 else _kind_gave(v, f)):
            noun = v.kind_words["noun"] if f is faces[0] else v.noun_of(f.kind)
            parts.append(f"the {noun}" + (f" ({'; '.join(dated)})" if dated else ""))
    return Shown("; ".join(parts))


_PROVIDER_DATES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # schema -> {(kind, also): _provider_dates}


def _provider_dates(v: View, face: Face | None = None) -> tuple[tuple[str, tuple[tuple[str, str], ...], str | None], ...]:
    """Each date its service gives (owner provider) that dates a fact of the compare table, from the schema, as
    (date path, the compare rows it dates as (path, label in lower case), None), from the kind's dated facts in
    the table's order (an agency's "taking new clients and hours of care a week it can start confirmed ...");
    and the kind's confirmed date, which dates its capacity, as (date path, (), its unit: "beds") when no dated
    entry has it. ``face``: one of the location's other kinds' (v.faces), whose facts are in its column only as the
    lines it adds (``also``): its compare rows of those lines' ids. Worked out once for each schema and kind."""
    by_kind = _PROVIDER_DATES.setdefault(v.s, {})
    also = face is not None and face is not v.face
    face = face if also and face is not None else v.face
    kind_id = face.kind
    if (kind_id, also) not in by_kind:
        k = next((x for x in kinds(v.s) if x.id == kind_id), None)
        out: list[tuple[str, tuple[tuple[str, str], ...], str | None]] = []
        ids = {line.id for line in face.also}
        if k is not None:
            rows = [(r.path, lower_first(r.label)) for r in face.compare if r.path and (not also or r.id in ids)]
            for date, facts in k.dated:
                mine = tuple((path, label) for path, label in rows if path in facts)
                if mine and _owner(v, date) == "provider":
                    out.append((date, mine, None))
            out.sort(key=lambda e: rows.index(e[1][0]))  # in the table's order
            if (k.confirmed and _owner(v, k.confirmed) == "provider" and k.confirmed not in {d for d, _ in k.dated}
                    and any(c.available in {p for p, _ in rows} for c in k.capacity)):
                out.append((k.confirmed, (), k.unit))
        by_kind[(kind_id, also)] = tuple(out)
    return by_kind[(kind_id, also)]


def _owner(v: View, path: str) -> str | None:
    f = v.s.by_path.get(path)
    return f.owner if f is not None else None


_PROVIDER_PARTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # schema -> (groups wholly the home's, paths)


def _provider_parts(schema: Schema) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the groups only the home fills: contact, fees...; the home's fields in groups shared with CQC: beds free, acute
    trusts), worked out once a schema."""
    parts = _PROVIDER_PARTS.get(schema)
    if parts is None:
        owners: dict[str, set[str]] = {}
        for path, f in schema.by_path.items():
            owners.setdefault(path.split(".")[0], set()).add(f.owner)
        whole = tuple(top for top, o in owners.items() if o == {"provider"})
        mixed = tuple(path for path, f in schema.by_path.items() if f.owner == "provider" and path.split(".")[0] not in whole)
        parts = _PROVIDER_PARTS[schema] = (whole, mixed)
    return parts


def _provider_gave(v: View) -> bool:
    """Whether the profile holds a fact its home gives (a field of owner provider): a group only the home fills
    (contact, fees...) present, or one of the home's fields in a group shared with CQC (beds free, acute trusts)."""
    whole, mixed = _provider_parts(v.s)
    return any(v.d.get(top) not in (None, {}, [], "") for top in whole) or any(v.get(path) is not None for path in mixed)


def _kind_gave(v: View, face: Face) -> bool:
    """For a location of several kinds: whether it has given a fact of the kind whose face is ``face``. Its other
    kinds' (not v.face's): a field of owner provider that only their tables have (an agency's homecare and coverage);
    its own kind's: any fact _provider_gave counts but those (the fields the kinds share, its name, phone and
    description, are its own kind's, as its page's groups have them)."""
    mine = {k.id: k for k in v.kinds}
    own = mine.get(v.face.kind)
    if face is v.face:
        others = {p for k in mine.values() if k is not own for p in k.field_paths} - (own.field_paths if own else frozenset())
        whole, mixed = _provider_parts(v.s)
        tops = {top for top in whole if any(p.split(".")[0] == top and p not in others for p in v.s.by_path)}
        return any(v.d.get(top) not in (None, {}, [], "") for top in tops) or any(v.get(p) is not None for p in mixed if p not in others)
    k = mine.get(face.kind)
    shared = {p for x in mine.values() if x is not k for p in x.field_paths}
    return k is not None and any(f.owner == "provider" and f.path not in shared and _known(v.get(f.path)) for f in k.fields)


@formatter("taking")
def _taking(v: View, value: Any, spec: Any) -> Shown | None:
    """'Yes (confirmed 28 November 2026, 8 days ago)', its age as a care home's vacancies say theirs, with "may be out of
    date" after the staleness days; None when not known."""
    if value is None:
        return None
    when = f" (confirmed {_aged(v, v.homecare_confirmed)}{', may be out of date' if v.taking_stale else ''})" if v.homecare_confirmed else ""
    return Shown(("Yes" if value else "No") + when)


@formatter("card_taking")
def _card_taking(v: View, value: Any, spec: Any) -> Shown | None:
    """'Taking new clients: yes, about 20 hours a week (confirmed 28 November 2026, 8 days ago)', its age as a care home's
    card says its vacancies'; None when not known."""
    taking = v.get(v.kind_paths.get("taking", ""))
    if taking is None:
        return None
    hours = v.get("homecare.hours_available")
    text = "Taking new clients: " + ("yes" if taking else "no") + (f", about {hours} hours a week" if taking and hours is not None else "")
    if v.homecare_confirmed:
        text += f" (confirmed {_aged(v, v.homecare_confirmed)})"
    return Shown(text + (". May be out of date" if v.taking_stale else ""))


@formatter("hours")
def _hours(v: View, value: Any, spec: Any) -> Shown | None:
    return None if value is None else Shown(f"About {value} hour{'s' * (value != 1)} a week")


@formatter("minutes")
def _minutes(v: View, value: Any, spec: Any) -> Shown | None:
    return None if value is None else Shown(f"{value} minutes")


@formatter("hourly_rate")
def _hourly_rate(v: View, value: Any, spec: Any) -> Shown | None:
    """'£24.50 to £29 an hour' (money_range); None when neither end is known."""
    text = money_range(value, v.get(spec.options["to"]), "an hour")
    return Shown(text) if text else None


def _answers(v: View, path: str) -> tuple[list[str], list[str], list[str]]:
    """The titles of a group of yes/no fields (the group of ``path``) said yes, those said no, and those not answered
    (both lower case)."""
    group = path.rsplit(".", 1)[0]
    fields = [f for f in v.s.by_path.values() if f.path.rsplit(".", 1)[0] == group and f.type == "boolean"]
    said = [(f, v.get(f.path)) for f in fields]
    return ([f.title for f, x in said if x is True], [lower_first(f.title) for f, x in said if x is False],
            [lower_first(f.title) for f, x in said if x is None])


def _listed_yes(v: View, yes: list[str], no: list[str], untold: list[str]) -> Shown | None:
    """What was said yes, with what was said no and what was not answered as its note ("not: live-in care; not known:
    night sitting"), so an answer left out never reads as a no; "None of these" only when every one was said no (one
    said no among others not answered is "Not" that one); None when none was answered."""
    if not yes and not no:
        return None
    notes = ([f"not: {', '.join(no)}"] if no and yes else []) + \
        ([f"{v.s.values.not_known.lower()}: {', '.join(untold)}"] if untold else [])
    text = ", ".join(yes) if yes else f"Not {', '.join(no)}" if untold else "None of these"
    return Shown(text, note="; ".join(notes) or None)


def _said_yes(v: View, path: str) -> Shown | None:
    """The titles of a group of yes/no fields (the group of ``path``) said yes, then those said no (_listed_yes)."""
    return _listed_yes(v, *_answers(v, path))


@formatter("services")
def _services(v: View, value: Any, spec: Any) -> Shown | None:
    """The care an agency has said it gives (_said_yes); None when it has said none. Read from its fallback (a yes
    only CQC's registration gives: value True, as the fact's own field never is when nothing is said), the title of
    the fact's own field ("Personal care"), which the fallback's note says is CQC's. An agency that answered some of
    the care it gives but not the fact's own field has CQC's yes for it listed with the rest, with the fallback's note."""
    title = v.s.by_path[spec.path].title
    yes, no, untold = _answers(v, spec.path)
    if not yes and not no:
        return Shown(title) if value is True else None
    if spec.fallback and v.get(spec.path) is None and v.value(spec.fallback[0]) is True:
        yes, untold = [*yes, f"{title} ({spec.fallback[1]})"], [u for u in untold if u != lower_first(title)]
    return _listed_yes(v, yes, no, untold)


@formatter("names")
def _names(v: View, value: Any, spec: Any) -> Shown | None:
    """A name, or several ("Mrs Jo Example and Mr Sam Example": a list, as CQC names a location's registered
    managers); None when none is given."""
    names = [str(x) for x in value if _known(x)] if isinstance(value, list) else [str(value)] if _known(value) else []
    if not names:
        return None
    return Shown(and_list(names))


@formatter("funding")
def _funding(v: View, value: Any, spec: Any) -> Shown | None:
    return _said_yes(v, spec.path)


def kind_title(v: View) -> str:
    """The kinds of service a location is, as a card names them: 'Home care agency', 'Care home and home care agency'."""
    return " and ".join(k.title if not i else k.title.lower() for i, k in enumerate(v.kinds))


@formatter("kind_title")
def _kind_title(v: View, value: Any, spec: Any) -> Shown:
    """kind_title, as a card's line."""
    return Shown(kind_title(v))


# ---- reading face.json --------------------------------------------------------------------------------

def face_path(schema: Schema) -> Path:
    """The face file the data package names (x-directory.face), beside it."""
    name = (schema.package.get("x-directory") or {}).get(FACE_KEY, "face.json")
    return Path(schema.folder) / str(name)


_FACES: weakref.WeakKeyDictionary[Schema, dict[str | None, Face]] = weakref.WeakKeyDictionary()


def update_link(face: Face) -> str:
    """The words of a page's link to its kind's availability form: an agency's (its face filters on the derived
    taking_now) "Update whether it is taking new clients", a care home's "Update vacancies"."""
    return "Update whether it is taking new clients" if any(o.derived == "taking_now" for o in face.options) else "Update vacancies"


def face_of(schema: Schema, kind: str | None = None) -> Face:
    """The face of ``kind`` (a kind id of x-directory.kinds), or with None the site's face: the first kind's,
    with every other declared kind's compare rows, facets and sorts after its own. Read once per schema
    (and once in each worker process)."""
    faces = _FACES.setdefault(schema, {})
    if kind not in faces:
        faces[kind] = load_face(schema, kind) if kind else _site_face(schema)
    return faces[kind]


_KINDS: weakref.WeakKeyDictionary[Schema, list[str]] = weakref.WeakKeyDictionary()
_LAST_KINDS: list[Any] = []  # [schema, its face_kinds]: the schema last asked about (kept alive while it is the last)


MONEY_FORMATS = ("fee_range", "hourly_rate")  # the formatters whose value and "to" are sums of money


def money_paths(schema: Schema) -> frozenset[str]:
    """The fields every kind's page shows as money (a fee range's or an hourly rate's ends), as a provider's reply
    shows them too ('£24.50', not '24.5')."""
    return frozenset(path for k in face_kinds(schema) for g in face_of(schema, k).page for f in g.facts
                     if f.format in MONEY_FORMATS for path in (f.path, f.options.get("to")) if isinstance(path, str))


def face_kinds(schema: Schema) -> list[str]:
    """The kinds face.json declares a face for, in x-directory.kinds' order (today: care_home). Asked several times for
    each page, card and filter (nationally about 120,000 times): the last schema's answer is kept beside _KINDS, so
    the usual question costs one identity test, not a weak dictionary's look-up (and no import statement run)."""
    last = _LAST_KINDS
    if last and last[0] is schema:
        return last[1]
    made = _KINDS.get(schema)
    if made is None:
        declared = _face_doc(schema).get("kinds")
        made = _KINDS[schema] = [k.id for k in kinds(schema) if isinstance(declared, dict) and k.id in declared] or [KIND]
    _LAST_KINDS[:] = [schema, made]
    return made


def _site_face(schema: Schema) -> Face:
    """The find and compare pages' face: one kind's face as it is, or every kind's filters, sorts and compare rows."""
    first, *others = [face_of(schema, k) for k in face_kinds(schema)]
    if not others:
        return first

    def merged(attr: str, key: str) -> tuple[Any, ...]:
        out: dict[str, Any] = {}
        for f in (first, *others):
            for x in getattr(f, attr):
                had = out.setdefault(getattr(x, key), x)
                if had is not x and hasattr(had, "kind") and had.kind != x.kind:
                    out[getattr(x, key)] = replace(had, kind="")  # declared by several kinds: shown for any of them
        return tuple(out.values())

    from .kinds import kind

    by_kind = {f.kind: (kind(f.kind, schema).plural, f.compare, f.filter_labels(), kind(f.kind, schema).title)
               for f in (first, *others)}
    # the type of service is chosen first, after the distance: declared by a later kind, it came after every filter of
    # the first kind's (a family looking for care at home passed 40 care home filters to reach it, on a phone by keyboard)
    facets = merged("facets", "key")
    lead = [f for f in facets if f.control == "radius"] + [f for f in facets if f.each == "kinds"]
    facets = (*lead, *(f for f in facets if f not in lead))
    return Face(first.kind, first.page, first.card, merged("compare", "id"), facets,
                merged("sorts", "key"), first.search, next((f.coverage for f in (first, *others) if f.coverage), {}), by_kind,
                tuple(k for f in (first, *others) for k in f.coverage_kinds), recent=first.recent)


def load_face(schema: Schema, kind: str = KIND) -> Face:
    """The declared face of ``kind``; FaceError naming the file, the entry and what to do when it is wrong."""
    return _Reader(schema, face_path(schema)).face(_face_doc(schema), kind)


def _face_doc(schema: Schema) -> Any:
    """face.json as JSON; FaceError naming the file when it cannot be read or is not JSON."""
    path = face_path(schema)
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise FaceError(f"{path}: cannot be read ({e.strerror}); x-directory.face in datapackage.json names it") from None
    except json.JSONDecodeError as e:
        raise FaceError(f"{path}, line {e.lineno}: is not valid JSON ({e.msg}); fix the file") from None


_TYPES: Shape = {  # face.json's keys below a kind, the types each takes and its list's items'; any other: text
    **dict.fromkeys(("alsoNote", "askedOnFallback", "browse", "descending", "fold", "ifKnown", "needWords"), ((bool,), ())),
    "also": ((list,), (str,)), "searchWords": ((list,), (str,)), "ignore": ((list,), (str,)),
    **dict.fromkeys(("card", "compare", "facets", "facts", "keyFacts", "known", "options", "page", "sorts"), ((list,), (dict,))),
    **dict.fromkeys(("coverage", "everyone", "fallback", "rank", "reasons", "search"), ((dict,), ())),
    "note": ((dict, str), ()), "words": ((list, str), (str,))}
_OWN_CHECKS = frozenset(("holds", "registerDate", "browseTitle", "browseNote", "matched", "miles"))  # named with an example


class _Reader:
    """Reads face.json, naming the first wrong entry by where it is (kinds.care_home.page[2].facts[0].format)."""

    def __init__(self, schema: Schema, path: Path):
        self.s, self.path = schema, path

    def fail(self, where: str, what: str) -> FaceError:
        return FaceError(f"{self.path}: {where}: {what}")

    def need(self, d: Any, key: str, where: str) -> Any:
        if not isinstance(d, dict) or key not in d:
            raise self.fail(where, f"has no {key}; add it (see the description at the top of the file)")
        return d[key]

    def typed(self, value: Any, where: str) -> None:
        """Every entry below a kind of the type its key takes (_TYPES; text where not listed), named where it is not,
        before it is read: a wrong type is a message, never a traceback (schema.shape_problem, as for the schema)."""
        wrong = shape_problem(value, where, _TYPES, ((str,), ()), _OWN_CHECKS)
        if wrong:
            where, what = wrong.split(": ", 1)
            raise self.fail(where, what)

    def path_of(self, value: Any, where: str) -> str:
        if value not in self.s.by_path:
            raise self.fail(where, f"'{value}' is not a field of the schema; use a profilePath from schema/datapackage.json")
        return str(value)

    def format_of(self, value: Any, where: str) -> str:
        if value not in FORMATS:
            raise self.fail(where, f"'{value}' is not a formatter; use one of {', '.join(sorted(FORMATS))}")
        return str(value)

    def face(self, doc: Any, kind: str) -> Face:
        k = self.need(self.need(doc, "kinds", "the file"), kind, "kinds")
        w = f"kinds.{kind}"
        if not isinstance(k, dict):
            raise self.fail(w, "is an entry in { }; put the kind's page, card, compare, facets and sorts in one")
        self.typed(k, w)
        page = tuple(self.group(g, f"{w}.page[{i}]") for i, g in enumerate(self.need(k, "page", w)))
        card = tuple(self.line(x, f"{w}.card[{i}]") for i, x in enumerate(self.need(k, "card", w)))
        compare = tuple(self.line(x, f"{w}.compare[{i}]") for i, x in enumerate(self.need(k, "compare", w)))
        facets = tuple(self.facet(x, f"{w}.facets[{i}]") for i, x in enumerate(self.need(k, "facets", w)))
        sorts = tuple(self.sort(x, f"{w}.sorts[{i}]") for i, x in enumerate(self.need(k, "sorts", w)))
        facets = tuple(replace(f, kind=kind) for f in facets)
        sorts = tuple(replace(s, kind=kind) for s in sorts)
        self.required(facets, w)
        rows = {r.id for r in compare}
        for i, f in enumerate(facets):  # an option's shownBy names one of the kind's own compare rows
            for o in f.options:
                if o.shown_by is not None and o.shown_by not in rows:
                    raise self.fail(f"{w}.facets[{i}]", f"option '{o.id}': shownBy '{o.shown_by}' is not a compare row of "
                                    f"this kind; use one of {', '.join(sorted(rows))}")
        coverage = dict(k.get("coverage") or {})
        key = tuple(self.line(x, f"{w}.keyFacts[{i}]") for i, x in enumerate(k.get("keyFacts") or []))  # a list: typed
        return Face(kind, page, card, compare, facets, sorts, dict(k.get("search") or {}), coverage,
                    coverage_kinds=(kind,) if coverage else (), key=key, also=self.also(k.get("also") or [], card, w),
                    recent=self.s.values.staleness["availability"].recent)

    def required(self, facets: tuple[Facet, ...], where: str) -> None:
        """Each ``requires`` of a count (known[].requires) names a yes/no filter of the kind's own facets."""
        filters = sorted({o.filter for f in facets for o in f.options if not o.path.startswith("kind:")})
        for i, f in enumerate(facets):
            for j, k in enumerate(f.known):
                if k.requires is not None and k.requires not in filters:
                    raise self.fail(f"{where}.facets[{i}].known[{j}].requires",
                                    f"'{k.requires}' is not a filter of this kind's facets; name one of {', '.join(filters)}")

    def also(self, ids: list[str], card: tuple[LineSpec, ...], where: str) -> tuple[LineSpec, ...]:
        """``also``: the ids of the kind's own card lines that a location of this kind and another, whose page, card
        and compare column are the other kind's (a care home that is a home care agency too), adds: those very lines,
        so they read as this kind's own card says them."""
        lines = {spec.id: spec for spec in card}
        for i, line in enumerate(ids):
            if line not in lines:
                raise self.fail(f"{where}.also[{i}]", f"'{line}' is not one of the kind's card lines; name one of {', '.join(lines)}")
        return tuple(lines[line] for line in ids)

    def fact(self, d: dict, where: str) -> FactSpec:
        path = self.path_of(self.need(d, "path", where), f"{where}.path")
        note = self.note(d, where)
        if "givenTo" in d:  # the field naming the registration CQC gave a past rating to (its note's {given})
            self.path_of(d["givenTo"], f"{where}.givenTo")
        if note and "{earlier}" in note[1]:  # its words for a report of the earlier registration, said in the note
            for key in ("earlier", "earlierNamed"):
                self.need(d, key, where)
        return FactSpec(path, self.format_of(self.need(d, "format", where), f"{where}.format"),
                        d.get("label") or self.s.by_path[path].title, d.get("short"), bool(d.get("ifKnown")),
                        note, self.fallback(d, where),
                        {k: v for k, v in d.items() if k not in ("path", "format", "label", "short", "ifKnown", "note", "fallback")}
                        | self.everyone(d, where))

    def everyone(self, d: dict, where: str) -> dict[str, str]:
        """A bands fact's or row's ``everyone`` (``{path, holds}``): the list field's item that opens a service to every
        group (CQC's specialism "Services for everyone"), read as the face's holds are; {} when it names none."""
        given = d.get("everyone")
        if given is None:
            return {}
        path = self.path_of(self.need(given, "path", f"{where}.everyone"), f"{where}.everyone.path")
        item = self.holds(given, path, f"{where}.everyone")
        if item is None:
            raise self.fail(f"{where}.everyone", 'names the list\'s item with holds, like "holds": "Services for everyone"')
        return {"everyone": f"{path}{HOLDS}{item}"}

    def group(self, d: dict, where: str) -> GroupSpec:
        facts = tuple(self.fact(f, f"{where}.facts[{i}]") for i, f in enumerate(self.need(d, "facts", where)))
        owners = self.s.values.owners
        source = str(self.need(d, "source", where))
        try:
            source = source.format(**{code: o.source for code, o in owners.items()})
        except (KeyError, IndexError, ValueError):
            raise self.fail(f"{where}.source", f"names an owner that does not exist; use {', '.join('{' + c + '}' for c in owners)}") from None
        register = d.get("registerDate")
        if register is not None and (not isinstance(register, str) or not register.strip()):
            raise self.fail(f"{where}.registerDate", 'names how the CQC register\'s date is labelled, as text, like "CQC data dated"')
        stale, stale_text = d.get("stale"), d.get("staleText")
        if stale_text is not None:
            self.placed(stale_text, f"{where}.staleText", ("date", "limit"), ("date", "limit"),
                        "is the warning's words, with {date} (when the group was confirmed) and {limit} (its staleness age)")
            if stale not in self.s.values.staleness or not d.get("date"):
                raise self.fail(f"{where}.staleText", "needs the group's date and a stale naming a staleness age")
        return GroupSpec(str(self.need(d, "id", where)), str(self.need(d, "title", where)), source, facts,
                         d.get("date"), d.get("dateLabel", "Last updated"), stale, d.get("table"), d.get("short"),
                         register, stale_text)

    def line(self, d: dict, where: str) -> LineSpec:
        path = d.get("path")
        if path is not None:
            self.path_of(path, f"{where}.path")
        label = d.get("label") or (self.s.by_path[path].title if path else "")
        unknown = d.get("unknown")
        if unknown is not None:
            unknown = unknown.replace("{notProvided}", self.s.values.not_provided.lower()).replace("{label}", label)
        owner = self.s.by_path[path].owner if path in self.s.by_path else ""
        if "notYetRated" in d:
            self.placed(d["notYetRated"], f"{where}.notYetRated", ("date",), ("date",),
                        "is the words saying when CQC's 'Not yet rated' was so, with {date} (the CQC register data's date), "
                        'like "as at {date}"')
        if d.get("noteWith", "no") != "no" or ("noteWith" in d and "note" not in d):
            raise self.fail(f"{where}.noteWith", 'is "no" (its note said beside No alone), with a note')
        return LineSpec(str(self.need(d, "id", where)), self.format_of(self.need(d, "format", where), f"{where}.format"),
                        label, path, d.get("template", "{value}"), unknown,
                        {k: v for k, v in d.items() if k not in ("id", "format", "label", "path", "template", "unknown", "fallback", "note")}
                        | self.everyone(d, where),
                        self.fallback(d, where), str((self.s.values.compare.get("unknownBy") or {}).get(owner, "")), owner,
                        str((self.s.values.compare.get("notHeldBy") or {}).get(owner, "")), self.note(d, where))

    def placed(self, text: Any, where: str, allowed: tuple[str, ...], needed: tuple[str, ...], what: str) -> str:
        """``text``, words a page says with placeholders filled in: FaceError (``what``) unless it is text that names
        only the ``allowed`` placeholders, each in single braces, and every one of ``needed`` (a stray or misspelt
        brace, "{dat}" or "{limit}}", would be printed on every page as it is)."""
        found = _PLACEHOLDER.findall(text) if isinstance(text, str) else []
        rest = _PLACEHOLDER.sub("", text) if isinstance(text, str) else ""
        if (not isinstance(text, str) or not text.strip() or "{" in rest or "}" in rest
                or any(f not in allowed for f in found) or any(n not in found for n in needed)):
            raise self.fail(where, what)
        return text

    def note(self, d: dict, where: str) -> tuple[str, str] | None:
        """A fact's, card line's or compare row's ``note`` (``{path, text}``): the date field and the words said with
        it ({date}, {age}, {register}, {given}, {earlier}), or None when it declares none."""
        note = d.get("note")
        if note is None or note == {}:
            return None
        if not isinstance(note, dict):
            raise self.fail(f"{where}.note", 'is an entry in { } with the path of its date and its text, like {"path": '
                            '"cqc.rating_date", "text": "published {date}"}')
        return (self.path_of(self.need(note, "path", f"{where}.note"), f"{where}.note.path"),
                self.placed(self.need(note, "text", f"{where}.note"), f"{where}.note.text", NOTE_PLACES, (),
                            "is the note's words, naming only {date}, {age}, {register}, {given} or {earlier}, each in single braces, "
                            'like "published {date}, {age}"'))

    def fallback(self, d: dict, where: str) -> tuple[str, str] | None:
        """A fact's or a row's ``fallback`` (``{path, note}``, perhaps ``holds``): the field shown (or, with ``holds``,
        whether that list field holds the item: yes, else not known), with its note, when its own is not known."""
        given = d.get("fallback")
        if not given:
            return None
        path = self.path_of(self.need(given, "path", f"{where}.fallback"), f"{where}.fallback.path")
        item = self.holds(given, path, f"{where}.fallback")
        return (f"{path}{HOLDS}{item}" if item else path, str(self.need(given, "note", f"{where}.fallback")))

    def facet(self, d: dict, where: str) -> Facet:
        key = str(self.need(d, "key", where))
        options = [self.option(o, f"{where}.options[{i}]") for i, o in enumerate(d.get("options") or [])]
        each = d.get("each")
        if each == "capabilities":
            options += [Option(f"{key}-{i}", f"{key}_{c.code}", f"capabilities.{c.code}.accepted", c.label.split(" (")[0],
                               c.label.split(" (")[0], (plain_words(c.label),)) for i, c in enumerate(self.s.capabilities, 1)]
        elif each == "kinds":
            options += self.kind_options(key)
        elif each:
            fields = [f for f in self.s.home_fields if f.path.startswith(f"{each}.") and f.type == "boolean"]
            if not fields:
                raise self.fail(f"{where}.each", f"'{each}' holds no yes/no fields; name a group of them, like care.user_bands, or capabilities")
            options += [Option(f"{key}-{i}", f"{key}_{f.path.rsplit('.', 1)[1]}", f.path, f.title, f.title, (plain_words(f.title),))
                        for i, f in enumerate(fields, 1)]
        known = tuple(Known(str(self.need(k, "key", f"{where}.known[{i}]")), str(self.need(k, "value", f"{where}.known[{i}]")),
                            k.get("question"), k.get("requires")) for i, k in enumerate(d.get("known") or []))
        control = str(d.get("control", "checks"))
        miles = d.get("miles") or []
        if control == "radius" and (not isinstance(miles, list) or not miles
                                    or not all(isinstance(m, (int, float)) and not isinstance(m, bool) and m > 0 for m in miles)):
            raise self.fail(f"{where}.miles", "a radius filter needs its distances in miles, numbers above 0, like [5, 10, 20]")
        seen: dict[str, int] = {}
        for i, o in enumerate(options):
            if o.value in seen:
                raise self.fail(f"{where}.options[{i}].value", f"'{o.value}' is also option {seen[o.value]}'s value; give each option "
                                "of a filter its own value, as a shared link names the ticked ones by it")
            seen[o.value] = i
        title = d.get("browseTitle", Facet.browse_title)
        if not isinstance(title, str) or "{label}" not in title or "{many}" not in title or title.count("{") != 2 \
                or title.count("}") != 2:
            raise self.fail(f"{where}.browseTitle", 'a list page\'s title names {many} and {label}, like "{many} for: {label}"')
        note = d.get("browseNote", "")
        if not isinstance(note, str):
            raise self.fail(f"{where}.browseNote", "a list page's note is a sentence of text")
        matched = d.get("matched", Facet.matched)
        if not isinstance(matched, str) or matched.count("{label}") != 1 or matched.count("{") != 1:
            raise self.fail(f"{where}.matched", 'why a need word found a card names {label} once and whose word it is, like '
                            '"registered with CQC to support {label}"')
        return Facet(key, control, d.get("legend", ""), d.get("question"), tuple(options), known,
                     bool(d.get("browse")), bool(d.get("needWords")), tuple(sorted(float(m) for m in miles)) if control == "radius" else (),
                     d.get("hint"), each=str(each) if each else None, browse_title=title, browse_note=note,
                     matched=matched, fold=bool(d.get("fold")))

    def kind_options(self, key: str) -> list[Option]:
        """One option per kind of service, labelled with its find words ("Care home", "Care at home"):
        a page says yes to each kind it is (views.DERIVED "kind:<id>")."""
        out = []
        faces = _face_doc(self.s).get("kinds") or {}
        for k in self.s.package.get("x-directory", {}).get("kinds", {}).get("list", []):
            words = str(k.get("findWords") or (faces.get(k["id"]) or {}).get("findWords") or k["title"])
            kid = str(k["id"])
            # what a search box phrase naming the kind looks like ("home care", "domiciliary care": a daughter typing
            # "home care Royton" was shown two care homes), as the kind's face declares them
            typed = (faces.get(kid) or {}).get("searchWords") or []
            out.append(Option(f"{key}-{kid.replace('_', '-')}", f"{key}_{kid}", f"kind:{kid}", kid,
                              words[:1].upper() + words[1:], tuple(dict.fromkeys(plain_words(str(w)) for w in typed))))
        return out

    def option(self, d: dict, where: str) -> Option:
        path = self.path_of(self.need(d, "path", where), f"{where}.path")
        label = d.get("label") or self.s.by_path[path].title
        words = tuple(plain_words(w) for w in d.get("words") or [label])
        shown_by = d.get("shownBy")
        if shown_by is not None and (not isinstance(shown_by, str) or not shown_by):
            raise self.fail(f"{where}.shownBy", 'is the id of the compare row that shows its fact, like "dormant"')
        return Option(str(self.need(d, "id", where)), str(self.need(d, "filter", where)), path, str(d.get("value", "yes")), label, words,
                      d.get("derived"), self.holds(d, path, where), shown_by)

    def holds(self, d: dict, path: str, where: str) -> str | None:
        """An option's or a fallback's ``holds``: the item of the list field ``path`` whose listing says yes."""
        item = d.get("holds")
        if item is None:
            return None
        if not isinstance(item, str) or not item or HOLDS in item or READ_OR in item:
            raise self.fail(f"{where}.holds", f"names the item of {path} that says yes, as text, like \"Personal care\"")
        if self.s.by_path[path].type != "list":
            raise self.fail(f"{where}.holds", f"'{path}' is not a list field; holds names an item of a list, like cqc.regulated_activities")
        return item

    def sort(self, d: dict, where: str) -> Sort:
        rank = d.get("rank") or {}
        unknown = d.get("unknownValue")
        if isinstance(unknown, str):
            unknown = unknown.replace("{noRating}", self.s.values.no_rating)
        return Sort(str(self.need(d, "key", where)), str(self.need(d, "label", where)), str(self.need(d, "words", where)),
                    rank.get("value"), bool(rank.get("descending")), d.get("filter"), d.get("filterValue"), unknown,
                    d.get("unknownOne", ""), d.get("unknownMany", ""), known_none=d.get("knownNone", ""))


def plain_words(label: str) -> str:
    """How a search box word names a label: lower case words, no brackets ("Children (0-18 years)" -> "children");
    the find page reads the box the same way (directory-text.js plainWords)."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", label.split(" (")[0].casefold()).split())
