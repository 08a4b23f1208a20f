"""Federation: combine several councils' published packages into one regional package.

Homes are matched by CQC location ID. When two packages hold the same home, a fact that differs is decided by its
own date (``fact_dates``: the register data's date for CQC's facts, fees.date for the fees...): the newer dated fact
wins, with the facts its date dates; facts only one package knows (a date alone is no fact) are that package's,
whatever the dates; when the dates are the same, or either is not known, or the fact has no date, the package listed
first wins. Every fact that differs is reported with both values, their dates and which was kept, so conflicts are
never settled silently. A location of one kind of service in one package and of more in another
keeps every kind, each kind's own facts taken from the package that holds that kind.

Packages come from outside, so they are untrusted: resource paths must stay inside the package's
folder, every value is read with the package's declared field types (Frictionless table schema:
trueValues, falseValues, missingValues, delimiter), a missing column, a short row or a location
ID listed twice is an error naming the file and line, and every merged home must pass ``check``
before anything is written. Every problem is collected and reported; none ends in a traceback.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .fsutil import SLUG_MAX, UnsafePath, contained_file, read_regular, safe_slug_path
from .face import lower_first
from .jsontext import strict_loads
from .kinds import counted, kinds, kinds_of, profile_key
from .load import Profile, errors, parse_bytes
from .records import canonical, get_path, set_path, typed_dates
from .safetext import plain
from .schema import Field, Schema, load_schema
from .text import FORMULA_START, and_list, restore
from .validate import check_profile
from .yamlio import dump_profile

MAX_DESCRIPTOR_BYTES = 5 * 1024 * 1024
MAX_DATA_BYTES = 512 * 1024 * 1024
SHOW_AT_MOST = 50  # problems printed; the count of the rest is given
# Frictionless table schema defaults (https://specs.frictionlessdata.io/table-schema/)
TRUE_VALUES = ["true", "True", "TRUE", "1"]
FALSE_VALUES = ["false", "False", "FALSE", "0"]
MISSING_VALUES = [""]
INTEGER = re.compile(r"[+-]?[0-9]{1,18}")
NUMBER = re.compile(r"[+-]?(?:[0-9]{1,30}(?:\.[0-9]{0,30})?|\.[0-9]{1,30})(?:[eE][+-]?[0-9]{1,3})?")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# each column whose type has widened since it was published, read as its text: a food hygiene rating was a whole number
# 0-5 before 'Exempt' and 'Awaiting inspection' were added. Only these: another text column declared a whole number
# would have its cells changed ('007' read as 7, written '7')
WIDENED = {("food_hygiene_rating", "integer", "string")}  # (column, its type then, its type now)
REGISTER_DATE = "cqc.imported"  # the date of the CQC register data that dates every CQC fact of a home
SHOWN_AT_MOST = 200  # characters of a text value a conflict shows


class MergeError(Exception):
    """The merge was refused: ``problems`` lists every reason, each naming its file (and line)."""

    def __init__(self, *problems: str, homes: list[Home] | None = None):
        self.problems = list(problems)
        self.homes = homes or []  # the homes read before the problems were found (read_package): checked too
        shown = self.problems[:SHOW_AT_MOST]
        if len(self.problems) > SHOW_AT_MOST:
            shown.append(f"... and {len(self.problems) - SHOW_AT_MOST:,} more problems")
        super().__init__("\n".join(shown))


@dataclass
class Home:
    """One home read from a package, and where each part of it was read."""

    data: dict  # canonical profile (dates as ISO text)
    source: str  # the care-homes CSV, as shown in messages
    line: int
    caps_source: str = ""
    cap_lines: dict[str, int] = field(default_factory=dict)


@dataclass
class MergeReport:
    sources: list[tuple[str, str]] = field(default_factory=list)  # each package and its services, counted (kinds.counted)
    duplicates: int = 0
    conflicts: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # locations whose kinds of service differ between packages
    apart: list[str] = field(default_factory=list)  # locations whose packages' facts do not pass check together
    renamed: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # check's warnings, which do not stop a merge, as they do not stop check
    older: list[str] = field(default_factory=list)  # tables published before some of this schema's columns were added

    def text(self, total: str) -> str:
        """The report, ``total`` the merged services counted (kinds.counted: "192 services (132 care homes and ...)")."""
        lines = [f"Merged {total} from {len(self.sources)} package{'' if len(self.sources) == 1 else 's'}:"]
        lines += [f"  {path}: {n}" for path, n in self.sources]
        n = len(self.conflicts)
        d = self.duplicates  # locations, of whatever kinds (a care home and an agency at one are one location)
        lines.append(f"  {d:,} location{' was' if d == 1 else 's were'} in more than one package; {n} field{'s' * (n != 1)} differed")
        lines += [f"  kinds of service combined: {k}" for k in self.kinds]
        lines += [f"  not combined: {a}" for a in self.apart]
        lines += [f"  conflict: {c}" for c in self.conflicts]
        lines += [f"  older package: {o}" for o in self.older]
        lines += [f"  page name changed: {r}" for r in self.renamed]
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _read_bounded(path: Path, limit: int) -> bytes:
    """At most ``limit`` bytes of a regular file (fsutil.read_regular: never a device or pipe); ValueError if it is
    longer (never reads more)."""
    if path.is_file() and path.stat().st_size > limit:  # refused by its size, before reading any of it
        raise ValueError(f"is larger than {limit // (1024 * 1024)} MB")
    data = read_regular(path, limit)
    if len(data) > limit:  # grown since
        raise ValueError(f"is larger than {limit // (1024 * 1024)} MB")
    return data


def descriptor_of(path: Path) -> Path:
    """The package's datapackage.json: ``path`` itself, or the one in the folder ``path`` (a package's folder given, as
    a site's ``data/``), when there is one."""
    inside = path / "datapackage.json"
    return inside if path.is_dir() and inside.is_file() else path


def read_descriptor(path: Path) -> dict:
    """A datapackage.json as a dict, or MergeError saying why it cannot be one."""
    if not path.exists():
        raise MergeError(f"{path}: no such file; give the path of a package's datapackage.json")
    if path.is_dir():
        raise MergeError(f"{path}: is a folder with no datapackage.json in it; give the path of a package's "
                         "datapackage.json, or the folder that holds it")
    if not path.is_file():  # a device or pipe could be endless, or never answer
        raise MergeError(f"{path}: is not a regular file (a device, pipe or folder); give the path of a package's "
                         "datapackage.json")
    try:
        text = _read_bounded(path, MAX_DESCRIPTOR_BYTES).decode("utf-8-sig")
        if not text.strip():  # it said "Expecting value: line 1 column 1 (char 0)"
            raise MergeError(f"{path}: is empty, so it is not a data package descriptor; give the datapackage.json the "
                             "council published")
        pkg = strict_loads(text)
    except UnicodeDecodeError:
        raise MergeError(f"{path}: is not UTF-8 text, so it is not a data package descriptor") from None
    except RecursionError:
        raise MergeError(f"{path}: is nested too deeply to be a data package descriptor") from None
    except (OSError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        raise MergeError(f"{path}: cannot be read as a data package ({exc})") from None
    if not isinstance(pkg, dict):
        raise MergeError(f"{path}: is a JSON {_json_kind(pkg)}, not a data package descriptor (a JSON object with 'resources')")
    if not isinstance(pkg.get("resources"), list):
        raise MergeError(f"{path}: has no list of 'resources'; is it a care homes directory package?")
    return pkg


def _json_kind(value: Any) -> str:
    return {list: "list", str: "string", bool: "true/false value", type(None): "null"}.get(type(value), "number")


def _resource(path: Path, pkg: dict, name: str, fields: list[Field], ours_schema: Schema | None = None
              ) -> tuple[dict, list[Field]]:
    """The named resource, checked against our schema, and the fields it has: our columns in our order (a package
    published before some of them were added leaves them out: its values are not known), the same types."""
    found = [r for r in pkg["resources"] if isinstance(r, dict) and r.get("name") == name]
    if not found:
        raise MergeError(f"{path}: has no '{name}' resource; is it a care homes directory package?")
    res = found[0]
    schema = res.get("schema")
    if not isinstance(schema, dict) or not isinstance(schema.get("fields"), list) \
            or not all(isinstance(f, dict) for f in schema["fields"]):
        raise MergeError(f"{path}: resource '{name}' must give its schema (a list of fields) inside datapackage.json")
    theirs = [f.get("name") for f in schema["fields"]]
    ours = [f.name for f in fields]
    if not _older(theirs, fields):
        missing = sorted(set(ours) - {t for t in theirs if isinstance(t, str)})
        extra = sorted(_show(str(t)) for t in theirs if t not in ours)
        twice = sorted({_show(str(t)) for t in theirs if theirs.count(t) > 1})
        known = [t for t in theirs if t in ours]
        order = sorted(known, key=ours.index)
        moved = next(((a, b) for a, b in zip(order, known, strict=True) if a != b), None) if not twice else None
        raise MergeError(f"{path}: {name} columns differ from this schema (missing: {', '.join(missing) or 'none'}; "
                         f"extra: {', '.join(extra) or 'none'}"
                         + (f"; named more than once: {', '.join(twice)}" if twice else "")
                         + (f"; out of order: {moved[0]!r} comes before {moved[1]!r} in this schema" if moved else "")
                         + "); "
                         + ("it is newer than this project's schema: merge it with an up-to-date copy of this project"
                            if extra and not missing else
                            "a package may leave out only columns added since it was published, keeping the others "
                            "in order; ask its publisher for one published with this schema"))
    fields = [f for f in fields if f.name in theirs]
    problems = []
    for f, theirs_f in zip(fields, schema["fields"], strict=True):
        for key in ("type", "format", "itemType"):
            ours_v = f.type if key == "type" else f.format if key == "format" else _item_type(name, f.name, ours_schema)
            said = theirs_f.get(key)
            if key == "format" and said == "default" and ours_v is None:  # Frictionless's word for no format of its own
                continue
            if said != ours_v and not (key == "type" and _widened(f.name, said, ours_v)):
                problems.append(f"{path}: {name} field '{f.name}' has {_declared(key, theirs_f.get(key))}, this schema "
                                f"has {_declared(key, ours_v)}; ask its publisher for a package published with this schema")
        for key in ("trueValues", "falseValues"):
            if key in theirs_f and not _strings(theirs_f[key]):
                problems.append(f"{path}: {name} field '{f.name}': {key} must be a list of texts")
        for key in ("delimiter", "decimalChar", "groupChar"):
            if key in theirs_f and not (isinstance(theirs_f[key], str) and len(theirs_f[key]) == 1):
                problems.append(f"{path}: {name} field '{f.name}': {key} must be one character")
    if "missingValues" in schema and not _strings(schema["missingValues"]):
        problems.append(f"{path}: {name}: missingValues must be a list of texts")
    if problems:
        raise MergeError(*problems)
    encoding = res.get("encoding", "utf-8")
    if not isinstance(encoding, str) or encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
        raise MergeError(f"{path}: resource '{name}' is in encoding {encoding!r}; only UTF-8 packages can be merged")
    return res, fields


def _declared(key: str, value: Any) -> str:
    """A field's type, format or itemType as a message says it: "type 'date'", "no format", "type [\"date\"]" (its
    JSON, never Python's None or list repr), cut to 40 characters."""
    if value is None:
        return f"no {key}"
    return f"{key} '{plain(value, 40)}'" if isinstance(value, str) else f"{key} {plain(json.dumps(value), 40)}"


def _widened(name: str, theirs: Any, ours: Any) -> bool:
    """Whether a package's type for column ``name`` is one WIDENED into ours (any value from outside: a list, a number)."""
    return isinstance(theirs, str) and (name, theirs, ours) in WIDENED


def _older(theirs: list[Any], fields: list[Field]) -> bool:
    """Whether a table's columns are ours, in our order, some perhaps left out (columns added to the schema since the
    package was published), but none a row needs (the location ID, the capability: a required column)."""
    ours = [f.name for f in fields]
    if not all(isinstance(t, str) for t in theirs) or len(set(theirs)) != len(theirs) or not set(theirs) <= set(ours):
        return False
    needed = {f.name for f in fields if f.constraints.get("required")} | {ours[0]}
    return needed <= set(theirs) and sorted(theirs, key=ours.index) == theirs


def _item_type(resource: str, name: str, schema: Schema | None = None) -> Any:
    """Our schema's itemType for a field (the Field class does not keep it)."""
    res = next(r for r in (schema or load_schema()).package["resources"] if r["name"] == resource)
    return next(f for f in res["schema"]["fields"] if f["name"] == name).get("itemType")


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _data_file(path: Path, res: dict) -> tuple[Path, str, str]:
    """The resource's data file (inside the package folder), its text, and its name for messages."""
    rel = res.get("path")
    shown = f"{path.parent / rel}" if isinstance(rel, str) else str(rel)
    try:
        file = contained_file(path.parent, rel)
        raw = _read_bounded(file, MAX_DATA_BYTES)
    except UnsafePath as exc:
        raise MergeError(f"{path}: resource '{res.get('name')}' has path {str(rel)[:200]!r}, which is refused: {exc}") from None
    except FileNotFoundError:
        raise MergeError(f"{path}: resource '{res.get('name')}' names {_show(str(rel))}, which is missing from the package folder") from None
    except ValueError as exc:  # larger than MAX_DATA_BYTES
        raise MergeError(f"{shown}: {exc}, more than merge reads of one file; no care directory's table is near "
                         "that size, so check that the package holds its own files") from None
    except OSError as exc:
        raise MergeError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    _check_integrity(shown, res, raw)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise MergeError(f"{shown}:{line}: is not UTF-8 text; the package must be saved as UTF-8") from None
    return file, text, shown


def _check_integrity(shown: str, res: dict, raw: bytes) -> None:
    """If the descriptor gives the file's size or hash, the file must match them."""
    size, digest = res.get("bytes"), res.get("hash")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool)):
        raise MergeError(f"{shown}: datapackage.json gives its bytes as {_show(str(size)[:30])}, not a whole number; "
                         "ask for a fresh copy of the package")
    if digest is not None and not isinstance(digest, str):
        raise MergeError(f"{shown}: datapackage.json gives its hash as {_show(str(digest)[:30])}, not a text such as "
                         "'sha256:<hex digits>'; ask for a fresh copy of the package")
    if size is not None and size != len(raw):
        raise MergeError(f"{shown}: is {len(raw):,} bytes but datapackage.json says {str(size)[:30]}; "
                         "the file was changed after it was published, so ask for a fresh copy of the package")
    if digest is not None:
        algo, _, value = str(digest).rpartition(":")
        algo = algo or "md5"
        if algo not in ("md5", "sha1", "sha256", "sha512"):
            raise MergeError(f"{shown}: datapackage.json gives a {algo[:20]!r} hash, which cannot be checked; use sha256")
        if hashlib.new(algo, raw).hexdigest() != value.lower():
            raise MergeError(f"{shown}: does not match the {algo} hash in datapackage.json; "
                             "the file was changed after it was published, so ask for a fresh copy of the package")


def parse_value(spec: dict, missing: list[str], text: str) -> Any:
    """One CSV cell read with the package's field description; ValueError says what is wrong."""
    if text in missing:
        return None
    kind = spec.get("type")
    if kind == "boolean":
        trues, falses = spec.get("trueValues", TRUE_VALUES), spec.get("falseValues", FALSE_VALUES)
        if text in trues:
            return True
        if text in falses:
            return False
        raise ValueError(f"is {_show(text)}, which is neither a true value ({', '.join(map(str, trues))}) "
                         f"nor a false value ({', '.join(map(str, falses))})")
    if kind == "integer":
        if not INTEGER.fullmatch(text):
            raise ValueError(f"is {_show(text)}, not a whole number")
        return int(text)
    if kind == "number":
        plain = text.replace(spec.get("groupChar", "") or "\0", "").replace(spec.get("decimalChar", "."), ".")
        if not NUMBER.fullmatch(plain) or not math.isfinite(n := float(plain)):
            raise ValueError(f"is {_show(text)}, not a number")
        return int(n) if "." not in plain and "e" not in plain.lower() and n.is_integer() else n
    if kind == "date":
        if not DATE.fullmatch(text):
            raise ValueError(f"is {_show(text)}, not a date written YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"is {_show(text)}, a day that does not exist") from None
    if kind == "list":
        return [_text(t, text) for t in text.split(spec.get("delimiter", ","))]
    return _text(text, text)  # string


def _text(value: str, cell: str) -> str:
    """A text value with the publisher's spreadsheet-formula guard undone (``text.restore``). A value that starts like a
    formula without the guard is not as published (the publisher always writes one): a spreadsheet has saved the file,
    or someone wrote it by hand, and it would run as a formula where the merged data is opened."""
    if value[:1] in FORMULA_START:
        first = value[:1]
        guarded = f" ('{first}...)" if first.isprintable() else ""
        raise ValueError(f"is {_show(cell)}, which a spreadsheet would run as a formula; a published package writes a "
                         f"value starting with {first!r} after an apostrophe{guarded}, so the file was changed after it was "
                         "published (saved by a spreadsheet?): ask for a fresh copy of the package")
    return restore(value)


def _show(text: str) -> str:
    return repr(text if len(text) <= 60 else text[:57] + "...")


def _rows(text: str, shown: str, header: list[str], problems: list[str], skipped: set[str]):
    """(line, cells) for each record of a CSV text; a row's problems are appended to ``problems``,
    and MergeError is raised at once for a file that cannot be read as a whole (header, CSV syntax)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        head = next(reader, None)
        if head is None:
            raise MergeError(f"{shown}:1: is empty; it must start with the header line")
        if head != header:
            missing = [c for c in header if c not in head]
            extra = [c for c in head if c not in header]
            what = "; ".join(x for x in (f"missing column{'s' * (len(missing) != 1)}: {', '.join(missing)}" if missing else "",
                                         f"unexpected column{'s' * (len(extra) != 1)}: {', '.join(_show(e) for e in extra)}" if extra else "")
                             if x) or "the columns are in another order"
            raise MergeError(f"{shown}:1: the header does not match datapackage.json ({what}); "
                             "the file must have every column the package describes, in its order")
        start = reader.line_num + 1
        for cells in reader:
            if cells:
                if len(cells) != len(header):
                    problems.append(f"{shown}:{start}: has {len(cells)} values but the header has {len(header)} columns")
                    skipped.add(cells[0])
                else:
                    yield start, cells
            start = reader.line_num + 1
    except csv.Error as exc:
        raise MergeError(*problems, f"{shown}:{start}: cannot be read as CSV ({exc}); the package is damaged") from None


def read_package(path: Path, schema: Schema, older: list[str] | None = None) -> list[Home]:
    """A published package's homes; MergeError lists every problem with its file and line. ``older`` gets a line for
    each table published before some of this schema's columns were added (their values are not known)."""
    pkg = read_descriptor(path)
    every = kinds(schema)
    names = {r["name"] for r in pkg["resources"] if isinstance(r, dict) and isinstance(r.get("name"), str)}
    # the first kind's table is in every package; another kind's only in packages that hold that kind
    present = [k for i, k in enumerate(every) if i == 0 or k.resource in names]
    kind_res = [(k, *_resource(path, pkg, k.resource, list(k.fields), schema)) for k in present]
    caps_res, caps_fields = _resource(path, pkg, "capabilities", schema.capability_fields, schema)
    for name, ours, theirs in [(k.resource, list(k.fields), got) for k, _, got in kind_res] + [
            ("capabilities", schema.capability_fields, caps_fields)]:
        if len(theirs) < len(ours) and older is not None:
            gone = [f.name for f in ours if f not in theirs]
            older.append(f"{path}: its {name} table was published before {len(gone)} of this schema's columns were "
                         f"added, so they are empty (not known) for its homes: {', '.join(gone)}")
    homes: dict[str, Home] = {}
    of_kinds: dict[str, list[str]] = {}  # location ID -> the kinds whose tables list it
    problems: list[str] = []
    shown = ""
    unread: set[str] = set()  # location IDs of rows with problems: their capabilities are not reported again
    for k, res, k_fields in kind_res:
        _, text, kind_shown = _data_file(path, res)
        shown = shown or kind_shown  # capabilities belong to the first kind's rows
        specs, missing = res["schema"]["fields"], _missing(res)
        lines: dict[str, int] = {}
        for line, cells in _rows(text, kind_shown, [f.name for f in k_fields], problems, unread):
            data: dict = {}
            values, bad = _typed_cells(k_fields, specs, missing, cells, f"{kind_shown}:{line}")
            problems += bad
            for f, value in values:
                set_path(data, f.keys, value)
            if bad:
                unread.add(cells[0])
            lid = data.get("location_id")
            if not isinstance(lid, str):
                problems.append(f"{kind_shown}:{line}: location_id: is empty; every home needs its CQC location ID")
            elif lid in lines:
                problems.append(f"{kind_shown}:{line}: location_id: {_show(lid)} is listed twice (first on line "
                                f"{lines[lid]}); a package holds each home once")
            else:
                lines[lid] = line
                of_kinds.setdefault(lid, []).append(k.id)
                if lid in homes:  # a location of two kinds: one profile; the columns both tables have agree
                    _fill(homes[lid].data, data)
                else:
                    homes[lid] = Home(data, kind_shown, line)
    for lid, ids in of_kinds.items():
        if ids != [every[0].id] and lid in homes:
            homes[lid].data[profile_key(schema)] = ids
    _, text, caps_shown = _data_file(path, caps_res)
    specs, missing = caps_res["schema"]["fields"], _missing(caps_res)
    codes = set(schema.capability_codes)
    strays: dict[str, list[int]] = {}  # a capabilities row's location ID that is no home's: the lines naming it
    for line, cells in _rows(text, caps_shown, [f.name for f in caps_fields], problems, set()):
        row = dict(zip([f.name for f in caps_fields], cells, strict=True))
        lid, code = row["location_id"], row["capability"]
        home = homes.get(lid)
        if home is None:
            if lid not in unread:
                strays.setdefault(lid, []).append(line)
            continue
        if code not in codes:
            problems.append(f"{caps_shown}:{line}: capability: {_show(code)} is not one of this schema's capabilities")
            continue
        if code in home.cap_lines:
            problems.append(f"{caps_shown}:{line}: capability: {code} for {plain(lid, 40)} is listed twice (first on line "
                            f"{home.cap_lines[code]}); list each capability of a home once")
            continue
        home.cap_lines[code], home.caps_source = line, caps_shown
        values, bad = _typed_cells(caps_fields, specs, missing, cells, f"{caps_shown}:{line}",
                                   skip=("location_id", "capability"))
        problems += bad
        for f, value in values:
            set_path(home.data, ("capabilities", code, f.path.rsplit(".", 1)[1]), value)
    # once for each location ID, not a line for each of its rows: ten lines of one ID hid the cause, a home's ID
    # changed in the homes' table alone, which check_homes says (the hostile review)
    problems += [f"{caps_shown}:{lines[0]}: location_id: {_show(lid)} is not a home in {shown}"
                 + (f" (line{'s' * (len(lines) != 2)} {_spans(lines[1:])} name{'s' * (len(lines) == 2)} it too)"
                    if len(lines) > 1 else "") for lid, lines in strays.items()]
    for h in homes.values():
        h.data = canonical(h.data, schema)
    if problems:  # the homes whose rows were read whole are checked too (a row with a cell not read is partial)
        raise MergeError(*problems, homes=[h for lid, h in homes.items() if lid not in unread])
    return list(homes.values())


def _spans(lines: list[int]) -> str:
    """Line numbers as runs: '3 to 11, 14'."""
    runs: list[list[int]] = []
    for n in lines:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(f"{a} to {b}" if b > a else str(a) for a, b in runs)


def _fill(data: dict, more: dict) -> None:
    """Add to ``data`` the values of ``more`` it does not have (nested groups merged)."""
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            _fill(data[key], value)
        else:
            data.setdefault(key, value)


def _missing(res: dict) -> list[str]:
    return res["schema"].get("missingValues", MISSING_VALUES)


def _typed_cells(fields: list[Field], specs: list[dict], missing: list[str], cells: list[str], where: str,
                 skip: tuple[str, ...] = ()) -> tuple[list[tuple[Field, Any]], list[str]]:
    """One row's cells read with the package's declared types: (field, value) for the cells that
    hold a value, and a problem ("file:line: field: why") for each cell that cannot be read."""
    values, problems = [], []
    for f, spec, cell in zip(fields, specs, cells, strict=True):
        if f.name in skip:
            continue
        try:
            value = parse_value(spec, missing, cell)
        except ValueError as exc:
            problems.append(f"{where}: {f.name}: {exc}")
            continue
        if value is not None:
            values.append((f, str(value) if _widened(f.name, spec.get("type"), f.type) else value))
    return values, problems


def check_homes(homes: list[Home], schema: Schema) -> tuple[list[str], list[str]]:
    """What ``check`` finds in the homes, named by the package file and line they came from: (the errors, which
    stop the merge; the warnings, which check lets pass, as a link shown as text in a description)."""
    found: tuple[list[str], list[str]] = ([], [])
    for h in homes:
        lines = {p: h.line for p in list(schema.by_path) + schema.group_paths()}
        for p in check_profile(Profile(h.source, typed_dates(h.data, schema), lines), schema):
            code = p.field.split(".")[1] if p.field.startswith("capabilities.") and p.field.count(".") >= 1 else None
            where = f"{h.caps_source}:{h.cap_lines[code]}" if code in h.cap_lines else f"{h.source}:{h.line}"
            found[p.severity != "error"].append(f"{where}: {p.field}: {p.message}")
    return found


def merge(paths: list[Path], schema: Schema | None = None) -> tuple[list[dict], MergeReport]:
    """The merged homes (canonical profiles, sorted by location ID) and what happened; MergeError on any problem."""
    schema = schema or load_schema()
    report = MergeReport()
    read: list[tuple[Path, list[Home]]] = []
    problems: list[str] = []
    for path in map(descriptor_of, paths):
        try:
            homes = read_package(path, schema, report.older)
        except MergeError as exc:  # and what check finds in the homes it could read, at once
            problems += exc.problems + check_homes(exc.homes, schema)[0]
            continue
        found, warned = check_homes(homes, schema)
        problems += found
        report.warnings += warned
        read.append((path, homes))
    if problems:
        raise MergeError(*problems)
    combine = Combiner(schema)
    kept: dict[str, tuple[dict, str]] = {}
    taken: dict[str, dict[str, str]] = {}  # location ID -> fact path -> the later package it was taken from
    for path, homes in read:
        report.sources.append((str(path), counted([h.data for h in homes], schema)))
        for home in homes:
            h, lid = home.data, home.data["location_id"]
            if lid not in kept:
                kept[lid] = (h, str(path))
                continue
            report.duplicates += 1
            first, first_path = kept[lid]
            came = taken.setdefault(lid, {})
            merged, kinds_line, lines, moved = combine(first, first_path, came, h, str(path))
            errors_found = [p for p in check_profile(Profile(first_path, typed_dates(merged, schema)), schema)
                            if p.severity == "error"]
            if errors_found:  # each package's facts pass check, but not together: the first package's whole record
                _, _, lines, _ = combine(first, first_path, came, h, str(path),
                                         whole_first="the first listed, as the two do not pass check together")
                report.apart.append(f"{combine.who(first)}: its facts in {path} and in {first_path} do not pass check "
                                    f"together ({'; '.join(f'{p.field}: {p.message}' for p in errors_found)}), so those "
                                    f"kept before are kept, every one")
                report.conflicts += lines
                continue
            kept[lid] = (merged, first_path)
            came.update(moved)
            if kinds_line:
                report.kinds.append(kinds_line)
            report.conflicts += lines
    report.renamed = keep_slugs(list(kept.values()))
    return sorted((h for h, _ in kept.values()), key=lambda h: h["location_id"]), report


def fact_dates(schema: Schema) -> dict[str, str]:
    """Each fact's own date, from the schema: profile path -> the path of the date that dates it (a date dates itself).
    A fact not listed has no date of its own (a phone number, a description, the council's fields).

    A kind's dated facts are dated as it declares (an agency's hourly rates by homecare.hourly_rate.updated), and its
    free places by its confirmed date (beds.confirmed: not the beds there are); every CQC fact by the register data's
    date (cqc.imported: the package's description says so); any other fact by the one date of its owner in its group,
    or in the nearest group above it that has one (fees.date, staffing.date, food_hygiene.date; the capabilities'
    answers by capabilities.confirmed)."""
    by = schema.by_path
    out: dict[str, str] = {}
    declared: set[str] = set()
    for k in kinds(schema):
        for date, facts in (*k.dated, *(((k.confirmed, k.available_paths),) if k.confirmed else ())):
            declared.add(date)
            out.setdefault(date, date)
            for fact in facts:
                out.setdefault(fact, date)
    register = by.get(REGISTER_DATE)
    for path, f in by.items():
        if path in out or path == profile_key(schema):
            continue
        if register is not None and f.owner == register.owner:
            out[path] = REGISTER_DATE
            continue
        keys = path.split(".")
        for depth in range(len(keys) - 1, 0, -1):
            group = ".".join(keys[:depth])
            dates = [p for p, g in by.items() if g.type == "date" and g.owner == f.owner and p not in declared
                     and p.rpartition(".")[0] == group]
            if dates:
                if len(dates) == 1:
                    out[path] = dates[0]
                break
    return out


class Combiner:
    """Combines the same location's record from two packages (``__call__``), as the module's docstring says."""

    def __init__(self, schema: Schema):
        self.schema = schema
        self.dates = fact_dates(schema)
        self.key = profile_key(schema)
        every = kinds(schema)
        # the kinds that hold each fact: a kind's own columns; the needs a kind answers (capabilities) are the kinds'
        # that answer them
        self.held_by = {p: frozenset(k.id for k in every if p in k.field_paths)
                        or frozenset(k.id for k in every if k.needs_resource) for p in schema.by_path if p != self.key}
        self.kinds = every
        self.not_known = schema.values.not_known.lower()
        self._plans: dict[tuple[frozenset[str], frozenset[str], bool], tuple[list[str], list[tuple[str | None, list[str]]]]] = {}

    def __call__(self, first: dict, first_path: str, taken: dict[str, str], second: dict, second_path: str,
                 whole_first: str = "") -> tuple[dict, str, list[str], dict[str, str]]:
        """(the combined record, the line saying how its kinds were combined or "", a line for each fact that differs,
        the facts taken from ``second`` -> ``second_path``). ``taken``: the facts of ``first`` that came from a later
        package than ``first_path``. ``whole_first``: keep ``first`` as it is, each line saying why (the reason)."""
        who = self.who(first)
        mine = {k.id for k in kinds_of(first, self.schema)}
        theirs = {k.id for k in kinds_of(second, self.schema)}
        both = [k for k in self.kinds if k.id in mine | theirs]
        out = dict(first) if whole_first else _deep_copy(first)
        moved: dict[str, str] = {}
        kinds_line = ""
        if not whole_first and not theirs <= mine:
            if [k.id for k in both] == [self.kinds[0].id]:
                out.pop(self.key, None)
            else:
                out[self.key] = [k.id for k in both]
            new = [k for k in both if k.id not in mine]
            kinds_line = (f"{who}: {self._kinds_words(mine)} in {taken.get(self.key, first_path)}, "
                          f"{self._kinds_words(theirs)} in {second_path}; kept as {self._kinds_words({k.id for k in both})}, "
                          f"its {and_list([k.title.lower() for k in new])} facts from {second_path}")
            moved[self.key] = second_path
        theirs_only, groups = self._plan(frozenset(mine), frozenset(theirs), bool(whole_first))
        for p in theirs_only:  # a fact only the second's kinds hold: the first cannot hold it
            value = get_path(second, p.split("."))
            if value is not None:
                set_path(out, p.split("."), value)
                moved[p] = second_path
        lines: list[str] = []
        for date, group in groups:
            pairs = [(q, get_path(first, q.split(".")), get_path(second, q.split("."))) for q in group]  # each read once
            differ = [(q, a, b) for q, a, b in pairs if a != b]
            if not differ:
                continue
            a_date = get_path(first, date.split(".")) if date else None
            b_date = get_path(second, date.split(".")) if date else None
            # what each knows of the group: its facts, less the date when it dates others (a date alone is no figure)
            facts = [(a, b) for q, a, b in pairs if q != date] or [(a, b) for _, a, b in pairs]
            if whole_first:
                newer, why = False, whole_first
            elif (knows := any(b is not None for _, b in facts)) != any(a is not None for a, _ in facts):
                # one of them knows none of the group's facts (a date at most): the other's are kept, whatever the dates
                newer, why = knows, "the only one known"
            elif not date:
                newer, why = False, f"the first listed, as {group[0]} has no date of its own"
            elif a_date is None or b_date is None:
                newer, why = False, "the first listed: without both dates, which is newer is not known"
            else:
                a_day, b_day = dt.date.fromisoformat(str(a_date)), dt.date.fromisoformat(str(b_date))
                newer, why = b_day > a_day, "the newer" if a_day != b_day else "the first listed: both have the same date"
            if newer:
                for q, _, b in pairs:
                    set_path(out, q.split("."), b)
                    moved[q] = second_path
            for q, a, b in differ:
                a_from = taken.get(q, first_path)
                when = ("", "") if not date or q == date else (f" ({self._dated(date, a_date)})", f" ({self._dated(date, b_date)})")
                kept, kept_from = (b, second_path) if newer else (a, a_from)
                lines.append(f"{who}: {q} is {self._said(q, a)} in {a_from}{when[0]} but {self._said(q, b)} in "
                             f"{second_path}{when[1]}; kept {self._said(q, kept)} from {kept_from}, {why}")
        return (first if whole_first else canonical(out, self.schema)), kinds_line, lines, moved

    def _plan(self, mine: frozenset[str], theirs: frozenset[str], whole_first: bool
              ) -> tuple[list[str], list[tuple[str | None, list[str]]]]:
        """For records of these kinds: the facts only the second's kinds hold (taken from it), and the facts both hold
        in groups decided together, each (its date, its facts): a fact with no date is a group of its own. With
        ``whole_first``, none taken, and every fact and the kinds compared."""
        plan = self._plans.get((mine, theirs, whole_first))
        if plan is None:
            if whole_first:
                shared, theirs_only = [self.key, *self.held_by], []
            else:
                shared = [p for p, held in self.held_by.items() if held & mine and held & theirs]
                theirs_only = [p for p, held in self.held_by.items() if held & theirs and not held & mine]
            shared = [p for p in shared if p != "slug"]  # a page name is each site's own: keep_slugs settles a clash
            by_date: dict[str | None, list[str]] = {}
            groups: list[tuple[str | None, list[str]]] = []
            for p in shared:
                date = self.dates.get(p)
                if date is None:
                    groups.append((None, [p]))
                elif date in by_date:
                    by_date[date].append(p)
                else:
                    by_date[date] = [p]
                    groups.append((date, by_date[date]))
            plan = self._plans[(mine, theirs, whole_first)] = (theirs_only, groups)
        return plan

    @staticmethod
    def who(home: dict) -> str:
        """'1-10048660596 (Aston House)': a location as the report names it."""
        name = plain(home["name"])
        return f"{home['location_id']} ({name})"

    def _said(self, path: str, value: Any) -> str:
        """A value as the report says it: 'not known', yes or no, a date as written, a text in quotes."""
        if value is None:
            return self.not_known
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, list):
            return ", ".join(self._said("", v) for v in value)
        if isinstance(value, str):
            f = self.schema.by_path.get(path)
            if f is not None and f.type == "date":
                return value
            return f"'{plain(value, SHOWN_AT_MOST)}'"  # one line, quoted as written: never Python's escapes (it\'s)
        return str(value)

    def _dated(self, date: str, value: Any) -> str:
        """'fees dated 2026-04-01', or 'fees dated: not known', from the date's title in the schema."""
        title = lower_first(self.schema.by_path[date].title)
        return f"{title} {value}" if value is not None else f"{title}: {self.not_known}"

    def _kinds_words(self, ids: set[str]) -> str:
        return and_list([k.title.lower() for k in self.kinds if k.id in ids])


def _deep_copy(data: dict) -> dict:
    """A profile's nested groups copied (its values are never changed in place)."""
    return {k: _deep_copy(v) if isinstance(v, dict) else v for k, v in data.items()}


def keep_slugs(homes: list[tuple[dict, str]]) -> list[str]:
    """Give every home its own slug (its page address), changing as few as possible: each home keeps its
    slug unless another home truly has the same one, and then the home from the earlier package (the order
    given; within a package, the earlier row) keeps it. A new slug never takes a slug another home has.
    Returns one line per changed slug saying which home took it."""
    taken = {h["slug"] for h, _ in homes}
    owner: dict[str, tuple[dict, str]] = {}
    lines = []
    for h, path in homes:
        slug = h["slug"]
        if slug not in owner:
            owner[slug] = (h, path)
            continue
        suffix = "-" + re.sub(r"[^a-z0-9]", "", h["location_id"].lower())
        new, n = slug[:SLUG_MAX - len(suffix)].rstrip("-") + suffix, 1
        while new in taken:
            n += 1
            new = slug[:SLUG_MAX - len(suffix) - len(str(n)) - 1].rstrip("-") + f"{suffix}-{n}"
        other, other_path = owner[slug]
        lines.append(f"{h['location_id']} in {path}: {slug} -> {new} ({slug} is also the page of {other['location_id']} "
                     f"in {other_path}, which keeps it)")
        h["slug"] = new
        taken.add(new)
        owner[new] = (h, path)
    return lines


def merged_profiles(homes: list[dict], folder: Path = Path("providers"),
                    schema: Schema | None = None) -> list[tuple[Path, Profile, str]]:
    """Each merged home's file (relative to the output folder), profile and YAML text; nothing is written.

    The file name comes from data, so it goes through the one slug rule (``fsutil.safe_slug_path``)."""
    schema = schema or load_schema()
    out, problems = [], []
    for h in homes:
        try:
            path = safe_slug_path(folder, h.get("slug"))
        except UnsafePath as exc:
            problems.append(f"{plain(h.get('location_id'), 40)}: slug: {exc}")
            continue
        text = dump_profile(typed_dates(h, schema), f"{h['name']}\nMerged from published data packages.")
        profile, found = parse_bytes(text.encode("utf-8"), str(path))  # read back by the one loader, as check will
        problems += [f"{h.get('location_id')}: {p}" for p in errors(found)]
        if profile is not None:
            out.append((path, profile, text))
    if problems:
        raise MergeError(*problems)
    return out


def write_profiles(planned: list[tuple[Path, Profile, str]], out: Path) -> list[Profile]:
    """Write the planned (already checked) profiles under ``out``, a new temporary folder."""
    for path, _, text in planned:
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text, encoding="utf-8")
    return [p for _, p, _ in planned]


def check_out_folder(out: Path) -> None:
    """``--out`` is replaced as a whole, so it must be new, empty, or an earlier merge's output."""
    if out.exists() and not out.is_dir():
        raise MergeError(f"{out}: is not a folder; give a new folder for --out")
    if out.is_dir() and any(out.iterdir()) and not (out / "merge-report.txt").is_file():
        raise MergeError(f"{out}: is a folder with other files in it, and merge replaces --out as a whole; "
                         "give a new folder (or the folder of an earlier merge)")
