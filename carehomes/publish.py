"""The publish-data stage: profiles to the open data files, as bytes keyed by file name.

Each format is written by its module in ``outputs/``; this stage runs them over every home (on
every core for large sets) and puts the files together for one release date.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from . import configfile
from .fsutil import write_set
from .kinds import default_kind, kinds
from .load import Profile
from .outputs.geojson import feature_collection
from .outputs.oruk import service_package
from .outputs.oruk_tabular import FOLDER as ORUK_TABULAR
from .outputs.oruk_tabular import tabular_files_joined
from .outputs.pieces import HomePieces, home_pieces
from .outputs.sqlite import database
from .outputs.tables import (
    DB_FILE,
    EXCEL_CSV,
    GEOJSON_FILE,
    XLSX_FILE,
    about_rows,
    csv_writer,
    excel_csv,
    package_descriptor,
    package_sources,
    release_version,
    tables_text,
)
from .parallel import Beside, map_chunks, no_cycle_collection
from .outputs.typed import joined_rows, owners_holding, typed_tables
from .outputs.xlsx import workbook
from .safetext import plain
from .schema import ROOT, Schema, load_schema
from .validate import today as england_today

if TYPE_CHECKING:
    from .releases import Entry

__all__ = ["HomePieces", "build_tables", "data_files", "home_pieces", "join_pieces", "release_date", "release_version", "write_data", "write_files"]


def release_date(today: dt.date | None = None) -> dt.date:
    """The release date: today (``today``, else England's: validate.today), or SOURCE_DATE_EPOCH (read as UTC) for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch.strip().lstrip("0") or "0"), dt.UTC).date()  # as source_date_problem
    return today or england_today()


_LAST_DAY = int(dt.datetime(9999, 12, 31, 23, 59, 59, tzinfo=dt.UTC).timestamp())


def source_date_problem() -> str | None:
    """What is wrong with SOURCE_DATE_EPOCH, with what to do, or None when it is unset, empty or a day this tool can
    date a release with: seconds since 1970 in figures, as ``date +%s`` prints them (reproducible-builds.org: a malformed
    value should stop the build). 'abc', '1e9' or a number past the year 9999 ended data and build in a traceback, and
    '-1' dated the open data 1969.12.31."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    figures = epoch.strip()
    if not epoch or (figures.isascii() and figures.isdigit() and len(figures.lstrip("0")) <= len(str(_LAST_DAY))
                     and int(figures.lstrip("0") or "0") <= _LAST_DAY):  # int() of over 4,300 figures is a ValueError
        return None
    return (f"SOURCE_DATE_EPOCH='{plain(epoch, 40)}': is not a day to date the release with (the seconds since 1 January "
            "1970, UTC, in figures, as 'date +%s' prints them, such as 1764979200 for 6 December 2025); set it to such a "
            "number, or unset it to date the release today")



def _chunk(args: tuple[list[dict], Schema | None]) -> list[HomePieces]:
    """``home_pieces`` for a run of homes (in a worker process for large sets)."""
    datas, given = args
    schema = given or load_schema()
    return [home_pieces(data, schema) for data in datas]


def join_pieces(homes: list[HomePieces], schema: Schema | None = None) -> dict[str, Any]:
    """The homes' pieces put together in location ID order: each kind's CSV rows and JSON texts (keyed by
    kind id), the capabilities rows, ORUK services (JSON) and their tabular lines, map points and typed rows by table."""
    homes = sorted(homes, key=lambda h: h.key)
    ids = [k.id for k in kinds(schema)]
    rows: dict[str, list[str]] = {k: [] for k in ids}
    json_lines: dict[str, list[str]] = {k: [] for k in ids}
    for h in homes:
        for k, row in zip(h.kinds, h.rows, strict=True):
            rows[k].append(row)
            json_lines[k].append(h.json)
    return {"rows": {k: "".join(r) for k, r in rows.items()}, "json": json_lines,
            "caps": "".join(h.caps for h in homes), "oruk": [h.oruk for h in homes],
            "tabular": [h.tabular for h in homes], "geo": [h.geo for h in homes if h.geo],
            "typed": joined_rows([h.typed for h in homes], schema or load_schema())}


def _pieces(profiles: list[Profile], schema: Schema | None = None, workers: int | None = None) -> dict[str, Any]:
    parts = map_chunks(_chunk, [p.data for p in profiles], schema, workers=workers)
    return join_pieces([h for part in parts for h in part], schema)


def build_tables(profiles: list[Profile], schema: Schema | None = None, pieces: dict[str, Any] | None = None) -> dict[str, str]:
    """The published tables and JSON, keyed by file name. Rows are ordered by location ID."""
    schema = schema or load_schema()
    pieces = pieces or _pieces(profiles, schema)
    return {**tables_text(pieces["rows"], pieces["caps"], pieces["json"], schema), "nhs-trusts.csv": nhs_trusts_csv()}


def nhs_trusts_csv() -> str:
    """The NHS trust names for the codes in acute_trusts (schema/nhs-trusts.csv, from NHS ODS), written
    like the other tables (RFC 4180: CRLF line ends, whatever the line ends of the file kept in git)."""
    from .sources.nhs_ods import TRUSTS_PATH

    buf = io.StringIO()
    csv_writer(buf).writerows(csv.reader(io.StringIO(TRUSTS_PATH.read_text(encoding="utf-8"), newline="")))
    return buf.getvalue()


def site_url(config: Path | None = None) -> str | None:
    """The site's address (``site_url`` in mkdocs.yml), the data package's homepage; None when not set."""
    return configfile.site_url(config or ROOT / "mkdocs.yml")


def site_name(config: Path | None = None) -> str | None:
    """The site's name (``site_name`` in mkdocs.yml), the data package's title; None when not set."""
    return configfile.site_name(config or ROOT / "mkdocs.yml")


def data_files(profiles: list[Profile], schema: Schema | None = None, released: dt.date | None = None,
               homepage: str | None = None, entries: list[Entry] | None = None,
               made: list[HomePieces] | None = None, title: str | None = None,
               meanwhile: Callable[[], Any] | None = None,
               with_services: Callable[[bytes, list[dict]], Any] | None = None, site: bool = True,
               releases: bool = True) -> dict[str, bytes]:
    """Every open data file's bytes, keyed by file name, for the release dated ``released`` (default: today).

    ``homepage`` (default: site_url in mkdocs.yml) is the data package's homepage and ``title`` (default: its
    site_name, else the schema's title) its title; "" for either is none of the settings' (no homepage, the schema's
    title: merge's package is no one site's); ``entries`` (the changelog, ``releases.changelog``) fill the
    database's releases and changes tables. ``made``: every profile's pieces, already made where it was checked
    (``check_paths(pieces=True)``), else made here. ``meanwhile()`` is run here while the workbook is made beside
    (for a large set: the build makes the engine's pages then), before the files are given; ``with_services(services,
    sources)`` as soon as oruk-services.json's bytes are made, with the sources datapackage.json will name (the build
    starts its static ORUK API there, beside the rest). ``site=False``: datapackage.json names only the files written
    here, not a site's feed, release snapshots and ORUK API, and the database holds no changelog (the releases and
    changes tables): the data command's files and merge's package, which are their folder alone. ``releases``: whether
    the site keeps release snapshots, which datapackage.json then names."""
    with no_cycle_collection():  # millions of rows and cells, next to no reference cycles
        return _data_files(profiles, schema or load_schema(), released or release_date(),
                           site_url() if homepage is None else homepage or None, entries, made,
                           site_name() if title is None else title or None, meanwhile, with_services, site, releases)


def _beside_database(tables: list, released: dt.date, title: str, pieces: dict[str, Any], homepage: str | None,
                     entries: list[Entry] | None = None, site: bool = True,
                     about: list[tuple[str, str]] | None = None) -> tuple[bytes, dict[str, bytes], bytes | None]:
    """What is made beside the database (on the other core, for large sets): the workbook and the ORUK tabular form
    (from the lines made with each home's pieces). With ``entries`` (the changelog), the database too (else None):
    when the caller's own process has other work meanwhile (the build's pages); its changelog tables only for a site's."""
    return (workbook(tables, released, title, about), tabular_files_joined(pieces["tabular"], released, homepage, site),
            None if entries is None else database(tables, entries if site else None, about))


def _data_files(profiles: list[Profile], schema: Schema, released: dt.date, homepage: str | None, entries: list[Entry] | None,
                made: list[HomePieces] | None, title: str | None = None,
                meanwhile: Callable[[], Any] | None = None,
                with_services: Callable[[bytes, list[dict]], Any] | None = None, site: bool = True,
                releases: bool = True) -> dict[str, bytes]:
    pieces = join_pieces(made, schema) if made is not None else _pieces(profiles, schema)
    files = {name: text.encode("utf-8") for name, text in build_tables(profiles, schema, pieces).items()}
    pkg = package_descriptor(files, schema, released, homepage, title=title)  # the tables' metadata, for the files below
    files[EXCEL_CSV] = excel_csv(files[default_kind(schema).csv_file].decode("utf-8"))
    tables = typed_tables(files, pkg, rows=pieces["typed"])  # with their types, for the workbook and the database
    owners = owners_holding(tables, schema.package)  # a source of one owner's facts is named only when they are here
    # what the workbook and the database say of themselves, handed on alone: the licence and the sources of the facts held
    sources = package_sources(schema, owners)
    about = about_rows(str(pkg.get("title") or ""), released, pkg.get("licenses", []), sources)
    services = service_package(pieces["oruk"])  # each record's JSON joined (nationally 0.08 s)
    if with_services is not None:
        with_services(services, sources)
    # the database in this process, beside the workbook; or, when this process has work of its own meanwhile (the
    # build's pages: nationally 2.2 s against the database's 1.1 s), beside it too
    with Beside(_beside_database, tables, released, pkg.get("title", ""), pieces, homepage,
                None if meanwhile is None else entries or [], site, about, items=len(profiles)) as beside:
        files[XLSX_FILE] = b""  # its place among the files, filled below
        # the changelog's tables only in a site's database (build's: its releases and feed beside it), not data's or merge's
        files[DB_FILE] = database(tables, (entries or []) if site else None, about) if meanwhile is None else b""
        files[GEOJSON_FILE] = feature_collection(pieces["geo"], pkg).encode("utf-8")
        if meanwhile is not None:
            meanwhile()
        files[XLSX_FILE], tabular_made, db = beside.result()
        files["oruk-services.json"] = services
        if db is not None:
            files[DB_FILE] = db
    files.update({f"{ORUK_TABULAR}/{name}": data for name, data in tabular_made.items()})
    pkg = package_descriptor(files, schema, released, homepage, owners, title, site, releases)  # now describing every file
    files["datapackage.json"] = (json.dumps(pkg, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def write_files(files: dict[str, bytes], out_dir: Path, atomic: bool = True) -> dict[str, int]:
    """Write each file into ``out_dir`` (names may hold folders), leaving every other file there alone: atomically as a
    set (every file is written beside its place first and only then are all put in place, so a full disk or an error
    half way leaves every file as it was, never a package describing files it does not hold), or (``atomic=False``, for
    a new build no one reads yet) straight."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if atomic:
        write_set((out_dir / name, data) for name, data in files.items())
    else:
        made: set[Path] = set()
        for name, data in files.items():
            path = out_dir / name
            if path.parent not in made:
                path.parent.mkdir(parents=True, exist_ok=True)
                made.add(path.parent)
            path.write_bytes(data)
    return {name: len(data) for name, data in files.items()}


def write_data(profiles: list[Profile], out_dir: Path, schema: Schema | None = None,
               homepage: str | None = None, made: list[HomePieces] | None = None, title: str | None = None,
               site: bool = True) -> dict[str, int]:
    """Write every open data file into ``out_dir`` (``homepage``, ``made``, ``title``, ``site``: as data_files). Returns
    name -> bytes."""
    return write_files(data_files(profiles, schema, homepage=homepage, made=made, title=title, site=site), out_dir)
