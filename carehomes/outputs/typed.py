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
from ..records import flatten
from ..schema import Field, Schema
from .tables import FORMULA_RULE, is_identifier  # noqa: F401  (is_identifier: xlsx and sqlite import it from here)


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


def record_rows(record: dict, schema: Schema, flat: dict[str, Any] | None = None) -> dict[str, list[list[Any]]]:
    """One canonical record's typed rows, keyed by table (resource) name: a row in each of its kinds'
    tables, and its capabilities rows when one of its kinds has that table. ``flat``: the record's
    ``records.flatten``, when made already (each field's value is there by its path)."""
    get = (flat if flat is not None else flatten(record)).get
    mine = kinds_of(record, schema)
    # typed_value of each field's value, with the two commonest cases (no value; text) done here
    out = {k.resource: [[None if (value := get(path)) is None else value if text and type(value) is str
                         else typed_value(f, value) for path, text, f in k.cell_specs]] for k in mine}
    if any(k.needs_resource == "capabilities" for k in mine) and not record.get("capabilities"):
        # most homes: no capabilities group, so every need's row is its location ID, the need and nothing
        names = [f.name for f in schema.capability_fields]
        location = record.get("location_id")
        out["capabilities"] = [[location if n == "location_id" else code if n == "capability" else None for n in names]
                               for code in schema.capability_codes]
    elif any(k.needs_resource == "capabilities" for k in mine):
        out["capabilities"] = [
            [record.get("location_id") if f.name == "location_id" else code if f.name == "capability"
             else typed_value(f, get(f"capabilities.{code}.{f.path.rsplit('.', 1)[1]}"))
             for f in schema.capability_fields]
            for code in schema.capability_codes]
    return out


def joined_rows(each: list[dict[str, list[list[Any]]]], schema: Schema) -> dict[str, list[list[Any]]]:
    """Records' ``record_rows`` (in location ID order) as each table's rows: every table the records make
    (each kind's, and the capabilities), empty where no record is in it."""
    out: dict[str, list[list[Any]]] = {k.resource: [] for k in kinds(schema)}
    out["capabilities"] = []
    for rows in each:
        for name, got in rows.items():
            out[name].extend(got)
    return out


def typed_tables(files: dict[str, bytes], package: dict, rows: dict[str, list[list[Any]]] | None = None) -> list[Table]:
    """Every tabular resource of ``package`` (the published datapackage.json) found in ``files``, with its
    fields' types: taken from ``rows`` (the records' ``joined_rows``, made beforehand), where they make the table,
    else read back from its CSV; text without its formula apostrophe, as in care-homes.json."""
    out = []
    for res in package["resources"]:
        if res.get("type") != "table" or res["path"] not in files:
            continue
        fields = res["schema"]["fields"]
        table = (rows or {}).get(res["name"])
        if table is None:
            reader = csv.reader(io.StringIO(files[res["path"]].decode("utf-8-sig")))
            next(reader, None)
            table = [[None if text == "" else parse_value(f, [""], text) for f, text in zip(fields, row, strict=True)]
                     for row in reader]
        out.append(Table(res["name"], res.get("title", res["name"]), res.get("description", ""), fields, table,
                         list(res["schema"].get("primaryKey", [])), list(res["schema"].get("foreignKeys", []))))
    return out


def declared_owners(package: dict) -> set[str]:
    """The owners a source of ``package`` is declared for (its ``x-owner``: CQC, the FSA), whose facts alone it gives."""
    return {s["x-owner"] for s in package.get("sources", []) if "x-owner" in s}


def owners_holding(tables: list[Table], package: dict) -> frozenset[str]:
    """Of the owners a source of ``package`` is declared for (declared_owners: the FSA), those of whom a table holds a
    fact: a cell of a field they own that is not empty. From the tables, not the profiles: the data command keeps
    only what the rules across files need of each profile."""
    declared = declared_owners(package)
    found = set()
    for t in tables:
        for i, f in enumerate(t.fields):
            if f.get("owner") in declared and f["owner"] not in found and any(row[i] is not None for row in t.rows):
                found.add(f["owner"])
    return frozenset(found)


def field_description(f: dict) -> str:
    """A field's description without the CSV-only note on formula apostrophes."""
    text = f.get("description", "")
    return (text[:text.rindex(FORMULA_RULE)] if text.endswith(" the values without it).") and FORMULA_RULE in text else text).rstrip()
