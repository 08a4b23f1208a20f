"""The tables: care-homes.csv, capabilities.csv, care-homes.json and datapackage.json.

Every column, its type and its order come from the schema; cells are neutralised so a
spreadsheet never runs them as formulas, and ``read_tables`` undoes ``cell`` exactly.
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
from collections.abc import Iterable
from typing import Any

from ..records import canonical, flatten, set_path
from ..schema import Field, Schema, load_schema
from ..text import neutralise, restore


def release_version(released: dt.date) -> str:
    """The calendar version of a data release, e.g. 2026.11.23."""
    return f"{released.year}.{released.month}.{released.day}"


def cell(f: Field, value: Any) -> str:
    """One value as CSV text."""
    if value is None:
        return ""
    if f.type == "boolean":
        return "true" if value else "false"
    if f.type == "list":
        return ";".join(neutralise(str(v)) for v in value)
    if f.type == "date":
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
    if f.type == "number":
        return repr(float(value)).removesuffix(".0") if isinstance(value, float) else str(value)
    if f.type == "string":
        return neutralise(str(value))
    return str(value)


def parse_cell(f: Field, text: str) -> Any:
    """Undo ``cell``: CSV text back to a profile value."""
    if text == "":
        return None
    if f.type == "boolean":
        return text == "true"
    if f.type == "integer":
        return int(text)
    if f.type == "number":
        n = float(text)
        return int(n) if "." not in text and "e" not in text.lower() and n.is_integer() else n
    if f.type == "list":
        return [restore(t) for t in text.split(";")]
    if f.type == "string":
        return restore(text)
    return text


def home_row(data: dict, schema: Schema, flat: dict[str, Any] | None = None) -> list[str]:
    """One care-homes.csv row."""
    flat = flatten(data) if flat is None else flat
    return [cell(f, flat.get(f.path)) for f in schema.home_fields]


def capability_rows(data: dict, schema: Schema) -> list[list[str]]:
    """The capabilities.csv rows of one home, one per need."""
    rows = []
    caps = data.get("capabilities") if isinstance(data.get("capabilities"), dict) else {}
    for code in schema.capability_codes:
        entry = caps.get(code) if isinstance(caps.get(code), dict) else {}
        row = []
        for f in schema.capability_fields:
            if f.name == "location_id":
                row.append(cell(f, data.get("location_id")))
            elif f.name == "capability":
                row.append(code)
            else:
                row.append(cell(f, entry.get(f.path.rsplit(".", 1)[1])))
        rows.append(row)
    return rows


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def json_array(lines: list[str]) -> str:
    """A JSON array of items already written as JSON text, one a line."""
    return "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"


def tables_text(homes_rows: str, capability_rows_text: str, json_lines: list[str], schema: Schema) -> dict[str, str]:
    """The three tables' text, keyed by file name, from rows already written."""
    return {"care-homes.csv": csv_text([f.name for f in schema.home_fields], []) + homes_rows,
            "capabilities.csv": csv_text([f.name for f in schema.capability_fields], []) + capability_rows_text,
            "care-homes.json": json_array(json_lines) + "\n"}


def package_descriptor(files: dict[str, bytes], schema: Schema, released: dt.date) -> dict:
    """datapackage.json for the published files: the schema plus version, date, sizes and hashes."""
    pkg = copy.deepcopy(schema.package)
    pkg["schemaVersion"] = pkg["version"]
    pkg["version"] = release_version(released)
    pkg["created"] = f"{released.isoformat()}T00:00:00Z"
    for res in pkg["resources"]:
        data = files[res["path"]]
        res["bytes"] = len(data)
        res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    return pkg


def read_homes(homes_csv: str, schema: Schema, strict: bool = True) -> dict[str, dict]:
    """care-homes.csv text -> location ID -> nested record. With ``strict=False`` (an older release
    whose columns may differ), columns the schema lacks are skipped and unreadable cells kept as text."""
    by_name = {f.name: f for f in schema.home_fields}
    homes: dict[str, dict] = {}
    for row in csv.DictReader(io.StringIO(homes_csv)):
        data: dict = {}
        for name, text in row.items():
            if name not in by_name and not strict:
                continue
            try:
                value = parse_cell(by_name[name], text)
            except ValueError:
                if strict:
                    raise
                value = restore(text)
            if value is not None:
                set_path(data, by_name[name].keys, value)
        homes[data.get("location_id") or row.get("location_id") or ""] = data
    return homes


def read_tables(homes_csv: str, capabilities_csv: str, schema: Schema | None = None) -> list[dict]:
    """Published tables back to nested profiles (the inverse of ``build_tables``)."""
    schema = schema or load_schema()
    homes = read_homes(homes_csv, schema)
    cap_fields = {f.name: f for f in schema.capability_fields}
    for row in csv.DictReader(io.StringIO(capabilities_csv)):
        home = homes[row["location_id"]]
        for name, text in row.items():
            if name in ("location_id", "capability"):
                continue
            value = parse_cell(cap_fields[name], text)
            if value is not None:
                set_path(home, ("capabilities", row["capability"], cap_fields[name].path.rsplit(".", 1)[1]), value)
    return [canonical(h, schema) for h in homes.values()]
