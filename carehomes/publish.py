"""Profiles to open data: the tables the schema defines, a JSON file and datapackage.json."""
from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import json
import os
from pathlib import Path
from typing import Any, Iterable

from .load import Profile, to_plain
from .schema import Field, Schema, load_schema

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def release_date() -> dt.date:
    """The release date: today, or SOURCE_DATE_EPOCH for reproducible builds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).date()
    return dt.date.today()


def release_version(released: dt.date) -> str:
    """The calendar version of a data release, e.g. 2026.11.23."""
    return f"{released.year}.{released.month}.{released.day}"


def neutralise(text: str) -> str:
    """Stop a spreadsheet running a cell as a formula, reversibly (see ``restore``)."""
    if text.startswith(FORMULA_START) or (text[:1] == "'" and text[1:2] in FORMULA_START + ("'",)):
        return "'" + text
    return text


def restore(text: str) -> str:
    """Undo ``neutralise``."""
    if text[:1] == "'" and (text[1:2] in FORMULA_START or (text[1:2] == "'" and text[2:3] in FORMULA_START + ("'",))):
        return text[1:]
    return text


def get_path(data: dict, keys: Iterable[str]) -> Any:
    node: Any = data
    for k in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(k)
    return node


def canonical(data: dict, schema: Schema | None = None) -> dict:
    """A profile with keys in schema order, empty values and groups dropped, dates as text."""
    schema = schema or load_schema()

    def walk(node: dict, tree: dict) -> dict:
        out: dict = {}
        for key, sub in tree.items():
            if key not in node or node[key] is None:
                continue
            value = node[key]
            if isinstance(sub, dict):
                if isinstance(value, dict):
                    inner = walk(value, sub)
                    if inner:
                        out[key] = inner
            elif value != [] and value != "":
                out[key] = to_plain(value)
        return out

    return walk(data, schema.tree)


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


def flatten(data: dict, prefix: str = "", out: dict | None = None) -> dict[str, Any]:
    """{'beds': {'nursing': {'total': 3}}} -> {'beds.nursing.total': 3} (one walk instead of a lookup per field)."""
    out = {} if out is None else out
    for k, v in data.items():
        if isinstance(v, dict):
            flatten(v, f"{prefix}{k}.", out)
        else:
            out[f"{prefix}{k}"] = v
    return out


def home_row(data: dict, schema: Schema, flat: dict[str, Any] | None = None) -> list[str]:
    flat = flatten(data) if flat is None else flat
    return [cell(f, flat.get(f.path)) for f in schema.home_fields]


def capability_rows(data: dict, schema: Schema) -> list[list[str]]:
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


def _csv_text(header: list[str], rows: Iterable[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def _chunk(args: tuple[list[dict]]) -> dict[str, Any]:
    """Every per-home piece of the published files for a run of homes (already in order)."""
    from .oruk import service

    (datas,) = args
    schema = load_schema()
    homes, caps = io.StringIO(), io.StringIO()
    hw, cw = csv.writer(homes, lineterminator="\n"), csv.writer(caps, lineterminator="\n")
    out: dict[str, Any] = {"json": [], "oruk": [], "geo": []}
    for data in datas:
        record = canonical(data, schema)
        hw.writerow(home_row(data, schema, flatten(record)))
        cw.writerows(capability_rows(data, schema))
        out["json"].append(json.dumps(record, ensure_ascii=False))
        out["oruk"].append(json.dumps(service(record, schema, is_canonical=True), ensure_ascii=False))
        feature = geo_feature(record)
        if feature:
            out["geo"].append(json.dumps(feature, ensure_ascii=False))
    out["homes"], out["caps"] = homes.getvalue(), caps.getvalue()
    return out


def _pieces(profiles: list[Profile], workers: int | None = None) -> dict[str, Any]:
    from .parallel import map_chunks

    datas = [p.data for p in sorted(profiles, key=lambda p: str(p.data.get("location_id")))]
    parts = map_chunks(_chunk, datas, workers=workers)
    return {k: "".join(p[k] for p in parts) if k in ("homes", "caps") else [x for p in parts for x in p[k]] for k in parts[0]}


def _array(lines: list[str]) -> str:
    return "[\n" + ",\n".join(lines) + "\n]" if lines else "[]"


def build_tables(profiles: list[Profile], schema: Schema | None = None, pieces: dict[str, Any] | None = None) -> dict[str, str]:
    """The published tables and JSON, keyed by file name. Rows are ordered by location ID."""
    schema = schema or load_schema()
    pieces = pieces or _pieces(profiles)
    return {"care-homes.csv": _csv_text([f.name for f in schema.home_fields], []) + pieces["homes"],
            "capabilities.csv": _csv_text([f.name for f in schema.capability_fields], []) + pieces["caps"],
            "care-homes.json": _array(pieces["json"]) + "\n",
            "nhs-trusts.csv": nhs_trusts_csv()}


def nhs_trusts_csv() -> str:
    """The NHS trust names for the codes in acute_trusts (schema/nhs-trusts.csv, from NHS ODS)."""
    from .sources.nhs_ods import TRUSTS_PATH

    return TRUSTS_PATH.read_text(encoding="utf-8")


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


def data_files(profiles: list[Profile], schema: Schema | None = None, released: dt.date | None = None) -> dict[str, bytes]:
    """Every open data file's bytes, keyed by file name, for the release dated ``released`` (default: today)."""
    from .oruk import EXTENSION_NOTE

    schema = schema or load_schema()
    pieces = _pieces(profiles)
    files = {name: text.encode("utf-8") for name, text in build_tables(profiles, schema, pieces).items()}
    pkg = package_descriptor(files, schema, released or release_date())
    files["datapackage.json"] = (json.dumps(pkg, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    meta = {"title": pkg.get("title"), "version": pkg.get("version"), "created": pkg.get("created"),
            "licence": pkg["licenses"][0]["title"], "attribution": pkg["sources"][0]["description"]}
    files["care-homes.geojson"] = ('{"type": "FeatureCollection", "metadata": ' + json.dumps(meta, ensure_ascii=False)
                                   + ', "features": ' + _array(pieces["geo"]) + "}\n").encode("utf-8")
    n = len(pieces["oruk"])
    head = {"total_items": n, "total_pages": 1, "page_number": 1, "size": n, "first_page": True, "last_page": True,
            "empty": n == 0, "x_version": pkg["version"], "x_extensions": EXTENSION_NOTE}
    files["oruk-services.json"] = (json.dumps(head, ensure_ascii=False)[:-1] + ', "contents": ' + _array(pieces["oruk"]) + "}\n").encode("utf-8")
    return files


def geo_feature(record: dict) -> dict | None:
    """One home (a canonical profile) as a GeoJSON Feature, or None without coordinates."""
    d = record
    lat, lon = get_path(d, ("address", "latitude")), get_path(d, ("address", "longitude"))
    if lat is None or lon is None:
        return None
    props = {"location_id": d.get("location_id"), "slug": d.get("slug"), "name": d.get("name"),
             "locality": d.get("locality"), "postcode": get_path(d, ("address", "postcode")),
             "nursing": get_path(d, ("care", "nursing")), "residential": get_path(d, ("care", "residential")),
             "beds_registered": get_path(d, ("beds", "registered")), "cqc_rating": get_path(d, ("cqc", "rating")),
             "cqc_rating_date": get_path(d, ("cqc", "rating_date")), "cqc_status": get_path(d, ("cqc", "status"))}
    return {"type": "Feature", "id": d.get("location_id"), "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {k: v for k, v in props.items() if v is not None}}


def write_files(files: dict[str, bytes], out_dir: Path) -> dict[str, int]:
    out_dir.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out_dir / name).write_bytes(data)
    return {name: len(data) for name, data in files.items()}


def write_data(profiles: list[Profile], out_dir: Path, schema: Schema | None = None) -> dict[str, int]:
    """Write every open data file into ``out_dir``. Returns name -> bytes."""
    return write_files(data_files(profiles, schema), out_dir)


def read_tables(homes_csv: str, capabilities_csv: str, schema: Schema | None = None) -> list[dict]:
    """Published tables back to nested profiles (the inverse of ``build_tables``)."""
    schema = schema or load_schema()
    by_name = {f.name: f for f in schema.home_fields}
    homes: dict[str, dict] = {}
    for row in csv.DictReader(io.StringIO(homes_csv)):
        data: dict = {}
        for name, text in row.items():
            value = parse_cell(by_name[name], text)
            if value is not None:
                _set(data, by_name[name].keys, value)
        homes[data["location_id"]] = data
    cap_fields = {f.name: f for f in schema.capability_fields}
    for row in csv.DictReader(io.StringIO(capabilities_csv)):
        home = homes[row["location_id"]]
        for name, text in row.items():
            if name in ("location_id", "capability"):
                continue
            value = parse_cell(cap_fields[name], text)
            if value is not None:
                _set(home, ("capabilities", row["capability"], cap_fields[name].path.rsplit(".", 1)[1]), value)
    return [canonical(h, schema) for h in homes.values()]


def typed_dates(data: dict, schema: Schema | None = None, prefix: str = "") -> dict:
    """ISO text back to dates (for writing YAML that holds real dates, not quoted strings)."""
    schema = schema or load_schema()
    out = {}
    for k, v in data.items():
        path = f"{prefix}{k}"
        if isinstance(v, dict):
            out[k] = typed_dates(v, schema, path + ".")
        elif schema.by_path.get(path) and schema.by_path[path].type == "date" and isinstance(v, str):
            out[k] = dt.date.fromisoformat(v)
        else:
            out[k] = v
    return out


def _set(data: dict, keys: tuple[str, ...], value: Any) -> None:
    node = data
    for k in keys[:-1]:
        node = node.setdefault(k, {})
    node[keys[-1]] = value
