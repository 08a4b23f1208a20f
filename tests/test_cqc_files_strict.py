"""import-cqc never turns a value it cannot read into 'not known' or 'no': bad cells and bad JSON
files refuse the whole import (every problem listed, nothing changed); what a record does not give
is not known (None), never 'no'. All inputs are small edited copies of the real CQC data."""
from __future__ import annotations

import ast
import csv
import datetime as dt
import json
import shutil

import pytest

from carehomes.validate import today as england_today
from carehomes.sources.cqc_files import ImportError_, import_cqc, parse_api_location, read_register
from conftest import CQC
from test_importer import load, national_slice, write_rows

REFUSED = ("has rows that cannot be read; nothing was changed (a row that cannot be read is never taken as a "
           "home that left the register):\n  ")
REFUSED_JSON = REFUSED.replace("has rows", "has records")
OLDHAM = CQC / "oldham-api-json-2025"


def snapshot(folder):
    return {p.name: p.read_text() for p in sorted(folder.glob("*.yaml"))}


@pytest.mark.slow  # reads the national register file (15,403 rows) for six of them (0.9 s)
def test_unreadable_cells_refuse_the_file_and_change_nothing(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=6)
    providers = tmp_path / "p"
    import_cqc(src, providers, as_of=dt.date(2021, 3, 31))
    before = snapshot(providers)
    rows[0]["Care homes beds"] = "sixteen"
    rows[1]["Care homes beds"] = "-5"
    rows[2]["Care homes beds"] = "16.5"
    rows[3]["Location Postal Code"] = "NOT A PC"
    rows[4]["Location Latitude"] = "abc"
    rows[5]["Service type - Care home service without nursing"] = "Yes please"
    rows[5]["Service user band - Dementia"] = "maybe"
    write_rows(src, rows)
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, providers, as_of=dt.date(2021, 3, 31))
    assert str(exc.value) == REFUSED + "\n  ".join([
        "line 2: Care homes beds: 'sixteen' is not a whole number 0 or more; correct it, or leave it empty if not known",
        "line 3: Care homes beds: '-5' is not a whole number 0 or more; correct it, or leave it empty if not known",
        "line 4: Care homes beds: '16.5' is not a whole number 0 or more; correct it, or leave it empty if not known",
        "line 5: Location Postal Code: 'NOT A PC' is not a UK postcode; correct it, or leave it empty if not known",
        "line 6: Location Latitude: 'abc' is not a number; correct it, or leave it empty if not known",
        "line 7: Service user band - Dementia: 'maybe' is not Y or N; write Y for yes, N or nothing for no",
        "line 7: Service type - Care home service without nursing: 'Yes please' is not Y or N; write Y for yes, "
        "N or nothing for no",
    ])
    assert snapshot(providers) == before


def test_empty_cells_stay_not_known_and_real_flags_import(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=2)
    assert rows[0]["Service type - Care home service with nursing"] == ""  # the real file leaves 'no' blank
    rows[0]["Care homes beds"] = ""
    rows[0]["Location Postal Code"] = " "
    rows[0]["Location Latitude"] = ""
    write_rows(src, rows)
    import_cqc(src, tmp_path / "p", as_of=dt.date(2021, 3, 31))
    aston = load(tmp_path / "p" / "aston-house.yaml")
    assert "beds" not in aston and "postcode" not in aston["address"] and "latitude" not in aston["address"]
    assert aston["care"]["nursing"] is False and aston["care"]["residential"] is True


def test_date_errors_name_column_and_value_and_an_empty_name_hides_nothing(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=9)
    rows[0]["Location Name"] = " "
    rows[0]["Care homes beds"] = "many"
    rows[3]["Location ID"] = "not an id"
    rows[6]["Location HSCA start date"] = "31/02/2021"
    rows[7]["Location HSCA start date"] = "soon"
    rows[8]["Location HSCA start date"] = "2020-02-01garbage"  # a date with more after it than a time of day
    write_rows(src, rows)
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", as_of=dt.date(2021, 3, 31))
    assert str(exc.value) == REFUSED + "\n  ".join([
        "line 2: Care homes beds: 'many' is not a whole number 0 or more; correct it, or leave it empty if not known",
        f"line 2: location {rows[0]['Location ID']} has no name",
        "line 5: 'not an id' is not a CQC location ID",
        "line 8: Location HSCA start date: '31/02/2021' is not a real date; correct it (YYYY-MM-DD or DD/MM/YYYY)",
        "line 9: Location HSCA start date: 'soon' is not a date; write it as YYYY-MM-DD or DD/MM/YYYY",
        "line 10: Location HSCA start date: '2020-02-01garbage' is not a date; write it as YYYY-MM-DD or DD/MM/YYYY, "
        "with a time of day after it or nothing",
    ])
    assert not (tmp_path / "p").exists()


@pytest.fixture
def oldham(tmp_path, shared_data):
    """An editable copy of the real Oldham API folder."""
    folder = tmp_path / "oldham"
    shutil.copytree(OLDHAM, folder)
    return folder, folder / "location_details"


@pytest.mark.slow  # imports Oldham's 222 saved API responses
def test_json_folder_refuses_every_bad_file_by_path(tmp_path, oldham):
    folder, details = oldham
    providers = tmp_path / "p"
    import_cqc(folder, providers)
    before = snapshot(providers)
    (details / "location_1-109570155.json").write_text("[1,2]")
    (details / "location_1-112467585.json").write_text("null")
    (details / "location_1-140560888.json").write_text("{broken")
    (details / "location_x.json").mkdir()
    with pytest.raises(ImportError_) as exc:
        import_cqc(folder, providers)
    assert str(exc.value) == REFUSED_JSON + "\n  ".join([
        f"{details}/location_1-140560888.json: is not valid JSON (Expecting property name enclosed in double quotes: "
        "line 1 column 2 (char 1)); fetch the location again or remove the file",
        f"{details}/location_x.json: is a folder, not a JSON file; move it out of {details}",
        f"{details}/location_1-109570155.json record 1: is a number, not a CQC API location record; fetch the "
        "location again or remove the file",
        f"{details}/location_1-109570155.json record 2: is a number, not a CQC API location record; fetch the "
        "location again or remove the file",
        f"{details}/location_1-112467585.json: is null, not a CQC API location record; fetch the location again "
        "or remove the file",
    ])
    assert snapshot(providers) == before  # the two homes are not flagged as gone


@pytest.mark.slow  # reads Oldham's saved API folder (over half a second: the fast set stays under 30 s)
def test_json_folder_names_each_provider_from_its_saved_provider_record(tmp_path, oldham):
    """provider_details/ beside location_details/ holds CQC's provider records: a location whose provider's record is
    there is named as its provider (as the live sync does); a provider file that cannot be read stops the import,
    as a location file does, naming it."""
    import yaml

    folder, _ = oldham
    import_cqc(folder, tmp_path / "p")
    anbridge = yaml.safe_load((tmp_path / "p" / "anbridge-care-home.yaml").read_text())
    assert anbridge["provider"] == {"cqc_id": "1-101630228", "name": "Mr Charles Jones and Mrs Sally Jones"}
    bad = folder / "provider_details" / "provider_1-101630228.json"
    bad.write_text("[1]")
    with pytest.raises(ImportError_) as exc:
        import_cqc(folder, tmp_path / "q")
    assert str(exc.value) == REFUSED_JSON + (f"{bad}: is not a CQC API provider record that can be read; fetch the "
                                             "provider again or remove the file")
    assert not (tmp_path / "q").exists() or not any((tmp_path / "q").iterdir())
    bad.unlink()
    bad.symlink_to("/etc/passwd")  # a link out of the folder is never read, as a location file's is not
    with pytest.raises(ImportError_) as exc:
        import_cqc(folder, tmp_path / "q")
    assert str(exc.value) == REFUSED_JSON + (f"{bad}: is a link to /etc/passwd, outside {folder / 'provider_details'}; a record "
                                             "must be a real file in that folder, so it was not read")


def test_json_folder_reads_no_link_out_of_it_and_names_a_device_for_what_it_is(tmp_path, oldham):
    """A link to /etc/passwd was read (and quoted as bad JSON); a link to /dev/zero was called 'a folder'."""
    import os

    folder, details = oldham
    outside = tmp_path / "elsewhere.json"
    outside.write_text((details / "location_1-109570155.json").read_text())
    (details / "location_out.json").symlink_to(outside)
    (details / "location_in.json").symlink_to(details / "location_1-109570155.json")  # inside: read as the file
    os.mkfifo(details / "location_pipe.json")
    with pytest.raises(ImportError_) as exc:
        import_cqc(folder, tmp_path / "p")
    assert str(exc.value) == REFUSED_JSON + "\n  ".join([
        f"{details}/location_out.json: is a link to {outside}, outside {details}; a record must be a real file in "
        "that folder, so it was not read",
        f"{details}/location_pipe.json: is not a file (a device, a pipe or a broken link), not a JSON file; move it "
        f"out of {details}",
    ])


RECORD = {"careHome": "Y", "locationId": "1-99", "name": "X", "registrationStatus": "Registered",
          "localAuthority": "Oldham"}


def test_api_record_without_lists_is_not_known_never_no():
    rec = parse_api_location(dict(RECORD, numberOfBeds="12"))
    reg = rec.regulator
    assert reg["care.nursing"] is None and reg["care.residential"] is None
    assert reg["cqc.registered_manager"] is None
    assert {k: v for k, v in reg.items() if k.startswith("care.user_bands.")} == {
        f"care.user_bands.{b}": None for b in ("children", "dementia", "learning_disability_autism", "mental_health",
                                               "older_people", "physical_disability", "sensory_impairment",
                                               "younger_adults")}
    assert reg["beds.registered"] == 12
    empty = parse_api_location(dict(RECORD, gacServiceTypes=[], specialisms=[], regulatedActivities=[])).regulator
    assert empty["care.nursing"] is None and empty["care.user_bands.dementia"] is None
    assert empty["cqc.registered_manager"] is None


def test_api_lists_that_lack_an_item_are_a_real_no():
    reg = parse_api_location(dict(
        RECORD, gacServiceTypes=[{"description": "Care home service without nursing"}],
        specialisms=[{"name": "Dementia"}],
        regulatedActivities=[{"name": "Accommodation", "contacts": [{"personRoles": ["Nominated Individual"]}]}],
    )).regulator
    assert reg["care.nursing"] is False and reg["care.residential"] is True
    assert reg["care.user_bands.dementia"] is True and reg["care.user_bands.older_people"] is False
    assert reg["cqc.registered_manager"] is False
    absent = parse_api_location(dict(RECORD, registeredManagerAbsentDate="2025-01-02")).regulator
    assert absent["cqc.registered_manager"] is False
    in_post = parse_api_location(dict(RECORD, regulatedActivities=[{"name": "Accommodation", "contacts": [
        {"personRoles": ["Registered Manager"], "personGivenName": "A", "personFamilyName": "B"}]}])).regulator
    assert (in_post["cqc.registered_manager"], in_post["cqc.manager_absent_since"]) == (True, None)  # an absence ended


def test_services_for_everyone_leaves_the_bands_it_does_not_name_unknown_never_no():
    """CQC's "Services for everyone" says a service is open to all: a band it does not name is not a "no" (Bridging
    the Gap in Oldham names that alone, and was published as serving none of them); a band it names is a yes."""
    alone = parse_api_location(dict(RECORD, specialisms=[{"name": "Services for everyone"}])).regulator
    assert {k: v for k, v in alone.items() if k.startswith("care.user_bands.")} == {
        f"care.user_bands.{b}": None for b in ("children", "dementia", "learning_disability_autism", "mental_health",
                                               "older_people", "physical_disability", "sensory_impairment",
                                               "younger_adults")}
    named = parse_api_location(dict(RECORD, specialisms=[{"name": "Services for everyone"}, {"name": "Dementia"}])).regulator
    assert named["care.user_bands.dementia"] is True and named["care.user_bands.older_people"] is None


def test_cqcs_phone_and_website_are_cqcs_never_written_as_the_homes_own(tmp_path):
    """A file import keeps CQC's phone and website as CQC's (cqc.phone, cqc.website: the page marks them "as held
    by CQC"), as the live sync does; the home's own contact details are the home's to give."""
    import yaml

    from carehomes.apply import new_profile
    from carehomes.schema import load_schema

    rec = parse_api_location(dict(RECORD, mainPhoneNumber="01612345678", website="www.example-home.org"))
    assert (rec.regulator["cqc.phone"], rec.regulator["cqc.website"]) == ("0161 234 5678", "https://www.example-home.org")
    text = new_profile(rec, "x", load_schema(), "API (JSON)", dt.date(2025, 3, 20), "saved.json")
    written = yaml.safe_load(text)
    assert "contact" not in written and written["cqc"]["phone"] == "0161 234 5678"


def test_a_cqc_website_with_an_apostrophe_is_imported_as_check_asks_it_written():
    """check refuses ' and ` in a web address (a link on a page never holds them): CQC's address for a home is
    written with %27 and %60 instead, so the import passes check and the page links it."""
    from carehomes.schema import load_schema
    from carehomes.validate import check_value

    rec = parse_api_location(dict(RECORD, website="www.example-home.org/o'brien`s"))
    assert rec.regulator["cqc.website"] == "https://www.example-home.org/o%27brien%60s"
    field = load_schema().by_path["cqc.website"]
    assert check_value(field, rec.regulator["cqc.website"]) is None
    assert check_value(field, "https://www.example-home.org/o'brien").startswith("'https://www.example-home.org/o'brien' has a ' in it")


def test_api_beds_that_are_not_a_number_name_file_and_value(tmp_path, oldham):
    folder, details = oldham
    (details / "location_1-99.json").write_text(json.dumps(dict(RECORD, numberOfBeds="lots")))
    with pytest.raises(ImportError_) as exc:
        import_cqc(folder, tmp_path / "p")
    assert str(exc.value) == REFUSED_JSON + (
        f"{details}/location_1-99.json: numberOfBeds: 'lots' is not a whole number 0 or more; correct it, "
        "or leave it empty if not known")


def test_an_api_record_without_its_status_but_with_a_deregistration_date_is_closed_never_registered(tmp_path, oldham):
    """A record that left out registrationStatus was read as Registered: a home deregistered in 2016 became a new
    profile saying so; a status that is neither is refused by file and value."""
    closed = parse_api_location(dict(RECORD, registrationStatus=None, deregistrationDate="2016-06-13")).regulator
    assert (closed["cqc.status"], closed["cqc.status_date"]) == ("Deregistered", dt.date(2016, 6, 13))
    assert parse_api_location(dict(RECORD, registrationStatus="")).regulator["cqc.status"] == "Registered"
    assert parse_api_location(dict(RECORD, registrationStatus=" deregistered ")).regulator["cqc.status"] == "Deregistered"
    folder, details = oldham
    (details / "location_1-99.json").write_text(json.dumps(dict(RECORD, registrationStatus="Suspended")))
    with pytest.raises(ImportError_) as exc:
        import_cqc(folder, tmp_path / "p")
    assert str(exc.value) == REFUSED_JSON + (
        f"{details}/location_1-99.json: registrationStatus: 'Suspended' is not Registered or Deregistered; check the "
        "file with its publisher")


def test_real_oldham_deregistered_homes_have_manager_not_known(oldham):
    folder, _ = oldham
    _, records, _ = read_register(folder)
    gone = [r for r in records if r.regulator["cqc.status"] == "Deregistered"]
    assert len(gone) == 115 and all(r.regulator["cqc.registered_manager"] is None for r in gone)
    assert sum(not r.kinds or "care_home" in r.kinds for r in gone) == 43  # the rest are home care agencies
    registered = [r for r in records if r.regulator["cqc.status"] == "Registered"]
    assert all(r.regulator["cqc.registered_manager"] is not None for r in registered)
    assert all(r.regulator["care.nursing"] is not None for r in registered)


@pytest.mark.slow  # imports Oldham's 222 saved API responses
def test_json_folder_date_is_the_newest_date_the_records_carry(oldham):
    folder, details = oldham
    # the newest last inspection/report in the real folder is 2024-04-03, but a manager absence is 2025-03-20
    assert read_register(folder)[2] == dt.date(2025, 3, 20)
    path = details / "location_1-109570155.json"
    doc = json.loads(path.read_text())
    doc["registrationDate"] = "2025-06-01"
    path.write_text(json.dumps(doc))
    assert read_register(folder)[2] == dt.date(2025, 6, 1)
    doc["registrationDate"] = "3021-01-01"  # after today: it dated the import, and every other record was refused for it
    path.write_text(json.dumps(doc))
    assert read_register(folder)[2] == dt.date(2025, 3, 20)


@pytest.mark.slow  # imports Oldham's saved API folder
def test_one_record_dated_after_today_is_named_alone_not_blamed_on_every_other(tmp_path, oldham):
    """A registrationDate of 3021 in one file gave 'cqc.imported: 3021-01-01 is in the future' for every other
    location file, and never named the file and field that held it."""
    folder, details = oldham
    path = details / "location_1-109570155.json"
    doc = json.loads(path.read_text())
    doc["registrationDate"] = "3021-01-01"
    path.write_text(json.dumps(doc))
    with pytest.raises(ImportError_) as exc:
        import_cqc(folder, tmp_path / "p")
    assert str(exc.value).split("\n")[1:] == [
        f"  {path}: location 1-109570155: cqc.registered_since: 3021-01-01 is in the future (today is "
        f"{england_today().isoformat()}); give the date the fact was true"]


@pytest.mark.parametrize("damaged", [[{}], [{"description": None}], [{"description": " ", "name": ""}],
                                     [{"description": "Care home service with nursing"}, {}]])
def test_an_api_service_type_naming_no_type_is_refused_never_read_as_no(damaged):
    """A damaged entry in gacServiceTypes (no name, no description) was read as a registration for no type: care.nursing
    and care.residential both no, where the record says nothing of them; it is refused, naming the field."""
    with pytest.raises(ValueError) as exc:
        parse_api_location(dict(RECORD, gacServiceTypes=damaged))
    assert "gacServiceTypes: holds a service type with no name or description; is the record complete?" in str(exc.value)
    by_name = parse_api_location(dict(RECORD, gacServiceTypes=[{"name": "Care home service with nursing"}])).regulator
    assert by_name["care.nursing"] is True and by_name["care.residential"] is False  # its name is read where it has no description


def test_api_csv_collects_every_unreadable_cell(tmp_path, shared_data):
    src = tmp_path / "api.csv"
    lines = (CQC / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = list(csv.DictReader(lines[:3]))
    rows[0]["gacServiceTypes"] = "[{'description': broken"
    rows[0]["numberOfBeds"] = "x"
    rows[1]["onspdLongitude"] = "west"
    write_rows(src, rows)
    with pytest.raises(ImportError_) as exc:
        read_register(src)
    assert str(exc.value) == REFUSED + "\n  ".join([
        "line 2: gacServiceTypes: '[{'description': broken' is not a readable list; export the records again",
        "line 2: numberOfBeds: 'x' is not a whole number 0 or more; correct it, or leave it empty if not known",
        "line 3: onspdLongitude: 'west' is not a number; correct it, or leave it empty if not known",
    ])


def test_market_file_without_the_manager_column_does_not_say_no_manager(tmp_path, shared_data):
    src = CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv"
    rows = list(csv.DictReader(src.read_text(encoding="utf-8-sig").splitlines(keepends=True)))
    _, records, _ = read_register(src)
    assert {r.regulator["cqc.registered_manager"] for r in records} == {True, False}
    for row in rows:
        del row["Registered manager"]
    write_rows(tmp_path / "market.csv", rows)
    _, records, _ = read_register(tmp_path / "market.csv")
    assert len(records) == 945 and not any("cqc.registered_manager" in r.regulator for r in records)  # left as profiles have it


RATING_PLACES = [  # every nested place extra_facts reads a rating from, in a real Oldham API record
    ("currentRatings", "overall"), ("currentRatings", "overall", "keyQuestionRatings"),
    ("currentRatings", "overall", "keyQuestionRatings", 0), ("historicRatings",), ("historicRatings", 0),
    ("historicRatings", 0, "overall"), ("historicRatings", 0, "overall", "keyQuestionRatings"),
    ("historicRatings", 0, "overall", "keyQuestionRatings", 0), ("assessment",)]


@pytest.mark.parametrize("place", RATING_PLACES, ids=lambda p: ".".join(map(str, p)))
@pytest.mark.parametrize("value", [1, "Good", True, 2.5, [], {}, [1, "x", None], None])
def test_a_rating_of_the_wrong_shape_is_a_problem_naming_its_field_never_a_crash(place, value):
    """The API's ratings nested as CQC never sends them (a number where a list of key questions goes, the fuzzing
    found; a text where an object goes) are a ValueError naming the field, or read as not given: never a TypeError
    or AttributeError (a traceback out of import-cqc --api)."""
    from carehomes.sources.cqc_files import extra_facts

    path = CQC / "oldham-api-json-2025" / "location_details" / "location_1-109570155.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["assessment"] = [{"ratings": {"asgRatings": [{"status": "Current", "rating": "Good",
                                                      "keyQuestionRatings": [{"name": "Safe", "rating": "Good"}]}]}}]
    parent = doc
    for step in place[:-1]:
        parent = parent[step]
    parent[place[-1]] = value
    try:
        facts = extra_facts(doc)
    except ValueError as exc:
        assert "field '" in str(exc), exc
    else:
        assert isinstance(facts, dict)


def test_an_inspection_before_cqc_gave_ratings_is_left_out_of_the_history(shared_data):
    """CQC's API keeps inspections from before it rated services (October 2014) in historicRatings, their outcome
    'No action' or 'Compliance action' where a rating goes: The Vicarage (Devon) has one of 16 July 2014. It is not a
    rating, so the history and the previous rating leave it out; it was refused as an unknown rating, which stopped
    the whole import (and the weekly --api sync) of any council with such a home."""
    from carehomes.sources.cqc_files import extra_facts

    lines = (CQC / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv").read_text(encoding="utf-8-sig").splitlines()
    row = next(r for r in csv.DictReader(lines) if r["locationId"] == "1-111383767")
    doc = {k: ast.literal_eval(v) if v[:1] in "[{" else v for k, v in row.items() if v}  # the record as JSON gives it
    assert [h["overall"]["rating"] for h in doc["historicRatings"]] == ["Good", "No action"]
    facts = extra_facts(doc)
    assert facts["cqc.rating_history"] == ["2018-04-12 Good", "2015-12-16 Good"]
    assert facts["cqc.rating_history_safe"] == ["2018-04-12 Good", "2015-12-16 Requires improvement"]
    assert (facts["cqc.previous_rating"], str(facts["cqc.previous_rating_date"])) == ("Good", "2015-12-16")


def test_api_csv_gives_what_the_same_record_as_json_gives(tmp_path, shared_data):
    """A register of API records saved as CSV (the Devon file) is read as the same records saved as JSON are: Bindon
    Residential Home is dormant (registered, not providing care), its manager absent since 5 December 2018, and CQC
    rated each key question. Its page showed none of this: an ordinary home, rated Inadequate."""
    lines = (CQC / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = [r for r in csv.DictReader(lines) if r["locationId"] == "1-112104377"]
    assert (rows[0]["dormancy"], rows[0]["registeredManagerAbsentDate"]) == ("Y", "05/12/2018")
    write_rows(tmp_path / "api.csv", rows)
    reg = read_register(tmp_path / "api.csv")[1][0].regulator
    assert {k: str(reg[f"cqc.{k}"]) for k in ("dormant", "manager_absent_since", "rating", "rating_safe", "rating_well_led",
                                               "rating_caring", "previous_rating", "previous_rating_date")} == {
        "dormant": "True", "manager_absent_since": "2018-12-05", "rating": "Inadequate", "rating_safe": "Inadequate",
        "rating_well_led": "Inadequate", "rating_caring": "Requires improvement", "previous_rating": "Requires improvement",
        "previous_rating_date": "2018-05-19"}
    doc = {k: ast.literal_eval(v) if v[:1] in "[{" else v for k, v in rows[0].items() if v}  # the record as JSON
    doc["registeredManagerAbsentDate"] = "2018-12-05"
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "location.json").write_text(json.dumps(doc), encoding="utf-8")
    as_json = read_register(tmp_path / "json")[1][0].regulator
    assert reg == as_json


def test_api_csv_nested_cell_that_cannot_be_read_is_named(tmp_path, shared_data):
    lines = (CQC / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = list(csv.DictReader(lines[:2]))
    rows[0]["historicRatings"] = "[{'reportDate': broken"
    write_rows(tmp_path / "api.csv", rows)
    with pytest.raises(ImportError_) as exc:
        read_register(tmp_path / "api.csv")
    assert str(exc.value) == REFUSED + ("line 2: historicRatings: '[{'reportDate': broken' cannot be read; export the "
                                        "records again")


# --- CQC's regulated activities and registered managers' names, kept as CQC's facts -------------------------------

def test_a_saved_api_record_keeps_its_regulated_activities_and_its_registered_managers_names(shared_data):
    """CQC's record of Oldham's Ordinary Lifestyles agency (1-2172846173) registers it for the regulated activity
    'Personal care' and lists three registered managers under it: all kept, as CQC's facts, in CQC's words (title,
    given and family names), each name once though CQC may list a manager under several activities."""
    doc = json.loads((OLDHAM / "location_details" / "location_1-2172846173.json").read_text(encoding="utf-8"))
    assert [a["name"] for a in doc["regulatedActivities"]] == ["Personal care"]
    reg = read_register(OLDHAM / "location_details" / "location_1-2172846173.json")[1][0].regulator
    assert reg["cqc.regulated_activities"] == ["Personal care"]
    assert reg["cqc.registered_manager"] is True
    assert reg["cqc.registered_managers"] == ["Miss Jemma Cowburn", "Mrs Clodagh Louise McGurrin",
                                              "Mrs Iyabode Abimbola Okunola-Adeleke"]
    both = json.loads((OLDHAM / "location_details" / "location_1-120031878.json").read_text(encoding="utf-8"))
    named = {f"{p['personTitle']} {p['personGivenName']} {p['personFamilyName']}" for a in both["regulatedActivities"]
             for p in a["contacts"]}
    assert len(both["regulatedActivities"]) > 1 and len(named) == 1  # one manager, listed under each activity
    kept = parse_api_location(both, "dmy").regulator
    assert kept["cqc.registered_managers"] == sorted(named)
    assert kept["cqc.regulated_activities"] == sorted(a["name"] for a in both["regulatedActivities"])


def test_an_absent_manager_or_a_record_without_activities_names_nobody_and_no_activity(shared_data):
    """CQC records Caremark (Oldham)'s registered manager as absent: no name is kept, not even one an activity's
    contacts might still list. A deregistered location's record lists no regulated activities: none is kept (not
    known), and no 'no'."""
    doc = json.loads((OLDHAM / "location_details" / "location_1-455330921.json").read_text(encoding="utf-8"))
    assert doc["registeredManagerAbsentDate"]
    reg = parse_api_location(doc, "dmy").regulator
    assert (reg["cqc.registered_manager"], reg["cqc.registered_managers"]) == (False, None)
    assert reg["cqc.regulated_activities"] == ["Personal care"]
    doc["regulatedActivities"][0]["contacts"] = [{"personTitle": "Mrs", "personGivenName": "Jo", "personFamilyName": "Example",
                                                   "personRoles": ["Registered Manager"]}]
    assert parse_api_location(doc, "dmy").regulator["cqc.registered_managers"] is None
    closed = json.loads((OLDHAM / "location_details" / "location_1-113831768.json").read_text(encoding="utf-8"))
    assert closed["registrationStatus"] == "Deregistered" and not closed.get("regulatedActivities")
    gone = parse_api_location(closed, "dmy").regulator
    assert (gone["cqc.regulated_activities"], gone["cqc.registered_managers"], gone["cqc.registered_manager"]) == (None, None, None)


@pytest.mark.slow  # reads the whole national register
def test_the_devon_api_csv_and_the_market_file_give_what_they_carry_and_the_national_file_nothing(shared_data):
    """The API records saved as CSV (Devon) list each home's regulated activities and managers as the JSON does;
    CQC's market file names the registered manager ('Family, Given, Title') but no activity, so the activities are
    left as they were (not in the record); the national HSCA file here has one 'Regulated activity' column of CQC's
    many, and no manager: neither is taken from it (a partial list would read as the whole)."""
    _, devon, _ = read_register(CQC / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv")
    fiona = next(r for r in devon if r.regulator.get("cqc.registered_managers") == ["Mrs Fiona Geraldine Martin"])
    assert fiona.regulator["cqc.regulated_activities"] == ["Accommodation for persons who require nursing or personal care"]
    bindon = next(r for r in devon if r.location_id == "1-112104377").regulator  # manager absent since 5 December 2018
    assert (bindon["cqc.registered_manager"], bindon["cqc.registered_managers"]) == (False, None)
    _, market, _ = read_register(CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv")
    asp = next(r.regulator for r in market if r.location_id == "1-22940471514")  # "Simanwe, Namukale Nanyangwe, Mrs"
    assert asp["cqc.registered_managers"] == ["Mrs Namukale Nanyangwe Simanwe"] and "cqc.regulated_activities" not in asp
    unmanaged = [r.regulator for r in market if r.regulator["cqc.registered_manager"] is False]
    assert unmanaged and all(r["cqc.registered_managers"] is None for r in unmanaged)
    rows = list(csv.DictReader((CQC / "virtuk-hsca-care-homes-2021-03" / "cqc_care_homes_england_2021-03_cqc_columns_only.csv")
                               .read_text(encoding="utf-8-sig").splitlines()[:3]))
    assert any(k.startswith("Regulated activity - ") for k in rows[0])
    from carehomes.sources.cqc_files import _hsca
    held = _hsca(rows[0]).regulator
    assert "cqc.regulated_activities" not in held and "cqc.registered_managers" not in held


def test_a_manager_who_left_is_no_longer_named_after_the_next_import(tmp_path, shared_data):
    """An import that finds CQC records the manager absent removes the name an earlier import kept."""
    folder = tmp_path / "json"
    folder.mkdir()
    doc = json.loads((OLDHAM / "location_details" / "location_1-2172846173.json").read_text(encoding="utf-8"))
    (folder / "location.json").write_text(json.dumps(doc), encoding="utf-8")
    providers = tmp_path / "p"
    import_cqc(folder, providers)
    profile = next(providers.glob("*.yaml"))
    assert len(load(profile)["cqc"]["registered_managers"]) == 3
    doc["registeredManagerAbsentDate"] = "2025-03-20"
    for a in doc["regulatedActivities"]:
        a["contacts"] = []
    (folder / "location.json").write_text(json.dumps(doc), encoding="utf-8")
    import_cqc(folder, providers)
    cqc = load(profile)["cqc"]
    assert "registered_managers" not in cqc and cqc["registered_manager"] is False
    assert cqc["regulated_activities"] == ["Personal care"]


def test_api_csv_nested_cells_of_the_wrong_shape_are_refused_as_the_same_json_is(tmp_path, shared_data):
    """A CSV of API records gives its nested fields as Python reprs, read back as they are written: a regulated
    activity's contacts as a text, a role as a number, a name as a list. The same record as JSON is refused by its
    shape (cqc_shape); the CSV's was read as it came: a contact role 'Not a Registered Manager' counted as a registered
    manager (a text holds the words), contacts as a text said 'no registered manager', a list became the name
    "['Jo']", and a number as the roles was 'argument of type 'int' is not iterable'. Each is now named, the import
    refused and nothing changed."""
    lines = (CQC / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv").read_text(encoding="utf-8-sig").splitlines()
    rows = list(csv.DictReader(lines[:4]))
    rows[0]["regulatedActivities"] = "[{'name': 'Personal care', 'contacts': [{'personRoles': 5, 'personGivenName': 'Jo'}]}]"
    rows[1]["regulatedActivities"] = ("[{'name': 'Personal care', 'contacts': [{'personRoles': 'Not a Registered Manager', "
                                      "'personGivenName': 'Jo'}]}]")
    rows[2]["regulatedActivities"] = ("[{'name': ['Personal care'], 'contacts': 'Jo'}, {'name': 'Personal care', 'contacts': "
                                      "[{'personRoles': ['Registered Manager'], 'personGivenName': ['Jo']}]}]")
    write_rows(tmp_path / "api.csv", rows)
    providers = tmp_path / "p"
    with pytest.raises(ImportError_) as exc:
        import_cqc(tmp_path / "api.csv", providers)
    ids = [r["locationId"] for r in rows]
    assert str(exc.value) == REFUSED + "\n  ".join([
        f"line 2: location {ids[0]}: field 'regulatedActivities[0].contacts[0].personRoles' is a number, expected a list",
        f"line 3: location {ids[1]}: field 'regulatedActivities[0].contacts[0].personRoles' is a text, expected a list",
        f"line 4: location {ids[2]}: field 'regulatedActivities[0].name' is a list, expected a text",
        f"line 4: location {ids[2]}: field 'regulatedActivities[0].contacts' is a text, expected a list",
        f"line 4: location {ids[2]}: field 'regulatedActivities[1].contacts[0].personGivenName' is a list, expected a text",
    ])
    assert not providers.exists() or not list(providers.glob("*.yaml"))


def test_a_column_the_file_lacks_says_nothing_never_no(tmp_path, shared_data):
    """A sheet with a column deleted (or renamed by its publisher) leaves what that column says as the profiles have
    it, and a new profile has it as not known: read as empty cells, 43 of Herefordshire's homes lost dementia care
    ('True -> False') and 61 their residential care, and every home its coordinates."""
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"})
    providers = tmp_path / "p"
    import_cqc(src, providers, as_of=dt.date(2021, 3, 31))
    before = snapshot(providers)
    assert sum("dementia: true" in t for t in before.values()) == 43
    gone = ("Service user band - Dementia", "Service type - Care home service without nursing", "Location Latitude")
    write_rows(src, [{k: v for k, v in r.items() if k not in gone} for r in rows])
    report = import_cqc(src, providers, as_of=dt.date(2021, 3, 31))
    assert (report.changed, snapshot(providers)) == ({}, before)
    assert report.summary().splitlines()[4] == (
        "  the file has no columns 'Location Latitude', 'Service type - Care home service without nursing' and "
        "'Service user band - Dementia': what those columns say is left as each profile has it (not known in a new profile)")
    fresh = tmp_path / "new"
    import_cqc(src, fresh, as_of=dt.date(2021, 3, 31))
    aston = load(fresh / "aston-house.yaml")
    assert "dementia" not in aston["care"]["user_bands"] and "residential" not in aston["care"]
    assert "latitude" not in aston["address"] and aston["care"]["nursing"] is False
    assert aston["care"]["user_bands"]["older_people"] is True


def test_a_market_file_without_service_users_leaves_the_bands_unknown(tmp_path, shared_data):
    """CQC's market CSV: no 'Service users supported' column, or an empty cell, is not known, never every band 'no'."""
    rows = list(csv.DictReader((CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv").read_text(encoding="utf-8-sig")
                               .splitlines(keepends=True)))
    homes = [r for r in rows if "care home service" in r["Service Types"].lower()][:3]
    homes[0]["Service users supported"] = ""
    src = tmp_path / "market.csv"
    write_rows(src, homes)
    _, records, _ = read_register(src)
    assert not any(k.startswith("care.user_bands.") and v is not None for k, v in records[0].regulator.items())
    assert {v for k, v in records[1].regulator.items() if k.startswith("care.user_bands.")} == {True, False}  # a cell given
    write_rows(src, [{k: v for k, v in r.items() if k != "Service users supported"} for r in homes])
    _, records, _ = read_register(src)
    assert records.absent == ["Service users supported"]
    assert not any(k.startswith("care.user_bands.") for r in records for k in r.regulator)


def test_a_column_named_twice_is_refused(tmp_path, shared_data):
    """Read by name, a row took the last of two columns of one name: every home was imported as 'Evil Name'."""
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    header = [*rows[0], "Location Name"]
    with open(src, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([header, *([*r.values(), "Evil Name"] for r in rows)])
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value) == ("line 1: names a column more than once: 'Location Name' (columns 4 and 26), so which holds "
                              "the facts is not known; nothing was changed. Remove or rename the copies and import the "
                              "file again")
    assert not (tmp_path / "p").exists()


def test_lines_ended_by_a_carriage_return_or_a_number_too_long_to_read_are_said_plainly(tmp_path, shared_data, oldham):
    """Python's own words sent the user to its settings ('open the file in universal-newline mode',
    'use sys.set_int_max_str_digits()'); each is said as what is wrong with the file and what to do."""
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    write_rows(src, rows)
    src.write_bytes(src.read_bytes().replace(b"\r\n", b"\r").replace(b"\n", b"\r"))
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value) == ("cannot be read as CSV (its lines end with a carriage return alone, an old Mac format; save "
                              "it again as CSV with Windows or Unix line ends)")
    folder, details = oldham
    record = sorted(details.glob("*.json"))[0]
    text = record.read_text(encoding="utf-8")
    record.write_text(text.replace('"locationId"', f'"huge": {"9" * 5000}, "locationId"', 1), encoding="utf-8")
    with pytest.raises(ImportError_) as exc:
        import_cqc(folder, tmp_path / "q")
    assert f"{record}: is not valid JSON (it holds a number 5,000 digits long, which no real record does); fetch the " \
           "location again or remove the file" in str(exc.value)
    assert not (tmp_path / "p").exists() and not (tmp_path / "q").exists()


@pytest.mark.slow  # reads Oldham's saved API folder (over half a second: the fast set stays under 30 s)
def test_a_bad_date_deep_in_an_api_record_names_its_field(tmp_path, oldham):
    folder, details = oldham
    record = details / "location_1-18648277454.json"  # Avonleigh Gardens: a care home with a rating history
    doc = json.loads(record.read_text(encoding="utf-8"))
    doc["historicRatings"][0]["reportDate"] = "2020-13-01"
    record.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ImportError_) as exc:
        import_cqc(folder, tmp_path / "p")
    assert (f"{record}: field 'historicRatings.reportDate': '2020-13-01' is not a real date; correct it (YYYY-MM-DD or "
            "DD/MM/YYYY)") in str(exc.value).splitlines()[1]
