"""Open Referral UK (HSDS 3.0 UK profile) export: one service per care home.

Each home becomes a ``service`` with its ``organization`` (the CQC provider), a
``service_at_location`` with the ``location`` and its ``address``, the manager as a ``contact``,
fees as ``cost_options``, and care type, service user bands and needs as ``attributes`` linked to
``taxonomy_term``s of this directory's own taxonomy. Care-home facts the standard has no place
for (beds, vacancies, capability beds, CQC rating and registration) are carried in the extension
object ``x_care_home`` (the phone number too: the UK profile removes ``phones`` from services, and
has no other place for it). Fields the UK profile removes from HSDS 3.0 (``phones`` on service,
``attributes[].link_entity``, ``taxonomy_term.code``) are never written. The organisation is the CQC
provider, given only when the profile names it (never an invented name). Identifiers are UUID 5s
derived from the CQC location ID, so they are stable from release to release. ``assured_date`` (ORUK: "the date
that the information about the service was last checked", by the ``assurer_email``) is never written: nobody checks a
record as a whole here; ``last_modified`` is the newest of its dated facts. Each group of facts keeps its own date in
the extension object: CQC's by its register
(``cqc.imported``, the date of the register data, not of the import), the service's own by the service
(``beds.confirmed``, ``fees.date``, ...).

``service_package`` is the bulk file (``data/oruk-services.json``); ``oruk_api`` publishes the same
records as a static ORUK API.
"""
from __future__ import annotations

import hashlib
import uuid
from functools import lru_cache
from typing import Any

from ..kinds import Kind, kinds_of
from ..records import canonical, flatten
from ..safetext import safe_url
from ..schema import Field, Schema, load_schema

NAMESPACE = uuid.UUID("6f1d8a52-3f8e-4c55-9b1a-6a0f9e0c2b7d")
NAMESPACE_BYTES = NAMESPACE.bytes
TAXONOMY = "Care home directory needs and service types"


# The RFC 4122 variant set on a hex digit of the digest: 10xx (8, 9, a or b), its low two bits kept
_VARIANT = {c: format(0x8 | (int(c, 16) & 0x3), "x") for c in "0123456789abcdef"}


def uid(*parts: Any) -> str:
    """The UUID 5 of the parts joined by ':' in NAMESPACE: ``str(uuid.uuid5(NAMESPACE, name))``, its version and
    variant set on the SHA-1 digest's hex digits rather than through a UUID object (about 9 ids a home)."""
    x = hashlib.sha1(NAMESPACE_BYTES + ":".join(map(str, parts)).encode("utf-8")).hexdigest()
    return f"{x[:8]}-{x[8:12]}-5{x[13:16]}-{_VARIANT[x[16]]}{x[17:20]}-{x[20:32]}"  # version 5; the variant


@lru_cache(maxsize=256)
def _term_cached(kind: str, code: str) -> tuple:
    return (uid("term", kind, code), uid("taxonomy"))


def _term(kind: str, code: str, name: str, description: str) -> dict:
    """A taxonomy term, its ID from the schema's code for it (a need's code, a band's path), never from its words: a
    label reworded keeps its term's ID, and every attribute's."""
    term_id, taxonomy_id = _term_cached(kind, code)
    return {"id": term_id, "name": name, "description": description, "taxonomy_id": taxonomy_id}


def _attribute(service_id: str, kind: str, code: str, name: str, description: str) -> dict:
    term = _term(kind, code, name, description)
    return {"id": uid("attribute", service_id, kind, code), "link_id": service_id, "link_type": kind,
            "taxonomy_term_id": term["id"], "taxonomy_term": term}


_BANDS_AND_NEEDS: dict[int, tuple[Schema, tuple[Field, ...], tuple[tuple[str, str, str], ...]]] = {}


def _bands_and_needs(schema: Schema) -> tuple[tuple[Field, ...], tuple[tuple[str, str, str], ...]]:
    """The schema's user band fields, and (code, label, path of its 'accepted') for each need: made once a schema, not
    once a home."""
    got = _BANDS_AND_NEEDS.get(id(schema))
    if got is None or got[0] is not schema:
        if len(_BANDS_AND_NEEDS) > 16:  # schemas loaded again and again (tests): keep only the newest
            _BANDS_AND_NEEDS.clear()
        got = _BANDS_AND_NEEDS[id(schema)] = (
            schema, tuple(f for f in schema.home_fields if f.path.startswith("care.user_bands.")),
            tuple((c.code, c.label, f"capabilities.{c.code}.accepted") for c in schema.capabilities))
    return got[1], got[2]


def _newest_date(g: Any, mine: tuple[Kind, ...]) -> str | None:
    """The newest of a record's dates (``g``: its flat record's get; ``mine``: its kinds, whose date fields are read), as
    YYYY-MM-DD; None when it has none."""
    found = [str(value)[:10] for k in mine for path in k.date_paths if (value := g(path)) is not None]
    return max((d for d in found if len(d) == 10 and d[4] == "-" and d[7] == "-"), default=None)


def oruk_status(cqc_status: str | None, dormant: bool | None) -> str:
    """ORUK's service status from CQC's register: "defunct" once CQC has deregistered it, "inactive" when the latest
    register no longer lists it, "temporarily closed" while CQC records it as dormant (registered, giving no care at
    the moment: never "active", which would say it is giving care), else "active"."""
    if cqc_status == "Deregistered":
        return "defunct"
    if cqc_status == "Not in latest register":
        return "inactive"
    return "temporarily closed" if dormant is True else "active"


def service(profile_data: dict, schema: Schema | None = None, *, is_canonical: bool = False,
            flat: dict[str, Any] | None = None) -> dict:
    """One care home as an ORUK service object (dates as text, as JSON has them). ``flat``: the canonical
    record's ``flatten``, when made already."""
    schema = schema or load_schema()
    d = profile_data if is_canonical else canonical(profile_data, schema)
    lid = d["location_id"]
    g = (flat if flat is not None and is_canonical else flatten(d)).get

    provider, provider_id = g("provider.name"), g("provider.cqc_id")
    # one organisation per CQC provider, whichever of its homes names it; without a provider ID, one per home
    sid, loc_id = uid("service", lid), uid("location", lid)
    oid = uid("organization", "cqc", str(provider_id)) if provider_id else uid("organization", lid)
    status = oruk_status(g("cqc.status"), g("cqc.dormant"))
    mine = kinds_of(d, schema)
    first = mine[0]
    offered = [c for k in mine for c in k.capacity if c.flag and g(c.flag)]
    registered = g(first.registered) if first.registered else None
    # a location of two kinds says both, as its page does ("Care home without nursing and home care agency"): the
    # agency was left out of the description (the open data review)
    also = "".join(f" and {str(k.title).lower()}" for k in mine[1:])
    summary = f"{first.title} {' and '.join(c.label for c in offered if c in first.capacity)}".strip() + also + (
        f", registered with CQC for {registered} {first.unit}." if registered is not None else ".")
    svc: dict[str, Any] = {"id": sid, "name": d["name"], "status": status, "description": g("description") or summary}
    changed = _newest_date(g, mine)
    if changed:  # ORUK: when the service's information last changed; here, its newest dated fact (a register, a confirmation)
        svc["last_modified"] = f"{changed}T00:00:00.000Z"
    if provider:  # the CQC provider; when the register gives no name, no organisation (not an invented one)
        about = (f"A care provider registered with the Care Quality Commission (provider ID {provider_id})." if provider_id
                 else f"The organisation registered with the Care Quality Commission to run {d['name']}.")
        org: dict[str, Any] = {"id": oid, "name": provider, "description": about}
        if provider_id:
            org["organization_identifiers"] = [{"id": uid("org-identifier", "cqc", str(provider_id)), "organization_id": oid,
                                                "identifier_scheme": "CQC", "identifier_type": "CQC provider ID",
                                                "identifier": provider_id}]
        svc = {"id": sid, "organization_id": oid, **{k: v for k, v in svc.items() if k != "id"}, "organization": org}
    url = safe_url(g("contact.website") or g("cqc.website"))  # the home's own, else the one CQC holds (as its page shows)
    if url and url.lower().startswith(("https://", "http://")):
        svc["url"] = url
    if g("contact.email"):
        svc["email"] = g("contact.email")
    location: dict[str, Any] = {"id": loc_id, "location_type": "physical", "name": d["name"],
                                "external_identifier": lid, "external_identifier_type": "CQC location ID"}
    if g("address.latitude") is not None:
        location["latitude"], location["longitude"] = g("address.latitude"), g("address.longitude")
    if g("address.street") and g("address.town") and g("address.postcode"):
        location["addresses"] = [{"id": uid("address", lid), "location_id": loc_id, "address_1": g("address.street"),
                                  "city": g("address.town"), "state_province": d["locality"], "postal_code": g("address.postcode"),
                                  "country": "GB", "address_type": "physical"}]
    areas = [(path, name, v) for k in mine for path, name in k.service_areas for v in g(path) or []]
    if areas:  # the areas it covers, as the service gives them (its location is only its office)
        svc["service_areas"] = [{"id": uid("service-area", lid, path, v), "service_id": sid, "name": name.format(value=v),
                                 "extent": v, "extent_type": "text"} for path, name, v in areas]
    svc["service_at_locations"] = [{"id": uid("service-at-location", lid), "service_id": sid, "location_id": loc_id, "location": location}]
    if g("contact.manager"):
        svc["contacts"] = [{"id": uid("contact", lid), "service_id": sid, "name": g("contact.manager"), "title": "Manager"}]
    costs = []
    pairs = [(c.key, c.label) for k in mine for c in k.capacity]
    for kind, label in pairs:  # fees.nursing_from ...: a weekly fee per type of place, where the schema has one
        for end in ("from", "to"):
            amount = g(f"fees.{kind}_{end}")
            if amount is not None:
                costs.append({"id": uid("cost", lid, kind, end), "service_id": sid, "option": f"Weekly fee {label}, {end}",
                              "amount": amount, "amount_description": "Pounds a week", "valid_from": g("fees.date")})
    summaries = ["Weekly fees; see cost_options."] if costs else []
    for price in (p for k in mine for p in k.oruk_costs):  # an agency's hourly rate: the same, from its own paths
        given = [(end, g(path)) for end, path in (("from", price.start), ("to", price.end)) if g(path) is not None]
        costs += [{"id": uid("cost", lid, price.start, end), "service_id": sid, "option": f"{price.option}, {end}",
                   "amount": amount, "amount_description": price.unit, "valid_from": g(price.date)} for end, amount in given]
        summaries += [price.summary] if given else []
    if costs:
        svc["cost_options"] = costs
    if summaries:
        svc["fees"] = " ".join(summaries)
    attrs = [_attribute(sid, "care_type", k.id if i == 0 else f"{k.id}.{i}", name, description)
             for k in mine for i, (name, description) in enumerate(k.oruk_terms)]
    attrs += [_attribute(sid, "care_type", c.key, *c.oruk_term) for k in mine for c in k.capacity if c in offered and c.oruk_term]
    bands, needs = _bands_and_needs(schema)
    attrs += [_attribute(sid, "service_user_band", f.path, f.title, f.description) for f in bands if g(f.path)]
    attrs += [_attribute(sid, "need", code, label, f"The home can accept people needing: {label}")
              for code, label, accepted in needs if g(accepted)]
    if attrs:
        svc["attributes"] = attrs
    # the care group but its user bands (those are attributes); an agency's holds only those: no empty object
    care = {key: v for key, v in (d.get("care") or {}).items() if key != "user_bands"}
    for k in mine:  # each kind's facts ORUK has no fields for, in its extension object
        ext = {key: d[key] for key in k.oruk_extension_keys if key in d and key != "care"}
        if "care" in k.oruk_extension_keys and care:
            ext["care"] = care
        if g("contact.phone"):
            ext["contact"] = {"phone": g("contact.phone")}
        svc[k.oruk_extension] = ext
    return svc


def service_package(services: list[bytes]) -> bytes:
    """data/oruk-services.json: every home's full service record, as the UK profile's service package (an array,
    one service a line, as ``tables.json_array`` writes it); ``services`` as their JSON in UTF-8
    (``json.dumps(service, ensure_ascii=False).encode()``, made where each home was checked: joined as bytes,
    nationally 43 MB, with nothing decoded or encoded again)."""
    return b"[\n" + b",\n".join(services) + b"\n]\n" if services else b"[]\n"


def service_texts(package: bytes) -> list[bytes] | None:
    """Each service's JSON line in a package as service_package writes it (its inverse: no line of JSON holds a
    newline, which it writes as ``\\n``), or None when ``package`` is not in that form."""
    if package == b"[]\n":
        return []
    if not (package.startswith(b"[\n") and package.endswith(b"\n]\n")):
        return None
    return package[2:-3].split(b",\n")
