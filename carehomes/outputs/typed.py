"""The published CSV tables read back as typed values, for the formats that keep types
(the workbook, the database): the columns and their types come from the data package."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from ..merge import parse_value
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


def typed_tables(files: dict[str, bytes], package: dict) -> list[Table]:
    """Every tabular resource of ``package`` (the published datapackage.json) found in ``files``, read with
    its fields' types; text loses its formula apostrophe, as in care-homes.json."""
    out = []
    for res in package["resources"]:
        if res.get("type") != "table" or res["path"] not in files:
            continue
        fields = res["schema"]["fields"]
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
