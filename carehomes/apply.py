"""Apply records from a source to the folder of profiles: create new ones, refresh existing ones.

Only regulator-owned fields (owner ``cqc`` in the schema) are written, on new and existing
profiles alike; comments, key order and everything the home or the council wrote stay
as they were (CQC's phone and website are CQC's, cqc.phone and cqc.website, which a page
shows as from CQC until the home gives its own). Homes no longer in the source are flagged, never
deleted, and a source that would flag more than a few of them (5, or 10%) is refused as probably
partial. A source older than the facts already imported is refused too, and every planned profile
is checked with check's rules before anything is written: all or nothing.

Any source that yields ``Record``s (``sources.cqc_files``, an API client) uses ``apply_records``.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import closures
from .fsutil import ctrl_c_after
from .kinds import kind_template_path, kinds, kinds_of, profile_key
from .load import errors, load_profile, profile_files
from .parallel import map_chunks
from .problems import Problem
from .progress import Progress
from .records import canonical, get_path, set_path, typed_dates
from .safetext import plain
from .schema import Schema, load_schema
from .text import and_list, cut_slug, slugify
from .validate import errors_added
from .yamlio import (
    dump_profile,
    plain_value,
    rt_delete,
    rt_dump,
    rt_load,
    rt_set,
    write_texts_atomic,
)

MAX_REMOVALS = 5  # an import may flag this many homes as gone without --allow-mass-removal ...
MAX_REMOVAL_SHARE = 0.10  # ... or this share of the homes in scope, whichever is more


class ImportError_(Exception):
    """A file that cannot be imported, with a message saying why and what to do."""


class OlderSourceError(ImportError_):
    """A source dated before the CQC facts already imported."""


ALLOW_OLDER = "use --allow-older if the older file is really wanted"


@dataclass(frozen=True)
class DatedFact:
    """A dated fact (a rating and the date it was given) as a profile holds it and as a source would write it."""

    home: str  # how a message names the home: 'FHRS ID 488493 (Aston House), aston-house.yaml'
    held: Any
    held_date: dt.date | None
    new: Any
    new_date: dt.date | None

    @property
    def older(self) -> bool:
        """Would writing it roll the profile back? Only when both are dated and the source's is earlier."""
        return self.held_date is not None and self.new_date is not None and self.new_date < self.held_date

    def __str__(self) -> str:
        assert self.held_date is not None and self.new_date is not None
        return (f"{self.home}: the profile has {_shown(self.held)} dated {self.held_date.isoformat()}, "
                f"the file has {_shown(self.new)} dated {self.new_date.isoformat()}")


def rollbacks(facts: list[DatedFact]) -> list[DatedFact]:
    """The facts a source would roll back: dated before the one the profile holds (the same date is not older).

    The one rule for every source that carries a dated fact; each refuses these, naming every home,
    unless --allow-older is given, and then says which it applied."""
    return [f for f in facts if f.older]


def refuse_rollbacks(facts: list[DatedFact], what: str) -> None:
    """Raise OlderSourceError listing every fact in ``facts`` that is older than the profile's ``what``."""
    older = rollbacks(facts)
    if older:
        raise OlderSourceError(f"has {what} older than those the profiles hold for {len(older)} home{'s' * (len(older) != 1)}; "
                               f"nothing was changed ({ALLOW_OLDER}):\n  " + "\n  ".join(str(f) for f in older))


@dataclass
class Record:
    """One care home as a register file describes it."""

    location_id: str
    local_authority: str
    regulator: dict[str, Any]  # profile path -> value (None: the file says it is not set)
    line: str | None = None  # where the source has it: 'line 12' of a CSV, 'record 3' of JSON
    kinds: tuple[str, ...] = ()  # the kinds of service it is, by id; none: the first kind (a care home) only
    unread: tuple[str, ...] = ()  # what the source gives that could not be read, so is left out: "phone '0161...': ..."


@dataclass
class Report:
    fmt: str
    data_date: dt.date
    new: list[str] = field(default_factory=list)
    changed: dict[str, list[str]] = field(default_factory=dict)
    unchanged: int = 0  # not written: every fact and the register's date as the profile holds them
    redated: int = 0  # written with only cqc.imported changed: CQC's facts as held, the register newer (or older)
    missing: list[str] = field(default_factory=list)
    returned: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)  # deregistered before a profile was ever made: never imported
    closed_kept: int = 0  # of those, closed within the year before the register's date: kept in closures.FILE
    dry_run: bool = False
    older: list[DatedFact] = field(default_factory=list)  # applied with --allow-older
    values: dict[str, list[tuple[str, Any, Any]]] = field(default_factory=dict)  # name -> (field, old, new)
    skipped: dict[str, int] = field(default_factory=dict)  # locations of no kind held here, by service types
    held: dict[str, int] = field(default_factory=dict)  # locations imported (new or refreshed) by kind ('care homes': 47)
    closed_kinds: dict[str, int] = field(default_factory=dict)  # the closed ones not imported, by kind
    kind_one: dict[str, str] = field(default_factory=dict)  # a kind's plural -> its title, for a count of 1 ('care home')
    absent: list[str] = field(default_factory=list)  # columns the file's format has that it lacks: their facts left alone
    addressless: bool = False  # the file gives no service's postcode (CQC's market file has no address columns)
    not_given: str = ""  # what the file's format never gives ("beds, ratings, ..."): said in the summary
    unread: list[str] = field(default_factory=list)  # "Name: its phone '016162884222' ...": left out, not known
    date_guessed: bool = False  # the data date is the newest date in the file, which does not say its own (no --as-of)

    def _kind_count(self, words: str, n: int) -> str:
        """'47 care homes', '1 care home'."""
        return f"{n} {plain(self.kind_one.get(words, words) if n == 1 else words)}"

    def summary(self) -> str:
        verb = "would be " if self.dry_run else ""
        what = self.fmt if "sync" in self.fmt else f"{self.fmt} file"
        guessed = " (the newest date in it, as the file gives no date of its own; give --as-of YYYY-MM-DD if CQC dated it)"
        lines = [f"CQC {what} dated {self.data_date.isoformat()}{guessed if self.date_guessed else ''}:",
                 f"  {len(self.new)} new profile{'s' * (len(self.new) != 1)} {verb}created",
                 f"  {len(self.changed)} {verb}updated, "
                 + (f"{self.redated} with only the register's date {verb}changed (cqc.imported), " if self.redated else "")
                 + f"{self.unchanged} unchanged",
                 f"  {len(self.missing)} no longer on the register ({verb}flagged, not deleted)"]
        deregistered = [name for name, values in self.values.items()
                        if any(f == "cqc.status" and new == "Deregistered" for f, _, new in values)]
        if deregistered:
            lines.append(f"  {len(deregistered)} deregistered by CQC ({verb}kept, marked closed)")
        if self.absent:
            one = len(self.absent) == 1
            lines.append(f"  the file has no column{'s' * (not one)} {and_list([repr(plain(c)) for c in self.absent])}: what "
                         f"{'that column says' if one else 'those columns say'} is left as each profile has it (not known in "
                         "a new profile)")
        if self.not_given:
            lines.append(f"  a {self.fmt} file gives no {self.not_given}: what each profile has of them is left as it is "
                         "(not known in a new profile); CQC's API gives them (import-cqc --api)")
        if self.addressless:
            lines.append("  the file gives no service's address or postcode: a new profile has none, so its page shows no "
                         "address and searching by distance or by town cannot find it until one is added (CQC's care "
                         "directory file and its API records give them)")
        if self.returned:
            lines.append(f"  {len(self.returned)} back on the register")
        if self.closed:
            lines.append(f"  {len(self.closed)} not imported: deregistered before it was ever listed here"
                         + (f" ({', '.join(self._kind_count(words, n) for words, n in self.closed_kinds.items())}"
                            + ("; a location of two kinds counts in both" * (sum(self.closed_kinds.values()) > len(self.closed)))
                            + ")" if len(self.closed_kinds) > 1 else ""))
        if self.closed_kept:
            lines.append(f"  {self.closed_kept} of them closed in the year before the register's date: {verb}kept in "
                         f"{closures.FILE} (no page), so that the market page and the commissioner report count them as "
                         "closures")
        if self.held:
            lines.append("  by kind: " + ", ".join(self._kind_count(words, n) for words, n in self.held.items())
                         + (" (a location of two kinds counts in both)" if len(self.held) > 1 else ""))
        if self.skipped:
            lines.append(f"  {sum(self.skipped.values())} not imported: of no kind of service this directory holds, by CQC "
                         "service type:")
            lines.extend(f"    {plain(label)}: {n}" for label, n in sorted(self.skipped.items(), key=lambda x: (-x[1], x[0])))
        if self.unread:
            lines.append(f"  {len(self.unread)} fact{'s' * (len(self.unread) != 1)} CQC gives could not be read, so "
                         f"{'it is' if len(self.unread) == 1 else 'they are'} left out (not known on the pages): check "
                         "with CQC, or ask the service")
            lines.extend(f"    {u}" for u in self.unread[:50])
            if len(self.unread) > 50:
                lines.append(f"    ... and {len(self.unread) - 50} more")
        for name in self.new[:50]:
            lines.append(f"  new: {plain(name)}")
        if len(self.new) > 50:
            lines.append(f"  ... and {len(self.new) - 50} more new")
        for name, fields in list(self.changed.items())[:50]:
            if name in self.values:
                fields = [f"{f}: {_shown(old)} -> {_shown(new)}" for f, old, new in self.values[name]]
            lines.append(f"  updated: {plain(name)}: {'; '.join(fields)}")
        if len(self.changed) > 50:
            lines.append(f"  ... and {len(self.changed) - 50} more updated")
        for name, values in self.values.items():
            by_field = {f: (old, new) for f, old, new in values}
            if "cqc.rating" in by_field:
                old, new = by_field["cqc.rating"]
                date = by_field.get("cqc.rating_date", (None, None))[1]
                when = f" (published {_shown(date)})" if date else ""
                lines.append(f"  rating changed: {plain(name)}: {_shown(old)} -> {_shown(new)}{when}")
            if by_field.get("cqc.status", (None, None))[1] == "Deregistered":
                date = by_field.get("cqc.status_date", (None, None))[1]
                lines.append(f"  deregistered: {plain(name)}" + (f" on {_shown(date)}" if date else ""))
        for fact in self.older:
            lines.append(f"  older rating {verb}applied (--allow-older): {fact}")
        for name in self.missing:
            lines.append(f"  not on register: {plain(name)}")
        for name in self.returned:
            lines.append(f"  back on register: {plain(name)}")
        for name in self.closed[:50]:
            lines.append(f"  closed, not imported: {plain(name)}")
        if len(self.closed) > 50:
            lines.append(f"  ... and {len(self.closed) - 50} more closed")
        return "\n".join(lines)


def _shown(value: Any) -> str:
    """A value as the report prints it: dates as ISO, lists joined, missing as (none); quoted with ``plain``."""
    if value is None:
        return "(none)"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return plain(", ".join(str(v) for v in value)) or "(none)"
    return plain(value)


def locality_name(local_authority: str) -> str:
    """CQC/ONS area names to the name people use: 'Herefordshire, County of' -> 'Herefordshire'."""
    return re.sub(r",\s*(County|City) of$", "", local_authority.strip(), flags=re.IGNORECASE)


def la_key(name: str) -> str:
    """A local authority's name as two names for it are compared ('County Durham' and 'county  durham', '&' as 'and')."""
    return re.sub(r"\s+", " ", locality_name(name).lower().replace("&", "and")).strip()


LA_NAMED_MAX = 12  # a file of at most this many local authorities names them all when none matches


def _la_hint(want: str, areas: list[str]) -> str:
    """What to say when no home is in the local authority ``want`` (``la_key``'s form): the areas of the file named
    with it as a word (a county in a file of district councils: 'Devon' -> 'East Devon', 'Mid Devon', ...), each
    imported on its own; else the area named as words of it (the council's full name: 'Devon County Council' ->
    'Devon'), or the nearest name; else the file's areas, or how many there are when they are many."""
    keys = {la_key(a): a for a in areas}
    within = [a for k, a in keys.items() if re.search(rf"(^| ){re.escape(want)}( |$)", k)]
    if len(within) > 1:
        names = and_list([repr(a) for a in within])
        return (f"the local authorities with that name in theirs are {names} (a county's other districts have names "
                "of their own); import each into the same folder with its own --local-authority")
    part = [a for k, a in keys.items() if k and re.search(rf"(^| ){re.escape(k)}( |$)", want)]
    near = within or sorted(part, key=len, reverse=True)[:1]
    if near:
        return f"did you mean {' or '.join(repr(n) for n in near)}?"
    alike = difflib.get_close_matches(want, list(keys), n=1, cutoff=0.6)
    if alike and all(difflib.get_close_matches(w, alike[0].split(), n=1, cutoff=0.75) for w in want.split()):
        return f"did you mean {keys[alike[0]]!r}?"  # the same words, misspelt ('Herefordshir')
    if alike:  # a word of its own that is none of the other's: another council ('East Sussex' is not 'Mid Sussex')
        return (f"the nearest name in the file, {keys[alike[0]]!r}, is another council's; a county in a file of district "
                "councils is not named in it (the national 2021 file names East Sussex's homes by its districts: "
                "Eastbourne, Hastings, Lewes, Rother and Wealden): import each district with its own --local-authority, "
                "as the file's local authority column names them")
    if not areas:  # a header alone, or rows that name no local authority
        return "the file names no local authority at all: is it only a header, or cut short? Give the whole file"
    if len(areas) <= LA_NAMED_MAX:
        return f"the file's local authorities are {and_list([repr(a) for a in areas])}"
    return f"the file has {len(areas)} areas"


def _existing(folder: Path) -> dict[str, tuple[Path, dict]]:
    out: dict[str, tuple[Path, dict]] = {}
    for f in profile_files([folder]):
        profile, problems = load_profile(f)  # the one reader: check's rules and messages
        if profile is None:
            raise ImportError_(f"cannot refresh {f}: it is not a readable profile; fix it first (nothing was changed):\n"
                               + "\n".join(f"  {p}" for p in errors(problems)))
        data = profile.data
        if isinstance(data.get("location_id"), str):
            out[data["location_id"]] = (f, data)
    return out


def _facts(rec: Record, schema: Schema, data_date: dt.date, slug: str | None = None) -> dict[str, Any]:
    """A record's facts as a profile holds them, in the schema's order, dated by the register's date."""
    data: dict[str, Any] = {"location_id": rec.location_id, **({"slug": slug} if slug else {}),
                            "locality": locality_name(rec.local_authority)}
    if rec.kinds:
        data[profile_key(schema)] = list(rec.kinds)
    for path, value in rec.regulator.items():
        if value is not None:
            set_path(data, path.split("."), value)
    set_path(data, ["cqc", "imported"], data_date)
    return canonical(data, schema)


def new_profile(rec: Record, slug: str, schema: Schema, fmt: str, data_date: dt.date, source: str) -> str:
    ordered = _facts(rec, schema, data_date, slug)
    origin = source if "sync" in fmt else f"{fmt} file {source}"
    header = (f"{rec.regulator.get('name') or rec.location_id}\n"
              f"Created from the CQC register ({origin}, dated {data_date.isoformat()}).\n"
              "Fields owned by CQC are refreshed by 'python3 build.py import-cqc'; the home adds the rest.\n"
              f"Every field is explained in {_template_of(rec, schema)}.")
    return dump_profile(typed_dates(ordered, schema), header)


def apply_records(records: list[Record], providers: Path, *, fmt: str, data_date: dt.date, source: str,
                  local_authority: str | None = None, allow_mass_removal: bool = False, dry_run: bool = False,
                  schema: Schema | None = None, register_ids: set[str] | None = None, allow_older: bool = False,
                  max_removals: int = MAX_REMOVALS, max_removal_share: float = MAX_REMOVAL_SHARE,
                  skipped: dict[str, int] | None = None, one_authority: bool = False) -> Report:
    """Apply a source's records to the folder of profiles; see the module docstring.

    ``one_authority`` (an area's folder: one council's directory): without ``local_authority``, a source holding
    the homes of several local authorities is refused, naming them, rather than all imported into it.

    ``register_ids`` is for an incremental sync, where ``records`` hold only the homes that changed:
    it lists every location the register still has for the area, so only homes outside it are flagged.
    A source dated before the newest ``cqc.imported`` in scope, or of any profile it refreshes (by location ID,
    whatever its locality), is refused unless ``allow_older``; more
    than ``max_removals`` homes, or ``max_removal_share`` of them, flagged as gone is refused unless
    ``allow_mass_removal``.

    ``fmt`` and ``source`` (a file name, or an API address) are named in new profiles' headers and
    in the report; ``data_date`` is the date of the source's data; ``skipped`` counts the source's
    locations of no kind held here, by service type, for the report. A record holds only the fields
    of its kinds (an agency gets no beds). Nothing is written when any check fails (or with ``dry_run``).
    """
    schema = schema or load_schema()
    records = [_of_its_kinds(r, schema) for r in records]
    if local_authority:
        want = la_key(local_authority)
        areas = sorted({r.local_authority for r in records})
        records = [r for r in records if la_key(r.local_authority) == want]
        if not records and register_ids is None:
            raise ImportError_(f"has no care homes in local authority '{local_authority}'; {_la_hint(want, areas)}")
    elif one_authority and len({la_key(r.local_authority) for r in records if r.local_authority}) > 1:  # one council
        # written two ways ('Herefordshire, County of', 'herefordshire, county of') is one council, not two
        areas = sorted({r.local_authority for r in records if r.local_authority})
        named = and_list([repr(a) for a in areas]) if len(areas) <= LA_NAMED_MAX else f"{len(areas):,} local authorities"
        # the council the area's folder is named after (areas/brighton-and-hove/providers), or its profiles' council
        theirs = {la_key(str(d.get("locality", ""))) for _, d in _existing(providers).values()} if providers.is_dir() else set()
        yours = next((a for a in areas if slugify(locality_name(a)) == providers.parent.name or la_key(a) in theirs), None)
        like = f", like --local-authority {shlex.quote(plain(yours, 80))}" if yours else ""
        raise ImportError_(f"holds the care homes of {named}; an area is one council's directory: give yours with "
                           f"--local-authority{like} (nothing was imported)")
    seen_ids: set[str] = set()
    for r in records:
        if r.location_id in seen_ids:
            raise ImportError_(f"lists location {plain(r.location_id, 40)} twice; nothing was changed")
        seen_ids.add(r.location_id)
    existing = _existing(providers) if providers.is_dir() else {}  # a dry run into a folder not yet made: all new
    in_scope = [(lid, p, d) for lid, (p, d) in existing.items()
                if not d.get("example") and (not local_authority or la_key(str(d.get("locality", ""))) == la_key(local_authority))]
    if not allow_older:  # the profiles it would flag as gone, and every one it would refresh by its location ID:
        # one of another locality ('East Devon' under --local-authority Devon) is refreshed all the same
        _refuse_older(data_date, [(p, d) for _, p, d in in_scope] + [existing[i] for i in seen_ids if i in existing])
    report = Report(fmt, data_date, dry_run=dry_run, skipped=dict(skipped or {}))

    def held(rec: Record, counts: dict[str, int] = report.held) -> None:
        for k in kinds_of({profile_key(schema): list(rec.kinds)}, schema):
            counts[k.plural.lower()] = counts.get(k.plural.lower(), 0) + 1
            report.kind_one[k.plural.lower()] = k.title.lower()
    facts = [_rating_fact(rec, *existing[rec.location_id]) for rec in records if rec.location_id in existing]
    if not allow_older:
        refuse_rollbacks(facts, "CQC ratings")
    report.older = rollbacks(facts)
    taken = {p.stem for p, _ in existing.values()}
    writes: list[tuple[Path, str]] = []
    origins: dict[Path, Record] = {}  # which record each planned write comes from
    progress = Progress("homes", len(records), quiet_below=1000)
    recently_closed: list[dict[str, Any]] = []
    for rec in sorted(records, key=lambda r: r.location_id):
        progress.step()
        report.unread += [f"{plain(str(rec.regulator.get('name') or rec.location_id), 80)}: {u}" for u in rec.unread]
        if rec.location_id in existing:
            path, _ = existing[rec.location_id]
            held(rec)
            old_status = (existing[rec.location_id][1].get("cqc") or {}).get("status")
            text, changed, values = (None, [], []) if _current(existing[rec.location_id][1], rec, data_date, schema) \
                else _refresh(path, rec, data_date, schema)
            name = f"{rec.regulator.get('name')} ({path.name})"
            if changed:
                report.changed[name] = changed
                report.values[name] = values
                if old_status not in (None, "Registered") and rec.regulator.get("cqc.status") == "Registered":
                    report.returned.append(name)
            elif text is not None:  # the same facts, dated by this register: written, so not 'unchanged'
                report.redated += 1
            else:
                report.unchanged += 1
            if text is not None:
                writes.append((path, text))
                origins[path] = rec
            continue
        closed = rec.regulator.get("cqc.status_date")
        if rec.regulator.get("cqc.status") == "Deregistered":  # current services only: whatever its date
            held(rec, report.closed_kinds)
            report.closed.append(f"{rec.regulator.get('name')} ({rec.location_id}"
                                 + (f", deregistered {closed.isoformat()})" if isinstance(closed, dt.date) else ")"))
            if isinstance(closed, dt.date) and data_date - dt.timedelta(days=closures.WINDOW_DAYS) <= closed <= data_date:
                kept_facts = closed_service(rec, schema, data_date)  # closures.entry's facts, as the file is read back
                if kept_facts is not None:  # no page; counted as a closure
                    recently_closed.append(kept_facts)
            continue
        held(rec)
        slug = _free_slug(rec, taken)
        taken.add(slug)
        path = providers / f"{slug}.yaml"
        writes.append((path, new_profile(rec, slug, schema, fmt, data_date, source)))
        origins[path] = rec
        report.new.append(f"{rec.regulator.get('name')} ({path.name})")
    listed = seen_ids if register_ids is None else seen_ids | register_ids
    gone = [(lid, p, d) for lid, p, d in in_scope if lid not in listed]
    for _lid, p, d in sorted(gone, key=lambda x: str(x[1])):
        if (d.get("cqc") or {}).get("status") in ("Deregistered", "Not in latest register"):
            continue
        doc = rt_load(p)
        rt_set(doc, ("cqc", "status"), "Not in latest register", schema)
        rt_set(doc, ("cqc", "status_date"), data_date, schema)
        # CQC no longer lists it, so it names no manager of it now: the name an earlier import kept is not shown as CQC's
        rt_delete(doc, ("cqc", "registered_managers"))
        writes.append((p, rt_dump(doc)))
        report.missing.append(f"{d.get('name')} ({p.name})")
    if len(report.missing) > max(max_removals, max_removal_share * len(in_scope)) and not allow_mass_removal:
        raise ImportError_(f"would flag {len(report.missing)} of {len(in_scope)} homes as no longer registered. "
                           "Is this a partial file? Nothing was changed; use --allow-mass-removal if it is right")
    order = [k.plural.lower() for k in kinds(schema)]
    report.held = {w: report.held[w] for w in order if w in report.held}
    report.closed_kinds = {w: report.closed_kinds[w] for w in order if w in report.closed_kinds}
    _check_plan(writes, origins, schema)
    if any(r.regulator.get("cqc.status") == "Deregistered" for r in records):  # a source that gives closures: their file
        old, _ = closures.read(providers)  # one that cannot be read is written afresh from a whole register
        kept = closures.merged(old, recently_closed, data_date, set(existing) | {r.location_id for r in origins.values()},
                               whole=register_ids is None)
        if kept is not None and (old is None or kept != old):
            writes.append((providers / closures.FILE, kept.text()))
        report.closed_kept = len(recently_closed) if kept is not None else 0
    if not dry_run:
        providers.mkdir(parents=True, exist_ok=True)
        profiles = sum(1 for path, _ in writes if path.name != closures.FILE)
        done = (f"The import had written all {profiles:,} profiles it changes before it stopped; run it again to see "
                "its report (it finds nothing more to change).")
        with ctrl_c_after(done):  # every profile or, before this, none (a full disk too: OSError, nothing changed)
            write_texts_atomic(writes)
    return report


def closed_service(rec: Record, schema: Schema, data_date: dt.date) -> dict[str, Any] | None:
    """A deregistered service's CQC facts that the market page and the report read (closures.FILE: counted, never
    listed), as its profile would hold them."""
    return closures.entry(typed_dates(_facts(rec, schema, data_date), schema))  # None without a name: not counted


def _template_of(rec: Record, schema: Schema) -> str:
    """The template explaining a new profile's fields: its first kind's."""
    return kind_template_path(kinds_of({profile_key(schema): list(rec.kinds)}, schema)[0], schema)


def _of_its_kinds(rec: Record, schema: Schema) -> Record:
    """The record with only the fields of its kinds: a home care agency's record sets no beds."""
    if not rec.kinds:
        return rec
    paths = {f.path for k in kinds_of({profile_key(schema): list(rec.kinds)}, schema) for f in k.fields}
    return Record(rec.location_id, rec.local_authority, {p: v for p, v in rec.regulator.items() if p in paths},
                  rec.line, rec.kinds, rec.unread)


def _rating_fact(rec: Record, path: Path, data: dict) -> DatedFact:
    """The CQC rating a profile holds and the one the record would write."""
    cqc = data.get("cqc")
    held: dict = cqc if isinstance(cqc, dict) else {}
    held_date, new_date = held.get("rating_date"), rec.regulator.get("cqc.rating_date")
    return DatedFact(f"location {rec.location_id} ({rec.regulator.get('name')}), {path.name}",
                     held.get("rating"), held_date if isinstance(held_date, dt.date) else None,
                     rec.regulator.get("cqc.rating"), new_date if isinstance(new_date, dt.date) else None)


def _refuse_older(data_date: dt.date, profiles: list[tuple[Path, dict]]) -> None:
    """Refuse a source dated before the CQC facts the profiles already hold (``cqc.imported``)."""
    dated = [(d, p) for p, data in profiles if isinstance(d := (data.get("cqc") or {}).get("imported"), dt.date)]
    if not dated:
        return
    newest, path = max(dated, key=lambda x: (x[0], str(x[1])))
    if data_date < newest:
        raise OlderSourceError(f"is dated {data_date.isoformat()}, older than the CQC facts already imported "
                           f"({newest.isoformat()}, in {path.name}); nothing was changed. "
                           "Use --allow-older if you mean to go back to this file")


def _check_plan(writes: list[tuple[Path, str]], origins: dict[Path, Record], schema: Schema) -> None:
    """Check every planned profile with check's rules before anything is written; refuse the whole
    import when one would break them. A value the schema forbids in a CQC field is the source's fault
    and is named by its line; a problem the profile already had is left to ``check``."""
    from_source: list[str] = []
    in_profiles: list[str] = []
    for chunk in map_chunks(_new_problems, writes, schema):  # on every core: a national file plans 15,000 profiles
        for path, p in chunk:
            rec = origins.get(path)
            field_def = schema.by_path.get(p.field)
            if rec is not None and field_def is not None and field_def.owner == "cqc":
                where = f"{rec.line}: " if rec.line else ""
                from_source.append(f"{where}location {plain(rec.location_id, 40)}: {p.field}: {plain(p.message)}")
            else:
                in_profiles.append(str(p))
    if from_source:
        more = f"\n  (and {len(from_source) - 10} more)" if len(from_source) > 10 else ""
        raise ImportError_("has values the schema does not allow; nothing was changed. Check the file with its "
                           "publisher:\n  " + "\n  ".join(from_source[:10]) + more)
    if in_profiles:
        raise ImportError_("would leave profiles that do not pass check; nothing was changed:\n  "
                           + "\n  ".join(in_profiles[:10]))


def _new_problems(args: tuple) -> list[tuple[Path, Problem]]:
    """The errors check would report for each planned text that the file on disk does not have already."""
    writes, schema = args
    return [(path, p) for path, text in writes for p in errors_added(path, text, path.name, schema)]


def _kinds_now(held: Any, rec: Record, schema: Schema) -> list[str] | None:
    """The profile's kinds after an import: the kinds CQC's service types give (``rec.kinds``; none
    said is the first kind alone, written as no list) and any kind the council gave that CQC does not tell."""
    first = kinds(schema)[0].id
    told = {k.id for k in kinds(schema) if k.cqc_service_types}
    kept = [k for k in held if k not in told] if isinstance(held, list) else []
    wanted = [k.id for k in kinds(schema) if k.id in (set(rec.kinds or (first,)) | set(kept))]
    return None if wanted == [first] else wanted


def _free_slug(rec: Record, taken: set[str]) -> str:
    """A slug from the name; add the town, then the location ID, when the name is taken."""
    base = slugify(rec.regulator.get("name") or "home")
    town = slugify(rec.regulator.get("address.town") or "")
    ident = re.sub(r"[^0-9a-z]", "", rec.location_id.lower())
    candidates = [base] + ([f"{base}-{town}"] if town and town != "home" and town not in base else [])
    candidates.append(f"{base}-{ident}")
    for c in candidates:
        if cut_slug(c, 80) not in taken:  # between words ("...-kingston-upon-thames-bor" was a file's name)
            return cut_slug(c, 80)
    n = 2
    while f"{base}-{ident}-{n}" in taken:
        n += 1
    return f"{base}-{ident}-{n}"


def _current(data: dict, rec: Record, data_date: dt.date, schema: Schema) -> bool:
    """Whether a profile (its data as check reads it) already holds every fact of ``rec`` and this import's date, so
    that ``_refresh`` would leave it as it is: decided without its round-trip parse, which keeps comments and was
    nearly all of an import over existing profiles (nationally 47 s for 15,403 unchanged ones). Any difference, or any
    doubt, is for ``_refresh`` to find."""
    for dotted, value in rec.regulator.items():
        current = get_path(data, dotted.split("."))
        if (current is not None) if value is None else (current != value or type(current) is not type(value)):
            return False
    held = data.get(profile_key(schema))
    return _kinds_now(held, rec, schema) == held and get_path(data, ("cqc", "imported")) == data_date


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
    key = profile_key(schema)
    held = plain_value(doc.get(key)) if isinstance(doc, dict) else None
    wanted = _kinds_now(held, rec, schema)
    if wanted != held:
        if wanted is None:
            rt_delete(doc, (key,))
        else:
            rt_set(doc, (key,), wanted, schema)
        changed.append(key)
        values.append((key, held, wanted))
    if not changed and plain_value(get_path(doc, ("cqc", "imported"))) == data_date:
        return None, [], []
    rt_set(doc, ("cqc", "imported"), data_date, schema)
    return rt_dump(doc), changed, values
