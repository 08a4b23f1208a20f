"""import-cqc reads CQC's spreadsheets as they come (.ods, .xlsx): the sheet of locations, each cell as it shows."""
from __future__ import annotations

import datetime as dt
import os
import re
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from carehomes.sources.cqc_files import ImportError_, import_cqc, read_register
from carehomes.text import column_letter
from test_importer import national_slice

HEREFORDSHIRE = {"Herefordshire, County of"}
SHEET = "HSCA_Active_Locations"
NAME = "HSCA_Active_Locations"  # the file's name, the same for the CSV and the sheet (new profiles' headers name it)
DATES = {"Location HSCA start date"}
NUMBERS = {"Care homes beds", "Location Latitude", "Location Longitude"}
README = [["Health and Social Care Act (HSCA) active locations"], [],
          ["This file lists every location registered under the HSCA.  Notes:", "see the next sheet"],
          ["Data as at 31 March 2021"]]


class Date:
    """A date cell: its value, shown as CQC shows it (dd/mm/yyyy)."""

    def __init__(self, iso: str) -> None:
        self.iso = iso
        self.shown = dt.date.fromisoformat(iso).strftime("%d/%m/%Y")


class Number:
    """A number cell (a float in the sheet), shown as written, or as its format shows it (``shown``)."""

    def __init__(self, text: str, shown: str | None = None) -> None:
        self.text = text
        self.shown = text if shown is None else shown


class Failed:
    """A formula's error cell (#N/A, #DIV/0!) as LibreOffice writes it in an .ods, and an .xlsx holds it."""

    def __init__(self, shown: str, formula: str) -> None:
        self.shown, self.formula = shown, formula


# --- a small OpenDocument writer, as LibreOffice writes its files ---------------------------------------------------

NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
      'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
      'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
      'xmlns:dc="http://purl.org/dc/elements/1.1/" '
      'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')
MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
            'xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type='
            '"application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" '
            'manifest:media-type="text/xml"/>{}</manifest:manifest>')


def _paragraphs(text: str) -> str:
    """A string cell's text as LibreOffice writes it: a paragraph a line, a space after a space as text:s."""
    out = []
    for line in text.split("\n"):
        words = escape(line).split(" ")
        para, spaces = words[0], 0
        for word in words[1:]:
            if word:
                para += (" " if spaces == 0 else f" <text:s text:c=\"{spaces}\"/>" if spaces > 1 else " <text:s/>") + word
                spaces = 0
            else:
                spaces += 1
        out.append(f"<text:p>{para}</text:p>")
    return "".join(out)


def _cell(value: object) -> str:
    if isinstance(value, Failed):
        return (f'<table:table-cell table:formula="of:={escape(value.formula)}" office:value-type="string" '
                f'office:string-value="" calcext:value-type="error"><text:p>{escape(value.shown)}</text:p>'
                "</table:table-cell>")
    if isinstance(value, Date):
        return (f'<table:table-cell office:value-type="date" office:date-value="{value.iso}T00:00:00" '
                f'calcext:value-type="date"><text:p>{value.shown}</text:p></table:table-cell>')
    if isinstance(value, Number):
        return (f'<table:table-cell office:value-type="float" office:value="{value.text}" calcext:value-type="float">'
                f"<text:p>{escape(value.shown)}</text:p></table:table-cell>")
    if isinstance(value, tuple):  # (text, the cell's comment)
        return (f'<table:table-cell office:value-type="string"><office:annotation><dc:date>2021-03-31T00:00:00'
                f"</dc:date><text:p>{escape(value[1])}</text:p></office:annotation>{_paragraphs(value[0])}"
                "</table:table-cell>")
    return f'<table:table-cell office:value-type="string" calcext:value-type="string">{_paragraphs(str(value))}</table:table-cell>'


def _row(cells: list, repeat: int = 1) -> str:
    out, blank = [], 0
    for value in cells:
        if value in ("", None):
            blank += 1
            continue
        if blank:
            out.append(f'<table:table-cell table:number-columns-repeated="{blank}"/>' if blank > 1 else "<table:table-cell/>")
            blank = 0
        out.append(_cell(value))
    out.append(f'<table:table-cell table:number-columns-repeated="{16384 - len(cells) + blank}"/>')  # to the last column
    repeated = f' table:number-rows-repeated="{repeat}"' if repeat > 1 else ""
    return f'<table:table-row table:style-name="ro1"{repeated}>{"".join(out)}</table:table-row>'


def write_ods(path: Path, sheets: list[tuple[str, list[list]]], *, tail: str | None = None, manifest_extra: str = "") -> Path:
    """An .ods of ``sheets`` (name, rows), each ending as LibreOffice ends a sheet: 1,048,000 blank rows in one."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")  # first, stored
        z.writestr("content.xml", _content(sheets, tail), zipfile.ZIP_DEFLATED)
        z.writestr("META-INF/manifest.xml", MANIFEST.format(manifest_extra), zipfile.ZIP_DEFLATED)
    return path


def write_fods(path: Path, sheets: list[tuple[str, list[list]]]) -> Path:
    """The same sheets as LibreOffice's flat XML spreadsheet (.fods): the content.xml of an .ods, not zipped, its root
    office:document naming the media type."""
    content = _content(sheets).replace("<office:document-content ", "<office:document office:mimetype="
                                       '"application/vnd.oasis.opendocument.spreadsheet" ', 1)
    path.write_text(content.replace("</office:document-content>", "</office:document>"), encoding="utf-8")
    return path


def _content(sheets: list[tuple[str, list[list]]], tail: str | None = None) -> str:
    tables = []
    for name, rows in sheets:
        body = "".join(_row(r) for r in rows)
        end = tail if tail is not None else '<table:table-row table:number-rows-repeated="1048000"><table:table-cell ' \
                                             'table:number-columns-repeated="16384"/></table:table-row>'
        tables.append(f'<table:table table:name={quoteattr(name)}><table:table-column table:number-columns-repeated='
                      f'"16384"/>{body}{end}</table:table>')
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {NS} office:version="1.3"><office:body>'
            f'<office:spreadsheet>{"".join(tables)}<table:named-expressions/></office:spreadsheet></office:body>'
            "</office:document-content>")


def _typed(fields: list[str], rows: list[dict], breaks: bool = True) -> list[list]:
    """The header and rows as cells: dates and numbers as CQC's sheet types them; a street with a line break in it (a
    cell of two lines: read as one line of text, as the CSV's is) and a name with a comment on it."""
    out: list[list] = [list(fields)]
    for n, row in enumerate(rows):
        cells: list = []
        for f in fields:
            value = row[f]
            if value and f in DATES:
                value = Date(value)
            elif value and f in NUMBERS and value.replace(".", "", 1).lstrip("-").isdigit():  # 'sixteen': a text cell
                value = Number(value)
            elif breaks and f == "Location Street Address" and n % 7 == 1 and " " in value:
                value = value.replace(" ", "\n", 1)
            elif f == "Location Name" and n == 2:
                value = (value, "Checked by the council, 2021")
            cells.append(value)
        out.append(cells)
    return out


def _same_profiles(a: Path, b: Path) -> int:
    ours = {p.name: p.read_bytes() for p in a.glob("*.yaml")}
    assert ours and ours == {p.name: p.read_bytes() for p in b.glob("*.yaml")}
    return len(ours)


def _csv_of_slice(tmp_path: Path) -> tuple[Path, list[str], list[dict]]:
    src, rows = national_slice(tmp_path, HEREFORDSHIRE)
    fields = list(rows[0])
    named = tmp_path / "csv" / NAME
    named.parent.mkdir()
    src.rename(named)
    return named, fields, rows


def _xlsx(path: Path, sheets: list[tuple[str, list[list]]]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                           "strings_to_urls": False})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    for name, rows in sheets:
        ws = book.add_worksheet(name)
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                if isinstance(value, Date):
                    ws.write_datetime(r, c, dt.datetime.fromisoformat(value.iso), day)
                elif isinstance(value, Number):
                    number = float(value.text)
                    if value.text == "45":  # a formula: its cached value is read, as the sheet shows it
                        ws.write_formula(r, c, "=40+5", None, 45)
                    else:
                        ws.write_number(r, c, int(number) if number.is_integer() else number)
                elif isinstance(value, tuple):
                    ws.write_string(r, c, value[0])
                    ws.write_comment(r, c, value[1])
                elif value not in ("", None):
                    ws.write_string(r, c, str(value))
    book.close()
    return path


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_a_spreadsheet_as_cqc_publishes_it_imports_as_its_sheet_saved_as_csv_does(tmp_path, shared_data, kind):
    """CQC's national file is an .ods: a front sheet of notes, then the sheet of locations, with LibreOffice's
    million blank rows and 16,000 blank cells at its ends. It was refused ("save its sheet of locations as CSV"). Older
    CQC downloads are .xlsx (VirtUK's input: 01_March_21_HSCA_active_locations.xlsx): real date cells shown
    dd/mm/yyyy, beds as numbers (one a formula), coordinates as decimals."""
    csv_file, fields, rows = _csv_of_slice(tmp_path)
    book = tmp_path / kind / NAME
    book.parent.mkdir()
    (write_ods if kind == "ods" else _xlsx)(book, [("README", README), (SHEET, _typed(fields, rows))])
    from_csv = import_cqc(csv_file, tmp_path / "from-csv")
    from_sheet = import_cqc(book, tmp_path / "from-sheet")
    assert _same_profiles(tmp_path / "from-csv", tmp_path / "from-sheet") == len(rows) == 88
    assert from_sheet.summary() == from_csv.summary()
    assert read_register(book)[0] == "HSCA care directory"


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_a_cell_that_cannot_be_read_is_named_by_its_sheet_and_row(tmp_path, shared_data, kind):
    """A CSV's message names its line; a sheet's names the sheet and the row the spreadsheet shows (a cell with a line
    break above it does not shift it), never the CSV it was written as."""
    src, rows = national_slice(tmp_path, HEREFORDSHIRE, limit=12)
    rows[9]["Care homes beds"] = "sixteen"
    rows[10]["Location Postal Code"] = "HR1 ZZZZ"
    typed = _typed(list(rows[0]), rows)
    assert any("\n" in str(c) for r in typed[:10] for c in r)  # rows above it take two lines in the CSV
    path = tmp_path / f"cqc.{kind}"
    notes = [[f"note {n}"] for n in range(3)]
    (write_ods if kind == "ods" else _xlsx)(path, [("Notes", notes), ("Locations 2021", [[], *typed])])
    with pytest.raises(ImportError_) as exc:
        import_cqc(path, tmp_path / "p")
    said = str(exc.value)
    assert said.startswith("has rows that cannot be read; nothing was changed")
    assert said.splitlines()[1:] == [
        "  sheet 'Locations 2021', row 12: Care homes beds: 'sixteen' is not a whole number 0 or more; correct it, or "
        "leave it empty if not known",
        "  sheet 'Locations 2021', row 13: Location Postal Code: 'HR1 ZZZZ' is not a UK postcode; correct it, or leave "
        "it empty if not known"]
    assert "line" not in said and "csv" not in said.lower() and not (tmp_path / "p").exists()


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_a_workbook_with_no_sheet_of_locations_names_its_sheets_and_what_the_nearest_lacks(tmp_path, shared_data, kind):
    src, rows = national_slice(tmp_path, HEREFORDSHIRE, limit=3)
    typed = _typed(list(rows[0]), rows, breaks=False)
    typed[0] = ["Beds" if f == "Care homes beds" else f for f in typed[0]]  # a column renamed by hand
    path = tmp_path / f"cqc.{kind}"
    (write_ods if kind == "ods" else _xlsx)(path, [("README", README), ("Sheet2", [["Title"], [], *typed])])
    with pytest.raises(ImportError_) as exc:
        read_register(path)
    assert str(exc.value) == (
        "has no sheet of CQC locations this tool knows: its sheets are 'README' and 'Sheet2', and none names the columns "
        "of the HSCA care directory, CQC's care directory CSV, CQC's market locations CSV or CQC API location records in "
        "its first 15 rows; nothing was changed. The nearest is sheet 'Sheet2', row 3: It looks most like the HSCA care "
        "directory, which also needs the column Care homes beds")


def test_a_care_directory_sheet_below_its_title_is_dated_by_it(tmp_path):
    """CQC's care directory as a sheet (a council's copy of the CSV): its title and 'produced on' day above its columns
    date the import, as the CSV's do; its rows are read below them."""
    header = ["Name", "Also known as", "Address", "Postcode", "Phone number", "Service's website (if available)",
              "Service types", "Date of latest check", "Specialisms/services", "Provider name", "Local authority",
              "Region", "Location URL", "CQC Location ID (for office use only)", "CQC Provider ID (for office use only)"]
    row = ["Example Nursing Home", "", "1 Example Road, Hereford", "HR2 9ZX", "01432 000000", "", "Nursing homes",
           "", "Dementia|Older people", "Example Care Ltd", "Herefordshire", "West Midlands", "", "1-100000001", "1-200"]
    path = write_ods(tmp_path / "directory.ods", [("CQC care directory", [
        ["CQC care directory - with filters"], [], ["This data was produced on", "19 August 2026"], [], header, row])])
    fmt, records, date = read_register(path)
    assert (fmt, date, [r.location_id for r in records]) == ("care directory (CSV)", dt.date(2026, 8, 19), ["1-100000001"])
    assert records[0].line == "sheet 'CQC care directory', row 6"


def _bomb(path: Path, content: bytes) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content, zipfile.ZIP_DEFLATED)
    return path


# Not a speed target (those are bench figures): a repeat or a bomb read as if expanded would take hours, so a read
# that ends well within this has not expanded it.
HANG = 30.0


def _quick(path: Path) -> str:
    started = time.perf_counter()
    with pytest.raises(ImportError_) as exc:
        read_register(path)
    assert time.perf_counter() - started < HANG, "read as if expanded"
    return str(exc.value)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(tmp_path):
    said = _quick(_bomb(tmp_path / "bomb.ods", b" " * 30_000_000))  # 30 MB packed into 30 KB
    assert said.startswith("holds a part (content.xml) that would unpack to 30,000,000 bytes from ")
    assert said.endswith(", more than any spreadsheet of CQC's (over 2 GB, or packed more than 200 times smaller); it "
                         "was not unpacked, and nothing was changed. Download the file again from CQC")
    # an entry that says it holds 3 GB (its sizes rewritten: zipfile would unpack no more than it says)
    raw = bytearray(_bomb(tmp_path / "big.ods", b"<x/>" * 1000).read_bytes())
    central = raw.rfind(b"PK\x01\x02")
    assert raw[central + 46:central + 57] == b"content.xml"
    raw[central + 24:central + 28] = (3 * 1024 ** 3).to_bytes(4, "little")
    (tmp_path / "big.ods").write_bytes(raw)
    assert _quick(tmp_path / "big.ods").startswith("holds a part (content.xml) that would unpack to 3,221,225,472 bytes")


@pytest.mark.parametrize(("tail", "said"), [
    ('<table:table-row table:number-rows-repeated="2000000"><table:table-cell><text:p>1-1</text:p></table:table-cell>'
     "</table:table-row>",
     "sheet 'S', row 2000001: has something in a row below row 1,048,576, the last a spreadsheet has; nothing was "
     "changed. Is this CQC's file as CQC published it?"),
    ('<table:table-row><table:table-cell table:number-columns-repeated="999999999999"><text:p>Y</text:p>'
     "</table:table-cell></table:table-row>",
     "sheet 'S', row 2: has something in a column after column 16,384, the last a spreadsheet has; nothing was "
     "changed. Is this CQC's file as CQC published it?"),
    ('<table:table-row table:number-rows-repeated="1000"><table:table-cell table:number-columns-repeated="16000">'
     "<text:p>" + "Y" * 100 + "</text:p></table:table-cell></table:table-row>",
     "sheet 'S', row 2: the sheet holds more than 1,073,741,824 characters, which no sheet of CQC's does; nothing was "
     "changed. Is this CQC's file as CQC published it?"),
    ("<table:table-row><table:table-cell><text:p>" + "<text:s text:c=\"999999\"/>" * 40 + "</text:p></table:table-cell>"
     "</table:table-row>",
     "sheet 'S', row 2, column 1: a cell holds more than 32,767 characters, which no cell of CQC's does; nothing was "
     "changed"),
], ids=["rows", "columns", "characters", "cell"])
def test_a_huge_repeat_is_refused_at_once_never_expanded(tmp_path, tail, said):
    header = [["Location ID", "Care home?", "Location Name", "Location Local Authority", "Care homes beds",
               "Location Postal Code", "Service type - Care home service with nursing"]]
    path = write_ods(tmp_path / "repeat.ods", [("S", header)], tail=tail)
    assert _quick(path) == said


def test_blank_rows_and_cells_repeated_billions_of_times_cost_nothing(tmp_path):
    header = ["Location ID", "Care home?", "Location Name", "Location Local Authority", "Care homes beds",
              "Location Postal Code", "Service type - Care home service with nursing", "Location HSCA start date"]
    row = ["1-101", "Y", "Example House", "Herefordshire", Number("16"), "HR1 1TJ", "Y", Date("2020-01-02")]
    tail = ('<table:table-row table:number-rows-repeated="99999999999"><table:table-cell '
            'table:number-columns-repeated="99999999999"/></table:table-row>')
    started = time.perf_counter()
    fmt, records, date = read_register(write_ods(tmp_path / "blank.ods", [("S", [header, [], row])], tail=tail))
    assert time.perf_counter() - started < HANG, "read as if expanded"
    assert [(r.line, r.regulator["beds.registered"]) for r in records] == [("sheet 'S', row 3", 16)]
    assert date == dt.date(2020, 1, 2)


@pytest.mark.parametrize(("make", "said"), [
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600),
     "is an Excel 97-2003 workbook (.xls) or a workbook saved with a password, which this tool does not read: open it "
     "in LibreOffice Calc or Excel (removing any password), save it as .ods, .xlsx or 'CSV UTF-8', and import that "
     "file; nothing was changed"),
    (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + "EncryptedPackage".encode("utf-16-le")),
     "is a workbook saved with a password, which this tool cannot read: open it in LibreOffice Calc or Excel, save it "
     "again without a password, and import that file; nothing was changed"),
    (lambda p: write_ods(p, [("S", [["x"]])], manifest_extra='<manifest:file-entry manifest:full-path="content.xml">'
                                                             "<manifest:encryption-data/></manifest:file-entry>"),
     "is a spreadsheet saved with a password, which this tool cannot read: open it in LibreOffice Calc or Excel, save "
     "it again without a password, and import that file; nothing was changed"),
    (lambda p: _bomb(p, b"<office:document-content><table:table"),
     "is a damaged spreadsheet (its content.xml cannot be read: line 1, unbound prefix); nothing was changed. Download "
     "it again, or open it in LibreOffice Calc or Excel and save it again"),
    (lambda p: _bomb(p, b'<!DOCTYPE x [<!ENTITY a "aaaaaaaa">]><x>&a;</x>'),
     "its content.xml declares a DTD or entities, which no spreadsheet's does; it was not read, and nothing was "
     "changed. Download the file again from CQC"),
    (lambda p: _bomb(p, f"<office:document-content {NS}><office:body><office:spreadsheet/></office:body>"
                        "</office:document-content>".encode()),
     "is a spreadsheet with no sheets in it; nothing was changed. Download CQC's file again"),
], ids=["xls", "encrypted-xlsx", "encrypted-ods", "bad-xml", "entities", "no-sheets"])
def test_a_workbook_that_cannot_be_read_says_what_to_do(tmp_path, make, said):
    path = tmp_path / "file"
    make(path)
    assert _quick(path) == said


def test_a_spreadsheet_damaged_inside_says_to_download_it_again(tmp_path, shared_data):
    src, rows = national_slice(tmp_path, HEREFORDSHIRE, limit=40)
    raw = bytearray(write_ods(tmp_path / "cut.ods", [(SHEET, _typed(list(rows[0]), rows))]).read_bytes())
    middle = raw.find(b"content.xml") + 2000
    raw[middle:middle + 64] = bytes(64)  # a download cut and patched
    (tmp_path / "cut.ods").write_bytes(raw)
    said = _quick(tmp_path / "cut.ods")
    assert said.startswith("is a damaged spreadsheet (its content.xml cannot ")
    assert said.endswith("); nothing was changed. Download it again, or open it in LibreOffice Calc or Excel and save "
                         "it again")


def test_the_command_refuses_a_bad_sheet_in_one_message_without_a_traceback(tmp_path, shared_data, capsys):
    from carehomes.cli import main

    src, rows = national_slice(tmp_path, HEREFORDSHIRE, limit=5)
    rows[3]["Care homes beds"] = "sixteen"
    path = write_ods(tmp_path / "HSCA_Active_Locations.ods", [("README", README), (SHEET, _typed(list(rows[0]), rows))])
    providers = tmp_path / "p"
    providers.mkdir()
    assert main(["import-cqc", str(path), "--providers", str(providers)]) == 1
    err = capsys.readouterr().err
    assert err == (f"{path}: has rows that cannot be read; nothing was changed (a row that cannot be read is never taken "
                   "as a home that left the register):\n  sheet 'HSCA_Active_Locations', row 5: Care homes beds: "
                   "'sixteen' is not a whole number 0 or more; correct it, or leave it empty if not known\n")
    assert list(providers.iterdir()) == []


@pytest.mark.slow  # reads 300 damaged spreadsheets (about 1 s)
def test_damaged_spreadsheets_are_refused_in_one_message_never_a_traceback(tmp_path):
    """Bytes of an .ods's XML, or of the zip of an .ods or .xlsx, changed at random: each file is read or refused with
    a message (a zlib error in the .ods's manifest was a traceback), which never names the CSV it was written as."""
    import random

    rnd = random.Random(20261206)
    header = ["Location ID", "Care home?", "Location Name", "Location Local Authority", "Care homes beds",
              "Location Postal Code", "Service type - Care home service with nursing", "Location HSCA start date"]
    row = ["1-101", "Y", "Example  House\nThe Lodge", "Herefordshire", Number("16"), "HR1 1TJ", "Y", Date("2020-01-02")]
    sheets = [("README", README), ("S", [header, [], row, ["1-102", *row[1:]]])]
    made = [write_ods(tmp_path / "good.ods", sheets), _xlsx(tmp_path / "good.xlsx", sheets)]
    for good in made:
        assert [(r.location_id, r.line) for r in read_register(good)[1]] == [("1-101", "sheet 'S', row 3"),
                                                                              ("1-102", "sheet 'S', row 4")]  # line 5 of the CSV
    content = zipfile.ZipFile(made[0]).read("content.xml")
    read = 0
    for n in range(300):
        path = tmp_path / f"damaged-{n}"
        if n % 3 == 0:
            xml = bytearray(content)
            for _ in range(rnd.randint(1, 5)):
                xml[rnd.randrange(len(xml))] = rnd.choice(b'<>"=/ 0123456789x&;:')
            _bomb(path, bytes(xml))
        else:
            raw = bytearray(made[n % 3 - 1].read_bytes())
            for _ in range(rnd.randint(1, 8)):
                raw[rnd.randrange(len(raw))] = rnd.randrange(256)
            path.write_bytes(raw)
        try:
            read_register(path)
            read += 1
        except ImportError_ as exc:
            assert "carehomes-sheet" not in str(exc) and not str(exc).startswith("line")
    assert 0 < read < 100  # a change in a part not read (a style, the README's text) leaves the sheet readable


HEADER = ["Location ID", "Care home?", "Location Name", "Location Local Authority", "Care homes beds",
          "Location Postal Code", "Service type - Care home service with nursing", "Location HSCA start date",
          "Location Latitude", "Location Longitude"]
EXAMPLE = ["1-101", "Y", "Example House", "Herefordshire", Number("16"), "HR1 1TJ", "Y", Date("2020-01-02"),
           Number("52.049615"), Number("-2.687262")]  # an example home, not a real one


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_a_number_is_its_value_however_its_format_shows_it(tmp_path, kind):
    """A number column formatted in Calc (2 decimal places, '0 "beds"') shows 52.05 and '16 beds': an .ods's text:p
    was taken, so its latitudes were silently rounded (500 m out) and its beds refused, where the same sheet saved as
    .xlsx gave the values. Both now give the number."""
    row = [*EXAMPLE[:4], Number("16", "16 beds"), *EXAMPLE[5:8], Number("52.049615", "52.05"),
           Number("-2.687262", "-2.69")]
    path = (write_ods if kind == "ods" else _xlsx)(tmp_path / f"cqc.{kind}", [("S", [HEADER, row])])
    records = read_register(path)[1]
    assert [(r.regulator["beds.registered"], r.regulator["address.latitude"], r.regulator["address.longitude"])
            for r in records] == [(16, 52.049615, -2.687262)]


def test_a_flat_xml_spreadsheet_is_read_as_its_ods_is(tmp_path):
    """LibreOffice's flat XML spreadsheet (.fods, one of its "Save as" formats) was read as a CSV file and refused as
    one whose columns (its first line of XML) were unknown. Any other XML says what to do."""
    sheets = [("README", README), ("S", [HEADER, [], EXAMPLE])]
    flat = read_register(write_fods(tmp_path / "cqc.fods", sheets))
    zipped = read_register(write_ods(tmp_path / "cqc.ods", sheets))
    assert flat[0] == zipped[0] == "HSCA care directory" and flat[2] == zipped[2] == dt.date(2020, 1, 2)
    assert [(r.line, r.regulator) for r in flat[1]] == [(r.line, r.regulator) for r in zipped[1]]
    assert [r.line for r in flat[1]] == ["sheet 'S', row 3"]
    (tmp_path / "other.xml").write_text('<?xml version="1.0"?>\n<?mso-application progid="Excel.Sheet"?>\n'
                                        '<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>')
    assert _quick(tmp_path / "other.xml") == (
        "is an XML file, not a CSV file or a spreadsheet this tool reads: open it in LibreOffice Calc or Excel, save it "
        "as .ods, .xlsx or 'CSV UTF-8', and import that file; nothing was changed")
    for page in ("<!DOCTYPE html>\n<html><body>CQC</body></html>", "\ufeff<!-- saved -->\n<!doctype HTML><html></html>",
                 "<html lang=en><head><title>Care directory</title></head></html>"):
        (tmp_path / "page.csv").write_text(page, encoding="utf-8")  # a page saved from CQC's site, not its file
        assert _quick(tmp_path / "page.csv") == (
            "is a web page (HTML), not a CSV file or a spreadsheet: download CQC's file itself (a CSV, or its .ods or "
            ".xlsx spreadsheet), not the page that links to it; nothing was changed"), page
    text = (tmp_path / "cqc.fods").read_text()
    (tmp_path / "dtd.fods").write_text(text.replace("?>", '?><!DOCTYPE x [<!ENTITY a "b">]>', 1))
    assert _quick(tmp_path / "dtd.fods").startswith("its XML declares a DTD or entities")
    (tmp_path / "cut.fods").write_text(text[:len(text) // 2])
    assert _quick(tmp_path / "cut.fods").startswith("is a damaged spreadsheet (its XML cannot be read: line ")


def _xlsx_part(path: Path, part: str, change) -> Path:
    """``path``, an .xlsx, with its part ``part`` changed."""
    with zipfile.ZipFile(path) as z:
        entries = [(info.filename, z.read(info)) for info in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            z.writestr(name, change(data) if name == part else data)
    return path


@pytest.mark.parametrize(("part", "change", "said"), [
    ("xl/sharedStrings.xml", lambda d: d.replace(b"?>", b'?><!DOCTYPE sst [<!ENTITY a "Example">]>', 1).replace(
        b"Example House", b"&a; House"),
     "its part xl/sharedStrings.xml declares a DTD or entities, which no spreadsheet's does; it was not read, and "
     "nothing was changed. Download the file again from CQC"),
    ("xl/styles.xml", lambda d: d.replace(b"</styleSheet>", b"<a>" * 1000 + b"</a>" * 1000 + b"</styleSheet>"),
     "is a damaged spreadsheet (its part xl/styles.xml nests its XML more than 64 deep); nothing was changed. Download "
     "it again, or open it in LibreOffice Calc or Excel and save it again"),
    ("xl/sharedStrings.xml", lambda d: d.replace(b"</sst>", b"<si><t>" + os.urandom(600_000).hex().encode() + b"</t></si></sst>"),
     "holds a part (xl/sharedStrings.xml) of {size:,} bytes, read whole, more than any workbook of CQC's (over 1 MB); "
     "it was not read, and nothing was changed. Download the file again from CQC, or open it in LibreOffice Calc or "
     "Excel and save it again"),
], ids=["entities", "deep", "shared-strings"])
def test_an_xlsx_openpyxl_would_hold_too_much_of_is_refused_before_it_reads_it(tmp_path, monkeypatch, part, change, said):
    """openpyxl reads the shared strings, styles and workbook whole, and keeps a worksheet's elements until their parent
    ends: a 23 MB .xlsx whose shared strings unpacked to 1.2 GB took 1.5 GB of memory, one nesting 1,000,000 elements
    in 14 MB of styles 600 MB. Its XML is streamed through expat first, as an .ods's is."""
    from carehomes.sources import sheets

    monkeypatch.setattr(sheets, "MAX_WHOLE_BYTES", 1024 ** 2, raising=False)  # (not there before: openpyxl read all)
    path = _xlsx(tmp_path / "cqc.xlsx", [("S", [HEADER, EXAMPLE])])
    _xlsx_part(path, part, lambda d: d)
    assert [r.location_id for r in read_register(path)[1]] == ["1-101"]  # the workbook as made is read
    _xlsx_part(path, part, change)
    with zipfile.ZipFile(path) as z:
        size = z.getinfo(part).file_size
    assert _quick(path) == said.format(size=size)



def _with_errors(path: Path, kind: str, rows: list[list]) -> Path:
    """An .ods or .xlsx of a README (a failed formula in it too: not the sheet of locations) and a sheet ``rows``."""
    if kind == "ods":
        return write_ods(path, [("README", [*README, [Failed("#REF!", "#REF!")]]), ("S", rows)])
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    for name, sheet in (("README", [*README, [Failed("#REF!", "#REF!")]]), ("S", rows)):
        ws = book.add_worksheet(name)
        for r, cells in enumerate(sheet):
            for c, value in enumerate(cells):
                if isinstance(value, Failed):
                    ws.write_formula(r, c, f"={value.formula}", None, value.shown)
                elif isinstance(value, Number):
                    ws.write_number(r, c, float(value.text))
                elif isinstance(value, Date):
                    ws.write_datetime(r, c, dt.datetime.fromisoformat(value.iso), book.add_format({"num_format": "dd/mm/yyyy"}))
                elif value not in ("", None):
                    ws.write_string(r, c, str(value))
    book.close()
    return path


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_a_cell_holding_a_formulas_error_is_refused_not_read_as_the_fact(tmp_path, kind):
    """A name or phone filled by a formula that failed showed '#N/A', which was imported as the home's name; a beds
    cell whose formula failed was read as its value (LibreOffice writes 0 for it) or refused as '#DIV/0!' not being a
    number. Every such cell below the column names is named, by row and column, and nothing is imported; one in
    another sheet (the README's) is not the import's business."""
    failed_name = [*EXAMPLE[:2], Failed("#N/A", "VLOOKUP(1;A1:A2;2;0)"), *EXAMPLE[3:]]
    failed_beds = [*EXAMPLE[:4], Failed("#DIV/0!", "1/0"), *EXAMPLE[5:]]
    failed_beds[0] = "1-102"
    path = _with_errors(tmp_path / f"cqc.{kind}", kind, [HEADER, failed_name, EXAMPLE, failed_beds])
    assert _quick(path) == (
        "sheet 'S': 2 cells hold a spreadsheet error (a formula that failed), not a fact: row 2, column 'Location Name' "
        "(#N/A); row 4, column 'Care homes beds' (#DIV/0!); nothing was changed. Put the right value in each, or clear "
        "it where the fact is not known, and import the file again")
    fine = _with_errors(tmp_path / f"fine.{kind}", kind, [HEADER, EXAMPLE])
    assert [r.regulator["name"] for r in read_register(fine)[1]] == ["Example House"]


@pytest.mark.parametrize("kind", ["ods", "xlsx"])
def test_a_spreadsheet_cut_short_is_said_to_be_one(tmp_path, kind):
    """A download stopped part way: it was 'a damaged zip file, not a CSV file', as if the person had given a zip."""
    whole = (write_ods if kind == "ods" else _xlsx)(tmp_path / f"whole.{kind}", [("S", [HEADER, EXAMPLE])]).read_bytes()
    for share in (0.1, 0.5, 0.99):
        (tmp_path / f"cut.{kind}").write_bytes(whole[:int(len(whole) * share)])
        assert _quick(tmp_path / f"cut.{kind}") == (
            f"is a spreadsheet (.{kind}) that is damaged or incomplete (a download cut short leaves one); nothing was "
            "changed. Download CQC's file again"), share
    zipped = tmp_path / "data.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        z.writestr("locations.csv", "a,b\n" * 1000)
    zipped.write_bytes(zipped.read_bytes()[:200])
    assert _quick(zipped) == "is a damaged zip file, not a CSV file; download it again"  # any other zip cut short


def test_a_date_column_formatted_as_numbers_is_told_to_be_formatted_as_dates(tmp_path):
    """A date column reformatted as plain numbers shows the spreadsheet's day number (44239 for 12 February 2021):
    it was refused as "'44239' is not a date" with no word of why."""
    row = [*EXAMPLE[:7], Number("44239"), *EXAMPLE[8:]]
    path = write_ods(tmp_path / "cqc.ods", [("S", [HEADER, row])])
    said = _quick(path)
    assert "Location HSCA start date: '44239' is not a date (a spreadsheet's day number: format the column as dates); " \
           "write it as YYYY-MM-DD or DD/MM/YYYY" in said, said


# --- an .xlsx read by our own reader as openpyxl read it ----------------------------------------------------------

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _handmade(path: Path, sheet_data: str, *, strings: list[str] = (), styles: str = "", date1904: bool = False,
              parts: dict[str, str | None] | None = None, rels: str | None = None) -> Path:
    """An .xlsx written part by part, as Excel writes one: a sheet 'S' of ``sheet_data`` (its rows), the shared strings
    ``strings`` (each an <si>'s inside), the cell styles ``styles`` (cellXfs' <xf>s, after numFmts' <numFmt>s)."""
    fmts = "".join(re.findall(r"<numFmt [^>]*/>", styles))
    xfs = "".join(re.findall(r"<xf [^>]*/>", styles)) or '<xf numFmtId="0" fontId="0" fillId="0" borderId="0"/>'
    files = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
                               'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
                               '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                               'officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/sharedStrings.xml" '
                               'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
                               '</Types>',
        "xl/workbook.xml": f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_TYPE}">'
                           f'<workbookPr{" date1904=" + chr(34) + "1" + chr(34) if date1904 else ""}/><sheets>'
                           '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": rels if rels is not None else (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
            f'relationships"><Relationship Id="rId1" Type="{REL_TYPE}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{REL_TYPE}/styles" Target="/xl/styles.xml"/>'
            f'<Relationship Id="rId3" Type="{REL_TYPE}/sharedStrings" Target="sharedStrings.xml"/></Relationships>'),
        "xl/styles.xml": f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{MAIN_NS}"><numFmts>{fmts}</numFmts>'
                         '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="1">'
                         '<fill><patternFill patternType="none"/></fill></fills><borders count="1"><border><left/>'
                         '<right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" '
                         f'fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs>{xfs}</cellXfs><cellStyles '
                         'count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">'
                                f'{"".join(f"<si>{s}</si>" for s in strings)}</sst>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}"><sheetData>'
                                    f"{sheet_data}</sheetData></worksheet>",
        **(parts or {})}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            if text is not None:
                z.writestr(name, text)
    return path


class _Recorded:
    """Stands in for sheets._Sheets: every sheet's rows (a repeat expanded) and error cells, read to its end."""

    skipping = False

    def __init__(self) -> None:
        self.sheets: list[tuple[str, list[list[str]], list[tuple[int, int, str]]]] = []

    def begin(self, name: str) -> None:
        self.sheets.append((name, [], []))

    def row(self, cells: list[str], repeat: int) -> None:
        self.sheets[-1][1].extend([cells] * repeat)

    def error(self, column: int, shown: str) -> None:
        self.sheets[-1][2].append((len(self.sheets[-1][1]) + 1, column, shown))

    def end(self) -> bool:
        return False


def _read_now(path: Path) -> list:
    from carehomes.sources import sheets

    recorded = _Recorded()
    with zipfile.ZipFile(path) as z:
        sheets._read_xlsx(z, recorded)
    return recorded.sheets


def _read_by_openpyxl(path: Path) -> list:
    """What import-cqc read of an .xlsx before it had its own reader: openpyxl's values (read-only, data_only), each
    written as _xlsx_text writes it, a row's trailing empty cells left out, error cells noted."""
    import warnings

    import openpyxl

    from carehomes.sources.sheets import _xlsx_text

    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for ws in book.worksheets:
            ws.reset_dimensions()
            rows, errors = [], []
            for n, row in enumerate(ws.iter_rows(), 1):
                errors += [(n, c, str(cell.value or "")) for c, cell in enumerate(row) if cell.data_type == "e"]
                cells = [_xlsx_text(cell.value) for cell in row]
                while cells and not cells[-1]:
                    cells.pop()
                rows.append(cells)
            out.append((ws.title, rows, errors))
        book.close()
    return out


def test_an_xlsx_written_by_openpyxl_is_read_as_openpyxl_reads_it(tmp_path):
    """The .xlsx reader is our own (expat, a row at a time), no longer openpyxl's (which built every row and cell:
    15 s and 500 MB for a million formatted empty rows): every kind of cell reads as openpyxl read it."""
    import openpyxl
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Cells"
    dated = [(dt.date(2020, 1, 2), None), (dt.date(2021, 3, 31), "dd/mm/yyyy"), (dt.date(2019, 12, 25), "d mmm yyyy"),
             (dt.date(2018, 6, 1), "[$-809]dd mmmm yyyy;@"), (dt.date(2017, 2, 3), "mm-dd-yy"),
             (dt.datetime(2021, 3, 31, 12, 0), None), (dt.datetime(2021, 3, 31, 23, 59, 59), "yyyy-mm-dd hh:mm:ss"),
             (dt.datetime(1900, 1, 1), None), (dt.datetime(1900, 2, 28), None), (dt.datetime(1900, 3, 1), None),
             (dt.time(13, 45, 30), None), (dt.time(0, 0, 0), "h:mm"), (dt.timedelta(hours=26, minutes=3), None),
             (dt.timedelta(hours=1, seconds=1), "[h]:mm:ss")]
    numbers = [(16, None), (447700900123, None), (12345678901234567, None), (0.1 + 0.2, None), (52.049615, "0.00"),
               (-2.687262, None), (1e20, None), (1e-7, None), (0, None), (44239, "General"), (44239, '"Day" 0'),
               (44239, r"\d0"), (44239, "[Red]0"), (44239.5, "0.0"), (16, '0 "beds"'), (3, "[h]"), (True, None),
               (False, None)]
    for r, (value, fmt) in enumerate(dated + numbers, 1):
        ws.cell(r, 1, f"row {r}")
        cell = ws.cell(r, 3 + r % 3, value)  # a gap of one to three empty cells before it
        if fmt:
            cell.number_format = fmt
    ws.cell(40, 2, "#N/A").data_type = "e"  # below a gap of rows
    ws.cell(40, 4, "#DIV/0!").data_type = "e"
    ws.cell(41, 1, CellRichText(["Example ", TextBlock(InlineFont(b=True), "House")]))
    ws.cell(41, 2, "  spaced  \nand two lines")
    ws.cell(41, 16384, "the last column")
    ws.cell(42, 1, "=1+1")  # a formula openpyxl wrote without its value: empty
    other = book.create_sheet("Second")
    other.append(["Location ID", "Care homes beds"])
    other.append(["1-101", 16])
    path = tmp_path / "types.xlsx"
    book.save(path)
    now = _read_now(path)
    assert now == _read_by_openpyxl(path)
    rows = now[0][1]
    assert [row[-1] for row in rows[:len(dated)]] == [
        "2020-01-02", "2021-03-31", "2019-12-25", "2018-06-01", "2017-02-03", "2021-03-31 12:00:00",
        "2021-03-31 23:59:59", "1900-01-01", "1900-02-28", "1900-03-01", "13:45:30", "00:00:00", "1 day, 2:03:00",
        "1:00:01"]
    assert [row[-1] for row in rows[len(dated):len(dated) + len(numbers)]] == [
        "16", "447700900123", "1.23456789012346e+16", "0.3", "52.049615", "-2.687262", "1e+20", "1e-07", "0", "44239",
        "44239", "44239", "44239", "44239.5", "16", "3 days, 0:00:00", "TRUE", "FALSE"]
    assert rows[39] == ["", "#N/A", "", "#DIV/0!"] and now[0][2] == [(40, 1, "#N/A"), (40, 3, "#DIV/0!")]
    assert rows[40][:2] == ["Example House", "  spaced  \nand two lines"] and rows[40][16383] == "the last column"
    assert rows[41] == []


@pytest.mark.parametrize("date1904", [False, True])
def test_an_xlsx_as_excel_writes_it_is_read_as_openpyxl_reads_it(tmp_path, date1904):
    """What openpyxl does not write: shared strings of rich runs and phonetic runs (not part of the text), Excel's
    escaped '_x005F_', an inline string with a phonetic run, an ISO date cell (t="d"), a formula's cached string,
    cells and rows without r, a custom format numbered as a built-in, the 1904 date system, a date past 9999."""
    strings = ["<t>Example House</t>", '<r><t xml:space="preserve">Rich </t></r><r><rPr><b/></rPr><t>runs</t></r>'
               '<rPh sb="0" eb="4"><t>RITCHI</t></rPh>', "<t>_x005F_x000D_ kept</t>", "<t></t>"]
    styles = ('<numFmt numFmtId="14" formatCode="0.00"/><numFmt numFmtId="200" formatCode="dd/mm/yyyy"/>'
              '<xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="200"/><xf numFmtId="22"/><xf numFmtId="31"/>'
              '<xf numFmtId="46"/>')
    rows = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="D1" t="s"><v>2</v></c>'
            '<c r="E1" t="s"><v>3</v></c></row>'
            '<row r="3"><c r="A3" s="2"><v>44286</v></c><c s="1"><v>44286</v></c><c s="3"><v>44286.75</v></c>'
            '<c s="4"><v>44286</v></c><c s="5"><v>1.5</v></c><c s="2"><v>9999999</v></c></row>'
            '<row><c r="B4" t="inlineStr"><is><t>東京</t><rPh sb="0" eb="2"><t>トウキョウ</t></rPh></is></c>'
            '<c r="C4" t="d"><v>2021-03-31T12:30:00</v></c><c r="D4" t="d"><v>2021-03-31</v></c>'
            '<c r="E4" t="str"><f>A1&amp;""</f><v>Example House</v></c><c r="F4" t="b"><v>0</v></c>'
            '<c r="G4" t="e"><v>#REF!</v></c><c r="H4" t="e"/><c r="I4" s="3"><f>NOW()</f></c>'
            '<c r="J4"><v>3.0000000000000004</v></c><c r="K4"><v>-0</v></c><c r="L4"><v>1E3</v></c>'
            '<c r="M4"><v>12345678901234567</v></c></row>'
            '<row r="6" spans="1:3" s="2" customFormat="1"><c r="A6" s="2"/><c r="B6" s="2"/><c r="C6" s="2"/>'
            '<c r="D6" s="1"><v>7</v></c><c r="E6" s="2"/><c s="2"/><c s="2"><v>44286</v></c></row>')
    path = _handmade(tmp_path / "excel.xlsx", rows, strings=strings, styles=styles, date1904=date1904)
    now = _read_now(path)
    assert now == _read_by_openpyxl(path)
    day = "2025-04-01" if date1904 else "2021-03-31"
    assert now[0][1][0] == ["Example House", "Rich runs", "", "_x000D_ kept"]
    assert now[0][1][2][:5] == [day, "44286", f"{day} 18:00:00", "44286", "1 day, 12:00:00"]
    assert now[0][1][3][1:] == ["東京", "2021-03-31 12:30:00", "2021-03-31", "Example House", "FALSE", "#REF!", "", "",
                                "3", "0", "1000", "12345678901234567"]
    assert now[0][2] == [(3, 5, "#VALUE!"), (4, 6, "#REF!"), (4, 7, "")]  # 9,999,999 days: no date (openpyxl's error)
    assert now[0][1][5] == ["", "", "", "7", "", "", day]


def _home_row(r: int, cells: list) -> str:
    """A row of inline strings, as some writers write every text cell."""
    return f'<row r="{r}">' + "".join(
        f'<c r="{column_letter(n + 1)}{r}" t="inlineStr"><is><t>{escape(v.text if isinstance(v, Number) else str(v))}'
        "</t></is></c>" for n, v in enumerate(cells)) + "</row>"


HOME = [*EXAMPLE[:7], "2020-01-02", *EXAMPLE[8:]]


def test_formatted_empty_rows_and_cells_cost_nothing_each(tmp_path, monkeypatch):
    """openpyxl built every row and cell: a million formatted empty rows of 50 cells (1.2 GB of XML) took 284 s and
    550 MB, <row r="1048576"/> alone a second. Runs of empty cells are left out before expat reads them, and a gap in
    the rows is one repeat of an empty row: counted here by the cells the reader's Python sees and the rows it passes
    on (times are bench figures, not tests: docs/performance.md)."""
    from carehomes.sources import sheets

    cells: list[int] = []
    rows: list[int] = []
    begin_cell, row = sheets._XlsxSheet.begin_cell, sheets._Sheets.row
    monkeypatch.setattr(sheets._XlsxSheet, "begin_cell", lambda self, attrs: (cells.append(1), begin_cell(self, attrs))[1])
    monkeypatch.setattr(sheets._Sheets, "row", lambda self, values, repeat: (rows.append(repeat), row(self, values, repeat))[1])
    empty = "".join(f'<c r="{column_letter(n)}{{0}}" s="1"/>' for n in range(1, 51))
    formatted = "".join(f'<row r="{r}" spans="1:50" s="1" customFormat="1">{empty.format(r)}</row>' for r in range(3, 20_003))
    path = _handmade(tmp_path / "formatted.xlsx", _home_row(1, HEADER) + _home_row(2, HOME) + formatted +
                     _home_row(20_003, ["1-102", *HOME[1:]]), styles='<xf numFmtId="0"/><xf numFmtId="14"/>')
    records = read_register(path)[1]  # a million empty cells
    assert [(r.location_id, r.line) for r in records] == [("1-101", "sheet 'S', row 2"),
                                                          ("1-102", "sheet 'S', row 20003")]
    # of 1,000,000 empty cells, only the few cut at a megabyte chunk's end reach Python
    assert len(cells) < 1_000, f"{len(cells):,} cells reached Python"
    cells.clear()
    last = '<row r="1048576" spans="1:50" s="1" customFormat="1"/>'
    path = _handmade(tmp_path / "last.xlsx", _home_row(1, HEADER) + _home_row(2, HOME) + last)
    rows.clear()
    assert [r.location_id for r in read_register(path)[1]] == ["1-101"]
    assert len(rows) <= 4 and sum(rows) == 1_048_576, rows  # the gap one repeat, never a million rows one by one
    path = _handmade(tmp_path / "below.xlsx", _home_row(1, HEADER) + _home_row(2, HOME) + '<row r="1048577"/>')
    assert _quick(path) == ("sheet 'S': has rows below row 1,048,576, the last a spreadsheet has; nothing was changed. "
                            "Is this CQC's file as CQC published it?")


RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="{}" '
        f'Type="{REL_TYPE}/worksheet" Target="{{}}"/></Relationships>')


@pytest.mark.parametrize(("change", "said"), [
    (dict(sheet_data='<row r="1"><c r="A1" t="inlineStr"><is><t>Loc'),
     "its part xl/worksheets/sheet1.xml cannot be read: line 1, mismatched tag"),
    (dict(parts={"xl/_rels/workbook.xml.rels": None}),
     "it has no xl/_rels/workbook.xml.rels, which says where its sheets are"),
    (dict(rels=RELS.format("rId1", "../../../etc/passwd")),
     "its part xl/_rels/workbook.xml.rels names a part outside it (../../../etc/passwd)"),
    (dict(rels=RELS.format("rId1", "worksheets/sheet9.xml")), "its sheet 'S' (xl/worksheets/sheet9.xml) is not in it"),
    (dict(rels=RELS.format("rId7", "worksheets/sheet1.xml")), "its workbook's sheet 'S' is not among its parts"),
    (dict(sheet_data='<row r="2"><c r="B2" t="s"><v>1</v></c></row>', strings=["<t>Location ID</t>"]),
     "sheet 'S', row 2, column B: its shared string 1 is not among the workbook's 1"),
    (dict(sheet_data='<row r="2"><c r="B2" t="s"><v>one</v></c></row>'),
     "sheet 'S', row 2, column B: 'one' is no shared string's number"),
    (dict(sheet_data='<row r="2"><c r="B2" s="2"><v>16</v></c></row>'),
     "sheet 'S', row 2, column B: its style 2 is not among the workbook's 1"),
    (dict(sheet_data='<row r="2"><c r="B2"><v>sixteen</v></c></row>'),
     "sheet 'S', row 2, column B: 'sixteen' is no number"),
    (dict(sheet_data='<row r="2"><c r="A0"><v>16</v></c></row>'), "sheet 'S', row 2 has a cell at A0, which is no cell"),
    (dict(sheet_data='<row r="2"><c r="ZZZZ2"><v>16</v></c></row>'),
     "sheet 'S', row 2 has a cell at ZZZZ2, which is no cell"),
    (dict(sheet_data='<row r="2"><c r="C2"><v>1</v></c><c r="B2"><v>2</v></c></row>'),
     "sheet 'S', row 2 has its cell B2 after column C"),
    (dict(sheet_data='<row r="3"/><row r="2"/>'), "sheet 'S' has row 2 after row 3"),
    (dict(sheet_data='<row r="two"/>'), "sheet 'S' has a row numbered two"),
    (dict(sheet_data='<row><c t="d"><v>2021-02-30</v></c></row>'), "sheet 'S', row 1, column A: '2021-02-30' is no date"),
    (dict(parts={"xl/styles.xml": f'<styleSheet xmlns="{MAIN_NS}"><cellXfs><xf numFmtId="x"/></cellXfs></styleSheet>'}),
     "its styles name a number format x"),
    (dict(sheet_data='<row r="2"><c r="B2" s="1.0"><v>16</v></c></row>'),
     "sheet 'S', row 2, column B: its style 1.0 is no style's number"),  # (it said: '16' is no number)
    (dict(parts={"xl/worksheets/sheet1.xml": f'<worksheet xmlns="{MAIN_NS}"><x><sheetData><row r="1"><c r="A1" '
                                             't="inlineStr"><is><t>Location ID</t></is></c></row></sheetData></x></worksheet>'}),
     "sheet 'S' has a row outside its sheetData"),  # (openpyxl read the row; it was passed over without a word)
], ids=["cut", "no-rels", "outside", "missing-sheet", "unknown-id", "string-index", "string-number", "style",
        "number", "A0", "ZZZZ1", "cells-out-of-order", "rows-out-of-order", "row-number", "date", "styles", "style-number",
        "row-outside"])
def test_an_xlsx_damaged_in_any_part_says_so_never_a_traceback(tmp_path, change, said):
    """openpyxl's errors were 'list index out of range' (a shared string it did not have), or none: a style it did not
    have was no date, cells and rows out of order were passed over, a sheet not in the file left out."""
    path = _handmade(tmp_path / "damaged.xlsx", **{"sheet_data": "", **change})
    assert _quick(path) == (f"is a damaged spreadsheet ({said}); nothing was changed. Download it again, or open it in "
                            "LibreOffice Calc or Excel and save it again")


def test_an_xlsx_cell_past_the_last_column_too_long_or_too_deep_is_refused(tmp_path):
    path = _handmade(tmp_path / "wide.xlsx", '<row r="2"><c r="XFE2" t="inlineStr"><is><t>Y</t></is></c></row>')
    assert _quick(path) == ("sheet 'S', row 2: has something in a column after column 16,384, the last a spreadsheet "
                            "has; nothing was changed. Is this CQC's file as CQC published it?")
    long = "Y" * 40_000
    path = _handmade(tmp_path / "long.xlsx", f'<row r="2"><c r="B2" t="inlineStr"><is><t>{long}</t></is></c></row>')
    assert _quick(path) == ("sheet 'S', row 2: a cell holds more than 32,767 characters, which no cell of CQC's does; "
                            "nothing was changed")
    path = _handmade(tmp_path / "deep.xlsx", '<row r="2"><c r="B2">' + "<x>" * 70 + "</x>" * 70 + "</c></row>")
    assert _quick(path) == ("is a damaged spreadsheet (its part xl/worksheets/sheet1.xml nests its XML more than 64 "
                            "deep); nothing was changed. Download it again, or open it in LibreOffice Calc or Excel and "
                            "save it again")


@pytest.mark.parametrize("encoding, bom", [("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b"")])
def test_a_worksheet_in_utf16_keeps_text_whose_bytes_spell_empty_cells(tmp_path, encoding, bom):
    """Runs of empty cells are left out of a worksheet's bytes before expat reads them: in a part written in UTF-16,
    text of such characters as '挼爠∽䉁∱㸯⼼潲㹷' is the bytes of '<c r="AB1"/></row>', and six of its characters were
    left out, with no word said (openpyxl read them all)."""
    spelled = '<c r="AB1"/></row>'.encode().decode(encoding)
    xml = (f'<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1" '
           f't="inlineStr"><is><t>Care {spelled} Home</t></is></c><c r="B1" s="0"/><c r="C1" s="0"/></row></sheetData>'
           "</worksheet>")
    path = _handmade(tmp_path / "utf16.xlsx", "", parts={"xl/worksheets/sheet1.xml": None})
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/worksheets/sheet1.xml", bom + xml.encode(encoding))
    now = _read_now(path)
    assert now == _read_by_openpyxl(path) == [("S", [[f"Care {spelled} Home"]], [])]


def test_rows_after_the_sheetdata_are_read_as_openpyxl_read_them(tmp_path):
    """The reader stopped at the end of a worksheet's first sheetData: the rows of a second one, which openpyxl read,
    were left out without a word. A row number of thousands of digits is a row below the last, not Python's error
    about converting it."""
    path = _handmade(tmp_path / "two.xlsx", "", parts={"xl/worksheets/sheet1.xml": (
        f'<worksheet xmlns="{MAIN_NS}"><sheetData><row r="1"><c r="A1"><v>1</v></c></row></sheetData><sheetData>'
        '<row r="4"><c r="B4"><v>4</v></c></row></sheetData><pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" '
        'header="0.3" footer="0.3"/></worksheet>')})
    assert _read_now(path) == _read_by_openpyxl(path) == [("S", [["1"], [], [], ["", "4"]], [])]
    path = _handmade(tmp_path / "far.xlsx", f'<row r="{"9" * 5000}"/>')
    assert _quick(path) == ("sheet 'S': has rows below row 1,048,576, the last a spreadsheet has; nothing was changed. "
                            "Is this CQC's file as CQC published it?")
