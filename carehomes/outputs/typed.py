"""The published tables as typed values, for the formats that keep types (the workbook, the database):
each kind's table and the capabilities built from the records themselves, other tables (the NHS
trusts) read back from their CSV; the columns and their types come from the data package."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from ..kinds import kinds, kinds_of
from ..merge import parse_value
from ..records import get_path
from ..schema import Field, Schema, load_schema
from .tables import FORMULA_NOTE, is_identifier  # noqa: F401  (xlsx imports it from here)


@dataclass
class Table:
    """One tabular resource of the data package with its rows as Python values (None: empty)."""

    name: str
    title: str
    description: str
    fields: list[dict]
    rows: list[list[Any]]
    primary_key: list[str]
    foreign_keys: list[dict]


def typed_value(f: Field, value: Any) -> Any:
    """A record's value as its column's type, as the CSV cell reads back: dates as dates, a whole
    number written as a float (3.0) as the integer its cell shows, text and lists as text."""
    if value is None:
        return None
    if f.type == "date":
        return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else dt.date.fromisoformat(str(value))
    if f.type == "number" and isinstance(value, float) and value.is_integer() and "e" not in repr(value):
        return int(value)
    if f.type == "list":
        return [str(v) for v in value]
    if f.type == "string":
        return str(value)
    return value


def _record_rows(name: str, records: list[dict], schema: Schema) -> list[list[Any]] | None:
    """A kind's table or the capabilities table built from the records (in location ID order); None for
    a table the records do not make."""
    for k in kinds(schema):
        if k.resource == name:
            return [[typed_value(f, get_path(r, f.keys)) for f in k.fields] for r in records if k in kinds_of(r, schema)]
    if name != "capabilities":
        return None
    rows = []
    for r in records:
        if not any(k.needs_resource == name for k in kinds_of(r, schema)):
            continue
        for code in schema.capability_codes:
            rows.append([r.get("location_id") if f.name == "location_id" else code if f.name == "capability"
                         else typed_value(f, get_path(r, ("capabilities", code, f.path.rsplit(".", 1)[1])))
                         for f in schema.capability_fields])
    return rows


def typed_tables(files: dict[str, bytes], package: dict, records: list[dict] | None = None,
                 schema: Schema | None = None) -> list[Table]:
    """Every tabular resource of ``package`` (the published datapackage.json) found in ``files``, with its
    fields' types: built from ``records`` (canonical profiles in location ID order) where they make the
    table, else read back from its CSV; text without its formula apostrophe, as in care-homes.json."""
    schema = schema or load_schema()
    out = []
    for res in package["resources"]:
        if res.get("type") != "table" or res["path"] not in files:
            continue
        fields = res["schema"]["fields"]
        rows = _record_rows(res["name"], records, schema) if records is not None else None
        if rows is None:
            reader = csv.reader(io.StringIO(files[res["path"]].decode("utf-8-sig")))
            next(reader, None)
            rows = [[None if text == "" else parse_value(f, [""], text) for f, text in zip(fields, row, strict=True)]
                    for row in reader]
        out.append(Table(res["name"], res.get("title", res["name"]), res.get("description", ""), fields, rows,
                         list(res["schema"].get("primaryKey", [])), list(res["schema"].get("foreignKeys", []))))
    return out


def field_description(f: dict) -> str:
    """A field's description without the CSV-only note on formula apostrophes."""
    return f.get("description", "").removesuffix(FORMULA_NOTE).rstrip()
