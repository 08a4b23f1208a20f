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
from typing import TYPE_CHECKING, Any

from . import configfile
from .fsutil import write_bytes_atomic
from .kinds import default_kind, kinds, kinds_of
from .load import Profile
from .outputs.geojson import feature_collection, geo_feature
from .outputs.oruk import service, service_package
from .outputs.oruk_tabular import FOLDER as ORUK_TABULAR
from .outputs.oruk_tabular import tabular_files
from .outputs.sqlite import database
from .outputs.tables import (
    DB_FILE,
    EXCEL_CSV,
    GEOJSON_FILE,
    XLSX_FILE,
    capability_rows,
    csv_writer,
    excel_csv,
    home_row,
    package_descriptor,
    release_version,
    tables_text,
)
from .parallel import Beside, map_chunks
from .records import canonical, flatten
from .outputs.typed import typed_tables
from .outputs.xlsx import workbook
from .schema import ROOT, Schema, load_schema

if TYPE_CHECKING:
    from .releases import Entry

__all__ = ["build_tables", "data_files", "release_date", "release_version", "write_data", "write_files"]


def release_date(today: dt.date | None = None) -> dt.date:
    """The release date: today (``today``, else the computer's), or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return today or dt.date.today()


def _chunk(args: tuple[list[dict], Schema | None]) -> dict[str, Any]:
    """Every per-home piece of the published files for a run of homes (already in order): each kind's
    rows and JSON (keyed by kind id), capabilities rows, ORUK services and map points."""
    datas, given = args
    schema = given or load_schema()
    every = kinds(schema)
    tables = {k.id: io.StringIO() for k in every}
    writers = {k: csv_writer(buf) for k, buf in tables.items()}
    caps = io.StringIO()
    cw = csv_writer(caps)
    out: dict[str, Any] = {"json": {k.id: [] for k in every}, "oruk": [], "geo": [], "records": []}
    for data in datas:
        record = canonical(data, schema)
        out["records"].append(record)
        flat = flatten(record)
        text = json.dumps(record, ensure_ascii=False)
        mine = kinds_of(record, schema)
        for k in mine:
            writers[k.id].writerow(home_row(data, schema, flat, k))
            out["json"][k.id].append(text)
        if any(k.needs_resource == "capabilities" for k in mine):
            cw.writerows(capability_rows(data, schema))
        out["oruk"].append(service(record, schema, is_canonical=True))
        feature = geo_feature(record)
        if feature:
            out["geo"].append(json.dumps(feature, ensure_ascii=False))
    out["rows"], out["caps"] = {k: buf.getvalue() for k, buf in tables.items()}, caps.getvalue()
    return out


def _pieces(profiles: list[Profile], schema: Schema | None = None, workers: int | None = None) -> dict[str, Any]:
    datas = [p.data for p in sorted(profiles, key=lambda p: str(p.data.get("location_id")))]
    parts = map_chunks(_chunk, datas, schema, workers=workers)
    ids = [k.id for k in kinds(schema)]
    return {"rows": {k: "".join(p["rows"][k] for p in parts) for k in ids},
            "json": {k: [x for p in parts for x in p["json"][k]] for k in ids},
            "caps": "".join(p["caps"] for p in parts),
            "oruk": [x for p in parts for x in p["oruk"]], "geo": [x for p in parts for x in p["geo"]],
            "records": [x for p in parts for x in p["records"]]}


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


def data_files(profiles: list[Profile], schema: Schema | None = None, released: dt.date | None = None,
               homepage: str | None = None, entries: list[Entry] | None = None) -> dict[str, bytes]:
    """Every open data file's bytes, keyed by file name, for the release dated ``released`` (default: today).

    ``homepage`` (default: site_url in mkdocs.yml) is the data package's homepage; ``entries`` (the
    changelog, ``releases.changelog``) fill the database's releases and changes tables."""
    schema = schema or load_schema()
    released = released or release_date()
    homepage = homepage or site_url()
    pieces = _pieces(profiles, schema)
    files = {name: text.encode("utf-8") for name, text in build_tables(profiles, schema, pieces).items()}
    pkg = package_descriptor(files, schema, released, homepage)  # the tables' metadata, for the files below
    files[EXCEL_CSV] = excel_csv(files[default_kind(schema).csv_file].decode("utf-8"))
    tables = typed_tables(files, pkg, pieces["records"], schema)  # the tables with their types, for the workbook and the database
    # the workbook (the longest step) is written on the other core while this one does the rest
    with Beside(workbook, tables, released, pkg.get("title", ""), items=len(profiles)) as book:
        files[XLSX_FILE] = b""  # its place among the files, filled below
        files[DB_FILE] = database(tables, entries or [])
        files[GEOJSON_FILE] = feature_collection(pieces["geo"], pkg).encode("utf-8")
        files["oruk-services.json"] = service_package(pieces["oruk"]).encode("utf-8")
        tabular = tabular_files(pieces["oruk"], released, homepage)  # the same records, as CSV tables
        files[XLSX_FILE] = book.result()
    files.update({f"{ORUK_TABULAR}/{name}": data for name, data in tabular.items()})
    pkg = package_descriptor(files, schema, released, homepage)  # now describing every file
    files["datapackage.json"] = (json.dumps(pkg, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def write_files(files: dict[str, bytes], out_dir: Path, atomic: bool = True) -> dict[str, int]:
    """Write each file into ``out_dir`` (names may hold folders), leaving every other file there alone:
    each one atomically, or (``atomic=False``, for a new build no one reads yet) straight."""
    out_dir.mkdir(parents=True, exist_ok=True)
    made: set[Path] = set()
    for name, data in files.items():
        path = out_dir / name
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        if atomic:
            write_bytes_atomic(path, data)
        else:
            path.write_bytes(data)
    return {name: len(data) for name, data in files.items()}


def write_data(profiles: list[Profile], out_dir: Path, schema: Schema | None = None,
               homepage: str | None = None) -> dict[str, int]:
    """Write every open data file into ``out_dir`` (``homepage``: as data_files). Returns name -> bytes."""
    return write_files(data_files(profiles, schema, homepage=homepage), out_dir)
