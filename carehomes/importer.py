"""Create and refresh profiles from CQC register files.

Only regulator-owned fields (owner ``cqc`` in the schema) are changed on existing
profiles; comments, key order and everything the home or the council wrote stay
as they were. A few provider fields (phone, website) are filled from the register
only when a profile is first created.

Formats read, recognised by their columns:

* ``hsca``: CQC's care directory / HSCA active locations sheet (the national file);
* ``market``: CQC's market-style locations CSV with ratings (US dates, stray spaces);
* ``api-csv``: CQC API location records flattened to CSV (nested fields as Python reprs);
* ``api-json``: a folder of saved CQC API ``/locations/{id}`` JSON responses.
"""
from __future__ import annotations

import ast
import csv
import datetime as dt
import difflib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable


from .load import profile_files, yaml_mapping
from .progress import Progress
from .publish import canonical, get_path, typed_dates
from .schema import Schema, load_schema
from .validate import POSTCODE_LOOSE, URL
from .yamlio import dump_profile, plain_value, rt_delete, rt_dump, rt_load, rt_set, write_text_atomic

RATINGS = {r.lower(): r for r in ["Outstanding", "Good", "Requires improvement", "Inadequate",
                                  "Inspected but not rated", "Not yet rated"]}
BANDS = {  # CQC's wording in each format -> our service user band
    "older people": "older_people", "caring for adults over 65 yrs": "older_people",
    "dementia": "dementia",
    "learning disabilities or autistic spectrum disorder": "learning_disability_autism",
    "learning disabilities": "learning_disability_autism",
    "mental health": "mental_health", "mental health conditions": "mental_health",
    "physical disability": "physical_disability", "physical disabilities": "physical_disability",
    "sensory impairment": "sensory_impairment", "sensory impairments": "sensory_impairment",
    "younger adults": "younger_adults", "caring for adults under 65 yrs": "younger_adults",
    "children 0-18 years": "children", "caring for children": "children",
    "caring for children (0 - 18yrs)": "children",
}
ALL_BANDS = sorted(set(BANDS.values()))
MASS_REMOVAL_SHARE = 0.5


class ImportError_(Exception):
    """A file that cannot be imported, with a message saying why and what to do."""


@dataclass
class Record:
    """One care home as a register file describes it."""

    location_id: str
    local_authority: str
    regulator: dict[str, Any]  # profile path -> value (None: the file says it is not set)
    on_create: dict[str, Any] = field(default_factory=dict)  # provider fields used only for new profiles


@dataclass
class Report:
    fmt: str
    data_date: dt.date
    new: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0
    missing: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    dry_run: bool = False
    values: dict[str, list[tuple[str, Any, Any]]] = field(default_factory=dict)  # name -> (field, old, new)

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        what = self.fmt if "sync" in self.fmt else f"{self.fmt} file"
        lines = [f"CQC {what} dated {self.data_date.isoformat()}:",
                 f"  {len(self.new)} new profile{'s' * (len(self.new) != 1)} {verb}created",
                 f"  {len(self.changed)} {verb}updated, {self.unchanged} unchanged",
                 f"  {len(self.missing)} no longer on the register ({verb}flagged, not deleted)"]
        if self.returned:
            lines.append(f"  {len(self.returned)} back on the register")
        for name in self.new[:50]:
            lines.append(f"  new: {name}")
        if len(self.new) > 50:
            lines.append(f"  ... and {len(self.new) - 50} more new")
        for name, fields in list(self.changed.items())[:50]:
            if name in self.values:
                fields = [f"{f}: {_shown(old)} -> {_shown(new)}" for f, old, new in self.values[name]]
            lines.append(f"  updated: {name}: {'; '.join(fields)}")
        if len(self.changed) > 50:
            lines.append(f"  ... and {len(self.changed) - 50} more updated")
        for name, values in self.values.items():
            by_field = {f: (old, new) for f, old, new in values}
            if "cqc.rating" in by_field:
                old, new = by_field["cqc.rating"]
                date = by_field.get("cqc.rating_date", (None, None))[1]
                when = f" (published {_shown(date)})" if date else ""
                lines.append(f"  rating changed: {name}: {_shown(old)} -> {_shown(new)}{when}")
            if by_field.get("cqc.status", (None, None))[1] == "Deregistered":
                lines.append(f"  deregistered: {name}")
        for name in self.missing:
            lines.append(f"  not on register: {name}")
        for name in self.returned:
            lines.append(f"  back on register: {name}")
        return "\n".join(lines)


def _shown(value: Any) -> str:
    """A value as the report prints it: dates as ISO, lists joined, missing as (none)."""
    if value is None:
        return "(none)"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return str(value)


# --- reading values -------------------------------------------------------------------------

def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


def _flag(value: Any) -> bool:
    return str(value or "").strip().upper() in ("Y", "YES", "TRUE")


def _int(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(float(text)) if re.fullmatch(r"\d+(\.0+)?", text) else None


def _float(value: Any) -> float | None:
    try:
        return float(str(value).strip()) if str(value or "").strip() else None
    except ValueError:
        return None


def _date(value: Any, order: str = "iso") -> dt.date | None:
    """Parse ISO dates, or slashed dates as day-first ('dmy') or month-first ('mdy', with times)."""
    text = str(value or "").strip()
    if not text:
        return None
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if m:
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        return dt.date(y, a, b) if order == "mdy" else dt.date(y, b, a)
    raise ValueError(f"'{text}' is not a date")


NO_RATING = {"no published rating", "not rated", "none"}


def _rating(value: Any) -> str | None:
    text = _text(value)
    if not text or text.lower() in NO_RATING:
        return None
    if text.lower() not in RATINGS:
        raise ValueError(f"unknown CQC rating '{text}'")
    return RATINGS[text.lower()]


def _postcode(value: Any) -> str | None:
    m = POSTCODE_LOOSE.match((_text(value) or "").upper())
    return f"{m[1]} {m[2]}" if m else None


def _phone(value: Any) -> str | None:
    digits = re.sub(r"\D", "", str(value or ""))
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    elif digits and not digits.startswith("0"):
        digits = "0" + digits  # the CQC API drops the leading zero
    if not 10 <= len(digits) <= 11:
        return None
    if digits.startswith("02"):
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if digits.startswith(("03", "05", "07", "08", "09")) or digits[:4] in ("0113", "0114", "0115", "0116", "0117", "0118") or digits[3] == "1":
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return f"{digits[:5]} {digits[5:]}"


def _website(value: Any) -> str | None:
    text = _text(value)
    if not text or " " in text:
        return None
    if not re.match(r"https?://", text, re.I):
        text = "https://" + text
    return text if URL.fullmatch(text) else None  # the validator's own test, so imports always pass check


def _bands(names: Iterable[str]) -> dict[str, bool]:
    found = {BANDS[n.strip().lower()] for n in names if n.strip().lower() in BANDS}
    return {b: b in found for b in ALL_BANDS}


def _regulator_bands(bands: dict[str, bool]) -> dict[str, Any]:
    return {f"care.user_bands.{b}": on for b, on in bands.items()}


def locality_name(local_authority: str) -> str:
    """CQC/ONS area names to the name people use: 'Herefordshire, County of' -> 'Herefordshire'."""
    return re.sub(r",\s*(County|City) of$", "", local_authority.strip(), flags=re.I)


def _la_key(name: str) -> str:
    return re.sub(r"\s+", " ", locality_name(name).lower().replace("&", "and")).strip()


# --- the formats -------------------------------------------------------------------------------

HSCA_COLUMNS = {"Location ID", "Care home?", "Location Name", "Location Local Authority", "Care homes beds",
                "Location Postal Code", "Service type - Care home service with nursing"}
MARKET_COLUMNS = {"Location ID", "Location Name", "Location Local Authority", "Care homes beds",
                  "Location Latest Overall Rating", "Publication Date", "Service Types"}
API_COLUMNS = {"locationId", "name", "localAuthority", "careHome", "registrationStatus"}


def _hsca(row: dict[str, str]) -> Record | None:
    if not _flag(row.get("Care home?")):
        return None
    bands = _bands(col.split(" - ", 1)[1] for col, v in row.items()
                   if col and col.startswith("Service user band - ") and _flag(v))
    reg = {
        "name": _text(row["Location Name"]),
        "address.street": _text(row.get("Location Street Address")),
        "address.town": _text(row.get("Location City")),
        "address.postcode": _postcode(row.get("Location Postal Code")),
        "address.latitude": _float(row.get("Location Latitude")),
        "address.longitude": _float(row.get("Location Longitude")),
        "care.nursing": _flag(row.get("Service type - Care home service with nursing")),
        "care.residential": _flag(row.get("Service type - Care home service without nursing")),
        "beds.registered": _int(row.get("Care homes beds")),
        "cqc.registered_since": _date(row.get("Location HSCA start date")),
        "cqc.status": "Registered", "cqc.status_date": None,
        **_regulator_bands(bands),
    }
    return Record(row["Location ID"].strip(), _text(row.get("Location Local Authority")) or "", reg)


def _market(row: dict[str, str]) -> Record | None:
    types = (row.get("Service Types") or "").lower()
    if "care home service" not in types:
        return None
    rating = _rating(row.get("Location Latest Overall Rating"))
    ended = _date(row.get("Location HSCA end date"))
    reg = {
        "name": _text(row["Location Name"]),
        "provider.name": _text(row.get("Provider Name")),
        "provider.cqc_id": _text(row.get("Provider ID")),
        "care.nursing": "care home service with nursing" in types,
        "care.residential": "care home service without nursing" in types,
        "beds.registered": _int(row.get("Care homes beds")),
        "cqc.registered_since": _date(row.get("Location HSCA start date")),
        "cqc.status": "Deregistered" if ended else "Registered",
        "cqc.status_date": ended,
        "cqc.rating": rating,
        "cqc.rating_date": _date(row.get("Publication Date"), "mdy") if rating else None,
        "cqc.registered_manager": bool(_text(row.get("Registered manager"))),
        **_regulator_bands(_bands((row.get("Service users supported") or "").split(","))),
    }
    create = {"contact.phone": _phone(row.get("Location telephone number")),
              "contact.website": _website(row.get("Location Web Address"))}
    return Record(row["Location ID"].strip(), _text(row.get("Location Local Authority")) or "", reg, create)


def _api(rec: dict[str, Any], date_order: str) -> Record | None:
    if not _flag(rec.get("careHome")):
        return None

    def nested(key: str) -> Any:
        value = rec.get(key)
        if isinstance(value, str):
            value = value.strip()
            return ast.literal_eval(value) if value[:1] in ("[", "{") else None
        return value

    services = " ".join(s.get("description", "") for s in nested("gacServiceTypes") or []).lower()
    overall = (nested("currentRatings") or {}).get("overall") or {}
    rating = _rating(overall.get("rating"))
    link = overall.get("reportLinkId")
    contacts = [c for a in nested("regulatedActivities") or [] for c in a.get("contacts", [])]
    has_manager = any("Registered Manager" in c.get("personRoles", []) for c in contacts)
    status = str(rec.get("registrationStatus") or "Registered").strip().title()
    dereg = _date(rec.get("deregistrationDate"), date_order)
    street = ", ".join(filter(None, (_text(rec.get("postalAddressLine1")), _text(rec.get("postalAddressLine2")))))
    reg = {
        "name": _text(rec.get("name")),
        "provider.cqc_id": _text(rec.get("providerId")),
        "address.street": street or None,
        "address.town": _text(rec.get("postalAddressTownCity")),
        "address.postcode": _postcode(rec.get("postalCode")),
        "address.latitude": _float(rec.get("onspdLatitude")),
        "address.longitude": _float(rec.get("onspdLongitude")),
        "care.nursing": "with nursing" in services.replace("without nursing", ""),
        "care.residential": "without nursing" in services,
        "beds.registered": _int(rec.get("numberOfBeds")),
        "cqc.registered_since": _date(rec.get("registrationDate"), date_order),
        "cqc.status": "Deregistered" if status == "Deregistered" else "Registered",
        "cqc.status_date": dereg if status == "Deregistered" else None,
        "cqc.rating": rating,
        "cqc.rating_date": _date(overall.get("reportDate"), date_order) if rating else None,
        "cqc.report_url": f"https://www.cqc.org.uk/location/{rec['locationId']}/reports" if rating and link else None,
        "cqc.registered_manager": has_manager and not _text(rec.get("registeredManagerAbsentDate")),
        **_regulator_bands(_bands(s.get("name", "") for s in nested("specialisms") or [])),
    }
    create = {"contact.phone": _phone(rec.get("mainPhoneNumber")), "contact.website": _website(rec.get("website"))}
    return Record(str(rec["locationId"]).strip(), _text(rec.get("localAuthority")) or "", reg, create)


def _api_dates(rec: dict[str, Any]) -> list[dt.date]:
    out = []
    for key in ("lastReport", "lastInspection"):
        value = rec.get(key)
        if isinstance(value, str) and value.strip()[:1] == "{":
            value = ast.literal_eval(value)
        if isinstance(value, dict):
            for v in value.values():
                try:
                    d = _date(v)
                except ValueError:
                    d = None
                if d:
                    out.append(d)
    return out


def _slash_order(values: Iterable[str]) -> str:
    """Tell day-first from month-first slashed dates by looking for a part above 12."""
    for v in values:
        m = re.match(r"\s*(\d{1,2})/(\d{1,2})/\d{4}", v or "")
        if m and int(m[1]) > 12:
            return "dmy"
        if m and int(m[2]) > 12:
            return "mdy"
    return "dmy"  # a UK register: day first unless the file shows otherwise


def read_register(path: Path) -> tuple[str, list[Record], dt.date]:
    """Read a CQC file into records of care homes, its format name and its data date."""
    if path.is_dir():
        return _read_api_folder(path)
    if not path.exists():
        raise ImportError_("no such file")
    raw = path.read_bytes()
    text = None
    for enc in ("utf-8-sig", "cp1252"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    if text is None or "\x00" in text[:4096]:
        raise ImportError_("is not a text CSV file; export the CQC sheet as CSV (UTF-8) and try again")
    if text.lstrip().startswith(("{", "[")):
        return _read_api_json([json.loads(text)], path)
    try:
        reader = csv.DictReader(text.splitlines())
        header = set(h.strip() for h in (reader.fieldnames or []))
    except csv.Error as exc:
        raise ImportError_(f"cannot be read as CSV ({exc})") from None
    rows = list(reader)
    if HSCA_COLUMNS <= header:
        fmt, parse, dates = "HSCA care directory", _hsca, [r.get("Location HSCA start date") for r in rows]
    elif MARKET_COLUMNS <= header:
        fmt, parse = "market", _market
        dates = [r.get("Location HSCA start date") for r in rows] + \
                [(_date(r.get("Publication Date"), "mdy") or dt.date.min).isoformat() for r in rows if r.get("Publication Date")]
    elif API_COLUMNS <= header:
        order = _slash_order(r.get("registrationDate", "") for r in rows)
        fmt = "API (CSV)"
        parse = lambda r: _api(r, order)  # noqa: E731
        dates = [d.isoformat() for r in rows for d in _api_dates(r)]
    else:
        known = "the HSCA care directory, CQC's market locations CSV, or CQC API location records"
        raise ImportError_(f"is not a CQC register file this tool knows: its columns do not match {known}. "
                           f"It needs at least the columns {', '.join(sorted(HSCA_COLUMNS))}")
    records = _parse_rows(rows, parse)
    return fmt, records, _latest(dates)


def _parse_rows(rows: Iterable[dict], parse: Callable[[dict], Record | None], offset: int = 2) -> list[Record]:
    records, errors = [], []
    for n, row in enumerate(rows, offset):
        try:
            rec = parse(row)
        except (ValueError, SyntaxError, KeyError, AttributeError, TypeError) as exc:
            errors.append(f"row {n}: {exc}")
            continue
        if rec:
            if not re.fullmatch(r"[0-9A-Z][0-9A-Z-]{2,19}", rec.location_id):
                errors.append(f"row {n}: '{rec.location_id[:40]}' is not a CQC location ID")
                continue
            if not rec.regulator.get("name"):
                errors.append(f"row {n}: location {rec.location_id} has no name")
                continue
            records.append(rec)
    if errors:
        more = f" (and {len(errors) - 10} more)" if len(errors) > 10 else ""
        raise ImportError_("has rows that cannot be read; nothing was changed:\n  " + "\n  ".join(errors[:10]) + more)
    return records


def _latest(dates: Iterable[str | None]) -> dt.date:
    best = None
    for d in dates:
        try:
            parsed = _date(d)
        except ValueError:
            continue
        if parsed and (best is None or parsed > best):
            best = parsed
    if best is None:
        raise ImportError_("has no dates to tell how recent it is; is it empty?")
    return best


def _read_api_folder(path: Path) -> tuple[str, list[Record], dt.date]:
    folder = path / "location_details" if (path / "location_details").is_dir() else path
    files = sorted(folder.glob("*.json"))
    if not files:
        raise ImportError_("is a folder with no CQC API location JSON files in it")
    docs = []
    for f in files:
        try:
            docs.append(json.loads(f.read_text(encoding="utf-8")))
        except (ValueError, UnicodeDecodeError) as exc:
            raise ImportError_(f"{f.name} is not valid JSON ({exc})") from None
    return _read_api_json(docs, path)


def _read_api_json(docs: list[Any], path: Path) -> tuple[str, list[Record], dt.date]:
    flat: list[dict] = []
    for d in docs:
        items = d if isinstance(d, list) else d.get("locations") if isinstance(d, dict) and "locations" in d else [d]
        flat.extend(i for i in items if isinstance(i, dict))
    if not flat or not all("locationId" in i for i in flat):
        raise ImportError_("is JSON but not CQC API location records (each needs a locationId)")
    if not any("careHome" in i for i in flat):
        raise ImportError_("holds location summaries only; import the folder of full location records (location_details)")
    records = _parse_rows(flat, lambda r: _api(r, "dmy"), offset=1)
    return "API (JSON)", records, _latest(d.isoformat() for r in flat for d in _api_dates(r))


# --- profiles --------------------------------------------------------------------------------

def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("'", "").replace("&", " and ")).strip("-")
    return slug[:60].rstrip("-") or "home"


def _existing(folder: Path) -> dict[str, tuple[Path, dict]]:
    out: dict[str, tuple[Path, dict]] = {}
    for f in profile_files([folder]):
        try:
            data = yaml_mapping(f.read_text(encoding="utf-8"), str(f))
        except UnicodeDecodeError:
            data = None
        if data is None:
            raise ImportError_(f"cannot refresh {f}: it is not a readable profile; run 'python build.py check' and fix it first")
        if isinstance(data.get("location_id"), str):
            out[data["location_id"]] = (f, data)
    return out


def new_profile(rec: Record, slug: str, schema: Schema, fmt: str, data_date: dt.date, source: str) -> str:
    data: dict[str, Any] = {"location_id": rec.location_id, "slug": slug,
                            "locality": locality_name(rec.local_authority)}
    for path, value in list(rec.regulator.items()) + list(rec.on_create.items()):
        if value is not None:
            _put(data, path.split("."), value)
    _put(data, ["cqc", "imported"], data_date)
    ordered = canonical(data, schema)
    origin = source if "sync" in fmt else f"{fmt} file {source}"
    header = (f"{rec.regulator.get('name') or rec.location_id}\n"
              f"Created from the CQC register ({origin}, dated {data_date.isoformat()}).\n"
              "Fields owned by CQC are refreshed by 'python build.py import-cqc'; the home adds the rest.\n"
              "Every field is explained in providers/_template.yaml.")
    return dump_profile(typed_dates(ordered, schema), header)


def _put(data: dict, keys: list[str], value: Any) -> None:
    for k in keys[:-1]:
        data = data.setdefault(k, {})
    data[keys[-1]] = value


def import_cqc(file: Path, providers: Path, local_authority: str | None = None, *,
               allow_mass_removal: bool = False, dry_run: bool = False, as_of: dt.date | None = None,
               schema: Schema | None = None) -> Report:
    """Import a CQC file into a folder of profiles; see the module docstring.

    The file's date is ``as_of`` if given, else the newest date found in it.
    """
    fmt, records, data_date = read_register(file)
    if as_of:
        if as_of > dt.date.today():
            raise ImportError_(f"--as-of {as_of.isoformat()} is in the future")
        data_date = as_of
    return apply_records(records, providers, fmt=fmt, data_date=data_date, source=file.name,
                         local_authority=local_authority, allow_mass_removal=allow_mass_removal,
                         dry_run=dry_run, schema=schema)


def apply_records(records: list[Record], providers: Path, *, fmt: str, data_date: dt.date, source: str,
                  local_authority: str | None = None, allow_mass_removal: bool = False, dry_run: bool = False,
                  schema: Schema | None = None, register_ids: set[str] | None = None) -> Report:
    """Create and refresh profiles from register records: everything import_cqc does after reading a file.

    ``register_ids`` is for an incremental sync, where ``records`` hold only the homes that changed:
    it lists every location the register still has for the area, so only homes outside it are flagged.
    """
    schema = schema or load_schema()
    if local_authority:
        want = _la_key(local_authority)
        areas = sorted({r.local_authority for r in records})
        records = [r for r in records if _la_key(r.local_authority) == want]
        if not records and register_ids is None:
            keys = {_la_key(a): a for a in areas}
            near = [keys[k] for k in difflib.get_close_matches(want, list(keys), n=1, cutoff=0.6)]
            hint = f"did you mean {' or '.join(repr(n) for n in near)}?" if near else f"the file has {len(areas)} areas"
            raise ImportError_(f"has no care homes in local authority '{local_authority}'; {hint}")
    seen_ids: set[str] = set()
    for r in records:
        if r.location_id in seen_ids:
            raise ImportError_(f"lists location {r.location_id} twice; nothing was changed")
        seen_ids.add(r.location_id)
    providers.mkdir(parents=True, exist_ok=True)
    existing = _existing(providers)
    report = Report(fmt, data_date, dry_run=dry_run)
    taken = {p.stem for p, _ in existing.values()}
    writes: list[tuple[Path, str]] = []
    progress = Progress("homes", len(records), quiet_below=1000)
    for rec in sorted(records, key=lambda r: r.location_id):
        progress.step()
        if rec.location_id in existing:
            path, _ = existing[rec.location_id]
            old_status = (existing[rec.location_id][1].get("cqc") or {}).get("status")
            text, changed, values = _refresh(path, rec, data_date, schema)
            name = f"{rec.regulator.get('name')} ({path.name})"
            if changed:
                report.changed[name] = changed
                report.values[name] = values
                if old_status not in (None, "Registered") and rec.regulator.get("cqc.status") == "Registered":
                    report.returned.append(name)
            else:
                report.unchanged += 1
            if text is not None:
                writes.append((path, text))
            continue
        slug = _free_slug(rec, taken)
        taken.add(slug)
        path = providers / f"{slug}.yaml"
        writes.append((path, new_profile(rec, slug, schema, fmt, data_date, source)))
        report.new.append(f"{rec.regulator.get('name')} ({path.name})")
    in_scope = [(lid, p, d) for lid, (p, d) in existing.items()
                if not d.get("example") and (not local_authority or _la_key(str(d.get("locality", ""))) == _la_key(local_authority))]
    listed = seen_ids if register_ids is None else seen_ids | register_ids
    gone = [(lid, p, d) for lid, p, d in in_scope if lid not in listed]
    for lid, p, d in sorted(gone, key=lambda x: str(x[1])):
        if (d.get("cqc") or {}).get("status") in ("Deregistered", "Not in latest register"):
            continue
        doc = rt_load(p)
        rt_set(doc, ("cqc", "status"), "Not in latest register", schema)
        rt_set(doc, ("cqc", "status_date"), data_date, schema)
        writes.append((p, rt_dump(doc)))
        report.missing.append(f"{d.get('name')} ({p.name})")
    if len(report.missing) > 5 and len(report.missing) > MASS_REMOVAL_SHARE * max(len(in_scope), 1) and not allow_mass_removal:
        raise ImportError_(f"would flag {len(report.missing)} of {len(in_scope)} homes as no longer registered. "
                           "Is this a partial file? Nothing was changed; use --allow-mass-removal if it is right")
    if not dry_run:
        for path, text in writes:
            write_text_atomic(path, text)
    return report


def _free_slug(rec: Record, taken: set[str]) -> str:
    """A slug from the name; add the town, then the location ID, when the name is taken."""
    base = slugify(rec.regulator.get("name") or "home")
    town = slugify(rec.regulator.get("address.town") or "")
    ident = re.sub(r"[^0-9a-z]", "", rec.location_id.lower())
    candidates = [base] + ([f"{base}-{town}"] if town and town != "home" and town not in base else [])
    candidates.append(f"{base}-{ident}")
    for c in candidates:
        if c[:80] not in taken:
            return c[:80]
    n = 2
    while f"{base}-{ident}-{n}" in taken:
        n += 1
    return f"{base}-{ident}-{n}"


def _refresh(path: Path, rec: Record, data_date: dt.date,
             schema: Schema) -> tuple[str | None, list[str], list[tuple[str, Any, Any]]]:
    """New text for a profile with the regulator's fields refreshed (None if the file is current),
    the fields changed and their (field, old, new) values."""
    doc = rt_load(path)
    changed = []
    values: list[tuple[str, Any, Any]] = []
    for dotted, value in rec.regulator.items():
        keys = tuple(dotted.split("."))
        if schema.by_path[dotted].owner != "cqc":
            raise AssertionError(f"importer tried to set {dotted}, which the schema does not give to CQC")
        current = get_path(doc, keys)
        old = plain_value(current)
        if value is None:
            if current is not None and rt_delete(doc, keys):
                changed.append(dotted)
                values.append((dotted, old, None))
        elif old != value:
            rt_set(doc, keys, value, schema)
            changed.append(dotted)
            values.append((dotted, old, value))
    if not changed and plain_value(get_path(doc, ("cqc", "imported"))) == data_date:
        return None, [], []
    rt_set(doc, ("cqc", "imported"), data_date, schema)
    return rt_dump(doc), changed, values
