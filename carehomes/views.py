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


@dataclass
class Fact:
    label: str
    text: str | None = None          # plain text (escaped by the template)
    href: str | None = None          # a checked link
    html: str | None = None          # already-safe HTML (from safetext)
    note: str | None = None

    @property
    def missing(self) -> bool:
        return self.text is None and self.html is None


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


def nice_date(value: Any) -> str:
    d = _date(value)
    return f"{d.day} {d:%B %Y}" if d else ""


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

    def __init__(self, data: dict, today: dt.date, schema: Schema | None = None, repo_edit: str | None = None):
        self.d = data
        self.s = schema or load_schema()
        self.today = today
        self.repo_edit = repo_edit

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
    def beds_confirmed(self) -> dt.date | None:
        return _date(self.get("beds.confirmed"))

    @property
    def availability_stale(self) -> bool:
        d = self.beds_confirmed
        return bool(d and (self.today - d).days > self.s.values.availability_stale_days)

    def free(self, kind: str) -> int | None:
        return self.get(f"beds.{kind}.available")

    @property
    def free_total(self) -> int | None:
        values = [v for v in (self.free("nursing"), self.free("residential")) if v is not None]
        return sum(values) if values else None

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

    @property
    def description_html(self) -> str:
        return markdown_lite(self.get("description"))

    @property
    def district(self) -> str | None:
        pc = self.get("address.postcode")
        return pc.split(" ")[0] if pc else None

    # --- the groups of the profile page --------------------------------------------------------

    def groups(self) -> list[Group]:
        return [self._beds(), self._care(), self._needs(), self._quality(), self._fees(), self._contact(), self._registration()]

    def _beds(self) -> Group:
        g = Group("vacancies", "Beds and vacancies", SOURCES["provider"], self.beds_confirmed, "Vacancies confirmed")
        if self.availability_stale:
            g.stale = (f"The home last confirmed its free beds on {nice_date(self.beds_confirmed)}, more than "
                       f"{self.s.values.availability_stale_days} days ago. This may be out of date: phone the home to check.")
        for kind, label in (("nursing", "with nursing"), ("residential", "without nursing")):
            total, free = self.get(f"beds.{kind}.total"), self.free(kind)
            g.facts.append(Fact(f"Beds {label} free now", None if free is None else str(free)))
            g.facts.append(Fact(f"Beds {label} in total", None if total is None else str(total)))
        return g

    def _care(self) -> Group:
        g = Group("care", "Care offered", f"{SOURCES['cqc']} and the home", _date(self.get("cqc.imported")), "CQC data dated")
        g.facts.append(Fact("Type of home (registered with CQC)", self.care_type_text if self.care_types else None))
        g.facts.append(Fact("Registered to support (CQC)", ", ".join(self.bands) if self.bands else None))
        g.facts.append(Fact("Weekend assessments", yes_no(self.get("care.weekend_assessments"))))
        g.facts.append(Fact("Weekend admissions from hospital", yes_no(self.get("care.weekend_admissions"))))
        trusts = self.get("care.acute_trusts")
        g.facts.append(Fact("Hospitals (acute trusts) the home works with", "; ".join(trusts) if trusts else None))
        return g

    def _needs(self) -> Group:
        g = Group("needs", "Needs the home can meet", SOURCES["provider"], _date(self.get("capabilities.confirmed")), "Confirmed")
        rows = []
        for c in self.s.capabilities:
            base = f"capabilities.{c.code}"
            acc = self.get(f"{base}.accepted")
            n, r = self.get(f"{base}.nursing_beds"), self.get(f"{base}.residential_beds")
            rows.append([c.label, yes_no(acc) or NOT_PROVIDED, "" if n is None else str(n), "" if r is None else str(r)])
        g.table = rows
        return g

    def _quality(self) -> Group:
        g = Group("quality", "Quality", f"{SOURCES['cqc']}, the council and the home", self.rating_date, "CQC rating published")
        if self.rating_stale:
            g.stale = (f"This CQC rating was published on {nice_date(self.rating_date)}, more than {self.s.values.rating_stale_age} ago. "
                       "It may be out of date: check the CQC report for any newer inspection.")
        rating = self.rating
        g.facts.append(Fact("CQC overall rating", self.rating_label, note=f"published {nice_date(self.rating_date)}" if rating else None))
        g.facts.append(Fact("CQC report", "Read the CQC report", href=self.cqc_url))
        g.facts.append(Fact("Registered manager in post (CQC)", yes_no(self.get("cqc.registered_manager"))))
        st, nt = self.get("staffing.staff_turnover_percent"), self.get("staffing.nurse_turnover_percent")
        sdate = nice_date(self.get("staffing.date"))
        g.facts.append(Fact("Staff who left in a year", None if st is None else f"{st:g}%", note=f"12 months to {sdate}" if st is not None else None))
        g.facts.append(Fact("Registered nurses who left in a year", None if nt is None else f"{nt:g}%", note=f"12 months to {sdate}" if nt is not None else None))
        fh = self.get("food_hygiene.rating")
        fh_id = self.get("food_hygiene.fhrs_id")
        g.facts.append(Fact("Food hygiene rating", None if fh is None else f"{fh} out of 5",
                            href=f"https://ratings.food.gov.uk/business/{fh_id}" if fh_id and fh is not None else None,
                            note=f"inspected {nice_date(self.get('food_hygiene.date'))}" if fh is not None else None))
        score = self.get("user_rating.score")
        g.facts.append(Fact("Rating from residents and families", None if score is None else
                            f"{score:g} out of {self.get('user_rating.out_of'):g}",
                            note=f"from {self.get('user_rating.source')}, {nice_date(self.get('user_rating.date'))}" if score is not None else None))
        return g

    def _fees(self) -> Group:
        g = Group("fees", "Fees", SOURCES["provider"], _date(self.get("fees.date")), "Fees confirmed")
        g.facts.append(Fact("Weekly fee with nursing", fee_range(self.get("fees.nursing_from"), self.get("fees.nursing_to"))))
        g.facts.append(Fact("Weekly fee without nursing", fee_range(self.get("fees.residential_from"), self.get("fees.residential_to"))))
        g.facts.append(Fact("Accepts the council's usual rate", yes_no(self.get("fees.council_rate_accepted"))))
        g.facts.append(Fact("A top-up may be asked for", yes_no(self.get("fees.top_ups"))))
        return g

    def _contact(self) -> Group:
        g = Group("contact", "Contact and location", f"The home and the {SOURCES['cqc']}")
        phone = self.get("contact.phone")
        g.facts.append(Fact("Phone", phone, href=safe_url("tel:" + phone.replace(" ", "")) if phone else None))
        email = self.get("contact.email")
        g.facts.append(Fact("Email", email, href=safe_url(f"mailto:{email}") if email else None))
        web = safe_url(self.get("contact.website"))
        g.facts.append(Fact("Website", web, href=web))
        g.facts.append(Fact("Manager", self.get("contact.manager")))
        g.facts.append(Fact("Address", self.address_line or None))
        g.facts.append(Fact("Map", "See on OpenStreetMap" if self.map_url else None, href=self.map_url))
        return g

    def _registration(self) -> Group:
        g = Group("registration", "Registration", SOURCES["cqc"], _date(self.get("cqc.imported")), "CQC data dated")
        g.facts.append(Fact("CQC location ID", self.d["location_id"]))
        g.facts.append(Fact("Provider", self.get("provider.name")))
        g.facts.append(Fact("Registration status", self.status, note=nice_date(self.get("cqc.status_date")) or None))
        g.facts.append(Fact("Registered since", nice_date(self.get("cqc.registered_since")) or None))
        g.facts.append(Fact("Beds registered with CQC", None if self.get("beds.registered") is None else str(self.get("beds.registered"))))
        g.facts.append(Fact("Local authority area", self.get("locality")))
        return g

    # --- machine-readable forms ------------------------------------------------------------------

    def json_ld(self) -> dict:
        doc: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "NursingHome" if self.get("care.nursing") else "LocalBusiness",
            "name": self.name,
            "identifier": self.d["location_id"],
        }
        if self.address_line:
            doc["address"] = {"@type": "PostalAddress", "streetAddress": self.get("address.street"),
                              "addressLocality": self.get("address.town"), "postalCode": self.get("address.postcode"),
                              "addressRegion": self.get("locality"), "addressCountry": "GB"}
        if self.get("address.latitude") is not None:
            doc["geo"] = {"@type": "GeoCoordinates", "latitude": self.get("address.latitude"), "longitude": self.get("address.longitude")}
        for key, path in (("telephone", "contact.phone"), ("email", "contact.email")):
            if self.get(path):
                doc[key] = self.get(path)
        if safe_url(self.get("contact.website")):
            doc["url"] = self.get("contact.website")
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
