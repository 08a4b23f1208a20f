"""data/oruk-tabular/: the Open Referral UK tabular form (the UK profile's CSV data package), checked
with frictionless against its own datapackage.json (foreign keys included), against the profile in
../shared/data/openreferral-uk/uk-profile-hsds3, and against the static API's records."""
from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from conftest import FIXTURES, SHARED, TODAY
from test_outputs_datapackage import profile_errors

from carehomes.outputs.oruk import service
from carehomes.outputs.oruk_tabular import DEVIATIONS, FORMULA_NOTE, NESTED, PROFILE_PATH, tabular_files
from carehomes.pipeline import check_paths
from carehomes.publish import write_data
from carehomes.text import restore

PROFILE_FILE = SHARED / "data" / "openreferral-uk" / "uk-profile-hsds3" / "datapackage.json"
PROFILE = json.loads(PROFILE_FILE.read_text(encoding="utf-8"))
RELEASED = dt.date(2026, 11, 23)


def _tables(folder: Path) -> dict[str, list[dict]]:
    """resource name -> its rows as read by Python's csv module (cells as written)."""
    out = {}
    for r in PROFILE["resources"]:
        with (folder / r["path"]).open(encoding="utf-8", newline="") as fh:
            out[r["name"]] = list(csv.DictReader(fh))
    return out


def _write(files: dict[str, bytes], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder / "datapackage.json"


def _errors(descriptor: Path) -> list[tuple]:
    """(resource, row, field, error type, note) of every error frictionless finds, the package's own included."""
    import frictionless  # imported here, by the slow tests that use it: not on collection by each worker (0.3 s)

    report = frictionless.validate(str(descriptor))
    found = [(None, None, None, e.type, e.note) for e in report.errors]
    for task in report.tasks:
        found += [(task.name, *row) for row in task.flatten(["rowNumber", "fieldName", "type", "note"])]
    return found


def _full_service() -> dict:
    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    return service(checked.profiles[0].data)


def test_the_profile_copy_is_the_shared_file_unchanged():
    assert PROFILE_PATH.read_bytes() == PROFILE_FILE.read_bytes()


def test_published_package_passes_frictionless_with_foreign_keys(built_site):
    site, _ = built_site
    descriptor = site / "data" / "oruk-tabular" / "datapackage.json"
    assert _errors(descriptor) == []
    counts = {name: len(rows) for name, rows in _tables(descriptor.parent).items()}
    assert counts == {"organization": 1, "service": 91, "attribute": 384, "service_at_location": 91, "location": 91,
                      "phone": 1, "contact": 3, "address": 90, "schedule": 0, "funding": 0, "service_area": 0,
                      "language": 0, "accessibility": 0, "taxonomy_term": 12, "cost_option": 4,
                      "organization_identifier": 1, "taxonomy": 1}
    # the profile declares the foreign keys frictionless just checked
    pkg = json.loads(descriptor.read_text(encoding="utf-8"))
    declared = {(r["name"], fk["fields"]) for r in pkg["resources"] for fk in r["schema"].get("foreignKeys", [])}
    assert {("service", "organization_id"), ("service_at_location", "service_id"), ("service_at_location", "location_id"),
            ("address", "location_id"), ("attribute", "taxonomy_term_id"), ("contact", "service_id")} <= declared


def test_foreign_keys_hold(built_site):
    site, _ = built_site
    t = _tables(site / "data" / "oruk-tabular")
    ids = {name: {row["id"] for row in rows} for name, rows in t.items()}
    assert all(s["organization_id"] in ids["organization"] for s in t["service"] if s["organization_id"])
    assert all(s["service_id"] in ids["service"] and s["location_id"] in ids["location"] for s in t["service_at_location"])
    assert all(a["location_id"] in ids["location"] for a in t["address"])
    assert all(a["link_id"] in ids["service"] and a["taxonomy_term_id"] in ids["taxonomy_term"] for a in t["attribute"])
    assert all(c["service_id"] in ids["service"] for c in t["contact"] + t["cost_option"])
    assert all(term["taxonomy_id"] in ids["taxonomy"] for term in t["taxonomy_term"])


@pytest.mark.slow  # frictionless validates the package
def test_frictionless_catches_a_broken_foreign_key(tmp_path):
    svc = _full_service()
    svc["service_at_locations"][0]["location_id"] = "00000000-0000-4000-8000-000000000000"
    del svc["organization"]
    errors = _errors(_write(tabular_files([svc], RELEASED), tmp_path))
    assert sorted((e[0], e[3]) for e in errors) == [("service", "foreign-key"), ("service_at_location", "foreign-key")]


def test_headers_are_the_profiles_exactly(built_site):
    site, _ = built_site
    folder = site / "data" / "oruk-tabular"
    pkg = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    assert [(r["name"], r["path"]) for r in pkg["resources"]] == [(r["name"], r["path"]) for r in PROFILE["resources"]]
    for r in PROFILE["resources"]:
        first = (folder / r["path"]).read_bytes().split(b"\r\n", 1)[0].decode("utf-8")
        assert first == ",".join(f["name"] for f in r["schema"]["fields"]), r["path"]
    # empty tables are published as their header line only
    assert (folder / "schedule.csv").read_bytes().count(b"\r\n") == 1  # the header line, nothing else


def test_schemas_are_the_profiles_but_for_the_one_deviation(built_site):
    site, _ = built_site
    pkg = json.loads((site / "data" / "oruk-tabular" / "datapackage.json").read_text(encoding="utf-8"))
    assert list(DEVIATIONS) == [("service", "organization_id")]
    for ours, theirs in zip(pkg["resources"], PROFILE["resources"], strict=True):
        assert {k: v for k, v in ours["schema"].items() if k != "fields"} == {k: v for k, v in theirs["schema"].items() if k != "fields"}
        for f, g in zip(ours["schema"]["fields"], theirs["schema"]["fields"], strict=True):
            expected = copy.deepcopy(g)
            if (theirs["name"], g["name"]) in DEVIATIONS:
                expected["constraints"]["required"] = False
            assert {k: v for k, v in f.items() if k != "description"} == {k: v for k, v in expected.items() if k != "description"}
            assert f["description"].startswith(g["description"].rstrip())
            formula = g["type"] == "string" and g.get("format") != "uuid" and "enum" not in g.get("constraints", {})
            assert (FORMULA_NOTE in f["description"]) == formula, (theirs["name"], g["name"])


def test_package_licence_attribution_and_v2_profile(built_site):
    site, _ = built_site
    pkg = json.loads((site / "data" / "oruk-tabular" / "datapackage.json").read_text(encoding="utf-8"))
    assert profile_errors(pkg) == []
    assert [lic["name"] for lic in pkg["licenses"]] == ["OGL-UK-3.0", "CC-BY-SA-4.0"]
    assert "Human Services Data Specification: an Open Referral resource (https://openreferral.org/)" in pkg["description"]
    ours = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert (pkg["version"], pkg["created"], pkg["homepage"]) == (ours["version"], ours["created"], ours["homepage"])
    assert pkg["schemaVersion"] == "3.0.0" and pkg["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    assert FORMULA_NOTE in pkg["description"] and "header line only" in pkg["description"]


def test_ids_and_values_are_the_static_apis(built_site):
    """Every object nested in the API's service records is its table's row with the same id and values."""
    site, _ = built_site
    t = {name: {row["id"]: row for row in rows} for name, rows in _tables(site / "data" / "oruk-tabular").items()}
    api = site / "oruk"
    services = [json.loads((p / "index.html").read_text(encoding="utf-8")) for p in sorted((api / "services").iterdir()) if p.is_dir()]
    assert len(services) == 91 and set(t["service"]) == {s["id"] for s in services}
    # the static API lists the services at location (no file each: outputs/oruk_api.py NOT_STATIC)
    listed = json.loads((api / "service_at_locations" / "index.html").read_text(encoding="utf-8"))["contents"]
    assert set(t["service_at_location"]) == {item["id"] for item in listed}
    assert not [p for p in (api / "service_at_locations").iterdir() if p.is_dir()]
    assert set(t["taxonomy_term"]) == {p.name for p in (api / "taxonomy_terms").iterdir() if p.is_dir()}
    assert set(t["taxonomy"]) == {p.name for p in (api / "taxonomies").iterdir() if p.is_dir()}
    compared = 0

    def check(table: str, obj: dict) -> None:
        nonlocal compared
        row = t[table][obj["id"]]
        for key, value in obj.items():
            if key in row and not isinstance(value, (dict, list)):
                text = restore(row[key])
                assert (float(text) == value) if isinstance(value, (int, float)) else (text == value), (table, key)
                compared += 1
            elif key in NESTED:
                for child in value if isinstance(value, list) else [value]:
                    check(NESTED[key], child)

    for svc in services:
        check("service", svc)
    assert compared > 3000


def test_organisations_only_where_the_register_names_the_provider(built_site):
    site, _ = built_site
    t = _tables(site / "data" / "oruk-tabular")
    services = json.loads((site / "data" / "oruk-services.json").read_text(encoding="utf-8"))
    assert [o["name"] for o in t["organization"]] == ["Example Care Group Ltd (fictional)"]
    with_org = {s["id"] for s in services if "organization" in s}
    assert {s["id"] for s in t["service"] if s["organization_id"]} == with_org and len(with_org) == 1
    assert [o["identifier"] for o in t["organization_identifier"]] == ["1-000000102"]
    assert not any("Provider of" in o["name"] for o in t["organization"])


@pytest.mark.slow  # frictionless validates the package
def test_hostile_provider_name_survives_the_round_trip(tmp_path):
    name = '=HYPERLINK("http://evil.example","click")\n"Quoted", Ærøskøbing Care – Ltd'
    svc = _full_service()
    svc["organization"]["name"] = name
    files = tabular_files([svc], RELEASED)
    assert _errors(_write(files, tmp_path)) == []
    raw = files["organizations.csv"]
    assert raw.count(b"\r\n") == 2 and b'\n""Quoted""' in raw  # CRLF ends records; the name's own newline is kept in quotes
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert rows[0]["name"] == "'" + name  # neutralised: a spreadsheet shows the text, never runs it
    assert restore(rows[0]["name"]) == name
    assert raw.decode("utf-8").encode("utf-8") == raw and not raw.startswith(b"\xef\xbb\xbf")


@pytest.mark.slow  # frictionless validates whole packages
def test_data_command_writes_the_tabular_form(tmp_path):
    from carehomes.load import parse_profile

    profiles = [parse_profile(p.read_text(encoding="utf-8"), p.name)[0] for p in sorted((FIXTURES / "profiles").glob("*.yaml"))]
    write_data(profiles, tmp_path)
    assert _errors(tmp_path / "oruk-tabular" / "datapackage.json") == []
    assert _errors(tmp_path / "datapackage.json") == []


def test_open_data_page_links_the_tabular_form(built_site):
    site, _ = built_site
    page = (site / "open-data" / "index.html").read_text(encoding="utf-8")
    assert 'href="../data/oruk-tabular/datapackage.json"' in page
    assert "for ORUK tools that read the tabular form" in page


@pytest.mark.slow  # frictionless validates two packages
def test_the_deviation_is_needed(tmp_path, monkeypatch):
    """Without it, the profile's table schema refuses a service whose provider the register does not name."""
    import carehomes.outputs.oruk_tabular as tabular

    svc = _full_service()
    del svc["organization"], svc["organization_id"]
    assert _errors(_write(tabular_files([svc], RELEASED), tmp_path / "ours")) == []
    monkeypatch.setattr(tabular, "DEVIATIONS", {})
    errors = _errors(_write(tabular_files([svc], RELEASED), tmp_path / "profiles"))
    assert [e[:4] for e in errors] == [("service", 2, "organization_id", "constraint-error")]


@pytest.mark.slow  # frictionless validates the package
def test_one_provider_is_one_organisation_row(tmp_path):
    svc = _full_service()
    checked = check_paths([FIXTURES / "profiles" / "example-full.yaml"], on=TODAY)
    other = service({**checked.profiles[0].data, "location_id": "1-999999999", "name": "Second Home (fictional)",
                     "slug": "second-home"})
    files = tabular_files([svc, other], RELEASED)
    assert _errors(_write(files, tmp_path)) == []
    tables = _tables(tmp_path)
    assert len(tables["organization"]) == 1 and len(tables["organization_identifier"]) == 1
    assert {r["organization_id"] for r in tables["service"]} == {tables["organization"][0]["id"]}


def test_each_homes_phone_is_a_phone_of_a_contact_that_is_the_home(built_site):
    """The API keeps the number in x_care_home (the UK profile gives services and contacts no phones);
    the tables have a phone table, so every number is there, linked through a contact to its service."""
    site, _ = built_site
    t = _tables(site / "data" / "oruk-tabular")
    services = json.loads((site / "data" / "oruk-services.json").read_text(encoding="utf-8"))
    numbers = {s["id"]: s["x_care_home"]["contact"]["phone"] for s in services if "contact" in s["x_care_home"]}
    assert numbers  # the bundled homes come from the register file, which has no phone numbers; the fixture has one
    contacts = {c["id"]: c for c in t["contact"]}
    names = {s["id"]: s["name"] for s in services}
    found = {}
    for phone in t["phone"]:
        contact = contacts[phone["contact_id"]]
        assert (restore(contact["name"]), contact["title"]) == (names[contact["service_id"]], "")
        assert phone["description"] == "The home's telephone number."
        found[contact["service_id"]] = restore(phone["number"])
    assert found == numbers


@pytest.mark.slow  # frictionless validates a package
def test_a_hostile_phone_number_is_neutralised_and_a_home_without_one_has_no_row(tmp_path):
    svc = _full_service()
    svc["x_care_home"]["contact"] = {"phone": "=cmd|' /C calc'!A0"}
    bare = _full_service()
    bare["id"] = "00000000-0000-5000-8000-000000000000"
    del bare["x_care_home"]["contact"]
    files = tabular_files([svc, bare], RELEASED)
    assert _errors(_write(files, tmp_path)) == []
    phones = _tables(tmp_path)["phone"]
    assert [p["number"] for p in phones] == ["'=cmd|' /C calc'!A0"]


def test_a_home_without_its_own_number_has_the_one_cqc_holds(tmp_path):
    """Oldham's services (imported from the CQC API) have only the number CQC holds, which their pages show
    marked as CQC's: phones.csv had none of them. It is the home's phone row, described as CQC's; the home's own
    number, when given, comes first."""
    held = _full_service()
    del held["x_care_home"]["contact"]
    held["x_care_home"]["cqc"]["phone"] = "0161 000 0000"
    both = _full_service()
    both["id"] = "00000000-0000-5000-8000-000000000000"
    both["x_care_home"]["cqc"]["phone"] = "0161 000 0001"
    _write(tabular_files([held, both], RELEASED), tmp_path)
    t = _tables(tmp_path)
    service_of = {c["id"]: c["service_id"] for c in t["contact"]}
    assert sorted((service_of[p["contact_id"]], p["number"], p["description"]) for p in t["phone"]) == [
        ("00000000-0000-5000-8000-000000000000", "01432 000000", "The home's telephone number."),
        (held["id"], "0161 000 0000",
         "The telephone number the Care Quality Commission holds for the home, which has not given its own.")]


def test_an_agencys_phone_and_the_package_speak_of_agencies_too(tmp_path):
    """Oldham's tabular package held 62 home care agencies, but its description spoke only of care homes (their
    facts 'see oruk-services.json (x_care_home) and care-homes.csv', where no agency is) and each agency's phone row
    said it was the number CQC holds 'for the home'."""
    import yaml

    from conftest import ROOT

    from carehomes.schema import load_schema

    profile = yaml.safe_load((ROOT / "areas" / "oldham" / "providers" / "ebenezer-care-services.yaml").read_text(encoding="utf-8"))
    agency = service(profile, load_schema())
    files = tabular_files([agency], RELEASED)
    _write(files, tmp_path)
    phones = _tables(tmp_path)["phone"]
    assert [(p["number"], p["description"]) for p in phones] == [
        ("0161 669 1029", "The telephone number the Care Quality Commission holds for the agency, which has not given its own.")]
    about = json.loads(files["datapackage.json"])["description"]
    assert about.startswith("The care homes and home care agencies in the Open Referral UK tabular form")
    assert ("see oruk-services.json (x_care_home for care homes, x_home_care_agency for home care agencies) and "
            "care-homes.csv, home-care-agencies.csv.") in about


def test_the_tabular_package_credits_cqc_as_the_site_package_does(built_site):
    """The ORUK tabular form names CQC's register as data/datapackage.json does, from the one declaration in
    schema/datapackage.json (it had its own copy, naming one CQC file where an area's facts came from the API)."""
    site, _ = built_site
    ours = json.loads((site / "data" / "oruk-tabular" / "datapackage.json").read_text(encoding="utf-8"))
    site_pkg = json.loads((site / "data" / "datapackage.json").read_text(encoding="utf-8"))
    cqc = [s for s in site_pkg["sources"] if s["title"].startswith("Care Quality Commission")]
    assert [s for s in ours["sources"] if s["title"].startswith("Care Quality Commission")] == cqc
    assert cqc[0]["title"] == "Care Quality Commission: register of regulated services (CQC's register files and its API)"
    assert "x-owner" not in cqc[0]
