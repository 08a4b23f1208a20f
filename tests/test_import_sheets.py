"""import-cqc reads CQC's spreadsheets as they come (.ods, .xlsx): the sheet of locations, each cell as it shows."""
from __future__ import annotations

import datetime as dt
import os
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import pytest

from carehomes.sources.cqc_files import ImportError_, import_cqc, read_register
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


def test_an_ods_as_cqc_publishes_it_imports_as_its_sheet_saved_as_csv_does(tmp_path, shared_data):
    """CQC's national file is an .ods: a front sheet of notes, then the sheet of locations, with LibreOffice's
    million blank rows and 16,000 blank cells at its ends. It was refused ("save its sheet of locations as CSV")."""
    csv_file, fields, rows = _csv_of_slice(tmp_path)
    ods = tmp_path / "ods" / NAME
    ods.parent.mkdir()
    write_ods(ods, [("README", README), (SHEET, _typed(fields, rows))])
    from_csv = import_cqc(csv_file, tmp_path / "from-csv")
    started = time.perf_counter()
    from_ods = import_cqc(ods, tmp_path / "from-ods")
    assert time.perf_counter() - started < 5
    assert _same_profiles(tmp_path / "from-csv", tmp_path / "from-ods") == len(rows) == 88
    assert from_ods.summary() == from_csv.summary()
    assert read_register(ods)[0] == "HSCA care directory"


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


def test_an_xlsx_imports_as_its_sheet_saved_as_csv_does(tmp_path, shared_data):
    """Older CQC downloads are .xlsx (VirtUK's input: 01_March_21_HSCA_active_locations.xlsx): real date cells shown
    dd/mm/yyyy, beds as numbers (one a formula), coordinates as decimals."""
    csv_file, fields, rows = _csv_of_slice(tmp_path)
    book = tmp_path / "xlsx" / NAME
    book.parent.mkdir()
    _xlsx(book, [("README", README), (SHEET, _typed(fields, rows))])
    from_csv = import_cqc(csv_file, tmp_path / "from-csv")
    from_xlsx = import_cqc(book, tmp_path / "from-xlsx")
    assert _same_profiles(tmp_path / "from-csv", tmp_path / "from-xlsx") == 88
    assert from_xlsx.summary() == from_csv.summary()


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


def _quick(path: Path) -> str:
    started = time.perf_counter()
    with pytest.raises(ImportError_) as exc:
        read_register(path)
    assert time.perf_counter() - started < 1
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
    assert time.perf_counter() - started < 1
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
