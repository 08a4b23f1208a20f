"""care-homes.xlsx and care-homes.db: read back as a spreadsheet (openpyxl) and a database (sqlite3, Datasette)."""
from __future__ import annotations

import asyncio
import io
import datetime as dt
import json
import sqlite3
import urllib.parse
import zipfile

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


def test_the_one_column_letter_helper_names_columns_as_spreadsheets_do():
    """text.column_letter, shared by the workbook's cell references and the vacancy sheet's messages ("column D"):
    A to Z, then AA, as openpyxl (and Excel) name them."""
    from openpyxl.utils import get_column_letter

    from carehomes.text import column_letter

    assert [column_letter(n) for n in range(1, 1000)] == [get_column_letter(n) for n in range(1, 1000)]


def test_workbook_reads_back_with_text_types_and_no_formula(tmp_path):
    _published(tmp_path)
    wb = openpyxl.load_workbook(tmp_path / "care-homes.xlsx")
    assert wb.sheetnames == ["care-homes", "home-care-agencies", "capabilities", "nhs-trusts", "Data dictionary",
                             "Licence and sources"]
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


def test_the_workbook_and_the_database_carry_their_licence_and_sources(tmp_path):
    """A reuser handed only care-homes.xlsx or care-homes.db saw no licence and no attribution: the Open Government
    Licence and the CQC credit were only in datapackage.json. Each now says them, as the package names them: the FSA's
    only when the files hold a food hygiene fact (TRICKY's fhrs_id), as datapackage.json's sources."""
    pkg = _published(tmp_path)
    ws = openpyxl.load_workbook(tmp_path / "care-homes.xlsx")["Licence and sources"]
    sheet = [tuple(c.value for c in r) for r in ws.iter_rows()]
    with sqlite3.connect(tmp_path / "care-homes.db") as db:
        table = db.execute("SELECT about, details FROM licence_and_sources").fetchall()
        described = db.execute("SELECT title FROM dictionary_tables WHERE table_name = 'licence_and_sources'").fetchall()
    assert sheet[0] == ("About", "Details") and sheet[1:] == table and described == [("Licence and sources",)]
    assert table[:2] == [("Data set", f"{pkg['title']}, released 2026-11-23"),
                         ("Licence", "Open Government Licence v3.0 https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")]
    assert [a for a, _ in table[2:]] == [s["title"] for s in pkg["sources"]]
    cqc = dict(table)["Care Quality Commission: register of regulated services (CQC's register files and its API)"]
    assert cqc == ("Contains public sector information from the Care Quality Commission, licensed under the Open Government "
                   "Licence v3.0. https://www.cqc.org.uk/about-us/transparency/using-cqc-data")
    assert any(a.startswith("Food Standards Agency") for a, _ in table)
    xlsx = next(r for r in pkg["resources"] if r["path"] == "care-homes.xlsx")
    db_file = next(r for r in pkg["resources"] if r["path"] == "care-homes.db")
    assert "'Licence and sources'" in xlsx["description"] and "licence_and_sources" in db_file["description"]


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
    pkg = _published(tmp_path, entries)  # a site's (build's): its changelog too, and its description says so
    assert "releases and changes (the changelog)" in next(r["description"] for r in pkg["resources"] if r["path"] == "care-homes.db")
    db = sqlite3.connect(tmp_path / "care-homes.db")
    db.execute("pragma foreign_keys = on")
    tables = {r[0] for r in db.execute("select name from sqlite_master where type = 'table'")}
    assert tables == {"care_homes", "home_care_agencies", "capabilities", "nhs_trusts", "releases", "changes",
                      "dictionary_tables", "dictionary_columns", "licence_and_sources"}
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


def _xlsxwriter_workbook(tables, released, title) -> bytes:
    """The workbook as XlsxWriter wrote it before outputs/xlsx.py wrote its own XML: the reference."""
    import io

    import xlsxwriter

    from carehomes.outputs.typed import field_description, is_identifier
    from carehomes.outputs.xlsx import DICTIONARY_HEADER, DICTIONARY_SHEET, DICTIONARY_WIDTHS, _width

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": title, "created": dt.datetime.combine(released, dt.time())})
    bold, date_fmt = wb.add_format({"bold": True}), wb.add_format({"num_format": "yyyy-mm-dd"})
    for t in tables:
        ws = wb.add_worksheet(t.name[:31])
        for c, f in enumerate(t.fields):
            ws.write_string(0, c, f["name"], bold)
            ws.set_column(c, c, _width(f))
        for r, row in enumerate(t.rows, start=1):
            for c, (f, value) in enumerate(zip(t.fields, row, strict=True)):
                kind = f.get("type")
                if value is None:
                    continue
                if kind == "boolean":
                    ws.write_boolean(r, c, value)
                elif kind in ("integer", "number") and not is_identifier(f):
                    ws.write_number(r, c, value)
                elif kind == "date":
                    ws.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_fmt)
                elif kind == "list":
                    ws.write_string(r, c, f.get("delimiter", ";").join(str(v) for v in value))
                else:
                    ws.write_string(r, c, str(value))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(t.rows), 1), len(t.fields) - 1)
    ws = wb.add_worksheet(DICTIONARY_SHEET)
    for c, name in enumerate(DICTIONARY_HEADER):
        ws.write_string(0, c, name, bold)
    for c, width in enumerate(DICTIONARY_WIDTHS):
        ws.set_column(c, c, width)
    r = 1
    for t in tables:
        for f in t.fields:
            kind = "text" if is_identifier(f) else f.get("type", "string")
            for c, text in enumerate((t.name[:31], f["name"], f.get("title", ""), kind, f.get("owner", ""), field_description(f))):
                ws.write_string(r, c, text)
            r += 1
    ws.freeze_panes(1, 0)
    wb.close()
    return buf.getvalue()


def test_workbook_is_the_same_bytes_as_xlsxwriter_wrote(tmp_path):
    """outputs/xlsx.py writes the sheets' XML itself (several times faster): cell for cell, style for style and
    byte for byte what XlsxWriter wrote, with awkward text (markup, control characters, spaces at the ends,
    a literal _x0041_, text longer than a cell holds, an emoji across the cut) and dates before March 1900."""
    from carehomes.outputs.typed import typed_tables
    from carehomes.outputs.xlsx import workbook

    pkg = _published(tmp_path)
    files = {r["path"]: (tmp_path / r["path"]).read_bytes() for r in pkg["resources"] if r["path"].endswith(".csv")}
    tables = typed_tables(files, pkg)
    homes = tables[0]
    text = next(c for c, f in enumerate(homes.fields) if f["name"] == "description")
    day = next(c for c, f in enumerate(homes.fields) if f.get("type") == "date")
    awkward = ["<b>a & b</b>", " lead", "trail\t", "bell\x07 and _x0041_", "x" * 32766 + "😀y", "é" * 40000, ""]
    for i, value in enumerate(awkward):
        homes.rows.append([*homes.rows[0]])
        homes.rows[-1][text] = value
        homes.rows[-1][day] = dt.date(1900, 1 + i % 3, 28)
    homes.rows.append([None] * len(homes.fields))  # a row with no cell at all
    released = dt.date(2026, 11, 23)
    ours = workbook(tables, released, "Care & homes")
    theirs = _xlsxwriter_workbook(tables, released, "Care & homes")
    a, b = zipfile.ZipFile(io.BytesIO(ours)), zipfile.ZipFile(io.BytesIO(theirs))
    assert a.namelist() == b.namelist()
    for name in a.namelist():
        assert a.read(name).decode("utf-8") == b.read(name).decode("utf-8"), name
    assert ours == theirs
    ws = openpyxl.load_workbook(io.BytesIO(ours))["care-homes"]
    first = len(homes.rows) - len(awkward) + 1  # the sheet's row of the first awkward text
    assert ws.cell(first, text + 1).value == "<b>a & b</b>" and ws.cell(first + 3, text + 1).value.endswith(" and _x0041_")
    assert ws.cell(first + 4, text + 1).value == "x" * 32766  # cut at 32,767 UTF-16 units, the emoji's 2 not split


def test_workbook_text_like_a_rich_string_is_text():
    """XlsxWriter wrote a text starting <r> and ending </r> unescaped, as rich text markup (a broken file when
    it is not): ours writes it as the text it is."""
    from carehomes.outputs.typed import Table
    from carehomes.outputs.xlsx import workbook

    table = Table("t", "T", "", [{"name": "a", "type": "string"}], [["<r>a & b</r>"]], [], [])
    ws = openpyxl.load_workbook(io.BytesIO(workbook([table], dt.date(2026, 11, 23), "")))["t"]
    assert ws["A2"].value == "<r>a & b</r>" and ws["A1"].font.b and ws.auto_filter.ref == "A1:A2"
