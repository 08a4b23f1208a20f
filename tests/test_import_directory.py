"""CQC's care directory CSV ("CQC care directory - with filters"), the file CQC's website offers anyone: its title and
date above the column names, service types and specialisms by CQC's short names separated by '|'. It was refused as
"not a CQC register file this tool knows", so a council starting from CQC's own download could not begin. The real
export in ../shared (an older layout: commas, the address in parts) and fictional rows in CQC's current layout."""
from __future__ import annotations

import csv
import json
import datetime as dt

import pytest
import yaml

from carehomes.pipeline import check_paths
from carehomes.sources.cqc_files import ImportError_, import_cqc, read_register
from conftest import CQC, FIXTURES, TODAY

from carehomes.load import parse_profile

OLDER = CQC / "mooperd-cqc-companies-2025-08" / "output-head.csv"
HEADER = ["Name", "Also known as", "Address", "Postcode", "Phone number", "Service's website (if available)",
          "Service types", "Date of latest check", "Specialisms/services", "Provider name", "Local authority", "Region",
          "Location URL", "CQC Location ID (for office use only)", "CQC Provider ID (for office use only)"]


def _row(name: str, lid: str, types: str, specialisms: str = "Caring for adults over 65 yrs", *,
         postcode: str = "HR2 9ZX", address: str = "1 Example Street, Exampleton", la: str = "Exampleshire") -> list[str]:
    """A fictional row (an example, not a real service) in CQC's current layout."""
    return [name, "", address, postcode, "01632 960000", f"www.{lid}.example.com", types, "09/Jan/2026 - 00:00", specialisms,
            f"{name} Ltd (example)", la, "Example Region", f"https://www.cqc.org.uk/location/{lid}", lid, "1-999999999"]


def _directory(path, rows: list[list[str]], produced: str | None = "26 August 2026", pad: bool = False):
    """CQC's file: 'CQC Locations data', a blank line, 'This data was produced on ...', a blank line, then the column
    names (``pad``: each line filled out with commas, as a spreadsheet saves them)."""
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        fill = [""] * (len(HEADER) - 1) if pad else []
        if produced is not None:
            w.writerows([["CQC Locations data", *fill], fill, [f"This data was produced on {produced}", *fill], fill])
        w.writerow(HEADER)
        w.writerows(rows)
    return path


def test_the_current_layout_with_its_title_and_date_above_the_columns(tmp_path):
    src = _directory(tmp_path / "directory.csv", [
        _row("Example Nursing Home", "1-100000001", "Nursing homes", "Dementia|Caring for adults over 65 yrs"),
        _row("Example Care At Home", "1-100000002", "Homecare agencies|Supported living", "Services for everyone"),
        _row("Example Dental Practice", "1-100000003", "Dentist", "Services for everyone"),
        _row("Example House", "1-100000004", "Residential homes|Homecare agencies", ""),
    ], pad=True)
    fmt, records, date = read_register(src)
    assert (fmt, date) == ("care directory (CSV)", dt.date(2026, 8, 26))  # the day it says it was produced
    assert records.skipped == {"Dentist": 1}
    got = {r.location_id: r for r in records}
    home, agency, both = got["1-100000001"], got["1-100000002"], got["1-100000004"]
    assert (home.kinds, agency.kinds, both.kinds) == ((), ("home_care_agency",), ("care_home", "home_care_agency"))
    assert (home.regulator["care.nursing"], home.regulator["care.residential"]) == (True, False)
    assert (both.regulator["care.nursing"], both.regulator["care.residential"]) == (False, True)
    assert home.regulator["care.user_bands.dementia"] is True and home.regulator["care.user_bands.children"] is False
    assert agency.regulator["care.user_bands.dementia"] is None  # "Services for everyone": a band not named is not known
    assert both.regulator["care.user_bands.older_people"] is None  # an empty cell says nothing
    # the address as CQC writes it, in one line: no town is made up from it; beds, ratings, coordinates: not in the file
    assert home.regulator["address.street"] == "1 Example Street, Exampleton" and "address.town" not in home.regulator
    assert not {"beds.registered", "cqc.rating", "address.latitude", "cqc.dormant"} & set(home.regulator)
    assert (home.regulator["provider.name"], home.regulator["cqc.phone"], home.regulator["cqc.website"]) == (
        "Example Nursing Home Ltd (example)", "01632 960000", "https://www.1-100000001.example.com")
    assert home.local_authority == "Exampleshire"
    # its specialisms in CQC's words, as the API gives them (not its service types: the API words those otherwise)
    assert home.regulator["cqc.specialisms"] == ["Caring for adults over 65 yrs", "Dementia"]
    assert both.regulator["cqc.specialisms"] is None and "cqc.service_types" not in home.regulator


def test_problems_are_told_by_their_line_in_the_file(tmp_path):
    """The column names are on line 5, so the first row is line 6."""
    src = _directory(tmp_path / "d.csv", [_row("Example One", "1-100000001", "Nursing homes"),
                                          _row("Example Two", "1-100000002", "Nursing homes", postcode="not a postcode")])
    with pytest.raises(ImportError_) as exc:
        read_register(src)
    assert "line 7: Postcode: 'not a postcode'" in str(exc.value)


def test_an_import_makes_profiles_that_pass_check(tmp_path):
    src = _directory(tmp_path / "d.csv", [_row("Example Nursing Home", "1-100000001", "Nursing homes", "Dementia"),
                                          _row("Example Care At Home", "1-100000002", "Homecare agencies")])
    report = import_cqc(src, tmp_path / "p")
    assert report.data_date == dt.date(2026, 8, 26) and len(report.new) == 2
    assert report.summary().splitlines()[0] == "CQC care directory (CSV) file dated 2026-08-26:"  # the day it says CQC produced it
    assert check_paths([tmp_path / "p"], on=TODAY).problems == []
    made = yaml.safe_load((tmp_path / "p" / "example-nursing-home.yaml").read_text(encoding="utf-8"))
    assert made["cqc"]["imported"] == dt.date(2026, 8, 26) and "beds" not in made
    assert ("  a care directory (CSV) file gives no registered beds, CQC ratings, map positions, registered managers or "
            "dormancy: what each profile has of them is left as it is (not known in a new profile); CQC's API gives them "
            "(import-cqc --api)") in report.summary().splitlines()


def test_without_its_title_the_file_is_dated_by_its_newest_check_or_as_of(tmp_path):
    src = _directory(tmp_path / "d.csv", [_row("Example One", "1-100000001", "Nursing homes")], produced=None)
    assert read_register(src)[2] == dt.date(2026, 1, 9)  # 'Date of latest check' 09/Jan/2026
    # a first import said "dated 2026-01-09" as if CQC had said so (the Brighton and Hove review's rows saved apart)
    assert import_cqc(src, tmp_path / "p", dry_run=True).summary().splitlines()[0] == (
        "CQC care directory (CSV) file dated 2026-01-09 (the newest date in it, as the file gives no date of its own; give "
        "--as-of YYYY-MM-DD if CQC dated it):")
    assert import_cqc(src, tmp_path / "p", dry_run=True, as_of=dt.date(2026, 2, 1)).summary().splitlines()[0] == (
        "CQC care directory (CSV) file dated 2026-02-01:")
    with open(src, encoding="utf-8") as fh:
        text = fh.read().replace("09/Jan/2026 - 00:00", "")
    src.write_text(text, encoding="utf-8")
    with pytest.raises(ImportError_) as exc:
        read_register(src)
    assert str(exc.value) == ("has no dates to tell how recent it is; is it empty? If not, give the day CQC published it "
                              "with --as-of YYYY-MM-DD")
    assert read_register(src, dt.date(2026, 11, 1))[2] == dt.date(2026, 11, 1)


def test_a_location_on_two_rows_differing_in_anything_but_specialisms_is_refused(tmp_path):
    src = _directory(tmp_path / "d.csv", [_row("Example One", "1-100000001", "Nursing homes"),
                                          _row("Example One Renamed", "1-100000001", "Nursing homes")])
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value) == "lists location 1-100000001 twice; nothing was changed"


def test_the_older_export_with_the_address_in_parts(tmp_path, shared_data):
    fmt, records, date = read_register(OLDER)
    assert (fmt, date) == ("care directory (CSV)", dt.date(2025, 8, 20))  # its newest 'Report publication date'
    assert sum(not r.kinds or "care_home" in r.kinds for r in records) == 15
    assert sum("home_care_agency" in r.kinds for r in records) == 123
    got = {r.location_id: r.regulator for r in records}
    gardens = got["1-18146816866"]  # 1, 2 and 3 St Georges Gardens, as the file has it
    assert (gardens["name"], gardens["address.street"], gardens["address.town"], gardens["address.postcode"]) == (
        "1, 2 and 3 St Georges Gardens", "St. Georges Gardens, St. Georges Avenue", "Birkenhead", "CH42 6SJ")
    assert (gardens["care.residential"], gardens["care.nursing"], gardens["care.user_bands.learning_disability_autism"],
            gardens["care.user_bands.older_people"]) == (True, False, True, False)
    # Inn Care's Bristol office is on two rows differing only in 'Learning disabilities': one location, with it
    assert [r.location_id for r in records].count("1-19666812212") == 1
    assert got["1-19666812212"]["care.user_bands.learning_disability_autism"] is True
    # this export separates them by commas, which split CQC's "Treatment of disease, disorder or injury": not kept
    with open(OLDER, encoding="utf-8-sig", newline="") as fh:
        cells = {r["CQC Location ID (for office use only)"]: r["Specialisms/services"] for r in csv.DictReader(fh)}
    assert all(("cqc.specialisms" in r.regulator) == ("," not in cells[r.location_id]) for r in records)
    import_cqc(OLDER, tmp_path / "p", "Wirral")
    assert check_paths([tmp_path / "p"], on=TODAY).problems == []


@pytest.mark.parametrize(("entries", "said"), [
    ({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<x/>"},
     "is a spreadsheet with no sheets in it; nothing was changed. Download CQC's file again"),
    ({"[Content_Types].xml": "<x/>", "xl/workbook.xml": "<x/>"},
     "is a damaged spreadsheet (it cannot be read as an Excel workbook: File contains no valid workbook part); nothing "
     "was changed. Download it again, or open it in LibreOffice Calc or Excel and save it again"),
    ({"CQC_directory.csv": "Name\n", "__MACOSX/._CQC_directory.csv": ""},
     "is a zip file: unzip it and import the CSV file inside it (CQC_directory.csv)"),
    ({"HSCA_Active_Locations.ods": "PK"}, "is a zip file: unzip it and import the spreadsheet inside it "
                                          "(HSCA_Active_Locations.ods)"),
    ({"readme.txt": "hello"}, "is a zip file with no CSV file or spreadsheet inside it; give a CQC register file: a CSV "
                              "(UTF-8), or CQC's spreadsheet (.ods or .xlsx) as it comes"),
])
def test_a_spreadsheet_or_zip_is_told_what_to_do(tmp_path, entries, said):
    """CQC publishes its HSCA active locations as .ods, and a download may come zipped: each was 'is not a text CSV
    file' (or, for a zip without a NUL in its first 4 KB, read as CSV and refused as no register). A spreadsheet is
    read (tests/test_import_sheets.py): one with nothing in it says so."""
    import zipfile

    src = tmp_path / "download"
    with zipfile.ZipFile(src, "w") as z:
        for name, text in entries.items():
            z.writestr(name, text)
    with pytest.raises(ImportError_) as exc:
        read_register(src)
    assert str(exc.value) == said


def test_a_damaged_zip_is_told_to_be_downloaded_again(tmp_path):
    src = tmp_path / "cut.ods"
    src.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
    with pytest.raises(ImportError_) as exc:
        read_register(src)
    assert str(exc.value) == "is a damaged zip file, not a CSV file; download it again"


def test_a_directory_begun_from_the_care_directory_alone_never_counts_its_unknown_beds_or_towns(tmp_path):
    """A council starting from CQC's care directory alone (no beds, no towns): the home page's counts said "Its care
    homes have 0 registered beds", the market page's chart drew every town's beds as 0 under one town called "Unknown",
    the report's providers had "0 (1 home not known)" beds, and the one town list said its services have "no town in
    their address" (their one-line address has one)."""
    from carehomes.finding import list_pages
    from carehomes.market import market_html
    from carehomes.render import stats
    from carehomes.report import providers
    from carehomes.views import HomeView

    src = _directory(tmp_path / "d.csv", [
        _row("Example Nursing Home", "1-100000001", "Nursing homes", "Dementia", postcode="HR2 9ZX"),
        _row("Example Residential Home", "1-100000002", "Residential homes", postcode="HR4 9ZX"),
        _row("Example Care At Home", "1-100000003", "Homecare agencies", postcode="HR4 9ZY"),
    ])
    import_cqc(src, tmp_path / "p")
    views = [HomeView(p.data, TODAY) for p in check_paths([tmp_path / "p"], on=TODAY).profiles]
    st = stats(views, TODAY)
    assert (st["beds_told"], st["beds_not_told"]) == (0, "2")  # the agency has no beds to give
    page = market_html(views, TODAY)
    assert "with not known registered beds" not in page and "(registered beds not known), grouped by postcode district" in page
    assert 'id="chart-beds"' not in page  # no chart of 0s standing for beds not known
    assert "<td>Unknown</td>" not in page and ">HR2<" in page and ">HR4<" in page
    assert "1 (beds not known)" in page
    (provider,) = providers(views, [])  # the rows share a provider ID: two care homes and an agency
    assert (provider.care_homes, provider.beds_not_known) == (2, 2)
    assert provider.beds_text(provider.beds, provider.beds_not_known) == "not known"
    (nowhere,) = list_pages(views, [])["towns"]
    assert nowhere.title == "Homes with no town given"


def test_a_location_on_two_rows_naming_different_specialisms_is_one_registered_for_them_all(tmp_path):
    src = _directory(tmp_path / "d.csv", [_row("Example One", "1-100000001", "Homecare agencies", "Dementia"),
                                          _row("Example One", "1-100000001", "Homecare agencies", "Dementia|Mental health conditions")])
    records = read_register(src)[1]
    assert len(records) == 1
    assert records[0].regulator["cqc.specialisms"] == ["Dementia", "Mental health conditions"]
    assert (records[0].regulator["care.user_bands.dementia"], records[0].regulator["care.user_bands.mental_health"]) == (True, True)


@pytest.mark.slow  # builds a whole site (the fast set stays under 30 s)
def test_the_home_page_promises_no_rating_or_beds_the_care_directory_did_not_give(tmp_path):
    """It said "check each one's quality rating" with no rating held, and that the beds registered come from CQC."""
    import re

    from conftest import run_build

    src = _directory(tmp_path / "d.csv", [
        _row("Example Nursing Home", "1-100000001", "Nursing homes", "Dementia", postcode="HR2 9ZX"),
        _row("Example Care At Home", "1-100000003", "Homecare agencies", postcode="HR4 9ZY")])
    import_cqc(src, tmp_path / "p")
    done = run_build("build", "--providers", str(tmp_path / "p"), "--out", str(tmp_path / "site"), "--no-search")
    assert done.returncode == 0, done.stderr
    text = " ".join(re.sub(r"<[^>]+>", " ", (tmp_path / "site" / "index.html").read_text(encoding="utf-8")).split())
    assert "Use it to find a service that can meet a person's needs ." in text.replace("needs.", "needs .")
    assert "check each one's quality rating" not in text and "registered beds" not in text
    assert "which gives no quality ratings: each service's page links its rating on CQC's website" in text
    assert "Registration and service types come from the Care Quality Commission" in text


@pytest.mark.slow  # builds a whole site (the fast set stays under 30 s)
def test_a_service_the_care_directory_gives_no_position_is_found_by_distance_at_its_postcode(tmp_path):
    """CQC's care directory gives no map positions, so a directory begun from it could find no service by distance
    ("No services within 5 miles match") and its map of results was empty. Each is placed at its postcode's position
    (OS Code-Point Open, as CQC's own positions are its postcode's); a postcode that is not live places nothing, and
    the service's own page still says its map position is not known."""
    import json

    from carehomes.sources.postcodes import postcode_position
    from conftest import run_build

    src = _directory(tmp_path / "d.csv", [
        _row("Example Nursing Home", "1-100000001", "Nursing homes", "Dementia", postcode="HR1 4SG"),
        _row("Example Care At Home", "1-100000003", "Homecare agencies", postcode="HR2 9ZX")])  # not a live postcode
    import_cqc(src, tmp_path / "p")
    done = run_build("build", "--providers", str(tmp_path / "p"), "--out", str(tmp_path / "site"))
    assert done.returncode == 0, done.stderr
    near = {d: json.loads((tmp_path / "site" / "search" / "near" / f"{d}.json").read_text(encoding="utf-8"))
            for d in ("HR1", "HR2")}
    at = postcode_position("HR1 4SG")
    assert at is not None and near["HR1"] == [[1, round(at[0], 5), round(at[1], 5)]], near  # 1: second A to Z
    assert near["HR2"] == [[0, None, None]], near
    page = (tmp_path / "site" / "homes" / "example-nursing-home" / "index.html").read_text(encoding="utf-8")
    assert "where it is on a map" in page  # its page: the position is not in the information CQC gave

@pytest.mark.parametrize(("produced", "said"), [
    ("31 February 2026", "line 3: 'This data was produced on 31 February 2026' gives no day CQC produced the file"),
    ("26 Augustus 2026", "line 3: 'This data was produced on 26 Augustus 2026' gives no day CQC produced the file"),
    ("26th August 2026", "line 3: 'This data was produced on 26th August 2026' gives no day CQC produced the file"),
    ("26 August 2999", "line 3: says it was produced on 26 August 2999, after today ("),
])
def test_a_produced_line_that_gives_no_day_before_today_is_refused_by_its_line(tmp_path, produced, said):
    """Each was taken silently: an impossible or misspelt day ('31 February', 'Augustus' read as August by its first
    three letters) dated the file by its rows' checks instead, and a day to come was refused once for every row (the
    national file's 50,000 lines), each naming the row, not the line that said it."""
    src = _directory(tmp_path / "d.csv", [_row(f"Example {n}", f"1-10000000{n}", "Nursing homes") for n in range(3)],
                     produced=produced)
    with pytest.raises(ImportError_) as exc:
        read_register(src)
    assert str(exc.value).startswith(said) and "\n" not in str(exc.value)
    assert str(exc.value).endswith("nothing was changed. Give the day with --as-of YYYY-MM-DD") or "2999" in said
    assert len(read_register(src, dt.date(2026, 8, 1))[1]) == 3  # --as-of dates it (import_cqc)


def test_two_produced_lines_giving_different_days_are_refused_and_odd_forms_of_one_are_read(tmp_path):
    src = tmp_path / "d.csv"
    rows = [HEADER, _row("Example One", "1-100000001", "Nursing homes")]
    with open(src, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["This data was produced on 26 August 2026"], ["This data was produced on 1 January 2020"], *rows])
    with pytest.raises(ImportError_) as exc:
        read_register(src)
    assert str(exc.value) == ("says it was produced on different days (line 1: 26 August 2026 and line 2: 1 January 2020); "
                              "nothing was changed. Give the day with --as-of YYYY-MM-DD")
    for line, day in ([["Produced On 1 Sept 2026"]], dt.date(2026, 9, 1)), ([["This data was produced on", "5 MAY 2026"]], dt.date(2026, 5, 5)):
        with open(src, "w", encoding="utf-8", newline="") as fh:
            csv.writer(fh).writerows([*line, *rows])
        assert read_register(src)[2] == day


def test_a_quote_left_open_in_the_title_does_not_swallow_the_file(tmp_path):
    """The title line is free text: a quote opened there and never closed made the reader take every line after it as
    one cell, so the column names were not found ('not a CQC register file this tool knows', naming the HSCA columns) or,
    in a larger file, 'cannot be read as CSV (field larger than field limit (131072))', naming no line."""
    rows = [_row(f"Example {n}", f"1-1{n:08d}", "Nursing homes") for n in range(700)]
    src = tmp_path / "d.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        fh.write('"CQC Locations data\r\n\r\nThis data was produced on 26 August 2026\r\n\r\n')
        csv.writer(fh).writerows([HEADER, *rows])
    fmt, records, date = read_register(src)
    assert (fmt, date, len(records)) == ("care directory (CSV)", dt.date(2026, 8, 26), 700)
    with open(src, "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerow(_row("Example Last", "1-200000000", "Nursing homes", postcode="not a postcode"))
    with pytest.raises(ImportError_) as exc:
        read_register(src)
    assert "line 706: Postcode: 'not a postcode'" in str(exc.value)  # lines still counted from the file's first


def test_a_column_named_twice_below_the_title_is_named_by_its_line(tmp_path):
    src = tmp_path / "d.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([["CQC Locations data"], [], ["This data was produced on 26 August 2026"], [],
                                  [*HEADER, "Postcode"], [*_row("Example One", "1-100000001", "Nursing homes"), "HR1 1AA"]])
    with pytest.raises(ImportError_) as exc:
        read_register(src)
    assert str(exc.value).startswith("line 5: names a column more than once: 'Postcode' (columns 4 and 16)")  # was 'line 1'


@pytest.mark.parametrize("pipes_first", [True, False])
def test_rows_differing_in_specialisms_one_separated_by_commas_are_one_in_either_order(tmp_path, pipes_first):
    """A row of commas lists no specialisms (its commas may split a name): with the row of '|' first the location was
    refused as 'lists location ... twice', with it second the row of '|' alone gave the location's whole list."""
    rows = [_row("Example One", "1-100000001", "Nursing homes", "Dementia|Learning disabilities"),
            _row("Example One", "1-100000001", "Nursing homes", "Dementia, Mental health conditions")]
    (rec,) = read_register(_directory(tmp_path / "d.csv", rows if pipes_first else rows[::-1]))[1]
    assert "cqc.specialisms" not in rec.regulator  # not known: the profile keeps what it has
    assert {b: rec.regulator[f"care.user_bands.{b}"] for b in ("dementia", "learning_disability_autism", "mental_health",
                                                               "older_people")} == {
        "dementia": True, "learning_disability_autism": True, "mental_health": True, "older_people": False}


def test_service_types_separated_by_both_pipes_and_commas_are_each_read(tmp_path):
    """CQC's service types' short names hold no comma: 'Nursing homes|Residential homes, Homecare agencies' was read as
    nursing only (residential: no, and no agency), and 'Nursing homes, Homecare agencies|Dentist' skipped as a dentist."""
    records = read_register(_directory(tmp_path / "d.csv", [
        _row("Example One", "1-100000001", "Nursing homes|Residential homes, Homecare agencies"),
        _row("Example Two", "1-100000002", "Nursing homes, Homecare agencies|Dentist")]))[1]
    got = {r.location_id: r for r in records}
    assert got["1-100000001"].kinds == got["1-100000002"].kinds == ("care_home", "home_care_agency")
    assert (got["1-100000001"].regulator["care.residential"], got["1-100000002"].regulator["care.residential"]) == (True, False)


def test_the_search_box_example_is_a_postcode_a_distance_search_can_place(tmp_path):
    """The find page offered the first service's postcode as the example to type ("For example dementia or HR2 9ZX"):
    in a directory begun from CQC's care directory that one may not be a live postcode, and typing it found nothing."""
    from carehomes.finding import search_example
    from carehomes.views import HomeView

    src = _directory(tmp_path / "d.csv", [
        _row("Aaa Example Home", "1-100000001", "Nursing homes", postcode="HR2 9ZX"),  # first A to Z; not live
        _row("Bbb Example Home", "1-100000002", "Residential homes", postcode="HR1 4SG")])
    import_cqc(src, tmp_path / "p")
    views = [HomeView(p.data, TODAY) for p in check_paths([tmp_path / "p"], on=TODAY).profiles]
    assert search_example(views) == ("", "HR1 4SG")


def test_a_file_of_other_columns_is_told_what_the_nearest_format_lacks(tmp_path):
    """It named the HSCA file's columns whatever the file was: a care directory with one column renamed in a
    spreadsheet was told to have 'Care home?' and 'Care homes beds'."""
    renamed = tmp_path / "renamed.csv"
    renamed.write_text("Name,Postcode,Service type,CQC Location ID (for office use only)\nX,HR1 4SG,Nursing homes,1-100\n",
                       encoding="utf-8")
    with pytest.raises(ImportError_) as exc:
        read_register(renamed)
    assert str(exc.value).endswith("It looks most like CQC's care directory CSV, which also needs the column Service types")
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ImportError_) as exc:
        read_register(other)
    assert str(exc.value).endswith("The file CQC's website offers, CQC's care directory CSV, has the columns CQC Location "
                                   "ID (for office use only), Name, Postcode and Service types (with others)")


def test_a_title_typed_above_another_formats_column_names_is_named_by_its_line(tmp_path):
    """A council officer's title line above the HSCA file's column names was told "is not a CQC register file this tool
    knows: its columns do not match ...", though the columns were all there, one line down (the Brighton and Hove
    review)."""
    from conftest import NATIONAL

    with open(NATIONAL, encoding="utf-8") as fh:
        head = [next(fh) for _ in range(3)]
    for above, said in ((["Brighton and Hove care homes\n"], "line 2: holds the column names of the HSCA care directory, "
                         "with 1 line above them; only CQC's care directory has lines above its column names, so delete "
                         "that line (nothing was changed)"),
                        (["Title\n", ",,\n"], "line 3: holds the column names of the HSCA care directory, with 2 lines "
                         "above them; only CQC's care directory has lines above its column names, so delete those lines "
                         "(nothing was changed)")):
        src = tmp_path / "titled.csv"
        src.write_text("".join(above + head), encoding="utf-8")
        with pytest.raises(ImportError_) as exc:
            read_register(src)
        assert str(exc.value) == said
    src.write_text("".join(head), encoding="utf-8")
    assert read_register(src)[0] == "HSCA care directory"


def test_a_row_without_its_council_is_named_by_its_line(tmp_path):
    """It was refused as a profile ('example-one.yaml:1: locality: is missing; add 'locality: Herefordshire''), naming
    another council and a file the user never wrote."""
    src = _directory(tmp_path / "d.csv", [_row("Example One", "1-100000001", "Nursing homes", la="")])
    with pytest.raises(ImportError_) as exc:
        read_register(src)
    assert ("line 6: Local authority: is empty, though CQC names the council of every location it registers; check this "
            "row against CQC's file") in str(exc.value)


def test_an_hsca_row_without_its_council_is_named_by_its_line_too(tmp_path, shared_data):
    from conftest import NATIONAL

    with open(NATIONAL, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        row = dict(next(reader), **{"Location Local Authority": " "})
        fields = reader.fieldnames
    src = tmp_path / "hsca.csv"
    with open(src, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fields)
        w.writeheader()
        w.writerow(row)
    with pytest.raises(ImportError_) as exc:
        read_register(src)
    assert ("line 2: Location Local Authority: is empty, though CQC names the council of every location it registers; "
            "check this row against CQC's file") in str(exc.value)


def test_a_service_whose_address_gives_no_town_is_found_by_the_words_of_its_one_line_address(tmp_path):
    """CQC's care directory gives each address on one line, kept whole as the street with no town taken from it, and
    the find page's words are a home's name, town, postcode and provider: a family typing the village found nothing.
    A home with a town is still not found by its street ("Hereford" would find every home on a Hereford Road)."""
    from carehomes.finding import towns
    from carehomes.pipeline import views_of
    from carehomes.schema import ROOT, load_schema
    from carehomes.search_index import home_words

    src = _directory(tmp_path / "d.csv", [
        _row("Example Nursing Home", "1-100000001", "Nursing homes", postcode="HR1 4SG",
             address="12 Example Lane, Kingstone-upon-Exe, Hereford")])
    import_cqc(src, tmp_path / "p")
    checked = check_paths([tmp_path / "p"], on=dt.date(2026, 9, 1))
    [view] = views_of(checked.profiles, dt.date(2026, 9, 1), load_schema(), None, None)
    found = home_words(view, towns([view]))
    assert {"kingstone", "upon", "exe", "hereford", "lane"} <= found, found
    broomy = check_paths([ROOT / "providers" / "broomy-hill-nursing-home.yaml"], on=dt.date(2026, 9, 1)).profiles[0]  # 43 Breinton Road, Hereford
    [with_town] = views_of([broomy], dt.date(2026, 9, 1), load_schema(), None, None)
    found = home_words(with_town, towns([with_town]))
    assert "hereford" in found and not {"breinton", "road"} & found, found


def test_the_other_name_cqc_records_is_kept_and_a_file_without_the_column_says_nothing(tmp_path):
    """CQC's "Also known as" (a trading or former name: "Visiting Angels" for Roxhsana Ltd) was dropped, so a search for
    the name a family knows found nothing; a file without the column leaves what a profile holds alone."""
    row = _row("Example Care At Home", "1-100000002", "Homecare agencies")
    row[1] = "  Example  Angels "
    fmt, records, _ = read_register(_directory(tmp_path / "directory.csv", [row, _row("Example Two", "1-100000005", "Homecare agencies")]))
    got = {r.location_id: r.regulator for r in records}
    assert got["1-100000002"]["cqc.also_known_as"] == "Example Angels" and got["1-100000005"]["cqc.also_known_as"] is None
    with open(tmp_path / "older.csv", "w", encoding="utf-8", newline="") as fh:  # an older export without the column
        w = csv.writer(fh)
        w.writerow([h for h in HEADER if h != "Also known as"])
        w.writerow([c for i, c in enumerate(row) if i != 1])
    [older] = list(read_register(tmp_path / "older.csv")[1])
    assert "cqc.also_known_as" not in older.regulator


def test_a_town_or_name_in_another_script_is_a_town_and_a_letter_of_its_own(tmp_path):
    """A town written in letters of another script ("北京", "Αθήνα") was made plain as nothing: its homes were listed under
    "No town given" (the address names one), and its page would have been browse/town-home/, where any two such towns
    would meet. Names in another script were listed under "0-9". Latin letters English spells out are spelt out
    ("Sæther" under S, "Straße" as "Strasse"), a curly apostrophe joins as a straight one does, and a dash between
    words is a space."""
    from carehomes.finding import _plain, letter, list_pages, town_list_key
    from carehomes.views import HomeView

    assert [_plain(t) for t in ("Ross–on–Wye", "St Mary’s", "Sæther House", "Straße", "Café Bleu")] == [
        "ross on wye", "st marys", "saether house", "strasse", "cafe bleu"]
    assert [letter(n) for n in ("Sæther House", "Øster Lodge", "北京之家", "Ελλάδα", "123 Home", "!!!")] == [
        "s", "o", "other", "other", "0-9", "0-9"]
    assert town_list_key("Ross-on-Wye") == "ross-on-wye" and town_list_key("北京") != town_list_key("Αθήνα")
    assert all(town_list_key(t).isascii() and town_list_key(t).startswith("xn-") for t in ("北京", "Αθήνα"))
    base = parse_profile((FIXTURES / "profiles" / "example-full.yaml").read_text(), "x.yaml")[0].data
    views = []
    for slug, name, town in (("bj", "北京之家", "北京"), ("at", "Αθήνα House", "Αθήνα"), ("ash", "Ashgrove", "Hereford")):
        d = json.loads(json.dumps(base, default=str))
        d.update(slug=slug, name=name, location_id=f"1-10000000{len(views)}")
        d["address"]["town"] = town
        views.append(HomeView(d, TODAY))
    pages = list_pages(views, [])
    towns = {p.label: (p.key, [v.name for v in p.homes]) for p in pages["towns"]}
    assert towns == {"Hereford": ("town-hereford", ["Ashgrove"]), "北京": (f"town-{town_list_key('北京')}", ["北京之家"]),
                     "Αθηνα": (f"town-{town_list_key('Αθήνα')}", ["Αθήνα House"])}  # its label unaccented, as "Cafe" is
    letters = [(p.key, p.label, p.title, [v.name for v in p.homes]) for p in pages["letters"]]
    assert letters == [("a", "A", "Homes beginning with A", ["Ashgrove"]),
                       ("other", "Other alphabets", "Homes beginning with a letter of another alphabet", ["Αθήνα House", "北京之家"])]


def test_a_long_name_makes_a_file_name_cut_between_words(tmp_path):
    """A new area's page address ended in the middle of a word: brighton-and-hove-city-council-wayfield-avenue-resource-cent
    (60 characters). A name is cut at the last whole word within 60 characters, or inside its one word when that alone
    is longer."""
    from carehomes.text import slugify

    assert slugify("Brighton & Hove City Council - Wayfield Avenue Resource Centre") == (
        "brighton-and-hove-city-council-wayfield-avenue-resource")
    assert slugify("123456789 " * 6 + "zz") == "-".join(["123456789"] * 6)
    assert slugify("a" * 70) == "a" * 60 and slugify("Short name") == "short-name" and slugify("!!!") == "home"
    src = _directory(tmp_path / "d.csv", [_row("Brighton & Hove City Council - Wayfield Avenue Resource Centre", "1-100000001",
                                               "Nursing homes")])
    import_cqc(src, tmp_path / "p")
    assert [p.name for p in (tmp_path / "p").glob("*.yaml")] == ["brighton-and-hove-city-council-wayfield-avenue-resource.yaml"]
    from carehomes.text import cut_slug  # a name and its town, when the name alone is taken: 80 characters, between words

    assert cut_slug("sunrise-senior-living-residential-and-nursing-care-home-kingston-upon-thames-borough", 80) == (
        "sunrise-senior-living-residential-and-nursing-care-home-kingston-upon-thames")
