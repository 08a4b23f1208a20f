"""Source: CQC's register files, read into records (``carehomes.apply`` applies them to profiles).

A CSV file, or a spreadsheet (.ods, .xlsx: its sheet of locations, through ``sources.sheets``). Formats read,
recognised by their columns:

* ``hsca``: CQC's care directory / HSCA active locations sheet (the national file);
* ``market``: CQC's market-style locations CSV with ratings (US dates, stray spaces);
* ``api-csv``: CQC API location records flattened to CSV (nested fields as Python reprs);
* ``api-json``: a folder of saved CQC API ``/locations/{id}`` JSON responses.
"""
from __future__ import annotations

import ast
import csv
import datetime as dt
import math
import os
import re
import tempfile
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import httpclient
from ..jsontext import strict_loads
from ..apply import ImportError_, OlderSourceError, Record, Report, la_key, apply_records, locality_name
from ..kinds import default_kind, kinds
from ..schema import Schema, load_schema
from ..text import and_list, reader_error, writable
from ..safetext import plain
from ..validate import POSTCODE_LOOSE, URL, today as england_today
from . import cqc_shape, sheets

__all__ = [
    "ImportError_",
    "Record",
    "Report",
    "import_cqc",
    "locality_name",
    "parse_api_location",
    "read_api_documents",
    "read_register",
]

RATINGS = {r.lower(): r for r in load_schema().values.ratings}  # CQC's wording in any case -> the schema's
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


# --- reading values -------------------------------------------------------------------------

def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text or None


YES, NO = ("Y", "YES", "TRUE"), ("N", "NO", "FALSE", "")


def _flag(value: Any) -> bool:
    """A yes/no cell: Y, YES or TRUE is yes; N, NO, FALSE or empty is no (CQC leaves 'no' blank)."""
    text = str(value if value is not None else "").strip().upper()
    if text in YES:
        return True
    if text in NO:
        return False
    raise ValueError(f"'{_show(value)}' is not Y or N; write Y for yes, N or nothing for no")


def _dormant(value: Any) -> bool:
    """The market file's Dormant cell (not empty: an empty one is not known): Y or N, as _flag reads them."""
    try:
        return _flag(value)
    except ValueError:
        raise ValueError(f"'{_show(value)}' is not Y or N; write Y when CQC records the location as dormant, N when "
                         "not, or leave it empty when not known") from None


def _show(value: Any) -> str:
    """A value as quoted in a message: one line, control characters escaped, at most 40 characters."""
    text = re.sub(r"\s+", " ", str(value)).strip()
    return plain(text if len(text) <= 40 else text[:39] + "…")


def _int(value: Any) -> int | None:
    """A count such as beds: a whole number 0 or more; empty is not known (None)."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.0+)?", text):
        return int(float(text))
    raise ValueError(f"'{_show(value)}' is not a whole number 0 or more; correct it, or leave it empty if not known")


def _float(value: Any) -> float | None:
    """A coordinate: a decimal number; empty is not known (None)."""
    text = "" if value is None else str(value).strip()
    if not text:
        return None
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValueError(f"'{_show(value)}' is not a number; correct it, or leave it empty if not known")
    return number


_TIME = re.compile(r"[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?(?:Z|[+-]\d{2}:?\d{2})?")


def _a_time(text: str) -> bool:
    """Whether ``text`` (what follows a date) is a time of day as CQC's files write one: 'T00:00:00Z',
    ' 12:00:00 AM', ' 00:00:00'."""
    t = _TIME.fullmatch(text)
    if t is None:
        return False
    hour, minute, second = int(t[1]), int(t[2]), int(t[3] or 0)
    return minute < 60 and second < 60 and (1 <= hour <= 12 if t[4] else hour < 24)


def _date(value: Any, order: str = "iso") -> dt.date | None:
    """Parse ISO dates, or slashed dates as day-first ('dmy') or month-first ('mdy', with times)."""
    text = str(value or "").strip()
    if not text:
        return None
    form = "YYYY-MM-DD or " + ("MM/DD/YYYY" if order == "mdy" else "DD/MM/YYYY")
    m = re.match(r"(\d{4})-(\d{2})-(\d{2})", text)
    n = re.match(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    if not m and not n:
        serial = " (a spreadsheet's day number: format the column as dates)" if re.fullmatch(r"\d{5}(?:\.\d+)?", text) else ""
        raise ValueError(f"'{_show(text)}' is not a date{serial}; write it as {form}")
    found = m or n
    assert found is not None
    after = text[found.end():]
    if after and not _a_time(after):  # '2020-02-01garbage' is no date, not 1 February 2020
        raise ValueError(f"'{_show(text)}' is not a date; write it as {form}, with a time of day after it or nothing")
    try:
        if m:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        assert n is not None
        a, b, y = int(n[1]), int(n[2]), int(n[3])
        return dt.date(y, a, b) if order == "mdy" else dt.date(y, b, a)
    except ValueError:
        raise ValueError(f"'{_show(text)}' is not a real date; correct it ({form})") from None


class RowProblems(ValueError):
    """Every value of one row or record that cannot be read, each as 'column: problem'."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Cells:
    """Read a row's cells, collecting every one that cannot be read (with its column) instead of
    stopping at the first; ``done`` raises them all together."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.row = row
        self.problems: list[str] = []

    def read(self, column: str, convert: Callable[..., Any], *args: Any) -> Any:
        try:
            return convert(self.row.get(column), *args)
        except ValueError as exc:
            self.problems.append(f"{column}: {exc}")
            return None

    def identity(self, location_id: str, name: str | None) -> None:
        """Check the row's CQC location ID and name with its other cells, so neither hides the rest."""
        if not re.fullmatch(r"[0-9A-Z][0-9A-Z-]{2,19}", location_id):
            self.problems.append(f"'{_show(location_id)}' is not a CQC location ID")
        elif not name:
            self.problems.append(f"location {plain(location_id, 40)} has no name")

    def council(self, row: Mapping[str, Any], *columns: str) -> None:
        """An empty local authority cell (of the first of ``columns`` the row has) is a problem of the row: else the
        profile planned from it lacked its locality, refused as a profile the user never wrote."""
        column = next((c for c in columns if c in row), None)
        if column is not None and not _text(row[column]):
            self.problems.append(f"{column}: is empty, though CQC names the council of every location it registers; "
                                 "check this row against CQC's file")

    def done(self) -> None:
        if self.problems:
            raise RowProblems(self.problems)


STATUSES = ("Registered", "Deregistered")


def _status(value: Any, ended: Any) -> str:
    """CQC's registrationStatus, Registered or Deregistered in any case; when it is not given, Deregistered if the
    record gives a deregistration date (a home closed in 2016 is never published as registered), else Registered."""
    text = str(value if value is not None else "").strip().title()
    if not text:
        return STATUSES[1] if str(ended if ended is not None else "").strip() else STATUSES[0]
    if text not in STATUSES:
        raise ValueError(f"'{_show(value)}' is not Registered or Deregistered; check the file with its publisher")
    return text


NO_RATING = {"no published rating", "not rated", "none"}


def _rating(value: Any) -> str | None:
    text = _text(value)
    if not text or text.lower() in NO_RATING:
        return None
    if text.lower() not in RATINGS:
        raise ValueError(f"unknown CQC rating '{text}'")
    return RATINGS[text.lower()]


# What CQC's inspections found before it rated services (October 2014), kept in the API's historicRatings: not ratings
PRE_RATING_OUTCOMES = {"no action", "compliance action"}


def _historic_rating(value: Any) -> str | None:
    """A rating in CQC's history of a location; None for an inspection before CQC gave ratings, whose outcome
    ('No action', 'Compliance action') is not one (the history is of ratings: such an entry is left out)."""
    text = _text(value)
    return None if text and text.lower() in PRE_RATING_OUTCOMES else _rating(value)


def _postcode(value: Any) -> str | None:
    """A UK postcode, spaced and in capitals; empty is not known (None)."""
    text = _text(value)
    if not text:
        return None
    m = POSTCODE_LOOSE.match(text.upper())
    if not m:
        raise ValueError(f"'{_show(text)}' is not a UK postcode; correct it, or leave it empty if not known")
    return f"{m[1]} {m[2]}"


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
    if digits.startswith("07"):  # a mobile: 07xxx xxxxxx, as Ofcom and GOV.UK group it
        return f"{digits[:5]} {digits[5:]}"
    if digits.startswith(("03", "05", "08", "09")) or digits[:4] in ("0113", "0114", "0115", "0116", "0117", "0118") or digits[3] == "1":
        return f"{digits[:4]} {digits[4:7]} {digits[7:]}"
    return f"{digits[:5]} {digits[5:]}"


def _website(value: Any) -> str | None:
    text = _text(value)
    if not text or " " in text:
        return None
    if not re.match(r"https?://", text, re.IGNORECASE):
        text = "https://" + text
    text = text.replace("'", "%27").replace("`", "%60")  # as check asks: a link on a page never holds them as they are
    return text if URL.fullmatch(text) else None  # the validator's own test, so imports always pass check


EVERYONE = ("services for everyone", "whole population")  # CQC's band for a service open to all: no band is a "no"


def _bands(names: Iterable[str]) -> dict[str, bool | None]:
    """Our service user bands from CQC's names for those a location is registered for: each named one yes, each
    other one no, since CQC lists every band it serves; but with "Services for everyone" a band not named is not
    known (CQC has not said the service is not for them)."""
    said = {n.strip().lower() for n in names}
    found = {BANDS[n] for n in said if n in BANDS}
    other = None if said & set(EVERYONE) else False
    return {b: True if b in found else other for b in ALL_BANDS}


def _regulator_bands(bands: Mapping[str, bool | None]) -> dict[str, Any]:
    return {f"care.user_bands.{b}": on for b, on in bands.items()}


# --- the formats -------------------------------------------------------------------------------

KIND = default_kind()  # the register's care homes: CQC service types with and without nursing, and their beds
TYPED = [p for p in KIND.capacity if p.flag and p.cqc_service_type]
OTHER_KINDS = [k for k in kinds() if k.id != KIND.id]  # kinds told by their CQC service types (home care agencies)


@dataclass(frozen=True)
class Skipped:
    """A location of no kind this directory holds (a dentist, a GP, supported living only): counted, never imported."""

    label: str  # its service types, as CQC names them ('Dentist', 'Supported living')
    local_authority: str = ""  # as the source names it: an import of one council's counts only its own


class Records(list[Record]):
    """The records a source holds, with the locations skipped (of no kind held here) counted by service types."""

    def __init__(self, records: Iterable[Record] = (), skipped: Mapping[str, int] | None = None) -> None:
        super().__init__(records)
        self.skipped: dict[str, int] = dict(skipped or {})
        self.skipped_in: dict[tuple[str, str], int] = {}  # the same counts by (local authority, service types)
        self.absent: list[str] = []  # the columns its format takes facts from that the file does not have
        self.not_given = ""  # the facts its format never gives, in words ("beds, CQC ratings, ...")
        self.produced: dt.date | None = None  # the day the file says CQC produced it (its care directory's third line)


def held_kinds(care_home: bool, types: Iterable[str]) -> tuple[str, ...]:
    """The kinds (ids) a location is: a care home by CQC's care home flag, another kind by its service
    types (names or descriptions, in any case: 'Homecare agencies', 'Domiciliary care service')."""
    lowered = {t.strip().lower() for t in types if t}
    ids = [KIND.id] if care_home else []
    ids += [k.id for k in OTHER_KINDS if lowered & {s.lower() for s in k.cqc_service_types}]
    return tuple(ids)


def _skipped(types: Iterable[str], local_authority: Any = "") -> Skipped:
    names = sorted({t.strip() for t in types if t and t.strip()})
    return Skipped(" and ".join(names) or "no service type given", _text(local_authority) or "")


def _held(rec: Record, ids: tuple[str, ...]) -> Record:
    """The record with its kinds (none said: the first kind only); a registered manager in post ends any absence
    an earlier import recorded (a format with no absence date would leave it, and the page say "Yes (no registered
    manager since ...)"), and none in post ends any manager's name one recorded. A record that says the location is
    not dormant, or does not know (an empty Dormant cell), ends any dormancy start date one recorded (the market file
    gives none: its "N" would leave an API import's date, and the compare table say "No" with "since ...")."""
    rec.kinds = () if ids == (KIND.id,) else ids
    if rec.regulator.get("cqc.registered_manager") is True:
        rec.regulator["cqc.manager_absent_since"] = None
    elif rec.regulator.get("cqc.registered_manager") is False:  # none in post: no name an earlier import kept stays
        rec.regulator["cqc.registered_managers"] = None
    if "cqc.dormant" in rec.regulator and rec.regulator["cqc.dormant"] is not True:
        rec.regulator["cqc.dormant_since"] = None
    return rec
HSCA_COLUMNS = {"Location ID", "Care home?", "Location Name", "Location Local Authority", "Care homes beds",
                "Location Postal Code", f"Service type - {TYPED[0].cqc_service_type}"}
MARKET_COLUMNS = {"Location ID", "Location Name", "Location Local Authority", "Care homes beds",
                  "Location Latest Overall Rating", "Publication Date", "Service Types"}
API_COLUMNS = {"locationId", "name", "localAuthority", "careHome", "registrationStatus"}
# CQC's care directory CSV ("CQC care directory - with filters", every registered location): its title and the day it
# was produced on the lines above its column names; service types and specialisms as CQC's short names, separated by
# "|" (an older export: commas, with the address in parts). It gives no beds, ratings, coordinates or dormancy.
DIRECTORY_ID = "CQC Location ID (for office use only)"
DIRECTORY_COLUMNS = {"Name", "Postcode", "Service types", DIRECTORY_ID}
FORMATS = (("CQC's care directory CSV", DIRECTORY_COLUMNS), ("the HSCA care directory", HSCA_COLUMNS),
           ("CQC's market locations CSV", MARKET_COLUMNS), ("CQC API location records", API_COLUMNS))  # each one's name, columns
DIRECTORY_PREAMBLE = 10  # lines searched for the column names (CQC's file has 4 above them)
DIRECTORY_NOT_GIVEN = "registered beds, CQC ratings, map positions, registered managers or dormancy"
PRODUCED = re.compile(r"\bproduced on\b", re.IGNORECASE)  # 'This data was produced on 19 August 2026'
PRODUCED_DAY = re.compile(r"\s*(\d{1,2}) ([A-Za-z]+),? (\d{4})\b")  # the day after it
MONTHS = {name: n for n in range(1, 13) for name in (dt.date(2000, n, 1).strftime("%B").lower(),
                                                      dt.date(2000, n, 1).strftime("%b").lower())} | {"sept": 9}
# The other columns each format takes facts from (profile path -> column). A column the file does not have says
# nothing: its facts are left out of the records (``_given``), so a profile keeps what it holds and a new one has
# them as not known; read as empty cells, a band or service type column left out of a sheet made every home "no".
HSCA_SOURCES = {"address.street": "Location Street Address", "address.town": "Location City",
                "address.latitude": "Location Latitude", "address.longitude": "Location Longitude",
                **{str(p.flag): f"Service type - {p.cqc_service_type}" for p in TYPED},
                "cqc.registered_since": "Location HSCA start date"}
HSCA_BANDS = "Service user band - "  # the HSCA file's column for each band, as CQC names it
HSCA_BAND_COLUMNS = {b: HSCA_BANDS + name for b, name in (
    ("older_people", "Older People"), ("dementia", "Dementia"),
    ("learning_disability_autism", "Learning disabilities or autistic spectrum disorder"),
    ("mental_health", "Mental Health"), ("physical_disability", "Physical Disability"),
    ("sensory_impairment", "Sensory Impairment"), ("younger_adults", "Younger Adults"), ("children", "Children 0-18 years"))}
MARKET_SOURCES = {"provider.name": "Provider Name", "provider.cqc_id": "Provider ID",
                  "cqc.registered_since": "Location HSCA start date", "cqc.registered_manager": "Registered manager",
                  "cqc.registered_managers": "Registered manager", "cqc.phone": "Location telephone number",
                  "cqc.website": "Location Web Address", "cqc.dormant": "Dormant",
                  **{f"care.user_bands.{b}": "Service users supported" for b in ALL_BANDS}}
MARKET_QUESTIONS = {"safe": "Location safe rating", "effective": "Location effective rating",  # key question -> column
                    "caring": "Location caring rating", "responsive": "Location responsive rating",
                    "well_led": "Location well-led rating"}
MARKET_SOURCES.update({f"cqc.rating_{k}{d}": col for k, col in MARKET_QUESTIONS.items() for d in ("", "_date")})
RATINGS_BEGAN = dt.date(2014, 10, 1)  # CQC's first ratings: an earlier 'Publication Date' is no rating's


def _market_rating_date(published: dt.date | None, registered: dt.date | None) -> dt.date | None:
    """The date of a market file's rating ('Publication Date'), or None (not known) when it cannot be the rating's:
    before CQC gave ratings, or the day the location was registered (a copy of its HSCA start date: the 2025 file
    here has that date in every row, so a home registered in 2011 read as rated on the day it opened)."""
    if published is None or published < RATINGS_BEGAN or published == registered:
        return None
    return published


def _band_of(column: str) -> str | None:
    """Our service user band of an HSCA 'Service user band - ...' column; None for a band we do not hold."""
    return BANDS.get(column.removeprefix(HSCA_BANDS).strip().lower())


def _given(reg: dict[str, Any], row: Mapping[str, Any], sources: Mapping[str, str]) -> dict[str, Any]:
    """``reg`` without the facts whose column (``sources``: profile path -> column) the file does not have."""
    return {k: v for k, v in reg.items() if k not in sources or sources[k] in row}


def absent_columns(header: Iterable[str], fmt: str) -> list[str]:
    """The columns a format takes facts from that a file's ``header`` does not have, in the order the format lists them."""
    names = set(header)
    if fmt == "market":
        return list(dict.fromkeys(c for c in MARKET_SOURCES.values() if c not in names))
    if fmt != "HSCA care directory":
        return []
    bands = {_band_of(c) for c in names if c.startswith(HSCA_BANDS)}
    return [c for c in HSCA_SOURCES.values() if c not in names] + [c for b, c in HSCA_BAND_COLUMNS.items() if b not in bands]


def _hsca(row: dict[str, str]) -> Record | Skipped:
    c = _Cells(row)
    types = [col.removeprefix("Service type - ") for col in row
             if col and col.startswith("Service type - ") and str(row[col] or "").strip().upper() in YES]
    ids = held_kinds(bool(c.read("Care home?", _flag)), types)
    if not ids:
        c.done()
        return _skipped(types, row.get("Location Local Authority"))
    band_columns = [col for col in row if col and col.startswith(HSCA_BANDS)]
    said = {_band_of(col) for col in band_columns}  # a band with no column in the file is not known, never "no"
    bands = {b: on for b, on in _bands(col.split(" - ", 1)[1] for col in band_columns if c.read(col, _flag)).items() if b in said}
    reg = {
        "name": _text(row["Location Name"]),
        "address.street": _text(row.get("Location Street Address")),
        "address.town": _text(row.get("Location City")),
        "address.postcode": c.read("Location Postal Code", _postcode),
        "address.latitude": c.read("Location Latitude", _float),
        "address.longitude": c.read("Location Longitude", _float),
        **{str(p.flag): c.read(f"Service type - {p.cqc_service_type}", _flag) for p in TYPED},  # care.nursing ...
        str(KIND.registered): c.read("Care homes beds", _int),
        "cqc.registered_since": c.read("Location HSCA start date", _date),
        "cqc.status": "Registered", "cqc.status_date": None,
        **_regulator_bands(bands),
    }
    c.council(row, "Location Local Authority")
    c.identity(row["Location ID"].strip(), reg["name"])
    c.done()
    return _held(Record(row["Location ID"].strip(), _text(row.get("Location Local Authority")) or "", _given(reg, row, HSCA_SOURCES)), ids)


def _market(row: dict[str, str]) -> Record | Skipped:
    types = (row.get("Service Types") or "").lower()
    named = [t.strip() for t in (row.get("Service Types") or "").split(",")]
    ids = held_kinds("care home service" in types, named)
    if not ids:
        return _skipped(named, row.get("Location Local Authority"))
    c = _Cells(row)
    users = (row.get("Service users supported") or "").split(",")
    rating = c.read("Location Latest Overall Rating", _rating)
    ended = c.read("Location HSCA end date", _date)
    since = c.read("Location HSCA start date", _date)
    reg = {
        "name": _text(row["Location Name"]),
        "provider.name": _text(row.get("Provider Name")),
        "provider.cqc_id": _text(row.get("Provider ID")),
        **{str(p.flag): str(p.cqc_service_type).lower() in types for p in TYPED},
        str(KIND.registered): c.read("Care homes beds", _int),
        "cqc.registered_since": since,
        "cqc.status": "Deregistered" if ended else "Registered",
        "cqc.status_date": ended,
        "cqc.rating": rating,
        "cqc.rating_date": _market_rating_date(c.read("Publication Date", _date, "mdy"), since) if rating else None,
        **{f"cqc.rating_{k}": c.read(col, _rating) for k, col in MARKET_QUESTIONS.items()},
        **{f"cqc.rating_{k}_date": None for k in MARKET_QUESTIONS},  # CQC rates each at its own inspection: not given
        "cqc.registered_manager": bool(_text(row["Registered manager"])) if "Registered manager" in row else None,
        "cqc.registered_managers": _market_manager(row.get("Registered manager")),
        # registered but providing no care at the moment (Y or N; an empty cell says nothing: not known)
        "cqc.dormant": c.read("Dormant", _dormant) if _text(row.get("Dormant")) else None,
        **_regulator_bands(_bands(users) if any(u.strip() for u in users) else dict.fromkeys(ALL_BANDS)),  # empty: not known
    }
    contact, unread = _cqc_contact(row.get("Location telephone number"), row.get("Location Web Address"))
    reg.update(contact)
    c.council(row, "Location Local Authority")
    c.identity(row["Location ID"].strip(), reg["name"])
    c.done()
    return _held(Record(row["Location ID"].strip(), _text(row.get("Location Local Authority")) or "", _given(reg, row, MARKET_SOURCES),
                        unread=unread), ids)


def _either(row: Mapping[str, Any], *columns: str) -> Any:
    """The cell of the first of ``columns`` the row has (CQC has written 'Local authority' and 'Local Authority')."""
    return next((row[c] for c in columns if c in row), None)


def _names(cell: Any, commas: bool = False) -> list[str]:
    """A directory cell's list of CQC names: separated by '|', or by commas in an older export that has no '|';
    ``commas``: by either (CQC's service types' short names hold no comma, so a cell mixing the two is read whole)."""
    text = str(cell or "")
    return [n.strip() for n in re.split(r"[|,]" if commas else r"\|" if "|" in text else ",", text) if n.strip()]


DIRECTORY_TYPES = {str(p.cqc_service_type_name).lower(): p for p in TYPED if p.cqc_service_type_name}  # 'nursing homes' -> its capacity
DIRECTORY_SOURCES = {"cqc.also_known_as": "Also known as", "provider.name": "Provider name",
                     "provider.cqc_id": "CQC Provider ID (for office use only)",
                     "cqc.phone": "Phone number", "cqc.specialisms": "Specialisms/services",
                     **{f"care.user_bands.{b}": "Specialisms/services" for b in ALL_BANDS}}


def _directory(row: dict[str, str]) -> Record | Skipped:
    """One row of CQC's care directory CSV. A care home by its service types' short names ('Nursing homes',
    'Residential homes': the schema's cqcServiceTypeName); beds, ratings, coordinates and dormancy are not in the file,
    so are left out (a profile keeps what another source gave; a new one has them as not known). The address is the
    file's one line, as CQC writes it, in address.street, unless the file gives its parts (an older export)."""
    types = _names(row.get("Service types"), commas=True)
    named = {t.lower() for t in types}
    ids = held_kinds(bool(named & set(DIRECTORY_TYPES)), types)
    local_authority = _either(row, "Local authority", "Local Authority")
    if not ids:
        return _skipped(types, local_authority)
    c = _Cells(row)
    c.council(row, "Local authority", "Local Authority")
    specialisms = _names(row.get("Specialisms/services"))
    if "Address 1" in row:  # an older export: the address in parts
        street = ", ".join(filter(None, (_text(row.get("Address 1")), _text(row.get("Address 2")))))
        address = {"address.street": street or None, "address.town": _text(row.get("Town/City"))}
    else:
        address = {"address.street": _text(row.get("Address"))} if "Address" in row else {}
    reg = {
        "name": _text(row["Name"]),
        "cqc.also_known_as": _text(row.get("Also known as")),
        "provider.name": _text(row.get("Provider name")),
        "provider.cqc_id": _text(row.get("CQC Provider ID (for office use only)")),
        **address,
        "address.postcode": c.read("Postcode", _postcode),
        **{str(p.flag): name in named for name, p in DIRECTORY_TYPES.items()},  # care.nursing ...
        "cqc.status": "Registered", "cqc.status_date": None,  # the directory lists registered locations only
        # CQC lists every band it serves; an empty cell says nothing: not known
        **_regulator_bands(_bands(specialisms) if specialisms else dict.fromkeys(ALL_BANDS)),
    }
    cell = str(row.get("Specialisms/services") or "")
    if "|" in cell or "," not in cell:  # CQC's names, as the API gives them (an older export's commas split some names)
        reg["cqc.specialisms"] = sorted(set(specialisms)) or None
    contact, unread = _cqc_contact(row.get("Phone number"), _either(row, "Service's website (if available)", "Website"))
    reg.update(contact)
    if "Service's website (if available)" not in row and "Website" not in row:
        reg.pop("cqc.website", None)  # a column the file does not have says nothing
    c.identity(row[DIRECTORY_ID].strip(), reg["name"])
    c.done()
    return _held(Record(row[DIRECTORY_ID].strip(), _text(local_authority) or "", _given(reg, row, DIRECTORY_SOURCES),
                        unread=unread), ids)


def _once_each(records: Records) -> Records:
    """A location CQC's care directory lists on two rows that differ only in the specialisms they name (one export
    here has one: an agency with 'Learning disabilities' on its second row only) read as one row naming them all: a
    band either row names is yes. Rows that differ in anything else are kept, and the import refuses them by name."""
    first: dict[str, Record] = {}
    out = Records(skipped=records.skipped)
    out.skipped_in = records.skipped_in
    for rec in records:
        seen = first.get(rec.location_id)
        bands = {k for k in (*rec.regulator, *(seen.regulator if seen else ())) if k.startswith("care.user_bands.")
                 or k == "cqc.specialisms"}  # either row's: a row of commas lists no specialisms (_directory)
        if seen is None or {k: v for k, v in seen.regulator.items() if k not in bands} != \
                {k: v for k, v in rec.regulator.items() if k not in bands} or seen.kinds != rec.kinds:
            first.setdefault(rec.location_id, rec)
            out.append(rec)
            continue
        for k in bands:
            was, now = seen.regulator.get(k), rec.regulator.get(k)
            if k == "cqc.specialisms" and not (k in seen.regulator and k in rec.regulator):
                seen.regulator.pop(k, None)  # a row whose list could not be read: the whole list is not known
            elif k == "cqc.specialisms":  # every one either row names
                seen.regulator[k] = sorted({*(was or []), *(now or [])}) or None
            else:
                seen.regulator[k] = True if True in (was, now) else (None if None in (was, now) else False)
    return out


def _produced(lines: list[str], as_of: dt.date | None = None, place: sheets.Lines | None = None) -> dt.date | None:
    """The day CQC's care directory says it was produced, from the lines above its column names (line 1 first); None
    if none says. A line saying it that gives no day ('31 February 2026'), two lines giving different days, or a day
    after today stop the import naming the line (every row's profile would be dated by it), unless ``as_of`` dates it."""
    place = place or LINES
    said: dict[dt.date, list[int]] = {}
    for n, line in enumerate(lines, 1):
        m = PRODUCED.search(line)
        if not m:
            continue
        words = PRODUCED_DAY.match(line, m.end())
        try:
            if not words or words[2].lower() not in MONTHS:
                raise ValueError
            said.setdefault(dt.date(int(words[3]), MONTHS[words[2].lower()], int(words[1])), []).append(n)
        except ValueError:
            if as_of is None:
                raise ImportError_(f"{place.line(n)}: '{plain(line.strip(), 80)}' gives no day CQC produced the file (such as "
                                   "'produced on 19 August 2026'); nothing was changed. Give the day with --as-of YYYY-MM-DD"
                                   ) from None
    if as_of is None and len(said) > 1:
        days = [f"{place.line(at[0])}: {day.day} {day:%B %Y}" for day, at in sorted(said.items(), key=lambda d: d[1])]
        raise ImportError_(f"says it was produced on different days ({and_list(days)}); nothing was changed. Give the day "
                           "with --as-of YYYY-MM-DD")
    if as_of is None and said and max(said) > england_today():
        (when, (n, *_)), = said.items()
        raise ImportError_(f"{place.line(n)}: says it was produced on {when.day} {when:%B %Y}, after today ({england_today()}); "
                           "nothing was changed. Give the day CQC produced it with --as-of YYYY-MM-DD")
    return next(iter(said), None)


def _cqc_contact(phone: Any, website: Any) -> tuple[dict[str, str | None], tuple[str, ...]]:
    """The phone and website CQC holds for a location, as CQC gives them: CQC's (cqc.phone, cqc.website), which a page
    shows as from CQC until the home gives its own (contact.phone, contact.website), never written as the home's own;
    with what of them cannot be read (``_phone``, ``_website``), in words for the import's report: CQC's own slip (12
    digits), never guessed at, so the pages say not known."""
    read = {"cqc.phone": _phone(phone), "cqc.website": _website(website)}
    unread = []
    if _text(phone) and read["cqc.phone"] is None:
        unread.append(f"its phone '{_show(str(phone))}' is not a UK phone number as written")
    if _text(website) and read["cqc.website"] is None:
        unread.append(f"its website '{_show(str(website))}' is not a web address")
    return read, tuple(unread)


def _listed(rec: dict[str, Any], key: str) -> list[dict] | None:
    """A list field of an API record (JSON, or a CSV cell holding its Python repr) as its dict
    items; None when the record does not give it (key missing, empty or an empty list): not known."""
    value = rec.get(key)
    if isinstance(value, str):
        value = value.strip()
        try:
            value = ast.literal_eval(value) if value[:1] in ("[", "{") else None
        except (ValueError, SyntaxError):
            raise ValueError(f"'{_show(value)}' is not a readable list; export the records again") from None
    if value in (None, [], ""):
        return None
    if not isinstance(value, list):
        raise ValueError(f"is a {type(value).__name__}, not a list; is the record complete?")
    return [v for v in value if isinstance(v, dict)]


def _service_types(rec: dict[str, Any]) -> list[dict] | None:
    """A record's service types (``_listed``), refused when one names no type: a damaged entry would otherwise read
    as "not registered for" each type (care.nursing: no), where the record does not say."""
    listed = _listed(rec, "gacServiceTypes")
    if listed is not None and any(not (_text(s.get("description")) or _text(s.get("name"))) for s in listed):
        raise ValueError("holds a service type with no name or description; is the record complete?")
    return listed


def _nested(rec: dict[str, Any], key: str) -> Any:
    """A nested field of an API record; a CSV cell holding its Python repr is read back."""
    value = rec.get(key)
    if isinstance(value, str):
        value = value.strip()
        return ast.literal_eval(value) if value[:1] in ("[", "{") else None
    return value


MANAGER_ROLE = "Registered Manager"  # CQC's role of a regulated activity's contact who is its registered manager


def _manager(rec: dict[str, Any], activities: list[dict] | None) -> tuple[bool | None, list[str] | None]:
    """Whether the home has a registered manager, and their names as CQC gives them ('Mrs Jo Example': title,
    given and family names), each once, in CQC's order: no (and no names) when CQC records the manager as absent
    or lists the regulated activities (``activities``) with no Registered Manager among their contacts; not
    known (None, None) when the record gives no regulated activities (deregistered homes' records do not). A
    manager CQC lists with no name gives yes, and no names."""
    if _text(rec.get("registeredManagerAbsentDate")):
        return False, None
    if not activities:
        return None, None
    managers = [p for a in activities for p in a.get("contacts") or []
                if isinstance(p, dict) and MANAGER_ROLE in (p.get("personRoles") or [])]
    names = [" ".join(filter(None, (_text(p.get(k)) for k in ("personTitle", "personGivenName", "personFamilyName"))))
             for p in managers]
    return bool(managers), list(dict.fromkeys(n for n in names if n)) or None


def _activities(activities: list[dict] | None) -> list[str] | None:
    """The names of the regulated activities CQC registers a location for, in CQC's words, each once and sorted
    (as cqc.specialisms); None when the record lists none: not known, never that it carries on none."""
    return sorted({_text(a.get("name")) or "" for a in activities or []} - {""}) or None


def _market_manager(value: Any) -> list[str] | None:
    """The registered manager CQC's market file names ('Example, Jo, Mrs': family name, given names, title) as the
    API's records are worded ('Mrs Jo Example'); a name in another shape as written; None when the cell is empty."""
    text = _text(value)
    if not text:
        return None
    parts = [p.strip() for p in text.split(",")]
    return [" ".join(filter(None, (parts[2], parts[1], parts[0])))] if len(parts) == 3 and all(parts[:2]) else [text]


def _type_names(rec: dict[str, Any]) -> list[str]:
    """A record's service types, names and descriptions ('Homecare agencies', 'Domiciliary care service');
    none when they cannot be read (a location of a kind held here then reports why)."""
    try:
        listed = _listed(rec, "gacServiceTypes") or []
    except ValueError:
        return []
    return [str(s.get(key) or "") for s in listed for key in ("name", "description")]


def parse_api_location(rec: dict[str, Any], date_order: str = "iso") -> Record | Skipped:
    """One CQC API location record (a dict from the JSON, or a CSV row with nested fields as Python
    reprs) as a Record, or Skipped when it is of no kind held here. ``date_order`` reads slashed dates:
    'dmy' or 'mdy'; ISO dates are read whatever it is. A field the record does not give (missing or
    an empty list) is not known (None), never 'no'. Raises ValueError (``RowProblems``: every
    field that cannot be read, each with its name) on values it cannot read."""
    c = _Cells(rec)
    types = _type_names(rec)
    ids = held_kinds(bool(c.read("careHome", _flag)), types)
    if not ids:
        c.done()
        names = [str(s.get("name") or s.get("description") or "") for s in _listed_quietly(rec)]
        return _skipped(names, rec.get("localAuthority"))

    def listed(key: str) -> list[dict] | None:
        return c.read(key, lambda _v: _listed(rec, key))

    service_list = c.read("gacServiceTypes", lambda _v: _service_types(rec))
    services = " ".join(str(s.get("description") or s.get("name") or "") for s in service_list or []).lower()
    overall = (_nested(rec, "currentRatings") or {}).get("overall") or {}
    rating = c.read("currentRatings.overall.rating", lambda _v: _rating(overall.get("rating")))
    link = overall.get("reportLinkId")
    dereg = c.read("deregistrationDate", _date, date_order)
    status = c.read("registrationStatus", _status, rec.get("deregistrationDate"))
    street = ", ".join(filter(None, (_text(rec.get("postalAddressLine1")), _text(rec.get("postalAddressLine2")))))
    specialisms = listed("specialisms")
    activities = listed("regulatedActivities")
    manager, managers = _manager(rec, activities)
    bands = _regulator_bands(_bands(str(s.get("name", "")) for s in specialisms)) if specialisms else \
        _regulator_bands(dict.fromkeys(ALL_BANDS, None))
    reg = {
        "name": _text(rec.get("name")),
        "cqc.also_known_as": _text(rec.get("alsoKnownAs")),
        "provider.cqc_id": _text(rec.get("providerId")),
        "address.street": street or None,
        "address.town": _text(rec.get("postalAddressTownCity")),
        "address.postcode": c.read("postalCode", _postcode),
        "address.latitude": c.read("onspdLatitude", _float),
        "address.longitude": c.read("onspdLongitude", _float),
        # 'care home service with nursing' is never found inside '... without nursing'
        **{str(p.flag): str(p.cqc_service_type).lower() in services if service_list else None for p in TYPED},
        str(KIND.registered): c.read("numberOfBeds", _int),
        "cqc.registered_since": c.read("registrationDate", _date, date_order),
        "cqc.status": "Deregistered" if status == "Deregistered" else "Registered",
        "cqc.status_date": dereg if status == "Deregistered" else None,
        "cqc.rating": rating,
        "cqc.rating_date": c.read("currentRatings.overall.reportDate",
                                  lambda _v: _date(overall.get("reportDate"), date_order)) if rating else None,
        "cqc.report_url": f"https://www.cqc.org.uk/location/{rec['locationId']}/reports" if rating and link else None,
        "cqc.registered_manager": manager,
        "cqc.registered_managers": managers,
        "cqc.regulated_activities": _activities(activities),
        **bands,
    }
    contact, unread = _cqc_contact(rec.get("mainPhoneNumber"), rec.get("website"))
    reg.update(contact)
    c.identity(str(rec["locationId"]).strip(), reg["name"])
    c.done()
    return _held(Record(str(rec["locationId"]).strip(), _text(rec.get("localAuthority")) or "", reg, unread=unread), ids)


def _listed_quietly(rec: dict[str, Any]) -> list[dict]:
    try:
        return _listed(rec, "gacServiceTypes") or []
    except ValueError:
        return []


API_DATES = ("registrationDate", "deregistrationDate", "registeredManagerAbsentDate")
API_DATE_GROUPS = ("lastReport", "lastInspection", "currentRatings")


def _api_dates(rec: dict[str, Any]) -> list[dt.date]:
    """Every date an API record carries that says how recent it is: registration, deregistration,
    manager absent, last report and inspection, current rating. Dates that cannot be read are
    skipped here (the record's own parse reports them); slashed ones are read day first."""
    values: list[Any] = [rec.get(key) for key in API_DATES]
    for key in API_DATE_GROUPS:
        group = _nested(rec, key) if isinstance(rec.get(key), str) and rec[key].strip()[:1] == "{" else rec.get(key)
        if isinstance(group, dict):
            values.extend(group.values())
            if isinstance(group.get("overall"), dict):
                values.append(group["overall"].get("reportDate"))
    out = []
    for v in values:
        if not isinstance(v, str):
            continue
        try:
            d = _date(v)
        except ValueError:
            continue
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


MAX_JSON_BYTES = 64 * 1024 * 1024  # a JSON register is read whole; CSV files are streamed
MAX_JSON_DEPTH = 64  # deeper JSON is refused before parsing (a real location record is 8 deep)
MAX_LINE_BYTES = 1024 * 1024  # a CSV line is read whole: CQC's are at most a few KB (the API's CSV about 7 KB)
OLE2_SEARCHED = 1024 * 1024  # bytes of an OLE2 file searched for the name of an encrypted workbook's part
DAMAGED_ZIP = "is a damaged zip file, not a CSV file; download it again"
LINES = sheets.Lines()  # a CSV file's messages name its lines


def _first_number(text: str) -> int:
    """The line or row of a message ('line 12: ...', "sheet 'HSCA 2021', row 12: ..." -> 12), else its first number,
    to list problems in file order."""
    m = re.search(r"\b(?:line|row)s? (\d+)", text) or re.search(r"(\d+)", text)
    return int(m[1]) if m else 0


def read_register(path: Path, as_of: dt.date | None = None) -> tuple[str, Records, dt.date]:
    """Read a CQC file into records of care homes, its format name and its data date (``as_of`` when the file has no
    date at all).

    CSV files are streamed line by line, each at most MAX_LINE_BYTES (memory stays bounded however large the
    file is); a row that cannot be read is reported with its line number, never treated as absent."""
    if path.is_dir():
        return _read_api_folder(path)
    if not path.exists():
        raise ImportError_("no such file; check its name and folder, and give the CQC register file you saved (or a "
                           "folder of CQC API responses)")
    if not path.is_file():  # a pipe would be waited on for ever
        raise ImportError_("is not a regular file (a device or pipe); give a CQC register file, e.g. a CSV saved from CQC")
    with open(path, "rb") as fh:
        start = fh.read(4096)
        if start.startswith(sheets.OLE2):  # Excel 97-2003, or a workbook saved with a password
            raise ImportError_(sheets.ole2_message(start + fh.read(OLE2_SEARCHED)))
    if start.startswith(b"PK\x03\x04"):  # a zip: CQC publishes its sheets as .ods, and downloads may come zipped
        return _read_spreadsheet(path, as_of)
    text_start = start.lstrip(b"\xef\xbb\xbf \t\r\n")  # past a byte-order mark and white space
    if text_start.startswith(b"<"):  # XML: a flat .fods spreadsheet, or another kind
        return _read_xml(path, as_of)
    if b"\x00" in start:
        raise ImportError_("is not a text CSV file; export the CQC sheet as CSV (UTF-8) and try again")
    if text_start[:1] in (b"{", b"["):
        if path.stat().st_size > MAX_JSON_BYTES:
            raise ImportError_(f"is a JSON file larger than {MAX_JSON_BYTES // 2**20} MB; import the folder of "
                               "location files (location_details) instead")
        raw = path.read_bytes()
        if httpclient.too_deep(raw, MAX_JSON_DEPTH):
            raise ImportError_(f"is JSON nested more than {MAX_JSON_DEPTH} levels deep, so it is not a CQC register file or API record; nothing was imported")
        try:
            return read_api_documents([strict_loads(raw.decode("utf-8-sig"))], path)
        except UnicodeDecodeError as exc:
            raise ImportError_(f"is not UTF-8 text: byte {exc.start} (0x{exc.object[exc.start]:02X}) cannot be read; "
                               "save the file as UTF-8") from None
        except ValueError as exc:
            raise ImportError_(f"is not valid JSON ({reader_error(exc)})") from None
    return _read_csv(path, as_of)


def _read_spreadsheet(path: Path, as_of: dt.date | None) -> tuple[str, Records, dt.date]:
    """A spreadsheet (.ods, .xlsx): its sheet of locations (the first whose column names are a format's) written as CSV
    into a folder of its own (removed after), and read as any CSV is, every message naming the sheet and row."""
    try:
        kind = sheets.kind_of(path)
    except sheets.SheetError as exc:
        raise ImportError_(str(exc)) from None
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError, EOFError, zlib.error):
        raise ImportError_(_damaged_zip(path)) from None
    if kind is None:
        raise ImportError_(_packed(path))

    def convert(folder: Path) -> sheets.Sheet:
        try:
            return sheets.to_csv(path, kind, folder, _sheet_header)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError, zlib.error) as exc:
            raise ImportError_(f"{DAMAGED_ZIP} ({plain(exc, 80)})") from None
    return _read_sheet(convert, as_of)


def _read_sheet(convert: Callable[[Path], sheets.Sheet], as_of: dt.date | None) -> tuple[str, Records, dt.date]:
    """The records of a spreadsheet's sheet of locations, written as CSV by ``convert`` into a folder of its own (removed
    after) and read as any CSV is, every message naming the sheet and row."""
    with tempfile.TemporaryDirectory(prefix="carehomes-sheet-") as folder:
        try:
            sheet = convert(Path(folder))
        except sheets.NoSheet as exc:
            raise ImportError_(_no_sheet(exc.sheets)) from None
        except sheets.SheetError as exc:
            raise ImportError_(str(exc)) from None
        return _read_csv(sheet.path, as_of, sheet, sheet.header_line)


# the first entry of a spreadsheet's zip: an .ods's 'mimetype' (first, as its standard asks), an .xlsx's parts
SHEET_FIRST = {b"mimetype": ".ods", b"[Content_Types].xml": ".xlsx", b"_rels/.rels": ".xlsx", b"docProps/app.xml": ".xlsx"}


def _damaged_zip(path: Path) -> str:
    """What to say of a zip that cannot be opened: a spreadsheet cut short (its first entry, read from its start, is a
    spreadsheet's: a download stopped part way leaves one), else any damaged zip."""
    try:
        with open(path, "rb") as fh:
            head = fh.read(30 + 64)
    except OSError:
        return DAMAGED_ZIP
    size = int.from_bytes(head[26:28], "little") if len(head) >= 30 else 0
    kind = SHEET_FIRST.get(head[30:30 + size]) if 0 < size <= 64 else None
    if kind is None:
        return DAMAGED_ZIP
    return (f"is a spreadsheet ({kind}) that is damaged or incomplete (a download cut short leaves one); nothing was "
            "changed. Download CQC's file again")


XML_HEAD = 64 * 1024  # bytes of an XML file searched for a flat spreadsheet's root element (LibreOffice's: in the first 3 KB)


def _read_xml(path: Path, as_of: dt.date | None) -> tuple[str, Records, dt.date]:
    """An XML file: LibreOffice's flat XML spreadsheet (.fods) is read as its .ods is; any other XML is refused, saying
    what to do (an Excel 2003 'XML Spreadsheet', a web page saved from CQC's site), never read as a CSV of odd columns."""
    with open(path, "rb") as fh:
        start = fh.read(XML_HEAD)
    if not sheets.is_flat(start):
        if re.match(rb"\s*(?:<!--.*?-->\s*)*<!doctype\s+html|\s*<html", start.lstrip(b"\xef\xbb\xbf"), re.I | re.S):
            raise ImportError_("is a web page (HTML), not a CSV file or a spreadsheet: download CQC's file itself (a CSV, "
                               "or its .ods or .xlsx spreadsheet), not the page that links to it; nothing was changed")
        raise ImportError_("is an XML file, not a CSV file or a spreadsheet this tool reads: open it in LibreOffice Calc "
                           "or Excel, save it as .ods, .xlsx or 'CSV UTF-8', and import that file; nothing was changed")
    return _read_sheet(lambda folder: sheets.flat_to_csv(path, folder, _sheet_header), as_of)


def _sheet_header(rows: list[list[str]]) -> int | None:
    """Which of a sheet's first rows names the columns of a format this reader knows; None when none does."""
    return next((n for n, cells in enumerate(rows) if _known_header([c.strip() for c in cells])), None)


def _no_sheet(found: list[tuple[str, list[list[str]]]]) -> str:
    """A spreadsheet with no sheet of a format this reader knows: its sheets, and what the nearest lacks."""
    if not found:
        return "is a spreadsheet with no sheets in it; nothing was changed. Download CQC's file again"
    names = and_list([f"'{plain(name, 60)}'" for name, _ in found])
    share, name, row, cells = 0.0, "", 0, [""]
    for sheet, rows in found:
        for n, r in enumerate(rows, 1):
            near = max(len(cols & {c.strip() for c in r}) / len(cols) for _, cols in FORMATS)
            if near > share:
                share, name, row, cells = near, sheet, n, r
    where = f" The nearest is sheet '{plain(name, 60)}', row {row}: " if share else " "
    return (f"has no sheet of CQC locations this tool knows: {'its sheet is' if len(found) == 1 else 'its sheets are'} "
            f"{names}, and none names the columns of the HSCA care directory, CQC's care directory CSV, CQC's market "
            f"locations CSV or CQC API location records in its first {sheets.PREAMBLE} rows; nothing was changed."
            f"{where}{_nearest_format({c.strip() for c in cells})}")


def _read_csv(path: Path, as_of: dt.date | None, place: sheets.Lines | None = None,
              header_line: int | None = None) -> tuple[str, Records, dt.date]:
    """A CSV file's records (``read_register``); ``place`` names where a message's row is (a sheet's row, when the
    file is a sheet written as CSV: ``header_line`` is then the line of the column names, found by ``sheets``)."""
    place = place or LINES
    if header_line is None:
        header, skip, produced = _csv_header(path, place), 0, None
        if not _known_header(header):  # CQC's care directory: its title and date above the column names
            found = _directory_header(path, as_of, place)
            if found:
                skip, header, produced = found
            else:
                _refuse_lines_above(path, place)
    else:
        skip, header, produced = _directory_header(path, as_of, place, header_line) or (0, [], None)
    if not any(header):  # no column names on the first line: a blank line before them, or nothing at all
        if not any(line.strip() for line in _utf8_lines(path, place)):
            raise ImportError_("is empty: it has no column names and no rows; export the CQC sheet as CSV again")
        raise ImportError_(f"{place.line(1)}: is blank, where the column names must be; remove the blank lines above them "
                           "(nothing was changed)")
    twice = [f"'{_show(h)}' (columns {and_list([str(n) for n, g in enumerate(header, 1) if g == h])})"
             for h, n in Counter(header).items() if n > 1 and h]
    if twice:  # a row read by name would take the last, unseen, of each
        raise ImportError_(f"{place.line(skip + 1)}: names {'a column' if len(twice) == 1 else 'columns'} more than once: {and_list(twice)}, "
                           "so which holds the facts is not known; nothing was changed. Remove or rename the copies and "
                           "import the file again")
    names = set(header)
    parse: Callable[[dict[str, str]], Record | Skipped]
    if HSCA_COLUMNS <= names:
        fmt, parse = "HSCA care directory", _hsca
        date_of: Callable[[dict], list[str | None]] = lambda r: [r.get("Location HSCA start date")]
    elif MARKET_COLUMNS <= names:
        fmt, parse = "market", _market
        date_of = lambda r: [r.get("Location HSCA start date"),
                             (_date(r.get("Publication Date"), "mdy") or dt.date.min).isoformat() if r.get("Publication Date") else None]
    elif DIRECTORY_COLUMNS <= names:
        fmt, parse = "care directory (CSV)", _directory
        date_of = (lambda r: []) if produced else (lambda r: [r.get("Report publication date"), _latest_check(r.get("Date of latest check"))])
    elif API_COLUMNS <= names:
        order = _slash_order(r.get("registrationDate", "") for _, r in _csv_rows(path, [], skip, place))  # a first pass, streamed too
        fmt = "API (CSV)"
        parse = lambda r: _api_csv_location(r, order)
        date_of = lambda r: [d.isoformat() for d in _api_dates(r)]
    else:
        known = "the HSCA care directory, CQC's care directory CSV, CQC's market locations CSV, or CQC API location records"
        raise ImportError_(f"is not a CQC register file this tool knows: its columns do not match {known}. "
                           + _nearest_format(names))
    newest: list[dt.date] = [produced] if produced else []  # the newest date seen so far (kept as we stream, not every row's)
    unreadable: list[str] = []
    today = england_today()

    def rows() -> Iterable[tuple[str, dict]]:
        for where, row in _csv_rows(path, unreadable, skip, place):
            for d in date_of(row):
                try:
                    parsed = _date(d)
                except ValueError:
                    continue  # the row's own parse reports it
                # one date after today would date the whole import, and every other row's profile be refused for it: the
                # row's own check names it
                if parsed and parsed <= today and (not newest or parsed > newest[0]):
                    newest[:] = [parsed]
            yield where, row

    records = _parse_rows(rows(), parse, unreadable)
    if parse is _directory:
        records = _once_each(records)
        records.not_given = DIRECTORY_NOT_GIVEN
    records.absent = absent_columns(header, fmt)
    records.produced = produced
    return fmt, records, _latest((d.isoformat() for d in newest), as_of)


def _nearest_format(names: set[str]) -> str:
    """What a file of unknown columns lacks to be the format it looks most like (a column renamed in a spreadsheet),
    or, like none, the columns of CQC's care directory, the file anyone can download from CQC."""
    share, name, cols = max((len(cols & names) / len(cols), name, cols) for name, cols in FORMATS)
    if share == 0:
        name, cols = FORMATS[0]
        return f"The file CQC's website offers, {name}, has the columns {and_list(sorted(cols))} (with others)"
    return f"It looks most like {name}, which also needs the column{'s' * (len(cols - names) != 1)} {and_list(sorted(cols - names))}"


def _packed(path: Path) -> str:
    """What to do with a zip file given as a register that is not a spreadsheet (``sheets.kind_of``): a zipped CSV or
    spreadsheet is unzipped. Only the zip's list of names is read."""
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()[:10_000]
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, ValueError):
        return DAMAGED_ZIP
    usable = [n for n in names if not n.startswith(("__MACOSX/", "/")) and ".." not in n]
    for what, ends in (("CSV file", (".csv",)), ("spreadsheet", (".ods", ".xlsx"))):
        inside = [n for n in usable if n.lower().endswith(ends)]
        if inside:
            return (f"is a zip file: unzip it and import the {what} inside it ({plain(inside[0], 80)}"
                    + (f" and {len(inside) - 1} more" if len(inside) > 1 else "") + ")")
    return ("is a zip file with no CSV file or spreadsheet inside it; give a CQC register file: a CSV (UTF-8), or CQC's "
            "spreadsheet (.ods or .xlsx) as it comes")


def _utf8_lines(path: Path, place: sheets.Lines | None = None) -> Iterable[str]:
    """The file's lines as text, one at a time; a byte that is not UTF-8 stops the import with its
    line and byte (a Windows 'ANSI' export is refused, not silently read as another encoding)."""
    place = place or LINES
    with open(path, "rb") as fh:
        for n, raw in enumerate(iter(lambda: fh.readline(MAX_LINE_BYTES + 1), b""), 1):
            if len(raw) > MAX_LINE_BYTES:  # read no further: one endless line would be held whole
                raise ImportError_(f"{place.line(n)}: is longer than {MAX_LINE_BYTES:,} bytes, which no CQC register's line is; "
                                   "nothing was changed. Is this a CQC register file saved as CSV?")
            try:
                line = raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ImportError_(f"{place.line(n)}: byte {exc.start + 1} (0x{raw[exc.start]:02X}) is not UTF-8 text; nothing "
                                   "was changed. Save the file as 'CSV UTF-8' and import it again") from None
            yield line.removeprefix("\ufeff") if n == 1 else line


def _directory_header(path: Path, as_of: dt.date | None = None, place: sheets.Lines | None = None,
                      at: int | None = None) -> tuple[int, list[str], dt.date | None] | None:
    """Where CQC's care directory CSV has its column names, below its title and date: (lines above them, the names, the
    day it says it was produced); None when no line among the first DIRECTORY_PREAMBLE has them. Each line is read on
    its own: a quote left open above the names (the title is free text) does not swallow them. ``at``: the line (from
    0) a sheet has its column names on, of any format (the day is the care directory's only)."""
    above: list[str] = []
    for n, line in enumerate(_utf8_lines(path, place)):
        try:
            cells = next(csv.reader([line]), [])
        except csv.Error:
            cells = []
        names = {c.strip() for c in cells}
        if n == at or at is None and DIRECTORY_COLUMNS <= names:
            return n, [c.strip() for c in cells], _produced(above, as_of, place) if DIRECTORY_COLUMNS <= names else None
        if at is None and n + 1 >= DIRECTORY_PREAMBLE:
            break
        above.append(" ".join(c.strip() for c in cells if c.strip()))  # a spreadsheet may put the day in a cell of its own
    return None


def _refuse_lines_above(path: Path, place: sheets.Lines) -> None:
    """ImportError_ when one of the first DIRECTORY_PREAMBLE lines below the first holds another format's column names
    (a title typed above the HSCA file's: "is not a CQC register file this tool knows" said nothing of the line)."""
    for n, line in enumerate(_utf8_lines(path, place)):
        if n >= DIRECTORY_PREAMBLE:
            return
        try:
            cells = [c.strip() for c in next(csv.reader([line]), [])]
        except csv.Error:
            continue
        if n and _known_header(cells):
            name = next(name for name, cols in FORMATS if cols <= set(cells))
            raise ImportError_(f"{place.line(n + 1)}: holds the column names of {name}, with {n} line{'s' * (n != 1)} above "
                               f"them; only CQC's care directory has lines above its column names, so delete "
                               f"{'that line' if n == 1 else 'those lines'} (nothing was changed)")


def _known_header(header: list[str]) -> bool:
    names = set(header)
    return any(cols <= names for _, cols in FORMATS)


def _latest_check(value: Any) -> str | None:
    """A directory's 'Date of latest check' ('09/Jan/2026 - 00:00', or a date _date reads) as YYYY-MM-DD; None when
    it is neither (it only helps date the file)."""
    text = str(value or "").strip()
    m = re.match(r"(\d{1,2})/([A-Za-z]{3})/(\d{4})", text)
    try:
        if m:
            return dt.date(int(m[3]), MONTHS[m[2].lower()], int(m[1])).isoformat()
        d = _date(text, "dmy")
        return d.isoformat() if d else None
    except (ValueError, KeyError):  # no real day, or no month's name
        return None


def _csv_header(path: Path, place: sheets.Lines | None = None) -> list[str]:
    """The first line's cells (that line alone: a quote left open in a care directory's title swallowed the lines after
    it, up to the csv module's limit, 'field larger than field limit')."""
    try:
        header = next(csv.reader([next(iter(_utf8_lines(path, place)), "")]), [])
    except csv.Error as exc:
        raise ImportError_(f"cannot be read as CSV ({reader_error(exc)})") from None
    return [h.strip() for h in header]


def _csv_rows(path: Path, unreadable: list[str], skip: int = 0,
              place: sheets.Lines | None = None) -> Iterable[tuple[str, dict]]:
    """Stream the rows as (where, column -> value), the column names on the line after the first ``skip``; a row with
    the wrong number of fields (an unbalanced quote swallows the lines after it) goes to ``unreadable`` with its line
    numbers (``place`` names them)."""
    place = place or LINES
    lines = iter(_utf8_lines(path, place))
    for _ in range(skip):  # lines, not rows: a quote left open above the column names is not read (_directory_header)
        next(lines, None)
    reader = csv.reader(lines, strict=True)
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise ImportError_(f"cannot be read as CSV ({reader_error(exc)})") from None
    while True:
        first = skip + reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            unreadable.append(f"{place.line(first)}: cannot be read as CSV ({reader_error(exc)}); is a quote (\") not closed?")
            return
        if not row or row == [""]:
            continue
        if len(row) != len(header):
            last = skip + reader.line_num
            span = place.lines(first, last)
            hint = "; is a quote (\") not closed?" if last > first or len(row) < len(header) else ""
            unreadable.append(f"{span}: has {len(row)} fields, the header has {len(header)}{hint}")
            continue
        yield place.line(first), dict(zip(header, row, strict=True))


def _parse_rows(rows: Iterable[tuple[str, dict]], parse: Callable[[dict], Record | Skipped | None],
                unreadable: list[str] | None = None, earlier: list[str] | None = None,
                what: str = "rows") -> Records:
    """Parse every row; collect every row that cannot be read (with where it is) and refuse them all together.
    Locations of no kind held here are counted by their service types."""
    records = Records()
    skipped: Counter[tuple[str, str]] = Counter()
    errors: list[str] = []
    for where, row in rows:
        try:
            rec = parse(row)
        except RowProblems as exc:
            errors.extend(f"{where}: {problem}" for problem in exc.problems)
            continue
        except (ValueError, SyntaxError, KeyError, AttributeError, TypeError) as exc:
            errors.append(f"{where}: {plain(exc)}")
            continue
        if isinstance(rec, Skipped):
            skipped[rec.local_authority, rec.label] += 1
        elif rec:
            rec.line = where
            if not re.fullmatch(r"[0-9A-Z][0-9A-Z-]{2,19}", rec.location_id):
                errors.append(f"{where}: '{plain(rec.location_id, 40)}' is not a CQC location ID")
                continue
            if not rec.regulator.get("name"):
                errors.append(f"{where}: location {plain(rec.location_id, 40)} has no name")
                continue
            records.append(rec)
    if unreadable:  # CSV: merge the rows csv could not split, in line order
        errors = sorted(errors + unreadable, key=_first_number)
    errors = (earlier or []) + errors
    if errors:
        raise ImportError_(_refusal(f"has {what} that cannot be read", errors))
    records.skipped_in = dict(skipped)
    records.skipped = _by_label(skipped.items())
    return records


def _by_label(counts: Iterable[tuple[tuple[str, str], int]], local_authority: str | None = None) -> dict[str, int]:
    """Skipped locations' counts by service types, of one local authority's (``apply.la_key``'s match) or of all."""
    out: Counter[str] = Counter()
    for (area, label), n in counts:
        if local_authority is None or la_key(area) == la_key(local_authority):
            out[label] += n
    return dict(out)


def _latest(dates: Iterable[str | None], as_of: dt.date | None = None) -> dt.date:
    """The newest of ``dates`` up to today (one after today would date the whole import, and every other record's
    profile be refused for it: the record's own check names it), else ``as_of``."""
    best, today = None, england_today()
    for d in dates:
        try:
            parsed = _date(d)
        except ValueError:
            continue
        if parsed and parsed <= today and (best is None or parsed > best):
            best = parsed
    if best is not None:
        return best
    if as_of is not None:
        return as_of
    raise ImportError_("has no dates to tell how recent it is; is it empty? If not, give the day CQC published it "
                       "with --as-of YYYY-MM-DD")


def _read_api_folder(path: Path) -> tuple[str, Records, dt.date]:
    """Every ``*.json`` file of the folder (or of its ``location_details``), each one location record;
    every file that cannot be read is reported (full path) before anything is changed."""
    folder = path / "location_details" if (path / "location_details").is_dir() else path
    problems: list[str] = []
    docs = _json_files(folder, "location", problems)
    if not docs and not problems:
        raise ImportError_("is a folder with no CQC API location JSON files in it")
    names = _provider_names(path / "provider_details", problems) if folder != path else {}
    fmt, records, date = read_api_documents([d for _, d in docs], path, [str(f) for f, _ in docs], problems)
    for rec in records:  # the provider's name, as the live sync takes it from CQC's provider record
        name = names.get(str(rec.regulator.get("provider.cqc_id")))
        if name:
            rec.regulator["provider.name"] = name
    return fmt, records, date


def _json_files(folder: Path, what: str, problems: list[str]) -> list[tuple[Path, Any]]:
    """Each ``*.json`` file of ``folder`` (in name order) with its JSON, a CQC API ``what`` record each ("location",
    "provider"); each file that cannot be read (a link out of the folder, not a file, too large or deep, not UTF-8
    or not JSON) is named in ``problems`` instead."""
    docs: list[tuple[Path, Any]] = []
    inside = folder.resolve()
    for f in sorted(folder.glob("*.json")):
        if f.is_symlink() and inside not in f.resolve().parents:
            problems.append(f"{f}: is a link to {os.readlink(f)}, outside {folder}; a record must be a real file in "
                            "that folder, so it was not read")
            continue
        if not f.is_file():
            kind = "a folder" if f.is_dir() else "not a file (a device, a pipe or a broken link)"
            problems.append(f"{f}: is {kind}, not a JSON file; move it out of {folder}")
            continue
        try:
            if f.stat().st_size > MAX_JSON_BYTES:
                problems.append(f"{f}: is larger than {MAX_JSON_BYTES // 2**20} MB, not one {what} record")
                continue
            raw = f.read_bytes()
            if httpclient.too_deep(raw, MAX_JSON_DEPTH):
                problems.append(f"{f}: is JSON nested more than {MAX_JSON_DEPTH} levels deep, not a {what} record")
                continue
            docs.append((f, strict_loads(raw.decode("utf-8-sig"))))
        except UnicodeDecodeError as exc:
            problems.append(f"{f}: byte {exc.start} is not UTF-8 text; save the file as UTF-8")
        except ValueError as exc:
            problems.append(f"{f}: is not valid JSON ({reader_error(exc)}); fetch the {what} again or remove the file")
        except OSError as exc:
            problems.append(f"{f}: cannot be read ({exc.strerror})")
    return docs


def _provider_names(folder: Path, problems: list[str]) -> dict[str, str]:
    """providerId -> name from the CQC API provider records saved beside the locations (``provider_details/``, as
    the live sync fetches them), read as the location files are (_json_files); a file that is not a provider record
    is a problem, as a location file is."""
    names: dict[str, str] = {}
    for f, doc in _json_files(folder, "provider", problems) if folder.is_dir() else []:
        if not isinstance(doc, dict) or not isinstance(doc.get("providerId"), str):
            problems.append(f"{f}: is not a CQC API provider record that can be read; fetch the provider again or "
                            "remove the file")
            continue
        name = _text(doc.get("name")) if isinstance(doc.get("name"), str) else None
        if name:
            names[doc["providerId"].strip()] = name
    return names


def _refusal(what: str, problems: list[str]) -> str:
    """The all-or-nothing refusal: what is wrong, then the first ten problems, one a line."""
    more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
    return (f"{what}; nothing was changed (a row that cannot be read is never taken as a home that left "
            "the register):\n  " + "\n  ".join(problems[:10]) + more)


def _describe(value: Any) -> str:
    """What kind of JSON value this is, in words ('a list', 'null')."""
    return {list: "a list", dict: "an object", str: "a text", type(None): "null", bool: "true/false"}.get(
        type(value), "a number")


def read_api_documents(docs: list[Any], path: Path, names: list[str] | None = None,
                       earlier: list[str] | None = None) -> tuple[str, Records, dt.date]:
    """CQC API JSON documents (a location, a list of them, or a page with ``locations``) read into
    records, with the format name and the newest date their records carry; ``path`` is where they
    came from and ``names`` (one per document) where each is, for messages. A document, or an item
    in one, that is not a location record is refused, never skipped; ``earlier`` are problems
    already found (files that could not be read), reported with these."""
    if names is None:
        names = [""] if len(docs) == 1 else [f"document {n}" for n in range(1, len(docs) + 1)]
    flat: list[tuple[str, dict]] = []
    problems = list(earlier or [])
    shaped = False  # a record refused for a field of the wrong shape (it is a record, just a bad one)
    for name, d in zip(names, docs, strict=True):
        items = d["locations"] if isinstance(d, dict) and "locations" in d else d
        many = isinstance(items, list)
        for n, item in enumerate(items if many else [items], 1):
            where = (f"{name} record {n}" if many else name).strip() or "the file"
            if not isinstance(item, dict) or "locationId" not in item:
                what = "an object with no locationId" if isinstance(item, dict) else _describe(item)
                problems.append(f"{where}: is {what}, not a CQC API location record; fetch the location again "
                                "or remove the file")
            elif cqc_shape.problems(item):
                lid = item["locationId"]
                who = f"location {lid}" if isinstance(lid, str) and cqc_shape.ID.fullmatch(lid) else "record"
                problems.extend(f"{where}: {who}: {p}" for p in cqc_shape.problems(item))
                shaped = True
            else:
                flat.append((where, item))
    if not flat and not shaped and (not problems or len(docs) == 1 and not names[0]):
        raise ImportError_("is JSON but not CQC API location records (each needs a locationId)")
    if flat and not shaped and not any("careHome" in i for _, i in flat):
        raise ImportError_("holds location summaries only; import the folder of full location records (location_details)")
    records = _parse_rows(flat, _api_json_location, earlier=problems, what="records")
    return "API (JSON)", records, _latest(d.isoformat() for _, r in flat for d in _api_dates(r))


def _api_json_location(rec: dict[str, Any]) -> Record | Skipped:
    """A saved API JSON record read as the live sync reads it: the key questions, the previous
    rating, the rating history and the manager's absence date too (``JSON_FACTS``)."""
    return _with_extra_facts(parse_api_location(rec, "dmy"), rec)


def _api_csv_location(row: dict[str, str], date_order: str) -> Record | Skipped:
    """An API record saved as a CSV row (nested fields as Python reprs, dates slashed in ``date_order``) read
    as the same record saved as JSON is: its dormancy, key questions, rating history and the manager's absence
    date too, so a dormant home is not shown as an ordinary one. Each nested cell is read once, for both."""
    doc, unreadable = _api_csv_document(row, date_order)
    # its nested cells, read back, are checked as the same record's JSON is (a role as a number, contacts as a text)
    shape = cqc_shape.problems({k: v for k, v in doc.items() if isinstance(v, dict | list)})
    if shape:
        lid = str(doc.get("locationId") or "").strip()
        who = f"location {lid}: " if cqc_shape.ID.fullmatch(lid) else ""
        raise RowProblems([f"{who}{p}" for p in shape])
    out = parse_api_location(doc, date_order)  # names every cell it reads and cannot (a broken one is left as written)
    if unreadable and isinstance(out, Record):  # a cell only the extra facts read
        raise ValueError(unreadable[0])
    return _with_extra_facts(out, doc)


def _api_csv_document(row: dict[str, str], date_order: str) -> tuple[dict[str, Any], list[str]]:
    """A CSV row of API fields as the JSON document it was saved from: each nested cell read back, an empty
    cell not given, and the manager's absence date and the dormancy's start (the slashed dates ``extra_facts`` reads)
    as ISO; with what cannot be read (each such cell left as written, for parse_api_location to name with the rest)."""
    doc: dict[str, Any] = {}
    unreadable: list[str] = []
    for key, value in row.items():
        text = (value or "").strip()
        if text[:1] in ("[", "{"):
            try:
                doc[key] = ast.literal_eval(text)
            except (ValueError, SyntaxError):
                doc[key] = text
                unreadable.append(f"{key}: '{_show(text)}' cannot be read; export the records again")
        elif text:
            doc[key] = text
    if str(doc.get("dormancy") or "").strip().upper() not in YES:
        doc.pop("dormancyStartDate", None)  # read only for a dormant location (extra_facts), so not checked either
    for key in ("registeredManagerAbsentDate", "dormancyStartDate"):
        try:
            when = _date(doc.get(key), date_order)
        except ValueError as exc:
            unreadable.append(f"{key}: {exc}")
        else:
            if when:
                doc[key] = when.isoformat()
    return doc, unreadable


def _with_extra_facts(out: Record | Skipped, rec: dict[str, Any]) -> Record | Skipped:
    """``out`` (a saved record's parse) with the facts ``extra_facts`` reads from ``rec`` that a file gives (``JSON_FACTS``),
    and its rating when only those facts give one (an assessment's, or "Not yet rated")."""
    if isinstance(out, Record):
        extra = extra_facts(rec)
        out.regulator.update({k: v for k, v in extra.items() if k in JSON_FACTS})
        if out.regulator.get("cqc.rating") is None and extra["cqc.rating"] is not None:  # an assessment's, or "Not yet rated"
            out.regulator.update({k: extra[k] for k in ("cqc.rating", "cqc.rating_date", "cqc.report_url")})
        earlier = extra.get("cqc.rating_given_to")
        if out.regulator.get("cqc.report_url") and earlier and extra["cqc.report_url"] == _reports_of(earlier):
            out.regulator["cqc.report_url"] = extra["cqc.report_url"]  # this registration has no report: the rating's is the earlier one's
    return out


def _reports_of(location_id: str) -> str:
    """The address of a CQC location's reports."""
    return f"https://www.cqc.org.uk/location/{location_id}/reports"


def import_cqc(file: Path, providers: Path, local_authority: str | None = None, *,
               allow_mass_removal: bool = False, dry_run: bool = False, as_of: dt.date | None = None,
               schema: Schema | None = None, **guards: Any) -> Report:
    """Import a CQC file into a folder of profiles: ``read_register``, then ``apply.apply_records``.

    The file's date is ``as_of`` if given, else the newest date found in it. ``guards`` go to
    ``apply_records`` (allow_older, max_removals, max_removal_share).
    """
    fmt, records, data_date = read_register(file, as_of)
    if as_of:
        if as_of > england_today():
            raise ImportError_(f"--as-of {as_of.isoformat()} is in the future")
        data_date = as_of
    # the locations not imported that the report counts: the council's own, when one is named (not the whole file's)
    skipped = records.skipped if local_authority is None else _by_label(records.skipped_in.items(), local_authority)
    try:
        report = apply_records(records, providers, fmt=fmt, data_date=data_date, source=writable(file.name), local_authority=local_authority,
                               allow_mass_removal=allow_mass_removal, dry_run=dry_run, schema=schema,
                               skipped=skipped, **guards)
        report.absent, report.not_given = records.absent, records.not_given
        report.date_guessed = as_of is None and records.produced is None
        report.addressless = bool(records) and not any(r.regulator.get("address.postcode") for r in records)
        return report
    except OlderSourceError as exc:
        if as_of:
            raise
        raise OlderSourceError(f"{exc}. The file's date was taken from the newest date in it; if the file is newer, "
                               "give its date with --as-of YYYY-MM-DD") from None


# --- the API's location document: the facts beyond the register files (the live sync uses them too) ---

RATING_QUESTIONS = {"safe": "safe", "effective": "effective", "caring": "caring",
                    "responsive": "responsive", "well-led": "well_led"}


UNRATED = (None, "Inspected but not rated", "Not yet rated")
# the facts of ``extra_facts`` a saved JSON record gives the file import too (parse_api_location reads CQC's phone and
# website; a current rating only the newer assessment framework gives, and "Not yet rated" for a registered service
# CQC has no report on, are taken too: _api_json_location), so a file import and the live sync agree
JSON_FACTS = ("cqc.previous_rating", "cqc.previous_rating_date", "cqc.previous_rating_given_to", "cqc.report_date", "cqc.service_types", "cqc.specialisms",
              "cqc.dormant", "cqc.dormant_since",
              "cqc.rating_history", "cqc.rating_history_safe", "cqc.rating_history_well_led", "cqc.manager_absent_since",
              "cqc.rating_given_to", *(f"cqc.rating_{k}" for k in RATING_QUESTIONS.values()), *(f"cqc.rating_{k}_date" for k in RATING_QUESTIONS.values()))


def _field(doc: dict, key: str, kind: type) -> Any:
    value = doc.get(key)
    if value is not None and not isinstance(value, kind):
        raise ValueError(f"field '{key}' is a {type(value).__name__}, expected a {kind.__name__}")
    return value


def _named(where: str, read: Callable[[Any], Any], value: Any) -> Any:
    """``read`` of ``value``, the field ``where`` of an API document; a value it cannot read is a ValueError naming it."""
    try:
        return read(value)
    except ValueError as exc:
        raise ValueError(f"field '{where}': {exc}") from None


def _read(doc: dict, key: str, read: Callable[[Any], Any]) -> Any:
    """``read`` of the field ``key``; a value it cannot read is a ValueError naming the field."""
    return _named(key, read, doc.get(key))


def _date_in(value: Any, where: str) -> dt.date | None:
    """``_date`` of a nested field of an API document; a date it cannot read is a ValueError naming the field."""
    return _named(where, _date, value)


def _obj(value: Any, where: str) -> dict:
    """A nested object of an API document: {} when not given; a ValueError naming the field when it is not an object."""
    if value is None or value == "":
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"field '{where}' is a {type(value).__name__}, expected an object")  # noqa: TRY004 (a data problem)
    return value


def _objs(value: Any, where: str) -> list[dict]:
    """A nested list of objects of an API document, its objects only: [] when not given; a ValueError naming the
    field when it is not a list."""
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise ValueError(f"field '{where}' is a {type(value).__name__}, expected a list")  # noqa: TRY004 (a data problem)
    return [item for item in value if isinstance(item, dict)]


def extra_facts(doc: dict) -> dict[str, Any]:
    """The regulator facts the API gives beyond the file formats: key questions, history, contacts."""
    lid = doc["locationId"]
    try:
        registered = _status(doc.get("registrationStatus"), doc.get("deregistrationDate")) == STATUSES[0]
    except ValueError:  # read_api_record says what is wrong with it
        registered = False
    current = _field(doc, "currentRatings", dict) or {}
    overall = _obj(current.get("overall"), "currentRatings.overall")
    rating = _rating(overall.get("rating"))
    rating_date = _date_in(overall.get("reportDate") or current.get("reportDate"), "currentRatings.overall.reportDate") if rating else None
    questions = {str(q.get("name") or "").strip().lower(): q
                 for q in _objs(overall.get("keyQuestionRatings"), "currentRatings.overall.keyQuestionRatings")}
    assessed = False  # the rating is the newer framework's: each question's date is read from its status (_question_date)
    if not rating:  # the newer assessment framework puts a current rating here instead
        for a in _objs(_field(doc, "assessment", list), "assessment"):
            for r in _objs(_obj(a.get("ratings"), "assessment.ratings").get("asgRatings"), "assessment.ratings.asgRatings"):
                if r.get("status") == "Current" and _rating(r.get("rating")):
                    rating = _rating(r.get("rating"))
                    rating_date = _date_in(a.get("assessmentPlanPublishedDateTime") or r.get("assessmentDate"), "assessment.assessmentPlanPublishedDateTime")
                    questions = {str(q.get("name") or "").strip().lower(): q for q in
                                 _objs(r.get("keyQuestionRatings"), "assessment.ratings.asgRatings.keyQuestionRatings")}
                    assessed = True
                    break
    reports = [r for r in _field(doc, "reports", list) or [] if isinstance(r, dict)]
    last_report = _field(doc, "lastReport", dict) or {}
    report_dates = [d for d in (_date_in(r.get("reportDate"), "reports.reportDate") for r in reports) if d]
    report_date = _date_in(last_report.get("publicationDate"), "lastReport.publicationDate") or (max(report_dates) if report_dates else None)
    if rating and rating_date and (report_date is None or rating_date > report_date):
        report_date = rating_date  # an assessment published after the last report CQC lists (the newer framework)
    if not rating and registered and not reports and not last_report:
        rating = "Not yet rated"  # CQC has registered the home but not yet inspected it
    previous, previous_date, previous_to = None, None, None
    for h in _objs(_field(doc, "historicRatings", list), "historicRatings"):
        h_rating = _historic_rating(_obj(h.get("overall"), "historicRatings.overall").get("rating"))
        h_date = _date_in(h.get("reportDate"), "historicRatings.reportDate")
        if h_rating in UNRATED or not h_date:
            continue  # an inspection that gave no rating leaves the rating before it standing
        if (rating_date is None or h_date < rating_date) and (previous_date is None or h_date > previous_date):
            previous, previous_date, previous_to = h_rating, h_date, _other_registration(lid, h.get("organisationId"))
    dormant = _read(doc, "dormancy", _flag) if doc.get("dormancy") not in (None, "") else None
    facts: dict[str, Any] = {
        "cqc.rating": rating,
        "cqc.rating_date": rating_date,
        "cqc.previous_rating": previous if rating and rating != "Not yet rated" else None,
        "cqc.previous_rating_date": previous_date if rating and rating != "Not yet rated" else None,
        "cqc.previous_rating_given_to": previous_to if rating and rating != "Not yet rated" else None,
        "cqc.report_date": report_date,
        "cqc.report_url": f"https://www.cqc.org.uk/location/{lid}/reports" if report_date or reports else None,
        "cqc.dormant": dormant,
        # since when: only for a dormant location (a date beside "N", or with no dormancy said, is not kept)
        "cqc.dormant_since": _read(doc, "dormancyStartDate", _date) if dormant is True else None,
        "cqc.phone": _read(doc, "mainPhoneNumber", _phone),
        "cqc.website": _read(doc, "website", _website),
        "cqc.service_types": sorted({_text(s.get("description")) or "" for s in
                                     _field(doc, "gacServiceTypes", list) or [] if isinstance(s, dict)} - {""}) or None,
        "cqc.specialisms": sorted({_text(s.get("name")) or "" for s in
                                   _field(doc, "specialisms", list) or [] if isinstance(s, dict)} - {""}) or None,
    }
    historic = [h for h in _field(doc, "historicRatings", list) or [] if isinstance(h, dict)]
    dated: dict[str, dt.date | None] = {}
    for name, key in RATING_QUESTIONS.items():
        q = questions.get(name) or {}
        given = _rating(q.get("rating")) if rating and rating != "Not yet rated" else None
        facts[f"cqc.rating_{key}"] = given
        dated[name] = facts[f"cqc.rating_{key}_date"] = _question_date(q, given, rating_date, assessed, historic, name) \
            if given else None
    rated = rating not in UNRATED
    facts["cqc.rating_history"] = _history(historic, None, (rating, rating_date) if rated else None)
    for name in ("safe", "well-led"):
        q = questions.get(name) or {}
        now = (_rating(q.get("rating")), dated[name] or rating_date) if rated else None
        facts[f"cqc.rating_history_{RATING_QUESTIONS[name]}"] = _history(historic, name, now)
    facts["cqc.manager_absent_since"] = _read(doc, "registeredManagerAbsentDate", _date)
    facts["cqc.rating_given_to"] = earlier = _given_to(lid, questions, overall) if rated and not assessed else None
    if earlier and not reports:  # CQC lists no report of this registration: its rating's is the earlier one's
        facts["cqc.report_url"] = _reports_of(earlier)
    return facts


def _other_registration(lid: str, organisation: Any) -> str | None:
    """The CQC location ID a past rating's entry of ``historicRatings`` names as the registration CQC gave it to
    (``organisationId``, given only when it is not this location: an earlier registration of the service); None when
    it names none, or this location."""
    other = str(organisation).strip() if organisation else ""
    return other if other and other != lid else None


def _given_to(lid: str, questions: dict[str, dict], overall: dict) -> str | None:
    """The CQC location ID of the earlier registration CQC gave the current rating to, when CQC shows that registration's
    rating on this one (a change of provider, legal entity or address: CQC's continuing regulatory history), as the key
    questions rated by the overall rating's own report name it (``organisationId``, given only when it is not this
    location); None when they name none, or more than one (not known which).

    The overall rating's report is the one it links to (``reportLinkId``), else the one of its date: a key question
    kept from an earlier registration's report while this registration's own inspection rated the others, and so the
    whole (Unicorn1care Ltd, Oldham: Caring and Effective of 2019 named the earlier registration, the overall rating
    of 2021 was its own), does not make the overall rating the earlier registration's. When no key question is of
    that report, every rated one must name the same other registration."""
    link, date = overall.get("reportLinkId"), overall.get("reportDate")
    own = [q for q in questions.values() if link and q.get("reportLinkId") == link] \
        or [q for q in questions.values() if date and q.get("reportDate") == date] or list(questions.values())
    named = {str(q.get("organisationId") or "").strip() for q in own}
    return _other_registration(lid, named.pop()) if len(named) == 1 else None


def _question_date(q: dict, rating: str, rating_date: dt.date | None, assessed: bool, historic: list[dict],
                   name: str) -> dt.date | None:
    """The publication date of the report that gave a key question's current ``rating`` (CQC rates each question at its
    own inspection, so it may be older than the overall rating's ``rating_date``); None when CQC does not say.

    In the older framework (currentRatings) CQC gives it as the question's reportDate. In the newer one (``assessed``:
    an assessment's current rating) a question the assessment looked at ("status": "Assessed") is rated by it, on the
    overall rating's date; one it did not ("Not Assessed") keeps the rating of the last report that rated it, found in
    historicRatings (the newest dated report that gave that question a rating, when it is the rating now: else not
    known); a question with no status is not known."""
    if not assessed:
        return _date_in(q.get("reportDate"), "currentRatings.overall.keyQuestionRatings.reportDate")
    status = str(q.get("status") or "").strip().lower()
    if status == "assessed":
        return rating_date
    if status != "not assessed":
        return None
    latest: tuple[dt.date, str] | None = None
    for h in historic:
        when = _date_in(h.get("reportDate"), "historicRatings.reportDate")
        if not when or (rating_date and when >= rating_date):
            continue
        given = _historic_rating(_historic_question(_obj(h.get("overall"), "historicRatings.overall"), name))
        if given not in UNRATED and (latest is None or when > latest[0]):
            latest = (when, str(given))
    return latest[0] if latest and latest[1] == rating else None


def _historic_question(overall: dict, name: str) -> Any:
    """The rating a report in historicRatings gave the key question ``name`` (as CQC names it, in lower case), as
    written; None when it rated no such question."""
    return next((q.get("rating") for q in _objs(overall.get("keyQuestionRatings"), "historicRatings.overall.keyQuestionRatings")
                 if str(q.get("name", "")).strip().lower() == name), None)


def _history(historic: list[dict], question: str | None, current: tuple[str | None, dt.date | None] | None) -> list[str] | None:
    """The overall ratings (or one key question's, ``question`` as CQC names it in lower case) from the
    current rating and ``historicRatings``, newest first, one per report date, as 'YYYY-MM-DD Rating';
    None when CQC gives none."""
    found: dict[dt.date, str] = {}
    for h in historic:
        overall = _obj(h.get("overall"), "historicRatings.overall")
        if question is None:
            value = overall.get("rating")
        else:
            value = _historic_question(overall, question)
        r, d = _historic_rating(value), _date_in(h.get("reportDate"), "historicRatings.reportDate")
        if r not in UNRATED and d:
            found.setdefault(d, r)
    if current and current[0] not in UNRATED and current[1]:
        found[current[1]] = str(current[0])
    return [f"{d.isoformat()} {found[d]}" for d in sorted(found, reverse=True)] or None
