"""The CQC importer, on slices of the real CQC files in ../shared."""
from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import os

import pytest
import yaml

from carehomes.sources.cqc_files import ImportError_, import_cqc, locality_name, read_register
from carehomes.pipeline import check_paths
from conftest import CQC, NATIONAL, TODAY
from helpers import ctrl_c_on_first_write


@functools.lru_cache(maxsize=1)
def _national() -> tuple[list[str], tuple[tuple[str, ...], ...]]:
    """The national file's header and rows, read once a process (15,000 rows: 50 ms, and two dozen slices)."""
    with open(NATIONAL, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        return next(reader), tuple(tuple(row) for row in reader if row)  # DictReader skips blank lines too


def national_slice(tmp_path, areas: set[str], limit: int | None = None):
    """Write a CSV with the national file's header and the rows of some areas (new dicts each time: a test may
    change its rows)."""
    fields, table = _national()
    where = fields.index("Location Local Authority")
    rows = [dict(zip(fields, row, strict=True)) for row in table if row[where] in areas][:limit]
    out = tmp_path / "slice.csv"
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fields)
        w.writeheader()
        w.writerows(rows)
    return out, rows


def write_rows(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)


def load(path):
    return yaml.safe_load(path.read_text())


@pytest.mark.slow  # reads the whole national register
def test_national_file_herefordshire(tmp_path, shared_data):
    report = import_cqc(NATIONAL, tmp_path, "Herefordshire")
    files = sorted(tmp_path.glob("[!_]*.yaml"))
    assert len(report.new) == len(files) == 88
    assert report.data_date == dt.date(2021, 3, 31)
    assert sum(load(f)["beds"]["registered"] for f in files) == 2150
    checked = check_paths([tmp_path], on=TODAY)
    assert checked.problems == []
    aston = load(tmp_path / "aston-house.yaml")
    assert aston["location_id"] == "1-10048660596"
    assert aston["address"] == {"street": "45 Hampton Park Road", "town": "Hereford", "postcode": "HR1 1TJ",
                                "latitude": 52.049615, "longitude": -2.687262}
    assert aston["care"]["user_bands"]["younger_adults"] is True
    assert aston["care"]["user_bands"]["dementia"] is False
    assert aston["locality"] == "Herefordshire"
    # nothing the register does not give is invented
    assert "cqc" in aston and "rating" not in aston["cqc"] and "contact" not in aston and "fees" not in aston


def test_a_register_file_whose_name_is_not_utf8_is_named_in_each_profile_it_makes(tmp_path, shared_data):
    """A file name with a byte that is not UTF-8 ("café" in Latin-1, as a Windows share or a zip leaves it) went into
    each new profile's header as it was, which no file can hold: a traceback (the hostile review). The byte is written
    as \\xe9, and the profile checks."""
    src, _ = national_slice(tmp_path, {"Herefordshire, County of"}, limit=2)
    named = tmp_path / os.fsdecode(b"register-caf\xe9.csv")
    src.rename(named)
    prov = tmp_path / "providers"
    import_cqc(named, prov)
    made = sorted(prov.glob("[!_]*.yaml"))
    assert len(made) == 2
    assert all("file register-caf\\xe9.csv, dated 2021-02-12" in f.read_text(encoding="utf-8").splitlines()[1] for f in made)
    assert check_paths([prov], on=TODAY).problems == []


def test_refresh_keeps_provider_fields_and_comments(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    prov = tmp_path / "providers"
    import_cqc(src, prov)
    target = sorted(prov.glob("[!_]*.yaml"))[0]
    text = target.read_text()
    text = text.replace("care:\n", "# The manager added this comment.\ncontact:\n  phone: 01432 000000  # ask for reception\ncare:\n", 1)
    text = text.replace("beds:\n", "  acute_trusts:\n  - RLQ\nbeds:\n", 1)
    text += "fees:\n  residential_from: 900\n  date: 2026-01-01\n"
    target.write_text(text)
    # the register changes: more beds, new name
    row = next(r for r in rows if r["Location ID"] == load(target)["location_id"])
    row["Care homes beds"] = str(int(row["Care homes beds"]) + 5)
    row["Location Name"] = "  Renamed   Home  "
    write_rows(src, rows)
    report = import_cqc(src, prov)
    assert report.new == [] and report.unchanged == 2
    assert list(report.changed.values()) == [["name", "beds.registered"]]
    after = target.read_text()
    assert "# The manager added this comment." in after and "# ask for reception" in after
    data = load(target)
    assert data["name"] == "Renamed Home"
    assert data["contact"]["phone"] == "01432 000000" and data["fees"]["residential_from"] == 900
    assert check_paths([prov], on=TODAY).problems == []
    from carehomes.editing import format_text
    assert format_text(after) == after, "a refreshed profile stays in the standard format"


def test_home_missing_from_register_is_flagged_not_deleted(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=4)
    first = import_cqc(src, tmp_path / "p")
    # an earlier import (of a file that names managers) kept CQC's registered manager
    path = next(f for f in (tmp_path / "p").glob("[!_]*.yaml") if load(f)["location_id"] == rows[0]["Location ID"])
    path.write_text(path.read_text().replace("\ncqc:\n", "\ncqc:\n  registered_managers:\n  - Mrs Jo Example\n", 1))
    assert load(path)["cqc"]["registered_managers"] == ["Mrs Jo Example"]
    write_rows(src, rows[1:])  # the same file with a row less: same date, however the rows' dates fall
    report = import_cqc(src, tmp_path / "p", as_of=first.data_date)
    assert len(report.missing) == 1 and len(list((tmp_path / "p").glob("[!_]*.yaml"))) == 4
    gone = next(load(f) for f in (tmp_path / "p").glob("[!_]*.yaml") if load(f)["location_id"] == rows[0]["Location ID"])
    assert gone["cqc"]["status"] == "Not in latest register"
    assert gone["cqc"]["status_date"] == report.data_date
    assert "registered_managers" not in gone["cqc"], "CQC no longer lists it: its manager's name is not kept as CQC's"
    # importing the full list again puts it back
    write_rows(src, rows)
    report = import_cqc(src, tmp_path / "p", as_of=first.data_date)
    assert len(report.returned) == 1


def test_partial_file_refuses_mass_removal(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=12)
    assert "address or postcode" not in import_cqc(src, tmp_path / "p").summary()  # a file with addresses
    write_rows(src, rows[:2])
    before = {f.name: f.read_text() for f in (tmp_path / "p").glob("[!_]*.yaml")}
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value) == ("would flag 10 of 12 homes as no longer registered. Is this a partial file? "
                              "Nothing was changed; use --allow-mass-removal if it is right")
    assert before == {f.name: f.read_text() for f in (tmp_path / "p").glob("[!_]*.yaml")}


def test_market_file_ratings_us_dates_and_spaces(tmp_path, shared_data):
    fmt, records, date = read_register(CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv")
    assert fmt == "market" and date == dt.date(2025, 8, 26)
    assert len(records) == 945  # rows whose Service Types include a care home service or home care
    assert sum(not r.kinds or "care_home" in r.kinds for r in records) == 495  # a care home service
    assert sum("home_care_agency" in r.kinds for r in records) == 457  # 'Domiciliary care service' (7 are both)
    ratings = {r.regulator["cqc.rating"] for r in records}
    assert "Requires Improvement" not in ratings and "Requires improvement" in ratings
    assert all(not r.regulator["name"].startswith(" ") for r in records)
    report = import_cqc(CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv", tmp_path, "Dorset")
    assert check_paths([tmp_path], on=TODAY).problems == []
    # the file has no address columns: the officer is told what that means for the site
    assert ("  the file gives no service's address or postcode: a new profile has none, so its page shows no address "
            "and searching by distance or by town cannot find it until one is added (CQC's care directory file and its "
            "API records give them)") in report.summary().splitlines()
    rated = [load(f) for f in tmp_path.glob("[!_]*.yaml") if "rating" in load(f).get("cqc", {})]
    # this file's 'Publication Date' is each location's HSCA start date: no rating is dated by it
    assert rated and not any("rating_date" in d["cqc"] for d in rated)


def test_market_file_dormant_column(tmp_path, shared_data):
    """CQC's market file says in 'Dormant' (Y or N) which locations are registered but providing no care at the moment
    (52 of its 999 rows): it was not read, so a dormant home was shown as an ordinary one. An empty cell says nothing,
    and a file without the column leaves a profile's dormancy as it is."""
    src = CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv"
    rows = list(csv.DictReader(io.StringIO(src.read_text(encoding="utf-8-sig"))))
    _, records, _ = read_register(src)
    by_id = {r["Location ID"]: r["Dormant"] for r in rows}
    assert {r.regulator["cqc.dormant"] for r in records} == {True, False}
    assert all(r.regulator["cqc.dormant"] is (by_id[r.location_id] == "Y") for r in records)
    dormant = next(r for r in rows if r["Dormant"] == "Y" and r["Service Types"].startswith("Care home service"))
    dormant["Dormant"] = "maybe"
    ordinary = next(r for r in rows if r["Dormant"] == "N" and r["Service Types"].startswith("Care home service"))
    blank = dict(next(r for r in rows if r["Dormant"] == "N" and r is not ordinary
                      and r["Service Types"].startswith("Care home service")), Dormant="")
    write_rows(tmp_path / "m.csv", [ordinary, blank])
    _, got, _ = read_register(tmp_path / "m.csv")
    assert [r.regulator["cqc.dormant"] for r in got] == [False, None]
    write_rows(tmp_path / "bad.csv", [dormant])
    with pytest.raises(ImportError_) as exc:
        read_register(tmp_path / "bad.csv")
    assert ("Dormant: 'maybe' is not Y or N; write Y when CQC records the location as dormant, N when not, or leave it "
            "empty when not known") in str(exc.value)
    without = [{k: v for k, v in r.items() if k != "Dormant"} for r in (ordinary,)]
    write_rows(tmp_path / "without.csv", without)
    _, got, _ = read_register(tmp_path / "without.csv")
    assert "cqc.dormant" not in got[0].regulator


def test_market_date_is_month_first(tmp_path):
    """A day above 12 in the second place proves the file is month/day/year (1/17/2023 is 17 January)."""
    src = CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv"
    rows = list(csv.DictReader(io.StringIO(src.read_text(encoding="utf-8-sig"))))
    row = next(r for r in rows if r["Location ID"] == "1-143332621")
    assert row["Publication Date"].startswith("1/17/2011") and row["Location Latest Overall Rating"] == "Good"
    row["Publication Date"] = "1/17/2023 12:00:00 AM"  # as a file dating its ratings has it
    write_rows(tmp_path / "market.csv", [row])
    _, records, _ = read_register(tmp_path / "market.csv")
    assert records[0].regulator["cqc.rating"] == "Good"
    assert records[0].regulator["cqc.rating_date"] == dt.date(2023, 1, 17)


def test_market_file_whose_publication_date_is_the_start_date_dates_no_rating(tmp_path, shared_data):
    """The 2025 market file has each location's HSCA start date as its 'Publication Date' (all 999 rows): Essex's
    Abberton Manor Nursing Home, registered 10 January 2011, was imported as rated Good on 10 January 2011 (before
    CQC gave ratings), every page said its rating was 15 years old and the market page counted 13 of Essex's 14 homes'
    ratings as over 2 years old. Its rating is now undated, and the key questions' ratings the file gives are kept."""
    src = CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv"
    rows = [r for r in csv.DictReader(io.StringIO(src.read_text(encoding="utf-8-sig")))
            if r["Location Local Authority"] == "Essex"]
    assert all(r["Publication Date"].split()[0] == "{1}/{2}/{0}".format(*map(int, r["Location HSCA start date"].split("-")))
               for r in rows)
    write_rows(tmp_path / "essex.csv", rows)
    import_cqc(tmp_path / "essex.csv", tmp_path / "p", "Essex")
    assert check_paths([tmp_path / "p"], on=TODAY).problems == []
    home = load(tmp_path / "p" / "abberton-manor-nursing-home.yaml")["cqc"]
    assert home["rating"] == "Good" and "rating_date" not in home and isinstance(home["imported"], dt.date)
    assert [home[f"rating_{k}"] for k in ("safe", "effective", "caring", "responsive", "well_led")] == ["Good"] * 5
    profiles = {d["location_id"]: d for d in map(load, (tmp_path / "p").glob("[!_]*.yaml"))}
    for row in rows:  # every profile's key question ratings are its row's
        d = profiles[row["Location ID"]]
        for key, column in (("safe", "safe"), ("effective", "effective"), ("caring", "caring"),
                            ("responsive", "responsive"), ("well_led", "well-led")):
            assert d["cqc"].get(f"rating_{key}") == (row[f"Location {column} rating"].capitalize() or None)


@pytest.mark.slow  # imports a whole county
def test_api_csv_devon(tmp_path, shared_data):
    src = CQC / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv"
    report = import_cqc(src, tmp_path, "Torbay")
    assert len(report.new) == 85
    assert check_paths([tmp_path], on=TODAY).problems == []
    homes = [load(f) for f in tmp_path.glob("[!_]*.yaml")]
    assert all(h["contact"]["phone"].startswith("0") for h in homes if "contact" in h and "phone" in h["contact"])
    assert {h["cqc"].get("rating") for h in homes} >= {"Good", "Requires improvement"}
    # day-first dates: 30/12/2010 must not be read as month 30
    assert all(isinstance(h["cqc"]["registered_since"], dt.date) for h in homes)


def test_a_phone_or_website_cqc_gives_that_cannot_be_read_is_said_in_the_report(tmp_path, shared_data):
    """Devon's Apple Tree House has the phone '12787958491' in CQC's API (a figure too many once its 0 is put back): it
    was left out without a word, so its page said CQC holds no phone. It is still left out (never guessed), and the
    report names it and what to do; a website that is no web address likewise."""
    with open(CQC / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv", encoding="utf-8-sig", newline="") as f:
        reader = csv.DictReader(f)
        rows = [r for r in reader if r["locationId"] in ("1-9642538222", "1-1029276107")]  # Apple Tree House, Clearbury
        fields = reader.fieldnames
    assert len(rows) == 2
    for r in rows:
        if r["name"] == "Clearbury":
            r["website"] = "javascript:alert(1)"
    out = io.StringIO()
    writer = csv.DictWriter(out, fields)
    writer.writeheader()
    writer.writerows(rows)
    (tmp_path / "two.csv").write_text(out.getvalue(), encoding="utf-8")
    report = import_cqc(tmp_path / "two.csv", tmp_path / "p")
    assert report.unread == ["Clearbury: its website 'javascript:alert(1)' is not a web address",  # by location ID
                             "Apple Tree House: its phone '12787958491' is not a UK phone number as written"]
    assert ("  2 facts CQC gives could not be read, so they are left out (not known on the pages): check with CQC, or ask "
            "the service\n    Clearbury: its website") in report.summary()
    apple = load(next((tmp_path / "p").glob("apple-tree-house*.yaml")))
    assert "phone" not in apple["cqc"]


@pytest.mark.slow  # imports Oldham's whole register (222 services)
def test_api_json_folder_oldham(tmp_path, shared_data):
    report = import_cqc(CQC / "oldham-api-json-2025", tmp_path)
    # 44 registered care homes (2 also agencies) and 60 agencies only; every closed service is counted, not imported
    assert (len(report.new), len(report.closed)) == (104, 115), "a service closed before it was ever listed gets no profile"
    homes = [load(f) for f in tmp_path.glob("[!_]*.yaml")]
    assert all(h["cqc"]["status"] == "Registered" for h in homes)
    assert check_paths([tmp_path], on=TODAY).problems == []


@pytest.mark.parametrize("content, message", [
    ("a,b\n1,2\n", "is not a CQC register file this tool knows"),
    ("\x00\x01binary", "is not a text CSV file"),
    ('{"hello": 1}', "is JSON but not CQC API location records"),
    ("", "is empty: it has no column names and no rows; export the CQC sheet as CSV again"),
    ("\n \n", "is empty: it has no column names and no rows; export the CQC sheet as CSV again"),
    ("\n\nLocation ID,Location Name\n1-1,A\n", "line 1: is blank, where the column names must be; remove the blank lines "
     "above them (nothing was changed)"),
])
def test_unrecognised_files(tmp_path, content, message):
    f = tmp_path / "x.csv"
    f.write_text(content)
    with pytest.raises(ImportError_) as exc:
        import_cqc(f, tmp_path / "p")
    assert str(exc.value).startswith(message)


def test_a_pipe_or_an_endless_line_is_refused_without_reading_it(tmp_path, shared_data, monkeypatch):
    """A pipe was opened and waited on for ever; a line was read whole however long (a 200 MB one took 450 MB of
    memory), so a line longer than any CQC file's is refused as it is read."""
    from carehomes.sources import cqc_files

    pipe = tmp_path / "pipe.csv"
    os.mkfifo(pipe)
    with pytest.raises(ImportError_) as exc:
        import_cqc(pipe, tmp_path / "p", dry_run=True)
    assert str(exc.value) == "is not a regular file (a device or pipe); give a CQC register file, e.g. a CSV saved from CQC"
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    rows[1]["Location Name"] = "A" * 3000
    write_rows(src, rows)
    monkeypatch.setattr(cqc_files, "MAX_LINE_BYTES", 2048)  # a real line is under 1 KB, this one over 3 KB
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", dry_run=True)
    assert str(exc.value) == ("line 3: is longer than 2,048 bytes, which no CQC register's line is; nothing was changed. "
                              "Is this a CQC register file saved as CSV?")


def test_bad_row_is_reported_with_its_number(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    rows[1]["Location HSCA start date"] = "not a date"
    write_rows(src, rows)
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value) == ("has rows that cannot be read; nothing was changed (a row that cannot be read is never "
                              "taken as a home that left the register):\n  line 3: Location HSCA start date: 'not a date' is not a date; "
                              "write it as YYYY-MM-DD or DD/MM/YYYY")
    assert not (tmp_path / "p").exists() or not list((tmp_path / "p").iterdir())


def test_rows_without_name_or_with_a_bad_id_are_refused(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    rows[0]["Location Name"] = "   "
    rows[2]["Location ID"] = "not an id"
    write_rows(src, rows)
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value) == ("has rows that cannot be read; nothing was changed (a row that cannot be read is never "
                              "taken as a home that left the register):\n"
                              f"  line 2: location {rows[0]['Location ID']} has no name\n  line 4: 'not an id' is not a CQC location ID")


@pytest.mark.parametrize("text, problem", [
    ("name: [broken\n", "bad.yaml:2:1: yaml: did not find expected ',' or ']'; compare this line with providers/_template.yaml"),
    ("a: &a [x, x]\nb: [*a, *a]\n", "bad.yaml:1:4: yaml: anchors and aliases (& and *) are not used in profiles; remove '&a'"),
    ("name:\tTab House\n", "bad.yaml:1:6: yaml: there is a tab after 'name:'; use spaces, not tabs"),
])
def test_unreadable_existing_profile_stops_the_import(tmp_path, shared_data, text, problem, monkeypatch):
    src, _ = national_slice(tmp_path, {"Herefordshire, County of"}, limit=2)
    prov = tmp_path / "p"
    prov.mkdir()
    (prov / "bad.yaml").write_text(text)
    monkeypatch.chdir(prov)  # messages name files as check does: relative to the working folder
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, prov)
    assert str(exc.value) == (f"cannot refresh {prov / 'bad.yaml'}: it is not a readable profile; fix it first "
                              f"(nothing was changed):\n  {problem}")
    assert [f.name for f in prov.iterdir()] == ["bad.yaml"]


@pytest.mark.slow  # reads the whole national register
def test_unknown_local_authority_suggests(tmp_path, shared_data):
    with pytest.raises(ImportError_) as exc:
        import_cqc(NATIONAL, tmp_path, "Herefordshir")
    assert str(exc.value) == "has no care homes in local authority 'Herefordshir'; did you mean 'Herefordshire, County of'?"
    # a county the file names only by its districts: not "did you mean 'Mid Sussex'", another county's council
    with pytest.raises(ImportError_) as exc:
        import_cqc(NATIONAL, tmp_path, "East Sussex")
    assert str(exc.value) == (
        "has no care homes in local authority 'East Sussex'; the nearest name in the file, 'Mid Sussex', is another "
        "council's; a county in a file of district councils is not named in it (the national 2021 file names East "
        "Sussex's homes by its districts: Eastbourne, Hastings, Lewes, Rother and Wealden): import each district with its "
        "own --local-authority, as the file's local authority column names them")


def test_locality_names():
    assert locality_name("Herefordshire, County of") == "Herefordshire"
    assert locality_name("Bristol, City of") == "Bristol"
    assert locality_name("Torbay") == "Torbay"


def test_slug_collisions_get_town_then_id(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=2)
    for r in rows:
        r["Location Name"] = "Same Name"
    rows[1]["Location City"] = rows[0]["Location City"]
    write_rows(src, rows)
    import_cqc(src, tmp_path / "p")
    names = sorted(f.stem for f in (tmp_path / "p").glob("[!_]*.yaml"))
    assert names[0] == "same-name" and names[1].startswith("same-name-")
    assert check_paths([tmp_path / "p"], on=TODAY).problems == []


# --- imports are transactions with guards (issue 9, requirement 3) ------------------------------

def test_values_the_schema_forbids_are_the_source_files_problem(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    rows[1]["Care homes beds"] = "5000"
    rows[2]["Location Latitude"] = "5.2"
    write_rows(src, rows)
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value) == (
        "has values the schema does not allow; nothing was changed. Check the file with its publisher:\n"
        f"  line 3: location {rows[1]['Location ID']}: beds.registered: is 5000, above the highest allowed value 1000\n"
        f"  line 4: location {rows[2]['Location ID']}: address.latitude: is 5.2, below the lowest allowed value 49.8")
    assert not list((tmp_path / "p").glob("[!_]*.yaml"))


def test_refresh_that_breaks_a_rule_writes_nothing(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    import_cqc(src, tmp_path / "p")
    before = {f.name: f.read_text() for f in (tmp_path / "p").glob("[!_]*.yaml")}
    rows[0]["Care homes beds"] = "1001"
    rows[1]["Location Name"] = "Renamed House"  # a good change in the same file is not written either
    write_rows(src, rows)
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert f"  line 2: location {rows[0]['Location ID']}: beds.registered: is 1001, above the highest allowed value 1000" in str(exc.value)
    assert before == {f.name: f.read_text() for f in (tmp_path / "p").glob("[!_]*.yaml")}


def test_older_file_is_refused_unless_allowed(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    first = import_cqc(src, tmp_path / "p")  # dated with the newest date in the slice
    name = sorted(f.name for f in (tmp_path / "p").glob("[!_]*.yaml"))[-1]
    before = {f.name: f.read_text() for f in (tmp_path / "p").glob("[!_]*.yaml")}
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", as_of=dt.date(2021, 1, 31))
    assert str(exc.value) == (f"is dated 2021-01-31, older than the CQC facts already imported ({first.data_date}, in "
                              f"{name}); nothing was changed. Use --allow-older if you mean to go back to this file")
    write_rows(src, [min(rows, key=lambda r: r["Location HSCA start date"])])  # without --as-of, the date is the
    # newest date in the file, here older than the slice's: say how to give the real one
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value).endswith("Use --allow-older if you mean to go back to this file. The file's date was taken "
                                   "from the newest date in it; if the file is newer, give its date with --as-of YYYY-MM-DD")
    write_rows(src, rows)
    assert before == {f.name: f.read_text() for f in (tmp_path / "p").glob("[!_]*.yaml")}
    import_cqc(src, tmp_path / "p", as_of=dt.date(2021, 1, 31), allow_older=True)
    assert all(load(f)["cqc"]["imported"] == dt.date(2021, 1, 31) for f in (tmp_path / "p").glob("[!_]*.yaml"))


def test_an_older_file_is_refused_for_the_profiles_it_refreshes_whatever_their_locality(tmp_path, shared_data):
    """Devon's API file (dated 2021-01-19) with --local-authority Devon, over profiles imported from the 2021-03-31
    national file as 'East Devon' and 'Exeter', replaced all their CQC facts with the older ones: only profiles of
    the locality given were checked, while the file's records are applied by location ID."""
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    first = import_cqc(src, tmp_path / "p", "Herefordshire")  # their locality: Herefordshire
    name = sorted(f.name for f in (tmp_path / "p").glob("[!_]*.yaml"))[-1]
    before = {f.name: f.read_text() for f in (tmp_path / "p").glob("[!_]*.yaml")}
    for row in rows:  # the same locations, as a file naming the council another way names them
        row["Location Local Authority"] = "Shropshire"
    write_rows(src, rows)
    older = first.data_date - dt.timedelta(days=60)
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", "Shropshire", as_of=older)
    assert str(exc.value) == (f"is dated {older.isoformat()}, older than the CQC facts already imported "
                              f"({first.data_date.isoformat()}, in {name}); nothing was changed. Use --allow-older if "
                              "you mean to go back to this file")
    assert before == {f.name: f.read_text() for f in (tmp_path / "p").glob("[!_]*.yaml")}
    import_cqc(src, tmp_path / "p", "Shropshire", as_of=older, allow_older=True)
    assert all(load(f)["cqc"]["imported"] == older for f in (tmp_path / "p").glob("[!_]*.yaml"))


@pytest.mark.slow  # reads the national register four times
def test_mass_removal_limit_is_5_homes_or_10_percent_and_configurable(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=20)
    day = import_cqc(src, tmp_path / "p").data_date
    write_rows(src, rows[6:])  # 6 of 20 gone: more than 5 and more than 10%
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", as_of=day)
    assert str(exc.value).startswith("would flag 6 of 20 homes as no longer registered.")
    report = import_cqc(src, tmp_path / "p", dry_run=True, as_of=day, max_removals=6)
    assert len(report.missing) == 6
    report = import_cqc(src, tmp_path / "p", dry_run=True, as_of=day, max_removals=0, max_removal_share=0.3)
    assert len(report.missing) == 6
    write_rows(src, rows[5:])  # 5 gone: allowed
    assert len(import_cqc(src, tmp_path / "p", as_of=day).missing) == 5


def test_cli_guards(tmp_path, shared_data):
    from conftest import run_build

    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    run = lambda *a: run_build("import-cqc", str(src), "--providers", str(tmp_path / "p"), *a)
    assert run().returncode == 0
    older = run("--as-of", "2021-02-01")
    assert older.returncode == 1 and "older than the CQC facts already imported" in older.stderr
    assert run("--as-of", "2021-02-01", "--allow-older").returncode == 0
    bad = run("--max-removal-percent", "150")
    assert bad.returncode == 2
    assert bad.stderr.strip().endswith("--max-removals must be 0 or more and --max-removal-percent between 0 and 100")


def test_an_unbalanced_quote_is_reported_and_flags_no_home(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=8)
    day = import_cqc(src, tmp_path / "p").data_date
    before = {f.name: f.read_text() for f in (tmp_path / "p").glob("[!_]*.yaml")}
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    name = rows[2]["Location Name"]
    assert f",{name}," in lines[3]
    lines[3] = lines[3].replace(f",{name},", f',"{name},', 1)  # the quote swallows every line after it
    src.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", as_of=day)
    assert str(exc.value) == ("has rows that cannot be read; nothing was changed (a row that cannot be read is never "
                              "taken as a home that left the register):\n"
                              "  line 4: cannot be read as CSV (',' expected after '\"'); is a quote (\") not closed?")
    assert before == {f.name: f.read_text() for f in (tmp_path / "p").glob("[!_]*.yaml")}
    # at the end of the file, with no quote after it: the same, never 'the homes after it left'
    lines = lines[:3] + [lines[3].replace('"', "")[:-1] + ',"\n'] + lines[4:]
    src.write_text("".join(lines[:4]), encoding="utf-8")
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", as_of=day)
    assert str(exc.value).endswith("\n  line 4: cannot be read as CSV (unexpected end of data); is a quote (\") not closed?")
    assert before == {f.name: f.read_text() for f in (tmp_path / "p").glob("[!_]*.yaml")}


def test_a_latin1_byte_is_refused_with_its_line_and_byte(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    raw = src.read_bytes()
    name = rows[1]["Location Name"].encode()
    src.write_bytes(raw.replace(name, b"Caf\xe9 " + name, 1))  # one byte from a Windows 'ANSI' export
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    column = raw.split(b"\n")[2].index(name) + 4
    assert str(exc.value) == (f"line 3: byte {column} (0xE9) is not UTF-8 text; nothing was changed. "
                              "Save the file as 'CSV UTF-8' and import it again")
    assert not list((tmp_path / "p").glob("[!_]*.yaml"))


@pytest.mark.slow  # reads the whole national register file (15,403 homes)
def test_csv_files_are_streamed_not_read_whole(tmp_path, shared_data, monkeypatch):
    from pathlib import Path

    def whole(*_a, **_k):
        raise AssertionError("read whole")
    monkeypatch.setattr(Path, "read_bytes", whole)
    monkeypatch.setattr(Path, "read_text", whole)
    fmt, records, date = read_register(NATIONAL)
    assert fmt == "HSCA care directory" and date == dt.date(2021, 3, 31) and len(records) > 10000
    assert records[0].line == "line 2"


def test_a_row_with_extra_fields_is_reported_with_its_line(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    lines = src.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].rstrip("\r\n") + ",stray\r\n"
    src.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value).endswith("\n  line 3: has 26 fields, the header has 25")
    assert not list((tmp_path / "p").glob("[!_]*.yaml"))


def test_a_problem_the_profile_already_had_does_not_stop_the_import(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    prov = tmp_path / "providers"
    day = import_cqc(src, prov).data_date
    target = sorted(prov.glob("[!_]*.yaml"))[0]
    target.write_text(target.read_text() + "fees:\n  residential_from: 900\n")  # no fees.date: check reports it
    assert [p.field for p in check_paths([prov], on=TODAY).problems if p.severity == "error"] == ["fees"]
    row = next(r for r in rows if r["Location ID"] == load(target)["location_id"])
    row["Care homes beds"] = str(int(row["Care homes beds"]) + 1)
    write_rows(src, rows)
    report = import_cqc(src, prov, as_of=day)
    assert list(report.changed.values()) == [["beds.registered"]]  # left for check (and the home) to fix


def test_a_cqc_rating_older_than_the_profiles_is_refused_unless_allowed(tmp_path):
    from carehomes.apply import OlderSourceError, Record, apply_records
    from conftest import ROOT

    prov = tmp_path / "providers"
    prov.mkdir()
    p = prov / "aston-house.yaml"
    p.write_text((ROOT / "providers" / "aston-house.yaml").read_text().replace(
        "  imported: 2021-03-31\n", "  imported: 2021-03-31\n  rating: Good\n  rating_date: 2024-01-10\n"))
    before = p.read_text()
    rec = Record("1-10048660596", "Herefordshire", {"name": "Aston House", "cqc.rating": "Inadequate",
                                                    "cqc.rating_date": dt.date(2019, 5, 1)})
    args = dict(fmt="sync", data_date=dt.date(2024, 6, 1), source="https://api.example", register_ids={rec.location_id})
    with pytest.raises(OlderSourceError) as exc:
        apply_records([rec], prov, **args)
    assert str(exc.value) == (
        "has CQC ratings older than those the profiles hold for 1 home; nothing was changed (use --allow-older if the "
        "older file is really wanted):\n  location 1-10048660596 (Aston House), aston-house.yaml: the profile has Good "
        "dated 2024-01-10, the file has Inadequate dated 2019-05-01")
    assert p.read_text() == before
    report = apply_records([rec], prov, allow_older=True, **args)
    assert "  older rating applied (--allow-older): location 1-10048660596 (Aston House), aston-house.yaml: the profile " \
           "has Good dated 2024-01-10, the file has Inadequate dated 2019-05-01" in report.summary().splitlines()
    assert load(p)["cqc"]["rating"] == "Inadequate"
    apply_records([rec], prov, **args)  # the same date again is not older


def test_ctrl_c_while_an_import_writes_waits_for_every_profile(tmp_path, shared_data, monkeypatch, capsys):
    """Ctrl+C at 9 s of a national import left 89 of its 15,403 profiles written: now the batch ends whole."""
    import signal

    from carehomes import apply
    from carehomes.cli import main

    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=20)
    written = ctrl_c_on_first_write(monkeypatch, apply)  # Ctrl+C as the first profile is written
    before = signal.getsignal(signal.SIGINT)
    assert main(["import-cqc", str(src), "--providers", str(tmp_path / "p")]) == 130
    # said with what it had done: the whole import (it said "Interrupted." alone, as if nothing had been written)
    assert capsys.readouterr().err.endswith("Interrupted. The import had written all 20 profiles it changes before it "
                                            "stopped; run it again to see its report (it finds nothing more to change).\n")
    assert len(written) == len(rows) == len(list((tmp_path / "p").glob("[!_]*.yaml"))) == 20
    assert signal.getsignal(signal.SIGINT) is before  # Ctrl+C works as before afterwards (main put its handler back)


def test_ctrl_c_as_an_import_puts_its_files_in_place_says_they_all_are(tmp_path, shared_data, monkeypatch, capsys):
    """A Ctrl+C while the written files are put in place (write_set's own held block, within the import's) said only
    "Interrupted." though the import was whole (hostile-input review): the inner block leaves it to the import's."""
    import signal

    from carehomes import fsutil
    from carehomes.cli import main

    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=20)
    real, placed = fsutil.os.replace, []

    def replace(a, b):
        if not placed:
            os.kill(os.getpid(), signal.SIGINT)
        placed.append(b)
        real(a, b)

    monkeypatch.setattr(fsutil.os, "replace", replace)
    assert main(["import-cqc", str(src), "--providers", str(tmp_path / "p")]) == 130
    assert capsys.readouterr().err.endswith("Interrupted. The import had written all 20 profiles it changes before it "
                                            "stopped; run it again to see its report (it finds nothing more to change).\n")
    assert len(placed) == len(list((tmp_path / "p").glob("[!_]*.yaml"))) == 20


def test_sigterm_while_an_import_writes_waits_for_every_profile(tmp_path, shared_data, monkeypatch):
    """SIGTERM (a CI job cancelled, a container stopped) ended an import part way through its batch; now it is
    held as Ctrl+C is, and acted on, as it was sent, once every profile is written."""
    import signal

    from carehomes import apply

    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=20)
    written = ctrl_c_on_first_write(monkeypatch, apply, signal.SIGTERM)
    seen: list[int] = []  # how many profiles were written when SIGTERM was acted on
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: seen.append(len(written)))
    try:
        import_cqc(src, tmp_path / "p")
    finally:
        signal.signal(signal.SIGTERM, previous)
    assert seen == [20] and len(list((tmp_path / "p").glob("[!_]*.yaml"))) == 20


def test_one_value_set_at_two_places_of_a_profile_is_written_twice_never_as_an_alias():
    """A refresh may set two fields to the very same object (an assessment's date is its rating's date and its
    report's): the profile gets the value twice, never an anchor and alias, which check refuses."""
    import datetime as dt

    from carehomes.yamlio import rt_dump, rt_parse, rt_set

    doc = rt_parse("name: x\ncqc:\n  rating: Good\n", "t")
    day = dt.date(2024, 8, 8)
    rt_set(doc, ("cqc", "rating_date"), day)
    rt_set(doc, ("cqc", "report_date"), day)
    assert rt_dump(doc) == "name: x\ncqc:\n  rating: Good\n  rating_date: 2024-08-08\n  report_date: 2024-08-08\n"


def test_a_county_in_a_file_of_districts_names_every_district_called_after_it(tmp_path, shared_data):
    """The national HSCA file names district councils: a new Devon steward's --local-authority Devon was answered
    "did you mean 'Mid Devon'?", one of Devon's districts, as if it were the county."""
    src, _ = national_slice(tmp_path, {"East Devon", "Mid Devon", "North Devon", "West Devon", "Exeter"}, limit=400)
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", "Devon", dry_run=True)
    assert str(exc.value) == (
        "has no care homes in local authority 'Devon'; the local authorities with that name in theirs are 'East Devon', "
        "'Mid Devon', 'North Devon' and 'West Devon' (a county's other districts have names of their own); import each "
        "into the same folder with its own --local-authority")
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", "Exter", dry_run=True)
    assert str(exc.value) == "has no care homes in local authority 'Exter'; did you mean 'Exeter'?"


@pytest.mark.slow  # reads the whole national register
def test_a_councils_full_name_or_an_unknown_one_is_answered_with_the_files_own_names(tmp_path, shared_data):
    """The Devon API file (Devon, Plymouth, Somerset and Torbay): a new Devon data officer's --local-authority
    "Devon County Council" was answered only "the file has 4 areas", though docs/areas.md says import-cqc names them."""
    src = CQC / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv"
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", "Devon County Council", dry_run=True)
    assert str(exc.value) == "has no care homes in local authority 'Devon County Council'; did you mean 'Devon'?"
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", "Cornwall", dry_run=True)
    assert str(exc.value) == ("has no care homes in local authority 'Cornwall'; the file's local authorities are 'Devon', "
                              "'Plymouth', 'Somerset' and 'Torbay'")
    assert not (tmp_path / "p").exists()


def test_the_summary_counts_a_profile_whose_only_change_is_the_registers_date_apart_from_unchanged(tmp_path, shared_data):
    """A later register with the same facts said "0 updated, 85 unchanged" while it rewrote cqc.imported in all 85:
    git showed 88 files changed. Each one written is counted as written; only a profile left as it was is unchanged."""
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=4)
    prov = tmp_path / "providers"
    day = import_cqc(src, prov).data_date
    later = day + dt.timedelta(days=30)

    def texts() -> dict[str, str]:
        return {f.name: f.read_text() for f in prov.glob("[!_]*.yaml")}

    first = texts()
    gone = next(n for n, t in first.items() if f"location_id: {rows[0]['Location ID']}\n" in t)
    write_rows(src, rows[1:])  # one no longer on the register; the other three as they were
    dry = import_cqc(src, prov, as_of=later, dry_run=True).summary().splitlines()
    assert dry[2:4] == ["  0 would be updated, 3 with only the register's date would be changed (cqc.imported), 0 unchanged",
                        "  1 no longer on the register (would be flagged, not deleted)"]
    assert texts() == first
    lines = import_cqc(src, prov, as_of=later).summary().splitlines()
    assert lines[2:4] == ["  0 updated, 3 with only the register's date changed (cqc.imported), 0 unchanged",
                          "  1 no longer on the register (flagged, not deleted)"]
    after = texts()
    written = sorted(n for n in after if after[n] != first[n])
    assert len(written) == 4 and gone in written  # 3 dated by the register, 1 flagged: as the summary says
    assert all(load(prov / n)["cqc"]["imported"] == later for n in written if n != gone)
    again = import_cqc(src, prov, as_of=later).summary().splitlines()
    assert again[2] == "  0 updated, 3 unchanged" and texts() == after  # nothing written: unchanged


def test_a_file_of_a_header_alone_says_it_names_no_local_authority(tmp_path, shared_data):
    """A register file cut to its header, imported for a council, said "the file's local authorities are " and nothing
    after it (hostile-input review)."""
    src = tmp_path / "header.csv"
    with NATIONAL.open(encoding="utf-8-sig", newline="") as f:
        src.write_text(f.readline(), encoding="utf-8")
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p", "Herefordshire", dry_run=True, as_of=dt.date(2021, 3, 31))
    assert str(exc.value) == ("has no care homes in local authority 'Herefordshire'; the file names no local authority at "
                              "all: is it only a header, or cut short? Give the whole file")


@pytest.mark.slow  # reads the whole national register
def test_an_unchanged_profile_is_known_current_without_its_round_trip_parse(tmp_path, shared_data, monkeypatch):
    """Importing the same register again round-trip parsed every profile to find nothing to change (nationally 47 s for
    15,403). A profile is now found current from its data as check reads it (apply._current), and only one whose facts
    differ is parsed to be edited: the decision is the same as the round-trip's for every Oldham service, and for each
    with one fact of CQC's changed."""
    from carehomes import apply
    from carehomes.schema import load_schema

    import_cqc(CQC / "oldham-api-json-2025", tmp_path)
    schema = load_schema()
    fmt, records, data_date = read_register(CQC / "oldham-api-json-2025")
    existing = apply._existing(tmp_path)
    held = [apply._of_its_kinds(r, schema) for r in records if r.location_id in existing]
    assert len(held) == 104
    for rec in held:
        path, data = existing[rec.location_id]
        assert apply._current(data, rec, data_date, schema) and apply._refresh(path, rec, data_date, schema)[0] is None
        name = rec.regulator["name"]
        rec.regulator["name"] = name + " Ltd"
        assert not apply._current(data, rec, data_date, schema) and apply._refresh(path, rec, data_date, schema)[0] is not None
        rec.regulator["name"] = name
    assert not apply._current(data, held[-1], data_date + dt.timedelta(days=1), schema)  # a newer register: its date
    parsed = []
    monkeypatch.setattr(apply, "rt_load", lambda p, real=apply.rt_load: parsed.append(p) or real(p))
    report = import_cqc(CQC / "oldham-api-json-2025", tmp_path)
    assert (report.unchanged, parsed) == (104, [])


@pytest.mark.slow  # reads the whole national register
def test_a_council_import_counts_only_its_own_locations_not_imported(tmp_path, shared_data):
    """Imported with --local-authority Essex, the 2025 market file's report said '54 not imported' (39 supported
    living services...): the whole file's, every council's, though all 33 of Essex's services were imported."""
    src = CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv"
    essex = import_cqc(src, tmp_path / "essex", "Essex")
    assert len(essex.new) == 33 and essex.skipped == {} and "not imported" not in essex.summary()
    birmingham = import_cqc(src, tmp_path / "birmingham", "Birmingham")  # 29 rows: 2 supported living only
    assert len(birmingham.new) == 27 and birmingham.skipped == {"Supported living service": 2}
    assert import_cqc(src, tmp_path / "all", dry_run=True).skipped["Supported living service"] == 39  # no council named


def test_cqc_lowering_a_homes_beds_below_its_own_figure_is_imported_and_warned_of(tmp_path, shared_data):
    """From the code review: when the rule that a home has no more beds of a type than CQC registers was an error, CQC
    lowering a home's registered beds below the home's own figure refused the whole import ("would leave profiles that
    do not pass check"), asking for the very import it refused. CQC's facts go in; check warns the steward."""
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    prov = tmp_path / "providers"
    import_cqc(src, prov)
    target = sorted(prov.glob("[!_]*.yaml"))[0]
    data = load(target)
    registered = data["beds"]["registered"]
    nursing = bool(data["care"].get("nursing"))
    kind = "nursing" if nursing else "residential"
    target.write_text(target.read_text().replace("beds:\n", f"beds:\n  {kind}:\n    total: {registered}\n", 1))
    assert check_paths([prov], on=TODAY).problems == []
    row = next(r for r in rows if r["Location ID"] == data["location_id"])
    row["Care homes beds"] = str(registered - 5)
    write_rows(src, rows)
    report = import_cqc(src, prov)
    assert list(report.changed.values()) == [["beds.registered"]]
    [warned] = check_paths([prov], on=TODAY).problems
    assert warned.severity == "warning" and warned.message.startswith(
        f"is {registered} but beds.registered is {registered - 5}; a home cannot have more beds than CQC registers it for")
