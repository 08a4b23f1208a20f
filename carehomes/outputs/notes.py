"""The data-file notes: what each published file is and its format, for the open data page's list of files."""
from __future__ import annotations

from collections.abc import Collection

from ..kinds import Kind, kinds
from ..schema import Schema
from .tables import DB_FILE, EXCEL_CSV, FIRST, GEOJSON_FILE, XLSX_FILE


def _kind_notes(k: Kind) -> dict[str, tuple[str, str]]:
    """A kind's table and JSON (the first kind's words are the care homes' own, as published)."""
    if k.resource == FIRST.resource:
        return {k.csv_file: ("One row per care home", "CSV")}
    return {k.csv_file: (f"One row per {k.title.lower()}", "CSV"),
            k.json_file: (f"One object per {k.title.lower()}, shaped like the profiles", "JSON")}


FILE_NOTES: dict[str, tuple[str, str]] = {
    **_kind_notes(FIRST),
    EXCEL_CSV: (f"{FIRST.csv_file} for Excel: the same table in UTF-8 with a byte order mark, so accented names open correctly when you double-click it on Windows ({XLSX_FILE} opens correctly everywhere)", "CSV (UTF-8 with BOM)"),
    "capabilities.csv": ("One row per home and need (the capability matrix)", "CSV"),
    FIRST.json_file: ("One object per home, shaped like the profiles", "JSON"),
    "datapackage.json": ("Description of the files: columns, types, rules, licence and sources", "JSON (Frictionless data package)"),
    GEOJSON_FILE: ("Each location as a point on a map, for any map tool", "GeoJSON"),
    "oruk-services.json": ("Every service's full Open Referral UK (HSDS 3.0 UK profile) record, in one file; facts the standard "
                           "lacks are in its kind's extension object (" + ", ".join(f"{k.oruk_extension} for {k.plural.lower()}" for k in kinds())
                           + "). The same records are a static ORUK API at ../oruk/ (use it as the base URL in ORUK tools)",
                           "JSON (Open Referral UK service package)"),
    "oruk-tabular/datapackage.json": ("The same Open Referral UK records as CSV tables (the UK profile's tabular form, for ORUK tools that read it): this file describes the tables in the folder oruk-tabular/", "JSON (Frictionless data package of CSV tables)"),
    XLSX_FILE: ("The homes, their needs and the NHS trusts as an Excel workbook that any spreadsheet opens as it is (dates as dates, IDs and phone numbers as text), with a data dictionary sheet", "Excel workbook (.xlsx)"),
    DB_FILE: ("The same tables, the releases and changes and the data dictionary as one SQLite database, for SQL and Datasette", "SQLite database"),
    "nhs-trusts.csv": ("NHS trusts by their NHS organisation (ODS) code: the names of the codes in acute_trusts", "CSV"),
    "changes.atom": ("Changes between releases, to subscribe to in a feed reader", "Atom feed"),
}
for _k in kinds()[1:]:  # every other kind's files, said the same way
    FILE_NOTES.update(_kind_notes(_k))


def file_notes(schema: Schema, held: Collection[str] | None = None) -> dict[str, tuple[str, str]]:
    """FILE_NOTES plus the files of every kind ``schema`` declares (a schema may hold kinds the bundled one does not).
    ``held``: the ids of the kinds some service in the data is, when known; a kind's table and JSON that hold none (the
    home care agencies' on a site of care homes alone), and the needs table when no such kind is held, are said to be
    empty, so nobody downloads them to find nothing."""
    notes = dict(FILE_NOTES)
    for k in kinds(schema)[1:]:
        notes.update(_kind_notes(k))
    if held is None:
        return notes
    for k in kinds(schema):
        if k.id not in held:
            for name in (k.csv_file, k.json_file):
                if name in notes:
                    notes[name] = (f"{notes[name][0]}. Empty for now: this directory has no {k.plural.lower()} yet. "
                                   f"{_EMPTY.get(notes[name][1], 'The file has no rows.')}", notes[name][1])
    if not any(k.id in held for k in kinds(schema) if k.needs_resource == "capabilities") and "capabilities.csv" in notes:
        what, form = notes["capabilities.csv"]
        notes["capabilities.csv"] = (f"{what}. Empty for now: no service in this directory has a capability matrix yet. "
                                     f"{_EMPTY.get(form, 'The file has no rows.')}", form)
    return notes


_EMPTY = {"CSV": "The file has column headings only.", "JSON": "The file is an empty list."}  # an empty table's words, by format
