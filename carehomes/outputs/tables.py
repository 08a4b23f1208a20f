"""The tables: one CSV and one JSON file per kind of service (care-homes.csv, care-homes.json),
capabilities.csv and datapackage.json.

Every column, its type and its order come from the schema; cells are neutralised so a
spreadsheet never runs them as formulas, and ``read_tables`` undoes ``cell`` exactly.
"""
from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from ..kinds import Kind, default_kind, kinds
from ..records import canonical, flatten, set_path
from ..schema import Field, Schema, load_schema
from ..text import FORMULA_START, and_list, neutralise, restore


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


AS_IS = frozenset((*FORMULA_START, "'"))  # a text cell starting with none of these is written as it is (neutralise)


def home_row(data: dict, schema: Schema, flat: dict[str, Any] | None = None, kind: Kind | None = None) -> list[str]:
    """One row of a kind's table (care-homes.csv for the first kind): ``cell`` of each field's value, with the two
    commonest cases (no value; text needing no apostrophe) done here."""
    get = (flatten(data) if flat is None else flat).get
    return ["" if (value := get(path)) is None else value if text and type(value) is str and value[:1] not in AS_IS
            else cell(f, value) for path, text, f in (kind or default_kind(schema)).cell_specs]


def capability_rows(data: dict, schema: Schema) -> list[list[str]]:
    """The capabilities.csv rows of one home, one per need."""
    rows = []
    found = data.get("capabilities")
    caps: dict[str, Any] = found if isinstance(found, dict) else {}
    fields = schema.capability_fields
    if not caps:  # most homes: every need's row is its location ID, the need and nothing (cell(f, None) is "")
        names = [f.name for f in fields]
        location = next((cell(f, data.get("location_id")) for f in fields if f.name == "location_id"), "")
        return [[location if n == "location_id" else code if n == "capability" else "" for n in names]
                for code in schema.capability_codes]
    for code in schema.capability_codes:
        item = caps.get(code)
        entry: dict[str, Any] = item if isinstance(item, dict) else {}
        row = []
        for f in fields:
            if f.name == "location_id":
                row.append(cell(f, data.get("location_id")))
            elif f.name == "capability":
                row.append(code)
            else:
                row.append(cell(f, entry.get(f.path.rsplit(".", 1)[1])))
        rows.append(row)
    return rows


CRLF = "\r\n"  # RFC 4180 section 2: each record ends with CRLF
FIRST = default_kind()  # the first kind's resource names the files holding every table (never renamed)
EXCEL_CSV = f"{FIRST.resource}-excel.csv"
XLSX_FILE = f"{FIRST.resource}.xlsx"
DB_FILE = f"{FIRST.resource}.db"
GEOJSON_FILE = f"{FIRST.resource}.geojson"
FORMULA_RULE = ("In the CSV files, a value that starts with =, +, -, @, a tab or a carriage return (or with an "
                "apostrophe followed by one of those or by another apostrophe) is written with one extra leading "
                "apostrophe (') so that a spreadsheet never runs it as a formula; remove that first apostrophe to get "
                "the value")


def formula_note(json_file: str = FIRST.json_file) -> str:
    """The formula rule as a CSV column's description ends, naming the JSON file that holds the table's values
    without the apostrophe: a kind's own JSON (home-care-agencies.json), else the first kind's."""
    return FORMULA_RULE + f" ({json_file} {'hold' if ' and ' in json_file else 'holds'} the values without it)."


FORMULA_NOTE = formula_note()


def csv_writer(buf: io.StringIO) -> Any:
    """A CSV writer for the published tables: RFC 4180 (CRLF, quotes only where needed)."""
    return csv.writer(buf, lineterminator=CRLF)


class _Echo:
    """A file whose ``write`` gives back what it was given: a CSV writer's ``writerow`` then returns the row's text."""

    def write(self, text: str) -> str:
        return text


class LineWriter:
    """``writerow(row)`` returns the row's CSV line (RFC 4180 as csv_writer writes it, CRLF ended): for a row of
    text cells none of which needs quoting (no comma, quote, CR, LF or NUL), the cells joined by commas, which is
    what the csv module writes for them; any other row through the csv module itself. Nationally 1.3 million rows,
    in a quarter of the time."""

    def __init__(self) -> None:
        self._csv = csv.writer(_Echo(), lineterminator=CRLF).writerow

    def writerow(self, row: Sequence[Any]) -> str:
        """The row's line."""
        try:
            text = ",".join(row)  # TypeError for a cell that is not text (the csv module writes it as it does)
        except TypeError:
            return self._csv(row)
        if not text or text.count(",") != len(row) - 1 or '"' in text or "\r" in text or "\n" in text or "\0" in text:
            return self._csv(row)  # quoting, an empty row, a lone empty cell (""), or what the csv module refuses
        return text + CRLF


def line_writer() -> LineWriter:
    """A CSV writer (as csv_writer) whose ``writerow`` returns the row's line (CRLF ended) instead of writing it
    anywhere: rows made one at a time in worker processes and joined later."""
    return LineWriter()


def excel_csv(homes_csv: str) -> bytes:
    """care-homes.csv for double-clicking in Excel on Windows: the same text, UTF-8 with a byte order mark.

    Without the BOM Excel reads a CSV as the Windows code page (Windows-1252), so é and ’ are garbled.
    """
    return homes_csv.encode("utf-8-sig")


def csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    buf = io.StringIO()
    w = csv_writer(buf)
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def json_array(lines: list[str]) -> str:
    """A JSON array of items already written as JSON text, one a line."""
    return "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"


def tables_text(kind_rows: dict[str, str], capability_rows_text: str, json_lines: dict[str, list[str]],
                schema: Schema) -> dict[str, str]:
    """Each kind's CSV and JSON and the capabilities table, keyed by file name, from rows already written
    (``kind_rows`` and ``json_lines`` keyed by kind id)."""
    out: dict[str, str] = {}
    for k in kinds(schema):
        out[k.csv_file] = csv_text([f.name for f in k.fields], []) + kind_rows.get(k.id, "")
        if k.needs_resource == "capabilities":
            out["capabilities.csv"] = csv_text([f.name for f in schema.capability_fields], []) + capability_rows_text
        out[k.json_file] = json_array(json_lines.get(k.id, [])) + "\n"
    return out


DP_V2 = "https://datapackage.org/profiles/2.0/datapackage.json"
JSON_DESCRIPTION = ("One object per {}, shaped like the profiles (nested), with the same values as the CSV tables "
                    "and no formula apostrophes.")  # a kind's JSON file: the first kind's says 'home', as published
ORUK_API_NOTE = " The same records are served as a static ORUK API under oruk/ on the site."  # a site's, not merge's
CHANGELOG_NOTE = ", releases and changes (the changelog)"  # the database's tables of a site's (build's), not data's or merge's
OTHER_FILES = {  # published beside the tables; described as (non-tabular) resources
    FIRST.json_file: (f"{FIRST.resource}-json", f"{FIRST.plural} as JSON", "json", "application/json", JSON_DESCRIPTION.format("home")),
    GEOJSON_FILE: (f"{FIRST.resource}-geojson", f"{FIRST.plural} as GeoJSON", "geojson", "application/geo+json",
                   f"Every location with coordinates as a GeoJSON Point feature (RFC 7946), for any map tool: "
                   f"{and_list([k.plural.lower() for k in kinds()])} alike, one feature per location (one that is "
                   f"both is one feature), its kinds in the property kinds; count or filter by kinds, not by features. "
                   f"A point that is not the service itself (an agency's office) says so in point and point_note."),
    "oruk-services.json": ("oruk-services", "Care homes as Open Referral UK services", "json", "application/json",
                           f"Every location's full Open Referral UK (HSDS 3.0 UK profile) service record, as the profile's "
                           f"service package (a JSON array): {and_list([k.plural.lower() for k in kinds()])} alike, one "
                           f"service per location (one that is both is one service), its kinds as care_type attributes."
                           + ORUK_API_NOTE),
    XLSX_FILE: (f"{FIRST.resource}-xlsx", f"{FIRST.plural} as an Excel workbook", "xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "The tables {tables} as sheets of one workbook, typed as in this package: "
                "numbers, yes/no (TRUE/FALSE) and dates as such, IDs and phone numbers as text, every text as text "
                "(never a formula, so without the CSV files' formula apostrophe), the header row frozen; a sheet "
                "'Data dictionary' describing every column; and a sheet 'Licence and sources' with the licence and each "
                "source's attribution, for the workbook handed on alone."),
    DB_FILE: (f"{FIRST.resource}-sqlite", f"{FIRST.plural} as a SQLite database", "sqlite", "application/vnd.sqlite3",
              "The tables as one SQLite database: {tables} (typed as in this package, "
              "with primary keys, foreign keys and indexes; lists as JSON arrays, yes/no as 1/0, dates as text "
              "YYYY-MM-DD){changelog}, the data dictionary in dictionary_tables and "
              "dictionary_columns, and the licence and each source's attribution in licence_and_sources. Open it in "
              "Datasette or any SQLite tool."),
    "oruk-tabular/datapackage.json": ("oruk-tabular", "Care homes in Open Referral UK tabular form", "json", "application/json",
                                      "The descriptor of a second data package, in the folder oruk-tabular/: the same "
                                      "Open Referral UK records as oruk-services.json, as the UK profile's CSV tables "
                                      "(organizations.csv, services.csv, service_at_location.csv, locations.csv, "
                                      "address.csv, contacts.csv, cost_options.csv, attribute.csv, taxonomy_terms.csv, "
                                      "taxonomies.csv and the profile's other tables, empty ones a header line only), "
                                      "for ORUK tools that read the tabular form. It lists each table's schema, size "
                                      "and hash."),
}
EXCEL_NOTE = (f"{EXCEL_CSV} ({FIRST.csv_file} with a UTF-8 byte order mark, for Excel on Windows; {XLSX_FILE} opens the "
              "same in every spreadsheet)")
TABULAR_NOTE = ("oruk-tabular/ (the Open Referral UK tabular form: the UK profile's CSV tables, described by "
                "oruk-tabular/datapackage.json)")
ALSO_PUBLISHED = " Also published with these files:"  # where a site's package begins to name what is beside it


def documented_files(releases: bool = True) -> str:
    """What a site publishes beside its package, but not as its resources (appended to its description): the
    release snapshots only when the site has any (``releases``)."""
    snapshots = (f"releases/<date>/ (every earlier release's {', '.join(k.csv_file for k in kinds())}, capabilities.csv "
                 "and datapackage.json); " if releases else "")
    return (f"{ALSO_PUBLISHED} {EXCEL_NOTE}; changes.atom (an Atom feed of the changes between releases: homes "
            f"added, removed or renamed, rating, registration and {FIRST.unit_one} changes); {snapshots}and, on the site, "
            "oruk/ (a static Open Referral UK API, base URL <site>/oruk: / with version and openapi_url, services, "
            "services/{id}, taxonomies, taxonomy_terms and service_at_locations, each answered from <path>/index.html "
            f"holding JSON); {TABULAR_NOTE}.")


# a package that is its folder alone (merge's: no site, so no feed, release snapshots or static ORUK API beside it)
FOLDER_FILES = f" Also in this folder: {EXCEL_NOTE}; {TABULAR_NOTE}."


def is_identifier(f: dict) -> bool:
    """An ID column (location_id, provider_id, food_hygiene_fhrs_id, code): kept as text, never a number,
    so no tool drops a leading zero or shows it as 1.2E+07."""
    return f["name"] in ("code", "location_id") or f["name"].endswith("_id")


def sheet_schema(table_schema: dict) -> dict:
    """The care-homes sheet's schema in the workbook: the table's, but IDs and lists as the text they are there."""
    fields = []
    for f in table_schema["fields"]:
        f = dict(f)
        if f.get("type") == "list" or (f.get("type") in ("integer", "number") and is_identifier(f)):
            f = {k: v for k, v in f.items() if k not in ("delimiter", "itemType", "constraints", "example")}
            f["type"] = "string"
        fields.append(f)
    return {**{k: v for k, v in table_schema.items() if k not in ("fields", "foreignKeys")}, "fields": fields}


def example_text(f: dict) -> str:
    """A field's example as the Data Package v2 profile wants it: a string, written as in the CSV."""
    ex = f["example"]
    if isinstance(ex, bool):
        return "true" if ex else "false"
    if isinstance(ex, list):
        return ";".join(str(v) for v in ex)
    return str(ex)


def package_sources(schema: Schema, owners: frozenset[str] | None = None) -> list[dict]:
    """The sources datapackage.json names: the schema's, less one that gives only an owner's facts (its ``x-owner``)
    that ``owners`` lacks (None: every owner), without that key (package_descriptor's)."""
    return _sources_where(schema, lambda owner: owners is None or owner in (None, *owners))


def owner_sources(schema: Schema, owner: str) -> list[dict]:
    """The sources datapackage.json names for one owner's facts alone (its ``x-owner``: CQC's register), as
    package_sources gives them: for a package holding no other source's facts (the ORUK tabular form)."""
    return _sources_where(schema, lambda of: of == owner)


def _sources_where(schema: Schema, keep: Callable[[str | None], bool]) -> list[dict]:
    """The schema's sources whose ``x-owner`` (None for a source of no one owner's facts) ``keep`` takes, copied,
    without that key."""
    return [{k: v for k, v in s.items() if k != "x-owner"} for s in copy.deepcopy(schema.package.get("sources", []))
            if keep(s.get("x-owner"))]


def about_rows(title: str, released: dt.date, licenses: list[dict], sources: list[dict]) -> list[tuple[str, str]]:
    """What a file handed on alone says of itself (the workbook's sheet and the database's table ABOUT): the data
    set and its release, its licence, and each source with its attribution, as datapackage.json names them
    (``sources``: package_sources, for the owners whose facts the files hold)."""
    rows = [("Data set", f"{title}, released {released.isoformat()}" if title else f"Released {released.isoformat()}")]
    rows += [("Licence", " ".join(x for x in (str(lic.get("title") or lic.get("name") or ""), str(lic.get("path") or "")) if x))
             for lic in licenses]
    rows += [(str(s.get("title") or ""), " ".join(x for x in (str(s.get("description") or ""), str(s.get("path") or "")) if x))
             for s in sources]
    return rows


def column_names(fields: list[dict]) -> Callable[[str], str]:
    """A description with each profile path of one of ``fields`` (their profilePath, 'contact.website') written as
    its column's name ('website'), as a reader of the table sees it; the profile's fields reference keeps the paths."""
    columns = {f["profilePath"]: f["name"] for f in fields if isinstance(f.get("profilePath"), str) and f.get("name")}
    if not columns:
        return lambda text: text
    pattern = re.compile(r"(?<![\w.])(" + "|".join(map(re.escape, sorted(columns, key=len, reverse=True))) + r")(?!\w)")
    return lambda text: pattern.sub(lambda m: columns[m.group(1)], text)


DATE_NAMES = ("date", "confirmed", "updated")  # a group's date ('fees.date', 'capabilities.confirmed', 'hourly_rate.updated')


def fact_dates(fields: list[dict], k: Kind | None, beside: tuple[str, list[dict]] | None = None) -> dict[str, str]:
    """Each field's date column, from the schema (field name -> the column dating it): a kind's dated sets (its
    ``dated``) and its free places by its confirmed date; CQC's facts with a date of their own by it (cqc.rating by
    cqc.rating_date), else by the register data's date (cqc.imported); any other fact of a group holding a date of
    the same owner by that date (fees.date dates fees.nursing_from; staffing.date the turnover). ``beside``: the table
    ``fields`` belongs with, (its name, its fields) (a needs table's homes, whose capabilities.confirmed dates it:
    named 'care-homes.capabilities_confirmed'). A fact none of these reach is not dated in this data (an identifier, a
    council's fact, a provider's with no date: its phone, weekend admissions)."""
    table, others = beside or ("", [])
    known = {f["profilePath"]: (f"{table}.{f['name']}", f.get("owner")) for f in others if isinstance(f.get("profilePath"), str)}
    known.update({f["profilePath"]: (f["name"], f.get("owner")) for f in fields if isinstance(f.get("profilePath"), str)})
    declared = {fact: date for date, facts in k.dated for fact in facts} if k else {}
    if k and k.confirmed:
        declared.update({p: k.confirmed for p in k.available_paths if p not in declared})
    out: dict[str, str] = {}
    for f in fields:
        path, owner = f.get("profilePath"), f.get("owner")
        # the key is no dated fact; another identifier only CQC's (its provider's ID, as at its register)
        if not isinstance(path, str) or f.get("type") == "date" or path == "location_id" or (path.endswith("_id") and owner != "cqc"):
            continue
        if path in declared:
            candidates = [declared[path]]
        elif owner == "cqc":
            candidates = [path + "_date", "cqc.imported"]
        else:  # the group's own date, not the kind's confirmed date (beds.confirmed dates the free beds, not the totals)
            group = path.split(".", 1)[0]
            candidates = [f"{group}.{n}" for n in DATE_NAMES if "." in path and f"{group}.{n}" != (k.confirmed if k else None)]
        date = next((d for d in candidates if d in known and (path in declared or known[d][1] == owner)), None)
        if date is not None:
            out[f["name"]] = known[date][0]
    return out


def resource_dates(resources: list[dict], name: str, schema: Schema) -> dict[str, str]:
    """fact_dates for the resource ``name`` of a data package's ``resources``: with its kind, and for the needs table its
    homes' table beside it (datapackage.json's dateField and the open data page's dictionary, from one reading)."""
    by_name = {r["name"]: r for r in resources}
    first = default_kind(schema)
    beside = ((first.resource, by_name[first.resource].get("schema", {}).get("fields", []))
              if name == first.needs_resource and first.resource in by_name else None)
    return fact_dates(by_name[name].get("schema", {}).get("fields", []),
                      next((k for k in kinds(schema) if k.resource == name), None), beside)


def dated_words(owner: str | None, type_: str | None, date: str | None, code: Callable[[str], str] = str) -> str:
    """The sentence a field's description ends with: the column its date is in (``code``: how the column's name is
    written: as it is, or in HTML code), or, a fact of the service's, the FSA's or the council's (its locality), that it
    has none here."""
    if date:
        return f" Dated by {code(date)}."
    return " Not dated in this data." if owner in ("provider", "fsa", "council") and type_ != "date" else ""


def package_descriptor(files: dict[str, bytes], schema: Schema, released: dt.date, homepage: str | None = None,
                       owners: frozenset[str] | None = None, title: str | None = None, site: bool = True,
                       releases: bool = True) -> dict:
    """datapackage.json (Data Package v2) for the published files: the schema plus version, date, sizes and hashes.

    The tables are tabular resources; the other files in ``files`` named in OTHER_FILES are plain resources. A
    source that gives one owner's facts (its ``x-owner``) is listed only when ``owners`` (``typed.owners_holding``:
    the owners of whom a table holds a fact; None: every owner) has it: a site gathering no food hygiene ratings does
    not name the Food Standards Agency as a source, nor its licence's attribution. ``title``: the package's, when
    given (else the schema's). ``site``: whether the package is published on a site, beside its feed, release snapshots
    and static ORUK API, which the description then names, with the database's changelog tables; else (the data
    command's files, merge's package) it names only what its folder holds, and a database without a changelog.
    ``releases``: whether the site keeps release snapshots (a site without any does not name releases/).
    """
    pkg = copy.deepcopy(schema.package)
    pkg["sources"] = package_sources(schema, owners)
    pkg.pop("profile", None)  # v1; v2 names its profile in $schema
    pkg = {"$schema": DP_V2, **pkg}
    if title:  # the site's name (mkdocs.yml's site_name): "Oldham care directory", not the schema's generic title
        pkg["title"] = title
    pkg["schemaVersion"] = pkg["version"]
    pkg["version"] = release_version(released)
    pkg["created"] = f"{released.isoformat()}T00:00:00Z"
    pkg["description"] = pkg.get("description", "") + (documented_files(releases) if site else FOLDER_FILES)
    if homepage:
        pkg["homepage"] = homepage
    else:
        pkg.pop("homepage", None)
    json_files = {k.resource: k.json_file for k in kinds(schema)}
    for res in pkg["resources"]:
        if res.pop("profile", None) == "tabular-data-resource":
            res["type"] = "table"
        # the JSON holding the table's values without the apostrophe: a kind's own; a needs table's, its homes'; the
        # trusts', none (the workbook and the database hold them as they are)
        note = formula_note(json_files.get(res["name"], FIRST.json_file if res["name"] == FIRST.needs_resource else
                                           f"{XLSX_FILE} and {DB_FILE}"))
        columns = column_names(res.get("schema", {}).get("fields", []))
        dates = resource_dates(pkg["resources"], res["name"], schema)
        for f in res.get("schema", {}).get("fields", []):
            if "example" in f:
                f["example"] = example_text(f)
            if "description" in f:
                f["description"] = columns(f["description"]).rstrip() + dated_words(f.get("owner"), f.get("type"), dates.get(f["name"]))
            if f["name"] in dates:
                f["dateField"] = dates[f["name"]]
            if res.get("format") == "csv" and f.get("type") in ("string", "list") and "enum" not in f.get("constraints", {}):
                f["description"] = (f.get("description", "").rstrip() + " " + note).strip()
    tables = [r["name"] for r in pkg["resources"] if r.get("format") == "csv"]  # every table: the workbook's sheets, the database's tables
    named = {XLSX_FILE: and_list(tables), DB_FILE: and_list([t.replace("-", "_") for t in tables])}
    for path, (name, title, fmt, mediatype, description) in OTHER_FILES.items():
        if path in files:
            description = description.replace("{tables}", named.get(path, "")).replace("{changelog}", CHANGELOG_NOTE if site else "")
            if not site:
                description = description.removesuffix(ORUK_API_NOTE)
            pkg["resources"].append({"name": name, "path": path, "title": title, "description": description,
                                     "format": fmt, "mediatype": mediatype, "encoding": "utf-8"})
            if path == XLSX_FILE:  # a table too: its first sheet, the first kind's, typed as written (tools read it)
                homes = next(r for r in pkg["resources"] if r["name"] == FIRST.resource)
                pkg["resources"][-1].update(type="table", dialect={"sheetName": FIRST.resource},
                                            schema=sheet_schema(homes["schema"]))
    for k in kinds(schema)[1:]:  # every other kind's JSON, like the first kind's
        if k.json_file in files:
            pkg["resources"].append({"name": f"{k.resource}-json", "path": k.json_file, "title": f"{k.plural} as JSON",
                                     "description": JSON_DESCRIPTION.format(k.title.lower()), "format": "json",
                                     "mediatype": "application/json", "encoding": "utf-8"})
    for res in pkg["resources"]:
        data = files[res["path"]]
        res["bytes"] = len(data)
        res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    return pkg


def read_homes(homes_csv: str, schema: Schema, strict: bool = True, kind: Kind | None = None) -> dict[str, dict]:
    """A kind's CSV text (care-homes.csv by default) -> location ID -> nested record. With ``strict=False``
    (an older release whose columns may differ), columns the schema lacks are skipped and unreadable cells kept as text."""
    by_name = {f.name: f for f in (kind or default_kind(schema)).fields}
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
