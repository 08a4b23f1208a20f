"""The CQC importer, on slices of the real CQC files in ../shared."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import yaml

from carehomes.sources.cqc_files import ImportError_, import_cqc, locality_name, read_register
from carehomes.pipeline import check_paths
from conftest import CQC, NATIONAL, TODAY


def national_slice(tmp_path, areas: set[str], limit: int | None = None):
    """Write a CSV with the national file's header and the rows of some areas."""
    with open(NATIONAL, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = [r for r in reader if r["Location Local Authority"] in areas][:limit]
        fields = reader.fieldnames
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


def test_national_file_herefordshire(tmp_path, shared_data):
    report = import_cqc(NATIONAL, tmp_path, "Herefordshire")
    files = sorted(tmp_path.glob("*.yaml"))
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


def test_refresh_keeps_provider_fields_and_comments(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    prov = tmp_path / "providers"
    import_cqc(src, prov)
    target = sorted(prov.glob("*.yaml"))[0]
    text = target.read_text()
    text = text.replace("care:\n", "# The manager added this comment.\ncontact:\n  phone: 01432 000000  # ask for reception\ncare:\n", 1)
    text = text.replace("beds:\n", "  acute_trusts:\n  - Example Hospitals NHS Trust\nbeds:\n", 1)
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
    import_cqc(src, tmp_path / "p")
    write_rows(src, rows[1:])
    report = import_cqc(src, tmp_path / "p")
    assert len(report.missing) == 1 and len(list((tmp_path / "p").glob("*.yaml"))) == 4
    gone = next(load(f) for f in (tmp_path / "p").glob("*.yaml") if load(f)["location_id"] == rows[0]["Location ID"])
    assert gone["cqc"]["status"] == "Not in latest register"
    assert gone["cqc"]["status_date"] == report.data_date
    # importing the full list again puts it back
    write_rows(src, rows)
    report = import_cqc(src, tmp_path / "p")
    assert len(report.returned) == 1


def test_partial_file_refuses_mass_removal(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=12)
    import_cqc(src, tmp_path / "p")
    write_rows(src, rows[:2])
    before = {f.name: f.read_text() for f in (tmp_path / "p").glob("*.yaml")}
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value) == ("would flag 10 of 12 homes as no longer registered. Is this a partial file? "
                              "Nothing was changed; use --allow-mass-removal if it is right")
    assert before == {f.name: f.read_text() for f in (tmp_path / "p").glob("*.yaml")}


def test_market_file_ratings_us_dates_and_spaces(tmp_path, shared_data):
    fmt, records, date = read_register(CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv")
    assert fmt == "market" and date == dt.date(2025, 8, 26)
    assert len(records) == 495  # rows whose Service Types include a care home service
    ratings = {r.regulator["cqc.rating"] for r in records}
    assert "Requires Improvement" not in ratings and "Requires improvement" in ratings
    assert all(not r.regulator["name"].startswith(" ") for r in records)
    import_cqc(CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv", tmp_path, "Dorset")
    assert check_paths([tmp_path], on=TODAY).problems == []
    rated = [load(f) for f in tmp_path.glob("*.yaml") if "rating" in load(f).get("cqc", {})]
    assert rated and all(isinstance(d["cqc"]["rating_date"], dt.date) for d in rated)


def test_market_date_is_month_first():
    text = (CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv").read_text(encoding="utf-8-sig")
    row = next(r for r in csv.DictReader(io.StringIO(text)) if r["Publication Date"].startswith("6/26/2025"))
    fmt, records, _ = read_register(CQC / "mooperd-cqc-companies-2025-08" / "Locations-head.csv")
    rec = next((r for r in records if r.location_id == row["Location ID"]), None)
    if rec and rec.regulator["cqc.rating"]:
        assert rec.regulator["cqc.rating_date"] == dt.date(2025, 6, 26)


def test_api_csv_devon(tmp_path, shared_data):
    src = CQC / "philpearson-api-devon-2021-02" / "cqc_care_homes.csv"
    report = import_cqc(src, tmp_path, "Torbay")
    assert len(report.new) == 85
    assert check_paths([tmp_path], on=TODAY).problems == []
    homes = [load(f) for f in tmp_path.glob("*.yaml")]
    assert all(h["contact"]["phone"].startswith("0") for h in homes if "contact" in h and "phone" in h["contact"])
    assert {h["cqc"].get("rating") for h in homes} >= {"Good", "Requires improvement"}
    # day-first dates: 30/12/2010 must not be read as month 30
    assert all(isinstance(h["cqc"]["registered_since"], dt.date) for h in homes)


def test_api_json_folder_oldham(tmp_path, shared_data):
    report = import_cqc(CQC / "oldham-api-json-2025", tmp_path)
    assert len(report.new) == 87
    homes = [load(f) for f in tmp_path.glob("*.yaml")]
    assert sum(h["cqc"]["status"] == "Deregistered" for h in homes) == 43
    assert check_paths([tmp_path], on=TODAY).problems == []


@pytest.mark.parametrize("content, message", [
    ("a,b\n1,2\n", "is not a CQC register file this tool knows"),
    ("\x00\x01binary", "is not a text CSV file"),
    ('{"hello": 1}', "is JSON but not CQC API location records"),
])
def test_unrecognised_files(tmp_path, content, message):
    f = tmp_path / "x.csv"
    f.write_text(content)
    with pytest.raises(ImportError_) as exc:
        import_cqc(f, tmp_path / "p")
    assert str(exc.value).startswith(message)


def test_bad_row_is_reported_with_its_number(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    rows[1]["Location HSCA start date"] = "not a date"
    write_rows(src, rows)
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value) == "has rows that cannot be read; nothing was changed:\n  row 3: 'not a date' is not a date"
    assert not (tmp_path / "p").exists() or not list((tmp_path / "p").iterdir())


def test_rows_without_name_or_with_a_bad_id_are_refused(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, {"Herefordshire, County of"}, limit=3)
    rows[0]["Location Name"] = "   "
    rows[2]["Location ID"] = "not an id"
    write_rows(src, rows)
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, tmp_path / "p")
    assert str(exc.value) == ("has rows that cannot be read; nothing was changed:\n"
                              f"  row 2: location {rows[0]['Location ID']} has no name\n  row 4: 'not an id' is not a CQC location ID")


@pytest.mark.parametrize("text", ["name: [broken\n", "a: &a [x, x]\nb: [*a, *a]\n"])
def test_unreadable_existing_profile_stops_the_import(tmp_path, shared_data, text):
    src, _ = national_slice(tmp_path, {"Herefordshire, County of"}, limit=2)
    prov = tmp_path / "p"
    prov.mkdir()
    (prov / "bad.yaml").write_text(text)
    with pytest.raises(ImportError_) as exc:
        import_cqc(src, prov)
    assert str(exc.value) == (f"cannot refresh {prov / 'bad.yaml'}: it is not a readable profile; "
                              "run 'python3 build.py check' and fix it first")
    assert [f.name for f in prov.iterdir()] == ["bad.yaml"]


def test_unknown_local_authority_suggests(tmp_path, shared_data):
    with pytest.raises(ImportError_) as exc:
        import_cqc(NATIONAL, tmp_path, "Herefordshir")
    assert str(exc.value) == "has no care homes in local authority 'Herefordshir'; did you mean 'Herefordshire, County of'?"


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
    names = sorted(f.stem for f in (tmp_path / "p").glob("*.yaml"))
    assert names[0] == "same-name" and names[1].startswith("same-name-")
    assert check_paths([tmp_path / "p"], on=TODAY).problems == []
