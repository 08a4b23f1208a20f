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


def home_row(data: dict, schema: Schema) -> list[str]:
    return [cell(f, get_path(data, f.keys)) for f in schema.home_fields]


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


def build_tables(profiles: list[Profile], schema: Schema | None = None) -> dict[str, str]:
    """The published files' text, keyed by file name. Rows are ordered by location ID."""
    schema = schema or load_schema()
    ordered = sorted(profiles, key=lambda p: str(p.data.get("location_id")))
    homes = _csv_text([f.name for f in schema.home_fields], (home_row(p.data, schema) for p in ordered))
    caps = _csv_text([f.name for f in schema.capability_fields],
                     (r for p in ordered for r in capability_rows(p.data, schema)))
    records = [canonical(p.data, schema) for p in ordered]
    as_json = json.dumps(records, ensure_ascii=False, indent=1) + "\n"
    return {"care-homes.csv": homes, "capabilities.csv": caps, "care-homes.json": as_json}


def package_descriptor(files: dict[str, bytes], schema: Schema, released: dt.date) -> dict:
    """datapackage.json for the published files: the schema plus version, date, sizes and hashes."""
    pkg = copy.deepcopy(schema.package)
    pkg["schemaVersion"] = pkg["version"]
    pkg["version"] = f"{released.year}.{released.month}.{released.day}"  # calendar version of this release
    pkg["created"] = f"{released.isoformat()}T00:00:00Z"
    for res in pkg["resources"]:
        data = files[res["path"]]
        res["bytes"] = len(data)
        res["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
    return pkg


def data_files(profiles: list[Profile], schema: Schema | None = None) -> dict[str, bytes]:
    """Every open data file's bytes, keyed by file name."""
    schema = schema or load_schema()
    files = {name: text.encode("utf-8") for name, text in build_tables(profiles, schema).items()}
    released = release_date()
    pkg = package_descriptor(files, schema, released)
    files["datapackage.json"] = (json.dumps(pkg, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    files["care-homes.geojson"] = (json.dumps(geojson(profiles, pkg), ensure_ascii=False) + "\n").encode("utf-8")
    from .oruk import export

    files["oruk-services.json"] = (json.dumps(export(profiles, pkg["version"], schema), ensure_ascii=False) + "\n").encode("utf-8")
    return files


def geojson(profiles: list[Profile], pkg: dict) -> dict:
    """Homes with coordinates as a GeoJSON FeatureCollection (WGS84), for any map tool."""
    features = []
    for p in sorted(profiles, key=lambda p: str(p.data.get("location_id"))):
        d = p.data
        lat, lon = get_path(d, ("address", "latitude")), get_path(d, ("address", "longitude"))
        if lat is None or lon is None:
            continue
        props = {"location_id": d.get("location_id"), "slug": d.get("slug"), "name": d.get("name"),
                 "locality": d.get("locality"), "postcode": get_path(d, ("address", "postcode")),
                 "nursing": get_path(d, ("care", "nursing")), "residential": get_path(d, ("care", "residential")),
                 "beds_registered": get_path(d, ("beds", "registered")), "cqc_rating": get_path(d, ("cqc", "rating")),
                 "cqc_rating_date": to_plain(get_path(d, ("cqc", "rating_date"))), "cqc_status": get_path(d, ("cqc", "status"))}
        features.append({"type": "Feature", "id": d.get("location_id"),
                         "geometry": {"type": "Point", "coordinates": [lon, lat]},
                         "properties": {k: v for k, v in props.items() if v is not None}})
    meta = {"title": pkg.get("title"), "version": pkg.get("version"), "created": pkg.get("created"),
            "licence": pkg["licenses"][0]["title"], "attribution": pkg["sources"][0]["description"]}
    return {"type": "FeatureCollection", "metadata": meta, "features": features}


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
