"""Home care agencies, the second kind of service (issue 20): checked, imported from CQC's files and
API JSON (one profile for a location of both kinds, other services counted and skipped), and published
as their own table beside the care homes' unchanged files."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import shutil
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
import yaml
from conftest import CQC, FIXTURES, ROOT, TODAY, git, run_build

from carehomes import forms
from carehomes.load import Profile, parse_profile
from carehomes.merge import merge
from carehomes.pipeline import check_paths
from carehomes.publish import data_files, write_files
from carehomes.schema import load_schema
from carehomes.sources.cqc_files import import_cqc, read_register
from carehomes.validate import check_profile

RELEASED = dt.date(2026, 5, 1)
OLDHAM = CQC / "oldham-api-json-2025"
PARK_HILLS = "1-18437805065"  # Park Hills Private Nursing Home: a care home and a home care agency
EBENEZER = "1-10024040008"  # Ebenezer Care Services: a home care agency only

AGENCY = """location_id: 1-000000401
slug: example-agency
example: true
name: Example Agency (fictional)
locality: Exampleshire
kinds: [home_care_agency]
address:
  street: 1 Example Street
  town: Oldham
  postcode: OL1 1AA
  latitude: 53.54
  longitude: -2.11
coverage:
  districts: [OL1, OL2]
  towns: [Oldham]
  confirmed: 2026-11-01
homecare:
  taking_new_clients: yes
  hours_available: 20
  confirmed: 2026-11-20
  services:
    dementia: yes
    live_in: no
  services_confirmed: 2026-11-01
  hourly_rate:
    from: 24.5
    to: 29
    updated: 2026-10-01
"""
BOTH = ("location_id: 1-000000402\nslug: example-both\nexample: true\nname: Example Both (fictional)\n"
        "locality: Exampleshire\nkinds: [care_home, home_care_agency]\nbeds:\n  registered: 30\n"
        "homecare:\n  taking_new_clients: no\n  confirmed: 2026-11-20\n")


def _profile(text: str, name: str) -> Profile:
    p, problems = parse_profile(text, name)
    assert p is not None, problems
    return p


def _problems(text: str) -> list[str]:
    return [f"{x.line}: {x.field}: {x.message}" for x in check_profile(_profile(text, "a.yaml"), on=TODAY)]


def _rows(text: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.decode("utf-8"))))


def _profiles() -> list[Profile]:
    home = _profile((FIXTURES / "profiles" / "example-minimal.yaml").read_text(encoding="utf-8"), "example-minimal.yaml")
    return [home, _profile(AGENCY, "example-agency.yaml"), _profile(BOTH, "example-both.yaml")]


# --- check ---------------------------------------------------------------------------------------

def test_an_agency_profile_passes_check():
    assert _problems(AGENCY) == []
    assert _problems(BOTH) == []


def test_check_refuses_what_an_agency_cannot_say():
    bad = AGENCY.replace("[OL1, OL2]", "[OL1, ol2]").replace("hours_available: 20", "hours_available: -3") \
        .replace("from: 24.5", "from: 30").replace("  confirmed: 2026-11-20\n", "") \
        .replace("  services_confirmed: 2026-11-01\n", "") + "beds:\n  registered: 3\n"
    assert sorted(_problems(bad)) == sorted([
        "14: coverage.districts: item 2 'ol2' is not a postcode district in capitals (the first half of a postcode, "
        "such as OL1); write OL2",
        "19: homecare.hours_available: is -3, below the lowest allowed value 0",
        "18: homecare.taking_new_clients: is given without homecare.confirmed; add 'confirmed: YYYY-MM-DD' under "
        "homecare with the date it was confirmed",
        "21: homecare.services.dementia: is given without homecare.services_confirmed; add 'services_confirmed: "
        "YYYY-MM-DD' under homecare with the date it was confirmed",
        "24: homecare.hourly_rate.from: is 30 but homecare.hourly_rate.to is 29; the lowest hourly rate cannot be "
        "above the highest",
        "28: beds.registered: is a field of a care home, which this profile is not; remove it, or, if it is a care home too, ask the "
        "council to add that to its kinds (kinds: [care_home, home_care_agency])",
    ])


def test_hours_it_can_start_beside_not_taking_new_clients_is_refused():
    """From a provider's review: 'Taking new clients: No' beside 'About 20 hours a week it can start', both confirmed
    today, was accepted and shown. The kind declares the hours above 0 only with a yes (onlyIfYes)."""
    bad = AGENCY.replace("taking_new_clients: yes", "taking_new_clients: no")
    assert "19: homecare.hours_available: is 20 but homecare.taking_new_clients is no; the hours of care a week it can " \
           "start can be above 0 only when homecare.taking_new_clients is yes: give 0, or yes if it is" in _problems(bad)
    assert _problems(bad.replace("hours_available: 20", "hours_available: 0")) == []
    # not said at all: the page showed "Taking new clients: not provided yet" above the hours (providers' review)
    untold = AGENCY.replace("  taking_new_clients: yes\n", "")
    assert any("homecare.hours_available: is 20 but homecare.taking_new_clients is not given; the hours of care a week it "
               "can start can be above 0 only when homecare.taking_new_clients is yes: give 0, or yes if it is" in p
               for p in _problems(untold)), _problems(untold)


def test_free_hours_need_their_date_once():
    text = AGENCY.replace("  confirmed: 2026-11-20\n", "")
    assert _problems(text) == [
        "17: homecare: free hours a week are given without homecare.confirmed; add 'confirmed: YYYY-MM-DD' under "
        "homecare with the date you checked them"]


def test_a_care_home_cannot_hold_agency_facts():
    home = (FIXTURES / "profiles" / "example-minimal.yaml").read_text(encoding="utf-8")
    assert [p.split(": ", 2)[1:] for p in _problems(home + "homecare:\n  taking_new_clients: yes\n")] == [
        ["homecare.taking_new_clients", "is a field of a home care agency, which this profile is not; remove it, or, if "
         "it is a home care agency too, ask the council to add that to its kinds (kinds: [care_home, home_care_agency])"]]


# --- import-cqc ----------------------------------------------------------------------------------

def _load(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


@pytest.mark.slow  # imports Oldham's whole register (222 services)
def test_import_of_the_oldham_folder_makes_homes_and_agencies(tmp_path, shared_data):
    report = import_cqc(OLDHAM, tmp_path)
    profiles = {d["location_id"]: d for d in map(_load, tmp_path.glob("[!_]*.yaml"))}
    registered = [d for d in profiles.values() if d["cqc"]["status"] == "Registered"]
    kinds = [tuple(d.get("kinds", ["care_home"])) for d in registered]
    assert (kinds.count(("care_home",)), kinds.count(("care_home", "home_care_agency")),
            kinds.count(("home_care_agency",))) == (42, 2, 60)
    assert len(report.new) == len(profiles) == len(registered) == 104  # a closed service is never first imported
    assert len(report.closed) == 115
    assert report.held == {"care homes": 44, "home care agencies": 62}
    assert report.closed_kinds == {"care homes": 43, "home care agencies": 73}
    assert (report.skipped["Dentist"], report.skipped["Doctors/Gps"], report.skipped["Supported living"],
            report.skipped["Shared lives"], sum(report.skipped.values())) == (101, 78, 5, 1, 232)
    summary = report.summary()
    assert "  by kind: 44 care homes, 62 home care agencies (a location of two kinds counts in both)\n" in summary
    assert "  232 not imported: of no kind of service this directory holds, by CQC service type:\n    Dentist: 101\n" \
           "    Doctors/Gps: 78\n" in summary
    both, agency = profiles[PARK_HILLS], profiles[EBENEZER]
    assert both["kinds"] == ["care_home", "home_care_agency"] and both["beds"]["registered"] == 17
    assert agency["kinds"] == ["home_care_agency"]
    assert "beds" not in agency and "nursing" not in agency["care"]  # an agency gets no beds, and no 'no nursing'
    assert agency["cqc"]["specialisms"] == ["Caring for adults over 65 yrs", "Caring for adults under 65 yrs",
                                            "Learning disabilities", "Physical disabilities"]
    assert "homecare" not in agency and "coverage" not in agency  # the agency's own facts: never invented
    assert agency["cqc"]["service_types"] == ["Domiciliary care service"]
    text = (tmp_path / "ebenezer-care-services.yaml").read_text(encoding="utf-8")
    assert "Every field is explained in providers/_template-home-care-agency.yaml." in text
    assert check_paths([tmp_path], on=TODAY).problems == []
    again = import_cqc(OLDHAM, tmp_path)
    assert (len(again.new), again.unchanged, len(again.changed), len(again.closed)) == (0, 104, 0, 115)


@pytest.mark.slow  # imports Oldham's whole register (222 services)
def test_a_care_home_that_becomes_an_agency_too_gets_both_kinds(tmp_path, shared_data):
    import_cqc(OLDHAM, tmp_path)
    path = tmp_path / "park-hills-private-nursing-home.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kinds:\n- care_home\n- home_care_agency\n", ""),
                    encoding="utf-8")
    assert "kinds" not in _load(path)
    report = import_cqc(OLDHAM, tmp_path)
    assert list(report.changed) == ["Park Hills Private Nursing Home (park-hills-private-nursing-home.yaml)"]
    assert report.values["Park Hills Private Nursing Home (park-hills-private-nursing-home.yaml)"] == [
        ("kinds", None, ["care_home", "home_care_agency"])]
    assert _load(path)["kinds"] == ["care_home", "home_care_agency"]


HSCA_HEADER = ["Location ID", "Location Name", "Care home?", "Location Local Authority", "Care homes beds",
               "Location Postal Code", "Location HSCA start date", "Service type - Care home service with nursing",
               "Service type - Care home service without nursing", "Service type - Domiciliary care service",
               "Service type - Dental service"]


def test_hsca_file_with_the_domiciliary_care_column(tmp_path):
    rows = [["1-000000501", "Home", "Y", "Oldham", "20", "OL1 1AA", "01/02/2020", "Y", "", "", ""],
            ["1-000000502", "Agency", "N", "Oldham", "", "OL1 1AB", "01/02/2020", "", "", "Y", ""],
            ["1-000000503", "Both", "Y", "Oldham", "12", "OL1 1AD", "01/02/2020", "", "Y", "Y", ""],
            ["1-000000504", "Smiles", "N", "Oldham", "", "OL1 1AE", "01/02/2020", "", "", "", "Y"],
            ["1-000000505", "Nothing", "N", "Oldham", "", "OL1 1AF", "01/02/2020", "", "", "", ""]]
    src = tmp_path / "hsca.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([HSCA_HEADER, *rows])
    fmt, records, _ = read_register(src)
    assert fmt == "HSCA care directory"
    assert [(r.location_id, r.kinds) for r in records] == [
        ("1-000000501", ()), ("1-000000502", ("home_care_agency",)), ("1-000000503", ("care_home", "home_care_agency"))]
    assert records.skipped == {"Dental service": 1, "no service type given": 1}
    report = import_cqc(src, tmp_path / "p", as_of=dt.date(2026, 1, 1))
    assert len(report.new) == 3
    agency = _load(tmp_path / "p" / "agency.yaml")
    assert agency["kinds"] == ["home_care_agency"] and "beds" not in agency and "nursing" not in agency.get("care", {})
    assert check_paths([tmp_path / "p"], on=TODAY).problems == []


# --- open data -----------------------------------------------------------------------------------

def test_agencies_are_published_beside_the_care_homes(tmp_path):
    files = data_files(_profiles(), load_schema(), RELEASED, homepage="https://example.org/")
    homes, agencies = _rows(files["care-homes.csv"]), _rows(files["home-care-agencies.csv"])
    assert list(homes[0]) == [f.name for f in load_schema().home_fields]
    assert [r["location_id"] for r in homes] == ["1-000000201", "1-000000402"]
    assert [r["location_id"] for r in agencies] == ["1-000000401", "1-000000402"]
    agency = agencies[0]
    assert (agency["coverage_districts"], agency["taking_new_clients"], agency["hours_available"],
            agency["hourly_rate_from"], agency["service_dementia"], agency["service_live_in"],
            agency["service_personal_care"]) == ("OL1;OL2", "true", "20", "24.5", "true", "false", "")
    assert "beds_registered" not in agency
    assert [a["location_id"] for a in json.loads(files["home-care-agencies.json"])] == ["1-000000401", "1-000000402"]
    pkg = json.loads(files["datapackage.json"])
    by_name = {r["name"]: r for r in pkg["resources"]}
    assert by_name["home-care-agencies"]["path"] == "home-care-agencies.csv"
    assert by_name["home-care-agencies-json"]["path"] == "home-care-agencies.json"
    features = {f["id"]: f["properties"] for f in json.loads(files["care-homes.geojson"])["features"]}
    assert features["1-000000401"]["point"] == "office" and "not the area it covers" in features["1-000000401"]["point_note"]
    assert features["1-000000401"]["kinds"] == ["home_care_agency"]
    assert set(features) == {"1-000000401"}  # the care homes here have no coordinates
    services = {s["name"]: s for s in json.loads(files["oruk-services.json"])}
    service = services["Example Agency (fictional)"]
    assert [(a["name"], a["extent"], a["extent_type"]) for a in service["service_areas"]] == [
        ("Postcode district OL1", "OL1", "text"), ("Postcode district OL2", "OL2", "text"), ("Oldham", "Oldham", "text")]
    assert [a["taxonomy_term"]["name"] for a in service["attributes"]] == ["Home care agency"]
    assert service["x_home_care_agency"]["homecare"]["taking_new_clients"] is True
    assert "service_areas" not in services["Example Both (fictional)"]
    assert b"Postcode district OL1" in files["oruk-tabular/service_areas.csv"]


def test_every_map_feature_names_its_kinds_so_a_map_of_both_kinds_is_not_counted_as_care_homes():
    """care-homes.geojson holds every location with coordinates, agencies' offices too: each feature names its kinds
    (a care home alone as well), and the package says to count by them, not by features."""
    from carehomes.outputs.geojson import geo_feature

    place = {"address": {"latitude": 53.54, "longitude": -2.11}}
    home, agency, both = (geo_feature({**p.data, **place}) for p in _profiles() if p.data["location_id"] in (
        "1-000000201", "1-000000401", "1-000000402"))
    assert (home["properties"]["kinds"], agency["properties"]["kinds"], both["properties"]["kinds"]) == (
        ["care_home"], ["home_care_agency"], ["care_home", "home_care_agency"])
    assert "point" not in home["properties"] and "point" not in both["properties"]  # a care home's point is itself
    assert agency["properties"]["point"] == "office"
    pkg = json.loads(data_files(_profiles(), load_schema(), RELEASED)["datapackage.json"])
    by_name = {r["name"]: r for r in pkg["resources"]}
    assert by_name["care-homes-geojson"]["description"] == (
        "Every location with coordinates as a GeoJSON Point feature (RFC 7946), for any map tool: care homes and home "
        "care agencies alike, one feature per location (one that is both is one feature), its kinds in the property "
        "kinds; count or filter by kinds, not by features. A point that is not the service itself (an agency's office) "
        "says so in point and point_note.")
    assert by_name["oruk-services"]["description"] == (
        "Every location's full Open Referral UK (HSDS 3.0 UK profile) service record, as the profile's service package "
        "(a JSON array): care homes and home care agencies alike, one service per location (one that is both is one "
        "service), its kinds as care_type attributes. The same records are served as a static ORUK API under oruk/ "
        "on the site.")


def test_merge_of_two_areas_keeps_both_kinds(tmp_path):
    one, agency, both = _profiles()
    write_files(data_files([one, agency], load_schema(), RELEASED), tmp_path / "a")
    write_files(data_files([both], load_schema(), RELEASED), tmp_path / "b")
    merged, report = merge([tmp_path / "a" / "datapackage.json", tmp_path / "b" / "datapackage.json"], load_schema())
    by_id = {h["location_id"]: h for h in merged}
    assert [n for _, n in report.sources] == ["2 services (1 care home and 1 home care agency)", "1 service (1 care home and 1 home care agency; 1 is both)"]
    assert "kinds" not in by_id["1-000000201"]
    assert by_id["1-000000401"]["kinds"] == ["home_care_agency"]
    assert by_id["1-000000401"]["coverage"]["districts"] == ["OL1", "OL2"]
    assert by_id["1-000000401"]["homecare"]["hourly_rate"] == {"from": 24.5, "to": 29, "updated": "2026-10-01"}
    assert by_id["1-000000402"]["kinds"] == ["care_home", "home_care_agency"]
    assert by_id["1-000000402"]["beds"] == {"registered": 30}


# --- forms, apply-update, stale ------------------------------------------------------------------

AVAILABILITY = "update-home-care-agency-availability.yml"


def test_an_agency_has_its_own_two_forms():
    from carehomes import forms

    assert [ff.path for ff in forms.form_fields(AVAILABILITY)] == [
        "homecare.taking_new_clients", "homecare.hours_available", "homecare.confirmed"]
    details = [ff.path for ff in forms.form_fields("update-home-care-agency-details.yml")]
    assert {"coverage.districts", "homecare.services.dementia", "homecare.hourly_rate.from", "contact.phone"} <= set(details)
    assert not {p for p in details if p.startswith(("beds.", "fees.", "capabilities."))}
    home_details = [ff.path for ff in forms.form_fields(forms.DETAILS)]
    assert not {p for p in home_details if p.startswith(("homecare.", "coverage."))}  # the care homes' forms as they were
    assert forms.form(AVAILABILITY)["title"] == "Update home care agency availability: "
    assert forms.form_url("https://github.com/x/y", AVAILABILITY, "example-agency", "Example Agency").endswith(
        "template=update-home-care-agency-availability.yml&home=example-agency&title=Update%20home%20care%20agency%20"
        "availability%3A%20Example%20Agency")


@pytest.mark.parametrize("label", ["Your agency's page name", "Your home's page name"])  # the form's, and an issue made before it
def test_a_maintainer_updates_taking_new_clients_by_form(tmp_path, label):
    repo = tmp_path / "repo"
    (repo / "providers").mkdir(parents=True)
    agency = repo / "providers" / "example-agency.yaml"
    agency.write_text(AGENCY + "maintainers:\n- agency-manager\n", encoding="utf-8")
    (repo / "stewards.yaml").write_text((ROOT / "stewards.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    shutil.copy(ROOT / "mkdocs.yml", repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "base")
    (tmp_path / "body.md").write_text(f"### {label}\n\nexample-agency\n\n### Taking new clients\n\nNo\n\n"
                                      "### Hours a week it can start\n\n0\n\n### New clients confirmed on\n\n_No response_",
                                      encoding="utf-8")
    r = run_build("apply-update", "--body", str(tmp_path / "body.md"), "--author", "agency-manager", "--repo", str(repo),
                  "--issue", "7", "--on", "2026-11-22", "--result", str(tmp_path / "result.json"))
    assert r.returncode == 0, r.stdout + r.stderr
    res = json.loads((tmp_path / "result.json").read_text(encoding="utf-8"))
    assert (res["status"], res["mode"]) == ("applied", "commit")  # availability goes straight on, like vacancies
    assert [(c["field"], c["before"], c["after"]) for c in res["changed"]] == [
        ("homecare.taking_new_clients", True, False), ("homecare.hours_available", 20, 0),  # "before" as read: yes
        ("homecare.confirmed", "2026-11-20", "2026-11-22")]
    data = _load(agency)
    assert (data["homecare"]["taking_new_clients"], data["homecare"]["hours_available"]) == (False, 0)
    assert check_paths([repo / "providers"], on=TODAY).problems == []


def test_an_agencys_answer_left_empty_is_not_dated_as_checked_now(tmp_path):
    """'Taking new clients' left empty kept the page's yes of 2026-11-20 and dated it with the hours given."""
    from carehomes.updates import apply_update

    repo = _agency_repo(tmp_path, committed=True)
    before = (repo / "providers" / "example-agency.yaml").read_text(encoding="utf-8")
    body = ("### Your agency's page name\n\nexample-agency\n\n### Taking new clients\n\n_No response_\n\n"
            "### Hours a week it can start\n\n10\n\n### New clients confirmed on\n\n_No response_")
    res = apply_update(body, "example-council-steward", repo, dt.date(2026, 11, 22), issue=7)
    assert res.errors == [
        "Taking new clients: is empty, but your page still says Yes (from 2026-11-20), and the new date would show that "
        "as checked now; choose Yes or No as it is now, even if it has not changed"]
    assert (repo / "providers" / "example-agency.yaml").read_text(encoding="utf-8") == before


def _hours_form(hours: str) -> str:
    return ("### Your agency's page name\n\nexample-agency\n\n### Taking new clients\n\nYes\n\n"
            f"### Hours a week it can start\n\n{hours}\n\n### New clients confirmed on\n\n_No response_")


@pytest.mark.parametrize("typed", ["12 hours", "12 hrs", "12h", "12 Hours", "12hrs", "12 hour", "12 hours a week",
                                   "12 hrs per week", "12 h/week", "12 hours pw", "１２ hours", "12"])
def test_hours_a_week_may_be_typed_with_the_word_hours(tmp_path, typed):
    """From providers filling in the agency's availability form: 'Hours a week it can start' refused "20 hours" (it took
    figures only), though the field counts hours and the unit says nothing new. A whole number followed by a word for
    hours (a week) is that number; nothing else is read differently (test_an_hours_answer_that_is_not_one_number...)."""
    from carehomes.updates import apply_update

    repo = _agency_repo(tmp_path, committed=True)
    res = apply_update(_hours_form(typed), "example-council-steward", repo, dt.date(2026, 11, 22), issue=7)
    assert res.errors == [] and res.status == "applied"
    assert ("homecare.hours_available", 20, 12) in [(c["field"], c["before"], c["after"]) for c in res.changed]
    assert _load(repo / "providers" / "example-agency.yaml")["homecare"]["hours_available"] == 12


@pytest.mark.parametrize("typed", ["12 hours a day", "12-20 hours", "about 12 hours", "12 or 20", "twelve hours",
                                   "12.5 hours", "12 clients", "h12", "12 hours?", "12 hours 30 minutes", "12 beds"])
def test_an_hours_answer_that_is_not_one_number_of_hours_a_week_is_refused_as_before(tmp_path, typed):
    from carehomes.updates import apply_update

    repo = _agency_repo(tmp_path, committed=True)
    before = (repo / "providers" / "example-agency.yaml").read_text(encoding="utf-8")
    res = apply_update(_hours_form(typed), "example-council-steward", repo, dt.date(2026, 11, 22), issue=7)
    assert res.errors == [f"Hours a week it can start: must be a whole number in figures, such as 3 or 0 for none, not '{typed}'"]
    assert (repo / "providers" / "example-agency.yaml").read_text(encoding="utf-8") == before


def test_only_a_count_of_hours_takes_a_unit_word():
    """A care home's beds free take figures only, as before: '3 hours' or '3 beds' stays text for check to refuse."""
    from carehomes.kinds import kinds
    from carehomes.updates import UNIT_WORDS, form_value

    fields = {f.path: f for k in kinds() for f in k.fields}
    assert set(UNIT_WORDS) == {"homecare.hours_available"}
    assert form_value(fields["homecare.hours_available"], " 20 hrs ") == 20
    for path in ("beds.nursing.available", "beds.residential.available", "homecare.visit_minutes_min"):
        assert (form_value(fields[path], "3 hours"), form_value(fields[path], "3 beds"), form_value(fields[path], "３")) == \
            ("3 hours", "3 beds", 3), path


def _starts_on(workflow: str, labels: Iterable[str]) -> None:
    """The workflow starts on an issue whose body has any of these labels as a heading (YAML doubles a ')."""
    text = (ROOT / ".github" / "workflows" / workflow).read_text(encoding="utf-8")
    for label in labels:
        assert f"contains(github.event.issue.body, '### {label.replace(chr(39), chr(39) * 2)}')" in text, (workflow, label)


def _agency_repo(tmp_path: Path, committed: bool = False) -> Path:
    """A repository holding the example agency (``committed``: with the stewards and mkdocs.yml, in git)."""
    repo = tmp_path / "repo"
    (repo / "providers").mkdir(parents=True)
    (repo / "providers" / "example-agency.yaml").write_text(AGENCY, encoding="utf-8")
    if committed:
        (repo / "stewards.yaml").write_text((ROOT / "stewards.yaml").read_text(encoding="utf-8"), encoding="utf-8")
        shutil.copy(ROOT / "mkdocs.yml", repo)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-qm", "base")
    return repo


def test_the_agency_forms_ask_for_the_agencys_page_name_and_say_so_when_it_is_wrong(tmp_path):
    from carehomes.updates import NEW_FORM, apply_update

    for template in ("update-home-care-agency-availability.yml", "update-home-care-agency-details.yml"):
        form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / template).read_text(encoding="utf-8"))
        assert form["body"][1]["attributes"]["label"] == "Your agency's page name", template
    _starts_on("provider-update.yml", forms.page_name_labels())  # an issue made with any kind's form
    repo = _agency_repo(tmp_path, committed=True)
    body = "### Your agency's page name\n\nno-such-agency\n\n### Taking new clients\n\nNo"
    res = apply_update(body, "agency-manager", repo, dt.date(2026, 11, 22), issue=7)
    assert res.errors == ["Your agency's page name: 'no-such-agency' is not an agency in the directory; use the link on "
                          "your agency's page, which fills it in, or give your CQC location ID"]
    res = apply_update(body.replace("no-such-agency", "_No response_"), "agency-manager", repo, dt.date(2026, 11, 22), issue=7)
    assert res.errors == ["Your agency's page name: is empty; use the link on your agency's page, which fills it in"]
    both = body.replace("no-such-agency", "example-agency") + "\n\n### Your home's page name\n\naston-house"
    res = apply_update(both, "agency-manager", repo, dt.date(2026, 11, 22), issue=7)
    assert res.errors == ["Your agency's page name and Your home's page name: name different pages; open a new form "
                          "from your agency's page in the directory"]
    assert res.comment().endswith(f"\n\n{NEW_FORM}\n") and "**Edit**" not in res.comment()  # not told to edit it
    res = apply_update(body.replace("no-such-agency", "example-agency"), "someone-else", repo, dt.date(2026, 11, 22), issue=7)
    assert res.status == "refused" and ("If you work at this agency, claim it first with the \"Claim it\" link at the "
                                        "bottom of its page (someone from the council rings the agency to check)") in res.errors[0]


def test_a_stranger_on_an_unclaimed_agency_is_given_the_agencys_claim_form(tmp_path):
    """From the forms review: the reply to someone who has not claimed the page named only the page's "Claim it" link;
    now it links the claim form the agency's page links (claim-home-care-agency.yml, the agency filled in)."""
    from carehomes.updates import apply_update

    repo = _agency_repo(tmp_path, committed=True)
    settings = repo / "mkdocs.yml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "https://github.com/example-council/care-homes", "https://github.com/oldham-council/care-homes"), encoding="utf-8")
    body = "### Your agency's page name\n\nexample-agency\n\n### Taking new clients\n\nNo"
    res = apply_update(body, "someone-else", repo, dt.date(2026, 11, 22), issue=7)
    link = ("https://github.com/oldham-council/care-homes/issues/new?template=claim-home-care-agency.yml&home=example-agency"
            "&title=Claim%3A%20Example%20Agency%20%28fictional%29")
    assert res.status == "refused" and (f"If you work at this agency, claim it first with its claim form, {link} (the \"Claim "
                                        "it\" link at the bottom of its page opens it too; someone from the council rings "
                                        "the agency to check), then send this form again") in res.errors[0], res.errors
    assert f" <{link}> " in res.comment()


def test_stale_lists_an_agency_with_its_own_form(tmp_path):
    from carehomes.stale import markdown_report, stale_homes, text_report

    (tmp_path / "example-agency.yaml").write_text(AGENCY, encoding="utf-8")
    found = stale_homes(tmp_path, dt.date(2026, 12, 1))
    [agency] = found.stale
    assert (agency.slug, agency.confirmed, agency.age_days, agency.form) == (
        "example-agency", dt.date(2026, 11, 20), 11, AVAILABILITY)
    assert "template=update-home-care-agency-availability.yml&home=example-agency" in markdown_report(
        found, "https://github.com/x/y", dt.date(2026, 12, 1))
    # not claimed: its own claim form, and words for an agency (with a care home too: each kind's form)
    report = markdown_report(found, "https://github.com/x/y", dt.date(2026, 12, 1))
    assert ("If you manage this agency, select **Claim it** on its page (the \"Claim this agency\" form): once someone from the council has phoned the "
                "agency to check that you manage it" in report)
    assert "an agency's manager claims it with the 'Claim this agency' form:" in text_report(found, "https://github.com/x/y")
    assert "template=claim-home-care-agency.yml&home=example-agency" in text_report(found, "https://github.com/x/y")
    shutil.copy(ROOT / "providers" / "aston-house.yaml", tmp_path)
    both = stale_homes(tmp_path, dt.date(2026, 12, 1))
    assert ("a manager claims each with the form for its kind ('Claim this home' or 'Claim this agency'):"
            in text_report(both, "https://github.com/x/y"))
    assert "(the \"Claim this home\" or \"Claim this agency\" form, for its kind)" in markdown_report(
        both, "https://github.com/x/y", dt.date(2026, 12, 1))


def test_the_freshness_issue_speaks_of_an_agencys_availability_not_of_vacancies_or_free_beds(tmp_path):
    from carehomes.stale import issue_title, markdown_report, stale_homes, text_report

    (tmp_path / "example-agency.yaml").write_text(AGENCY, encoding="utf-8")
    repo, day = "https://github.com/x/y", dt.date(2026, 12, 1)
    found = stale_homes(tmp_path, day)
    body, text = markdown_report(found, repo, day), text_report(found, repo)
    assert issue_title(found) == "Availability to confirm: 1 agency more than 7 days old"
    assert body.startswith("The agencies below last confirmed their availability more than 7 days before 1 December 2026, "
                           "or never have. On their pages, discharge teams see it marked as out of date or not known.")
    assert ("If you look after one of these agencies, select **Update whether it is taking new clients** on its row, "
            "fill in today's answers and submit the form. It takes a minute, and your agency comes off this list.") in body
    assert "| Agency | Availability confirmed | Maintainers | Update |" in body
    assert "[Update whether it is taking new clients](https://github.com/x/y/issues/new?template=update-home-care-agency-availability.yml" in body
    assert text.startswith("1 agency with availability more than 7 days old:\nexample-agency: confirmed 2026-11-20 (11 days ago); ")
    assert "maintainers: none (phone or email the agency)" in text
    for words in ("vacanc", "free bed", "Home |", " home"):  # nothing of a care home's (the claim block names none either)
        assert words not in body.split("## Not claimed")[0] and words not in text.split("no maintainer yet")[0], words
    # nothing listed: the title still in the agency's words
    up_to_date = AGENCY.replace("confirmed: 2026-11-20", "confirmed: 2026-11-30")
    assert up_to_date != AGENCY
    (tmp_path / "example-agency.yaml").write_text(up_to_date, encoding="utf-8")
    assert issue_title(stale_homes(tmp_path, day)) == "Availability: every agency confirmed it in the last 7 days"
    # with a care home that never gave vacancies: each row in its own kind's words, the lists counted by kind
    shutil.copy(ROOT / "providers" / "aston-house.yaml", tmp_path)
    (tmp_path / "example-agency.yaml").write_text(AGENCY.replace("confirmed: 2026-11-20", "confirmed: 2026-10-01"), encoding="utf-8")
    both = stale_homes(tmp_path, day)
    body = markdown_report(both, repo, day)
    assert issue_title(both) == "Vacancies and availability to confirm: 1 agency more than 7 days old, 1 home never given"
    assert body.startswith("The homes and agencies below last confirmed their vacancies or availability more than 7 days before ")
    assert ("select the link on its row (**Update vacancies** for a home, **Update whether it is taking new clients** for "
            "an agency)") in body
    assert "| Service | Last confirmed | Maintainers | Update |" in body
    assert "It takes a minute, and your home or agency comes off this list." in body
    assert "## Never given\n\n1 home has never told us its vacancies, so its page shows them as not known yet." in body
    assert "| Aston House | never | no maintainer yet (council to phone) | [Update vacancies](" in body
    assert "1 home and 1 agency have no maintainer yet" in body
    # the up to date in their own kind's words, never another's: the agency confirmed, the home never did
    (tmp_path / "example-agency.yaml").write_text(up_to_date, encoding="utf-8")
    mixed = stale_homes(tmp_path, day)
    body, text = markdown_report(mixed, repo, day), text_report(mixed, repo)
    assert "None is more than 7 days old: 1 agency confirmed its availability in the last 7 days.\n\n## Never given" in body
    assert text.startswith("None more than 7 days old: 1 agency confirmed its availability in the last 7 days.\n")
    assert "home that has told us" not in body + text
    # an old home and an agency that never gave: each count names its kind
    aston = tmp_path / "aston-house.yaml"
    aston.write_text(aston.read_text(encoding="utf-8").replace("\nbeds:\n", "\nbeds:\n  confirmed: 2026-11-01\n", 1), encoding="utf-8")
    (tmp_path / "example-agency.yaml").write_text(AGENCY.replace("  confirmed: 2026-11-20\n", ""), encoding="utf-8")
    swapped = stale_homes(tmp_path, day)
    assert [h.slug for h in swapped.stale] == ["aston-house"], swapped
    assert issue_title(swapped) == "Vacancies and availability to confirm: 1 home more than 7 days old, 1 agency never given"


def test_a_location_of_both_kinds_is_asked_for_each_kinds_availability(tmp_path):
    """A care home that is a home care agency too (two in Oldham) has beds and takes home care clients: the issue
    asks for its vacancies and for whether its agency is taking new clients, each with its own form."""
    from carehomes.stale import issue_title, markdown_report, stale_homes

    both = yaml.safe_load(AGENCY)
    home = _load(ROOT / "providers" / "aston-house.yaml")
    both.update({k: v for k, v in home.items() if k in ("beds", "care")})
    both["kinds"] = ["care_home", "home_care_agency"]
    both["beds"] = {**both.get("beds", {}), "confirmed": dt.date(2026, 11, 30)}
    (tmp_path / "example-agency.yaml").write_text(yaml.safe_dump(both, sort_keys=False), encoding="utf-8")
    found = stale_homes(tmp_path, dt.date(2026, 12, 1))
    assert found.homes == 1 and [(h.slug, h.form) for h in found.stale] == [("example-agency", AVAILABILITY)]
    assert found.fresh == ("update-vacancies.yml",)
    assert issue_title(found) == "Availability to confirm: 1 agency more than 7 days old"
    assert "1 home confirmed its vacancies in the last 7 days." in markdown_report(found, "https://github.com/x/y", dt.date(2026, 12, 1))


def test_a_release_keeps_the_agencies_so_the_changelog_does_not_add_them_again(tmp_path):
    from carehomes.releases import changelog, current_records, list_releases, release_records, snapshot

    profiles = _profiles()
    path = snapshot(data_files(profiles, load_schema(), RELEASED), tmp_path, RELEASED)
    assert (path / "home-care-agencies.csv").is_file()
    held = release_records(path)
    assert sorted(held) == ["1-000000201", "1-000000401", "1-000000402"]
    assert (held["1-000000401"]["kinds"], held["1-000000402"]["kinds"]) == (
        ["home_care_agency"], ["care_home", "home_care_agency"])
    current = current_records([p.data for p in profiles])
    entries = changelog(list_releases(tmp_path), current, dt.date(2026, 6, 1))
    assert [e.title for e in entries] == ["First release: 3 homes"]  # nothing changed since: no entry
    later = current_records([p.data for p in profiles[:1]])
    [unreleased, _] = changelog(list_releases(tmp_path), later, dt.date(2026, 6, 1))
    assert [c.sentence() for c in unreleased.changes] == [
        "Example Agency (fictional) was removed from the directory.", "Example Both (fictional) was removed from the directory."]


@pytest.mark.slow  # builds a whole (small) site
def test_an_agency_gets_its_page_from_its_face(tmp_path):
    from carehomes.pipeline import build_site

    site = tmp_path / "site"
    build_site(_profiles(), site, today=TODAY, schema=load_schema(), index=False, releases_dir=tmp_path / "none")
    page = (site / "homes/example-agency/index.html").read_text(encoding="utf-8")
    for words in (">Taking new clients<", ">Area covered<", ">Funding and rates<", "OL1, OL2", ">Care given<"):
        assert words in page, words
    assert "Beds registered with CQC" not in page and "Weekly fee" not in page
    data = json.loads((site / "data/home-care-agencies.json").read_text(encoding="utf-8"))
    assert [a["location_id"] for a in data] == ["1-000000401", "1-000000402"]


def test_the_browse_lists_of_a_site_of_several_kinds_speak_of_services_not_homes(tmp_path):
    """Oldham's lists hold care homes and home care agencies: their titles, counts and landmarks say "services"
    (SiteWords.many), as the browse page and the find page do; a site of care homes alone says "homes" as before."""
    from helpers import bundled_views

    from carehomes.finding import site_words
    from carehomes.pipeline import views_of
    from carehomes.render import browse_lists, render_browse

    schema = load_schema()
    checked = check_paths([ROOT / "areas" / "oldham" / "providers"], on=TODAY)
    views = [v for v in views_of(checked.profiles, TODAY, schema, None, _limits()) if not v.closed]
    assert site_words(views).many == "services"
    lists = browse_lists(views, schema)
    titles = [page.title for group in lists.values() for page in group]
    assert titles and all(not t.startswith("Homes") for t in titles), titles
    assert "Services beginning with A" in titles and any(t.startswith("Services in Oldham") for t in titles), titles
    # the council's list and the post town's are two pages: two titles (both were "Services in Oldham": accessibility review)
    assert "Services in the Oldham council area" in titles and len(titles) == len(set(titles)), titles
    render_browse(views, tmp_path, ("<title>SHELLTITLE</title>", "</main>"), schema, lists)
    page = (tmp_path / "browse" / "a" / "index.html").read_text(encoding="utf-8")
    n = len(next(p for p in lists["letters"] if p.key == "a").homes)
    assert f"<p>{n} services, A to Z.</p>" in page and 'aria-label="Browse services"' in page and " homes" not in page
    care_homes = bundled_views()
    assert "Homes beginning with A" in [p.title for p in browse_lists(care_homes, schema)["letters"]]


def _limits():
    from carehomes.siteconfig import read_config, staleness

    return staleness(read_config(ROOT / "mkdocs.yml").directory)


def test_an_agency_is_claimed_with_its_own_form_and_the_reply_speaks_of_the_agency(tmp_path):
    from carehomes.claims import check_claim

    form = yaml.safe_load((ROOT / ".github" / "ISSUE_TEMPLATE" / "claim-home-care-agency.yml").read_text(encoding="utf-8"))
    assert form["name"] == "Claim this agency" and form["body"][1]["attributes"]["label"] == "The agency you manage"
    intro = " ".join(form["body"][0]["attributes"]["value"].split())
    assert ("the **Update whether it is taking new clients** form changes your page within a few minutes, without "
            "waiting for the council. The council checks what you send with **Update this agency's details**") in intro
    assert "home" not in re.sub(r"\]\([^)]*\)", "]", intro).replace("home care", "")  # no care home's words in an agency's form (a link's address is the site's)
    _starts_on("claim.yml", forms.claim_labels())  # a claim made with any kind's form
    repo = _agency_repo(tmp_path)
    answers = {"The agency you manage": "example-agency", "Your name": "Sam Manager", "Your role": "Registered manager",
               "Your work email": "sam@agency.example.org", "Your phone number": "07700 900123"}
    body = "\n\n".join(f"### {label}\n\n{value}" for label, value in answers.items())
    res = check_claim(body, "sam-manager", repo, 7)
    assert res.status == "waiting", res.errors
    assert "Someone from the council will ring the agency to check that you work there" in res.comment()
    assert "neither the CQC register nor the agency's page gives a phone number" in res.comment()
    agency = repo / "providers" / "example-agency.yaml"
    agency.write_text(AGENCY.replace("  postcode: OL1 1AA\n", "  postcode: OL1 1AA\ncontact:\n  phone: 0161 496 0000\n"), encoding="utf-8")
    reply = check_claim(body, "sam-manager", repo, 7).comment()
    assert "on **0161 496 0000**, the number on the agency's page (the CQC register gives none)" in reply
    assert "home" not in reply.replace("home care", "")
    # an earlier open claim of the same agency, made with the home's form (or before the agency's existed), is found
    earlier = body.replace("### The agency you manage", "### The home you manage")
    second = check_claim(body, "other-manager", repo, 9, open_claims=[(8, earlier)])
    assert second.pending == 8 and "instead of claiming the agency a second time" in second.comment()
    wrong = check_claim(body.replace("example-agency", "no-such-agency"), "sam-manager", repo, 7)
    assert wrong.errors == ["The agency you manage: 'no-such-agency' is not an agency in the directory; use the \"Claim it\" "
                            "link on your agency's page, which fills it in, or give your CQC location ID"]


def test_stale_words_a_profile_whose_kinds_name_none_declared_by_the_first_kind_rather_than_failing(tmp_path):
    """stale reads profiles it has not checked: a 'kinds' list of unknown ids (check reports each) is worded as the
    first kind, never a traceback."""
    from carehomes.kinds import kinds_of
    from carehomes.stale import issue_title, markdown_report, stale_homes, text_report

    for junk in ("[123]", "[nope]", "['']"):
        (tmp_path / "example-agency.yaml").write_text(AGENCY.replace("kinds: [home_care_agency]\n", f"kinds: {junk}\n"),
                                                      encoding="utf-8")
        assert f"kinds: {junk}\n" in (tmp_path / "example-agency.yaml").read_text(encoding="utf-8")
        assert [k.id for k in kinds_of(yaml.safe_load((tmp_path / "example-agency.yaml").read_text(encoding="utf-8")))] == ["care_home"]
        found = stale_homes(tmp_path, dt.date(2026, 12, 1))
        assert issue_title(found) == "Vacancies to confirm: 1 home never given", junk
        assert "claim-home.yml" in text_report(found, "https://github.com/x/y")
        assert "## Never given" in markdown_report(found, "https://github.com/x/y", dt.date(2026, 12, 1))


def test_a_location_of_both_kinds_has_told_us_a_need_when_either_kind_has():
    """The find page's "or hasn't told us" (HomeView.untold) for a location of both kinds: told when its agency
    has answered (yes or no) or CQC registers its care home for the need; untold only when neither has. It read
    the care home's registration alone, so an agency that said no was kept as one that had not told us."""
    from carehomes.views import HomeView

    schema = load_schema()
    data = _profile(BOTH, "example-both.yaml").data
    data["care"] = {"user_bands": {"older_people": True}}  # CQC's registration names no dementia band
    assert "band_dementia" in HomeView(data, TODAY, schema).untold
    data["homecare"]["services"] = {"dementia": False}  # the agency's own answer: no
    said_no = HomeView(data, TODAY, schema)
    assert "band_dementia" not in said_no.untold and "band_dementia" not in said_no.yes_filters
    data["homecare"]["services"] = {}
    data["care"]["user_bands"]["dementia"] = True  # CQC registers it for dementia; the agency has not said
    told = HomeView(data, TODAY, schema)
    assert "band_dementia" not in told.untold and "band_dementia" in told.yes_filters


def test_the_data_package_says_a_location_of_two_kinds_has_a_row_in_both_tables():
    """An analyst adding care-homes.csv to home-care-agencies.csv counted Oldham's 104 services as 106: nothing said that
    a location of both kinds has a row in each table. And the agencies' JSON was described as 'One object per home'."""
    files = data_files(_profiles(), load_schema(), RELEASED, homepage="https://example.org/")
    by_name = {r["name"]: r for r in json.loads(files["datapackage.json"])["resources"]}
    for table in ("care-homes", "home-care-agencies"):
        assert "has a row in both care-homes.csv and home-care-agencies.csv, under the same location_id" in by_name[table]["description"]
    assert by_name["home-care-agencies-json"]["description"].startswith("One object per home care agency, shaped like the profiles")
    assert by_name["care-homes-json"]["description"].startswith("One object per home, shaped like the profiles")


def test_postcode_districts_typed_on_one_line_are_a_list(tmp_path):
    """A manager typed 'OL2, OL3' in 'Postcode districts covered' and was told "item 1 'OL2, OL3' is not a postcode
    district in capitals", though both are; districts are codes, separated by commas or semicolons as trust codes are."""
    from carehomes.updates import apply_update

    repo = _agency_repo(tmp_path, committed=True)
    body = ("### Your agency's page name\n\nexample-agency\n\n### Towns covered\n\nOldham\n\n"  # the set's other answer
            "### Postcode districts covered\n\nOL2, OL3; OL4\nOL8")
    res = apply_update(body, "example-council-steward", repo, dt.date(2026, 11, 22), issue=7)
    assert res.errors == []
    assert [(c["field"], c["after"]) for c in res.changed][:1] == [("coverage.districts", ["OL2", "OL3", "OL4", "OL8"])]
    assert _load(repo / "providers" / "example-agency.yaml")["coverage"]["districts"] == ["OL2", "OL3", "OL4", "OL8"]
    # 'OL1, ol2 and OL4 4TZ', as a manager wrote it: 'and' was read as part of item 2 ("'ol2 and OL4 4TZ' is not ...")
    res = apply_update(body.replace("OL2, OL3; OL4", "OL1, ol2 and OL4 4TZ & OL6"), "example-council-steward", repo,
                       dt.date(2026, 11, 22), issue=9)
    assert res.errors == [] and [(c["field"], c["after"]) for c in res.changed][:1] == [
        ("coverage.districts", ["OL1", "OL2", "OL4", "OL6", "OL8"])]
    res = apply_update(body.replace("OL2, OL3", "OL2, Royton"), "example-council-steward", repo, dt.date(2026, 11, 22), issue=8)
    assert res.errors == ["Postcode districts covered: item 2 'Royton' is not a postcode district in capitals (the first "
                          "half of a postcode, such as OL1)"]


def test_postcode_districts_in_lower_case_with_a_space_or_as_a_whole_postcode_are_read_as_the_district(tmp_path):
    """From a provider's review: 'ol1', 'OL 2' and 'ol4 4tz' took three rounds of the form, one refused each time
    ("'OL 2' is not a postcode district in capitals"). Each is the district it means; what is not, every one at once."""
    from carehomes.updates import apply_update

    repo = _agency_repo(tmp_path, committed=True)
    body = ("### Your agency's page name\n\nexample-agency\n\n### Towns covered\n\nOldham\n\n"
            "### Postcode districts covered\n\nol1\nOL 2\nol4 4tz\nOL8, OL9")
    res = apply_update(body, "example-council-steward", repo, dt.date(2026, 11, 22), issue=7)
    assert res.errors == []
    assert _load(repo / "providers" / "example-agency.yaml")["coverage"]["districts"] == ["OL1", "OL2", "OL4", "OL8", "OL9"]
    res = apply_update(body.replace("ol1", "Royton").replace("OL8, OL9", "Shaw"), "example-council-steward", repo,
                       dt.date(2026, 11, 22), issue=8)
    assert res.errors == ["Postcode districts covered: items 1 'Royton' and 4 'Shaw' are not a postcode district in "
                          "capitals (the first half of a postcode, such as OL1)"]


def test_an_agencys_oruk_care_groups_do_not_call_it_a_home():
    """ORUK's service_user_band terms are one per band for both kinds (taken from the care homes' table): an agency's
    said 'CQC service user band: the home is registered to support older people'."""
    from carehomes.outputs.oruk import service

    profile = yaml.safe_load((ROOT / "areas" / "oldham" / "providers" / "apex-prime-care-oldham.yaml").read_text(encoding="utf-8"))
    bands = [a["taxonomy_term"] for a in service(profile, load_schema())["attributes"]
             if a["taxonomy_term"]["description"].startswith("CQC service user band")]
    assert bands and all("home" not in t["description"] for t in bands), bands
    assert bands[0]["description"] == "CQC service user band: registered to support older people."


def test_hours_left_empty_beside_no_new_clients_get_one_reply_in_the_agencys_words(tmp_path):
    """'Taking new clients: No' with 'Hours a week it can start' left empty got two replies about that one box: check's
    ('is 20 but ... is no'), and 'type the number free now', a care home's words for beds."""
    from carehomes.updates import apply_update

    repo = _agency_repo(tmp_path, committed=True)
    before = (repo / "providers" / "example-agency.yaml").read_text(encoding="utf-8")
    form = ("### Your agency's page name\n\nexample-agency\n\n### Taking new clients\n\n{taking}\n\n"
            "### Hours a week it can start\n\n_No response_\n\n### New clients confirmed on\n\n_No response_")
    res = apply_update(form.format(taking="No"), "example-council-steward", repo, dt.date(2026, 11, 22), issue=7)
    assert res.errors == [
        "Hours a week it can start: is empty, but your page still says 20 (from 2026-11-20); with 'Taking new clients' No, "
        "the hours of care a week it can start can only be 0: type 0"]
    res = apply_update(form.format(taking="Yes"), "example-council-steward", repo, dt.date(2026, 11, 22), issue=7)
    assert res.errors == [
        "Hours a week it can start: is empty, but your page still says 20 (from 2026-11-20), and the new date would show "
        "that as checked now; type the number of hours a week now (0 if none), even if it has not changed"]
    assert (repo / "providers" / "example-agency.yaml").read_text(encoding="utf-8") == before
