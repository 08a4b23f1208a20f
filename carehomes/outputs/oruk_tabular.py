"""data/oruk-tabular/: the homes in Open Referral UK's tabular form (the UK profile's CSV data package).

ORUK tools that read the tabular form, not the API, get the same records as ``oruk-services.json``
and the static API (``oruk``, ``oruk_api``), cut into the profile's tables: every object nested in a
service record becomes a row of its table (``organization`` of ``organization``,
``service_at_locations`` of ``service_at_location``, ``location``, ``addresses`` of ``address``, and
so on), its fields written to the table's columns of the same name. Nothing is mapped a second time,
so the ids are the API's ids. Objects the service records do not hold give no rows.

- **The tables and their schemas** are the profile's own: ``schema/openreferral-uk/datapackage.json``
  is the UK profile's ``datapackage.json`` copied unchanged (a test keeps it identical to
  ``../shared``), read at build time. Every one of its 17 tables is published, in its order and with
  its file names, columns and field order; a table with no rows is a header line only, so the
  package has the same files in every release and every foreign key has its table.
- **One deviation**, listed in ``DEVIATIONS``: ``service.organization_id`` is not required. The
  organisation is the CQC provider, given only when the register names it (never invented, as in
  the API); the profile's JSON schema for a service does not require ``organization_id``, its table
  schema does. An empty ``organization_id`` refers to no organisation.
- **Cells** are written as in our other CSVs (RFC 4180, UTF-8 without BOM, CRLF): numbers as in
  JSON, dates ``YYYY-MM-DD``, booleans ``true``/``false``. Every text cell is neutralised as in
  ``tables`` (one extra leading apostrophe before =, +, -, @, tab, CR), because these tables open in
  spreadsheets too; each text column's description says so, as in our own datapackage.json, and
  ``oruk-services.json`` holds the values without it.
- **The home's telephone number** has no place in the API's records (the UK profile removes
  ``phones`` from services and gives contacts none), but the tables have one: a ``phone`` row whose
  contact is the home itself (a ``contact`` row with the home's name and no job title), so a tool
  that reads this form can ring the home: its own number, else the one CQC holds (described as such). Ids are UUID 5s of the service id, stable like the rest.
- Other care-home facts the standard has no place for (``x_care_home``) are not in the tables.
"""
from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

from ..kinds import kinds, title_noun
from ..schema import ROOT, load_schema
from ..text import neutralise
from .oruk import uid
from .oruk_api import taxonomies_and_terms, taxonomy
from .tables import AS_IS, DP_V2, FORMULA_RULE, csv_writer, example_text, line_writer, owner_sources, release_version

FOLDER = "oruk-tabular"  # under data/, beside oruk-services.json; the static API is oruk/ on the site
PROFILE_PATH = ROOT / "schema" / "openreferral-uk" / "datapackage.json"
PROFILE_URL = "https://github.com/OpenReferralUK/uk-profile"
ATTRIBUTION = "Human Services Data Specification: an Open Referral resource (https://openreferral.org/)"
# Where each table's rows are in a service record: key of a nested object (or list of them) -> table.
NESTED = {"organization": "organization", "organization_identifiers": "organization_identifier",
          "service_at_locations": "service_at_location", "location": "location", "addresses": "address",
          "contacts": "contact", "phones": "phone", "schedules": "schedule", "funding": "funding",
          "service_areas": "service_area", "languages": "language", "accessibility": "accessibility",
          "cost_options": "cost_option", "attributes": "attribute", "taxonomy_term": "taxonomy_term"}
DEVIATIONS = {("service", "organization_id"): (
    {"required": False},
    "Empty when the CQC register names no provider for the home: this directory never invents an organisation. "
    "(The UK profile's table schema requires organization_id; its JSON schema for a service does not.)")}
FORMULA_NOTE = FORMULA_RULE + " (oruk-services.json and the static ORUK API hold the values without it)."


def load_profile_package(path: Path = PROFILE_PATH) -> dict:
    """The UK profile's own datapackage.json (its tables and their schemas)."""
    return json.loads(path.read_text(encoding="utf-8"))


def _objects(node: dict, table: str, parent: tuple[str, str] | None) -> Iterator[tuple[str, dict, tuple[str, str] | None]]:
    """(table, object, (parent table, parent id)) for ``node`` and every object nested in it."""
    yield table, node, parent
    for key, value in node.items():
        if key not in NESTED:  # a field of this row (or x_care_home, which has no table)
            continue
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, dict):
                yield from _objects(child, NESTED[key], (table, str(node.get("id", ""))))


def phone_note(noun: str, cqc: bool) -> str:
    """phones.csv's description of a service's number, calling the service ``noun`` ('home', 'agency'): its own,
    or (``cqc``) the one the Care Quality Commission holds."""
    return (f"The telephone number the Care Quality Commission holds for the {noun}, which has not given its own." if cqc
            else f"The {noun}'s telephone number.")


def phone_rows(svc: dict) -> list[tuple[str, dict]]:
    """(table, row) for the service's telephone number, which the service record keeps in its kind's extension
    (x_care_home, x_home_care_agency): a contact that is the service itself, and its phone. Its own number
    (contact.phone), else the one CQC holds (cqc.phone, as its page shows it, marked as CQC's), described in the
    words of the kind whose extension holds it. None when the record has neither."""
    def number_at(group: str) -> tuple[str, str] | None:
        return next(((n, title_noun(k.title)) for k in kinds()
                     if isinstance(n := ((svc.get(k.oruk_extension) or {}).get(group) or {}).get("phone"), str) and n.strip()), None)
    found = next(((got, group == "cqc") for group in ("contact", "cqc") if (got := number_at(group))), None)
    if found is None:
        return []
    (number, noun), cqc = found
    note = phone_note(noun, cqc)
    contact_id = uid("home-contact", svc["id"])
    return [("contact", {"id": contact_id, "service_id": svc["id"], "name": svc.get("name")}),
            ("phone", {"id": uid("home-phone", svc["id"]), "contact_id": contact_id, "number": number.strip(),
                       "description": note})]


def service_rows(svc: dict) -> Iterator[tuple[str, str, dict]]:
    """(table, id, row) for one service and every object nested in it, then the home's phone: its rows in order."""
    for table, obj, parent in _objects(svc, "service", None):
        row = dict(obj)
        if parent and f"{parent[0]}_id" not in row:  # the link a nested object has by where it is
            row[f"{parent[0]}_id"] = parent[1]
        yield table, str(obj["id"]), row
    for table, row in phone_rows(svc):
        yield table, row["id"], row


def table_rows(services: list[dict]) -> dict[str, list[dict]]:
    """table name -> its rows (objects), each id once, first seen first; taxonomies as the API lists them."""
    rows: dict[str, dict[str, dict]] = {}
    for svc in services:
        for table, key, row in service_rows(svc):
            rows.setdefault(table, {}).setdefault(key, row)
    taxonomies, _ = taxonomies_and_terms(services)
    rows["taxonomy"] = {t["id"]: t for t in taxonomies}
    return {table: list(by_id.values()) for table, by_id in rows.items()}


class ServiceLines(NamedTuple):
    """One service's part of the tabular form, made where its home was checked (``service_lines``) and put
    together with the others' by ``tabular_files_joined``: the same files as ``tabular_files``, with no
    service record read again from its JSON (nationally 1.7 s of CPU to 0.1 s after the workers)."""

    lines: tuple[tuple[str, str, str], ...]  # (table, row id, its CSV line), as service_rows gives the rows
    terms: tuple[tuple[str, Any], ...]  # (taxonomy term id, its taxonomy_id) for each attribute's term


_FIELDS: dict[str, list[tuple[str, bool, dict]]] = {}  # table name -> (name, is text, field) for each field (once a process)


def _table_fields() -> dict[str, list[tuple[str, bool, dict]]]:
    if not _FIELDS:
        _FIELDS.update({r["name"]: [(f["name"], f.get("type", "string") == "string", f) for f in r["schema"]["fields"]]
                        for r in load_profile_package()["resources"]})
    return _FIELDS


def _cells(fields: list[tuple[str, bool, dict]], row: dict) -> list[str]:
    """[cell(field, row's value) for each field], with the two commonest cases (no value; text needing no
    apostrophe) done here: nationally 3 million cells."""
    get = row.get
    return ["" if (value := get(name)) is None else value if text and type(value) is str and value[:1] not in AS_IS
            else cell(f, value) for name, text, f in fields]


def service_lines(svc: dict) -> ServiceLines:
    """One service's rows as CSV lines of the profile's tables (the rows of tables the profile has not are left
    out, as tabular_files leaves them), and its attributes' taxonomy terms (for the taxonomy table): the rows of
    service_rows, in its order, walked here in one pass without copying each object (nationally 200,000 rows)."""
    fields = _table_fields()
    write = line_writer().writerow
    lines: list[tuple[str, str, str]] = []
    _object_lines(svc, "service", None, fields, write, lines)
    lines.extend((table, key, write(_cells(fields[table], row)))
                 for table, row in phone_rows(svc) if table in fields for key in [row["id"]])
    terms = tuple((term["id"], term.get("taxonomy_id")) for attr in svc.get("attributes", [])
                  if (term := attr.get("taxonomy_term")))
    return ServiceLines(tuple(lines), terms)


# The tables whose rows many services hold (the same taxonomy term, the same provider): their lines are kept once a
# process, so that a worker's results hold one copy of each (pickled once: nationally 40% of the tabular lines' bytes)
SHARED_TABLES = frozenset(("taxonomy_term", "organization", "organization_identifier"))
_COPIES: dict[str, str] = {}


def _one_copy(text: str) -> str:
    """``text``, as the one copy this process keeps of an equal line (at most 10,000 of them)."""
    if len(_COPIES) >= 10_000:
        _COPIES.clear()
    return _COPIES.setdefault(text, text)


def _object_lines(node: dict, table: str, link: tuple[str, str] | None, fields: dict[str, list[tuple[str, bool, dict]]],
                  write: Any, out: list[tuple[str, str, str]]) -> None:
    """(table, id, CSV line) into ``out`` for ``node`` and every object nested in it, as service_rows gives them:
    a nested object's row has the link to its parent (``link``: column, parent's id) unless it names one itself."""
    key = str(node["id"])
    if table in fields:
        row = node if link is None or link[0] in node else {**node, link[0]: link[1]}
        text = write(_cells(fields[table], row))
        if table in SHARED_TABLES:
            text = _one_copy(text)
        out.append((table, key, text))
    mine: tuple[str, str] | None = None
    for name, value in node.items():
        child_table = NESTED.get(name)
        if child_table is None:  # a field of this row (or x_care_home, which has no table)
            continue
        mine = mine or (f"{table}_id", str(node.get("id", "")))
        for child in value if isinstance(value, list) else [value]:
            if isinstance(child, dict):
                _object_lines(child, child_table, mine, fields, write, out)


def cell(field: dict, value: Any) -> str:
    """One value as the table schema's CSV text ('' for none)."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise ValueError(f"{field['name']}: a {type(value).__name__} cannot be a cell")
    kind = field.get("type", "string")
    if kind == "boolean" or isinstance(value, bool):
        return "true" if value else "false"
    if kind in ("number", "integer") and isinstance(value, float):
        return repr(value).removesuffix(".0")
    if kind in ("date", "datetime", "time") and isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if kind == "string":
        return neutralise(str(value))
    return str(value)


def table_csv(resource: dict, rows: list[dict]) -> bytes:
    """One table as CSV bytes: the schema's columns in its order, then one line per row."""
    fields = resource["schema"]["fields"]
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow([f["name"] for f in fields])
    w.writerows([cell(f, row.get(f["name"])) for f in fields] for row in rows)
    return buf.getvalue().encode("utf-8")


def _resource(res: dict) -> dict:
    """A profile resource as ours: Data Package v2, deviations applied, text columns' formula note."""
    out = {k: v for k, v in copy.deepcopy(res).items() if k != "profile"}
    out.update(type="table", encoding="utf-8")
    for f in out["schema"]["fields"]:
        if "example" in f:
            f["example"] = example_text(f)
        deviation = DEVIATIONS.get((res["name"], f["name"]))
        if deviation:
            f.setdefault("constraints", {}).update(deviation[0])
            f["description"] = (f.get("description", "").rstrip() + " " + deviation[1]).strip()
        if f.get("type", "string") == "string" and f.get("format") != "uuid" and "enum" not in f.get("constraints", {}):
            f["description"] = (f.get("description", "").rstrip() + " " + FORMULA_NOTE).strip()
    return out


def package_description(profile: dict, site: bool = True) -> str:
    """The tabular package's description; ``site=False`` (merge's folder, no site): without the static ORUK API."""
    every = kinds()
    return (f"The {' and '.join(k.plural.lower() for k in every)} in the Open Referral UK tabular form: the UK profile of "
            f"HSDS {profile.get('version', '')} as CSV tables, for ORUK tools that read this form. The records are the ones in "
            "oruk-services.json" + (" and the static ORUK API (oruk/ on the site)" if site else "") + ", with the same ids: each "
            "location is one service (one of two kinds is one service, its kinds as care_type attributes) with its "
            "service_at_location, location and address, the manager as a contact, the service's telephone number (its own, else "
            "the one CQC holds) as a phone of a contact that is the service itself, the areas an agency covers as service "
            "areas, fees as cost options and care "
            "types, service user bands and needs as attributes with their taxonomy terms. Every table of the profile "
            "is published; a table with nothing in it is a header line only. The organisation is the CQC provider, "
            "only where the register names it (never invented), so services.csv's organization_id is empty "
            "otherwise: the one change made to the profile's table schemas. Facts the standard has no "
            "fields for (beds, vacancies, ratings, whether an agency is taking new clients) are not in these tables: see "
            "oruk-services.json (" + ", ".join(f"{k.oruk_extension} for {k.plural.lower()}" for k in every) + ") and "
            + ", ".join(k.csv_file for k in every) + ". The CSV files are RFC 4180: UTF-8 without a byte order mark, each "
            "line ending in CRLF. "
            + FORMULA_NOTE + f" Table schemas: {ATTRIBUTION}, UK profile by Open Referral UK ({PROFILE_URL}), "
            "licensed under CC BY-SA 4.0; the schemas here are adapted from it (descriptions added, the one change "
            "above) and shared under the same licence. The data is licensed under the Open Government Licence v3.0.")


def tabular_files(services: list[dict], released: dt.date, homepage: str | None = None,
                  profile: dict | None = None) -> dict[str, bytes]:
    """Every file of the tabular form, keyed by name inside FOLDER: the profile's CSV tables and datapackage.json."""
    profile = profile or load_profile_package()
    rows = table_rows(services)
    resources = [_resource(r) for r in profile["resources"]]
    return _package({r["path"]: table_csv(r, rows.get(r["name"], [])) for r in resources}, resources, profile,
                    released, homepage)


def tabular_files_joined(homes: list[ServiceLines], released: dt.date, homepage: str | None = None,
                         site: bool = True) -> dict[str, bytes]:
    """tabular_files for the services whose lines are ``homes`` (service_lines, in the services' order): the
    same bytes, each row once, first seen first (``site``: as package_description)."""
    profile = load_profile_package()
    lines: dict[str, dict[str, str]] = {}
    terms: dict[str, Any] = {}
    for home in homes:
        for table, key, text in home.lines:
            lines.setdefault(table, {}).setdefault(key, text)
        for term_id, taxonomy_id in home.terms:
            terms.setdefault(term_id, taxonomy_id)
    line = line_writer()
    fields = _table_fields()
    lines["taxonomy"] = {tid: line.writerow(_cells(fields["taxonomy"], row))
                         for tid in sorted({t for t in terms.values() if t}) for row in [taxonomy(tid, [])]}
    resources = [_resource(r) for r in profile["resources"]]
    files = {}
    for r in resources:
        head = line.writerow([f["name"] for f in r["schema"]["fields"]])
        files[r["path"]] = (head + "".join(lines.get(r["name"], {}).values())).encode("utf-8")
    return _package(files, resources, profile, released, homepage, site)


def _package(files: dict[str, bytes], resources: list[dict], profile: dict, released: dt.date,
             homepage: str | None, site: bool = True) -> dict[str, bytes]:
    """The tables' files with the package's datapackage.json (describing them) added."""
    for r in resources:
        r["bytes"] = len(files[r["path"]])
        r["hash"] = "sha256:" + hashlib.sha256(files[r["path"]]).hexdigest()
    pkg: dict[str, Any] = {
        "$schema": DP_V2, "name": f"{kinds()[0].resource}-open-referral-uk", "title": "Care homes in Open Referral UK tabular form",
        "description": package_description(profile, site), "version": release_version(released),
        "schemaVersion": profile.get("version"), "created": f"{released.isoformat()}T00:00:00Z",
        **({"homepage": homepage} if homepage else {}),
        "licenses": [
            {"name": "OGL-UK-3.0", "path": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
             "title": "Open Government Licence v3.0 (the data)"},
            {"name": "CC-BY-SA-4.0", "path": "https://creativecommons.org/licenses/by-sa/4.0/",
             "title": "Creative Commons Attribution-ShareAlike 4.0 (the table schemas, adapted from Open Referral UK's)"}],
        "sources": [
            {"title": "Open Referral UK: UK profile of HSDS 3.0 (the tables and their schemas)", "path": PROFILE_URL,
             "description": f"{ATTRIBUTION}. Licensed under CC BY-SA 4.0."},
            *owner_sources(load_schema(), "cqc"),  # as datapackage.json names it
            {"title": "Care providers", "description": "Facts supplied by each service, a care home or a home care agency, "
                                                   "through its profile."}],
        "resources": resources,
    }
    files["datapackage.json"] = (json.dumps(pkg, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files
