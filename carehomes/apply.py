"""Apply records from a source to the folder of profiles: create new ones, refresh existing ones.

Only regulator-owned fields (owner ``cqc`` in the schema) are changed on existing
profiles; comments, key order and everything the home or the council wrote stay
as they were. A few provider fields (phone, website) are filled from the source
only when a profile is first created. Homes no longer in the source are flagged, never
deleted, and a source that would flag more than half of them is refused as probably partial.

Any source that yields ``Record``s (``sources.cqc_files``, an API client) uses ``apply_records``.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .load import profile_files, yaml_mapping
from .records import canonical, get_path, set_path, typed_dates
from .schema import Schema, load_schema
from .text import slugify
from .yamlio import (
    dump_profile,
    plain_value,
    rt_delete,
    rt_dump,
    rt_load,
    rt_set,
    write_text_atomic,
)

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

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        lines = [f"CQC {self.fmt} file dated {self.data_date.isoformat()}:",
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
            lines.append(f"  updated: {name}: {', '.join(fields)}")
        for name in self.missing:
            lines.append(f"  not on register: {name}")
        for name in self.returned:
            lines.append(f"  back on register: {name}")
        return "\n".join(lines)


def locality_name(local_authority: str) -> str:
    """CQC/ONS area names to the name people use: 'Herefordshire, County of' -> 'Herefordshire'."""
    return re.sub(r",\s*(County|City) of$", "", local_authority.strip(), flags=re.IGNORECASE)


def _la_key(name: str) -> str:
    return re.sub(r"\s+", " ", locality_name(name).lower().replace("&", "and")).strip()


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
            set_path(data, path.split("."), value)
    set_path(data, ["cqc", "imported"], data_date)
    ordered = canonical(data, schema)
    header = (f"{rec.regulator.get('name') or rec.location_id}\n"
              f"Created from the CQC register ({fmt} file {source}, dated {data_date.isoformat()}).\n"
              "Fields owned by CQC are refreshed by 'python build.py import-cqc'; the home adds the rest.\n"
              "Every field is explained in providers/_template.yaml.")
    return dump_profile(typed_dates(ordered, schema), header)


def apply_records(records: list[Record], providers: Path, *, fmt: str, data_date: dt.date, source: str,
                  local_authority: str | None = None, allow_mass_removal: bool = False, dry_run: bool = False,
                  schema: Schema | None = None) -> Report:
    """Apply a source's records to the folder of profiles; see the module docstring.

    ``fmt`` and ``source`` (a file name, or an API address) are named in new profiles' headers and
    in the report; ``data_date`` is the date of the source's data. Nothing is written when any
    check fails (or with ``dry_run``).
    """
    schema = schema or load_schema()
    if local_authority:
        want = _la_key(local_authority)
        areas = sorted({r.local_authority for r in records})
        records = [r for r in records if _la_key(r.local_authority) == want]
        if not records:
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
    for rec in sorted(records, key=lambda r: r.location_id):
        if rec.location_id in existing:
            path, _ = existing[rec.location_id]
            old_status = (existing[rec.location_id][1].get("cqc") or {}).get("status")
            text, changed = _refresh(path, rec, data_date, schema)
            name = f"{rec.regulator.get('name')} ({path.name})"
            if changed:
                report.changed[name] = changed
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
    gone = [(lid, p, d) for lid, p, d in in_scope if lid not in seen_ids]
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


def _refresh(path: Path, rec: Record, data_date: dt.date, schema: Schema) -> tuple[str | None, list[str]]:
    """New text for a profile with the regulator's fields refreshed (None if the file is current)."""
    doc = rt_load(path)
    changed = []
    for dotted, value in rec.regulator.items():
        keys = tuple(dotted.split("."))
        if schema.by_path[dotted].owner != "cqc":
            raise AssertionError(f"importer tried to set {dotted}, which the schema does not give to CQC")
        current = get_path(doc, keys)
        if value is None:
            if current is not None and rt_delete(doc, keys):
                changed.append(dotted)
        elif plain_value(current) != value:
            rt_set(doc, keys, value, schema)
            changed.append(dotted)
    if not changed and plain_value(get_path(doc, ("cqc", "imported"))) == data_date:
        return None, []
    rt_set(doc, ("cqc", "imported"), data_date, schema)
    return rt_dump(doc), changed
