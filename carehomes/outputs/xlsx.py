"""care-homes.xlsx: the tables as an Excel workbook that every spreadsheet opens as it is.

One sheet a table, typed from the data package: numbers and yes/no as such, dates as dates, IDs and
phone numbers as text (leading zeros kept), every text written as text (never a formula, so no
apostrophe is needed), a frozen header row; and a sheet with the data dictionary. Written with
XlsxWriter, whose files are the same bytes for the same data and date.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from typing import Any

import xlsxwriter

from .typed import Table, field_description, is_identifier

DICTIONARY_SHEET = "Data dictionary"
DICTIONARY_HEADER = ["Sheet", "Column", "Title", "Type", "Owner", "Description"]
DATE_FORMAT = "yyyy-mm-dd"


def _width(f: dict) -> float:
    """A column width that fits the field's title or typical value."""
    return float(min(max(len(f["name"]), 10) + 2, 40))


def _write(ws: Any, r: int, c: int, f: dict, value: Any, date_fmt: Any) -> None:
    """One cell with its field's type; text always as text."""
    if value is None:
        return
    kind = f.get("type")
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


def _writer(ws: Any, f: dict, date_fmt: Any) -> Callable[[int, int, Any], Any]:
    """``_write`` for one column, its type looked at once rather than for each of its cells."""
    kind = f.get("type")
    if kind == "boolean":
        return ws.write_boolean
    if kind in ("integer", "number") and not is_identifier(f):
        return ws.write_number
    if kind == "list":
        return lambda r, c, value: ws.write_string(r, c, f.get("delimiter", ";").join(str(v) for v in value))
    if kind == "date":
        return lambda r, c, value: _write(ws, r, c, f, value, date_fmt)
    return lambda r, c, value: ws.write_string(r, c, value if type(value) is str else str(value))


def workbook(tables: list[Table], released: dt.date, title: str) -> bytes:
    """The workbook's bytes: a sheet a table, then the data dictionary."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": title, "created": dt.datetime.combine(released, dt.time())})
    bold = wb.add_format({"bold": True})
    date_fmt = wb.add_format({"num_format": DATE_FORMAT})
    for t in tables:
        ws = wb.add_worksheet(t.name[:31])
        for c, f in enumerate(t.fields):
            ws.write_string(0, c, f["name"], bold)
            ws.set_column(c, c, _width(f))
        writers = [_writer(ws, f, date_fmt) for f in t.fields]
        for r, row in enumerate(t.rows, start=1):
            for c, (write, value) in enumerate(zip(writers, row, strict=True)):
                if value is not None:
                    write(r, c, value)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(t.rows), 1), len(t.fields) - 1)
    ws = wb.add_worksheet(DICTIONARY_SHEET)
    for c, name in enumerate(DICTIONARY_HEADER):
        ws.write_string(0, c, name, bold)
    for c, width in enumerate((16, 30, 36, 10, 10, 100)):
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
