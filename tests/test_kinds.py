"""Kinds of service are data: a second, made-up kind declared only in a schema goes through check,
the tables, the JSON, ORUK and merge with no code change, and the care homes' files stay as they are."""
from __future__ import annotations

import ast
import copy
import csv
import datetime as dt
import io
import json
import re

import pytest
from helpers import parsed
from conftest import FIXTURES, ROOT

from carehomes.docs import data_dictionary_html
from carehomes.kinds import counted, default_kind, kind, kind_of_resource, kinds, kinds_of, title_noun
from carehomes.load import Profile, parse_profile
from carehomes.merge import merge
from carehomes.publish import data_files, write_files
from carehomes.schema import Schema, load_schema
from carehomes.validate import check_profile

RELEASED = dt.date(2026, 5, 1)
SHARED = ("location_id", "slug", "example", "name", "locality", "address_town", "postcode")


def day_centre_schema() -> Schema:
    """The real schema plus a made-up kind: a day centre with one capacity field (places a day)."""
    pkg = copy.deepcopy(load_schema().package)
    homes = next(r for r in pkg["resources"] if r["name"] == "care-homes")
    fields = [copy.deepcopy(f) for f in homes["schema"]["fields"] if f["name"] in SHARED]
    fields.append({"name": "places_total", "title": "Places a day", "type": "integer", "owner": "provider",
                   "profilePath": "places.total", "description": "How many people the centre takes a day.",
                   "example": 20, "constraints": {"minimum": 0}})
    pkg["resources"].append({"name": "day-centres", "path": "day-centres.csv", "profile": "tabular-data-resource",
                             "title": "Day centres", "description": "One row per day centre.", "format": "csv",
                             "mediatype": "text/csv", "encoding": "utf-8",
                             "schema": {"primaryKey": ["location_id"], "fields": fields}})
    pkg["x-directory"]["kinds"]["list"].append({
        "id": "day_centre", "title": "Day centre", "plural": "Day centres", "resource": "day-centres",
        "files": {"csv": "day-centres.csv", "json": "day-centres.json"}, "unit": "places",
        "capacity": [{"key": "day", "label": "by day", "total": "places.total"}],
        "cqcServiceTypes": [], "jsonLdType": "LocalBusiness",
        "oruk": {"extension": "x_day_centre", "extensionKeys": ["places", "locality"],
                 "terms": [{"name": "Day centre", "description": "A centre people visit by day"}]}})
    return Schema(pkg)


def _profile(text: str, name: str) -> Profile:
    p, problems = parse_profile(text, name)
    assert p is not None, problems
    return p


def _profiles() -> list[Profile]:
    home = _profile((FIXTURES / "profiles" / "example-minimal.yaml").read_text(encoding="utf-8"), "example-minimal.yaml")
    centre = _profile("location_id: 1-000000301\nslug: example-centre\nexample: true\nname: Example Centre (fictional)\n"
                      "locality: Exampleshire\nkinds: [day_centre]\nplaces:\n  total: 12\n", "example-centre.yaml")
    both = _profile("location_id: 1-000000302\nslug: example-both\nexample: true\nname: Example Both (fictional)\n"
                    "locality: Exampleshire\nkinds: [care_home, day_centre]\nbeds:\n  registered: 30\nplaces:\n  total: 8\n",
                    "example-both.yaml")
    return [home, centre, both]


def _rows(text: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.decode("utf-8"))))


def test_one_service_of_a_kind_is_called_by_its_titles_last_word_in_pages_and_forms_alike():
    """kinds.title_noun, the one helper pages (HomeView.kind_words, noun_of) and forms (the agency's labels, kind_noun)
    call a service by: "home" for "Care home", "agency" for "Home care agency", "centre" for a declared "Day centre"."""
    from carehomes import forms

    assert [title_noun(k.title) for k in kinds()] == ["home", "agency"] == [forms.kind_noun(k) for k in kinds()]
    assert title_noun("Day centre") == "centre" and title_noun("Hospice") == "hospice"


def test_todays_schema_declares_the_care_home_then_the_home_care_agency():
    care_home, agency = kinds()
    assert care_home is default_kind() is kind("care_home") is kind_of_resource("care-homes")
    assert (care_home.resource, care_home.csv_file, care_home.json_file, care_home.unit) == (
        "care-homes", "care-homes.csv", "care-homes.json", "beds")
    assert [(c.key, c.label, c.total, c.available) for c in care_home.capacity] == [
        ("nursing", "with nursing", "beds.nursing.total", "beds.nursing.available"),
        ("residential", "without nursing", "beds.residential.total", "beds.residential.available")]
    assert [f.name for f in care_home.fields] == [f.name for f in load_schema().home_fields]
    assert (care_home.cqc_api_filter, care_home.oruk_extension) == ((("careHome", "Y"),), "x_care_home")
    assert care_home.cqc_service_types == tuple(c.cqc_service_type for c in care_home.capacity)
    with pytest.raises(KeyError, match="day_centre is not a kind of service; the schema declares care_home, home_care_agency"):
        kind("day_centre")
    assert agency is kind("home_care_agency") is kind_of_resource("home-care-agencies")
    assert (agency.title, agency.plural, agency.csv_file, agency.json_file) == (
        "Home care agency", "Home care agencies", "home-care-agencies.csv", "home-care-agencies.json")
    assert [(c.key, c.label, c.total, c.available) for c in agency.capacity] == [
        ("hours", "of care a week", None, "homecare.hours_available")]
    assert (agency.confirmed, agency.cqc_api_filter) == ("homecare.confirmed", (("gacServiceTypeDescription", "Homecare agencies"),))
    # the kind is CQC's service type; personal care is a regulated activity an agency may not be registered for (Grace 247)
    assert agency.oruk_terms == (("Home care agency", "Registered with CQC as a domiciliary care service (a home care "
                                  "agency): care in people's own homes"),)


def test_todays_schema_checks_a_kinds_key():
    p = _profile("location_id: 1-000000201\nslug: a\nname: A\nlocality: X\nkinds: [care_home]\n", "a.yaml")
    assert check_profile(p) == []
    p = _profile("location_id: 1-000000201\nslug: a\nname: A\nlocality: X\nkinds: [care_home, spa]\n", "a.yaml")
    assert [(x.field, x.line, x.message) for x in check_profile(p)] == [
        ("kinds", 5, "item 2 'spa' is not a kind of service this directory holds; use care_home or home_care_agency")]
    # a misspelt only kind is that one problem, not one more for each care home field ('is a field of a care home')
    p = _profile("location_id: 1-000000201\nslug: a\nname: A\nlocality: X\nbeds:\n  registered: 3\nkinds: [carehome]\n",
                 "a.yaml")
    assert [(x.field, x.line, x.message) for x in check_profile(p)] == [
        ("kinds", 7, "item 1 'carehome' is not a kind of service this directory holds; use care_home or home_care_agency")]


def test_a_second_kind_is_checked_by_its_own_fields():
    schema = day_centre_schema()
    home, centre, both = _profiles()
    assert [k.id for k in kinds_of(centre.data, schema)] == ["day_centre"]
    assert [k.id for k in kinds_of(both.data, schema)] == ["care_home", "day_centre"]
    assert [k.id for k in kinds_of(home.data, schema)] == ["care_home"]
    for p in (home, centre, both):
        assert check_profile(p, schema) == [], p.path
    wrong = _profile("location_id: 1-000000301\nslug: c\nname: C\nlocality: X\nkinds: [day_centre, spa]\n"
                     "places:\n  total: many\n", "c.yaml")
    assert sorted(f"{x.line}: {x.field}: {x.message}" for x in check_profile(wrong, schema)) == [
        "5: kinds: item 2 'spa' is not a kind of service this directory holds; use care_home, home_care_agency or day_centre",
        "7: places.total: must be a whole number in figures, such as 3 or 0 for none, not 'many'"]


def test_a_field_of_a_kind_the_profile_is_not_is_refused():
    schema = day_centre_schema()
    home = _profile("location_id: 1-000000201\nslug: a\nname: A\nlocality: X\nplaces:\n  total: 4\n", "a.yaml")
    assert [f"{x.line}: {x.field}: {x.message}" for x in check_profile(home, schema)] == [
        "6: places.total: is a field of a day centre, which this profile is not; remove it, or, if it is a day centre too, ask the "
        "council to add that to its kinds (kinds: [care_home, day_centre])"]
    centre = _profile("location_id: 1-000000301\nslug: c\nname: C\nlocality: X\nkinds: [day_centre]\n"
                      "beds:\n  registered: 4\n", "c.yaml")
    assert [f"{x.line}: {x.field}: {x.message}" for x in check_profile(centre, schema)] == [
        "7: beds.registered: is a field of a care home, which this profile is not; remove it, or, if it is a care home too, ask the "
        "council to add that to its kinds (kinds: [care_home, day_centre])"]


def test_a_second_kind_is_published_beside_the_care_homes_unchanged():
    schema = day_centre_schema()
    files = data_files(_profiles(), schema, RELEASED, homepage="https://example.org/")
    homes, centres = _rows(files["care-homes.csv"]), _rows(files["day-centres.csv"])
    assert list(homes[0]) == [f.name for f in load_schema().home_fields]  # the care homes' columns as they were
    assert [r["location_id"] for r in homes] == ["1-000000201", "1-000000302"]
    assert list(centres[0]) == [*SHARED, "places_total"]
    assert [(r["location_id"], r["places_total"]) for r in centres] == [("1-000000301", "12"), ("1-000000302", "8")]
    assert [h["location_id"] for h in json.loads(files["day-centres.json"])] == ["1-000000301", "1-000000302"]
    assert [h["location_id"] for h in json.loads(files["care-homes.json"])] == ["1-000000201", "1-000000302"]
    assert [r["location_id"] for r in _rows(files["capabilities.csv"])].count("1-000000301") == 0  # needs are the homes'
    pkg = json.loads(files["datapackage.json"])
    names = [r["name"] for r in pkg["resources"]]
    assert {"care-homes", "capabilities", "day-centres", "day-centres-json", "care-homes-json"} <= set(names)
    services = {s["name"]: s for s in json.loads(files["oruk-services.json"])}
    centre = services["Example Centre (fictional)"]
    assert [a["taxonomy_term"]["name"] for a in centre["attributes"]] == ["Day centre"]
    assert centre["x_day_centre"] == {"places": {"total": 12}, "locality": "Exampleshire"}
    assert "x_care_home" not in centre
    assert set(services["Example Both (fictional)"]) >= {"x_care_home", "x_day_centre"}
    # both kinds said, as its page says them (the agency was left out: the open data review)
    assert services["Example Both (fictional)"]["description"] == "Care home and day centre, registered with CQC for 30 beds."
    assert b"Day centre" in files["oruk-tabular/taxonomy_terms.csv"]
    dictionary = data_dictionary_html(schema)
    assert "(<code>day-centres.csv</code>)" in dictionary and "<code>places_total</code>" in dictionary


def test_a_second_kind_survives_merge(tmp_path):
    schema = day_centre_schema()
    write_files(data_files(_profiles(), schema, RELEASED), tmp_path / "pkg")
    merged, report = merge([tmp_path / "pkg" / "datapackage.json"], schema)
    by_id = {h["location_id"]: h for h in merged}
    # counted by kind, as a build counts them (the commissioner review: "Merged 192 homes" of 62 agencies and more)
    assert report.sources == [(str(tmp_path / "pkg" / "datapackage.json"), "3 services (2 care homes and 2 day centres; 1 is both)")]
    assert report.text(counted(merged, schema)).startswith("Merged 3 services (2 care homes and 2 day centres; 1 is both) "
                                                           "from 1 package:\n")
    assert counted(merged[:1], schema) == "1 home" and counted([by_id["1-000000301"]], schema) == "1 centre"
    assert "kinds" not in by_id["1-000000201"]
    assert by_id["1-000000301"]["kinds"] == ["day_centre"] and by_id["1-000000301"]["places"] == {"total": 12}
    assert by_id["1-000000302"]["kinds"] == ["care_home", "day_centre"]
    assert (by_id["1-000000302"]["beds"], by_id["1-000000302"]["places"]) == ({"registered": 30}, {"total": 8})


# The modules that build the pages (views, search, finding, render's page functions and the templates)
# read their kinds from schema/face.json; the schema's readers (schema, kinds) hold the declaration itself.
PAGES_AND_DECLARATION = {"views.py", "search.py", "search_index.py", "finding.py", "render.py", "kinds.py", "schema.py",
                         "screenshots.py", "localserver.py", "commandhelp.py", "face.py"}  # screenshots: sample answers; localserver: a site path; commandhelp: prose for --help; face: the page declaration's reader; search_index: the find index's filters, as profile.html had them
HARD_CODED = re.compile(r"(?<![/\w])care-homes(?![\w/])|\b(beds|care)\.(nursing|residential|registered|confirmed)\b"
                        r"|\b(nursing|residential)_(beds|free)\b|^(nursing|residential|beds)$")


def _docstrings(tree: ast.AST) -> set[int]:
    return {id(node.body[0].value) for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body
            and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}


@pytest.mark.xdist_group("package-source")  # on the worker that parses the package for test_structure (helpers.parsed)
@pytest.mark.slow  # reads every module's source (over half a second: the fast set stays under 30 s)
def test_no_module_hard_codes_the_resource_or_the_capacity_pair():
    found = []
    for path in sorted((ROOT / "carehomes").rglob("*.py")):
        if path.name in PAGES_AND_DECLARATION:
            continue
        tree = parsed(path)
        docs = _docstrings(tree)
        found += [f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}" for node in ast.walk(tree)
                  if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs
                  and HARD_CODED.search(node.value)]
    assert found == []


def test_the_scan_finds_a_hard_coded_resource():
    assert HARD_CODED.search("care-homes.csv") and HARD_CODED.search("beds.nursing.available")
    assert HARD_CODED.search("nursing") and HARD_CODED.search("residential_free")
    assert not HARD_CODED.search("https://github.com/example-council/care-homes")
    assert not HARD_CODED.search("Care home service with nursing")


def test_the_agency_template_speaks_of_an_agency_in_its_own_tables_words():
    """From a provider's review: the agency template said "Name of care home" and "this care home location": it
    worded every field shared with care homes as the care homes' table does, not the agencies' own."""
    from carehomes.docs import template_text

    agency = kind("home_care_agency")
    text = template_text(kind=agency)
    assert "care home" not in text.lower() and "# Name of agency. The agency's name as registered with CQC." in text
    assert "#   [provider] The agency (changed by pull request)" in text and "slug: example-home-care" in text
    assert "# Name of care home. The home's name as registered with CQC." in template_text()  # the first kind's, as before


def test_a_services_schema_org_type_is_the_one_its_kind_declares():
    """jsonLdType was declared for each kind and type of place but HomeView.json_ld wrote MedicalBusiness or
    LocalBusiness itself, so a new kind declaring another type (a day centre as a CivicStructure, say) was called a
    LocalBusiness all the same."""
    from carehomes.views import HomeView

    schema = day_centre_schema()
    next(k for k in schema.package["x-directory"]["kinds"]["list"] if k["id"] == "day_centre")["jsonLdType"] = "CivicStructure"
    schema = Schema(schema.package)
    home, centre, _ = (HomeView(p.data, RELEASED, schema) for p in _profiles())
    assert centre.json_ld()["@type"] == "CivicStructure"
    assert home.json_ld()["@type"] == "LocalBusiness"  # example-minimal: no type of place said, its kind's own
    nursing = HomeView({**home.d, "care": {"nursing": True, "residential": True}}, RELEASED, schema)
    assert nursing.json_ld()["@type"] == "MedicalBusiness"  # the first type of place it is registered for that names one
