"""care-homes.db: the open data as one SQLite database for analysts (Datasette, sqlite3, any SQL tool).

One table a data package table (its name with underscores: care_homes, capabilities, nhs_trusts), typed
from the package, with its primary key, foreign keys and indexes; in a site's (build's), releases and changes (the
changelog, whose releases and feed are published beside it); and the data dictionary in the tables dictionary_tables and dictionary_columns. Written with sqlite-utils.
Lists are JSON arrays (use json_each), yes/no are 1/0, dates are text written YYYY-MM-DD.
"""
from __future__ import annotations

import json
import operator
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlite_utils
from sqlite_utils.db import jsonify_if_needed

from .tables import DB_FILE, FIRST
from .typed import Table, field_description, is_identifier

if TYPE_CHECKING:
    from ..releases import Entry

SQL_TYPES = {"integer": int, "number": float, "boolean": int}
EXAMPLE_QUERY = (f"select address_town, cqc_rating, count(*) as homes from {FIRST.resource.replace('-', '_')} "
                 "group by address_town, cqc_rating order by address_town, homes desc")
EXTRA_TABLES: dict[str, tuple[str, dict[str, tuple[type, str]]]] = {  # (description, {column: (type, description)})
    "releases": ("Each data release (a snapshot kept under releases/<date>/ on the site).", {
        "date": (str, "The day of the release, YYYY-MM-DD."),
        "title": (str, "The release's title as on the Changes page."),
        "changes": (int, "How many changes the release made since the one before.")}),
    "changes": ("Each change between releases: homes added, removed or renamed, rating, registration and bed changes; "
                "release is empty for changes not released yet.", {
                    "id": (str, "The change's entry in the Atom feed changes.atom."),
                    "release": (str, "The release that made the change (releases.date), or empty if not released yet."),
                    "kind": (str, "added, removed, renamed, status (off CQC's register, or back on it), rating or beds."),
                    "location_id": (str, "The home's CQC location ID (a removed home is no longer in care_homes)."),
                    "name": (str, "The home's name."),
                    "before": (str, "The value before the change."),
                    "after": (str, "The value after the change."),
                    "published": (str, "For a rating: the day CQC published it; for a status: the day CQC gives for it."),
                    "sentence": (str, "The change in words, as in the feed.")}),
}


def table_name(resource: str) -> str:
    """A data package resource's table name in SQL: care-homes -> care_homes."""
    return resource.replace("-", "_")


def _value(f: dict, value: Any) -> Any:
    if value is None:
        return None
    if f.get("type") == "boolean":
        return int(value)
    if f.get("type") == "date":
        return value.isoformat()
    if f.get("type") == "list":
        return value  # sqlite-utils stores a list as a JSON array
    if is_identifier(f):
        return str(value)
    return value


def _column_type(f: dict) -> Any:
    return str if is_identifier(f) else SQL_TYPES.get(f.get("type", ""), str)


def _add_table(db: sqlite_utils.Database, t: Table) -> None:
    name = table_name(t.name)
    fks = [(fk["fields"][0], table_name(fk["reference"]["resource"]), fk["reference"]["fields"][0])
           for fk in t.foreign_keys if len(fk["fields"]) == 1]
    db.table(name).create({f["name"]: _column_type(f) for f in t.fields}, pk=tuple(t.primary_key) if len(t.primary_key) > 1
                    else (t.primary_key[0] if t.primary_key else None), foreign_keys=fks, not_null=set(t.primary_key))
    _insert_rows(db, name, t)
    for f in t.fields:
        c = f.get("constraints", {})
        if f["name"] not in t.primary_key and (c.get("unique") or c.get("enum") or any(f["name"] == k[0] for k in fks)):
            db.table(name).create_index([f["name"]], unique=bool(c.get("unique")))


def _cell(f: dict) -> Any:
    """How a field's values are stored: ``_value``, then a list as sqlite-utils stores it (a JSON array);
    None for text: a typed table's text is str already, which sqlite-utils stores as it is."""
    if f.get("type") == "list":
        return _json_list
    if f.get("type") == "boolean":
        return _flag
    if f.get("type") == "date":
        return _day
    if is_identifier(f):
        return _text
    if f.get("type", "string") == "string":
        return None
    return jsonify_if_needed


# _value for one kind of column each (the same values, without looking at the field for every value)
def _json_list(v: Any) -> Any:
    return None if v is None else json.dumps(v, default=repr, ensure_ascii=False)


def _flag(v: Any) -> Any:
    return None if v is None else int(v)


def _day(v: Any) -> Any:
    return None if v is None else v.isoformat()


def _text(v: Any) -> Any:
    return None if v is None else str(v)


# The types of value each converter stores as they are (SQLite stores True as 1 and False as 0, as int() gives
# them): a column holding no other type is left as it is
_AS_STORED: dict[Callable[[Any], Any], frozenset[type]] = {
    _flag: frozenset((bool, int, type(None))), _text: frozenset((str, type(None))), _day: frozenset((type(None),)),
    _json_list: frozenset((type(None),)), jsonify_if_needed: frozenset((bool, int, float, str, type(None)))}


def _changing(cells: list[tuple[int, Callable[[Any], Any]]], columns: list[tuple[Any, ...]]) -> list[tuple[int, Callable[[Any], Any]]]:
    """The columns (index, converter) whose converter changes one of their values (``columns``: each column's values):
    the others (nationally a number column's numbers, a yes/no column's True and False, every column of the
    capabilities table, empty) are stored as they are, with no Python call for each value."""
    return [(c, cell) for c, cell in cells if not set(map(type, columns[c])) <= _AS_STORED.get(cell, frozenset())]


def _insert_rows(db: sqlite_utils.Database, name: str, t: Table) -> None:
    """A table's rows in one statement prepared once, in one transaction: the values sqlite-utils'
    insert_all would store, without its per-row dictionaries and queries (a third of the data command);
    only the columns whose values change are converted, and a column empty in every row is left out of the statement
    (SQLite stores the same empty value for it: the same file). Nationally 58 of the care homes' 88 columns are empty
    in every row, a million values the sqlite3 module no longer binds: the database 2.1 s of CPU to 1.35."""
    if set(map(len, t.rows)) - {len(t.fields)}:
        raise ValueError(f"{name}: a row has not {len(t.fields)} values")
    if not t.rows:
        return
    columns = list(zip(*t.rows, strict=True))  # once, in C: each column's values (not an itemgetter call for each value)
    keep = [c for c, values in enumerate(columns) if values.count(None) < len(values)] or [0]
    cells = _changing([(c, cell) for c, cell in enumerate(_cell(f) for f in t.fields) if cell is not None and c in keep],
                      columns)
    pick = operator.itemgetter(*keep) if len(keep) > 1 else (lambda row: (row[keep[0]],))
    names = ", ".join(f"[{t.fields[c]['name']}]" for c in keep)

    def stored(row: list[Any]) -> Any:
        out = list(row)
        for c, cell in cells:
            out[c] = cell(out[c])
        return pick(out)

    with db.conn:
        db.conn.executemany(f"INSERT INTO [{name}] ({names}) VALUES ({', '.join('?' * len(keep))})",
                            map(stored, t.rows) if cells else map(pick, t.rows))


def _changelog(db: sqlite_utils.Database, entries: list[Entry]) -> None:
    for name, (_, columns) in EXTRA_TABLES.items():
        db.table(name).create({c: kind for c, (kind, _) in columns.items()}, pk="date" if name == "releases" else None,
                        foreign_keys=[("release", "releases", "date")] if name == "changes" else [])
    released = sorted((e for e in entries if not e.unreleased), key=lambda e: e.date)
    # rows as tuples in one prepared statement each, not sqlite-utils' dictionary a row (the same values, text or empty:
    # nationally a first changelog of 15,000 homes added took 1 s of CPU in the build's own process)
    with db.conn:
        db.conn.executemany("INSERT INTO [releases] ([date], [title], [changes]) VALUES (?, ?, ?)",
                            [(e.date.isoformat(), e.title, len(e.changes)) for e in released])
        db.conn.executemany(f"INSERT INTO [changes] ({', '.join(f'[{c}]' for c in EXTRA_TABLES['changes'][1])}) "
                            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            [(ident, None if e.unreleased else e.date.isoformat(), c.kind, c.location_id, c.name, c.before,
                              c.after, c.published, c.sentence())
                             for e in sorted(entries, key=lambda e: (e.unreleased, e.date)) for ident in (e.id,) for c in e.changes])
    db.table("changes").create_index(["location_id"])
    db.table("changes").create_index(["release"])


def _about(db: sqlite_utils.Database, rows: list[tuple[str, str]]) -> None:
    """The table ABOUT_TABLE, and its place in the data dictionary."""
    name, description, columns = ABOUT_TABLE
    db.table(name).create({c: str for c in columns})
    with db.conn:
        db.conn.executemany(f"INSERT INTO [{name}] ([about], [details]) VALUES (?, ?)", rows)
    db.table("dictionary_tables").insert({"table_name": name, "title": "Licence and sources", "description": description})
    db.table("dictionary_columns").insert_all([{"table_name": name, "column_name": c, "title": c.capitalize(), "type": "string",
                                                "owner": None, "description": d} for c, d in columns.items()])


def _dictionary(db: sqlite_utils.Database, tables: list[Table], changelog: bool = True) -> None:
    db.table("dictionary_tables").create({"table_name": str, "title": str, "description": str}, pk="table_name")
    db.table("dictionary_columns").create({"table_name": str, "column_name": str, "title": str, "type": str, "owner": str,
                                     "description": str}, pk=("table_name", "column_name"),
                                    foreign_keys=[("table_name", "dictionary_tables", "table_name")])
    db.table("dictionary_tables").insert_all([{"table_name": table_name(t.name), "title": t.title, "description": t.description}
                                        for t in tables]
                                       + [{"table_name": n, "title": n.capitalize(), "description": d}
                                          for n, (d, _) in EXTRA_TABLES.items() if changelog])
    db.table("dictionary_columns").insert_all(
        [{"table_name": table_name(t.name), "column_name": f["name"], "title": f.get("title", f["name"]),
          "type": "text" if is_identifier(f) else f.get("type", "string"), "owner": f.get("owner"),
          "description": field_description(f)} for t in tables for f in t.fields]
        + [{"table_name": n, "column_name": c, "title": c, "type": "integer" if kind is int else "string", "owner": None,
            "description": d} for n, (_, cols) in EXTRA_TABLES.items() if changelog for c, (kind, d) in cols.items()])


ABOUT_TABLE = ("licence_and_sources", "The data set and its release, its licence, and each source with its attribution, "
               "as datapackage.json names them.", {"about": "What the row is about: the data set, the licence or a "
                                                   "source.", "details": "Its title, attribution and address."})


def database(tables: list[Table], entries: list[Entry] | None, about: list[tuple[str, str]] | None = None) -> bytes:
    """The database file's bytes; ``entries``: the changelog, in the tables releases and changes (None: no such tables,
    nor their entries in the data dictionary: a database without a site's releases and feed beside it); ``about``
    (tables.about_rows): the licence and sources, in the table ABOUT_TABLE, for a database handed on alone."""
    with tempfile.TemporaryDirectory(prefix="carehomes-db-") as tmp:
        path = Path(tmp) / DB_FILE
        db = sqlite_utils.Database(path)
        # a scratch file read back whole at the end: no waiting for the disk after each step, and a page cache the
        # national database fits in (SQLite's default is 2 MB), so no page is written out until the end (the same bytes)
        db.conn.execute("PRAGMA synchronous=OFF")
        db.conn.execute("PRAGMA journal_mode=MEMORY")
        db.conn.execute("PRAGMA cache_size=-65536")
        try:
            for t in tables:
                _add_table(db, t)
            if entries is not None:
                _changelog(db, entries)
            _dictionary(db, tables, entries is not None)
            if about:
                _about(db, about)
            db.vacuum()
        finally:
            db.close()
        return path.read_bytes()
