"""care-homes.xlsx: the tables as an Excel workbook that every spreadsheet opens as it is.

One sheet a table, typed from the data package: numbers and yes/no as such, dates as dates, IDs and
phone numbers as text (leading zeros kept), every text written as text (never a formula, so no
apostrophe is needed), a frozen header row and a filter on it; and a sheet with the data dictionary.

The sheets' XML is written here, a row at a time, rather than with XlsxWriter: the same parts, cell
types, styles, widths and theme as XlsxWriter 3.3 wrote (its Office theme is templates/xlsx-theme.xml),
in about a fifth of the time (nationally 664,000 cells: 4.4 s of CPU with XlsxWriter, see
docs/performance.md). The same data and date give the same bytes.
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from itertools import groupby
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..text import column_letter
from .typed import Table, field_description, is_identifier

DICTIONARY_SHEET = "Data dictionary"
ABOUT_SHEET, ABOUT_HEADER, ABOUT_WIDTHS = "Licence and sources", ["About", "Details"], (30, 120)  # after the dictionary
DICTIONARY_HEADER = ["Sheet", "Column", "Title", "Type", "Owner", "Description"]
DICTIONARY_WIDTHS = (16, 30, 36, 10, 10, 100)
DATE_FORMAT = "yyyy-mm-dd"
MAX_TEXT = 32767  # Excel's longest cell text; longer text is cut there, as XlsxWriter did
THEME = Path(__file__).resolve().parent.parent / "templates" / "xlsx-theme.xml"
EPOCH = dt.date(1899, 12, 31)  # Excel's day 0; its day 60 is 29 February 1900, which never was
BOLD, DATE = 1, 2  # the cell styles (cellXfs) in STYLES

HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CT = "application/vnd.openxmlformats-officedocument"
STYLES = (
    f'{HEAD}<styleSheet xmlns="{MAIN}"><numFmts count="1"><numFmt numFmtId="164" formatCode="{DATE_FORMAT}"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font>'
    '<font><b/><sz val="11"/><color theme="1"/><name val="Calibri"/><family val="2"/><scheme val="minor"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles><dxfs count="0"/>'
    '<tableStyles count="0" defaultTableStyle="TableStyleMedium9" defaultPivotStyle="PivotStyleLight16"/></styleSheet>')
CONTROL = re.compile(r"_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
SPACE_AT_ENDS = re.compile(r"^\s|\s$")


def _width(f: dict) -> float:
    """A column width that fits the field's title or typical value."""
    return float(min(max(len(f["name"]), 10) + 2, 40))


def _escape(text: str) -> str:
    """Text for an XML element: &, < and > escaped; control characters as Excel's _xHHHH_ (and a
    literal _xHHHH_ kept literal), as Excel and XlsxWriter write them."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if CONTROL.search(text):
        text = CONTROL.sub(lambda m: "_x005F" + m[0] if len(m[0]) > 1 else f"_x{ord(m[0]):04X}_", text)
    return text


def _cut(text: str) -> str:
    """Text cut to Excel's longest cell (counted in UTF-16 units, as Excel and XlsxWriter count)."""
    if len(text) <= MAX_TEXT // 2 or len(text.encode("utf-16-le")) <= 2 * MAX_TEXT:
        return text
    return text.encode("utf-16-le")[:2 * MAX_TEXT].decode("utf-16-le", "ignore")


def _serial(day: dt.date) -> int:
    """A date as Excel's day number (as XlsxWriter counts it: one more from 1 March 1900)."""
    n = (day - EPOCH).days
    return n + 1 if n > 59 else n


class _Strings:
    """The shared strings table: each text once, numbered in the order first written."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.count = 0

    def cell(self, ref: str, text: str, style: str = "") -> str:
        """A text cell's XML, its text added to the table."""
        self.count += 1
        i = self.index.get(text)
        if i is None:
            i = self.index[text] = len(self.index)
        return f'<c r="{ref}"{style} t="s"><v>{i}</v></c>'

    def xml(self) -> bytes:
        """xl/sharedStrings.xml."""
        items = []
        for text in self.index:
            space = ' xml:space="preserve"' if SPACE_AT_ENDS.search(text) else ""
            items.append(f"<si><t{space}>{_escape(text)}</t></si>")
        return (f'{HEAD}<sst xmlns="{MAIN}" count="{self.count}" uniqueCount="{len(self.index)}">'
                + "".join(items) + "</sst>").encode("utf-8")


def _cell_writer(f: dict, strings: _Strings) -> Callable[[str, Any], str]:
    """The XML of one cell of the field's column, from its cell reference and (not None) value; the
    field's type looked at once, not for each cell."""
    kind = f.get("type")
    if kind == "boolean":
        return lambda ref, value: f'<c r="{ref}" t="b"><v>{int(bool(value))}</v></c>'
    if kind in ("integer", "number") and not is_identifier(f):
        return lambda ref, value: f'<c r="{ref}"><v>{value:.16G}</v></c>'
    if kind == "date":
        return lambda ref, value: f'<c r="{ref}" s="{DATE}"><v>{_serial(value)}</v></c>'
    delimiter = f.get("delimiter", ";")
    if kind == "list":
        return lambda ref, value: strings.cell(ref, _cut(delimiter.join(str(v) for v in value)))
    return lambda ref, value: strings.cell(ref, _cut(value if type(value) is str else str(value)))


def _cols(widths: list[float]) -> str:
    """The <cols> element: XlsxWriter's conversion of a width in characters, runs of one width together."""
    out, c = [], 0
    while c < len(widths):
        end = c
        while end + 1 < len(widths) and widths[end + 1] == widths[c]:
            end += 1
        width = int((int(widths[c] * 7 + 0.5) + 5) / 7 * 256) / 256
        out.append(f'<col min="{c + 1}" max="{end + 1}" width="{width:.16G}" customWidth="1"/>')
        c = end + 1
    return f"<cols>{''.join(out)}</cols>"


def _header(names: list[str], strings: _Strings) -> str:
    """The header row's cells, in bold (its texts added to the table before the rows', as XlsxWriter did)."""
    return "".join(strings.cell(f"{column_letter(c)}1", name, f' s="{BOLD}"') for c, name in enumerate(names, 1))


Row = tuple[int, int, int, str]  # a row's number, its first and last columns with a cell, its cells' XML


def _sheet_data(head: str, columns: int, rows: list[Row]) -> str:
    """<sheetData>: the header and the rows, each with XlsxWriter's spans (the columns used in its block of
    16 rows: a hint for Excel, kept so that the sheet is the same bytes as XlsxWriter's)."""
    out = ["<sheetData>"]
    for _, block in groupby([(1, 0, columns - 1, head), *rows], key=lambda row: (row[0] - 1) // 16):
        got = list(block)
        spans = f' spans="{min(r[1] for r in got) + 1}:{max(r[2] for r in got) + 1}"'
        out.extend(f'<row r="{n}"{spans}>{cells}</row>' for n, _, _, cells in got)
    out.append("</sheetData>")
    return "".join(out)


def _sheet(head: str, widths: list[float], rows: list[Row], filter_rows: int | None, selected: bool) -> bytes:
    """A worksheet's XML: the bold, frozen header row ``head``, the rows after it, a filter on the
    header when ``filter_rows`` is given (its last row)."""
    last = column_letter(len(widths))
    tab = ' tabSelected="1"' if selected else ""
    parts = [f'{HEAD}<worksheet xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><dimension ref="A1:{last}{rows[-1][0] if rows else 1}"/>',
             f'<sheetViews><sheetView{tab} workbookViewId="0">',
             '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>',
             '</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>', _cols(widths),
             _sheet_data(head, len(widths), rows), f'<autoFilter ref="A1:{last}{filter_rows}"/>' if filter_rows else "",
             '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>']
    return "".join(parts).encode("utf-8")


def _table_rows(t: Table, strings: _Strings) -> list[Row]:
    """Each row from 2 with a cell (empty cells left out, as a row with none)."""
    cells = [_cell_writer(f, strings) for f in t.fields]
    letters = [column_letter(c) for c in range(1, len(t.fields) + 1)]
    out = []
    for r, row in enumerate(t.rows, start=2):
        n = str(r)
        used = [c for c, value in enumerate(row) if value is not None]
        if used:
            out.append((r, used[0], used[-1], "".join([cells[c](letters[c] + n, row[c]) for c in used])))
    return out


def _dictionary_rows(tables: list[Table], strings: _Strings) -> list[Row]:
    """The data dictionary's rows: each table's columns with their title, type, owner and description."""
    return _text_rows([(t.name[:31], f["name"], f.get("title", ""), "text" if is_identifier(f) else f.get("type", "string"),
                        f.get("owner", ""), field_description(f)) for t in tables for f in t.fields], strings)


def _text_rows(rows: Sequence[tuple[str, ...]], strings: _Strings) -> list[Row]:
    """Rows of text cells after a header row."""
    out: list[Row] = []
    for r, texts in enumerate(rows, 2):
        out.append((r, 0, len(texts) - 1, "".join(strings.cell(f"{column_letter(c)}{r}", _cut(text))
                                                   for c, text in enumerate(texts, 1))))
    return out


def _quoted(name: str) -> str:
    """A sheet name as a formula refers to it: quoted unless letters, digits, _ and . only."""
    return name if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) else "'" + name.replace("'", "''") + "'"


def _package(names: list[str], filters: dict[int, str], released: dt.date, title: str) -> dict[str, str]:
    """The workbook's other parts: content types, relationships, the workbook, the document properties."""
    n = len(names)
    sheets = "".join(f'<sheet name="{_escape(name)}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, name in enumerate(names))
    defined = "".join(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">{_escape(ref)}</definedName>'
                      for i, ref in sorted(filters.items(), key=lambda item: item[1].replace("'", "")))
    when = f"{released.isoformat()}T00:00:00Z"
    rel = "<Relationship Id=\"rId{}\" Type=\"" + DOC_RELS + "/{}\" Target=\"{}\"/>"
    over = '<Override PartName="/{}" ContentType="{}"/>'
    return {
        "[Content_Types].xml": (
            f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + over.format("docProps/app.xml", f"{CT}.extended-properties+xml")
            + over.format("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml")
            + over.format("xl/styles.xml", f"{CT}.spreadsheetml.styles+xml")
            + over.format("xl/theme/theme1.xml", f"{CT}.theme+xml")
            + over.format("xl/workbook.xml", f"{CT}.spreadsheetml.sheet.main+xml")
            + "".join(over.format(f"xl/worksheets/sheet{i + 1}.xml", f"{CT}.spreadsheetml.worksheet+xml") for i in range(n))
            + over.format("xl/sharedStrings.xml", f"{CT}.spreadsheetml.sharedStrings+xml") + "</Types>"),
        "_rels/.rels": (
            f'{HEAD}<Relationships xmlns="{RELS}">' + rel.format(1, "officeDocument", "xl/workbook.xml")
            + f'<Relationship Id="rId2" Type="{RELS}/metadata/core-properties" Target="docProps/core.xml"/>'
            + rel.format(3, "extended-properties", "docProps/app.xml") + "</Relationships>"),
        "xl/_rels/workbook.xml.rels": (
            f'{HEAD}<Relationships xmlns="{RELS}">'
            + "".join(rel.format(i + 1, "worksheet", f"worksheets/sheet{i + 1}.xml") for i in range(n))
            + rel.format(n + 1, "theme", "theme/theme1.xml") + rel.format(n + 2, "styles", "styles.xml")
            + rel.format(n + 3, "sharedStrings", "sharedStrings.xml") + "</Relationships>"),
        "xl/workbook.xml": (
            f'{HEAD}<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><fileVersion appName="xl" lastEdited="4" '
            'lowestEdited="4" rupBuild="4505"/><workbookPr defaultThemeVersion="124226"/><bookViews><workbookView '
            f'xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews><sheets>{sheets}</sheets>'
            + (f"<definedNames>{defined}</definedNames>" if defined else "")
            + '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'),
        "docProps/core.xml": (
            f'{HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            f"<dc:title>{_escape(title)}</dc:title><dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{when}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{when}</dcterms:modified></cp:coreProperties>'),
        "docProps/app.xml": (
            f'{HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"><Application>Microsoft Excel'
            '</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop><HeadingPairs><vt:vector size="2" '
            'baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr></vt:variant><vt:variant>'
            f'<vt:i4>{n}</vt:i4></vt:variant></vt:vector></HeadingPairs><TitlesOfParts><vt:vector size="{n}" '
            'baseType="lpstr">' + "".join(f"<vt:lpstr>{_escape(name)}</vt:lpstr>" for name in names)
            + "</vt:vector></TitlesOfParts><Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false"
            "</SharedDoc><HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>"),
    }


def workbook(tables: list[Table], released: dt.date, title: str, about: list[tuple[str, str]] | None = None) -> bytes:
    """The workbook's bytes: a sheet a table, then the data dictionary, then (``about``: tables.about_rows) the
    licence and sources, for a workbook handed on without the data package."""
    strings = _Strings()
    names = [t.name[:31] for t in tables] + [DICTIONARY_SHEET] + ([ABOUT_SHEET] if about else [])
    sheets, filters = [], {}
    for i, t in enumerate(tables):
        ends = max(len(t.rows), 1) + 1
        filters[i] = f"{_quoted(names[i])}!$A$1:${column_letter(len(t.fields))}${ends}"
        head = _header([f["name"] for f in t.fields], strings)
        sheets.append(_sheet(head, [_width(f) for f in t.fields], _table_rows(t, strings), ends, i == 0))
    head = _header(DICTIONARY_HEADER, strings)
    sheets.append(_sheet(head, [float(w) for w in DICTIONARY_WIDTHS], _dictionary_rows(tables, strings), None, not tables))
    if about:
        head = _header(ABOUT_HEADER, strings)
        sheets.append(_sheet(head, [float(w) for w in ABOUT_WIDTHS], _text_rows(about, strings), None, False))
    parts = _package(names, filters, released, title)
    members: list[tuple[str, bytes]] = [(name, parts[name].encode("utf-8"))
                                        for name in ("[Content_Types].xml", "_rels/.rels", "xl/_rels/workbook.xml.rels")]
    members += [(f"xl/worksheets/sheet{i + 1}.xml", xml) for i, xml in enumerate(sheets)]
    members += [("xl/workbook.xml", parts["xl/workbook.xml"].encode("utf-8")), ("xl/sharedStrings.xml", strings.xml()),
                ("xl/styles.xml", STYLES.encode("utf-8")), ("xl/theme/theme1.xml", THEME.read_bytes()),
                ("docProps/core.xml", parts["docProps/core.xml"].encode("utf-8")),
                ("docProps/app.xml", parts["docProps/app.xml"].encode("utf-8"))]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o600 << 16
            z.writestr(info, data)
    return buf.getvalue()
