"""What a page shows about a home: facts grouped as a family reads them, with source and date."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .records import get_path
from .safetext import markdown_lite, safe_url
from .schema import Schema, load_schema

VALUES = load_schema().values
NOT_PROVIDED = VALUES.not_provided
SOURCES = {code: o.source for code, o in VALUES.owners.items()}
# the order a family asks in: the "not known yet" block lists missing facts by group in this order
UNKNOWN_ORDER = ["vacancies", "needs", "fees", "contact", "care", "quality", "registration"]
REGISTER_STALE_MONTHS = 3  # regulator facts older than this get a plain warning (mkdocs.yml extra.directory.cqc_stale_months)
NO_RATING = f"{VALUES.no_rating}: see the CQC page"
NOT_YET_RATED = f"{VALUES.not_yet_rated} by CQC"
KEY_QUESTIONS = (("safe", "Safe"), ("effective", "Effective"), ("caring", "Caring"), ("responsive", "Responsive"),
                 ("well_led", "Well-led"))


@dataclass
class Fact:
    label: str
    text: str | None = None          # plain text (escaped by the template)
    href: str | None = None          # a checked link
    html: str | None = None          # already-safe HTML (from safetext)
    note: str | None = None
    owner: str = "provider"          # who gives this fact (a schema owner code)
    short: str | None = None         # its name in the "not known yet" list; facts sharing one are listed once

    @property
    def missing(self) -> bool:
        return self.text is None and self.html is None

    @property
    def missing_name(self) -> str:
        """How the fact is named in a list of missing facts: its short name, or its label in lower case."""
        return self.short or lower_first(self.label)


@dataclass
class Group:
    id: str
    title: str
    source: str
    date: dt.date | None = None
    date_label: str = "Last updated"
    stale: str | None = None
    facts: list[Fact] = field(default_factory=list)
    table: list[list[str]] | None = None
    table_missing: list[Fact] = field(default_factory=list)  # rows of the table nobody has given

    @property
    def known_facts(self) -> list[Fact]:
        return [f for f in self.facts if not f.missing]

    @property
    def shown(self) -> bool:
        """A group is shown when it has a known fact, a known row or a warning; missing facts go to one block."""
        return bool(self.known_facts or self.table or self.stale)


def lower_first(text: str) -> str:
    """'Weekend assessments' -> 'weekend assessments'; 'CQC rating' stays."""
    return text[:1].lower() + text[1:] if text[1:2].islower() else text


@dataclass
class Unknown:
    """One line of a home page's "not known yet" block: who has not given which facts."""

    owner: str
    lead: str           # who has not given them (x-directory.unknowns.missingBy)
    items: list[str]

    @property
    def text(self) -> str:
        return ", ".join(self.items)


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _iso(value: Any) -> str | None:
    """A date as YYYY-MM-DD, or None."""
    d = _date(value)
    return d.isoformat() if d else None


FREE_KINDS = {"nursing": "with nursing", "residential": "without nursing"}  # kinds of bed, as pages name them


def nice_date(value: Any) -> str:
    d = _date(value)
    return f"{d.day} {d:%B %Y}" if d else ""


def register_stale_note(when: dt.date | None, today: dt.date, months: int = REGISTER_STALE_MONTHS) -> str | None:
    """'These facts are from ... more than N months ago' when the regulator's data is that old."""
    if when is None:
        return None
    y, m = divmod(today.year * 12 + today.month - 1 - months, 12)
    limit = dt.date(y, m + 1, min(today.day, 28))
    if when >= limit:
        return None
    return (f"The Care Quality Commission facts here are from the register dated {nice_date(when)}, more than "
            f"{months} month{'s' * (months != 1)} ago. Ratings, registration and contact details may have changed: "
            "check the CQC page.")


def yes_no(value: Any) -> str | None:
    return None if value is None else ("Yes" if value else "No")


def money(value: Any) -> str | None:
    if value is None:
        return None
    return f"£{value:,.0f}" if float(value).is_integer() else f"£{value:,.2f}"


def fee_range(lo: Any, hi: Any) -> str | None:
    if lo is None and hi is None:
        return None
    if lo is not None and hi is not None and lo != hi:
        return f"{money(lo)} to {money(hi)} a week"
    return f"{money(lo if lo is not None else hi)} a week"


class HomeView:
    """Everything a profile page, a result card and the compare table need about one home."""

    def __init__(self, data: dict, today: dt.date, schema: Schema | None = None, repo_edit: str | None = None,
                 stale_months: int = REGISTER_STALE_MONTHS, checked_on: dt.date | None = None):
        self.d = data
        self.checked_on = checked_on  # the day a CQC API sync last confirmed these facts unchanged
        self.s = schema or load_schema()
        self.today = today
        self.repo_edit = repo_edit
        self.stale_months = stale_months

    def get(self, path: str) -> Any:
        return get_path(self.d, path.split("."))

    @property
    def slug(self) -> str:
        return self.d["slug"]

    @property
    def name(self) -> str:
        return self.d["name"]

    @property
    def address_line(self) -> str:
        parts = [self.get("address.street"), self.get("address.town"), self.get("address.postcode")]
        return ", ".join(str(p) for p in parts if p)

    @property
    def care_types(self) -> list[str]:
        out = []
        if self.get("care.nursing"):
            out.append("Nursing")
        if self.get("care.residential"):
            out.append("Residential")
        return out

    @property
    def care_type_text(self) -> str:
        kinds = {("Nursing",): "Care home with nursing", ("Residential",): "Care home without nursing",
                 ("Nursing", "Residential"): "Care home with and without nursing"}
        return kinds.get(tuple(self.care_types), "Care home")

    @property
    def bands(self) -> list[str]:
        return [f.title for f in self.s.home_fields if f.path.startswith("care.user_bands.") and self.get(f.path)]

    @property
    def yes_filters(self) -> list[str]:
        """One Pagefind filter per yes/no fact the find page filters on (care_nursing, band_dementia,
        need_tracheostomy...), so a search downloads only the page lists it uses."""
        out = [f"care_{k}" for k in ("nursing", "residential") if self.get(f"care.{k}")]
        out += [f"band_{f.path.rsplit('.', 1)[1]}" for f in self.s.home_fields if f.path.startswith("care.user_bands.") and self.get(f.path)]
        out += [f"need_{c.code}" for c in self.s.capabilities if self.get(f"capabilities.{c.code}.accepted")]
        return out

    @property
    def needs_short(self) -> list[str]:
        return [c.label.split(" (")[0] for c in self.s.capabilities if self.get(f"capabilities.{c.code}.accepted")]

    @property
    def rating(self) -> str | None:
        return self.get("cqc.rating")

    @property
    def rating_label(self) -> str:
        """The rating as shown and filtered on: CQC's value, or the one 'no rating' wording."""
        return self.s.values.rating_label(self.rating)

    @property
    def rating_date(self) -> dt.date | None:
        return _date(self.get("cqc.rating_date"))

    @property
    def rating_stale(self) -> bool:
        d = self.rating_date
        return bool(d and (self.today - d).days > self.s.values.rating_stale_days)

    @property
    def rating_text(self) -> str:
        """The rating as a page says it: never says unrated unless CQC says so."""
        r = self.rating
        return NO_RATING if not r else NOT_YET_RATED if r == VALUES.not_yet_rated else r

    @property
    def register_date(self) -> dt.date | None:
        """The date of the regulator facts: imported, or later confirmed unchanged by a sync."""
        dates = [d for d in (_date(self.get("cqc.imported")), self.checked_on) if d]
        return max(dates) if dates else None

    @property
    def register_stale(self) -> str | None:
        """A plain warning when the regulator facts are older than the configured number of months."""
        return register_stale_note(self.register_date, self.today, self.stale_months)

    @property
    def beds_confirmed(self) -> dt.date | None:
        return _date(self.get("beds.confirmed"))

    @property
    def availability_stale(self) -> bool:
        d = self.beds_confirmed
        return bool(d and (self.today - d).days > self.s.values.availability_stale_days)

    def free(self, kind: str) -> int | None:
        return self.get(f"beds.{kind}.available")

    def free_counts(self, kind: str) -> bool:
        """Whether ``kind``'s free beds are part of the home's total: it offers that care, or that is not known."""
        return self.get(f"care.{kind}") is not False or self.free(kind) is not None

    @property
    def free_unknown_kinds(self) -> list[str]:
        """The kinds of bed the home offers (or may offer) whose free beds it has not given."""
        return [k for k in FREE_KINDS if self.free_counts(k) and self.free(k) is None]

    @property
    def free_total(self) -> int | None:
        """All free beds, or None unless every kind of bed the home offers (or may offer) has a known count."""
        values = [n for n in (self.free(k) for k in FREE_KINDS) if n is not None]
        return None if not values or self.free_unknown_kinds else sum(values)

    @property
    def has_free(self) -> bool | None:
        """Whether any bed is free: yes when a known count is above 0, even if another kind is not known;
        no only when every count that matters is known and 0; otherwise not known."""
        if any(self.free(k) for k in FREE_KINDS):
            return True
        return None if self.free_total is None else False

    @property
    def free_text(self) -> str:
        """The free beds as the page header says them, never adding a not-known count in as 0."""
        when = f" on {nice_date(self.beds_confirmed)}" if self.beds_confirmed else ""
        total = self.free_total
        if total is not None:
            return f"{total} bed{'' if total == 1 else 's'} free{when}"
        known = [(k, self.free(k)) for k in FREE_KINDS if self.free(k) is not None]
        if not known:
            return f"Beds free now: {self.s.values.not_known.lower()}"
        parts = [f"{n} bed{'' if n == 1 else 's'} free {FREE_KINDS[k]}" for k, n in known]
        parts += [f"beds free {FREE_KINDS[k]}: {self.s.values.not_known.lower()}" for k in self.free_unknown_kinds]
        return parts[0] + when + "; " + "; ".join(parts[1:])

    @property
    def free_band(self) -> str:
        """Bands of free beds, used to sort by vacancies without a Pagefind sort key."""
        n = self.free_total
        return "unknown" if n is None else "5+" if n >= 5 else "2-4" if n >= 2 else str(n)

    @property
    def fee_band(self) -> str:
        """The lowest weekly fee rounded up to the schema's band step ('01200' for £1,101 to £1,200), or 'none'."""
        return "none" if self.fee_from is None else self.s.values.fee_band(self.fee_from)

    @property
    def fee_from(self) -> float | None:
        values = [v for v in (self.get("fees.nursing_from"), self.get("fees.residential_from")) if v is not None]
        return min(values) if values else None

    @property
    def status(self) -> str | None:
        return self.get("cqc.status")

    @property
    def on_register(self) -> bool:
        return self.status in (None, self.s.values.registered_status)

    @property
    def map_url(self) -> str | None:
        lat, lon = self.get("address.latitude"), self.get("address.longitude")
        if lat is None or lon is None:
            return None
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"

    @property
    def cqc_url(self) -> str:
        return safe_url(self.get("cqc.report_url")) or f"https://www.cqc.org.uk/location/{self.d['location_id']}"

    @property
    def edit_url(self) -> str | None:
        return f"{self.repo_edit}providers/{self.slug}.yaml" if self.repo_edit else None

    def form_url(self, template: str) -> str | None:
        """The repository's issue form ``template``, prefilled with this home (see forms.py)."""
        from .forms import form_url

        return form_url(self.repo_edit.rsplit("/edit/", 1)[0], template, self.slug, self.name) if self.repo_edit else None

    @property
    def description_html(self) -> str:
        return markdown_lite(self.get("description"))

    @property
    def district(self) -> str | None:
        pc = self.get("address.postcode")
        return pc.split(" ")[0] if pc else None

    @property
    def trust_names(self) -> list[str]:
        """The acute trusts the home works with, by name (the profile holds NHS ODS codes)."""
        from .sources.nhs_ods import trust_name

        codes = self.get("care.acute_trusts") or []
        return [trust_name(c) or c for c in codes if isinstance(c, str)]

    # --- the groups of the profile page --------------------------------------------------------

    def groups(self) -> list[Group]:
        return [self._beds(), self._care(), self._needs(), self._quality(), self._fees(), self._contact(), self._registration()]

    def fact(self, label: str, text: str | None, path: str, short: str | None = None, **kw: Any) -> Fact:
        """A fact whose owner is the owner of the schema field at ``path``."""
        return Fact(label, text, owner=self.s.by_path[path].owner, short=short, **kw)

    def unknowns(self, groups: list[Group] | None = None) -> list[Unknown]:
        """What the page does not know, one line per owner (the home first): facts sharing a short name
        are named once when all of them are missing, and one by one when only some are."""
        groups = self.groups() if groups is None else groups
        facts = [f for g in groups for f in g.facts]
        names: dict[str, list[str]] = {}
        for g in sorted(groups, key=lambda g: UNKNOWN_ORDER.index(g.id) if g.id in UNKNOWN_ORDER else len(UNKNOWN_ORDER)):
            for f in g.facts + g.table_missing:
                if not f.missing:
                    continue
                same = [o for o in facts if f.short and o.short == f.short]
                name = f.missing_name if all(o.missing for o in same) else lower_first(f.label)
                if name not in names.setdefault(f.owner, []):
                    names[f.owner].append(name)
        if not self.description_html:
            names.setdefault(self.s.by_path["description"].owner, []).append("a description of the home")
        order = ["provider", *sorted(c for c in self.s.values.owners if c != "provider")]
        by = self.s.values.unknowns.missing_by
        return [Unknown(code, by[code], names[code]) for code in order if names.get(code)]

    def _beds(self) -> Group:
        g = Group("vacancies", "Beds and vacancies", SOURCES["provider"], self.beds_confirmed, "Vacancies confirmed")
        if self.availability_stale:
            g.stale = (f"The home last confirmed its free beds on {nice_date(self.beds_confirmed)}, more than "
                       f"{self.s.values.availability_stale_days} days ago. This may be out of date: phone the home to check.")
        for kind, label in (("nursing", "with nursing"), ("residential", "without nursing")):
            total, free = self.get(f"beds.{kind}.total"), self.free(kind)
            g.facts.append(self.fact(f"Beds {label} free now", None if free is None else str(free), f"beds.{kind}.available", "beds free now"))
            g.facts.append(self.fact(f"Beds {label} in total", None if total is None else str(total), f"beds.{kind}.total",
                                     "how many beds it has"))
        return g

    def _care(self) -> Group:
        g = Group("care", "Care offered", f"{SOURCES['cqc']} and the home", _date(self.get("cqc.imported")), "CQC data dated")
        g.facts.append(self.fact("Type of home (registered with CQC)", self.care_type_text if self.care_types else None, "care.nursing",
                                 "type of home"))
        g.facts.append(self.fact("Registered to support (CQC)", ", ".join(self.bands) if self.bands else None, "care.user_bands.older_people",
                                 "who it is registered to support"))
        g.facts.append(self.fact("Weekend assessments", yes_no(self.get("care.weekend_assessments")), "care.weekend_assessments",
                                 "weekend assessments and admissions"))
        g.facts.append(self.fact("Weekend admissions from hospital", yes_no(self.get("care.weekend_admissions")), "care.weekend_admissions",
                                 "weekend assessments and admissions"))
        g.facts.append(self.fact("Hospitals (acute trusts) the home works with", "; ".join(self.trust_names) or None, "care.acute_trusts",
                                 "which hospitals it works with"))
        return g

    def _needs(self) -> Group:
        """Only the needs the home has answered; the rest are one line of the "not known yet" block."""
        g = Group("needs", "Needs the home can meet", SOURCES["provider"], _date(self.get("capabilities.confirmed")), "Confirmed")
        rows = []
        for c in self.s.capabilities:
            base = f"capabilities.{c.code}"
            acc = self.get(f"{base}.accepted")
            if acc is None:
                g.table_missing.append(self.fact(c.label, None, f"{base}.accepted", "which needs it can meet"))
                continue
            n, r = self.get(f"{base}.nursing_beds"), self.get(f"{base}.residential_beds")
            rows.append([c.label, yes_no(acc) or "", "" if n is None else str(n), "" if r is None else str(r)])
        if rows and g.table_missing:
            n = len(g.table_missing)
            g.table_missing = [Fact(f"whether it can meet the other {n} need{'s' * (n != 1)} on the list", owner=g.table_missing[0].owner)]
        g.table = rows
        return g

    def _quality(self) -> Group:
        g = Group("quality", "Quality", f"{SOURCES['cqc']}, {SOURCES['fsa']}, the council and the home", self.rating_date, "CQC rating published")
        if self.rating_stale:
            g.stale = (f"This CQC rating was published on {nice_date(self.rating_date)}, more than {self.s.values.rating_stale_age} ago. "
                       "It may be out of date: check the CQC report for any newer inspection.")
        rating = self.rating
        g.facts.append(self.fact("CQC overall rating", self.rating_text, "cqc.rating", "its CQC rating",
                                 href=None if rating else self.cqc_url,
                                 note=f"published {nice_date(self.rating_date)}" if self.rating_date else None))
        questions = [f"{title}: {self.get(f'cqc.rating_{key}')}" for key, title in KEY_QUESTIONS if self.get(f"cqc.rating_{key}")]
        if questions:
            g.facts.append(self.fact("CQC rating for each key question", "; ".join(questions), "cqc.rating_safe"))
        if self.get("cqc.previous_rating"):
            g.facts.append(self.fact("Previous CQC rating", self.get("cqc.previous_rating"), "cqc.previous_rating",
                                     note=f"published {nice_date(self.get('cqc.previous_rating_date'))}" if self.get("cqc.previous_rating_date") else None))
        g.facts.append(self.fact("CQC report", "Read the CQC report", "cqc.report_url", href=self.cqc_url,
                                 note=f"latest report published {nice_date(self.get('cqc.report_date'))}" if self.get("cqc.report_date") else None))
        g.facts.append(self.fact("Registered manager in post (CQC)", yes_no(self.get("cqc.registered_manager")), "cqc.registered_manager",
                                 "whether a registered manager is in post"))
        st, nt = self.get("staffing.staff_turnover_percent"), self.get("staffing.nurse_turnover_percent")
        sdate = nice_date(self.get("staffing.date"))
        g.facts.append(self.fact("Staff who left in a year", None if st is None else f"{st:g}%", "staffing.staff_turnover_percent",
                                 "how many staff leave each year", note=f"12 months to {sdate}" if st is not None else None))
        g.facts.append(self.fact("Registered nurses who left in a year", None if nt is None else f"{nt:g}%", "staffing.nurse_turnover_percent",
                                 "how many staff leave each year", note=f"12 months to {sdate}" if nt is not None else None))
        g.facts.extend(self._food_hygiene())
        score = self.get("user_rating.score")
        g.facts.append(self.fact("Rating from residents and families", None if score is None else
                                 f"{score:g} out of {self.get('user_rating.out_of'):g}", "user_rating.score", "a rating from residents and families",
                                 note=f"from {self.get('user_rating.source')}, {nice_date(self.get('user_rating.date'))}" if score is not None else None))
        return g

    def _food_hygiene(self) -> list[Fact]:
        """The FSA food hygiene rating with its date and source, and a link to the FSA's page."""
        fh, fh_id = self.get("food_hygiene.rating"), self.get("food_hygiene.fhrs_id")
        when = nice_date(self.get("food_hygiene.date"))
        text = None if fh is None else f"{fh} out of 5" if str(fh).isdigit() else str(fh)
        note = None if fh is None else (f"rated {when}; " if when else "") + f"source: {SOURCES['fsa']}"
        facts = [self.fact("Food hygiene rating", text, "food_hygiene.rating", "its food hygiene rating", note=note)]
        if isinstance(fh_id, int) and not isinstance(fh_id, bool) and fh is not None:
            facts.append(self.fact("Food hygiene page", "See this rating on the Food Standards Agency's website", "food_hygiene.fhrs_id",
                                   href=f"https://ratings.food.gov.uk/business/{fh_id}"))
        return facts

    def _fees(self) -> Group:
        g = Group("fees", "Fees", SOURCES["provider"], _date(self.get("fees.date")), "Fees confirmed")
        g.facts.append(self.fact("Weekly fee with nursing", fee_range(self.get("fees.nursing_from"), self.get("fees.nursing_to")),
                                 "fees.nursing_from", "its fees"))
        g.facts.append(self.fact("Weekly fee without nursing", fee_range(self.get("fees.residential_from"), self.get("fees.residential_to")),
                                 "fees.residential_from", "its fees"))
        g.facts.append(self.fact("Accepts the council's usual rate", yes_no(self.get("fees.council_rate_accepted")),
                                 "fees.council_rate_accepted", "its fees"))
        g.facts.append(self.fact("A top-up may be asked for", yes_no(self.get("fees.top_ups")), "fees.top_ups",
                                 "its fees"))
        return g

    def _contact(self) -> Group:
        g = Group("contact", "Contact and location", f"The home and the {SOURCES['cqc']}")
        phone, from_cqc = self.get("contact.phone"), None
        if not phone and self.get("cqc.phone"):
            phone, from_cqc = self.get("cqc.phone"), "as held by CQC; the home has not given its own"
        g.facts.append(self.fact("Phone", phone, "contact.phone", "contact details (phone, email, website)",
                                 href=safe_url("tel:" + phone.replace(" ", "")) if phone else None, note=from_cqc))
        email = self.get("contact.email")
        g.facts.append(self.fact("Email", email, "contact.email", "contact details (phone, email, website)", href=safe_url(f"mailto:{email}") if email else None))
        web, from_cqc = safe_url(self.get("contact.website")), None
        if not web and safe_url(self.get("cqc.website")):
            web, from_cqc = safe_url(self.get("cqc.website")), "as held by CQC; the home has not given its own"
        g.facts.append(self.fact("Website", web, "contact.website", "contact details (phone, email, website)", href=web, note=from_cqc))
        g.facts.append(self.fact("Manager", self.get("contact.manager"), "contact.manager", "manager's name"))
        g.facts.append(self.fact("Address", self.address_line or None, "address.street", "address"))
        g.facts.append(self.fact("Map", "See on OpenStreetMap" if self.map_url else None, "address.latitude", "where it is on a map",
                                 href=self.map_url))
        return g

    def _registration(self) -> Group:
        g = Group("registration", "Registration", SOURCES["cqc"], self.register_date, "CQC data dated")
        g.stale = self.register_stale
        g.facts.append(self.fact("CQC location ID", self.d["location_id"], "location_id"))
        g.facts.append(self.fact("Provider", self.get("provider.name"), "provider.name", "the provider that runs it"))
        g.facts.append(self.fact("Registration status", self.status, "cqc.status", "its registration status",
                                 note=nice_date(self.get("cqc.status_date")) or None))
        g.facts.append(self.fact("Registered since", nice_date(self.get("cqc.registered_since")) or None, "cqc.registered_since",
                                 "when it was registered"))
        if self.get("cqc.dormant"):
            g.facts.append(self.fact("Dormant (CQC)", "Yes: registered but not providing care at the moment", "cqc.dormant"))
        if self.get("cqc.service_types"):
            g.facts.append(self.fact("CQC service types", "; ".join(self.get("cqc.service_types")), "cqc.service_types"))
        g.facts.append(self.fact("Beds registered with CQC", None if self.get("beds.registered") is None else str(self.get("beds.registered")),
                                 "beds.registered", "how many beds are registered"))
        g.facts.append(self.fact("Local authority area", self.get("locality"), "locality"))
        return g

    # --- machine-readable forms ------------------------------------------------------------------

    def json_ld(self) -> dict:
        """The home as schema.org JSON-LD, using only types and properties of the current vocabulary
        (checked in tests/test_outputs_jsonld.py against the vocabulary schema-dts ships).

        Type: schema.org has no care home or nursing home type (``NursingHome`` does not exist), and no
        social care type at all. A home registered for nursing care is a ``MedicalBusiness`` (a LocalBusiness
        subtype "for medical purposes": nursing care is given by registered nurses and regulated as health
        care); a home without nursing gives personal care, not medical care, so it is the nearest type that
        fits, ``LocalBusiness`` itself, rather than a subtype that would misdescribe it.
        No ``aggregateRating``: the CQC rating is a regulator's judgement, not an average of reviews, and
        the directory holds no reviews. ``telephone`` and ``url`` appear only when the profile gives them.
        """
        doc: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "MedicalBusiness" if self.get("care.nursing") else "LocalBusiness",
            "name": self.name,
            "identifier": self.d["location_id"],
        }
        if self.address_line:
            address = {"@type": "PostalAddress", "streetAddress": self.get("address.street"),
                       "addressLocality": self.get("address.town"), "postalCode": self.get("address.postcode"),
                       "addressRegion": self.get("locality"), "addressCountry": "GB"}
            doc["address"] = {k: v for k, v in address.items() if v}
        if self.get("address.latitude") is not None and self.get("address.longitude") is not None:
            doc["geo"] = {"@type": "GeoCoordinates", "latitude": self.get("address.latitude"), "longitude": self.get("address.longitude")}
        for key, path in (("telephone", "contact.phone"), ("email", "contact.email")):
            if self.get(path):
                doc[key] = self.get(path)
        if safe_url(self.get("contact.website")):
            doc["url"] = self.get("contact.website")
        if self.get("provider.name"):
            doc["parentOrganization"] = {"@type": "Organization", "name": self.get("provider.name")}
        return doc

    def summary(self) -> dict:
        """The compact facts the compare page and result cards use."""
        return {
            "slug": self.slug, "name": self.name, "location_id": self.d["location_id"],
            "address": self.address_line, "locality": self.get("locality"), "care": self.care_type_text,
            "bands": self.bands, "needs": self.needs_short, "rating": self.rating,
            "rating_date": self.rating_date.isoformat() if self.rating_date else None, "rating_stale": self.rating_stale,
            "nursing_free": self.free("nursing"), "residential_free": self.free("residential"),
            "beds_confirmed": self.beds_confirmed.isoformat() if self.beds_confirmed else None,
            "availability_stale": self.availability_stale, "beds_registered": self.get("beds.registered"),
            "fee_from": self.fee_from, "weekend_admissions": self.get("care.weekend_admissions"),
            "registered_manager": self.get("cqc.registered_manager"), "status": self.status,
            "phone": self.get("contact.phone"), "cqc_imported": _iso(self.get("cqc.imported")),
            "sources": {"cqc": self.s.values.owner_source("cqc"), "provider": self.s.values.owner_source("provider")},
            "lat": self.get("address.latitude"), "lon": self.get("address.longitude"),
        }
