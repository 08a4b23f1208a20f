"""care-homes.xlsx and care-homes.db: read back as a spreadsheet (openpyxl) and a database (sqlite3, Datasette)."""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import sqlite3
import urllib.parse

import openpyxl
import pytest
from conftest import FIXTURES

from carehomes.load import parse_profile
from carehomes.outputs.sqlite import EXAMPLE_QUERY
from carehomes.releases import Change, Entry

TRICKY = {"name": "Café Résidence", "description": "=HYPERLINK(\"x\") from £850 a week",
          "contact": {"phone": "01432000000", "manager": "-Sam"}, "provider": {"name": "@Provider", "id": "1-000000102"},
          "food_hygiene": {"fhrs_id": 501234}}


def _published(tmp_path, entries=None) -> dict:
    profiles = [parse_profile(p.read_text(encoding="utf-8"), p.name)[0] for p in sorted((FIXTURES / "profiles").glob("*.yaml"))]
    full = next(p for p in profiles if p.data["slug"] == "example-full")
    for k, v in TRICKY.items():
        full.data[k] = {**full.data[k], **v} if isinstance(v, dict) else v
    from carehomes.publish import data_files
    files = data_files(profiles, released=dt.date(2026, 11, 23), entries=entries)
    for name, data in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_bytes(data)
    return json.loads(files["datapackage.json"])


def _sheet_rows(ws) -> list[dict]:
    header = [c.value for c in ws[1]]
    return [dict(zip(header, row, strict=True)) for row in ws.iter_rows(min_row=2)]


def test_workbook_reads_back_with_text_types_and_no_formula(tmp_path):
    _published(tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "care-homes.xlsx")
    assert wb.sheetnames == ["care-homes", "home-care-agencies", "capabilities", "nhs-trusts", "Data dictionary"]
    ws = wb["care-homes"]
    assert ws.freeze_panes == "A2"
    full = next(r for r in _sheet_rows(ws) if r["slug"].value == "example-full")
    assert full["name"].value == "Café Résidence"
    assert full["phone"].value == "01432000000" and full["phone"].data_type == "s"
    assert full["description"].value.startswith("=HYPERLINK") and "£850" in full["description"].value
    assert full["description"].data_type == "s" and full["manager"].value == "-Sam" and full["provider_name"].value == "@Provider"
    assert full["location_id"].value == "1-000000101" and full["food_hygiene_fhrs_id"].value == "501234"
    assert full["beds_registered"].data_type == "n" and isinstance(full["beds_registered"].value, int)
    assert full["nursing"].value is True
    assert isinstance(full["cqc_rating_date"].value, dt.datetime) and full["cqc_rating_date"].is_date
    for sheet in wb.worksheets:  # no cell anywhere is a formula, and no text carries the CSV's apostrophe
        for row in sheet.iter_rows():
            for c in row:
                assert c.data_type != "f", (sheet.title, c.coordinate)
                assert not (isinstance(c.value, str) and c.value.startswith("'")), (sheet.title, c.coordinate)


def test_workbook_dictionary_describes_every_column(tmp_path):
    pkg = _published(tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "care-homes.xlsx")["Data dictionary"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    expected = [(r["name"], f["name"]) for r in pkg["resources"] if r.get("type") == "table" and "schema" in r
                and r["path"] in ("care-homes.csv", "home-care-agencies.csv", "capabilities.csv", "nhs-trusts.csv")
                for f in r["schema"]["fields"]]
    assert [(r[0], r[1]) for r in rows] == expected
    phone = next(r for r in rows if r[1] == "phone")
    assert phone[3] == "string" and "apostrophe" not in phone[5] and phone[5]
    assert ws.freeze_panes == "A2"


def test_workbook_and_database_are_resources_and_the_same_bytes_each_build(tmp_path):
    pkg = _published(tmp_path / "a")
    _published(tmp_path / "b")
    res = {r["path"]: r for r in pkg["resources"]}
    assert res["care-homes.xlsx"]["mediatype"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert res["care-homes.db"]["mediatype"] == "application/vnd.sqlite3"
    for name in ("care-homes.xlsx", "care-homes.db"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_database_tables_keys_and_dictionary(tmp_path):
    change = Change("rating", "1-000000101", "Café Résidence", "Good", "Outstanding", "2026-10-01")
    entries = [Entry(dt.date(2026, 11, 23), "Changes since the release of 2026-11-01", [change], unreleased=True,
                     since=dt.date(2026, 11, 1)), Entry(dt.date(2026, 11, 1), "First release: 2 homes")]
    _published(tmp_path, entries)
    db = sqlite3.connect(tmp_path / "care-homes.db")
    db.execute("pragma foreign_keys = on")
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    assert tables == {"care_homes", "home_care_agencies", "capabilities", "nhs_trusts", "releases", "changes",
                      "dictionary_tables", "dictionary_columns"}
    assert db.execute("pragma foreign_key_check").fetchall() == []
    fks = db.execute("pragma foreign_key_list(capabilities)").fetchall()
    assert [(r[2], r[3], r[4]) for r in fks] == [("care_homes", "location_id", "location_id")]
    indexes = {r[1] for r in db.execute("pragma index_list(care_homes)")}
    assert any("slug" in i for i in indexes) and any("cqc_rating" in i for i in indexes)
    name, phone, nursing, trusts = db.execute("select name, phone, nursing, acute_trusts from care_homes where slug = 'example-full'").fetchone()
    assert (name, phone, nursing) == ("Café Résidence", "01432000000", 1) and isinstance(json.loads(trusts), list)
    assert db.execute("select release, kind, after from changes").fetchall() == [(None, "rating", "Outstanding")]
    assert db.execute("select date from releases").fetchall() == [("2026-11-01",)]
    described = db.execute("select count(*) from dictionary_columns where table_name = 'care_homes'").fetchone()[0]
    assert described == len(db.execute("pragma table_info(care_homes)").fetchall())


@pytest.mark.slow
def test_datasette_opens_the_database_and_answers_the_documented_query(tmp_path):
    from datasette.app import Datasette

    _published(tmp_path)
    ds = Datasette([str(tmp_path / "care-homes.db")])

    async def ask() -> tuple[int, list]:
        await ds.invoke_startup()
        r = await ds.client.get("/care-homes.json?_shape=array&sql=" + urllib.parse.quote(EXAMPLE_QUERY))
        return r.status_code, r.json()

    status, rows = asyncio.run(ask())
    assert status == 200
    assert {"address_town": "Exampleton", "cqc_rating": "Good", "homes": 1} in rows
    assert sum(r["homes"] for r in rows) == 2
